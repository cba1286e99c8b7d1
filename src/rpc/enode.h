/*
 * enode.h — devp2p node URLs, as admin_nodeInfo writes them and
 * admin_addPeer reads them:
 *
 *     enode://<128 hex digits: the node's public key X ‖ Y>@<ip>:<tcp port>[?discport=<udp port>]
 *
 * (geth's form: IPv6 in brackets; the discport query only when the UDP port
 * differs from the TCP port). The id admin_nodeInfo shows beside it is
 * keccak256 of the public key, as geth 1.9+ does.
 *
 * Why here and pure: the RPC methods need the format before the p2p module
 * exists; the parser is the one outside input of admin_addPeer, so it takes
 * any bytes and never reads past them, and the unit tests cover it. The p2p
 * module may move it under net/ when it lands.
 *
 * Safe from any thread.
 */
#ifndef SPECTRUM_RPC_ENODE_H
#define SPECTRUM_RPC_ENODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "enode://" + 128 + "@[" + 39 (IPv6) + "]:65535?discport=65535" + NUL, rounded up. */
#define RPC_ENODE_URL_MAX 256
/* Longest URL rpc_enode_parse looks at. */
#define RPC_ENODE_INPUT_MAX 1024
/* An IPv6 address in text ("ffff:...:255.255.255.255") + NUL. */
#define RPC_ENODE_IP_MAX 46

struct rpc_enode {
    uint8_t pub[64];                /* X ‖ Y, a point of secp256k1 */
    char ip[RPC_ENODE_IP_MAX];      /* the address as written (no brackets) */
    bool ipv6;
    uint16_t tcp_port;
    uint16_t udp_port;              /* = tcp_port without a discport */
};

/* Writes the URL of the node with public key pub at ip (an IPv4 or IPv6
 * literal; IPv6 is put in brackets) and the ports. Returns 0 or ERR_INVAL
 * (ip is not an address literal). */
int rpc_enode_format(const uint8_t pub[64], const char *ip, uint16_t tcp_port, uint16_t udp_port,
                     char out[RPC_ENODE_URL_MAX]);

/* The node id: the hex of keccak256(pub), 64 digits + NUL. */
void rpc_enode_id(const uint8_t pub[64], char out[65]);

/*
 * Parses an enode URL of len bytes (any content). Returns 0, or ERR_INVAL
 * with geth's reason in the error context: "invalid URL scheme, want
 * \"enode\"", "does not contain node ID", "invalid public key (...)",
 * "invalid IP address", "invalid port", "invalid discport in query".
 * Out: *out (written fully only on success).
 */
int rpc_enode_parse(const char *url, size_t len, struct rpc_enode *out);

/* True when pub (X ‖ Y) is a point of secp256k1 (y² = x³ + 7 mod p, x and
 * y below p). */
bool rpc_secp256k1_on_curve(const uint8_t pub[64]);

#endif
