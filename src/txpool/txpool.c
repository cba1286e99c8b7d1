/*
 * txpool.c — the pool's structure: entries by hash, senders' nonce-sorted
 * arrays split into pending/queued, replacement, limits and eviction, new
 * heads and reorg re-adds, and the read-only views.
 *
 * Why it is shaped this way: the limits are small (thousands of entries,
 * sixteen per remote sender), so the simplest correct structure wins. Each
 * change to an account ends with account_reclass(), which recomputes its
 * pending prefix and the global counters, so promotion (a gap filled) and
 * demotion (a gap made by an eviction or a dropped unpayable tx) need no
 * code of their own. The cheapest victim is found by a scan of all entries,
 * which only runs when a limit is reached (doc/txpool.md has the cost).
 */
#include "txpool/txpool_internal.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/keccak.h"
#include "util/bytes.h"
#include "util/err.h"

/* ---- set-up ---------------------------------------------------------------- */

static void set_head(struct txpool *pool, uint64_t number, uint64_t gas_limit)
{
    const struct chain_params *p = pool->params;
    uint64_t next = number == UINT64_MAX ? number : number + 1;
    pool->head_number = number;
    pool->gas_limit = gas_limit;
    pool->rules.homestead = params_fork_active(p->homestead_block, next);
    pool->rules.eip155 = params_fork_active(p->eip155_block, next);
    pool->rules.chain_id = p->chain_id;
}

void txpool_config_default(struct txpool_config *cfg, const struct chain_params *p)
{
    cfg->min_gas_price = p ? p->min_gas_price : 0;
    cfg->price_bump = TXPOOL_DEFAULT_PRICE_BUMP;
    cfg->max_tx_size = TXPOOL_DEFAULT_MAX_TX_SIZE;
    cfg->global_pending = TXPOOL_DEFAULT_GLOBAL_PENDING;
    cfg->global_queued = TXPOOL_DEFAULT_GLOBAL_QUEUED;
    cfg->account_slots = TXPOOL_DEFAULT_ACCOUNT_SLOTS;
}

int txpool_create(const struct chain_params *p, const struct txpool_config *cfg,
                  uint64_t head_number, uint64_t head_gas_limit, struct txpool **out)
{
    *out = NULL;
    if (!p || !cfg)
        return err_set(ERR_INVAL, "txpool: no params or config");
    if (cfg->price_bump > 1000 || !cfg->max_tx_size || !cfg->global_pending ||
        !cfg->global_queued || !cfg->account_slots)
        return err_set(ERR_INVAL, "txpool: price bump above 1000%% or a zero limit");
    struct txpool *pool = calloc(1, sizeof *pool);
    if (!pool)
        return err_set(ERR_NOMEM, "txpool");
    pool->params = p;
    pool->cfg = *cfg;
    txpool_map_init(&pool->by_hash, offsetof(struct txpool_tx, hash), HASH32_LEN);
    txpool_map_init(&pool->by_addr, offsetof(struct txpool_account, addr), ADDRESS_LEN);
    set_head(pool, head_number, head_gas_limit);
    *out = pool;
    return 0;
}

static void entry_free(struct txpool_tx *e)
{
    if (!e)
        return;
    tx_free(&e->tx);
    free(e->raw);
    free(e);
}

static void account_free(struct txpool_account *a)
{
    for (size_t i = 0; i < a->n; i++)
        entry_free(a->txs[i]);
    free(a->txs);
    free(a);
}

void txpool_free(struct txpool *pool)
{
    if (!pool)
        return;
    size_t pos = 0;
    struct txpool_account *a;
    while ((a = txpool_map_next(&pool->by_addr, &pos)))
        account_free(a);
    txpool_map_free(&pool->by_addr);
    txpool_map_free(&pool->by_hash);
    free(pool);
}

/* ---- accounts ---------------------------------------------------------------- */

/* Recomputes the pending prefix; the counters follow each flag that flips
 * (invariant: npending/nqueued count the entries flagged so). */
