/*
 * test_net_p2p_sync.c — the synchroniser inside the running p2p service
 * (net/p2p_sync.c): a real node (chain service on a regtest chain in a
 * temporary database, p2p service on 127.0.0.1) syncs from fake peers that
 * speak real RLPx/eth (net/peer.h on the test's own event loop) and answer
 * from databases built by other chain services. Two misbehaving peers, each
 * next to an honest one:
 *   - a liar whose chain holds 300 valid blocks and then an invalid one
 *     (the miner's block with a tampered state root, written straight into
 *     its database): the node imports the 300, rejects the next, and the
 *     liar is disconnected ("subprotocol error") and its address banned (a
 *     new connection from it is refused), while the honest peer stays;
 *   - a peer that answers every GetBlockBodies with a body that belongs to
 *     none of the requested blocks: it is disconnected and banned while the
 *     node syncs all 300 blocks from the honest one.
 * Both check that eth_syncing's source (p2p_sync_progress) ends not
 * syncing. The fake peers connect before either can be banned: a ban is by
 * IP address and every peer here is 127.0.0.1.
 *
 * Files: $top_srcdir/share/genesis/genesis-regtest.json.
 */
#include <check.h>
#include <event2/event.h>
#include <event2/thread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chain/chaindb.h"
#include "chain/params.h"
#include "chain_harness.h"
#include "chainsvc/chainsvc.h"
#include "crypto/ecdsa.h"
#include "crypto/keccak.h"
#include "net/eth_serve.h"
#include "net/p2p.h"
#include "net/peer.h"
#include "regtest_service.h"
#include "storage/db.h"
#include "util/err.h"

#define HEIGHT 300

/* ---- chain services on temporary databases -------------------------------------- */

struct svc {
    char dir[4096];
    struct db *db;
    struct chainsvc *s;
};

static void svc_open(struct svc *t, const char *name)
{
    memset(t, 0, sizeof *t);
    ch_tmpdir(t->dir, sizeof t->dir, name);
    ck_assert_msg(db_open(t->dir, NULL, &t->db) == 0, "%s", err_msg());
    t->s = regtest_service_start(t->db, false, NULL, NULL);
}

/* Stops the service, keeps the database open (for serving). */
static void svc_stop(struct svc *t)
{
    chainsvc_stop(t->s);
    t->s = NULL;
}

static void svc_close(struct svc *t)
{
    if (t->s)
        chainsvc_stop(t->s);
    db_close(t->db);
    ch_rmdir(t->dir);
}

static void canonical(struct db *db, uint64_t n, struct hash32 *h)
{
    ck_assert_int_eq(chaindb_read_canonical(db, NULL, n, h), 0);
}

/* Makes HEIGHT blocks on src, each with a transfer or not (the chief tx is
 * in every one), and imports them into each of dst[0..ndst). */
static void build_chain(struct svc *src, struct svc *dst, size_t ndst)
{
    size_t left = HEIGHT, made;
    struct hash32 *hashes = calloc(CHAINSVC_GENERATE_MAX, sizeof *hashes);
    ck_assert_ptr_nonnull(hashes);
    while (left) {
        size_t k = left < 100 ? left : 100;
        ck_assert_msg(chainsvc_generate(src->s, k, hashes, &made) == 0, "%s", err_msg());
        left -= k;
    }
    free(hashes);
    for (uint64_t n = 1; n <= HEIGHT; n++) {
        struct hash32 h;
        canonical(src->db, n, &h);
        struct block b;
        ck_assert_int_eq(chaindb_read_block(src->db, NULL, &h, &b), 0);
        for (size_t i = 0; i < ndst; i++) {
            struct chainsvc_import res;
            ck_assert_msg(chainsvc_import_block(dst[i].s, &b, &res) == 0, "%s", err_msg());
        }
        block_free(&b);
    }
}

/* ---- fake peers on the test's event loop -------------------------------------------- */

