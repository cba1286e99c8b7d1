/*
 * peer.c — see peer.h.
 *
 * Reading: the bufferevent's input is fed to the RLPx session chunk by
 * chunk; each completed message is handled before the next is decoded, and
 * handling stops as soon as the peer starts closing, so a peer that sent
 * garbage after a Disconnect is not read further. Closing is deferred to
 * the `closer` event, so on_closed (where the owner frees the peer) never
 * runs inside a peer function still using p.
 */
#include "net/peer.h"

#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "net/snappy.h"
#include "util/err.h"
#include "util/log.h"

#define CLOSE_FLUSH_SECONDS 2

int64_t peer_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec;
}

static const char *dir(const struct peer *p)
{
    return p->inbound ? "inbound" : "outbound";
}

static void addr_text(const struct sockaddr *sa, char *out, size_t cap,
                      struct enode_endpoint *ep);

/* ---- closing --------------------------------------------------------------- */

static void on_closer(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct peer *p = arg;
    p->cb->on_closed(p->ctx, p);
}

/* The request slot of a request or answer code, or -1. */
static int req_kind(uint64_t code)
{
    switch (code) {
    case ETH_GET_BLOCK_HEADERS: case ETH_BLOCK_HEADERS: return 0;
    case ETH_GET_BLOCK_BODIES: case ETH_BLOCK_BODIES: return 1;
    case ETH_GET_NODE_DATA: case ETH_NODE_DATA: return 2;
    case ETH_GET_RECEIPTS: case ETH_RECEIPTS: return 3;
    default: return -1;
    }
}

static void fail_request(struct peer *p, int kind)
{
    struct peer_req *r = &p->req[kind];
    if (!r->active)
        return;
    r->active = false;
    r->fn(r->arg, p, ERR_IO, NULL, 0);
}

/* Drops the socket now and schedules on_closed. */
static void close_now(struct peer *p)
{
    if (p->state == PEER_CLOSED)
        return;
    p->state = PEER_CLOSED;
    if (p->bev) {
        bufferevent_free(p->bev);
        p->bev = NULL;
    }
    if (p->timer)
        event_del(p->timer);
    for (int k = 0; k < PEER_REQ_KINDS; k++)
        fail_request(p, k);
    log_debug(LOG_NET, "peer %s %s closed: %s", dir(p), p->remote_addr, p->close_reason);
    struct timeval zero = {0, 0};
    event_add(p->closer, &zero);
}

static void set_reason(struct peer *p, const char *why)
{
    if (p->close_reason[0])
        return;
    size_t n = strlen(why);
    if (n >= sizeof p->close_reason)
        n = sizeof p->close_reason - 1;
    memcpy(p->close_reason, why, n);
    p->close_reason[n] = 0;
}

/* ---- sending --------------------------------------------------------------- */

/* Moves the session's output into the bufferevent. */
static int flush_session(struct peer *p)
{
    size_t n;
    const uint8_t *out = rlpx_session_output(&p->rlpx, &n);
    if (n == 0 || !p->bev)
        return 0;
    if (bufferevent_write(p->bev, out, n) != 0)
        return err_set(ERR_NOMEM, "peer: cannot queue %zu bytes", n);
    rlpx_session_drain(&p->rlpx, n);
    return 0;
}

/* Frames one message (wire code), compressing after the Hello when snappy. */
static int send_wire(struct peer *p, uint64_t code, const uint8_t *payload, size_t len)
{
    const uint8_t *body = payload;
    size_t blen = len;
    if (p->snappy && code != P2P_HELLO) {
        size_t cap = snappy_max_compressed_length(len);
        if (cap == 0)
            return err_set(ERR_RANGE, "peer: message of %zu bytes", len);
        bytes_reset(&p->scratch);
        if (bytes_reserve(&p->scratch, cap) != 0)
            return ERR_NOMEM;
        int rc = snappy_compress(payload, len, p->scratch.data, cap, &blen);
        if (rc)
            return rc;
        body = p->scratch.data;
    }
    int rc = rlpx_session_send(&p->rlpx, code, body, blen);
    if (rc == 0)
        rc = flush_session(p);
    return rc;
}

