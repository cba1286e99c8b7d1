# evmtool: the spectrum-evm subcommands (statetest, run, bench) and the
# GeneralStateTests runner they share with the conformance test
# (src/evm/statetest.c: built here because it reads JSON through jansson).
noinst_LIBRARIES += libspectrum_evmtool.a
libspectrum_evmtool_a_CPPFLAGS = $(AM_CPPFLAGS) $(JANSSON_CFLAGS)
libspectrum_evmtool_a_SOURCES = \
	src/evm/statetest.h src/evm/statetest.c \
	src/evmtool/evmtool.h \
	src/evmtool/opt.h src/evmtool/opt.c \
	src/evmtool/statetest_cmd.c \
	src/evmtool/run_cmd.c \
	src/evmtool/bench_cmd.c
libspectrum_evmtool_a_SOURCES += src/evmtool/genesis_cmd.c src/evmtool/genesis_cmd.h
