/* test_net_rlpx.c — the RLPx transport: handshake against the EIP-8 test
 * vectors (both formats, both directions, every value the EIP publishes),
 * our initiator and recipient against each other, hostile handshake input,
 * frames checked against the spec's formulas computed independently with
 * one-shot primitives, frame tampering and limits, and the session's event
 * loop (partial input, coalesced input, output draining, terminal errors).
 * The ECIES cases are in test_crypto_ecies.c. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/aes.h"
#include "crypto/ecdsa.h"
#include "crypto/ecies.h"
#include "crypto/keccak.h"
#include "net/rlpx_frame.h"
#include "net/rlpx_handshake.h"
#include "net/rlpx_session.h"
#include "primitives/rlp.h"
#include "util/err.h"
#include "util/hex.h"

TCase *tcase_ecies(void);

/* ---- EIP-8 test vectors -------------------------------------------------
 * From EIP-8 "devp2p Forward Compatibility Requirements for Homestead",
 * section "Test Vectors / RLPx Handshake" (Felix Lange,
 * https://eips.ethereum.org/EIPS/eip-8). Node A initiates to node B. */
static const char *KEY_A = "49a7b37aa6f6645917e7b807e9d1c00d4fa71f18343b0d4122a4d2df64dd6fee";
static const char *KEY_B = "b71c71a67e1177ad4e901695e1b4b9ee17ae16c6668d313eac2f96dbcda3f291";
static const char *EPH_A = "869d6ecf5211f1cc60418a13b9d870b22959d0c16f02bec714c960dd2298a32d";
static const char *EPH_B = "e238eb8e04fee6511ab04c6dd3c89ce097b11f25d584863ac2b6d5b35b1847e4";
static const char *NONCE_A = "7e968bba13b6c50e2c4cd7f241cc0d64d1ac25c7f5952df231ac6a2bda8ee5d6";
static const char *NONCE_B = "559aead08264d5795d3909718cdd05abd49572e84fe55590eef31a88a08fdffd";
static const char *AES_SECRET = "80e8632c05fed6fc2a13b0f8d31a3cf645366239170ea067065aba8e28bac487";
static const char *MAC_SECRET = "2ea74ec5dae199227dff1af715362700e989d889d7a493cb0639691efb8e5f98";
static const char *INGRESS_FOO = "0c7ec6340062cc46f5e9f1e3cf86f8c8c403c5a0964f5df0ebd34a75ddc86db5";

/* Auth₁: RLPx v4 (pre-EIP-8) format. Auth₂: EIP-8, version 4. Auth₃: EIP-8,
 * version 56 with 3 additional list elements. */
static const char *AUTH[3] = {
    "048ca79ad18e4b0659fab4853fe5bc58eb83992980f4c9cc147d2aa31532efd29a3d3dc6a3d89eaf"
    "913150cfc777ce0ce4af2758bf4810235f6e6ceccfee1acc6b22c005e9e3a49d6448610a58e98744"
    "ba3ac0399e82692d67c1f58849050b3024e21a52c9d3b01d871ff5f210817912773e610443a9ef14"
    "2e91cdba0bd77b5fdf0769b05671fc35f83d83e4d3b0b000c6b2a1b1bba89e0fc51bf4e460df3105"
    "c444f14be226458940d6061c296350937ffd5e3acaceeaaefd3c6f74be8e23e0f45163cc7ebd7622"
    "0f0128410fd05250273156d548a414444ae2f7dea4dfca2d43c057adb701a715bf59f6fb66b2d1d2"
    "0f2c703f851cbf5ac47396d9ca65b6260bd141ac4d53e2de585a73d1750780db4c9ee4cd4d225173"
    "a4592ee77e2bd94d0be3691f3b406f9bba9b591fc63facc016bfa8",

    "01b304ab7578555167be8154d5cc456f567d5ba302662433674222360f08d5f1534499d3678b513b"
    "0fca474f3a514b18e75683032eb63fccb16c156dc6eb2c0b1593f0d84ac74f6e475f1b8d56116b84"
    "9634a8c458705bf83a626ea0384d4d7341aae591fae42ce6bd5c850bfe0b999a694a49bbbaf3ef6c"
    "da61110601d3b4c02ab6c30437257a6e0117792631a4b47c1d52fc0f8f89caadeb7d02770bf999cc"
    "147d2df3b62e1ffb2c9d8c125a3984865356266bca11ce7d3a688663a51d82defaa8aad69da39ab6"
    "d5470e81ec5f2a7a47fb865ff7cca21516f9299a07b1bc63ba56c7a1a892112841ca44b6e0034dee"
    "70c9adabc15d76a54f443593fafdc3b27af8059703f88928e199cb122362a4b35f62386da7caad09"
    "c001edaeb5f8a06d2b26fb6cb93c52a9fca51853b68193916982358fe1e5369e249875bb8d0d0ec3"
    "6f917bc5e1eafd5896d46bd61ff23f1a863a8a8dcd54c7b109b771c8e61ec9c8908c733c0263440e"
    "2aa067241aaa433f0bb053c7b31a838504b148f570c0ad62837129e547678c5190341e4f1693956c"
    "3bf7678318e2d5b5340c9e488eefea198576344afbdf66db5f51204a6961a63ce072c8926c",

    "01b8044c6c312173685d1edd268aa95e1d495474c6959bcdd10067ba4c9013df9e40ff45f5bfd6f7"
    "2471f93a91b493f8e00abc4b80f682973de715d77ba3a005a242eb859f9a211d93a347fa64b597bf"
    "280a6b88e26299cf263b01b8dfdb712278464fd1c25840b995e84d367d743f66c0e54a586725b7bb"
    "f12acca27170ae3283c1073adda4b6d79f27656993aefccf16e0d0409fe07db2dc398a1b7e8ee93b"
    "cd181485fd332f381d6a050fba4c7641a5112ac1b0b61168d20f01b479e19adf7fdbfa0905f63352"
    "bfc7e23cf3357657455119d879c78d3cf8c8c06375f3f7d4861aa02a122467e069acaf513025ff19"
    "6641f6d2810ce493f51bee9c966b15c5043505350392b57645385a18c78f14669cc4d960446c1757"
    "1b7c5d725021babbcd786957f3d17089c084907bda22c2b2675b4378b114c601d858802a55345a15"
    "116bc61da4193996187ed70d16730e9ae6b3bb8787ebcaea1871d850997ddc08b4f4ea668fbf3740"
    "7ac044b55be0908ecb94d4ed172ece66fd31bfdadf2b97a8bc690163ee11f5b575a4b44e36e2bfb2"
    "f0fce91676fd64c7773bac6a003f481fddd0bae0a1f31aa27504e2a533af4cef3b623f4791b2cca6"
    "d490",
};

/* Ack₁: RLPx v4 format. Ack₂: EIP-8, version 4. Ack₃: EIP-8, version 57
 * with 3 additional list elements. */
static const char *ACK[3] = {
    "049f8abcfa9c0dc65b982e98af921bc0ba6e4243169348a236abe9df5f93aa69d99cadddaa387662"
    "b0ff2c08e9006d5a11a278b1b3331e5aaabf0a32f01281b6f4ede0e09a2d5f585b26513cb794d963"
    "5a57563921c04a9090b4f14ee42be1a5461049af4ea7a7f49bf4c97a352d39c8d02ee4acc416388c"
    "1c66cec761d2bc1c72da6ba143477f049c9d2dde846c252c111b904f630ac98e51609b3b1f58168d"
    "dca6505b7196532e5f85b259a20c45e1979491683fee108e9660edbf38f3add489ae73e3dda2c71b"
    "d1497113d5c755e942d1",

    "01ea0451958701280a56482929d3b0757da8f7fbe5286784beead59d95089c217c9b917788989470"
    "b0e330cc6e4fb383c0340ed85fab836ec9fb8a49672712aeabbdfd1e837c1ff4cace34311cd7f4de"
    "05d59279e3524ab26ef753a0095637ac88f2b499b9914b5f64e143eae548a1066e14cd2f4bd7f814"
    "c4652f11b254f8a2d0191e2f5546fae6055694aed14d906df79ad3b407d94692694e259191cde171"
    "ad542fc588fa2b7333313d82a9f887332f1dfc36cea03f831cb9a23fea05b33deb999e85489e645f"
    "6aab1872475d488d7bd6c7c120caf28dbfc5d6833888155ed69d34dbdc39c1f299be1057810f34fb"
    "e754d021bfca14dc989753d61c413d261934e1a9c67ee060a25eefb54e81a4d14baff922180c395d"
    "3f998d70f46f6b58306f969627ae364497e73fc27f6d17ae45a413d322cb8814276be6ddd13b885b"
    "201b943213656cde498fa0e9ddc8e0b8f8a53824fbd82254f3e2c17e8eaea009c38b4aa0a3f306e8"
    "797db43c25d68e86f262e564086f59a2fc60511c42abfb3057c247a8a8fe4fb3ccbadde17514b7ac"
    "8000cdb6a912778426260c47f38919a91f25f4b5ffb455d6aaaf150f7e5529c100ce62d6d92826a7"
    "1778d809bdf60232ae21ce8a437eca8223f45ac37f6487452ce626f549b3b5fdee26afd2072e4bc7"
    "5833c2464c805246155289f4",

    "01f004076e58aae772bb101ab1a8e64e01ee96e64857ce82b1113817c6cdd52c09d26f7b90981cd7"
    "ae835aeac72e1573b8a0225dd56d157a010846d888dac7464baf53f2ad4e3d584531fa203658fab0"
    "3a06c9fd5e35737e417bc28c1cbf5e5dfc666de7090f69c3b29754725f84f75382891c561040ea1d"
    "dc0d8f381ed1b9d0d4ad2a0ec021421d847820d6fa0ba66eaf58175f1b235e851c7e2124069fbc20"
    "2888ddb3ac4d56bcbd1b9b7eab59e78f2e2d400905050f4a92dec1c4bdf797b3fc9b2f8e84a482f3"
    "d800386186712dae00d5c386ec9387a5e9c9a1aca5a573ca91082c7d68421f388e79127a5177d4f8"
    "590237364fd348c9611fa39f78dcdceee3f390f07991b7b47e1daa3ebcb6ccc9607811cb17ce51f1"
    "c8c2c5098dbdd28fca547b3f58c01a424ac05f869f49c6a34672ea2cbbc558428aa1fe48bbfd6115"
    "8b1b735a65d99f21e70dbc020bfdface9f724a0d1fb5895db971cc81aa7608baa0920abb0a565c9c"
    "436e2fd13323428296c86385f2384e408a31e104670df0791d93e743a3a5194ee6b076fb6323ca59"
    "3011b7348c16cf58f66b9633906ba54a2ee803187344b394f75dd2e663a57b956cb830dd7a908d4f"
    "39a2336a61ef9fda549180d4ccde21514d117b6c6fd07a9102b5efe710a32af4eeacae2cb3b1dec0"
    "35b9593b48b9d3ca4c13d245d5f04169b0b1",
};
static const uint64_t AUTH_VERSION[3] = {4, 4, 56};
static const uint64_t ACK_VERSION[3] = {4, 4, 57};
static const bool EIP8[3] = {false, true, true};

