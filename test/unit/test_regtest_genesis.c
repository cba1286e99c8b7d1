/*
 * test_regtest_genesis.c — the committed share/genesis/genesis-regtest.json
 * is what `spectrum-evm genesis-regtest` builds from share/contracts today,
 * its block hash is its expectedHash, and the chain it starts is the one
 * doc/regtest.md promises: the documented dev keys funded, the node key as
 * genesis signer and only leader, and the system contracts live at the
 * regtest addresses answering through our EVM as the consensus code will
 * read them (signer limit, leader list, POC minimum deposit, the first
 * signer round); and the channel contracts the hub and Photon nodes use:
 * TokensNetwork, its SecretRegistry and SMTToken with the committed
 * artifacts' runtime code and constructor state, and PhotonTestToken held
 * by the dev accounts, enough for a dev account to open a token channel in
 * its first transaction.
 *
 * Files: $top_srcdir/share/genesis and $top_srcdir/share/contracts.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chain/genesis.h"
#include "chain/params.h"
#include "chain/regtest_genesis.h"
#include "crypto/keccak.h"
#include "evm/evm.h"
#include "state/state.h"
#include "util/err.h"
#include "util/hex.h"

static const char *top(void)
{
    const char *t = getenv("top_srcdir");
    return t ? t : ".";
}

static char *path_in_top(const char *rel)
{
    char *p = NULL;
    ck_assert_int_ge(asprintf(&p, "%s/%s", top(), rel), 0);
    return p;
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s (run contrib/regtest/make-genesis.sh)", path);
    ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    ck_assert_int_ge(n, 0);
    rewind(f);
    char *buf = malloc((size_t)n + 1);
    ck_assert_ptr_nonnull(buf);
    ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    buf[n] = 0;
    *len = (size_t)n;
    return buf;
}

static void load_committed(struct genesis *g)
{
    char *path = path_in_top("share/genesis/genesis-regtest.json");
    ck_assert_msg(genesis_load(path, g) == 0, "%s: %s", path, err_msg());
    free(path);
}

static struct address addr_of(const char *hex)
{
    struct address a;
    ck_assert_int_eq(address_from_hex(&a, hex, strlen(hex)), 0);
    return a;
}

static struct address node_address(void)
{
    uint8_t sk[32];
    struct address a;
    ck_assert_int_eq(regtest_node_key(sk), 0);
    ck_assert_int_eq(regtest_key_address(sk, &a), 0);
    return a;
}

/* The genesis alloc as a state, the way a node will open it. */
static struct state *state_of(struct genesis *g)
{
    struct state *st;
    ck_assert_int_eq(state_open(NULL, NULL, &st), 0);
    for (size_t i = 0; i < g->nalloc; i++) {
        const struct genesis_account *a = &g->alloc[i];
        state_set_balance(st, &a->addr, &a->balance);
        state_set_nonce(st, &a->addr, a->nonce);
        if (a->code_len)
            ck_assert_int_eq(state_set_code(st, &a->addr, a->code, a->code_len), 0);
        for (size_t k = 0; k < a->nslots; k++) {
            u256 key, val;
            u256_from_be(&key, a->slots[k].key, 32);
            u256_from_be(&val, a->slots[k].value, 32);
            state_set_storage(st, &a->addr, &key, &val);
        }
    }
    state_tx_finalize(st, false);
    uint8_t root[32];
    ck_assert_int_eq(state_root(st, root), 0);
    ck_assert_int_eq(genesis_build(g, NULL), 0);
    ck_assert_msg(memcmp(root, g->header.state_root.b, 32) == 0,
                  "state built from the alloc has another root than the genesis");
    return st;
}

/* A message from `from` to `to` with call data `input` (a STATICCALL when
 * is_static) in block 1; asserts success and returns the output (owned by
 * the evm until its next execution). */
static const uint8_t *call_data(struct evm *evm, struct state *st, const struct address *from,
                                const struct address *to, const uint8_t *input, size_t in_len,
                                bool is_static, size_t *len)
{
    const struct chain_params *p = chain_params_get(CHAIN_REGTEST);
    struct evm_block blk;
    memset(&blk, 0, sizeof blk);
    blk.number = 1;
    blk.gas_limit = 40000000;
    blk.chain_id = p->chain_id;
    blk.difficulty = u256_from_u64(1);
    struct evm_tx_context txc;
    memset(&txc, 0, sizeof txc);
    txc.origin = *from;
    evm_set_context(evm, st, params_evm_fork(p, 1), &blk, &txc);
    struct evm_message m;
    memset(&m, 0, sizeof m);
    m.kind = is_static ? EVM_STATICCALL : EVM_CALL;
    m.is_static = is_static;
    m.gas = 10000000;
    m.sender = *from;
    m.recipient = *to;
    m.code_address = *to;
    m.input = input;
    m.input_len = in_len;
    struct evm_result r;
    ck_assert_int_eq(evm_execute(evm, &m, &r), 0);
    ck_assert_msg(r.status == EVM_SUCCESS, "call of %02x%02x%02x%02x: %s", input[0], input[1],
                  input[2], input[3], evm_status_name(r.status));
    *len = r.output_len;
    return r.output;
}

