/*
 * test_channel_store.c — the hub's durable store (channel/store.h,
 * channel/store_codec.h) in a temporary directory: every record kind
 * survives a close and reopen field for field; a turn that is not
 * committed (a kill before the commit) leaves nothing behind; the outbox
 * lists in nonce order per (partner, channel); acks are found by echo and
 * bounded per partner, also across reopen; a thousand turns reload to the
 * last one; corrupt, foreign-version and oversized records fail the load
 * with an error naming them.
 */
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "channel/channel.h"
#include "channel/store.h"
#include "channel/store_codec.h"
#include "primitives/rlp.h"
#include "storage/db.h"
#include "util/err.h"

static char dir[512];
static uint8_t addrA[20], addrB[20], addrC[20], token[20], cid1[32], cid2[32];

static u256 U(uint64_t v)
{
    return u256_from_u64(v);
}

static void remove_dir(void)
{
    DIR *dp = opendir(dir);
    if (dp) {
        struct dirent *e;
        while ((e = readdir(dp)) != NULL)
            if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
                unlinkat(dirfd(dp), e->d_name, 0);
        closedir(dp);
    }
    rmdir(dir);
}

static void setup(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/test_channel_store.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    memset(addrA, 0xaa, 20);
    memset(addrB, 0xbb, 20);
    memset(addrC, 0xcc, 20);
    memset(token, 0x70, 20);
    memset(cid1, 0x01, 32);
    memset(cid2, 0x02, 32);
}

static void teardown(void)
{
    remove_dir();
}

static struct ch_store *open_store(size_t acks)
{
    struct ch_store_options o = {.acks_per_partner = acks};
    struct ch_store *st = NULL;
    int rc = ch_store_open(dir, &o, &st);
    ck_assert_msg(rc == 0, "open: %s", err_msg());
    return st;
}

/* A channel with something in every field: deposits, proofs with
 * signatures, locks in a given order with secrets and flags, a chain view. */
static void sample_channel(struct ch_channel *ch, const uint8_t cid[32], uint64_t ob)
{
    ck_assert_int_eq(ch_channel_init(ch, cid, token, addrA, addrB, ob, 600, 30), 0);
    ch->end[CH_OURS].deposit = U(1000);
    ch->end[CH_PARTNER].deposit = U(777);
    for (int s = 0; s < 2; s++) {
        struct ch_end *e = &ch->end[s];
        for (int i = 0; i < 3; i++) {
            struct ch_lock l = {.expiration = 100 + (uint64_t)i * 7 + (uint64_t)s,
                                .amount = U(5 + (uint64_t)i)};
            memset(l.secret_hash, 0x30 + i + 8 * s, 32);
            struct ch_lock_info info = {0};
            info.secret_known = i == 1;
            memset(info.secret, 0x50 + i, 32);
            info.registered_block = i == 2 ? 90 : 0;
            info.disposed = i == 0 && s == 1;
            info.unlocked_onchain = i == 2;
            ck_assert_int_eq(ch_end_add_lock(e, &l, &info), 0);
        }
        e->bp.nonce = 9 + (uint64_t)s;
        memcpy(e->bp.channel_id, cid, 32);
        e->bp.open_block = ob;
        e->bp.transferred_amount = U(40 + (uint64_t)s);
        memcpy(e->bp.locksroot, e->locks.root, 32);
        memset(e->additional_hash, 0x61 + s, 32);
        memset(e->sig, 0x71 + s, CH_SIG_LEN);
    }
    ch->end[CH_PARTNER].chain_bp = true;
    ch->end[CH_PARTNER].chain_nonce = 8;
    ch->end[CH_PARTNER].chain_ta = U(33);
    memset(ch->end[CH_PARTNER].chain_locksroot, 0x5a, 32);
    ch->state = CH_STATE_CLOSED;
    ch->closed_block = 150;
    ch->closed_by_us = true;
}

