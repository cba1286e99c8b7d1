/* test_tribe_rules.c — every row of the Tribe tables (spec §2, §4–§7) on the
 * mainnet schedule (and devnet/regtest where the period matters). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "chain/params.h"
#include "consensus/tribe_rules.h"
#include "crypto/keccak.h"
#include "util/err.h"

/* Mainnet heights used below. */
#define SIP002 588888ull
#define CHIEF100 2823366ull
#define SIP004 8654321ull

static const struct chain_params *mainnet(void)
{
    return chain_params_get(CHAIN_MAINNET);
}

/* A distinct non-zero address per tag. */
static struct address addr(unsigned tag)
{
    struct address a = {{0}};
    a.b[0] = 0xaa;
    a.b[18] = (uint8_t)(tag >> 8);
    a.b[19] = (uint8_t)tag;
    return a;
}

static u256 u(uint64_t v)
{
    return u256_from_u64(v);
}

/* ------------------------------------------------------------------------
 * §4 difficulty
 * --------------------------------------------------------------------- */

START_TEST(leader_sort_rotates_after_first)
{
    struct address L[5], out[5];
    for (unsigned i = 0; i < 5; i++)
        L[i] = addr(i + 1);
    struct address f = addr(3);
    ck_assert_uint_eq(tribe_leader_sort(&f, L, 5, out), 4); /* [4,5,1,2] */
    ck_assert(address_eq(&out[0], &L[3]) && address_eq(&out[1], &L[4]));
    ck_assert(address_eq(&out[2], &L[0]) && address_eq(&out[3], &L[1]));
    f = addr(5); /* S[0] last in L: [1,2,3,4] */
    ck_assert_uint_eq(tribe_leader_sort(&f, L, 5, out), 4);
    for (int i = 0; i < 4; i++)
        ck_assert(address_eq(&out[i], &L[i]));
    f = addr(1); /* first: [2,3,4,5] */
    ck_assert_uint_eq(tribe_leader_sort(&f, L, 5, out), 4);
    for (int i = 0; i < 4; i++)
        ck_assert(address_eq(&out[i], &L[i + 1]));
    f = addr(99); /* S[0] not in L: R = L */
    ck_assert_uint_eq(tribe_leader_sort(&f, L, 5, out), 5);
    for (int i = 0; i < 5; i++)
        ck_assert(address_eq(&out[i], &L[i]));
    f = addr(1);
    ck_assert_uint_eq(tribe_leader_sort(&f, L, 1, out), 0);
    ck_assert_uint_eq(tribe_leader_sort(&f, NULL, 0, out), 0);
}
END_TEST

START_TEST(header_range_check)
{
    const struct chain_params *m = mainnet();
    u256 d;
    /* genesis, no chief (block 1), and the skip set: anything goes */
    d = u(100);
    ck_assert_int_eq(tribe_check_difficulty_range(m, 0, &d), 0);
    ck_assert_int_eq(tribe_check_difficulty_range(m, 1, &d), 0);
    ck_assert_int_eq(tribe_check_difficulty_range(m, 2, &d), 0);
    ck_assert_int_eq(tribe_check_difficulty_range(m, 595888, &d), 0);
    ck_assert_int_eq(tribe_check_difficulty_range(m, CHIEF100, &d), 0);
    /* chief 0.0.5 / 0.0.6: {1,2,3} */
    for (uint64_t n = 3; n <= 595889; n += 595886) {
        for (uint64_t v = 0; v <= 7; v++) {
            d = u(v);
            int want = (v >= 1 && v <= 3) ? 0 : ERR_INVAL;
            ck_assert_int_eq(tribe_check_difficulty_range(m, n, &d), want);
        }
    }
    /* chief 1.0.0: [1,6] */
    for (uint64_t v = 0; v <= 8; v++) {
        d = u(v);
        int want = (v >= 1 && v <= 6) ? 0 : ERR_INVAL;
        ck_assert_int_eq(tribe_check_difficulty_range(m, CHIEF100 + 1, &d), want);
    }
    /* a difficulty beyond 64 bits is refused, not truncated */
    d = u(2);
    d.w[3] = 1;
    ck_assert_int_eq(tribe_check_difficulty_range(m, 3, &d), ERR_INVAL);
    ck_assert_int_eq(tribe_check_difficulty_range(m, CHIEF100 + 1, &d), ERR_INVAL);
}
END_TEST

/* Chief 0.0.x before SIP002: 2 in turn, else 1. */
START_TEST(difficulty_v0_before_sip002)
{
    const struct chain_params *m = mainnet();
    struct address S[5];
    for (unsigned i = 0; i < 5; i++)
        S[i] = addr(10 + i);
    struct tribe_lists ls = {S, 5, NULL, 0};
    uint64_t n = 1000; /* 1000 % 5 = 0 */
    struct address other = addr(99);
    ck_assert_int_eq(tribe_difficulty(m, n, &ls, &S[0]), 2);
    ck_assert_int_eq(tribe_difficulty(m, n, &ls, &S[1]), 1); /* (n+1)%sl: no 2nd rank yet */
    ck_assert_int_eq(tribe_difficulty(m, n, &ls, &S[3]), 1);
    ck_assert_int_eq(tribe_difficulty(m, n + 3, &ls, &S[3]), 2);
    ck_assert_int_eq(tribe_difficulty(m, n, &ls, &other), 1);
    ck_assert_int_eq(tribe_difficulty(m, SIP002 - 1, &ls, &S[(SIP002 - 1) % 5]), 2);
    struct tribe_lists empty = {NULL, 0, NULL, 0};
    ck_assert_int_eq(tribe_difficulty(m, n, &empty, &S[0]), 1);
}
END_TEST

