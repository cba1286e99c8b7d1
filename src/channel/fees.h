/*
 * fees.h — mediator fees (spec/photon.md §6).
 *
 * A fee setting charges fee = amount / fee_percent + fee_constant (integer
 * division; fee_percent <= 0 turns the proportional part off, so
 * fee_percent 10000 is 0.01 %). A node's policy has one setting for the
 * whole account, optional ones per token and per channel; the most
 * specific wins: channel > token > account. The default account setting
 * is {fee_constant 0, fee_percent 10000}.
 *
 * In a mediated transfer the initiator locks target_amount + total_fee and
 * puts total_fee in the message's `fee`. Each mediator computes its own fee
 * on target_amount = payment_amount − fee with its setting for the
 * OUTGOING channel, refuses the route when the remaining fee is below it,
 * and forwards amount − my_fee with fee − my_fee; the hop before the target
 * forwards exactly target_amount with fee 0 and keeps whatever is left.
 *
 * Why it is shaped this way: fee arithmetic runs on amounts chosen by a
 * remote payer, so every step is checked u256 arithmetic returning an
 * error instead of wrapping; the policy is a small owned table with a hard
 * cap on entries because it is set over RPC. Pure functions are safe from
 * any thread; a policy is not thread-safe (one owner at a time).
 */
#ifndef SPECTRUM_CHANNEL_FEES_H
#define SPECTRUM_CHANNEL_FEES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "primitives/u256.h"

/* Most token entries and most channel entries one policy holds. */
#define CH_FEE_ENTRIES_MAX 4096
/* The default account fee_percent (0.01 %). */
#define CH_FEE_DEFAULT_PERCENT 10000

struct ch_fee_setting {
    u256 fee_constant;
    int64_t fee_percent;            /* <= 0: no proportional part */
};

struct ch_fee_token {
    uint8_t token[20];
    struct ch_fee_setting fee;
};

struct ch_fee_channel {
    uint8_t channel_id[32];
    struct ch_fee_setting fee;
};

/* A node's fee policy. Owns its two arrays. */
struct ch_fee_policy {
    struct ch_fee_setting account;
    struct ch_fee_token *tokens;
    size_t n_tokens, cap_tokens;
    struct ch_fee_channel *channels;
    size_t n_channels, cap_channels;
};

/* fee = amount / fee_percent (when fee_percent > 0) + fee_constant.
 * Returns: 0, or ERR_RANGE when the sum exceeds 2^256 − 1. */
int ch_fee_compute(const struct ch_fee_setting *s, const u256 *amount, u256 *fee);

/* The digest a node signs when it publishes a setting to a path-finding
 * service: keccak256(i64 fee_percent BE ‖ u256 fee_constant). */
void ch_fee_setting_digest(const struct ch_fee_setting *s, uint8_t out[32]);

/* Makes p the default policy (account {0, 10000}, no entries). */
void ch_fee_policy_init(struct ch_fee_policy *p);

/* Frees p's arrays and makes it the default policy again. */
void ch_fee_policy_free(struct ch_fee_policy *p);

/* Sets (adds or replaces) the setting of a token / a channel.
 * Returns: 0; ERR_RANGE when adding would exceed CH_FEE_ENTRIES_MAX;
 *          ERR_NOMEM. p is unchanged on error. */
int ch_fee_policy_set_token(struct ch_fee_policy *p, const uint8_t token[20],
                            const struct ch_fee_setting *s);
int ch_fee_policy_set_channel(struct ch_fee_policy *p, const uint8_t channel_id[32],
                              const struct ch_fee_setting *s);

/* Removes the setting of a token / a channel.
 * Returns: 0, or ERR_NOTFOUND. */
int ch_fee_policy_unset_token(struct ch_fee_policy *p, const uint8_t token[20]);
int ch_fee_policy_unset_channel(struct ch_fee_policy *p, const uint8_t channel_id[32]);

/* The setting that applies to a transfer of `token` over `channel_id`:
 * the channel's if set, else the token's if set, else the account's.
 * In: token, channel_id (either may be NULL: not consulted).
 * Returns a pointer into p, valid until p changes. */
const struct ch_fee_setting *ch_fee_policy_select(const struct ch_fee_policy *p,
                                                  const uint8_t token[20],
                                                  const uint8_t channel_id[32]);

/* What a mediator forwards (§6, Photon's mediator): with its setting `out`
 * for the outgoing channel and the payer's lock amount and remaining fee,
 *   target_amount = payer_amount − payer_fee,
 *   my_fee        = fee(out, target_amount), and payer_fee >= my_fee,
 *   payee_amount  = payer_amount − my_fee, payee_fee = payer_fee − my_fee,
 * except when the next hop is the target: payee_amount = target_amount,
 * payee_fee = 0, and the mediator keeps all of payer_fee (*kept).
 * Returns: 0; ERR_INVAL when payer_fee > payer_amount; ERR_RANGE when the
 *          remaining fee is below the mediator's fee ("insufficient fee":
 *          the route is refused and the lock disposed) or the fee
 *          overflows. Outputs are written only on success.
 * Out: payee_amount, payee_fee, kept (the fee this hop earns; may be NULL). */
int ch_fee_mediate(const struct ch_fee_setting *out, const u256 *payer_amount,
                   const u256 *payer_fee, bool next_is_target, u256 *payee_amount,
                   u256 *payee_fee, u256 *kept);

/* The initiator's lock amount: target_amount + total_fee.
 * Returns: 0, or ERR_RANGE on overflow. */
int ch_fee_lock_amount(const u256 *target_amount, const u256 *total_fee, u256 *lock_amount);

#endif
