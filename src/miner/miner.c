/*
 * miner.c — building a sealed block on the head (see miner.h for the
 * recipe, which is Spectrum's worker.commitNewWork with Tribe's Prepare).
 *
 * The file reads in the order a block is built: open the head state
 * read-only (a trie_db without a batch, so nothing can be written), read S
 * and L, check the key may sign, read the coinbase from Anmap, prepare the
 * header (tribe_prepare) and set its gas limit (CalcGasLimit below), build
 * the chief update tx, run it and then the pool's transactions through the
 * processor's incremental API, finish (Finalize, roots), check the result
 * as an importer would (chain_exec_check) and seal. miner_prepare does
 * everything up to the chief tx ahead, while the last block's submitters
 * are answered (struct miner_begun); a build then only runs the pool.
 *
 * Every system read happens before execution starts, on the untouched head
 * state (each read reverts its own changes anyway).
 */
#include "miner/miner.h"

#include <stdlib.h>
#include <string.h>

#include "consensus/tribe_engine.h"
#include "consensus/tribe_rules.h"
#include "crypto/ecdsa.h"
#include "state/state.h"
#include "storage/trie_db.h"
#include "util/err.h"
#include "util/log.h"

/* Anmap bindInfo(address) → (address from, address[] nids) (spec §9). */
static const uint8_t ANMAP_SEL_BIND_INFO[4] = {0x8d, 0x04, 0xcd, 0x30};

/* ---- the head state ---------------------------------------------------------- */

/* What is read at the head: the state (read-only) and S and L for n. */
struct head_view {
    struct trie_db tdb;
    bool own_tdb;
    struct state *st;
    bool borrowed;              /* st belongs to a chain_work */
    struct tribe_status status;
};

/* Opens the head state: read-only, or in `work` (its writes batched for
 * chain_commit_own_block; then the work owns the state, not v). */
static int open_head(struct chain *c, struct head_view *v, struct chain_work *work,
                     bool with_status)
{
    memset(v, 0, sizeof *v);
    int rc;
    if (work) {
        rc = chain_work_open(c, work);
        v->st = work->st;
        v->borrowed = true;
    } else {
        trie_db_init(&v->tdb, c->db, NULL, NULL);
        v->own_tdb = true;
        struct trie_store store = trie_db_store(&v->tdb);
        rc = state_open(&store, c->head.state_root.b, &v->st);
    }
    if (rc == 0 && with_status)
        rc = tribe_load_status(c->params, c->evm, v->st, &c->head, &v->status);
    return rc;
}

static void close_head(struct head_view *v)
{
    tribe_status_free(&v->status);
    if (!v->borrowed)
        state_free(v->st);
    if (v->own_tdb)
        trie_db_release(&v->tdb);
    memset(v, 0, sizeof *v);
}

static int key_address(const uint8_t key[32], struct address *a)
{
    uint8_t pub[64];
    if (ecdsa_pubkey(key, pub))
        return err_set(ERR_CRYPTO, "invalid node key");
    ecdsa_pub_to_address(pub, a->b);
    return 0;
}

/* The key may sign block n when it earns a difficulty of at least 1 and
 * validateSigner's authorization (§5.2) accepts it. */
static int check_authorized(const struct chain_params *p, uint64_t n, const struct tribe_lists *ls,
                            const struct address *me)
{
    int64_t d = tribe_difficulty(p, n, ls, me);
    if (d >= 1 && tribe_signer_authorized(p, n, ls, me))
        return 0;
    char a[ADDRESS_HEX_SIZE];
    address_to_hex(me, a);
    if (d < 1)
        return err_set(ERR_INVAL, "block %llu: %s is not authorized to sign it (difficulty %lld)",
                       (unsigned long long)n, a, (long long)d);
    return err_set(ERR_INVAL,
                   "block %llu: %s is not authorized to sign it (neither the signer in turn, "
                   "signer 0 nor a leader)",
                   (unsigned long long)n, a);
}

