/*
 * p2p_sync.c — the block synchroniser (net/sync.h) inside the p2p service:
 * the glue between its callbacks and the peers, the chain and the clock.
 *
 * Why it is shaped this way: sync.h is a state machine that runs on one
 * thread and acts only through callbacks, so this file is where it meets
 * the real world, and nothing else:
 *   - peers: a READY peer is added with its Status (id = its serial), a
 *     NewBlock with more TD updates it (p2p_eth.c, after the block was
 *     handled), a block announced by hash that the ancestor fetch could not
 *     take is given to it (sync_peer_announce, from p2p_eth.c), a closed
 *     peer is removed; requests
 *     go out with peer_request, whose answer callback decodes the message
 *     and hands it to sync_on_headers / sync_on_bodies (a timeout becomes
 *     sync_on_timeout; a close is left to the removal). peer.h allows one
 *     request of each kind per peer, so when the ancestor fetch
 *     (p2p_fetch.c) holds a slot, request_* says ERR_BADSTATE and the sync
 *     tries again after its next tick;
 *   - penalties: fatal faults (which no honest peer commits) cost a whole
 *     ban: an invalid block as PEER_OFFENCE_INVALID_BLOCK, headers or
 *     bodies not as asked as PEER_OFFENCE_GARBAGE. Minor ones cost no
 *     points: honest peers commit them all the time (a timeout on a busy
 *     node; a TD announced by NewBlock a moment before the headers that
 *     carry it are served, seen every few hundred blocks while a producer
 *     runs ahead), and the sync already rests or excludes the peer until it
 *     announces a new head, so they cannot make it waste our time. They go
 *     to the sync log;
 *   - import: the chain thread is the only writer, and an import of 64
 *     blocks takes a while, so a worker thread posts each batch to the
 *     chain service (chainsvc_import_block, block by block, stopping at the
 *     first failure) and reports back through an event on the p2p loop,
 *     where sync_import_done runs. The p2p thread keeps serving and
 *     downloading meanwhile; the worker touches nothing but the batch
 *     (owned by the sync until sync_import_done) and the imp_* fields;
 *   - time: a 200 ms tick (sync_tick) on the monotonic clock;
 *   - progress: what the progress callback gives is copied under the
 *     service mutex for eth_syncing (p2p_sync_progress); the sync writes
 *     its own "Sync: block N of M (x%), r blocks/s, ETA" lines.
 */
#include "net/p2p_internal.h"

#include <event2/event.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chain/chaindb.h"
#include "chainsvc/chainsvc.h"
#include "util/err.h"
#include "util/log.h"
#include "util/thread_name.h"

/* How often the sync is ticked. */
#define SYNC_TICK_MS 200

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static struct peer *peer_by_id(struct p2p *s, uint64_t id)
{
    for (size_t i = 0; i < s->npeers; i++)
        if (s->peers[i]->serial == id)
            return s->peers[i];
    return NULL;
}

static struct p2p_peer *data_of(struct peer *p)
{
    return p->owner_data;
}

/* ---- answers to the sync's requests ---------------------------------------------- */

static void on_headers(void *arg, struct peer *p, int status, const uint8_t *payload, size_t len)
{
    struct p2p *s = arg;
    if (!s->sync || p->state != PEER_READY)
        return; /* closing: the removal follows in on_closed */
    if (status) {
        sync_on_timeout(s->sync, p->serial, true);
        return;
    }
    struct eth_headers h;
    if (eth_block_headers_decode(payload, len, &h) != 0) {
        char why[300];
        snprintf(why, sizeof why, "BlockHeaders: %s", err_msg());
        eth_headers_free(&h);
        peer_misbehave(p, PEER_OFFENCE_GARBAGE, why);
        sync_on_timeout(s->sync, p->serial, true); /* the request is over either way */
        return;
    }
    size_t n = h.count;
    if (sync_on_headers(s->sync, p->serial, &h) == 0 && data_of(p))
        data_of(p)->headers_served += n;
    eth_headers_free(&h);
}

