/*
 * test_state.c — the world state (state/state.h): account and storage round
 * trips, nested snapshots and reverts, end-of-transaction rules (self-
 * destruct, EIP-158 deletion of touched empty accounts, the RIPEMD-160
 * quirk), committed vs current storage (EIP-1283), CREATE over an existing
 * account, roots against the genesis builder (chain/genesis.c, an
 * independent construction of the same tries) including Spectrum mainnet's
 * genesis, commit to LevelDB and reopen, missing trie nodes as a sticky
 * error, random operation sequences against a reference model, and the
 * per-state hash seeds.
 *
 * Fixture: ../shared/spectrum/genesis-mainnet.json (skips loudly when absent;
 * fails in CI).
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../conformance/fixtures.h"
#include "chain/genesis.h"
#include "crypto/keccak.h"
#include "state/code_cache.h"
#include "state/state.h"
#include "state/state_internal.h"
#include "storage/db.h"
#include "storage/trie_db.h"
#include "trie/trie.h"
#include "util/err.h"

/* ---- helpers -------------------------------------------------------------- */

static struct address addr(uint8_t last, uint8_t first)
{
    struct address a;
    memset(&a, 0, sizeof a);
    a.b[0] = first;
    a.b[19] = last;
    return a;
}

static u256 U(uint64_t v)
{
    return u256_from_u64(v);
}

static void assert_u256(const u256 *got, uint64_t want, const char *what)
{
    u256 w = U(want);
    ck_assert_msg(u256_eq(got, &w), "%s: got %llu (high limbs %llx), want %llu", what,
                  (unsigned long long)got->w[0], (unsigned long long)(got->w[1] | got->w[2] | got->w[3]),
                  (unsigned long long)want);
}

static void balance_is(struct state *s, const struct address *a, uint64_t want)
{
    u256 b;
    state_get_balance(s, a, &b);
    assert_u256(&b, want, "balance");
}

static void slot_is(struct state *s, const struct address *a, uint64_t key, uint64_t want)
{
    u256 k = U(key), v;
    state_get_storage(s, a, &k, &v);
    assert_u256(&v, want, "storage");
}

static void committed_is(struct state *s, const struct address *a, uint64_t key, uint64_t want)
{
    u256 k = U(key), v;
    state_get_committed_storage(s, a, &k, &v);
    assert_u256(&v, want, "committed storage");
}

static void set_slot(struct state *s, const struct address *a, uint64_t key, uint64_t val)
{
    u256 k = U(key), v = U(val);
    state_set_storage(s, a, &k, &v);
}

static void add_bal(struct state *s, const struct address *a, uint64_t v)
{
    u256 x = U(v);
    state_add_balance(s, a, &x);
}

static struct state *open_mem(void)
{
    struct state *s;
    ck_assert_int_eq(state_open(NULL, NULL, &s), 0);
    return s;
}

static void root_of(struct state *s, uint8_t root[32])
{
    int rc = state_root(s, root);
    ck_assert_msg(rc == 0, "state_root: %d %s", rc, err_msg());
}

/* A reference account for the genesis builder. */
struct ref_account {
    struct address addr;
    uint64_t balance, nonce;
    const char *code; /* raw bytes, NULL for none */
    size_t code_len;
    uint64_t keys[4], vals[4];
    size_t nslots;
};

/* Root of the given accounts built by chain/genesis.c, an independent
 * construction of the account and storage tries. */
static void builder_root(const struct ref_account *ra, size_t n, uint8_t root[32])
{
    struct genesis g;
    memset(&g, 0, sizeof g);
    g.alloc = calloc(n ? n : 1, sizeof *g.alloc);
    ck_assert_ptr_nonnull(g.alloc);
    g.nalloc = n;
    for (size_t i = 0; i < n; i++) {
        struct genesis_account *ga = &g.alloc[i];
        ga->addr = ra[i].addr;
        ga->balance = U(ra[i].balance);
        ga->nonce = ra[i].nonce;
        if (ra[i].code_len) {
            ga->code = malloc(ra[i].code_len);
            memcpy(ga->code, ra[i].code, ra[i].code_len);
            ga->code_len = ra[i].code_len;
        }
        ga->slots = calloc(4, sizeof *ga->slots);
        for (size_t k = 0; k < ra[i].nslots; k++) {
            u256 key = U(ra[i].keys[k]), val = U(ra[i].vals[k]);
            u256_to_be(&key, ga->slots[k].key);
            u256_to_be(&val, ga->slots[k].value);
        }
        ga->nslots = ra[i].nslots;
    }
    ck_assert_int_eq(genesis_build(&g, NULL), 0);
    memcpy(root, g.header.state_root.b, 32);
    genesis_free(&g);
}

static void assert_root(struct state *s, const struct ref_account *ra, size_t n)
{
    uint8_t got[32], want[32];
    root_of(s, got);
    builder_root(ra, n, want);
    ck_assert_msg(memcmp(got, want, 32) == 0, "state root differs from the builder's");
}

/* ---- round trips ---------------------------------------------------------- */

START_TEST(round_trips)
{
    struct state *s = open_mem();
    struct address a = addr(1, 0xaa), b = addr(2, 0xbb);
    struct hash32 h, zero;
    memset(&zero, 0, sizeof zero);

    /* Missing account: zeros, and reading creates nothing. */
    ck_assert(!state_exists(s, &a));
    ck_assert(state_is_empty(s, &a));
    balance_is(s, &a, 0);
    ck_assert_uint_eq(state_get_nonce(s, &a), 0);
    size_t len = 99;
    ck_assert_ptr_null(state_get_code(s, &a, &len));
    ck_assert_uint_eq(len, 0);
    state_get_code_hash(s, &a, &h);
    ck_assert(hash32_eq(&h, &zero));
    slot_is(s, &a, 1, 0);
    ck_assert(!state_exists(s, &a));

    add_bal(s, &a, 1000);
    u256 x = U(300);
    state_sub_balance(s, &a, &x);
    balance_is(s, &a, 700);
    ck_assert(state_exists(s, &a));
    ck_assert(!state_is_empty(s, &a));
    /* An existing account without code hashes to keccak256(""). */
    state_get_code_hash(s, &a, &h);
    struct hash32 empty_code;
    keccak256("", 0, empty_code.b);
    ck_assert(hash32_eq(&h, &empty_code));

    state_set_nonce(s, &a, 7);
    ck_assert_uint_eq(state_get_nonce(s, &a), 7);
    x = U(5);
    state_set_balance(s, &a, &x);
    balance_is(s, &a, 5);

    static const uint8_t code[] = {0x60, 0x01, 0x60, 0x00, 0x55};
    ck_assert_int_eq(state_set_code(s, &b, code, sizeof code), 0);
    const uint8_t *c = state_get_code(s, &b, &len);
    ck_assert_uint_eq(len, sizeof code);
    ck_assert_mem_eq(c, code, sizeof code);
    ck_assert_uint_eq(state_get_code_size(s, &b), sizeof code);
    state_get_code_hash(s, &b, &h);
    uint8_t want[32];
    keccak256(code, sizeof code, want);
    ck_assert_mem_eq(h.b, want, 32);
    ck_assert(!state_is_empty(s, &b));

    set_slot(s, &b, 1, 42);
    set_slot(s, &b, 0xffff, 7);
    slot_is(s, &b, 1, 42);
    slot_is(s, &b, 0xffff, 7);
    slot_is(s, &b, 2, 0);
    /* Large keys are distinct from small ones. */
    u256 big = u256_max(), v = U(9), out;
    state_set_storage(s, &b, &big, &v);
    state_get_storage(s, &b, &big, &out);
    assert_u256(&out, 9, "max key");
    slot_is(s, &b, 0, 0);

    /* Many slots (map growth) keep their values. */
    for (uint64_t k = 100; k < 3100; k++)
        set_slot(s, &b, k, k * 3 + 1);
    for (uint64_t k = 100; k < 3100; k++)
        slot_is(s, &b, k, k * 3 + 1);
    /* Many accounts too. */
    for (int i = 0; i < 2000; i++) {
        struct address t = addr((uint8_t)i, (uint8_t)(i >> 8));
        t.b[10] = 0x5a;
        add_bal(s, &t, (uint64_t)i + 1);
    }
    for (int i = 0; i < 2000; i++) {
        struct address t = addr((uint8_t)i, (uint8_t)(i >> 8));
        t.b[10] = 0x5a;
        balance_is(s, &t, (uint64_t)i + 1);
    }

    ck_assert_int_eq(state_error(s), 0);
    ck_assert_str_eq(state_error_msg(s), "");
    /* Freed in the middle of a transaction, with replaced objects and code
     * held by the journal (checked by the sanitizer build). */
    state_create_account(s, &b);
    ck_assert_int_eq(state_set_code(s, &b, code, 2), 0);
    state_free(s);
}
END_TEST

