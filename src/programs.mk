# The three programs.
bin_PROGRAMS += spectrumd spectrum-cli spectrum-evm
spectrumd_SOURCES = src/spectrumd.c
spectrumd_LDADD = $(SPECTRUM_LIBS) $(SPECTRUM_EXTERNAL_LIBS)
spectrum_cli_SOURCES = src/spectrum-cli.c
spectrum_cli_LDADD = $(SPECTRUM_LIBS) $(CURL_LIBS) $(SPECTRUM_EXTERNAL_LIBS)
spectrum_evm_SOURCES = src/spectrum-evm.c
spectrum_evm_LDADD = $(SPECTRUM_LIBS) $(SPECTRUM_EXTERNAL_LIBS)
