/*
 * ws.c — the WebSocket server; see ws.h.
 *
 * libevent 2.1's evhttp cannot hand a connection over after an Upgrade, so
 * this server owns its sockets: an evconnlistener per address and a
 * bufferevent per connection. The protocol itself (handshake parsing,
 * frames) is in wsproto.c; this file is the connection life cycle:
 *
 *   accept → HANDSHAKE (10 s to send it) → OPEN → CLOSING (our close frame
 *   queued; freed once it is written) → gone
 *
 * A connection struct outlives its socket while jobs are in flight (each
 * holds a reference), so a reply that arrives after the client left finds a
 * closed connection and is dropped.
 */
#include "rpc/ws.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <netinet/in.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "rpc/addr.h"
#include "rpc/auth.h"
#include "rpc/job.h"
#include "rpc/logfilter.h"
#include "rpc/options.h"
#include "rpc/wsproto.h"
#include "util/err.h"
#include "util/hex.h"
#include "util/log.h"

#define HANDSHAKE_SECONDS 10
#define CLOSE_SECONDS 5

enum conn_state { ST_HANDSHAKE, ST_REFUSING, ST_OPEN, ST_CLOSING, ST_GONE };

struct sub {
    char id[RPC_SUB_ID_SIZE];
    enum rpc_sub_kind kind;
    struct logfilter filter;
    bool full;
    struct ws_conn *conn;
    struct sub *conn_next;              /* the connection's list */
    struct sub *kind_prev, *kind_next;  /* the server's list for this kind */
};

struct ws_conn {
    struct rpc_ws *ws;
    struct bufferevent *bev;
    struct ws_conn *prev, *next;
    enum conn_state state;
    bool authenticated;
    struct ws_reader reader;
    unsigned refs;          /* 1 while the socket lives, +1 per job in flight */
    unsigned inflight;
    bool processing;        /* inside process_input (no re-entry) */
    struct sub *subs;
    size_t nsubs;
    int64_t last_seen;      /* monotonic seconds */
    char peer[RPC_ADDR_TEXT_MAX];
};

struct pub_event {
    enum rpc_sub_kind kind;
    json_t *payload;
    struct pub_event *next;
};

struct rpc_ws {
    struct event_base *base;
    const struct rpc_config *cfg;
    const struct rpc_auth *auth;
    struct rpc_host *host;
    struct evconnlistener *listeners[RPC_ENDPOINTS_MAX];
    size_t nlisteners;
    bool paused;                        /* listeners disabled at max connections */
    struct ws_conn *conns;
    size_t nconns;
    struct sub *subs[RPC_SUB_KINDS];
    struct event *ping_timer;
    struct event *resume_timer;
    time_t last_403, last_401;
    /* publish queue, shared with publishers on other threads */
    pthread_mutex_t mu;
    struct pub_event *q_head, *q_tail;
    size_t q_len;
    struct event *q_event;
};

static int64_t now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec;
}

/* True at most once per second per `last` (refusals are logged, not flooded). */
static bool log_now(time_t *last)
{
    time_t t = time(NULL);
    if (t == *last)
        return false;
    *last = t;
    return true;
}

static void conn_destroy(struct ws_conn *c);
static void process_input(struct ws_conn *c);

/* ---- connection bookkeeping ---------------------------------------------- */

static void listeners_set(struct rpc_ws *ws, bool on)
{
    if (ws->paused == !on)
        return;
    ws->paused = !on;
    for (size_t i = 0; i < ws->nlisteners; i++) {
        if (on)
            evconnlistener_enable(ws->listeners[i]);
        else
            evconnlistener_disable(ws->listeners[i]);
    }
}

static void conn_unref(struct ws_conn *c)
{
    if (--c->refs == 0) {
        ws_reader_free(&c->reader);
        free(c);
    }
}

