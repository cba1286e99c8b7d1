/*
 * proxytoken.h — the ProxyToken contract (contrib/contracts/ProxyToken.sol,
 * share/contracts/ProxyToken.json) as the node's relayer sees it: the hash
 * a holder signs, the transferProxy call data, and where the contract keeps
 * balances and proxy nonces.
 *
 *   hash    = keccak256(token ‖ from ‖ to ‖ value ‖ fee ‖ nonce)
 *             (abi.encodePacked: addresses 20 bytes, numbers 32 bytes)
 *   digest  = keccak256("\x19Ethereum Signed Message:\n32" ‖ hash)
 *
 * `digest` is what the contract's proxyHash() returns and what its
 * ecrecover checks; a wallet produces a signature over it by signing `hash`
 * with eth_sign / personal_sign (which add the prefix).
 *
 * Why the relayer reads storage instead of calling the contract: the
 * layout is fixed and documented in the source (slot 0 totalSupply, 1
 * balanceOf, 2 allowance, 3 proxyNonce), and the relayer only pays gas for
 * contracts whose runtime code is exactly ProxyToken's (PROXYTOKEN_CODE_HASH):
 * a contract it does not know might take the gas and never pay the fee.
 * For that code, two storage reads are the same answer as an EVM call.
 *
 * Pure functions; safe from any thread.
 */
#ifndef SPECTRUM_RPC_PROXYTOKEN_H
#define SPECTRUM_RPC_PROXYTOKEN_H

#include <stddef.h>
#include <stdint.h>

#include "primitives/address.h"
#include "primitives/u256.h"
#include "util/bytes.h"

/* Storage slots of the contract's mappings. */
#define PROXYTOKEN_SLOT_BALANCE 1u
#define PROXYTOKEN_SLOT_NONCE 3u

/* transferProxy's call data: selector + 7 words. */
#define PROXYTOKEN_CALLDATA_LEN (4u + 7u * 32u)

/* keccak256 of the runtime code (deployedBytecode) of
 * share/contracts/ProxyToken.json; a unit test checks it against the file. */
extern const uint8_t proxytoken_code_hash[32];

/* One delegated transfer. */
struct proxy_transfer {
    struct address token;
    struct address from;
    struct address to;
    u256 value;
    u256 fee;
};

/* The hash to sign (hash) and the contract's proxyHash value (digest) of t
 * at the holder's proxy nonce. */
void proxytoken_hash(const struct proxy_transfer *t, const u256 *nonce, uint8_t hash[32],
                     uint8_t digest[32]);

/* The storage key of mapping `slot` at a: keccak256(pad32(a) ‖ pad32(slot)). */
void proxytoken_mapping_key(const struct address *a, unsigned slot, u256 *key);

/* Appends transferProxy(from, to, value, fee, v, r, s) call data for t with
 * sig = R ‖ S ‖ V (V 27 or 28, passed as is). Returns 0 or ERR_NOMEM. */
int proxytoken_calldata(const struct proxy_transfer *t, const uint8_t sig[65], struct bytes *out);

/* Reads from, to, value and fee back from transferProxy call data (exactly
 * PROXYTOKEN_CALLDATA_LEN bytes, the selector first, address words with
 * zero high bytes). t->token is left alone. Returns 0 or ERR_DECODE (other
 * data: not a transferProxy call). */
int proxytoken_parse_calldata(const uint8_t *data, size_t len, struct proxy_transfer *t);

#endif
