/*
 * test_channel_transport.c — the hub's UDP transport (channel/transport.h)
 * with two transports on 127.0.0.1 on one event base: nothing leaves before
 * a flush (the hub's turn rule) and an aborted turn sends nothing; a packet
 * is delivered and acknowledged by echo; a dropped packet is resent; no
 * more than the window is in flight; a receiver that refuses gaps still gets
 * every packet in nonce order despite a loss; datagrams over 1200 bytes,
 * garbage, forged acks and floods over the rate limit are dropped and
 * counted while the transport keeps working; loose packets (outside the
 * outboxes) are resent until acked, or sent once.
 */
#include <arpa/inet.h>
#include <check.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "channel/msg.h"
#include "channel/sig.h"
#include "channel/transport.h"
#include "util/err.h"

#define NMAX 512

struct side {
    struct ch_transport *t;
    uint8_t addr[20];
    /* receiver: nonces in arrival order (duplicates included) */
    uint64_t got[4 * NMAX];
    size_t ngot;
    bool ack_all;               /* ack everything */
    bool in_order;              /* ack only the next expected nonce */
    uint64_t expect;            /* next nonce accepted when in_order */
    bool silent;                /* never ack */
    /* sender: acked nonces */
    uint64_t acked[NMAX];
    size_t nacked;
    /* drop hook: drop the first send of this Ping nonce */
    uint64_t drop_nonce;
    bool dropped;
};

static struct event_base *base;
static struct side A, B;
static uint8_t skA[32], skB[32], cid[32];

static uint64_t ping_nonce(const uint8_t *pkt, size_t len)
{
    struct ch_msg m;
    if (ch_msg_decode(pkt, len, &m) != 0 || m.cmd != CH_CMD_PING)
        return 0;
    return (uint64_t)m.u.ping.nonce;
}

static void on_packet(void *ctx, const struct ch_msg *m, const uint8_t *pkt, size_t len,
                      const struct sockaddr *from, socklen_t fromlen,
                      uint8_t ack[CH_TRANSPORT_ACK_MAX], size_t *ack_len)
{
    (void)from;
    (void)fromlen;
    struct side *s = ctx;
    uint64_t n = m->cmd == CH_CMD_PING ? (uint64_t)m->u.ping.nonce : 0;
    if (s->ngot < sizeof s->got / sizeof s->got[0])
        s->got[s->ngot++] = n;
    bool ok = s->ack_all;
    if (s->in_order) {
        if (n == s->expect) {
            s->expect++;
            ok = true;
        } else if (n < s->expect) {
            ok = true; /* a duplicate of one we have */
        }
    }
    if (s->silent || !ok)
        return;
    struct ch_msg a;
    ch_msg_make_ack(pkt, len, s->addr, &a);
    ck_assert_int_eq(ch_msg_encode_buf(&a, ack, CH_TRANSPORT_ACK_MAX, ack_len), 0);
}

static void on_acked(void *ctx, const uint8_t partner[20], const uint8_t channel_id[32],
                     uint64_t open_block, uint64_t nonce)
{
    (void)partner;
    (void)open_block;
    struct side *s = ctx;
    if (channel_id && s->nacked < NMAX)
        s->acked[s->nacked++] = nonce;
}

static bool drop_hook(void *ctx, const uint8_t *pkt, size_t len)
{
    struct side *s = ctx;
    if (s->drop_nonce && !s->dropped && ping_nonce(pkt, len) == s->drop_nonce) {
        s->dropped = true;
        return true;
    }
    return false;
}

static void open_side(struct side *s, const uint8_t sk[32], unsigned resend_ms, size_t window,
                      uint32_t rate)
{
    memset(s, 0, sizeof *s);
    ck_assert_int_eq(ch_address_of(sk, s->addr), 0);
    struct ch_transport_config c = {0};
    c.bind = "127.0.0.1";
    memcpy(c.self, s->addr, 20);
    c.resend_ms = resend_ms;
    c.window = window;
    c.rate = rate;
    c.on_packet = on_packet;
    c.on_acked = on_acked;
    c.drop = drop_hook;
    c.ctx = s;
    int rc = ch_transport_open(base, &c, &s->t);
    ck_assert_msg(rc == 0, "open: %s", err_msg());
    ck_assert_uint_ne(ch_transport_port(s->t), 0);
    s->ack_all = true;
}

