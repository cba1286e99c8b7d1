/*
 * rlpx_handshake.h — the RLPx key-establishment handshake as a state
 * machine over byte buffers (no sockets, no clock).
 *
 * The initiator knows the recipient's static public key (its node id). It
 * sends auth, the recipient answers ack, and each side derives the session
 * secrets (devp2p rlpx.md "Initial Handshake", EIP-8):
 *
 *   auth  = ECIES to the recipient of [sig, initiator-pubk, initiator-nonce,
 *           version, ...] where sig signs (ECDH(static keys) ^ initiator-
 *           nonce) with the initiator's ephemeral key, so the recipient
 *           recovers that ephemeral public key from it
 *   ack   = ECIES to the initiator of [recipient-ephemeral-pubk,
 *           recipient-nonce, version, ...]
 *
 * Two wire formats exist. EIP-8 (which we write): a 2-byte big-endian size
 * prefix, then the ECIES message with the prefix as shared-mac-data; the
 * plaintext is an RLP list, read leniently (extra list elements, any
 * version and trailing padding are accepted). Pre-EIP-8 ("legacy", which we
 * read): fixed plaintexts of 194 (auth) and 97 (ack) bytes, so 307- and
 * 210-byte packets without prefix. The recipient answers in the format the
 * auth came in, as geth does. A packet whose first byte is 0x04 (every
 * legacy packet: the ECIES envelope starts so) is first tried as legacy;
 * otherwise, or when that fails to decrypt, it is EIP-8 — an EIP-8 packet
 * starting with 0x04 would declare ≥ 1024 bytes, more than a legacy one.
 *
 * Ownership: struct rlpx_handshake is caller-allocated; rlpx_handshake_clear
 * frees what it holds and wipes its keys. One thread at a time per object.
 */
#ifndef SPECTRUM_NET_RLPX_HANDSHAKE_H
#define SPECTRUM_NET_RLPX_HANDSHAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/keccak.h"
#include "util/bytes.h"

#define RLPX_AUTH_LEGACY_LEN 307   /* 194-byte plaintext + ECIES_OVERHEAD */
#define RLPX_ACK_LEGACY_LEN 210    /* 97-byte plaintext + ECIES_OVERHEAD */
/* Largest EIP-8 packet accepted after its 2-byte prefix (geth's limit;
 * real packets are 300-600 bytes). */
#define RLPX_HANDSHAKE_MAX 2048
/* The handshake version we write (auth-vsn, ack-vsn). */
#define RLPX_HANDSHAKE_VERSION 4

/* The secrets a completed handshake yields, from one side's point of view.
 * egress_mac / ingress_mac are running Keccak-256 states (absorbed, not
 * finalised): the frame layer keeps updating them. */
struct rlpx_secrets {
    uint8_t aes[32];                 /* aes-secret: AES-256-CTR key of frames */
    uint8_t mac[32];                 /* mac-secret: AES-256 key of the MACs */
    struct keccak_ctx egress_mac;    /* MAC state of bytes we send */
    struct keccak_ctx ingress_mac;   /* MAC state of bytes we receive */
};

/* Derives the session secrets (rlpx.md "Secrets"):
 *   ephemeral-key = ECDH(eph_sk, remote_eph_pub)
 *   shared-secret = keccak256(ephemeral-key ‖ keccak256(resp_nonce ‖ init_nonce))
 *   aes-secret    = keccak256(ephemeral-key ‖ shared-secret)
 *   mac-secret    = keccak256(ephemeral-key ‖ aes-secret)
 *   the initiator's egress-mac = keccak256 state of
 *       (mac-secret ^ resp_nonce) ‖ auth, its ingress-mac of
 *       (mac-secret ^ init_nonce) ‖ ack; the recipient's the other way round.
 * auth and ack are the packets exactly as on the wire (with the EIP-8 size
 * prefix when there is one).
 * Returns: 0, or ERR_CRYPTO (eph_sk invalid or remote_eph_pub not a curve
 *          point; *out is then wiped).
 * In:  initiator  which side we are; eph_sk  our ephemeral secret key;
 *      remote_eph_pub  the other side's ephemeral public key (64 bytes);
 *      init_nonce, resp_nonce  32 bytes each; auth/auth_len, ack/ack_len.
 * Out: out  the secrets; the caller wipes them (OPENSSL_cleanse) after use. */
int rlpx_secrets_derive(bool initiator, const uint8_t eph_sk[32], const uint8_t remote_eph_pub[64],
                        const uint8_t init_nonce[32], const uint8_t resp_nonce[32],
                        const uint8_t *auth, size_t auth_len, const uint8_t *ack, size_t ack_len,
                        struct rlpx_secrets *out);

