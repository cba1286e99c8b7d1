/*
 * p2p_fetch.c — fetching the missing ancestors of an announced block from
 * the peer that announced it, then importing them oldest first.
 *
 * Why it is shaped this way: a NewBlock (or NewBlockHashes) whose parent we
 * lack means we are a few blocks behind that peer (we were offline, or a
 * block was lost). Walking back from the announced block by hash with
 * reverse GetBlockHeaders finds the newest ancestor we have, whichever
 * branch the peer is on; the bodies of the headers collected are then
 * fetched in batches and each block goes through the chain's normal import
 * (which validates everything, so the headers need only link up here).
 * The walk is capped at P2P_MAX_ANCESTORS blocks: anything deeper is a job
 * for the synchroniser (p2p_sync.c), and so is catching up with a peer
 * whose TD is more than P2P_SYNC_GAP blocks above ours, or with a block
 * announced that far ahead while a sync round runs: then no fetch starts.
 * When both run (a small gap during a round), peer.h's one request per
 * kind keeps them apart: the sync waits for its next tick.
 *
 * A peer that answers with headers that do not link, or with blocks the
 * chain rejects, is scored (invalid block). A peer that has nothing, times
 * out or closes just ends the fetch.
 */
#include "net/p2p_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/chaindb.h"
#include "chainsvc/chainsvc.h"
#include "util/err.h"
#include "util/log.h"

static struct p2p_fetch *fetch_of(struct peer *p)
{
    struct p2p_peer *pd = p->owner_data;
    return pd ? &pd->fetch : NULL;
}

void p2p_fetch_free(struct p2p_fetch *f)
{
    for (size_t i = 0; i < f->n; i++)
        header_free(&f->headers[i]);
    free(f->headers);
    free(f->hashes);
    memset(f, 0, sizeof *f);
}

static void on_headers(void *arg, struct peer *p, int status, const uint8_t *payload, size_t len);
static void on_bodies(void *arg, struct peer *p, int status, const uint8_t *payload, size_t len);

static void finish(struct p2p *s, struct peer *p, const char *why)
{
    struct p2p_fetch *f = fetch_of(p);
    if (why)
        log_debug(LOG_SYNC, "peer %s: fetch ended: %s (%zu of %zu imported)", p->remote_addr, why,
                  f->imported, f->n);
    else if (f->n)
        log_info("P2P: imported %zu block(s) fetched from peer %s", f->imported, p->remote_addr);
    struct hash32 done = f->target;
    bool ok = why == NULL;
    p2p_fetch_free(f);
    /* Still behind this peer (it moved on meanwhile): go again. */
    if (ok && p->state == PEER_READY && !hash32_eq(&done, &p->status.best_hash) &&
        !chaindb_has_header(s->db, &p->status.best_hash)) {
        u256 td;
        struct hash32 head;
        p2p_our_head(s, &td, &head);
        if (u256_cmp(&p->status.td, &td) > 0)
            p2p_fetch_start(s, p, &p->status.best_hash);
    }
}

static void ask_headers(struct p2p *s, struct peer *p)
{
    struct p2p_fetch *f = fetch_of(p);
    struct eth_get_headers q = {.by_hash = true, .hash = f->expect, .reverse = true};
    size_t left = P2P_MAX_ANCESTORS - f->n;
    q.amount = left < ETH_MAX_HEADERS ? left : ETH_MAX_HEADERS;
    struct bytes b = BYTES_INIT;
    int rc = eth_get_headers_encode(&q, &b);
    if (rc == 0)
        rc = peer_request(p, ETH_GET_BLOCK_HEADERS, b.data, b.len, on_headers, s);
    bytes_free(&b);
    if (rc)
        finish(s, p, "cannot send GetBlockHeaders");
}

static void ask_bodies(struct p2p *s, struct peer *p)
{
    struct p2p_fetch *f = fetch_of(p);
    size_t left = f->n - f->imported;
    size_t k = left < ETH_MAX_BODIES ? left : ETH_MAX_BODIES;
    struct hash32 hashes[ETH_MAX_BODIES];
    for (size_t i = 0; i < k; i++)
        hashes[i] = f->hashes[f->n - 1 - f->imported - i]; /* oldest first */
    struct bytes b = BYTES_INIT;
    int rc = eth_hashes_encode(hashes, k, &b);
    if (rc == 0)
        rc = peer_request(p, ETH_GET_BLOCK_BODIES, b.data, b.len, on_bodies, s);
    bytes_free(&b);
    if (rc) {
        finish(s, p, "cannot send GetBlockBodies");
        return;
    }
    f->asked = k;
}

void p2p_fetch_start(struct p2p *s, struct peer *p, const struct hash32 *target)
{
    p2p_fetch_start_at(s, p, target, 0);
}

