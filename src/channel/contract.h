/*
 * contract.h — call data for every contract function the channel hub calls,
 * and decoders for the views it reads (contrib/contracts/TokensNetwork.sol,
 * SecretRegistry.sol, SMTToken.sol, ERC20 / ERC223 tokens; spec/photon.md
 * §2.4, §2.9, §2.10).
 *
 * Each builder appends selector ‖ arguments to a struct bytes (not cleared
 * first) in exactly the Solidity parameter order; the hub then wraps it in
 * a transaction (chainsvc_send_tx) or a view call (tribe_call_view). Which
 * contract a call goes to is the caller's business: TokensNetwork for the
 * ch_call_tn_* builders, the SecretRegistry (read it with
 * ch_call_tn_secret_registry) for ch_call_sr_*, the token for
 * ch_call_token_*.
 *
 * Deposits, per token kind (§2.10): SMTToken (name() == "SMTToken") takes
 * ch_call_smt_buy_and_transfer with the coin as the transaction's value; an
 * ERC223 token takes ch_call_token_transfer_with_data(tokens_network, amount,
 * deposit data); an approveAndCall token ch_call_token_approve_and_call;
 * any ERC20 ch_call_token_approve then ch_call_tn_deposit. The deposit data
 * is three words participant ‖ partner ‖ settle_timeout (ch_deposit_data).
 *
 * View decoders are strict (abi.h): exact length, clean words, and values
 * the contract cannot produce (a channel state above 2, a reveal block
 * above 2^64) are refused. A short, long or dirty reply is ERR_DECODE.
 *
 * Why it is shaped this way: one function per contract function, arguments
 * in the contract's order, so a reader can hold each against the Solidity;
 * the signature text lives in one table (ch_fn_signature) that the unit
 * test checks against the compiled ABI JSON. Pure, no allocation beyond
 * the output buffer, safe from any thread.
 */
#ifndef SPECTRUM_CHANNEL_CONTRACT_H
#define SPECTRUM_CHANNEL_CONTRACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "channel/locks.h"
#include "channel/sig.h"
#include "primitives/u256.h"
#include "util/bytes.h"

/* Every function the hub calls, for ch_fn_signature / ch_fn_selector. */
enum ch_fn {
    /* TokensNetwork */
    CH_FN_DEPOSIT,
    CH_FN_PREPARE_SETTLE,
    CH_FN_UPDATE_BALANCE_PROOF,
    CH_FN_UPDATE_BALANCE_PROOF_DELEGATE,
    CH_FN_UNLOCK,
    CH_FN_UNLOCK_DELEGATE,
    CH_FN_PUNISH_OBSOLETE_UNLOCK,
    CH_FN_SETTLE,
    CH_FN_COOPERATIVE_SETTLE,
    CH_FN_WITHDRAW,
    CH_FN_GET_CHANNEL_INFO,
    CH_FN_GET_CHANNEL_PARTICIPANT_INFO,
    CH_FN_QUERY_UNLOCKED_LOCKS,
    CH_FN_CHAIN_ID,
    CH_FN_SECRET_REGISTRY,
    /* SecretRegistry */
    CH_FN_REGISTER_SECRET,
    CH_FN_GET_SECRET_REVEAL_BLOCK_HEIGHT,
    /* SMTToken */
    CH_FN_BUY_AND_TRANSFER,
    /* ERC20 / ERC223 token */
    CH_FN_APPROVE,
    CH_FN_TRANSFER_WITH_DATA,
    CH_FN_APPROVE_AND_CALL,
    CH_FN_COUNT
};

/* The canonical signature of fn, e.g. "registerSecret(bytes32)", or NULL
 * for a value outside the enum. Static storage. */
const char *ch_fn_signature(enum ch_fn fn);

/* out = the 4-byte selector of fn. Returns 0, or ERR_INVAL for a value
 * outside the enum. */
int ch_fn_selector(enum ch_fn fn, uint8_t out[4]);

/* A balance proof as it goes on chain: the fields prepareSettle /
 * updateBalanceProof take, with the signer's signature. bp.channel_id and
 * bp.open_block are not part of the call (the contract reads them). */
struct ch_signed_bp {
    struct ch_bp bp;
    uint8_t additional_hash[32];
    uint8_t signature[CH_SIG_LEN];
};

/* Writes the deposit data of tokenFallback / receiveApproval /
 * buyAndTransfer: participant ‖ partner ‖ u256 settle_timeout, 96 bytes. */
