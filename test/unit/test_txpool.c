/* test_txpool.c — the transaction pool: every rejection reason, pending and
 * queued promotion, replacement, limits and eviction, new heads, reorg
 * re-adds, the miner's order, and hostile raw bytes. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/params.h"
#include "consensus/tribe_rules.h"
#include "crypto/ecdsa.h"
#include "crypto/keccak.h"
#include "primitives/tx.h"
#include "txpool/txpool.h"
#include "util/bytes.h"
#include "util/err.h"

#define GWEI 1000000000ull
#define NKEYS 12
#define GAS_LIMIT 40000000ull

static uint8_t sks[NKEYS][32];
static struct address addrs[NKEYS];
static struct chain_params params;

/* ---- a fake head state ---------------------------------------------------- */

struct fake_state {
    uint64_t nonce[NKEYS];
    u256 balance[NKEYS];
    int fail;                   /* non-zero: every read returns it */
};

static struct fake_state st;

static int key_index(const struct address *a)
{
    for (int i = 0; i < NKEYS; i++)
        if (address_eq(a, &addrs[i]))
            return i;
    return -1;
}

static int fs_nonce(void *ctx, const struct address *a, uint64_t *out)
{
    struct fake_state *s = ctx;
    if (s->fail)
        return err_set(s->fail, "fake state: read failed");
    int i = key_index(a);
    *out = i < 0 ? 0 : s->nonce[i];
    return 0;
}

static int fs_balance(void *ctx, const struct address *a, u256 *out)
{
    struct fake_state *s = ctx;
    if (s->fail)
        return err_set(s->fail, "fake state: read failed");
    int i = key_index(a);
    *out = i < 0 ? u256_from_u64(0) : s->balance[i];
    return 0;
}

static const struct txpool_state_reader rd = {fs_nonce, fs_balance, &st};

static void setup(void)
{
    ck_assert_int_eq(ecdsa_init(), 0);
    for (int i = 0; i < NKEYS; i++) {
        char seed[32];
        int n = snprintf(seed, sizeof seed, "txpool-test %d", i);
        keccak256(seed, (size_t)n, sks[i]);
        uint8_t pub[64];
        ck_assert_int_eq(ecdsa_pubkey(sks[i], pub), 0);
        ecdsa_pub_to_address(pub, addrs[i].b);
    }
    params = *chain_params_get(CHAIN_REGTEST);
    memset(&st, 0, sizeof st);
    for (int i = 0; i < NKEYS; i++)
        st.balance[i] = u256_from_u64(1000000ull * 1000000000000ull); /* 1e18 wei */
}

static struct txpool *new_pool(uint64_t min_price, size_t gpending, size_t gqueued, size_t slots)
{
    struct txpool_config cfg;
    txpool_config_default(&cfg, &params);
    ck_assert_uint_eq(cfg.min_gas_price, 18 * GWEI);
    cfg.min_gas_price = min_price;
    if (gpending)
        cfg.global_pending = gpending;
    if (gqueued)
        cfg.global_queued = gqueued;
    if (slots)
        cfg.account_slots = slots;
    struct txpool *p = NULL;
    ck_assert_int_eq(txpool_create(&params, &cfg, 10, GAS_LIMIT, &p), 0);
    return p;
}

/* ---- building transactions --------------------------------------------------- */

struct spec {
    int key;
    uint64_t nonce;
    uint64_t price;             /* wei */
    uint64_t gas;
    uint64_t value;
    const uint8_t *data;
    size_t len;
    const struct address *to;
    uint64_t chain_id;
};

static struct spec S(int key, uint64_t nonce, uint64_t price_gwei)
{
    struct spec s = {key, nonce, price_gwei * GWEI, 21000, 1, NULL, 0, &addrs[NKEYS - 1],
                     params.chain_id};
    return s;
}

static struct tx make_tx(const struct spec *s)
{
    struct tx t;
    memset(&t, 0, sizeof t);
    t.nonce = s->nonce;
    t.gas_price = u256_from_u64(s->price);
    t.gas = s->gas;
    t.has_to = s->to != NULL;
    if (s->to)
        t.to = *s->to;
    t.value = u256_from_u64(s->value);
    if (s->len) {
        t.data = malloc(s->len);
        ck_assert_ptr_nonnull(t.data);
        memcpy(t.data, s->data, s->len);
        t.data_len = s->len;
    }
    ck_assert_int_eq(tx_sign(&t, sks[s->key], s->chain_id), 0);
    return t;
}

