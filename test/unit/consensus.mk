# Unit suites of the consensus module (Tribe rule tables, VRF) and of the
# chain parameters they run on.
check_PROGRAMS += test/unit/test_params test/unit/test_tribe_rules test/unit/test_vrf
TESTS += test/unit/test_params test/unit/test_tribe_rules test/unit/test_vrf
test_unit_test_params_SOURCES = test/unit/test_params.c
test_unit_test_params_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_params_LDADD = $(UNIT_LIBS)
test_unit_test_tribe_rules_SOURCES = test/unit/test_tribe_rules.c
test_unit_test_tribe_rules_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_tribe_rules_LDADD = $(UNIT_LIBS)
test_unit_test_vrf_SOURCES = test/unit/test_vrf.c
test_unit_test_vrf_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS) $(SECP256K1_CFLAGS)
test_unit_test_vrf_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_vrf_LDADD = $(UNIT_LIBS)