/* The vector keys, decoded once per test. */
struct vec {
    uint8_t ka[32], kb[32], ea[32], eb[32], na[32], nb[32];
    uint8_t pa[64], pb[64], pea[64], peb[64];
    uint8_t aes[32], mac[32], foo[32];
};

static void unhex(const char *s, uint8_t *out, size_t len)
{
    ck_assert_int_eq(hex_decode_exact(s, strlen(s), out, len), 0);
}

/* Decodes a packet vector into a fresh buffer; *len receives its size. */
static uint8_t *packet(const char *hex, size_t *len)
{
    size_t n = strlen(hex) / 2;
    uint8_t *p = malloc(n);
    ck_assert_ptr_nonnull(p);
    unhex(hex, p, n);
    *len = n;
    return p;
}

static void load(struct vec *v)
{
    unhex(KEY_A, v->ka, 32);
    unhex(KEY_B, v->kb, 32);
    unhex(EPH_A, v->ea, 32);
    unhex(EPH_B, v->eb, 32);
    unhex(NONCE_A, v->na, 32);
    unhex(NONCE_B, v->nb, 32);
    unhex(AES_SECRET, v->aes, 32);
    unhex(MAC_SECRET, v->mac, 32);
    unhex(INGRESS_FOO, v->foo, 32);
    ck_assert_int_eq(ecdsa_pubkey(v->ka, v->pa), 0);
    ck_assert_int_eq(ecdsa_pubkey(v->kb, v->pb), 0);
    ck_assert_int_eq(ecdsa_pubkey(v->ea, v->pea), 0);
    ck_assert_int_eq(ecdsa_pubkey(v->eb, v->peb), 0);
}

/* keccak256 of everything a running state absorbed, plus `extra`. */
static void digest_with(const struct keccak_ctx *c, const void *extra, size_t n, uint8_t out[32])
{
    struct keccak_ctx t = *c;
    keccak256_update(&t, extra, n);
    keccak256_final(&t, out);
}

static void key_from_seed(int seed, uint8_t sk[32])
{
    uint8_t in[6] = {'r', 'l', 'p', 'x', (uint8_t)seed, (uint8_t)(seed >> 8)};
    keccak256(in, sizeof in, sk);
    ck_assert(ecdsa_seckey_valid(sk));
}

/* Feeds a whole packet to rlpx_handshake_read. */
static int read_all(struct rlpx_handshake *hs, const uint8_t *p, size_t len, struct bytes *out)
{
    size_t used = 0, need = 0;
    int rc = rlpx_handshake_read(hs, p, len, &used, &need, out);
    if (rc == 0) {
        ck_assert_uint_eq(used, len);
        ck_assert_uint_eq(need, 0);
    }
    return rc;
}

/* ---- handshake: vectors ------------------------------------------------- */

/* B reads each auth vector: every field A put in it comes out, the
 * secrets are the published ones, and B answers in the auth's format. */
START_TEST(vector_auth_read_by_recipient)
{
    struct vec v;
    load(&v);
    for (int i = 0; i < 3; i++) {
        size_t len;
        uint8_t *auth = packet(AUTH[i], &len);
        struct rlpx_handshake hs;
        struct bytes out = BYTES_INIT;
        ck_assert_int_eq(rlpx_handshake_recipient_with(&hs, v.kb, v.eb, v.nb), 0);
        ck_assert_int_eq(hs.state, RLPX_HS_WAIT_AUTH);
        ck_assert_int_eq(read_all(&hs, auth, len, &out), 0);
        ck_assert_int_eq(hs.state, RLPX_HS_DONE);
        ck_assert_int_eq(hs.remote_eip8, EIP8[i]);
        ck_assert_uint_eq(hs.remote_version, AUTH_VERSION[i]);
        ck_assert_mem_eq(hs.remote_pub, v.pa, 64);
        ck_assert_mem_eq(hs.remote_eph_pub, v.pea, 64);
        ck_assert_mem_eq(hs.remote_nonce, v.na, 32);
        ck_assert_mem_eq(hs.secrets.aes, v.aes, 32);
        ck_assert_mem_eq(hs.secrets.mac, v.mac, 32);
        if (i == 1) { /* the EIP publishes B's ingress MAC for (Auth₂, Ack₂) */
            uint8_t d[32];
            digest_with(&hs.secrets.ingress_mac, "foo", 3, d);
            ck_assert_mem_eq(d, v.foo, 32);
        }
        if (EIP8[i]) {
            ck_assert_uint_gt(out.len, 2);
            ck_assert_uint_eq((size_t)out.data[0] << 8 | out.data[1], out.len - 2);
        } else {
            ck_assert_uint_eq(out.len, RLPX_ACK_LEGACY_LEN);
        }
        /* A can read B's answer, and it carries B's ephemeral key and nonce. */
        struct rlpx_handshake a;
        struct bytes junk = BYTES_INIT;
        ck_assert_int_eq(rlpx_handshake_initiator_with(&a, v.ka, v.pb, v.ea, v.na, &junk), 0);
        ck_assert_int_eq(read_all(&a, out.data, out.len, &junk), 0);
        ck_assert_mem_eq(a.remote_eph_pub, v.peb, 64);
        ck_assert_mem_eq(a.remote_nonce, v.nb, 32);
        ck_assert_int_eq(a.remote_eip8, EIP8[i]);
        ck_assert_mem_eq(a.secrets.aes, v.aes, 32);
        rlpx_handshake_clear(&a);
        rlpx_handshake_clear(&hs);
        bytes_free(&out);
        bytes_free(&junk);
        free(auth);
    }
}
END_TEST

/* A reads each ack vector after sending its own auth. */
START_TEST(vector_ack_read_by_initiator)
{
    struct vec v;
    load(&v);
    for (int i = 0; i < 3; i++) {
        size_t len;
        uint8_t *ack = packet(ACK[i], &len);
        struct rlpx_handshake hs;
        struct bytes out = BYTES_INIT;
        ck_assert_int_eq(rlpx_handshake_initiator_with(&hs, v.ka, v.pb, v.ea, v.na, &out), 0);
        ck_assert_int_eq(hs.state, RLPX_HS_WAIT_ACK);
        size_t auth_len = out.len;
        ck_assert_int_eq(read_all(&hs, ack, len, &out), 0);
        ck_assert_uint_eq(out.len, auth_len); /* the initiator writes nothing more */
        ck_assert_int_eq(hs.state, RLPX_HS_DONE);
        ck_assert_int_eq(hs.remote_eip8, EIP8[i]);
        ck_assert_uint_eq(hs.remote_version, ACK_VERSION[i]);
        ck_assert_mem_eq(hs.remote_pub, v.pb, 64);
        ck_assert_mem_eq(hs.remote_eph_pub, v.peb, 64);
        ck_assert_mem_eq(hs.remote_nonce, v.nb, 32);
        ck_assert_mem_eq(hs.secrets.aes, v.aes, 32);
        ck_assert_mem_eq(hs.secrets.mac, v.mac, 32);
        rlpx_handshake_clear(&hs);
        /* Bytes after the ack (the recipient's first frame) are left alone. */
        uint8_t *more = malloc(len + 40);
        memcpy(more, ack, len);
        memset(more + len, 0x04, 40);
        size_t used, need;
        ck_assert_int_eq(rlpx_handshake_initiator_with(&hs, v.ka, v.pb, v.ea, v.na, &out), 0);
        ck_assert_int_eq(rlpx_handshake_read(&hs, more, len + 40, &used, &need, &out), 0);
        ck_assert_uint_eq(used, len);
        ck_assert_mem_eq(hs.secrets.mac, v.mac, 32);
        rlpx_handshake_clear(&hs);
        free(more);
        bytes_free(&out);
        free(ack);
    }
}
END_TEST