static void sub_free(struct rpc_ws *ws, struct sub *s)
{
    if (s->kind_prev)
        s->kind_prev->kind_next = s->kind_next;
    else
        ws->subs[s->kind] = s->kind_next;
    if (s->kind_next)
        s->kind_next->kind_prev = s->kind_prev;
    logfilter_free(&s->filter);
    free(s);
}

/* Frees the socket; the struct stays while jobs hold references. */
static void conn_destroy(struct ws_conn *c)
{
    struct rpc_ws *ws = c->ws;
    if (c->state == ST_GONE)
        return;
    c->state = ST_GONE;
    while (c->subs) {
        struct sub *s = c->subs;
        c->subs = s->conn_next;
        sub_free(ws, s);
    }
    c->nsubs = 0;
    if (c->bev)
        bufferevent_free(c->bev);
    c->bev = NULL;
    if (c->prev)
        c->prev->next = c->next;
    else
        ws->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    ws->nconns--;
    if (ws->nconns < ws->cfg->max_connections)
        listeners_set(ws, true);
    log_debug(LOG_RPC, "ws: %s disconnected", c->peer);
    conn_unref(c);
}

/* Write callback while closing: free once everything was sent. */
static void on_drained(struct bufferevent *bev, void *arg)
{
    struct ws_conn *c = arg;
    if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
        conn_destroy(c);
}

static void on_event(struct bufferevent *bev, short what, void *arg)
{
    conn_destroy(arg);
}

static void on_read(struct bufferevent *bev, void *arg);

/* Stops reading and frees the connection once the output is flushed (at
 * most CLOSE_SECONDS later). */
static void conn_finish(struct ws_conn *c, enum conn_state st)
{
    c->state = st;
    bufferevent_disable(c->bev, EV_READ);
    struct timeval tv = {CLOSE_SECONDS, 0};
    bufferevent_set_timeouts(c->bev, NULL, &tv);
    bufferevent_setcb(c->bev, NULL, on_drained, on_event, c);
    if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
        conn_destroy(c);
}

static void send_frame(struct ws_conn *c, int opcode, const void *payload, size_t len)
{
    uint8_t hdr[WS_HEADER_MAX];
    size_t hl = ws_frame_header(hdr, opcode, true, len, NULL);
    struct evbuffer *out = bufferevent_get_output(c->bev);
    evbuffer_add(out, hdr, hl);
    if (len)
        evbuffer_add(out, payload, len);
}

static void cleanup_free(const void *data, size_t len, void *arg)
{
    free((void *)data);
}

/* Sends a text message, taking the malloc'ed body. */
static void send_text(struct ws_conn *c, char *body, size_t len)
{
    uint8_t hdr[WS_HEADER_MAX];
    size_t hl = ws_frame_header(hdr, WS_OP_TEXT, true, len, NULL);
    struct evbuffer *out = bufferevent_get_output(c->bev);
    evbuffer_add(out, hdr, hl);
    if (evbuffer_add_reference(out, body, len, cleanup_free, NULL) != 0)
        free(body);
}

/* Queues a close frame and finishes the connection. */
static void conn_close(struct ws_conn *c, unsigned code, const char *reason)
{
    if (c->state != ST_OPEN)
        return;
    uint8_t p[WS_CONTROL_MAX];
    size_t n = 0;
    if (code != WS_CLOSE_NO_STATUS) {
        p[0] = (uint8_t)(code >> 8);
        p[1] = (uint8_t)code;
        size_t rl = strlen(reason);
        if (rl > WS_CONTROL_MAX - 2)
            rl = WS_CONTROL_MAX - 2;
        memcpy(p + 2, reason, rl);
        n = 2 + rl;
    }
    send_frame(c, WS_OP_CLOSE, p, n);
    conn_finish(c, ST_CLOSING);
}

