/*
 * test_channel_mediated.c — mediated transfers (channel/mediated.h and the
 * hub's roles, hub.h "mediated transfers"; photon.md §3.7, §6).
 *
 * Pure rules: the route choice (shortest path, fees, capacity, fee_max,
 * first hops already refused), what a mediator forwards (fee, amount,
 * expiration margins, too many locks), when a target asks for the secret,
 * when an initiator reveals it, when a mediator unlocks its payee; the
 * store's mediated record (round trip, strict decoding, load and delete).
 *
 * Hubs: three or four hub services in this process, on 127.0.0.1, with
 * channels A-B, B-C, C-D written into their stores as if opened on chain:
 *   - A pays C through B, and D through B and C, with fees: every balance
 *     proof agrees on both ends, each mediator keeps its fee, every end's
 *     distributable is right, statuses SUCCESS, each hop's lock expires
 *     earlier than the one before by the payer channel's reveal_timeout;
 *   - B-C too small: B announces the lock disposed, A removes it (the
 *     payer's balance comes back) and the transfer FAILED;
 *   - C never asks for the secret (its head is too close to the lock's
 *     expiry): past expiration + 17 both payers remove their locks with
 *     RemoveExpiredHashlock and the funds return;
 *   - B killed in the middle (before or after a commit) and restarted from
 *     its store: the transfer still completes;
 *   - refusals: fee above fee_max, an expiration too close, a mediator
 *     charging more than the route said, a RevealSecret with a wrong secret,
 *     no route.
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
#include "channel/mediated.h"
#include "channel/store.h"
#include "channel/store_codec.h"
#include "util/bytes.h"
#include "util/err.h"

#define NODES 4
#define OPEN_BLOCK 5
#define SETTLE 600
#define REVEAL 30
#define NOW 100

enum { A, B, C, D };

static char dirs[NODES][512];
static uint8_t sk[NODES][32], addr[NODES][20], token[20], tn[20];
static uint8_t cids[NODES - 1][32]; /* [i]: channel of node i with node i+1 */
static struct ch_hub *hubs[NODES];
static uint16_t ports[NODES];
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

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- pure rules -------------------------------------------------------------------- */

static void addr_of(uint8_t out[20], uint8_t b)
{
    memset(out, b, 20);
}

START_TEST(route_rule)
{
    uint8_t self[20], p1[20], p2[20], x[20], t[20], tok[20];
    addr_of(self, 1);
    addr_of(p1, 2);
    addr_of(p2, 3);
    addr_of(x, 4);
    addr_of(t, 5);
    addr_of(tok, 9);
    struct ch_med_graph g;
    ch_med_graph_init(&g);
    struct ch_med_edge e;
    memset(&e, 0, sizeof e);
    memcpy(e.token, tok, 20);
    /* p1 -> x -> t (two mediators), p2 -> t (one mediator, dearer) */
    memcpy(e.from, p1, 20);
    memcpy(e.to, x, 20);
    e.fee.fee_constant = U(1);
    ck_assert_int_eq(ch_med_graph_add(&g, &e), 0);
    memcpy(e.from, x, 20);
    memcpy(e.to, t, 20);
    ck_assert_int_eq(ch_med_graph_add(&g, &e), 0);
    memcpy(e.from, p2, 20);
    e.fee.fee_constant = U(7);
    e.fee.fee_percent = 100;
    ck_assert_int_eq(ch_med_graph_add(&g, &e), 0);
    ck_assert_uint_eq(g.n, 3);
    e.fee.fee_constant = U(5); /* same edge: fee replaced */
    ck_assert_int_eq(ch_med_graph_add(&g, &e), 0);
    ck_assert_uint_eq(g.n, 3);
    memcpy(e.to, p2, 20);
    ck_assert_int_eq(ch_med_graph_add(&g, &e), ERR_INVAL);

    struct ch_med_first f[2];
    memcpy(f[0].partner, p1, 20);
    f[0].distributable = U(10000);
    memcpy(f[1].partner, p2, 20);
    f[1].distributable = U(10000);
    u256 amount = U(1000), fee_max = U(100);
    struct ch_med_route r;
    /* fewest hops wins over the cheaper longer route: p2 -> t, fee 1000/100 + 5 */
    ck_assert_int_eq(ch_med_route_choose(&g, tok, self, t, &amount, &fee_max, f, 2, NULL, 0, &r), 0);
    ck_assert_uint_eq(r.first, 1);
    ck_assert_uint_eq(r.n, 2);
    ck_assert_mem_eq(r.path[0], p2, 20);
    ck_assert_mem_eq(r.path[1], t, 20);
    u256 want = U(15), lock = U(1015);
    ck_assert(u256_eq(&r.fee, &want));
    ck_assert(u256_eq(&r.lock_amount, &lock));
    /* p2 too small for the lock: the longer route, fee 1 + 1 */
    f[1].distributable = U(1014);
    ck_assert_int_eq(ch_med_route_choose(&g, tok, self, t, &amount, &fee_max, f, 2, NULL, 0, &r), 0);
    ck_assert_uint_eq(r.first, 0);
    ck_assert_uint_eq(r.n, 3);
    ck_assert_mem_eq(r.path[1], x, 20);
    want = U(2);
    ck_assert(u256_eq(&r.fee, &want));
    /* p1 already refused this payment: nothing left that fits */
    uint8_t tried[1][20];
    memcpy(tried[0], p1, 20);
    ck_assert_int_eq(ch_med_route_choose(&g, tok, self, t, &amount, &fee_max, f, 2,
                                         (const uint8_t(*)[20])tried, 1, &r),
                     ERR_RANGE);
    /* fee_max below every route's fee */
    f[1].distributable = U(10000);
    fee_max = U(1);
    ck_assert_int_eq(ch_med_route_choose(&g, tok, self, t, &amount, &fee_max, f, 2, NULL, 0, &r),
                     ERR_RANGE);
    ck_assert_ptr_nonnull(strstr(err_msg(), "fee_max"));
    /* another token: no path; the target as a partner: one hop, no fee */
    uint8_t tok2[20];
    addr_of(tok2, 8);
    fee_max = U(100);
    ck_assert_int_eq(ch_med_route_choose(&g, tok2, self, t, &amount, &fee_max, f, 2, NULL, 0, &r),
                     ERR_NOTFOUND);
    memcpy(f[0].partner, t, 20);
    ck_assert_int_eq(ch_med_route_choose(&g, tok2, self, t, &amount, &fee_max, f, 2, NULL, 0, &r), 0);
    ck_assert_uint_eq(r.n, 1);
    ck_assert(u256_is_zero(&r.fee));
    u256 zero = U(0);
    ck_assert_int_eq(ch_med_route_choose(&g, tok, self, t, &zero, &fee_max, f, 2, NULL, 0, &r),
                     ERR_INVAL);
    ck_assert_int_eq(ch_med_route_choose(&g, tok, self, self, &amount, &fee_max, f, 2, NULL, 0, &r),
                     ERR_INVAL);
    ch_med_graph_free(&g);
}
END_TEST

