# RLPx transport: the handshake (auth/ack, EIP-8 and legacy), frame
# encryption and MACs, and the per-connection session that drives both
# over byte buffers (no sockets). ECIES itself is in src/crypto/ecies.c.
libspectrum_net_a_SOURCES += \
	src/net/rlpx_handshake.c src/net/rlpx_handshake.h \
	src/net/rlpx_frame.c src/net/rlpx_frame.h \
	src/net/rlpx_session.c src/net/rlpx_session.h
