/*
 * transport.c — the hub's UDP transport (transport.h).
 *
 * An outbox is an array of entries in nonce order with a head index: acked
 * entries at the head are freed and the head moves on, so a long outbox
 * (many transfers queued behind the window) never moves its packets on an
 * ack; the array is compacted only when the dead prefix is larger than the
 * live part. An entry is `fresh` from ch_transport_queue until the next
 * flush (only fresh entries can be taken back by abort_turn), and `sent`
 * once it went out (the resend timer then repeats it every resend_ms).
 *
 * The resend timer ticks four times per period so that a packet is resent
 * between resend_ms and 1.25 × resend_ms after its last send.
 */
#include "channel/transport.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/err.h"
#include "util/log.h"

struct tp_entry {
    uint64_t nonce;
    uint8_t echo[32];
    uint8_t *pkt;
    size_t len;
    bool acked;
    bool fresh;                 /* queued since the last flush */
    bool sent;
    int64_t last_ms;
};

struct tp_outbox {
    uint8_t partner[20];
    uint8_t channel_id[32];
    uint64_t open_block;
    struct tp_entry *e;         /* live entries are e[head .. n); e[head] is unacked */
    size_t head, n, cap;
    size_t unacked;
};

struct tp_loose {
    uint8_t partner[20];
    uint8_t echo[32];
    uint8_t *pkt;
    size_t len;
    bool resend;
    bool fresh;
    int64_t last_ms;
};

struct tp_held {
    struct sockaddr_storage to;
    socklen_t tolen;
    uint8_t buf[CH_TRANSPORT_ACK_MAX];
    size_t len;
};

struct tp_peer {
    uint8_t addr[20];
    struct sockaddr_storage sa;
    socklen_t salen;
};

struct tp_source {
    struct sockaddr_storage sa;
    socklen_t salen;
    double tokens;
    int64_t last_ms;
};

struct ch_transport {
    struct ch_transport_config cfg;
    int fd;
    int family;
    uint16_t port;
    struct event *ev_read;
    struct event *ev_tick;

    struct tp_outbox **ob;
    size_t nob, cap_ob;
    struct tp_loose *loose;
    size_t nloose, cap_loose;
    struct tp_held *held;
    size_t nheld, cap_held;
    struct tp_peer *peers;
    size_t npeers, cap_peers;
    struct tp_source sources[CH_TRANSPORT_SOURCES];
    size_t nsources;