/* Chief 0.0.x from SIP002: 3 / 2 / 1. */
START_TEST(difficulty_v0_from_sip002)
{
    const struct chain_params *m = mainnet();
    struct address S[5];
    for (unsigned i = 0; i < 5; i++)
        S[i] = addr(10 + i);
    struct tribe_lists ls = {S, 5, NULL, 0};
    uint64_t n = SIP002; /* 588888 % 5 = 3 */
    ck_assert_int_eq(tribe_difficulty(m, n, &ls, &S[3]), 3);
    ck_assert_int_eq(tribe_difficulty(m, n, &ls, &S[4]), 2);
    ck_assert_int_eq(tribe_difficulty(m, n, &ls, &S[0]), 1);
    ck_assert_int_eq(tribe_difficulty(m, n, &ls, &S[2]), 1);
    /* (n+1) % sl wraps to 0 */
    ck_assert_int_eq(tribe_difficulty(m, n + 1, &ls, &S[4]), 3);
    ck_assert_int_eq(tribe_difficulty(m, n + 1, &ls, &S[0]), 2);
    /* the last block of chief 0.0.6 still uses this table */
    uint64_t last = CHIEF100 - 1;
    ck_assert_int_eq(tribe_difficulty(m, last, &ls, &S[last % 5]), 3);
    /* one signer: always in turn */
    struct tribe_lists one = {S, 1, NULL, 0};
    ck_assert_int_eq(tribe_difficulty(m, n, &one, &S[0]), 3);
}
END_TEST

/* Chief 1.0.0, signer in S: 6 in turn, 5 for S[0] standing in, else 1. */
START_TEST(difficulty_v100_signers)
{
    const struct chain_params *m = mainnet();
    struct address S[17], L[5];
    for (unsigned i = 0; i < 17; i++)
        S[i] = addr(100 + i);
    for (unsigned i = 0; i < 5; i++)
        L[i] = addr(200 + i);
    S[0] = L[1];
    struct address zero = {{0}};
    S[9] = zero; /* a placeholder */
    struct tribe_lists ls = {S, 17, L, 5};
    uint64_t n = 17 * 200000 + 4; /* n % 17 = 4 */
    ck_assert_int_eq(tribe_difficulty(m, n, &ls, &S[4]), 6);
    ck_assert_int_eq(tribe_difficulty(m, n, &ls, &S[0]), 5);
    ck_assert_int_eq(tribe_difficulty(m, n, &ls, &S[5]), 1);
    ck_assert_int_eq(tribe_difficulty(m, n, &ls, &S[16]), 1);
    /* S[0] in turn at n % sl == 0 */
    ck_assert_int_eq(tribe_difficulty(m, n - 4, &ls, &S[0]), 6);
    /* the first occurrence counts: a signer listed twice is judged at its
     * first index (Spectrum's fetchOnSigners) */
    S[7] = S[3];
    ck_assert_int_eq(tribe_difficulty(m, 17 * 200000 + 7, &ls, &S[3]), 1);
    ck_assert_int_eq(tribe_difficulty(m, 17 * 200000 + 3, &ls, &S[3]), 6);
}
END_TEST

/* MeshBox weighting's position rule (doc/meshbox.md §5.4) on the mainnet
 * schedule with weighting turned on at a height W: a box at S[1] and S[2]
 * is in turn at both slots from W on (difficulty 6, authorized), while
 * before W (and on the unchanged mainnet table) the idx rule judges its
 * second slot as out of turn (difficulty 1, refused). A box holding S[0]
 * and S[2] stands in at slot 1 by S[0] (5). Without duplicates both rules
 * agree on every signer. */
START_TEST(meshbox_position_rule)
{
    struct chain_params p = *mainnet();
    const uint64_t W = CHIEF100 + 300;
    p.meshbox_weighting_block = W;
    p.meshbox_registry = addr(999);
    p.meshbox_epoch = 100;
    ck_assert_int_eq(chain_params_check(&p), 0);
    struct address L[2] = {addr(200), addr(201)};
    struct address box = addr(300), other = addr(301);
    struct address S[3] = {L[0], box, box};
    struct tribe_lists ls = {S, 3, L, 2};
    uint64_t slot1 = W + (3 - W % 3) + 1, slot2 = slot1 + 1, before2 = slot2 - 3 * 50;
    ck_assert_uint_eq(slot2 % 3, 2);
    ck_assert_int_eq(tribe_difficulty(&p, slot1, &ls, &box), 6);
    ck_assert_int_eq(tribe_difficulty(&p, slot2, &ls, &box), 6);
    ck_assert(tribe_signer_authorized(&p, slot2, &ls, &box));
    ck_assert_int_eq(tribe_check_difficulty(&p, slot2, &ls, &box, &(u256){{6, 0, 0, 0}}), 0);
    ck_assert_int_eq(tribe_check_difficulty(&p, slot2, &ls, &box, &(u256){{1, 0, 0, 0}}),
                     ERR_INVAL);
    /* before W and on mainnet's own table: the idx rule */
    ck_assert_uint_lt(before2, W);
    ck_assert_int_eq(tribe_difficulty(&p, before2, &ls, &box), 1);
    ck_assert(!tribe_signer_authorized(&p, before2, &ls, &box));
    ck_assert_int_eq(tribe_difficulty(mainnet(), slot2, &ls, &box), 1);
    ck_assert(!tribe_signer_authorized(mainnet(), slot2, &ls, &box));
    ck_assert_int_eq(tribe_validate_signer(&p, slot2, &ls, &other, &other, 0, UINT64_MAX / 2),
                     ERR_INVAL);
    /* the leader stands in at slot 0's rank, unchanged */
    ck_assert_int_eq(tribe_difficulty(&p, slot2, &ls, &L[0]), 5);
    ck_assert(tribe_signer_authorized(&p, slot2, &ls, &L[0]));
    /* a signer at S[0] and S[2]: stand-in (5) at slot 1, in turn (6) at slot 2 */
    struct address T[3] = {box, other, box};
    struct tribe_lists lt = {T, 3, L, 2};
    ck_assert_int_eq(tribe_difficulty(&p, slot1, &lt, &box), 5);
    ck_assert_int_eq(tribe_difficulty(&p, slot2, &lt, &box), 6);
    ck_assert_int_eq(tribe_difficulty(mainnet(), slot2, &lt, &box), 5);
    /* no duplicates: both rules agree for every signer and slot */
    struct address U[3] = {L[0], box, other};
    struct tribe_lists lu = {U, 3, L, 2};
    struct address who[5] = {L[0], L[1], box, other, addr(302)};
    for (uint64_t n = slot1 - 1; n <= slot2; n++)
        for (int i = 0; i < 5; i++) {
            ck_assert_int_eq(tribe_difficulty(&p, n, &lu, &who[i]),
                             tribe_difficulty(mainnet(), n, &lu, &who[i]));
            ck_assert(tribe_signer_authorized(&p, n, &lu, &who[i]) ==
                      tribe_signer_authorized(mainnet(), n, &lu, &who[i]));
        }
}
END_TEST

