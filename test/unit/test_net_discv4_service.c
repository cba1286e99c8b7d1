/* test_net_discv4_service.c — the discovery service (net/discv4.h) over
 * real UDP sockets on 127.0.0.1 with ephemeral ports, in one process.
 *
 * Every service runs with loopback_only and no bootnodes, and the probes
 * come from a plain socket of the test, so no packet leaves the machine.
 * Cases: three services find each other (A knows B, B knows C → A learns
 * C), also when B is only A's bootnode; a passive service answers a ping
 * and sends nothing else; packets with
 * a bad hash or signature, the stock Ethereum type numbers, a past
 * expiration or an oversize are dropped; findnode is answered only after
 * the ping/pong round both ways; a node that stops answering is dropped
 * from the table by revalidation. */
#include "test_net_discv4.h"

#include <arpa/inet.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "crypto/ecdsa.h"
#include "crypto/keccak.h"
#include "net/discv4.h"
#include "net/discv4_packet.h"
#include "util/err.h"

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Runs the loop for about 5 ms. */
static void pump(struct event_base *base)
{
    struct timeval tv = {0, 5000};
    event_base_loopexit(base, &tv);
    event_base_dispatch(base);
}

/* What on_node saw. */
struct seen {
    struct enode nodes[64];
    size_t n;
};

static void on_node(void *arg, const struct enode *n)
{
    struct seen *s = arg;
    if (s->n < 64)
        s->nodes[s->n++] = *n;
}

static bool seen_id(const struct seen *s, const uint8_t id[64])
{
    for (size_t i = 0; i < s->n; i++)
        if (memcmp(s->nodes[i].id, id, 64) == 0)
            return true;
    return false;
}

static struct discv4 *start(struct event_base *base, const char *label, bool passive,
                            uint32_t revalidate_ms, struct seen *seen)
{
    uint8_t sk[32];
    test_key(label, sk);
    struct discv4_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.secret_key = sk;
    cfg.bind_ip = "127.0.0.1";
    cfg.udp_port = 0;
    cfg.tcp_port = 30303;
    cfg.passive = passive;
    cfg.loopback_only = true;
    cfg.on_node = seen ? on_node : NULL;
    cfg.arg = seen;
    cfg.revalidate_ms = revalidate_ms ? revalidate_ms : 60000;
    struct discv4 *d = NULL;
    int rc = discv4_start(base, &cfg, &d);
    ck_assert_msg(rc == 0, "start: %s", err_msg());
    struct enode self;
    discv4_self(d, &self);
    ck_assert_uint_ne(self.ep.udp_port, 0);
    ck_assert_uint_eq(self.ep.tcp_port, 30303);
    return d;
}

