/*
 * regtest_genesis.c — build the regtest genesis by deploying the system
 * and channel contracts with our EVM; see regtest_genesis.h.
 *
 * The one awkward part is the dump. A struct state has no way to list its
 * accounts or slots (the secure trie keeps only hashed keys), so:
 *  - accounts: the candidates are known (node key, dev accounts, the
 *    contract addresses, the precompiles), plus every contract a deployed
 *    contract created itself (TokensNetwork creates its SecretRegistry):
 *    for a contract with nonce n > 1, the CREATE addresses of its nonces
 *    1 … n−1 are candidates too, found again for those (a worklist). Each
 *    candidate that exists is written;
 *  - storage keys: the EVM traces the deployment (EIP-3155 lines into a
 *    temporary file) and every SSTORE key any frame used is collected; for
 *    each contract the non-zero values under those keys are written.
 * Every non-zero slot was written by an SSTORE of the deployment (the state
 * starts empty), so nothing can be missing; and the state root of the
 * written file is compared with the root of the deployment state anyway,
 * so a gap would be an error rather than a wrong genesis.
 *
 * The JSON is written with jansson in insertion order (accounts and slots
 * sorted), one-space indent like the other share/genesis files, so the same
 * artifacts always give the same bytes.
 */
#include "chain/regtest_genesis.h"

#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/genesis.h"
#include "crypto/ecdsa.h"
#include "crypto/keccak.h"
#include "evm/evm.h"
#include "state/state.h"
#include "util/err.h"
#include "util/hex.h"

/* Bound on SSTOREs collected from the trace (the deployment makes a few
 * hundred). */
#define MAX_SSTORES 1000000u

/* Bound on accounts the dump considers (about thirty today). */
#define MAX_CANDIDATES 256u

/* The contracts of the regtest genesis, in deployment order. */
enum {
    C_BASE = 0, C_POC, C_CHIEF, C_MESHBOX, C_ANMAP,
    C_TOKENS_NETWORK, C_SMT_TOKEN, C_TEST_TOKEN, C_COUNT
};
static const char *const contract_names[C_COUNT] = {
    "ChiefBase", "POC", "TribeChief", "MeshBoxRegistry", "Anmap",
    "TokensNetwork", "SMTToken", "PhotonTestToken",
};

/* ---- keys ------------------------------------------------------------------ */

static int key_from_seed(const char *seed, size_t len, uint8_t sk[32])
{
    keccak256(seed, len, sk);
    if (!ecdsa_seckey_valid(sk))
        return err_set(ERR_CRYPTO, "regtest: seed '%.*s' gives an invalid key", (int)len, seed);
    return 0;
}

int regtest_dev_key(unsigned i, uint8_t sk[32])
{
    if (i >= REGTEST_NDEV)
        return err_set(ERR_RANGE, "regtest: dev account %u (there are %d)", i, REGTEST_NDEV);
    char seed[64];
    int n = snprintf(seed, sizeof seed, "%s%u", REGTEST_DEV_KEY_SEED, i);
    return key_from_seed(seed, (size_t)n, sk);
}

int regtest_node_key(uint8_t sk[32])
{
    return key_from_seed(REGTEST_NODE_KEY_SEED, strlen(REGTEST_NODE_KEY_SEED), sk);
}

int regtest_key_address(const uint8_t sk[32], struct address *out)
{
    uint8_t pub[64];
    int rc = ecdsa_pubkey(sk, pub);
    if (rc)
        return rc;
    ecdsa_pub_to_address(pub, out->b);
    return 0;
}

/* ---- artifacts ----------------------------------------------------------- */

