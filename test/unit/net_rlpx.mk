# RLPx unit suite: ECIES (round trips, tampering, wrong keys, shared-mac-
# data), the handshake against the EIP-8 vectors in both formats and
# between our own initiator and recipient, frames (MACs, keystream, sizes,
# tampering) and the session (events, partial input, output draining).
check_PROGRAMS += test/unit/test_net_rlpx
TESTS += test/unit/test_net_rlpx
test_unit_test_net_rlpx_SOURCES = test/unit/test_net_rlpx.c test/unit/test_crypto_ecies.c
test_unit_test_net_rlpx_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS)
test_unit_test_net_rlpx_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_net_rlpx_LDADD = $(UNIT_LIBS)
