/*
 * test_storage.c — unit tests for the LevelDB wrapper (storage/db.h) and the
 * trie node store over it (storage/trie_db.h), each in a fresh temporary
 * directory: reads and writes, batch atomicity, ordered iteration and seek,
 * snapshot isolation, persistence across reopen, the directory lock, a
 * trie committed through a batch, and the node cache (storage/node_cache.h)
 * under the store: hits, collisions, bounds, and the hash check that makes a
 * cached node safe to serve unchecked.
 */
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto/keccak.h"
#include "storage/db.h"
#include "storage/node_cache.h"
#include "storage/trie_db.h"
#include "trie/trie.h"
#include "util/err.h"

static char dir[4096];

static void make_dir(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/test_storage.XXXXXX", tmp && *tmp ? tmp : "/tmp");
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

static struct db *open_db(void)
{
    struct db *db = NULL;
    int rc = db_open(dir, NULL, &db);
    ck_assert_msg(rc == 0, "db_open: %s", err_msg());
    return db;
}

static void assert_value(struct db *db, const struct db_snapshot *snap, const char *k,
                         const char *want)
{
    uint8_t *v = NULL;
    size_t n = 0;
    int rc = db_get(db, snap, k, strlen(k), &v, &n);
    if (!want) {
        ck_assert_int_eq(rc, ERR_NOTFOUND);
        ck_assert_ptr_null(v);
        return;
    }
    ck_assert_int_eq(rc, 0);
    ck_assert_uint_eq(n, strlen(want));
    if (n)
        ck_assert_mem_eq(v, want, n);
    free(v);
}

static void put(struct db *db, const char *k, const char *v)
{
    ck_assert_int_eq(db_put(db, k, strlen(k), v, strlen(v), false), 0);
}

START_TEST(put_get_delete)
{
    make_dir();
    struct db *db = open_db();
    assert_value(db, NULL, "a", NULL);
    ck_assert(!db_has(db, "a", 1));
    put(db, "a", "apple");
    put(db, "b", "");                     /* an empty value exists */
    assert_value(db, NULL, "a", "apple");
    assert_value(db, NULL, "b", "");
    ck_assert(db_has(db, "a", 1));
    ck_assert(db_has(db, "b", 1));
    put(db, "a", "avocado");              /* overwrite */
    assert_value(db, NULL, "a", "avocado");
    ck_assert_int_eq(db_delete(db, "a", 1, true), 0);
    assert_value(db, NULL, "a", NULL);
    ck_assert_int_eq(db_delete(db, "zz", 2, false), 0);   /* absent: fine */
    /* Binary keys and values, including NUL bytes. */
    uint8_t k[3] = { 0, 1, 0 }, v[4] = { 0, 0xff, 0, 7 };
    ck_assert_int_eq(db_put(db, k, 3, v, 4, false), 0);
    uint8_t *got;
    size_t n;
    ck_assert_int_eq(db_get(db, NULL, k, 3, &got, &n), 0);
    ck_assert_uint_eq(n, 4);
    ck_assert_mem_eq(got, v, 4);
    free(got);
    ck_assert_int_eq(db_get(db, NULL, k, 2, &got, &n), ERR_NOTFOUND);
    db_close(db);
    db_close(NULL);
    remove_dir();
}
END_TEST

START_TEST(batch_is_atomic_and_persists)
{
    make_dir();
    struct db *db = open_db();
    put(db, "gone", "soon");
    struct db_batch *b = db_batch_new();
    ck_assert_ptr_nonnull(b);
    char k[16], v[16];
    for (int i = 0; i < 100; i++) {
        snprintf(k, sizeof k, "k%03d", i);
        snprintf(v, sizeof v, "v%d", i);
        db_batch_put(b, k, strlen(k), v, strlen(v));
    }
    db_batch_delete(b, "gone", 4);
    db_batch_put(b, "k000", 4, "last", 4);   /* later operation wins */
    ck_assert_uint_eq(db_batch_count(b), 102);
    /* Nothing is visible before the write. */
    assert_value(db, NULL, "k050", NULL);
    assert_value(db, NULL, "gone", "soon");
    ck_assert_int_eq(db_batch_write(db, b, true), 0);
    assert_value(db, NULL, "k050", "v50");
    assert_value(db, NULL, "k000", "last");
    assert_value(db, NULL, "gone", NULL);
    db_batch_clear(b);
    ck_assert_uint_eq(db_batch_count(b), 0);
    ck_assert_int_eq(db_batch_write(db, b, false), 0);    /* empty: no-op */
    db_batch_free(b);
    db_batch_free(NULL);
    /* Close and reopen: the batch is durable. */
    db_close(db);
    db = open_db();
    assert_value(db, NULL, "k099", "v99");
    assert_value(db, NULL, "k000", "last");
    assert_value(db, NULL, "gone", NULL);
    db_close(db);
    remove_dir();
}
END_TEST

/* A writer rewrites 8 keys in one batch per round; a reader on snapshots
 * must never see them disagree. */
struct race {
    struct db *db;
    atomic_int done;
};

static void *writer(void *arg)
{
    struct race *r = arg;
    struct db_batch *b = db_batch_new();
    char k[8], v[16];
    for (int round = 1; round <= 300 && b; round++) {
        db_batch_clear(b);
        snprintf(v, sizeof v, "%d", round);
        for (int i = 0; i < 8; i++) {
            snprintf(k, sizeof k, "r%d", i);
            db_batch_put(b, k, strlen(k), v, strlen(v));
        }
        if (db_batch_write(r->db, b, false) != 0)
            break;
    }
    db_batch_free(b);
    atomic_store(&r->done, 1);
    return NULL;
}

START_TEST(batches_never_seen_half_written)
{
    make_dir();
    struct race r;
    r.db = open_db();
    atomic_init(&r.done, 0);
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, writer, &r), 0);
    int checks = 0;
    while (!atomic_load(&r.done) || checks < 10) {
        struct db_snapshot *s = db_snapshot_new(r.db);
        ck_assert_ptr_nonnull(s);
        char first[16] = "";
        for (int i = 0; i < 8; i++) {
            char k[8];
            uint8_t *v;
            size_t n;
            snprintf(k, sizeof k, "r%d", i);
            int rc = db_get(r.db, s, k, strlen(k), &v, &n);
            if (rc == ERR_NOTFOUND) {
                ck_assert_str_eq(first, "");      /* none or all */
                continue;
            }
            ck_assert_int_eq(rc, 0);
            ck_assert_uint_lt(n, sizeof first);
            char got[16];
            memcpy(got, v, n);
            got[n] = 0;
            free(v);
            if (i == 0)
                strcpy(first, got);
            else
                ck_assert_str_eq(got, first);
        }
        db_snapshot_free(r.db, s);
        checks++;
    }
    pthread_join(th, NULL);
    db_close(r.db);
    remove_dir();
}
END_TEST

