/*
 * call.c — the message level: what happens around a frame of code. This is
 * where geth's EVM.Call / CallCode / DelegateCall / StaticCall / Create sit:
 * call depth, value transfer and its balance check, account creation and
 * EIP-158 touching, precompile dispatch, snapshots and reverts, CREATE and
 * CREATE2 addresses, the collision check, EIP-170 and the code deposit.
 * The gas a frame receives (63/64, stipend) is decided by the caller — the
 * CALL/CREATE bodies in interp.c or the transaction in transaction.c.
 *
 * The struct evm context (creation, per-depth frame buffers) lives here too,
 * since the frames are allocated as depths are first reached.
 *
 * Spectrum's per-frame gas-metering rule (spec §6.4, evm_set_frame_metering)
 * is applied here too, at the one place every CALL-family frame is entered;
 * the interpreter only re-reads the flag it leaves.
 */
#include "evm/internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/keccak.h"
#include "evm/precompile.h"
#include "state/state.h"
#include "util/err.h"

/* Analyses kept across transactions before evm_trim/evm_execute drops them. */
#define EVM_CACHE_BYTES ((size_t)64 << 20)

static pthread_once_t interp_once = PTHREAD_ONCE_INIT;

const char *evm_status_name(enum evm_status s)
{
    switch (s) {
    case EVM_SUCCESS: return "success";
    case EVM_REVERT: return "execution reverted";
    case EVM_OUT_OF_GAS: return "out of gas";
    case EVM_INVALID_INSTRUCTION: return "invalid instruction";
    case EVM_STACK_UNDERFLOW: return "stack underflow";
    case EVM_STACK_OVERFLOW: return "stack overflow";
    case EVM_BAD_JUMP: return "invalid jump destination";
    case EVM_STATIC_VIOLATION: return "write protection";
    case EVM_RETURNDATA_OOB: return "return data out of bounds";
    case EVM_CALL_DEPTH: return "max call depth exceeded";
    case EVM_INSUFFICIENT_BALANCE: return "insufficient balance for transfer";
    case EVM_CREATE_COLLISION: return "contract address collision";
    case EVM_CODE_SIZE_EXCEEDED: return "max code size exceeded";
    case EVM_CODE_STORE_OOG: return "contract creation code storage out of gas";
    case EVM_PRECOMPILE_FAILURE: return "precompiled contract failed";
    case EVM_NONCE_OVERFLOW: return "nonce uint64 overflow";
    case EVM_INTERNAL_ERROR: return "internal error";
    }
    return "unknown";
}

/* ---- context ------------------------------------------------------------------ */

int evm_new(struct evm **out)
{
    pthread_once(&interp_once, evm_interp_init);
    struct evm *c = calloc(1, sizeof *c);
    if (!c)
        return err_set(ERR_NOMEM, "evm: context");
    int rc = analysis_cache_new(EVM_CACHE_BYTES, &c->cache);
    if (rc) {
        free(c);
        return rc;
    }
    *out = c;
    return 0;
}

static void frame_free(struct evm_frame *f)
{
    free(f->mem);
    bytes_free(&f->scratch);
    code_analysis_free(&f->init);
    free(f);
}

void evm_free(struct evm *evm)
{
    if (!evm)
        return;
    for (int d = 0; d <= EVM_MAX_DEPTH; d++)
        if (evm->frames[d])
            frame_free(evm->frames[d]);
    analysis_cache_free(evm->cache);
    evm_trace_free(evm);
    free(evm);
}

void evm_set_context(struct evm *evm, struct state *state, enum evm_fork fork,
                     const struct evm_block *block, const struct evm_tx_context *tx)
{
    evm->state = state;
    evm->fork = (unsigned)fork < FORK_COUNT ? fork : FORK_FRONTIER;
    evm->block = *block;
    evm->tx = *tx;
    evm->unmetered = false;
    evm->call_gas_temp = 0;
    evm->error = 0;
}

