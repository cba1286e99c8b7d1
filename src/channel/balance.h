/*
 * balance.h — the numbers of a channel: channel id, balance hash, balance
 * and distributable amount (spec/photon.md §2.2, §2.3, §3.5), and the
 * amounts the contract pays out on settle, cooperative settle and withdraw
 * (§2.4, §2.7).
 *
 * Why it is shaped this way: these are the rules where the hub and
 * contrib/contracts/TokensNetwork.sol must agree to the wei, so each is one
 * pure function over u256 written after the contract's own expression
 * (settleAmount, withDraw, cooperativeSettle). None wraps around: where the
 * contract clamps, these clamp the same way; where the contract would
 * revert, these return an error. Nothing allocates; every function is safe
 * from any thread.
 */
#ifndef SPECTRUM_CHANNEL_BALANCE_H
#define SPECTRUM_CHANNEL_BALANCE_H

#include <stdint.h>

#include "primitives/u256.h"

/* channel_id = keccak256(lo ‖ hi ‖ token ‖ tokens_network) with lo < hi the
 * two participants in numeric (byte) order, so the id does not depend on
 * which participant is named first. a == b is not a channel (the contract
 * refuses to open it) but still yields a hash.
 * In: a, b (participants), token, tokens_network (contract address). */
void ch_channel_id(const uint8_t a[20], const uint8_t b[20], const uint8_t token[20],
                   const uint8_t tokens_network[20], uint8_t out[32]);

/* balance_hash = first 24 bytes of keccak256(locksroot ‖ u256 ta), or 24
 * zero bytes when ta and locksroot are both zero (the contract's
 * balanceHash). */
void ch_balance_hash(const u256 *transferred_amount, const uint8_t locksroot[32], uint8_t out[24]);

/* balance = deposit − my_ta + partner_ta: what this end owns in the
 * channel if both sides' transfers settled now (§3.5).
 * Returns: 0, or ERR_RANGE when deposit + partner_ta overflows or my_ta
 *          exceeds it (an inconsistent state; context says which). */
int ch_balance(const u256 *deposit, const u256 *my_ta, const u256 *partner_ta, u256 *out);

/* distributable = balance − my_locked, my_locked being the sum of this
 * end's pending and unclaimed outgoing locks: the most a new transfer or
 * lock may move.
 * Returns: 0, or ERR_RANGE as ch_balance or when my_locked exceeds the
 *          balance. */
int ch_distributable(const u256 *deposit, const u256 *my_ta, const u256 *partner_ta,
                     const u256 *my_locked, u256 *out);

/* The §3.5 rule for a DirectTransfer: new_ta − old_ta must be > 0 and
 * <= distributable (of the sender, before the transfer).
 * Returns: 0 with *amount = new_ta − old_ta; ERR_INVAL when new_ta <=
 *          old_ta; ERR_RANGE when the amount exceeds distributable.
 * Out: amount (may be NULL). */
int ch_check_direct(const u256 *distributable, const u256 *old_ta, const u256 *new_ta,
                    u256 *amount);

/* The §3.5 rule for a new lock: 0 < amount <= distributable.
 * Returns: 0, ERR_INVAL (zero amount) or ERR_RANGE (over distributable). */
int ch_check_lock_amount(const u256 *distributable, const u256 *amount);

/* Settlement (§2.7, TokensNetwork.settle): total = dep1 + dep2;
 * p1 = dep1 + ta2 − ta1, 0 when ta1 > dep1 + ta2, at most total, computed
 * without wrap-around for any ta; p2 = total − p1.
 * Returns: 0, or ERR_RANGE when dep1 + dep2 overflows (the contract keeps
 *          deposits below that).
 * In: dep1, ta1 (p1's deposit and transferred amount), dep2, ta2.
 * Out: p1_amount, p2_amount. */
int ch_settle_amounts(const u256 *dep1, const u256 *ta1, const u256 *dep2, const u256 *ta2,
                      u256 *p1_amount, u256 *p2_amount);

/* Cooperative settle (TokensNetwork.cooperativeSettle): the balances must
 * add up to the deposits exactly.
 * Returns: 0, or ERR_INVAL when p1_balance + p2_balance != dep1 + dep2
 *          (or either sum overflows). */
int ch_check_coop_settle(const u256 *dep1, const u256 *dep2, const u256 *p1_balance,
                         const u256 *p2_balance);

/* Withdraw (TokensNetwork.withDraw): total = dep_p + dep_q; requires
 * p_balance <= total and 0 < withdraw <= p_balance; the participant's new
 * deposit is p_balance − withdraw, the partner's total − p_balance.
 * Returns: 0, ERR_RANGE (balance above the deposits, or the deposits
 *          overflow) or ERR_INVAL (withdraw zero or above the balance).
 * Out: new_dep_p, new_dep_q. */
int ch_withdraw_amounts(const u256 *dep_p, const u256 *dep_q, const u256 *p_balance,
                        const u256 *withdraw, u256 *new_dep_p, u256 *new_dep_q);

#endif