START_TEST(iterators_in_order)
{
    make_dir();
    struct db *db = open_db();
    static const char *keys[] = { "b", "a", "ab", "ba", "c", "\x01", "bb" };
    static const char *sorted[] = { "\x01", "a", "ab", "b", "ba", "bb", "c" };
    for (size_t i = 0; i < 7; i++)
        put(db, keys[i], keys[i]);
    struct db_iter *it = db_iter_new(db, NULL);
    ck_assert_ptr_nonnull(it);
    size_t i = 0, kn, vn;
    for (db_iter_seek_first(it); db_iter_valid(it); db_iter_next(it), i++) {
        const uint8_t *k = db_iter_key(it, &kn);
        const uint8_t *v = db_iter_value(it, &vn);
        ck_assert_uint_lt(i, 7);
        ck_assert_uint_eq(kn, strlen(sorted[i]));
        ck_assert_mem_eq(k, sorted[i], kn);
        ck_assert_uint_eq(vn, kn);
        ck_assert_mem_eq(v, sorted[i], vn);
    }
    ck_assert_uint_eq(i, 7);
    ck_assert_int_eq(db_iter_status(it), 0);
    /* Off the end: no key, moving is harmless. */
    ck_assert_ptr_null(db_iter_key(it, &kn));
    ck_assert_uint_eq(kn, 0);
    db_iter_next(it);
    ck_assert(!db_iter_valid(it));
    /* seek lands on the first key >= the probe. */
    db_iter_seek(it, "aa", 2);
    ck_assert(db_iter_valid(it));
    ck_assert_mem_eq(db_iter_key(it, &kn), "ab", 2);
    db_iter_seek(it, "b", 1);
    ck_assert_mem_eq(db_iter_key(it, &kn), "b", 1);
    ck_assert_uint_eq(kn, 1);
    db_iter_seek(it, "d", 1);
    ck_assert(!db_iter_valid(it));
    /* Backwards. */
    db_iter_seek_last(it);
    ck_assert_mem_eq(db_iter_key(it, &kn), "c", 1);
    db_iter_prev(it);
    ck_assert_mem_eq(db_iter_key(it, &kn), "bb", 2);
    db_iter_free(it);
    db_iter_free(NULL);
    db_close(db);
    remove_dir();
}
END_TEST

