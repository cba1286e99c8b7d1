/*
 * eth_msg.c — the eth/62 and eth/63 messages; see eth_msg.h.
 *
 * Every list decoder has the same three steps: check the payload size and
 * open the outer list; count its items and refuse the count (above the
 * message's limit, or above what the payload could hold at the item's
 * smallest encoding) before allocating; then decode item by item, wrapping
 * the item decoder's reason with the message name and the item's index.
 * On failure everything decoded so far is freed, so the caller's value owns
 * nothing.
 */
#include "net/eth_msg.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/keccak.h"
#include "primitives/rlp.h"
#include "util/err.h"

/* Smallest encodings of list items, for the counts checked before
 * allocating: [hash(32), number] is c0+34 bytes: a0 <32> and one byte; a
 * receipt is [80, 80, b90100 <256>, c0] behind a 3-byte header. */
#define ANNOUNCE_MIN_ENCODED_SIZE 35
#define RECEIPT_MIN_ENCODED_SIZE 265

/* ---- versions and codes ----------------------------------------------------- */

uint64_t eth_proto_length(uint64_t version)
{
    switch (version) {
    case ETH_VERSION_63: return 17;
    case ETH_VERSION_62: return 8;
    default: return 0;
    }
}

bool eth_code_valid(uint64_t version, uint64_t code)
{
    if (version == ETH_VERSION_62)
        return code <= ETH_NEW_BLOCK;
    if (version == ETH_VERSION_63)
        return code <= ETH_NEW_BLOCK || (code >= ETH_GET_NODE_DATA && code <= ETH_RECEIPTS);
    return false;
}

const char *eth_code_name(uint64_t code)
{
    switch (code) {
    case ETH_STATUS: return "Status";
    case ETH_NEW_BLOCK_HASHES: return "NewBlockHashes";
    case ETH_TRANSACTIONS: return "Transactions";
    case ETH_GET_BLOCK_HEADERS: return "GetBlockHeaders";
    case ETH_BLOCK_HEADERS: return "BlockHeaders";
    case ETH_GET_BLOCK_BODIES: return "GetBlockBodies";
    case ETH_BLOCK_BODIES: return "BlockBodies";
    case ETH_NEW_BLOCK: return "NewBlock";
    case ETH_GET_NODE_DATA: return "GetNodeData";
    case ETH_NODE_DATA: return "NodeData";
    case ETH_GET_RECEIPTS: return "GetReceipts";
    case ETH_RECEIPTS: return "Receipts";
    default: return "unknown";
    }
}

size_t eth_caps(struct p2p_cap out[2])
{
    memset(out, 0, 2 * sizeof *out);
    memcpy(out[0].name, ETH_NAME, sizeof ETH_NAME);
    out[0].version = ETH_VERSION_63;
    memcpy(out[1].name, ETH_NAME, sizeof ETH_NAME);
    out[1].version = ETH_VERSION_62;
    return 2;
}

/* ---- shared helpers --------------------------------------------------------- */

/* Checks the size and decodes the payload as one list. */
static int open_list(const char *what, const uint8_t *in, size_t len, struct rlp_item *list)
{
    if (len > ETH_MAX_MSG_SIZE)
        return err_set(ERR_RANGE, "%s: %zu bytes exceeds the %u-byte message limit", what, len,
                       ETH_MAX_MSG_SIZE);
    int rc = rlp_decode(in, len, list);
    if (rc)
        return err_wrap(rc, "%s", what);
    if (!list->is_list)
        return err_set(ERR_DECODE, "%s: expected a list", what);
    return 0;
}

/* Counts a list's items and checks the count against `max` (0: none) and
 * against the smallest item encoding `min_size` (0: none). `items` names
 * them in the plural, for the context. */
static int count_items(const char *what, const struct rlp_item *list, size_t max,
                       size_t min_size, const char *items, size_t *count)
{
    int rc = rlp_list_count(list, count);
    if (rc)
        return err_wrap(rc, "%s", what);
    if (max && *count > max)
        return err_set(ERR_RANGE, "%s: %zu %s, at most %zu", what, *count, items, max);
    if (min_size && *count > list->payload_len / min_size)
        return err_set(ERR_DECODE, "%s: %zu %s cannot fit in %zu bytes", what, *count, items,
                       list->payload_len);
    return 0;
}

/* calloc for n items of size sz; NULL (not an error) when n == 0. Sets *rc
 * to ERR_NOMEM when the allocation fails. */
