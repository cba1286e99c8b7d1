/*
 * p2p.c — see p2p.h. The service's life cycle, its thread and event loop,
 * the listener and its admission rules (bans, pending handshakes), the
 * dialer of static peers with backoff, the peer set (admit, ready,
 * closed), the queues other threads fill, and the published peer list.
 * eth messages are handled in p2p_eth.c, ancestor fetching in p2p_fetch.c,
 * the synchroniser's glue in p2p_sync.c, discovery in p2p_disc.c.
 */
#include "config.h"

#include "net/p2p.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <event2/thread.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "chain/chaindb.h"
#include "chain/processor.h"
#include "chainsvc/chainsvc.h"
#include "crypto/ecdsa.h"
#include "net/p2p_internal.h"
#include "util/err.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/thread_name.h"

/* ---- small helpers -------------------------------------------------------- */

uint64_t p2p_random(struct p2p *s)
{
    uint64_t z = (s->rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void p2p_our_head(struct p2p *s, u256 *td, struct hash32 *hash)
{
    struct chainsvc_head h;
    if (chainsvc_head(s->chain, &h) == 0) {
        *td = h.td;
        *hash = h.hash;
        header_free(&h.header);
    } else {
        memset(td, 0, sizeof *td);
        *hash = s->genesis;
    }
}

static void short_id(const uint8_t id[64], char out[17])
{
    hex_encode(out, id, 8);
    out[16] = 0;
}

static bool same_id(const uint8_t a[64], const uint8_t b[64])
{
    return memcmp(a, b, 64) == 0;
}

/* ---- published view ------------------------------------------------------- */

void p2p_publish(struct p2p *s)
{
    size_t n = 0;
    for (size_t i = 0; i < s->npeers; i++)
        n += s->peers[i]->state == PEER_READY;
    struct p2p_peer_info *v = n ? calloc(n, sizeof *v) : NULL;
    if (n && !v)
        return; /* keep the old view */
    size_t k = 0;
    for (size_t i = 0; i < s->npeers && k < n; i++) {
        const struct peer *p = s->peers[i];
        if (p->state != PEER_READY)
            continue;
        struct p2p_peer_info *o = &v[k++];
        memcpy(o->id, p->remote.id, 64);
        snprintf(o->name, sizeof o->name, "%s", p->name);
        for (size_t c = 0; c < p->hello.cap_count && o->ncaps < 8; c++) {
            const struct p2p_cap *cap = &p->hello.caps[c];
            bool printable = true;
            for (const char *q = cap->name; *q; q++)
                printable &= *q > 0x20 && *q < 0x7f;
            if (printable)
                snprintf(o->caps[o->ncaps++], sizeof o->caps[0], "%.24s/%llu", cap->name,
                         (unsigned long long)cap->version);
        }
        snprintf(o->local_addr, sizeof o->local_addr, "%s", p->local_addr);
        snprintf(o->remote_addr, sizeof o->remote_addr, "%s", p->remote_addr);
        o->inbound = p->inbound;
        o->is_static = p->is_static;
        o->eth_version = p->eth_version;
        o->td = p->status.td;
        o->head = p->status.best_hash;
    }
    pthread_mutex_lock(&s->mu);
    free(s->pub);
    s->pub = v;
    s->npub = k;
    pthread_mutex_unlock(&s->mu);
}

int p2p_peers(struct p2p *s, struct p2p_peer_info **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    pthread_mutex_lock(&s->mu);
    int rc = 0;
    if (s->npub) {
        *out = malloc(s->npub * sizeof **out);
        if (*out) {
            memcpy(*out, s->pub, s->npub * sizeof **out);
            *n = s->npub;
        } else {
            rc = err_set(ERR_NOMEM, "out of memory");
        }
    }
    pthread_mutex_unlock(&s->mu);
    return rc;
}

size_t p2p_peer_count(struct p2p *s)
{
    pthread_mutex_lock(&s->mu);
    size_t n = s->npub;
    pthread_mutex_unlock(&s->mu);
    return n;
}

bool p2p_listening(const struct p2p *s)
{
    return s->listen;
}

void p2p_self(const struct p2p *s, struct enode *out)
{
    *out = s->self;
}

/* ---- the peer set ----------------------------------------------------------- */

static int add_peer_slot(struct p2p *s, struct peer *p)
{
    if (s->npeers == s->cap_peers) {
        size_t cap = s->cap_peers ? 2 * s->cap_peers : 16;
        struct peer **np = realloc(s->peers, cap * sizeof *np);
        if (!np)
            return err_set(ERR_NOMEM, "p2p: out of memory");
        s->peers = np;
        s->cap_peers = cap;
    }
    s->peers[s->npeers++] = p;
    return 0;
}

static struct p2p_static *find_static(struct p2p *s, const uint8_t id[64])
{
    for (size_t i = 0; i < s->nstatics; i++)
        if (same_id(s->statics[i].node.id, id))
            return &s->statics[i];
    return NULL;
}

/* Whether connection p should win over q to the same node: the connection
 * dialed by the node with the lower id wins, so both ends keep the same. */
static bool wins_over(const struct p2p *s, const struct peer *p, const struct peer *q)
{
    const uint8_t *pi = p->inbound ? p->remote.id : s->self.id;
    const uint8_t *qi = q->inbound ? q->remote.id : s->self.id;
    int c = memcmp(pi, qi, 64);
    if (c != 0)
        return c < 0;
    return p->serial < q->serial; /* same direction: the older one */
}

static bool cb_admit(void *ctx, struct peer *p, uint8_t *reason)
{
    struct p2p *s = ctx;
    if (same_id(p->remote.id, s->self.id)) {
        *reason = P2P_DISC_SELF;
        return false;
    }
    size_t total = 0, inbound = 0;
    for (size_t i = 0; i < s->npeers; i++) {
        struct peer *q = s->peers[i];
        if (q == p || q->state < PEER_STATUS || q->state > PEER_READY)
            continue;
        if (same_id(q->remote.id, p->remote.id)) {
            if (!wins_over(s, p, q)) {
                *reason = P2P_DISC_ALREADY_CONNECTED;
                return false;
            }
            peer_disconnect(q, P2P_DISC_ALREADY_CONNECTED, "replaced by another connection");
            continue;
        }
        total++;
        inbound += q->inbound;
    }
    p->is_static = find_static(s, p->remote.id) != NULL;
    if (total >= s->max_peers || (p->inbound && !p->is_static && inbound >= s->max_inbound)) {
        *reason = P2P_DISC_TOO_MANY_PEERS;
        return false;
    }
    return true;
}

static void cb_get_status(void *ctx, struct eth_status *out)
{
    struct p2p *s = ctx;
    memset(out, 0, sizeof *out);
    out->protocol_version = ETH_VERSION_63;
    out->network_id = s->params->network_id;
    p2p_our_head(s, &out->td, &out->best_hash);
    out->genesis_hash = s->genesis;
}

static void cb_ready(void *ctx, struct peer *p)
{
    struct p2p *s = ctx;
    char id[17];
    short_id(p->remote.id, id);
    log_info("P2P: peer connected: %s %s %s (%s, eth/%u)", id, p->remote_addr, p->name,
             p->inbound ? "inbound" : "outbound", (unsigned)p->eth_version);
    struct p2p_static *st = find_static(s, p->remote.id);
    if (st)
        st->backoff = P2P_BACKOFF_MIN;
    p2p_publish(s);
    p2p_sync_peer_ready(s, p);
    /* A peer a little ahead of us: fetch its head and whatever we lack
     * below it (far ahead: the synchroniser's round, p2p_fetch_start). */
    u256 td;
    struct hash32 head;
    p2p_our_head(s, &td, &head);
    if (u256_cmp(&p->status.td, &td) > 0 && !chaindb_has_header(s->db, &p->status.best_hash))
        p2p_fetch_start(s, p, &p->status.best_hash);
}

static void cb_eth(void *ctx, struct peer *p, uint64_t code, const uint8_t *payload, size_t len)
{
    p2p_eth_message(ctx, p, code, payload, len);
}

static void cb_closed(void *ctx, struct peer *p)
{
    struct p2p *s = ctx;
    for (size_t i = 0; i < s->npeers; i++) {
        if (s->peers[i] == p) {
            s->peers[i] = s->peers[--s->npeers];
            break;
        }
    }
    char id[17];
    short_id(p->remote.id, id);
    if (p->eth_version)
        log_info("P2P: peer disconnected: %s %s: %s", id, p->remote_addr, p->close_reason);
    else
        log_debug(LOG_NET, "P2P: connection %s %s ended: %s", p->inbound ? "from" : "to",
                  p->remote_addr, p->close_reason);
    if (p->banned) {
        char ip[46];
        enode_ip_text(&p->remote.ep, ip);
        peer_ban_add(&s->bans, &p->remote.ep, peer_now(), s->ban_seconds);
        log_info("P2P: banned %s for %lld s: %s", ip, (long long)s->ban_seconds,
                 p->close_reason);
    }
    p2p_sync_peer_closed(s, p);
    struct p2p_peer *pd = p->owner_data;
    if (pd) {
        p2p_fetch_free(&pd->fetch);
        free(pd);
    }
    peer_free(p);
    p2p_publish(s);
}

/* Creates the service's part of a new peer. */
static int adopt(struct p2p *s, struct peer *p)
{
    p->serial = ++s->serial;
    p->owner_data = calloc(1, sizeof(struct p2p_peer));
    if (!p->owner_data || add_peer_slot(s, p) != 0) {
        free(p->owner_data);
        peer_free(p);
        return err_set(ERR_NOMEM, "p2p: out of memory");
    }
    return 0;
}

/* ---- listener and dialer ------------------------------------------------------ */

static void on_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
                      int salen, void *arg)
{
    (void)l;
    struct p2p *s = arg;
    struct enode_endpoint ep;
    memset(&ep, 0, sizeof ep);
    char ip[INET6_ADDRSTRLEN] = "?";
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((struct sockaddr_in *)sa)->sin_addr, ip, sizeof ip);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)sa)->sin6_addr, ip, sizeof ip);
    if (enode_set_ip(&ep, ip) != 0)
        ep.ip_len = 0;
    int64_t until;
    if (peer_ban_check(&s->bans, &ep, peer_now(), &until)) {
        log_info("P2P: refused connection from %s: banned for %lld s more", ip,
                 (long long)(until - peer_now()));
        evutil_closesocket(fd);
        return;
    }
    size_t pending = 0;
    for (size_t i = 0; i < s->npeers; i++)
        pending += s->peers[i]->state < PEER_STATUS;
    if (pending >= P2P_MAX_PENDING || s->npeers >= s->max_peers + P2P_MAX_PENDING) {
        log_debug(LOG_NET, "P2P: refused connection from %s: too many connections", ip);
        evutil_closesocket(fd);
        return;
    }
    struct peer *p;
    if (peer_accept(s->base, &s->pcfg, &s->pcb, s, fd, sa, salen, &p) != 0) {
        log_debug(LOG_NET, "P2P: cannot take connection from %s: %s", ip, err_msg());
        return;
    }
    if (adopt(s, p) == 0)
        log_debug(LOG_NET, "P2P: connection from %s", p->remote_addr);
}