static void encode(const struct spec *s, struct bytes *b)
{
    struct tx t = make_tx(s);
    ck_assert_int_eq(tx_encode(&t, b), 0);
    tx_free(&t);
}

static int add_spec(struct txpool *p, const struct spec *s, bool local, enum txpool_reason *why,
                    struct hash32 *hash)
{
    struct bytes b = BYTES_INIT;
    encode(s, &b);
    int rc = txpool_add(p, &rd, b.data, b.len, local, hash, why);
    bytes_free(&b);
    return rc;
}

/* Adds and expects success; returns the hash. */
static struct hash32 ok_add(struct txpool *p, int key, uint64_t nonce, uint64_t price_gwei)
{
    struct spec s = S(key, nonce, price_gwei);
    enum txpool_reason why;
    struct hash32 h;
    int rc = add_spec(p, &s, false, &why, &h);
    ck_assert_msg(rc == 0, "add key %d nonce %llu: %s", key, (unsigned long long)nonce,
                  err_msg());
    ck_assert_int_eq(why, TXPOOL_OK);
    return h;
}

/* Adds and expects refusal with `want`; checks the context string. */
static void refused(struct txpool *p, const struct spec *s, bool local, enum txpool_reason want)
{
    enum txpool_reason why = TXPOOL_OK;
    size_t pend0, q0, pend1, q1;
    txpool_counts(p, &pend0, &q0);
    int rc = add_spec(p, s, local, &why, NULL);
    ck_assert_int_eq(rc, ERR_INVAL);
    ck_assert_msg(why == want, "reason %d (%s), want %d", why, err_msg(), want);
    ck_assert_str_eq(err_msg(), txpool_reason_str(want));
    txpool_counts(p, &pend1, &q1);
    ck_assert_uint_eq(pend0, pend1);
    ck_assert_uint_eq(q0, q1);
}

static void assert_counts(struct txpool *p, size_t pending, size_t queued)
{
    size_t a, b;
    txpool_counts(p, &a, &b);
    ck_assert_msg(a == pending && b == queued, "counts %zu/%zu, want %zu/%zu", a, b, pending,
                  queued);
}

static bool present(struct txpool *p, const struct hash32 *h)
{
    return txpool_get(p, h) != NULL;
}

/* ---- rejection reasons ------------------------------------------------------------ */

