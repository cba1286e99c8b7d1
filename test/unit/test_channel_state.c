/*
 * test_channel_state.c — the channel state machine (channel/channel.h,
 * channel/endstate.h): a scripted exchange between two in-memory hubs A and
 * B over one channel, each packet going through encode / decode as on the
 * wire (direct payments both ways, a lock, the secret, the unlock, a lock
 * expiring and removed after 17 blocks, a lock disposed and answered); every
 * refusal rule of photon.md §3.5 with its code, leaving the state untouched;
 * and the effects of the contract's events (deposit, withdraw, close,
 * update, unlock, punish, settle) and the withdraw / cooperative settle
 * preconditions.
 *
 * Keys 1 and 2 (addresses of G and 2G) are A and B. Deposits: A 1000, B 500;
 * settle timeout 100, reveal timeout 10; the channel opens at block 10.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "channel/balance.h"
#include "channel/channel.h"
#include "channel/msg.h"
#include "channel/sig.h"
#include "util/err.h"

static uint8_t skA[32], skB[32], skC[32], addrA[20], addrB[20], token[20], tn[20], cid[32];
static u256 chain_id;
static struct ch_channel chA, chB;   /* A's view (ours = A) and B's view (ours = B) */

#define OPEN_BLOCK 10
#define SETTLE 100
#define REVEAL 10

static u256 U(uint64_t v)
{
    return u256_from_u64(v);
}

static void assert_u(const u256 *a, uint64_t want)
{
    u256 w = U(want);
    ck_assert_msg(u256_eq(a, &w), "amount differs from %llu", (unsigned long long)want);
}

static void setup(void)
{
    memset(skA, 0, 32);
    skA[31] = 1;
    memset(skB, 0, 32);
    skB[31] = 2;
    memset(skC, 0, 32);
    skC[31] = 3;
    ck_assert_int_eq(ch_address_of(skA, addrA), 0);
    ck_assert_int_eq(ch_address_of(skB, addrB), 0);
    memset(token, 0x70, 20);
    memset(tn, 0x7e, 20);
    ch_channel_id(addrA, addrB, token, tn, cid);
    chain_id = U(8888);
    ck_assert_int_eq(ch_channel_init(&chA, cid, token, addrA, addrB, OPEN_BLOCK, SETTLE, REVEAL), 0);
    ck_assert_int_eq(ch_channel_init(&chB, cid, token, addrB, addrA, OPEN_BLOCK, SETTLE, REVEAL), 0);
    u256 a = U(1000), b = U(500);
    ck_assert_int_eq(ch_on_deposit(&chA, CH_OURS, &a), 0);
    ck_assert_int_eq(ch_on_deposit(&chA, CH_PARTNER, &b), 0);
    ck_assert_int_eq(ch_on_deposit(&chB, CH_PARTNER, &a), 0);
    ck_assert_int_eq(ch_on_deposit(&chB, CH_OURS, &b), 0);
}

static void teardown(void)
{
    ch_channel_free(&chA);
    ch_channel_free(&chB);
}

/* Puts the step into a packet, signs it, applies it to the sender and
 * returns the packet as the receiver decodes it. */
static void send_step(struct ch_channel *from, const uint8_t sk[32], struct ch_step *st,
                      struct ch_msg *wire)
{
    struct ch_msg m;
    ck_assert_int_eq(ch_step_msg_init(st, &m), 0);
    if (m.cmd == CH_CMD_MEDIATED_TRANSFER) {
        memcpy(m.u.mediated.target, from->end[CH_PARTNER].addr, 20);
        memcpy(m.u.mediated.initiator, from->end[CH_OURS].addr, 20);
    }
    ck_assert_int_eq(ch_step_seal(st, &m, sk, &chain_id), 0);
    uint8_t buf[CH_PACKET_MAX];
    size_t len;
    ck_assert_int_eq(ch_msg_encode_buf(&m, buf, sizeof buf, &len), 0);
    ck_assert_int_eq(ch_msg_decode(buf, len, wire), 0);
    ck_assert_int_eq(ch_apply(from, st), 0);
}

