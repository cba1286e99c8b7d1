/*
 * transport.h — the channel hub's UDP transport (doc/channels.md,
 * "Transport"; spec/photon.md §3.1–3.4): one socket on a libevent base,
 * Photon's packets one per datagram, acknowledgements by echo hash, ordered
 * outboxes with a window and resend, and a peer address book.
 *
 * Sending. Balance-proof packets for one (partner, channel life) go through
 * that pair's OUTBOX in nonce order (ch_transport_queue): at most `window`
 * unacknowledged packets from the head of the outbox are in flight, and each
 * of them is resent every `resend_ms` until the partner's Ack arrives, then
 * dropped (the owner hears of it through on_acked). Ping, SecretRequest and
 * RevealSecret go outside the outboxes (ch_transport_send_loose), resent the
 * same way but in no order. An Ack matches a packet when its echo equals
 * keccak256(packet ‖ partner address) (ch_msg_ack_echo).
 *
 * Held output (the hub's TURN rule). Nothing leaves the socket when it is
 * queued: packets queued, loose packets and the acks the owner answers with
 * are HELD until ch_transport_flush(), which the owner calls after it has
 * stored the turn's changes; ch_transport_abort_turn() drops what the turn
 * added instead (its store write failed). Entries that were flushed once
 * are durable by then, so window moves and the resend timer send them
 * without waiting for a flush.
 *
 * Receiving. Each readable event reads up to CH_TRANSPORT_BATCH datagrams
 * and makes them one turn: on_turn_begin, then every datagram (Acks are
 * matched here; every other packet that decodes is handed to on_packet,
 * which fills the ack bytes to send back to the datagram's source, or none
 * when processing failed), then on_turn_end, whose job is to store the turn
 * and call ch_transport_flush (without on_turn_end the transport flushes by
 * itself). Input limits: datagrams over CH_PACKET_MAX are refused unread
 * (MSG_TRUNC), packets that do not decode are dropped, and each source
 * (ip:port) is held to `rate` packets per second (token bucket, burst of one
 * second) in a table of CH_TRANSPORT_SOURCES sources (the least recently seen
 * source gives its slot to a new one). Every drop is counted in the stats.
 *
 * Why it is shaped this way: the outbox, window and echo matching are
 * transport concerns that do not depend on what a packet means, so the hub
 * stays with the rules; holding output until the owner says "stored" is the
 * one mechanism that makes "stored before sent, stored before acknowledged"
 * hold without the transport knowing about the store. Outboxes and loose
 * packets are scanned linearly per partner: a partner has few channels and a
 * window is small, so an Ack costs at most a few dozen comparisons.
 *
 * Ownership: the transport owns its socket, events, queues and copies of
 * every packet. Threads: everything runs on the thread that runs `base`
 * (the hub's); no function is thread-safe.
 */
#ifndef SPECTRUM_CHANNEL_TRANSPORT_H
#define SPECTRUM_CHANNEL_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "channel/msg.h"

struct event_base;
struct ch_transport;

/* Datagrams read per readable event (one turn at most). */
#define CH_TRANSPORT_BATCH 256
/* Default and largest window (unacknowledged outbox packets in flight per
 * (partner, channel)). */
#define CH_TRANSPORT_WINDOW 32
#define CH_TRANSPORT_WINDOW_MAX 256
/* Default resend period (milliseconds). */
#define CH_TRANSPORT_RESEND_MS 1000
/* Default input rate per source (packets per second). */
#define CH_TRANSPORT_RATE 50000
/* Sources tracked by the rate limiter. */
#define CH_TRANSPORT_SOURCES 64
/* Most packets in one outbox; most loose packets per partner (the oldest
 * is dropped beyond: room for the SecretRequest / RevealSecret of every
 * mediated transfer under way with one partner); most address book
 * entries; most outboxes. */
#define CH_TRANSPORT_QUEUE_MAX 65536
#define CH_TRANSPORT_LOOSE_MAX 1024
#define CH_TRANSPORT_PEERS_MAX 4096
#define CH_TRANSPORT_OUTBOXES_MAX 65536
/* Largest ack an owner may answer with (an Ack packet is 56 bytes). */
#define CH_TRANSPORT_ACK_MAX 64

/* A received non-Ack packet. m is decoded (signature not checked), pkt its
 * raw bytes, from the datagram's source. Fill ack (ack_len bytes, at most
 * CH_TRANSPORT_ACK_MAX) with what to answer, or leave *ack_len 0 for no
 * answer. The ack is held until the next flush. */
typedef void (*ch_transport_packet_fn)(void *ctx, const struct ch_msg *m, const uint8_t *pkt,
                                       size_t len, const struct sockaddr *from,
                                       socklen_t fromlen, uint8_t ack[CH_TRANSPORT_ACK_MAX],
                                       size_t *ack_len);

/* An outbox packet (channel_id non-NULL, its nonce) or a loose packet
 * (channel_id NULL, open_block and nonce 0) was acknowledged by partner. */
typedef void (*ch_transport_acked_fn)(void *ctx, const uint8_t partner[20],
                                      const uint8_t channel_id[32], uint64_t open_block,
                                      uint64_t nonce);

/* Turn boundaries around a batch of received datagrams. */
typedef void (*ch_transport_turn_fn)(void *ctx);

