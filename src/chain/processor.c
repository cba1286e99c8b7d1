/*
 * processor.c — block execution with Spectrum's transaction rules; see
 * processor.h for the rules and why the API is incremental.
 *
 * The state transition itself is evm_apply_tx_rules (evm/transaction.h),
 * the one Ethereum also uses: this file only decides, per transaction, which
 * of Spectrum's departures apply (chief update, tx to a chief address, the
 * SIP001 and SIP100 predicates at the parent number) and records the
 * receipt with the cumulative gas as core/state_processor.go does (chief
 * update gas returned to the pool instead of counted).
 */
#include "chain/processor.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "evm/transaction.h"
#include "primitives/rlp.h"
#include "state/state.h"
#include "trie/trie.h"
#include "util/err.h"
#include "util/thread_name.h"

const uint8_t CHAIN_CHIEF_UPDATE_SELECTOR[4] = {0x1c, 0x1b, 0x87, 0x72};

struct chain_exec {
    const struct chain_exec_env *env;
    struct state *st;
    const struct header *h;
    enum evm_fork fork;
    uint64_t rule_n;            /* Spectrum's bc.currentBlock: the parent number */
    struct evm_block block;
    uint64_t gas_pool;
    uint64_t cumulative;
    struct receipt *receipts;
    struct address *senders;
    size_t count, cap;
};

void chain_exec_result_free(struct chain_exec_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->count; i++)
        receipt_free(&r->receipts[i]);
    free(r->receipts);
    free(r->senders);
    memset(r, 0, sizeof *r);
}

bool chain_is_chief_update(const struct chain_params *p, const struct tx *tx)
{
    return tx->has_to && tx->data_len >= 4 &&
           memcmp(tx->data, CHAIN_CHIEF_UPDATE_SELECTOR, 4) == 0 &&
           params_is_chief_address(p, &tx->to);
}

int chain_tx_sender(const struct chain_params *p, uint64_t n, const struct tx *tx,
                    struct address *sender)
{
    if (params_is_sip003(p, n)) {
        bool prot = false;
        int rc = tx_chain_id(tx, &prot, NULL);
        if (rc)
            return rc;
        if (!prot)
            return err_set(ERR_INVAL, "transaction not replay-protected (SIP003)");
    }
    struct tx_rules rules = {
        .homestead = params_fork_active(p->homestead_block, n),
        .eip155 = params_fork_active(p->eip155_block, n),
        .chain_id = p->chain_id,
    };
    return tx_sender(tx, &rules, sender);
}

/* ---- incremental execution ------------------------------------------------ */

int chain_exec_begin(const struct chain_exec_env *env, struct state *st, const struct header *h,
                     struct chain_exec **out)
{
    const struct chain_params *p = env->params;
    *out = NULL;
    if (!params_fork_active(p->byzantium_block, h->number))
        return err_set(ERR_UNSUPPORTED,
                       "block %llu: pre-Byzantium receipts (post-state roots) not supported",
                       (unsigned long long)h->number);
    struct chain_exec *x = calloc(1, sizeof *x);
    if (!x)
        return err_set(ERR_NOMEM, "chain_exec");
    x->env = env;
    x->st = st;
    x->h = h;
    x->fork = params_evm_fork(p, h->number);
    x->rule_n = h->number ? h->number - 1 : 0;
    x->gas_pool = h->gas_limit;
    /* Author(header): the coinbase, or the signer when it is zero. */
    if (!address_is_zero(&h->coinbase) || !env->signer)
        x->block.coinbase = h->coinbase;
    else
        x->block.coinbase = *env->signer;
    x->block.number = h->number;
    x->block.timestamp = h->time;
    x->block.gas_limit = h->gas_limit;
    x->block.difficulty = h->difficulty;
    x->block.chain_id = p->chain_id;
    x->block.block_hash = env->block_hash;
    x->block.block_hash_ctx = env->block_hash_ctx;
    *out = x;
    return 0;
}

uint64_t chain_exec_gas_left(const struct chain_exec *x)
{
    return x->gas_pool;
}