/* The 4-byte selector of `sig` at the start of in[]. */
static void put_selector(uint8_t *in, const char *sig)
{
    uint8_t h[32];
    keccak256(sig, strlen(sig), h);
    memcpy(in, h, 4);
}

/* A view call of `sig` (no arguments) on `to`. */
static const uint8_t *view(struct evm *evm, struct state *st, const struct address *to,
                           const char *sig, size_t *len)
{
    static const struct address nobody;
    uint8_t sel[4];
    put_selector(sel, sig);
    return call_data(evm, st, &nobody, to, sel, 4, true, len);
}

/* A view call of `sig` with address arguments a[0..n-1] (n ≤ 3). */
static const uint8_t *view_addrs(struct evm *evm, struct state *st, const struct address *to,
                                 const char *sig, const struct address *a, size_t n,
                                 size_t *len)
{
    static const struct address nobody;
    uint8_t in[4 + 3 * 32] = {0};
    ck_assert_uint_le(n, 3);
    put_selector(in, sig);
    for (size_t i = 0; i < n; i++)
        memcpy(in + 4 + 32 * i + 12, a[i].b, 20);
    return call_data(evm, st, &nobody, to, in, 4 + 32 * n, true, len);
}

static uint64_t word_u64(const uint8_t *w)
{
    for (int i = 0; i < 24; i++)
        ck_assert_uint_eq(w[i], 0);
    uint64_t v = 0;
    for (int i = 24; i < 32; i++)
        v = v << 8 | w[i];
    return v;
}

static struct address dev_address(unsigned i)
{
    uint8_t sk[32];
    struct address a;
    ck_assert_int_eq(regtest_dev_key(i, sk), 0);
    ck_assert_int_eq(regtest_key_address(sk, &a), 0);
    return a;
}

/* The "deployedBytecode" of share/contracts/<name>.json, decoded (malloc'd). */
static uint8_t *runtime_code(const char *name, size_t *len)
{
    char rel[128];
    snprintf(rel, sizeof rel, "share/contracts/%s.json", name);
    char *path = path_in_top(rel);
    size_t n;
    char *text = read_all(path, &n);
    const char *k = strstr(text, "\"deployedBytecode\"");
    ck_assert_msg(k != NULL, "%s: no deployedBytecode", path);
    const char *q1 = strchr(k + strlen("\"deployedBytecode\""), '"');
    ck_assert_ptr_nonnull(q1);
    const char *q2 = strchr(q1 + 1, '"');
    ck_assert_ptr_nonnull(q2);
    uint8_t *code = NULL;
    ck_assert_int_eq(hex_decode_alloc(q1 + 1, (size_t)(q2 - q1 - 1), GENESIS_MAX_CODE, &code, len),
                     0);
    ck_assert_uint_gt(*len, 0);
    free(text);
    free(path);
    return code;
}

static void assert_runtime_code(struct state *st, const struct address *a, const char *name)
{
    size_t want_len, got_len;
    uint8_t *want = runtime_code(name, &want_len);
    const uint8_t *got = state_get_code(st, a, &got_len);
    ck_assert_msg(got_len == want_len && memcmp(got, want, want_len) == 0,
                  "%s: the genesis code is not the artifact's deployedBytecode", name);
    free(want);
}

/* The u256 in the 32-byte word w. */
static u256 word_u256(const uint8_t *w)
{
    u256 v;
    u256_from_be(&v, w, 32);
    return v;
}

/* Element i of the dynamic address[] whose head word is at out[32·slot]. */
static struct address abi_address_at(const uint8_t *out, size_t len, size_t slot, size_t i,
                                     size_t *count)
{
    ck_assert_uint_ge(len, 32 * (slot + 1));
    uint64_t off = word_u64(out + 32 * slot);
    ck_assert_uint_le(off + 32, len);
    *count = word_u64(out + off);
    ck_assert_uint_lt(i, *count);
    ck_assert_uint_le(off + 32 + 32 * (*count), len);
    struct address a;
    memcpy(a.b, out + off + 32 + 32 * i + 12, 20);
    return a;
}

