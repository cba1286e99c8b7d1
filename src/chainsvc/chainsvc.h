/*
 * chainsvc.h — the chain service: one thread (the "chain thread") that owns
 * the chain (chain/chain.h), the transaction pool (txpool/txpool.h) and
 * drives the miner (miner/miner.h), and the interface other threads use to
 * reach it.
 *
 * Why it is shaped this way: the design rule is that one thread owns the
 * chain state and applies every change. So the struct chain and the pool are
 * never touched by another thread: RPC workers (and later p2p) post a command
 * to the service's queue and wait for the answer (chainsvc_submit_tx,
 * chainsvc_import_block, chainsvc_generate, the pool views, ...). What
 * readers need without waiting is published: the head (number, hash, total
 * difficulty, a header copy) is copied under a mutex after every import, and
 * blocks, receipts and state are read straight from the database, which is
 * thread-safe and only ever holds committed heads (chaindb.h, trie_db.h).
 *
 * After every change of head the service, on the chain thread and in this
 * order: tells the pool (txpool_on_new_head, then txpool_readd of the
 * transactions of dropped blocks), publishes the head, writes the log lines
 * ("UpdateTip: new best=<hash> height=<n> txs=<k>", "Reorganize: depth <d>
 * from <old> to <new>"), and calls the event callback (newHeads, logs,
 * pending transactions). The callback gets plain structs: the service knows
 * nothing of JSON or of the RPC server (rpc/ depends on chainsvc/, not the
 * reverse); the node formats and publishes.
 *
 * Block production (when it happens; the miner decides what goes in):
 *   regtest   on demand (chainsvc_generate), after every accepted
 *             transaction with `automine` (before the submitter gets its
 *             answer), and every `blocktime` seconds when set;
 *   others    with `mine`, whenever miner_can_sign allows the node key to
 *             sign the block after the head, at the earliest time it may
 *             (a block is never imported before its own timestamp);
 *             chainsvc_generate works too when the key may sign.
 *
 * Errors: every command returns 0 or a negative ERR_* code, and sets the
 * calling thread's error context to the reason the chain thread gave (for
 * a refused transaction exactly the pool's reason, e.g. "nonce too low").
 * After chainsvc_stop began, commands return ERR_BADSTATE ("the chain
 * service is stopping").
 *
 * Threads: chainsvc_start and chainsvc_stop on the main thread; every other
 * function from any thread EXCEPT the chain thread itself (commands would
 * wait for themselves): the event callback must not call them.
 */
#ifndef SPECTRUM_CHAINSVC_CHAINSVC_H
#define SPECTRUM_CHAINSVC_CHAINSVC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chain/chain.h"
#include "chain/genesis.h"
#include "chain/params.h"
#include "primitives/address.h"
#include "primitives/block.h"
#include "primitives/header.h"
#include "primitives/tx.h"
#include "primitives/u256.h"
#include "storage/db.h"
#include "txpool/txpool.h"
#include "util/bytes.h"

struct chainsvc;

/* Most blocks one chainsvc_generate call produces. */
#define CHAINSVC_GENERATE_MAX 1000
/* Longest encoded block chainsvc_import_raw decodes (a block of 40M gas of
 * zero bytes is about 10 MB). */
#define CHAINSVC_MAX_BLOCK_SIZE (16u << 20)

/* ---- events ----------------------------------------------------------------- */

enum chainsvc_event_kind {
    CHAINSVC_EVENT_HEAD,        /* the canonical chain changed */
    CHAINSVC_EVENT_PENDING_TX,  /* a transaction entered the pool */
};

/* What the callback receives. Pointers are valid during the call only. */
struct chainsvc_event {
    enum chainsvc_event_kind kind;
    /* HEAD: the blocks that joined the canonical chain (oldest first; the
     * last is the new head) and those that left it (newest first; none
     * unless this was a reorg). Their data is in the database. */
    const struct hash32 *added;
    size_t nadded;
    const struct hash32 *removed;
    size_t nremoved;
    /* PENDING_TX */
    const struct tx *tx;
    const struct hash32 *tx_hash;
    const struct address *sender;
};

/* Runs on the chain thread, with the service's event lock held (see
 * chainsvc_set_event_fn). Must be quick and must not call any chainsvc
 * command. */
typedef void (*chainsvc_event_fn)(void *ctx, const struct chainsvc_event *ev);

