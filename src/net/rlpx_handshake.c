/*
 * rlpx_handshake.c — RLPx auth/ack, both wire formats; see rlpx_handshake.h.
 *
 * The file reads top to bottom as the protocol runs: secret derivation,
 * then the writers (auth, ack; EIP-8 and legacy share one sealing helper
 * each way), then the reader, which first finds where the remote's packet
 * ends and decrypts it (read_packet: legacy trial, then EIP-8 size prefix),
 * then parses the plaintext for the side we are on.
 *
 * Every length comes from the remote, so read_packet refuses an EIP-8
 * prefix above RLPX_HANDSHAKE_MAX before waiting for (or buffering) the
 * body, and the plaintext lands in a fixed stack buffer of that size. The
 * legacy trial costs an ECDH, so it is made at most once per packet
 * (legacy_tried) however the bytes trickle in.
 */
#include "net/rlpx_handshake.h"
#include "crypto/ecdsa.h"
#include "crypto/ecies.h"
#include "primitives/rlp.h"
#include "util/err.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <string.h>

#define AUTH_LEGACY_PLAIN 194   /* sig 65 ‖ keccak(eph-pub) 32 ‖ pub 64 ‖ nonce 32 ‖ flag 1 */
#define ACK_LEGACY_PLAIN 97     /* eph-pub 64 ‖ nonce 32 ‖ flag 1 */
#define PAD_MIN 100             /* EIP-8: pad with at least 100 bytes ... */
#define PAD_SPAN 200            /* ... and vary the amount */

/* ---- secrets --------------------------------------------------------- */

static void xor32(uint8_t out[32], const uint8_t a[32], const uint8_t b[32])
{
    for (int i = 0; i < 32; i++)
        out[i] = a[i] ^ b[i];
}

/* keccak256(a ‖ b), both 32 bytes. */
static void hash2(const uint8_t a[32], const uint8_t b[32], uint8_t out[32])
{
    uint8_t buf[64];
    memcpy(buf, a, 32);
    memcpy(buf + 32, b, 32);
    keccak256(buf, sizeof buf, out);
    OPENSSL_cleanse(buf, sizeof buf);
}

/* mac = keccak state of (secret ^ nonce) ‖ packet. */
static void mac_init(struct keccak_ctx *mac, const uint8_t secret[32], const uint8_t nonce[32],
                     const uint8_t *packet, size_t len)
{
    uint8_t x[32];
    xor32(x, secret, nonce);
    keccak256_init(mac);
    keccak256_update(mac, x, 32);
    keccak256_update(mac, packet, len);
    OPENSSL_cleanse(x, sizeof x);
}

int rlpx_secrets_derive(bool initiator, const uint8_t eph_sk[32], const uint8_t remote_eph_pub[64],
                        const uint8_t init_nonce[32], const uint8_t resp_nonce[32],
                        const uint8_t *auth, size_t auth_len, const uint8_t *ack, size_t ack_len,
                        struct rlpx_secrets *out)
{
    uint8_t eph_key[32], nonces[32], shared[32];
    int rc = ecies_shared_secret(eph_sk, remote_eph_pub, eph_key);
    if (rc) {
        OPENSSL_cleanse(out, sizeof *out);
        return err_wrap(rc, "rlpx: ephemeral key agreement");
    }
    hash2(resp_nonce, init_nonce, nonces);
    hash2(eph_key, nonces, shared);
    hash2(eph_key, shared, out->aes);
    hash2(eph_key, out->aes, out->mac);
    struct keccak_ctx *with_auth = initiator ? &out->egress_mac : &out->ingress_mac;
    struct keccak_ctx *with_ack = initiator ? &out->ingress_mac : &out->egress_mac;
    mac_init(with_auth, out->mac, resp_nonce, auth, auth_len);
    mac_init(with_ack, out->mac, init_nonce, ack, ack_len);
    OPENSSL_cleanse(eph_key, sizeof eph_key);
    OPENSSL_cleanse(shared, sizeof shared);
    return 0;
}

/* ---- set-up ------------------------------------------------------------ */

static int fail(struct rlpx_handshake *hs, int rc)
{
    hs->state = RLPX_HS_FAILED;
    return rc;
}