bool p2p_connected_to(const struct p2p *s, const uint8_t id[64])
{
    for (size_t i = 0; i < s->npeers; i++) {
        const struct peer *p = s->peers[i];
        if (p->state == PEER_CLOSED || p->state == PEER_CLOSING)
            continue;
        /* outbound peers know the id from the start; inbound after auth */
        if ((p->state >= PEER_HELLO || !p->inbound) && same_id(p->remote.id, id))
            return true;
    }
    return false;
}

size_t p2p_live_peers(const struct p2p *s)
{
    size_t n = 0;
    for (size_t i = 0; i < s->npeers; i++)
        n += s->peers[i]->state <= PEER_READY;
    return n;
}

static void dial_as(struct p2p *s, const struct enode *n, bool is_static)
{
    struct peer *p;
    char url[ENODE_URL_MAX];
    if (enode_format(n, url) != 0)
        snprintf(url, sizeof url, "?");
    if (peer_connect(s->base, &s->pcfg, &s->pcb, s, n, &p) != 0) {
        log_debug(LOG_NET, "P2P: cannot dial %s: %s", url, err_msg());
        return;
    }
    p->is_static = is_static;
    if (adopt(s, p) == 0)
        log_debug(LOG_NET, "P2P: dialing %s%s", url, is_static ? "" : " (discovered)");
}