static void on_bodies(void *arg, struct peer *p, int status, const uint8_t *payload, size_t len)
{
    struct p2p *s = arg;
    if (!s->sync || p->state != PEER_READY)
        return;
    if (status) {
        sync_on_timeout(s->sync, p->serial, false);
        return;
    }
    struct eth_bodies b;
    if (eth_block_bodies_decode(payload, len, &b) != 0) {
        char why[300];
        snprintf(why, sizeof why, "BlockBodies: %s", err_msg());
        eth_bodies_free(&b);
        peer_misbehave(p, PEER_OFFENCE_GARBAGE, why);
        sync_on_timeout(s->sync, p->serial, false);
        return;
    }
    size_t n = b.count;
    log_debug(LOG_SYNC, "Sync: %zu bodies from peer %s", n, p->remote_addr);
    if (sync_on_bodies(s->sync, p->serial, &b) == 0 && data_of(p))
        data_of(p)->bodies_served += n;
    eth_bodies_free(&b);
}

/* ---- the sync's callbacks ------------------------------------------------------- */

static int cb_request_headers(void *ctx, uint64_t id, const struct eth_get_headers *q)
{
    struct p2p *s = ctx;
    struct peer *p = peer_by_id(s, id);
    if (!p || p->state != PEER_READY)
        return err_set(ERR_NOTFOUND, "sync: peer %" PRIu64 " is gone", id);
    if (peer_busy(p, ETH_GET_BLOCK_HEADERS))
        return err_set(ERR_BADSTATE, "sync: peer %s has a header request out", p->remote_addr);
    struct bytes b = BYTES_INIT;
    int rc = eth_get_headers_encode(q, &b);
    if (rc == 0)
        rc = peer_request(p, ETH_GET_BLOCK_HEADERS, b.data, b.len, on_headers, s);
    bytes_free(&b);
    return rc;
}

static int cb_request_bodies(void *ctx, uint64_t id, const struct hash32 *hashes, size_t n)
{
    struct p2p *s = ctx;
    struct peer *p = peer_by_id(s, id);
    if (!p || p->state != PEER_READY)
        return err_set(ERR_NOTFOUND, "sync: peer %" PRIu64 " is gone", id);
    if (peer_busy(p, ETH_GET_BLOCK_BODIES))
        return err_set(ERR_BADSTATE, "sync: peer %s has a body request out", p->remote_addr);
    struct bytes b = BYTES_INIT;
    int rc = eth_hashes_encode(hashes, n, &b);
    if (rc == 0)
        rc = peer_request(p, ETH_GET_BLOCK_BODIES, b.data, b.len, on_bodies, s);
    bytes_free(&b);
    return rc;
}

static void cb_import(void *ctx, const struct sync_block *blocks, size_t n)
{
    struct p2p *s = ctx;
    pthread_mutex_lock(&s->imp_mu);
    s->imp_blocks = blocks;
    s->imp_n = n;
    s->imp_done = false;
    pthread_cond_signal(&s->imp_cond);
    pthread_mutex_unlock(&s->imp_mu);
}

static void cb_penalize(void *ctx, uint64_t id, enum sync_fault fault, enum sync_severity sev,
                        const char *reason)
{
    struct p2p *s = ctx;
    struct peer *p = peer_by_id(s, id);
    if (!p)
        return;
    char why[SYNC_REASON_MAX + 40];
    snprintf(why, sizeof why, "sync: %s: %s", sync_fault_name(fault), reason);
    if (sev == SYNC_SEV_FATAL) {
        log_info("P2P: peer %s: %s", p->remote_addr, why);
        peer_misbehave(p, fault == SYNC_FAULT_INVALID_BLOCK ? PEER_OFFENCE_INVALID_BLOCK
                                                            : PEER_OFFENCE_GARBAGE,
                       why);
    } else {
        log_debug(LOG_SYNC, "peer %s: %s", p->remote_addr, why);
    }
}

static void cb_local_head(void *ctx, struct sync_head *out)
{
    struct p2p *s = ctx;
    struct chainsvc_head h;
    if (chainsvc_head(s->chain, &h) == 0) {
        out->number = h.number;
        out->hash = h.hash;
        out->td = h.td;
        header_free(&h.header);
    } else {
        memset(out, 0, sizeof *out);
        out->hash = s->genesis;
    }
}