static int start(struct rlpx_handshake *hs, bool initiator, const uint8_t sk[32],
                 const uint8_t *eph_sk, const uint8_t *nonce)
{
    memset(hs, 0, sizeof *hs);
    hs->initiator = initiator;
    hs->state = RLPX_HS_FAILED;
    if (!ecdsa_seckey_valid(sk))
        return err_set(ERR_CRYPTO, "rlpx: invalid node key");
    memcpy(hs->sk, sk, 32);
    if (eph_sk) {
        if (!ecdsa_seckey_valid(eph_sk))
            return err_set(ERR_CRYPTO, "rlpx: invalid ephemeral key");
        memcpy(hs->eph_sk, eph_sk, 32);
    } else {
        int rc = ecies_random_key(hs->eph_sk);
        if (rc)
            return rc;
    }
    if (nonce)
        memcpy(hs->nonce, nonce, 32);
    else if (RAND_bytes(hs->nonce, 32) != 1)
        return err_set(ERR_CRYPTO, "rlpx: the random number generator failed");
    hs->state = initiator ? RLPX_HS_WAIT_ACK : RLPX_HS_WAIT_AUTH;
    return 0;
}

/* ---- writing ----------------------------------------------------------- */

/* Appends `plain` sealed to `pub` to both `keep` (the packet as sent, for
 * the MACs) and `out`: EIP-8 with its size prefix, or legacy without. */
static int seal(const uint8_t pub[64], const struct bytes *plain, bool eip8, struct bytes *keep,
                struct bytes *out)
{
    size_t clen = plain->len + ECIES_OVERHEAD;
    size_t plen = eip8 ? 2 : 0;
    if (clen > RLPX_HANDSHAKE_MAX)
        return err_set(ERR_RANGE, "rlpx: handshake packet of %zu bytes", clen);
    int rc = bytes_reserve(keep, plen + clen);
    if (rc)
        return rc;
    uint8_t *p = keep->data + keep->len;
    if (eip8) {
        p[0] = (uint8_t)(clen >> 8);
        p[1] = (uint8_t)clen;
    }
    rc = ecies_encrypt(pub, plain->data, plain->len, p, plen, p + plen);
    if (rc)
        return err_wrap(rc, "rlpx: sealing the handshake packet");
    keep->len += plen + clen;
    return bytes_append(out, p, plen + clen);
}

/* Appends 100-299 bytes of EIP-8 padding (zeros: they are encrypted). */
static int pad(struct bytes *plain)
{
    uint8_t r[2];
    if (RAND_bytes(r, sizeof r) != 1)
        return err_set(ERR_CRYPTO, "rlpx: the random number generator failed");
    size_t n = PAD_MIN + (size_t)((r[0] << 8 | r[1]) % PAD_SPAN);
    uint8_t zero[PAD_MIN + PAD_SPAN];
    memset(zero, 0, n);
    return bytes_append(plain, zero, n);
}

static int write_auth(struct rlpx_handshake *hs, struct bytes *out)
{
    uint8_t token[32], msg[32], sig[65], pub[64];
    struct bytes plain = BYTES_INIT;
    int rc = ecies_shared_secret(hs->sk, hs->remote_pub, token);
    if (rc)
        return err_wrap(rc, "rlpx: remote node id");
    xor32(msg, token, hs->nonce);
    rc = ecdsa_sign(msg, hs->eph_sk, sig);
    if (rc == 0)
        rc = ecdsa_pubkey(hs->sk, pub);
    if (rc == 0) {
        size_t m = rlp_list_begin(&plain);
        rlp_put_bytes(&plain, sig, 65);
        rlp_put_bytes(&plain, pub, 64);
        rlp_put_bytes(&plain, hs->nonce, 32);
        rlp_put_u64(&plain, RLPX_HANDSHAKE_VERSION);
        rlp_list_end(&plain, m);
        rc = pad(&plain);
    }
    if (rc == 0)
        rc = bytes_ok(&plain);
    if (rc == 0)
        rc = seal(hs->remote_pub, &plain, true, &hs->auth, out);
    OPENSSL_cleanse(token, sizeof token);
    OPENSSL_cleanse(msg, sizeof msg);
    if (plain.data)
        OPENSSL_cleanse(plain.data, plain.cap);
    bytes_free(&plain);
    return rc;
}

static int write_ack(struct rlpx_handshake *hs, struct bytes *out)
{
    uint8_t eph_pub[64];
    struct bytes plain = BYTES_INIT;
    int rc = ecdsa_pubkey(hs->eph_sk, eph_pub);
    if (rc)
        return rc;
    if (hs->remote_eip8) {
        size_t m = rlp_list_begin(&plain);
        rlp_put_bytes(&plain, eph_pub, 64);
        rlp_put_bytes(&plain, hs->nonce, 32);
        rlp_put_u64(&plain, RLPX_HANDSHAKE_VERSION);
        rlp_list_end(&plain, m);
        rc = pad(&plain);
    } else {
        bytes_append(&plain, eph_pub, 64);
        bytes_append(&plain, hs->nonce, 32);
        bytes_push(&plain, 0); /* token flag: no session token */
    }
    if (rc == 0)
        rc = bytes_ok(&plain);
    if (rc == 0)
        rc = seal(hs->remote_pub, &plain, hs->remote_eip8, &hs->ack, out);
    if (plain.data)
        OPENSSL_cleanse(plain.data, plain.cap);
    bytes_free(&plain);
    return rc;
}

