/*
 * test_trie.c — unit tests for the Merkle Patricia Trie: updates against a
 * simple reference map, order independence of the root, commit and reopen,
 * proofs (and their rejection when tampered with), missing and corrupt
 * nodes in the store, iteration, limits.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/keccak.h"
#include "trie/secure_key.h"
#include "trie/trie.h"
#include "util/err.h"
#include "util/hex.h"

/* ---- a reference map and random contents --------------------------------- */

#define MAXK 40
#define MAXV 200

struct ref_entry {
    uint8_t k[MAXK];
    size_t kn;
    uint8_t v[MAXV];
    size_t vn;
};

struct ref {
    struct ref_entry *e;
    size_t n, cap;
};

static uint64_t rng_state;
static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static struct ref_entry *ref_find(struct ref *r, const uint8_t *k, size_t kn)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->e[i].kn == kn && memcmp(r->e[i].k, k, kn) == 0)
            return &r->e[i];
    return NULL;
}

static void ref_put(struct ref *r, const uint8_t *k, size_t kn, const uint8_t *v, size_t vn)
{
    struct ref_entry *e = ref_find(r, k, kn);
    if (vn == 0) {
        if (e)
            *e = r->e[--r->n];
        return;
    }
    if (!e) {
        if (r->n == r->cap) {
            r->cap = r->cap ? 2 * r->cap : 64;
            r->e = realloc(r->e, r->cap * sizeof *r->e);
            ck_assert_ptr_nonnull(r->e);
        }
        e = &r->e[r->n++];
        memcpy(e->k, k, kn);
        e->kn = kn;
    }
    memcpy(e->v, v, vn);
    e->vn = vn;
}

static int ref_cmp(const void *a, const void *b)
{
    const struct ref_entry *x = a, *y = b;
    size_t m = x->kn < y->kn ? x->kn : y->kn;
    int c = memcmp(x->k, y->k, m);
    if (c)
        return c;
    return (x->kn > y->kn) - (x->kn < y->kn);
}

/* A random key from a small alphabet with shared prefixes, so that the trie
 * gets extensions, branch values (a key that is a prefix of another) and
 * long leaves. */
static size_t random_key(uint8_t *k)
{
    static const uint8_t stems[][4] = { {0x00}, {0x12, 0x34}, {0x12, 0x35}, {0xab, 0xcd, 0xef},
                                        {0xff, 0xff} };
    size_t s = rnd() % 5, n = 0;
    size_t sl = s == 0 ? 1 : s <= 2 ? 2 : s == 3 ? 3 : 2;
    memcpy(k, stems[s], sl);
    n = sl;
    size_t extra = rnd() % 4 == 0 ? rnd() % (MAXK - sl) : rnd() % 3;
    for (size_t i = 0; i < extra; i++)
        k[n++] = (uint8_t)(rnd() % 4 == 0 ? rnd() : rnd() % 3);
    return n;
}

static size_t random_value(uint8_t *v)
{
    size_t n = rnd() % 8 == 0 ? 1 + rnd() % MAXV : 1 + rnd() % 40;
    for (size_t i = 0; i < n; i++)
        v[i] = (uint8_t)rnd();
    return n;
}

static void assert_matches(struct trie *t, const struct ref *r)
{
    for (size_t i = 0; i < r->n; i++) {
        const uint8_t *v;
        size_t vn;
        ck_assert_int_eq(trie_get(t, r->e[i].k, r->e[i].kn, &v, &vn), 0);
        ck_assert_uint_eq(vn, r->e[i].vn);
        ck_assert_mem_eq(v, r->e[i].v, vn);
    }
}

/* Root of a trie built fresh from r's contents in a shuffled order. */
static void fresh_root(const struct ref *r, unsigned flags, uint8_t root[32])
{
    size_t *ord = malloc((r->n + 1) * sizeof *ord);
    ck_assert_ptr_nonnull(ord);
    for (size_t i = 0; i < r->n; i++)
        ord[i] = i;
    for (size_t i = r->n; i > 1; i--) {
        size_t j = rnd() % i, tmp = ord[i - 1];
        ord[i - 1] = ord[j];
        ord[j] = tmp;
    }
    struct trie *t;
    ck_assert_int_eq(trie_open(NULL, NULL, flags, &t), 0);
    for (size_t i = 0; i < r->n; i++) {
        const struct ref_entry *e = &r->e[ord[i]];
        ck_assert_int_eq(trie_put(t, e->k, e->kn, e->v, e->vn), 0);
    }
    ck_assert_int_eq(trie_root_hash(t, root), 0);
    trie_free(t);
    free(ord);
}

