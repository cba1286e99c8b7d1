# net, wire: the devp2p base protocol messages and every eth/62+63 message
# decoder (all of them bytes from peers).
if ENABLE_FUZZ
noinst_PROGRAMS += test/fuzz/fuzz_p2p_msg test/fuzz/fuzz_eth_msg
FUZZ_TARGETS += test/fuzz/fuzz_p2p_msg test/fuzz/fuzz_eth_msg
test_fuzz_fuzz_p2p_msg_SOURCES = test/fuzz/fuzz_p2p_msg.c
test_fuzz_fuzz_p2p_msg_LDFLAGS = $(FUZZ_LINK_FLAGS)
test_fuzz_fuzz_p2p_msg_LDADD = $(FUZZ_LIBS)
test_fuzz_fuzz_eth_msg_SOURCES = test/fuzz/fuzz_eth_msg.c
test_fuzz_fuzz_eth_msg_LDFLAGS = $(FUZZ_LINK_FLAGS)
test_fuzz_fuzz_eth_msg_LDADD = $(FUZZ_LIBS)
endif