#define WAIT_UNTIL(base, cond, ms)                                   \
    do {                                                             \
        uint64_t until_ = mono_ms() + (ms);                          \
        while (!(cond) && mono_ms() < until_)                        \
            pump(base);                                              \
        ck_assert_msg((cond), "timed out waiting for " #cond);      \
    } while (0)

START_TEST(three_nodes_find_each_other)
{
    struct event_base *base = event_base_new();
    ck_assert_ptr_nonnull(base);
    struct seen sa = {.n = 0};
    struct discv4 *a = start(base, "node A", false, 0, &sa);
    struct discv4 *b = start(base, "node B", false, 0, NULL);
    struct discv4 *c = start(base, "node C", false, 0, NULL);
    struct enode na, nb, nc;
    discv4_self(a, &na);
    discv4_self(b, &nb);
    discv4_self(c, &nc);

    /* B knows C: a ping round both ways puts each in the other's table */
    ck_assert_int_eq(discv4_add_node(b, &nc), 0);
    WAIT_UNTIL(base, discv4_has_node(b, nc.id) && discv4_has_node(c, nb.id), 3000);
    /* A knows B */
    ck_assert_int_eq(discv4_add_node(a, &nb), 0);
    WAIT_UNTIL(base, discv4_has_node(a, nb.id) && discv4_has_node(b, na.id), 3000);
    ck_assert(!discv4_has_node(a, nc.id));
    ck_assert(seen_id(&sa, nb.id));

    /* A looks itself up: B tells it about C */
    ck_assert_int_eq(discv4_lookup(a, na.id), 0);
    WAIT_UNTIL(base, discv4_has_node(a, nc.id), 5000);
    ck_assert(seen_id(&sa, nc.id));
    for (size_t i = 0; i < sa.n; i++)
        if (memcmp(sa.nodes[i].id, nc.id, 64) == 0) {
            ck_assert_uint_eq(sa.nodes[i].ep.udp_port, nc.ep.udp_port);
            ck_assert(enode_ip_is_loopback(&sa.nodes[i].ep));
        }
    /* the lookup goes on to ask C, bonding with it: C learns A */
    WAIT_UNTIL(base, discv4_has_node(c, na.id), 5000);
    WAIT_UNTIL(base, discv4_lookups_running(a) == 0, 5000);

    struct enode near[4];
    ck_assert_uint_eq(discv4_closest(a, nc.id, near, 4), 2);
    ck_assert(memcmp(near[0].id, nc.id, 64) == 0);
    ck_assert_uint_eq(discv4_random_nodes(a, near, 4), 2);

    struct discv4_stats st;
    discv4_get_stats(a, &st);
    ck_assert_uint_gt(st.received, 0);
    ck_assert_uint_gt(st.sent, 0);
    ck_assert_uint_eq(st.dropped_invalid, 0);
    ck_assert_uint_eq(st.dropped_type, 0);

    discv4_stop(a);
    discv4_stop(b);
    discv4_stop(c);
    event_base_free(base);
}
END_TEST

START_TEST(bootnodes_seed_the_first_lookup)
{
    struct event_base *base = event_base_new();
    struct discv4 *b = start(base, "boot B", false, 0, NULL);
    struct discv4 *c = start(base, "boot C", false, 0, NULL);
    struct enode nb, nc;
    discv4_self(b, &nb);
    discv4_self(c, &nc);
    ck_assert_int_eq(discv4_add_node(b, &nc), 0);
    WAIT_UNTIL(base, discv4_has_node(b, nc.id) && discv4_has_node(c, nb.id), 3000);

    /* A starts with B as its only bootnode and is told nothing else */
    uint8_t sk[32];
    test_key("boot A", sk);
    struct seen sa = {.n = 0};
    struct discv4_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.secret_key = sk;
    cfg.bind_ip = "127.0.0.1";
    cfg.tcp_port = 30303;
    cfg.bootnodes = &nb;
    cfg.nbootnodes = 1;
    cfg.loopback_only = true;
    cfg.on_node = on_node;
    cfg.arg = &sa;
    struct discv4 *a = NULL;
    ck_assert_int_eq(discv4_start(base, &cfg, &a), 0);
    WAIT_UNTIL(base, discv4_has_node(a, nb.id) && discv4_has_node(a, nc.id), 8000);
    ck_assert(seen_id(&sa, nc.id));

    discv4_stop(a);
    discv4_stop(b);
    discv4_stop(c);
    event_base_free(base);
}
END_TEST

/* ---- probes from a plain socket ------------------------------------------ */

struct probe {
    int fd;
    uint16_t port;
    uint8_t sk[32];
    uint8_t id[64];
    struct enode_endpoint ep;       /* the probe's address */
};

static void probe_open(struct probe *p, const char *label)
{
    memset(p, 0, sizeof *p);
    test_key(label, p->sk);
    ck_assert_int_eq(ecdsa_pubkey(p->sk, p->id), 0);
    p->fd = socket(AF_INET, SOCK_DGRAM, 0);
    ck_assert_int_ge(p->fd, 0);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(bind(p->fd, (struct sockaddr *)&sa, sizeof sa), 0);
    socklen_t sl = sizeof sa;
    ck_assert_int_eq(getsockname(p->fd, (struct sockaddr *)&sa, &sl), 0);
    p->port = ntohs(sa.sin_port);
    ck_assert_int_eq(enode_set_ip(&p->ep, "127.0.0.1"), 0);
    p->ep.udp_port = p->ep.tcp_port = p->port;
}

static void probe_send(struct probe *p, const struct enode *to, const uint8_t *buf, size_t len)
{
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    memcpy(&sa.sin_addr, to->ep.ip, 4);
    sa.sin_port = htons(to->ep.udp_port);
    ck_assert_int_eq(sendto(p->fd, buf, len, 0, (struct sockaddr *)&sa, sizeof sa), (ssize_t)len);
}

/* Waits up to ms for a datagram while running the loop. Returns its length,
 * or 0 when none came. */
static size_t probe_recv(struct probe *p, struct event_base *base, uint8_t *buf, size_t cap,
                         unsigned ms)
{
    uint64_t until = mono_ms() + ms;
    while (mono_ms() < until) {
        pump(base);
        struct pollfd pfd = {p->fd, POLLIN, 0};
        if (poll(&pfd, 1, 0) == 1) {
            ssize_t n = recv(p->fd, buf, cap, 0);
            ck_assert_int_gt(n, 0);
            return (size_t)n;
        }
    }
    return 0;
}

/* Encodes a packet from the probe. */
static size_t probe_packet(struct probe *p, uint8_t base_type, struct discv4_packet *pk,
                           uint8_t out[DISCV4_MAX_PACKET], uint8_t hash[32])
{
    size_t n;
    ck_assert_int_eq(discv4_encode(p->sk, base_type, pk, out, &n, hash), 0);
    return n;
}

static void make_ping(struct probe *p, const struct enode *to, uint64_t expiration,
                      struct discv4_packet *pk)
{
    memset(pk, 0, sizeof *pk);
    pk->kind = DISCV4_PING;
    pk->expiration = expiration;
    pk->u.ping.version = DISCV4_VERSION;
    pk->u.ping.from = p->ep;
    pk->u.ping.to = to->ep;
}

static void make_findnode(struct discv4_packet *pk, const uint8_t target[64])
{
    memset(pk, 0, sizeof *pk);
    pk->kind = DISCV4_FINDNODE;
    pk->expiration = (uint64_t)time(NULL) + 20;
    memcpy(pk->u.findnode.target, target, 64);
}

START_TEST(passive_node_replies_and_drops_bad_packets)
{
    struct event_base *base = event_base_new();
    struct discv4 *a = start(base, "passive A", true, 0, NULL);
    struct enode na;
    discv4_self(a, &na);
    struct probe pr;
    probe_open(&pr, "probe");
    uint8_t pkt[DISCV4_MAX_PACKET + 64], reply[2048], hash[32];
    struct discv4_packet pk, got;
    uint64_t now = (uint64_t)time(NULL);
    struct discv4_stats st;

    /* a good ping: one pong that quotes it, and nothing else (passive) */
    make_ping(&pr, &na, now + 20, &pk);
    size_t n = probe_packet(&pr, DISCV4_BASE_SPECTRUM, &pk, pkt, hash);
    probe_send(&pr, &na, pkt, n);
    size_t r = probe_recv(&pr, base, reply, sizeof reply, 2000);
    ck_assert_uint_gt(r, 0);
    ck_assert_int_eq(discv4_decode(reply, r, DISCV4_BASE_SPECTRUM, &got), 0);
    ck_assert_int_eq(got.kind, DISCV4_PONG);
    ck_assert(memcmp(got.sender, na.id, 64) == 0);
    ck_assert(memcmp(got.u.pong.ping_hash, hash, 32) == 0);
    ck_assert_uint_eq(got.u.pong.to.udp_port, pr.port);
    ck_assert(!discv4_expired(&got, now));
    ck_assert_uint_eq(probe_recv(&pr, base, reply, sizeof reply, 300), 0);
    ck_assert_int_eq(discv4_lookup(a, na.id), ERR_BADSTATE);

    /* the same ping with stock Ethereum's type numbers: ignored */
    n = probe_packet(&pr, DISCV4_BASE_ETH, &pk, pkt, hash);
    probe_send(&pr, &na, pkt, n);
    ck_assert_uint_eq(probe_recv(&pr, base, reply, sizeof reply, 300), 0);
    discv4_get_stats(a, &st);
    ck_assert_uint_eq(st.dropped_type, 1);

    /* a bad signature (recovery id 4) under a matching hash: ignored */
    n = probe_packet(&pr, DISCV4_BASE_SPECTRUM, &pk, pkt, hash);
    pkt[32 + 64] = 4;
    keccak256(pkt + 32, n - 32, pkt);
    probe_send(&pr, &na, pkt, n);
    /* a bad hash: ignored */
    n = probe_packet(&pr, DISCV4_BASE_SPECTRUM, &pk, pkt, hash);
    pkt[5] ^= 1;
    probe_send(&pr, &na, pkt, n);
    ck_assert_uint_eq(probe_recv(&pr, base, reply, sizeof reply, 300), 0);
    discv4_get_stats(a, &st);
    ck_assert_uint_eq(st.dropped_invalid, 2);

    /* an expired ping: ignored */
    make_ping(&pr, &na, now - 5, &pk);
    n = probe_packet(&pr, DISCV4_BASE_SPECTRUM, &pk, pkt, hash);
    probe_send(&pr, &na, pkt, n);
    ck_assert_uint_eq(probe_recv(&pr, base, reply, sizeof reply, 300), 0);
    discv4_get_stats(a, &st);
    ck_assert_uint_eq(st.dropped_expired, 1);

    /* over 1280 bytes: dropped unread */
    memset(pkt, 0x42, DISCV4_MAX_PACKET + 1);
    probe_send(&pr, &na, pkt, DISCV4_MAX_PACKET + 1);
    ck_assert_uint_eq(probe_recv(&pr, base, reply, sizeof reply, 300), 0);
    discv4_get_stats(a, &st);
    ck_assert_uint_eq(st.dropped_size, 1);

    /* findnode: a passive node never pinged us, so we hold no proof */
    make_findnode(&pk, pr.id);
    n = probe_packet(&pr, DISCV4_BASE_SPECTRUM, &pk, pkt, hash);
    probe_send(&pr, &na, pkt, n);
    ck_assert_uint_eq(probe_recv(&pr, base, reply, sizeof reply, 300), 0);
    discv4_get_stats(a, &st);
    ck_assert_uint_eq(st.dropped_unbonded, 1);

    /* a pong nobody asked for */
    memset(&pk, 0, sizeof pk);
    pk.kind = DISCV4_PONG;
    pk.expiration = now + 20;
    pk.u.pong.to = na.ep;
    n = probe_packet(&pr, DISCV4_BASE_SPECTRUM, &pk, pkt, hash);
    probe_send(&pr, &na, pkt, n);
    ck_assert_uint_eq(probe_recv(&pr, base, reply, sizeof reply, 300), 0);
    discv4_get_stats(a, &st);
    ck_assert_uint_eq(st.dropped_unsolicited, 1);
    ck_assert_uint_eq(st.sent, 1);                 /* the single pong */

    close(pr.fd);
    discv4_stop(a);
    event_base_free(base);
}
END_TEST

/* Answers a ping packet `ping` (already decoded) from the service. */
static void answer_ping(struct probe *pr, const struct enode *to, const struct discv4_packet *ping)
{
    struct discv4_packet pk;
    memset(&pk, 0, sizeof pk);
    pk.kind = DISCV4_PONG;
    pk.expiration = (uint64_t)time(NULL) + 20;
    pk.u.pong.to = to->ep;
    memcpy(pk.u.pong.ping_hash, ping->hash, 32);
    uint8_t pkt[DISCV4_MAX_PACKET];
    size_t n = probe_packet(pr, DISCV4_BASE_SPECTRUM, &pk, pkt, NULL);
    probe_send(pr, to, pkt, n);
}

/* Collects the next packet of kind `kind` (others are ignored). */
static bool next_of_kind(struct probe *pr, struct event_base *base, int kind,
                         struct discv4_packet *out, unsigned ms)
{
    uint8_t reply[2048];
    uint64_t until = mono_ms() + ms;
    while (mono_ms() < until) {
        size_t r = probe_recv(pr, base, reply, sizeof reply, 50);
        if (r && discv4_decode(reply, r, DISCV4_BASE_SPECTRUM, out) == 0 && (int)out->kind == kind)
            return true;
    }
    return false;
}

START_TEST(findnode_needs_endpoint_proof)
{
    struct event_base *base = event_base_new();
    struct seen sa = {.n = 0};
    struct discv4 *a = start(base, "active A", false, 0, &sa);
    struct discv4 *b = start(base, "active B", false, 0, NULL);
    struct enode na, nb;
    discv4_self(a, &na);
    discv4_self(b, &nb);
    ck_assert_int_eq(discv4_add_node(a, &nb), 0);
    WAIT_UNTIL(base, discv4_has_node(a, nb.id), 3000);

    struct probe pr;
    probe_open(&pr, "probe 2");
    uint8_t pkt[DISCV4_MAX_PACKET], hash[32];
    struct discv4_packet pk, got;
    struct discv4_stats st;

    /* findnode before any ping: dropped */
    make_findnode(&pk, pr.id);
    size_t n = probe_packet(&pr, DISCV4_BASE_SPECTRUM, &pk, pkt, hash);
    probe_send(&pr, &na, pkt, n);
    ck_assert(!next_of_kind(&pr, base, DISCV4_NEIGHBORS, &got, 300));
    discv4_get_stats(a, &st);
    ck_assert_uint_eq(st.dropped_unbonded, 1);

    /* we ping A: A pongs, and pings us back since it has no proof of us */
    make_ping(&pr, &na, (uint64_t)time(NULL) + 20, &pk);
    n = probe_packet(&pr, DISCV4_BASE_SPECTRUM, &pk, pkt, hash);
    probe_send(&pr, &na, pkt, n);
    ck_assert(next_of_kind(&pr, base, DISCV4_PING, &got, 2000));
    ck_assert(memcmp(got.sender, na.id, 64) == 0);
    /* half a round is not enough: still no answer to findnode */
    make_findnode(&pk, pr.id);
    n = probe_packet(&pr, DISCV4_BASE_SPECTRUM, &pk, pkt, hash);
    probe_send(&pr, &na, pkt, n);
    ck_assert(!next_of_kind(&pr, base, DISCV4_NEIGHBORS, &got, 300));
    discv4_get_stats(a, &st);
    ck_assert_uint_eq(st.dropped_unbonded, 2);

    /* let A's ping expire unanswered, then ping A again and answer its
     * new ping at once: now both directions are proven */
    for (uint64_t until = mono_ms() + 700; mono_ms() < until;)
        pump(base);
    make_ping(&pr, &na, (uint64_t)time(NULL) + 20, &pk);
    n = probe_packet(&pr, DISCV4_BASE_SPECTRUM, &pk, pkt, hash);
    struct discv4_packet aping;
    probe_send(&pr, &na, pkt, n);
    ck_assert(next_of_kind(&pr, base, DISCV4_PING, &aping, 2000));
    answer_ping(&pr, &na, &aping);
    WAIT_UNTIL(base, discv4_has_node(a, pr.id), 2000);
    ck_assert(seen_id(&sa, pr.id));

    /* now findnode is answered with A's closest: B and ourselves */
    make_findnode(&pk, nb.id);
    n = probe_packet(&pr, DISCV4_BASE_SPECTRUM, &pk, pkt, hash);
    probe_send(&pr, &na, pkt, n);
    ck_assert(next_of_kind(&pr, base, DISCV4_NEIGHBORS, &got, 2000));
    ck_assert_uint_eq(got.u.neighbors.count, 2);
    ck_assert(memcmp(got.u.neighbors.nodes[0].id, nb.id, 64) == 0);
    ck_assert_uint_eq(got.u.neighbors.nodes[0].ep.udp_port, nb.ep.udp_port);
    ck_assert(memcmp(got.u.neighbors.nodes[1].id, pr.id, 64) == 0);

    close(pr.fd);
    discv4_stop(a);
    discv4_stop(b);
    event_base_free(base);
}
END_TEST

START_TEST(revalidation_drops_silent_nodes)
{
    struct event_base *base = event_base_new();
    struct discv4 *a = start(base, "revalidating A", false, 200, NULL);
    struct enode na;
    discv4_self(a, &na);
    struct probe pr;
    probe_open(&pr, "probe 3");
    uint8_t pkt[DISCV4_MAX_PACKET], hash[32];
    struct discv4_packet pk, got;

    /* bond: ping A, answer its ping back */
    make_ping(&pr, &na, (uint64_t)time(NULL) + 20, &pk);
    size_t n = probe_packet(&pr, DISCV4_BASE_SPECTRUM, &pk, pkt, hash);
    probe_send(&pr, &na, pkt, n);
    ck_assert(next_of_kind(&pr, base, DISCV4_PING, &got, 2000));
    answer_ping(&pr, &na, &got);
    WAIT_UNTIL(base, discv4_has_node(a, pr.id), 2000);

    /* A revalidates us: answered pings keep us in the table */
    ck_assert(next_of_kind(&pr, base, DISCV4_PING, &got, 3000));
    answer_ping(&pr, &na, &got);
    for (int i = 0; i < 10; i++)
        pump(base);
    ck_assert(discv4_has_node(a, pr.id));

    /* then we go silent: the next failed check removes us */
    WAIT_UNTIL(base, !discv4_has_node(a, pr.id), 5000);
    ck_assert_uint_eq(discv4_table_len(a), 0);

    close(pr.fd);
    discv4_stop(a);
    event_base_free(base);
}
END_TEST

START_TEST(start_refuses_bad_config)
{
    struct event_base *base = event_base_new();
    struct discv4_config cfg;
    memset(&cfg, 0, sizeof cfg);
    uint8_t zero[32] = {0};
    cfg.secret_key = zero;
    cfg.bind_ip = "127.0.0.1";
    struct discv4 *d = NULL;
    ck_assert_int_eq(discv4_start(base, &cfg, &d), ERR_INVAL);     /* key 0 */
    uint8_t sk[32];
    test_key("config", sk);
    cfg.secret_key = sk;
    cfg.bind_ip = "localhost";
    ck_assert_int_eq(discv4_start(base, &cfg, &d), ERR_INVAL);
    cfg.bind_ip = "127.0.0.1";
    cfg.loopback_only = true;
    cfg.passive = true;
    ck_assert_int_eq(discv4_start(base, &cfg, &d), 0);
    /* loopback_only refuses to talk to the outside; our own id is refused */
    struct enode far, self;
    discv4_self(d, &self);
    memset(&far, 0, sizeof far);
    memcpy(far.id, self.id, 64);
    far.id[0] ^= 1;
    ck_assert_int_eq(enode_set_ip(&far.ep, "8.8.8.8"), 0);
    far.ep.udp_port = far.ep.tcp_port = 30303;
    ck_assert_int_eq(discv4_add_node(d, &far), ERR_INVAL);
    ck_assert_int_eq(discv4_add_node(d, &self), ERR_INVAL);
    discv4_stop(d);
    event_base_free(base);
}
END_TEST

TCase *net_discv4_service_tcase(void)
{
    TCase *tc = tcase_create("service");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, three_nodes_find_each_other);
    tcase_add_test(tc, bootnodes_seed_the_first_lookup);
    tcase_add_test(tc, passive_node_replies_and_drops_bad_packets);
    tcase_add_test(tc, findnode_needs_endpoint_proof);
    tcase_add_test(tc, revalidation_drops_silent_nodes);
    tcase_add_test(tc, start_refuses_bad_config);
    return tc;
}
