# Unit suite of the miner: blocks built with miner_build_block on the real
# regtest genesis and imported through chain_import_block with Tribe's
# engine, the mainnet-like fork schedule, and every miner_tamper variant
# rejected by the import.
check_PROGRAMS += test/unit/test_miner
TESTS += test/unit/test_miner
test_unit_test_miner_SOURCES = test/unit/test_miner.c
test_unit_test_miner_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_miner_LDADD = $(UNIT_LIBS)
