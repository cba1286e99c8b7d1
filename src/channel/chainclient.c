/*
 * chainclient.c — see chainclient.h.
 *
 * One thread, woken by new heads. It does the slow part of following the
 * chain (database reads, log decoding, sending transactions, which with
 * -automine waits for a block) so that neither the chain thread nor the
 * hub thread ever waits: the hub only sees one short command per batch of
 * blocks (ch_hub_chain_apply).
 */
#include "channel/chainclient.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chain/chaindb.h"
#include "chain/params.h"
#include "chainsvc/chainsvc.h"
#include "channel/abi.h"
#include "channel/events.h"
#include "channel/sig.h"
#include "consensus/tribe_engine.h"
#include "evm/evm.h"
#include "primitives/tx.h"
#include "state/state.h"
#include "storage/trie_db.h"
#include "util/err.h"
#include "util/log.h"
#include "util/thread_name.h"
#include "util/wait.h"

#define GWEI 1000000000ull

struct ch_chainclient {
    struct ch_chainclient_config cfg;
    struct address addr;
    struct ch_hub_chain *hc;
    pthread_t thread;
    bool started;

    pthread_mutex_t mu;
    pthread_cond_t cv;
    /* mu: */
    pthread_cond_t done_cv;         /* `done` moved (ch_chainclient_catch_up waits) */
    uint64_t target;                /* highest block to apply */
    uint64_t done;                  /* last block applied */
    bool resting;                   /* between rounds: new heads do not wake it */
    bool rest_over;                 /* ends the rest now: stopping, or a caller catching up */
    bool gave_up;                   /* the thread stopped following (the hub failed) */
    bool stopping;
};

/* ---- transactions ----------------------------------------------------------------- */

static int sign_with_hub_key(void *ctx, struct tx *tx, uint64_t chain_id)
{
    const struct ch_chainclient *cc = ctx;
    return tx_sign(tx, cc->cfg.key, chain_id);
}

int ch_chainclient_send(struct ch_chainclient *cc, const uint8_t to[20], const u256 *value,
                        const uint8_t *data, size_t len, struct hash32 *hash)
{
    const struct chain_params *p = chainsvc_params(cc->cfg.chain);
    struct tx tx;
    memset(&tx, 0, sizeof tx);
    tx.has_to = true;
    memcpy(tx.to.b, to, 20);
    if (value)
        tx.value = *value;
    tx.gas = CH_CLIENT_TX_GAS;
    tx.gas_price = u256_from_u64(p->min_gas_price ? p->min_gas_price : 18 * GWEI);
    tx.data = (uint8_t *)data; /* borrowed */
    tx.data_len = len;
    return chainsvc_send_tx(cc->cfg.chain, &tx, &cc->addr, false, sign_with_hub_key, cc, hash);
}

static int send_call(struct ch_chainclient *cc, struct ch_hub_tx *t, struct hash32 *hash)
{
    struct hash32 h;
    int rc = ch_chainclient_send(cc, t->to, NULL, t->data.data, t->data.len, &h);
    if (rc) {
        log_warn("Channel hub: %s on channel %02x%02x%02x%02x... not sent: %s", t->what,
                 t->channel_id[0], t->channel_id[1], t->channel_id[2], t->channel_id[3],
                 err_msg());
        return rc;
    }
    log_info("Channel hub: sent %s for channel %02x%02x%02x%02x..., tx 0x%02x%02x%02x%02x...",
             t->what, t->channel_id[0], t->channel_id[1], t->channel_id[2], t->channel_id[3],
             h.b[0], h.b[1], h.b[2], h.b[3]);
    if (hash)
        *hash = h;
    return 0;
}

int ch_chainclient_close(struct ch_chainclient *cc, const uint8_t channel_id[32],
                         const struct ch_signed_bp *bp, struct hash32 *hash)
{
    struct ch_hub_tx t;
    int rc = ch_hub_chain_close(cc->hc, channel_id, bp, &t);
    if (rc)
        return rc;
    rc = send_call(cc, &t, hash);
    ch_hub_tx_free(&t);
    return rc;
}