START_TEST(rejects_with_each_reason)
{
    struct txpool *p = new_pool(2 * GWEI, 0, 0, 0);
    struct spec s;

    /* not a transaction */
    enum txpool_reason why = TXPOOL_OK;
    const uint8_t junk[] = {0xc3, 0x01, 0x02};
    ck_assert_int_eq(txpool_add(p, &rd, junk, sizeof junk, false, NULL, &why), ERR_DECODE);
    ck_assert_int_eq(why, TXPOOL_DECODE);
    const uint8_t typed[] = {0x01, 0xc0};
    ck_assert_int_eq(txpool_add(p, &rd, typed, sizeof typed, false, NULL, &why), ERR_UNSUPPORTED);

    /* oversized: more than 32 KiB encoded, valid otherwise */
    static uint8_t big[33 * 1024];
    memset(big, 1, sizeof big);
    s = S(0, 0, 5);
    s.data = big;
    s.len = sizeof big;
    s.gas = 3000000;
    refused(p, &s, true, TXPOOL_OVERSIZED);
    s.len = 30 * 1024;          /* under the limit: accepted */
    ck_assert_int_eq(add_spec(p, &s, false, &why, NULL), 0);

    /* already known */
    refused(p, &s, false, TXPOOL_ALREADY_KNOWN);

    /* chief update to the network's chief (refused even when local) */
    uint8_t upd[TRIBE_CHIEF_UPDATE_DATA_LEN];
    tribe_chief_update_data(&addrs[3], upd);
    s = S(1, 0, 5);
    s.to = &params.chiefs[0].addr;
    s.data = upd;
    s.len = sizeof upd;
    s.gas = 100000;
    refused(p, &s, true, TXPOOL_CHIEF_UPDATE);
    s.data = upd + 1;           /* another call to the chief is fine */
    s.len = sizeof upd - 1;
    ck_assert_int_eq(add_spec(p, &s, false, &why, NULL), 0);

    s = S(2, 0, 5);
    s.gas = GAS_LIMIT + 1;
    refused(p, &s, false, TXPOOL_GAS_LIMIT);

    s = S(2, 0, 5);
    s.chain_id = 0;
    refused(p, &s, true, TXPOOL_UNPROTECTED);
    s.chain_id = params.chain_id + 1;
    refused(p, &s, true, TXPOOL_INVALID_CHAIN_ID);

    /* invalid sender: s above n/2 is refused by Homestead's low-s rule */
    struct bytes b = BYTES_INIT;
    s = S(2, 0, 5);
    struct tx t = make_tx(&s);
    memset(t.s, 0xff, 32);
    ck_assert_int_eq(tx_encode(&t, &b), 0);
    ck_assert_int_eq(txpool_add(p, &rd, b.data, b.len, true, NULL, &why), ERR_INVAL);
    ck_assert_int_eq(why, TXPOOL_INVALID_SENDER);
    ck_assert_str_eq(err_msg(), "invalid sender");
    tx_free(&t);
    bytes_free(&b);

    /* price floor: remote refused, local exempt */
    s = S(2, 0, 1);
    refused(p, &s, false, TXPOOL_UNDERPRICED);
    ck_assert_int_eq(add_spec(p, &s, true, &why, NULL), 0);

    s = S(3, UINT64_MAX, 5);
    refused(p, &s, false, TXPOOL_NONCE_MAX);

    st.nonce[3] = 5;
    s = S(3, 4, 5);
    refused(p, &s, false, TXPOOL_NONCE_TOO_LOW);

    /* funds: cost = 21000 * price + value */
    st.balance[4] = u256_from_u64(21000 * 5 * GWEI + 1);
    s = S(4, 0, 5);
    s.value = 2;
    refused(p, &s, false, TXPOOL_INSUFFICIENT_FUNDS);
    s.value = 1;                /* exactly the balance */
    ck_assert_int_eq(add_spec(p, &s, false, &why, NULL), 0);

    s = S(5, 0, 5);
    s.gas = 20999;
    refused(p, &s, false, TXPOOL_INTRINSIC_GAS);
    s.gas = 53000 - 1;          /* a creation needs 53000 */
    s.to = NULL;
    refused(p, &s, false, TXPOOL_INTRINSIC_GAS);

    /* a reader failure is returned as such */
    st.fail = ERR_IO;
    s = S(6, 0, 5);
    ck_assert_int_eq(add_spec(p, &s, false, &why, NULL), ERR_IO);
    st.fail = 0;

    assert_counts(p, 4, 0);
    ck_assert_str_eq(txpool_reason_str(TXPOOL_FULL), "txpool is full");
    ck_assert_str_eq(txpool_reason_str(TXPOOL_REPLACE_UNDERPRICED),
                     "replacement transaction underpriced");
    ck_assert_str_eq(txpool_reason_str((enum txpool_reason)99), "unknown");
    txpool_free(p);
}
END_TEST

START_TEST(create_refuses_bad_config)
{
    struct txpool_config cfg;
    txpool_config_default(&cfg, NULL);
    ck_assert_uint_eq(cfg.min_gas_price, 0);
    ck_assert_uint_eq(cfg.max_tx_size, 32 * 1024);
    struct txpool *p = (struct txpool *)1;
    cfg.account_slots = 0;
    ck_assert_int_eq(txpool_create(&params, &cfg, 0, GAS_LIMIT, &p), ERR_INVAL);
    ck_assert_ptr_null(p);
}
END_TEST

/* ---- pending and queued --------------------------------------------------------------- */

