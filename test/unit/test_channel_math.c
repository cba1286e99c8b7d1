/*
 * test_channel_math.c — channel arithmetic (channel/balance.h) and mediator
 * fees (channel/fees.h) against spec/photon.md §2.2, §2.3, §2.7, §3.5 and
 * §6 and the expressions of contrib/contracts/TokensNetwork.sol: channel id
 * and balance hash bytes built by hand, the settlement cases including both
 * clamps and transferred amounts near 2^256, withdraw and cooperative
 * settle rules, balance / distributable, and the fee rules (precedence,
 * percent 0 = off, integer division, the last hop, insufficient fee,
 * overflow).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "channel/balance.h"
#include "channel/fees.h"
#include "crypto/keccak.h"
#include "util/err.h"

static u256 U(uint64_t v)
{
    return u256_from_u64(v);
}

static u256 max_minus(uint64_t k)
{
    u256 m = u256_max(), d = U(k), r;
    u256_sub(&r, &m, &d);
    return r;
}

static void assert_u(const u256 *got, const u256 *want)
{
    ck_assert_msg(u256_eq(got, want), "u256 %016llx%016llx%016llx%016llx != %016llx%016llx%016llx%016llx",
                  (unsigned long long)got->w[3], (unsigned long long)got->w[2],
                  (unsigned long long)got->w[1], (unsigned long long)got->w[0],
                  (unsigned long long)want->w[3], (unsigned long long)want->w[2],
                  (unsigned long long)want->w[1], (unsigned long long)want->w[0]);
}

/* ---- channel id, balance hash ----------------------------------------- */

START_TEST(channel_id_orders_the_participants)
{
    uint8_t lo[20], hi[20], token[20], tn[20], buf[80], want[32], got[32];
    memset(lo, 0x11, 20);
    memset(hi, 0x11, 20);
    hi[19] = 0x12;              /* differs only in the last byte: hi > lo */
    memset(token, 0x70, 20);
    memset(tn, 0xee, 20);
    memcpy(buf, lo, 20);
    memcpy(buf + 20, hi, 20);
    memcpy(buf + 40, token, 20);
    memcpy(buf + 60, tn, 20);
    keccak256(buf, 80, want);
    ch_channel_id(lo, hi, token, tn, got);
    ck_assert_mem_eq(got, want, 32);
    ch_channel_id(hi, lo, token, tn, got);
    ck_assert_mem_eq(got, want, 32);
    ch_channel_id(lo, hi, tn, token, got);      /* token and contract matter */
    ck_assert_mem_ne(got, want, 32);
}
END_TEST

START_TEST(balance_hash_is_24_bytes_or_zero)
{
    uint8_t root[32] = {0}, out[24], zero[24] = {0}, buf[64], h[32];
    u256 ta = U(0);
    memset(out, 0xaa, 24);
    ch_balance_hash(&ta, root, out);
    ck_assert_mem_eq(out, zero, 24);

    /* keccak(locksroot ‖ u256 ta)[0..24), locksroot first. */
    ta = U(0x0102);
    memset(root, 0x5c, 32);
    memcpy(buf, root, 32);
    memset(buf + 32, 0, 32);
    buf[62] = 0x01;
    buf[63] = 0x02;
    keccak256(buf, 64, h);
    ch_balance_hash(&ta, root, out);
    ck_assert_mem_eq(out, h, 24);

    /* Only one of the two zero: not the zero hash. */
    ta = U(0);
    ch_balance_hash(&ta, root, out);
    ck_assert_mem_ne(out, zero, 24);
    memset(root, 0, 32);
    ta = U(1);
    ch_balance_hash(&ta, root, out);
    ck_assert_mem_ne(out, zero, 24);
}
END_TEST

/* ---- settlement ------------------------------------------------------- */

/* Settles and checks p1 + p2 == total and p1 == want1. */
static void settle(u256 d1, u256 t1, u256 d2, u256 t2, u256 want1)
{
    u256 a1, a2, total, sum;
    ck_assert_int_eq(ch_settle_amounts(&d1, &t1, &d2, &t2, &a1, &a2), 0);
    assert_u(&a1, &want1);
    u256_add(&total, &d1, &d2);
    u256_add(&sum, &a1, &a2);
    assert_u(&sum, &total);
}

