/*
 * chaindb.c — the chain database schema; see chaindb.h and doc/datadir.md.
 *
 * Encodings reuse the consensus codecs (header, body, receipt RLP) so that a
 * stored record is exactly what the wire carries and what the roots commit
 * to; the only schema-private encodings are the TD (an RLP integer), the
 * transaction lookup (RLP [hash, index]) and the schema version (an RLP
 * integer). Every read goes through one helper that fetches the value and
 * names the record in the error context.
 */
#include "chain/chaindb.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/keccak.h"
#include "primitives/rlp.h"
#include "util/err.h"

/* Smallest receipt encoding: f9 0105 80 80 b90100<256> c0. */
#define RECEIPT_MIN_ENCODED_SIZE 265

void chaindb_key_hash(uint8_t key[33], uint8_t prefix, const struct hash32 *hash)
{
    key[0] = prefix;
    memcpy(key + 1, hash->b, 32);
}

void chaindb_key_number(uint8_t key[9], uint8_t prefix, uint64_t number)
{
    key[0] = prefix;
    be_put64(key + 1, number);
}

static const char *record_name(uint8_t prefix)
{
    switch (prefix) {
    case CHAINDB_PREFIX_HEADER: return "header";
    case CHAINDB_PREFIX_BODY: return "body";
    case CHAINDB_PREFIX_RECEIPTS: return "receipts";
    case CHAINDB_PREFIX_TD: return "total difficulty";
    case CHAINDB_PREFIX_TXLOOKUP: return "tx lookup";
    default: return "record";
    }
}

/* Reads prefix ‖ hash; ERR_NOTFOUND names the record. */
static int get_by_hash(struct db *db, const struct db_snapshot *snap, uint8_t prefix,
                       const struct hash32 *hash, uint8_t **val, size_t *len)
{
    uint8_t key[33];
    chaindb_key_hash(key, prefix, hash);
    *val = NULL;
    *len = 0;
    int rc = db_get(db, snap, key, sizeof key, val, len);
    if (rc) {
        char hex[HASH32_HEX_SIZE];
        hash32_to_hex(hash, hex);
        if (rc == ERR_NOTFOUND)
            return err_set(ERR_NOTFOUND, "chaindb: no %s for %s", record_name(prefix), hex);
        return err_wrap(rc, "chaindb: reading %s of %s", record_name(prefix), hex);
    }
    return 0;
}

static int corrupt(int rc, uint8_t prefix, const struct hash32 *hash)
{
    char hex[HASH32_HEX_SIZE];
    hash32_to_hex(hash, hex);
    return err_wrap(rc, "chaindb: corrupt %s of %s", record_name(prefix), hex);
}

/* ---- writers ---------------------------------------------------------------- */

static int put_encoded(struct db_batch *batch, uint8_t prefix, const struct hash32 *hash,
                       struct bytes *enc)
{
    int rc = bytes_ok(enc);
    if (rc == 0) {
        uint8_t key[33];
        chaindb_key_hash(key, prefix, hash);
        db_batch_put(batch, key, sizeof key, enc->data, enc->len);
    }
    bytes_free(enc);
    return rc;
}

int chaindb_write_header(struct db_batch *batch, const struct hash32 *hash,
                         const struct header *h)
{
    struct bytes enc = BYTES_INIT;
    header_encode(h, &enc);
    return put_encoded(batch, CHAINDB_PREFIX_HEADER, hash, &enc);
}

int chaindb_write_body(struct db_batch *batch, const struct hash32 *hash,
                       const struct block_body *body)
{
    struct bytes enc = BYTES_INIT;
    block_body_encode(body, &enc);
    return put_encoded(batch, CHAINDB_PREFIX_BODY, hash, &enc);
}

int chaindb_write_receipts(struct db_batch *batch, const struct hash32 *hash,
                           const struct receipt *receipts, size_t n)
{
    struct bytes enc = BYTES_INIT;
    size_t m = rlp_list_begin(&enc);
    for (size_t i = 0; i < n; i++)
        receipt_encode(&receipts[i], &enc);
    rlp_list_end(&enc, m);
    return put_encoded(batch, CHAINDB_PREFIX_RECEIPTS, hash, &enc);
}

int chaindb_write_td(struct db_batch *batch, const struct hash32 *hash, const u256 *td)
{
    struct bytes enc = BYTES_INIT;
    rlp_put_u256(&enc, td);
    return put_encoded(batch, CHAINDB_PREFIX_TD, hash, &enc);
}

