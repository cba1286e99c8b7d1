/* test_net_peer_conn.c — one peer connection (net/peer.h) end to end over
 * loopback TCP inside one event loop: the RLPx handshake, Hello and Status
 * with snappy, a request and its answer, and the peers that must be
 * dropped: another genesis (no ban), garbage bytes and unrequested answers
 * (banned), a refusal at admission. */
#include <arpa/inet.h>
#include <check.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "crypto/ecdsa.h"
#include "net/peer.h"
#include "net/snappy.h"
#include "util/err.h"

struct side {
    struct peer_config cfg;
    struct hash32 genesis;
    bool refuse;                /* admit says "too many peers" */
    int ready, closed, eth_msgs, answers, answer_status;
    uint64_t last_code;
    bool banned;
    char reason[200];
    struct peer *p;
};

static struct event_base *base;
static struct side a, b;        /* a dials, b accepts */
static struct peer_callbacks cbs;

static bool cb_admit(void *ctx, struct peer *p, uint8_t *reason)
{
    (void)p;
    struct side *s = ctx;
    if (s->refuse)
        *reason = P2P_DISC_TOO_MANY_PEERS;
    return !s->refuse;
}

static void cb_status(void *ctx, struct eth_status *out)
{
    struct side *s = ctx;
    memset(out, 0, sizeof *out);
    out->protocol_version = ETH_VERSION_63;
    out->network_id = 1;
    out->td = u256_from_u64(5);
    out->best_hash = s->genesis;
    out->genesis_hash = s->genesis;
}

static void cb_ready(void *ctx, struct peer *p)
{
    (void)p;
    ((struct side *)ctx)->ready++;
}

static void cb_eth(void *ctx, struct peer *p, uint64_t code, const uint8_t *payload, size_t len)
{
    (void)p;
    (void)payload;
    (void)len;
    struct side *s = ctx;
    s->eth_msgs++;
    s->last_code = code;
}

static void cb_closed(void *ctx, struct peer *p)
{
    struct side *s = ctx;
    s->closed++;
    s->banned = p->banned;
    snprintf(s->reason, sizeof s->reason, "%s", p->close_reason);
    peer_free(p);
    s->p = NULL;
}

static void on_answer(void *arg, struct peer *p, int status, const uint8_t *payload, size_t len)
{
    (void)p;
    (void)payload;
    (void)len;
    struct side *s = arg;
    s->answers++;
    s->answer_status = status;
}

static void on_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
                      int salen, void *arg)
{
    (void)l;
    (void)arg;
    ck_assert_int_eq(peer_accept(base, &b.cfg, &cbs, &b, fd, sa, salen, &b.p), 0);
}

static struct evconnlistener *listener;
static uint16_t port;

static void side_init(struct side *s, uint8_t seed)
{
    memset(s, 0, sizeof *s);
    for (int i = 0; i < 32; i++)
        s->cfg.sk[i] = (uint8_t)(seed + i);
    ck_assert_int_eq(ecdsa_pubkey(s->cfg.sk, s->cfg.id), 0);
    snprintf(s->cfg.client_id, sizeof s->cfg.client_id, "spectrumd/test-%u", seed);
    s->cfg.listen_port = 30303;
    memset(s->genesis.b, 0x77, 32);
}

static void setup(void)
{
    base = event_base_new();
    ck_assert_ptr_nonnull(base);
    cbs = (struct peer_callbacks){cb_admit, cb_status, cb_ready, cb_eth, cb_closed};
    side_init(&a, 1);
    side_init(&b, 2);
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    listener = evconnlistener_new_bind(base, on_accept, NULL, LEV_OPT_CLOSE_ON_FREE, 16,
                                       (struct sockaddr *)&sin, sizeof sin);
    ck_assert_ptr_nonnull(listener);
    socklen_t l = sizeof sin;
    getsockname(evconnlistener_get_fd(listener), (struct sockaddr *)&sin, &l);
    port = ntohs(sin.sin_port);
}