int miner_can_sign(struct chain *c, const uint8_t node_key[32], uint64_t *earliest)
{
    *earliest = 0;
    uint64_t n = c->head.number + 1;
    struct address me;
    if (key_address(node_key, &me))
        return err_set(ERR_INVAL, "block %llu: not authorized: invalid node key",
                       (unsigned long long)n);
    struct head_view v;
    int rc = open_head(c, &v, NULL, true);
    if (rc == 0) {
        struct tribe_lists ls = tribe_status_lists(&v.status);
        rc = check_authorized(c->params, n, &ls, &me);
        if (rc == 0)
            *earliest = tribe_producer_time(c->params, n, &ls, &me, c->head.time, 0);
    }
    close_head(&v);
    return rc;
}

/* ---- header fields ----------------------------------------------------------- */

/* header.coinbase (§9): Anmap bindInfo(me).from at the head state when
 * Anmap is active and the binding exists, else the node address. A read
 * that fails (no contract, a revert, short output) means no binding. */
static int read_coinbase(struct chain *c, struct state *st, const struct address *me,
                         struct address *coinbase)
{
    const struct chain_params *p = c->params;
    *coinbase = *me;
    if (!params_fork_active(p->anmap_block, c->head.number + 1) || address_is_zero(&p->anmap))
        return 0;
    uint8_t in[4 + 32];
    memcpy(in, ANMAP_SEL_BIND_INFO, 4);
    memset(in + 4, 0, 12);
    memcpy(in + 16, me->b, ADDRESS_LEN);
    uint8_t *out;
    size_t len;
    int rc = tribe_call_view(p, c->evm, st, &c->head, &p->anmap, in, sizeof in, &out, &len);
    if (rc == ERR_INVAL || rc == ERR_RANGE) {
        err_clear();
        return 0;
    }
    if (rc)
        return err_wrap(rc, "Anmap bindInfo");
    if (len >= 32) {
        struct address from;
        memcpy(from.b, out + 12, ADDRESS_LEN);
        if (!address_is_zero(&from))
            *coinbase = from;
    }
    free(out);
    return 0;
}

/* The producer's gas limit (§6.6, go-ethereum's CalcGasLimit as Spectrum
 * keeps it): move from the parent's limit by the parent's use (up when more
 * than 2/3 full, down otherwise) by less than 1/1024, never below
 * min_gas_limit, climbing towards target_gas_limit when below it; from
 * SIP004 on at least the 40M floor (the SIP004 block itself may jump to
 * it). Always within §6.7's bounds. */
static uint64_t next_gas_limit(const struct chain_params *p, const struct header *parent)
{
    uint64_t div = p->gas_limit_bound_divisor, pl = parent->gas_limit;
    uint64_t used = parent->gas_used <= pl ? parent->gas_used : pl;
    uint64_t contrib = (used + used / 2) / div;
    uint64_t decay = pl / div ? pl / div - 1 : 0;
    uint64_t gl = pl - decay + contrib;
    if (gl < p->min_gas_limit)
        gl = p->min_gas_limit;
    if (gl < p->target_gas_limit) {
        gl = pl + decay;
        if (gl > p->target_gas_limit)
            gl = p->target_gas_limit;
    }
    uint64_t n = parent->number + 1;
    if (params_is_sip004(p, n) && gl < p->sip004_min_gas_limit)
        gl = p->sip004_min_gas_limit;
    if (gl > (uint64_t)INT64_MAX)
        gl = (uint64_t)INT64_MAX;
    return gl;
}

/* ---- transactions ------------------------------------------------------------ */

/* The block's transactions as they are applied (owned copies). */
struct tx_list {
    struct tx *txs;
    size_t count, cap;
};

static void tx_list_free(struct tx_list *l)
{
    for (size_t i = 0; i < l->count; i++)
        tx_free(&l->txs[i]);
    free(l->txs);
    memset(l, 0, sizeof *l);
}

