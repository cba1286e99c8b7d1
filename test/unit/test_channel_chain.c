/*
 * test_channel_chain.c — the hub's chain side: the ABI coder (channel/abi.h),
 * call data and view decoders (channel/contract.h), event decoders
 * (channel/events.h) and the watchdog's decisions (channel/watchdog.h).
 *
 * Selectors, event topics and the indexed / data split are taken from the
 * compiled ABI in share/contracts/<name>.json (found through $top_srcdir):
 * the signature is rebuilt from the JSON inputs and hashed here. Call data
 * and return data are laid out word by word by hand in this file, with the
 * offsets of dynamic arguments written as numbers. The watchdog is driven
 * through scripted close / update / unlock / punish / settle / register
 * sequences, and every unlock proof is folded back to the root with
 * ch_merkle_root_from_proof.
 */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channel/abi.h"
#include "channel/balance.h"
#include "channel/contract.h"
#include "channel/events.h"
#include "channel/locks.h"
#include "channel/watchdog.h"
#include "crypto/keccak.h"
#include "util/bytes.h"
#include "util/err.h"

/* ---- the compiled ABI ---------------------------------------------------- */

static json_t *load_abi(const char *contract)
{
    const char *top = getenv("top_srcdir");
    char *path = NULL;
    ck_assert_int_ge(asprintf(&path, "%s/share/contracts/%s.json", top ? top : ".", contract), 0);
    json_error_t e;
    json_t *root = json_load_file(path, 0, &e);
    ck_assert_msg(root != NULL, "cannot read %s: %s", path, e.text);
    free(path);
    json_t *abi = json_incref(json_object_get(root, "abi"));
    json_decref(root);
    ck_assert_ptr_nonnull(abi);
    return abi;
}

/* "name(type,type,...)" of the ABI entry of this kind, name and input count;
 * *indexed gets a bitmask of indexed inputs. Fails the test when absent. */
static void abi_sig(const char *contract, const char *kind, const char *name, size_t ninputs,
                    char *out, size_t cap, unsigned *indexed, json_t **outputs)
{
    json_t *abi = load_abi(contract);
    size_t i;
    json_t *e;
    bool found = false;
    json_array_foreach(abi, i, e) {
        json_t *in = json_object_get(e, "inputs");
        if (strcmp(json_string_value(json_object_get(e, "type")), kind) != 0 ||
            strcmp(json_string_value(json_object_get(e, "name")), name) != 0 ||
            json_array_size(in) != ninputs)
            continue;
        size_t k = (size_t)snprintf(out, cap, "%s(", name);
        unsigned mask = 0;
        for (size_t j = 0; j < ninputs; j++) {
            json_t *p = json_array_get(in, j);
            k += (size_t)snprintf(out + k, cap - k, "%s%s", j ? "," : "",
                                  json_string_value(json_object_get(p, "type")));
            if (json_is_true(json_object_get(p, "indexed")))
                mask |= 1u << j;
        }
        snprintf(out + k, cap - k, ")");
        if (indexed)
            *indexed = mask;
        if (outputs)
            *outputs = json_incref(json_object_get(e, "outputs"));
        found = true;
        break;
    }
    json_decref(abi);
    ck_assert_msg(found, "%s has no %s %s with %zu inputs", contract, kind, name, ninputs);
}

static void sel_of(const char *contract, const char *name, size_t ninputs, uint8_t sel[4])
{
    char sig[256];
    abi_sig(contract, "function", name, ninputs, sig, sizeof sig, NULL, NULL);
    uint8_t h[32];
    keccak256(sig, strlen(sig), h);
    memcpy(sel, h, 4);
}

/* ---- hand layout of words ----------------------------------------------- */

struct hb {
    uint8_t b[2048];
    size_t n;
};

static void hb_raw(struct hb *h, const void *p, size_t n)
{
    ck_assert_uint_le(h->n + n, sizeof h->b);
    memcpy(h->b + h->n, p, n);
    h->n += n;
}

static void hb_zero(struct hb *h, size_t n)
{
    ck_assert_uint_le(h->n + n, sizeof h->b);
    memset(h->b + h->n, 0, n);
    h->n += n;
}

static void hb_sel(struct hb *h, const char *contract, const char *name, size_t ninputs)
{
    uint8_t s[4];
    sel_of(contract, name, ninputs, s);
    hb_raw(h, s, 4);
}

static void hb_addr(struct hb *h, const uint8_t a[20])
{
    hb_zero(h, 12);
    hb_raw(h, a, 20);
}

/* A number below 2^64 as a word. */
static void hb_num(struct hb *h, uint64_t v)
{
    hb_zero(h, 24);
    for (int i = 7; i >= 0; i--) {
        uint8_t c = (uint8_t)(v >> (8 * i));
        hb_raw(h, &c, 1);
    }
}

/* A u256 whose limbs are (hi2 at limb 2, lo at limb 0). */
static void hb_u256(struct hb *h, const u256 *x)
{
    for (int limb = 3; limb >= 0; limb--)
        for (int i = 7; i >= 0; i--) {
            uint8_t c = (uint8_t)(x->w[limb] >> (8 * i));
            hb_raw(h, &c, 1);
        }
}

static void check_eq(const struct bytes *got, const struct hb *want)
{
    ck_assert_uint_eq(got->len, want->n);
    ck_assert_mem_eq(got->data, want->b, want->n);
}

/* Fixed test values. */
static uint8_t A_TOKEN[20], A_SELF[20], A_PARTNER[20], A_TN[20], A_SR[20];

static void addrs(void)
{
    memset(A_TOKEN, 0x33, 20);
    memset(A_SELF, 0x11, 20);
    memset(A_PARTNER, 0x22, 20);
    memset(A_TN, 0x44, 20);
    memset(A_SR, 0x55, 20);
    A_SELF[19] = 0x01;      /* distinct last bytes catch a shifted address */
    A_PARTNER[0] = 0x92;
}

static u256 big(uint64_t lo, uint64_t limb2)
{
    u256 x = u256_from_u64(lo);
    x.w[2] = limb2;
    return x;
}

static struct ch_signed_bp some_bp(void)
{
    struct ch_signed_bp p;
    memset(&p, 0, sizeof p);
    p.bp.nonce = 0x0102030405060708ull;
    p.bp.transferred_amount = big(777, 9);
    memset(p.bp.locksroot, 0xa1, 32);
    memset(p.additional_hash, 0xb2, 32);
    for (int i = 0; i < CH_SIG_LEN; i++)
        p.signature[i] = (uint8_t)(i + 1);
    p.signature[64] = 28;
    return p;
}

/* ---- selectors and signatures ------------------------------------------- */

struct fn_src {
    enum ch_fn fn;
    const char *contract;
    const char *name;
    size_t ninputs;
};

static const struct fn_src FNS[] = {
    {CH_FN_DEPOSIT, "TokensNetwork", "deposit", 5},
    {CH_FN_PREPARE_SETTLE, "TokensNetwork", "prepareSettle", 7},
    {CH_FN_UPDATE_BALANCE_PROOF, "TokensNetwork", "updateBalanceProof", 7},
    {CH_FN_UPDATE_BALANCE_PROOF_DELEGATE, "TokensNetwork", "updateBalanceProofDelegate", 9},
    {CH_FN_UNLOCK, "TokensNetwork", "unlock", 7},
    {CH_FN_UNLOCK_DELEGATE, "TokensNetwork", "unlockDelegate", 9},
    {CH_FN_PUNISH_OBSOLETE_UNLOCK, "TokensNetwork", "punishObsoleteUnlock", 6},
    {CH_FN_SETTLE, "TokensNetwork", "settle", 7},
    {CH_FN_COOPERATIVE_SETTLE, "TokensNetwork", "cooperativeSettle", 7},
    {CH_FN_WITHDRAW, "TokensNetwork", "withDraw", 7},
    {CH_FN_GET_CHANNEL_INFO, "TokensNetwork", "getChannelInfo", 3},
    {CH_FN_GET_CHANNEL_PARTICIPANT_INFO, "TokensNetwork", "getChannelParticipantInfo", 3},
    {CH_FN_QUERY_UNLOCKED_LOCKS, "TokensNetwork", "queryUnlockedLocks", 4},
    {CH_FN_CHAIN_ID, "TokensNetwork", "chain_id", 0},
    {CH_FN_SECRET_REGISTRY, "TokensNetwork", "secret_registry", 0},
    {CH_FN_REGISTER_SECRET, "SecretRegistry", "registerSecret", 1},
    {CH_FN_GET_SECRET_REVEAL_BLOCK_HEIGHT, "SecretRegistry", "getSecretRevealBlockHeight", 1},
    {CH_FN_BUY_AND_TRANSFER, "SMTToken", "buyAndTransfer", 1},
    {CH_FN_APPROVE, "PhotonTestToken", "approve", 2},
    {CH_FN_TRANSFER_WITH_DATA, "PhotonTestToken", "transfer", 3},
    {CH_FN_APPROVE_AND_CALL, "PhotonTestToken", "approveAndCall", 3},
};

START_TEST(selectors_match_the_compiled_abi)
{
    ck_assert_uint_eq(sizeof FNS / sizeof FNS[0], CH_FN_COUNT);
    for (size_t i = 0; i < CH_FN_COUNT; i++) {
        char sig[256];
        abi_sig(FNS[i].contract, "function", FNS[i].name, FNS[i].ninputs, sig, sizeof sig, NULL,
                NULL);
        ck_assert_str_eq(ch_fn_signature(FNS[i].fn), sig);
        uint8_t want[4], got[4];
        sel_of(FNS[i].contract, FNS[i].name, FNS[i].ninputs, want);
        ck_assert_int_eq(ch_fn_selector(FNS[i].fn, got), 0);
        ck_assert_mem_eq(got, want, 4);
    }
    uint8_t s[4];
    ck_assert_int_eq(ch_fn_selector(CH_FN_COUNT, s), ERR_INVAL);
    ck_assert_ptr_null(ch_fn_signature(CH_FN_COUNT));
    /* A well-known selector, as a check of abi_selector itself. */
    abi_selector("transfer(address,uint256)", s);
    ck_assert_mem_eq(s, "\xa9\x05\x9c\xbb", 4);
}
END_TEST

