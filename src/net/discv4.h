/*
 * discv4.h — the discovery v4 service: a UDP socket on the caller's libevent
 * loop that answers other nodes, keeps the Kademlia table filled and alive,
 * and hands the caller candidate nodes to dial.
 *
 * What it does, as geth's p2p/discover does (with Spectrum's packet types):
 *   - ping → pong, always (unless expired or over the rate limit);
 *   - bonding (endpoint proof): a node is answered findnode only after it
 *     answered one of our pings at the address it writes from, within the
 *     last 24 h; that stops findnode from being used to reflect traffic at
 *     a spoofed victim. A node that pings us and has no such proof is
 *     pinged back, and enters the table when it answers;
 *   - findnode → the (up to 16) table entries closest to the target, in
 *     neighbors packets of at most 12 entries;
 *   - iterative lookups (alpha = 3 queries in flight, k = 16 results): on
 *     start (seeded by the bootnodes when the table is empty), then every
 *     refresh interval (30 min) one for our own id and three for random
 *     targets. Before asking a node that has not pinged us in 24 h, the
 *     lookup pings it and waits for its ping back, so that our findnode is
 *     answered;
 *   - revalidation: every few seconds the least recently seen entry of a
 *     random bucket is pinged; no pong within 500 ms removes it and a
 *     replacement candidate takes its place. Nodes that fail 5 findnode
 *     queries in a row are removed too;
 *   - limits: packets over 1280 bytes are dropped unread; every source IP
 *     has a token bucket (and all of them together a global one) checked
 *     before any signature is recovered; bond records, pending replies and
 *     lookups live in fixed-size tables;
 *   - every node a lookup or bond discovers is reported through on_node.
 *
 * Passive mode (cfg.passive): no packet leaves except replies (pong to a
 * ping). No bootnodes are contacted, no lookup or revalidation runs, and
 * discv4_add_node only records the node. Nodes started by tests run this
 * way (or with loopback_only and loopback nodes), so a test never sends a
 * packet off the machine.
 *
 * Threading: every function, and every callback, runs on the thread that
 * runs the event_base. The service owns its socket and events; the caller
 * owns the event_base, which must outlive the service. A callback may call
 * the functions here, except discv4_stop.
 */
#ifndef SPECTRUM_NET_DISCV4_H
#define SPECTRUM_NET_DISCV4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/enode.h"

struct event_base;
struct discv4;

/* Called for each node discovered (it entered the table or a replacement
 * list, whether it proved itself or was named by a neighbors reply): a
 * candidate for the dialer, which should expect repeats. n is valid only
 * during the call. */
typedef void (*discv4_node_fn)(void *arg, const struct enode *n);

struct discv4_config {
    const uint8_t *secret_key;      /* 32 bytes, the node key (copied) */
    const char *bind_ip;            /* IPv4/IPv6 literal; NULL = "0.0.0.0" */
    uint16_t udp_port;              /* 0 = an ephemeral port (tests) */
    uint16_t tcp_port;              /* RLPx port advertised in pings */
    uint8_t type_base;              /* 0 = DISCV4_BASE_SPECTRUM */
    const struct enode *bootnodes;  /* copied; may be NULL */
    size_t nbootnodes;
    bool passive;                   /* replies only, see above */
    bool loopback_only;             /* never send to, or learn, a non-loopback address */
    discv4_node_fn on_node;         /* may be NULL */
    void *arg;
    uint32_t refresh_ms;            /* 0 = 30 minutes */
    uint32_t revalidate_ms;         /* 0 = 5 seconds */
};

/* Counters, for tests and logs. */
struct discv4_stats {
    uint64_t received;              /* datagrams read */
    uint64_t sent;                  /* datagrams sent */
    uint64_t dropped_size;          /* over 1280 bytes */
    uint64_t dropped_rate;          /* over a rate limit */
    uint64_t dropped_invalid;       /* bad hash, signature or RLP */
    uint64_t dropped_type;          /* unknown packet type (e.g. stock Ethereum) */
    uint64_t dropped_expired;       /* expiration in the past */
    uint64_t dropped_unsolicited;   /* pong/neighbors we did not ask for */
    uint64_t dropped_unbonded;      /* findnode without endpoint proof */
};

/*
 * Binds the UDP socket and starts the service on base. Unless passive, the
 * first refresh (lookups seeded by the table or the bootnodes) runs on the
 * first turn of the loop.
 * Returns: 0; ERR_INVAL (bad secret key or bind_ip; bootnodes without an
 *          IP); ERR_IO (socket or bind failed: the context has errno's
 *          reason); ERR_NOMEM.
 * Out: *out (stop with discv4_stop).
 */
int discv4_start(struct event_base *base, const struct discv4_config *cfg, struct discv4 **out);

/* Closes the socket, cancels timers and frees everything. NULL is fine.
 * No callback runs after it returns. */
void discv4_stop(struct discv4 *d);

/* Our own node: id, bound IP and UDP port, advertised TCP port. */
void discv4_self(const struct discv4 *d, struct enode *out);

/* Offers a node (e.g. -bootnodes, a static peer, a test's neighbour): it is
 * pinged and enters the table when it answers. In passive mode it is put in
 * the table unverified and nothing is sent.
 * Returns: 0; ERR_INVAL (no IP, our own id, or a non-loopback address with
 *          loopback_only); ERR_RANGE (too many requests in flight). */
int discv4_add_node(struct discv4 *d, const struct enode *n);

/* Starts an iterative lookup for target (a node id, or any 64 bytes);
 * found nodes go to on_node and the table.
 * Returns: 0; ERR_BADSTATE in passive mode or when 4 lookups are already
 *          running. */
int discv4_lookup(struct discv4 *d, const uint8_t target[64]);

/* Number of running lookups. */
size_t discv4_lookups_running(const struct discv4 *d);

/* Writes up to max table entries picked at random (for the dialer).
 * Returns how many. */
size_t discv4_random_nodes(struct discv4 *d, struct enode *out, size_t max);

/* Writes up to max table entries closest to target id, nearest first.
 * Returns how many. */
size_t discv4_closest(const struct discv4 *d, const uint8_t target[64], struct enode *out,
                      size_t max);

/* True when a node is in the table (not counting replacements). */
bool discv4_has_node(const struct discv4 *d, const uint8_t id[64]);

/* Number of nodes in the table. */
size_t discv4_table_len(const struct discv4 *d);

/* Copies the counters. */
void discv4_get_stats(const struct discv4 *d, struct discv4_stats *out);

#endif