/* Appends a deep copy of t. Returns 0 or ERR_NOMEM. */
static int tx_list_push(struct tx_list *l, const struct tx *t)
{
    if (l->count == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        struct tx *nt = realloc(l->txs, cap * sizeof *nt);
        if (!nt)
            return err_set(ERR_NOMEM, "miner: %zu transactions", cap);
        l->txs = nt;
        l->cap = cap;
    }
    struct tx *d = &l->txs[l->count];
    *d = *t;
    d->data = NULL;
    if (t->data_len) {
        d->data = malloc(t->data_len);
        if (!d->data)
            return err_set(ERR_NOMEM, "miner: tx data");
        memcpy(d->data, t->data, t->data_len);
    }
    l->count++;
    return 0;
}

/* The chief update tx of block n (§6.1), signed by node_key. */
static int chief_update_tx(const struct chain_params *p, uint64_t n, const uint8_t node_key[32],
                           uint64_t nonce, const struct address *volunteer, struct tx *t)
{
    memset(t, 0, sizeof *t);
    const struct chief_info *ci = params_chief_for_block(p, n);
    if (!ci)
        return err_set(ERR_INVAL, "no chief contract for the block");
    t->data = malloc(TRIBE_CHIEF_UPDATE_DATA_LEN);
    if (!t->data)
        return err_set(ERR_NOMEM, "chief update tx");
    tribe_chief_update_data(volunteer, t->data);
    t->data_len = TRIBE_CHIEF_UPDATE_DATA_LEN;
    t->nonce = nonce;
    t->gas = p->chief_tx_gas_limit;
    t->gas_price = u256_from_u64(p->chief_tx_gas_price);
    t->has_to = true;
    t->to = ci->addr;
    int rc = tx_sign(t, node_key, p->chain_id);
    if (rc) {
        tx_free(t);
        return err_wrap(rc, "signing the chief update tx");
    }
    return 0;
}

/*
 * The pool's transactions in txpool_iter order while gas is left (§6.1 and
 * Spectrum's commitTransactions): a nonce already used at this point (the
 * node's own tx whose nonce the chief tx took, a stale pool) skips that tx
 * only; any other invalid one (nonce gap, funds, gas) skips the rest of its
 * sender's, which could not run either.
 */
static int apply_pool(const struct chain_params *p, struct chain_exec *x, struct state *st,
                      const struct header *h, struct txpool *pool, struct tx_list *txs,
                      struct miner_stats *stats)
{
    struct txpool_iter *it;
    int rc = txpool_iter_new(pool, &it);
    if (rc)
        return rc;
    /* Before SIP001 the processor keeps no gas pool: count declared gas. */
    bool pooled = params_is_sip001(p, h->number ? h->number - 1 : 0);
    uint64_t declared = 0;
    const struct txpool_tx *pt;
    while ((pt = txpool_iter_peek(it)) != NULL) {
        uint64_t left = chain_exec_gas_left(x);
        if (!pooled)
            left = h->gas_limit > declared ? h->gas_limit - declared : 0;
        if (left < TX_GAS)
            break;
        if (pt->tx.gas > left) {
            stats->skipped++;
            txpool_iter_pop(it);
            continue;
        }
        uint64_t nonce = state_get_nonce(st, &pt->sender);
        if ((rc = state_error(st)) != 0)
            break;
        if (pt->tx.nonce < nonce) {
            stats->skipped++;
            txpool_iter_shift(it);
            continue;
        }
        state_snap snap = state_snapshot(st);
        rc = chain_exec_tx(x, &pt->tx, &pt->sender);
        if (rc == 0) {
            if ((rc = tx_list_push(txs, &pt->tx)) != 0)
                break;
            declared += pt->tx.gas;
            stats->included++;
            txpool_iter_shift(it);
            continue;
        }
        if (rc != ERR_INVAL && rc != ERR_UNSUPPORTED)
            break;
        /* ERR_UNSUPPORTED (processor.h) may have changed the state after
         * execution: undo the tx's changes, then leave it out like an
         * invalid one. */
        if (rc == ERR_UNSUPPORTED)
            state_revert(st, snap);
        err_clear();
        rc = 0;
        stats->skipped++;
        txpool_iter_pop(it);
    }
    txpool_iter_free(it);
    return rc;
}

/* ---- the block ----------------------------------------------------------------- */

/* Block head+1 begun in the preparation: a workspace on the head's state
 * with the chief tx already run in it, under the prepared header (its time
 * included: a build at another time begins again). */