/* Reads <dir>/<name>.json and decodes its creation code. */
static int load_artifact(const char *dir, const char *name, uint8_t **code, size_t *len)
{
    *code = NULL;
    *len = 0;
    char path[4096];
    if (snprintf(path, sizeof path, "%s/%s.json", dir, name) >= (int)sizeof path)
        return err_set(ERR_RANGE, "regtest: contracts directory path too long");
    FILE *f = fopen(path, "rb");
    if (!f)
        return err_set(ERR_IO, "regtest: cannot open %s: %s", path, strerror(errno));
    char *buf = malloc(REGTEST_MAX_ARTIFACT + 1);
    if (!buf) {
        fclose(f);
        return err_set(ERR_NOMEM, "regtest: artifact buffer");
    }
    size_t n = fread(buf, 1, REGTEST_MAX_ARTIFACT + 1, f);
    int rerr = ferror(f);
    fclose(f);
    int rc = 0;
    json_t *root = NULL;
    if (rerr) {
        rc = err_set(ERR_IO, "regtest: cannot read %s", path);
        goto out;
    }
    if (n > REGTEST_MAX_ARTIFACT) {
        rc = err_set(ERR_RANGE, "regtest: %s is larger than %u bytes", path, REGTEST_MAX_ARTIFACT);
        goto out;
    }
    json_error_t je;
    root = json_loadb(buf, n, JSON_REJECT_DUPLICATES, &je);
    if (!root || !json_is_object(root)) {
        rc = err_set(ERR_DECODE, "regtest: %s: not a JSON object (line %d: %s)", path,
                     root ? 0 : je.line, root ? "" : je.text);
        goto out;
    }
    const char *cname = json_string_value(json_object_get(root, "contractName"));
    if (!cname || strcmp(cname, name) != 0) {
        rc = err_set(ERR_DECODE, "regtest: %s: contractName is not \"%s\"", path, name);
        goto out;
    }
    const char *bc = json_string_value(json_object_get(root, "bytecode"));
    if (!bc || hex_decode_alloc(bc, strlen(bc), GENESIS_MAX_CODE, code, len) || *len == 0) {
        free(*code);
        *code = NULL;
        *len = 0;
        rc = err_set(ERR_DECODE, "regtest: %s: 'bytecode' missing, not hex or too large", path);
    }
out:
    json_decref(root);
    free(buf);
    return rc;
}

/* ---- deployment ---------------------------------------------------------- */

struct deploy {
    const struct chain_params *p;
    struct state *st;
    struct evm *evm;
    struct evm_block block;
    struct evm_tx_context txc;
    enum evm_fork fork;
    struct address node;
    struct address dev[REGTEST_NDEV];
    struct address at[C_COUNT];
};

static void word_address(uint8_t w[32], const struct address *a)
{
    memset(w, 0, 12);
    memcpy(w + 12, a->b, 20);
}

static void word_u64(uint8_t w[32], uint64_t v)
{
    u256 x = u256_from_u64(v);
    u256_to_be(&x, w);
}

static void word_dec(uint8_t w[32], const char *dec)
{
    u256 x;
    u256_from_dec(&x, dec, strlen(dec)); /* constants of the header: valid */
    u256_to_be(&x, w);
}

/* The first four bytes of keccak256(sig). */
static void selector(uint8_t out[4], const char *sig)
{
    uint8_t h[32];
    keccak256(sig, strlen(sig), h);
    memcpy(out, h, 4);
}

/* Runs creation code ‖ args at d->at[c] from the node key, then finalizes. */
static int create(struct deploy *d, int c, const uint8_t *code, size_t code_len,
                  const uint8_t (*args)[32], size_t nargs)
{
    size_t len = code_len + 32 * nargs;
    uint8_t *input = malloc(len);
    if (!input)
        return err_set(ERR_NOMEM, "regtest: init code");
    memcpy(input, code, code_len);
    for (size_t i = 0; i < nargs; i++)
        memcpy(input + code_len + 32 * i, args[i], 32);
    struct evm_message m;
    memset(&m, 0, sizeof m);
    m.kind = EVM_CREATE;
    m.gas = REGTEST_CREATE_GAS;
    m.sender = d->node;
    m.input = input;
    m.input_len = len;
    struct evm_result r;
    evm_set_context(d->evm, d->st, d->fork, &d->block, &d->txc);
    int rc = evm_create_at(d->evm, &m, &d->at[c], &r);
    free(input);
    if (rc)
        return err_wrap(rc, "regtest: creating %s", contract_names[c]);
    if (r.status != EVM_SUCCESS)
        return err_set(ERR_INVAL, "regtest: creating %s: %s (gas left %llu)", contract_names[c],
                       evm_status_name(r.status), (unsigned long long)r.gas_left);
    state_tx_finalize(d->st, true);
    return state_error(d->st);
}

