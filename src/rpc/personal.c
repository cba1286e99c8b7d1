/*
 * personal.c — the personal_ namespace (geth's): the node's wallet over
 * RPC. Creating and importing keys, unlocking them for a while, and the
 * calls that take the passphrase with them (personal_sendTransaction,
 * personal_sign), which decrypt a one-use key (wallet_key_decrypt) and
 * never unlock the account for anybody else.
 *
 * Every method needs credentials (dispatch.h: only eth_/net_/web3_ may be
 * public), so an unauthenticated client learns nothing about the keys, not
 * even which accounts exist beyond eth_accounts. Passphrases are never
 * copied into error messages or logs.
 *
 * Decrypting runs scrypt with geth's standard cost (about a second and
 * 256 MiB): it happens on the worker thread running the call, outside the
 * wallet's lock (wallet.h), so the other workers and the chain go on.
 * personal_sendTransaction hands the decrypted key to the chain thread
 * only for the signature, through chainsvc_send_tx's callback, so that the
 * nonce is still chosen there (eth_tx.c).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "chainsvc/chainsvc.h"
#include "crypto/ecdsa.h"
#include "rpc/chainread.h"
#include "rpc/eth_methods.h"
#include "rpc/ethmsg.h"
#include "rpc/methods.h"
#include "rpc/params.h"
#include "util/err.h"
#include "util/hex.h"
#include "wallet/wallet.h"

/* Longest passphrase read (geth has no limit; scrypt reads it all). */
#define PASSPHRASE_MAX 4096
/* geth's default unlock time, seconds. */
#define UNLOCK_DEFAULT 300
/* geth's ceiling: time.Duration(math.MaxInt64) / time.Second. */
#define UNLOCK_MAX 9223372036ull

/* The wallet, or NULL after -32000 (a server started without one). */
static struct wallet *need_wallet(struct rpc_ctx *ctx)
{
    if (!ctx->env->wallet)
        rpc_fail(ctx, RPC_SERVER_ERROR, "the wallet is not available");
    return ctx->env->wallet;
}

/* The reply for a wallet failure; `unknown` is the text for ERR_NOTFOUND
 * (geth words it differently per method). */
static json_t *fail_wallet(struct rpc_ctx *ctx, int rc, const char *unknown)
{
    if (rc == ERR_NOMEM)
        return rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
    if (rc == ERR_NOTFOUND)
        return rpc_fail(ctx, RPC_SERVER_ERROR, "%s", unknown);
    return rpc_fail(ctx, RPC_SERVER_ERROR, "%s", err_msg()[0] ? err_msg() : err_name(rc));
}

static int param_passphrase(struct rpc_ctx *ctx, const json_t *params, size_t idx,
                            const char **out)
{
    return rpc_param_string(ctx, params, idx, PASSPHRASE_MAX, out);
}

/* ---- accounts ------------------------------------------------------------------------ */

static json_t *new_account(const json_t *params, struct rpc_ctx *ctx)
{
    const char *pw;
    if (rpc_params_count(ctx, params, 1, 1) || param_passphrase(ctx, params, 0, &pw))
        return NULL;
    struct wallet *w = need_wallet(ctx);
    if (!w)
        return NULL;
    struct address a;
    int rc = wallet_new_account(w, pw, WALLET_KDF_STANDARD, &a);
    return rc ? fail_wallet(ctx, rc, "unknown account") : rpc_json_address(&a);
}

static json_t *list_accounts(const json_t *params, struct rpc_ctx *ctx)
{
    return rpc_eth_accounts(params, ctx);
}

/* A raw secret key: 64 hex digits, "0x" allowed (geth takes none). Returns
 * 0 or -1 (error set). sk is wiped on failure. */
static int param_secret_key(struct rpc_ctx *ctx, const json_t *params, uint8_t sk[32])
{
    const char *s;
    if (rpc_param_string(ctx, params, 0, 130, &s))
        return -1;
    size_t len = strlen(s);
    if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        s += 2;
        len -= 2;
    }
    for (size_t i = 0; i < len; i++) {
        if (hex_digit((unsigned char)s[i]) < 0) {
            rpc_fail(ctx, RPC_SERVER_ERROR, "invalid hex character in private key");
            return -1;
        }
    }
    if (len != 64 || hex_decode_exact(s, len, sk, 32) != 0) {
        OPENSSL_cleanse(sk, 32);
        rpc_fail(ctx, RPC_SERVER_ERROR, "invalid length, need 256 bits");
        return -1;
    }
    if (!ecdsa_seckey_valid(sk)) {
        OPENSSL_cleanse(sk, 32);
        rpc_fail(ctx, RPC_SERVER_ERROR, "invalid private key");
        return -1;
    }
    return 0;
}