static void assert_end_eq(const struct ch_end *a, const struct ch_end *b)
{
    ck_assert_mem_eq(a->addr, b->addr, 20);
    ck_assert(u256_eq(&a->deposit, &b->deposit));
    ck_assert_uint_eq(a->bp.nonce, b->bp.nonce);
    ck_assert_mem_eq(a->bp.channel_id, b->bp.channel_id, 32);
    ck_assert_uint_eq(a->bp.open_block, b->bp.open_block);
    ck_assert(u256_eq(&a->bp.transferred_amount, &b->bp.transferred_amount));
    ck_assert_mem_eq(a->bp.locksroot, b->bp.locksroot, 32);
    ck_assert_mem_eq(a->additional_hash, b->additional_hash, 32);
    ck_assert_mem_eq(a->sig, b->sig, CH_SIG_LEN);
    ck_assert_uint_eq(a->locks.n, b->locks.n);
    for (size_t i = 0; i < a->locks.n; i++) {
        ck_assert(ch_lock_eq(&a->locks.locks[i], &b->locks.locks[i]));
        const struct ch_lock_info *x = &a->info[i], *y = &b->info[i];
        ck_assert_int_eq(x->secret_known, y->secret_known);
        if (x->secret_known)
            ck_assert_mem_eq(x->secret, y->secret, 32);
        ck_assert_uint_eq(x->registered_block, y->registered_block);
        ck_assert_int_eq(x->disposed, y->disposed);
        ck_assert_int_eq(x->unlocked_onchain, y->unlocked_onchain);
    }
    ck_assert_int_eq(a->chain_bp, b->chain_bp);
    ck_assert_uint_eq(a->chain_nonce, b->chain_nonce);
    ck_assert(u256_eq(&a->chain_ta, &b->chain_ta));
    ck_assert_mem_eq(a->chain_locksroot, b->chain_locksroot, 32);
}

static void assert_channel_eq(const struct ch_channel *a, const struct ch_channel *b)
{
    ck_assert_mem_eq(a->channel_id, b->channel_id, 32);
    ck_assert_mem_eq(a->token, b->token, 20);
    ck_assert_uint_eq(a->open_block, b->open_block);
    ck_assert_uint_eq(a->settle_timeout, b->settle_timeout);
    ck_assert_uint_eq(a->reveal_timeout, b->reveal_timeout);
    ck_assert_int_eq(a->state, b->state);
    ck_assert_uint_eq(a->closed_block, b->closed_block);
    ck_assert_uint_eq(a->settled_block, b->settled_block);
    ck_assert_int_eq(a->closed_by_us, b->closed_by_us);
    assert_end_eq(&a->end[0], &b->end[0]);
    assert_end_eq(&a->end[1], &b->end[1]);
}

static struct ch_store_outbox outbox(const uint8_t partner[20], const uint8_t cid[32],
                                     uint64_t ob, uint64_t nonce)
{
    struct ch_store_outbox e;
    memset(&e, 0, sizeof e);
    memcpy(e.partner, partner, 20);
    memcpy(e.channel_id, cid, 32);
    e.open_block = ob;
    e.nonce = nonce;
    e.len = 100 + (size_t)(nonce % 900);
    memset(e.packet, (int)(nonce & 0xff), e.len);
    return e;
}

static void echo_of(uint8_t echo[32], int who, int i)
{
    memset(echo, 0, 32);
    echo[0] = (uint8_t)who;
    echo[30] = (uint8_t)(i >> 8);
    echo[31] = (uint8_t)i;
}

static void put_ack(struct ch_store *st, const uint8_t partner[20], int who, int i)
{
    uint8_t echo[32], pkt[56];
    echo_of(echo, who, i);
    memset(pkt, i & 0xff, sizeof pkt);
    ck_assert_int_eq(ch_store_put_ack(st, partner, echo, pkt, sizeof pkt), 0);
}

static bool has_ack(struct ch_store *st, int who, int i)
{
    uint8_t echo[32], pkt[CH_STORE_ACK_MAX], partner[20];
    size_t len;
    echo_of(echo, who, i);
    int rc = ch_store_get_ack(st, echo, pkt, &len, partner);
    if (rc == ERR_NOTFOUND)
        return false;
    ck_assert_int_eq(rc, 0);
    ck_assert_uint_eq(len, 56);
    ck_assert_int_eq(pkt[55], i & 0xff);
    return true;
}

