/*
 * relay.c — the relay_ namespace: the node as relayer of delegated gas
 * payments (the SMT papers' "signature-authorized proxy payment") for
 * ProxyToken contracts (rpc/proxytoken.h).
 *
 * A holder who owns no SMT signs (token, from, to, value, fee, nonce); the
 * node checks the authorization and sends transferProxy from its relayer
 * account (-relayer, rpc_env.relayer), which pays the gas in SMT and
 * receives `fee` in the token:
 *
 *   relay_proxyHash(token, from, to, value, fee)   -> {hash, digest, nonce}
 *   (holder) personal_sign(hash, from, pw) or eth_sign(from, hash) -> signature
 *   relay_transferProxy(token, from, to, value, fee, signature) -> tx hash
 *
 * Why the checks happen here and not only in the contract: the relayer pays
 * for every transaction it sends, reverted or not, so it only sends what
 * will succeed: the contract's code is ProxyToken's (a contract it does not
 * know might never pay the fee), the signature recovers `from` over the
 * hash at from's next proxy nonce, s is low (the contract refuses high s),
 * `to` is not zero, value + fee does not overflow and from's token balance
 * covers it. Balances and nonces come from the head state, minus what the
 * transferProxy calls waiting in the pool for the same holder will take, so
 * a second authorization can be relayed while the first is pending, and a
 * replay of a pending one is refused.
 *
 * One mutex serializes relay_transferProxy calls, from the checks to the
 * pool's verdict, so two workers cannot both relay the same authorization.
 * It is held while the chain thread works (with -automine, the block too):
 * relaying is one transaction at a time by design.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chainsvc/chainsvc.h"
#include "crypto/ecdsa.h"
#include "rpc/chainread.h"
#include "rpc/eth_methods.h"
#include "rpc/ethmsg.h"
#include "rpc/methods.h"
#include "rpc/params.h"
#include "rpc/proxytoken.h"
#include "util/err.h"
#include "wallet/wallet.h"

/* Gas of a relayed transferProxy: it uses about 110,000 on a first transfer
 * to fresh accounts (ecrecover, four storage writes); what is not used is
 * refunded. */
#define RELAY_GAS 200000u

static pthread_mutex_t relay_mu = PTHREAD_MUTEX_INITIALIZER;

/* ---- arguments ----------------------------------------------------------------- */

/* token, from, to, value, fee (arguments 0..4). Returns 0 or -1. */
static int param_transfer(struct rpc_ctx *ctx, const json_t *params, struct proxy_transfer *t)
{
    memset(t, 0, sizeof *t);
    return rpc_param_address(ctx, params, 0, &t->token) ||
                   rpc_param_address(ctx, params, 1, &t->from) ||
                   rpc_param_address(ctx, params, 2, &t->to) ||
                   rpc_json_to_u256(ctx, json_array_get(params, 3), 3, "value", &t->value) ||
                   rpc_json_to_u256(ctx, json_array_get(params, 4), 4, "fee", &t->fee)
               ? -1
               : 0;
}

/* ---- the token's state ----------------------------------------------------------- */

struct holder {
    u256 nonce;         /* next proxy nonce: state + pending pool calls */
    u256 balance;       /* token balance in the head state */
    u256 pending;       /* value + fee of the pending pool calls (saturating) */
};

static json_t *fail_hex(struct rpc_ctx *ctx, const char *fmt, const struct address *a)
{
    char hex[ADDRESS_HEX_SIZE];
    address_to_hex(a, hex);
    return rpc_fail(ctx, RPC_SERVER_ERROR, fmt, hex);
}

/* Reads from's nonce and balance in the head state, after checking that the
 * token's code is ProxyToken's. Returns 0 or -1. */