void p2p_fetch_start_at(struct p2p *s, struct peer *p, const struct hash32 *target,
                        uint64_t number)
{
    struct p2p_fetch *f = fetch_of(p);
    if (!f || f->active || peer_busy(p, ETH_GET_BLOCK_HEADERS) ||
        peer_busy(p, ETH_GET_BLOCK_BODIES) || p->state != PEER_READY)
        return;
    if (p2p_sync_owns_catchup(s, p, number)) {
        log_debug(LOG_SYNC, "peer %s: catching up is the synchroniser's job", p->remote_addr);
        return;
    }
    f->headers = calloc(P2P_MAX_ANCESTORS, sizeof *f->headers);
    f->hashes = calloc(P2P_MAX_ANCESTORS, sizeof *f->hashes);
    if (!f->headers || !f->hashes) {
        p2p_fetch_free(f);
        return;
    }
    f->active = true;
    f->target = *target;
    f->expect = *target;
    log_debug(LOG_SYNC, "peer %s: fetching the ancestors of an unknown block", p->remote_addr);
    ask_headers(s, p);
}

static void on_headers(void *arg, struct peer *p, int status, const uint8_t *payload, size_t len)
{
    struct p2p *s = arg;
    struct p2p_fetch *f = fetch_of(p);
    if (!f || !f->active)
        return;
    if (status) {
        finish(s, p, "no answer to GetBlockHeaders");
        return;
    }
    struct eth_headers h;
    if (eth_block_headers_decode(payload, len, &h) != 0) {
        char why[300];
        snprintf(why, sizeof why, "BlockHeaders: %s", err_msg());
        eth_headers_free(&h);
        finish(s, p, "bad BlockHeaders");
        peer_misbehave(p, PEER_OFFENCE_GARBAGE, why);
        return;
    }
    if (h.count == 0) {
        eth_headers_free(&h);
        finish(s, p, "the peer has no such block");
        return;
    }
    bool found = false;
    for (size_t i = 0; i < h.count && !found && f->n < P2P_MAX_ANCESTORS; i++) {
        const struct eth_header *e = &h.items[i];
        if (!hash32_eq(&e->hash, &f->expect)) {
            eth_headers_free(&h);
            finish(s, p, "headers do not link");
            peer_misbehave(p, PEER_OFFENCE_INVALID_BLOCK, "BlockHeaders do not link up");
            return;
        }
        if (chaindb_has_header(s->db, &e->hash)) {
            found = true;
            break;
        }
        if (header_copy(&f->headers[f->n], &e->header) != 0) {
            eth_headers_free(&h);
            finish(s, p, "out of memory");
            return;
        }
        f->hashes[f->n++] = e->hash;
        f->expect = e->header.parent_hash;
        found = chaindb_has_header(s->db, &f->expect);
    }
    eth_headers_free(&h);
    if (found && f->n == 0) {
        finish(s, p, NULL);
    } else if (found) {
        f->bodies = true;
        ask_bodies(s, p);
    } else if (f->n >= P2P_MAX_ANCESTORS) {
        log_info("P2P: peer %s is more than %d blocks ahead of us on another branch or "
                 "height: left to the synchroniser",
                 p->remote_addr, P2P_MAX_ANCESTORS);
        finish(s, p, "too many ancestors");
    } else {
        ask_headers(s, p);
    }
}

static void on_bodies(void *arg, struct peer *p, int status, const uint8_t *payload, size_t len)
{
    struct p2p *s = arg;
    struct p2p_fetch *f = fetch_of(p);
    if (!f || !f->active || !f->bodies)
        return;
    if (status) {
        finish(s, p, "no answer to GetBlockBodies");
        return;
    }
    struct eth_bodies b;
    if (eth_block_bodies_decode(payload, len, &b) != 0) {
        char why[300];
        snprintf(why, sizeof why, "BlockBodies: %s", err_msg());
        eth_bodies_free(&b);
        finish(s, p, "bad BlockBodies");
        peer_misbehave(p, PEER_OFFENCE_GARBAGE, why);
        return;
    }
    if (b.count == 0 || b.count > f->asked) {
        eth_bodies_free(&b);
        finish(s, p, b.count ? "more bodies than asked" : "the peer has no bodies");
        return;
    }
    for (size_t i = 0; i < b.count; i++) {
        size_t idx = f->n - 1 - f->imported;
        struct block blk;
        blk.header = f->headers[idx];   /* views: owned by f and b */
        blk.body = b.items[i].body;
        struct chainsvc_import res;
        int rc = chainsvc_import_block(s->chain, &blk, &res);
        if (rc) {
            char why[300];
            snprintf(why, sizeof why, "block %llu: %s",
                     (unsigned long long)f->headers[idx].number, err_msg());
            eth_bodies_free(&b);
            finish(s, p, why);
            if (rc == ERR_INVAL || rc == ERR_CRYPTO)
                peer_misbehave(p, PEER_OFFENCE_INVALID_BLOCK, why);
            return;
        }
        peer_known_add(&p->known_blocks, &f->hashes[idx]);
        f->imported++;
    }
    eth_bodies_free(&b);
    if (f->imported == f->n)
        finish(s, p, NULL);
    else
        ask_bodies(s, p);
}