/* True when the client is too far behind: drop it rather than buffer more. */
static bool too_slow(struct ws_conn *c)
{
    if (evbuffer_get_length(bufferevent_get_output(c->bev)) <= RPC_WS_OUTPUT_MAX)
        return false;
    log_info("ws: dropping %s: %u MiB of replies and notifications unread", c->peer,
             RPC_WS_OUTPUT_MAX >> 20);
    conn_close(c, WS_CLOSE_POLICY, "client too slow");
    return true;
}

/* ---- requests -------------------------------------------------------------- */

static void stop_cb(evutil_socket_t fd, short what, void *arg)
{
    const struct rpc_env *env = arg;
    if (env->request_stop)
        env->request_stop(env->stop_arg);
}

static void on_reply(void *target, int status, char *body, size_t len, unsigned after)
{
    struct ws_conn *c = target;
    c->inflight--;
    if (c->state == ST_OPEN) {
        if (status == 200 && body)
            send_text(c, body, len);
        else
            free(body);
        if (status == 503)
            conn_close(c, WS_CLOSE_GOING_AWAY, "server stopping");
        else if (after & RPC_AFTER_STOP) {
            struct timeval tv = {0, 100000};
            event_base_once(c->ws->base, -1, EV_TIMEOUT, stop_cb, (void *)c->ws->host->env, &tv);
        }
        if (c->state == ST_OPEN && !too_slow(c) && !c->processing &&
            c->inflight == RPC_WS_INFLIGHT_MAX - 1)
            process_input(c);   /* reading was paused at the limit */
    } else {
        free(body);
    }
    conn_unref(c);
}

static void handle_message(struct ws_conn *c)
{
    size_t len;
    char *body = (char *)bytes_steal(&c->reader.msg, &len);
    if (!body) {
        body = malloc(1);
        len = 0;
        if (!body) {
            conn_close(c, WS_CLOSE_INTERNAL, "out of memory");
            return;
        }
    }
    c->inflight++;
    c->refs++;
    rpc_host_submit(c->ws->host, body, len, c->authenticated, RPC_TRANSPORT_WS, c, on_reply, c);
}

/* Runs every complete frame waiting in the input buffer. */
static void process_input(struct ws_conn *c)
{
    struct evbuffer *in = bufferevent_get_input(c->bev);
    c->processing = true;
    c->refs++;
    while (c->state == ST_OPEN && c->inflight < RPC_WS_INFLIGHT_MAX) {
        size_t avail = evbuffer_get_length(in);
        if (avail < 2)
            break;
        size_t hn = avail < WS_HEADER_MAX ? avail : WS_HEADER_MAX;
        const uint8_t *buf = evbuffer_pullup(in, (ev_ssize_t)hn);
        size_t used = 0;
        int rc = ws_read(&c->reader, buf, hn, &used);
        if (rc == WS_NEED_MORE) {
            size_t total = ws_frame_total(buf, hn);
            if (total == 0 || total > avail)
                break;
            buf = evbuffer_pullup(in, (ev_ssize_t)total);
            if (!buf) {
                conn_close(c, WS_CLOSE_INTERNAL, "out of memory");
                goto out;
            }
            rc = ws_read(&c->reader, buf, total, &used);
        }
        if (rc < 0) {
            const char *why = rc == -WS_CLOSE_TOO_BIG   ? "message too big"
                              : rc == -WS_CLOSE_BAD_DATA ? "invalid UTF-8"
                                                         : "protocol error";
            log_debug(LOG_RPC, "ws: closing %s: %s", c->peer, why);
            conn_close(c, (unsigned)-rc, why);
            goto out;
        }
        if (rc == WS_NEED_MORE)
            break;
        evbuffer_drain(in, used);
        c->last_seen = now_s();
        switch (rc) {
        case WS_MESSAGE:
            handle_message(c);
            break;
        case WS_PING:
            send_frame(c, WS_OP_PONG, c->reader.control, c->reader.control_len);
            break;
        case WS_CLOSE:
            conn_close(c, c->reader.close_code, "");
            goto out;
        default:
            break;
        }
    }
out:
    c->processing = false;
    conn_unref(c);
}