enum rlpx_hs_state {
    RLPX_HS_WAIT_AUTH = 1,  /* recipient: waiting for the auth packet */
    RLPX_HS_WAIT_ACK,       /* initiator: auth written, waiting for ack */
    RLPX_HS_DONE,           /* secrets derived */
    RLPX_HS_FAILED,         /* terminal error */
};

/* One side of one handshake. The fields marked "result" are valid once
 * state == RLPX_HS_DONE and may be read by the caller; the others are
 * private to rlpx_handshake.c. */
struct rlpx_handshake {
    enum rlpx_hs_state state;
    bool initiator;
    /* results */
    bool remote_eip8;              /* the remote's packet was EIP-8 */
    uint64_t remote_version;       /* its auth-vsn / ack-vsn (4 for legacy) */
    uint8_t remote_pub[64];        /* its static key = node id (initiator:
                                      from init; recipient: from auth) */
    uint8_t remote_eph_pub[64];    /* its ephemeral public key */
    uint8_t remote_nonce[32];
    struct rlpx_secrets secrets;
    /* private */
    bool legacy_tried;             /* legacy decryption of the packet failed */
    uint8_t sk[32];                /* our static secret key */
    uint8_t eph_sk[32];            /* our ephemeral secret key */
    uint8_t nonce[32];             /* our nonce */
    struct bytes auth;             /* auth packet as on the wire */
    struct bytes ack;              /* ack packet as on the wire */
};

/* Starts a handshake as initiator and appends the EIP-8 auth packet to out,
 * drawing the ephemeral key, the nonce, the ECIES randomness and the
 * padding length (100-299 bytes) from OpenSSL's CSPRNG.
 * Returns: 0; ERR_CRYPTO (sk invalid, remote_pub not a curve point, CSPRNG
 *          failure); ERR_NOMEM. On error hs is FAILED (still clear it).
 * In:  sk  our static secret key (copied); remote_pub  the recipient's
 *      node id (64 bytes).
 * Out: hs  initialised, state RLPX_HS_WAIT_ACK; out  auth appended. */
int rlpx_handshake_initiator(struct rlpx_handshake *hs, const uint8_t sk[32],
                             const uint8_t remote_pub[64], struct bytes *out);

/* rlpx_handshake_initiator with a given ephemeral key and nonce: for tests
 * with published vectors. Never use fixed values on a real connection. */
int rlpx_handshake_initiator_with(struct rlpx_handshake *hs, const uint8_t sk[32],
                                  const uint8_t remote_pub[64], const uint8_t eph_sk[32],
                                  const uint8_t nonce[32], struct bytes *out);

/* Starts a handshake as recipient (random ephemeral key and nonce).
 * Returns: 0, or ERR_CRYPTO (sk invalid or CSPRNG failure; hs is FAILED).
 * In:  sk  our static secret key (copied). Out: hs  state RLPX_HS_WAIT_AUTH. */
int rlpx_handshake_recipient(struct rlpx_handshake *hs, const uint8_t sk[32]);

/* rlpx_handshake_recipient with a given ephemeral key and nonce (tests). */
int rlpx_handshake_recipient_with(struct rlpx_handshake *hs, const uint8_t sk[32],
                                  const uint8_t eph_sk[32], const uint8_t nonce[32]);

/* Reads the remote's packet (auth for a recipient, ack for an initiator).
 * `in` holds the bytes received so far, starting at the packet's first
 * byte; call again with more bytes while the packet is incomplete. Bytes
 * after the packet (the frames that follow) may be included: *consumed
 * says where the packet ended. *need never exceeds 2 + RLPX_HANDSHAKE_MAX,
 * so a caller that buffers only up to *need is bounded by that.
 * Returns: 0 with *consumed == 0 and *need > len: incomplete, wait for
 *            *need bytes in total;
 *          0 with *consumed == packet length (*need == 0): done, state
 *            RLPX_HS_DONE, the results and secrets are set, and a recipient
 *            has appended its ack to out;
 *          negative, state RLPX_HS_FAILED (terminal): ERR_RANGE (EIP-8 size
 *            prefix over RLPX_HANDSHAKE_MAX), ERR_DECODE (too short for
 *            ECIES, plaintext not the expected layout / RLP), ERR_CRYPTO
 *            (not encrypted to our key or tampered with, signature or keys
 *            invalid), ERR_NOMEM, ERR_BADSTATE (not waiting for a packet).
 *          The error context says which.
 * In:  in, len  received bytes (in may be NULL when len == 0).
 * Out: consumed, need  as above; out  the ack (recipient only). */
int rlpx_handshake_read(struct rlpx_handshake *hs, const uint8_t *in, size_t len,
                        size_t *consumed, size_t *need, struct bytes *out);

/* Frees the packets and wipes every key, nonce and secret in hs (safe on a
 * zeroed struct and twice). */
void rlpx_handshake_clear(struct rlpx_handshake *hs);

#endif