static void account_reclass(struct txpool *pool, struct txpool_account *a)
{
    size_t np = 0;
    uint64_t want = a->state_nonce;
    while (np < a->n && a->txs[np]->tx.nonce == want) {
        np++;
        want++;                 /* nonces stay below 2^64-1: no wrap */
    }
    for (size_t i = 0; i < a->n; i++) {
        struct txpool_tx *e = a->txs[i];
        bool p = i < np;
        if (p == e->pending)
            continue;
        if (p) {
            pool->npending++;
            pool->nqueued--;
        } else {
            pool->npending--;
            pool->nqueued++;
        }
        e->pending = p;
    }
    a->npending = np;
}

/* Index of the first tx with nonce >= nonce. */
static size_t account_lower_bound(const struct txpool_account *a, uint64_t nonce)
{
    size_t lo = 0, hi = a->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (a->txs[mid]->tx.nonce < nonce)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Takes entry i out of the account and the hash table, keeping the pool's
 * counters right for what remains (call account_reclass afterwards). */
static void account_remove_at(struct txpool *pool, struct txpool_account *a, size_t i)
{
    struct txpool_tx *e = a->txs[i];
    if (e->pending)
        pool->npending--;
    else
        pool->nqueued--;
    txpool_map_del(&pool->by_hash, &e->hash);
    memmove(&a->txs[i], &a->txs[i + 1], (a->n - i - 1) * sizeof a->txs[0]);
    a->n--;
    entry_free(e);
}

static void account_drop_if_empty(struct txpool *pool, struct txpool_account *a)
{
    if (a->n)
        return;
    txpool_map_del(&pool->by_addr, &a->addr);
    account_free(a);
}

/* Removes entry e from the pool (reclassifying its account). */
static void remove_entry(struct txpool *pool, struct txpool_tx *e)
{
    struct txpool_account *a = txpool_map_get(&pool->by_addr, &e->sender);
    if (!a)
        return;
    size_t i = account_lower_bound(a, e->tx.nonce);
    if (i >= a->n || a->txs[i] != e)
        return;
    account_remove_at(pool, a, i);
    account_reclass(pool, a);
    account_drop_if_empty(pool, a);
}

/* Brings the account to a new state nonce: drops txs below it. */
static void account_sync(struct txpool *pool, struct txpool_account *a, uint64_t state_nonce)
{
    a->state_nonce = state_nonce;
    while (a->n && a->txs[0]->tx.nonce < state_nonce)
        account_remove_at(pool, a, 0);
    account_reclass(pool, a);
}

/* ---- limits ------------------------------------------------------------------ */

/* The cheapest remote entry of a class (pending or queued), not `protect`:
 * lowest price, then the latest arrival. NULL when there is none. */
static struct txpool_tx *cheapest_remote(const struct txpool *pool, bool pending,
                                         const struct txpool_tx *protect)
{
    struct txpool_tx *best = NULL, *e;
    size_t pos = 0;
    while ((e = txpool_map_next(&pool->by_hash, &pos))) {
        if (e->local || e == protect || e->pending != pending)
            continue;
        if (!best) {
            best = e;
            continue;
        }
        int c = u256_cmp(&e->tx.gas_price, &best->tx.gas_price);
        if (c < 0 || (c == 0 && e->seq > best->seq))
            best = e;
    }
    return best;
}

/* Evicts cheapest remote txs until both classes are within their limits
 * (or only local txs, and `protect`, are left). */
static void enforce_limits(struct txpool *pool, const struct txpool_tx *protect)
{
    while (pool->npending > pool->cfg.global_pending) {
        struct txpool_tx *v = cheapest_remote(pool, true, protect);
        if (!v)
            break;
        remove_entry(pool, v);
    }
    while (pool->nqueued > pool->cfg.global_queued) {
        struct txpool_tx *v = cheapest_remote(pool, false, protect);
        if (!v)
            break;
        remove_entry(pool, v);
    }
}

/* ---- adding -------------------------------------------------------------------- */

static int replace_ok(const struct txpool *pool, const u256 *old_price, const u256 *new_price)
{
    if (u256_cmp(new_price, old_price) <= 0)
        return 0;
    u256 mul = u256_from_u64(100u + pool->cfg.price_bump), hundred = u256_from_u64(100);
    u256 threshold;
    if (u256_mul_overflow(&threshold, old_price, &mul))
        return 0;               /* old * (100+bump) does not fit: nothing can be dearer */
    u256_div(&threshold, &threshold, &hundred);
    return u256_cmp(new_price, &threshold) >= 0;
}

static int new_entry(struct txpool *pool, struct tx *tx, const uint8_t *raw, size_t len,
                     const struct hash32 *hash, const struct address *sender, const u256 *cost,
                     bool local, struct txpool_tx **out)
{
    struct txpool_tx *e = calloc(1, sizeof *e);
    uint8_t *copy = malloc(len);
    if (!e || !copy) {
        free(e);
        free(copy);
        return err_set(ERR_NOMEM, "txpool: entry");
    }
    memcpy(copy, raw, len);
    e->tx = *tx;                /* takes the data buffer */
    memset(tx, 0, sizeof *tx);
    e->hash = *hash;
    e->sender = *sender;
    e->raw = copy;
    e->raw_len = len;
    e->cost = *cost;
    e->seq = pool->seq++;
    e->local = local;
    *out = e;
    return 0;
}

static int account_reserve(struct txpool_account *a)
{
    if (a->n < a->cap)
        return 0;
    size_t cap = a->cap ? a->cap * 2 : 4;
    struct txpool_tx **t = realloc(a->txs, cap * sizeof *t);
    if (!t)
        return err_set(ERR_NOMEM, "txpool: account of %zu txs", a->n);
    a->txs = t;
    a->cap = cap;
    return 0;
}

static int add_decoded(struct txpool *pool, const struct txpool_state_reader *rd, struct tx *tx,
                       const uint8_t *raw, size_t len, bool local,
                       const struct txpool_sender *known, struct hash32 *hash_out,
                       enum txpool_reason *reason)
{
    struct hash32 hash;
    keccak256(raw, len, hash.b);
    if (hash_out)
        *hash_out = hash;
    if (txpool_map_get(&pool->by_hash, &hash))
        return txpool_reject(reason, TXPOOL_ALREADY_KNOWN);

    struct address sender;
    u256 cost;
    uint64_t state_nonce = 0;
    int rc = txpool_check(pool, rd, tx, local, known, &sender, &cost, &state_nonce, reason);
    if (rc)
        return rc;

    struct txpool_account *a = txpool_map_get(&pool->by_addr, &sender);
    if (a && a->state_nonce != state_nonce) {
        account_sync(pool, a, state_nonce);
        if (!a->n) {
            account_drop_if_empty(pool, a);
            a = NULL;
        }
    }

    /* Replacement of the same (sender, nonce). */
    size_t at = a ? account_lower_bound(a, tx->nonce) : 0;
    if (a && at < a->n && a->txs[at]->tx.nonce == tx->nonce) {
        struct txpool_tx *old = a->txs[at];
        if (!replace_ok(pool, &old->tx.gas_price, &tx->gas_price))
            return txpool_reject(reason, TXPOOL_REPLACE_UNDERPRICED);
        struct txpool_tx *e;
        if ((rc = new_entry(pool, tx, raw, len, &hash, &sender, &cost, local, &e)))
            return rc;
        if ((rc = txpool_map_put(&pool->by_hash, e))) {
            *tx = e->tx;        /* hand the data back to the caller's tx */
            memset(&e->tx, 0, sizeof e->tx);
            entry_free(e);
            return rc;
        }
        txpool_map_del(&pool->by_hash, &old->hash);
        e->pending = old->pending;
        e->local = local || old->local;
        a->txs[at] = e;
        entry_free(old);
        if (reason)
            *reason = TXPOOL_OK;
        return 0;
    }

    /* A new nonce: make room first (decisions only; nothing changes yet). */
    size_t npending = a ? a->npending : 0;
    bool will_pending = tx->nonce == state_nonce + npending;
    struct txpool_tx *drop_own = NULL;
    if (!local && a && a->n >= pool->cfg.account_slots) {
        struct txpool_tx *last = a->txs[a->n - 1];
        if (last->tx.nonce > tx->nonce && !last->local)
            drop_own = last;
        else
            return txpool_reject(reason, TXPOOL_ACCOUNT_LIMIT);
    }
    if (!local) {
        bool full = will_pending ? pool->npending >= pool->cfg.global_pending
                                 : !drop_own && pool->nqueued >= pool->cfg.global_queued;
        if (full) {
            const struct txpool_tx *v = cheapest_remote(pool, will_pending, NULL);
            if (!v)
                return txpool_reject(reason, TXPOOL_FULL);
            if (u256_cmp(&tx->gas_price, &v->tx.gas_price) <= 0)
                return txpool_reject(reason, TXPOOL_UNDERPRICED);
        }
    }

    /* Insert. */
    bool created = false;
    if (!a) {
        a = calloc(1, sizeof *a);
        if (!a)
            return err_set(ERR_NOMEM, "txpool: account");
        a->addr = sender;
        a->state_nonce = state_nonce;
        if ((rc = txpool_map_put(&pool->by_addr, a))) {
            free(a);
            return rc;
        }
        created = true;
    }
    struct txpool_tx *e = NULL;
    if ((rc = account_reserve(a)) ||
        (rc = new_entry(pool, tx, raw, len, &hash, &sender, &cost, local, &e)) ||
        (rc = txpool_map_put(&pool->by_hash, e))) {
        if (e) {
            *tx = e->tx;        /* hand the data back to the caller's tx */
            memset(&e->tx, 0, sizeof e->tx);
            entry_free(e);
        }
        if (created) {
            txpool_map_del(&pool->by_addr, &a->addr);
            account_free(a);
        }
        return rc;
    }
    memmove(&a->txs[at + 1], &a->txs[at], (a->n - at) * sizeof a->txs[0]);
    a->txs[at] = e;
    a->n++;
    e->pending = false;
    pool->nqueued++;            /* counted as queued until reclassified */
    if (drop_own)
        account_remove_at(pool, a, a->n - 1);
    account_reclass(pool, a);
    enforce_limits(pool, e);
    if (reason)
        *reason = TXPOOL_OK;
    return 0;
}

int txpool_add(struct txpool *pool, const struct txpool_state_reader *rd, const uint8_t *raw,
               size_t len, bool local, struct hash32 *hash, enum txpool_reason *reason)
{
    return txpool_add_known(pool, rd, raw, len, local, NULL, hash, reason);
}

int txpool_recover_sender(const struct chain_params *p, uint64_t head_number, const uint8_t *raw,
                          size_t len, struct txpool_sender *out)
{
    memset(out, 0, sizeof *out);
    uint64_t next = head_number + 1;
    out->rules.homestead = params_fork_active(p->homestead_block, next);
    out->rules.eip155 = params_fork_active(p->eip155_block, next);
    out->rules.chain_id = p->chain_id;
    struct tx tx;
    int rc = tx_decode(raw, len, &tx);
    if (rc)
        return rc;
    rc = tx_sender(&tx, &out->rules, &out->sender);
    tx_free(&tx);
    return rc;
}

int txpool_add_known(struct txpool *pool, const struct txpool_state_reader *rd,
                     const uint8_t *raw, size_t len, bool local,
                     const struct txpool_sender *known, struct hash32 *hash,
                     enum txpool_reason *reason)
{
    if (reason)
        *reason = TXPOOL_DECODE;
    if (len > pool->cfg.max_tx_size)
        return txpool_reject(reason, TXPOOL_OVERSIZED);
    struct tx tx;
    int rc = tx_decode(raw, len, &tx);
    if (rc) {
        if (rc != ERR_NOMEM)
            err_wrap(rc, "invalid transaction");
        return rc;
    }
    rc = add_decoded(pool, rd, &tx, raw, len, local, known, hash, reason);
    tx_free(&tx);               /* empty when the pool took it */
    return rc;
}

int txpool_add_tx(struct txpool *pool, const struct txpool_state_reader *rd, const struct tx *tx,
                  bool local, struct hash32 *hash, enum txpool_reason *reason)
{
    struct bytes b = BYTES_INIT;
    int rc = tx_encode(tx, &b);
    if (!rc)
        rc = txpool_add(pool, rd, b.data, b.len, local, hash, reason);
    bytes_free(&b);
    return rc;
}

/* ---- new heads and reorgs ------------------------------------------------------ */

int txpool_on_new_head(struct txpool *pool, uint64_t head_number, uint64_t head_gas_limit,
                       const struct txpool_state_reader *rd)
{
    set_head(pool, head_number, head_gas_limit);
    size_t n = pool->by_addr.n, k = 0;
    if (!n)
        return 0;
    struct txpool_account **list = malloc(n * sizeof *list);
    if (!list)
        return err_set(ERR_NOMEM, "txpool: %zu accounts", n);
    size_t pos = 0;
    struct txpool_account *a;
    while (k < n && (a = txpool_map_next(&pool->by_addr, &pos)))
        list[k++] = a;

    int first = 0;
    for (size_t i = 0; i < k; i++) {
        a = list[i];
        uint64_t nonce;
        u256 balance;
        int rc = rd->get_nonce(rd->ctx, &a->addr, &nonce);
        if (!rc)
            rc = rd->get_balance(rd->ctx, &a->addr, &balance);
        if (rc) {
            if (!first)
                first = rc;
            continue;
        }
        a->state_nonce = nonce;
        for (size_t j = a->n; j-- > 0;) {
            const struct txpool_tx *e = a->txs[j];
            if (e->tx.nonce < nonce || u256_lt(&balance, &e->cost) || e->tx.gas > head_gas_limit)
                account_remove_at(pool, a, j);
        }
        account_reclass(pool, a);
        account_drop_if_empty(pool, a);
    }
    free(list);
    enforce_limits(pool, NULL);
    return first;
}

int txpool_readd(struct txpool *pool, const struct txpool_state_reader *rd, const struct tx *txs,
                 size_t n, size_t *readded)
{
    size_t ok = 0;
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        enum txpool_reason why;
        rc = txpool_add_tx(pool, rd, &txs[i], false, NULL, &why);
        if (!rc)
            ok++;
        else if (rc == ERR_INVAL || rc == ERR_DECODE || rc == ERR_UNSUPPORTED)
            rc = 0;             /* refused: the new chain made it invalid */
        else
            break;
    }
    if (readded)
        *readded = ok;
    return rc;
}

