/*
 * discv4.c — the discovery v4 service; see discv4.h for what it does.
 *
 * Shape: one non-blocking UDP socket and one 100 ms tick on the caller's
 * event loop, and a handful of fixed-size tables in one allocation:
 *   recs     what we know of each node we talked to: when it last pinged
 *            us (then it holds our endpoint proof) and when it last
 *            answered our ping (we hold its proof, at which address);
 *   pend     replies we wait for (a pong to a ping of ours, neighbors to a
 *            findnode), each with a deadline and the reason we asked;
 *   lk       running lookups, each a list of candidates sorted by distance
 *            to the target, with a small state per candidate;
 *   rate     token buckets per source IP (hashed into slots) plus a global
 *            one, consulted before any signature is recovered.
 * Everything is driven by two events: a datagram (handle_*) and the tick
 * (deadlines, lookups waiting for a ping back, refresh, revalidation).
 * Nothing blocks and nothing is allocated after start.
 *
 * Lookup protocol (geth's): ask the ALPHA closest unasked candidates, merge
 * what they return, stop when the K closest that did not fail have all
 * answered. A candidate that has not pinged us lately would drop our
 * findnode for lack of endpoint proof, so we ping it first; its pong and
 * its own ping back follow, and the findnode goes out right after our pong
 * to that ping (or BOND_WAIT_MS after its pong, if its ping does not come).
 */
#include "net/discv4.h"

#include <errno.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "crypto/ecdsa.h"
#include "crypto/keccak.h"
#include "net/discv4_packet.h"
#include "net/kad_table.h"
#include "util/err.h"
#include "util/log.h"

#define RESP_TIMEOUT_MS 500
#define EXPIRATION_S 20
#define BOND_EXPIRATION_MS (24ull * 3600 * 1000)
#define BOND_WAIT_MS 300
#define TICK_MS 100
#define DEFAULT_REFRESH_MS (30u * 60 * 1000)
#define DEFAULT_REVALIDATE_MS 5000u
#define EMPTY_RETRY_MS 10000u       /* refresh again this soon while the table is empty */
#define MAX_FIND_FAILS 5
#define ALPHA 3
#define MAX_LOOKUPS 4
#define LOOKUP_CANDS 64
#define MAX_RECORDS 1024
#define MAX_PENDING 256
#define MAX_BOOTNODES 64
#define READS_PER_EVENT 64
#define RATE_SLOTS 256
#define RATE_PER_IP 200             /* packets per second, per source IP */
#define RATE_PER_IP_BURST 400
#define RATE_GLOBAL 5000            /* packets per second, all sources */
#define RATE_GLOBAL_BURST 10000
#define NEIGHBOR_PACKETS ((KAD_BUCKET_SIZE + DISCV4_NEIGHBORS_PER_PACKET - 1) / DISCV4_NEIGHBORS_PER_PACKET)

struct rec {
    bool used;
    uint64_t key;                   /* first 8 bytes of id, for a quick compare */
    uint8_t id[64];
    struct enode_endpoint ep;       /* where it last wrote from (tcp from its ping) */
    struct enode_endpoint pong_ep;  /* where it answered our ping */
    uint64_t ping_rx_ms;            /* it pinged us (it has our proof) */
    uint64_t pong_rx_ms;            /* it ponged us (we have its proof) */
    uint64_t touched_ms;
    uint8_t find_fails;
};

enum purpose { P_BOND, P_REVALIDATE, P_LOOKUP_PING, P_FINDNODE };

struct pending {
    bool used;
    enum purpose purpose;
    uint8_t id[64];
    struct enode_endpoint ep;       /* where we sent the request */
    uint8_t ping_hash[32];          /* for pongs */
    uint64_t deadline_ms;
    int lookup;                     /* for P_LOOKUP_PING and P_FINDNODE */
    unsigned received;              /* neighbors entries so far */
};

enum cand_state { C_NEW, C_PINGING, C_BOND_WAIT, C_ASKED, C_DONE, C_FAILED };

struct cand {
    struct enode n;
    uint8_t hash[32];
    enum cand_state st;
    uint64_t wait_until_ms;
};

struct lookup {
    bool active;
    uint8_t target[64];
    uint8_t target_hash[32];
    struct cand c[LOOKUP_CANDS];
    size_t n;
};

struct rate_slot {
    uint8_t ip[16];
    uint8_t ip_len;
    uint64_t mtokens;               /* thousandths of a packet */
    uint64_t last_ms;
};

struct discv4 {
    struct event_base *base;
    struct event *read_ev;
    struct event *tick_ev;
    int fd;
    int family;
    uint8_t sk[32];
    struct enode self;
    uint8_t type_base;
    bool passive;
    bool loopback_only;
    discv4_node_fn on_node;
    void *arg;
    struct enode boot[MAX_BOOTNODES];
    size_t nboot;
    uint64_t refresh_ms, revalidate_ms;
    uint64_t next_refresh_ms, next_revalidate_ms;
    struct kad_table *tab;
    uint64_t rng;
    uint64_t rate_seed;
    uint64_t global_mtokens, global_last_ms;
    struct discv4_stats st;
    struct rec recs[MAX_RECORDS];
    struct pending pend[MAX_PENDING];
    struct lookup lk[MAX_LOOKUPS];
    struct rate_slot rate[RATE_SLOTS];
};

