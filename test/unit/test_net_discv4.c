/* test_net_discv4.c — unit tests for the discovery v4 packet codec
 * (net/discv4_packet.h), and the main of the discovery suite, which also
 * runs the enode, Kademlia table and UDP service cases (see
 * test_net_discv4.h).
 *
 * The decoder is checked against the five discovery packets published in
 * EIP-8 ("devp2p Forward Compatibility Requirements for Homestead", Felix
 * Lange, 2015; https://eips.ethereum.org/EIPS/eip-8, Test Vectors), which
 * use the stock Ethereum type numbers 1..4 and extra list elements and
 * trailing data that a decoder must ignore. Then Spectrum's shifted types,
 * the signature and hash checks, the size limits, the neighbors split and
 * malformed bodies. */
#include "test_net_discv4.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/ecdsa.h"
#include "crypto/keccak.h"
#include "net/discv4_packet.h"
#include "primitives/rlp.h"
#include "util/err.h"
#include "util/hex.h"

size_t test_unhex(const char *s, uint8_t *out, size_t cap)
{
    size_t n = 0;
    int hi = -1;
    for (; *s; s++) {
        int v = hex_digit((unsigned char)*s);
        if (v < 0)
            continue;                       /* whitespace */
        if (hi < 0) {
            hi = v;
        } else {
            ck_assert_uint_lt(n, cap);
            out[n++] = (uint8_t)(hi << 4 | v);
            hi = -1;
        }
    }
    ck_assert_int_eq(hi, -1);
    return n;
}

void test_key(const char *label, uint8_t sk[32])
{
    keccak256(label, strlen(label), sk);
    ck_assert(ecdsa_seckey_valid(sk));
}

/* The EIP-8 node key and packets. */
static const char EIP8_KEY[] = "b71c71a67e1177ad4e901695e1b4b9ee17ae16c6668d313eac2f96dbcda3f291";

static const char EIP8_PING_V4[] =
    "e9614ccfd9fc3e74360018522d30e1419a143407ffcce748de3e22116b7e8dc92ff74788c0b6663a"
    "aa3d67d641936511c8f8d6ad8698b820a7cf9e1be7155e9a241f556658c55428ec0563514365799a"
    "4be2be5a685a80971ddcfa80cb422cdd0101ec04cb847f000001820cfa8215a8d790000000000000"
    "000000000000000000018208ae820d058443b9a3550102";

static const char EIP8_PING_V555[] =
    "577be4349c4dd26768081f58de4c6f375a7a22f3f7adda654d1428637412c3d7fe917cadc56d4e5e"
    "7ffae1dbe3efffb9849feb71b262de37977e7c7a44e677295680e9e38ab26bee2fcbae207fba3ff3"
    "d74069a50b902a82c9903ed37cc993c50001f83e82022bd79020010db83c4d001500000000abcdef"
    "12820cfa8215a8d79020010db885a308d313198a2e037073488208ae82823a8443b9a355c5010203"
    "040531b9019afde696e582a78fa8d95ea13ce3297d4afb8ba6433e4154caa5ac6431af1b80ba7602"
    "3fa4090c408f6b4bc3701562c031041d4702971d102c9ab7fa5eed4cd6bab8f7af956f7d565ee191"
    "7084a95398b6a21eac920fe3dd1345ec0a7ef39367ee69ddf092cbfe5b93e5e568ebc491983c09c7"
    "6d922dc3";

static const char EIP8_PONG[] =
    "09b2428d83348d27cdf7064ad9024f526cebc19e4958f0fdad87c15eb598dd61d08423e0bf66b206"
    "9869e1724125f820d851c136684082774f870e614d95a2855d000f05d1648b2d5945470bc187c2d2"
    "216fbe870f43ed0909009882e176a46b0102f846d79020010db885a308d313198a2e037073488208"
    "ae82823aa0fbc914b16819237dcd8801d7e53f69e9719adecb3cc0e790c57e91ca4461c9548443b9"
    "a355c6010203c2040506a0c969a58f6f9095004c0177a6b47f451530cab38966a25cca5cb58f0555"
    "42124e";

