/*
 * sync_ancestor.c — every header request of a round: the master's head,
 * the common ancestor, then the header download into the window.
 *
 * Why it is shaped this way: the three uses share one request slot (only
 * the master is asked headers, one request at a time) and one check of an
 * answer against its question, so they live together. The check is strict
 * because an honest peer answers a by-number GetBlockHeaders from its
 * canonical chain, which always links: numbers not as asked, headers that
 * do not link to each other, or more headers than asked can only be a lie
 * (fatal). A batch whose first header does not link to the previous batch
 * can be honest (the master's chain reorganised between two requests), so
 * that ends the round with a minor fault and the next round looks for the
 * ancestor again.
 *
 * The ancestor: "a block we have" is has_block() (imported, any branch).
 * Blocks are imported parent first, so along the master's chain the blocks
 * we have form a prefix: the answer to "do we have the master's block n" is
 * yes up to the ancestor and no above it. That makes the binary search
 * valid. The span request (192 headers up to min(our head, its head))
 * settles every reorg of up to 191 blocks, and every sync of a node that is
 * merely behind, in one round trip; deeper forks take log2(max_reorg),
 * about 17, more. A round whose ancestor would lie below our head minus
 * max_reorg gives up (a minor fault: a chain that old is not followed).
 *
 * Threads: as sync.h.
 */
#include "net/sync_internal.h"

#include <inttypes.h>
#include <string.h>

#include "util/err.h"
#include "util/log.h"

/* Prepares the request q (sent by sync_headers_step when the master is
 * ready). */
static void ask(struct sync *s, bool by_hash, const struct hash32 *hash, uint64_t number,
                uint64_t amount)
{
    memset(&s->hreq, 0, sizeof s->hreq);
    s->hreq.active = true;
    s->hreq.sent = false;
    s->hreq.q.by_hash = by_hash;
    if (hash)
        s->hreq.q.hash = *hash;
    s->hreq.q.number = number;
    s->hreq.q.amount = amount;
    s->dirty = true;
}

void sync_round_begin(struct sync *s, int pi, const struct hash32 *head)
{
    struct sync_peer *p = s->peers[pi];
    struct sync_head local;
    sync_local(s, &local);
    s->gen++;
    s->master = pi;
    s->master_td = p->td;
    s->master_head = head ? *head : p->head;
    s->master_number = 0;
    s->headers_done = false;
    s->floor = local.number > s->cfg.max_reorg ? local.number - s->cfg.max_reorg : 0;
    s->lo = s->hi = 0;
    s->lo_ok = false;
    s->import_after = 0;
    for (int i = 0; i < SYNC_MAX_PEERS; i++)
        if (s->peers[i])
            s->peers[i]->lack_from = UINT64_MAX;
    s->stats.rounds++;
    s->round_start = s->now;
    s->round_imported = 0;
    memset(&s->prog, 0, sizeof s->prog);
    s->prog.syncing = true;
    s->prog.starting_block = local.number;
    s->prog.current_block = local.number;
    s->prog.highest_block = local.number;
    s->prog_changed = true;
    s->last_log = s->now;
    s->phase = SYNC_PH_HEAD;
    char td[U256_DEC_BUF], ours[U256_DEC_BUF];
    u256_to_dec(&p->td, td);
    u256_to_dec(&local.td, ours);
    if (head)
        log_info("Sync: starting with peer %" PRIu64 " (its block %" PRIu64
                 " announced, ours at block %" PRIu64 ")", p->id, p->ann_number, local.number);
    else
        log_info("Sync: starting with peer %" PRIu64 " (TD %s, ours %s at block %" PRIu64 ")",
                 p->id, td, ours, local.number);
    ask(s, true, &s->master_head, 0, 1);
}

/* The window starts after the ancestor (number, hash). */
static void start_fetch(struct sync *s, uint64_t number, const struct hash32 *hash)
{
    log_debug(LOG_SYNC, "sync: common ancestor at block %" PRIu64, number);
    s->phase = SYNC_PH_FETCH;
    s->prog.starting_block = number;
    s->prog.current_block = number;
    s->prog_changed = true;
    s->head = 0;
    s->count = 0;
    s->base = number + 1;
    s->tail_hash = *hash;
    s->headers_done = false;
    s->hreq.active = false;
    s->dirty = true;
}

