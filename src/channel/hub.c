/*
 * hub.c — the hub service (hub.h): its thread and loop, the turn around
 * every callback, the command queue from other threads, start and stop.
 * The payment logic is in hub_direct.c.
 *
 * A turn opens lazily (hub_turn_begin) at the first change a callback
 * makes, and hub_turn_end closes it at the end of that callback: commit the
 * store batch, then flush the transport's held packets and acks. The
 * transport calls hub_turn_end after each batch of datagrams
 * (on_turn_end); the command callback calls it after running every queued
 * command. Commands complete (and their callers wake up) after the commit,
 * so "returned" means "on disk".
 *
 * Commands are structs on the caller's stack, linked into a queue under
 * `mu`; the caller activates the `wake` event (libevent is thread-safe once
 * evthread_use_pthreads was called) and waits on `done_cv`. When the loop
 * ends (stop, or the crash hook), queued commands are completed with
 * ERR_BADSTATE under the same lock that marks the hub exited, so no caller
 * waits forever.
 */
#include "channel/hub.h"

#include <event2/event.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "channel/hub_internal.h"
#include "util/err.h"
#include "util/log.h"
#include "util/thread_name.h"

enum hub_cmd_kind {
    CMD_PEER = 1,
    CMD_OPEN,
    CMD_TRANSFER,
    CMD_GET,
    CMD_LIST,
    CMD_GET_TRANSFER,
    CMD_SET_BLOCK,
    CMD_STATS,
    CMD_RUN,    /* ch_hub_run (hub_chain.c's commands) */
};

struct hub_cmd {
    int kind;
    struct hub_cmd *next;
    /* arguments */
    uint8_t partner[20];
    uint8_t token[20];
    char ip[64];
    uint16_t port;
    const struct ch_hub_open *open;
    const u256 *amounts;
    size_t n;
    uint8_t cid[32];
    uint64_t ob;
    uint64_t block;
    /* results */
    size_t made;
    uint8_t id[32];
    struct ch_hub_channel_info *info;   /* GET: caller's */
    struct ch_hub_channel_info *list;   /* LIST: allocated here */
    size_t nlist;
    struct ch_store_transfer *transfer;
    struct ch_hub_stats *stats;
    ch_hub_fn fn;                       /* RUN */
    void *fn_arg;
    bool changed;                       /* the command wrote to the turn */
    int rc;
    char err[256];
    bool done;
    /* mu */
};

/* ---- turns --------------------------------------------------------------------- */

int hub_turn_begin(struct ch_hub *h)
{
    if (h->in_turn)
        return 0;
    int rc = ch_store_begin(h->st);
    if (rc) {
        h->failed = true;
        return rc;
    }
    h->in_turn = true;
    h->turn_sync = false;
    return 0;
}

static void kill_hub(struct ch_hub *h, int point)
{
    log_warn("Channel hub: killed by the test hook %s the commit",
             point == CH_HUB_BEFORE_COMMIT ? "before" : "after");
    h->dead = true;
    pthread_mutex_lock(&h->mu);
    h->dead_pub = true;
    pthread_mutex_unlock(&h->mu);
    event_base_loopbreak(h->base);
}

/* Ends the callback's turn: store, then send. Returns 0, or the error that
 * kept the turn from being stored (nothing of it was sent). */