/* ---- configuration ---------------------------------------------------------- */

struct chainsvc_config {
    struct db *db;                      /* not owned; must outlive the service */
    const struct chain_params *params;  /* not owned; must outlive the service */
    struct genesis *genesis;            /* for chain_open; not kept */
    struct chain_engine engine;         /* consensus (copied) */
    uint8_t node_key[32];               /* signs blocks (copied, wiped at stop) */
    bool automine;                      /* regtest: a block after each accepted tx */
    uint64_t blocktime;                 /* regtest: also a block every N s (0: off) */
    bool mine;                          /* live networks: produce when allowed */
    struct txpool_config pool;
    chainsvc_event_fn on_event;         /* may be NULL */
    void *event_ctx;
};

/* Fills cfg with the defaults for network p: txpool_config_default, automine
 * on regtest, blocktime 0, mine on; db and params set, the rest zero (the
 * caller fills genesis, engine and node_key). */
void chainsvc_config_default(struct chainsvc_config *cfg, struct db *db,
                             const struct chain_params *p);

/* ---- life cycle ----------------------------------------------------------------- */

/*
 * Opens the chain on cfg->db (writing the genesis on a fresh database, see
 * chain_open), checks the genesis against the file's expectedHash and
 * chainId when it has them, creates the pool for the head, publishes the
 * head, logs "Chain: <network>, head <n> <hash>, node address <addr>", and
 * starts the chain thread.
 * Returns 0, the errors of chain_open and txpool_create, ERR_INVAL (a bad
 * node key, an engine callback not set, a genesis that is not what its file
 * claims), ERR_NOMEM, ERR_BADSTATE (no thread). Out: *out (chainsvc_stop).
 * Thread: main.
 */
int chainsvc_start(const struct chainsvc_config *cfg, struct chainsvc **out);

/*
 * Begins stopping without waiting: new and queued commands fail with
 * ERR_BADSTATE, and a long command (generate, a wait for a block's time)
 * ends at its next block boundary. The node calls it before stopping the
 * RPC server, so handlers waiting on the chain are answered quickly.
 * NULL is ignored. Thread: any.
 */
void chainsvc_request_stop(struct chainsvc *s);

/*
 * Stops the chain thread (chainsvc_request_stop, then waits for the command
 * it runs to finish), closes the chain, frees the pool and the service. The
 * database stays open. NULL is ignored. Thread: main, after every thread
 * that may post commands stopped posting.
 */
void chainsvc_stop(struct chainsvc *s);

/*
 * Replaces the event callback (fn NULL: none). Takes the event lock, so
 * when it returns no call of the old callback is running: the node detaches
 * its publisher this way before stopping the RPC server.
 */
void chainsvc_set_event_fn(struct chainsvc *s, chainsvc_event_fn fn, void *ctx);

/* ---- published, read without the queue ---------------------------------------- */

struct chainsvc_head {
    uint64_t number;
    struct hash32 hash;
    u256 td;
    struct header header;   /* owned copy: header_free */
};

/* Copies the current head. Returns 0 or ERR_NOMEM (out owns nothing then). */
int chainsvc_head(struct chainsvc *s, struct chainsvc_head *out);

/* The current head's number and hash (hash may be NULL). */
uint64_t chainsvc_head_number(struct chainsvc *s, struct hash32 *hash);

/* The current head's number, hash and state root, without copying the
 * header (the state reads of "latest" need only these). */
uint64_t chainsvc_head_state(struct chainsvc *s, struct hash32 *hash, struct hash32 *state_root);

/* The parameters and database the service runs on (never NULL). */
const struct chain_params *chainsvc_params(const struct chainsvc *s);
struct db *chainsvc_db(const struct chainsvc *s);

/* The node key's address (the producer, eth_coinbase). */
void chainsvc_node_address(const struct chainsvc *s, struct address *out);

/* The node key's public key (X ‖ Y, 64 bytes): the node's devp2p identity
 * (admin_nodeInfo's enode). Returns 0 (ERR_CRYPTO cannot happen for a
 * started service, whose key was checked). */
int chainsvc_node_pubkey(const struct chainsvc *s, uint8_t pub[64]);

