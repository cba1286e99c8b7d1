/*
 * sync_bodies.c — body requests to every useful peer, and the matching of
 * their answers to the window.
 *
 * Why it is shaped this way: bodies are most of the bytes, so they come
 * from all peers at once: each peer that is ready and has no body request
 * out gets the lowest blocks still needed (at most 128), so the front of
 * the window, which import waits for, is always asked first. eth/63
 * answers carry no request id and a server leaves out the bodies it lacks
 * and stops at its soft size limit, so an answer is matched to its request
 * by content: each body's tx root and uncle hash are computed and matched,
 * in order, to the requested blocks (a greedy walk: identical roots mean
 * identical bodies, so the first fit is as good as any). Requested blocks
 * skipped before the last match are ones the peer lacks (it is not asked
 * for them again this round); blocks after the last match were cut by its
 * size limit and are simply asked again. A body that matches nothing asked
 * is the sender's fault. Each request keeps the roots it expects, so a
 * late answer is checked even after its blocks left the window.
 *
 * When the bytes held reach max_bytes, only the blocks before the first
 * complete one are asked: they are what import waits for, so the window
 * drains instead of growing.
 *
 * Threads: as sync.h.
 */
#include "net/sync_internal.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "chain/processor.h"
#include "crypto/keccak.h"
#include "primitives/rlp.h"
#include "util/err.h"
#include "util/log.h"

/* keccak256(RLP("")) and keccak256(RLP([])): the tx root of no transactions
 * and the hash of no uncles (the well-known Ethereum constants). */
static const struct hash32 EMPTY_TX_ROOT = {{
    0x56, 0xe8, 0x1f, 0x17, 0x1b, 0xcc, 0x55, 0xa6, 0xff, 0x83, 0x45, 0xe6, 0x92, 0xc0, 0xf8, 0x6e,
    0x5b, 0x48, 0xe0, 0x1b, 0x99, 0x6c, 0xad, 0xc0, 0x01, 0x62, 0x2f, 0xb5, 0xe3, 0x63, 0xb4, 0x21,
}};
static const struct hash32 EMPTY_UNCLE_HASH = {{
    0x1d, 0xcc, 0x4d, 0xe8, 0xde, 0xc7, 0x5d, 0x7a, 0xab, 0x85, 0xb5, 0x67, 0xb6, 0xcc, 0xd4, 0x1a,
    0xd3, 0x12, 0x45, 0x1b, 0x94, 0x8a, 0x74, 0x13, 0xf0, 0xa1, 0x42, 0xfd, 0x40, 0xd4, 0x93, 0x47,
}};

const struct hash32 *sync_empty_tx_root(void)
{
    return &EMPTY_TX_ROOT;
}

const struct hash32 *sync_empty_uncle_hash(void)
{
    return &EMPTY_UNCLE_HASH;
}

int sync_body_roots(const struct block_body *body, struct hash32 *tx_root,
                    struct hash32 *uncle_hash)
{
    int rc = chain_tx_root(body->txs, body->tx_count, tx_root);
    if (rc)
        return rc;
    if (body->uncle_count == 0) {
        *uncle_hash = EMPTY_UNCLE_HASH;
        return 0;
    }
    struct bytes b = BYTES_INIT;
    size_t m = rlp_list_begin(&b);
    for (size_t i = 0; i < body->uncle_count; i++)
        header_encode(&body->uncles[i], &b);
    rlp_list_end(&b, m);
    rc = bytes_ok(&b);
    if (rc == 0)
        keccak256(b.data, b.len, uncle_hash->b);
    bytes_free(&b);
    return rc;
}

/* Estimated memory of a decoded body: its structs and the variable parts
 * they own. */
static size_t body_bytes(const struct block_body *body)
{
    size_t n = body->tx_count * sizeof(struct tx) + body->uncle_count * sizeof(struct header);
    for (size_t i = 0; i < body->tx_count; i++)
        n += body->txs[i].data_len;
    for (size_t i = 0; i < body->uncle_count; i++)
        n += body->uncles[i].extra_len;
    return n;
}