/* Random puts and deletes (about one in four deletes a present key). */
static void random_ops(struct trie *t, struct ref *r, size_t ops)
{
    uint8_t k[MAXK], v[MAXV];
    for (size_t i = 0; i < ops; i++) {
        size_t kn, vn;
        if (r->n && rnd() % 4 == 0) {
            const struct ref_entry *e = &r->e[rnd() % r->n];
            kn = e->kn;
            memcpy(k, e->k, kn);
            vn = 0;
        } else {
            kn = random_key(k);
            vn = rnd() % 16 == 0 ? 0 : random_value(v);   /* absent deletes too */
        }
        if (vn == 0 && rnd() % 2)
            ck_assert_int_eq(trie_delete(t, k, kn), 0);
        else
            ck_assert_int_eq(trie_put(t, k, kn, v, vn), 0);
        ref_put(r, k, kn, v, vn);
        if (i % 97 == 0) {                /* interleave hashing with updates */
            uint8_t root[32];
            ck_assert_int_eq(trie_root_hash(t, root), 0);
        }
    }
}

/* ---- tests ---------------------------------------------------------------- */

START_TEST(empty_trie_root)
{
    uint8_t h[32], root[32];
    keccak256((const uint8_t *)"\x80", 1, h);
    ck_assert_mem_eq(h, TRIE_EMPTY_ROOT, 32);
    struct trie *t;
    ck_assert_int_eq(trie_open(NULL, NULL, 0, &t), 0);
    ck_assert_int_eq(trie_root_hash(t, root), 0);
    ck_assert_mem_eq(root, TRIE_EMPTY_ROOT, 32);
    const uint8_t *v = (const uint8_t *)"x";
    size_t vn = 7;
    ck_assert_int_eq(trie_get(t, (const uint8_t *)"a", 1, &v, &vn), 0);
    ck_assert_ptr_null(v);
    ck_assert_uint_eq(vn, 0);
    trie_free(t);
}
END_TEST

START_TEST(known_root)
{
    /* geth trie_test.go TestInsert: doe, dog, dogglesworth. */
    struct trie *t;
    uint8_t root[32], want[32];
    ck_assert_int_eq(trie_open(NULL, NULL, 0, &t), 0);
    ck_assert_int_eq(trie_put(t, (const uint8_t *)"doe", 3, (const uint8_t *)"reindeer", 8), 0);
    ck_assert_int_eq(trie_put(t, (const uint8_t *)"dog", 3, (const uint8_t *)"puppy", 5), 0);
    ck_assert_int_eq(trie_put(t, (const uint8_t *)"dogglesworth", 12, (const uint8_t *)"cat", 3), 0);
    ck_assert_int_eq(hex_decode_exact("8aad789dff2f538bca5d8ea56e8abe10f4c7ba3a5dea95fea4cd6e7c3a1168d3",
                                      64, want, 32), 0);
    ck_assert_int_eq(trie_root_hash(t, root), 0);
    ck_assert_mem_eq(root, want, 32);
    /* A single short pair: the root node (leaf "a" -> "b", RLP c4 82 20 61
     * 62, under 32 bytes) is still hashed for the root. */
    trie_free(t);
    ck_assert_int_eq(trie_open(NULL, NULL, 0, &t), 0);
    ck_assert_int_eq(trie_put(t, (const uint8_t *)"a", 1, (const uint8_t *)"b", 1), 0);
    static const uint8_t leaf[] = { 0xc4, 0x82, 0x20, 0x61, 0x62 };
    keccak256(leaf, sizeof leaf, want);
    ck_assert_int_eq(trie_root_hash(t, root), 0);
    ck_assert_mem_eq(root, want, 32);
    trie_free(t);
}
END_TEST

