/*
 * test_rpc_exec.c — JSON-RPC 2.0 processing (rpc/exec.h), the method
 * registry and its access rule (rpc/dispatch.h), the param helpers
 * (rpc/params.h) and the built-in namespaces (web3, net, control), driven
 * without sockets.
 */
#include "config.h"

#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rpc/dispatch.h"
#include "rpc/exec.h"
#include "rpc/methods.h"
#include "rpc/params.h"
#include "util/err.h"

/* ---- a test namespace ---------------------------------------------------- */

static json_t *echo(const json_t *params, struct rpc_ctx *ctx)
{
    return json_deep_copy(params);
}

static json_t *revert(const json_t *params, struct rpc_ctx *ctx)
{
    return rpc_fail_data(ctx, RPC_EXECUTION_REVERTED, json_string("0x08c379a0"),
                         "execution reverted");
}

static json_t *nothing(const json_t *params, struct rpc_ctx *ctx)
{
    return NULL;
}

/* An error set and a result returned anyway: the error is the reply and the
 * result is released once (kept holds two references of its own). */
static json_t *kept;

static json_t *both(const json_t *params, struct rpc_ctx *ctx)
{
    rpc_fail(ctx, RPC_SERVER_ERROR, "an error and a result");
    return json_incref(kept);
}

static json_t *on_loop(const json_t *params, struct rpc_ctx *ctx)
{
    ctx->after |= RPC_AFTER_STOP;
    return json_string("ran on the loop");
}

static json_t *quantity(const json_t *params, struct rpc_ctx *ctx)
{
    uint64_t v;
    if (rpc_params_count(ctx, params, 1, 1) || rpc_param_quantity(ctx, params, 0, &v))
        return NULL;
    return rpc_json_quantity(v + 1);
}

static const struct rpc_param_doc pair_params[] = {
    {"first", "any", false, "the first"},
    {"second", "any", true, "the second"},
    {"third", "any", true, "the third"},
};

static const struct rpc_method test_methods[] = {
    {.name = "web3_echo", .fn = echo, .flags = RPC_PUBLIC | RPC_INLINE, .summary = "Echoes.",
     .params = pair_params, .nparams = 3, .result = "the params"},
    {.name = "eth_revert", .fn = revert, .flags = RPC_PUBLIC, .summary = "Reverts.",
     .result = "never"},
    {.name = "eth_both", .fn = both, .flags = RPC_PUBLIC, .summary = "Both.",
     .result = "never"},
    {.name = "eth_nothing", .fn = nothing, .flags = RPC_PUBLIC, .summary = "Null.",
     .result = "null"},
    {.name = "eth_loop", .fn = on_loop, .flags = RPC_PUBLIC | RPC_ON_LOOP, .summary = "Loop.",
     .result = "a string"},
    {.name = "eth_private", .fn = echo, .flags = 0, .summary = "Private eth method.",
     .result = "the params"},
    {.name = "net_inc", .fn = quantity, .flags = RPC_PUBLIC, .summary = "Adds one.",
     .result = "quantity"},
    {.name = "admin_secret", .fn = echo, .flags = 0, .summary = "Private.",
     .result = "the params"},
};

static const struct rpc_namespace test_ns = {"test", test_methods, RPC_COUNT(test_methods),
                                             false};

static struct rpc_registry *reg;
static struct rpc_env env;

static void setup(void)
{
    const struct rpc_namespace *ns[] = {&test_ns};
    ck_assert_int_eq(rpc_registry_new(ns, 1, NULL, 0, &reg), 0);
    memset(&env, 0, sizeof env);
    env.registry = reg;
    env.network_id = 7;
}

static void teardown(void)
{
    rpc_registry_free(reg);
    reg = NULL;
}

/* Processes body as a worker then the loop would; returns the parsed reply
 * (NULL when there is none) and the after flags. */