void chain_exec_abort(struct chain_exec *x)
{
    if (!x)
        return;
    for (size_t i = 0; i < x->count; i++)
        receipt_free(&x->receipts[i]);
    free(x->receipts);
    free(x->senders);
    free(x);
}

static int grow(struct chain_exec *x)
{
    if (x->count < x->cap)
        return 0;
    size_t cap = x->cap ? x->cap * 2 : 64;
    struct receipt *r = realloc(x->receipts, cap * sizeof *r);
    if (!r)
        return err_set(ERR_NOMEM, "chain_exec: receipts");
    x->receipts = r;
    struct address *s = realloc(x->senders, cap * sizeof *s);
    if (!s)
        return err_set(ERR_NOMEM, "chain_exec: senders");
    x->senders = s;
    x->cap = cap;
    return 0;
}

/* Records the receipt of an applied tx, taking res's logs. */
static void take_receipt(struct evm_tx_result *res, uint64_t cumulative, struct receipt *r)
{
    memset(r, 0, sizeof *r);
    r->status = res->status == EVM_SUCCESS;
    r->cumulative_gas = cumulative;
    r->logs = res->logs;
    r->log_count = res->log_count;
    res->logs = NULL;
    res->log_count = 0;
    logs_bloom(r->logs, r->log_count, &r->bloom);
}

/* The §6.4 rule for evm_set_frame_metering; ctx is the chain_params. */
static bool frame_metered(void *ctx, const struct address *caller, const struct address *contract)
{
    const struct chain_params *p = ctx;
    return !(params_is_chief_address(p, contract) || params_is_chief_called(p, caller, contract));
}

int chain_exec_tx(struct chain_exec *x, const struct tx *tx, const struct address *sender)
{
    const struct chain_params *p = x->env->params;
    int rc = grow(x);
    if (rc)
        return rc;

    /* Spectrum's departures from Ethereum's transition for this tx; the
     * chain fork predicates are read at the parent number (processor.h). */
    bool sip001 = params_is_sip001(p, x->rule_n);
    bool to_chief = tx->has_to && params_is_chief_address(p, &tx->to);
    bool is_update = sip001 && chain_is_chief_update(p, tx);
    struct evm_tx_rules rules = {
        .free_gas = is_update,
        .skip_pool = !sip001,
        .fee_to_sender = to_chief,
        /* from SIP100 Spectrum skips the gas funds check for txs to a chief
         * address and lets the balance go negative */
        .refuse_unfunded = to_chief && params_is_sip100(p, x->rule_n),
        /* §6.4: every frame entered through the CALL family, the
         * transaction's own included, runs unmetered when its contract is a
         * chief or the (caller, contract) pair is a chief-called one; the
         * flag then stays until the next frame entry. */
        .metering = frame_metered,
        .metering_ctx = (void *)p,
    };
    struct evm_tx_result res;
    rc = evm_apply_tx_rules(x->env->evm, x->st, x->fork, &x->block, tx, sender, &rules,
                            &x->gas_pool, &res);
    if (rc)
        return rc;

    /* receipt; an update runs with no gas, so what it gives back is 0 */
    if (is_update)
        x->gas_pool += res.gas_used; /* state_processor: pay_back_chief_gas */
    else
        x->cumulative += res.gas_used;
    take_receipt(&res, x->cumulative, &x->receipts[x->count]);
    evm_tx_result_free(&res);
    x->senders[x->count] = *sender;
    x->count++;
    return 0;
}

/* ---- roots ------------------------------------------------------------------ */

/* Root of the trie RLP(i) -> item i, items produced by `enc`. */
static int index_root(size_t n, int (*enc)(const void *items, size_t i, struct bytes *out),
                      const void *items, struct hash32 *out)
{
    struct trie *t;
    int rc = trie_open(NULL, NULL, 0, &t);
    if (rc)
        return rc;
    struct bytes key = BYTES_INIT, val = BYTES_INIT;
    for (size_t i = 0; i < n && rc == 0; i++) {
        bytes_reset(&key);
        bytes_reset(&val);
        rlp_put_u64(&key, (uint64_t)i);
        enc(items, i, &val);
        rc = bytes_ok(&key);
        if (rc == 0)
            rc = bytes_ok(&val);
        if (rc == 0)
            rc = trie_put(t, key.data, key.len, val.data, val.len);
    }
    if (rc == 0)
        rc = trie_root_hash(t, out->b);
    bytes_free(&key);
    bytes_free(&val);
    trie_free(t);
    return rc;
}

