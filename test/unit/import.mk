# Unit suite of the validated block import pipeline (spec §10): fork choice
# by total difficulty, reorgs of any depth, restart, engine verdicts and the
# blocks that must be refused without a write.
check_PROGRAMS += test/unit/test_import
TESTS += test/unit/test_import
test_unit_test_import_SOURCES = test/unit/test_import.c $(CHAIN_HARNESS)
test_unit_test_import_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_import_LDADD = $(UNIT_LIBS)
