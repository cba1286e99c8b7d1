/*
 * book.c — the receipt book on LevelDB; see book.h.
 *
 * Keys: "v" → schema version (u64 RLP); 'r' ‖ provider (20) ‖ u64be epoch
 * ‖ client (20) → the entry's value. Big-endian epochs keep an iteration
 * over one provider in epoch order.
 */
#include "meshbox/book.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "primitives/rlp.h"
#include "storage/db.h"
#include "util/err.h"

#define SCHEMA_VERSION 1u
#define VALUE_VERSION 1u
#define KEY_LEN (1u + 20u + 8u + 20u)
#define PREFIX_LEN (1u + 20u)

struct mb_book {
    struct db *db;
    pthread_mutex_t lock;
};

static const char *const status_names[] = {"stored", "sent", "accepted", "refused", "expired"};
static const char *const reason_names[] = {"batch reverted", "self", "signature", "client",
                                           "replay", "cap"};

const char *mb_status_name(enum mb_status s)
{
    return (unsigned)s < sizeof status_names / sizeof status_names[0] ? status_names[s]
                                                                       : "unknown";
}

const char *mb_reason_name(uint8_t reason)
{
    return reason < sizeof reason_names / sizeof reason_names[0] ? reason_names[reason]
                                                                 : "unknown";
}

static void put_be64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (56 - 8 * i));
}

static uint64_t get_be64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

static void make_key(uint8_t k[KEY_LEN], const struct address *provider,
                     const struct address *client, uint64_t epoch)
{
    k[0] = 'r';
    memcpy(k + 1, provider->b, 20);
    put_be64(k + PREFIX_LEN, epoch);
    memcpy(k + PREFIX_LEN + 8, client->b, 20);
}

/* ---- values ------------------------------------------------------------------ */

int mb_entry_encode_value(const struct mb_entry *e, struct bytes *out)
{
    size_t m = rlp_list_begin(out);
    rlp_put_u64(out, VALUE_VERSION);
    rlp_put_u256(out, &e->r.units);
    rlp_put_bytes(out, e->r.sig, MB_RECEIPT_SIG_LEN);
    rlp_put_u64(out, (uint64_t)e->status);
    rlp_put_u64(out, e->reason);
    rlp_put_u256(out, &e->accepted);
    rlp_put_bytes(out, e->tx.b, 32);
    rlp_put_u64(out, e->sent_block);
    int rc = rlp_list_end(out, m);
    return rc ? rc : bytes_ok(out);
}

int mb_entry_decode_value(const uint8_t *p, size_t len, struct mb_entry *e)
{
    if (len > MB_ENTRY_VALUE_MAX)
        return err_set(ERR_DECODE, "receipt book: a record of %zu bytes", len);
    struct rlp_item list, it[8];
    int rc = rlp_decode(p, len, &list);
    if (rc == 0 && !list.is_list)
        rc = err_set(ERR_DECODE, "receipt book: a record that is not a list");
    if (rc == 0)
        rc = rlp_list_exact(&list, it, 8);
    uint64_t version = 0, status = 0, reason = 0;
    if (rc == 0)
        rc = rlp_get_u64(&it[0], &version);
    if (rc == 0 && version != VALUE_VERSION)
        rc = err_set(ERR_DECODE, "receipt book: record version %llu",
                     (unsigned long long)version);
    if (rc == 0)
        rc = rlp_get_u256(&it[1], &e->r.units);
    if (rc == 0)
        rc = rlp_get_fixed(&it[2], e->r.sig, MB_RECEIPT_SIG_LEN);
    if (rc == 0)
        rc = rlp_get_u64(&it[3], &status);
    if (rc == 0 && status > MB_EXPIRED)
        rc = err_set(ERR_DECODE, "receipt book: status %llu", (unsigned long long)status);
    if (rc == 0)
        rc = rlp_get_u64(&it[4], &reason);
    if (rc == 0 && reason > 255)
        rc = err_set(ERR_DECODE, "receipt book: reason %llu", (unsigned long long)reason);
    if (rc == 0)
        rc = rlp_get_u256(&it[5], &e->accepted);
    if (rc == 0)
        rc = rlp_get_fixed(&it[6], e->tx.b, 32);
    if (rc == 0)
        rc = rlp_get_u64(&it[7], &e->sent_block);
    if (rc)
        return err_set(ERR_DECODE, "receipt book: damaged record (%s)", err_msg());
    e->status = (enum mb_status)status;
    e->reason = (uint8_t)reason;
    return 0;
}

/* ---- open / close --------------------------------------------------------------- */

