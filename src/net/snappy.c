/*
 * snappy.c — Snappy block format; see snappy.h. Written from the format
 * description (google/snappy format_description.txt); the code is ours.
 *
 * Format in brief: a little-endian base-128 varint holding the decoded
 * length, then elements whose tag byte's low two bits give the kind:
 *   00 literal: length-1 in the upper six bits when below 60, else 60..63
 *      say that 1..4 little-endian bytes after the tag hold length-1;
 *   01 copy, length 4..11 in bits 2..4, an 11-bit offset (bits 5..7 of the
 *      tag are its high bits, the next byte its low byte);
 *   10 copy, length 1..64 in the upper six bits, 16-bit offset;
 *   11 copy, same with a 32-bit offset.
 * A copy may overlap its own output (offset < length repeats a pattern).
 *
 * Compressor: the input is cut into 64 KiB blocks so offsets always fit the
 * two-byte form and the hash table can hold 16-bit positions. Inside a
 * block, a table indexed by a multiplicative hash of the next four bytes
 * remembers the last position that had them; a hit whose four bytes really
 * match starts a copy, which is then extended eight bytes at a time. When
 * nothing matches for a while the scan takes bigger steps (one more byte
 * per 32 misses), so incompressible data costs little. Literal runs and
 * copies are written with the shortest tags that fit.
 *
 * Decompressor: one loop over tags with every length checked against both
 * the remaining input and the remaining declared output before a byte
 * moves; overlapping copies go in doubling chunks of memcpy.
 */
#include "net/snappy.h"

#include <stdlib.h>
#include <string.h>

#include "util/err.h"

#define BLOCK_SIZE ((size_t)1 << 16)
#define MAX_TABLE_BITS 14
#define MIN_TABLE_BITS 8
/* Matching stops this many bytes before the end of a block, so the 4-byte
 * loads of the scan never pass it; the rest goes out as a literal. */
#define INPUT_MARGIN 15

size_t snappy_max_compressed_length(size_t n)
{
    if (n > SNAPPY_MAX_INPUT)
        return 0;
    return 32 + n + n / 6;
}

/* ---- compressor ---------------------------------------------------------- */

static inline uint32_t load32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static inline uint64_t load64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static inline uint32_t hash4(uint32_t v, unsigned shift)
{
    return (v * 0x1e35a7bdu) >> shift;
}

/* Index of the first differing byte of two different 8-byte loads. */
static inline size_t first_diff(uint64_t x)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return (size_t)__builtin_clzll(x) >> 3;
#else
    return (size_t)__builtin_ctzll(x) >> 3;
#endif
}

/* Length of the common prefix of a and b, where a < b and b runs to end. */
static size_t match_len(const uint8_t *a, const uint8_t *b, const uint8_t *end)
{
    const uint8_t *start = b;
    while ((size_t)(end - b) >= 8) {
        uint64_t x = load64(a) ^ load64(b);
        if (x)
            return (size_t)(b - start) + first_diff(x);
        a += 8;
        b += 8;
    }
    while (b < end && *a == *b) {
        a++;
        b++;
    }
    return (size_t)(b - start);
}

