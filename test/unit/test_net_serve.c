/*
 * test_net_serve.c — eth requests answered from a chain database
 * (net/eth_serve.h). A 50-block chain with transfers (and two side blocks
 * at heights 10 and 11) is built once with the chain harness; every answer
 * is decoded with the eth_msg.h decoders and compared with what chaindb
 * reads independently: headers by number and by hash, forward and reverse,
 * with skips, past the head, by unknown hashes and from a side chain;
 * bodies and receipts with unknown hashes mixed in; node data for the state
 * root and a contract's code; the item caps; the 2 MiB soft limit on a
 * chain of 64 KiB blocks; damaged and missing records left out.
 */
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chain/chain.h"
#include "chain_harness.h"
#include "crypto/keccak.h"
#include "net/eth_msg.h"
#include "net/eth_serve.h"
#include "state/state.h"
#include "storage/trie_db.h"
#include "util/err.h"

#define CHAIN_LEN 50

static char dir[4096];
static struct hash32 canon[CHAIN_LEN + 1];     /* canonical hashes by number */
static struct hash32 side10, side11;           /* side blocks on block 9 */
static struct hash32 head_root, chief_code_hash;

/* Builds a block on `parent` (state read from db) and inserts it. */
static void add_block(struct chain *c, const struct chain_params *p, const struct header *parent,
                      const struct tx *txs, size_t n, uint64_t difficulty,
                      enum chain_insert_status want, struct hash32 *hash)
{
    struct trie_db tdb;
    trie_db_init(&tdb, c->db, NULL, NULL);
    struct trie_store store = trie_db_store(&tdb);
    struct chain_exec_result r;
    struct block b;
    ck_assert_msg(ch_build_block(p, &store, parent, txs, n, &b, &r) == 0, "%s", err_msg());
    b.header.difficulty = u256_from_u64(difficulty);
    chain_exec_result_free(&r);
    trie_db_release(&tdb);
    enum chain_insert_status status;
    ck_assert_msg(chain_insert_block_unchecked(c, &b, NULL, &status) == 0, "%s", err_msg());
    ck_assert_int_eq(status, want);
    ck_assert_int_eq(header_hash(&b.header, hash), 0);
    block_free(&b);
}

/* Block i carries i % 5 transfers (none every fifth block). */
static void build_chain(void)
{
    ch_tmpdir(dir, sizeof dir, "test_net_serve");
    struct chain_params p = ch_params();
    struct genesis g;
    ch_genesis(&g, 4, 1000000000000000000ull, 10000000);
    struct db *db;
    ck_assert_int_eq(db_open(dir, NULL, &db), 0);
    struct chain *c;
    ck_assert_msg(chain_open(db, &p, &g, &c) == 0, "%s", err_msg());
    canon[0] = c->genesis_hash;
    uint64_t nonce[4] = {0};
    struct address to;
    uint8_t sk[32];
    ch_key(9, sk, &to);
    for (uint64_t i = 1; i <= CHAIN_LEN; i++) {
        struct tx txs[4];
        size_t n = i % 5;
        for (size_t k = 0; k < n; k++)
            txs[k] = ch_tx((int)k, nonce[k]++, &to, i * 10 + k, 21000, 1, NULL, 0, p.chain_id);
        struct header parent;
        ck_assert_int_eq(header_copy(&parent, &c->head), 0);
        add_block(c, &p, &parent, txs, n, 2, CHAIN_INSERT_HEAD, &canon[i]);
        header_free(&parent);
        for (size_t k = 0; k < n; k++)
            tx_free(&txs[k]);
    }
    /* two lighter side blocks on block 9 */
    struct header h9, hs10;
    ck_assert_int_eq(chaindb_read_header(db, NULL, &canon[9], &h9), 0);
    add_block(c, &p, &h9, NULL, 0, 1, CHAIN_INSERT_SIDE, &side10);
    ck_assert_int_eq(chaindb_read_header(db, NULL, &side10, &hs10), 0);
    add_block(c, &p, &hs10, NULL, 0, 1, CHAIN_INSERT_SIDE, &side11);
    header_free(&h9);
    header_free(&hs10);

    head_root = c->head.state_root;
    struct trie_db tdb;
    trie_db_init(&tdb, db, NULL, NULL);
    struct trie_store store = trie_db_store(&tdb);
    struct state *st;
    ck_assert_int_eq(state_open(&store, head_root.b, &st), 0);
    state_get_code_hash(st, &CH_CHIEF, &chief_code_hash);
    ck_assert_int_eq(state_error(st), 0);
    state_free(st);
    trie_db_release(&tdb);
    chain_close(c);
    genesis_free(&g);
    db_close(db);
}

