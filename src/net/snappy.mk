# net/snappy: the Snappy block format of devp2p v5 message compression.
libspectrum_net_a_SOURCES += src/net/snappy.c src/net/snappy.h