START_TEST(snapshot_isolation)
{
    make_dir();
    struct db *db = open_db();
    put(db, "x", "1");
    put(db, "y", "1");
    struct db_snapshot *s = db_snapshot_new(db);
    ck_assert_ptr_nonnull(s);
    put(db, "x", "2");
    ck_assert_int_eq(db_delete(db, "y", 1, false), 0);
    put(db, "z", "new");
    assert_value(db, s, "x", "1");
    assert_value(db, s, "y", "1");
    assert_value(db, s, "z", NULL);
    assert_value(db, NULL, "x", "2");
    assert_value(db, NULL, "y", NULL);
    /* An iterator over the snapshot sees the old key set. */
    struct db_iter *it = db_iter_new(db, s);
    size_t n = 0, kn;
    for (db_iter_seek_first(it); db_iter_valid(it); db_iter_next(it)) {
        const uint8_t *k = db_iter_key(it, &kn);
        ck_assert(kn == 1 && (k[0] == 'x' || k[0] == 'y'));
        n++;
    }
    ck_assert_uint_eq(n, 2);
    db_iter_free(it);
    db_snapshot_free(db, s);
    db_snapshot_free(db, NULL);
    db_close(db);
    remove_dir();
}
END_TEST

START_TEST(lock_and_missing_dir)
{
    make_dir();
    struct db *db = open_db(), *again = (struct db *)1;
    ck_assert_int_eq(db_open(dir, NULL, &again), ERR_IO);
    ck_assert_ptr_null(again);
    ck_assert_msg(strstr(err_msg(), "lock") != NULL, "message: %s", err_msg());
    db_close(db);
    /* Once closed, it opens again. */
    db = open_db();
    db_close(db);
    remove_dir();
    /* create_if_missing = false on a missing directory fails. */
    struct db_options o = { .create_if_missing = false };
    ck_assert_int_eq(db_open(dir, &o, &again), ERR_IO);
    ck_assert_int_eq(db_open("", NULL, &again), ERR_INVAL);
    /* Options are honoured (a database opens with them). */
    make_dir();
    struct db_options o2 = { true, 1 << 20, 1 << 20, 64 };
    ck_assert_int_eq(db_open(dir, &o2, &db), 0);
    put(db, "k", "v");
    assert_value(db, NULL, "k", "v");
    db_close(db);
    remove_dir();
}
END_TEST