/* Chief 1.0.0, leaders not in S: 5−i when n % sl == 0, else 4−i. */
START_TEST(difficulty_v100_leaders)
{
    const struct chain_params *m = mainnet();
    struct address S[17], L[5];
    for (unsigned i = 0; i < 17; i++)
        S[i] = addr(100 + i);
    for (unsigned i = 0; i < 5; i++)
        L[i] = addr(200 + i);
    struct tribe_lists ls = {S, 17, L, 5};
    uint64_t n0 = 17 * 200000; /* n % 17 == 0 */
    uint64_t n1 = n0 + 5;

    /* S[0] = L[2]: R = [L3, L4, L0, L1] */
    S[0] = L[2];
    int64_t want_r[5] = {2, 3, -1, 0, 1}; /* rank of L[i] in R (-1: L[2] is S[0]) */
    for (int i = 0; i < 5; i++) {
        if (want_r[i] < 0)
            continue;
        ck_assert_int_eq(tribe_difficulty(m, n0, &ls, &L[i]), 5 - want_r[i]);
        ck_assert_int_eq(tribe_difficulty(m, n1, &ls, &L[i]), 4 - want_r[i]);
    }
    /* S[0] itself is judged as a signer, not a leader */
    ck_assert_int_eq(tribe_difficulty(m, n1, &ls, &L[2]), 5);

    /* S[0] last in L: R = [L0..L3] */
    S[0] = L[4];
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(tribe_difficulty(m, n0, &ls, &L[i]), 5 - i);
        ck_assert_int_eq(tribe_difficulty(m, n1, &ls, &L[i]), 4 - i);
    }

    /* S[0] not in L (a leader was removed): R = L, and the 5th leader's
     * difficulty falls to 1 / 0, which the range check then refuses */
    S[0] = addr(150);
    for (int i = 0; i < 5; i++) {
        ck_assert_int_eq(tribe_difficulty(m, n0, &ls, &L[i]), 5 - i);
        ck_assert_int_eq(tribe_difficulty(m, n1, &ls, &L[i]), 4 - i);
    }
    u256 zero_d = u(0);
    ck_assert_int_eq(tribe_check_difficulty_range(m, n1, &zero_d), ERR_INVAL);

    /* neither signer nor leader */
    struct address stranger = addr(999);
    ck_assert_int_eq(tribe_difficulty(m, n0, &ls, &stranger), 1);
    /* empty S: leaders get 1 too */
    struct tribe_lists nos = {NULL, 0, L, 5};
    ck_assert_int_eq(tribe_difficulty(m, n0, &nos, &L[0]), 1);
}
END_TEST

START_TEST(exact_difficulty_check)
{
    const struct chain_params *m = mainnet();
    struct address S[3] = {addr(1), addr(2), addr(3)};
    struct tribe_lists ls = {S, 3, NULL, 0};
    u256 d;
    /* blocks 1..3 and the skip set are not checked */
    ck_assert(!tribe_difficulty_checked(m, 3));
    ck_assert(tribe_difficulty_checked(m, 4));
    ck_assert(!tribe_difficulty_checked(m, 595888));
    ck_assert(!tribe_difficulty_checked(m, CHIEF100));
    ck_assert(tribe_difficulty_checked(m, CHIEF100 + 1));
    d = u(1);
    ck_assert_int_eq(tribe_check_difficulty(m, 3, &ls, &S[0], &d), 0);
    ck_assert_int_eq(tribe_check_difficulty(m, 595888, &ls, &S[0], &d), 0);
    ck_assert_int_eq(tribe_check_difficulty(m, CHIEF100, &ls, &S[0], &d), 0);
    /* 595887 % 3 = 0 → S[0] is in turn (3) */
    ck_assert_int_eq(tribe_check_difficulty(m, 595887, &ls, &S[0], &d), ERR_INVAL);
    d = u(3);
    ck_assert_int_eq(tribe_check_difficulty(m, 595887, &ls, &S[0], &d), 0);
    d.w[2] = 1; /* 3 + 2^128 is not 3 */
    ck_assert_int_eq(tribe_check_difficulty(m, 595887, &ls, &S[0], &d), ERR_INVAL);
}
END_TEST

/* ------------------------------------------------------------------------
 * §5 timing and authorization
 * --------------------------------------------------------------------- */

START_TEST(first_time_check)
{
    const struct chain_params *m = mainnet();
    ck_assert_uint_eq(tribe_min_time(m, SIP002 - 1, 1000), 1015);
    ck_assert_uint_eq(tribe_min_time(m, SIP002, 1000), 1014);
    ck_assert_uint_eq(tribe_min_time(m, CHIEF100, 1000), 1014);
    ck_assert_uint_eq(tribe_min_time(chain_params_get(CHAIN_DEVNET), 1, 1000), 1002);
    ck_assert_uint_eq(tribe_min_time(chain_params_get(CHAIN_REGTEST), 5, 1000), 1000);
    ck_assert_uint_eq(tribe_min_time(m, 5, UINT64_MAX - 3), UINT64_MAX);
}
END_TEST

/* GetPeriod (0.0.x): 14 / 18 / 22, and 18 for n <= 3. */
START_TEST(period_v0)
{
    const struct chain_params *m = mainnet();
    struct address S[5];
    for (unsigned i = 0; i < 5; i++)
        S[i] = addr(10 + i);
    struct tribe_lists ls = {S, 5, NULL, 0};
    uint64_t n = 1000; /* % 5 = 0 */
    ck_assert_uint_eq(tribe_period(m, n, &ls, &S[0]), 14);
    ck_assert_uint_eq(tribe_period(m, n, &ls, &S[1]), 18);
    ck_assert_uint_eq(tribe_period(m, n, &ls, &S[2]), 22);
    struct address other = addr(99);
    ck_assert_uint_eq(tribe_period(m, n, &ls, &other), 22);
    ck_assert_uint_eq(tribe_period(m, n + 4, &ls, &S[4]), 14);
    ck_assert_uint_eq(tribe_period(m, n + 4, &ls, &S[0]), 18); /* (n+1) wraps */
    for (uint64_t k = 0; k <= 3; k++)
        ck_assert_uint_eq(tribe_period(m, k, &ls, &S[k % 5]), 18);
    struct tribe_lists empty = {NULL, 0, NULL, 0};
    ck_assert_uint_eq(tribe_period(m, n, &empty, &S[0]), 22);
    /* devnet, P = 3: 2 / 6 / 10 */
    const struct chain_params *d = chain_params_get(CHAIN_DEVNET);
    ck_assert_uint_eq(tribe_period(d, 10, &ls, &S[0]), 2);
    ck_assert_uint_eq(tribe_period(d, 10, &ls, &S[1]), 6);
    ck_assert_uint_eq(tribe_period(d, 10, &ls, &S[3]), 10);
}
END_TEST

