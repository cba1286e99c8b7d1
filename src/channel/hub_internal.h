/*
 * hub_internal.h — the hub service's state, shared by hub.c (thread, turns,
 * commands, start and stop) and hub_direct.c (direct transfers out and in,
 * acks, duplicates). Not a public header: everything here belongs to the
 * hub thread unless a field says "mu".
 */
#ifndef SPECTRUM_CHANNEL_HUB_INTERNAL_H
#define SPECTRUM_CHANNEL_HUB_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "channel/channel.h"
#include "channel/hub.h"
#include "channel/mediated.h"
#include "channel/store.h"
#include "channel/transport.h"

struct event;
struct event_base;

struct ch_hub {
    struct ch_hub_config cfg;
    uint8_t addr[20];
    uint16_t port;

    struct ch_store *st;
    struct ch_channel *ch;          /* every channel life we know */
    size_t nch, cap_ch;
    struct ch_transport *tp;
    struct event_base *base;
    struct event *wake;
    pthread_t thread;
    bool thread_started;

    pthread_mutex_t mu;
    pthread_cond_t done_cv;
    /* mu: */
    struct hub_cmd *q_head, *q_tail;
    bool stopping;
    bool dead_pub;

    /* hub thread: */
    bool in_turn;
    bool turn_sync;                 /* the turn holds something that needs the fsync */
    bool failed;                    /* a turn could not be stored */
    bool dead;                      /* killed by the crash hook */
    struct ch_hub_stats stats;
    /* issue 7: mediated (hub_mediated.c) */
    struct ch_med_transfer *med;    /* transfers under way */
    size_t nmed, cap_med;
    struct ch_med_graph graph;      /* the route table */
    struct ch_fee_policy fees;      /* what we charge as a mediator */
    /* end issue 7: mediated */
    /* issue 7: settle (hub_settle.c) */
    struct ch_hub_flow *flows;      /* our withdraw / cooperative settle requests */
    size_t nflows, cap_flows;
    /* end issue 7: settle */
};

/* hub.c: opens the turn if it is not open yet. Returns 0 or the store's
 * error (the hub is then failed). */
int hub_turn_begin(struct ch_hub *h);

/* hub.c: the channel life (channel_id, open_block), or NULL. */
struct ch_channel *hub_find_channel(struct ch_hub *h, const uint8_t channel_id[32],
                                    uint64_t open_block);

/* hub_direct.c: makes one direct transfer in the open turn (see
 * ch_hub_transfer). */
int hub_make_direct(struct ch_hub *h, const uint8_t partner[20], const uint8_t token[20],
                    const u256 *amount, uint8_t id[32]);

/* hub_direct.c: transport callbacks. */
void hub_on_packet(void *ctx, const struct ch_msg *m, const uint8_t *pkt, size_t len,
                   const struct sockaddr *from, socklen_t fromlen,
                   uint8_t ack[CH_TRANSPORT_ACK_MAX], size_t *ack_len);
void hub_on_acked(void *ctx, const uint8_t partner[20], const uint8_t channel_id[32],
                  uint64_t open_block, uint64_t nonce);

/* issue 7: mediated (hub_mediated.c) */
/* Takes the fee policy and the transfers under way out of *st (filling
 * their secrets from st's secret records). Returns 0 or ERR_NOMEM. */
int hub_med_init(struct ch_hub *h, struct ch_store_state *st);
/* Frees what hub_med_init took. */
void hub_med_free(struct ch_hub *h);
/* At start, after the outboxes are queued: queues again the loose packets
 * the transfers under way wait on (SecretRequest, RevealSecret,
 * AnnounceDisposed), sent with the next flush. */
void hub_med_resume(struct ch_hub *h);
/* In a turn, after "now" moved: removes our expired payee locks. Returns 0
 * or ERR_IO (the hub failed). */
int hub_med_on_block(struct ch_hub *h);
/* The transport's packet callback: mediated messages here, the rest to
 * hub_on_packet. */
void hub_med_on_packet(void *ctx, const struct ch_msg *m, const uint8_t *pkt, size_t len,
                       const struct sockaddr *from, socklen_t fromlen,
                       uint8_t ack[CH_TRANSPORT_ACK_MAX], size_t *ack_len);
/* end issue 7: mediated */

/* issue 7: settle (hub_settle.c) */
/* Frees the flows (free_hub). */
void hub_settle_free(struct ch_hub *h);
/* The transport's packet callback: WithdrawRequest / WithdrawResponse /
 * SettleRequest / SettleResponse here, the rest to hub_med_on_packet. */
void hub_settle_on_packet(void *ctx, const struct ch_msg *m, const uint8_t *pkt, size_t len,
                          const struct sockaddr *from, socklen_t fromlen,
                          uint8_t ack[CH_TRANSPORT_ACK_MAX], size_t *ack_len);
/* end issue 7: settle */

#endif
