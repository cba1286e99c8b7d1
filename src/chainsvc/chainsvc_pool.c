/*
 * chainsvc_pool.c — the pool's side of the chain service: transactions in
 * (raw, or signed on the chain thread for eth_sendTransaction) and copies of
 * the pool's contents out for RPC readers.
 *
 * Views hand out deep copies, never pointers into the pool: the pool
 * belongs to the chain thread and its entries move or vanish on the next
 * change, while a reader formats its answer on its own thread afterwards.
 */
#include "chainsvc/chainsvc_internal.h"

#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/log.h"

/* ---- copies --------------------------------------------------------------------- */

static int tx_copy(struct tx *dst, const struct tx *src)
{
    *dst = *src;
    dst->data = NULL;
    if (src->data_len) {
        dst->data = malloc(src->data_len);
        if (!dst->data) {
            memset(dst, 0, sizeof *dst);
            return err_set(ERR_NOMEM, "out of memory");
        }
        memcpy(dst->data, src->data, src->data_len);
    }
    return 0;
}

static int pool_tx_copy(struct chainsvc_pool_tx *dst, const struct txpool_tx *src)
{
    memset(dst, 0, sizeof *dst);
    dst->hash = src->hash;
    dst->sender = src->sender;
    dst->pending = src->pending;
    return tx_copy(&dst->tx, &src->tx);
}

void chainsvc_pool_tx_free(struct chainsvc_pool_tx *t)
{
    if (!t)
        return;
    tx_free(&t->tx);
    memset(t, 0, sizeof *t);
}

void chainsvc_pool_txs_free(struct chainsvc_pool_tx *txs, size_t n)
{
    if (!txs)
        return;
    for (size_t i = 0; i < n; i++)
        tx_free(&txs[i].tx);
    free(txs);
}

/* ---- submitting ------------------------------------------------------------------ */

/* txpool_add, then the pending-tx event. (With -automine the chain thread
 * mines after the whole batch of submits it took from the queue.) */
static int submit(struct chainsvc *s, const uint8_t *raw, size_t len, bool local,
                  const struct txpool_sender *known, struct hash32 *hash,
                  enum txpool_reason *reason)
{
    if (!s->reader.get_nonce)
        return err_set(ERR_IO, "the head state could not be opened");
    int rc = txpool_add_known(s->pool, &s->reader, raw, len, local, known, hash, reason);
    if (rc) {
        log_debug(LOG_TXPOOL, "refused a %s transaction: %s", local ? "local" : "remote",
                  err_msg());
        return rc;
    }
    const struct txpool_tx *t = txpool_get(s->pool, hash);
    if (t) {
        char hex[HASH32_HEX_SIZE];
        hash32_to_hex(hash, hex);
        log_debug(LOG_TXPOOL, "accepted %s transaction %s (%s)", local ? "local" : "remote", hex,
                  t->pending ? "pending" : "queued");
        struct chainsvc_event ev;
        memset(&ev, 0, sizeof ev);
        ev.kind = CHAINSVC_EVENT_PENDING_TX;
        ev.tx = &t->tx;
        ev.tx_hash = &t->hash;
        ev.sender = &t->sender;
        chainsvc_emit(s, &ev);
    }
    return 0;
}

void chainsvc_await_sender(struct cmd *c)
{
    for (unsigned spins = 0; atomic_load_explicit(&c->sender_pending, memory_order_acquire);
         spins++) {
        if (spins < 4096) {
#if defined(__x86_64__) || defined(__i386__)
            __builtin_ia32_pause();
#endif
        } else {
            sched_yield(); /* the caller was preempted mid-recovery */
        }
    }
}

void chainsvc_run_submit(struct chainsvc *s, struct cmd *c)
{
    chainsvc_await_sender(c);
    c->reason = TXPOOL_OK;
    c->rc = submit(s, c->raw, c->len, c->local, c->has_sender ? &c->sender : NULL, &c->hash,
                   &c->reason);
}

