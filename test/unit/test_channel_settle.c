/*
 * test_channel_settle.c — withdraw and cooperative settle between two hub
 * services (channel/hub.h, hub_settle.c; photon.md §3.8) on 127.0.0.1, with
 * a channel written into both stores beforehand as if opened on chain:
 *   - withdraw: A pays B, asks B to co-sign a withdraw; both signatures
 *     recover to A and B over the contract's Withdraw message of A's real
 *     balance, the call data is withDraw's, no transfer passes either way
 *     while the flow is under way; the ChannelWithdraw event starts the new
 *     life on both hubs (open block, deposits = balances, nonces reset) and
 *     a transfer in the new life is accepted;
 *   - cooperative settle: the same with both balances, and the
 *     ChannelCooperativeSettled event settles the channel on both hubs;
 *   - refusals by the requester: amount above the balance, locks pending,
 *     a closed channel, change nothing;
 *   - refusals by the partner, driven from a raw UDP socket playing A: a
 *     request not signed by A gets nothing; one with a balance that is not
 *     B's view gets a refusal whose contract signature covers zero amounts
 *     (useless on chain) and leaves B open; a valid one gets B's signature
 *     and freezes the channel on B's side.
 */
#include <arpa/inet.h>
#include <check.h>
#include <dirent.h>
#include <event2/thread.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "channel/balance.h"
#include "channel/channel.h"
#include "channel/contract.h"
#include "channel/hub.h"
#include "channel/store.h"
#include "util/err.h"

#define OPEN_BLOCK 5
#define DEP_A 1000
#define DEP_B 400

static char dirA[512], dirB[512];
static uint8_t skA[32], skB[32], skC[32], addrA[20], addrB[20], token[20], tn[20], sreg[20],
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

/* Writes the channel into a store; with_lock: a lock of ours in our tree. */
static void seed_store(const char *dir, const uint8_t sk[32], const uint8_t self[20],
                       const uint8_t partner[20], uint64_t dep_self, uint64_t dep_partner,
                       bool with_lock)
{
    struct ch_store *st = NULL;
    ck_assert_int_eq(ch_store_open(dir, NULL, &st), 0);
    struct ch_channel ch;
    ck_assert_int_eq(ch_channel_init(&ch, cid, token, self, partner, OPEN_BLOCK, 600, 30), 0);
    u256 a = U(dep_self), b = U(dep_partner);
    ck_assert_int_eq(ch_on_deposit(&ch, CH_OURS, &a), 0);
    ck_assert_int_eq(ch_on_deposit(&ch, CH_PARTNER, &b), 0);
    if (with_lock) {
        struct ch_lock lock;
        memset(&lock, 0, sizeof lock);
        lock.expiration = 300;
        lock.amount = U(7);
        memset(lock.secret_hash, 0x5e, 32);
        struct ch_step step;
        struct ch_msg m;
        int code;
        ck_assert_int_eq(ch_make_mediated(&ch, &lock, 100, &step, &code), 0);
        ck_assert_int_eq(ch_step_msg_init(&step, &m), 0);
        memcpy(m.u.mediated.target, partner, 20);
        memcpy(m.u.mediated.initiator, self, 20);
        ck_assert_int_eq(ch_step_seal(&step, &m, sk, &chain_id), 0);
        ck_assert_int_eq(ch_apply(&ch, &step), 0);
    }
    ck_assert_int_eq(ch_store_begin(st), 0);
    ck_assert_int_eq(ch_store_put_channel(st, &ch), 0);
    ck_assert_int_eq(ch_store_commit(st, true), 0);
    ch_channel_free(&ch);
    ch_store_close(st);
}

static void setup(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dirA, sizeof dirA, "%s/test_channel_settleA.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    snprintf(dirB, sizeof dirB, "%s/test_channel_settleB.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(dirA));
    ck_assert_ptr_nonnull(mkdtemp(dirB));
    memset(skA, 0, 32);
    skA[31] = 0xa1;
    memset(skB, 0, 32);
    skB[31] = 0xb2;
    memset(skC, 0, 32);
    skC[31] = 0xc3;
    ck_assert_int_eq(ch_address_of(skA, addrA), 0);
    ck_assert_int_eq(ch_address_of(skB, addrB), 0);
    memset(token, 0x70, 20);
    memset(tn, 0x7e, 20);
    memset(sreg, 0x5a, 20);
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
    c.block = 100;
    int rc = ch_hub_start(&c, &s->hub);
    ck_assert_msg(rc == 0, "start: %s", err_msg());
    uint64_t last;
    bool has;
    rc = ch_hub_chain_new(s->hub, tn, sreg, &s->hc, &last, &has);
    ck_assert_msg(rc == 0, "chain side: %s", err_msg());
}

