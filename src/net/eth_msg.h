/*
 * eth_msg.h — the eth/62 and eth/63 wire messages, encoded and decoded as
 * pure functions over byte buffers.
 *
 * Codes are relative to the capability's offset (P2P_CAP_OFFSET on the
 * wire). eth/62 has 0x00..0x07; eth/63 adds 0x0d..0x10 (state and receipts):
 *
 *   0x00 Status          [protocolVersion, networkId, td, bestHash, genesisHash]
 *   0x01 NewBlockHashes  [[hash, number], ...]
 *   0x02 Transactions    [tx, ...]
 *   0x03 GetBlockHeaders [origin: hash(32) | number, amount, skip, reverse(0/1)]
 *   0x04 BlockHeaders    [header, ...]
 *   0x05 GetBlockBodies  [hash, ...]
 *   0x06 BlockBodies     [[txs, uncles], ...]
 *   0x07 NewBlock        [block, td]
 *   0x0d GetNodeData     [hash, ...]
 *   0x0e NodeData        [bytes, ...]
 *   0x0f GetReceipts     [hash, ...]
 *   0x10 Receipts        [[receipt, ...], ...]
 *
 * Why it is shaped this way: every payload here comes from a peer, so each
 * decoder is bounded: the payload by ETH_MAX_MSG_SIZE (geth's
 * ProtocolMaxMsgSize), answers by geth's fetch limits (more items than a
 * request may ask for is an error), every item count by the smallest
 * encoding of its item before anything is allocated. Requests are read as
 * geth serves them: items past the limit are checked but not kept
 * (`ignored` counts them), so a peer asking for too much gets a short
 * answer, not a disconnect. Transactions, headers, bodies, blocks and
 * receipts go through the primitives decoders (tx.h, header.h, block.h,
 * receipt.h), which enforce canonical RLP, so an item's raw bytes are its
 * canonical encoding: decoders keep a view of them (`raw`) and compute hashes
 * from them, and propagation re-sends those bytes instead of re-encoding.
 * Encoders of item lists therefore take raw encodings (struct eth_raw).
 *
 * Memory: a decoded value is proportional to its payload. The largest ratio
 * is that of transactions (a 10-byte minimal tx decodes into a ~270-byte
 * struct), the same as block.h's for bodies; hence ETH_MAX_TXS.
 *
 * Errors: ERR_RANGE (payload above ETH_MAX_MSG_SIZE, too many items, an
 * integer above its width), ERR_DECODE (shape: wrong list arity, a hash that
 * is not 32 bytes, non-canonical RLP, trailing bytes), ERR_UNSUPPORTED (a
 * typed transaction; a code the version does not have), ERR_NOMEM. The
 * context names the message, the item index and what is wrong, e.g.
 * "BlockHeaders: header 3: rlp: expected 32 bytes, got 31".
 *
 * Ownership: decoded values own their arrays and the decoded structs in
 * them; free each with its *_free function (also after a failed decode,
 * which leaves nothing owned). `raw` views point into the decoder's input:
 * they are valid only while that buffer is. Threads: every function is safe
 * from any thread on distinct values.
 */
#ifndef SPECTRUM_NET_ETH_MSG_H
#define SPECTRUM_NET_ETH_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/p2p_msg.h"
#include "primitives/address.h"
#include "primitives/block.h"
#include "primitives/header.h"
#include "primitives/receipt.h"
#include "primitives/tx.h"
#include "primitives/u256.h"
#include "util/bytes.h"

#define ETH_NAME "eth"
#define ETH_VERSION_62 62
#define ETH_VERSION_63 63

/* Largest eth message payload (geth ProtocolMaxMsgSize: 10 MiB). */
#define ETH_MAX_MSG_SIZE (10u * 1024 * 1024)

/* Item limits of one request or answer (geth's downloader fetch limits). */
#define ETH_MAX_HEADERS 192     /* MaxHeaderFetch */
#define ETH_MAX_BODIES 128      /* MaxBlockFetch */
#define ETH_MAX_NODE_DATA 384   /* MaxStateFetch */
#define ETH_MAX_RECEIPTS 256    /* MaxReceiptFetch (blocks per message) */
/* Transactions per Transactions message: geth sends batches of ~100 KB
 * (a few hundred txs); a decoded tx takes ~25 times its minimal encoding,
 * so without a count cap one 10 MiB message could cost ~270 MB. */
#define ETH_MAX_TXS 4096

enum eth_code {
    ETH_STATUS = 0x00,
    ETH_NEW_BLOCK_HASHES = 0x01,
    ETH_TRANSACTIONS = 0x02,
    ETH_GET_BLOCK_HEADERS = 0x03,
    ETH_BLOCK_HEADERS = 0x04,
    ETH_GET_BLOCK_BODIES = 0x05,
    ETH_BLOCK_BODIES = 0x06,
    ETH_NEW_BLOCK = 0x07,
    ETH_GET_NODE_DATA = 0x0d,
    ETH_NODE_DATA = 0x0e,
    ETH_GET_RECEIPTS = 0x0f,
    ETH_RECEIPTS = 0x10,
};

