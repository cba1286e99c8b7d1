# alt_bn128 (EVM precompiles 0x06-0x08): field, group and pairing unit tests.
# OpenSSL's BIGNUM is the slow reference for the field arithmetic.
check_PROGRAMS += test/unit/test_bn254
TESTS += test/unit/test_bn254
test_unit_test_bn254_SOURCES = test/unit/test_bn254.c
test_unit_test_bn254_CFLAGS = $(UNIT_CFLAGS) $(OPENSSL_CFLAGS)
test_unit_test_bn254_LDADD = $(UNIT_LIBS)