/* The derivation on its own, both sides, over (Auth₂, Ack₂): B's ingress
 * MAC is the published one, and each side's egress is the other's ingress. */
START_TEST(vector_secrets_both_sides)
{
    struct vec v;
    load(&v);
    size_t alen, klen;
    uint8_t *auth = packet(AUTH[1], &alen), *ack = packet(ACK[1], &klen);
    struct rlpx_secrets a, b;
    ck_assert_int_eq(rlpx_secrets_derive(true, v.ea, v.peb, v.na, v.nb, auth, alen, ack, klen, &a),
                     0);
    ck_assert_int_eq(
        rlpx_secrets_derive(false, v.eb, v.pea, v.na, v.nb, auth, alen, ack, klen, &b), 0);
    ck_assert_mem_eq(a.aes, v.aes, 32);
    ck_assert_mem_eq(b.mac, v.mac, 32);
    uint8_t d1[32], d2[32];
    digest_with(&b.ingress_mac, "foo", 3, d1);
    ck_assert_mem_eq(d1, v.foo, 32);
    digest_with(&a.egress_mac, "foo", 3, d2);
    ck_assert_mem_eq(d2, v.foo, 32);
    digest_with(&a.ingress_mac, "bar", 3, d1);
    digest_with(&b.egress_mac, "bar", 3, d2);
    ck_assert_mem_eq(d1, d2, 32);
    ck_assert(memcmp(d1, v.foo, 32) != 0);
    /* The ingress MAC covers the packet bytes: another auth, another MAC. */
    auth[alen - 1] ^= 1;
    ck_assert_int_eq(
        rlpx_secrets_derive(false, v.eb, v.pea, v.na, v.nb, auth, alen, ack, klen, &b), 0);
    digest_with(&b.ingress_mac, "foo", 3, d1);
    ck_assert(memcmp(d1, v.foo, 32) != 0);
    uint8_t bad[64];
    memcpy(bad, v.peb, 64);
    bad[10] ^= 1;
    ck_assert_int_eq(rlpx_secrets_derive(true, v.ea, bad, v.na, v.nb, auth, alen, ack, klen, &a),
                     ERR_CRYPTO);
    free(auth);
    free(ack);
}
END_TEST

/* Bytes arriving one at a time: the reader never asks for more than the
 * packet holds (the bytes after it belong to the frames), and the result is
 * the same as reading it whole. */
START_TEST(vector_trickle)
{
    struct vec v;
    load(&v);
    for (int i = 0; i < 3; i++) {
        for (int side = 0; side < 2; side++) {
            size_t len;
            uint8_t *pkt = packet(side ? ACK[i] : AUTH[i], &len);
            struct rlpx_handshake hs;
            struct bytes out = BYTES_INIT;
            if (side)
                ck_assert_int_eq(
                    rlpx_handshake_initiator_with(&hs, v.ka, v.pb, v.ea, v.na, &out), 0);
            else
                ck_assert_int_eq(rlpx_handshake_recipient_with(&hs, v.kb, v.eb, v.nb), 0);
            size_t have = 0, used = 0, need = 0;
            while (used == 0) {
                ck_assert_uint_lt(have, len);
                have++;
                ck_assert_int_eq(rlpx_handshake_read(&hs, pkt, have, &used, &need, &out), 0);
                if (used == 0) {
                    ck_assert_uint_gt(need, have);
                    ck_assert_uint_le(need, len);
                }
            }
            ck_assert_uint_eq(used, len);
            ck_assert_int_eq(hs.state, RLPX_HS_DONE);
            ck_assert_mem_eq(hs.secrets.mac, v.mac, 32);
            /* done: a further read is refused */
            ck_assert_int_eq(rlpx_handshake_read(&hs, pkt, len, &used, &need, &out),
                             ERR_BADSTATE);
            rlpx_handshake_clear(&hs);
            bytes_free(&out);
            free(pkt);
        }
    }
}
END_TEST

/* ---- handshake: our two sides -------------------------------------------- */

struct pair {
    uint8_t ki[32], kr[32], pi[64], pr[64];
    struct rlpx_handshake i, r;
    struct bytes auth, ack;
};

static void pair_start(struct pair *p, int seed)
{
    memset(p, 0, sizeof *p);
    key_from_seed(seed, p->ki);
    key_from_seed(seed + 1000, p->kr);
    ck_assert_int_eq(ecdsa_pubkey(p->ki, p->pi), 0);
    ck_assert_int_eq(ecdsa_pubkey(p->kr, p->pr), 0);
    ck_assert_int_eq(rlpx_handshake_initiator(&p->i, p->ki, p->pr, &p->auth), 0);
    ck_assert_int_eq(rlpx_handshake_recipient(&p->r, p->kr), 0);
}

static void pair_free(struct pair *p)
{
    rlpx_handshake_clear(&p->i);
    rlpx_handshake_clear(&p->r);
    bytes_free(&p->auth);
    bytes_free(&p->ack);
}

START_TEST(initiator_and_recipient_agree)
{
    for (int n = 0; n < 8; n++) {
        struct pair p;
        pair_start(&p, n);
        /* EIP-8 auth with 100-299 bytes of padding: 169-byte list + pad +
         * ECIES + prefix. */
        ck_assert_uint_ge(p.auth.len, 2 + 169 + 100 + ECIES_OVERHEAD);
        ck_assert_uint_le(p.auth.len, 2 + 169 + 299 + ECIES_OVERHEAD);
        ck_assert_uint_eq((size_t)p.auth.data[0] << 8 | p.auth.data[1], p.auth.len - 2);
        ck_assert_int_eq(read_all(&p.r, p.auth.data, p.auth.len, &p.ack), 0);
        ck_assert_int_eq(p.r.remote_eip8, true);
        ck_assert_uint_eq(p.r.remote_version, RLPX_HANDSHAKE_VERSION);
        ck_assert_mem_eq(p.r.remote_pub, p.pi, 64);
        ck_assert_uint_eq((size_t)p.ack.data[0] << 8 | p.ack.data[1], p.ack.len - 2);
        struct bytes none = BYTES_INIT;
        ck_assert_int_eq(read_all(&p.i, p.ack.data, p.ack.len, &none), 0);
        ck_assert_uint_eq(none.len, 0);
        ck_assert_int_eq(p.i.remote_eip8, true);
        ck_assert_mem_eq(p.i.secrets.aes, p.r.secrets.aes, 32);
        ck_assert_mem_eq(p.i.secrets.mac, p.r.secrets.mac, 32);
        uint8_t d1[32], d2[32];
        digest_with(&p.i.secrets.egress_mac, "x", 1, d1);
        digest_with(&p.r.secrets.ingress_mac, "x", 1, d2);
        ck_assert_mem_eq(d1, d2, 32);
        digest_with(&p.r.secrets.egress_mac, "y", 1, d1);
        digest_with(&p.i.secrets.ingress_mac, "y", 1, d2);
        ck_assert_mem_eq(d1, d2, 32);
        pair_free(&p);
    }
}
END_TEST

START_TEST(wrong_recipient_key_fails)
{
    struct pair p;
    pair_start(&p, 20);
    uint8_t other[32];
    key_from_seed(21, other);
    struct rlpx_handshake r;
    struct bytes out = BYTES_INIT;
    ck_assert_int_eq(rlpx_handshake_recipient(&r, other), 0);
    ck_assert_int_eq(read_all(&r, p.auth.data, p.auth.len, &out), ERR_CRYPTO);
    ck_assert_int_eq(r.state, RLPX_HS_FAILED);
    ck_assert_uint_eq(out.len, 0);
    size_t used, need;
    ck_assert_int_eq(rlpx_handshake_read(&r, p.auth.data, p.auth.len, &used, &need, &out),
                     ERR_BADSTATE);
    /* And an ack sealed to someone else does not complete the initiator. */
    struct pair q;
    pair_start(&q, 22);
    ck_assert_int_eq(read_all(&q.r, q.auth.data, q.auth.len, &q.ack), 0);
    ck_assert_int_eq(read_all(&p.i, q.ack.data, q.ack.len, &out), ERR_CRYPTO);
    ck_assert_int_eq(p.i.state, RLPX_HS_FAILED);
    rlpx_handshake_clear(&r);
    bytes_free(&out);
    pair_free(&p);
    pair_free(&q);
}
END_TEST

/* Builds an auth by hand, as a peer would: EIP-8 with `pad` bytes of
 * padding, a chosen version and `extra` trailing list items, or legacy.
 * `sig_tweak` corrupts the signature's recovery id. */
