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
