# state: world state (accounts, storage, code) cached over the secure
# account trie, with the journal the EVM reverts through.
noinst_LIBRARIES += libspectrum_state.a
libspectrum_state_a_CPPFLAGS = $(AM_CPPFLAGS)
libspectrum_state_a_SOURCES = \
	src/state/state.h src/state/state_internal.h \
	src/state/state.c \
	src/state/state_map.c \
	src/state/state_account.c \
	src/state/state_storage.c \
	src/state/state_journal.c \
	src/state/state_root.c \
	src/state/code_cache.c src/state/code_cache.h
