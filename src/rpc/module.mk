# rpc: the JSON-RPC server (HTTP on evhttp, WebSocket), request processing,
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