/* Receives and applies; the receiver then holds the sender's proof. */
static void recv_ok(struct ch_channel *to, const struct ch_msg *m, uint64_t now)
{
    struct ch_step st;
    int code = -1;
    int rc = ch_recv_envelope(to, m, now, &chain_id, &st, &code);
    ck_assert_msg(rc == 0, "refused: %s", err_msg());
    ck_assert_int_eq(code, CH_OK);
    ck_assert_int_eq(ch_apply(to, &st), 0);
    const struct ch_end *p = &to->end[CH_PARTNER];
    ck_assert_mem_eq(p->sig, m->sig, CH_SIG_LEN);
    uint8_t ah[32];
    ck_assert_int_eq(ch_msg_additional_hash(m, ah), 0);
    ck_assert_mem_eq(p->additional_hash, ah, 32);
}

/* The partner's proof as one side holds it equals the other's own. */
static void assert_agree(void)
{
    const struct ch_bp *a = &chA.end[CH_OURS].bp, *b = &chB.end[CH_PARTNER].bp;
    ck_assert_uint_eq(a->nonce, b->nonce);
    ck_assert(u256_eq(&a->transferred_amount, &b->transferred_amount));
    ck_assert_mem_eq(a->locksroot, b->locksroot, 32);
    a = &chB.end[CH_OURS].bp;
    b = &chA.end[CH_PARTNER].bp;
    ck_assert_uint_eq(a->nonce, b->nonce);
    ck_assert(u256_eq(&a->transferred_amount, &b->transferred_amount));
    ck_assert_mem_eq(a->locksroot, b->locksroot, 32);
    for (int s = 0; s < 2; s++) {
        u256 x, y;
        ck_assert_int_eq(ch_balance_of(&chA, s, &x), 0);
        ck_assert_int_eq(ch_balance_of(&chB, !s, &y), 0);
        ck_assert(u256_eq(&x, &y));
        ck_assert_int_eq(ch_distributable_of(&chA, s, &x), 0);
        ck_assert_int_eq(ch_distributable_of(&chB, !s, &y), 0);
        ck_assert(u256_eq(&x, &y));
    }
}

static void make_lock(struct ch_lock *l, uint8_t secret[32], uint8_t tag, uint64_t amount,
                      uint64_t expiration)
{
    memset(secret, tag, 32);
    l->amount = U(amount);
    l->expiration = expiration;
    ck_assert_int_eq(ch_secret_hash(secret, l->secret_hash), 0);
}

static void a_locks(const struct ch_lock *l, uint64_t now)
{
    struct ch_step st;
    struct ch_msg w;
    ck_assert_int_eq(ch_make_mediated(&chA, l, now, &st, NULL), 0);
    send_step(&chA, skA, &st, &w);
    recv_ok(&chB, &w, now);
}

