# trie: Merkle proof verification (proofs are outside input).
if ENABLE_FUZZ
noinst_PROGRAMS += test/fuzz/fuzz_trie_proof
FUZZ_TARGETS += test/fuzz/fuzz_trie_proof
test_fuzz_fuzz_trie_proof_SOURCES = test/fuzz/fuzz_trie_proof.c
test_fuzz_fuzz_trie_proof_LDFLAGS = $(FUZZ_LINK_FLAGS)
test_fuzz_fuzz_trie_proof_LDADD = $(FUZZ_LIBS)
endif
