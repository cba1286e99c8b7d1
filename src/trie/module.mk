# trie: Merkle Patricia Trie (plain and secure) over a node store.
noinst_LIBRARIES += libspectrum_trie.a
libspectrum_trie_a_SOURCES = \
	src/trie/trie.c src/trie/trie.h \
	src/trie/node.c src/trie/node.h \
	src/trie/proof.c src/trie/iter.c \
	src/trie/memstore.c \
	src/trie/secure_key.c src/trie/secure_key.h
