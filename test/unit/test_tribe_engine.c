/*
 * test_tribe_engine.c — Tribe verification (consensus/tribe_engine.h) on the
 * real regtest genesis: blocks 1..N produced the way the miner will (S and L
 * read from the system contracts, tribe_prepare, the chief update tx first,
 * execution filling the roots, tribe_seal) must pass verifyHeader and
 * ValidateBlock, and every tampering of a valid block must be rejected with
 * its reason.
 *
 * The chain runs on the regtest parameters with a period of 3 s instead of
 * 0, so that both timing checks of spec §5.1 bite (the genesis does not
 * depend on the period). With signerLimit 3 and the node key as the only
 * signer and leader, S = [node, 0, 0]: block n has difficulty 6 when
 * n % 3 == 0 (in turn) and 5 otherwise (signer 0 standing in), with delays
 * 2 s and 6 s.
 *
 * Files: $top_srcdir/share/genesis/genesis-regtest.json.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/genesis.h"
#include "chain/params.h"
#include "chain/processor.h"
#include "chain/regtest_genesis.h"
#include "consensus/tribe_engine.h"
#include "consensus/vrf.h"
#include "state/state.h"
#include "trie/trie.h"
#include "util/err.h"

#define NBLOCKS 7
#define STEP 10 /* seconds between blocks (above every delay) */
#define NOW 1000000

struct chain {
    struct chain_params p;
    struct trie_memstore *ms;
    struct trie_store store;
    struct genesis g;
    struct evm *evm;
    uint8_t node_key[32], dev_key[32];
    struct address node, dev;
    struct block blocks[NBLOCKS + 1]; /* [0].header is the genesis header */
};

/* ---- producing ---------------------------------------------------------------- */

/* What a test changes while producing a block. */
struct recipe {
    const uint8_t *producer;    /* signs the header (the node key by default) */
    const uint8_t *chief_from;  /* signs the chief tx (the producer by default) */
    bool no_chief;              /* leave the chief tx out */
    bool chief_second;          /* a transfer first, the chief tx second */
    bool transfer;              /* add a transfer from the dev key */
    bool volunteer_dev;         /* the chief tx names the dev address */
};

static struct tx make_tx(const uint8_t *sk, uint64_t nonce, const struct address *to,
                         uint64_t value, uint64_t gas, uint64_t price, const uint8_t *data,
                         size_t len, uint64_t chain_id)
{
    struct tx t;
    memset(&t, 0, sizeof t);
    t.nonce = nonce;
    t.gas_price = u256_from_u64(price);
    t.gas = gas;
    t.has_to = true;
    t.to = *to;
    t.value = u256_from_u64(value);
    if (len) {
        t.data = malloc(len);
        ck_assert_ptr_nonnull(t.data);
        memcpy(t.data, data, len);
        t.data_len = len;
    }
    ck_assert_int_eq(tx_sign(&t, sk, chain_id), 0);
    return t;
}

static struct address addr_of_key(const uint8_t *sk)
{
    struct address a;
    ck_assert_int_eq(regtest_key_address(sk, &a), 0);
    return a;
}

/*
 * Produces block parent->number + 1 into *b following `rc` and returns the
 * state after it (owned by the caller) when `post` is not NULL. The header
 * is complete and sealed.
 */
static void produce(struct chain *c, const struct header *parent, const struct recipe *rc,
                    struct block *b, struct state **post)
{
    const struct chain_params *p = &c->p;
    const uint8_t *key = rc->producer ? rc->producer : c->node_key;
    const uint8_t *ckey = rc->chief_from ? rc->chief_from : key;
    uint64_t n = parent->number + 1;
    struct state *st;
    ck_assert_int_eq(state_open(&c->store, parent->state_root.b, &st), 0);
    struct tribe_status status;
    ck_assert_msg(tribe_load_status(p, c->evm, st, parent, &status) == 0, "%s", err_msg());
    struct tribe_lists ls = tribe_status_lists(&status);