START_TEST(gap_fill_promotes_queued)
{
    struct txpool *p = new_pool(0, 0, 0, 0);
    st.nonce[0] = 3;
    struct hash32 h5 = ok_add(p, 0, 5, 1);
    struct hash32 h4 = ok_add(p, 0, 4, 1);
    assert_counts(p, 0, 2);
    ck_assert(!txpool_get(p, &h5)->pending);
    uint64_t pn;
    ck_assert_int_eq(txpool_pending_nonce(p, &rd, &addrs[0], &pn), 0);
    ck_assert_uint_eq(pn, 3);

    ok_add(p, 0, 3, 1);         /* fills the gap: 3, 4, 5 run */
    assert_counts(p, 3, 0);
    ck_assert(txpool_get(p, &h4)->pending && txpool_get(p, &h5)->pending);
    ck_assert_int_eq(txpool_pending_nonce(p, &rd, &addrs[0], &pn), 0);
    ck_assert_uint_eq(pn, 6);
    ck_assert_int_eq(txpool_pending_nonce(p, &rd, &addrs[1], &pn), 0);
    ck_assert_uint_eq(pn, 0);

    ok_add(p, 0, 7, 1);
    assert_counts(p, 3, 1);
    size_t n;
    const struct txpool_tx *const *txs = txpool_account_txs(p, &addrs[0], &n);
    ck_assert_uint_eq(n, 4);
    for (size_t i = 0; i < n; i++) {
        ck_assert_uint_eq(txs[i]->tx.nonce, i < 3 ? 3 + i : 7);
        ck_assert(txs[i]->pending == (i < 3));
        ck_assert(address_eq(&txs[i]->sender, &addrs[0]));
    }
    ck_assert_ptr_null(txpool_account_txs(p, &addrs[5], &n));
    ck_assert_uint_eq(n, 0);

    /* the state nonce moved without a new head: an add drops the mined txs */
    st.nonce[0] = 5;
    ok_add(p, 0, 6, 1);
    assert_counts(p, 3, 0);                 /* 5, 6, 7 */
    txs = txpool_account_txs(p, &addrs[0], &n);
    ck_assert_uint_eq(n, 3);
    ck_assert_uint_eq(txs[0]->tx.nonce, 5);
    txpool_free(p);
}
END_TEST

/* ---- replacement ---------------------------------------------------------------------- */

START_TEST(replacement_needs_the_bump)
{
    struct txpool *p = new_pool(0, 0, 0, 0);
    struct hash32 h0 = ok_add(p, 0, 0, 100);
    struct hash32 hq = ok_add(p, 0, 5, 100);
    struct spec s = S(0, 0, 109);
    refused(p, &s, false, TXPOOL_REPLACE_UNDERPRICED);     /* +9% */
    s = S(0, 0, 100);
    s.value = 2;                /* same price, different tx */
    refused(p, &s, false, TXPOOL_REPLACE_UNDERPRICED);
    s = S(0, 0, 50);
    refused(p, &s, true, TXPOOL_REPLACE_UNDERPRICED);      /* local too */

    struct hash32 h1 = ok_add(p, 0, 0, 110);               /* exactly +10% */
    ck_assert(!present(p, &h0));
    ck_assert(present(p, &h1));
    ck_assert(txpool_get(p, &h1)->pending);
    assert_counts(p, 1, 1);

    struct hash32 hq2 = ok_add(p, 0, 5, 200);              /* queued one, well above */
    ck_assert(!present(p, &hq));
    ck_assert(!txpool_get(p, &hq2)->pending);
    assert_counts(p, 1, 1);
    txpool_free(p);

    /* a configurable bump: 0% still needs a strictly higher price */
    struct txpool_config cfg;
    txpool_config_default(&cfg, NULL);
    cfg.price_bump = 0;
    ck_assert_int_eq(txpool_create(&params, &cfg, 10, GAS_LIMIT, &p), 0);
    ok_add(p, 1, 0, 100);
    s = S(1, 0, 100);
    s.value = 3;
    refused(p, &s, false, TXPOOL_REPLACE_UNDERPRICED);
    ok_add(p, 1, 0, 101);
    txpool_free(p);
}
END_TEST

/* ---- limits ---------------------------------------------------------------------------- */

