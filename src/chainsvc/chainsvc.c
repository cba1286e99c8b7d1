/*
 * chainsvc.c — the chain service's life cycle, its thread and queue, and
 * what it publishes; see chainsvc.h.
 *
 * The thread sleeps on one condition variable until a command arrives or
 * the next timer (regtest -blocktime, the live miner's turn) is due; it runs
 * commands in arrival order, one at a time, so everything the chain thread
 * does is serialised without any lock around the chain or the pool. Each
 * turn runs the due timers and then one command, so a busy queue cannot
 * starve the timers and an always-due timer cannot starve the queue.
 */
#include "chainsvc/chainsvc_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "consensus/meshbox.h"
#include "consensus/vrf_ahead.h"
#include "crypto/ecdsa.h"
#include "evm/evm.h"
#include "util/err.h"
#include "util/log.h"
#include "util/thread_name.h"

uint64_t chainsvc_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void chainsvc_config_default(struct chainsvc_config *cfg, struct db *db,
                             const struct chain_params *p)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->db = db;
    cfg->params = p;
    txpool_config_default(&cfg->pool, p);
    cfg->automine = p && p->network == CHAIN_REGTEST;
    cfg->blocktime = 0;
    cfg->mine = true;
}

/* ---- published head ---------------------------------------------------------- */

int chainsvc_publish_head(struct chainsvc *s)
{
    struct header copy;
    if (header_copy(&copy, &s->chain->head))
        return ERR_NOMEM;
    pthread_mutex_lock(&s->head_lock);
    header_free(&s->pub.header);
    s->pub.header = copy;
    s->pub.number = copy.number;
    s->pub.hash = s->chain->head_hash;
    s->pub.td = s->chain->head_td;
    pthread_mutex_unlock(&s->head_lock);
    return 0;
}

int chainsvc_head(struct chainsvc *s, struct chainsvc_head *out)
{
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&s->head_lock);
    int rc = header_copy(&out->header, &s->pub.header);
    if (rc == 0) {
        out->number = s->pub.number;
        out->hash = s->pub.hash;
        out->td = s->pub.td;
    }
    pthread_mutex_unlock(&s->head_lock);
    return rc ? err_set(ERR_NOMEM, "out of memory") : 0;
}

uint64_t chainsvc_head_number(struct chainsvc *s, struct hash32 *hash)
{
    pthread_mutex_lock(&s->head_lock);
    uint64_t n = s->pub.number;
    if (hash)
        *hash = s->pub.hash;
    pthread_mutex_unlock(&s->head_lock);
    return n;
}

uint64_t chainsvc_head_state(struct chainsvc *s, struct hash32 *hash, struct hash32 *state_root)
{
    pthread_mutex_lock(&s->head_lock);
    uint64_t n = s->pub.number;
    *hash = s->pub.hash;
    *state_root = s->pub.header.state_root;
    pthread_mutex_unlock(&s->head_lock);
    return n;
}

const struct chain_params *chainsvc_params(const struct chainsvc *s)
{
    return s->params;
}

struct db *chainsvc_db(const struct chainsvc *s)
{
    return s->db;
}

void chainsvc_node_address(const struct chainsvc *s, struct address *out)
{
    *out = s->node_addr;
}

int chainsvc_node_pubkey(const struct chainsvc *s, uint8_t pub[64])
{
    return ecdsa_pubkey(s->key, pub);
}

int chainsvc_node_sign_hash(const struct chainsvc *s, const uint8_t hash[32], uint8_t sig[65])
{
    return ecdsa_sign(hash, s->key, sig);
}

int chainsvc_node_sign_tx(void *ctx, struct tx *tx, uint64_t chain_id)
{
    const struct chainsvc *s = ctx;
    return tx_sign(tx, s->key, chain_id);
}

bool chainsvc_is_mining(struct chainsvc *s)
{
    return atomic_load(&s->mining);
}

void chainsvc_vrf_counts(struct chainsvc *s, uint64_t *ahead, uint64_t *inline_made)
{
    uint64_t unstarted = 0, missed = 0;
    *ahead = 0;
    if (s->vrf_ahead)
        vrf_ahead_counts(s->vrf_ahead, ahead, &unstarted, &missed);
    *inline_made = unstarted + missed;
}

/* ---- events ------------------------------------------------------------------ */

void chainsvc_set_event_fn(struct chainsvc *s, chainsvc_event_fn fn, void *ctx)
{
    pthread_mutex_lock(&s->ev_lock);
    s->ev_fn = fn;
    s->ev_ctx = ctx;
    pthread_mutex_unlock(&s->ev_lock);
}

void chainsvc_emit(struct chainsvc *s, const struct chainsvc_event *ev)
{
    pthread_mutex_lock(&s->ev_lock);
    if (s->ev_fn)
        s->ev_fn(s->ev_ctx, ev);
    pthread_mutex_unlock(&s->ev_lock);
}