size_t peer_queued(const struct peer *p)
{
    return p->bev ? evbuffer_get_length(bufferevent_get_output(p->bev)) : 0;
}

/* A base protocol message (Ping, Pong, Disconnect). */
static void send_base(struct peer *p, uint64_t code, const struct bytes *b)
{
    if (b->oom || send_wire(p, code, b->data, b->len) != 0)
        log_debug(LOG_NET, "peer %s: cannot send base message %u", p->remote_addr,
                  (unsigned)code);
}

void peer_disconnect(struct peer *p, uint8_t reason, const char *why)
{
    if (p->state == PEER_CLOSING || p->state == PEER_CLOSED)
        return;
    char buf[sizeof p->close_reason];
    snprintf(buf, sizeof buf, "%.120s (%s)", why, p2p_disconnect_reason_name(reason));
    set_reason(p, buf);
    bool open = p->state >= PEER_HELLO && p->bev;
    p->state = PEER_CLOSING;
    if (!open) {
        close_now(p);
        return;
    }
    struct bytes b = BYTES_INIT;
    if (p2p_disconnect_encode(reason, &b) == 0)
        send_base(p, P2P_DISCONNECT, &b);
    bytes_free(&b);
    bufferevent_disable(p->bev, EV_READ);
    p->close_deadline = peer_now() + CLOSE_FLUSH_SECONDS;
    if (peer_queued(p) == 0)
        close_now(p);
    /* else the write callback closes once the output drained */
}

bool peer_misbehave(struct peer *p, enum peer_offence o, const char *why)
{
    bool ban = peer_score_add(&p->score, o);
    log_debug(LOG_NET, "peer %s: %s: %s (score %u)", p->remote_addr, peer_offence_name(o), why,
              (unsigned)p->score);
    if (!ban || p->state >= PEER_CLOSING)
        return p->state >= PEER_CLOSING;
    p->banned = true;
    char buf[sizeof p->close_reason];
    snprintf(buf, sizeof buf, "misbehaviour: %s: %.100s", peer_offence_name(o), why);
    peer_disconnect(p, o == PEER_OFFENCE_INVALID_BLOCK ? P2P_DISC_SUBPROTOCOL_ERROR
                                                       : P2P_DISC_PROTOCOL_ERROR, buf);
    return true;
}

int peer_send(struct peer *p, uint64_t code, const uint8_t *payload, size_t len)
{
    if (p->state != PEER_READY)
        return err_set(ERR_BADSTATE, "peer: not ready");
    if (!eth_code_valid(p->eth_version, code))
        return err_set(ERR_INVAL, "peer: eth/%u has no message %#x", (unsigned)p->eth_version,
                       (unsigned)code);
    if (len > ETH_MAX_MSG_SIZE)
        return err_set(ERR_RANGE, "peer: %s of %zu bytes is above the %u-byte limit",
                       eth_code_name(code), len, ETH_MAX_MSG_SIZE);
    if (peer_queued(p) > PEER_SEND_QUEUE_MAX) {
        peer_disconnect(p, P2P_DISC_REQUESTED, "send queue full: the peer reads too slowly");
        return err_set(ERR_RANGE, "peer: send queue full");
    }
    int rc = send_wire(p, P2P_CAP_OFFSET + code, payload, len);
    if (rc == ERR_NOMEM || rc == ERR_CRYPTO) {
        peer_disconnect(p, P2P_DISC_NETWORK_ERROR, err_msg());
    }
    return rc;
}

bool peer_busy(const struct peer *p, uint64_t code)
{
    int k = req_kind(code);
    return k < 0 || p->req[k].active;
}

