# Functional tests: whole spectrumd processes on private regtest data
# directories, driven by Python 3 (standard library only). One `make check`
# entry runs them all through test_runner.py, which prints "N passed, M failed".
TESTS += test/functional/run_functional.sh
EXTRA_DIST += test/functional/run_functional.sh test/functional/test_runner.py \
	test/functional/feature_startup.py test/functional/tool_cli.py \
	test/functional/rpc_server.py test/functional/rpc_auth.py \
	test/functional/tool_evm.py \
	test/functional/feature_chain_basic.py test/functional/feature_restart.py \
	test/functional/feature_kill9.py test/functional/feature_reorg.py \
	test/functional/feature_invalid_blocks.py test/functional/feature_forks.py \
	test/functional/feature_genesis_networks.py \
	test/functional/test_framework/ws.py \
	test/functional/test_framework/__init__.py \
	test/functional/test_framework/test_framework.py \
	test/functional/test_framework/test_node.py \
	test/functional/test_framework/util.py \
	test/functional/test_framework/rlp.py \
	test/functional/test_framework/keccak.py \
	test/functional/test_framework/chain.py
# Wallet, signing, relayer, admin (issue 5).
EXTRA_DIST += test/functional/rpc_personal.py test/functional/rpc_relay.py \
	test/functional/rpc_admin.py
# Logs, filters and subscriptions (issue 5).
EXTRA_DIST += test/functional/rpc_logs.py
# eth_call, eth_estimateGas, storage, proofs, block contents by index (issue 5).
EXTRA_DIST += test/functional/rpc_call.py
# tribe_ namespace and debug tracing (issue 5).
EXTRA_DIST += test/functional/rpc_tribe.py test/functional/rpc_debug.py
# Man pages against -help; 1,000 concurrent RPC clients (issue 5).
EXTRA_DIST += test/functional/tool_manpages.py test/functional/feature_rpc_load.py
# Peers over devp2p: connect, propagate, ban; a late node catches up (issue 6).
EXTRA_DIST += test/functional/p2p_connect.py test/functional/p2p_catchup.py
# Full sync from two peers; a split network converging on the heavier chain (issue 6).
EXTRA_DIST += test/functional/p2p_sync.py test/functional/p2p_split.py
# A block announced by hash while a sync round runs is fetched after it (issue 6 fix).
EXTRA_DIST += test/functional/p2p_announce.py
# Submissions waiting together share automined blocks (the wait pool; issue 5).
EXTRA_DIST += test/functional/rpc_batching.py
# A misbehaving devp2p peer for p2p_misbehave.py (built with the programs, never installed).
noinst_PROGRAMS += test/functional/p2p_probe
test_functional_p2p_probe_SOURCES = test/functional/p2p_probe.c
test_functional_p2p_probe_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS)
test_functional_p2p_probe_LDADD = $(SPECTRUM_LIBS) $(SPECTRUM_EXTERNAL_LIBS)
# Hostile peers (p2p_probe, a real RLPx client) banned while sync goes on (issue 6).
EXTRA_DIST += test/functional/p2p_misbehave.py
# MeshBox contribution-weighted production on 5 nodes (issue 8).
EXTRA_DIST += test/functional/meshbox_weighted.py
# The channel hub inside spectrumd: direct payments and settlement, a cheating close
# corrected by the partner's watchdog, 1,000 payments without the chain (issue 7).
EXTRA_DIST += test/functional/channel_direct.py test/functional/channel_cheat.py \
	test/functional/channel_offline.py
# issue 7: channel — mediated payments A -> B -> C with fees, settled to the unit; a lock
# nobody asks the secret of expires back to the payer.
EXTRA_DIST += test/functional/channel_mediated.py test/functional/channel_expiry.py
# end issue 7: channel
# issue 7: settle — withdraw and cooperative settle between two hubs
EXTRA_DIST += test/functional/channel_coop.py
# end issue 7: settle
# issue 7: chanops — fee policy, held secrets, cancel, registerSecret, mesh mode,
# updateNodes and the third-party delegation bundle submitted on chain
EXTRA_DIST += test/functional/channel_ops.py
# end issue 7: chanops
# issue 7: channel LAN — two hubs found by LAN discovery pay each other; a hub
# that unlocks a lock it disposed is punished and loses its deposit
EXTRA_DIST += test/functional/channel_lan.py test/functional/channel_punish.py
# end issue 7: channel LAN
