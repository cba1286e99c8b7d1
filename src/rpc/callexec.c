/*
 * callexec.c — see callexec.h. Three parts: the arguments (call object and
 * state overrides, with geth's messages), the block and its runs, and the
 * shape of a failure (revert reasons decoded as Solidity encodes them).
 */
#include "rpc/callexec.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/chaindb.h"
#include "chain/processor.h"
#include "consensus/tribe_engine.h"
#include "primitives/u256.h"
#include "rpc/chainread.h"
#include "rpc/params.h"
#include "state/state.h"
#include "util/err.h"

/* ---- arguments ------------------------------------------------------------------- */

/* Present and not null. */
static const json_t *field(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return v && !json_is_null(v) ? v : NULL;
}

static int oom(struct rpc_ctx *ctx)
{
    rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
    return -1;
}

/* Runs a params.h getter on v alone (as argument 0 of a one-element array)
 * and, when it fails, re-points its message at argument idx and `what`. */
enum getter { GET_BYTES, GET_HASH };

static int get_wrapped(struct rpc_ctx *ctx, const json_t *v, size_t idx, const char *what,
                       enum getter g, size_t max, uint8_t **bytes, size_t *len, struct hash32 *h)
{
    json_t *arr = json_array();
    if (!arr || json_array_append(arr, (json_t *)v)) {
        json_decref(arr);
        return oom(ctx);
    }
    int rc = g == GET_BYTES ? rpc_param_bytes(ctx, arr, 0, max, bytes, len)
                            : rpc_param_hash(ctx, arr, 0, h);
    json_decref(arr);
    if (rc && ctx->err.code == RPC_INVALID_PARAMS) {
        char msg[RPC_ERRMSG_MAX];
        const char *m = ctx->err.message;
        const char *tail = strncmp(m, "invalid argument 0: ", 20) == 0 ? m + 20 : m;
        snprintf(msg, sizeof msg, "invalid argument %zu: %.200s: %.250s", idx, what, tail);
        rpc_fail(ctx, RPC_INVALID_PARAMS, "%s", msg);
    }
    return rc ? -1 : 0;
}

void callexec_args_free(struct callexec_args *a)
{
    if (!a)
        return;
    free(a->data);
    memset(a, 0, sizeof *a);
}

int callexec_parse_args(struct rpc_ctx *ctx, const json_t *o, size_t idx,
                        struct callexec_args *out)
{
    memset(out, 0, sizeof *out);
    if (!json_is_object(o)) {
        rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument %zu: json: cannot unmarshal "
                 "non-object into Go value of type ethapi.TransactionArgs", idx);
        return -1;
    }
    const json_t *v;
    int rc = 0;
    if ((v = field(o, "from"))) {
        rc = rpc_json_to_address(ctx, v, idx, "from", &out->from);
        out->has_from = true;
    }
    if (!rc && (v = field(o, "to"))) {
        rc = rpc_json_to_address(ctx, v, idx, "to", &out->to);
        out->has_to = true;
    }
    if (!rc && (v = field(o, "gas"))) {
        rc = rpc_json_to_quantity(ctx, v, idx, "gas", &out->gas);
        out->has_gas = true;
    }
    if (!rc && (v = field(o, "gasPrice"))) {
        rc = rpc_json_to_u256(ctx, v, idx, "gasPrice", &out->gas_price);
        out->has_gas_price = true;
    }
    u256 cap;
    bool fee_caps = false;
    if (!rc && (v = field(o, "maxFeePerGas"))) {
        rc = rpc_json_to_u256(ctx, v, idx, "maxFeePerGas", &cap);
        fee_caps = true;
    }
    if (!rc && (v = field(o, "maxPriorityFeePerGas"))) {
        rc = rpc_json_to_u256(ctx, v, idx, "maxPriorityFeePerGas", &cap);
        fee_caps = true;
    }
    if (!rc && (v = field(o, "value")))
        rc = rpc_json_to_u256(ctx, v, idx, "value", &out->value);
    uint64_t nonce;
    if (!rc && (v = field(o, "nonce")))
        rc = rpc_json_to_quantity(ctx, v, idx, "nonce", &nonce);
    if (rc)
        return -1;
    if (out->has_gas_price && fee_caps) {
        rpc_fail(ctx, RPC_SERVER_ERROR,
                 "both gasPrice and (maxFeePerGas or maxPriorityFeePerGas) specified");
        return -1;
    }
    const json_t *data = field(o, "data"), *input = field(o, "input");
    if (data && input && !json_equal((json_t *)data, (json_t *)input)) {
        rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument %zu: both \"data\" and \"input\" "
                 "are set and not equal. Please use \"input\" to pass transaction call data",
                 idx);
        return -1;
    }
    if ((input || data) && get_wrapped(ctx, input ? input : data, idx, input ? "input" : "data",
                                       GET_BYTES, CALLEXEC_MAX_DATA, &out->data, &out->data_len,
                                       NULL))
        return -1;
    return 0;
}

