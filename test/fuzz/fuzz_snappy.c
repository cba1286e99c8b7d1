/*
 * fuzz_snappy.c — libFuzzer target for the Snappy block codec.
 *
 * Properties:
 *   1. snappy_decompress never reads or writes outside its buffers on any
 *      bytes: the output buffer is allocated at exactly the declared length
 *      (so ASan sees any overrun), and a success reports exactly that
 *      length;
 *   2. compressing the input and decompressing the result gives the input
 *      back, and the compressed size never exceeds
 *      snappy_max_compressed_length.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/snappy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Bounds the work per input; the cap logic itself is unit-tested. */
#define FUZZ_MAX_DECODED (1u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* 1. arbitrary bytes as a compressed stream */
    size_t declared;
    if (snappy_uncompressed_length(data, size, &declared) == 0 && declared <= FUZZ_MAX_DECODED) {
        uint8_t *out = malloc(declared ? declared : 1);
        if (!out)
            abort();
        size_t got = 0;
        if (snappy_decompress(data, size, out, declared, &got) == 0 && got != declared)
            abort();
        free(out);
        uint8_t *alloc = NULL;
        size_t alen = 0;
        int rc = snappy_decompress_alloc(data, size, FUZZ_MAX_DECODED, &alloc, &alen);
        if (rc == 0 && alen != declared)
            abort();
        free(alloc);
    }

    /* 2. the bytes as plain data: round trip */
    size_t cap = snappy_max_compressed_length(size);
    uint8_t *comp = malloc(cap);
    uint8_t *back = malloc(size ? size : 1);
    if (!comp || !back)
        abort();
    size_t clen = 0, blen = 0;
    if (snappy_compress(data, size, comp, cap, &clen) != 0 || clen > cap)
        abort();
    if (snappy_decompress(comp, clen, back, size, &blen) != 0 || blen != size ||
        (size && memcmp(back, data, size) != 0))
        abort();
    free(comp);
    free(back);
    return 0;
}
