# The three programs, and libspectrum_node.a: the start-up plumbing they share
# (option tables, data directory and config, networks, daemon, life cycle).
noinst_LIBRARIES += libspectrum_node.a
libspectrum_node_a_CPPFLAGS = $(AM_CPPFLAGS) $(EVENT_CFLAGS) $(JANSSON_CFLAGS) $(OPENSSL_CFLAGS)
libspectrum_node_a_SOURCES = \
	src/node/network.c src/node/network.h \
	src/node/options.c src/node/options.h \
	src/node/daemon.c src/node/daemon.h \
	src/node/init.c src/node/init.h

bin_PROGRAMS += spectrumd spectrum-cli spectrum-evm
spectrumd_SOURCES = src/spectrumd.c
spectrumd_LDADD = libspectrum_node.a $(SPECTRUM_LIBS) $(SPECTRUM_EXTERNAL_LIBS)
spectrum_cli_SOURCES = src/spectrum-cli.c
spectrum_cli_CPPFLAGS = $(AM_CPPFLAGS) $(CURL_CFLAGS) $(JANSSON_CFLAGS)
spectrum_cli_LDADD = libspectrum_node.a $(SPECTRUM_LIBS) $(CURL_LIBS) $(SPECTRUM_EXTERNAL_LIBS)
spectrum_evm_SOURCES = src/spectrum-evm.c
spectrum_evm_LDADD = $(SPECTRUM_LIBS) $(SPECTRUM_EXTERNAL_LIBS)
