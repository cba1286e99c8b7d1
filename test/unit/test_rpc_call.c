/*
 * test_rpc_call.c — the pure parts of eth_call, eth_estimateGas and the
 * storage methods (rpc/callexec.h, eth_proof.c): the call object and the
 * state override set with geth's messages, overrides applied to a state
 * (state replaces the storage, stateDiff adds to it), Solidity revert
 * reasons (Error(string), Panic(uint256), malformed data, bad UTF-8) and
 * the error replies built from them, and storage keys. The methods
 * themselves run against a node in test/functional/rpc_call.py.
 */
#include <check.h>
#include <jansson.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "rpc/callexec.h"
#include "rpc/dispatch.h"
#include "rpc/eth_methods.h"
#include "state/state.h"
#include "util/err.h"
#include "util/hex.h"

static atomic_bool never;

static void ctx_init(struct rpc_ctx *ctx)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->cancelled = &never;
}

static json_t *js(const char *text)
{
    json_error_t e;
    json_t *v = json_loads(text, JSON_DECODE_ANY, &e);
    ck_assert_msg(v != NULL, "bad test JSON %s: %s", text, e.text);
    return v;
}

static struct address addr_of(const char *hex)
{
    struct address a;
    ck_assert_int_eq(address_from_hex(&a, hex, strlen(hex)), 0);
    return a;
}

/* Parses the call object `text`; returns 0/-1 and leaves the error in ctx. */
static int parse_args(struct rpc_ctx *ctx, const char *text, struct callexec_args *a)
{
    ctx_init(ctx);
    json_t *v = js(text);
    int rc = callexec_parse_args(ctx, v, 0, a);
    json_decref(v);
    return rc;
}

static void expect_args_error(const char *text, int code, const char *message)
{
    struct rpc_ctx ctx;
    struct callexec_args a;
    ck_assert_int_eq(parse_args(&ctx, text, &a), -1);
    ck_assert_int_eq(ctx.err.code, code);
    ck_assert_str_eq(ctx.err.message, message);
    ck_assert_ptr_null(a.data);
    rpc_error_clear(&ctx.err);
}

START_TEST(call_object)
{
    struct rpc_ctx ctx;
    struct callexec_args a;
    ck_assert_int_eq(parse_args(&ctx, "{\"from\": \"0x0311aeb8de32b9385e7cf31ab5c7225894c46645\","
                                      " \"to\": \"0x00000000000000000000000000000000000000AA\","
                                      " \"gas\": \"0x5208\", \"gasPrice\": \"0x3b9aca00\","
                                      " \"value\": \"0x1\", \"data\": \"0x01ff\","
                                      " \"nonce\": \"0x7\", \"accessList\": []}", &a), 0);
    ck_assert(a.has_from && a.has_to && a.has_gas && a.has_gas_price);
    struct address want = addr_of("0x0311aeb8de32b9385e7cf31ab5c7225894c46645");
    ck_assert(address_eq(&a.from, &want));
    ck_assert_uint_eq(a.to.b[19], 0xaa);
    ck_assert_uint_eq(a.gas, 21000);
    ck_assert_uint_eq(a.gas_price.w[0], 1000000000);
    ck_assert_uint_eq(a.value.w[0], 1);
    ck_assert_uint_eq(a.data_len, 2);
    ck_assert_uint_eq(a.data[1], 0xff);
    callexec_args_free(&a);
    ck_assert_ptr_null(a.data);

    /* Everything optional: a creation from the zero address, no data. */
    ck_assert_int_eq(parse_args(&ctx, "{\"to\": null}", &a), 0);
    ck_assert(!a.has_from && !a.has_to && !a.has_gas && !a.has_gas_price);
    ck_assert(address_is_zero(&a.from));
    ck_assert_uint_eq(a.data_len, 0);
    callexec_args_free(&a);

    /* input wins over data when both are equal; fee caps are accepted. */
    ck_assert_int_eq(parse_args(&ctx, "{\"data\": \"0xab\", \"input\": \"0xab\", "
                                      "\"maxFeePerGas\": \"0x1\"}", &a), 0);
    ck_assert_uint_eq(a.data_len, 1);
    ck_assert_uint_eq(a.data[0], 0xab);
    ck_assert(!a.has_gas_price);
    callexec_args_free(&a);
}
END_TEST

