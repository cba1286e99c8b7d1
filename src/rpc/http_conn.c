/*
 * http_conn.c — see http_conn.h.
 *
 * Shaped for the cost of a small request, which is what a JSON-RPC port
 * mostly sees: a persistent read event that is never re-armed (no
 * epoll_ctl per request), one recv() into a buffer that belongs to the
 * connection, the head parsed in place, the reply formatted into an output
 * buffer that also belongs to the connection and written with one send()
 * (replies to pipelined requests together), and no allocation per request
 * once the buffers have grown to the connection's usual size.
 *
 * The input buffer holds [off, len): bytes not yet consumed. While a
 * request is being handled (head parsed), its head and body stay where they
 * are: the buffer only moves (compaction, growth) when no head is pending,
 * or right after a head was parsed (the pointers into it are then rebased).
 * Room for the whole body is reserved when the head is parsed, so reading
 * the body never moves it.
 *
 * A connection is freed only from the top of a callback chain (conn_settle):
 * every path that may end it just sets flags while `busy`.
 */
#include "rpc/http_conn.h"

#include <errno.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/err.h"

#define IN_INITIAL 4096
#define OUT_INITIAL 1024
#define OUT_HIGH (1u << 20)     /* stop reading new requests above this much pending output */
#define LINGER_SECONDS 2
#define REPLY_HEAD_MAX 1024     /* status line and fixed fields; `headers` come on top */

struct http_conn {
    struct http_conn_set *set;
    struct http_conn *prev, *next;
    int fd;                     /* -1 once closed */
    struct event *ev_read, *ev_write, *timer;
    bool reading;               /* ev_read added */
    bool writing;               /* ev_write added */
    struct sockaddr_storage peer;
    /* input */
    char *in;
    size_t in_cap, in_off, in_len;
    struct http_parser parser;
    struct http_head head;
    bool have_head;
    bool replied;               /* the current request has its reply */
    bool waiting;               /* on_request called, no reply yet */
    bool eof;                   /* the client shut its side down */
    /* output */
    char *out;
    size_t out_cap, out_len, out_sent;
    void (*sent)(void *);
    void *sent_arg;
    /* end of life */
    bool closing;               /* close once the output is written */
    bool lingering;             /* our side shut down; dropping input */
    bool dead;                  /* socket closed; free when nothing waits */
    bool busy;                  /* inside process(): do not free */
    bool in_head;               /* inside ops->on_head */
    bool refuse_closes;         /* a refusal from on_head must close */
};

static void conn_settle(struct http_conn *c);
static void process(struct http_conn *c);

/* ---- buffers --------------------------------------------------------------- */

static int grow(char **buf, size_t *cap, size_t need)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap : 256;
    while (n < need)
        n *= 2;
    char *p = realloc(*buf, n);
    if (!p)
        return ERR_NOMEM;
    *buf = p;
    *cap = n;
    return 0;
}

static void rebase(const char **p, const char *old, const char *now)
{
    if (*p)
        *p = now + (*p - old);
}

/* Makes room for `need` bytes from in_off on, moving the unconsumed bytes to
 * the front first. Only while no request is handed out (pointers rebased). */
static int in_reserve(struct http_conn *c, size_t need)
{
    if (c->waiting)
        return ERR_BADSTATE;
    char *old = c->in + c->in_off;
    if (c->in_off) {
        memmove(c->in, c->in + c->in_off, c->in_len - c->in_off);
        c->in_len -= c->in_off;
        c->in_off = 0;
    }
    if (grow(&c->in, &c->in_cap, need))
        return ERR_NOMEM;
    if (c->have_head && old != c->in) {
        rebase(&c->head.content_type, old, c->in);
        rebase(&c->head.authorization, old, c->in);
        rebase(&c->head.origin, old, c->in);
    }
    return 0;
}

static int out_append(struct http_conn *c, const char *p, size_t n)
{
    if (c->out_sent && c->out_sent == c->out_len)
        c->out_sent = c->out_len = 0;
    if (grow(&c->out, &c->out_cap, c->out_len + n))
        return ERR_NOMEM;
    memcpy(c->out + c->out_len, p, n);
    c->out_len += n;
    return 0;
}

/* ---- the socket -------------------------------------------------------------- */

static void set_reading(struct http_conn *c, bool on)
{
    if (c->reading == on || c->fd < 0)
        return;
    c->reading = on;
    if (on)
        event_add(c->ev_read, NULL);
    else
        event_del(c->ev_read);
}

