/*
 * test_channel_chain_hub.c — the hub's chain side (channel/hub.h, "chain
 * side"; hub_chain.c) on two real hub services A and B on 127.0.0.1, fed
 * with contract events built by hand instead of a chain:
 *   - ChannelOpenedAndDeposit naming A and B creates the channel on both
 *     (deposits on the right side), ChannelNewDeposit adds B's; an event of
 *     a channel of others is ignored; the last processed block is stored;
 *   - after direct transfers A→B, ChannelClosed by A makes B's watchdog ask
 *     for exactly updateBalanceProof(token, A, A's newest proof) and A's
 *     watchdog for nothing; ch_hub_chain_info shows the close;
 *   - B restarted from its store resumes at the stored block, rebuilds the
 *     closed channel's view, and at settle block + 257 asks for settle with
 *     both ends' on-chain proofs; ch_hub_chain_settle refuses before that
 *     block and gives the same call data after it;
 *   - our own close: ch_hub_chain_close gives prepareSettle with the
 *     partner's latest proof, moves the channel to CLOSING (transfers
 *     refused), and a proof the partner did not sign is refused;
 *   - ChannelSettled settles; a new ChannelOpenedAndDeposit on the same id
 *     starts a second life.
 */
#include <check.h>
#include <dirent.h>
#include <event2/thread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "channel/balance.h"
#include "channel/channel.h"
#include "channel/contract.h"
#include "channel/hub.h"
#include "util/err.h"

#define SETTLE_TIMEOUT 10
#define PUNISH 257

static char dirA[512], dirB[512];
static uint8_t skA[32], skB[32], addrA[20], addrB[20], addrC[20], token[20], tn[20], sreg[20],
    cid[32];
static u256 chain_id;

static u256 U(uint64_t v)
{
    return u256_from_u64(v);
}

static void rm_dir(const char *d)
{
    DIR *dp = opendir(d);
    if (dp) {
        struct dirent *e;
        while ((e = readdir(dp)) != NULL)
            if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
                unlinkat(dirfd(dp), e->d_name, 0);
        closedir(dp);
    }
    rmdir(d);
}

static void setup(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dirA, sizeof dirA, "%s/test_chain_hubA.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    snprintf(dirB, sizeof dirB, "%s/test_chain_hubB.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(dirA));
    ck_assert_ptr_nonnull(mkdtemp(dirB));
    memset(skA, 0, 32);
    skA[31] = 0xa1;
    memset(skB, 0, 32);
    skB[31] = 0xb2;
    ck_assert_int_eq(ch_address_of(skA, addrA), 0);
    ck_assert_int_eq(ch_address_of(skB, addrB), 0);
    memset(addrC, 0xcc, 20);
    memset(token, 0x70, 20);
    memset(tn, 0x7e, 20);
    memset(sreg, 0x5e, 20);
    ch_channel_id(addrA, addrB, token, tn, cid);
    chain_id = U(8888);
}

static void teardown(void)
{
    rm_dir(dirA);
    rm_dir(dirB);
}

struct side {
    struct ch_hub *hub;
    struct ch_hub_chain *hc;
    uint64_t last;
    bool has;
};

static void start(struct side *s, const char *dir, const uint8_t sk[32])
{
    struct ch_hub_config c;
    memset(&c, 0, sizeof c);
    c.dir = dir;
    memcpy(c.key, sk, 32);
    c.chain_id = chain_id;
    c.bind = "127.0.0.1";
    c.resend_ms = 50;
    c.block = 1;
    int rc = ch_hub_start(&c, &s->hub);
    ck_assert_msg(rc == 0, "start: %s", err_msg());
    rc = ch_hub_chain_new(s->hub, tn, sreg, &s->hc, &s->last, &s->has);
    ck_assert_msg(rc == 0, "chain side: %s", err_msg());
}

static void stop(struct side *s)
{
    ch_hub_chain_free(s->hc);
    ch_hub_stop(s->hub);
    memset(s, 0, sizeof *s);
}

/* Applies events (all in `block`) up to `upto`; returns the calls asked
 * for (caller frees). */
