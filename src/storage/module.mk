# storage: LevelDB wrapper (batches, iterators, snapshots) and the trie node
# store over it.
noinst_LIBRARIES += libspectrum_storage.a
libspectrum_storage_a_CPPFLAGS = $(AM_CPPFLAGS)
libspectrum_storage_a_SOURCES = \
	src/storage/db.c src/storage/db.h \
	src/storage/trie_db.c src/storage/trie_db.h \
	src/storage/node_cache.c src/storage/node_cache.h