void evm_set_gas_metering(struct evm *evm, bool on)
{
    evm->unmetered = !on;
}

bool evm_gas_metering(const struct evm *evm)
{
    return !evm->unmetered;
}

void evm_set_frame_metering(struct evm *evm, evm_frame_metering_fn fn, void *ctx)
{
    struct evm *c = evm;
    c->metering = fn;
    c->metering_ctx = fn ? ctx : NULL;
}

/* §6.4 at a frame entry: ask the rule unless the caller is under
 * construction (Spectrum's createSync), which leaves the flag alone. */
static void enter_frame_metering(struct evm *evm, const struct evm_message *msg)
{
    struct evm *c = evm;
    if (!c->metering)
        return;
    for (size_t i = c->nconstructing; i-- > 0;)
        if (address_eq(&c->constructing[i], &msg->sender))
            return;
    evm->unmetered = !c->metering(c->metering_ctx, &msg->sender, &msg->recipient);
}

void evm_set_trace(struct evm *evm, FILE *out)
{
    evm->trace = out;
    evm->tracing = evm->trace || evm->has_tracer;
}

void evm_set_tracer(struct evm *evm, const struct evm_tracer *t)
{
    if (t)
        evm->tracer = *t;
    else
        memset(&evm->tracer, 0, sizeof evm->tracer);
    evm->has_tracer = t != NULL;
    evm->tracing = evm->trace || evm->has_tracer;
}

int evm_error(const struct evm *evm)
{
    return evm->error;
}

void evm_trim(struct evm *evm, size_t keep_bytes)
{
    analysis_cache_trim(evm->cache, keep_bytes);
    size_t total = 0;
    for (int d = 0; d <= EVM_MAX_DEPTH; d++) {
        struct evm_frame *f = evm->frames[d];
        if (!f)
            continue;
        total += sizeof *f + f->mem_cap + f->scratch.cap + f->init.cap;
        if (total > keep_bytes) {
            frame_free(f);
            evm->frames[d] = NULL;
        }
    }
}

struct evm_frame *evm_frame_at(struct evm *evm, int depth)
{
    struct evm_frame *f = evm->frames[depth];
    if (EVM_UNLIKELY(!f)) {
        f = calloc(1, sizeof *f);
        if (!f) {
            evm_fail(evm, err_set(ERR_NOMEM, "evm: frame at depth %d", depth));
            return NULL;
        }
        evm->frames[depth] = f;
    }
    return f;
}

int evm_frame_grow(struct evm_frame *f, uint64_t new_size)
{
    if (new_size > f->mem_cap) {
        uint64_t cap = f->mem_cap ? f->mem_cap : 4096;
        while (cap < new_size)
            cap *= 2;
        if (cap > EVM_MEMORY_LIMIT)
            cap = new_size;
        uint8_t *m = realloc(f->mem, (size_t)cap);
        if (!m)
            return err_set(ERR_NOMEM, "evm: memory of %llu bytes", (unsigned long long)new_size);
        f->mem = m;
        f->mem_cap = (size_t)cap;
    }
    memset(f->mem + f->mem_size, 0, (size_t)(new_size - f->mem_size));
    f->mem_size = new_size;
    return 0;
}

/* ---- addresses ------------------------------------------------------------- */

void evm_create_address(const struct address *sender, uint64_t nonce, struct address *out)
{
    uint8_t buf[1 + 21 + 9];
    size_t n = 1;
    buf[n++] = 0x80 + ADDRESS_LEN;
    memcpy(buf + n, sender->b, ADDRESS_LEN);
    n += ADDRESS_LEN;
    if (nonce == 0) {
        buf[n++] = 0x80;
    } else if (nonce < 0x80) {
        buf[n++] = (uint8_t)nonce;
    } else {
        int len = 0;
        for (uint64_t v = nonce; v; v >>= 8)
            len++;
        buf[n++] = (uint8_t)(0x80 + len);
        for (int i = len - 1; i >= 0; i--)
            buf[n++] = (uint8_t)(nonce >> (8 * i));
    }
    buf[0] = (uint8_t)(0xc0 + (n - 1));
    uint8_t h[32];
    keccak256(buf, n, h);
    memcpy(out->b, h + 12, ADDRESS_LEN);
}

