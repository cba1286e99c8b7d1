# net, p2p: the p2p service on its own thread (listener, dialer, peer set,
# eth handlers, ancestor fetching, propagation, the synchroniser's glue
# and its import worker, discovery feeding the dialer), one connection (peer.c)
# and the pure pieces with unit tests (known-hash sets, misbehaviour scores
# and bans, propagation choice), the options and the regtest p2p key.
libspectrum_net_a_SOURCES += \
	src/net/peer_known.c src/net/peer_known.h \
	src/net/peer_score.c src/net/peer_score.h \
	src/net/peer_prop.c src/net/peer_prop.h \
	src/net/peer.c src/net/peer.h \
	src/net/p2p.c src/net/p2p.h src/net/p2p_internal.h \
	src/net/p2p_eth.c src/net/p2p_fetch.c \
	src/net/p2p_sync.c src/net/p2p_disc.c \
	src/net/p2p_key.c src/net/p2p_key.h \
	src/net/netopts.c src/net/netopts.h