static int enc_tx(const void *items, size_t i, struct bytes *out)
{
    return tx_encode(&((const struct tx *)items)[i], out);
}

static int enc_receipt(const void *items, size_t i, struct bytes *out)
{
    return receipt_encode(&((const struct receipt *)items)[i], out);
}

int chain_tx_root(const struct tx *txs, size_t n, struct hash32 *out)
{
    return index_root(n, enc_tx, txs, out);
}

int chain_receipt_root(const struct receipt *receipts, size_t n, struct hash32 *out)
{
    return index_root(n, enc_receipt, receipts, out);
}

/* ---- Finalize ------------------------------------------------------------ */

int chain_finalize(const struct chain_params *p, struct state *st, const struct header *h)
{
    uint64_t n = h->number;
    if (params_is_sip100(p, n)) {
        u256 reward;
        params_block_reward(p, n, &reward);
        state_add_balance(st, &h->coinbase, &reward);
    }
    if (p->burn_enabled && p->chief100_block != CHAIN_NEVER && n == p->chief100_block) {
        u256 bal;
        state_get_balance(st, &p->burn_account, &bal);
        const u256 *take = u256_lt(&bal, &p->burn_amount) ? &bal : &p->burn_amount;
        state_sub_balance(st, &p->burn_account, take);
    }
    state_tx_finalize(st, params_fork_active(p->eip158_block, n));
    return state_error(st);
}

int chain_exec_finish(struct chain_exec *x, const struct tx *txs, size_t count,
                      struct chain_exec_result *out)
{
    memset(out, 0, sizeof *out);
    int rc = 0;
    if (count != x->count)
        rc = err_set(ERR_INVAL, "chain_exec_finish: %zu txs given, %zu applied", count,
                     x->count);
    if (rc == 0)
        rc = chain_finalize(x->env->params, x->st, x->h);
    if (rc == 0)
        rc = state_root(x->st, out->state_root.b);
    if (rc == 0)
        rc = chain_tx_root(txs, count, &out->tx_root);
    if (rc == 0)
        rc = chain_receipt_root(x->receipts, x->count, &out->receipt_root);
    if (rc) {
        chain_exec_abort(x);
        return rc;
    }
    for (size_t i = 0; i < x->count; i++)
        bloom_or(&out->bloom, &x->receipts[i].bloom);
    out->receipts = x->receipts;
    out->senders = x->senders;
    out->count = x->count;
    out->gas_used = x->cumulative;
    free(x);
    return 0;
}

/* ---- whole blocks ------------------------------------------------------------ */

/* Executes body on st; senders[i] is tx i's sender, or senders is NULL to
 * recover each one just before it runs (so the first bad tx, whatever its
 * fault, names the error). */
static int execute_block(const struct chain_exec_env *env, struct state *st,
                         const struct header *h, const struct block_body *body,
                         const struct address *senders, struct chain_exec_result *out)
{
    memset(out, 0, sizeof *out);
    struct chain_exec *x;
    int rc = chain_exec_begin(env, st, h, &x);
    if (rc)
        return rc;
    for (size_t i = 0; i < body->tx_count; i++) {
        struct address sender;
        if (senders)
            sender = senders[i];
        else
            rc = chain_tx_sender(env->params, h->number, &body->txs[i], &sender);
        if (rc == 0)
            rc = chain_exec_tx(x, &body->txs[i], &sender);
        if (rc) {
            chain_exec_abort(x);
            return err_wrap(rc, "block %llu tx %zu", (unsigned long long)h->number, i);
        }
    }
    return chain_exec_finish(x, body->txs, body->tx_count, out);
}

int chain_execute_block(const struct chain_exec_env *env, struct state *st,
                        const struct header *h, const struct block_body *body,
                        struct chain_exec_result *out)
{
    return execute_block(env, st, h, body, NULL, out);
}