static json_t *import_raw_key(const json_t *params, struct rpc_ctx *ctx)
{
    const char *pw;
    uint8_t sk[32];
    if (rpc_params_count(ctx, params, 2, 2) || param_passphrase(ctx, params, 1, &pw))
        return NULL;
    struct wallet *w = need_wallet(ctx);
    if (!w || param_secret_key(ctx, params, sk))
        return NULL;
    struct address a;
    int rc = wallet_import_key(w, sk, pw, WALLET_KDF_STANDARD, &a);
    OPENSSL_cleanse(sk, sizeof sk);
    return rc ? fail_wallet(ctx, rc, "unknown account") : rpc_json_address(&a);
}

/* The unlock duration: absent or null 300 s; a JSON integer or a hex
 * quantity; 0 means until locked. Returns 0 or -1. */
static int param_duration(struct rpc_ctx *ctx, const json_t *params, size_t idx, uint64_t *out)
{
    *out = UNLOCK_DEFAULT;
    if (!rpc_param_present(params, idx))
        return 0;
    const json_t *v = json_array_get(params, idx);
    if (json_is_integer(v)) {
        json_int_t n = json_integer_value(v);
        if (n < 0) {
            rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument %zu: json: cannot unmarshal "
                     "number %" JSON_INTEGER_FORMAT " into Go value of type uint64", idx, n);
            return -1;
        }
        *out = (uint64_t)n;
    } else if (json_is_string(v)) {
        if (rpc_param_quantity(ctx, params, idx, out))
            return -1;
    } else {
        rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument %zu: json: cannot unmarshal %s into "
                 "Go value of type uint64", idx, json_is_real(v) ? "non-integer number" : "value");
        return -1;
    }
    if (*out > UNLOCK_MAX) {
        rpc_fail(ctx, RPC_SERVER_ERROR, "unlock duration too large");
        return -1;
    }
    return 0;
}

static json_t *unlock_account(const json_t *params, struct rpc_ctx *ctx)
{
    struct address a;
    const char *pw;
    uint64_t secs;
    if (rpc_params_count(ctx, params, 2, 3) || rpc_param_address(ctx, params, 0, &a) ||
        param_passphrase(ctx, params, 1, &pw) || param_duration(ctx, params, 2, &secs))
        return NULL;
    struct wallet *w = need_wallet(ctx);
    if (!w)
        return NULL;
    int rc = wallet_unlock(w, &a, pw, secs);
    return rc ? fail_wallet(ctx, rc, "no key for given address or file") : json_true();
}

static json_t *lock_account(const json_t *params, struct rpc_ctx *ctx)
{
    struct address a;
    if (rpc_params_count(ctx, params, 1, 1) || rpc_param_address(ctx, params, 0, &a))
        return NULL;
    struct wallet *w = need_wallet(ctx);
    if (!w)
        return NULL;
    return json_boolean(wallet_lock(w, &a) == 0);
}

/* ---- signing with the passphrase ------------------------------------------------- */

/* The one-use key of `a`, or NULL with the error set. */
static struct wallet_key *decrypt(struct rpc_ctx *ctx, const struct address *a, const char *pw)
{
    struct wallet *w = need_wallet(ctx);
    if (!w)
        return NULL;
    struct wallet_key *k = NULL;
    int rc = wallet_key_decrypt(w, a, pw, &k);
    if (rc)
        fail_wallet(ctx, rc, "unknown account");
    return k;
}

static int sign_with_key(void *vk, struct tx *tx, uint64_t chain_id)
{
    return wallet_key_sign_tx(vk, tx, chain_id);
}