static uint8_t *put_varint(uint8_t *op, uint32_t v)
{
    while (v >= 0x80) {
        *op++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *op++ = (uint8_t)v;
    return op;
}

static uint8_t *emit_literal(uint8_t *op, const uint8_t *lit, size_t len)
{
    size_t n = len - 1;
    if (n < 60) {
        *op++ = (uint8_t)(n << 2);
    } else {
        unsigned bytes = n < 0x100 ? 1 : n < 0x10000 ? 2 : n < 0x1000000 ? 3 : 4;
        *op++ = (uint8_t)((59 + bytes) << 2);
        for (unsigned i = 0; i < bytes; i++)
            *op++ = (uint8_t)(n >> (8 * i));
    }
    memcpy(op, lit, len);
    return op + len;
}

/* One copy element, 4 <= len <= 64, 0 < offset < 65536. */
static uint8_t *emit_copy64(uint8_t *op, size_t offset, size_t len)
{
    if (len <= 11 && offset < 2048) {
        *op++ = (uint8_t)(1 | ((len - 4) << 2) | ((offset >> 8) << 5));
        *op++ = (uint8_t)offset;
    } else {
        *op++ = (uint8_t)(2 | ((len - 1) << 2));
        *op++ = (uint8_t)offset;
        *op++ = (uint8_t)(offset >> 8);
    }
    return op;
}

/* A copy of any length >= 4 as 64-byte pieces; the last piece keeps at
 * least 4 bytes so that it may use the short form. */
static uint8_t *emit_copy(uint8_t *op, size_t offset, size_t len)
{
    while (len >= 68) {
        op = emit_copy64(op, offset, 64);
        len -= 64;
    }
    if (len > 64) {
        op = emit_copy64(op, offset, 60);
        len -= 60;
    }
    return emit_copy64(op, offset, len);
}

/* Compresses one block of at most BLOCK_SIZE bytes. */
static uint8_t *compress_block(const uint8_t *in, size_t n, uint8_t *op, uint16_t *table)
{
    const uint8_t *end = in + n;
    const uint8_t *lit = in;
    if (n < INPUT_MARGIN + 2)
        goto tail;

    unsigned bits = MIN_TABLE_BITS;
    while (bits < MAX_TABLE_BITS && ((size_t)1 << bits) < n)
        bits++;
    unsigned shift = 32 - bits;
    memset(table, 0, sizeof(uint16_t) << bits);

    const uint8_t *limit = end - INPUT_MARGIN;
    const uint8_t *ip = in + 1;
    uint32_t next_hash = hash4(load32(ip), shift);
    for (;;) {
        /* Scan for a 4-byte match, stepping faster after many misses. */
        uint32_t skip = 32;
        const uint8_t *next_ip = ip;
        const uint8_t *cand;
        do {
            ip = next_ip;
            uint32_t h = next_hash;
            next_ip = ip + (skip++ >> 5);
            if (next_ip > limit)
                goto tail;
            next_hash = hash4(load32(next_ip), shift);
            cand = in + table[h];
            table[h] = (uint16_t)(ip - in);
        } while (load32(ip) != load32(cand));

        op = emit_literal(op, lit, (size_t)(ip - lit));

        /* Emit copies for as long as the byte after one starts another. */
        for (;;) {
            const uint8_t *base = ip;
            size_t len = 4 + match_len(cand + 4, ip + 4, end);
            ip += len;
            op = emit_copy(op, (size_t)(base - cand), len);
            lit = ip;
            if (ip >= limit)
                goto tail;
            table[hash4(load32(ip - 1), shift)] = (uint16_t)(ip - 1 - in);
            uint32_t h = hash4(load32(ip), shift);
            cand = in + table[h];
            table[h] = (uint16_t)(ip - in);
            if (load32(ip) != load32(cand))
                break;
        }
        ip++;
        next_hash = hash4(load32(ip), shift);
    }
tail:
    if (lit < end)
        op = emit_literal(op, lit, (size_t)(end - lit));
    return op;
}

int snappy_compress(const uint8_t *in, size_t n, uint8_t *out, size_t out_cap, size_t *out_len)
{
    if (n > SNAPPY_MAX_INPUT)
        return err_set(ERR_RANGE, "snappy: input of %zu bytes is over the format's limit", n);
    if (out_cap < snappy_max_compressed_length(n))
        return err_set(ERR_RANGE, "snappy: output buffer of %zu bytes, need %zu", out_cap,
                       snappy_max_compressed_length(n));
    uint16_t table[1 << MAX_TABLE_BITS];
    uint8_t *op = put_varint(out, (uint32_t)n);
    for (size_t pos = 0; pos < n; pos += BLOCK_SIZE) {
        size_t len = n - pos < BLOCK_SIZE ? n - pos : BLOCK_SIZE;
        op = compress_block(in + pos, len, op, table);
    }
    *out_len = (size_t)(op - out);
    return 0;
}

/* ---- decompressor -------------------------------------------------------- */

/* Reads the varint; *used receives its length in bytes. */
static int read_varint(const uint8_t *in, size_t n, uint64_t *v, size_t *used)
{
    uint64_t x = 0;
    for (size_t i = 0; i < 5; i++) {
        if (i >= n)
            return err_set(ERR_DECODE, "snappy: truncated length varint");
        x |= (uint64_t)(in[i] & 0x7f) << (7 * i);
        if (!(in[i] & 0x80)) {
            if (x > 0xffffffffu)
                return err_set(ERR_DECODE, "snappy: length varint over 32 bits");
            *v = x;
            *used = i + 1;
            return 0;
        }
    }
    return err_set(ERR_DECODE, "snappy: length varint longer than 5 bytes");
}

int snappy_uncompressed_length(const uint8_t *in, size_t n, size_t *len)
{
    uint64_t v;
    size_t used;
    int rc = read_varint(in, n, &v, &used);
    if (rc)
        return rc;
    *len = (size_t)v;
    return 0;
}

int snappy_decompress(const uint8_t *in, size_t n, uint8_t *out, size_t out_cap, size_t *out_len)
{
    uint64_t declared;
    size_t used;
    int rc = read_varint(in, n, &declared, &used);
    if (rc)
        return rc;
    if (declared > out_cap)
        return err_set(ERR_RANGE, "snappy: declared length %llu over the limit of %zu",
                       (unsigned long long)declared, out_cap);
    const size_t want = (size_t)declared;
    const uint8_t *ip = in + used;
    const uint8_t *end = in + n;
    size_t op = 0;

    while (ip < end) {
        uint8_t tag = *ip++;
        size_t avail = (size_t)(end - ip);
        uint64_t len;
        size_t offset;
        switch (tag & 3) {
        case 0:
            len = (uint64_t)(tag >> 2) + 1;
            if (len > 60) {
                size_t nb = (size_t)len - 60;
                if (avail < nb)
                    return err_set(ERR_DECODE, "snappy: truncated literal length");
                len = 0;
                for (size_t i = 0; i < nb; i++)
                    len |= (uint64_t)ip[i] << (8 * i);
                len += 1;
                ip += nb;
                avail -= nb;
            }
            if (len > avail)
                return err_set(ERR_DECODE, "snappy: literal of %llu bytes past the end of input",
                               (unsigned long long)len);
            if (len > want - op)
                return err_set(ERR_DECODE, "snappy: literal past the declared length");
            memcpy(out + op, ip, (size_t)len);
            ip += len;
            op += (size_t)len;
            continue;
        case 1:
            if (avail < 1)
                return err_set(ERR_DECODE, "snappy: truncated copy");
            len = 4 + ((tag >> 2) & 7);
            offset = ((size_t)(tag >> 5) << 8) | ip[0];
            ip += 1;
            break;
        case 2:
            if (avail < 2)
                return err_set(ERR_DECODE, "snappy: truncated copy");
            len = (uint64_t)(tag >> 2) + 1;
            offset = (size_t)ip[0] | (size_t)ip[1] << 8;
            ip += 2;
            break;
        default:
            if (avail < 4)
                return err_set(ERR_DECODE, "snappy: truncated copy");
            len = (uint64_t)(tag >> 2) + 1;
            offset = (size_t)ip[0] | (size_t)ip[1] << 8 | (size_t)ip[2] << 16 |
                     (size_t)ip[3] << 24;
            ip += 4;
            break;
        }
        if (offset == 0)
            return err_set(ERR_DECODE, "snappy: copy with offset 0");
        if (offset > op)
            return err_set(ERR_DECODE, "snappy: copy offset %zu before the start of output", offset);
        if (len > want - op)
            return err_set(ERR_DECODE, "snappy: copy past the declared length");
        uint8_t *d = out + op;
        size_t left = (size_t)len;
        size_t room = want - op;
        op += left;
        if (offset < 8 && offset < left) {
            /* A short period: write one period's worth byte by byte until
             * the pattern's period is a multiple of offset that is >= 8,
             * then continue in 8-byte steps below. */
            size_t period = offset * ((8 + offset - 1) / offset);
            size_t head = period < left ? period : left;
            for (size_t i = 0; i < head; i++)
                d[i] = (d - offset)[i];
            d += head;
            left -= head;
            room -= head;
            offset = period;
        }
        if (left == 0)
            continue;
        if (room >= ((left + 7) & ~(size_t)7)) {
            /* 8-byte steps may overshoot by up to 7 bytes inside the
             * declared length (later elements overwrite them); every
             * source byte is at least 8 behind its destination, so final. */
            for (size_t i = 0; i < left; i += 8)
                memcpy(d + i, (d - offset) + i, 8);
        } else if (offset >= left) {
            memcpy(d, d - offset, left);
        } else {
            for (size_t i = 0; i < left; i++)
                d[i] = (d - offset)[i];
        }
    }
    if (op != want)
        return err_set(ERR_DECODE, "snappy: output of %zu bytes, declared %zu", op, want);
    *out_len = want;
    return 0;
}

int snappy_decompress_alloc(const uint8_t *in, size_t n, size_t max, uint8_t **out,
                            size_t *out_len)
{
    size_t len;
    int rc = snappy_uncompressed_length(in, n, &len);
    if (rc)
        return rc;
    if (len > max)
        return err_set(ERR_RANGE, "snappy: declared length %zu over the limit of %zu", len, max);
    uint8_t *buf = NULL;
    if (len) {
        buf = malloc(len);
        if (!buf)
            return err_set(ERR_NOMEM, "snappy: %zu bytes", len);
    }
    rc = snappy_decompress(in, n, buf, len, out_len);
    if (rc) {
        free(buf);
        return rc;
    }
    *out = buf;
    return 0;
}