struct fake {
    struct peer_config cfg;
    struct peer *p;
    struct db *db;                  /* answers come from here */
    u256 td;
    struct hash32 head, genesis;
    bool wrong_bodies;              /* every GetBlockBodies gets a body nobody asked for */
    int ready, closed;
    uint64_t headers_asked, bodies_asked;
    char reason[200];
};

static struct event_base *fbase;
static struct peer_callbacks fcbs;

static bool f_admit(void *ctx, struct peer *p, uint8_t *reason)
{
    (void)ctx;
    (void)p;
    (void)reason;
    return true;
}

static void f_status(void *ctx, struct eth_status *out)
{
    struct fake *f = ctx;
    memset(out, 0, sizeof *out);
    out->protocol_version = ETH_VERSION_63;
    out->network_id = chain_params_get(CHAIN_REGTEST)->network_id;
    out->td = f->td;
    out->best_hash = f->head;
    out->genesis_hash = f->genesis;
}

static void f_ready(void *ctx, struct peer *p)
{
    (void)p;
    ((struct fake *)ctx)->ready++;
}

static void f_eth(void *ctx, struct peer *p, uint64_t code, const uint8_t *payload, size_t len)
{
    struct fake *f = ctx;
    if (code == ETH_GET_BLOCK_HEADERS)
        f->headers_asked++;
    if (code == ETH_GET_BLOCK_BODIES)
        f->bodies_asked++;
    if (code == ETH_GET_BLOCK_BODIES && f->wrong_bodies) {
        /* [[[], []]]: one body without transactions; every block here
         * carries the chief tx, so it matches none of those asked for */
        static const uint8_t empty_body[] = {0xc3, 0xc2, 0xc0, 0xc0};
        peer_send(p, ETH_BLOCK_BODIES, empty_body, sizeof empty_body);
        return;
    }
    if (code != ETH_GET_BLOCK_HEADERS && code != ETH_GET_BLOCK_BODIES &&
        code != ETH_GET_RECEIPTS && code != ETH_GET_NODE_DATA)
        return; /* NewBlock, Transactions, ...: not needed */
    struct bytes out = BYTES_INIT;
    uint64_t reply;
    ck_assert_int_eq(eth_serve_request(f->db, p->eth_version, code, payload, len, &reply, &out,
                                       NULL), 0);
    peer_send(p, reply, out.data, out.len);
    bytes_free(&out);
}

static void f_closed(void *ctx, struct peer *p)
{
    struct fake *f = ctx;
    f->closed++;
    snprintf(f->reason, sizeof f->reason, "%s", p->close_reason);
    peer_free(p);
    f->p = NULL;
}

static void fake_init(struct fake *f, uint8_t seed, struct db *db, uint64_t head_number,
                      const u256 *td)
{
    memset(f, 0, sizeof *f);
    for (int i = 0; i < 32; i++)
        f->cfg.sk[i] = (uint8_t)(seed + 3 * i + 1);
    ck_assert_int_eq(ecdsa_pubkey(f->cfg.sk, f->cfg.id), 0);
    snprintf(f->cfg.client_id, sizeof f->cfg.client_id, "fake/%u", seed);
    f->db = db;
    canonical(db, 0, &f->genesis);
    canonical(db, head_number, &f->head);
    if (td)
        f->td = *td;
    else
        ck_assert_int_eq(chaindb_read_td(db, NULL, &f->head, &f->td), 0);
}

static void fake_connect(struct fake *f, const struct enode *to)
{
    f->ready = f->closed = 0;
    f->reason[0] = 0;
    ck_assert_msg(peer_connect(fbase, &f->cfg, &fcbs, f, to, &f->p) == 0, "%s", err_msg());
}

/* Runs the fake peers' loop until cond(arg) or `seconds` pass. */
static bool pump_until(bool (*cond)(void *), void *arg, unsigned seconds)
{
    struct timespec t0, now, step = {0, 2 * 1000000L};
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        event_base_loop(fbase, EVLOOP_NONBLOCK);
        if (cond(arg))
            return true;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - t0.tv_sec >= (time_t)seconds)
            return cond(arg);
        nanosleep(&step, NULL);
    }
}