static json_t *process_ex(const char *body, bool auth, size_t max_batch, unsigned *after)
{
    struct rpc_request *r;
    ck_assert_int_eq(rpc_request_parse(body, strlen(body), reg, max_batch, &r), 0);
    atomic_bool never = false;
    struct rpc_ctx proto;
    memset(&proto, 0, sizeof proto);
    proto.env = &env;
    proto.authenticated = auth;
    proto.cancelled = &never;
    rpc_request_run(r, &proto, false);
    rpc_request_run(r, &proto, true);
    ck_assert(!rpc_request_loop_pending(r));
    char *out;
    size_t len;
    ck_assert_int_eq(rpc_request_reply(r, &out, &len), 0);
    if (after)
        *after = rpc_request_after(r);
    rpc_request_free(r);
    if (!out)
        return NULL;
    json_error_t e;
    json_t *j = json_loadb(out, len, 0, &e);
    ck_assert_msg(j != NULL, "reply is JSON: %s", out);
    free(out);
    return j;
}

static json_t *process(const char *body)
{
    return process_ex(body, true, 1000, NULL);
}

static void assert_error(const json_t *reply, int code, const char *msg_part)
{
    json_t *e = json_object_get(reply, "error");
    ck_assert_msg(json_is_object(e), "an error reply");
    ck_assert_int_eq(json_integer_value(json_object_get(e, "code")), code);
    const char *m = json_string_value(json_object_get(e, "message"));
    ck_assert_msg(m && strstr(m, msg_part), "message '%s' contains '%s'", m ? m : "(null)",
                  msg_part);
    ck_assert(json_object_get(reply, "result") == NULL);
}

/* ---- tests ------------------------------------------------------------------ */

START_TEST(parse_errors_and_invalid_requests)
{
    const char *bad_json[] = {"", "{", "[1,", "nul", "\"\\uZZZZ\"", "{\"a\":1}x"};
    for (size_t i = 0; i < RPC_COUNT(bad_json); i++) {
        json_t *r = process(bad_json[i]);
        assert_error(r, RPC_PARSE_ERROR, "parse error");
        ck_assert(json_is_null(json_object_get(r, "id")));
        json_decref(r);
    }
    const char *invalid[] = {
        "1", "\"x\"", "null", "true", "{}",
        "{\"jsonrpc\":\"1.0\",\"method\":\"web3_echo\",\"id\":1}",
        "{\"jsonrpc\":2.0,\"method\":\"web3_echo\",\"id\":1}",
        "{\"method\":\"web3_echo\",\"id\":1}",
        "{\"jsonrpc\":\"2.0\",\"method\":1,\"id\":1}",
        "{\"jsonrpc\":\"2.0\",\"id\":1}",
        "{\"jsonrpc\":\"2.0\",\"method\":\"web3_echo\",\"id\":[]}",
        "{\"jsonrpc\":\"2.0\",\"method\":\"web3_echo\",\"id\":true}",
    };
    for (size_t i = 0; i < RPC_COUNT(invalid); i++) {
        json_t *r = process(invalid[i]);
        ck_assert_msg(r != NULL, "%s answered", invalid[i]);
        assert_error(r, RPC_INVALID_REQUEST, "invalid request");
        json_decref(r);
    }
    /* A valid id is echoed even in an invalid-request error. */
    json_t *r = process("{\"jsonrpc\":\"1.0\",\"method\":\"x\",\"id\":\"k\"}");
    ck_assert_str_eq(json_string_value(json_object_get(r, "id")), "k");
    json_decref(r);
}
END_TEST

START_TEST(results_errors_and_ids)
{
    json_t *r = process("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"web3_echo\","
                        "\"params\":[1,\"a\"]}");
    ck_assert_str_eq(json_string_value(json_object_get(r, "jsonrpc")), "2.0");
    ck_assert_int_eq(json_integer_value(json_object_get(r, "id")), 5);
    json_t *want = json_pack("[i,s]", 1, "a");
    ck_assert(json_equal(json_object_get(r, "result"), want));
    json_decref(want);
    json_decref(r);

    /* absent and null params are [] */
    r = process("{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"web3_echo\"}");
    ck_assert(json_is_null(json_object_get(r, "id")));
    ck_assert_int_eq(json_array_size(json_object_get(r, "result")), 0);
    json_decref(r);

    /* execution revert: code 3, revert data in `data` */
    r = process("{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"method\":\"eth_revert\"}");
    assert_error(r, RPC_EXECUTION_REVERTED, "execution reverted");
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(r, "error"), "data")),
                     "0x08c379a0");
    json_decref(r);

    /* NULL without an error is the result null (present, not missing) */
    r = process("{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"eth_nothing\"}");
    ck_assert(json_is_null(json_object_get(r, "result")));
    ck_assert(json_real_value(json_object_get(r, "id")) == 1.5);
    json_decref(r);

    kept = json_string("kept");
    json_incref(kept);
    r = process("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"eth_both\"}");
    assert_error(r, RPC_SERVER_ERROR, "an error and a result");
    json_decref(r);
    ck_assert_uint_eq(kept->refcount, 2); /* released once, not twice */
    json_decref(kept);
    json_decref(kept);

    r = process("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_missing\"}");
    assert_error(r, RPC_METHOD_NOT_FOUND, "the method eth_missing does not exist/is not available");
    json_decref(r);

    r = process("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"web3_echo\",\"params\":\"x\"}");
    assert_error(r, RPC_INVALID_PARAMS, "non-array args");
    json_decref(r);

    /* a method name with a NUL never matches */
    r = process("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"web3_echo\\u0000x\"}");
    ck_assert(r == NULL || json_object_get(r, "error") != NULL);
    json_decref(r);
}
END_TEST

