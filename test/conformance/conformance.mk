# Runners over ../shared/ethereum-tests. Each prints "N passed, M failed" last.
# Module-specific runners are added by the fragments included below.
noinst_LIBRARIES += test/conformance/libfixtures.a
test_conformance_libfixtures_a_SOURCES = test/conformance/fixtures.c test/conformance/fixtures.h
test_conformance_libfixtures_a_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
CONFORMANCE_LIBS = test/conformance/libfixtures.a $(SPECTRUM_LIBS) $(SPECTRUM_EXTERNAL_LIBS)

include test/conformance/crypto.mk
include test/conformance/primitives.mk
include test/conformance/trie.mk