START_TEST(trie_commits_through_batch)
{
    make_dir();
    struct db *db = open_db();
    struct db_batch *b = db_batch_new();
    struct trie_db tdb;
    trie_db_init(&tdb, db, NULL, b);
    struct trie_store st = trie_db_store(&tdb);
    struct trie *t;
    uint8_t root[32], k[32];
    ck_assert_int_eq(trie_open(&st, NULL, TRIE_SECURE, &t), 0);
    for (int i = 0; i < 300; i++) {
        memset(k, 0, 32);
        k[0] = (uint8_t)i;
        k[1] = (uint8_t)(i >> 8);
        ck_assert_int_eq(trie_put(t, k, 32, k, 2), 0);
    }
    ck_assert_int_eq(trie_commit(t, root), 0);
    ck_assert_uint_gt(db_batch_count(b), 300);
    /* Not in the database until the caller writes the batch. */
    ck_assert(!db_has(db, root, 32));
    ck_assert_int_eq(db_batch_write(db, b, true), 0);
    ck_assert(db_has(db, root, 32));
    trie_free(t);
    db_batch_free(b);
    trie_db_release(&tdb);
    db_close(db);

    /* Reopen the database read-only for the trie, read everything back. */
    db = open_db();
    struct db_snapshot *s = db_snapshot_new(db);
    trie_db_init(&tdb, db, s, NULL);
    st = trie_db_store(&tdb);
    ck_assert_int_eq(trie_open(&st, root, TRIE_SECURE, &t), 0);
    for (int i = 0; i < 300; i++) {
        const uint8_t *v;
        size_t vn;
        memset(k, 0, 32);
        k[0] = (uint8_t)i;
        k[1] = (uint8_t)(i >> 8);
        ck_assert_int_eq(trie_get(t, k, 32, &v, &vn), 0);
        ck_assert_uint_eq(vn, 2);
        ck_assert_mem_eq(v, k, 2);
    }
    /* A change cannot be committed without a batch. */
    ck_assert_int_eq(trie_put(t, (const uint8_t *)"new", 3, (const uint8_t *)"v", 1), 0);
    ck_assert_int_eq(trie_commit(t, root), ERR_BADSTATE);
    trie_free(t);
    trie_db_release(&tdb);
    db_snapshot_free(db, s);
    db_close(db);
    remove_dir();
}
END_TEST

START_TEST(node_cache_bounds_and_collisions)
{
    node_cache_clear();
    uint8_t h1[32], h2[32], buf[NODE_CACHE_MAX_LEN], big[NODE_CACHE_MAX_LEN + 1];
    size_t n = 0;
    keccak256("one", 3, h1);
    memcpy(h2, h1, 32);
    h2[31] ^= 1;  /* same slot (the index is the first bytes), another node */
    ck_assert_int_eq(node_cache_get(h1, buf, sizeof buf, &n), ERR_NOTFOUND);
    node_cache_put(h1, (const uint8_t *)"one", 3);
    ck_assert_int_eq(node_cache_get(h1, buf, sizeof buf, &n), 0);
    ck_assert_uint_eq(n, 3);
    ck_assert_mem_eq(buf, "one", 3);
    ck_assert_int_eq(node_cache_get(h2, buf, sizeof buf, &n), ERR_NOTFOUND);
    /* A buffer too small for the node is a miss, not an overflow. */
    ck_assert_int_eq(node_cache_get(h1, buf, 2, &n), ERR_NOTFOUND);
    /* The colliding node replaces the older one. */
    node_cache_put(h2, (const uint8_t *)"two!", 4);
    ck_assert_int_eq(node_cache_get(h1, buf, sizeof buf, &n), ERR_NOTFOUND);
    ck_assert_int_eq(node_cache_get(h2, buf, sizeof buf, &n), 0);
    ck_assert_uint_eq(n, 4);
    /* Larger than a slot: not kept, and the slot's node stays. */
    memset(big, 7, sizeof big);
    node_cache_put(h2, big, sizeof big);
    ck_assert_int_eq(node_cache_get(h2, buf, sizeof buf, &n), 0);
    ck_assert_uint_eq(n, 4);
    node_cache_clear();
    ck_assert_int_eq(node_cache_get(h2, buf, sizeof buf, &n), ERR_NOTFOUND);
}
END_TEST