START_TEST(committed_file_is_regenerated)
{
    char *dir = path_in_top("share/contracts");
    char *text = NULL;
    size_t len = 0;
    int rc = regtest_genesis_json(chain_params_get(CHAIN_REGTEST), dir, &text, &len);
    ck_assert_msg(rc == 0, "%s", err_msg());
    ck_assert_uint_eq(strlen(text), len);
    char *path = path_in_top("share/genesis/genesis-regtest.json");
    size_t clen;
    char *committed = read_all(path, &clen);
    ck_assert_msg(clen == len && memcmp(committed, text, len) == 0,
                  "%s differs from a regeneration: run contrib/regtest/make-genesis.sh", path);
    /* And twice in a row gives the same bytes. */
    char *again = NULL;
    size_t alen = 0;
    ck_assert_int_eq(regtest_genesis_json(chain_params_get(CHAIN_REGTEST), dir, &again, &alen),
                     0);
    ck_assert(alen == len && memcmp(again, text, len) == 0);
    free(again);
    free(committed);
    free(path);
    free(text);
    free(dir);
}
END_TEST

START_TEST(hash_and_header)
{
    const struct chain_params *p = chain_params_get(CHAIN_REGTEST);
    struct genesis g;
    load_committed(&g);
    ck_assert(g.has_expected_hash);
    struct hash32 h;
    ck_assert_int_eq(genesis_hash(&g, &h), 0);
    ck_assert(hash32_eq(&h, &g.expected_hash));
    ck_assert_str_eq(g.network, p->name);
    ck_assert_uint_eq(g.chain_id, p->chain_id);
    ck_assert_uint_eq(g.network_id, p->network_id);
    ck_assert_str_eq(p->genesis_file, "genesis-regtest.json");
    ck_assert_uint_eq(g.header.number, 0);
    ck_assert_uint_eq(g.header.time, 0);
    ck_assert(u256_eq(&g.header.difficulty, &(u256){{1, 0, 0, 0}}));
    /* SIP004 from block 0: block 1 must keep ≥ 40M within ±1/1024. */
    ck_assert_uint_ge(g.header.gas_limit, 40000000);
    ck_assert_uint_ge(g.header.gas_limit, params_min_gas_limit(p, 1));
    /* extra = 32 zero bytes ‖ node address ‖ 65 zero bytes (spec §1.2). */
    ck_assert_uint_eq(g.header.extra_len, 32 + 20 + 65);
    struct address node = node_address();
    static const uint8_t zero[65];
    ck_assert_mem_eq(g.header.extra, zero, 32);
    ck_assert_mem_eq(g.header.extra + 32, node.b, 20);
    ck_assert_mem_eq(g.header.extra + 52, zero, 65);
    genesis_free(&g);
}
END_TEST

/* Known answers, computed independently with js-sha3 and @ethereumjs/util
 * (privateToAddress), and listed in doc/regtest.md: wallets import these. */
START_TEST(documented_keys)
{
    uint8_t sk[32], want[32];
    struct address a;
    ck_assert_int_eq(regtest_dev_key(0, sk), 0);
    hex_decode_exact("b35c75b23320320389141b2a659b0c47cd77db0c76dfa63a459868aa0cb563aa", 64,
                     want, 32);
    ck_assert_mem_eq(sk, want, 32);
    ck_assert_int_eq(regtest_key_address(sk, &a), 0);
    struct address w = addr_of("0x0311aeb8de32b9385e7cf31ab5c7225894c46645");
    ck_assert(address_eq(&a, &w));
    ck_assert_int_eq(regtest_dev_key(9, sk), 0);
    ck_assert_int_eq(regtest_key_address(sk, &a), 0);
    w = addr_of("0xb47bd40b21e67a5b57b66c61edf51382e3153a14");
    ck_assert(address_eq(&a, &w));
    ck_assert_int_eq(regtest_node_key(sk), 0);
    hex_decode_exact("9db116eae3744e3d40dee0fcaa7e0b53aa981f85d1786d3a33ea624f2cc5a7a4", 64,
                     want, 32);
    ck_assert_mem_eq(sk, want, 32);
    a = node_address();
    w = addr_of("0x5f8fded55a47b17cb11cc3738d19214acd1d5aae");
    ck_assert(address_eq(&a, &w));
    ck_assert_int_eq(regtest_dev_key(REGTEST_NDEV, sk), ERR_RANGE);
}
END_TEST

