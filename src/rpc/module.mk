# rpc: the JSON-RPC server (HTTP/1.1 of our own, WebSocket), request processing,
# method registry, worker pool, credentials, and one file per namespace.
noinst_LIBRARIES += libspectrum_rpc.a
libspectrum_rpc_a_CPPFLAGS = $(AM_CPPFLAGS) $(EVENT_CFLAGS) $(JANSSON_CFLAGS) $(OPENSSL_CFLAGS)
libspectrum_rpc_a_SOURCES = \
	src/rpc/server.c src/rpc/server.h \
	src/rpc/options.c src/rpc/options.h \
	src/rpc/dispatch.c src/rpc/dispatch.h \
	src/rpc/params.c src/rpc/params.h \
	src/rpc/exec.c src/rpc/exec.h \
	src/rpc/job.c src/rpc/job.h \
	src/rpc/worker.c src/rpc/worker.h \
	src/rpc/auth.c src/rpc/auth.h \
	src/rpc/addr.c src/rpc/addr.h \
	src/rpc/base64.c src/rpc/base64.h \
	src/rpc/ws.c src/rpc/ws.h \
	src/rpc/wsproto.c src/rpc/wsproto.h \
	src/rpc/logfilter.c src/rpc/logfilter.h \
	src/rpc/methods.h src/rpc/namespaces.c \
	src/rpc/control.c src/rpc/eth.c src/rpc/net.c src/rpc/web3.c src/rpc/regtest.c
# The chain's methods (issue 4): formatting and reading, then one file per
# family or namespace.
libspectrum_rpc_a_SOURCES += \
	src/rpc/chainjson.c src/rpc/chainjson.h \
	src/rpc/chainread.c src/rpc/chainread.h \
	src/rpc/chain_events.c src/rpc/chain_events.h \
	src/rpc/eth_methods.h src/rpc/eth_chain.c src/rpc/eth_state.c src/rpc/eth_tx.c \
	src/rpc/txpool.c src/rpc/debug.c
# Wallet, signing, relayer and admin (issue 5).
libspectrum_rpc_a_SOURCES += \
	src/rpc/ethmsg.c src/rpc/ethmsg.h \
	src/rpc/proxytoken.c src/rpc/proxytoken.h \
	src/rpc/personal.c src/rpc/eth_sign.c src/rpc/admin.c \
	src/rpc/relay.c
# Tribe namespace and debug tracing (issue 5).
libspectrum_rpc_a_SOURCES += \
	src/rpc/tribe.c src/rpc/trace.c src/rpc/trace.h \
	src/rpc/sysview.c src/rpc/sysview.h
# Logs, filters and subscription events (issue 5).
libspectrum_rpc_a_SOURCES += \
	src/rpc/logquery.c src/rpc/logquery.h \
	src/rpc/filters.c src/rpc/filters.h \
	src/rpc/eth_logs.c
# Execution and storage (issue 5): eth_call / eth_estimateGas on callexec,
# storage and proofs, block contents by index, protocol and sync status.
libspectrum_rpc_a_SOURCES += \
	src/rpc/callexec.c src/rpc/callexec.h \
	src/rpc/eth_call.c src/rpc/eth_proof.c src/rpc/eth_index.c src/rpc/eth_sync.c
# issue 5: http — the HTTP/1.1 server of the JSON-RPC port (replaces evhttp).
libspectrum_rpc_a_SOURCES += \
	src/rpc/http_parse.c src/rpc/http_parse.h \
	src/rpc/http_conn.c src/rpc/http_conn.h
# end issue 5: http
# issue 8: meshbox — the meshbox_ namespace (MeshBox status, weights, receipts)
libspectrum_rpc_a_SOURCES += src/rpc/meshbox.c src/rpc/meshbox.h
# end issue 8: meshbox
# issue 7: channel — the channel_ namespace (the hub's user operations)
libspectrum_rpc_a_SOURCES += src/rpc/channel.c
# end issue 7: channel