/* ---- snapshots -------------------------------------------------------------- */

static uint64_t log_count(struct state *s)
{
    size_t n;
    (void)state_logs(s, &n);
    return n;
}

START_TEST(nested_snapshots)
{
    struct state *s = open_mem();
    struct address a = addr(1, 0x11), b = addr(2, 0x22), c = addr(3, 0x33);
    struct hash32 topic;
    memset(&topic, 0x77, sizeof topic);

    /* Before the transaction: a has balance, nonce and storage. */
    add_bal(s, &a, 100);
    state_set_nonce(s, &a, 1);
    set_slot(s, &a, 1, 10);
    state_tx_finalize(s, true);
    uint8_t root0[32];
    root_of(s, root0);

    state_snap s0 = state_snapshot(s);
    add_bal(s, &a, 1);          /* 101 */
    set_slot(s, &a, 1, 11);
    state_add_refund(s, 100);
    ck_assert_int_eq(state_add_log(s, &a, &topic, 1, (const uint8_t *)"x", 1), 0);

    state_snap s1 = state_snapshot(s);
    add_bal(s, &b, 5);          /* creates b */
    set_slot(s, &a, 2, 20);
    state_sub_refund(s, 30);    /* 70 */
    ck_assert_int_eq(state_add_log(s, &b, NULL, 0, NULL, 0), 0);
    state_selfdestruct(s, &a);  /* a: flagged, balance 0 */

    state_snap s2 = state_snapshot(s);
    state_create_account(s, &c);
    static const uint8_t code[] = {0x00};
    ck_assert_int_eq(state_set_code(s, &c, code, 1), 0);
    set_slot(s, &a, 1, 0);
    set_slot(s, &c, 5, 55);
    state_add_refund(s, 1000); /* 1070 */
    ck_assert_int_eq(state_add_log(s, &c, &topic, 1, NULL, 0), 0);
    state_sub_refund(s, 5000); /* clamps to 0 */
    ck_assert_uint_eq(state_get_refund(s), 0);
    state_set_nonce(s, &b, 9);

    /* Undo the third level. */
    state_revert(s, s2);
    ck_assert(!state_exists(s, &c));
    slot_is(s, &c, 5, 0);
    ck_assert_uint_eq(state_get_code_size(s, &c), 0);
    slot_is(s, &a, 1, 11);
    ck_assert_uint_eq(state_get_refund(s), 70);
    ck_assert_uint_eq(log_count(s), 2);
    ck_assert_uint_eq(state_get_nonce(s, &b), 0);
    ck_assert(state_has_selfdestructed(s, &a));
    balance_is(s, &a, 0);
    ck_assert(state_exists(s, &a));

    /* Undo the second. */
    state_revert(s, s1);
    ck_assert(!state_has_selfdestructed(s, &a));
    balance_is(s, &a, 101);
    ck_assert(!state_exists(s, &b));
    slot_is(s, &a, 2, 0);
    slot_is(s, &a, 1, 11);
    ck_assert_uint_eq(state_get_refund(s), 100);
    size_t n;
    const struct log *logs = state_logs(s, &n);
    ck_assert_uint_eq(n, 1);
    ck_assert(address_eq(&logs[0].address, &a));
    ck_assert_uint_eq(logs[0].topic_count, 1);
    ck_assert_mem_eq(logs[0].topics[0].b, topic.b, 32);
    ck_assert_uint_eq(logs[0].data_len, 1);
    ck_assert_int_eq(logs[0].data[0], 'x');

    /* Reverting to a snapshot again is a no-op; then undo the first. */
    state_revert(s, s1);
    ck_assert_uint_eq(log_count(s), 1);
    state_revert(s, s0);
    balance_is(s, &a, 100);
    ck_assert_uint_eq(state_get_nonce(s, &a), 1);
    slot_is(s, &a, 1, 10);
    committed_is(s, &a, 1, 10);
    ck_assert_uint_eq(state_get_refund(s), 0);
    ck_assert_uint_eq(log_count(s), 0);

    /* Nothing survives: the root is unchanged. */
    state_tx_finalize(s, true);
    uint8_t root1[32];
    root_of(s, root1);
    ck_assert_mem_eq(root0, root1, 32);
    ck_assert(state_exists(s, &a));

    /* Partial revert then finalize keeps exactly the outer changes. */
    add_bal(s, &a, 1);
    s1 = state_snapshot(s);
    state_selfdestruct(s, &a);
    add_bal(s, &b, 3);
    state_revert(s, s1);
    state_tx_finalize(s, true);
    ck_assert(state_exists(s, &a));
    ck_assert(!state_exists(s, &b));
    struct ref_account want[] = {{.addr = a, .balance = 101, .nonce = 1, .keys = {1}, .vals = {10}, .nslots = 1}};
    assert_root(s, want, 1);
    state_free(s);
}
END_TEST

START_TEST(selfdestruct_deletes)
{
    struct state *s = open_mem();
    struct address a = addr(1, 0x11), ben = addr(2, 0x22);
    add_bal(s, &a, 50);
    set_slot(s, &a, 3, 4);
    state_tx_finalize(s, false);

    /* The EVM moves the balance, then self-destructs. */
    u256 bal;
    state_get_balance(s, &a, &bal);
    state_add_balance(s, &ben, &bal);
    state_selfdestruct(s, &a);
    ck_assert(state_has_selfdestructed(s, &a));
    ck_assert(state_exists(s, &a));
    balance_is(s, &a, 0);
    /* Money sent to it afterwards in the same transaction is burnt. */
    add_bal(s, &a, 7);
    balance_is(s, &a, 7);
    /* Self-destructing a missing account does nothing. */
    struct address none = addr(9, 0x99);
    state_selfdestruct(s, &none);
    ck_assert(!state_exists(s, &none));
    /* Deleted even without EIP-158. */
    state_tx_finalize(s, false);
    ck_assert(!state_exists(s, &a));
    ck_assert(!state_has_selfdestructed(s, &a));
    slot_is(s, &a, 3, 0);
    struct ref_account want[] = {{.addr = ben, .balance = 50}};
    assert_root(s, want, 1);

    /* Recreated in a later transaction: empty storage, not the old one. */
    add_bal(s, &a, 1);
    slot_is(s, &a, 3, 0);
    committed_is(s, &a, 3, 0);
    set_slot(s, &a, 4, 8);
    state_tx_finalize(s, true);
    struct ref_account want2[] = {{.addr = ben, .balance = 50},
                                  {.addr = a, .balance = 1, .keys = {4}, .vals = {8}, .nslots = 1}};
    assert_root(s, want2, 2);
    state_free(s);
}
END_TEST