/* A view of bytes owned elsewhere (an item's encoding, a node). */
struct eth_raw {
    const uint8_t *data;
    size_t len;
};

/* ---- versions and codes ----------------------------------------------------- */

/* How many codes the version uses (its "message length" in the devp2p
 * offset arithmetic): 17 for eth/63, 8 for eth/62, 0 for anything else. */
uint64_t eth_proto_length(uint64_t version);

/* True when `code` (relative) is a message of eth `version`: 0x00..0x07 for
 * both, 0x0d..0x10 for eth/63 only. */
bool eth_code_valid(uint64_t version, uint64_t code);

/* Static name of a code ("GetBlockHeaders"), "unknown" otherwise. */
const char *eth_code_name(uint64_t code);

/* Writes our eth capabilities, highest first (eth/63, eth/62), into out
 * (room for 2) and returns how many. For the Hello and p2p_cap_negotiate. */
size_t eth_caps(struct p2p_cap out[2]);

/* ---- 0x00 Status ------------------------------------------------------------ */

struct eth_status {
    uint64_t protocol_version;
    uint64_t network_id;
    u256 td;
    struct hash32 best_hash;
    struct hash32 genesis_hash;
};

/* Appends the Status payload. Returns 0 or ERR_NOMEM. */
int eth_status_encode(const struct eth_status *s, struct bytes *out);

/* Decodes a Status payload: exactly five items, td at most 2^256-1.
 * Returns 0 or an error above. Out: s (written in full on success). */
int eth_status_decode(const uint8_t *in, size_t len, struct eth_status *s);

/*
 * Compares a peer's Status with ours, as geth's handshake does: the same
 * genesis, network id and protocol version (the negotiated one).
 * Returns 0 or ERR_INVAL naming the first mismatch ("genesis mismatch: ours
 * 0x.., theirs 0x.."); the caller disconnects (P2P_DISC_SUBPROTOCOL_ERROR).
 */
int eth_status_check(const struct eth_status *ours, const struct eth_status *theirs);

/* ---- 0x01 NewBlockHashes ---------------------------------------------------- */

struct eth_announce {
    struct hash32 hash;
    uint64_t number;
};

struct eth_announces {
    struct eth_announce *items;     /* owned; NULL when count == 0 */
    size_t count;
};

/* Appends [[hash, number], ...]. Returns 0 or ERR_NOMEM. */
int eth_new_block_hashes_encode(const struct eth_announce *items, size_t n, struct bytes *out);

/* Decodes NewBlockHashes (bounded by the payload size only). */
int eth_new_block_hashes_decode(const uint8_t *in, size_t len, struct eth_announces *out);

void eth_announces_free(struct eth_announces *a);

/* ---- 0x02 Transactions, 0x04 BlockHeaders, 0x06 BlockBodies, 0x10 Receipts -- */

/*
 * Appends the list of n already-encoded items verbatim: the payload of
 * Transactions (tx encodings), BlockHeaders (header encodings), BlockBodies
 * ([txs, uncles] encodings) and Receipts (each an encoded list of one
 * block's receipts). The items are not checked (they are ours).
 * Returns 0 or ERR_NOMEM.
 */
int eth_list_encode(const struct eth_raw *items, size_t n, struct bytes *out);

struct eth_tx {
    struct tx tx;                   /* owned (tx_free) */
    struct hash32 hash;             /* keccak256(raw) */
    struct eth_raw raw;             /* view into the input */
};

struct eth_txs {
    struct eth_tx *items;           /* owned; NULL when count == 0 */
    size_t count;
};

/* Decodes Transactions: at most ETH_MAX_TXS (ERR_RANGE above, before any
 * allocation). A typed transaction is ERR_UNSUPPORTED. */
int eth_transactions_decode(const uint8_t *in, size_t len, struct eth_txs *out);

void eth_txs_free(struct eth_txs *t);

struct eth_header {
    struct header header;           /* owned (header_free) */
    struct hash32 hash;             /* keccak256(raw): the block hash */
    struct eth_raw raw;             /* view into the input */
};

struct eth_headers {
    struct eth_header *items;       /* owned; NULL when count == 0 */
    size_t count;
};

/* Decodes BlockHeaders: at most ETH_MAX_HEADERS. */
int eth_block_headers_decode(const uint8_t *in, size_t len, struct eth_headers *out);

void eth_headers_free(struct eth_headers *h);

struct eth_body {
    struct block_body body;         /* owned (block_body_free) */
    struct eth_raw raw;             /* view into the input */
};

struct eth_bodies {
    struct eth_body *items;         /* owned; NULL when count == 0 */
    size_t count;
};

/* Decodes BlockBodies: at most ETH_MAX_BODIES. */
int eth_block_bodies_decode(const uint8_t *in, size_t len, struct eth_bodies *out);

void eth_bodies_free(struct eth_bodies *b);

