/*
 * server.c — the HTTP side of the RPC server and the start/stop of the whole
 * (registry, worker pool, HTTP, WebSocket, cookie); see server.h.
 *
 * The HTTP/1.1 work is in http_conn.c (connections, keep-alive, pipelining,
 * limits) and http_parse.c (heads); this file is the JSON-RPC policy on top:
 * the checks of server.h in their order, the hand-over of bodies to the
 * request host (job.h) and the replies. It replaced evhttp, whose
 * per-request cost (header lists, several allocations, an epoll_ctl per
 * request) was most of what a cheap call cost (doc/benchmarks.md).
 *
 *  - Connection limit: the listeners are disabled while -rpcmaxconnections
 *    sockets are open; the kernel's listen queue holds newcomers.
 *
 *  - Delayed 401s: a wrong password is answered after 250 ms (bitcoind
 *    does the same) without blocking the loop: the request waits on a timer.
 *
 * A request handed to a worker or to a 401 timer keeps its connection
 * allocated (http_conn.h) even if the client goes away, so every request is
 * answered exactly once, at shutdown too.
 */
#include "rpc/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "rpc/addr.h"
#include "rpc/auth.h"
#include "rpc/dispatch.h"
#include "rpc/filters.h"
#include "rpc/http_conn.h"
#include "rpc/job.h"
#include "rpc/methods.h"
#include "rpc/options.h"
#include "util/err.h"
#include "util/log.h"

#define HTTP_IDLE_SECONDS 60
#define HTTP_BACKLOG 1024
#define AUTH_FAIL_DELAY_MS 250
#define FD_RESERVE 1400         /* database (LevelDB keeps up to 1000 open), logs, p2p */
#define CORS_FIELDS_MAX (HTTP_HEAD_MAX + 256)

struct delayed {                /* a 401 waiting for its timer */
    struct rpc_server *s;
    struct http_conn *conn;
    struct event *ev;
    struct delayed *prev, *next;
};

struct rpc_server {
    struct event_base *base;
    struct rpc_config cfg;
    struct rpc_env env;
    struct rpc_registry *registry;
    struct rpc_host host;
    bool host_ready;
    struct rpc_ws *ws;
    /* HTTP */
    struct http_conn_set conns;
    bool http_ready;
    struct evconnlistener *listeners[RPC_ENDPOINTS_MAX];
    size_t nlisteners;
    bool paused;
    struct event *resume_ev;
    struct delayed *delayed;
    bool stopping;
    bool stop_requested;
    time_t last_403, last_401;
};

/* True at most once per second per `last`: refusals are logged, but a client
 * hammering the port cannot flood debug.log. */
static bool log_now(time_t *last)
{
    time_t t = time(NULL);
    if (t == *last)
        return false;
    *last = t;
    return true;
}

/* ---- connections and their limit ------------------------------------------------ */

static void listeners_set(struct rpc_server *s, bool on)
{
    if (s->paused == !on)
        return;
    s->paused = !on;
    for (size_t i = 0; i < s->nlisteners; i++) {
        if (on)
            evconnlistener_enable(s->listeners[i]);
        else
            evconnlistener_disable(s->listeners[i]);
    }
}

static void on_conn_close(void *arg)
{
    struct rpc_server *s = arg;
    if (!s->stopping && s->conns.open < s->cfg.max_connections)
        listeners_set(s, true);
}

static void on_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
                      int salen, void *arg)
{
    struct rpc_server *s = arg;
    struct http_conn *c;
    if (s->stopping) {
        close(fd);
        return;
    }
    if (http_conn_new(&s->conns, fd, sa, (socklen_t)salen, &c)) {
        log_warn("rpc: %s", err_msg());
        return;
    }
    if (s->conns.open >= s->cfg.max_connections)
        listeners_set(s, false);
}

static void on_resume(evutil_socket_t fd, short what, void *arg)
{
    struct rpc_server *s = arg;
    if (!s->paused && !s->stopping)
        for (size_t i = 0; i < s->nlisteners; i++)
            evconnlistener_enable(s->listeners[i]);
}