static bool cb_has_block(void *ctx, const struct hash32 *hash, uint64_t number)
{
    (void)number;
    struct p2p *s = ctx;
    /* A header is stored only with its block, receipts and TD by an import
     * that executed it (chain/import.c), so it means "imported". */
    return chaindb_has_header(s->db, hash);
}

static void cb_progress(void *ctx, const struct sync_progress *prog)
{
    struct p2p *s = ctx;
    pthread_mutex_lock(&s->mu);
    s->sync_pub = *prog;
    pthread_mutex_unlock(&s->mu);
}

/* ---- the import worker ------------------------------------------------------------ */

static void *import_main(void *arg)
{
    thread_name("p2p-import");
    struct p2p *s = arg;
    pthread_mutex_lock(&s->imp_mu);
    for (;;) {
        while (!s->imp_stop && !s->imp_blocks)
            pthread_cond_wait(&s->imp_cond, &s->imp_mu);
        if (s->imp_stop)
            break;
        const struct sync_block *blocks = s->imp_blocks;
        size_t n = s->imp_n;
        pthread_mutex_unlock(&s->imp_mu);

        int st[SYNC_IMPORT_BATCH];
        size_t k = 0;
        for (size_t i = 0; i < n && i < SYNC_IMPORT_BATCH; i++) {
            struct chainsvc_import res;
            int rc = chainsvc_import_block(s->chain, blocks[i].block, &res);
            st[k++] = (int)sync_import_status_of(rc, rc == 0 && res.status == CHAIN_INSERT_KNOWN);
            if (rc) {
                log_debug(LOG_SYNC, "Sync: block %" PRIu64 " not imported: %s",
                          blocks[i].block->header.number, err_msg());
                break;
            }
        }

        pthread_mutex_lock(&s->imp_mu);
        memcpy(s->imp_status, st, k * sizeof st[0]);
        s->imp_nstatus = k;
        s->imp_blocks = NULL;
        s->imp_done = true;
        event_active(s->sync_done, EV_READ, 0);
    }
    pthread_mutex_unlock(&s->imp_mu);
    return NULL;
}

/* On the p2p loop: the worker finished a batch. */
static void on_import_done(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct p2p *s = arg;
    enum sync_import_status st[SYNC_IMPORT_BATCH];
    pthread_mutex_lock(&s->imp_mu);
    bool done = s->imp_done;
    size_t n = s->imp_nstatus;
    for (size_t i = 0; i < n; i++)
        st[i] = (enum sync_import_status)s->imp_status[i];
    s->imp_done = false;
    pthread_mutex_unlock(&s->imp_mu);
    if (done && s->sync)
        sync_import_done(s->sync, st, n);
}

static void on_sync_tick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct p2p *s = arg;
    if (s->sync)
        sync_tick(s->sync, now_ms());
}

/* ---- life cycle and peer events --------------------------------------------------- */

int p2p_sync_start(struct p2p *s)
{
    pthread_mutex_init(&s->imp_mu, NULL);
    pthread_cond_init(&s->imp_cond, NULL);
    s->imp_init = true;
    struct sync_callbacks cb = {
        .ctx = s,
        .request_headers = cb_request_headers,
        .request_bodies = cb_request_bodies,
        .import = cb_import,
        .penalize = cb_penalize,
        .local_head = cb_local_head,
        .has_block = cb_has_block,
        .progress = cb_progress,
    };
    int rc = sync_new(NULL, &cb, &s->sync);
    if (rc)
        return rc;
    s->sync_tick = event_new(s->base, -1, EV_PERSIST, on_sync_tick, s);
    s->sync_done = event_new(s->base, -1, 0, on_import_done, s);
    if (!s->sync_tick || !s->sync_done)
        return err_set(ERR_NOMEM, "p2p: cannot create the sync events");
    if (pthread_create(&s->imp_thread, NULL, import_main, s) != 0)
        return err_set(ERR_BADSTATE, "p2p: cannot start the import thread");
    s->imp_started = true;
    struct timeval tv = {0, SYNC_TICK_MS * 1000};
    event_add(s->sync_tick, &tv);
    sync_tick(s->sync, now_ms());
    return 0;
}