/* The view decoders read the output types the ABI declares. */
START_TEST(view_outputs_match_the_compiled_abi)
{
    static const struct {
        const char *c, *name;
        size_t nin;
        const char *outs;
    } v[] = {
        {"TokensNetwork", "getChannelInfo", 3, "bytes32,uint64,uint64,uint8,uint64"},
        {"TokensNetwork", "getChannelParticipantInfo", 3, "uint256,bytes24,uint64"},
        {"TokensNetwork", "queryUnlockedLocks", 4, "bool"},
        {"TokensNetwork", "chain_id", 0, "uint256"},
        {"TokensNetwork", "secret_registry", 0, "address"},
        {"SecretRegistry", "getSecretRevealBlockHeight", 1, "uint256"},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char sig[256], outs[256] = "";
        json_t *o = NULL;
        abi_sig(v[i].c, "function", v[i].name, v[i].nin, sig, sizeof sig, NULL, &o);
        size_t k = 0, j;
        json_t *e;
        json_array_foreach(o, j, e)
            k += (size_t)snprintf(outs + k, sizeof outs - k, "%s%s", j ? "," : "",
                                  json_string_value(json_object_get(e, "type")));
        json_decref(o);
        ck_assert_str_eq(outs, v[i].outs);
    }
}
END_TEST

/* ---- call data ----------------------------------------------------------- */

START_TEST(call_data_of_every_function)
{
    addrs();
    struct bytes b = BYTES_INIT;
    struct hb h;
    u256 amount = big(1000, 5), amount2 = big(42, 0x77);
    struct ch_signed_bp p = some_bp();
    uint8_t sig2[65], lh[32], ah[32], secret[32];
    for (int i = 0; i < 65; i++)
        sig2[i] = (uint8_t)(200 - i);
    memset(lh, 0xc3, 32);
    memset(ah, 0xd4, 32);
    memset(secret, 0xe5, 32);

    /* deposit(address,address,address,uint256,uint64) */
    ck_assert_int_eq(ch_call_tn_deposit(A_TOKEN, A_SELF, A_PARTNER, &amount, 600, &b), 0);
    h.n = 0;
    hb_sel(&h, "TokensNetwork", "deposit", 5);
    hb_addr(&h, A_TOKEN);
    hb_addr(&h, A_SELF);
    hb_addr(&h, A_PARTNER);
    hb_u256(&h, &amount);
    hb_num(&h, 600);
    check_eq(&b, &h);

    /* prepareSettle: 7 head words, the signature at offset 7*32 = 0xe0. */
    bytes_reset(&b);
    ck_assert_int_eq(ch_call_tn_prepare_settle(A_TOKEN, A_PARTNER, &p, &b), 0);
    h.n = 0;
    hb_sel(&h, "TokensNetwork", "prepareSettle", 7);
    hb_addr(&h, A_TOKEN);
    hb_addr(&h, A_PARTNER);
    hb_u256(&h, &p.bp.transferred_amount);
    hb_raw(&h, p.bp.locksroot, 32);
    hb_num(&h, p.bp.nonce);
    hb_raw(&h, p.additional_hash, 32);
    hb_num(&h, 0xe0);
    hb_num(&h, 65);
    hb_raw(&h, p.signature, 65);
    hb_zero(&h, 31);
    check_eq(&b, &h);
    ck_assert_uint_eq(b.len, 4 + 7 * 32 + 32 + 96);

    /* prepareSettle without a proof: zeros and empty bytes. */
    bytes_reset(&b);
    ck_assert_int_eq(ch_call_tn_prepare_settle(A_TOKEN, A_PARTNER, NULL, &b), 0);
    h.n = 0;
    hb_sel(&h, "TokensNetwork", "prepareSettle", 7);
    hb_addr(&h, A_TOKEN);
    hb_addr(&h, A_PARTNER);
    hb_zero(&h, 4 * 32);
    hb_num(&h, 0xe0);
    hb_num(&h, 0);
    check_eq(&b, &h);

    /* updateBalanceProof: the same layout, its own selector. */
    bytes_reset(&b);
    ck_assert_int_eq(ch_call_tn_update_balance_proof(A_TOKEN, A_PARTNER, &p, &b), 0);
    h.n = 0;
    hb_sel(&h, "TokensNetwork", "updateBalanceProof", 7);
    hb_addr(&h, A_TOKEN);
    hb_addr(&h, A_PARTNER);
    hb_u256(&h, &p.bp.transferred_amount);
    hb_raw(&h, p.bp.locksroot, 32);
    hb_num(&h, p.bp.nonce);
    hb_raw(&h, p.additional_hash, 32);
    hb_num(&h, 0xe0);
    hb_num(&h, 65);
    hb_raw(&h, p.signature, 65);
    hb_zero(&h, 31);
    check_eq(&b, &h);
    ck_assert_int_eq(ch_call_tn_update_balance_proof(A_TOKEN, A_PARTNER, NULL, &b), ERR_INVAL);

    /* updateBalanceProofDelegate: 9 head words; tails at 0x120 and 0x120+0x80 = 0x1a0. */
    bytes_reset(&b);
    ck_assert_int_eq(
        ch_call_tn_update_balance_proof_delegate(A_TOKEN, A_PARTNER, A_SELF, &p, sig2, &b), 0);
    h.n = 0;
    hb_sel(&h, "TokensNetwork", "updateBalanceProofDelegate", 9);
    hb_addr(&h, A_TOKEN);
    hb_addr(&h, A_PARTNER);
    hb_addr(&h, A_SELF);
    hb_u256(&h, &p.bp.transferred_amount);
    hb_raw(&h, p.bp.locksroot, 32);
    hb_num(&h, p.bp.nonce);
    hb_raw(&h, p.additional_hash, 32);
    hb_num(&h, 0x120);
    hb_num(&h, 0x1a0);
    hb_num(&h, 65);
    hb_raw(&h, p.signature, 65);
    hb_zero(&h, 31);
    hb_num(&h, 65);
    hb_raw(&h, sig2, 65);
    hb_zero(&h, 31);
    check_eq(&b, &h);

    /* unlock with a 2-word proof. */
    struct ch_lock lk = {.expiration = 0x123456, .amount = big(5, 1)};
    memset(lk.secret_hash, 0x5e, 32);
    uint8_t proof[64];
    memset(proof, 0x71, 32);
    memset(proof + 32, 0x72, 32);
    bytes_reset(&b);
    ck_assert_int_eq(ch_call_tn_unlock(A_TOKEN, A_PARTNER, &amount, &lk, proof, 64, &b), 0);
    h.n = 0;
    hb_sel(&h, "TokensNetwork", "unlock", 7);
    hb_addr(&h, A_TOKEN);
    hb_addr(&h, A_PARTNER);
    hb_u256(&h, &amount);
    hb_num(&h, 0x123456);
    hb_u256(&h, &lk.amount);
    hb_raw(&h, lk.secret_hash, 32);
    hb_num(&h, 0xe0);
    hb_num(&h, 64);
    hb_raw(&h, proof, 64);
    check_eq(&b, &h);
    ck_assert_int_eq(ch_call_tn_unlock(A_TOKEN, A_PARTNER, &amount, &lk, proof, 33, &b), ERR_RANGE);
    ck_assert_int_eq(ch_call_tn_unlock(A_TOKEN, A_PARTNER, &amount, &lk, NULL, CH_PROOF_MAX + 32, &b),
                     ERR_RANGE);

    /* unlockDelegate: 9 head words; proof (empty) at 0x120, signature at 0x140. */
    bytes_reset(&b);
    ck_assert_int_eq(
        ch_call_tn_unlock_delegate(A_TOKEN, A_PARTNER, A_SELF, &amount, &lk, NULL, 0, sig2, &b), 0);
    h.n = 0;
    hb_sel(&h, "TokensNetwork", "unlockDelegate", 9);
    hb_addr(&h, A_TOKEN);
    hb_addr(&h, A_PARTNER);
    hb_addr(&h, A_SELF);
    hb_u256(&h, &amount);
    hb_num(&h, 0x123456);
    hb_u256(&h, &lk.amount);
    hb_raw(&h, lk.secret_hash, 32);
    hb_num(&h, 0x120);
    hb_num(&h, 0x140);
    hb_num(&h, 0);
    hb_num(&h, 65);
    hb_raw(&h, sig2, 65);
    hb_zero(&h, 31);
    check_eq(&b, &h);

    /* punishObsoleteUnlock: 6 head words, signature at 0xc0. */
    bytes_reset(&b);
    ck_assert_int_eq(
        ch_call_tn_punish_obsolete_unlock(A_TOKEN, A_SELF, A_PARTNER, lh, ah, sig2, &b), 0);
    h.n = 0;
    hb_sel(&h, "TokensNetwork", "punishObsoleteUnlock", 6);
    hb_addr(&h, A_TOKEN);
    hb_addr(&h, A_SELF);
    hb_addr(&h, A_PARTNER);
    hb_raw(&h, lh, 32);
    hb_raw(&h, ah, 32);
    hb_num(&h, 0xc0);
    hb_num(&h, 65);
    hb_raw(&h, sig2, 65);
    hb_zero(&h, 31);
    check_eq(&b, &h);

    /* settle: all static. */
    bytes_reset(&b);
    ck_assert_int_eq(ch_call_tn_settle(A_TOKEN, A_SELF, &amount, lh, A_PARTNER, &amount2, ah, &b),
                     0);
    h.n = 0;
    hb_sel(&h, "TokensNetwork", "settle", 7);
    hb_addr(&h, A_TOKEN);
    hb_addr(&h, A_SELF);
    hb_u256(&h, &amount);
    hb_raw(&h, lh, 32);
    hb_addr(&h, A_PARTNER);
    hb_u256(&h, &amount2);
    hb_raw(&h, ah, 32);
    check_eq(&b, &h);

    /* cooperativeSettle: signatures at 0xe0 and 0xe0+0x80 = 0x160. */
    bytes_reset(&b);
    ck_assert_int_eq(ch_call_tn_cooperative_settle(A_TOKEN, A_SELF, &amount, A_PARTNER, &amount2,
                                                   p.signature, sig2, &b),
                     0);
    h.n = 0;
    hb_sel(&h, "TokensNetwork", "cooperativeSettle", 7);
    hb_addr(&h, A_TOKEN);
    hb_addr(&h, A_SELF);
    hb_u256(&h, &amount);
    hb_addr(&h, A_PARTNER);
    hb_u256(&h, &amount2);
    hb_num(&h, 0xe0);
    hb_num(&h, 0x160);
    hb_num(&h, 65);
    hb_raw(&h, p.signature, 65);
    hb_zero(&h, 31);
    hb_num(&h, 65);
    hb_raw(&h, sig2, 65);
    hb_zero(&h, 31);
    check_eq(&b, &h);

    /* withDraw: the same shape. */
    bytes_reset(&b);
    ck_assert_int_eq(ch_call_tn_withdraw(A_TOKEN, A_SELF, A_PARTNER, &amount, &amount2,
                                         p.signature, sig2, &b),
                     0);
    h.n = 0;
    hb_sel(&h, "TokensNetwork", "withDraw", 7);
    hb_addr(&h, A_TOKEN);
    hb_addr(&h, A_SELF);
    hb_addr(&h, A_PARTNER);
    hb_u256(&h, &amount);
    hb_u256(&h, &amount2);
    hb_num(&h, 0xe0);
    hb_num(&h, 0x160);
    hb_num(&h, 65);
    hb_raw(&h, p.signature, 65);
    hb_zero(&h, 31);
    hb_num(&h, 65);
    hb_raw(&h, sig2, 65);
    hb_zero(&h, 31);
    check_eq(&b, &h);

    /* registerSecret(bytes32) */
    bytes_reset(&b);
    ck_assert_int_eq(ch_call_sr_register_secret(secret, &b), 0);
    h.n = 0;
    hb_sel(&h, "SecretRegistry", "registerSecret", 1);
    hb_raw(&h, secret, 32);
    check_eq(&b, &h);

    /* The deposit data, alone and inside buyAndTransfer / transfer / approveAndCall. */
    uint8_t dd[96];
    ch_deposit_data(A_SELF, A_PARTNER, 600, dd);
    h.n = 0;
    hb_addr(&h, A_SELF);
    hb_addr(&h, A_PARTNER);
    hb_num(&h, 600);
    ck_assert_mem_eq(dd, h.b, 96);

    bytes_reset(&b);
    ck_assert_int_eq(ch_call_smt_buy_and_transfer(A_SELF, A_PARTNER, 600, &b), 0);
    h.n = 0;
    hb_sel(&h, "SMTToken", "buyAndTransfer", 1);
    hb_num(&h, 0x20);
    hb_num(&h, 96);
    hb_addr(&h, A_SELF);
    hb_addr(&h, A_PARTNER);
    hb_num(&h, 600);
    check_eq(&b, &h);

    bytes_reset(&b);
    ck_assert_int_eq(ch_call_token_approve(A_TN, &amount, &b), 0);
    h.n = 0;
    hb_sel(&h, "PhotonTestToken", "approve", 2);
    hb_addr(&h, A_TN);
    hb_u256(&h, &amount);
    check_eq(&b, &h);

    bytes_reset(&b);
    ck_assert_int_eq(ch_call_token_transfer_with_data(A_TN, &amount, dd, 96, &b), 0);
    h.n = 0;
    hb_sel(&h, "PhotonTestToken", "transfer", 3);
    hb_addr(&h, A_TN);
    hb_u256(&h, &amount);
    hb_num(&h, 0x60);
    hb_num(&h, 96);
    hb_raw(&h, dd, 96);
    check_eq(&b, &h);

    bytes_reset(&b);
    ck_assert_int_eq(ch_call_token_approve_and_call(A_TN, &amount, dd, 96, &b), 0);
    h.n = 0;
    hb_sel(&h, "PhotonTestToken", "approveAndCall", 3);
    hb_addr(&h, A_TN);
    hb_u256(&h, &amount);
    hb_num(&h, 0x60);
    hb_num(&h, 96);
    hb_raw(&h, dd, 96);
    check_eq(&b, &h);

    /* Views. */
    bytes_reset(&b);
    ck_assert_int_eq(ch_call_tn_get_channel_info(A_TOKEN, A_SELF, A_PARTNER, &b), 0);
    h.n = 0;
    hb_sel(&h, "TokensNetwork", "getChannelInfo", 3);
    hb_addr(&h, A_TOKEN);
    hb_addr(&h, A_SELF);
    hb_addr(&h, A_PARTNER);
    check_eq(&b, &h);

    bytes_reset(&b);
    ck_assert_int_eq(ch_call_tn_get_channel_participant_info(A_TOKEN, A_PARTNER, A_SELF, &b), 0);
    h.n = 0;
    hb_sel(&h, "TokensNetwork", "getChannelParticipantInfo", 3);
    hb_addr(&h, A_TOKEN);
    hb_addr(&h, A_PARTNER);
    hb_addr(&h, A_SELF);
    check_eq(&b, &h);

    bytes_reset(&b);
    ck_assert_int_eq(ch_call_tn_query_unlocked_locks(A_TOKEN, A_SELF, A_PARTNER, lh, &b), 0);
    h.n = 0;
    hb_sel(&h, "TokensNetwork", "queryUnlockedLocks", 4);
    hb_addr(&h, A_TOKEN);
    hb_addr(&h, A_SELF);
    hb_addr(&h, A_PARTNER);
    hb_raw(&h, lh, 32);
    check_eq(&b, &h);

    bytes_reset(&b);
    ck_assert_int_eq(ch_call_tn_chain_id(&b), 0);
    h.n = 0;
    hb_sel(&h, "TokensNetwork", "chain_id", 0);
    check_eq(&b, &h);

    bytes_reset(&b);
    ck_assert_int_eq(ch_call_tn_secret_registry(&b), 0);
    h.n = 0;
    hb_sel(&h, "TokensNetwork", "secret_registry", 0);
    check_eq(&b, &h);

    bytes_reset(&b);
    ck_assert_int_eq(ch_call_sr_get_secret_reveal_block_height(lh, &b), 0);
    h.n = 0;
    hb_sel(&h, "SecretRegistry", "getSecretRevealBlockHeight", 1);
    hb_raw(&h, lh, 32);
    check_eq(&b, &h);

    bytes_free(&b);
}
END_TEST