/* Calls `to` with `input` from the node key as a transaction would: the
 * node's nonce moves by one, the call must succeed and return the ABI
 * word `true`, then the state is finalized. */
static int call_true(struct deploy *d, const struct address *to, const uint8_t *input,
                     size_t len, const char *what)
{
    uint64_t nonce = state_get_nonce(d->st, &d->node);
    state_set_nonce(d->st, &d->node, nonce + 1);
    struct evm_message m;
    memset(&m, 0, sizeof m);
    m.kind = EVM_CALL;
    m.gas = REGTEST_CREATE_GAS;
    m.sender = d->node;
    m.recipient = *to;
    m.code_address = *to;
    m.input = input;
    m.input_len = len;
    struct evm_result r;
    evm_set_context(d->evm, d->st, d->fork, &d->block, &d->txc);
    int rc = evm_execute(d->evm, &m, &r);
    if (rc)
        return err_wrap(rc, "regtest: %s", what);
    static const uint8_t yes[32] = {[31] = 1};
    if (r.status != EVM_SUCCESS)
        return err_set(ERR_INVAL, "regtest: %s: %s", what, evm_status_name(r.status));
    if (r.output_len != 32 || memcmp(r.output, yes, 32) != 0)
        return err_set(ERR_INVAL, "regtest: %s did not return true", what);
    state_tx_finalize(d->st, true);
    return state_error(d->st);
}

/* PhotonTestToken(supply = REGTEST_NDEV × the dev balance) mints to the
 * node key, which then transfers each dev account its share. */
static int deploy_test_token(struct deploy *d, const uint8_t *code, size_t code_len)
{
    u256 each, n = u256_from_u64(REGTEST_NDEV), supply;
    u256_from_dec(&each, REGTEST_TEST_TOKEN_BALANCE_DEC, strlen(REGTEST_TEST_TOKEN_BALANCE_DEC));
    if (u256_mul_overflow(&supply, &each, &n))
        return err_set(ERR_RANGE, "regtest: PhotonTestToken supply overflows");
    uint8_t a[1][32];
    u256_to_be(&supply, a[0]);
    int rc = create(d, C_TEST_TOKEN, code, code_len, (const uint8_t(*)[32])a, 1);
    uint8_t in[4 + 64];
    selector(in, "transfer(address,uint256)");
    u256_to_be(&each, in + 36);
    for (unsigned i = 0; rc == 0 && i < REGTEST_NDEV; i++) {
        word_address(in + 4, &d->dev[i]);
        rc = call_true(d, &d->at[C_TEST_TOKEN], in, sizeof in,
                       "PhotonTestToken.transfer to a dev account");
    }
    return rc;
}

