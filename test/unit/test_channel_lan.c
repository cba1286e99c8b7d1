/* test_channel_lan.c — LAN discovery (channel/lan.h): the signed beacon,
 * the filter's checks (signature, freshness, replay, size, rate), and two
 * discovery services finding each other on the loopback broadcast address
 * 127.255.255.255 (multicast would work on lo too, but broadcast needs no
 * route or interface set-up in a container, so the tests use it). */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "channel/lan.h"
#include "channel/sig.h"
#include "crypto/ecdsa.h"
#include "util/err.h"

static void key_of(int i, uint8_t key[32])
{
    memset(key, 0, 32);
    key[31] = (uint8_t)i;
    key[0] = 0x42;
}

static uint64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

START_TEST(beacon_round_trip_and_tampering)
{
    uint8_t key[32], addr[20], b[CH_LAN_BEACON_LEN];
    key_of(1, key);
    ck_assert_int_eq(ch_address_of(key, addr), 0);
    ck_assert_int_eq(ch_lan_beacon_encode(key, 40001, 1700000000123ull, b), 0);
    ck_assert_int_eq(memcmp(b, "_photon\x01", 8), 0);
    struct ch_lan_beacon d;
    ck_assert_int_eq(ch_lan_beacon_decode(b, sizeof b, &d), 0);
    ck_assert_int_eq(memcmp(d.addr, addr, 20), 0);
    ck_assert_uint_eq(d.port, 40001);
    ck_assert_uint_eq(d.time_ms, 1700000000123ull);

    /* every signed field is covered: port, time, address */
    static const size_t at[] = {28, 29, 30, 37, 8, 27};
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
        uint8_t t[CH_LAN_BEACON_LEN];
        memcpy(t, b, sizeof t);
        t[at[i]] ^= 0x01;
        ck_assert_int_eq(ch_lan_beacon_decode(t, sizeof t, &d), ERR_CRYPTO);
    }
    /* another key cannot announce our address */
    uint8_t other[32], t[CH_LAN_BEACON_LEN];
    key_of(2, other);
    ck_assert_int_eq(ch_lan_beacon_encode(other, 40001, 1700000000123ull, t), 0);
    memcpy(t + 8, addr, 20);
    ck_assert_int_eq(ch_lan_beacon_decode(t, sizeof t, &d), ERR_CRYPTO);
    /* size and tag */
    ck_assert_int_eq(ch_lan_beacon_decode(b, sizeof b - 1, &d), ERR_DECODE);
    uint8_t big[CH_LAN_BEACON_LEN + 1] = {0};
    memcpy(big, b, sizeof b);
    ck_assert_int_eq(ch_lan_beacon_decode(big, sizeof big, &d), ERR_DECODE);
    memcpy(t, b, sizeof t);
    t[0] = 'X';
    ck_assert_int_eq(ch_lan_beacon_decode(t, sizeof t, &d), ERR_DECODE);
    ck_assert_int_eq(ch_lan_beacon_encode(key, 0, 1, t), ERR_INVAL);
}
END_TEST

