/*
 * balance.c — channel id, balance hash and the channel arithmetic
 * (balance.h). Each function mirrors one expression of TokensNetwork.sol
 * or of §3.5, with u256_add_overflow / u256_lt standing where Solidity
 * 0.5 would have wrapped or the contract guards with a require.
 */
#include "channel/balance.h"

#include <string.h>

#include "crypto/keccak.h"
#include "util/err.h"

void ch_channel_id(const uint8_t a[20], const uint8_t b[20], const uint8_t token[20],
                   const uint8_t tokens_network[20], uint8_t out[32])
{
    uint8_t buf[80];
    bool a_first = memcmp(a, b, 20) < 0;
    memcpy(buf, a_first ? a : b, 20);
    memcpy(buf + 20, a_first ? b : a, 20);
    memcpy(buf + 40, token, 20);
    memcpy(buf + 60, tokens_network, 20);
    keccak256(buf, sizeof buf, out);
}

void ch_balance_hash(const u256 *transferred_amount, const uint8_t locksroot[32], uint8_t out[24])
{
    static const uint8_t zero[32];
    if (u256_iszero(transferred_amount) && memcmp(locksroot, zero, 32) == 0) {
        memset(out, 0, 24);
        return;
    }
    uint8_t buf[64], h[32];
    memcpy(buf, locksroot, 32);
    u256_to_be(transferred_amount, buf + 32);
    keccak256(buf, sizeof buf, h);
    memcpy(out, h, 24);
}

int ch_balance(const u256 *deposit, const u256 *my_ta, const u256 *partner_ta, u256 *out)
{
    u256 in;
    if (u256_add_overflow(&in, deposit, partner_ta))
        return err_set(ERR_RANGE, "balance: deposit + partner's transferred amount overflows");
    if (u256_lt(&in, my_ta))
        return err_set(ERR_RANGE, "balance: transferred more than deposit + received");
    u256_sub(out, &in, my_ta);
    return 0;
}

int ch_distributable(const u256 *deposit, const u256 *my_ta, const u256 *partner_ta,
                     const u256 *my_locked, u256 *out)
{
    u256 bal = u256_from_u64(0);
    int rc = ch_balance(deposit, my_ta, partner_ta, &bal);
    if (rc)
        return rc;
    if (u256_lt(&bal, my_locked))
        return err_set(ERR_RANGE, "distributable: locked amount above the balance");
    u256_sub(out, &bal, my_locked);
    return 0;
}

int ch_check_direct(const u256 *distributable, const u256 *old_ta, const u256 *new_ta,
                    u256 *amount)
{
    if (!u256_gt(new_ta, old_ta))
        return err_set(ERR_INVAL, "direct transfer: transferred amount does not increase");
    u256 d;
    u256_sub(&d, new_ta, old_ta);
    if (u256_gt(&d, distributable))
        return err_set(ERR_RANGE, "direct transfer: amount above the distributable balance");
    if (amount)
        *amount = d;
    return 0;
}

int ch_check_lock_amount(const u256 *distributable, const u256 *amount)
{
    if (u256_iszero(amount))
        return err_set(ERR_INVAL, "lock: zero amount");
    if (u256_gt(amount, distributable))
        return err_set(ERR_RANGE, "lock: amount above the distributable balance");
    return 0;
}

int ch_settle_amounts(const u256 *dep1, const u256 *ta1, const u256 *dep2, const u256 *ta2,
                      u256 *p1_amount, u256 *p2_amount)
{
    u256 total, p1;
    if (u256_add_overflow(&total, dep1, dep2))
        return err_set(ERR_RANGE, "settle: deposits overflow");
    if (!u256_lt(ta2, ta1)) {
        u256 gain;
        u256_sub(&gain, ta2, ta1);
        if (u256_add_overflow(&p1, dep1, &gain))
            p1 = total; /* far above total: clamped */
    } else {
        u256 loss;
        u256_sub(&loss, ta1, ta2);
        if (!u256_lt(&loss, dep1))
            p1 = u256_from_u64(0);
        else
            u256_sub(&p1, dep1, &loss);
    }
    if (u256_gt(&p1, &total))
        p1 = total;
    *p1_amount = p1;
    u256_sub(p2_amount, &total, &p1);
    return 0;
}

int ch_check_coop_settle(const u256 *dep1, const u256 *dep2, const u256 *p1_balance,
                         const u256 *p2_balance)
{
    u256 total, sum;
    if (u256_add_overflow(&total, dep1, dep2) || u256_add_overflow(&sum, p1_balance, p2_balance) ||
        !u256_eq(&total, &sum))
        return err_set(ERR_INVAL, "cooperative settle: balances do not add up to the deposits");
    return 0;
}

int ch_withdraw_amounts(const u256 *dep_p, const u256 *dep_q, const u256 *p_balance,
                        const u256 *withdraw, u256 *new_dep_p, u256 *new_dep_q)
{
    u256 total;
    if (u256_add_overflow(&total, dep_p, dep_q))
        return err_set(ERR_RANGE, "withdraw: deposits overflow");
    if (u256_gt(p_balance, &total))
        return err_set(ERR_RANGE, "withdraw: balance above the deposits");
    if (u256_iszero(withdraw) || u256_gt(withdraw, p_balance))
        return err_set(ERR_INVAL, "withdraw: amount zero or above the balance");
    u256 np, nq;
    u256_sub(&np, p_balance, withdraw);
    u256_sub(&nq, &total, p_balance);
    *new_dep_p = np;
    *new_dep_q = nq;
    return 0;
}