START_TEST(random_ops_match_reference)
{
    for (unsigned flags = 0; flags <= TRIE_SECURE; flags += TRIE_SECURE) {
        rng_state = 42 + flags;
        struct ref r = {0};
        struct trie *t;
        ck_assert_int_eq(trie_open(NULL, NULL, flags, &t), 0);
        random_ops(t, &r, 4000);
        assert_matches(t, &r);
        uint8_t root[32], fresh[32];
        ck_assert_int_eq(trie_root_hash(t, root), 0);
        fresh_root(&r, flags, fresh);
        ck_assert_mem_eq(root, fresh, 32);
        ck_assert_uint_gt(r.n, 100);

        /* Deleting everything (in random order) gives the empty root and
         * frees every node. */
        while (r.n) {
            struct ref_entry e = r.e[rnd() % r.n];
            ck_assert_int_eq(trie_delete(t, e.k, e.kn), 0);
            ref_put(&r, e.k, e.kn, NULL, 0);
            if (r.n % 50 == 0) {
                ck_assert_int_eq(trie_root_hash(t, root), 0);
                fresh_root(&r, flags, fresh);
                ck_assert_mem_eq(root, fresh, 32);
            }
        }
        ck_assert_int_eq(trie_root_hash(t, root), 0);
        ck_assert_mem_eq(root, TRIE_EMPTY_ROOT, 32);
        ck_assert_uint_eq(trie_node_count(t), 0);
        trie_free(t);
        free(r.e);
    }
}
END_TEST

START_TEST(secure_trie_hashes_keys)
{
    rng_state = 7;
    struct trie *sec, *plain;
    ck_assert_int_eq(trie_open(NULL, NULL, TRIE_SECURE, &sec), 0);
    ck_assert_int_eq(trie_open(NULL, NULL, 0, &plain), 0);
    for (int i = 0; i < 300; i++) {
        uint8_t k[MAXK], v[MAXV], h[32];
        size_t kn = random_key(k), vn = random_value(v);
        keccak256(k, kn, h);
        ck_assert_int_eq(trie_put(sec, k, kn, v, vn), 0);
        ck_assert_int_eq(trie_put(plain, h, 32, v, vn), 0);
    }
    uint8_t a[32], b[32];
    ck_assert_int_eq(trie_root_hash(sec, a), 0);
    ck_assert_int_eq(trie_root_hash(plain, b), 0);
    ck_assert_mem_eq(a, b, 32);
    trie_free(sec);
    trie_free(plain);
}
END_TEST

START_TEST(commit_and_reopen)
{
    rng_state = 1234;
    struct trie_memstore *ms = trie_memstore_new();
    ck_assert_ptr_nonnull(ms);
    struct trie_store st = trie_memstore_store(ms);
    struct ref r = {0};
    struct trie *t, *t2;
    uint8_t root[32], root2[32], again[32];
    ck_assert_int_eq(trie_open(&st, NULL, 0, &t), 0);
    random_ops(t, &r, 2000);
    ck_assert_int_eq(trie_commit(t, root), 0);
    size_t stored = trie_memstore_count(ms);
    ck_assert_uint_gt(stored, 10);
    /* Nothing changed: a second commit writes nothing new. */
    ck_assert_int_eq(trie_commit(t, again), 0);
    ck_assert_mem_eq(root, again, 32);
    ck_assert_uint_eq(trie_memstore_count(ms), stored);

    /* A new trie from the root alone reads everything back, lazily. */
    ck_assert_int_eq(trie_open(&st, root, 0, &t2), 0);
    ck_assert_uint_eq(trie_node_count(t2), 1);
    ck_assert_int_eq(trie_root_hash(t2, again), 0);
    ck_assert_mem_eq(root, again, 32);
    assert_matches(t2, &r);

    /* The same further updates on the original and on the reopened trie
     * (which must load what they touch) give the same root, and that root
     * reopens too. */
    uint64_t save = rng_state;
    struct ref r2 = {0};
    r2.e = malloc(r.cap * sizeof *r.e);
    ck_assert_ptr_nonnull(r2.e);
    memcpy(r2.e, r.e, r.n * sizeof *r.e);
    r2.n = r.n;
    r2.cap = r.cap;
    random_ops(t, &r, 1000);
    rng_state = save;
    struct trie *t3;
    ck_assert_int_eq(trie_open(&st, root, 0, &t3), 0);   /* fully cold */
    random_ops(t3, &r2, 1000);
    ck_assert_int_eq(trie_root_hash(t, root2), 0);
    ck_assert_int_eq(trie_commit(t3, again), 0);
    ck_assert_mem_eq(root2, again, 32);
    trie_free(t2);
    ck_assert_int_eq(trie_open(&st, root2, 0, &t2), 0);
    assert_matches(t2, &r);

    /* The old root is still readable (nodes are never overwritten). */
    trie_free(t2);
    ck_assert_int_eq(trie_open(&st, root, 0, &t2), 0);
    ck_assert_int_eq(trie_root_hash(t2, again), 0);
    ck_assert_mem_eq(root, again, 32);

    /* Without a store: commit is refused, a non-empty root cannot open. */
    struct trie *mem;
    ck_assert_int_eq(trie_open(NULL, NULL, 0, &mem), 0);
    ck_assert_int_eq(trie_commit(mem, again), ERR_BADSTATE);
    trie_free(mem);
    ck_assert_int_eq(trie_open(NULL, root, 0, &mem), ERR_INVAL);
    ck_assert_int_eq(trie_open(&st, NULL, 8, &mem), ERR_INVAL);

    trie_free(t);
    trie_free(t2);
    trie_free(t3);
    free(r.e);
    free(r2.e);
    trie_memstore_free(ms);
}
END_TEST

