/*
 * sync.c — the synchroniser's life cycle, its peers, the entry points, the
 * window of blocks and the import (sync.h says what it does; the header
 * requests are in sync_ancestor.c, the body requests in sync_bodies.c).
 *
 * Why it is shaped this way: every entry point does its own bookkeeping,
 * then the outermost one runs the "pump" (start a round, send the requests
 * the state calls for, hand complete blocks to import) and emits the
 * penalties and the progress queued meanwhile. Callbacks are only ever
 * called from the pump and the emission, never halfway through an update,
 * so an owner that calls back into the sync from a callback (a removal from
 * penalize(), an import result from import(), a test answering a request
 * at once) always finds the state consistent; its call only marks the sync
 * dirty and the outer loop runs the pump again.
 *
 * The window is a ring of `cap` slots holding blocks base .. base+count-1,
 * in order: a header waits for its body (NEED, REQUESTED), a complete block
 * waits for import (READY), then it is out (IMPORTING) until its result.
 * Only the front is imported, so the ring never has holes to compact.
 */
#include "net/sync_internal.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/log.h"

/* Passes of the pump per outermost call: each pass either did something or
 * was the last; the bound only guards against a callback that keeps
 * re-entering for ever. */
#define SYNC_PUMP_PASSES 4096
/* Largest window accepted (a million blocks is ~700 MB of slots). */
#define SYNC_MAX_WINDOW (1u << 20)

void sync_config_default(struct sync_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->window = 2048;
    cfg->max_bytes = (size_t)128 << 20;
    cfg->max_reorg = 90000;
    cfg->timeout_ms = 10000;
    cfg->backoff_ms = 1000;
    cfg->backoff_max_ms = 30000;
    cfg->max_timeouts = 3;
    cfg->retry_ms = 1000;
    cfg->log_interval_ms = 5000;
}

int sync_new(const struct sync_config *cfg, const struct sync_callbacks *cb, struct sync **out)
{
    *out = NULL;
    struct sync_config c;
    if (cfg)
        c = *cfg;
    else
        sync_config_default(&c);
    if (c.window == 0 || c.window > SYNC_MAX_WINDOW)
        return err_set(ERR_INVAL, "sync: window of %zu blocks (1..%u)", c.window,
                       (unsigned)SYNC_MAX_WINDOW);
    if (c.max_timeouts == 0)
        c.max_timeouts = 1;
    if (!cb || !cb->request_headers || !cb->request_bodies || !cb->import || !cb->penalize ||
        !cb->local_head || !cb->has_block)
        return err_set(ERR_INVAL, "sync: a required callback is missing");
    struct sync *s = calloc(1, sizeof *s);
    if (!s)
        return err_set(ERR_NOMEM, "sync: out of memory");
    s->slots = calloc(c.window, sizeof *s->slots);
    if (!s->slots) {
        free(s);
        return err_set(ERR_NOMEM, "sync: no memory for a window of %zu blocks", c.window);
    }
    s->cfg = c;
    s->cb = *cb;
    s->cap = c.window;
    s->master = -1;
    s->phase = SYNC_PH_IDLE;
    *out = s;
    return 0;
}

static void window_clear(struct sync *s)
{
    for (size_t i = 0; i < s->count; i++)
        block_free(&sync_slot_at(s, i)->blk);
    s->head = 0;
    s->count = 0;
    s->held_bytes = 0;
}

void sync_free(struct sync *s)
{
    if (!s)
        return;
    window_clear(s);
    free(s->slots);
    for (size_t i = 0; i < SYNC_MAX_PEERS; i++)
        free(s->peers[i]);
    free(s);
}

/* ---- small helpers --------------------------------------------------------------- */

static int find_peer(const struct sync *s, uint64_t id)
{
    for (int i = 0; i < SYNC_MAX_PEERS; i++)
        if (s->peers[i] && s->peers[i]->used && s->peers[i]->id == id)
            return i;
    return -1;
}