START_TEST(round_trip_every_record)
{
    struct ch_store *st = open_store(0);
    struct ch_channel ch;
    sample_channel(&ch, cid1, 42);
    struct ch_store_secret sec = {.has_secret = true, .reveal_state = 3, .registered_block = 77};
    memset(sec.secret_hash, 0x91, 32);
    memset(sec.secret, 0x92, 32);
    struct ch_store_secret sec2 = {.has_secret = false, .reveal_state = 1};
    memset(sec2.secret_hash, 0x93, 32);
    struct ch_store_disposed d = {.open_block = 42, .by_partner = true};
    memcpy(d.channel_id, cid1, 32);
    d.lock = ch.end[CH_OURS].locks.locks[1];
    memset(d.additional_hash, 0xa1, 32);
    memset(d.sig, 0xa2, CH_SIG_LEN);
    struct ch_store_disposed d2 = d;
    d2.by_partner = false;
    d2.lock = ch.end[CH_PARTNER].locks.locks[0];
    struct ch_store_transfer t = {.amount = U(12345), .fee = U(7), .expiration = 300,
                                  .block = 99, .status = 3, .direct = false, .outgoing = true};
    memset(t.id, 0xb1, 32);
    memcpy(t.token, token, 20);
    memcpy(t.initiator, addrA, 20);
    memcpy(t.target, addrC, 20);
    memcpy(t.channel_id, cid1, 32);
    struct ch_fee_policy fees;
    ch_fee_policy_init(&fees);
    fees.account.fee_constant = U(3);
    fees.account.fee_percent = -1;
    struct ch_fee_setting fs = {.fee_constant = U(9), .fee_percent = 500};
    ck_assert_int_eq(ch_fee_policy_set_token(&fees, token, &fs), 0);
    fs.fee_percent = INT64_MAX;
    ck_assert_int_eq(ch_fee_policy_set_channel(&fees, cid1, &fs), 0);
    struct ch_store_outbox ob = outbox(addrB, cid1, 42, 5);

    ck_assert_int_eq(ch_store_put_channel(st, &ch), ERR_BADSTATE);  /* no turn */
    ck_assert_int_eq(ch_store_begin(st), 0);
    ck_assert_int_eq(ch_store_begin(st), ERR_BADSTATE);
    ck_assert_int_eq(ch_store_put_channel(st, &ch), 0);
    ck_assert_int_eq(ch_store_put_secret(st, &sec), 0);
    ck_assert_int_eq(ch_store_put_secret(st, &sec2), 0);
    ck_assert_int_eq(ch_store_put_disposed(st, &d), 0);
    ck_assert_int_eq(ch_store_put_disposed(st, &d2), 0);
    ck_assert_int_eq(ch_store_put_transfer(st, &t), 0);
    ck_assert_int_eq(ch_store_put_fees(st, &fees), 0);
    ck_assert_int_eq(ch_store_put_watchdog_block(st, 123456), 0);
    ck_assert_int_eq(ch_store_put_outbox(st, &ob), 0);
    put_ack(st, addrB, 1, 1);
    ck_assert_uint_gt(ch_store_turn_ops(st), 10);
    ck_assert_int_eq(ch_store_commit(st, true), 0);
    ck_assert(!ch_store_in_turn(st));
    ch_store_close(st);

    st = open_store(0);
    struct ch_store_state s;
    ck_assert_int_eq(ch_store_load(st, &s), 0);
    ck_assert_uint_eq(s.n_channels, 1);
    assert_channel_eq(&s.channels[0], &ch);
    ck_assert_uint_eq(s.n_secrets, 2);
    ck_assert_mem_eq(s.secrets[0].secret_hash, sec.secret_hash, 32);
    ck_assert(s.secrets[0].has_secret);
    ck_assert_mem_eq(s.secrets[0].secret, sec.secret, 32);
    ck_assert_uint_eq(s.secrets[0].reveal_state, 3);
    ck_assert_uint_eq(s.secrets[0].registered_block, 77);
    ck_assert(!s.secrets[1].has_secret);
    ck_assert_uint_eq(s.secrets[1].reveal_state, 1);
    ck_assert_uint_eq(s.n_disposed, 2);
    for (size_t i = 0; i < 2; i++) {
        const struct ch_store_disposed *x = &s.disposed[i];
        const struct ch_store_disposed *want = x->by_partner ? &d : &d2;
        ck_assert(ch_lock_eq(&x->lock, &want->lock));
        ck_assert_mem_eq(x->channel_id, cid1, 32);
        ck_assert_uint_eq(x->open_block, 42);
        ck_assert_mem_eq(x->additional_hash, want->additional_hash, 32);
        ck_assert_mem_eq(x->sig, want->sig, CH_SIG_LEN);
    }
    ck_assert_int_ne(s.disposed[0].by_partner, s.disposed[1].by_partner);
    ck_assert(u256_eq(&s.fees.account.fee_constant, &fees.account.fee_constant));
    ck_assert_int_eq(s.fees.account.fee_percent, -1);
    ck_assert_uint_eq(s.fees.n_tokens, 1);
    ck_assert_int_eq(s.fees.tokens[0].fee.fee_percent, 500);
    ck_assert_uint_eq(s.fees.n_channels, 1);
    ck_assert_int_eq(s.fees.channels[0].fee.fee_percent, INT64_MAX);
    ck_assert_mem_eq(s.fees.channels[0].channel_id, cid1, 32);
    ck_assert(s.has_watchdog_block);
    ck_assert_uint_eq(s.watchdog_block, 123456);

    struct ch_store_transfer t2;
    ck_assert_int_eq(ch_store_get_transfer(st, t.id, &t2), 0);
    ck_assert_mem_eq(&t2.id, t.id, 32);
    ck_assert_mem_eq(t2.target, addrC, 20);
    ck_assert(u256_eq(&t2.amount, &t.amount));
    ck_assert(u256_eq(&t2.fee, &t.fee));
    ck_assert_uint_eq(t2.expiration, 300);
    ck_assert_uint_eq(t2.block, 99);
    ck_assert_uint_eq(t2.status, 3);
    ck_assert(!t2.direct && t2.outgoing);
    uint8_t none[32] = {0};
    ck_assert_int_eq(ch_store_get_transfer(st, none, &t2), ERR_NOTFOUND);

    struct ch_store_outbox *list;
    size_t n;
    ck_assert_int_eq(ch_store_outbox_list(st, addrB, cid1, 42, &list, &n), 0);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(list[0].len, ob.len);
    ck_assert_mem_eq(list[0].packet, ob.packet, ob.len);
    free(list);
    ck_assert(has_ack(st, 1, 1));
    ck_assert(!has_ack(st, 1, 2));

    /* a channel life is deleted with its ends, locks and disposed locks */
    ck_assert_int_eq(ch_store_begin(st), 0);
    ck_assert_int_eq(ch_store_delete_channel(st, cid1, 42), 0);
    ck_assert_int_eq(ch_store_delete_secret(st, sec2.secret_hash), 0);
    ck_assert_int_eq(ch_store_delete_transfer(st, t.id), 0);
    ck_assert_int_eq(ch_store_commit(st, true), 0);
    ch_store_state_free(&s);
    ck_assert_int_eq(ch_store_load(st, &s), 0);
    ck_assert_uint_eq(s.n_channels, 0);
    ck_assert_uint_eq(s.n_disposed, 0);
    ck_assert_uint_eq(s.n_secrets, 1);
    ck_assert_int_eq(ch_store_get_transfer(st, t.id, &t2), ERR_NOTFOUND);
    ch_store_state_free(&s);
    ch_store_close(st);
    ch_fee_policy_free(&fees);
    ch_channel_free(&ch);
}
END_TEST

