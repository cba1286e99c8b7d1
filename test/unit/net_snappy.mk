# Unit suite of net/snappy: hand-built vectors for every tag kind, round
# trips of random and repetitive inputs of many sizes, every malformed input.
check_PROGRAMS += test/unit/test_net_snappy
TESTS += test/unit/test_net_snappy
test_unit_test_net_snappy_SOURCES = test/unit/test_net_snappy.c
test_unit_test_net_snappy_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_net_snappy_LDADD = $(UNIT_LIBS)