bool sync_peer_ready(const struct sync *s, int pi)
{
    if (pi < 0 || pi >= SYNC_MAX_PEERS)
        return false;
    const struct sync_peer *p = s->peers[pi];
    return p && p->used && !p->excluded && s->now >= p->rest_until;
}

void sync_local(struct sync *s, struct sync_head *h)
{
    memset(h, 0, sizeof *h);
    s->cb.local_head(s->cb.ctx, h);
}

static void hash8(const struct hash32 *h, char out[19])
{
    char full[HASH32_HEX_SIZE];
    hash32_to_hex(h, full);
    memcpy(out, full, 18);
    out[18] = 0;
}

static void count_peak(struct sync *s)
{
    if (s->count > s->stats.peak_held)
        s->stats.peak_held = s->count;
    if (s->held_bytes > s->stats.peak_bytes)
        s->stats.peak_bytes = s->held_bytes;
}

/* ---- faults ------------------------------------------------------------------------ */

void sync_note_fault(struct sync *s, int pi, enum sync_fault f, enum sync_severity sev,
                     const char *fmt, ...)
{
    if (pi < 0 || pi >= SYNC_MAX_PEERS || !s->peers[pi] || !s->peers[pi]->used)
        return;
    s->stats.faults++;
    char reason[SYNC_REASON_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    log_debug(LOG_SYNC, "sync: peer %" PRIu64 ": %s (%s): %s", s->peers[pi]->id,
              sync_fault_name(f), sev == SYNC_SEV_FATAL ? "fatal" : "minor", reason);
    if (s->nfaults >= SYNC_MAX_FAULTS)
        return;     /* the sync's own reaction (exclusion) does not depend on it */
    struct sync_fault_note *n = &s->faults[s->nfaults++];
    n->peer = s->peers[pi]->id;
    n->fault = f;
    n->sev = sev;
    memcpy(n->reason, reason, sizeof reason);
    s->dirty = true;
}

static void emit_faults(struct sync *s)
{
    /* penalize() may call back (a removal); new notes are emitted too */
    for (size_t i = 0; i < s->nfaults; i++) {
        struct sync_fault_note n = s->faults[i];
        s->cb.penalize(s->cb.ctx, n.peer, n.fault, n.sev, n.reason);
    }
    s->nfaults = 0;
}

/* ---- rounds ------------------------------------------------------------------------ */

void sync_round_end(struct sync *s)
{
    s->hreq.active = false;
    s->headers_done = false;
    s->master = -1;
    s->gen++;       /* body requests still out become stale */
    s->prog.syncing = false;
    s->prog_changed = true;
    s->dirty = true;
    if (s->importing) {
        /* the owner still reads the batch: free the window when it is back */
        s->phase = SYNC_PH_DRAIN;
        return;
    }
    window_clear(s);
    s->phase = SYNC_PH_IDLE;
}

void sync_exclude(struct sync *s, int pi)
{
    struct sync_peer *p = s->peers[pi];
    if (!p || !p->used)
        return;
    p->excluded = true;
    sync_bodies_release(s, pi, false);
    s->dirty = true;
    if (pi == s->master)
        sync_round_end(s);
}

void sync_peer_timed_out(struct sync *s, int pi, const char *what)
{
    struct sync_peer *p = s->peers[pi];
    if (!p || !p->used)
        return;
    s->stats.timeouts++;
    p->timeouts++;
    if (p->timeouts >= s->cfg.max_timeouts) {
        sync_note_fault(s, pi, SYNC_FAULT_STALLING, SYNC_SEV_MINOR,
                        "%u timeouts in a row (last: %s)", p->timeouts, what);
        sync_exclude(s, pi);
        return;
    }
    sync_note_fault(s, pi, SYNC_FAULT_TIMEOUT, SYNC_SEV_MINOR, "no answer to %s in %" PRIu64
                    " ms", what, s->cfg.timeout_ms);
    uint64_t rest = s->cfg.backoff_ms;
    for (unsigned i = 1; i < p->timeouts && rest < s->cfg.backoff_max_ms; i++)
        rest *= 2;
    if (rest > s->cfg.backoff_max_ms)
        rest = s->cfg.backoff_max_ms;
    p->rest_until = s->now + rest;
    s->dirty = true;
}

void sync_peer_drop(struct sync *s, int pi)
{
    struct sync_peer *p = s->peers[pi];
    if (!p || !p->used)
        return;
    sync_bodies_release(s, pi, true);
    p->used = false;
    s->dirty = true;
    if (pi == s->master)
        sync_round_end(s);
}

void sync_request_failed(struct sync *s, int pi, int rc)
{
    struct sync_peer *p = s->peers[pi];
    if (!p || !p->used)
        return;
    if (rc == ERR_BADSTATE) {
        p->rest_until = s->now + 1;     /* busy: try again after the next tick */
        s->dirty = true;
        return;
    }
    log_debug(LOG_SYNC, "sync: peer %" PRIu64 ": request not sent (%s), dropped", p->id,
              err_name(rc));
    sync_peer_drop(s, pi);
}

/* With no TD above ours: the peer (not excluded) whose announced block
 * (the highest number above our head's) we still lack, or -1.
 * Announcements of blocks we have, or not above our head, are forgotten
 * here. */
static int announced_peer(struct sync *s, const struct sync_head *local)
{
    int best = -1;
    for (int i = 0; i < SYNC_MAX_PEERS; i++) {
        struct sync_peer *p = s->peers[i];
        if (!p || !p->used || !p->announced || p->excluded)
            continue;
        if (p->ann_number <= local->number ||
            s->cb.has_block(s->cb.ctx, &p->ann_hash, p->ann_number)) {
            p->announced = false;
            continue;
        }
        if (best < 0 || p->ann_number > s->peers[best]->ann_number)
            best = i;
    }
    return best;
}

/* The best peer to sync from: the highest TD above ours, not excluded;
 * else the one that announced a block we lack. */
static void maybe_begin(struct sync *s)
{
    if (!s->ticked)
        return;     /* no clock yet: deadlines would be meaningless */
    int best = -1;
    bool news = false;
    for (int i = 0; i < SYNC_MAX_PEERS; i++) {
        struct sync_peer *p = s->peers[i];
        if (!p || !p->used)
            continue;
        news |= p->announced && !p->excluded;
        if (!p->excluded && (best < 0 || u256_gt(&p->td, &s->peers[best]->td)))
            best = i;
    }
    if (best < 0 && !news)
        return;
    struct sync_head local;
    sync_local(s, &local);
    if (best >= 0 && u256_gt(&s->peers[best]->td, &local.td)) {
        sync_round_begin(s, best, NULL);
        s->dirty = true;
        return;
    }
    best = news ? announced_peer(s, &local) : -1;
    if (best < 0)
        return;
    struct sync_peer *p = s->peers[best];
    p->announced = false;   /* one round per announcement */
    sync_round_begin(s, best, &p->ann_hash);
    s->dirty = true;
}

/* FETCH with every header downloaded and imported: the round is over. */
static void maybe_finish(struct sync *s)
{
    if (s->phase != SYNC_PH_FETCH || !s->headers_done || s->count || s->importing ||
        s->hreq.active)
        return;
    struct sync_head local;
    sync_local(s, &local);
    int m = s->master;
    if (u256_lt(&local.td, &s->master_td)) {
        char have[U256_DEC_BUF], said[U256_DEC_BUF];
        u256_to_dec(&local.td, have);
        u256_to_dec(&s->master_td, said);
        sync_note_fault(s, m, SYNC_FAULT_TD, SYNC_SEV_MINOR,
                        "announced TD %s, its chain reached %s at block %" PRIu64, said, have,
                        s->base - 1);
        sync_exclude(s, m);
        return;
    }
    char h[19];
    hash8(&local.hash, h);
    log_info("Sync: done at block %" PRIu64 " %s.., %" PRIu64 " blocks imported", local.number, h,
             s->round_imported);
    sync_round_end(s);
}

/* ---- the window and the import -------------------------------------------------------- */

void sync_window_push(struct sync *s, struct eth_header *h)
{
    struct sync_slot *sl = sync_slot_at(s, s->count);
    memset(sl, 0, sizeof *sl);
    sl->blk.header = h->header;
    memset(&h->header, 0, sizeof h->header);
    sl->hash = h->hash;
    sl->bytes = sl->blk.header.extra_len;
    sl->owner = -1;
    if (hash32_eq(&sl->blk.header.tx_root, sync_empty_tx_root()) &&
        hash32_eq(&sl->blk.header.uncle_hash, sync_empty_uncle_hash()))
        sl->state = SYNC_SLOT_READY;    /* an empty body needs no request */
    else
        sl->state = SYNC_SLOT_NEED;
    s->held_bytes += sl->bytes;
    s->count++;
    s->tail_hash = sl->hash;
    s->stats.headers_in++;
    count_peak(s);
}

/* Frees the front slot (imported, or dropped). */
static void window_pop(struct sync *s)
{
    struct sync_slot *sl = sync_slot_at(s, 0);
    s->held_bytes -= sl->bytes;
    block_free(&sl->blk);
    memset(sl, 0, sizeof *sl);
    s->head = (s->head + 1) % s->cap;
    s->count--;
    s->base++;
}

static void import_step(struct sync *s)
{
    if (s->phase != SYNC_PH_FETCH || s->importing || s->now < s->import_after ||
        s->imports_this_call >= SYNC_IMPORTS_PER_CALL)
        return;
    size_t n = 0;
    while (n < s->count && n < SYNC_IMPORT_BATCH &&
           sync_slot_at(s, n)->state == SYNC_SLOT_READY)
        n++;
    if (!n)
        return;
    for (size_t i = 0; i < n; i++) {
        struct sync_slot *sl = sync_slot_at(s, i);
        sl->state = SYNC_SLOT_IMPORTING;
        s->batch[i].block = &sl->blk;
        s->batch[i].hash = sl->hash;
    }
    s->importing = n;
    s->imports_this_call++;
    s->dirty = true;
    s->cb.import(s->cb.ctx, s->batch, n);
}

/* ---- progress ------------------------------------------------------------------------ */

/* The progress now, into *p (from s->prog, with the highest block, rate,
 * ETA and peers brought up to date). */
static void progress_now(const struct sync *s, struct sync_progress *p)
{
    *p = s->prog;
    if (!p->syncing)
        return;
    if (p->highest_block < s->master_number)
        p->highest_block = s->master_number;
    if (s->count && p->highest_block < s->base + s->count - 1)
        p->highest_block = s->base + s->count - 1;
    if (p->highest_block < p->current_block)
        p->highest_block = p->current_block;
    uint64_t ms = s->now - s->round_start;
    p->rate = ms ? (double)s->round_imported * 1000.0 / (double)ms : 0.0;
    uint64_t left = p->highest_block - p->current_block;
    p->eta_s = p->rate > 0.0 ? (uint64_t)((double)left / p->rate + 0.5) : 0;
    size_t n = 0;
    for (int i = 0; i < SYNC_MAX_PEERS; i++)
        if (s->peers[i] && s->peers[i]->used && !s->peers[i]->excluded)
            n++;
    p->peers = n;
}

static void emit_progress(struct sync *s)
{
    if (!s->prog_changed)
        return;
    s->prog_changed = false;
    if (s->cb.progress) {
        struct sync_progress p;
        progress_now(s, &p);
        s->cb.progress(s->cb.ctx, &p);
    }
}

void sync_format_progress(const struct sync_progress *p, char *buf, size_t size)
{
    if (!size)
        return;
    double pct = 100.0;
    if (p->highest_block > p->starting_block && p->current_block < p->highest_block)
        pct = 100.0 * (double)(p->current_block - p->starting_block) /
              (double)(p->highest_block - p->starting_block);
    if (p->eta_s)
        snprintf(buf, size,
                 "Sync: block %" PRIu64 " of %" PRIu64 " (%.1f%%), %.1f blocks/s, ETA %" PRIu64
                 "s, %zu peers",
                 p->current_block, p->highest_block, pct, p->rate, p->eta_s, p->peers);
    else
        snprintf(buf, size,
                 "Sync: block %" PRIu64 " of %" PRIu64 " (%.1f%%), %.1f blocks/s, %zu peers",
                 p->current_block, p->highest_block, pct, p->rate, p->peers);
}

/* ---- the pump ------------------------------------------------------------------------ */

static void pump(struct sync *s)
{
    if (s->phase == SYNC_PH_IDLE)
        maybe_begin(s);
    if (s->phase != SYNC_PH_IDLE && s->phase != SYNC_PH_DRAIN)
        sync_headers_step(s);
    if (s->phase == SYNC_PH_FETCH)
        sync_bodies_step(s);
    if (s->phase == SYNC_PH_FETCH)
        import_step(s);
    maybe_finish(s);
}

static void enter(struct sync *s)
{
    s->depth++;
}

static void leave(struct sync *s)
{
    if (s->depth > 1) {
        /* called from a callback: the outer call goes on from here */
        s->depth--;
        s->dirty = true;
        return;
    }
    s->imports_this_call = 0;
    for (int pass = 0; pass < SYNC_PUMP_PASSES; pass++) {
        s->dirty = false;
        pump(s);
        emit_faults(s);
        emit_progress(s);
        if (!s->dirty)
            break;
    }
    s->depth--;
}

/* ---- entry points ------------------------------------------------------------------- */

int sync_peer_add(struct sync *s, uint64_t peer, const u256 *td, const struct hash32 *head)
{
    if (find_peer(s, peer) >= 0)
        return err_set(ERR_INVAL, "sync: peer %" PRIu64 " already present", peer);
    int pi = -1;
    for (int i = 0; i < SYNC_MAX_PEERS && pi < 0; i++)
        if (!s->peers[i] || !s->peers[i]->used)
            pi = i;
    if (pi < 0)
        return err_set(ERR_RANGE, "sync: %d peers already", SYNC_MAX_PEERS);
    if (!s->peers[pi]) {
        s->peers[pi] = malloc(sizeof *s->peers[pi]);
        if (!s->peers[pi])
            return err_set(ERR_NOMEM, "sync: out of memory");
    }
    struct sync_peer *p = s->peers[pi];
    memset(p, 0, sizeof *p);
    p->used = true;
    p->id = peer;
    p->td = *td;
    p->head = *head;
    p->lack_from = UINT64_MAX;
    enter(s);
    s->dirty = true;
    s->prog_changed = s->prog.syncing;
    leave(s);
    return 0;
}

void sync_peer_update(struct sync *s, uint64_t peer, const u256 *td, const struct hash32 *head)
{
    int pi = find_peer(s, peer);
    if (pi < 0)
        return;
    struct sync_peer *p = s->peers[pi];
    if (!u256_gt(td, &p->td))
        return;
    enter(s);
    p->td = *td;
    p->head = *head;
    p->excluded = false;
    p->timeouts = 0;
    p->rest_until = 0;
    p->lack_from = UINT64_MAX;
    if (pi == s->master) {
        s->master_td = *td;
        s->master_head = *head;
        if (s->phase == SYNC_PH_FETCH && s->headers_done) {
            s->headers_done = false;    /* its chain grew: ask for more */
            log_debug(LOG_SYNC, "sync: master %" PRIu64 " announced more, fetching on", peer);
        }
    }
    s->dirty = true;
    leave(s);
}

void sync_peer_announce(struct sync *s, uint64_t peer, const struct hash32 *hash,
                        uint64_t number)
{
    int pi = find_peer(s, peer);
    if (pi < 0)
        return;
    struct sync_peer *p = s->peers[pi];
    if (p->announced && number <= p->ann_number)
        return;     /* an older (or the same) block: the newer one covers it */
    enter(s);
    p->announced = true;
    p->ann_hash = *hash;
    p->ann_number = number;
    p->excluded = false;
    p->lack_from = UINT64_MAX;
    if (pi == s->master && s->phase == SYNC_PH_FETCH && s->headers_done) {
        s->headers_done = false;    /* its chain grew: ask for more */
        log_debug(LOG_SYNC, "sync: master %" PRIu64 " announced block %" PRIu64 ", fetching on",
                  peer, number);
    }
    s->dirty = true;
    leave(s);
}

void sync_peer_remove(struct sync *s, uint64_t peer)
{
    int pi = find_peer(s, peer);
    if (pi < 0)
        return;
    enter(s);
    if (pi == s->master)
        log_debug(LOG_SYNC, "sync: master %" PRIu64 " left, round ends", peer);
    sync_peer_drop(s, pi);
    s->prog_changed = s->prog.syncing;
    leave(s);
}

int sync_on_headers(struct sync *s, uint64_t peer, struct eth_headers *h)
{
    int pi = find_peer(s, peer);
    if (pi < 0 || pi != s->master || !s->hreq.active)
        return err_set(ERR_NOTFOUND, "sync: no header request to peer %" PRIu64, peer);
    enter(s);
    sync_headers_answer(s, h);
    s->dirty = true;
    leave(s);
    return 0;
}

int sync_on_bodies(struct sync *s, uint64_t peer, struct eth_bodies *b)
{
    int pi = find_peer(s, peer);
    if (pi < 0 || (!s->peers[pi]->cur.active && !s->peers[pi]->old.active))
        return err_set(ERR_NOTFOUND, "sync: no body request to peer %" PRIu64, peer);
    enter(s);
    sync_bodies_answer(s, pi, b);
    s->dirty = true;
    leave(s);
    return 0;
}

void sync_on_timeout(struct sync *s, uint64_t peer, bool headers)
{
    int pi = find_peer(s, peer);
    if (pi < 0)
        return;
    enter(s);
    if (headers) {
        if (pi == s->master && s->hreq.active && s->hreq.sent) {
            s->hreq.sent = false;
            sync_peer_timed_out(s, pi, "GetBlockHeaders");
        }
    } else if (s->peers[pi]->cur.active) {
        sync_bodies_release(s, pi, false);
        sync_peer_timed_out(s, pi, "GetBlockBodies");
    }
    leave(s);
}

void sync_import_done(struct sync *s, const enum sync_import_status *st, size_t n)
{
    if (!s->importing)
        return;
    enter(s);
    size_t out = s->importing;
    s->importing = 0;
    size_t ok = 0;
    enum sync_import_status fail = SYNC_IMPORT_ERROR;
    for (; ok < n && ok < out; ok++) {
        if (st[ok] == SYNC_IMPORT_OK) {
            s->stats.imported++;
            s->round_imported++;
        } else if (st[ok] == SYNC_IMPORT_KNOWN) {
            s->stats.known++;
        } else {
            fail = st[ok];
            break;
        }
    }
    uint64_t failed_number = s->base + ok;
    struct hash32 failed_hash = sync_slot_at(s, ok < out ? ok : out - 1)->hash;
    for (size_t i = 0; i < ok; i++)
        window_pop(s);
    if (ok && s->phase == SYNC_PH_FETCH)
        s->prog.current_block = s->base - 1;
    for (size_t i = 0; i < out - ok; i++)
        sync_slot_at(s, i)->state = SYNC_SLOT_READY;
    s->prog_changed = true;
    s->dirty = true;

    if (s->phase == SYNC_PH_DRAIN) {
        window_clear(s);
        s->phase = SYNC_PH_IDLE;
    } else if (ok < out) {
        char h[19];
        hash8(&failed_hash, h);
        switch (fail) {
        case SYNC_IMPORT_INVALID:
            log_info("Sync: block %" PRIu64 " %s.. rejected by the chain; dropping its source",
                     failed_number, h);
            sync_note_fault(s, s->master, SYNC_FAULT_INVALID_BLOCK, SYNC_SEV_FATAL,
                            "block %" PRIu64 " %s.. of its chain is invalid", failed_number, h);
            if (s->master >= 0)
                sync_exclude(s, s->master);
            else
                sync_round_end(s);
            break;
        case SYNC_IMPORT_UNKNOWN_PARENT:
            /* our chain does not hold what has_block() said it did: nobody's
             * fault, but the same master would lead to the same place, so
             * it rests until it announces something new */
            log_info("Sync: block %" PRIu64 " %s.. has an unknown parent; restarting",
                     failed_number, h);
            if (s->master >= 0)
                sync_exclude(s, s->master);
            else
                sync_round_end(s);
            break;
        default:    /* FUTURE, ERROR, or a short report: try again later */
            log_debug(LOG_SYNC, "sync: import of block %" PRIu64 " paused (%s)", failed_number,
                      sync_import_status_name(fail));
            s->import_after = s->now + s->cfg.retry_ms;
            break;
        }
    }
    leave(s);
}

void sync_tick(struct sync *s, uint64_t now_ms)
{
    enter(s);
    if (now_ms > s->now || !s->ticked)
        s->now = now_ms;
    s->ticked = true;
    sync_headers_timeouts(s);
    sync_bodies_timeouts(s);
    if (s->prog.syncing && s->cfg.log_interval_ms &&
        s->now - s->last_log >= s->cfg.log_interval_ms) {
        s->last_log = s->now;
        struct sync_progress p;
        progress_now(s, &p);
        char line[256];
        sync_format_progress(&p, line, sizeof line);
        log_info("%s", line);
    }
    s->dirty = true;    /* resting peers may have woken, a paused import resume */
    leave(s);
}

/* ---- questions ------------------------------------------------------------------------ */

bool sync_expects_headers(const struct sync *s, uint64_t peer)
{
    int pi = find_peer(s, peer);
    return pi >= 0 && pi == s->master && s->hreq.active && s->hreq.sent;
}

bool sync_expects_bodies(const struct sync *s, uint64_t peer)
{
    int pi = find_peer(s, peer);
    return pi >= 0 && s->peers[pi]->cur.active;
}

bool sync_active(const struct sync *s)
{
    return s->phase != SYNC_PH_IDLE;
}

void sync_get_progress(const struct sync *s, struct sync_progress *out)
{
    progress_now(s, out);
}

void sync_get_stats(const struct sync *s, struct sync_stats *out)
{
    *out = s->stats;
    out->held = s->count;
    out->held_bytes = s->held_bytes;
}

const char *sync_fault_name(enum sync_fault f)
{
    switch (f) {
    case SYNC_FAULT_TIMEOUT: return "timeout";
    case SYNC_FAULT_STALLING: return "stalling";
    case SYNC_FAULT_BAD_HEADERS: return "bad headers";
    case SYNC_FAULT_BAD_BODIES: return "bad bodies";
    case SYNC_FAULT_INVALID_BLOCK: return "invalid block";
    case SYNC_FAULT_TD: return "td";
    }
    return "unknown";
}

const char *sync_import_status_name(enum sync_import_status st)
{
    switch (st) {
    case SYNC_IMPORT_OK: return "ok";
    case SYNC_IMPORT_KNOWN: return "known";
    case SYNC_IMPORT_INVALID: return "invalid";
    case SYNC_IMPORT_UNKNOWN_PARENT: return "unknown parent";
    case SYNC_IMPORT_FUTURE: return "future";
    case SYNC_IMPORT_ERROR: return "error";
    }
    return "unknown";
}

enum sync_import_status sync_import_status_of(int rc, bool known)
{
    switch (rc) {
    case 0: return known ? SYNC_IMPORT_KNOWN : SYNC_IMPORT_OK;
    case ERR_NOTFOUND: return SYNC_IMPORT_UNKNOWN_PARENT;
    case ERR_BADSTATE: return SYNC_IMPORT_FUTURE;
    case ERR_INVAL:
    case ERR_CRYPTO:
    case ERR_UNSUPPORTED:
    case ERR_DECODE:
    case ERR_RANGE: return SYNC_IMPORT_INVALID;
    default: return SYNC_IMPORT_ERROR;
    }
}