void sync_bodies_release(struct sync *s, int pi, bool forget)
{
    struct sync_peer *p = s->peers[pi];
    for (size_t i = 0; i < s->count; i++) {
        struct sync_slot *sl = sync_slot_at(s, i);
        if (sl->state == SYNC_SLOT_REQUESTED && sl->owner == pi) {
            sl->state = SYNC_SLOT_NEED;
            sl->owner = -1;
        }
    }
    if (forget) {
        p->cur.active = false;
        p->old.active = false;
    } else if (p->cur.active) {
        p->old = p->cur;    /* a late answer may still match it */
        p->cur.active = false;
    }
    s->dirty = true;
}

/* Asks peer index pi for the lowest needed bodies below `limit` (a window
 * position). */
static void request_from(struct sync *s, int pi, size_t limit)
{
    struct sync_peer *p = s->peers[pi];
    struct sync_body_req *r = &p->cur;
    struct hash32 hashes[SYNC_BODY_BATCH];
    size_t n = 0;
    for (size_t i = 0; i < limit && n < SYNC_BODY_BATCH; i++) {
        struct sync_slot *sl = sync_slot_at(s, i);
        if (sl->state != SYNC_SLOT_NEED || s->base + i >= p->lack_from)
            continue;
        struct sync_body_item *it = &r->items[n];
        it->number = s->base + i;
        it->hash = sl->hash;
        it->tx_root = sl->blk.header.tx_root;
        it->uncle_hash = sl->blk.header.uncle_hash;
        hashes[n++] = sl->hash;
        sl->state = SYNC_SLOT_REQUESTED;
        sl->owner = pi;
    }
    if (!n)
        return;
    r->active = true;
    r->gen = s->gen;
    r->deadline = s->now + s->cfg.timeout_ms;
    r->n = n;
    s->stats.body_requests++;
    s->dirty = true;
    int rc = s->cb.request_bodies(s->cb.ctx, p->id, hashes, n);
    if (rc != 0) {
        if (p->used && p->cur.active && p->cur.gen == s->gen) {
            sync_bodies_release(s, pi, false);
            p->old.active = false;      /* never sent: no answer to expect */
        }
        sync_request_failed(s, pi, rc);
    }
}

void sync_bodies_step(struct sync *s)
{
    if (s->phase != SYNC_PH_FETCH || s->count == 0)
        return;
    size_t limit = s->count;
    if (s->held_bytes >= s->cfg.max_bytes) {
        /* over the cap: only what the front of the window waits for */
        limit = 0;
        while (limit < s->count && sync_slot_at(s, limit)->state != SYNC_SLOT_READY &&
               sync_slot_at(s, limit)->state != SYNC_SLOT_IMPORTING)
            limit++;
    }
    size_t start = s->rr++ % SYNC_MAX_PEERS;
    for (size_t k = 0; k < SYNC_MAX_PEERS && s->phase == SYNC_PH_FETCH; k++) {
        int pi = (int)((start + k) % SYNC_MAX_PEERS);
        if (!sync_peer_ready(s, pi) || s->peers[pi]->cur.active)
            continue;
        if (limit > s->count)
            limit = s->count;   /* a callback may have shrunk the window */
        request_from(s, pi, limit);
    }
}

void sync_bodies_timeouts(struct sync *s)
{
    for (int pi = 0; pi < SYNC_MAX_PEERS; pi++) {
        struct sync_peer *p = s->peers[pi];
        if (!p || !p->used || !p->cur.active || s->now < p->cur.deadline)
            continue;
        sync_bodies_release(s, pi, false);
        sync_peer_timed_out(s, pi, "GetBlockBodies");
    }
}

/* Matches the n bodies (their roots in tx[], un[]) to request r in order.
 * Writes the item index of body j to at[j]. Returns true when every body
 * matched. */
static bool match(const struct sync_body_req *r, size_t n, const struct hash32 *tx,
                  const struct hash32 *un, size_t *at)
{
    if (n > r->n)
        return false;
    size_t i = 0;
    for (size_t j = 0; j < n; j++) {
        while (i < r->n && !(hash32_eq(&r->items[i].tx_root, &tx[j]) &&
                             hash32_eq(&r->items[i].uncle_hash, &un[j])))
            i++;
        if (i == r->n)
            return false;
        at[j] = i++;
    }
    return true;
}