static void stop(struct side *s)
{
    ch_hub_chain_free(s->hc);
    ch_hub_stop(s->hub);
    memset(s, 0, sizeof *s);
}

static void apply(struct side *s, const struct ch_event *ev, uint64_t block)
{
    struct ch_hub_event e = {.block = block, .ev = *ev};
    struct ch_hub_tx *txs = NULL;
    size_t ntx = 0;
    int rc = ch_hub_chain_apply(s->hc, &e, 1, block, &txs, &ntx);
    ck_assert_msg(rc == 0, "apply: %s", err_msg());
    ch_hub_txs_free(txs, ntx);
}

static struct ch_hub_channel_info info_of(struct ch_hub *h)
{
    struct ch_hub_channel_info i;
    int rc = ch_hub_get_channel(h, cid, 0, &i);
    ck_assert_msg(rc == 0, "get: %s", err_msg());
    return i;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void wait_acked(struct ch_hub *h, uint64_t nonce)
{
    double end = now_s() + 20;
    struct ch_hub_channel_info i;
    do {
        i = info_of(h);
        if (i.acked_nonce >= nonce && i.unacked == 0)
            return;
        usleep(2000);
    } while (now_s() < end);
    ck_abort_msg("acked up to %llu only", (unsigned long long)i.acked_nonce);
}

static struct ch_hub_flow wait_flow(struct ch_hub *h)
{
    double end = now_s() + 20;
    struct ch_hub_flow f;
    do {
        int rc = ch_hub_get_flow(h, cid, &f);
        ck_assert_msg(rc == 0, "flow: %s", err_msg());
        if (f.status != CH_FLOW_PENDING)
            return f;
        usleep(5000);
    } while (now_s() < end);
    ck_abort_msg("no answer to the request");
    return f;
}

static void two_hubs(struct side *a, struct side *b)
{
    seed_store(dirA, skA, addrA, addrB, DEP_A, DEP_B, false);
    seed_store(dirB, skB, addrB, addrA, DEP_B, DEP_A, false);
    start(a, dirA, skA);
    start(b, dirB, skB);
    ck_assert_int_eq(ch_hub_register_peer(a->hub, addrB, "127.0.0.1", ch_hub_port(b->hub)), 0);
    ck_assert_int_eq(ch_hub_register_peer(b->hub, addrA, "127.0.0.1", ch_hub_port(a->hub)), 0);
}

static void pay(struct ch_hub *from, const uint8_t to[20], uint64_t amount)
{
    u256 x = U(amount);
    int rc = ch_hub_transfer(from, to, token, &x, NULL);
    ck_assert_msg(rc == 0, "transfer: %s", err_msg());
}

/* ---- withdraw ------------------------------------------------------------------ */

START_TEST(withdraw_new_life)
{
    struct side a, b;
    two_hubs(&a, &b);
    pay(a.hub, addrB, 100);
    pay(a.hub, addrB, 50);
    wait_acked(a.hub, 2);
    u256 w = U(600);
    int code = -1;
    int rc = ch_hub_withdraw(a.hub, cid, &w, &code);
    ck_assert_msg(rc == 0, "withdraw: %s", err_msg());
    ck_assert_int_eq(code, CH_OK);
    struct ch_hub_flow f = wait_flow(a.hub);
    ck_assert_int_eq(f.status, CH_FLOW_READY);
    ck_assert_int_eq(info_of(a.hub).state, CH_STATE_WITHDRAWING);
    ck_assert_int_eq(info_of(b.hub).state, CH_STATE_PARTNER_WITHDRAWING);
    /* both signatures over Withdraw(A, 850, 600, cid, open block, chain id) */
    u256 bal = U(DEP_A - 150);
    ck_assert(u256_eq(&f.p1_balance, &bal));
    ck_assert(u256_eq(&f.p1_withdraw, &w));
    uint8_t d[32], who[20];
    ch_sig_withdraw_digest(addrA, &bal, &w, cid, OPEN_BLOCK, &chain_id, d);
    ck_assert_int_eq(ch_recover(d, f.p1_sig, who), 0);
    ck_assert_mem_eq(who, addrA, 20);
    ck_assert_int_eq(ch_recover(d, f.p2_sig, who), 0);
    ck_assert_mem_eq(who, addrB, 20);
    struct bytes cd = BYTES_INIT, want = BYTES_INIT;
    ck_assert_int_eq(ch_hub_flow_calldata(&f, &cd), 0);
    ck_assert_int_eq(ch_call_tn_withdraw(token, addrA, addrB, &bal, &w, f.p1_sig, f.p2_sig, &want),
                     0);
    ck_assert_uint_eq(cd.len, want.len);
    ck_assert_mem_eq(cd.data, want.data, cd.len);
    bytes_free(&cd);
    bytes_free(&want);
    /* frozen both ways until the event */
    u256 one = U(1);
    ck_assert_int_eq(ch_hub_transfer(a.hub, addrB, token, &one, NULL), ERR_NOTFOUND);
    ck_assert_int_eq(ch_hub_transfer(b.hub, addrA, token, &one, NULL), ERR_NOTFOUND);
    /* a second request with another amount is refused; the same one is a no-op */
    u256 w2 = U(10);
    ck_assert_int_eq(ch_hub_withdraw(a.hub, cid, &w2, NULL), ERR_INVAL);
    ck_assert_int_eq(ch_hub_withdraw(a.hub, cid, &w, NULL), 0);

    /* ChannelWithdraw at block 120: p1 = A, new balances */
    struct ch_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = CH_EV_WITHDRAW;
    memcpy(ev.channel_id, cid, 32);
    memcpy(ev.u.withdraw.p1, addrA, 20);
    ev.u.withdraw.p1_balance = U(DEP_A - 150 - 600);
    memcpy(ev.u.withdraw.p2, addrB, 20);
    ev.u.withdraw.p2_balance = U(DEP_B + 150);
    apply(&a, &ev, 120);
    apply(&b, &ev, 120);
    struct ch_hub_channel_info ia = info_of(a.hub), ib = info_of(b.hub);
    ck_assert_uint_eq(ia.open_block, 120);
    ck_assert_uint_eq(ib.open_block, 120);
    ck_assert_int_eq(ia.state, CH_STATE_OPENED);
    ck_assert_int_eq(ib.state, CH_STATE_OPENED);
    ck_assert_uint_eq(ia.bp[CH_OURS].nonce, 0);
    ck_assert_uint_eq(ib.bp[CH_PARTNER].nonce, 0);
    u256 da = U(250), db = U(550);
    ck_assert(u256_eq(&ia.deposit[CH_OURS], &da));
    ck_assert(u256_eq(&ia.deposit[CH_PARTNER], &db));
    ck_assert(u256_eq(&ib.deposit[CH_OURS], &db));
    ck_assert_int_eq(ch_hub_get_flow(a.hub, cid, &f), 0);
    ck_assert_int_eq(f.status, CH_FLOW_DONE);
    ck_assert_int_eq(ch_hub_get_flow(a.hub, cid, &f), ERR_NOTFOUND);
    /* the new life carries payments both ways, from nonce 1 */
    pay(a.hub, addrB, 20);
    pay(b.hub, addrA, 5);
    wait_acked(a.hub, 1);
    wait_acked(b.hub, 1);
    ib = info_of(b.hub);
    ck_assert_uint_eq(ib.bp[CH_PARTNER].nonce, 1);
    ck_assert_uint_eq(ib.bp[CH_PARTNER].open_block, 120);
    u256 bb = U(550 + 20 - 5);
    ck_assert(u256_eq(&ib.balance[CH_OURS], &bb));
    /* more than the new balance cannot be withdrawn */
    u256 big = U(266);
    code = 0;
    ck_assert_int_eq(ch_hub_withdraw(a.hub, cid, &big, &code), ERR_RANGE);
    ck_assert_int_eq(code, CH_E_INSUFFICIENT_BALANCE);
    stop(&a);
    stop(&b);
}
END_TEST

/* ---- cooperative settle ---------------------------------------------------------- */

START_TEST(coop_settle_settles)
{
    struct side a, b;
    two_hubs(&a, &b);
    pay(a.hub, addrB, 300);
    wait_acked(a.hub, 1);
    pay(b.hub, addrA, 40);
    wait_acked(b.hub, 1);
    int code = -1;
    int rc = ch_hub_coop_settle(a.hub, cid, &code);
    ck_assert_msg(rc == 0, "settle: %s", err_msg());
    struct ch_hub_flow f = wait_flow(a.hub);
    ck_assert_int_eq(f.status, CH_FLOW_READY);
    ck_assert_int_eq(info_of(b.hub).state, CH_STATE_PARTNER_COOP_SETTLING);
    u256 pa = U(DEP_A - 300 + 40), pb = U(DEP_B + 300 - 40);
    ck_assert(u256_eq(&f.p1_balance, &pa));
    ck_assert(u256_eq(&f.p2_balance, &pb));
    uint8_t d[32], who[20];
    ch_sig_coop_settle_digest(addrA, &pa, addrB, &pb, cid, OPEN_BLOCK, &chain_id, d);
    ck_assert_int_eq(ch_recover(d, f.p1_sig, who), 0);
    ck_assert_mem_eq(who, addrA, 20);
    ck_assert_int_eq(ch_recover(d, f.p2_sig, who), 0);
    ck_assert_mem_eq(who, addrB, 20);
    /* a withdraw cannot start on top of it, on either side */
    u256 w = U(1);
    code = 0;
    ck_assert_int_eq(ch_hub_withdraw(b.hub, cid, &w, &code), ERR_BADSTATE);
    ck_assert_int_eq(code, CH_E_CHANNEL_NOT_OPEN);
    struct ch_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = CH_EV_COOPERATIVE_SETTLED;
    memcpy(ev.channel_id, cid, 32);
    ev.u.settled.p1_amount = pa;
    ev.u.settled.p2_amount = pb;
    apply(&a, &ev, 130);
    apply(&b, &ev, 130);
    ck_assert_int_eq(info_of(a.hub).state, CH_STATE_SETTLED);
    ck_assert_int_eq(info_of(b.hub).state, CH_STATE_SETTLED);
    ck_assert_int_eq(ch_hub_get_flow(a.hub, cid, &f), 0);
    ck_assert_int_eq(f.status, CH_FLOW_DONE);
    ck_assert_int_eq(ch_hub_coop_settle(a.hub, cid, &code), ERR_BADSTATE);
    stop(&a);
    stop(&b);
}
END_TEST

/* ---- refusals by the requester ------------------------------------------------- */

START_TEST(requester_refusals)
{
    struct side a, b;
    two_hubs(&a, &b);
    int code = 0;
    u256 big = U(DEP_A + 1), zero = U(0);
    ck_assert_int_eq(ch_hub_withdraw(a.hub, cid, &big, &code), ERR_RANGE);
    ck_assert_int_eq(code, CH_E_INSUFFICIENT_BALANCE);
    ck_assert_int_eq(ch_hub_withdraw(a.hub, cid, &zero, &code), ERR_INVAL);
    ck_assert_int_eq(code, CH_E_INVALID_AMOUNT);
    uint8_t other[32];
    memset(other, 0x33, 32);
    ck_assert_int_eq(ch_hub_withdraw(a.hub, other, &zero, &code), ERR_NOTFOUND);
    ck_assert_int_eq(info_of(a.hub).state, CH_STATE_OPENED);
    ck_assert_int_eq(info_of(b.hub).state, CH_STATE_OPENED);
    struct ch_hub_flow f;
    ck_assert_int_eq(ch_hub_get_flow(a.hub, cid, &f), ERR_NOTFOUND);
    /* closed on chain: nothing more */
    struct ch_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = CH_EV_CLOSED;
    memcpy(ev.channel_id, cid, 32);
    memcpy(ev.u.closed.closing, addrB, 20);
    apply(&a, &ev, 110);
    u256 w = U(10);
    ck_assert_int_eq(ch_hub_withdraw(a.hub, cid, &w, &code), ERR_BADSTATE);
    ck_assert_int_eq(code, CH_E_CHANNEL_NOT_OPEN);
    ck_assert_int_eq(ch_hub_coop_settle(a.hub, cid, &code), ERR_BADSTATE);
    ck_assert_int_eq(code, CH_E_CHANNEL_NOT_OPEN);
    ck_assert_int_eq(info_of(a.hub).state, CH_STATE_CLOSED);
    stop(&a);
    stop(&b);
}
END_TEST

START_TEST(locks_pending)
{
    /* A holds a lock of its own; B does not know it (B refuses for its own
     * reason then: A's balance is the same, B's view has no lock) */
    seed_store(dirA, skA, addrA, addrB, DEP_A, DEP_B, true);
    seed_store(dirB, skB, addrB, addrA, DEP_B, DEP_A, true);
    struct side a, b;
    start(&a, dirA, skA);
    start(&b, dirB, skB);
    ck_assert_int_eq(ch_hub_register_peer(a.hub, addrB, "127.0.0.1", ch_hub_port(b.hub)), 0);
    ck_assert_int_eq(ch_hub_register_peer(b.hub, addrA, "127.0.0.1", ch_hub_port(a.hub)), 0);
    int code = 0;
    u256 w = U(10);
    ck_assert_int_eq(ch_hub_withdraw(a.hub, cid, &w, &code), ERR_BADSTATE);
    ck_assert_int_eq(code, CH_E_WITHDRAW_WITH_LOCKS);
    ck_assert_int_eq(ch_hub_coop_settle(a.hub, cid, &code), ERR_BADSTATE);
    ck_assert_int_eq(code, CH_E_COOP_SETTLE_WITH_LOCKS);
    /* B has its own lock pending (A does not know it): B refuses A's
     * request with 5025 and A goes back to OPENED */
    ck_assert_int_eq(ch_hub_coop_settle(b.hub, cid, &code), ERR_BADSTATE);
    stop(&a);
    stop(&b);
    rm_dir(dirA);
    ck_assert_int_eq(mkdir(dirA, 0700), 0);
    seed_store(dirA, skA, addrA, addrB, DEP_A, DEP_B, false);
    start(&a, dirA, skA);
    start(&b, dirB, skB);
    ck_assert_int_eq(ch_hub_register_peer(a.hub, addrB, "127.0.0.1", ch_hub_port(b.hub)), 0);
    ck_assert_int_eq(ch_hub_register_peer(b.hub, addrA, "127.0.0.1", ch_hub_port(a.hub)), 0);
    ck_assert_int_eq(ch_hub_coop_settle(a.hub, cid, &code), 0);
    struct ch_hub_flow f = wait_flow(a.hub);
    ck_assert_int_eq(f.status, CH_FLOW_REFUSED);
    ck_assert_int_eq(f.error_code, CH_E_COOP_SETTLE_WITH_LOCKS);
    ck_assert_int_eq(info_of(a.hub).state, CH_STATE_OPENED);
    ck_assert_int_eq(info_of(b.hub).state, CH_STATE_OPENED);
    stop(&a);
    stop(&b);
}
END_TEST

/* ---- refusals by the partner, from a raw socket playing A ---------------------- */

static int raw_socket(uint16_t *port)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    ck_assert_int_ge(fd, 0);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    socklen_t sl = sizeof sa;
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
    *port = ntohs(sa.sin_port);
    return fd;
}