void evm_create2_address(const struct address *sender, const u256 *salt,
                         const struct hash32 *init_code_hash, struct address *out)
{
    uint8_t buf[1 + 20 + 32 + 32];
    buf[0] = 0xff;
    memcpy(buf + 1, sender->b, ADDRESS_LEN);
    u256_to_be(salt, buf + 21);
    memcpy(buf + 53, init_code_hash->b, 32);
    uint8_t h[32];
    keccak256(buf, sizeof buf, h);
    memcpy(out->b, h + 12, ADDRESS_LEN);
}

/* ---- messages ------------------------------------------------------------- */

void evm_credit(struct evm *evm, const struct address *a, const u256 *v)
{
    /* state_add_balance is geth's AddBalance: a zero amount creates a
     * missing account and touches an empty one. */
    state_add_balance(evm->state, a, v);
}

/* geth's Transfer: SubBalance (nothing for zero) then AddBalance. */
static void transfer(struct evm *evm, const struct address *from, const struct address *to,
                     const u256 *v)
{
    if (!u256_iszero(v))
        state_sub_balance(evm->state, from, v);
    evm_credit(evm, to, v);
}

static bool can_transfer(struct evm *evm, const struct address *from, const u256 *v)
{
    if (u256_iszero(v))
        return true;
    u256 bal;
    state_get_balance(evm->state, from, &bal);
    return !u256_lt(&bal, v);
}

static void set_failure(struct evm_result *res, enum evm_status s, uint64_t gas_left)
{
    res->status = s;
    res->gas_left = gas_left;
    res->output = NULL;
    res->output_len = 0;
}

/* Runs code for msg at msg->depth; returns through res. */
static void run_code(struct evm *evm, const struct evm_message *msg,
                     const struct code_analysis *an, struct evm_result *res)
{
    struct evm_frame *f = evm_frame_at(evm, msg->depth);
    if (!f) {
        set_failure(res, EVM_INTERNAL_ERROR, 0);
        return;
    }
    f->mem_size = 0;
    f->mem_cost = 0;
    evm_interp_run(evm, f, msg, an, res);
}

/* A creation at the address CREATE/CREATE2 gives, or at `at` when it is not
 * NULL (evm_create_at: genesis building only). */