/* ---- small helpers -------------------------------------------------------- */

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t unix_now(void)
{
    return (uint64_t)time(NULL);
}

static uint64_t rand64(struct discv4 *d)
{
    uint64_t z = (d->rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t id_key(const uint8_t id[64])
{
    uint64_t k;
    memcpy(&k, id, 8);
    return k;
}

static bool ip_unspecified(const struct enode_endpoint *ep)
{
    for (size_t i = 0; i < ep->ip_len; i++)
        if (ep->ip[i])
            return false;
    return true;
}

/* Private, link-local or loopback (geth's netutil.IsLAN). */
static bool ip_is_lan(const struct enode_endpoint *ep)
{
    const uint8_t *p = ep->ip;
    if (enode_ip_is_loopback(ep))
        return true;
    if (ep->ip_len == 4)
        return p[0] == 10 || (p[0] == 172 && (p[1] & 0xf0) == 16) ||
               (p[0] == 192 && p[1] == 168) || (p[0] == 169 && p[1] == 254);
    if (ep->ip_len == 16)
        return (p[0] & 0xfe) == 0xfc || (p[0] == 0xfe && (p[1] & 0xc0) == 0x80);
    return false;
}

/* May a node at `node` be passed to, or taken from, a peer at `peer`?
 * (geth's CheckRelayIP: no loopback to the outside, no LAN to the
 * internet, never an unspecified address.) */
static bool relay_ok(const struct enode_endpoint *peer, const struct enode_endpoint *node)
{
    if (node->ip_len != 4 && node->ip_len != 16)
        return false;
    if (ip_unspecified(node))
        return false;
    if (enode_ip_is_loopback(node) && !enode_ip_is_loopback(peer))
        return false;
    if (ip_is_lan(node) && !ip_is_lan(peer))
        return false;
    return true;
}

static bool addr_allowed(const struct discv4 *d, const struct enode_endpoint *ep)
{
    return !d->loopback_only || enode_ip_is_loopback(ep);
}

static int ep_to_sockaddr(const struct discv4 *d, const struct enode_endpoint *ep,
                          struct sockaddr_storage *ss, socklen_t *len)
{
    memset(ss, 0, sizeof *ss);
    if (d->family == AF_INET) {
        if (ep->ip_len != 4)
            return ERR_INVAL;
        struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
        s4->sin_family = AF_INET;
        memcpy(&s4->sin_addr, ep->ip, 4);
        s4->sin_port = htons(ep->udp_port);
        *len = sizeof *s4;
        return 0;
    }
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
    s6->sin6_family = AF_INET6;
    if (ep->ip_len == 4) {
        s6->sin6_addr.s6_addr[10] = 0xff;
        s6->sin6_addr.s6_addr[11] = 0xff;
        memcpy(&s6->sin6_addr.s6_addr[12], ep->ip, 4);
    } else if (ep->ip_len == 16) {
        memcpy(&s6->sin6_addr, ep->ip, 16);
    } else {
        return ERR_INVAL;
    }
    s6->sin6_port = htons(ep->udp_port);
    *len = sizeof *s6;
    return 0;
}

static void sockaddr_to_ep(const struct sockaddr_storage *ss, struct enode_endpoint *ep)
{
    memset(ep, 0, sizeof *ep);
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
        memcpy(ep->ip, &s4->sin_addr, 4);
        ep->ip_len = 4;
        ep->udp_port = ntohs(s4->sin_port);
    } else if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
        memcpy(ep->ip, &s6->sin6_addr, 16);
        ep->ip_len = 16;
        ep->udp_port = ntohs(s6->sin6_port);
        enode_ip_normalize(ep);
    }
}

static void send_raw(struct discv4 *d, const struct enode_endpoint *to, const uint8_t *buf,
                     size_t len)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    if (!addr_allowed(d, to) || ep_to_sockaddr(d, to, &ss, &sl) != 0)
        return;
    if (sendto(d->fd, buf, len, 0, (struct sockaddr *)&ss, sl) < 0) {
        log_debug(LOG_NET, "discv4: sendto failed: %s", strerror(errno));
        return;
    }
    d->st.sent++;
}

/* ---- records -------------------------------------------------------------- */

static struct rec *rec_find(struct discv4 *d, const uint8_t id[64])
{
    uint64_t k = id_key(id);
    for (size_t i = 0; i < MAX_RECORDS; i++) {
        struct rec *r = &d->recs[i];
        if (r->used && r->key == k && memcmp(r->id, id, 64) == 0)
            return r;
    }
    return NULL;
}

/* Finds or creates the record of id, evicting the least recently touched
 * record when the table is full. */