static void dial(struct p2p *s, struct p2p_static *st)
{
    dial_as(s, &st->node, true);
}

void p2p_dial_node(struct p2p *s, const struct enode *n)
{
    dial_as(s, n, false);
}

static void dial_statics(struct p2p *s)
{
    int64_t now = peer_now();
    for (size_t i = 0; i < s->nstatics; i++) {
        struct p2p_static *st = &s->statics[i];
        if (now < st->next_dial || p2p_connected_to(s, st->node.id))
            continue;
        if (p2p_live_peers(s) >= s->max_peers)
            return;
        st->next_dial = now + st->backoff;
        st->backoff = st->backoff * 2 > P2P_BACKOFF_MAX ? P2P_BACKOFF_MAX : st->backoff * 2;
        dial(s, st);
    }
    /* Then nodes found by discovery, within the outbound slots. */
    p2p_disc_dial(s);
}

static int add_static(struct p2p *s, const struct enode *n)
{
    if (same_id(n->id, s->self.id))
        return err_set(ERR_INVAL, "that is this node's own id");
    if (n->ep.ip_len == 0 || n->ep.tcp_port == 0)
        return err_set(ERR_INVAL, "no address to dial");
    struct p2p_static *st = find_static(s, n->id);
    if (!st) {
        if (s->nstatics == P2P_MAX_STATIC)
            return err_set(ERR_RANGE, "too many static peers (%d)", P2P_MAX_STATIC);
        st = &s->statics[s->nstatics++];
    }
    st->node = *n;
    st->next_dial = 0;
    st->backoff = P2P_BACKOFF_MIN;
    return 0;
}