START_TEST(filter_freshness_replay_rate)
{
    struct ch_lan_filter *f = malloc(sizeof *f);
    ck_assert_ptr_nonnull(f);
    ch_lan_filter_init(f);
    uint8_t key[32], b[CH_LAN_BEACON_LEN];
    key_of(3, key);
    const uint64_t now = 1700000000000ull;
    uint32_t src = htonl(0x0a000001), src2 = htonl(0x0a000002);
    struct ch_lan_beacon d;

    ck_assert_int_eq(ch_lan_beacon_encode(key, 5000, now - 1000, b), 0);
    ck_assert_int_eq(ch_lan_filter_check(f, b, sizeof b, src, now, &d), CH_LAN_ACCEPT);
    ck_assert_uint_eq(d.port, 5000);
    /* the same beacon again, from anywhere: a replay */
    ck_assert_int_eq(ch_lan_filter_check(f, b, sizeof b, src2, now + 10, &d), CH_LAN_REPLAY);
    ck_assert_int_eq(ch_lan_beacon_encode(key, 5000, now - 2000, b), 0);
    ck_assert_int_eq(ch_lan_filter_check(f, b, sizeof b, src2, now + 20, &d), CH_LAN_REPLAY);
    /* newer: accepted */
    ck_assert_int_eq(ch_lan_beacon_encode(key, 5001, now, b), 0);
    ck_assert_int_eq(ch_lan_filter_check(f, b, sizeof b, src2, now + 30, &d), CH_LAN_ACCEPT);
    ck_assert_uint_eq(d.port, 5001);
    /* too old or too far ahead */
    uint8_t k4[32];
    key_of(4, k4);
    ck_assert_int_eq(ch_lan_beacon_encode(k4, 5000, now - CH_LAN_FRESH_MS - 1000, b), 0);
    ck_assert_int_eq(ch_lan_filter_check(f, b, sizeof b, src2, now + 40, &d), CH_LAN_STALE);
    ck_assert_int_eq(ch_lan_beacon_encode(k4, 5000, now + 40 + CH_LAN_FRESH_MS + 1, b), 0);
    ck_assert_int_eq(ch_lan_filter_check(f, b, sizeof b, src2, now + 40, &d), CH_LAN_STALE);
    /* bad size, bad signature */
    ck_assert_int_eq(ch_lan_filter_check(f, b, sizeof b - 1, src2, now + 50, &d),
                     CH_LAN_BAD_SIZE);
    b[40] ^= 1;
    ck_assert_int_eq(ch_lan_filter_check(f, b, sizeof b, src2, now + 50, &d), CH_LAN_BAD);

    /* rate: one source gets its burst (2 x CH_LAN_SOURCE_RATE) within one
     * millisecond, then nothing; another source is not affected; a second
     * later the first has CH_LAN_SOURCE_RATE more */
    ch_lan_filter_init(f);
    uint32_t flood = htonl(0x0a000009);
    int accepted = 0, limited = 0;
    for (int i = 0; i < 3 * CH_LAN_SOURCE_RATE; i++) {
        ck_assert_int_eq(ch_lan_beacon_encode(key, 5000, now + (uint64_t)i + 1, b), 0);
        enum ch_lan_verdict v = ch_lan_filter_check(f, b, sizeof b, flood, now, &d);
        accepted += v == CH_LAN_ACCEPT;
        limited += v == CH_LAN_RATE;
    }
    ck_assert_int_eq(accepted, 2 * CH_LAN_SOURCE_RATE);
    ck_assert_int_eq(limited, CH_LAN_SOURCE_RATE);
    ck_assert_int_eq(ch_lan_beacon_encode(k4, 5000, now, b), 0);
    ck_assert_int_eq(ch_lan_filter_check(f, b, sizeof b, src, now, &d), CH_LAN_ACCEPT);
    accepted = 0;
    for (int i = 0; i < 2 * CH_LAN_SOURCE_RATE; i++) {
        ck_assert_int_eq(ch_lan_beacon_encode(key, 5000, now + 100 + (uint64_t)i, b), 0);
        accepted += ch_lan_filter_check(f, b, sizeof b, flood, now + 1000, &d) == CH_LAN_ACCEPT;
    }
    ck_assert_int_eq(accepted, CH_LAN_SOURCE_RATE);
    /* the global verify budget caps sources that each stay within theirs */
    ch_lan_filter_init(f);
    accepted = limited = 0;
    for (int i = 0; i < CH_LAN_VERIFY_RATE + 10; i++) {
        ck_assert_int_eq(ch_lan_beacon_encode(key, 5000, now + (uint64_t)i + 1, b), 0);
        enum ch_lan_verdict v =
            ch_lan_filter_check(f, b, sizeof b, htonl(0x0b000000u + (uint32_t)i), now, &d);
        accepted += v == CH_LAN_ACCEPT;
        limited += v == CH_LAN_RATE;
    }
    ck_assert_int_eq(accepted, CH_LAN_VERIFY_RATE);
    ck_assert_int_eq(limited, 10);
    free(f);
}
END_TEST

/* ---- two services on the loopback broadcast address ---- */

struct seen {
    pthread_mutex_t mu;
    int calls;
    uint8_t addr[20];
    char ip[64];
    uint16_t port;
};

static int on_peer(void *ctx, const uint8_t addr[20], const char *ip, uint16_t port)
{
    struct seen *s = ctx;
    pthread_mutex_lock(&s->mu);
    s->calls++;
    memcpy(s->addr, addr, 20);
    snprintf(s->ip, sizeof s->ip, "%s", ip);
    s->port = port;
    pthread_mutex_unlock(&s->mu);
    return 0;
}

static uint16_t free_udp_port(void)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    ck_assert_int_ge(fd, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t l = sizeof a;
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &l), 0);
    close(fd);
    return ntohs(a.sin_port);
}

static int seen_calls(struct seen *s)
{
    pthread_mutex_lock(&s->mu);
    int n = s->calls;
    pthread_mutex_unlock(&s->mu);
    return n;
}