static struct rec *rec_get(struct discv4 *d, const uint8_t id[64], uint64_t now)
{
    struct rec *r = rec_find(d, id);
    if (!r) {
        struct rec *victim = &d->recs[0];
        for (size_t i = 0; i < MAX_RECORDS; i++) {
            if (!d->recs[i].used) {
                victim = &d->recs[i];
                break;
            }
            if (d->recs[i].touched_ms < victim->touched_ms)
                victim = &d->recs[i];
        }
        r = victim;
        memset(r, 0, sizeof *r);
        r->used = true;
        r->key = id_key(id);
        memcpy(r->id, id, 64);
    }
    r->touched_ms = now;
    return r;
}

static bool recent(uint64_t when, uint64_t now)
{
    return when != 0 && now - when < BOND_EXPIRATION_MS;
}

/* ---- pending replies ------------------------------------------------------ */

static struct pending *pending_alloc(struct discv4 *d)
{
    for (size_t i = 0; i < MAX_PENDING; i++)
        if (!d->pend[i].used) {
            memset(&d->pend[i], 0, sizeof d->pend[i]);
            d->pend[i].used = true;
            d->pend[i].lookup = -1;
            return &d->pend[i];
        }
    return NULL;
}

static bool ping_pending(const struct discv4 *d, const uint8_t id[64])
{
    for (size_t i = 0; i < MAX_PENDING; i++) {
        const struct pending *p = &d->pend[i];
        if (p->used && p->purpose != P_FINDNODE && memcmp(p->id, id, 64) == 0)
            return true;
    }
    return false;
}

static int send_ping(struct discv4 *d, const uint8_t id[64], const struct enode_endpoint *ep,
                     enum purpose why, int lookup)
{
    if (!addr_allowed(d, ep))
        return err_set(ERR_INVAL, "discv4: non-loopback address with loopback_only");
    if (why == P_BOND) {
        /* pings back to strangers may take only half of the slots, so a
         * flood of pings cannot starve lookups and revalidation */
        size_t bonds = 0;
        for (size_t i = 0; i < MAX_PENDING; i++)
            bonds += d->pend[i].used && d->pend[i].purpose == P_BOND;
        if (bonds >= MAX_PENDING / 2)
            return err_set(ERR_RANGE, "discv4: too many bond pings in flight");
    }
    struct pending *p = pending_alloc(d);
    if (!p)
        return err_set(ERR_RANGE, "discv4: too many requests in flight");
    struct discv4_packet pk;
    memset(&pk, 0, sizeof pk);
    pk.kind = DISCV4_PING;
    pk.expiration = unix_now() + EXPIRATION_S;
    pk.u.ping.version = DISCV4_VERSION;
    pk.u.ping.from = d->self.ep;
    pk.u.ping.to = *ep;
    uint8_t buf[DISCV4_MAX_PACKET];
    size_t len;
    int rc = discv4_encode(d->sk, d->type_base, &pk, buf, &len, p->ping_hash);
    if (rc) {
        p->used = false;
        return rc;
    }
    p->purpose = why;
    memcpy(p->id, id, 64);
    p->ep = *ep;
    p->deadline_ms = now_ms() + RESP_TIMEOUT_MS;
    p->lookup = lookup;
    send_raw(d, ep, buf, len);
    return 0;
}

/* ---- table ---------------------------------------------------------------- */

static void report(struct discv4 *d, const struct enode *n)
{
    if (d->on_node)
        d->on_node(d->arg, n);
}

static void table_add(struct discv4 *d, const struct enode *n, bool verified)
{
    int r = kad_table_add(d->tab, n, verified, now_ms());
    if (r == KAD_ADDED || r == KAD_REPLACEMENT)
        report(d, n);
}

/* ---- lookups -------------------------------------------------------------- */

static void lookup_step(struct discv4 *d, int li);

static struct cand *cand_find(struct lookup *lk, const uint8_t id[64])
{
    for (size_t i = 0; i < lk->n; i++)
        if (memcmp(lk->c[i].n.id, id, 64) == 0)
            return &lk->c[i];
    return NULL;
}

/* Inserts a candidate in distance order; the farthest falls off when full. */
static void cand_add(struct discv4 *d, struct lookup *lk, const struct enode *n)
{
    if (memcmp(n->id, d->self.id, 64) == 0 || cand_find(lk, n->id))
        return;
    struct cand c;
    memset(&c, 0, sizeof c);
    c.n = *n;
    keccak256(n->id, 64, c.hash);
    c.st = C_NEW;
    size_t pos = lk->n;
    while (pos > 0 && kad_distance_cmp(lk->target_hash, c.hash, lk->c[pos - 1].hash) < 0)
        pos--;
    if (pos >= LOOKUP_CANDS)
        return;
    size_t last = lk->n < LOOKUP_CANDS ? lk->n : LOOKUP_CANDS - 1;
    memmove(&lk->c[pos + 1], &lk->c[pos], (last - pos) * sizeof lk->c[0]);
    lk->c[pos] = c;
    if (lk->n < LOOKUP_CANDS)
        lk->n++;
}