static int deploy_all(struct deploy *d, uint8_t *const code[C_COUNT],
                      const size_t code_len[C_COUNT])
{
    uint8_t a[4][32];
    /* 1. ChiefBase(epoch, signerLimit): the deployer is owner and leader 0. */
    word_u64(a[0], REGTEST_CHIEF_EPOCH);
    word_u64(a[1], REGTEST_SIGNER_LIMIT);
    int rc = create(d, C_BASE, code[C_BASE], code_len[C_BASE], (const uint8_t(*)[32])a, 2);
    /* 2. POC(owner = ChiefBase, initMinDeposit, withdrawWait, halveLimit). */
    word_address(a[0], &d->at[C_BASE]);
    word_dec(a[1], REGTEST_POC_MIN_DEPOSIT_DEC);
    word_u64(a[2], REGTEST_POC_WITHDRAW_WAIT);
    word_u64(a[3], REGTEST_POC_HALVE_LIMIT);
    rc = rc ? rc : create(d, C_POC, code[C_POC], code_len[C_POC], (const uint8_t(*)[32])a, 4);
    /* 3. TribeChief(base, poc, startBlockNumber = 0): calls base.init. */
    word_address(a[0], &d->at[C_BASE]);
    word_address(a[1], &d->at[C_POC]);
    word_u64(a[2], 0);
    rc = rc ? rc : create(d, C_CHIEF, code[C_CHIEF], code_len[C_CHIEF], (const uint8_t(*)[32])a, 3);
    /* 4. MeshBoxRegistry(chainId, epochLength, clientDeposit, unitCap) at
     *    the MeshBox address (its ABI is a superset of MeshBox 0.0.2's,
     *    doc/meshbox.md §3), and Anmap(). The list starts empty, as MeshBox
     *    0.0.2's did: the owner (the node key) adds boxes. */
    word_u64(a[0], d->p->chain_id);
    word_u64(a[1], d->p->meshbox_epoch);
    word_dec(a[2], REGTEST_MESHBOX_CLIENT_DEPOSIT_DEC);
    word_u64(a[3], REGTEST_MESHBOX_UNIT_CAP);
    rc = rc ? rc : create(d, C_MESHBOX, code[C_MESHBOX], code_len[C_MESHBOX],
                          (const uint8_t(*)[32])a, 4);
    rc = rc ? rc : create(d, C_ANMAP, code[C_ANMAP], code_len[C_ANMAP], NULL, 0);
    /* 5. TokensNetwork(chain_id): Photon compares chain_id() with the
     *    node's net_version, the network id (photon.md §1); on regtest it
     *    equals the chain id. The constructor CREATEs the SecretRegistry at
     *    the CREATE address of (TokensNetwork, nonce 1). */
    word_u64(a[0], d->p->network_id);
    rc = rc ? rc : create(d, C_TOKENS_NETWORK, code[C_TOKENS_NETWORK],
                          code_len[C_TOKENS_NETWORK], (const uint8_t(*)[32])a, 1);
    /* 6. SMTToken(tokens_network). */
    word_address(a[0], &d->at[C_TOKENS_NETWORK]);
    rc = rc ? rc : create(d, C_SMT_TOKEN, code[C_SMT_TOKEN], code_len[C_SMT_TOKEN],
                          (const uint8_t(*)[32])a, 1);
    /* 7. PhotonTestToken, then its supply to the dev accounts. */
    rc = rc ? rc : deploy_test_token(d, code[C_TEST_TOKEN], code_len[C_TEST_TOKEN]);
    return rc;
}

/* ---- SSTORE keys from the trace ------------------------------------------ */

struct keyset {
    uint8_t (*k)[32];
    size_t n, cap;
};

static int keyset_add(struct keyset *ks, const uint8_t key[32])
{
    if (ks->n == ks->cap) {
        if (ks->cap >= MAX_SSTORES)
            return err_set(ERR_RANGE, "regtest: more than %u SSTOREs", MAX_SSTORES);
        size_t cap = ks->cap ? ks->cap * 2 : 256;
        void *p = realloc(ks->k, cap * sizeof *ks->k);
        if (!p)
            return err_set(ERR_NOMEM, "regtest: key set");
        ks->k = p;
        ks->cap = cap;
    }
    memcpy(ks->k[ks->n++], key, 32);
    return 0;
}

static int cmp_key(const void *a, const void *b)
{
    return memcmp(a, b, 32);
}

/* Sorts and removes duplicates. */
static void keyset_unique(struct keyset *ks)
{
    if (ks->n == 0)
        return;
    qsort(ks->k, ks->n, sizeof *ks->k, cmp_key);
    size_t w = 1;
    for (size_t i = 1; i < ks->n; i++)
        if (memcmp(ks->k[i], ks->k[w - 1], 32) != 0)
            memcpy(ks->k[w++], ks->k[i], 32);
    ks->n = w;
}

/* From one EIP-3155 line of an SSTORE, the key: the top of the stack, which
 * is the last element of "stack" (written bottom first). */