static void make_auth(const struct vec *v, bool eip8, size_t pad, uint64_t version, int extra,
                      int sig_tweak, struct bytes *out)
{
    uint8_t token[32], msg[32], sig[65];
    ck_assert_int_eq(ecies_shared_secret(v->ka, v->pb, token), 0);
    for (int i = 0; i < 32; i++)
        msg[i] = token[i] ^ v->na[i];
    ck_assert_int_eq(ecdsa_sign(msg, v->ea, sig), 0);
    sig[64] = (uint8_t)(sig[64] + sig_tweak);
    struct bytes plain = BYTES_INIT;
    if (eip8) {
        size_t m = rlp_list_begin(&plain);
        rlp_put_bytes(&plain, sig, 65);
        rlp_put_bytes(&plain, v->pa, 64);
        rlp_put_bytes(&plain, v->na, 32);
        rlp_put_u64(&plain, version);
        for (int i = 0; i < extra; i++)
            rlp_put_u64(&plain, (uint64_t)i + 1);
        rlp_list_end(&plain, m);
        for (size_t i = 0; i < pad; i++)
            bytes_push(&plain, (uint8_t)i);
    } else {
        uint8_t h[32];
        keccak256(v->pea, 64, h);
        bytes_append(&plain, sig, 65);
        bytes_append(&plain, h, 32);
        bytes_append(&plain, v->pa, 64);
        bytes_append(&plain, v->na, 32);
        bytes_push(&plain, 0);
    }
    ck_assert_int_eq(bytes_ok(&plain), 0);
    size_t clen = plain.len + ECIES_OVERHEAD, plen = eip8 ? 2 : 0;
    bytes_reset(out);
    ck_assert_int_eq(bytes_reserve(out, plen + clen), 0);
    out->data[0] = (uint8_t)(clen >> 8);
    out->data[1] = (uint8_t)clen;
    ck_assert_int_eq(ecies_encrypt(v->pb, plain.data, plain.len, out->data, plen, out->data + plen),
                     0);
    out->len = plen + clen;
    bytes_free(&plain);
}

/* A hand-made legacy auth gets a 210-byte legacy ack that holds, in the
 * legacy layout, B's ephemeral key, B's nonce and a zero token flag. */
START_TEST(legacy_auth_gets_legacy_ack)
{
    struct vec v;
    load(&v);
    struct bytes auth = BYTES_INIT, ack = BYTES_INIT;
    make_auth(&v, false, 0, 4, 0, 0, &auth);
    ck_assert_uint_eq(auth.len, RLPX_AUTH_LEGACY_LEN);
    struct rlpx_handshake r;
    ck_assert_int_eq(rlpx_handshake_recipient_with(&r, v.kb, v.eb, v.nb), 0);
    ck_assert_int_eq(read_all(&r, auth.data, auth.len, &ack), 0);
    ck_assert_int_eq(r.remote_eip8, false);
    ck_assert_mem_eq(r.remote_eph_pub, v.pea, 64);
    ck_assert_uint_eq(ack.len, RLPX_ACK_LEGACY_LEN);
    uint8_t plain[RLPX_ACK_LEGACY_LEN];
    size_t n;
    ck_assert_int_eq(ecies_decrypt(v.ka, ack.data, ack.len, NULL, 0, plain, &n), 0);
    ck_assert_uint_eq(n, 97);
    ck_assert_mem_eq(plain, v.peb, 64);
    ck_assert_mem_eq(plain + 64, v.nb, 32);
    ck_assert_int_eq(plain[96], 0);
    rlpx_handshake_clear(&r);
    bytes_free(&auth);
    bytes_free(&ack);
}
END_TEST

/* EIP-8 leniency: extra list items, another version, long padding — even
 * so long that the size prefix starts with 0x04 like a legacy packet. */
START_TEST(eip8_auth_variants_accepted)
{
    struct vec v;
    load(&v);
    static const size_t pads[] = {0, 1, 100, 900, 1700};
    for (size_t i = 0; i < sizeof pads / sizeof pads[0]; i++) {
        struct bytes auth = BYTES_INIT, ack = BYTES_INIT;
        make_auth(&v, true, pads[i], 5 + i, (int)i, 0, &auth);
        if (pads[i] == 900)
            ck_assert_int_eq(auth.data[0], 0x04);
        struct rlpx_handshake r;
        ck_assert_int_eq(rlpx_handshake_recipient_with(&r, v.kb, v.eb, v.nb), 0);
        /* In two pieces: first a legacy-sized prefix, then the rest. */
        size_t used, need;
        size_t first = auth.len < RLPX_AUTH_LEGACY_LEN ? auth.len : RLPX_AUTH_LEGACY_LEN;
        ck_assert_int_eq(rlpx_handshake_read(&r, auth.data, first, &used, &need, &ack), 0);
        if (used == 0) {
            ck_assert_uint_eq(need, auth.len);
            ck_assert_int_eq(read_all(&r, auth.data, auth.len, &ack), 0);
        }
        ck_assert_int_eq(r.state, RLPX_HS_DONE);
        ck_assert_int_eq(r.remote_eip8, true);
        ck_assert_uint_eq(r.remote_version, 5 + i);
        ck_assert_mem_eq(r.secrets.mac, v.mac, 32);
        rlpx_handshake_clear(&r);
        bytes_free(&auth);
        bytes_free(&ack);
    }
}
END_TEST

/* Truncated, garbage, oversized, undersized, tampered and ill-formed auth
 * packets: each fails (or, where the size prefix promises more bytes, keeps
 * waiting) and never completes. */
START_TEST(hostile_auth_fails)
{
    struct vec v;
    load(&v);
    struct bytes good = BYTES_INIT, out = BYTES_INIT, bad = BYTES_INIT;
    make_auth(&v, true, 150, 4, 0, 0, &good);
    struct rlpx_handshake r;
    size_t used, need;

#define EXPECT(BUF, LEN, CODE)                                                                   \
    do {                                                                                         \
        ck_assert_int_eq(rlpx_handshake_recipient_with(&r, v.kb, v.eb, v.nb), 0);                \
        ck_assert_int_eq(rlpx_handshake_read(&r, (BUF), (LEN), &used, &need, &out), (CODE));     \
        ck_assert_int_eq(r.state, RLPX_HS_FAILED);                                               \
        ck_assert_uint_eq(out.len, 0);                                                           \
        rlpx_handshake_clear(&r);                                                                \
    } while (0)

    /* truncated: the prefix says one byte less and the last byte is gone */
    bytes_reset(&bad);
    bytes_append(&bad, good.data, good.len - 1);
    bad.data[1]--;
    EXPECT(bad.data, bad.len, ERR_CRYPTO);
    /* a prefix over the limit is refused on its own two bytes */
    uint8_t big[2] = {0x08, 0x01};
    EXPECT(big, 2, ERR_RANGE);
    /* a prefix too small for ECIES */
    uint8_t small[2 + 50] = {0, 50};
    EXPECT(small, sizeof small, ERR_DECODE);
    /* garbage with a plausible prefix */
    uint8_t junk[402];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (uint8_t)(i * 7 + 3);
    junk[0] = 0x01;
    junk[1] = 0x90;
    EXPECT(junk, sizeof junk, ERR_DECODE); /* 0x04 envelope byte missing */
    junk[2] = 0x04;
    EXPECT(junk, sizeof junk, ERR_CRYPTO);
    /* legacy-looking garbage: tried as legacy, then waits for the EIP-8
     * size its first two bytes claim; nothing completes */
    junk[0] = 0x04;
    ck_assert_int_eq(rlpx_handshake_recipient_with(&r, v.kb, v.eb, v.nb), 0);
    ck_assert_int_eq(rlpx_handshake_read(&r, junk, sizeof junk, &used, &need, &out), 0);
    ck_assert_uint_eq(used, 0);
    ck_assert_uint_eq(need, 2 + ((size_t)0x04 << 8 | junk[1]));
    rlpx_handshake_clear(&r);
    /* the signature does not recover (recovery id 2) */
    make_auth(&v, true, 150, 4, 0, 2, &bad);
    EXPECT(bad.data, bad.len, ERR_CRYPTO);
    /* a signature from another key recovers another ephemeral key: the
     * handshake completes but the secrets differ from the vectors, so the
     * first frame's MAC fails (tested in the session cases) */
    /* every single flipped byte after the prefix */
    for (size_t i = 2; i < good.len; i++) {
        bytes_reset(&bad);
        bytes_append(&bad, good.data, good.len);
        bad.data[i] ^= 0x10;
        ck_assert_int_eq(rlpx_handshake_recipient_with(&r, v.kb, v.eb, v.nb), 0);
        int rc = rlpx_handshake_read(&r, bad.data, bad.len, &used, &need, &out);
        ck_assert_msg(rc == ERR_CRYPTO || (i == 2 && rc == ERR_DECODE), "byte %zu: rc %d", i, rc);
        rlpx_handshake_clear(&r);
    }
    /* a flipped prefix: it fails or keeps waiting, and never completes */
    for (size_t i = 0; i < 2; i++) {
        bytes_reset(&bad);
        bytes_append(&bad, good.data, good.len);
        bad.data[i] ^= 0x01;
        ck_assert_int_eq(rlpx_handshake_recipient_with(&r, v.kb, v.eb, v.nb), 0);
        int rc = rlpx_handshake_read(&r, bad.data, bad.len, &used, &need, &out);
        ck_assert(rc < 0 || (used == 0 && need > bad.len));
        ck_assert_int_ne(r.state, RLPX_HS_DONE);
        rlpx_handshake_clear(&r);
    }
    ck_assert_uint_eq(out.len, 0);
#undef EXPECT
    bytes_free(&good);
    bytes_free(&bad);
    bytes_free(&out);
}
END_TEST

