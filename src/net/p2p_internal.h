/*
 * p2p_internal.h — the p2p service's state, shared by its files:
 * p2p.c (thread, listener, dialer, peer set, queues from other threads),
 * p2p_eth.c (eth message handlers and propagation), p2p_fetch.c
 * (fetching the missing ancestors of an announced block), p2p_sync.c (the
 * block synchroniser, net/sync.h, driven from the p2p thread, and its
 * import worker) and p2p_disc.c (discovery v4 feeding the dialer). Not a
 * public header: everything here belongs to the p2p thread unless a field
 * says "mu" (or "imp_mu").
 */
#ifndef SPECTRUM_NET_P2P_INTERNAL_H
#define SPECTRUM_NET_P2P_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chain/params.h"
#include "net/enode.h"
#include "net/p2p.h"
#include "net/peer.h"
#include "net/peer_score.h"
#include "net/sync.h"
#include "primitives/header.h"
#include "storage/db.h"

struct discv4;
struct evconnlistener;

/* Fetching the ancestors of a block from one peer (p2p_fetch.c). */
struct p2p_fetch {
    bool active;
    bool bodies;                /* phase: headers collected, bodies next */
    struct hash32 target;       /* the block that started it */
    struct hash32 expect;       /* the hash the next header must have */
    struct header *headers;     /* newest first; P2P_MAX_ANCESTORS */
    struct hash32 *hashes;
    size_t n;                   /* headers collected */
    size_t imported;            /* from the oldest */
    size_t asked;               /* bodies in the outstanding request */
};

/* The service's per-peer state (peer->owner_data). */
struct p2p_peer {
    struct p2p_fetch fetch;
    bool in_sync;               /* added to the synchroniser (p2p_sync.c) */
    uint64_t headers_served;    /* sync answers taken from this peer */
    uint64_t bodies_served;
};

/* A block gap (in blocks of our head's difficulty) above which catching up
 * with a peer is the synchroniser's job, not the ancestor fetch's. */
#define P2P_SYNC_GAP 32
/* Discovered nodes remembered for dialing, and how long one that was
 * dialed is left alone (seconds). */
#define P2P_DISC_CANDIDATES 64
#define P2P_DISC_REDIAL 30

struct p2p_disc_candidate {
    struct enode node;
    int64_t last_dial;          /* 0: never dialed */
};

struct p2p_static {
    struct enode node;
    int64_t next_dial;
    int64_t backoff;
};

struct p2p_txq {
    struct hash32 hash;
    uint8_t *raw;
    size_t len;
};

#define P2P_HEADQ_MAX 16
#define P2P_ADDQ_MAX 16

struct p2p {
    struct chainsvc *chain;
    struct db *db;
    const struct chain_params *params;
    struct hash32 genesis;
    struct peer_config pcfg;
    struct peer_callbacks pcb;
    size_t max_peers, max_inbound;
    int64_t ban_seconds;
    bool listen;
    struct enode self;              /* immutable after start */
    char listen_text[80];

    struct event_base *base;
    struct evconnlistener *listener;
    struct event *wake;
    struct event *tick;
    pthread_t thread;
    bool thread_started;

    pthread_mutex_t mu;
    /* mu: */
    bool stopping;
    struct enode addq[P2P_ADDQ_MAX];
    size_t naddq;
    struct hash32 headq[P2P_HEADQ_MAX];
    size_t nheadq;
    struct p2p_txq *txq;
    size_t ntxq;
    struct p2p_peer_info *pub;
    size_t npub;

    /* p2p thread: */
    struct peer **peers;
    size_t npeers, cap_peers;
    struct p2p_static statics[P2P_MAX_STATIC];
    size_t nstatics;
    struct peer_banlist bans;
    uint64_t serial;
    uint64_t rng;

    /* The synchroniser (p2p_sync.c). sync and its events belong to the p2p
     * thread; the import worker takes one batch at a time under imp_mu. */
    struct sync *sync;
    struct event *sync_tick;
    struct event *sync_done;        /* the worker finished a batch */
    pthread_t imp_thread;
    bool imp_init, imp_started;
    pthread_mutex_t imp_mu;
    pthread_cond_t imp_cond;
    /* imp_mu: */
    bool imp_stop;
    const struct sync_block *imp_blocks;    /* the batch to import (owned by sync) */
    size_t imp_n;
    bool imp_done;
    int imp_status[SYNC_IMPORT_BATCH];      /* enum sync_import_status */
    size_t imp_nstatus;
    /* mu: what eth_syncing reads */
    struct sync_progress sync_pub;