static const char EIP8_FINDNODE[] =
    "c7c44041b9f7c7e41934417ebac9a8e1a4c6298f74553f2fcfdcae6ed6fe53163eb3d2b52e39fe91"
    "831b8a927bf4fc222c3902202027e5e9eb812195f95d20061ef5cd31d502e47ecb61183f74a504fe"
    "04c51e73df81f25c4d506b26db4517490103f84eb840ca634cae0d49acb401d8a4c6b6fe8c55b70d"
    "115bf400769cc1400f3258cd31387574077f301b421bc84df7266c44e9e6d569fc56be0081290476"
    "7bf5ccd1fc7f8443b9a35582999983999999280dc62cc8255c73471e0a61da0c89acdc0e035e260a"
    "dd7fc0c04ad9ebf3919644c91cb247affc82b69bd2ca235c71eab8e49737c937a2c396";

static const char EIP8_NEIGHBOURS[] =
    "c679fc8fe0b8b12f06577f2e802d34f6fa257e6137a995f6f4cbfc9ee50ed3710faf6e66f932c4c8"
    "d81d64343f429651328758b47d3dbc02c4042f0fff6946a50f4a49037a72bb550f3a7872363a83e1"
    "b9ee6469856c24eb4ef80b7535bcf99c0004f9015bf90150f84d846321163782115c82115db84031"
    "55e1427f85f10a5c9a7755877748041af1bcd8d474ec065eb33df57a97babf54bfd2103575fa8291"
    "15d224c523596b401065a97f74010610fce76382c0bf32f84984010203040101b840312c55512422"
    "cf9b8a4097e9a6ad79402e87a15ae909a4bfefa22398f03d20951933beea1e4dfa6f968212385e82"
    "9f04c2d314fc2d4e255e0d3bc08792b069dbf8599020010db83c4d001500000000abcdef12820d05"
    "820d05b84038643200b172dcfef857492156971f0e6aa2c538d8b74010f8e140811d53b98c765dd2"
    "d96126051913f44582e8c199ad7c6d6819e9a56483f637feaac9448aacf8599020010db885a308d3"
    "13198a2e037073488203e78203e8b8408dcab8618c3253b558d459da53bd8fa68935a719aff8b811"
    "197101a4b2b47dd2d47295286fc00cc081bb542d760717d1bdd6bec2c37cd72eca367d6dd3b9df73"
    "8443b9a355010203b525a138aa34383fec3d2719a0";

#define EIP8_EXPIRATION 0x43b9a355u

static void eip8_sender(uint8_t pub[64])
{
    uint8_t sk[32];
    test_unhex(EIP8_KEY, sk, 32);
    ck_assert_int_eq(ecdsa_pubkey(sk, pub), 0);
}

static void check_ep(const struct enode_endpoint *ep, const char *ip, uint16_t udp, uint16_t tcp)
{
    char text[46];
    enode_ip_text(ep, text);
    ck_assert_str_eq(text, ip);
    ck_assert_uint_eq(ep->udp_port, udp);
    ck_assert_uint_eq(ep->tcp_port, tcp);
}

static size_t load(const char *hex, uint8_t buf[DISCV4_MAX_PACKET])
{
    return test_unhex(hex, buf, DISCV4_MAX_PACKET);
}

START_TEST(eip8_ping_packets)
{
    uint8_t pkt[DISCV4_MAX_PACKET], pub[64];
    struct discv4_packet p;
    eip8_sender(pub);

    size_t n = load(EIP8_PING_V4, pkt);
    ck_assert_int_eq(discv4_decode(pkt, n, DISCV4_BASE_ETH, &p), 0);
    ck_assert_int_eq(p.kind, DISCV4_PING);
    ck_assert(memcmp(p.sender, pub, 64) == 0);
    ck_assert(memcmp(p.hash, pkt, 32) == 0);
    ck_assert_uint_eq(p.u.ping.version, 4);
    check_ep(&p.u.ping.from, "127.0.0.1", 3322, 5544);
    check_ep(&p.u.ping.to, "::1", 2222, 3333);
    ck_assert_uint_eq(p.expiration, EIP8_EXPIRATION);

    n = load(EIP8_PING_V555, pkt);
    ck_assert_int_eq(discv4_decode(pkt, n, DISCV4_BASE_ETH, &p), 0);
    ck_assert_int_eq(p.kind, DISCV4_PING);
    ck_assert(memcmp(p.sender, pub, 64) == 0);
    ck_assert_uint_eq(p.u.ping.version, 555);
    check_ep(&p.u.ping.from, "2001:db8:3c4d:15::abcd:ef12", 3322, 5544);
    check_ep(&p.u.ping.to, "2001:db8:85a3:8d3:1319:8a2e:370:7348", 2222, 33338);
    ck_assert_uint_eq(p.expiration, EIP8_EXPIRATION);

    /* expired: the caller can tell */
    ck_assert(!discv4_expired(&p, EIP8_EXPIRATION));
    ck_assert(discv4_expired(&p, EIP8_EXPIRATION + 1));
}
END_TEST

