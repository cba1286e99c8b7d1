/*
 * db.c — struct db over LevelDB's C API (leveldb/c.h); see db.h.
 *
 * The wrapper exists so that the rest of spectrumd never sees LevelDB's
 * conventions: every LevelDB error (a malloc'ed `char *errptr`) becomes
 * ERR_IO with LevelDB's message copied into the error context and the string
 * freed at once; values are copied into buffers the caller frees with free();
 * a batch counts its operations (the C API cannot).
 *
 * Options chosen at open: paranoid checks off (LevelDB still verifies block
 * checksums it reads; paranoid mode would also refuse to open after any
 * recoverable corruption), a 10-bit bloom filter (one disk read per miss
 * instead of one per level: the trie does many lookups of absent nodes),
 * and a small explicit block cache so an idle node stays light.
 *
 * Read and write options are created once per struct db (and once per
 * snapshot) and only read afterwards, which is what makes concurrent use of
 * one struct db from several threads safe.
 */
#include "storage/db.h"

#include <leveldb/c.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"

struct db {
    leveldb_t *ldb;
    leveldb_options_t *opts;
    leveldb_cache_t *cache;
    leveldb_filterpolicy_t *filter;
    leveldb_readoptions_t *ro;       /* latest state */
    leveldb_writeoptions_t *wo;      /* no sync */
    leveldb_writeoptions_t *wo_sync;
};

struct db_batch {
    leveldb_writebatch_t *wb;
    size_t count;
};

struct db_snapshot {
    const leveldb_snapshot_t *snap;
    leveldb_readoptions_t *ro;       /* reads through this snapshot */
};

struct db_iter {
    leveldb_iterator_t *it;
    leveldb_readoptions_t *ro;       /* owned: keeps the snapshot setting */
};

/* Turns a LevelDB error string into ERR_IO with its text, freeing it. */
static int ldb_error(char *errptr, const char *what)
{
    int rc = err_set(ERR_IO, "leveldb %s: %s", what, errptr ? errptr : "unknown error");
    leveldb_free(errptr);
    return rc;
}

static void db_release(struct db *db)
{
    if (db->ldb)
        leveldb_close(db->ldb);
    if (db->ro)
        leveldb_readoptions_destroy(db->ro);
    if (db->wo)
        leveldb_writeoptions_destroy(db->wo);
    if (db->wo_sync)
        leveldb_writeoptions_destroy(db->wo_sync);
    if (db->opts)
        leveldb_options_destroy(db->opts);
    if (db->filter)
        leveldb_filterpolicy_destroy(db->filter);
    if (db->cache)
        leveldb_cache_destroy(db->cache);
    free(db);
}

int db_open(const char *path, const struct db_options *opts, struct db **out)
{
    *out = NULL;
    if (!path || !*path)
        return err_set(ERR_INVAL, "db_open: empty path");
    struct db *db = calloc(1, sizeof *db);
    if (!db)
        return err_set(ERR_NOMEM, "db_open");
    bool create = opts ? opts->create_if_missing : true;
    size_t cache = opts && opts->cache_bytes ? opts->cache_bytes : DB_DEFAULT_CACHE_BYTES;

    db->opts = leveldb_options_create();
    db->cache = leveldb_cache_create_lru(cache);
    db->filter = leveldb_filterpolicy_create_bloom(10);
    db->ro = leveldb_readoptions_create();
    db->wo = leveldb_writeoptions_create();
    db->wo_sync = leveldb_writeoptions_create();
    if (!db->opts || !db->cache || !db->filter || !db->ro || !db->wo || !db->wo_sync) {
        db_release(db);
        return err_set(ERR_NOMEM, "db_open: leveldb options");
    }
    leveldb_options_set_create_if_missing(db->opts, create);
    leveldb_options_set_paranoid_checks(db->opts, 0);
    leveldb_options_set_cache(db->opts, db->cache);
    leveldb_options_set_filter_policy(db->opts, db->filter);
    if (opts && opts->write_buffer_bytes)
        leveldb_options_set_write_buffer_size(db->opts, opts->write_buffer_bytes);
    if (opts && opts->max_open_files > 0)
        leveldb_options_set_max_open_files(db->opts, opts->max_open_files);
    leveldb_writeoptions_set_sync(db->wo, 0);
    leveldb_writeoptions_set_sync(db->wo_sync, 1);

    char *errptr = NULL;
    db->ldb = leveldb_open(db->opts, path, &errptr);
    if (errptr || !db->ldb) {
        int rc = ldb_error(errptr, "open");
        if (db->ldb) {
            leveldb_close(db->ldb);
            db->ldb = NULL;
        }
        db_release(db);
        return rc;
    }
    *out = db;
    return 0;
}

void db_close(struct db *db)
{
    if (db)
        db_release(db);
}

int db_get(struct db *db, const struct db_snapshot *snap, const void *key, size_t klen,
           uint8_t **val, size_t *vlen)
{
    *val = NULL;
    *vlen = 0;
    char *errptr = NULL;
    size_t n = 0;
    char *v = leveldb_get(db->ldb, snap ? snap->ro : db->ro, key, klen, &n, &errptr);
    if (errptr) {
        leveldb_free(v);
        return ldb_error(errptr, "get");
    }
    if (!v)
        return ERR_NOTFOUND;
    if (n > 0) {
        uint8_t *copy = malloc(n);
        if (!copy) {
            leveldb_free(v);
            return err_set(ERR_NOMEM, "db_get: value of %zu bytes", n);
        }
        memcpy(copy, v, n);
        *val = copy;
    }
    *vlen = n;
    leveldb_free(v);
    return 0;
}

