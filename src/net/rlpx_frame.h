/*
 * rlpx_frame.h — RLPx frames: encryption and MACs of the byte stream after
 * the handshake (devp2p rlpx.md "Framing"), over byte buffers.
 *
 * A frame on the wire is
 *
 *   header-ciphertext (16) ‖ header-mac (16) ‖ frame-ciphertext ‖ frame-mac (16)
 *
 * header     = frame-size (3 bytes, big-endian) ‖ header-data, zero-padded
 *              to 16 bytes; we write header-data = rlp([0, 0])
 *              (capability-id 0, context-id 0) and, like geth, ignore it
 *              when reading (chunked frames are not used by anyone)
 * frame      = rlp(message code) ‖ payload, zero-padded to 16 bytes;
 *              frame-size counts it without the padding
 * ciphertext = AES-256-CTR(aes-secret, iv = 0), one keystream per direction
 *              running on across headers and bodies
 * header-mac = egress-mac.update(AES-256(mac-secret, digest[:16]) ^
 *              header-ciphertext), then digest[:16]
 * frame-mac  = egress-mac.update(frame-ciphertext); seed = digest[:16];
 *              egress-mac.update(AES-256(mac-secret, seed) ^ seed), digest[:16]
 *
 * where digest is the Keccak-256 of everything the running state absorbed.
 * The receiver runs the same on ingress-mac and checks both MACs
 * (constant-time) before it decrypts or believes anything.
 *
 * Reading is split in two so a caller can buffer exactly what is needed:
 * rlpx_frame_read_header takes the first RLPX_FRAME_HEADER_LEN bytes and
 * says how many body bytes follow (frame-size rounded up to 16, plus the
 * 16-byte MAC); rlpx_frame_read_body takes those. Any failure is terminal:
 * the MAC states and keystreams can no longer agree with the peer's.
 *
 * Ownership: a codec owns OpenSSL cipher contexts; rlpx_frame_free releases
 * them and wipes the keys. One thread at a time per codec.
 */
#ifndef SPECTRUM_NET_RLPX_FRAME_H
#define SPECTRUM_NET_RLPX_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/keccak.h"
#include "net/rlpx_handshake.h"
#include "util/bytes.h"

#define RLPX_FRAME_HEADER_LEN 32       /* header ciphertext + header-mac */
#define RLPX_FRAME_MAC_LEN 16
#define RLPX_FRAME_SIZE_MAX 0xffffffu  /* frame-size is 3 bytes */

/* One direction: its keystream and its running MAC. Private. */
struct rlpx_frame_dir {
    void *ctr;                 /* EVP_CIPHER_CTX, AES-256-CTR */
    struct keccak_ctx mac;
};

/* Private fields; use the functions below. */
struct rlpx_frame_codec {
    struct rlpx_frame_dir egress, ingress;
    void *mac_ecb;             /* EVP_CIPHER_CTX, AES-256-ECB(mac-secret) */
    size_t max_frame;          /* largest frame-size accepted when reading */
    size_t frame_size;         /* frame-size of the header just read */
    bool want_body;            /* a header was read; its body is next */
    bool failed;               /* a read failed: everything is refused */
};

/* Sets up a codec from handshake secrets (copied; the caller may wipe its
 * own copy afterwards).
 * Returns: 0, ERR_RANGE (max_frame is 0 or above RLPX_FRAME_SIZE_MAX),
 *          ERR_NOMEM or ERR_CRYPTO (OpenSSL). On error nothing is held.
 * In:  sec  from rlpx_handshake / rlpx_secrets_derive;
 *      max_frame  largest frame-size to accept from the peer.
 * Out: c  ready; release with rlpx_frame_free. */
int rlpx_frame_init(struct rlpx_frame_codec *c, const struct rlpx_secrets *sec, size_t max_frame);

/* Releases the cipher contexts and wipes c (safe on a zeroed codec). */
void rlpx_frame_free(struct rlpx_frame_codec *c);

/* Appends one frame carrying `body` (rlp(code) ‖ payload, or anything for
 * tests) to out, advancing the egress keystream and MAC.
 * Returns: 0, ERR_RANGE (len 0 or above RLPX_FRAME_SIZE_MAX; nothing is
 *          written and the codec is unchanged), ERR_NOMEM or ERR_CRYPTO
 *          (the egress stream is then out of step: drop the connection).
 * In:  body, len. Out: out  len rounded up to 16, + 48 bytes appended. */
int rlpx_frame_write_body(struct rlpx_frame_codec *c, const uint8_t *body, size_t len,
                          struct bytes *out);

/* Appends the frame of one message: body = rlp(code) ‖ payload (payload is
 * sent as is; the eth and base protocols put an RLP list there).
 * Returns and out as rlpx_frame_write_body (ERR_RANGE when the body would
 * exceed RLPX_FRAME_SIZE_MAX).
 * In:  code  message code; payload, len (payload may be NULL if len == 0). */
int rlpx_frame_write(struct rlpx_frame_codec *c, uint64_t code, const uint8_t *payload,
                     size_t len, struct bytes *out);

/* Checks and decrypts a frame header.
 * Returns: 0, ERR_CRYPTO (header-mac mismatch), ERR_RANGE (frame-size above
 *          the codec's max_frame), ERR_BADSTATE (a body was due, or an
 *          earlier read failed). Any error is terminal for the codec.
 * In:  in  RLPX_FRAME_HEADER_LEN bytes from the wire.
 * Out: *body_len  bytes to pass to rlpx_frame_read_body next. */
int rlpx_frame_read_header(struct rlpx_frame_codec *c, const uint8_t in[RLPX_FRAME_HEADER_LEN],
                           size_t *body_len);

/* Checks and decrypts the body announced by the last header, in place.
 * Returns: 0, ERR_CRYPTO (frame-mac mismatch), ERR_INVAL (len is not the
 *          announced *body_len), ERR_BADSTATE (no header read, or an earlier
 *          read failed). Any error is terminal.
 * In/Out: in, len  the body bytes from the wire; decrypted in place.
 * Out: *frame, *frame_len  the frame without padding (points into in). */
int rlpx_frame_read_body(struct rlpx_frame_codec *c, uint8_t *in, size_t len,
                         const uint8_t **frame, size_t *frame_len);

/* Splits a frame into message code and payload (a pure function).
 * Returns: 0, ERR_DECODE (empty frame, or the code is not a canonical RLP
 *          integer) or ERR_RANGE (the code does not fit 64 bits).
 * Out: *code; *payload, *payload_len  point into frame (may be empty). */
int rlpx_frame_split(const uint8_t *frame, size_t len, uint64_t *code, const uint8_t **payload,
                     size_t *payload_len);

#endif