    memset(b, 0, sizeof *b);
    struct address coinbase = addr_of_key(key);
    ck_assert_msg(tribe_prepare(p, parent, &ls, key, &coinbase, parent->time + STEP,
                                &b->header) == 0,
                  "%s", err_msg());
    tribe_status_free(&status);
    struct header *h = &b->header;

    struct tx txs[3];
    size_t ntx = 0;
    if (tribe_requires_chief_tx(p, n) && !rc->no_chief) {
        struct address vol = {{0}};
        if (tribe_volunteer_checked(p, n))
            ck_assert_int_eq(tribe_pick_volunteer(p, c->evm, st, parent, h->extra, &vol), 0);
        if (rc->volunteer_dev)
            vol = c->dev;
        uint8_t data[TRIBE_CHIEF_UPDATE_DATA_LEN];
        tribe_chief_update_data(&vol, data);
        struct address from = addr_of_key(ckey);
        txs[ntx++] = make_tx(ckey, state_get_nonce(st, &from), &params_chief_for_block(p, n)->addr,
                             0, p->chief_tx_gas_limit, p->chief_tx_gas_price, data, sizeof data,
                             p->chain_id);
    }
    if (rc->transfer || rc->chief_second) {
        struct tx t = make_tx(c->dev_key, state_get_nonce(st, &c->dev), &c->node, 1, 21000,
                              p->min_gas_price, NULL, 0, p->chain_id);
        if (rc->chief_second && ntx) {
            txs[ntx] = txs[0];
            txs[0] = t;
            ntx++;
        } else {
            txs[ntx++] = t;
        }
    }
    if (ntx) {
        b->body.txs = calloc(ntx, sizeof *b->body.txs);
        ck_assert_ptr_nonnull(b->body.txs);
        memcpy(b->body.txs, txs, ntx * sizeof *txs);
        b->body.tx_count = ntx;
    }

    struct chain_exec_env env = {p, c->evm, NULL, NULL, NULL};
    struct chain_exec_result res;
    ck_assert_msg(chain_execute_block(&env, st, h, &b->body, &res) == 0, "%s", err_msg());
    h->state_root = res.state_root;
    h->tx_root = res.tx_root;
    h->receipt_root = res.receipt_root;
    h->bloom = res.bloom;
    h->gas_used = res.gas_used;
    chain_exec_result_free(&res);
    ck_assert_int_eq(tribe_seal(h, key), 0);
    if (post) {
        uint8_t root[32];
        ck_assert_int_eq(state_commit(st, root), 0);
        *post = st;
    } else {
        state_free(st);
    }
}

/* ---- verifying ------------------------------------------------------------------ */

/* verifyHeader, then ValidateBlock on a fresh parent state, then execution
 * on that same state (so the system reads must have left it intact). */
static int verify(struct chain *c, const struct header *parent, const struct block *b)
{
    int rc = tribe_verify_header(&c->p, parent, &b->header, NOW);
    if (rc)
        return rc;
    struct state *st;
    ck_assert_int_eq(state_open(&c->store, parent->state_root.b, &st), 0);
    struct address signer;
    rc = tribe_validate_block(&c->p, c->evm, parent, st, b, NULL, &signer);
    if (rc == 0) {
        if (b->header.number > c->p.unchecked_blocks)
            ck_assert(address_eq(&signer, &c->node));
        struct chain_exec_env env = {&c->p, c->evm, &signer, NULL, NULL};
        struct chain_exec_result res;
        ck_assert_msg(chain_execute_block(&env, st, &b->header, &b->body, &res) == 0, "%s",
                      err_msg());
        rc = chain_exec_check(&c->p, &b->header, &res);
        chain_exec_result_free(&res);
    }
    state_free(st);
    return rc;
}

/* Asserts that verify() rejects b with `code` and a reason containing `why`. */
static void expect_reject(struct chain *c, const struct header *parent, const struct block *b,
                          int code, const char *why)
{
    err_clear();
    int rc = verify(c, parent, b);
    ck_assert_msg(rc == code, "want %s for '%s', got %d (%s)", err_name(code), why, rc,
                  err_msg());
    ck_assert_msg(strstr(err_msg(), why) != NULL, "reason '%s' lacks '%s'", err_msg(), why);
}