static struct ch_hub_tx *apply(struct side *s, const struct ch_event *ev, size_t n,
                               uint64_t block, uint64_t upto, size_t *ntx)
{
    struct ch_hub_event e[4];
    ck_assert_uint_le(n, 4);
    for (size_t i = 0; i < n; i++) {
        e[i].block = block;
        e[i].ev = ev[i];
    }
    struct ch_hub_tx *txs = NULL;
    int rc = ch_hub_chain_apply(s->hc, e, n, upto, &txs, ntx);
    ck_assert_msg(rc == 0, "apply: %s", err_msg());
    return txs;
}

static struct ch_event opened(const uint8_t p[20], const uint8_t q[20], uint64_t deposit)
{
    struct ch_event e;
    memset(&e, 0, sizeof e);
    e.kind = CH_EV_OPENED;
    ch_channel_id(p, q, token, tn, e.channel_id);
    memcpy(e.u.opened.token, token, 20);
    memcpy(e.u.opened.participant, p, 20);
    memcpy(e.u.opened.partner, q, 20);
    e.u.opened.settle_timeout = SETTLE_TIMEOUT;
    e.u.opened.deposit = U(deposit);
    return e;
}

static struct ch_hub_channel_info info(struct side *s)
{
    struct ch_hub_channel_info i;
    int rc = ch_hub_get_channel(s->hub, cid, 0, &i);
    ck_assert_msg(rc == 0, "get: %s", err_msg());
    return i;
}

static void wait_acked(struct side *a, uint64_t nonce)
{
    for (int k = 0; k < 3000; k++) {
        struct ch_hub_channel_info i = info(a);
        if (i.acked_nonce >= nonce && i.unacked == 0)
            return;
        usleep(10000);
    }
    ck_abort_msg("not acknowledged");
}

/* Opens the channel on both hubs (A 1000, B 500 at block 5/6) and makes
 * three transfers A→B (1 + 2 + 3). */
static void open_and_pay(struct side *a, struct side *b)
{
    struct ch_event ev[2];
    ev[0] = opened(addrA, addrB, 1000);
    /* a channel of others in the same block: ignored */
    uint8_t addrD[20];
    memset(addrD, 0xdd, 20);
    ev[1] = opened(addrC, addrD, 1);
    size_t n;
    ch_hub_txs_free(apply(a, ev, 2, 5, 5, &n), n);
    ck_assert_uint_eq(n, 0);
    ch_hub_txs_free(apply(b, ev, 2, 5, 5, &n), n);
    ck_assert_uint_eq(n, 0);
    struct ch_event dep;
    memset(&dep, 0, sizeof dep);
    dep.kind = CH_EV_NEW_DEPOSIT;
    memcpy(dep.channel_id, cid, 32);
    memcpy(dep.u.new_deposit.participant, addrB, 20);
    dep.u.new_deposit.total_deposit = U(500);
    ch_hub_txs_free(apply(a, &dep, 1, 6, 6, &n), n);
    ch_hub_txs_free(apply(b, &dep, 1, 6, 6, &n), n);

    struct ch_hub_channel_info ia = info(a), ib = info(b);
    ck_assert_int_eq(ia.state, CH_STATE_OPENED);
    ck_assert_uint_eq(ia.open_block, 5);
    ck_assert_uint_eq(ia.settle_timeout, SETTLE_TIMEOUT);
    ck_assert_uint_eq(ia.reveal_timeout, 5);
    u256 d1000 = U(1000), d500 = U(500);
    ck_assert(u256_eq(&ia.deposit[CH_OURS], &d1000) && u256_eq(&ia.deposit[CH_PARTNER], &d500));
    ck_assert(u256_eq(&ib.deposit[CH_OURS], &d500) && u256_eq(&ib.deposit[CH_PARTNER], &d1000));
    struct ch_hub_channel_info *list = NULL;
    size_t nl = 0;
    ck_assert_int_eq(ch_hub_list_channels(a->hub, &list, &nl), 0);
    ck_assert_uint_eq(nl, 1);
    free(list);

    ck_assert_int_eq(ch_hub_register_peer(a->hub, addrB, "127.0.0.1", ch_hub_port(b->hub)), 0);
    ck_assert_int_eq(ch_hub_register_peer(b->hub, addrA, "127.0.0.1", ch_hub_port(a->hub)), 0);
    for (uint64_t x = 1; x <= 3; x++) {
        u256 amt = U(x);
        ck_assert_int_eq(ch_hub_transfer(a->hub, addrB, token, &amt, NULL), 0);
    }
    wait_acked(a, 3);
}

