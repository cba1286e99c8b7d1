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
 * other packet gets no ack. DirectTransfer and Ping are handled in
 * hub_direct.c, the mediated transfer messages in hub_mediated.c (section
 * "mediated transfers" below); withdraw and settle come with their own part.
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

/* ---- mediated transfers (hub_mediated.c) ---- */
/* Payments over several hops with hashlocks (photon.md §3.7, §6;
 * doc/channels.md "Mediated transfers"). The hub plays every role: as
 * INITIATOR it locks amount + fees to the first hop of a route it chooses
 * (channel/mediated.h: the route rule over its own channels and the route
 * table below), answers the target's SecretRequest with RevealSecret, and
 * sends Unlock to the first hop once the secret comes back from it; as
 * MEDIATOR it forwards a received lock along the message's path with its
 * fee deducted and an earlier expiration, or announces it disposed (the
 * payer then removes it with AnnounceDisposedResponse and the initiator
 * tries another first hop); on RevealSecret from its payee it reveals the
 * secret to its payer and sends Unlock to the payee; as TARGET it asks the
 * initiator for the secret (when the lock leaves it reveal_timeout blocks)
 * and reveals it to its payer. A payee lock that expired without the secret
 * is removed with RemoveExpiredHashlock once expiration + 17 < now
 * (checked at every ch_hub_set_block). Every step follows the turn rule: a
 * secret is stored before it is revealed, a lock before it leaves, a
 * received proof before it is acknowledged; after a restart the hub sends
 * again what a transfer under way waits on (SecretRequest, RevealSecret,
 * AnnounceDisposed; the envelopes come back from the stored outboxes).
 * Statuses (enum ch_transfer_status) are in the transfer record whose id
 * is the secret hash: CAN_CANCEL while the lock is out and the secret
 * unrevealed, CANNOT_CANCEL once revealed, SUCCESS when the initiator sent
 * its Unlock / the target or a mediator received its payer's, FAILED when
 * no route was left, the lock was disposed or it expired. */

#include "channel/fees.h"
#include "channel/mediated.h"

/* Starts a mediated payment of `amount` (what the target receives) to
 * target for token: the secret (random when secret is NULL), the lock to
 * the first hop (amount + the route's fees, expiring at now + the
 * channel's settle_timeout − reveal_timeout, or `expiration` when that is
 * earlier and not 0), its MediatedTransfer and the transfer record are
 * stored in one turn, and the call returns once that turn is on disk.
 * Returns: 0; ERR_INVAL (amount 0, target is us, zero secret, a secret hash
 *          already used here, expiration leaving the first hop no reveal
 *          time); ERR_NOTFOUND (no route reaches the target); ERR_RANGE
 *          (every route costs more than fee_max, or needs more than its
 *          first channel's distributable); ERR_IO (not stored; the hub
 *          failed); ERR_BADSTATE (stopped).
 * In: secret (32 bytes, not all zero; may be NULL).
 * Out: secret_hash (sha256 of the secret: the transfer's id; may be NULL).
 * Thread: any but the hub's. */
int ch_hub_transfer_mediated(struct ch_hub *h, const uint8_t target[20], const uint8_t token[20],
                             const u256 *amount, const u256 *fee_max, uint64_t expiration,
                             const uint8_t secret[32], uint8_t secret_hash[32]);

/* The status of the transfer with this secret hash (stored record).
 * Returns: 0; ERR_NOTFOUND; ERR_DECODE; ERR_IO; ERR_BADSTATE. */
int ch_hub_transfer_status(struct ch_hub *h, const uint8_t secret_hash[32], uint32_t *status);

/* A copy of the transfer under way with this secret hash (its role,
 * stage, hops and locks; has_secret false and no secret in the copy).
 * Returns: 0; ERR_NOTFOUND (none under way: finished or unknown);
 *          ERR_BADSTATE. */
int ch_hub_get_mediated(struct ch_hub *h, const uint8_t secret_hash[32],
                        struct ch_med_transfer *out);

/* Number of transfers under way. Returns: 0 or ERR_BADSTATE. */
int ch_hub_mediated_count(struct ch_hub *h, size_t *n);

/* Replaces the hub's fee policy (photon.md §6: channel > token > account
 * settings; what this hub charges as a mediator) and stores it.
 * Returns: 0; ERR_RANGE (too many entries); ERR_NOMEM; ERR_IO; ERR_BADSTATE.
 * In: p (copied). */