static void *alloc_items(const char *what, size_t n, size_t sz, int *rc)
{
    if (n == 0)
        return NULL;
    void *p = calloc(n, sz);
    if (!p)
        *rc = err_set(ERR_NOMEM, "%s: %zu items", what, n);
    return p;
}

static void raw_of(const struct rlp_item *item, struct eth_raw *raw)
{
    raw->data = item->raw;
    raw->len = item->raw_len;
}

int eth_list_encode(const struct eth_raw *items, size_t n, struct bytes *out)
{
    size_t m = rlp_list_begin(out);
    for (size_t i = 0; i < n; i++)
        rlp_put_raw(out, items[i].data, items[i].len);
    rlp_list_end(out, m);
    return bytes_ok(out);
}

/* ---- Status ----------------------------------------------------------------- */

int eth_status_encode(const struct eth_status *s, struct bytes *out)
{
    size_t m = rlp_list_begin(out);
    rlp_put_u64(out, s->protocol_version);
    rlp_put_u64(out, s->network_id);
    rlp_put_u256(out, &s->td);
    rlp_put_bytes(out, s->best_hash.b, 32);
    rlp_put_bytes(out, s->genesis_hash.b, 32);
    rlp_list_end(out, m);
    return bytes_ok(out);
}

int eth_status_decode(const uint8_t *in, size_t len, struct eth_status *s)
{
    memset(s, 0, sizeof *s);
    struct rlp_item list, f[5];
    int rc = open_list("Status", in, len, &list);
    if (rc)
        return rc;
    if ((rc = rlp_list_exact(&list, f, 5)) != 0)
        return err_wrap(rc, "Status");
    if ((rc = rlp_get_u64(&f[0], &s->protocol_version)) != 0)
        return err_wrap(rc, "Status: protocol version");
    if ((rc = rlp_get_u64(&f[1], &s->network_id)) != 0)
        return err_wrap(rc, "Status: network id");
    if ((rc = rlp_get_u256(&f[2], &s->td)) != 0)
        return err_wrap(rc, "Status: td");
    if ((rc = rlp_get_fixed(&f[3], s->best_hash.b, 32)) != 0)
        return err_wrap(rc, "Status: best hash");
    if ((rc = rlp_get_fixed(&f[4], s->genesis_hash.b, 32)) != 0)
        return err_wrap(rc, "Status: genesis hash");
    return 0;
}

int eth_status_check(const struct eth_status *ours, const struct eth_status *theirs)
{
    if (!hash32_eq(&ours->genesis_hash, &theirs->genesis_hash)) {
        char a[HASH32_HEX_SIZE], b[HASH32_HEX_SIZE];
        hash32_to_hex(&ours->genesis_hash, a);
        hash32_to_hex(&theirs->genesis_hash, b);
        return err_set(ERR_INVAL, "genesis mismatch: ours %s, theirs %s", a, b);
    }
    if (ours->network_id != theirs->network_id)
        return err_set(ERR_INVAL, "network id mismatch: ours %llu, theirs %llu",
                       (unsigned long long)ours->network_id,
                       (unsigned long long)theirs->network_id);
    if (ours->protocol_version != theirs->protocol_version)
        return err_set(ERR_INVAL, "protocol version mismatch: ours %llu, theirs %llu",
                       (unsigned long long)ours->protocol_version,
                       (unsigned long long)theirs->protocol_version);
    return 0;
}

/* ---- NewBlockHashes --------------------------------------------------------- */

int eth_new_block_hashes_encode(const struct eth_announce *items, size_t n, struct bytes *out)
{
    size_t m = rlp_list_begin(out);
    for (size_t i = 0; i < n; i++) {
        size_t e = rlp_list_begin(out);
        rlp_put_bytes(out, items[i].hash.b, 32);
        rlp_put_u64(out, items[i].number);
        rlp_list_end(out, e);
    }
    rlp_list_end(out, m);
    return bytes_ok(out);
}