static void chain_init(struct chain *c)
{
    memset(c, 0, sizeof *c);
    c->p = *chain_params_get(CHAIN_REGTEST);
    c->p.period = 3;
    ck_assert_int_eq(chain_params_check(&c->p), 0);
    const char *top = getenv("top_srcdir");
    char path[4096];
    snprintf(path, sizeof path, "%s/share/genesis/genesis-regtest.json", top ? top : ".");
    ck_assert_msg(genesis_load(path, &c->g) == 0, "%s: %s", path, err_msg());
    c->ms = trie_memstore_new();
    ck_assert_ptr_nonnull(c->ms);
    c->store = trie_memstore_store(c->ms);
    ck_assert_int_eq(genesis_build(&c->g, &c->store), 0);
    ck_assert_int_eq(evm_new(&c->evm), 0);
    ck_assert_int_eq(regtest_node_key(c->node_key), 0);
    ck_assert_int_eq(regtest_dev_key(0, c->dev_key), 0);
    c->node = addr_of_key(c->node_key);
    c->dev = addr_of_key(c->dev_key);
    ck_assert_int_eq(header_copy(&c->blocks[0].header, &c->g.header), 0);
    struct recipe plain = {0};
    for (int i = 1; i <= NBLOCKS; i++) {
        plain.transfer = i % 2 == 0;
        struct state *st;
        produce(c, &c->blocks[i - 1].header, &plain, &c->blocks[i], &st);
        state_free(st);
    }
}

static void chain_free(struct chain *c)
{
    for (int i = 0; i <= NBLOCKS; i++)
        block_free(&c->blocks[i]);
    evm_free(c->evm);
    genesis_free(&c->g);
    trie_memstore_free(c->ms);
}

/* Re-seals b after a header change (with the node key). */
static void reseal(struct chain *c, struct block *b)
{
    ck_assert_int_eq(tribe_seal(&b->header, c->node_key), 0);
}

/* ---- tests --------------------------------------------------------------------- */

START_TEST(produced_chain_validates)
{
    struct chain c;
    chain_init(&c);
    for (int i = 1; i <= NBLOCKS; i++) {
        const struct header *h = &c.blocks[i].header;
        ck_assert_msg(verify(&c, &c.blocks[i - 1].header, &c.blocks[i]) == 0, "block %d: %s",
                      i, err_msg());
        /* S = [node, 0, 0]: in turn every third block, else signer 0 */
        if (i > 3)
            ck_assert_uint_eq(h->difficulty.w[0], i % 3 == 0 ? 6 : 5);
        ck_assert_uint_eq(h->extra_len, VRF_OUTPUT_LEN + TRIBE_SEAL_LEN);
        ck_assert_uint_eq(c.blocks[i].body.tx_count, (i > 3) + (i % 2 == 0));
    }
    chain_free(&c);
}
END_TEST

START_TEST(reads_the_system_contracts)
{
    struct chain c;
    chain_init(&c);
    struct state *st;
    const struct header *parent = &c.blocks[NBLOCKS].header;
    ck_assert_int_eq(state_open(&c.store, parent->state_root.b, &st), 0);
    struct tribe_status s;
    ck_assert_int_eq(tribe_load_status(&c.p, c.evm, st, parent, &s), 0);
    ck_assert_uint_eq(s.nsigners, REGTEST_SIGNER_LIMIT);
    ck_assert(address_eq(&s.signers[0], &c.node));
    ck_assert(address_is_zero(&s.signers[1]) && address_is_zero(&s.signers[2]));
    ck_assert_uint_eq(s.nleaders, 1);
    ck_assert(address_eq(&s.leaders[0], &c.node));
    tribe_status_free(&s);
    /* no stakers: takeMiner gives the zero address */
    struct address v;
    ck_assert_int_eq(tribe_pick_volunteer(&c.p, c.evm, st, parent, parent->extra, &v), 0);
    ck_assert(address_is_zero(&v));
    /* a selector the contract lacks reverts: an error, not an empty list */
    static const uint8_t bogus[4] = {1, 2, 3, 4};
    struct address *list;
    size_t n;
    ck_assert_int_eq(tribe_read_addresses(&c.p, c.evm, st, parent, &c.p.poc, bogus, 0, &list, &n),
                     ERR_INVAL);
    state_free(st);
    chain_free(&c);
}
END_TEST