/* GetPeriodChief100: 14, 18 for S[0], 18+4i / 22+4i for leaders, else 38. */
START_TEST(period_v100)
{
    const struct chain_params *m = mainnet();
    struct address S[17], L[5];
    for (unsigned i = 0; i < 17; i++)
        S[i] = addr(100 + i);
    for (unsigned i = 0; i < 5; i++)
        L[i] = addr(200 + i);
    S[0] = L[1]; /* R = [L2, L3, L4, L0] */
    struct tribe_lists ls = {S, 17, L, 5};
    uint64_t n0 = 17 * 200000, n1 = n0 + 6;
    ck_assert_uint_eq(tribe_period(m, n1, &ls, &S[6]), 14);
    ck_assert_uint_eq(tribe_period(m, n1, &ls, &S[0]), 18);
    ck_assert_uint_eq(tribe_period(m, n0, &ls, &S[0]), 14); /* S[0] in turn */
    ck_assert_uint_eq(tribe_period(m, n1, &ls, &S[7]), 38); /* signer out of turn */
    int rank[5] = {3, -1, 0, 1, 2};
    for (int i = 0; i < 5; i++) {
        if (rank[i] < 0)
            continue;
        ck_assert_uint_eq(tribe_period(m, n0, &ls, &L[i]), 18 + 4 * (uint64_t)rank[i]);
        ck_assert_uint_eq(tribe_period(m, n1, &ls, &L[i]), 22 + 4 * (uint64_t)rank[i]);
    }
    struct address stranger = addr(999);
    ck_assert_uint_eq(tribe_period(m, n1, &ls, &stranger), 38);
    struct tribe_lists empty = {NULL, 0, L, 5};
    ck_assert_uint_eq(tribe_period(m, n1, &empty, &L[0]), 38);
    /* n <= 3 has no special case in this era (regtest, P = 0 → 0 anyway) */
    const struct chain_params *r = chain_params_get(CHAIN_REGTEST);
    ck_assert_uint_eq(tribe_period(r, 2, &ls, &stranger), 0);
    ck_assert_uint_eq(tribe_period(r, n1, &ls, &L[0]), 0);
    /* devnet chief 1.0.0, P = 3: 2 / 6 / 6+4i / 10+4i / 26 */
    const struct chain_params *d = chain_params_get(CHAIN_DEVNET);
    uint64_t dn1 = 17 * 10 + 6;
    ck_assert_uint_eq(tribe_period(d, dn1, &ls, &S[6]), 2);
    ck_assert_uint_eq(tribe_period(d, dn1, &ls, &S[0]), 6);
    ck_assert_uint_eq(tribe_period(d, 17 * 10, &ls, &L[3]), 6 + 4);
    ck_assert_uint_eq(tribe_period(d, dn1, &ls, &L[3]), 10 + 4);
    ck_assert_uint_eq(tribe_period(d, dn1, &ls, &stranger), 26);
}
END_TEST

START_TEST(producer_time)
{
    const struct chain_params *m = mainnet();
    struct address S[3] = {addr(1), addr(2), addr(3)};
    struct tribe_lists ls = {S, 3, NULL, 0};
    /* before SIP002 the delay is P for everyone */
    ck_assert_uint_eq(tribe_producer_time(m, 600, &ls, &S[1], 1000, 0), 1015);
    /* from SIP002 the signer's period (SIP002 % 3 = 0: S[0] 14, S[1] 18, S[2] 22) */
    ck_assert_uint_eq(tribe_producer_time(m, SIP002, &ls, &S[0], 1000, 0), 1014);
    ck_assert_uint_eq(tribe_producer_time(m, SIP002, &ls, &S[1], 1000, 0), 1018);
    ck_assert_uint_eq(tribe_producer_time(m, SIP002, &ls, &S[2], 1000, 0), 1022);
    /* never before now */
    ck_assert_uint_eq(tribe_producer_time(m, SIP002, &ls, &S[0], 1000, 5000), 5000);
    ck_assert_uint_eq(tribe_producer_time(chain_params_get(CHAIN_REGTEST), 9, &ls, &S[2], 1000, 999),
                      1000);
}
END_TEST

START_TEST(authorization_v0)
{
    const struct chain_params *m = mainnet();
    struct address S[3] = {addr(1), addr(2), addr(3)};
    struct tribe_lists ls = {S, 3, NULL, 0};
    struct address stranger = addr(9), zero = {{0}};
    /* n <= 3: anyone, any time, any coinbase */
    ck_assert(tribe_signer_authorized(m, 3, &ls, &stranger));
    ck_assert_int_eq(tribe_validate_signer(m, 3, &ls, &stranger, &zero, 1000, 0), 0);
    /* any member of S, whatever its position; not a stranger */
    for (int i = 0; i < 3; i++)
        ck_assert(tribe_signer_authorized(m, 1000, &ls, &S[i]));
    ck_assert(!tribe_signer_authorized(m, 1000, &ls, &stranger));
    ck_assert_int_eq(tribe_validate_signer(m, 1000, &ls, &stranger, &S[0], 0, 100), ERR_INVAL);
    /* before SIP002 there is no second timing check, and no coinbase rule */
    ck_assert_int_eq(tribe_validate_signer(m, 1000, &ls, &S[2], &zero, 1000, 1000), 0);
    /* from SIP002: time >= parent + period (SIP002 % 3 = 0) */
    ck_assert_int_eq(tribe_validate_signer(m, SIP002, &ls, &S[1], &zero, 1000, 1017), ERR_INVAL);
    ck_assert_int_eq(tribe_validate_signer(m, SIP002, &ls, &S[1], &zero, 1000, 1018), 0);
    ck_assert_int_eq(tribe_validate_signer(m, SIP002, &ls, &S[2], &zero, 1000, 1021), ERR_INVAL);
    ck_assert_int_eq(tribe_validate_signer(m, SIP002, &ls, &S[2], &zero, 1000, 1022), 0);
    ck_assert_int_eq(tribe_validate_signer(m, SIP002, &ls, &S[0], &zero, 1000, 1014), 0);
}
END_TEST