/* ---- touched empty accounts ------------------------------------------------ */

START_TEST(touched_empty_accounts)
{
    struct address a = addr(1, 0x11), b = addr(2, 0x22), c = addr(3, 0x33), d = addr(4, 0x44);
    struct state *s = open_mem();
    uint8_t root[32];

    /* Pre-EIP-158: a zero-value transfer creates an empty account that
     * persists, and so does a zero debit. */
    add_bal(s, &a, 0);
    u256 zero = U(0);
    state_sub_balance(s, &b, &zero);
    ck_assert(state_exists(s, &a));
    ck_assert(state_is_empty(s, &a));
    /* A touch of a missing account creates nothing. */
    state_touch(s, &c);
    ck_assert(!state_exists(s, &c));
    state_tx_finalize(s, false);
    ck_assert(state_exists(s, &a));
    ck_assert(state_exists(s, &b));
    ck_assert(!state_exists(s, &c));
    struct ref_account both[] = {{.addr = a}, {.addr = b}};
    assert_root(s, both, 2);

    /* Untouched empty accounts survive an EIP-158 transaction; reads do not
     * touch. */
    balance_is(s, &a, 0);
    (void)state_is_empty(s, &b);
    add_bal(s, &d, 5);
    state_tx_finalize(s, true);
    ck_assert(state_exists(s, &a));
    ck_assert(state_exists(s, &b));

    /* A touch that is reverted does not count... */
    state_snap sn = state_snapshot(s);
    state_touch(s, &a);
    state_revert(s, sn);
    state_tx_finalize(s, true);
    ck_assert(state_exists(s, &a));

    /* ...but a touch that stays deletes the empty account. */
    add_bal(s, &a, 0);
    state_touch(s, &b);
    /* A touched non-empty account stays. */
    state_touch(s, &d);
    state_tx_finalize(s, true);
    ck_assert(!state_exists(s, &a));
    ck_assert(!state_exists(s, &b));
    ck_assert(state_exists(s, &d));
    struct ref_account only_d[] = {{.addr = d, .balance = 5}};
    assert_root(s, only_d, 1);

    /* EIP-158: a zero-value transfer to a new address leaves nothing. */
    add_bal(s, &c, 0);
    ck_assert(state_exists(s, &c));
    state_tx_finalize(s, true);
    ck_assert(!state_exists(s, &c));
    /* An account emptied in a transaction (balance to zero) is deleted. */
    u256 five = U(5);
    state_sub_balance(s, &d, &five);
    state_tx_finalize(s, true);
    ck_assert(!state_exists(s, &d));
    root_of(s, root);
    ck_assert_mem_eq(root, TRIE_EMPTY_ROOT, 32);
    state_free(s);
}
END_TEST

START_TEST(ripemd_touch_survives_revert)
{
    struct address ripemd = addr(3, 0), other = addr(4, 0);
    struct state *s = open_mem();
    /* Both exist and are empty (created before EIP-158). */
    add_bal(s, &ripemd, 0);
    add_bal(s, &other, 0);
    state_tx_finalize(s, false);
    ck_assert(state_exists(s, &ripemd));

    /* A call to each runs out of gas: the touches are reverted. */
    state_snap sn = state_snapshot(s);
    add_bal(s, &ripemd, 0);
    add_bal(s, &other, 0);
    state_revert(s, sn);
    ck_assert(state_exists(s, &ripemd));
    /* A root now would miss the pending deletion. */
    uint8_t root[32];
    ck_assert_int_eq(state_root(s, root), ERR_BADSTATE);
    ck_assert_int_eq(state_error(s), 0);
    state_tx_finalize(s, true);
    /* geth's quirk: RIPEMD stayed dirty and is deleted; the other is not. */
    ck_assert(!state_exists(s, &ripemd));
    ck_assert(state_exists(s, &other));
    struct ref_account want[] = {{.addr = other}};
    assert_root(s, want, 1);

    /* The same through state_touch. */
    add_bal(s, &ripemd, 0);
    state_tx_finalize(s, false);
    sn = state_snapshot(s);
    state_touch(s, &ripemd);
    state_touch(s, &other);
    state_revert(s, sn);
    state_tx_finalize(s, true);
    ck_assert(!state_exists(s, &ripemd));
    ck_assert(state_exists(s, &other));

    /* When the reverted part created RIPEMD, nothing is left either. */
    sn = state_snapshot(s);
    add_bal(s, &ripemd, 0);
    ck_assert(state_exists(s, &ripemd));
    state_revert(s, sn);
    ck_assert(!state_exists(s, &ripemd));
    state_tx_finalize(s, true);
    ck_assert(!state_exists(s, &ripemd));

    /* A non-empty RIPEMD account is not deleted by the quirk. */
    add_bal(s, &ripemd, 9);
    state_tx_finalize(s, true);
    sn = state_snapshot(s);
    state_touch(s, &ripemd);
    state_revert(s, sn);
    state_tx_finalize(s, true);
    balance_is(s, &ripemd, 9);
    struct ref_account want2[] = {{.addr = other}, {.addr = ripemd, .balance = 9}};
    assert_root(s, want2, 2);
    ck_assert_int_eq(state_error(s), 0);
    state_free(s);
}
END_TEST

/* ---- committed storage -------------------------------------------------------- */

START_TEST(committed_vs_current)
{
    struct trie_memstore *ms = trie_memstore_new();
    struct trie_store st = trie_memstore_store(ms);
    struct state *s;
    ck_assert_int_eq(state_open(&st, NULL, &s), 0);
    struct address a = addr(1, 0x11);

    add_bal(s, &a, 1);
    set_slot(s, &a, 1, 5);
    slot_is(s, &a, 1, 5);
    committed_is(s, &a, 1, 0);
    state_tx_finalize(s, true);
    slot_is(s, &a, 1, 5);
    committed_is(s, &a, 1, 5);

    /* Several writes in one transaction: the original stays. */
    set_slot(s, &a, 1, 7);
    set_slot(s, &a, 1, 8);
    committed_is(s, &a, 1, 5);
    slot_is(s, &a, 1, 8);
    state_snap sn = state_snapshot(s);
    set_slot(s, &a, 1, 0);
    slot_is(s, &a, 1, 0);
    state_revert(s, sn);
    slot_is(s, &a, 1, 8);
    state_tx_finalize(s, true);
    committed_is(s, &a, 1, 8);

    /* A value written and restored within a transaction. */
    set_slot(s, &a, 1, 9);
    set_slot(s, &a, 1, 8);
    state_tx_finalize(s, true);
    committed_is(s, &a, 1, 8);

    /* Across a commit and a reopen: what was committed is read back. */
    uint8_t root[32];
    ck_assert_int_eq(state_commit(s, root), 0);
    set_slot(s, &a, 2, 3); /* not finalized: not in the root */
    state_revert(s, 0);
    state_free(s);
    ck_assert_int_eq(state_open(&st, root, &s), 0);
    committed_is(s, &a, 1, 8);
    set_slot(s, &a, 1, 1);
    committed_is(s, &a, 1, 8);
    slot_is(s, &a, 1, 1);
    slot_is(s, &a, 2, 0);
    /* Deleting a slot (zero) removes it from the trie. */
    set_slot(s, &a, 1, 0);
    state_tx_finalize(s, true);
    committed_is(s, &a, 1, 0);
    struct ref_account want[] = {{.addr = a, .balance = 1}};
    assert_root(s, want, 1);
    state_free(s);
    trie_memstore_free(ms);
}
END_TEST

