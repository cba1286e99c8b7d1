# util: the config-file parser (spectrum.conf is outside input).
if ENABLE_FUZZ
noinst_PROGRAMS += test/fuzz/fuzz_config
FUZZ_TARGETS += test/fuzz/fuzz_config
test_fuzz_fuzz_config_SOURCES = test/fuzz/fuzz_config.c
test_fuzz_fuzz_config_LDFLAGS = $(FUZZ_LINK_FLAGS)
test_fuzz_fuzz_config_LDADD = $(FUZZ_LIBS)
endif