static void remove_chain(void)
{
    ch_rmdir(dir);
}

static struct db *open_db(const char *path)
{
    struct db *db;
    ck_assert_int_eq(db_open(path, NULL, &db), 0);
    return db;
}

/* Serves q and checks the answer is exactly the headers `want` (n of them). */
static void check_headers(struct db *db, const struct eth_get_headers *q,
                          const struct hash32 *want, size_t n)
{
    struct bytes out = BYTES_INIT;
    size_t count = 999;
    ck_assert_msg(eth_serve_headers(db, q, &out, &count) == 0, "%s", err_msg());
    ck_assert_uint_eq(count, n);
    struct eth_headers got;
    ck_assert_msg(eth_block_headers_decode(out.data, out.len, &got) == 0, "%s", err_msg());
    ck_assert_uint_eq(got.count, n);
    for (size_t i = 0; i < n; i++) {
        char a[HASH32_HEX_SIZE], b[HASH32_HEX_SIZE];
        hash32_to_hex(&got.items[i].hash, a);
        hash32_to_hex(&want[i], b);
        ck_assert_msg(hash32_eq(&got.items[i].hash, &want[i]), "header %zu: got %s want %s", i,
                      a, b);
    }
    eth_headers_free(&got);
    bytes_free(&out);
}

static void by_number(struct db *db, uint64_t origin, uint64_t amount, uint64_t skip,
                      bool reverse, const uint64_t *numbers, size_t n)
{
    struct eth_get_headers q = {false, {{0}}, origin, amount, skip, reverse};
    struct hash32 want[CHAIN_LEN + 1];
    ck_assert_uint_le(n, CHAIN_LEN + 1);
    for (size_t i = 0; i < n; i++)
        want[i] = canon[numbers[i]];
    check_headers(db, &q, want, n);
}

START_TEST(headers_by_number)
{
    struct db *db = open_db(dir);
    uint64_t all[CHAIN_LEN + 1];
    for (uint64_t i = 0; i <= CHAIN_LEN; i++)
        all[i] = i;
    by_number(db, 5, 10, 0, false, all + 5, 10);
    by_number(db, 2, 5, 3, false, (const uint64_t[]){2, 6, 10, 14, 18}, 5);
    by_number(db, 20, 10, 2, true, (const uint64_t[]){20, 17, 14, 11, 8, 5, 2}, 7);
    by_number(db, 3, 10, 0, true, (const uint64_t[]){3, 2, 1, 0}, 4);
    /* past the head: the walk ends at block 50 */
    by_number(db, 45, 20, 0, false, all + 45, 6);
    by_number(db, 40, 5, 9, false, (const uint64_t[]){40, 50}, 2);
    by_number(db, 60, 5, 0, false, NULL, 0);
    by_number(db, 60, 5, 0, true, NULL, 0);
    by_number(db, 0, 1000, 0, false, all, CHAIN_LEN + 1);
    by_number(db, 7, 0, 0, false, NULL, 0);
    /* skips that would overflow 64 bits end the walk */
    by_number(db, 1, 5, UINT64_MAX, false, all + 1, 1);
    by_number(db, 1, 5, UINT64_MAX - 1, false, all + 1, 1);
    by_number(db, 50, 5, UINT64_MAX, true, all + 50, 1);
    db_close(db);
}
END_TEST

