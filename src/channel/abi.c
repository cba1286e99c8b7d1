/*
 * abi.c — the ABI coder of abi.h.
 *
 * Encoding writes the head in one pass and the tails of `bytes` values in a
 * second, computing each offset from the head size plus the tails already
 * written. Decoding checks the total length first (the canonical length of
 * the tuple is known once the `bytes` lengths are read), so every read is
 * within the input by construction.
 */
#include "channel/abi.h"

#include <string.h>

#include "crypto/keccak.h"
#include "util/err.h"

struct abi_value abi_u256(const u256 *x)
{
    struct abi_value v;
    memset(&v, 0, sizeof v);
    v.type = ABI_UINT256;
    v.v.u256 = *x;
    return v;
}

struct abi_value abi_u64(uint64_t x)
{
    struct abi_value v;
    memset(&v, 0, sizeof v);
    v.type = ABI_UINT64;
    v.v.u64 = x;
    return v;
}

struct abi_value abi_u8(uint8_t x)
{
    struct abi_value v;
    memset(&v, 0, sizeof v);
    v.type = ABI_UINT8;
    v.v.u8 = x;
    return v;
}

struct abi_value abi_bool(bool x)
{
    struct abi_value v;
    memset(&v, 0, sizeof v);
    v.type = ABI_BOOL;
    v.v.b = x;
    return v;
}

struct abi_value abi_addr(const uint8_t a[20])
{
    struct abi_value v;
    memset(&v, 0, sizeof v);
    v.type = ABI_ADDRESS;
    memcpy(v.v.addr, a, 20);
    return v;
}

struct abi_value abi_b32(const uint8_t b[32])
{
    struct abi_value v;
    memset(&v, 0, sizeof v);
    v.type = ABI_BYTES32;
    memcpy(v.v.b32, b, 32);
    return v;
}

struct abi_value abi_bytes(const uint8_t *p, size_t len)
{
    struct abi_value v;
    memset(&v, 0, sizeof v);
    v.type = ABI_BYTES;
    v.v.bytes.p = p;
    v.v.bytes.len = len;
    return v;
}

void abi_selector(const char *signature, uint8_t out[4])
{
    uint8_t h[32];
    keccak256(signature, strlen(signature), h);
    memcpy(out, h, 4);
}

void abi_event_topic(const char *signature, uint8_t out[32])
{
    keccak256(signature, strlen(signature), out);
}

static void word_u64(uint64_t x, uint8_t w[32])
{
    memset(w, 0, 24);
    be_put64(w + 24, x);
}

/* The head word of a static value. */
static int static_word(const struct abi_value *a, uint8_t w[32])
{
    memset(w, 0, 32);
    switch (a->type) {
    case ABI_UINT256:
        u256_to_be(&a->v.u256, w);
        return 0;
    case ABI_UINT64:
        word_u64(a->v.u64, w);
        return 0;
    case ABI_UINT8:
        w[31] = a->v.u8;
        return 0;
    case ABI_BOOL:
        w[31] = a->v.b ? 1 : 0;
        return 0;
    case ABI_ADDRESS:
        memcpy(w + 12, a->v.addr, 20);
        return 0;
    case ABI_BYTES32:
        memcpy(w, a->v.b32, 32);
        return 0;
    case ABI_BYTES24:
        memcpy(w, a->v.b24, 24);
        return 0;
    case ABI_BYTES:
        break;
    }
    return err_set(ERR_INVAL, "abi: type %d is not a static type", (int)a->type);
}

static size_t padded(size_t len)
{
    return (len + 31) / 32 * 32;
}

int abi_encode(const uint8_t selector[4], const struct abi_value *args, size_t n, struct bytes *out)
{
    if (n > ABI_MAX_ARGS)
        return err_set(ERR_RANGE, "abi: %zu arguments (most %d)", n, ABI_MAX_ARGS);
    for (size_t i = 0; i < n; i++) {
        if (args[i].type != ABI_BYTES)
            continue;
        if (args[i].v.bytes.len > ABI_BYTES_MAX)
            return err_set(ERR_RANGE, "abi: argument %zu: %zu bytes (most %u)", i,
                           args[i].v.bytes.len, ABI_BYTES_MAX);
        if (args[i].v.bytes.len && !args[i].v.bytes.p)
            return err_set(ERR_INVAL, "abi: argument %zu: NULL bytes", i);
    }
    if (selector)
        bytes_append(out, selector, 4);
    uint8_t w[32];
    size_t tail = n * ABI_WORD;     /* offset of the next tail, from the head's start */
    for (size_t i = 0; i < n; i++) {
        if (args[i].type == ABI_BYTES) {
            word_u64((uint64_t)tail, w);
            tail += ABI_WORD + padded(args[i].v.bytes.len);
        } else {
            int rc = static_word(&args[i], w);
            if (rc)
                return err_wrap(rc, "abi: argument %zu", i);
        }
        bytes_append(out, w, 32);
    }
    static const uint8_t zeros[32];
    for (size_t i = 0; i < n; i++) {
        if (args[i].type != ABI_BYTES)
            continue;
        size_t len = args[i].v.bytes.len;
        word_u64((uint64_t)len, w);
        bytes_append(out, w, 32);
        bytes_append(out, args[i].v.bytes.p, len);
        bytes_append(out, zeros, padded(len) - len);
    }
    return bytes_ok(out);
}