static int hub_turn_end(struct ch_hub *h)
{
    if (h->dead || h->failed) {
        if (h->in_turn)
            ch_store_abort(h->st);
        h->in_turn = false;
        ch_transport_abort_turn(h->tp);
        return err_set(ERR_IO, "channel hub: %s", h->dead ? "killed" : "failed earlier");
    }
    if (!h->in_turn) {
        ch_transport_flush(h->tp); /* acks of duplicates and pings */
        return 0;
    }
    h->in_turn = false;
    if (ch_store_turn_ops(h->st) == 0) {
        ch_store_abort(h->st);
        ch_transport_flush(h->tp);
        return 0;
    }
    if (h->cfg.crash && h->cfg.crash(h->cfg.crash_ctx, CH_HUB_BEFORE_COMMIT)) {
        ch_store_abort(h->st);
        ch_transport_abort_turn(h->tp);
        kill_hub(h, CH_HUB_BEFORE_COMMIT);
        return err_set(ERR_IO, "channel hub: killed");
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = ch_store_commit(h->st, h->turn_sync);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    h->stats.commit_us += (uint64_t)((t1.tv_sec - t0.tv_sec) * 1000000 +
                                     (t1.tv_nsec - t0.tv_nsec) / 1000);
    if (rc) {
        char why[256];
        snprintf(why, sizeof why, "%s", err_msg());
        h->failed = true;
        ch_transport_abort_turn(h->tp);
        log_error("Channel hub: cannot store a turn (%s); nothing of it was sent; refusing "
                  "everything until restarted",
                  why);
        return err_set(ERR_IO, "channel hub: cannot store the turn: %s", why);
    }
    h->stats.turns++;
    if (h->turn_sync)
        h->stats.synced_commits++;
    if (h->cfg.crash && h->cfg.crash(h->cfg.crash_ctx, CH_HUB_AFTER_COMMIT)) {
        ch_transport_abort_turn(h->tp);
        kill_hub(h, CH_HUB_AFTER_COMMIT);
        return err_set(ERR_IO, "channel hub: killed");
    }
    ch_transport_flush(h->tp);
    return 0;
}

static void on_turn_end(void *ctx)
{
    hub_turn_end(ctx);
}

/* ---- channels ------------------------------------------------------------------- */

struct ch_channel *hub_find_channel(struct ch_hub *h, const uint8_t channel_id[32],
                                    uint64_t open_block)
{
    struct ch_channel *best = NULL;
    for (size_t i = 0; i < h->nch; i++) {
        struct ch_channel *ch = &h->ch[i];
        if (memcmp(ch->channel_id, channel_id, 32) != 0)
            continue;
        if (open_block ? ch->open_block == open_block
                       : !best || ch->open_block > best->open_block)
            best = ch;
    }
    return best;
}

static int fill_info(struct ch_hub *h, const struct ch_channel *ch, struct ch_hub_channel_info *o)
{
    memset(o, 0, sizeof *o);
    memcpy(o->channel_id, ch->channel_id, 32);
    memcpy(o->token, ch->token, 20);
    memcpy(o->partner, ch->end[CH_PARTNER].addr, 20);
    o->open_block = ch->open_block;
    o->settle_timeout = ch->settle_timeout;
    o->reveal_timeout = ch->reveal_timeout;
    o->state = ch->state;
    for (int s = 0; s < 2; s++) {
        const struct ch_end *e = &ch->end[s];
        o->deposit[s] = e->deposit;
        o->bp[s] = e->bp;
        memcpy(o->additional_hash[s], e->additional_hash, 32);
        memcpy(o->sig[s], e->sig, CH_SIG_LEN);
        int rc = ch_balance_of(ch, s, &o->balance[s]);
        if (rc == 0)
            rc = ch_distributable_of(ch, s, &o->distributable[s]);
        if (rc)
            return rc;
    }
    uint64_t first = 0;
    o->unacked = ch_transport_pending(h->tp, o->partner, ch->channel_id, ch->open_block, &first);
    o->acked_nonce = o->unacked ? first - 1 : ch->end[CH_OURS].bp.nonce;
    return 0;
}

static int cmd_open(struct ch_hub *h, const struct ch_hub_open *o)
{
    if (memcmp(o->partner, h->addr, 20) == 0)
        return err_set(ERR_INVAL, "channel hub: a channel with ourselves");
    if (hub_find_channel(h, o->channel_id, 0))
        return err_set(ERR_INVAL, "channel hub: the channel exists");
    if (h->nch >= CH_STORE_CHANNELS_MAX)
        return err_set(ERR_RANGE, "channel hub: %d channels already", CH_STORE_CHANNELS_MAX);
    if (h->nch == h->cap_ch) {
        size_t nc = h->cap_ch ? h->cap_ch * 2 : 8;
        struct ch_channel *n = realloc(h->ch, nc * sizeof *n);
        if (!n)
            return err_set(ERR_NOMEM, "channel hub: out of memory");
        h->ch = n;
        h->cap_ch = nc;
    }
    struct ch_channel c;
    int rc = ch_channel_init(&c, o->channel_id, o->token, h->addr, o->partner, o->open_block,
                             o->settle_timeout, o->reveal_timeout);
    if (rc == 0)
        rc = ch_on_deposit(&c, CH_OURS, &o->our_deposit);
    if (rc == 0)
        rc = ch_on_deposit(&c, CH_PARTNER, &o->partner_deposit);
    if (rc == 0)
        rc = hub_turn_begin(h);
    if (rc == 0)
        rc = ch_store_put_channel(h->st, &c);
    if (rc) {
        ch_channel_free(&c);
        return rc;
    }
    h->ch[h->nch++] = c;
    h->turn_sync = true;
    log_info("Channel hub: channel %02x%02x%02x%02x... open (block %llu)", c.channel_id[0],
             c.channel_id[1], c.channel_id[2], c.channel_id[3],
             (unsigned long long)c.open_block);
    return 0;
}

static int cmd_list(struct ch_hub *h, struct hub_cmd *c)
{
    c->list = NULL;
    c->nlist = 0;
    if (!h->nch)
        return 0;
    c->list = malloc(h->nch * sizeof *c->list);
    if (!c->list)
        return err_set(ERR_NOMEM, "channel hub: out of memory");
    for (size_t i = 0; i < h->nch; i++) {
        int rc = fill_info(h, &h->ch[i], &c->list[i]);
        if (rc) {
            free(c->list);
            c->list = NULL;
            return rc;
        }
    }
    c->nlist = h->nch;
    return 0;
}

static int run_cmd(struct ch_hub *h, struct hub_cmd *c)
{
    switch (c->kind) {
    case CMD_PEER:
        return ch_transport_set_peer(h->tp, c->partner, c->ip, c->port);
    case CMD_OPEN: {
        int rc = cmd_open(h, c->open);
        c->changed = rc == 0;
        return rc;
    }
    case CMD_TRANSFER: {
        int rc = hub_turn_begin(h);
        for (size_t i = 0; rc == 0 && i < c->n; i++) {
            rc = hub_make_direct(h, c->partner, c->token, &c->amounts[i], c->id);
            if (rc == 0)
                c->made++;
        }
        c->changed = c->made > 0;
        return rc;
    }
    case CMD_GET: {
        const struct ch_channel *ch = hub_find_channel(h, c->cid, c->ob);
        if (!ch)
            return err_set(ERR_NOTFOUND, "channel hub: no such channel");
        return fill_info(h, ch, c->info);
    }
    case CMD_LIST:
        return cmd_list(h, c);
    case CMD_GET_TRANSFER: {
        int rc = ch_store_get_transfer(h->st, c->cid, c->transfer);
        if (rc == ERR_NOTFOUND)
            return err_set(rc, "channel hub: no such transfer");
        return rc;
    }
    case CMD_SET_BLOCK: {
        h->cfg.block = c->block;
        /* issue 7: mediated */
        int rc = hub_med_on_block(h);
        c->changed = h->in_turn;
        return rc;
        /* end issue 7: mediated */
    }
    case CMD_STATS:
        *c->stats = h->stats;
        ch_transport_get_stats(h->tp, &c->stats->transport);
        return 0;
    case CMD_RUN: {
        int rc = c->fn(h, c->fn_arg);
        c->changed = h->in_turn;
        return rc;
    }
    }
    return err_set(ERR_INVAL, "channel hub: unknown command");
}

static void complete(struct ch_hub *h, struct hub_cmd *list, int rc, const char *why)
{
    pthread_mutex_lock(&h->mu);
    for (struct hub_cmd *c = list, *next; c; c = next) {
        next = c->next;
        if (rc) {
            c->rc = rc;
            snprintf(c->err, sizeof c->err, "%s", why);
        }
        c->done = true;
    }
    pthread_cond_broadcast(&h->done_cv);
    pthread_mutex_unlock(&h->mu);
}

static void on_wake(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct ch_hub *h = arg;
    pthread_mutex_lock(&h->mu);
    struct hub_cmd *list = h->q_head;
    h->q_head = h->q_tail = NULL;
    bool stopping = h->stopping;
    pthread_mutex_unlock(&h->mu);
    if (stopping) {
        complete(h, list, ERR_BADSTATE, "channel hub: stopping");
        event_base_loopbreak(h->base);
        return;
    }
    if (!list)
        return;
    if (h->failed || h->dead) {
        complete(h, list, ERR_IO, "channel hub: failed earlier (restart it)");
        return;
    }
    for (struct hub_cmd *c = list; c; c = c->next) {
        c->rc = run_cmd(h, c);
        if (c->rc)
            snprintf(c->err, sizeof c->err, "%s", err_msg());
    }
    int rc = hub_turn_end(h);
    if (rc) {
        char why[256];
        snprintf(why, sizeof why, "%s", err_msg());
        for (struct hub_cmd *c = list; c; c = c->next)
            if (c->changed) {
                c->rc = rc;
                snprintf(c->err, sizeof c->err, "%s", why);
            }
    }
    complete(h, list, 0, NULL);
}

/* Posts c and waits for its completion. */
static int submit(struct ch_hub *h, struct hub_cmd *c)
{
    c->next = NULL;
    c->done = false;
    c->rc = 0;
    c->err[0] = 0;
    pthread_mutex_lock(&h->mu);
    if (h->stopping || h->dead_pub || !h->thread_started) {
        bool dead = h->dead_pub;
        pthread_mutex_unlock(&h->mu);
        return err_set(ERR_BADSTATE, "channel hub: %s", dead ? "killed" : "stopped");
    }
    if (h->q_tail)
        h->q_tail->next = c;
    else
        h->q_head = c;
    h->q_tail = c;
    pthread_mutex_unlock(&h->mu);
    event_active(h->wake, EV_READ, 0);
    pthread_mutex_lock(&h->mu);
    while (!c->done)
        pthread_cond_wait(&h->done_cv, &h->mu);
    pthread_mutex_unlock(&h->mu);
    if (c->rc)
        return err_set(c->rc, "%s", c->err);
    return 0;
}

static void *thread_main(void *arg)
{
    thread_name("channel-hub");
    struct ch_hub *h = arg;
    event_base_dispatch(h->base);
    pthread_mutex_lock(&h->mu);
    struct hub_cmd *list = h->q_head;
    h->q_head = h->q_tail = NULL;
    h->stopping = true;
    pthread_mutex_unlock(&h->mu);
    complete(h, list, ERR_BADSTATE, "channel hub: stopped");
    return NULL;
}

/* ---- the public commands ------------------------------------------------------ */

int ch_hub_register_peer(struct ch_hub *h, const uint8_t partner[20], const char *ip,
                         uint16_t port)
{
    struct hub_cmd c;
    memset(&c, 0, sizeof c);
    c.kind = CMD_PEER;
    memcpy(c.partner, partner, 20);
    if (!ip || strlen(ip) >= sizeof c.ip)
        return err_set(ERR_INVAL, "channel hub: bad peer ip");
    snprintf(c.ip, sizeof c.ip, "%s", ip);
    c.port = port;
    return submit(h, &c);
}

int ch_hub_open_channel(struct ch_hub *h, const struct ch_hub_open *o)
{
    struct hub_cmd c;
    memset(&c, 0, sizeof c);
    c.kind = CMD_OPEN;
    c.open = o;
    return submit(h, &c);
}

int ch_hub_transfer_many(struct ch_hub *h, const uint8_t partner[20], const uint8_t token[20],
                         const u256 *amounts, size_t n, size_t *made)
{
    *made = 0;
    if (n > CH_HUB_BATCH_MAX)
        return err_set(ERR_RANGE, "channel hub: %zu transfers in one call (max %d)", n,
                       CH_HUB_BATCH_MAX);
    struct hub_cmd c;
    memset(&c, 0, sizeof c);
    c.kind = CMD_TRANSFER;
    memcpy(c.partner, partner, 20);
    memcpy(c.token, token, 20);
    c.amounts = amounts;
    c.n = n;
    int rc = submit(h, &c);
    *made = rc == ERR_IO ? 0 : c.made;
    return rc;
}

int ch_hub_transfer(struct ch_hub *h, const uint8_t partner[20], const uint8_t token[20],
                    const u256 *amount, uint8_t id[32])
{
    struct hub_cmd c;
    memset(&c, 0, sizeof c);
    c.kind = CMD_TRANSFER;
    memcpy(c.partner, partner, 20);
    memcpy(c.token, token, 20);
    c.amounts = amount;
    c.n = 1;
    int rc = submit(h, &c);
    if (rc == 0 && id)
        memcpy(id, c.id, 32);
    return rc;
}

int ch_hub_get_channel(struct ch_hub *h, const uint8_t channel_id[32], uint64_t open_block,
                       struct ch_hub_channel_info *out)
{
    struct hub_cmd c;
    memset(&c, 0, sizeof c);
    c.kind = CMD_GET;
    memcpy(c.cid, channel_id, 32);
    c.ob = open_block;
    c.info = out;
    return submit(h, &c);
}

int ch_hub_list_channels(struct ch_hub *h, struct ch_hub_channel_info **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    struct hub_cmd c;
    memset(&c, 0, sizeof c);
    c.kind = CMD_LIST;
    int rc = submit(h, &c);
    if (rc == 0) {
        *out = c.list;
        *n = c.nlist;
    }
    return rc;
}

int ch_hub_get_transfer(struct ch_hub *h, const uint8_t id[32], struct ch_store_transfer *out)
{
    struct hub_cmd c;
    memset(&c, 0, sizeof c);
    c.kind = CMD_GET_TRANSFER;
    memcpy(c.cid, id, 32);
    c.transfer = out;
    return submit(h, &c);
}

int ch_hub_set_block(struct ch_hub *h, uint64_t block)
{
    struct hub_cmd c;
    memset(&c, 0, sizeof c);
    c.kind = CMD_SET_BLOCK;
    c.block = block;
    return submit(h, &c);
}

int ch_hub_get_stats(struct ch_hub *h, struct ch_hub_stats *out)
{
    struct hub_cmd c;
    memset(&c, 0, sizeof c);
    c.kind = CMD_STATS;
    c.stats = out;
    return submit(h, &c);
}

int ch_hub_run(struct ch_hub *h, ch_hub_fn fn, void *arg)
{
    struct hub_cmd c;
    memset(&c, 0, sizeof c);
    c.kind = CMD_RUN;
    c.fn = fn;
    c.fn_arg = arg;
    return submit(h, &c);
}

uint16_t ch_hub_port(const struct ch_hub *h)
{
    return h->port;
}

void ch_hub_address(const struct ch_hub *h, uint8_t out[20])
{
    memcpy(out, h->addr, 20);
}

bool ch_hub_dead(struct ch_hub *h)
{
    pthread_mutex_lock(&h->mu);
    bool d = h->dead_pub;
    pthread_mutex_unlock(&h->mu);
    return d;
}

/* ---- start and stop ---------------------------------------------------------------- */

static void free_hub(struct ch_hub *h)
{
    ch_transport_close(h->tp);
    if (h->wake)
        event_free(h->wake);
    if (h->base)
        event_base_free(h->base);
    for (size_t i = 0; i < h->nch; i++)
        ch_channel_free(&h->ch[i]);
    free(h->ch);
    hub_med_free(h); /* issue 7: mediated */
    hub_settle_free(h); /* issue 7: settle */
    ch_store_close(h->st); /* an open turn is dropped, as a crash would */
    pthread_cond_destroy(&h->done_cv);
    pthread_mutex_destroy(&h->mu);
    OPENSSL_cleanse(&h->cfg, sizeof h->cfg);
    free(h);
}

/* Puts every stored outbox entry back into the transport, in nonce order
 * per (partner, channel life) as the store lists them, and sends them. */
static int requeue_outbox(struct ch_hub *h)
{
    struct ch_store_outbox *e = NULL;
    size_t n = 0;
    int rc = ch_store_outbox_list(h->st, NULL, NULL, 0, &e, &n);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = ch_transport_queue(h->tp, e[i].partner, e[i].channel_id, e[i].open_block,
                                e[i].nonce, e[i].packet, e[i].len);
    free(e);
    if (rc)
        return err_wrap(rc, "channel hub: the stored outbox");
    if (n)
        log_info("Channel hub: resending %zu stored packet(s)", n);
    ch_transport_flush(h->tp);
    return 0;
}

int ch_hub_start(const struct ch_hub_config *cfg, struct ch_hub **out)
{
    *out = NULL;
    struct ch_hub *h = calloc(1, sizeof *h);
    if (!h)
        return err_set(ERR_NOMEM, "channel hub: out of memory");
    pthread_mutex_init(&h->mu, NULL);
    pthread_cond_init(&h->done_cv, NULL);
    h->cfg = *cfg;
    h->cfg.dir = NULL;
    h->cfg.bind = NULL;
    int rc = ch_address_of(cfg->key, h->addr);
    if (rc) {
        free_hub(h);
        return err_set(ERR_INVAL, "channel hub: invalid key");
    }
    struct ch_store_options so = {.acks_per_partner = cfg->acks_per_partner};
    rc = ch_store_open(cfg->dir, &so, &h->st);
    struct ch_store_state state;
    memset(&state, 0, sizeof state);
    if (rc == 0)
        rc = ch_store_load(h->st, &state);
    if (rc) {
        free_hub(h);
        return err_wrap(rc, "channel hub: store %s", cfg->dir);
    }
    h->ch = state.channels;
    h->nch = h->cap_ch = state.n_channels;
    state.channels = NULL;
    state.n_channels = 0;
    rc = hub_med_init(h, &state); /* issue 7: mediated */
    ch_store_state_free(&state);
    if (rc) {
        free_hub(h);
        return rc;
    }

    h->base = event_base_new();
    if (h->base)
        h->wake = event_new(h->base, -1, 0, on_wake, h);
    if (!h->base || !h->wake) {
        free_hub(h);
        return err_set(ERR_NOMEM, "channel hub: cannot create the event loop");
    }
    struct ch_transport_config tc;
    memset(&tc, 0, sizeof tc);
    tc.bind = cfg->bind;
    tc.port = cfg->port;
    memcpy(tc.self, h->addr, 20);
    tc.resend_ms = cfg->resend_ms;
    tc.window = cfg->window;
    tc.rate = cfg->rate;
    /* issue 7: settle: withdraw / settle messages in hub_settle.c, the rest to
     * hub_med_on_packet (mediated), which hands the rest to hub_on_packet */
    tc.on_packet = hub_settle_on_packet;
    /* end issue 7: settle */
    tc.on_acked = hub_on_acked;
    tc.on_turn_end = on_turn_end;
    tc.ctx = h;
    rc = ch_transport_open(h->base, &tc, &h->tp);
    if (rc == 0)
        rc = requeue_outbox(h);
    if (rc == 0) {
        hub_med_resume(h); /* issue 7: mediated */
        ch_transport_flush(h->tp);
    }
    if (rc) {
        free_hub(h);
        return rc;
    }
    h->port = ch_transport_port(h->tp);
    if (pthread_create(&h->thread, NULL, thread_main, h) != 0) {
        free_hub(h);
        return err_set(ERR_BADSTATE, "channel hub: cannot start the thread");
    }
    h->thread_started = true;
    log_info("Channel hub: %zu channel(s), UDP port %u", h->nch, (unsigned)h->port);
    *out = h;
    return 0;
}

void ch_hub_stop(struct ch_hub *h)
{
    if (!h)
        return;
    if (h->thread_started) {
        pthread_mutex_lock(&h->mu);
        h->stopping = true;
        pthread_mutex_unlock(&h->mu);
        event_active(h->wake, EV_READ, 0);
        pthread_join(h->thread, NULL);
    }
    free_hub(h);
}