START_TEST(headers_by_hash)
{
    struct db *db = open_db(dir);
    struct eth_get_headers q = {true, canon[30], 0, 4, 1, false};
    check_headers(db, &q, (const struct hash32[]){canon[30], canon[32], canon[34], canon[36]}, 4);
    q.amount = 3;
    q.skip = 0;
    q.reverse = true;
    check_headers(db, &q, (const struct hash32[]){canon[30], canon[29], canon[28]}, 3);
    q.amount = 10;
    q.skip = 4;
    check_headers(db, &q,
                  (const struct hash32[]){canon[30], canon[25], canon[20], canon[15], canon[10],
                                          canon[5], canon[0]},
                  7);
    q.hash = canon[48];
    q.skip = 0;
    q.reverse = false;
    check_headers(db, &q, (const struct hash32[]){canon[48], canon[49], canon[50]}, 3);

    /* an unknown hash: an empty answer */
    q.hash = canon[30];
    q.hash.b[0] ^= 0xff;
    check_headers(db, &q, NULL, 0);

    /* from a side block: reverse follows its parents back into the
     * canonical chain; forward stops after it */
    q.hash = side11;
    q.amount = 5;
    q.reverse = true;
    check_headers(db, &q, (const struct hash32[]){side11, side10, canon[9], canon[8], canon[7]},
                  5);
    q.skip = 1;
    check_headers(db, &q, (const struct hash32[]){side11, canon[9], canon[7], canon[5], canon[3]},
                  5);
    q.hash = side10;
    q.skip = 0;
    q.reverse = false;
    check_headers(db, &q, (const struct hash32[]){side10}, 1);
    db_close(db);
}
END_TEST

START_TEST(bodies_with_unknown_hashes)
{
    struct db *db = open_db(dir);
    struct hash32 unknown = canon[7];
    unknown.b[5] ^= 1;
    const struct hash32 req[] = {canon[4], unknown, canon[7], canon[0], side10, unknown, canon[13]};
    const struct hash32 *known[] = {&canon[4], &canon[7], &canon[0], &side10, &canon[13]};
    struct bytes out = BYTES_INIT;
    size_t count;
    ck_assert_int_eq(eth_serve_bodies(db, req, 7, &out, &count), 0);
    ck_assert_uint_eq(count, 5);
    struct eth_bodies got;
    ck_assert_msg(eth_block_bodies_decode(out.data, out.len, &got) == 0, "%s", err_msg());
    ck_assert_uint_eq(got.count, 5);
    for (size_t i = 0; i < 5; i++) {
        struct block_body want;
        ck_assert_int_eq(chaindb_read_body(db, NULL, known[i], &want), 0);
        ck_assert_uint_eq(got.items[i].body.tx_count, want.tx_count);
        for (size_t k = 0; k < want.tx_count; k++) {
            uint8_t a[32], b[32];
            tx_hash(&want.txs[k], a);
            tx_hash(&got.items[i].body.txs[k], b);
            ck_assert_mem_eq(a, b, 32);
        }
        block_body_free(&want);
    }
    ck_assert_uint_eq(got.items[0].body.tx_count, 4);   /* block 4 has 4 transfers */
    eth_bodies_free(&got);

    /* the item cap: 200 requests for the same body get 128 answers */
    struct hash32 many[200];
    for (int i = 0; i < 200; i++)
        many[i] = canon[3];
    bytes_reset(&out);
    ck_assert_int_eq(eth_serve_bodies(db, many, 200, &out, &count), 0);
    ck_assert_uint_eq(count, ETH_MAX_BODIES);
    ck_assert_int_eq(eth_block_bodies_decode(out.data, out.len, &got), 0);
    ck_assert_uint_eq(got.count, ETH_MAX_BODIES);
    eth_bodies_free(&got);

    /* nothing asked, nothing known: the empty list */
    bytes_reset(&out);
    ck_assert_int_eq(eth_serve_bodies(db, &unknown, 1, &out, &count), 0);
    ck_assert_uint_eq(count, 0);
    ck_assert_uint_eq(out.len, 1);
    ck_assert_int_eq(out.data[0], 0xc0);
    bytes_free(&out);
    db_close(db);
}
END_TEST