START_TEST(forward_rule)
{
    struct ch_med_forward_in in;
    memset(&in, 0, sizeof in);
    in.payer_lock.expiration = 670;
    in.payer_lock.amount = U(1013);
    memset(in.payer_lock.secret_hash, 0xaa, 32);
    in.payer_fee = U(13);
    in.now = 100;
    in.payer_reveal_timeout = 30;
    in.payer_locks = 1;
    in.payee_settle_timeout = 600;
    in.payee_reveal_timeout = 30;
    in.fee.fee_constant = U(3);
    in.fee.fee_percent = 100;
    in.next_is_target = true;
    struct ch_lock l;
    u256 fee, kept;
    int code = -1;
    ck_assert_int_eq(ch_med_forward(&in, &l, &fee, &kept, &code), 0);
    ck_assert_int_eq(code, 0);
    u256 want = U(1000);
    ck_assert(u256_eq(&l.amount, &want));
    ck_assert(u256_is_zero(&fee));
    want = U(13);
    ck_assert(u256_eq(&kept, &want));
    ck_assert_uint_eq(l.expiration, 640); /* payer's − payer reveal_timeout */
    ck_assert_mem_eq(l.secret_hash, in.payer_lock.secret_hash, 32);
    /* not the last mediator: only its own fee (10 + 3) comes off */
    in.payer_lock.amount = U(1030);
    in.payer_fee = U(30);
    in.next_is_target = false;
    ck_assert_int_eq(ch_med_forward(&in, &l, &fee, &kept, &code), 0);
    want = U(1017);
    ck_assert(u256_eq(&l.amount, &want));
    want = U(17);
    ck_assert(u256_eq(&fee, &want));
    /* the payee channel's settle timeout caps the expiration */
    in.payee_settle_timeout = 200;
    ck_assert_int_eq(ch_med_forward(&in, &l, &fee, &kept, &code), 0);
    ck_assert_uint_eq(l.expiration, 300);
    in.payee_settle_timeout = 600;
    /* remaining fee below ours */
    in.payer_fee = U(12);
    ck_assert_int_ne(ch_med_forward(&in, &l, &fee, &kept, &code), 0);
    ck_assert_int_eq(code, CH_MED_E_FEE);
    in.payer_fee = U(30);
    /* too close to expiry: 100 + 30 + 30 >= 160 */
    in.payer_lock.expiration = 160;
    ck_assert_int_eq(ch_med_forward(&in, &l, &fee, &kept, &code), ERR_RANGE);
    ck_assert_int_eq(code, CH_MED_E_EXPIRATION);
    in.payer_lock.expiration = 161;
    ck_assert_int_eq(ch_med_forward(&in, &l, &fee, &kept, &code), 0);
    ck_assert_uint_eq(l.expiration, 131);
    in.payer_lock.expiration = 90; /* expired */
    ck_assert_int_eq(ch_med_forward(&in, &l, &fee, &kept, &code), ERR_RANGE);
    in.payer_lock.expiration = 670;
    /* more locks from this payer than its reveal timeout */
    in.payer_locks = 31;
    ck_assert_int_eq(ch_med_forward(&in, &l, &fee, &kept, &code), ERR_RANGE);
    ck_assert_int_eq(code, CH_MED_E_TOO_MANY_LOCKS);
    in.payer_locks = 30;
    ck_assert_int_eq(ch_med_forward(&in, &l, &fee, &kept, &code), 0);
}
END_TEST

