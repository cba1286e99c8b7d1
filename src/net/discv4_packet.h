/*
 * discv4_packet.h — the packets of node discovery v4 (devp2p discv4.md),
 * encoded and decoded as pure functions over byte buffers.
 *
 *     packet    = hash(32) ‖ signature(65) ‖ type(1) ‖ rlp(data)
 *     hash      = keccak256(signature ‖ type ‖ data)
 *     signature = secp256k1 recoverable signature of keccak256(type ‖ data)
 *
 * The sender's node id is the public key recovered from the signature.
 *
 * Spectrum shifted the packet types "to reject other eth nodes": ping,
 * pong, findnode and neighbors are 0x0a..0x0d there, 0x01..0x04 on stock
 * Ethereum (spec §12). So the type base is a parameter of every function:
 * the node passes DISCV4_BASE_SPECTRUM, the unit tests pass DISCV4_BASE_ETH
 * to check the decoder on EIP-8's published packets. A type outside
 * [base, base+3] is "unknown" (ERR_UNSUPPORTED), which the service drops
 * silently as EIP-8 asks.
 *
 * Decoding follows EIP-8: the ping version is not checked, extra list
 * elements at the end of any list are ignored, and so is anything after
 * the first RLP value. Packets over DISCV4_MAX_PACKET bytes are refused.
 * Expiration is decoded but not judged here: discv4_expired() tells the
 * caller, which knows the time.
 *
 * Nothing allocates; decoded packets are plain values. Every function is
 * safe from any thread on distinct buffers (signing uses crypto/ecdsa.h's
 * shared context).
 */
#ifndef SPECTRUM_NET_DISCV4_PACKET_H
#define SPECTRUM_NET_DISCV4_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/enode.h"

/* Largest discovery packet, in bytes (discv4.md). */
#define DISCV4_MAX_PACKET 1280
/* hash + signature + type */
#define DISCV4_HEAD_LEN 98
/* The protocol version written in pings. */
#define DISCV4_VERSION 4
/* Type of ping on stock Ethereum / on Spectrum (pong, findnode, neighbors
 * follow it). */
#define DISCV4_BASE_ETH 0x01
#define DISCV4_BASE_SPECTRUM 0x0a
/* Neighbors entries per packet the encoder writes: with 16-byte IPs and
 * maximal ports and expiration, 12 entries keep a packet under 1280 bytes
 * (geth computes the same number). */
#define DISCV4_NEIGHBORS_PER_PACKET 12
/* Most neighbors entries the decoder keeps from one packet (a 1280-byte
 * packet cannot hold more than 17 well-formed ones). */
#define DISCV4_MAX_NEIGHBORS 20

enum discv4_kind {
    DISCV4_PING = 0,
    DISCV4_PONG = 1,
    DISCV4_FINDNODE = 2,
    DISCV4_NEIGHBORS = 3,
};

struct discv4_ping {
    uint64_t version;
    struct enode_endpoint from;     /* ip_len may be 0: senders may leave it empty */
    struct enode_endpoint to;
};

struct discv4_pong {
    struct enode_endpoint to;       /* our address as the pinged node saw it */
    uint8_t ping_hash[32];          /* hash of the ping this answers */
};

struct discv4_findnode {
    uint8_t target[64];             /* a node id, not necessarily a real key */
};

struct discv4_neighbors {
    struct enode nodes[DISCV4_MAX_NEIGHBORS];
    size_t count;
    size_t skipped;                 /* entries dropped: bad IP length or port 0 */
};

/* A decoded packet. For encoding, only kind, expiration and the body of
 * that kind are read. */
struct discv4_packet {
    enum discv4_kind kind;
    uint8_t hash[32];               /* the packet's hash (decoded) */
    uint8_t sender[64];             /* recovered node id (decoded) */
    uint64_t expiration;            /* Unix seconds */
    union {
        struct discv4_ping ping;
        struct discv4_pong pong;
        struct discv4_findnode findnode;
        struct discv4_neighbors neighbors;
    } u;
};

/*
 * Decodes and authenticates a packet.
 * Returns: 0;
 *          ERR_RANGE       len < 98 or over DISCV4_MAX_PACKET;
 *          ERR_CRYPTO      hash mismatch or a signature no key recovers from;
 *          ERR_UNSUPPORTED type outside [type_base, type_base + 3];
 *          ERR_DECODE      the data is not the packet's RLP shape (ports over
 *                          16 bits, IPs of a length other than 4 or 16, a
 *                          pong hash or findnode target of the wrong size,
 *                          too many neighbors, ...).
 *          The context says why. Neighbors entries with a bad IP or port 0
 *          are skipped (counted in `skipped`), not fatal, as in geth.
 * In:  pkt[0..len) (any bytes), type_base (DISCV4_BASE_SPECTRUM on the
 *      node).
 * Out: *out, complete only on success. IPv4-mapped IPv6 addresses are
 *      folded to 4 bytes.
 */
int discv4_decode(const uint8_t *pkt, size_t len, uint8_t type_base, struct discv4_packet *out);

/* True when the packet's expiration (Unix seconds) is before now. */
bool discv4_expired(const struct discv4_packet *p, uint64_t now);

/*
 * Encodes, signs and hashes p (kind, expiration and body) with secret key
 * sk. Neighbors must have count <= DISCV4_NEIGHBORS_PER_PACKET (use
 * discv4_encode_neighbors for more).
 * Returns: 0; ERR_INVAL (an endpoint whose ip_len is not 0, 4 or 16 — 0 is
 *          written as an empty string — or too many neighbors); ERR_CRYPTO
 *          (bad secret key); ERR_RANGE (result over DISCV4_MAX_PACKET, which
 *          the limits above rule out).
 * Out: out[0..*len), hash (may be NULL) the packet hash, which a pong
 *      quotes when p is a ping.
 */
int discv4_encode(const uint8_t sk[32], uint8_t type_base, const struct discv4_packet *p,
                  uint8_t out[DISCV4_MAX_PACKET], size_t *len, uint8_t hash[32]);

/* One encoded packet. */
struct discv4_buf {
    uint8_t data[DISCV4_MAX_PACKET];
    size_t len;
};

/* Encodes nodes[0..n) as neighbors packets of at most
 * DISCV4_NEIGHBORS_PER_PACKET entries each (no packet for n == 0).
 * Returns: 0, ERR_RANGE when more than max_out packets would be needed
 *          (nothing useful is written then), or as discv4_encode.
 * Out: out[0..*count). */
int discv4_encode_neighbors(const uint8_t sk[32], uint8_t type_base, const struct enode *nodes,
                            size_t n, uint64_t expiration, struct discv4_buf *out,
                            size_t max_out, size_t *count);

#endif