START_TEST(partner_close_update_restart_settle)
{
    struct side a, b;
    start(&a, dirA, skA);
    start(&b, dirB, skB);
    ck_assert(!a.has);
    open_and_pay(&a, &b);

    /* A closes with B's proof (none): B must post A's newest proof */
    struct ch_event cl;
    memset(&cl, 0, sizeof cl);
    cl.kind = CH_EV_CLOSED;
    memcpy(cl.channel_id, cid, 32);
    memcpy(cl.u.closed.closing, addrA, 20);
    size_t n;
    struct ch_hub_tx *t = apply(&b, &cl, 1, 10, 10, &n);
    ck_assert_uint_eq(n, 1);
    struct ch_hub_channel_info ib = info(&b);
    ck_assert_int_eq(ib.state, CH_STATE_CLOSED);
    struct ch_signed_bp sbp;
    memset(&sbp, 0, sizeof sbp);
    sbp.bp = ib.bp[CH_PARTNER];
    ck_assert_uint_eq(sbp.bp.nonce, 3);
    memcpy(sbp.additional_hash, ib.additional_hash[CH_PARTNER], 32);
    memcpy(sbp.signature, ib.sig[CH_PARTNER], CH_SIG_LEN);
    struct bytes want = BYTES_INIT;
    ck_assert_int_eq(ch_call_tn_update_balance_proof(token, addrA, &sbp, &want), 0);
    ck_assert_mem_eq(t[0].to, tn, 20);
    ck_assert_uint_eq(t[0].data.len, want.len);
    ck_assert_mem_eq(t[0].data.data, want.data, want.len);
    ck_assert_str_eq(t[0].what, "updateBalanceProof");
    ch_hub_txs_free(t, n);
    bytes_free(&want);
    ch_hub_txs_free(apply(&a, &cl, 1, 10, 10, &n), n);
    ck_assert_uint_eq(n, 0); /* nothing of B's to post */

    /* the update is mined */
    struct ch_event up;
    memset(&up, 0, sizeof up);
    up.kind = CH_EV_BALANCE_PROOF_UPDATED;
    memcpy(up.channel_id, cid, 32);
    memcpy(up.u.bp_updated.participant, addrA, 20);
    memcpy(up.u.bp_updated.locksroot, sbp.bp.locksroot, 32);
    up.u.bp_updated.transferred_amount = U(6);
    ch_hub_txs_free(apply(&b, &up, 1, 11, 11, &n), n);
    ck_assert_uint_eq(n, 0);
    struct ch_hub_chain_info ci;
    ck_assert_int_eq(ch_hub_chain_info(b.hc, cid, 0, &ci), 0);
    ck_assert_uint_eq(ci.closed_block, 10);
    ck_assert_uint_eq(ci.settle_block, 10 + SETTLE_TIMEOUT);
    ck_assert(!ci.closed_by_us && ci.chain_bp[CH_PARTNER]);
    u256 six = U(6), none = U(0);
    ck_assert(u256_eq(&ci.chain_ta[CH_OURS], &none)); /* A closed with no proof of ours */
    ck_assert(u256_eq(&ci.chain_ta[CH_PARTNER], &six));

    /* settle is refused before settle block + 257 */
    struct ch_hub_tx st;
    ck_assert_int_eq(ch_hub_chain_settle(b.hc, cid, &st), ERR_BADSTATE);
    ck_assert_ptr_nonnull(strstr(err_msg(), "possible from block 278"));

    /* B restarts: resumes at 11, and settles at 277 from the rebuilt view */
    stop(&b);
    start(&b, dirB, skB);
    ck_assert(b.has);
    ck_assert_uint_eq(b.last, 11);
    t = apply(&b, NULL, 0, 0, 10 + SETTLE_TIMEOUT + PUNISH - 1, &n);
    ck_assert_uint_eq(n, 0);
    ch_hub_txs_free(t, n);
    t = apply(&b, NULL, 0, 0, 10 + SETTLE_TIMEOUT + PUNISH, &n);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(t[0].what, "settle");
    uint8_t zero[32] = {0};
    u256 z = U(0);
    ck_assert_int_eq(ch_call_tn_settle(token, addrB, &z, zero, addrA, &six, sbp.bp.locksroot,
                                       &want),
                     0);
    ck_assert_uint_eq(t[0].data.len, want.len);
    ck_assert_mem_eq(t[0].data.data, want.data, want.len);
    ck_assert_int_eq(ch_hub_chain_settle(b.hc, cid, &st), 0);
    ck_assert_uint_eq(st.data.len, want.len);
    ck_assert_mem_eq(st.data.data, want.data, want.len);
    ch_hub_tx_free(&st);
    ch_hub_txs_free(t, n);
    bytes_free(&want);

    /* settled; then a new life on the same id */
    struct ch_event se;
    memset(&se, 0, sizeof se);
    se.kind = CH_EV_SETTLED;
    memcpy(se.channel_id, cid, 32);
    ch_hub_txs_free(apply(&b, &se, 1, 280, 280, &n), n);
    ck_assert_int_eq(info(&b).state, CH_STATE_SETTLED);
    struct ch_event again = opened(addrB, addrA, 77);
    ch_hub_txs_free(apply(&b, &again, 1, 300, 300, &n), n);
    struct ch_hub_channel_info nb = info(&b);
    ck_assert_int_eq(nb.state, CH_STATE_OPENED);
    ck_assert_uint_eq(nb.open_block, 300);
    u256 d77 = U(77);
    ck_assert(u256_eq(&nb.deposit[CH_OURS], &d77));
    struct ch_hub_channel_info *list = NULL;
    size_t nl = 0;
    ck_assert_int_eq(ch_hub_list_channels(b.hub, &list, &nl), 0);
    ck_assert_uint_eq(nl, 2);
    free(list);
    stop(&a);
    stop(&b);
}
END_TEST

