# Trie conformance: ethereum-tests/TrieTests (roots, secure trie, next/prev).
check_PROGRAMS += test/conformance/run_trie
TESTS += test/conformance/run_trie
test_conformance_run_trie_SOURCES = test/conformance/run_trie.c
test_conformance_run_trie_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
test_conformance_run_trie_LDADD = $(CONFORMANCE_LIBS)