static int read_state(struct rpc_ctx *ctx, struct chainsvc *svc, const struct proxy_transfer *t,
                      struct holder *h)
{
    struct rpc_block_ref latest = {.kind = RPC_BLOCK_LATEST};
    struct rpc_state_view v;
    int r = -1;
    if (rpc_state_view_open(ctx, svc, &latest, &v) == 0) {
        struct hash32 code;
        u256 nkey, bkey;
        bool has_code = state_get_code_size(v.st, &t->token) > 0;
        state_get_code_hash(v.st, &t->token, &code);
        proxytoken_mapping_key(&t->from, PROXYTOKEN_SLOT_NONCE, &nkey);
        proxytoken_mapping_key(&t->from, PROXYTOKEN_SLOT_BALANCE, &bkey);
        state_get_storage(v.st, &t->token, &nkey, &h->nonce);
        state_get_storage(v.st, &t->token, &bkey, &h->balance);
        if (rpc_state_view_check(ctx, &v) != 0)
            r = -1;
        else if (!has_code)
            fail_hex(ctx, "token %s has no code", &t->token);
        else if (memcmp(code.b, proxytoken_code_hash, 32) != 0)
            fail_hex(ctx, "token %s is not a ProxyToken contract (the relayer only pays gas for "
                     "contracts whose code it knows)", &t->token);
        else
            r = 0;
    }
    rpc_state_view_close(&v);
    return r;
}

/* Adds the transferProxy calls for (token, from) waiting in the pool. */
static int add_pending(struct rpc_ctx *ctx, struct chainsvc *svc, const struct proxy_transfer *t,
                       struct holder *h)
{
    struct chainsvc_pool_tx *txs;
    size_t n;
    int rc = chainsvc_pool_content(svc, &txs, &n);
    if (rc)
        return rpc_fail_db(ctx, rc);
    u256 one = u256_from_u64(1);
    for (size_t i = 0; i < n; i++) {
        const struct tx *tx = &txs[i].tx;
        struct proxy_transfer p = {.token = t->token};
        if (!tx->has_to || !address_eq(&tx->to, &t->token) ||
            proxytoken_parse_calldata(tx->data, tx->data_len, &p) != 0 ||
            !address_eq(&p.from, &t->from))
            continue;
        u256 sum;
        bool over = u256_add_overflow(&sum, &p.value, &p.fee) ||
                    u256_add_overflow(&h->pending, &h->pending, &sum);
        if (over)
            h->pending = u256_max();
        u256_add(&h->nonce, &h->nonce, &one);
    }
    chainsvc_pool_txs_free(txs, n);
    err_clear();
    return 0;
}

static int read_holder(struct rpc_ctx *ctx, struct chainsvc *svc, const struct proxy_transfer *t,
                       struct holder *h)
{
    memset(h, 0, sizeof *h);
    return read_state(ctx, svc, t, h) || add_pending(ctx, svc, t, h) ? -1 : 0;
}

/* ---- relay_proxyHash --------------------------------------------------------------- */

static json_t *proxy_hash(const json_t *params, struct rpc_ctx *ctx)
{
    struct proxy_transfer t;
    if (rpc_params_count(ctx, params, 5, 5) || param_transfer(ctx, params, &t))
        return NULL;
    struct chainsvc *svc = rpc_chain(ctx);
    struct holder h;
    if (!svc || read_holder(ctx, svc, &t, &h))
        return NULL;
    uint8_t hash[32], digest[32];
    proxytoken_hash(&t, &h.nonce, hash, digest);
    json_t *o = json_pack("{s:o, s:o, s:o}", "hash", rpc_json_hex(hash, 32), "digest",
                          rpc_json_hex(digest, 32), "nonce", rpc_json_u256(&h.nonce));
    return o ? o : rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
}

/* ---- relay_transferProxy ------------------------------------------------------------ */

/* The relayer account (rpc_env.relayer), unlocked. Returns 0 or -1. */
static int need_relayer(struct rpc_ctx *ctx, struct address *out)
{
    struct wallet *w = ctx->env->wallet;
    if (!ctx->env->has_relayer || !w) {
        rpc_fail(ctx, RPC_SERVER_ERROR, "no relayer account: start spectrumd with "
                 "-relayer=<address of a wallet account>");
        return -1;
    }
    *out = ctx->env->relayer;
    if (!wallet_has(w, out)) {
        fail_hex(ctx, "relayer account %s is not in the wallet", out);
        return -1;
    }
    if (!wallet_is_unlocked(w, out)) {
        fail_hex(ctx, "relayer account %s is locked: unlock it with personal_unlockAccount", out);
        return -1;
    }
    return 0;
}

