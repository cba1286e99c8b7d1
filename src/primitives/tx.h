/*
 * tx.h — legacy Ethereum transactions, with EIP-155 replay protection.
 *
 * Spectrum forked from Ethereum before Berlin, so a transaction is always the
 * 9-item RLP list
 *     [nonce, gasPrice, gas, to, value, data, v, r, s]
 * and a typed envelope (EIP-2718: first byte < 0x80) is refused. The v value
 * says how the transaction was signed:
 *     v = 27 or 28                 unprotected: signing hash over the first 6
 *                                  items, recovery id v - 27
 *     v = chainId*2 + 35 or + 36   EIP-155: signing hash over the 6 items and
 *                                  [chainId, 0, 0], recovery id (v - 35) % 2
 * Anything else is an invalid signature.
 *
 * Decoding (tx_decode) is purely syntactic and strict; what depends on the
 * fork — low-s (Homestead), whether EIP-155 is active and for which chain id,
 * the cost of contract creation — is given to tx_sender/tx_validate as a
 * struct tx_rules. tx_validate is the whole stateless check a node applies
 * before looking at any account.
 *
 * Ownership: a struct tx owns its `data` (malloc'ed); tx_free releases it.
 * Threads: functions are safe from any thread on distinct transactions;
 * a decoded tx is immutable, so several threads may read one.
 */
#ifndef SPECTRUM_PRIMITIVES_TX_H
#define SPECTRUM_PRIMITIVES_TX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "primitives/address.h"
#include "primitives/rlp.h"
#include "primitives/u256.h"
#include "util/bytes.h"

/* Gas schedule of the intrinsic cost (Frontier..Petersburg, pre-Istanbul). */
#define TX_GAS 21000u                 /* every transaction */
#define TX_GAS_CREATE_EXTRA 32000u    /* contract creation, from Homestead */
#define TX_GAS_DATA_ZERO 4u           /* per zero byte of data */
#define TX_GAS_DATA_NONZERO 68u       /* per non-zero byte (EIP-2028 lowers it in Istanbul) */

struct tx {
    uint64_t nonce;
    u256 gas_price;
    uint64_t gas;
    bool has_to;             /* false: contract creation (`to` is the empty string) */
    struct address to;       /* meaningful only when has_to */
    u256 value;
    uint8_t *data;           /* owned; NULL when data_len == 0 */
    size_t data_len;
    u256 v;
    uint8_t r[32];           /* big-endian, left-padded with zeros */
    uint8_t s[32];
};

/* What the active fork allows. */
struct tx_rules {
    bool homestead;          /* EIP-2 low-s rule; creation costs 53000 intrinsic gas */
    bool eip155;             /* replay-protected v values are accepted */
    uint64_t chain_id;       /* the only chain id a protected tx may carry (when eip155) */
};

/* Decodes one serialized transaction, as sent by eth_sendRawTransaction or
 * inside a block body.
 * Returns: 0; ERR_UNSUPPORTED for a typed envelope (first byte < 0x80:
 * "typed transactions not supported before Berlin"); ERR_DECODE for anything
 * else that is not exactly one canonical RLP list of 9 strings with canonical
 * integers, `to` empty or 20 bytes, r and s at most 32 bytes (trailing bytes
 * included); ERR_RANGE for nonce or gas above 2^64-1, or gasPrice, value or v
 * above 2^256-1; ERR_NOMEM.
 * In: in, len  the bytes (not kept). Out: out, fully written on success; on
 * failure it owns nothing and needs no tx_free (calling it is harmless).
 * The data buffer is at most len bytes: no cap beyond the input is imposed. */
int tx_decode(const uint8_t *in, size_t len, struct tx *out);

/* Same as tx_decode, for an item already split out of a larger list (a block
 * body). A string item is a typed transaction: ERR_UNSUPPORTED. */
int tx_decode_item(const struct rlp_item *item, struct tx *out);

/* Appends the canonical 9-item encoding. Returns 0 or ERR_NOMEM (also when
 * `out` was already out of memory). tx_decode(tx_encode(t)) == t, and for a
 * decoded tx the encoding equals the input bytes. */
int tx_encode(const struct tx *tx, struct bytes *out);

/* out = keccak256(tx_encode(tx)): the transaction hash. Returns 0 or ERR_NOMEM. */
int tx_hash(const struct tx *tx, uint8_t out[32]);

/* The hash that is signed. eip155 false: keccak256(RLP of the first 6
 * items) (Frontier/Homestead form). eip155 true: the 6 items followed by
 * chain_id, 0, 0. Returns 0 or ERR_NOMEM. */
int tx_signing_hash(const struct tx *tx, bool eip155, uint64_t chain_id, uint8_t out[32]);

/* Reads v. *is_protected receives whether v is an EIP-155 value; *chain_id
 * (may be NULL) receives (v-35)/2 for a protected tx, 0 otherwise.
 * Returns: 0, or ERR_CRYPTO when v is neither 27, 28 nor >= 35. */
int tx_chain_id(const struct tx *tx, bool *is_protected, u256 *chain_id);

/* Recovers the sender under `rules`.
 * Returns: 0; ERR_CRYPTO for an invalid v, r or s (zero, >= n, or s > n/2
 * when rules->homestead) or a signature that recovers no key; ERR_INVAL for
 * a protected tx when EIP-155 is not active or when its chain id differs
 * from rules->chain_id; ERR_NOMEM. Out: sender (written only on success). */
int tx_sender(const struct tx *tx, const struct tx_rules *rules, struct address *sender);

/* Signs tx in place with secret key sk: sets v, r, s. chain_id 0 makes an
 * unprotected (v = 27/28) signature; any other value an EIP-155 signature
 * for that chain. Returns 0, ERR_CRYPTO (invalid key) or ERR_NOMEM. The key
 * is neither kept nor logged. */
int tx_sign(struct tx *tx, const uint8_t sk[32], uint64_t chain_id);

/* The gas charged before execution: 21000, +32000 for a creation when
 * `homestead`, +4 per zero and +68 per non-zero data byte. Saturates at
 * UINT64_MAX instead of overflowing. */
uint64_t tx_intrinsic_gas(const struct tx *tx, bool homestead);

/* Every check that needs no state: tx_sender under rules, nonce below
 * 2^64-1 (EIP-2681: the account nonce could not be incremented past it),
 * intrinsic gas not above the gas limit, and gas * gasPrice below 2^256 (a
 * cost no balance can pay must not reach the EVM's 256-bit arithmetic).
 * Returns: 0 or the tx_sender error, ERR_RANGE for the gas checks.
 * Out: sender (may be NULL; written only on success). */
int tx_validate(const struct tx *tx, const struct tx_rules *rules, struct address *sender);

/* Releases the data buffer and zeroes *tx. NULL is allowed. */
void tx_free(struct tx *tx);

#endif
