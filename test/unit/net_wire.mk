# Unit suites of the wire messages: the devp2p base protocol and eth/62+63
# codecs (round trips, hostile shapes, limits), and the eth request answers
# served from a chain database built with the chain harness.
check_PROGRAMS += test/unit/test_net_wire test/unit/test_net_serve
TESTS += test/unit/test_net_wire test/unit/test_net_serve
test_unit_test_net_wire_SOURCES = test/unit/test_net_wire.c
test_unit_test_net_wire_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_net_wire_LDADD = $(UNIT_LIBS)
test_unit_test_net_serve_SOURCES = test/unit/test_net_serve.c $(CHAIN_HARNESS)
test_unit_test_net_serve_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_net_serve_LDADD = $(UNIT_LIBS)