static int verify(const uint8_t root[32], const uint8_t *k, size_t kn, const struct trie_proof *p,
                  bool *found, const uint8_t **v, size_t *vn)
{
    return trie_verify_proof(root, k, kn, (const uint8_t *const *)p->node, p->len, p->count,
                             found, v, vn);
}

START_TEST(proofs_verify)
{
    rng_state = 99;
    struct ref r = {0};
    struct trie *t;
    struct trie_proof p = {0};
    uint8_t root[32];
    ck_assert_int_eq(trie_open(NULL, NULL, 0, &t), 0);

    /* The empty trie: an empty proof proves absence. */
    ck_assert_int_eq(trie_prove(t, (const uint8_t *)"k", 1, &p), 0);
    ck_assert_uint_eq(p.count, 0);
    bool found = true;
    const uint8_t *v;
    size_t vn;
    ck_assert_int_eq(verify(TRIE_EMPTY_ROOT, (const uint8_t *)"k", 1, &p, &found, &v, &vn), 0);
    ck_assert(!found);

    random_ops(t, &r, 1500);
    ck_assert_int_eq(trie_root_hash(t, root), 0);
    for (size_t i = 0; i < r.n; i++) {
        const struct ref_entry *e = &r.e[i];
        ck_assert_int_eq(trie_prove(t, e->k, e->kn, &p), 0);
        ck_assert_uint_ge(p.count, 1);
        ck_assert_int_eq(verify(root, e->k, e->kn, &p, &found, &v, &vn), 0);
        ck_assert(found);
        ck_assert_uint_eq(vn, e->vn);
        ck_assert_mem_eq(v, e->v, vn);
    }
    /* Absent keys: proven absent. */
    int absent = 0;
    for (int i = 0; i < 500; i++) {
        uint8_t k[MAXK];
        size_t kn = random_key(k);
        if (ref_find(&r, k, kn))
            continue;
        absent++;
        ck_assert_int_eq(trie_prove(t, k, kn, &p), 0);
        found = true;
        ck_assert_int_eq(verify(root, k, kn, &p, &found, &v, &vn), 0);
        ck_assert(!found);
        ck_assert_ptr_null(v);
    }
    ck_assert_int_gt(absent, 50);
    trie_proof_free(&p);
    trie_free(t);
    free(r.e);
}
END_TEST