START_TEST(settlement_cases_and_clamps)
{
    /* plain: 100 + 10 − 30 = 80 for p1, 70 for p2 */
    settle(U(100), U(30), U(50), U(10), U(80));
    /* no transfers: each gets its deposit */
    settle(U(100), U(0), U(50), U(0), U(100));
    /* both sides transferred the same: deposits unchanged */
    settle(U(7), U(1000), U(9), U(1000), U(7));
    /* p1 paid exactly its deposit plus what it received: 0 */
    settle(U(10), U(30), U(5), U(20), U(0));
    /* clamp at 0: p1 claims to have sent more than it had */
    settle(U(10), U(100), U(5), U(20), U(0));
    /* clamp at total: p2 "sent" more than the channel holds */
    settle(U(10), U(0), U(5), U(100), U(15));
    /* exactly the total */
    settle(U(10), U(0), U(5), U(5), U(15));
    /* one deposit zero */
    settle(U(0), U(0), U(40), U(25), U(25));
}
END_TEST

START_TEST(settlement_near_2_256)
{
    u256 max = u256_max();
    /* ta2 = 2^256−1, ta1 = 0: dep1 + gain overflows → total */
    settle(U(1), U(0), U(2), max, U(3));
    /* ta1 = 2^256−1, ta2 = 2^256−2: loss of 1 */
    settle(U(5), max, U(6), max_minus(1), U(4));
    /* ta2 = 2^256−1, ta1 = 2^256−3: gain of 2, within the total */
    settle(U(5), max_minus(2), U(6), max, U(7));
    /* ta1 huge, ta2 0: loss far above the deposit → 0 */
    settle(U(5), max, U(6), U(0), U(0));
    /* both at the maximum: deposits unchanged */
    settle(U(5), max, U(6), max, U(5));
    /* deposits near 2^255 each: total still fits */
    u256 half = max, one = U(1);
    u256_shr(&half, &one, &max);            /* 2^255 − 1 */
    u256 t = half;
    u256_add(&t, &t, &half);                /* 2^256 − 2 */
    settle(half, U(0), half, max, t);

    /* deposits whose sum overflows: the contract never holds them */
    u256 a1, a2, z = U(0), two = U(2);
    ck_assert_int_eq(ch_settle_amounts(&max, &z, &two, &z, &a1, &a2), ERR_RANGE);
}
END_TEST

START_TEST(withdraw_and_cooperative_settle)
{
    u256 np, nq, dp = U(100), dq = U(50);
    /* participant balance 120 of 150, withdraws 20: keeps 100, partner 30 */
    u256 bal = U(120), wd = U(20);
    ck_assert_int_eq(ch_withdraw_amounts(&dp, &dq, &bal, &wd, &np, &nq), 0);
    ck_assert_uint_eq(np.w[0], 100);
    ck_assert_uint_eq(nq.w[0], 30);
    /* everything */
    wd = bal;
    ck_assert_int_eq(ch_withdraw_amounts(&dp, &dq, &bal, &wd, &np, &nq), 0);
    ck_assert(u256_iszero(&np));
    /* refusals: zero, above the balance, balance above the deposits */
    wd = U(0);
    ck_assert_int_eq(ch_withdraw_amounts(&dp, &dq, &bal, &wd, &np, &nq), ERR_INVAL);
    wd = U(121);
    ck_assert_int_eq(ch_withdraw_amounts(&dp, &dq, &bal, &wd, &np, &nq), ERR_INVAL);
    bal = U(151);
    wd = U(1);
    ck_assert_int_eq(ch_withdraw_amounts(&dp, &dq, &bal, &wd, &np, &nq), ERR_RANGE);
    u256 max = u256_max();
    ck_assert_int_eq(ch_withdraw_amounts(&max, &dq, &bal, &wd, &np, &nq), ERR_RANGE);
    /* aliasing outputs with inputs */
    bal = U(120);
    wd = U(20);
    ck_assert_int_eq(ch_withdraw_amounts(&dp, &dq, &bal, &wd, &bal, &wd), 0);
    ck_assert_uint_eq(bal.w[0], 100);
    ck_assert_uint_eq(wd.w[0], 30);

    u256 b1 = U(60), b2 = U(90);
    ck_assert_int_eq(ch_check_coop_settle(&dp, &dq, &b1, &b2), 0);
    b2 = U(89);
    ck_assert_int_eq(ch_check_coop_settle(&dp, &dq, &b1, &b2), ERR_INVAL);
    b1 = max;
    b2 = U(151);    /* sums to 150 mod 2^256: must still be refused */
    ck_assert_int_eq(ch_check_coop_settle(&dp, &dq, &b1, &b2), ERR_INVAL);
}
END_TEST

