/*
 * receipt.h — a MeshBox service receipt (doc/meshbox.md §3.3): client C
 * says it received `units` of service from provider P in epoch E, in total
 * so far, and signs
 *
 *   h = keccak256("\x19Spectrum MeshBox Receipt:\n" ‖ u256 chainId ‖ P ‖ C ‖ u64be E ‖ u256 units)
 *
 * with its account key: 65 bytes r ‖ s ‖ v over h itself, v ∈ {27, 28},
 * s ≤ n/2. The registry (MeshBoxRegistry.receiptHash, report) checks the
 * same bytes; the node checks them before it stores a receipt, so a
 * receipt it reports can only be refused for what the node cannot see
 * (the client's registration, its cap over other providers).
 *
 * Why it is shaped this way: one fixed-size message with one encoding per
 * receipt (low s, v 27/28), so a receipt is a value that can be compared,
 * stored and replaced by the cumulative rule without ambiguity.
 *
 * Threads: any; nothing here keeps state.
 */
#ifndef SPECTRUM_MESHBOX_RECEIPT_H
#define SPECTRUM_MESHBOX_RECEIPT_H

#include <stdint.h>

#include "primitives/address.h"
#include "primitives/u256.h"

/* Bytes hashed: 27 (prefix) + 32 + 20 + 20 + 8 + 32. */
#define MB_RECEIPT_MSG_LEN 139u
#define MB_RECEIPT_SIG_LEN 65u

struct mb_receipt {
    struct address provider;
    struct address client;
    uint64_t epoch;
    u256 units;
    uint8_t sig[MB_RECEIPT_SIG_LEN];    /* r ‖ s ‖ v, v ∈ {27, 28} */
};

/* The 139 signed bytes of r for chain_id (out must hold MB_RECEIPT_MSG_LEN). */
void mb_receipt_message(const struct mb_receipt *r, const u256 *chain_id, uint8_t *out);

/* h = keccak256 of mb_receipt_message: what the client signs. */
void mb_receipt_hash(const struct mb_receipt *r, const u256 *chain_id, uint8_t out[32]);

/* Signs r (all fields but sig set) with secret key sk: fills r->sig with
 * v ∈ {27, 28} and low s. Returns 0 or ERR_CRYPTO (invalid key). */
int mb_receipt_sign(struct mb_receipt *r, const u256 *chain_id, const uint8_t sk[32]);

/*
 * Checks r as the registry's report() does before its state checks
 * (§3.4 reasons 1 and 2): the client is not the provider; v ∈ {27, 28};
 * 0 < r, s < n with s ≤ n/2; the signature over mb_receipt_hash recovers
 * the client. Units of 0 are refused too (nothing to count: the registry
 * would refuse it as a replay).
 * Returns: 0; ERR_INVAL (self receipt, zero units) or ERR_CRYPTO (the
 *          signature), with the reason set.
 */
int mb_receipt_verify(const struct mb_receipt *r, const u256 *chain_id);

#endif