int ch_chainclient_settle(struct ch_chainclient *cc, const uint8_t channel_id[32],
                          struct hash32 *hash)
{
    struct ch_hub_tx t;
    int rc = ch_hub_chain_settle(cc->hc, channel_id, &t);
    if (rc)
        return rc;
    rc = send_call(cc, &t, hash);
    ch_hub_tx_free(&t);
    return rc;
}

/* ---- reads ------------------------------------------------------------------------- */

int ch_chainclient_receipt(struct chainsvc *chain, const struct hash32 *hash, bool *mined,
                           bool *ok)
{
    *mined = *ok = false;
    struct db *db = chainsvc_db(chain);
    struct chaindb_tx_location loc;
    int rc = chaindb_read_tx_lookup(db, NULL, hash, &loc);
    if (rc == ERR_NOTFOUND)
        return 0;
    if (rc)
        return rc;
    struct receipt *r = NULL;
    size_t n = 0;
    rc = chaindb_read_receipts(db, NULL, &loc.block_hash, &r, &n);
    if (rc == ERR_NOTFOUND)
        return 0;
    if (rc)
        return rc;
    if (loc.index < n) {
        *mined = true;
        *ok = r[loc.index].status;
    }
    chaindb_receipts_free(r, n);
    return 0;
}

/* The head's state, for views. */
struct head_view {
    struct db *db;
    struct db_snapshot *snap;
    struct trie_db tdb;
    bool tdb_open;
    struct header h;
    bool h_open;
    struct state *st;
};

static void view_close(struct head_view *v)
{
    state_free(v->st);
    if (v->h_open)
        header_free(&v->h);
    if (v->tdb_open)
        trie_db_release(&v->tdb);
    if (v->snap)
        db_snapshot_free(v->db, v->snap);
    memset(v, 0, sizeof *v);
}

static int view_open(struct chainsvc *chain, struct head_view *v)
{
    memset(v, 0, sizeof *v);
    struct hash32 hash;
    chainsvc_head_number(chain, &hash);
    v->db = chainsvc_db(chain);
    v->snap = db_snapshot_new(v->db);
    if (!v->snap)
        return err_set(ERR_NOMEM, "channel hub: out of memory");
    trie_db_init(&v->tdb, v->db, v->snap, NULL);
    v->tdb_open = true;
    int rc = chaindb_read_header(v->db, v->snap, &hash, &v->h);
    if (rc)
        return rc;
    v->h_open = true;
    struct trie_store store = trie_db_store(&v->tdb);
    return state_open(&store, v->h.state_root.b, &v->st);
}

static int view_call(struct chainsvc *chain, struct head_view *v, const uint8_t to[20],
                     const uint8_t *input, size_t len, uint8_t **out, size_t *out_len)
{
    struct evm *evm = NULL;
    int rc = evm_new(&evm);
    if (rc)
        return rc;
    struct address a;
    memcpy(a.b, to, 20);
    rc = tribe_call_view(chainsvc_params(chain), evm, v->st, &v->h, &a, input, len, out, out_len);
    evm_free(evm);
    return rc;
}

int ch_chainclient_view(struct chainsvc *chain, const uint8_t to[20], const uint8_t *input,
                        size_t len, uint8_t **out, size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    struct head_view v;
    int rc = view_open(chain, &v);
    if (rc == 0)
        rc = view_call(chain, &v, to, input, len, out, out_len);
    view_close(&v);
    return rc;
}