/* No ancestor within max_reorg: a chain this old is not followed. */
static void no_ancestor(struct sync *s)
{
    sync_note_fault(s, s->master, SYNC_FAULT_TD, SYNC_SEV_MINOR,
                    "no common ancestor at or above block %" PRIu64 " (max_reorg %" PRIu64 ")",
                    s->floor, s->cfg.max_reorg);
    sync_exclude(s, s->master);
}

/* The next step of the binary search between lo and hi. */
static void bisect_next(struct sync *s)
{
    if (s->hi <= s->lo) {
        no_ancestor(s);
    } else if (s->hi - s->lo > 1) {
        ask(s, false, NULL, s->lo + (s->hi - s->lo) / 2, 1);
    } else if (s->lo_ok) {
        start_fetch(s, s->lo, &s->lo_hash);
    } else {
        ask(s, false, NULL, s->lo, 1);  /* the floor itself, never seen yet */
    }
}

void sync_headers_step(struct sync *s)
{
    if (s->phase == SYNC_PH_FETCH && !s->hreq.active && !s->headers_done) {
        size_t room = s->cap - s->count;
        size_t want = s->cap < SYNC_HEADER_BATCH ? s->cap : SYNC_HEADER_BATCH;
        /* full batches where the window allows: fewer round trips */
        if (room >= (want + 1) / 2 && s->held_bytes < s->cfg.max_bytes)
            ask(s, false, NULL, s->base + s->count, room < SYNC_HEADER_BATCH ? room
                                                                            : SYNC_HEADER_BATCH);
    }
    if (!s->hreq.active || s->hreq.sent || !sync_peer_ready(s, s->master))
        return;
    struct sync_peer *p = s->peers[s->master];
    s->hreq.sent = true;
    s->hreq.deadline = s->now + s->cfg.timeout_ms;
    s->stats.header_requests++;
    s->dirty = true;
    struct eth_get_headers q = s->hreq.q;
    int pi = s->master;
    int rc = s->cb.request_headers(s->cb.ctx, p->id, &q);
    if (rc != 0) {
        if (s->master == pi && s->hreq.active && s->hreq.sent)
            s->hreq.sent = false;
        sync_request_failed(s, pi, rc);
    }
}

void sync_headers_timeouts(struct sync *s)
{
    if (!s->hreq.active || !s->hreq.sent || s->now < s->hreq.deadline || s->master < 0)
        return;
    s->hreq.sent = false;   /* asked again once the master has rested */
    sync_peer_timed_out(s, s->master, "GetBlockHeaders");
}

/* Checks h against the question q. Returns 0 or ERR_INVAL with the reason. */
static int check_answer(const struct eth_get_headers *q, const struct eth_headers *h)
{
    if (h->count > q->amount)
        return err_set(ERR_INVAL, "%zu headers for a request of %" PRIu64, h->count, q->amount);
    for (size_t i = 0; i < h->count; i++) {
        const struct eth_header *e = &h->items[i];
        if (q->by_hash && i == 0) {
            if (!hash32_eq(&e->hash, &q->hash))
                return err_set(ERR_INVAL, "header by hash: another hash");
        } else if (!q->by_hash && e->header.number != q->number + i) {
            return err_set(ERR_INVAL, "header %zu is block %" PRIu64 ", asked %" PRIu64, i,
                           e->header.number, q->number + i);
        }
        if (i > 0) {
            if (e->header.number != h->items[i - 1].header.number + 1)
                return err_set(ERR_INVAL, "header %zu: numbers not consecutive", i);
            if (!hash32_eq(&e->header.parent_hash, &h->items[i - 1].hash))
                return err_set(ERR_INVAL, "header %zu (block %" PRIu64
                               ") does not link to the one before", i, e->header.number);
        }
    }
    return 0;
}