START_TEST(eip8_pong_findnode_neighbours)
{
    uint8_t pkt[DISCV4_MAX_PACKET], pub[64], want[64];
    struct discv4_packet p;
    eip8_sender(pub);

    size_t n = load(EIP8_PONG, pkt);
    ck_assert_int_eq(discv4_decode(pkt, n, DISCV4_BASE_ETH, &p), 0);
    ck_assert_int_eq(p.kind, DISCV4_PONG);
    ck_assert(memcmp(p.sender, pub, 64) == 0);
    check_ep(&p.u.pong.to, "2001:db8:85a3:8d3:1319:8a2e:370:7348", 2222, 33338);
    test_unhex("fbc914b16819237dcd8801d7e53f69e9719adecb3cc0e790c57e91ca4461c954", want, 32);
    ck_assert(memcmp(p.u.pong.ping_hash, want, 32) == 0);
    ck_assert_uint_eq(p.expiration, EIP8_EXPIRATION);

    n = load(EIP8_FINDNODE, pkt);
    ck_assert_int_eq(discv4_decode(pkt, n, DISCV4_BASE_ETH, &p), 0);
    ck_assert_int_eq(p.kind, DISCV4_FINDNODE);
    ck_assert(memcmp(p.sender, pub, 64) == 0);
    test_unhex("ca634cae0d49acb401d8a4c6b6fe8c55b70d115bf400769cc1400f3258cd3138"
               "7574077f301b421bc84df7266c44e9e6d569fc56be00812904767bf5ccd1fc7f", want, 64);
    ck_assert(memcmp(p.u.findnode.target, want, 64) == 0);
    ck_assert_uint_eq(p.expiration, EIP8_EXPIRATION);

    n = load(EIP8_NEIGHBOURS, pkt);
    ck_assert_int_eq(discv4_decode(pkt, n, DISCV4_BASE_ETH, &p), 0);
    ck_assert_int_eq(p.kind, DISCV4_NEIGHBORS);
    ck_assert(memcmp(p.sender, pub, 64) == 0);
    ck_assert_uint_eq(p.expiration, EIP8_EXPIRATION);
    const struct discv4_neighbors *nb = &p.u.neighbors;
    ck_assert_uint_eq(nb->count, 4);
    ck_assert_uint_eq(nb->skipped, 0);
    check_ep(&nb->nodes[0].ep, "99.33.22.55", 4444, 4445);
    check_ep(&nb->nodes[1].ep, "1.2.3.4", 1, 1);
    check_ep(&nb->nodes[2].ep, "2001:db8:3c4d:15::abcd:ef12", 3333, 3333);
    check_ep(&nb->nodes[3].ep, "2001:db8:85a3:8d3:1319:8a2e:370:7348", 999, 1000);
    static const char *ids[4] = {
        "3155e1427f85f10a5c9a7755877748041af1bcd8d474ec065eb33df57a97babf"
        "54bfd2103575fa829115d224c523596b401065a97f74010610fce76382c0bf32",
        "312c55512422cf9b8a4097e9a6ad79402e87a15ae909a4bfefa22398f03d2095"
        "1933beea1e4dfa6f968212385e829f04c2d314fc2d4e255e0d3bc08792b069db",
        "38643200b172dcfef857492156971f0e6aa2c538d8b74010f8e140811d53b98c"
        "765dd2d96126051913f44582e8c199ad7c6d6819e9a56483f637feaac9448aac",
        "8dcab8618c3253b558d459da53bd8fa68935a719aff8b811197101a4b2b47dd2"
        "d47295286fc00cc081bb542d760717d1bdd6bec2c37cd72eca367d6dd3b9df73",
    };
    for (int i = 0; i < 4; i++) {
        test_unhex(ids[i], want, 64);
        ck_assert_msg(memcmp(nb->nodes[i].id, want, 64) == 0, "node %d id", i);
    }
}
END_TEST

