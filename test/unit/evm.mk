# EVM unit tests, one binary per opcode family (plus the transaction level),
# sharing a small harness with a one-line assembler (evm_harness.c).
EVM_UNIT_TESTS = test/unit/test_evm_arith test/unit/test_evm_env test/unit/test_evm_storage \
	test/unit/test_evm_control test/unit/test_evm_calls test/unit/test_evm_create \
	test/unit/test_evm_tx
check_PROGRAMS += $(EVM_UNIT_TESTS)
TESTS += $(EVM_UNIT_TESTS)
EVM_HARNESS = test/unit/evm_harness.c test/unit/evm_harness.h
test_unit_test_evm_arith_SOURCES = test/unit/test_evm_arith.c $(EVM_HARNESS)
test_unit_test_evm_arith_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_evm_arith_LDADD = $(UNIT_LIBS)
test_unit_test_evm_env_SOURCES = test/unit/test_evm_env.c $(EVM_HARNESS)
test_unit_test_evm_env_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_evm_env_LDADD = $(UNIT_LIBS)
test_unit_test_evm_storage_SOURCES = test/unit/test_evm_storage.c $(EVM_HARNESS)
test_unit_test_evm_storage_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_evm_storage_LDADD = $(UNIT_LIBS)
test_unit_test_evm_control_SOURCES = test/unit/test_evm_control.c $(EVM_HARNESS)
test_unit_test_evm_control_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_evm_control_LDADD = $(UNIT_LIBS)
test_unit_test_evm_calls_SOURCES = test/unit/test_evm_calls.c $(EVM_HARNESS)
test_unit_test_evm_calls_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_evm_calls_LDADD = $(UNIT_LIBS)
test_unit_test_evm_create_SOURCES = test/unit/test_evm_create.c $(EVM_HARNESS)
test_unit_test_evm_create_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_evm_create_LDADD = $(UNIT_LIBS)
test_unit_test_evm_tx_SOURCES = test/unit/test_evm_tx.c $(EVM_HARNESS)
test_unit_test_evm_tx_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_evm_tx_LDADD = $(UNIT_LIBS)
