/*
 * p2p_eth.c — the eth/62+63 handlers of the p2p service and propagation.
 *
 * Requests are answered from the database by eth_serve (its limits apply).
 * A NewBlock whose parent we have is imported at once through the chain
 * service; one whose parent is unknown starts an ancestor fetch from the
 * peer that sent it (p2p_fetch.c); NewBlockHashes of unknown blocks do the
 * same, and an announced block that fetch cannot take at once (the peer is
 * busy with a request of ours) is handed to the synchroniser, which goes
 * for it when its round ends: a NewBlockHashes carries no TD, so nothing
 * else would bring that block before the peer's next one. A NewBlock's TD
 * reaches the synchroniser after its block was handled, so that it starts
 * no round for a block imported here. Transactions go to the pool as
 * remote transactions, at most
 * P2P_MAX_TXS_PER_MSG per message. Everything a peer sends or is sent is
 * remembered in its known sets, so nothing goes back to where it came
 * from.
 *
 * Propagation follows geth: a new head goes in full (NewBlock) to sqrt(n)
 * of the n peers that lack it and as a hash (NewBlockHashes) to the rest;
 * transactions go to every peer that lacks them, batched into Transactions
 * messages of at most TX_BATCH_BYTES.
 */
#include "net/p2p_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/chaindb.h"
#include "chainsvc/chainsvc.h"
#include "net/eth_serve.h"
#include "net/peer_prop.h"
#include "util/err.h"
#include "util/hex.h"
#include "util/log.h"

/* Largest Transactions message we build (geth's txsyncPackSize: 100 KiB). */
#define TX_BATCH_BYTES (100u * 1024)

static bool is_decode_error(int rc)
{
    return rc == ERR_DECODE || rc == ERR_RANGE || rc == ERR_UNSUPPORTED || rc == ERR_INVAL;
}

static void garbage(struct peer *p, uint64_t code)
{
    char why[300];
    snprintf(why, sizeof why, "%s: %s", eth_code_name(code), err_msg());
    peer_misbehave(p, PEER_OFFENCE_GARBAGE, why);
}

static void serve(struct p2p *s, struct peer *p, uint64_t code, const uint8_t *payload,
                  size_t len)
{
    struct bytes out = BYTES_INIT;
    uint64_t reply;
    size_t count = 0;
    int rc = eth_serve_request(s->db, p->eth_version, code, payload, len, &reply, &out, &count);
    if (rc == 0) {
        log_debug(LOG_P2P, "peer %s: %s: %zu item(s)", p->remote_addr, eth_code_name(code), count);
        peer_send(p, reply, out.data, out.len);
    } else if (is_decode_error(rc)) {
        garbage(p, code);
    } else {
        log_warn("P2P: cannot answer %s: %s", eth_code_name(code), err_msg());
    }
    bytes_free(&out);
}

/* Handles the block of a NewBlock (nb is freed by the caller). */
static void new_block_import(struct p2p *s, struct peer *p, struct eth_new_block *nb)
{
    if (chaindb_has_header(s->db, &nb->hash))
        return;
    if (!chaindb_has_header(s->db, &nb->block.header.parent_hash)) {
        p2p_fetch_start_at(s, p, &nb->hash, nb->block.header.number);
        return;
    }
    struct chainsvc_import res;
    int rc = chainsvc_import_block(s->chain, &nb->block, &res);
    if (rc == ERR_INVAL || rc == ERR_CRYPTO) {
        char why[300];
        snprintf(why, sizeof why, "block %llu: %s", (unsigned long long)nb->block.header.number,
                 err_msg());
        peer_misbehave(p, PEER_OFFENCE_INVALID_BLOCK, why);
    } else if (rc == ERR_NOTFOUND) {
        p2p_fetch_start(s, p, &nb->hash);
    } else if (rc) {
        log_debug(LOG_P2P, "peer %s: block not imported: %s", p->remote_addr, err_msg());
    }
}

/*
 * The synchroniser hears of the peer's higher TD only after the block was
 * handled: told first, it would begin a round for a block about to be
 * imported here, and that round's GetBlockHeaders would keep the ancestor
 * fetch of the peer's next announcement out (a round per block, and a block
 * announced by hash meanwhile lost).
 */