static int sstore_key(const char *line, uint8_t key[32])
{
    const char *s = strstr(line, "\"stack\":[");
    const char *e = s ? strchr(s, ']') : NULL;
    if (!e)
        return err_set(ERR_DECODE, "regtest: trace line without a stack");
    const char *q2 = e - 1;                 /* closing quote of the last item */
    if (q2 <= s || *q2 != '"')
        return err_set(ERR_DECODE, "regtest: SSTORE on an empty stack in the trace");
    const char *q1 = q2 - 1;
    while (q1 > s && *q1 != '"')
        q1--;
    u256 v;
    if (*q1 != '"' || u256_from_hex(&v, q1 + 1, (size_t)(q2 - q1 - 1)))
        return err_set(ERR_DECODE, "regtest: bad stack item in the trace");
    u256_to_be(&v, key);
    return 0;
}

static int collect_sstores(FILE *trace, struct keyset *ks)
{
    if (fflush(trace) || fseek(trace, 0, SEEK_SET))
        return err_set(ERR_IO, "regtest: trace file: %s", strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    int rc = 0;
    while (rc == 0 && getline(&line, &cap, trace) >= 0) {
        if (!strstr(line, ",\"op\":85,"))  /* 0x55 SSTORE */
            continue;
        uint8_t key[32];
        rc = sstore_key(line, key);
        rc = rc ? rc : keyset_add(ks, key);
    }
    if (rc == 0 && ferror(trace))
        rc = err_set(ERR_IO, "regtest: reading the trace file");
    free(line);
    if (rc == 0)
        keyset_unique(ks);
    return rc;
}

/* ---- JSON ------------------------------------------------------------------ */

static json_t *hex_string(const uint8_t *b, size_t n)
{
    struct bytes t = BYTES_INIT;
    hex_append(&t, b, n);
    bytes_push(&t, 0);
    json_t *j = bytes_ok(&t) ? NULL : json_string((const char *)t.data);
    bytes_free(&t);
    return j;
}

static int set_new(json_t *obj, const char *key, json_t *v)
{
    if (!v || json_object_set_new(obj, key, v))
        return err_set(ERR_NOMEM, "regtest: JSON");
    return 0;
}

static int cmp_addr(const void *a, const void *b)
{
    return memcmp(a, b, sizeof(struct address));
}

/* One alloc entry from the state: balance (decimal), nonce, code, storage. */
static int account_json(struct deploy *d, const struct address *a, const struct keyset *ks,
                        json_t **out)
{
    *out = NULL;
    json_t *o = json_object();
    if (!o)
        return err_set(ERR_NOMEM, "regtest: JSON");
    u256 bal;
    char dec[U256_DEC_BUF], q[U256_HEX_BUF];
    state_get_balance(d->st, a, &bal);
    u256_to_dec(&bal, dec);
    int rc = set_new(o, "balance", json_string(dec));
    uint64_t nonce = state_get_nonce(d->st, a);
    if (rc == 0 && nonce) {
        u256 nn = u256_from_u64(nonce);
        u256_to_hex_quantity(&nn, q);
        rc = set_new(o, "nonce", json_string(q));
    }
    size_t clen = 0;
    const uint8_t *code = state_get_code(d->st, a, &clen);
    if (rc == 0 && clen)
        rc = set_new(o, "code", hex_string(code, clen));
    json_t *storage = NULL;
    for (size_t i = 0; rc == 0 && clen && i < ks->n; i++) {
        u256 k, v;
        u256_from_be(&k, ks->k[i], 32);
        state_get_storage(d->st, a, &k, &v);
        if (u256_is_zero(&v))
            continue;
        if (!storage && !(storage = json_object())) {
            rc = err_set(ERR_NOMEM, "regtest: JSON");
            break;
        }
        char kh[HASH32_HEX_SIZE];
        struct hash32 kk, vv;
        memcpy(kk.b, ks->k[i], 32);
        u256_to_be(&v, vv.b);
        hash32_to_hex(&kk, kh);
        json_t *vs = hex_string(vv.b, 32);
        rc = set_new(storage, kh, vs);
    }
    if (rc == 0 && storage) {
        rc = set_new(o, "storage", storage);
        storage = NULL;
    }
    json_decref(storage);
    if (rc) {
        json_decref(o);
        return rc;
    }
    *out = o;
    return 0;
}

static int header_json(const struct deploy *d, json_t **out)
{
    uint8_t zero[32] = {0}, extra[32 + 20 + 65] = {0};
    memcpy(extra + 32, d->node.b, 20);
    char q[U256_HEX_BUF];
    json_t *h = json_object();
    if (!h)
        return err_set(ERR_NOMEM, "regtest: JSON");
    u256 gl = u256_from_u64(d->block.gas_limit);
    u256_to_hex_quantity(&gl, q);
    int rc = set_new(h, "parentHash", hex_string(zero, 32));
    rc = rc ? rc : set_new(h, "coinbase", hex_string(zero, 20));
    rc = rc ? rc : set_new(h, "timestamp", json_string("0x0"));
    rc = rc ? rc : set_new(h, "nonce", hex_string(zero, 8));
    rc = rc ? rc : set_new(h, "mixHash", hex_string(zero, 32));
    rc = rc ? rc : set_new(h, "gasLimit", json_string(q));
    rc = rc ? rc : set_new(h, "difficulty", json_string("0x1"));
    rc = rc ? rc : set_new(h, "extraData", hex_string(extra, sizeof extra));
    if (rc) {
        json_decref(h);
        return rc;
    }
    *out = h;
    return 0;
}

/* Adds the accounts contracts created themselves: for each candidate that
 * has code and nonce n > 1, the CREATE addresses of nonces 1 … n−1
 * (EIP-161: a contract starts at nonce 1); the loop reaches the added
 * ones too, so a contract created by a created contract is found. */
static int add_created(struct deploy *d, struct address *cand, size_t *n)
{
    for (size_t i = 0; i < *n; i++) {
        if (state_get_code_size(d->st, &cand[i]) == 0)
            continue;
        uint64_t nonce = state_get_nonce(d->st, &cand[i]);
        for (uint64_t k = 1; k < nonce; k++) {
            if (*n == MAX_CANDIDATES)
                return err_set(ERR_RANGE, "regtest: more than %u accounts to dump",
                               MAX_CANDIDATES);
            evm_create_address(&cand[i], k, &cand[*n]);
            ++*n;
        }
    }
    return 0;
}

static int alloc_json(struct deploy *d, const struct keyset *ks, json_t **out)
{
    /* Candidates: node key, dev accounts, contracts, precompiles 1..8,
     * and what the contracts created. */
    struct address cand[MAX_CANDIDATES];
    size_t n = 0;
    cand[n++] = d->node;
    for (int i = 0; i < REGTEST_NDEV; i++)
        cand[n++] = d->dev[i];
    for (int c = 0; c < C_COUNT; c++)
        cand[n++] = d->at[c];
    for (uint8_t i = 1; i <= 8; i++) {
        memset(&cand[n], 0, sizeof cand[n]);
        cand[n++].b[19] = i;
    }
    int rc = add_created(d, cand, &n);
    if (rc)
        return rc;
    qsort(cand, n, sizeof cand[0], cmp_addr);
    json_t *alloc = json_object();
    if (!alloc)
        return err_set(ERR_NOMEM, "regtest: JSON");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if ((i && address_eq(&cand[i], &cand[i - 1])) || !state_exists(d->st, &cand[i]))
            continue;
        json_t *acct;
        char ah[ADDRESS_HEX_SIZE];
        address_to_hex(&cand[i], ah);
        rc = account_json(d, &cand[i], ks, &acct);
        rc = rc ? rc : set_new(alloc, ah, acct);
    }
    if (rc) {
        json_decref(alloc);
        return rc;
    }
    *out = alloc;
    return 0;
}