/* ECIES-valid auths whose plaintext is not an auth body. */
START_TEST(malformed_auth_body_fails)
{
    struct vec v;
    load(&v);
    static const char *bodies[] = {
        "",                           /* nothing */
        "c0",                         /* empty list */
        "83010203",                   /* a string, not a list */
        "c401020304",                 /* items of the wrong sizes */
        "f8",                         /* truncated list header */
    };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        uint8_t plain[300] = {0};
        size_t n = strlen(bodies[i]) / 2;
        unhex(bodies[i], plain, n);
        uint8_t pkt[2 + 300 + ECIES_OVERHEAD];
        size_t clen = 200 + ECIES_OVERHEAD; /* pad with zeros to 200 */
        pkt[0] = (uint8_t)(clen >> 8);
        pkt[1] = (uint8_t)clen;
        ck_assert_int_eq(ecies_encrypt(v.pb, plain, 200, pkt, 2, pkt + 2), 0);
        struct rlpx_handshake r;
        struct bytes out = BYTES_INIT;
        ck_assert_int_eq(rlpx_handshake_recipient_with(&r, v.kb, v.eb, v.nb), 0);
        ck_assert_int_eq(read_all(&r, pkt, 2 + clen, &out), ERR_DECODE);
        ck_assert_uint_eq(out.len, 0);
        rlpx_handshake_clear(&r);
        bytes_free(&out);
    }
    /* A legacy-size packet (307 bytes) that decrypts but is not a legacy
     * auth cannot exist (the size is fixed), so check the ack side: an
     * EIP-8 ack with a 63-byte ephemeral key is refused. */
    struct bytes plain = BYTES_INIT;
    size_t m = rlp_list_begin(&plain);
    rlp_put_bytes(&plain, v.peb, 63);
    rlp_put_bytes(&plain, v.nb, 32);
    rlp_put_u64(&plain, 4);
    rlp_list_end(&plain, m);
    uint8_t pkt[2 + 200 + ECIES_OVERHEAD];
    size_t clen = plain.len + ECIES_OVERHEAD;
    pkt[0] = (uint8_t)(clen >> 8);
    pkt[1] = (uint8_t)clen;
    ck_assert_int_eq(ecies_encrypt(v.pa, plain.data, plain.len, pkt, 2, pkt + 2), 0);
    struct rlpx_handshake a;
    struct bytes out = BYTES_INIT;
    ck_assert_int_eq(rlpx_handshake_initiator_with(&a, v.ka, v.pb, v.ea, v.na, &out), 0);
    ck_assert_int_eq(read_all(&a, pkt, 2 + clen, &out), ERR_DECODE);
    rlpx_handshake_clear(&a);
    bytes_free(&out);
    bytes_free(&plain);
}
END_TEST

/* ---- frames -------------------------------------------------------------- */

/* Codecs for A and B from the vector secrets over (Auth₂, Ack₂). */
static void vector_codecs(struct rlpx_frame_codec *a, struct rlpx_frame_codec *b, size_t max,
                          struct rlpx_secrets *sa_out)
{
    struct vec v;
    load(&v);
    size_t alen, klen;
    uint8_t *auth = packet(AUTH[1], &alen), *ack = packet(ACK[1], &klen);
    struct rlpx_secrets sa, sb;
    ck_assert_int_eq(
        rlpx_secrets_derive(true, v.ea, v.peb, v.na, v.nb, auth, alen, ack, klen, &sa), 0);
    ck_assert_int_eq(
        rlpx_secrets_derive(false, v.eb, v.pea, v.na, v.nb, auth, alen, ack, klen, &sb), 0);
    ck_assert_int_eq(rlpx_frame_init(a, &sa, max), 0);
    ck_assert_int_eq(rlpx_frame_init(b, &sb, max), 0);
    if (sa_out)
        *sa_out = sa;
    free(auth);
    free(ack);
}

/* Reads one whole frame from wire[0..len); returns its total length. */
static size_t read_frame(struct rlpx_frame_codec *c, const uint8_t *wire, size_t len,
                         uint64_t *code, uint8_t **payload, size_t *plen)
{
    size_t body_len;
    ck_assert_uint_ge(len, RLPX_FRAME_HEADER_LEN);
    ck_assert_int_eq(rlpx_frame_read_header(c, wire, &body_len), 0);
    ck_assert_uint_ge(len, RLPX_FRAME_HEADER_LEN + body_len);
    uint8_t *body = malloc(body_len);
    memcpy(body, wire + RLPX_FRAME_HEADER_LEN, body_len);
    const uint8_t *frame, *p;
    size_t flen;
    ck_assert_int_eq(rlpx_frame_read_body(c, body, body_len, &frame, &flen), 0);
    ck_assert_int_eq(rlpx_frame_split(frame, flen, code, &p, plen), 0);
    *payload = malloc(*plen + 1);
    memcpy(*payload, p, *plen);
    free(body);
    return RLPX_FRAME_HEADER_LEN + body_len;
}

/* AES-256(key, block) through the one-shot CTR: the first keystream block
 * of CTR with iv = block is AES(block). */
static void aes_block(const uint8_t key[32], const uint8_t in[16], uint8_t out[16])
{
    uint8_t zero[16] = {0};
    ck_assert_int_eq(aes_ctr(key, 32, in, zero, 16, out), 0);
}

/* A frame checked against rlpx.md's formulas, computed here with one-shot
 * primitives (the keystream as one aes_ctr over the whole stream, each MAC
 * digest as keccak256 of all bytes absorbed so far), not with the codec's
 * running states. */
START_TEST(frame_matches_spec_formulas)
{
    struct rlpx_frame_codec a, b;
    struct rlpx_secrets sa;
    vector_codecs(&a, &b, RLPX_SESSION_MAX_FRAME, &sa);
    struct vec v;
    load(&v);
    static const uint8_t payload[] = {0xc5, 0x01, 0x02, 0x03, 0x04, 0x05};
    struct bytes wire = BYTES_INIT;
    ck_assert_int_eq(rlpx_frame_write(&a, 0x10, payload, sizeof payload, &wire), 0);
    /* rlp(0x10) ‖ payload = 7 bytes, padded to 16 */
    ck_assert_uint_eq(wire.len, 16 + 16 + 16 + 16);

    /* Keystream: AES-256-CTR(aes-secret, iv 0) over header ‖ body. */
    uint8_t zero_iv[16] = {0}, plain[32];
    uint8_t ct[32];
    memcpy(ct, wire.data, 16);
    memcpy(ct + 16, wire.data + 32, 16);
    ck_assert_int_eq(aes_ctr(v.aes, 32, zero_iv, ct, 32, plain), 0);
    static const uint8_t want_header[16] = {0, 0, 7, 0xc2, 0x80, 0x80};
    ck_assert_mem_eq(plain, want_header, 16);
    static const uint8_t want_body[16] = {0x10, 0xc5, 1, 2, 3, 4, 5};
    ck_assert_mem_eq(plain + 16, want_body, 16);

    /* MACs: the egress state starts as the absorption of X =
     * (mac-secret ^ nonce-B) ‖ Auth₂ (checked against the EIP's ingress
     * value above); rebuild X and run the formulas with one-shot keccak. */
    size_t alen;
    uint8_t *auth = packet(AUTH[1], &alen);
    struct bytes x = BYTES_INIT;
    for (int i = 0; i < 32; i++)
        bytes_push(&x, v.mac[i] ^ v.nb[i]);
    bytes_append(&x, auth, alen);
    uint8_t d[32], e[16];
    keccak256(x.data, x.len, d);
    aes_block(v.mac, d, e);
    for (int i = 0; i < 16; i++)
        e[i] ^= wire.data[i]; /* header-mac-seed */
    bytes_append(&x, e, 16);
    keccak256(x.data, x.len, d);
    ck_assert_mem_eq(wire.data + 16, d, 16); /* header-mac */
    bytes_append(&x, wire.data + 32, 16);    /* frame ciphertext */
    keccak256(x.data, x.len, d);
    aes_block(v.mac, d, e);
    for (int i = 0; i < 16; i++)
        e[i] ^= d[i]; /* frame-mac-seed */
    bytes_append(&x, e, 16);
    keccak256(x.data, x.len, d);
    ck_assert_mem_eq(wire.data + 48, d, 16); /* frame-mac */

    /* And B reads it. */
    uint64_t code;
    uint8_t *p;
    size_t plen;
    ck_assert_uint_eq(read_frame(&b, wire.data, wire.len, &code, &p, &plen), wire.len);
    ck_assert_uint_eq(code, 0x10);
    ck_assert_uint_eq(plen, sizeof payload);
    ck_assert_mem_eq(p, payload, plen);
    free(p);
    free(auth);
    bytes_free(&x);
    bytes_free(&wire);
    rlpx_frame_free(&a);
    rlpx_frame_free(&b);
}
END_TEST

/* Many frames both ways: codes of every RLP size class, payloads around the
 * 16-byte padding boundaries, keystreams and MACs running on. */
