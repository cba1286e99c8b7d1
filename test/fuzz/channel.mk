# channel: every off-chain message decoder of the channel protocol (bytes
# from any UDP peer), with the re-encoding round trip.
if ENABLE_FUZZ
noinst_PROGRAMS += test/fuzz/fuzz_channel_msg
FUZZ_TARGETS += test/fuzz/fuzz_channel_msg
test_fuzz_fuzz_channel_msg_SOURCES = test/fuzz/fuzz_channel_msg.c
test_fuzz_fuzz_channel_msg_LDFLAGS = $(FUZZ_LINK_FLAGS)
test_fuzz_fuzz_channel_msg_LDADD = $(FUZZ_LIBS)
endif
# issue 7: mediated
# channel store: every record decoder of the hub's store (a corrupt disk is
# outside input), with the re-encoding round trip.
if ENABLE_FUZZ
noinst_PROGRAMS += test/fuzz/fuzz_channel_store
FUZZ_TARGETS += test/fuzz/fuzz_channel_store
test_fuzz_fuzz_channel_store_SOURCES = test/fuzz/fuzz_channel_store.c
test_fuzz_fuzz_channel_store_LDFLAGS = $(FUZZ_LINK_FLAGS)
test_fuzz_fuzz_channel_store_LDADD = $(FUZZ_LIBS)
endif
# end issue 7: mediated
# LAN discovery: the beacon datagrams any LAN host can send (decode and the
# rate / freshness / replay filter).
if ENABLE_FUZZ
noinst_PROGRAMS += test/fuzz/fuzz_channel_lan
FUZZ_TARGETS += test/fuzz/fuzz_channel_lan
test_fuzz_fuzz_channel_lan_SOURCES = test/fuzz/fuzz_channel_lan.c
test_fuzz_fuzz_channel_lan_LDFLAGS = $(FUZZ_LINK_FLAGS)
test_fuzz_fuzz_channel_lan_LDADD = $(FUZZ_LIBS)
endif