/* ---- views ------------------------------------------------------------------------ */

void txpool_counts(const struct txpool *pool, size_t *pending, size_t *queued)
{
    if (pending)
        *pending = pool->npending;
    if (queued)
        *queued = pool->nqueued;
}

const struct txpool_tx *txpool_get(const struct txpool *pool, const struct hash32 *hash)
{
    return txpool_map_get(&pool->by_hash, hash);
}

const struct txpool_tx *const *txpool_account_txs(const struct txpool *pool,
                                                  const struct address *sender, size_t *n)
{
    const struct txpool_account *a = txpool_map_get(&pool->by_addr, sender);
    *n = a ? a->n : 0;
    return a ? (const struct txpool_tx *const *)a->txs : NULL;
}

void txpool_foreach_account(const struct txpool *pool,
                            void (*fn)(void *ctx, const struct address *sender,
                                       const struct txpool_tx *const *txs, size_t n),
                            void *ctx)
{
    size_t pos = 0;
    const struct txpool_account *a;
    while ((a = txpool_map_next(&pool->by_addr, &pos)))
        fn(ctx, &a->addr, (const struct txpool_tx *const *)a->txs, a->n);
}

int txpool_pending_nonce(const struct txpool *pool, const struct txpool_state_reader *rd,
                         const struct address *sender, uint64_t *nonce)
{
    uint64_t n;
    int rc = rd->get_nonce(rd->ctx, sender, &n);
    if (rc)
        return rc;
    const struct txpool_account *a = txpool_map_get(&pool->by_addr, sender);
    if (a) {
        size_t i = account_lower_bound(a, n);
        while (i < a->n && a->txs[i]->tx.nonce == n) {
            i++;
            n++;
        }
    }
    *nonce = n;
    return 0;
}