static void new_block(struct p2p *s, struct peer *p, const uint8_t *payload, size_t len)
{
    struct eth_new_block nb;
    int rc = eth_new_block_decode(payload, len, &nb);
    if (rc) {
        garbage(p, ETH_NEW_BLOCK);
        eth_new_block_free(&nb);
        return;
    }
    peer_known_add(&p->known_blocks, &nb.hash);
    bool raised = u256_cmp(&nb.td, &p->status.td) > 0;
    if (raised) {
        p->status.td = nb.td;
        p->status.best_hash = nb.hash;
        p2p_publish(s);
    }
    char hx[17];
    hex_encode(hx, nb.hash.b, 8);
    hx[16] = 0;
    log_debug(LOG_P2P, "peer %s: NewBlock %llu %s", p->remote_addr,
              (unsigned long long)nb.block.header.number, hx);
    new_block_import(s, p, &nb);
    eth_new_block_free(&nb);
    if (raised && p->state == PEER_READY)
        p2p_sync_peer_update(s, p);
}

/* True while the ancestor fetch from p goes for `hash`. */
static bool fetching(const struct peer *p, const struct hash32 *hash)
{
    const struct p2p_peer *pd = p->owner_data;
    return pd && pd->fetch.active && hash32_eq(&pd->fetch.target, hash);
}

static void new_block_hashes(struct p2p *s, struct peer *p, const uint8_t *payload, size_t len)
{
    struct eth_announces a;
    if (eth_new_block_hashes_decode(payload, len, &a) != 0) {
        garbage(p, ETH_NEW_BLOCK_HASHES);
        eth_announces_free(&a);
        return;
    }
    const struct eth_announce *best = NULL;
    size_t n = a.count < P2P_MAX_ANNOUNCES ? a.count : P2P_MAX_ANNOUNCES;
    for (size_t i = 0; i < n; i++) {
        peer_known_add(&p->known_blocks, &a.items[i].hash);
        if (chaindb_has_header(s->db, &a.items[i].hash))
            continue;
        if (!best || a.items[i].number > best->number)
            best = &a.items[i];
    }
    if (best) {
        struct hash32 target = best->hash;
        uint64_t number = best->number;
        eth_announces_free(&a);
        p2p_fetch_start_at(s, p, &target, number);
        /* Not fetched (a fetch of an older block runs, or the peer is busy
         * with the synchroniser's request): the synchroniser remembers it
         * and goes for it when its round ends, else it would be lost until
         * the peer's next block. */
        const struct p2p_peer *pd = p->owner_data;
        if (!fetching(p, &target) && s->sync && pd && pd->in_sync && p->state == PEER_READY) {
            log_debug(LOG_SYNC, "peer %s: block %llu announced while busy: left to the "
                      "synchroniser", p->remote_addr, (unsigned long long)number);
            sync_peer_announce(s->sync, p->serial, &target, number);
        }
        return;
    }
    eth_announces_free(&a);
}

static void transactions(struct p2p *s, struct peer *p, const uint8_t *payload, size_t len)
{
    struct eth_txs t;
    if (eth_transactions_decode(payload, len, &t) != 0) {
        garbage(p, ETH_TRANSACTIONS);
        eth_txs_free(&t);
        return;
    }
    size_t n = t.count < P2P_MAX_TXS_PER_MSG ? t.count : P2P_MAX_TXS_PER_MSG;
    size_t accepted = 0;
    for (size_t i = 0; i < n; i++) {
        peer_known_add(&p->known_txs, &t.items[i].hash);
        int rc = chainsvc_submit_tx(s->chain, t.items[i].raw.data, t.items[i].raw.len, false,
                                    NULL, NULL);
        if (rc == 0)
            accepted++;
        else if (rc == ERR_BADSTATE)
            break; /* stopping */
    }
    log_debug(LOG_P2P, "peer %s: Transactions: %zu, %zu new to the pool%s", p->remote_addr,
              t.count, accepted, t.count > n ? " (the rest ignored)" : "");
    eth_txs_free(&t);
}

void p2p_eth_message(struct p2p *s, struct peer *p, uint64_t code, const uint8_t *payload,
                     size_t len)
{
    switch (code) {
    case ETH_GET_BLOCK_HEADERS:
    case ETH_GET_BLOCK_BODIES:
    case ETH_GET_NODE_DATA:
    case ETH_GET_RECEIPTS:
        serve(s, p, code, payload, len);
        return;
    case ETH_NEW_BLOCK:
        new_block(s, p, payload, len);
        return;
    case ETH_NEW_BLOCK_HASHES:
        new_block_hashes(s, p, payload, len);
        return;
    case ETH_TRANSACTIONS:
        transactions(s, p, payload, len);
        return;
    default:
        log_debug(LOG_P2P, "peer %s: ignored %s", p->remote_addr, eth_code_name(code));
    }
}