START_TEST(dev_accounts_funded)
{
    struct genesis g;
    load_committed(&g);
    struct state *st = state_of(&g);
    u256 want, bal;
    u256_from_dec(&want, REGTEST_DEV_BALANCE_DEC, strlen(REGTEST_DEV_BALANCE_DEC));
    ck_assert(u256_eq(&want, &(u256){{0x1bcecceda1000000ull, 0xd3c2ull, 0, 0}})); /* 10^24 */
    struct address seen[REGTEST_NDEV + 1];
    for (unsigned i = 0; i < REGTEST_NDEV; i++) {
        uint8_t sk[32];
        ck_assert_int_eq(regtest_dev_key(i, sk), 0);
        ck_assert_int_eq(regtest_key_address(sk, &seen[i]), 0);
        state_get_balance(st, &seen[i], &bal);
        ck_assert_msg(u256_eq(&bal, &want), "dev account %u balance", i);
        ck_assert_uint_eq(state_get_nonce(st, &seen[i]), 0);
        ck_assert_uint_eq(state_get_code_size(st, &seen[i]), 0);
    }
    /* The node key: funded too, nonce 18 from its eight creations and ten
     * test-token transfers, and not one of the dev accounts. */
    seen[REGTEST_NDEV] = node_address();
    state_get_balance(st, &seen[REGTEST_NDEV], &bal);
    ck_assert(u256_eq(&bal, &want));
    ck_assert_uint_eq(REGTEST_NODE_NONCE, 18);
    ck_assert_uint_eq(state_get_nonce(st, &seen[REGTEST_NDEV]), REGTEST_NODE_NONCE);
    for (int i = 0; i <= REGTEST_NDEV; i++)
        for (int j = 0; j < i; j++)
            ck_assert(!address_eq(&seen[i], &seen[j]));
    /* Nothing else: the keys, the eight contracts deployed at fixed
     * addresses and the SecretRegistry TokensNetwork created. */
    ck_assert_uint_eq(g.nalloc, REGTEST_NDEV + 1 + 8 + 1);
    for (size_t i = 0; i < g.nalloc; i++) {
        if (g.alloc[i].code_len)
            ck_assert(u256_is_zero(&g.alloc[i].balance));
        else
            ck_assert(u256_eq(&g.alloc[i].balance, &want));
    }
    state_free(st);
    genesis_free(&g);
}
END_TEST

START_TEST(system_contracts_answer)
{
    const struct chain_params *p = chain_params_get(CHAIN_REGTEST);
    struct genesis g;
    load_committed(&g);
    struct state *st = state_of(&g);
    struct evm *evm;
    ck_assert_int_eq(evm_new(&evm), 0);
    struct address node = node_address();
    const struct address *chief = &params_chief_for_block(p, 0)->addr;
    const struct address *sys[5] = {chief, &p->chief_base, &p->poc, &p->meshbox, &p->anmap};
    for (int i = 0; i < 5; i++) {
        ck_assert_uint_gt(state_get_code_size(st, sys[i]), 100);
        ck_assert_uint_eq(state_get_nonce(st, sys[i]), 1);
    }
    size_t len, n;
    const uint8_t *out = view(evm, st, chief, "getSignerLimit()", &len);
    ck_assert_uint_eq(len, 32);
    ck_assert_uint_eq(word_u64(out), REGTEST_SIGNER_LIMIT);
    out = view(evm, st, &p->chief_base, "takeSignerLimit()", &len);
    ck_assert_uint_eq(word_u64(out), REGTEST_SIGNER_LIMIT);

    out = view(evm, st, &p->chief_base, "takeLeaderList()", &len);
    struct address a = abi_address_at(out, len, 0, 0, &n);
    ck_assert_uint_eq(n, 1);
    ck_assert(address_eq(&a, &node));

    out = view(evm, st, &p->poc, "minDepositAmount()", &len);
    ck_assert_uint_eq(len, 32);
    u256 got, want;
    u256_from_be(&got, out, 32);
    u256_from_dec(&want, REGTEST_POC_MIN_DEPOSIT_DEC, strlen(REGTEST_POC_MIN_DEPOSIT_DEC));
    ck_assert(u256_eq(&got, &want));

    /* getStatus(): signerList = [leader, 0x0 × (signerLimit − 1)]. */
    out = view(evm, st, chief, "getStatus()", &len);
    a = abi_address_at(out, len, 0, 0, &n);
    ck_assert_uint_eq(n, REGTEST_SIGNER_LIMIT);
    ck_assert(address_eq(&a, &node));
    for (size_t i = 1; i < n; i++) {
        a = abi_address_at(out, len, 0, i, &n);
        ck_assert(address_is_zero(&a));
    }
    ck_assert_uint_eq(word_u64(out + 32 * 5), 0);    /* blockNumber = start 0 */
    evm_free(evm);
    state_free(st);
    genesis_free(&g);
}
END_TEST

/* The MeshBox registry (doc/meshbox.md §3) replaces MeshBox 0.0.2 at its
 * address: the committed MeshBoxRegistry runtime code, the constructor
 * parameters the chain parameters and doc/regtest.md give (chainId,
 * epochLength = meshbox_epoch, 100 SMT, 10^9 units), the node key as owner,
 * an empty list (MeshBox 0.0.2's was empty too), and MeshBox 0.0.2's
 * existAddress still answering. Parameters the registry cannot take are
 * refused before anything is built. */
