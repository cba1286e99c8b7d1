# Benchmarks: one binary, one case per workload (see doc/benchmarks.md).
noinst_PROGRAMS += src/bench/bench_spectrum
src_bench_bench_spectrum_SOURCES = src/bench/bench_main.c
src_bench_bench_spectrum_LDADD = $(SPECTRUM_LIBS) $(SPECTRUM_EXTERNAL_LIBS)
