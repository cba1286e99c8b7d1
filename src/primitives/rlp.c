/*
 * rlp.c — strict RLP decoding and encoding; see rlp.h.
 *
 * Header forms (first byte b):
 *   b < 0x80          the byte itself is a one-byte string
 *   0x80..0xb7        string of b-0x80 bytes (a single byte < 0x80 must not use it)
 *   0xb8..0xbf        string whose length is in the next b-0xb7 bytes (> 55, no leading 0)
 *   0xc0..0xf7        list of b-0xc0 payload bytes
 *   0xf8..0xff        list whose length is in the next b-0xf7 bytes (> 55, no leading 0)
 */
#include "primitives/rlp.h"
#include "util/err.h"

#include <string.h>

int rlp_decode_item(const uint8_t *in, size_t len, struct rlp_item *out, size_t *consumed)
{
    if (len == 0)
        return err_set(ERR_DECODE, "rlp: empty input");
    uint8_t b = in[0];
    size_t hdr, plen;
    bool is_list = b >= 0xc0;

    if (b < 0x80) {
        out->is_list = false;
        out->payload = in;
        out->payload_len = 1;
        out->raw = in;
        out->raw_len = 1;
        if (consumed)
            *consumed = 1;
        return 0;
    }
    uint8_t base = is_list ? 0xc0 : 0x80;
    if (b <= base + 55) {
        hdr = 1;
        plen = b - base;
        if (!is_list && plen == 1) {
            if (len < 2)
                return err_set(ERR_DECODE, "rlp: truncated string");
            if (in[1] < 0x80)
                return err_set(ERR_DECODE, "rlp: single byte below 0x80 must not be prefixed");
        }
    } else {
        size_t lol = b - base - 55;      /* 1..8 */
        if (len < 1 + lol)
            return err_set(ERR_DECODE, "rlp: truncated length");
        if (in[1] == 0)
            return err_set(ERR_DECODE, "rlp: length has leading zero");
        plen = 0;
        for (size_t i = 0; i < lol; i++) {
            if (plen > (SIZE_MAX >> 8))
                return err_set(ERR_DECODE, "rlp: length overflows");
            plen = (plen << 8) | in[1 + i];
        }
        if (plen <= 55)
            return err_set(ERR_DECODE, "rlp: long form used for %zu bytes", plen);
        hdr = 1 + lol;
    }
    if (plen > len - hdr)
        return err_set(ERR_DECODE, "rlp: %s of %zu bytes exceeds the %zu remaining",
                       is_list ? "list" : "string", plen, len - hdr);
    out->is_list = is_list;
    out->payload = in + hdr;
    out->payload_len = plen;
    out->raw = in;
    out->raw_len = hdr + plen;
    if (consumed)
        *consumed = hdr + plen;
    return 0;
}

int rlp_decode(const uint8_t *in, size_t len, struct rlp_item *out)
{
    size_t used;
    int rc = rlp_decode_item(in, len, out, &used);
    if (rc)
        return rc;
    if (used != len)
        return err_set(ERR_DECODE, "rlp: %zu trailing bytes", len - used);
    return 0;
}

static int validate_payload(const uint8_t *p, size_t n, int depth)
{
    if (depth > RLP_MAX_DEPTH)
        return err_set(ERR_DECODE, "rlp: nesting deeper than %d", RLP_MAX_DEPTH);
    while (n) {
        struct rlp_item it;
        size_t used;
        int rc = rlp_decode_item(p, n, &it, &used);
        if (rc)
            return rc;
        if (it.is_list) {
            rc = validate_payload(it.payload, it.payload_len, depth + 1);
            if (rc)
                return rc;
        }
        p += used;
        n -= used;
    }
    return 0;
}

int rlp_validate(const uint8_t *in, size_t len)
{
    struct rlp_item it;
    int rc = rlp_decode(in, len, &it);
    if (rc)
        return rc;
    return it.is_list ? validate_payload(it.payload, it.payload_len, 1) : 0;
}

int rlp_iter_init(struct rlp_iter *it, const struct rlp_item *list)
{
    it->p = it->end = NULL;
    if (!list->is_list)
        return err_set(ERR_DECODE, "rlp: expected a list");
    it->p = list->payload;
    it->end = list->payload + list->payload_len;
    return 0;
}

int rlp_iter_next(struct rlp_iter *it, struct rlp_item *out)
{
    if (it->p == it->end)
        return 0;
    size_t used;
    int rc = rlp_decode_item(it->p, (size_t)(it->end - it->p), out, &used);
    if (rc)
        return rc;
    it->p += used;
    return 1;
}

int rlp_list_split(const struct rlp_item *list, struct rlp_item *items, size_t max, size_t *count)
{
    struct rlp_iter it;
    int rc = rlp_iter_init(&it, list);
    if (rc)
        return rc;
    size_t n = 0;
    struct rlp_item tmp;
    while ((rc = rlp_iter_next(&it, &tmp)) == 1) {
        if (n == max)
            return err_set(ERR_RANGE, "rlp: list has more than %zu items", max);
        items[n++] = tmp;
    }
    if (rc < 0)
        return rc;
    *count = n;
    return 0;
}

