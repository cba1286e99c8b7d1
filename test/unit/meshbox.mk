# Unit suite of MeshBox contribution weighting (src/consensus/meshbox.c):
# the weight formula, the weighted draw against doc/meshbox.md §11 and the
# JS reference, a chi-square check of 40,000 draws, the candidate list and
# the bounded decoding of the registry's getEpochTotals.
check_PROGRAMS += test/unit/test_meshbox
TESTS += test/unit/test_meshbox
test_unit_test_meshbox_SOURCES = test/unit/test_meshbox.c
test_unit_test_meshbox_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_meshbox_LDADD = $(UNIT_LIBS)
# The MeshBox node side (src/meshbox): receipts, the receipt book, report()
# call data and verdicts.
check_PROGRAMS += test/unit/test_meshbox_node
TESTS += test/unit/test_meshbox_node
test_unit_test_meshbox_node_SOURCES = test/unit/test_meshbox_node.c
test_unit_test_meshbox_node_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_meshbox_node_LDADD = $(UNIT_LIBS)
# The MeshBox reporter on a regtest chain service: the book keeps the last
# -meshboxkeep epochs.
check_PROGRAMS += test/unit/test_meshbox_service
TESTS += test/unit/test_meshbox_service
test_unit_test_meshbox_service_SOURCES = test/unit/test_meshbox_service.c $(REGTEST_SERVICE)
test_unit_test_meshbox_service_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_meshbox_service_LDADD = $(UNIT_LIBS)
