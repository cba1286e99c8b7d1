/*
 * service.h — the MeshBox node side (doc/meshbox.md §3.4, §9): it takes the
 * service receipts the box's clients give it, keeps the latest of each in
 * the receipt book (book.h), and reports them to the registry in batches
 * signed by the node key, reading each batch's verdict back from the chain.
 *
 * When it reports. On every new head (and every MB_SERVICE_TICK_MS), one
 * step, at most one per MB_SERVICE_REST_MS: (1) the verdicts of report
 * transactions that were mined are read from their logs; a report not
 * mined MB_RESEND_BLOCKS after it was sent is sent again; (2) receipts
 * whose window closed unreported become EXPIRED; (3) if no report is
 * waiting to be mined, every receipt STORED for the epoch E of the next
 * block or for E−1 goes out, one transaction per epoch and at most
 * MB_REPORT_BATCH_MAX receipts each, the older epoch first. Reporting
 * early is harmless (receipts are cumulative), and a box must report
 * before E+1 ends; a report in flight at a time keeps the node's nonces
 * simple and its gas bounded. A report that cannot be sent
 * (the box has no SMT for gas, the pool refuses it) is tried again
 * MB_RETRY_BLOCKS later. (4) The book keeps the receipts of the last
 * keep_epochs epochs (-meshboxkeep): older ones, long past any report, are
 * deleted, at most MB_PRUNE_MAX per step.
 *
 * The node key pays the gas: the box's address must hold SMT.
 *
 * Ownership: the service owns its book and thread; the chain service must
 * outlive it. Threads: mb_service_start / stop from the owner's thread;
 * everything else from any thread; mb_service_on_head is safe on the chain
 * thread (it only sets a flag, and signals unless the thread rests).
 */
#ifndef SPECTRUM_MESHBOX_SERVICE_H
#define SPECTRUM_MESHBOX_SERVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "meshbox/book.h"
#include "meshbox/receipt.h"

struct chainsvc;
struct mb_service;

#define MB_SERVICE_TICK_MS 2000u
/* Least time between two steps of the thread: heads that come meanwhile
 * make one step after it (service.c). */
#define MB_SERVICE_REST_MS 20u
#define MB_RESEND_BLOCKS 20u
/* After a report could not be sent (no gas money, a full pool), the next
 * try waits this many blocks. */
#define MB_RETRY_BLOCKS 10u
/* Epochs the receipt book keeps by default (-meshboxkeep): 1,000 epochs of
 * the registry's 100 blocks are about two weeks of a 14 s chain. At least
 * MB_KEEP_EPOCHS_MIN: the epochs a step still lists (E−2 … E). */
#define MB_KEEP_EPOCHS_DEFAULT 1000u
#define MB_KEEP_EPOCHS_MIN 3u
/* Most receipts one step deletes (the rest go in the next steps). */
#define MB_PRUNE_MAX 1000u

struct mb_service_stats {
    uint64_t reports_sent;          /* report transactions since start */
    uint64_t receipts_sent;         /* receipts in them */
    bool has_last;
    struct hash32 last_tx;          /* the last report transaction */
    uint64_t last_block;            /* the head when it was sent */
};

/* Starts the service with its book in directory dir, when the chain has
 * MeshBox weighting (meshbox_epoch and the registry set); otherwise does
 * nothing and leaves *out NULL. keep_epochs: how many epochs of receipts
 * the book keeps (0: all; below MB_KEEP_EPOCHS_MIN counts as that).
 * Returns 0, mb_book_open's errors, ERR_NOMEM, ERR_BADSTATE (no thread). */
int mb_service_start(const char *dir, struct chainsvc *chain, uint64_t keep_epochs,
                     struct mb_service **out);

/* Stops the thread (after the step under way) and closes the book. NULL is
 * ignored. */
void mb_service_stop(struct mb_service *s);

/* Wakes the reporter: a new head. NULL is ignored. */
void mb_service_on_head(struct mb_service *s);

/*
 * Takes a receipt from a client: it must name this node as provider, be
 * for the epoch of the next block or the one before (the ones the registry
 * still takes), carry a valid signature of its client for this chain
 * (mb_receipt_verify), and have more units than the one the book holds.
 * Returns: 0 (stored durably); ERR_INVAL / ERR_CRYPTO with the reason; the
 *          book's errors. Out: *replaced (may be NULL).
 */
int mb_service_submit(struct mb_service *s, const struct mb_receipt *r, bool *replaced);

/* Runs one step now (above), as a new head would. Out: *txs, *receipts:
 * what this step sent (each may be NULL). Returns 0 or the first error. */
int mb_service_step(struct mb_service *s, size_t *txs, size_t *receipts);

struct mb_book *mb_service_book(struct mb_service *s);
void mb_service_stats(struct mb_service *s, struct mb_service_stats *out);

/* epoch(head + 1), the epoch receipts are being made for now. */
uint64_t mb_service_epoch(struct mb_service *s);

#endif
