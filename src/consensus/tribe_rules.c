/* tribe_rules.c — Tribe's rule tables; see tribe_rules.h.
 *
 * Each function follows one function of Spectrum's consensus/tribe (named in
 * its comment) branch for branch, so that a reader can hold the two side by
 * side; where the spec's prose and the code differ, the code wins and
 * doc/tribe.md says so. Timing sums saturate instead of wrapping: block
 * times are bounded by the wall clock, so the difference never shows on a
 * real chain, and a hostile header cannot wrap a bound around to pass. */
#include "consensus/tribe_rules.h"

#include <string.h>

#include "util/err.h"

const uint8_t TRIBE_CHIEF_UPDATE_SELECTOR[4] = {0x1c, 0x1b, 0x87, 0x72};

/* keccak256(RLP([])) = keccak256(0xc0): the only uncle hash Tribe accepts. */
static const uint8_t EMPTY_UNCLE_HASH[32] = {
    0x1d, 0xcc, 0x4d, 0xe8, 0xde, 0xc7, 0x5d, 0x7a, 0xab, 0x85, 0xb5, 0x67, 0xb6, 0xcc, 0xd4, 0x1a,
    0xd3, 0x12, 0x45, 0x1b, 0x94, 0x8a, 0x74, 0x13, 0xf0, 0xa1, 0x42, 0xfd, 0x40, 0xd4, 0x93, 0x47,
};