START_TEST(uncommitted_turn_leaves_nothing)
{
    struct ch_store *st = open_store(0);
    struct ch_channel ch1, ch2;
    sample_channel(&ch1, cid1, 1);
    sample_channel(&ch2, cid2, 1);
    ck_assert_int_eq(ch_store_begin(st), 0);
    ck_assert_int_eq(ch_store_put_channel(st, &ch1), 0);
    put_ack(st, addrB, 1, 1);
    ck_assert_int_eq(ch_store_commit(st, true), 0);

    /* a turn that aborts: the ack index is back as it was */
    ck_assert_int_eq(ch_store_begin(st), 0);
    put_ack(st, addrB, 1, 2);
    put_ack(st, addrC, 2, 1);
    ck_assert_uint_eq(ch_store_ack_count(st, addrB), 2);
    ch_store_abort(st);
    ck_assert_uint_eq(ch_store_ack_count(st, addrB), 1);
    ck_assert_uint_eq(ch_store_ack_count(st, addrC), 0);

    /* a turn cut short by a kill: every kind of change, never committed */
    ck_assert_int_eq(ch_store_begin(st), 0);
    ch1.end[CH_PARTNER].bp.nonce = 99;
    ck_assert_int_eq(ch_store_put_end(st, &ch1, CH_PARTNER), 0);
    ck_assert_int_eq(ch_store_put_channel(st, &ch2), 0);
    put_ack(st, addrB, 1, 3);
    struct ch_store_outbox ob = outbox(addrB, cid2, 1, 1);
    ck_assert_int_eq(ch_store_put_outbox(st, &ob), 0);
    ck_assert_int_eq(ch_store_put_watchdog_block(st, 5), 0);
    ch_store_close(st);

    st = open_store(0);
    struct ch_store_state s;
    ck_assert_int_eq(ch_store_load(st, &s), 0);
    ck_assert_uint_eq(s.n_channels, 1);
    ck_assert_mem_eq(s.channels[0].channel_id, cid1, 32);
    ck_assert_uint_eq(s.channels[0].end[CH_PARTNER].bp.nonce, 10);
    ck_assert(!s.has_watchdog_block);
    ck_assert(has_ack(st, 1, 1));
    ck_assert(!has_ack(st, 1, 2));
    ck_assert(!has_ack(st, 1, 3));
    ck_assert_uint_eq(ch_store_ack_count(st, addrB), 1);
    struct ch_store_outbox *list;
    size_t n;
    ck_assert_int_eq(ch_store_outbox_list(st, NULL, NULL, 0, &list, &n), 0);
    ck_assert_uint_eq(n, 0);
    ck_assert_int_eq(ch_store_commit(st, true), ERR_BADSTATE);
    ch_store_state_free(&s);
    ch_store_close(st);
    ch_channel_free(&ch1);
    ch_channel_free(&ch2);
}
END_TEST

