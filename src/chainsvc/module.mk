# chainsvc: the chain thread, owner of the chain, the pool and the miner.
noinst_LIBRARIES += libspectrum_chainsvc.a
libspectrum_chainsvc_a_SOURCES = \
	src/chainsvc/chainsvc.c src/chainsvc/chainsvc.h \
	src/chainsvc/chainsvc_internal.h \
	src/chainsvc/chainsvc_head.c \
	src/chainsvc/chainsvc_mine.c \
	src/chainsvc/chainsvc_pool.c