void chainsvc_run_send(struct chainsvc *s, struct cmd *c)
{
    struct tx tx;
    int rc = tx_copy(&tx, c->tmpl);
    if (rc) {
        c->rc = rc;
        return;
    }
    if (!c->has_nonce) {
        if (!s->reader.get_nonce)
            rc = err_set(ERR_IO, "the head state could not be opened");
        else
            rc = txpool_pending_nonce(s->pool, &s->reader, c->from, &tx.nonce);
    }
    if (rc == 0)
        rc = c->sign(c->sign_ctx, &tx, s->params->chain_id);
    struct bytes raw = BYTES_INIT;
    if (rc == 0)
        rc = tx_encode(&tx, &raw);
    tx_free(&tx);
    c->reason = TXPOOL_OK;
    if (rc == 0)
        rc = submit(s, raw.data, raw.len, true, NULL, &c->hash, &c->reason);
    bytes_free(&raw);
    c->rc = rc;
}

int chainsvc_submit_tx(struct chainsvc *s, const uint8_t *raw, size_t len, bool local,
                       struct hash32 *hash, enum txpool_reason *reason)
{
    struct cmd c;
    memset(&c, 0, sizeof c);
    c.kind = CMD_SUBMIT_TX;
    c.raw = raw;
    c.len = len;
    c.local = local;
    /* The signature is checked here, on the caller's thread, so that many
     * callers recover senders in parallel and the chain thread does not;
     * a tx that fails here is left to the pool, which says why. */
    if (len <= s->max_tx_size &&
        txpool_recover_sender(s->params, chainsvc_head_number(s, NULL), raw, len, &c.sender) == 0)
        c.has_sender = true;
    err_clear();
    int rc = chainsvc_post(s, &c);
    if (hash)
        *hash = c.hash;
    if (reason)
        *reason = c.reason;
    return rc;
}

/* A command posted by chainsvc_submit_tx_async, with its copy of the
 * transaction and the caller's callback. */
struct async_submit {
    struct cmd c;               /* first: done_fn gets this pointer */
    chainsvc_submit_fn fn;
    void *arg;
    uint8_t raw[];
};

static void async_submit_done(struct cmd *c)
{
    struct async_submit *a = (struct async_submit *)c;
    chainsvc_await_sender(c); /* answered unrun (stopping): the caller may still write */
    a->fn(a->arg, c->rc, &c->hash, c->rc ? c->msg : "");
    free(a);
}

int chainsvc_submit_tx_async(struct chainsvc *s, const uint8_t *raw, size_t len, bool local,
                             chainsvc_submit_fn fn, void *arg)
{
    /* The pool refuses a transaction above its size limit by the length
     * alone ("oversized data"): such bytes are not kept while it queues. */
    size_t keep = len <= s->max_tx_size ? len : 0;
    struct async_submit *a = malloc(sizeof *a + keep + 1);
    if (!a)
        return err_set(ERR_NOMEM, "out of memory");
    memset(&a->c, 0, sizeof a->c);
    if (keep)
        memcpy(a->raw, raw, keep);
    a->fn = fn;
    a->arg = arg;
    a->c.kind = CMD_SUBMIT_TX;
    a->c.done_fn = async_submit_done;
    a->c.raw = a->raw;
    a->c.len = len;
    a->c.local = local;
    /* Posted first, recovered after: the chain thread's wake-up (tens of
     * microseconds on an idle vCPU) overlaps the recovery instead of
     * following it. Once sender_pending is cleared, a belongs to the chain
     * thread. */
    atomic_init(&a->c.sender_pending, true);
    int rc = chainsvc_post_async(s, &a->c);
    if (rc) {
        free(a);
        return rc;
    }
    if (keep && txpool_recover_sender(s->params, chainsvc_head_number(s, NULL), raw, len,
                                      &a->c.sender) == 0)
        a->c.has_sender = true;
    err_clear();
    atomic_store_explicit(&a->c.sender_pending, false, memory_order_release);
    return 0;
}