int ch_chainclient_balances(struct chainsvc *chain, const uint8_t who[20], const uint8_t *token,
                            u256 *native, u256 *token_balance)
{
    *native = u256_from_u64(0);
    if (token_balance)
        *token_balance = u256_from_u64(0);
    struct head_view v;
    int rc = view_open(chain, &v);
    if (rc) {
        view_close(&v);
        return rc;
    }
    struct address a;
    memcpy(a.b, who, 20);
    state_get_balance(v.st, &a, native);
    if (token && token_balance) {
        uint8_t sel[4];
        abi_selector("balanceOf(address)", sel);
        struct abi_value arg = abi_addr(who);
        struct bytes in;
        memset(&in, 0, sizeof in);
        rc = abi_encode(sel, &arg, 1, &in);
        uint8_t *out = NULL;
        size_t out_len = 0;
        if (rc == 0)
            rc = view_call(chain, &v, token, in.data, in.len, &out, &out_len);
        if (rc == 0 && out_len == 32)
            u256_from_be(token_balance, out, 32);
        free(out);
        bytes_free(&in);
    }
    view_close(&v);
    return rc;
}

/* ---- following the chain ------------------------------------------------------------ */

struct ev_list {
    struct ch_hub_event *v;
    size_t n, cap;
};

/* Appends the channel contracts' events of block `number` to l. */
static int read_block(struct ch_chainclient *cc, uint64_t number, struct ev_list *l)
{
    struct db *db = chainsvc_db(cc->cfg.chain);
    struct hash32 hash;
    int rc = chaindb_read_canonical(db, NULL, number, &hash);
    if (rc)
        return err_wrap(rc, "channel hub: canonical block %llu", (unsigned long long)number);
    struct receipt *r = NULL;
    size_t n = 0;
    rc = chaindb_read_receipts(db, NULL, &hash, &r, &n);
    if (rc)
        return err_wrap(rc, "channel hub: receipts of block %llu", (unsigned long long)number);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        for (size_t k = 0; rc == 0 && k < r[i].log_count; k++) {
            struct ch_event ev;
            int drc = ch_event_decode(cc->cfg.tokens_network, cc->cfg.secret_registry,
                                      &r[i].logs[k], &ev);
            if (drc) {
                log_warn("Channel hub: block %llu: %s", (unsigned long long)number, err_msg());
                continue;
            }
            if (ev.kind == CH_EV_FOREIGN || ev.kind == CH_EV_UNKNOWN)
                continue;
            if (l->n == l->cap) {
                size_t nc = l->cap ? l->cap * 2 : 64;
                struct ch_hub_event *v = realloc(l->v, nc * sizeof *v);
                if (!v) {
                    rc = err_set(ERR_NOMEM, "channel hub: out of memory");
                    break;
                }
                l->v = v;
                l->cap = nc;
            }
            l->v[l->n].block = number;
            l->v[l->n].ev = ev;
            l->n++;
        }
    }
    chaindb_receipts_free(r, n);
    return rc;
}

/* Applies blocks from..to (at most CH_CLIENT_BATCH) and sends what the
 * watchdog asks for. Returns 0 or the error that stopped it (nothing of
 * the batch was applied then). Out: *upto, the last block applied. */
static int process(struct ch_chainclient *cc, uint64_t from, uint64_t to, uint64_t *upto)
{
    struct ev_list l = {0};
    uint64_t last = from - 1;
    int rc = 0;
    for (uint64_t b = from; b <= to; b++) {
        size_t before = l.n;
        rc = read_block(cc, b, &l);
        if (rc)
            break;
        if (l.n > CH_CLIENT_EVENTS_MAX && b > from) {
            l.n = before; /* this block goes with the next batch */
            break;
        }
        last = b;
    }
    if (rc || last < from) {
        free(l.v);
        return rc ? rc : err_set(ERR_RANGE, "channel hub: too many events in block %llu",
                                 (unsigned long long)from);
    }
    struct ch_hub_tx *txs = NULL;
    size_t ntx = 0;
    rc = ch_hub_chain_apply(cc->hc, l.v, l.n, last, &txs, &ntx);
    free(l.v);
    if (rc)
        return rc;
    if (l.n)
        log_debug(LOG_CHANNEL, "Channel hub: blocks %llu-%llu: %zu contract event(s)",
                  (unsigned long long)from, (unsigned long long)last, l.n);
    *upto = last;
    /* "now" moved: the hub's own block duties (expired locks) run too */
    if (ch_hub_set_block(cc->cfg.hub, last) != 0)
        log_warn("Channel hub: block %llu: %s", (unsigned long long)last, err_msg());
    pthread_mutex_lock(&cc->mu);
    cc->done = last;
    pthread_cond_broadcast(&cc->done_cv);
    pthread_mutex_unlock(&cc->mu);
    for (size_t i = 0; i < ntx; i++)
        send_call(cc, &txs[i], NULL);
    ch_hub_txs_free(txs, ntx);
    return 0;
}

