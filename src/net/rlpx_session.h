/*
 * rlpx_session.h — one RLPx connection's transport state, without I/O.
 *
 * The caller owns the socket. It feeds whatever bytes arrived to
 * rlpx_session_feed, which assembles the remote's handshake packet and then
 * its frames, and reports what they amount to as events: the handshake is
 * done (with the remote's node id), a message arrived (code and payload),
 * or the connection is broken (error with a reason). Bytes to send — our
 * auth or ack, and the frames rlpx_session_send makes — collect in an
 * output buffer the caller drains (rlpx_session_output / _drain) whenever
 * the socket is writable.
 *
 * A feed stops right after the bytes that completed an event, so each
 * event can be handled before the next is decoded (a message payload
 * points into the session and stays valid until the next feed):
 *
 *     while (len > 0) {
 *         size_t used;
 *         struct rlpx_event ev;
 *         int rc = rlpx_session_feed(s, p, len, &used, &ev);
 *         p += used; len -= used;
 *         if (rc) { log(ev.reason); close; break; }
 *         if (ev.type == RLPX_EVENT_HANDSHAKE) ...
 *         else if (ev.type == RLPX_EVENT_MESSAGE) ...
 *     }
 *
 * Everything read is bounded: a handshake packet by RLPX_HANDSHAKE_MAX, a
 * frame by the session's frame-size limit (default RLPX_SESSION_MAX_FRAME,
 * the largest 3-byte size). A malformed or unauthentic handshake packet,
 * any MAC failure, an oversized frame or a frame without a valid message
 * code is a terminal error: the session refuses every later call but
 * rlpx_session_output/_drain/_free. Message payloads are passed as they
 * are: snappy (base protocol v5) belongs to the peer layer above.
 *
 * Ownership: struct rlpx_session is caller-allocated and released with
 * rlpx_session_free, which wipes its keys. One thread at a time.
 */
#ifndef SPECTRUM_NET_RLPX_SESSION_H
#define SPECTRUM_NET_RLPX_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/rlpx_frame.h"
#include "net/rlpx_handshake.h"
#include "util/bytes.h"

/* Default limit on the frame-size of an incoming frame: 16 MiB - 1. */
#define RLPX_SESSION_MAX_FRAME RLPX_FRAME_SIZE_MAX

enum rlpx_event_type {
    RLPX_EVENT_NONE = 0,    /* all input consumed, nothing complete yet */
    RLPX_EVENT_HANDSHAKE,   /* secrets established; sending is allowed */
    RLPX_EVENT_MESSAGE,     /* one message arrived */
    RLPX_EVENT_ERROR,       /* terminal failure; feed returned the code */
};

struct rlpx_event {
    enum rlpx_event_type type;
    const uint8_t *remote_id;   /* HANDSHAKE: the remote's 64-byte node id
                                   (valid while the session lives) */
    uint64_t code;              /* MESSAGE: message code */
    const uint8_t *payload;     /* MESSAGE: payload (valid until the next
                                   feed or free; NULL when empty) */
    size_t payload_len;
    int error;                  /* ERROR: negative ERR_* code */
    const char *reason;         /* ERROR: why (valid while the session lives) */
};

enum rlpx_session_phase {
    RLPX_SESSION_HANDSHAKE = 1,
    RLPX_SESSION_OPEN,
    RLPX_SESSION_FAILED,
};

/* Private fields; use the functions below. */
struct rlpx_session {
    enum rlpx_session_phase phase;
    size_t max_frame;
    uint8_t remote_id[64];
    struct rlpx_handshake hs;
    struct rlpx_frame_codec fc;
    struct bytes in;            /* the handshake packet or frame part being assembled */
    size_t need;                /* in is complete at this length */
    bool in_body;               /* frames: header read, in collects the body */
    bool delivered;             /* in holds a payload handed out: reset it next feed */
    struct bytes out;           /* bytes to send */
    size_t out_pos;             /* of which already drained */
    int error;
    char reason[200];
};