struct miner_begun {
    struct chain_work work;
    struct chain_hash_ctx hctx;
    struct chain_exec_env env;
    struct chain_exec *x;
    struct tx_list txs;
};

static void begun_free(struct miner_begun *b)
{
    if (!b)
        return;
    chain_exec_abort(b->x);
    tx_list_free(&b->txs);
    chain_work_release(&b->work);
    free(b);
}

/* What block head+1 needs that depends only on the head (prep ahead). */
static void prep_clear(struct miner_prep *pp)
{
    begun_free(pp->begun);
    header_free(&pp->header);
    if (pp->has_chief)
        tx_free(&pp->chief);
    memset(pp, 0, sizeof *pp);
}

void miner_prep_free(struct miner_prep *pp)
{
    if (pp)
        prep_clear(pp);
}

/* The header fields and the chief tx of block head+1, read at the head
 * (v->st, v->status): everything but the transactions and the time. */
static int prepare(struct chain *c, struct head_view *v, const uint8_t node_key[32],
                   const struct address *me, uint64_t now, struct vrf_ahead *ahead,
                   struct miner_prep *pp)
{
    const struct chain_params *p = c->params;
    const struct header *parent = &c->head;
    uint64_t n = parent->number + 1;
    memset(pp, 0, sizeof *pp);
    struct header *h = &pp->header;
    struct tribe_lists ls = tribe_status_lists(&v->status);
    int rc = check_authorized(p, n, &ls, me);
    if (rc)
        return rc;
    struct address coinbase;
    rc = read_coinbase(c, v->st, me, &coinbase);
    if (rc)
        return rc;
    rc = tribe_prepare(p, parent, &c->head_hash, &ls, node_key, &coinbase, now, ahead, h);
    if (rc)
        return rc;
    h->gas_limit = next_gas_limit(p, parent);
    pp->has_chief = tribe_requires_chief_tx(p, n);
    if (pp->has_chief) {
        struct address volunteer = {{0}};
        if (tribe_volunteer_checked(p, n))
            rc = tribe_pick_volunteer(p, c->evm, v->st, parent, h->extra, &volunteer);
        uint64_t nonce = 0;
        if (rc == 0) {
            nonce = state_get_nonce(v->st, me);
            rc = state_error(v->st);
        }
        if (rc == 0)
            rc = chief_update_tx(p, n, node_key, nonce, &volunteer, &pp->chief);
        if (rc) {
            pp->has_chief = false;
            prep_clear(pp);
            return rc;
        }
    }
    /* The time is the only field that depends on when the block is made:
     * keep what tribe_producer_time needs to set it again then. */
    pp->parent_hash = c->head_hash;
    pp->me = *me;
    pp->valid = true;
    return 0;
}

/* Begins block head+1 on st under pp's header: the execution (*xp) with
 * pp's chief tx applied and listed in *txs. env and hctx are filled here and
 * must outlive *xp, as pp's header must. */
static int begin_block(struct chain *c, struct state *st, struct miner_prep *pp,
                       struct chain_exec_env *env, struct chain_hash_ctx *hctx,
                       struct chain_exec **xp, struct tx_list *txs)
{
    const struct header *parent = &c->head;
    chain_hash_ctx_init(hctx, c->db, &c->head_hash, parent->number);
    *env = (struct chain_exec_env){
        .params = c->params,
        .evm = c->evm,
        .signer = &pp->me,
        .block_hash = chain_block_hash,
        .block_hash_ctx = hctx,
    };
    memset(txs, 0, sizeof *txs);
    struct chain_exec *x = NULL;
    int rc = chain_exec_begin(env, st, &pp->header, &x);
    if (rc == 0 && pp->has_chief) {
        rc = chain_exec_tx(x, &pp->chief, &pp->me);
        if (rc)
            rc = err_wrap(rc, "block %llu: the chief update tx",
                          (unsigned long long)parent->number + 1);
        else
            rc = tx_list_push(txs, &pp->chief);
    }
    if (rc) {
        chain_exec_abort(x);
        tx_list_free(txs);
        return rc;
    }
    *xp = x;
    return 0;
}