/* ---- the ABI coder's strictness ----------------------------------------- */

START_TEST(abi_bytes_round_trip_and_strictness)
{
    uint8_t d1[5] = {1, 2, 3, 4, 5}, d2[33];
    memset(d2, 0x99, sizeof d2);
    u256 x = big(3, 4);
    struct abi_value in[] = {abi_u256(&x), abi_bytes(d1, 5), abi_u64(7), abi_bytes(d2, 33)};
    struct bytes b = BYTES_INIT;
    ck_assert_int_eq(abi_encode(NULL, in, 4, &b), 0);
    /* head 4 words; d1 at 0x80 (len + 1 word), d2 at 0xc0 (len + 2 words). */
    ck_assert_uint_eq(b.len, 4 * 32 + 64 + 96);
    static const enum abi_type t[] = {ABI_UINT256, ABI_BYTES, ABI_UINT64, ABI_BYTES};
    struct abi_value out[4];
    ck_assert_int_eq(abi_decode(b.data, b.len, t, 4, out), 0);
    ck_assert(u256_eq(&out[0].v.u256, &x));
    ck_assert_uint_eq(out[1].v.bytes.len, 5);
    ck_assert_mem_eq(out[1].v.bytes.p, d1, 5);
    ck_assert_uint_eq(out[2].v.u64, 7);
    ck_assert_uint_eq(out[3].v.bytes.len, 33);
    ck_assert_mem_eq(out[3].v.bytes.p, d2, 33);

    uint8_t buf[512];
    memcpy(buf, b.data, b.len);
    /* one byte more or less */
    ck_assert_int_eq(abi_decode(buf, b.len - 1, t, 4, out), ERR_DECODE);
    uint8_t longer[512] = {0};
    memcpy(longer, b.data, b.len);
    ck_assert_int_eq(abi_decode(longer, b.len + 32, t, 4, out), ERR_DECODE);
    /* dirty padding after d1 */
    buf[0x80 + 32 + 5] = 1;
    ck_assert_int_eq(abi_decode(buf, b.len, t, 4, out), ERR_DECODE);
    memcpy(buf, b.data, b.len);
    /* a non-canonical offset */
    buf[32 + 31] = 0xa0;
    ck_assert_int_eq(abi_decode(buf, b.len, t, 4, out), ERR_DECODE);
    memcpy(buf, b.data, b.len);
    /* a length running past the end */
    buf[0xc0 + 31] = 200;
    ck_assert_int_eq(abi_decode(buf, b.len, t, 4, out), ERR_DECODE);
    memcpy(buf, b.data, b.len);
    /* a huge length word */
    buf[0xc0] = 0x80;
    ck_assert_int_eq(abi_decode(buf, b.len, t, 4, out), ERR_DECODE);
    memcpy(buf, b.data, b.len);
    /* uint64 with bits above 64 */
    buf[2 * 32 + 23] = 1;
    ck_assert_int_eq(abi_decode(buf, b.len, t, 4, out), ERR_DECODE);
    bytes_free(&b);

    /* dirty static words of every checked type */
    uint8_t w[32] = {0};
    struct abi_value v;
    w[0] = 1;
    ck_assert_int_eq(abi_decode_word(w, ABI_ADDRESS, &v), ERR_DECODE);
    ck_assert_int_eq(abi_decode_word(w, ABI_UINT8, &v), ERR_DECODE);
    ck_assert_int_eq(abi_decode_word(w, ABI_BOOL, &v), ERR_DECODE);
    ck_assert_int_eq(abi_decode_word(w, ABI_BYTES32, &v), 0);
    ck_assert_int_eq(abi_decode_word(w, ABI_BYTES24, &v), 0);
    memset(w, 0, 32);
    w[31] = 2;
    ck_assert_int_eq(abi_decode_word(w, ABI_BOOL, &v), ERR_DECODE);
    ck_assert_int_eq(abi_decode_word(w, ABI_UINT8, &v), 0);
    ck_assert_int_eq(abi_decode_word(w, ABI_BYTES24, &v), ERR_DECODE);
    ck_assert_int_eq(abi_decode_word(w, ABI_BYTES, &v), ERR_INVAL);

    /* an over-long bytes argument is refused before anything is written */
    struct abi_value huge = abi_bytes(d1, ABI_BYTES_MAX + 1);
    struct bytes e = BYTES_INIT;
    ck_assert_int_eq(abi_encode(NULL, &huge, 1, &e), ERR_RANGE);
    ck_assert_uint_eq(e.len, 0);
    bytes_free(&e);
}
END_TEST