static void pair(unsigned resend_ms, size_t window)
{
    open_side(&A, skA, resend_ms, window, 0);
    open_side(&B, skB, resend_ms, window, 0);
    ck_assert_int_eq(ch_transport_set_peer(A.t, B.addr, "127.0.0.1", ch_transport_port(B.t)), 0);
    ck_assert_int_eq(ch_transport_set_peer(B.t, A.addr, "127.0.0.1", ch_transport_port(A.t)), 0);
}

static void setup(void)
{
    base = event_base_new();
    ck_assert_ptr_nonnull(base);
    memset(skA, 0, 32);
    skA[31] = 0x11;
    memset(skB, 0, 32);
    skB[31] = 0x22;
    memset(cid, 0xc1, 32);
}

static void teardown(void)
{
    ch_transport_close(A.t);
    ch_transport_close(B.t);
    A.t = B.t = NULL;
    event_base_free(base);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Runs the loop for `ms` milliseconds. */
static void pump_ms(int ms)
{
    double end = now_s() + ms / 1000.0;
    while (now_s() < end) {
        struct timeval tv = {0, 2000};
        event_base_loopexit(base, &tv);
        event_base_dispatch(base);
    }
}

/* Runs the loop until A has no pending packet in its outbox to B, at most
 * `ms` milliseconds. Returns whether it emptied. */
static bool pump_until_acked(int ms)
{
    double end = now_s() + ms / 1000.0;
    while (now_s() < end) {
        if (ch_transport_pending(A.t, B.addr, cid, 1, NULL) == 0)
            return true;
        struct timeval tv = {0, 2000};
        event_base_loopexit(base, &tv);
        event_base_dispatch(base);
    }
    return ch_transport_pending(A.t, B.addr, cid, 1, NULL) == 0;
}

static size_t make_ping(const uint8_t sk[32], uint64_t nonce, uint8_t *out)
{
    struct ch_msg m;
    ck_assert_int_eq(ch_msg_init(&m, CH_CMD_PING), 0);
    m.u.ping.nonce = (int64_t)nonce;
    ck_assert_int_eq(ch_msg_sign(&m, sk, NULL), 0);
    size_t len = 0;
    ck_assert_int_eq(ch_msg_encode_buf(&m, out, CH_PACKET_MAX, &len), 0);
    return len;
}

static void queue_pings(uint64_t from, uint64_t to)
{
    uint8_t pkt[CH_PACKET_MAX];
    for (uint64_t n = from; n <= to; n++) {
        size_t len = make_ping(skA, n, pkt);
        int rc = ch_transport_queue(A.t, B.addr, cid, 1, n, pkt, len);
        ck_assert_msg(rc == 0, "queue %llu: %s", (unsigned long long)n, err_msg());
    }
}

/* A plain UDP socket aimed at B, for hostile input. */
static int raw_to_b(struct sockaddr_in *to)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    ck_assert_int_ge(fd, 0);
    memset(to, 0, sizeof *to);
    to->sin_family = AF_INET;
    to->sin_port = htons(ch_transport_port(B.t));
    inet_pton(AF_INET, "127.0.0.1", &to->sin_addr);
    return fd;
}

START_TEST(held_until_flush)
{
    pair(1000, 0);
    queue_pings(1, 3);
    pump_ms(60);
    ck_assert_uint_eq(B.ngot, 0); /* queued, not flushed: nothing left */
    ck_assert_uint_eq(ch_transport_pending(A.t, B.addr, cid, 1, NULL), 3);
    ch_transport_flush(A.t);
    ck_assert(pump_until_acked(2000));
    ck_assert_uint_eq(B.ngot, 3);
    ck_assert_uint_eq(A.nacked, 3);
    for (size_t i = 0; i < 3; i++) {
        ck_assert_uint_eq(B.got[i], i + 1);
        ck_assert_uint_eq(A.acked[i], i + 1);
    }
    struct ch_transport_stats st;
    ch_transport_get_stats(A.t, &st);
    ck_assert_uint_eq(st.acks_received, 3);
    ch_transport_get_stats(B.t, &st);
    ck_assert_uint_eq(st.acks_sent, 3);
}
END_TEST