int chain_execute_block_senders(const struct chain_exec_env *env, struct state *st,
                                const struct header *h, const struct block_body *body,
                                const struct address *senders, struct chain_exec_result *out)
{
    if (body->tx_count && !senders) {
        memset(out, 0, sizeof *out);
        return err_set(ERR_INVAL, "chain_execute_block_senders: no senders");
    }
    return execute_block(env, st, h, body, senders, out);
}

/* ---- sender recovery ----------------------------------------------------------- */

/* One half of chain_recover_senders: txs [from, to) until the first failure. */
struct sender_range {
    const struct chain_params *p;
    uint64_t n;
    const struct tx *txs;
    struct address *senders;
    size_t from, to;
    size_t failed;      /* index of the first failure, `to` when none */
    int rc;
};

static void recover_range(struct sender_range *r)
{
    r->failed = r->to;
    r->rc = 0;
    for (size_t i = r->from; i < r->to; i++) {
        int rc = chain_tx_sender(r->p, r->n, &r->txs[i], &r->senders[i]);
        if (rc) {
            r->failed = i;
            r->rc = rc;
            return;
        }
    }
}

static void *recover_thread(void *arg)
{
    thread_name("tx-recover");
    recover_range(arg);
    return NULL;
}

int chain_recover_senders(const struct chain_params *p, uint64_t n,
                          const struct block_body *body, struct address *senders)
{
    size_t count = body->tx_count;
    struct sender_range lo = {p, n, body->txs, senders, 0, count, count, 0};
    struct sender_range hi = lo;
    bool threaded = false;
    pthread_t th;
    if (count >= CHAIN_PARALLEL_SENDERS_MIN) {
        lo.to = count / 2;
        hi.from = count / 2;
        threaded = pthread_create(&th, NULL, recover_thread, &hi) == 0;
        if (!threaded)
            lo.to = count; /* no thread: all of it here */
    }
    recover_range(&lo);
    if (threaded)
        pthread_join(th, NULL);
    if (lo.rc)
        return err_wrap(lo.rc, "tx %zu", lo.failed);
    if (threaded && hi.rc) {
        /* The reason was set on the other thread: recover that tx again
         * here (same input, same outcome) for this thread's context. */
        struct address a;
        int rc = chain_tx_sender(p, n, &body->txs[hi.failed], &a);
        if (rc == 0)
            rc = hi.rc;
        return err_wrap(rc, "tx %zu", hi.failed);
    }
    return 0;
}

static int differs_hash(const char *what, const struct hash32 *want, const struct hash32 *got)
{
    char a[HASH32_HEX_SIZE], b[HASH32_HEX_SIZE];
    hash32_to_hex(want, a);
    hash32_to_hex(got, b);
    return err_set(ERR_INVAL, "invalid %s (header %s, computed %s)", what, a, b);
}

int chain_exec_check(const struct chain_params *p, const struct header *h,
                     const struct chain_exec_result *r)
{
    if (!hash32_eq(&h->tx_root, &r->tx_root))
        return differs_hash("transaction root", &h->tx_root, &r->tx_root);
    if (params_is_sip100(p, h->number) && h->number > p->unchecked_blocks &&
        (r->count == 0 || !r->receipts[0].status))
        return err_set(ERR_INVAL, "block %llu: the chief update tx must exist and succeed",
                       (unsigned long long)h->number);
    if (h->gas_used != r->gas_used)
        return err_set(ERR_INVAL, "invalid gas used (header %llu, computed %llu)",
                       (unsigned long long)h->gas_used, (unsigned long long)r->gas_used);
    if (memcmp(h->bloom.b, r->bloom.b, BLOOM_BYTES) != 0)
        return err_set(ERR_INVAL, "invalid bloom (header and computed differ)");
    if (!hash32_eq(&h->receipt_root, &r->receipt_root))
        return differs_hash("receipt root", &h->receipt_root, &r->receipt_root);
    if (!hash32_eq(&h->state_root, &r->state_root))
        return differs_hash("state root", &h->state_root, &r->state_root);
    return 0;
}