START_TEST(outbox_in_nonce_order)
{
    struct ch_store *st = open_store(0);
    static const uint64_t nonces[] = {10, 2, 300, 1, 256, 65536};
    ck_assert_int_eq(ch_store_begin(st), 0);
    for (size_t i = 0; i < 6; i++) {
        struct ch_store_outbox e = outbox(addrB, cid1, 7, nonces[i]);
        ck_assert_int_eq(ch_store_put_outbox(st, &e), 0);
    }
    struct ch_store_outbox e = outbox(addrB, cid2, 7, 3);
    ck_assert_int_eq(ch_store_put_outbox(st, &e), 0);
    e = outbox(addrB, cid1, 8, 1);      /* the next life of cid1 */
    ck_assert_int_eq(ch_store_put_outbox(st, &e), 0);
    e = outbox(addrA, cid1, 7, 4);
    ck_assert_int_eq(ch_store_put_outbox(st, &e), 0);
    e.len = 0;
    ck_assert_int_eq(ch_store_put_outbox(st, &e), ERR_RANGE);
    e.len = CH_PACKET_MAX + 1;
    ck_assert_int_eq(ch_store_put_outbox(st, &e), ERR_RANGE);
    ck_assert_int_eq(ch_store_commit(st, true), 0);

    struct ch_store_outbox *list;
    size_t n;
    ck_assert_int_eq(ch_store_outbox_list(st, addrB, cid1, 7, &list, &n), 0);
    static const uint64_t want[] = {1, 2, 10, 256, 300, 65536};
    ck_assert_uint_eq(n, 6);
    for (size_t i = 0; i < n; i++) {
        ck_assert_uint_eq(list[i].nonce, want[i]);
        ck_assert_uint_eq(list[i].len, 100 + want[i] % 900);
        ck_assert_int_eq(list[i].packet[0], (int)(want[i] & 0xff));
    }
    free(list);
    ck_assert_int_eq(ch_store_outbox_list(st, addrB, NULL, 0, &list, &n), 0);
    ck_assert_uint_eq(n, 8);
    free(list);
    ck_assert_int_eq(ch_store_outbox_list(st, NULL, NULL, 0, &list, &n), 0);
    ck_assert_uint_eq(n, 9);
    ck_assert_mem_eq(list[0].partner, addrA, 20);
    free(list);

    /* acknowledged entries leave */
    ck_assert_int_eq(ch_store_begin(st), 0);
    ck_assert_int_eq(ch_store_delete_outbox(st, addrB, cid1, 7, 1), 0);
    ck_assert_int_eq(ch_store_delete_outbox(st, addrB, cid1, 7, 10), 0);
    ck_assert_int_eq(ch_store_commit(st, true), 0);
    ck_assert_int_eq(ch_store_outbox_list(st, addrB, cid1, 7, &list, &n), 0);
    ck_assert_uint_eq(n, 4);
    ck_assert_uint_eq(list[0].nonce, 2);
    ck_assert_uint_eq(list[1].nonce, 256);
    free(list);
    ch_store_close(st);
}
END_TEST

