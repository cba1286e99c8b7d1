/*
 * store.h — the channel hub's durable store: a LevelDB database of its own
 * (<netdir>/channels) holding everything the hub must not lose
 * (doc/channels.md, "Durability"; photon.md §4.2 "Stored state").
 *
 * Writes happen in TURNS. The hub calls ch_store_begin() at the start of a
 * loop turn, adds every change of the turn with the put / delete calls
 * below, and ch_store_commit(st, true) writes all of them as ONE LevelDB
 * batch with one fsync (group commit). Only then may the turn's packets and
 * acks leave. A crash before the commit leaves nothing of the turn; after
 * it, everything. Reads (ch_store_load and the getters) see committed data
 * only: a turn does not read its own uncommitted writes.
 *
 * Keys (one prefix byte; numbers 8-byte big-endian so keys sort by them):
 *   'c' ‖ channel_id ‖ open_block            channel record
 *   'e' ‖ channel_id ‖ open_block ‖ side     end: deposit, latest proof with
 *                                            additional hash and signature,
 *                                            on-chain view
 *   'l' ‖ channel_id ‖ open_block ‖ side     that end's locks, in tree order,
 *                                            with secrets and flags
 *   's' ‖ secret_hash                        secret and its reveal state
 *   'd' ‖ channel_id ‖ open_block ‖ dir ‖ lockhash
 *                                            disposed lock and DisposedProof
 *   'o' ‖ partner ‖ channel_id ‖ open_block ‖ nonce
 *                                            outbox entry (the packet)
 *   'a' ‖ echo                               stored ack (the packet)
 *   'q' ‖ partner ‖ seq                      echo of the partner's seq-th
 *                                            ack (age order, for the bound)
 *   't' ‖ id                                 transfer and its status
 *   'm' ‖ secret_hash                        a mediated transfer under way
 *                                            (its role's record, mediated.h)
 *   "!schema", "!fees", "!watchdog"          schema version, fee policy,
 *                                            watchdog's last processed block
 * Values are RLP lists whose first item is the record version
 * (CH_STORE_RECORD_VERSION); a reader refuses other versions.
 *
 * Stored bytes are outside input (a disk can be corrupt): every record is
 * decoded strictly, lengths and counts are capped before allocating, a
 * lock list must hash to its end's locksroot, and a bad record fails
 * ch_store_load with ERR_DECODE naming the record, never a crash.
 *
 * Why it is shaped this way: one batch per turn is what makes durable
 * payments fast (one fsync carries every payment of the turn) and what
 * makes "stored before sent, stored before acknowledged" hold across kill
 * -9. Whole lock lists per end (rather than a key per lock) keep the tree
 * order without a sequence scheme; a channel rarely holds more than a few
 * dozen locks.
 *
 * Ownership: the store owns its database and batch. Threads: one owner
 * (the hub thread); not thread-safe.
 */
#ifndef SPECTRUM_CHANNEL_STORE_H
#define SPECTRUM_CHANNEL_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "channel/channel.h"
#include "channel/fees.h"
#include "channel/locks.h"
#include "channel/mediated.h"
#include "channel/msg.h"
#include "primitives/u256.h"

#define CH_STORE_SCHEMA_VERSION 1
#define CH_STORE_RECORD_VERSION 1

#define CH_STORE_PREFIX_CHANNEL 'c'
#define CH_STORE_PREFIX_END 'e'
#define CH_STORE_PREFIX_LOCKS 'l'
#define CH_STORE_PREFIX_SECRET 's'
#define CH_STORE_PREFIX_DISPOSED 'd'
#define CH_STORE_PREFIX_OUTBOX 'o'
#define CH_STORE_PREFIX_ACK 'a'
#define CH_STORE_PREFIX_ACKSEQ 'q'
#define CH_STORE_PREFIX_TRANSFER 't'
#define CH_STORE_PREFIX_MEDIATED 'm'
#define CH_STORE_KEY_SCHEMA "!schema"
#define CH_STORE_KEY_FEES "!fees"
#define CH_STORE_KEY_WATCHDOG "!watchdog"

/* Bounds a store may hold; a larger count at load is refused (ERR_RANGE). */
#define CH_STORE_CHANNELS_MAX 65536
#define CH_STORE_SECRETS_MAX (1u << 20)
#define CH_STORE_DISPOSED_MAX (1u << 20)
#define CH_STORE_OUTBOX_MAX (1u << 20)
#define CH_STORE_MEDIATED_MAX (1u << 20)
#define CH_STORE_ACK_PARTNERS_MAX 65536
/* Default number of acks kept per partner (the oldest go first). */
#define CH_STORE_ACKS_PER_PARTNER 1024
/* Largest stored ack packet (an Ack is 56 bytes). */
#define CH_STORE_ACK_MAX 64
/* Largest record value accepted when reading. */
#define CH_STORE_VALUE_MAX (1u << 20)

