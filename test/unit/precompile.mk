# EVM precompiled contracts 0x01..0x08 and fork names (Check).
check_PROGRAMS += test/unit/test_precompile
TESTS += test/unit/test_precompile
test_unit_test_precompile_SOURCES = test/unit/test_precompile.c
test_unit_test_precompile_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_precompile_LDADD = $(UNIT_LIBS)