/* Signs a 32-byte hash with the node key, for the Tribe methods whose
 * system contracts check a node signature (tribe_bindSign, tribe_bind,
 * tribe_pocDeposit: the node key over keccak256(wallet address), spec §8.3,
 * §9). The key never leaves the service; no command is queued (the key is
 * immutable after start).
 * Out: sig = R ‖ S ‖ V with V in {0, 1} (go-ethereum's crypto.Sign form).
 * Returns 0 or ERR_CRYPTO. Thread: any. */
int chainsvc_node_sign_hash(const struct chainsvc *s, const uint8_t hash[32], uint8_t sig[65]);

/* A chainsvc_sign_fn that signs with the node key: ctx is the service.
 * For the node's own transactions (MeshBox reports, channel hub), sent with
 * chainsvc_send_tx from chainsvc_node_address. Thread: any. */
int chainsvc_node_sign_tx(void *ctx, struct tx *tx, uint64_t chain_id);

/* True when the service produces blocks by itself: regtest with automine or
 * a blocktime; other networks with `mine` while the key may sign. */
bool chainsvc_is_mining(struct chainsvc *s);

/* With -automine (which runs the VRF prover thread): of the VRF proofs our
 * blocks needed, how many the prover had made ahead and how many were made
 * on the chain thread (the first block, one whose parent was not ours, or
 * one whose proof the prover had not begun: vrf_ahead.h, "Priority").
 * Both 0 without automine. Thread: any. */
void chainsvc_vrf_counts(struct chainsvc *s, uint64_t *ahead, uint64_t *inline_made);

/* ---- commands: transactions ------------------------------------------------------ */

/*
 * Validates one encoded transaction and adds it to the pool (txpool_add:
 * local = submitted by this node's user). On regtest with automine, an
 * accepted transaction is followed by a block, imported before this
 * returns (a failure to mine is logged, the answer is still the hash).
 * Returns 0, ERR_INVAL (refused: err_msg and *reason say why), ERR_DECODE /
 * ERR_UNSUPPORTED (not a transaction), ERR_BADSTATE, ERR_NOMEM, or a
 * database error. Out: hash, reason (each may be NULL).
 */
int chainsvc_submit_tx(struct chainsvc *s, const uint8_t *raw, size_t len, bool local,
                       struct hash32 *hash, enum txpool_reason *reason);

/*
 * chainsvc_submit_tx without waiting: the same checks and the same answer,
 * delivered by fn(arg, rc, hash, msg) on the chain thread once the pool has
 * decided (with automine, once the block holding the transaction is in).
 * msg is the error text when rc != 0 ("" otherwise); fn must be quick (it
 * runs before the chain thread prepares the next block) and must not post
 * to the service. raw is copied. Returns 0 when posted: fn is then called
 * exactly once, with ERR_BADSTATE if the service stops first; ERR_NOMEM or
 * ERR_BADSTATE (stopping) when not posted, and fn is never called.
 * Why: a caller on an event loop (RPC) hands the transaction straight to the
 * chain thread and is woken once with the answer, instead of parking a
 * thread per call and being woken twice (see doc/rpc.md, "Latency"). The
 * signature is still recovered on the caller's thread, but after posting:
 * the chain thread wakes up meanwhile and waits only for what is left.
 */
typedef void (*chainsvc_submit_fn)(void *arg, int rc, const struct hash32 *hash,
                                   const char *msg);

int chainsvc_submit_tx_async(struct chainsvc *s, const uint8_t *raw, size_t len, bool local,
                             chainsvc_submit_fn fn, void *arg);

/* Signs tx in place for chain_id (EIP-155); returns 0 or an ERR_* code with
 * the reason set (wallet_sign_tx's). Called on the chain thread. */
typedef int (*chainsvc_sign_fn)(void *ctx, struct tx *tx, uint64_t chain_id);

/*
 * eth_sendTransaction's core: on the chain thread, sets tmpl's nonce to the
 * sender's pool nonce (txpool_pending_nonce) unless has_nonce, signs it with
 * sign(sign_ctx, tx, chain id), then submits it as chainsvc_submit_tx does
 * (local). Doing both on the chain thread keeps two concurrent sends from
 * the same account from getting one nonce.
 * Returns as chainsvc_submit_tx, or sign's error. Out: hash (may be NULL).
 */
int chainsvc_send_tx(struct chainsvc *s, const struct tx *tmpl, const struct address *from,
                     bool has_nonce, chainsvc_sign_fn sign, void *sign_ctx,
                     struct hash32 *hash);