struct ch_store;

struct ch_store_options {
    size_t acks_per_partner;        /* 0 = CH_STORE_ACKS_PER_PARTNER */
};

/* A secret the hub knows or waits for (initiator's, learned as mediator or
 * target). reveal_state is the hub's own enumeration, stored as is. */
struct ch_store_secret {
    uint8_t secret_hash[32];
    bool has_secret;
    uint8_t secret[32];
    uint32_t reveal_state;
    uint64_t registered_block;      /* SecretRegistry reveal block, 0 = none */
};

/* A disposed lock. by_partner: the partner announced OUR lock disposed and
 * (additional_hash, sig) is its DisposedProof signature, the punish
 * evidence of §3.7.8; otherwise we disposed the partner's lock (sig is
 * ours, kept so that we never unlock it). */
struct ch_store_disposed {
    uint8_t channel_id[32];
    uint64_t open_block;
    bool by_partner;
    struct ch_lock lock;
    uint8_t additional_hash[32];
    uint8_t sig[CH_SIG_LEN];
};

/* One queued packet for a partner's channel, resent until acknowledged.
 * nonce is the balance proof nonce of an envelope; other queued messages
 * (Withdraw/Settle requests) use a number the hub assigns in that space. */
struct ch_store_outbox {
    uint8_t partner[20];
    uint8_t channel_id[32];
    uint64_t open_block;
    uint64_t nonce;
    size_t len;
    uint8_t packet[CH_PACKET_MAX];
};

/* A payment, by lock secret hash (mediated) or a hub-made id (direct).
 * status is Photon's transfer status (0 init .. 5 failed). */
struct ch_store_transfer {
    uint8_t id[32];
    uint8_t token[20];
    uint8_t initiator[20];
    uint8_t target[20];
    uint8_t channel_id[32];         /* the channel it left or arrived by */
    u256 amount;
    u256 fee;
    uint64_t expiration;            /* lock expiration, 0 for direct */
    uint64_t block;                 /* block number when it started */
    uint32_t status;
    bool direct;
    bool outgoing;                  /* we paid (else we received or mediated) */
};

/* Everything ch_store_load returns. Owned by the caller:
 * ch_store_state_free. */
struct ch_store_state {
    struct ch_channel *channels;    /* each fully assembled (ends, locks) */
    size_t n_channels;
    struct ch_store_secret *secrets;
    size_t n_secrets;
    struct ch_store_disposed *disposed;
    size_t n_disposed;
    struct ch_fee_policy fees;      /* the default policy when none stored */
    bool has_watchdog_block;
    uint64_t watchdog_block;
    struct ch_med_transfer *mediated;   /* transfers under way (secrets not filled) */
    size_t n_mediated;
};

/* Opens (creating) the store in directory dir, checks the schema version
 * (writing it on a new store) and loads the ack index.
 * Returns: 0; ERR_IO (LevelDB failed to open or read); ERR_UNSUPPORTED
 *          (another schema version); ERR_DECODE / ERR_RANGE (corrupt schema
 *          key or ack index); ERR_NOMEM.
 * In: dir; opts (NULL for defaults). Out: *out (ch_store_close). */
int ch_store_open(const char *dir, const struct ch_store_options *opts, struct ch_store **out);

/* Closes the store (an open turn is dropped, as a crash would). NULL is
 * ignored. */
void ch_store_close(struct ch_store *st);

/* Reads everything the hub keeps in memory: channels (with both ends and
 * lock trees), secrets, disposed locks, the fee policy, the watchdog
 * block and the mediated transfers under way.
 * Returns: 0; ERR_DECODE naming the corrupt record (bad RLP, a lock list
 *          that does not hash to its locksroot, a missing end); ERR_RANGE
 *          when a count exceeds its CH_STORE_*_MAX; ERR_UNSUPPORTED for a
 *          record version we do not know; ERR_IO; ERR_NOMEM. *out is then
 *          empty.
 * Out: *out (ch_store_state_free). */
int ch_store_load(struct ch_store *st, struct ch_store_state *out);

/* Frees what ch_store_load returned and zeroes *s. */
void ch_store_state_free(struct ch_store_state *s);

/* ---- turns ------------------------------------------------------------------ */

/* Starts a turn. Returns: 0, or ERR_BADSTATE when one is already open. */
int ch_store_begin(struct ch_store *st);

/* Writes every change of the turn in one batch (sync: wait for the disk)
 * and ends the turn. A turn with no change writes nothing.
 * Returns: 0; ERR_BADSTATE (no turn open); ERR_NOMEM (an encoding failed
 *          during the turn: nothing is written); ERR_IO. On error the turn
 *          is dropped (as ch_store_abort). */
int ch_store_commit(struct ch_store *st, bool sync);

