/*
 * rlpx_frame.c — RLPx frame encryption and MACs; see rlpx_frame.h.
 *
 * crypto/aes.h's aes_ctr is one-shot (a fresh keystream per call), but a
 * frame stream needs one keystream per direction that runs on from frame to
 * frame, so the two CTR contexts live here as OpenSSL EVP contexts kept for
 * the connection's life. The MAC's block cipher is AES-256 in ECB mode on
 * single blocks, also one kept context (ECB has no state between blocks,
 * so egress and ingress share it).
 *
 * The MAC states are struct keccak_ctx absorbing forever; a "digest" is
 * taken on a copy so the running state is never finalised. geth takes the
 * first 16 bytes of each digest (the spec's old text said right128; every
 * client uses the left half), and so do we.
 */
#include "net/rlpx_frame.h"
#include "primitives/rlp.h"
#include "util/err.h"

#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <string.h>

static size_t pad16(size_t n)
{
    return (n + 15) & ~(size_t)15;
}

static void digest(const struct keccak_ctx *mac, uint8_t out[32])
{
    struct keccak_ctx t = *mac;
    keccak256_final(&t, out);
}

/* The MAC step both MACs share: mac.update(AES(mac-secret, sum1) ^ seed),
 * out = digest[:16]. */
static int mac_mix(struct rlpx_frame_codec *c, struct keccak_ctx *mac, const uint8_t sum1[16],
                   const uint8_t seed[16], uint8_t out[16])
{
    uint8_t e[16], d[32];
    int n = 0;
    if (!EVP_EncryptUpdate(c->mac_ecb, e, &n, sum1, 16) || n != 16)
        return err_set(ERR_CRYPTO, "rlpx: AES-256 of the MAC failed in OpenSSL");
    for (int i = 0; i < 16; i++)
        e[i] ^= seed[i];
    keccak256_update(mac, e, 16);
    digest(mac, d);
    memcpy(out, d, 16);
    return 0;
}

static int header_mac(struct rlpx_frame_codec *c, struct keccak_ctx *mac,
                      const uint8_t header_ct[16], uint8_t out[16])
{
    uint8_t d[32];
    digest(mac, d);
    return mac_mix(c, mac, d, header_ct, out);
}

static int frame_mac(struct rlpx_frame_codec *c, struct keccak_ctx *mac, const uint8_t *ct,
                     size_t len, uint8_t out[16])
{
    uint8_t d[32];
    keccak256_update(mac, ct, len);
    digest(mac, d);
    return mac_mix(c, mac, d, d, out);
}

/* Runs the direction's keystream over buf in place. */
static int ctr(struct rlpx_frame_dir *dir, uint8_t *buf, size_t len)
{
    int n = 0;
    if (len > INT_MAX || !EVP_EncryptUpdate(dir->ctr, buf, &n, buf, (int)len) ||
        (size_t)n != len)
        return err_set(ERR_CRYPTO, "rlpx: AES-256-CTR failed in OpenSSL");
    return 0;
}

static void *new_cipher(const EVP_CIPHER *type, const uint8_t key[32], const uint8_t *iv)
{
    EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
    if (x && (!EVP_EncryptInit_ex(x, type, NULL, key, iv) || !EVP_CIPHER_CTX_set_padding(x, 0))) {
        EVP_CIPHER_CTX_free(x);
        x = NULL;
    }
    return x;
}

int rlpx_frame_init(struct rlpx_frame_codec *c, const struct rlpx_secrets *sec, size_t max_frame)
{
    static const uint8_t zero_iv[16];
    memset(c, 0, sizeof *c);
    if (max_frame == 0 || max_frame > RLPX_FRAME_SIZE_MAX)
        return err_set(ERR_RANGE, "rlpx: frame size limit %zu (1..%u)", max_frame,
                       RLPX_FRAME_SIZE_MAX);
    c->egress.ctr = new_cipher(EVP_aes_256_ctr(), sec->aes, zero_iv);
    c->ingress.ctr = new_cipher(EVP_aes_256_ctr(), sec->aes, zero_iv);
    c->mac_ecb = new_cipher(EVP_aes_256_ecb(), sec->mac, NULL);
    if (!c->egress.ctr || !c->ingress.ctr || !c->mac_ecb) {
        rlpx_frame_free(c);
        return err_set(ERR_NOMEM, "rlpx: cannot set up the frame ciphers");
    }
    c->egress.mac = sec->egress_mac;
    c->ingress.mac = sec->ingress_mac;
    c->max_frame = max_frame;
    return 0;
}

void rlpx_frame_free(struct rlpx_frame_codec *c)
{
    EVP_CIPHER_CTX_free(c->egress.ctr);
    EVP_CIPHER_CTX_free(c->ingress.ctr);
    EVP_CIPHER_CTX_free(c->mac_ecb);
    OPENSSL_cleanse(c, sizeof *c);
}

/* ---- writing ----------------------------------------------------------- */

