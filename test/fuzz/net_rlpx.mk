# RLPx: the handshake reader (what a stranger sends to our port first) and
# the frame reader of an established session (what a connected peer sends).
if ENABLE_FUZZ
noinst_PROGRAMS += test/fuzz/fuzz_rlpx_handshake test/fuzz/fuzz_rlpx_frame
FUZZ_TARGETS += test/fuzz/fuzz_rlpx_handshake test/fuzz/fuzz_rlpx_frame
test_fuzz_fuzz_rlpx_handshake_SOURCES = test/fuzz/fuzz_rlpx_handshake.c
test_fuzz_fuzz_rlpx_handshake_LDFLAGS = $(FUZZ_LINK_FLAGS)
test_fuzz_fuzz_rlpx_handshake_LDADD = $(FUZZ_LIBS)
test_fuzz_fuzz_rlpx_frame_SOURCES = test/fuzz/fuzz_rlpx_frame.c
test_fuzz_fuzz_rlpx_frame_LDFLAGS = $(FUZZ_LINK_FLAGS)
test_fuzz_fuzz_rlpx_frame_LDADD = $(FUZZ_LIBS)
endif