static void on_accept_error(struct evconnlistener *l, void *arg)
{
    /* Out of descriptors: pause accepting for a moment instead of spinning. */
    struct rpc_server *s = arg;
    log_warn("rpc: accept failed (%s); pausing new connections for 100 ms", strerror(errno));
    for (size_t i = 0; i < s->nlisteners; i++)
        evconnlistener_disable(s->listeners[i]);
    struct timeval tv = {0, 100000};
    evtimer_add(s->resume_ev, &tv);
}

/* ---- replies ---------------------------------------------------------------- */

/* The CORS fields for an allowed Origin of the request (empty otherwise). */
static const char *cors_fields(struct rpc_server *s, const struct http_head *h, char *buf,
                               size_t cap)
{
    buf[0] = 0;
    if (h && h->origin && rpc_cors_allows(&s->cfg, h->origin))
        snprintf(buf, cap, "Access-Control-Allow-Origin: %s\r\nVary: Origin\r\n", h->origin);
    return buf;
}

static void request_stop(struct rpc_server *s)
{
    if (s->stop_requested)
        return;
    s->stop_requested = true;
    if (s->env.request_stop)
        s->env.request_stop(s->env.stop_arg);
}

static void on_stop_sent(void *arg)
{
    request_stop(arg);
}

static void on_stop_timer(evutil_socket_t fd, short what, void *arg)
{
    request_stop(arg);
}

static const char unauthorized_fields[] = "WWW-Authenticate: Basic realm=\"jsonrpc\"\r\n";

static void http_reply(void *target, int status, char *body, size_t len, unsigned after)
{
    struct http_conn *c = target;
    struct rpc_server *s = http_conn_set_of(c)->arg;
    if (status == 401) {
        free(body);
        http_conn_reply(c, 401, unauthorized_fields, NULL, 0, NULL, NULL);
        return;
    }
    if (status != 200) {
        free(body);
        http_conn_reply(c, 503, NULL, NULL, 0, NULL, NULL);
        return;
    }
    char fields[CORS_FIELDS_MAX + 64];
    cors_fields(s, http_conn_head(c), fields, CORS_FIELDS_MAX);
    if (!body) {
        http_conn_reply(c, 204, fields, NULL, 0, NULL, NULL);
        return;
    }
    size_t fl = strlen(fields);
    snprintf(fields + fl, sizeof fields - fl, "Content-Type: application/json\r\n");
    if (after & RPC_AFTER_STOP) {
        /* Stop once the reply is on the wire; the timer covers a client that
         * vanished before it was written. */
        struct timeval tv = {0, 500000};
        event_base_once(s->base, -1, EV_TIMEOUT, on_stop_timer, s, &tv);
        http_conn_reply(c, 200, fields, body, len, on_stop_sent, s);
    } else {
        http_conn_reply(c, 200, fields, body, len, NULL, NULL);
    }
    free(body);
}

static void delayed_unlink(struct rpc_server *s, struct delayed *d)
{
    if (d->prev)
        d->prev->next = d->next;
    else
        s->delayed = d->next;
    if (d->next)
        d->next->prev = d->prev;
}

static void on_delayed(evutil_socket_t fd, short what, void *arg)
{
    struct delayed *d = arg;
    struct rpc_server *s = d->s;
    delayed_unlink(s, d);
    http_conn_reply(d->conn, 401, unauthorized_fields, NULL, 0, NULL, NULL);
    event_free(d->ev);
    free(d);
}

static void delay_401(struct rpc_server *s, struct http_conn *c)
{
    struct delayed *d = calloc(1, sizeof *d);
    if (d)
        d->ev = evtimer_new(s->base, on_delayed, d);
    if (!d || !d->ev) {
        free(d);
        http_conn_reply(c, 401, unauthorized_fields, NULL, 0, NULL, NULL);
        return;
    }
    d->s = s;
    d->conn = c;
    d->next = s->delayed;
    if (s->delayed)
        s->delayed->prev = d;
    s->delayed = d;
    struct timeval tv = {0, AUTH_FAIL_DELAY_MS * 1000};
    evtimer_add(d->ev, &tv);
}

/* ---- requests ---------------------------------------------------------------- */