START_TEST(frames_round_trip)
{
    struct rlpx_frame_codec a, b;
    vector_codecs(&a, &b, RLPX_SESSION_MAX_FRAME, NULL);
    static const uint64_t codes[] = {0, 1, 0x10, 0x7f, 0x80, 0xff, 0x100, 1ull << 40, UINT64_MAX};
    static const size_t lens[] = {0, 1, 14, 15, 16, 17, 31, 32, 33, 1000, 70000};
    struct bytes wire = BYTES_INIT;
    uint8_t *src = malloc(70000 + 16); /* payload j starts at src + j */
    for (size_t i = 0; i < 70000 + 16; i++)
        src[i] = (uint8_t)(i * 13 + 1);
    for (int dir = 0; dir < 2; dir++) {
        struct rlpx_frame_codec *w = dir ? &b : &a, *r = dir ? &a : &b;
        bytes_reset(&wire);
        for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
            for (size_t j = 0; j < sizeof lens / sizeof lens[0]; j++)
                ck_assert_int_eq(rlpx_frame_write(w, codes[i], src + j, lens[j], &wire), 0);
        size_t off = 0;
        for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
            for (size_t j = 0; j < sizeof lens / sizeof lens[0]; j++) {
                uint64_t code;
                uint8_t *p;
                size_t plen;
                off += read_frame(r, wire.data + off, wire.len - off, &code, &p, &plen);
                ck_assert_uint_eq(code, codes[i]);
                ck_assert_uint_eq(plen, lens[j]);
                if (plen)
                    ck_assert_mem_eq(p, src + j, plen);
                free(p);
            }
        }
        ck_assert_uint_eq(off, wire.len);
    }
    free(src);
    bytes_free(&wire);
    rlpx_frame_free(&a);
    rlpx_frame_free(&b);
}
END_TEST

/* A changed byte anywhere in a frame is caught by a MAC, and the codec
 * refuses everything afterwards. */
START_TEST(frame_tampering_detected)
{
    struct bytes wire = BYTES_INIT;
    static const uint8_t payload[40] = {0xc1, 0x80};
    size_t total = 0;
    {
        struct rlpx_frame_codec a, b;
        vector_codecs(&a, &b, RLPX_SESSION_MAX_FRAME, NULL);
        ck_assert_int_eq(rlpx_frame_write(&a, 3, payload, sizeof payload, &wire), 0);
        total = wire.len;
        rlpx_frame_free(&a);
        rlpx_frame_free(&b);
    }
    for (size_t i = 0; i < total; i++) {
        struct rlpx_frame_codec a, b;
        vector_codecs(&a, &b, RLPX_SESSION_MAX_FRAME, NULL);
        uint8_t *t = malloc(total);
        memcpy(t, wire.data, total);
        t[i] ^= 0x01;
        size_t body_len;
        int rc = rlpx_frame_read_header(&b, t, &body_len);
        if (i < RLPX_FRAME_HEADER_LEN) {
            ck_assert_int_eq(rc, ERR_CRYPTO);
        } else {
            ck_assert_int_eq(rc, 0);
            const uint8_t *f;
            size_t flen;
            ck_assert_int_eq(rlpx_frame_read_body(&b, t + 32, body_len, &f, &flen), ERR_CRYPTO);
        }
        ck_assert_int_eq(rlpx_frame_read_header(&b, wire.data, &body_len), ERR_BADSTATE);
        free(t);
        rlpx_frame_free(&a);
        rlpx_frame_free(&b);
    }
    bytes_free(&wire);
}
END_TEST

START_TEST(frame_limits_and_order)
{
    struct rlpx_frame_codec a, b;
    struct bytes wire = BYTES_INIT;
    uint8_t buf[200] = {0};
    size_t body_len;
    const uint8_t *f;
    size_t flen;

    /* The reader's limit: exactly max passes, max + 1 is refused. */
    vector_codecs(&a, &b, 64, NULL);
    ck_assert_int_eq(rlpx_frame_write_body(&a, buf, 64, &wire), 0);
    ck_assert_int_eq(rlpx_frame_write_body(&a, buf, 65, &wire), 0);
    ck_assert_int_eq(rlpx_frame_read_header(&b, wire.data, &body_len), 0);
    ck_assert_uint_eq(body_len, 64 + 16);
    memcpy(buf, wire.data + 32, body_len);
    ck_assert_int_eq(rlpx_frame_read_body(&b, buf, body_len, &f, &flen), 0);
    ck_assert_uint_eq(flen, 64);
    ck_assert_int_eq(rlpx_frame_read_header(&b, wire.data + 32 + 80, &body_len), ERR_RANGE);
    ck_assert_int_eq(rlpx_frame_read_header(&b, wire.data + 32 + 80, &body_len), ERR_BADSTATE);
    rlpx_frame_free(&a);
    rlpx_frame_free(&b);

    /* A body before any header. */
    vector_codecs(&a, &b, 64, NULL);
    memset(buf, 0, sizeof buf);
    ck_assert_int_eq(rlpx_frame_read_body(&b, buf, 32, &f, &flen), ERR_BADSTATE);
    rlpx_frame_free(&a);
    rlpx_frame_free(&b);

    /* Two headers in a row. */
    vector_codecs(&a, &b, 64, NULL);
    bytes_reset(&wire);
    ck_assert_int_eq(rlpx_frame_write_body(&a, buf, 20, &wire), 0);
    ck_assert_int_eq(rlpx_frame_read_header(&b, wire.data, &body_len), 0);
    ck_assert_int_eq(rlpx_frame_read_header(&b, wire.data, &body_len), ERR_BADSTATE);
    rlpx_frame_free(&a);
    rlpx_frame_free(&b);

    /* A body of another length than the header announced. */
    vector_codecs(&a, &b, 64, NULL);
    ck_assert_int_eq(rlpx_frame_read_header(&b, wire.data, &body_len), 0);
    ck_assert_int_eq(rlpx_frame_read_body(&b, buf, body_len - 16, &f, &flen), ERR_INVAL);
    rlpx_frame_free(&b);

    /* Writer limits: empty and over 3 bytes of size; nothing written. */
    bytes_reset(&wire);
    ck_assert_int_eq(rlpx_frame_write_body(&a, buf, 0, &wire), ERR_RANGE);
    uint8_t *huge = calloc(1, RLPX_FRAME_SIZE_MAX + 1);
    ck_assert_int_eq(rlpx_frame_write_body(&a, huge, RLPX_FRAME_SIZE_MAX + 1, &wire), ERR_RANGE);
    ck_assert_int_eq(rlpx_frame_write(&a, 1, huge, RLPX_FRAME_SIZE_MAX, &wire), ERR_RANGE);
    ck_assert_uint_eq(wire.len, 0);
    free(huge);
    rlpx_frame_free(&a);
    struct rlpx_secrets sec;
    memset(&sec, 0, sizeof sec);
    ck_assert_int_eq(rlpx_frame_init(&b, &sec, 0), ERR_RANGE);
    ck_assert_int_eq(rlpx_frame_init(&b, &sec, RLPX_FRAME_SIZE_MAX + 1), ERR_RANGE);
    rlpx_frame_free(&b);
    bytes_free(&wire);
}
END_TEST

START_TEST(frame_split_message_code)
{
    static const struct {
        const char *hex;
        int rc;
        uint64_t code;
        size_t payload;
    } cases[] = {
        {"80", 0, 0, 0},
        {"80c0", 0, 0, 1},
        {"10c3010203", 0, 0x10, 4},
        {"7f", 0, 0x7f, 0},
        {"8180", 0, 0x80, 0},
        {"88ffffffffffffffff", 0, UINT64_MAX, 0},
        {"", ERR_DECODE, 0, 0},
        {"8105", ERR_DECODE, 0, 0},       /* non-canonical: single byte wrapped */
        {"820010", ERR_DECODE, 0, 0},     /* leading zero */
        {"c0", ERR_DECODE, 0, 0},         /* a list is not a code */
        {"82", ERR_DECODE, 0, 0},         /* truncated */
        {"89010000000000000000", ERR_RANGE, 0, 0}, /* over 64 bits */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t f[16];
        size_t n = strlen(cases[i].hex) / 2, plen = 99;
        unhex(cases[i].hex, f, n);
        uint64_t code = 0;
        const uint8_t *p = NULL;
        ck_assert_int_eq(rlpx_frame_split(f, n, &code, &p, &plen), cases[i].rc);
        if (cases[i].rc == 0) {
            ck_assert_uint_eq(code, cases[i].code);
            ck_assert_uint_eq(plen, cases[i].payload);
            ck_assert_ptr_eq(p, f + n - plen);
        }
    }
}
END_TEST

/* ---- session --------------------------------------------------------------- */

/* Two sets of secrets that talk to each other (a's egress is b's ingress),
 * made from fixed bytes without a handshake. */
static void mirrored_secrets(struct rlpx_secrets *a, struct rlpx_secrets *b)
{
    memset(a, 0, sizeof *a);
    memset(a->aes, 0x11, 32);
    memset(a->mac, 0x22, 32);
    keccak256_init(&a->egress_mac);
    keccak256_update(&a->egress_mac, "egress", 6);
    keccak256_init(&a->ingress_mac);
    keccak256_update(&a->ingress_mac, "ingress", 7);
    *b = *a;
    b->egress_mac = a->ingress_mac;
    b->ingress_mac = a->egress_mac;
}

#define MAX_EVENTS 64

struct seen {
    int n;
    enum rlpx_event_type type[MAX_EVENTS];
    uint64_t code[MAX_EVENTS];
    uint8_t *payload[MAX_EVENTS];
    size_t len[MAX_EVENTS];
    uint8_t remote[64];
    int error;
};

static void seen_free(struct seen *s)
{
    for (int i = 0; i < s->n; i++)
        free(s->payload[i]);
    memset(s, 0, sizeof *s);
}

/* Moves everything `from` has to send into `to`, in pieces of `chunk`
 * bytes (0: all at once), recording the events. Returns feed's last code. */
