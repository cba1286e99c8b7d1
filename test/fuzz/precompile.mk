# evm precompiles: arbitrary call input to 0x01..0x08 under every fork.
if ENABLE_FUZZ
noinst_PROGRAMS += test/fuzz/fuzz_precompile
FUZZ_TARGETS += test/fuzz/fuzz_precompile
test_fuzz_fuzz_precompile_SOURCES = test/fuzz/fuzz_precompile.c
test_fuzz_fuzz_precompile_LDFLAGS = $(FUZZ_LINK_FLAGS)
test_fuzz_fuzz_precompile_LDADD = $(FUZZ_LIBS)
endif