int peer_request(struct peer *p, uint64_t code, const uint8_t *payload, size_t len,
                 peer_answer_fn fn, void *arg)
{
    int k = req_kind(code);
    if (k < 0 || (code != ETH_GET_BLOCK_HEADERS && code != ETH_GET_BLOCK_BODIES &&
                  code != ETH_GET_NODE_DATA && code != ETH_GET_RECEIPTS))
        return err_set(ERR_INVAL, "peer: %#x is not a request", (unsigned)code);
    if (p->req[k].active)
        return err_set(ERR_BADSTATE, "peer: a %s request is outstanding", eth_code_name(code));
    int rc = peer_send(p, code, payload, len);
    if (rc)
        return rc;
    struct peer_req *r = &p->req[k];
    r->active = true;
    r->fn = fn;
    r->arg = arg;
    r->deadline = peer_now() + PEER_REQUEST_TIMEOUT;
    return 0;
}

/* ---- receiving ------------------------------------------------------------- */

static void send_hello(struct peer *p)
{
    struct p2p_hello h;
    memset(&h, 0, sizeof h);
    h.version = P2P_VERSION;
    snprintf(h.client_id, sizeof h.client_id, "%s", p->cfg->client_id);
    h.client_id_len = strlen(h.client_id);
    h.cap_count = eth_caps(h.caps);
    h.listen_port = p->cfg->listen_port;
    memcpy(h.node_id, p->cfg->id, 64);
    struct bytes b = BYTES_INIT;
    int rc = p2p_hello_encode(&h, &b);
    if (rc == 0)
        rc = send_wire(p, P2P_HELLO, b.data, b.len);
    bytes_free(&b);
    if (rc)
        peer_disconnect(p, P2P_DISC_NETWORK_ERROR, "cannot send Hello");
}

