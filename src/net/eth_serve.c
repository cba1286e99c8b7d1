/*
 * eth_serve.c — answers to eth requests from the chain database; see
 * eth_serve.h.
 *
 * Records are fetched with db_get under chain/chaindb.h's keys (its public
 * key helpers) rather than through chaindb's decoding readers, because an
 * answer carries the stored bytes as they are: decoding a body or a receipt
 * list only to encode it again would be the whole cost of serving. Each
 * record gets the cheap check its kind allows (header and node: the hash of
 * the bytes is the key; body and receipts: one valid RLP list) so that a
 * damaged record is left out instead of being sent.
 *
 * One struct serve holds the snapshot and the running totals of a call;
 * every reader returns 0, ERR_NOTFOUND (absent, or present but damaged —
 * logged once here) or a hard error (ERR_IO, ERR_NOMEM) that aborts the
 * answer.
 */
#include "net/eth_serve.h"

#include <stdlib.h>
#include <string.h>

#include "chain/chaindb.h"
#include "crypto/keccak.h"
#include "primitives/header.h"
#include "primitives/rlp.h"
#include "trie/trie.h"
#include "util/err.h"
#include "util/log.h"

struct serve {
    struct db *db;
    struct db_snapshot *snap;
    struct bytes *out;
    size_t start;           /* out->len when the call began */
    size_t marker;          /* the answer list's marker */
    size_t items;           /* items in the answer */
    size_t bytes;           /* their encoded size */
};

static int serve_begin(struct serve *s, struct db *db, struct bytes *out)
{
    memset(s, 0, sizeof *s);
    s->db = db;
    s->out = out;
    s->start = out->len;
    s->snap = db_snapshot_new(db);
    if (!s->snap)
        return err_set(ERR_NOMEM, "eth serve: snapshot");
    s->marker = rlp_list_begin(out);
    return 0;
}

/* Closes the answer (or, on error, drops what was appended) and the snapshot. */
static int serve_end(struct serve *s, int rc, size_t *count)
{
    if (s->snap)
        db_snapshot_free(s->db, s->snap);
    if (rc == 0) {
        rlp_list_end(s->out, s->marker);
        rc = bytes_ok(s->out);
    }
    if (rc) {
        if (!s->out->oom)
            s->out->len = s->start;
        s->items = 0;
    }
    if (count)
        *count = s->items;
    return rc;
}

/* True while another item may be added under `max` and the soft limit. */
static bool serve_room(const struct serve *s, size_t max)
{
    return s->items < max && s->bytes < ETH_SOFT_RESPONSE_LIMIT;
}

static void serve_add(struct serve *s, const uint8_t *raw, size_t len)
{
    rlp_put_raw(s->out, raw, len);
    s->items++;
    s->bytes += len;
}

/* A record that is present but unusable: logged, then treated as absent. */
static int damaged(const char *what, const struct hash32 *hash, const char *why)
{
    char hex[HASH32_HEX_SIZE];
    hash32_to_hex(hash, hex);
    log_warn("eth serve: damaged %s %s left out of an answer: %s", what, hex, why);
    return ERR_NOTFOUND;
}

/* Fetches prefix ‖ hash. Returns 0 (*val malloc'ed), ERR_NOTFOUND, ERR_IO,
 * ERR_NOMEM. */
static int get_record(struct serve *s, uint8_t prefix, const struct hash32 *hash, uint8_t **val,
                      size_t *len)
{
    uint8_t key[33];
    chaindb_key_hash(key, prefix, hash);
    *val = NULL;
    *len = 0;
    return db_get(s->db, s->snap, key, sizeof key, val, len);
}

/* The canonical hash at `number`. Returns 0, ERR_NOTFOUND (also for a
 * damaged entry), ERR_IO, ERR_NOMEM. */
static int canonical(struct serve *s, uint64_t number, struct hash32 *hash)
{
    int rc = chaindb_read_canonical(s->db, s->snap, number, hash);
    if (rc == ERR_DECODE) {
        log_warn("eth serve: %s", err_msg());
        return ERR_NOTFOUND;
    }
    return rc;
}

/* The header stored under `hash`: its raw bytes (checked against the hash)
 * and decoded form. Returns 0 (caller frees *raw and h), ERR_NOTFOUND,
 * ERR_IO, ERR_NOMEM. */
static int read_header(struct serve *s, const struct hash32 *hash, struct header *h,
                       uint8_t **raw, size_t *len)
{
    int rc = get_record(s, CHAINDB_PREFIX_HEADER, hash, raw, len);
    if (rc)
        return rc;
    struct hash32 got;
    keccak256(*raw, *len, got.b);
    if (!hash32_eq(&got, hash))
        rc = damaged("header", hash, "does not hash to its key");
    else if ((rc = header_decode(*raw, *len, h)) != 0)
        rc = rc == ERR_NOMEM ? rc : damaged("header", hash, err_msg());
    if (rc) {
        free(*raw);
        *raw = NULL;
    }
    return rc;
}

