/*
 * run_rlp.c — conformance runner over ethereum-tests RLPTests.
 *
 * Fixture shapes:
 *   {"in": <value>, "out": "0x..."}   encode <value> and compare with out;
 *                                     decode out strictly and compare it with
 *                                     <value> item by item
 *   {"in": "INVALID", "out": "..."}   rlp_validate(out) must fail
 *   {"in": "VALID", "out": "..."}     rlp_validate(out) must succeed
 * where <value> is a string (raw bytes, may hold NUL), a JSON integer, a
 * "#123..." decimal big integer, or a list of values.
 *
 * Usage: run_rlp [FILE_OR_DIR...]   (default: the RLPTests fixture directory)
 */
#include "fixtures.h"
#include "primitives/rlp.h"
#include "util/err.h"
#include "util/hex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Decimal text to minimal big-endian bytes (no leading zeros; 0 -> empty).
 * Returns the length, or -1 for a non-digit or a value over cap bytes. */
static long decimal_to_be(const char *s, uint8_t *out, size_t cap)
{
    size_t n = 0;                         /* little-endian work area in out */
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        unsigned carry = (unsigned)(*s - '0');
        for (size_t i = 0; i < n; i++) {
            unsigned v = out[i] * 10u + carry;
            out[i] = (uint8_t)v;
            carry = v >> 8;
        }
        if (carry) {
            if (n == cap)
                return -1;
            out[n++] = (uint8_t)carry;
        }
    }
    for (size_t i = 0; i < n / 2; i++) {
        uint8_t t = out[i];
        out[i] = out[n - 1 - i];
        out[n - 1 - i] = t;
    }
    return (long)n;
}

/* The byte string a JSON string or integer stands for (integers and
 * "#bigints" as minimal big-endian). Returns 0, or -1 when not a scalar. */
static int scalar_bytes(const json_t *v, uint8_t *buf, size_t cap, const uint8_t **p, size_t *n)
{
    if (json_is_integer(v)) {
        json_int_t x = json_integer_value(v);
        if (x < 0)
            return -1;
        uint64_t u = (uint64_t)x;
        size_t k = 0;
        for (int i = 7; i >= 0; i--) {
            uint8_t c = (uint8_t)(u >> (8 * i));
            if (k || c)
                buf[k++] = c;
        }
        *p = buf;
        *n = k;
        return 0;
    }
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        if (s[0] == '#') {
            long k = decimal_to_be(s + 1, buf, cap);
            if (k < 0)
                return -1;
            *p = buf;
            *n = (size_t)k;
            return 0;
        }
        *p = (const uint8_t *)s;
        *n = json_string_length(v);
        return 0;
    }
    return -1;
}

static int encode_value(const json_t *v, struct bytes *out)
{
    if (json_is_array(v)) {
        size_t m = rlp_list_begin(out);
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e) {
            if (encode_value(e, out))
                return -1;
        }
        return rlp_list_end(out, m);
    }
    uint8_t buf[256];
    const uint8_t *p;
    size_t n;
    if (scalar_bytes(v, buf, sizeof buf, &p, &n))
        return -1;
    return rlp_put_bytes(out, p, n);
}

/* Compares a decoded item with the JSON value. Returns 0 when they match. */
static int match_item(const struct rlp_item *it, const json_t *v, char *why, size_t whylen)
{
    if (json_is_array(v)) {
        if (!it->is_list) {
            snprintf(why, whylen, "decoded a string where a list was expected");
            return -1;
        }
        struct rlp_iter iter;
        struct rlp_item child;
        rlp_iter_init(&iter, it);
        size_t i = 0;
        int rc;
        while ((rc = rlp_iter_next(&iter, &child)) == 1) {
            if (i >= json_array_size(v)) {
                snprintf(why, whylen, "decoded list has more than %zu items", json_array_size(v));
                return -1;
            }
            if (match_item(&child, json_array_get(v, i), why, whylen))
                return -1;
            i++;
        }
        if (rc < 0 || i != json_array_size(v)) {
            snprintf(why, whylen, "decoded list has %zu items, want %zu", i, json_array_size(v));
            return -1;
        }
        return 0;
    }
    uint8_t buf[256];
    const uint8_t *p, *got;
    size_t n, gotn;
    if (scalar_bytes(v, buf, sizeof buf, &p, &n)) {
        snprintf(why, whylen, "unsupported \"in\" value");
        return -1;
    }
    if (rlp_get_bytes(it, &got, &gotn)) {
        snprintf(why, whylen, "decoded a list where a string was expected");
        return -1;
    }
    if (gotn != n || (n && memcmp(got, p, n) != 0)) {
        snprintf(why, whylen, "decoded string of %zu bytes differs from the %zu expected", gotn, n);
        return -1;
    }
    if (json_is_integer(v)) {
        uint64_t x;
        if (rlp_get_u64(it, &x) || x != (uint64_t)json_integer_value(v)) {
            snprintf(why, whylen, "integer does not read back: %s", err_msg());
            return -1;
        }
    }
    return 0;
}