int eth_new_block_hashes_decode(const uint8_t *in, size_t len, struct eth_announces *out)
{
    static const char what[] = "NewBlockHashes";
    memset(out, 0, sizeof *out);
    struct rlp_item list, item, f[2];
    size_t n;
    int rc = open_list(what, in, len, &list);
    if (rc == 0)
        rc = count_items(what, &list, 0, ANNOUNCE_MIN_ENCODED_SIZE, "announcements", &n);
    if (rc == 0)
        out->items = alloc_items(what, n, sizeof *out->items, &rc);
    if (rc)
        return rc;
    struct rlp_iter it;
    rlp_iter_init(&it, &list);
    for (size_t i = 0; i < n; i++) {
        rlp_iter_next(&it, &item);      /* counted above: cannot fail */
        rc = rlp_list_exact(&item, f, 2);
        if (rc == 0)
            rc = rlp_get_fixed(&f[0], out->items[i].hash.b, 32);
        if (rc == 0)
            rc = rlp_get_u64(&f[1], &out->items[i].number);
        if (rc) {
            eth_announces_free(out);
            return err_wrap(rc, "%s: announcement %zu", what, i);
        }
    }
    out->count = n;
    return 0;
}

void eth_announces_free(struct eth_announces *a)
{
    if (!a)
        return;
    free(a->items);
    memset(a, 0, sizeof *a);
}

/* ---- Transactions ----------------------------------------------------------- */

int eth_transactions_decode(const uint8_t *in, size_t len, struct eth_txs *out)
{
    static const char what[] = "Transactions";
    memset(out, 0, sizeof *out);
    struct rlp_item list, item;
    size_t n;
    int rc = open_list(what, in, len, &list);
    if (rc == 0)
        rc = count_items(what, &list, ETH_MAX_TXS, TX_MIN_ENCODED_SIZE, "transactions", &n);
    if (rc == 0)
        out->items = alloc_items(what, n, sizeof *out->items, &rc);
    if (rc)
        return rc;
    struct rlp_iter it;
    rlp_iter_init(&it, &list);
    for (size_t i = 0; i < n; i++) {
        rlp_iter_next(&it, &item);
        struct eth_tx *t = &out->items[i];
        if ((rc = tx_decode_item(&item, &t->tx)) != 0) {
            eth_txs_free(out);
            return err_wrap(rc, "%s: transaction %zu", what, i);
        }
        out->count = i + 1;
        raw_of(&item, &t->raw);
        keccak256(item.raw, item.raw_len, t->hash.b);
    }
    return 0;
}

void eth_txs_free(struct eth_txs *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->count; i++)
        tx_free(&t->items[i].tx);
    free(t->items);
    memset(t, 0, sizeof *t);
}

/* ---- BlockHeaders ----------------------------------------------------------- */

int eth_block_headers_decode(const uint8_t *in, size_t len, struct eth_headers *out)
{
    static const char what[] = "BlockHeaders";
    memset(out, 0, sizeof *out);
    struct rlp_item list, item;
    size_t n;
    int rc = open_list(what, in, len, &list);
    if (rc == 0)
        rc = count_items(what, &list, ETH_MAX_HEADERS, 0, "headers", &n);
    if (rc == 0)
        out->items = alloc_items(what, n, sizeof *out->items, &rc);
    if (rc)
        return rc;
    struct rlp_iter it;
    rlp_iter_init(&it, &list);
    for (size_t i = 0; i < n; i++) {
        rlp_iter_next(&it, &item);
        struct eth_header *h = &out->items[i];
        if ((rc = header_decode_item(&item, &h->header)) != 0) {
            eth_headers_free(out);
            return err_wrap(rc, "%s: header %zu", what, i);
        }
        out->count = i + 1;
        raw_of(&item, &h->raw);
        keccak256(item.raw, item.raw_len, h->hash.b);
    }
    return 0;
}

void eth_headers_free(struct eth_headers *h)
{
    if (!h)
        return;
    for (size_t i = 0; i < h->count; i++)
        header_free(&h->items[i].header);
    free(h->items);
    memset(h, 0, sizeof *h);
}

/* ---- BlockBodies ------------------------------------------------------------ */

int eth_block_bodies_decode(const uint8_t *in, size_t len, struct eth_bodies *out)
{
    static const char what[] = "BlockBodies";
    memset(out, 0, sizeof *out);
    struct rlp_item list, item;
    size_t n;
    int rc = open_list(what, in, len, &list);
    if (rc == 0)
        rc = count_items(what, &list, ETH_MAX_BODIES, 0, "bodies", &n);
    if (rc == 0)
        out->items = alloc_items(what, n, sizeof *out->items, &rc);
    if (rc)
        return rc;
    struct rlp_iter it;
    rlp_iter_init(&it, &list);
    for (size_t i = 0; i < n; i++) {
        rlp_iter_next(&it, &item);
        struct eth_body *b = &out->items[i];
        if ((rc = block_body_decode_item(&item, &b->body)) != 0) {
            eth_bodies_free(out);
            return err_wrap(rc, "%s: body %zu", what, i);
        }
        out->count = i + 1;
        raw_of(&item, &b->raw);
    }
    return 0;
}