START_TEST(receipts_with_unknown_hashes)
{
    struct db *db = open_db(dir);
    struct hash32 unknown = canon[2];
    unknown.b[31] ^= 1;
    const struct hash32 req[] = {canon[3], unknown, canon[5], canon[0], canon[49]};
    const struct hash32 *known[] = {&canon[3], &canon[5], &canon[0], &canon[49]};
    struct bytes out = BYTES_INIT;
    size_t count;
    ck_assert_int_eq(eth_serve_receipts(db, req, 5, &out, &count), 0);
    ck_assert_uint_eq(count, 4);
    struct eth_receipts got;
    ck_assert_msg(eth_receipts_decode(out.data, out.len, &got) == 0, "%s", err_msg());
    ck_assert_uint_eq(got.count, 4);
    for (size_t i = 0; i < 4; i++) {
        struct receipt *want;
        size_t n;
        ck_assert_int_eq(chaindb_read_receipts(db, NULL, known[i], &want, &n), 0);
        ck_assert_uint_eq(got.items[i].count, n);
        for (size_t k = 0; k < n; k++) {
            ck_assert_uint_eq(got.items[i].receipts[k].cumulative_gas, want[k].cumulative_gas);
            ck_assert(got.items[i].receipts[k].status);
        }
        chaindb_receipts_free(want, n);
    }
    ck_assert_uint_eq(got.items[0].count, 3);
    ck_assert_uint_eq(got.items[0].receipts[2].cumulative_gas, 3 * 21000);
    ck_assert_uint_eq(got.items[1].count, 0);   /* block 5 is empty */
    eth_receipts_free(&got);

    struct hash32 many[300];
    for (int i = 0; i < 300; i++)
        many[i] = canon[1];
    bytes_reset(&out);
    ck_assert_int_eq(eth_serve_receipts(db, many, 300, &out, &count), 0);
    ck_assert_uint_eq(count, ETH_MAX_RECEIPTS);
    ck_assert_int_eq(eth_receipts_decode(out.data, out.len, &got), 0);
    ck_assert_uint_eq(got.count, ETH_MAX_RECEIPTS);
    eth_receipts_free(&got);
    bytes_free(&out);
    db_close(db);
}
END_TEST

START_TEST(node_data_state_and_code)
{
    struct db *db = open_db(dir);
    struct hash32 unknown = head_root, empty_code;
    unknown.b[0] ^= 0x80;
    keccak256(NULL, 0, empty_code.b);   /* empty code is never stored */
    const struct hash32 req[] = {head_root, unknown, chief_code_hash, empty_code, head_root};
    struct bytes out = BYTES_INIT;
    size_t count;
    ck_assert_int_eq(eth_serve_node_data(db, req, 5, &out, &count), 0);
    ck_assert_uint_eq(count, 3);
    struct eth_node_data got;
    ck_assert_msg(eth_node_data_decode(out.data, out.len, &got) == 0, "%s", err_msg());
    ck_assert_uint_eq(got.count, 3);
    const struct hash32 *want[] = {&head_root, &chief_code_hash, &head_root};
    for (size_t i = 0; i < 3; i++) {
        uint8_t h[32];
        keccak256(got.items[i].data, got.items[i].len, h);
        ck_assert_mem_eq(h, want[i]->b, 32);
    }
    /* the state root is a trie node (an RLP list); the code is the chief's */
    ck_assert_int_ge(got.items[0].data[0], 0xc0);
    static const uint8_t chief_code[] = {0x60, 0x01, 0x60, 0x00, 0x55, 0x00};
    ck_assert_uint_eq(got.items[1].len, sizeof chief_code);
    ck_assert_mem_eq(got.items[1].data, chief_code, sizeof chief_code);
    eth_node_data_free(&got);

    struct hash32 many[400];
    for (int i = 0; i < 400; i++)
        many[i] = chief_code_hash;
    bytes_reset(&out);
    ck_assert_int_eq(eth_serve_node_data(db, many, 400, &out, &count), 0);
    ck_assert_uint_eq(count, ETH_MAX_NODE_DATA);
    bytes_free(&out);
    db_close(db);
}
END_TEST

