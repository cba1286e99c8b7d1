/*
 * sync.h — the block synchroniser: which headers and bodies to ask which
 * peer for, checking what comes back, and handing complete blocks to the
 * chain strictly in order.
 *
 * Why it is shaped this way: sync is policy over messages, and policy is
 * what needs tests (peers that vanish, lie, stall; reorgs; memory bounds).
 * So it is a pure state machine with no sockets, no threads and no clock of
 * its own: the owner (the peer layer) feeds it events (a peer appears with
 * the TD and head of its Status, a peer announces more TD, a peer leaves,
 * an answer arrives, time passes) and it acts through callbacks the owner
 * provides (send a request, import blocks, penalise a peer). A test drives
 * it with a simulated network; the node drives it from the p2p thread.
 *
 * The algorithm (one "round" at a time, against one "master" peer):
 *   1. Pick the peer with the highest TD, if it is above our head's TD
 *      (else a peer that announced a block we lack: see below).
 *   2. Learn the number of its head: GetBlockHeaders(its head hash, 1).
 *   3. Find the common ancestor: the 192 headers up to min(our head, its
 *      head) in one request; when none of them is a block we have, a binary
 *      search by number (one header per request) down to our head minus
 *      max_reorg (default 90,000, geth's MaxForkAncestry). A fork deeper
 *      than that is not followed. has_block() decides what "we have" means:
 *      any imported block, canonical or not, so an interrupted sync of a
 *      side chain resumes where it stopped.
 *   4. Download headers from the master in batches of up to 192, by
 *      number; each batch must continue the previous one (numbers
 *      consecutive, parent hashes linking). Headers go into a window of at
 *      most `window` blocks (default 2,048).
 *   5. Fetch the bodies of the window's blocks from every useful peer in
 *      parallel: at most 128 per request, at most one body request in
 *      flight per peer. A block whose header says its body is empty (empty
 *      tx root and uncle hash) is complete without a request. A body is
 *      matched to a requested header by content (tx root and uncle hash,
 *      recomputed), so a peer that skips blocks it lacks (as geth does)
 *      or stops early (its 2 MiB soft limit) is understood; a body that
 *      matches none of the requested headers is the sender's fault.
 *   6. Hand the complete blocks at the front of the window to import(), in
 *      order, up to 64 at a time, one batch in flight; the owner reports
 *      each block's fate with sync_import_done (synchronously from inside
 *      import(), or later from another event).
 *   7. When the master answers a header request with nothing, the round
 *      ends once everything downloaded is imported; if our TD then is below
 *      what the master announced, the master lied (SYNC_FAULT_TD).
 * A new round starts whenever some peer's TD is above ours again, or, when
 * none is, whenever a peer announced by hash (sync_peer_announce) a block
 * above our head that we still lack: NewBlockHashes carries no TD, and an
 * announcement the owner could not fetch at once (the peer busy with one of
 * our requests) must not be forgotten, or we stay a block behind until the
 * next one comes. Such a round goes towards the announced block.
 *
 * Faults. Every peer misbehaviour is reported through penalize() with a
 * fault and a severity; the owner turns that into misbehaviour points
 * (peer_score.h) and disconnects. SYNC_SEV_FATAL faults cannot come from an
 * honest peer (headers not as asked, bodies matching nothing asked, a block
 * the chain rejects): disconnect and ban. SYNC_SEV_MINOR ones can (a timeout
 * on a slow link, a peer whose chain changed under us): count them, ban
 * only when they pile up. Either way the sync stops using the peer: after a
 * fatal fault or SYNC_FAULT_STALLING / SYNC_FAULT_TD it is "excluded" until
 * it announces a new head (sync_peer_update); after a timeout it rests
 * (backoff_ms, doubling up to backoff_max_ms) and after max_timeouts
 * consecutive ones it is excluded. A fault of the master ends the round
 * (what was imported stays; the next round finds the ancestor again,
 * usually in one request).
 *
 * Bounds: at most SYNC_MAX_PEERS peers; at most `window` blocks held
 * (headers waiting for bodies, complete blocks waiting for import, blocks
 * being imported); the bodies and header extras held are capped at
 * max_bytes (estimated decoded size), which answers already in flight may
 * pass by at most one answer (128 bodies) per peer; one header request and
 * one body request per peer in flight; every request has a deadline (a
 * late answer to a timed-out request is still used when it matches); at
 * most SYNC_MAX_FAULTS penalties queued between callbacks.
 *
 * Re-entrancy: callbacks may call back into the sync (sync_peer_remove from
 * penalize(), sync_import_done from import(), even an answer from inside
 * request_headers() in a test): a call made from inside a callback only
 * updates the state, and the outermost call carries on from there. The
 * callbacks must not call sync_free.
 *
 * Ownership: the sync owns the headers and bodies it keeps (moved out of
 * the caller's decoded messages) and frees them; blocks given to import()
 * stay owned by the sync and valid until sync_import_done reports them.
 *
 * Threads: every function here, and every callback, runs on one thread
 * (the p2p thread). The sync is not locked; for eth_syncing the owner
 * publishes what the progress() callback gives it.
 */
