/*
 * state.h — the world state: accounts (nonce, balance, code, storage) cached
 * in memory over the secure account trie, with a journal so that nested
 * calls can be reverted, and the per-transaction bookkeeping the EVM needs
 * (refund counter, logs, self-destructs, touched accounts).
 *
 * Shape (why): the EVM calls these functions directly on its hot path (SLOAD,
 * BALANCE, CALL), so reads are served from in-memory account and slot caches
 * and only fall through to the trie on a miss. Every mutation appends one
 * journal entry holding the previous value; state_snapshot() is a journal
 * length and state_revert() undoes entries back to it — O(changes), never a
 * copy of the state. Storage values are kept per account in a hash map with
 * both the committed value (as of the start of the transaction, for EIP-1283
 * net gas metering) and the current value.
 *
 * Errors: a missing or corrupt trie node cannot be reported from the middle
 * of an opcode, so reads return zero/empty and record a sticky error;
 * state_error() returns it (0 when none). Callers check it after each
 * transaction and discard the state when it is set (the block is then not
 * importable: the database is broken, not the block).
 *
 * Ownership: a struct state owns all its caches and logs; pointers it returns
 * (code, logs) stay valid until the state is freed or the account's code
 * changes (code) / state_tx_finalize or state_revert (logs).
 * Threads: one thread at a time per struct state (the chain thread, or an RPC
 * worker on its own state opened over a committed root).
 */
#ifndef SPECTRUM_STATE_STATE_H
#define SPECTRUM_STATE_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "primitives/address.h"
#include "primitives/receipt.h"
#include "primitives/u256.h"
#include "trie/trie.h"

struct state;

/* Longest code state_set_code accepts (ERR_RANGE beyond) and state_get_code
 * reads from a store; far above any contract the gas rules allow. */
#define STATE_MAX_CODE_LEN TRIE_MAX_VALUE_LEN

/* Opens the state at `root` (NULL: the empty state) over `store` (NULL: an
 * in-memory state that can compute roots but not commit). Code is read from
 * and written to the same store under its keccak256 hash. Nothing is read
 * until needed, so a root missing from the store shows as the sticky error
 * of the first read.
 * Returns 0, ERR_NOMEM, ERR_INVAL (a non-empty root without a store). */
int state_open(const struct trie_store *store, const uint8_t *root, struct state **out);

/* Frees the state and everything it holds (NULL is ignored). */
void state_free(struct state *s);

/* First sticky error (0 when none); the context was set when it happened. */
int state_error(const struct state *s);

/* The context of the sticky error, copied when it happened ("" when none);
 * valid while the state lives. */
const char *state_error_msg(const struct state *s);

/* ---- accounts ------------------------------------------------------------ *
 *
 * Reads of a missing account give zero/empty and create nothing. Every
 * mutator (add/sub/set balance, set nonce, set code, set storage) first
 * creates a missing account, journaled, as geth's getOrNewStateObject does:
 * before EIP-158 such an account persists even when it stays empty. An
 * account deleted at the end of an earlier transaction is missing; created
 * again, it starts with empty storage.
 */

/* True when the account exists (even if empty in the EIP-161 sense). */
bool state_exists(struct state *s, const struct address *a);

/* True when the account does not exist or is empty: nonce 0, balance 0, no
 * code (EIP-161). */
bool state_is_empty(struct state *s, const struct address *a);

void state_get_balance(struct state *s, const struct address *a, u256 *out);
/* Adds v (wraps modulo 2^256). Adding zero creates a missing account and
 * touches the account when it is empty (geth's AddBalance): this is how a
 * zero-value CALL touches its target. */
void state_add_balance(struct state *s, const struct address *a, const u256 *v);
/* Subtracts v; the caller has checked the balance (wraps otherwise).
 * Subtracting zero creates a missing account and changes nothing else. */
void state_sub_balance(struct state *s, const struct address *a, const u256 *v);
void state_set_balance(struct state *s, const struct address *a, const u256 *v);

uint64_t state_get_nonce(struct state *s, const struct address *a);
void state_set_nonce(struct state *s, const struct address *a, uint64_t nonce);

/* The account's code (NULL and *len = 0 when none), loaded from the store on
 * first use. The pointer stays valid until the account's code changes or a
 * revert undoes its creation. */
const uint8_t *state_get_code(struct state *s, const struct address *a, size_t *len);
size_t state_get_code_size(struct state *s, const struct address *a);
/* keccak256 of the code; all zero when the account does not exist or is
 * empty (EXTCODEHASH, EIP-1052), keccak256("") for an existing account with
 * no code. */
void state_get_code_hash(struct state *s, const struct address *a, struct hash32 *out);
/* Sets the code (copied). Returns 0, ERR_RANGE (longer than
 * STATE_MAX_CODE_LEN) or ERR_NOMEM. */
int state_set_code(struct state *s, const struct address *a, const uint8_t *code, size_t len);

