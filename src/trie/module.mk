# trie: Merkle Patricia Trie (plain and secure) over a node store.
noinst_LIBRARIES += libspectrum_trie.a
libspectrum_trie_a_SOURCES =
