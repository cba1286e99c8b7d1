/*
 * peer.h — one devp2p connection: the RLPx session over a libevent
 * bufferevent, the base protocol (Hello, Ping/Pong, Disconnect, snappy),
 * the eth Status handshake, request/answer matching and the send queue.
 *
 * Why it is shaped this way: everything a single remote can do wrong is
 * handled here, in one place, before its bytes reach the node: the RLPx
 * handshake and the Hello/Status exchange must finish within the handshake
 * timeout (PEER_HANDSHAKE_TIMEOUT), frames are capped (a small cap until
 * Hello, then the eth message cap), snappy payloads are refused above the
 * message cap before anything is inflated (SNAPPY_DEVP2P_MAX at most),
 * message codes are checked against the negotiated eth version, and every
 * offence is scored (peer_score.h). The owner (the p2p service, p2p.h) sees
 * a peer only through callbacks: admit it after Hello (self, duplicate,
 * slots), learn that it is ready (Status accepted), receive its eth
 * messages (everything but Status and the answers to our own requests), and
 * free it once it closed.
 *
 * Requests: eth/63 answers carry no request id, so a peer has at most one
 * request of ours outstanding per kind (headers, bodies, node data,
 * receipts: peer_request); the next answer of that kind goes to the
 * request's callback, and an answer nobody asked for is an offence. This
 * is also the interface a sync module (net/sync.h) uses: choose a peer by
 * its Status (td), send GetBlockHeaders / GetBlockBodies with peer_request,
 * get the payload in the callback (or a timeout), one header and one body
 * request in flight per peer.
 *
 * Sending: peer_send frames into the session and hands the bytes to the
 * bufferevent. A peer whose unsent bytes exceed the send cap
 * (PEER_SEND_QUEUE_MAX) when something more is to be sent reads too slowly:
 * it is disconnected rather than buffered without bound.
 *
 * Ownership: the owner creates a peer with peer_accept / peer_connect and
 * frees it with peer_free, normally from its on_closed callback (which is
 * the last call the peer makes; it runs from the event loop, never from
 * inside another peer function). The config and callbacks must outlive it.
 * Threads: every function on the thread running the peer's event_base
 * (the p2p thread).
 */
#ifndef SPECTRUM_NET_PEER_H
#define SPECTRUM_NET_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/enode.h"
#include "net/eth_msg.h"
#include "net/p2p_msg.h"
#include "net/peer_known.h"
#include "net/peer_score.h"
#include "net/rlpx_session.h"

struct bufferevent;
struct event;
struct event_base;
struct sockaddr;

/* Timers, in seconds (geth: 5 s handshake, 15 s ping, 30 s frame read). */
#define PEER_HANDSHAKE_TIMEOUT 5
#define PEER_PING_INTERVAL 15
#define PEER_IDLE_TIMEOUT 30
#define PEER_REQUEST_TIMEOUT 10
/* Unsent bytes beyond which a peer is a slow reader. */
#define PEER_SEND_QUEUE_MAX (8u << 20)
/* Frame-size cap until the Hello is read (a Hello is at most
 * P2P_MAX_MSG_SIZE bytes). */
#define PEER_HELLO_MAX_FRAME (P2P_MAX_MSG_SIZE + 64)
/* Request kinds that can be in flight at once (one each). */
#define PEER_REQ_KINDS 4
/* Longest client id kept for display (admin_peers). */
#define PEER_NAME_MAX 128

enum peer_state {
    PEER_CONNECTING = 1,    /* outbound TCP connect in progress */
    PEER_HANDSHAKE,         /* RLPx auth/ack */
    PEER_HELLO,             /* waiting for the remote's Hello */
    PEER_STATUS,            /* waiting for the remote's eth Status */
    PEER_READY,             /* eth messages flow */
    PEER_CLOSING,           /* Disconnect queued, flushing */
    PEER_CLOSED,            /* socket gone; on_closed pending or done */
};

struct peer;

/* What a peer needs from its owner; the pointer is kept. */
struct peer_config {
    uint8_t sk[32];                 /* our node key */
    uint8_t id[64];                 /* its public key (our node id) */
    char client_id[64];             /* "spectrumd/<version>" */
    uint16_t listen_port;           /* announced in Hello (0: not listening) */
};

/* Owner callbacks. ctx is the owner's pointer given at creation. */
struct peer_callbacks {
    /* After the remote's Hello (node id checked against the handshake, eth
     * negotiated): return true to go on, or false with *reason set to drop
     * it (P2P_DISC_SELF, _ALREADY_CONNECTED, _TOO_MANY_PEERS). */
    bool (*admit)(void *ctx, struct peer *p, uint8_t *reason);
    /* Our Status to send and to check theirs against (genesis, network id);
     * protocol_version is set by the peer. */
    void (*get_status)(void *ctx, struct eth_status *out);
    /* The remote's Status matched ours: the peer is READY. */
    void (*on_ready)(void *ctx, struct peer *p);
    /* An eth message (code relative, valid for the version; not Status and
     * not an answer to one of our requests). The payload is decompressed
     * and valid during the call. */
    void (*on_eth)(void *ctx, struct peer *p, uint64_t code, const uint8_t *payload, size_t len);
    /* The connection is gone; the last call the peer makes: free it here
     * (or later). */
    void (*on_closed)(void *ctx, struct peer *p);
};