/* ---- handshake ------------------------------------------------------------- */

static void refuse(struct ws_conn *c, int status, const char *reason, const char *extra)
{
    const char *text = status == 401   ? "Unauthorized"
                       : status == 403 ? "Forbidden"
                       : status == 405 ? "Method Not Allowed"
                       : status == 426 ? "Upgrade Required"
                       : status == 431 ? "Request Header Fields Too Large"
                                       : "Bad Request";
    evbuffer_add_printf(bufferevent_get_output(c->bev),
                        "HTTP/1.1 %d %s\r\nConnection: close\r\n%sContent-Type: text/plain\r\n"
                        "Content-Length: %zu\r\n\r\n%s\n",
                        status, text, extra ? extra : "", strlen(reason) + 1, reason);
    conn_finish(c, ST_REFUSING);
}

static void handshake(struct ws_conn *c)
{
    struct evbuffer *in = bufferevent_get_input(c->bev);
    struct evbuffer_ptr end = evbuffer_search(in, "\r\n\r\n", 4, NULL);
    if (end.pos < 0) {
        if (evbuffer_get_length(in) > WS_HANDSHAKE_MAX)
            refuse(c, 431, "request headers too large", NULL);
        return;
    }
    size_t len = (size_t)end.pos + 4;
    if (len > WS_HANDSHAKE_MAX) {
        refuse(c, 431, "request headers too large", NULL);
        return;
    }
    struct ws_handshake hs;
    const char *req = (const char *)evbuffer_pullup(in, (ev_ssize_t)len);
    ws_parse_handshake(req, len, &hs);
    evbuffer_drain(in, len);
    if (hs.status) {
        refuse(c, hs.status, hs.reason,
               hs.status == 426 ? "Sec-WebSocket-Version: 13\r\n" : NULL);
        return;
    }
    if (hs.origin[0] && !rpc_cors_allows(c->ws->cfg, hs.origin)) {
        refuse(c, 403, "origin not allowed", NULL);
        return;
    }
    enum rpc_auth_result ar = rpc_auth_check(c->ws->auth, hs.authorization[0] ? hs.authorization
                                                                              : NULL);
    explicit_bzero(hs.authorization, sizeof hs.authorization);
    if (ar == RPC_AUTH_BAD) {
        if (log_now(&c->ws->last_401))
            log_info("ws: wrong credentials from %s", c->peer);
        refuse(c, 401, "unauthorized", "WWW-Authenticate: Basic realm=\"jsonrpc\"\r\n");
        return;
    }
    c->authenticated = ar == RPC_AUTH_OK;
    char accept[WS_ACCEPT_SIZE];
    if (ws_accept_key(hs.key, accept)) {
        refuse(c, 400, "cannot compute the accept key", NULL);
        return;
    }
    evbuffer_add_printf(bufferevent_get_output(c->bev),
                        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                        "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n",
                        accept);
    c->state = ST_OPEN;
    c->last_seen = now_s();
    bufferevent_set_timeouts(c->bev, NULL, NULL);
    log_debug(LOG_RPC, "ws: %s connected%s", c->peer, c->authenticated ? " (authenticated)" : "");
    process_input(c);
}

static void on_read(struct bufferevent *bev, void *arg)
{
    struct ws_conn *c = arg;
    if (c->state == ST_HANDSHAKE)
        handshake(c);
    else if (c->state == ST_OPEN)
        process_input(c);
    else
        evbuffer_drain(bufferevent_get_input(bev), evbuffer_get_length(bufferevent_get_input(bev)));
}