static int start_initiator(struct rlpx_handshake *hs, const uint8_t sk[32],
                           const uint8_t remote_pub[64], const uint8_t *eph_sk,
                           const uint8_t *nonce, struct bytes *out)
{
    int rc = start(hs, true, sk, eph_sk, nonce);
    if (rc)
        return rc;
    memcpy(hs->remote_pub, remote_pub, 64);
    rc = write_auth(hs, out);
    return rc ? fail(hs, rc) : 0;
}

int rlpx_handshake_initiator(struct rlpx_handshake *hs, const uint8_t sk[32],
                             const uint8_t remote_pub[64], struct bytes *out)
{
    return start_initiator(hs, sk, remote_pub, NULL, NULL, out);
}

int rlpx_handshake_initiator_with(struct rlpx_handshake *hs, const uint8_t sk[32],
                                  const uint8_t remote_pub[64], const uint8_t eph_sk[32],
                                  const uint8_t nonce[32], struct bytes *out)
{
    return start_initiator(hs, sk, remote_pub, eph_sk, nonce, out);
}

int rlpx_handshake_recipient(struct rlpx_handshake *hs, const uint8_t sk[32])
{
    return start(hs, false, sk, NULL, NULL);
}

int rlpx_handshake_recipient_with(struct rlpx_handshake *hs, const uint8_t sk[32],
                                  const uint8_t eph_sk[32], const uint8_t nonce[32])
{
    return start(hs, false, sk, eph_sk, nonce);
}

/* ---- reading ----------------------------------------------------------- */

/* Finds and decrypts the remote's packet (see the header for the format
 * detection). Returns 0 with *consumed = 0 and *need set while incomplete,
 * 0 with *consumed = packet length and the plaintext in plain (its length
 * in *plain_len) when done, or an error. */
static int read_packet(struct rlpx_handshake *hs, const uint8_t *in, size_t len,
                       size_t legacy_len, uint8_t plain[RLPX_HANDSHAKE_MAX], size_t *plain_len,
                       size_t *consumed, size_t *need)
{
    *consumed = 0;
    if (len < 2) {
        *need = 2;
        return 0;
    }
    if (in[0] == 0x04 && !hs->legacy_tried) {
        if (len < legacy_len) {
            *need = legacy_len;
            return 0;
        }
        if (ecies_decrypt(hs->sk, in, legacy_len, NULL, 0, plain, plain_len) == 0) {
            hs->remote_eip8 = false;
            *consumed = legacy_len;
            *need = 0;
            return 0;
        }
        hs->legacy_tried = true;
        err_clear();
    }
    size_t size = (size_t)in[0] << 8 | in[1];
    if (size > RLPX_HANDSHAKE_MAX)
        return err_set(ERR_RANGE, "rlpx: handshake packet of %zu bytes (limit %d)", size,
                       RLPX_HANDSHAKE_MAX);
    if (size < ECIES_OVERHEAD)
        return err_set(ERR_DECODE, "rlpx: handshake packet of %zu bytes, too short for ECIES",
                       size);
    if (len < 2 + size) {
        *need = 2 + size;
        return 0;
    }
    int rc = ecies_decrypt(hs->sk, in + 2, size, in, 2, plain, plain_len);
    if (rc)
        return err_wrap(rc, "rlpx: %s packet", hs->initiator ? "ack" : "auth");
    hs->remote_eip8 = true;
    *consumed = 2 + size;
    *need = 0;
    return 0;
}

/* Splits an EIP-8 plaintext into its first n items: the RLP list at the
 * start, with anything after it (the padding) and any items after the n
 * first ignored, as EIP-8 asks. *version receives item n (an integer). */
static int eip8_items(const uint8_t *plain, size_t len, struct rlp_item *items, size_t n,
                      uint64_t *version)
{
    struct rlp_item list, it;
    struct rlp_iter iter;
    size_t used;
    int rc = rlp_decode_item(plain, len, &list, &used);
    if (rc == 0)
        rc = rlp_iter_init(&iter, &list);
    for (size_t i = 0; rc == 0 && i <= n; i++) {
        rc = rlp_iter_next(&iter, i < n ? &items[i] : &it);
        if (rc == 0)
            rc = err_set(ERR_DECODE, "list of %zu items, want at least %zu", i, n + 1);
        else if (rc == 1)
            rc = 0;
    }
    if (rc == 0)
        rc = rlp_get_u64(&it, version);
    return rc;
}