START_TEST(stock_types_are_unknown_to_spectrum)
{
    /* The same valid packets, read with Spectrum's types, are "unknown". */
    const char *all[] = {EIP8_PING_V4, EIP8_PING_V555, EIP8_PONG, EIP8_FINDNODE, EIP8_NEIGHBOURS};
    uint8_t pkt[DISCV4_MAX_PACKET];
    struct discv4_packet p;
    for (int i = 0; i < 5; i++) {
        size_t n = load(all[i], pkt);
        ck_assert_int_eq(discv4_decode(pkt, n, DISCV4_BASE_SPECTRUM, &p), ERR_UNSUPPORTED);
    }
}
END_TEST

static void make_ep(struct enode_endpoint *ep, const char *ip, uint16_t udp, uint16_t tcp)
{
    memset(ep, 0, sizeof *ep);
    ck_assert_int_eq(enode_set_ip(ep, ip), 0);
    ep->udp_port = udp;
    ep->tcp_port = tcp;
}

START_TEST(spectrum_round_trips)
{
    uint8_t sk[32], pub[64], pkt[DISCV4_MAX_PACKET], hash[32];
    test_key("discv4 packet test", sk);
    ck_assert_int_eq(ecdsa_pubkey(sk, pub), 0);
    struct discv4_packet in, out;
    size_t n;

    for (int kind = DISCV4_PING; kind <= DISCV4_NEIGHBORS; kind++) {
        memset(&in, 0, sizeof in);
        in.kind = (enum discv4_kind)kind;
        in.expiration = 1700000000u + (uint64_t)kind;
        switch (kind) {
        case DISCV4_PING:
            in.u.ping.version = DISCV4_VERSION;
            make_ep(&in.u.ping.from, "10.1.2.3", 44944, 60303);
            make_ep(&in.u.ping.to, "2001:db8::7", 30301, 0);
            break;
        case DISCV4_PONG:
            make_ep(&in.u.pong.to, "192.0.2.1", 1234, 5678);
            memset(in.u.pong.ping_hash, 0xab, 32);
            break;
        case DISCV4_FINDNODE:
            memcpy(in.u.findnode.target, pub, 64);
            break;
        default:
            in.u.neighbors.count = 3;
            for (int i = 0; i < 3; i++) {
                make_ep(&in.u.neighbors.nodes[i].ep, i == 1 ? "::ffff:1.2.3.4" : "fe80::1",
                        (uint16_t)(2000 + i), (uint16_t)(3000 + i));
                memset(in.u.neighbors.nodes[i].id, 0x11 * (i + 1), 64);
            }
            break;
        }
        ck_assert_int_eq(discv4_encode(sk, DISCV4_BASE_SPECTRUM, &in, pkt, &n, hash), 0);
        ck_assert_uint_le(n, DISCV4_MAX_PACKET);
        ck_assert_uint_eq(pkt[97], 0x0a + kind);           /* Spectrum's type byte */
        ck_assert(memcmp(hash, pkt, 32) == 0);
        ck_assert_int_eq(discv4_decode(pkt, n, DISCV4_BASE_SPECTRUM, &out), 0);
        ck_assert_int_eq(out.kind, kind);
        ck_assert(memcmp(out.sender, pub, 64) == 0);
        ck_assert(memcmp(out.hash, hash, 32) == 0);
        ck_assert_uint_eq(out.expiration, in.expiration);
        /* a stock node does not understand it */
        ck_assert_int_eq(discv4_decode(pkt, n, DISCV4_BASE_ETH, &out), ERR_UNSUPPORTED);
        ck_assert_int_eq(discv4_decode(pkt, n, DISCV4_BASE_SPECTRUM, &out), 0);
        switch (kind) {
        case DISCV4_PING:
            ck_assert_uint_eq(out.u.ping.version, 4);
            check_ep(&out.u.ping.from, "10.1.2.3", 44944, 60303);
            check_ep(&out.u.ping.to, "2001:db8::7", 30301, 0);
            break;
        case DISCV4_PONG:
            check_ep(&out.u.pong.to, "192.0.2.1", 1234, 5678);
            ck_assert(memcmp(out.u.pong.ping_hash, in.u.pong.ping_hash, 32) == 0);
            break;
        case DISCV4_FINDNODE:
            ck_assert(memcmp(out.u.findnode.target, pub, 64) == 0);
            break;
        default:
            ck_assert_uint_eq(out.u.neighbors.count, 3);
            check_ep(&out.u.neighbors.nodes[1].ep, "1.2.3.4", 2001, 3001);
            ck_assert_uint_eq(out.u.neighbors.nodes[1].ep.ip_len, 4);
            check_ep(&out.u.neighbors.nodes[2].ep, "fe80::1", 2002, 3002);
            ck_assert(memcmp(out.u.neighbors.nodes[2].id, in.u.neighbors.nodes[2].id, 64) == 0);
            break;
        }
    }
}
END_TEST

