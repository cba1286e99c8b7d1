/*
 * lan.c — see lan.h.
 *
 * The service is a plain poll() loop on one thread: the beacon socket and
 * the read end of a pipe that ch_lan_stop writes to. The filter does the
 * cheap checks before the signature recovery (about 50 µs), and the global
 * verify budget caps what a flood of well-sized garbage can cost. A peer is
 * handed to the hub only when it is new or moved (ip or port changed), so
 * a steady LAN costs the hub nothing after the first beacon.
 */
#include "channel/lan.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "channel/sig.h"
#include "crypto/keccak.h"
#include "util/err.h"
#include "util/log.h"
#include "util/thread_name.h"

/* ---- the beacon ------------------------------------------------------------------ */

static void beacon_digest(const uint8_t fields[CH_LAN_FIELDS_LEN], uint8_t out[32])
{
    struct keccak_ctx c;
    keccak256_init(&c);
    keccak256_update(&c, CH_SIG_PREFIX, sizeof CH_SIG_PREFIX - 1);
    keccak256_update(&c, "38", 2);
    keccak256_update(&c, fields, CH_LAN_FIELDS_LEN);
    keccak256_final(&c, out);
}

int ch_lan_beacon_encode(const uint8_t key[32], uint16_t port, uint64_t time_ms,
                         uint8_t out[CH_LAN_BEACON_LEN])
{
    if (port == 0)
        return err_set(ERR_INVAL, "lan beacon: port 0");
    memcpy(out, CH_LAN_TAG, CH_LAN_TAG_LEN);
    int rc = ch_address_of(key, out + 8);
    if (rc)
        return rc;
    out[28] = (uint8_t)(port >> 8);
    out[29] = (uint8_t)port;
    for (int i = 0; i < 8; i++)
        out[30 + i] = (uint8_t)(time_ms >> (56 - 8 * i));
    uint8_t d[32];
    beacon_digest(out, d);
    return ch_sign(d, key, out + CH_LAN_FIELDS_LEN);
}

int ch_lan_beacon_decode(const uint8_t *pkt, size_t len, struct ch_lan_beacon *out)
{
    if (len != CH_LAN_BEACON_LEN)
        return err_set(ERR_DECODE, "lan beacon: %zu bytes, not %d", len, CH_LAN_BEACON_LEN);
    if (memcmp(pkt, CH_LAN_TAG, CH_LAN_TAG_LEN) != 0)
        return err_set(ERR_DECODE, "lan beacon: not a _photon beacon");
    uint16_t port = (uint16_t)(pkt[28] << 8 | pkt[29]);
    if (port == 0)
        return err_set(ERR_DECODE, "lan beacon: port 0");
    uint64_t t = 0;
    for (int i = 0; i < 8; i++)
        t = t << 8 | pkt[30 + i];
    uint8_t d[32], signer[20];
    beacon_digest(pkt, d);
    if (ch_recover(d, pkt + CH_LAN_FIELDS_LEN, signer) != 0 || memcmp(signer, pkt + 8, 20) != 0)
        return err_set(ERR_CRYPTO, "lan beacon: not signed by the announced address");
    memcpy(out->addr, pkt + 8, 20);
    out->port = port;
    out->time_ms = t;
    return 0;
}

/* ---- the filter ------------------------------------------------------------------ */

void ch_lan_filter_init(struct ch_lan_filter *f)
{
    memset(f, 0, sizeof *f);
    f->verify_tokens = CH_LAN_VERIFY_RATE;
}

/* Refills a bucket of `rate` per second (burst `burst`) and takes one. */
static bool take(double *tokens, uint64_t *last_ms, uint64_t now, double rate, double burst)
{
    if (now > *last_ms) {
        *tokens += (double)(now - *last_ms) * rate / 1000.0;
        if (*tokens > burst)
            *tokens = burst;
    }
    *last_ms = now;
    if (*tokens < 1.0)
        return false;
    *tokens -= 1.0;
    return true;
}