START_TEST(acks_by_echo_bounded)
{
    struct ch_store *st = open_store(4);
    /* partner B: acks 0..5 over three turns (one turn evicts its own) */
    for (int turn = 0; turn < 2; turn++) {
        ck_assert_int_eq(ch_store_begin(st), 0);
        for (int i = 0; i < 2; i++)
            put_ack(st, addrB, 1, turn * 2 + i);
        ck_assert_int_eq(ch_store_commit(st, true), 0);
    }
    ck_assert_int_eq(ch_store_begin(st), 0);
    put_ack(st, addrB, 1, 4);
    put_ack(st, addrB, 1, 5);
    put_ack(st, addrC, 2, 0);
    uint8_t e0[32] = {0}, big[CH_STORE_ACK_MAX + 1] = {0};
    ck_assert_int_eq(ch_store_put_ack(st, addrC, e0, big, 0), ERR_RANGE);
    ck_assert_int_eq(ch_store_put_ack(st, addrC, e0, big, sizeof big), ERR_RANGE);
    ck_assert_int_eq(ch_store_commit(st, true), 0);
    ck_assert_uint_eq(ch_store_ack_count(st, addrB), 4);
    ck_assert_uint_eq(ch_store_ack_count(st, addrC), 1);
    ck_assert(!has_ack(st, 1, 0));
    ck_assert(!has_ack(st, 1, 1));
    for (int i = 2; i < 6; i++)
        ck_assert(has_ack(st, 1, i));
    ck_assert(has_ack(st, 2, 0));
    uint8_t echo[32], pkt[CH_STORE_ACK_MAX], who[20];
    size_t len;
    echo_of(echo, 2, 0);
    ck_assert_int_eq(ch_store_get_ack(st, echo, pkt, &len, who), 0);
    ck_assert_mem_eq(who, addrC, 20);

    /* after reopen the index goes on from where it was */
    ch_store_close(st);
    st = open_store(4);
    ck_assert_uint_eq(ch_store_ack_count(st, addrB), 4);
    ck_assert_int_eq(ch_store_begin(st), 0);
    put_ack(st, addrB, 1, 6);
    ck_assert_int_eq(ch_store_commit(st, true), 0);
    ck_assert(!has_ack(st, 1, 2));
    ck_assert(has_ack(st, 1, 3));
    ck_assert(has_ack(st, 1, 6));

    /* a smaller bound trims the oldest at open */
    ch_store_close(st);
    st = open_store(2);
    ck_assert_uint_eq(ch_store_ack_count(st, addrB), 2);
    ck_assert(!has_ack(st, 1, 4));
    ck_assert(has_ack(st, 1, 5));
    ck_assert(has_ack(st, 1, 6));
    ch_store_close(st);
}
END_TEST

START_TEST(reopen_after_many_turns)
{
    struct ch_store *st = open_store(16);
    struct ch_channel ch;
    ck_assert_int_eq(ch_channel_init(&ch, cid1, token, addrA, addrB, 3, 600, 30), 0);
    u256 dep = U(100000);
    ck_assert_int_eq(ch_on_deposit(&ch, CH_OURS, &dep), 0);
    ck_assert_int_eq(ch_store_begin(st), 0);
    ck_assert_int_eq(ch_store_put_channel(st, &ch), 0);
    ck_assert_int_eq(ch_store_commit(st, true), 0);
    u256 one = U(1);
    for (int i = 1; i <= 1000; i++) {
        struct ch_step step;
        ck_assert_int_eq(ch_make_direct(&ch, &one, &step, NULL), 0);
        ck_assert_int_eq(ch_apply(&ch, &step), 0);
        ck_assert_int_eq(ch_store_begin(st), 0);
        ck_assert_int_eq(ch_store_put_end(st, &ch, CH_OURS), 0);
        struct ch_store_outbox e = outbox(addrB, cid1, 3, (uint64_t)i);
        ck_assert_int_eq(ch_store_put_outbox(st, &e), 0);
        if (i > 1)
            ck_assert_int_eq(ch_store_delete_outbox(st, addrB, cid1, 3, (uint64_t)i - 1), 0);
        put_ack(st, addrB, 1, i);
        ck_assert_int_eq(ch_store_put_watchdog_block(st, (uint64_t)i), 0);
        ck_assert_int_eq(ch_store_commit(st, i % 10 == 0), 0);
    }
    ch_store_close(st);

    st = open_store(16);
    struct ch_store_state s;
    ck_assert_int_eq(ch_store_load(st, &s), 0);
    ck_assert_uint_eq(s.n_channels, 1);
    ck_assert_uint_eq(s.channels[0].end[CH_OURS].bp.nonce, 1000);
    u256 want = U(1000);
    ck_assert(u256_eq(&s.channels[0].end[CH_OURS].bp.transferred_amount, &want));
    ck_assert_uint_eq(s.watchdog_block, 1000);
    /* the reloaded channel takes the next step where the old one stopped */
    struct ch_step step;
    ck_assert_int_eq(ch_make_direct(&s.channels[0], &one, &step, NULL), 0);
    ck_assert_uint_eq(step.bp.nonce, 1001);
    struct ch_store_outbox *list;
    size_t n;
    ck_assert_int_eq(ch_store_outbox_list(st, addrB, cid1, 3, &list, &n), 0);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(list[0].nonce, 1000);
    free(list);
    ck_assert_uint_eq(ch_store_ack_count(st, addrB), 16);
    ck_assert(has_ack(st, 1, 1000));
    ck_assert(has_ack(st, 1, 985));
    ck_assert(!has_ack(st, 1, 984));
    ch_store_state_free(&s);
    ch_store_close(st);
    ch_channel_free(&ch);
}
END_TEST

