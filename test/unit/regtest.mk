# Unit tests of the regtest genesis (src/chain/regtest_genesis.c): the
# committed share/genesis/genesis-regtest.json against a regeneration.
check_PROGRAMS += test/unit/test_regtest_genesis
TESTS += test/unit/test_regtest_genesis
test_unit_test_regtest_genesis_SOURCES = test/unit/test_regtest_genesis.c
test_unit_test_regtest_genesis_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_regtest_genesis_LDADD = $(UNIT_LIBS)
