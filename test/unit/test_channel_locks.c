/*
 * test_channel_locks.c — hashlocks and the lock merkle tree (channel/locks.h)
 * against spec/photon.md §3.6 and the contract's computeMerkleRoot: leaves
 * and roots for 0, 1, 2, 3 and 5 locks computed by hand here, proofs that
 * the contract's algorithm (re-written in this file) folds back to the root,
 * removal that rebuilds in insertion order, duplicates and the cap refused,
 * and the layer-by-layer construction of the spec compared with the tree's
 * root and proofs for every size up to 70.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "channel/locks.h"
#include "crypto/keccak.h"
#include "util/err.h"
#include "util/hex.h"

/* A lock with distinct fields per i. */
static struct ch_lock mk(unsigned i)
{
    struct ch_lock l;
    l.expiration = 1000 + i;
    l.amount = u256_from_u64(10 * (i + 1));
    l.amount.w[2] = i;          /* a limb above 128 bits, to catch byte order */
    memset(l.secret_hash, (int)(0x30 + i), 32);
    l.secret_hash[0] = (uint8_t)(i >> 8);
    l.secret_hash[1] = (uint8_t)i;
    return l;
}

/* keccak(u256 expiration ‖ u256 amount ‖ secret_hash), packed by hand. */
static void leaf_by_hand(unsigned i, uint8_t out[32])
{
    uint8_t b[96] = {0};
    uint64_t e = 1000 + i, a = 10 * (i + 1);
    for (int k = 0; k < 8; k++) {
        b[31 - k] = (uint8_t)(e >> (8 * k));
        b[63 - k] = (uint8_t)(a >> (8 * k));
        b[32 + 15 - k] = (uint8_t)((uint64_t)i >> (8 * k)); /* limb 2: bytes 8..15 of the word */
    }
    memset(b + 64, (int)(0x30 + i), 32);
    b[64] = (uint8_t)(i >> 8);
    b[65] = (uint8_t)i;
    keccak256(b, 96, out);
}

/* keccak of the two values, smaller first (the contract's h < sibling). */
static void hpair(const uint8_t a[32], const uint8_t b[32], uint8_t out[32])
{
    uint8_t buf[64];
    const uint8_t *lo = memcmp(a, b, 32) < 0 ? a : b, *hi = lo == a ? b : a;
    memcpy(buf, lo, 32);
    memcpy(buf + 32, hi, 32);
    keccak256(buf, 64, out);
}

/* The contract's computeMerkleRoot, written out here. */
static void contract_root(const uint8_t leaf[32], const uint8_t *proof, size_t len, uint8_t out[32])
{
    uint8_t h[32];
    memcpy(h, leaf, 32);
    for (size_t i = 0; i < len; i += 32)
        hpair(h, proof + i, h);
    memcpy(out, h, 32);
}

/* The spec's layered build: root and the proof of index k. */
static void layered(uint8_t (*leaves)[32], size_t n, size_t k, uint8_t root[32], uint8_t *proof,
                    size_t *plen)
{
    uint8_t (*cur)[32] = malloc(n * 32);
    memcpy(cur, leaves, n * 32);
    size_t len = n;
    *plen = 0;
    while (len > 1) {
        size_t sib = k % 2 ? k - 1 : k + 1;
        if (sib < len) {
            memcpy(proof + *plen, cur[sib], 32);
            *plen += 32;
        }
        size_t j;
        for (j = 0; j + 1 < len; j += 2)
            hpair(cur[j], cur[j + 1], cur[j / 2]);
        if (j < len)
            memcpy(cur[j / 2], cur[j], 32);
        len = (len + 1) / 2;
        k /= 2;
    }
    if (n == 0)
        memset(root, 0, 32);
    else
        memcpy(root, cur[0], 32);
    free(cur);
}