/* ---- the thread ----------------------------------------------------------------- */

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct p2p *s = arg;
    pthread_mutex_lock(&s->mu);
    bool stopping = s->stopping;
    pthread_mutex_unlock(&s->mu);
    if (!stopping) /* no new dials while the peers are being told goodbye */
        dial_statics(s);
}

static void on_wake(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct p2p *s = arg;
    struct enode adds[P2P_ADDQ_MAX];
    struct hash32 heads[P2P_HEADQ_MAX];
    pthread_mutex_lock(&s->mu);
    bool stopping = s->stopping;
    size_t nadds = s->naddq, nheads = s->nheadq, ntx = s->ntxq;
    memcpy(adds, s->addq, nadds * sizeof adds[0]);
    memcpy(heads, s->headq, nheads * sizeof heads[0]);
    struct p2p_txq *txs = s->txq;
    s->naddq = s->nheadq = s->ntxq = 0;
    s->txq = NULL;
    pthread_mutex_unlock(&s->mu);

    if (stopping) {
        for (size_t i = 0; i < ntx; i++)
            free(txs[i].raw);
        free(txs);
        for (size_t i = 0; i < s->npeers; i++)
            peer_disconnect(s->peers[i], P2P_DISC_QUITTING, "shutting down");
        struct timeval flush = {0, 300000};
        event_base_loopexit(s->base, &flush);
        return;
    }
    for (size_t i = 0; i < nadds; i++)
        if (add_static(s, &adds[i]) != 0)
            log_warn("P2P: cannot add peer: %s", err_msg());
    if (nadds)
        dial_statics(s);
    /* Blocks below the tip a sync round is heading for are old news. */
    for (size_t i = 0; i < nheads; i++)
        if (!p2p_sync_old_news(s, &heads[i]))
            p2p_propagate_block(s, &heads[i]);
    if (ntx)
        p2p_propagate_txs(s, txs, ntx);
    for (size_t i = 0; i < ntx; i++)
        free(txs[i].raw);
    free(txs);
}

