# Unit suites of the Tribe engine work: the EVM's per-frame metering hook
# (spec §6.4) and block verification on the regtest chain (§10).
check_PROGRAMS += test/unit/test_evm_metering
TESTS += test/unit/test_evm_metering
test_unit_test_evm_metering_SOURCES = test/unit/test_evm_metering.c test/unit/evm_harness.c \
	test/unit/evm_harness.h
test_unit_test_evm_metering_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_evm_metering_LDADD = $(UNIT_LIBS)
check_PROGRAMS += test/unit/test_tribe_engine
TESTS += test/unit/test_tribe_engine
test_unit_test_tribe_engine_SOURCES = test/unit/test_tribe_engine.c
test_unit_test_tribe_engine_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_tribe_engine_LDADD = $(UNIT_LIBS)