    struct ch_transport_stats stats;
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- address book ---------------------------------------------------------------- */

static int parse_addr(const char *ip, uint16_t port, struct sockaddr_storage *ss, socklen_t *len)
{
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
    if (ip && inet_pton(AF_INET, ip, &s4->sin_addr) == 1) {
        s4->sin_family = AF_INET;
        s4->sin_port = htons(port);
        *len = sizeof *s4;
        return 0;
    }
    if (ip && inet_pton(AF_INET6, ip, &s6->sin6_addr) == 1) {
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons(port);
        *len = sizeof *s6;
        return 0;
    }
    return err_set(ERR_INVAL, "channel transport: \"%s\" is not an IP address", ip ? ip : "");
}

static const struct tp_peer *find_peer(const struct ch_transport *t, const uint8_t addr[20])
{
    for (size_t i = 0; i < t->npeers; i++)
        if (memcmp(t->peers[i].addr, addr, 20) == 0)
            return &t->peers[i];
    return NULL;
}

int ch_transport_set_peer(struct ch_transport *t, const uint8_t partner[20], const char *ip,
                          uint16_t port)
{
    struct sockaddr_storage ss;
    socklen_t len;
    if (port == 0)
        return err_set(ERR_INVAL, "channel transport: port 0");
    int rc = parse_addr(ip, port, &ss, &len);
    if (rc)
        return rc;
    struct tp_peer *p = (struct tp_peer *)find_peer(t, partner);
    if (!p) {
        if (t->npeers >= CH_TRANSPORT_PEERS_MAX)
            return err_set(ERR_RANGE, "channel transport: %d peers already",
                           CH_TRANSPORT_PEERS_MAX);
        if (t->npeers == t->cap_peers) {
            size_t nc = t->cap_peers ? t->cap_peers * 2 : 16;
            struct tp_peer *np = realloc(t->peers, nc * sizeof *np);
            if (!np)
                return err_set(ERR_NOMEM, "channel transport: out of memory");
            t->peers = np;
            t->cap_peers = nc;
        }
        p = &t->peers[t->npeers++];
        memcpy(p->addr, partner, 20);
    }
    p->sa = ss;
    p->salen = len;
    return 0;
}

int ch_transport_get_peer(const struct ch_transport *t, const uint8_t partner[20], char *ip,
                          size_t ip_size, uint16_t *port)
{
    const struct tp_peer *p = find_peer(t, partner);
    if (!p)
        return ERR_NOTFOUND;
    const struct sockaddr_in *s4 = (const struct sockaddr_in *)&p->sa;
    const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&p->sa;
    if (p->sa.ss_family == AF_INET) {
        if (!inet_ntop(AF_INET, &s4->sin_addr, ip, (socklen_t)ip_size))
            return err_set(ERR_RANGE, "channel transport: ip buffer too small");
        *port = ntohs(s4->sin_port);
    } else {
        if (!inet_ntop(AF_INET6, &s6->sin6_addr, ip, (socklen_t)ip_size))
            return err_set(ERR_RANGE, "channel transport: ip buffer too small");
        *port = ntohs(s6->sin6_port);
    }
    return 0;
}

/* ---- sending ----------------------------------------------------------------------- */

static void send_raw(struct ch_transport *t, const struct sockaddr *to, socklen_t tolen,
                     const uint8_t *pkt, size_t len)
{
    t->stats.sent++;
    if (t->cfg.drop && t->cfg.drop(t->cfg.ctx, pkt, len))
        return;
    if (sendto(t->fd, pkt, len, 0, to, tolen) < 0)
        t->stats.send_errors++;
}

static void send_entry(struct ch_transport *t, const struct tp_peer *p, struct tp_entry *e,
                       int64_t now)
{
    if (e->sent)
        t->stats.resent++;
    send_raw(t, (const struct sockaddr *)&p->sa, p->salen, e->pkt, e->len);
    e->sent = true;
    e->last_ms = now;
}

static struct tp_outbox *find_outbox(const struct ch_transport *t, const uint8_t partner[20],
                                     const uint8_t channel_id[32], uint64_t open_block)
{
    for (size_t i = 0; i < t->nob; i++) {
        struct tp_outbox *o = t->ob[i];
        if (o->open_block == open_block && memcmp(o->channel_id, channel_id, 32) == 0 &&
            memcmp(o->partner, partner, 20) == 0)
            return o;
    }
    return NULL;
}

int ch_transport_queue(struct ch_transport *t, const uint8_t partner[20],
                       const uint8_t channel_id[32], uint64_t open_block, uint64_t nonce,
                       const uint8_t *pkt, size_t len)
{
    if (len == 0)
        return err_set(ERR_INVAL, "channel transport: empty packet");
    if (len > CH_PACKET_MAX)
        return err_set(ERR_RANGE, "channel transport: packet of %zu bytes (max %d)", len,
                       CH_PACKET_MAX);
    struct tp_outbox *o = find_outbox(t, partner, channel_id, open_block);
    if (o && o->n > o->head && o->e[o->n - 1].nonce >= nonce)
        return err_set(ERR_INVAL, "channel transport: nonce %llu after %llu",
                       (unsigned long long)nonce, (unsigned long long)o->e[o->n - 1].nonce);
    if (o && o->n - o->head >= CH_TRANSPORT_QUEUE_MAX)
        return err_set(ERR_RANGE, "channel transport: outbox full (%d packets)",
                       CH_TRANSPORT_QUEUE_MAX);
    uint8_t *copy = malloc(len);
    if (!copy)
        return err_set(ERR_NOMEM, "channel transport: out of memory");
    memcpy(copy, pkt, len);
    bool created = false;
    if (!o) {
        if (t->nob >= CH_TRANSPORT_OUTBOXES_MAX) {
            free(copy);
            return err_set(ERR_RANGE, "channel transport: %d outboxes already",
                           CH_TRANSPORT_OUTBOXES_MAX);
        }
        if (t->nob == t->cap_ob) {
            size_t nc = t->cap_ob ? t->cap_ob * 2 : 8;
            struct tp_outbox **nob = realloc(t->ob, nc * sizeof *nob);
            if (!nob) {
                free(copy);
                return err_set(ERR_NOMEM, "channel transport: out of memory");
            }
            t->ob = nob;
            t->cap_ob = nc;
        }
        o = calloc(1, sizeof *o);
        if (!o) {
            free(copy);
            return err_set(ERR_NOMEM, "channel transport: out of memory");
        }
        memcpy(o->partner, partner, 20);
        memcpy(o->channel_id, channel_id, 32);
        o->open_block = open_block;
        t->ob[t->nob++] = o;
        created = true;
    }
    if (o->head > 0 && o->head >= o->n - o->head) {
        memmove(o->e, o->e + o->head, (o->n - o->head) * sizeof o->e[0]);
        o->n -= o->head;
        o->head = 0;
    }
    if (o->n == o->cap) {
        size_t nc = o->cap ? o->cap * 2 : 64;
        struct tp_entry *ne = realloc(o->e, nc * sizeof *ne);
        if (!ne) {
            free(copy);
            if (created) {
                t->nob--;
                free(o);
            }
            return err_set(ERR_NOMEM, "channel transport: out of memory");
        }
        o->e = ne;
        o->cap = nc;
    }
    struct tp_entry *e = &o->e[o->n++];
    memset(e, 0, sizeof *e);
    e->nonce = nonce;
    e->pkt = copy;
    e->len = len;
    e->fresh = true;
    ch_msg_ack_echo(copy, len, partner, e->echo);
    o->unacked++;
    return 0;
}

static void remove_loose(struct ch_transport *t, size_t i)
{
    free(t->loose[i].pkt);
    memmove(&t->loose[i], &t->loose[i + 1], (t->nloose - i - 1) * sizeof t->loose[0]);
    t->nloose--;
}

int ch_transport_send_loose(struct ch_transport *t, const uint8_t partner[20],
                            const uint8_t *pkt, size_t len, bool resend)
{
    if (len == 0)
        return err_set(ERR_INVAL, "channel transport: empty packet");
    if (len > CH_PACKET_MAX)
        return err_set(ERR_RANGE, "channel transport: packet of %zu bytes (max %d)", len,
                       CH_PACKET_MAX);
    size_t mine = 0, oldest = SIZE_MAX;
    for (size_t i = 0; i < t->nloose; i++)
        if (memcmp(t->loose[i].partner, partner, 20) == 0) {
            if (oldest == SIZE_MAX)
                oldest = i;
            mine++;
        }
    if (mine >= CH_TRANSPORT_LOOSE_MAX)
        remove_loose(t, oldest);
    if (t->nloose == t->cap_loose) {
        size_t nc = t->cap_loose ? t->cap_loose * 2 : 16;
        struct tp_loose *nl = realloc(t->loose, nc * sizeof *nl);
        if (!nl)
            return err_set(ERR_NOMEM, "channel transport: out of memory");
        t->loose = nl;
        t->cap_loose = nc;
    }
    uint8_t *copy = malloc(len);
    if (!copy)
        return err_set(ERR_NOMEM, "channel transport: out of memory");
    memcpy(copy, pkt, len);
    struct tp_loose *l = &t->loose[t->nloose++];
    memset(l, 0, sizeof *l);
    memcpy(l->partner, partner, 20);
    l->pkt = copy;
    l->len = len;
    l->resend = resend;
    l->fresh = true;
    ch_msg_ack_echo(copy, len, partner, l->echo);
    return 0;
}

/* Sends every entry of o within the window that has not left yet (or, when
 * resend_due, whose last send is resend_ms old). Fresh entries never leave
 * here: only a flush clears that flag. */
static void pump_outbox(struct ch_transport *t, struct tp_outbox *o, int64_t now, bool resend_due)
{
    const struct tp_peer *p = find_peer(t, o->partner);
    if (!p)
        return;
    size_t end = o->head + t->cfg.window;
    if (end > o->n)
        end = o->n;
    for (size_t i = o->head; i < end; i++) {
        struct tp_entry *e = &o->e[i];
        if (e->acked || e->fresh)
            continue;
        if (!e->sent || (resend_due && now - e->last_ms >= (int64_t)t->cfg.resend_ms))
            send_entry(t, p, e, now);
    }
}

void ch_transport_flush(struct ch_transport *t)
{
    for (size_t i = 0; i < t->nheld; i++) {
        struct tp_held *h = &t->held[i];
        send_raw(t, (const struct sockaddr *)&h->to, h->tolen, h->buf, h->len);
        t->stats.acks_sent++;
    }
    t->nheld = 0;
    int64_t now = now_ms();
    for (size_t i = 0; i < t->nloose;) {
        struct tp_loose *l = &t->loose[i];
        if (l->fresh) {
            l->fresh = false;
            const struct tp_peer *p = find_peer(t, l->partner);
            if (p) {
                send_raw(t, (const struct sockaddr *)&p->sa, p->salen, l->pkt, l->len);
                l->last_ms = now;
                if (!l->resend) {
                    remove_loose(t, i);
                    continue;
                }
            }
        }
        i++;
    }
    for (size_t k = 0; k < t->nob; k++) {
        struct tp_outbox *o = t->ob[k];
        for (size_t i = o->n; i > o->head && o->e[i - 1].fresh; i--)
            o->e[i - 1].fresh = false;
        pump_outbox(t, o, now, false);
    }
}

void ch_transport_abort_turn(struct ch_transport *t)
{
    t->nheld = 0;
    for (size_t i = 0; i < t->nloose;) {
        if (t->loose[i].fresh)
            remove_loose(t, i);
        else
            i++;
    }
    for (size_t k = 0; k < t->nob; k++) {
        struct tp_outbox *o = t->ob[k];
        while (o->n > o->head && o->e[o->n - 1].fresh) {
            free(o->e[o->n - 1].pkt);
            o->n--;
            o->unacked--;
        }
    }
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct ch_transport *t = arg;
    int64_t now = now_ms();
    for (size_t k = 0; k < t->nob; k++)
        pump_outbox(t, t->ob[k], now, true);
    for (size_t i = 0; i < t->nloose; i++) {
        struct tp_loose *l = &t->loose[i];
        if (l->fresh || now - l->last_ms < (int64_t)t->cfg.resend_ms)
            continue;
        const struct tp_peer *p = find_peer(t, l->partner);
        if (!p)
            continue;
        t->stats.resent++;
        send_raw(t, (const struct sockaddr *)&p->sa, p->salen, l->pkt, l->len);
        l->last_ms = now;
    }
}

/* ---- receiving ---------------------------------------------------------------------- */

static void drop_outbox(struct ch_transport *t, size_t k)
{
    struct tp_outbox *o = t->ob[k];
    for (size_t i = o->head; i < o->n; i++)
        free(o->e[i].pkt);
    free(o->e);
    free(o);
    t->ob[k] = t->ob[--t->nob];
}

/* An Ack from whoever claims to be ack->sender: the echo must be one we
 * computed with that address, so a forged sender field matches nothing. */
static void on_ack(struct ch_transport *t, const struct ch_ack *ack)
{
    for (size_t k = 0; k < t->nob; k++) {
        struct tp_outbox *o = t->ob[k];
        if (memcmp(o->partner, ack->sender, 20) != 0)
            continue;
        size_t end = o->head + t->cfg.window;
        if (end > o->n)
            end = o->n;
        for (size_t i = o->head; i < end; i++) {
            struct tp_entry *e = &o->e[i];
            if (e->acked || e->fresh || memcmp(e->echo, ack->echo, 32) != 0)
                continue;
            e->acked = true;
            o->unacked--;
            t->stats.acks_received++;
            uint8_t partner[20], cid[32];
            uint64_t ob = o->open_block, nonce = e->nonce;
            memcpy(partner, o->partner, 20);
            memcpy(cid, o->channel_id, 32);
            while (o->head < o->n && o->e[o->head].acked) {
                free(o->e[o->head].pkt);
                o->head++;
            }
            if (o->head == o->n)
                drop_outbox(t, k);
            if (t->cfg.on_acked)
                t->cfg.on_acked(t->cfg.ctx, partner, cid, ob, nonce);
            return;
        }
    }
    for (size_t i = 0; i < t->nloose; i++) {
        struct tp_loose *l = &t->loose[i];
        if (l->fresh || memcmp(l->partner, ack->sender, 20) != 0 ||
            memcmp(l->echo, ack->echo, 32) != 0)
            continue;
        uint8_t partner[20];
        memcpy(partner, l->partner, 20);
        remove_loose(t, i);
        t->stats.acks_received++;
        if (t->cfg.on_acked)
            t->cfg.on_acked(t->cfg.ctx, partner, NULL, 0, 0);
        return;
    }
    t->stats.acks_unmatched++;
}

static bool same_source(const struct sockaddr_storage *a, socklen_t alen,
                        const struct sockaddr_storage *b, socklen_t blen)
{
    if (alen != blen || a->ss_family != b->ss_family)
        return false;
    if (a->ss_family == AF_INET) {
        const struct sockaddr_in *x = (const struct sockaddr_in *)a;
        const struct sockaddr_in *y = (const struct sockaddr_in *)b;
        return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
    }
    if (a->ss_family == AF_INET6) {
        const struct sockaddr_in6 *x = (const struct sockaddr_in6 *)a;
        const struct sockaddr_in6 *y = (const struct sockaddr_in6 *)b;
        return x->sin6_port == y->sin6_port &&
               memcmp(&x->sin6_addr, &y->sin6_addr, sizeof x->sin6_addr) == 0;
    }
    return memcmp(a, b, alen) == 0;
}

/* Token bucket per source: `rate` tokens per second, at most `rate` kept. */
static bool rate_ok(struct ch_transport *t, const struct sockaddr_storage *from, socklen_t len,
                    int64_t now)
{
    struct tp_source *s = NULL;
    for (size_t i = 0; i < t->nsources; i++)
        if (same_source(&t->sources[i].sa, t->sources[i].salen, from, len)) {
            s = &t->sources[i];
            break;
        }
    double rate = (double)t->cfg.rate;
    if (!s) {
        if (t->nsources < CH_TRANSPORT_SOURCES) {
            s = &t->sources[t->nsources++];
        } else {
            s = &t->sources[0];
            for (size_t i = 1; i < t->nsources; i++)
                if (t->sources[i].last_ms < s->last_ms)
                    s = &t->sources[i];
        }
        s->sa = *from;
        s->salen = len;
        s->tokens = rate;
        s->last_ms = now;
    }
    s->tokens += (double)(now - s->last_ms) * rate / 1000.0;
    if (s->tokens > rate)
        s->tokens = rate;
    s->last_ms = now;
    if (s->tokens < 1.0)
        return false;
    s->tokens -= 1.0;
    return true;
}

static void hold_ack(struct ch_transport *t, const struct sockaddr_storage *to, socklen_t tolen,
                     const uint8_t *ack, size_t len)
{
    if (t->nheld == t->cap_held) {
        size_t nc = t->cap_held ? t->cap_held * 2 : CH_TRANSPORT_BATCH;
        struct tp_held *nh = realloc(t->held, nc * sizeof *nh);
        if (!nh)
            return; /* the sender resends; we answer it then */
        t->held = nh;
        t->cap_held = nc;
    }
    struct tp_held *h = &t->held[t->nheld++];
    h->to = *to;
    h->tolen = tolen;
    memcpy(h->buf, ack, len);
    h->len = len;
}

static void on_read(evutil_socket_t fd, short what, void *arg)
{
    (void)what;
    struct ch_transport *t = arg;
    uint8_t buf[CH_PACKET_MAX + 1];
    struct ch_msg m;
    bool in_turn = false;
    int64_t now = now_ms();
    for (int k = 0; k < CH_TRANSPORT_BATCH; k++) {
        struct sockaddr_storage from;
        socklen_t fromlen = sizeof from;
        ssize_t n = recvfrom(fd, buf, sizeof buf, MSG_TRUNC, (struct sockaddr *)&from, &fromlen);
        if (n < 0)
            break; /* EAGAIN, or an ICMP error reported on the socket */
        t->stats.received++;
        if ((size_t)n > CH_PACKET_MAX) {
            t->stats.dropped_oversize++;
            continue;
        }
        if (!rate_ok(t, &from, fromlen, now)) {
            t->stats.dropped_rate++;
            continue;
        }
        if (ch_msg_decode(buf, (size_t)n, &m) != 0) {
            t->stats.dropped_garbage++;
            continue;
        }
        if (!in_turn) {
            in_turn = true;
            if (t->cfg.on_turn_begin)
                t->cfg.on_turn_begin(t->cfg.ctx);
        }
        if (m.cmd == CH_CMD_ACK) {
            on_ack(t, &m.u.ack);
            continue;
        }
        if (!t->cfg.on_packet)
            continue;
        uint8_t ack[CH_TRANSPORT_ACK_MAX];
        size_t ack_len = 0;
        t->cfg.on_packet(t->cfg.ctx, &m, buf, (size_t)n, (const struct sockaddr *)&from,
                         fromlen, ack, &ack_len);
        if (ack_len > 0 && ack_len <= CH_TRANSPORT_ACK_MAX)
            hold_ack(t, &from, fromlen, ack, ack_len);
    }
    if (!in_turn)
        return;
    if (t->cfg.on_turn_end)
        t->cfg.on_turn_end(t->cfg.ctx);
    else
        ch_transport_flush(t);
}

/* ---- open and close --------------------------------------------------------------- */

int ch_transport_open(struct event_base *base, const struct ch_transport_config *cfg,
                      struct ch_transport **out)
{
    *out = NULL;
    if (cfg->window > CH_TRANSPORT_WINDOW_MAX)
        return err_set(ERR_INVAL, "channel transport: window %zu above %d", cfg->window,
                       CH_TRANSPORT_WINDOW_MAX);
    const char *bind_ip = cfg->bind ? cfg->bind : "0.0.0.0";
    struct sockaddr_storage ss;
    socklen_t sslen;
    int rc = parse_addr(bind_ip, cfg->port, &ss, &sslen);
    if (rc)
        return rc;
    struct ch_transport *t = calloc(1, sizeof *t);
    if (!t)
        return err_set(ERR_NOMEM, "channel transport: out of memory");
    t->cfg = *cfg;
    if (!t->cfg.resend_ms)
        t->cfg.resend_ms = CH_TRANSPORT_RESEND_MS;
    if (!t->cfg.window)
        t->cfg.window = CH_TRANSPORT_WINDOW;
    if (!t->cfg.rate)
        t->cfg.rate = CH_TRANSPORT_RATE;
    t->family = ss.ss_family;
    t->fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (t->fd < 0) {
        rc = err_set(ERR_IO, "channel transport: socket: %s", strerror(errno));
        free(t);
        return rc;
    }
    int bufsz = 4 << 20;
    (void)setsockopt(t->fd, SOL_SOCKET, SO_RCVBUF, &bufsz, sizeof bufsz);
    bufsz = 1 << 20;
    (void)setsockopt(t->fd, SOL_SOCKET, SO_SNDBUF, &bufsz, sizeof bufsz);
    if (bind(t->fd, (struct sockaddr *)&ss, sslen) != 0) {
        rc = err_set(ERR_IO, "channel transport: cannot bind %s:%u: %s", bind_ip,
                     (unsigned)cfg->port, strerror(errno));
        close(t->fd);
        free(t);
        return rc;
    }
    struct sockaddr_storage got;
    socklen_t gl = sizeof got;
    t->port = cfg->port;
    if (getsockname(t->fd, (struct sockaddr *)&got, &gl) == 0)
        t->port = ntohs(got.ss_family == AF_INET ? ((struct sockaddr_in *)&got)->sin_port
                                                 : ((struct sockaddr_in6 *)&got)->sin6_port);
    t->ev_read = event_new(base, t->fd, EV_READ | EV_PERSIST, on_read, t);
    t->ev_tick = event_new(base, -1, EV_PERSIST, on_tick, t);
    unsigned tick = t->cfg.resend_ms / 4 ? t->cfg.resend_ms / 4 : 1;
    struct timeval tv = {(time_t)(tick / 1000), (suseconds_t)(tick % 1000) * 1000};
    if (!t->ev_read || !t->ev_tick || event_add(t->ev_read, NULL) != 0 ||
        event_add(t->ev_tick, &tv) != 0) {
        ch_transport_close(t);
        return err_set(ERR_NOMEM, "channel transport: cannot create its events");
    }
    *out = t;
    return 0;
}

void ch_transport_close(struct ch_transport *t)
{
    if (!t)
        return;
    if (t->ev_read)
        event_free(t->ev_read);
    if (t->ev_tick)
        event_free(t->ev_tick);
    if (t->fd >= 0)
        close(t->fd);
    while (t->nob)
        drop_outbox(t, t->nob - 1);
    free(t->ob);
    for (size_t i = 0; i < t->nloose; i++)
        free(t->loose[i].pkt);
    free(t->loose);
    free(t->held);
    free(t->peers);
    free(t);
}

uint16_t ch_transport_port(const struct ch_transport *t)
{
    return t->port;
}

size_t ch_transport_pending(const struct ch_transport *t, const uint8_t partner[20],
                            const uint8_t channel_id[32], uint64_t open_block,
                            uint64_t *first_nonce)
{
    const struct tp_outbox *o = find_outbox(t, partner, channel_id, open_block);
    bool any = o && o->unacked > 0;
    if (first_nonce)
        *first_nonce = any ? o->e[o->head].nonce : 0;
    return any ? o->unacked : 0;
}

void ch_transport_get_stats(const struct ch_transport *t, struct ch_transport_stats *out)
{
    *out = t->stats;
}