static void on_head(struct sync *s, struct eth_headers *h)
{
    if (h->count == 0) {
        sync_note_fault(s, s->master, SYNC_FAULT_STALLING, SYNC_SEV_MINOR,
                        "does not serve its own head");
        sync_exclude(s, s->master);
        return;
    }
    const struct eth_header *e = &h->items[0];
    s->master_number = e->header.number;
    if (s->cb.has_block(s->cb.ctx, &e->hash, e->header.number)) {
        /* we have the head we asked for: nothing to download, only the TD
         * to check, unless the master announced a newer head meanwhile
         * (sync_peer_update while this request was out): then its chain
         * goes on from here, and ending now would blame it for the TD */
        start_fetch(s, e->header.number, &e->hash);
        s->headers_done = hash32_eq(&e->hash, &s->master_head);
        return;
    }
    struct sync_head local;
    sync_local(s, &local);
    uint64_t top = local.number < s->master_number ? local.number : s->master_number;
    if (top < s->floor) {
        no_ancestor(s);
        return;
    }
    uint64_t from = top >= SYNC_HEADER_BATCH - 1 ? top - (SYNC_HEADER_BATCH - 1) : 0;
    if (from < s->floor)
        from = s->floor;
    s->phase = SYNC_PH_SPAN;
    ask(s, false, NULL, from, top - from + 1);
}

static void on_span(struct sync *s, struct eth_headers *h)
{
    if (h->count == 0) {
        sync_note_fault(s, s->master, SYNC_FAULT_STALLING, SYNC_SEV_MINOR,
                        "no headers below its head");
        sync_exclude(s, s->master);
        return;
    }
    for (size_t i = h->count; i-- > 0;) {
        const struct eth_header *e = &h->items[i];
        if (s->cb.has_block(s->cb.ctx, &e->hash, e->header.number)) {
            start_fetch(s, e->header.number, &e->hash);
            return;
        }
    }
    uint64_t from = h->items[0].header.number;
    if (from == 0) {
        sync_note_fault(s, s->master, SYNC_FAULT_BAD_HEADERS, SYNC_SEV_FATAL,
                        "its block 0 is not our genesis");
        sync_exclude(s, s->master);
        return;
    }
    if (from <= s->floor) {
        no_ancestor(s);
        return;
    }
    s->phase = SYNC_PH_BISECT;
    s->lo = s->floor;
    s->lo_ok = false;
    s->hi = from;
    bisect_next(s);
}

static void on_bisect(struct sync *s, struct eth_headers *h)
{
    if (h->count == 0) {
        sync_note_fault(s, s->master, SYNC_FAULT_STALLING, SYNC_SEV_MINOR,
                        "no header %" PRIu64 " below its head", s->hreq.q.number);
        sync_exclude(s, s->master);
        return;
    }
    const struct eth_header *e = &h->items[0];
    if (s->cb.has_block(s->cb.ctx, &e->hash, e->header.number)) {
        s->lo = e->header.number;
        s->lo_ok = true;
        s->lo_hash = e->hash;
    } else {
        s->hi = e->header.number;
    }
    bisect_next(s);
}

static void on_fetch(struct sync *s, struct eth_headers *h)
{
    if (h->count == 0) {
        s->headers_done = true;
        log_debug(LOG_SYNC, "sync: master has no block %" PRIu64 ": headers done",
                  s->base + s->count);
        return;
    }
    if (!hash32_eq(&h->items[0].header.parent_hash, &s->tail_hash)) {
        sync_note_fault(s, s->master, SYNC_FAULT_BAD_HEADERS, SYNC_SEV_MINOR,
                        "block %" PRIu64 " does not continue the headers it sent before "
                        "(its chain changed?)", h->items[0].header.number);
        sync_exclude(s, s->master);
        return;
    }
    size_t room = s->cap - s->count;
    size_t n = h->count < room ? h->count : room;   /* the request never asks more */
    for (size_t i = 0; i < n; i++)
        sync_window_push(s, &h->items[i]);
    if (s->master_number < s->base + s->count - 1)
        s->master_number = s->base + s->count - 1;
    s->prog_changed = true;
}

void sync_headers_answer(struct sync *s, struct eth_headers *h)
{
    if (check_answer(&s->hreq.q, h) != 0) {
        sync_note_fault(s, s->master, SYNC_FAULT_BAD_HEADERS, SYNC_SEV_FATAL, "%s", err_msg());
        s->hreq.active = false;
        sync_exclude(s, s->master);
        return;
    }
    s->hreq.active = false;
    s->peers[s->master]->timeouts = 0;
    switch (s->phase) {
    case SYNC_PH_HEAD: on_head(s, h); break;
    case SYNC_PH_SPAN: on_span(s, h); break;
    case SYNC_PH_BISECT: on_bisect(s, h); break;
    case SYNC_PH_FETCH: on_fetch(s, h); break;
    default: break;
    }
    s->dirty = true;
}