static void raw_send(int fd, uint16_t port, const struct ch_msg *m)
{
    uint8_t pkt[CH_PACKET_MAX];
    size_t len;
    ck_assert_int_eq(ch_msg_encode_buf(m, pkt, sizeof pkt, &len), 0);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = htons(port);
    ck_assert_int_eq(sendto(fd, pkt, len, 0, (struct sockaddr *)&sa, sizeof sa), (ssize_t)len);
}

/* Reads packets for up to ms; returns the first of cmd (true) or false. */
static bool raw_recv(int fd, int cmd, int ms, struct ch_msg *out)
{
    double end = now_s() + ms / 1000.0;
    while (now_s() < end) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 20) <= 0)
            continue;
        uint8_t buf[CH_PACKET_MAX];
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n > 0 && ch_msg_decode(buf, (size_t)n, out) == 0 && out->cmd == cmd)
            return true;
    }
    return false;
}

static void request_as(struct ch_msg *m, const uint8_t sk[32], uint64_t balance, uint64_t amount)
{
    ck_assert_int_eq(ch_msg_init(m, CH_CMD_WITHDRAW_REQUEST), 0);
    memcpy(m->u.withdraw.channel_id, cid, 32);
    m->u.withdraw.open_block = OPEN_BLOCK;
    memcpy(m->u.withdraw.p1, addrA, 20);
    memcpy(m->u.withdraw.p2, addrB, 20);
    m->u.withdraw.p1_balance = U(balance);
    m->u.withdraw.p1_withdraw = U(amount);
    uint8_t who[20];
    ck_assert_int_eq(ch_address_of(sk, who), 0);
    if (memcmp(who, addrA, 20) == 0) {
        ck_assert_int_eq(ch_msg_sign(m, sk, &chain_id), 0);
    } else {
        /* a forger: both signatures made with its own key over A's message */
        uint8_t d[32];
        ch_sig_withdraw_digest(addrA, &m->u.withdraw.p1_balance, &m->u.withdraw.p1_withdraw, cid,
                               OPEN_BLOCK, &chain_id, d);
        ck_assert_int_eq(ch_sign(d, sk, m->u.withdraw.contract_sig), 0);
        ck_assert_int_eq(ch_sign(d, sk, m->sig), 0); /* any signature: not A's */
    }
}