START_TEST(call_object_errors)
{
    expect_args_error("[]", RPC_INVALID_PARAMS,
                      "invalid argument 0: json: cannot unmarshal non-object into Go value of "
                      "type ethapi.TransactionArgs");
    expect_args_error("{\"to\": \"0x1234\"}", RPC_INVALID_PARAMS,
                      "invalid argument 0: to: hex string has length 4, want 40 for "
                      "common.Address");
    expect_args_error("{\"gas\": \"0x\"}", RPC_INVALID_PARAMS,
                      "invalid argument 0: gas: hex string \"0x\"");
    expect_args_error("{\"value\": 5}", RPC_INVALID_PARAMS,
                      "invalid argument 0: value: json: cannot unmarshal non-string into Go "
                      "value of type *hexutil.Big");
    expect_args_error("{\"data\": \"0x1\"}", RPC_INVALID_PARAMS,
                      "invalid argument 0: data: hex string of odd length");
    expect_args_error("{\"input\": \"ab\"}", RPC_INVALID_PARAMS,
                      "invalid argument 0: input: hex string without 0x prefix");
    expect_args_error("{\"data\": \"0xab\", \"input\": \"0xcd\"}", RPC_INVALID_PARAMS,
                      "invalid argument 0: both \"data\" and \"input\" are set and not equal. "
                      "Please use \"input\" to pass transaction call data");
    expect_args_error("{\"gasPrice\": \"0x1\", \"maxPriorityFeePerGas\": \"0x1\"}",
                      RPC_SERVER_ERROR,
                      "both gasPrice and (maxFeePerGas or maxPriorityFeePerGas) specified");

    /* Call data longer than the cap is refused before decoding. */
    size_t n = 2 * (CALLEXEC_MAX_DATA + 1);
    char *big = malloc(n + 32);
    ck_assert_ptr_nonnull(big);
    strcpy(big, "{\"data\": \"0x");
    memset(big + strlen(big), 'a', n);
    strcpy(big + 12 + n, "\"}");
    struct rpc_ctx ctx;
    struct callexec_args a;
    ck_assert_int_eq(parse_args(&ctx, big, &a), -1);
    ck_assert_int_eq(ctx.err.code, RPC_INVALID_PARAMS);
    ck_assert_msg(strstr(ctx.err.message, "longer than") != NULL, "%s", ctx.err.message);
    free(big);
}
END_TEST

/* ---- state overrides -------------------------------------------------------------- */

static int parse_ov(struct rpc_ctx *ctx, const char *text, struct callexec_overrides *o)
{
    ctx_init(ctx);
    json_t *v = js(text);
    int rc = callexec_parse_overrides(ctx, v, 2, o);
    json_decref(v);
    return rc;
}

static void expect_ov_error(const char *text, int code, const char *message)
{
    struct rpc_ctx ctx;
    struct callexec_overrides o;
    ck_assert_int_eq(parse_ov(&ctx, text, &o), -1);
    ck_assert_int_eq(ctx.err.code, code);
    ck_assert_str_eq(ctx.err.message, message);
    ck_assert_ptr_null(o.acct);
    rpc_error_clear(&ctx.err);
}

#define A1 "0x00000000000000000000000000000000000000a1"
#define A2 "0x00000000000000000000000000000000000000a2"
#define K(x) "0x00000000000000000000000000000000000000000000000000000000000000" x