static bool json_content_type(const char *ct)
{
    static const char want[] = "application/json";
    if (!ct)
        return false;
    while (*ct == ' ')
        ct++;
    if (strncasecmp(ct, want, sizeof want - 1))
        return false;
    char next = ct[sizeof want - 1];
    return next == 0 || next == ';' || next == ' ';
}

/* The checks a head alone decides, in server.h's order (413 follows in
 * http_conn.c, then on_request). */
static void on_head(void *arg, struct http_conn *c, const struct http_head *h)
{
    struct rpc_server *s = arg;
    const struct sockaddr *peer = http_conn_peer(c);
    if (!rpc_acl_allows(&s->cfg.acl, peer)) {
        if (log_now(&s->last_403)) {
            char who[RPC_ADDR_TEXT_MAX];
            rpc_addr_format(peer, who, sizeof who);
            log_info("RPC: refused %s (not in -rpcallowip)", who);
        }
        http_conn_reply(c, 403, NULL, NULL, 0, NULL, NULL);
        return;
    }
    char fields[CORS_FIELDS_MAX + 256];
    if (h->method == HTTP_METHOD_OPTIONS) {
        if (!h->origin || !rpc_cors_allows(&s->cfg, h->origin)) {
            http_conn_reply(c, 403, NULL, NULL, 0, NULL, NULL);
            return;
        }
        cors_fields(s, h, fields, CORS_FIELDS_MAX);
        size_t fl = strlen(fields);
        snprintf(fields + fl, sizeof fields - fl,
                 "Access-Control-Allow-Methods: POST, OPTIONS\r\n"
                 "Access-Control-Allow-Headers: Content-Type, Authorization\r\n"
                 "Access-Control-Max-Age: 600\r\n");
        http_conn_reply(c, 204, fields, NULL, 0, NULL, NULL);
        return;
    }
    if (h->method != HTTP_METHOD_POST) {
        http_conn_reply(c, 405, "Allow: POST, OPTIONS\r\n", NULL, 0, NULL, NULL);
        return;
    }
    if (!json_content_type(h->content_type)) {
        http_conn_reply(c, 415, cors_fields(s, h, fields, CORS_FIELDS_MAX), NULL, 0, NULL, NULL);
        return;
    }
}

static void on_request(void *arg, struct http_conn *c, const struct http_head *h,
                       const char *body, size_t len)
{
    struct rpc_server *s = arg;
    if (s->stopping || !s->host_ready) {
        http_conn_reply(c, 503, NULL, NULL, 0, NULL, NULL);
        return;
    }
    enum rpc_auth_result ar = rpc_auth_check(&s->cfg.auth, h->authorization);
    if (ar == RPC_AUTH_BAD) {
        if (log_now(&s->last_401)) {
            char who[RPC_ADDR_TEXT_MAX];
            rpc_addr_format(http_conn_peer(c), who, sizeof who);
            log_info("RPC: wrong credentials from %s", who);
        }
        delay_401(s, c);
        return;
    }
    char *copy = malloc(len ? len : 1);
    if (!copy) {
        http_conn_reply(c, 503, NULL, NULL, 0, NULL, NULL);
        return;
    }
    memcpy(copy, body, len);
    rpc_host_submit(&s->host, copy, len, ar == RPC_AUTH_OK, RPC_TRANSPORT_HTTP, NULL, http_reply,
                    c);
}

static const struct http_conn_ops http_ops = {
    .on_head = on_head,
    .on_request = on_request,
    .on_close = on_conn_close,
};

/* ---- start and stop ---------------------------------------------------------- */

static void on_libevent_log(int severity, const char *msg)
{
    if (severity >= EVENT_LOG_WARN)
        log_warn("libevent: %s", msg);
    else
        log_debug(LOG_RPC, "libevent: %s", msg);
}

/* Raises the soft descriptor limit to what the connection limit needs, and
 * lowers the connection limit when the hard limit is too small. */
