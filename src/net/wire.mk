# net, wire: the devp2p base protocol messages (Hello, Disconnect, Ping,
# Pong, capability negotiation), the eth/62+63 messages, and the answers to
# eth requests read from the chain database. Pure functions over byte
# buffers and the db; no sockets.
libspectrum_net_a_SOURCES += \
	src/net/p2p_msg.c src/net/p2p_msg.h \
	src/net/eth_msg.c src/net/eth_msg.h \
	src/net/eth_serve.c src/net/eth_serve.h
