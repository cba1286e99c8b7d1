# crypto: keccak256 (in-tree), secp256k1 (libsecp256k1), sha256/ripemd160,
# scrypt/pbkdf2 (OpenSSL).
noinst_LIBRARIES += libspectrum_crypto.a
libspectrum_crypto_a_CPPFLAGS = $(AM_CPPFLAGS) $(SECP256K1_CFLAGS) $(OPENSSL_CFLAGS)
libspectrum_crypto_a_SOURCES = \
	src/crypto/keccak.c src/crypto/keccak.h \
	src/crypto/ecdsa.c src/crypto/ecdsa.h
