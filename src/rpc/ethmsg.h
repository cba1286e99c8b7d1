/*
 * ethmsg.h — signed messages as eth_sign, personal_sign and
 * personal_ecRecover define them: the hash of
 *
 *     "\x19Ethereum Signed Message:\n" ‖ decimal length of data ‖ data
 *
 * (so a signed message can never be a transaction), and 65-byte signatures
 * R ‖ S ‖ V with V 27 or 28, as geth writes and reads them.
 *
 * Why a file of its own: personal_ (personal.c), eth_sign (eth_sign.c) and
 * the relayer (relay.c, whose token signs the same prefix over a 32-byte
 * hash) must agree byte for byte, and the unit tests check the rule once.
 *
 * Pure functions; safe from any thread.
 */
#ifndef SPECTRUM_RPC_ETHMSG_H
#define SPECTRUM_RPC_ETHMSG_H

#include <stddef.h>
#include <stdint.h>

#include "primitives/address.h"

/* Largest message personal_sign / eth_sign / personal_ecRecover accept
 * (geth has no limit of its own; the request size limit applies too). */
#define RPC_MSG_MAX (1u << 20)

/* out = keccak256("\x19Ethereum Signed Message:\n" ‖ len in decimal ‖ data).
 * data may be NULL when len is 0. */
void rpc_msg_hash(const uint8_t *data, size_t len, uint8_t out[32]);

/*
 * The address that signed `hash` (already the message hash) with sig
 * (R ‖ S ‖ V, V 27 or 28). Returns 0; ERR_INVAL with geth's message
 * "invalid Ethereum signature (V is not 27 or 28)"; ERR_CRYPTO ("invalid
 * signature") when no key recovers. Out: *out.
 */
int rpc_sig_recover(const uint8_t hash[32], const uint8_t sig[65], struct address *out);

/* personal_ecRecover: rpc_sig_recover over rpc_msg_hash(data, len). */
int rpc_msg_recover(const uint8_t *data, size_t len, const uint8_t sig[65], struct address *out);

#endif