START_TEST(scripted_exchange)
{
    struct ch_step st;
    struct ch_msg w;
    u256 x;
    int code;

    /* A pays B 100 directly */
    u256 amt = U(100);
    ck_assert_int_eq(ch_make_direct(&chA, &amt, &st, &code), 0);
    ck_assert_int_eq(code, CH_OK);
    ck_assert_uint_eq(st.bp.nonce, 1);
    assert_u(&st.amount, 100);
    send_step(&chA, skA, &st, &w);
    recv_ok(&chB, &w, 20);
    ck_assert_int_eq(ch_balance_of(&chB, CH_OURS, &x), 0);
    assert_u(&x, 600);
    ck_assert_int_eq(ch_balance_of(&chB, CH_PARTNER, &x), 0);
    assert_u(&x, 900);
    assert_agree();

    /* B pays A 10 back: the other direction has its own nonces */
    amt = U(10);
    ck_assert_int_eq(ch_make_direct(&chB, &amt, &st, NULL), 0);
    ck_assert_uint_eq(st.bp.nonce, 1);
    send_step(&chB, skB, &st, &w);
    recv_ok(&chA, &w, 20);
    assert_agree();

    /* A locks 50 for B until block 120 */
    struct ch_lock l1;
    uint8_t s1[32];
    make_lock(&l1, s1, 0x11, 50, 120);
    a_locks(&l1, 20);
    ck_assert_uint_eq(chB.end[CH_PARTNER].locks.n, 1);
    ck_assert_int_eq(ch_locked_of(&chA, CH_OURS, &x), 0);
    assert_u(&x, 50);
    ck_assert_int_eq(ch_distributable_of(&chA, CH_OURS, &x), 0);
    assert_u(&x, 1000 - 100 + 10 - 50);
    assert_agree();

    /* B learns the secret: the lock is unclaimed on B's side */
    ck_assert_int_eq(ch_register_secret(&chB, CH_PARTNER, s1), 0);
    u256 pend, uncl;
    ck_assert_int_eq(ch_end_locked(&chB.end[CH_PARTNER], &x, &pend, &uncl), 0);
    assert_u(&pend, 0);
    assert_u(&uncl, 50);
    uint8_t wrong[32];
    memset(wrong, 0x99, 32);
    ck_assert_int_eq(ch_register_secret(&chB, CH_PARTNER, wrong), ERR_NOTFOUND);

    /* A unlocks: ta 150, the lock leaves both trees */
    ck_assert_int_eq(ch_make_unlock(&chA, s1, &st, NULL), 0);
    assert_u(&st.bp.transferred_amount, 150);
    send_step(&chA, skA, &st, &w);
    recv_ok(&chB, &w, 30);
    ck_assert_uint_eq(chB.end[CH_PARTNER].locks.n, 0);
    ck_assert_int_eq(ch_balance_of(&chB, CH_OURS, &x), 0);
    assert_u(&x, 500 + 150 - 10);
    assert_agree();

    /* A lock expiring at 50: removable by A once 50 + 17 < now, accepted by
     * B from 50 + 17 */
    struct ch_lock l2;
    uint8_t s2[32];
    make_lock(&l2, s2, 0x22, 30, 50);
    a_locks(&l2, 40);
    ck_assert_int_eq(ch_make_remove_expired(&chA, l2.secret_hash, 67, &st, &code), ERR_INVAL);
    ck_assert_int_eq(code, CH_E_LOCK_NOT_EXPIRED);
    ck_assert_int_eq(ch_make_remove_expired(&chA, l2.secret_hash, 68, &st, &code), 0);
    send_step(&chA, skA, &st, &w);
    struct ch_step rs;
    ck_assert_int_eq(ch_recv_envelope(&chB, &w, 66, &chain_id, &rs, &code), ERR_INVAL);
    ck_assert_int_eq(code, CH_E_LOCK_NOT_EXPIRED);
    recv_ok(&chB, &w, 67);
    ck_assert_int_eq(ch_distributable_of(&chA, CH_OURS, &x), 0);
    assert_u(&x, 1000 - 150 + 10);
    assert_agree();

    /* A lock B disposes: B marks it, A checks B's AnnounceDisposed, answers */
    struct ch_lock l3;
    uint8_t s3[32];
    make_lock(&l3, s3, 0x33, 20, 150);
    a_locks(&l3, 70);
    ck_assert_int_eq(ch_mark_disposed(&chB, CH_PARTNER, l3.secret_hash), 0);
    struct ch_msg ad;
    ck_assert_int_eq(ch_msg_init(&ad, CH_CMD_ANNOUNCE_DISPOSED), 0);
    ad.u.disposed.lock = l3;
    memcpy(ad.u.disposed.channel_id, cid, 32);
    ad.u.disposed.open_block = OPEN_BLOCK;
    ck_assert_int_eq(ch_msg_sign(&ad, skB, &chain_id), 0);
    ck_assert_int_eq(ch_check_announce_disposed(&chA, &ad, &chain_id, &code), 0);
    ck_assert_int_eq(ch_mark_disposed(&chA, CH_OURS, l3.secret_hash), 0);
    ck_assert_int_eq(ch_make_disposed_response(&chA, l3.secret_hash, &st, NULL), 0);
    send_step(&chA, skA, &st, &w);
    ck_assert_int_eq(w.cmd, CH_CMD_ANNOUNCE_DISPOSED_RESPONSE);
    recv_ok(&chB, &w, 71);
    ck_assert_uint_eq(chA.end[CH_OURS].locks.n, 0);
    assert_agree();

    /* seven proofs from A, one from B */
    ck_assert_uint_eq(chB.end[CH_PARTNER].bp.nonce, 7);
    ck_assert_uint_eq(chA.end[CH_PARTNER].bp.nonce, 1);
    assert_u(&chB.end[CH_PARTNER].bp.transferred_amount, 150);
}
END_TEST

/* Builds A's next message from a step, lets `mutate` change it, re-signs
 * it with sk (as a cheating or confused partner would). */
static void forged(const struct ch_step *st, struct ch_msg *m, const uint8_t sk[32])
{
    ck_assert_int_eq(ch_step_msg_init(st, m), 0);
    if (m->cmd == CH_CMD_MEDIATED_TRANSFER) {
        memcpy(m->u.mediated.target, addrB, 20);
        memcpy(m->u.mediated.initiator, addrA, 20);
    }
    (void)sk;
}

