/*
 * sig.c — contract-facing digests and v = 27/28 signatures (sig.h).
 *
 * Each digest streams prefix ‖ LEN ‖ fields into one incremental keccak
 * context in the order of the matching *MessageHash function of
 * TokensNetwork.sol; the small put_* helpers are abi.encodePacked for the
 * three field widths. LEN is written as the literal the contract uses, and
 * a static assertion per message keeps it equal to the bytes the fields
 * actually take.
 */
#include "channel/sig.h"

#include <string.h>

#include "crypto/ecdsa.h"
#include "crypto/keccak.h"
#include "util/bytes.h"
#include "util/err.h"

static void begin(struct keccak_ctx *c, const char *len_ascii)
{
    keccak256_init(c);
    keccak256_update(c, CH_SIG_PREFIX, sizeof CH_SIG_PREFIX - 1);
    keccak256_update(c, len_ascii, strlen(len_ascii));
}

static void put_u256(struct keccak_ctx *c, const u256 *v)
{
    uint8_t b[32];
    u256_to_be(v, b);
    keccak256_update(c, b, 32);
}

static void put_u64(struct keccak_ctx *c, uint64_t v)
{
    uint8_t b[8];
    be_put64(b, v);
    keccak256_update(c, b, 8);
}

static void put(struct keccak_ctx *c, const uint8_t *p, size_t n)
{
    keccak256_update(c, p, n);
}

_Static_assert(32 + 32 + 8 + 32 + 32 + 8 + 32 == 176, "BalanceProof length");
_Static_assert(32 + 32 + 8 + 32 + 8 + 32 == 144, "BalanceProofDelegate length");
_Static_assert(20 + 32 + 20 + 32 + 32 + 8 + 32 == 176, "CooperativeSettle length");
_Static_assert(20 + 32 + 32 + 32 + 8 + 32 == 156, "Withdraw length");
_Static_assert(32 + 32 + 8 + 32 + 32 == 136, "DisposedProof length");
_Static_assert(20 + 32 + 32 + 32 + 32 + 8 + 32 == 188, "UnlockDelegate length");

void ch_sig_bp_digest(const struct ch_bp *bp, const uint8_t additional_hash[32],
                      const u256 *chain_id, uint8_t out[32])
{
    struct keccak_ctx c;
    begin(&c, "176");
    put_u256(&c, &bp->transferred_amount);
    put(&c, bp->locksroot, 32);
    put_u64(&c, bp->nonce);
    put(&c, additional_hash, 32);
    put(&c, bp->channel_id, 32);
    put_u64(&c, bp->open_block);
    put_u256(&c, chain_id);
    keccak256_final(&c, out);
}

void ch_sig_bp_delegate_digest(const struct ch_bp *bp, const u256 *chain_id, uint8_t out[32])
{
    struct keccak_ctx c;
    begin(&c, "144");
    put_u256(&c, &bp->transferred_amount);
    put(&c, bp->locksroot, 32);
    put_u64(&c, bp->nonce);
    put(&c, bp->channel_id, 32);
    put_u64(&c, bp->open_block);
    put_u256(&c, chain_id);
    keccak256_final(&c, out);
}

void ch_sig_coop_settle_digest(const uint8_t p1[20], const u256 *p1_balance, const uint8_t p2[20],
                               const u256 *p2_balance, const uint8_t channel_id[32],
                               uint64_t open_block, const u256 *chain_id, uint8_t out[32])
{
    struct keccak_ctx c;
    begin(&c, "176");
    put(&c, p1, 20);
    put_u256(&c, p1_balance);
    put(&c, p2, 20);
    put_u256(&c, p2_balance);
    put(&c, channel_id, 32);
    put_u64(&c, open_block);
    put_u256(&c, chain_id);
    keccak256_final(&c, out);
}

void ch_sig_withdraw_digest(const uint8_t participant[20], const u256 *participant_balance,
                            const u256 *participant_withdraw, const uint8_t channel_id[32],
                            uint64_t open_block, const u256 *chain_id, uint8_t out[32])
{
    struct keccak_ctx c;
    begin(&c, "156");
    put(&c, participant, 20);
    put_u256(&c, participant_balance);
    put_u256(&c, participant_withdraw);
    put(&c, channel_id, 32);
    put_u64(&c, open_block);
    put_u256(&c, chain_id);
    keccak256_final(&c, out);
}

void ch_sig_disposed_digest(const uint8_t lockhash[32], const uint8_t channel_id[32],
                            uint64_t open_block, const u256 *chain_id,
                            const uint8_t additional_hash[32], uint8_t out[32])
{
    struct keccak_ctx c;
    begin(&c, "136");
    put(&c, lockhash, 32);
    put(&c, channel_id, 32);
    put_u64(&c, open_block);
    put_u256(&c, chain_id);
    put(&c, additional_hash, 32);
    keccak256_final(&c, out);
}

void ch_sig_unlock_delegate_digest(const uint8_t delegatee[20], const struct ch_lock *lock,
                                   const uint8_t channel_id[32], uint64_t open_block,
                                   const u256 *chain_id, uint8_t out[32])
{
    uint8_t packed[CH_LOCK_LEN]; /* u256 expiration ‖ u256 amount ‖ secret_hash */
    ch_lock_pack(lock, packed);
    struct keccak_ctx c;
    begin(&c, "188");
    put(&c, delegatee, 20);
    put(&c, packed, sizeof packed);
    put(&c, channel_id, 32);
    put_u64(&c, open_block);
    put_u256(&c, chain_id);
    keccak256_final(&c, out);
}

int ch_sign(const uint8_t digest[32], const uint8_t sk[32], uint8_t sig[CH_SIG_LEN])
{
    int rc = ecdsa_sign(digest, sk, sig);
    if (rc)
        return rc;
    sig[64] = (uint8_t)(sig[64] + 27);
    return 0;
}

int ch_recover(const uint8_t digest[32], const uint8_t sig[CH_SIG_LEN], uint8_t addr[20])
{
    if (sig[64] != 27 && sig[64] != 28)
        return err_set(ERR_CRYPTO, "signature: v is %u, not 27 or 28", sig[64]);
    if (!ecdsa_sig_values_valid(sig, sig + 32, true))
        return err_set(ERR_CRYPTO, "signature: r or s out of range, or s not in the lower half");
    uint8_t s[CH_SIG_LEN];
    memcpy(s, sig, 64);
    s[64] = (uint8_t)(sig[64] - 27);
    int rc = ecdsa_recover_address(digest, s, addr);
    if (rc)
        return err_set(ERR_CRYPTO, "signature: no key recovers");
    return 0;
}

int ch_address_of(const uint8_t sk[32], uint8_t addr[20])
{
    uint8_t pub[64];
    int rc = ecdsa_pubkey(sk, pub);
    if (rc)
        return err_set(ERR_CRYPTO, "invalid secret key");
    ecdsa_pub_to_address(pub, addr);
    return 0;
}