START_TEST(tampered_proofs_rejected)
{
    rng_state = 5;
    struct trie *t;
    struct trie_proof p = {0};
    uint8_t root[32], k[32], val[32];
    ck_assert_int_eq(trie_open(NULL, NULL, 0, &t), 0);
    for (int i = 0; i < 2000; i++) {
        for (int j = 0; j < 32; j++) {
            k[j] = (uint8_t)rnd();
            val[j] = (uint8_t)rnd();
        }
        ck_assert_int_eq(trie_put(t, k, 32, val, 32), 0);
    }
    /* k is the last key put: present. */
    ck_assert_int_eq(trie_root_hash(t, root), 0);
    ck_assert_int_eq(trie_prove(t, k, 32, &p), 0);
    ck_assert_uint_ge(p.count, 3);
    bool found;
    const uint8_t *v;
    size_t vn;
    ck_assert_int_eq(verify(root, k, 32, &p, &found, &v, &vn), 0);
    ck_assert(found);

    /* Every single flipped bit in every node is caught. */
    for (size_t i = 0; i < p.count; i++) {
        for (size_t b = 0; b < p.len[i]; b++) {
            p.node[i][b] ^= 0x01;
            ck_assert_int_eq(verify(root, k, 32, &p, &found, &v, &vn), ERR_INVAL);
            ck_assert(!found);
            p.node[i][b] ^= 0x01;
        }
    }
    /* A missing node (each in turn). */
    struct trie_proof q = {0};
    q.node = malloc(p.count * sizeof *q.node);
    q.len = malloc(p.count * sizeof *q.len);
    ck_assert(q.node && q.len);
    for (size_t skip = 0; skip < p.count; skip++) {
        q.count = 0;
        for (size_t i = 0; i < p.count; i++)
            if (i != skip) {
                q.node[q.count] = p.node[i];
                q.len[q.count++] = p.len[i];
            }
        ck_assert_int_eq(verify(root, k, 32, &q, &found, &v, &vn), ERR_INVAL);
    }
    free(q.node);
    free(q.len);
    /* An extra node at the end (a copy of the root), and a reordered proof. */
    struct trie_proof x = {0};
    x.node = malloc((p.count + 1) * sizeof *x.node);
    x.len = malloc((p.count + 1) * sizeof *x.len);
    ck_assert(x.node && x.len);
    memcpy(x.node, p.node, p.count * sizeof *x.node);
    memcpy(x.len, p.len, p.count * sizeof *x.len);
    x.node[p.count] = p.node[0];
    x.len[p.count] = p.len[0];
    x.count = p.count + 1;
    ck_assert_int_eq(verify(root, k, 32, &x, &found, &v, &vn), ERR_INVAL);
    x.node[0] = p.node[1];
    x.node[1] = p.node[0];
    x.len[0] = p.len[1];
    x.len[1] = p.len[0];
    x.count = p.count;
    ck_assert_int_eq(verify(root, k, 32, &x, &found, &v, &vn), ERR_INVAL);
    free(x.node);
    free(x.len);
    /* A wrong root. */
    uint8_t bad[32];
    memcpy(bad, root, 32);
    bad[31] ^= 0x80;
    ck_assert_int_eq(verify(bad, k, 32, &p, &found, &v, &vn), ERR_INVAL);
    ck_assert_int_eq(verify(TRIE_EMPTY_ROOT, k, 32, &p, &found, &v, &vn), ERR_INVAL);
    /* The proof of one key does not prove another key's value. */
    uint8_t other[32];
    memcpy(other, k, 32);
    other[31] ^= 0x01;
    int rc = verify(root, other, 32, &p, &found, &v, &vn);
    ck_assert(rc == ERR_INVAL || (rc == 0 && !found));
    /* Limits. */
    ck_assert_int_eq(trie_verify_proof(root, k, 32, (const uint8_t *const *)p.node, p.len,
                                       TRIE_MAX_PROOF_NODES + 1, &found, &v, &vn), ERR_RANGE);
    trie_proof_free(&p);
    trie_free(t);
}
END_TEST

/* Builds a committed trie of n random 32-byte keys; returns the keys. */
static uint8_t *committed_trie(struct trie_store *st, size_t n, uint8_t root[32])
{
    uint8_t *keys = malloc(n * 32);
    ck_assert_ptr_nonnull(keys);
    struct trie *t;
    ck_assert_int_eq(trie_open(st, NULL, 0, &t), 0);
    for (size_t i = 0; i < n * 32; i++)
        keys[i] = (uint8_t)rnd();
    for (size_t i = 0; i < n; i++)
        ck_assert_int_eq(trie_put(t, keys + 32 * i, 32, keys + 32 * i, 32), 0);
    ck_assert_int_eq(trie_commit(t, root), 0);
    trie_free(t);
    return keys;
}

