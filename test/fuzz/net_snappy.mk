# net/snappy: decompression of arbitrary bytes, and compress → decompress
# giving back the input.
if ENABLE_FUZZ
noinst_PROGRAMS += test/fuzz/fuzz_snappy
FUZZ_TARGETS += test/fuzz/fuzz_snappy
test_fuzz_fuzz_snappy_SOURCES = test/fuzz/fuzz_snappy.c
test_fuzz_fuzz_snappy_LDFLAGS = $(FUZZ_LINK_FLAGS)
test_fuzz_fuzz_snappy_LDADD = $(FUZZ_LIBS)
endif