/* ---- state overrides ------------------------------------------------------------- */

void callexec_overrides_free(struct callexec_overrides *o)
{
    if (!o)
        return;
    for (size_t i = 0; i < o->count; i++) {
        free(o->acct[i].code);
        free(o->acct[i].slots);
    }
    free(o->acct);
    memset(o, 0, sizeof *o);
}

bool callexec_overrides_code(const struct callexec_overrides *o)
{
    for (size_t i = 0; o && i < o->count; i++)
        if (o->acct[i].has_code)
            return true;
    return false;
}

/* The slots of a `state` or `stateDiff` object into a->slots. *budget is
 * what the whole set may still hold. */
static int parse_slots(struct rpc_ctx *ctx, const json_t *m, size_t idx, const char *acct,
                       const char *name, struct callexec_override *a, size_t *budget)
{
    char what[160];
    if (!json_is_object(m)) {
        rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument %zu: %s: %s: json: cannot "
                 "unmarshal non-object into Go value of type map[common.Hash]common.Hash",
                 idx, acct, name);
        return -1;
    }
    size_t n = json_object_size(m);
    if (n > *budget) {
        rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument %zu: more than %u storage slots "
                 "overridden", idx, CALLEXEC_MAX_OVERRIDE_SLOTS);
        return -1;
    }
    *budget -= n;
    a->slots = n ? calloc(n, sizeof *a->slots) : NULL;
    if (n && !a->slots)
        return oom(ctx);
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)m, key, val) {
        struct callexec_slot *s = &a->slots[a->nslots];
        struct hash32 h;
        json_t *k = json_string(key);
        if (!k)
            return oom(ctx);
        snprintf(what, sizeof what, "%s: %s: key", acct, name);
        int rc = get_wrapped(ctx, k, idx, what, GET_HASH, 0, NULL, NULL, &h);
        json_decref(k);
        if (rc)
            return -1;
        u256_from_be(&s->key, h.b, 32);
        snprintf(what, sizeof what, "%s: %s: %.70s", acct, name, key);
        if (json_is_null(val)) {
            rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument %zu: %s: missing value", idx,
                     what);
            return -1;
        }
        if (get_wrapped(ctx, val, idx, what, GET_HASH, 0, NULL, NULL, &h))
            return -1;
        u256_from_be(&s->value, h.b, 32);
        a->nslots++;
    }
    return 0;
}

static int parse_account(struct rpc_ctx *ctx, const char *key, const json_t *o, size_t idx,
                         struct callexec_override *a, size_t *budget)
{
    char acct[80];
    snprintf(acct, sizeof acct, "%.70s", key);
    json_t *k = json_string(key);
    if (!k)
        return oom(ctx);
    int rc = rpc_json_to_address(ctx, k, idx, "address", &a->addr);
    json_decref(k);
    if (rc)
        return -1;
    if (!json_is_object(o)) {
        rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument %zu: %s: json: cannot unmarshal "
                 "non-object into Go value of type ethapi.OverrideAccount", idx, acct);
        return -1;
    }
    char what[160];
    const json_t *v;
    if ((v = field(o, "balance"))) {
        snprintf(what, sizeof what, "%s: balance", acct);
        if (rpc_json_to_u256(ctx, v, idx, what, &a->balance))
            return -1;
        a->has_balance = true;
    }
    if ((v = field(o, "nonce"))) {
        snprintf(what, sizeof what, "%s: nonce", acct);
        if (rpc_json_to_quantity(ctx, v, idx, what, &a->nonce))
            return -1;
        a->has_nonce = true;
    }
    if ((v = field(o, "code"))) {
        snprintf(what, sizeof what, "%s: code", acct);
        if (get_wrapped(ctx, v, idx, what, GET_BYTES, CALLEXEC_MAX_OVERRIDE_CODE, &a->code,
                        &a->code_len, NULL))
            return -1;
        a->has_code = true;
    }
    const json_t *state = field(o, "state"), *diff = field(o, "stateDiff");
    if (state && diff) {
        char hex[ADDRESS_HEX_SIZE];
        address_to_checksum_hex(&a->addr, hex);
        rpc_fail(ctx, RPC_SERVER_ERROR, "account %s has both 'state' and 'stateDiff'", hex);
        return -1;
    }
    if (state) {
        a->replace_storage = true;
        return parse_slots(ctx, state, idx, acct, "state", a, budget);
    }
    if (diff)
        return parse_slots(ctx, diff, idx, acct, "stateDiff", a, budget);
    return 0;
}