static bool take_source(struct ch_lan_filter *f, uint32_t ip, uint64_t now)
{
    size_t slot = 0;
    for (size_t i = 0; i < CH_LAN_SOURCES; i++) {
        if (f->src[i].ip == ip && ip != 0) {
            slot = i;
            goto found;
        }
        if (f->src[i].last_ms < f->src[slot].last_ms)
            slot = i; /* the least recently seen (free slots have 0) */
    }
    f->src[slot].ip = ip;
    f->src[slot].tokens = 2.0 * CH_LAN_SOURCE_RATE;
    f->src[slot].last_ms = now;
found:
    return take(&f->src[slot].tokens, &f->src[slot].last_ms, now, CH_LAN_SOURCE_RATE,
                2.0 * CH_LAN_SOURCE_RATE);
}

enum ch_lan_verdict ch_lan_filter_check(struct ch_lan_filter *f, const uint8_t *pkt, size_t len,
                                        uint32_t src_ip, uint64_t now_ms,
                                        struct ch_lan_beacon *out)
{
    if (len != CH_LAN_BEACON_LEN)
        return CH_LAN_BAD_SIZE;
    if (!take_source(f, src_ip, now_ms) ||
        !take(&f->verify_tokens, &f->verify_ms, now_ms, CH_LAN_VERIFY_RATE, CH_LAN_VERIFY_RATE))
        return CH_LAN_RATE;
    struct ch_lan_beacon b;
    if (ch_lan_beacon_decode(pkt, len, &b) != 0)
        return CH_LAN_BAD;
    uint64_t diff = b.time_ms > now_ms ? b.time_ms - now_ms : now_ms - b.time_ms;
    if (diff > CH_LAN_FRESH_MS)
        return CH_LAN_STALE;
    /* the address's slot; else a free one; else the least recently seen */
    size_t slot = 0;
    for (size_t i = 0; i < CH_LAN_PEERS_MAX; i++) {
        if (f->peer[i].time_ms && memcmp(f->peer[i].addr, b.addr, 20) == 0) {
            if (b.time_ms <= f->peer[i].time_ms)
                return CH_LAN_REPLAY;
            slot = i;
            goto keep;
        }
        if (f->peer[slot].time_ms != 0 &&
            (f->peer[i].time_ms == 0 || f->peer[i].seen_ms < f->peer[slot].seen_ms))
            slot = i;
    }
    memcpy(f->peer[slot].addr, b.addr, 20);
keep:
    f->peer[slot].time_ms = b.time_ms;
    f->peer[slot].seen_ms = now_ms ? now_ms : 1;
    *out = b;
    return CH_LAN_ACCEPT;
}

/* ---- the service ----------------------------------------------------------------- */

struct lan_peer {
    uint8_t addr[20];
    uint32_t ip;
    uint16_t port;
    bool registered;
};

struct ch_lan {
    struct ch_lan_config cfg;
    uint8_t self[20];
    struct sockaddr_in dest;
    int fd;
    int pipe_r, pipe_w;
    pthread_t thread;
    bool started;
    struct ch_lan_filter filter;
    struct lan_peer peers[CH_LAN_PEERS_MAX];
    size_t npeers, next_evict;
    pthread_mutex_t mu;
    struct ch_lan_stats stats;      /* mu */
};

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

#define COUNT_STAT(l, field)            \
    do {                                \
        pthread_mutex_lock(&(l)->mu);   \
        (l)->stats.field++;             \
        pthread_mutex_unlock(&(l)->mu); \
    } while (0)

static void send_beacon(struct ch_lan *l)
{
    uint8_t b[CH_LAN_BEACON_LEN];
    if (ch_lan_beacon_encode(l->cfg.key, l->cfg.hub_port, now_ms(), b) != 0) {
        COUNT_STAT(l, send_errors);
        return;
    }
    ssize_t n = sendto(l->fd, b, sizeof b, 0, (const struct sockaddr *)&l->dest, sizeof l->dest);
    if (n == (ssize_t)sizeof b) {
        COUNT_STAT(l, sent);
    } else {
        COUNT_STAT(l, send_errors);
        log_debug(LOG_CHANNEL, "Channel LAN: sending the beacon: %s", strerror(errno));
    }
}

/* The peer entry of addr, made when new (the oldest made gives its slot). */
static struct lan_peer *peer_of(struct ch_lan *l, const uint8_t addr[20])
{
    for (size_t i = 0; i < l->npeers; i++)
        if (memcmp(l->peers[i].addr, addr, 20) == 0)
            return &l->peers[i];
    struct lan_peer *p;
    if (l->npeers < CH_LAN_PEERS_MAX) {
        p = &l->peers[l->npeers++];
    } else {
        p = &l->peers[l->next_evict];
        l->next_evict = (l->next_evict + 1) % CH_LAN_PEERS_MAX;
    }
    memset(p, 0, sizeof *p);
    memcpy(p->addr, addr, 20);
    return p;
}

