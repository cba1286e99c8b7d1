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

# util/args (options, config file, precedence, errors), util/log and util/fs.
check_PROGRAMS += test/unit/test_args test/unit/test_log
TESTS += test/unit/test_args test/unit/test_log
test_unit_test_args_SOURCES = test/unit/test_args.c
test_unit_test_args_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_args_LDADD = $(UNIT_LIBS)
test_unit_test_log_SOURCES = test/unit/test_log.c
test_unit_test_log_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_log_LDADD = $(UNIT_LIBS)
