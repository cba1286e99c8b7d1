# chain: chain parameters, genesis, validation, execution, fork choice.
noinst_LIBRARIES += libspectrum_chain.a
libspectrum_chain_a_CPPFLAGS = $(AM_CPPFLAGS) $(JANSSON_CFLAGS)
libspectrum_chain_a_SOURCES = \
	src/chain/genesis.c src/chain/genesis.h
libspectrum_chain_a_SOURCES += src/chain/params.c src/chain/params.h
libspectrum_chain_a_SOURCES += src/chain/regtest_genesis.c src/chain/regtest_genesis.h
libspectrum_chain_a_SOURCES += src/chain/chaindb.c src/chain/chaindb.h src/chain/processor.c src/chain/processor.h src/chain/chain.c src/chain/chain.h
libspectrum_chain_a_SOURCES += src/chain/import.c src/chain/reorg.c src/chain/reorg.h