int ch_hub_set_fee_policy(struct ch_hub *h, const struct ch_fee_policy *p);

/* Adds (or updates the fee of) a directed edge of the route table: node
 * e->from has a channel for e->token with e->to and charges e->fee to
 * forward over it. The table is in memory (the owner registers the routes
 * partners announce after each start, as peers).
 * Returns: 0; the errors of ch_med_graph_add; ERR_BADSTATE. */
int ch_hub_add_route(struct ch_hub *h, const struct ch_med_edge *e);
/* ---- end mediated transfers (hub_mediated.c) ---- */

/* ---- chain side (hub_chain.c) ---- */
/* The hub's side of the chain (doc/channels.md "Chain side"): the contract
 * events of each new block applied to the channels and fed to a watchdog
 * per channel (watchdog.h), in the turn rule like everything else, and the
 * contract calls the watchdog and the user ask for, returned as call data
 * for the caller to send (channel/chainclient.h sends them: the hub thread
 * never waits for the chain). */

#include "channel/contract.h"
#include "channel/events.h"
#include "util/bytes.h"

/* Runs fn(h, arg) on the hub thread as a command of a turn: whatever fn
 * adds to the store is committed (with fsync when it set turn_sync) before
 * this returns. fn runs with the hub's state (hub_internal.h) and must not
 * wait for another thread.
 * Returns: fn's result; ERR_BADSTATE (stopped, killed); ERR_IO (the turn
 *          could not be stored: the hub failed). Thread: any but the hub's. */
typedef int (*ch_hub_fn)(struct ch_hub *h, void *arg);
int ch_hub_run(struct ch_hub *h, ch_hub_fn fn, void *arg);

struct ch_hub_chain;

/* One contract event and the block it is in. */
struct ch_hub_event {
    uint64_t block;
    struct ch_event ev;
};

/* A contract call to send from the hub's account (value 0). */
struct ch_hub_tx {
    uint8_t to[20];
    struct bytes data;          /* owned (ch_hub_tx_free) */
    const char *what;           /* "updateBalanceProof", ...: static */
    uint8_t channel_id[32];
};

/* What the chain side keeps beyond ch_hub_channel_info. */
struct ch_hub_chain_info {
    uint64_t closed_block;      /* 0 while open */
    uint64_t settled_block;     /* 0 until settled */
    uint64_t settle_block;      /* closed_block + settle_timeout, 0 while open */
    bool closed_by_us;
    bool chain_bp[2];           /* a proof of that end is on chain */
    u256 chain_ta[2];           /* [CH_OURS] / [CH_PARTNER], as on chain */
};

/* Creates the chain side of hub h: reads the last processed block from the
 * store and builds a watchdog view of every stored channel (closed ones
 * with their on-chain state).
 * Returns: 0; ERR_NOMEM; the hub's errors (ERR_BADSTATE, ERR_IO); the
 *          store's (ERR_DECODE...).
 * In: tokens_network, secret_registry (the contract addresses).
 * Out: *out (ch_hub_chain_free); *last (the stored block; 0 with *has
 *      false on a new store). Thread: any but the hub's. */
int ch_hub_chain_new(struct ch_hub *h, const uint8_t tokens_network[20],
                     const uint8_t secret_registry[20], struct ch_hub_chain **out,
                     uint64_t *last, bool *has);

/* Frees the chain side (the hub is not touched). NULL is ignored. */
void ch_hub_chain_free(struct ch_hub_chain *c);

/* Applies the events of the blocks after the last processed one up to and
 * including `upto` (ev[0..n), in chain order, every block <= upto), moves
 * "now" to upto, lets every watchdog decide at upto, and stores the channels
 * changed with upto as the last processed block, in ONE turn. Events of
 * channels we are not in are ignored; ChannelOpenedAndDeposit naming us
 * starts a channel life (a new one after a settle or a withdraw).
 * Returns: 0; ERR_NOMEM; ERR_IO (not stored: the hub failed); ERR_BADSTATE.
 * Out: *txs (malloc'ed; ch_hub_txs_free), *ntx: the watchdog's actions as
 *      calls to send now (also after a failure to store, none). */
int ch_hub_chain_apply(struct ch_hub_chain *c, const struct ch_hub_event *ev, size_t n,
                       uint64_t upto, struct ch_hub_tx **txs, size_t *ntx);

