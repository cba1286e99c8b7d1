/*
 * lan.h — hubs find each other on the LAN (doc/channels.md, "LAN
 * discovery"; spec/photon.md §4.2, §8 item 4): our equivalent of Photon's
 * mDNS service "_photon". Every hub sends a signed BEACON every interval to
 * a multicast group or broadcast address; every hub that receives one
 * checks it and puts (address, ip of the datagram's source, announced UDP
 * port) in its peer address book.
 *
 * The beacon (CH_LAN_BEACON_LEN = 103 bytes, one UDP datagram):
 *   0   8  "_photon\x01"  (service tag, version 1)
 *   8  20  the hub's address
 *  28   2  the hub's channel UDP port (big-endian, not 0)
 *  30   8  the sender's clock, milliseconds since 1970 (big-endian)
 *  38  65  signature r ‖ s ‖ v (v 27/28, low s) of
 *          keccak256("\x19Spectrum Signed Message:\n" ‖ "38" ‖ bytes 0..37)
 * The prefix is the contracts' (channel/sig.h) with a length no contract
 * message has (they are 136..188), so a beacon signature is never usable as
 * a balance proof or any other contract message, and vice versa.
 *
 * Checks on receipt (ch_lan_filter_check), cheapest first: the exact size
 * (anything else is dropped unread: MSG_TRUNC), our own address (our
 * beacons loop back; the service skips them unverified), a rate per source IPv4
 * address (CH_LAN_SOURCE_RATE per second, burst twice that, in a table of
 * CH_LAN_SOURCES sources; hubs on one machine share their source address,
 * so the rate leaves room for a few dozen of them) and a global rate of signature checks
 * (CH_LAN_VERIFY_RATE per second), the tag, the signature (it must recover
 * to the announced address: nobody announces an address it has no key
 * for), freshness (the time within CH_LAN_FRESH_MS of ours), and replay
 * (the time strictly above the last one accepted from that address, in a
 * table of CH_LAN_PEERS_MAX addresses). What a beacon cannot prove is the
 * ip: it is the datagram's source, so a host on the LAN that replays a
 * fresh beacon before its newer one arrives points the peer book at itself
 * until the next real beacon; every channel packet is signed, so that costs
 * delays, never funds (as with mDNS).
 *
 * Why it is shaped this way: an mDNS responder is outside the libraries the
 * node uses, and all a hub needs from discovery is (address, ip, port)
 * that the address's key vouches for; one signed datagram does that. The
 * service runs on a thread of its own with its own socket, so a flood of
 * beacons never delays the hub's turns, and it talks to the hub only
 * through the on_peer callback (ch_hub_register_peer). IPv4 only.
 *
 * Ownership: the service owns its socket, thread and tables; the filter is
 * a plain struct (no allocation). Threads: ch_lan_start / ch_lan_stop from
 * the owner's; on_peer runs on the service's thread; ch_lan_get_stats from
 * any.
 */
#ifndef SPECTRUM_CHANNEL_LAN_H
#define SPECTRUM_CHANNEL_LAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CH_LAN_BEACON_LEN 103
#define CH_LAN_FIELDS_LEN 38
#define CH_LAN_TAG "_photon\x01"
#define CH_LAN_TAG_LEN 8
/* A beacon whose time is further than this from ours is stale. */
#define CH_LAN_FRESH_MS 30000
/* Default beacon interval (Photon's mDNS queries every second). */
#define CH_LAN_INTERVAL_MS 1000
#define CH_LAN_PEERS_MAX 256
#define CH_LAN_SOURCES 64
#define CH_LAN_SOURCE_RATE 20
#define CH_LAN_VERIFY_RATE 200
/* Datagrams read per wake-up. */
#define CH_LAN_BATCH 64

struct ch_lan_beacon {
    uint8_t addr[20];
    uint16_t port;
    uint64_t time_ms;
};

/* Builds the beacon of the key's address for port at time_ms.
 * Returns: 0; ERR_INVAL (port 0); ERR_CRYPTO (invalid key).
 * In: key (32-byte secret key, not kept). Out: out. Thread: any. */
int ch_lan_beacon_encode(const uint8_t key[32], uint16_t port, uint64_t time_ms,
                         uint8_t out[CH_LAN_BEACON_LEN]);