static void send_findnode(struct discv4 *d, int li, struct cand *c)
{
    struct pending *p = pending_alloc(d);
    if (!p) {
        c->st = C_FAILED;
        return;
    }
    struct discv4_packet pk;
    memset(&pk, 0, sizeof pk);
    pk.kind = DISCV4_FINDNODE;
    pk.expiration = unix_now() + EXPIRATION_S;
    memcpy(pk.u.findnode.target, d->lk[li].target, 64);
    uint8_t buf[DISCV4_MAX_PACKET];
    size_t len;
    if (discv4_encode(d->sk, d->type_base, &pk, buf, &len, NULL) != 0) {
        p->used = false;
        c->st = C_FAILED;
        return;
    }
    p->purpose = P_FINDNODE;
    memcpy(p->id, c->n.id, 64);
    p->ep = c->n.ep;
    p->deadline_ms = now_ms() + RESP_TIMEOUT_MS;
    p->lookup = li;
    c->st = C_ASKED;
    send_raw(d, &c->n.ep, buf, len);
}

/* Asks candidate c: directly when it pinged us lately (so it holds our
 * endpoint proof) and has not ignored a findnode since, else after a ping
 * round (it may have forgotten us, e.g. after a restart). */
static void query(struct discv4 *d, int li, struct cand *c)
{
    struct rec *r = rec_find(d, c->n.id);
    if (r && recent(r->ping_rx_ms, now_ms()) && r->find_fails == 0) {
        send_findnode(d, li, c);
        return;
    }
    if (send_ping(d, c->n.id, &c->n.ep, P_LOOKUP_PING, li) != 0) {
        c->st = C_FAILED;
        return;
    }
    c->st = C_PINGING;
}

static void lookup_finish(struct discv4 *d, int li)
{
    struct lookup *lk = &d->lk[li];
    lk->active = false;
    for (size_t i = 0; i < MAX_PENDING; i++)
        if (d->pend[i].used && d->pend[i].lookup == li)
            d->pend[i].lookup = -1;
    uint64_t now = now_ms();
    if (!d->passive && kad_table_len(d->tab) == 0 && d->nboot > 0 &&
        d->next_refresh_ms > now + EMPTY_RETRY_MS)
        d->next_refresh_ms = now + EMPTY_RETRY_MS;
    log_debug(LOG_NET, "discv4: lookup done, %zu nodes in table", kad_table_len(d->tab));
}

static void lookup_step(struct discv4 *d, int li)
{
    struct lookup *lk = &d->lk[li];
    if (!lk->active)
        return;
    int inflight = 0;
    for (size_t i = 0; i < lk->n; i++) {
        enum cand_state s = lk->c[i].st;
        inflight += s == C_PINGING || s == C_BOND_WAIT || s == C_ASKED;
    }
    /* ask the closest unasked among the K closest that did not fail */
    size_t considered = 0;
    for (size_t i = 0; i < lk->n && considered < KAD_BUCKET_SIZE; i++) {
        struct cand *c = &lk->c[i];
        if (c->st == C_FAILED)
            continue;
        considered++;
        if (c->st == C_NEW && inflight < ALPHA) {
            query(d, li, c);
            if (c->st != C_FAILED)
                inflight++;
            else
                considered--;
        }
    }
    if (inflight == 0)
        lookup_finish(d, li);
}

static int lookup_start(struct discv4 *d, const uint8_t target[64])
{
    int li = -1;
    for (int i = 0; i < MAX_LOOKUPS; i++)
        if (!d->lk[i].active) {
            li = i;
            break;
        }
    if (li < 0)
        return err_set(ERR_BADSTATE, "discv4: %d lookups already running", MAX_LOOKUPS);
    struct lookup *lk = &d->lk[li];
    memset(lk, 0, sizeof *lk);
    lk->active = true;
    memcpy(lk->target, target, 64);
    keccak256(target, 64, lk->target_hash);
    struct enode seeds[KAD_BUCKET_SIZE];
    size_t n = kad_table_closest(d->tab, lk->target_hash, seeds, KAD_BUCKET_SIZE);
    for (size_t i = 0; i < n; i++)
        cand_add(d, lk, &seeds[i]);
    if (n == 0)
        for (size_t i = 0; i < d->nboot; i++)
            if (addr_allowed(d, &d->boot[i].ep))
                cand_add(d, lk, &d->boot[i]);
    lookup_step(d, li);
    return 0;
}

/* The node answered a ping of ours or pinged us: a lookup waiting for
 * that sends its findnode now. */
static void lookups_bonded(struct discv4 *d, const uint8_t id[64], bool their_ping)
{
    uint64_t now = now_ms();
    for (int li = 0; li < MAX_LOOKUPS; li++) {
        struct lookup *lk = &d->lk[li];
        if (!lk->active)
            continue;
        struct cand *c = cand_find(lk, id);
        if (!c)
            continue;
        if (their_ping && c->st == C_BOND_WAIT) {
            send_findnode(d, li, c);
        } else if (!their_ping && c->st == C_PINGING) {
            struct rec *r = rec_find(d, id);
            if (r && recent(r->ping_rx_ms, now)) {
                send_findnode(d, li, c);
            } else {
                c->st = C_BOND_WAIT;
                c->wait_until_ms = now + BOND_WAIT_MS;
            }
        }
        if (c->st == C_FAILED)
            lookup_step(d, li);
    }
}

/* ---- packet handlers ------------------------------------------------------ */