void eth_bodies_free(struct eth_bodies *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->count; i++)
        block_body_free(&b->items[i].body);
    free(b->items);
    memset(b, 0, sizeof *b);
}

/* ---- Receipts --------------------------------------------------------------- */

static void block_receipts_free(struct eth_block_receipts *br)
{
    for (size_t i = 0; i < br->count; i++)
        receipt_free(&br->receipts[i]);
    free(br->receipts);
    memset(br, 0, sizeof *br);
}

/* One block's list of receipts. */
static int decode_block_receipts(const struct rlp_item *list, struct eth_block_receipts *br)
{
    static const char what[] = "receipt list";
    size_t n;
    if (!list->is_list)
        return err_set(ERR_DECODE, "expected a list of receipts");
    int rc = count_items(what, list, 0, RECEIPT_MIN_ENCODED_SIZE, "receipts", &n);
    if (rc == 0)
        br->receipts = alloc_items(what, n, sizeof *br->receipts, &rc);
    if (rc)
        return rc;
    struct rlp_iter it;
    struct rlp_item item;
    rlp_iter_init(&it, list);
    for (size_t i = 0; i < n; i++) {
        rlp_iter_next(&it, &item);
        if ((rc = receipt_decode_item(&item, &br->receipts[i])) != 0) {
            block_receipts_free(br);
            return err_wrap(rc, "receipt %zu", i);
        }
        br->count = i + 1;
    }
    raw_of(list, &br->raw);
    return 0;
}

int eth_receipts_decode(const uint8_t *in, size_t len, struct eth_receipts *out)
{
    static const char what[] = "Receipts";
    memset(out, 0, sizeof *out);
    struct rlp_item list, item;
    size_t n;
    int rc = open_list(what, in, len, &list);
    if (rc == 0)
        rc = count_items(what, &list, ETH_MAX_RECEIPTS, 0, "blocks", &n);
    if (rc == 0)
        out->items = alloc_items(what, n, sizeof *out->items, &rc);
    if (rc)
        return rc;
    struct rlp_iter it;
    rlp_iter_init(&it, &list);
    for (size_t i = 0; i < n; i++) {
        rlp_iter_next(&it, &item);
        if ((rc = decode_block_receipts(&item, &out->items[i])) != 0) {
            eth_receipts_free(out);
            return err_wrap(rc, "%s: block %zu", what, i);
        }
        out->count = i + 1;
    }
    return 0;
}

void eth_receipts_free(struct eth_receipts *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->count; i++)
        block_receipts_free(&r->items[i]);
    free(r->items);
    memset(r, 0, sizeof *r);
}

/* ---- GetBlockHeaders -------------------------------------------------------- */

int eth_get_headers_encode(const struct eth_get_headers *q, struct bytes *out)
{
    size_t m = rlp_list_begin(out);
    if (q->by_hash)
        rlp_put_bytes(out, q->hash.b, 32);
    else
        rlp_put_u64(out, q->number);
    rlp_put_u64(out, q->amount);
    rlp_put_u64(out, q->skip);
    rlp_put_u64(out, q->reverse ? 1 : 0);
    rlp_list_end(out, m);
    return bytes_ok(out);
}

int eth_get_headers_decode(const uint8_t *in, size_t len, struct eth_get_headers *q)
{
    static const char what[] = "GetBlockHeaders";
    memset(q, 0, sizeof *q);
    struct rlp_item list, f[4];
    int rc = open_list(what, in, len, &list);
    if (rc)
        return rc;
    if ((rc = rlp_list_exact(&list, f, 4)) != 0)
        return err_wrap(rc, "%s", what);
    if (f[0].is_list)
        return err_set(ERR_DECODE, "%s: origin is a list", what);
    if (f[0].payload_len == 32) {
        q->by_hash = true;
        memcpy(q->hash.b, f[0].payload, 32);
    } else if (f[0].payload_len <= 8) {
        if ((rc = rlp_get_u64(&f[0], &q->number)) != 0)
            return err_wrap(rc, "%s: origin", what);
    } else {
        return err_set(ERR_RANGE, "%s: origin of %zu bytes is neither a hash nor a 64-bit number",
                       what, f[0].payload_len);
    }
    if ((rc = rlp_get_u64(&f[1], &q->amount)) != 0)
        return err_wrap(rc, "%s: amount", what);
    if ((rc = rlp_get_u64(&f[2], &q->skip)) != 0)
        return err_wrap(rc, "%s: skip", what);
    uint64_t rev;
    if ((rc = rlp_get_u64(&f[3], &rev)) != 0)
        return err_wrap(rc, "%s: reverse", what);
    if (rev > 1)
        return err_set(ERR_RANGE, "%s: reverse is %llu, not 0 or 1", what,
                       (unsigned long long)rev);
    q->reverse = rev == 1;
    return 0;
}

