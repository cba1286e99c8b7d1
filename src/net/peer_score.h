/*
 * peer_score.h — misbehaviour points per peer and time-limited bans by IP.
 *
 * Why it is shaped this way: what a peer did wrong and what it costs are
 * policy, kept apart from the socket code so the arithmetic has unit tests.
 * Each offence adds points to the peer's score; at PEER_SCORE_BAN the peer
 * is disconnected and its IP address banned for the ban time (default
 * PEER_BAN_SECONDS). Bytes that are not the protocol at all (a handshake
 * or frame that fails to decrypt or decode, a message that does not
 * decode, an oversized frame or message) and invalid blocks cost the whole
 * allowance at once: an honest client never sends them. An answer nobody
 * asked for costs a quarter, so four are needed: a late answer after a
 * timeout is ordinary on a slow link.
 *
 * The ban list is a fixed-size table (PEER_BANS_MAX): when it is full, a
 * new ban replaces the one that expires first, so a flood of addresses
 * cannot grow memory. Time is passed in (seconds on any monotonic clock),
 * so tests need no clock.
 *
 * Threads: no global state; one thread at a time per ban list (the p2p
 * thread).
 */
#ifndef SPECTRUM_NET_PEER_SCORE_H
#define SPECTRUM_NET_PEER_SCORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/enode.h"

#define PEER_SCORE_BAN 100
#define PEER_BAN_SECONDS 600
#define PEER_BANS_MAX 1024

enum peer_offence {
    PEER_OFFENCE_GARBAGE,       /* undecryptable / undecodable bytes or message */
    PEER_OFFENCE_OVERSIZED,     /* frame or message above its limit */
    PEER_OFFENCE_INVALID_BLOCK, /* a block our chain rejected as invalid */
    PEER_OFFENCE_UNREQUESTED,   /* an answer to no request of ours */
    PEER_OFFENCE_COUNT
};

/* The points an offence costs (0 for a value outside the enum). */
unsigned peer_offence_points(enum peer_offence o);

/* A static name for logs ("garbage", "oversized", ...). */
const char *peer_offence_name(enum peer_offence o);

/* Adds the offence's points to *score (saturating at UINT32_MAX).
 * Returns true when *score reached PEER_SCORE_BAN: disconnect and ban. */
bool peer_score_add(uint32_t *score, enum peer_offence o);

struct peer_ban {
    uint8_t ip[16];
    uint8_t ip_len;         /* 4 or 16 */
    int64_t until;          /* banned while now < until */
};

struct peer_banlist {
    struct peer_ban items[PEER_BANS_MAX];
    size_t count;
};

/* Bans the IP of ep until now + seconds (extending an existing ban, never
 * shortening it). An endpoint without an IP (ip_len 0) is ignored.
 * Args: b  the list (zero-initialised is empty). */
void peer_ban_add(struct peer_banlist *b, const struct enode_endpoint *ep, int64_t now,
                  int64_t seconds);

/* True when the IP of ep is banned at `now`; expired bans are dropped on
 * the way. Out: *until (may be NULL) the ban's end when true. */
bool peer_ban_check(struct peer_banlist *b, const struct enode_endpoint *ep, int64_t now,
                    int64_t *until);

/* Bans still in force at now (expired ones are dropped). */
size_t peer_ban_count(struct peer_banlist *b, int64_t now);

#endif
