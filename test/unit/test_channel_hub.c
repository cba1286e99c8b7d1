/*
 * test_channel_hub.c — two hub services (channel/hub.h) in one process, each
 * on its own thread and UDP port on 127.0.0.1, with a channel written into
 * both stores beforehand as if opened on chain:
 *   - 1,000 direct transfers A→B: both hubs end with the same balance
 *     proof (nonce, transferred amount, signature), the balances agree, the
 *     transfer records say success on both sides, and a clean restart
 *     reloads the same state;
 *   - B killed in the middle (the crash hook, before and after the commit of
 *     a turn, as kill -9 would), A stopped too, B restarted from its store:
 *     nothing A saw acknowledged is missing and B holds a prefix of the
 *     transfers; A restarted resends its outbox and the final proof equals
 *     the sum of all acknowledged transfers;
 *   - refusals (unknown partner, zero amount, over the deposit, a packet
 *     signed by someone else) change nothing and get no ack;
 *   - a channel opened through the command queue is stored and reloaded.
 */
#include <arpa/inet.h>
#include <check.h>
#include <dirent.h>
#include <event2/thread.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "channel/balance.h"
#include "channel/channel.h"
#include "channel/hub.h"
#include "channel/store.h"
#include "util/err.h"

#define N_TRANSFERS 1000
#define OPEN_BLOCK 5
#define DEP_A 1000000
#define DEP_B 500

static char dirA[512], dirB[512];
static uint8_t skA[32], skB[32], skC[32], addrA[20], addrB[20], token[20], tn[20], cid[32];
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

/* Writes the channel into a hub's store as the chain side would. */
static void seed_store(const char *dir, const uint8_t self[20], const uint8_t partner[20],
                       uint64_t dep_self, uint64_t dep_partner)
{
    struct ch_store *st = NULL;
    ck_assert_int_eq(ch_store_open(dir, NULL, &st), 0);
    struct ch_channel ch;
    ck_assert_int_eq(ch_channel_init(&ch, cid, token, self, partner, OPEN_BLOCK, 600, 30), 0);
    u256 a = U(dep_self), b = U(dep_partner);
    ck_assert_int_eq(ch_on_deposit(&ch, CH_OURS, &a), 0);
    ck_assert_int_eq(ch_on_deposit(&ch, CH_PARTNER, &b), 0);
    ck_assert_int_eq(ch_store_begin(st), 0);
    ck_assert_int_eq(ch_store_put_channel(st, &ch), 0);
    ck_assert_int_eq(ch_store_commit(st, true), 0);
    ch_channel_free(&ch);
    ch_store_close(st);
}

static void setup(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dirA, sizeof dirA, "%s/test_channel_hubA.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    snprintf(dirB, sizeof dirB, "%s/test_channel_hubB.XXXXXX", tmp && *tmp ? tmp : "/tmp");
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
    ch_channel_id(addrA, addrB, token, tn, cid);
    chain_id = U(8888);
    seed_store(dirA, addrA, addrB, DEP_A, DEP_B);
    seed_store(dirB, addrB, addrA, DEP_B, DEP_A);
}

static void teardown(void)
{
    rm_dir(dirA);
    rm_dir(dirB);
}

/* ---- crash hook ------------------------------------------------------------------ */

static atomic_int crash_point;  /* 0: off; else the point to die at */

static bool crash_hook(void *ctx, int point)
{
    (void)ctx;
    int want = atomic_load(&crash_point);
    if (want && point == want) {
        atomic_store(&crash_point, 0);
        return true;
    }
    return false;
}

static struct ch_hub *start_hub(const char *dir, const uint8_t sk[32], uint16_t port, bool hook)
{
    struct ch_hub_config c;
    memset(&c, 0, sizeof c);
    c.dir = dir;
    memcpy(c.key, sk, 32);
    c.chain_id = chain_id;
    c.bind = "127.0.0.1";
    c.port = port;
    c.resend_ms = 50;
    c.block = 100;
    if (hook)
        c.crash = crash_hook;
    struct ch_hub *h = NULL;
    int rc = ch_hub_start(&c, &h);
    ck_assert_msg(rc == 0, "start: %s", err_msg());
    return h;
}

