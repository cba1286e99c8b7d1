/*
 * receipt.h — transaction receipts and the logs they carry, in their
 * consensus encoding (the form hashed into a block's receiptRoot):
 *
 *   log     = [address(20), [topic(32), ...], data]
 *   receipt = [postStateOrStatus, cumulativeGasUsed, bloom(256), [log, ...]]
 *
 * where postStateOrStatus is the 32-byte post-transaction state root before
 * Byzantium, and from Byzantium (EIP-658) the status: the empty string for a
 * failed transaction, the single byte 0x01 for a successful one.
 *
 * RLP allows any number of topics per log; the EVM makes at most 4 (LOG4).
 * Decoding accepts up to LOG_MAX_TOPICS, a bound that only exists to keep
 * hostile input from steering allocations. Item counts are also checked
 * against the items' smallest encoding (33 bytes a topic,
 * LOG_MIN_ENCODED_SIZE a log) before anything is allocated, so memory stays
 * proportional to the input.
 *
 * Ownership: a log owns `topics` and `data`; a receipt owns `logs` and each
 * log in it. log_free / receipt_free release them. Threads: safe from any
 * thread on distinct values; decoded values are immutable.
 */
#ifndef SPECTRUM_PRIMITIVES_RECEIPT_H
#define SPECTRUM_PRIMITIVES_RECEIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "primitives/address.h"
#include "primitives/bloom.h"
#include "primitives/rlp.h"
#include "util/bytes.h"

#define LOG_MAX_TOPICS 256
/* Smallest log encoding: [20-byte address, [], ""] (d7 94 <20> c0 80). */
#define LOG_MIN_ENCODED_SIZE 24

struct log {
    struct address address;
    struct hash32 *topics;    /* owned; NULL when topic_count == 0 */
    size_t topic_count;
    uint8_t *data;            /* owned; NULL when data_len == 0 */
    size_t data_len;
};

struct receipt {
    bool has_post_state;      /* true: pre-Byzantium form with post_state */
    struct hash32 post_state; /* meaningful only when has_post_state */
    bool status;              /* Byzantium form: true = success */
    uint64_t cumulative_gas;
    struct bloom bloom;
    struct log *logs;         /* owned; NULL when log_count == 0 */
    size_t log_count;
};

/* ---- logs --------------------------------------------------------------- */

/* Appends [address, [topics], data]. Returns 0 or ERR_NOMEM. */
int log_encode(const struct log *log, struct bytes *out);

/* Decodes one log item. Returns 0, ERR_DECODE (shape, address not 20 bytes,
 * topic not 32 bytes), ERR_RANGE (more than LOG_MAX_TOPICS topics) or
 * ERR_NOMEM. Out: log, owning its buffers on success, nothing on failure. */
int log_decode_item(const struct rlp_item *item, struct log *log);

/* Deep copy. Returns 0 or ERR_NOMEM (dst then owns nothing). */
int log_copy(struct log *dst, const struct log *src);

/* Releases topics and data and zeroes *log. NULL is allowed. */
void log_free(struct log *log);

/* Appends the RLP list of n logs. Returns 0 or ERR_NOMEM. */
int logs_encode(const struct log *logs, size_t n, struct bytes *out);

/* out = keccak256(RLP list of the n logs): the "logs" hash of the state tests
 * (keccak256(0xc0) for no logs). logs may be NULL when n == 0.
 * Returns 0 or ERR_NOMEM. */
int logs_hash(const struct log *logs, size_t n, struct hash32 *out);

/* Adds each log's address and topics to bl (bl is not cleared first). */
void logs_bloom(const struct log *logs, size_t n, struct bloom *bl);

/* ---- receipts ----------------------------------------------------------- */

/* Appends the consensus encoding. Returns 0 or ERR_NOMEM. */
int receipt_encode(const struct receipt *r, struct bytes *out);

/* Decodes exactly one receipt filling [in, in+len), either form.
 * Returns 0, ERR_DECODE (not 4 items, a first item that is neither empty,
 * 0x01 nor 32 bytes, a bloom not 256 bytes, a bad log, trailing bytes),
 * ERR_RANGE (cumulative gas above 2^64-1, too many topics) or ERR_NOMEM.
 * Out: r, owning its logs on success, nothing on failure. */
int receipt_decode(const uint8_t *in, size_t len, struct receipt *r);

/* Same, for an item split out of a larger list. */
int receipt_decode_item(const struct rlp_item *item, struct receipt *r);

/* Writes the bloom of r's logs into *out (cleared first). A valid receipt's
 * bloom field equals this. */
void receipt_compute_bloom(const struct receipt *r, struct bloom *out);

/* Releases every log and zeroes *r. NULL is allowed. */
void receipt_free(struct receipt *r);

#endif
