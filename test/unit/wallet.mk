# Unit suite of the wallet: geth-named 0600 key files, import and duplicates,
# reopen, unlock/lock/timed expiry, signing (EIP-155), files that are not
# keys, concurrency, and a KeyStoreTests file unlocking (interop).
check_PROGRAMS += test/unit/test_wallet
TESTS += test/unit/test_wallet
test_unit_test_wallet_SOURCES = test/unit/test_wallet.c
test_unit_test_wallet_CFLAGS = $(UNIT_CFLAGS) $(JANSSON_CFLAGS)
test_unit_test_wallet_LDADD = test/conformance/libfixtures.a $(UNIT_LIBS)
