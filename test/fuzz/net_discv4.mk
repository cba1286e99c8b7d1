# net/discv4: discovery packets and enode URLs from the network.
if ENABLE_FUZZ
noinst_PROGRAMS += test/fuzz/fuzz_discv4
FUZZ_TARGETS += test/fuzz/fuzz_discv4
test_fuzz_fuzz_discv4_SOURCES = test/fuzz/fuzz_discv4.c
test_fuzz_fuzz_discv4_LDFLAGS = $(FUZZ_LINK_FLAGS)
test_fuzz_fuzz_discv4_LDADD = $(FUZZ_LIBS)
endif