static void sign(struct ch_msg *m, const uint8_t sk[32])
{
    ck_assert_int_eq(ch_msg_sign(m, sk, &chain_id), 0);
}

/* B refuses m with rc and code, and B's state is as before. */
static void refused(const struct ch_msg *m, uint64_t now, int rc, int code)
{
    struct ch_bp before = chB.end[CH_PARTNER].bp;
    size_t locks = chB.end[CH_PARTNER].locks.n;
    struct ch_step st;
    int got = -1;
    int r = ch_recv_envelope(&chB, m, now, &chain_id, &st, &got);
    ck_assert_msg(r == rc, "rc %d, want %d (%s)", r, rc, err_msg());
    ck_assert_int_eq(got, code);
    ck_assert_str_ne(err_msg(), "");
    ck_assert_uint_eq(chB.end[CH_PARTNER].bp.nonce, before.nonce);
    ck_assert(u256_eq(&chB.end[CH_PARTNER].bp.transferred_amount, &before.transferred_amount));
    ck_assert_uint_eq(chB.end[CH_PARTNER].locks.n, locks);
}

START_TEST(refusals_direct)
{
    struct ch_step st;
    struct ch_msg m, w;
    u256 amt = U(100);
    ck_assert_int_eq(ch_make_direct(&chA, &amt, &st, NULL), 0);
    struct ch_step first = st;

    /* wrong nonce (skips one) */
    forged(&st, &m, skA);
    m.u.direct.bp.nonce = 2;
    sign(&m, skA);
    refused(&m, 20, ERR_INVAL, CH_E_INVALID_NONCE);

    /* not the partner's signature */
    forged(&st, &m, skA);
    sign(&m, skC);
    refused(&m, 20, ERR_CRYPTO, CH_E_INVALID_SIGNATURE);

    /* another open block (an old channel life) */
    forged(&st, &m, skA);
    m.u.direct.bp.open_block = OPEN_BLOCK + 1;
    sign(&m, skA);
    refused(&m, 20, ERR_INVAL, CH_E_CHANNEL_MISMATCH);

    /* more than A's distributable */
    forged(&st, &m, skA);
    m.u.direct.bp.transferred_amount = U(1001);
    sign(&m, skA);
    refused(&m, 20, ERR_RANGE, CH_E_INSUFFICIENT_BALANCE);
    amt = U(1001);
    int code;
    ck_assert_int_eq(ch_make_direct(&chA, &amt, &st, &code), ERR_RANGE);
    ck_assert_int_eq(code, CH_E_INSUFFICIENT_BALANCE);
    amt = U(0);
    ck_assert_int_eq(ch_make_direct(&chA, &amt, &st, &code), ERR_INVAL);
    ck_assert_int_eq(code, CH_E_INVALID_AMOUNT);

    /* a locksroot that is not the tree's */
    st = first;
    forged(&st, &m, skA);
    memset(m.u.direct.bp.locksroot, 0x42, 32);
    sign(&m, skA);
    refused(&m, 20, ERR_INVAL, CH_E_INVALID_LOCKSROOT);

    /* the genuine one passes; then it is a replay */
    send_step(&chA, skA, &st, &w);
    recv_ok(&chB, &w, 20);
    refused(&w, 20, ERR_INVAL, CH_E_INVALID_NONCE);

    /* a stale step does not apply twice */
    ck_assert_int_eq(ch_apply(&chA, &first), ERR_BADSTATE);

    /* ta decreasing (nonce right) */
    amt = U(5);
    ck_assert_int_eq(ch_make_direct(&chA, &amt, &st, NULL), 0);
    forged(&st, &m, skA);
    m.u.direct.bp.transferred_amount = U(50);
    sign(&m, skA);
    refused(&m, 20, ERR_INVAL, CH_E_INVALID_TA);

    /* a message of another kind through the direct check */
    m.cmd = CH_CMD_UNLOCK;
    ck_assert_int_eq(ch_recv_direct(&chB, &m, &chain_id, &st, &code), ERR_INVAL);
    ck_assert_int_eq(code, CH_E_CHANNEL_MISMATCH);
}
END_TEST