START_TEST(authorization_v100)
{
    const struct chain_params *m = mainnet();
    struct address S[5], L[3];
    for (unsigned i = 0; i < 5; i++)
        S[i] = addr(10 + i);
    for (unsigned i = 0; i < 3; i++)
        L[i] = addr(20 + i);
    S[0] = L[0];
    struct tribe_lists ls = {S, 5, L, 3};
    struct address cb = addr(77), zero = {{0}}, stranger = addr(99);
    uint64_t n = 5 * 600000 + 2; /* n % 5 = 2, n > CHIEF100 */
    ck_assert(tribe_signer_authorized(m, n, &ls, &S[2]));  /* in turn */
    ck_assert(tribe_signer_authorized(m, n, &ls, &S[0]));  /* leader of the round */
    ck_assert(!tribe_signer_authorized(m, n, &ls, &S[1])); /* signer out of turn */
    ck_assert(!tribe_signer_authorized(m, n, &ls, &S[4]));
    ck_assert(tribe_signer_authorized(m, n, &ls, &L[1])); /* other leaders */
    ck_assert(tribe_signer_authorized(m, n, &ls, &L[2]));
    ck_assert(!tribe_signer_authorized(m, n, &ls, &stranger));
    /* the same signer out of turn was fine before SIP100 */
    ck_assert(tribe_signer_authorized(m, CHIEF100 - 1, &ls, &S[1]));

    uint64_t pt = 1000;
    ck_assert_int_eq(tribe_validate_signer(m, n, &ls, &S[2], &cb, pt, pt + 14), 0);
    ck_assert_int_eq(tribe_validate_signer(m, n, &ls, &S[2], &cb, pt, pt + 13), ERR_INVAL);
    ck_assert_int_eq(tribe_validate_signer(m, n, &ls, &S[2], &zero, pt, pt + 14), ERR_INVAL);
    ck_assert_int_eq(tribe_validate_signer(m, n, &ls, &S[0], &cb, pt, pt + 18), 0);
    ck_assert_int_eq(tribe_validate_signer(m, n, &ls, &S[0], &cb, pt, pt + 17), ERR_INVAL);
    /* R = [L1, L2]; n % sl != 0 → 22, 26 */
    ck_assert_int_eq(tribe_validate_signer(m, n, &ls, &L[1], &cb, pt, pt + 22), 0);
    ck_assert_int_eq(tribe_validate_signer(m, n, &ls, &L[1], &cb, pt, pt + 21), ERR_INVAL);
    ck_assert_int_eq(tribe_validate_signer(m, n, &ls, &L[2], &cb, pt, pt + 26), 0);
    ck_assert_int_eq(tribe_validate_signer(m, n, &ls, &L[2], &cb, pt, pt + 25), ERR_INVAL);
    /* unauthorized even when late enough (38 s) */
    ck_assert_int_eq(tribe_validate_signer(m, n, &ls, &S[1], &cb, pt, pt + 1000), ERR_INVAL);
    ck_assert_int_eq(tribe_validate_signer(m, n, &ls, &stranger, &cb, pt, pt + 1000), ERR_INVAL);
}
END_TEST

/* The tables are chosen by the era of n itself: the last 0.0.x block and
 * the first Chief100 block, with the same S, follow different rows of §4
 * (difficulty), §5.1 (delay) and §5.2 (who may sign). */
START_TEST(tables_switch_at_chief100)
{
    const struct chain_params *m = mainnet();
    struct address S[5];
    for (unsigned i = 0; i < 5; i++)
        S[i] = addr(30 + i);
    struct tribe_lists ls = {S, 5, NULL, 0};
    uint64_t last = CHIEF100 - 1, first = CHIEF100; /* % 5 = 0 and 1 */
    ck_assert_uint_eq(last % 5, 0);
    /* §4: 3/2/1 in the last 0.0.x block, 6/5/1 in the first 1.0.0 block */
    ck_assert_int_eq(tribe_difficulty(m, last, &ls, &S[0]), 3);
    ck_assert_int_eq(tribe_difficulty(m, last, &ls, &S[1]), 2);
    ck_assert_int_eq(tribe_difficulty(m, last, &ls, &S[2]), 1);
    ck_assert_int_eq(tribe_difficulty(m, first, &ls, &S[1]), 6);
    ck_assert_int_eq(tribe_difficulty(m, first, &ls, &S[0]), 5);
    ck_assert_int_eq(tribe_difficulty(m, first, &ls, &S[2]), 1);
    /* §5.1: 14/18/22 before, 14/18/38 from Chief100 */
    ck_assert_uint_eq(tribe_period(m, last, &ls, &S[0]), 14);
    ck_assert_uint_eq(tribe_period(m, last, &ls, &S[1]), 18);
    ck_assert_uint_eq(tribe_period(m, last, &ls, &S[2]), 22);
    ck_assert_uint_eq(tribe_period(m, first, &ls, &S[1]), 14);
    ck_assert_uint_eq(tribe_period(m, first, &ls, &S[0]), 18);
    ck_assert_uint_eq(tribe_period(m, first, &ls, &S[2]), 38);
    /* §5.2: any member of S before, only the one in turn or S[0] from it */
    for (int i = 0; i < 5; i++)
        ck_assert(tribe_signer_authorized(m, last, &ls, &S[i]));
    ck_assert(tribe_signer_authorized(m, first, &ls, &S[1]));
    ck_assert(tribe_signer_authorized(m, first, &ls, &S[0]));
    for (int i = 2; i < 5; i++)
        ck_assert(!tribe_signer_authorized(m, first, &ls, &S[i]));
    /* and from Chief100 the coinbase must not be zero */
    struct address zero = {{0}};
    ck_assert_int_eq(tribe_validate_signer(m, last, &ls, &S[0], &zero, 1000, 1014), 0);
    ck_assert_int_eq(tribe_validate_signer(m, first, &ls, &S[1], &zero, 1000, 1014), ERR_INVAL);
    ck_assert_int_eq(tribe_validate_signer(m, first, &ls, &S[1], &S[1], 1000, 1014), 0);
}
END_TEST