/* ---- the queue ------------------------------------------------------------------- */

/* Queues c and wakes the chain thread; returns with qlock held, or
 * ERR_BADSTATE (not queued, qlock released) when the service is stopping. */
static int enqueue(struct chainsvc *s, struct cmd *c)
{
    c->next = NULL;
    c->done = false;
    c->rc = 0;
    c->msg[0] = 0;
    pthread_mutex_lock(&s->qlock);
    if (s->stopping) {
        pthread_mutex_unlock(&s->qlock);
        return err_set(ERR_BADSTATE, "the chain service is stopping");
    }
    if (s->qtail)
        s->qtail->next = c;
    else
        s->qhead = c;
    s->qtail = c;
    pthread_cond_signal(&s->qcond);
    return 0;
}

int chainsvc_post(struct chainsvc *s, struct cmd *c)
{
    if (s->thread_started && pthread_equal(pthread_self(), s->thread))
        return err_set(ERR_BADSTATE, "chainsvc: a command from the chain thread itself");
    int rc = enqueue(s, c);
    if (rc)
        return rc;
    while (!c->done)
        pthread_cond_wait(&s->done_cond, &s->qlock);
    pthread_mutex_unlock(&s->qlock);
    if (c->rc)
        return err_set(c->rc, "%s", c->msg);
    return 0;
}

int chainsvc_post_async(struct chainsvc *s, struct cmd *c)
{
    int rc = enqueue(s, c);
    if (rc == 0)
        pthread_mutex_unlock(&s->qlock);
    return rc;
}

/* Under qlock: marks the waited-for commands of the list done and returns
 * the ones posted without waiting, whose done_fn the caller runs after
 * unlocking (a done_fn wakes another thread: never under our lock). */
static struct cmd *finish_locked(struct cmd *c)
{
    struct cmd *async = NULL, **tail = &async;
    while (c) {
        struct cmd *next = c->next; /* c belongs to its caller once done */
        if (c->done_fn) {
            c->next = NULL;
            *tail = c;
            tail = &c->next;
        } else {
            c->done = true;
        }
        c = next;
    }
    return async;
}

static void deliver_async(struct cmd *c)
{
    while (c) {
        struct cmd *next = c->next;
        c->done_fn(c); /* frees c */
        c = next;
    }
}

static void run_cmd(struct chainsvc *s, struct cmd *c)
{
    err_clear();
    switch (c->kind) {
    case CMD_SUBMIT_TX: chainsvc_run_submit(s, c); break;
    case CMD_SEND_TX: chainsvc_run_send(s, c); break;
    case CMD_IMPORT: chainsvc_run_import(s, c); break;
    case CMD_GENERATE: chainsvc_run_generate(s, c); break;
    case CMD_BUILD: chainsvc_run_build(s, c); break;
    case CMD_POOL_STATUS: chainsvc_run_pool_status(s, c); break;
    case CMD_POOL_CONTENT: chainsvc_run_pool_content(s, c); break;
    case CMD_POOL_GET: chainsvc_run_pool_get(s, c); break;
    case CMD_POOL_NONCE: chainsvc_run_pool_nonce(s, c); break;
    default: c->rc = err_set(ERR_INVAL, "chainsvc: unknown command");
    }
    if (c->rc)
        snprintf(c->msg, sizeof c->msg, "%s", err_msg()[0] ? err_msg() : err_name(c->rc));
}

/* Submits in one automine batch at most (the block's gas decides how many
 * fit; chainsvc_automine mines more blocks for the rest). */
#define AUTOMINE_BATCH_MAX 4096

static bool is_submit(const struct cmd *c)
{
    return c->kind == CMD_SUBMIT_TX || c->kind == CMD_SEND_TX;
}

static void deadline_ts(uint64_t ms, struct timespec *ts)
{
    ts->tv_sec = (time_t)(ms / 1000u);
    ts->tv_nsec = (long)(ms % 1000u) * 1000000L;
}

/* True when a command of the list c has a caller waiting for it. */
static bool any_waits(const struct cmd *c)
{
    for (; c; c = c->next)
        if (!c->done_fn)
            return true;
    return false;
}