START_TEST(account_limit_drops_highest_queued)
{
    struct txpool *p = new_pool(0, 0, 0, 4);
    ok_add(p, 0, 0, 10);
    ok_add(p, 0, 1, 10);
    struct hash32 h5 = ok_add(p, 0, 5, 10);
    struct hash32 h6 = ok_add(p, 0, 6, 10);
    assert_counts(p, 2, 2);

    struct spec s = S(0, 7, 10);
    refused(p, &s, false, TXPOOL_ACCOUNT_LIMIT);            /* nothing above 7 to drop */
    struct hash32 h2 = ok_add(p, 0, 2, 10);                 /* drops 6, keeps 5 */
    ck_assert(!present(p, &h6));
    ck_assert(present(p, &h5) && present(p, &h2));
    assert_counts(p, 3, 1);

    /* replacement does not count against the limit */
    ok_add(p, 0, 5, 20);
    /* local txs are exempt */
    s = S(0, 9, 10);
    enum txpool_reason why;
    ck_assert_int_eq(add_spec(p, &s, true, &why, NULL), 0);
    assert_counts(p, 3, 2);
    /* a local highest nonce is never dropped for a remote newcomer */
    s = S(0, 4, 10);
    refused(p, &s, false, TXPOOL_ACCOUNT_LIMIT);
    /* another account is unaffected */
    ok_add(p, 1, 0, 10);
    txpool_free(p);
}
END_TEST

START_TEST(global_limits_evict_cheapest)
{
    struct txpool *p = new_pool(0, 3, 2, 0);
    struct hash32 a = ok_add(p, 0, 0, 10);
    struct hash32 b = ok_add(p, 1, 0, 20);
    struct hash32 c = ok_add(p, 2, 0, 30);
    assert_counts(p, 3, 0);

    struct spec s = S(3, 0, 5);
    refused(p, &s, false, TXPOOL_UNDERPRICED);              /* cheaper than the cheapest */
    s = S(3, 0, 10);
    refused(p, &s, false, TXPOOL_UNDERPRICED);              /* not dearer */
    struct hash32 d = ok_add(p, 3, 0, 15);                  /* evicts a (10) */
    ck_assert(!present(p, &a));
    ck_assert(present(p, &b) && present(p, &c) && present(p, &d));
    assert_counts(p, 3, 0);

    /* queued: its own limit and victims */
    struct hash32 e = ok_add(p, 4, 5, 50);
    struct hash32 f = ok_add(p, 5, 5, 60);
    assert_counts(p, 3, 2);
    s = S(6, 5, 40);
    refused(p, &s, false, TXPOOL_UNDERPRICED);
    struct hash32 g = ok_add(p, 6, 5, 70);                  /* evicts e */
    ck_assert(!present(p, &e));
    ck_assert(present(p, &f) && present(p, &g));
    assert_counts(p, 3, 2);

    /* a local newcomer always enters, evicting the cheapest remote */
    s = S(7, 0, 1);
    enum txpool_reason why;
    ck_assert_int_eq(add_spec(p, &s, true, &why, NULL), 0);
    ck_assert(!present(p, &d));                             /* 15 was the cheapest remote */
    assert_counts(p, 3, 2);
    txpool_free(p);

    /* only locals: a remote is refused as full, a local still enters */
    p = new_pool(0, 2, 2, 0);
    s = S(0, 0, 10);
    ck_assert_int_eq(add_spec(p, &s, true, &why, NULL), 0);
    s = S(1, 0, 10);
    ck_assert_int_eq(add_spec(p, &s, true, &why, NULL), 0);
    s = S(2, 0, 500);
    refused(p, &s, false, TXPOOL_FULL);
    s = S(3, 0, 1);
    ck_assert_int_eq(add_spec(p, &s, true, &why, NULL), 0);
    assert_counts(p, 3, 0);
    txpool_free(p);
}
END_TEST

START_TEST(pending_eviction_demotes_successors)
{
    struct txpool *p = new_pool(0, 3, 10, 0);
    struct hash32 a0 = ok_add(p, 0, 0, 50);
    struct hash32 a1 = ok_add(p, 0, 1, 5);
    struct hash32 a2 = ok_add(p, 0, 2, 50);
    assert_counts(p, 3, 0);
    struct hash32 b0 = ok_add(p, 1, 0, 20);                 /* evicts a1 */
    ck_assert(!present(p, &a1));
    ck_assert(txpool_get(p, &a0)->pending && txpool_get(p, &b0)->pending);
    ck_assert(!txpool_get(p, &a2)->pending);                /* gap at 1: demoted */
    assert_counts(p, 2, 1);
    uint64_t pn;
    ck_assert_int_eq(txpool_pending_nonce(p, &rd, &addrs[0], &pn), 0);
    ck_assert_uint_eq(pn, 1);
    txpool_free(p);
}
END_TEST