START_TEST(meshbox_registry_deployed)
{
    const struct chain_params *p = chain_params_get(CHAIN_REGTEST);
    struct genesis g;
    load_committed(&g);
    struct state *st = state_of(&g);
    struct evm *evm;
    ck_assert_int_eq(evm_new(&evm), 0);
    ck_assert(address_eq(&p->meshbox_registry, &p->meshbox));
    assert_runtime_code(st, &p->meshbox_registry, "MeshBoxRegistry");
    size_t len;
    const uint8_t *out = view(evm, st, &p->meshbox_registry, "chainId()", &len);
    ck_assert_uint_eq(word_u64(out), p->chain_id);
    out = view(evm, st, &p->meshbox_registry, "epochLength()", &len);
    ck_assert_uint_eq(word_u64(out), p->meshbox_epoch);
    ck_assert_uint_eq(p->meshbox_epoch, 100);
    out = view(evm, st, &p->meshbox_registry, "clientDeposit()", &len);
    u256 got = word_u256(out), want;
    u256_from_dec(&want, REGTEST_MESHBOX_CLIENT_DEPOSIT_DEC,
                  strlen(REGTEST_MESHBOX_CLIENT_DEPOSIT_DEC));
    ck_assert(u256_eq(&got, &want));
    want = u256_from_u64(100);
    u256 smt;
    u256_from_dec(&smt, "1000000000000000000", 19);
    u256_mul(&want, &want, &smt);
    ck_assert(u256_eq(&got, &want)); /* 100 SMT */
    out = view(evm, st, &p->meshbox_registry, "unitCap()", &len);
    ck_assert_uint_eq(word_u64(out), 1000000000);
    out = view(evm, st, &p->meshbox_registry, "maxBoxes()", &len);
    ck_assert_uint_eq(word_u64(out), 1024);
    out = view(evm, st, &p->meshbox_registry, "owner()", &len);
    struct address owner;
    memcpy(owner.b, out + 12, 20);
    struct address node = node_address();
    ck_assert(address_eq(&owner, &node));
    out = view(evm, st, &p->meshbox_registry, "getMeshboxList()", &len);
    ck_assert_uint_eq(len, 64);
    ck_assert_uint_eq(word_u64(out + 32), 0);
    out = view_addrs(evm, st, &p->meshbox_registry, "existAddress(address)", &node, 1, &len);
    ck_assert_uint_eq(word_u64(out), 0);
    evm_free(evm);
    state_free(st);
    genesis_free(&g);

    struct chain_params bad = *p;
    bad.meshbox_epoch = 0;
    char *dir = path_in_top("share/contracts"), *text = NULL;
    ck_assert_int_eq(regtest_genesis_json(&bad, dir, &text, &len), ERR_INVAL);
    ck_assert_ptr_nonnull(strstr(err_msg(), "meshbox_epoch"));
    bad = *p;
    bad.meshbox_registry = p->anmap;
    ck_assert_int_eq(regtest_genesis_json(&bad, dir, &text, &len), ERR_INVAL);
    ck_assert_ptr_null(text);
    free(dir);
}
END_TEST

/* The channel contracts (photon.md §2, contrib/contracts/README.md "Deploying
 * in the regtest genesis"): the committed runtime code at the addresses of
 * the chain parameters, TokensNetwork's chain_id() and secret_registry(),
 * the registry at the CREATE address of (TokensNetwork, nonce 1) — the
 * README's 0xfe96…c9ae — and SMTToken pointing at TokensNetwork. */