static void handle_ping(struct discv4 *d, const struct discv4_packet *p,
                        const struct enode_endpoint *from)
{
    uint64_t now = now_ms();
    struct discv4_packet r;
    memset(&r, 0, sizeof r);
    r.kind = DISCV4_PONG;
    r.expiration = unix_now() + EXPIRATION_S;
    r.u.pong.to = *from;
    r.u.pong.to.tcp_port = p->u.ping.from.tcp_port;
    memcpy(r.u.pong.ping_hash, p->hash, 32);
    uint8_t buf[DISCV4_MAX_PACKET];
    size_t len;
    if (discv4_encode(d->sk, d->type_base, &r, buf, &len, NULL) == 0)
        send_raw(d, from, buf, len);

    struct rec *rec = rec_get(d, p->sender, now);
    rec->ep = *from;
    rec->ep.tcp_port = p->u.ping.from.tcp_port;
    rec->ping_rx_ms = now;
    lookups_bonded(d, p->sender, true);
    if (d->passive)
        return;
    struct enode n;
    memcpy(n.id, p->sender, 64);
    n.ep = rec->ep;
    if (recent(rec->pong_rx_ms, now) && enode_same_ip(&rec->pong_ep, from))
        table_add(d, &n, true);
    else if (!ping_pending(d, n.id))
        send_ping(d, n.id, &n.ep, P_BOND, -1);
}

static struct pending *match_pong(struct discv4 *d, const struct discv4_packet *p)
{
    for (size_t i = 0; i < MAX_PENDING; i++) {
        struct pending *q = &d->pend[i];
        if (q->used && q->purpose != P_FINDNODE && memcmp(q->id, p->sender, 64) == 0 &&
            memcmp(q->ping_hash, p->u.pong.ping_hash, 32) == 0)
            return q;
    }
    return NULL;
}

static void handle_pong(struct discv4 *d, const struct discv4_packet *p,
                        const struct enode_endpoint *from)
{
    struct pending *q = match_pong(d, p);
    if (!q) {
        d->st.dropped_unsolicited++;
        return;
    }
    uint64_t now = now_ms();
    struct rec *rec = rec_get(d, p->sender, now);
    rec->pong_rx_ms = now;
    rec->pong_ep = *from;
    rec->find_fails = 0;
    struct enode n;
    memcpy(n.id, p->sender, 64);
    n.ep = *from;
    n.ep.tcp_port = q->ep.tcp_port;
    if (rec->ep.ip_len == 0)
        rec->ep = n.ep;
    enum purpose why = q->purpose;
    q->used = false;
    switch (why) {
    case P_BOND:
    case P_LOOKUP_PING:
        table_add(d, &n, true);
        if (why == P_LOOKUP_PING)
            lookups_bonded(d, n.id, false);
        break;
    case P_REVALIDATE:
        if (kad_table_seen(d->tab, n.id, now) != 0)
            table_add(d, &n, true);
        break;
    default:
        break;
    }
}

static void handle_findnode(struct discv4 *d, const struct discv4_packet *p,
                            const struct enode_endpoint *from)
{
    uint64_t now = now_ms();
    struct rec *rec = rec_find(d, p->sender);
    if (!rec || !recent(rec->pong_rx_ms, now) || !enode_same_ip(&rec->pong_ep, from)) {
        d->st.dropped_unbonded++;
        return;
    }
    rec->touched_ms = now;
    uint8_t th[32];
    keccak256(p->u.findnode.target, 64, th);
    struct enode near[KAD_BUCKET_SIZE];
    size_t n = kad_table_closest(d->tab, th, near, KAD_BUCKET_SIZE), m = 0;
    for (size_t i = 0; i < n; i++)
        if (relay_ok(from, &near[i].ep))
            near[m++] = near[i];
    if (m == 0)
        return;
    struct discv4_buf out[NEIGHBOR_PACKETS];
    size_t count;
    if (discv4_encode_neighbors(d->sk, d->type_base, near, m, unix_now() + EXPIRATION_S, out,
                                NEIGHBOR_PACKETS, &count) != 0)
        return;
    for (size_t i = 0; i < count; i++)
        send_raw(d, from, out[i].data, out[i].len);
}

static bool neighbor_ok(const struct discv4 *d, const struct enode_endpoint *from,
                        const struct enode *n)
{
    return n->ep.udp_port > 1024 && relay_ok(from, &n->ep) && addr_allowed(d, &n->ep) &&
           memcmp(n->id, d->self.id, 64) != 0 && enode_id_valid(n->id);
}

static void handle_neighbors(struct discv4 *d, const struct discv4_packet *p,
                             const struct enode_endpoint *from)
{
    struct pending *q = NULL;
    for (size_t i = 0; i < MAX_PENDING; i++) {
        struct pending *c = &d->pend[i];
        if (c->used && c->purpose == P_FINDNODE && memcmp(c->id, p->sender, 64) == 0 &&
            enode_same_ip(&c->ep, from)) {
            q = c;
            break;
        }
    }
    if (!q) {
        d->st.dropped_unsolicited++;
        return;
    }
    int li = q->lookup;
    struct lookup *lk = li >= 0 ? &d->lk[li] : NULL;
    const struct discv4_neighbors *nb = &p->u.neighbors;
    for (size_t i = 0; i < nb->count; i++) {
        const struct enode *n = &nb->nodes[i];
        if (!neighbor_ok(d, from, n))
            continue;
        if (lk && lk->active)
            cand_add(d, lk, n);
        table_add(d, n, false);
    }
    q->received += (unsigned)(nb->count + nb->skipped);
    if (q->received >= KAD_BUCKET_SIZE) {
        q->used = false;
        if (lk && lk->active) {
            struct cand *c = cand_find(lk, p->sender);
            if (c)
                c->st = C_DONE;
        }
    }
    if (lk)
        lookup_step(d, li);
}

