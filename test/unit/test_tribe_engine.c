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
 * The "meshbox" cases run the same chain with MeshBox weighting
 * (doc/meshbox.md): boxes listed in the registry and staked in POC in block
 * 1, the weighted draw naming them (with replacement), the position rule
 * for a box holding two slots, a block naming another box rejected, the
 * pre-fork takeMiner behaviour unchanged, and real contribution totals
 * reported to the registry turned into weights.
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
#include "consensus/meshbox.h"
#include "consensus/tribe_engine.h"
#include "consensus/vrf.h"
#include "crypto/ecdsa.h"
#include "crypto/keccak.h"
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
    bool any_signer;            /* blocks may be signed by keys other than the node's */
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
    const struct address *volunteer; /* the chief tx names this address */
    struct tx *extra;           /* txs appended after the others (moved into
                                 * the block: each recipe serves once) */
    size_t nextra;
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
    ck_assert_msg(tribe_prepare(p, parent, NULL, &ls, key, &coinbase, parent->time + STEP, NULL,
                                &b->header) == 0,
                  "%s", err_msg());
    tribe_status_free(&status);
    struct header *h = &b->header;

    struct tx txs[8];
    size_t ntx = 0;
    ck_assert_uint_le(rc->nextra, 5);
    if (tribe_requires_chief_tx(p, n) && !rc->no_chief) {
        struct address vol = {{0}};
        if (tribe_volunteer_checked(p, n))
            ck_assert_int_eq(tribe_pick_volunteer(p, c->evm, st, parent, h->extra, &vol), 0);
        if (rc->volunteer_dev)
            vol = c->dev;
        if (rc->volunteer)
            vol = *rc->volunteer;
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
    for (size_t i = 0; i < rc->nextra; i++)
        txs[ntx++] = rc->extra[i];
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
        if (b->header.number > c->p.unchecked_blocks && !c->any_signer)
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

/* Loads the regtest genesis into a fresh chain (blocks[0] only). */
static void chain_open(struct chain *c, uint64_t meshbox_weighting_block)
{
    memset(c, 0, sizeof *c);
    c->p = *chain_params_get(CHAIN_REGTEST);
    c->p.period = 3;
    c->p.meshbox_weighting_block = meshbox_weighting_block;
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
}

static void chain_init(struct chain *c)
{
    chain_open(c, chain_params_get(CHAIN_REGTEST)->meshbox_weighting_block);
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

/* ---- MeshBox weighting (doc/meshbox.md §5, §6) ------------------------------------ */

/* A call from sk with a 256-bit value and the regtest gas price. */
static struct tx make_call(const struct chain_params *p, const uint8_t *sk, uint64_t nonce,
                           const struct address *to, const u256 *value, const uint8_t *data,
                           size_t len)
{
    struct tx t = make_tx(sk, nonce, to, 0, 1000000, p->min_gas_price, data, len, p->chain_id);
    t.value = *value;
    ck_assert_int_eq(tx_sign(&t, sk, p->chain_id), 0);
    return t;
}

static void selector_of(uint8_t out[4], const char *sig)
{
    uint8_t h[32];
    keccak256(sig, strlen(sig), h);
    memcpy(out, h, 4);
}

/* The MeshBox chain: box i (i < 2) has dev key i + 2. Block 1 lists both
 * boxes in the registry (owner: the node key) and stakes the first
 * `nstaked` of them in POC (dev key 0 and 1 deposit 1,000 SMT for them, the
 * box key signing keccak256(wallet), spec §8.3); blocks 2..5 are plain
 * node blocks whose chief update follows tribe_pick_volunteer. Blocks 4
 * and 5 (slots 1 and 2) name the next round's volunteers, so the parent
 * state of block 6 holds S of the next round. */
struct mbchain {
    struct chain c;
    uint8_t box_key[2][32];
    struct address box[2];
};

static void mb_init(struct mbchain *m, unsigned nstaked, uint64_t weighting_block)
{
    struct chain *c = &m->c;
    chain_open(c, weighting_block);
    c->any_signer = true;
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(regtest_dev_key((unsigned)i + 2, m->box_key[i]), 0);
        m->box[i] = addr_of_key(m->box_key[i]);
    }
    const struct chain_params *p = &c->p;
    struct tx extra[3];
    size_t nextra = 0;
    /* addAddress([box0, box1], 1) from the owner (no chief tx before block 4) */
    uint8_t add[4 + 32 * 4] = {0};
    selector_of(add, "addAddress(address[],uint256)");
    add[4 + 31] = 0x40;             /* offset of the array */
    add[4 + 63] = 1;                /* value */
    add[4 + 95] = 2;                /* length */
    memcpy(add + 4 + 96 + 12, m->box[0].b, 20);
    struct address a1 = m->box[1];
    uint8_t add2[sizeof add + 32];
    memcpy(add2, add, sizeof add);
    memset(add2 + sizeof add, 0, 32);
    memcpy(add2 + sizeof add + 12, a1.b, 20);
    u256 zero = u256_from_u64(0), stake;
    ck_assert_int_eq(u256_from_dec(&stake, REGTEST_POC_MIN_DEPOSIT_DEC,
                                   strlen(REGTEST_POC_MIN_DEPOSIT_DEC)), 0);
    extra[nextra++] = make_call(p, c->node_key, REGTEST_NODE_NONCE, &p->meshbox_registry, &zero,
                                add2, sizeof add2);
    for (unsigned i = 0; i < nstaked; i++) {
        uint8_t wallet_key[32];
        ck_assert_int_eq(regtest_dev_key(i, wallet_key), 0);
        struct address wallet = addr_of_key(wallet_key);
        uint8_t h[32], sig[65], dep[4 + 96] = {0};
        keccak256(wallet.b, 20, h);
        ck_assert_int_eq(ecdsa_sign(h, m->box_key[i], sig), 0);
        selector_of(dep, "deposit(bytes32,bytes32,uint8)");
        memcpy(dep + 4, sig, 64);
        dep[4 + 95] = (uint8_t)(27 + sig[64]);
        extra[nextra++] = make_call(p, wallet_key, 0, &p->poc, &stake, dep, sizeof dep);
    }
    struct recipe r1 = {.extra = extra, .nextra = nextra};
    struct state *st;
    produce(c, &c->blocks[0].header, &r1, &c->blocks[1], &st);
    state_free(st);
    struct recipe plain = {0};
    for (int i = 2; i <= 5; i++) {
        produce(c, &c->blocks[i - 1].header, &plain, &c->blocks[i], &st);
        state_free(st);
    }
    for (int i = 1; i <= 5; i++)
        ck_assert_msg(verify(c, &c->blocks[i - 1].header, &c->blocks[i]) == 0, "block %d: %s", i,
                      err_msg());
}

/* S at the parent state of block number parent->number + 1. */
static void mb_status(struct chain *c, const struct header *parent, struct tribe_status *s)
{
    struct state *st;
    ck_assert_int_eq(state_open(&c->store, parent->state_root.b, &st), 0);
    ck_assert_msg(tribe_load_status(&c->p, c->evm, st, parent, s) == 0, "%s", err_msg());
    state_free(st);
}

/* Block 1 made box 0 (staked) and box 1 (listed only) MeshBoxes; only box 0
 * is eligible, so every draw names it, with replacement: the round after
 * blocks 4 and 5 is [node, box0, box0]. */
START_TEST(meshbox_draw_names_eligible_box_with_replacement)
{
    struct mbchain m;
    mb_init(&m, 1, 0);
    struct chain *c = &m.c;
    struct state *st;
    const struct header *h3 = &c->blocks[3].header;
    ck_assert_int_eq(state_open(&c->store, h3->state_root.b, &st), 0);
    struct meshbox_set set;
    ck_assert_msg(meshbox_load(&c->p, c->evm, st, h3, NULL, 0, &set) == 0, "%s", err_msg());
    ck_assert_uint_eq(set.n, 1);
    ck_assert(address_eq(&set.boxes[0], &m.box[0]));
    ck_assert_uint_eq(set.weights[0], 1);
    ck_assert(!set.closed);
    meshbox_set_free(&set);
    struct tribe_volunteer_pick pick;
    ck_assert_int_eq(tribe_pick_volunteer_ex(&c->p, c->evm, st, h3, c->blocks[4].header.extra,
                                             &pick), 0);
    ck_assert(pick.weighted);
    ck_assert(address_eq(&pick.volunteer, &m.box[0]));
    state_free(st);
    for (int i = 4; i <= 5; i++) {
        const struct tx *t0 = &c->blocks[i].body.txs[0];
        struct address v = tribe_chief_update_volunteer(t0->data, t0->data_len);
        ck_assert(address_eq(&v, &m.box[0]));
    }
    struct tribe_status s;
    mb_status(c, &c->blocks[5].header, &s);
    ck_assert_uint_eq(s.nsigners, 3);
    ck_assert(address_eq(&s.signers[0], &c->node));
    ck_assert(address_eq(&s.signers[1], &m.box[0]));
    ck_assert(address_eq(&s.signers[2], &m.box[0]));
    tribe_status_free(&s);
    chain_free(c);
}
END_TEST

/* The position rule (doc §5.4) with box 0 at S[1] and S[2]: it signs block 7
 * (slot 1) and block 8 (slot 2) in turn, difficulty 6 each, and both
 * validate; by Tribe 1.0.0's idx rule the second would have difficulty 1
 * and no authorization. */
START_TEST(meshbox_position_rule_duplicate_box)
{
    struct mbchain m;
    mb_init(&m, 1, 0);
    struct chain *c = &m.c;
    struct recipe plain = {0}, by_box = {.producer = m.box_key[0]};
    struct state *st;
    produce(c, &c->blocks[5].header, &plain, &c->blocks[6], &st); /* slot 0: node */
    state_free(st);
    produce(c, &c->blocks[6].header, &by_box, &c->blocks[7], &st); /* slot 1: box 0 */
    state_free(st);
    struct block b8;
    produce(c, &c->blocks[7].header, &by_box, &b8, NULL);          /* slot 2: box 0 again */
    ck_assert_uint_eq(c->blocks[7].header.difficulty.w[0], 6);
    ck_assert_uint_eq(b8.header.difficulty.w[0], 6);
    ck_assert_msg(verify(c, &c->blocks[5].header, &c->blocks[6]) == 0, "%s", err_msg());
    ck_assert_msg(verify(c, &c->blocks[6].header, &c->blocks[7]) == 0, "%s", err_msg());
    ck_assert_msg(verify(c, &c->blocks[7].header, &b8) == 0, "%s", err_msg());

    /* the same S under Tribe 1.0.0's rules (weighting off) */
    struct tribe_status s;
    mb_status(c, &c->blocks[7].header, &s);
    struct tribe_lists ls = tribe_status_lists(&s);
    ck_assert(address_eq(&s.signers[2], &m.box[0]));
    struct chain_params pre = c->p;
    pre.meshbox_weighting_block = CHAIN_NEVER;
    ck_assert_int_eq(tribe_difficulty(&pre, 8, &ls, &m.box[0]), 1);
    ck_assert(!tribe_signer_authorized(&pre, 8, &ls, &m.box[0]));
    ck_assert_int_eq(tribe_difficulty(&c->p, 8, &ls, &m.box[0]), 6);
    ck_assert(tribe_signer_authorized(&c->p, 8, &ls, &m.box[0]));
    tribe_status_free(&s);

    /* block 8 claiming difficulty 1 (the idx rule) is rejected by the position rule */
    b8.header.difficulty = u256_from_u64(1);
    ck_assert_int_eq(tribe_seal(&b8.header, m.box_key[0]), 0);
    expect_reject(c, &c->blocks[7].header, &b8, ERR_INVAL, "MeshBox position rule");
    block_free(&b8);
    /* box 1 (listed, not staked, not in S) may not sign slot 2 */
    struct recipe by_other = {.producer = m.box_key[1]};
    produce(c, &c->blocks[7].header, &by_other, &b8, NULL);
    expect_reject(c, &c->blocks[7].header, &b8, ERR_INVAL, "not authorized");
    block_free(&b8);
    chain_free(c);
}
END_TEST

/* Both boxes staked: B = [box0, box1], weights 1 and 1. A block whose chief
 * update names the box the draw did not pick is rejected with the draw
 * named in the reason; so is one naming what takeMiner would give. */
START_TEST(meshbox_wrong_box_rejected)
{
    struct mbchain m;
    mb_init(&m, 2, 0);
    struct chain *c = &m.c;
    const struct header *parent = &c->blocks[5].header;
    struct block b;
    struct recipe plain = {0};
    produce(c, parent, &plain, &b, NULL);
    ck_assert_msg(verify(c, parent, &b) == 0, "%s", err_msg());
    const struct tx *t0 = &b.body.txs[0];
    struct address drawn = tribe_chief_update_volunteer(t0->data, t0->data_len);
    ck_assert(address_eq(&drawn, &m.box[0]) || address_eq(&drawn, &m.box[1]));
    /* the draw, recomputed by hand from the doc's formula */
    uint64_t w[2] = {1, 1};
    size_t idx;
    uint64_t r;
    ck_assert_int_eq(meshbox_draw(w, 2, b.header.extra, b.header.number, &idx, &r), 0);
    ck_assert(address_eq(&drawn, &m.box[idx]));
    block_free(&b);
    struct address other = m.box[1 - idx];
    struct recipe wrong = {.volunteer = &other};
    produce(c, parent, &wrong, &b, NULL);
    expect_reject(c, parent, &b, ERR_INVAL, "the MeshBox weighted draw gives");
    block_free(&b);
    struct recipe zero = {.volunteer = &(struct address){{0}}};
    produce(c, parent, &zero, &b, NULL);
    expect_reject(c, parent, &b, ERR_INVAL, "the MeshBox weighted draw gives");
    block_free(&b);
    chain_free(c);
}
END_TEST

/* Before the fork nothing changes: the same chain with weighting off names
 * takeMiner's volunteers (without replacement: box 0, then nobody, as it
 * is already queued), and the next round is [node, box0, 0x0]. */
START_TEST(meshbox_pre_fork_unchanged)
{
    struct mbchain m;
    mb_init(&m, 1, CHAIN_NEVER);
    struct chain *c = &m.c;
    const struct tx *t4 = &c->blocks[4].body.txs[0], *t5 = &c->blocks[5].body.txs[0];
    struct address v4 = tribe_chief_update_volunteer(t4->data, t4->data_len);
    struct address v5 = tribe_chief_update_volunteer(t5->data, t5->data_len);
    ck_assert(address_eq(&v4, &m.box[0]));
    ck_assert(address_is_zero(&v5));
    struct tribe_status s;
    mb_status(c, &c->blocks[5].header, &s);
    ck_assert(address_eq(&s.signers[1], &m.box[0]));
    ck_assert(address_is_zero(&s.signers[2]));
    tribe_status_free(&s);
    /* a block naming box 0 at slot 2 is refused by takeMiner's rule */
    struct block b;
    struct recipe r = {.volunteer = &m.box[0]};
    produce(c, &c->blocks[4].header, &r, &b, NULL);
    expect_reject(c, &c->blocks[4].header, &b, ERR_INVAL, "takeMiner gives");
    block_free(&b);
    chain_free(c);
}
END_TEST

/* A state-changing call at block `number` from `from` (value in wei),
 * as a transaction would run it; it must succeed. */
static void mb_call(struct chain *c, struct state *st, uint64_t number, const struct address *from,
                    const struct address *to, const u256 *value, const uint8_t *in, size_t len)
{
    struct evm_block blk;
    memset(&blk, 0, sizeof blk);
    blk.number = number;
    blk.gas_limit = 40000000;
    blk.chain_id = c->p.chain_id;
    blk.difficulty = u256_from_u64(1);
    struct evm_tx_context txc;
    memset(&txc, 0, sizeof txc);
    txc.origin = *from;
    evm_set_context(c->evm, st, params_evm_fork(&c->p, number), &blk, &txc);
    struct evm_message m;
    memset(&m, 0, sizeof m);
    m.kind = EVM_CALL;
    m.gas = 10000000;
    m.sender = *from;
    m.recipient = *to;
    m.code_address = *to;
    m.value = *value;
    m.input = in;
    m.input_len = len;
    struct evm_result r;
    ck_assert_int_eq(evm_execute(c->evm, &m, &r), 0);
    ck_assert_msg(r.status == EVM_SUCCESS, "call %02x%02x%02x%02x: %s", in[0], in[1], in[2],
                  in[3], evm_status_name(r.status));
    state_tx_finalize(st, true);
}

/* report(provider, epoch, [client], [units], [r], [s], [v]) of one receipt
 * signed by client_key (doc/meshbox.md §3.3, §3.4). */
static void mb_report(struct chain *c, struct state *st, uint64_t number,
                      const struct address *provider, const uint8_t *client_key, uint64_t epoch,
                      uint64_t units)
{
    struct address client = addr_of_key(client_key);
    uint8_t msg[27 + 32 + 20 + 20 + 8 + 32] = {0}, h[32], sig[65];
    memcpy(msg, "\x19Spectrum MeshBox Receipt:\n", 27);
    for (int k = 0; k < 8; k++) {
        msg[27 + 24 + k] = (uint8_t)(c->p.chain_id >> (56 - 8 * k));
        msg[27 + 72 + k] = (uint8_t)(epoch >> (56 - 8 * k));
        msg[27 + 80 + 24 + k] = (uint8_t)(units >> (56 - 8 * k));
    }
    memcpy(msg + 27 + 32, provider->b, 20);
    memcpy(msg + 27 + 52, client.b, 20);
    keccak256(msg, sizeof msg, h);
    ck_assert_int_eq(ecdsa_sign(h, client_key, sig), 0);
    /* head: provider, epoch, 5 offsets; then 5 one-element arrays */
    uint8_t in[4 + 32 * 7 + 64 * 5] = {0};
    selector_of(in, "report(address,uint256,address[],uint256[],bytes32[],bytes32[],uint8[])");
    uint8_t *w = in + 4;
    memcpy(w + 12, provider->b, 20);
    w[63] = (uint8_t)epoch;
    for (int a = 0; a < 5; a++) {
        uint32_t off = 32 * 7 + 64 * (uint32_t)a;
        w[64 + 32 * a + 30] = (uint8_t)(off >> 8);
        w[64 + 32 * a + 31] = (uint8_t)off;
        w[off + 31] = 1;
    }
    uint8_t *e = w + 32 * 7;
    memcpy(e + 32 + 12, client.b, 20);
    for (int k = 0; k < 8; k++)
        e[64 + 32 + 24 + k] = (uint8_t)(units >> (56 - 8 * k));
    memcpy(e + 128 + 32, sig, 32);
    memcpy(e + 192 + 32, sig + 32, 32);
    e[256 + 63] = (uint8_t)(27 + sig[64]);
    u256 zero = u256_from_u64(0);
    mb_call(c, st, number, &client, &c->p.meshbox_registry, &zero, in, sizeof in);
}

/* The registry's real totals reach the weights: two staked boxes whose
 * clients report 1,000 and 3,000 units for epoch 0 weigh 251 and 751 in
 * epoch 2 (getEpochTotals(0)), 1 and 1 in epoch 1 (no closed epoch) and in
 * epoch 3 (nothing reported for epoch 1). */
START_TEST(meshbox_weights_from_registry_totals)
{
    struct chain c;
    chain_open(&c, 0);
    struct state *st;
    ck_assert_int_eq(state_open(&c.store, c.blocks[0].header.state_root.b, &st), 0);
    uint8_t box_key[2][32], client_key[2][32], wallet_key[32];
    struct address box[2];
    ck_assert_int_eq(regtest_dev_key(0, wallet_key), 0);
    struct address wallet = addr_of_key(wallet_key);
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(regtest_dev_key((unsigned)i + 2, box_key[i]), 0);
        ck_assert_int_eq(regtest_dev_key((unsigned)i + 4, client_key[i]), 0);
        box[i] = addr_of_key(box_key[i]);
    }
    u256 zero = u256_from_u64(0), stake, deposit;
    u256_from_dec(&stake, REGTEST_POC_MIN_DEPOSIT_DEC, strlen(REGTEST_POC_MIN_DEPOSIT_DEC));
    u256_from_dec(&deposit, REGTEST_MESHBOX_CLIENT_DEPOSIT_DEC,
                  strlen(REGTEST_MESHBOX_CLIENT_DEPOSIT_DEC));
    uint8_t add[4 + 32 * 5] = {0};
    selector_of(add, "addAddress(address[],uint256)");
    add[4 + 31] = 0x40;
    add[4 + 63] = 1;
    add[4 + 95] = 2;
    memcpy(add + 4 + 96 + 12, box[0].b, 20);
    memcpy(add + 4 + 128 + 12, box[1].b, 20);
    mb_call(&c, st, 1, &c.node, &c.p.meshbox_registry, &zero, add, sizeof add);
    for (int i = 0; i < 2; i++) {
        uint8_t h[32], sig[65], dep[4 + 96] = {0};
        keccak256(wallet.b, 20, h);
        ck_assert_int_eq(ecdsa_sign(h, box_key[i], sig), 0);
        selector_of(dep, "deposit(bytes32,bytes32,uint8)");
        memcpy(dep + 4, sig, 64);
        dep[4 + 95] = (uint8_t)(27 + sig[64]);
        mb_call(&c, st, 1, &wallet, &c.p.poc, &stake, dep, sizeof dep);
        uint8_t reg[4];
        selector_of(reg, "register()");
        struct address client = addr_of_key(client_key[i]);
        mb_call(&c, st, 1, &client, &c.p.meshbox_registry, &deposit, reg, sizeof reg);
    }
    mb_report(&c, st, 2, &box[0], client_key[0], 0, 1000);
    mb_report(&c, st, 2, &box[1], client_key[1], 0, 3000);

    struct header parent = c.blocks[0].header;
    struct meshbox_set set;
    static const struct { uint64_t parent; uint64_t w0, w1; bool closed; } rows[] = {
        {99, 1, 1, false},   /* block 100, epoch 1: no closed epoch */
        {199, 251, 751, true}, /* block 200, epoch 2: totals of epoch 0 */
        {299, 1, 1, true},   /* block 300, epoch 3: nothing for epoch 1 */
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        parent.number = rows[i].parent;
        ck_assert_msg(meshbox_load(&c.p, c.evm, st, &parent, NULL, 0, &set) == 0, "%s",
                      err_msg());
        ck_assert_uint_eq(set.n, 2);
        ck_assert(address_eq(&set.boxes[0], &box[0]) && address_eq(&set.boxes[1], &box[1]));
        ck_assert_msg(set.weights[0] == rows[i].w0 && set.weights[1] == rows[i].w1,
                      "row %zu: %llu %llu", i, (unsigned long long)set.weights[0],
                      (unsigned long long)set.weights[1]);
        ck_assert(set.closed == rows[i].closed);
        ck_assert_uint_eq(set.epoch, (rows[i].parent + 1) / 100);
        meshbox_set_free(&set);
    }
    /* the volunteer of block 200 follows these weights */
    parent.number = 199;
    struct tribe_volunteer_pick pick;
    uint8_t vrf[32] = {0};
    ck_assert_int_eq(tribe_pick_volunteer_ex(&c.p, c.evm, st, &parent, vrf, &pick), 0);
    ck_assert(pick.weighted);
    ck_assert_uint_eq(pick.total_weight, 1002);
    ck_assert(address_eq(&pick.volunteer, &box[pick.r < 251 ? 0 : 1]));
    state_free(st);
    chain_free(&c);
}
END_TEST