/* ------------------------------------------------------------------------
 * §6.1 takeMiner and the chief update tx
 * --------------------------------------------------------------------- */

static void vrfn_of(uint64_t v, uint8_t out[32])
{
    memset(out, 0, 32);
    be_put64(out + 24, v);
}

START_TEST(take_miner)
{
    struct address nl[5], zero = {{0}};
    for (unsigned i = 0; i < 5; i++)
        nl[i] = addr(50 + i);
    uint8_t v[32];
    vrfn_of(7, v); /* 7 mod 5 = 2 */
    struct address got = tribe_take_miner(nl, 5, NULL, 0, v);
    ck_assert(address_eq(&got, &nl[2]));
    /* empty candidate list */
    got = tribe_take_miner(NULL, 0, NULL, 0, v);
    ck_assert(address_eq(&got, &zero));
    /* skip excluded candidates, wrapping around the list */
    struct address ex[4] = {nl[2], nl[3], addr(900), nl[4]};
    got = tribe_take_miner(nl, 5, ex, 2, v);
    ck_assert(address_eq(&got, &nl[4]));
    got = tribe_take_miner(nl, 5, ex, 4, v);
    ck_assert(address_eq(&got, &nl[0]));
    /* all excluded */
    got = tribe_take_miner(nl, 5, nl, 5, v);
    ck_assert(address_eq(&got, &zero));
    got = tribe_take_miner(nl, 1, nl, 1, v);
    ck_assert(address_eq(&got, &zero));
    /* a zero address in the candidate list is a candidate like any other */
    struct address nz[2] = {zero, nl[0]};
    vrfn_of(0, v);
    got = tribe_take_miner(nz, 2, NULL, 0, v);
    ck_assert(address_eq(&got, &zero));
}
END_TEST

START_TEST(take_miner_big_vrfn)
{
    struct address nl[1000];
    for (unsigned i = 0; i < 1000; i++)
        nl[i] = addr(i + 1);
    uint8_t v[32] = {0x80}; /* 2^255; 2^255 mod 1000 = 968 */
    struct address got = tribe_take_miner(nl, 1000, NULL, 0, v);
    ck_assert(address_eq(&got, &nl[968]));
    /* 2^256 − 1: mod 7 = 1 */
    memset(v, 0xff, 32);
    got = tribe_take_miner(nl, 7, NULL, 0, v);
    ck_assert(address_eq(&got, &nl[1]));
    /* mod 3 = 0; vrfn + 1 = 2^256 must not wrap to 0 (big.Int): with nl[0]
     * and nl[1] excluded the pick is nl[2], reached at k = 2 */
    struct address ex[2] = {nl[0], nl[1]};
    got = tribe_take_miner(nl, 3, ex, 2, v);
    ck_assert(address_eq(&got, &nl[2]));
    struct address ex2[1] = {nl[0]};
    got = tribe_take_miner(nl, 3, ex2, 1, v);
    ck_assert(address_eq(&got, &nl[1]));
}
END_TEST

START_TEST(chief_update_data)
{
    struct address vol = addr(0x1234);
    uint8_t d[TRIBE_CHIEF_UPDATE_DATA_LEN];
    tribe_chief_update_data(&vol, d);
    static const uint8_t head[16] = {0x1c, 0x1b, 0x87, 0x72};
    ck_assert_mem_eq(d, head, 16);
    ck_assert_mem_eq(d + 16, vol.b, 20);
    ck_assert(tribe_is_chief_update_data(d, 36));
    ck_assert(tribe_is_chief_update_data(d, 4));
    ck_assert(!tribe_is_chief_update_data(d, 3));
    struct address got = tribe_chief_update_volunteer(d, 36);
    ck_assert(address_eq(&got, &vol));
    /* the upper 12 bytes are not checked (spec §13.9) */
    d[5] = 0xee;
    got = tribe_chief_update_volunteer(d, 36);
    ck_assert(address_eq(&got, &vol));
    /* longer data: the node reads the LAST 20 bytes of data[4:] */
    uint8_t longer[40];
    memcpy(longer, d, 36);
    memset(longer + 36, 0x42, 4);
    got = tribe_chief_update_volunteer(longer, 40);
    ck_assert_mem_eq(got.b, longer + 20, 20);
    /* shorter data: left-padded */
    got = tribe_chief_update_volunteer(d, 4 + 10);
    static const uint8_t ten0[10];
    ck_assert_mem_eq(got.b, ten0, 10);
    ck_assert_mem_eq(got.b + 10, d + 4, 10);
    got = tribe_chief_update_volunteer(d, 4);
    struct address zero = {{0}};
    ck_assert(address_eq(&got, &zero));
    /* a wrong selector is not an update */
    d[0] = 0x1d;
    ck_assert(!tribe_is_chief_update_data(d, 36));
}
END_TEST

START_TEST(chief_update_tx_recognition)
{
    const struct chain_params *m = mainnet();
    struct address vol = addr(5);
    uint8_t d[36];
    tribe_chief_update_data(&vol, d);
    const struct address *c6 = &m->chiefs[1].addr, *c100 = &m->chiefs[2].addr;
    ck_assert(tribe_is_chief_update_tx(m, CHIEF100 - 1, c6, d, 36));
    ck_assert(tribe_is_chief_update_tx(m, CHIEF100 - 1, c100, d, 36));
    ck_assert(!tribe_is_chief_update_tx(m, CHIEF100, c6, d, 36));
    ck_assert(tribe_is_chief_update_tx(m, CHIEF100, c100, d, 36));
    ck_assert(!tribe_is_chief_update_tx(m, CHIEF100, NULL, d, 36));
    ck_assert(!tribe_is_chief_update_tx(m, CHIEF100, &m->chief_base, d, 36));
    ck_assert(!tribe_is_chief_update_tx(m, CHIEF100, c100, d, 3));
    /* the state-transition test uses every version, at any height */
    ck_assert(tribe_is_chief_update_any(m, c6, d, 36));
    ck_assert(tribe_is_chief_update_any(m, &m->chiefs[0].addr, d, 36));
    ck_assert(!tribe_is_chief_update_any(m, &m->poc, d, 36));
    ck_assert(!tribe_is_chief_update_any(m, NULL, d, 36));

    ck_assert(!tribe_requires_chief_tx(m, 3));
    ck_assert(tribe_requires_chief_tx(m, 4));
    ck_assert(!tribe_requires_vrf(m, CHIEF100 - 1));
    ck_assert(tribe_requires_vrf(m, CHIEF100));
    ck_assert(!tribe_volunteer_checked(m, CHIEF100 - 1));
    ck_assert(!tribe_volunteer_checked(m, CHIEF100)); /* parent is 0.0.6 */
    ck_assert(tribe_volunteer_checked(m, CHIEF100 + 1));
    const struct chain_params *r = chain_params_get(CHAIN_REGTEST);
    ck_assert(!tribe_volunteer_checked(r, 0));
    ck_assert(!tribe_volunteer_checked(r, 3));
    ck_assert(tribe_volunteer_checked(r, 4));
}
END_TEST