/* Our unilateral close of channel_id's latest life: prepareSettle with the
 * partner's latest balance proof (none: nonce 0), or with `bp` when not NULL
 * (a proof the partner signed for this life, older or not: regtest tests
 * only, see channel_close: our watchdog then plays along and never posts
 * the partner's newest proof for this channel); the channel moves to
 * CLOSING in the same turn.
 * Returns: 0; ERR_NOTFOUND (no such channel); ERR_BADSTATE (not open, or
 *          a close / settle of ours under way); ERR_CRYPTO (bp not signed by
 *          the partner for this life); ERR_IO; ERR_NOMEM.
 * Out: tx (ch_hub_tx_free). */
int ch_hub_chain_close(struct ch_hub_chain *c, const uint8_t channel_id[32],
                       const struct ch_signed_bp *bp, struct ch_hub_tx *tx);

/* settle() of channel_id's latest life with both sides' on-chain proofs.
 * Returns: 0; ERR_NOTFOUND; ERR_BADSTATE (not closed, or the settle and
 *          punish windows are not over: the context names the first block
 *          settle may be in); ERR_NOMEM. Out: tx. */
int ch_hub_chain_settle(struct ch_hub_chain *c, const uint8_t channel_id[32],
                        struct ch_hub_tx *tx);

/* The chain side's facts of a channel life (open_block 0: the latest).
 * Returns: 0, ERR_NOTFOUND, ERR_BADSTATE. */
int ch_hub_chain_info(struct ch_hub_chain *c, const uint8_t channel_id[32], uint64_t open_block,
                      struct ch_hub_chain_info *out);

void ch_hub_tx_free(struct ch_hub_tx *tx);
void ch_hub_txs_free(struct ch_hub_tx *txs, size_t n);
/* ---- end chain side (hub_chain.c) ---- */

/* ---- withdraw and cooperative settle (hub_settle.c) ---- */
/* photon.md §3.8 (doc/channels.md "Withdraw and cooperative settle"). The
 * REQUESTER (ch_hub_withdraw / ch_hub_coop_settle) signs a WithdrawRequest
 * or SettleRequest carrying its contract signature, moves the channel to
 * WITHDRAWING / COOP_SETTLING (no new transfers either way) and queues the
 * request in the channel's outbox behind its earlier proofs, numbered our
 * nonce + 1 (stored, resent until acknowledged, also after a restart), all
 * in one turn. The PARTNER checks it (its signatures, this channel life, no
 * locks either way, amount within the requester's balance, balances equal
 * to its own view), moves to PARTNER_WITHDRAWING / PARTNER_COOP_SETTLING in
 * a stored turn and only then answers with a Response carrying its own
 * contract signature over the same message; from then on it never makes or
 * accepts a transfer on this life (the requester may send the transaction
 * at any time). A refusal is a Response with error_code != 0 whose contract
 * signature covers zero amounts, which the contract never accepts. The
 * requester keeps the partner's signature in memory (ch_hub_get_flow); the
 * caller sends withDraw / cooperativeSettle (ch_hub_flow_calldata), and the
 * ChannelWithdraw / ChannelCooperativeSettled event (hub_chain.c) starts the
 * channel's new life or settles it on both hubs. */

enum ch_flow_kind { CH_FLOW_WITHDRAW = 1, CH_FLOW_COOP_SETTLE = 2 };
enum ch_flow_status {
    CH_FLOW_PENDING = 1,        /* the request is out, no answer yet */
    CH_FLOW_READY = 2,          /* both contract signatures: send the transaction */
    CH_FLOW_REFUSED = 3,        /* the partner refused (error_code, error_msg) */
    CH_FLOW_DONE = 4,           /* the channel life ended (the event arrived) */
};

/* Our request on a channel life and what came back. p1 is us. */
struct ch_hub_flow {
    int kind;                       /* enum ch_flow_kind */
    int status;                     /* enum ch_flow_status */
    uint8_t channel_id[32];
    uint64_t open_block;
    uint8_t token[20];
    uint8_t p1[20], p2[20];
    u256 p1_balance;
    u256 p1_withdraw;               /* withdraw only */
    u256 p2_balance;                /* cooperative settle only */
    uint8_t p1_sig[CH_SIG_LEN];     /* our contract signature */
    uint8_t p2_sig[CH_SIG_LEN];     /* the partner's (READY) */
    int32_t error_code;             /* REFUSED: the partner's code (enum ch_code) */
    char error_msg[256];            /* REFUSED: its reason, cut to fit */
};

/* Most requests of ours under way at once (one per channel life). */
#define CH_HUB_FLOWS_MAX 4096

