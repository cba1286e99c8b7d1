# Unit tests of the chain module.
check_PROGRAMS += test/unit/test_genesis
TESTS += test/unit/test_genesis
test_unit_test_genesis_SOURCES = test/unit/test_genesis.c
test_unit_test_genesis_CFLAGS = $(UNIT_CFLAGS) $(JANSSON_CFLAGS)
test_unit_test_genesis_LDADD = test/conformance/libfixtures.a $(UNIT_LIBS)
