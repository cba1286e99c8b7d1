/*
 * contract.c — call data builders and view decoders of contract.h.
 *
 * Each builder is the contract function's parameter list written as
 * abi_value constructors, in order; the selector comes from the one
 * signature table below, which the unit test checks against the compiled
 * ABI (share/contracts/<name>.json).
 */
#include "channel/contract.h"

#include <string.h>

#include "channel/abi.h"
#include "util/err.h"

static const char *const signatures[CH_FN_COUNT] = {
    [CH_FN_DEPOSIT] = "deposit(address,address,address,uint256,uint64)",
    [CH_FN_PREPARE_SETTLE] = "prepareSettle(address,address,uint256,bytes32,uint64,bytes32,bytes)",
    [CH_FN_UPDATE_BALANCE_PROOF] =
        "updateBalanceProof(address,address,uint256,bytes32,uint64,bytes32,bytes)",
    [CH_FN_UPDATE_BALANCE_PROOF_DELEGATE] =
        ("updateBalanceProofDelegate(address,address,address,uint256,bytes32,uint64,bytes32,"
         "bytes,bytes)"),
    [CH_FN_UNLOCK] = "unlock(address,address,uint256,uint256,uint256,bytes32,bytes)",
    [CH_FN_UNLOCK_DELEGATE] =
        "unlockDelegate(address,address,address,uint256,uint256,uint256,bytes32,bytes,bytes)",
    [CH_FN_PUNISH_OBSOLETE_UNLOCK] =
        "punishObsoleteUnlock(address,address,address,bytes32,bytes32,bytes)",
    [CH_FN_SETTLE] = "settle(address,address,uint256,bytes32,address,uint256,bytes32)",
    [CH_FN_COOPERATIVE_SETTLE] =
        "cooperativeSettle(address,address,uint256,address,uint256,bytes,bytes)",
    [CH_FN_WITHDRAW] = "withDraw(address,address,address,uint256,uint256,bytes,bytes)",
    [CH_FN_GET_CHANNEL_INFO] = "getChannelInfo(address,address,address)",
    [CH_FN_GET_CHANNEL_PARTICIPANT_INFO] = "getChannelParticipantInfo(address,address,address)",
    [CH_FN_QUERY_UNLOCKED_LOCKS] = "queryUnlockedLocks(address,address,address,bytes32)",
    [CH_FN_CHAIN_ID] = "chain_id()",
    [CH_FN_SECRET_REGISTRY] = "secret_registry()",
    [CH_FN_REGISTER_SECRET] = "registerSecret(bytes32)",
    [CH_FN_GET_SECRET_REVEAL_BLOCK_HEIGHT] = "getSecretRevealBlockHeight(bytes32)",
    [CH_FN_BUY_AND_TRANSFER] = "buyAndTransfer(bytes)",
    [CH_FN_APPROVE] = "approve(address,uint256)",
    [CH_FN_TRANSFER_WITH_DATA] = "transfer(address,uint256,bytes)",
    [CH_FN_APPROVE_AND_CALL] = "approveAndCall(address,uint256,bytes)",
};

const char *ch_fn_signature(enum ch_fn fn)
{
    if ((unsigned)fn >= CH_FN_COUNT)
        return NULL;
    return signatures[fn];
}

int ch_fn_selector(enum ch_fn fn, uint8_t out[4])
{
    const char *s = ch_fn_signature(fn);
    if (!s)
        return err_set(ERR_INVAL, "contract: unknown function %d", (int)fn);
    abi_selector(s, out);
    return 0;
}

/* selector(fn) ‖ args. */
static int call(enum ch_fn fn, const struct abi_value *args, size_t n, struct bytes *out)
{
    uint8_t sel[4];
    int rc = ch_fn_selector(fn, sel);
    if (rc)
        return rc;
    rc = abi_encode(sel, args, n, out);
    if (rc)
        return err_wrap(rc, "%s", signatures[fn]);
    return 0;
}

void ch_deposit_data(const uint8_t participant[20], const uint8_t partner[20],
                     uint64_t settle_timeout, uint8_t out[96])
{
    memset(out, 0, 96);
    memcpy(out + 12, participant, 20);
    memcpy(out + 44, partner, 20);
    be_put64(out + 88, settle_timeout);
}

int ch_call_tn_deposit(const uint8_t token[20], const uint8_t participant[20],
                       const uint8_t partner[20], const u256 *amount, uint64_t settle_timeout,
                       struct bytes *out)
{
    struct abi_value a[] = {abi_addr(token), abi_addr(participant), abi_addr(partner),
                            abi_u256(amount), abi_u64(settle_timeout)};
    return call(CH_FN_DEPOSIT, a, 5, out);
}

