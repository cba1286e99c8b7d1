/*
 * test_net_wire.c — the devp2p base protocol messages (net/p2p_msg.h) and
 * the eth/62+63 messages (net/eth_msg.h): every message survives a round
 * trip; hand-built payloads of the wrong shape (list arity, 31-byte hashes,
 * integers above 64 or 256 bits, leading zeros, counts above the limits,
 * oversize payloads) are refused with an error that names what is wrong;
 * Disconnect is read in all the shapes peers send; capability negotiation
 * picks the highest common eth version; eth/62 has no 0x0d..0x10.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/keccak.h"
#include "net/eth_msg.h"
#include "net/p2p_msg.h"
#include "primitives/rlp.h"
#include "util/err.h"

/* ---- helpers ------------------------------------------------------------------ */

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(seed + i * 7);
}

static struct hash32 mkhash(uint8_t seed)
{
    struct hash32 h;
    fill(h.b, 32, seed);
    return h;
}

/* Asserts rc == want and that the error context contains `needle`. */
#define ck_err(expr, want, needle)                                                       \
    do {                                                                                 \
        int rc_ = (expr);                                                                \
        ck_assert_msg(rc_ == (want), "%s: got %d (%s), want %d", #expr, rc_, err_msg(),  \
                      (want));                                                           \
        ck_assert_msg(strstr(err_msg(), (needle)) != NULL, "%s: context \"%s\" lacks \"%s\"", \
                      #expr, err_msg(), (needle));                                       \
    } while (0)

static struct p2p_hello sample_hello(void)
{
    struct p2p_hello h;
    memset(&h, 0, sizeof h);
    h.version = P2P_VERSION;
    static const char id[] = "spectrumd/v0.1.0/linux-amd64";
    memcpy(h.client_id, id, sizeof id);
    h.client_id_len = sizeof id - 1;
    h.cap_count = eth_caps(h.caps);
    memcpy(h.caps[2].name, "les", 4);
    h.caps[2].version = 2;
    h.cap_count = 3;
    h.listen_port = 60303;
    fill(h.node_id, 64, 0x11);
    return h;
}

/* Encodes a hello by hand: nfields of [version, id, caps, port, node id,
 * extra...], with node id of idlen bytes. */
static void hand_hello(struct bytes *b, size_t nfields, size_t idlen)
{
    uint8_t node[80];
    fill(node, sizeof node, 3);
    size_t m = rlp_list_begin(b);
    rlp_put_u64(b, 5);
    rlp_put_bytes(b, (const uint8_t *)"x", 1);
    size_t c = rlp_list_begin(b);
    size_t e = rlp_list_begin(b);
    rlp_put_bytes(b, (const uint8_t *)"eth", 3);
    rlp_put_u64(b, 63);
    rlp_list_end(b, e);
    rlp_list_end(b, c);
    if (nfields > 3)
        rlp_put_u64(b, 30303);
    if (nfields > 4)
        rlp_put_bytes(b, node, idlen);
    for (size_t i = 5; i < nfields; i++) {
        size_t x = rlp_list_begin(b);
        rlp_put_u64(b, i);
        rlp_list_end(b, x);
    }
    rlp_list_end(b, m);
    ck_assert_int_eq(bytes_ok(b), 0);
}

/* ---- base protocol ------------------------------------------------------------ */

START_TEST(hello_round_trip)
{
    struct p2p_hello h = sample_hello(), got;
    struct bytes b = BYTES_INIT;
    ck_assert_int_eq(p2p_hello_encode(&h, &b), 0);
    ck_assert_int_eq(p2p_hello_decode(b.data, b.len, &got), 0);
    ck_assert_uint_eq(got.version, 5);
    ck_assert_str_eq(got.client_id, h.client_id);
    ck_assert_uint_eq(got.client_id_len, h.client_id_len);
    ck_assert_uint_eq(got.cap_count, 3);
    ck_assert_str_eq(got.caps[0].name, "eth");
    ck_assert_uint_eq(got.caps[0].version, 63);
    ck_assert_str_eq(got.caps[1].name, "eth");
    ck_assert_uint_eq(got.caps[1].version, 62);
    ck_assert_str_eq(got.caps[2].name, "les");
    ck_assert_uint_eq(got.listen_port, 60303);
    ck_assert_mem_eq(got.node_id, h.node_id, 64);

    /* EIP-8: fields after the fifth are ignored. */
    bytes_reset(&b);
    hand_hello(&b, 7, 64);
    ck_assert_msg(p2p_hello_decode(b.data, b.len, &got) == 0, "%s", err_msg());
    ck_assert_uint_eq(got.listen_port, 30303);
    ck_assert_uint_eq(got.cap_count, 1);

    /* The encoder refuses what the decoder could not read back. */
    h.cap_count = P2P_MAX_CAPS + 1;
    ck_assert_int_eq(p2p_hello_encode(&h, &b), ERR_INVAL);
    bytes_free(&b);
}
END_TEST

START_TEST(hello_rejects_bad_shapes)
{
    struct p2p_hello got;
    struct bytes b = BYTES_INIT;

    hand_hello(&b, 4, 64);
    ck_err(p2p_hello_decode(b.data, b.len, &got), ERR_DECODE, "4 fields");
    bytes_reset(&b);
    hand_hello(&b, 5, 63);
    ck_err(p2p_hello_decode(b.data, b.len, &got), ERR_DECODE, "node id");
    bytes_reset(&b);
    hand_hello(&b, 5, 65);
    ck_err(p2p_hello_decode(b.data, b.len, &got), ERR_DECODE, "node id");

    /* version of 9 bytes; version with a leading zero */
    static const uint8_t nine[9] = {1, 0, 0, 0, 0, 0, 0, 0, 0};
    static const uint8_t lead0[2] = {0, 5};
    for (int k = 0; k < 2; k++) {
        bytes_reset(&b);
        size_t m = rlp_list_begin(&b);
        if (k == 0)
            rlp_put_bytes(&b, nine, 9);
        else
            rlp_put_bytes(&b, lead0, 2);
        rlp_put_bytes(&b, NULL, 0);
        rlp_list_end(&b, rlp_list_begin(&b));
        rlp_put_u64(&b, 1);
        uint8_t id[64] = {0};
        rlp_put_bytes(&b, id, 64);
        rlp_list_end(&b, m);
        ck_err(p2p_hello_decode(b.data, b.len, &got), k == 0 ? ERR_RANGE : ERR_DECODE,
               "version");
    }

    /* a capability of the wrong arity, a name too long, too many caps */
    for (int k = 0; k < 3; k++) {
        bytes_reset(&b);
        size_t m = rlp_list_begin(&b);
        rlp_put_u64(&b, 5);
        rlp_put_bytes(&b, (const uint8_t *)"x", 1);
        size_t c = rlp_list_begin(&b);
        size_t ncaps = k == 2 ? P2P_MAX_CAPS + 1 : 1;
        for (size_t i = 0; i < ncaps; i++) {
            size_t e = rlp_list_begin(&b);
            char name[40];
            memset(name, 'a', sizeof name);
            rlp_put_bytes(&b, (const uint8_t *)name, k == 1 ? P2P_CAP_NAME_MAX + 1 : 3);
            if (k != 0)
                rlp_put_u64(&b, 1);
            rlp_list_end(&b, e);
        }
        rlp_list_end(&b, c);
        rlp_put_u64(&b, 1);
        uint8_t id[64] = {0};
        rlp_put_bytes(&b, id, 64);
        rlp_list_end(&b, m);
        ck_err(p2p_hello_decode(b.data, b.len, &got), k == 0 ? ERR_DECODE : ERR_RANGE,
               "capabilit");
    }

    /* client id above its bound */
    bytes_reset(&b);
    size_t m = rlp_list_begin(&b);
    rlp_put_u64(&b, 5);
    char longid[P2P_CLIENT_ID_MAX + 1];
    memset(longid, 'g', sizeof longid);
    rlp_put_bytes(&b, (const uint8_t *)longid, sizeof longid);
    rlp_list_end(&b, rlp_list_begin(&b));
    rlp_put_u64(&b, 1);
    uint8_t id[64] = {0};
    rlp_put_bytes(&b, id, 64);
    rlp_list_end(&b, m);
    ck_err(p2p_hello_decode(b.data, b.len, &got), ERR_RANGE, "client id");

    /* not a list; truncated; above the base protocol's size limit */
    static const uint8_t str[] = {0x83, 'a', 'b', 'c'};
    ck_assert_int_eq(p2p_hello_decode(str, sizeof str, &got), ERR_DECODE);
    bytes_reset(&b);
    hand_hello(&b, 5, 64);
    ck_assert_int_eq(p2p_hello_decode(b.data, b.len - 1, &got), ERR_DECODE);
    uint8_t *big = calloc(P2P_MAX_MSG_SIZE + 1, 1);
    ck_err(p2p_hello_decode(big, P2P_MAX_MSG_SIZE + 1, &got), ERR_RANGE, "exceeds");
    free(big);
    bytes_free(&b);
}
END_TEST

START_TEST(disconnect_variants)
{
    struct bytes b = BYTES_INIT;
    uint8_t r = 0xee;
    ck_assert_int_eq(p2p_disconnect_encode(P2P_DISC_TOO_MANY_PEERS, &b), 0);
    ck_assert_uint_eq(b.len, 2);
    ck_assert_int_eq(b.data[0], 0xc1);
    ck_assert_int_eq(p2p_disconnect_decode(b.data, b.len, &r), 0);
    ck_assert_int_eq(r, P2P_DISC_TOO_MANY_PEERS);
    for (unsigned v = 0; v < 256; v++) {
        bytes_reset(&b);
        p2p_disconnect_encode((uint8_t)v, &b);
        ck_assert_int_eq(p2p_disconnect_decode(b.data, b.len, &r), 0);
        ck_assert_uint_eq(r, v);
    }

    static const struct {
        uint8_t in[4];
        size_t len;
        int rc;
        uint8_t reason;
    } cases[] = {
        {{0x04}, 1, 0, 4},                  /* bare reason */
        {{0x10}, 1, 0, 0x10},
        {{0xc0}, 1, 0, 0},                  /* [] reads as "requested" */
        {{0x80}, 1, 0, 0},                  /* bare 0 */
        {{0xc1, 0x80}, 2, 0, 0},            /* [0] */
        {{0x00}, 1, 0, 0},                  /* a 0x00 byte */
        {{0xc1, 0x00}, 2, 0, 0},
        {{0xc2, 0x03, 0x07}, 3, 0, 3},      /* extra items ignored */
        {{0x82, 0x01, 0x02}, 3, ERR_RANGE, 0},   /* two-byte reason */
        {{0xc1, 0xc0}, 2, ERR_DECODE, 0},        /* a list as reason */
        {{0xc3, 0x01}, 2, ERR_DECODE, 0},        /* truncated */
        {{0xc1, 0x04, 0x04}, 3, ERR_DECODE, 0},  /* trailing bytes */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        r = 0xee;
        int rc = p2p_disconnect_decode(cases[i].in, cases[i].len, &r);
        ck_assert_msg(rc == cases[i].rc, "case %zu: rc %d", i, rc);
        if (rc == 0)
            ck_assert_msg(r == cases[i].reason, "case %zu: reason %u", i, r);
    }
    ck_assert_int_eq(p2p_disconnect_decode(NULL, 0, &r), ERR_DECODE);

    ck_assert_str_eq(p2p_disconnect_reason_name(P2P_DISC_TOO_MANY_PEERS), "too many peers");
    ck_assert_str_eq(p2p_disconnect_reason_name(P2P_DISC_SUBPROTOCOL_ERROR), "subprotocol error");
    ck_assert_str_eq(p2p_disconnect_reason_name(P2P_DISC_REQUESTED), "disconnect requested");
    ck_assert_str_eq(p2p_disconnect_reason_name(0x0c), "unknown reason");
    ck_assert_str_eq(p2p_disconnect_reason_name(300), "unknown reason");
    bytes_free(&b);
}
END_TEST

START_TEST(ping_pong)
{
    struct bytes b = BYTES_INIT;
    ck_assert_int_eq(p2p_ping_encode(&b), 0);
    ck_assert_int_eq(p2p_pong_encode(&b), 0);
    ck_assert_uint_eq(b.len, 2);
    ck_assert_int_eq(b.data[0], 0xc0);
    ck_assert_int_eq(b.data[1], 0xc0);
    ck_assert_int_eq(p2p_ping_decode(b.data, 1), 0);
    ck_assert_int_eq(p2p_ping_decode(NULL, 0), 0);
    uint8_t *big = calloc(P2P_MAX_MSG_SIZE + 1, 1);
    ck_assert_int_eq(p2p_ping_decode(big, P2P_MAX_MSG_SIZE + 1), ERR_RANGE);
    free(big);
    bytes_free(&b);
}
END_TEST

START_TEST(capability_negotiation)
{
    struct p2p_cap ours[2], theirs[4];
    size_t n = eth_caps(ours);
    ck_assert_uint_eq(n, 2);
    uint64_t v = 0;
    memset(theirs, 0, sizeof theirs);
    memcpy(theirs[0].name, "les", 4);
    theirs[0].version = 63;
    memcpy(theirs[1].name, "eth", 4);
    theirs[1].version = 62;
    memcpy(theirs[2].name, "eth", 4);
    theirs[2].version = 63;
    memcpy(theirs[3].name, "eth", 4);
    theirs[3].version = 64;
    ck_assert_int_eq(p2p_cap_negotiate(ours, n, theirs, 4, ETH_NAME, &v), 0);
    ck_assert_uint_eq(v, 63);
    ck_assert_int_eq(p2p_cap_negotiate(ours, n, theirs, 2, ETH_NAME, &v), 0);
    ck_assert_uint_eq(v, 62);
    /* les/63 is not eth/63; eth/64 alone is not ours */
    ck_err(p2p_cap_negotiate(ours, n, theirs, 1, ETH_NAME, &v), ERR_NOTFOUND, "eth");
    ck_assert_int_eq(p2p_cap_negotiate(ours, n, theirs + 3, 1, ETH_NAME, &v), ERR_NOTFOUND);
    ck_assert_int_eq(p2p_cap_negotiate(ours, n, NULL, 0, ETH_NAME, &v), ERR_NOTFOUND);

    /* through a Hello on the wire */
    struct p2p_hello h = sample_hello(), got;
    struct bytes b = BYTES_INIT;
    h.caps[0].version = 62;     /* eth/62, eth/62, les/2 */
    p2p_hello_encode(&h, &b);
    ck_assert_int_eq(p2p_hello_decode(b.data, b.len, &got), 0);
    ck_assert_int_eq(p2p_cap_negotiate(ours, n, got.caps, got.cap_count, ETH_NAME, &v), 0);
    ck_assert_uint_eq(v, 62);
    bytes_free(&b);

    ck_assert_uint_eq(eth_proto_length(63), 17);
    ck_assert_uint_eq(eth_proto_length(62), 8);
    ck_assert_uint_eq(eth_proto_length(64), 0);
    ck_assert(eth_code_valid(62, ETH_NEW_BLOCK));
    ck_assert(!eth_code_valid(62, ETH_GET_NODE_DATA));
    ck_assert(!eth_code_valid(62, ETH_RECEIPTS));
    ck_assert(eth_code_valid(63, ETH_GET_NODE_DATA));
    ck_assert(eth_code_valid(63, ETH_RECEIPTS));
    ck_assert(!eth_code_valid(63, 0x08));
    ck_assert(!eth_code_valid(63, 0x0c));
    ck_assert(!eth_code_valid(63, 0x11));
}
END_TEST

/* ---- eth: Status, NewBlockHashes, GetBlockHeaders --------------------------------- */

static void hand_status(struct bytes *b, size_t nfields, size_t hashlen, const uint8_t *td,
                        size_t tdlen)
{
    uint8_t h[33];
    fill(h, sizeof h, 9);
    size_t m = rlp_list_begin(b);
    rlp_put_u64(b, 63);
    rlp_put_u64(b, 1);
    rlp_put_bytes(b, td, tdlen);
    rlp_put_bytes(b, h, hashlen);
    if (nfields > 4)
        rlp_put_bytes(b, h, 32);
    if (nfields > 5)
        rlp_put_u64(b, 0);
    rlp_list_end(b, m);
}

START_TEST(status_round_trip_and_errors)
{
    struct eth_status s = {63, 8888, u256_max(), mkhash(1), mkhash(2)}, got;
    struct bytes b = BYTES_INIT;
    ck_assert_int_eq(eth_status_encode(&s, &b), 0);
    ck_assert_int_eq(eth_status_decode(b.data, b.len, &got), 0);
    ck_assert_uint_eq(got.protocol_version, 63);
    ck_assert_uint_eq(got.network_id, 8888);
    ck_assert(u256_eq(&got.td, &s.td));
    ck_assert(hash32_eq(&got.best_hash, &s.best_hash));
    ck_assert(hash32_eq(&got.genesis_hash, &s.genesis_hash));
    ck_assert_int_eq(eth_status_check(&s, &got), 0);

    static const uint8_t td1[1] = {5}, td33[33] = {1}, td0[2] = {0, 5};
    bytes_reset(&b);
    hand_status(&b, 5, 32, td1, 1);
    ck_assert_int_eq(eth_status_decode(b.data, b.len, &got), 0);
    ck_assert_uint_eq(got.td.w[0], 5);
    bytes_reset(&b);
    hand_status(&b, 4, 32, td1, 1);
    ck_err(eth_status_decode(b.data, b.len, &got), ERR_DECODE, "Status");
    bytes_reset(&b);
    hand_status(&b, 6, 32, td1, 1);
    ck_err(eth_status_decode(b.data, b.len, &got), ERR_DECODE, "Status");
    bytes_reset(&b);
    hand_status(&b, 5, 31, td1, 1);
    ck_err(eth_status_decode(b.data, b.len, &got), ERR_DECODE, "best hash");
    bytes_reset(&b);
    hand_status(&b, 5, 32, td33, 33);
    ck_err(eth_status_decode(b.data, b.len, &got), ERR_RANGE, "td");
    bytes_reset(&b);
    hand_status(&b, 5, 32, td0, 2);
    ck_err(eth_status_decode(b.data, b.len, &got), ERR_DECODE, "td");

    /* network id above 2^64-1 */
    bytes_reset(&b);
    static const uint8_t nine[9] = {1};
    size_t m = rlp_list_begin(&b);
    rlp_put_u64(&b, 63);
    rlp_put_bytes(&b, nine, 9);
    rlp_put_u64(&b, 1);
    rlp_put_bytes(&b, s.best_hash.b, 32);
    rlp_put_bytes(&b, s.best_hash.b, 32);
    rlp_list_end(&b, m);
    ck_err(eth_status_decode(b.data, b.len, &got), ERR_RANGE, "network id");

    /* the handshake's comparisons */
    got = s;
    got.genesis_hash.b[31] ^= 1;
    ck_err(eth_status_check(&s, &got), ERR_INVAL, "genesis");
    got = s;
    got.network_id = 1;
    ck_err(eth_status_check(&s, &got), ERR_INVAL, "network id");
    got = s;
    got.protocol_version = 62;
    ck_err(eth_status_check(&s, &got), ERR_INVAL, "protocol version");
    bytes_free(&b);
}
END_TEST

START_TEST(new_block_hashes)
{
    struct eth_announce in[3] = {{mkhash(1), 0}, {mkhash(2), 1000}, {mkhash(3), UINT64_MAX}};
    struct eth_announces got;
    struct bytes b = BYTES_INIT;
    ck_assert_int_eq(eth_new_block_hashes_encode(in, 3, &b), 0);
    ck_assert_int_eq(eth_new_block_hashes_decode(b.data, b.len, &got), 0);
    ck_assert_uint_eq(got.count, 3);
    for (int i = 0; i < 3; i++) {
        ck_assert(hash32_eq(&got.items[i].hash, &in[i].hash));
        ck_assert_uint_eq(got.items[i].number, in[i].number);
    }
    eth_announces_free(&got);

    bytes_reset(&b);
    eth_new_block_hashes_encode(NULL, 0, &b);
    ck_assert_int_eq(eth_new_block_hashes_decode(b.data, b.len, &got), 0);
    ck_assert_uint_eq(got.count, 0);

    /* [hash, number, extra]; 31-byte hash; 9-byte number; not a list */
    for (int k = 0; k < 3; k++) {
        bytes_reset(&b);
        size_t m = rlp_list_begin(&b);
        size_t e = rlp_list_begin(&b);
        rlp_put_bytes(&b, in[0].hash.b, k == 1 ? 31 : 32);
        if (k == 2) {
            static const uint8_t nine[9] = {1};
            rlp_put_bytes(&b, nine, 9);
        } else {
            rlp_put_u64(&b, 0x0102030405060708ull);   /* keeps the entry >= 35 bytes */
        }
        if (k == 0)
            rlp_put_u64(&b, 7);
        rlp_list_end(&b, e);
        rlp_list_end(&b, m);
        ck_err(eth_new_block_hashes_decode(b.data, b.len, &got), k == 2 ? ERR_RANGE : ERR_DECODE,
               "announcement 0");
        ck_assert_ptr_null(got.items);
    }
    static const uint8_t str[] = {0x80};
    ck_err(eth_new_block_hashes_decode(str, 1, &got), ERR_DECODE, "expected a list");
    bytes_free(&b);
}
END_TEST

START_TEST(get_block_headers)
{
    struct eth_get_headers q = {true, mkhash(4), 0, 192, 3, true}, got;
    struct bytes b = BYTES_INIT;
    ck_assert_int_eq(eth_get_headers_encode(&q, &b), 0);
    ck_assert_int_eq(eth_get_headers_decode(b.data, b.len, &got), 0);
    ck_assert(got.by_hash);
    ck_assert(hash32_eq(&got.hash, &q.hash));
    ck_assert_uint_eq(got.amount, 192);
    ck_assert_uint_eq(got.skip, 3);
    ck_assert(got.reverse);

    struct eth_get_headers qn = {false, {{0}}, UINT64_MAX, 100000, 0, false};
    bytes_reset(&b);
    eth_get_headers_encode(&qn, &b);
    ck_assert_int_eq(eth_get_headers_decode(b.data, b.len, &got), 0);
    ck_assert(!got.by_hash);
    ck_assert_uint_eq(got.number, UINT64_MAX);
    ck_assert_uint_eq(got.amount, 100000);      /* kept as sent; serving caps it */
    ck_assert(!got.reverse);

    /* origin: 0 and a small number */
    bytes_reset(&b);
    qn.number = 0;
    eth_get_headers_encode(&qn, &b);
    ck_assert_int_eq(eth_get_headers_decode(b.data, b.len, &got), 0);
    ck_assert_uint_eq(got.number, 0);

    static const uint8_t o31[31] = {1}, o9[9] = {1}, o0[2] = {0, 1};
    const struct {
        const uint8_t *origin;
        size_t olen;
        size_t nfields;
        uint64_t reverse;
        int rc;
        const char *needle;
    } cases[] = {
        {o31, 31, 4, 0, ERR_RANGE, "origin of 31 bytes"},
        {o9, 9, 4, 0, ERR_RANGE, "origin of 9 bytes"},
        {o0, 2, 4, 0, ERR_DECODE, "origin"},
        {o9, 1, 3, 0, ERR_DECODE, "GetBlockHeaders"},
        {o9, 1, 5, 0, ERR_DECODE, "GetBlockHeaders"},
        {o9, 1, 4, 2, ERR_RANGE, "reverse"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bytes_reset(&b);
        size_t m = rlp_list_begin(&b);
        rlp_put_bytes(&b, cases[i].origin, cases[i].olen);
        rlp_put_u64(&b, 10);
        rlp_put_u64(&b, 0);
        if (cases[i].nfields > 3)
            rlp_put_u64(&b, cases[i].reverse);
        if (cases[i].nfields > 4)
            rlp_put_u64(&b, 0);
        rlp_list_end(&b, m);
        ck_err(eth_get_headers_decode(b.data, b.len, &got), cases[i].rc, cases[i].needle);
    }
    /* a list as origin, a list as amount */
    for (int k = 0; k < 2; k++) {
        bytes_reset(&b);
        size_t m = rlp_list_begin(&b);
        if (k == 0)
            rlp_list_end(&b, rlp_list_begin(&b));
        else
            rlp_put_u64(&b, 1);
        if (k == 1)
            rlp_list_end(&b, rlp_list_begin(&b));
        else
            rlp_put_u64(&b, 1);
        rlp_put_u64(&b, 0);
        rlp_put_u64(&b, 0);
        rlp_list_end(&b, m);
        ck_err(eth_get_headers_decode(b.data, b.len, &got), ERR_DECODE,
               k == 0 ? "origin" : "amount");
    }
    bytes_free(&b);
}
END_TEST

/* ---- eth: hash requests, NodeData ------------------------------------------------ */

START_TEST(hash_requests)
{
    struct hash32 hs[400];
    for (int i = 0; i < 400; i++)
        hs[i] = mkhash((uint8_t)i);
    struct eth_hashes got;
    struct bytes b = BYTES_INIT;
    const struct {
        uint64_t code;
        size_t max;
    } reqs[] = {
        {ETH_GET_BLOCK_BODIES, ETH_MAX_BODIES},
        {ETH_GET_NODE_DATA, ETH_MAX_NODE_DATA},
        {ETH_GET_RECEIPTS, ETH_MAX_RECEIPTS},
    };
    for (size_t r = 0; r < 3; r++) {
        bytes_reset(&b);
        ck_assert_int_eq(eth_hashes_encode(hs, 5, &b), 0);
        ck_assert_int_eq(eth_hashes_decode(reqs[r].code, b.data, b.len, &got), 0);
        ck_assert_uint_eq(got.count, 5);
        ck_assert_uint_eq(got.ignored, 0);
        for (int i = 0; i < 5; i++)
            ck_assert(hash32_eq(&got.items[i], &hs[i]));
        eth_hashes_free(&got);

        /* more than the limit: the first `max` kept, the rest counted */
        bytes_reset(&b);
        eth_hashes_encode(hs, 400, &b);
        ck_assert_int_eq(eth_hashes_decode(reqs[r].code, b.data, b.len, &got), 0);
        ck_assert_uint_eq(got.count, reqs[r].max);
        ck_assert_uint_eq(got.ignored, 400 - reqs[r].max);
        ck_assert(hash32_eq(&got.items[reqs[r].max - 1], &hs[reqs[r].max - 1]));
        eth_hashes_free(&got);

        /* a 31-byte hash, even past the limit, is an error */
        bytes_reset(&b);
        size_t m = rlp_list_begin(&b);
        for (int i = 0; i < 399; i++)
            rlp_put_bytes(&b, hs[i].b, 32);
        rlp_put_bytes(&b, hs[399].b, 31);
        rlp_list_end(&b, m);
        ck_err(eth_hashes_decode(reqs[r].code, b.data, b.len, &got), ERR_DECODE, "hash 399");
        ck_assert_ptr_null(got.items);
        /* a list item */
        bytes_reset(&b);
        m = rlp_list_begin(&b);
        rlp_list_end(&b, rlp_list_begin(&b));
        rlp_list_end(&b, m);
        ck_err(eth_hashes_decode(reqs[r].code, b.data, b.len, &got), ERR_DECODE,
               eth_code_name(reqs[r].code));
    }
    ck_assert_int_eq(eth_hashes_decode(ETH_STATUS, b.data, b.len, &got), ERR_INVAL);
    bytes_free(&b);
}
END_TEST

START_TEST(node_data)
{
    uint8_t blob[600];
    fill(blob, sizeof blob, 5);
    struct eth_raw in[3] = {{blob, 100}, {blob, 0}, {blob, 600}};
    struct eth_node_data got;
    struct bytes b = BYTES_INIT;
    ck_assert_int_eq(eth_node_data_encode(in, 3, &b), 0);
    ck_assert_int_eq(eth_node_data_decode(b.data, b.len, &got), 0);
    ck_assert_uint_eq(got.count, 3);
    for (int i = 0; i < 3; i++) {
        ck_assert_uint_eq(got.items[i].len, in[i].len);
        if (in[i].len)
            ck_assert_mem_eq(got.items[i].data, blob, in[i].len);
    }
    eth_node_data_free(&got);

    struct eth_raw many[ETH_MAX_NODE_DATA + 1];
    for (size_t i = 0; i < ETH_MAX_NODE_DATA + 1; i++)
        many[i] = in[0];
    bytes_reset(&b);
    eth_node_data_encode(many, ETH_MAX_NODE_DATA, &b);
    ck_assert_int_eq(eth_node_data_decode(b.data, b.len, &got), 0);
    ck_assert_uint_eq(got.count, ETH_MAX_NODE_DATA);
    eth_node_data_free(&got);
    bytes_reset(&b);
    eth_node_data_encode(many, ETH_MAX_NODE_DATA + 1, &b);
    ck_err(eth_node_data_decode(b.data, b.len, &got), ERR_RANGE, "NodeData: 385");

    bytes_reset(&b);
    size_t m = rlp_list_begin(&b);
    rlp_put_bytes(&b, blob, 3);
    rlp_list_end(&b, rlp_list_begin(&b));
    rlp_list_end(&b, m);
    ck_err(eth_node_data_decode(b.data, b.len, &got), ERR_DECODE, "entry 1");
    ck_assert_ptr_null(got.items);
    bytes_free(&b);
}
END_TEST

/* ---- eth: transactions, headers, bodies, blocks, receipts -------------------------- */

static struct tx signed_tx(uint64_t nonce, size_t data_len)
{
    struct tx t;
    memset(&t, 0, sizeof t);
    t.nonce = nonce;
    t.gas_price = u256_from_u64(1000000000);
    t.gas = 21000 + 68 * data_len;
    t.has_to = true;
    fill(t.to.b, 20, (uint8_t)nonce);
    t.value = u256_from_u64(nonce * 1000 + 1);
    if (data_len) {
        t.data = malloc(data_len);
        ck_assert_ptr_nonnull(t.data);
        fill(t.data, data_len, 1);
        t.data_len = data_len;
    }
    uint8_t sk[32];
    keccak256("test_net_wire", 13, sk);
    ck_assert_int_eq(tx_sign(&t, sk, 8888), 0);
    return t;
}

static struct header sample_header(uint64_t number)
{
    struct header h;
    memset(&h, 0, sizeof h);
    h.parent_hash = mkhash((uint8_t)number);
    h.uncle_hash = mkhash(2);
    fill(h.coinbase.b, 20, 3);
    h.state_root = mkhash(4);
    h.tx_root = mkhash(5);
    h.receipt_root = mkhash(6);
    h.difficulty = u256_from_u64(2);
    h.number = number;
    h.gas_limit = 8000000;
    h.gas_used = 21000;
    h.time = 1600000000 + number;
    h.extra_len = 97;
    h.extra = malloc(h.extra_len);
    ck_assert_ptr_nonnull(h.extra);
    fill(h.extra, h.extra_len, (uint8_t)number);
    return h;
}

/* The encodings of n items, as views into one buffer `store`. */
struct encoded {
    struct bytes store;
    size_t off[300];
    struct eth_raw raw[300];
    size_t n;
};

static void enc_add_begin(struct encoded *e)
{
    e->off[e->n] = e->store.len;
}

static void enc_add_end(struct encoded *e)
{
    ck_assert_int_eq(bytes_ok(&e->store), 0);
    e->n++;
}

static void enc_views(struct encoded *e)
{
    for (size_t i = 0; i < e->n; i++) {
        size_t end = i + 1 < e->n ? e->off[i + 1] : e->store.len;
        e->raw[i].data = e->store.data + e->off[i];
        e->raw[i].len = end - e->off[i];
    }
}

START_TEST(transactions)
{
    struct tx txs[3] = {signed_tx(0, 0), signed_tx(1, 40), signed_tx(2, 1000)};
    struct encoded e;
    memset(&e, 0, sizeof e);
    for (int i = 0; i < 3; i++) {
        enc_add_begin(&e);
        tx_encode(&txs[i], &e.store);
        enc_add_end(&e);
    }
    enc_views(&e);
    struct bytes b = BYTES_INIT;
    ck_assert_int_eq(eth_list_encode(e.raw, 3, &b), 0);
    struct eth_txs got;
    ck_assert_int_eq(eth_transactions_decode(b.data, b.len, &got), 0);
    ck_assert_uint_eq(got.count, 3);
    for (int i = 0; i < 3; i++) {
        struct hash32 want;
        tx_hash(&txs[i], want.b);
        ck_assert(hash32_eq(&got.items[i].hash, &want));
        ck_assert_uint_eq(got.items[i].tx.nonce, txs[i].nonce);
        ck_assert_uint_eq(got.items[i].tx.data_len, txs[i].data_len);
        ck_assert(u256_eq(&got.items[i].tx.value, &txs[i].value));
        /* the raw view is the tx's encoding, inside the payload */
        ck_assert_uint_eq(got.items[i].raw.len, e.raw[i].len);
        ck_assert_mem_eq(got.items[i].raw.data, e.raw[i].data, e.raw[i].len);
        ck_assert(got.items[i].raw.data >= b.data && got.items[i].raw.data < b.data + b.len);
    }
    eth_txs_free(&got);

    /* a typed transaction (a string item) and a tx of 8 fields */
    bytes_reset(&b);
    size_t m = rlp_list_begin(&b);
    rlp_put_raw(&b, e.raw[0].data, e.raw[0].len);
    static const uint8_t typed[] = {0x01, 0xc0};
    rlp_put_bytes(&b, typed, 2);
    rlp_list_end(&b, m);
    ck_err(eth_transactions_decode(b.data, b.len, &got), ERR_UNSUPPORTED, "transaction 1");
    ck_assert_ptr_null(got.items);
    bytes_reset(&b);
    m = rlp_list_begin(&b);
    size_t t = rlp_list_begin(&b);
    for (int i = 0; i < 8; i++)
        rlp_put_u64(&b, 1000);
    rlp_list_end(&b, t);
    rlp_list_end(&b, m);
    ck_err(eth_transactions_decode(b.data, b.len, &got), ERR_DECODE, "transaction 0");
    /* more transactions than ETH_MAX_TXS, each a valid one: refused before
     * anything is allocated */
    bytes_reset(&b);
    m = rlp_list_begin(&b);
    for (int i = 0; i <= ETH_MAX_TXS; i++)
        rlp_put_raw(&b, e.raw[0].data, e.raw[0].len);
    rlp_list_end(&b, m);
    ck_assert_uint_lt(b.len, ETH_MAX_MSG_SIZE);
    ck_err(eth_transactions_decode(b.data, b.len, &got), ERR_RANGE, "at most 4096");
    ck_assert_ptr_null(got.items);
    /* oversize message */
    uint8_t *big = calloc(ETH_MAX_MSG_SIZE + 1, 1);
    ck_assert_ptr_nonnull(big);
    ck_err(eth_transactions_decode(big, ETH_MAX_MSG_SIZE + 1, &got), ERR_RANGE, "message limit");
    free(big);
    for (int i = 0; i < 3; i++)
        tx_free(&txs[i]);
    bytes_free(&e.store);
    bytes_free(&b);
}
END_TEST

START_TEST(block_headers)
{
    struct encoded e;
    memset(&e, 0, sizeof e);
    struct header hs[3];
    for (int i = 0; i < 3; i++) {
        hs[i] = sample_header(100 + (uint64_t)i);
        enc_add_begin(&e);
        header_encode(&hs[i], &e.store);
        enc_add_end(&e);
    }
    enc_views(&e);
    struct bytes b = BYTES_INIT;
    eth_list_encode(e.raw, 3, &b);
    struct eth_headers got;
    ck_assert_int_eq(eth_block_headers_decode(b.data, b.len, &got), 0);
    ck_assert_uint_eq(got.count, 3);
    for (int i = 0; i < 3; i++) {
        struct hash32 want;
        header_hash(&hs[i], &want);
        ck_assert(hash32_eq(&got.items[i].hash, &want));
        ck_assert_uint_eq(got.items[i].header.number, hs[i].number);
        ck_assert_uint_eq(got.items[i].header.extra_len, 97);
        ck_assert_mem_eq(got.items[i].header.extra, hs[i].extra, 97);
        ck_assert_mem_eq(got.items[i].raw.data, e.raw[i].data, e.raw[i].len);
    }
    eth_headers_free(&got);

    /* ETH_MAX_HEADERS is fine, one more is not */
    struct eth_raw many[ETH_MAX_HEADERS + 1];
    for (size_t i = 0; i < ETH_MAX_HEADERS + 1; i++)
        many[i] = e.raw[i % 3];
    bytes_reset(&b);
    eth_list_encode(many, ETH_MAX_HEADERS, &b);
    ck_assert_int_eq(eth_block_headers_decode(b.data, b.len, &got), 0);
    ck_assert_uint_eq(got.count, ETH_MAX_HEADERS);
    eth_headers_free(&got);
    bytes_reset(&b);
    eth_list_encode(many, ETH_MAX_HEADERS + 1, &b);
    ck_err(eth_block_headers_decode(b.data, b.len, &got), ERR_RANGE, "193 headers");

    /* a header with a 31-byte parent hash, one of 14 fields */
    for (int k = 0; k < 2; k++) {
        bytes_reset(&b);
        size_t m = rlp_list_begin(&b);
        rlp_put_raw(&b, e.raw[0].data, e.raw[0].len);
        size_t h = rlp_list_begin(&b);
        rlp_put_bytes(&b, hs[0].parent_hash.b, k == 0 ? 31 : 32);
        /* the 14 other fields of a header, by hand */
        rlp_put_bytes(&b, hs[0].uncle_hash.b, 32);
        rlp_put_bytes(&b, hs[0].coinbase.b, 20);
        rlp_put_bytes(&b, hs[0].state_root.b, 32);
        rlp_put_bytes(&b, hs[0].tx_root.b, 32);
        rlp_put_bytes(&b, hs[0].receipt_root.b, 32);
        rlp_put_bytes(&b, hs[0].bloom.b, 256);
        rlp_put_u64(&b, 2);
        rlp_put_u64(&b, 5);
        rlp_put_u64(&b, 8000000);
        rlp_put_u64(&b, 0);
        rlp_put_u64(&b, 1);
        rlp_put_bytes(&b, NULL, 0);
        rlp_put_bytes(&b, hs[0].mix_digest.b, 32);
        if (k == 0)
            rlp_put_bytes(&b, hs[0].nonce, 8);
        rlp_list_end(&b, h);
        rlp_list_end(&b, m);
        ck_err(eth_block_headers_decode(b.data, b.len, &got), ERR_DECODE, "header 1");
        ck_assert_ptr_null(got.items);
    }
    for (int i = 0; i < 3; i++)
        header_free(&hs[i]);
    bytes_free(&e.store);
    bytes_free(&b);
}
END_TEST

START_TEST(block_bodies_and_new_block)
{
    /* body 0: two txs and an uncle; body 1: empty */
    struct block_body bodies[2];
    memset(bodies, 0, sizeof bodies);
    bodies[0].txs = calloc(2, sizeof(struct tx));
    bodies[0].txs[0] = signed_tx(5, 10);
    bodies[0].txs[1] = signed_tx(6, 0);
    bodies[0].tx_count = 2;
    bodies[0].uncles = calloc(1, sizeof(struct header));
    bodies[0].uncles[0] = sample_header(77);
    bodies[0].uncle_count = 1;
    struct encoded e;
    memset(&e, 0, sizeof e);
    for (int i = 0; i < 2; i++) {
        enc_add_begin(&e);
        block_body_encode(&bodies[i], &e.store);
        enc_add_end(&e);
    }
    enc_views(&e);
    struct bytes b = BYTES_INIT;
    eth_list_encode(e.raw, 2, &b);
    struct eth_bodies got;
    ck_assert_int_eq(eth_block_bodies_decode(b.data, b.len, &got), 0);
    ck_assert_uint_eq(got.count, 2);
    ck_assert_uint_eq(got.items[0].body.tx_count, 2);
    ck_assert_uint_eq(got.items[0].body.txs[1].nonce, 6);
    ck_assert_uint_eq(got.items[0].body.uncle_count, 1);
    ck_assert_uint_eq(got.items[0].body.uncles[0].number, 77);
    ck_assert_uint_eq(got.items[1].body.tx_count, 0);
    ck_assert_mem_eq(got.items[0].raw.data, e.raw[0].data, e.raw[0].len);
    eth_bodies_free(&got);

    struct eth_raw many[ETH_MAX_BODIES + 1];
    for (size_t i = 0; i < ETH_MAX_BODIES + 1; i++)
        many[i] = e.raw[1];
    bytes_reset(&b);
    eth_list_encode(many, ETH_MAX_BODIES + 1, &b);
    ck_err(eth_block_bodies_decode(b.data, b.len, &got), ERR_RANGE, "129 bodies");
    /* a body of three lists */
    bytes_reset(&b);
    size_t m = rlp_list_begin(&b);
    size_t x = rlp_list_begin(&b);
    for (int i = 0; i < 3; i++)
        rlp_list_end(&b, rlp_list_begin(&b));
    rlp_list_end(&b, x);
    rlp_list_end(&b, m);
    ck_err(eth_block_bodies_decode(b.data, b.len, &got), ERR_DECODE, "body 0");

    /* NewBlock: [block, td] */
    struct block blk;
    blk.header = sample_header(1234);
    blk.body = bodies[0];
    struct bytes enc = BYTES_INIT;
    ck_assert_int_eq(block_encode(&blk, &enc), 0);
    struct eth_raw rawblk = {enc.data, enc.len};
    u256 td = u256_from_u64(123456789);
    td.w[3] = 1;
    bytes_reset(&b);
    ck_assert_int_eq(eth_new_block_encode(&rawblk, &td, &b), 0);
    struct eth_new_block nb;
    ck_assert_int_eq(eth_new_block_decode(b.data, b.len, &nb), 0);
    struct hash32 want;
    header_hash(&blk.header, &want);
    ck_assert(hash32_eq(&nb.hash, &want));
    ck_assert(u256_eq(&nb.td, &td));
    ck_assert_uint_eq(nb.block.header.number, 1234);
    ck_assert_uint_eq(nb.block.body.tx_count, 2);
    ck_assert_uint_eq(nb.raw.len, enc.len);
    ck_assert_mem_eq(nb.raw.data, enc.data, enc.len);
    eth_new_block_free(&nb);

    /* td above 2^256-1; three items; a block that is a string */
    static const uint8_t td33[33] = {1};
    for (int k = 0; k < 3; k++) {
        bytes_reset(&b);
        m = rlp_list_begin(&b);
        if (k == 2)
            rlp_put_bytes(&b, enc.data, 40);
        else
            rlp_put_raw(&b, enc.data, enc.len);
        if (k == 0)
            rlp_put_bytes(&b, td33, 33);
        else
            rlp_put_u64(&b, 5);
        if (k == 1)
            rlp_put_u64(&b, 5);
        rlp_list_end(&b, m);
        ck_err(eth_new_block_decode(b.data, b.len, &nb), k == 0 ? ERR_RANGE : ERR_DECODE,
               k == 0 ? "td" : "NewBlock");
        ck_assert_ptr_null(nb.block.header.extra);
    }
    header_free(&blk.header);
    bytes_free(&enc);
    for (int i = 0; i < 2; i++)
        block_body_free(&bodies[i]);
    bytes_free(&e.store);
    bytes_free(&b);
}
END_TEST

static struct receipt sample_receipt(uint64_t gas, size_t nlogs)
{
    struct receipt r;
    memset(&r, 0, sizeof r);
    r.status = true;
    r.cumulative_gas = gas;
    if (nlogs) {
        r.logs = calloc(nlogs, sizeof *r.logs);
        for (size_t i = 0; i < nlogs; i++) {
            fill(r.logs[i].address.b, 20, (uint8_t)i);
            r.logs[i].topics = calloc(2, sizeof(struct hash32));
            r.logs[i].topics[0] = mkhash(1);
            r.logs[i].topics[1] = mkhash(2);
            r.logs[i].topic_count = 2;
        }
        r.log_count = nlogs;
    }
    receipt_compute_bloom(&r, &r.bloom);
    return r;
}

START_TEST(receipts)
{
    struct receipt rs[3] = {sample_receipt(21000, 0), sample_receipt(50000, 2),
                            sample_receipt(71000, 1)};
    /* block 0: rs[0..1]; block 1: none; block 2: rs[2] */
    struct encoded e;
    memset(&e, 0, sizeof e);
    const size_t from[3] = {0, 2, 2}, to[3] = {2, 2, 3};
    for (int i = 0; i < 3; i++) {
        enc_add_begin(&e);
        size_t m = rlp_list_begin(&e.store);
        for (size_t j = from[i]; j < to[i]; j++)
            receipt_encode(&rs[j], &e.store);
        rlp_list_end(&e.store, m);
        enc_add_end(&e);
    }
    enc_views(&e);
    struct bytes b = BYTES_INIT;
    eth_list_encode(e.raw, 3, &b);
    struct eth_receipts got;
    ck_assert_int_eq(eth_receipts_decode(b.data, b.len, &got), 0);
    ck_assert_uint_eq(got.count, 3);
    for (int i = 0; i < 3; i++) {
        ck_assert_uint_eq(got.items[i].count, to[i] - from[i]);
        for (size_t j = from[i]; j < to[i]; j++) {
            const struct receipt *r = &got.items[i].receipts[j - from[i]];
            ck_assert_uint_eq(r->cumulative_gas, rs[j].cumulative_gas);
            ck_assert_uint_eq(r->log_count, rs[j].log_count);
            ck_assert_mem_eq(r->bloom.b, rs[j].bloom.b, 256);
        }
        ck_assert_mem_eq(got.items[i].raw.data, e.raw[i].data, e.raw[i].len);
    }
    eth_receipts_free(&got);

    struct eth_raw many[ETH_MAX_RECEIPTS + 1];
    for (size_t i = 0; i < ETH_MAX_RECEIPTS + 1; i++)
        many[i] = e.raw[1];
    bytes_reset(&b);
    eth_list_encode(many, ETH_MAX_RECEIPTS + 1, &b);
    ck_err(eth_receipts_decode(b.data, b.len, &got), ERR_RANGE, "257 blocks");

    /* a block's receipts that are not a list; a receipt of 3 fields */
    for (int k = 0; k < 2; k++) {
        bytes_reset(&b);
        size_t m = rlp_list_begin(&b);
        rlp_put_raw(&b, e.raw[0].data, e.raw[0].len);
        if (k == 0) {
            rlp_put_u64(&b, 1);
        } else {
            size_t l = rlp_list_begin(&b);
            receipt_encode(&rs[0], &b);
            size_t r = rlp_list_begin(&b);     /* five fields */
            rlp_put_u64(&b, 1);
            rlp_put_u64(&b, 1);
            rlp_put_bytes(&b, rs[0].bloom.b, 256);
            rlp_list_end(&b, rlp_list_begin(&b));
            rlp_put_u64(&b, 1);
            rlp_list_end(&b, r);
            rlp_list_end(&b, l);
        }
        rlp_list_end(&b, m);
        ck_err(eth_receipts_decode(b.data, b.len, &got), ERR_DECODE,
               k == 0 ? "block 1" : "block 1: receipt 1");
        ck_assert_ptr_null(got.items);
    }
    for (int i = 0; i < 3; i++)
        receipt_free(&rs[i]);
    bytes_free(&e.store);
    bytes_free(&b);
}
END_TEST

/* ---- eth: one entry point for every code ------------------------------------------ */

START_TEST(decode_by_code)
{
    struct bytes b = BYTES_INIT;
    struct eth_msg msg;
    struct hash32 h = mkhash(1);
    eth_hashes_encode(&h, 1, &b);
    /* eth/62 has no state or receipt messages */
    ck_err(eth_msg_decode(62, ETH_GET_NODE_DATA, b.data, b.len, &msg), ERR_UNSUPPORTED,
           "eth/62 has no GetNodeData");
    eth_msg_free(&msg);
    ck_err(eth_msg_decode(62, ETH_RECEIPTS, b.data, b.len, &msg), ERR_UNSUPPORTED, "Receipts");
    eth_msg_free(&msg);
    ck_err(eth_msg_decode(63, 0x08, b.data, b.len, &msg), ERR_UNSUPPORTED, "unknown message 0x08");
    eth_msg_free(&msg);
    ck_assert_int_eq(eth_msg_decode(63, ETH_GET_NODE_DATA, b.data, b.len, &msg), 0);
    ck_assert_uint_eq(msg.code, ETH_GET_NODE_DATA);
    ck_assert_uint_eq(msg.u.hashes.count, 1);
    ck_assert(hash32_eq(&msg.u.hashes.items[0], &h));
    eth_msg_free(&msg);
    ck_assert_int_eq(eth_msg_decode(62, ETH_GET_BLOCK_BODIES, b.data, b.len, &msg), 0);
    ck_assert_uint_eq(msg.u.hashes.count, 1);
    eth_msg_free(&msg);
    /* the same bytes are not a Status or a NewBlock */
    ck_assert_int_eq(eth_msg_decode(63, ETH_STATUS, b.data, b.len, &msg), ERR_DECODE);
    eth_msg_free(&msg);
    ck_assert_int_eq(eth_msg_decode(63, ETH_NEW_BLOCK, b.data, b.len, &msg), ERR_DECODE);
    eth_msg_free(&msg);

    struct eth_announce a = {h, 9};
    bytes_reset(&b);
    eth_new_block_hashes_encode(&a, 1, &b);
    ck_assert_int_eq(eth_msg_decode(62, ETH_NEW_BLOCK_HASHES, b.data, b.len, &msg), 0);
    ck_assert_uint_eq(msg.u.announces.items[0].number, 9);
    eth_msg_free(&msg);

    /* an empty payload is refused by every decoder */
    for (uint64_t code = 0; code <= ETH_RECEIPTS; code++) {
        if (!eth_code_valid(63, code))
            continue;
        ck_assert_int_eq(eth_msg_decode(63, code, NULL, 0, &msg), ERR_DECODE);
        eth_msg_free(&msg);
        ck_assert_str_ne(eth_code_name(code), "unknown");
    }
    bytes_free(&b);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("net_wire");
    TCase *tc = tcase_create("p2p");
    tcase_add_test(tc, hello_round_trip);
    tcase_add_test(tc, hello_rejects_bad_shapes);
    tcase_add_test(tc, disconnect_variants);
    tcase_add_test(tc, ping_pong);
    tcase_add_test(tc, capability_negotiation);
    suite_add_tcase(s, tc);
    tc = tcase_create("eth");
    tcase_add_test(tc, status_round_trip_and_errors);
    tcase_add_test(tc, new_block_hashes);
    tcase_add_test(tc, get_block_headers);
    tcase_add_test(tc, hash_requests);
    tcase_add_test(tc, node_data);
    tcase_add_test(tc, transactions);
    tcase_add_test(tc, block_headers);
    tcase_add_test(tc, block_bodies_and_new_block);
    tcase_add_test(tc, receipts);
    tcase_add_test(tc, decode_by_code);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