int callexec_parse_overrides(struct rpc_ctx *ctx, const json_t *v, size_t idx,
                             struct callexec_overrides *out)
{
    memset(out, 0, sizeof *out);
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_object(v)) {
        rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument %zu: json: cannot unmarshal "
                 "non-object into Go value of type ethapi.StateOverride", idx);
        return -1;
    }
    size_t n = json_object_size(v);
    if (n > CALLEXEC_MAX_OVERRIDE_ACCOUNTS) {
        rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument %zu: more than %u accounts "
                 "overridden", idx, CALLEXEC_MAX_OVERRIDE_ACCOUNTS);
        return -1;
    }
    if (n == 0)
        return 0;
    out->acct = calloc(n, sizeof *out->acct);
    if (!out->acct)
        return oom(ctx);
    size_t budget = CALLEXEC_MAX_OVERRIDE_SLOTS;
    const char *key;
    json_t *o;
    json_object_foreach((json_t *)v, key, o) {
        /* count first, so a failure frees what this account holds */
        struct callexec_override *a = &out->acct[out->count++];
        if (parse_account(ctx, key, o, idx, a, &budget)) {
            callexec_overrides_free(out);
            return -1;
        }
        for (size_t i = 0; i + 1 < out->count; i++) {
            if (address_eq(&out->acct[i].addr, &a->addr)) {
                rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument %zu: %.70s: the account is "
                         "overridden twice", idx, key);
                callexec_overrides_free(out);
                return -1;
            }
        }
    }
    return 0;
}

int callexec_apply_overrides(struct state *st, const struct callexec_overrides *o)
{
    for (size_t i = 0; o && i < o->count; i++) {
        const struct callexec_override *a = &o->acct[i];
        int rc = 0;
        if (a->replace_storage) {
            /* A fresh account drops the storage and keeps the balance; the
             * nonce and code come back unless overridden below. */
            uint64_t nonce = state_get_nonce(st, &a->addr);
            size_t len = 0;
            const uint8_t *code = state_get_code(st, &a->addr, &len);
            uint8_t *copy = NULL;
            if (len && !a->has_code) {
                copy = malloc(len);
                if (!copy)
                    return err_set(ERR_NOMEM, "out of memory");
                memcpy(copy, code, len);
            }
            state_create_account(st, &a->addr);
            state_set_nonce(st, &a->addr, nonce);
            if (copy)
                rc = state_set_code(st, &a->addr, copy, len);
            free(copy);
            if (rc)
                return rc;
        }
        if (a->has_nonce)
            state_set_nonce(st, &a->addr, a->nonce);
        if (a->has_code && (rc = state_set_code(st, &a->addr, a->code, a->code_len)))
            return rc;
        if (a->has_balance)
            state_set_balance(st, &a->addr, &a->balance);
        for (size_t j = 0; j < a->nslots; j++)
            state_set_storage(st, &a->addr, &a->slots[j].key, &a->slots[j].value);
    }
    state_tx_finalize(st, false);
    return state_error(st);
}

/* ---- the block -------------------------------------------------------------------- */

/* One evm per worker thread, kept between calls so that the analyses of
 * the contracts it ran stay warm (a fresh evm would analyse the code again
 * on every call). Taken out while a call uses it, so a thread never shares
 * one; freed when the thread exits. */
static pthread_key_t evm_key;
static pthread_once_t evm_once = PTHREAD_ONCE_INIT;
static bool evm_key_ok;

static void evm_key_free(void *e)
{
    evm_free(e);
}

static void evm_key_init(void)
{
    evm_key_ok = pthread_key_create(&evm_key, evm_key_free) == 0;
}

static int take_evm(struct evm **out)
{
    pthread_once(&evm_once, evm_key_init);
    struct evm *e = evm_key_ok ? pthread_getspecific(evm_key) : NULL;
    if (e && pthread_setspecific(evm_key, NULL) == 0) {
        *out = e;
        return 0;
    }
    return evm_new(out);
}

