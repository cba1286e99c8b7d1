/*
 * sig.h — the signed messages the TokensNetwork contract checks
 * (spec/photon.md §1, §2.6) and the signatures of the channel protocol.
 *
 * Every contract-facing message is hashed as
 *
 *     keccak256("\x19Spectrum Signed Message:\n" ‖ LEN ‖ fields)
 *
 * where LEN is the decimal byte count of the fields ("176", "144", ...)
 * and the fields are abi.encodePacked: u256 as 32 bytes big-endian, u64 as
 * 8 bytes big-endian, addresses as 20 bytes, bytes32 as is. The six
 * messages and their field order are those of contrib/contracts/
 * TokensNetwork.sol (balanceProofMessageHash and its siblings); note that
 * DisposedProof puts chain_id before additional_hash.
 *
 * Signatures are 65 bytes r ‖ s ‖ v with v = 27 or 28, as Photon signs
 * (utils.SignData adds 27) and as our contract demands, with s in the lower
 * half of the curve order (RFC 6979 signing in crypto/ecdsa.h gives that;
 * so does go-ethereum's). ch_recover accepts only that form, so one signer
 * has exactly one encoding per message: a stored balance proof is always
 * one the contract will take, and a packet's ack echo cannot be varied by
 * re-encoding its signature.
 *
 * Why it is shaped this way: each digest is one function with the
 * contract's argument order, so a reader can hold it against the Solidity
 * line by line, and the off-chain envelope signature (msg.h) is literally
 * the BalanceProof digest. Nothing allocates; everything is safe from any
 * thread (signing uses crypto/ecdsa.h's shared context).
 */
#ifndef SPECTRUM_CHANNEL_SIG_H
#define SPECTRUM_CHANNEL_SIG_H

#include <stdint.h>

#include "channel/locks.h"
#include "primitives/u256.h"

/* The prefix every contract-facing message is hashed behind. */
#define CH_SIG_PREFIX "\x19Spectrum Signed Message:\n"
#define CH_SIG_LEN 65

/* A balance proof: what an envelope message carries and what
 * prepareSettle / updateBalanceProof take. The channel's "life" is
 * (channel_id, open_block): withDraw moves open_block. */
struct ch_bp {
    uint64_t nonce;                 /* 1, 2, ... per sender and channel life */
    uint8_t channel_id[32];
    uint64_t open_block;            /* <= CH_BLOCK_MAX (int64 on the wire) */
    u256 transferred_amount;        /* cumulative, never decreases */
    uint8_t locksroot[32];          /* root of the sender's pending locks */
};

/* BalanceProof ("176"): keccak(prefix ‖ "176" ‖ u256 ta ‖ locksroot ‖
 * u64 nonce ‖ additional_hash ‖ channel_id ‖ u64 open_block ‖ u256 chain_id).
 * prepareSettle, updateBalanceProof and every envelope message (§3.2). */
void ch_sig_bp_digest(const struct ch_bp *bp, const uint8_t additional_hash[32],
                      const u256 *chain_id, uint8_t out[32]);

/* BalanceProofDelegate ("144"): keccak(prefix ‖ "144" ‖ u256 ta ‖ locksroot ‖
 * u64 nonce ‖ channel_id ‖ u64 open_block ‖ u256 chain_id): the
 * participant's consent for updateBalanceProofDelegate. */
void ch_sig_bp_delegate_digest(const struct ch_bp *bp, const u256 *chain_id, uint8_t out[32]);

/* CooperativeSettle ("176"): keccak(prefix ‖ "176" ‖ p1 ‖ u256 p1_balance ‖
 * p2 ‖ u256 p2_balance ‖ channel_id ‖ u64 open_block ‖ u256 chain_id). */
void ch_sig_coop_settle_digest(const uint8_t p1[20], const u256 *p1_balance, const uint8_t p2[20],
                               const u256 *p2_balance, const uint8_t channel_id[32],
                               uint64_t open_block, const u256 *chain_id, uint8_t out[32]);

/* Withdraw ("156"): keccak(prefix ‖ "156" ‖ participant ‖ u256 balance ‖
 * u256 withdraw ‖ channel_id ‖ u64 open_block ‖ u256 chain_id). Both
 * participants sign this same message (participant = the one withdrawing). */
void ch_sig_withdraw_digest(const uint8_t participant[20], const u256 *participant_balance,
                            const u256 *participant_withdraw, const uint8_t channel_id[32],
                            uint64_t open_block, const u256 *chain_id, uint8_t out[32]);

/* DisposedProof ("136"): keccak(prefix ‖ "136" ‖ lockhash ‖ channel_id ‖
 * u64 open_block ‖ u256 chain_id ‖ additional_hash). The signature of an
 * AnnounceDisposed message; punishObsoleteUnlock's evidence. */
void ch_sig_disposed_digest(const uint8_t lockhash[32], const uint8_t channel_id[32],
                            uint64_t open_block, const u256 *chain_id,
                            const uint8_t additional_hash[32], uint8_t out[32]);

/* UnlockDelegate ("188"): keccak(prefix ‖ "188" ‖ delegatee ‖
 * u256 expiration ‖ u256 amount ‖ secret_hash ‖ channel_id ‖ u64 open_block ‖
 * u256 chain_id), the contract's layout (not photonapi.go's, which inserts
 * transferred_amount: spec §9). */
void ch_sig_unlock_delegate_digest(const uint8_t delegatee[20], const struct ch_lock *lock,
                                   const uint8_t channel_id[32], uint64_t open_block,
                                   const u256 *chain_id, uint8_t out[32]);

/* Signs a 32-byte digest with v = 27/28 and low s.
 * Returns: 0, or ERR_CRYPTO for an invalid secret key.
 * In: digest, sk (32-byte secret key, not kept). Out: sig (65 bytes). */
int ch_sign(const uint8_t digest[32], const uint8_t sk[32], uint8_t sig[CH_SIG_LEN]);

/* Recovers the address that signed digest.
 * Returns: 0, or ERR_CRYPTO when v is not 27/28, r or s is out of range,
 *          s is in the upper half of the order, or no key recovers
 *          (context says which).
 * In: digest, sig. Out: addr (20 bytes). */
int ch_recover(const uint8_t digest[32], const uint8_t sig[CH_SIG_LEN], uint8_t addr[20]);

/* The address of a secret key (last 20 bytes of keccak256 of its public
 * key). Returns: 0, or ERR_CRYPTO for an invalid key. */
int ch_address_of(const uint8_t sk[32], uint8_t addr[20]);

#endif