void sync_bodies_answer(struct sync *s, int pi, struct eth_bodies *b)
{
    struct sync_peer *p = s->peers[pi];
    size_t n = b->count;
    if (n > SYNC_BODY_BATCH) {
        sync_note_fault(s, pi, SYNC_FAULT_BAD_BODIES, SYNC_SEV_FATAL,
                        "%zu bodies, more than any request", n);
        sync_exclude(s, pi);
        p->cur.active = p->old.active = false;
        return;
    }
    struct hash32 tx[SYNC_BODY_BATCH], un[SYNC_BODY_BATCH];
    size_t at[SYNC_BODY_BATCH];
    for (size_t j = 0; j < n; j++) {
        if (sync_body_roots(&b->items[j].body, &tx[j], &un[j]) != 0) {
            /* cannot judge it (no memory): ask again later, blame nobody */
            sync_bodies_release(s, pi, true);
            return;
        }
    }
    /* a late answer to the timed-out request comes first, if it comes */
    struct sync_body_req *r = NULL;
    if (p->old.active && match(&p->old, n, tx, un, at))
        r = &p->old;
    else if (p->cur.active && match(&p->cur, n, tx, un, at))
        r = &p->cur;
    if (!r) {
        size_t asked = p->cur.active ? p->cur.n : p->old.n;
        sync_note_fault(s, pi, SYNC_FAULT_BAD_BODIES, SYNC_SEV_FATAL,
                        "%zu bodies do not match the %zu blocks asked", n, asked);
        sync_exclude(s, pi);
        p->cur.active = p->old.active = false;
        return;
    }
    bool current = r->gen == s->gen && s->phase == SYNC_PH_FETCH;
    bool from_cur = r == &p->cur;
    for (size_t j = 0; j < n; j++) {
        const struct sync_body_item *it = &r->items[at[j]];
        if (!current || it->number < s->base || it->number - s->base >= s->count)
            continue;
        struct sync_slot *sl = sync_slot_at(s, (size_t)(it->number - s->base));
        if (!hash32_eq(&sl->hash, &it->hash) ||
            (sl->state != SYNC_SLOT_NEED && sl->state != SYNC_SLOT_REQUESTED))
            continue;   /* already complete (another peer was faster) */
        sl->blk.body = b->items[j].body;
        memset(&b->items[j].body, 0, sizeof b->items[j].body);
        sl->bytes += body_bytes(&sl->blk.body);
        s->held_bytes += body_bytes(&sl->blk.body);
        sl->state = SYNC_SLOT_READY;
        sl->owner = -1;
        s->stats.bodies_in++;
    }
    if (s->held_bytes > s->stats.peak_bytes)
        s->stats.peak_bytes = s->held_bytes;

    /* what it left out: lacked (skipped before its last body) or cut */
    uint64_t lack = UINT64_MAX;
    size_t last = n ? at[n - 1] : 0;
    if (n == 0 && r->n)
        lack = r->items[0].number;
    for (size_t i = 0, j = 0; n && i < last; i++) {
        if (j < n && at[j] == i) {
            j++;
            continue;
        }
        if (r->items[i].number < lack)
            lack = r->items[i].number;
    }
    if (from_cur) {
        /* the rest of this request goes back to NEED */
        for (size_t i = 0; i < r->n && current; i++) {
            const struct sync_body_item *it = &r->items[i];
            if (it->number < s->base || it->number - s->base >= s->count)
                continue;
            struct sync_slot *sl = sync_slot_at(s, (size_t)(it->number - s->base));
            if (sl->state == SYNC_SLOT_REQUESTED && sl->owner == pi) {
                sl->state = SYNC_SLOT_NEED;
                sl->owner = -1;
            }
        }
        p->old.active = false;  /* it skipped the old one */
    }
    r->active = false;
    if (n)
        p->timeouts = 0;
    s->dirty = true;
    if (current && lack != UINT64_MAX) {
        if (lack < p->lack_from)
            p->lack_from = lack;
        if (pi == s->master) {
            sync_note_fault(s, pi, SYNC_FAULT_STALLING, SYNC_SEV_MINOR,
                            "lacks the body of block %" PRIu64 " of its own chain", lack);
            sync_exclude(s, pi);
        } else {
            log_debug(LOG_SYNC, "sync: peer %" PRIu64 " lacks bodies from block %" PRIu64,
                      p->id, lack);
        }
    }
}