START_TEST(store_checks_then_caches)
{
    node_cache_clear();
    make_dir();
    struct db *db = open_db();
    struct trie_db tdb;
    trie_db_init(&tdb, db, NULL, NULL);
    struct trie_store st = trie_db_store(&tdb);
    ck_assert(st.checked);
    const char *good = "a node's bytes", *bad = "other bytes";
    uint8_t hg[32], hb[32];
    keccak256(good, strlen(good), hg);
    keccak256("what the key promises", 21, hb);
    ck_assert_int_eq(db_put(db, hg, 32, good, strlen(good), false), 0);
    ck_assert_int_eq(db_put(db, hb, 32, bad, strlen(bad), false), 0);

    /* Bytes that do not hash to their key are refused, and not cached. */
    const uint8_t *node;
    size_t n;
    ck_assert_int_eq(st.get(st.ctx, hb, &node, &n), ERR_DECODE);
    uint8_t buf[NODE_CACHE_MAX_LEN];
    ck_assert_int_eq(node_cache_get(hb, buf, sizeof buf, &n), ERR_NOTFOUND);

    /* A checked node is cached: it is served after the database lost it. */
    ck_assert_int_eq(st.get(st.ctx, hg, &node, &n), 0);
    ck_assert_uint_eq(n, strlen(good));
    ck_assert_int_eq(db_delete(db, hg, 32, false), 0);
    ck_assert_int_eq(st.get(st.ctx, hg, &node, &n), 0);
    ck_assert_mem_eq(node, good, n);
    trie_db_release(&tdb);
    db_close(db);
    remove_dir();
    node_cache_clear();
}
END_TEST

START_TEST(trie_over_store_refuses_a_damaged_node)
{
    /* The trie skips its own hash check over a checked store: a damaged
     * node in the database must still fail the read. */
    node_cache_clear();
    make_dir();
    struct db *db = open_db();
    struct db_batch *b = db_batch_new();
    struct trie_db tdb;
    trie_db_init(&tdb, db, NULL, b);
    struct trie_store st = trie_db_store(&tdb);
    struct trie *t;
    uint8_t root[32], k[32];
    ck_assert_int_eq(trie_open(&st, NULL, TRIE_SECURE, &t), 0);
    for (int i = 0; i < 50; i++) {
        memset(k, i, 32);
        ck_assert_int_eq(trie_put(t, k, 32, k, 32), 0);
    }
    ck_assert_int_eq(trie_commit(t, root), 0);
    ck_assert_int_eq(db_batch_write(db, b, true), 0);
    trie_free(t);
    db_batch_free(b);
    uint8_t *v = NULL;
    size_t n = 0;
    ck_assert_int_eq(db_get(db, NULL, root, 32, &v, &n), 0);
    v[n / 2] ^= 0x55;  /* inside a child's hash: the node still decodes */
    ck_assert_int_eq(db_put(db, root, 32, v, n, false), 0);
    free(v);
    node_cache_clear();  /* the commit cached the good root */
    trie_db_set_batch(&tdb, NULL);
    ck_assert_int_eq(trie_open(&st, root, TRIE_SECURE, &t), 0);
    /* Every read fails (not only those whose path crosses the bad hash). */
    for (int i = 0; i < 50; i++) {
        const uint8_t *val;
        size_t vn;
        memset(k, i, 32);
        ck_assert_int_eq(trie_get(t, k, 32, &val, &vn), ERR_DECODE);
        err_clear();
    }
    trie_free(t);
    trie_db_release(&tdb);
    db_close(db);
    remove_dir();
}
END_TEST

int main(void)
{
    Suite *s = suite_create("storage");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, put_get_delete);
    tcase_add_test(tc, batch_is_atomic_and_persists);
    tcase_add_test(tc, batches_never_seen_half_written);
    tcase_add_test(tc, iterators_in_order);
    tcase_add_test(tc, snapshot_isolation);
    tcase_add_test(tc, lock_and_missing_dir);
    tcase_add_test(tc, trie_commits_through_batch);
    tcase_add_test(tc, node_cache_bounds_and_collisions);
    tcase_add_test(tc, store_checks_then_caches);
    tcase_add_test(tc, trie_over_store_refuses_a_damaged_node);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