/* After a round the thread rests CH_CLIENT_REST_MS, in which new heads are
 * only recorded: the blocks made meanwhile come in the next round,
 * together. Without it, automine's thousands of blocks a second each cost
 * a wake-up of this thread, a receipts read and two hub turns (one with a
 * store write) — more CPU than making the block — in a node with no
 * channel at all. A block after a quiet spell is still taken at once. */
static void *thread_main(void *arg)
{
    thread_name("channel-chain");
    struct ch_chainclient *cc = arg;
    unsigned failures = 0;
    for (;;) {
        pthread_mutex_lock(&cc->mu);
        while (!cc->stopping && cc->target <= cc->done)
            pthread_cond_wait(&cc->cv, &cc->mu);
        if (cc->stopping) {
            pthread_mutex_unlock(&cc->mu);
            break;
        }
        uint64_t from = cc->done + 1;
        uint64_t to = cc->target;
        pthread_mutex_unlock(&cc->mu);
        if (to - from + 1 > CH_CLIENT_BATCH)
            to = from + CH_CLIENT_BATCH - 1;
        uint64_t upto = 0;
        int rc = process(cc, from, to, &upto);
        if (rc == 0) {
            failures = 0;
            wait_rest(&cc->cv, &cc->mu, &cc->rest_over, &cc->resting, CH_CLIENT_REST_MS);
            pthread_mutex_lock(&cc->mu);
            cc->rest_over = cc->stopping;
            pthread_mutex_unlock(&cc->mu);
            continue;
        }
        if (ch_hub_dead(cc->cfg.hub) || rc == ERR_BADSTATE || rc == ERR_IO) {
            log_error("Channel hub: stopped following the chain at block %llu: %s",
                      (unsigned long long)from, err_msg());
            pthread_mutex_lock(&cc->mu);
            cc->gave_up = true; /* catch_up no longer waits for it */
            pthread_cond_broadcast(&cc->done_cv);
            pthread_mutex_unlock(&cc->mu);
            break;
        }
        /* a database read failed (the block may be being written): retry */
        if (++failures == 1)
            log_warn("Channel hub: block %llu: %s; retrying", (unsigned long long)from,
                     err_msg());
        struct timespec ts;
        wait_deadline_after(&ts, 1000);
        pthread_mutex_lock(&cc->mu);
        if (!cc->stopping)
            pthread_cond_timedwait(&cc->cv, &cc->mu, &ts);
        pthread_mutex_unlock(&cc->mu);
    }
    return NULL;
}

void ch_chainclient_on_head(struct ch_chainclient *cc, uint64_t number)
{
    if (!cc)
        return;
    uint64_t t = number > cc->cfg.confirmations ? number - cc->cfg.confirmations : 0;
    pthread_mutex_lock(&cc->mu);
    if (t > cc->target) {
        cc->target = t;
        if (!cc->resting)
            pthread_cond_signal(&cc->cv);
    }
    pthread_mutex_unlock(&cc->mu);
}

