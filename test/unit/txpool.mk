# Unit suite of the transaction pool (rejection reasons, pending/queued,
# replacement, limits, new heads, reorg re-adds, the miner's order, hostile
# raw bytes).
check_PROGRAMS += test/unit/test_txpool
TESTS += test/unit/test_txpool
test_unit_test_txpool_SOURCES = test/unit/test_txpool.c
test_unit_test_txpool_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_txpool_LDADD = $(UNIT_LIBS)