/* The signature argument: 65 bytes R ‖ S ‖ V, V 27/28 or 0/1 (normalized
 * to 27/28, as the contract does), r and s in range and s low. */
static int param_signature(struct rpc_ctx *ctx, const json_t *params, uint8_t sig[65])
{
    uint8_t *b;
    size_t len;
    if (rpc_param_bytes(ctx, params, 5, 1024, &b, &len))
        return -1;
    if (len != 65) {
        free(b);
        rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument 5: signature must be 65 bytes long");
        return -1;
    }
    memcpy(sig, b, 65);
    free(b);
    if (sig[64] < 27)
        sig[64] = (uint8_t)(sig[64] + 27);
    if (sig[64] != 27 && sig[64] != 28) {
        rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument 5: invalid Ethereum signature (V is "
                 "not 27 or 28)");
        return -1;
    }
    if (!ecdsa_sig_values_valid(sig, sig + 32, true)) {
        rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument 5: invalid signature values (r or s "
                 "out of range, or s above n/2 as EIP-2 forbids)");
        return -1;
    }
    return 0;
}

struct sign_ctx {
    struct wallet *w;
    struct address from;
};

static int sign_with_wallet(void *vctx, struct tx *tx, uint64_t chain_id)
{
    struct sign_ctx *sc = vctx;
    return wallet_sign_tx(sc->w, &sc->from, tx, chain_id);
}

/* Everything after the arguments, with relay_mu held. */
static json_t *relay_locked(struct rpc_ctx *ctx, struct chainsvc *svc,
                            const struct proxy_transfer *t, const uint8_t sig[65])
{
    struct sign_ctx sc = {ctx->env->wallet, {{0}}};
    if (need_relayer(ctx, &sc.from))
        return NULL;
    struct holder h;
    if (read_holder(ctx, svc, t, &h))
        return NULL;

    uint8_t hash[32], digest[32];
    char nonce[U256_DEC_BUF];
    proxytoken_hash(t, &h.nonce, hash, digest);
    u256_to_dec(&h.nonce, nonce);
    struct address signer;
    if (rpc_sig_recover(digest, sig, &signer) != 0 || !address_eq(&signer, &t->from)) {
        char from[ADDRESS_HEX_SIZE];
        address_to_hex(&t->from, from);
        return rpc_fail(ctx, RPC_SERVER_ERROR, "invalid signature: not signed by %s for this "
                        "transfer at proxy nonce %s (an authorization is valid once)", from,
                        nonce);
    }

    u256 want, avail = h.balance;
    u256_add(&want, &t->value, &t->fee);    /* checked by the caller */
    if (u256_lt(&avail, &h.pending))
        avail = u256_from_u64(0);
    else
        u256_sub(&avail, &avail, &h.pending);
    if (u256_lt(&avail, &want)) {
        char have[U256_DEC_BUF], need[U256_DEC_BUF];
        u256_to_dec(&avail, have);
        u256_to_dec(&want, need);
        return rpc_fail(ctx, RPC_SERVER_ERROR, "insufficient token balance: have %s, want %s "
                        "(value + fee)", have, need);
    }

    struct bytes data = BYTES_INIT;
    if (proxytoken_calldata(t, sig, &data) != 0) {
        bytes_free(&data);
        return rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
    }
    struct tx tx;
    memset(&tx, 0, sizeof tx);
    tx.has_to = true;
    tx.to = t->token;
    tx.gas = RELAY_GAS;
    tx.gas_price = u256_from_u64(rpc_default_gas_price(ctx));
    tx.data = data.data;
    tx.data_len = data.len;
    struct hash32 txh;
    int rc = chainsvc_send_tx(svc, &tx, &sc.from, false, sign_with_wallet, &sc, &txh);
    bytes_free(&data);
    if (rc == ERR_NOMEM)
        return rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
    if (rc)
        return rpc_fail(ctx, RPC_SERVER_ERROR, "relayer: %s",
                        err_msg()[0] ? err_msg() : err_name(rc));
    return rpc_json_hash(&txh);
}