START_TEST(channel_contracts_deployed)
{
    const struct chain_params *p = chain_params_get(CHAIN_REGTEST);
    struct address tn = addr_of("0x5350454300000000000000000000000000000105");
    struct address smt = addr_of("0x5350454300000000000000000000000000000106");
    struct address ptt = addr_of("0x5350454300000000000000000000000000000107");
    struct address reg = addr_of("0xfe96a6c45380da9fc4de9f3c8a4acaf18f0ac9ae");
    ck_assert(address_eq(&p->tokens_network, &tn));
    ck_assert(address_eq(&p->smt_token, &smt));
    struct address ptt_param = addr_of(REGTEST_TEST_TOKEN_ADDRESS);
    ck_assert(address_eq(&ptt_param, &ptt));
    struct address derived;
    evm_create_address(&tn, 1, &derived);
    ck_assert(address_eq(&derived, &reg));

    struct genesis g;
    load_committed(&g);
    struct state *st = state_of(&g);
    struct evm *evm;
    ck_assert_int_eq(evm_new(&evm), 0);
    assert_runtime_code(st, &tn, "TokensNetwork");
    assert_runtime_code(st, &reg, "SecretRegistry");
    assert_runtime_code(st, &smt, "SMTToken");
    assert_runtime_code(st, &ptt, "PhotonTestToken");
    /* TokensNetwork made one creation (nonce 1 → 2); the others none. */
    ck_assert_uint_eq(state_get_nonce(st, &tn), 2);
    ck_assert_uint_eq(state_get_nonce(st, &reg), 1);
    ck_assert_uint_eq(state_get_nonce(st, &smt), 1);
    ck_assert_uint_eq(state_get_nonce(st, &ptt), 1);

    size_t len;
    const uint8_t *out = view(evm, st, &tn, "chain_id()", &len);
    ck_assert_uint_eq(len, 32);
    /* Photon compares it with net_version (photon.md §1): 0x53504543. */
    ck_assert_uint_eq(word_u64(out), p->network_id);
    ck_assert_uint_eq(word_u64(out), 1397769539);
    out = view(evm, st, &tn, "secret_registry()", &len);
    ck_assert_uint_eq(len, 32);
    static const uint8_t zero12[12];
    ck_assert_mem_eq(out, zero12, 12);
    ck_assert_mem_eq(out + 12, reg.b, 20);
    /* Photon accepts a contract_version starting with "0.6". */
    out = view(evm, st, &tn, "contract_version()", &len);
    ck_assert_uint_ge(len, 96);
    ck_assert_uint_ge(word_u64(out + 32), 3);
    ck_assert_mem_eq(out + 64, "0.6", 3);

    /* SMTToken: slot 0 holds TokensNetwork, and tokenNetwork() says so. */
    u256 zero = u256_from_u64(0), v, want;
    state_get_storage(st, &smt, &zero, &v);
    u256_from_be(&want, tn.b, 20);
    ck_assert(u256_eq(&v, &want));
    out = view(evm, st, &smt, "tokenNetwork()", &len);
    ck_assert_uint_eq(len, 32);
    ck_assert_mem_eq(out + 12, tn.b, 20);
    out = view(evm, st, &smt, "name()", &len);
    ck_assert_uint_ge(len, 96);
    ck_assert_uint_eq(word_u64(out + 32), 8);
    ck_assert_mem_eq(out + 64, "SMTToken", 8);
    /* No coin held for channels yet. */
    out = view(evm, st, &smt, "totalSupply()", &len);
    ck_assert_uint_eq(word_u64(out), 0);
    evm_free(evm);
    state_free(st);
    genesis_free(&g);
}
END_TEST

/* Every dev account holds REGTEST_TEST_TOKEN_BALANCE_DEC PhotonTestToken,
 * the supply is exactly theirs, and one ERC223 transfer to TokensNetwork
 * from dev account 0 opens a channel with dev account 1: no set-up
 * transaction is needed. */
START_TEST(dev_accounts_hold_test_token)
{
    const struct chain_params *p = chain_params_get(CHAIN_REGTEST);
    struct address ptt = addr_of(REGTEST_TEST_TOKEN_ADDRESS);
    struct genesis g;
    load_committed(&g);
    struct state *st = state_of(&g);
    struct evm *evm;
    ck_assert_int_eq(evm_new(&evm), 0);
    u256 each, got;
    u256_from_dec(&each, REGTEST_TEST_TOKEN_BALANCE_DEC, strlen(REGTEST_TEST_TOKEN_BALANCE_DEC));
    ck_assert(u256_eq(&each, &(u256){{0x1bcecceda1000000ull, 0xd3c2ull, 0, 0}})); /* 10^24 */
    size_t len;
    const uint8_t *out;
    for (unsigned i = 0; i < REGTEST_NDEV; i++) {
        struct address d = dev_address(i);
        out = view_addrs(evm, st, &ptt, "balanceOf(address)", &d, 1, &len);
        ck_assert_uint_eq(len, 32);
        got = word_u256(out);
        ck_assert_msg(u256_eq(&got, &each), "dev account %u PTT balance", i);
    }
    struct address node = node_address();
    out = view_addrs(evm, st, &ptt, "balanceOf(address)", &node, 1, &len);
    got = word_u256(out);
    ck_assert(u256_is_zero(&got));
    u256 total, n = u256_from_u64(REGTEST_NDEV);
    u256_mul(&total, &each, &n);
    out = view(evm, st, &ptt, "totalSupply()", &len);
    got = word_u256(out);
    ck_assert(u256_eq(&got, &total));

    /* dev 0: transfer(TokensNetwork, 100, data = dev0 ‖ dev1 ‖ 600). */
    struct address d0 = dev_address(0), d1 = dev_address(1);
    uint8_t in[4 + 5 * 32 + 3 * 32] = {0};
    put_selector(in, "transfer(address,uint256,bytes)");
    memcpy(in + 4 + 12, p->tokens_network.b, 20);
    in[4 + 32 + 31] = 100;
    in[4 + 64 + 31] = 0x60;                     /* offset of data */
    in[4 + 96 + 31] = 96;                       /* its length */
    memcpy(in + 4 + 128 + 12, d0.b, 20);
    memcpy(in + 4 + 160 + 12, d1.b, 20);
    in[4 + 192 + 30] = 600 >> 8;
    in[4 + 192 + 31] = 600 & 0xff;
    out = call_data(evm, st, &d0, &ptt, in, sizeof in, false, &len);
    ck_assert_uint_eq(len, 32);
    ck_assert_uint_eq(word_u64(out), 1);
    struct address args[3] = {ptt, d0, d1};
    out = view_addrs(evm, st, &p->tokens_network, "getChannelParticipantInfo(address,address,address)",
                     args, 3, &len);
    ck_assert_uint_eq(len, 96);
    ck_assert_uint_eq(word_u64(out), 100);       /* deposit */
    out = view_addrs(evm, st, &p->tokens_network, "getChannelInfo(address,address,address)", args,
                     3, &len);
    ck_assert_uint_eq(len, 160);
    ck_assert_uint_eq(word_u64(out + 64), 1);    /* open_block_number */
    ck_assert_uint_eq(word_u64(out + 96), 1);    /* state: open */
    ck_assert_uint_eq(word_u64(out + 128), 600); /* settle_timeout */
    out = view_addrs(evm, st, &ptt, "balanceOf(address)", &p->tokens_network, 1, &len);
    ck_assert_uint_eq(word_u64(out), 100);
    evm_free(evm);
    state_free(st);
    genesis_free(&g);
}
END_TEST