/* ---- new heads and reorgs ------------------------------------------------------------------ */

START_TEST(new_head_prunes)
{
    struct txpool *p = new_pool(0, 0, 0, 0);
    struct hash32 a0 = ok_add(p, 0, 0, 10), a1 = ok_add(p, 0, 1, 10), a2 = ok_add(p, 0, 2, 10);
    struct hash32 b0 = ok_add(p, 1, 0, 10);
    struct hash32 c0 = ok_add(p, 2, 0, 10);
    struct spec s = S(2, 1, 10);
    s.value = 1000000;          /* dearer than the rest */
    struct hash32 c1;
    enum txpool_reason why;
    ck_assert_int_eq(add_spec(p, &s, false, &why, &c1), 0);
    struct hash32 c2 = ok_add(p, 2, 2, 10);
    s = S(3, 0, 10);
    s.gas = 100000;
    struct hash32 d0;
    ck_assert_int_eq(add_spec(p, &s, false, &why, &d0), 0);
    struct hash32 e5 = ok_add(p, 4, 5, 10);                 /* queued */
    assert_counts(p, 8, 1);

    /* block: a0, a1 mined; b lost its funds; c can pay each tx but c1's
     * cost; gas limit falls under d0's gas; e's nonce jumps to 5. */
    st.nonce[0] = 2;
    st.balance[1] = u256_from_u64(1000);
    st.balance[2] = u256_from_u64(21000 * 10 * GWEI + 1);
    st.nonce[4] = 5;
    ck_assert_int_eq(txpool_on_new_head(p, 11, 90000, &rd), 0);
    ck_assert(!present(p, &a0) && !present(p, &a1) && present(p, &a2));
    ck_assert(txpool_get(p, &a2)->pending);
    ck_assert(!present(p, &b0));
    ck_assert(present(p, &c0) && !present(p, &c1) && present(p, &c2));
    ck_assert(txpool_get(p, &c0)->pending && !txpool_get(p, &c2)->pending);
    ck_assert(!present(p, &d0));
    ck_assert(txpool_get(p, &e5)->pending);                 /* promoted by the new nonce */
    assert_counts(p, 3, 1);
    size_t n;
    ck_assert_ptr_null(txpool_account_txs(p, &addrs[1], &n));

    /* the new gas limit applies to newcomers */
    s = S(5, 0, 10);
    s.gas = 90001;
    refused(p, &s, false, TXPOOL_GAS_LIMIT);

    /* a reader failure is reported and leaves the accounts as they were */
    st.fail = ERR_IO;
    st.nonce[0] = 3;
    ck_assert_int_eq(txpool_on_new_head(p, 12, 90000, &rd), ERR_IO);
    ck_assert(present(p, &a2));
    st.fail = 0;
    ck_assert_int_eq(txpool_on_new_head(p, 12, 90000, &rd), 0);
    ck_assert(!present(p, &a2));
    assert_counts(p, 2, 1);
    txpool_free(p);
}
END_TEST