/* ---- view decoders ------------------------------------------------------- */

START_TEST(view_decoders)
{
    struct hb h;
    uint8_t id[32];
    memset(id, 0x6c, 32);

    /* getChannelInfo */
    struct ch_chain_channel ci;
    h.n = 0;
    hb_raw(&h, id, 32);
    hb_num(&h, 1700);
    hb_num(&h, 1100);
    hb_num(&h, 2);
    hb_num(&h, 600);
    ck_assert_int_eq(ch_ret_channel_info(h.b, h.n, &ci), 0);
    ck_assert_mem_eq(ci.channel_id, id, 32);
    ck_assert_uint_eq(ci.settle_block, 1700);
    ck_assert_uint_eq(ci.open_block, 1100);
    ck_assert_int_eq(ci.state, CH_CHAIN_CLOSED);
    ck_assert_uint_eq(ci.settle_timeout, 600);
    ck_assert_int_eq(ch_ret_channel_info(h.b, h.n - 32, &ci), ERR_DECODE);    /* short */
    ck_assert_int_eq(ch_ret_channel_info(h.b, h.n - 1, &ci), ERR_DECODE);
    hb_zero(&h, 32);
    ck_assert_int_eq(ch_ret_channel_info(h.b, h.n, &ci), ERR_DECODE);         /* long */
    h.n -= 32;
    h.b[3 * 32 + 31] = 3;                                                       /* no state 3 */
    ck_assert_int_eq(ch_ret_channel_info(h.b, h.n, &ci), ERR_DECODE);
    h.b[3 * 32 + 31] = 1;
    h.b[32 + 20] = 1;                                                           /* dirty u64 */
    ck_assert_int_eq(ch_ret_channel_info(h.b, h.n, &ci), ERR_DECODE);

    /* getChannelParticipantInfo */
    struct ch_chain_participant pi;
    u256 dep = big(123456, 2);
    uint8_t bh[24];
    memset(bh, 0x4b, 24);
    h.n = 0;
    hb_u256(&h, &dep);
    hb_raw(&h, bh, 24);
    hb_zero(&h, 8);
    hb_num(&h, 9);
    ck_assert_int_eq(ch_ret_participant_info(h.b, h.n, &pi), 0);
    ck_assert(u256_eq(&pi.deposit, &dep));
    ck_assert_mem_eq(pi.balance_hash, bh, 24);
    ck_assert_uint_eq(pi.nonce, 9);
    ck_assert_int_eq(ch_ret_participant_info(h.b, 64, &pi), ERR_DECODE);
    h.b[32 + 30] = 1;                                                           /* bytes24 tail */
    ck_assert_int_eq(ch_ret_participant_info(h.b, h.n, &pi), ERR_DECODE);

    /* queryUnlockedLocks */
    bool u = false;
    h.n = 0;
    hb_num(&h, 1);
    ck_assert_int_eq(ch_ret_unlocked(h.b, h.n, &u), 0);
    ck_assert(u);
    h.n = 0;
    hb_num(&h, 0);
    ck_assert_int_eq(ch_ret_unlocked(h.b, h.n, &u), 0);
    ck_assert(!u);
    h.n = 0;
    hb_num(&h, 2);
    ck_assert_int_eq(ch_ret_unlocked(h.b, h.n, &u), ERR_DECODE);
    ck_assert_int_eq(ch_ret_unlocked(NULL, 0, &u), ERR_DECODE);

    /* getSecretRevealBlockHeight */
    uint64_t rb = 0;
    h.n = 0;
    hb_num(&h, 0xfedcba9876ull);
    ck_assert_int_eq(ch_ret_reveal_block(h.b, h.n, &rb), 0);
    ck_assert_uint_eq(rb, 0xfedcba9876ull);
    h.b[10] = 1;                                                                /* above 2^64 */
    ck_assert_int_eq(ch_ret_reveal_block(h.b, h.n, &rb), ERR_DECODE);
    ck_assert_int_eq(ch_ret_reveal_block(h.b, 31, &rb), ERR_DECODE);

    /* chain_id */
    u256 cid;
    u256 want = big(4, 1);
    h.n = 0;
    hb_u256(&h, &want);
    ck_assert_int_eq(ch_ret_chain_id(h.b, h.n, &cid), 0);
    ck_assert(u256_eq(&cid, &want));
    h.n = 0;
    hb_num(&h, 0);
    ck_assert_int_eq(ch_ret_chain_id(h.b, h.n, &cid), ERR_DECODE);
    hb_num(&h, 1);
    ck_assert_int_eq(ch_ret_chain_id(h.b, h.n, &cid), ERR_DECODE);             /* 2 words */

    /* secret_registry */
    addrs();
    uint8_t a[20];
    h.n = 0;
    hb_addr(&h, A_SR);
    ck_assert_int_eq(ch_ret_secret_registry(h.b, h.n, a), 0);
    ck_assert_mem_eq(a, A_SR, 20);
    h.b[0] = 1;
    ck_assert_int_eq(ch_ret_secret_registry(h.b, h.n, a), ERR_DECODE);
}
END_TEST

/* ---- events -------------------------------------------------------------- */

/* A log of `contract`'s event `name` (with `ninputs` inputs) from `addr`,
 * whose topics are topic0 from the ABI plus the one indexed word, and whose
 * data is data[0..dlen). Checks that the ABI indexes exactly input 0. */
static void mk_log(struct log *l, struct hash32 *topics, const uint8_t addr[20],
                   const char *contract, const char *name, size_t ninputs, const uint8_t idx[32],
                   uint8_t *data, size_t dlen)
{
    char sig[256];
    unsigned mask = 0;
    abi_sig(contract, "event", name, ninputs, sig, sizeof sig, &mask, NULL);
    ck_assert_uint_eq(mask, 1u);
    keccak256(sig, strlen(sig), topics[0].b);
    memcpy(topics[1].b, idx, 32);
    memset(l, 0, sizeof *l);
    memcpy(l->address.b, addr, 20);
    l->topics = topics;
    l->topic_count = 2;
    l->data = dlen ? data : NULL;
    l->data_len = dlen;
}

static void addr_word(const uint8_t a[20], uint8_t w[32])
{
    memset(w, 0, 12);
    memcpy(w + 12, a, 20);
}