int mb_book_open(const char *dir, struct mb_book **out)
{
    *out = NULL;
    struct mb_book *b = calloc(1, sizeof *b);
    if (!b)
        return err_set(ERR_NOMEM, "receipt book");
    int rc = db_open(dir, NULL, &b->db);
    if (rc) {
        free(b);
        return err_wrap(rc, "receipt book %s", dir);
    }
    uint8_t *v = NULL;
    size_t vlen = 0;
    rc = db_get(b->db, NULL, "v", 1, &v, &vlen);
    if (rc == ERR_NOTFOUND) {
        struct bytes enc = {0};
        rlp_put_u64(&enc, SCHEMA_VERSION);
        rc = bytes_ok(&enc);
        if (rc == 0)
            rc = db_put(b->db, "v", 1, enc.data, enc.len, true);
        bytes_free(&enc);
    } else if (rc == 0) {
        struct rlp_item it;
        uint64_t version = 0;
        rc = rlp_decode(v, vlen, &it);
        if (rc == 0)
            rc = rlp_get_u64(&it, &version);
        if (rc)
            rc = err_set(ERR_DECODE, "receipt book %s: a damaged schema version", dir);
        else if (version != SCHEMA_VERSION)
            rc = err_set(ERR_UNSUPPORTED, "receipt book %s: schema %llu (this node knows %u)",
                         dir, (unsigned long long)version, SCHEMA_VERSION);
    }
    free(v);
    if (rc) {
        db_close(b->db);
        free(b);
        return rc;
    }
    pthread_mutex_init(&b->lock, NULL);
    *out = b;
    return 0;
}

void mb_book_close(struct mb_book *b)
{
    if (!b)
        return;
    db_close(b->db);
    pthread_mutex_destroy(&b->lock);
    free(b);
}

/* ---- reads and writes (the lock held) --------------------------------------------- */

static int get_locked(struct mb_book *b, const uint8_t key[KEY_LEN], struct mb_entry *e)
{
    uint8_t *v = NULL;
    size_t vlen = 0;
    int rc = db_get(b->db, NULL, key, KEY_LEN, &v, &vlen);
    if (rc)
        return rc;
    rc = mb_entry_decode_value(v, vlen, e);
    free(v);
    if (rc)
        return rc;
    memcpy(e->r.provider.b, key + 1, 20);
    e->r.epoch = get_be64(key + PREFIX_LEN);
    memcpy(e->r.client.b, key + PREFIX_LEN + 8, 20);
    return 0;
}

static int encode_into(struct db_batch *batch, const struct mb_entry *e)
{
    uint8_t key[KEY_LEN];
    make_key(key, &e->r.provider, &e->r.client, e->r.epoch);
    struct bytes enc = {0};
    int rc = mb_entry_encode_value(e, &enc);
    if (rc == 0)
        db_batch_put(batch, key, KEY_LEN, enc.data, enc.len);
    bytes_free(&enc);
    return rc;
}

int mb_book_put(struct mb_book *b, const struct mb_receipt *r, bool *replaced)
{
    if (replaced)
        *replaced = false;
    uint8_t key[KEY_LEN];
    make_key(key, &r->provider, &r->client, r->epoch);
    pthread_mutex_lock(&b->lock);
    struct mb_entry e;
    memset(&e, 0, sizeof e);
    int rc = get_locked(b, key, &e);
    bool had = rc == 0;
    if (rc == ERR_NOTFOUND)
        rc = 0;
    if (rc == 0 && had && u256_cmp(&r->units, &e.r.units) <= 0) {
        char have[U256_DEC_BUF];
        u256_to_dec(&e.r.units, have);
        rc = err_set(ERR_INVAL, "replay: the book holds a receipt of %s units for this client "
                                "and epoch (a new one must have more)", have);
    }
    if (rc == 0) {
        u256 accepted = had ? e.accepted : u256_from_u64(0);
        memset(&e, 0, sizeof e);
        e.r = *r;
        e.status = MB_STORED;
        e.accepted = accepted;
        struct db_batch *batch = db_batch_new();
        rc = batch ? encode_into(batch, &e) : err_set(ERR_NOMEM, "receipt book");
        if (rc == 0)
            rc = db_batch_write(b->db, batch, true);
        db_batch_free(batch);
    }
    pthread_mutex_unlock(&b->lock);
    if (rc == 0 && replaced)
        *replaced = had;
    return rc;
}

int mb_book_get(struct mb_book *b, const struct address *provider, const struct address *client,
                uint64_t epoch, struct mb_entry *out)
{
    uint8_t key[KEY_LEN];
    make_key(key, provider, client, epoch);
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&b->lock);
    int rc = get_locked(b, key, out);
    pthread_mutex_unlock(&b->lock);
    return rc;
}

