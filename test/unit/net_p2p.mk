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