static void on_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int salen,
                      void *arg)
{
    struct rpc_ws *ws = arg;
    struct ws_conn *c = calloc(1, sizeof *c);
    struct bufferevent *bev =
        c ? bufferevent_socket_new(ws->base, fd, BEV_OPT_CLOSE_ON_FREE) : NULL;
    if (!bev) {
        free(c);
        close(fd);
        return;
    }
    c->ws = ws;
    c->bev = bev;
    c->refs = 1;
    c->state = ST_HANDSHAKE;
    rpc_addr_format(sa, c->peer, sizeof c->peer);
    ws_reader_init(&c->reader, ws->cfg->max_request, RPC_WS_FRAGMENTS_MAX, true);
    c->next = ws->conns;
    if (ws->conns)
        ws->conns->prev = c;
    ws->conns = c;
    if (++ws->nconns >= ws->cfg->max_connections)
        listeners_set(ws, false);
    bufferevent_setcb(bev, on_read, NULL, on_event, c);
    /* Stop reading when a frame's worth (plus slack) waits unprocessed. */
    bufferevent_setwatermark(bev, EV_READ, 0, ws->cfg->max_request + 65536);
    struct timeval tv = {HANDSHAKE_SECONDS, 0};
    bufferevent_set_timeouts(bev, &tv, NULL);
    bufferevent_enable(bev, EV_READ | EV_WRITE);
    if (!rpc_acl_allows(&ws->cfg->acl, sa)) {
        if (log_now(&ws->last_403))
            log_info("ws: refused %s (not in -rpcallowip)", c->peer);
        refuse(c, 403, "forbidden", NULL);
    }
}

static void on_resume(evutil_socket_t fd, short what, void *arg)
{
    struct rpc_ws *ws = arg;
    if (!ws->paused)
        for (size_t i = 0; i < ws->nlisteners; i++)
            evconnlistener_enable(ws->listeners[i]);
}

static void on_accept_error(struct evconnlistener *l, void *arg)
{
    /* Out of descriptors: pause accepting for a moment instead of spinning. */
    struct rpc_ws *ws = arg;
    log_warn("ws: accept failed; pausing new connections for 100 ms");
    for (size_t i = 0; i < ws->nlisteners; i++)
        evconnlistener_disable(ws->listeners[i]);
    struct timeval tv = {0, 100000};
    evtimer_add(ws->resume_timer, &tv);
}

/* ---- subscriptions ------------------------------------------------------------ */

int rpc_ws_subscribe(void *conn, enum rpc_sub_kind kind, struct logfilter *filter, bool full,
                     char id[RPC_SUB_ID_SIZE])
{
    struct ws_conn *c = conn;
    if (c->nsubs >= RPC_WS_SUBS_MAX)
        return err_set(ERR_RANGE, "too many subscriptions on this connection (at most %d)",
                       RPC_WS_SUBS_MAX);
    struct sub *s = calloc(1, sizeof *s);
    if (!s)
        return err_set(ERR_NOMEM, "out of memory");
    uint8_t rnd[16];
    if (RAND_bytes(rnd, sizeof rnd) != 1) {
        free(s);
        return err_set(ERR_CRYPTO, "no randomness");
    }
    s->id[0] = '0';
    s->id[1] = 'x';
    hex_encode(s->id + 2, rnd, sizeof rnd);
    s->kind = kind;
    s->full = full;
    s->conn = c;
    if (filter) {
        s->filter = *filter;
        memset(filter, 0, sizeof *filter);
    }
    s->conn_next = c->subs;
    c->subs = s;
    c->nsubs++;
    struct rpc_ws *ws = c->ws;
    s->kind_next = ws->subs[kind];
    if (ws->subs[kind])
        ws->subs[kind]->kind_prev = s;
    ws->subs[kind] = s;
    memcpy(id, s->id, RPC_SUB_ID_SIZE);
    return 0;
}

bool rpc_ws_unsubscribe(void *conn, const char *id)
{
    struct ws_conn *c = conn;
    for (struct sub **p = &c->subs; *p; p = &(*p)->conn_next) {
        if (!strcmp((*p)->id, id)) {
            struct sub *s = *p;
            *p = s->conn_next;
            c->nsubs--;
            sub_free(c->ws, s);
            return true;
        }
    }
    return false;
}