static void teardown(void)
{
    peer_free(a.p);
    peer_free(b.p);
    evconnlistener_free(listener);
    event_base_free(base);
}

/* Runs the loop until *flag is at least want, for at most 8 s. */
static void run_until(const int *flag, int want)
{
    for (int i = 0; i < 8000 && *flag < want; i++) {
        struct timeval ms = {0, 1000};
        event_base_loopexit(base, &ms);
        event_base_dispatch(base);
    }
}

static void dial_b(void)
{
    struct enode to;
    memset(&to, 0, sizeof to);
    memcpy(to.id, b.cfg.id, 64);
    ck_assert_int_eq(enode_set_ip(&to.ep, "127.0.0.1"), 0);
    to.ep.tcp_port = port;
    ck_assert_int_eq(peer_connect(base, &a.cfg, &cbs, &a, &to, &a.p), 0);
}

START_TEST(handshake_hello_status_and_a_request)
{
    dial_b();
    run_until(&a.ready, 1);
    run_until(&b.ready, 1);
    ck_assert_int_eq(a.ready, 1);
    ck_assert_int_eq(b.ready, 1);
    ck_assert_int_eq(a.p->eth_version, 63);
    ck_assert(a.p->snappy && b.p->snappy);
    ck_assert(!a.p->inbound && b.p->inbound);
    ck_assert(!memcmp(a.p->remote.id, b.cfg.id, 64));
    ck_assert(!memcmp(b.p->remote.id, a.cfg.id, 64));
    ck_assert_str_eq(b.p->name, "spectrumd/test-1");
    ck_assert_uint_eq(b.p->hello.listen_port, 30303);
    ck_assert_uint_eq(b.p->status.network_id, 1);

    /* a asks for headers; b sees the request, answers; a gets the answer */
    struct eth_get_headers q = {.number = 0, .amount = 1};
    struct bytes req = BYTES_INIT;
    ck_assert_int_eq(eth_get_headers_encode(&q, &req), 0);
    ck_assert_int_eq(peer_request(a.p, ETH_GET_BLOCK_HEADERS, req.data, req.len, on_answer, &a),
                     0);
    ck_assert(peer_busy(a.p, ETH_GET_BLOCK_HEADERS));
    ck_assert(!peer_busy(a.p, ETH_GET_BLOCK_BODIES));
    ck_assert_int_eq(peer_request(a.p, ETH_GET_BLOCK_HEADERS, req.data, req.len, on_answer, &a),
                     ERR_BADSTATE);
    bytes_free(&req);
    run_until(&b.eth_msgs, 1);
    ck_assert_uint_eq(b.last_code, ETH_GET_BLOCK_HEADERS);
    struct bytes empty = BYTES_INIT;
    ck_assert_int_eq(eth_list_encode(NULL, 0, &empty), 0);
    ck_assert_int_eq(peer_send(b.p, ETH_BLOCK_HEADERS, empty.data, empty.len), 0);
    run_until(&a.answers, 1);
    ck_assert_int_eq(a.answer_status, 0);
    ck_assert(!peer_busy(a.p, ETH_GET_BLOCK_HEADERS));

    /* a code eth/63 does not have is refused on send */
    ck_assert_int_eq(peer_send(b.p, 0x08, empty.data, empty.len), ERR_INVAL);

    /* unrequested answers: the fourth gets b banned by a */
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(peer_send(b.p, ETH_BLOCK_HEADERS, empty.data, empty.len), 0);
    bytes_free(&empty);
    run_until(&a.closed, 1);
    run_until(&b.closed, 1);
    ck_assert_int_eq(a.closed, 1);
    ck_assert(a.banned);
    ck_assert_ptr_nonnull(strstr(a.reason, "unrequested answer"));
    ck_assert_int_eq(b.closed, 1);
    ck_assert(!b.banned);
    ck_assert_ptr_nonnull(strstr(b.reason, "remote disconnected: breach of protocol"));
}
END_TEST

