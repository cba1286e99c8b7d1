# primitives: u256, RLP, address, transaction, header, receipt, log, bloom.
noinst_LIBRARIES += libspectrum_primitives.a
libspectrum_primitives_a_SOURCES = \
	src/primitives/u256.c src/primitives/u256.h \
	src/primitives/rlp.c src/primitives/rlp.h
libspectrum_primitives_a_SOURCES += src/primitives/address.c src/primitives/address.h src/primitives/bloom.c src/primitives/bloom.h src/primitives/tx.c src/primitives/tx.h src/primitives/header.c src/primitives/header.h src/primitives/receipt.c src/primitives/receipt.h src/primitives/block.c src/primitives/block.h
