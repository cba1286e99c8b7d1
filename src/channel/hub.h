/*
 * hub.h — the channel hub service (doc/channels.md): one thread with its own
 * libevent loop that owns the hub's store (channel/store.h), its channels
 * (channel/channel.h, loaded at start), and its UDP transport
 * (channel/transport.h). Other threads talk to it through commands that
 * wait for the answer.
 *
 * The TURN rule. Every callback of the hub's loop is one turn: a batch of
 * commands taken from the queue, a batch of received datagrams (up to
 * CH_TRANSPORT_BATCH), or an ack. Every state change of a turn (our new
 * balance proofs and their outbox entries, the partner's proofs we accept
 * and the acks we answer with, transfer records, channels) goes into one
 * store batch, written at the end of the turn with one fsync; ONLY THEN are
 * the turn's packets and acks released to the socket, and only then do the
 * commands of the turn return. A turn whose only changes are outbox
 * deletions and transfer statuses after acks is written without the fsync:
 * if the machine loses it, the packets are resent and the partner answers
 * them again (below), so nothing acknowledged can be lost that way.
 *
 * Receiving: a packet is decoded (by the transport), matched to a channel
 * life by its balance proof, checked by the state machine (signature of the
 * partner, next nonce, every §3.5 rule), applied, stored in the turn with
 * its ack, and acknowledged after the commit. A packet whose nonce is not
 * above the partner's latest is a duplicate: it is answered with the stored
 * ack (or, past the stored acks, when it is the partner's latest proof or
 * is older and signed by the partner: a newer proof supersedes it); any
 * other packet gets no ack. Only DirectTransfer and Ping are handled yet
 * (mediated transfers, withdraw and settle come with their own parts).
 *
 * Restart: the hub reloads its channels and re-queues every stored outbox
 * entry in nonce order, then sends them (within the window) at once.
 *
 * Failure: if a turn cannot be stored (disk error), nothing of it is sent,
 * and the hub refuses everything from then on (ERR_IO): its memory is ahead
 * of its store, and a restart from the store is the way back.
 *
 * Ownership: the hub owns its store, channels, transport and loop.
 * Threads: ch_hub_start / ch_hub_stop from the owning thread (after
 * evthread_use_pthreads(), as the p2p service); every other function from
 * any thread but the hub's own (they wait for the hub's answer).
 */
#ifndef SPECTRUM_CHANNEL_HUB_H
#define SPECTRUM_CHANNEL_HUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "channel/sig.h"
#include "channel/store.h"
#include "channel/transport.h"
#include "primitives/u256.h"

struct ch_hub;

/* Most unacknowledged transfers one channel may hold in its outbox; a
 * transfer beyond is refused (ERR_RANGE) until acks come back. */
#define CH_HUB_INFLIGHT_MAX 8192
/* Most transfers in one ch_hub_transfer_many call. */
#define CH_HUB_BATCH_MAX 4096

/* Transfer statuses (Photon's, photon.md §5). */
enum ch_transfer_status {
    CH_TRANSFER_INIT = 0,
    CH_TRANSFER_CAN_CANCEL = 1,
    CH_TRANSFER_CANNOT_CANCEL = 2,  /* signed, stored, on its way */
    CH_TRANSFER_SUCCESS = 3,        /* acknowledged (or received) */
    CH_TRANSFER_CANCELED = 4,
    CH_TRANSFER_FAILED = 5,
};

/* Test hook: the hub calls it at two points of every turn that has
 * changes; returning true "kills" the hub there, as kill -9 would: the
 * turn's batch is dropped (CH_HUB_BEFORE_COMMIT) or written but none of its
 * packets or acks leave (CH_HUB_AFTER_COMMIT), the loop stops, and the hub
 * does nothing more until ch_hub_stop frees it (writing nothing). */
enum ch_hub_point { CH_HUB_BEFORE_COMMIT = 1, CH_HUB_AFTER_COMMIT = 2 };
typedef bool (*ch_hub_crash_fn)(void *ctx, int point);