START_TEST(role_rules)
{
    uint64_t e = 0;
    ck_assert_int_eq(ch_med_initiator_expiration(100, 600, 30, 0, &e), 0);
    ck_assert_uint_eq(e, 670);
    ck_assert_int_eq(ch_med_initiator_expiration(100, 600, 30, 500, &e), 0);
    ck_assert_uint_eq(e, 500);
    ck_assert_int_eq(ch_med_initiator_expiration(100, 600, 30, 130, &e), ERR_INVAL);
    ck_assert_int_eq(ch_med_initiator_expiration(100, 600, 30, 131, &e), 0);

    ck_assert(ch_med_target_may_request(640, 30, 609));
    ck_assert(!ch_med_target_may_request(640, 30, 610));
    ck_assert(!ch_med_target_may_request(640, 30, 700));

    uint8_t tgt[20], other[20];
    addr_of(tgt, 5);
    addr_of(other, 6);
    u256 amt = U(1000), bad = U(999);
    ck_assert_int_eq(ch_med_check_secret_request(tgt, &amt, 670, tgt, &amt, 669), 0);
    ck_assert_int_eq(ch_med_check_secret_request(tgt, &amt, 670, other, &amt, 100), ERR_CRYPTO);
    ck_assert_int_eq(ch_med_check_secret_request(tgt, &amt, 670, tgt, &bad, 100), ERR_INVAL);
    ck_assert_int_eq(ch_med_check_secret_request(tgt, &amt, 670, tgt, &amt, 670), ERR_BADSTATE);

    ck_assert(ch_med_may_unlock_payee(100, 640, 670, 30));
    ck_assert(!ch_med_may_unlock_payee(640, 640, 670, 30)); /* payee lock expired */
    ck_assert(!ch_med_may_unlock_payee(640, 700, 670, 30)); /* payer within reveal_timeout */
    ck_assert(ch_med_may_unlock_payee(639, 700, 670, 30));

    struct ch_mediated_transfer mt;
    memset(&mt, 0, sizeof mt);
    addr_of(mt.target, 5);
    mt.path_len = 3;
    addr_of(mt.path[0], 2);
    addr_of(mt.path[1], 3);
    addr_of(mt.path[2], 5);
    uint8_t me[20], next[20];
    bool nt = true;
    addr_of(me, 2);
    ck_assert_int_eq(ch_med_next_hop(&mt, me, NULL, NULL, next, &nt), 0);
    ck_assert_mem_eq(next, mt.path[1], 20);
    ck_assert(!nt);
    addr_of(me, 3);
    ck_assert_int_eq(ch_med_next_hop(&mt, me, NULL, NULL, next, &nt), 0);
    ck_assert(nt);
    addr_of(me, 7);
    ck_assert_int_eq(ch_med_next_hop(&mt, me, NULL, NULL, next, &nt), ERR_NOTFOUND);
    addr_of(me, 5);
    ck_assert_int_eq(ch_med_next_hop(&mt, me, NULL, NULL, next, &nt), ERR_NOTFOUND);
}
END_TEST

static void sample_record(struct ch_med_transfer *t)
{
    memset(t, 0, sizeof *t);
    memset(t->secret_hash, 0x5e, 32);
    t->role = CH_MED_MEDIATOR;
    t->stage = CH_MED_SECRET_KNOWN;
    t->flags = CH_MED_F_PAYEE_UNLOCKED;
    memset(t->token, 0x70, 20);
    memset(t->initiator, 0x0a, 20);
    memset(t->target, 0x0c, 20);
    t->amount = U(1000);
    t->block = 100;
    t->payer.set = true;
    memset(t->payer.partner, 0x0a, 20);
    memset(t->payer.channel_id, 0x11, 32);
    t->payer.open_block = 5;
    t->payer.lock.expiration = 670;
    t->payer.lock.amount = U(1013);
    memcpy(t->payer.lock.secret_hash, t->secret_hash, 32);
    t->payer.fee = U(13);
    t->payee = t->payer;
    memset(t->payee.partner, 0x0c, 20);
    t->payee.lock.expiration = 640;
    t->payee.lock.amount = U(1000);
    t->payee.fee = U(0);
    t->n_tried = 2;
    memset(t->tried[0], 0x21, 20);
    memset(t->tried[1], 0x22, 20);
}

START_TEST(record_round_trip)
{
    struct ch_med_transfer t, back;
    sample_record(&t);
    struct bytes b = BYTES_INIT;
    ck_assert_int_eq(ch_codec_put_mediated(&b, &t), 0);
    ck_assert_int_eq(ch_codec_get_mediated(b.data, b.len, &back), 0);
    ck_assert_mem_eq(&back, &t, sizeof t);
    /* re-encoding gives the same bytes */
    struct bytes b2 = BYTES_INIT;
    ck_assert_int_eq(ch_codec_put_mediated(&b2, &back), 0);
    ck_assert_uint_eq(b2.len, b.len);
    ck_assert_mem_eq(b2.data, b.data, b.len);
    /* every truncation fails cleanly */
    for (size_t n = 0; n < b.len; n++)
        ck_assert_int_ne(ch_codec_get_mediated(b.data, n, &back), 0);
    bytes_free(&b2);

    /* hops that do not fit the role, bad enums, another version */
    struct ch_med_transfer x = t;
    x.role = CH_MED_TARGET; /* a target has no payee */
    bytes_reset(&b);
    ck_assert_int_eq(ch_codec_put_mediated(&b, &x), 0);
    ck_assert_int_eq(ch_codec_get_mediated(b.data, b.len, &back), ERR_DECODE);
    x = t;
    x.payee.lock.secret_hash[0] ^= 1;
    bytes_reset(&b);
    ck_assert_int_eq(ch_codec_put_mediated(&b, &x), 0);
    ck_assert_int_eq(ch_codec_get_mediated(b.data, b.len, &back), ERR_DECODE);
    x = t;
    x.stage = 9;
    bytes_reset(&b);
    ck_assert_int_eq(ch_codec_put_mediated(&b, &x), 0);
    ck_assert_int_eq(ch_codec_get_mediated(b.data, b.len, &back), ERR_RANGE);
    x = t;
    x.flags = 1u << 7;
    bytes_reset(&b);
    ck_assert_int_eq(ch_codec_put_mediated(&b, &x), 0);
    ck_assert_int_eq(ch_codec_get_mediated(b.data, b.len, &back), ERR_RANGE);
    x = t;
    x.stage = CH_MED_DISPOSED; /* a disposing mediator may have no payee */
    x.payee.set = false;
    bytes_reset(&b);
    ck_assert_int_eq(ch_codec_put_mediated(&b, &x), 0);
    ck_assert_int_eq(ch_codec_get_mediated(b.data, b.len, &back), 0);
    ck_assert(!back.payee.set);
    bytes_reset(&b);
    ck_assert_int_eq(ch_codec_put_mediated(&b, &t), 0);
    size_t hl = b.data[0] >= 0xf8 ? 1 + (size_t)(b.data[0] - 0xf7) : 1; /* list header */
    ck_assert_uint_eq(b.data[hl], CH_STORE_RECORD_VERSION);
    b.data[hl] = 2;
    ck_assert_int_eq(ch_codec_get_mediated(b.data, b.len, &back), ERR_UNSUPPORTED);
    bytes_free(&b);
}
END_TEST