/* Asks the partner of channel_id's latest life to co-sign our withdraw of
 * amount, or (again) for its answer: when the channel is already
 * WITHDRAWING for this amount, the request is queued again if it is no
 * longer waiting for its ack (a lost response, a restart of either hub),
 * else nothing happens. Returns once the turn is on disk.
 * Returns: 0; ERR_NOTFOUND (no such channel); ERR_BADSTATE (not open, a
 *          withdraw or cooperative settle under way, locks pending, or our
 *          proofs still wait for their ack: retry after they are acked);
 *          ERR_INVAL (amount 0, another amount under way); ERR_RANGE
 *          (amount above our balance; CH_HUB_FLOWS_MAX requests under way);
 *          ERR_IO (not stored: the hub failed); ERR_NOMEM.
 *          The context names the channel.h code (CH_E_*) when it is one.
 * Out: code (may be NULL): the CH_E_* code of a refusal, else CH_OK.
 * Thread: any but the hub's. */
int ch_hub_withdraw(struct ch_hub *h, const uint8_t channel_id[32], const u256 *amount,
                    int *code);

/* The same for a cooperative settle at both current balances. */
int ch_hub_coop_settle(struct ch_hub *h, const uint8_t channel_id[32], int *code);

/* Our request under way on channel_id (its latest life): its status and,
 * when READY, both signatures. A request whose channel life has ended (the
 * ChannelWithdraw or ChannelCooperativeSettled event was applied) is
 * reported once as DONE and forgotten.
 * Returns: 0; ERR_NOTFOUND (no request of ours); ERR_BADSTATE. Out: *out. */
int ch_hub_get_flow(struct ch_hub *h, const uint8_t channel_id[32], struct ch_hub_flow *out);

/* The call data of a READY flow: withDraw(token, p1, p2, p1_balance,
 * p1_withdraw, p1_sig, p2_sig) or cooperativeSettle(token, p1, p1_balance,
 * p2, p2_balance, p1_sig, p2_sig), to send to TokensNetwork.
 * Returns: 0; ERR_BADSTATE (not READY); ERR_NOMEM. Out: out (appended).
 * Thread: any (pure). */
int ch_hub_flow_calldata(const struct ch_hub_flow *f, struct bytes *out);
/* ---- end withdraw and cooperative settle (hub_settle.c) ---- */

/* ---- user operations (hub_ops.c) ---- */
/* The rest of photon.md §5's user operations (doc/channels.md "User
 * operations"): the stored fee policy, mesh mode (§4.2), caller-held
 * secrets, cancel, a secret learned out of band, and the third-party
 * delegation bundle (§4.3). The ones that act on mediated transfers live in
 * hub_mediated.c (they share its roles' code), the others in hub_ops.c.
 * Every function waits for the hub's turn (Thread: any but the hub's) and
 * returns ERR_BADSTATE when the hub is stopped. */

/* A copy of the stored fee policy (ch_hub_set_fee_policy).
 * Returns: 0; ERR_NOMEM; ERR_BADSTATE.
 * Out: *out (initialised here; the caller frees it with ch_fee_policy_free,
 *      also after an error). */
int ch_hub_get_fee_policy(struct ch_hub *h, struct ch_fee_policy *out);

/* Mesh mode on or off (photon.md §4.2): while on, ch_hub_transfer_mediated
 * is refused (ERR_BADSTATE, context "mesh mode") and every received
 * MediatedTransfer is accepted and at once announced disposed (code
 * CH_MED_E_MESH = 1014) so that the payer gets its lock back without its
 * channel's outbox stalling; direct transfers, withdraw and settle go on.
 * In memory only: off after each start.
 * Returns: 0; ERR_BADSTATE. */
int ch_hub_set_mesh(struct ch_hub *h, bool mesh);
int ch_hub_get_mesh(struct ch_hub *h, bool *mesh);

/* ch_hub_transfer_mediated with the caller's secret HELD (Photon's
 * transfer with a user secret): the target's SecretRequest is left
 * unacknowledged (the target sends it again every resend interval) until
 * ch_hub_allow_reveal; the next one then gets the secret. Same arguments
 * (secret is required) and errors. */
int ch_hub_transfer_mediated_held(struct ch_hub *h, const uint8_t target[20],
                                  const uint8_t token[20], const u256 *amount,
                                  const u256 *fee_max, uint64_t expiration,
                                  const uint8_t secret[32], uint8_t secret_hash[32]);

