/*
 * chainsvc_internal.h — what the chain service's files share: the service
 * struct, the command record that crosses from a caller's thread to the
 * chain thread, and the chain-thread helpers of each file.
 *
 * Why it is shaped this way: a command is a struct on the CALLER's stack.
 * The caller fills its inputs, queues it (chainsvc_post) and sleeps until
 * the chain thread marks it done; the chain thread writes the outputs and
 * the reason (copied into the record, since the error context is per
 * thread) and never keeps a pointer to it afterwards. So a waited-for
 * command is never allocated, and it cannot outlive its caller. The one
 * exception is a command posted without waiting (chainsvc_post_async): it
 * is on the heap, and the chain thread hands it to its done_fn, which
 * delivers the answer and frees it.
 *
 * Locks (no chainsvc lock is ever taken while another is held): qlock
 * guards the queue and `stopping`; head_lock the published head; ev_lock
 * the event callback, held while it runs. Fields marked "chain thread" are
 * only touched by the chain thread once it runs (and by start/stop around
 * it).
 */
#ifndef SPECTRUM_CHAINSVC_INTERNAL_H
#define SPECTRUM_CHAINSVC_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chainsvc/chainsvc.h"
#include "miner/miner.h"
#include "state/state.h"
#include "storage/trie_db.h"

enum cmd_kind {
    CMD_SUBMIT_TX,
    CMD_SEND_TX,
    CMD_IMPORT,
    CMD_GENERATE,
    CMD_BUILD,
    CMD_POOL_STATUS,
    CMD_POOL_CONTENT,
    CMD_POOL_GET,
    CMD_POOL_NONCE,
};

#define CMD_MSG_MAX 512

struct cmd {
    enum cmd_kind kind;
    struct cmd *next;
    bool done;                  /* under qlock */
    /* Posted without waiting (chainsvc_post_async): the chain thread calls
     * done_fn once and frees the command. */
    void (*done_fn)(struct cmd *c);
    int rc;
    char msg[CMD_MSG_MAX];      /* the chain thread's err_msg() when rc != 0 */

    /* SUBMIT_TX / SEND_TX */
    const uint8_t *raw;
    size_t len;
    bool local;
    bool has_sender;            /* SUBMIT_TX: recovered by the caller's thread */
    /* SUBMIT_TX posted without waiting: the caller recovers the sender
     * after posting, while the chain thread wakes up, and clears this when
     * has_sender and sender are set (chainsvc_await_sender). */
    atomic_bool sender_pending;
    struct txpool_sender sender;
    const struct tx *tmpl;
    const struct address *from;
    bool has_nonce;
    chainsvc_sign_fn sign;
    void *sign_ctx;
    struct hash32 hash;
    enum txpool_reason reason;
    /* IMPORT */
    const struct block *block;
    struct chainsvc_import import;
    /* GENERATE */
    size_t n;
    struct hash32 *hashes;
    size_t made;
    /* BUILD */
    const char *tamper;
    struct bytes *out;
    /* POOL_* */
    size_t pending, queued;
    struct chainsvc_pool_tx *txs;
    size_t ntxs;
    const struct hash32 *query;
    struct chainsvc_pool_tx *one;
    const struct address *addr;
    uint64_t nonce;
};

/* The head's state, for the pool's reader (chain thread). */
struct head_state {
    struct trie_db tdb;
    struct state *st;
};

/* UpdateTip lines one turn of the chain thread may hold (more are written
 * at once), and the length of one. */
#define CHAINSVC_TIP_LOG_LINES 8
#define CHAINSVC_TIP_LOG_LEN 128

struct chainsvc {
    /* Set at start, read-only afterwards. */
    struct db *db;
    const struct chain_params *params;
    struct chain_engine engine;
    uint8_t key[32];
    struct address node_addr;
    bool regtest;
    bool automine;              /* regtest only */
    uint64_t blocktime;         /* regtest only, seconds */
    bool live_mine;             /* not regtest, and -mine */
    size_t max_tx_size;         /* the pool's (txpool_config.max_tx_size) */

    /* Chain thread. */
    struct chain *chain;
    struct txpool *pool;
    struct head_state hs;
    struct txpool_state_reader reader;
    uint64_t next_blocktime_ms; /* 0: no timer */
    uint64_t mine_at_ms;        /* live mining: next attempt (0: none) */
    struct miner_prep prep;     /* the next block's head-only part (-automine) */
    struct vrf_ahead *vrf_ahead; /* the next block's VRF proof (-automine) */
    /* UpdateTip lines held until the turn's callers are answered (their
     * write to the log file is not on a caller's path); see chainsvc_tip_log. */
    bool tip_log_defer;         /* set on the chain thread's loop */
    size_t ntip_log;
    char tip_log[CHAINSVC_TIP_LOG_LINES][CHAINSVC_TIP_LOG_LEN];