/* ---- propagation ------------------------------------------------------------ */

void p2p_propagate_block(struct p2p *s, const struct hash32 *hash)
{
    size_t n = 0;
    for (size_t i = 0; i < s->npeers; i++)
        n += s->peers[i]->state == PEER_READY &&
             !peer_known_has(&s->peers[i]->known_blocks, hash);
    if (n == 0)
        return;
    struct block b;
    memset(&b, 0, sizeof b);
    u256 td;
    struct bytes raw = BYTES_INIT, full = BYTES_INIT, ann = BYTES_INIT;
    struct peer **targets = calloc(n, sizeof *targets);
    bool *pick = calloc(n, sizeof *pick);
    size_t *order = calloc(n, sizeof *order);
    int rc = targets && pick && order ? 0 : ERR_NOMEM;
    if (rc == 0)
        rc = chaindb_read_block(s->db, NULL, hash, &b);
    if (rc == 0)
        rc = chaindb_read_td(s->db, NULL, hash, &td);
    if (rc == 0)
        rc = block_encode(&b, &raw);
    struct eth_raw r = {raw.data, raw.len};
    struct eth_announce a = {*hash, b.header.number};
    if (rc == 0)
        rc = eth_new_block_encode(&r, &td, &full);
    if (rc == 0)
        rc = eth_new_block_hashes_encode(&a, 1, &ann);
    if (rc) {
        log_debug(LOG_P2P, "P2P: cannot announce block: %s", err_msg());
        goto out;
    }
    size_t k = 0;
    for (size_t i = 0; i < s->npeers && k < n; i++)
        if (s->peers[i]->state == PEER_READY && !peer_known_has(&s->peers[i]->known_blocks, hash))
            targets[k++] = s->peers[i];
    peer_prop_choose(k, p2p_random(s), pick, order);
    for (size_t i = 0; i < k; i++) {
        struct peer *p = targets[i];
        peer_known_add(&p->known_blocks, hash);
        if (pick[i])
            peer_send(p, ETH_NEW_BLOCK, full.data, full.len);
        else
            peer_send(p, ETH_NEW_BLOCK_HASHES, ann.data, ann.len);
    }
    log_debug(LOG_P2P, "P2P: block %llu announced: in full to %zu, by hash to %zu peer(s)",
              (unsigned long long)b.header.number, peer_prop_full_count(k),
              k - peer_prop_full_count(k));
out:
    block_free(&b);
    bytes_free(&raw);
    bytes_free(&full);
    bytes_free(&ann);
    free(targets);
    free(pick);
    free(order);
}

/* Sends the batch items[0..n) as one Transactions message. */
static void send_txs(struct peer *p, const struct eth_raw *items, size_t n)
{
    if (n == 0)
        return;
    struct bytes b = BYTES_INIT;
    if (eth_list_encode(items, n, &b) == 0)
        peer_send(p, ETH_TRANSACTIONS, b.data, b.len);
    bytes_free(&b);
}

void p2p_propagate_txs(struct p2p *s, const struct p2p_txq *txs, size_t n)
{
    struct eth_raw *batch = calloc(n, sizeof *batch);
    if (!batch)
        return;
    for (size_t i = 0; i < s->npeers; i++) {
        struct peer *p = s->peers[i];
        if (p->state != PEER_READY)
            continue;
        size_t k = 0, bytes = 0;
        for (size_t j = 0; j < n; j++) {
            if (peer_known_has(&p->known_txs, &txs[j].hash))
                continue;
            /* a tx may appear twice in the queue: once per peer */
            peer_known_add(&p->known_txs, &txs[j].hash);
            if (k > 0 && bytes + txs[j].len > TX_BATCH_BYTES) {
                send_txs(p, batch, k);
                k = bytes = 0;
            }
            batch[k].data = txs[j].raw;
            batch[k].len = txs[j].len;
            k++;
            bytes += txs[j].len;
        }
        send_txs(p, batch, k);
    }
    free(batch);
}
