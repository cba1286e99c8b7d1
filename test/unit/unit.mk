# Check unit suites, one binary per module.
UNIT_LIBS = $(SPECTRUM_LIBS) $(CHECK_LIBS) $(SPECTRUM_EXTERNAL_LIBS)
UNIT_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)

check_PROGRAMS += test/unit/test_util test/unit/test_rlp
TESTS += test/unit/test_util test/unit/test_rlp
test_unit_test_util_SOURCES = test/unit/test_util.c
test_unit_test_util_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_util_LDADD = $(UNIT_LIBS)
test_unit_test_rlp_SOURCES = test/unit/test_rlp.c
test_unit_test_rlp_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_rlp_LDADD = $(UNIT_LIBS)

include test/unit/crypto.mk
include test/unit/u256.mk
include test/unit/primitives.mk
include test/unit/trie.mk
include test/unit/storage.mk