static bool is_ready(void *arg)
{
    return ((struct fake *)arg)->ready > 0;
}

static bool is_closed(void *arg)
{
    return ((struct fake *)arg)->closed > 0;
}

/* ---- the node under test ----------------------------------------------------------- */

struct node {
    struct svc v;
    struct p2p *p2p;
    struct enode self;
    uint64_t want;                  /* for at_height */
};

static void node_start(struct node *n)
{
    memset(n, 0, sizeof *n);
    svc_open(&n->v, "p2psync-node");
    struct p2p_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.chain = n->v.s;
    for (int i = 0; i < 32; i++)
        cfg.node_key[i] = (uint8_t)(0x40 + i);
    cfg.listen = true;
    snprintf(cfg.bind, sizeof cfg.bind, "127.0.0.1");
    cfg.port = 0;
    cfg.max_peers = 10;
    cfg.discovery = false;
    cfg.ban_seconds = 600;
    ck_assert_msg(p2p_start(&cfg, &n->p2p) == 0, "%s", err_msg());
    p2p_self(n->p2p, &n->self);
    ck_assert_uint_ne(n->self.ep.tcp_port, 0);
}

static void node_stop(struct node *n)
{
    chainsvc_request_stop(n->v.s);
    p2p_stop(n->p2p);
    svc_close(&n->v);
}

static bool at_height(void *arg)
{
    struct node *n = arg;
    return chainsvc_head_number(n->v.s, NULL) >= n->want;
}

static bool not_syncing(void *arg)
{
    struct node *n = arg;
    struct sync_progress p;
    p2p_sync_progress(n->p2p, &p);
    return !p.syncing;
}

static void setup(void)
{
    ck_assert_int_eq(evthread_use_pthreads(), 0);
    fbase = event_base_new();
    ck_assert_ptr_nonnull(fbase);
    fcbs = (struct peer_callbacks){f_admit, f_status, f_ready, f_eth, f_closed};
}

static void teardown(void)
{
    event_base_free(fbase);
}

/* ---- tests ------------------------------------------------------------------------ */