/* The registry check a node makes when it opens the chain (doc §3). */
START_TEST(meshbox_registry_epoch_checked)
{
    struct chain c;
    chain_open(&c, 0);
    struct state *st;
    const struct header *g = &c.blocks[0].header;
    ck_assert_int_eq(state_open(&c.store, g->state_root.b, &st), 0);
    ck_assert_msg(meshbox_check_registry(&c.p, c.evm, st, g) == 0, "%s", err_msg());
    c.p.meshbox_epoch = 50;
    ck_assert_int_eq(meshbox_check_registry(&c.p, c.evm, st, g), ERR_INVAL);
    ck_assert_ptr_nonnull(strstr(err_msg(), "epochLength"));
    c.p.meshbox_registry = c.p.poc; /* no such view there: the read fails */
    ck_assert_int_eq(meshbox_check_registry(&c.p, c.evm, st, g), ERR_INVAL);
    state_free(st);
    chain_free(&c);
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
    TCase *mb = tcase_create("meshbox");
    tcase_set_timeout(mb, 120);
    tcase_add_test(mb, meshbox_draw_names_eligible_box_with_replacement);
    tcase_add_test(mb, meshbox_position_rule_duplicate_box);
    tcase_add_test(mb, meshbox_wrong_box_rejected);
    tcase_add_test(mb, meshbox_pre_fork_unchanged);
    tcase_add_test(mb, meshbox_registry_epoch_checked);
    tcase_add_test(mb, meshbox_weights_from_registry_totals);
    suite_add_tcase(s, mb);
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
