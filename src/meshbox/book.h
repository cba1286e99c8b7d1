/*
 * book.h — the receipt book of a MeshBox node (doc/meshbox.md §3.4 "When a
 * node reports"): the latest receipt of each (provider, client, epoch), and
 * what became of it on chain. Its own LevelDB in <netdir>/meshbox/, every
 * write synchronous: a receipt the node answered "stored" survives a kill
 * -9, and so does the record of what was reported.
 *
 * An entry moves STORED → SENT (in a report transaction) → ACCEPTED or
 * REFUSED (the registry's verdict, read from the transaction's logs); a
 * larger receipt for the same key puts it back to STORED; a STORED entry
 * whose reporting window closed becomes EXPIRED. The cumulative rule of the
 * registry is kept here too: a receipt with units not above the stored
 * ones is a replay and is refused.
 *
 * Why it is shaped this way: receipts come from RPC workers while the
 * reporter (service.h) changes statuses; mb_book_mark applies a status
 * change only to the receipt it was decided for (same units), so a receipt
 * that grew in between is never marked with an older verdict.
 *
 * Ownership: the book owns its database. Threads: any (one mutex).
 */
#ifndef SPECTRUM_MESHBOX_BOOK_H
#define SPECTRUM_MESHBOX_BOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "meshbox/receipt.h"
#include "primitives/address.h"
#include "util/bytes.h"

struct mb_book;

/* Most entries one mb_book_list returns. */
#define MB_BOOK_LIST_MAX 100000u
/* Encoded value of one entry: far below this. */
#define MB_ENTRY_VALUE_MAX 512u

enum mb_status {
    MB_STORED = 0,      /* not reported in this form yet */
    MB_SENT = 1,        /* in report transaction `tx`, sent at block sent_block */
    MB_ACCEPTED = 2,    /* the registry accepted these units */
    MB_REFUSED = 3,     /* refused: `reason` (1–5 of §3.4; 0: the batch reverted) */
    MB_EXPIRED = 4,     /* its epoch's window closed before it was reported */
};

struct mb_entry {
    struct mb_receipt r;
    enum mb_status status;
    uint8_t reason;
    u256 accepted;          /* units the registry holds for the key (0: none) */
    struct hash32 tx;       /* the last report transaction (zero: none) */
    uint64_t sent_block;    /* head number when it was sent */
};

/* The status's name: "stored", "sent", "accepted", "refused", "expired". */
const char *mb_status_name(enum mb_status s);

/* The name of a ReceiptRefused reason (1 self, 2 signature, 3 client,
 * 4 replay, 5 cap; 0 "batch reverted"), or "unknown". */
const char *mb_reason_name(uint8_t reason);

/* Opens or creates the book in directory dir. Returns 0, ERR_IO (LevelDB's
 * reason, e.g. the directory is held by another node), ERR_UNSUPPORTED (a
 * book of a newer schema), ERR_NOMEM. Out: *out (mb_book_close). */
int mb_book_open(const char *dir, struct mb_book **out);

void mb_book_close(struct mb_book *b);

/*
 * Stores r (already checked by mb_receipt_verify) as the latest receipt of
 * its key, status STORED, keeping what the registry accepted so far.
 * Returns: 0; ERR_INVAL "replay" when the book holds a receipt with units
 *          ≥ r's (context says how many); ERR_IO; ERR_NOMEM.
 * Out: *replaced (may be NULL): a smaller receipt was replaced.
 */
int mb_book_put(struct mb_book *b, const struct mb_receipt *r, bool *replaced);

/* The entry of (provider, client, epoch). Returns 0, ERR_NOTFOUND,
 * ERR_DECODE (a damaged record), ERR_IO, ERR_NOMEM. */
int mb_book_get(struct mb_book *b, const struct address *provider, const struct address *client,
                uint64_t epoch, struct mb_entry *out);

/* The entries of provider with epoch in [from, to], by epoch then client,
 * at most `max` (≤ MB_BOOK_LIST_MAX). Returns 0, ERR_DECODE, ERR_IO,
 * ERR_NOMEM. Out: *out (malloc'd, NULL when *n is 0; free()), *n. */
int mb_book_list(struct mb_book *b, const struct address *provider, uint64_t from, uint64_t to,
                 size_t max, struct mb_entry **out, size_t *n);

/*
 * Writes the status fields (status, reason, accepted, tx, sent_block) of
 * each e[i] onto the stored entry of the same key, in one synchronous
 * batch — but only where the stored receipt still has e[i]'s units; where
 * it grew, only a larger `accepted` is taken and the entry stays STORED.
 * Keys not in the book are skipped. Returns 0, ERR_DECODE, ERR_IO,
 * ERR_NOMEM.
 */
int mb_book_mark(struct mb_book *b, const struct mb_entry *e, size_t n);

/*
 * Deletes provider's entries of epochs before `before`, whatever their
 * status, at most `max` of them (the oldest first), in one synchronous
 * batch: receipts whose reporting window closed long ago serve no report
 * and would otherwise stay on disk forever. Returns 0, ERR_IO, ERR_NOMEM.
 * Out: *removed (may be NULL), how many were deleted (fewer than `max`:
 * none of those epochs is left).
 */
int mb_book_prune(struct mb_book *b, const struct address *provider, uint64_t before, size_t max,
                  size_t *removed);

/* The stored form of an entry's value (its key holds provider, epoch and
 * client): RLP [version, units, sig, status, reason, accepted, tx,
 * sent_block]. */
int mb_entry_encode_value(const struct mb_entry *e, struct bytes *out);

/* Decodes a stored value into e (provider, client and epoch untouched).
 * Bounded: at most MB_ENTRY_VALUE_MAX bytes, exact field sizes, a known
 * version and status. Returns 0 or ERR_DECODE (the reason set). */
int mb_entry_decode_value(const uint8_t *p, size_t len, struct mb_entry *e);

#endif