/* The tampering cases below all work on block N = NBLOCKS + 1 (N % 3 != 0,
 * difficulty 5, delay 6 s) on top of the produced chain. */
#define TAMPER_BEGIN(rec)                                                   \
    struct chain c;                                                         \
    chain_init(&c);                                                         \
    const struct header *parent = &c.blocks[NBLOCKS].header;                \
    struct block b;                                                         \
    produce(&c, parent, (rec), &b, NULL);
#define TAMPER_END() \
    block_free(&b);  \
    chain_free(&c);

START_TEST(control_block_validates)
{
    struct recipe r = {.transfer = true};
    TAMPER_BEGIN(&r);
    ck_assert_msg(verify(&c, parent, &b) == 0, "%s", err_msg());
    TAMPER_END();
}
END_TEST

START_TEST(bad_seal)
{
    struct recipe r = {0};
    TAMPER_BEGIN(&r);
    b.header.extra[b.header.extra_len - 1] = 7; /* recovery id out of range */
    expect_reject(&c, parent, &b, ERR_CRYPTO, "seal recovers no key");
    /* a valid signature over other content recovers another signer */
    b.header.extra[b.header.extra_len - 1] = 0;
    b.header.extra[b.header.extra_len - 40] ^= 1;
    err_clear();
    ck_assert_int_ne(verify(&c, parent, &b), 0);
    TAMPER_END();
}
END_TEST

START_TEST(wrong_signer)
{
    struct recipe r = {0};
    struct chain c;
    chain_init(&c);
    const struct header *parent = &c.blocks[NBLOCKS].header;
    struct block b;
    /* a dev key produces the block itself: difficulty 1 (it is in neither S
     * nor L), its own VRF, its own chief tx */
    r.producer = c.dev_key;
    produce(&c, parent, &r, &b, NULL);
    ck_assert_uint_eq(b.header.difficulty.w[0], 1);
    expect_reject(&c, parent, &b, ERR_INVAL, "not authorized");
    block_free(&b);
    /* the node's block re-sealed by the dev key: the difficulty is wrong
     * for that signer before anything else */
    r.producer = NULL;
    produce(&c, parent, &r, &b, NULL);
    ck_assert_int_eq(tribe_seal(&b.header, c.dev_key), 0);
    expect_reject(&c, parent, &b, ERR_INVAL, "invalid difficulty");
    TAMPER_END();
}
END_TEST

START_TEST(wrong_difficulty)
{
    struct recipe r = {0};
    TAMPER_BEGIN(&r);
    ck_assert_uint_eq(b.header.difficulty.w[0], 5);
    b.header.difficulty = u256_from_u64(6);
    reseal(&c, &b);
    expect_reject(&c, parent, &b, ERR_INVAL, "invalid difficulty");
    b.header.difficulty = u256_from_u64(7); /* outside the header-level range */
    reseal(&c, &b);
    expect_reject(&c, parent, &b, ERR_INVAL, "outside 1..6");
    TAMPER_END();
}
END_TEST

START_TEST(bad_vrf)
{
    struct recipe r = {0};
    TAMPER_BEGIN(&r);
    b.header.extra[VRF_INDEX_LEN + 40] ^= 0x01; /* inside t */
    reseal(&c, &b);
    expect_reject(&c, parent, &b, ERR_INVAL, "VRF");
    b.header.extra[VRF_INDEX_LEN + 40] ^= 0x01;
    b.header.extra[0] ^= 0x80; /* the index, not the proof */
    reseal(&c, &b);
    expect_reject(&c, parent, &b, ERR_INVAL, "index does not match");
    TAMPER_END();
}
END_TEST

