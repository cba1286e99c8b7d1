/*
 * test_regtest_genesis.c — the committed share/genesis/genesis-regtest.json
 * is what `spectrum-evm genesis-regtest` builds from share/contracts today,
 * its block hash is its expectedHash, and the chain it starts is the one
 * doc/regtest.md promises: the documented dev keys funded, the node key as
 * genesis signer and only leader, and the system contracts live at the
 * regtest addresses answering through our EVM as the consensus code will
 * read them (signer limit, leader list, POC minimum deposit, the first
 * signer round).
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

/* A view call of `sig` (no arguments) on `to`; returns the output (owned by
 * the evm until its next execution). */
static const uint8_t *view(struct evm *evm, struct state *st, const struct address *to,
                           const char *sig, size_t *len)
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
    evm_set_context(evm, st, params_evm_fork(p, 1), &blk, &txc);
    uint8_t sel[32];
    keccak256(sig, strlen(sig), sel);
    struct evm_message m;
    memset(&m, 0, sizeof m);
    m.kind = EVM_STATICCALL;
    m.is_static = true;
    m.gas = 10000000;
    m.recipient = *to;
    m.code_address = *to;
    m.input = sel;
    m.input_len = 4;
    struct evm_result r;
    ck_assert_int_eq(evm_execute(evm, &m, &r), 0);
    ck_assert_msg(r.status == EVM_SUCCESS, "%s: %s", sig, evm_status_name(r.status));
    *len = r.output_len;
    return r.output;
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
    /* The node key: funded too, nonce 5 from its five creations, and not
     * one of the dev accounts. */
    seen[REGTEST_NDEV] = node_address();
    state_get_balance(st, &seen[REGTEST_NDEV], &bal);
    ck_assert(u256_eq(&bal, &want));
    ck_assert_uint_eq(state_get_nonce(st, &seen[REGTEST_NDEV]), 5);
    for (int i = 0; i <= REGTEST_NDEV; i++)
        for (int j = 0; j < i; j++)
            ck_assert(!address_eq(&seen[i], &seen[j]));
    /* Nothing else holds coins. */
    ck_assert_uint_eq(g.nalloc, REGTEST_NDEV + 1 + 5);
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
    static const char *const names[] = {"ChiefBase", "POC", "TribeChief", "MeshBox", "Anmap"};
    char path[256];
    /* ChiefBase whose creation code is INVALID (0xfe): the build names it. */
    for (int i = 0; i < 5; i++) {
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
    for (int i = 0; i < 5; i++) {
        snprintf(path, sizeof path, "%s/%s.json", tmpl, names[i]);
        unlink(path);
    }
    rmdir(tmpl);

    /* Parameters without a 1.0.0 chief at genesis are refused. */
    struct chain_params q = *chain_params_get(CHAIN_MAINNET);
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
    tcase_add_test(tc, create_at_chosen_address);
    tcase_add_test(tc, bad_artifacts_are_refused);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