void p2p_sync_stop(struct p2p *s)
{
    if (s->imp_started) {
        pthread_mutex_lock(&s->imp_mu);
        s->imp_stop = true;
        pthread_cond_signal(&s->imp_cond);
        pthread_mutex_unlock(&s->imp_mu);
        pthread_join(s->imp_thread, NULL);
        s->imp_started = false;
    }
    if (s->sync_tick)
        event_free(s->sync_tick);
    if (s->sync_done)
        event_free(s->sync_done);
    s->sync_tick = s->sync_done = NULL;
    if (s->sync) {
        struct sync_stats st;
        sync_get_stats(s->sync, &st);
        if (st.rounds)
            log_debug(LOG_SYNC, "Sync: %" PRIu64 " round(s), %" PRIu64 " blocks imported, %" PRIu64
                      " header and %" PRIu64 " body requests, peak %zu blocks / %zu bytes held",
                      st.rounds, st.imported, st.header_requests, st.body_requests, st.peak_held,
                      st.peak_bytes);
    }
    sync_free(s->sync);
    s->sync = NULL;
    if (s->imp_init) {
        pthread_cond_destroy(&s->imp_cond);
        pthread_mutex_destroy(&s->imp_mu);
        s->imp_init = false;
    }
}

void p2p_sync_peer_ready(struct p2p *s, struct peer *p)
{
    struct p2p_peer *pd = data_of(p);
    if (!s->sync || !pd || pd->in_sync)
        return;
    int rc = sync_peer_add(s->sync, p->serial, &p->status.td, &p->status.best_hash);
    if (rc == 0)
        pd->in_sync = true;
    else
        log_debug(LOG_SYNC, "peer %s takes no part in sync: %s", p->remote_addr, err_msg());
}

void p2p_sync_peer_update(struct p2p *s, struct peer *p)
{
    struct p2p_peer *pd = data_of(p);
    if (s->sync && pd && pd->in_sync)
        sync_peer_update(s->sync, p->serial, &p->status.td, &p->status.best_hash);
}

void p2p_sync_peer_closed(struct p2p *s, struct peer *p)
{
    struct p2p_peer *pd = data_of(p);
    if (!s->sync || !pd || !pd->in_sync)
        return;
    pd->in_sync = false;
    if (pd->headers_served || pd->bodies_served)
        log_debug(LOG_SYNC, "Sync: peer %s gave %" PRIu64 " headers and %" PRIu64 " bodies",
                  p->remote_addr, pd->headers_served, pd->bodies_served);
    sync_peer_remove(s->sync, p->serial);
}

bool p2p_sync_running(const struct p2p *s)
{
    return s->sync && sync_active(s->sync);
}

bool p2p_sync_old_news(struct p2p *s, const struct hash32 *hash)
{
    if (!p2p_sync_running(s))
        return false;
    struct sync_progress pr;
    sync_get_progress(s->sync, &pr);
    struct header h;
    if (chaindb_read_header(s->db, NULL, hash, &h) != 0)
        return false;
    bool old = h.number < pr.highest_block;
    header_free(&h);
    return old;
}

bool p2p_sync_owns_catchup(struct p2p *s, const struct peer *p, uint64_t number)
{
    if (!s->sync)
        return false;
    struct chainsvc_head h;
    if (chainsvc_head(s->chain, &h) != 0)
        return false;
    bool far = sync_active(s->sync) && number > h.number && number - h.number > P2P_SYNC_GAP;
    if (u256_cmp(&p->status.td, &h.td) > 0) {
        u256 gap, unit = h.header.difficulty, blocks, limit = u256_from_u64(P2P_SYNC_GAP);
        if (u256_is_zero(&unit))
            unit = u256_from_u64(1);
        u256_sub(&gap, &p->status.td, &h.td);
        u256_div(&blocks, &gap, &unit);
        far = u256_cmp(&blocks, &limit) > 0;
    }
    header_free(&h.header);
    return far;
}

void p2p_sync_progress(struct p2p *s, struct sync_progress *out)
{
    pthread_mutex_lock(&s->mu);
    *out = s->sync_pub;
    pthread_mutex_unlock(&s->mu);
}
