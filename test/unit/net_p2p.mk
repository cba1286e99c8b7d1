# Unit suite of the peer logic that needs no sockets: known-hash sets,
# misbehaviour scores and IP bans, propagation target choice; and of one
# peer connection over a socketpair (Hello/Status, snappy, bad peers).
check_PROGRAMS += test/unit/test_net_peer test/unit/test_net_peer_conn
TESTS += test/unit/test_net_peer test/unit/test_net_peer_conn
test_unit_test_net_peer_SOURCES = test/unit/test_net_peer.c
test_unit_test_net_peer_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_net_peer_LDADD = $(UNIT_LIBS)
test_unit_test_net_peer_conn_SOURCES = test/unit/test_net_peer_conn.c
test_unit_test_net_peer_conn_CFLAGS = $(UNIT_CFLAGS) $(EVENT_CFLAGS)
test_unit_test_net_peer_conn_LDADD = $(UNIT_LIBS)
# The synchroniser inside the running p2p service: fake RLPx peers on 127.0.0.1 serving an
# invalid block or wrong bodies are banned while the sync completes from an honest one.
check_PROGRAMS += test/unit/test_net_p2p_sync
TESTS += test/unit/test_net_p2p_sync
test_unit_test_net_p2p_sync_SOURCES = test/unit/test_net_p2p_sync.c $(CHAIN_HARNESS) \
	$(REGTEST_SERVICE)
test_unit_test_net_p2p_sync_CFLAGS = $(UNIT_CFLAGS) $(EVENT_CFLAGS)
test_unit_test_net_p2p_sync_LDADD = $(UNIT_LIBS)