static void *thread_main(void *arg)
{
    thread_name("p2p");
    struct p2p *s = arg;
    event_base_dispatch(s->base);
    return NULL;
}

static void wake(struct p2p *s)
{
    event_active(s->wake, EV_READ, 0);
}

/* ---- queues from other threads ---------------------------------------------------- */

void p2p_on_chain_event(struct p2p *s, const struct chainsvc_event *ev)
{
    if (!s)
        return;
    if (ev->kind == CHAINSVC_EVENT_HEAD) {
        if (ev->nadded == 0)
            return;
        pthread_mutex_lock(&s->mu);
        for (size_t i = 0; i < ev->nadded; i++) {
            if (s->nheadq == P2P_HEADQ_MAX) {
                memmove(s->headq, s->headq + 1, (P2P_HEADQ_MAX - 1) * sizeof s->headq[0]);
                s->nheadq--;
            }
            s->headq[s->nheadq++] = ev->added[i];
        }
        pthread_mutex_unlock(&s->mu);
        wake(s);
        return;
    }
    if (ev->kind != CHAINSVC_EVENT_PENDING_TX || !ev->tx)
        return;
    /* The producer's chief update is for its own block only (spec §6.3). */
    if (chain_is_chief_update(s->params, ev->tx))
        return;
    struct bytes raw = BYTES_INIT;
    if (tx_encode(ev->tx, &raw) != 0 || raw.oom) {
        bytes_free(&raw);
        return;
    }
    pthread_mutex_lock(&s->mu);
    bool queued = false;
    if (s->ntxq < P2P_TX_QUEUE_MAX && s->ntxq % 64 == 0) {
        struct p2p_txq *nq = realloc(s->txq, (s->ntxq + 64) * sizeof *nq);
        if (nq)
            s->txq = nq;
        else
            goto unlock;
    }
    if (s->ntxq < P2P_TX_QUEUE_MAX) {
        size_t len;
        struct p2p_txq *q = &s->txq[s->ntxq];
        q->hash = *ev->tx_hash;
        q->raw = bytes_steal(&raw, &len);
        q->len = len;
        s->ntxq++;
        queued = true;
    }
unlock:
    pthread_mutex_unlock(&s->mu);
    bytes_free(&raw);
    if (queued)
        wake(s);
}

int p2p_add_peer(struct p2p *s, const struct enode *n)
{
    if (same_id(n->id, s->self.id))
        return err_set(ERR_INVAL, "that is this node's own id");
    if (n->ep.ip_len == 0 || n->ep.tcp_port == 0)
        return err_set(ERR_INVAL, "no address to dial");
    pthread_mutex_lock(&s->mu);
    int rc = 0;
    if (s->naddq == P2P_ADDQ_MAX)
        rc = err_set(ERR_RANGE, "too many peers being added at once");
    else
        s->addq[s->naddq++] = *n;
    pthread_mutex_unlock(&s->mu);
    if (rc == 0)
        wake(s);
    return rc;
}

/* ---- start and stop -------------------------------------------------------------------- */