#ifndef SPECTRUM_NET_SYNC_H
#define SPECTRUM_NET_SYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/eth_msg.h"
#include "primitives/address.h"
#include "primitives/block.h"
#include "primitives/u256.h"

struct sync;

#define SYNC_MAX_PEERS 128
#define SYNC_HEADER_BATCH ETH_MAX_HEADERS   /* 192 headers per request */
#define SYNC_BODY_BATCH ETH_MAX_BODIES      /* 128 bodies per request */
#define SYNC_IMPORT_BATCH 64                /* blocks per import() call */
#define SYNC_IMPORTS_PER_CALL 8             /* import() calls per entry point call */
#define SYNC_MAX_FAULTS 64                  /* penalties queued between callbacks */
#define SYNC_REASON_MAX 160                 /* longest penalty reason, with NUL */

/* ---- configuration ---------------------------------------------------------- */

struct sync_config {
    size_t window;              /* most blocks held; default 2048, at least 1 */
    size_t max_bytes;           /* cap on bodies + header extras held (estimated
                                 * decoded bytes); default 128 MiB */
    uint64_t max_reorg;         /* deepest fork searched below our head; 90000 */
    uint64_t timeout_ms;        /* an unanswered request times out; 10000 */
    uint64_t backoff_ms;        /* a peer's rest after its first timeout; 1000 */
    uint64_t backoff_max_ms;    /* the rest doubles up to this; 30000 */
    unsigned max_timeouts;      /* consecutive timeouts before exclusion; 3 */
    uint64_t retry_ms;          /* wait before importing again after a block from
                                 * the future or a local error; 1000 */
    uint64_t log_interval_ms;   /* progress lines in debug.log at most this often
                                 * (0: never); 5000 */
};

/* Fills cfg with the defaults above. */
void sync_config_default(struct sync_config *cfg);

/* ---- what the owner provides ---------------------------------------------------- */

/* The local head as the chain sees it now. */
struct sync_head {
    uint64_t number;
    struct hash32 hash;
    u256 td;
};

/* A complete block handed to import(): the block and its hash (keccak256 of
 * its header's encoding). */
struct sync_block {
    const struct block *block;
    struct hash32 hash;
};

/* What became of one block given to import(). */
enum sync_import_status {
    SYNC_IMPORT_OK,             /* imported (head, side chain or reorg) */
    SYNC_IMPORT_KNOWN,          /* already stored */
    SYNC_IMPORT_INVALID,        /* rejected: the chain that holds it is bad */
    SYNC_IMPORT_UNKNOWN_PARENT, /* its parent is not stored */
    SYNC_IMPORT_FUTURE,         /* its time is ahead of ours: retried later */
    SYNC_IMPORT_ERROR,          /* a local failure (database, memory, stopping):
                                 * retried later, nobody's fault */
};