static int pump(struct rlpx_session *from, struct rlpx_session *to, size_t chunk, struct seen *s)
{
    size_t len;
    const uint8_t *out = rlpx_session_output(from, &len);
    uint8_t *copy = malloc(len + 1);
    if (len)
        memcpy(copy, out, len);
    rlpx_session_drain(from, len);
    size_t off = 0;
    int rc = 0;
    while (off < len && rc == 0) {
        size_t piece = chunk && chunk < len - off ? chunk : len - off;
        size_t p = 0;
        while (p < piece) {
            size_t used;
            struct rlpx_event ev;
            rc = rlpx_session_feed(to, copy + off + p, piece - p, &used, &ev);
            ck_assert_uint_le(used, piece - p);
            p += used;
            if (rc) {
                ck_assert_int_eq(ev.type, RLPX_EVENT_ERROR);
                ck_assert_int_eq(ev.error, rc);
                ck_assert_ptr_nonnull(ev.reason);
                ck_assert_uint_gt(strlen(ev.reason), 0);
                s->error = rc;
                break;
            }
            if (ev.type == RLPX_EVENT_NONE) {
                ck_assert_uint_eq(p, piece);
                continue;
            }
            ck_assert_int_lt(s->n, MAX_EVENTS);
            s->type[s->n] = ev.type;
            s->code[s->n] = ev.code;
            s->len[s->n] = ev.payload_len;
            s->payload[s->n] = malloc(ev.payload_len + 1);
            if (ev.payload_len)
                memcpy(s->payload[s->n], ev.payload, ev.payload_len);
            else
                ck_assert_ptr_null(ev.payload);
            if (ev.type == RLPX_EVENT_HANDSHAKE)
                memcpy(s->remote, ev.remote_id, 64);
            s->n++;
        }
        off += piece;
    }
    free(copy);
    return rc;
}

struct conn {
    uint8_t ki[32], kr[32], pi[64], pr[64];
    struct rlpx_session i, r;
};

static void connect_sessions(struct conn *c, int seed, size_t chunk)
{
    key_from_seed(seed, c->ki);
    key_from_seed(seed + 500, c->kr);
    ck_assert_int_eq(ecdsa_pubkey(c->ki, c->pi), 0);
    ck_assert_int_eq(ecdsa_pubkey(c->kr, c->pr), 0);
    ck_assert_int_eq(rlpx_session_init_initiator(&c->i, c->ki, c->pr), 0);
    ck_assert_int_eq(rlpx_session_init_recipient(&c->r, c->kr), 0);
    ck_assert_ptr_null(rlpx_session_remote_id(&c->i));
    struct seen s = {0};
    ck_assert_int_eq(pump(&c->i, &c->r, chunk, &s), 0);
    ck_assert_int_eq(s.n, 1);
    ck_assert_int_eq(s.type[0], RLPX_EVENT_HANDSHAKE);
    ck_assert_mem_eq(s.remote, c->pi, 64);
    seen_free(&s);
    ck_assert_int_eq(pump(&c->r, &c->i, chunk, &s), 0);
    ck_assert_int_eq(s.n, 1);
    ck_assert_int_eq(s.type[0], RLPX_EVENT_HANDSHAKE);
    ck_assert_mem_eq(s.remote, c->pr, 64);
    ck_assert_mem_eq(rlpx_session_remote_id(&c->i), c->pr, 64);
    ck_assert_mem_eq(rlpx_session_remote_id(&c->r), c->pi, 64);
    seen_free(&s);
}

static void disconnect(struct conn *c)
{
    rlpx_session_free(&c->i);
    rlpx_session_free(&c->r);
}

/* Handshake and messages both ways, fed whole, in odd pieces and one byte
 * at a time. */
START_TEST(session_handshake_and_messages)
{
    static const size_t chunks[] = {0, 1, 7, 100};
    for (size_t k = 0; k < sizeof chunks / sizeof chunks[0]; k++) {
        struct conn c;
        connect_sessions(&c, (int)k, chunks[k]);
        uint8_t big[5000];
        for (size_t i = 0; i < sizeof big; i++)
            big[i] = (uint8_t)(i ^ 0x5a);
        ck_assert_int_eq(rlpx_session_send(&c.i, 0x00, big, 10), 0);
        ck_assert_int_eq(rlpx_session_send(&c.i, 0x02, NULL, 0), 0);
        ck_assert_int_eq(rlpx_session_send(&c.i, 0x13, big, sizeof big), 0);
        struct seen s = {0};
        ck_assert_int_eq(pump(&c.i, &c.r, chunks[k], &s), 0);
        ck_assert_int_eq(s.n, 3);
        ck_assert_uint_eq(s.code[0], 0x00);
        ck_assert_uint_eq(s.len[0], 10);
        ck_assert_mem_eq(s.payload[0], big, 10);
        ck_assert_uint_eq(s.code[1], 0x02);
        ck_assert_uint_eq(s.len[1], 0);
        ck_assert_uint_eq(s.code[2], 0x13);
        ck_assert_uint_eq(s.len[2], sizeof big);
        ck_assert_mem_eq(s.payload[2], big, sizeof big);
        seen_free(&s);
        ck_assert_int_eq(rlpx_session_send(&c.r, 0x03, big + 7, 33), 0);
        ck_assert_int_eq(pump(&c.r, &c.i, chunks[k], &s), 0);
        ck_assert_int_eq(s.n, 1);
        ck_assert_uint_eq(s.code[0], 0x03);
        ck_assert_mem_eq(s.payload[0], big + 7, 33);
        seen_free(&s);
        disconnect(&c);
    }
}
END_TEST

/* The recipient may send before the initiator has its ack; ack and the
 * first frame arrive in one read and come out as two events. */
START_TEST(session_coalesced_ack_and_frame)
{
    uint8_t ki[32], kr[32], pr[64];
    key_from_seed(40, ki);
    key_from_seed(41, kr);
    ck_assert_int_eq(ecdsa_pubkey(kr, pr), 0);
    struct rlpx_session i, r;
    ck_assert_int_eq(rlpx_session_init_initiator(&i, ki, pr), 0);
    ck_assert_int_eq(rlpx_session_init_recipient(&r, kr), 0);
    ck_assert_int_eq(rlpx_session_send(&r, 0, NULL, 0), ERR_BADSTATE);
    struct seen s = {0};
    ck_assert_int_eq(pump(&i, &r, 0, &s), 0);
    seen_free(&s);
    ck_assert_int_eq(rlpx_session_send(&r, 0x00, (const uint8_t *)"\xc2\x05\x80", 3), 0);
    size_t len, used;
    const uint8_t *out = rlpx_session_output(&r, &len);
    struct rlpx_event ev;
    ck_assert_int_eq(rlpx_session_feed(&i, out, len, &used, &ev), 0);
    ck_assert_int_eq(ev.type, RLPX_EVENT_HANDSHAKE);
    ck_assert_uint_lt(used, len);
    ck_assert_int_eq(rlpx_session_feed(&i, out + used, len - used, &used, &ev), 0);
    ck_assert_int_eq(ev.type, RLPX_EVENT_MESSAGE);
    ck_assert_uint_eq(ev.code, 0);
    ck_assert_uint_eq(ev.payload_len, 3);
    ck_assert_mem_eq(ev.payload, "\xc2\x05\x80", 3);
    rlpx_session_drain(&r, len);
    ck_assert_ptr_null(rlpx_session_output(&r, &len));
    ck_assert_uint_eq(len, 0);
    rlpx_session_free(&i);
    rlpx_session_free(&r);
}
END_TEST

/* Draining the output a few bytes at a time keeps the byte stream intact. */
START_TEST(session_partial_drain)
{
    struct conn c;
    connect_sessions(&c, 50, 0);
    uint8_t p[300];
    memset(p, 0x42, sizeof p);
    struct bytes sent = BYTES_INIT;
    for (int m = 0; m < 10; m++) {
        ck_assert_int_eq(rlpx_session_send(&c.i, (uint64_t)m, p, (size_t)m * 30), 0);
        size_t len;
        const uint8_t *out = rlpx_session_output(&c.i, &len);
        size_t take = len / 3 + 1;
        bytes_append(&sent, out, take);
        rlpx_session_drain(&c.i, take);
    }
    size_t len;
    const uint8_t *out = rlpx_session_output(&c.i, &len);
    bytes_append(&sent, out, len);
    rlpx_session_drain(&c.i, len + 100); /* more than waits: all */
    ck_assert_ptr_null(rlpx_session_output(&c.i, &len));
    size_t off = 0;
    for (int m = 0; m < 10; m++) {
        size_t used;
        struct rlpx_event ev;
        ck_assert_int_eq(rlpx_session_feed(&c.r, sent.data + off, sent.len - off, &used, &ev), 0);
        off += used;
        ck_assert_int_eq(ev.type, RLPX_EVENT_MESSAGE);
        ck_assert_uint_eq(ev.code, (uint64_t)m);
        ck_assert_uint_eq(ev.payload_len, (size_t)m * 30);
    }
    ck_assert_uint_eq(off, sent.len);
    bytes_free(&sent);
    disconnect(&c);
}
END_TEST

/* Terminal errors: an oversized frame, a flipped byte, a bad message code;
 * afterwards every feed and send is refused. */