START_TEST(named_params)
{
    json_t *r = process("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"web3_echo\","
                        "\"params\":{\"third\":3,\"first\":1}}");
    json_t *want = json_pack("[i,n,i]", 1, 3);
    ck_assert(json_equal(json_object_get(r, "result"), want));
    json_decref(want);
    json_decref(r);
    r = process("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"web3_echo\","
                "\"params\":{\"fourth\":1}}");
    assert_error(r, RPC_INVALID_PARAMS, "no parameter named 'fourth'");
    json_decref(r);
}
END_TEST

START_TEST(batches_and_notifications)
{
    json_t *r = process("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"web3_echo\"},"
                        " {\"jsonrpc\":\"2.0\",\"method\":\"web3_echo\"},"
                        " 7,"
                        " {\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"nope\"},"
                        " {\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"eth_loop\"}]");
    ck_assert(json_is_array(r));
    ck_assert_int_eq(json_array_size(r), 4);
    ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(r, 0), "id")), 1);
    assert_error(json_array_get(r, 1), RPC_INVALID_REQUEST, "invalid request");
    assert_error(json_array_get(r, 2), RPC_METHOD_NOT_FOUND, "nope");
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(r, 3), "result")),
                     "ran on the loop");
    json_decref(r);

    ck_assert(process("{\"jsonrpc\":\"2.0\",\"method\":\"web3_echo\"}") == NULL);
    ck_assert(process("[{\"jsonrpc\":\"2.0\",\"method\":\"web3_echo\"},"
                      "{\"jsonrpc\":\"2.0\",\"method\":\"unknown\"}]") == NULL);

    r = process("[]");
    assert_error(r, RPC_INVALID_REQUEST, "empty batch");
    ck_assert(json_is_object(r));
    json_decref(r);

    r = process_ex("[1,2,3]", true, 3, NULL);
    ck_assert_int_eq(json_array_size(r), 3);
    json_decref(r);
    r = process_ex("[1,2,3,4]", true, 3, NULL);
    assert_error(r, RPC_INVALID_REQUEST, "batch too large");
    json_decref(r);
}
END_TEST

START_TEST(loop_calls_wait_for_the_loop)
{
    const char *body = "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"web3_echo\"},"
                       "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"eth_loop\"}]";
    struct rpc_request *r;
    ck_assert_int_eq(rpc_request_parse(body, strlen(body), reg, 10, &r), 0);
    ck_assert(rpc_request_inline(r));
    atomic_bool never = false;
    struct rpc_ctx proto = {.env = &env, .authenticated = true, .cancelled = &never};
    rpc_request_run(r, &proto, false);
    ck_assert(rpc_request_loop_pending(r));
    ck_assert_uint_eq(rpc_request_after(r), 0);
    rpc_request_run(r, &proto, true);
    ck_assert(!rpc_request_loop_pending(r));
    ck_assert_uint_eq(rpc_request_after(r), RPC_AFTER_STOP);
    rpc_request_free(r);

    body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_revert\"}";
    ck_assert_int_eq(rpc_request_parse(body, strlen(body), reg, 10, &r), 0);
    ck_assert(!rpc_request_inline(r));
    rpc_request_free(r);
}
END_TEST

