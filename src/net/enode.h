/*
 * enode.h — a devp2p node: its id (the secp256k1 public key) and where to
 * reach it, and the enode URL that writes both down:
 *
 *     enode://<128 hex digits: X ‖ Y>@<IPv4 | [IPv6]>:<tcp port>[?discport=<udp port>]
 *
 * Why a binary struct: discovery packets, the Kademlia table and the dialer
 * all carry nodes as (id, ip bytes, ports), so that is the one shape; the
 * URL is only the text form for bootnodes, -addnode and admin RPCs. IPv4 is
 * always held as 4 bytes (an IPv4-mapped IPv6 address is folded to them),
 * IPv6 as 16, as geth does, so two spellings of one address compare equal.
 *
 * The parser takes outside text (config files, RPC): it never reads past the
 * given length and refuses anything but the form above, with the reason in
 * the error context. Host names are refused (no DNS on anyone's behalf).
 * All functions are pure and safe from any thread.
 */
#ifndef SPECTRUM_NET_ENODE_H
#define SPECTRUM_NET_ENODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "enode://" + 128 + "@[" + 45 + "]:65535?discport=65535" + NUL, rounded up. */
#define ENODE_URL_MAX 256
/* Longest URL enode_parse looks at. */
#define ENODE_INPUT_MAX 1024

/* Where a node listens. ip_len is 4 (IPv4) or 16 (IPv6); 0 means "not
 * known" (allowed only where a discovery packet leaves it empty). */
struct enode_endpoint {
    uint8_t ip[16];
    uint8_t ip_len;
    uint16_t udp_port;      /* discovery */
    uint16_t tcp_port;      /* RLPx */
};

struct enode {
    uint8_t id[64];                 /* public key X ‖ Y (no 0x04 prefix) */
    struct enode_endpoint ep;
};

/* Parses an enode URL of len bytes (any content, not NUL-terminated).
 * Returns: 0, or ERR_INVAL with the reason in the context: "invalid URL
 *          scheme, want \"enode\"", "does not contain node ID", "invalid
 *          node ID" (not 128 hex digits), "invalid public key" (not a point
 *          of secp256k1), "invalid IP address", "invalid port", "invalid
 *          discport in query", "unexpected ..." for trailing text; ERR_RANGE
 *          when len is over ENODE_INPUT_MAX.
 * Out: *out, written fully only on success; udp_port = tcp_port without a
 *      discport. Port 0 is refused for both. */
int enode_parse(const char *url, size_t len, struct enode *out);

/* Writes the URL of n (NUL-terminated) into out, with "?discport=" only when
 * the UDP port differs from the TCP port.
 * Returns: 0, or ERR_INVAL when n->ep.ip_len is neither 4 nor 16. */
int enode_format(const struct enode *n, char out[ENODE_URL_MAX]);

/* Sets ep's address from an IPv4 or IPv6 literal (NUL-terminated text;
 * IPv4-mapped IPv6 is folded to 4 bytes). Ports are left alone.
 * Returns: 0 or ERR_INVAL. */
int enode_set_ip(struct enode_endpoint *ep, const char *text);

/* Writes the address of ep as text ("1.2.3.4", "2001:db8::1", "" when
 * ip_len is 0) into out (at least 46 bytes). */
void enode_ip_text(const struct enode_endpoint *ep, char out[46]);

/* True when the two endpoints have the same IP (ports are not compared). */
bool enode_same_ip(const struct enode_endpoint *a, const struct enode_endpoint *b);

/* True when ep's IP is a loopback address (127/8 or ::1). */
bool enode_ip_is_loopback(const struct enode_endpoint *ep);

/* True when id (X ‖ Y) is a point of secp256k1. */
bool enode_id_valid(const uint8_t id[64]);

/* Folds a 16-byte IPv4-mapped address (::ffff:a.b.c.d) in ep to 4 bytes;
 * leaves anything else as it is. */
void enode_ip_normalize(struct enode_endpoint *ep);

#endif
