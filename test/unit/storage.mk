# Storage unit tests (LevelDB wrapper, trie node store over it).
check_PROGRAMS += test/unit/test_storage
TESTS += test/unit/test_storage
test_unit_test_storage_SOURCES = test/unit/test_storage.c
test_unit_test_storage_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_storage_LDADD = $(UNIT_LIBS)