static int bind_listener(struct p2p *s, const char *bind, uint16_t port)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    int salen;
    struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, bind, &s4->sin_addr) == 1) {
        s4->sin_family = AF_INET;
        s4->sin_port = htons(port);
        salen = sizeof *s4;
    } else if (inet_pton(AF_INET6, bind, &s6->sin6_addr) == 1) {
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons(port);
        salen = sizeof *s6;
    } else {
        return err_set(ERR_INVAL, "-bind: \"%s\" is not an IP address", bind);
    }
    s->listener = evconnlistener_new_bind(s->base, on_accept, s,
                                          LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE |
                                              LEV_OPT_CLOSE_ON_EXEC,
                                          64, (struct sockaddr *)&ss, salen);
    if (!s->listener)
        return err_set(ERR_IO, "Unable to bind the p2p port on %s:%u: %s", bind, (unsigned)port,
                       strerror(errno));
    struct sockaddr_storage got;
    socklen_t gl = sizeof got;
    if (getsockname(evconnlistener_get_fd(s->listener), (struct sockaddr *)&got, &gl) == 0)
        port = ntohs(got.ss_family == AF_INET ? ((struct sockaddr_in *)&got)->sin_port
                                              : ((struct sockaddr_in6 *)&got)->sin6_port);
    s->self.ep.tcp_port = port;
    s->self.ep.udp_port = port;
    snprintf(s->listen_text, sizeof s->listen_text, "%s%s%s:%u", salen == sizeof *s6 ? "[" : "",
             bind, salen == sizeof *s6 ? "]" : "", (unsigned)port);
    return 0;
}

static void free_service(struct p2p *s)
{
    p2p_disc_stop(s);
    p2p_sync_stop(s); /* no callbacks: the peers below go without removal */
    for (size_t i = 0; i < s->npeers; i++) {
        struct p2p_peer *pd = s->peers[i]->owner_data;
        if (pd) {
            p2p_fetch_free(&pd->fetch);
            free(pd);
        }
        peer_free(s->peers[i]);
    }
    free(s->peers);
    if (s->listener)
        evconnlistener_free(s->listener);
    if (s->wake)
        event_free(s->wake);
    if (s->tick)
        event_free(s->tick);
    if (s->base)
        event_base_free(s->base);
    for (size_t i = 0; i < s->ntxq; i++)
        free(s->txq[i].raw);
    free(s->txq);
    free(s->pub);
    pthread_mutex_destroy(&s->mu);
    OPENSSL_cleanse(&s->pcfg, sizeof s->pcfg);
    free(s);
}