void ch_deposit_data(const uint8_t participant[20], const uint8_t partner[20],
                     uint64_t settle_timeout, uint8_t out[96]);

/* ---- TokensNetwork transactions ---------------------------------------------
 * Every builder returns 0 or ERR_NOMEM (out then holds a partial encoding
 * the caller discards), plus the errors listed with it; none reads
 * anything but its arguments. Pointer arguments must not be NULL unless
 * said otherwise. */

/* deposit(token, participant, partner, amount, settle_timeout); the caller
 * must first approve TokensNetwork for amount (ch_call_token_approve). */
int ch_call_tn_deposit(const uint8_t token[20], const uint8_t participant[20],
                       const uint8_t partner[20], const u256 *amount, uint64_t settle_timeout,
                       struct bytes *out);

/* prepareSettle(token, partner, ta, locksroot, nonce, additional_hash,
 * signature): close with the partner's balance proof. partner_bp NULL
 * closes without one (nonce 0, zero fields, empty signature). */
int ch_call_tn_prepare_settle(const uint8_t token[20], const uint8_t partner[20],
                              const struct ch_signed_bp *partner_bp, struct bytes *out);

/* updateBalanceProof(token, partner, ta, locksroot, nonce, additional_hash,
 * partner_signature). */
int ch_call_tn_update_balance_proof(const uint8_t token[20], const uint8_t partner[20],
                                    const struct ch_signed_bp *partner_bp, struct bytes *out);

/* updateBalanceProofDelegate(token, partner, participant, ta, locksroot,
 * nonce, additional_hash, partner_signature, participant_signature):
 * participant_signature is participant's BalanceProofDelegate signature
 * (ch_sig_bp_delegate_digest) over the same proof. */
int ch_call_tn_update_balance_proof_delegate(const uint8_t token[20], const uint8_t partner[20],
                                             const uint8_t participant[20],
                                             const struct ch_signed_bp *partner_bp,
                                             const uint8_t participant_signature[CH_SIG_LEN],
                                             struct bytes *out);

/* unlock(token, partner, ta, expiration, amount, secret_hash, merkle_proof):
 * ta is partner's transferred amount as currently stored on chain
 * (including locks already unlocked there). proof may be NULL when
 * proof_len is 0. Returns also ERR_RANGE when proof_len > CH_PROOF_MAX or
 * is not a multiple of 32. */
int ch_call_tn_unlock(const uint8_t token[20], const uint8_t partner[20], const u256 *ta,
                      const struct ch_lock *lock, const uint8_t *proof, size_t proof_len,
                      struct bytes *out);

/* unlockDelegate(token, partner, participant, ta, expiration, amount,
 * secret_hash, merkle_proof, participant_signature); errors as unlock. */
int ch_call_tn_unlock_delegate(const uint8_t token[20], const uint8_t partner[20],
                               const uint8_t participant[20], const u256 *ta,
                               const struct ch_lock *lock, const uint8_t *proof, size_t proof_len,
                               const uint8_t participant_signature[CH_SIG_LEN], struct bytes *out);

/* punishObsoleteUnlock(token, beneficiary, cheater, lockhash,
 * additional_hash, cheater_signature): the cheater's DisposedProof. */
int ch_call_tn_punish_obsolete_unlock(const uint8_t token[20], const uint8_t beneficiary[20],
                                      const uint8_t cheater[20], const uint8_t lockhash[32],
                                      const uint8_t additional_hash[32],
                                      const uint8_t cheater_signature[CH_SIG_LEN],
                                      struct bytes *out);

/* settle(token, p1, p1_ta, p1_locksroot, p2, p2_ta, p2_locksroot), each
 * (ta, locksroot) as stored on chain for that participant (0, 0 for none). */
int ch_call_tn_settle(const uint8_t token[20], const uint8_t p1[20], const u256 *p1_ta,
                      const uint8_t p1_locksroot[32], const uint8_t p2[20], const u256 *p2_ta,
                      const uint8_t p2_locksroot[32], struct bytes *out);

/* cooperativeSettle(token, p1, p1_balance, p2, p2_balance, p1_signature,
 * p2_signature). */
