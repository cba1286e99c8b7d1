/*
 * bloom.h — the 2048-bit log bloom filter of receipts and block headers.
 *
 * An entry (a log's address, or one of its topics) sets three bits: for
 * h = keccak256(entry), each of the byte pairs (h[0],h[1]), (h[2],h[3]),
 * (h[4],h[5]) gives a bit index (pair as big-endian 16 bits) mod 2048. Bit i
 * counts from the least significant end of the 256-byte big-endian value, so
 * it lives in byte 255 - i/8 under mask 1 << (i%8). That layout is what goes
 * on the wire and into the header, so the struct is just the 256 bytes.
 *
 * Plain values: no allocation; safe from any thread on distinct blooms.
 */
#ifndef SPECTRUM_PRIMITIVES_BLOOM_H
#define SPECTRUM_PRIMITIVES_BLOOM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BLOOM_BYTES 256

struct bloom {
    uint8_t b[BLOOM_BYTES];
};

/* Sets the three bits of keccak256(data[0..len)) in bl. data may be NULL
 * when len == 0. */
void bloom_add(struct bloom *bl, const uint8_t *data, size_t len);

/* dst |= src (how a block's bloom is made from its receipts' blooms). */
void bloom_or(struct bloom *dst, const struct bloom *src);

/* True when all three bits of data are set in bl: the entry MAY have been
 * added (false positives are possible, false negatives are not). */
bool bloom_test(const struct bloom *bl, const uint8_t *data, size_t len);

/* True when every bit set in `sub` is also set in bl. */
bool bloom_includes(const struct bloom *bl, const struct bloom *sub);

#endif
