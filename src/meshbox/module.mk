# meshbox: the MeshBox node side (doc/meshbox.md §3.4, §9): service receipts
# (receipt), the receipt book on its own LevelDB (book), the registry's
# report() call and verdicts (report), and the reporter thread (service).
# The consensus side (weights, draw) is src/consensus/meshbox.c.
noinst_LIBRARIES += libspectrum_meshbox.a
libspectrum_meshbox_a_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS) $(SECP256K1_CFLAGS) $(LEVELDB_CFLAGS)
libspectrum_meshbox_a_SOURCES = \
	src/meshbox/receipt.c src/meshbox/receipt.h \
	src/meshbox/book.c src/meshbox/book.h \
	src/meshbox/report.c src/meshbox/report.h \
	src/meshbox/service.c src/meshbox/service.h