START_TEST(request_dispatch)
{
    struct db *db = open_db(dir);
    struct bytes req = BYTES_INIT, out = BYTES_INIT, direct = BYTES_INIT;
    uint64_t reply = 0;
    size_t count;
    struct eth_get_headers q = {false, {{0}}, 10, 3, 0, true};
    eth_get_headers_encode(&q, &req);
    ck_assert_int_eq(eth_serve_request(db, 63, ETH_GET_BLOCK_HEADERS, req.data, req.len, &reply,
                                       &out, &count), 0);
    ck_assert_uint_eq(reply, ETH_BLOCK_HEADERS);
    ck_assert_uint_eq(count, 3);
    ck_assert_int_eq(eth_serve_headers(db, &q, &direct, NULL), 0);
    ck_assert_uint_eq(out.len, direct.len);
    ck_assert_mem_eq(out.data, direct.data, out.len);

    const struct hash32 hs[] = {canon[1], canon[2]};
    const uint64_t codes[] = {ETH_GET_BLOCK_BODIES, ETH_GET_RECEIPTS, ETH_GET_NODE_DATA};
    const uint64_t replies[] = {ETH_BLOCK_BODIES, ETH_RECEIPTS, ETH_NODE_DATA};
    const size_t counts[] = {2, 2, 0};
    for (int i = 0; i < 3; i++) {
        bytes_reset(&req);
        bytes_reset(&out);
        eth_hashes_encode(hs, 2, &req);
        ck_assert_int_eq(eth_serve_request(db, 63, codes[i], req.data, req.len, &reply, &out,
                                           &count), 0);
        ck_assert_uint_eq(reply, replies[i]);
        ck_assert_uint_eq(count, counts[i]);
    }
    /* eth/62 has no GetNodeData; answers and announcements are not requests */
    bytes_reset(&out);
    ck_assert_int_eq(eth_serve_request(db, 62, ETH_GET_NODE_DATA, req.data, req.len, &reply, &out,
                                       &count), ERR_INVAL);
    ck_assert_int_eq(eth_serve_request(db, 63, ETH_BLOCK_HEADERS, req.data, req.len, &reply, &out,
                                       &count), ERR_INVAL);
    ck_assert_int_eq(eth_serve_request(db, 63, ETH_STATUS, req.data, req.len, &reply, &out,
                                       &count), ERR_INVAL);
    ck_assert_uint_eq(out.len, 0);
    /* a malformed request is the decoder's error */
    static const uint8_t bad[] = {0xc1, 0xc0};
    ck_assert_int_eq(eth_serve_request(db, 63, ETH_GET_BLOCK_BODIES, bad, sizeof bad, &reply,
                                       &out, &count), ERR_DECODE);
    ck_assert_int_eq(eth_serve_request(db, 63, ETH_GET_BLOCK_HEADERS, bad, sizeof bad, &reply,
                                       &out, &count), ERR_DECODE);
    ck_assert_uint_eq(out.len, 0);
    bytes_free(&req);
    bytes_free(&out);
    bytes_free(&direct);
    db_close(db);
}
END_TEST