START_TEST(override_set)
{
    struct rpc_ctx ctx;
    struct callexec_overrides o;
    ck_assert_int_eq(parse_ov(&ctx, "{\"" A1 "\": {\"balance\": \"0x64\", \"nonce\": \"0x5\", "
                                     "\"code\": \"0x6001\", \"state\": {\"" K("01") "\": \""
                                     K("02") "\"}}, \"" A2 "\": {\"stateDiff\": {\"" K("03")
                                     "\": \"" K("04") "\", \"" K("05") "\": \"" K("06") "\"}}}",
                              &o), 0);
    ck_assert_uint_eq(o.count, 2);
    const struct callexec_override *a = &o.acct[0], *b = &o.acct[1];
    ck_assert_uint_eq(a->addr.b[19], 0xa1);
    ck_assert(a->has_balance && a->has_nonce && a->has_code && a->replace_storage);
    ck_assert_uint_eq(a->balance.w[0], 100);
    ck_assert_uint_eq(a->nonce, 5);
    ck_assert_uint_eq(a->code_len, 2);
    ck_assert_uint_eq(a->nslots, 1);
    ck_assert_uint_eq(a->slots[0].key.w[0], 1);
    ck_assert_uint_eq(a->slots[0].value.w[0], 2);
    ck_assert(!b->has_balance && !b->has_code && !b->replace_storage);
    ck_assert_uint_eq(b->nslots, 2);
    ck_assert(callexec_overrides_code(&o));
    callexec_overrides_free(&o);
    ck_assert_uint_eq(o.count, 0);

    /* null and {} are empty sets; code "0x" is an override to no code. */
    ck_assert_int_eq(parse_ov(&ctx, "null", &o), 0);
    ck_assert_uint_eq(o.count, 0);
    ck_assert(!callexec_overrides_code(&o));
    ck_assert_int_eq(parse_ov(&ctx, "{}", &o), 0);
    ck_assert_uint_eq(o.count, 0);
    ck_assert_int_eq(parse_ov(&ctx, "{\"" A1 "\": {\"code\": \"0x\"}}", &o), 0);
    ck_assert(o.acct[0].has_code);
    ck_assert_uint_eq(o.acct[0].code_len, 0);
    callexec_overrides_free(&o);
}
END_TEST

START_TEST(override_errors)
{
    expect_ov_error("[1]", RPC_INVALID_PARAMS,
                    "invalid argument 2: json: cannot unmarshal non-object into Go value of "
                    "type ethapi.StateOverride");
    expect_ov_error("{\"0x12\": {}}", RPC_INVALID_PARAMS,
                    "invalid argument 2: address: hex string has length 2, want 40 for "
                    "common.Address");
    expect_ov_error("{\"" A1 "\": 5}", RPC_INVALID_PARAMS,
                    "invalid argument 2: " A1 ": json: cannot unmarshal non-object into Go "
                    "value of type ethapi.OverrideAccount");
    expect_ov_error("{\"" A1 "\": {\"balance\": \"12\"}}", RPC_INVALID_PARAMS,
                    "invalid argument 2: " A1 ": balance: hex string without 0x prefix");
    expect_ov_error("{\"" A1 "\": {\"code\": \"0xz1\"}}", RPC_INVALID_PARAMS,
                    "invalid argument 2: " A1 ": code: invalid hex string");
    expect_ov_error("{\"" A1 "\": {\"state\": {\"0x01\": \"" K("01") "\"}}}", RPC_INVALID_PARAMS,
                    "invalid argument 2: " A1 ": state: key: hex string has length 2, want 64 "
                    "for common.Hash");
    expect_ov_error("{\"" A1 "\": {\"stateDiff\": {\"" K("01") "\": 1}}}", RPC_INVALID_PARAMS,
                    "invalid argument 2: " A1 ": stateDiff: " K("01") ": json: cannot "
                    "unmarshal non-string into Go value of type common.Hash");
    expect_ov_error("{\"" A1 "\": {\"state\": [] }}", RPC_INVALID_PARAMS,
                    "invalid argument 2: " A1 ": state: json: cannot unmarshal non-object into "
                    "Go value of type map[common.Hash]common.Hash");
    expect_ov_error("{\"" A1 "\": {\"state\": {}, \"stateDiff\": {}}}", RPC_SERVER_ERROR,
                    "account 0x00000000000000000000000000000000000000A1 has both 'state' and "
                    "'stateDiff'");
    /* the same account twice, spelled in two cases */
    expect_ov_error("{\"0x00000000000000000000000000000000000000aa\": {}, "
                    "\"0x00000000000000000000000000000000000000AA\": {}}",
                    RPC_INVALID_PARAMS,
                    "invalid argument 2: 0x00000000000000000000000000000000000000AA: the "
                    "account is overridden twice");

    /* More accounts than the cap. */
    json_t *many = json_object();
    for (unsigned i = 0; i <= CALLEXEC_MAX_OVERRIDE_ACCOUNTS; i++) {
        char key[64];
        snprintf(key, sizeof key, "0x%040x", i + 1);
        json_object_set_new(many, key, json_object());
    }
    struct rpc_ctx ctx;
    ctx_init(&ctx);
    struct callexec_overrides o;
    ck_assert_int_eq(callexec_parse_overrides(&ctx, many, 2, &o), -1);
    ck_assert_int_eq(ctx.err.code, RPC_INVALID_PARAMS);
    ck_assert_str_eq(ctx.err.message, "invalid argument 2: more than 1024 accounts overridden");
    json_decref(many);
}
END_TEST

