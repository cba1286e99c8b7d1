# (fragment; see Makefile.am)
# EVM: every post entry of ethereum-tests legacy/GeneralStateTests for the
# seven Ethereum forks Spectrum's EVM implements (runner in evm/statetest.h).
check_PROGRAMS += test/conformance/run_statetest
TESTS += test/conformance/run_statetest
test_conformance_run_statetest_SOURCES = test/conformance/run_statetest.c
test_conformance_run_statetest_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
test_conformance_run_statetest_LDADD = $(CONFORMANCE_LIBS)
