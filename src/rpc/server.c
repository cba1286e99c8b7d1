/*
 * server.c — the HTTP side of the RPC server and the start/stop of the whole
 * (registry, worker pool, HTTP, WebSocket, cookie); see server.h.
 *
 * evhttp does the HTTP/1.1 work (parsing, keep-alive, body size limit with
 * a 413, lingering close). Two things it lacks in libevent 2.1 are added
 * here:
 *
 *  - A connection limit. The server creates each connection's bufferevent
 *    itself (evhttp_set_bevcb), which counts it, and one loop iteration
 *    later, when evhttp has wrapped the bufferevent in its connection object
 *    (evhttp passes that object as the bufferevent's callback argument),
 *    registers a close callback on that object, which uncounts it. At the
 *    limit the listeners are disabled; the kernel's queue holds newcomers.
 *    If the connection died before that iteration, its bufferevent has lost
 *    its callbacks and it is uncounted at once.
 *
 *  - Delayed 401s: a wrong password is answered after 250 ms (bitcoind
 *    does the same) without blocking the loop: the request waits on a timer.
 *
 * A request held by the server (waiting for a worker or for its 401) stays
 * valid even if the client goes away: evhttp then detaches it from the
 * connection and frees it when it is answered. So every held request is
 * answered exactly once, at shutdown too.
 */
#include "rpc/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
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
#include "rpc/job.h"
#include "rpc/methods.h"
#include "rpc/options.h"
#include "util/err.h"
#include "util/log.h"

#define HTTP_HEADERS_MAX (64u << 10)
#define HTTP_IDLE_SECONDS 60
#define HTTP_BACKLOG 1024
#define AUTH_FAIL_DELAY_MS 250
#define FD_RESERVE 1400         /* database (LevelDB keeps up to 1000 open), logs, p2p */
#define PROBES_MAX 4096

struct delayed {                /* a 401 waiting for its timer */
    struct rpc_server *s;
    struct evhttp_request *req;
    struct event *ev;
    struct delayed *prev, *next;
};

