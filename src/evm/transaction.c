/*
 * transaction.c — the state transition of one transaction (see
 * transaction.h). The order of checks and balance changes follows geth's
 * core/state_transition.go of the same era; the value check that geth did
 * through the top-level call's ErrInsufficientBalance (which made the whole
 * transaction invalid) is done up front here, with the same effect.
 */
#include "evm/transaction.h"

#include <stdlib.h>
#include <string.h>

#include "evm/internal.h"
#include "state/state.h"
#include "util/err.h"

void evm_tx_result_free(struct evm_tx_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->log_count; i++)
        log_free(&r->logs[i]);
    free(r->logs);
    free(r->output);
    memset(r, 0, sizeof *r);
}

static int invalid(const char *why, unsigned long long a, unsigned long long b)
{
    return err_set(ERR_INVAL, "invalid transaction: %s (%llu, %llu)", why, a, b);
}

/* Copies the transaction's logs and output into *out. */
static int collect(struct state *state, const struct evm_result *r, struct evm_tx_result *out)
{
    size_t n;
    const struct log *logs = state_logs(state, &n);
    if (n) {
        out->logs = calloc(n, sizeof *out->logs);
        if (!out->logs)
            return err_set(ERR_NOMEM, "evm: %zu logs", n);
        for (size_t i = 0; i < n; i++) {
            int rc = log_copy(&out->logs[i], &logs[i]);
            if (rc)
                return rc;
            out->log_count = i + 1;
        }
    }
    if (r->output_len) {
        out->output = malloc(r->output_len);
        if (!out->output)
            return err_set(ERR_NOMEM, "evm: output of %zu bytes", r->output_len);
        memcpy(out->output, r->output, r->output_len);
        out->output_len = r->output_len;
    }
    return 0;
}

int evm_apply_tx(struct evm *evm, struct state *state, enum evm_fork fork,
                 const struct evm_block *block, const struct tx *tx,
                 const struct address *sender, uint64_t *gas_pool, struct evm_tx_result *out)
{
    memset(out, 0, sizeof *out);

    /* 1. validity */
    uint64_t nonce = state_get_nonce(state, sender);
    if (nonce != tx->nonce)
        return invalid(nonce > tx->nonce ? "nonce too low" : "nonce too high", tx->nonce, nonce);
    if (nonce == UINT64_MAX)
        return invalid("nonce has max value", nonce, 0);
    u256 gas_u = u256_from_u64(tx->gas), cost, total, bal;
    if (u256_mul_overflow(&cost, &gas_u, &tx->gas_price) ||
        u256_add_overflow(&total, &cost, &tx->value))
        return invalid("insufficient funds for gas * price + value", tx->gas, 0);
    state_get_balance(state, sender, &bal);
    if (state_error(state))
        return state_error(state);
    if (u256_lt(&bal, &total))
        return invalid("insufficient funds for gas * price + value", tx->gas, 0);
    if (tx->gas > *gas_pool)
        return invalid("gas limit reached", tx->gas, *gas_pool);
    uint64_t intrinsic = tx_intrinsic_gas(tx, fork >= FORK_HOMESTEAD);
    if (intrinsic > tx->gas)
        return invalid("intrinsic gas too low", tx->gas, intrinsic);
    if (tx->gas > (uint64_t)INT64_MAX)
        return invalid("gas above 2^63-1", tx->gas, 0);

    /* 2. buy gas */
    *gas_pool -= tx->gas;
    state_sub_balance(state, sender, &cost);
    struct evm_tx_context txc = {*sender, tx->gas_price};
    evm_set_context(evm, state, fork, block, &txc);

    /* 3. run */
    struct evm_message msg;
    memset(&msg, 0, sizeof msg);
    msg.depth = 0;
    msg.gas = tx->gas - intrinsic;
    msg.sender = *sender;
    msg.value = tx->value;
    msg.input = tx->data;
    msg.input_len = tx->data_len;
    if (tx->has_to) {
        msg.kind = EVM_CALL;
        msg.recipient = tx->to;
        msg.code_address = tx->to;
        state_set_nonce(state, sender, nonce + 1);
    } else {
        msg.kind = EVM_CREATE; /* increments the nonce itself */
    }
    struct evm_result r;
    int rc = evm_execute(evm, &msg, &r);
    if (rc)
        return rc;

    /* 4. refund, pay */
    uint64_t gas_left = r.gas_left;
    uint64_t used = tx->gas - gas_left;
    uint64_t refund = state_get_refund(state);
    if (refund > used / 2)
        refund = used / 2;
    gas_left += refund;
    used -= refund;
    u256 left_u = u256_from_u64(gas_left), used_u = u256_from_u64(used), back, fee;
    u256_mul(&back, &left_u, &tx->gas_price);
    evm_credit(evm, sender, &back);
    *gas_pool += gas_left;
    u256_mul(&fee, &used_u, &tx->gas_price);
    evm_credit(evm, &block->coinbase, &fee);

    out->status = r.status;
    out->gas_used = used;
    out->refund = refund;
    if (r.status == EVM_SUCCESS && msg.kind == EVM_CREATE) {
        out->created = true;
        out->contract = r.created;
    }
    rc = collect(state, &r, out);

    /* 5. finalise */
    state_tx_finalize(state, fork >= FORK_SPURIOUS);
    if (!rc)
        rc = evm_error(evm);
    if (!rc)
        rc = state_error(state);
    if (rc)
        evm_tx_result_free(out);
    return rc;
}
