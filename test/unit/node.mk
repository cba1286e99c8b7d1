# Unit tests of the node's own plumbing (src/node/): the event loop's poll
# after RPC answers (node/evloop.h).
check_PROGRAMS += test/unit/test_node_evloop
TESTS += test/unit/test_node_evloop
test_unit_test_node_evloop_SOURCES = test/unit/test_node_evloop.c
test_unit_test_node_evloop_CFLAGS = $(UNIT_CFLAGS) $(EVENT_CFLAGS)
test_unit_test_node_evloop_LDADD = libspectrum_node.a $(UNIT_LIBS)