START_TEST(abort_sends_nothing)
{
    pair(20, 0);
    queue_pings(1, 2);
    ch_transport_abort_turn(A.t);
    ck_assert_uint_eq(ch_transport_pending(A.t, B.addr, cid, 1, NULL), 0);
    ch_transport_flush(A.t);
    pump_ms(100); /* several resend periods */
    ck_assert_uint_eq(B.ngot, 0);
    /* the aborted nonces may be used again by the next turn */
    queue_pings(1, 1);
    ch_transport_flush(A.t);
    ck_assert(pump_until_acked(2000));
    ck_assert_uint_eq(B.ngot, 1);
}
END_TEST

START_TEST(nonce_order_enforced)
{
    pair(1000, 0);
    queue_pings(5, 5);
    uint8_t pkt[CH_PACKET_MAX];
    size_t len = make_ping(skA, 5, pkt);
    ck_assert_int_eq(ch_transport_queue(A.t, B.addr, cid, 1, 5, pkt, len), ERR_INVAL);
    ck_assert_int_eq(ch_transport_queue(A.t, B.addr, cid, 1, 4, pkt, len), ERR_INVAL);
    ck_assert_int_eq(ch_transport_queue(A.t, B.addr, cid, 1, 6, pkt, 0), ERR_INVAL);
    uint8_t big[CH_PACKET_MAX + 1] = {0};
    ck_assert_int_eq(ch_transport_queue(A.t, B.addr, cid, 1, 6, big, sizeof big), ERR_RANGE);
    ck_assert_int_eq(ch_transport_send_loose(A.t, B.addr, big, sizeof big, true), ERR_RANGE);
    ck_assert_uint_eq(ch_transport_pending(A.t, B.addr, cid, 1, NULL), 1);
}
END_TEST

START_TEST(resend_after_drop)
{
    pair(40, 0);
    A.drop_nonce = 2;
    queue_pings(1, 3);
    ch_transport_flush(A.t);
    ck_assert(pump_until_acked(3000));
    ck_assert(A.dropped);
    ck_assert_uint_eq(A.nacked, 3);
    struct ch_transport_stats st;
    ch_transport_get_stats(A.t, &st);
    ck_assert_uint_ge(st.resent, 1);
    /* B saw nonce 2 only once it was resent, after 1 and 3 */
    bool two = false;
    for (size_t i = 0; i < B.ngot; i++)
        two |= B.got[i] == 2;
    ck_assert(two);
}
END_TEST

START_TEST(window_limits_flight)
{
    pair(30, 4);
    B.silent = true;
    queue_pings(1, 20);
    ch_transport_flush(A.t);
    pump_ms(150); /* several resends */
    ck_assert_uint_gt(B.ngot, 4);
    for (size_t i = 0; i < B.ngot; i++)
        ck_assert_uint_le(B.got[i], 4); /* never beyond the window */
    ck_assert_uint_eq(ch_transport_pending(A.t, B.addr, cid, 1, NULL), 20);
    B.silent = false;
    ck_assert(pump_until_acked(3000));
    ck_assert_uint_eq(A.nacked, 20);
    uint64_t first = 7;
    ck_assert_uint_eq(ch_transport_pending(A.t, B.addr, cid, 1, &first), 0);
    ck_assert_uint_eq(first, 0);
}
END_TEST

START_TEST(order_despite_loss)
{
    pair(30, 8);
    B.ack_all = false;
    B.in_order = true;
    B.expect = 1;
    A.drop_nonce = 37;
    queue_pings(1, 100);
    ch_transport_flush(A.t);
    ck_assert(pump_until_acked(5000));
    ck_assert(A.dropped);
    ck_assert_uint_eq(B.expect, 101);
    /* the first time B saw each nonce, it was in order after the gap was
     * filled: every nonce accepted was the next one */
    uint64_t next = 1;
    for (size_t i = 0; i < B.ngot; i++)
        if (B.got[i] == next)
            next++;
    ck_assert_uint_eq(next, 101);
    ck_assert_uint_eq(A.nacked, 100);
}
END_TEST