START_TEST(refusals_locks)
{
    struct ch_step st;
    struct ch_msg m;
    struct ch_lock l;
    uint8_t s[32];
    int code;

    /* expiration beyond now + settle timeout, on both sides */
    make_lock(&l, s, 0x44, 10, 20 + SETTLE + 1);
    ck_assert_int_eq(ch_make_mediated(&chA, &l, 20, &st, &code), ERR_RANGE);
    ck_assert_int_eq(code, CH_E_EXPIRATION_TOO_LARGE);
    ck_assert_int_eq(ch_make_mediated(&chA, &l, 21, &st, &code), 0);
    forged(&st, &m, skA);
    sign(&m, skA);
    refused(&m, 20, ERR_RANGE, CH_E_EXPIRATION_TOO_LARGE);

    /* an expired lock of our own is never made */
    make_lock(&l, s, 0x47, 10, 20);
    ck_assert_int_eq(ch_make_mediated(&chA, &l, 20, &st, &code), ERR_INVAL);
    ck_assert_int_eq(code, CH_E_LOCK_EXPIRED);

    /* lock amount over distributable */
    make_lock(&l, s, 0x45, 1001, 60);
    ck_assert_int_eq(ch_make_mediated(&chA, &l, 20, &st, &code), ERR_RANGE);
    ck_assert_int_eq(code, CH_E_INSUFFICIENT_BALANCE);

    /* a locksroot without the lock, and a changed ta */
    make_lock(&l, s, 0x46, 10, 60);
    ck_assert_int_eq(ch_make_mediated(&chA, &l, 20, &st, NULL), 0);
    forged(&st, &m, skA);
    memset(m.u.mediated.bp.locksroot, 0, 32);
    sign(&m, skA);
    refused(&m, 20, ERR_INVAL, CH_E_INVALID_LOCKSROOT);
    forged(&st, &m, skA);
    m.u.mediated.bp.transferred_amount = U(1);
    sign(&m, skA);
    refused(&m, 20, ERR_INVAL, CH_E_INVALID_TA);

    /* accepted, then the same secret hash again is a duplicate */
    a_locks(&l, 20);
    ck_assert_int_eq(ch_make_mediated(&chA, &l, 20, &st, &code), ERR_INVAL);
    ck_assert_int_eq(code, CH_E_DUPLICATE_LOCK);

    /* unlock of an unknown secret; unlock with a wrong ta */
    uint8_t other[32];
    memset(other, 0x77, 32);
    ck_assert_int_eq(ch_make_unlock(&chA, other, &st, &code), ERR_INVAL);
    ck_assert_int_eq(code, CH_E_UNKNOWN_LOCK);
    ck_assert_int_eq(ch_make_unlock(&chA, s, &st, NULL), 0);
    forged(&st, &m, skA);
    m.u.unlock.bp.transferred_amount = U(9);
    sign(&m, skA);
    refused(&m, 30, ERR_INVAL, CH_E_INVALID_TA);

    /* removal too early; removal after the secret was registered in time */
    ck_assert_int_eq(ch_make_remove_expired(&chA, l.secret_hash, 60 + 18, &st, NULL), 0);
    forged(&st, &m, skA);
    sign(&m, skA);
    refused(&m, 60 + 16, ERR_INVAL, CH_E_LOCK_NOT_EXPIRED);
    ck_assert_int_eq(ch_secret_on_chain(&chB, l.secret_hash, 59), 1);
    refused(&m, 60 + 18, ERR_INVAL, CH_E_LOCK_REGISTERED);
    ck_assert_int_eq(ch_secret_on_chain(&chA, l.secret_hash, 59), 1);
    ck_assert_int_eq(ch_make_remove_expired(&chA, l.secret_hash, 60 + 18, &st, &code), ERR_INVAL);
    ck_assert_int_eq(code, CH_E_LOCK_REGISTERED);

    /* AnnounceDisposedResponse for a lock B never disposed */
    ck_assert_int_eq(ch_mark_disposed(&chA, CH_OURS, l.secret_hash), 0);
    ck_assert_int_eq(ch_make_disposed_response(&chA, l.secret_hash, &st, NULL), 0);
    forged(&st, &m, skA);
    sign(&m, skA);
    refused(&m, 61, ERR_INVAL, CH_E_LOCK_NOT_DISPOSED);
    ck_assert_int_eq(ch_mark_disposed(&chB, CH_PARTNER, l.secret_hash), 0);
    struct ch_step ok;
    ck_assert_int_eq(ch_recv_envelope(&chB, &m, 61, &chain_id, &ok, &code), 0);

    /* an AnnounceDisposed for a lock A does not hold, or not from B */
    struct ch_msg ad;
    ch_msg_init(&ad, CH_CMD_ANNOUNCE_DISPOSED);
    make_lock(&ad.u.disposed.lock, s, 0x55, 1, 60);
    memcpy(ad.u.disposed.channel_id, cid, 32);
    ad.u.disposed.open_block = OPEN_BLOCK;
    sign(&ad, skB);
    ck_assert_int_eq(ch_check_announce_disposed(&chA, &ad, &chain_id, &code), ERR_INVAL);
    ck_assert_int_eq(code, CH_E_UNKNOWN_LOCK);
    ad.u.disposed.lock = l;
    sign(&ad, skC);
    ck_assert_int_eq(ch_check_announce_disposed(&chA, &ad, &chain_id, &code), ERR_CRYPTO);
    ck_assert_int_eq(code, CH_E_INVALID_SIGNATURE);
}
END_TEST