/* Copies the flat LevelDB directory src to a fresh directory (path in dst). */
static void copy_db(const char *src, char *dst, size_t size)
{
    ch_tmpdir(dst, size, "test_net_serve_copy");
    DIR *dp = opendir(src);
    ck_assert_ptr_nonnull(dp);
    struct dirent *e;
    while ((e = readdir(dp)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || !strcmp(e->d_name, "LOCK"))
            continue;
        char a[4400], b[4400];
        snprintf(a, sizeof a, "%s/%s", src, e->d_name);
        snprintf(b, sizeof b, "%s/%s", dst, e->d_name);
        int in = open(a, O_RDONLY), out = open(b, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        ck_assert(in >= 0 && out >= 0);
        char buf[65536];
        ssize_t n;
        while ((n = read(in, buf, sizeof buf)) > 0)
            ck_assert_int_eq(write(out, buf, (size_t)n), n);
        close(in);
        close(out);
    }
    closedir(dp);
}

START_TEST(damaged_and_missing_records)
{
    char copy[4096];
    copy_db(dir, copy, sizeof copy);
    struct db *db = open_db(copy);
    uint8_t key[33];
    /* block 3's body: valid RLP, but not [[txs], [uncles]] */
    static const uint8_t notbody[] = {0xc2, 0x01, 0x02};
    chaindb_key_hash(key, CHAINDB_PREFIX_BODY, &canon[3]);
    ck_assert_int_eq(db_put(db, key, 33, notbody, sizeof notbody, false), 0);
    /* block 4's header record holds block 5's header */
    uint8_t *v;
    size_t vlen;
    chaindb_key_hash(key, CHAINDB_PREFIX_HEADER, &canon[5]);
    ck_assert_int_eq(db_get(db, NULL, key, 33, &v, &vlen), 0);
    chaindb_key_hash(key, CHAINDB_PREFIX_HEADER, &canon[4]);
    ck_assert_int_eq(db_put(db, key, 33, v, vlen, false), 0);
    free(v);
    /* receipts gone for block 10 (empty) and block 11 (one transfer) */
    chaindb_key_hash(key, CHAINDB_PREFIX_RECEIPTS, &canon[10]);
    ck_assert_int_eq(db_delete(db, key, 33, false), 0);
    chaindb_key_hash(key, CHAINDB_PREFIX_RECEIPTS, &canon[11]);
    ck_assert_int_eq(db_delete(db, key, 33, false), 0);
    /* a node that does not hash to its key */
    struct hash32 fake = head_root;
    fake.b[1] ^= 1;
    ck_assert_int_eq(db_put(db, fake.b, 32, notbody, sizeof notbody, false), 0);

    struct bytes out = BYTES_INIT;
    size_t count;
    const struct hash32 bodies[] = {canon[2], canon[3], canon[4]};
    ck_assert_int_eq(eth_serve_bodies(db, bodies, 3, &out, &count), 0);
    ck_assert_uint_eq(count, 2);
    struct eth_bodies got;
    ck_assert_int_eq(eth_block_bodies_decode(out.data, out.len, &got), 0);
    ck_assert_uint_eq(got.items[0].body.tx_count, 2);
    ck_assert_uint_eq(got.items[1].body.tx_count, 4);
    eth_bodies_free(&got);

    /* the walk stops at the damaged header */
    struct eth_get_headers q = {false, {{0}}, 2, 10, 0, false};
    check_headers(db, &q, (const struct hash32[]){canon[2], canon[3]}, 2);

    /* the empty block still gets its empty list; block 11 is left out */
    const struct hash32 rq[] = {canon[10], canon[11], canon[12]};
    bytes_reset(&out);
    ck_assert_int_eq(eth_serve_receipts(db, rq, 3, &out, &count), 0);
    ck_assert_uint_eq(count, 2);
    struct eth_receipts gr;
    ck_assert_int_eq(eth_receipts_decode(out.data, out.len, &gr), 0);
    ck_assert_uint_eq(gr.items[0].count, 0);
    ck_assert_uint_eq(gr.items[1].count, 2);
    eth_receipts_free(&gr);

    bytes_reset(&out);
    const struct hash32 nq[] = {fake, head_root};
    ck_assert_int_eq(eth_serve_node_data(db, nq, 2, &out, &count), 0);
    ck_assert_uint_eq(count, 1);
    bytes_free(&out);
    db_close(db);
    ch_rmdir(copy);
}
END_TEST

/* A chain of 40 blocks each holding one transfer with 64 KiB of data, then
 * 160 empty blocks: answers hit the soft limit and the header cap. */
START_TEST(soft_limit_and_header_cap)
{
    char big[4096];
    ch_tmpdir(big, sizeof big, "test_net_serve_big");
    struct chain_params p = ch_params();
    struct genesis g;
    ch_genesis(&g, 1, 1000000000000000000ull, 10000000);
    struct db *db = open_db(big);
    struct chain *c;
    ck_assert_msg(chain_open(db, &p, &g, &c) == 0, "%s", err_msg());
    enum { NBIG = 40, NALL = 200, DATA = 64 * 1024 };
    struct hash32 hashes[NALL];
    uint8_t *data = malloc(DATA);
    memset(data, 0x5a, DATA);
    struct address to;
    uint8_t sk[32];
    ch_key(9, sk, &to);
    for (int i = 0; i < NALL; i++) {
        struct tx t;
        size_t n = 0;
        if (i < NBIG) {
            t = ch_tx(0, (uint64_t)i, &to, 1, 21000 + 68 * DATA, 1, data, DATA, p.chain_id);
            n = 1;
        }
        struct header parent;
        ck_assert_int_eq(header_copy(&parent, &c->head), 0);
        add_block(c, &p, &parent, &t, n, 2, CHAIN_INSERT_HEAD, &hashes[i]);
        header_free(&parent);
        if (n)
            tx_free(&t);
    }
    free(data);
    chain_close(c);
    genesis_free(&g);

    struct bytes out = BYTES_INIT;
    size_t count;
    ck_assert_int_eq(eth_serve_bodies(db, hashes, NBIG, &out, &count), 0);
    ck_assert_uint_lt(count, NBIG);
    struct eth_bodies got;
    ck_assert_int_eq(eth_block_bodies_decode(out.data, out.len, &got), 0);
    ck_assert_uint_eq(got.count, count);
    /* the items before the last one stayed under the limit; with it, the
     * answer passed it */
    size_t before = 0;
    for (size_t i = 0; i + 1 < got.count; i++)
        before += got.items[i].raw.len;
    ck_assert_uint_lt(before, ETH_SOFT_RESPONSE_LIMIT);
    ck_assert_uint_ge(before + got.items[got.count - 1].raw.len, ETH_SOFT_RESPONSE_LIMIT);
    ck_assert_uint_eq(got.items[0].body.txs[0].data_len, DATA);
    eth_bodies_free(&got);

    /* 200 blocks after genesis, the header answer stops at 192 */
    struct eth_get_headers q = {false, {{0}}, 0, 1000, 0, false};
    bytes_reset(&out);
    ck_assert_int_eq(eth_serve_headers(db, &q, &out, &count), 0);
    ck_assert_uint_eq(count, ETH_MAX_HEADERS);
    struct eth_headers hs;
    ck_assert_int_eq(eth_block_headers_decode(out.data, out.len, &hs), 0);
    ck_assert_uint_eq(hs.items[ETH_MAX_HEADERS - 1].header.number, ETH_MAX_HEADERS - 1);
    eth_headers_free(&hs);
    /* reverse by hash from the head: on the canonical chain the walk uses
     * the index, so the non-canonical step budget (100) does not cut it */
    q.by_hash = true;
    q.hash = hashes[NALL - 1];
    q.reverse = true;
    bytes_reset(&out);
    ck_assert_int_eq(eth_serve_headers(db, &q, &out, &count), 0);
    ck_assert_uint_eq(count, ETH_MAX_HEADERS);
    ck_assert_int_eq(eth_block_headers_decode(out.data, out.len, &hs), 0);
    for (size_t i = 0; i < ETH_MAX_HEADERS; i++)
        ck_assert(hash32_eq(&hs.items[i].hash, &hashes[NALL - 1 - i]));
    eth_headers_free(&hs);
    bytes_free(&out);
    db_close(db);
    ch_rmdir(big);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("net_serve");
    TCase *tc = tcase_create("serve");
    tcase_add_unchecked_fixture(tc, build_chain, remove_chain);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, headers_by_number);
    tcase_add_test(tc, headers_by_hash);
    tcase_add_test(tc, bodies_with_unknown_hashes);
    tcase_add_test(tc, receipts_with_unknown_hashes);
    tcase_add_test(tc, node_data_state_and_code);
    tcase_add_test(tc, request_dispatch);
    tcase_add_test(tc, damaged_and_missing_records);
    tcase_add_test(tc, soft_limit_and_header_cap);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