START_TEST(oversize_and_garbage)
{
    pair(1000, 0);
    struct sockaddr_in to;
    int fd = raw_to_b(&to);
    uint8_t big[1300];
    size_t plen = make_ping(skA, 9, big);
    memset(big + plen, 0, sizeof big - plen); /* a ping padded past the limit */
    ck_assert_int_eq(sendto(fd, big, sizeof big, 0, (struct sockaddr *)&to, sizeof to),
                     (ssize_t)sizeof big);
    uint8_t junk[100];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (uint8_t)(i * 37 + 5);
    ck_assert_int_eq(sendto(fd, junk, sizeof junk, 0, (struct sockaddr *)&to, sizeof to),
                     (ssize_t)sizeof junk);
    ck_assert_int_eq(sendto(fd, junk, 3, 0, (struct sockaddr *)&to, sizeof to), 3);
    /* a forged ack: right sender, wrong echo */
    struct ch_msg fa;
    ck_assert_int_eq(ch_msg_init(&fa, CH_CMD_ACK), 0);
    memcpy(fa.u.ack.sender, A.addr, 20);
    memset(fa.u.ack.echo, 0x77, 32);
    uint8_t fab[64];
    size_t falen;
    ck_assert_int_eq(ch_msg_encode_buf(&fa, fab, sizeof fab, &falen), 0);
    ck_assert_int_eq(sendto(fd, fab, falen, 0, (struct sockaddr *)&to, sizeof to),
                     (ssize_t)falen);
    pump_ms(50);
    struct ch_transport_stats st;
    ch_transport_get_stats(B.t, &st);
    ck_assert_uint_eq(st.dropped_oversize, 1);
    ck_assert_uint_eq(st.dropped_garbage, 2);
    ck_assert_uint_eq(st.acks_unmatched, 1);
    ck_assert_uint_eq(B.ngot, 0);
    close(fd);
    /* still works */
    queue_pings(1, 2);
    ch_transport_flush(A.t);
    ck_assert(pump_until_acked(2000));
    ck_assert_uint_eq(B.ngot, 2);
}
END_TEST

START_TEST(forged_ack_does_not_release)
{
    pair(1000, 0);
    B.silent = true;
    queue_pings(1, 1);
    ch_transport_flush(A.t);
    pump_ms(30);
    ck_assert_uint_eq(B.ngot, 1);
    /* an ack with the right echo claimed by the wrong sender, and one
     * computed for another receiver address */
    uint8_t pkt[CH_PACKET_MAX];
    size_t len = make_ping(skA, 1, pkt);
    uint8_t other[20];
    memset(other, 0x99, 20);
    struct ch_msg a1, a2;
    ch_msg_make_ack(pkt, len, B.addr, &a1);
    memcpy(a1.u.ack.sender, other, 20);
    ch_msg_make_ack(pkt, len, other, &a2);
    memcpy(a2.u.ack.sender, B.addr, 20);
    struct sockaddr_in to;
    memset(&to, 0, sizeof to);
    to.sin_family = AF_INET;
    to.sin_port = htons(ch_transport_port(A.t));
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    const struct ch_msg *acks[2] = {&a1, &a2};
    for (int i = 0; i < 2; i++) {
        uint8_t b[64];
        size_t bl;
        ck_assert_int_eq(ch_msg_encode_buf(acks[i], b, sizeof b, &bl), 0);
        ck_assert_int_eq(sendto(fd, b, bl, 0, (struct sockaddr *)&to, sizeof to), (ssize_t)bl);
    }
    close(fd);
    pump_ms(30);
    ck_assert_uint_eq(ch_transport_pending(A.t, B.addr, cid, 1, NULL), 1);
    ck_assert_uint_eq(A.nacked, 0);
}
END_TEST

