/*
 * p2p.h — the p2p service: the node's devp2p networking on its own thread.
 *
 * Why it is shaped this way: peers are slow, hostile or both, so none of
 * their work may run on the RPC loop or the chain thread. The service owns
 * a thread with its own libevent event_base; on it run the TCP listener,
 * the dialer of static peers (-connect, -addnode, admin_addPeer) with
 * exponential backoff, every peer connection (net/peer.h), the eth message
 * handlers (serving from the database, importing blocks and transactions
 * through the chain service's commands) and propagation. Other threads talk
 * to it only through the functions below, which queue work for it (under a
 * mutex, waking its loop) or read what it published (the peer list, under
 * the same mutex).
 *
 * Slots: at most max_peers connected peers; at most max_peers - max_peers/3
 * of them inbound (geth's dial ratio 3), so outbound peers always find room.
 * Static peers are dialed while they are not connected, whatever the
 * outbound count, as long as the total is under max_peers.
 *
 * Sync: the service drives the block synchroniser (net/sync.h) on its
 * thread: every READY peer is a sync peer (Status TD and head, NewBlock TD
 * updates), the sync's GetBlockHeaders / GetBlockBodies go out through
 * peer_request and their answers or timeouts come back to it, its
 * penalties become misbehaviour points, and complete blocks are imported
 * by a worker thread (through the chain service) while the next ones
 * download. Peers only a few blocks ahead are still caught up by the
 * ancestor fetch of a NewBlock. p2p_sync_progress is eth_syncing's source.
 *
 * Discovery: with cfg->discovery, discv4 (net/discv4.h) runs on the UDP
 * port of the same number as the TCP port, starting from cfg->bootnodes
 * (or the network's, net/bootnodes.h); the nodes it finds are dialed while
 * fewer than max_peers / 3 (at least 1) non-static outbound peers run.
 *
 * Identity: cfg->node_key is the devp2p key. On live networks it is the
 * chain's node key (the key that seals blocks); on regtest, where every node
 * seals with the same documented key, the node passes a per-data-directory
 * key instead (p2p_key.h) so that regtest nodes can tell each other apart.
 *
 * Threads: p2p_start and p2p_stop on the main thread; p2p_on_chain_event on
 * the chain thread (it only queues); the rest from any thread.
 */
#ifndef SPECTRUM_NET_P2P_H
#define SPECTRUM_NET_P2P_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/enode.h"
#include "net/sync.h"
#include "primitives/address.h"
#include "primitives/u256.h"

struct chainsvc;
struct chainsvc_event;
struct p2p;

/* Defaults (geth's and spec §12's). */
#define P2P_DEFAULT_MAX_PEERS 25
#define P2P_MAX_STATIC 256          /* -connect + -addnode + admin_addPeer */
#define P2P_MAX_PENDING 32          /* connections still in their handshake */
/* Dial backoff of a static peer: 1 s, doubling to 5 min. */
#define P2P_BACKOFF_MIN 1
#define P2P_BACKOFF_MAX 300
/* Most transactions taken from one Transactions message. */
#define P2P_MAX_TXS_PER_MSG 4096
/* Most block announcements looked at in one NewBlockHashes message. */
#define P2P_MAX_ANNOUNCES 256
/* Most ancestors fetched from a peer to connect a new block. */
#define P2P_MAX_ANCESTORS 512
/* Pending transactions queued for propagation; more are not relayed. */
#define P2P_TX_QUEUE_MAX 8192

struct p2p_config {
    struct chainsvc *chain;             /* required; must outlive the service */
    uint8_t node_key[32];               /* devp2p identity (copied; wipe yours) */
    bool listen;                        /* accept inbound connections */
    char bind[64];                      /* listen address literal ("0.0.0.0", "::1") */
    uint16_t port;                      /* TCP port (0 for tests: any free port) */
    uint16_t advertised_port;           /* in the Hello and enode (0: = port) */
    size_t max_peers;                   /* > 0 */
    const struct enode *connect;        /* -connect: only these (copied) */
    size_t nconnect;
    const struct enode *addnode;        /* -addnode (copied) */
    size_t naddnode;
    bool discovery;                     /* see the discovery note above */
    const struct enode *bootnodes;      /* for discovery (copied) */
    size_t nbootnodes;
    int64_t ban_seconds;                /* misbehaviour ban (0: PEER_BAN_SECONDS) */
};

/*
 * Starts the service: binds the listener (when cfg->listen), starts the
 * thread, queues the static peers for dialing, and logs
 * "P2P: listening on <addr>, enode <url>" (or "not listening").
 * Returns 0; ERR_INVAL (bad config: max_peers 0, bind not an IP literal,
 * too many static peers); ERR_IO ("Unable to bind the p2p port ..."), with
 * nothing left running; ERR_NOMEM; ERR_BADSTATE (no thread).
 * Out: *out (p2p_stop). Thread: main, after evthread_use_pthreads.
 */
int p2p_start(const struct p2p_config *cfg, struct p2p **out);

/* Disconnects every peer (Disconnect "client quitting"), stops the thread
 * and frees the service. Call it before chainsvc_stop, after
 * chainsvc_request_stop (so a command the thread waits on returns) and
 * after detaching p2p_on_chain_event. NULL is ignored. Thread: main. */
void p2p_stop(struct p2p *s);

/* The chain's event callback's part for p2p: a new head is queued for
 * propagation (NewBlock to sqrt(n) peers, NewBlockHashes to the others), a
 * new pending transaction for relaying (never a chief update transaction).
 * Only copies and queues; never waits. Thread: the chain thread. */
void p2p_on_chain_event(struct p2p *s, const struct chainsvc_event *ev);

/* Adds a static peer (admin_addPeer) and dials it soon.
 * Returns 0, ERR_RANGE (P2P_MAX_STATIC reached), ERR_INVAL (no address or
 * our own id). Thread: any. */
int p2p_add_peer(struct p2p *s, const struct enode *n);

/* Connected peers (Status exchanged). Thread: any. */
size_t p2p_peer_count(struct p2p *s);

/* True when the service accepts inbound connections. Thread: any. */
bool p2p_listening(const struct p2p *s);

/* This node as peers see it: id, the advertised IP (the bind address, or
 * 127.0.0.1 when bound to any) and the listening port (0 without a
 * listener). Thread: any. */
void p2p_self(const struct p2p *s, struct enode *out);

/* The synchroniser's progress as last published (syncing false when no
 * round runs): eth_syncing's startingBlock, currentBlock, highestBlock.
 * Thread: any (a copy under the service's mutex). */
void p2p_sync_progress(struct p2p *s, struct sync_progress *out);

/* One connected peer, as admin_peers shows it. */
struct p2p_peer_info {
    uint8_t id[64];
    char name[128];                 /* client id, printable */
    char caps[8][40];               /* "eth/63", ... */
    size_t ncaps;
    char local_addr[64], remote_addr[64];
    bool inbound, is_static;
    uint64_t eth_version;
    u256 td;                        /* the peer's, from Status and NewBlock */
    struct hash32 head;
};

/* Copies the connected peers. Returns 0 or ERR_NOMEM.
 * Out: *out (free()), *n. Thread: any. */
int p2p_peers(struct p2p *s, struct p2p_peer_info **out, size_t *n);

#endif