/* ---- GetBlockBodies, GetNodeData, GetReceipts ------------------------------- */

int eth_hashes_encode(const struct hash32 *hashes, size_t n, struct bytes *out)
{
    size_t m = rlp_list_begin(out);
    for (size_t i = 0; i < n; i++)
        rlp_put_bytes(out, hashes[i].b, 32);
    rlp_list_end(out, m);
    return bytes_ok(out);
}

int eth_hashes_decode(uint64_t code, const uint8_t *in, size_t len, struct eth_hashes *out)
{
    memset(out, 0, sizeof *out);
    size_t max;
    switch (code) {
    case ETH_GET_BLOCK_BODIES: max = ETH_MAX_BODIES; break;
    case ETH_GET_NODE_DATA: max = ETH_MAX_NODE_DATA; break;
    case ETH_GET_RECEIPTS: max = ETH_MAX_RECEIPTS; break;
    default:
        return err_set(ERR_INVAL, "eth: message 0x%02llx is not a hash request",
                       (unsigned long long)code);
    }
    const char *what = eth_code_name(code);
    struct rlp_item list, item;
    size_t n = 0;
    int rc = open_list(what, in, len, &list);
    if (rc == 0)
        rc = count_items(what, &list, 0, 0, "hashes", &n);
    size_t keep = n < max ? n : max;
    if (rc == 0)
        out->items = alloc_items(what, keep, sizeof *out->items, &rc);
    if (rc)
        return rc;
    struct rlp_iter it;
    rlp_iter_init(&it, &list);
    for (size_t i = 0; i < n; i++) {
        struct hash32 h;
        rlp_iter_next(&it, &item);
        if ((rc = rlp_get_fixed(&item, h.b, 32)) != 0) {
            eth_hashes_free(out);
            return err_wrap(rc, "%s: hash %zu", what, i);
        }
        if (i < keep)
            out->items[i] = h;
    }
    out->count = keep;
    out->ignored = n - keep;
    return 0;
}

void eth_hashes_free(struct eth_hashes *h)
{
    if (!h)
        return;
    free(h->items);
    memset(h, 0, sizeof *h);
}

/* ---- NewBlock --------------------------------------------------------------- */

int eth_new_block_encode(const struct eth_raw *block, const u256 *td, struct bytes *out)
{
    size_t m = rlp_list_begin(out);
    rlp_put_raw(out, block->data, block->len);
    rlp_put_u256(out, td);
    rlp_list_end(out, m);
    return bytes_ok(out);
}

int eth_new_block_decode(const uint8_t *in, size_t len, struct eth_new_block *out)
{
    static const char what[] = "NewBlock";
    memset(out, 0, sizeof *out);
    struct rlp_item list, f[2], header;
    int rc = open_list(what, in, len, &list);
    if (rc)
        return rc;
    if ((rc = rlp_list_exact(&list, f, 2)) != 0)
        return err_wrap(rc, "%s", what);
    if ((rc = block_decode(f[0].raw, f[0].raw_len, &out->block)) != 0)
        return err_wrap(rc, "%s: block", what);
    if ((rc = rlp_get_u256(&f[1], &out->td)) != 0) {
        eth_new_block_free(out);
        return err_wrap(rc, "%s: td", what);
    }
    /* block_decode checked the shape: the first item is the header. */
    struct rlp_iter it;
    rlp_iter_init(&it, &f[0]);
    rlp_iter_next(&it, &header);
    keccak256(header.raw, header.raw_len, out->hash.b);
    raw_of(&f[0], &out->raw);
    return 0;
}

void eth_new_block_free(struct eth_new_block *nb)
{
    if (!nb)
        return;
    block_free(&nb->block);
    memset(nb, 0, sizeof *nb);
}

/* ---- NodeData --------------------------------------------------------------- */