int chaindb_write_block(struct db_batch *batch, const struct hash32 *hash, const struct block *b,
                        const struct receipt *receipts, size_t n, const u256 *td)
{
    int rc = chaindb_write_header(batch, hash, &b->header);
    if (rc == 0)
        rc = chaindb_write_body(batch, hash, &b->body);
    if (rc == 0)
        rc = chaindb_write_receipts(batch, hash, receipts, n);
    if (rc == 0)
        rc = chaindb_write_td(batch, hash, td);
    return rc;
}

void chaindb_write_canonical(struct db_batch *batch, uint64_t number, const struct hash32 *hash)
{
    uint8_t key[9];
    chaindb_key_number(key, CHAINDB_PREFIX_CANONICAL, number);
    db_batch_put(batch, key, sizeof key, hash->b, 32);
}

void chaindb_delete_canonical(struct db_batch *batch, uint64_t number)
{
    uint8_t key[9];
    chaindb_key_number(key, CHAINDB_PREFIX_CANONICAL, number);
    db_batch_delete(batch, key, sizeof key);
}

int chaindb_write_tx_lookups(struct db_batch *batch, const struct hash32 *block_hash,
                             const struct block_body *body)
{
    struct bytes enc = BYTES_INIT;
    for (size_t i = 0; i < body->tx_count; i++) {
        struct hash32 th;
        int rc = tx_hash(&body->txs[i], th.b);
        if (rc) {
            bytes_free(&enc);
            return rc;
        }
        bytes_reset(&enc);
        size_t m = rlp_list_begin(&enc);
        rlp_put_bytes(&enc, block_hash->b, 32);
        rlp_put_u64(&enc, (uint64_t)i);
        rlp_list_end(&enc, m);
        if ((rc = bytes_ok(&enc)) != 0) {
            bytes_free(&enc);
            return rc;
        }
        uint8_t key[33];
        chaindb_key_hash(key, CHAINDB_PREFIX_TXLOOKUP, &th);
        db_batch_put(batch, key, sizeof key, enc.data, enc.len);
    }
    bytes_free(&enc);
    return 0;
}

int chaindb_delete_tx_lookups(struct db_batch *batch, const struct block_body *body)
{
    for (size_t i = 0; i < body->tx_count; i++) {
        struct hash32 th;
        int rc = tx_hash(&body->txs[i], th.b);
        if (rc)
            return rc;
        uint8_t key[33];
        chaindb_key_hash(key, CHAINDB_PREFIX_TXLOOKUP, &th);
        db_batch_delete(batch, key, sizeof key);
    }
    return 0;
}

int chaindb_delete_canonical_above(struct db *db, struct db_batch *batch, uint64_t number,
                                   size_t *deleted)
{
    if (deleted)
        *deleted = 0;
    if (number == UINT64_MAX)
        return 0;
    struct db_iter *it = db_iter_new(db, NULL);
    if (!it)
        return err_set(ERR_NOMEM, "chaindb: iterator");
    uint8_t start[9];
    chaindb_key_number(start, CHAINDB_PREFIX_CANONICAL, number + 1);
    int rc = 0;
    size_t count = 0;
    for (db_iter_seek(it, start, sizeof start); db_iter_valid(it); db_iter_next(it)) {
        size_t klen, vlen;
        const uint8_t *k = db_iter_key(it, &klen);
        if (klen == 0 || k[0] != CHAINDB_PREFIX_CANONICAL)
            break;
        if (klen != 9)
            continue; /* not ours: keys of this prefix are 9 bytes */
        const uint8_t *v = db_iter_value(it, &vlen);
        if (vlen == 32) {
            struct hash32 h;
            memcpy(h.b, v, 32);
            struct block_body body;
            rc = chaindb_read_body(db, NULL, &h, &body);
            if (rc == 0) {
                rc = chaindb_delete_tx_lookups(batch, &body);
                block_body_free(&body);
            } else if (rc == ERR_NOTFOUND) {
                rc = 0;
            }
            if (rc)
                break;
        }
        db_batch_delete(batch, k, klen);
        count++;
    }
    if (rc == 0)
        rc = db_iter_status(it);
    db_iter_free(it);
    if (deleted)
        *deleted = count;
    return rc;
}

void chaindb_write_head(struct db_batch *batch, const struct hash32 *hash)
{
    db_batch_put(batch, CHAINDB_KEY_HEAD, strlen(CHAINDB_KEY_HEAD), hash->b, 32);
}

