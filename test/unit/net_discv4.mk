# Unit suite of discovery v4: enode URLs, the packet codec against the
# EIP-8 vectors and with Spectrum's types, the Kademlia table, the
# bootnode lists, and services on 127.0.0.1 finding each other.
check_PROGRAMS += test/unit/test_net_discv4
TESTS += test/unit/test_net_discv4
test_unit_test_net_discv4_SOURCES = test/unit/test_net_discv4.c \
	test/unit/test_net_enode.c test/unit/test_net_kad.c \
	test/unit/test_net_discv4_service.c test/unit/test_net_discv4.h
test_unit_test_net_discv4_CPPFLAGS = $(AM_CPPFLAGS) $(EVENT_CFLAGS)
test_unit_test_net_discv4_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_net_discv4_LDADD = $(UNIT_LIBS)