/* True when `hash` is the canonical block at `number`. Hard errors in *rc. */
static bool is_canonical(struct serve *s, uint64_t number, const struct hash32 *hash, int *rc)
{
    struct hash32 c;
    int r = canonical(s, number, &c);
    if (r && r != ERR_NOTFOUND)
        *rc = r;
    return r == 0 && hash32_eq(&c, hash);
}

/*
 * The ancestor `step` blocks below the block `hash` at `number` whose parent
 * is `parent` (geth's GetAncestor): through the canonical index as soon as
 * the walk is on the canonical chain, else by parent links, spending
 * *budget. Returns 0 with *out, ERR_NOTFOUND (no such block or budget
 * spent), ERR_IO, ERR_NOMEM.
 */
static int ancestor(struct serve *s, struct hash32 hash, uint64_t number, struct hash32 parent,
                    uint64_t step, unsigned *budget, struct hash32 *out)
{
    bool have_parent = true;
    int rc = 0;
    while (step > 0) {
        if (is_canonical(s, number, &hash, &rc))
            return canonical(s, number - step, out);
        if (rc)
            return rc;
        if (*budget == 0)
            return ERR_NOTFOUND;
        if (!have_parent) {
            struct header h;
            uint8_t *raw;
            size_t len;
            if ((rc = read_header(s, &hash, &h, &raw, &len)) != 0)
                return rc;
            parent = h.parent_hash;
            header_free(&h);
            free(raw);
        }
        (*budget)--;
        step--;
        hash = parent;
        number--;
        have_parent = false;
    }
    *out = hash;
    return 0;
}

/* Finds the header after `h` (stored under `hash`) in the walk of q.
 * Returns 0 with *next, ERR_NOTFOUND (the walk ends), ERR_IO, ERR_NOMEM. */
static int next_header(struct serve *s, const struct eth_get_headers *q, const struct hash32 *hash,
                       const struct header *h, unsigned *budget, struct hash32 *next)
{
    if (q->skip == UINT64_MAX)
        return ERR_NOTFOUND;
    uint64_t step = q->skip + 1;
    int rc = 0;
    if (q->reverse) {
        if (h->number < step)
            return ERR_NOTFOUND;
        if (!q->by_hash)
            return canonical(s, h->number - step, next);
        return ancestor(s, *hash, h->number, h->parent_hash, step, budget, next);
    }
    if (h->number > UINT64_MAX - step)
        return ERR_NOTFOUND;
    /* Forward by hash only from the canonical chain: above a side block
     * there is no way to know which descendant the peer means. */
    if (q->by_hash && !is_canonical(s, h->number, hash, &rc))
        return rc ? rc : ERR_NOTFOUND;
    return canonical(s, h->number + step, next);
}

int eth_serve_headers(struct db *db, const struct eth_get_headers *q, struct bytes *out,
                      size_t *count)
{
    struct serve s;
    int rc = serve_begin(&s, db, out);
    if (rc)
        return serve_end(&s, rc, count);
    size_t max = q->amount < ETH_MAX_HEADERS ? (size_t)q->amount : ETH_MAX_HEADERS;
    unsigned budget = ETH_MAX_NONCANONICAL_STEPS;
    struct hash32 hash = q->hash;
    if (!q->by_hash)
        rc = canonical(&s, q->number, &hash);
    while (rc == 0 && serve_room(&s, max)) {
        struct header h;
        uint8_t *raw;
        size_t len;
        if ((rc = read_header(&s, &hash, &h, &raw, &len)) != 0)
            break;
        serve_add(&s, raw, len);
        free(raw);
        if (serve_room(&s, max))
            rc = next_header(&s, q, &hash, &h, &budget, &hash);
        header_free(&h);
    }
    return serve_end(&s, rc == ERR_NOTFOUND ? 0 : rc, count);
}

int eth_serve_bodies(struct db *db, const struct hash32 *hashes, size_t n, struct bytes *out,
                     size_t *count)
{
    struct serve s;
    int rc = serve_begin(&s, db, out);
    for (size_t i = 0; rc == 0 && i < n && serve_room(&s, ETH_MAX_BODIES); i++) {
        uint8_t *raw;
        size_t len;
        struct rlp_item body, parts[2];
        int r = get_record(&s, CHAINDB_PREFIX_BODY, &hashes[i], &raw, &len);
        if (r == ERR_NOTFOUND)
            continue;
        if (r) {
            rc = r;
            break;
        }
        if (rlp_validate(raw, len) || rlp_decode(raw, len, &body) ||
            rlp_list_exact(&body, parts, 2) || !parts[0].is_list || !parts[1].is_list)
            damaged("body", &hashes[i], "not [[txs], [uncles]]");
        else
            serve_add(&s, raw, len);
        free(raw);
    }
    return serve_end(&s, rc, count);
}