/* Parses `text` as a genesis, checks its state root against `root` and
 * returns its block hash. */
static int hash_text(const char *text, const uint8_t root[32], struct hash32 *hash)
{
    struct genesis g;
    int rc = genesis_parse(text, strlen(text), &g);
    if (rc)
        return err_wrap(rc, "regtest: the generated genesis does not parse");
    rc = genesis_hash(&g, hash);
    if (rc == 0 && memcmp(g.header.state_root.b, root, 32) != 0)
        rc = err_set(ERR_BADSTATE, "regtest: the written alloc does not give the deployment's "
                                   "state root (an account or slot was missed)");
    genesis_free(&g);
    return rc;
}

static int write_json(struct deploy *d, const struct keyset *ks, char **out, size_t *len)
{
    uint8_t root[32];
    int rc = state_root(d->st, root);
    if (rc)
        return err_wrap(rc, "regtest: state root");
    json_t *header = NULL, *alloc = NULL, *doc = NULL, *tmp = NULL;
    char *text = NULL;
    rc = header_json(d, &header);
    rc = rc ? rc : alloc_json(d, ks, &alloc);
    if (rc)
        goto out;
    /* The hash first, from a document with header and alloc only. */
    tmp = json_object();
    rc = tmp ? 0 : err_set(ERR_NOMEM, "regtest: JSON");
    rc = rc ? rc : set_new(tmp, "header", json_incref(header));
    rc = rc ? rc : set_new(tmp, "alloc", json_incref(alloc));
    if (rc)
        goto out;
    text = json_dumps(tmp, JSON_PRESERVE_ORDER | JSON_COMPACT);
    struct hash32 hash;
    rc = text ? hash_text(text, root, &hash) : err_set(ERR_NOMEM, "regtest: JSON");
    free(text);
    text = NULL;
    if (rc)
        goto out;
    char hh[HASH32_HEX_SIZE];
    hash32_to_hex(&hash, hh);
    doc = json_object();
    rc = doc ? 0 : err_set(ERR_NOMEM, "regtest: JSON");
    rc = rc ? rc : set_new(doc, "_comment",
                           json_string("Spectrum regtest genesis, generated by `spectrum-evm "
                                       "genesis-regtest` (contrib/regtest/make-genesis.sh) "
                                       "from share/contracts: do not edit. Dev account keys and "
                                       "contract parameters: doc/regtest.md."));
    rc = rc ? rc : set_new(doc, "network", json_string(d->p->name ? d->p->name : "regtest"));
    rc = rc ? rc : set_new(doc, "chainId", json_integer((json_int_t)d->p->chain_id));
    rc = rc ? rc : set_new(doc, "networkId", json_integer((json_int_t)d->p->network_id));
    rc = rc ? rc : set_new(doc, "expectedHash", json_string(hh));
    rc = rc ? rc : set_new(doc, "header", json_incref(header));
    rc = rc ? rc : set_new(doc, "alloc", json_incref(alloc));
    if (rc)
        goto out;
    text = json_dumps(doc, JSON_PRESERVE_ORDER | JSON_INDENT(1));
    if (!text) {
        rc = err_set(ERR_NOMEM, "regtest: JSON");
        goto out;
    }
    size_t n = strlen(text);
    char *t = realloc(text, n + 2);
    if (!t) {
        rc = err_set(ERR_NOMEM, "regtest: JSON");
        goto out;
    }
    t[n] = '\n';
    t[n + 1] = 0;
    text = NULL;
    *out = t;
    *len = n + 1;
out:
    free(text);
    json_decref(header);
    json_decref(alloc);
    json_decref(tmp);
    json_decref(doc);
    return rc;
}

