# The three programs, and libspectrum_node.a: the start-up plumbing they share
# (option tables, data directory and config, networks, daemon, life cycle).
noinst_LIBRARIES += libspectrum_node.a
# chainsetup.c finds share/ through the three directories below (see
# node/chainsetup.h); `make install` puts the genesis files in pkgdatadir.
libspectrum_node_a_CPPFLAGS = $(AM_CPPFLAGS) $(EVENT_CFLAGS) $(JANSSON_CFLAGS) $(OPENSSL_CFLAGS) \
	-DSPECTRUM_SRCDIR='"$(abs_top_srcdir)"' -DSPECTRUM_BUILDDIR='"$(abs_top_builddir)"' \
	-DSPECTRUM_PKGDATADIR='"$(pkgdatadir)"'
libspectrum_node_a_SOURCES = \
	src/node/network.c src/node/network.h \
	src/node/options.c src/node/options.h \
	src/node/daemon.c src/node/daemon.h \
	src/node/init.c src/node/init.h \
	src/node/evloop.c src/node/evloop.h \
	src/node/chainsetup.c src/node/chainsetup.h \
	src/node/keys.c src/node/keys.h
# issue 7: channel
libspectrum_node_a_SOURCES += src/node/channel_node.c src/node/channel_node.h
# end issue 7: channel
genesisdir = $(pkgdatadir)/genesis
dist_genesis_DATA = share/genesis/genesis-mainnet.json share/genesis/genesis-testnet.json \
	share/genesis/genesis-devnet.json share/genesis/genesis-regtest.json

bin_PROGRAMS += spectrumd spectrum-cli spectrum-evm
spectrumd_SOURCES = src/spectrumd.c
spectrumd_LDADD = libspectrum_node.a $(SPECTRUM_LIBS) $(SPECTRUM_EXTERNAL_LIBS)
spectrum_cli_SOURCES = src/spectrum-cli.c \
	src/cli/params.c src/cli/params.h \
	src/cli/conn.c src/cli/conn.h \
	src/cli/getinfo.c src/cli/getinfo.h
spectrum_cli_CPPFLAGS = $(AM_CPPFLAGS) $(CURL_CFLAGS) $(JANSSON_CFLAGS)
spectrum_cli_LDADD = libspectrum_node.a $(SPECTRUM_LIBS) $(CURL_LIBS) $(SPECTRUM_EXTERNAL_LIBS)
spectrum_evm_SOURCES = src/spectrum-evm.c
spectrum_evm_LDADD = $(SPECTRUM_LIBS) $(SPECTRUM_EXTERNAL_LIBS)

# Man pages of the three programs (hand-written roff; `make install` puts them in
# $(mandir)/man1; test/functional/tool_manpages.py keeps them in step with -help).
dist_man1_MANS = share/man/man1/spectrumd.1 share/man/man1/spectrum-cli.1 \
	share/man/man1/spectrum-evm.1
