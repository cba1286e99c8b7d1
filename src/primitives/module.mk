# primitives: u256, RLP, address, transaction, header, receipt, log, bloom.
noinst_LIBRARIES += libspectrum_primitives.a
libspectrum_primitives_a_SOURCES = \
	src/primitives/u256.c src/primitives/u256.h \
	src/primitives/rlp.c src/primitives/rlp.h
