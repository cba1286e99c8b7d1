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

/* Block cache used when db_options.cache_bytes is 0: small, so that an idle
 * node stays light; a busy node asks for more. */
#define DB_DEFAULT_CACHE_BYTES (8u << 20)

struct db_options {
    bool create_if_missing;   /* default true */
    size_t cache_bytes;       /* block cache; 0 = DB_DEFAULT_CACHE_BYTES */
    size_t write_buffer_bytes;/* memtable size; 0 = default */
    int max_open_files;       /* 0 = default */
};

/* Opens (creating if asked) the database in directory `path`.
 * opts may be NULL for defaults. Returns 0, or ERR_IO with LevelDB's reason
 * (e.g. "IO error: lock ... already held by process": another node uses it),
 * ERR_INVAL for an empty path, ERR_NOMEM. *out is NULL on failure.
 * Paranoid checks are off; tables carry a 10-bit bloom filter. */
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

/* Atomic batches. A batch is built in memory (puts and deletes are applied
 * in order; a later operation on the same key wins) and has no effect on the
 * database until db_batch_write. db_batch_new returns NULL when out of
 * memory; free with db_batch_free (NULL is ignored). db_batch_count is the
 * number of operations added since creation or the last clear. A batch is
 * not tied to one struct db and may be written again after a write. */
struct db_batch *db_batch_new(void);
void db_batch_put(struct db_batch *b, const void *key, size_t klen, const void *val, size_t vlen);
void db_batch_delete(struct db_batch *b, const void *key, size_t klen);
void db_batch_clear(struct db_batch *b);
size_t db_batch_count(const struct db_batch *b);
/* Applies every operation of the batch atomically. Returns 0 or ERR_IO. */
int db_batch_write(struct db *db, struct db_batch *b, bool sync);
void db_batch_free(struct db_batch *b);

/* Snapshots: a frozen view for reads and iterators; writes made after
 * db_snapshot_new are invisible through it. Returns NULL when out of memory.
 * Free with db_snapshot_free on the same db (NULL is ignored) before
 * db_close. */
struct db_snapshot *db_snapshot_new(struct db *db);
void db_snapshot_free(struct db *db, struct db_snapshot *s);

/* Iterators in key order (bytewise). snap may be NULL (the iterator then
 * sees the state of the moment it was created). db_iter_new returns NULL when
 * out of memory. After a seek, while db_iter_valid(), read key/value
 * (pointers valid until the next move; NULL with length 0 when not valid).
 * db_iter_seek positions on the first key >= key. Moving an invalid iterator
 * does nothing. Blocks read by an iterator do not fill the block cache (a
 * scan must not evict the working set). Free iterators before db_close. */
struct db_iter *db_iter_new(struct db *db, const struct db_snapshot *snap);
void db_iter_seek(struct db_iter *it, const void *key, size_t klen);
void db_iter_seek_first(struct db_iter *it);
bool db_iter_valid(const struct db_iter *it);
void db_iter_next(struct db_iter *it);
/* Reverse order: seek_last positions on the greatest key, prev moves back. */
void db_iter_seek_last(struct db_iter *it);
void db_iter_prev(struct db_iter *it);
const uint8_t *db_iter_key(const struct db_iter *it, size_t *klen);
const uint8_t *db_iter_value(const struct db_iter *it, size_t *vlen);
/* Returns 0 or ERR_IO if the iteration stopped on an error. */
int db_iter_status(const struct db_iter *it);
void db_iter_free(struct db_iter *it);

#endif