static void give_evm(struct evm *e)
{
    if (!e)
        return;
    evm_set_frame_metering(e, NULL, NULL);
    evm_set_trace(e, NULL);
    evm_trim(e, CALLEXEC_EVM_KEEP);
    if (evm_key_ok && !pthread_getspecific(evm_key) && pthread_setspecific(evm_key, e) == 0)
        return;
    evm_free(e);
}

int callexec_open(struct rpc_ctx *ctx, struct chainsvc *svc, const struct rpc_block_ref *ref,
                  struct callexec_block *cb)
{
    memset(cb, 0, sizeof *cb);
    cb->params = chainsvc_params(svc);
    cb->db = chainsvc_db(svc);
    cb->snap = db_snapshot_new(cb->db);
    if (!cb->snap)
        return oom(ctx);
    trie_db_init(&cb->tdb, cb->db, cb->snap, NULL);
    cb->store = trie_db_store(&cb->tdb);
    int r = rpc_resolve_block(ctx, svc, cb->snap, ref, &cb->hash, &cb->number);
    if (r < 0)
        return -1;
    int rc = r ? ERR_NOTFOUND : chaindb_read_header(cb->db, cb->snap, &cb->hash, &cb->header);
    if (rc == ERR_NOTFOUND) {
        rpc_fail(ctx, RPC_SERVER_ERROR, "header not found");
        return -1;
    }
    if (rc)
        return rpc_fail_db(ctx, rc);
    cb->ready = true;

    const struct header *h = &cb->header;
    cb->fork = params_evm_fork(cb->params, h->number);
    /* Author(header), as block execution takes it: the coinbase, or the
     * sealer when the coinbase is zero. */
    cb->block.coinbase = h->coinbase;
    struct address signer;
    if (address_is_zero(&h->coinbase) && h->number > 0 &&
        tribe_recover_signer(h, &signer, NULL) == 0)
        cb->block.coinbase = signer;
    cb->block.number = h->number;
    cb->block.timestamp = h->time;
    cb->block.gas_limit = h->gas_limit;
    cb->block.difficulty = h->difficulty;
    cb->block.chain_id = cb->params->chain_id;
    if (h->number > 0) {
        chain_hash_ctx_init(&cb->hctx, cb->db, &h->parent_hash, h->number - 1);
        cb->block.block_hash = chain_block_hash;
        cb->block.block_hash_ctx = &cb->hctx;
    }
    rc = take_evm(&cb->evm);
    return rc ? rpc_fail_db(ctx, rc) : 0;
}

void callexec_close(struct callexec_block *cb)
{
    give_evm(cb->evm);
    cb->evm = NULL;
    if (cb->ready)
        header_free(&cb->header);
    cb->ready = false;
    trie_db_release(&cb->tdb);
    if (cb->snap)
        db_snapshot_free(cb->db, cb->snap);
    cb->snap = NULL;
}

/* ---- running ---------------------------------------------------------------------- */

/* The restricted §6.4 rule of callexec.h, for evm_set_frame_metering. */
struct metering {
    const struct chain_params *p;
    struct address from;
    bool allowed;       /* a call with no code overridden */
    bool first;         /* no frame entered yet */
    bool metered_seen;  /* some frame ran metered: all later ones do */
};

static bool frame_metered(void *vctx, const struct address *caller, const struct address *contract)
{
    struct metering *m = vctx;
    bool first = m->first;
    m->first = false;
    if (!m->allowed || m->metered_seen)
        return true;
    bool exempt = params_is_chief_address(m->p, contract) ||
                  params_is_chief_called(m->p, caller, contract);
    /* the first frame entered must be the call's own (its caller is from) */
    if (!exempt || (first && !address_eq(caller, &m->from))) {
        m->metered_seen = true;
        return true;
    }
    return false;
}

uint64_t callexec_intrinsic_gas(const struct callexec_block *cb, const struct callexec_args *args)
{
    struct tx tx;
    memset(&tx, 0, sizeof tx);
    tx.has_to = args->has_to;
    tx.data = args->data;
    tx.data_len = args->data_len;
    return tx_intrinsic_gas(&tx, cb->fork >= FORK_HOMESTEAD);
}