int chaindb_write_schema(struct db_batch *batch)
{
    struct bytes enc = BYTES_INIT;
    rlp_put_u64(&enc, CHAINDB_SCHEMA_VERSION);
    int rc = bytes_ok(&enc);
    if (rc == 0)
        db_batch_put(batch, CHAINDB_KEY_SCHEMA, strlen(CHAINDB_KEY_SCHEMA), enc.data, enc.len);
    bytes_free(&enc);
    return rc;
}

/* ---- readers ---------------------------------------------------------------- */

int chaindb_read_header(struct db *db, const struct db_snapshot *snap, const struct hash32 *hash,
                        struct header *h)
{
    uint8_t *v;
    size_t n;
    int rc = get_by_hash(db, snap, CHAINDB_PREFIX_HEADER, hash, &v, &n);
    if (rc)
        return rc;
    rc = header_decode(v, n, h);
    if (rc == 0) {
        /* The key commits to the value: a flipped bit anywhere shows here. */
        struct hash32 got;
        keccak256(v, n, got.b);
        if (!hash32_eq(&got, hash)) {
            header_free(h);
            rc = err_set(ERR_DECODE, "header does not hash to its key");
        }
    }
    free(v);
    return rc ? corrupt(rc, CHAINDB_PREFIX_HEADER, hash) : 0;
}

bool chaindb_has_header(struct db *db, const struct hash32 *hash)
{
    uint8_t key[33];
    chaindb_key_hash(key, CHAINDB_PREFIX_HEADER, hash);
    return db_has(db, key, sizeof key);
}

int chaindb_read_body(struct db *db, const struct db_snapshot *snap, const struct hash32 *hash,
                      struct block_body *body)
{
    uint8_t *v;
    size_t n;
    memset(body, 0, sizeof *body);
    int rc = get_by_hash(db, snap, CHAINDB_PREFIX_BODY, hash, &v, &n);
    if (rc)
        return rc;
    rc = block_body_decode(v, n, body);
    free(v);
    return rc ? corrupt(rc, CHAINDB_PREFIX_BODY, hash) : 0;
}

int chaindb_read_block(struct db *db, const struct db_snapshot *snap, const struct hash32 *hash,
                       struct block *b)
{
    memset(b, 0, sizeof *b);
    int rc = chaindb_read_header(db, snap, hash, &b->header);
    if (rc)
        return rc;
    rc = chaindb_read_body(db, snap, hash, &b->body);
    if (rc)
        header_free(&b->header);
    return rc;
}

void chaindb_receipts_free(struct receipt *receipts, size_t n)
{
    if (!receipts)
        return;
    for (size_t i = 0; i < n; i++)
        receipt_free(&receipts[i]);
    free(receipts);
}

static int decode_receipts(const uint8_t *v, size_t len, struct receipt **out, size_t *nout)
{
    struct rlp_item list, item;
    int rc = rlp_decode(v, len, &list);
    if (rc)
        return rc;
    if (!list.is_list)
        return err_set(ERR_DECODE, "receipts: not a list");
    size_t count;
    if ((rc = rlp_list_count(&list, &count)) != 0)
        return rc;
    if (count > CHAINDB_MAX_RECEIPTS)
        return err_set(ERR_RANGE, "receipts: %zu items", count);
    if (count > list.payload_len / RECEIPT_MIN_ENCODED_SIZE)
        return err_set(ERR_DECODE, "receipts: %zu items in %zu bytes", count, list.payload_len);
    if (count == 0)
        return 0;
    struct receipt *rs = calloc(count, sizeof *rs);
    if (!rs)
        return err_set(ERR_NOMEM, "receipts: %zu", count);
    struct rlp_iter it;
    rlp_iter_init(&it, &list);
    size_t i = 0;
    for (; i < count; i++) {
        rc = rlp_iter_next(&it, &item);
        if (rc != 1) {
            rc = rc ? rc : err_set(ERR_DECODE, "receipts: list ended early");
            break;
        }
        if ((rc = receipt_decode_item(&item, &rs[i])) != 0) {
            rc = err_wrap(rc, "receipt %zu", i);
            break;
        }
    }
    if (rc) {
        chaindb_receipts_free(rs, i);
        return rc;
    }
    *out = rs;
    *nout = count;
    return 0;
}