static void arm_timer(struct http_conn *c, const struct timeval *tv)
{
    event_add(c->timer, tv);
}

/* Closes the socket now; the struct lives on while a request waits. */
static void conn_kill(struct http_conn *c)
{
    if (c->fd < 0)
        return;
    event_del(c->ev_read);
    event_del(c->ev_write);
    event_del(c->timer);
    c->reading = c->writing = false;
    close(c->fd);
    c->fd = -1;
    c->dead = true;
    c->set->open--;
    if (c->sent) {
        void (*fn)(void *) = c->sent;
        c->sent = NULL;
        fn(c->sent_arg);
    }
    if (c->set->ops->on_close)
        c->set->ops->on_close(c->set->arg);
}

static void conn_free(struct http_conn *c)
{
    struct http_conn_set *s = c->set;
    if (c->prev)
        c->prev->next = c->next;
    else
        s->head = c->next;
    if (c->next)
        c->next->prev = c->prev;
    if (c->ev_read)
        event_free(c->ev_read);
    if (c->ev_write)
        event_free(c->ev_write);
    if (c->timer)
        event_free(c->timer);
    free(c->in);
    free(c->out);
    free(c);
}

/* The end of every callback chain: frees a dead connection nobody holds. */
static void conn_settle(struct http_conn *c)
{
    if (c->dead && !c->waiting && !c->busy)
        conn_free(c);
}

/* After the last reply: shut our side, drop what still comes for a while. */
static void start_linger(struct http_conn *c)
{
    if (c->lingering)
        return;
    c->lingering = true;
    shutdown(c->fd, SHUT_WR);
    if (c->eof) {
        conn_kill(c);
        return;
    }
    c->in_off = c->in_len = 0;
    set_reading(c, true);
    arm_timer(c, c->set->linger);
}

static void flush(struct http_conn *c)
{
    while (c->fd >= 0 && c->out_sent < c->out_len) {
        ssize_t n = send(c->fd, c->out + c->out_sent, c->out_len - c->out_sent, MSG_NOSIGNAL);
        if (n > 0) {
            c->out_sent += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (!c->writing) {
                c->writing = true;
                event_add(c->ev_write, NULL);
            }
            return;
        }
        conn_kill(c);
        return;
    }
    if (c->fd < 0)
        return;
    c->out_sent = c->out_len = 0;
    if (c->writing) {
        c->writing = false;
        event_del(c->ev_write);
    }
    if (c->sent) {
        void (*fn)(void *) = c->sent;
        c->sent = NULL;
        fn(c->sent_arg);
    }
    if (c->closing)
        start_linger(c);
}

/* ---- replies ----------------------------------------------------------------- */

static const char *date_field(struct http_conn_set *s)
{
    time_t now = time(NULL);
    if (now != s->date_at) {
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(s->date, sizeof s->date, "Date: %a, %d %b %Y %H:%M:%S GMT\r\n", &tm);
        s->date_at = now;
    }
    return s->date;
}

/* Ends the current request: its bytes are consumed, the parser starts
 * over. */
static void consume(struct http_conn *c)
{
    c->in_off += c->head.head_len + (size_t)c->head.length;
    if (c->in_off == c->in_len)
        c->in_off = c->in_len = 0;
    c->have_head = c->replied = false;
    http_parser_reset(&c->parser);
    if (!c->closing && c->fd >= 0)
        arm_timer(c, c->set->idle);
}

static void reply(struct http_conn *c, int status, const char *headers, const char *body,
                  size_t len, bool close_after)
{
    bool keep = c->have_head && c->head.keep_alive && !close_after && !c->closing;
    char head[REPLY_HEAD_MAX];
    int n = snprintf(head, sizeof head, "HTTP/1.1 %d %s\r\n%s", status, http_reason(status),
                     date_field(c->set));
    if (status >= 200 && status != 204)
        n += snprintf(head + n, sizeof head - (size_t)n, "Content-Length: %zu\r\n", len);
    if (!keep)
        n += snprintf(head + n, sizeof head - (size_t)n, "Connection: close\r\n");
    else if (c->head.minor == 0)
        n += snprintf(head + n, sizeof head - (size_t)n, "Connection: keep-alive\r\n");
    if (!keep)
        c->closing = true;
    if (out_append(c, head, (size_t)n) || (headers && out_append(c, headers, strlen(headers))) ||
        out_append(c, "\r\n", 2) || (len && out_append(c, body, len))) {
        conn_kill(c);   /* out of memory: nothing sensible to send */
        return;
    }
}