int rlp_list_exact(const struct rlp_item *list, struct rlp_item *items, size_t n)
{
    size_t count;
    int rc = rlp_list_split(list, items, n, &count);
    if (rc == ERR_RANGE || (rc == 0 && count != n))
        return err_set(ERR_DECODE, "rlp: expected a list of %zu items", n);
    return rc;
}

int rlp_list_count(const struct rlp_item *list, size_t *count)
{
    struct rlp_iter it;
    int rc = rlp_iter_init(&it, list);
    if (rc)
        return rc;
    size_t n = 0;
    struct rlp_item tmp;
    while ((rc = rlp_iter_next(&it, &tmp)) == 1)
        n++;
    if (rc < 0)
        return rc;
    *count = n;
    return 0;
}

static int need_string(const struct rlp_item *it)
{
    return it->is_list ? err_set(ERR_DECODE, "rlp: expected a string, got a list") : 0;
}

static int check_minimal_int(const struct rlp_item *it)
{
    int rc = need_string(it);
    if (rc)
        return rc;
    if (it->payload_len > 0 && it->payload[0] == 0)
        return err_set(ERR_DECODE, "rlp: integer has leading zero");
    return 0;
}

int rlp_get_u64(const struct rlp_item *it, uint64_t *out)
{
    int rc = check_minimal_int(it);
    if (rc)
        return rc;
    if (it->payload_len > 8)
        return err_set(ERR_RANGE, "rlp: integer of %zu bytes exceeds 64 bits", it->payload_len);
    uint64_t v = 0;
    for (size_t i = 0; i < it->payload_len; i++)
        v = (v << 8) | it->payload[i];
    *out = v;
    return 0;
}

int rlp_get_u256(const struct rlp_item *it, u256 *out)
{
    int rc = check_minimal_int(it);
    if (rc)
        return rc;
    if (it->payload_len > 32)
        return err_set(ERR_RANGE, "rlp: integer of %zu bytes exceeds 256 bits", it->payload_len);
    return u256_from_be(out, it->payload, it->payload_len);
}

int rlp_get_fixed(const struct rlp_item *it, uint8_t *out, size_t n)
{
    int rc = need_string(it);
    if (rc)
        return rc;
    if (it->payload_len != n)
        return err_set(ERR_DECODE, "rlp: expected %zu bytes, got %zu", n, it->payload_len);
    memcpy(out, it->payload, n);
    return 0;
}

int rlp_get_bytes(const struct rlp_item *it, const uint8_t **p, size_t *n)
{
    int rc = need_string(it);
    if (rc)
        return rc;
    *p = it->payload;
    *n = it->payload_len;
    return 0;
}

/* ---- encoding ---------------------------------------------------------- */

size_t rlp_header_len(size_t n)
{
    if (n <= 55)
        return 1;
    size_t lol = 0;
    for (size_t v = n; v; v >>= 8)
        lol++;
    return 1 + lol;
}

size_t rlp_write_header(uint8_t *out, size_t n, bool is_list)
{
    uint8_t base = is_list ? 0xc0 : 0x80;
    if (n <= 55) {
        out[0] = (uint8_t)(base + n);
        return 1;
    }
    size_t lol = rlp_header_len(n) - 1;
    out[0] = (uint8_t)(base + 55 + lol);
    for (size_t i = 0; i < lol; i++)
        out[lol - i] = (uint8_t)(n >> (8 * i));
    return 1 + lol;
}

size_t rlp_bytes_size(const uint8_t *p, size_t n)
{
    if (n == 1 && p[0] < 0x80)
        return 1;
    return rlp_header_len(n) + n;
}

int rlp_put_bytes(struct bytes *b, const uint8_t *p, size_t n)
{
    if (n == 1 && p[0] < 0x80)
        return bytes_push(b, p[0]);
    int rc = bytes_reserve(b, 9 + n);
    if (rc)
        return rc;
    b->len += rlp_write_header(b->data + b->len, n, false);
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    return 0;
}

int rlp_put_u64(struct bytes *b, uint64_t v)
{
    uint8_t tmp[8];
    size_t n = 0;
    for (int i = 7; i >= 0; i--) {
        uint8_t c = (uint8_t)(v >> (8 * i));
        if (n || c)
            tmp[n++] = c;
    }
    return rlp_put_bytes(b, tmp, n);
}

int rlp_put_u256(struct bytes *b, const u256 *v)
{
    uint8_t tmp[32];
    u256_to_be(v, tmp);
    unsigned n = u256_byte_len(v);
    return rlp_put_bytes(b, tmp + 32 - n, n);
}

int rlp_put_raw(struct bytes *b, const uint8_t *p, size_t n)
{
    return bytes_append(b, p, n);
}

size_t rlp_list_begin(struct bytes *b)
{
    return b->len;
}

int rlp_list_end(struct bytes *b, size_t marker)
{
    if (b->oom)
        return ERR_NOMEM;
    size_t plen = b->len - marker;
    size_t hl = rlp_header_len(plen);
    int rc = bytes_reserve(b, hl);
    if (rc)
        return rc;
    memmove(b->data + marker + hl, b->data + marker, plen);
    rlp_write_header(b->data + marker, plen, true);
    b->len += hl;
    return 0;
}