int p2p_start(const struct p2p_config *cfg, struct p2p **out)
{
    *out = NULL;
    if (!cfg->chain || cfg->max_peers == 0)
        return err_set(ERR_INVAL, "p2p: no chain service or -maxpeers=0");
    if (cfg->nconnect + cfg->naddnode > P2P_MAX_STATIC)
        return err_set(ERR_INVAL, "too many -connect/-addnode peers (at most %d)", P2P_MAX_STATIC);
    struct p2p *s = calloc(1, sizeof *s);
    if (!s)
        return err_set(ERR_NOMEM, "out of memory");
    pthread_mutex_init(&s->mu, NULL);
    s->chain = cfg->chain;
    s->db = chainsvc_db(cfg->chain);
    s->params = chainsvc_params(cfg->chain);
    s->max_peers = cfg->max_peers;
    s->max_inbound = cfg->max_peers - cfg->max_peers / 3;
    s->ban_seconds = cfg->ban_seconds > 0 ? cfg->ban_seconds : PEER_BAN_SECONDS;
    if (RAND_bytes((unsigned char *)&s->rng, sizeof s->rng) != 1)
        s->rng = (uint64_t)(uintptr_t)s;

    int rc = chaindb_read_canonical(s->db, NULL, 0, &s->genesis);
    if (rc) {
        free_service(s);
        return err_wrap(rc, "p2p: the genesis block");
    }
    memcpy(s->pcfg.sk, cfg->node_key, 32);
    if (ecdsa_pubkey(s->pcfg.sk, s->pcfg.id) != 0) {
        free_service(s);
        return err_set(ERR_INVAL, "p2p: invalid node key");
    }
    snprintf(s->pcfg.client_id, sizeof s->pcfg.client_id, "spectrumd/v%s", PACKAGE_VERSION);
    s->pcb.admit = cb_admit;
    s->pcb.get_status = cb_get_status;
    s->pcb.on_ready = cb_ready;
    s->pcb.on_eth = cb_eth;
    s->pcb.on_closed = cb_closed;
    memcpy(s->self.id, s->pcfg.id, 64);
    const char *adv = cfg->bind[0] && strcmp(cfg->bind, "0.0.0.0") && strcmp(cfg->bind, "::")
                          ? cfg->bind
                          : "127.0.0.1";
    if (enode_set_ip(&s->self.ep, adv) != 0)
        enode_set_ip(&s->self.ep, "127.0.0.1");

    s->base = event_base_new();
    if (s->base) {
        s->wake = event_new(s->base, -1, 0, on_wake, s);
        s->tick = event_new(s->base, -1, EV_PERSIST, on_tick, s);
    }
    if (!s->base || !s->wake || !s->tick) {
        free_service(s);
        return err_set(ERR_NOMEM, "p2p: cannot create the event loop");
    }
    if (cfg->listen) {
        rc = bind_listener(s, cfg->bind[0] ? cfg->bind : "0.0.0.0", cfg->port);
        if (rc) {
            free_service(s);
            return rc;
        }
        s->listen = true;
    }
    if (cfg->advertised_port)
        s->self.ep.tcp_port = s->self.ep.udp_port = cfg->advertised_port;
    s->pcfg.listen_port = s->listen ? s->self.ep.tcp_port : 0;
    if (!s->listen)
        s->self.ep.tcp_port = s->self.ep.udp_port = cfg->port;

    rc = p2p_sync_start(s);
    if (rc == 0)
        rc = p2p_disc_start(s, cfg);
    if (rc) {
        free_service(s);
        return rc;
    }
    for (size_t i = 0; i < cfg->nconnect + cfg->naddnode; i++) {
        const struct enode *n =
            i < cfg->nconnect ? &cfg->connect[i] : &cfg->addnode[i - cfg->nconnect];
        rc = add_static(s, n);
        if (rc) {
            free_service(s);
            return err_wrap(rc, "-%s", i < cfg->nconnect ? "connect" : "addnode");
        }
    }
    struct timeval sec = {1, 0};
    event_add(s->tick, &sec);
    if (pthread_create(&s->thread, NULL, thread_main, s) != 0) {
        free_service(s);
        return err_set(ERR_BADSTATE, "p2p: cannot start the thread");
    }
    s->thread_started = true;

    char url[ENODE_URL_MAX];
    if (enode_format(&s->self, url) != 0)
        snprintf(url, sizeof url, "?");
    if (s->listen)
        log_info("P2P: listening on %s, enode %s", s->listen_text, url);
    else
        log_info("P2P: not listening (-listen=0), enode %s", url);
    log_info("P2P: %s, %zu static peer(s), max %zu peers", cfg->nconnect ? "-connect: dialing only those"
             : s->disc ? "discovery on" : "discovery off",
             s->nstatics, s->max_peers);
    if (s->nstatics)
        wake(s);
    *out = s;
    return 0;
}

void p2p_stop(struct p2p *s)
{
    if (!s)
        return;
    if (s->thread_started) {
        pthread_mutex_lock(&s->mu);
        s->stopping = true;
        pthread_mutex_unlock(&s->mu);
        wake(s);
        pthread_join(s->thread, NULL);
    }
    free_service(s);
    log_info("P2P: stopped");
}