static void *thread_main(void *arg)
{
    thread_name("chain");
    struct chainsvc *s = arg;
    s->tip_log_defer = true;
    chainsvc_schedule_mining(s);
    pthread_mutex_lock(&s->qlock);
    while (!s->stopping) {
        /* Due timers and one command per turn, so that neither can starve
         * the other (a live miner on a period-0 chain is always due). */
        bool worked = false;
        uint64_t dl = chainsvc_next_deadline(s);
        uint64_t now = chainsvc_now_ms();
        if (dl && dl <= now) {
            pthread_mutex_unlock(&s->qlock);
            chainsvc_run_timers(s, now);
            chainsvc_tip_log_flush(s);
            pthread_mutex_lock(&s->qlock);
            worked = true;
        }
        struct cmd *c = s->stopping ? NULL : s->qhead;
        if (c) {
            /* With -automine, the submits waiting together become one
             * block: each is answered once the block holding it is in. */
            struct cmd *last = c;
            size_t batch = 1;
            if (s->automine && is_submit(c))
                while (last->next && is_submit(last->next) && batch < AUTOMINE_BATCH_MAX) {
                    last = last->next;
                    batch++;
                }
            s->qhead = last->next;
            if (!s->qhead)
                s->qtail = NULL;
            last->next = NULL;
            pthread_mutex_unlock(&s->qlock);
            bool added = false;
            for (struct cmd *k = c; k; k = k->next) {
                run_cmd(s, k);
                added |= is_submit(k) && k->rc == 0;
            }
            if (s->automine && added)
                chainsvc_automine(s);
            /* A caller waiting for its command may read the log next. */
            if (any_waits(c))
                chainsvc_tip_log_flush(s);
            pthread_mutex_lock(&s->qlock);
            struct cmd *async = finish_locked(c);
            pthread_cond_broadcast(&s->done_cond);
            if (async) {
                pthread_mutex_unlock(&s->qlock);
                deliver_async(async);
                chainsvc_tip_log_flush(s);
                pthread_mutex_lock(&s->qlock);
            }
            worked = true;
            if (s->automine && added && !s->qhead) {
                /* The submitters are being answered: meanwhile, the part
                 * of the next block that depends only on the new head. */
                pthread_mutex_unlock(&s->qlock);
                chainsvc_prepare_next(s);
                pthread_mutex_lock(&s->qlock);
            }
        }
        if (worked || s->stopping)
            continue;
        dl = chainsvc_next_deadline(s);
        if (dl) {
            struct timespec ts;
            deadline_ts(dl, &ts);
            pthread_cond_timedwait(&s->qcond, &s->qlock, &ts);
        } else {
            pthread_cond_wait(&s->qcond, &s->qlock);
        }
    }
    chainsvc_tip_log_flush(s);
    s->tip_log_defer = false;
    /* Stopping: whoever still waits gets an answer. */
    for (struct cmd *c = s->qhead; c; c = c->next) {
        c->rc = ERR_BADSTATE;
        snprintf(c->msg, sizeof c->msg, "the chain service is stopping");
    }
    struct cmd *async = finish_locked(s->qhead);
    s->qhead = s->qtail = NULL;
    pthread_cond_broadcast(&s->done_cond);
    pthread_mutex_unlock(&s->qlock);
    deliver_async(async);
    return NULL;
}

/* ---- life cycle ------------------------------------------------------------------ */

static void free_service(struct chainsvc *s)
{
    chainsvc_head_state_close(s);
    miner_prep_free(&s->prep);
    vrf_ahead_free(s->vrf_ahead);
    txpool_free(s->pool);
    chain_close(s->chain);
    header_free(&s->pub.header);
    pthread_mutex_destroy(&s->qlock);
    pthread_cond_destroy(&s->qcond);
    pthread_cond_destroy(&s->done_cond);
    pthread_mutex_destroy(&s->head_lock);
    pthread_mutex_destroy(&s->ev_lock);
    explicit_bzero(s->key, sizeof s->key);
    free(s);
}