/* Overwrites one key directly in the LevelDB directory. */
static void poke(const uint8_t *k, size_t kl, const uint8_t *v, size_t vl)
{
    struct db *db;
    struct db_options o = {.create_if_missing = false};
    ck_assert_int_eq(db_open(dir, &o, &db), 0);
    ck_assert_int_eq(db_put(db, k, kl, v, vl, true), 0);
    db_close(db);
}

static void life_key(uint8_t *k, uint8_t prefix, const uint8_t cid[32], uint64_t ob, int side)
{
    k[0] = prefix;
    memcpy(k + 1, cid, 32);
    be_put64(k + 33, ob);
    k[41] = (uint8_t)side;
}

static void load_fails(int want_rc, const char *want_text)
{
    struct ch_store *st = open_store(0);
    struct ch_store_state s;
    int rc = ch_store_load(st, &s);
    ck_assert_msg(rc == want_rc, "load: %d, want %d (%s)", rc, want_rc, err_msg());
    ck_assert_msg(strstr(err_msg(), want_text) != NULL, "context: %s", err_msg());
    ck_assert_uint_eq(s.n_channels, 0);
    ch_store_close(st);
}

START_TEST(corrupt_records_fail_the_load)
{
    struct ch_store *st = open_store(0);
    struct ch_channel ch;
    sample_channel(&ch, cid1, 42);
    ck_assert_int_eq(ch_store_begin(st), 0);
    ck_assert_int_eq(ch_store_put_channel(st, &ch), 0);
    ck_assert_int_eq(ch_store_commit(st, true), 0);
    ch_store_close(st);
    uint8_t k[42];

    /* garbage in an end record */
    life_key(k, CH_STORE_PREFIX_END, cid1, 42, 1);
    poke(k, 42, (const uint8_t *)"\xc3\x01\x02\x03", 4);
    load_fails(ERR_DECODE, "end record");

    /* a well-formed end whose locksroot is not its locks' root */
    struct bytes b = BYTES_INIT;
    struct ch_end e = ch.end[CH_PARTNER];
    memset(e.bp.locksroot, 0xee, 32);
    ck_assert_int_eq(ch_codec_put_end(&b, &e), 0);
    poke(k, 42, b.data, b.len);
    load_fails(ERR_DECODE, "locksroot");

    /* a missing lock list */
    bytes_reset(&b);
    ck_assert_int_eq(ch_codec_put_end(&b, &ch.end[CH_PARTNER]), 0);
    poke(k, 42, b.data, b.len);
    struct db *db;
    struct db_options o = {.create_if_missing = false};
    ck_assert_int_eq(db_open(dir, &o, &db), 0);
    life_key(k, CH_STORE_PREFIX_LOCKS, cid1, 42, 0);
    ck_assert_int_eq(db_delete(db, k, 42, true), 0);
    db_close(db);
    load_fails(ERR_DECODE, "missing locks");

    /* a record of a version this build does not know */
    bytes_reset(&b);
    ck_assert_int_eq(ch_codec_put_locks(&b, &ch.end[CH_OURS]), 0);
    size_t hl = b.data[0] >= 0xf8 ? 1 + (size_t)(b.data[0] - 0xf7) : 1;
    ck_assert_int_eq(b.data[hl], 0x01);
    b.data[hl] = 0x02;                              /* version 1 -> 2 */
    poke(k, 42, b.data, b.len);
    load_fails(ERR_UNSUPPORTED, "version 2");

    /* the good lock list back: the store loads again */
    bytes_reset(&b);
    ck_assert_int_eq(ch_codec_put_locks(&b, &ch.end[CH_OURS]), 0);
    poke(k, 42, b.data, b.len);
    st = open_store(0);
    struct ch_store_state s;
    ck_assert_int_eq(ch_store_load(st, &s), 0);
    assert_channel_eq(&s.channels[0], &ch);
    ch_store_state_free(&s);
    ch_store_close(st);

    /* a watchdog record that is not an integer */
    poke((const uint8_t *)CH_STORE_KEY_WATCHDOG, strlen(CH_STORE_KEY_WATCHDOG),
         (const uint8_t *)"\x01", 1);
    load_fails(ERR_DECODE, "not an RLP list");

    /* another schema version: the store does not open */
    bytes_reset(&b);
    ck_assert_int_eq(ch_codec_put_u64(&b, CH_STORE_SCHEMA_VERSION + 1), 0);
    poke((const uint8_t *)CH_STORE_KEY_SCHEMA, strlen(CH_STORE_KEY_SCHEMA), b.data, b.len);
    st = NULL;
    ck_assert_int_eq(ch_store_open(dir, NULL, &st), ERR_UNSUPPORTED);
    ck_assert_ptr_null(st);
    bytes_free(&b);
    ch_channel_free(&ch);
}
END_TEST

