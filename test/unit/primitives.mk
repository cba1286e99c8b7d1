# (fragment; see Makefile.am)
# primitives: transactions (and address text), headers, receipts/logs/bloom.
check_PROGRAMS += test/unit/test_tx test/unit/test_header test/unit/test_receipt
TESTS += test/unit/test_tx test/unit/test_header test/unit/test_receipt
test_unit_test_tx_SOURCES = test/unit/test_tx.c
test_unit_test_tx_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_tx_LDADD = $(UNIT_LIBS)
test_unit_test_header_SOURCES = test/unit/test_header.c
test_unit_test_header_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_header_LDADD = $(UNIT_LIBS)
test_unit_test_receipt_SOURCES = test/unit/test_receipt.c
test_unit_test_receipt_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_receipt_LDADD = $(UNIT_LIBS)