/* ---- the whole build ------------------------------------------------------ */

static int check_params(const struct chain_params *p, struct address at[C_COUNT])
{
    const struct chief_info *ci = params_chief_for_block(p, 0);
    if (!ci || ci->version != CHIEF_V1_0_0 || ci->start != 0)
        return err_set(ERR_INVAL, "regtest: the parameters need a 1.0.0 chief from block 0");
    at[C_BASE] = p->chief_base;
    at[C_POC] = p->poc;
    at[C_CHIEF] = ci->addr;
    at[C_MESHBOX] = p->meshbox;
    if (p->meshbox_epoch == 0)
        return err_set(ERR_INVAL, "regtest: MeshBoxRegistry needs meshbox_epoch > 0");
    if (!address_is_zero(&p->meshbox_registry) && !address_eq(&p->meshbox_registry, &p->meshbox))
        return err_set(ERR_INVAL, "regtest: the MeshBox registry must be at the MeshBox address");
    at[C_ANMAP] = p->anmap;
    at[C_TOKENS_NETWORK] = p->tokens_network;
    at[C_SMT_TOKEN] = p->smt_token;
    if (address_from_hex(&at[C_TEST_TOKEN], REGTEST_TEST_TOKEN_ADDRESS,
                         strlen(REGTEST_TEST_TOKEN_ADDRESS)))
        return err_set(ERR_INVAL, "regtest: bad REGTEST_TEST_TOKEN_ADDRESS");
    for (int c = 0; c < C_COUNT; c++) {
        if (address_is_zero(&at[c]))
            return err_set(ERR_INVAL, "regtest: no address for %s", contract_names[c]);
        for (int e = 0; e < c; e++)
            if (address_eq(&at[c], &at[e]))
                return err_set(ERR_INVAL, "regtest: %s and %s share an address",
                               contract_names[e], contract_names[c]);
    }
    return 0;
}