START_TEST(codec_bounds)
{
    /* a lock list longer than CH_LOCKS_MAX is refused before any lock is
     * added; a duplicate lock is a decode error */
    struct bytes b = BYTES_INIT;
    size_t m = rlp_list_begin(&b);
    rlp_put_u64(&b, CH_STORE_RECORD_VERSION);
    size_t l = rlp_list_begin(&b);
    for (int i = 0; i <= CH_LOCKS_MAX; i++) {
        size_t one = rlp_list_begin(&b);
        rlp_put_u64(&b, 100);
        rlp_put_u64(&b, 1);
        uint8_t h[32] = {0};
        h[0] = (uint8_t)(i >> 8);
        h[1] = (uint8_t)i;
        rlp_put_bytes(&b, h, 32);
        rlp_put_u64(&b, 0);
        rlp_put_bytes(&b, NULL, 0);
        rlp_put_u64(&b, 0);
        rlp_list_end(&b, one);
    }
    rlp_list_end(&b, l);
    rlp_list_end(&b, m);
    ck_assert_int_eq(bytes_ok(&b), 0);
    struct ch_end e;
    ch_end_init(&e, addrA);
    ck_assert_int_eq(ch_codec_get_locks(b.data, b.len, &e), ERR_RANGE);
    ck_assert_uint_eq(e.locks.n, 0);

    /* a known secret round-trips; every truncation of the record fails */
    struct ch_end src;
    ch_end_init(&src, addrA);
    struct ch_lock lk = {.expiration = 9, .amount = U(1)};
    memset(lk.secret_hash, 7, 32);
    struct ch_lock_info info = {.secret_known = true};
    ck_assert_int_eq(ch_end_add_lock(&src, &lk, &info), 0);
    bytes_reset(&b);
    ck_assert_int_eq(ch_codec_put_locks(&b, &src), 0);
    ck_assert_int_eq(ch_codec_get_locks(b.data, b.len, &e), 0);
    ck_assert_uint_eq(e.locks.n, 1);
    ch_end_free(&e);
    ch_end_init(&e, addrA);
    /* truncations of a valid record never decode */
    for (size_t cut = 0; cut < b.len; cut++)
        ck_assert_int_ne(ch_codec_get_locks(b.data, cut, &e), 0);
    ch_end_free(&e);
    ch_end_free(&src);

    /* an outbox record with an empty packet */
    struct ch_store_outbox ob = outbox(addrB, cid1, 1, 1), back;
    ob.len = 0;
    bytes_reset(&b);
    ck_assert_int_eq(ch_codec_put_outbox(&b, &ob), 0);
    ck_assert_int_eq(ch_codec_get_outbox(b.data, b.len, &back), ERR_RANGE);
    bytes_free(&b);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("channel_store");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, round_trip_every_record);
    tcase_add_test(tc, uncommitted_turn_leaves_nothing);
    tcase_add_test(tc, outbox_in_nonce_order);
    tcase_add_test(tc, acks_by_echo_bounded);
    tcase_add_test(tc, reopen_after_many_turns);
    tcase_add_test(tc, corrupt_records_fail_the_load);
    tcase_add_test(tc, codec_bounds);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
