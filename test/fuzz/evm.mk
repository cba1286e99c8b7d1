# (fragment; see Makefile.am)
# evm: random bytecode, run as code and as init code under every fork.
if ENABLE_FUZZ
noinst_PROGRAMS += test/fuzz/fuzz_evm
FUZZ_TARGETS += test/fuzz/fuzz_evm
test_fuzz_fuzz_evm_SOURCES = test/fuzz/fuzz_evm.c
test_fuzz_fuzz_evm_LDFLAGS = $(FUZZ_LINK_FLAGS)
test_fuzz_fuzz_evm_LDADD = $(FUZZ_LIBS)
endif