/* Signs an arbitrary body as a packet of type `type`. */
static size_t sign_raw(const uint8_t sk[32], uint8_t type, const uint8_t *body, size_t blen,
                       uint8_t *out)
{
    out[97] = type;
    memcpy(out + 98, body, blen);
    uint8_t h[32];
    keccak256(out + 97, blen + 1, h);
    ck_assert_int_eq(ecdsa_sign(h, sk, out + 32), 0);
    keccak256(out + 32, blen + 66, out);
    return 98 + blen;
}

START_TEST(hash_and_signature_are_checked)
{
    uint8_t sk[32], pkt[DISCV4_MAX_PACKET], bad[DISCV4_MAX_PACKET];
    test_key("discv4 packet test", sk);
    struct discv4_packet p, q;
    memset(&p, 0, sizeof p);
    p.kind = DISCV4_FINDNODE;
    p.expiration = 1;
    size_t n;
    ck_assert_int_eq(discv4_encode(sk, DISCV4_BASE_SPECTRUM, &p, pkt, &n, NULL), 0);
    ck_assert_int_eq(discv4_decode(pkt, n, DISCV4_BASE_SPECTRUM, &q), 0);

    /* any changed byte after the hash: the hash no longer matches */
    for (size_t i = 32; i < n; i += 7) {
        memcpy(bad, pkt, n);
        bad[i] ^= 0x01;
        ck_assert_int_eq(discv4_decode(bad, n, DISCV4_BASE_SPECTRUM, &q), ERR_CRYPTO);
    }
    memcpy(bad, pkt, n);
    bad[0] ^= 0x80;
    ck_assert_int_eq(discv4_decode(bad, n, DISCV4_BASE_SPECTRUM, &q), ERR_CRYPTO);

    /* a recovery id no key has, with a matching hash: bad signature */
    memcpy(bad, pkt, n);
    bad[32 + 64] = 4;
    keccak256(bad + 32, n - 32, bad);
    ck_assert_int_eq(discv4_decode(bad, n, DISCV4_BASE_SPECTRUM, &q), ERR_CRYPTO);
    /* r = 0, with a matching hash */
    memcpy(bad, pkt, n);
    memset(bad + 32, 0, 32);
    keccak256(bad + 32, n - 32, bad);
    ck_assert_int_eq(discv4_decode(bad, n, DISCV4_BASE_SPECTRUM, &q), ERR_CRYPTO);
    /* a changed body re-hashed but not re-signed: someone else "signed" it */
    memcpy(bad, pkt, n);
    bad[n - 1] ^= 0x01;
    keccak256(bad + 32, n - 32, bad);
    int rc = discv4_decode(bad, n, DISCV4_BASE_SPECTRUM, &q);
    ck_assert(rc != 0 || memcmp(q.sender, p.sender, 64) != 0);
}
END_TEST

