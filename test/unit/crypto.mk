# Crypto unit suite (Check). test_crypto runs every test case;
# test_crypto_portable rebuilds keccak.c with KECCAK_PORTABLE=1 (byte-wise
# loads, no x86 dispatch: what big-endian and non-x86 hosts run) and runs
# the keccak cases against it.
check_PROGRAMS += test/unit/test_crypto test/unit/test_crypto_portable
TESTS += test/unit/test_crypto test/unit/test_crypto_portable
test_unit_test_crypto_SOURCES = test/unit/test_crypto.c \
	test/unit/test_crypto_keccak.c test/unit/test_crypto_hash.c \
	test/unit/test_crypto_ecdsa.c test/unit/test_crypto_kdf.c \
	test/unit/test_crypto_keystore.c
test_unit_test_crypto_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS) $(JANSSON_CFLAGS)
test_unit_test_crypto_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_crypto_LDADD = $(UNIT_LIBS)
test_unit_test_crypto_portable_SOURCES = test/unit/test_crypto.c \
	test/unit/test_crypto_keccak.c src/crypto/keccak.c
test_unit_test_crypto_portable_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS) \
	-DKECCAK_PORTABLE=1 -DTEST_CRYPTO_KECCAK_ONLY=1
test_unit_test_crypto_portable_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_crypto_portable_LDADD = $(UNIT_LIBS)
