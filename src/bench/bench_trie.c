/*
 * bench_trie.c — trie benchmarks: building and hashing a 100k-key trie
 * (plain and secure), committing it to LevelDB in one batch, and lookups.
 *
 * Keys and values are 32 pseudo-random bytes from a fixed-seed generator, so
 * runs are comparable. The LevelDB cases use a fresh directory under $TMPDIR
 * (or /tmp), removed afterwards.
 */
#include "bench/bench.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "storage/db.h"
#include "storage/node_cache.h"
#include "storage/trie_db.h"
#include "trie/trie.h"
#include "util/err.h"

#define N_KEYS 100000

static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint8_t *make_data(uint64_t seed)
{
    uint8_t *d = malloc((size_t)N_KEYS * 64);
    if (!d)
        return NULL;
    uint64_t s = seed;
    for (size_t i = 0; i < (size_t)N_KEYS * 64; i += 8) {
        uint64_t r = rng_next(&s);
        memcpy(d + i, &r, 8);
    }
    return d;
}

/* Builds a trie of the N_KEYS pairs (key i at d+64i, value at d+64i+32). */
static struct trie *build(const struct trie_store *st, unsigned flags, const uint8_t *d,
                          uint8_t root[32])
{
    struct trie *t = NULL;
    if (trie_open(st, NULL, flags, &t) != 0)
        return NULL;
    for (size_t i = 0; i < N_KEYS; i++)
        if (trie_put(t, d + 64 * i, 32, d + 64 * i + 32, 32) != 0)
            goto fail;
    if (trie_root_hash(t, root) != 0)
        goto fail;
    return t;
fail:
    fprintf(stderr, "bench_trie: %s\n", err_msg());
    trie_free(t);
    return NULL;
}

static void insert_case(const char *name, unsigned flags, const uint8_t *d)
{
    if (!bench_selected(name))
        return;
    uint8_t root[32];
    double t0 = bench_now();
    struct trie *t = build(NULL, flags, d, root);
    double dt = bench_now() - t0;
    if (!t)
        return;
    char line[128];
    bench_report(name, N_KEYS / dt, "keys/s");
    snprintf(line, sizeof line, "%s (total)", name);
    bench_report(line, dt * 1e3, "ms");
    trie_free(t);
}

static void remove_dir(const char *dir)
{
    DIR *dp = opendir(dir);
    if (dp) {
        struct dirent *e;
        while ((e = readdir(dp)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            unlinkat(dirfd(dp), e->d_name, 0);   /* LevelDB's directory is flat */
        }
        closedir(dp);
    }
    rmdir(dir);
}

static void leveldb_cases(const uint8_t *d)
{
    bool commit = bench_selected("trie/commit-100k-leveldb");
    bool get = bench_selected("trie/get-100k-leveldb-cold") ||
               bench_selected("trie/get-100k-node-cache");
    if (!commit && !get)
        return;
    const char *tmp = getenv("TMPDIR");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/bench_trie.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        perror("bench_trie: mkdtemp");
        return;
    }
    struct db *db = NULL;
    struct db_batch *b = db_batch_new();
    struct trie_db tdb;
    struct trie *t = NULL;
    uint8_t root[32];
    if (!b || db_open(dir, NULL, &db) != 0) {
        fprintf(stderr, "bench_trie: %s\n", err_msg());
        goto out;
    }
    trie_db_init(&tdb, db, NULL, b);
    struct trie_store st = trie_db_store(&tdb);
    if (!(t = build(&st, 0, d, root)))
        goto out_tdb;
    double t0 = bench_now();
    if (trie_commit(t, root) != 0 || db_batch_write(db, b, false) != 0) {
        fprintf(stderr, "bench_trie: %s\n", err_msg());
        goto out_tdb;
    }
    double dt = bench_now() - t0;
    if (commit) {
        bench_report("trie/commit-100k-leveldb", N_KEYS / dt, "keys/s");
        char line[128];
        snprintf(line, sizeof line, "trie/commit-100k-leveldb (%zu nodes)", db_batch_count(b));
        bench_report(line, dt * 1e3, "ms");
    }
    trie_free(t);
    t = NULL;
    /* A fresh trie on the committed root: every lookup loads nodes, first
     * from LevelDB (the node cache emptied of what the commit put there),
     * then again from the node cache that the first pass filled. */
    for (int pass = 0; get && pass < 2; pass++) {
        if (pass == 0)
            node_cache_clear();
        trie_free(t);
        t = NULL;
        if (trie_open(&st, root, 0, &t) != 0)
            goto out_tdb;
        t0 = bench_now();
        for (size_t i = 0; i < N_KEYS; i++) {
            const uint8_t *v;
            size_t vn;
            if (trie_get(t, d + 64 * i, 32, &v, &vn) != 0 || vn != 32) {
                fprintf(stderr, "bench_trie: get %zu: %s\n", i, err_msg());
                goto out_tdb;
            }
        }
        dt = bench_now() - t0;
        bench_report(pass == 0 ? "trie/get-100k-leveldb-cold" : "trie/get-100k-node-cache",
                     N_KEYS / dt, "lookups/s");
    }
out_tdb:
    trie_free(t);
    trie_db_release(&tdb);
out:
    db_batch_free(b);
    db_close(db);
    remove_dir(dir);
}

static void get_case(const uint8_t *d)
{
    if (!bench_selected("trie/get-100k"))
        return;
    uint8_t root[32];
    struct trie *t = build(NULL, 0, d, root);
    if (!t)
        return;
    size_t hits = 0;
    double t0 = bench_now();
    for (size_t i = 0; i < N_KEYS; i++) {
        const uint8_t *v;
        size_t vn;
        if (trie_get(t, d + 64 * i, 32, &v, &vn) == 0 && vn == 32)
            hits++;
    }
    double dt = bench_now() - t0;
    if (hits != N_KEYS)
        fprintf(stderr, "bench_trie: %zu of %d keys found\n", hits, N_KEYS);
    bench_report("trie/get-100k", N_KEYS / dt, "lookups/s");
    trie_free(t);
}

void bench_trie(void)
{
    uint8_t *d = make_data(0x7472696562656e63ull);
    if (!d)
        return;
    insert_case("trie/insert+root-100k", 0, d);
    insert_case("trie/secure insert+root-100k", TRIE_SECURE, d);
    leveldb_cases(d);
    get_case(d);
    free(d);
}