/* The channel contract addresses of each network (photon.md §1: Photon's
 * default registries keyed by genesis hash; regtest: our genesis). */
START_TEST(channel_contract_params)
{
    struct address a;
    const struct chain_params *m = chain_params_get(CHAIN_MAINNET);
    a = addr_of("0x08b7d79ec4ebd53e5b89c7c062cc64bb09d063e3");
    ck_assert(address_eq(&m->tokens_network, &a));
    ck_assert(address_is_zero(&m->smt_token));
    const struct chain_params *t = chain_params_get(CHAIN_TESTNET);
    a = addr_of("0xc479184abeb8c508ee96e4c093ee47af2256cbbf");
    ck_assert(address_eq(&t->tokens_network, &a));
    ck_assert(address_is_zero(&t->smt_token));
    const struct chain_params *d = chain_params_get(CHAIN_DEVNET);
    ck_assert(address_is_zero(&d->tokens_network));
    ck_assert(address_is_zero(&d->smt_token));
    const struct chain_params *r = chain_params_get(CHAIN_REGTEST);
    a = addr_of("0x5350454300000000000000000000000000000105");
    ck_assert(address_eq(&r->tokens_network, &a));
    a = addr_of("0x5350454300000000000000000000000000000106");
    ck_assert(address_eq(&r->smt_token, &a));
}
END_TEST

/* evm_create_at: the contract lives at the chosen address (ADDRESS inside
 * the init code is that address), the sender's nonce moves as for CREATE,
 * and a second creation there collides. */
START_TEST(create_at_chosen_address)
{
    /* ADDRESS PUSH1 0 SSTORE; MSTORE8(0, 0x2a); RETURN(0, 1) */
    static const uint8_t init[] = {0x30, 0x60, 0x00, 0x55, 0x60, 0x2a, 0x60, 0x00, 0x53,
                                   0x60, 0x01, 0x60, 0x00, 0xf3};
    struct state *st;
    ck_assert_int_eq(state_open(NULL, NULL, &st), 0);
    struct evm *evm;
    ck_assert_int_eq(evm_new(&evm), 0);
    struct evm_block blk;
    memset(&blk, 0, sizeof blk);
    blk.gas_limit = 40000000;
    struct evm_tx_context txc;
    memset(&txc, 0, sizeof txc);
    evm_set_context(evm, st, FORK_SIP004, &blk, &txc);
    struct address at = addr_of("0x5350454300000000000000000000000000000999");
    struct address from = addr_of("0x00000000000000000000000000000000000000aa");
    struct evm_message m;
    memset(&m, 0, sizeof m);
    m.kind = EVM_CREATE;
    m.gas = 1000000;
    m.sender = from;
    m.input = init;
    m.input_len = sizeof init;
    struct evm_result r;
    ck_assert_int_eq(evm_create_at(evm, &m, &at, &r), 0);
    ck_assert_int_eq(r.status, EVM_SUCCESS);
    ck_assert(address_eq(&r.created, &at));
    size_t n;
    const uint8_t *code = state_get_code(st, &at, &n);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(code[0], 0x2a);
    u256 zero = u256_from_u64(0), v, want;
    state_get_storage(st, &at, &zero, &v);
    u256_from_be(&want, at.b, 20);
    ck_assert(u256_eq(&v, &want));
    ck_assert_uint_eq(state_get_nonce(st, &from), 1);
    ck_assert_uint_eq(state_get_nonce(st, &at), 1);
    ck_assert_int_eq(evm_create_at(evm, &m, &at, &r), 0);
    ck_assert_int_eq(r.status, EVM_CREATE_COLLISION);
    m.kind = EVM_CALL;
    ck_assert_int_eq(evm_create_at(evm, &m, &at, &r), ERR_INVAL);
    evm_free(evm);
    state_free(st);
}
END_TEST