/* The seven arguments shared by prepareSettle and updateBalanceProof. */
static int bp_call(enum ch_fn fn, const uint8_t token[20], const uint8_t partner[20],
                   const struct ch_signed_bp *p, struct bytes *out)
{
    static const uint8_t zero32[32];
    u256 zero = u256_from_u64(0);
    struct abi_value a[] = {
        abi_addr(token),
        abi_addr(partner),
        abi_u256(p ? &p->bp.transferred_amount : &zero),
        abi_b32(p ? p->bp.locksroot : zero32),
        abi_u64(p ? p->bp.nonce : 0),
        abi_b32(p ? p->additional_hash : zero32),
        abi_bytes(p ? p->signature : NULL, p ? CH_SIG_LEN : 0),
    };
    return call(fn, a, 7, out);
}

int ch_call_tn_prepare_settle(const uint8_t token[20], const uint8_t partner[20],
                              const struct ch_signed_bp *partner_bp, struct bytes *out)
{
    return bp_call(CH_FN_PREPARE_SETTLE, token, partner, partner_bp, out);
}

int ch_call_tn_update_balance_proof(const uint8_t token[20], const uint8_t partner[20],
                                    const struct ch_signed_bp *partner_bp, struct bytes *out)
{
    if (!partner_bp)
        return err_set(ERR_INVAL, "updateBalanceProof: no balance proof");
    return bp_call(CH_FN_UPDATE_BALANCE_PROOF, token, partner, partner_bp, out);
}

int ch_call_tn_update_balance_proof_delegate(const uint8_t token[20], const uint8_t partner[20],
                                             const uint8_t participant[20],
                                             const struct ch_signed_bp *p,
                                             const uint8_t participant_signature[CH_SIG_LEN],
                                             struct bytes *out)
{
    struct abi_value a[] = {
        abi_addr(token),
        abi_addr(partner),
        abi_addr(participant),
        abi_u256(&p->bp.transferred_amount),
        abi_b32(p->bp.locksroot),
        abi_u64(p->bp.nonce),
        abi_b32(p->additional_hash),
        abi_bytes(p->signature, CH_SIG_LEN),
        abi_bytes(participant_signature, CH_SIG_LEN),
    };
    return call(CH_FN_UPDATE_BALANCE_PROOF_DELEGATE, a, 9, out);
}

static int check_proof(size_t proof_len)
{
    if (proof_len > CH_PROOF_MAX || proof_len % 32)
        return err_set(ERR_RANGE, "unlock: merkle proof of %zu bytes (whole words, most %d)",
                       proof_len, CH_PROOF_MAX);
    return 0;
}

int ch_call_tn_unlock(const uint8_t token[20], const uint8_t partner[20], const u256 *ta,
                      const struct ch_lock *lock, const uint8_t *proof, size_t proof_len,
                      struct bytes *out)
{
    int rc = check_proof(proof_len);
    if (rc)
        return rc;
    u256 exp = u256_from_u64(lock->expiration);
    struct abi_value a[] = {
        abi_addr(token), abi_addr(partner), abi_u256(ta), abi_u256(&exp),
        abi_u256(&lock->amount), abi_b32(lock->secret_hash), abi_bytes(proof, proof_len),
    };
    return call(CH_FN_UNLOCK, a, 7, out);
}

int ch_call_tn_unlock_delegate(const uint8_t token[20], const uint8_t partner[20],
                               const uint8_t participant[20], const u256 *ta,
                               const struct ch_lock *lock, const uint8_t *proof, size_t proof_len,
                               const uint8_t participant_signature[CH_SIG_LEN], struct bytes *out)
{
    int rc = check_proof(proof_len);
    if (rc)
        return rc;
    u256 exp = u256_from_u64(lock->expiration);
    struct abi_value a[] = {
        abi_addr(token),
        abi_addr(partner),
        abi_addr(participant),
        abi_u256(ta),
        abi_u256(&exp),
        abi_u256(&lock->amount),
        abi_b32(lock->secret_hash),
        abi_bytes(proof, proof_len),
        abi_bytes(participant_signature, CH_SIG_LEN),
    };
    return call(CH_FN_UNLOCK_DELEGATE, a, 9, out);
}

