# wallet: the keystore directory and unlocked keys (see wallet.h). OpenSSL
# for RAND_bytes (new keys) and OPENSSL_cleanse (wiping them).
noinst_LIBRARIES += libspectrum_wallet.a
libspectrum_wallet_a_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS)
libspectrum_wallet_a_SOURCES = \
	src/wallet/wallet.c src/wallet/wallet.h \
	src/wallet/keydir.c src/wallet/keydir.h
