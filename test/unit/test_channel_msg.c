/*
 * test_channel_msg.c — the channel protocol's packets and signatures
 * (channel/msg.h, channel/sig.h) against vectors built by hand here, field
 * by field, from spec/photon.md §2.6 and §3.3 and contrib/contracts/
 * TokensNetwork.sol: layouts and lengths, the contract-facing digests, the
 * signature of each message kind recovering to the signing key's address,
 * and every decoder refusing truncated, over-long, non-canonical and
 * out-of-bound input.
 *
 * Known addresses: secret key 1 → 0x7e5f4552091a69125d5dfcb7b8c2659029395bdf
 * and secret key 2 → 0x2b5ad5c4795c026514f8317c7a215e218dccd6cf (the
 * addresses of the generator point G and of 2G, widely published).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "channel/msg.h"
#include "channel/sig.h"
#include "crypto/ecdsa.h"
#include "crypto/keccak.h"
#include "util/err.h"
#include "util/hex.h"

static uint8_t sk1[32], sk2[32], addr1[20], addr2[20];
static u256 chain_id;

static void unhex_exact(const char *s, uint8_t *out, size_t n)
{
    ck_assert_int_eq(hex_decode_exact(s, strlen(s), out, n), 0);
}

static void setup(void)
{
    memset(sk1, 0, 32);
    sk1[31] = 1;
    memset(sk2, 0, 32);
    sk2[31] = 2;
    unhex_exact("7e5f4552091a69125d5dfcb7b8c2659029395bdf", addr1, 20);
    unhex_exact("2b5ad5c4795c026514f8317c7a215e218dccd6cf", addr2, 20);
    chain_id = u256_from_u64(1337);
}

/* ---- building expected bytes by hand ----------------------------------- */

static void put(struct bytes *b, const void *p, size_t n)
{
    ck_assert_int_eq(bytes_append(b, p, n), 0);
}

static void put_fill(struct bytes *b, uint8_t c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ck_assert_int_eq(bytes_push(b, c), 0);
}

static void put_le16(struct bytes *b, uint16_t v)
{
    uint8_t x[2] = {(uint8_t)(v & 0xff), (uint8_t)(v >> 8)};
    put(b, x, 2);
}

