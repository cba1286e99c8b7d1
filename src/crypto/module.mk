# crypto: keccak256 (in-tree), secp256k1 (libsecp256k1), sha256/sha512/
# ripemd160/hmac and AES-CTR (OpenSSL), scrypt/pbkdf2 (scrypt core in-tree,
# PBKDF2 from OpenSSL), keystore V3 files (jansson).
noinst_LIBRARIES += libspectrum_crypto.a
libspectrum_crypto_a_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS) $(SECP256K1_CFLAGS) $(JANSSON_CFLAGS)
libspectrum_crypto_a_SOURCES = \
	src/crypto/keccak.c src/crypto/keccak.h \
	src/crypto/ecdsa.c src/crypto/ecdsa.h \
	src/crypto/hash.c src/crypto/hash.h \
	src/crypto/aes.c src/crypto/aes.h \
	src/crypto/kdf.c src/crypto/kdf.h \
	src/crypto/keystore.c src/crypto/keystore.h \
	src/crypto/ecies.c src/crypto/ecies.h \
	src/crypto/ossl.h