START_TEST(another_genesis_is_dropped_at_status_without_a_ban)
{
    memset(b.genesis.b, 0x55, 32);
    dial_b();
    run_until(&a.closed, 1);
    run_until(&b.closed, 1);
    ck_assert_int_eq(a.ready + b.ready, 0);
    ck_assert(!a.banned && !b.banned);
    /* whichever side read the other's Status first said why */
    bool said = strstr(a.reason, "genesis mismatch") || strstr(b.reason, "genesis mismatch");
    ck_assert_msg(said, "reasons: '%s' / '%s'", a.reason, b.reason);
    ck_assert(strstr(a.reason, "subprotocol error") || strstr(b.reason, "subprotocol error"));
}
END_TEST

START_TEST(refused_at_admission_with_too_many_peers)
{
    b.refuse = true;
    dial_b();
    run_until(&a.closed, 1);
    run_until(&b.closed, 1);
    ck_assert_int_eq(a.ready + b.ready, 0);
    ck_assert_ptr_nonnull(strstr(a.reason, "too many peers"));
    ck_assert(!a.banned && !b.banned);
}
END_TEST

START_TEST(garbage_bytes_get_the_sender_banned)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sin.sin_port = htons(port);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&sin, sizeof sin), 0);
    uint8_t junk[600];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (uint8_t)(i * 131 + 7);
    junk[0] = 0x01; /* an EIP-8 size prefix of 0x01xx: a whole packet's worth follows */
    junk[1] = 0x20;
    ck_assert_int_eq(write(fd, junk, sizeof junk), (ssize_t)sizeof junk);
    run_until(&b.closed, 1);
    ck_assert_int_eq(b.closed, 1);
    ck_assert(b.banned);
    ck_assert_ptr_nonnull(strstr(b.reason, "garbage"));
    close(fd);
}
END_TEST

START_TEST(oversized_message_is_refused_before_inflating)
{
    dial_b();
    run_until(&a.ready, 1);
    run_until(&b.ready, 1);
    ck_assert_int_eq(a.ready + b.ready, 2);
    /* peer_send refuses to build one */
    size_t big = ETH_MAX_MSG_SIZE + 1;
    uint8_t *zeros = calloc(1, big);
    ck_assert_ptr_nonnull(zeros);
    ck_assert_int_eq(peer_send(b.p, ETH_TRANSACTIONS, zeros, big), ERR_RANGE);
    /* so b frames a compressed 10 MiB + 1 of zeros (a few hundred KiB on
     * the wire) by hand, as a hostile peer would */
    size_t cap = snappy_max_compressed_length(big), clen;
    uint8_t *c = malloc(cap);
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(snappy_compress(zeros, big, c, cap, &clen), 0);
    ck_assert_uint_lt(clen, 1u << 20);
    ck_assert_int_eq(rlpx_session_send(&b.p->rlpx, P2P_CAP_OFFSET + ETH_TRANSACTIONS, c, clen), 0);
    size_t n;
    const uint8_t *out = rlpx_session_output(&b.p->rlpx, &n);
    ck_assert_int_eq(bufferevent_write(b.p->bev, out, n), 0);
    rlpx_session_drain(&b.p->rlpx, n);
    free(c);
    free(zeros);
    run_until(&a.closed, 1);
    ck_assert_int_eq(a.closed, 1);
    ck_assert(a.banned);
    ck_assert_ptr_nonnull(strstr(a.reason, "oversized"));
    ck_assert_int_eq(a.eth_msgs, 0);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("net_peer_conn");
    TCase *t = tcase_create("core");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_set_timeout(t, 30);
    tcase_add_test(t, handshake_hello_status_and_a_request);
    tcase_add_test(t, another_genesis_is_dropped_at_status_without_a_ban);
    tcase_add_test(t, refused_at_admission_with_too_many_peers);
    tcase_add_test(t, garbage_bytes_get_the_sender_banned);
    tcase_add_test(t, oversized_message_is_refused_before_inflating);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    ecdsa_init();
    SRunner *r = srunner_create(suite());
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
