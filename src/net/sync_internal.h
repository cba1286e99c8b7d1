/*
 * sync_internal.h — the synchroniser's state, shared by its three files and
 * by nothing else (the public interface is sync.h).
 *
 * Why it is split this way: sync.c holds the life cycle, the peers, the
 * entry points, the window of blocks and the import; sync_ancestor.c every
 * header request (the master's head, the common ancestor, the header
 * download); sync_bodies.c the body requests and the matching of answers.
 * Each part reads the same struct, so it is defined once here.
 *
 * Peers are addressed by their index in `peers` inside the sync (ids are
 * the owner's and only cross the interface). A peer's struct is never freed
 * before sync_free, only marked unused, so a loop over peers stays valid
 * when a callback removes one.
 *
 * Threads: as sync.h (one thread).
 */
#ifndef SPECTRUM_NET_SYNC_INTERNAL_H
#define SPECTRUM_NET_SYNC_INTERNAL_H

#include "net/sync.h"

enum sync_phase {
    SYNC_PH_IDLE,       /* no round */
    SYNC_PH_HEAD,       /* asking the master for its head header */
    SYNC_PH_SPAN,       /* asking for the headers up to min(our head, its head) */
    SYNC_PH_BISECT,     /* binary search for the ancestor, one header a time */
    SYNC_PH_FETCH,      /* headers, bodies and import */
    SYNC_PH_DRAIN,      /* the round ended: waiting for the import batch out */
};

enum sync_slot_state {
    SYNC_SLOT_NEED,         /* header only; body to request */
    SYNC_SLOT_REQUESTED,    /* body asked of peer `owner` */
    SYNC_SLOT_READY,        /* complete, waiting for import */
    SYNC_SLOT_IMPORTING,    /* given to import() */
};

/* One block of the window. */
struct sync_slot {
    struct block blk;       /* header always; body from READY on */
    struct hash32 hash;
    size_t bytes;           /* counted in held_bytes */
    int owner;              /* REQUESTED: peer index asked */
    uint8_t state;          /* enum sync_slot_state */
};

/* One block of a body request, with what its body must hash to. */
struct sync_body_item {
    uint64_t number;
    struct hash32 hash, tx_root, uncle_hash;
};

struct sync_body_req {
    bool active;
    uint64_t gen;           /* the round it belongs to */
    uint64_t deadline;
    size_t n;
    struct sync_body_item items[SYNC_BODY_BATCH];
};

struct sync_peer {
    bool used;
    uint64_t id;
    u256 td;
    struct hash32 head;
    bool excluded;          /* takes no part until it announces a new head */
    unsigned timeouts;      /* consecutive */
    uint64_t rest_until;    /* asked nothing before this time */
    uint64_t lack_from;     /* lacks the bodies of blocks >= this (UINT64_MAX: none) */
    bool announced;         /* ann_hash was announced (sync_peer_announce) and no
                             * round went for it yet */
    struct hash32 ann_hash;
    uint64_t ann_number;
    struct sync_body_req cur;   /* in flight */
    struct sync_body_req old;   /* timed out; a late answer may still match it */
};

/* The header request of the round (only the master is asked headers). */
struct sync_hdr_req {
    bool active;            /* waiting for an answer to q */
    bool sent;              /* in flight (false: timed out, to send again) */
    struct eth_get_headers q;
    uint64_t deadline;
};

struct sync_fault_note {
    uint64_t peer;
    enum sync_fault fault;
    enum sync_severity sev;
    char reason[SYNC_REASON_MAX];
};

struct sync {
    struct sync_config cfg;
    struct sync_callbacks cb;
    uint64_t now;
    bool ticked;            /* sync_tick was called: `now` is a time */

    struct sync_peer *peers[SYNC_MAX_PEERS];    /* allocated on first use */
    size_t rr;                                  /* round-robin start for bodies */

    int depth;              /* nesting of entry points (re-entrant calls) */
    bool dirty;             /* something changed: run the pump again */

    /* the round */
    enum sync_phase phase;
    uint64_t gen;
    int master;             /* peer index, -1 when none */
    u256 master_td;         /* what it announced */
    struct hash32 master_head;
    uint64_t master_number; /* its head's number (from SYNC_PH_HEAD on) */
    uint64_t floor;         /* lowest ancestor allowed */
    uint64_t lo, hi;        /* bisect: lo maybe ours (known when lo_ok), hi not */
    bool lo_ok;
    struct hash32 lo_hash;
    struct sync_hdr_req hreq;
    bool headers_done;      /* the master had no more headers */

