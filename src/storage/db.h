/*
 * db.h — the key-value store under everything persistent: a thin, strict
 * wrapper over LevelDB's C API.
 *
 * A struct db is one open LevelDB directory. Writes that belong together go
 * through one struct db_batch, applied atomically (with a synced write when
 * asked), so a kill at any moment leaves either all or none of it. Readers
 * can take a snapshot for a consistent view while the writer goes on.
 *
 * Thread safety: a struct db may be used from several threads at once
 * (LevelDB is internally synchronised). Batches, iterators and snapshots
 * belong to one thread each. Values returned by db_get are malloc'ed and
 * owned by the caller (free()).
 */
#ifndef SPECTRUM_STORAGE_DB_H
#define SPECTRUM_STORAGE_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct db;
struct db_batch;
struct db_iter;
struct db_snapshot;

struct db_options {
    bool create_if_missing;   /* default true */
    size_t cache_bytes;       /* block cache; 0 = LevelDB's default */
    size_t write_buffer_bytes;/* memtable size; 0 = default */
    int max_open_files;       /* 0 = default */
};

/* Opens (creating if asked) the database in directory `path`.
 * opts may be NULL for defaults. Returns 0, or ERR_IO with LevelDB's reason
 * (e.g. "IO error: lock ... already held by process": another node uses it). */
int db_open(const char *path, const struct db_options *opts, struct db **out);

/* Closes the database and frees it (NULL is ignored). */
void db_close(struct db *db);

/* Reads key. On success *val is a malloc'ed copy (caller frees; may be NULL
 * for an empty value) and *vlen its length. Returns 0, ERR_NOTFOUND or
 * ERR_IO. snap may be NULL to read the latest state. */
int db_get(struct db *db, const struct db_snapshot *snap, const void *key, size_t klen,
           uint8_t **val, size_t *vlen);

/* True when key exists (errors count as absent). */
bool db_has(struct db *db, const void *key, size_t klen);

/* Single writes (each atomic on its own). sync=true waits for the OS. */
int db_put(struct db *db, const void *key, size_t klen, const void *val, size_t vlen, bool sync);
int db_delete(struct db *db, const void *key, size_t klen, bool sync);

/* Atomic batches. */
struct db_batch *db_batch_new(void);
void db_batch_put(struct db_batch *b, const void *key, size_t klen, const void *val, size_t vlen);
void db_batch_delete(struct db_batch *b, const void *key, size_t klen);
void db_batch_clear(struct db_batch *b);
size_t db_batch_count(const struct db_batch *b);
/* Applies every operation of the batch atomically. Returns 0 or ERR_IO. */
int db_batch_write(struct db *db, struct db_batch *b, bool sync);
void db_batch_free(struct db_batch *b);

/* Snapshots: a frozen view for reads and iterators. */
struct db_snapshot *db_snapshot_new(struct db *db);
void db_snapshot_free(struct db *db, struct db_snapshot *s);

/* Iterators in key order. snap may be NULL. After seek, while
 * db_iter_valid(), read key/value (pointers valid until the next move). */
struct db_iter *db_iter_new(struct db *db, const struct db_snapshot *snap);
void db_iter_seek(struct db_iter *it, const void *key, size_t klen);
void db_iter_seek_first(struct db_iter *it);
bool db_iter_valid(const struct db_iter *it);
void db_iter_next(struct db_iter *it);
const uint8_t *db_iter_key(const struct db_iter *it, size_t *klen);
const uint8_t *db_iter_value(const struct db_iter *it, size_t *vlen);
/* Returns 0 or ERR_IO if the iteration stopped on an error. */
int db_iter_status(const struct db_iter *it);
void db_iter_free(struct db_iter *it);

#endif
