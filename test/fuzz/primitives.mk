# (fragment; see Makefile.am)
# primitives: strict RLP and transaction decoding.
if ENABLE_FUZZ
noinst_PROGRAMS += test/fuzz/fuzz_rlp test/fuzz/fuzz_tx
FUZZ_TARGETS += test/fuzz/fuzz_rlp test/fuzz/fuzz_tx
test_fuzz_fuzz_rlp_SOURCES = test/fuzz/fuzz_rlp.c
test_fuzz_fuzz_rlp_LDFLAGS = $(FUZZ_LINK_FLAGS)
test_fuzz_fuzz_rlp_LDADD = $(FUZZ_LIBS)
test_fuzz_fuzz_tx_SOURCES = test/fuzz/fuzz_tx.c
test_fuzz_fuzz_tx_LDFLAGS = $(FUZZ_LINK_FLAGS)
test_fuzz_fuzz_tx_LDADD = $(FUZZ_LIBS)
endif
