# Unit suite of the block synchroniser over a simulated network: fake peers
# backed by real chains (chain harness, answers served by eth_serve and
# decoded by eth_msg) or by fabricated headers and bodies, with delays,
# drops, lies and vanishing peers.
check_PROGRAMS += test/unit/test_net_sync
TESTS += test/unit/test_net_sync
test_unit_test_net_sync_SOURCES = test/unit/test_net_sync.c $(CHAIN_HARNESS)
test_unit_test_net_sync_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_net_sync_LDADD = $(UNIT_LIBS)