START_TEST(overrides_on_a_state)
{
    struct state *st;
    ck_assert_int_eq(state_open(NULL, NULL, &st), 0);
    struct address a = addr_of(A1), b = addr_of(A2);
    u256 one = u256_from_u64(1), two = u256_from_u64(2), three = u256_from_u64(3), v;
    static const uint8_t code[] = {0x60, 0x00};
    /* a: balance 7, nonce 3, code, slots 1 and 2; b: slot 1. */
    u256 seven = u256_from_u64(7);
    state_set_balance(st, &a, &seven);
    state_set_nonce(st, &a, 3);
    ck_assert_int_eq(state_set_code(st, &a, code, sizeof code), 0);
    state_set_storage(st, &a, &one, &one);
    state_set_storage(st, &a, &two, &two);
    state_set_storage(st, &b, &one, &one);
    state_tx_finalize(st, false);

    struct rpc_ctx ctx;
    struct callexec_overrides o;
    ck_assert_int_eq(parse_ov(&ctx, "{\"" A1 "\": {\"state\": {\"" K("02") "\": \"" K("03")
                                     "\"}}, \"" A2 "\": {\"balance\": \"0x9\", \"stateDiff\": {\""
                                     K("02") "\": \"" K("03") "\"}}}", &o), 0);
    ck_assert_int_eq(callexec_apply_overrides(st, &o), 0);
    callexec_overrides_free(&o);

    /* `state` replaced a's storage but kept its balance, nonce and code. */
    state_get_storage(st, &a, &one, &v);
    ck_assert(u256_iszero(&v));
    state_get_storage(st, &a, &two, &v);
    ck_assert(u256_eq(&v, &three));
    state_get_balance(st, &a, &v);
    ck_assert(u256_eq(&v, &seven));
    ck_assert_uint_eq(state_get_nonce(st, &a), 3);
    ck_assert_uint_eq(state_get_code_size(st, &a), sizeof code);
    /* `stateDiff` kept b's slot 1 and added slot 2; the balance is set. */
    state_get_storage(st, &b, &one, &v);
    ck_assert(u256_eq(&v, &one));
    state_get_storage(st, &b, &two, &v);
    ck_assert(u256_eq(&v, &three));
    state_get_balance(st, &b, &v);
    ck_assert_uint_eq(v.w[0], 9);
    /* The overrides are committed: the call's SSTORE originals see them. */
    state_get_committed_storage(st, &b, &two, &v);
    ck_assert(u256_eq(&v, &three));

    /* Code and nonce overrides replace; code "0x" removes the code. */
    ck_assert_int_eq(parse_ov(&ctx, "{\"" A1 "\": {\"nonce\": \"0x0\", \"code\": \"0x\"}}", &o),
                     0);
    ck_assert_int_eq(callexec_apply_overrides(st, &o), 0);
    callexec_overrides_free(&o);
    ck_assert_uint_eq(state_get_nonce(st, &a), 0);
    ck_assert_uint_eq(state_get_code_size(st, &a), 0);
    state_free(st);
}
END_TEST

/* ---- revert reasons and error replies --------------------------------------------- */

/* Error(string) of s, ABI-encoded, as hex bytes into buf; returns the length. */
static size_t error_string(const char *s, size_t slen, uint8_t *buf, size_t cap)
{
    size_t padded = (slen + 31) / 32 * 32, n = 4 + 32 + 32 + padded;
    ck_assert_uint_le(n, cap);
    memset(buf, 0, n);
    static const uint8_t sel[4] = {0x08, 0xc3, 0x79, 0xa0};
    memcpy(buf, sel, 4);
    buf[4 + 31] = 0x20;
    buf[4 + 32 + 30] = (uint8_t)(slen >> 8);
    buf[4 + 32 + 31] = (uint8_t)slen;
    memcpy(buf + 4 + 64, s, slen);
    return n;
}

