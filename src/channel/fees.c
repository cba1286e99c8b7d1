/*
 * fees.c — fee settings, the channel > token > account policy and the
 * mediator's fee arithmetic (fees.h; Photon's feemodule.go and
 * mediator/transition.go).
 *
 * The policy tables are small unsorted arrays searched linearly: a node
 * sets a handful of entries by RPC, and the lookup runs once per mediated
 * transfer, next to two signature checks that cost far more.
 */
#include "channel/fees.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/keccak.h"
#include "util/bytes.h"
#include "util/err.h"

int ch_fee_compute(const struct ch_fee_setting *s, const u256 *amount, u256 *fee)
{
    u256 f = u256_from_u64(0);
    if (s->fee_percent > 0) {
        u256 d = u256_from_u64((uint64_t)s->fee_percent);
        u256_div(&f, amount, &d);
    }
    if (u256_add_overflow(&f, &f, &s->fee_constant))
        return err_set(ERR_RANGE, "fee: amount / percent + constant overflows");
    *fee = f;
    return 0;
}

void ch_fee_setting_digest(const struct ch_fee_setting *s, uint8_t out[32])
{
    uint8_t buf[40];
    be_put64(buf, (uint64_t)s->fee_percent);
    u256_to_be(&s->fee_constant, buf + 8);
    keccak256(buf, sizeof buf, out);
}

void ch_fee_policy_init(struct ch_fee_policy *p)
{
    memset(p, 0, sizeof *p);
    p->account.fee_percent = CH_FEE_DEFAULT_PERCENT;
}

void ch_fee_policy_free(struct ch_fee_policy *p)
{
    free(p->tokens);
    free(p->channels);
    ch_fee_policy_init(p);
}

/* Grows an entry array to hold one more element, up to the cap. */
static int grow(void **arr, size_t *cap, size_t n, size_t elem)
{
    if (n >= CH_FEE_ENTRIES_MAX)
        return err_set(ERR_RANGE, "fee policy: more than %d entries", CH_FEE_ENTRIES_MAX);
    if (n < *cap)
        return 0;
    size_t ncap = *cap ? *cap * 2 : 8;
    if (ncap > CH_FEE_ENTRIES_MAX)
        ncap = CH_FEE_ENTRIES_MAX;
    void *a = realloc(*arr, ncap * elem);
    if (!a)
        return err_set(ERR_NOMEM, "fee policy: %zu entries", ncap);
    *arr = a;
    *cap = ncap;
    return 0;
}

int ch_fee_policy_set_token(struct ch_fee_policy *p, const uint8_t token[20],
                            const struct ch_fee_setting *s)
{
    for (size_t i = 0; i < p->n_tokens; i++)
        if (memcmp(p->tokens[i].token, token, 20) == 0) {
            p->tokens[i].fee = *s;
            return 0;
        }
    void *arr = p->tokens;
    int rc = grow(&arr, &p->cap_tokens, p->n_tokens, sizeof *p->tokens);
    p->tokens = arr;
    if (rc)
        return rc;
    memcpy(p->tokens[p->n_tokens].token, token, 20);
    p->tokens[p->n_tokens].fee = *s;
    p->n_tokens++;
    return 0;
}

int ch_fee_policy_set_channel(struct ch_fee_policy *p, const uint8_t channel_id[32],
                              const struct ch_fee_setting *s)
{
    for (size_t i = 0; i < p->n_channels; i++)
        if (memcmp(p->channels[i].channel_id, channel_id, 32) == 0) {
            p->channels[i].fee = *s;
            return 0;
        }
    void *arr = p->channels;
    int rc = grow(&arr, &p->cap_channels, p->n_channels, sizeof *p->channels);
    p->channels = arr;
    if (rc)
        return rc;
    memcpy(p->channels[p->n_channels].channel_id, channel_id, 32);
    p->channels[p->n_channels].fee = *s;
    p->n_channels++;
    return 0;
}

int ch_fee_policy_unset_token(struct ch_fee_policy *p, const uint8_t token[20])
{
    for (size_t i = 0; i < p->n_tokens; i++)
        if (memcmp(p->tokens[i].token, token, 20) == 0) {
            p->tokens[i] = p->tokens[--p->n_tokens];
            return 0;
        }
    return err_set(ERR_NOTFOUND, "fee policy: no setting for this token");
}

int ch_fee_policy_unset_channel(struct ch_fee_policy *p, const uint8_t channel_id[32])
{
    for (size_t i = 0; i < p->n_channels; i++)
        if (memcmp(p->channels[i].channel_id, channel_id, 32) == 0) {
            p->channels[i] = p->channels[--p->n_channels];
            return 0;
        }
    return err_set(ERR_NOTFOUND, "fee policy: no setting for this channel");
}

const struct ch_fee_setting *ch_fee_policy_select(const struct ch_fee_policy *p,
                                                  const uint8_t token[20],
                                                  const uint8_t channel_id[32])
{
    if (channel_id)
        for (size_t i = 0; i < p->n_channels; i++)
            if (memcmp(p->channels[i].channel_id, channel_id, 32) == 0)
                return &p->channels[i].fee;
    if (token)
        for (size_t i = 0; i < p->n_tokens; i++)
            if (memcmp(p->tokens[i].token, token, 20) == 0)
                return &p->tokens[i].fee;
    return &p->account;
}

int ch_fee_mediate(const struct ch_fee_setting *out, const u256 *payer_amount,
                   const u256 *payer_fee, bool next_is_target, u256 *payee_amount,
                   u256 *payee_fee, u256 *kept)
{
    if (u256_gt(payer_fee, payer_amount))
        return err_set(ERR_INVAL, "fee: remaining fee above the locked amount");
    u256 target, mine;
    u256_sub(&target, payer_amount, payer_fee);
    int rc = ch_fee_compute(out, &target, &mine);
    if (rc)
        return rc;
    if (u256_lt(payer_fee, &mine))
        return err_set(ERR_RANGE, "fee: insufficient remaining fee for this hop");
    u256 amt, fee, keep;
    if (next_is_target) {
        amt = target;
        fee = u256_from_u64(0);
        keep = *payer_fee;
    } else {
        u256_sub(&amt, payer_amount, &mine);
        u256_sub(&fee, payer_fee, &mine);
        keep = mine;
    }
    *payee_amount = amt;
    *payee_fee = fee;
    if (kept)
        *kept = keep;
    return 0;
}

int ch_fee_lock_amount(const u256 *target_amount, const u256 *total_fee, u256 *lock_amount)
{
    u256 s;
    if (u256_add_overflow(&s, target_amount, total_fee))
        return err_set(ERR_RANGE, "fee: target amount + fee overflows");
    *lock_amount = s;
    return 0;
}