/* Token buckets in thousandths of a packet: refill, then take one. */
static bool take_token(uint64_t *mtokens, uint64_t *last_ms, uint64_t now, uint64_t rate,
                       uint64_t burst)
{
    uint64_t add = (now - *last_ms) * rate;
    *last_ms = now;
    *mtokens = *mtokens + add > burst * 1000 ? burst * 1000 : *mtokens + add;
    if (*mtokens < 1000)
        return false;
    *mtokens -= 1000;
    return true;
}

static bool rate_ok(struct discv4 *d, const struct enode_endpoint *from)
{
    uint64_t now = now_ms();
    uint64_t h = d->rate_seed;
    for (size_t i = 0; i < from->ip_len; i++)
        h = (h ^ from->ip[i]) * 0x100000001b3ull;
    struct rate_slot *s = &d->rate[(h ^ (h >> 32)) % RATE_SLOTS];
    if (s->ip_len != from->ip_len || memcmp(s->ip, from->ip, from->ip_len) != 0) {
        memcpy(s->ip, from->ip, sizeof s->ip);
        s->ip_len = from->ip_len;
        s->mtokens = RATE_PER_IP_BURST * 1000ull;
        s->last_ms = now;
    }
    if (!take_token(&s->mtokens, &s->last_ms, now, RATE_PER_IP, RATE_PER_IP_BURST))
        return false;
    return take_token(&d->global_mtokens, &d->global_last_ms, now, RATE_GLOBAL, RATE_GLOBAL_BURST);
}

static void handle_datagram(struct discv4 *d, const uint8_t *buf, size_t len,
                            const struct enode_endpoint *from)
{
    struct discv4_packet p;
    int rc = discv4_decode(buf, len, d->type_base, &p);
    if (rc == ERR_UNSUPPORTED) {
        d->st.dropped_type++;
        return;
    }
    if (rc) {
        d->st.dropped_invalid++;
        log_debug(LOG_NET, "discv4: bad packet: %s", err_msg());
        return;
    }
    if (memcmp(p.sender, d->self.id, 64) == 0)
        return;
    if (discv4_expired(&p, unix_now())) {
        d->st.dropped_expired++;
        return;
    }
    switch (p.kind) {
    case DISCV4_PING:
        handle_ping(d, &p, from);
        break;
    case DISCV4_PONG:
        handle_pong(d, &p, from);
        break;
    case DISCV4_FINDNODE:
        handle_findnode(d, &p, from);
        break;
    case DISCV4_NEIGHBORS:
        handle_neighbors(d, &p, from);
        break;
    }
}

static void on_read(evutil_socket_t fd, short what, void *arg)
{
    (void)what;
    struct discv4 *d = arg;
    for (int i = 0; i < READS_PER_EVENT; i++) {
        uint8_t buf[DISCV4_MAX_PACKET + 1];
        struct sockaddr_storage ss;
        socklen_t sl = sizeof ss;
        /* MSG_TRUNC: the return value is the datagram's real size */
        ssize_t n = recvfrom(fd, buf, sizeof buf, MSG_TRUNC, (struct sockaddr *)&ss, &sl);
        if (n < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
                log_debug(LOG_NET, "discv4: recvfrom: %s", strerror(errno));
            return;
        }
        d->st.received++;
        if ((size_t)n > DISCV4_MAX_PACKET) {
            d->st.dropped_size++;
            continue;
        }
        struct enode_endpoint from;
        sockaddr_to_ep(&ss, &from);
        if (from.ip_len == 0)
            continue;
        if (!rate_ok(d, &from)) {
            d->st.dropped_rate++;
            continue;
        }
        handle_datagram(d, buf, (size_t)n, &from);
    }
}

/* ---- timers --------------------------------------------------------------- */

static void expire_pending(struct discv4 *d, uint64_t now)
{
    for (size_t i = 0; i < MAX_PENDING; i++) {
        struct pending *q = &d->pend[i];
        if (!q->used || q->deadline_ms > now)
            continue;
        q->used = false;
        int li = q->lookup;
        struct lookup *lk = li >= 0 && d->lk[li].active ? &d->lk[li] : NULL;
        struct cand *c = lk ? cand_find(lk, q->id) : NULL;
        struct rec *r = rec_find(d, q->id);
        switch (q->purpose) {
        case P_BOND:
            break;
        case P_REVALIDATE: {
            struct enode promoted;
            int rc = kad_table_dead(d->tab, q->id, &promoted);
            log_debug(LOG_NET, "discv4: node failed revalidation%s",
                      rc == 1 ? ", replacement promoted" : "");
            break;
        }
        case P_LOOKUP_PING:
        case P_FINDNODE:
            if (c && (c->st == C_PINGING || c->st == C_ASKED))
                c->st = q->purpose == P_FINDNODE && q->received > 0 ? C_DONE : C_FAILED;
            if (q->purpose == P_FINDNODE && q->received == 0 && r && ++r->find_fails >= MAX_FIND_FAILS) {
                kad_table_dead(d->tab, q->id, NULL);
                r->find_fails = 0;
            }
            if (lk)
                lookup_step(d, li);
            break;
        }
    }
}