int eth_node_data_encode(const struct eth_raw *blobs, size_t n, struct bytes *out)
{
    size_t m = rlp_list_begin(out);
    for (size_t i = 0; i < n; i++)
        rlp_put_bytes(out, blobs[i].data, blobs[i].len);
    rlp_list_end(out, m);
    return bytes_ok(out);
}

int eth_node_data_decode(const uint8_t *in, size_t len, struct eth_node_data *out)
{
    static const char what[] = "NodeData";
    memset(out, 0, sizeof *out);
    struct rlp_item list, item;
    size_t n;
    int rc = open_list(what, in, len, &list);
    if (rc == 0)
        rc = count_items(what, &list, ETH_MAX_NODE_DATA, 0, "entries", &n);
    if (rc == 0)
        out->items = alloc_items(what, n, sizeof *out->items, &rc);
    if (rc)
        return rc;
    struct rlp_iter it;
    rlp_iter_init(&it, &list);
    for (size_t i = 0; i < n; i++) {
        rlp_iter_next(&it, &item);
        if ((rc = rlp_get_bytes(&item, &out->items[i].data, &out->items[i].len)) != 0) {
            eth_node_data_free(out);
            return err_wrap(rc, "%s: entry %zu", what, i);
        }
    }
    out->count = n;
    return 0;
}

void eth_node_data_free(struct eth_node_data *d)
{
    if (!d)
        return;
    free(d->items);
    memset(d, 0, sizeof *d);
}

/* ---- any message ------------------------------------------------------------ */

int eth_msg_decode(uint64_t version, uint64_t code, const uint8_t *in, size_t len,
                   struct eth_msg *msg)
{
    memset(msg, 0, sizeof *msg);
    msg->code = code;
    if (!eth_code_valid(version, code)) {
        if (eth_code_valid(ETH_VERSION_63, code))
            return err_set(ERR_UNSUPPORTED, "eth/%llu has no %s", (unsigned long long)version,
                           eth_code_name(code));
        return err_set(ERR_UNSUPPORTED, "eth/%llu: unknown message 0x%02llx",
                       (unsigned long long)version, (unsigned long long)code);
    }
    switch (code) {
    case ETH_STATUS: return eth_status_decode(in, len, &msg->u.status);
    case ETH_NEW_BLOCK_HASHES: return eth_new_block_hashes_decode(in, len, &msg->u.announces);
    case ETH_TRANSACTIONS: return eth_transactions_decode(in, len, &msg->u.txs);
    case ETH_GET_BLOCK_HEADERS: return eth_get_headers_decode(in, len, &msg->u.get_headers);
    case ETH_BLOCK_HEADERS: return eth_block_headers_decode(in, len, &msg->u.headers);
    case ETH_GET_BLOCK_BODIES:
    case ETH_GET_NODE_DATA:
    case ETH_GET_RECEIPTS: return eth_hashes_decode(code, in, len, &msg->u.hashes);
    case ETH_BLOCK_BODIES: return eth_block_bodies_decode(in, len, &msg->u.bodies);
    case ETH_NEW_BLOCK: return eth_new_block_decode(in, len, &msg->u.new_block);
    case ETH_NODE_DATA: return eth_node_data_decode(in, len, &msg->u.node_data);
    case ETH_RECEIPTS: return eth_receipts_decode(in, len, &msg->u.receipts);
    default: return err_set(ERR_UNSUPPORTED, "eth: message 0x%02llx", (unsigned long long)code);
    }
}

void eth_msg_free(struct eth_msg *msg)
{
    if (!msg)
        return;
    switch (msg->code) {
    case ETH_NEW_BLOCK_HASHES: eth_announces_free(&msg->u.announces); break;
    case ETH_TRANSACTIONS: eth_txs_free(&msg->u.txs); break;
    case ETH_BLOCK_HEADERS: eth_headers_free(&msg->u.headers); break;
    case ETH_GET_BLOCK_BODIES:
    case ETH_GET_NODE_DATA:
    case ETH_GET_RECEIPTS: eth_hashes_free(&msg->u.hashes); break;
    case ETH_BLOCK_BODIES: eth_bodies_free(&msg->u.bodies); break;
    case ETH_NEW_BLOCK: eth_new_block_free(&msg->u.new_block); break;
    case ETH_NODE_DATA: eth_node_data_free(&msg->u.node_data); break;
    case ETH_RECEIPTS: eth_receipts_free(&msg->u.receipts); break;
    default: break;
    }
    memset(msg, 0, sizeof *msg);
}
