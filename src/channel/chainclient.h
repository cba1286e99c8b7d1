/*
 * chainclient.h — the channel hub's client of the chain service
 * (doc/channels.md, "Chain side"): a thread that follows the canonical
 * chain for the hub, and the contract calls and reads the hub and the
 * channel_ RPC make.
 *
 * Following the chain. The node's chain-event callback (on the chain
 * thread) calls ch_chainclient_on_head, which only records the new height
 * and wakes the client's thread: the chain thread never waits for the hub.
 * After each round the thread rests CH_CLIENT_REST_MS, and heads that come
 * meanwhile only raise the height: under -automine a round takes many
 * blocks instead of waking per block.
 * The thread reads, for each block after the last processed one up to
 * head − confirmations, its receipts from the database, decodes the logs of
 * TokensNetwork and the SecretRegistry (events.h), and hands them to the hub
 * (ch_hub_chain_apply) in batches of at most CH_CLIENT_BATCH blocks: each
 * batch is applied and stored with its last block in one hub turn. Then it
 * sends the transactions the watchdog asked for. At start it resumes from
 * the block the store holds (a new store starts at the head: a hub has no
 * channel before it exists), so a restart replays what it missed.
 *
 * Transactions are signed with the hub key (the node key) on the chain
 * thread by chainsvc_send_tx, which picks the account's pool nonce: two
 * senders (the client thread and RPC workers) never take the same nonce.
 *
 * Not handled: a reorg that removes blocks already applied is logged, not
 * undone (regtest has one producer; elsewhere -channelconfirmations keeps
 * the hub behind the tip).
 *
 * Threads: ch_chainclient_start / _stop from the owner (the node's main
 * thread); ch_chainclient_on_head from the chain thread; the rest from any
 * thread except the chain thread and the hub thread (they wait for both).
 */
#ifndef SPECTRUM_CHANNEL_CHAINCLIENT_H
#define SPECTRUM_CHANNEL_CHAINCLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "channel/contract.h"
#include "channel/hub.h"
#include "primitives/address.h"
#include "primitives/u256.h"

struct chainsvc;
struct ch_chainclient;

/* Most blocks applied in one hub turn. */
#define CH_CLIENT_BATCH 256
/* Least time between two rounds of following the chain (chainclient.c). */
#define CH_CLIENT_REST_MS 20u
/* Most contract events taken from one batch (more: the batch is cut at a
 * block boundary, the rest comes in the next). */
#define CH_CLIENT_EVENTS_MAX 65536
/* Gas limit of every hub transaction (the largest, an unlock with a full
 * merkle proof or a first deposit of a token, needs well under it; unused
 * gas is refunded). */
#define CH_CLIENT_TX_GAS 1000000u

struct ch_chainclient_config {
    struct chainsvc *chain;         /* not owned; outlives the client */
    struct ch_hub *hub;             /* not owned; outlives the client */
    uint8_t key[32];                /* the hub key: signs transactions (copied, wiped at stop) */
    uint8_t tokens_network[20];
    uint8_t secret_registry[20];
    uint64_t confirmations;         /* blocks a head must be buried before it is applied */
};

/* Builds the hub's chain side (ch_hub_chain_new), then starts the thread,
 * which catches up with the head at once.
 * Returns: 0; ERR_INVAL (invalid key); the errors of ch_hub_chain_new;
 *          ERR_NOMEM; ERR_BADSTATE (no thread). Out: *out. */
int ch_chainclient_start(const struct ch_chainclient_config *cfg, struct ch_chainclient **out);

/* Stops the thread (after the batch under way) and frees the client. NULL
 * is ignored. The hub must still run when this is called. */
void ch_chainclient_stop(struct ch_chainclient *cc);

/* The chain's head is now `number`: wakes the thread. Quick, never waits
 * beyond a mutex. Thread: the chain thread (any). */
void ch_chainclient_on_head(struct ch_chainclient *cc, uint64_t number);

/* Waits (at most timeout_ms) until the thread has applied every block up
 * to the chain's head as of the call (less the confirmations), ending its
 * rest at once: the channel_ RPC's views and checks ("settle is possible
 * from block ...") then see the blocks the caller has seen. Best effort: on
 * time-out the view is just older, and a client that stopped following
 * (the hub failed) is not waited for. Thread: any but the client's own and
 * the chain thread. */
void ch_chainclient_catch_up(struct ch_chainclient *cc, unsigned timeout_ms);

/* The last block applied to the hub (0 before the first). Thread: any. */
uint64_t ch_chainclient_processed(struct ch_chainclient *cc);

/* The hub's chain side (for ch_hub_chain_info). */
struct ch_hub_chain *ch_chainclient_hub_chain(struct ch_chainclient *cc);

/* The hub's address (of the key). */
void ch_chainclient_address(const struct ch_chainclient *cc, struct address *out);

/* Sends a transaction from the hub's account: `to`, value, call data,
 * CH_CLIENT_TX_GAS, the chain's minimum gas price (18 gwei when none).
 * Returns: as chainsvc_send_tx (ERR_INVAL with the pool's reason...).
 * In: value may be NULL (0). Out: hash (may be NULL). */
int ch_chainclient_send(struct ch_chainclient *cc, const uint8_t to[20], const u256 *value,
                        const uint8_t *data, size_t len, struct hash32 *hash);

/* ch_hub_chain_close (bp NULL: the partner's latest proof), then sends the
 * prepareSettle. Returns: their errors. Out: hash (may be NULL). */
int ch_chainclient_close(struct ch_chainclient *cc, const uint8_t channel_id[32],
                         const struct ch_signed_bp *bp, struct hash32 *hash);

/* ch_hub_chain_settle, then sends it. Returns: their errors. */
int ch_chainclient_settle(struct ch_chainclient *cc, const uint8_t channel_id[32],
                          struct hash32 *hash);

/* Whether transaction `hash` is in a canonical block, and if so whether it
 * succeeded. Returns: 0; database errors (ERR_IO, ERR_DECODE...). */
int ch_chainclient_receipt(struct chainsvc *chain, const struct hash32 *hash, bool *mined,
                           bool *ok);

/* A privileged static call of `to` with `input` at the head state
 * (tribe_call_view). Returns: 0; ERR_INVAL (reverted); the state's errors.
 * Out: *out (malloc'ed, caller frees; NULL when *out_len is 0). */
int ch_chainclient_view(struct chainsvc *chain, const uint8_t to[20], const uint8_t *input,
                        size_t len, uint8_t **out, size_t *out_len);

/* At the head state: the native balance of `who` and, when token is not
 * NULL, its balanceOf(who) in token (0 when the call returns nothing
 * decodable). Returns: 0 or the errors of ch_chainclient_view. */
int ch_chainclient_balances(struct chainsvc *chain, const uint8_t who[20], const uint8_t *token,
                            u256 *native, u256 *token_balance);

#endif