START_TEST(record_in_store)
{
    char dir[512];
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/test_channel_med_store.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    struct ch_store *st = NULL;
    ck_assert_int_eq(ch_store_open(dir, NULL, &st), 0);
    struct ch_med_transfer t, t2;
    sample_record(&t);
    t2 = t;
    memset(t2.secret_hash, 0x6f, 32);
    memcpy(t2.payer.lock.secret_hash, t2.secret_hash, 32);
    memcpy(t2.payee.lock.secret_hash, t2.secret_hash, 32);
    ck_assert_int_eq(ch_store_put_mediated(st, &t), ERR_BADSTATE); /* outside a turn */
    ck_assert_int_eq(ch_store_begin(st), 0);
    ck_assert_int_eq(ch_store_put_mediated(st, &t), 0);
    ck_assert_int_eq(ch_store_put_mediated(st, &t2), 0);
    ck_assert_int_eq(ch_store_commit(st, true), 0);
    struct ch_store_state s;
    ck_assert_int_eq(ch_store_load(st, &s), 0);
    ck_assert_uint_eq(s.n_mediated, 2);
    ck_assert_mem_eq(&s.mediated[0], &t, sizeof t);
    ck_assert_mem_eq(&s.mediated[1], &t2, sizeof t2);
    ch_store_state_free(&s);
    ck_assert_int_eq(ch_store_begin(st), 0);
    ck_assert_int_eq(ch_store_delete_mediated(st, t.secret_hash), 0);
    ck_assert_int_eq(ch_store_commit(st, true), 0);
    ck_assert_int_eq(ch_store_load(st, &s), 0);
    ck_assert_uint_eq(s.n_mediated, 1);
    ck_assert_mem_eq(s.mediated[0].secret_hash, t2.secret_hash, 32);
    ch_store_state_free(&s);
    ch_store_close(st);
    rm_dir(dir);
}
END_TEST

/* ---- hubs --------------------------------------------------------------------------- */

struct crash_ctx {
    atomic_int at;      /* 0: off; else die at the at-th turn with changes */
    atomic_int point;
};
static struct crash_ctx crash_b;

static bool crash_hook(void *ctx, int point)
{
    struct crash_ctx *c = ctx;
    if (atomic_load(&c->point) != point || atomic_load(&c->at) == 0)
        return false;
    return atomic_fetch_sub(&c->at, 1) == 1;
}

static void seed(int i, int j, uint64_t dep_i, uint64_t dep_j, const uint8_t cid[32])
{
    for (int side = 0; side < 2; side++) {
        int me = side ? j : i, other = side ? i : j;
        struct ch_store *st = NULL;
        ck_assert_int_eq(ch_store_open(dirs[me], NULL, &st), 0);
        struct ch_channel ch;
        ck_assert_int_eq(
            ch_channel_init(&ch, cid, token, addr[me], addr[other], OPEN_BLOCK, SETTLE, REVEAL), 0);
        u256 a = U(side ? dep_j : dep_i), b = U(side ? dep_i : dep_j);
        ck_assert_int_eq(ch_on_deposit(&ch, CH_OURS, &a), 0);
        ck_assert_int_eq(ch_on_deposit(&ch, CH_PARTNER, &b), 0);
        ck_assert_int_eq(ch_store_begin(st), 0);
        ck_assert_int_eq(ch_store_put_channel(st, &ch), 0);
        ck_assert_int_eq(ch_store_commit(st, true), 0);
        ch_channel_free(&ch);
        ch_store_close(st);
    }
}

/* deps[k] = {left, right} deposits of channel k (node k with node k+1). */
static void seed_line(int n_channels, const uint64_t deps[][2])
{
    for (int k = 0; k < n_channels; k++)
        seed(k, k + 1, deps[k][0], deps[k][1], cids[k]);
}

static void setup(void)
{
    const char *tmp = getenv("TMPDIR");
    chain_id = U(8888);
    memset(token, 0x70, 20);
    memset(tn, 0x7e, 20);
    for (int i = 0; i < NODES; i++) {
        snprintf(dirs[i], sizeof dirs[i], "%s/test_channel_med%c.XXXXXX",
                 tmp && *tmp ? tmp : "/tmp", 'A' + i);
        ck_assert_ptr_nonnull(mkdtemp(dirs[i]));
        memset(sk[i], 0, 32);
        sk[i][31] = (uint8_t)(0xa1 + 0x11 * i);
        ck_assert_int_eq(ch_address_of(sk[i], addr[i]), 0);
        hubs[i] = NULL;
        ports[i] = 0;
    }
    for (int k = 0; k < NODES - 1; k++)
        ch_channel_id(addr[k], addr[k + 1], token, tn, cids[k]);
    atomic_store(&crash_b.at, 0);
    atomic_store(&crash_b.point, 0);
}