START_TEST(cancelled_requests_stop_running)
{
    const char *body = "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"web3_echo\"}]";
    struct rpc_request *r;
    ck_assert_int_eq(rpc_request_parse(body, strlen(body), reg, 10, &r), 0);
    atomic_bool cancelled = true;
    struct rpc_ctx proto = {.env = &env, .authenticated = true, .cancelled = &cancelled};
    rpc_request_run(r, &proto, false);
    char *out;
    size_t len;
    ck_assert_int_eq(rpc_request_reply(r, &out, &len), 0);
    ck_assert(out == NULL);     /* nothing ran, nothing to say */
    rpc_request_free(r);
}
END_TEST

START_TEST(access_rule)
{
    ck_assert(!rpc_registry_needs_auth(reg, "web3_echo", 9));
    ck_assert(!rpc_registry_needs_auth(reg, "eth_unknown", 11));
    ck_assert(rpc_registry_needs_auth(reg, "eth_private", 11));
    ck_assert(rpc_registry_needs_auth(reg, "admin_secret", 12));
    ck_assert(rpc_registry_needs_auth(reg, "admin_unknown", 13));
    ck_assert(rpc_registry_needs_auth(reg, "eth_", 4));
    ck_assert(rpc_registry_needs_auth(reg, "Eth_x", 5));
    ck_assert(rpc_registry_needs_auth(reg, "stop", 4));

    const char *body = "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"web3_echo\"},"
                       "{\"jsonrpc\":\"2.0\",\"method\":\"admin_whatever\"}]";
    struct rpc_request *r;
    ck_assert_int_eq(rpc_request_parse(body, strlen(body), reg, 10, &r), 0);
    ck_assert(rpc_request_denied(r, reg, false));
    ck_assert(!rpc_request_denied(r, reg, true));
    rpc_request_free(r);

    /* Without credentials (WebSocket), a private method looks missing. */
    json_t *rep = process_ex("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_private\"}", false,
                             10, NULL);
    assert_error(rep, RPC_METHOD_NOT_FOUND, "the method eth_private does not exist");
    json_decref(rep);
    rep = process_ex("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"web3_echo\"}", false, 10, NULL);
    ck_assert(json_object_get(rep, "result") != NULL);
    json_decref(rep);
}
END_TEST

static json_t *dummy(const json_t *p, struct rpc_ctx *c)
{
    return json_null();
}

START_TEST(registry_refuses_bad_tables)
{
    struct rpc_registry *r;
    static const struct rpc_method pub[] = {
        {.name = "admin_x", .fn = dummy, .flags = RPC_PUBLIC, .summary = "", .result = ""}};
    static const struct rpc_namespace pubns = {"admin", pub, 1, false};
    const struct rpc_namespace *a[] = {&pubns};
    ck_assert_int_eq(rpc_registry_new(a, 1, NULL, 0, &r), ERR_INVAL);
    ck_assert(strstr(err_msg(), "public"));

    static const struct rpc_method both[] = {
        {.name = "eth_x", .fn = dummy, .flags = RPC_ON_LOOP | RPC_INLINE, .summary = "",
         .result = ""}};
    static const struct rpc_namespace bothns = {"eth", both, 1, false};
    const struct rpc_namespace *b[] = {&bothns};
    ck_assert_int_eq(rpc_registry_new(b, 1, NULL, 0, &r), ERR_INVAL);

    const struct rpc_namespace *dup[] = {&test_ns, &test_ns};
    ck_assert_int_eq(rpc_registry_new(dup, 2, NULL, 0, &r), ERR_INVAL);
    ck_assert(strstr(err_msg(), "twice"));

    const char *enabled[] = {"nosuch"};
    const struct rpc_namespace *one[] = {&test_ns};
    ck_assert_int_eq(rpc_registry_new(one, 1, enabled, 1, &r), ERR_INVAL);
    ck_assert(strstr(err_msg(), "unknown RPC namespace 'nosuch'"));
    ck_assert(strstr(err_msg(), "known: test"));
}
END_TEST

START_TEST(rpcapi_selects_namespaces)
{
    const char *enabled[] = {"web3"};
    struct rpc_registry *r;
    ck_assert_int_eq(rpc_registry_new(rpc_namespaces, rpc_namespaces_count, enabled, 1, &r), 0);
    ck_assert(rpc_registry_find(r, "web3_sha3", 9) != NULL);
    ck_assert(rpc_registry_find(r, "net_version", 11) == NULL);
    ck_assert(rpc_registry_find(r, "stop", 4) != NULL);      /* control is always on */
    const char *names[8];
    size_t n = rpc_registry_namespaces(r, names, 8);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(names[0], "control");
    ck_assert_str_eq(names[1], "web3");
    rpc_registry_free(r);
}
END_TEST

