/*
 * p2p_msg.h — the devp2p base protocol (version 5) messages, as pure
 * functions over byte buffers: Hello, Disconnect, Ping and Pong, the
 * disconnect reason names, and capability negotiation.
 *
 * Why it is shaped this way: the base protocol is the first thing a remote
 * peer sends after the RLPx handshake, so every byte here is outside input.
 * The decoders work on one message payload (the RLP after the message code,
 * already decompressed) and know nothing of sockets or frames (net/rlpx.h
 * carries them). Base messages are small: their payloads are capped at
 * P2P_MAX_MSG_SIZE (geth's baseProtocolMaxMsgSize), and a decoded Hello
 * lives in fixed-size fields, so decoding never allocates.
 *
 * Message codes: 0x00..0x0f belong to the base protocol (0x00..0x03 are
 * used); the capabilities both sides share get consecutive code ranges from
 * 0x10 in the order of their names. spectrumd shares only `eth`, so eth's
 * message 0 is wire code 0x10 (P2P_CAP_OFFSET).
 *
 * Tolerance follows geth where peers differ: Hello may carry more than five
 * fields (EIP-8: the extra ones are ignored); Disconnect may be [reason], a
 * bare reason, or [] (reason 0); Ping and Pong payloads are not looked at.
 *
 * Threads: every function is safe from any thread on distinct values.
 */
#ifndef SPECTRUM_NET_P2P_MSG_H
#define SPECTRUM_NET_P2P_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/bytes.h"

/* The base protocol version we speak and announce (v5: snappy, EIP-706). */
#define P2P_VERSION 5
/* Largest base protocol message payload accepted (geth: 2 KiB). */
#define P2P_MAX_MSG_SIZE 2048
/* Wire code of the first capability's message 0 (eth's Status). */
#define P2P_CAP_OFFSET 0x10

/* Bounds of a decoded Hello. A Hello is at most P2P_MAX_MSG_SIZE bytes
 * anyway; these only keep its fields fixed-size. Real clients announce a
 * handful of 3- or 4-letter capabilities and a client id under 100 bytes. */
#define P2P_MAX_CAPS 32
#define P2P_CAP_NAME_MAX 32
#define P2P_CLIENT_ID_MAX 255
#define P2P_NODE_ID_LEN 64

enum p2p_code {
    P2P_HELLO = 0x00,
    P2P_DISCONNECT = 0x01,
    P2P_PING = 0x02,
    P2P_PONG = 0x03,
};

/* Disconnect reasons (devp2p rlpx.md). 0x0c..0x0f are unassigned. */
enum p2p_disc_reason {
    P2P_DISC_REQUESTED = 0x00,
    P2P_DISC_NETWORK_ERROR = 0x01,
    P2P_DISC_PROTOCOL_ERROR = 0x02,
    P2P_DISC_USELESS_PEER = 0x03,
    P2P_DISC_TOO_MANY_PEERS = 0x04,
    P2P_DISC_ALREADY_CONNECTED = 0x05,
    P2P_DISC_INCOMPATIBLE_VERSION = 0x06,
    P2P_DISC_INVALID_IDENTITY = 0x07,
    P2P_DISC_QUITTING = 0x08,
    P2P_DISC_UNEXPECTED_IDENTITY = 0x09,
    P2P_DISC_SELF = 0x0a,
    P2P_DISC_TIMEOUT = 0x0b,
    P2P_DISC_SUBPROTOCOL_ERROR = 0x10,
};

/* One capability: a name ("eth") and a version (63). */
struct p2p_cap {
    char name[P2P_CAP_NAME_MAX + 1];    /* NUL-terminated; may hold any byte but NUL */
    uint64_t version;
};

struct p2p_hello {
    uint64_t version;                   /* base protocol version (5) */
    char client_id[P2P_CLIENT_ID_MAX + 1]; /* NUL-terminated copy; may hold */
    size_t client_id_len;               /* non-printable bytes: sanitize before logging */
    struct p2p_cap caps[P2P_MAX_CAPS];
    size_t cap_count;
    uint64_t listen_port;               /* 0: not listening */
    uint8_t node_id[P2P_NODE_ID_LEN];   /* the secp256k1 public key, no 0x04 prefix */
};

/*
 * Appends the Hello payload [version, clientId, [[name, version]...],
 * listenPort, nodeId].
 * Returns: 0, ERR_INVAL (client_id_len or cap_count above the bounds, a cap
 * name longer than P2P_CAP_NAME_MAX), ERR_NOMEM.
 * In: h. Out: out (appended to).
 */
int p2p_hello_encode(const struct p2p_hello *h, struct bytes *out);

/*
 * Decodes a Hello payload. Fields after the fifth are ignored (EIP-8), but
 * must be well-formed RLP items; each capability must be exactly
 * [name, version].
 * Returns: 0; ERR_RANGE (payload above P2P_MAX_MSG_SIZE, more than
 * P2P_MAX_CAPS capabilities, a client id or cap name above its bound, an
 * integer above 2^64-1); ERR_DECODE (not a list of at least five items, a
 * field of the wrong kind, a node id that is not 64 bytes, non-canonical
 * RLP). The context names the field.
 * In: in, len  the payload (not kept). Out: h (written in full on success).
 * Checking the node id against the RLPx handshake's key is the caller's job.
 */
int p2p_hello_decode(const uint8_t *in, size_t len, struct p2p_hello *h);

/* Appends the Disconnect payload [reason]. Returns 0 or ERR_NOMEM. */
int p2p_disconnect_encode(uint8_t reason, struct bytes *out);

/*
 * Decodes a Disconnect payload: [reason] (extra items ignored), a bare
 * reason, or [] (reason 0, as geth reads it). A reason is an RLP integer or
 * a single byte (0x00 included: some clients send the reason as a byte).
 * Returns: 0; ERR_RANGE (payload above P2P_MAX_MSG_SIZE, a reason of more
 * than one byte); ERR_DECODE (not RLP, a list as the reason). The caller
 * closes the connection either way.
 * Out: *reason (written on success).
 */
int p2p_disconnect_decode(const uint8_t *in, size_t len, uint8_t *reason);

/* A static, human-readable name for a reason, for logs ("too many peers");
 * "unknown reason" for unassigned values. */
const char *p2p_disconnect_reason_name(unsigned reason);

/* Appends the Ping / Pong payload (the empty list). Returns 0 or ERR_NOMEM. */
int p2p_ping_encode(struct bytes *out);
int p2p_pong_encode(struct bytes *out);

/* Checks a Ping or Pong payload: its content is ignored (as geth does); only
 * the size is bounded. Returns 0 or ERR_RANGE (above P2P_MAX_MSG_SIZE). */
int p2p_ping_decode(const uint8_t *in, size_t len);

/*
 * Capability negotiation for one protocol: the highest version of `name`
 * that both `ours` and `theirs` list (duplicates and unknown names in
 * theirs are fine).
 * Returns: 0 with *version set; ERR_NOTFOUND when there is no common
 * version (disconnect with P2P_DISC_USELESS_PEER).
 * Args: ours, n_ours  our capabilities; theirs, n_theirs  the peer's (from
 * its Hello); name  the protocol, e.g. "eth".
 */
int p2p_cap_negotiate(const struct p2p_cap *ours, size_t n_ours, const struct p2p_cap *theirs,
                      size_t n_theirs, const char *name, uint64_t *version);

#endif
