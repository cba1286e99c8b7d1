# Crypto conformance runners over ethereum-tests (KeyStoreTests, BasicTests).
check_PROGRAMS += test/conformance/run_keystore test/conformance/run_basic_keys
TESTS += test/conformance/run_keystore test/conformance/run_basic_keys
test_conformance_run_keystore_SOURCES = test/conformance/run_keystore.c
test_conformance_run_keystore_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
test_conformance_run_keystore_LDADD = $(CONFORMANCE_LIBS)
test_conformance_run_basic_keys_SOURCES = test/conformance/run_basic_keys.c
test_conformance_run_basic_keys_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
test_conformance_run_basic_keys_LDADD = $(CONFORMANCE_LIBS)
