/*
 * rlp.h — Recursive Length Prefix encoding, strict and canonical.
 *
 * Decoding is zero-copy: an rlp_item points into the caller's input, which
 * must outlive it. Every decoder is strict — it rejects what Ethereum clients
 * reject: a length that runs past the input, a long form used for a length
 * that fits the short form, a length with leading zero bytes, a single byte
 * below 0x80 wrapped as a one-byte string, and (for whole-message decoding)
 * trailing bytes. Integers must be minimal (no leading zero bytes).
 * Decoders never read outside [in, in+len) and never allocate.
 *
 * Encoding appends to a struct bytes (util/bytes.h); allocation failure is
 * sticky there, so callers check bytes_ok() once at the end. Lists are built
 * with rlp_list_begin/rlp_list_end, which patch the header in place.
 *
 * All functions are safe from any thread on distinct buffers.
 */
#ifndef SPECTRUM_PRIMITIVES_RLP_H
#define SPECTRUM_PRIMITIVES_RLP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "primitives/u256.h"
#include "util/bytes.h"

/* How deep rlp_validate recurses before refusing (outside input is bounded). */
#define RLP_MAX_DEPTH 1024

/* One decoded item: a string (bytes) or a list (payload = concatenated items). */
struct rlp_item {
    bool is_list;
    const uint8_t *payload;  /* string bytes, or the list's encoded items */
    size_t payload_len;
    const uint8_t *raw;      /* the whole encoding, header included */
    size_t raw_len;
};

/* Decodes the item at the start of [in, in+len). *consumed receives raw_len.
 * Returns 0, or ERR_DECODE (truncated or non-canonical header; context says
 * which). Does not look inside list payloads. */
int rlp_decode_item(const uint8_t *in, size_t len, struct rlp_item *out, size_t *consumed);

/* Decodes exactly one item filling all of [in, in+len): trailing bytes are
 * ERR_DECODE. */
int rlp_decode(const uint8_t *in, size_t len, struct rlp_item *out);

/* Checks that [in, in+len) is exactly one item and that every nested item is
 * canonical, recursing up to RLP_MAX_DEPTH. Returns 0 or ERR_DECODE. */
int rlp_validate(const uint8_t *in, size_t len);

/* Iterates the items of a list. */
struct rlp_iter {
    const uint8_t *p;
    const uint8_t *end;
};

/* Prepares to iterate `list` (must be a list item: else ERR_DECODE). */
int rlp_iter_init(struct rlp_iter *it, const struct rlp_item *list);

/* Returns 1 with the next item in *out, 0 at the end, or ERR_DECODE. */
int rlp_iter_next(struct rlp_iter *it, struct rlp_item *out);

/* Splits a list into exactly `n` items (ERR_DECODE when the count differs or
 * the item is not a list). */
int rlp_list_exact(const struct rlp_item *list, struct rlp_item *items, size_t n);

/* Splits a list into at most `max` items; *count receives how many.
 * ERR_RANGE when the list has more than max items. */
int rlp_list_split(const struct rlp_item *list, struct rlp_item *items, size_t max, size_t *count);

/* Counts the items in a list (ERR_DECODE when a header is bad). */
int rlp_list_count(const struct rlp_item *list, size_t *count);

/* Scalar readers. Each requires a string item and fails with ERR_DECODE on a
 * list, ERR_DECODE on leading zeros (integers), ERR_RANGE on overflow. */
int rlp_get_u64(const struct rlp_item *it, uint64_t *out);
int rlp_get_u256(const struct rlp_item *it, u256 *out);
/* Exactly n bytes (hashes, addresses). ERR_DECODE on any other length. */
int rlp_get_fixed(const struct rlp_item *it, uint8_t *out, size_t n);
/* A string of any length: sets *p and *n to point into the input. */
int rlp_get_bytes(const struct rlp_item *it, const uint8_t **p, size_t *n);

/* ---- encoding ---------------------------------------------------------- */

/* Appends a byte string. */
int rlp_put_bytes(struct bytes *b, const uint8_t *p, size_t n);
/* Appends an integer in minimal big-endian form (0 encodes as 0x80). */
int rlp_put_u64(struct bytes *b, uint64_t v);
int rlp_put_u256(struct bytes *b, const u256 *v);
/* Appends an already-encoded item verbatim. */
int rlp_put_raw(struct bytes *b, const uint8_t *p, size_t n);

/* Starts a list; returns the marker to give rlp_list_end. */
size_t rlp_list_begin(struct bytes *b);
/* Closes the list started at `marker`, inserting its header. */
int rlp_list_end(struct bytes *b, size_t marker);

/* Size of the header for a payload of n bytes (1..9). */
size_t rlp_header_len(size_t n);
/* Writes a header (0x80/0xc0 base chosen by is_list) into out (>= 9 bytes)
 * and returns its length. */
size_t rlp_write_header(uint8_t *out, size_t n, bool is_list);
/* Encoded size of a byte string (header + payload). */
size_t rlp_bytes_size(const uint8_t *p, size_t n);

#endif