static void copy_name(struct peer *p)
{
    size_t j = 0;
    for (size_t i = 0; i < p->hello.client_id_len && j + 1 < sizeof p->name; i++) {
        unsigned char c = (unsigned char)p->hello.client_id[i];
        p->name[j++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    p->name[j] = 0;
}

static void handle_hello(struct peer *p, const uint8_t *payload, size_t len)
{
    if (p2p_hello_decode(payload, len, &p->hello) != 0) {
        char why[200];
        snprintf(why, sizeof why, "bad Hello: %s", err_msg());
        peer_misbehave(p, PEER_OFFENCE_GARBAGE, why);
        return;
    }
    copy_name(p);
    if (memcmp(p->hello.node_id, p->remote.id, 64) != 0) {
        peer_disconnect(p, P2P_DISC_UNEXPECTED_IDENTITY, "Hello node id differs from the handshake");
        return;
    }
    struct p2p_cap ours[2];
    size_t n = eth_caps(ours);
    if (p2p_cap_negotiate(ours, n, p->hello.caps, p->hello.cap_count, ETH_NAME,
                          &p->eth_version) != 0) {
        peer_disconnect(p, P2P_DISC_USELESS_PEER, "no common eth version");
        return;
    }
    p->snappy = p->hello.version >= 5;
    uint8_t reason = P2P_DISC_REQUESTED;
    if (!p->cb->admit(p->ctx, p, &reason)) {
        peer_disconnect(p, reason, "not admitted");
        return;
    }
    size_t max_frame = snappy_max_compressed_length(ETH_MAX_MSG_SIZE) + 16;
    if (max_frame > RLPX_FRAME_SIZE_MAX)
        max_frame = RLPX_FRAME_SIZE_MAX;
    rlpx_session_set_max_frame(&p->rlpx, max_frame);
    p->state = PEER_STATUS;
    struct eth_status st;
    p->cb->get_status(p->ctx, &st);
    st.protocol_version = p->eth_version;
    struct bytes b = BYTES_INIT;
    int rc = eth_status_encode(&st, &b);
    if (rc == 0)
        rc = send_wire(p, P2P_CAP_OFFSET + ETH_STATUS, b.data, b.len);
    bytes_free(&b);
    if (rc)
        peer_disconnect(p, P2P_DISC_NETWORK_ERROR, "cannot send Status");
    log_debug(LOG_NET, "peer %s %s: Hello from %s, eth/%u%s", dir(p), p->remote_addr, p->name,
              (unsigned)p->eth_version, p->snappy ? ", snappy" : "");
}

static void handle_status(struct peer *p, const uint8_t *payload, size_t len)
{
    struct eth_status theirs, ours;
    if (eth_status_decode(payload, len, &theirs) != 0) {
        char why[200];
        snprintf(why, sizeof why, "bad Status: %s", err_msg());
        peer_misbehave(p, PEER_OFFENCE_GARBAGE, why);
        return;
    }
    p->cb->get_status(p->ctx, &ours);
    ours.protocol_version = p->eth_version;
    if (eth_status_check(&ours, &theirs) != 0) {
        char why[200];
        snprintf(why, sizeof why, "Status: %s", err_msg());
        peer_disconnect(p, P2P_DISC_SUBPROTOCOL_ERROR, why);
        return;
    }
    p->status = theirs;
    p->state = PEER_READY;
    p->last_ping = peer_now();
    p->cb->on_ready(p->ctx, p);
}

/* The largest decoded payload accepted for a wire code. */
static size_t payload_cap(uint64_t code)
{
    return code < P2P_CAP_OFFSET ? P2P_MAX_MSG_SIZE : ETH_MAX_MSG_SIZE;
}

static void handle_base(struct peer *p, uint64_t code, const uint8_t *payload, size_t len)
{
    switch (code) {
    case P2P_DISCONNECT: {
        uint8_t reason = 0;
        char why[160];
        if (p2p_disconnect_decode(payload, len, &reason) == 0)
            snprintf(why, sizeof why, "remote disconnected: %s",
                     p2p_disconnect_reason_name(reason));
        else
            snprintf(why, sizeof why, "remote disconnected");
        set_reason(p, why);
        p->state = PEER_CLOSING;
        close_now(p);
        return;
    }
    case P2P_PING: {
        struct bytes b = BYTES_INIT;
        if (p2p_pong_encode(&b) == 0)
            send_base(p, P2P_PONG, &b);
        bytes_free(&b);
        return;
    }
    case P2P_PONG:
        return;
    default:
        peer_misbehave(p, PEER_OFFENCE_GARBAGE, code == P2P_HELLO ? "second Hello"
                                                                : "unknown base message code");
    }
}

static void handle_eth(struct peer *p, uint64_t code, const uint8_t *payload, size_t len)
{
    if (p->state == PEER_STATUS) {
        if (code != ETH_STATUS) {
            peer_disconnect(p, P2P_DISC_SUBPROTOCOL_ERROR, "first eth message is not Status");
            return;
        }
        handle_status(p, payload, len);
        return;
    }
    if (code == ETH_STATUS) {
        peer_misbehave(p, PEER_OFFENCE_GARBAGE, "second Status");
        return;
    }
    bool answer = code == ETH_BLOCK_HEADERS || code == ETH_BLOCK_BODIES ||
                  code == ETH_NODE_DATA || code == ETH_RECEIPTS;
    if (answer) {
        struct peer_req *r = &p->req[req_kind(code)];
        if (!r->active) {
            peer_misbehave(p, PEER_OFFENCE_UNREQUESTED, eth_code_name(code));
            return;
        }
        r->active = false;
        r->fn(r->arg, p, 0, payload, len);
        return;
    }
    p->cb->on_eth(p->ctx, p, code, payload, len);
}

static void handle_message(struct peer *p, uint64_t code, const uint8_t *payload, size_t len)
{
    p->last_recv = peer_now();
    if (p->state == PEER_HELLO) {
        if (code == P2P_DISCONNECT) {
            handle_base(p, code, payload, len);
        } else if (code != P2P_HELLO) {
            peer_misbehave(p, PEER_OFFENCE_GARBAGE, "first message is not Hello");
        } else {
            handle_hello(p, payload, len);
        }
        return;
    }
    size_t cap = payload_cap(code);
    uint8_t *plain = NULL;
    if (p->snappy && len > 0) {
        size_t declared;
        if (snappy_uncompressed_length(payload, len, &declared) != 0) {
            peer_misbehave(p, PEER_OFFENCE_GARBAGE, "bad snappy length");
            return;
        }
        if (declared > cap) {
            peer_misbehave(p, PEER_OFFENCE_OVERSIZED, "message above its size limit");
            return;
        }
        size_t plen;
        if (snappy_decompress_alloc(payload, len, cap, &plain, &plen) != 0) {
            peer_misbehave(p, PEER_OFFENCE_GARBAGE, "bad snappy data");
            return;
        }
        payload = plain;
        len = plen;
    } else if (len > cap) {
        peer_misbehave(p, PEER_OFFENCE_OVERSIZED, "message above its size limit");
        return;
    }
    if (code < P2P_CAP_OFFSET)
        handle_base(p, code, payload, len);
    else if (!eth_code_valid(p->eth_version, code - P2P_CAP_OFFSET))
        peer_misbehave(p, PEER_OFFENCE_GARBAGE, "message code outside the negotiated protocols");
    else
        handle_eth(p, code - P2P_CAP_OFFSET, payload, len);
    free(plain);
}

static void on_session_error(struct peer *p, const struct rlpx_event *ev)
{
    char why[240];
    snprintf(why, sizeof why, "%s", ev->reason ? ev->reason : "rlpx: error");
    /* The session is FAILED: nothing more can be sent, not even Disconnect. */
    if (ev->error != ERR_NOMEM) {
        enum peer_offence o = ev->error == ERR_RANGE ? PEER_OFFENCE_OVERSIZED
                                                     : PEER_OFFENCE_GARBAGE;
        if (peer_score_add(&p->score, o))
            p->banned = true;
        char buf[sizeof p->close_reason];
        snprintf(buf, sizeof buf, "misbehaviour: %s: %.120s", peer_offence_name(o), why);
        set_reason(p, buf);
    } else {
        set_reason(p, why);
    }
    p->state = PEER_CLOSING;
    close_now(p);
}

static void on_read(struct bufferevent *bev, void *arg)
{
    struct peer *p = arg;
    struct evbuffer *in = bufferevent_get_input(bev);
    while (p->state != PEER_CLOSING && p->state != PEER_CLOSED && evbuffer_get_length(in) > 0) {
        struct evbuffer_iovec v;
        if (evbuffer_peek(in, -1, NULL, &v, 1) < 1 || v.iov_len == 0)
            break;
        size_t used = 0;
        struct rlpx_event ev;
        int rc = rlpx_session_feed(&p->rlpx, v.iov_base, v.iov_len, &used, &ev);
        evbuffer_drain(in, used);
        if (rc) {
            on_session_error(p, &ev);
            break;
        }
        if (ev.type == RLPX_EVENT_HANDSHAKE) {
            memcpy(p->remote.id, ev.remote_id, 64);
            p->state = PEER_HELLO;
            p->last_recv = peer_now();
            if (flush_session(p) == 0)
                send_hello(p);
        } else if (ev.type == RLPX_EVENT_MESSAGE) {
            handle_message(p, ev.code, ev.payload, ev.payload_len);
        }
        if (p->state != PEER_CLOSED && flush_session(p) != 0)
            peer_disconnect(p, P2P_DISC_NETWORK_ERROR, "cannot queue output");
    }
}

static void on_write(struct bufferevent *bev, void *arg)
{
    (void)bev;
    struct peer *p = arg;
    if (p->state == PEER_CLOSING && peer_queued(p) == 0)
        close_now(p);
}

static void on_bev_event(struct bufferevent *bev, short what, void *arg)
{
    (void)bev;
    struct peer *p = arg;
    if (what & BEV_EVENT_CONNECTED) {
        p->state = PEER_HANDSHAKE;
        int fd = bufferevent_getfd(p->bev);
        struct sockaddr_storage ls;
        socklen_t ll = sizeof ls;
        if (fd >= 0 && getsockname(fd, (struct sockaddr *)&ls, &ll) == 0)
            addr_text((struct sockaddr *)&ls, p->local_addr, sizeof p->local_addr, NULL);
        log_debug(LOG_NET, "peer outbound %s: connected", p->remote_addr);
        return;
    }
    if (what & BEV_EVENT_EOF)
        set_reason(p, p->state == PEER_CONNECTING ? "connection refused" : "connection closed");
    else if (what & (BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT)) {
        char buf[120];
        snprintf(buf, sizeof buf, "%s: %s",
                 p->state == PEER_CONNECTING ? "connect failed" : "socket error",
                 evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
        set_reason(p, buf);
    }
    close_now(p);
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct peer *p = arg;
    int64_t now = peer_now();
    if (p->state == PEER_CLOSING) {
        if (now >= p->close_deadline)
            close_now(p);
        return;
    }
    if (p->state < PEER_READY) {
        if (now - p->started >= PEER_HANDSHAKE_TIMEOUT)
            peer_disconnect(p, P2P_DISC_TIMEOUT, "handshake timeout");
        return;
    }
    if (p->state != PEER_READY)
        return;
    if (now - p->last_recv >= PEER_IDLE_TIMEOUT) {
        peer_disconnect(p, P2P_DISC_TIMEOUT, "idle timeout");
        return;
    }
    for (int k = 0; k < PEER_REQ_KINDS && p->state == PEER_READY; k++) {
        if (p->req[k].active && now >= p->req[k].deadline) {
            log_debug(LOG_NET, "peer %s: request timed out", p->remote_addr);
            fail_request(p, k);
        }
    }
    if (p->state != PEER_READY)
        return;
    if (now - p->last_ping >= PEER_PING_INTERVAL) {
        p->last_ping = now;
        struct bytes b = BYTES_INIT;
        if (p2p_ping_encode(&b) == 0)
            send_base(p, P2P_PING, &b);
        bytes_free(&b);
    }
}

/* ---- creation -------------------------------------------------------------- */

static void addr_text(const struct sockaddr *sa, char *out, size_t cap, struct enode_endpoint *ep)
{
    char ip[INET6_ADDRSTRLEN] = "?";
    unsigned port = 0;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *s = (const struct sockaddr_in *)sa;
        inet_ntop(AF_INET, &s->sin_addr, ip, sizeof ip);
        port = ntohs(s->sin_port);
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)sa;
        inet_ntop(AF_INET6, &s->sin6_addr, ip, sizeof ip);
        port = ntohs(s->sin6_port);
    }
    if (ep) {
        if (enode_set_ip(ep, ip) != 0)
            ep->ip_len = 0;
        ep->tcp_port = (uint16_t)port;
    }
    if (sa->sa_family == AF_INET6)
        snprintf(out, cap, "[%s]:%u", ip, port);
    else
        snprintf(out, cap, "%s:%u", ip, port);
}

static int create(struct event_base *base, const struct peer_config *cfg,
                  const struct peer_callbacks *cb, void *ctx, int fd, struct peer **out)
{
    *out = NULL;
    struct peer *p = calloc(1, sizeof *p);
    if (!p) {
        if (fd >= 0)
            close(fd);
        return err_set(ERR_NOMEM, "peer: out of memory");
    }
    p->base = base;
    p->cfg = cfg;
    p->cb = cb;
    p->ctx = ctx;
    p->started = p->last_recv = peer_now();
    p->bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
    p->timer = event_new(base, -1, EV_PERSIST, on_tick, p);
    p->closer = event_new(base, -1, 0, on_closer, p);
    int rc = 0;
    if (!p->bev) {
        if (fd >= 0)
            close(fd);
        rc = err_set(ERR_NOMEM, "peer: cannot create the bufferevent");
    } else if (!p->timer || !p->closer) {
        rc = err_set(ERR_NOMEM, "peer: cannot create timers");
    } else if (peer_known_init(&p->known_blocks, PEER_KNOWN_BLOCKS) ||
               peer_known_init(&p->known_txs, PEER_KNOWN_TXS)) {
        rc = ERR_NOMEM;
    }
    if (rc) {
        peer_free(p);
        return rc;
    }
    struct timeval sec = {1, 0};
    event_add(p->timer, &sec);
    bufferevent_setcb(p->bev, on_read, on_write, on_bev_event, p);
    *out = p;
    return 0;
}

int peer_accept(struct event_base *base, const struct peer_config *cfg,
                const struct peer_callbacks *cb, void *ctx, int fd, const struct sockaddr *sa,
                int salen, struct peer **out)
{
    (void)salen;
    evutil_make_socket_nonblocking(fd);
    int rc = create(base, cfg, cb, ctx, fd, out);
    if (rc)
        return rc;
    struct peer *p = *out;
    p->inbound = true;
    p->state = PEER_HANDSHAKE;
    addr_text(sa, p->remote_addr, sizeof p->remote_addr, &p->remote.ep);
    struct sockaddr_storage ls;
    socklen_t ll = sizeof ls;
    if (getsockname(fd, (struct sockaddr *)&ls, &ll) == 0)
        addr_text((struct sockaddr *)&ls, p->local_addr, sizeof p->local_addr, NULL);
    rc = rlpx_session_init_recipient(&p->rlpx, cfg->sk);
    rlpx_session_set_max_frame(&p->rlpx, PEER_HELLO_MAX_FRAME);
    if (rc == 0)
        rc = bufferevent_enable(p->bev, EV_READ | EV_WRITE) == 0 ? 0 : ERR_IO;
    if (rc) {
        peer_free(p);
        *out = NULL;
        return rc;
    }
    return 0;
}

int peer_connect(struct event_base *base, const struct peer_config *cfg,
                 const struct peer_callbacks *cb, void *ctx, const struct enode *to,
                 struct peer **out)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    int salen;
    if (to->ep.ip_len == 4) {
        struct sockaddr_in *s = (struct sockaddr_in *)&ss;
        s->sin_family = AF_INET;
        memcpy(&s->sin_addr, to->ep.ip, 4);
        s->sin_port = htons(to->ep.tcp_port);
        salen = sizeof *s;
    } else if (to->ep.ip_len == 16) {
        struct sockaddr_in6 *s = (struct sockaddr_in6 *)&ss;
        s->sin6_family = AF_INET6;
        memcpy(&s->sin6_addr, to->ep.ip, 16);
        s->sin6_port = htons(to->ep.tcp_port);
        salen = sizeof *s;
    } else {
        return err_set(ERR_INVAL, "peer: no address to dial");
    }
    if (to->ep.tcp_port == 0)
        return err_set(ERR_INVAL, "peer: no TCP port to dial");
    int rc = create(base, cfg, cb, ctx, -1, out);
    if (rc)
        return rc;
    struct peer *p = *out;
    p->inbound = false;
    p->state = PEER_CONNECTING;
    p->remote = *to;
    addr_text((struct sockaddr *)&ss, p->remote_addr, sizeof p->remote_addr, NULL);
    rc = rlpx_session_init_initiator(&p->rlpx, cfg->sk, to->id);
    rlpx_session_set_max_frame(&p->rlpx, PEER_HELLO_MAX_FRAME);
    if (rc == 0)
        rc = flush_session(p); /* the auth waits in the output until connected */
    if (rc == 0 && bufferevent_socket_connect(p->bev, (struct sockaddr *)&ss, salen) != 0) {
        /* An immediate failure: report it through on_closed like a late one. */
        set_reason(p, "connect failed");
        close_now(p);
        return 0;
    }
    if (rc == 0)
        rc = bufferevent_enable(p->bev, EV_READ | EV_WRITE) == 0 ? 0 : ERR_IO;
    if (rc) {
        peer_free(p);
        *out = NULL;
        return rc;
    }
    return 0;
}

void peer_free(struct peer *p)
{
    if (!p)
        return;
    if (p->bev)
        bufferevent_free(p->bev);
    if (p->timer)
        event_free(p->timer);
    if (p->closer)
        event_free(p->closer);
    rlpx_session_free(&p->rlpx);
    bytes_free(&p->scratch);
    peer_known_free(&p->known_blocks);
    peer_known_free(&p->known_txs);
    free(p);
}