    /* the window: cap slots in a ring; slot i is block base + i */
    struct sync_slot *slots;
    size_t cap, head, count;
    uint64_t base;
    struct hash32 tail_hash;    /* hash of block base + count - 1 (the ancestor's
                                 * before the first header) */
    size_t held_bytes;

    /* import */
    size_t importing;       /* blocks of the batch out (0: none) */
    struct sync_block batch[SYNC_IMPORT_BATCH];
    uint64_t import_after;  /* no import before this time */
    unsigned imports_this_call; /* batches started in this outermost call */

    /* progress */
    struct sync_progress prog;
    uint64_t round_start, round_imported, last_log;
    bool prog_changed;

    struct sync_fault_note faults[SYNC_MAX_FAULTS];
    size_t nfaults;

    struct sync_stats stats;
};

/* ---- sync.c ------------------------------------------------------------------ */

/* Queues a penalty for peer index pi (emitted after the current step) and
 * logs it. */
void sync_note_fault(struct sync *s, int pi, enum sync_fault f, enum sync_severity sev,
                     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Peer pi takes no part until it announces a new head; its body requests
 * go back to the others; when it is the master, the round ends. */
void sync_exclude(struct sync *s, int pi);

/* A timeout of peer pi: counts it, makes it rest (doubling), and excludes it
 * after max_timeouts in a row. */
void sync_peer_timed_out(struct sync *s, int pi, const char *what);

/* Ends the round: frees the window (once the import batch out is back),
 * forgets the header request; peers' body requests become stale. */
void sync_round_end(struct sync *s);

/* Removes peer index pi from the sync (gone, or its transport refused a
 * request): its requests go to others; when it was the master the round
 * ends. */
void sync_peer_drop(struct sync *s, int pi);

/* After request_headers / request_bodies returned rc != 0 for peer pi:
 * ERR_BADSTATE (busy) makes it rest until the next tick, anything else
 * drops it. */
void sync_request_failed(struct sync *s, int pi, int rc);

/* The slot of window position i (0 = base). */
static inline struct sync_slot *sync_slot_at(struct sync *s, size_t i)
{
    return &s->slots[(s->head + i) % s->cap];
}

/* True when peer index pi is present and may be asked something now. */
bool sync_peer_ready(const struct sync *s, int pi);

/* The local head through the callback. */
void sync_local(struct sync *s, struct sync_head *h);

/* Appends a header (moved out of *h) to the window, complete at once when
 * its body is empty. The caller checked there is room. */
void sync_window_push(struct sync *s, struct eth_header *h);

/* ---- sync_ancestor.c ------------------------------------------------------- */

/* Starts a round against peer index pi, towards its head (head NULL) or
 * towards the block it announced by hash (head: that hash). */
void sync_round_begin(struct sync *s, int pi, const struct hash32 *head);

/* Sends the header request the phase needs, when none is out. */
void sync_headers_step(struct sync *s);

/* An answer from the master (see sync_on_headers). */
void sync_headers_answer(struct sync *s, struct eth_headers *h);

/* Times the header request out when its deadline passed. */
void sync_headers_timeouts(struct sync *s);

/* ---- sync_bodies.c --------------------------------------------------------- */

/* Hands body requests to the peers that can take one. */
void sync_bodies_step(struct sync *s);

/* An answer from peer index pi (see sync_on_bodies). */
void sync_bodies_answer(struct sync *s, int pi, struct eth_bodies *b);

/* Times out the body requests past their deadline. */
void sync_bodies_timeouts(struct sync *s);

/* The REQUESTED slots of peer pi go back to NEED; its request in flight
 * becomes its old one (stale when `forget`: both are dropped). */
void sync_bodies_release(struct sync *s, int pi, bool forget);

/* The tx root and uncle hash a body hashes to. Returns 0 or ERR_NOMEM. */
int sync_body_roots(const struct block_body *body, struct hash32 *tx_root,
                    struct hash32 *uncle_hash);

/* The roots of an empty body. */
const struct hash32 *sync_empty_tx_root(void);
const struct hash32 *sync_empty_uncle_hash(void);

#endif