START_TEST(balance_and_distributable)
{
    u256 dep = U(100), my_ta = U(30), partner_ta = U(10), locked = U(20), out;
    ck_assert_int_eq(ch_balance(&dep, &my_ta, &partner_ta, &out), 0);
    ck_assert_uint_eq(out.w[0], 80);
    ck_assert_int_eq(ch_distributable(&dep, &my_ta, &partner_ta, &locked, &out), 0);
    ck_assert_uint_eq(out.w[0], 60);
    locked = U(81);
    ck_assert_int_eq(ch_distributable(&dep, &my_ta, &partner_ta, &locked, &out), ERR_RANGE);
    my_ta = U(111);
    ck_assert_int_eq(ch_balance(&dep, &my_ta, &partner_ta, &out), ERR_RANGE);
    u256 max = u256_max();
    ck_assert_int_eq(ch_balance(&max, &my_ta, &max, &out), ERR_RANGE);

    /* DirectTransfer: 0 < Δta <= distributable */
    u256 dist = U(60), old_ta = U(30), new_ta = U(90), amount;
    ck_assert_int_eq(ch_check_direct(&dist, &old_ta, &new_ta, &amount), 0);
    ck_assert_uint_eq(amount.w[0], 60);
    new_ta = U(91);
    ck_assert_int_eq(ch_check_direct(&dist, &old_ta, &new_ta, &amount), ERR_RANGE);
    new_ta = U(30);
    ck_assert_int_eq(ch_check_direct(&dist, &old_ta, &new_ta, &amount), ERR_INVAL);
    new_ta = U(29);
    ck_assert_int_eq(ch_check_direct(&dist, &old_ta, &new_ta, &amount), ERR_INVAL);

    /* A new lock: 0 < amount <= distributable */
    u256 a = U(60);
    ck_assert_int_eq(ch_check_lock_amount(&dist, &a), 0);
    a = U(61);
    ck_assert_int_eq(ch_check_lock_amount(&dist, &a), ERR_RANGE);
    a = U(0);
    ck_assert_int_eq(ch_check_lock_amount(&dist, &a), ERR_INVAL);
}
END_TEST

/* ---- fees ------------------------------------------------------------- */

START_TEST(fee_formula)
{
    struct ch_fee_setting s = {.fee_constant = U(0), .fee_percent = 10000};
    u256 amt = U(19999), fee;
    ck_assert_int_eq(ch_fee_compute(&s, &amt, &fee), 0);
    ck_assert_uint_eq(fee.w[0], 1);                 /* 19999 / 10000, rounded down */
    amt = U(9999);
    ck_assert_int_eq(ch_fee_compute(&s, &amt, &fee), 0);
    ck_assert(u256_iszero(&fee));
    s.fee_constant = U(5);
    amt = U(50000);
    ck_assert_int_eq(ch_fee_compute(&s, &amt, &fee), 0);
    ck_assert_uint_eq(fee.w[0], 10);                /* 50000/10000 + 5 */
    s.fee_percent = 0;                              /* percent off: constant only */
    ck_assert_int_eq(ch_fee_compute(&s, &amt, &fee), 0);
    ck_assert_uint_eq(fee.w[0], 5);
    s.fee_percent = -3;                             /* negative is off too */
    ck_assert_int_eq(ch_fee_compute(&s, &amt, &fee), 0);
    ck_assert_uint_eq(fee.w[0], 5);
    s.fee_percent = 1;                              /* 100 %: the amount itself */
    s.fee_constant = U(0);
    ck_assert_int_eq(ch_fee_compute(&s, &amt, &fee), 0);
    ck_assert_uint_eq(fee.w[0], 50000);
    /* a large amount: the division runs on all 256 bits */
    s.fee_percent = 2;
    u256 big = u256_max();
    ck_assert_int_eq(ch_fee_compute(&s, &big, &fee), 0);
    u256 half = u256_max();
    half.w[3] >>= 1;
    assert_u(&fee, &half);
    /* overflow of amount/percent + constant */
    s.fee_constant = u256_max();
    amt = U(2);
    ck_assert_int_eq(ch_fee_compute(&s, &amt, &fee), ERR_RANGE);

    /* The digest signed for a path-finding service: i64 percent ‖ u256 constant. */
    struct ch_fee_setting p = {.fee_constant = U(0x0203), .fee_percent = 0x10000};
    uint8_t buf[40] = {0}, want[32], got[32];
    buf[5] = 0x01;
    buf[38] = 0x02;
    buf[39] = 0x03;
    keccak256(buf, 40, want);
    ch_fee_setting_digest(&p, got);
    ck_assert_mem_eq(got, want, 32);
}
END_TEST

