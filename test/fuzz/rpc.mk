# rpc: JSON-RPC request parsing and dispatch, WebSocket frames and handshakes
# (all of them bytes from network clients).
if ENABLE_FUZZ
noinst_PROGRAMS += test/fuzz/fuzz_rpc
FUZZ_TARGETS += test/fuzz/fuzz_rpc
test_fuzz_fuzz_rpc_SOURCES = test/fuzz/fuzz_rpc.c
test_fuzz_fuzz_rpc_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
test_fuzz_fuzz_rpc_LDFLAGS = $(FUZZ_LINK_FLAGS)
test_fuzz_fuzz_rpc_LDADD = $(FUZZ_LIBS)
endif
# issue 5: http — the HTTP head parser of the JSON-RPC port.
if ENABLE_FUZZ
noinst_PROGRAMS += test/fuzz/fuzz_http_parse
FUZZ_TARGETS += test/fuzz/fuzz_http_parse
test_fuzz_fuzz_http_parse_SOURCES = test/fuzz/fuzz_http_parse.c
test_fuzz_fuzz_http_parse_CFLAGS = $(AM_CFLAGS)
test_fuzz_fuzz_http_parse_LDFLAGS = $(FUZZ_LINK_FLAGS)
test_fuzz_fuzz_http_parse_LDADD = $(FUZZ_LIBS)
endif
# end issue 5: http