/* The answer to a request: status 0 with the answer's payload, or
 * ERR_IO (timed out or the peer closed: payload NULL). Runs on the p2p
 * thread; may call any peer function on p, including peer_request. */
typedef void (*peer_answer_fn)(void *arg, struct peer *p, int status, const uint8_t *payload,
                               size_t len);

/* Private fields except where marked "read-only"; use the functions. */
struct peer {
    struct event_base *base;
    const struct peer_config *cfg;
    const struct peer_callbacks *cb;
    void *ctx;
    struct bufferevent *bev;
    struct event *timer;            /* 1 s tick: deadlines, pings */
    struct event *closer;           /* deferred on_closed */
    struct rlpx_session rlpx;
    struct bytes scratch;           /* compression buffer */

    /* read-only for the owner */
    enum peer_state state;
    bool inbound;
    bool is_static;                 /* set by the owner: dialed from -connect etc. */
    struct enode remote;            /* id after the handshake; the address */
    char local_addr[64];            /* "ip:port" */
    char remote_addr[64];
    char name[PEER_NAME_MAX];       /* the Hello's client id, printable */
    struct p2p_hello hello;         /* theirs */
    bool snappy;                    /* both speak base protocol v5 */
    uint64_t eth_version;           /* negotiated (62 or 63) */
    struct eth_status status;       /* theirs; head and td follow NewBlock */
    struct peer_known known_blocks;
    struct peer_known known_txs;
    uint32_t score;
    bool banned;                    /* closed for misbehaviour: ban its IP */
    char close_reason[160];         /* why it closed (log, tests) */
    uint64_t serial;                /* set by the owner: a unique number */
    void *owner_data;               /* the owner's per-peer state */

    /* private */
    int64_t started, last_recv, last_ping, close_deadline;
    struct peer_req {
        bool active;
        peer_answer_fn fn;
        void *arg;
        int64_t deadline;
    } req[PEER_REQ_KINDS];          /* by kind: headers, bodies, node data, receipts */
};

/* Takes an accepted inbound socket and waits for the remote's auth.
 * Returns: 0, ERR_NOMEM, ERR_CRYPTO, ERR_IO (the socket is closed on
 * error). Args: fd  the socket (owned from now on); sa, salen  its remote
 * address. Out: *out (peer_free). */
int peer_accept(struct event_base *base, const struct peer_config *cfg,
                const struct peer_callbacks *cb, void *ctx, int fd, const struct sockaddr *sa,
                int salen, struct peer **out);

/* Dials `to` (its id, IP and TCP port) and starts the RLPx handshake as
 * initiator. Returns: 0 (the connect runs; a failure later ends in
 * on_closed), ERR_INVAL (no usable address), ERR_NOMEM, ERR_CRYPTO, ERR_IO.
 * Out: *out (peer_free). */
int peer_connect(struct event_base *base, const struct peer_config *cfg,
                 const struct peer_callbacks *cb, void *ctx, const struct enode *to,
                 struct peer **out);

/* Sends eth message `code` (relative; must be valid for the negotiated
 * version) with payload. Snappy-compresses when the peer speaks v5.
 * Returns: 0; ERR_BADSTATE (not READY); ERR_RANGE (payload above
 * ETH_MAX_MSG_SIZE: nothing sent; or the send queue is over
 * PEER_SEND_QUEUE_MAX: the peer is being disconnected); ERR_INVAL (code
 * not of the version); ERR_NOMEM / ERR_CRYPTO (the peer is disconnected). */
int peer_send(struct peer *p, uint64_t code, const uint8_t *payload, size_t len);

/* Sends request `code` (GetBlockHeaders, GetBlockBodies, GetNodeData or
 * GetReceipts) and arranges for its answer (the next message of the
 * answer's code) to reach fn, or a timeout after PEER_REQUEST_TIMEOUT s.
 * Returns: 0; ERR_BADSTATE when a request of that kind is outstanding or
 * the peer is not READY; peer_send's errors. */
int peer_request(struct peer *p, uint64_t code, const uint8_t *payload, size_t len,
                 peer_answer_fn fn, void *arg);

/* True when a request `code` (GetBlockHeaders, ...) of ours is outstanding
 * (true for a code that is no request). */
bool peer_busy(const struct peer *p, uint64_t code);

/* Records an offence (logged with `why`); at PEER_SCORE_BAN the peer is
 * marked banned and disconnected (P2P_DISC_PROTOCOL_ERROR, or
 * P2P_DISC_SUBPROTOCOL_ERROR for an invalid block).
 * Returns true when the peer is now being disconnected. */
bool peer_misbehave(struct peer *p, enum peer_offence o, const char *why);

/* Sends Disconnect(reason) when the session is open, flushes for at most
 * 2 s, then closes. `why` goes to the log and close_reason. Idempotent. */
void peer_disconnect(struct peer *p, uint8_t reason, const char *why);

/* Bytes waiting to be written to the socket. */
size_t peer_queued(const struct peer *p);

/* Releases everything (closing the socket without a Disconnect when still
 * open; no callback is made). NULL is ignored. */
void peer_free(struct peer *p);

/* Seconds on the monotonic clock (the peer timers' clock). */
int64_t peer_now(void);

#endif