enum sync_fault {
    SYNC_FAULT_TIMEOUT,         /* a request unanswered in time (minor) */
    SYNC_FAULT_STALLING,        /* max_timeouts in a row, or withholding blocks
                                 * its own announcements imply (minor) */
    SYNC_FAULT_BAD_HEADERS,     /* headers not as asked or not linking (fatal;
                                 * minor when only the link to the previous
                                 * batch breaks: its chain may have changed) */
    SYNC_FAULT_BAD_BODIES,      /* a body matching none of the requested
                                 * headers, or more bodies than asked (fatal) */
    SYNC_FAULT_INVALID_BLOCK,   /* its chain holds a block ours rejects (fatal) */
    SYNC_FAULT_TD,              /* its chain ended below the TD it announced,
                                 * or its fork is deeper than max_reorg (minor) */
};

enum sync_severity {
    SYNC_SEV_MINOR,             /* honest peers do it sometimes: count it */
    SYNC_SEV_FATAL,             /* honest peers never do it: disconnect, ban */
};

/* Progress, for the log and for eth_syncing. Positions are along the
 * master's chain: the same as our head's number when we are merely behind,
 * and still meaningful during a reorg (where our head's number may be
 * above the fork and even above the master's head until its chain wins). */
struct sync_progress {
    bool syncing;               /* a round is running */
    uint64_t starting_block;    /* the common ancestor (our head's number
                                 * until the ancestor is found) */
    uint64_t current_block;     /* the last block of the master's chain this
                                 * round imported (or found stored) */
    uint64_t highest_block;     /* the highest block the master has shown */
    double rate;                /* blocks imported per second in this round */
    uint64_t eta_s;             /* seconds left at that rate (0: unknown) */
    size_t peers;               /* peers taking part (not excluded) */
};

struct sync_callbacks {
    void *ctx;                  /* given back to every callback */

    /* Sends GetBlockHeaders q to peer. Returns 0 when it was sent (or
     * queued); ERR_BADSTATE when the peer cannot take it now (a request of
     * that kind of the owner's own is out): the sync tries again after the
     * next tick; anything else means the peer cannot be used (it is
     * treated as removed). Required. */
    int (*request_headers)(void *ctx, uint64_t peer, const struct eth_get_headers *q);

    /* Sends GetBlockBodies for the n (1..SYNC_BODY_BATCH) hashes, which are
     * valid during the call only. Returns as request_headers. Required. */
    int (*request_bodies)(void *ctx, uint64_t peer, const struct hash32 *hashes, size_t n);

    /* Imports n (1..SYNC_IMPORT_BATCH) blocks, oldest first, each the child
     * of the one before (the first's parent was imported by an earlier
     * batch or found stored). The blocks stay valid until the owner calls
     * sync_import_done, from inside this call or later; no other batch is
     * given before that. An owner that imports inside the call blocks its
     * thread meanwhile: the sync starts at most SYNC_IMPORTS_PER_CALL
     * batches per entry point call and goes on at the next one (a tick). An owner that hands the
     * batch to another thread and reports from an event keeps downloading
     * while the chain imports. Required. */
    void (*import)(void *ctx, const struct sync_block *blocks, size_t n);

    /* Reports a fault of peer; reason is one line, valid during the call.
     * The owner scores it and may call sync_peer_remove from here.
     * Required. */
    void (*penalize)(void *ctx, uint64_t peer, enum sync_fault fault,
                     enum sync_severity sev, const char *reason);

    /* Writes the local head (number, hash, TD) to *out. Required. */
    void (*local_head)(void *ctx, struct sync_head *out);

    /* True when the block (hash, number) is imported, on any branch: it is
     * stored with its state, so a block on top of it can be imported.
     * Required. */
    bool (*has_block)(void *ctx, const struct hash32 *hash, uint64_t number);

