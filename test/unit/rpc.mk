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