START_TEST(sizes_are_limited)
{
    uint8_t sk[32], pkt[DISCV4_MAX_PACKET + 100];
    test_key("discv4 packet test", sk);
    struct discv4_packet q;
    ck_assert_int_eq(discv4_decode(pkt, 97, DISCV4_BASE_SPECTRUM, &q), ERR_RANGE);
    ck_assert_int_eq(discv4_decode(pkt, 0, DISCV4_BASE_SPECTRUM, &q), ERR_RANGE);

    /* a well-signed findnode padded past 1280 bytes with trailing data
     * (which EIP-8 lets a packet carry) is refused for its size alone */
    uint8_t body[DISCV4_MAX_PACKET];
    struct bytes b = BYTES_INIT;
    size_t m = rlp_list_begin(&b);
    uint8_t target[64] = {1};
    rlp_put_bytes(&b, target, 64);
    rlp_put_u64(&b, 2000000000u);
    rlp_list_end(&b, m);
    ck_assert_int_eq(bytes_ok(&b), 0);
    memcpy(body, b.data, b.len);
    size_t blen = b.len;
    bytes_free(&b);
    memset(body + blen, 0xee, sizeof body - blen);
    size_t n = sign_raw(sk, 0x0c, body, DISCV4_MAX_PACKET - 98, pkt);
    ck_assert_uint_eq(n, DISCV4_MAX_PACKET);
    ck_assert_int_eq(discv4_decode(pkt, n, DISCV4_BASE_SPECTRUM, &q), 0);   /* 1280: fine */
    n = sign_raw(sk, 0x0c, body, DISCV4_MAX_PACKET - 97, pkt);               /* one more */
    ck_assert_uint_eq(n, DISCV4_MAX_PACKET + 1);
    ck_assert_int_eq(discv4_decode(pkt, n, DISCV4_BASE_SPECTRUM, &q), ERR_RANGE);
}
END_TEST