static void teardown(void)
{
    for (int i = 0; i < NODES; i++) {
        ch_hub_stop(hubs[i]);
        hubs[i] = NULL;
        rm_dir(dirs[i]);
    }
}

static void start(int i, uint64_t block)
{
    struct ch_hub_config c;
    memset(&c, 0, sizeof c);
    c.dir = dirs[i];
    memcpy(c.key, sk[i], 32);
    c.chain_id = chain_id;
    c.bind = "127.0.0.1";
    c.port = ports[i];
    c.resend_ms = 50;
    c.block = block;
    if (i == B) {
        c.crash = crash_hook;
        c.crash_ctx = &crash_b;
    }
    int rc = ch_hub_start(&c, &hubs[i]);
    ck_assert_msg(rc == 0, "start %d: %s", i, err_msg());
    ports[i] = ch_hub_port(hubs[i]);
}

/* Every running hub knows every other's address. */
static void connect_all(int n)
{
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            if (i != j && hubs[i] && hubs[j])
                ck_assert_int_eq(ch_hub_register_peer(hubs[i], addr[j], "127.0.0.1", ports[j]), 0);
}

/* Tells A that `from` forwards to `to` for fee {c, p}. */
static void route(int from, int to, uint64_t c, int64_t p)
{
    struct ch_med_edge e;
    memset(&e, 0, sizeof e);
    memcpy(e.token, token, 20);
    memcpy(e.from, addr[from], 20);
    memcpy(e.to, addr[to], 20);
    e.fee.fee_constant = U(c);
    e.fee.fee_percent = p;
    ck_assert_int_eq(ch_hub_add_route(hubs[A], &e), 0);
}

static void set_account_fee(int i, uint64_t c, int64_t p)
{
    struct ch_fee_policy pol;
    ch_fee_policy_init(&pol);
    pol.account.fee_constant = U(c);
    pol.account.fee_percent = p;
    ck_assert_int_eq(ch_hub_set_fee_policy(hubs[i], &pol), 0);
    ch_fee_policy_free(&pol);
}

static struct ch_hub_channel_info info(int i, int k)
{
    struct ch_hub_channel_info x;
    int rc = ch_hub_get_channel(hubs[i], cids[k], 0, &x);
    ck_assert_msg(rc == 0, "channel %d of %d: %s", k, i, err_msg());
    return x;
}

static uint32_t status_of(int i, const uint8_t hash[32])
{
    uint32_t s = 0;
    int rc = ch_hub_transfer_status(hubs[i], hash, &s);
    ck_assert_msg(rc == 0, "status on %d: %s", i, err_msg());
    return s;
}

static void wait_status(int i, const uint8_t hash[32], uint32_t want)
{
    double end = now_s() + 30;
    uint32_t s = 0;
    while (now_s() < end) {
        if (ch_hub_transfer_status(hubs[i], hash, &s) == 0 && s == want)
            return;
        usleep(2000);
    }
    ck_abort_msg("hub %d: status %u, want %u", i, s, want);
}

/* Waits until hub i holds no transfer under way. */
static void wait_idle(int i)
{
    double end = now_s() + 30;
    size_t n = 1;
    while (now_s() < end) {
        ck_assert_int_eq(ch_hub_mediated_count(hubs[i], &n), 0);
        if (n == 0)
            return;
        usleep(2000);
    }
    ck_abort_msg("hub %d: %zu transfers still under way", i, n);
}

/* Both ends of channel k agree on both proofs; no locks; balances as given
 * (left node's balance, right node's balance). */
static void assert_channel(int k, uint64_t left_bal, uint64_t right_bal)
{
    double end = now_s() + 30;
    struct ch_hub_channel_info l, r;
    for (;;) {
        l = info(k, k);
        r = info(k + 1, k);
        if ((l.unacked == 0 && r.unacked == 0) || now_s() > end)
            break;
        usleep(2000);
    }
    ck_assert_uint_eq(l.unacked, 0);
    ck_assert_uint_eq(r.unacked, 0);
    ck_assert_mem_eq(&l.bp[CH_OURS], &r.bp[CH_PARTNER], sizeof l.bp[0]);
    ck_assert_mem_eq(&l.bp[CH_PARTNER], &r.bp[CH_OURS], sizeof l.bp[0]);
    ck_assert_mem_eq(l.sig[CH_OURS], r.sig[CH_PARTNER], CH_SIG_LEN);
    ck_assert_mem_eq(l.sig[CH_PARTNER], r.sig[CH_OURS], CH_SIG_LEN);
    u256 lb = U(left_bal), rb = U(right_bal);
    ck_assert_msg(u256_eq(&l.balance[CH_OURS], &lb), "channel %d left balance", k);
    ck_assert_msg(u256_eq(&r.balance[CH_OURS], &rb), "channel %d right balance", k);
    ck_assert(u256_eq(&l.distributable[CH_OURS], &lb)); /* no locks left */
    ck_assert(u256_eq(&r.distributable[CH_OURS], &rb));
    ck_assert(u256_eq(&l.balance[CH_PARTNER], &rb));
    ck_assert(u256_eq(&r.balance[CH_PARTNER], &lb));
}

static void stored_transfer(int i, const uint8_t hash[32], struct ch_store_transfer *t)
{
    int rc = ch_hub_get_transfer(hubs[i], hash, t);
    ck_assert_msg(rc == 0, "transfer on %d: %s", i, err_msg());
}