int ch_call_tn_cooperative_settle(const uint8_t token[20], const uint8_t p1[20],
                                  const u256 *p1_balance, const uint8_t p2[20],
                                  const u256 *p2_balance, const uint8_t p1_signature[CH_SIG_LEN],
                                  const uint8_t p2_signature[CH_SIG_LEN], struct bytes *out);

/* withDraw(token, participant, partner, participant_balance,
 * participant_withdraw, participant_signature, partner_signature). */
int ch_call_tn_withdraw(const uint8_t token[20], const uint8_t participant[20],
                        const uint8_t partner[20], const u256 *participant_balance,
                        const u256 *participant_withdraw,
                        const uint8_t participant_signature[CH_SIG_LEN],
                        const uint8_t partner_signature[CH_SIG_LEN], struct bytes *out);

/* ---- SecretRegistry, SMTToken, tokens ------------------------------------ */

/* registerSecret(secret). */
int ch_call_sr_register_secret(const uint8_t secret[32], struct bytes *out);

/* buyAndTransfer(deposit data); send it to the SMTToken with the deposit
 * as the transaction's value. */
int ch_call_smt_buy_and_transfer(const uint8_t participant[20], const uint8_t partner[20],
                                 uint64_t settle_timeout, struct bytes *out);

/* approve(spender, value). */
int ch_call_token_approve(const uint8_t spender[20], const u256 *value, struct bytes *out);

/* ERC223 transfer(to, value, data); data may be NULL when data_len is 0.
 * Returns also ERR_RANGE when data_len > ABI_BYTES_MAX, ERR_INVAL when data
 * is NULL with a non-zero data_len. */
int ch_call_token_transfer_with_data(const uint8_t to[20], const u256 *value,
                                     const uint8_t *data, size_t data_len, struct bytes *out);

/* approveAndCall(spender, value, data); as above. */
int ch_call_token_approve_and_call(const uint8_t spender[20], const u256 *value,
                                   const uint8_t *data, size_t data_len, struct bytes *out);

/* ---- views: call data and return-data decoders -------------------------- */

int ch_call_tn_get_channel_info(const uint8_t token[20], const uint8_t p1[20],
                                const uint8_t p2[20], struct bytes *out);
int ch_call_tn_get_channel_participant_info(const uint8_t token[20],
                                            const uint8_t participant[20],
                                            const uint8_t partner[20], struct bytes *out);
int ch_call_tn_query_unlocked_locks(const uint8_t token[20], const uint8_t participant[20],
                                    const uint8_t partner[20], const uint8_t lockhash[32],
                                    struct bytes *out);
int ch_call_tn_chain_id(struct bytes *out);
int ch_call_tn_secret_registry(struct bytes *out);
int ch_call_sr_get_secret_reveal_block_height(const uint8_t secret_hash[32], struct bytes *out);

/* Channel states as the contract stores them. */
enum ch_chain_state {
    CH_CHAIN_NONE = 0,      /* never opened, or settled */
    CH_CHAIN_OPEN = 1,
    CH_CHAIN_CLOSED = 2,
};

/* getChannelInfo's return. */
struct ch_chain_channel {
    uint8_t channel_id[32];
    uint64_t settle_block;      /* 0 while open */
    uint64_t open_block;
    enum ch_chain_state state;
    uint64_t settle_timeout;
};

/* getChannelParticipantInfo's return. */
struct ch_chain_participant {
    u256 deposit;
    uint8_t balance_hash[24];
    uint64_t nonce;
};

/* Each decoder: Returns 0, or ERR_DECODE for return data of the wrong
 * length, a dirty word, or a value the contract cannot return (context says
 * which). In: data (may be NULL when len is 0). Out: the value (unspecified
 * on error). */
int ch_ret_channel_info(const uint8_t *data, size_t len, struct ch_chain_channel *out);
int ch_ret_participant_info(const uint8_t *data, size_t len, struct ch_chain_participant *out);
/* queryUnlockedLocks: a bool word. */
int ch_ret_unlocked(const uint8_t *data, size_t len, bool *out);
/* getSecretRevealBlockHeight: a block number (0 = not registered); above
 * 2^64 - 1 is refused. */
int ch_ret_reveal_block(const uint8_t *data, size_t len, uint64_t *out);
/* chain_id: a u256, refused when 0 (the constructor forbids it). */
int ch_ret_chain_id(const uint8_t *data, size_t len, u256 *out);
/* secret_registry: an address. */
int ch_ret_secret_registry(const uint8_t *data, size_t len, uint8_t out[20]);

#endif
