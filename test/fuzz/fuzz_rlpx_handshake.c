/*
 * fuzz_rlpx_handshake.c — libFuzzer target: the RLPx handshake reader, the
 * first bytes any stranger can send to our TCP port.
 *
 * The first input byte is a set of flags, the rest the data:
 *   bit 0     0: a recipient (node key B) reads an auth;
 *             1: an initiator (node key A, which sent its auth to B) reads an ack
 *   bit 1     0: the data are wire bytes, fed as they are;
 *             1: the data are a plaintext that the target seals to the
 *                reader's key first (ECIES with a fixed ephemeral key and
 *                iv), so the fuzzer gets past the MAC into the RLP / legacy
 *                layout parsers and the signature recovery
 *   bit 2     with bit 1: seal in the legacy format (no size prefix)
 *   bits 3-7  feed in pieces of this many bytes (0: all at once), the way a
 *             socket delivers them; the reader is never given more than the
 *             `need` it asked for, as rlpx_session does
 *
 * Keys, ephemeral keys and nonces are the EIP-8 test-vector values, so the
 * vector packets in the seed corpus complete the handshake.
 *
 * Properties: nothing crashes or leaks; only documented error codes; `need`
 * never exceeds 2 + RLPX_HANDSHAKE_MAX and only grows; a completed read
 * consumed exactly the bytes it was given and left DONE with secrets, and
 * a recipient then wrote an ack the initiator side can tell apart by format.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/ecdsa.h"
#include "crypto/ecies.h"
#include "net/rlpx_handshake.h"
#include "util/err.h"
#include "util/hex.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static uint8_t ka[32], kb[32], ea[32], eb[32], na[32], nb[32], pa[64], pb[64];

static void unhex(const char *s, uint8_t out[32])
{
    if (hex_decode_exact(s, 64, out, 32))
        abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    unhex("49a7b37aa6f6645917e7b807e9d1c00d4fa71f18343b0d4122a4d2df64dd6fee", ka);
    unhex("b71c71a67e1177ad4e901695e1b4b9ee17ae16c6668d313eac2f96dbcda3f291", kb);
    unhex("869d6ecf5211f1cc60418a13b9d870b22959d0c16f02bec714c960dd2298a32d", ea);
    unhex("e238eb8e04fee6511ab04c6dd3c89ce097b11f25d584863ac2b6d5b35b1847e4", eb);
    unhex("7e968bba13b6c50e2c4cd7f241cc0d64d1ac25c7f5952df231ac6a2bda8ee5d6", na);
    unhex("559aead08264d5795d3909718cdd05abd49572e84fe55590eef31a88a08fdffd", nb);
    if (ecdsa_pubkey(ka, pa) || ecdsa_pubkey(kb, pb))
        abort();
    return 0;
}

static bool documented(int rc)
{
    return rc == ERR_RANGE || rc == ERR_DECODE || rc == ERR_CRYPTO || rc == ERR_NOMEM;
}

/* Seals plain to pub: EIP-8 (prefix ‖ ECIES with the prefix as mac data)
 * or legacy. Returns the packet length, 0 when it would be too long. */
static size_t seal(const uint8_t pub[64], const uint8_t *plain, size_t len, bool legacy,
                   uint8_t *out)
{
    static const uint8_t iv[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    uint8_t eph[32];
    memset(eph, 0x33, sizeof eph);
    size_t clen = len + ECIES_OVERHEAD, plen = legacy ? 0 : 2;
    if (clen > RLPX_HANDSHAKE_MAX)
        return 0;
    out[0] = (uint8_t)(clen >> 8);
    out[1] = (uint8_t)clen;
    if (ecies_encrypt_with(pub, eph, iv, plain, len, out, plen, out + plen))
        abort();
    return plen + clen;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t sealed[2 + RLPX_HANDSHAKE_MAX];
    if (size == 0)
        return 0;
    uint8_t flags = data[0];
    bool initiator = flags & 1, plaintext = flags & 2, legacy = flags & 4;
    size_t chunk = flags >> 3;
    const uint8_t *in = data + 1;
    size_t len = size - 1;
    if (plaintext) {
        len = seal(initiator ? pa : pb, in, len, legacy, sealed);
        if (len == 0)
            return 0;
        in = sealed;
    }

    struct rlpx_handshake hs;
    struct bytes out = BYTES_INIT;
    int rc = initiator ? rlpx_handshake_initiator_with(&hs, ka, pb, ea, na, &out)
                       : rlpx_handshake_recipient_with(&hs, kb, eb, nb);
    if (rc)
        abort();
    size_t sent = out.len; /* the initiator's auth */
    size_t have = 0, need = 2, used = 0;
    while (rc == 0 && used == 0 && have < len) {
        size_t want = need > have ? need - have : 1;
        if (chunk && want > chunk)
            want = chunk;
        if (want > len - have)
            want = len - have;
        have += want;
        size_t prev = need;
        rc = rlpx_handshake_read(&hs, in, have, &used, &need, &out);
        if (rc == 0 && used == 0 && (need <= have || need < prev || need > 2 + RLPX_HANDSHAKE_MAX))
            abort();
    }
    if (rc) {
        if (!documented(rc) || hs.state != RLPX_HS_FAILED || out.len != sent)
            abort();
    } else if (used) {
        if (used != have || hs.state != RLPX_HS_DONE)
            abort();
        if (!initiator) {
            /* the ack answers in the auth's format */
            size_t ack = out.len;
            if (hs.remote_eip8 ? (ack < 2 || ((size_t)out.data[0] << 8 | out.data[1]) != ack - 2)
                               : ack != RLPX_ACK_LEGACY_LEN)
                abort();
        } else if (out.len != sent) {
            abort();
        }
    }
    rlpx_handshake_clear(&hs);
    bytes_free(&out);
    err_clear();
    return 0;
}
