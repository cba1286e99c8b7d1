# channel: every off-chain message decoder of the channel protocol (bytes
# from any UDP peer), with the re-encoding round trip.
if ENABLE_FUZZ
noinst_PROGRAMS += test/fuzz/fuzz_channel_msg
FUZZ_TARGETS += test/fuzz/fuzz_channel_msg
test_fuzz_fuzz_channel_msg_SOURCES = test/fuzz/fuzz_channel_msg.c
test_fuzz_fuzz_channel_msg_LDFLAGS = $(FUZZ_LINK_FLAGS)
test_fuzz_fuzz_channel_msg_LDADD = $(FUZZ_LIBS)
endif