/* Lets a held transfer of ours reveal its secret (stored first) when the
 * target's SecretRequest comes next (it is resent until acknowledged). A
 * transfer not held is left as it is.
 * Returns: 0; ERR_NOTFOUND (no transfer under way with that hash);
 *          ERR_INVAL (we are not its initiator); ERR_BADSTATE (it was
 *          cancelled); ERR_IO (not stored: the hub failed). */
int ch_hub_allow_reveal(struct ch_hub *h, const uint8_t secret_hash[32]);

/* Cancels a transfer we initiated whose secret we have not revealed
 * (status CAN_CANCEL): the status becomes CANCELED (Photon's 4) in a stored
 * turn and the secret is never revealed; the lock stays with the first hop
 * until it expires and is removed (expiration + 17), as Photon does. The
 * status stays CANCELED (not FAILED) through that removal or a disposal;
 * only a secret revealed by someone else (leaked) can still make it
 * SUCCESS. A second cancel is a no-op.
 * Returns: 0; ERR_NOTFOUND (unknown secret hash); ERR_INVAL (not ours:
 *          we are its mediator or target); ERR_BADSTATE (the secret was
 *          revealed, or the transfer ended: context names the status);
 *          ERR_IO. */
int ch_hub_cancel_transfer(struct ch_hub *h, const uint8_t secret_hash[32]);

/* Gives the hub the secret of a lock it holds as target or mediator,
 * learned out of band (Photon's registersecret): stored, then revealed to
 * the payer as if the payee or initiator had sent it (a mediator also
 * unlocks its payee when that is safe). Known already: nothing happens.
 * Returns: 0; ERR_NOTFOUND (no transfer under way with sha256(secret));
 *          ERR_INVAL (we initiated it: we have the secret); ERR_IO. */
int ch_hub_register_secret(struct ch_hub *h, const uint8_t secret[32]);

/* One lock of the partner's tree that a monitoring service may unlock for
 * us (unlockDelegate): the lock, its merkle proof in the partner's latest
 * locksroot, its secret and our UnlockDelegate signature naming the
 * delegatee. */
struct ch_hub_delegate_unlock {
    struct ch_lock lock;
    uint8_t proof[CH_PROOF_MAX];
    size_t proof_len;
    uint8_t secret[32];
    uint8_t sig[CH_SIG_LEN];
};

/* The partner's DisposedProof of one of our locks (punishObsoleteUnlock
 * with us as the beneficiary). */
struct ch_hub_delegate_punish {
    uint8_t lockhash[32];
    uint8_t additional_hash[32];
    uint8_t sig[CH_SIG_LEN];        /* the partner's */
};

/* The delegation bundle of photon.md §4.3 for one channel life. */
struct ch_hub_delegation {
    uint8_t channel_id[32];
    uint64_t open_block;
    uint8_t token[20];
    uint8_t partner[20];
    uint8_t participant[20];        /* us */
    uint8_t delegatee[20];
    bool has_update;                /* false: the partner sent no proof yet */
    struct ch_signed_bp partner_bp; /* its latest proof and signature */
    uint8_t participant_sig[CH_SIG_LEN]; /* ours, BalanceProofDelegate over it */
    struct ch_hub_delegate_unlock *unlocks; /* malloc'ed (ch_hub_delegation_free) */
    size_t n_unlocks;
    struct ch_hub_delegate_punish *punishes;
    size_t n_punishes;
};

/* Builds the bundle a monitoring service at `delegatee` needs to defend our
 * side of channel_id's latest life while we are away: the partner's newest
 * balance proof with our BalanceProofDelegate signature
 * (updateBalanceProofDelegate), every partner lock whose secret we know with
 * its proof and our UnlockDelegate signature (unlockDelegate), and every
 * DisposedProof the partner signed for our locks (punishObsoleteUnlock).
 * Signs with the hub key; changes nothing.
 * Returns: 0; ERR_NOTFOUND (no such channel); ERR_BADSTATE (settled, or
 *          the hub stopped); ERR_INVAL (the delegatee is the zero address);
 *          ERR_NOMEM; the store's errors (reading the disposed records).
 * Out: *out (ch_hub_delegation_free, also after an error). */
int ch_hub_third_party(struct ch_hub *h, const uint8_t channel_id[32],
                       const uint8_t delegatee[20], struct ch_hub_delegation *out);

/* Frees the arrays of d (NULL is ignored). */
void ch_hub_delegation_free(struct ch_hub_delegation *d);
/* ---- end user operations (hub_ops.c) ---- */

#endif
