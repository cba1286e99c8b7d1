# Unit tests of the rpc module: request processing and the registry, the
# WebSocket protocol, credentials and addresses, the worker pool and time
# limits.
RPC_UNIT_CFLAGS = $(UNIT_CFLAGS) $(JANSSON_CFLAGS) $(EVENT_CFLAGS) $(OPENSSL_CFLAGS)
check_PROGRAMS += test/unit/test_rpc_exec test/unit/test_rpc_ws test/unit/test_rpc_auth \
	test/unit/test_rpc_pool
TESTS += test/unit/test_rpc_exec test/unit/test_rpc_ws test/unit/test_rpc_auth \
	test/unit/test_rpc_pool
test_unit_test_rpc_exec_SOURCES = test/unit/test_rpc_exec.c
test_unit_test_rpc_exec_CFLAGS = $(RPC_UNIT_CFLAGS)
test_unit_test_rpc_exec_LDADD = $(UNIT_LIBS)
test_unit_test_rpc_ws_SOURCES = test/unit/test_rpc_ws.c
test_unit_test_rpc_ws_CFLAGS = $(RPC_UNIT_CFLAGS)
test_unit_test_rpc_ws_LDADD = $(UNIT_LIBS)
test_unit_test_rpc_auth_SOURCES = test/unit/test_rpc_auth.c
test_unit_test_rpc_auth_CFLAGS = $(RPC_UNIT_CFLAGS)
test_unit_test_rpc_auth_LDADD = $(UNIT_LIBS)
test_unit_test_rpc_pool_SOURCES = test/unit/test_rpc_pool.c
test_unit_test_rpc_pool_CFLAGS = $(RPC_UNIT_CFLAGS)
test_unit_test_rpc_pool_LDADD = $(UNIT_LIBS)
# personal_, eth_sign, admin_, relay_: signed messages, one-use keys, enode
# URLs, ProxyToken hashing (issue 5).
check_PROGRAMS += test/unit/test_rpc_personal
TESTS += test/unit/test_rpc_personal
test_unit_test_rpc_personal_SOURCES = test/unit/test_rpc_personal.c
test_unit_test_rpc_personal_CFLAGS = $(RPC_UNIT_CFLAGS)
test_unit_test_rpc_personal_LDADD = $(UNIT_LIBS)
# Polled filters, log queries and their live matching (rpc/filters.h, rpc/logquery.h).
check_PROGRAMS += test/unit/test_rpc_filters
TESTS += test/unit/test_rpc_filters
test_unit_test_rpc_filters_SOURCES = test/unit/test_rpc_filters.c
test_unit_test_rpc_filters_CFLAGS = $(RPC_UNIT_CFLAGS)
test_unit_test_rpc_filters_LDADD = $(UNIT_LIBS)
# eth_call, eth_estimateGas, storage and proofs (rpc/callexec.h, eth_proof.c):
# the call object, state overrides and their effect on a state, revert
# reasons and error replies, storage keys.
check_PROGRAMS += test/unit/test_rpc_call
TESTS += test/unit/test_rpc_call
test_unit_test_rpc_call_SOURCES = test/unit/test_rpc_call.c
test_unit_test_rpc_call_CFLAGS = $(RPC_UNIT_CFLAGS)
test_unit_test_rpc_call_LDADD = $(UNIT_LIBS)
# debug_trace*'s struct logger over the EVM's callback tracer (rpc/trace.h),
# driven by hand-assembled programs on the EVM test harness.
check_PROGRAMS += test/unit/test_rpc_trace
TESTS += test/unit/test_rpc_trace
test_unit_test_rpc_trace_SOURCES = test/unit/test_rpc_trace.c $(EVM_HARNESS)
test_unit_test_rpc_trace_CFLAGS = $(RPC_UNIT_CFLAGS)
test_unit_test_rpc_trace_LDADD = $(UNIT_LIBS)
# issue 5: http — the HTTP/1.1 layer of the JSON-RPC port (rpc/http_parse.h,
# rpc/http_conn.h): strict heads, limits, pipelining, split input, closing.
check_PROGRAMS += test/unit/test_rpc_http
TESTS += test/unit/test_rpc_http
test_unit_test_rpc_http_SOURCES = test/unit/test_rpc_http.c
test_unit_test_rpc_http_CFLAGS = $(RPC_UNIT_CFLAGS)
test_unit_test_rpc_http_LDADD = $(UNIT_LIBS)
# end issue 5: http