START_TEST(two_hubs_find_each_other)
{
    uint16_t port = free_udp_port();
    struct seen sa = {.mu = PTHREAD_MUTEX_INITIALIZER}, sb = {.mu = PTHREAD_MUTEX_INITIALIZER};
    struct ch_lan_config ca, cb;
    memset(&ca, 0, sizeof ca);
    ca.group = "127.255.255.255";
    ca.group_port = port;
    ca.interval_ms = 200;
    cb = ca;
    key_of(10, ca.key);
    key_of(11, cb.key);
    ca.hub_port = 41000;
    cb.hub_port = 41001;
    ca.on_peer = cb.on_peer = on_peer;
    ca.ctx = &sa;
    cb.ctx = &sb;
    uint8_t addr_a[20], addr_b[20];
    ck_assert_int_eq(ch_address_of(ca.key, addr_a), 0);
    ck_assert_int_eq(ch_address_of(cb.key, addr_b), 0);
    struct ch_lan *la = NULL, *lb = NULL;
    ck_assert_int_eq(ch_lan_start(&ca, &la), 0);
    ck_assert_int_eq(ch_lan_start(&cb, &lb), 0);

    /* hostile datagrams on the same port: oversize, garbage of the right
     * size, a stale beacon of a third hub; none reaches on_peer */
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    ck_assert_int_ge(fd, 0);
    struct sockaddr_in to;
    memset(&to, 0, sizeof to);
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    uint8_t junk[2000];
    memset(junk, 0x5a, sizeof junk);
    ck_assert_int_eq(sendto(fd, junk, sizeof junk, 0, (struct sockaddr *)&to, sizeof to),
                     (ssize_t)sizeof junk);
    ck_assert_int_eq(sendto(fd, junk, CH_LAN_BEACON_LEN, 0, (struct sockaddr *)&to, sizeof to),
                     CH_LAN_BEACON_LEN);
    uint8_t k3[32], stale[CH_LAN_BEACON_LEN];
    key_of(12, k3);
    ck_assert_int_eq(ch_lan_beacon_encode(k3, 42000, wall_ms() - 10 * CH_LAN_FRESH_MS, stale), 0);
    ck_assert_int_eq(sendto(fd, stale, sizeof stale, 0, (struct sockaddr *)&to, sizeof to),
                     (ssize_t)sizeof stale);
    close(fd);

    for (int i = 0; i < 100 && (seen_calls(&sa) == 0 || seen_calls(&sb) == 0); i++)
        usleep(50000);
    ck_assert_int_eq(seen_calls(&sa), 1);
    ck_assert_int_eq(seen_calls(&sb), 1);
    ck_assert_int_eq(memcmp(sa.addr, addr_b, 20), 0);
    ck_assert_int_eq(memcmp(sb.addr, addr_a, 20), 0);
    ck_assert_str_eq(sa.ip, "127.0.0.1");
    ck_assert_uint_eq(sa.port, 41001);
    ck_assert_uint_eq(sb.port, 41000);

    /* several more beacons: the peer is not registered again */
    usleep(1000000);
    ck_assert_int_eq(seen_calls(&sa), 1);
    struct ch_lan_stats st;
    ch_lan_get_stats(la, &st);
    ck_assert_uint_ge(st.sent, 3);
    ck_assert_uint_ge(st.accepted, 3);
    ck_assert_uint_ge(st.self, 1);
    ck_assert_uint_eq(st.registered, 1);
    /* a unicast datagram to a shared port reaches one of the two sockets */
    struct ch_lan_stats sbst;
    ch_lan_get_stats(lb, &sbst);
    ck_assert_uint_eq(st.bad_size + sbst.bad_size, 1);
    ck_assert_uint_eq(st.bad + sbst.bad, 1);
    ck_assert_uint_eq(st.stale + sbst.stale, 1);

    /* B restarts on another hub port: A learns it */
    ch_lan_stop(lb);
    cb.hub_port = 41002;
    ck_assert_int_eq(ch_lan_start(&cb, &lb), 0);
    for (int i = 0; i < 100 && seen_calls(&sa) < 2; i++)
        usleep(50000);
    ck_assert_int_eq(seen_calls(&sa), 2);
    ck_assert_uint_eq(sa.port, 41002);
    ch_lan_stop(la);
    ch_lan_stop(lb);
}
END_TEST

START_TEST(refuses_bad_config)
{
    struct ch_lan_config c;
    memset(&c, 0, sizeof c);
    key_of(1, c.key);
    c.group = "not-an-ip";
    c.group_port = 40002;
    c.hub_port = 40001;
    struct ch_lan *l = NULL;
    ck_assert_int_eq(ch_lan_start(&c, &l), ERR_INVAL);
    c.group = "127.255.255.255";
    c.hub_port = 0;
    ck_assert_int_eq(ch_lan_start(&c, &l), ERR_INVAL);
    c.hub_port = 40001;
    memset(c.key, 0, 32);
    ck_assert_int_eq(ch_lan_start(&c, &l), ERR_INVAL);
    ck_assert_ptr_null(l);
}
END_TEST

static Suite *lan_suite(void)
{
    Suite *s = suite_create("channel_lan");
    TCase *tc = tcase_create("lan");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, beacon_round_trip_and_tampering);
    tcase_add_test(tc, filter_freshness_replay_rate);
    tcase_add_test(tc, two_hubs_find_each_other);
    tcase_add_test(tc, refuses_bad_config);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    ecdsa_init();
    SRunner *sr = srunner_create(lan_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
