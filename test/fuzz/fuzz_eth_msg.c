/*
 * fuzz_eth_msg.c — libFuzzer target for every eth/62+63 message decoder
 * (net/eth_msg.h). The first input byte picks the message: its low five
 * bits are the code (0x00..0x1f, so unknown codes are tried too), its top
 * bit the version (set: eth/62, clear: eth/63); the rest is the payload.
 *
 * Properties: nothing crashes or leaks; a failed decode owns nothing; an
 * accepted message encodes back to exactly the input payload (every
 * decoder is strict, so an accepted payload is canonical) — from the
 * decoded fields for Status, NewBlockHashes, GetBlockHeaders and the hash
 * requests (when no hash was ignored), from the raw item views for the
 * list answers and NewBlock; item counts respect the limits; hashes are
 * keccak256 of the items' raw bytes.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/keccak.h"
#include "net/eth_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void same(const struct bytes *b, const uint8_t *p, size_t n)
{
    if (b->oom || b->len != n || (n && memcmp(b->data, p, n) != 0))
        abort();
}

static void same_hash(const struct eth_raw *raw, const struct hash32 *h)
{
    uint8_t got[32];
    keccak256(raw->data, raw->len, got);
    if (memcmp(got, h->b, 32) != 0)
        abort();
}

/* Re-encodes a list answer from its items' raw views. */
static void relist(const struct eth_raw *raws, size_t n, const uint8_t *p, size_t len)
{
    struct bytes b = BYTES_INIT;
    eth_list_encode(raws, n, &b);
    same(&b, p, len);
    bytes_free(&b);
}

static void check(const struct eth_msg *m, const uint8_t *p, size_t n)
{
    struct bytes b = BYTES_INIT;
    struct eth_raw *raws = NULL;
    size_t count = 0;
    switch (m->code) {
    case ETH_STATUS:
        eth_status_encode(&m->u.status, &b);
        same(&b, p, n);
        break;
    case ETH_NEW_BLOCK_HASHES:
        eth_new_block_hashes_encode(m->u.announces.items, m->u.announces.count, &b);
        same(&b, p, n);
        break;
    case ETH_GET_BLOCK_HEADERS:
        eth_get_headers_encode(&m->u.get_headers, &b);
        same(&b, p, n);
        break;
    case ETH_GET_BLOCK_BODIES:
    case ETH_GET_NODE_DATA:
    case ETH_GET_RECEIPTS:
        if (m->u.hashes.count > ETH_MAX_NODE_DATA)
            abort();
        if (m->u.hashes.ignored == 0) {
            eth_hashes_encode(m->u.hashes.items, m->u.hashes.count, &b);
            same(&b, p, n);
        }
        break;
    case ETH_TRANSACTIONS:
        count = m->u.txs.count;
        raws = calloc(count ? count : 1, sizeof *raws);
        for (size_t i = 0; i < count; i++) {
            raws[i] = m->u.txs.items[i].raw;
            same_hash(&raws[i], &m->u.txs.items[i].hash);
        }
        relist(raws, count, p, n);
        break;
    case ETH_BLOCK_HEADERS:
        count = m->u.headers.count;
        if (count > ETH_MAX_HEADERS)
            abort();
        raws = calloc(count ? count : 1, sizeof *raws);
        for (size_t i = 0; i < count; i++) {
            raws[i] = m->u.headers.items[i].raw;
            same_hash(&raws[i], &m->u.headers.items[i].hash);
        }
        relist(raws, count, p, n);
        break;
    case ETH_BLOCK_BODIES:
        count = m->u.bodies.count;
        if (count > ETH_MAX_BODIES)
            abort();
        raws = calloc(count ? count : 1, sizeof *raws);
        for (size_t i = 0; i < count; i++)
            raws[i] = m->u.bodies.items[i].raw;
        relist(raws, count, p, n);
        break;
    case ETH_RECEIPTS:
        count = m->u.receipts.count;
        if (count > ETH_MAX_RECEIPTS)
            abort();
        raws = calloc(count ? count : 1, sizeof *raws);
        for (size_t i = 0; i < count; i++)
            raws[i] = m->u.receipts.items[i].raw;
        relist(raws, count, p, n);
        break;
    case ETH_NEW_BLOCK: {
        eth_new_block_encode(&m->u.new_block.raw, &m->u.new_block.td, &b);
        same(&b, p, n);
        struct hash32 h;
        if (header_hash(&m->u.new_block.block.header, &h) != 0 ||
            !hash32_eq(&h, &m->u.new_block.hash))
            abort();
        break;
    }
    case ETH_NODE_DATA:
        if (m->u.node_data.count > ETH_MAX_NODE_DATA)
            abort();
        eth_node_data_encode(m->u.node_data.items, m->u.node_data.count, &b);
        same(&b, p, n);
        break;
    default:
        abort();        /* eth_msg_decode accepted a code it does not have */
    }
    free(raws);
    bytes_free(&b);
}

static bool owns_something(const struct eth_msg *m)
{
    switch (m->code) {
    case ETH_NEW_BLOCK_HASHES: return m->u.announces.items || m->u.announces.count;
    case ETH_TRANSACTIONS: return m->u.txs.items || m->u.txs.count;
    case ETH_BLOCK_HEADERS: return m->u.headers.items || m->u.headers.count;
    case ETH_GET_BLOCK_BODIES:
    case ETH_GET_NODE_DATA:
    case ETH_GET_RECEIPTS: return m->u.hashes.items || m->u.hashes.count;
    case ETH_BLOCK_BODIES: return m->u.bodies.items || m->u.bodies.count;
    case ETH_NEW_BLOCK:
        return m->u.new_block.block.header.extra || m->u.new_block.block.body.txs ||
               m->u.new_block.block.body.uncles;
    case ETH_NODE_DATA: return m->u.node_data.items || m->u.node_data.count;
    case ETH_RECEIPTS: return m->u.receipts.items || m->u.receipts.count;
    default: return false;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    uint64_t version = data[0] & 0x80 ? ETH_VERSION_62 : ETH_VERSION_63;
    uint64_t code = data[0] & 0x1f;
    struct eth_msg m;
    int rc = eth_msg_decode(version, code, data + 1, size - 1, &m);
    if (rc == 0) {
        if (!eth_code_valid(version, code))
            abort();
        check(&m, data + 1, size - 1);
    } else if (owns_something(&m)) {
        abort();        /* a failed decode owns nothing */
    }
    eth_msg_free(&m);
    return 0;
}
