/*
 * params.c — see params.h. Messages copy geth's (rpc/json.go, hexutil) so
 * that tools which match on them keep working.
 */
#include "rpc/params.h"

#include <stdlib.h>
#include <string.h>

#include "rpc/dispatch.h"
#include "util/hex.h"

/* Number of arguments once trailing nulls are dropped. */
static size_t given(const json_t *params)
{
    size_t n = json_array_size(params);
    while (n > 0 && json_is_null(json_array_get(params, n - 1)))
        n--;
    return n;
}

int rpc_params_count(struct rpc_ctx *ctx, const json_t *params, size_t min, size_t max)
{
    size_t n = given(params);
    if (n > max) {
        rpc_fail(ctx, RPC_INVALID_PARAMS, "too many arguments, want at most %zu", max);
        return -1;
    }
    for (size_t i = 0; i < min; i++) {
        if (!rpc_param_present(params, i)) {
            rpc_fail(ctx, RPC_INVALID_PARAMS, "missing value for required argument %zu", i);
            return -1;
        }
    }
    return 0;
}

bool rpc_param_present(const json_t *params, size_t idx)
{
    json_t *v = json_array_get(params, idx);
    return v && !json_is_null(v);
}

/* The argument as a string, or -1 with the error set. */
static int get_string(struct rpc_ctx *ctx, const json_t *params, size_t idx, const char *what,
                      const char **s, size_t *len)
{
    json_t *v = json_array_get(params, idx);
    if (!v || json_is_null(v)) {
        rpc_fail(ctx, RPC_INVALID_PARAMS, "missing value for required argument %zu", idx);
        return -1;
    }
    if (!json_is_string(v)) {
        rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument %zu: json: cannot unmarshal "
                 "non-string into Go value of type %s", idx, what);
        return -1;
    }
    *s = json_string_value(v);
    *len = json_string_length(v);
    return 0;
}

int rpc_param_bytes(struct rpc_ctx *ctx, const json_t *params, size_t idx, size_t max,
                    uint8_t **out, size_t *len)
{
    const char *s;
    size_t sl;
    *out = NULL;
    *len = 0;
    if (get_string(ctx, params, idx, "hexutil.Bytes", &s, &sl))
        return -1;
    if (sl < 2 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) {
        rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument %zu: hex string without 0x prefix",
                 idx);
        return -1;
    }
    if ((sl - 2) % 2) {
        rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument %zu: hex string of odd length", idx);
        return -1;
    }
    if ((sl - 2) / 2 > max) {
        rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument %zu: hex data longer than %zu bytes",
                 idx, max);
        return -1;
    }
    if (hex_decode_alloc(s, sl, max, out, len) != 0) {
        rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument %zu: invalid hex string", idx);
        return -1;
    }
    return 0;
}

int rpc_param_quantity(struct rpc_ctx *ctx, const json_t *params, size_t idx, uint64_t *out)
{
    const char *s;
    size_t sl;
    if (get_string(ctx, params, idx, "hexutil.Uint64", &s, &sl))
        return -1;
    if (sl < 2 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) {
        rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument %zu: hex string without 0x prefix",
                 idx);
        return -1;
    }
    if (sl == 2) {
        rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument %zu: hex string \"0x\"", idx);
        return -1;
    }
    if (sl > 3 && s[2] == '0') {
        rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument %zu: hex number with leading zero "
                 "digits", idx);
        return -1;
    }
    if (sl - 2 > 16) {
        rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument %zu: hex number > 64 bits", idx);
        return -1;
    }
    uint64_t v = 0;
    for (size_t i = 2; i < sl; i++) {
        int d = hex_digit((unsigned char)s[i]);
        if (d < 0) {
            rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument %zu: invalid hex string", idx);
            return -1;
        }
        v = v << 4 | (uint64_t)d;
    }
    *out = v;
    return 0;
}

int rpc_param_bool(struct rpc_ctx *ctx, const json_t *params, size_t idx, bool *out)
{
    json_t *v = json_array_get(params, idx);
    if (!v || json_is_null(v)) {
        rpc_fail(ctx, RPC_INVALID_PARAMS, "missing value for required argument %zu", idx);
        return -1;
    }
    if (!json_is_boolean(v)) {
        rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument %zu: json: cannot unmarshal "
                 "non-bool into Go value of type bool", idx);
        return -1;
    }
    *out = json_is_true(v);
    return 0;
}

int rpc_param_string(struct rpc_ctx *ctx, const json_t *params, size_t idx, size_t max,
                     const char **out)
{
    const char *s;
    size_t sl;
    if (get_string(ctx, params, idx, "string", &s, &sl))
        return -1;
    if (sl > max || strlen(s) != sl) {
        rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument %zu: string longer than %zu bytes "
                 "or containing NUL", idx, max);
        return -1;
    }
    *out = s;
    return 0;
}

json_t *rpc_json_hex(const uint8_t *data, size_t len)
{
    if (len > (SIZE_MAX - 3) / 2)
        return NULL;
    char *s = malloc(2 * len + 3);
    if (!s)
        return NULL;
    s[0] = '0';
    s[1] = 'x';
    hex_encode(s + 2, data, len);
    json_t *j = json_stringn_nocheck(s, 2 * len + 2);
    free(s);
    return j;
}

json_t *rpc_json_quantity(uint64_t v)
{
    static const char digits[] = "0123456789abcdef";
    char buf[19];
    char *p = buf + sizeof buf;
    *--p = 0;
    do {
        *--p = digits[v & 15];
        v >>= 4;
    } while (v);
    *--p = 'x';
    *--p = '0';
    return json_string_nocheck(p);
}