/* ------------------------------------------------------------------------
 * §2 header fields, §6.7 gas limit, cascading fields
 * --------------------------------------------------------------------- */

static uint8_t extra_buf[400];

static struct header good_header(uint64_t n, size_t extra_len)
{
    struct header h;
    memset(&h, 0, sizeof h);
    h.number = n;
    h.time = 1000;
    h.difficulty = u(1);
    uint8_t rlp_empty_list = 0xc0;
    keccak256(&rlp_empty_list, 1, h.uncle_hash.b);
    h.extra = extra_buf;
    h.extra_len = extra_len;
    h.gas_limit = 4712388;
    return h;
}

START_TEST(header_fields)
{
    const struct chain_params *m = mainnet();
    struct header h = good_header(1000, 97);
    ck_assert_int_eq(tribe_check_header_fields(m, &h, 1000), 0);
    /* future */
    ck_assert_int_eq(tribe_check_header_fields(m, &h, 999), ERR_BADSTATE);
    /* nonce: all zero or all 0xff */
    memset(h.nonce, 0xff, 8);
    ck_assert_int_eq(tribe_check_header_fields(m, &h, 1000), 0);
    h.nonce[3] = 0;
    ck_assert_int_eq(tribe_check_header_fields(m, &h, 1000), ERR_INVAL);
    memset(h.nonce, 0, 8);
    h.nonce[7] = 1;
    ck_assert_int_eq(tribe_check_header_fields(m, &h, 1000), ERR_INVAL);
    memset(h.nonce, 0, 8);
    /* mixDigest */
    h.mix_digest.b[31] = 1;
    ck_assert_int_eq(tribe_check_header_fields(m, &h, 1000), ERR_INVAL);
    h.mix_digest.b[31] = 0;
    /* uncle hash */
    h.uncle_hash.b[0] ^= 1;
    ck_assert_int_eq(tribe_check_header_fields(m, &h, 1000), ERR_INVAL);
    h.uncle_hash.b[0] ^= 1;
    /* difficulty range */
    h.difficulty = u(4);
    ck_assert_int_eq(tribe_check_header_fields(m, &h, 1000), ERR_INVAL);
    h.difficulty = u(3);
    ck_assert_int_eq(tribe_check_header_fields(m, &h, 1000), 0);

    /* extra: 32 + 65 before SIP100, 161 + 65 from it, no maximum */
    ck_assert_uint_eq(tribe_extra_vanity_len(m, CHIEF100 - 1), 32);
    ck_assert_uint_eq(tribe_extra_vanity_len(m, CHIEF100), 161);
    ck_assert_int_eq(tribe_check_extra_len(m, CHIEF100 - 1, 96), ERR_INVAL);
    ck_assert_int_eq(tribe_check_extra_len(m, CHIEF100 - 1, 31), ERR_INVAL);
    ck_assert_int_eq(tribe_check_extra_len(m, CHIEF100 - 1, 97), 0);
    ck_assert_int_eq(tribe_check_extra_len(m, CHIEF100 - 1, 400), 0);
    ck_assert_int_eq(tribe_check_extra_len(m, CHIEF100, 97), ERR_INVAL);
    ck_assert_int_eq(tribe_check_extra_len(m, CHIEF100, 225), ERR_INVAL);
    ck_assert_int_eq(tribe_check_extra_len(m, CHIEF100, 226), 0);
    ck_assert_int_eq(tribe_check_extra_len(m, CHIEF100, 400), 0);
    h = good_header(CHIEF100 + 1, 97);
    ck_assert_int_eq(tribe_check_header_fields(m, &h, 1000), ERR_INVAL);
    h.extra_len = 226;
    h.difficulty = u(6);
    ck_assert_int_eq(tribe_check_header_fields(m, &h, 1000), 0);
}
END_TEST

START_TEST(gas_limit_around_sip004)
{
    const struct chain_params *m = mainnet();
    uint64_t pg = 4712388, b = pg / 1024; /* 4601 */
    /* before SIP004: strict delta and a 5000 floor */
    ck_assert_int_eq(tribe_check_gas_limit(m, SIP004 - 1, pg, pg + b - 1, 0), 0);
    ck_assert_int_eq(tribe_check_gas_limit(m, SIP004 - 1, pg, pg - b + 1, 0), 0);
    ck_assert_int_eq(tribe_check_gas_limit(m, SIP004 - 1, pg, pg + b, 0), ERR_INVAL);
    ck_assert_int_eq(tribe_check_gas_limit(m, SIP004 - 1, pg, pg - b, 0), ERR_INVAL);
    ck_assert_int_eq(tribe_check_gas_limit(m, SIP004 - 1, 5000, 5000, 0), 0);
    ck_assert_int_eq(tribe_check_gas_limit(m, SIP004 - 1, 5000, 4999, 0), ERR_INVAL);
    ck_assert_int_eq(tribe_check_gas_limit(m, SIP004 - 1, pg, pg, pg + 1), ERR_INVAL);
    /* at the SIP004 block the limit may jump (or anything else) */
    ck_assert_int_eq(tribe_check_gas_limit(m, SIP004, pg, 40000000, 0), 0);
    ck_assert_int_eq(tribe_check_gas_limit(m, SIP004, pg, 100, 0), 0);
    ck_assert_int_eq(tribe_check_gas_limit(m, SIP004, pg, 100, 101), ERR_INVAL);
    ck_assert_int_eq(tribe_check_gas_limit(m, SIP004, pg, (uint64_t)INT64_MAX + 1, 0), ERR_INVAL);
    /* after it: 40M floor and the delta rule again */
    uint64_t g = 40000000, gb = g / 1024; /* 39062 */
    ck_assert_int_eq(tribe_check_gas_limit(m, SIP004 + 1, g, g, 0), 0);
    ck_assert_int_eq(tribe_check_gas_limit(m, SIP004 + 1, g, g - 1, 0), ERR_INVAL);
    ck_assert_int_eq(tribe_check_gas_limit(m, SIP004 + 1, g, g + gb - 1, 0), 0);
    ck_assert_int_eq(tribe_check_gas_limit(m, SIP004 + 1, g, g + gb, 0), ERR_INVAL);
    ck_assert_int_eq(tribe_check_gas_limit(m, SIP004 + 1, pg, pg, 0), ERR_INVAL);
    ck_assert_int_eq(tribe_check_gas_limit(m, SIP004 + 1, g, (uint64_t)INT64_MAX + 1, 0), ERR_INVAL);
}
END_TEST