START_TEST(every_event_decodes)
{
    addrs();
    struct log l;
    struct hash32 tp[3];
    struct ch_event ev;
    struct hb h;
    uint8_t id[32], w[32], root[32], lh[32];
    memset(id, 0x1d, 32);
    memset(root, 0x2e, 32);
    memset(lh, 0x3f, 32);
    u256 x = big(11, 3), y = big(22, 4);

    /* TokenNetworkCreated(address indexed token) */
    addr_word(A_TOKEN, w);
    mk_log(&l, tp, A_TN, "TokensNetwork", "TokenNetworkCreated", 1, w, NULL, 0);
    ck_assert_int_eq(ch_event_decode(A_TN, A_SR, &l, &ev), 0);
    ck_assert_int_eq(ev.kind, CH_EV_TOKEN_NETWORK_CREATED);
    ck_assert_mem_eq(ev.u.token_network_created.token, A_TOKEN, 20);
    ck_assert_str_eq(ch_event_signature(CH_EV_TOKEN_NETWORK_CREATED), "TokenNetworkCreated(address)");

    /* ChannelOpenedAndDeposit(address indexed token, participant, partner, u64, u256) */
    h.n = 0;
    hb_addr(&h, A_SELF);
    hb_addr(&h, A_PARTNER);
    hb_num(&h, 600);
    hb_u256(&h, &x);
    mk_log(&l, tp, A_TN, "TokensNetwork", "ChannelOpenedAndDeposit", 5, w, h.b, h.n);
    ck_assert_int_eq(ch_event_decode(A_TN, A_SR, &l, &ev), 0);
    ck_assert_int_eq(ev.kind, CH_EV_OPENED);
    ck_assert_mem_eq(ev.u.opened.token, A_TOKEN, 20);
    ck_assert_mem_eq(ev.u.opened.participant, A_SELF, 20);
    ck_assert_mem_eq(ev.u.opened.partner, A_PARTNER, 20);
    ck_assert_uint_eq(ev.u.opened.settle_timeout, 600);
    ck_assert(u256_eq(&ev.u.opened.deposit, &x));
    uint8_t cid[32];
    ch_channel_id(A_PARTNER, A_SELF, A_TOKEN, A_TN, cid);
    ck_assert_mem_eq(ev.channel_id, cid, 32);
    /* settle_timeout is uint64: bits above are dirty */
    h.b[2 * 32 + 3] = 1;
    ck_assert_int_eq(ch_event_decode(A_TN, A_SR, &l, &ev), ERR_DECODE);

    /* ChannelNewDeposit(bytes32 indexed id, address participant, uint256 total) */
    h.n = 0;
    hb_addr(&h, A_PARTNER);
    hb_u256(&h, &y);
    mk_log(&l, tp, A_TN, "TokensNetwork", "ChannelNewDeposit", 3, id, h.b, h.n);
    ck_assert_int_eq(ch_event_decode(A_TN, A_SR, &l, &ev), 0);
    ck_assert_int_eq(ev.kind, CH_EV_NEW_DEPOSIT);
    ck_assert_mem_eq(ev.channel_id, id, 32);
    ck_assert_mem_eq(ev.u.new_deposit.participant, A_PARTNER, 20);
    ck_assert(u256_eq(&ev.u.new_deposit.total_deposit, &y));

    /* ChannelClosed, ChannelUnlocked, BalanceProofUpdated: (id; address, bytes32, uint256) */
    static const struct {
        const char *name;
        enum ch_event_kind kind;
    } three[] = {{"ChannelClosed", CH_EV_CLOSED},
                 {"ChannelUnlocked", CH_EV_UNLOCKED},
                 {"BalanceProofUpdated", CH_EV_BALANCE_PROOF_UPDATED}};
    for (size_t i = 0; i < 3; i++) {
        h.n = 0;
        hb_addr(&h, A_SELF);
        hb_raw(&h, i == 1 ? lh : root, 32);
        hb_u256(&h, &x);
        mk_log(&l, tp, A_TN, "TokensNetwork", three[i].name, 4, id, h.b, h.n);
        ck_assert_int_eq(ch_event_decode(A_TN, A_SR, &l, &ev), 0);
        ck_assert_int_eq(ev.kind, three[i].kind);
        ck_assert_mem_eq(ev.channel_id, id, 32);
        switch (three[i].kind) {
        case CH_EV_CLOSED:
            ck_assert_mem_eq(ev.u.closed.closing, A_SELF, 20);
            ck_assert_mem_eq(ev.u.closed.locksroot, root, 32);
            ck_assert(u256_eq(&ev.u.closed.transferred_amount, &x));
            break;
        case CH_EV_UNLOCKED:
            ck_assert_mem_eq(ev.u.unlocked.payer, A_SELF, 20);
            ck_assert_mem_eq(ev.u.unlocked.lockhash, lh, 32);
            ck_assert(u256_eq(&ev.u.unlocked.transferred_amount, &x));
            break;
        default:
            ck_assert_mem_eq(ev.u.bp_updated.participant, A_SELF, 20);
            ck_assert_mem_eq(ev.u.bp_updated.locksroot, root, 32);
            ck_assert(u256_eq(&ev.u.bp_updated.transferred_amount, &x));
            break;
        }
        /* strictness: data one word short / long, dirty address, 1 or 3 topics */
        ck_assert_int_eq((l.data_len -= 32, ch_event_decode(A_TN, A_SR, &l, &ev)), ERR_DECODE);
        l.data_len += 32;
        uint8_t longer[160] = {0};
        memcpy(longer, h.b, 96);
        l.data = longer;
        l.data_len = 128;
        ck_assert_int_eq(ch_event_decode(A_TN, A_SR, &l, &ev), ERR_DECODE);
        l.data = h.b;
        l.data_len = 96;
        h.b[0] = 1;
        ck_assert_int_eq(ch_event_decode(A_TN, A_SR, &l, &ev), ERR_DECODE);
        h.b[0] = 0;
        l.topic_count = 1;
        ck_assert_int_eq(ch_event_decode(A_TN, A_SR, &l, &ev), ERR_DECODE);
        memcpy(tp[2].b, id, 32);
        l.topic_count = 3;
        ck_assert_int_eq(ch_event_decode(A_TN, A_SR, &l, &ev), ERR_DECODE);
        l.topic_count = 2;
        ck_assert_int_eq(ch_event_decode(A_TN, A_SR, &l, &ev), 0);
    }

    /* ChannelPunished(bytes32 indexed id, address beneficiary) */
    h.n = 0;
    hb_addr(&h, A_PARTNER);
    mk_log(&l, tp, A_TN, "TokensNetwork", "ChannelPunished", 2, id, h.b, h.n);
    ck_assert_int_eq(ch_event_decode(A_TN, A_SR, &l, &ev), 0);
    ck_assert_int_eq(ev.kind, CH_EV_PUNISHED);
    ck_assert_mem_eq(ev.channel_id, id, 32);
    ck_assert_mem_eq(ev.u.punished.beneficiary, A_PARTNER, 20);

    /* ChannelSettled / ChannelCooperativeSettled(bytes32 indexed id, uint256, uint256) */
    h.n = 0;
    hb_u256(&h, &x);
    hb_u256(&h, &y);
    mk_log(&l, tp, A_TN, "TokensNetwork", "ChannelSettled", 3, id, h.b, h.n);
    ck_assert_int_eq(ch_event_decode(A_TN, A_SR, &l, &ev), 0);
    ck_assert_int_eq(ev.kind, CH_EV_SETTLED);
    ck_assert(u256_eq(&ev.u.settled.p1_amount, &x));
    ck_assert(u256_eq(&ev.u.settled.p2_amount, &y));
    mk_log(&l, tp, A_TN, "TokensNetwork", "ChannelCooperativeSettled", 3, id, h.b, h.n);
    ck_assert_int_eq(ch_event_decode(A_TN, A_SR, &l, &ev), 0);
    ck_assert_int_eq(ev.kind, CH_EV_COOPERATIVE_SETTLED);
    ck_assert_mem_eq(ev.channel_id, id, 32);
    ck_assert(u256_eq(&ev.u.settled.p2_amount, &y));

    /* ChannelWithdraw(bytes32 indexed id, address, uint256, address, uint256) */
    h.n = 0;
    hb_addr(&h, A_SELF);
    hb_u256(&h, &x);
    hb_addr(&h, A_PARTNER);
    hb_u256(&h, &y);
    mk_log(&l, tp, A_TN, "TokensNetwork", "ChannelWithdraw", 5, id, h.b, h.n);
    ck_assert_int_eq(ch_event_decode(A_TN, A_SR, &l, &ev), 0);
    ck_assert_int_eq(ev.kind, CH_EV_WITHDRAW);
    ck_assert_mem_eq(ev.u.withdraw.p1, A_SELF, 20);
    ck_assert(u256_eq(&ev.u.withdraw.p1_balance, &x));
    ck_assert_mem_eq(ev.u.withdraw.p2, A_PARTNER, 20);
    ck_assert(u256_eq(&ev.u.withdraw.p2_balance, &y));

    /* SecretRevealed(bytes32 indexed secret), from the registry only */
    uint8_t secret[32];
    memset(secret, 0x5c, 32);
    mk_log(&l, tp, A_SR, "SecretRegistry", "SecretRevealed", 1, secret, NULL, 0);
    ck_assert_int_eq(ch_event_decode(A_TN, A_SR, &l, &ev), 0);
    ck_assert_int_eq(ev.kind, CH_EV_SECRET_REVEALED);
    ck_assert_mem_eq(ev.u.secret_revealed.secret, secret, 32);
    uint8_t junk = 0;
    l.data = &junk;
    l.data_len = 1;
    ck_assert_int_eq(ch_event_decode(A_TN, A_SR, &l, &ev), ERR_DECODE);
    l.data = NULL;
    l.data_len = 0;
    memcpy(l.address.b, A_TN, 20);          /* the registry's event from TokensNetwork */
    ck_assert_int_eq(ch_event_decode(A_TN, A_SR, &l, &ev), 0);
    ck_assert_int_eq(ev.kind, CH_EV_UNKNOWN);

    /* an unknown topic0 from TokensNetwork; a log with no topics; a foreign emitter */
    memset(tp[0].b, 0x77, 32);
    ck_assert_int_eq(ch_event_decode(A_TN, A_SR, &l, &ev), 0);
    ck_assert_int_eq(ev.kind, CH_EV_UNKNOWN);
    l.topic_count = 0;
    ck_assert_int_eq(ch_event_decode(A_TN, A_SR, &l, &ev), 0);
    ck_assert_int_eq(ev.kind, CH_EV_UNKNOWN);
    mk_log(&l, tp, A_TOKEN, "SecretRegistry", "SecretRevealed", 1, secret, NULL, 0);
    ck_assert_int_eq(ch_event_decode(A_TN, A_SR, &l, &ev), 0);
    ck_assert_int_eq(ev.kind, CH_EV_FOREIGN);

    /* every event kind has a signature that the ABI declares */
    for (int k = CH_EV_TOKEN_NETWORK_CREATED; k < CH_EV_KIND_COUNT; k++)
        ck_assert_ptr_nonnull(ch_event_signature((enum ch_event_kind)k));
    ck_assert_ptr_null(ch_event_signature(CH_EV_UNKNOWN));
}
END_TEST