static void create_message(struct evm *evm, const struct evm_message *msg,
                           const struct address *at, struct evm_result *res)
{
    struct state *st = evm->state;
    enum evm_fork fork = evm->fork;
    if (msg->depth > EVM_MAX_DEPTH) {
        set_failure(res, EVM_CALL_DEPTH, msg->gas);
        return;
    }
    if (!can_transfer(evm, &msg->sender, &msg->value)) {
        set_failure(res, EVM_INSUFFICIENT_BALANCE, msg->gas);
        return;
    }
    uint64_t nonce = state_get_nonce(st, &msg->sender);
    if (nonce == UINT64_MAX) {
        /* EIP-2681: the nonce cannot be incremented; nothing happens. */
        set_failure(res, EVM_NONCE_OVERFLOW, msg->gas);
        return;
    }
    state_set_nonce(st, &msg->sender, nonce + 1);
    struct address addr;
    if (at) {
        addr = *at;
    } else if (msg->kind == EVM_CREATE2) {
        struct hash32 ih;
        keccak256(msg->input, msg->input_len, ih.b);
        evm_create2_address(&msg->sender, &msg->salt, &ih, &addr);
    } else {
        evm_create_address(&msg->sender, nonce, &addr);
    }
    /* EIP-7610 (retroactive to every fork): storage also collides. */
    if (state_get_nonce(st, &addr) != 0 || state_get_code_size(st, &addr) != 0 ||
        state_has_storage(st, &addr)) {
        set_failure(res, EVM_CREATE_COLLISION, 0);
        return;
    }
    state_snap snap = state_snapshot(st);
    state_create_account(st, &addr);
    if (fork >= FORK_SPURIOUS)
        state_set_nonce(st, &addr, 1); /* EIP-161 */
    transfer(evm, &msg->sender, &addr, &msg->value);

    struct evm_message m = *msg;
    m.recipient = addr;
    m.code_address = addr;
    m.input = NULL;
    m.input_len = 0;
    if (msg->input_len == 0) {
        res->status = EVM_SUCCESS;
        res->gas_left = msg->gas;
        res->output = NULL;
        res->output_len = 0;
    } else {
        struct evm_frame *f = evm_frame_at(evm, msg->depth);
        if (!f) {
            set_failure(res, EVM_INTERNAL_ERROR, 0);
            return;
        }
        if (code_analysis_build(&f->init, msg->input, msg->input_len)) {
            evm_fail(evm, ERR_NOMEM);
            set_failure(res, EVM_INTERNAL_ERROR, 0);
            return;
        }
        /* One creation per depth at most, so this never overflows. */
        struct evm *c = evm;
        c->constructing[c->nconstructing++] = addr;
        run_code(evm, &m, &f->init, res);
        c->nconstructing--;
    }
    if (res->status == EVM_SUCCESS) {
        if (fork >= FORK_SPURIOUS && res->output_len > EVM_MAX_CODE_SIZE) {
            res->status = EVM_CODE_SIZE_EXCEEDED; /* EIP-170 */
        } else {
            uint64_t deposit = (uint64_t)res->output_len * GAS_CODE_DEPOSIT;
            if (deposit <= res->gas_left) {
                res->gas_left -= deposit;
                if (state_set_code(st, &addr, res->output, res->output_len)) {
                    evm_fail(evm, ERR_NOMEM);
                    res->status = EVM_INTERNAL_ERROR;
                }
            } else if (fork >= FORK_HOMESTEAD) {
                res->status = EVM_CODE_STORE_OOG;
            }
            /* Frontier: the account stays, without code, and keeps the gas. */
        }
    }
    if (res->status != EVM_SUCCESS) {
        state_revert(st, snap);
        if (res->status != EVM_REVERT)
            set_failure(res, res->status, 0);
        return;
    }
    res->created = addr;
}