static bool all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

int abi_decode_word(const uint8_t w[32], enum abi_type t, struct abi_value *out)
{
    memset(out, 0, sizeof *out);
    out->type = t;
    switch (t) {
    case ABI_UINT256:
        u256_from_be(&out->v.u256, w, 32);
        return 0;
    case ABI_UINT64:
        if (!all_zero(w, 24))
            return err_set(ERR_DECODE, "abi: uint64 word has bits above 64");
        out->v.u64 = be_get64(w + 24);
        return 0;
    case ABI_UINT8:
        if (!all_zero(w, 31))
            return err_set(ERR_DECODE, "abi: uint8 word has bits above 8");
        out->v.u8 = w[31];
        return 0;
    case ABI_BOOL:
        if (!all_zero(w, 31) || w[31] > 1)
            return err_set(ERR_DECODE, "abi: bool word is not 0 or 1");
        out->v.b = w[31] == 1;
        return 0;
    case ABI_ADDRESS:
        if (!all_zero(w, 12))
            return err_set(ERR_DECODE, "abi: address word has bits above 160");
        memcpy(out->v.addr, w + 12, 20);
        return 0;
    case ABI_BYTES32:
        memcpy(out->v.b32, w, 32);
        return 0;
    case ABI_BYTES24:
        if (!all_zero(w + 24, 8))
            return err_set(ERR_DECODE, "abi: bytes24 word has its low 8 bytes set");
        memcpy(out->v.b24, w, 24);
        return 0;
    case ABI_BYTES:
        break;
    }
    return err_set(ERR_INVAL, "abi: type %d is not a static type", (int)t);
}

/* Reads a word that must be a length or offset below 2^32. */
static int small_word(const uint8_t w[32], size_t *out)
{
    if (!all_zero(w, 28))
        return ERR_DECODE;
    *out = be_get32(w + 28);
    return 0;
}

int abi_decode(const uint8_t *data, size_t len, const enum abi_type *types, size_t n,
               struct abi_value *out)
{
    if (n > ABI_MAX_ARGS)
        return err_set(ERR_RANGE, "abi: %zu values (most %d)", n, ABI_MAX_ARGS);
    size_t head = n * ABI_WORD;
    if (len < head)
        return err_set(ERR_DECODE, "abi: %zu bytes, the head alone needs %zu", len, head);
    /* Walk the tails in order: each must start where the previous ended. */
    size_t expect = head;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *w = data + i * ABI_WORD;
        if (types[i] != ABI_BYTES) {
            int rc = abi_decode_word(w, types[i], &out[i]);
            if (rc)
                return err_wrap(rc, "value %zu", i);
            continue;
        }
        size_t off, blen;
        if (small_word(w, &off) || off != expect)
            return err_set(ERR_DECODE, "abi: value %zu: bytes offset is not the canonical %zu",
                           i, expect);
        if (len - expect < ABI_WORD)
            return err_set(ERR_DECODE, "abi: value %zu: bytes length word past the end", i);
        if (small_word(data + expect, &blen))
            return err_set(ERR_DECODE, "abi: value %zu: bytes length is not a small number", i);
        if (blen > ABI_BYTES_MAX)
            return err_set(ERR_RANGE, "abi: value %zu: %zu bytes (most %u)", i, blen,
                           ABI_BYTES_MAX);
        size_t body = expect + ABI_WORD;
        if (len - body < padded(blen))
            return err_set(ERR_DECODE, "abi: value %zu: %zu bytes past the end", i, blen);
        if (!all_zero(data + body + blen, padded(blen) - blen))
            return err_set(ERR_DECODE, "abi: value %zu: bytes padding is not zero", i);
        memset(&out[i], 0, sizeof out[i]);
        out[i].type = ABI_BYTES;
        out[i].v.bytes.p = data + body;
        out[i].v.bytes.len = blen;
        expect = body + padded(blen);
    }
    if (len != expect)
        return err_set(ERR_DECODE, "abi: %zu bytes, the values take %zu", len, expect);
    return 0;
}
