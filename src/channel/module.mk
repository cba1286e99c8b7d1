# channel: the state-channel hub (Photon-compatible; spec/photon.md).
# The byte-exact parts come first, each a pure file with its own unit suite:
# locks (hashlocks, merkle tree), sig (contract-facing signed messages),
# msg (the off-chain packets), balance (channel arithmetic, settlement) and
# fees (mediator fees).
noinst_LIBRARIES += libspectrum_channel.a
libspectrum_channel_a_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS) $(SECP256K1_CFLAGS)
libspectrum_channel_a_SOURCES = \
	src/channel/locks.c src/channel/locks.h \
	src/channel/sig.c src/channel/sig.h \
	src/channel/msg.c src/channel/msg.h \
	src/channel/balance.c src/channel/balance.h \
	src/channel/fees.c src/channel/fees.h
# The hub's chain side (pure): the ABI coder, call data and view decoders of
# the channel contracts, their event decoders, and the watchdog's decisions.
libspectrum_channel_a_SOURCES += \
	src/channel/abi.c src/channel/abi.h \
	src/channel/contract.c src/channel/contract.h \
	src/channel/events.c src/channel/events.h \
	src/channel/watchdog.c src/channel/watchdog.h
# The channel state machine (pure: one channel's rules of §3.5, its ends,
# chain events) and the hub's durable store (LevelDB, one batch per turn).
libspectrum_channel_a_SOURCES += \
	src/channel/endstate.c src/channel/endstate.h \
	src/channel/channel.c src/channel/channel.h \
	src/channel/channel_events.c \
	src/channel/store.c src/channel/store.h \
	src/channel/store_codec.c src/channel/store_codec.h
# The hub's transport (UDP, acks by echo, ordered outboxes with a window and
# resend) and the hub service (its thread, loop turns with one synchronous
# store batch each, commands from other threads).
libspectrum_channel_a_CPPFLAGS += $(EVENT_CFLAGS)
libspectrum_channel_a_SOURCES += \
	src/channel/transport.c src/channel/transport.h \
	src/channel/hub.c src/channel/hub.h src/channel/hub_internal.h \
	src/channel/hub_direct.c
# issue 7: channel chain side
# The hub's chain side: contract events applied to the channels and the
# watchdog's calls (hub_chain), and the thread that follows the chain and
# sends the hub's transactions through the chain service (chainclient).
libspectrum_channel_a_SOURCES += \
	src/channel/hub_chain.c \
	src/channel/chainclient.c src/channel/chainclient.h
# end issue 7: channel chain side
# issue 7: mediated
# Mediated transfers: the pure route choice and role decisions (mediated)
# and the hub's initiator, mediator and target (hub_mediated).
libspectrum_channel_a_SOURCES += \
	src/channel/mediated.c src/channel/mediated.h \
	src/channel/hub_mediated.c
# end issue 7: mediated
# issue 7: settle
# Withdraw and cooperative settle (photon.md §3.8): the request / response
# exchange between two hubs and the contract call it yields (hub_settle).
libspectrum_channel_a_SOURCES += \
	src/channel/hub_settle.c
# end issue 7: settle
# issue 7: channel LAN
# LAN discovery: signed beacons on a multicast group or broadcast address,
# checked and fed to the hub's peer book (lan), and the regtest-only
# misbehaviour knob of the chain side (misbehave.h, in hub_chain.c).
libspectrum_channel_a_SOURCES += \
	src/channel/lan.c src/channel/lan.h \
	src/channel/misbehave.h
# end issue 7: channel LAN
# issue 7: chanops
# The user operations of photon.md §5 that are neither payments nor chain
# actions: the fee policy read back, mesh mode, the delegation bundle (hub_ops).
libspectrum_channel_a_SOURCES += src/channel/hub_ops.c
# end issue 7: chanops