/* A partner's lock that expired while we were offline is taken when its
 * MediatedTransfer finally arrives, and its removal after it: refusing it
 * would leave the next nonce unreachable and the channel stuck (Photon's
 * rules check only the upper bound of a received lock's expiration). */
START_TEST(expired_lock_from_an_offline_partner)
{
    struct ch_lock l;
    uint8_t s[32];
    struct ch_step st;
    struct ch_msg lock_msg, remove_msg;
    make_lock(&l, s, 0x51, 10, 60);
    ck_assert_int_eq(ch_make_mediated(&chA, &l, 20, &st, NULL), 0);
    send_step(&chA, skA, &st, &lock_msg);
    ck_assert_int_eq(ch_make_remove_expired(&chA, l.secret_hash, 60 + CH_FORK_CONFIRM + 1, &st,
                                            NULL), 0);
    send_step(&chA, skA, &st, &remove_msg);
    /* B was away until block 100: both arrive now, in nonce order */
    recv_ok(&chB, &lock_msg, 100);
    ck_assert_uint_eq(chB.end[CH_PARTNER].locks.n, 1);
    recv_ok(&chB, &remove_msg, 100);
    ck_assert_uint_eq(chB.end[CH_PARTNER].locks.n, 0);
    assert_agree();
}
END_TEST

START_TEST(refusals_after_close)
{
    struct ch_step st;
    struct ch_msg w, m;
    struct ch_lock l;
    uint8_t s[32];
    int code;
    make_lock(&l, s, 0x66, 10, 60);
    a_locks(&l, 20);
    u256 amt = U(5);
    ck_assert_int_eq(ch_make_direct(&chA, &amt, &st, NULL), 0);
    forged(&st, &m, skA);
    sign(&m, skA);

    ck_assert_int_eq(ch_on_closed(&chB, CH_OURS, 30), 0);
    ck_assert_int_eq(chB.state, CH_STATE_CLOSED);
    refused(&m, 31, ERR_BADSTATE, CH_E_CHANNEL_CLOSED);
    ck_assert_int_eq(ch_make_unlock(&chA, s, &st, NULL), 0);
    send_step(&chA, skA, &st, &w);
    refused(&w, 31, ERR_BADSTATE, CH_E_CHANNEL_CLOSED);
    /* nor may B make proofs any more */
    ck_assert_int_eq(ch_make_direct(&chB, &amt, &st, &code), ERR_BADSTATE);
    ck_assert_int_eq(code, CH_E_CHANNEL_CLOSED);
    ck_assert_int_eq(ch_on_closed(&chB, CH_PARTNER, 31), ERR_BADSTATE);
    /* a channel in a withdraw flow takes no new transfer, but an unlock */
    ck_assert_int_eq(ch_set_state(&chA, CH_STATE_PREPARE_WITHDRAW), 0);
    ck_assert_int_eq(ch_make_direct(&chA, &amt, &st, &code), ERR_BADSTATE);
    ck_assert_int_eq(code, CH_E_CHANNEL_NOT_OPEN);
}
END_TEST