/* ---- CREATE over an existing account ------------------------------------------ */

START_TEST(create_over_existing)
{
    struct trie_memstore *ms = trie_memstore_new();
    struct trie_store st = trie_memstore_store(ms);
    struct state *s;
    ck_assert_int_eq(state_open(&st, NULL, &s), 0);
    struct address a = addr(1, 0x11);
    add_bal(s, &a, 77);
    set_slot(s, &a, 1, 10);
    set_slot(s, &a, 2, 20);
    state_tx_finalize(s, false);
    uint8_t root[32];
    ck_assert_int_eq(state_commit(s, root), 0);
    state_free(s);

    /* Reopen so that the old storage lives only in the trie. */
    ck_assert_int_eq(state_open(&st, root, &s), 0);
    slot_is(s, &a, 1, 10); /* cached before the create */
    state_snap sn = state_snapshot(s);
    state_create_account(s, &a);
    balance_is(s, &a, 77);
    ck_assert_uint_eq(state_get_nonce(s, &a), 0);
    slot_is(s, &a, 1, 0);
    slot_is(s, &a, 2, 0); /* never cached: must not come from the old trie */
    committed_is(s, &a, 1, 0);
    state_set_nonce(s, &a, 1);
    set_slot(s, &a, 3, 30);
    /* A failed deployment restores everything. */
    state_revert(s, sn);
    slot_is(s, &a, 1, 10);
    slot_is(s, &a, 2, 20);
    slot_is(s, &a, 3, 0);
    ck_assert_uint_eq(state_get_nonce(s, &a), 0);

    /* A successful one keeps the balance and only the new storage. */
    state_create_account(s, &a);
    state_set_nonce(s, &a, 1);
    set_slot(s, &a, 3, 30);
    set_slot(s, &a, 1, 0);
    static const uint8_t code[] = {0x60, 0x00, 0x00};
    ck_assert_int_eq(state_set_code(s, &a, code, sizeof code), 0);
    state_tx_finalize(s, true);
    struct ref_account want[] = {{.addr = a, .balance = 77, .nonce = 1, .code = (const char *)code,
                                  .code_len = sizeof code, .keys = {3}, .vals = {30}, .nslots = 1}};
    assert_root(s, want, 1);
    ck_assert_int_eq(state_commit(s, root), 0);
    state_free(s);

    ck_assert_int_eq(state_open(&st, root, &s), 0);
    slot_is(s, &a, 1, 0);
    slot_is(s, &a, 2, 0);
    slot_is(s, &a, 3, 30);
    size_t len;
    const uint8_t *c = state_get_code(s, &a, &len);
    ck_assert_uint_eq(len, sizeof code);
    ck_assert_mem_eq(c, code, sizeof code);
    /* CREATE on a fresh address has zero balance. */
    struct address n = addr(2, 0x22);
    state_create_account(s, &n);
    ck_assert(state_exists(s, &n));
    balance_is(s, &n, 0);
    ck_assert_int_eq(state_error(s), 0);
    state_free(s);
    trie_memstore_free(ms);
}
END_TEST

/* ---- storage root --------------------------------------------------------------- */

/* Root of a storage trie holding the given slots, built with the trie API. */
static void slots_root(const uint64_t *keys, const uint64_t *vals, size_t n, uint8_t root[32])
{
    struct trie *t;
    ck_assert_int_eq(trie_open(NULL, NULL, TRIE_SECURE, &t), 0);
    for (size_t i = 0; i < n; i++) {
        uint8_t key[32];
        u256 k = U(keys[i]);
        u256_to_be(&k, key);
        uint8_t val[9];
        size_t len = 0;
        for (int sh = 56; sh >= 0; sh -= 8)
            if (len || (vals[i] >> sh) & 0xff)
                val[1 + len++] = (uint8_t)(vals[i] >> sh);
        /* RLP string of the minimal big-endian bytes */
        if (len == 1 && val[1] < 0x80)
            ck_assert_int_eq(trie_put(t, key, 32, val + 1, 1), 0);
        else {
            val[0] = (uint8_t)(0x80 + len);
            ck_assert_int_eq(trie_put(t, key, 32, val, len + 1), 0);
        }
    }
    ck_assert_int_eq(trie_root_hash(t, root), 0);
    trie_free(t);
}

START_TEST(storage_root_accessor)
{
    struct trie_memstore *ms = trie_memstore_new();
    struct trie_store st = trie_memstore_store(ms);
    struct state *s;
    ck_assert_int_eq(state_open(&st, NULL, &s), 0);
    struct address a = addr(1, 0x11), none = addr(2, 0x22);
    struct hash32 h, zero;
    memset(&zero, 0, sizeof zero);

    state_get_storage_root(s, &none, &h);
    ck_assert(hash32_eq(&h, &zero));
    ck_assert(!state_has_storage(s, &none));
    state_set_nonce(s, &a, 1);
    set_slot(s, &a, 1, 0x1234);
    set_slot(s, &a, 2, 5);
    /* Changes of the current transaction are not included. */
    state_get_storage_root(s, &a, &h);
    ck_assert_mem_eq(h.b, TRIE_EMPTY_ROOT, 32);
    ck_assert(!state_has_storage(s, &a));
    state_tx_finalize(s, true);
    ck_assert(state_has_storage(s, &a));
    uint8_t want[32];
    const uint64_t keys[] = {1, 2}, vals[] = {0x1234, 5};
    slots_root(keys, vals, 2, want);
    state_get_storage_root(s, &a, &h);
    ck_assert_mem_eq(h.b, want, 32);

    /* CREATE over it: empty; a revert brings the storage back. */
    state_snap sn = state_snapshot(s);
    state_create_account(s, &a);
    state_get_storage_root(s, &a, &h);
    ck_assert_mem_eq(h.b, TRIE_EMPTY_ROOT, 32);
    ck_assert(!state_has_storage(s, &a));
    state_revert(s, sn);
    ck_assert(state_has_storage(s, &a));
    state_get_storage_root(s, &a, &h);
    ck_assert_mem_eq(h.b, want, 32);

    /* Hashed early, the storage is still committed with the state. */
    set_slot(s, &a, 2, 0);
    state_tx_finalize(s, true);
    slots_root(keys, vals, 1, want);
    state_get_storage_root(s, &a, &h);
    ck_assert_mem_eq(h.b, want, 32);
    uint8_t root[32];
    ck_assert_int_eq(state_commit(s, root), 0);
    struct ref_account ref[] = {{.addr = a, .nonce = 1, .keys = {1}, .vals = {0x1234}, .nslots = 1}};
    uint8_t bref[32];
    builder_root(ref, 1, bref);
    ck_assert_mem_eq(root, bref, 32);
    state_free(s);
    ck_assert_int_eq(state_open(&st, root, &s), 0);
    slot_is(s, &a, 1, 0x1234);
    state_get_storage_root(s, &a, &h);
    ck_assert_mem_eq(h.b, want, 32);
    ck_assert_int_eq(state_error(s), 0);
    state_free(s);
    trie_memstore_free(ms);
}
END_TEST

