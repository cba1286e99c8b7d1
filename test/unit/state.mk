# State unit tests (accounts, storage, journal, roots, commit).
check_PROGRAMS += test/unit/test_state
TESTS += test/unit/test_state
test_unit_test_state_SOURCES = test/unit/test_state.c
test_unit_test_state_CFLAGS = $(UNIT_CFLAGS) $(JANSSON_CFLAGS)
test_unit_test_state_LDADD = test/conformance/libfixtures.a $(UNIT_LIBS)