static void fd_budget(struct rpc_config *c)
{
    unsigned servers = (c->http ? 1u : 0u) + (c->ws ? 1u : 0u);
    if (!servers)
        return;
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return;
    rlim_t want = (rlim_t)servers * c->max_connections + FD_RESERVE;
    if (rl.rlim_cur < want) {
        rlim_t cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ? want : rl.rlim_max;
        rl.rlim_cur = cur;
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
            getrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur < want) {
        rlim_t room = rl.rlim_cur > FD_RESERVE + 2 * servers ? rl.rlim_cur - FD_RESERVE
                                                             : 2 * servers;
        unsigned max = (unsigned)(room / servers);
        log_warn("RPC: only %llu file descriptors available; -rpcmaxconnections lowered from "
                 "%u to %u", (unsigned long long)rl.rlim_cur, c->max_connections, max);
        c->max_connections = max ? max : 1;
    }
}

/* socket + bind + listen for one endpoint; returns the fd or -1 (errno). */
static int listen_on(const struct rpc_endpoint *e)
{
    int fd = socket(e->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (e->ss.ss_family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (bind(fd, (const struct sockaddr *)&e->ss, e->len) != 0 || listen(fd, HTTP_BACKLOG) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

static int start_http(struct rpc_server *s)
{
    s->resume_ev = evtimer_new(s->base, on_resume, s);
    if (!s->resume_ev)
        return err_set(ERR_NOMEM, "rpc: cannot create the HTTP server");
    http_conn_set_init(&s->conns, s->base, &http_ops, s, s->cfg.max_request, HTTP_IDLE_SECONDS);
    s->http_ready = true;
    char failed[512] = "";
    for (size_t i = 0; i < s->cfg.nhttp_bind; i++) {
        const struct rpc_endpoint *e = &s->cfg.http_bind[i];
        int fd = listen_on(e);
        struct evconnlistener *l =
            fd >= 0 ? evconnlistener_new(s->base, on_accept, s,
                                         LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 0, fd)
                    : NULL;
        if (!l) {
            int saved = errno;
            if (fd >= 0)
                close(fd);
            if (s->cfg.default_bind && e->ss.ss_family == AF_INET6) {
                log_warn("RPC: cannot listen on %s (%s); IPv6 unavailable?", e->text,
                         strerror(saved));
                continue;
            }
            size_t fl = strlen(failed);
            snprintf(failed + fl, sizeof failed - fl, "%s%s (%s)", fl ? ", " : "", e->text,
                     strerror(saved));
            continue;
        }
        evconnlistener_set_error_cb(l, on_accept_error);
        s->listeners[s->nlisteners++] = l;
        log_info("HTTP JSON-RPC listening on %s", e->text);
    }
    if (failed[0] || s->nlisteners == 0)
        return err_set(ERR_IO, "Unable to bind the RPC server on %s (another node running? see "
                               "-rpcport, -rpcbind, -norpc)",
                       failed[0] ? failed : "any address");
    return 0;
}

int rpc_server_start(struct event_base *base, const struct rpc_config *cfg,
                     const struct rpc_node_info *info, struct rpc_server **out)
{
    *out = NULL;
    if (!cfg->http && !cfg->ws) {
        log_info("RPC server disabled (-norpc -nows)");
        return 0;
    }
    struct rpc_server *s = calloc(1, sizeof *s);
    if (!s)
        return err_set(ERR_NOMEM, "out of memory");
    s->base = base;
    s->cfg = *cfg;
    event_set_log_callback(on_libevent_log);
    fd_budget(&s->cfg);

    const char *apis[RPC_API_MAX];
    for (size_t i = 0; i < s->cfg.napis; i++)
        apis[i] = s->cfg.apis[i];
    const struct rpc_namespace *ns[32];
    size_t nns = 0;
    for (size_t i = 0; i < rpc_namespaces_count && nns < 31; i++)
        ns[nns++] = rpc_namespaces[i];
    if (info->regtest)
        ns[nns++] = &rpc_ns_test;
    int rc = rpc_registry_new(ns, nns, s->cfg.all_apis ? NULL : apis, s->cfg.napis,
                              &s->registry);
    if (rc)
        goto fail;

    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    s->env.network_id = info->network_id;
    s->env.client_version = rpc_client_version();
    s->env.start_time = (int64_t)ts.tv_sec;
    s->env.registry = s->registry;
    s->env.request_stop = info->request_stop;
    s->env.stop_arg = info->stop_arg;
    s->env.chain = info->chain;
    s->env.wallet = info->wallet;
    s->env.p2p = info->p2p;
    /* issue 8: meshbox */
    s->env.meshbox = info->meshbox;
    /* end issue 8: meshbox */
    /* issue 7: channel */
    s->env.channel_hub = info->channel_hub;
    s->env.channel_client = info->channel_client;
    s->env.channel_host = info->channel_host;
    s->env.channel_test = info->regtest;
    /* end issue 7: channel */
    s->env.has_relayer = info->has_relayer;
    s->env.relayer = info->relayer;
    if ((rc = rpc_filters_new(&s->env.filters)))
        goto fail;

    rc = rpc_host_init(&s->host, base, &s->env, s->cfg.threads, s->cfg.max_batch,
                       s->cfg.timeout);
    if (rc)
        goto fail;
    s->host_ready = true;
    /* The cookie exists before anyone can connect, so a client that finds
     * the port open (spectrum-cli -rpcwait) also finds the cookie. */
    if (s->cfg.cookie && (rc = rpc_auth_write_cookie(&s->cfg.auth, s->cfg.cookie_path)))
        goto fail;
    if (s->cfg.http && (rc = start_http(s)))
        goto fail;
    if (s->cfg.ws) {
        if ((rc = rpc_ws_start(base, &s->cfg, &s->cfg.auth, &s->host, &s->ws)))
            goto fail;
        s->env.ws = s->ws;
    }
    if (s->cfg.cookie)
        log_info("RPC: cookie written to %s", s->cfg.cookie_path);
    log_info("RPC: %u worker threads, at most %u connections per server, %zu-byte requests, "
             "%zu-call batches, %u s per request",
             s->cfg.threads, s->cfg.max_connections, s->cfg.max_request, s->cfg.max_batch,
             s->cfg.timeout);
    *out = s;
    return 0;
fail:
    {
        char msg[512];
        snprintf(msg, sizeof msg, "%s", err_msg());
        rpc_server_stop(s);
        err_set(rc, "%s", msg);
    }
    return rc;
}

void rpc_server_stop(struct rpc_server *s)
{
    if (!s)
        return;
    /* No new connections, and 503 for requests that arrive from now on. */
    s->stopping = true;
    for (size_t i = 0; i < s->nlisteners; i++)
        evconnlistener_free(s->listeners[i]);
    s->nlisteners = 0;
    /* Answer what is in flight (503), after the running handlers finish. */
    if (s->host_ready)
        rpc_host_shutdown(&s->host);
    s->host_ready = false;
    rpc_ws_stop(s->ws);
    s->ws = NULL;
    s->env.ws = NULL;
    rpc_filters_free(s->env.filters); /* no handler runs any more */
    s->env.filters = NULL;
    while (s->delayed) {
        struct delayed *d = s->delayed;
        delayed_unlink(s, d);
        http_conn_reply(d->conn, 401, unauthorized_fields, NULL, 0, NULL, NULL);
        event_free(d->ev);
        free(d);
    }
    if (s->http_ready)
        http_conn_set_close_all(&s->conns);
    if (s->resume_ev)
        event_free(s->resume_ev);
    rpc_auth_remove_cookie(&s->cfg.auth);
    rpc_auth_wipe(&s->cfg.auth);
    rpc_registry_free(s->registry);
    log_info("RPC server stopped");
    free(s);
}

struct rpc_filters *rpc_server_filters(const struct rpc_server *s)
{
    return s ? s->env.filters : NULL;
}

int rpc_server_publish(struct rpc_server *s, enum rpc_sub_kind kind, json_t *payload)
{
    if (!s || !s->ws) {
        json_decref(payload);
        return 0;
    }
    return rpc_ws_publish(s->ws, kind, payload);
}

bool rpc_server_wants_events(const struct rpc_server *s)
{
    return s && s->ws;
}

uint64_t rpc_server_loop_answers(const struct rpc_server *s)
{
    return s && s->host_ready ? s->host.loop_answers : 0;
}

unsigned rpc_server_poll_us(const struct rpc_server *s)
{
    return s ? s->cfg.poll_us : 0;
}