static void connect_hubs(struct ch_hub *a, struct ch_hub *b)
{
    ck_assert_int_eq(ch_hub_register_peer(a, addrB, "127.0.0.1", ch_hub_port(b)), 0);
    ck_assert_int_eq(ch_hub_register_peer(b, addrA, "127.0.0.1", ch_hub_port(a)), 0);
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

/* Waits (at most 30 s) until A has every transfer up to `nonce` acked. */
static void wait_acked(struct ch_hub *a, uint64_t nonce)
{
    double end = now_s() + 30;
    struct ch_hub_channel_info i;
    do {
        i = info_of(a);
        if (i.acked_nonce >= nonce && i.unacked == 0)
            return;
        usleep(2000);
    } while (now_s() < end);
    ck_abort_msg("acked up to %llu only (unacked %zu)", (unsigned long long)i.acked_nonce,
                 i.unacked);
}

/* Transfers of amounts from+1 .. to (the i-th transfer pays i), in batches
 * of various sizes, some through the single-transfer call. */
static void pay(struct ch_hub *a, uint64_t from, uint64_t to)
{
    u256 amounts[64];
    uint64_t i = from + 1;
    size_t batch = 1;
    while (i <= to) {
        if (i % 97 == 0) {
            u256 amt = U(i);
            uint8_t id[32], want[32];
            int rc = ch_hub_transfer(a, addrB, token, &amt, id);
            ck_assert_msg(rc == 0, "transfer %llu: %s", (unsigned long long)i, err_msg());
            ch_hub_transfer_id(cid, OPEN_BLOCK, addrA, i, want);
            ck_assert_mem_eq(id, want, 32);
            i++;
            continue;
        }
        size_t n = 0;
        while (n < batch && i + n <= to && (i + n) % 97 != 0) {
            amounts[n] = U(i + n);
            n++;
        }
        size_t made = 0;
        int rc = ch_hub_transfer_many(a, addrB, token, amounts, n, &made);
        ck_assert_msg(rc == 0, "transfers from %llu: %s", (unsigned long long)i, err_msg());
        ck_assert_uint_eq(made, n);
        i += n;
        batch = batch % 60 + 7;
    }
}

static u256 sum_to(uint64_t n)
{
    return U(n * (n + 1) / 2);
}

/* Both hubs hold the same proof of A's end, and the balances add up. */
static void assert_agree(struct ch_hub *a, struct ch_hub *b, uint64_t nonce)
{
    struct ch_hub_channel_info ia = info_of(a), ib = info_of(b);
    ck_assert_uint_eq(ia.bp[CH_OURS].nonce, nonce);
    ck_assert_uint_eq(ib.bp[CH_PARTNER].nonce, nonce);
    u256 ta = sum_to(nonce);
    ck_assert(u256_eq(&ia.bp[CH_OURS].transferred_amount, &ta));
    ck_assert(u256_eq(&ib.bp[CH_PARTNER].transferred_amount, &ta));
    ck_assert_mem_eq(&ia.bp[CH_OURS], &ib.bp[CH_PARTNER], sizeof ia.bp[0]);
    ck_assert_mem_eq(ia.sig[CH_OURS], ib.sig[CH_PARTNER], CH_SIG_LEN);
    ck_assert_mem_eq(ia.additional_hash[CH_OURS], ib.additional_hash[CH_PARTNER], 32);
    ck_assert_uint_eq(ib.bp[CH_OURS].nonce, 0); /* B never paid */
    u256 a_bal = U(DEP_A), b_bal = U(DEP_B);
    u256_sub(&a_bal, &a_bal, &ta);
    u256_add(&b_bal, &b_bal, &ta);
    ck_assert(u256_eq(&ia.balance[CH_OURS], &a_bal));
    ck_assert(u256_eq(&ib.balance[CH_PARTNER], &a_bal));
    ck_assert(u256_eq(&ib.balance[CH_OURS], &b_bal));
    ck_assert(u256_eq(&ia.balance[CH_PARTNER], &b_bal));
}

static void assert_transfer(struct ch_hub *h, uint64_t nonce, bool outgoing)
{
    uint8_t id[32];
    ch_hub_transfer_id(cid, OPEN_BLOCK, addrA, nonce, id);
    struct ch_store_transfer t;
    int rc = ch_hub_get_transfer(h, id, &t);
    ck_assert_msg(rc == 0, "transfer %llu: %s", (unsigned long long)nonce, err_msg());
    ck_assert_uint_eq(t.status, CH_TRANSFER_SUCCESS);
    ck_assert(t.direct);
    ck_assert(t.outgoing == outgoing);
    u256 amt = U(nonce);
    ck_assert(u256_eq(&t.amount, &amt));
    ck_assert_mem_eq(t.initiator, addrA, 20);
    ck_assert_mem_eq(t.target, addrB, 20);
}

START_TEST(thousand_transfers_agree)
{
    struct ch_hub *a = start_hub(dirA, skA, 0, false);
    struct ch_hub *b = start_hub(dirB, skB, 0, false);
    connect_hubs(a, b);
    pay(a, 0, N_TRANSFERS);
    wait_acked(a, N_TRANSFERS);
    assert_agree(a, b, N_TRANSFERS);
    assert_transfer(a, 1, true);
    assert_transfer(a, N_TRANSFERS, true);
    assert_transfer(b, 1, false);
    assert_transfer(b, 500, false);
    struct ch_hub_stats sa, sb;
    ck_assert_int_eq(ch_hub_get_stats(a, &sa), 0);
    ck_assert_int_eq(ch_hub_get_stats(b, &sb), 0);
    ck_assert_uint_eq(sa.transfers_sent, N_TRANSFERS);
    ck_assert_uint_eq(sa.acks_received, N_TRANSFERS);
    ck_assert_uint_eq(sb.transfers_received, N_TRANSFERS);
    ck_assert_uint_eq(sb.refused, 0);
    /* group commit: B never needs more fsyncs than transfers */
    ck_assert_uint_le(sb.synced_commits, N_TRANSFERS);
    ch_hub_stop(a);
    ch_hub_stop(b);
    /* a clean restart reloads the same state, with nothing left to send */
    a = start_hub(dirA, skA, 0, false);
    b = start_hub(dirB, skB, 0, false);
    assert_agree(a, b, N_TRANSFERS);
    ck_assert_uint_eq(info_of(a).unacked, 0);
    ch_hub_stop(a);
    ch_hub_stop(b);
}
END_TEST

static void crash_and_restart(int point)
{
    struct ch_hub *a = start_hub(dirA, skA, 0, false);
    struct ch_hub *b = start_hub(dirB, skB, 0, true);
    uint16_t portA = ch_hub_port(a), portB = ch_hub_port(b);
    connect_hubs(a, b);
    pay(a, 0, N_TRANSFERS / 2);
    wait_acked(a, N_TRANSFERS / 2);
    atomic_store(&crash_point, point);
    pay(a, N_TRANSFERS / 2, N_TRANSFERS); /* stored on A, B dies under them */
    double end = now_s() + 30;
    while (!ch_hub_dead(b) && now_s() < end)
        usleep(1000);
    ck_assert(ch_hub_dead(b));
    usleep(100000); /* nothing more arrives from a dead hub */
    struct ch_hub_channel_info ia = info_of(a);
    uint64_t acked = ia.acked_nonce;
    ck_assert_uint_ge(acked, N_TRANSFERS / 2);
    ck_assert_uint_lt(acked, N_TRANSFERS);
    ck_assert_uint_eq(ia.bp[CH_OURS].nonce, N_TRANSFERS);
    ck_assert_int_eq(ch_hub_transfer(b, addrA, token, &ia.balance[0], NULL), ERR_BADSTATE);
    ch_hub_stop(a);
    ch_hub_stop(b);

    /* B alone, from its store: every transfer A saw acknowledged is there,
     * and what is there is a prefix of A's transfers */
    b = start_hub(dirB, skB, portB, false);
    struct ch_hub_channel_info ib = info_of(b);
    uint64_t have = ib.bp[CH_PARTNER].nonce;
    ck_assert_uint_ge(have, acked);
    ck_assert_uint_le(have, N_TRANSFERS);
    u256 ta = sum_to(have);
    ck_assert(u256_eq(&ib.bp[CH_PARTNER].transferred_amount, &ta));
    if (point == CH_HUB_BEFORE_COMMIT)
        ck_assert_uint_lt(have, N_TRANSFERS); /* the killed turn left nothing */

    /* A back: its outbox goes out again in order and everything lands */
    a = start_hub(dirA, skA, portA, false);
    ck_assert_uint_gt(info_of(a).unacked, 0);
    connect_hubs(a, b);
    wait_acked(a, N_TRANSFERS);
    assert_agree(a, b, N_TRANSFERS);
    assert_transfer(a, N_TRANSFERS, true);
    assert_transfer(b, N_TRANSFERS, false);
    struct ch_hub_stats sb;
    ck_assert_int_eq(ch_hub_get_stats(b, &sb), 0);
    ck_assert_uint_eq(sb.refused, 0);
    if (point == CH_HUB_AFTER_COMMIT) {
        /* B stored the killed turn but never acked it: A's resends are
         * duplicates that B answers from its stored acks */
        ck_assert_uint_ge(sb.duplicates_answered, 1);
    }
    ch_hub_stop(a);
    ch_hub_stop(b);
}

START_TEST(killed_before_commit)
{
    crash_and_restart(CH_HUB_BEFORE_COMMIT);
}
END_TEST

START_TEST(killed_after_commit)
{
    crash_and_restart(CH_HUB_AFTER_COMMIT);
}
END_TEST

START_TEST(refusals_change_nothing)
{
    struct ch_hub *a = start_hub(dirA, skA, 0, false);
    struct ch_hub *b = start_hub(dirB, skB, 0, false);
    connect_hubs(a, b);
    u256 one = U(1), zero = U(0), too_much = U(DEP_A + 1);
    uint8_t other[20];
    memset(other, 0x55, 20);
    ck_assert_int_eq(ch_hub_transfer(a, other, token, &one, NULL), ERR_NOTFOUND);
    ck_assert_int_eq(ch_hub_transfer(a, addrB, other, &one, NULL), ERR_NOTFOUND);
    ck_assert_int_eq(ch_hub_transfer(a, addrB, token, &zero, NULL), ERR_INVAL);
    ck_assert_int_eq(ch_hub_transfer(a, addrB, token, &too_much, NULL), ERR_RANGE);
    u256 batch[3] = {U(5), U(DEP_A), U(7)};
    size_t made = 9;
    ck_assert_int_eq(ch_hub_transfer_many(a, addrB, token, batch, 3, &made), ERR_RANGE);
    ck_assert_uint_eq(made, 1); /* the first one went, the rest stopped */
    wait_acked(a, 1);
    struct ch_hub_channel_info ia = info_of(a);
    ck_assert_uint_eq(ia.bp[CH_OURS].nonce, 1);
    u256 five = U(5);
    ck_assert(u256_eq(&ia.bp[CH_OURS].transferred_amount, &five));

    /* a DirectTransfer for the channel signed by C, not A: no ack, no change */
    struct ch_channel ch;
    ck_assert_int_eq(ch_channel_init(&ch, cid, token, addrA, addrB, OPEN_BLOCK, 600, 30), 0);
    u256 dep = U(DEP_A);
    ck_assert_int_eq(ch_on_deposit(&ch, CH_OURS, &dep), 0);
    ch.end[CH_OURS].bp = ia.bp[CH_OURS];
    struct ch_step step;
    int code;
    ck_assert_int_eq(ch_make_direct(&ch, &one, &step, &code), 0);
    struct ch_msg m;
    ck_assert_int_eq(ch_step_msg_init(&step, &m), 0);
    ck_assert_int_eq(ch_step_seal(&step, &m, skC, &chain_id), 0);
    uint8_t pkt[CH_PACKET_MAX];
    size_t len;
    ck_assert_int_eq(ch_msg_encode_buf(&m, pkt, sizeof pkt, &len), 0);
    ch_channel_free(&ch);
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in to;
    memset(&to, 0, sizeof to);
    to.sin_family = AF_INET;
    to.sin_port = htons(ch_hub_port(b));
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    ck_assert_int_eq(sendto(fd, pkt, len, 0, (struct sockaddr *)&to, sizeof to), (ssize_t)len);
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    ck_assert_int_eq(poll(&pfd, 1, 300), 0); /* no ack */
    close(fd);
    struct ch_hub_stats sb;
    ck_assert_int_eq(ch_hub_get_stats(b, &sb), 0);
    ck_assert_uint_eq(sb.refused, 1);
    ck_assert_uint_eq(info_of(b).bp[CH_PARTNER].nonce, 1);
    ch_hub_stop(a);
    ch_hub_stop(b);
}
END_TEST

START_TEST(open_through_command)
{
    struct ch_hub *a = start_hub(dirA, skA, 0, false);
    struct ch_hub *b = start_hub(dirB, skB, 0, false);
    connect_hubs(a, b);
    uint8_t tok2[20];
    memset(tok2, 0x71, 20);
    struct ch_hub_open o;
    memset(&o, 0, sizeof o);
    ch_channel_id(addrA, addrB, tok2, tn, o.channel_id);
    memcpy(o.token, tok2, 20);
    memcpy(o.partner, addrB, 20);
    o.open_block = 9;
    o.settle_timeout = 100;
    o.reveal_timeout = 10;
    o.our_deposit = U(300);
    o.partner_deposit = U(0);
    ck_assert_int_eq(ch_hub_open_channel(a, &o), 0);
    ck_assert_int_eq(ch_hub_open_channel(a, &o), ERR_INVAL); /* exists */
    memcpy(o.partner, addrA, 20);
    o.our_deposit = U(0);
    o.partner_deposit = U(300);
    ck_assert_int_eq(ch_hub_open_channel(b, &o), 0);
    struct ch_hub_open self = o;
    memset(self.channel_id, 0x33, 32);
    memcpy(self.partner, addrB, 20);
    ck_assert_int_eq(ch_hub_open_channel(b, &self), ERR_INVAL); /* with ourselves */
    u256 amt = U(120);
    uint8_t id[32];
    ck_assert_int_eq(ch_hub_transfer(a, addrB, tok2, &amt, id), 0);
    struct ch_store_transfer t;
    double end = now_s() + 10;
    do {
        ck_assert_int_eq(ch_hub_get_transfer(a, id, &t), 0);
        if (t.status == CH_TRANSFER_SUCCESS)
            break;
        usleep(2000);
    } while (now_s() < end);
    ck_assert_uint_eq(t.status, CH_TRANSFER_SUCCESS);
    struct ch_hub_channel_info *list = NULL;
    size_t n = 0;
    ck_assert_int_eq(ch_hub_list_channels(a, &list, &n), 0);
    ck_assert_uint_eq(n, 2);
    free(list);
    ch_hub_stop(a);
    ch_hub_stop(b);
    b = start_hub(dirB, skB, 0, false);
    ck_assert_int_eq(ch_hub_list_channels(b, &list, &n), 0);
    ck_assert_uint_eq(n, 2);
    bool found = false;
    for (size_t i = 0; i < n; i++)
        if (memcmp(list[i].channel_id, o.channel_id, 32) == 0) {
            found = true;
            u256 bal = U(120);
            ck_assert(u256_eq(&list[i].balance[CH_OURS], &bal));
            ck_assert_uint_eq(list[i].bp[CH_PARTNER].nonce, 1);
            ck_assert_uint_eq(list[i].open_block, 9);
        }
    ck_assert(found);
    free(list);
    ch_hub_stop(b);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("channel_hub");
    TCase *tc = tcase_create("two hubs");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, thousand_transfers_agree);
    tcase_add_test(tc, killed_before_commit);
    tcase_add_test(tc, killed_after_commit);
    tcase_add_test(tc, refusals_change_nothing);
    tcase_add_test(tc, open_through_command);
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