START_TEST(reorg_readds_dropped_txs)
{
    struct txpool *p = new_pool(0, 0, 0, 0);
    /* txs of a dropped block: a0, a1, a chief update, b0 (mined again on
     * the new chain, so b's nonce is 1), an unprotected one */
    struct tx txs[5];
    struct spec s0 = S(0, 0, 10), s1 = S(0, 1, 10), s3 = S(1, 0, 10), s4 = S(2, 0, 10);
    uint8_t upd[TRIBE_CHIEF_UPDATE_DATA_LEN];
    tribe_chief_update_data(&addrs[0], upd);
    struct spec s2 = S(5, 0, 18);
    s2.to = &params.chiefs[0].addr;
    s2.data = upd;
    s2.len = sizeof upd;
    s2.gas = 4712388;
    s4.chain_id = 0;
    txs[0] = make_tx(&s0);
    txs[1] = make_tx(&s1);
    txs[2] = make_tx(&s2);
    txs[3] = make_tx(&s3);
    txs[4] = make_tx(&s4);
    st.nonce[1] = 1;
    ck_assert_int_eq(txpool_on_new_head(p, 9, GAS_LIMIT, &rd), 0);
    size_t back = 99;
    ck_assert_int_eq(txpool_readd(p, &rd, txs, 5, &back), 0);
    ck_assert_uint_eq(back, 2);
    assert_counts(p, 2, 0);
    struct hash32 h;
    ck_assert_int_eq(tx_hash(&txs[1], h.b), 0);
    const struct txpool_tx *e = txpool_get(p, &h);
    ck_assert_ptr_nonnull(e);
    ck_assert(!e->local && e->pending);
    /* readding again: all already known or refused, none enters */
    ck_assert_int_eq(txpool_readd(p, &rd, txs, 5, &back), 0);
    ck_assert_uint_eq(back, 0);
    /* a reader failure stops the re-add and is returned */
    st.fail = ERR_IO;
    struct tx more = make_tx(&(struct spec){.key = 6, .nonce = 0, .price = GWEI, .gas = 21000,
                                            .to = &addrs[0], .chain_id = params.chain_id});
    ck_assert_int_eq(txpool_readd(p, &rd, &more, 1, &back), ERR_IO);
    st.fail = 0;
    for (int i = 0; i < 5; i++)
        tx_free(&txs[i]);
    tx_free(&more);
    txpool_free(p);
}
END_TEST

/* ---- the miner's order ---------------------------------------------------------------------- */

START_TEST(iterator_orders_by_price_then_nonce)
{
    struct txpool *p = new_pool(0, 0, 0, 0);
    struct hash32 a0 = ok_add(p, 0, 0, 10), a1 = ok_add(p, 0, 1, 50), a2 = ok_add(p, 0, 2, 5);
    struct hash32 b0 = ok_add(p, 1, 0, 30), b1 = ok_add(p, 1, 1, 20);
    struct hash32 c0 = ok_add(p, 2, 0, 20);
    ok_add(p, 3, 4, 100);       /* queued: never offered */
    /* B1 and C0 tie at 20: B1 arrived first */
    const struct hash32 *want[] = {&b0, &b1, &c0, &a0, &a1, &a2};
    struct txpool_iter *it;
    ck_assert_int_eq(txpool_iter_new(p, &it), 0);
    for (size_t i = 0; i < 6; i++) {
        const struct txpool_tx *t = txpool_iter_peek(it);
        ck_assert_ptr_nonnull(t);
        ck_assert_msg(hash32_eq(&t->hash, want[i]), "position %zu", i);
        txpool_iter_shift(it);
    }
    ck_assert_ptr_null(txpool_iter_peek(it));
    txpool_iter_shift(it);      /* harmless at the end */
    txpool_iter_pop(it);
    txpool_iter_free(it);

    /* A0 fails: the rest of A is skipped, the others continue */
    ck_assert_int_eq(txpool_iter_new(p, &it), 0);
    const struct hash32 *want2[] = {&b0, &b1, &c0, &a0};
    for (size_t i = 0; i < 4; i++) {
        const struct txpool_tx *t = txpool_iter_peek(it);
        ck_assert_ptr_nonnull(t);
        ck_assert_msg(hash32_eq(&t->hash, want2[i]), "position %zu", i);
        if (i == 3)
            txpool_iter_pop(it);
        else
            txpool_iter_shift(it);
    }
    ck_assert_ptr_null(txpool_iter_peek(it));
    txpool_iter_free(it);

    /* B0 fails first: B1 never comes, and A1 (50) beats C0 once A0 is in */
    ck_assert_int_eq(txpool_iter_new(p, &it), 0);
    ck_assert(hash32_eq(&txpool_iter_peek(it)->hash, &b0));
    txpool_iter_pop(it);
    const struct hash32 *want3[] = {&c0, &a0, &a1, &a2};
    for (size_t i = 0; i < 4; i++) {
        ck_assert_msg(hash32_eq(&txpool_iter_peek(it)->hash, want3[i]), "position %zu", i);
        txpool_iter_shift(it);
    }
    ck_assert_ptr_null(txpool_iter_peek(it));
    txpool_iter_free(it);
    txpool_free(p);

    /* an empty pool gives an empty iterator */
    p = new_pool(0, 0, 0, 0);
    ck_assert_int_eq(txpool_iter_new(p, &it), 0);
    ck_assert_ptr_null(txpool_iter_peek(it));
    txpool_iter_free(it);
    txpool_free(p);
}
END_TEST

