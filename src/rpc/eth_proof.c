/*
 * eth_proof.c — eth_ methods that read storage slots at a block:
 * eth_getStorageAt, and eth_getProof (EIP-1186), which adds the Merkle
 * proofs of the account in the state trie and of each slot in the
 * account's storage trie.
 *
 * Both open the block's state read-only over a database snapshot (as
 * callexec.h does), so the values and the proof nodes come from the same
 * committed root: a client can walk every proof from the block's stateRoot.
 * Storage keys are read as geth reads them (hex, "0x" optional, at most 32
 * bytes, left-padded), and eth_getProof echoes each key as geth does: as
 * given when it was 32 bytes, else as a quantity.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/keccak.h"
#include "rpc/callexec.h"
#include "rpc/chainread.h"
#include "rpc/eth_methods.h"
#include "rpc/params.h"
#include "state/state.h"
#include "trie/trie.h"
#include "util/err.h"
#include "util/hex.h"

/* Most storage keys one eth_getProof call may ask for. */
#define PROOF_MAX_KEYS 1024

int rpc_parse_storage_key(const char *s, size_t len, uint8_t key[32], size_t *nbytes,
                          const char **why)
{
    if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        s += 2;
        len -= 2;
    }
    /* an odd count gets a leading zero digit */
    size_t bytes = (len + 1) / 2;
    if (len > 64) {
        for (size_t i = 0; i < len; i++) {
            if (hex_digit((unsigned char)s[i]) < 0) {
                *why = "hex string invalid";
                return -1;
            }
        }
        *why = "hex string too long, want at most 32 bytes";
        return -1;
    }
    memset(key, 0, 32);
    size_t pos = 64 - 2 * bytes + (len & 1); /* nibble index of the first digit */
    for (size_t i = 0; i < len; i++, pos++) {
        int d = hex_digit((unsigned char)s[i]);
        if (d < 0) {
            *why = "hex string invalid";
            return -1;
        }
        key[pos / 2] |= (uint8_t)(pos & 1 ? d : d << 4);
    }
    *nbytes = bytes;
    return 0;
}

/* A storage key that is argument idx (or an element of it: what). */
static int storage_key(struct rpc_ctx *ctx, const json_t *v, size_t idx, uint8_t key[32],
                       size_t *nbytes)
{
    if (!v || json_is_null(v)) {
        rpc_fail(ctx, RPC_INVALID_PARAMS, "missing value for required argument %zu", idx);
        return -1;
    }
    if (!json_is_string(v)) {
        rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument %zu: json: cannot unmarshal "
                 "non-string into Go value of type string", idx);
        return -1;
    }
    const char *why;
    if (rpc_parse_storage_key(json_string_value(v), json_string_length(v), key, nbytes, &why)) {
        rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument %zu: unable to decode storage key: "
                 "%s", idx, why);
        return -1;
    }
    return 0;
}

json_t *rpc_eth_get_storage_at(const json_t *params, struct rpc_ctx *ctx)
{
    struct address a;
    uint8_t key[32];
    size_t nbytes;
    struct rpc_block_ref ref;
    if (rpc_params_count(ctx, params, 2, 3) || rpc_param_address(ctx, params, 0, &a) ||
        storage_key(ctx, json_array_get(params, 1), 1, key, &nbytes) ||
        rpc_param_block_ref(ctx, params, 2, true, &ref))
        return NULL;
    struct chainsvc *svc = rpc_chain(ctx);
    if (!svc)
        return NULL;
    struct rpc_state_view v;
    json_t *out = NULL;
    if (rpc_state_view_open(ctx, svc, &ref, &v) == 0) {
        u256 k, val;
        u256_from_be(&k, key, 32);
        state_get_storage(v.st, &a, &k, &val);
        if (rpc_state_view_check(ctx, &v) == 0) {
            uint8_t be[32];
            u256_to_be(&val, be);
            out = rpc_json_hex(be, sizeof be);
        }
    }
    rpc_state_view_close(&v);
    return out;
}

/* ---- eth_getProof ------------------------------------------------------------------ */

/* The proof of key in the secure trie at root, as a JSON array of hex nodes. */
static json_t *prove(struct rpc_ctx *ctx, const struct trie_store *store, const uint8_t root[32],
                     const uint8_t *key, size_t klen)
{
    struct trie *t = NULL;
    struct trie_proof pf;
    memset(&pf, 0, sizeof pf);
    int rc = trie_open(store, root, TRIE_SECURE, &t);
    if (rc == 0)
        rc = trie_prove(t, key, klen, &pf);
    trie_free(t);
    json_t *arr = rc ? NULL : json_array();
    for (size_t i = 0; arr && i < pf.count; i++) {
        if (json_array_append_new(arr, rpc_json_hex(pf.node[i], pf.len[i]))) {
            json_decref(arr);
            arr = NULL;
            rc = ERR_NOMEM;
        }
    }
    trie_proof_free(&pf);
    if (!arr) {
        rpc_fail_db(ctx, rc ? rc : ERR_NOMEM);
        return NULL;
    }
    return arr;
}

