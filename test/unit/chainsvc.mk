# The chain service on a real regtest chain (generate, pool, reorg by
# imported blocks, restart, RPC readers over it, -regtestforks), and the chain's JSON and
# argument parsing (rpc/chainjson.h).
check_PROGRAMS += test/unit/test_chainsvc test/unit/test_rpc_chain
TESTS += test/unit/test_chainsvc test/unit/test_rpc_chain
test_unit_test_chainsvc_SOURCES = test/unit/test_chainsvc.c $(CHAIN_HARNESS)
test_unit_test_chainsvc_CFLAGS = $(UNIT_CFLAGS) $(JANSSON_CFLAGS)
test_unit_test_chainsvc_LDADD = libspectrum_node.a $(UNIT_LIBS)
test_unit_test_rpc_chain_SOURCES = test/unit/test_rpc_chain.c
test_unit_test_rpc_chain_CFLAGS = $(UNIT_CFLAGS) $(JANSSON_CFLAGS)
test_unit_test_rpc_chain_LDADD = $(UNIT_LIBS)
