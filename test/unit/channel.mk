# Unit suites of the channel hub's byte-exact parts, against vectors built by
# hand from spec/photon.md and TokensNetwork.sol: every off-chain message and
# contract-facing signature (msg), the lock merkle tree (locks), and the
# settlement, balance and fee arithmetic (math).
check_PROGRAMS += test/unit/test_channel_msg test/unit/test_channel_locks test/unit/test_channel_math
TESTS += test/unit/test_channel_msg test/unit/test_channel_locks test/unit/test_channel_math
test_unit_test_channel_msg_SOURCES = test/unit/test_channel_msg.c
test_unit_test_channel_msg_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_channel_msg_LDADD = $(UNIT_LIBS)
test_unit_test_channel_locks_SOURCES = test/unit/test_channel_locks.c
test_unit_test_channel_locks_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_channel_locks_LDADD = $(UNIT_LIBS)
test_unit_test_channel_math_SOURCES = test/unit/test_channel_math.c
test_unit_test_channel_math_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_channel_math_LDADD = $(UNIT_LIBS)
# The hub's chain side: call data of every contract function against the
# compiled ABI and hand-laid words, strict view and event decoders, and the
# watchdog's decisions in scripted close / update / unlock / punish / settle
# scenarios.
check_PROGRAMS += test/unit/test_channel_chain
TESTS += test/unit/test_channel_chain
test_unit_test_channel_chain_SOURCES = test/unit/test_channel_chain.c
test_unit_test_channel_chain_CFLAGS = $(UNIT_CFLAGS) $(JANSSON_CFLAGS)
test_unit_test_channel_chain_LDADD = $(UNIT_LIBS)
# Unit suites of the channel state machine (a scripted exchange between two
# in-memory hubs, every refusal rule with its code, chain events) and of the
# hub store (round trips, atomic turns, outbox order, acks, corruption).
check_PROGRAMS += test/unit/test_channel_state test/unit/test_channel_store
TESTS += test/unit/test_channel_state test/unit/test_channel_store
test_unit_test_channel_state_SOURCES = test/unit/test_channel_state.c
test_unit_test_channel_state_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_channel_state_LDADD = $(UNIT_LIBS)
test_unit_test_channel_store_SOURCES = test/unit/test_channel_store.c
test_unit_test_channel_store_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_channel_store_LDADD = $(UNIT_LIBS)
# A test tool (not run by make check): contract.h and events.h on a line
# protocol, for test/contracts/channel_chain.test.mjs (which finds it
# through SPECTRUM_CHANNEL_CALLDATA).
check_PROGRAMS += test/unit/channel_calldata
test_unit_channel_calldata_SOURCES = test/unit/channel_calldata.c
test_unit_channel_calldata_LDADD = $(UNIT_LIBS)
# The hub's transport on 127.0.0.1 (held output, acks by echo, resend,
# window, order, hostile input) and two hubs paying each other durably
# (a thousand transfers, a crash and restart in the middle).
check_PROGRAMS += test/unit/test_channel_transport
TESTS += test/unit/test_channel_transport
test_unit_test_channel_transport_SOURCES = test/unit/test_channel_transport.c
test_unit_test_channel_transport_CFLAGS = $(UNIT_CFLAGS) $(EVENT_CFLAGS)
test_unit_test_channel_transport_LDADD = $(UNIT_LIBS)
check_PROGRAMS += test/unit/test_channel_hub
TESTS += test/unit/test_channel_hub
test_unit_test_channel_hub_SOURCES = test/unit/test_channel_hub.c
test_unit_test_channel_hub_CFLAGS = $(UNIT_CFLAGS) $(EVENT_CFLAGS)
test_unit_test_channel_hub_LDADD = $(UNIT_LIBS)
# issue 7: mediated
# Mediated transfers: the route rule, each role's decisions and the store's
# mediated record; then three and four hubs on 127.0.0.1 paying over several
# hops with fees, a disposed lock, an expired lock removed, a mediator killed
# and restarted in the middle, and the refusals.
check_PROGRAMS += test/unit/test_channel_mediated
TESTS += test/unit/test_channel_mediated
test_unit_test_channel_mediated_SOURCES = test/unit/test_channel_mediated.c
test_unit_test_channel_mediated_CFLAGS = $(UNIT_CFLAGS) $(EVENT_CFLAGS)
test_unit_test_channel_mediated_LDADD = $(UNIT_LIBS)
# end issue 7: mediated
# issue 7: channel chain side — the hub's chain side on two hub services
check_PROGRAMS += test/unit/test_channel_chain_hub
TESTS += test/unit/test_channel_chain_hub
test_unit_test_channel_chain_hub_SOURCES = test/unit/test_channel_chain_hub.c
test_unit_test_channel_chain_hub_CFLAGS = $(UNIT_CFLAGS) $(EVENT_CFLAGS)
test_unit_test_channel_chain_hub_LDADD = $(UNIT_LIBS)
# end issue 7: channel chain side
# issue 7: settle — withdraw and cooperative settle between two hub services
# (the flows with their chain events, the requester's and the partner's
# refusals, a raw socket playing the requester).
check_PROGRAMS += test/unit/test_channel_settle
TESTS += test/unit/test_channel_settle
test_unit_test_channel_settle_SOURCES = test/unit/test_channel_settle.c
test_unit_test_channel_settle_CFLAGS = $(UNIT_CFLAGS) $(EVENT_CFLAGS)
test_unit_test_channel_settle_LDADD = $(UNIT_LIBS)
# end issue 7: settle
# issue 7: channel LAN — LAN discovery: the signed beacon, the filter's checks
# and two discovery services finding each other on 127.255.255.255.
check_PROGRAMS += test/unit/test_channel_lan
TESTS += test/unit/test_channel_lan
test_unit_test_channel_lan_SOURCES = test/unit/test_channel_lan.c
test_unit_test_channel_lan_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_channel_lan_LDADD = $(UNIT_LIBS)
# end issue 7: channel LAN

check_PROGRAMS += test/unit/test_channel_chainclient
TESTS += test/unit/test_channel_chainclient
test_unit_test_channel_chainclient_SOURCES = test/unit/test_channel_chainclient.c $(REGTEST_SERVICE)
test_unit_test_channel_chainclient_CFLAGS = $(UNIT_CFLAGS) $(EVENT_CFLAGS)
test_unit_test_channel_chainclient_LDADD = libspectrum_node.a $(UNIT_LIBS)