void ch_chainclient_catch_up(struct ch_chainclient *cc, unsigned timeout_ms)
{
    uint64_t head = chainsvc_head_number(cc->cfg.chain, NULL);
    uint64_t t = head > cc->cfg.confirmations ? head - cc->cfg.confirmations : 0;
    struct timespec until;
    wait_deadline_after(&until, timeout_ms);
    pthread_mutex_lock(&cc->mu);
    if (t > cc->target)
        cc->target = t;
    if (cc->done < t && !cc->gave_up) {
        cc->rest_over = true;
        pthread_cond_broadcast(&cc->cv);
        while (!cc->stopping && !cc->gave_up && cc->done < t &&
               pthread_cond_timedwait(&cc->done_cv, &cc->mu, &until) != ETIMEDOUT)
            ;
    }
    pthread_mutex_unlock(&cc->mu);
}

uint64_t ch_chainclient_processed(struct ch_chainclient *cc)
{
    pthread_mutex_lock(&cc->mu);
    uint64_t d = cc->done;
    pthread_mutex_unlock(&cc->mu);
    return d;
}

struct ch_hub_chain *ch_chainclient_hub_chain(struct ch_chainclient *cc)
{
    return cc->hc;
}

void ch_chainclient_address(const struct ch_chainclient *cc, struct address *out)
{
    *out = cc->addr;
}

/* ---- start and stop ------------------------------------------------------------------ */

static void free_client(struct ch_chainclient *cc)
{
    ch_hub_chain_free(cc->hc);
    pthread_cond_destroy(&cc->cv);
    pthread_cond_destroy(&cc->done_cv);
    pthread_mutex_destroy(&cc->mu);
    OPENSSL_cleanse(cc->cfg.key, sizeof cc->cfg.key);
    free(cc);
}

int ch_chainclient_start(const struct ch_chainclient_config *cfg, struct ch_chainclient **out)
{
    *out = NULL;
    struct ch_chainclient *cc = calloc(1, sizeof *cc);
    if (!cc)
        return err_set(ERR_NOMEM, "channel hub: out of memory");
    pthread_mutex_init(&cc->mu, NULL);
    pthread_cond_init(&cc->cv, NULL);
    pthread_cond_init(&cc->done_cv, NULL);
    cc->cfg = *cfg;
    if (ch_address_of(cfg->key, cc->addr.b) != 0) {
        free_client(cc);
        return err_set(ERR_INVAL, "channel hub: invalid key");
    }
    uint64_t last = 0;
    bool has = false;
    int rc = ch_hub_chain_new(cfg->hub, cfg->tokens_network, cfg->secret_registry, &cc->hc, &last,
                              &has);
    if (rc) {
        free_client(cc);
        return rc;
    }
    uint64_t head = chainsvc_head_number(cfg->chain, NULL);
    uint64_t target = head > cfg->confirmations ? head - cfg->confirmations : 0;
    /* A new store has no channel: start at the head. */
    cc->done = has ? last : target;
    cc->target = target;
    if (has && last > target)
        log_warn("Channel hub: the store has processed block %llu, above the chain's %llu",
                 (unsigned long long)last, (unsigned long long)target);
    if (pthread_create(&cc->thread, NULL, thread_main, cc) != 0) {
        free_client(cc);
        return err_set(ERR_BADSTATE, "channel hub: cannot start the chain client thread");
    }
    cc->started = true;
    log_info("Channel hub: following the chain from block %llu (head %llu)",
             (unsigned long long)cc->done, (unsigned long long)head);
    *out = cc;
    return 0;
}

void ch_chainclient_stop(struct ch_chainclient *cc)
{
    if (!cc)
        return;
    if (cc->started) {
        pthread_mutex_lock(&cc->mu);
        cc->stopping = cc->rest_over = true;
        pthread_cond_signal(&cc->cv);
        pthread_cond_broadcast(&cc->done_cv);
        pthread_mutex_unlock(&cc->mu);
        pthread_join(cc->thread, NULL);
    }
    free_client(cc);
}