/* ---- watchdog ------------------------------------------------------------ */

#define T_SETTLE 600
#define T_REVEAL 30

struct wd_fixture {
    struct ch_wd_channel ch;
    struct ch_lock locks[4];
    uint8_t secrets[4][32];
    struct ch_signed_bp bp;     /* partner's newest */
    struct ch_wd_action act[CH_WD_ACTIONS_MAX > 64 ? 64 : CH_WD_ACTIONS_MAX];
    size_t n;
};

/* A channel self–partner with the partner's proof nonce 5, ta 100 and four
 * locks (expirations 1000, 1010, 1020, 1030; amounts 1..4 with a high limb
 * in lock 3). */
static void wd_setup(struct wd_fixture *f)
{
    addrs();
    memset(f, 0, sizeof *f);
    ch_wd_init(&f->ch, A_TN, A_TOKEN, A_SELF, A_PARTNER, T_SETTLE, T_REVEAL, 50);
    struct ch_locks t;
    ch_locks_init(&t);
    for (int i = 0; i < 4; i++) {
        memset(f->secrets[i], 0xa0 + i, 32);
        f->locks[i].expiration = 1000 + 10 * (uint64_t)i;
        f->locks[i].amount = u256_from_u64((uint64_t)i + 1);
        ck_assert_int_eq(ch_secret_hash(f->secrets[i], f->locks[i].secret_hash), 0);
    }
    f->locks[3].amount.w[1] = 1;
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(ch_locks_add(&t, &f->locks[i]), 0);
    f->bp = some_bp();
    f->bp.bp.nonce = 5;
    f->bp.bp.transferred_amount = u256_from_u64(100);
    memcpy(f->bp.bp.locksroot, t.root, 32);
    ch_locks_free(&t);
    ck_assert_int_eq(ch_wd_set_partner_proof(&f->ch, &f->bp, f->locks, 4), 0);
}

static struct ch_event ev_of(const struct wd_fixture *f, enum ch_event_kind k)
{
    struct ch_event e;
    memset(&e, 0, sizeof e);
    e.kind = k;
    memcpy(e.channel_id, f->ch.channel_id, 32);
    return e;
}

static size_t on_ev(struct wd_fixture *f, const struct ch_event *e, uint64_t block)
{
    ck_assert_int_eq(ch_wd_on_event(&f->ch, e, block, f->act, 64, &f->n), 0);
    return f->n;
}

static size_t on_blk(struct wd_fixture *f, uint64_t block)
{
    ck_assert_int_eq(ch_wd_on_block(&f->ch, block, f->act, 64, &f->n), 0);
    return f->n;
}

static struct ch_event closed_by(const struct wd_fixture *f, const uint8_t closer[20],
                                 const uint8_t root[32], uint64_t ta)
{
    struct ch_event e = ev_of(f, CH_EV_CLOSED);
    memcpy(e.u.closed.closing, closer, 20);
    memcpy(e.u.closed.locksroot, root, 32);
    e.u.closed.transferred_amount = u256_from_u64(ta);
    return e;
}

static struct ch_event bp_updated(const struct wd_fixture *f, const uint8_t who[20],
                                  const uint8_t root[32], const u256 *ta)
{
    struct ch_event e = ev_of(f, CH_EV_BALANCE_PROOF_UPDATED);
    memcpy(e.u.bp_updated.participant, who, 20);
    memcpy(e.u.bp_updated.locksroot, root, 32);
    e.u.bp_updated.transferred_amount = *ta;
    return e;
}

static struct ch_event revealed(const uint8_t secret[32])
{
    struct ch_event e;
    memset(&e, 0, sizeof e);
    e.kind = CH_EV_SECRET_REVEALED;
    memcpy(e.u.secret_revealed.secret, secret, 32);
    return e;
}

START_TEST(wd_partner_closes_with_an_old_proof)
{
    struct wd_fixture f;
    wd_setup(&f);
    uint8_t our_root[32];
    memset(our_root, 0x0c, 32);
    /* The partner closes at block 100, recording an old proof of ours. */
    struct ch_event c = closed_by(&f, A_PARTNER, our_root, 7);
    ck_assert_uint_eq(on_ev(&f, &c, 100), 1);
    ck_assert_int_eq(f.act[0].kind, CH_WD_UPDATE_BP);
    ck_assert_uint_eq(f.act[0].u.update.bp.nonce, 5);
    ck_assert(u256_eq(&f.act[0].u.update.bp.transferred_amount, &f.bp.bp.transferred_amount));
    ck_assert_mem_eq(f.act[0].u.update.signature, f.bp.signature, CH_SIG_LEN);
    ck_assert_uint_eq(f.ch.settle_block, 100 + T_SETTLE);
    ck_assert_mem_eq(f.ch.onchain_self.locksroot, our_root, 32);

    /* Its call data is updateBalanceProof(token, partner, newest proof). */
    struct bytes got = BYTES_INIT, want = BYTES_INIT;
    ck_assert_int_eq(ch_wd_action_calldata(&f.ch, &f.act[0], &got), 0);
    ck_assert_int_eq(ch_call_tn_update_balance_proof(A_TOKEN, A_PARTNER, &f.bp, &want), 0);
    ck_assert_uint_eq(got.len, want.len);
    ck_assert_mem_eq(got.data, want.data, want.len);
    bytes_free(&got);
    bytes_free(&want);

    /* The same event again, and the next blocks: nothing more. */
    ck_assert_uint_eq(on_ev(&f, &c, 100), 0);
    ck_assert_uint_eq(on_blk(&f, 101), 0);
    ck_assert_uint_eq(on_blk(&f, 110), 0);

    /* The update lands: still nothing (no secret registered), and not
     * after the retry delay either. */
    struct ch_event u = bp_updated(&f, A_PARTNER, f.bp.bp.locksroot, &f.bp.bp.transferred_amount);
    ck_assert_uint_eq(on_ev(&f, &u, 102), 0);
    ck_assert_uint_eq(on_ev(&f, &u, 102), 0);
    ck_assert_uint_eq(on_blk(&f, 100 + CH_WD_RETRY_BLOCKS + 50), 0);
    ch_wd_free(&f.ch);
}
END_TEST

START_TEST(wd_update_retries_are_bounded_and_windowed)
{
    struct wd_fixture f;
    wd_setup(&f);
    uint8_t z[32] = {0};
    struct ch_event c = closed_by(&f, A_PARTNER, z, 0);
    ck_assert_uint_eq(on_ev(&f, &c, 100), 1);
    /* No BalanceProofUpdated seen: reissued after CH_WD_RETRY_BLOCKS, not before. */
    ck_assert_uint_eq(on_blk(&f, 100 + CH_WD_RETRY_BLOCKS - 1), 0);
    ck_assert_uint_eq(on_blk(&f, 100 + CH_WD_RETRY_BLOCKS), 1);
    ck_assert_int_eq(f.act[0].kind, CH_WD_UPDATE_BP);
    ck_assert_uint_eq(on_blk(&f, 100 + 2 * CH_WD_RETRY_BLOCKS), 1);
    /* CH_WD_MAX_TRIES = 3 reached. */
    ck_assert_uint_eq(on_blk(&f, 100 + 3 * CH_WD_RETRY_BLOCKS), 0);
    ch_wd_free(&f.ch);

    /* A close seen only once the window is over (replay at a later head):
     * no update, because it could not land in time. */
    wd_setup(&f);
    ck_assert_uint_eq(on_blk(&f, 100 + T_SETTLE), 0);
    ck_assert_uint_eq(on_ev(&f, &c, 100), 0);
    ch_wd_free(&f.ch);

    /* The last block an update may be sent from is settle_block - 1. */
    wd_setup(&f);
    ck_assert_uint_eq(on_blk(&f, 100 + T_SETTLE - 1), 0);
    ck_assert_uint_eq(on_ev(&f, &c, 100), 1);
    ch_wd_free(&f.ch);

    /* We closed with the partner's newest proof: nothing to update. */
    wd_setup(&f);
    struct ch_event mine = closed_by(&f, A_SELF, f.bp.bp.locksroot, 100);
    ck_assert_uint_eq(on_ev(&f, &mine, 100), 0);
    /* An event of another channel changes nothing. */
    struct ch_event other = closed_by(&f, A_PARTNER, z, 0);
    other.channel_id[0] ^= 1;
    ck_assert_uint_eq(on_ev(&f, &other, 101), 0);
    ch_wd_free(&f.ch);
}
END_TEST

/* Checks an unlock action: lock i of the fixture, the given ta, and a proof
 * that folds back to the partner's locksroot. */
static void check_unlock(const struct wd_fixture *f, const struct ch_wd_action *a, int i,
                         const u256 *ta)
{
    ck_assert_int_eq(a->kind, CH_WD_UNLOCK);
    ck_assert(ch_lock_eq(&a->u.unlock.lock, &f->locks[i]));
    ck_assert(u256_eq(&a->u.unlock.ta, ta));
    uint8_t leaf[32], root[32];
    ch_lock_hash(&f->locks[i], leaf);
    ck_assert_mem_eq(a->u.unlock.lockhash, leaf, 32);
    ck_assert_int_eq(ch_merkle_root_from_proof(leaf, a->u.unlock.proof, a->u.unlock.proof_len, root),
                     0);
    ck_assert_mem_eq(root, f->bp.bp.locksroot, 32);
    /* the call data is unlock(token, partner, ta, lock, proof) */
    struct bytes got = BYTES_INIT, want = BYTES_INIT;
    ck_assert_int_eq(ch_wd_action_calldata(&f->ch, a, &got), 0);
    ck_assert_int_eq(ch_call_tn_unlock(A_TOKEN, A_PARTNER, ta, &f->locks[i], a->u.unlock.proof,
                                       a->u.unlock.proof_len, &want),
                     0);
    ck_assert_uint_eq(got.len, want.len);
    ck_assert_mem_eq(got.data, want.data, want.len);
    bytes_free(&got);
    bytes_free(&want);
}

