# txpool: pending and queued transactions, replacement, limits, eviction,
# and the miner's price-and-nonce order (see doc/txpool.md).
noinst_LIBRARIES += libspectrum_txpool.a
libspectrum_txpool_a_SOURCES = \
	src/txpool/txpool.c src/txpool/txpool.h \
	src/txpool/txpool_internal.h \
	src/txpool/txpool_validate.c \
	src/txpool/txpool_iter.c \
	src/txpool/txpool_map.c src/txpool/txpool_map.h
