# net/discv4: enode URLs, discovery v4 packets (Spectrum's types), the
# Kademlia table, the built-in bootnodes and the UDP discovery service.
libspectrum_net_a_SOURCES += \
	src/net/enode.c src/net/enode.h \
	src/net/discv4_packet.c src/net/discv4_packet.h \
	src/net/kad_table.c src/net/kad_table.h \
	src/net/bootnodes.c src/net/bootnodes.h \
	src/net/discv4.c src/net/discv4.h
