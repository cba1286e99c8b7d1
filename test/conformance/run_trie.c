/*
 * run_trie.c — conformance runner over ethereum-tests/TrieTests.
 *
 * trietest*.json give an ordered list of [key, value] updates (null value =
 * delete), trieanyorder*.json an object of key: value, hex_encoded_securetrie
 * the same with hex everywhere; a name ending in _secureTrie (and the hex
 * file) means the secure trie. Each case must reach its "root". Beyond the
 * root, every case also commits to an in-memory store, reopens the trie
 * from the root alone and checks that every final key reads back and proves
 * (prove + verify), so the fixtures exercise loading and proofs too.
 * trietestnextprev.json checks ordered iteration: for each probe key the
 * previous and next existing keys.
 *
 * Keys and values that start with "0x" are hex, others raw strings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "crypto/keccak.h"
#include "trie/trie.h"
#include "util/err.h"
#include "util/hex.h"

static struct tally tally;

/* A decoded key or value. */
struct blob {
    uint8_t *p;
    size_t n;
};

static int decode_str(const json_t *j, struct blob *b)
{
    b->p = NULL;
    b->n = 0;
    if (json_is_null(j))
        return 0;
    if (!json_is_string(j))
        return -1;
    const char *s = json_string_value(j);
    size_t n = json_string_length(j);
    if (n >= 2 && s[0] == '0' && s[1] == 'x')
        return fixtures_hex(s, &b->p, &b->n);
    if (n) {
        b->p = malloc(n);
        if (!b->p)
            return -1;
        memcpy(b->p, s, n);
        b->n = n;
    }
    return 0;
}

/* The final contents, for the read-back checks (small fixtures: a list). */
struct entry {
    struct blob k, v;
};

struct contents {
    struct entry *e;
    size_t n;
};

static void contents_set(struct contents *c, struct blob k, struct blob v)
{
    for (size_t i = 0; i < c->n; i++) {
        if (c->e[i].k.n == k.n && (k.n == 0 || memcmp(c->e[i].k.p, k.p, k.n) == 0)) {
            free(c->e[i].k.p);
            free(c->e[i].v.p);
            c->e[i].k = k;
            c->e[i].v = v;
            return;
        }
    }
    struct entry *ne = realloc(c->e, (c->n + 1) * sizeof *ne);
    if (!ne) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    c->e = ne;
    c->e[c->n].k = k;
    c->e[c->n].v = v;
    c->n++;
}

static void contents_free(struct contents *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->e[i].k.p);
        free(c->e[i].v.p);
    }
    free(c->e);
}

/* Checks that the trie reopened from `root` holds exactly c, with proofs. */
static int check_reopened(const char *where, struct trie_memstore *ms, const uint8_t root[32],
                          unsigned flags, const struct contents *c)
{
    struct trie_store st = trie_memstore_store(ms);
    struct trie *t = NULL;
    struct trie_proof proof = {0};
    int ok = -1;
    if (trie_open(&st, root, flags, &t) != 0) {
        tally_fail(&tally, where, "reopen: %s", err_msg());
        return -1;
    }
    for (size_t i = 0; i < c->n; i++) {
        const struct entry *e = &c->e[i];
        const uint8_t *v;
        size_t vn;
        if (trie_get(t, e->k.p, e->k.n, &v, &vn) != 0) {
            tally_fail(&tally, where, "get after reopen: %s", err_msg());
            goto out;
        }
        if (vn != e->v.n || (vn && memcmp(v, e->v.p, vn) != 0)) {
            tally_fail(&tally, where, "key %zu reads back wrong after reopen", i);
            goto out;
        }
        if (trie_prove(t, e->k.p, e->k.n, &proof) != 0) {
            tally_fail(&tally, where, "prove: %s", err_msg());
            goto out;
        }
        uint8_t path[32];
        const uint8_t *pk = e->k.p;
        size_t pkn = e->k.n;
        if (flags & TRIE_SECURE) {
            keccak256(e->k.p, e->k.n, path);
            pk = path;
            pkn = 32;
        }
        bool found;
        if (trie_verify_proof(root, pk, pkn, (const uint8_t *const *)proof.node, proof.len,
                              proof.count, &found, &v, &vn) != 0) {
            tally_fail(&tally, where, "verify proof of key %zu: %s", i, err_msg());
            goto out;
        }
        if (found != (e->v.n > 0) || vn != e->v.n || (vn && memcmp(v, e->v.p, vn) != 0)) {
            tally_fail(&tally, where, "proof of key %zu proves the wrong value", i);
            goto out;
        }
    }
    ok = 0;
out:
    trie_proof_free(&proof);
    trie_free(t);
    return ok;
}