int regtest_genesis_json(const struct chain_params *p, const char *contracts_dir, char **out,
                         size_t *len)
{
    *out = NULL;
    *len = 0;
    struct deploy d;
    memset(&d, 0, sizeof d);
    d.p = p;
    int rc = check_params(p, d.at);
    if (rc)
        return rc;

    uint8_t sk[32];
    rc = regtest_node_key(sk);
    rc = rc ? rc : regtest_key_address(sk, &d.node);
    for (unsigned i = 0; rc == 0 && i < REGTEST_NDEV; i++) {
        rc = regtest_dev_key(i, sk);
        rc = rc ? rc : regtest_key_address(sk, &d.dev[i]);
    }
    memset(sk, 0, sizeof sk);
    if (rc)
        return rc;

    uint8_t *code[C_COUNT] = {0};
    size_t code_len[C_COUNT] = {0};
    struct keyset ks = {0};
    FILE *trace = NULL;
    for (int c = 0; rc == 0 && c < C_COUNT; c++)
        rc = load_artifact(contracts_dir, contract_names[c], &code[c], &code_len[c]);
    rc = rc ? rc : state_open(NULL, NULL, &d.st);
    rc = rc ? rc : evm_new(&d.evm);
    if (rc)
        goto out;
    if (!(trace = tmpfile())) {
        rc = err_set(ERR_IO, "regtest: cannot create a temporary trace file: %s",
                     strerror(errno));
        goto out;
    }

    /* Block 0's environment; the node key sends the creations. */
    d.fork = params_evm_fork(p, 0);
    d.block.number = 0;
    d.block.timestamp = 0;
    d.block.gas_limit = params_min_gas_limit(p, 1);
    d.block.difficulty = u256_from_u64(1);
    d.block.chain_id = p->chain_id;
    d.txc.origin = d.node;

    u256 bal;
    u256_from_dec(&bal, REGTEST_DEV_BALANCE_DEC, strlen(REGTEST_DEV_BALANCE_DEC));
    state_set_balance(d.st, &d.node, &bal);
    for (int i = 0; i < REGTEST_NDEV; i++)
        state_set_balance(d.st, &d.dev[i], &bal);
    state_tx_finalize(d.st, true);

    evm_set_context(d.evm, d.st, d.fork, &d.block, &d.txc);
    evm_set_trace(d.evm, trace);
    rc = deploy_all(&d, code, code_len);
    evm_set_trace(d.evm, NULL);
    rc = rc ? rc : collect_sstores(trace, &ks);
    rc = rc ? rc : write_json(&d, &ks, out, len);
out:
    if (trace)
        fclose(trace);
    free(ks.k);
    for (int c = 0; c < C_COUNT; c++)
        free(code[c]);
    evm_free(d.evm);
    state_free(d.st);
    return rc;
}
