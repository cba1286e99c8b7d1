/*
 * test_rpc_chain.c — the chain's JSON (rpc/chainjson.h): blocks with the
 * chief update hidden from their transaction list, transactions mined and
 * pending, receipts with logs and created contracts, headers for newHeads;
 * and the arguments that name blocks, addresses and hashes, with geth's
 * error messages. Pure: every value is built here.
 */
#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "chain/params.h"
#include "chain/processor.h"
#include "rpc/chainjson.h"
#include "rpc/dispatch.h"
#include "util/err.h"
#include "util/hex.h"

static const char *str(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    ck_assert_msg(v != NULL, "no field %s", key);
    ck_assert_msg(json_is_string(v), "field %s is not a string", key);
    return json_string_value(v);
}

static struct address addr_of(const char *hex)
{
    struct address a;
    ck_assert_int_eq(address_from_hex(&a, hex, strlen(hex)), 0);
    return a;
}

static struct hash32 hash_of(uint8_t fill)
{
    struct hash32 h;
    memset(h.b, fill, sizeof h.b);
    return h;
}

/* A signed transfer of `value` wei with some data. */
static struct tx make_tx(uint64_t nonce, bool create, const uint8_t *data, size_t len)
{
    struct tx tx;
    memset(&tx, 0, sizeof tx);
    tx.nonce = nonce;
    tx.gas_price = u256_from_u64(18000000000ull);
    tx.gas = 90000;
    tx.has_to = !create;
    if (!create)
        tx.to = addr_of("0x0436b41bf91ea2b181cd4ce8918b0cfd320d884c");
    tx.value = u256_from_u64(0xde0b6b3a7640000ull);
    if (len) {
        tx.data = malloc(len);
        memcpy(tx.data, data, len);
        tx.data_len = len;
    }
    uint8_t sk[32];
    memset(sk, 0x11, sizeof sk);
    ck_assert_int_eq(tx_sign(&tx, sk, 1397769539), 0);
    return tx;
}

/* The regtest chief's update(volunteer) transaction (spec §6.1). */
static struct tx chief_tx(const struct chain_params *p)
{
    uint8_t data[36] = {0};
    memcpy(data, CHAIN_CHIEF_UPDATE_SELECTOR, 4);
    struct tx tx = make_tx(5, false, data, sizeof data);
    tx.to = p->chiefs[0].addr;
    return tx;
}

static void fill_header(struct header *h)
{
    memset(h, 0, sizeof *h);
    h->parent_hash = hash_of(0xaa);
    h->uncle_hash = hash_of(0xbb);
    h->coinbase = addr_of("0x5f8FDED55A47B17CB11cC3738d19214Acd1d5aAe");
    h->state_root = hash_of(0x01);
    h->tx_root = hash_of(0x02);
    h->receipt_root = hash_of(0x03);
    h->bloom.b[255] = 0x80;
    h->difficulty = u256_from_u64(3);
    h->number = 0x1a;
    h->gas_limit = 40000000;
    h->gas_used = 21000;
    h->time = 1700000000;
    h->extra = malloc(2);
    h->extra[0] = 0xde;
    h->extra[1] = 0xad;
    h->extra_len = 2;
    h->nonce[7] = 1;
}

/* ---- values ---------------------------------------------------------------------- */

START_TEST(quantities_and_data)
{
    u256 v = u256_from_u64(0);
    json_t *j = rpc_json_u256(&v);
    ck_assert_str_eq(json_string_value(j), "0x0");
    json_decref(j);
    v = u256_from_u64(0x1a);
    j = rpc_json_u256(&v);
    ck_assert_str_eq(json_string_value(j), "0x1a");
    json_decref(j);
    v = u256_max();
    j = rpc_json_u256(&v);
    ck_assert_uint_eq(strlen(json_string_value(j)), 66);
    json_decref(j);
    struct address a = addr_of("0x5f8FDED55A47B17CB11cC3738d19214Acd1d5aAe");
    j = rpc_json_address(&a);
    ck_assert_str_eq(json_string_value(j), "0x5f8fded55a47b17cb11cc3738d19214acd1d5aae");
    json_decref(j);
}
END_TEST