START_TEST(session_errors_are_terminal)
{
    uint8_t p[200] = {0};
    struct seen s = {0};
    /* oversized */
    struct conn c;
    connect_sessions(&c, 60, 0);
    ck_assert_int_eq(rlpx_session_set_max_frame(&c.r, 0), ERR_RANGE);
    ck_assert_int_eq(rlpx_session_set_max_frame(&c.r, RLPX_FRAME_SIZE_MAX + 1), ERR_RANGE);
    ck_assert_int_eq(rlpx_session_set_max_frame(&c.r, 100), 0);
    ck_assert_int_eq(rlpx_session_send(&c.i, 1, p, 99), 0);  /* frame of 100: fine */
    ck_assert_int_eq(rlpx_session_send(&c.i, 1, p, 100), 0); /* 101: too big */
    ck_assert_int_eq(pump(&c.i, &c.r, 0, &s), ERR_RANGE);
    ck_assert_int_eq(s.n, 1);
    ck_assert_uint_eq(s.len[0], 99);
    seen_free(&s);
    size_t used;
    struct rlpx_event ev;
    ck_assert_int_eq(rlpx_session_feed(&c.r, p, 10, &used, &ev), ERR_BADSTATE);
    ck_assert_int_eq(ev.type, RLPX_EVENT_ERROR);
    ck_assert_uint_eq(used, 0);
    ck_assert_int_eq(rlpx_session_send(&c.r, 1, p, 1), ERR_BADSTATE);
    ck_assert_ptr_null(rlpx_session_remote_id(&c.r));
    disconnect(&c);

    /* a flipped bit in the second frame's body */
    connect_sessions(&c, 61, 0);
    ck_assert_int_eq(rlpx_session_send(&c.i, 1, p, 20), 0);
    size_t first;
    rlpx_session_output(&c.i, &first);
    ck_assert_int_eq(rlpx_session_send(&c.i, 2, p, 20), 0);
    size_t len;
    uint8_t *out = (uint8_t *)rlpx_session_output(&c.i, &len);
    out[first + 40] ^= 0x80;
    ck_assert_int_eq(pump(&c.i, &c.r, 5, &s), ERR_CRYPTO);
    ck_assert_int_eq(s.n, 1);
    seen_free(&s);
    disconnect(&c);

    /* an authentic frame without a valid message code, written by a bare
     * codec holding the mirror image of the session's secrets */
    struct rlpx_secrets mine, peer;
    mirrored_secrets(&mine, &peer);
    struct rlpx_session r;
    struct rlpx_frame_codec w;
    uint8_t id[64] = {1};
    ck_assert_int_eq(rlpx_session_init_open(&r, &mine, id), 0);
    ck_assert_mem_eq(rlpx_session_remote_id(&r), id, 64);
    ck_assert_int_eq(rlpx_frame_init(&w, &peer, RLPX_FRAME_SIZE_MAX), 0);
    struct bytes wire = BYTES_INIT;
    uint8_t good_code[2] = {0x80, 0xc0}, bad_code[3] = {0x81, 0x05, 0xc0};
    ck_assert_int_eq(rlpx_frame_write_body(&w, good_code, sizeof good_code, &wire), 0);
    ck_assert_int_eq(rlpx_frame_write_body(&w, bad_code, sizeof bad_code, &wire), 0);
    ck_assert_int_eq(rlpx_session_feed(&r, wire.data, wire.len, &used, &ev), 0);
    ck_assert_int_eq(ev.type, RLPX_EVENT_MESSAGE);
    ck_assert_uint_eq(ev.code, 0);
    ck_assert_int_eq(rlpx_session_feed(&r, wire.data + used, wire.len - used, &used, &ev),
                     ERR_DECODE);
    ck_assert_int_eq(ev.type, RLPX_EVENT_ERROR);
    rlpx_frame_free(&w);
    rlpx_session_free(&r);
    bytes_free(&wire);
}
END_TEST

/* The handshake through sessions with the wrong recipient key, and garbage
 * in place of an auth: errors, bounded consumption, no handshake event. */
START_TEST(session_bad_handshakes)
{
    uint8_t ki[32], kr[32], kx[32], pr[64];
    key_from_seed(70, ki);
    key_from_seed(71, kr);
    key_from_seed(72, kx);
    ck_assert_int_eq(ecdsa_pubkey(kr, pr), 0);
    struct rlpx_session i, x;
    ck_assert_int_eq(rlpx_session_init_initiator(&i, ki, pr), 0);
    ck_assert_int_eq(rlpx_session_init_recipient(&x, kx), 0);
    struct seen s = {0};
    ck_assert_int_eq(pump(&i, &x, 0, &s), ERR_CRYPTO);
    ck_assert_int_eq(s.n, 0);
    rlpx_session_free(&i);
    rlpx_session_free(&x);

    uint8_t junk[3000];
    for (size_t k = 0; k < sizeof junk; k++)
        junk[k] = (uint8_t)(k * 151 + 7);
    junk[0] = 0x07; /* an EIP-8 size of 0x079e = 1950 bytes */
    junk[1] = 0x9e;
    junk[2] = 0x04; /* an ECIES envelope, whose key is not a curve point */
    ck_assert_int_eq(rlpx_session_init_recipient(&x, kr), 0);
    size_t used;
    struct rlpx_event ev;
    ck_assert_int_eq(rlpx_session_feed(&x, junk, sizeof junk, &used, &ev), ERR_CRYPTO);
    ck_assert_int_eq(ev.type, RLPX_EVENT_ERROR);
    ck_assert_uint_eq(used, 2 + 1950); /* not a byte beyond the packet */
    rlpx_session_free(&x);
    junk[0] = 0x09; /* 0x099e: over RLPX_HANDSHAKE_MAX, refused at once */
    ck_assert_int_eq(rlpx_session_init_recipient(&x, kr), 0);
    ck_assert_int_eq(rlpx_session_feed(&x, junk, sizeof junk, &used, &ev), ERR_RANGE);
    ck_assert_uint_eq(used, 2);
    rlpx_session_free(&x);

    /* A peer that signs with an ephemeral key other than the one it uses
     * gets through the handshake, but its first frame fails the MAC. The
     * same effect, more simply: sessions whose secrets differ. */
    struct rlpx_secrets s1, s2;
    mirrored_secrets(&s1, &s2);
    s2.mac[0] ^= 1;
    uint8_t id[64] = {0};
    ck_assert_int_eq(rlpx_session_init_open(&i, &s1, id), 0);
    ck_assert_int_eq(rlpx_session_init_open(&x, &s2, id), 0);
    ck_assert_int_eq(rlpx_session_send(&i, 0, NULL, 0), 0);
    ck_assert_int_eq(pump(&i, &x, 0, &s), ERR_CRYPTO);
    rlpx_session_free(&i);
    rlpx_session_free(&x);
}
END_TEST

/* The largest frame the default limit allows (16 MiB - 1) gets through. */
START_TEST(session_max_frame)
{
    struct conn c;
    connect_sessions(&c, 80, 0);
    size_t n = RLPX_SESSION_MAX_FRAME - 1; /* + 1 byte of message code */
    uint8_t *p = malloc(n);
    for (size_t k = 0; k < n; k++)
        p[k] = (uint8_t)k;
    ck_assert_int_eq(rlpx_session_send(&c.i, 5, p, n), 0);
    ck_assert_int_eq(rlpx_session_send(&c.i, 5, p, n + 1), ERR_RANGE);
    ck_assert_int_eq(rlpx_session_send(&c.i, 6, p, 1), 0); /* still usable */
    struct seen s = {0};
    ck_assert_int_eq(pump(&c.i, &c.r, 1 << 20, &s), 0);
    ck_assert_int_eq(s.n, 2);
    ck_assert_uint_eq(s.len[0], n);
    ck_assert(memcmp(s.payload[0], p, n) == 0);
    ck_assert_uint_eq(s.code[1], 6);
    seen_free(&s);
    free(p);
    disconnect(&c);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("net_rlpx");
    suite_add_tcase(s, tcase_ecies());
    TCase *hs = tcase_create("handshake");
    tcase_add_test(hs, vector_auth_read_by_recipient);
    tcase_add_test(hs, vector_ack_read_by_initiator);
    tcase_add_test(hs, vector_secrets_both_sides);
    tcase_add_test(hs, vector_trickle);
    tcase_add_test(hs, initiator_and_recipient_agree);
    tcase_add_test(hs, wrong_recipient_key_fails);
    tcase_add_test(hs, legacy_auth_gets_legacy_ack);
    tcase_add_test(hs, eip8_auth_variants_accepted);
    tcase_add_test(hs, hostile_auth_fails);
    tcase_add_test(hs, malformed_auth_body_fails);
    suite_add_tcase(s, hs);
    TCase *fr = tcase_create("frame");
    tcase_add_test(fr, frame_matches_spec_formulas);
    tcase_add_test(fr, frames_round_trip);
    tcase_add_test(fr, frame_tampering_detected);
    tcase_add_test(fr, frame_limits_and_order);
    tcase_add_test(fr, frame_split_message_code);
    suite_add_tcase(s, fr);
    TCase *se = tcase_create("session");
    tcase_set_timeout(se, 60);
    tcase_add_test(se, session_handshake_and_messages);
    tcase_add_test(se, session_coalesced_ack_and_frame);
    tcase_add_test(se, session_partial_drain);
    tcase_add_test(se, session_errors_are_terminal);
    tcase_add_test(se, session_bad_handshakes);
    tcase_add_test(se, session_max_frame);
    suite_add_tcase(s, se);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