static size_t panic_code(uint64_t code, uint8_t *buf)
{
    static const uint8_t sel[4] = {0x4e, 0x48, 0x7b, 0x71};
    memset(buf, 0, 36);
    memcpy(buf, sel, 4);
    for (int i = 0; i < 8; i++)
        buf[35 - i] = (uint8_t)(code >> (8 * i));
    return 36;
}

START_TEST(revert_reasons)
{
    uint8_t buf[1024];
    char out[128];
    size_t n = error_string("nope", 4, buf, sizeof buf);
    ck_assert(callexec_revert_reason(buf, n, out, sizeof out));
    ck_assert_str_eq(out, "nope");
    /* an empty string is still Error(string) */
    n = error_string("", 0, buf, sizeof buf);
    ck_assert(callexec_revert_reason(buf, n, out, sizeof out));
    ck_assert_str_eq(out, "");

    n = panic_code(0x11, buf);
    ck_assert(callexec_revert_reason(buf, n, out, sizeof out));
    ck_assert_str_eq(out, "arithmetic underflow or overflow");
    n = panic_code(0x01, buf);
    ck_assert(callexec_revert_reason(buf, n, out, sizeof out));
    ck_assert_str_eq(out, "assert(false)");
    n = panic_code(0x99, buf);
    ck_assert(callexec_revert_reason(buf, n, out, sizeof out));
    ck_assert_str_eq(out, "unknown panic code: 0x99");

    /* A custom error is no reason; neither is too little data. */
    static const uint8_t custom[] = {0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 0};
    ck_assert(!callexec_revert_reason(custom, sizeof custom, out, sizeof out));
    ck_assert_str_eq(out, "");
    ck_assert(!callexec_revert_reason(buf, 0, out, sizeof out));
    n = error_string("nope", 4, buf, sizeof buf);
    ck_assert(!callexec_revert_reason(buf, 35, out, sizeof out));
    /* the string runs past the data */
    ck_assert(!callexec_revert_reason(buf, 4 + 64 + 3, out, sizeof out));
    /* an offset past the data, and one beyond 64 bits */
    buf[4 + 31] = 0xf0;
    ck_assert(!callexec_revert_reason(buf, n, out, sizeof out));
    buf[4 + 31] = 0x20;
    buf[4 + 3] = 1;
    ck_assert(!callexec_revert_reason(buf, n, out, sizeof out));
    buf[4 + 3] = 0;
    /* a length of 2^64 - 1 */
    memset(buf + 4 + 32 + 24, 0xff, 8);
    ck_assert(!callexec_revert_reason(buf, n, out, sizeof out));

    /* Bad UTF-8 and NULs become U+FFFD; good multi-byte text stays. */
    n = error_string("a\xff" "b\0\xc3\xa9", 6, buf, sizeof buf);
    ck_assert(callexec_revert_reason(buf, n, out, sizeof out));
    ck_assert_str_eq(out, "a\xef\xbf\xbd" "b\xef\xbf\xbd\xc3\xa9");
    /* an overlong encoding and a lone surrogate are not valid either */
    n = error_string("\xc0\xaf\xed\xa0\x80", 5, buf, sizeof buf);
    ck_assert(callexec_revert_reason(buf, n, out, sizeof out));
    ck_assert_str_eq(out, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
    /* Cut at a character boundary: "é" does not fit in the last 2 bytes. */
    n = error_string("abc\xc3\xa9", 5, buf, sizeof buf);
    char small[5];
    ck_assert(callexec_revert_reason(buf, n, small, sizeof small));
    ck_assert_str_eq(small, "abc");
    /* The result is always valid JSON text. */
    json_t *j = json_string(out);
    ck_assert_ptr_nonnull(j);
    json_decref(j);
}
END_TEST

START_TEST(failure_replies)
{
    uint8_t buf[256];
    struct evm_tx_result r;
    memset(&r, 0, sizeof r);
    struct rpc_ctx ctx;

    /* Error(string): code 3, the reason in the message, the data as hex. */
    ctx_init(&ctx);
    r.status = EVM_REVERT;
    r.output = buf;
    r.output_len = error_string("too low", 7, buf, sizeof buf);
    ck_assert_ptr_null(callexec_fail(&ctx, &r));
    ck_assert_int_eq(ctx.err.code, 3);
    ck_assert_str_eq(ctx.err.message, "execution reverted: too low");
    char hex[2 * sizeof buf + 3] = "0x";
    hex_encode(hex + 2, buf, r.output_len);
    ck_assert_str_eq(json_string_value(ctx.err.data), hex);
    rpc_error_clear(&ctx.err);

    /* A custom error: code 3, no reason, its data. */
    static uint8_t custom[] = {0xde, 0xad, 0xbe, 0xef, 0x2a};
    r.output = custom;
    r.output_len = sizeof custom;
    ck_assert_ptr_null(callexec_fail(&ctx, &r));
    ck_assert_int_eq(ctx.err.code, 3);
    ck_assert_str_eq(ctx.err.message, "execution reverted");
    ck_assert_str_eq(json_string_value(ctx.err.data), "0xdeadbeef2a");
    rpc_error_clear(&ctx.err);

    /* REVERT with no data still carries data "0x". */
    r.output = NULL;
    r.output_len = 0;
    ck_assert_ptr_null(callexec_fail(&ctx, &r));
    ck_assert_str_eq(json_string_value(ctx.err.data), "0x");
    rpc_error_clear(&ctx.err);

    /* Other failures are -32000 with geth's text, without data. */
    r.status = EVM_OUT_OF_GAS;
    ck_assert_ptr_null(callexec_fail(&ctx, &r));
    ck_assert_int_eq(ctx.err.code, RPC_SERVER_ERROR);
    ck_assert_str_eq(ctx.err.message, "out of gas");
    ck_assert_ptr_null(ctx.err.data);
    r.status = EVM_INVALID_INSTRUCTION;
    callexec_fail(&ctx, &r);
    ck_assert_str_eq(ctx.err.message, "invalid opcode");
    r.status = EVM_BAD_JUMP;
    callexec_fail(&ctx, &r);
    ck_assert_str_eq(ctx.err.message, "invalid jump destination");
    rpc_error_clear(&ctx.err);
}
END_TEST

/* ---- storage keys ----------------------------------------------------------------- */

static void expect_key(const char *text, size_t want_bytes, uint8_t last, uint8_t first)
{
    uint8_t key[32];
    size_t nbytes = 99;
    const char *why = NULL;
    ck_assert_msg(rpc_parse_storage_key(text, strlen(text), key, &nbytes, &why) == 0, "%s: %s",
                  text, why);
    ck_assert_uint_eq(nbytes, want_bytes);
    ck_assert_uint_eq(key[31], last);
    ck_assert_uint_eq(key[0], first);
}

static void expect_bad_key(const char *text, const char *why_want)
{
    uint8_t key[32];
    size_t nbytes;
    const char *why = NULL;
    ck_assert_int_eq(rpc_parse_storage_key(text, strlen(text), key, &nbytes, &why), -1);
    ck_assert_str_eq(why, why_want);
}

START_TEST(storage_keys)
{
    expect_key("0x0", 1, 0, 0);
    expect_key("0x1", 1, 1, 0);
    expect_key("1", 1, 1, 0);
    expect_key("0X0102", 2, 2, 0);
    expect_key("0x", 0, 0, 0);
    expect_key("0x123", 2, 0x23, 0);
    expect_key(K("07"), 32, 7, 0);
    expect_key("0xff000000000000000000000000000000000000000000000000000000000000ab", 32, 0xab,
               0xff);
    /* 63 digits: padded to 32 bytes */
    expect_key("0xf00000000000000000000000000000000000000000000000000000000000001", 32, 0x01,
               0x0f);
    expect_bad_key("0xzz", "hex string invalid");
    expect_bad_key("0x 1", "hex string invalid");
    expect_bad_key("0x1000000000000000000000000000000000000000000000000000000000000000a",
                   "hex string too long, want at most 32 bytes");
    expect_bad_key("0xg000000000000000000000000000000000000000000000000000000000000000a",
                   "hex string invalid");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("rpc_call");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, call_object);
    tcase_add_test(tc, call_object_errors);
    tcase_add_test(tc, override_set);
    tcase_add_test(tc, override_errors);
    tcase_add_test(tc, overrides_on_a_state);
    tcase_add_test(tc, revert_reasons);
    tcase_add_test(tc, failure_replies);
    tcase_add_test(tc, storage_keys);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