START_TEST(three_hops_with_fees)
{
    const uint64_t deps[2][2] = {{100000, 0}, {50000, 7}};
    seed_line(2, deps);
    for (int i = A; i <= C; i++)
        start(i, NOW);
    connect_all(3);
    set_account_fee(B, 3, 100); /* amount / 100 + 3 */
    route(B, C, 3, 100);
    u256 amount = U(1000), fee_max = U(50);
    uint8_t hash[32], secret[32];
    memset(secret, 0x42, 32);
    ck_assert_int_eq(ch_hub_transfer_mediated(hubs[A], addr[C], token, &amount, &fee_max, 0,
                                              secret, hash),
                     0);
    uint8_t want[32];
    ck_assert_int_eq(ch_secret_hash(secret, want), 0);
    ck_assert_mem_eq(hash, want, 32);
    wait_status(A, hash, CH_TRANSFER_SUCCESS);
    wait_status(C, hash, CH_TRANSFER_SUCCESS);
    wait_status(B, hash, CH_TRANSFER_SUCCESS);
    for (int i = A; i <= C; i++)
        wait_idle(i);
    /* A paid 1013, B kept 13 and paid 1000, C received 1000 */
    assert_channel(0, 100000 - 1013, 1013);
    assert_channel(1, 50000 - 1000, 7 + 1000);
    struct ch_hub_channel_info ab = info(A, 0), bc = info(B, 1);
    ck_assert_uint_eq(ab.bp[CH_OURS].nonce, 2); /* MediatedTransfer, Unlock */
    ck_assert_uint_eq(bc.bp[CH_OURS].nonce, 2);
    u256 ta = U(1013);
    ck_assert(u256_eq(&ab.bp[CH_OURS].transferred_amount, &ta));
    struct ch_store_transfer ta_, tb, tc;
    stored_transfer(A, hash, &ta_);
    stored_transfer(B, hash, &tb);
    stored_transfer(C, hash, &tc);
    u256 fee = U(13);
    ck_assert(u256_eq(&ta_.fee, &fee)); /* paid */
    ck_assert(u256_eq(&tb.fee, &fee));  /* earned */
    ck_assert(u256_eq(&tc.amount, &amount));
    ck_assert(ta_.outgoing && !tb.outgoing && !tc.outgoing);
    ck_assert(!ta_.direct);
    /* A's lock expires at now + settle − reveal; B's one reveal_timeout earlier */
    ck_assert_uint_eq(ta_.expiration, NOW + SETTLE - REVEAL);
    ck_assert_uint_eq(tc.expiration, NOW + SETTLE - 2 * REVEAL);
    /* the same secret again is refused */
    ck_assert_int_eq(ch_hub_transfer_mediated(hubs[A], addr[C], token, &amount, &fee_max, 0,
                                              secret, NULL),
                     ERR_INVAL);
    /* a restart finds nothing under way and the same balances */
    ch_hub_stop(hubs[B]);
    hubs[B] = NULL;
    start(B, NOW);
    connect_all(3);
    size_t n = 9;
    ck_assert_int_eq(ch_hub_mediated_count(hubs[B], &n), 0);
    ck_assert_uint_eq(n, 0);
    assert_channel(0, 100000 - 1013, 1013);
    ck_assert_uint_eq(status_of(B, hash), CH_TRANSFER_SUCCESS);
}
END_TEST

START_TEST(four_hops_with_fees)
{
    const uint64_t deps[3][2] = {{100000, 0}, {100000, 0}, {100000, 0}};
    seed_line(3, deps);
    for (int i = A; i <= D; i++)
        start(i, NOW);
    connect_all(4);
    set_account_fee(B, 2, 0);
    /* C charges by token: amount / 50 */
    struct ch_fee_policy pol;
    ch_fee_policy_init(&pol);
    pol.account.fee_constant = U(1000); /* not used: the token setting wins */
    struct ch_fee_setting ts = {.fee_percent = 50};
    ck_assert_int_eq(ch_fee_policy_set_token(&pol, token, &ts), 0);
    ck_assert_int_eq(ch_hub_set_fee_policy(hubs[C], &pol), 0);
    ch_fee_policy_free(&pol);
    route(B, C, 2, 0);
    route(C, D, 0, 50);
    u256 amount = U(5000), fee_max = U(102);
    uint8_t hash[32];
    ck_assert_int_eq(
        ch_hub_transfer_mediated(hubs[A], addr[D], token, &amount, &fee_max, 0, NULL, hash), 0);
    wait_status(A, hash, CH_TRANSFER_SUCCESS);
    wait_status(D, hash, CH_TRANSFER_SUCCESS);
    for (int i = A; i <= D; i++)
        wait_idle(i);
    assert_channel(0, 100000 - 5102, 5102);
    assert_channel(1, 100000 - 5100, 5100);
    assert_channel(2, 100000 - 5000, 5000);
    struct ch_store_transfer tb, tc;
    stored_transfer(B, hash, &tb);
    stored_transfer(C, hash, &tc);
    u256 two = U(2), hundred = U(100);
    ck_assert(u256_eq(&tb.fee, &two));
    ck_assert(u256_eq(&tc.fee, &hundred));
    ck_assert_uint_eq(tb.status, CH_TRANSFER_SUCCESS);
    ck_assert_uint_eq(tc.status, CH_TRANSFER_SUCCESS);
    /* the fee policy survives a restart of C */
    ch_hub_stop(hubs[C]);
    hubs[C] = NULL;
    start(C, NOW);
    connect_all(4);
    ck_assert_int_eq(
        ch_hub_transfer_mediated(hubs[A], addr[D], token, &amount, &fee_max, 0, NULL, hash), 0);
    wait_status(D, hash, CH_TRANSFER_SUCCESS);
    wait_status(A, hash, CH_TRANSFER_SUCCESS);
    stored_transfer(C, hash, &tc);
    ck_assert(u256_eq(&tc.fee, &hundred));
}
END_TEST