static json_t *transfer_proxy(const json_t *params, struct rpc_ctx *ctx)
{
    struct proxy_transfer t;
    uint8_t sig[65];
    if (rpc_params_count(ctx, params, 6, 6) || param_transfer(ctx, params, &t) ||
        param_signature(ctx, params, sig))
        return NULL;
    if (address_is_zero(&t.to))
        return rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument 2: transfer to the zero "
                        "address");
    u256 sum;
    if (u256_add_overflow(&sum, &t.value, &t.fee))
        return rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument 4: value + fee overflows");
    struct chainsvc *svc = rpc_chain(ctx);
    if (!svc)
        return NULL;
    pthread_mutex_lock(&relay_mu);
    json_t *out = relay_locked(ctx, svc, &t, sig);
    pthread_mutex_unlock(&relay_mu);
    return out;
}

/* ---- the table ---------------------------------------------------------------------- */

static const struct rpc_param_doc hash_params[] = {
    {"token", "address", false, "a ProxyToken contract"},
    {"from", "address", false, "the holder who signs and pays"},
    {"to", "address", false, "the recipient"},
    {"value", "quantity", false, "token units to move to `to`"},
    {"fee", "quantity", false, "token units paid to the relayer"},
};

static const struct rpc_param_doc transfer_params[] = {
    {"token", "address", false, "a ProxyToken contract"},
    {"from", "address", false, "the holder who signed"},
    {"to", "address", false, "the recipient (not zero)"},
    {"value", "quantity", false, "token units to move to `to`"},
    {"fee", "quantity", false, "token units paid to the relayer"},
    {"signature", "hex data", false,
     "65 bytes R || S || V (V 27/28 or 0/1): from's eth_sign / personal_sign of the `hash` "
     "relay_proxyHash returned"},
};

static const struct rpc_method relay_methods[] = {
    {.name = "relay_proxyHash", .fn = proxy_hash, .flags = 0,
     .summary = "Returns what the holder signs to authorize a delegated transfer: `hash` = "
                "keccak256(token || from || to || value || fee || nonce) (packed) to sign with "
                "eth_sign or personal_sign, `digest` = the contract's proxyHash (hash under the "
                "\"\\x19Ethereum Signed Message:\\n32\" prefix) for signers of raw digests, and "
                "the proxy nonce used: from's in the head state plus its transferProxy calls "
                "waiting in the pool. Errors: -32000 when the token's code is not ProxyToken's.",
     .params = hash_params, .nparams = RPC_COUNT(hash_params),
     .result = "{\"hash\": \"0x..\", \"digest\": \"0x..\", \"nonce\": \"0x..\"}"},
    {.name = "relay_transferProxy", .fn = transfer_proxy, .flags = RPC_WAITS,
     .summary = "Relays a signed delegated transfer: checks that the signature recovers `from` "
                "over the hash at its next proxy nonce and that its token balance covers value "
                "+ fee, then sends transferProxy from the relayer account (-relayer), which "
                "pays the gas in SMT and earns `fee` in the token. Errors: -32602 for a bad "
                "signature encoding, a zero `to`, value + fee overflowing; -32000 \"invalid "
                "signature: ...\" (also for a replay), \"insufficient token balance: ...\", "
                "\"no relayer account ...\", \"relayer account ... is locked ...\", a token that "
                "is not ProxyToken, and the pool's refusal prefixed \"relayer: \".",
     .params = transfer_params, .nparams = RPC_COUNT(transfer_params),
     .result = "\"0x...\" (hash of the relayer's transaction)"},
};

const struct rpc_namespace rpc_ns_relay = {"relay", relay_methods, RPC_COUNT(relay_methods),
                                           false};