/* ---- views ------------------------------------------------------------------------------------ */

struct tally {
    size_t accounts, pending, queued;
};

static void count_cb(void *ctx, const struct address *sender, const struct txpool_tx *const *txs,
                     size_t n)
{
    struct tally *t = ctx;
    t->accounts++;
    for (size_t i = 0; i < n; i++) {
        ck_assert(address_eq(sender, &txs[i]->sender));
        if (i)
            ck_assert_uint_gt(txs[i]->tx.nonce, txs[i - 1]->tx.nonce);
        if (txs[i]->pending)
            t->pending++;
        else
            t->queued++;
    }
}

static void assert_consistent(struct txpool *p)
{
    struct tally t = {0, 0, 0};
    txpool_foreach_account(p, count_cb, &t);
    assert_counts(p, t.pending, t.queued);
}

START_TEST(views_agree_with_counts)
{
    struct txpool *p = new_pool(0, 0, 0, 0);
    ok_add(p, 0, 0, 1);
    ok_add(p, 0, 2, 1);
    ok_add(p, 1, 0, 1);
    struct tally t = {0, 0, 0};
    txpool_foreach_account(p, count_cb, &t);
    ck_assert_uint_eq(t.accounts, 2);
    ck_assert_uint_eq(t.pending, 2);
    ck_assert_uint_eq(t.queued, 1);
    assert_consistent(p);
    txpool_free(p);
}
END_TEST

/* ---- hostile input ----------------------------------------------------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

START_TEST(hostile_bytes_never_crash)
{
    struct txpool *p = new_pool(0, 8, 8, 4);
    uint8_t buf[512];
    enum txpool_reason why;
    /* random strings, some starting like a list */
    for (int i = 0; i < 3000; i++) {
        size_t len = rng() % sizeof buf;
        for (size_t j = 0; j < len; j++)
            buf[j] = (uint8_t)rng();
        if (len && i % 2)
            buf[0] = (uint8_t)(0xc0 + rng() % 64);
        int rc = txpool_add(p, &rd, buf, len, i % 3 == 0, NULL, &why);
        ck_assert_int_le(rc, 0);
    }
    ck_assert_int_eq(txpool_add(p, &rd, NULL, 0, false, NULL, &why), ERR_DECODE);
    /* mutations of valid txs: flipped bytes, truncations, extensions */
    for (int i = 0; i < 400; i++) {
        struct bytes b = BYTES_INIT;
        struct spec s = S((int)(rng() % 6), rng() % 6, 1 + rng() % 50);
        encode(&s, &b);
        ck_assert_uint_lt(b.len, sizeof buf - 8);
        memcpy(buf, b.data, b.len);
        size_t len = b.len;
        switch (i % 4) {
        case 0:
            buf[rng() % len] ^= (uint8_t)(1u << (rng() % 8));
            break;
        case 1:
            len = rng() % len;
            break;
        case 2:
            buf[len++] = (uint8_t)rng();
            break;
        default:
            break;              /* unchanged: may be accepted */
        }
        int rc = txpool_add(p, &rd, buf, len, false, NULL, &why);
        ck_assert_int_le(rc, 0);
        bytes_free(&b);
        assert_consistent(p);
    }
    size_t pend, q;
    txpool_counts(p, &pend, &q);
    ck_assert_uint_le(pend, 8);
    ck_assert_uint_le(q, 8);
    ck_assert_uint_gt(pend, 0);
    txpool_free(p);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("txpool");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, rejects_with_each_reason);
    tcase_add_test(tc, create_refuses_bad_config);
    tcase_add_test(tc, gap_fill_promotes_queued);
    tcase_add_test(tc, replacement_needs_the_bump);
    tcase_add_test(tc, account_limit_drops_highest_queued);
    tcase_add_test(tc, global_limits_evict_cheapest);
    tcase_add_test(tc, pending_eviction_demotes_successors);
    tcase_add_test(tc, new_head_prunes);
    tcase_add_test(tc, reorg_readds_dropped_txs);
    tcase_add_test(tc, iterator_orders_by_price_then_nonce);
    tcase_add_test(tc, views_agree_with_counts);
    tcase_add_test(tc, hostile_bytes_never_crash);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
