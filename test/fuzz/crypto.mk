# Crypto fuzz targets (built with --enable-fuzz; see fuzz.mk).
if ENABLE_FUZZ
noinst_PROGRAMS += test/fuzz/fuzz_keystore
FUZZ_TARGETS += test/fuzz/fuzz_keystore
test_fuzz_fuzz_keystore_SOURCES = test/fuzz/fuzz_keystore.c
test_fuzz_fuzz_keystore_LDFLAGS = $(FUZZ_LINK_FLAGS)
test_fuzz_fuzz_keystore_LDADD = $(FUZZ_LIBS)
endif