struct eth_block_receipts {
    struct receipt *receipts;       /* owned; NULL when count == 0 */
    size_t count;
    struct eth_raw raw;             /* the block's receipt list, view into the input */
};

struct eth_receipts {
    struct eth_block_receipts *items; /* owned; NULL when count == 0 */
    size_t count;
};

/* Decodes Receipts: at most ETH_MAX_RECEIPTS blocks, each a list of
 * receipts in either form (receipt.h). */
int eth_receipts_decode(const uint8_t *in, size_t len, struct eth_receipts *out);

void eth_receipts_free(struct eth_receipts *r);

/* ---- 0x03 GetBlockHeaders --------------------------------------------------- */

struct eth_get_headers {
    bool by_hash;                   /* origin is `hash`, else `number` */
    struct hash32 hash;
    uint64_t number;
    uint64_t amount;                /* as sent; answers stop at ETH_MAX_HEADERS */
    uint64_t skip;
    bool reverse;
};

/* Appends the GetBlockHeaders payload. Returns 0 or ERR_NOMEM. */
int eth_get_headers_encode(const struct eth_get_headers *q, struct bytes *out);

/* Decodes it: exactly four items; the origin is a hash when it is 32 bytes,
 * a number when 0..8 bytes (anything else: ERR_RANGE); reverse 0 or 1
 * (anything else: ERR_RANGE). Out: q (written in full on success). */
int eth_get_headers_decode(const uint8_t *in, size_t len, struct eth_get_headers *q);

/* ---- 0x05 GetBlockBodies, 0x0d GetNodeData, 0x0f GetReceipts ---------------- */

struct eth_hashes {
    struct hash32 *items;           /* owned; NULL when count == 0 */
    size_t count;
    size_t ignored;                 /* well-formed hashes past the limit, not kept */
};

/* Appends [hash, ...]. Returns 0 or ERR_NOMEM. */
int eth_hashes_encode(const struct hash32 *hashes, size_t n, struct bytes *out);

/*
 * Decodes the hash list of request `code` (ETH_GET_BLOCK_BODIES,
 * ETH_GET_NODE_DATA or ETH_GET_RECEIPTS; else ERR_INVAL). Every item must
 * be a 32-byte string; the first ETH_MAX_BODIES / ETH_MAX_NODE_DATA /
 * ETH_MAX_RECEIPTS are kept, the rest counted in `ignored`.
 */
int eth_hashes_decode(uint64_t code, const uint8_t *in, size_t len, struct eth_hashes *out);

void eth_hashes_free(struct eth_hashes *h);

/* ---- 0x07 NewBlock ---------------------------------------------------------- */

struct eth_new_block {
    struct block block;             /* owned (block_free) */
    struct hash32 hash;             /* the block hash (keccak256 of the header's raw) */
    u256 td;
    struct eth_raw raw;             /* the block's encoding, view into the input */
};

/* Appends [block, td] with the block's encoding given verbatim.
 * Returns 0 or ERR_NOMEM. */
int eth_new_block_encode(const struct eth_raw *block, const u256 *td, struct bytes *out);

/* Decodes NewBlock: exactly two items, td at most 2^256-1. */
int eth_new_block_decode(const uint8_t *in, size_t len, struct eth_new_block *out);

void eth_new_block_free(struct eth_new_block *nb);

/* ---- 0x0e NodeData ---------------------------------------------------------- */

struct eth_node_data {
    struct eth_raw *items;          /* owned array of views into the input */
    size_t count;
};

/* Appends [bytes, ...], each blob as an RLP string. Returns 0 or ERR_NOMEM. */
int eth_node_data_encode(const struct eth_raw *blobs, size_t n, struct bytes *out);

/* Decodes NodeData: at most ETH_MAX_NODE_DATA strings (no list items). */
int eth_node_data_decode(const uint8_t *in, size_t len, struct eth_node_data *out);

void eth_node_data_free(struct eth_node_data *d);

/* ---- any message ------------------------------------------------------------ */

/* One decoded message; `code` says which member of `u` is set. */
struct eth_msg {
    uint64_t code;
    union {
        struct eth_status status;
        struct eth_announces announces;
        struct eth_txs txs;
        struct eth_get_headers get_headers;
        struct eth_headers headers;
        struct eth_hashes hashes;           /* GetBlockBodies, GetNodeData, GetReceipts */
        struct eth_bodies bodies;
        struct eth_new_block new_block;
        struct eth_node_data node_data;
        struct eth_receipts receipts;
    } u;
};

/*
 * Decodes the payload of message `code` (relative) of eth `version`.
 * Returns 0 or the message decoder's error; ERR_UNSUPPORTED for a code the
 * version does not have ("eth/62 has no GetNodeData", "unknown message
 * 0x08"). Out: msg (free with eth_msg_free, also after a failure).
 */
int eth_msg_decode(uint64_t version, uint64_t code, const uint8_t *in, size_t len,
                   struct eth_msg *msg);

/* Frees what msg owns and zeroes it (NULL is allowed). */
void eth_msg_free(struct eth_msg *msg);

#endif
