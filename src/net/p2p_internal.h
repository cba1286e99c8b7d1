/*
 * p2p_internal.h — the p2p service's state, shared by its three files:
 * p2p.c (thread, listener, dialer, peer set, queues from other threads),
 * p2p_eth.c (eth message handlers and propagation) and p2p_fetch.c
 * (fetching the missing ancestors of an announced block). Not a public
 * header: everything here belongs to the p2p thread unless a field says
 * "mu".
 */
#ifndef SPECTRUM_NET_P2P_INTERNAL_H
#define SPECTRUM_NET_P2P_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chain/params.h"
#include "net/p2p.h"
#include "net/peer.h"
#include "net/peer_score.h"
#include "primitives/header.h"
#include "storage/db.h"

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
/* p2p_fetch.c: drops a fetch's state (the peer closed). */
void p2p_fetch_free(struct p2p_fetch *f);

#endif