int mb_book_list(struct mb_book *b, const struct address *provider, uint64_t from, uint64_t to,
                 size_t max, struct mb_entry **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (max > MB_BOOK_LIST_MAX)
        max = MB_BOOK_LIST_MAX;
    if (from > to || max == 0)
        return 0;
    uint8_t start[PREFIX_LEN + 8];
    start[0] = 'r';
    memcpy(start + 1, provider->b, 20);
    put_be64(start + PREFIX_LEN, from);
    struct db_iter *it = db_iter_new(b->db, NULL);
    if (!it)
        return err_set(ERR_NOMEM, "receipt book list");
    int rc = 0;
    struct mb_entry *v = NULL;
    size_t cnt = 0, cap = 0;
    pthread_mutex_lock(&b->lock);
    for (db_iter_seek(it, start, sizeof start); rc == 0 && db_iter_valid(it) && cnt < max;
         db_iter_next(it)) {
        size_t klen = 0, vlen = 0;
        const uint8_t *k = db_iter_key(it, &klen);
        const uint8_t *val = db_iter_value(it, &vlen);
        if (klen != KEY_LEN || memcmp(k, start, PREFIX_LEN) != 0)
            break;
        if (get_be64(k + PREFIX_LEN) > to)
            break;
        if (cnt == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            struct mb_entry *nv = realloc(v, ncap * sizeof *nv);
            if (!nv) {
                rc = err_set(ERR_NOMEM, "receipt book list");
                break;
            }
            v = nv;
            cap = ncap;
        }
        struct mb_entry *e = &v[cnt];
        memset(e, 0, sizeof *e);
        rc = mb_entry_decode_value(val, vlen, e);
        if (rc)
            break;
        memcpy(e->r.provider.b, k + 1, 20);
        e->r.epoch = get_be64(k + PREFIX_LEN);
        memcpy(e->r.client.b, k + PREFIX_LEN + 8, 20);
        cnt++;
    }
    if (rc == 0)
        rc = db_iter_status(it);
    pthread_mutex_unlock(&b->lock);
    db_iter_free(it);
    if (rc) {
        free(v);
        return rc;
    }
    *out = cnt ? v : NULL;
    if (!cnt)
        free(v);
    *n = cnt;
    return 0;
}

int mb_book_mark(struct mb_book *b, const struct mb_entry *e, size_t n)
{
    struct db_batch *batch = db_batch_new();
    if (!batch)
        return err_set(ERR_NOMEM, "receipt book");
    int rc = 0;
    pthread_mutex_lock(&b->lock);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        uint8_t key[KEY_LEN];
        make_key(key, &e[i].r.provider, &e[i].r.client, e[i].r.epoch);
        struct mb_entry cur;
        memset(&cur, 0, sizeof cur);
        rc = get_locked(b, key, &cur);
        if (rc == ERR_NOTFOUND) {
            rc = 0;
            continue;
        }
        if (rc)
            break;
        if (u256_cmp(&cur.r.units, &e[i].r.units) == 0) {
            cur.status = e[i].status;
            cur.reason = e[i].reason;
            cur.accepted = e[i].accepted;
            cur.tx = e[i].tx;
            cur.sent_block = e[i].sent_block;
        } else if (u256_cmp(&e[i].accepted, &cur.accepted) > 0) {
            cur.accepted = e[i].accepted;
        } else {
            continue;
        }
        rc = encode_into(batch, &cur);
    }
    if (rc == 0)
        rc = db_batch_write(b->db, batch, true);
    pthread_mutex_unlock(&b->lock);
    db_batch_free(batch);
    return rc;
}

int mb_book_prune(struct mb_book *b, const struct address *provider, uint64_t before, size_t max,
                  size_t *removed)
{
    if (removed)
        *removed = 0;
    if (before == 0 || max == 0)
        return 0;
    uint8_t start[PREFIX_LEN + 8];
    start[0] = 'r';
    memcpy(start + 1, provider->b, 20);
    put_be64(start + PREFIX_LEN, 0);
    struct db_batch *batch = db_batch_new();
    struct db_iter *it = batch ? db_iter_new(b->db, NULL) : NULL;
    if (!it) {
        db_batch_free(batch);
        return err_set(ERR_NOMEM, "receipt book prune");
    }
    size_t cnt = 0;
    pthread_mutex_lock(&b->lock);
    for (db_iter_seek(it, start, sizeof start); db_iter_valid(it) && cnt < max; db_iter_next(it)) {
        size_t klen = 0;
        const uint8_t *k = db_iter_key(it, &klen);
        if (klen != KEY_LEN || memcmp(k, start, PREFIX_LEN) != 0 ||
            get_be64(k + PREFIX_LEN) >= before)
            break;
        db_batch_delete(batch, k, klen);
        cnt++;
    }
    int rc = db_iter_status(it);
    db_iter_free(it);
    if (rc == 0 && cnt)
        rc = db_batch_write(b->db, batch, true);
    pthread_mutex_unlock(&b->lock);
    db_batch_free(batch);
    if (rc)
        return err_wrap(rc, "receipt book prune");
    if (removed)
        *removed = cnt;
    return 0;
}
