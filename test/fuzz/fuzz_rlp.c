/*
 * fuzz_rlp.c — libFuzzer target for the strict RLP decoder.
 *
 * Property: rlp_validate never crashes on any bytes; when it accepts, every
 * item can be walked with the iterator, and re-encoding the walked tree
 * gives back exactly the input (canonical RLP has one encoding per value,
 * so a strict decoder round-trips byte for byte). The readers are exercised
 * on every string item along the way.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "primitives/rlp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Re-encodes `it` into out; aborts on any inconsistency. */
static void reencode(const struct rlp_item *it, struct bytes *out, int depth)
{
    if (depth > RLP_MAX_DEPTH)
        abort();                   /* validate promised a bounded depth */
    if (!it->is_list) {
        const uint8_t *p;
        size_t n;
        if (rlp_get_bytes(it, &p, &n) || p != it->payload || n != it->payload_len)
            abort();
        uint64_t v64;
        u256 v256;
        uint8_t fixed[32];
        int r64 = rlp_get_u64(it, &v64);
        int r256 = rlp_get_u256(it, &v256);
        /* a string that is a valid u64 is a valid u256 */
        if (r64 == 0 && r256 != 0)
            abort();
        if (n <= 32 && rlp_get_fixed(it, fixed, n) != 0)
            abort();
        rlp_put_bytes(out, p, n);
        if (rlp_bytes_size(p, n) != it->raw_len)
            abort();
        return;
    }
    struct rlp_iter iter;
    struct rlp_item child;
    if (rlp_iter_init(&iter, it))
        abort();
    size_t m = rlp_list_begin(out);
    size_t count = 0;
    int rc;
    while ((rc = rlp_iter_next(&iter, &child)) == 1) {
        reencode(&child, out, depth + 1);
        count++;
    }
    if (rc != 0)
        abort();                   /* a validated list must iterate cleanly */
    size_t counted;
    if (rlp_list_count(it, &counted) || counted != count)
        abort();
    rlp_list_end(out, m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rlp_item top;
    int dec = rlp_decode(data, size, &top);
    if (rlp_validate(data, size) != 0)
        return 0;
    if (dec != 0)
        abort();                   /* validate accepted what decode refused */
    struct bytes out = BYTES_INIT;
    reencode(&top, &out, 0);
    if (bytes_ok(&out) != 0) {
        bytes_free(&out);
        return 0;                  /* out of memory: nothing to compare */
    }
    if (out.len != size || memcmp(out.data, data, size) != 0)
        abort();                   /* canonical input must round-trip exactly */
    bytes_free(&out);
    return 0;
}