START_TEST(too_little_capacity_disposed)
{
    const uint64_t deps[2][2] = {{100000, 0}, {500, 0}};
    seed_line(2, deps);
    for (int i = A; i <= C; i++)
        start(i, NOW);
    connect_all(3);
    set_account_fee(B, 0, 0);
    route(B, C, 0, 0);
    u256 amount = U(1000), fee_max = U(0);
    uint8_t hash[32];
    ck_assert_int_eq(
        ch_hub_transfer_mediated(hubs[A], addr[C], token, &amount, &fee_max, 0, NULL, hash), 0);
    wait_status(A, hash, CH_TRANSFER_FAILED);
    wait_status(B, hash, CH_TRANSFER_FAILED);
    for (int i = A; i <= C; i++)
        wait_idle(i);
    /* the lock went out and came back: MediatedTransfer, AnnounceDisposedResponse */
    struct ch_hub_channel_info ab = info(A, 0);
    ck_assert_uint_eq(ab.bp[CH_OURS].nonce, 2);
    ck_assert(u256_is_zero(&ab.bp[CH_OURS].transferred_amount));
    assert_channel(0, 100000, 0);
    assert_channel(1, 500, 0);
    ck_assert_uint_eq(info(B, 1).bp[CH_OURS].nonce, 0); /* nothing went to C */
    uint32_t s;
    ck_assert_int_eq(ch_hub_transfer_status(hubs[C], hash, &s), ERR_NOTFOUND);
}
END_TEST

START_TEST(unrequested_lock_expires)
{
    const uint64_t deps[2][2] = {{100000, 0}, {50000, 0}};
    seed_line(2, deps);
    start(A, NOW);
    start(B, NOW);
    /* C's head is within reveal_timeout of the lock it will get (640) */
    start(C, 615);
    connect_all(3);
    set_account_fee(B, 0, 0);
    route(B, C, 0, 0);
    u256 amount = U(700), fee_max = U(0);
    uint8_t hash[32];
    ck_assert_int_eq(
        ch_hub_transfer_mediated(hubs[A], addr[C], token, &amount, &fee_max, 0, NULL, hash), 0);
    double end = now_s() + 30;
    struct ch_hub_channel_info c_bc;
    do {
        usleep(2000);
        c_bc = info(C, 1);
    } while (c_bc.bp[CH_PARTNER].nonce < 1 && now_s() < end);
    ck_assert_uint_eq(c_bc.bp[CH_PARTNER].nonce, 1); /* the lock reached C */
    struct ch_med_transfer t;
    ck_assert_int_eq(ch_hub_get_mediated(hubs[C], hash, &t), 0);
    ck_assert_int_eq(t.role, CH_MED_TARGET);
    ck_assert_uint_eq(t.flags & CH_MED_F_REQUESTED, 0);
    ck_assert_uint_eq(t.payer.lock.expiration, NOW + SETTLE - 2 * REVEAL);
    usleep(200000);
    ck_assert_uint_eq(status_of(A, hash), CH_TRANSFER_CAN_CANCEL);
    u256 locked_dist = U(100000 - 700);
    ck_assert(u256_eq(&info(A, 0).distributable[CH_OURS], &locked_dist));
    /* not yet removable at expiration + 17 */
    uint64_t exp_ab = NOW + SETTLE - REVEAL;
    for (int i = A; i <= C; i++)
        ck_assert_int_eq(ch_hub_set_block(hubs[i], exp_ab + CH_FORK_CONFIRM), 0);
    usleep(100000);
    ck_assert_uint_eq(status_of(A, hash), CH_TRANSFER_CAN_CANCEL);
    for (int i = A; i <= C; i++)
        ck_assert_int_eq(ch_hub_set_block(hubs[i], exp_ab + CH_FORK_CONFIRM + 2), 0);
    wait_status(A, hash, CH_TRANSFER_FAILED);
    wait_status(C, hash, CH_TRANSFER_FAILED);
    wait_status(B, hash, CH_TRANSFER_FAILED);
    for (int i = A; i <= C; i++)
        wait_idle(i);
    assert_channel(0, 100000, 0);
    assert_channel(1, 50000, 0);
    ck_assert_uint_eq(info(A, 0).bp[CH_OURS].nonce, 2); /* lock, removal */
    ck_assert_uint_eq(info(B, 1).bp[CH_OURS].nonce, 2);
}
END_TEST

static void crash_b_midway(int point, int at)
{
    const uint64_t deps[2][2] = {{100000, 0}, {50000, 0}};
    seed_line(2, deps);
    for (int i = A; i <= C; i++)
        start(i, NOW);
    connect_all(3);
    set_account_fee(B, 1, 0);
    route(B, C, 1, 0);
    /* a first payment goes through untouched */
    u256 amount = U(300), fee_max = U(1);
    uint8_t h1[32], h2[32];
    ck_assert_int_eq(
        ch_hub_transfer_mediated(hubs[A], addr[C], token, &amount, &fee_max, 0, NULL, h1), 0);
    wait_status(A, h1, CH_TRANSFER_SUCCESS);
    wait_idle(B);
    atomic_store(&crash_b.point, point);
    atomic_store(&crash_b.at, at);
    ck_assert_int_eq(
        ch_hub_transfer_mediated(hubs[A], addr[C], token, &amount, &fee_max, 0, NULL, h2), 0);
    double end = now_s() + 30;
    while (!ch_hub_dead(hubs[B]) && now_s() < end)
        usleep(1000);
    ck_assert(ch_hub_dead(hubs[B]));
    ch_hub_stop(hubs[B]);
    hubs[B] = NULL;
    usleep(100000);
    start(B, NOW); /* same port: A and C resend to it */
    connect_all(3);
    wait_status(A, h2, CH_TRANSFER_SUCCESS);
    wait_status(C, h2, CH_TRANSFER_SUCCESS);
    wait_status(B, h2, CH_TRANSFER_SUCCESS);
    for (int i = A; i <= C; i++)
        wait_idle(i);
    assert_channel(0, 100000 - 602, 602);
    assert_channel(1, 50000 - 600, 600);
}