START_TEST(wd_unlocks_registered_locks)
{
    struct wd_fixture f;
    wd_setup(&f);
    uint8_t z[32] = {0};
    struct ch_event c = closed_by(&f, A_PARTNER, z, 0);
    ck_assert_uint_eq(on_ev(&f, &c, 100), 1);   /* the update */

    /* Secrets of locks 0 and 2 registered before the update lands: no
     * unlock yet (the partner's proof on chain is not the one they are in). */
    struct ch_event r0 = revealed(f.secrets[0]), r2 = revealed(f.secrets[2]);
    ck_assert_uint_eq(on_ev(&f, &r0, 101), 0);
    ck_assert_uint_eq(on_ev(&f, &r2, 101), 0);
    /* Lock 1's secret registered after its expiration (1010): never unlocked. */
    ck_assert_int_eq(ch_wd_set_reveal_block(&f.ch, f.locks[1].secret_hash, 1011), 0);
    /* Lock 3 we disposed: never unlocked although registered. */
    ck_assert_int_eq(ch_wd_set_disposed(&f.ch, f.locks[3].secret_hash), 0);
    struct ch_event r3 = revealed(f.secrets[3]);
    ck_assert_uint_eq(on_ev(&f, &r3, 101), 0);

    /* The update lands: unlock 0 then 2, amounts chained (100, then 101). */
    struct ch_event u = bp_updated(&f, A_PARTNER, f.bp.bp.locksroot, &f.bp.bp.transferred_amount);
    ck_assert_uint_eq(on_ev(&f, &u, 102), 2);
    u256 ta0 = u256_from_u64(100), ta2 = u256_from_u64(101);
    check_unlock(&f, &f.act[0], 0, &ta0);
    check_unlock(&f, &f.act[1], 2, &ta2);

    /* Duplicates: the same events again give nothing. */
    ck_assert_uint_eq(on_ev(&f, &u, 102), 0);
    ck_assert_uint_eq(on_ev(&f, &r0, 101), 0);
    ck_assert_uint_eq(on_blk(&f, 103), 0);

    /* Lock 0's unlock lands (ta 101); lock 2's does not: after the retry
     * delay lock 2 is reissued with the on-chain ta, and lock 0 is not. */
    struct ch_event ul = ev_of(&f, CH_EV_UNLOCKED);
    memcpy(ul.u.unlocked.payer, A_PARTNER, 20);
    ch_lock_hash(&f.locks[0], ul.u.unlocked.lockhash);
    ul.u.unlocked.transferred_amount = u256_from_u64(101);
    ck_assert_uint_eq(on_ev(&f, &ul, 104), 0);
    ck_assert_uint_eq(on_blk(&f, 102 + CH_WD_RETRY_BLOCKS), 1);
    check_unlock(&f, &f.act[0], 2, &ta2);

    /* After the settle window, nothing is unlocked any more. */
    ch_wd_free(&f.ch);
    wd_setup(&f);
    ck_assert_uint_eq(on_ev(&f, &c, 100), 1);
    ck_assert_uint_eq(on_ev(&f, &u, 102), 0);
    ck_assert_uint_eq(on_blk(&f, 100 + T_SETTLE), 0);
    ck_assert_uint_eq(on_ev(&f, &r0, 150), 0);
    ch_wd_free(&f.ch);
}
END_TEST

START_TEST(wd_unlock_actions_respect_the_cap)
{
    struct wd_fixture f;
    wd_setup(&f);
    uint8_t z[32] = {0};
    struct ch_event c = closed_by(&f, A_SELF, f.bp.bp.locksroot, 100);
    (void)z;
    ck_assert_uint_eq(on_ev(&f, &c, 100), 0);   /* we closed with the newest */
    for (int i = 0; i < 3; i++) {
        struct ch_event r = revealed(f.secrets[i]);
        ck_assert_int_eq(ch_wd_on_event(&f.ch, &r, 101, f.act, 0, &f.n), 0);
        ck_assert_uint_eq(f.n, 0);               /* cap 0: nothing issued, nothing lost */
    }
    ck_assert_int_eq(ch_wd_on_block(&f.ch, 102, f.act, 2, &f.n), 0);
    ck_assert_uint_eq(f.n, 2);
    u256 ta = u256_from_u64(100);
    check_unlock(&f, &f.act[0], 0, &ta);
    ta = u256_from_u64(101);
    check_unlock(&f, &f.act[1], 1, &ta);
    ck_assert_uint_eq(on_blk(&f, 102), 1);
    ta = u256_from_u64(103);                     /* after the two in flight */
    check_unlock(&f, &f.act[0], 2, &ta);
    ck_assert_uint_eq(on_blk(&f, 103), 0);
    ch_wd_free(&f.ch);
}
END_TEST

START_TEST(wd_punishes_an_unlock_of_a_disposed_lock)
{
    struct wd_fixture f;
    wd_setup(&f);
    /* Our lock M to the partner, which the partner disposed (we hold its
     * DisposedProof). */
    struct ch_lock m = {.expiration = 2000, .amount = u256_from_u64(50)};
    memset(m.secret_hash, 0x4d, 32);
    struct ch_wd_evidence e;
    ch_lock_hash(&m, e.lockhash);
    memset(e.additional_hash, 0x61, 32);
    memset(e.signature, 0x62, CH_SIG_LEN);
    ck_assert_int_eq(ch_wd_add_evidence(&f.ch, &e), 0);
    ck_assert_int_eq(ch_wd_add_evidence(&f.ch, &e), 0);
    ck_assert_uint_eq(f.ch.n_evidence, 1);

    /* We close with the partner's newest; the partner records our proof. */
    struct ch_event c = closed_by(&f, A_SELF, f.bp.bp.locksroot, 100);
    ck_assert_uint_eq(on_ev(&f, &c, 100), 0);
    uint8_t our_root[32];
    memset(our_root, 0x0d, 32);
    u256 our_ta = u256_from_u64(40);
    struct ch_event u = bp_updated(&f, A_SELF, our_root, &our_ta);
    ck_assert_uint_eq(on_ev(&f, &u, 101), 0);

    /* An unlock by the partner of a lock of ours that it did not dispose: nothing. */
    struct ch_event ul = ev_of(&f, CH_EV_UNLOCKED);
    memcpy(ul.u.unlocked.payer, A_SELF, 20);
    memset(ul.u.unlocked.lockhash, 0x99, 32);
    ul.u.unlocked.transferred_amount = u256_from_u64(45);
    ck_assert_uint_eq(on_ev(&f, &ul, 102), 0);

    /* The partner unlocks M: one punish with the evidence. */
    memcpy(ul.u.unlocked.lockhash, e.lockhash, 32);
    ul.u.unlocked.transferred_amount = u256_from_u64(95);
    ck_assert_uint_eq(on_ev(&f, &ul, 103), 1);
    ck_assert_int_eq(f.act[0].kind, CH_WD_PUNISH);
    ck_assert_mem_eq(&f.act[0].u.punish, &e, sizeof e);
    struct bytes got = BYTES_INIT, want = BYTES_INIT;
    ck_assert_int_eq(ch_wd_action_calldata(&f.ch, &f.act[0], &got), 0);
    ck_assert_int_eq(ch_call_tn_punish_obsolete_unlock(A_TOKEN, A_SELF, A_PARTNER, e.lockhash,
                                                       e.additional_hash, e.signature, &want),
                     0);
    ck_assert_uint_eq(got.len, want.len);
    ck_assert_mem_eq(got.data, want.data, want.len);
    bytes_free(&got);
    bytes_free(&want);
    ck_assert_uint_eq(on_ev(&f, &ul, 103), 0);  /* duplicate */

    /* Settle waits while the punish is unconfirmed (and retried). */
    uint64_t sb = 100 + T_SETTLE;
    ck_assert_uint_eq(on_blk(&f, sb + CH_WD_PUNISH_BLOCKS), 1);
    ck_assert_int_eq(f.act[0].kind, CH_WD_PUNISH);
    /* ChannelPunished(beneficiary = us): our proof is frozen at zero, settle goes. */
    struct ch_event p = ev_of(&f, CH_EV_PUNISHED);
    memcpy(p.u.punished.beneficiary, A_SELF, 20);
    ck_assert_uint_eq(on_ev(&f, &p, sb + CH_WD_PUNISH_BLOCKS), 1);
    ck_assert_int_eq(f.act[0].kind, CH_WD_SETTLE);
    ck_assert(u256_iszero(&f.act[0].u.settle.self.ta));
    uint8_t z[32] = {0};
    ck_assert_mem_eq(f.act[0].u.settle.self.locksroot, z, 32);
    ck_assert(u256_eq(&f.act[0].u.settle.partner.ta, &f.bp.bp.transferred_amount));
    ck_assert_mem_eq(f.act[0].u.settle.partner.locksroot, f.bp.bp.locksroot, 32);
    ch_wd_free(&f.ch);
}
END_TEST