/* Creates (or resets) an account for a contract being deployed at `a`: keeps
 * the balance, clears nonce, code and storage (the old storage is never read
 * again; state_get_committed_storage gives zero for it too, as geth's fresh
 * object does). Journaled: a revert restores the previous account whole. */
void state_create_account(struct state *s, const struct address *a);

/* Marks the account touched (EIP-158: touched empty accounts are deleted at
 * the end of the transaction). Journaled. Does nothing when the account does
 * not exist (use state_add_balance with zero to create-and-touch, as a
 * value transfer does). A touch of the RIPEMD-160 precompile 0x…03 keeps the
 * account touched even when reverted (geth's behaviour, which Ethereum
 * mainnet consensus kept; see "ripemd" in geth's core/state). */
void state_touch(struct state *s, const struct address *a);

/* ---- storage --------------------------------------------------------------- */

/* Current value of slot `key` (zero when unset or the account is missing). */
void state_get_storage(struct state *s, const struct address *a, const u256 *key, u256 *out);
/* Value at the start of the current transaction (EIP-1283 "original"): as
 * left by the last state_tx_finalize, zero for an account created in this
 * transaction. */
void state_get_committed_storage(struct state *s, const struct address *a, const u256 *key,
                                 u256 *out);
/* Sets slot `key`; writing the current value again journals nothing. Zero
 * deletes the slot from the trie when the root is computed. */
void state_set_storage(struct state *s, const struct address *a, const u256 *key,
                       const u256 *val);

/* Root of the account's storage trie as of the last state_tx_finalize (the
 * committed values: changes of the current transaction are not included),
 * hashing the account's finalized slots if needed; TRIE_EMPTY_ROOT for an
 * account created in this transaction (CREATE drops the old storage), all
 * zero when the account does not exist. For the EIP-7610 collision rule
 * (CREATE onto an address with non-empty storage fails, which the state
 * test fixtures apply to every fork; unreachable on a real chain) and for
 * storage proofs (eth_getProof). A trie error is sticky and gives zero. */
void state_get_storage_root(struct state *s, const struct address *a, struct hash32 *out);

/* True when the account exists and its storage root (as state_get_storage_root
 * gives it) is not the empty root: the EIP-7610 collision test. */
bool state_has_storage(struct state *s, const struct address *a);

/* ---- transaction bookkeeping -------------------------------------------- */

/* Schedules the account for deletion at the end of the transaction and sets
 * its balance to zero (geth's Suicide; the EVM moves the balance to the
 * beneficiary first, so a contract naming itself burns it). The account
 * still exists until then. Journaled (flag and balance). Does nothing when
 * the account does not exist. */
void state_selfdestruct(struct state *s, const struct address *a);
bool state_has_selfdestructed(struct state *s, const struct address *a);

void state_add_refund(struct state *s, uint64_t gas);
/* Subtracts from the refund counter (EIP-1283 can); never below zero. */
void state_sub_refund(struct state *s, uint64_t gas);
uint64_t state_get_refund(const struct state *s);

/* Appends a log (copied). Returns 0 or ERR_NOMEM. */
int state_add_log(struct state *s, const struct address *a, const struct hash32 *topics,
                  size_t ntopics, const uint8_t *data, size_t len);
/* Logs of the current transaction, in order (read them for the receipt
 * before state_tx_finalize). Valid until the next state_add_log,
 * state_revert or state_tx_finalize. */
const struct log *state_logs(const struct state *s, size_t *count);

/* A journal position; state_revert undoes every change made after it (logs,
 * refunds, touches and self-destructs included). */
typedef size_t state_snap;
state_snap state_snapshot(const struct state *s);
void state_revert(struct state *s, state_snap snap);

/* Ends a transaction: deletes self-destructed accounts and, when
 * `delete_empty` (EIP-158 and later), touched empty accounts; makes current
 * storage the committed storage; clears the journal, refund counter, logs
 * and touched set. "Touched" is geth's journal.dirties: any account with a
 * change not reverted (creation, balance, nonce, code, storage, touch,
 * self-destruct). Changes made outside transactions (block and uncle
 * rewards, genesis allocation) need a finalize too before state_root. */
void state_tx_finalize(struct state *s, bool delete_empty);

/* ---- roots ------------------------------------------------------------------ */

/* Computes the state root of everything finalized so far (storage tries
 * first, then the account trie); only what changed since the last call is
 * rehashed. Returns 0, the sticky error (an error while writing the tries
 * becomes sticky), or ERR_BADSTATE when changes were made since the last
 * state_tx_finalize (not sticky). */
int state_root(struct state *s, uint8_t root[32]);

/* Like state_root, and writes every new trie node and code blob to the store
 * (the store's batch: see storage/trie_db.h). Returns 0, ERR_BADSTATE (no
 * store, or called mid-transaction as state_root) or the sticky error (a
 * failing store put becomes sticky). */
int state_commit(struct state *s, uint8_t root[32]);

#endif