/* Drops the open turn (nothing of it is written). */
void ch_store_abort(struct ch_store *st);

/* True while a turn is open. */
bool ch_store_in_turn(const struct ch_store *st);

/* Number of puts and deletes in the open turn. */
size_t ch_store_turn_ops(const struct ch_store *st);

/* ---- changes (each needs an open turn: ERR_BADSTATE otherwise; ERR_NOMEM
 * when encoding fails, which also spoils the turn's commit) ---------------- */

/* The channel record and both ends with their locks. */
int ch_store_put_channel(struct ch_store *st, const struct ch_channel *ch);

/* One end with its locks (what a balance proof step changes). */
int ch_store_put_end(struct ch_store *st, const struct ch_channel *ch, int side);

/* Deletes a channel life: its record, both ends, both lock lists and the
 * committed disposed-lock records under it. */
int ch_store_delete_channel(struct ch_store *st, const uint8_t channel_id[32],
                            uint64_t open_block);

int ch_store_put_secret(struct ch_store *st, const struct ch_store_secret *s);
int ch_store_delete_secret(struct ch_store *st, const uint8_t secret_hash[32]);

int ch_store_put_disposed(struct ch_store *st, const struct ch_store_disposed *d);

/* Queues e (ERR_RANGE when e->len is 0 or above CH_PACKET_MAX). */
int ch_store_put_outbox(struct ch_store *st, const struct ch_store_outbox *e);
int ch_store_delete_outbox(struct ch_store *st, const uint8_t partner[20],
                           const uint8_t channel_id[32], uint64_t open_block, uint64_t nonce);

/* Stores the ack packet sent for echo to partner; when the partner already
 * has acks_per_partner acks, the oldest is deleted in the same turn. Put an
 * echo once (answer duplicates from ch_store_get_ack).
 * Returns: 0; ERR_RANGE (len 0 or above CH_STORE_ACK_MAX, or too many
 *          partners); ERR_BADSTATE; ERR_NOMEM. */
int ch_store_put_ack(struct ch_store *st, const uint8_t partner[20], const uint8_t echo[32],
                     const uint8_t *packet, size_t len);

int ch_store_put_transfer(struct ch_store *st, const struct ch_store_transfer *t);
int ch_store_delete_transfer(struct ch_store *st, const uint8_t id[32]);

/* The whole fee policy (at most CH_FEE_ENTRIES_MAX entries of each kind). */
int ch_store_put_fees(struct ch_store *st, const struct ch_fee_policy *p);

int ch_store_put_watchdog_block(struct ch_store *st, uint64_t block);

/* A mediated transfer under way (by its secret hash) / its end. The secret
 * is not part of it: put it with ch_store_put_secret in the same turn. */
int ch_store_put_mediated(struct ch_store *st, const struct ch_med_transfer *t);
int ch_store_delete_mediated(struct ch_store *st, const uint8_t secret_hash[32]);

/* ---- getters (committed data) --------------------------------------------- */

/* Outbox entries in key order: by partner, channel, open block, then nonce
 * ascending. partner NULL: every partner (channel_id is then ignored);
 * channel_id NULL: every channel of the partner (open_block ignored).
 * Returns: 0; ERR_RANGE (more than CH_STORE_OUTBOX_MAX entries); ERR_DECODE
 *          (a corrupt entry, named); ERR_IO; ERR_NOMEM.
 * Out: *entries (malloc'ed, caller frees; NULL when *n is 0), *n. */
int ch_store_outbox_list(struct ch_store *st, const uint8_t partner[20],
                         const uint8_t channel_id[32], uint64_t open_block,
                         struct ch_store_outbox **entries, size_t *n);

/* The stored ack for echo.
 * Returns: 0; ERR_NOTFOUND (no context set); ERR_DECODE; ERR_IO.
 * Out: packet (CH_STORE_ACK_MAX bytes), *len, partner (may be NULL). */
int ch_store_get_ack(struct ch_store *st, const uint8_t echo[32],
                     uint8_t packet[CH_STORE_ACK_MAX], size_t *len, uint8_t partner[20]);

/* Number of acks kept for partner (from the in-memory index). */
size_t ch_store_ack_count(const struct ch_store *st, const uint8_t partner[20]);

/* The transfer of id. Returns: 0; ERR_NOTFOUND (no context); ERR_DECODE;
 * ERR_IO. */
int ch_store_get_transfer(struct ch_store *st, const uint8_t id[32], struct ch_store_transfer *out);

/* Calls fn for every stored transfer in id order until it returns non-zero
 * (which is then returned). Returns: 0, fn's value, ERR_DECODE, ERR_IO. */
int ch_store_each_transfer(struct ch_store *st,
                           int (*fn)(const struct ch_store_transfer *t, void *ctx), void *ctx);

#endif
