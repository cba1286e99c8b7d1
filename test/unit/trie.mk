# Trie unit tests.
check_PROGRAMS += test/unit/test_trie
TESTS += test/unit/test_trie
test_unit_test_trie_SOURCES = test/unit/test_trie.c
test_unit_test_trie_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_trie_LDADD = $(UNIT_LIBS)