/* Bad artifacts are refused with a reason naming the file or contract. */
START_TEST(bad_artifacts_are_refused)
{
    const struct chain_params *p = chain_params_get(CHAIN_REGTEST);
    char *text = NULL;
    size_t len = 0;
    ck_assert_int_eq(regtest_genesis_json(p, "/nonexistent", &text, &len), ERR_IO);
    ck_assert_ptr_null(text);

    char tmpl[] = "/tmp/regtest-artifacts-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(tmpl));
    static const char *const names[] = {"ChiefBase",     "POC",      "TribeChief",
                                        "MeshBoxRegistry", "Anmap",  "TokensNetwork",
                                        "SMTToken",      "PhotonTestToken"};
    enum { NNAMES = sizeof names / sizeof names[0] };
    char path[256];
    /* ChiefBase whose creation code is INVALID (0xfe): the build names it. */
    for (int i = 0; i < NNAMES; i++) {
        snprintf(path, sizeof path, "%s/%s.json", tmpl, names[i]);
        FILE *f = fopen(path, "w");
        ck_assert_ptr_nonnull(f);
        fprintf(f, "{\"contractName\":\"%s\",\"bytecode\":\"0xfe\"}", names[i]);
        fclose(f);
    }
    ck_assert_int_eq(regtest_genesis_json(p, tmpl, &text, &len), ERR_INVAL);
    ck_assert_ptr_nonnull(strstr(err_msg(), "ChiefBase"));
    /* A wrong contract name in an artifact. */
    snprintf(path, sizeof path, "%s/ChiefBase.json", tmpl);
    FILE *f = fopen(path, "w");
    fprintf(f, "{\"contractName\":\"POC\",\"bytecode\":\"0x00\"}");
    fclose(f);
    ck_assert_int_eq(regtest_genesis_json(p, tmpl, &text, &len), ERR_DECODE);
    /* Not hex. */
    f = fopen(path, "w");
    fprintf(f, "{\"contractName\":\"ChiefBase\",\"bytecode\":\"0xzz\"}");
    fclose(f);
    ck_assert_int_eq(regtest_genesis_json(p, tmpl, &text, &len), ERR_DECODE);
    ck_assert_ptr_null(text);
    /* A missing artifact of a channel contract is refused too. */
    f = fopen(path, "w");
    fprintf(f, "{\"contractName\":\"ChiefBase\",\"bytecode\":\"0xfe\"}");
    fclose(f);
    snprintf(path, sizeof path, "%s/PhotonTestToken.json", tmpl);
    unlink(path);
    ck_assert_int_eq(regtest_genesis_json(p, tmpl, &text, &len), ERR_IO);
    ck_assert_ptr_nonnull(strstr(err_msg(), "PhotonTestToken"));
    for (int i = 0; i < NNAMES; i++) {
        snprintf(path, sizeof path, "%s/%s.json", tmpl, names[i]);
        unlink(path);
    }
    rmdir(tmpl);

    /* Parameters without a 1.0.0 chief at genesis are refused. */
    struct chain_params q = *chain_params_get(CHAIN_MAINNET);
    ck_assert_int_eq(regtest_genesis_json(&q, "/nonexistent", &text, &len), ERR_INVAL);
    /* And regtest parameters without a TokensNetwork address. */
    q = *chain_params_get(CHAIN_REGTEST);
    memset(&q.tokens_network, 0, sizeof q.tokens_network);
    ck_assert_int_eq(regtest_genesis_json(&q, "/nonexistent", &text, &len), ERR_INVAL);
    ck_assert_ptr_nonnull(strstr(err_msg(), "TokensNetwork"));
    /* Or with SMTToken on the test token's address. */
    q = *chain_params_get(CHAIN_REGTEST);
    q.smt_token = addr_of(REGTEST_TEST_TOKEN_ADDRESS);
    ck_assert_int_eq(regtest_genesis_json(&q, "/nonexistent", &text, &len), ERR_INVAL);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("regtest_genesis");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, committed_file_is_regenerated);
    tcase_add_test(tc, hash_and_header);
    tcase_add_test(tc, documented_keys);
    tcase_add_test(tc, dev_accounts_funded);
    tcase_add_test(tc, system_contracts_answer);
    tcase_add_test(tc, meshbox_registry_deployed);
    tcase_add_test(tc, channel_contracts_deployed);
    tcase_add_test(tc, dev_accounts_hold_test_token);
    tcase_add_test(tc, channel_contract_params);
    tcase_add_test(tc, create_at_chosen_address);
    tcase_add_test(tc, bad_artifacts_are_refused);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