START_TEST(neighbors_split_under_1280)
{
    uint8_t sk[32];
    test_key("discv4 packet test", sk);
    /* worst case: IPv6, maximal ports and expiration */
    struct enode nodes[30];
    for (int i = 0; i < 30; i++) {
        make_ep(&nodes[i].ep, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", 65535, 65535);
        memset(nodes[i].id, i + 1, 64);
    }
    struct discv4_buf out[3];
    size_t count = 0;
    ck_assert_int_eq(discv4_encode_neighbors(sk, DISCV4_BASE_SPECTRUM, nodes, 30, UINT64_MAX,
                                             out, 3, &count), 0);
    ck_assert_uint_eq(count, 3);
    size_t seen = 0;
    for (size_t k = 0; k < count; k++) {
        ck_assert_uint_lt(out[k].len, DISCV4_MAX_PACKET);
        struct discv4_packet p;
        ck_assert_int_eq(discv4_decode(out[k].data, out[k].len, DISCV4_BASE_SPECTRUM, &p), 0);
        ck_assert_int_eq(p.kind, DISCV4_NEIGHBORS);
        ck_assert_uint_eq(p.expiration, UINT64_MAX);
        ck_assert_uint_eq(p.u.neighbors.count, k < 2 ? 12 : 6);
        for (size_t i = 0; i < p.u.neighbors.count; i++, seen++)
            ck_assert(memcmp(p.u.neighbors.nodes[i].id, nodes[seen].id, 64) == 0);
    }
    ck_assert_uint_eq(seen, 30);
    /* not enough room for the packets */
    ck_assert_int_eq(discv4_encode_neighbors(sk, DISCV4_BASE_SPECTRUM, nodes, 30, 1, out, 2,
                                             &count), ERR_RANGE);
    /* one packet never takes 13 */
    struct discv4_packet p;
    memset(&p, 0, sizeof p);
    p.kind = DISCV4_NEIGHBORS;
    p.u.neighbors.count = 13;
    memcpy(p.u.neighbors.nodes, nodes, 13 * sizeof nodes[0]);
    uint8_t pkt[DISCV4_MAX_PACKET];
    size_t n;
    ck_assert_int_eq(discv4_encode(sk, DISCV4_BASE_SPECTRUM, &p, pkt, &n, NULL), ERR_INVAL);
}
END_TEST

/* Encodes body hex and decodes it as a packet of kind `kind`. */
static int decode_body(const char *body_hex, int kind, struct discv4_packet *p)
{
    uint8_t sk[32], body[1100], pkt[DISCV4_MAX_PACKET];
    test_key("discv4 packet test", sk);
    size_t blen = test_unhex(body_hex, body, sizeof body);
    size_t n = sign_raw(sk, (uint8_t)(DISCV4_BASE_SPECTRUM + kind), body, blen, pkt);
    return discv4_decode(pkt, n, DISCV4_BASE_SPECTRUM, p);
}

START_TEST(malformed_bodies)
{
    struct discv4_packet p;
    /* ping [4, [127.0.0.1, 3322, 5544], [::1..., 2222, 3333], exp]: valid */
    ck_assert_int_eq(decode_body("de04cb847f000001820cfa8215a8cb847f000001820cfa8215a8843b9aca00",
                                 DISCV4_PING, &p), 0);
    /* empty "from" IP: accepted (ip_len 0) */
    ck_assert_int_eq(decode_body("da04c780820cfa8215a8cb847f000001820cfa8215a8843b9aca00",
                                 DISCV4_PING, &p), 0);
    ck_assert_uint_eq(p.u.ping.from.ip_len, 0);
    /* 5-byte IP */
    ck_assert_int_eq(decode_body("df04cc857f00000101820cfa8215a8cb847f000001820cfa8215a8843b9aca00",
                                 DISCV4_PING, &p), ERR_DECODE);
    /* UDP port 65536 */
    ck_assert_int_eq(decode_body("df04cc847f00000183010000" "8215a8cb847f000001820cfa8215a8843b9aca00",
                                 DISCV4_PING, &p), ERR_DECODE);
    /* three elements only */
    ck_assert_int_eq(decode_body("d904cb847f000001820cfa8215a8cb847f000001820cfa8215a8",
                                 DISCV4_PING, &p), ERR_DECODE);
    /* not a list */
    ck_assert_int_eq(decode_body("8401020304", DISCV4_PING, &p), ERR_DECODE);
    /* truncated RLP */
    ck_assert_int_eq(decode_body("e404cb847f", DISCV4_PING, &p), ERR_DECODE);
    /* non-canonical integer (leading zero) as expiration */
    ck_assert_int_eq(decode_body("df04cb847f000001820cfa8215a8cb847f000001820cfa8215a885003b9aca00",
                                 DISCV4_PING, &p), ERR_DECODE);
    /* pong with a 31-byte hash */
    ck_assert_int_eq(decode_body("f1cb847f000001820cfa8215a89f"
                                 "00000000000000000000000000000000000000000000000000000000000000"
                                 "843b9aca00", DISCV4_PONG, &p), ERR_DECODE);
    /* findnode with a 63-byte target */
    {
        char hex[400];
        strcpy(hex, "f846b83f");
        for (int i = 0; i < 63; i++)
            strcat(hex, "01");
        strcat(hex, "843b9aca00");
        ck_assert_int_eq(decode_body(hex, DISCV4_FINDNODE, &p), ERR_DECODE);
    }
    /* neighbors: one good node and one with a 5-byte IP (skipped, not fatal) */
    {
        char hex[800], id[129];
        memset(id, 'a', 128);
        id[128] = 0;
        /* node: [ip, udp, tcp, id] */
        strcpy(hex, "f8a6" "f89f");
        strcat(hex, "f84d" "847f000001" "82115c" "82115d" "b840");
        strcat(hex, id);
        strcat(hex, "f84e" "857f00000101" "82115c" "82115d" "b840");
        strcat(hex, id);
        strcat(hex, "843b9aca00");
        ck_assert_int_eq(decode_body(hex, DISCV4_NEIGHBORS, &p), 0);
        ck_assert_uint_eq(p.u.neighbors.count, 1);
        ck_assert_uint_eq(p.u.neighbors.skipped, 1);
        check_ep(&p.u.neighbors.nodes[0].ep, "127.0.0.1", 4444, 4445);
    }
    /* neighbors: a node id of 63 bytes is fatal */
    {
        char hex[400];
        strcpy(hex, "f855" "f84e" "f84c" "847f000001" "82115c" "82115d" "b83f");
        for (int i = 0; i < 63; i++)
            strcat(hex, "aa");
        strcat(hex, "843b9aca00");
        ck_assert_int_eq(decode_body(hex, DISCV4_NEIGHBORS, &p), ERR_DECODE);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("net_discv4");
    TCase *tc = tcase_create("packet");
    tcase_add_test(tc, eip8_ping_packets);
    tcase_add_test(tc, eip8_pong_findnode_neighbours);
    tcase_add_test(tc, stock_types_are_unknown_to_spectrum);
    tcase_add_test(tc, spectrum_round_trips);
    tcase_add_test(tc, hash_and_signature_are_checked);
    tcase_add_test(tc, sizes_are_limited);
    tcase_add_test(tc, neighbors_split_under_1280);
    tcase_add_test(tc, malformed_bodies);
    suite_add_tcase(s, tc);
    suite_add_tcase(s, net_enode_tcase());
    suite_add_tcase(s, net_kad_tcase());
    suite_add_tcase(s, net_discv4_service_tcase());
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