START_TEST(partner_refusals)
{
    seed_store(dirB, skB, addrB, addrA, DEP_B, DEP_A, false);
    struct side b;
    start(&b, dirB, skB);
    uint16_t port;
    int fd = raw_socket(&port);
    ck_assert_int_eq(ch_hub_register_peer(b.hub, addrA, "127.0.0.1", port), 0);
    uint16_t bport = ch_hub_port(b.hub);
    struct ch_msg m, r;

    /* not signed by A: no ack, no answer */
    request_as(&m, skC, DEP_A, 10);
    raw_send(fd, bport, &m);
    ck_assert(!raw_recv(fd, CH_CMD_ACK, 400, &r));
    ck_assert_int_eq(info_of(b.hub).state, CH_STATE_OPENED);

    /* A's balance claimed higher than B's view: refused, contract signature
     * over zero amounts only */
    request_as(&m, skA, DEP_A + 100, 10);
    raw_send(fd, bport, &m);
    ck_assert(raw_recv(fd, CH_CMD_WITHDRAW_RESPONSE, 3000, &r));
    ck_assert_int_eq(r.u.withdraw.error_code, CH_E_INVALID_BALANCE);
    ck_assert(u256_is_zero(&r.u.withdraw.p1_balance));
    ck_assert(u256_is_zero(&r.u.withdraw.p1_withdraw));
    uint8_t signer[20];
    ck_assert_int_eq(ch_msg_verify(&r, &chain_id, signer), 0);
    ck_assert_mem_eq(signer, addrB, 20);
    ck_assert_int_eq(info_of(b.hub).state, CH_STATE_OPENED);

    /* a valid request: B's signature over A's message, B frozen */
    request_as(&m, skA, DEP_A, 10);
    raw_send(fd, bport, &m);
    ck_assert(raw_recv(fd, CH_CMD_WITHDRAW_RESPONSE, 3000, &r));
    ck_assert_int_eq(r.u.withdraw.error_code, 0);
    ck_assert_int_eq(ch_msg_verify(&r, &chain_id, signer), 0);
    ck_assert_mem_eq(signer, addrB, 20);
    u256 bal = U(DEP_A);
    ck_assert(u256_eq(&r.u.withdraw.p1_balance, &bal));
    ck_assert_int_eq(info_of(b.hub).state, CH_STATE_PARTNER_WITHDRAWING);
    u256 one = U(1);
    ck_assert_int_eq(ch_hub_transfer(b.hub, addrA, token, &one, NULL), ERR_NOTFOUND);
    /* a cooperative settle on top of it is refused */
    struct ch_msg s;
    ck_assert_int_eq(ch_msg_init(&s, CH_CMD_SETTLE_REQUEST), 0);
    memcpy(s.u.settle.channel_id, cid, 32);
    s.u.settle.open_block = OPEN_BLOCK;
    memcpy(s.u.settle.p1, addrA, 20);
    s.u.settle.p1_balance = U(DEP_A);
    memcpy(s.u.settle.p2, addrB, 20);
    s.u.settle.p2_balance = U(DEP_B);
    ck_assert_int_eq(ch_msg_sign(&s, skA, &chain_id), 0);
    raw_send(fd, bport, &s);
    ck_assert(raw_recv(fd, CH_CMD_SETTLE_RESPONSE, 3000, &r));
    ck_assert_int_eq(r.u.settle.error_code, CH_E_CHANNEL_NOT_OPEN);
    ck_assert_int_eq(info_of(b.hub).state, CH_STATE_PARTNER_WITHDRAWING);
    /* the frozen state survives a restart */
    stop(&b);
    start(&b, dirB, skB);
    ck_assert_int_eq(info_of(b.hub).state, CH_STATE_PARTNER_WITHDRAWING);
    stop(&b);
    close(fd);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("channel_settle");
    TCase *tc = tcase_create("flows");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, withdraw_new_life);
    tcase_add_test(tc, coop_settle_settles);
    tcase_add_test(tc, requester_refusals);
    tcase_add_test(tc, locks_pending);
    tcase_add_test(tc, partner_refusals);
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