START_TEST(chain_events)
{
    struct ch_step st;
    struct ch_msg w;
    u256 x, y;
    int code;

    /* deposits only grow */
    u256 d = U(900);
    ck_assert_int_eq(ch_on_deposit(&chA, CH_OURS, &d), ERR_INVAL);
    d = U(1200);
    ck_assert_int_eq(ch_on_deposit(&chA, CH_OURS, &d), 0);
    ck_assert_int_eq(ch_on_deposit(&chB, CH_PARTNER, &d), 0);

    /* A pays 200, locks 50: withdraw and cooperative settle need no locks */
    u256 amt = U(200);
    ck_assert_int_eq(ch_make_direct(&chA, &amt, &st, NULL), 0);
    send_step(&chA, skA, &st, &w);
    recv_ok(&chB, &w, 20);
    struct ch_lock l;
    uint8_t s[32];
    make_lock(&l, s, 0x12, 50, 80);
    a_locks(&l, 20);
    u256 wd = U(100);
    ck_assert_int_eq(ch_can_withdraw(&chB, CH_OURS, &wd, &x, &code), ERR_BADSTATE);
    ck_assert_int_eq(code, CH_E_WITHDRAW_WITH_LOCKS);
    ck_assert_int_eq(ch_can_coop_settle(&chB, &x, &y, &code), ERR_BADSTATE);
    ck_assert_int_eq(code, CH_E_COOP_SETTLE_WITH_LOCKS);
    ck_assert_int_eq(ch_make_unlock(&chA, s, &st, NULL), 0);
    send_step(&chA, skA, &st, &w);
    recv_ok(&chB, &w, 21);
    ck_assert_int_eq(ch_can_coop_settle(&chB, &x, &y, &code), 0);
    assert_u(&x, 500 + 250);
    assert_u(&y, 1200 - 250);
    wd = U(751);
    ck_assert_int_eq(ch_can_withdraw(&chB, CH_OURS, &wd, &x, &code), ERR_RANGE);
    ck_assert_int_eq(code, CH_E_INSUFFICIENT_BALANCE);
    wd = U(100);
    ck_assert_int_eq(ch_can_withdraw(&chB, CH_OURS, &wd, &x, &code), 0);
    assert_u(&x, 750);

    /* B's WithdrawRequest as A checks it: balances must match A's view */
    struct ch_msg wr;
    ch_msg_init(&wr, CH_CMD_WITHDRAW_REQUEST);
    memcpy(wr.u.withdraw.channel_id, cid, 32);
    wr.u.withdraw.open_block = OPEN_BLOCK;
    memcpy(wr.u.withdraw.p1, addrB, 20);
    memcpy(wr.u.withdraw.p2, addrA, 20);
    wr.u.withdraw.p1_balance = U(750);
    wr.u.withdraw.p1_withdraw = U(100);
    sign(&wr, skB);
    ck_assert_int_eq(ch_check_withdraw_msg(&chA, &wr, &chain_id, &code), 0);
    wr.u.withdraw.p1_balance = U(760);
    sign(&wr, skB);
    ck_assert_int_eq(ch_check_withdraw_msg(&chA, &wr, &chain_id, &code), ERR_INVAL);
    ck_assert_int_eq(code, CH_E_INVALID_BALANCE);

    /* A's SettleRequest as B checks it */
    struct ch_msg sr;
    ch_msg_init(&sr, CH_CMD_SETTLE_REQUEST);
    memcpy(sr.u.settle.channel_id, cid, 32);
    sr.u.settle.open_block = OPEN_BLOCK;
    memcpy(sr.u.settle.p1, addrA, 20);
    sr.u.settle.p1_balance = U(950);
    memcpy(sr.u.settle.p2, addrB, 20);
    sr.u.settle.p2_balance = U(750);
    sign(&sr, skA);
    ck_assert_int_eq(ch_check_settle_msg(&chB, &sr, &chain_id, &code), 0);
    sr.u.settle.p2_balance = U(700);
    sign(&sr, skA);
    ck_assert_int_eq(ch_check_settle_msg(&chB, &sr, &chain_id, &code), ERR_INVAL);
    ck_assert_int_eq(code, CH_E_INVALID_BALANCE);

    /* ChannelWithdraw: a new life; old-life proofs are refused, nonces
     * restart at 1 */
    struct ch_msg old = w;
    u256 da = U(950), db = U(650);
    ck_assert_int_eq(ch_on_withdraw(&chA, 40, &da, &db), 0);
    ck_assert_int_eq(ch_on_withdraw(&chB, 40, &db, &da), 0);
    ck_assert_int_eq(ch_on_withdraw(&chB, 40, &db, &da), ERR_INVAL);
    ck_assert_uint_eq(chB.end[CH_PARTNER].bp.nonce, 0);
    ck_assert_int_eq(ch_balance_of(&chB, CH_OURS, &x), 0);
    assert_u(&x, 650);
    refused(&old, 41, ERR_INVAL, CH_E_CHANNEL_MISMATCH);
    amt = U(50);
    ck_assert_int_eq(ch_make_direct(&chA, &amt, &st, NULL), 0);
    ck_assert_uint_eq(st.bp.nonce, 1);
    ck_assert_uint_eq(st.bp.open_block, 40);
    send_step(&chA, skA, &st, &w);
    recv_ok(&chB, &w, 41);

    /* a lock for the close */
    make_lock(&l, s, 0x13, 30, 120);
    a_locks(&l, 42);
    ck_assert_int_eq(ch_register_secret(&chB, CH_PARTNER, s), 0);

    /* A closes with B's (empty) proof; B updates with A's latest; B unlocks
     * the lock on chain */
    ck_assert_int_eq(ch_on_closed(&chB, CH_PARTNER, 50), 0);
    ck_assert(!chB.closed_by_us);
    ck_assert_uint_eq(chB.closed_block, 50);
    const struct ch_end *pa = &chB.end[CH_PARTNER];
    ch_on_bp_updated(&chB, CH_PARTNER, &pa->bp.transferred_amount, pa->bp.locksroot, pa->bp.nonce);
    ck_assert_int_eq(ch_settle_preview(&chB, &x, &y), 0);
    assert_u(&x, 650 + 50);
    assert_u(&y, 950 - 50);
    uint8_t lh[32];
    ch_lock_hash(&l, lh);
    u256 nta = U(80);
    ck_assert_int_eq(ch_on_unlocked(&chB, CH_PARTNER, lh, &nta), 0);
    ck_assert(chB.end[CH_PARTNER].info[0].unlocked_onchain);
    ck_assert_int_eq(ch_settle_preview(&chB, &x, &y), 0);
    assert_u(&x, 650 + 80);
    assert_u(&y, 950 - 80);
    memset(lh, 0, 32);
    ck_assert_int_eq(ch_on_unlocked(&chB, CH_PARTNER, lh, &nta), ERR_NOTFOUND);

    /* punish: B takes everything */
    ch_on_punished(&chB, CH_OURS);
    ck_assert_int_eq(ch_settle_preview(&chB, &x, &y), 0);
    assert_u(&x, 1600);
    assert_u(&y, 0);

    /* settle */
    ck_assert_int_eq(ch_set_state(&chB, CH_STATE_OPENED), ERR_BADSTATE);
    ck_assert_int_eq(ch_set_state(&chB, CH_STATE_SETTLING), 0);
    ch_on_settled(&chB, 500);
    ck_assert_int_eq(chB.state, CH_STATE_SETTLED);
    ck_assert_str_eq(ch_state_name(chB.state), "settled");
    ck_assert_str_eq(ch_code_name(CH_E_INVALID_NONCE), "invalid nonce");
}
END_TEST

