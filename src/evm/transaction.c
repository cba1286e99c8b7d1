/*
 * transaction.c — the state transition of one transaction (see
 * transaction.h), Ethereum's and Spectrum's in one body: the rules struct
 * switches the few steps where they differ, so both chains' accounting
 * (gas bought, pool, refund, fee) is written once. The order of balance
 * changes follows geth's core/state_transition.go of the same era (Spectrum's
 * at HEAD for the rules), but every validity check is done before the first
 * change, so an invalid transaction leaves the state and the gas pool
 * untouched (geth throws the whole state away instead; the outcome for a
 * block is the same). The value check that geth did through the top-level
 * call's ErrInsufficientBalance (which made the whole transaction invalid)
 * is done up front here, with the same effect.
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

int evm_apply_tx_rules(struct evm *evm, struct state *state, enum evm_fork fork,
                       const struct evm_block *block, const struct tx *tx,
                       const struct address *sender, const struct evm_tx_rules *rules,
                       uint64_t *gas_pool, struct evm_tx_result *out)
{
    memset(out, 0, sizeof *out);

    /* 1. validity, before any change */
    uint64_t nonce = state_get_nonce(state, sender);
    if (nonce != tx->nonce)
        return invalid(nonce > tx->nonce ? "nonce too low" : "nonce too high", tx->nonce, nonce);
    if (nonce == UINT64_MAX)
        return invalid("nonce has max value", nonce, 0);
    uint64_t gas = rules->free_gas ? 0 : tx->gas; /* the gas bought */
    if (gas > (uint64_t)INT64_MAX)
        return invalid("gas above 2^63-1", gas, 0);
    u256 gas_u = u256_from_u64(gas), cost, total, bal;
    if (u256_mul_overflow(&cost, &gas_u, &tx->gas_price) ||
        u256_add_overflow(&total, &cost, &tx->value))
        return invalid("insufficient funds for gas * price + value", tx->gas, 0);
    if (!rules->skip_pool && gas > *gas_pool)
        return invalid("gas limit reached", gas, *gas_pool);
    state_get_balance(state, sender, &bal);
    if (state_error(state))
        return state_error(state);
    if (u256_lt(&bal, &cost)) {
        if (rules->refuse_unfunded)
            return err_set(ERR_UNSUPPORTED,
                           "chief transaction would leave a negative balance (spec §6.3)");
        return invalid("insufficient funds for gas * price", tx->gas, 0);
    }
    if (u256_lt(&bal, &total)) /* Call's CanTransfer: a consensus error */
        return invalid("insufficient balance for transfer", tx->gas, 0);
    uint64_t intrinsic = rules->free_gas ? 0 : tx_intrinsic_gas(tx, fork >= FORK_HOMESTEAD);
    if (intrinsic > gas)
        return invalid("intrinsic gas too low", gas, intrinsic);

    /* 2. buy gas */
    if (!rules->skip_pool)
        *gas_pool -= gas;
    state_sub_balance(state, sender, &cost);
    struct evm_tx_context txc = {*sender, tx->gas_price};
    evm_set_context(evm, state, fork, block, &txc);
    if (rules->metering)
        evm_set_frame_metering(evm, rules->metering, rules->metering_ctx);

    /* 3. run */
    struct evm_message msg;
    memset(&msg, 0, sizeof msg);
    msg.depth = 0;
    msg.gas = gas - intrinsic;
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
    if (r.gas_left > gas) /* metered frames never return more than given */
        return err_set(ERR_UNSUPPORTED,
                       "gas left %llu above gas bought %llu (stale callGasTemp, spec §6.4)",
                       (unsigned long long)r.gas_left, (unsigned long long)gas);

    /* 4. refund, fee */
    uint64_t gas_left = r.gas_left;
    uint64_t used = gas - gas_left;
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
    evm_credit(evm, rules->fee_to_sender ? sender : &block->coinbase, &fee);

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

int evm_apply_tx(struct evm *evm, struct state *state, enum evm_fork fork,
                 const struct evm_block *block, const struct tx *tx,
                 const struct address *sender, uint64_t *gas_pool, struct evm_tx_result *out)
{
    static const struct evm_tx_rules ethereum; /* every rule off */
    return evm_apply_tx_rules(evm, state, fork, block, tx, sender, &ethereum, gas_pool, out);
}
