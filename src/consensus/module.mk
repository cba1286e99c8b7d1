# consensus: Tribe's rule tables (pure functions over S, L, n, signer) and the
# secp256k1 VRF of spec §3. Block import and production build on these.
noinst_LIBRARIES += libspectrum_consensus.a
libspectrum_consensus_a_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS) $(SECP256K1_CFLAGS)
libspectrum_consensus_a_SOURCES = \
	src/consensus/tribe_rules.c src/consensus/tribe_rules.h \
	src/consensus/vrf.c src/consensus/vrf.h \
	src/consensus/vrf_ahead.c src/consensus/vrf_ahead.h
libspectrum_consensus_a_SOURCES += src/consensus/tribe_engine.c src/consensus/tribe_engine.h
libspectrum_consensus_a_SOURCES += src/consensus/tribe_chain_engine.c src/consensus/tribe_chain_engine.h
# MeshBox contribution weighting (doc/meshbox.md): weights, the weighted draw,
# the registry reads; called by tribe_engine.c under the fork.
libspectrum_consensus_a_SOURCES += src/consensus/meshbox.c src/consensus/meshbox.h
