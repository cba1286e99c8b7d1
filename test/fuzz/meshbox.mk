# meshbox: the receipt book's record decoder (bytes read back from the
# node's own database, which a damaged disk can make anything).
if ENABLE_FUZZ
noinst_PROGRAMS += test/fuzz/fuzz_meshbox_book
FUZZ_TARGETS += test/fuzz/fuzz_meshbox_book
test_fuzz_fuzz_meshbox_book_SOURCES = test/fuzz/fuzz_meshbox_book.c
test_fuzz_fuzz_meshbox_book_LDFLAGS = $(FUZZ_LINK_FLAGS)
test_fuzz_fuzz_meshbox_book_LDADD = $(FUZZ_LIBS)
endif