/* Test hook: return true to drop an outgoing datagram (simulated loss). */
typedef bool (*ch_transport_drop_fn)(void *ctx, const uint8_t *pkt, size_t len);

struct ch_transport_config {
    const char *bind;           /* IPv4 or IPv6 literal; NULL = "0.0.0.0" */
    uint16_t port;              /* 0 = any free port (see ch_transport_port) */
    uint8_t self[20];           /* our address: the receiver in our acks' echoes */
    unsigned resend_ms;         /* 0 = CH_TRANSPORT_RESEND_MS */
    size_t window;              /* 0 = CH_TRANSPORT_WINDOW; <= CH_TRANSPORT_WINDOW_MAX */
    uint32_t rate;              /* packets/s per source; 0 = CH_TRANSPORT_RATE */
    ch_transport_packet_fn on_packet;   /* may be NULL (packets are dropped) */
    ch_transport_acked_fn on_acked;     /* may be NULL */
    ch_transport_turn_fn on_turn_begin; /* may be NULL */
    ch_transport_turn_fn on_turn_end;   /* may be NULL: the transport flushes */
    ch_transport_drop_fn drop;          /* NULL outside tests */
    void *ctx;                          /* passed to every callback */
};

/* Counters since open. */
struct ch_transport_stats {
    uint64_t sent;              /* datagrams handed to the socket (acks included) */
    uint64_t resent;            /* of which resends */
    uint64_t acks_sent;
    uint64_t received;          /* datagrams read */
    uint64_t acks_received;     /* Acks that matched a packet */
    uint64_t acks_unmatched;    /* Acks for nothing we wait for */
    uint64_t dropped_oversize;
    uint64_t dropped_garbage;   /* did not decode */
    uint64_t dropped_rate;
    uint64_t send_errors;       /* sendto failed (the resend covers it) */
};

/* Opens the socket on cfg->bind:cfg->port, non-blocking, with its read and
 * resend events on base.
 * Returns: 0; ERR_INVAL (bind is not an IP literal, window too large);
 *          ERR_IO (socket or bind failed: context has the address and
 *          errno text); ERR_NOMEM.
 * In: base (outlives the transport), cfg (copied). Out: *out
 *     (ch_transport_close). Thread: the base's. */
int ch_transport_open(struct event_base *base, const struct ch_transport_config *cfg,
                      struct ch_transport **out);

/* Closes the socket and frees everything, held output included (nothing is
 * sent). NULL is ignored. */
void ch_transport_close(struct ch_transport *t);

/* The bound UDP port (the one chosen when cfg->port was 0). */
uint16_t ch_transport_port(const struct ch_transport *t);

/* Sets (or replaces) the address of partner in the address book.
 * Returns: 0; ERR_INVAL (ip is not an IPv4/IPv6 literal, port 0);
 *          ERR_RANGE (CH_TRANSPORT_PEERS_MAX entries already). */
int ch_transport_set_peer(struct ch_transport *t, const uint8_t partner[20], const char *ip,
                          uint16_t port);

/* The address book entry of partner as "ip" and port.
 * Returns: 0 or ERR_NOTFOUND (no context set). Out: ip (>= 64 bytes), port. */
int ch_transport_get_peer(const struct ch_transport *t, const uint8_t partner[20], char *ip,
                          size_t ip_size, uint16_t *port);

/* Appends a packet to the outbox of (partner, channel_id, open_block). It
 * leaves at the next flush if it is within the window (and the partner's
 * address is known by then), else when the window reaches it.
 * Returns: 0; ERR_INVAL (nonce not above the outbox's last one, len 0);
 *          ERR_RANGE (len over CH_PACKET_MAX, outbox full, too many
 *          outboxes); ERR_NOMEM. Nothing is queued on error.
 * In: pkt (copied). */
int ch_transport_queue(struct ch_transport *t, const uint8_t partner[20],
                       const uint8_t channel_id[32], uint64_t open_block, uint64_t nonce,
                       const uint8_t *pkt, size_t len);

/* Sends a packet outside the outboxes at the next flush and resends it
 * until acknowledged (resend false: once, no ack awaited). A partner's
 * CH_TRANSPORT_LOOSE_MAX-th awaited packet pushes out its oldest.
 * Returns: 0; ERR_INVAL (len 0); ERR_RANGE (len over CH_PACKET_MAX);
 *          ERR_NOMEM. */
int ch_transport_send_loose(struct ch_transport *t, const uint8_t partner[20],
                            const uint8_t *pkt, size_t len, bool resend);

/* Releases the held output: acks, new loose packets, and every outbox
 * packet within its window that has not been sent. Thread: the base's. */
void ch_transport_flush(struct ch_transport *t);

/* Drops what was queued or answered since the last flush (held acks, new
 * loose packets, outbox packets never flushed): the turn that made them
 * was not stored. */
void ch_transport_abort_turn(struct ch_transport *t);

/* Unacknowledged packets in the outbox of (partner, channel_id, open_block)
 * (0 when there is none), and the lowest such nonce (0 when empty; may be
 * NULL). */
size_t ch_transport_pending(const struct ch_transport *t, const uint8_t partner[20],
                            const uint8_t channel_id[32], uint64_t open_block,
                            uint64_t *first_nonce);

/* Copies the counters. */
void ch_transport_get_stats(const struct ch_transport *t, struct ch_transport_stats *out);

#endif
