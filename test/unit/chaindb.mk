# Unit tests of the chain database schema, block execution and the chain.
CHAIN_HARNESS = test/unit/chain_harness.c test/unit/chain_harness.h
# A regtest chain service from the committed genesis (test/unit/regtest_service.h).
REGTEST_SERVICE = test/unit/regtest_service.c test/unit/regtest_service.h
check_PROGRAMS += test/unit/test_chaindb test/unit/test_processor test/unit/test_chain
TESTS += test/unit/test_chaindb test/unit/test_processor test/unit/test_chain
test_unit_test_chaindb_SOURCES = test/unit/test_chaindb.c $(CHAIN_HARNESS)
test_unit_test_chaindb_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_chaindb_LDADD = $(UNIT_LIBS)
test_unit_test_processor_SOURCES = test/unit/test_processor.c $(CHAIN_HARNESS)
test_unit_test_processor_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_processor_LDADD = $(UNIT_LIBS)
test_unit_test_chain_SOURCES = test/unit/test_chain.c $(CHAIN_HARNESS)
test_unit_test_chain_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_chain_LDADD = $(UNIT_LIBS)