/*
 * The chief tx run in the preparation, in b (whose workspace the head's
 * reads were made on), which becomes pp->begun: it is the part of the
 * block that depends on nothing but the head, and the chain thread
 * prepares while the block's submitters are answered, so a build only runs
 * the pool's transactions. Its storage is hashed here too (an intermediate
 * root), leaving the build only the accounts its transactions touch. A
 * failure drops b and leaves pp without it: the build runs the chief tx on
 * a fresh workspace and reports the error then.
 */
static void begin_ahead(struct chain *c, struct miner_prep *pp, struct miner_begun *b)
{
    int rc = begin_block(c, b->work.st, pp, &b->env, &b->hctx, &b->x, &b->txs);
    uint8_t root[32];
    if (rc == 0)
        rc = state_root(b->work.st, root);
    if (rc) {
        log_debug(LOG_MINER, "block %llu not begun ahead: %s",
                  (unsigned long long)c->head.number + 1, err_msg());
        err_clear();
        begun_free(b);
        return;
    }
    pp->begun = b;
}

/* Runs the pool's transactions in b after its chief tx (begun on pp's
 * header), finishes the block and moves it into *out with b's txs (pp's
 * header is spent; b keeps only its workspace). */
static int execute(struct chain *c, struct txpool *pool, struct miner_prep *pp,
                   struct miner_begun *b, struct block *out,
                   struct chain_exec_result *res_out, struct miner_stats *stats)
{
    const struct chain_params *p = c->params;
    struct header *h = &pp->header;
    struct tx_list *txs = &b->txs;
    int rc = 0;
    if (pool)
        rc = apply_pool(p, b->x, b->work.st, h, pool, txs, stats);
    struct chain_exec_result res;
    memset(&res, 0, sizeof res);
    if (rc == 0)
        rc = chain_exec_finish(b->x, txs->txs, txs->count, &res);
    else
        chain_exec_abort(b->x);
    b->x = NULL; /* freed by finish in every case */
    if (rc == 0) {
        h->state_root = res.state_root;
        h->tx_root = res.tx_root;
        h->receipt_root = res.receipt_root;
        h->bloom = res.bloom;
        h->gas_used = res.gas_used;
        /* What an importer checks after execution (the chief tx's receipt
         * from SIP100 in particular): fail here rather than on import. */
        rc = chain_exec_check(p, h, &res);
    }
    if (rc || !res_out)
        chain_exec_result_free(&res);
    if (rc) {
        tx_list_free(txs);
        return rc;
    }
    if (res_out)
        *res_out = res;
    out->header = *h;
    memset(h, 0, sizeof *h);
    out->body.txs = txs->txs;
    out->body.tx_count = txs->count;
    memset(txs, 0, sizeof *txs);
    stats->gas_used = out->header.gas_used;
    return 0;
}

/* Builds and seals a block on the head; with `keep`, the state and the
 * execution result stay in *keep for miner_commit. A valid `pp` prepared
 * on this head (miner_prepare) saves the reads at the head, the VRF proof
 * and the chief tx; it is spent either way. */