START_TEST(missing_node_is_notfound)
{
    rng_state = 77;
    struct trie_memstore *ms = trie_memstore_new();
    struct trie_store st = trie_memstore_store(ms);
    uint8_t root[32], before[32], after[32], h[32];
    uint8_t *keys = committed_trie(&st, 500, root);
    struct trie *t;
    struct trie_proof p = {0};
    ck_assert_int_eq(trie_open(&st, root, 0, &t), 0);
    ck_assert_int_eq(trie_prove(t, keys, 32, &p), 0);
    ck_assert_uint_ge(p.count, 2);
    trie_free(t);
    /* Remove the second node on the path of key 0. */
    keccak256(p.node[1], p.len[1], h);
    ck_assert(trie_memstore_remove(ms, h));

    ck_assert_int_eq(trie_open(&st, root, 0, &t), 0);
    const uint8_t *v;
    size_t vn;
    ck_assert_int_eq(trie_get(t, keys, 32, &v, &vn), ERR_NOTFOUND);
    char hx[65];
    hex_encode(hx, h, 32);
    ck_assert_ptr_nonnull(strstr(err_msg(), hx));
    /* Updates through the missing node fail and change nothing. */
    ck_assert_int_eq(trie_root_hash(t, before), 0);
    uint8_t k2[32];
    memcpy(k2, keys, 32);
    k2[31] ^= 1;
    ck_assert_int_eq(trie_put(t, k2, 32, k2, 32), ERR_NOTFOUND);
    ck_assert_int_eq(trie_delete(t, keys, 32), ERR_NOTFOUND);
    ck_assert_int_eq(trie_prove(t, keys, 32, &p), ERR_NOTFOUND);
    ck_assert_uint_eq(p.count, 0);
    ck_assert_int_eq(trie_root_hash(t, after), 0);
    ck_assert_mem_eq(before, after, 32);
    /* Iteration over the whole trie reaches it too. */
    struct trie_iter it;
    trie_iter_init(&it, t);
    int rc = trie_iter_first(&it);
    size_t seen = 0;
    while (rc == 0 && it.valid) {
        seen++;
        rc = trie_iter_next(&it);
    }
    ck_assert_int_eq(rc, ERR_NOTFOUND);
    ck_assert_uint_lt(seen, 500);
    /* Other keys still read fine. */
    size_t ok = 0;
    for (size_t i = 1; i < 500; i++)
        if (trie_get(t, keys + 32 * i, 32, &v, &vn) == 0) {
            ck_assert_uint_eq(vn, 32);
            ck_assert_mem_eq(v, keys + 32 * i, 32);
            ok++;
        }
    ck_assert_uint_gt(ok, 400);
    trie_free(t);

    /* A corrupt node under the right hash: ERR_DECODE, not a crash. */
    uint8_t garbage[40];
    memset(garbage, 0xc1, sizeof garbage);
    ck_assert_int_eq(st.put(st.ctx, h, garbage, sizeof garbage), 0);
    ck_assert_int_eq(trie_open(&st, root, 0, &t), 0);
    ck_assert_int_eq(trie_get(t, keys, 32, &v, &vn), ERR_DECODE);
    trie_free(t);
    /* A missing root. */
    uint8_t nowhere[32];
    memset(nowhere, 0x11, 32);
    ck_assert_int_eq(trie_open(&st, nowhere, 0, &t), 0);
    ck_assert_int_eq(trie_get(t, keys, 32, &v, &vn), ERR_NOTFOUND);
    ck_assert_int_eq(trie_put(t, keys, 32, keys, 32), ERR_NOTFOUND);
    trie_free(t);
    trie_proof_free(&p);
    free(keys);
    trie_memstore_free(ms);
}
END_TEST

/* Stores raw under its hash in ms and opens a trie on it. */
static struct trie *trie_on_node(struct trie_memstore *ms, const char *hexnode)
{
    uint8_t raw[512], h[32];
    size_t n;
    ck_assert_int_eq(hex_decode(hexnode, strlen(hexnode), raw, sizeof raw, &n), 0);
    keccak256(raw, n, h);
    struct trie_store st = trie_memstore_store(ms);
    ck_assert_int_eq(st.put(st.ctx, h, raw, n), 0);
    struct trie *t;
    ck_assert_int_eq(trie_open(&st, h, 0, &t), 0);
    return t;
}