static json_t *send_transaction(const json_t *params, struct rpc_ctx *ctx)
{
    const char *pw;
    if (rpc_params_count(ctx, params, 2, 2) || param_passphrase(ctx, params, 1, &pw))
        return NULL;
    struct tx tx;
    struct address from;
    bool has_nonce;
    if (rpc_parse_send_args(ctx, json_array_get(params, 0), &tx, &from, &has_nonce)) {
        tx_free(&tx);
        return NULL;
    }
    json_t *out = NULL;
    struct chainsvc *svc = rpc_chain(ctx);
    struct wallet_key *k = svc ? decrypt(ctx, &from, pw) : NULL;
    if (k && rpc_send_gas_default(ctx, json_array_get(params, 0), &tx) == 0) {
        struct hash32 hash;
        int rc = chainsvc_send_tx(svc, &tx, &from, has_nonce, sign_with_key, k, &hash);
        if (rc == ERR_NOMEM)
            rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
        else if (rc)
            rpc_fail(ctx, RPC_SERVER_ERROR, "%s", err_msg()[0] ? err_msg() : err_name(rc));
        else
            out = rpc_json_hash(&hash);
    }
    wallet_key_free(k); /* wiped whatever happened (NULL is allowed) */
    tx_free(&tx);
    return out;
}

/* personal_sign. Without a passphrase it signs with the account's unlocked
 * key, as eth_sign (hardhat's behaviour, which ethers' signMessage relies
 * on: it sends two arguments). */
static json_t *sign(const json_t *params, struct rpc_ctx *ctx)
{
    uint8_t *data;
    size_t len;
    struct address a;
    const char *pw = NULL;
    if (rpc_params_count(ctx, params, 2, 3) || rpc_param_address(ctx, params, 1, &a) ||
        (rpc_param_present(params, 2) && param_passphrase(ctx, params, 2, &pw)) ||
        rpc_param_bytes(ctx, params, 0, RPC_MSG_MAX, &data, &len))
        return NULL;
    uint8_t h[32], sig[65];
    rpc_msg_hash(data, len, h);
    free(data);
    int rc;
    if (pw) {
        struct wallet_key *k = decrypt(ctx, &a, pw);
        if (!k)
            return NULL;
        rc = wallet_key_sign_hash(k, h, sig);
        wallet_key_free(k);
    } else {
        struct wallet *w = need_wallet(ctx);
        if (!w)
            return NULL;
        rc = wallet_sign_hash(w, &a, h, sig);
    }
    if (rc)
        return fail_wallet(ctx, rc, "unknown account");
    return rpc_json_hex(sig, sizeof sig);
}

static json_t *ec_recover(const json_t *params, struct rpc_ctx *ctx)
{
    uint8_t *data, *sig;
    size_t len, slen;
    if (rpc_params_count(ctx, params, 2, 2) ||
        rpc_param_bytes(ctx, params, 1, 1024, &sig, &slen))
        return NULL;
    if (rpc_param_bytes(ctx, params, 0, RPC_MSG_MAX, &data, &len)) {
        free(sig);
        return NULL;
    }
    json_t *out = NULL;
    struct address a;
    if (slen != 65)
        rpc_fail(ctx, RPC_SERVER_ERROR, "signature must be 65 bytes long");
    else if (rpc_msg_recover(data, len, sig, &a) != 0)
        rpc_fail(ctx, RPC_SERVER_ERROR, "%s", err_msg());
    else
        out = rpc_json_address(&a);
    free(data);
    free(sig);
    return out;
}

/* ---- the table -------------------------------------------------------------------------- */

static const struct rpc_param_doc passphrase_params[] = {
    {"passphrase", "string", false, "encrypts the new key file"},
};

static const struct rpc_param_doc import_params[] = {
    {"key", "hex", false, "the secret key, 64 hex digits (\"0x\" allowed)"},
    {"passphrase", "string", false, "encrypts the key file"},
};

static const struct rpc_param_doc unlock_params[] = {
    {"address", "address", false, "an account of the wallet"},
    {"passphrase", "string", false, "the passphrase of its key file"},
    {"duration", "integer", true,
     "seconds to keep it unlocked (default 300; 0: until personal_lockAccount or the node "
     "stops)"},
};

static const struct rpc_param_doc lock_params[] = {
    {"address", "address", false, "an account of the wallet"},
};

static const struct rpc_param_doc send_params[] = {
    {"tx", "object", false,
     "as eth_sendTransaction: {from, to?, gas?, gasPrice?, value?, data?|input?, nonce?}"},
    {"passphrase", "string", false,
     "the passphrase of from's key file: signs this transaction only, without unlocking"},
};