    /* Progress changed (a round began or ended, blocks were imported). For
     * the owner to publish for eth_syncing. May be NULL. */
    void (*progress)(void *ctx, const struct sync_progress *p);
};

/* ---- life cycle ------------------------------------------------------------------ */

/*
 * Creates a synchroniser.
 * Args: cfg  NULL for the defaults; copied. A window of 0 is ERR_INVAL.
 *       cb   copied; every callback marked required must be set (ERR_INVAL).
 * Returns 0, ERR_INVAL or ERR_NOMEM (the window is allocated here:
 * about 650 bytes per block of window, 1.3 MB by default; each peer takes
 * about 27 KB more when it is added). Out: *out (sync_free).
 */
int sync_new(const struct sync_config *cfg, const struct sync_callbacks *cb, struct sync **out);

/* Frees everything the sync holds, blocks being imported included (the
 * owner must not be importing them any more). No callback is called. NULL
 * is ignored. */
void sync_free(struct sync *s);

/* ---- events from the owner ------------------------------------------------------- */

/*
 * A peer finished its eth handshake: its Status TD and head hash. Peer ids
 * are the owner's (any value, unique among present peers).
 * Returns 0; ERR_INVAL (the id is already present); ERR_RANGE (SYNC_MAX_PEERS
 * present: this peer takes no part in sync, nothing else changes);
 * ERR_NOMEM.
 */
int sync_peer_add(struct sync *s, uint64_t peer, const u256 *td, const struct hash32 *head);

/*
 * A peer announced a block with its TD (NewBlock; or the owner learned a
 * higher TD otherwise). When td is above what the peer had: td and head are
 * taken, the peer is no longer excluded, its timeout count is cleared, and
 * if it is the master of a round that saw the end of its chain, the round
 * asks for more headers. A TD not above the peer's is ignored, as is an
 * unknown peer.
 */
void sync_peer_update(struct sync *s, uint64_t peer, const u256 *td, const struct hash32 *head);

/*
 * A peer announced a block by hash and number (NewBlockHashes), which the
 * owner could not fetch itself at once (its own fetch of that peer's blocks
 * busy, or the peer busy with a request of ours). The sync remembers the
 * newest announcement per peer (the highest number; a later one of a lower
 * number is ignored) and, with no round running and no peer's TD above
 * ours, begins a round towards it when it is above our head's number and
 * has_block() says we lack it (a round consumes it; one we come to have
 * meanwhile is forgotten). A new announcement makes the peer take part
 * again when it was excluded; if it is the master of a round that saw the
 * end of its chain, the round asks for more headers. An unknown peer is
 * ignored.
 */
void sync_peer_announce(struct sync *s, uint64_t peer, const struct hash32 *hash,
                        uint64_t number);

/* A peer disconnected. Its requests are given to others; when it was the
 * master, the round ends. An unknown peer is ignored. */
void sync_peer_remove(struct sync *s, uint64_t peer);

/*
 * A BlockHeaders answer from peer, as decoded by eth_block_headers_decode
 * (each item's hash must be keccak256 of its encoding, as the decoder
 * computes it).
 * Returns 0 when the sync consumed it: it is checked against the request
 * it answers (faults are reported through penalize), and the headers kept
 * are moved out of h (their items are left zeroed; the caller still calls
 * eth_headers_free). ERR_NOTFOUND when the sync asked this peer for no
 * headers (an answer to the owner's own request, or unrequested); nothing
 * is taken then.
 */
int sync_on_headers(struct sync *s, uint64_t peer, struct eth_headers *h);

/*
 * A BlockBodies answer from peer, as decoded by eth_block_bodies_decode.
 * Returns 0 when consumed (the bodies kept are moved out of b, items left
 * zeroed; the caller still calls eth_bodies_free); also for a late answer
 * to a request that timed out or belonged to an ended round. ERR_NOTFOUND
 * when the sync asked this peer for no bodies; nothing is taken then.
 */