static void on_beacon(struct ch_lan *l, const uint8_t *buf, size_t len,
                      const struct sockaddr_in *from)
{
    if (len == CH_LAN_BEACON_LEN && memcmp(buf + CH_LAN_TAG_LEN, l->self, 20) == 0) {
        COUNT_STAT(l, self); /* ours, looped back: not worth a signature check */
        return;
    }
    struct ch_lan_beacon b;
    enum ch_lan_verdict v =
        ch_lan_filter_check(&l->filter, buf, len, from->sin_addr.s_addr, now_ms(), &b);
    pthread_mutex_lock(&l->mu);
    switch (v) {
    case CH_LAN_ACCEPT:
        l->stats.accepted++;
        break;
    case CH_LAN_BAD_SIZE:
        l->stats.bad_size++;
        break;
    case CH_LAN_RATE:
        l->stats.rate++;
        break;
    case CH_LAN_BAD:
        l->stats.bad++;
        break;
    case CH_LAN_STALE:
        l->stats.stale++;
        break;
    case CH_LAN_REPLAY:
        l->stats.replay++;
        break;
    }
    pthread_mutex_unlock(&l->mu);
    if (v != CH_LAN_ACCEPT)
        return;
    struct lan_peer *p = peer_of(l, b.addr);
    if (p->registered && p->ip == from->sin_addr.s_addr && p->port == b.port)
        return;
    char ip[INET_ADDRSTRLEN];
    if (!inet_ntop(AF_INET, &from->sin_addr, ip, sizeof ip))
        return;
    p->ip = from->sin_addr.s_addr;
    p->port = b.port;
    p->registered = l->cfg.on_peer && l->cfg.on_peer(l->cfg.ctx, b.addr, ip, b.port) == 0;
    if (p->registered) {
        COUNT_STAT(l, registered);
        log_debug(LOG_CHANNEL, "Channel LAN: peer %02x%02x%02x%02x... at %s:%u", b.addr[0],
                  b.addr[1], b.addr[2], b.addr[3], ip, (unsigned)b.port);
    }
}

static void read_all(struct ch_lan *l)
{
    for (int k = 0; k < CH_LAN_BATCH; k++) {
        uint8_t buf[CH_LAN_BEACON_LEN + 1];
        struct sockaddr_in from;
        socklen_t fl = sizeof from;
        ssize_t n = recvfrom(l->fd, buf, sizeof buf, MSG_TRUNC, (struct sockaddr *)&from, &fl);
        if (n < 0)
            return; /* EAGAIN, or an error the next poll reports again */
        COUNT_STAT(l, received);
        if (fl < (socklen_t)sizeof from || from.sin_family != AF_INET) {
            COUNT_STAT(l, bad);
            continue;
        }
        /* n is the datagram's real length (MSG_TRUNC): oversize is BAD_SIZE */
        on_beacon(l, buf, (size_t)n > sizeof buf ? sizeof buf : (size_t)n, &from);
    }
}

static void *lan_main(void *arg)
{
    thread_name("channel-lan");
    struct ch_lan *l = arg;
    unsigned interval = l->cfg.interval_ms ? l->cfg.interval_ms : CH_LAN_INTERVAL_MS;
    uint64_t next = mono_ms();
    for (;;) {
        uint64_t now = mono_ms();
        if (now >= next) {
            send_beacon(l);
            next = now + interval;
        }
        struct pollfd pf[2] = {{.fd = l->fd, .events = POLLIN}, {.fd = l->pipe_r, .events = POLLIN}};
        int r = poll(pf, 2, (int)(next - now > interval ? interval : next - now));
        if (r < 0 && errno != EINTR)
            break;
        if (r > 0 && pf[1].revents)
            break;
        if (r > 0 && pf[0].revents)
            read_all(l);
    }
    return NULL;
}