/* ---- genesis -------------------------------------------------------------------- */

/* Builds g's allocation through the state and compares its root with
 * genesis_build's. */
static void check_genesis_root(struct genesis *g)
{
    struct state *s = open_mem();
    for (size_t i = 0; i < g->nalloc; i++) {
        const struct genesis_account *ga = &g->alloc[i];
        state_add_balance(s, &ga->addr, &ga->balance);
        state_set_nonce(s, &ga->addr, ga->nonce);
        if (ga->code_len)
            ck_assert_int_eq(state_set_code(s, &ga->addr, ga->code, ga->code_len), 0);
        for (size_t k = 0; k < ga->nslots; k++) {
            u256 key, val;
            u256_from_be(&key, ga->slots[k].key, 32);
            u256_from_be(&val, ga->slots[k].value, 32);
            state_set_storage(s, &ga->addr, &key, &val);
        }
    }
    state_tx_finalize(s, false);
    uint8_t got[32];
    root_of(s, got);
    ck_assert_int_eq(genesis_build(g, NULL), 0);
    ck_assert_msg(memcmp(got, g->header.state_root.b, 32) == 0, "state root differs from genesis_build");
    state_free(s);
}

START_TEST(genesis_mainnet_root)
{
    char *path = fixtures_path("spectrum/genesis-mainnet.json");
    struct genesis g;
    ck_assert_msg(genesis_load(path, &g) == 0, "%s: %s", path, err_msg());
    ck_assert_uint_gt(g.nalloc, 0);
    check_genesis_root(&g);
    /* And the block hash it gives is the network's. */
    struct hash32 h;
    ck_assert_int_eq(header_hash(&g.header, &h), 0);
    ck_assert(g.has_expected_hash);
    ck_assert(hash32_eq(&h, &g.expected_hash));
    genesis_free(&g);
    free(path);
}
END_TEST

START_TEST(genesis_with_code_and_storage)
{
    const char *doc =
        "{\"alloc\":{"
        "\"0x0000000000000000000000000000000000000001\":{\"balance\":\"1\"},"
        "\"0x00000000000000000000000000000000000000ff\":{\"balance\":\"0\",\"nonce\":\"3\","
        "\"code\":\"0x6001600055\",\"storage\":{\"0x00\":\"0x01\",\"0x01\":\"0x00\","
        "\"0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff\":"
        "\"0x0100000000000000000000000000000000000000000000000000000000000000\"}},"
        "\"0x1000000000000000000000000000000000000000\":{\"balance\":"
        "\"115792089237316195423570985008687907853269984665640564039457584007913129639935\"}"
        "}}";
    struct genesis g;
    ck_assert_msg(genesis_parse(doc, strlen(doc), &g) == 0, "%s", err_msg());
    check_genesis_root(&g);
    genesis_free(&g);
}
END_TEST

/* ---- LevelDB --------------------------------------------------------------------- */

static char dir[4096];