START_TEST(lock_leaf_and_secret_hash)
{
    struct ch_lock l = mk(7);
    uint8_t want[32], got[32];
    leaf_by_hand(7, want);
    ch_lock_hash(&l, got);
    ck_assert_mem_eq(got, want, 32);

    uint8_t packed[CH_LOCK_LEN];
    ch_lock_pack(&l, packed);
    struct ch_lock back;
    ck_assert_int_eq(ch_lock_unpack(packed, &back), 0);
    ck_assert(ch_lock_eq(&back, &l));
    packed[24] = 0x80;      /* expiration 2^63 + ...: not an int64 */
    ck_assert_int_eq(ch_lock_unpack(packed, &back), ERR_RANGE);
    packed[24] = 0;
    packed[0] = 1;          /* 2^248 + ... */
    ck_assert_int_eq(ch_lock_unpack(packed, &back), ERR_RANGE);

    /* sha256 of 32 zero bytes, the well-known digest. */
    uint8_t zero[32] = {0}, h[32], sha[32];
    ck_assert_int_eq(hex_decode_exact("66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925",
                                      64, sha, 32), 0);
    ck_assert_int_eq(ch_secret_hash(zero, h), 0);
    ck_assert_mem_eq(h, sha, 32);
}
END_TEST

START_TEST(roots_of_0_1_2_3_5_locks)
{
    uint8_t L[5][32], want[32], a[32], b[32], c[32];
    for (unsigned i = 0; i < 5; i++)
        leaf_by_hand(i, L[i]);
    struct ch_locks t;
    ch_locks_init(&t);

    memset(want, 0, 32);                                    /* 0 locks */
    ck_assert_mem_eq(t.root, want, 32);

    struct ch_lock l0 = mk(0), l1 = mk(1), l2 = mk(2), l3 = mk(3), l4 = mk(4);
    ck_assert_int_eq(ch_locks_add(&t, &l0), 0);             /* 1: the leaf */
    ck_assert_mem_eq(t.root, L[0], 32);

    ck_assert_int_eq(ch_locks_add(&t, &l1), 0);             /* 2: one pair */
    hpair(L[0], L[1], want);
    ck_assert_mem_eq(t.root, want, 32);

    ck_assert_int_eq(ch_locks_add(&t, &l2), 0);             /* 3: L2 promoted */
    hpair(L[0], L[1], a);
    hpair(a, L[2], want);
    ck_assert_mem_eq(t.root, want, 32);

    ck_assert_int_eq(ch_locks_add(&t, &l3), 0);
    ck_assert_int_eq(ch_locks_add(&t, &l4), 0);             /* 5: L4 promoted twice */
    hpair(L[0], L[1], a);
    hpair(L[2], L[3], b);
    hpair(a, b, c);
    hpair(c, L[4], want);
    ck_assert_mem_eq(t.root, want, 32);
    ck_assert_uint_eq(t.n, 5);

    /* Proofs: leaf 0 → [L1, H(L2,L3), L4]; leaf 4 → [H(H(L0,L1),H(L2,L3))]. */
    uint8_t proof[CH_PROOF_MAX], root[32];
    size_t plen;
    ck_assert_int_eq(ch_locks_proof(&t, 0, proof, sizeof proof, &plen), 0);
    ck_assert_uint_eq(plen, 96);
    ck_assert_mem_eq(proof, L[1], 32);
    ck_assert_mem_eq(proof + 32, b, 32);
    ck_assert_mem_eq(proof + 64, L[4], 32);
    ck_assert_int_eq(ch_locks_proof(&t, 4, proof, sizeof proof, &plen), 0);
    ck_assert_uint_eq(plen, 32);
    ck_assert_mem_eq(proof, c, 32);
    for (size_t i = 0; i < 5; i++) {
        ck_assert_int_eq(ch_locks_proof(&t, i, proof, sizeof proof, &plen), 0);
        contract_root(L[i], proof, plen, root);
        ck_assert_mem_eq(root, t.root, 32);
        ck_assert_int_eq(ch_merkle_root_from_proof(L[i], proof, plen, root), 0);
        ck_assert_mem_eq(root, t.root, 32);
    }
    ck_assert_int_eq(ch_locks_proof(&t, 5, proof, sizeof proof, &plen), ERR_RANGE);
    ck_assert_int_eq(ch_locks_proof(&t, 0, proof, 64, &plen), ERR_RANGE);
    ck_assert_int_eq(ch_merkle_root_from_proof(L[0], proof, 33, root), ERR_INVAL);

    /* Removing L2 rebuilds [L0, L1, L3, L4] in that order. */
    uint8_t root_without[32];
    ck_assert_int_eq(ch_locks_root_without(&t, l2.secret_hash, root_without), 0);
    ck_assert_uint_eq(t.n, 5); /* unchanged */
    struct ch_lock removed;
    ck_assert_int_eq(ch_locks_remove(&t, l2.secret_hash, &removed), 0);
    ck_assert(ch_lock_eq(&removed, &l2));
    hpair(L[0], L[1], a);
    hpair(L[3], L[4], b);
    hpair(a, b, want);
    ck_assert_mem_eq(t.root, want, 32);
    ck_assert_mem_eq(root_without, want, 32);
    ck_assert_mem_eq(t.leaves[2], L[3], 32);
    ck_assert_int_eq(ch_locks_remove(&t, l2.secret_hash, NULL), ERR_NOTFOUND);
    ck_assert_int_eq(ch_locks_root_without(&t, l2.secret_hash, root), ERR_NOTFOUND);

    /* root_with predicts add; adding L2 back puts it last. */
    ck_assert_int_eq(ch_locks_root_with(&t, &l2, root), 0);
    ck_assert_uint_eq(t.n, 4);
    ck_assert_int_eq(ch_locks_add(&t, &l2), 0);
    ck_assert_mem_eq(t.root, root, 32);
    hpair(a, b, c);
    hpair(c, L[2], want);
    ck_assert_mem_eq(t.root, want, 32);

    /* Removing everything gives the zero root again. */
    struct ch_lock all[5] = {l0, l1, l2, l3, l4};
    for (int i = 0; i < 5; i++)
        ck_assert_int_eq(ch_locks_remove(&t, all[i].secret_hash, NULL), 0);
    memset(want, 0, 32);
    ck_assert_mem_eq(t.root, want, 32);
    ch_locks_free(&t);
}
END_TEST