static void put_be32(struct bytes *b, uint32_t v)
{
    uint8_t x[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    put(b, x, 4);
}

static void put_be64(struct bytes *b, uint64_t v)
{
    uint8_t x[8];
    for (int i = 0; i < 8; i++)
        x[i] = (uint8_t)(v >> (56 - 8 * i));
    put(b, x, 8);
}

/* A 32-byte big-endian word from hex digits (left-padded with zeros). */
static void put_word_hex(struct bytes *b, const char *hexdigits)
{
    char full[65];
    size_t n = strlen(hexdigits);
    ck_assert_uint_le(n, 64);
    memset(full, '0', 64 - n);
    memcpy(full + 64 - n, hexdigits, n);
    full[64] = '\0';
    uint8_t w[32];
    unhex_exact(full, w, 32);
    put(b, w, 32);
}

static void put_word(struct bytes *b, uint64_t v)
{
    put_fill(b, 0, 24);
    put_be64(b, v);
}

static u256 hexu(const char *s)
{
    u256 v;
    ck_assert_int_eq(u256_from_hex(&v, s, strlen(s)), 0);
    return v;
}

/* A recognisable filler value for byte fields. */
static void fill(uint8_t *p, uint8_t c, size_t n)
{
    memset(p, c, n);
}

/* Recovers the signer of a 65-byte v=27/28 signature directly through
 * crypto/ecdsa (not through ch_recover). */
static void assert_signed_by(const uint8_t digest[32], const uint8_t sig[65], const uint8_t addr[20])
{
    ck_assert(sig[64] == 27 || sig[64] == 28);
    ck_assert(ecdsa_sig_values_valid(sig, sig + 32, true)); /* low s */
    uint8_t s[65], got[20];
    memcpy(s, sig, 65);
    s[64] = (uint8_t)(s[64] - 27);
    ck_assert_int_eq(ecdsa_recover_address(digest, s, got), 0);
    ck_assert_mem_eq(got, addr, 20);
}

/* The contract's hash: keccak("\x19Spectrum Signed Message:\n" ‖ len ‖ fields). */
static void contract_hash(const char *len_ascii, const struct bytes *fields, uint8_t out[32])
{
    struct bytes b = BYTES_INIT;
    const char prefix[] = "\x19Spectrum Signed Message:\n";
    ck_assert_uint_eq(sizeof prefix - 1, 26);
    put(&b, prefix, 26);
    put(&b, len_ascii, 3);
    ck_assert_uint_eq(fields->len, (size_t)atoi(len_ascii));
    put(&b, fields->data, fields->len);
    keccak256(b.data, b.len, out);
    bytes_free(&b);
}

/* Checks that m encodes to exactly `want` and that want decodes back to a
 * message that encodes the same. */
static void assert_round_trip(const struct ch_msg *m, const struct bytes *want)
{
    struct bytes got = BYTES_INIT;
    ck_assert_int_eq(ch_msg_encode(m, &got), 0);
    ck_assert_uint_eq(got.len, want->len);
    ck_assert_mem_eq(got.data, want->data, want->len);
    struct ch_msg back;
    ck_assert_int_eq(ch_msg_decode(want->data, want->len, &back), 0);
    ck_assert_uint_eq(back.cmd, m->cmd);
    bytes_reset(&got);
    ck_assert_int_eq(ch_msg_encode(&back, &got), 0);
    ck_assert_mem_eq(got.data, want->data, want->len);
    bytes_free(&got);
}

/* Every proper prefix and one byte more must be refused. */
static void assert_exact_length(const struct bytes *pkt)
{
    struct ch_msg m;
    for (size_t n = 0; n < pkt->len; n++)
        ck_assert_int_ne(ch_msg_decode(pkt->data, n, &m), 0);
    uint8_t longer[CH_PACKET_MAX + 1];
    memcpy(longer, pkt->data, pkt->len);
    longer[pkt->len] = 0;
    ck_assert_int_eq(ch_msg_decode(longer, pkt->len + 1, &m), ERR_DECODE);
}

/* A balance proof with distinct, multi-byte values. */
static void sample_bp(struct ch_bp *bp)
{
    bp->nonce = 0x0102030405060708ull;
    fill(bp->channel_id, 0xc1, 32);
    bp->open_block = 0x1122334455ull;
    bp->transferred_amount = hexu("0xde0b6b3a7640000ff");
    fill(bp->locksroot, 0x1e, 32);
}

static void put_sample_env(struct bytes *b)
{
    put_be64(b, 0x0102030405060708ull);
    put_fill(b, 0xc1, 32);
    put_be64(b, 0x1122334455ull);
    put_word_hex(b, "de0b6b3a7640000ff");
    put_fill(b, 0x1e, 32);
}

static void put_sample_bp_fields(struct bytes *f, const uint8_t additional_hash[32])
{
    put_word_hex(f, "de0b6b3a7640000ff");   /* ta */
    put_fill(f, 0x1e, 32);                  /* locksroot */
    put_be64(f, 0x0102030405060708ull);     /* nonce */
    put(f, additional_hash, 32);
    put_fill(f, 0xc1, 32);                  /* channel id */
    put_be64(f, 0x1122334455ull);           /* open block */
    put_word(f, 1337);                      /* chain id */
}

/* For an envelope packet `pkt` (signature last): the signature must be the
 * contract BalanceProof signature over the sample proof with
 * additional_hash = keccak(pkt minus 65), made by addr. */
static void assert_envelope_sig(const struct bytes *pkt, const uint8_t addr[20])
{
    uint8_t ah[32], digest[32];
    keccak256(pkt->data, pkt->len - 65, ah);
    struct bytes f = BYTES_INIT;
    put_sample_bp_fields(&f, ah);
    contract_hash("176", &f, digest);
    assert_signed_by(digest, pkt->data + pkt->len - 65, addr);
    bytes_free(&f);
}

/* ---- tests ------------------------------------------------------------- */

START_TEST(known_keys_and_v27)
{
    uint8_t a[20];
    ck_assert_int_eq(ch_address_of(sk1, a), 0);
    ck_assert_mem_eq(a, addr1, 20);
    ck_assert_int_eq(ch_address_of(sk2, a), 0);
    ck_assert_mem_eq(a, addr2, 20);
    uint8_t zero[32] = {0};
    ck_assert_int_eq(ch_address_of(zero, a), ERR_CRYPTO);

    uint8_t digest[32], sig[65];
    keccak256("spectrum", 8, digest);
    ck_assert_int_eq(ch_sign(digest, sk1, sig), 0);
    assert_signed_by(digest, sig, addr1);
    ck_assert_int_eq(ch_recover(digest, sig, a), 0);
    ck_assert_mem_eq(a, addr1, 20);

    /* v 0/1 are refused (Photon and our contract take only 27/28). */
    uint8_t bad[65];
    memcpy(bad, sig, 65);
    bad[64] = (uint8_t)(sig[64] - 27);
    ck_assert_int_eq(ch_recover(digest, bad, a), ERR_CRYPTO);
    bad[64] = 29;
    ck_assert_int_eq(ch_recover(digest, bad, a), ERR_CRYPTO);

    /* The high-s twin of a valid signature (s' = n - s, v flipped) recovers
     * the same key in plain ECDSA, and is refused here as by the contract. */
    static const char *n_hex = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141";
    u256 n = hexu(n_hex), s, s2;
    u256_from_be(&s, sig + 32, 32);
    u256_sub(&s2, &n, &s);
    memcpy(bad, sig, 32);
    u256_to_be(&s2, bad + 32);
    bad[64] = sig[64] == 27 ? 28 : 27;
    uint8_t plain[65], got[20];
    memcpy(plain, bad, 65);
    plain[64] = (uint8_t)(plain[64] - 27);
    ck_assert_int_eq(ecdsa_recover_address(digest, plain, got), 0);
    ck_assert_mem_eq(got, addr1, 20);
    ck_assert_int_eq(ch_recover(digest, bad, a), ERR_CRYPTO);
}
END_TEST

START_TEST(contract_digests_match_the_contract_layout)
{
    uint8_t want[32], got[32], ah[32], lockhash[32];
    fill(ah, 0xad, 32);
    fill(lockhash, 0x4c, 32);
    struct ch_bp bp;
    sample_bp(&bp);

    /* BalanceProof "176" */
    struct bytes f = BYTES_INIT;
    put_sample_bp_fields(&f, ah);
    contract_hash("176", &f, want);
    ch_sig_bp_digest(&bp, ah, &chain_id, got);
    ck_assert_mem_eq(got, want, 32);

    /* BalanceProofDelegate "144": no additional_hash */
    bytes_reset(&f);
    put_word_hex(&f, "de0b6b3a7640000ff");
    put_fill(&f, 0x1e, 32);
    put_be64(&f, 0x0102030405060708ull);
    put_fill(&f, 0xc1, 32);
    put_be64(&f, 0x1122334455ull);
    put_word(&f, 1337);
    contract_hash("144", &f, want);
    ch_sig_bp_delegate_digest(&bp, &chain_id, got);
    ck_assert_mem_eq(got, want, 32);

    /* CooperativeSettle "176" */
    u256 b1 = hexu("0x3b9aca00"), b2 = hexu("0x1000000000000000000000001");
    bytes_reset(&f);
    put(&f, addr1, 20);
    put_word_hex(&f, "3b9aca00");
    put(&f, addr2, 20);
    put_word_hex(&f, "1000000000000000000000001");
    put_fill(&f, 0xc1, 32);
    put_be64(&f, 0x1122334455ull);
    put_word(&f, 1337);
    contract_hash("176", &f, want);
    ch_sig_coop_settle_digest(addr1, &b1, addr2, &b2, bp.channel_id, bp.open_block, &chain_id, got);
    ck_assert_mem_eq(got, want, 32);

    /* Withdraw "156" */
    bytes_reset(&f);
    put(&f, addr2, 20);
    put_word_hex(&f, "3b9aca00");
    put_word_hex(&f, "1000000000000000000000001");
    put_fill(&f, 0xc1, 32);
    put_be64(&f, 0x1122334455ull);
    put_word(&f, 1337);
    contract_hash("156", &f, want);
    ch_sig_withdraw_digest(addr2, &b1, &b2, bp.channel_id, bp.open_block, &chain_id, got);
    ck_assert_mem_eq(got, want, 32);

    /* DisposedProof "136": chain_id before additional_hash */
    bytes_reset(&f);
    put(&f, lockhash, 32);
    put_fill(&f, 0xc1, 32);
    put_be64(&f, 0x1122334455ull);
    put_word(&f, 1337);
    put(&f, ah, 32);
    contract_hash("136", &f, want);
    ch_sig_disposed_digest(lockhash, bp.channel_id, bp.open_block, &chain_id, ah, got);
    ck_assert_mem_eq(got, want, 32);

    /* UnlockDelegate "188": delegatee, u256 expiration, u256 amount, hash */
    struct ch_lock l = {.expiration = 0x12345, .amount = b2};
    fill(l.secret_hash, 0x5a, 32);
    bytes_reset(&f);
    put(&f, addr1, 20);
    put_word(&f, 0x12345);
    put_word_hex(&f, "1000000000000000000000001");
    put_fill(&f, 0x5a, 32);
    put_fill(&f, 0xc1, 32);
    put_be64(&f, 0x1122334455ull);
    put_word(&f, 1337);
    contract_hash("188", &f, want);
    ch_sig_unlock_delegate_digest(addr1, &l, bp.channel_id, bp.open_block, &chain_id, got);
    ck_assert_mem_eq(got, want, 32);

    /* chain id is part of every digest */
    u256 other = u256_from_u64(1338);
    ch_sig_bp_digest(&bp, ah, &other, got);
    ch_sig_bp_digest(&bp, ah, &chain_id, want);
    ck_assert_mem_ne(got, want, 32);
    bytes_free(&f);
}
END_TEST

START_TEST(mediated_transfer_worked_layout)
{
    /* The spec's worked layout with a 2-hop path (offsets in comments). */
    struct bytes want = BYTES_INIT;
    put_le16(&want, 11);                        /* 0   CmdID */
    put_le16(&want, 1);                         /* 2   Version */
    put_be64(&want, 0x0000000000abcdefull);     /* 4   expiration */
    put_fill(&want, 0x5a, 32);                  /* 12  lock_secret_hash */
    put_word_hex(&want, "56bc75e2d63100000");   /* 44  payment_amount (100e18) */
    put_fill(&want, 0x77, 20);                  /* 76  target */
    put(&want, addr1, 20);                      /* 96  initiator */
    put_word_hex(&want, "2540be400");           /* 116 fee */
    put_be32(&want, 2);                         /* 148 path_len */
    put_fill(&want, 0xa1, 20);                  /* 152 path[0] */
    put_fill(&want, 0x77, 20);                  /* 172 path[1] = target */
    ck_assert_uint_eq(want.len, 192);           /* 152 + 20n */
    put_sample_env(&want);                      /* 192 nonce .. 272 locksroot */
    ck_assert_uint_eq(want.len, 304);           /* 264 + 20n */

    struct ch_msg m;
    ck_assert_int_eq(ch_msg_init(&m, CH_CMD_MEDIATED_TRANSFER), 0);
    ck_assert_int_eq(m.version, 1);
    struct ch_mediated_transfer *t = &m.u.mediated;
    t->lock.expiration = 0xabcdef;
    fill(t->lock.secret_hash, 0x5a, 32);
    t->lock.amount = hexu("0x56bc75e2d63100000");
    fill(t->target, 0x77, 20);
    memcpy(t->initiator, addr1, 20);
    t->fee = hexu("0x2540be400");
    t->path_len = 2;
    fill(t->path[0], 0xa1, 20);
    fill(t->path[1], 0x77, 20);
    sample_bp(&t->bp);
    ck_assert_int_eq(ch_msg_sign(&m, sk1, &chain_id), 0);

    put(&want, m.sig, 65);
    ck_assert_uint_eq(want.len, 369);           /* 329 + 20n */
    assert_envelope_sig(&want, addr1);
    assert_round_trip(&m, &want);
    assert_exact_length(&want);

    uint8_t ah[32], kw[32], who[20];
    ck_assert_int_eq(ch_msg_additional_hash(&m, ah), 0);
    keccak256(want.data, 304, kw);
    ck_assert_mem_eq(ah, kw, 32);
    ck_assert_int_eq(ch_msg_verify(&m, &chain_id, who), 0);
    ck_assert_mem_eq(who, addr1, 20);

    /* The decoded message carries every field. */
    struct ch_msg d;
    ck_assert_int_eq(ch_msg_decode(want.data, want.len, &d), 0);
    ck_assert_uint_eq(d.u.mediated.lock.expiration, 0xabcdef);
    ck_assert(u256_eq(&d.u.mediated.fee, &t->fee));
    ck_assert_uint_eq(d.u.mediated.path_len, 2);
    ck_assert_mem_eq(d.u.mediated.path[0], t->path[0], 20);
    ck_assert_uint_eq(d.u.mediated.bp.nonce, 0x0102030405060708ull);
    ck_assert_int_eq(ch_msg_verify(&d, &chain_id, who), 0);
    ck_assert_mem_eq(who, addr1, 20);
    ck_assert_ptr_eq(ch_msg_bp(&d), &d.u.mediated.bp);

    /* Another chain id, or any changed byte, and the key no longer matches. */
    u256 other = u256_from_u64(3);
    ck_assert(ch_msg_verify(&d, &other, who) != 0 || memcmp(who, addr1, 20) != 0);
    want.data[50] ^= 1;
    ck_assert_int_eq(ch_msg_decode(want.data, want.len, &d), 0);
    ck_assert(ch_msg_verify(&d, &chain_id, who) != 0 || memcmp(who, addr1, 20) != 0);
    want.data[50] ^= 1;
    ck_assert_int_eq(ch_msg_verify(&m, NULL, who), ERR_INVAL);
    bytes_free(&want);
}
END_TEST

START_TEST(mediated_transfer_refusals)
{
    struct bytes p = BYTES_INIT;
    struct ch_msg m;
    put_le16(&p, 11);
    put_le16(&p, 1);
    put_be64(&p, 1000);
    put_fill(&p, 0x5a, 32);
    put_word(&p, 5);
    put_fill(&p, 0x77, 20);
    put_fill(&p, 0x11, 20);
    put_word(&p, 0);
    size_t at_len = p.len;
    put_be32(&p, 0);
    put_sample_env(&p);
    put_fill(&p, 0x33, 65);
    ck_assert_uint_eq(p.len, 329);
    ck_assert_int_eq(ch_msg_decode(p.data, p.len, &m), 0); /* empty path is allowed */
    assert_exact_length(&p);

    /* Version 0 and negative versions are refused; 2 is kept. */
    p.data[2] = 0;
    ck_assert_int_eq(ch_msg_decode(p.data, p.len, &m), ERR_DECODE);
    ck_assert(strstr(err_msg(), "version") != NULL);
    p.data[2] = 0xff;
    p.data[3] = 0xff;
    ck_assert_int_eq(ch_msg_decode(p.data, p.len, &m), ERR_DECODE);
    p.data[2] = 2;
    p.data[3] = 0;
    ck_assert_int_eq(ch_msg_decode(p.data, p.len, &m), 0);
    ck_assert_int_eq(m.version, 2);
    p.data[2] = 1;

    /* path_len: negative, over the bound, or more than the bytes hold. */
    uint8_t *pl = p.data + at_len;
    pl[0] = 0xff; pl[1] = 0xff; pl[2] = 0xff; pl[3] = 0xff;
    ck_assert_int_eq(ch_msg_decode(p.data, p.len, &m), ERR_DECODE);
    ck_assert(strstr(err_msg(), "path_len") != NULL);
    pl[0] = 0; pl[1] = 0; pl[2] = 0; pl[3] = 33;
    ck_assert_int_eq(ch_msg_decode(p.data, p.len, &m), ERR_RANGE);
    pl[3] = 1;
    ck_assert_int_eq(ch_msg_decode(p.data, p.len, &m), ERR_DECODE);
    pl[3] = 0;

    /* Negative expiration. */
    p.data[4] = 0x80;
    ck_assert_int_eq(ch_msg_decode(p.data, p.len, &m), ERR_DECODE);
    ck_assert(strstr(err_msg(), "expiration") != NULL);
    p.data[4] = 0;

    /* Envelope rules: nonce 0, open_block 0 or negative, zero channel id. */
    uint8_t *env = p.data + at_len + 4;
    uint8_t saved[CH_ENV_LEN];
    memcpy(saved, env, sizeof saved);
    memset(env, 0, 8);
    ck_assert_int_eq(ch_msg_decode(p.data, p.len, &m), ERR_DECODE);
    ck_assert(strstr(err_msg(), "nonce") != NULL);
    memcpy(env, saved, sizeof saved);
    memset(env + 40, 0, 8);
    ck_assert_int_eq(ch_msg_decode(p.data, p.len, &m), ERR_DECODE);
    ck_assert(strstr(err_msg(), "open_block") != NULL);
    env[40] = 0x80;
    ck_assert_int_eq(ch_msg_decode(p.data, p.len, &m), ERR_DECODE);
    memcpy(env, saved, sizeof saved);
    memset(env + 8, 0, 32);
    ck_assert_int_eq(ch_msg_decode(p.data, p.len, &m), ERR_DECODE);
    ck_assert(strstr(err_msg(), "channel_id") != NULL);
    memcpy(env, saved, sizeof saved);
    ck_assert_int_eq(ch_msg_decode(p.data, p.len, &m), 0);

    /* The encoder refuses what the decoder would. */
    m.version = 0;
    struct bytes out = BYTES_INIT;
    ck_assert_int_eq(ch_msg_encode(&m, &out), ERR_INVAL);
    m.version = 1;
    m.u.mediated.path_len = CH_PATH_MAX + 1;
    ck_assert_int_eq(ch_msg_encode(&m, &out), ERR_RANGE);
    m.u.mediated.path_len = 0;
    m.u.mediated.bp.nonce = 0;
    ck_assert_int_eq(ch_msg_encode(&m, &out), ERR_INVAL);
    m.u.mediated.bp.nonce = 1;
    m.u.mediated.lock.expiration = (uint64_t)INT64_MAX + 1;
    ck_assert_int_eq(ch_msg_encode(&m, &out), ERR_RANGE);
    ck_assert_uint_eq(out.len, 0);

    /* A full 32-hop path still fits in a packet: 329 + 640 = 969 bytes. */
    m.u.mediated.lock.expiration = 1;
    m.u.mediated.path_len = CH_PATH_MAX;
    ck_assert_int_eq(ch_msg_encode(&m, &out), 0);
    ck_assert_uint_eq(out.len, 969);
    bytes_free(&out);
    bytes_free(&p);
}
END_TEST

START_TEST(unlock_removal_and_response_are_213_bytes)
{
    static const int cmds[] = {CH_CMD_UNLOCK, CH_CMD_REMOVE_EXPIRED_LOCK,
                               CH_CMD_ANNOUNCE_DISPOSED_RESPONSE};
    for (size_t i = 0; i < 3; i++) {
        struct bytes want = BYTES_INIT;
        put_le16(&want, (uint16_t)cmds[i]);
        put_le16(&want, 0);
        put_fill(&want, 0x5e, 32);      /* secret / lock_secret_hash */
        put_sample_env(&want);

        struct ch_msg m;
        ck_assert_int_eq(ch_msg_init(&m, cmds[i]), 0);
        if (cmds[i] == CH_CMD_UNLOCK) {
            fill(m.u.unlock.secret, 0x5e, 32);
            sample_bp(&m.u.unlock.bp);
        } else {
            fill(m.u.removal.secret_hash, 0x5e, 32);
            sample_bp(&m.u.removal.bp);
        }
        ck_assert(ch_cmd_is_envelope(cmds[i]));
        ck_assert_ptr_nonnull(ch_msg_bp(&m));
        ck_assert_int_eq(ch_msg_sign(&m, sk2, &chain_id), 0);
        put(&want, m.sig, 65);
        ck_assert_uint_eq(want.len, 213);
        assert_envelope_sig(&want, addr2);
        assert_round_trip(&m, &want);
        assert_exact_length(&want);
        uint8_t who[20];
        ck_assert_int_eq(ch_msg_verify(&m, &chain_id, who), 0);
        ck_assert_mem_eq(who, addr2, 20);
        bytes_free(&want);
    }
}
END_TEST

START_TEST(direct_transfer_and_its_data_varint)
{
    /* Without data: 4 + 1 + 177 = 182 bytes. */
    struct bytes want = BYTES_INIT;
    put_le16(&want, 9);
    put_le16(&want, 0);
    ck_assert_int_eq(bytes_push(&want, 0), 0);
    put_sample_env(&want);
    struct ch_msg m;
    ck_assert_int_eq(ch_msg_init(&m, CH_CMD_DIRECT_TRANSFER), 0);
    sample_bp(&m.u.direct.bp);
    ck_assert_int_eq(ch_msg_sign(&m, sk1, &chain_id), 0);
    put(&want, m.sig, 65);
    ck_assert_uint_eq(want.len, 182);
    assert_envelope_sig(&want, addr1);
    assert_round_trip(&m, &want);
    assert_exact_length(&want);

    /* Data lengths around the one-byte limit: 252 is one byte, 253 takes
     * 0xfd and two little-endian bytes; 256 is the most allowed. */
    static const size_t lens[] = {1, 252, 253, 256};
    for (size_t k = 0; k < 4; k++) {
        size_t n = lens[k];
        bytes_reset(&want);
        put_le16(&want, 9);
        put_le16(&want, 0);
        if (n < 0xfd) {
            ck_assert_int_eq(bytes_push(&want, (uint8_t)n), 0);
        } else {
            ck_assert_int_eq(bytes_push(&want, 0xfd), 0);
            put_le16(&want, (uint16_t)n);
        }
        for (size_t i = 0; i < n; i++)
            ck_assert_int_eq(bytes_push(&want, (uint8_t)(i * 7)), 0);
        put_sample_env(&want);
        m.u.direct.data_len = n;
        for (size_t i = 0; i < n; i++)
            m.u.direct.data[i] = (uint8_t)(i * 7);
        ck_assert_int_eq(ch_msg_sign(&m, sk1, &chain_id), 0);
        put(&want, m.sig, 65);
        ck_assert_uint_eq(want.len, 182 + n + (n < 0xfd ? 0 : 2));
        assert_envelope_sig(&want, addr1);
        assert_round_trip(&m, &want);
    }

    /* Hostile lengths: non-canonical forms, and lengths over 256. */
    struct { const char *hdr; int rc; } bad[] = {
        {"fd0500", ERR_DECODE},                 /* 5 in the 3-byte form */
        {"fdfc00", ERR_DECODE},                 /* 252 in the 3-byte form */
        {"fe00010000", ERR_DECODE},             /* 256 in the 5-byte form */
        {"ff0000000000000000", ERR_DECODE},     /* 0 in the 9-byte form */
        {"fd0101", ERR_RANGE},                  /* 257 */
        {"fe00000100", ERR_RANGE},              /* 65536, canonical */
        {"ff0000000001000000", ERR_RANGE},      /* 2^32, canonical */
        {"fd01", ERR_DECODE},                   /* 1 in the 3-byte form (the
                                                 * next byte completes it) */
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        bytes_reset(&want);
        put_le16(&want, 9);
        put_le16(&want, 0);
        uint8_t h[16];
        size_t hn = strlen(bad[k].hdr) / 2;
        unhex_exact(bad[k].hdr, h, hn);
        put(&want, h, hn);
        put_fill(&want, 0, 5);
        put_sample_env(&want);
        put_fill(&want, 0x33, 65);
        ck_assert_int_eq(ch_msg_decode(want.data, want.len, &m), bad[k].rc);
        ck_assert(strstr(err_msg(), "data") != NULL);
    }
    m.u.direct.data_len = CH_DATA_MAX + 1;
    ck_assert_int_eq(ch_msg_encode(&m, &want), ERR_RANGE);
    bytes_free(&want);
}
END_TEST

START_TEST(plain_messages)
{
    uint8_t who[20], digest[32];

    /* Ping: 77 bytes, i64 nonce BE, signed over keccak(first 12 bytes). */
    struct bytes want = BYTES_INIT;
    put_le16(&want, 3);
    put_le16(&want, 0);
    put_be64(&want, 0xfffffffffffffffeull);     /* -2 as int64 */
    struct ch_msg m;
    ck_assert_int_eq(ch_msg_init(&m, CH_CMD_PING), 0);
    m.u.ping.nonce = -2;
    ck_assert_int_eq(ch_msg_sign(&m, sk1, NULL), 0);
    put(&want, m.sig, 65);
    ck_assert_uint_eq(want.len, 77);
    keccak256(want.data, 12, digest);
    assert_signed_by(digest, m.sig, addr1);
    assert_round_trip(&m, &want);
    assert_exact_length(&want);
    ck_assert_int_eq(ch_msg_verify(&m, NULL, who), 0);
    ck_assert_mem_eq(who, addr1, 20);
    ck_assert_ptr_null(ch_msg_bp(&m));

    /* SecretRequest: 133 bytes. */
    bytes_reset(&want);
    put_le16(&want, 5);
    put_le16(&want, 0);
    put_fill(&want, 0x5a, 32);
    put_word_hex(&want, "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff");
    ck_assert_int_eq(ch_msg_init(&m, CH_CMD_SECRET_REQUEST), 0);
    fill(m.u.secret_request.secret_hash, 0x5a, 32);
    m.u.secret_request.amount = u256_max();
    ck_assert_int_eq(ch_msg_sign(&m, sk2, NULL), 0);
    put(&want, m.sig, 65);
    ck_assert_uint_eq(want.len, 133);
    keccak256(want.data, 68, digest);
    assert_signed_by(digest, m.sig, addr2);
    assert_round_trip(&m, &want);
    assert_exact_length(&want);

    /* RevealSecret with a 3-byte attachment: 4 + 32 + 1 + 3 + 65. */
    bytes_reset(&want);
    put_le16(&want, 15);
    put_le16(&want, 0);
    put_fill(&want, 0x5e, 32);
    ck_assert_int_eq(bytes_push(&want, 3), 0);
    put(&want, "abc", 3);
    ck_assert_int_eq(ch_msg_init(&m, CH_CMD_REVEAL_SECRET), 0);
    fill(m.u.reveal_secret.secret, 0x5e, 32);
    m.u.reveal_secret.data_len = 3;
    memcpy(m.u.reveal_secret.data, "abc", 3);
    ck_assert_int_eq(ch_msg_sign(&m, sk1, NULL), 0);
    put(&want, m.sig, 65);
    ck_assert_uint_eq(want.len, 105);
    keccak256(want.data, 40, digest);
    assert_signed_by(digest, m.sig, addr1);
    assert_round_trip(&m, &want);
    assert_exact_length(&want);
    want.data[36] = 0xfd; /* varint 0xfd needs two more bytes: now misread */
    ck_assert_int_ne(ch_msg_decode(want.data, want.len, &m), 0);

    /* Ack: 56 bytes, unsigned; echo = keccak(packet ‖ receiver). */
    uint8_t pkt[3] = {1, 2, 3}, echo[32];
    uint8_t pre[23];
    memcpy(pre, pkt, 3);
    memcpy(pre + 3, addr2, 20);
    keccak256(pre, sizeof pre, echo);
    ck_assert_int_eq(ch_msg_init(&m, CH_CMD_ACK), 0);
    ch_msg_make_ack(pkt, 3, addr2, &m);
    ck_assert_mem_eq(m.u.ack.echo, echo, 32);
    ck_assert_mem_eq(m.u.ack.sender, addr2, 20);
    bytes_reset(&want);
    put_le16(&want, 0);
    put_le16(&want, 0);
    put(&want, addr2, 20);
    put(&want, echo, 32);
    ck_assert_uint_eq(want.len, 56);
    assert_round_trip(&m, &want);
    assert_exact_length(&want);
    ck_assert_int_eq(ch_msg_sign(&m, sk1, NULL), ERR_INVAL);
    ck_assert_int_eq(ch_msg_verify(&m, NULL, who), ERR_INVAL);
    bytes_free(&want);
}
END_TEST

START_TEST(announce_disposed_signs_a_disposed_proof)
{
    const char *why = "no route to target";
    size_t why_len = strlen(why);
    struct bytes want = BYTES_INIT;
    put_le16(&want, 13);
    put_le16(&want, 0);
    put_word(&want, 0xabcdef);                  /* lock expiration as u256 */
    put_word_hex(&want, "56bc75e2d63100000");   /* lock amount */
    put_fill(&want, 0x5a, 32);                  /* secret hash */
    put_fill(&want, 0xc1, 32);                  /* channel id */
    put_be64(&want, 0x1122334455ull);           /* open block */
    put_be32(&want, (uint32_t)-7);              /* error code */
    put_be32(&want, (uint32_t)why_len);
    put(&want, why, why_len);

    struct ch_msg m;
    ck_assert_int_eq(ch_msg_init(&m, CH_CMD_ANNOUNCE_DISPOSED), 0);
    struct ch_announce_disposed *d = &m.u.disposed;
    d->lock.expiration = 0xabcdef;
    d->lock.amount = hexu("0x56bc75e2d63100000");
    fill(d->lock.secret_hash, 0x5a, 32);
    fill(d->channel_id, 0xc1, 32);
    d->open_block = 0x1122334455ull;
    d->error_code = -7;
    d->error_len = why_len;
    memcpy(d->error_msg, why, why_len);
    ck_assert_int_eq(ch_msg_sign(&m, sk2, &chain_id), 0);
    put(&want, m.sig, 65);
    ck_assert_uint_eq(want.len, 213 + why_len);

    /* The signature is the contract's DisposedProof over the lockhash. */
    uint8_t ah[32], lockhash[32], digest[32];
    keccak256(want.data, want.len - 65, ah);
    keccak256(want.data + 4, 96, lockhash);     /* the lock's packed form */
    struct bytes f = BYTES_INIT;
    put(&f, lockhash, 32);
    put_fill(&f, 0xc1, 32);
    put_be64(&f, 0x1122334455ull);
    put_word(&f, 1337);
    put(&f, ah, 32);
    contract_hash("136", &f, digest);
    assert_signed_by(digest, m.sig, addr2);
    assert_round_trip(&m, &want);
    assert_exact_length(&want);

    struct ch_msg back;
    uint8_t who[20];
    ck_assert_int_eq(ch_msg_decode(want.data, want.len, &back), 0);
    ck_assert_str_eq(back.u.disposed.error_msg, why);
    ck_assert_int_eq(back.u.disposed.error_code, -7);
    ck_assert_int_eq(ch_msg_verify(&back, &chain_id, who), 0);
    ck_assert_mem_eq(who, addr2, 20);

    /* An expiration that does not fit int64, a negative or oversized error
     * length, and a packet over 1200 bytes are refused. */
    uint8_t *p = want.data;
    p[4 + 23] = 0x01;   /* 2^64 + ... */
    ck_assert_int_eq(ch_msg_decode(p, want.len, &back), ERR_DECODE);
    ck_assert(strstr(err_msg(), "expiration") != NULL);
    p[4 + 23] = 0;
    p[4 + 24] = 0x80;   /* 2^63 + ...: a negative int64 */
    ck_assert_int_eq(ch_msg_decode(p, want.len, &back), ERR_DECODE);
    p[4 + 24] = 0;
    size_t len_at = 4 + 96 + 32 + 8 + 4;
    p[len_at] = 0x80;
    ck_assert_int_eq(ch_msg_decode(p, want.len, &back), ERR_DECODE);
    ck_assert(strstr(err_msg(), "error length") != NULL);
    p[len_at] = 0;
    p[len_at + 2] = 0x04; /* 1024 + why_len */
    ck_assert_int_eq(ch_msg_decode(p, want.len, &back), ERR_RANGE);
    p[len_at + 2] = 0;
    p[len_at + 3] = (uint8_t)(why_len + 1);
    ck_assert_int_eq(ch_msg_decode(p, want.len, &back), ERR_DECODE);
    p[len_at + 3] = (uint8_t)why_len;
    ck_assert_int_eq(ch_msg_decode(p, want.len, &back), 0);

    /* 987 bytes of error message make a 1200-byte packet; 988 do not fit. */
    d->error_len = 987;
    memset(d->error_msg, 'x', 987);
    struct bytes out = BYTES_INIT;
    ck_assert_int_eq(ch_msg_sign(&m, sk2, &chain_id), 0);
    ck_assert_int_eq(ch_msg_encode(&m, &out), 0);
    ck_assert_uint_eq(out.len, CH_PACKET_MAX);
    ck_assert_int_eq(ch_msg_decode(out.data, out.len, &back), 0);
    d->error_len = 988;
    ck_assert_int_eq(ch_msg_encode(&m, &out), ERR_RANGE);
    uint8_t big[CH_PACKET_MAX + 1];
    memcpy(big, out.data, out.len);
    big[CH_PACKET_MAX] = 0;
    ck_assert_int_eq(ch_msg_decode(big, sizeof big, &back), ERR_RANGE);
    bytes_free(&out);
    bytes_free(&f);
    bytes_free(&want);
}
END_TEST

START_TEST(withdraw_request_and_response)
{
    u256 bal = hexu("0x3b9aca00"), wd = hexu("0x1dcd6500");
    struct ch_msg m;
    ck_assert_int_eq(ch_msg_init(&m, CH_CMD_WITHDRAW_REQUEST), 0);
    struct ch_withdraw *w = &m.u.withdraw;
    fill(w->channel_id, 0xc1, 32);
    w->open_block = 0x1122334455ull;
    memcpy(w->p1, addr1, 20);
    memcpy(w->p2, addr2, 20);
    w->p1_balance = bal;
    w->p1_withdraw = wd;
    /* Only p1 may sign a request. */
    ck_assert_int_eq(ch_msg_sign(&m, sk2, &chain_id), ERR_INVAL);
    ck_assert_int_eq(ch_msg_sign(&m, sk1, &chain_id), 0);

    struct bytes want = BYTES_INIT;
    put_le16(&want, 23);
    put_le16(&want, 0);
    put_fill(&want, 0xc1, 32);
    put_be64(&want, 0x1122334455ull);
    put(&want, addr1, 20);
    put(&want, addr2, 20);
    put_word_hex(&want, "3b9aca00");
    put_word_hex(&want, "1dcd6500");
    put(&want, w->contract_sig, 65);
    put(&want, m.sig, 65);
    ck_assert_uint_eq(want.len, 278);
    assert_round_trip(&m, &want);
    assert_exact_length(&want);

    /* contract_sig: p1's Withdraw message; sig: plain over the rest. */
    uint8_t digest[32], wdigest[32], who[20];
    struct bytes f = BYTES_INIT;
    put(&f, addr1, 20);
    put_word_hex(&f, "3b9aca00");
    put_word_hex(&f, "1dcd6500");
    put_fill(&f, 0xc1, 32);
    put_be64(&f, 0x1122334455ull);
    put_word(&f, 1337);
    contract_hash("156", &f, wdigest);
    assert_signed_by(wdigest, w->contract_sig, addr1);
    keccak256(want.data, want.len - 65, digest);
    assert_signed_by(digest, m.sig, addr1);
    ck_assert_int_eq(ch_msg_verify(&m, &chain_id, who), 0);
    ck_assert_mem_eq(who, addr1, 20);

    /* A packet signed by p1 whose contract signature is p2's is refused. */
    struct ch_msg forged = m;
    ck_assert_int_eq(ch_sign(wdigest, sk2, forged.u.withdraw.contract_sig), 0);
    ck_assert_int_eq(ch_msg_additional_hash(&forged, digest), 0);
    ck_assert_int_eq(ch_sign(digest, sk1, forged.sig), 0);
    ck_assert_int_eq(ch_msg_verify(&forged, &chain_id, who), ERR_CRYPTO);

    /* The response: p2 signs the same Withdraw message (p1's values). */
    ck_assert_int_eq(ch_msg_init(&m, CH_CMD_WITHDRAW_RESPONSE), 0);
    w = &m.u.withdraw;
    fill(w->channel_id, 0xc1, 32);
    w->open_block = 0x1122334455ull;
    memcpy(w->p1, addr1, 20);
    memcpy(w->p2, addr2, 20);
    w->p1_balance = bal;
    w->p1_withdraw = wd;
    ck_assert_int_eq(ch_msg_sign(&m, sk1, &chain_id), ERR_INVAL);
    ck_assert_int_eq(ch_msg_sign(&m, sk2, &chain_id), 0);
    bytes_reset(&want);
    put_le16(&want, 25);
    put_le16(&want, 0);
    put_fill(&want, 0xc1, 32);
    put_be64(&want, 0x1122334455ull);
    put(&want, addr1, 20);
    put(&want, addr2, 20);
    put_word_hex(&want, "3b9aca00");
    put_word_hex(&want, "1dcd6500");
    put(&want, w->contract_sig, 65);
    put_be32(&want, 0);
    put_be32(&want, 0);
    put(&want, m.sig, 65);
    ck_assert_uint_eq(want.len, 286);
    assert_round_trip(&m, &want);
    assert_exact_length(&want);
    assert_signed_by(wdigest, w->contract_sig, addr2);
    ck_assert_int_eq(ch_msg_verify(&m, &chain_id, who), 0);
    ck_assert_mem_eq(who, addr2, 20);
    bytes_free(&f);
    bytes_free(&want);
}
END_TEST

START_TEST(settle_request_and_response)
{
    u256 b1 = hexu("0x3b9aca00"), b2 = hexu("0x77359400");
    struct ch_msg m;
    ck_assert_int_eq(ch_msg_init(&m, CH_CMD_SETTLE_RESPONSE), 0);
    struct ch_settle *s = &m.u.settle;
    fill(s->channel_id, 0xc1, 32);
    s->open_block = 0x1122334455ull;
    memcpy(s->p1, addr1, 20);
    s->p1_balance = b1;
    memcpy(s->p2, addr2, 20);
    s->p2_balance = b2;
    s->error_code = 5025;
    s->error_len = 5;
    memcpy(s->error_msg, "locks", 5);
    ck_assert_int_eq(ch_msg_sign(&m, sk2, &chain_id), 0);

    struct bytes want = BYTES_INIT;
    put_le16(&want, 21);
    put_le16(&want, 0);
    put_fill(&want, 0xc1, 32);
    put_be64(&want, 0x1122334455ull);
    put(&want, addr1, 20);
    put_word_hex(&want, "3b9aca00");
    put(&want, addr2, 20);
    put_word_hex(&want, "77359400");
    put(&want, s->contract_sig, 65);
    put_be32(&want, 5025);
    put_be32(&want, 5);
    put(&want, "locks", 5);
    put(&want, m.sig, 65);
    ck_assert_uint_eq(want.len, 286 + 5);
    assert_round_trip(&m, &want);
    assert_exact_length(&want);

    uint8_t digest[32], who[20];
    struct bytes f = BYTES_INIT;
    put(&f, addr1, 20);
    put_word_hex(&f, "3b9aca00");
    put(&f, addr2, 20);
    put_word_hex(&f, "77359400");
    put_fill(&f, 0xc1, 32);
    put_be64(&f, 0x1122334455ull);
    put_word(&f, 1337);
    contract_hash("176", &f, digest);
    assert_signed_by(digest, s->contract_sig, addr2);
    ck_assert_int_eq(ch_msg_verify(&m, &chain_id, who), 0);
    ck_assert_mem_eq(who, addr2, 20);

    /* The request is the same without the error fields (278 bytes). */
    ck_assert_int_eq(ch_msg_init(&m, CH_CMD_SETTLE_REQUEST), 0);
    s = &m.u.settle;
    fill(s->channel_id, 0xc1, 32);
    s->open_block = 0x1122334455ull;
    memcpy(s->p1, addr1, 20);
    s->p1_balance = b1;
    memcpy(s->p2, addr2, 20);
    s->p2_balance = b2;
    ck_assert_int_eq(ch_msg_sign(&m, sk1, &chain_id), 0);
    assert_signed_by(digest, s->contract_sig, addr1);
    struct bytes out = BYTES_INIT;
    ck_assert_int_eq(ch_msg_encode(&m, &out), 0);
    ck_assert_uint_eq(out.len, 278);
    ck_assert_mem_eq(out.data, "\x13\x00\x00\x00", 4);
    assert_exact_length(&out);
    /* Changing a balance after signing breaks both signatures. */
    s->p1_balance = b2;
    ck_assert(ch_msg_verify(&m, &chain_id, who) != 0);
    bytes_free(&out);
    bytes_free(&f);
    bytes_free(&want);
}
END_TEST

START_TEST(headers_and_unknown_commands)
{
    struct ch_msg m;
    uint8_t p[64] = {0};
    ck_assert_int_eq(ch_msg_decode(p, 0, &m), ERR_DECODE);
    ck_assert_int_eq(ch_msg_decode(NULL, 0, &m), ERR_DECODE);
    ck_assert_int_eq(ch_msg_decode(p, 3, &m), ERR_DECODE);
    /* Unknown ids, including odd ones between the known ones and ids whose
     * high byte is set (the CmdID is a 16-bit little-endian field). */
    static const uint16_t unknown[] = {1, 2, 4, 29, 0x100, 0x0b00, 0xffff};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        p[0] = (uint8_t)unknown[i];
        p[1] = (uint8_t)(unknown[i] >> 8);
        ck_assert_int_eq(ch_msg_decode(p, sizeof p, &m), ERR_UNSUPPORTED);
    }
    ck_assert_int_eq(ch_msg_init(&m, 2), ERR_INVAL);
    for (int c = 0; c <= 27; c++) {
        bool known = c == 0 || (c % 2 == 1 && c >= 3);
        ck_assert_int_eq(ch_cmd_known(c), known);
    }
    ck_assert_str_eq(ch_cmd_name(CH_CMD_ANNOUNCE_DISPOSED_RESPONSE), "AnnounceDisposedResponse");
    ck_assert_str_eq(ch_cmd_name(2), "unknown");

    /* A version on a message other than MediatedTransfer is kept. */
    struct bytes b = BYTES_INIT;
    put_le16(&b, 3);
    put_le16(&b, 0x0102);
    put_be64(&b, 9);
    put_fill(&b, 0x33, 65);
    ck_assert_int_eq(ch_msg_decode(b.data, b.len, &m), 0);
    ck_assert_int_eq(m.version, 0x0102);
    struct bytes out = BYTES_INIT;
    ck_assert_int_eq(ch_msg_encode(&m, &out), 0);
    ck_assert_mem_eq(out.data, b.data, b.len);
    bytes_free(&out);
    bytes_free(&b);

    /* Encoding into a short buffer is refused, a full one works. */
    uint8_t small[10], full[CH_PACKET_MAX];
    size_t n;
    ck_assert_int_eq(ch_msg_encode_buf(&m, small, sizeof small, &n), ERR_RANGE);
    ck_assert_int_eq(ch_msg_encode_buf(&m, full, sizeof full, &n), 0);
    ck_assert_uint_eq(n, 77);
}
END_TEST

int main(void)
{
    if (ecdsa_init() != 0)
        return EXIT_FAILURE;
    Suite *s = suite_create("channel_msg");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, known_keys_and_v27);
    tcase_add_test(tc, contract_digests_match_the_contract_layout);
    tcase_add_test(tc, mediated_transfer_worked_layout);
    tcase_add_test(tc, mediated_transfer_refusals);
    tcase_add_test(tc, unlock_removal_and_response_are_213_bytes);
    tcase_add_test(tc, direct_transfer_and_its_data_varint);
    tcase_add_test(tc, plain_messages);
    tcase_add_test(tc, announce_disposed_signs_a_disposed_proof);
    tcase_add_test(tc, withdraw_request_and_response);
    tcase_add_test(tc, settle_request_and_response);
    tcase_add_test(tc, headers_and_unknown_commands);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