START_TEST(help_from_the_tables)
{
    struct bytes b = BYTES_INIT;
    ck_assert_int_eq(rpc_registry_help(reg, NULL, &b), 0);
    bytes_push(&b, 0);
    const char *all = (const char *)b.data;
    ck_assert(strstr(all, "== test ==\n"));
    ck_assert(strstr(all, "\nweb3_echo first ( second ) ( third )\n"));
    ck_assert(strstr(all, "\neth_revert\n"));
    bytes_free(&b);

    ck_assert_int_eq(rpc_registry_help(reg, "web3_echo", &b), 0);
    bytes_push(&b, 0);
    const char *one = (const char *)b.data;
    ck_assert(strstr(one, "Echoes."));
    ck_assert(strstr(one, "1. first (any, required) the first"));
    ck_assert(strstr(one, "2. second (any, optional) the second"));
    ck_assert(strstr(one, "Result:\nthe params"));
    ck_assert(strstr(one, "Access: public"));
    bytes_free(&b);
    ck_assert_int_eq(rpc_registry_help(reg, "admin_secret", &b), 0);
    bytes_push(&b, 0);
    ck_assert(strstr((const char *)b.data, "Access: needs credentials"));
    bytes_free(&b);
    ck_assert_int_eq(rpc_registry_help(reg, "nope", &b), ERR_NOTFOUND);
    bytes_free(&b);
}
END_TEST

START_TEST(param_helpers)
{
    const char *ok[][2] = {{"\"0x0\"", "0x1"}, {"\"0x1a\"", "0x1b"},
                           {"\"0xfffffffffffffffe\"", "0xffffffffffffffff"}};
    for (size_t i = 0; i < RPC_COUNT(ok); i++) {
        char body[128];
        snprintf(body, sizeof body, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"net_inc\","
                                    "\"params\":[%s]}", ok[i][0]);
        json_t *r = process(body);
        ck_assert_str_eq(json_string_value(json_object_get(r, "result")), ok[i][1]);
        json_decref(r);
    }
    const char *bad[][2] = {{"\"0x\"", "hex string \"0x\""},
                            {"\"0x01\"", "leading zero"},
                            {"\"12\"", "without 0x prefix"},
                            {"\"0x10000000000000000\"", "> 64 bits"},
                            {"\"0xg\"", "invalid hex"},
                            {"1", "non-string"},
                            {"null", "missing value for required argument 0"},
                            {"\"0x1\",2", "too many arguments, want at most 1"}};
    for (size_t i = 0; i < RPC_COUNT(bad); i++) {
        char body[128];
        snprintf(body, sizeof body, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"net_inc\","
                                    "\"params\":[%s]}", bad[i][0]);
        json_t *r = process(body);
        assert_error(r, RPC_INVALID_PARAMS, bad[i][1]);
        json_decref(r);
    }
    json_t *q = rpc_json_quantity(0);
    ck_assert_str_eq(json_string_value(q), "0x0");
    json_decref(q);
    q = rpc_json_quantity(UINT64_MAX);
    ck_assert_str_eq(json_string_value(q), "0xffffffffffffffff");
    json_decref(q);
    const uint8_t d[3] = {0, 0xab, 0xff};
    q = rpc_json_hex(d, 3);
    ck_assert_str_eq(json_string_value(q), "0x00abff");
    json_decref(q);
}
END_TEST