void evm_call_message(struct evm *evm, const struct evm_message *msg, struct evm_result *res)
{
    memset(&res->created, 0, sizeof res->created);
    if (msg->kind == EVM_CREATE || msg->kind == EVM_CREATE2) {
        create_message(evm, msg, NULL, res);
        return;
    }
    struct state *st = evm->state;
    enum evm_fork fork = evm->fork;
    if (msg->depth > EVM_MAX_DEPTH) {
        set_failure(res, EVM_CALL_DEPTH, msg->gas);
        return;
    }
    if ((msg->kind == EVM_CALL || msg->kind == EVM_CALLCODE) &&
        !can_transfer(evm, &msg->sender, &msg->value)) {
        set_failure(res, EVM_INSUFFICIENT_BALANCE, msg->gas);
        return;
    }
    state_snap snap = state_snapshot(st);
    bool pre = precompile_is(fork, &msg->code_address);
    if (msg->kind == EVM_CALL) {
        if (!state_exists(st, &msg->recipient)) {
            /* EIP-158: a call without value to nothing creates nothing. */
            if (!pre && fork >= FORK_SPURIOUS && u256_iszero(&msg->value)) {
                res->status = EVM_SUCCESS;
                res->gas_left = msg->gas;
                res->output = NULL;
                res->output_len = 0;
                return;
            }
            state_create_account(st, &msg->recipient);
        }
        transfer(evm, &msg->sender, &msg->recipient, &msg->value);
    } else if (msg->kind == EVM_STATICCALL) {
        /* geth touches the callee with a zero AddBalance. */
        u256 zero = u256_from_u64(0);
        evm_credit(evm, &msg->recipient, &zero);
    }

    if (pre) {
        uint64_t need = precompile_gas(fork, &msg->code_address, msg->input, msg->input_len);
        struct evm_frame *f = need <= msg->gas ? evm_frame_at(evm, msg->depth) : NULL;
        if (!f) {
            state_revert(st, snap);
            set_failure(res, evm->error ? EVM_INTERNAL_ERROR : EVM_OUT_OF_GAS, 0);
            return;
        }
        bytes_reset(&f->scratch);
        int rc = precompile_run(fork, &msg->code_address, msg->input, msg->input_len,
                                &f->scratch);
        if (rc == 0 && bytes_ok(&f->scratch) != 0)
            rc = ERR_NOMEM;
        if (rc == 0) {
            res->status = EVM_SUCCESS;
            res->gas_left = msg->gas - need;
            res->output = f->scratch.data;
            res->output_len = f->scratch.len;
            return;
        }
        state_revert(st, snap);
        if (rc == ERR_NOMEM) {
            evm_fail(evm, ERR_NOMEM);
            set_failure(res, EVM_INTERNAL_ERROR, 0);
        } else {
            set_failure(res, EVM_PRECOMPILE_FAILURE, 0);
        }
        return;
    }

    size_t len;
    const uint8_t *code = state_get_code(st, &msg->code_address, &len);
    if (len == 0) {
        res->status = EVM_SUCCESS;
        res->gas_left = msg->gas;
        res->output = NULL;
        res->output_len = 0;
        return;
    }
    struct hash32 h;
    const struct code_analysis *an;
    state_get_code_hash(st, &msg->code_address, &h);
    int rc = analysis_cache_get(evm->cache, &h, code, len, &an);
    if (rc) {
        evm_fail(evm, rc);
        set_failure(res, EVM_INTERNAL_ERROR, 0);
        return;
    }
    enter_frame_metering(evm, msg);
    run_code(evm, msg, an, res);
    if (res->status != EVM_SUCCESS)
        state_revert(st, snap);
}

static int execute(struct evm *evm, const struct evm_message *msg, const struct address *at,
                   struct evm_result *res)
{
    if (msg->gas > (uint64_t)INT64_MAX)
        return err_set(ERR_RANGE, "evm: gas %llu above 2^63-1", (unsigned long long)msg->gas);
    if (msg->depth < 0 || msg->depth > EVM_MAX_DEPTH)
        return err_set(ERR_RANGE, "evm: depth %d", msg->depth);
    if (msg->depth == 0)
        analysis_cache_trim(evm->cache, 0);
    evm->error = 0;
    if (msg->depth == 0)
        evm->nconstructing = 0; /* a new message tree */
    if (at) {
        memset(&res->created, 0, sizeof res->created);
        create_message(evm, msg, at, res);
    } else {
        evm_call_message(evm, msg, res);
    }
    if (!evm->error && state_error(evm->state))
        evm->error = state_error(evm->state);
    if (EVM_UNLIKELY(evm->has_tracer) && evm->tracer.message_end)
        evm->tracer.message_end(evm->tracer.ctx, res);
    return evm->error;
}

int evm_execute(struct evm *evm, const struct evm_message *msg, struct evm_result *res)
{
    return execute(evm, msg, NULL, res);
}

int evm_create_at(struct evm *evm, const struct evm_message *msg, const struct address *at,
                  struct evm_result *res)
{
    if (msg->kind != EVM_CREATE)
        return err_set(ERR_INVAL, "evm_create_at: the message must be EVM_CREATE");
    return execute(evm, msg, at, res);
}