int chainsvc_start(const struct chainsvc_config *cfg, struct chainsvc **out)
{
    *out = NULL;
    if (!cfg->db || !cfg->params || !cfg->genesis)
        return err_set(ERR_INVAL, "chainsvc: no database, parameters or genesis");
    if (!cfg->engine.verify_header || !cfg->engine.validate_block)
        return err_set(ERR_INVAL, "chainsvc: no consensus engine");
    if (!ecdsa_seckey_valid(cfg->node_key))
        return err_set(ERR_INVAL, "chainsvc: the node key is not a valid secp256k1 key");

    struct chainsvc *s = calloc(1, sizeof *s);
    if (!s)
        return err_set(ERR_NOMEM, "out of memory");
    pthread_mutex_init(&s->qlock, NULL);
    pthread_cond_init(&s->qcond, NULL);
    pthread_cond_init(&s->done_cond, NULL);
    pthread_mutex_init(&s->head_lock, NULL);
    pthread_mutex_init(&s->ev_lock, NULL);
    atomic_init(&s->stop_flag, false);
    atomic_init(&s->mining, false);
    s->db = cfg->db;
    s->params = cfg->params;
    s->engine = cfg->engine;
    memcpy(s->key, cfg->node_key, 32);
    s->regtest = cfg->params->network == CHAIN_REGTEST;
    s->max_tx_size = cfg->pool.max_tx_size;
    s->automine = s->regtest && cfg->automine;
    s->blocktime = s->regtest ? cfg->blocktime : 0;
    s->live_mine = !s->regtest && cfg->mine;
    s->ev_fn = cfg->on_event;
    s->ev_ctx = cfg->event_ctx;

    uint8_t pub[64];
    int rc = ecdsa_pubkey(s->key, pub);
    if (rc == 0)
        ecdsa_pub_to_address(pub, s->node_addr.b);
    if (rc == 0)
        rc = chain_open(cfg->db, cfg->params, cfg->genesis, &s->chain);
    if (rc == 0 && cfg->genesis->has_expected_hash &&
        !hash32_eq(&cfg->genesis->expected_hash, &s->chain->genesis_hash)) {
        char want[HASH32_HEX_SIZE], got[HASH32_HEX_SIZE];
        hash32_to_hex(&cfg->genesis->expected_hash, want);
        hash32_to_hex(&s->chain->genesis_hash, got);
        rc = err_set(ERR_INVAL, "the genesis file builds block %s, but its expectedHash is %s",
                     got, want);
    }
    if (rc == 0 && cfg->genesis->chain_id && cfg->genesis->chain_id != cfg->params->chain_id)
        rc = err_set(ERR_INVAL, "the genesis file is for chain id %llu, the network's is %llu",
                     (unsigned long long)cfg->genesis->chain_id,
                     (unsigned long long)cfg->params->chain_id);
    if (rc == 0)
        rc = txpool_create(cfg->params, &cfg->pool, s->chain->head.number,
                           s->chain->head.gas_limit, &s->pool);
    if (rc == 0)
        rc = chainsvc_head_state_open(s);
    /* MeshBox weighting reads its epoch from the params; the registry must
     * agree, or producers and validators would count epochs differently. */
    if (rc == 0)
        rc = meshbox_check_registry(s->params, s->chain->evm, s->hs.st, &s->chain->head);
    if (rc == 0)
        rc = chainsvc_publish_head(s) ? err_set(ERR_NOMEM, "out of memory") : 0;
    if (rc == 0 && s->automine)
        rc = vrf_ahead_new(&s->vrf_ahead);
    if (rc) {
        free_service(s);
        return rc;
    }

    char hash[HASH32_HEX_SIZE], addr[ADDRESS_HEX_SIZE];
    hash32_to_hex(&s->chain->head_hash, hash);
    address_to_checksum_hex(&s->node_addr, addr);
    log_info("Chain: %s, head %llu %s, node address %s", cfg->params->name,
             (unsigned long long)s->chain->head.number, hash, addr);
    if (s->regtest) {
        atomic_store(&s->mining, s->automine || s->blocktime > 0);
        if (s->blocktime)
            s->next_blocktime_ms = chainsvc_now_ms() + s->blocktime * 1000u;
        log_info("Chain: regtest blocks on demand (generate)%s, -blocktime=%llu",
                 s->automine ? ", after every transaction (-automine)" : "",
                 (unsigned long long)s->blocktime);
    } else {
        log_info("Chain: block production %s", s->live_mine ? "on when the node key may sign "
                 "(-mine)" : "off (-mine=0)");
    }

    /* The chain thread executes blocks: the EVM's stack (evm/evm.h). */
    pthread_attr_t attr;
    if (pthread_attr_init(&attr) != 0 || pthread_attr_setstacksize(&attr, EVM_THREAD_STACK) != 0) {
        free_service(s);
        return err_set(ERR_BADSTATE, "chainsvc: cannot set the chain thread's stack size");
    }
    int prc = pthread_create(&s->thread, &attr, thread_main, s);
    pthread_attr_destroy(&attr);
    if (prc != 0) {
        free_service(s);
        return err_set(ERR_BADSTATE, "chainsvc: cannot start the chain thread");
    }
    s->thread_started = true;
    *out = s;
    return 0;
}

void chainsvc_request_stop(struct chainsvc *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->qlock);
    s->stopping = true;
    atomic_store(&s->stop_flag, true);
    pthread_cond_signal(&s->qcond);
    pthread_mutex_unlock(&s->qlock);
}

void chainsvc_stop(struct chainsvc *s)
{
    if (!s)
        return;
    if (s->thread_started) {
        chainsvc_request_stop(s);
        pthread_join(s->thread, NULL);
        s->thread_started = false;
    }
    uint64_t n = s->chain ? s->chain->head.number : 0;
    uint64_t ahead, inline_made;
    chainsvc_vrf_counts(s, &ahead, &inline_made);
    free_service(s);
    if (ahead + inline_made)
        log_info("Chain: VRF proofs of our blocks: %llu made ahead, %llu on the chain thread",
                 (unsigned long long)ahead, (unsigned long long)inline_made);
    log_info("Chain: stopped at height %llu", (unsigned long long)n);
}