START_TEST(timeout_replies)
{
    const char *body = "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"web3_echo\"},"
                       "{\"jsonrpc\":\"2.0\",\"method\":\"web3_echo\"},"
                       "{\"jsonrpc\":\"2.0\",\"id\":\"b\",\"method\":\"web3_echo\"}]";
    struct rpc_request *r;
    ck_assert_int_eq(rpc_request_parse(body, strlen(body), reg, 10, &r), 0);
    bool batch;
    json_t *ids = rpc_request_ids(r, &batch);
    rpc_request_free(r);
    ck_assert(batch);
    ck_assert_int_eq(json_array_size(ids), 2);
    char *out;
    size_t len;
    ck_assert_int_eq(rpc_timeout_reply(ids, batch, &out, &len), 0);
    json_decref(ids);
    json_t *j = json_loads(out, 0, NULL);
    free(out);
    ck_assert_int_eq(json_array_size(j), 2);
    assert_error(json_array_get(j, 0), RPC_SERVER_ERROR, "request timed out");
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(j, 1), "id")), "b");
    json_decref(j);

    ck_assert_int_eq(rpc_timeout_reply(NULL, false, &out, &len), 0);
    j = json_loads(out, 0, NULL);
    free(out);
    assert_error(j, RPC_SERVER_ERROR, "request timed out");
    ck_assert(json_is_null(json_object_get(j, "id")));
    json_decref(j);
}
END_TEST

/* ---- the built-in namespaces ------------------------------------------------ */

static json_t *call_builtin(const char *body, unsigned *after)
{
    struct rpc_registry *saved = reg;
    ck_assert_int_eq(rpc_registry_new(rpc_namespaces, rpc_namespaces_count, NULL, 0, &reg), 0);
    env.registry = reg;
    json_t *r = process_ex(body, true, 10, after);
    rpc_registry_free(reg);
    reg = saved;
    env.registry = reg;
    return r;
}

START_TEST(builtin_methods)
{
    /* The Ethereum JSON-RPC specification's web3_sha3 example. */
    json_t *r = call_builtin("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"web3_sha3\","
                             "\"params\":[\"0x68656c6c6f20776f726c64\"]}", NULL);
    ck_assert_str_eq(json_string_value(json_object_get(r, "result")),
                     "0x47173285a8d7341e5e972fc677286384f802f8ef42a5ec5f03bbfa254cb01fad");
    json_decref(r);

    env.network_id = 1397769539;
    r = call_builtin("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"net_version\"}", NULL);
    ck_assert_str_eq(json_string_value(json_object_get(r, "result")), "1397769539");
    json_decref(r);

    r = call_builtin("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"web3_clientVersion\"}", NULL);
    const char *v = json_string_value(json_object_get(r, "result"));
    ck_assert(v && strncmp(v, "spectrumd/v" PACKAGE_VERSION "/",
                           12 + strlen(PACKAGE_VERSION)) == 0);
    ck_assert_str_eq(v, rpc_client_version());
    json_decref(r);

    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    env.start_time = (int64_t)ts.tv_sec - 42;
    r = call_builtin("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"uptime\"}", NULL);
    json_int_t up = json_integer_value(json_object_get(r, "result"));
    ck_assert(up >= 42 && up < 60);
    json_decref(r);

    unsigned after = 0;
    r = call_builtin("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"stop\"}", &after);
    ck_assert_str_eq(json_string_value(json_object_get(r, "result")), "spectrumd stopping");
    ck_assert_uint_eq(after, RPC_AFTER_STOP);
    json_decref(r);

    r = call_builtin("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"help\"}", NULL);
    const char *h = json_string_value(json_object_get(r, "result"));
    for (size_t i = 0; i < rpc_namespaces_count; i++)
        for (size_t k = 0; k < rpc_namespaces[i]->count; k++)
            ck_assert_msg(strstr(h, rpc_namespaces[i]->methods[k].name), "help lists %s",
                          rpc_namespaces[i]->methods[k].name);
    ck_assert(h[strlen(h) - 1] != '\n');
    json_decref(r);

    r = call_builtin("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_subscribe\","
                     "\"params\":[\"newHeads\"]}", NULL);
    assert_error(r, RPC_METHOD_NOT_FOUND, "notifications not supported");
    json_decref(r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("rpc_exec");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, parse_errors_and_invalid_requests);
    tcase_add_test(tc, results_errors_and_ids);
    tcase_add_test(tc, named_params);
    tcase_add_test(tc, batches_and_notifications);
    tcase_add_test(tc, loop_calls_wait_for_the_loop);
    tcase_add_test(tc, cancelled_requests_stop_running);
    tcase_add_test(tc, access_rule);
    tcase_add_test(tc, registry_refuses_bad_tables);
    tcase_add_test(tc, rpcapi_selects_namespaces);
    tcase_add_test(tc, help_from_the_tables);
    tcase_add_test(tc, param_helpers);
    tcase_add_test(tc, timeout_replies);
    tcase_add_test(tc, builtin_methods);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