static const struct rpc_param_doc sign_params[] = {
    {"data", "hex data", false, "the message"},
    {"address", "address", false, "the signing account of the wallet"},
    {"passphrase", "string", true,
     "its passphrase (the account is not unlocked); without it the account must be unlocked, "
     "as for eth_sign"},
};

static const struct rpc_param_doc recover_params[] = {
    {"data", "hex data", false, "the message that was signed"},
    {"signature", "hex data", false, "65 bytes R || S || V, V 27 or 28"},
};

static const struct rpc_method personal_methods[] = {
    {.name = "personal_ecRecover", .fn = ec_recover, .flags = 0,
     .summary = "Returns the account that signed a message with personal_sign or eth_sign (the "
                "\"\\x19Ethereum Signed Message:\\n\" + length prefix is added here). Errors: "
                "-32000 \"signature must be 65 bytes long\", \"invalid Ethereum signature (V is "
                "not 27 or 28)\".",
     .params = recover_params, .nparams = RPC_COUNT(recover_params),
     .result = "\"0x...\" (address)"},
    {.name = "personal_importRawKey", .fn = import_raw_key, .flags = 0,
     .summary = "Stores a secret key in the wallet as a new Keystore V3 file (scrypt, mode "
                "0600, <datadir>/keystore, geth's file name). Errors: -32000 \"invalid length, "
                "need 256 bits\", \"invalid hex character in private key\", \"invalid private "
                "key\", \"account already exists: 0x...\".",
     .params = import_params, .nparams = RPC_COUNT(import_params),
     .result = "\"0x...\" (the key's address)"},
    {.name = "personal_listAccounts", .fn = list_accounts, .flags = 0,
     .summary = "Returns the addresses of the wallet, as eth_accounts.",
     .result = "[\"0x...\", ...] (addresses)"},
    {.name = "personal_lockAccount", .fn = lock_account, .flags = 0,
     .summary = "Forgets an unlocked key: the account needs the passphrase again to sign.",
     .params = lock_params, .nparams = RPC_COUNT(lock_params),
     .result = "true, or false when the wallet has no such account"},
    {.name = "personal_newAccount", .fn = new_account, .flags = 0,
     .summary = "Creates a random key and stores it in the wallet as a new Keystore V3 file "
                "(scrypt n=2^18, mode 0600, <datadir>/keystore, geth's file name).",
     .params = passphrase_params, .nparams = RPC_COUNT(passphrase_params),
     .result = "\"0x...\" (the new address)"},
    {.name = "personal_sendTransaction", .fn = send_transaction, .flags = RPC_WAITS,
     .summary = "As eth_sendTransaction, signed with the key decrypted by the passphrase for "
                "this transaction only. Errors: -32000 \"unknown account\", \"could not decrypt "
                "key with given password\", and eth_sendTransaction's.",
     .params = send_params, .nparams = RPC_COUNT(send_params), .result = "\"0x...\" (tx hash)"},
    {.name = "personal_sign", .fn = sign, .flags = 0,
     .summary = "Signs keccak256(\"\\x19Ethereum Signed Message:\\n\" + len(data) + data) with "
                "the account's key, decrypted by the passphrase for this call only (without a "
                "passphrase: the unlocked key, as eth_sign). Errors: -32000 \"unknown account\", "
                "\"could not decrypt key with given password\", \"authentication needed: "
                "password or unlock\".",
     .params = sign_params, .nparams = RPC_COUNT(sign_params),
     .result = "\"0x...\" (65 bytes R || S || V, V 27 or 28)"},
    {.name = "personal_unlockAccount", .fn = unlock_account, .flags = 0,
     .summary = "Decrypts the account's key file and keeps the key in memory for `duration` "
                "seconds, so eth_sendTransaction, eth_sign and eth_signTransaction can use it. "
                "Errors: -32000 \"no key for given address or file\", \"could not decrypt key "
                "with given password\", \"unlock duration too large\".",
     .params = unlock_params, .nparams = RPC_COUNT(unlock_params), .result = "true"},
};

const struct rpc_namespace rpc_ns_personal = {"personal", personal_methods,
                                              RPC_COUNT(personal_methods), false};