    /* Discovery (p2p_disc.c), NULL when off. */
    struct discv4 *disc;
    struct p2p_disc_candidate cands[P2P_DISC_CANDIDATES];
    size_t ncands;
};

/* p2p.c: rebuilds the published peer list (admin_peers). */
void p2p_publish(struct p2p *s);
/* p2p.c: a random 64-bit number (not for keys). */
uint64_t p2p_random(struct p2p *s);
/* p2p.c: our current head's total difficulty and hash. */
void p2p_our_head(struct p2p *s, u256 *td, struct hash32 *hash);

/* p2p_eth.c: an eth message from a READY peer (not Status, not an answer). */
void p2p_eth_message(struct p2p *s, struct peer *p, uint64_t code, const uint8_t *payload,
                     size_t len);
/* p2p_eth.c: announces a new head block to the peers that lack it. */
void p2p_propagate_block(struct p2p *s, const struct hash32 *hash);
/* p2p_eth.c: relays queued transactions to the peers that lack them. */
void p2p_propagate_txs(struct p2p *s, const struct p2p_txq *txs, size_t n);

/* p2p_fetch.c: fetches the unknown ancestors of `target` from p (and the
 * block itself), then imports them oldest first. Nothing when a fetch from
 * p is running or p is busy. */
void p2p_fetch_start(struct p2p *s, struct peer *p, const struct hash32 *target);
/* p2p_fetch.c: the same, for a target whose number is known (0: unknown). */
void p2p_fetch_start_at(struct p2p *s, struct peer *p, const struct hash32 *target,
                        uint64_t number);
/* p2p_fetch.c: drops a fetch's state (the peer closed). */
void p2p_fetch_free(struct p2p_fetch *f);

/* p2p.c: dials n as a peer found by discovery (not static). */
void p2p_dial_node(struct p2p *s, const struct enode *n);
/* p2p.c: true while a connection to node id is open or being made. */
bool p2p_connected_to(const struct p2p *s, const uint8_t id[64]);
/* p2p.c: connections not closing (any state up to READY). */
size_t p2p_live_peers(const struct p2p *s);

/* p2p_sync.c: creates the synchroniser, its 200 ms tick and its import
 * worker (before the p2p thread starts). Returns 0, ERR_NOMEM,
 * ERR_BADSTATE (no worker thread). */
int p2p_sync_start(struct p2p *s);
/* p2p_sync.c: stops the worker and frees the synchroniser (after the p2p
 * thread stopped; fine after a partial p2p_sync_start). */
void p2p_sync_stop(struct p2p *s);
/* p2p_sync.c: peer events: READY (its Status), a higher TD (NewBlock),
 * gone (before it is freed). */
void p2p_sync_peer_ready(struct p2p *s, struct peer *p);
void p2p_sync_peer_update(struct p2p *s, struct peer *p);
void p2p_sync_peer_closed(struct p2p *s, struct peer *p);
/* p2p_sync.c: true when catching up with p is the synchroniser's job: p's
 * TD is more than P2P_SYNC_GAP blocks (of our head's difficulty) above
 * ours, or a round runs and the announced block `number` (0: unknown) is
 * more than P2P_SYNC_GAP above our head. The ancestor fetch then stays out
 * of the way; for a small gap it runs even during a round (a block only
 * announced by hash carries no TD the sync could follow). */
bool p2p_sync_owns_catchup(struct p2p *s, const struct peer *p, uint64_t number);
/* p2p_sync.c: true while a sync round runs. */
bool p2p_sync_running(const struct p2p *s);
/* p2p_sync.c: true when a new head is not worth announcing: a round runs
 * and the block is below the highest block the master has shown (its
 * peers have it; the tip itself is announced). */
bool p2p_sync_old_news(struct p2p *s, const struct hash32 *hash);

/* p2p_disc.c: starts discovery v4 on the UDP port (cfg->discovery), with
 * cfg->bootnodes or the network's. Returns 0 (also when off), or
 * discv4_start's error. */
int p2p_disc_start(struct p2p *s, const struct p2p_config *cfg);
/* p2p_disc.c: stops discovery (NULL-safe; before the event base is freed). */
void p2p_disc_stop(struct p2p *s);
/* p2p_disc.c: dials discovered nodes while outbound slots are free. */
void p2p_disc_dial(struct p2p *s);

#endif