/* Sends one event to every matching subscription. */
static void deliver(struct rpc_ws *ws, enum rpc_sub_kind kind, json_t *payload)
{
    if (!ws->subs[kind])
        return;
    char *full = json_dumps(payload, JSON_COMPACT | JSON_ENCODE_ANY);
    char *hash = NULL;
    json_t *h = kind == RPC_SUB_PENDING_TXS ? json_object_get(payload, "hash") : NULL;
    if (h)
        hash = json_dumps(h, JSON_COMPACT | JSON_ENCODE_ANY);
    if (!full) {
        free(hash);
        return;
    }
    static const char pre[] =
        "{\"jsonrpc\":\"2.0\",\"method\":\"eth_subscription\",\"params\":{\"subscription\":\"";
    static const char mid[] = "\",\"result\":";
    struct sub *next;
    for (struct sub *s = ws->subs[kind]; s; s = next) {
        next = s->kind_next;    /* a dropped connection frees its subs */
        struct ws_conn *c = s->conn;
        if (c->state != ST_OPEN)
            continue;
        if (kind == RPC_SUB_LOGS && !logfilter_match_json(&s->filter, payload))
            continue;
        const char *res = (hash && !s->full) ? hash : full;
        size_t rl = strlen(res);
        size_t len = sizeof pre - 1 + strlen(s->id) + sizeof mid - 1 + rl + 2;
        char *msg = malloc(len + 1);
        if (!msg)
            continue;
        snprintf(msg, len + 1, "%s%s%s%s}}", pre, s->id, mid, res);
        send_text(c, msg, len);
        too_slow(c);    /* closes c; its subs stay linked until the socket goes */
    }
    free(full);
    free(hash);
}

static void on_publish(evutil_socket_t fd, short what, void *arg)
{
    struct rpc_ws *ws = arg;
    pthread_mutex_lock(&ws->mu);
    struct pub_event *e = ws->q_head;
    ws->q_head = ws->q_tail = NULL;
    ws->q_len = 0;
    pthread_mutex_unlock(&ws->mu);
    while (e) {
        struct pub_event *next = e->next;
        deliver(ws, e->kind, e->payload);
        json_decref(e->payload);
        free(e);
        e = next;
    }
}

int rpc_ws_publish(struct rpc_ws *ws, enum rpc_sub_kind kind, json_t *payload)
{
    if ((unsigned)kind >= RPC_SUB_KINDS || !payload) {
        json_decref(payload);
        return err_set(ERR_INVAL, "rpc_ws_publish: bad kind or payload");
    }
    struct pub_event *e = malloc(sizeof *e);
    if (!e) {
        json_decref(payload);
        return err_set(ERR_NOMEM, "out of memory");
    }
    e->kind = kind;
    e->payload = payload;
    e->next = NULL;
    pthread_mutex_lock(&ws->mu);
    if (ws->q_len >= RPC_WS_PUBLISH_QUEUE_MAX) {
        pthread_mutex_unlock(&ws->mu);
        json_decref(payload);
        free(e);
        log_warn("ws: subscription queue full, event dropped");
        return err_set(ERR_RANGE, "subscription queue full");
    }
    bool was_empty = ws->q_head == NULL;
    if (ws->q_tail)
        ws->q_tail->next = e;
    else
        ws->q_head = e;
    ws->q_tail = e;
    ws->q_len++;
    if (was_empty)
        event_active(ws->q_event, EV_READ, 0);
    pthread_mutex_unlock(&ws->mu);
    return 0;
}

/* ---- liveness ------------------------------------------------------------------ */