struct proof_key {
    uint8_t key[32];
    size_t nbytes;
};

/* {key, value, proof} for one slot. */
static json_t *slot_json(struct rpc_ctx *ctx, const struct trie_store *store,
                         const uint8_t sroot[32], struct state *st, const struct address *a,
                         const struct proof_key *k)
{
    u256 key, val;
    u256_from_be(&key, k->key, 32);
    state_get_storage(st, a, &key, &val);
    json_t *proof = prove(ctx, store, sroot, k->key, 32);
    if (!proof)
        return NULL;
    json_t *jkey = k->nbytes == 32 ? rpc_json_hex(k->key, 32) : rpc_json_u256(&key);
    json_t *o = json_pack("{s:o, s:o, s:o}", "key", jkey, "value", rpc_json_u256(&val),
                          "proof", proof);
    if (!o)
        rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
    return o;
}

json_t *rpc_eth_get_proof(const json_t *params, struct rpc_ctx *ctx)
{
    struct address a;
    struct rpc_block_ref ref;
    if (rpc_params_count(ctx, params, 2, 3) || rpc_param_address(ctx, params, 0, &a))
        return NULL;
    const json_t *keys = json_array_get(params, 1);
    if (!json_is_array(keys))
        return rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument 1: json: cannot unmarshal "
                        "non-array into Go value of type []string");
    size_t nkeys = json_array_size(keys);
    if (nkeys > PROOF_MAX_KEYS)
        return rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument 1: more than %u storage keys",
                        PROOF_MAX_KEYS);
    if (rpc_param_block_ref(ctx, params, 2, true, &ref))
        return NULL;
    struct proof_key *pk = nkeys ? calloc(nkeys, sizeof *pk) : NULL;
    if (nkeys && !pk)
        return rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
    for (size_t i = 0; i < nkeys; i++) {
        if (storage_key(ctx, json_array_get(keys, i), 1, pk[i].key, &pk[i].nbytes)) {
            free(pk);
            return NULL;
        }
    }
    struct chainsvc *svc = rpc_chain(ctx);
    struct callexec_block cb;
    struct state *st = NULL;
    json_t *out = NULL, *slots = NULL, *acct_proof = NULL;
    memset(&cb, 0, sizeof cb);
    if (!svc || callexec_open(ctx, svc, &ref, &cb))
        goto done;
    const uint8_t *root = cb.header.state_root.b;
    int rc = state_open(&cb.store, root, &st);
    if (rc) {
        rpc_fail_db(ctx, rc);
        goto done;
    }
    u256 bal;
    state_get_balance(st, &a, &bal);
    uint64_t nonce = state_get_nonce(st, &a);
    struct hash32 code_hash, sroot;
    state_get_code_hash(st, &a, &code_hash);
    state_get_storage_root(st, &a, &sroot);
    /* geth shows an absent account with the empty code hash and root */
    if (hash32_is_zero(&code_hash))
        keccak256(NULL, 0, code_hash.b);
    if (hash32_is_zero(&sroot))
        memcpy(sroot.b, TRIE_EMPTY_ROOT, 32);
    if (!(acct_proof = prove(ctx, &cb.store, root, a.b, ADDRESS_LEN)))
        goto done;
    if (!(slots = json_array())) {
        rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
        goto done;
    }
    for (size_t i = 0; i < nkeys; i++) {
        if (atomic_load(ctx->cancelled)) {
            rpc_fail(ctx, RPC_SERVER_ERROR, "request cancelled");
            goto done;
        }
        json_t *s = slot_json(ctx, &cb.store, sroot.b, st, &a, &pk[i]);
        if (!s || json_array_append_new(slots, s)) {
            if (s)
                rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
            goto done;
        }
    }
    if (state_error(st)) {
        rpc_fail(ctx, RPC_SERVER_ERROR, "%s", state_error_msg(st));
        goto done;
    }
    out = json_pack("{s:o, s:O, s:o, s:o, s:o, s:o, s:O}", "address", rpc_json_address(&a),
                    "accountProof", acct_proof, "balance", rpc_json_u256(&bal), "codeHash",
                    rpc_json_hash(&code_hash), "nonce", rpc_json_quantity(nonce), "storageHash",
                    rpc_json_hash(&sroot), "storageProof", slots);
    if (!out)
        rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
done:
    json_decref(acct_proof);
    json_decref(slots);
    state_free(st);
    callexec_close(&cb);
    free(pk);
    return out;
}