START_TEST(duplicates_and_cap_are_refused)
{
    struct ch_locks t;
    ch_locks_init(&t);
    struct ch_lock l = mk(1);
    ck_assert_int_eq(ch_locks_add(&t, &l), 0);
    uint8_t root[32];
    memcpy(root, t.root, 32);
    ck_assert_int_eq(ch_locks_add(&t, &l), ERR_INVAL);       /* same lock */
    struct ch_lock same_hash = mk(2);
    memcpy(same_hash.secret_hash, l.secret_hash, 32);
    ck_assert_int_eq(ch_locks_add(&t, &same_hash), ERR_INVAL); /* same secret hash */
    ck_assert_int_eq(ch_locks_root_with(&t, &same_hash, root), ERR_INVAL);
    struct ch_lock late = mk(3);
    late.expiration = (uint64_t)INT64_MAX + 1;
    ck_assert_int_eq(ch_locks_add(&t, &late), ERR_INVAL);
    ck_assert_uint_eq(t.n, 1);
    ck_assert_mem_eq(t.root, root, 32);

    for (unsigned i = 2; i <= CH_LOCKS_MAX; i++) {
        struct ch_lock x = mk(i);
        ck_assert_int_eq(ch_locks_add(&t, &x), 0);
    }
    ck_assert_uint_eq(t.n, CH_LOCKS_MAX);
    struct ch_lock one_more = mk(CH_LOCKS_MAX + 1);
    ck_assert_int_eq(ch_locks_add(&t, &one_more), ERR_RANGE);
    ck_assert_int_eq(ch_locks_root_with(&t, &one_more, root), ERR_RANGE);
    ck_assert_uint_eq(t.n, CH_LOCKS_MAX);

    /* A full tree's proofs take CH_PROOF_MAX bytes at most and verify. */
    uint8_t proof[CH_PROOF_MAX];
    size_t plen;
    for (size_t i = 0; i < CH_LOCKS_MAX; i += 97) {
        ck_assert_int_eq(ch_locks_proof(&t, i, proof, sizeof proof, &plen), 0);
        ck_assert_uint_le(plen, CH_PROOF_MAX);
        contract_root(t.leaves[i], proof, plen, root);
        ck_assert_mem_eq(root, t.root, 32);
    }
    size_t idx;
    ck_assert_int_eq(ch_locks_find(&t, l.secret_hash, &idx), 0);
    ck_assert_uint_eq(idx, 0);

    /* A copy is independent of its source. */
    struct ch_locks c;
    ch_locks_init(&c);
    ck_assert_int_eq(ch_locks_copy(&c, &t), 0);
    ck_assert_mem_eq(c.root, t.root, 32);
    ck_assert_int_eq(ch_locks_remove(&c, l.secret_hash, NULL), 0);
    ck_assert_uint_eq(t.n, CH_LOCKS_MAX);
    ck_assert_int_eq(ch_locks_find(&t, l.secret_hash, NULL), 0);
    ck_assert_int_eq(ch_locks_find(&c, l.secret_hash, NULL), ERR_NOTFOUND);
    ch_locks_free(&c);
    ch_locks_free(&t);
}
END_TEST