/* Runs one root test: updates from `in` (array of pairs or object). */
static void run_root_case(const char *where, const json_t *tc, unsigned flags)
{
    const json_t *in = json_object_get(tc, "in");
    const json_t *jroot = json_object_get(tc, "root");
    uint8_t want[32], got[32];
    if (!json_is_string(jroot) ||
        hex_decode_exact(json_string_value(jroot), json_string_length(jroot), want, 32) != 0) {
        tally_fail(&tally, where, "fixture has no valid root");
        return;
    }
    struct trie_memstore *ms = trie_memstore_new();
    struct trie_store st = trie_memstore_store(ms);
    struct trie *t = NULL;
    struct contents c = {0};
    if (!ms || trie_open(&st, NULL, flags, &t) != 0) {
        tally_fail(&tally, where, "open: %s", err_msg());
        goto out;
    }
    size_t count = json_is_array(in) ? json_array_size(in) : json_object_size(in);
    void *oit = json_is_object(in) ? json_object_iter((json_t *)in) : NULL;
    if (!json_is_array(in) && !json_is_object(in)) {
        tally_fail(&tally, where, "fixture \"in\" is neither list nor object");
        goto out;
    }
    for (size_t i = 0; i < count; i++) {
        struct blob k, v;
        int rk, rv;
        if (json_is_array(in)) {
            const json_t *pair = json_array_get(in, i);
            rk = decode_str(json_array_get(pair, 0), &k);
            rv = decode_str(json_array_get(pair, 1), &v);
        } else {
            json_t *jk = json_string(json_object_iter_key(oit));
            rk = decode_str(jk, &k);
            json_decref(jk);
            rv = decode_str(json_object_iter_value(oit), &v);
            oit = json_object_iter_next((json_t *)in, oit);
        }
        if (rk || rv) {
            tally_fail(&tally, where, "bad key or value in update %zu", i);
            free(k.p);
            free(v.p);
            goto out;
        }
        if (trie_put(t, k.p, k.n, v.p, v.n) != 0) {
            tally_fail(&tally, where, "put %zu: %s", i, err_msg());
            free(k.p);
            free(v.p);
            goto out;
        }
        contents_set(&c, k, v);
    }
    if (trie_commit(t, got) != 0) {
        tally_fail(&tally, where, "commit: %s", err_msg());
        goto out;
    }
    if (memcmp(got, want, 32) != 0) {
        char a[65], b[65];
        hex_encode(a, got, 32);
        hex_encode(b, want, 32);
        tally_fail(&tally, where, "root %s, want %s", a, b);
        goto out;
    }
    if (check_reopened(where, ms, got, flags, &c) == 0)
        tally_pass(&tally);
out:
    contents_free(&c);
    trie_free(t);
    trie_memstore_free(ms);
}

static void run_nextprev(const char *where, const json_t *tc)
{
    const json_t *in = json_object_get(tc, "in");
    const json_t *tests = json_object_get(tc, "tests");
    struct trie *t = NULL;
    if (!json_is_array(in) || !json_is_array(tests) || trie_open(NULL, NULL, 0, &t) != 0) {
        tally_fail(&tally, where, "bad fixture or open failed");
        return;
    }
    for (size_t i = 0; i < json_array_size(in); i++) {
        struct blob k;
        if (decode_str(json_array_get(in, i), &k) != 0 || trie_put(t, k.p, k.n, k.p, k.n) != 0) {
            tally_fail(&tally, where, "insert %zu failed", i);
            free(k.p);
            trie_free(t);
            return;
        }
        free(k.p);
    }
    struct trie_iter it;
    trie_iter_init(&it, t);
    for (size_t i = 0; i < json_array_size(tests); i++) {
        const json_t *row = json_array_get(tests, i);
        const char *probe = json_string_value(json_array_get(row, 0));
        const char *prev = json_string_value(json_array_get(row, 1));
        const char *next = json_string_value(json_array_get(row, 2));
        char w[256];
        snprintf(w, sizeof w, "%.200s[%.40s]", where, probe ? probe : "?");
        if (!probe || !prev || !next) {
            tally_fail(&tally, w, "bad row");
            continue;
        }
        size_t pn = strlen(probe);
        /* previous: greatest key < probe; next: smallest key > probe */
        int rc = trie_iter_seek_before(&it, (const uint8_t *)probe, pn);
        char gotprev[TRIE_MAX_KEY_LEN + 1] = "", gotnext[TRIE_MAX_KEY_LEN + 1] = "";
        if (rc == 0 && it.valid) {
            memcpy(gotprev, it.key, it.klen);
            gotprev[it.klen] = 0;
        }
        if (rc == 0)
            rc = trie_iter_seek(&it, (const uint8_t *)probe, pn);
        if (rc == 0 && it.valid && it.klen == pn && memcmp(it.key, probe, pn) == 0)
            rc = trie_iter_next(&it);
        if (rc == 0 && it.valid) {
            memcpy(gotnext, it.key, it.klen);
            gotnext[it.klen] = 0;
        }
        if (rc != 0)
            tally_fail(&tally, w, "iterator: %s", err_msg());
        else if (strcmp(gotprev, prev) != 0 || strcmp(gotnext, next) != 0)
            tally_fail(&tally, w, "prev \"%s\" next \"%s\", want \"%s\" \"%s\"", gotprev,
                       gotnext, prev, next);
        else
            tally_pass(&tally);
    }
    trie_free(t);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static void run_file(const char *path, void *arg)
{
    (void)arg;
    json_t *j = fixtures_load(path);
    if (!j) {
        tally_fail(&tally, path, "cannot load");
        return;
    }
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    bool nextprev = strcmp(base, "trietestnextprev.json") == 0;
    bool secure = ends_with(base, "_secureTrie.json") || strstr(base, "securetrie") != NULL;
    const char *name;
    json_t *tc;
    json_object_foreach(j, name, tc) {
        char where[512];
        snprintf(where, sizeof where, "%s/%s", base, name);
        if (nextprev)
            run_nextprev(where, tc);
        else
            run_root_case(where, tc, secure ? TRIE_SECURE : 0);
    }
    json_decref(j);
}

int main(void)
{
    char *dir = fixtures_path("ethereum-tests/TrieTests");
    size_t files = fixtures_walk(dir, run_file, NULL);
    if (files == 0)
        tally_fail(&tally, dir, "no fixture files");
    free(dir);
    return tally_finish(&tally);
}