START_TEST(header_as_newheads)
{
    struct header h;
    fill_header(&h);
    struct hash32 hash = hash_of(0xcc);
    json_t *o = rpc_header_json(&h, &hash);
    ck_assert_ptr_nonnull(o);
    ck_assert_str_eq(str(o, "number"), "0x1a");
    ck_assert_str_eq(str(o, "hash"), "0xcccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc");
    ck_assert_str_eq(str(o, "parentHash"),
                     "0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    ck_assert_str_eq(str(o, "miner"), "0x5f8fded55a47b17cb11cc3738d19214acd1d5aae");
    ck_assert_str_eq(str(o, "difficulty"), "0x3");
    ck_assert_str_eq(str(o, "gasLimit"), "0x2625a00");
    ck_assert_str_eq(str(o, "gasUsed"), "0x5208");
    ck_assert_str_eq(str(o, "timestamp"), "0x6553f100");
    ck_assert_str_eq(str(o, "extraData"), "0xdead");
    ck_assert_str_eq(str(o, "nonce"), "0x0000000000000001");
    ck_assert_uint_eq(strlen(str(o, "logsBloom")), 2 + 512);
    ck_assert_str_eq(str(o, "logsBloom") + 2 + 510, "80");
    ck_assert_str_eq(str(o, "sha3Uncles"),
                     "0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
    ck_assert_ptr_nonnull(json_object_get(o, "mixHash"));
    ck_assert_ptr_nonnull(json_object_get(o, "stateRoot"));
    ck_assert_ptr_nonnull(json_object_get(o, "transactionsRoot"));
    ck_assert_ptr_nonnull(json_object_get(o, "receiptsRoot"));
    ck_assert_ptr_null(json_object_get(o, "transactions"));
    json_decref(o);
    header_free(&h);
}
END_TEST

START_TEST(block_hides_the_chief_tx)
{
    const struct chain_params *p = chain_params_get(CHAIN_REGTEST);
    struct block b;
    memset(&b, 0, sizeof b);
    fill_header(&b.header);
    b.body.tx_count = 3;
    b.body.txs = calloc(3, sizeof *b.body.txs);
    b.body.txs[0] = chief_tx(p);
    b.body.txs[1] = make_tx(0, false, NULL, 0);
    b.body.txs[2] = make_tx(1, true, (const uint8_t *)"\x60\x00", 2);
    ck_assert(chain_is_chief_update(p, &b.body.txs[0]));
    struct address senders[3];
    for (int i = 0; i < 3; i++)
        senders[i] = addr_of("0x0311aeb8de32b9385e7cf31ab5c7225894c46645");
    struct hash32 hash = hash_of(0xcc), h1, h2;
    ck_assert_int_eq(tx_hash(&b.body.txs[1], h1.b), 0);
    ck_assert_int_eq(tx_hash(&b.body.txs[2], h2.b), 0);
    char h1x[HASH32_HEX_SIZE], h2x[HASH32_HEX_SIZE];
    hash32_to_hex(&h1, h1x);
    hash32_to_hex(&h2, h2x);
    u256 td = u256_from_u64(1000);

    json_t *o = rpc_block_json(p, &b, &hash, &td, 1234, false, NULL);
    ck_assert_ptr_nonnull(o);
    ck_assert_str_eq(str(o, "totalDifficulty"), "0x3e8");
    ck_assert_str_eq(str(o, "size"), "0x4d2");
    ck_assert_uint_eq(json_array_size(json_object_get(o, "uncles")), 0);
    json_t *txs = json_object_get(o, "transactions");
    ck_assert_uint_eq(json_array_size(txs), 2);
    ck_assert_str_eq(json_string_value(json_array_get(txs, 0)), h1x);
    ck_assert_str_eq(json_string_value(json_array_get(txs, 1)), h2x);
    json_decref(o);

    /* Full objects keep their index in the block (the chief tx is 0). */
    o = rpc_block_json(p, &b, &hash, &td, 1234, true, senders);
    txs = json_object_get(o, "transactions");
    ck_assert_uint_eq(json_array_size(txs), 2);
    json_t *t1 = json_array_get(txs, 0), *t2 = json_array_get(txs, 1);
    ck_assert_str_eq(str(t1, "hash"), h1x);
    ck_assert_str_eq(str(t1, "transactionIndex"), "0x1");
    ck_assert_str_eq(str(t1, "blockNumber"), "0x1a");
    ck_assert_str_eq(str(t1, "blockHash"), str(o, "hash"));
    ck_assert_str_eq(str(t1, "from"), "0x0311aeb8de32b9385e7cf31ab5c7225894c46645");
    ck_assert_str_eq(str(t2, "transactionIndex"), "0x2");
    ck_assert(json_is_null(json_object_get(t2, "to")));
    ck_assert_str_eq(str(t2, "input"), "0x6000");
    json_decref(o);

    /* On a network where that address is no chief, nothing is hidden. */
    struct chain_params other = *chain_params_get(CHAIN_MAINNET);
    o = rpc_block_json(&other, &b, &hash, &td, 1, false, NULL);
    ck_assert_uint_eq(json_array_size(json_object_get(o, "transactions")), 3);
    json_decref(o);
    block_free(&b);
}
END_TEST

START_TEST(tx_pending_and_mined)
{
    struct tx tx = make_tx(0x10, false, NULL, 0);
    struct hash32 hash = hash_of(0x77);
    struct address from = addr_of("0x0311aeb8de32b9385e7cf31ab5c7225894c46645");
    json_t *o = rpc_tx_json(&tx, &hash, &from, NULL);
    ck_assert(json_is_null(json_object_get(o, "blockHash")));
    ck_assert(json_is_null(json_object_get(o, "blockNumber")));
    ck_assert(json_is_null(json_object_get(o, "transactionIndex")));
    ck_assert_str_eq(str(o, "nonce"), "0x10");
    ck_assert_str_eq(str(o, "gas"), "0x15f90");
    ck_assert_str_eq(str(o, "gasPrice"), "0x430e23400");
    ck_assert_str_eq(str(o, "value"), "0xde0b6b3a7640000");
    ck_assert_str_eq(str(o, "input"), "0x");
    ck_assert_str_eq(str(o, "to"), "0x0436b41bf91ea2b181cd4ce8918b0cfd320d884c");
    /* EIP-155 v for chain 1397769539: 2 * id + 35 or 36. */
    const char *v = str(o, "v");
    ck_assert(!strcmp(v, "0xa6a08aa9") || !strcmp(v, "0xa6a08aaa"));
    /* r and s are quantities: no leading zero digit. */
    ck_assert(strncmp(str(o, "r"), "0x0", 3) != 0 || strlen(str(o, "r")) == 3);
    ck_assert(strncmp(str(o, "s"), "0x0", 3) != 0 || strlen(str(o, "s")) == 3);
    json_decref(o);

    struct rpc_tx_loc loc = {hash_of(0x55), 7, 3};
    o = rpc_tx_json(&tx, &hash, &from, &loc);
    ck_assert_str_eq(str(o, "blockNumber"), "0x7");
    ck_assert_str_eq(str(o, "transactionIndex"), "0x3");
    ck_assert_str_eq(str(o, "blockHash"),
                     "0x5555555555555555555555555555555555555555555555555555555555555555");
    json_decref(o);
    tx_free(&tx);
}
END_TEST

START_TEST(receipt_with_logs_and_creation)
{
    /* The contract created by 0x6ac7ea33f8831ea9dcc53393aaa88b25a785dbf0 with
     * nonce 1 is 0x343c43a37d37dff08ae8c4a11544c718abb4fcf8 (the well-known
     * keccak(rlp([sender, nonce])) example). */
    struct tx tx = make_tx(1, true, (const uint8_t *)"\x00", 1);
    struct address from = addr_of("0x6ac7ea33f8831ea9dcc53393aaa88b25a785dbf0");
    struct hash32 th = hash_of(0x99);
    struct receipt r;
    memset(&r, 0, sizeof r);
    r.status = true;
    r.cumulative_gas = 100000;
    struct log logs[2];
    memset(logs, 0, sizeof logs);
    struct hash32 topic = hash_of(0x0f);
    logs[0].address = addr_of("0x343c43a37d37dff08ae8c4a11544c718abb4fcf8");
    logs[0].topics = &topic;
    logs[0].topic_count = 1;
    uint8_t data[2] = {0x12, 0x34};
    logs[1].data = data;
    logs[1].data_len = 2;
    r.logs = logs;
    r.log_count = 2;
    struct rpc_tx_loc loc = {hash_of(0x44), 9, 2};
    json_t *o = rpc_receipt_json(&r, &tx, &th, &from, &loc, 53000, 5);
    ck_assert_ptr_nonnull(o);
    ck_assert_str_eq(str(o, "status"), "0x1");
    ck_assert_str_eq(str(o, "gasUsed"), "0xcf08");
    ck_assert_str_eq(str(o, "cumulativeGasUsed"), "0x186a0");
    ck_assert_str_eq(str(o, "contractAddress"), "0x343c43a37d37dff08ae8c4a11544c718abb4fcf8");
    ck_assert(json_is_null(json_object_get(o, "to")));
    ck_assert_str_eq(str(o, "from"), "0x6ac7ea33f8831ea9dcc53393aaa88b25a785dbf0");
    ck_assert_str_eq(str(o, "transactionIndex"), "0x2");
    ck_assert_str_eq(str(o, "blockNumber"), "0x9");
    ck_assert_ptr_null(json_object_get(o, "root"));
    json_t *jl = json_object_get(o, "logs");
    ck_assert_uint_eq(json_array_size(jl), 2);
    json_t *l0 = json_array_get(jl, 0), *l1 = json_array_get(jl, 1);
    ck_assert_str_eq(str(l0, "logIndex"), "0x5");
    ck_assert_str_eq(str(l1, "logIndex"), "0x6");
    ck_assert_str_eq(str(l0, "transactionHash"), str(o, "transactionHash"));
    ck_assert_str_eq(str(l0, "transactionIndex"), "0x2");
    ck_assert_str_eq(str(l0, "blockHash"), str(o, "blockHash"));
    ck_assert_uint_eq(json_array_size(json_object_get(l0, "topics")), 1);
    ck_assert_str_eq(str(l0, "data"), "0x");
    ck_assert_str_eq(str(l1, "data"), "0x1234");
    ck_assert(json_is_false(json_object_get(l0, "removed")));
    json_decref(o);

    /* A failed call: status 0x0, no contract address. */
    tx_free(&tx);
    tx = make_tx(2, false, NULL, 0);
    r.status = false;
    r.log_count = 0;
    o = rpc_receipt_json(&r, &tx, &th, &from, &loc, 21000, 0);
    ck_assert_str_eq(str(o, "status"), "0x0");
    ck_assert(json_is_null(json_object_get(o, "contractAddress")));
    ck_assert_uint_eq(json_array_size(json_object_get(o, "logs")), 0);
    json_decref(o);

    /* A removed log (for subscribers of a reorg). */
    struct rpc_log_loc ll = {hash_of(1), 3, hash_of(2), 0, 0};
    o = rpc_log_json(&logs[0], &ll, true);
    ck_assert(json_is_true(json_object_get(o, "removed")));
    json_decref(o);
    tx_free(&tx);
}
END_TEST

/* ---- arguments ---------------------------------------------------------------------- */

static atomic_bool never;

static void ctx_init(struct rpc_ctx *ctx)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->cancelled = &never;
}

/* Parses params_json's argument 0 as a block ref; returns its error text or
 * NULL. */
static const char *block_ref(const char *params_json, bool allow_hash, struct rpc_block_ref *ref)
{
    static struct rpc_ctx ctx;
    static char msg[RPC_ERRMSG_MAX];
    ctx_init(&ctx);
    json_t *params = json_loads(params_json, 0, NULL);
    ck_assert_ptr_nonnull(params);
    int rc = rpc_param_block_ref(&ctx, params, 0, allow_hash, ref);
    json_decref(params);
    if (rc == 0) {
        ck_assert_int_eq(ctx.err.code, 0);
        return NULL;
    }
    ck_assert_int_eq(ctx.err.code, RPC_INVALID_PARAMS);
    snprintf(msg, sizeof msg, "%s", ctx.err.message);
    rpc_error_clear(&ctx.err);
    return msg;
}

START_TEST(block_tags)
{
    struct rpc_block_ref r;
    ck_assert_ptr_null(block_ref("[\"latest\"]", false, &r));
    ck_assert_int_eq(r.kind, RPC_BLOCK_LATEST);
    ck_assert_ptr_null(block_ref("[\"earliest\"]", false, &r));
    ck_assert_int_eq(r.kind, RPC_BLOCK_EARLIEST);
    ck_assert_ptr_null(block_ref("[\"pending\"]", false, &r));
    ck_assert_int_eq(r.kind, RPC_BLOCK_PENDING);
    ck_assert_ptr_null(block_ref("[]", false, &r));
    ck_assert_int_eq(r.kind, RPC_BLOCK_LATEST);
    ck_assert_ptr_null(block_ref("[\"0x0\"]", false, &r));
    ck_assert_int_eq(r.kind, RPC_BLOCK_NUMBER);
    ck_assert_uint_eq(r.number, 0);
    ck_assert_ptr_null(block_ref("[\"0x1A\"]", false, &r));
    ck_assert_uint_eq(r.number, 26);
    ck_assert_ptr_null(block_ref("[{\"blockNumber\": \"0x5\"}]", false, &r));
    ck_assert_int_eq(r.kind, RPC_BLOCK_NUMBER);
    ck_assert_uint_eq(r.number, 5);

    ck_assert_str_eq(block_ref("[\"10\"]", false, &r),
                     "invalid argument 0: hex string without 0x prefix");
    ck_assert_str_eq(block_ref("[\"0x\"]", false, &r), "invalid argument 0: hex string \"0x\"");
    ck_assert_str_eq(block_ref("[\"0x01\"]", false, &r),
                     "invalid argument 0: hex number with leading zero digits");
    ck_assert_str_eq(block_ref("[\"0x10000000000000000\"]", false, &r),
                     "invalid argument 0: hex number > 64 bits");
    ck_assert_str_eq(block_ref("[\"safe\"]", false, &r),
                     "invalid argument 0: hex string without 0x prefix");
    ck_assert_ptr_nonnull(block_ref("[12]", false, &r));

    const char *h = "[\"0x1111111111111111111111111111111111111111111111111111111111111111\"]";
    ck_assert_ptr_nonnull(block_ref(h, false, &r)); /* a hash is not a number */
    ck_assert_ptr_null(block_ref(h, true, &r));
    ck_assert_int_eq(r.kind, RPC_BLOCK_HASH);
    ck_assert_uint_eq(r.hash.b[31], 0x11);
    ck_assert_ptr_null(block_ref("[{\"blockHash\": \"0x2222222222222222222222222222222222222222"
                                 "222222222222222222222222\"}]", true, &r));
    ck_assert_int_eq(r.kind, RPC_BLOCK_HASH);
    ck_assert_uint_eq(r.hash.b[0], 0x22);
    ck_assert_ptr_nonnull(block_ref("[{\"blockHash\": \"0x22\"}]", true, &r));
    ck_assert_ptr_nonnull(block_ref("[{}]", true, &r));
}
END_TEST

START_TEST(addresses_and_hashes)
{
    struct rpc_ctx ctx;
    ctx_init(&ctx);
    json_t *p = json_loads("[\"0x0311aeB8DE32B9385E7cf31AB5C7225894c46645\", \"0x0311\", "
                           "\"0311aeb8de32b9385e7cf31ab5c7225894c46645\", 5, "
                           "\"0x0311aeb8de32b9385e7cf31ab5c7225894c4664z\"]", 0, NULL);
    struct address a;
    ck_assert_int_eq(rpc_param_address(&ctx, p, 0, &a), 0);
    ck_assert_uint_eq(a.b[0], 0x03);
    ck_assert_uint_eq(a.b[19], 0x45);
    ck_assert_int_eq(rpc_param_address(&ctx, p, 1, &a), -1);
    ck_assert_str_eq(ctx.err.message,
                     "invalid argument 1: hex string has length 4, want 40 for common.Address");
    ck_assert_int_eq(rpc_param_address(&ctx, p, 2, &a), -1);
    ck_assert_str_eq(ctx.err.message, "invalid argument 2: hex string without 0x prefix");
    ck_assert_int_eq(rpc_param_address(&ctx, p, 3, &a), -1);
    ck_assert_ptr_nonnull(strstr(ctx.err.message, "non-string"));
    ck_assert_int_eq(rpc_param_address(&ctx, p, 4, &a), -1);
    ck_assert_str_eq(ctx.err.message, "invalid argument 4: invalid hex string");
    ck_assert_int_eq(rpc_param_address(&ctx, p, 5, &a), -1);
    ck_assert_str_eq(ctx.err.message, "missing value for required argument 5");
    struct hash32 h;
    ck_assert_int_eq(rpc_param_hash(&ctx, p, 0, &h), -1);
    ck_assert_str_eq(ctx.err.message,
                     "invalid argument 0: hex string has length 40, want 64 for common.Hash");
    rpc_error_clear(&ctx.err);
    json_decref(p);

    /* Fields of an object name themselves. */
    json_t *v = json_string("0x01");
    u256 x;
    ck_assert_int_eq(rpc_json_to_u256(&ctx, v, 0, "value", &x), -1);
    ck_assert_str_eq(ctx.err.message,
                     "invalid argument 0: value: hex number with leading zero digits");
    json_decref(v);
    v = json_string("0xde0b6b3a7640000");
    ck_assert_int_eq(rpc_json_to_u256(&ctx, v, 0, "value", &x), 0);
    u256 want = u256_from_u64(0xde0b6b3a7640000ull);
    ck_assert(u256_eq(&x, &want));
    json_decref(v);
    v = json_string("12");
    uint64_t q;
    ck_assert_int_eq(rpc_json_to_quantity(&ctx, v, 0, "gas", &q), -1);
    ck_assert_str_eq(ctx.err.message, "invalid argument 0: gas: hex string without 0x prefix");
    json_decref(v);
    v = json_string("0x5208");
    ck_assert_int_eq(rpc_json_to_quantity(&ctx, v, 0, "gas", &q), 0);
    ck_assert_uint_eq(q, 21000);
    json_decref(v);
    rpc_error_clear(&ctx.err);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("rpc_chain");
    TCase *tc = tcase_create("json");
    tcase_add_test(tc, quantities_and_data);
    tcase_add_test(tc, header_as_newheads);
    tcase_add_test(tc, block_hides_the_chief_tx);
    tcase_add_test(tc, tx_pending_and_mined);
    tcase_add_test(tc, receipt_with_logs_and_creation);
    suite_add_tcase(s, tc);
    tc = tcase_create("args");
    tcase_add_test(tc, block_tags);
    tcase_add_test(tc, addresses_and_hashes);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