static void make_dir(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/test_state.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void remove_dir(void)
{
    DIR *dp = opendir(dir);
    if (dp) {
        struct dirent *e;
        while ((e = readdir(dp)) != NULL)
            if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
                unlinkat(dirfd(dp), e->d_name, 0);
        closedir(dp);
    }
    rmdir(dir);
}

START_TEST(leveldb_commit_and_reopen)
{
    make_dir();
    struct db *db;
    ck_assert_int_eq(db_open(dir, NULL, &db), 0);
    struct db_batch *batch = db_batch_new();
    struct trie_db tdb;
    trie_db_init(&tdb, db, NULL, batch);
    struct trie_store st = trie_db_store(&tdb);

    static const uint8_t code1[] = {0x60, 0x2a, 0x60, 0x00, 0x52, 0x60, 0x20, 0x60, 0x00, 0xf3};
    uint8_t code2[300];
    for (size_t i = 0; i < sizeof code2; i++)
        code2[i] = (uint8_t)(i * 7);
    struct address a = addr(1, 0xa1), b = addr(2, 0xb2), c = addr(3, 0xc3);

    struct state *s;
    ck_assert_int_eq(state_open(&st, NULL, &s), 0);
    add_bal(s, &a, 1000);
    state_set_nonce(s, &a, 3);
    ck_assert_int_eq(state_set_code(s, &b, code1, sizeof code1), 0);
    for (uint64_t k = 0; k < 50; k++)
        set_slot(s, &b, k, k + 100);
    ck_assert_int_eq(state_set_code(s, &c, code2, sizeof code2), 0);
    set_slot(s, &c, 7, 7);
    state_tx_finalize(s, true);
    uint8_t root1[32];
    ck_assert_msg(state_commit(s, root1) == 0, "%s", err_msg());
    ck_assert_int_eq(db_batch_write(db, batch, true), 0);
    db_batch_clear(batch);
    state_free(s);
    trie_db_release(&tdb);
    db_close(db);

    /* Reopen the database and the state at the root. */
    ck_assert_int_eq(db_open(dir, NULL, &db), 0);
    trie_db_init(&tdb, db, NULL, batch);
    st = trie_db_store(&tdb);
    ck_assert_int_eq(state_open(&st, root1, &s), 0);
    balance_is(s, &a, 1000);
    ck_assert_uint_eq(state_get_nonce(s, &a), 3);
    size_t len;
    const uint8_t *code = state_get_code(s, &b, &len);
    ck_assert_uint_eq(len, sizeof code1);
    ck_assert_mem_eq(code, code1, sizeof code1);
    code = state_get_code(s, &c, &len);
    ck_assert_uint_eq(len, sizeof code2);
    ck_assert_mem_eq(code, code2, sizeof code2);
    for (uint64_t k = 0; k < 50; k++)
        slot_is(s, &b, k, k + 100);
    slot_is(s, &c, 7, 7);
    ck_assert(!state_exists(s, &(struct address){{0}}));

    /* A second block on top: change, delete, commit, reopen. */
    set_slot(s, &b, 0, 0);
    set_slot(s, &b, 1, 1);
    state_selfdestruct(s, &c);
    u256 v = U(10);
    state_sub_balance(s, &a, &v);
    state_tx_finalize(s, true);
    uint8_t root2[32];
    ck_assert_int_eq(state_commit(s, root2), 0);
    ck_assert_int_eq(db_batch_write(db, batch, true), 0);
    state_free(s);

    ck_assert_int_eq(state_open(&st, root2, &s), 0);
    balance_is(s, &a, 990);
    slot_is(s, &b, 0, 0);
    slot_is(s, &b, 1, 1);
    slot_is(s, &b, 2, 102);
    ck_assert(!state_exists(s, &c));
    ck_assert_uint_eq(state_get_code_size(s, &b), sizeof code1);
    ck_assert_int_eq(state_error(s), 0);
    state_free(s);

    /* The first root is still readable (nodes are never deleted). */
    ck_assert_int_eq(state_open(&st, root1, &s), 0);
    slot_is(s, &c, 7, 7);
    slot_is(s, &b, 0, 100);
    ck_assert_int_eq(state_error(s), 0);
    state_free(s);

    trie_db_release(&tdb);
    db_batch_free(batch);
    db_close(db);
    remove_dir();
}
END_TEST

/* ---- errors ------------------------------------------------------------------- */

START_TEST(missing_nodes_are_sticky)
{
    struct trie_memstore *ms = trie_memstore_new();
    struct trie_store st = trie_memstore_store(ms);
    struct state *s;
    struct address a = addr(1, 0x11);
    static const uint8_t code[] = {0x60, 0x00, 0x60, 0x00, 0xfd};
    ck_assert_int_eq(state_open(&st, NULL, &s), 0);
    add_bal(s, &a, 5);
    set_slot(s, &a, 1, 2);
    ck_assert_int_eq(state_set_code(s, &a, code, sizeof code), 0);
    state_tx_finalize(s, true);
    uint8_t root[32];
    ck_assert_int_eq(state_commit(s, root), 0);
    state_free(s);

    /* The storage trie root of a: built independently. */
    struct trie *t;
    uint8_t sroot[32], key[32], code_hash[32];
    ck_assert_int_eq(trie_open(NULL, NULL, TRIE_SECURE, &t), 0);
    u256 k = U(1);
    u256_to_be(&k, key);
    const uint8_t val[] = {0x02};
    ck_assert_int_eq(trie_put(t, key, 32, val, 1), 0);
    ck_assert_int_eq(trie_root_hash(t, sroot), 0);
    trie_free(t);
    keccak256(code, sizeof code, code_hash);

    /* Storage node missing: reads give zero, the error sticks, the root
     * reports it, other reads go on. */
    ck_assert(trie_memstore_remove(ms, sroot));
    ck_assert_int_eq(state_open(&st, root, &s), 0);
    balance_is(s, &a, 5);
    ck_assert_int_eq(state_error(s), 0);
    slot_is(s, &a, 1, 0);
    ck_assert_int_eq(state_error(s), ERR_NOTFOUND);
    ck_assert_ptr_nonnull(strstr(state_error_msg(s), "storage"));
    set_slot(s, &a, 2, 9); /* keeps working */
    slot_is(s, &a, 2, 9);
    state_tx_finalize(s, true);
    uint8_t r2[32];
    ck_assert_int_eq(state_root(s, r2), ERR_NOTFOUND);
    ck_assert_int_eq(state_commit(s, r2), ERR_NOTFOUND);
    state_free(s);

    /* Code blob missing. */
    ck_assert(trie_memstore_remove(ms, code_hash));
    ck_assert_int_eq(state_open(&st, root, &s), 0);
    size_t len = 1;
    ck_assert_ptr_null(state_get_code(s, &a, &len));
    ck_assert_uint_eq(len, 0);
    ck_assert_int_eq(state_error(s), ERR_NOTFOUND);
    state_free(s);

    /* Account trie root missing: every account reads as absent. */
    ck_assert(trie_memstore_remove(ms, root));
    ck_assert_int_eq(state_open(&st, root, &s), 0);
    ck_assert(!state_exists(s, &a));
    balance_is(s, &a, 0);
    ck_assert_int_eq(state_error(s), ERR_NOTFOUND);
    add_bal(s, &a, 1);
    state_tx_finalize(s, true);
    ck_assert_int_eq(state_root(s, r2), ERR_NOTFOUND);
    state_free(s);

    /* Without a store: a non-empty root is refused, commit is refused. */
    ck_assert_int_eq(state_open(NULL, root, &s), ERR_INVAL);
    s = open_mem();
    add_bal(s, &a, 1);
    state_tx_finalize(s, true);
    ck_assert_int_eq(state_commit(s, r2), ERR_BADSTATE);
    ck_assert_int_eq(state_error(s), 0);
    root_of(s, r2);
    state_free(s);
    trie_memstore_free(ms);
}
END_TEST

START_TEST(corrupt_account_is_sticky)
{
    /* An account value that is not [nonce, balance, root, codeHash]. */
    struct trie_memstore *ms = trie_memstore_new();
    struct trie_store st = trie_memstore_store(ms);
    struct trie *t;
    struct address a = addr(1, 0x11);
    uint8_t root[32];
    ck_assert_int_eq(trie_open(&st, NULL, TRIE_SECURE, &t), 0);
    const uint8_t bad[] = {0xc2, 0x01, 0x02};
    ck_assert_int_eq(trie_put(t, a.b, 20, bad, sizeof bad), 0);
    ck_assert_int_eq(trie_commit(t, root), 0);
    trie_free(t);
    struct state *s;
    ck_assert_int_eq(state_open(&st, root, &s), 0);
    ck_assert(!state_exists(s, &a));
    ck_assert_int_eq(state_error(s), ERR_DECODE);
    state_free(s);
    trie_memstore_free(ms);
}
END_TEST

/* ---- random sequences against a model -------------------------------------------- */

#define NA 6
#define NK 4

struct macct {
    bool exists, sd;
    uint64_t nonce;
    u256 bal;
    int code; /* index into codes[] (0: none) */
    u256 cur[NK], com[NK];
};

struct model {
    struct macct a[NA];
    bool dirty[NA];
    uint64_t refund;
    size_t nlogs;
};

static const uint8_t *const codes[] = {NULL, (const uint8_t *)"\x60\x00", (const uint8_t *)"\x60\x01\x60\x02\x01"};
static const size_t code_lens[] = {0, 2, 5};

static uint64_t rng;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static struct address maddr(int i)
{
    /* index 0 is RIPEMD-160 (0x…03) */
    static const uint8_t last[NA] = {3, 4, 0x10, 0xfe, 0x42, 0x43};
    static const uint8_t first[NA] = {0, 0, 0, 0xff, 0x80, 0x80};
    return addr(last[i], first[i]);
}

static u256 mkey(int k)
{
    u256 v = U(0);
    switch (k) {
    case 0: break;
    case 1: v = U(1); break;
    case 2: v.w[3] = 1ull << 63; break;
    default: v = U(0xdeadbeef); v.w[2] = 5; break;
    }
    return v;
}

static u256 mval(void)
{
    static const uint64_t vals[] = {0, 0, 1, 2, 1000};
    int r = (int)(rnd() % 6);
    return r < 5 ? U(vals[r]) : u256_max();
}

static bool m_empty(const struct macct *m)
{
    return m->nonce == 0 && u256_iszero(&m->bal) && m->code == 0;
}

static void m_fresh(struct macct *m)
{
    memset(m, 0, sizeof *m);
    m->exists = true;
}

/* Get-or-create, as every mutator does. */
static struct macct *m_mut(struct model *md, int i)
{
    if (!md->a[i].exists) {
        m_fresh(&md->a[i]);
        md->dirty[i] = true;
    }
    return &md->a[i];
}

static void compare(struct state *s, const struct model *md, const char *where)
{
    for (int i = 0; i < NA; i++) {
        struct address a = maddr(i);
        const struct macct *m = &md->a[i];
        ck_assert_msg(state_exists(s, &a) == m->exists, "%s: exists[%d]", where, i);
        ck_assert_msg(state_is_empty(s, &a) == (!m->exists || m_empty(m)), "%s: empty[%d]", where, i);
        u256 b;
        state_get_balance(s, &a, &b);
        u256 mb = m->exists ? m->bal : U(0);
        ck_assert_msg(u256_eq(&b, &mb), "%s: balance[%d]", where, i);
        ck_assert_msg(state_get_nonce(s, &a) == (m->exists ? m->nonce : 0), "%s: nonce[%d]", where, i);
        size_t len;
        const uint8_t *c = state_get_code(s, &a, &len);
        int mc = m->exists ? m->code : 0;
        ck_assert_msg(len == code_lens[mc] && (len == 0 || memcmp(c, codes[mc], len) == 0),
                      "%s: code[%d]", where, i);
        struct hash32 h, mh;
        state_get_code_hash(s, &a, &h);
        memset(&mh, 0, sizeof mh);
        if (m->exists && !m_empty(m))
            keccak256(codes[mc], code_lens[mc], mh.b);
        ck_assert_msg(hash32_eq(&h, &mh), "%s: code hash[%d]", where, i);
        ck_assert_msg(state_has_selfdestructed(s, &a) == (m->exists && m->sd), "%s: sd[%d]", where, i);
        for (int k = 0; k < NK; k++) {
            u256 key = mkey(k), v, z = U(0);
            state_get_storage(s, &a, &key, &v);
            ck_assert_msg(u256_eq(&v, m->exists ? &m->cur[k] : &z), "%s: storage[%d][%d]", where, i, k);
            state_get_committed_storage(s, &a, &key, &v);
            ck_assert_msg(u256_eq(&v, m->exists ? &m->com[k] : &z), "%s: committed[%d][%d]", where, i, k);
        }
    }
    ck_assert_msg(state_get_refund(s) == md->refund, "%s: refund", where);
    size_t n;
    (void)state_logs(s, &n);
    ck_assert_msg(n == md->nlogs, "%s: logs", where);
}

/* The model's root through the genesis builder. */
static void model_root(const struct model *md, uint8_t root[32])
{
    struct genesis g;
    memset(&g, 0, sizeof g);
    g.alloc = calloc(NA, sizeof *g.alloc);
    ck_assert_ptr_nonnull(g.alloc);
    for (int i = 0; i < NA; i++) {
        const struct macct *m = &md->a[i];
        if (!m->exists)
            continue;
        struct genesis_account *ga = &g.alloc[g.nalloc++];
        ga->addr = maddr(i);
        ga->balance = m->bal;
        ga->nonce = m->nonce;
        if (m->code) {
            ga->code = malloc(code_lens[m->code]);
            memcpy(ga->code, codes[m->code], code_lens[m->code]);
            ga->code_len = code_lens[m->code];
        }
        ga->slots = calloc(NK, sizeof *ga->slots);
        for (int k = 0; k < NK; k++) {
            u256 key = mkey(k);
            u256_to_be(&key, ga->slots[ga->nslots].key);
            u256_to_be(&m->cur[k], ga->slots[ga->nslots].value);
            ga->nslots++;
        }
    }
    ck_assert_int_eq(genesis_build(&g, NULL), 0);
    memcpy(root, g.header.state_root.b, 32);
    genesis_free(&g);
}

#define MAX_SNAPS 8

static void run_random(uint64_t seed, int ntx)
{
    rng = seed;
    struct trie_memstore *ms = trie_memstore_new();
    struct trie_store st = trie_memstore_store(ms);
    struct state *s;
    ck_assert_int_eq(state_open(&st, NULL, &s), 0);
    struct model md;
    memset(&md, 0, sizeof md);
    bool sticky[NA] = {false};
    struct model saved[MAX_SNAPS];
    state_snap snaps[MAX_SNAPS];
    char where[64];

    for (int tx = 0; tx < ntx; tx++) {
        int nsnap = 0;
        int nops = 1 + (int)(rnd() % 12);
        for (int op = 0; op < nops; op++) {
            int i = (int)(rnd() % NA), k = (int)(rnd() % NK);
            struct address a = maddr(i);
            struct macct *m;
            int kind = (int)(rnd() % 16);
            switch (kind) {
            case 0:
            case 1: { /* credit (often zero) */
                u256 v = rnd() % 2 ? U(0) : U(rnd() % 100);
                state_add_balance(s, &a, &v);
                m = m_mut(&md, i);
                if (u256_iszero(&v)) {
                    if (m_empty(m)) {
                        md.dirty[i] = true;
                        sticky[i] |= i == 0;
                    }
                } else {
                    u256_add(&m->bal, &m->bal, &v);
                    md.dirty[i] = true;
                }
                break;
            }
            case 2: { /* debit, within the balance */
                u256 cur = md.a[i].exists ? md.a[i].bal : U(0);
                u256 v = U(cur.w[0] && u256_fits_u64(&cur) ? rnd() % (cur.w[0] + 1) : 0);
                state_sub_balance(s, &a, &v);
                m = m_mut(&md, i);
                if (!u256_iszero(&v)) {
                    u256_sub(&m->bal, &m->bal, &v);
                    md.dirty[i] = true;
                }
                break;
            }
            case 3: {
                u256 v = mval();
                state_set_balance(s, &a, &v);
                m = m_mut(&md, i);
                m->bal = v;
                md.dirty[i] = true;
                break;
            }
            case 4: {
                uint64_t n = rnd() % 3;
                state_set_nonce(s, &a, n);
                m = m_mut(&md, i);
                m->nonce = n;
                md.dirty[i] = true;
                break;
            }
            case 5: {
                int c = (int)(rnd() % 3);
                ck_assert_int_eq(state_set_code(s, &a, codes[c], code_lens[c]), 0);
                m = m_mut(&md, i);
                m->code = c;
                md.dirty[i] = true;
                break;
            }
            case 6:
            case 7: {
                u256 key = mkey(k), v = mval();
                state_set_storage(s, &a, &key, &v);
                m = m_mut(&md, i);
                if (!u256_eq(&m->cur[k], &v)) {
                    m->cur[k] = v;
                    md.dirty[i] = true;
                }
                break;
            }
            case 8: {
                state_create_account(s, &a);
                u256 bal = md.a[i].exists ? md.a[i].bal : U(0);
                m_fresh(&md.a[i]);
                md.a[i].bal = bal;
                md.dirty[i] = true;
                break;
            }
            case 9:
                state_touch(s, &a);
                if (md.a[i].exists) {
                    md.dirty[i] = true;
                    sticky[i] |= i == 0;
                }
                break;
            case 10:
                state_selfdestruct(s, &a);
                if (md.a[i].exists) {
                    md.a[i].sd = true;
                    md.a[i].bal = U(0);
                    md.dirty[i] = true;
                }
                break;
            case 11: {
                uint64_t g = rnd() % 50;
                if (rnd() % 2) {
                    state_add_refund(s, g);
                    md.refund += g;
                } else {
                    state_sub_refund(s, g);
                    md.refund = g > md.refund ? 0 : md.refund - g;
                }
                break;
            }
            case 12: {
                struct hash32 t[NK];
                memset(t, (int)k, sizeof t);
                ck_assert_int_eq(state_add_log(s, &a, t, (size_t)k, (const uint8_t *)"abc", (size_t)k), 0);
                md.nlogs++;
                break;
            }
            case 13:
            case 14: /* snapshot */
                if (nsnap < MAX_SNAPS) {
                    saved[nsnap] = md;
                    snaps[nsnap++] = state_snapshot(s);
                }
                break;
            case 15: /* revert to a random open snapshot */
                if (nsnap) {
                    int lv = (int)(rnd() % (unsigned)nsnap);
                    state_revert(s, snaps[lv]);
                    md = saved[lv];
                    nsnap = lv;
                }
                break;
            }
            snprintf(where, sizeof where, "seed %llu tx %d op %d kind %d", (unsigned long long)seed,
                     tx, op, kind);
            compare(s, &md, where);
        }

        /* End of transaction. */
        bool del = tx > ntx / 4 ? true : (rnd() % 2 == 0);
        state_tx_finalize(s, del);
        for (int i = 0; i < NA; i++) {
            struct macct *m = &md.a[i];
            if ((md.dirty[i] || sticky[i]) && m->exists && (m->sd || (del && m_empty(m))))
                memset(m, 0, sizeof *m);
            memcpy(m->com, m->cur, sizeof m->com);
            md.dirty[i] = false;
            sticky[i] = false;
        }
        md.refund = 0;
        md.nlogs = 0;
        snprintf(where, sizeof where, "seed %llu after tx %d", (unsigned long long)seed, tx);
        compare(s, &md, where);

        if (rnd() % 2) {
            uint8_t got[32], want[32];
            root_of(s, got);
            model_root(&md, want);
            ck_assert_msg(memcmp(got, want, 32) == 0, "%s: root differs from the rebuild", where);
        }
        if (rnd() % 5 == 0) {
            /* Commit and continue from a fresh state over the store. */
            uint8_t root[32];
            ck_assert_msg(state_commit(s, root) == 0, "%s", err_msg());
            state_free(s);
            ck_assert_int_eq(state_open(&st, root, &s), 0);
            compare(s, &md, where);
        }
        ck_assert_msg(state_error(s) == 0, "%s: %s", where, state_error_msg(s));
    }
    uint8_t got[32], want[32];
    root_of(s, got);
    model_root(&md, want);
    ck_assert(memcmp(got, want, 32) == 0);
    state_free(s);
    trie_memstore_free(ms);
}

START_TEST(random_against_model)
{
    static const uint64_t seeds[] = {1, 0x9e3779b97f4a7c15u, 12345, 777, 0xdeadbeef};
    for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++)
        run_random(seeds[i], 400);
}
END_TEST

