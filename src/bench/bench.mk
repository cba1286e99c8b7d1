# Benchmarks: one binary, one case per workload (see doc/benchmarks.md).
noinst_PROGRAMS += src/bench/bench_spectrum
src_bench_bench_spectrum_SOURCES = src/bench/bench_main.c src/bench/bench.h \
	src/bench/bench_crypto.c src/bench/bench_rlp.c src/bench/bench_trie.c \
	src/bench/bench_bn254.c src/bench/bench_chain.c src/bench/bench_txpool.c \
	src/bench/bench_import.c src/bench/bench_rlpx.c src/bench/bench_automine.c \
	src/bench/bench_meshbox.c src/bench/bench_channel.c
src_bench_bench_spectrum_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS) $(JANSSON_CFLAGS) $(EVENT_CFLAGS) \
	-DSPECTRUM_SRCDIR=\"$(abs_top_srcdir)\"
src_bench_bench_spectrum_LDADD = $(SPECTRUM_LIBS) $(SPECTRUM_EXTERNAL_LIBS)