START_TEST(malformed_nodes_rejected)
{
    static const char *bad[] = {
        "c0",                   /* empty list */
        "c3808080",             /* 3 items */
        "c28080",               /* leaf/ext with empty path */
        "c24061",               /* hex-prefix flag 4 */
        "c20561",               /* even flag with non-zero padding */
        "c22080",               /* leaf with an empty value */
        "c23161",               /* leaf key of odd length (1 nibble) */
        "c20080",               /* extension with empty path */
        "c6820012c22061",       /* extension over an embedded leaf */
        "d1808080808080808080808080808080" "8001", /* branch of one entry */
        "d2808080808080808080808080808080" "808101", /* non-canonical value */
        "c420c26161",           /* leaf value is a list */
        "c6822061820a",         /* truncated */
        "c3a0",                 /* truncated hash reference */
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct trie_memstore *ms = trie_memstore_new();
        struct trie *t = trie_on_node(ms, bad[i]);
        const uint8_t *v;
        size_t vn;
        int rc = trie_get(t, (const uint8_t *)"a", 1, &v, &vn);
        ck_assert_msg(rc == ERR_DECODE, "node %s: rc %d", bad[i], rc);
        trie_free(t);
        trie_memstore_free(ms);
    }
    /* A well-formed one for contrast: leaf "a" -> "b" (hp 0x2061). */
    struct trie_memstore *ms = trie_memstore_new();
    struct trie *t = trie_on_node(ms, "c482206162");
    const uint8_t *v;
    size_t vn;
    ck_assert_int_eq(trie_get(t, (const uint8_t *)"a", 1, &v, &vn), 0);
    ck_assert_uint_eq(vn, 1);
    ck_assert_int_eq(v[0], 'b');
    trie_free(t);
    trie_memstore_free(ms);
}
END_TEST

START_TEST(iterates_in_order)
{
    rng_state = 2024;
    struct ref r = {0};
    struct trie *t;
    ck_assert_int_eq(trie_open(NULL, NULL, 0, &t), 0);
    random_ops(t, &r, 1500);
    qsort(r.e, r.n, sizeof *r.e, ref_cmp);
    struct trie_iter it;
    trie_iter_init(&it, t);
    size_t i = 0;
    int rc;
    for (rc = trie_iter_first(&it); rc == 0 && it.valid; rc = trie_iter_next(&it), i++) {
        ck_assert_uint_lt(i, r.n);
        ck_assert_uint_eq(it.klen, r.e[i].kn);
        ck_assert_mem_eq(it.key, r.e[i].k, it.klen);
        ck_assert_uint_eq(it.vlen, r.e[i].vn);
        ck_assert_mem_eq(it.val, r.e[i].v, it.vlen);
    }
    ck_assert_int_eq(rc, 0);
    ck_assert_uint_eq(i, r.n);
    /* Backwards. */
    for (rc = trie_iter_last(&it); rc == 0 && it.valid; rc = trie_iter_prev(&it)) {
        ck_assert_uint_gt(i, 0);
        i--;
        ck_assert_uint_eq(it.klen, r.e[i].kn);
        ck_assert_mem_eq(it.key, r.e[i].k, it.klen);
    }
    ck_assert_int_eq(rc, 0);
    ck_assert_uint_eq(i, 0);
    /* Seeks on random probes agree with a search of the sorted list. */
    for (int n = 0; n < 500; n++) {
        struct ref_entry probe;
        probe.kn = random_key(probe.k);
        size_t lo = 0;
        while (lo < r.n && ref_cmp(&r.e[lo], &probe) < 0)
            lo++;
        ck_assert_int_eq(trie_iter_seek(&it, probe.k, probe.kn), 0);
        ck_assert(it.valid == (lo < r.n));
        if (it.valid) {
            ck_assert_uint_eq(it.klen, r.e[lo].kn);
            ck_assert_mem_eq(it.key, r.e[lo].k, it.klen);
        }
        ck_assert_int_eq(trie_iter_seek_before(&it, probe.k, probe.kn), 0);
        ck_assert(it.valid == (lo > 0));
        if (it.valid) {
            ck_assert_uint_eq(it.klen, r.e[lo - 1].kn);
            ck_assert_mem_eq(it.key, r.e[lo - 1].k, it.klen);
        }
    }
    /* An unpositioned iterator refuses to move; an empty trie has no keys. */
    it.valid = false;
    ck_assert_int_eq(trie_iter_next(&it), ERR_BADSTATE);
    trie_free(t);
    free(r.e);
    ck_assert_int_eq(trie_open(NULL, NULL, 0, &t), 0);
    trie_iter_init(&it, t);
    ck_assert_int_eq(trie_iter_first(&it), 0);
    ck_assert(!it.valid);
    ck_assert_int_eq(trie_iter_last(&it), 0);
    ck_assert(!it.valid);
    trie_free(t);
}
END_TEST