/* The process-wide code cache: what one state verified, every later state
 * gets without the database; keyed by the code hash alone. */
START_TEST(code_cache_by_hash)
{
    code_cache_clear();
    uint8_t code[100];
    for (size_t i = 0; i < sizeof code; i++)
        code[i] = (uint8_t)(i * 7 + 1);
    struct hash32 h, other;
    keccak256(code, sizeof code, h.b);
    uint8_t *got;
    size_t len;
    ck_assert_int_eq(code_cache_get(&h, &got, &len), ERR_NOTFOUND);
    code_cache_put(&h, code, sizeof code);
    ck_assert_int_eq(code_cache_get(&h, &got, &len), 0);
    ck_assert_uint_eq(len, sizeof code);
    ck_assert(memcmp(got, code, len) == 0);
    free(got);
    /* Same slot, another hash: not confused with the first. */
    other = h;
    other.b[31] ^= 1;
    ck_assert_int_eq(code_cache_get(&other, &got, &len), ERR_NOTFOUND);
    /* Too big or empty: not kept. */
    static uint8_t big[CODE_CACHE_MAX_LEN + 1];
    struct hash32 hb;
    keccak256(big, sizeof big, hb.b);
    code_cache_put(&hb, big, sizeof big);
    ck_assert_int_eq(code_cache_get(&hb, &got, &len), ERR_NOTFOUND);
    code_cache_clear();
    ck_assert_int_eq(code_cache_get(&h, &got, &len), ERR_NOTFOUND);
}
END_TEST