START_TEST(cascading_fields)
{
    const struct chain_params *m = mainnet();
    struct header parent = good_header(SIP002 - 2, 97), h = good_header(SIP002 - 1, 97);
    parent.time = 1000;
    h.time = 1015;
    ck_assert_int_eq(tribe_check_cascading(m, &parent, &h), 0);
    h.time = 1014;
    ck_assert_int_eq(tribe_check_cascading(m, &parent, &h), ERR_INVAL);
    parent.number = SIP002 - 1;
    h.number = SIP002;
    ck_assert_int_eq(tribe_check_cascading(m, &parent, &h), 0);
    h.time = 1013;
    ck_assert_int_eq(tribe_check_cascading(m, &parent, &h), ERR_INVAL);
    h.time = 1014;
    h.number = SIP002 + 1; /* not parent + 1 */
    ck_assert_int_eq(tribe_check_cascading(m, &parent, &h), ERR_INVAL);
    h.number = SIP002;
    h.gas_limit = parent.gas_limit * 2;
    ck_assert_int_eq(tribe_check_cascading(m, &parent, &h), ERR_INVAL);
    h.number = 0; /* genesis always passes */
    ck_assert_int_eq(tribe_check_cascading(m, &parent, &h), 0);
}
END_TEST

/* ------------------------------------------------------------------------
 * §7 rewards and the burn
 * --------------------------------------------------------------------- */

START_TEST(reward_and_burn)
{
    const struct chain_params *m = mainnet();
    u256 r, want35 = u(35), e18 = u(1000000000000000000ull);
    u256_mul(&want35, &want35, &e18);
    tribe_block_reward(m, CHIEF100 - 1, &r);
    ck_assert(u256_is_zero(&r));
    tribe_block_reward(m, CHIEF100, &r);
    ck_assert(u256_eq(&r, &want35));
    tribe_block_reward(m, CHIEF100 + 4505000 - 1, &r);
    ck_assert(u256_eq(&r, &want35));
    tribe_block_reward(m, CHIEF100 + 4505000, &r);
    u256 half = want35;
    half.w[0] = half.w[0] >> 1 | half.w[1] << 63;
    half.w[1] >>= 1;
    ck_assert(u256_eq(&r, &half));
    /* a chain whose Chief100 is at 0 pays from genesis, halving every
     * 4,505,000 blocks */
    const struct chain_params *reg = chain_params_get(CHAIN_REGTEST);
    tribe_block_reward(reg, 0, &r);
    ck_assert(u256_eq(&r, &want35));
    tribe_block_reward(reg, 4505000, &r);
    ck_assert(u256_eq(&r, &half));

    /* the burn is 12 % of the 3,141,592,653 SMT genesis supply */
    u256 supply = u(3141592653ull), twelve = u(12), hundred = u(100), burn;
    u256_mul(&supply, &supply, &e18);
    u256_mul(&burn, &supply, &twelve);
    u256_div(&burn, &burn, &hundred);
    ck_assert(u256_eq(&burn, &m->burn_amount));

    u256 big = burn, small = u(12345), out;
    big.w[2] = 1;
    tribe_burn_amount(m, CHIEF100, &big, &out);
    ck_assert(u256_eq(&out, &burn));
    tribe_burn_amount(m, CHIEF100, &burn, &out);
    ck_assert(u256_eq(&out, &burn));
    tribe_burn_amount(m, CHIEF100, &small, &out);
    ck_assert(u256_eq(&out, &small));
    tribe_burn_amount(m, CHIEF100 - 1, &big, &out);
    ck_assert(u256_is_zero(&out));
    tribe_burn_amount(m, CHIEF100 + 1, &big, &out);
    ck_assert(u256_is_zero(&out));
    const struct chain_params *t = chain_params_get(CHAIN_TESTNET);
    tribe_burn_amount(t, t->chief100_block, &big, &out);
    ck_assert(u256_is_zero(&out));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("tribe_rules");
    TCase *tc = tcase_create("difficulty");
    tcase_add_test(tc, leader_sort_rotates_after_first);
    tcase_add_test(tc, header_range_check);
    tcase_add_test(tc, difficulty_v0_before_sip002);
    tcase_add_test(tc, difficulty_v0_from_sip002);
    tcase_add_test(tc, difficulty_v100_signers);
    tcase_add_test(tc, difficulty_v100_leaders);
    tcase_add_test(tc, exact_difficulty_check);
    suite_add_tcase(s, tc);
    tc = tcase_create("timing");
    tcase_add_test(tc, first_time_check);
    tcase_add_test(tc, period_v0);
    tcase_add_test(tc, period_v100);
    tcase_add_test(tc, producer_time);
    tcase_add_test(tc, authorization_v0);
    tcase_add_test(tc, authorization_v100);
    tcase_add_test(tc, tables_switch_at_chief100);
    suite_add_tcase(s, tc);
    tc = tcase_create("chief_tx");
    tcase_add_test(tc, take_miner);
    tcase_add_test(tc, take_miner_big_vrfn);
    tcase_add_test(tc, chief_update_data);
    tcase_add_test(tc, chief_update_tx_recognition);
    suite_add_tcase(s, tc);
    tc = tcase_create("fields");
    tcase_add_test(tc, header_fields);
    tcase_add_test(tc, gas_limit_around_sip004);
    tcase_add_test(tc, cascading_fields);
    tcase_add_test(tc, reward_and_burn);
    tcase_add_test(tc, meshbox_position_rule);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