START_TEST(every_size_matches_the_layered_build)
{
    enum { N = 70 };
    uint8_t L[N][32], root[32], proof[CH_PROOF_MAX], want_proof[CH_PROOF_MAX], got[32];
    size_t plen, wlen;
    struct ch_locks t;
    ch_locks_init(&t);
    for (unsigned n = 1; n <= N; n++) {
        struct ch_lock l = mk(n - 1);
        ch_lock_hash(&l, L[n - 1]);
        ck_assert_int_eq(ch_locks_add(&t, &l), 0);
        for (size_t k = 0; k < n; k++) {
            layered(L, n, k, root, want_proof, &wlen);
            ck_assert_mem_eq(t.root, root, 32);
            ck_assert_int_eq(ch_locks_proof(&t, k, proof, sizeof proof, &plen), 0);
            ck_assert_uint_eq(plen, wlen);
            ck_assert_mem_eq(proof, want_proof, plen);
            contract_root(L[k], proof, plen, got);
            ck_assert_mem_eq(got, t.root, 32);
        }
    }
    ch_locks_free(&t);
}
END_TEST

START_TEST(locked_total)
{
    struct ch_locks t;
    ch_locks_init(&t);
    u256 sum;
    ck_assert_int_eq(ch_locks_total(&t, &sum), 0);
    ck_assert(u256_iszero(&sum));
    struct ch_lock a = mk(0), b = mk(1);
    a.amount = u256_from_u64(5);
    b.amount = u256_from_u64(7);
    ck_assert_int_eq(ch_locks_add(&t, &a), 0);
    ck_assert_int_eq(ch_locks_add(&t, &b), 0);
    ck_assert_int_eq(ch_locks_total(&t, &sum), 0);
    ck_assert_uint_eq(sum.w[0], 12);
    struct ch_lock c = mk(2);
    c.amount = u256_max();
    ck_assert_int_eq(ch_locks_add(&t, &c), 0);
    ck_assert_int_eq(ch_locks_total(&t, &sum), ERR_RANGE);
    ch_locks_free(&t);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("channel_locks");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, lock_leaf_and_secret_hash);
    tcase_add_test(tc, roots_of_0_1_2_3_5_locks);
    tcase_add_test(tc, duplicates_and_cap_are_refused);
    tcase_add_test(tc, every_size_matches_the_layered_build);
    tcase_add_test(tc, locked_total);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