void http_conn_reply(struct http_conn *c, int status, const char *headers, const char *body,
                     size_t len, void (*sent)(void *), void *sent_arg)
{
    bool was_waiting = c->waiting;
    c->waiting = false;
    c->replied = true;
    if (c->fd < 0) {
        if (sent)
            sent(sent_arg);
        conn_settle(c);
        return;
    }
    if (sent) {
        if (c->sent)
            c->sent(c->sent_arg);   /* one at a time: the earlier one is queued already */
        c->sent = sent;
        c->sent_arg = sent_arg;
    }
    reply(c, status, headers, body, len, c->in_head && c->refuse_closes);
    if (was_waiting && !c->busy) {
        /* Answered later: write it and go on with what is buffered. */
        process(c);
        conn_settle(c);
    }
}

/* A refusal made here (parse errors, 413): the connection closes after it. */
static void refuse(struct http_conn *c, int status)
{
    c->replied = true;
    reply(c, status, NULL, NULL, 0, true);
}

/* ---- requests ------------------------------------------------------------------ */

/* Handles the buffered requests one after the other, as far as it can. */
static void process(struct http_conn *c)
{
    c->busy = true;
    while (c->fd >= 0 && !c->waiting && !c->closing && c->out_len - c->out_sent < OUT_HIGH) {
        if (!c->have_head) {
            int rc = http_parse_head(&c->parser, c->in + c->in_off, c->in_len - c->in_off,
                                     &c->head);
            if (rc == HTTP_PARSE_MORE)
                break;
            if (rc < 0) {
                refuse(c, c->head.status);
                break;
            }
            c->have_head = true;
            c->replied = false;
            const struct http_head *h = &c->head;
            size_t body_have = c->in_len - c->in_off - h->head_len;
            bool fits = h->length <= c->set->max_body;
            if (fits && in_reserve(c, h->head_len + (size_t)h->length)) {
                conn_kill(c);
                break;
            }
            /* Refused: the body is read and dropped, unless it is too big or
             * the client waits for a 100 before sending it. */
            c->refuse_closes = body_have < h->length && (!fits || h->expect_continue);
            c->in_head = true;
            c->set->ops->on_head(c->set->arg, c, h);
            c->in_head = false;
            if (c->fd < 0)
                break;
            if (!c->replied && !fits)
                refuse(c, 413);
            if (c->replied) {
                if (c->closing)
                    break;
            } else if (h->expect_continue && body_have < h->length) {
                static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
                if (out_append(c, cont, sizeof cont - 1)) {
                    conn_kill(c);
                    break;
                }
            }
        }
        const struct http_head *h = &c->head;
        if (c->in_len - c->in_off - h->head_len < h->length)
            break;  /* the body is still coming */
        if (!c->replied) {
            c->waiting = true;
            c->set->ops->on_request(c->set->arg, c, h, c->in + c->in_off + h->head_len,
                                    (size_t)h->length);
            if (c->waiting)
                break;
        }
        consume(c);
    }
    c->busy = false;
    flush(c);
    if (c->fd < 0 || c->lingering)
        return;
    if (c->eof && !c->waiting && c->out_len == c->out_sent)
        conn_kill(c);   /* the client is done and so are we */
    else if (!c->reading && !c->eof && !c->closing)
        set_reading(c, true);   /* paused on a full buffer */
}

/* ---- events -------------------------------------------------------------------- */

static void on_read(evutil_socket_t fd, short what, void *arg)
{
    struct http_conn *c = arg;
    if (c->lingering) {
        char sink[4096];
        ssize_t n = recv(fd, sink, sizeof sink, 0);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
            conn_kill(c);
        conn_settle(c);
        return;
    }
    /* Room to read into: compact or grow when nothing is handed out. */
    size_t limit = HTTP_HEAD_MAX + c->set->max_body + IN_INITIAL;
    if (c->in_cap - c->in_len < 512 && !c->waiting) {
        size_t pending = c->in_len - c->in_off;
        size_t want = pending + IN_INITIAL;
        if (c->have_head && want < c->head.head_len + (size_t)c->head.length)
            want = c->head.head_len + (size_t)c->head.length;
        if (want > limit)
            want = limit;
        if (want > pending && in_reserve(c, want)) {
            conn_kill(c);
            conn_settle(c);
            return;
        }
    }
    if (c->in_cap == c->in_len) {
        set_reading(c, false);  /* full: resumes once a reply consumed something */
        return;
    }
    ssize_t n = recv(fd, c->in + c->in_len, c->in_cap - c->in_len, 0);
    if (n > 0) {
        c->in_len += (size_t)n;
    } else if (n == 0) {
        c->eof = true;
        set_reading(c, false);
        if (!c->waiting && !c->have_head && c->in_len == c->in_off && c->out_len == c->out_sent) {
            conn_kill(c);
            conn_settle(c);
            return;
        }
    } else {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
            return;
        conn_kill(c);
        conn_settle(c);
        return;
    }
    if (!c->waiting)
        process(c);
    if (c->eof && c->fd >= 0 && !c->waiting && c->out_len == c->out_sent)
        conn_kill(c);   /* a partial request at EOF is never completed */
    conn_settle(c);
}