START_TEST(fee_policy_precedence)
{
    struct ch_fee_policy p;
    ch_fee_policy_init(&p);
    uint8_t tok[20], other_tok[20], chan[32], other_chan[32];
    memset(tok, 1, 20);
    memset(other_tok, 2, 20);
    memset(chan, 3, 32);
    memset(other_chan, 4, 32);

    /* default: account {0, 10000} */
    const struct ch_fee_setting *s = ch_fee_policy_select(&p, tok, chan);
    ck_assert_ptr_eq(s, &p.account);
    ck_assert_int_eq(s->fee_percent, 10000);
    ck_assert(u256_iszero(&s->fee_constant));

    struct ch_fee_setting ts = {.fee_constant = U(7), .fee_percent = 0};
    struct ch_fee_setting cs = {.fee_constant = U(9), .fee_percent = 100};
    ck_assert_int_eq(ch_fee_policy_set_token(&p, tok, &ts), 0);
    s = ch_fee_policy_select(&p, tok, chan);
    ck_assert_uint_eq(s->fee_constant.w[0], 7);                   /* token > account */
    ck_assert_ptr_eq(ch_fee_policy_select(&p, other_tok, chan), &p.account);
    ck_assert_int_eq(ch_fee_policy_set_channel(&p, chan, &cs), 0);
    s = ch_fee_policy_select(&p, tok, chan);
    ck_assert_uint_eq(s->fee_constant.w[0], 9);                   /* channel > token */
    s = ch_fee_policy_select(&p, other_tok, chan);
    ck_assert_uint_eq(s->fee_constant.w[0], 9);                   /* channel > account */
    s = ch_fee_policy_select(&p, tok, other_chan);
    ck_assert_uint_eq(s->fee_constant.w[0], 7);
    s = ch_fee_policy_select(&p, tok, NULL);
    ck_assert_uint_eq(s->fee_constant.w[0], 7);

    /* replace, unset */
    ts.fee_constant = U(8);
    ck_assert_int_eq(ch_fee_policy_set_token(&p, tok, &ts), 0);
    ck_assert_uint_eq(p.n_tokens, 1);
    ck_assert_uint_eq(ch_fee_policy_select(&p, tok, NULL)->fee_constant.w[0], 8);
    ck_assert_int_eq(ch_fee_policy_unset_channel(&p, chan), 0);
    ck_assert_uint_eq(ch_fee_policy_select(&p, tok, chan)->fee_constant.w[0], 8);
    ck_assert_int_eq(ch_fee_policy_unset_channel(&p, chan), ERR_NOTFOUND);
    ck_assert_int_eq(ch_fee_policy_unset_token(&p, tok), 0);
    ck_assert_ptr_eq(ch_fee_policy_select(&p, tok, chan), &p.account);
    ck_assert_int_eq(ch_fee_policy_unset_token(&p, tok), ERR_NOTFOUND);

    /* the cap on entries */
    uint8_t t[20] = {0};
    for (unsigned i = 0; i < CH_FEE_ENTRIES_MAX; i++) {
        t[0] = (uint8_t)i;
        t[1] = (uint8_t)(i >> 8);
        ck_assert_int_eq(ch_fee_policy_set_token(&p, t, &ts), 0);
    }
    t[2] = 1;
    ck_assert_int_eq(ch_fee_policy_set_token(&p, t, &ts), ERR_RANGE);
    t[2] = 0;
    ck_assert_int_eq(ch_fee_policy_set_token(&p, t, &cs), 0); /* replacing still works */
    ck_assert_uint_eq(p.n_tokens, CH_FEE_ENTRIES_MAX);
    ch_fee_policy_free(&p);
    ck_assert_uint_eq(p.n_tokens, 0);
    ck_assert_int_eq(p.account.fee_percent, CH_FEE_DEFAULT_PERCENT);
}
END_TEST