int eth_serve_receipts(struct db *db, const struct hash32 *hashes, size_t n, struct bytes *out,
                       size_t *count)
{
    static const uint8_t empty_list = 0xc0;
    struct serve s;
    int rc = serve_begin(&s, db, out);
    for (size_t i = 0; rc == 0 && i < n && serve_room(&s, ETH_MAX_RECEIPTS); i++) {
        uint8_t *raw;
        size_t len;
        struct rlp_item list;
        int r = get_record(&s, CHAINDB_PREFIX_RECEIPTS, &hashes[i], &raw, &len);
        if (r == ERR_NOTFOUND) {
            /* No record: an empty block still has an (empty) answer. */
            struct header h;
            r = read_header(&s, &hashes[i], &h, &raw, &len);
            if (r == 0) {
                if (memcmp(h.receipt_root.b, TRIE_EMPTY_ROOT, 32) == 0)
                    serve_add(&s, &empty_list, 1);
                header_free(&h);
                free(raw);
            }
            if (r && r != ERR_NOTFOUND)
                rc = r;
            continue;
        }
        if (r) {
            rc = r;
            break;
        }
        if (rlp_validate(raw, len) || rlp_decode(raw, len, &list) || !list.is_list)
            damaged("receipt list", &hashes[i], "not an RLP list");
        else
            serve_add(&s, raw, len);
        free(raw);
    }
    return serve_end(&s, rc, count);
}

int eth_serve_node_data(struct db *db, const struct hash32 *hashes, size_t n, struct bytes *out,
                        size_t *count)
{
    struct serve s;
    int rc = serve_begin(&s, db, out);
    for (size_t i = 0; rc == 0 && i < n && serve_room(&s, ETH_MAX_NODE_DATA); i++) {
        uint8_t *val = NULL;
        size_t len = 0;
        /* Trie nodes and code live under their bare 32-byte hash
         * (storage/trie_db.h); no chain record has a 32-byte key. */
        int r = db_get(s.db, s.snap, hashes[i].b, 32, &val, &len);
        if (r == ERR_NOTFOUND)
            continue;
        if (r) {
            rc = r;
            break;
        }
        struct hash32 got;
        keccak256(val, len, got.b);
        if (!hash32_eq(&got, &hashes[i])) {
            damaged("node", &hashes[i], "does not hash to its key");
        } else {
            /* NodeData items are byte strings: count their encoded size. */
            size_t before = s.out->len;
            rlp_put_bytes(s.out, val, len);
            s.items++;
            s.bytes += s.out->len - before;
        }
        free(val);
    }
    return serve_end(&s, rc, count);
}

int eth_serve_request(struct db *db, uint64_t version, uint64_t code, const uint8_t *payload,
                      size_t len, uint64_t *reply_code, struct bytes *out, size_t *count)
{
    if (count)
        *count = 0;
    bool request = code == ETH_GET_BLOCK_HEADERS || code == ETH_GET_BLOCK_BODIES ||
                   code == ETH_GET_NODE_DATA || code == ETH_GET_RECEIPTS;
    if (!request || !eth_code_valid(version, code))
        return err_set(ERR_INVAL, "eth/%llu: %s (0x%02llx) is not a request we serve",
                       (unsigned long long)version, eth_code_name(code),
                       (unsigned long long)code);
    if (code == ETH_GET_BLOCK_HEADERS) {
        struct eth_get_headers q;
        int rc = eth_get_headers_decode(payload, len, &q);
        if (rc)
            return rc;
        *reply_code = ETH_BLOCK_HEADERS;
        return eth_serve_headers(db, &q, out, count);
    }
    struct eth_hashes h;
    int rc = eth_hashes_decode(code, payload, len, &h);
    if (rc)
        return rc;
    switch (code) {
    case ETH_GET_BLOCK_BODIES:
        *reply_code = ETH_BLOCK_BODIES;
        rc = eth_serve_bodies(db, h.items, h.count, out, count);
        break;
    case ETH_GET_RECEIPTS:
        *reply_code = ETH_RECEIPTS;
        rc = eth_serve_receipts(db, h.items, h.count, out, count);
        break;
    default:
        *reply_code = ETH_NODE_DATA;
        rc = eth_serve_node_data(db, h.items, h.count, out, count);
        break;
    }
    eth_hashes_free(&h);
    return rc;
}