/* Starts an outgoing connection to the node whose id is remote_pub: the
 * EIP-8 auth packet is put in the output at once.
 * Returns: 0; ERR_CRYPTO (invalid key, remote_pub not a curve point, CSPRNG
 *          failure) or ERR_NOMEM, with the session FAILED.
 * In:  sk  our node key (copied); remote_pub  64 bytes.
 * Out: s  initialised; release with rlpx_session_free even on error. */
int rlpx_session_init_initiator(struct rlpx_session *s, const uint8_t sk[32],
                                const uint8_t remote_pub[64]);

/* Starts an incoming connection: waits for the remote's auth.
 * Returns: 0, or ERR_CRYPTO (invalid key or CSPRNG failure; FAILED).
 * In:  sk  our node key (copied). Out: s  as above. */
int rlpx_session_init_recipient(struct rlpx_session *s, const uint8_t sk[32]);

/* Starts a session directly in the open phase from given secrets, with no
 * handshake: for tests, fuzzing and benchmarks of the frame path.
 * Returns: 0, ERR_NOMEM or ERR_CRYPTO (FAILED).
 * In:  sec  secrets (copied); remote_id  64 bytes reported as node id. */
int rlpx_session_init_open(struct rlpx_session *s, const struct rlpx_secrets *sec,
                           const uint8_t remote_id[64]);

/* Sets the largest frame-size accepted from the peer (from the next frame
 * header on).
 * Returns: 0, or ERR_RANGE when max is 0 or above RLPX_FRAME_SIZE_MAX
 *          (the limit is then unchanged). */
int rlpx_session_set_max_frame(struct rlpx_session *s, size_t max);

/* Consumes received bytes up to and including the first completed event.
 * Returns: 0 — *ev is NONE (and *consumed == len) or HANDSHAKE or MESSAGE
 *            (and *consumed ≤ len: feed the rest afterwards);
 *          negative — *ev is ERROR with the same code and a reason (also
 *            in the error context), the session is FAILED: ERR_RANGE,
 *            ERR_DECODE, ERR_CRYPTO (see rlpx_handshake_read,
 *            rlpx_frame_read_header/_body, rlpx_frame_split), ERR_NOMEM,
 *            or ERR_BADSTATE when the session had already failed.
 * In:  in, len  received bytes (in may be NULL when len == 0).
 * Out: *consumed  bytes taken from in; *ev  the event. */
int rlpx_session_feed(struct rlpx_session *s, const uint8_t *in, size_t len, size_t *consumed,
                      struct rlpx_event *ev);

/* Frames one message (body rlp(code) ‖ payload) into the output.
 * Returns: 0; ERR_BADSTATE (handshake not done, or FAILED); ERR_RANGE (the
 *          frame would exceed RLPX_FRAME_SIZE_MAX) or ERR_NOMEM, both
 *          leaving the session usable; ERR_CRYPTO (OpenSSL failed: FAILED).
 * In:  code; payload, len  (payload may be NULL when len == 0). */
int rlpx_session_send(struct rlpx_session *s, uint64_t code, const uint8_t *payload, size_t len);

/* The bytes waiting to be sent: returns a pointer to them (NULL when none)
 * and their count in *len. Valid until the next call on s other than
 * rlpx_session_output. The output grows with every send: the caller bounds
 * what it queues. */
const uint8_t *rlpx_session_output(const struct rlpx_session *s, size_t *len);

/* Marks the first n waiting bytes as sent (n larger than what waits is
 * taken as all of it). */
void rlpx_session_drain(struct rlpx_session *s, size_t n);

/* The remote's node id once the handshake is done, else NULL. */
const uint8_t *rlpx_session_remote_id(const struct rlpx_session *s);

/* Releases everything and wipes keys and buffers (safe on a zeroed struct
 * and twice). */
void rlpx_session_free(struct rlpx_session *s);

#endif