START_TEST(mediator_fee_arithmetic)
{
    /* A pays C 10000 through B1, B2. B1 charges constant 3 + 1/1000, B2
     * constant 2. Initiator locks 10000 + 15 with fee 15. */
    struct ch_fee_setting b1 = {.fee_constant = U(3), .fee_percent = 1000};
    struct ch_fee_setting b2 = {.fee_constant = U(2), .fee_percent = 0};
    u256 target = U(10000), total_fee = U(15), lock, amt, fee, kept;
    ck_assert_int_eq(ch_fee_lock_amount(&target, &total_fee, &lock), 0);
    ck_assert_uint_eq(lock.w[0], 10015);

    /* B1 (next hop B2 is not the target): fee on target_amount 10000 = 13 */
    ck_assert_int_eq(ch_fee_mediate(&b1, &lock, &total_fee, false, &amt, &fee, &kept), 0);
    ck_assert_uint_eq(kept.w[0], 13);
    ck_assert_uint_eq(amt.w[0], 10002);
    ck_assert_uint_eq(fee.w[0], 2);
    /* B2 (next hop is the target): forwards exactly 10000 with fee 0, keeps 2 */
    u256 amt2, fee2, kept2;
    ck_assert_int_eq(ch_fee_mediate(&b2, &amt, &fee, true, &amt2, &fee2, &kept2), 0);
    ck_assert_uint_eq(amt2.w[0], 10000);
    ck_assert(u256_iszero(&fee2));
    ck_assert_uint_eq(kept2.w[0], 2);

    /* The last hop keeps more than its own fee when fee is left over. */
    u256 a = U(10010), f = U(10);
    ck_assert_int_eq(ch_fee_mediate(&b2, &a, &f, true, &amt2, &fee2, &kept2), 0);
    ck_assert_uint_eq(amt2.w[0], 10000);
    ck_assert_uint_eq(kept2.w[0], 10);

    /* Insufficient remaining fee: 12 left, B1 wants 13 (on 10000 + 12 − 12). */
    a = U(10012);
    f = U(12);
    u256 keep_amt = U(777);
    amt2 = keep_amt;
    ck_assert_int_eq(ch_fee_mediate(&b1, &a, &f, false, &amt2, &fee2, NULL), ERR_RANGE);
    assert_u(&amt2, &keep_amt);                             /* outputs untouched */
    ck_assert_int_eq(ch_fee_mediate(&b1, &a, &f, true, &amt2, &fee2, NULL), ERR_RANGE);
    /* Exactly enough. */
    f = U(13);
    a = U(10013);
    ck_assert_int_eq(ch_fee_mediate(&b1, &a, &f, false, &amt2, &fee2, NULL), 0);
    ck_assert_uint_eq(amt2.w[0], 10000);
    ck_assert(u256_iszero(&fee2));
    /* A fee above the locked amount is malformed. */
    a = U(5);
    f = U(6);
    ck_assert_int_eq(ch_fee_mediate(&b1, &a, &f, false, &amt2, &fee2, NULL), ERR_INVAL);
    /* Free mediation (percent 0, constant 0) forwards everything. */
    struct ch_fee_setting none = {.fee_constant = U(0), .fee_percent = 0};
    a = U(500);
    f = U(0);
    ck_assert_int_eq(ch_fee_mediate(&none, &a, &f, false, &amt2, &fee2, &kept2), 0);
    ck_assert_uint_eq(amt2.w[0], 500);
    ck_assert(u256_iszero(&kept2));
    /* A constant near 2^256 overflows: refused, not wrapped. */
    struct ch_fee_setting huge = {.fee_constant = u256_max(), .fee_percent = 1};
    a = U(500);
    f = U(100);
    ck_assert_int_eq(ch_fee_mediate(&huge, &a, &f, false, &amt2, &fee2, NULL), ERR_RANGE);
    /* Lock amount overflow. */
    u256 max = u256_max(), one = U(1);
    ck_assert_int_eq(ch_fee_lock_amount(&max, &one, &lock), ERR_RANGE);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("channel_math");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, channel_id_orders_the_participants);
    tcase_add_test(tc, balance_hash_is_24_bytes_or_zero);
    tcase_add_test(tc, settlement_cases_and_clamps);
    tcase_add_test(tc, settlement_near_2_256);
    tcase_add_test(tc, withdraw_and_cooperative_settle);
    tcase_add_test(tc, balance_and_distributable);
    tcase_add_test(tc, fee_formula);
    tcase_add_test(tc, fee_policy_precedence);
    tcase_add_test(tc, mediator_fee_arithmetic);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
