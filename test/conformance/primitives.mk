# (fragment; see Makefile.am)
# primitives: RLPTests (valid, invalid, random) and TransactionTests (+ BasicTests/txtest.json).
check_PROGRAMS += test/conformance/run_rlp test/conformance/run_tx
TESTS += test/conformance/run_rlp test/conformance/run_tx
test_conformance_run_rlp_SOURCES = test/conformance/run_rlp.c
test_conformance_run_rlp_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
test_conformance_run_rlp_LDADD = $(CONFORMANCE_LIBS)
test_conformance_run_tx_SOURCES = test/conformance/run_tx.c
test_conformance_run_tx_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
test_conformance_run_tx_LDADD = $(CONFORMANCE_LIBS)