struct http_call {              /* a request waiting for its job */
    struct rpc_server *s;
    struct evhttp_request *req;
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
    struct evhttp *http;
    struct evhttp_bound_socket *bound[RPC_ENDPOINTS_MAX];
    size_t nbound;
    size_t nconns;
    bool paused;
    struct bufferevent *probes[PROBES_MAX];
    size_t nprobes;
    struct event *probe_ev;
    struct event *resume_ev;
    struct delayed *delayed;
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

/* ---- connection limit ----------------------------------------------------- */

static void listeners_set(struct rpc_server *s, bool on)
{
    if (s->paused == !on)
        return;
    s->paused = !on;
    for (size_t i = 0; i < s->nbound; i++) {
        struct evconnlistener *l = evhttp_bound_socket_get_listener(s->bound[i]);
        if (on)
            evconnlistener_enable(l);
        else
            evconnlistener_disable(l);
    }
}

static void conn_gone(struct rpc_server *s)
{
    if (s->nconns)
        s->nconns--;
    if (s->nconns < s->cfg.max_connections)
        listeners_set(s, true);
}

static void on_conn_close(struct evhttp_connection *evcon, void *arg)
{
    conn_gone(arg);
}

/* One loop iteration after accept: evhttp now owns the bufferevent. */
static void on_probe(evutil_socket_t fd, short what, void *arg)
{
    struct rpc_server *s = arg;
    size_t n = s->nprobes;
    s->nprobes = 0;
    for (size_t i = 0; i < n; i++) {
        struct bufferevent *bev = s->probes[i];
        void *cbarg = NULL;
        bufferevent_getcb(bev, NULL, NULL, NULL, &cbarg);
        if (cbarg)
            evhttp_connection_set_closecb(cbarg, on_conn_close, s);
        else
            conn_gone(s);
        bufferevent_decref(bev);
    }
}

static struct bufferevent *on_new_bev(struct event_base *base, void *arg)
{
    struct rpc_server *s = arg;
    if (s->nprobes == PROBES_MAX)
        return NULL;    /* uncounted; cannot happen with the listeners paused earlier */
    struct bufferevent *bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
    if (!bev)
        return NULL;
    bufferevent_incref(bev);
    s->probes[s->nprobes++] = bev;
    if (s->nprobes == 1)
        event_active(s->probe_ev, EV_READ, 0);
    if (++s->nconns >= s->cfg.max_connections || s->nprobes == PROBES_MAX)
        listeners_set(s, false);
    return bev;
}

static void on_resume(evutil_socket_t fd, short what, void *arg)
{
    struct rpc_server *s = arg;
    if (!s->paused)
        for (size_t i = 0; i < s->nbound; i++)
            evconnlistener_enable(evhttp_bound_socket_get_listener(s->bound[i]));
}

static void on_accept_error(struct evconnlistener *l, void *arg)
{
    /* Out of descriptors: pause accepting for a moment instead of spinning. */
    struct rpc_server *s = arg;
    log_warn("rpc: accept failed (%s); pausing new connections for 100 ms", strerror(errno));
    for (size_t i = 0; i < s->nbound; i++)
        evconnlistener_disable(evhttp_bound_socket_get_listener(s->bound[i]));
    struct timeval tv = {0, 100000};
    evtimer_add(s->resume_ev, &tv);
}

/* ---- replies ---------------------------------------------------------------- */

static void cleanup_free(const void *data, size_t len, void *arg)
{
    free((void *)data);
}

static void add_cors(struct rpc_server *s, struct evhttp_request *req)
{
    const char *origin = evhttp_find_header(evhttp_request_get_input_headers(req), "Origin");
    if (!origin || !rpc_cors_allows(&s->cfg, origin))
        return;
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    evhttp_add_header(h, "Access-Control-Allow-Origin", origin);
    evhttp_add_header(h, "Vary", "Origin");
}

static void request_stop(struct rpc_server *s)
{
    if (s->stop_requested)
        return;
    s->stop_requested = true;
    if (s->env.request_stop)
        s->env.request_stop(s->env.stop_arg);
}

static void on_stop_sent(struct evhttp_request *req, void *arg)
{
    request_stop(arg);
}

static void on_stop_timer(evutil_socket_t fd, short what, void *arg)
{
    request_stop(arg);
}

static void send_status(struct evhttp_request *req, int code, const char *reason)
{
    evhttp_send_reply(req, code, reason, NULL);
}

static void http_reply(void *target, int status, char *body, size_t len, unsigned after)
{
    struct http_call *hc = target;
    struct rpc_server *s = hc->s;
    struct evhttp_request *req = hc->req;
    free(hc);
    add_cors(s, req);
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    if (status == 401) {
        free(body);
        evhttp_add_header(h, "WWW-Authenticate", "Basic realm=\"jsonrpc\"");
        send_status(req, 401, "Unauthorized");
        return;
    }
    if (status != 200) {
        free(body);
        send_status(req, 503, "Service Unavailable");
        return;
    }
    if (!body) {
        send_status(req, 204, "No Content");
        return;
    }
    evhttp_add_header(h, "Content-Type", "application/json");
    if (evbuffer_add_reference(evhttp_request_get_output_buffer(req), body, len, cleanup_free,
                               NULL) != 0) {
        free(body);
        send_status(req, 503, "Service Unavailable");
        return;
    }
    if (after & RPC_AFTER_STOP) {
        /* Stop once the reply is on the wire; the timer covers a client that
         * vanished before it was written. */
        evhttp_request_set_on_complete_cb(req, on_stop_sent, s);
        struct timeval tv = {0, 500000};
        event_base_once(s->base, -1, EV_TIMEOUT, on_stop_timer, s, &tv);
    }
    evhttp_send_reply(req, 200, "OK", NULL);
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
    evhttp_add_header(evhttp_request_get_output_headers(d->req), "WWW-Authenticate",
                      "Basic realm=\"jsonrpc\"");
    send_status(d->req, 401, "Unauthorized");
    event_free(d->ev);
    free(d);
}

static void delay_401(struct rpc_server *s, struct evhttp_request *req)
{
    struct delayed *d = calloc(1, sizeof *d);
    if (d)
        d->ev = evtimer_new(s->base, on_delayed, d);
    if (!d || !d->ev) {
        free(d);
        send_status(req, 401, "Unauthorized");
        return;
    }
    d->s = s;
    d->req = req;
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

static void on_request(struct evhttp_request *req, void *arg)
{
    struct rpc_server *s = arg;
    struct evhttp_connection *evcon = evhttp_request_get_connection(req);
    const struct sockaddr *peer = evcon ? evhttp_connection_get_addr(evcon) : NULL;
    if (!rpc_acl_allows(&s->cfg.acl, peer)) {
        if (log_now(&s->last_403)) {
            char who[RPC_ADDR_TEXT_MAX];
            rpc_addr_format(peer, who, sizeof who);
            log_info("RPC: refused %s (not in -rpcallowip)", who);
        }
        send_status(req, 403, "Forbidden");
        return;
    }
    struct evkeyvalq *in = evhttp_request_get_input_headers(req);
    struct evkeyvalq *out = evhttp_request_get_output_headers(req);
    enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
    if (cmd == EVHTTP_REQ_OPTIONS) {
        const char *origin = evhttp_find_header(in, "Origin");
        if (!origin || !rpc_cors_allows(&s->cfg, origin)) {
            send_status(req, 403, "Forbidden");
            return;
        }
        add_cors(s, req);
        evhttp_add_header(out, "Access-Control-Allow-Methods", "POST, OPTIONS");
        evhttp_add_header(out, "Access-Control-Allow-Headers", "Content-Type, Authorization");
        evhttp_add_header(out, "Access-Control-Max-Age", "600");
        send_status(req, 204, "No Content");
        return;
    }
    if (cmd != EVHTTP_REQ_POST) {
        evhttp_add_header(out, "Allow", "POST, OPTIONS");
        send_status(req, 405, "Method Not Allowed");
        return;
    }
    if (!json_content_type(evhttp_find_header(in, "Content-Type"))) {
        add_cors(s, req);
        send_status(req, 415, "Unsupported Media Type");
        return;
    }
    enum rpc_auth_result ar = rpc_auth_check(&s->cfg.auth, evhttp_find_header(in, "Authorization"));
    if (ar == RPC_AUTH_BAD) {
        if (log_now(&s->last_401)) {
            char who[RPC_ADDR_TEXT_MAX];
            rpc_addr_format(peer, who, sizeof who);
            log_info("RPC: wrong credentials from %s", who);
        }
        delay_401(s, req);
        return;
    }
    struct evbuffer *body = evhttp_request_get_input_buffer(req);
    size_t len = evbuffer_get_length(body);
    char *copy = malloc(len ? len : 1);
    struct http_call *hc = malloc(sizeof *hc);
    if (!copy || !hc) {
        free(copy);
        free(hc);
        send_status(req, 503, "Service Unavailable");
        return;
    }
    evbuffer_remove(body, copy, len);
    hc->s = s;
    hc->req = req;
    rpc_host_submit(&s->host, copy, len, ar == RPC_AUTH_OK, RPC_TRANSPORT_HTTP, NULL, http_reply,
                    hc);
}

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
    s->http = evhttp_new(s->base);
    s->probe_ev = event_new(s->base, -1, 0, on_probe, s);
    s->resume_ev = evtimer_new(s->base, on_resume, s);
    if (!s->http || !s->probe_ev || !s->resume_ev)
        return err_set(ERR_NOMEM, "rpc: cannot create the HTTP server");
    evhttp_set_gencb(s->http, on_request, s);
    evhttp_set_bevcb(s->http, on_new_bev, s);
    evhttp_set_max_body_size(s->http, (ev_ssize_t)s->cfg.max_request);
    evhttp_set_max_headers_size(s->http, HTTP_HEADERS_MAX);
    evhttp_set_timeout(s->http, HTTP_IDLE_SECONDS);
    evhttp_set_flags(s->http, EVHTTP_SERVER_LINGERING_CLOSE);
    evhttp_set_allowed_methods(s->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
                                            EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
                                            EVHTTP_REQ_OPTIONS | EVHTTP_REQ_PATCH);
    evhttp_set_default_content_type(s->http, "application/json");
    char failed[512] = "";
    for (size_t i = 0; i < s->cfg.nhttp_bind; i++) {
        const struct rpc_endpoint *e = &s->cfg.http_bind[i];
        int fd = listen_on(e);
        struct evhttp_bound_socket *b = fd >= 0 ? evhttp_accept_socket_with_handle(s->http, fd)
                                                : NULL;
        if (!b) {
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
        evconnlistener_set_error_cb(evhttp_bound_socket_get_listener(b), on_accept_error);
        s->bound[s->nbound++] = b;
        log_info("HTTP JSON-RPC listening on %s", e->text);
    }
    if (failed[0] || s->nbound == 0)
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
    /* No new connections. */
    for (size_t i = 0; i < s->nbound; i++)
        evhttp_del_accept_socket(s->http, s->bound[i]);
    s->nbound = 0;
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
        send_status(d->req, 401, "Unauthorized");
        event_free(d->ev);
        free(d);
    }
    on_probe(-1, 0, s);     /* release the bufferevents still probed */
    if (s->http)
        evhttp_free(s->http);
    if (s->probe_ev)
        event_free(s->probe_ev);
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