START_TEST(chief_tx_not_first)
{
    struct recipe r = {.chief_second = true};
    TAMPER_BEGIN(&r);
    ck_assert_uint_eq(b.body.tx_count, 2);
    expect_reject(&c, parent, &b, ERR_INVAL, "chief update tx at index 1");
    TAMPER_END();
}
END_TEST

START_TEST(missing_chief_tx)
{
    struct recipe r = {.no_chief = true, .transfer = true};
    TAMPER_BEGIN(&r);
    expect_reject(&c, parent, &b, ERR_INVAL, "not a chief update tx");
    block_free(&b);
    r.transfer = false; /* nothing at all */
    produce(&c, parent, &r, &b, NULL);
    expect_reject(&c, parent, &b, ERR_INVAL, "no transactions");
    TAMPER_END();
}
END_TEST

START_TEST(chief_tx_other_sender)
{
    struct recipe r = {0};
    struct chain c;
    chain_init(&c);
    const struct header *parent = &c.blocks[NBLOCKS].header;
    struct block b;
    r.chief_from = c.dev_key;
    produce(&c, parent, &r, &b, NULL);
    expect_reject(&c, parent, &b, ERR_INVAL, "not by the signer");
    TAMPER_END();
}
END_TEST

START_TEST(wrong_volunteer)
{
    struct recipe r = {.volunteer_dev = true};
    TAMPER_BEGIN(&r);
    expect_reject(&c, parent, &b, ERR_INVAL, "takeMiner gives");
    TAMPER_END();
}
END_TEST

START_TEST(time_too_early)
{
    struct recipe r = {0};
    TAMPER_BEGIN(&r);
    /* P - 1 = 2 s passes verifyHeader, but signer 0 out of turn needs 6 s */
    b.header.time = parent->time + 3;
    reseal(&c, &b);
    expect_reject(&c, parent, &b, ERR_INVAL, "too early for its signer");
    b.header.time = parent->time + 1; /* below P - 1 */
    reseal(&c, &b);
    expect_reject(&c, parent, &b, ERR_INVAL, "before");
    b.header.time = NOW + 1; /* from the future */
    reseal(&c, &b);
    expect_reject(&c, parent, &b, ERR_BADSTATE, "future");
    TAMPER_END();
}
END_TEST

START_TEST(gas_limit_jump)
{
    struct recipe r = {0};
    TAMPER_BEGIN(&r);
    b.header.gas_limit = parent->gas_limit + parent->gas_limit / 1024;
    reseal(&c, &b);
    expect_reject(&c, parent, &b, ERR_INVAL, "invalid gas limit");
    b.header.gas_limit = parent->gas_limit - 1; /* below the 40M floor */
    reseal(&c, &b);
    expect_reject(&c, parent, &b, ERR_INVAL, "invalid gas limit");
    TAMPER_END();
}
END_TEST

START_TEST(wrong_parent)
{
    struct recipe r = {0};
    TAMPER_BEGIN(&r);
    expect_reject(&c, &c.blocks[NBLOCKS - 1].header, &b, ERR_INVAL, "parentHash");
    TAMPER_END();
}
END_TEST

static Suite *engine_suite(void)
{
    Suite *s = suite_create("tribe_engine");
    TCase *tc = tcase_create("regtest");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, produced_chain_validates);
    tcase_add_test(tc, reads_the_system_contracts);
    tcase_add_test(tc, control_block_validates);
    tcase_add_test(tc, bad_seal);
    tcase_add_test(tc, wrong_signer);
    tcase_add_test(tc, wrong_difficulty);
    tcase_add_test(tc, bad_vrf);
    tcase_add_test(tc, chief_tx_not_first);
    tcase_add_test(tc, missing_chief_tx);
    tcase_add_test(tc, chief_tx_other_sender);
    tcase_add_test(tc, wrong_volunteer);
    tcase_add_test(tc, time_too_early);
    tcase_add_test(tc, gas_limit_jump);
    tcase_add_test(tc, wrong_parent);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(engine_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