/* Writes one frame whose body is a ‖ b. */
static int write_parts(struct rlpx_frame_codec *c, const uint8_t *a, size_t alen,
                       const uint8_t *b, size_t blen, struct bytes *out)
{
    if (blen > RLPX_FRAME_SIZE_MAX || alen + blen > RLPX_FRAME_SIZE_MAX || alen + blen == 0)
        return err_set(ERR_RANGE, "rlpx: frame of %zu bytes (1..%u)", alen + blen,
                       RLPX_FRAME_SIZE_MAX);
    size_t size = alen + blen, padded = pad16(size);
    int rc = bytes_reserve(out, RLPX_FRAME_HEADER_LEN + padded + RLPX_FRAME_MAC_LEN);
    if (rc)
        return rc;
    uint8_t *h = out->data + out->len, *body = h + RLPX_FRAME_HEADER_LEN;
    memset(h, 0, 16);
    h[0] = (uint8_t)(size >> 16);
    h[1] = (uint8_t)(size >> 8);
    h[2] = (uint8_t)size;
    h[3] = 0xc2; /* header-data = rlp([0, 0]) */
    h[4] = 0x80;
    h[5] = 0x80;
    if (alen)
        memcpy(body, a, alen);
    if (blen)
        memcpy(body + alen, b, blen);
    memset(body + size, 0, padded - size);
    rc = ctr(&c->egress, h, 16);
    if (rc == 0)
        rc = header_mac(c, &c->egress.mac, h, h + 16);
    if (rc == 0)
        rc = ctr(&c->egress, body, padded);
    if (rc == 0)
        rc = frame_mac(c, &c->egress.mac, body, padded, body + padded);
    if (rc == 0)
        out->len += RLPX_FRAME_HEADER_LEN + padded + RLPX_FRAME_MAC_LEN;
    return rc;
}

int rlpx_frame_write_body(struct rlpx_frame_codec *c, const uint8_t *body, size_t len,
                          struct bytes *out)
{
    return write_parts(c, body, len, NULL, 0, out);
}

int rlpx_frame_write(struct rlpx_frame_codec *c, uint64_t code, const uint8_t *payload,
                     size_t len, struct bytes *out)
{
    /* rlp(code): a single byte below 0x80 (0 is the empty string 0x80),
     * else 0x80+n and n big-endian bytes without leading zeros. */
    uint8_t buf[9], be[8];
    size_t n = 1;
    if (code == 0) {
        buf[0] = 0x80;
    } else if (code < 0x80) {
        buf[0] = (uint8_t)code;
    } else {
        size_t z = 0;
        be_put64(be, code);
        while (be[z] == 0)
            z++;
        buf[0] = (uint8_t)(0x80 + 8 - z);
        memcpy(buf + 1, be + z, 8 - z);
        n = 9 - z;
    }
    return write_parts(c, buf, n, payload, len, out);
}

/* ---- reading ----------------------------------------------------------- */

static int fail(struct rlpx_frame_codec *c, int rc)
{
    c->failed = true;
    return rc;
}

int rlpx_frame_read_header(struct rlpx_frame_codec *c, const uint8_t in[RLPX_FRAME_HEADER_LEN],
                           size_t *body_len)
{
    if (c->failed || c->want_body)
        return fail(c, err_set(ERR_BADSTATE, "rlpx: frame header read out of turn"));
    uint8_t want[16], h[16];
    int rc = header_mac(c, &c->ingress.mac, in, want);
    if (rc)
        return fail(c, rc);
    if (CRYPTO_memcmp(want, in + 16, 16) != 0)
        return fail(c, err_set(ERR_CRYPTO, "rlpx: frame header MAC mismatch"));
    memcpy(h, in, 16);
    rc = ctr(&c->ingress, h, 16);
    if (rc)
        return fail(c, rc);
    size_t size = (size_t)h[0] << 16 | (size_t)h[1] << 8 | h[2];
    if (size > c->max_frame)
        return fail(c, err_set(ERR_RANGE, "rlpx: frame of %zu bytes (limit %zu)", size,
                               c->max_frame));
    c->frame_size = size;
    c->want_body = true;
    *body_len = pad16(size) + RLPX_FRAME_MAC_LEN;
    return 0;
}

int rlpx_frame_read_body(struct rlpx_frame_codec *c, uint8_t *in, size_t len,
                         const uint8_t **frame, size_t *frame_len)
{
    if (c->failed || !c->want_body)
        return fail(c, err_set(ERR_BADSTATE, "rlpx: frame body read out of turn"));
    size_t padded = pad16(c->frame_size);
    if (len != padded + RLPX_FRAME_MAC_LEN)
        return fail(c, err_set(ERR_INVAL, "rlpx: frame body of %zu bytes, header said %zu", len,
                               padded + RLPX_FRAME_MAC_LEN));
    uint8_t want[16];
    int rc = frame_mac(c, &c->ingress.mac, in, padded, want);
    if (rc)
        return fail(c, rc);
    if (CRYPTO_memcmp(want, in + padded, 16) != 0)
        return fail(c, err_set(ERR_CRYPTO, "rlpx: frame MAC mismatch"));
    rc = ctr(&c->ingress, in, padded);
    if (rc)
        return fail(c, rc);
    c->want_body = false;
    *frame = in;
    *frame_len = c->frame_size;
    return 0;
}

int rlpx_frame_split(const uint8_t *frame, size_t len, uint64_t *code, const uint8_t **payload,
                     size_t *payload_len)
{
    struct rlp_item it;
    size_t used;
    if (len == 0)
        return err_set(ERR_DECODE, "rlpx: empty frame (no message code)");
    int rc = rlp_decode_item(frame, len, &it, &used);
    if (rc == 0)
        rc = rlp_get_u64(&it, code);
    if (rc)
        return err_wrap(rc, "rlpx: message code");
    *payload = frame + used;
    *payload_len = len - used;
    return 0;
}