START_TEST(rate_limited)
{
    open_side(&A, skA, 1000, 0, 0);
    open_side(&B, skB, 1000, 0, 10); /* 10 packets/s per source */
    struct sockaddr_in to;
    int fd = raw_to_b(&to);
    uint8_t pkt[CH_PACKET_MAX];
    for (uint64_t n = 1; n <= 60; n++) {
        size_t len = make_ping(skA, n, pkt);
        ck_assert_int_eq(sendto(fd, pkt, len, 0, (struct sockaddr *)&to, sizeof to),
                         (ssize_t)len);
    }
    pump_ms(50);
    struct ch_transport_stats st;
    ch_transport_get_stats(B.t, &st);
    ck_assert_uint_eq(st.received, 60);
    ck_assert_uint_le(B.ngot, 11);
    ck_assert_uint_ge(B.ngot, 9);
    ck_assert_uint_eq(st.dropped_rate + B.ngot, 60);
    close(fd);
}
END_TEST

START_TEST(address_book)
{
    open_side(&A, skA, 1000, 0, 0);
    char ip[64];
    uint16_t port = 0;
    uint8_t p[20];
    memset(p, 0x42, 20);
    ck_assert_int_eq(ch_transport_get_peer(A.t, p, ip, sizeof ip, &port), ERR_NOTFOUND);
    ck_assert_int_eq(ch_transport_set_peer(A.t, p, "not-an-ip", 5), ERR_INVAL);
    ck_assert_int_eq(ch_transport_set_peer(A.t, p, "127.0.0.1", 0), ERR_INVAL);
    ck_assert_int_eq(ch_transport_set_peer(A.t, p, "10.1.2.3", 40001), 0);
    ck_assert_int_eq(ch_transport_set_peer(A.t, p, "::1", 40002), 0); /* replaced */
    ck_assert_int_eq(ch_transport_get_peer(A.t, p, ip, sizeof ip, &port), 0);
    ck_assert_str_eq(ip, "::1");
    ck_assert_uint_eq(port, 40002);
}
END_TEST

START_TEST(loose_packets)
{
    pair(20, 0);
    uint8_t pkt[CH_PACKET_MAX];
    size_t len = make_ping(skA, 900, pkt);
    ck_assert_int_eq(ch_transport_send_loose(A.t, B.addr, pkt, len, false), 0);
    len = make_ping(skA, 901, pkt);
    B.silent = true;
    ck_assert_int_eq(ch_transport_send_loose(A.t, B.addr, pkt, len, true), 0);
    pump_ms(20);
    ck_assert_uint_eq(B.ngot, 0); /* held until the flush */
    ch_transport_flush(A.t);
    pump_ms(150);
    size_t once = 0, again = 0;
    for (size_t i = 0; i < B.ngot; i++) {
        once += B.got[i] == 900;
        again += B.got[i] == 901;
    }
    ck_assert_uint_eq(once, 1);   /* no resend asked */
    ck_assert_uint_ge(again, 2);  /* resent while unacked */
    B.silent = false;
    pump_ms(100);
    struct ch_transport_stats st;
    ch_transport_get_stats(A.t, &st);
    ck_assert_uint_eq(st.acks_received, 1);
    size_t seen = B.ngot;
    pump_ms(100);
    ck_assert_uint_eq(B.ngot, seen); /* acked: no more resends */
    ck_assert_uint_eq(A.nacked, 0);  /* loose acks name no channel */
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("channel_transport");
    TCase *tc = tcase_create("udp");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, held_until_flush);
    tcase_add_test(tc, abort_sends_nothing);
    tcase_add_test(tc, nonce_order_enforced);
    tcase_add_test(tc, resend_after_drop);
    tcase_add_test(tc, window_limits_flight);
    tcase_add_test(tc, order_despite_loss);
    tcase_add_test(tc, oversize_and_garbage);
    tcase_add_test(tc, forged_ack_does_not_release);
    tcase_add_test(tc, rate_limited);
    tcase_add_test(tc, address_book);
    tcase_add_test(tc, loose_packets);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
