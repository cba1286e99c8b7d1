# u256: differential tests against OpenSSL BIGNUM plus explicit EVM edge cases.
check_PROGRAMS += test/unit/test_u256
TESTS += test/unit/test_u256
test_unit_test_u256_SOURCES = test/unit/test_u256.c
test_unit_test_u256_CFLAGS = $(UNIT_CFLAGS) $(OPENSSL_CFLAGS)
test_unit_test_u256_LDADD = $(UNIT_LIBS)