/* Two contracts in one set both stay (the regtest chief and its base
 * contract share one and were re-read and re-hashed every block with a
 * direct-mapped table); a third replaces the one used less recently. */
START_TEST(code_cache_two_ways)
{
    code_cache_clear();
    static const uint8_t code_a[] = {1, 2, 3}, code_b[] = {4, 5}, code_c[] = {6};
    struct hash32 a, b, c;
    memset(&a, 0x11, sizeof a);
    b = a;
    b.b[31] ^= 1;   /* same first bytes: same set */
    c = a;
    c.b[31] ^= 2;
    code_cache_put(&a, code_a, sizeof code_a);
    code_cache_put(&b, code_b, sizeof code_b);
    uint8_t *got;
    size_t len;
    ck_assert_int_eq(code_cache_get(&a, &got, &len), 0);  /* a: used last */
    ck_assert_uint_eq(len, sizeof code_a);
    free(got);
    ck_assert_int_eq(code_cache_get(&b, &got, &len), 0);
    ck_assert_uint_eq(len, sizeof code_b);
    free(got);
    ck_assert_int_eq(code_cache_get(&a, &got, &len), 0);
    free(got);
    code_cache_put(&c, code_c, sizeof code_c);            /* replaces b */
    ck_assert_int_eq(code_cache_get(&b, &got, &len), ERR_NOTFOUND);
    ck_assert_int_eq(code_cache_get(&a, &got, &len), 0);
    ck_assert_mem_eq(got, code_a, sizeof code_a);
    free(got);
    ck_assert_int_eq(code_cache_get(&c, &got, &len), 0);
    ck_assert_mem_eq(got, code_c, sizeof code_c);
    free(got);
    code_cache_clear();
}
END_TEST

/* Every state gets its own hash seed (derived from one process key): two
 * states sharing a seed would let keys that collide in one collide in all. */
START_TEST(hash_seeds_differ_per_state)
{
    enum { N = 4096 };
    static uint64_t seen[N][4];
    for (int i = 0; i < N; i++) {
        state_seed(seen[i]);
        for (int w = 0; w < 4; w++)
            ck_assert_uint_ne(seen[i][w], 0);
    }
    for (int i = 0; i < N; i++)
        for (int j = i + 1; j < N; j++)
            for (int w = 0; w < 4; w++)
                ck_assert_msg(seen[i][w] != seen[j][w], "seed word %d repeats (%d, %d)", w, i, j);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("state");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, round_trips);
    tcase_add_test(tc, code_cache_by_hash);
    tcase_add_test(tc, code_cache_two_ways);
    tcase_add_test(tc, nested_snapshots);
    tcase_add_test(tc, selfdestruct_deletes);
    tcase_add_test(tc, touched_empty_accounts);
    tcase_add_test(tc, ripemd_touch_survives_revert);
    tcase_add_test(tc, committed_vs_current);
    tcase_add_test(tc, create_over_existing);
    tcase_add_test(tc, storage_root_accessor);
    tcase_add_test(tc, genesis_mainnet_root);
    tcase_add_test(tc, genesis_with_code_and_storage);
    tcase_add_test(tc, leveldb_commit_and_reopen);
    tcase_add_test(tc, missing_nodes_are_sticky);
    tcase_add_test(tc, corrupt_account_is_sticky);
    tcase_add_test(tc, random_against_model);
    tcase_add_test(tc, hash_seeds_differ_per_state);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