struct ch_hub_config {
    const char *dir;            /* the store directory (created if missing) */
    uint8_t key[32];            /* the hub's secret key (the node key) */
    u256 chain_id;              /* of the balance proof signatures (§1) */
    const char *bind;           /* UDP bind address; NULL = "0.0.0.0" */
    uint16_t port;              /* 0 = any free port (ch_hub_port) */
    unsigned resend_ms;         /* 0 = CH_TRANSPORT_RESEND_MS */
    size_t window;              /* 0 = CH_TRANSPORT_WINDOW */
    uint32_t rate;              /* input packets/s per source; 0 = default */
    uint64_t block;             /* current block number (ch_hub_set_block) */
    size_t acks_per_partner;    /* 0 = CH_STORE_ACKS_PER_PARTNER */
    ch_hub_crash_fn crash;      /* NULL outside tests */
    void *crash_ctx;
};

/* A channel as it was set up on chain (until the chain side feeds the hub
 * its events): both deposits, this life's open block and the timeouts. */
struct ch_hub_open {
    uint8_t channel_id[32];
    uint8_t token[20];
    uint8_t partner[20];
    uint64_t open_block;
    uint64_t settle_timeout;
    uint64_t reveal_timeout;
    u256 our_deposit;
    u256 partner_deposit;
};

/* A snapshot of one channel. Index [CH_OURS] / [CH_PARTNER] of channel.h. */
struct ch_hub_channel_info {
    uint8_t channel_id[32];
    uint8_t token[20];
    uint8_t partner[20];
    uint64_t open_block;
    uint64_t settle_timeout;
    uint64_t reveal_timeout;
    int state;                      /* enum ch_state */
    u256 deposit[2];
    u256 balance[2];                /* §3.5 balance of each end */
    u256 distributable[2];
    struct ch_bp bp[2];             /* each end's latest proof (nonce 0: none) */
    uint8_t additional_hash[2][32];
    uint8_t sig[2][CH_SIG_LEN];
    uint64_t acked_nonce;           /* all our proofs up to it are acknowledged */
    size_t unacked;                 /* our proofs waiting for their ack */
};

struct ch_hub_stats {
    uint64_t turns;                 /* turns that wrote something */
    uint64_t synced_commits;        /* of which with fsync */
    uint64_t commit_us;             /* time spent writing turns (microseconds) */
    uint64_t transfers_sent;        /* made since start */
    uint64_t transfers_received;    /* accepted since start */
    uint64_t acks_received;         /* our proofs acknowledged since start */
    uint64_t duplicates_answered;
    uint64_t refused;               /* packets refused by the rules */
    struct ch_transport_stats transport;
};

/* Opens the store in cfg->dir, loads the channels, binds the transport,
 * re-queues the stored outboxes and starts the hub thread.
 * Returns: 0; ERR_INVAL (invalid key); the errors of ch_store_open and
 *          ch_store_load (ERR_IO, ERR_DECODE, ERR_UNSUPPORTED...), of
 *          ch_transport_open (ERR_IO when the port is taken); ERR_NOMEM;
 *          ERR_BADSTATE (the thread did not start).
 * In: cfg (copied). Out: *out (ch_hub_stop). Thread: the owner's. */
int ch_hub_start(const struct ch_hub_config *cfg, struct ch_hub **out);

/* Stops the thread (waiting for the turn under way, which completes) and
 * frees everything. Also frees a hub killed by the crash hook, writing
 * nothing. NULL is ignored. Thread: the owner's. */
void ch_hub_stop(struct ch_hub *h);

/* The bound UDP port; the hub's address (of its key). Thread: any. */
uint16_t ch_hub_port(const struct ch_hub *h);
void ch_hub_address(const struct ch_hub *h, uint8_t out[20]);

/* True once the crash hook killed the hub. Thread: any. */
bool ch_hub_dead(struct ch_hub *h);