int chainsvc_send_tx(struct chainsvc *s, const struct tx *tmpl, const struct address *from,
                     bool has_nonce, chainsvc_sign_fn sign, void *sign_ctx, struct hash32 *hash)
{
    struct cmd c;
    memset(&c, 0, sizeof c);
    c.kind = CMD_SEND_TX;
    c.tmpl = tmpl;
    c.from = from;
    c.has_nonce = has_nonce;
    c.sign = sign;
    c.sign_ctx = sign_ctx;
    int rc = chainsvc_post(s, &c);
    if (rc == 0 && hash)
        *hash = c.hash;
    return rc;
}

/* ---- views -------------------------------------------------------------------------- */

void chainsvc_run_pool_status(struct chainsvc *s, struct cmd *c)
{
    txpool_counts(s->pool, &c->pending, &c->queued);
    c->rc = 0;
}

struct collect {
    struct chainsvc_pool_tx *txs;
    size_t n, cap;
    int rc;
};

static void collect_account(void *ctx, const struct address *sender,
                            const struct txpool_tx *const *txs, size_t n)
{
    struct collect *col = ctx;
    for (size_t i = 0; i < n && !col->rc; i++) {
        if (col->n == col->cap) {
            col->rc = err_set(ERR_RANGE, "pool changed while copying");
            return;
        }
        col->rc = pool_tx_copy(&col->txs[col->n], txs[i]);
        if (!col->rc)
            col->n++;
    }
}

void chainsvc_run_pool_content(struct chainsvc *s, struct cmd *c)
{
    size_t pending = 0, queued = 0;
    txpool_counts(s->pool, &pending, &queued);
    struct collect col = {NULL, 0, pending + queued, 0};
    if (col.cap) {
        col.txs = calloc(col.cap, sizeof *col.txs);
        if (!col.txs) {
            c->rc = err_set(ERR_NOMEM, "out of memory");
            return;
        }
        txpool_foreach_account(s->pool, collect_account, &col);
    }
    if (col.rc) {
        chainsvc_pool_txs_free(col.txs, col.n);
        c->rc = col.rc;
        return;
    }
    c->txs = col.txs;
    c->ntxs = col.n;
    c->rc = 0;
}

void chainsvc_run_pool_get(struct chainsvc *s, struct cmd *c)
{
    const struct txpool_tx *t = txpool_get(s->pool, c->query);
    if (!t) {
        c->rc = err_set(ERR_NOTFOUND, "transaction not in the pool");
        return;
    }
    c->rc = pool_tx_copy(c->one, t);
}

void chainsvc_run_pool_nonce(struct chainsvc *s, struct cmd *c)
{
    if (!s->reader.get_nonce) {
        c->rc = err_set(ERR_IO, "the head state could not be opened");
        return;
    }
    c->rc = txpool_pending_nonce(s->pool, &s->reader, c->addr, &c->nonce);
}

int chainsvc_pool_status(struct chainsvc *s, size_t *pending, size_t *queued)
{
    struct cmd c;
    memset(&c, 0, sizeof c);
    c.kind = CMD_POOL_STATUS;
    int rc = chainsvc_post(s, &c);
    if (pending)
        *pending = c.pending;
    if (queued)
        *queued = c.queued;
    return rc;
}

int chainsvc_pool_content(struct chainsvc *s, struct chainsvc_pool_tx **txs, size_t *n)
{
    struct cmd c;
    memset(&c, 0, sizeof c);
    c.kind = CMD_POOL_CONTENT;
    int rc = chainsvc_post(s, &c);
    *txs = rc ? NULL : c.txs;
    *n = rc ? 0 : c.ntxs;
    return rc;
}

int chainsvc_pool_get(struct chainsvc *s, const struct hash32 *hash,
                      struct chainsvc_pool_tx *out)
{
    memset(out, 0, sizeof *out);
    struct cmd c;
    memset(&c, 0, sizeof c);
    c.kind = CMD_POOL_GET;
    c.query = hash;
    c.one = out;
    return chainsvc_post(s, &c);
}

int chainsvc_pool_nonce(struct chainsvc *s, const struct address *a, uint64_t *nonce)
{
    struct cmd c;
    memset(&c, 0, sizeof c);
    c.kind = CMD_POOL_NONCE;
    c.addr = a;
    int rc = chainsvc_post(s, &c);
    if (rc == 0)
        *nonce = c.nonce;
    return rc;
}