START_TEST(wd_settle_boundary_257)
{
    struct wd_fixture f;
    wd_setup(&f);
    struct ch_event c = closed_by(&f, A_SELF, f.bp.bp.locksroot, 100);
    ck_assert_uint_eq(on_ev(&f, &c, 100), 0);
    uint8_t our_root[32];
    memset(our_root, 0x0e, 32);
    u256 our_ta = big(77, 2);
    struct ch_event u = bp_updated(&f, A_SELF, our_root, &our_ta);
    ck_assert_uint_eq(on_ev(&f, &u, 150), 0);
    const uint64_t sb = 100 + T_SETTLE;
    /* A transaction sent at head H lands at H+1; settle needs block > sb + 257. */
    ck_assert_uint_eq(on_blk(&f, sb), 0);
    ck_assert_uint_eq(on_blk(&f, sb + 256), 0);
    ck_assert_uint_eq(on_blk(&f, sb + 257), 1);
    ck_assert_int_eq(f.act[0].kind, CH_WD_SETTLE);
    ck_assert(u256_eq(&f.act[0].u.settle.self.ta, &our_ta));
    ck_assert_mem_eq(f.act[0].u.settle.self.locksroot, our_root, 32);
    ck_assert(u256_eq(&f.act[0].u.settle.partner.ta, &f.bp.bp.transferred_amount));
    struct bytes got = BYTES_INIT, want = BYTES_INIT;
    ck_assert_int_eq(ch_wd_action_calldata(&f.ch, &f.act[0], &got), 0);
    ck_assert_int_eq(ch_call_tn_settle(A_TOKEN, A_SELF, &our_ta, our_root, A_PARTNER,
                                       &f.bp.bp.transferred_amount, f.bp.bp.locksroot, &want),
                     0);
    ck_assert_uint_eq(got.len, want.len);
    ck_assert_mem_eq(got.data, want.data, want.len);
    bytes_free(&got);
    bytes_free(&want);
    ck_assert_uint_eq(on_blk(&f, sb + 257), 0);
    ck_assert_uint_eq(on_blk(&f, sb + 258), 0);
    /* ChannelSettled: done for good, no retry. */
    struct ch_event s = ev_of(&f, CH_EV_SETTLED);
    ck_assert_uint_eq(on_ev(&f, &s, sb + 259), 0);
    ck_assert_uint_eq(on_blk(&f, sb + 257 + 5 * CH_WD_RETRY_BLOCKS), 0);
    ck_assert_int_eq(f.ch.state, CH_WD_SETTLED);
    ch_wd_free(&f.ch);
}
END_TEST

START_TEST(wd_registers_a_secret_near_expiry)
{
    struct wd_fixture f;
    wd_setup(&f);
    /* We learned the secret of lock 0 (expires 1000) off chain. */
    ck_assert_int_eq(ch_wd_learn_secret(&f.ch, f.secrets[0]), 0);
    uint8_t nobody[32];
    memset(nobody, 0xee, 32);
    ck_assert_int_eq(ch_wd_learn_secret(&f.ch, nobody), ERR_NOTFOUND);
    ck_assert_uint_eq(on_blk(&f, 1000 - T_REVEAL - 1), 0);
    ck_assert_uint_eq(on_blk(&f, 1000 - T_REVEAL), 1);
    ck_assert_int_eq(f.act[0].kind, CH_WD_REGISTER_SECRET);
    ck_assert_mem_eq(f.act[0].u.register_secret.secret, f.secrets[0], 32);
    struct bytes got = BYTES_INIT, want = BYTES_INIT;
    ck_assert_int_eq(ch_wd_action_calldata(&f.ch, &f.act[0], &got), 0);
    ck_assert_int_eq(ch_call_sr_register_secret(f.secrets[0], &want), 0);
    ck_assert_mem_eq(got.data, want.data, want.len);
    bytes_free(&got);
    bytes_free(&want);
    ck_assert_uint_eq(on_blk(&f, 1000 - T_REVEAL + 1), 0);
    /* Registered: no further action while the channel is open. */
    struct ch_event r = revealed(f.secrets[0]);
    ck_assert_uint_eq(on_ev(&f, &r, 1000 - T_REVEAL + 1), 0);
    ck_assert_uint_eq(on_blk(&f, 999), 0);
    ch_wd_free(&f.ch);

    /* Learned too late (head = expiration): a registration would not count. */
    wd_setup(&f);
    ck_assert_int_eq(ch_wd_learn_secret(&f.ch, f.secrets[1]), 0);
    ck_assert_uint_eq(on_blk(&f, 1010), 0);
    ch_wd_free(&f.ch);

    /* The last useful block is expiration - 1. */
    wd_setup(&f);
    ck_assert_int_eq(ch_wd_learn_secret(&f.ch, f.secrets[1]), 0);
    ck_assert_uint_eq(on_blk(&f, 1009), 1);
    ch_wd_free(&f.ch);

    /* A disposed lock is never registered. */
    wd_setup(&f);
    ck_assert_int_eq(ch_wd_learn_secret(&f.ch, f.secrets[2]), 0);
    ck_assert_int_eq(ch_wd_set_disposed(&f.ch, f.locks[2].secret_hash), 0);
    ck_assert_uint_eq(on_blk(&f, 1019), 0);
    ch_wd_free(&f.ch);

    /* Channel closed: register at once (well before expiry), then unlock
     * once it is registered. */
    wd_setup(&f);
    ck_assert_int_eq(ch_wd_learn_secret(&f.ch, f.secrets[2]), 0);
    struct ch_event c = closed_by(&f, A_SELF, f.bp.bp.locksroot, 100);
    ck_assert_uint_eq(on_ev(&f, &c, 100), 1);
    ck_assert_int_eq(f.act[0].kind, CH_WD_REGISTER_SECRET);
    ck_assert_mem_eq(f.act[0].u.register_secret.secret, f.secrets[2], 32);
    r = revealed(f.secrets[2]);
    ck_assert_uint_eq(on_ev(&f, &r, 102), 1);
    u256 ta = u256_from_u64(100);
    check_unlock(&f, &f.act[0], 2, &ta);
    ch_wd_free(&f.ch);
}
END_TEST

START_TEST(wd_view_changes_are_checked)
{
    struct wd_fixture f;
    wd_setup(&f);
    /* Locks that do not hash to the locksroot are refused, state unchanged. */
    struct ch_signed_bp bad = f.bp;
    bad.bp.nonce = 6;
    bad.bp.locksroot[0] ^= 1;
    ck_assert_int_eq(ch_wd_set_partner_proof(&f.ch, &bad, f.locks, 4), ERR_INVAL);
    ck_assert_uint_eq(f.ch.partner_bp.bp.nonce, 5);
    ck_assert_uint_eq(f.ch.tree.n, 4);
    /* An older proof is refused. */
    bad = f.bp;
    bad.bp.nonce = 4;
    ck_assert_int_eq(ch_wd_set_partner_proof(&f.ch, &bad, f.locks, 4), ERR_INVAL);
    /* A newer one with lock 0 removed keeps what we knew of the others. */
    ck_assert_int_eq(ch_wd_learn_secret(&f.ch, f.secrets[2]), 0);
    struct ch_locks t;
    ch_locks_init(&t);
    for (int i = 1; i < 4; i++)
        ck_assert_int_eq(ch_locks_add(&t, &f.locks[i]), 0);
    struct ch_signed_bp nb = f.bp;
    nb.bp.nonce = 6;
    nb.bp.transferred_amount = u256_from_u64(101);
    memcpy(nb.bp.locksroot, t.root, 32);
    ch_locks_free(&t);
    ck_assert_int_eq(ch_wd_set_partner_proof(&f.ch, &nb, f.locks + 1, 3), 0);
    ck_assert_uint_eq(f.ch.tree.n, 3);
    ck_assert(f.ch.info[1].secret_known);
    ck_assert(!f.ch.info[0].secret_known);
    /* A channel event naming a stranger is an error and changes nothing. */
    uint8_t stranger[20];
    memset(stranger, 0x99, 20);
    struct ch_event c = closed_by(&f, stranger, nb.bp.locksroot, 1);
    ck_assert_int_eq(ch_wd_on_event(&f.ch, &c, 100, f.act, 64, &f.n), ERR_INVAL);
    ck_assert_uint_eq(f.n, 0);
    ck_assert_int_eq(f.ch.state, CH_WD_OPEN);
    /* A withdraw starts a new life: the old proof is forgotten. */
    struct ch_event w = ev_of(&f, CH_EV_WITHDRAW);
    ck_assert_uint_eq(on_ev(&f, &w, 120), 0);
    ck_assert(!f.ch.have_partner_bp);
    ck_assert_uint_eq(f.ch.open_block, 120);
    ck_assert_uint_eq(f.ch.tree.n, 0);
    uint8_t z[32] = {0};
    c = closed_by(&f, A_PARTNER, z, 0);
    ck_assert_uint_eq(on_ev(&f, &c, 130), 0);    /* nothing to update with */
    ch_wd_free(&f.ch);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("channel_chain");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, selectors_match_the_compiled_abi);
    tcase_add_test(tc, view_outputs_match_the_compiled_abi);
    tcase_add_test(tc, call_data_of_every_function);
    tcase_add_test(tc, abi_bytes_round_trip_and_strictness);
    tcase_add_test(tc, view_decoders);
    tcase_add_test(tc, every_event_decodes);
    tcase_add_test(tc, wd_partner_closes_with_an_old_proof);
    tcase_add_test(tc, wd_update_retries_are_bounded_and_windowed);
    tcase_add_test(tc, wd_unlocks_registered_locks);
    tcase_add_test(tc, wd_unlock_actions_respect_the_cap);
    tcase_add_test(tc, wd_punishes_an_unlock_of_a_disposed_lock);
    tcase_add_test(tc, wd_settle_boundary_257);
    tcase_add_test(tc, wd_registers_a_secret_near_expiry);
    tcase_add_test(tc, wd_view_changes_are_checked);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