/* Sets partner's UDP address in the address book (not stored: the owner
 * registers its peers after each start).
 * Returns: 0; ERR_INVAL (not an IP literal, port 0); ERR_RANGE (book
 *          full); ERR_BADSTATE (hub stopped or dead); ERR_IO (hub failed). */
int ch_hub_register_peer(struct ch_hub *h, const uint8_t partner[20], const char *ip,
                         uint16_t port);

/* Adds an open channel with the given on-chain state and stores it.
 * Returns: 0; ERR_INVAL (partner is us, or a channel with this id exists);
 *          ERR_RANGE (timeouts or open block out of bounds, see
 *          ch_channel_init; CH_STORE_CHANNELS_MAX channels); ERR_IO
 *          (not stored); ERR_BADSTATE; ERR_NOMEM. */
int ch_hub_open_channel(struct ch_hub *h, const struct ch_hub_open *o);

/* Direct transfer of amount to partner over our open channel for token:
 * the next balance proof is signed, stored (with its outbox entry and a
 * transfer record) and applied in one turn; the call returns once that
 * turn is on disk, and the packet leaves then (acknowledgement comes
 * later: ch_hub_get_transfer, ch_hub_get_channel's acked_nonce).
 * Returns: 0; ERR_NOTFOUND (no open channel with partner for token);
 *          ERR_INVAL / ERR_RANGE: the refusal of ch_make_direct (zero
 *          amount, over our distributable; context names the numbers), or
 *          ERR_RANGE for CH_HUB_INFLIGHT_MAX unacknowledged transfers;
 *          ERR_IO (not stored; the hub failed); ERR_BADSTATE (stopped).
 * Out: id (the transfer id, may be NULL): keccak256(channel_id ‖
 *      u64 open_block ‖ sender ‖ u64 nonce), the same on both sides. */
int ch_hub_transfer(struct ch_hub *h, const uint8_t partner[20], const uint8_t token[20],
                    const u256 *amount, uint8_t id[32]);

/* n direct transfers of amounts[0..n) in one turn (one fsync), in order,
 * stopping at the first refusal. n <= CH_HUB_BATCH_MAX.
 * Returns: 0 when all were made, else the first refusal's error as
 *          ch_hub_transfer (ERR_RANGE also for n too large).
 * Out: *made, transfers made (stored and on their way), also on error. */
int ch_hub_transfer_many(struct ch_hub *h, const uint8_t partner[20], const uint8_t token[20],
                         const u256 *amounts, size_t n, size_t *made);

/* A snapshot of the channel life channel_id (the latest life when open_block
 * is 0). Returns: 0; ERR_NOTFOUND; ERR_BADSTATE; ERR_RANGE (inconsistent
 * numbers). */
int ch_hub_get_channel(struct ch_hub *h, const uint8_t channel_id[32], uint64_t open_block,
                       struct ch_hub_channel_info *out);

/* Snapshots of every channel. Out: *out (malloc'ed, caller frees; NULL when
 * *n is 0), *n. Returns: 0; ERR_NOMEM; ERR_BADSTATE. */
int ch_hub_list_channels(struct ch_hub *h, struct ch_hub_channel_info **out, size_t *n);

/* The stored record of transfer id (what was committed).
 * Returns: 0; ERR_NOTFOUND; ERR_DECODE; ERR_IO; ERR_BADSTATE. */
int ch_hub_get_transfer(struct ch_hub *h, const uint8_t id[32], struct ch_store_transfer *out);

/* Sets the current block number ("now" of the lock rules). */
int ch_hub_set_block(struct ch_hub *h, uint64_t block);

/* Copies the counters (and the transport's). Returns: 0 or ERR_BADSTATE. */
int ch_hub_get_stats(struct ch_hub *h, struct ch_hub_stats *out);

/* The direct transfer id of nonce sent by sender on a channel life. */
void ch_hub_transfer_id(const uint8_t channel_id[32], uint64_t open_block,
                        const uint8_t sender[20], uint64_t nonce, uint8_t out[32]);

#endif
