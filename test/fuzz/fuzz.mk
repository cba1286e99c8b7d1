# libFuzzer targets, built only with `configure --enable-fuzz CC=clang` (see
# contrib/fuzz.sh). Each fragment below adds its targets as
#   if ENABLE_FUZZ / noinst_PROGRAMS += test/fuzz/fuzz_NAME / FUZZ_TARGETS += ... / endif
# and `make fuzz` builds them all.
FUZZ_TARGETS =
FUZZ_LINK_FLAGS = -fsanitize=fuzzer
FUZZ_LIBS = $(SPECTRUM_LIBS) $(SPECTRUM_EXTERNAL_LIBS)

include test/fuzz/primitives.mk
include test/fuzz/crypto.mk
include test/fuzz/trie.mk
include test/fuzz/util.mk
include test/fuzz/precompile.mk
include test/fuzz/rpc.mk

.PHONY: fuzz
fuzz: $(FUZZ_TARGETS)
