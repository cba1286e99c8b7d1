# net, sync: the block synchroniser, a state machine with no sockets and no
# threads (which headers and bodies to ask which peer for, checking answers,
# handing complete blocks to the chain in order). The peer layer drives it
# through sync.h's entry points and callbacks.
libspectrum_net_a_SOURCES += \
	src/net/sync.c src/net/sync.h \
	src/net/sync_internal.h \
	src/net/sync_ancestor.c \
	src/net/sync_bodies.c