START_TEST(init_and_copy)
{
    struct ch_channel c;
    ck_assert_int_eq(ch_channel_init(&c, cid, token, addrA, addrB, 1, 5, 3), ERR_RANGE);
    ch_channel_free(&c);
    ck_assert_int_eq(ch_channel_init(&c, cid, token, addrA, addrB, 1, 100, 100), ERR_RANGE);
    ch_channel_free(&c);
    ck_assert_int_eq(ch_channel_init(&c, cid, token, addrA, addrA, 1, 100, 10), ERR_INVAL);
    ch_channel_free(&c);
    ck_assert_int_eq(ch_side_of(&chA, addrB), CH_PARTNER);
    ck_assert_int_eq(ch_side_of(&chA, token), -1);

    /* a copy is independent of the original */
    struct ch_lock l;
    uint8_t s[32];
    make_lock(&l, s, 0x21, 5, 60);
    a_locks(&l, 20);
    memset(&c, 0, sizeof c);
    ck_assert_int_eq(ch_channel_copy(&c, &chB), 0);
    ck_assert_int_eq(ch_register_secret(&c, CH_PARTNER, s), 0);
    ck_assert(c.end[CH_PARTNER].info[0].secret_known);
    ck_assert(!chB.end[CH_PARTNER].info[0].secret_known);
    ck_assert_mem_eq(c.end[CH_PARTNER].locks.root, chB.end[CH_PARTNER].locks.root, 32);
    ch_channel_free(&c);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("channel_state");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, scripted_exchange);
    tcase_add_test(tc, refusals_direct);
    tcase_add_test(tc, refusals_locks);
    tcase_add_test(tc, expired_lock_from_an_offline_partner);
    tcase_add_test(tc, refusals_after_close);
    tcase_add_test(tc, chain_events);
    tcase_add_test(tc, init_and_copy);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