bool db_has(struct db *db, const void *key, size_t klen)
{
    char *errptr = NULL;
    size_t n = 0;
    char *v = leveldb_get(db->ldb, db->ro, key, klen, &n, &errptr);
    bool found = v != NULL && errptr == NULL;
    leveldb_free(v);
    leveldb_free(errptr);
    return found;
}

int db_put(struct db *db, const void *key, size_t klen, const void *val, size_t vlen, bool sync)
{
    char *errptr = NULL;
    leveldb_put(db->ldb, sync ? db->wo_sync : db->wo, key, klen, vlen ? val : "", vlen, &errptr);
    return errptr ? ldb_error(errptr, "put") : 0;
}

int db_delete(struct db *db, const void *key, size_t klen, bool sync)
{
    char *errptr = NULL;
    leveldb_delete(db->ldb, sync ? db->wo_sync : db->wo, key, klen, &errptr);
    return errptr ? ldb_error(errptr, "delete") : 0;
}

/* ---- batches ------------------------------------------------------------ */

struct db_batch *db_batch_new(void)
{
    struct db_batch *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->wb = leveldb_writebatch_create();
    if (!b->wb) {
        free(b);
        return NULL;
    }
    return b;
}

void db_batch_put(struct db_batch *b, const void *key, size_t klen, const void *val, size_t vlen)
{
    leveldb_writebatch_put(b->wb, key, klen, vlen ? val : "", vlen);
    b->count++;
}

void db_batch_delete(struct db_batch *b, const void *key, size_t klen)
{
    leveldb_writebatch_delete(b->wb, key, klen);
    b->count++;
}

void db_batch_clear(struct db_batch *b)
{
    leveldb_writebatch_clear(b->wb);
    b->count = 0;
}

size_t db_batch_count(const struct db_batch *b)
{
    return b->count;
}

int db_batch_write(struct db *db, struct db_batch *b, bool sync)
{
    char *errptr = NULL;
    leveldb_write(db->ldb, sync ? db->wo_sync : db->wo, b->wb, &errptr);
    return errptr ? ldb_error(errptr, "write batch") : 0;
}

void db_batch_free(struct db_batch *b)
{
    if (!b)
        return;
    leveldb_writebatch_destroy(b->wb);
    free(b);
}

/* ---- snapshots ---------------------------------------------------------- */

struct db_snapshot *db_snapshot_new(struct db *db)
{
    struct db_snapshot *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->ro = leveldb_readoptions_create();
    if (!s->ro) {
        free(s);
        return NULL;
    }
    s->snap = leveldb_create_snapshot(db->ldb);
    leveldb_readoptions_set_snapshot(s->ro, s->snap);
    return s;
}

void db_snapshot_free(struct db *db, struct db_snapshot *s)
{
    if (!s)
        return;
    leveldb_readoptions_destroy(s->ro);
    leveldb_release_snapshot(db->ldb, s->snap);
    free(s);
}

/* ---- iterators ---------------------------------------------------------- */

struct db_iter *db_iter_new(struct db *db, const struct db_snapshot *snap)
{
    struct db_iter *it = calloc(1, sizeof *it);
    if (!it)
        return NULL;
    it->ro = leveldb_readoptions_create();
    if (!it->ro) {
        free(it);
        return NULL;
    }
    /* A scan should not evict the working set from the block cache. */
    leveldb_readoptions_set_fill_cache(it->ro, 0);
    if (snap)
        leveldb_readoptions_set_snapshot(it->ro, snap->snap);
    it->it = leveldb_create_iterator(db->ldb, it->ro);
    if (!it->it) {
        leveldb_readoptions_destroy(it->ro);
        free(it);
        return NULL;
    }
    return it;
}

void db_iter_seek(struct db_iter *it, const void *key, size_t klen)
{
    leveldb_iter_seek(it->it, klen ? key : "", klen);
}

void db_iter_seek_first(struct db_iter *it)
{
    leveldb_iter_seek_to_first(it->it);
}

void db_iter_seek_last(struct db_iter *it)
{
    leveldb_iter_seek_to_last(it->it);
}

bool db_iter_valid(const struct db_iter *it)
{
    return leveldb_iter_valid(it->it) != 0;
}

void db_iter_next(struct db_iter *it)
{
    if (leveldb_iter_valid(it->it))
        leveldb_iter_next(it->it);
}

void db_iter_prev(struct db_iter *it)
{
    if (leveldb_iter_valid(it->it))
        leveldb_iter_prev(it->it);
}

const uint8_t *db_iter_key(const struct db_iter *it, size_t *klen)
{
    *klen = 0;
    if (!leveldb_iter_valid(it->it))
        return NULL;
    return (const uint8_t *)leveldb_iter_key(it->it, klen);
}

const uint8_t *db_iter_value(const struct db_iter *it, size_t *vlen)
{
    *vlen = 0;
    if (!leveldb_iter_valid(it->it))
        return NULL;
    return (const uint8_t *)leveldb_iter_value(it->it, vlen);
}

int db_iter_status(const struct db_iter *it)
{
    char *errptr = NULL;
    leveldb_iter_get_error(it->it, &errptr);
    return errptr ? ldb_error(errptr, "iterator") : 0;
}

void db_iter_free(struct db_iter *it)
{
    if (!it)
        return;
    leveldb_iter_destroy(it->it);
    leveldb_readoptions_destroy(it->ro);
    free(it);
}