int ch_call_tn_punish_obsolete_unlock(const uint8_t token[20], const uint8_t beneficiary[20],
                                      const uint8_t cheater[20], const uint8_t lockhash[32],
                                      const uint8_t additional_hash[32],
                                      const uint8_t cheater_signature[CH_SIG_LEN],
                                      struct bytes *out)
{
    struct abi_value a[] = {
        abi_addr(token),      abi_addr(beneficiary),        abi_addr(cheater),
        abi_b32(lockhash),    abi_b32(additional_hash),     abi_bytes(cheater_signature, CH_SIG_LEN),
    };
    return call(CH_FN_PUNISH_OBSOLETE_UNLOCK, a, 6, out);
}

int ch_call_tn_settle(const uint8_t token[20], const uint8_t p1[20], const u256 *p1_ta,
                      const uint8_t p1_locksroot[32], const uint8_t p2[20], const u256 *p2_ta,
                      const uint8_t p2_locksroot[32], struct bytes *out)
{
    struct abi_value a[] = {
        abi_addr(token), abi_addr(p1),    abi_u256(p1_ta),       abi_b32(p1_locksroot),
        abi_addr(p2),    abi_u256(p2_ta), abi_b32(p2_locksroot),
    };
    return call(CH_FN_SETTLE, a, 7, out);
}

int ch_call_tn_cooperative_settle(const uint8_t token[20], const uint8_t p1[20],
                                  const u256 *p1_balance, const uint8_t p2[20],
                                  const u256 *p2_balance, const uint8_t p1_signature[CH_SIG_LEN],
                                  const uint8_t p2_signature[CH_SIG_LEN], struct bytes *out)
{
    struct abi_value a[] = {
        abi_addr(token),
        abi_addr(p1),
        abi_u256(p1_balance),
        abi_addr(p2),
        abi_u256(p2_balance),
        abi_bytes(p1_signature, CH_SIG_LEN),
        abi_bytes(p2_signature, CH_SIG_LEN),
    };
    return call(CH_FN_COOPERATIVE_SETTLE, a, 7, out);
}

int ch_call_tn_withdraw(const uint8_t token[20], const uint8_t participant[20],
                        const uint8_t partner[20], const u256 *participant_balance,
                        const u256 *participant_withdraw,
                        const uint8_t participant_signature[CH_SIG_LEN],
                        const uint8_t partner_signature[CH_SIG_LEN], struct bytes *out)
{
    struct abi_value a[] = {
        abi_addr(token),
        abi_addr(participant),
        abi_addr(partner),
        abi_u256(participant_balance),
        abi_u256(participant_withdraw),
        abi_bytes(participant_signature, CH_SIG_LEN),
        abi_bytes(partner_signature, CH_SIG_LEN),
    };
    return call(CH_FN_WITHDRAW, a, 7, out);
}

int ch_call_sr_register_secret(const uint8_t secret[32], struct bytes *out)
{
    struct abi_value a[] = {abi_b32(secret)};
    return call(CH_FN_REGISTER_SECRET, a, 1, out);
}

int ch_call_smt_buy_and_transfer(const uint8_t participant[20], const uint8_t partner[20],
                                 uint64_t settle_timeout, struct bytes *out)
{
    uint8_t data[96];
    ch_deposit_data(participant, partner, settle_timeout, data);
    struct abi_value a[] = {abi_bytes(data, sizeof data)};
    return call(CH_FN_BUY_AND_TRANSFER, a, 1, out);
}

int ch_call_token_approve(const uint8_t spender[20], const u256 *value, struct bytes *out)
{
    struct abi_value a[] = {abi_addr(spender), abi_u256(value)};
    return call(CH_FN_APPROVE, a, 2, out);
}

int ch_call_token_transfer_with_data(const uint8_t to[20], const u256 *value,
                                     const uint8_t *data, size_t data_len, struct bytes *out)
{
    struct abi_value a[] = {abi_addr(to), abi_u256(value), abi_bytes(data, data_len)};
    return call(CH_FN_TRANSFER_WITH_DATA, a, 3, out);
}

int ch_call_token_approve_and_call(const uint8_t spender[20], const u256 *value,
                                   const uint8_t *data, size_t data_len, struct bytes *out)
{
    struct abi_value a[] = {abi_addr(spender), abi_u256(value), abi_bytes(data, data_len)};
    return call(CH_FN_APPROVE_AND_CALL, a, 3, out);
}

int ch_call_tn_get_channel_info(const uint8_t token[20], const uint8_t p1[20],
                                const uint8_t p2[20], struct bytes *out)
{
    struct abi_value a[] = {abi_addr(token), abi_addr(p1), abi_addr(p2)};
    return call(CH_FN_GET_CHANNEL_INFO, a, 3, out);
}