static void on_write(evutil_socket_t fd, short what, void *arg)
{
    struct http_conn *c = arg;
    flush(c);
    if (c->fd >= 0 && c->out_len == c->out_sent && !c->waiting) {
        if (!c->reading && !c->eof && !c->lingering)
            set_reading(c, true);
        process(c);     /* requests held back by pending output */
    }
    conn_settle(c);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
    struct http_conn *c = arg;
    if (c->waiting && !c->lingering) {
        arm_timer(c, c->set->idle);     /* the handler's own time limit applies */
        return;
    }
    conn_kill(c);
    conn_settle(c);
}

/* ---- public ---------------------------------------------------------------------- */

void http_conn_set_init(struct http_conn_set *s, struct event_base *base,
                        const struct http_conn_ops *ops, void *arg, size_t max_body,
                        unsigned idle_seconds)
{
    memset(s, 0, sizeof *s);
    s->base = base;
    s->ops = ops;
    s->arg = arg;
    s->max_body = max_body;
    struct timeval idle = {(time_t)idle_seconds, 0}, linger = {LINGER_SECONDS, 0};
    s->idle = event_base_init_common_timeout(base, &idle);
    s->linger = event_base_init_common_timeout(base, &linger);
}

int http_conn_new(struct http_conn_set *s, int fd, const struct sockaddr *peer, socklen_t peerlen,
                  struct http_conn **out)
{
    *out = NULL;
    struct http_conn *c = calloc(1, sizeof *c);
    if (!c) {
        close(fd);
        return err_set(ERR_NOMEM, "out of memory");
    }
    c->set = s;
    c->fd = fd;
    if (peer && peerlen <= (socklen_t)sizeof c->peer)
        memcpy(&c->peer, peer, (size_t)peerlen);
    c->ev_read = event_new(s->base, fd, EV_READ | EV_PERSIST, on_read, c);
    c->ev_write = event_new(s->base, fd, EV_WRITE | EV_PERSIST, on_write, c);
    c->timer = evtimer_new(s->base, on_timer, c);
    c->in = malloc(IN_INITIAL);
    c->in_cap = IN_INITIAL;
    c->out = malloc(OUT_INITIAL);
    c->out_cap = OUT_INITIAL;
    if (!c->ev_read || !c->ev_write || !c->timer || !c->in || !c->out) {
        close(fd);
        if (c->ev_read)
            event_free(c->ev_read);
        if (c->ev_write)
            event_free(c->ev_write);
        if (c->timer)
            event_free(c->timer);
        free(c->in);
        free(c->out);
        free(c);
        return err_set(ERR_NOMEM, "out of memory");
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    c->next = s->head;
    if (s->head)
        s->head->prev = c;
    s->head = c;
    s->open++;
    set_reading(c, true);
    arm_timer(c, s->idle);
    *out = c;
    return 0;
}

const struct sockaddr *http_conn_peer(const struct http_conn *c)
{
    return (const struct sockaddr *)&c->peer;
}

struct http_conn_set *http_conn_set_of(const struct http_conn *c)
{
    return c->set;
}

const struct http_head *http_conn_head(const struct http_conn *c)
{
    return c->have_head && !c->replied ? &c->head : NULL;
}

void http_conn_set_close_all(struct http_conn_set *s)
{
    while (s->head) {
        struct http_conn *c = s->head;
        if (c->fd >= 0) {
            event_del(c->ev_read);
            event_del(c->ev_write);
            event_del(c->timer);
            close(c->fd);
            c->fd = -1;
            s->open--;
        }
        conn_free(c);
    }
}