static int build_sealed(struct chain *c, struct txpool *pool, const uint8_t node_key[32],
                        uint64_t now, struct miner_prep *pp, struct block *out,
                        struct miner_work *keep, struct miner_stats *stats)
{
    memset(out, 0, sizeof *out);
    struct miner_stats local;
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    uint64_t n = c->head.number + 1;
    struct miner_prep fresh;
    memset(&fresh, 0, sizeof fresh);
    bool use_pp = pp && pp->valid && hash32_eq(&pp->parent_hash, &c->head_hash);
    if (!use_pp) {
        miner_prep_free(pp); /* stale: made on another head */
        pp = &fresh;
    }
    struct address me;
    int rc = key_address(node_key, &me);
    if (rc == 0 && use_pp && !address_eq(&me, &pp->me))
        use_pp = false, prep_clear(pp), pp = &fresh;
    if (rc) {
        miner_prep_free(pp);
        return err_wrap(rc, "miner: block %llu", (unsigned long long)n);
    }
    struct head_view v;
    memset(&v, 0, sizeof v);
    struct miner_begun *b = NULL;
    if (use_pp) {
        /* Only the time is set again: the head and the key are the same. A
         * block begun under another time begins again (the chief tx may
         * read it). */
        struct tribe_lists ls = tribe_status_lists(&pp->status);
        uint64_t t = tribe_producer_time(c->params, n, &ls, &me, c->head.time, now);
        b = pp->begun;
        pp->begun = NULL;
        if (b && t != pp->header.time) {
            begun_free(b);
            b = NULL;
        }
        pp->header.time = t;
        stats->chief_ahead = b != NULL;
    }
    if (!b) {
        b = calloc(1, sizeof *b);
        if (!b)
            rc = err_set(ERR_NOMEM, "miner: workspace");
        else if (use_pp)
            rc = chain_work_open(c, &b->work);
        else if ((rc = open_head(c, &v, &b->work, true)) == 0)
            rc = prepare(c, &v, node_key, &me, now, NULL, pp);
        if (rc == 0)
            rc = begin_block(c, b->work.st, pp, &b->env, &b->hctx, &b->x, &b->txs);
    }
    if (rc == 0)
        rc = execute(c, pool, pp, b, out, keep ? &keep->res : NULL, stats);
    if (rc == 0)
        rc = tribe_seal(&out->header, node_key);
    close_head(&v);
    miner_prep_free(pp);
    if (rc == 0 && keep)
        keep->begun = b;
    else
        begun_free(b);
    evm_trim(c->evm, (size_t)16 << 20);
    if (rc) {
        block_free(out);
        if (keep)
            miner_work_free(keep);
        memset(stats, 0, sizeof *stats);
        return err_wrap(rc, "miner");
    }
    return 0;
}

int miner_prepare(struct chain *c, const uint8_t node_key[32], uint64_t now,
                  struct vrf_ahead *ahead, struct miner_prep *pp)
{
    miner_prep_free(pp);
    struct address me;
    int rc = key_address(node_key, &me);
    struct head_view v;
    memset(&v, 0, sizeof v);
    struct miner_begun *b = NULL;
    if (rc == 0 && !(b = calloc(1, sizeof *b)))
        rc = err_set(ERR_NOMEM, "miner: workspace");
    if (rc == 0)
        rc = open_head(c, &v, &b->work, true);
    if (rc == 0)
        rc = prepare(c, &v, node_key, &me, now, ahead, pp);
    if (rc == 0) {
        /* The lists stay with the prep (for the time); v gives them up. */
        pp->status = v.status;
        memset(&v.status, 0, sizeof v.status);
    }
    close_head(&v);
    if (rc == 0)
        begin_ahead(c, pp, b);
    else
        begun_free(b);
    evm_trim(c->evm, (size_t)16 << 20);
    return rc ? err_wrap(rc, "miner: preparing block %llu",
                         (unsigned long long)c->head.number + 1) : 0;
}

int miner_build_block(struct chain *c, struct txpool *pool, const uint8_t node_key[32],
                      uint64_t now, struct block *out, struct miner_stats *stats)
{
    return build_sealed(c, pool, node_key, now, NULL, out, NULL, stats);
}

int miner_build_work(struct chain *c, struct txpool *pool, const uint8_t node_key[32],
                     uint64_t now, struct miner_prep *pp, struct miner_work *out,
                     struct miner_stats *stats)
{
    memset(out, 0, sizeof *out);
    return build_sealed(c, pool, node_key, now, pp, &out->block, out, stats);
}

int miner_commit(struct chain *c, struct miner_work *w, struct chain_import_result *out)
{
    int rc = w->begun ? chain_commit_own_block(c, &w->begun->work, &w->block, &w->res, out)
                      : err_set(ERR_BADSTATE, "miner: no built block to store");
    begun_free(w->begun);
    w->begun = NULL;
    chain_exec_result_free(&w->res);
    return rc;
}

void miner_work_free(struct miner_work *w)
{
    if (!w)
        return;
    block_free(&w->block);
    begun_free(w->begun);
    chain_exec_result_free(&w->res);
    memset(w, 0, sizeof *w);
}