static uint64_t sat_add(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* First position of a in list, or -1 (Spectrum's fetchOnSigners). */
static ptrdiff_t index_of(const struct address *list, size_t n, const struct address *a)
{
    for (size_t i = 0; i < n; i++)
        if (address_eq(&list[i], a))
            return (ptrdiff_t)i;
    return -1;
}

/* Position of a in R = leaderSort(S[0], L), or -1. R is never built: its
 * element i is L[(j + 1 + i) mod ll] when S[0] sits at j in L (i < ll − 1),
 * else L[i]. */
static ptrdiff_t leader_rank(const struct tribe_lists *ls, const struct address *a)
{
    if (ls->nsigners == 0 || ls->nleaders == 0)
        return -1;
    ptrdiff_t j = index_of(ls->leaders, ls->nleaders, &ls->signers[0]);
    size_t ll = ls->nleaders;
    size_t rlen = j < 0 ? ll : ll - 1;
    for (size_t i = 0; i < rlen; i++) {
        size_t k = j < 0 ? i : ((size_t)j + 1 + i) % ll;
        if (address_eq(&ls->leaders[k], a))
            return (ptrdiff_t)i;
    }
    return -1;
}

/* ---- header fields ------------------------------------------------------ */

size_t tribe_extra_vanity_len(const struct chain_params *p, uint64_t n)
{
    return params_is_sip100(p, n) ? TRIBE_VRF_LEN : TRIBE_VANITY_LEN;
}

int tribe_check_extra_len(const struct chain_params *p, uint64_t n, size_t extra_len)
{
    size_t vanity = tribe_extra_vanity_len(p, n);
    if (extra_len < vanity)
        return err_set(ERR_INVAL, "tribe: extra-data %zu-byte vanity prefix missing (have %zu)",
                       vanity, extra_len);
    if (extra_len < vanity + TRIBE_SEAL_LEN)
        return err_set(ERR_INVAL, "tribe: extra-data 65-byte signature missing (have %zu, need %zu)",
                       extra_len, vanity + TRIBE_SEAL_LEN);
    return 0;
}

int tribe_check_difficulty_range(const struct chain_params *p, uint64_t n, const u256 *difficulty)
{
    if (n == 0 || params_is_difficulty_skip(p, n))
        return 0;
    const struct chief_info *c = params_chief_for_block(p, n);
    if (!c)
        return 0;
    uint64_t d;
    bool small = u256_to_u64_checked(&d, difficulty) == 0;
    if (c->version == CHIEF_V1_0_0) {
        if (small && d >= 1 && d <= TRIBE_MAX_DIFFICULTY_V100)
            return 0;
        return err_set(ERR_INVAL, "tribe: difficulty of block %llu outside 1..6 (chief 1.0.0)",
                       (unsigned long long)n);
    }
    if (small && d >= 1 && d <= TRIBE_MAX_DIFFICULTY_V0)
        return 0;
    return err_set(ERR_INVAL, "tribe: difficulty of block %llu not 1, 2 or 3 (chief %s)",
                   (unsigned long long)n, chief_version_name(c->version));
}

int tribe_check_header_fields(const struct chain_params *p, const struct header *h, uint64_t now)
{
    static const uint8_t zeros8[8] = {0};
    static const uint8_t ones8[8] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    if (h->time > now)
        return err_set(ERR_BADSTATE, "tribe: block %llu is from the future (time %llu, now %llu)",
                       (unsigned long long)h->number, (unsigned long long)h->time,
                       (unsigned long long)now);
    if (memcmp(h->nonce, zeros8, 8) != 0 && memcmp(h->nonce, ones8, 8) != 0)
        return err_set(ERR_INVAL, "tribe: nonce not 0x00..0 or 0xff..f");
    int rc = tribe_check_extra_len(p, h->number, h->extra_len);
    if (rc)
        return rc;
    if (!hash32_is_zero(&h->mix_digest))
        return err_set(ERR_INVAL, "tribe: non-zero mix digest");
    if (memcmp(h->uncle_hash.b, EMPTY_UNCLE_HASH, 32) != 0)
        return err_set(ERR_INVAL, "tribe: non-empty uncle hash");
    return tribe_check_difficulty_range(p, h->number, &h->difficulty);
}

/* ---- difficulty --------------------------------------------------------- */

size_t tribe_leader_sort(const struct address *first, const struct address *leaders,
                         size_t nleaders, struct address *out)
{
    ptrdiff_t j = index_of(leaders, nleaders, first);
    if (j < 0) {
        if (nleaders)
            memcpy(out, leaders, nleaders * sizeof *out);
        return nleaders;
    }
    size_t n = 0;
    for (size_t i = (size_t)j + 1; i < nleaders; i++)
        out[n++] = leaders[i];
    for (size_t i = 0; i < (size_t)j; i++)
        out[n++] = leaders[i];
    return n;
}

/* The position rule of MeshBox weighting (doc/meshbox.md §5.4): a box may
 * hold several slots of S, so "in turn" is S[n % sl] == signer and the
 * stand-in is S[0] == signer, instead of comparing idx (the FIRST
 * position). The caller knows the signer is in S (sl > 0). */
static bool positional_in_turn(uint64_t n, const struct tribe_lists *ls,
                               const struct address *signer)
{
    return address_eq(&ls->signers[n % ls->nsigners], signer);
}

/* inTurnForCalcDifficultyChief100; under MeshBox weighting (`positional`)
 * by the position rule. */
static int64_t difficulty_v100(uint64_t n, const struct tribe_lists *ls,
                               const struct address *signer, bool positional)
{
    size_t sl = ls->nsigners;
    ptrdiff_t idx = index_of(ls->signers, sl, signer);
    if (idx >= 0 && positional) {
        if (positional_in_turn(n, ls, signer))
            return 6;
        if (address_eq(&ls->signers[0], signer))
            return 5;
        return 1;
    }
    if (idx >= 0) {
        if (n % sl == (uint64_t)idx)
            return 6;
        if (idx == 0)
            return 5;
        return 1;
    }
    if (sl > 0) {
        ptrdiff_t i = leader_rank(ls, signer);
        if (i >= 0)
            return n % sl == 0 ? 5 - (int64_t)i : 4 - (int64_t)i;
    }
    return 1;
}

/* InTurnForCalcDifficulty (chief 0.0.x). */
static int64_t difficulty_v0(const struct chain_params *p, uint64_t n,
                             const struct tribe_lists *ls, const struct address *signer)
{
    size_t sl = ls->nsigners;
    ptrdiff_t idx = index_of(ls->signers, sl, signer);
    if (idx < 0)
        return 1;
    if (params_is_sip002(p, n)) {
        if (n % sl == (uint64_t)idx)
            return 3;
        if ((n + 1) % sl == (uint64_t)idx)
            return 2;
        return 1;
    }
    return n % sl == (uint64_t)idx ? 2 : 1;
}

int64_t tribe_difficulty(const struct chain_params *p, uint64_t n, const struct tribe_lists *ls,
                         const struct address *signer)
{
    if (params_is_chief100_era(p, n))
        return difficulty_v100(n, ls, signer, params_is_meshbox_weighting(p, n));
    return difficulty_v0(p, n, ls, signer);
}

bool tribe_difficulty_checked(const struct chain_params *p, uint64_t n)
{
    return n > p->unchecked_blocks && !params_is_difficulty_skip(p, n);
}

int tribe_check_difficulty(const struct chain_params *p, uint64_t n, const struct tribe_lists *ls,
                           const struct address *signer, const u256 *difficulty)
{
    if (!tribe_difficulty_checked(p, n))
        return 0;
    int64_t want = tribe_difficulty(p, n, ls, signer);
    uint64_t have;
    if (want >= 0 && u256_to_u64_checked(&have, difficulty) == 0 && have == (uint64_t)want)
        return 0;
    return err_set(ERR_INVAL, "tribe: invalid difficulty for block %llu (want %lld%s)",
                   (unsigned long long)n, (long long)want,
                   params_is_meshbox_weighting(p, n) ? " by the MeshBox position rule" : "");
}

/* ---- timing and authorization ------------------------------------------- */

uint64_t tribe_min_time(const struct chain_params *p, uint64_t n, uint64_t parent_time)
{
    if (p->period == 0)
        return parent_time;
    return sat_add(parent_time, params_is_sip002(p, n) ? p->period - 1 : p->period);
}

/* GetPeriodChief100. */
static uint64_t period_v100(uint64_t P, uint64_t n, const struct tribe_lists *ls,
                            const struct address *signer)
{
    uint64_t main_ = P - 1, subs = P + 3, other = P + 7, last = P - 1 + 24;
    size_t sl = ls->nsigners;
    if (sl == 0)
        return last;
    if (address_eq(&ls->signers[n % sl], signer))
        return main_;
    if (address_eq(&ls->signers[0], signer))
        return subs;
    ptrdiff_t i = leader_rank(ls, signer);
    if (i >= 0)
        return sat_add(n % sl == 0 ? subs : other, (uint64_t)i * (subs - main_));
    return last;
}

/* GetPeriod (chief 0.0.x). */
static uint64_t period_v0(uint64_t P, uint64_t n, const struct tribe_lists *ls,
                          const struct address *signer)
{
    uint64_t main_ = P - 1, subs = P + 3, other = P + 7;
    if (n <= 3)
        return subs;
    size_t sl = ls->nsigners;
    if (sl == 0)
        return other;
    if (address_eq(&ls->signers[n % sl], signer))
        return main_;
    if (address_eq(&ls->signers[(n + 1) % sl], signer))
        return subs;
    return other;
}

uint64_t tribe_period(const struct chain_params *p, uint64_t n, const struct tribe_lists *ls,
                      const struct address *signer)
{
    /* P = 0 is the instant chain; P near 2^64 is not a real period, but must
     * not wrap the sums below. */
    if (p->period == 0)
        return 0;
    uint64_t P = p->period > UINT64_MAX / 2 ? UINT64_MAX / 2 : p->period;
    if (params_is_chief100_era(p, n))
        return period_v100(P, n, ls, signer);
    return period_v0(P, n, ls, signer);
}

uint64_t tribe_producer_time(const struct chain_params *p, uint64_t n, const struct tribe_lists *ls,
                             const struct address *signer, uint64_t parent_time, uint64_t now)
{
    uint64_t delay = params_is_sip002(p, n) ? tribe_period(p, n, ls, signer) : p->period;
    uint64_t t = sat_add(parent_time, delay);
    return t < now ? now : t;
}

bool tribe_signer_authorized(const struct chain_params *p, uint64_t n, const struct tribe_lists *ls,
                             const struct address *signer)
{
    if (n <= p->unchecked_blocks)
        return true;
    size_t sl = ls->nsigners;
    ptrdiff_t idx = index_of(ls->signers, sl, signer);
    if (!params_is_sip100(p, n))
        return idx >= 0;
    if (idx >= 0 && params_is_meshbox_weighting(p, n))
        return positional_in_turn(n, ls, signer) || address_eq(&ls->signers[0], signer);
    if (idx >= 0)
        return n % sl == (uint64_t)idx || idx == 0;
    return index_of(ls->leaders, ls->nleaders, signer) >= 0;
}

int tribe_validate_signer(const struct chain_params *p, uint64_t n, const struct tribe_lists *ls,
                          const struct address *signer, const struct address *coinbase,
                          uint64_t parent_time, uint64_t time)
{
    if (n <= p->unchecked_blocks)
        return 0;
    if (params_is_sip002(p, n)) {
        uint64_t period = tribe_period(p, n, ls, signer);
        if (sat_add(parent_time, period) > time)
            return err_set(ERR_INVAL,
                           "tribe: block %llu too early for its signer (parent %llu + %llu > %llu)",
                           (unsigned long long)n, (unsigned long long)parent_time,
                           (unsigned long long)period, (unsigned long long)time);
    }
    if (params_is_sip100(p, n) && address_is_zero(coinbase))
        return err_set(ERR_INVAL, "tribe: block %llu has a zero coinbase", (unsigned long long)n);
    if (!tribe_signer_authorized(p, n, ls, signer))
        return err_set(ERR_INVAL, "tribe: signer of block %llu is not authorized%s",
                       (unsigned long long)n,
                       params_is_meshbox_weighting(p, n)
                           ? " (MeshBox position rule: neither S[n % sl] nor S[0])"
                           : "");
    return 0;
}

/* ---- chief update tx and takeMiner -------------------------------------- */

struct address tribe_take_miner(const struct address *nl, size_t nl_len,
                                const struct address *excl, size_t excl_len,
                                const uint8_t vrfn[32])
{
    struct address zero = {{0}};
    if (nl_len == 0)
        return zero;
    /* (vrfn + k) mod m = (base + k) mod m with base = vrfn mod m, which
     * cannot wrap: base < m and k < m. */
    u256 v, m = u256_from_u64((uint64_t)nl_len), r;
    u256_from_be(&v, vrfn, 32);
    u256_mod(&r, &v, &m);
    uint64_t base = r.w[0];
    for (uint64_t k = 0; k < (uint64_t)nl_len; k++) {
        uint64_t gap = (uint64_t)nl_len - base; /* >= 1 */
        uint64_t idx = k >= gap ? k - gap : base + k;
        if (index_of(excl, excl_len, &nl[idx]) < 0)
            return nl[idx];
    }
    return zero;
}

void tribe_chief_update_data(const struct address *volunteer,
                             uint8_t out[TRIBE_CHIEF_UPDATE_DATA_LEN])
{
    memcpy(out, TRIBE_CHIEF_UPDATE_SELECTOR, 4);
    memset(out + 4, 0, 12);
    memcpy(out + 16, volunteer->b, ADDRESS_LEN);
}

bool tribe_is_chief_update_data(const uint8_t *data, size_t len)
{
    return len >= 4 && memcmp(data, TRIBE_CHIEF_UPDATE_SELECTOR, 4) == 0;
}

struct address tribe_chief_update_volunteer(const uint8_t *data, size_t len)
{
    struct address a = {{0}};
    if (len <= 4)
        return a;
    size_t tail = len - 4;
    if (tail >= ADDRESS_LEN)
        memcpy(a.b, data + len - ADDRESS_LEN, ADDRESS_LEN);
    else
        memcpy(a.b + (ADDRESS_LEN - tail), data + 4, tail);
    return a;
}

bool tribe_is_chief_update_tx(const struct chain_params *p, uint64_t n, const struct address *to,
                              const uint8_t *data, size_t len)
{
    return to && params_is_chief_address_on_block(p, n, to) && tribe_is_chief_update_data(data, len);
}

bool tribe_is_chief_update_any(const struct chain_params *p, const struct address *to,
                               const uint8_t *data, size_t len)
{
    return to && params_is_chief_address(p, to) && tribe_is_chief_update_data(data, len);
}

bool tribe_requires_chief_tx(const struct chain_params *p, uint64_t n)
{
    return n > p->unchecked_blocks;
}

bool tribe_requires_vrf(const struct chain_params *p, uint64_t n)
{
    return params_is_sip100(p, n);
}

bool tribe_volunteer_checked(const struct chain_params *p, uint64_t n)
{
    return n > p->unchecked_blocks && n > 0 && params_is_chief100_era(p, n - 1);
}

/* ---- gas limit and cascading fields ------------------------------------- */

int tribe_check_gas_limit(const struct chain_params *p, uint64_t n, uint64_t parent_gas_limit,
                          uint64_t gas_limit, uint64_t gas_used)
{
    if (gas_limit > (uint64_t)INT64_MAX)
        return err_set(ERR_INVAL, "tribe: invalid gasLimit %llu (max 2^63-1)",
                       (unsigned long long)gas_limit);
    if (gas_used > gas_limit)
        return err_set(ERR_INVAL, "tribe: gasUsed %llu above gasLimit %llu",
                       (unsigned long long)gas_used, (unsigned long long)gas_limit);
    if (params_is_sip004_block(p, n))
        return 0;
    uint64_t diff = gas_limit > parent_gas_limit ? gas_limit - parent_gas_limit
                                                 : parent_gas_limit - gas_limit;
    uint64_t bound = parent_gas_limit / p->gas_limit_bound_divisor;
    uint64_t min = params_min_gas_limit(p, n);
    if (diff >= bound || gas_limit < min)
        return err_set(ERR_INVAL, "tribe: invalid gas limit %llu (parent %llu, bound %llu, min %llu)",
                       (unsigned long long)gas_limit, (unsigned long long)parent_gas_limit,
                       (unsigned long long)bound, (unsigned long long)min);
    return 0;
}

int tribe_check_cascading(const struct chain_params *p, const struct header *parent,
                          const struct header *h)
{
    if (h->number == 0)
        return 0;
    uint64_t min_time = tribe_min_time(p, h->number, parent->time);
    if (h->time < min_time)
        return err_set(ERR_INVAL, "tribe: block %llu time %llu before %llu",
                       (unsigned long long)h->number, (unsigned long long)h->time,
                       (unsigned long long)min_time);
    if (parent->number != h->number - 1)
        return err_set(ERR_INVAL, "tribe: block %llu does not follow parent %llu",
                       (unsigned long long)h->number, (unsigned long long)parent->number);
    return tribe_check_gas_limit(p, h->number, parent->gas_limit, h->gas_limit, h->gas_used);
}

/* ---- rewards ------------------------------------------------------------ */

void tribe_block_reward(const struct chain_params *p, uint64_t n, u256 *out)
{
    params_block_reward(p, n, out);
}

void tribe_burn_amount(const struct chain_params *p, uint64_t n, const u256 *balance, u256 *out)
{
    if (!p->burn_enabled || p->chief100_block == CHAIN_NEVER || n != p->chief100_block) {
        *out = u256_from_u64(0);
        return;
    }
    *out = u256_lt(balance, &p->burn_amount) ? *balance : p->burn_amount;
}