static void run_case(struct tally *t, const char *where, const json_t *tc)
{
    const json_t *in = json_object_get(tc, "in");
    const char *outhex = json_string_value(json_object_get(tc, "out"));
    uint8_t *out = NULL;
    size_t outlen = 0;
    if (!in || !outhex || fixtures_hex(outhex, &out, &outlen)) {
        tally_fail(t, where, "malformed test case");
        return;
    }
    const char *s = json_is_string(in) ? json_string_value(in) : NULL;
    if (s && strcmp(s, "INVALID") == 0) {
        if (rlp_validate(out, outlen) == 0)
            tally_fail(t, where, "invalid RLP %s was accepted", outhex);
        else
            tally_pass(t);
    } else if (s && strcmp(s, "VALID") == 0) {
        if (rlp_validate(out, outlen) != 0)
            tally_fail(t, where, "valid RLP rejected: %s", err_msg());
        else
            tally_pass(t);
    } else {
        struct bytes b = BYTES_INIT;
        char why[256];
        struct rlp_item item;
        if (encode_value(in, &b) || bytes_ok(&b)) {
            tally_fail(t, where, "cannot encode \"in\"");
        } else if (b.len != outlen || memcmp(b.data, out, outlen) != 0) {
            char *got = malloc(2 * b.len + 1);
            if (got)
                hex_encode(got, b.data, b.len);
            tally_fail(t, where, "encoded %s, want %s", got ? got : "?", outhex);
            free(got);
        } else if (rlp_validate(out, outlen) != 0) {
            tally_fail(t, where, "our own encoding does not validate: %s", err_msg());
        } else if (rlp_decode(out, outlen, &item) != 0) {
            tally_fail(t, where, "decode failed: %s", err_msg());
        } else if (match_item(&item, in, why, sizeof why) != 0) {
            tally_fail(t, where, "%s", why);
        } else {
            tally_pass(t);
        }
        bytes_free(&b);
    }
    free(out);
}

static void run_file(const char *path, void *arg)
{
    struct tally *t = arg;
    json_error_t e;
    /* JSON_ALLOW_NUL: rlptest.json has the string "\u0000". */
    json_t *j = json_load_file(path, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
    if (!j) {
        tally_fail(t, path, "cannot load: %s (line %d)", e.text, e.line);
        return;
    }
    const char *name;
    json_t *tc;
    json_object_foreach(j, name, tc) {
        char where[1024];
        const char *base = strrchr(path, '/');
        snprintf(where, sizeof where, "%s:%s", base ? base + 1 : path, name);
        run_case(t, where, tc);
    }
    json_decref(j);
}

int main(int argc, char **argv)
{
    struct tally t = {0, 0, 0};
    if (argc > 1) {
        for (int i = 1; i < argc; i++)
            if (fixtures_walk(argv[i], run_file, &t) == 0)
                tally_fail(&t, argv[i], "no fixture files found");
    } else {
        char *dir = fixtures_path("ethereum-tests/RLPTests");
        if (fixtures_walk(dir, run_file, &t) == 0)
            tally_fail(&t, dir, "no fixture files found");
        free(dir);
    }
    return tally_finish(&t);
}