/* Decodes a beacon and checks its signature (no freshness, no replay).
 * Returns: 0; ERR_DECODE (size, tag, port 0); ERR_CRYPTO (the signature
 *          does not recover to the announced address).
 * Out: out (filled on 0). Thread: any. */
int ch_lan_beacon_decode(const uint8_t *pkt, size_t len, struct ch_lan_beacon *out);

enum ch_lan_verdict {
    CH_LAN_ACCEPT = 0,
    CH_LAN_BAD_SIZE,        /* not CH_LAN_BEACON_LEN bytes */
    CH_LAN_RATE,            /* the source's or the global rate is spent */
    CH_LAN_BAD,             /* tag, port or signature */
    CH_LAN_STALE,           /* time too far from ours */
    CH_LAN_REPLAY,          /* time not above the last accepted from that address */
};

/* Rate and replay state. Fill with ch_lan_filter_init. */
struct ch_lan_filter {
    struct {
        uint32_t ip;            /* network order; 0 = free */
        double tokens;
        uint64_t last_ms;
    } src[CH_LAN_SOURCES];
    double verify_tokens;
    uint64_t verify_ms;
    struct {
        uint8_t addr[20];
        uint64_t time_ms;       /* last accepted; 0 = free */
        uint64_t seen_ms;       /* our clock then (the oldest gives its slot) */
    } peer[CH_LAN_PEERS_MAX];
};

void ch_lan_filter_init(struct ch_lan_filter *f);

/* Judges one received datagram from IPv4 source src_ip (network order) at
 * our time now_ms; on CH_LAN_ACCEPT, *out is the beacon and its time is
 * remembered for the address. Thread: the filter's owner. */
enum ch_lan_verdict ch_lan_filter_check(struct ch_lan_filter *f, const uint8_t *pkt, size_t len,
                                        uint32_t src_ip, uint64_t now_ms,
                                        struct ch_lan_beacon *out);

/* A peer seen (first time, or at a new ip or port). Return 0 when it was
 * registered, anything else to be called again at its next beacon. */
typedef int (*ch_lan_peer_fn)(void *ctx, const uint8_t addr[20], const char *ip, uint16_t port);

struct ch_lan_config {
    const char *group;          /* IPv4 literal: a multicast group or a broadcast address */
    uint16_t group_port;        /* beacons are sent to and received on it (not 0) */
    const char *iface;          /* IPv4 literal of the interface for multicast; NULL = any */
    uint8_t key[32];            /* the hub's key (signs the beacons) */
    uint16_t hub_port;          /* the port announced (the hub's UDP port) */
    unsigned interval_ms;       /* 0 = CH_LAN_INTERVAL_MS */
    ch_lan_peer_fn on_peer;
    void *ctx;
};

struct ch_lan_stats {
    uint64_t sent;              /* beacons sent */
    uint64_t send_errors;
    uint64_t received;          /* datagrams read */
    uint64_t accepted;          /* beacons of other hubs accepted */
    uint64_t self;              /* our own beacons (looped back) */
    uint64_t bad_size, rate, bad, stale, replay;
    uint64_t registered;        /* on_peer calls that returned 0 */
};

struct ch_lan;

/* Opens the socket (bound to 0.0.0.0:group_port with SO_REUSEADDR, so
 * several hubs on one machine share the port; the group joined when it is
 * multicast, broadcast allowed otherwise), starts the thread, which sends
 * a beacon at once and then every interval.
 * Returns: 0; ERR_INVAL (group or iface not an IPv4 literal, port 0,
 *          invalid key); ERR_IO (socket, bind or join failed: context has
 *          errno's text); ERR_NOMEM; ERR_BADSTATE (no thread).
 * In: cfg (copied; the key is wiped by ch_lan_stop). Out: *out. */
int ch_lan_start(const struct ch_lan_config *cfg, struct ch_lan **out);

/* Stops the thread and frees everything. NULL is ignored. */
void ch_lan_stop(struct ch_lan *l);

/* A copy of the counters. */
void ch_lan_get_stats(struct ch_lan *l, struct ch_lan_stats *out);

#endif
