# net: devp2p. Codecs (snappy, RLPx handshake and frames, the base and eth/63
# messages, discovery v4 packets) are pure functions over byte buffers, so that
# each has unit tests against published vectors and a fuzz target; the sockets,
# peer set and sync live in their own files on top of them.
noinst_LIBRARIES += libspectrum_net.a
libspectrum_net_a_CPPFLAGS = $(AM_CPPFLAGS) $(EVENT_CFLAGS) $(OPENSSL_CFLAGS) $(SECP256K1_CFLAGS)
libspectrum_net_a_SOURCES =
include src/net/snappy.mk
include src/net/discv4.mk
include src/net/rlpx.mk
include src/net/wire.mk
include src/net/p2p.mk
include src/net/sync.mk