/* ---- commands: blocks --------------------------------------------------------------- */

struct chainsvc_import {
    enum chain_insert_status status;    /* KNOWN, HEAD, SIDE or REORG */
    struct hash32 hash;
    uint64_t number;
};

/*
 * Imports a block (a peer's, submitblock's) through chain_import_block, with
 * the service's head-change work when the head moved. A rejected block logs
 * "Rejected block <n> <hash>: <reason>".
 * Returns 0 with *out; ERR_NOTFOUND ("unknown parent"), ERR_BADSTATE
 * ("block in the future", or stopping), ERR_INVAL / ERR_CRYPTO (invalid
 * block: the import's reason), ERR_UNSUPPORTED, a database error.
 */
int chainsvc_import_block(struct chainsvc *s, const struct block *b, struct chainsvc_import *out);

/* Decodes rlp (at most CHAINSVC_MAX_BLOCK_SIZE bytes; ERR_RANGE above,
 * ERR_DECODE / ERR_UNSUPPORTED from block_decode, with "block decode
 * failed: ..." in the context) on the calling thread, then imports it. */
int chainsvc_import_raw(struct chainsvc *s, const uint8_t *rlp, size_t len,
                        struct chainsvc_import *out);

/*
 * Produces n blocks on top of the head, one after the other (each built
 * from the pool by miner_build_block with the node key, then imported), and
 * writes their hashes, oldest first, to hashes[0..n). n is at most
 * CHAINSVC_GENERATE_MAX (ERR_RANGE). A block whose time lies ahead (a
 * signer delay on a live network) is waited for, at most 120 s.
 * Returns 0; ERR_INVAL (the key may not sign: the miner's reason); an
 * import or build error (the blocks made before it stay). Out: *made (may
 * be NULL) how many blocks were made either way.
 */
int chainsvc_generate(struct chainsvc *s, size_t n, struct hash32 *hashes, size_t *made);

/*
 * Regtest tests: builds a sealed block on top of the head from the pool, as
 * the miner would, WITHOUT importing it, then tampers with it as `tamper`
 * says ("none", "seal", "signer", "difficulty", "stateRoot",
 * "chiefNotFirst", "noChiefTx"; see miner/miner_tamper.h), and appends its
 * RLP to out.
 * Returns 0; ERR_INVAL (unknown tamper name; "need a pool transaction" for
 * chiefNotFirst without one; the key may not sign); ERR_NOMEM; a build
 * error.
 */
int chainsvc_build_block(struct chainsvc *s, const char *tamper, struct bytes *out);

/* ---- commands: pool views ----------------------------------------------------------- */

/* A copy of a pooled transaction (owns tx; chainsvc_pool_tx_free). */
struct chainsvc_pool_tx {
    struct hash32 hash;
    struct address sender;
    struct tx tx;
    bool pending;               /* executable on the head (else queued) */
};

void chainsvc_pool_tx_free(struct chainsvc_pool_tx *t);

/* Frees an array of n copies (NULL is allowed). */
void chainsvc_pool_txs_free(struct chainsvc_pool_tx *txs, size_t n);

/* Pending and queued counts (either may be NULL). Returns 0 or ERR_BADSTATE. */
int chainsvc_pool_status(struct chainsvc *s, size_t *pending, size_t *queued);

/* Every pooled transaction, grouped by sender and sorted by nonce within
 * each sender. Returns 0, ERR_NOMEM, ERR_BADSTATE. Out: *txs
 * (chainsvc_pool_txs_free), *n. */
int chainsvc_pool_content(struct chainsvc *s, struct chainsvc_pool_tx **txs, size_t *n);

/* The pooled transaction with that hash. Returns 0, ERR_NOTFOUND,
 * ERR_NOMEM, ERR_BADSTATE. Out: *out (chainsvc_pool_tx_free). */
int chainsvc_pool_get(struct chainsvc *s, const struct hash32 *hash,
                      struct chainsvc_pool_tx *out);

/* The next nonce of `a` counting its pending pool transactions
 * (txpool_pending_nonce). Returns 0, ERR_BADSTATE, or a state read error. */
int chainsvc_pool_nonce(struct chainsvc *s, const struct address *a, uint64_t *nonce);

#endif
