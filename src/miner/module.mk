# miner: assembling and sealing a block on the head (see miner.h), and the
# invalid variants of a sealed block that tests feed to the import path.
noinst_LIBRARIES += libspectrum_miner.a
libspectrum_miner_a_SOURCES = \
	src/miner/miner.h src/miner/miner.c \
	src/miner/miner_tamper.h src/miner/miner_tamper.c