int sync_on_bodies(struct sync *s, uint64_t peer, struct eth_bodies *b);

/*
 * The owner's transport gave up on the sync's GetBlockHeaders (headers
 * true) or GetBlockBodies request to peer (its own request timer, e.g.
 * peer.h's PEER_REQUEST_TIMEOUT): the sync counts it as a timeout now, as
 * it would at its own deadline. Ignored when no such request is out.
 */
void sync_on_timeout(struct sync *s, uint64_t peer, bool headers);

/*
 * The fate of the blocks of the batch import() was given: st[i] for block
 * i, i < n. n may be smaller than the batch when the owner stopped at a
 * failure (the last status then says which); blocks after it were not
 * tried. Ignored when no batch is out (ERR-free: a stray call changes
 * nothing). n == 0 counts as a local error (retried later).
 */
void sync_import_done(struct sync *s, const enum sync_import_status *st, size_t n);

/*
 * Time passes: now_ms on any monotonic clock, never going back (a smaller
 * value is ignored). Requests past their deadline time out here, resting
 * peers wake up, imports paused by a block from the future resume, import
 * goes on after SYNC_IMPORTS_PER_CALL batches, and a progress line is
 * logged when due. Call it every 100-1000 ms, and once right after
 * sync_new: no round begins before the first tick. Requests sent between
 * ticks are stamped with the last tick's time.
 */
void sync_tick(struct sync *s, uint64_t now_ms);

/* ---- questions --------------------------------------------------------------------- */

/* True when the sync waits for a BlockHeaders (resp. BlockBodies) answer
 * from peer: the owner routes answers with these when it has requests of
 * its own (it must not have one of the same kind in flight to that peer
 * while the sync has). */
bool sync_expects_headers(const struct sync *s, uint64_t peer);
bool sync_expects_bodies(const struct sync *s, uint64_t peer);

/* True while a round runs. */
bool sync_active(const struct sync *s);

/* The current progress (what progress() was last given, refreshed). */
void sync_get_progress(const struct sync *s, struct sync_progress *out);

/* Counters since sync_new, for tests, the benchmark and admin RPCs. */
struct sync_stats {
    uint64_t rounds;            /* rounds begun */
    uint64_t header_requests, body_requests;
    uint64_t headers_in, bodies_in;     /* headers and bodies accepted */
    uint64_t imported, known;           /* blocks by import status */
    uint64_t timeouts, faults;          /* timeouts seen, penalties reported */
    size_t held, held_bytes;            /* blocks and bytes held now */
    size_t peak_held, peak_bytes;       /* their maxima since sync_new */
};

void sync_get_stats(const struct sync *s, struct sync_stats *out);

/* Static names for logs ("timeout", "bad headers", ...; "ok", "invalid",
 * ...). */
const char *sync_fault_name(enum sync_fault f);
const char *sync_import_status_name(enum sync_import_status st);

/*
 * The import status for what chainsvc_import_block (or chain_import_block)
 * returned: 0 -> OK (KNOWN when known is true, i.e. the import said
 * CHAIN_INSERT_KNOWN); ERR_NOTFOUND -> UNKNOWN_PARENT; ERR_BADSTATE ->
 * FUTURE (also "stopping": the retry is harmless); ERR_INVAL, ERR_CRYPTO,
 * ERR_UNSUPPORTED, ERR_DECODE, ERR_RANGE -> INVALID; anything else -> ERROR.
 */
enum sync_import_status sync_import_status_of(int rc, bool known);

/* Writes the progress line ("Sync: block 1200 of 2000 (60.0%), 350.0
 * blocks/s, ETA 2s, 2 peers") into buf (size bytes, NUL-terminated,
 * truncated when too small). */
void sync_format_progress(const struct sync_progress *p, char *buf, size_t size);

#endif