START_TEST(test_invalid_block_peer_banned)
{
    struct svc src, honest;
    svc_open(&src, "p2psync-liar");
    svc_open(&honest, "p2psync-honest");
    build_chain(&src, &honest, 1);

    /* the liar's block HEIGHT+1: sealed by the miner, with a wrong state root */
    struct bytes raw = BYTES_INIT;
    ck_assert_msg(chainsvc_build_block(src.s, "stateRoot", &raw) == 0, "%s", err_msg());
    struct block bad;
    ck_assert_int_eq(block_decode(raw.data, raw.len, &bad), 0);
    bytes_free(&raw);
    ck_assert_uint_eq(bad.header.number, HEIGHT + 1);
    struct hash32 bad_hash, top;
    ck_assert_int_eq(header_hash(&bad.header, &bad_hash), 0);
    canonical(src.db, HEIGHT, &top);
    u256 td;
    ck_assert_int_eq(chaindb_read_td(src.db, NULL, &top, &td), 0);
    u256_add(&td, &td, &bad.header.difficulty);
    svc_stop(&src);
    struct db_batch *batch = db_batch_new();
    ck_assert_ptr_nonnull(batch);
    ck_assert_int_eq(chaindb_write_block(batch, &bad_hash, &bad, NULL, 0, &td), 0);
    chaindb_write_canonical(batch, HEIGHT + 1, &bad_hash);
    ck_assert_int_eq(db_batch_write(src.db, batch, false), 0);
    db_batch_free(batch);
    block_free(&bad);
    svc_stop(&honest);

    struct node n;
    node_start(&n);
    static struct fake liar, good;
    fake_init(&good, 1, honest.db, HEIGHT, NULL);
    fake_init(&liar, 2, src.db, HEIGHT + 1, &td);
    fake_connect(&good, &n.self);
    fake_connect(&liar, &n.self);
    ck_assert(pump_until(is_ready, &good, 10));
    ck_assert(pump_until(is_ready, &liar, 10));

    /* the 300 valid blocks arrive; the liar goes for its invalid one */
    n.want = HEIGHT;
    ck_assert_msg(pump_until(at_height, &n, 60), "node at %llu",
                  (unsigned long long)chainsvc_head_number(n.v.s, NULL));
    ck_assert_msg(pump_until(is_closed, &liar, 30), "liar still connected");
    ck_assert_msg(strstr(liar.reason, "subprotocol error") != NULL, "liar closed: %s",
                  liar.reason);
    struct hash32 head, want;
    ck_assert_uint_eq(chainsvc_head_number(n.v.s, &head), HEIGHT);
    canonical(honest.db, HEIGHT, &want);
    ck_assert(hash32_eq(&head, &want));
    ck_assert(!chaindb_has_header(n.v.db, &bad_hash));
    ck_assert_int_eq(good.closed, 0);
    ck_assert_uint_eq(p2p_peer_count(n.p2p), 1);
    ck_assert(pump_until(not_syncing, &n, 10));
    ck_assert_uint_gt(liar.headers_asked, 0);

    /* the liar's address is banned: a new connection ends before Status */
    fake_connect(&liar, &n.self);
    ck_assert(pump_until(is_closed, &liar, 10));
    ck_assert_int_eq(liar.ready, 0);
    ck_assert_int_eq(good.closed, 0);

    peer_free(good.p);
    node_stop(&n);
    svc_close(&src);
    svc_close(&honest);
}
END_TEST

START_TEST(test_wrong_bodies_peer_banned_sync_completes)
{
    struct svc src;
    svc_open(&src, "p2psync-src");
    build_chain(&src, NULL, 0);
    svc_stop(&src);

    struct node n;
    node_start(&n);
    static struct fake bad, good;
    fake_init(&bad, 3, src.db, HEIGHT, NULL);
    bad.wrong_bodies = true;
    fake_init(&good, 4, src.db, HEIGHT, NULL);
    fake_connect(&bad, &n.self);
    fake_connect(&good, &n.self);
    ck_assert(pump_until(is_ready, &bad, 10));
    ck_assert(pump_until(is_ready, &good, 10));

    n.want = HEIGHT;
    ck_assert_msg(pump_until(at_height, &n, 60), "node at %llu",
                  (unsigned long long)chainsvc_head_number(n.v.s, NULL));
    struct hash32 head, want;
    chainsvc_head_number(n.v.s, &head);
    canonical(src.db, HEIGHT, &want);
    ck_assert(hash32_eq(&head, &want));
    /* the sync asks every peer for bodies: the bad one was asked and dropped */
    ck_assert_uint_gt(bad.bodies_asked, 0);
    ck_assert_msg(pump_until(is_closed, &bad, 10), "bad peer still connected");
    ck_assert_msg(strstr(bad.reason, "protocol") != NULL, "bad peer closed: %s", bad.reason);
    ck_assert_int_eq(good.closed, 0);
    ck_assert_uint_eq(p2p_peer_count(n.p2p), 1);
    ck_assert(pump_until(not_syncing, &n, 10));

    fake_connect(&bad, &n.self);
    ck_assert(pump_until(is_closed, &bad, 10));
    ck_assert_int_eq(bad.ready, 0);

    peer_free(good.p);
    node_stop(&n);
    svc_close(&src);
}
END_TEST

static Suite *p2p_sync_suite(void)
{
    Suite *s = suite_create("net_p2p_sync");
    TCase *tc = tcase_create("service");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, test_invalid_block_peer_banned);
    tcase_add_test(tc, test_wrong_bodies_peer_banned_sync_completes);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(p2p_sync_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