static int parse_auth(struct rlpx_handshake *hs, const uint8_t *plain, size_t len)
{
    uint8_t sig[65], token[32], msg[32];
    if (!hs->remote_eip8) {
        if (len != AUTH_LEGACY_PLAIN)
            return err_set(ERR_DECODE, "rlpx: legacy auth of %zu bytes", len);
        /* The keccak of the ephemeral key at 65..97 is redundant with the
         * signature (EIP-8 dropped it); like geth we do not check it. */
        memcpy(sig, plain, 65);
        memcpy(hs->remote_pub, plain + 97, 64);
        memcpy(hs->remote_nonce, plain + 161, 32);
        hs->remote_version = RLPX_HANDSHAKE_VERSION;
    } else {
        struct rlp_item it[3];
        int rc = eip8_items(plain, len, it, 3, &hs->remote_version);
        if (rc == 0)
            rc = rlp_get_fixed(&it[0], sig, 65);
        if (rc == 0)
            rc = rlp_get_fixed(&it[1], hs->remote_pub, 64);
        if (rc == 0)
            rc = rlp_get_fixed(&it[2], hs->remote_nonce, 32);
        if (rc)
            return err_wrap(rc, "rlpx: auth body");
    }
    int rc = ecies_shared_secret(hs->sk, hs->remote_pub, token);
    if (rc)
        return err_wrap(rc, "rlpx: initiator node id");
    xor32(msg, token, hs->remote_nonce);
    rc = ecdsa_recover(msg, sig, hs->remote_eph_pub);
    OPENSSL_cleanse(token, sizeof token);
    OPENSSL_cleanse(msg, sizeof msg);
    return rc ? err_wrap(rc, "rlpx: auth signature") : 0;
}

static int parse_ack(struct rlpx_handshake *hs, const uint8_t *plain, size_t len)
{
    if (!hs->remote_eip8) {
        if (len != ACK_LEGACY_PLAIN)
            return err_set(ERR_DECODE, "rlpx: legacy ack of %zu bytes", len);
        memcpy(hs->remote_eph_pub, plain, 64);
        memcpy(hs->remote_nonce, plain + 64, 32);
        hs->remote_version = RLPX_HANDSHAKE_VERSION;
        return 0;
    }
    struct rlp_item it[2];
    int rc = eip8_items(plain, len, it, 2, &hs->remote_version);
    if (rc == 0)
        rc = rlp_get_fixed(&it[0], hs->remote_eph_pub, 64);
    if (rc == 0)
        rc = rlp_get_fixed(&it[1], hs->remote_nonce, 32);
    return rc ? err_wrap(rc, "rlpx: ack body") : 0;
}

int rlpx_handshake_read(struct rlpx_handshake *hs, const uint8_t *in, size_t len,
                        size_t *consumed, size_t *need, struct bytes *out)
{
    *consumed = 0;
    *need = 0;
    if (hs->state != RLPX_HS_WAIT_AUTH && hs->state != RLPX_HS_WAIT_ACK)
        return err_set(ERR_BADSTATE, "rlpx: handshake is not waiting for a packet");
    uint8_t plain[RLPX_HANDSHAKE_MAX];
    size_t plain_len = 0, used = 0;
    size_t legacy_len = hs->initiator ? RLPX_ACK_LEGACY_LEN : RLPX_AUTH_LEGACY_LEN;
    int rc = read_packet(hs, in, len, legacy_len, plain, &plain_len, &used, need);
    if (rc)
        return fail(hs, rc);
    if (used == 0)
        return 0;
    struct bytes *keep = hs->initiator ? &hs->ack : &hs->auth;
    if (hs->initiator) {
        rc = parse_ack(hs, plain, plain_len);
    } else {
        rc = parse_auth(hs, plain, plain_len);
        if (rc == 0)
            rc = bytes_append(keep, in, used);
        if (rc == 0)
            rc = write_ack(hs, out);
    }
    OPENSSL_cleanse(plain, plain_len);
    if (rc == 0 && hs->initiator)
        rc = bytes_append(keep, in, used);
    if (rc == 0) {
        const uint8_t *init_nonce = hs->initiator ? hs->nonce : hs->remote_nonce;
        const uint8_t *resp_nonce = hs->initiator ? hs->remote_nonce : hs->nonce;
        rc = rlpx_secrets_derive(hs->initiator, hs->eph_sk, hs->remote_eph_pub, init_nonce,
                                 resp_nonce, hs->auth.data, hs->auth.len, hs->ack.data,
                                 hs->ack.len, &hs->secrets);
    }
    if (rc)
        return fail(hs, rc);
    hs->state = RLPX_HS_DONE;
    *consumed = used;
    return 0;
}

void rlpx_handshake_clear(struct rlpx_handshake *hs)
{
    bytes_free(&hs->auth);
    bytes_free(&hs->ack);
    OPENSSL_cleanse(hs, sizeof *hs);
}
