/*
 * header.h — the block header, in its 15-field pre-London form:
 *
 *   [parentHash, uncleHash, coinbase, stateRoot, txRoot, receiptRoot, bloom,
 *    difficulty, number, gasLimit, gasUsed, time, extra, mixDigest, nonce]
 *
 * Spectrum never adopted London, so there is no baseFee field. The block
 * hash is keccak256 of that list. Tribe (like clique) signs the "seal hash":
 * the same list with the last 65 bytes of `extra` (the signature itself)
 * cut off; header_seal_hash computes it.
 *
 * Decoding checks syntax only (field sizes, canonical integers, 64-bit
 * limits); consensus rules (extra layout, difficulty, time) live in
 * consensus/. No maximum length is imposed on `extra` here (Tribe enforces
 * none either); it is bounded by the input.
 *
 * Ownership: a struct header owns `extra` (malloc'ed); header_free releases
 * it. Threads: safe from any thread on distinct headers; a decoded header is
 * immutable and may be read by several threads.
 */
#ifndef SPECTRUM_PRIMITIVES_HEADER_H
#define SPECTRUM_PRIMITIVES_HEADER_H

#include <stddef.h>
#include <stdint.h>

#include "primitives/address.h"
#include "primitives/bloom.h"
#include "primitives/rlp.h"
#include "primitives/u256.h"
#include "util/bytes.h"

#define HEADER_FIELDS 15
/* Bytes of `extra` that hold the producer's signature (R || S || V). */
#define HEADER_SEAL_LEN 65

struct header {
    struct hash32 parent_hash;
    struct hash32 uncle_hash;
    struct address coinbase;
    struct hash32 state_root;
    struct hash32 tx_root;
    struct hash32 receipt_root;
    struct bloom bloom;
    u256 difficulty;
    uint64_t number;
    uint64_t gas_limit;
    uint64_t gas_used;
    uint64_t time;
    uint8_t *extra;          /* owned; NULL when extra_len == 0 */
    size_t extra_len;
    struct hash32 mix_digest;
    uint8_t nonce[8];
};

/* Decodes exactly one 15-item header filling [in, in+len).
 * Returns: 0; ERR_DECODE (not a list of exactly 15 strings, a hash that is not
 * 32 bytes, a coinbase not 20, a bloom not 256, a nonce not 8, a non-canonical
 * integer, trailing bytes); ERR_RANGE (number, gasLimit, gasUsed or time
 * above 2^64-1, difficulty above 2^256-1); ERR_NOMEM.
 * Out: h, fully written on success; on failure it owns nothing. */
int header_decode(const uint8_t *in, size_t len, struct header *h);

/* Same, for an item split out of a larger list (a block, an uncle list). */
int header_decode_item(const struct rlp_item *item, struct header *h);

/* Appends the canonical encoding. Returns 0 or ERR_NOMEM. */
int header_encode(const struct header *h, struct bytes *out);

/* out = keccak256(header_encode(h)): the block hash. Returns 0 or ERR_NOMEM. */
int header_hash(const struct header *h, struct hash32 *out);

/* The hash the block producer signs: the header encoded with the last 65
 * bytes of extra removed. Returns 0, ERR_RANGE when extra is shorter than
 * 65 bytes, or ERR_NOMEM. */
int header_seal_hash(const struct header *h, struct hash32 *out);

/* Deep copy (extra duplicated). Returns 0 or ERR_NOMEM (dst then owns
 * nothing). */
int header_copy(struct header *dst, const struct header *src);

/* Releases extra and zeroes *h. NULL is allowed. */
void header_free(struct header *h);

#endif