static void refresh(struct discv4 *d)
{
    lookup_start(d, d->self.id);
    for (int i = 0; i < 3 && kad_table_len(d->tab) > 0; i++) {
        uint8_t target[64];
        for (int k = 0; k < 8; k++) {
            uint64_t v = rand64(d);
            memcpy(target + 8 * k, &v, 8);
        }
        if (lookup_start(d, target) != 0)
            break;
    }
}

static void revalidate(struct discv4 *d)
{
    for (size_t i = 0; i < MAX_PENDING; i++)
        if (d->pend[i].used && d->pend[i].purpose == P_REVALIDATE)
            return;
    struct kad_entry e;
    if (kad_table_revalidation_target(d->tab, rand64(d), &e) != 0)
        return;
    if (send_ping(d, e.node.id, &e.node.ep, P_REVALIDATE, -1) != 0)
        kad_table_dead(d->tab, e.node.id, NULL);
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct discv4 *d = arg;
    uint64_t now = now_ms();
    expire_pending(d, now);
    for (int li = 0; li < MAX_LOOKUPS; li++) {
        struct lookup *lk = &d->lk[li];
        if (!lk->active)
            continue;
        for (size_t i = 0; i < lk->n; i++)
            if (lk->c[i].st == C_BOND_WAIT && lk->c[i].wait_until_ms <= now)
                send_findnode(d, li, &lk->c[i]);
        lookup_step(d, li);
    }
    if (d->passive)
        return;
    if (now >= d->next_refresh_ms) {
        d->next_refresh_ms = now + d->refresh_ms;
        refresh(d);
    }
    if (now >= d->next_revalidate_ms) {
        d->next_revalidate_ms = now + d->revalidate_ms / 2 + rand64(d) % (d->revalidate_ms + 1);
        revalidate(d);
    }
}

/* ---- public --------------------------------------------------------------- */