static int invalid(struct rpc_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int invalid(struct rpc_ctx *ctx, const char *fmt, ...)
{
    char msg[RPC_ERRMSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    rpc_fail(ctx, RPC_SERVER_ERROR, "%s", msg);
    return CALLEXEC_INVALID;
}

/* The checks geth's buyGas and preCheck make, with their messages, before
 * evm_apply_tx_rules makes the same ones with its own. */
static int precheck(struct rpc_ctx *ctx, struct state *st, const struct tx *tx,
                    const struct address *from, uint64_t intrinsic)
{
    char hex[ADDRESS_HEX_SIZE];
    address_to_checksum_hex(from, hex);
    if (tx->nonce == UINT64_MAX)
        return invalid(ctx, "nonce has max value: address %s, nonce: %llu", hex,
                       (unsigned long long)tx->nonce);
    u256 gas = u256_from_u64(tx->gas), want, bal;
    bool over = u256_mul_overflow(&want, &gas, &tx->gas_price) ||
                u256_add_overflow(&want, &want, &tx->value);
    state_get_balance(st, from, &bal);
    if (over || u256_lt(&bal, &want)) {
        char have_s[U256_DEC_BUF], want_s[U256_DEC_BUF];
        u256_to_dec(&bal, have_s);
        if (over)
            snprintf(want_s, sizeof want_s, "more than 2^256");
        else
            u256_to_dec(&want, want_s);
        return invalid(ctx, "insufficient funds for gas * price + value: address %s have %s "
                       "want %s", hex, have_s, want_s);
    }
    if (tx->gas < intrinsic)
        return invalid(ctx, "intrinsic gas too low: have %llu, want %llu",
                       (unsigned long long)tx->gas, (unsigned long long)intrinsic);
    return 0;
}

int callexec_run(struct rpc_ctx *ctx, struct callexec_block *cb, const struct callexec_args *args,
                 const struct callexec_overrides *ov, uint64_t gas, struct evm_tx_result *out)
{
    memset(out, 0, sizeof *out);
    if (atomic_load(ctx->cancelled)) {
        rpc_fail(ctx, RPC_SERVER_ERROR, "request cancelled");
        return -1;
    }
    if (gas > CALLEXEC_GAS_CAP)
        gas = CALLEXEC_GAS_CAP;
    const struct chain_params *p = cb->params;
    struct state *st = NULL;
    int rc = state_open(&cb->store, cb->header.state_root.b, &st);
    if (rc)
        return rpc_fail_db(ctx, rc);
    rc = callexec_apply_overrides(st, ov);
    if (rc) {
        state_free(st);
        return rpc_fail_db(ctx, rc);
    }

    struct address from = args->from; /* zero when absent */
    struct tx tx;
    memset(&tx, 0, sizeof tx);
    tx.nonce = state_get_nonce(st, &from);
    tx.gas = gas;
    tx.gas_price = args->gas_price;
    tx.has_to = args->has_to;
    tx.to = args->to;
    tx.value = args->value;
    tx.data = args->data; /* borrowed: never tx_free'd */
    tx.data_len = args->data_len;

    /* The chain's departures for this transaction (chain/processor.h),
     * read at the block's own number. */
    bool to_chief = tx.has_to && params_is_chief_address(p, &tx.to);
    bool is_update = params_is_sip001(p, cb->number) && chain_is_chief_update(p, &tx);
    struct metering m = {
        .p = p,
        .from = from,
        .allowed = tx.has_to && !callexec_overrides_code(ov),
        .first = true,
    };
    struct evm_tx_rules rules = {
        .free_gas = is_update,
        .fee_to_sender = to_chief,
        .metering = frame_metered,
        .metering_ctx = &m,
    };
    rc = precheck(ctx, st, &tx, &from, is_update ? 0 : callexec_intrinsic_gas(cb, args));
    if (rc == 0 && state_error(st)) {
        rpc_fail(ctx, RPC_SERVER_ERROR, "%s", state_error_msg(st));
        rc = -1;
    }
    if (rc) {
        state_free(st);
        return rc;
    }
    uint64_t pool = UINT64_MAX;
    rc = evm_apply_tx_rules(cb->evm, st, cb->fork, &cb->block, &tx, &from, &rules, &pool, out);
    /* the rule's context dies here: never leave it installed */
    evm_set_frame_metering(cb->evm, NULL, NULL);
    state_free(st);
    if (rc == ERR_INVAL)
        return invalid(ctx, "%s", err_msg());
    if (rc == ERR_UNSUPPORTED) {
        rpc_fail(ctx, RPC_SERVER_ERROR, "%s", err_msg());
        return -1;
    }
    return rc ? rpc_fail_db(ctx, rc) : 0;
}

/* ---- failures --------------------------------------------------------------------- */

const char *callexec_status_text(enum evm_status s)
{
    switch (s) {
    case EVM_INVALID_INSTRUCTION:
        return "invalid opcode";
    case EVM_STACK_OVERFLOW:
        return "stack limit reached 1024";
    default:
        return evm_status_name(s);
    }
}

/* Length of the UTF-8 sequence at p (n bytes left) when it is valid and
 * not NUL, else 0. */
static size_t utf8_char(const uint8_t *p, size_t n)
{
    uint8_t c = p[0];
    if (c >= 0x01 && c < 0x80)
        return 1;
    size_t len;
    uint32_t min, cp;
    if ((c & 0xe0) == 0xc0) {
        len = 2, min = 0x80, cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
        len = 3, min = 0x800, cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
        len = 4, min = 0x10000, cp = c & 0x07;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (p[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

/* Copies s as valid UTF-8 (bad bytes and NULs as U+FFFD), cut at a
 * character boundary to fit cap with its NUL. */
static void utf8_copy(const uint8_t *s, size_t n, char *out, size_t cap)
{
    static const char repl[] = "\xef\xbf\xbd";
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        size_t k = utf8_char(s + i, n - i);
        const char *src = k ? (const char *)s + i : repl;
        size_t w = k ? k : 3;
        if (o + w + 1 > cap)
            break;
        memcpy(out + o, src, w);
        o += w;
        i += k ? k : 1;
    }
    out[o] = 0;
}

/* The 32-byte word at p as a size, when it fits below `limit`. */
static bool word_size(const uint8_t *p, size_t limit, size_t *out)
{
    uint64_t v;
    if (!u256_word_u64(p, &v) || v > limit)
        return false;
    *out = (size_t)v;
    return true;
}

/* Solidity's Panic codes (docs.soliditylang.org, "Panic via assert and
 * Error via require"), with the texts geth shows. */
static const char *panic_text(uint64_t code)
{
    switch (code) {
    case 0x00: return "generic panic";
    case 0x01: return "assert(false)";
    case 0x11: return "arithmetic underflow or overflow";
    case 0x12: return "division or modulo by zero";
    case 0x21: return "enum overflow";
    case 0x22: return "invalid encoded storage byte array accessed";
    case 0x31: return "out-of-bounds array access; popping on an empty array";
    case 0x32: return "out-of-bounds access of an array or bytesN";
    case 0x41: return "out of memory";
    case 0x51: return "uninitialized function";
    }
    return NULL;
}

bool callexec_revert_reason(const uint8_t *data, size_t len, char *out, size_t cap)
{
    static const uint8_t error_sel[4] = {0x08, 0xc3, 0x79, 0xa0};
    static const uint8_t panic_sel[4] = {0x4e, 0x48, 0x7b, 0x71};
    out[0] = 0;
    if (len < 4 + 32)
        return false;
    const uint8_t *body = data + 4;
    size_t n = len - 4;
    if (memcmp(data, error_sel, 4) == 0) {
        size_t off, slen;
        if (!word_size(body, n - 32, &off) || !word_size(body + off, n - off - 32, &slen))
            return false;
        utf8_copy(body + off + 32, slen, out, cap);
        return true;
    }
    if (memcmp(data, panic_sel, 4) == 0) {
        u256 code;
        u256_from_be(&code, body, 32);
        const char *t = u256_fits_u64(&code) ? panic_text(code.w[0]) : NULL;
        if (t) {
            snprintf(out, cap, "%s", t);
        } else {
            char hex[U256_HEX_BUF];
            u256_to_hex_quantity(&code, hex);
            snprintf(out, cap, "unknown panic code: %s", hex);
        }
        return true;
    }
    return false;
}

json_t *callexec_fail(struct rpc_ctx *ctx, const struct evm_tx_result *r)
{
    if (r->status != EVM_REVERT)
        return rpc_fail(ctx, RPC_SERVER_ERROR, "%s", callexec_status_text(r->status));
    json_t *data = rpc_json_hex(r->output, r->output_len);
    if (!data)
        return rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
    char reason[400];
    if (callexec_revert_reason(r->output, r->output_len, reason, sizeof reason))
        return rpc_fail_data(ctx, RPC_EXECUTION_REVERTED, data, "execution reverted: %s", reason);
    return rpc_fail_data(ctx, RPC_EXECUTION_REVERTED, data, "execution reverted");
}