START_TEST(our_close)
{
    struct side a, b;
    start(&a, dirA, skA);
    start(&b, dirB, skB);
    open_and_pay(&a, &b);
    /* B pays A once, so A holds a proof of B's */
    u256 amt = U(4);
    ck_assert_int_eq(ch_hub_transfer(b.hub, addrA, token, &amt, NULL), 0);
    wait_acked(&b, 1);
    struct ch_hub_channel_info ia = info(&a);
    ck_assert_uint_eq(ia.bp[CH_PARTNER].nonce, 1);

    /* a proof B did not sign (A's own) is refused, and nothing changes */
    struct ch_signed_bp mine;
    memset(&mine, 0, sizeof mine);
    mine.bp = ia.bp[CH_OURS];
    memcpy(mine.additional_hash, ia.additional_hash[CH_OURS], 32);
    memcpy(mine.signature, ia.sig[CH_OURS], CH_SIG_LEN);
    struct ch_hub_tx t;
    ck_assert_int_eq(ch_hub_chain_close(a.hc, cid, &mine, &t), ERR_CRYPTO);
    ck_assert_int_eq(info(&a).state, CH_STATE_OPENED);

    /* the close with B's latest proof */
    ck_assert_int_eq(ch_hub_chain_close(a.hc, cid, NULL, &t), 0);
    struct ch_signed_bp theirs;
    memset(&theirs, 0, sizeof theirs);
    theirs.bp = ia.bp[CH_PARTNER];
    memcpy(theirs.additional_hash, ia.additional_hash[CH_PARTNER], 32);
    memcpy(theirs.signature, ia.sig[CH_PARTNER], CH_SIG_LEN);
    struct bytes want = BYTES_INIT;
    ck_assert_int_eq(ch_call_tn_prepare_settle(token, addrB, &theirs, &want), 0);
    ck_assert_str_eq(t.what, "prepareSettle");
    ck_assert_uint_eq(t.data.len, want.len);
    ck_assert_mem_eq(t.data.data, want.data, want.len);
    ch_hub_tx_free(&t);
    bytes_free(&want);
    ck_assert_int_eq(info(&a).state, CH_STATE_CLOSING);
    u256 one = U(1);
    ck_assert_int_eq(ch_hub_transfer(a.hub, addrB, token, &one, NULL), ERR_NOTFOUND);
    ck_assert_int_eq(ch_hub_chain_close(a.hc, cid, NULL, &t), ERR_BADSTATE);
    stop(&a);
    stop(&b);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("channel_chain_hub");
    TCase *tc = tcase_create("hub chain side");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, partner_close_update_restart_settle);
    tcase_add_test(tc, our_close);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    if (evthread_use_pthreads() != 0)
        return EXIT_FAILURE;
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