static int open_socket(struct discv4 *d, const char *bind_ip, uint16_t port)
{
    struct enode_endpoint ep;
    memset(&ep, 0, sizeof ep);
    if (enode_set_ip(&ep, bind_ip ? bind_ip : "0.0.0.0") != 0)
        return err_set(ERR_INVAL, "discv4: bind address %.64s is not an IP", bind_ip);
    /* an IPv6 literal (even "::") gets a dual-stack IPv6 socket */
    d->family = ep.ip_len == 16 || (bind_ip && strchr(bind_ip, ':')) ? AF_INET6 : AF_INET;
    d->fd = socket(d->family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (d->fd < 0)
        return err_set(ERR_IO, "discv4: socket: %s", strerror(errno));
    if (d->family == AF_INET6) {
        int off = 0;
        setsockopt(d->fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
    }
    ep.udp_port = port;
    struct sockaddr_storage ss;
    socklen_t sl;
    if (ep_to_sockaddr(d, &ep, &ss, &sl) != 0)
        return err_set(ERR_INVAL, "discv4: bind address %.64s", bind_ip);
    if (bind(d->fd, (struct sockaddr *)&ss, sl) != 0)
        return err_set(ERR_IO, "discv4: bind %.64s:%u: %s", bind_ip ? bind_ip : "0.0.0.0",
                       (unsigned)port, strerror(errno));
    sl = sizeof ss;
    if (getsockname(d->fd, (struct sockaddr *)&ss, &sl) != 0)
        return err_set(ERR_IO, "discv4: getsockname: %s", strerror(errno));
    struct enode_endpoint bound;
    sockaddr_to_ep(&ss, &bound);
    d->self.ep.ip_len = ep.ip_len;
    memcpy(d->self.ep.ip, ep.ip, sizeof ep.ip);
    d->self.ep.udp_port = bound.udp_port;
    return 0;
}

int discv4_start(struct event_base *base, const struct discv4_config *cfg, struct discv4 **out)
{
    if (!cfg->secret_key)
        return err_set(ERR_INVAL, "discv4: no node key");
    if (cfg->nbootnodes > MAX_BOOTNODES)
        return err_set(ERR_INVAL, "discv4: %zu bootnodes, at most %d", cfg->nbootnodes,
                       MAX_BOOTNODES);
    for (size_t i = 0; i < cfg->nbootnodes; i++)
        if (cfg->bootnodes[i].ep.ip_len != 4 && cfg->bootnodes[i].ep.ip_len != 16)
            return err_set(ERR_INVAL, "discv4: bootnode %zu has no IP address", i + 1);
    struct discv4 *d = calloc(1, sizeof *d);
    if (!d)
        return err_set(ERR_NOMEM, "discv4: service");
    d->fd = -1;
    int rc;
    if ((rc = ecdsa_pubkey(cfg->secret_key, d->self.id)) != 0) {
        free(d);
        return err_set(ERR_INVAL, "discv4: invalid node key");
    }
    memcpy(d->sk, cfg->secret_key, 32);
    d->base = base;
    d->type_base = cfg->type_base ? cfg->type_base : DISCV4_BASE_SPECTRUM;
    d->passive = cfg->passive;
    d->loopback_only = cfg->loopback_only;
    d->on_node = cfg->on_node;
    d->arg = cfg->arg;
    d->nboot = cfg->nbootnodes;
    if (d->nboot)
        memcpy(d->boot, cfg->bootnodes, d->nboot * sizeof d->boot[0]);
    d->refresh_ms = cfg->refresh_ms ? cfg->refresh_ms : DEFAULT_REFRESH_MS;
    d->revalidate_ms = cfg->revalidate_ms ? cfg->revalidate_ms : DEFAULT_REVALIDATE_MS;
    d->self.ep.tcp_port = cfg->tcp_port;
    if (getrandom(&d->rng, sizeof d->rng, GRND_NONBLOCK) != (ssize_t)sizeof d->rng)
        d->rng = now_ms() ^ (uint64_t)(uintptr_t)d;
    d->rate_seed = rand64(d) | 1;
    uint64_t now = now_ms();
    d->global_last_ms = now;
    d->global_mtokens = RATE_GLOBAL_BURST * 1000ull;
    d->next_refresh_ms = now;
    d->next_revalidate_ms = now + d->revalidate_ms;

    if ((rc = kad_table_new(d->self.id, &d->tab)) != 0 ||
        (rc = open_socket(d, cfg->bind_ip, cfg->udp_port)) != 0) {
        discv4_stop(d);
        return rc;
    }
    d->read_ev = event_new(base, d->fd, EV_READ | EV_PERSIST, on_read, d);
    d->tick_ev = event_new(base, -1, EV_PERSIST, on_tick, d);
    struct timeval tv = {0, TICK_MS * 1000};
    if (!d->read_ev || !d->tick_ev || event_add(d->read_ev, NULL) != 0 ||
        event_add(d->tick_ev, &tv) != 0) {
        discv4_stop(d);
        return err_set(ERR_NOMEM, "discv4: events");
    }
    if (!d->passive)
        event_active(d->tick_ev, EV_TIMEOUT, 0);
    char ip[46];
    enode_ip_text(&d->self.ep, ip);
    log_info("discv4: listening on UDP %s:%u%s", ip, (unsigned)d->self.ep.udp_port,
             d->passive ? " (passive)" : "");
    *out = d;
    return 0;
}

void discv4_stop(struct discv4 *d)
{
    if (!d)
        return;
    if (d->read_ev)
        event_free(d->read_ev);
    if (d->tick_ev)
        event_free(d->tick_ev);
    if (d->fd >= 0)
        close(d->fd);
    kad_table_free(d->tab);
    memset(d->sk, 0, sizeof d->sk);
    free(d);
}

void discv4_self(const struct discv4 *d, struct enode *out)
{
    *out = d->self;
}

int discv4_add_node(struct discv4 *d, const struct enode *n)
{
    if (n->ep.ip_len != 4 && n->ep.ip_len != 16)
        return err_set(ERR_INVAL, "discv4: node has no IP address");
    if (memcmp(n->id, d->self.id, 64) == 0)
        return err_set(ERR_INVAL, "discv4: that is our own node id");
    if (!addr_allowed(d, &n->ep))
        return err_set(ERR_INVAL, "discv4: non-loopback address with loopback_only");
    if (d->passive) {
        int r = kad_table_add(d->tab, n, false, now_ms());
        return r < 0 ? r : 0;
    }
    return send_ping(d, n->id, &n->ep, P_BOND, -1);
}

int discv4_lookup(struct discv4 *d, const uint8_t target[64])
{
    if (d->passive)
        return err_set(ERR_BADSTATE, "discv4: passive mode sends no lookups");
    return lookup_start(d, target);
}

size_t discv4_lookups_running(const struct discv4 *d)
{
    size_t n = 0;
    for (int i = 0; i < MAX_LOOKUPS; i++)
        n += d->lk[i].active;
    return n;
}

size_t discv4_random_nodes(struct discv4 *d, struct enode *out, size_t max)
{
    return kad_table_random(d->tab, rand64(d), out, max);
}

size_t discv4_closest(const struct discv4 *d, const uint8_t target[64], struct enode *out,
                      size_t max)
{
    uint8_t h[32];
    keccak256(target, 64, h);
    return kad_table_closest(d->tab, h, out, max);
}

bool discv4_has_node(const struct discv4 *d, const uint8_t id[64])
{
    return kad_table_get(d->tab, id, NULL);
}

size_t discv4_table_len(const struct discv4 *d)
{
    return kad_table_len(d->tab);
}

void discv4_get_stats(const struct discv4 *d, struct discv4_stats *out)
{
    *out = d->st;
}
