/*
 * block.h — blocks and block bodies, pre-Berlin form:
 *
 *   body  = [[tx, ...], [uncleHeader, ...]]        (eth wire BlockBodies)
 *   block = [header, [tx, ...], [uncleHeader, ...]] (NewBlock, the database)
 *
 * Syntax only: tx and header decoding are those of tx.h and header.h; the
 * roots (txRoot, uncleHash) are checked against the header in chain/.
 *
 * Allocation stays proportional to the input: a list's item count is checked
 * against the smallest possible encoding of its items (TX_MIN_ENCODED_SIZE,
 * HEADER_MIN_ENCODED_SIZE) before the array is allocated, so a megabyte of
 * one-byte items cannot make the decoder reserve a struct per byte.
 *
 * Ownership: a body owns its arrays and every tx and header in them; a block
 * owns its header and body. block_body_free / block_free release them.
 * Threads: safe from any thread on distinct values.
 */
#ifndef SPECTRUM_PRIMITIVES_BLOCK_H
#define SPECTRUM_PRIMITIVES_BLOCK_H

#include <stddef.h>
#include <stdint.h>

#include "primitives/header.h"
#include "primitives/rlp.h"
#include "primitives/tx.h"
#include "util/bytes.h"

/* Smallest encodings that can decode: a tx of nine one-byte items
 * (c9 80 80 ...), and a header with zero integers and empty extra. */
#define TX_MIN_ENCODED_SIZE 10
#define HEADER_MIN_ENCODED_SIZE 496

struct block_body {
    struct tx *txs;          /* owned; NULL when tx_count == 0 */
    size_t tx_count;
    struct header *uncles;   /* owned; NULL when uncle_count == 0 */
    size_t uncle_count;
};

struct block {
    struct header header;
    struct block_body body;
};

/* Appends [[txs], [uncles]]. Returns 0 or ERR_NOMEM. */
int block_body_encode(const struct block_body *body, struct bytes *out);

/* Decodes exactly one body filling [in, in+len) (or one item).
 * Returns 0; ERR_DECODE / ERR_RANGE / ERR_UNSUPPORTED from the list shape or
 * from the first bad tx or uncle (the context names its index); ERR_NOMEM.
 * Out: body, owning everything on success, nothing on failure. */
int block_body_decode(const uint8_t *in, size_t len, struct block_body *body);
int block_body_decode_item(const struct rlp_item *item, struct block_body *body);

/* Appends [header, [txs], [uncles]]. Returns 0 or ERR_NOMEM. */
int block_encode(const struct block *b, struct bytes *out);

/* Decodes exactly one block filling [in, in+len); errors as for the body and
 * header_decode. Out: b, owning everything on success, nothing on failure. */
int block_decode(const uint8_t *in, size_t len, struct block *b);

/* Release everything and zero the struct. NULL is allowed. */
void block_body_free(struct block_body *body);
void block_free(struct block *b);

#endif