int chaindb_read_receipts(struct db *db, const struct db_snapshot *snap,
                          const struct hash32 *hash, struct receipt **receipts, size_t *n)
{
    uint8_t *v;
    size_t len;
    *receipts = NULL;
    *n = 0;
    int rc = get_by_hash(db, snap, CHAINDB_PREFIX_RECEIPTS, hash, &v, &len);
    if (rc)
        return rc;
    rc = decode_receipts(v, len, receipts, n);
    free(v);
    return rc ? corrupt(rc, CHAINDB_PREFIX_RECEIPTS, hash) : 0;
}

int chaindb_read_td(struct db *db, const struct db_snapshot *snap, const struct hash32 *hash,
                    u256 *td)
{
    uint8_t *v;
    size_t len;
    int rc = get_by_hash(db, snap, CHAINDB_PREFIX_TD, hash, &v, &len);
    if (rc)
        return rc;
    struct rlp_item it;
    rc = rlp_decode(v, len, &it);
    if (rc == 0)
        rc = rlp_get_u256(&it, td);
    free(v);
    return rc ? corrupt(rc, CHAINDB_PREFIX_TD, hash) : 0;
}

int chaindb_read_canonical(struct db *db, const struct db_snapshot *snap, uint64_t number,
                           struct hash32 *hash)
{
    uint8_t key[9];
    chaindb_key_number(key, CHAINDB_PREFIX_CANONICAL, number);
    uint8_t *v = NULL;
    size_t len = 0;
    int rc = db_get(db, snap, key, sizeof key, &v, &len);
    if (rc == ERR_NOTFOUND)
        return err_set(ERR_NOTFOUND, "chaindb: no canonical block %llu",
                       (unsigned long long)number);
    if (rc)
        return err_wrap(rc, "chaindb: reading canonical block %llu", (unsigned long long)number);
    if (len != 32)
        rc = err_set(ERR_DECODE, "chaindb: corrupt canonical entry %llu (%zu bytes)",
                     (unsigned long long)number, len);
    else
        memcpy(hash->b, v, 32);
    free(v);
    return rc;
}

int chaindb_read_tx_lookup(struct db *db, const struct db_snapshot *snap,
                           const struct hash32 *tx_hash, struct chaindb_tx_location *loc)
{
    uint8_t *v;
    size_t len;
    int rc = get_by_hash(db, snap, CHAINDB_PREFIX_TXLOOKUP, tx_hash, &v, &len);
    if (rc)
        return rc;
    struct rlp_item list, items[2];
    rc = rlp_decode(v, len, &list);
    if (rc == 0)
        rc = rlp_list_exact(&list, items, 2);
    if (rc == 0)
        rc = rlp_get_fixed(&items[0], loc->block_hash.b, 32);
    if (rc == 0)
        rc = rlp_get_u64(&items[1], &loc->index);
    free(v);
    return rc ? corrupt(rc, CHAINDB_PREFIX_TXLOOKUP, tx_hash) : 0;
}

int chaindb_read_head(struct db *db, const struct db_snapshot *snap, struct hash32 *hash)
{
    uint8_t *v = NULL;
    size_t len = 0;
    int rc = db_get(db, snap, CHAINDB_KEY_HEAD, strlen(CHAINDB_KEY_HEAD), &v, &len);
    if (rc == ERR_NOTFOUND)
        return err_set(ERR_NOTFOUND, "chaindb: no head block");
    if (rc)
        return err_wrap(rc, "chaindb: reading the head");
    if (len != 32)
        rc = err_set(ERR_DECODE, "chaindb: corrupt head (%zu bytes)", len);
    else
        memcpy(hash->b, v, 32);
    free(v);
    return rc;
}

int chaindb_read_schema(struct db *db, const struct db_snapshot *snap, uint64_t *version)
{
    uint8_t *v = NULL;
    size_t len = 0;
    int rc = db_get(db, snap, CHAINDB_KEY_SCHEMA, strlen(CHAINDB_KEY_SCHEMA), &v, &len);
    if (rc == ERR_NOTFOUND)
        return err_set(ERR_NOTFOUND, "chaindb: no schema version");
    if (rc)
        return err_wrap(rc, "chaindb: reading the schema version");
    struct rlp_item it;
    rc = rlp_decode(v, len, &it);
    if (rc == 0)
        rc = rlp_get_u64(&it, version);
    free(v);
    return rc ? err_wrap(rc, "chaindb: corrupt schema version") : 0;
}