START_TEST(limits)
{
    struct trie *t;
    uint8_t big[TRIE_MAX_KEY_LEN + 1];
    memset(big, 0x5a, sizeof big);
    const uint8_t *v;
    size_t vn;
    ck_assert_int_eq(trie_open(NULL, NULL, 0, &t), 0);
    ck_assert_int_eq(trie_put(t, big, sizeof big, big, 1), ERR_RANGE);
    ck_assert_int_eq(trie_get(t, big, sizeof big, &v, &vn), ERR_RANGE);
    ck_assert_int_eq(trie_delete(t, big, sizeof big), ERR_RANGE);
    /* The longest key works, and a long value (out of line) too. */
    size_t vlen = 100000;
    uint8_t *val = malloc(vlen);
    ck_assert_ptr_nonnull(val);
    memset(val, 0xee, vlen);
    ck_assert_int_eq(trie_put(t, big, TRIE_MAX_KEY_LEN, val, vlen), 0);
    big[0] = 0;
    ck_assert_int_eq(trie_put(t, big, TRIE_MAX_KEY_LEN, val, 3), 0);
    ck_assert_int_eq(trie_get(t, big, TRIE_MAX_KEY_LEN, &v, &vn), 0);
    ck_assert_uint_eq(vn, 3);
    big[0] = 0x5a;
    ck_assert_int_eq(trie_get(t, big, TRIE_MAX_KEY_LEN, &v, &vn), 0);
    ck_assert_uint_eq(vn, vlen);
    ck_assert_mem_eq(v, val, vlen);
    /* A secure trie takes keys of any length (they are hashed). */
    struct trie *s;
    ck_assert_int_eq(trie_open(NULL, NULL, TRIE_SECURE, &s), 0);
    ck_assert_int_eq(trie_put(s, big, sizeof big, big, 1), 0);
    trie_free(s);
    free(val);
    trie_free(t);
}
END_TEST

/* The remembered secure-key hashes are always keccak256 of the key asked
 * for: repeats, keys sharing a slot, keys that are prefixes of each other,
 * lengths the table does not keep. */
START_TEST(secure_key_hash_is_keccak)
{
    uint8_t key[40], want[32], got[32];
    for (int round = 0; round < 3; round++) {
        for (unsigned i = 0; i < 4 * SECURE_KEY_SLOTS; i++) {
            memset(key, 0, sizeof key);
            key[31] = (uint8_t)i;
            key[30] = (uint8_t)(i >> 8);
            size_t klen = 1 + i % 40;       /* 1..40: above 32 is not kept */
            keccak256(key + 32 - (klen < 32 ? klen : 32), klen, want);
            secure_key_hash(key + 32 - (klen < 32 ? klen : 32), klen, got);
            ck_assert_msg(memcmp(want, got, 32) == 0, "key %u, %zu bytes", i, klen);
        }
    }
    /* "ab" then "ab\0": same first bytes, different keys */
    uint8_t ab[3] = {'a', 'b', 0};
    secure_key_hash(ab, 2, got);
    keccak256(ab, 2, want);
    ck_assert(memcmp(want, got, 32) == 0);
    secure_key_hash(ab, 3, got);
    keccak256(ab, 3, want);
    ck_assert(memcmp(want, got, 32) == 0);
    secure_key_hash(ab, 0, got);
    keccak256(ab, 0, want);
    ck_assert(memcmp(want, got, 32) == 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("trie");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, empty_trie_root);
    tcase_add_test(tc, known_root);
    tcase_add_test(tc, random_ops_match_reference);
    tcase_add_test(tc, secure_trie_hashes_keys);
    tcase_add_test(tc, commit_and_reopen);
    tcase_add_test(tc, proofs_verify);
    tcase_add_test(tc, tampered_proofs_rejected);
    tcase_add_test(tc, missing_node_is_notfound);
    tcase_add_test(tc, malformed_nodes_rejected);
    tcase_add_test(tc, iterates_in_order);
    tcase_add_test(tc, limits);
    tcase_add_test(tc, secure_key_hash_is_keccak);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