    /* The thread and its queue. */
    pthread_t thread;
    bool thread_started;
    pthread_mutex_t qlock;
    pthread_cond_t qcond;       /* the chain thread waits here */
    pthread_cond_t done_cond;   /* callers wait here */
    struct cmd *qhead, *qtail;
    bool stopping;
    atomic_bool stop_flag;      /* for waits inside a command */

    /* Published head. */
    pthread_mutex_t head_lock;
    struct chainsvc_head pub;

    /* Events. */
    pthread_mutex_t ev_lock;
    chainsvc_event_fn ev_fn;
    void *ev_ctx;

    atomic_bool mining;
};

/* ---- chainsvc.c --------------------------------------------------------- */

/* Queues c and waits until the chain thread ran it; returns c->rc with the
 * reason put back into this thread's error context. */
int chainsvc_post(struct chainsvc *s, struct cmd *c);

/* Queues c (heap-allocated, c->done_fn set) without waiting. Returns 0, or
 * ERR_BADSTATE when the service is stopping (c is then not queued and still
 * the caller's). */
int chainsvc_post_async(struct chainsvc *s, struct cmd *c);

/* Waits until c's caller has set its sender (c->sender_pending false): a
 * short computation on another thread, so a spin, yielding after a while. */
void chainsvc_await_sender(struct cmd *c);

/* Milliseconds of the wall clock. */
uint64_t chainsvc_now_ms(void);

/* Copies the chain's head into the published snapshot. Returns 0 or
 * ERR_NOMEM (the previous snapshot stays). */
int chainsvc_publish_head(struct chainsvc *s);

/* Calls the event callback under ev_lock (nothing when none is set). */
void chainsvc_emit(struct chainsvc *s, const struct chainsvc_event *ev);

/* ---- chainsvc_head.c ---------------------------------------------------- */

/* (Re)opens s->hs on the chain's head state and points s->reader at it. */
int chainsvc_head_state_open(struct chainsvc *s);

/* The UpdateTip line of a new head: held while s->tip_log_defer (the chain
 * thread's loop writes the held lines with chainsvc_tip_log_flush once the
 * turn's async callers are answered, and before any waiting caller is told
 * done, so that a caller who sees its block can see its line), written at
 * once otherwise or when the hold is full. Thread: chain. */
void chainsvc_tip_log(struct chainsvc *s, const char *line);
void chainsvc_tip_log_flush(struct chainsvc *s);
void chainsvc_head_state_close(struct chainsvc *s);

/* Imports b and, when the head moved, does the head-change work (pool,
 * published head, log lines, event, mining schedule). Logs rejections. */
int chainsvc_do_import(struct chainsvc *s, const struct block *b, struct chainsvc_import *out);

void chainsvc_run_import(struct chainsvc *s, struct cmd *c);

/* The work after a block r was stored (old_head: the head before; b: the
 * block, for its tx count): the head change (pool, published head, logs,
 * events) or the side-block log line; fills *out. */
void chainsvc_after_import(struct chainsvc *s, const struct chain_import_result *r,
                           const struct hash32 *old_head, const struct block *b,
                           struct chainsvc_import *out);

/* ---- chainsvc_mine.c ---------------------------------------------------- */

/* Builds a block with the node key and imports it. Waits (at most
 * max_wait_s seconds) when the block's time lies ahead. Out: hash and
 * included (pool transactions in it); both may be NULL. */
int chainsvc_mine_one(struct chainsvc *s, uint64_t max_wait_s, struct hash32 *hash,
                      size_t *included);

/* -automine: blocks for the transactions a batch of submit commands just
 * added (chainsvc.c runs the batch, then this once). */
void chainsvc_automine(struct chainsvc *s);

/* Prepares the next block's head-only part (miner_prepare) unless it is
 * ready for the current head; run while submitters are being answered. */
void chainsvc_prepare_next(struct chainsvc *s);

/* Recomputes when the live miner tries next (after a head change, at
 * start). */
void chainsvc_schedule_mining(struct chainsvc *s);

/* The earliest timer deadline in ms (0: none). */
uint64_t chainsvc_next_deadline(const struct chainsvc *s);

/* Runs the timers that are due at now_ms. */
void chainsvc_run_timers(struct chainsvc *s, uint64_t now_ms);

void chainsvc_run_generate(struct chainsvc *s, struct cmd *c);
void chainsvc_run_build(struct chainsvc *s, struct cmd *c);

/* ---- chainsvc_pool.c ---------------------------------------------------- */

void chainsvc_run_submit(struct chainsvc *s, struct cmd *c);
void chainsvc_run_send(struct chainsvc *s, struct cmd *c);
void chainsvc_run_pool_status(struct chainsvc *s, struct cmd *c);
void chainsvc_run_pool_content(struct chainsvc *s, struct cmd *c);
void chainsvc_run_pool_get(struct chainsvc *s, struct cmd *c);
void chainsvc_run_pool_nonce(struct chainsvc *s, struct cmd *c);

#endif