static int set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static int open_socket(struct ch_lan *l)
{
    const struct ch_lan_config *c = &l->cfg;
    memset(&l->dest, 0, sizeof l->dest);
    l->dest.sin_family = AF_INET;
    l->dest.sin_port = htons(c->group_port);
    if (!c->group || inet_pton(AF_INET, c->group, &l->dest.sin_addr) != 1)
        return err_set(ERR_INVAL, "channel LAN: %s is not an IPv4 address",
                       c->group ? c->group : "(none)");
    struct in_addr iface = {.s_addr = htonl(INADDR_ANY)};
    if (c->iface && inet_pton(AF_INET, c->iface, &iface) != 1)
        return err_set(ERR_INVAL, "channel LAN: interface %s is not an IPv4 address", c->iface);
    l->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (l->fd < 0)
        return err_set(ERR_IO, "channel LAN: socket: %s", strerror(errno));
    int one = 1;
    struct sockaddr_in any;
    memset(&any, 0, sizeof any);
    any.sin_family = AF_INET;
    any.sin_port = htons(c->group_port);
    any.sin_addr.s_addr = htonl(INADDR_ANY);
    bool multicast = IN_MULTICAST(ntohl(l->dest.sin_addr.s_addr));
    if (setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        set_nonblock(l->fd) != 0 ||
        bind(l->fd, (const struct sockaddr *)&any, sizeof any) != 0)
        return err_set(ERR_IO, "channel LAN: binding 0.0.0.0:%u: %s", (unsigned)c->group_port,
                       strerror(errno));
    if (multicast) {
        struct ip_mreq mr = {.imr_multiaddr = l->dest.sin_addr, .imr_interface = iface};
        unsigned char loop = 1;
        if (setsockopt(l->fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof mr) != 0 ||
            setsockopt(l->fd, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, sizeof loop) != 0 ||
            (iface.s_addr != htonl(INADDR_ANY) &&
             setsockopt(l->fd, IPPROTO_IP, IP_MULTICAST_IF, &iface, sizeof iface) != 0))
            return err_set(ERR_IO, "channel LAN: joining %s: %s", c->group, strerror(errno));
    } else if (setsockopt(l->fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one) != 0) {
        return err_set(ERR_IO, "channel LAN: SO_BROADCAST: %s", strerror(errno));
    }
    return 0;
}

static void free_lan(struct ch_lan *l)
{
    if (l->fd >= 0)
        close(l->fd);
    if (l->pipe_r >= 0)
        close(l->pipe_r);
    if (l->pipe_w >= 0)
        close(l->pipe_w);
    pthread_mutex_destroy(&l->mu);
    OPENSSL_cleanse(l->cfg.key, sizeof l->cfg.key);
    free(l);
}

int ch_lan_start(const struct ch_lan_config *cfg, struct ch_lan **out)
{
    *out = NULL;
    if (cfg->group_port == 0 || cfg->hub_port == 0)
        return err_set(ERR_INVAL, "channel LAN: port 0");
    struct ch_lan *l = calloc(1, sizeof *l);
    if (!l)
        return err_set(ERR_NOMEM, "out of memory");
    l->cfg = *cfg;
    l->fd = l->pipe_r = l->pipe_w = -1;
    pthread_mutex_init(&l->mu, NULL);
    ch_lan_filter_init(&l->filter);
    int rc = ch_address_of(cfg->key, l->self);
    if (rc)
        rc = err_set(ERR_INVAL, "channel LAN: invalid key");
    if (rc == 0)
        rc = open_socket(l);
    int p[2];
    if (rc == 0 && pipe(p) != 0)
        rc = err_set(ERR_IO, "channel LAN: pipe: %s", strerror(errno));
    if (rc == 0) {
        l->pipe_r = p[0];
        l->pipe_w = p[1];
        if (pthread_create(&l->thread, NULL, lan_main, l) != 0)
            rc = err_set(ERR_BADSTATE, "channel LAN: no thread");
    }
    if (rc) {
        free_lan(l);
        return rc;
    }
    l->started = true;
    *out = l;
    return 0;
}

void ch_lan_stop(struct ch_lan *l)
{
    if (!l)
        return;
    if (l->started) {
        char x = 1;
        while (write(l->pipe_w, &x, 1) < 0 && errno == EINTR)
            ;
        pthread_join(l->thread, NULL);
    }
    free_lan(l);
}

void ch_lan_get_stats(struct ch_lan *l, struct ch_lan_stats *out)
{
    pthread_mutex_lock(&l->mu);
    *out = l->stats;
    pthread_mutex_unlock(&l->mu);
}