START_TEST(mediator_killed_before_commit)
{
    crash_b_midway(CH_HUB_BEFORE_COMMIT, 1); /* the turn that receives the lock */
}
END_TEST

START_TEST(mediator_killed_after_commit)
{
    for (int at = 1; at <= 3; at++) {
        if (at > 1) {
            teardown();
            setup();
        }
        crash_b_midway(CH_HUB_AFTER_COMMIT, at);
    }
}
END_TEST

START_TEST(refusals)
{
    const uint64_t deps[2][2] = {{100000, 0}, {50000, 0}};
    seed_line(2, deps);
    for (int i = A; i <= C; i++)
        start(i, NOW);
    connect_all(3);
    set_account_fee(B, 3, 100);
    route(B, C, 3, 100);
    u256 amount = U(1000), fee_max = U(12), zero = U(0);
    uint8_t hash[32], nobody[20];
    memset(nobody, 0x99, 20);
    /* the route costs 13 */
    ck_assert_int_eq(
        ch_hub_transfer_mediated(hubs[A], addr[C], token, &amount, &fee_max, 0, NULL, hash),
        ERR_RANGE);
    fee_max = U(13);
    ck_assert_int_eq(
        ch_hub_transfer_mediated(hubs[A], nobody, token, &amount, &fee_max, 0, NULL, hash),
        ERR_NOTFOUND);
    ck_assert_int_eq(
        ch_hub_transfer_mediated(hubs[A], addr[C], token, &zero, &fee_max, 0, NULL, hash),
        ERR_INVAL);
    ck_assert_int_eq(
        ch_hub_transfer_mediated(hubs[A], addr[A], token, &amount, &fee_max, 0, NULL, hash),
        ERR_INVAL);
    /* an expiration that leaves the first hop no reveal time */
    ck_assert_int_eq(ch_hub_transfer_mediated(hubs[A], addr[C], token, &amount, &fee_max,
                                              NOW + REVEAL, NULL, hash),
                     ERR_INVAL);
    uint8_t zs[32] = {0};
    ck_assert_int_eq(
        ch_hub_transfer_mediated(hubs[A], addr[C], token, &amount, &fee_max, 0, zs, hash),
        ERR_INVAL);
    ck_assert_uint_eq(info(A, 0).bp[CH_OURS].nonce, 0); /* nothing was sent */

    /* an expiration B cannot forward with a margin: disposed */
    ck_assert_int_eq(ch_hub_transfer_mediated(hubs[A], addr[C], token, &amount, &fee_max,
                                              NOW + 2 * REVEAL, NULL, hash),
                     0);
    wait_status(A, hash, CH_TRANSFER_FAILED);
    wait_idle(A);
    wait_idle(B);
    assert_channel(0, 100000, 0);

    /* B charges more than the route said: disposed (insufficient fee) */
    route(B, C, 0, 0);
    ck_assert_int_eq(
        ch_hub_transfer_mediated(hubs[A], addr[C], token, &amount, &fee_max, 0, NULL, hash), 0);
    wait_status(A, hash, CH_TRANSFER_FAILED);
    wait_idle(A);
    wait_idle(B);
    assert_channel(0, 100000, 0);
    ck_assert_uint_eq(info(B, 1).bp[CH_OURS].nonce, 0);

    /* a RevealSecret with a wrong secret, signed by C, to B: no ack */
    struct ch_msg m;
    ch_msg_init(&m, CH_CMD_REVEAL_SECRET);
    memset(m.u.reveal_secret.secret, 0x77, 32);
    ck_assert_int_eq(ch_msg_sign(&m, sk[C], &chain_id), 0);
    uint8_t pkt[CH_PACKET_MAX];
    size_t len;
    ck_assert_int_eq(ch_msg_encode_buf(&m, pkt, sizeof pkt, &len), 0);
    struct ch_hub_stats before, after;
    ck_assert_int_eq(ch_hub_get_stats(hubs[B], &before), 0);
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in to;
    memset(&to, 0, sizeof to);
    to.sin_family = AF_INET;
    to.sin_port = htons(ports[B]);
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    ck_assert_int_eq(sendto(fd, pkt, len, 0, (struct sockaddr *)&to, sizeof to), (ssize_t)len);
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    ck_assert_int_eq(poll(&pfd, 1, 300), 0);
    close(fd);
    ck_assert_int_eq(ch_hub_get_stats(hubs[B], &after), 0);
    ck_assert_uint_eq(after.refused, before.refused + 1);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("channel_mediated");
    TCase *tp = tcase_create("rules");
    tcase_add_test(tp, route_rule);
    tcase_add_test(tp, forward_rule);
    tcase_add_test(tp, role_rules);
    tcase_add_test(tp, record_round_trip);
    tcase_add_test(tp, record_in_store);
    suite_add_tcase(s, tp);
    TCase *tc = tcase_create("hubs");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 180);
    tcase_add_test(tc, three_hops_with_fees);
    tcase_add_test(tc, four_hops_with_fees);
    tcase_add_test(tc, too_little_capacity_disposed);
    tcase_add_test(tc, unrequested_lock_expires);
    tcase_add_test(tc, mediator_killed_before_commit);
    tcase_add_test(tc, mediator_killed_after_commit);
    tcase_add_test(tc, refusals);
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
