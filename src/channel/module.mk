# channel: the state-channel hub (Photon-compatible; spec/photon.md).
noinst_LIBRARIES += libspectrum_channel.a
libspectrum_channel_a_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS) $(SECP256K1_CFLAGS)
libspectrum_channel_a_SOURCES =
