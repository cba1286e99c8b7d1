/*
 * txpool_validate.c — whether a transaction may enter the pool, and why not.
 *
 * The order of the checks follows geth's validateTx (size, gas limit,
 * sender, price floor, nonce, balance, intrinsic gas), with Spectrum's two
 * additions in front of the signature work: chief update txs are refused
 * (spec §6.1: the producer makes its own and they are never gossiped), and
 * replay protection is demanded before recovering a key (spec §6.5), so a
 * flood of unprotected or foreign-chain txs costs no ecrecover. The texts
 * are geth's, since wallets and libraries match on them.
 */
#include "txpool/txpool_internal.h"

#include "consensus/tribe_rules.h"
#include "util/err.h"

static const char *const reasons[TXPOOL_REASON_COUNT] = {
    [TXPOOL_OK] = "",
    [TXPOOL_DECODE] = "",
    [TXPOOL_ALREADY_KNOWN] = "already known",
    [TXPOOL_OVERSIZED] = "oversized data",
    [TXPOOL_CHIEF_UPDATE] = "chief update transactions are not accepted",
    [TXPOOL_GAS_LIMIT] = "exceeds block gas limit",
    [TXPOOL_UNPROTECTED] = "only replay-protected (EIP-155) transactions allowed",
    [TXPOOL_INVALID_CHAIN_ID] = "invalid chain id",
    [TXPOOL_INVALID_SENDER] = "invalid sender",
    [TXPOOL_UNDERPRICED] = "transaction underpriced",
    [TXPOOL_NONCE_MAX] = "nonce has max value",
    [TXPOOL_NONCE_TOO_LOW] = "nonce too low",
    [TXPOOL_INSUFFICIENT_FUNDS] = "insufficient funds for gas * price + value",
    [TXPOOL_INTRINSIC_GAS] = "intrinsic gas too low",
    [TXPOOL_REPLACE_UNDERPRICED] = "replacement transaction underpriced",
    [TXPOOL_ACCOUNT_LIMIT] = "account limit exceeded",
    [TXPOOL_FULL] = "txpool is full",
};

const char *txpool_reason_str(enum txpool_reason r)
{
    if ((unsigned)r >= TXPOOL_REASON_COUNT)
        return "unknown";
    return reasons[r];
}

int txpool_reject(enum txpool_reason *reason, enum txpool_reason r)
{
    if (reason)
        *reason = r;
    return err_set(ERR_INVAL, "%s", txpool_reason_str(r));
}

bool txpool_sender_matches(const struct txpool *pool, const struct txpool_sender *known)
{
    return known->rules.homestead == pool->rules.homestead &&
           known->rules.eip155 == pool->rules.eip155 &&
           known->rules.chain_id == pool->rules.chain_id;
}

int txpool_check(const struct txpool *pool, const struct txpool_state_reader *rd,
                 const struct tx *tx, bool local, const struct txpool_sender *known,
                 struct address *sender, u256 *cost, uint64_t *state_nonce,
                 enum txpool_reason *reason)
{
    if (tx->has_to && tribe_is_chief_update_any(pool->params, &tx->to, tx->data, tx->data_len))
        return txpool_reject(reason, TXPOOL_CHIEF_UPDATE);
    if (tx->gas > pool->gas_limit)
        return txpool_reject(reason, TXPOOL_GAS_LIMIT);

    bool prot = false;
    u256 cid;
    if (tx_chain_id(tx, &prot, &cid))
        return txpool_reject(reason, TXPOOL_INVALID_SENDER);
    if (!prot)
        return txpool_reject(reason, TXPOOL_UNPROTECTED);
    u256 want = u256_from_u64(pool->params->chain_id);
    if (!u256_eq(&cid, &want) || !pool->rules.eip155)
        return txpool_reject(reason, TXPOOL_INVALID_CHAIN_ID);
    int rc;
    if (known && txpool_sender_matches(pool, known)) {
        *sender = known->sender;
        rc = 0;
    } else {
        rc = tx_sender(tx, &pool->rules, sender);
    }
    if (rc == ERR_NOMEM)
        return rc;
    if (rc)
        return txpool_reject(reason, TXPOOL_INVALID_SENDER);

    u256 floor = u256_from_u64(pool->cfg.min_gas_price);
    if (!local && u256_lt(&tx->gas_price, &floor))
        return txpool_reject(reason, TXPOOL_UNDERPRICED);
    if (tx->nonce == UINT64_MAX)
        return txpool_reject(reason, TXPOOL_NONCE_MAX);

    rc = rd->get_nonce(rd->ctx, sender, state_nonce);
    if (rc)
        return rc;
    if (tx->nonce < *state_nonce)
        return txpool_reject(reason, TXPOOL_NONCE_TOO_LOW);

    u256 balance;
    rc = rd->get_balance(rd->ctx, sender, &balance);
    if (rc)
        return rc;
    u256 gas = u256_from_u64(tx->gas);
    if (u256_mul_overflow(cost, &tx->gas_price, &gas) ||
        u256_add_overflow(cost, cost, &tx->value) || u256_lt(&balance, cost))
        return txpool_reject(reason, TXPOOL_INSUFFICIENT_FUNDS);

    if (tx_intrinsic_gas(tx, pool->rules.homestead) > tx->gas)
        return txpool_reject(reason, TXPOOL_INTRINSIC_GAS);
    return 0;
}