int ch_call_tn_get_channel_participant_info(const uint8_t token[20],
                                            const uint8_t participant[20],
                                            const uint8_t partner[20], struct bytes *out)
{
    struct abi_value a[] = {abi_addr(token), abi_addr(participant), abi_addr(partner)};
    return call(CH_FN_GET_CHANNEL_PARTICIPANT_INFO, a, 3, out);
}

int ch_call_tn_query_unlocked_locks(const uint8_t token[20], const uint8_t participant[20],
                                    const uint8_t partner[20], const uint8_t lockhash[32],
                                    struct bytes *out)
{
    struct abi_value a[] = {abi_addr(token), abi_addr(participant), abi_addr(partner),
                            abi_b32(lockhash)};
    return call(CH_FN_QUERY_UNLOCKED_LOCKS, a, 4, out);
}

int ch_call_tn_chain_id(struct bytes *out)
{
    return call(CH_FN_CHAIN_ID, NULL, 0, out);
}

int ch_call_tn_secret_registry(struct bytes *out)
{
    return call(CH_FN_SECRET_REGISTRY, NULL, 0, out);
}

int ch_call_sr_get_secret_reveal_block_height(const uint8_t secret_hash[32], struct bytes *out)
{
    struct abi_value a[] = {abi_b32(secret_hash)};
    return call(CH_FN_GET_SECRET_REVEAL_BLOCK_HEIGHT, a, 1, out);
}

/* ---- decoders ------------------------------------------------------------ */

int ch_ret_channel_info(const uint8_t *data, size_t len, struct ch_chain_channel *out)
{
    static const enum abi_type t[] = {ABI_BYTES32, ABI_UINT64, ABI_UINT64, ABI_UINT8, ABI_UINT64};
    struct abi_value v[5];
    int rc = abi_decode(data, len, t, 5, v);
    if (rc)
        return err_wrap(rc, "getChannelInfo");
    if (v[3].v.u8 > CH_CHAIN_CLOSED)
        return err_set(ERR_DECODE, "getChannelInfo: channel state %u", v[3].v.u8);
    memcpy(out->channel_id, v[0].v.b32, 32);
    out->settle_block = v[1].v.u64;
    out->open_block = v[2].v.u64;
    out->state = (enum ch_chain_state)v[3].v.u8;
    out->settle_timeout = v[4].v.u64;
    return 0;
}

int ch_ret_participant_info(const uint8_t *data, size_t len, struct ch_chain_participant *out)
{
    static const enum abi_type t[] = {ABI_UINT256, ABI_BYTES24, ABI_UINT64};
    struct abi_value v[3];
    int rc = abi_decode(data, len, t, 3, v);
    if (rc)
        return err_wrap(rc, "getChannelParticipantInfo");
    out->deposit = v[0].v.u256;
    memcpy(out->balance_hash, v[1].v.b24, 24);
    out->nonce = v[2].v.u64;
    return 0;
}

int ch_ret_unlocked(const uint8_t *data, size_t len, bool *out)
{
    static const enum abi_type t[] = {ABI_BOOL};
    struct abi_value v;
    int rc = abi_decode(data, len, t, 1, &v);
    if (rc)
        return err_wrap(rc, "queryUnlockedLocks");
    *out = v.v.b;
    return 0;
}

int ch_ret_reveal_block(const uint8_t *data, size_t len, uint64_t *out)
{
    static const enum abi_type t[] = {ABI_UINT256};
    struct abi_value v;
    int rc = abi_decode(data, len, t, 1, &v);
    if (rc)
        return err_wrap(rc, "getSecretRevealBlockHeight");
    if (!u256_fits_u64(&v.v.u256))
        return err_set(ERR_DECODE, "getSecretRevealBlockHeight: block number above 2^64");
    *out = v.v.u256.w[0];
    return 0;
}

int ch_ret_chain_id(const uint8_t *data, size_t len, u256 *out)
{
    static const enum abi_type t[] = {ABI_UINT256};
    struct abi_value v;
    int rc = abi_decode(data, len, t, 1, &v);
    if (rc)
        return err_wrap(rc, "chain_id");
    if (u256_iszero(&v.v.u256))
        return err_set(ERR_DECODE, "chain_id: zero");
    *out = v.v.u256;
    return 0;
}

int ch_ret_secret_registry(const uint8_t *data, size_t len, uint8_t out[20])
{
    static const enum abi_type t[] = {ABI_ADDRESS};
    struct abi_value v;
    int rc = abi_decode(data, len, t, 1, &v);
    if (rc)
        return err_wrap(rc, "secret_registry");
    memcpy(out, v.v.addr, 20);
    return 0;
}