static void on_ping_timer(evutil_socket_t fd, short what, void *arg)
{
    struct rpc_ws *ws = arg;
    int64_t now = now_s();
    struct ws_conn *next;
    for (struct ws_conn *c = ws->conns; c; c = next) {
        next = c->next;
        if (c->state != ST_OPEN)
            continue;
        if (now - c->last_seen > 3 * RPC_WS_PING_SECONDS) {
            log_debug(LOG_RPC, "ws: %s silent for %d s, closing", c->peer,
                      3 * RPC_WS_PING_SECONDS);
            conn_close(c, WS_CLOSE_GOING_AWAY, "no pong");
        } else if (now - c->last_seen >= RPC_WS_PING_SECONDS) {
            send_frame(c, WS_OP_PING, NULL, 0);
        }
    }
}

/* ---- start and stop ---------------------------------------------------------------- */

size_t rpc_ws_connections(const struct rpc_ws *ws)
{
    return ws->nconns;
}

int rpc_ws_start(struct event_base *base, const struct rpc_config *cfg,
                 const struct rpc_auth *auth, struct rpc_host *host, struct rpc_ws **out)
{
    *out = NULL;
    struct rpc_ws *ws = calloc(1, sizeof *ws);
    if (!ws)
        return err_set(ERR_NOMEM, "out of memory");
    ws->base = base;
    ws->cfg = cfg;
    ws->auth = auth;
    ws->host = host;
    pthread_mutex_init(&ws->mu, NULL);
    ws->q_event = event_new(base, -1, 0, on_publish, ws);
    ws->ping_timer = event_new(base, -1, EV_PERSIST, on_ping_timer, ws);
    ws->resume_timer = evtimer_new(base, on_resume, ws);
    struct timeval ping = {RPC_WS_PING_SECONDS / 3, 0};
    if (!ws->q_event || !ws->ping_timer || !ws->resume_timer || event_add(ws->ping_timer, &ping)) {
        rpc_ws_stop(ws);
        return err_set(ERR_NOMEM, "ws: cannot create events");
    }
    char failed[512] = "";
    for (size_t i = 0; i < cfg->nws_bind; i++) {
        const struct rpc_endpoint *e = &cfg->ws_bind[i];
        struct evconnlistener *l = evconnlistener_new_bind(
            base, on_accept, ws, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC,
            1024, (const struct sockaddr *)&e->ss, (int)e->len);
        bool v6_default = cfg->default_bind && e->ss.ss_family == AF_INET6;
        if (!l) {
            if (v6_default) {
                log_warn("WebSocket: cannot listen on %s (IPv6 unavailable?)", e->text);
                continue;
            }
            size_t fl = strlen(failed);
            snprintf(failed + fl, sizeof failed - fl, "%s%s", fl ? ", " : "", e->text);
            continue;
        }
        evconnlistener_set_error_cb(l, on_accept_error);
        ws->listeners[ws->nlisteners++] = l;
        log_info("WebSocket JSON-RPC listening on %s", e->text);
    }
    if (failed[0] || ws->nlisteners == 0) {
        rpc_ws_stop(ws);
        return err_set(ERR_IO, "Unable to bind the WebSocket server on %s (port in use? see "
                               "-wsport, -wsbind, -nows)",
                       failed[0] ? failed : "any address");
    }
    *out = ws;
    return 0;
}

void rpc_ws_stop(struct rpc_ws *ws)
{
    if (!ws)
        return;
    for (size_t i = 0; i < ws->nlisteners; i++)
        evconnlistener_free(ws->listeners[i]);
    ws->nlisteners = 0;
    while (ws->conns) {
        struct ws_conn *c = ws->conns;
        if (c->state == ST_OPEN)
            send_frame(c, WS_OP_CLOSE, "\x03\xe9", 2);  /* 1001 going away, best effort */
        conn_destroy(c);
    }
    if (ws->ping_timer)
        event_free(ws->ping_timer);
    if (ws->resume_timer)
        event_free(ws->resume_timer);
    if (ws->q_event)
        event_free(ws->q_event);
    struct pub_event *e = ws->q_head;
    while (e) {
        struct pub_event *next = e->next;
        json_decref(e->payload);
        free(e);
        e = next;
    }
    pthread_mutex_destroy(&ws->mu);
    free(ws);
}
