/*
 * p2p_disc.c — discovery v4 (net/discv4.h) inside the p2p service: started
 * on the service's event loop, its nodes fed to the dialer.
 *
 * Why it is shaped this way: discv4 already does the protocol (bonding,
 * the table, lookups, limits) on any libevent loop; what the service adds
 * is policy. It listens on the UDP port with the TCP port's number (as
 * geth), starts from -bootnodes or the network's built-in list (regtest
 * and devnet have none), and a node bound to a loopback address runs
 * discovery loopback-only, so a node a test starts cannot send a packet
 * off the machine even when it is given bootnodes. Every node discovery
 * reports goes into a small ring of candidates (the newest replace the
 * oldest); each dialer pass (the service's 1 s tick) tops up the
 * non-static outbound peers to max_peers / 3 (at least 1) from those
 * candidates and from random table entries, skipping nodes connected,
 * banned, or dialed in the last P2P_DISC_REDIAL seconds.
 */
#include "net/p2p_internal.h"

#include <arpa/inet.h>
#include <string.h>

#include "net/bootnodes.h"
#include "net/discv4.h"
#include "util/err.h"
#include "util/log.h"

/* Dials started per dialer pass (the handshakes then run in parallel). */
#define DISC_DIALS_PER_PASS 4
/* Table entries looked at per pass besides the candidates. */
#define DISC_RANDOM_PER_PASS 8

static bool is_loopback(const char *ip)
{
    struct in_addr a4;
    if (inet_pton(AF_INET, ip, &a4) == 1)
        return (ntohl(a4.s_addr) >> 24) == 127;
    return strcmp(ip, "::1") == 0;
}

static struct p2p_disc_candidate *find_candidate(struct p2p *s, const uint8_t id[64])
{
    for (size_t i = 0; i < s->ncands; i++)
        if (memcmp(s->cands[i].node.id, id, 64) == 0)
            return &s->cands[i];
    return NULL;
}

/* discv4 reports a node (possibly again). */
static void on_node(void *arg, const struct enode *n)
{
    struct p2p *s = arg;
    if (memcmp(n->id, s->self.id, 64) == 0 || n->ep.ip_len == 0 || n->ep.tcp_port == 0)
        return;
    struct p2p_disc_candidate *c = find_candidate(s, n->id);
    if (c) {
        c->node = *n; /* its latest endpoint */
        return;
    }
    if (s->ncands == P2P_DISC_CANDIDATES) {
        memmove(s->cands, s->cands + 1, (P2P_DISC_CANDIDATES - 1) * sizeof s->cands[0]);
        s->ncands--;
    }
    s->cands[s->ncands].node = *n;
    s->cands[s->ncands].last_dial = 0;
    s->ncands++;
    log_debug(LOG_NET, "P2P: discovery found a node (%zu candidate(s))", s->ncands);
}

int p2p_disc_start(struct p2p *s, const struct p2p_config *cfg)
{
    if (!cfg->discovery)
        return 0;
    struct enode builtin[32];
    const struct enode *boot = cfg->bootnodes;
    size_t nboot = cfg->nbootnodes;
    if (nboot == 0) {
        size_t nurls = 0;
        const char *const *urls = bootnodes_get(s->params->network, &nurls);
        if (urls && bootnodes_parse(urls, nurls, builtin, 32, &nboot) != 0) {
            log_warn("P2P: the built-in bootnodes do not parse: %s", err_msg());
            nboot = 0;
        }
        boot = builtin;
    }
    const char *bind = cfg->bind[0] ? cfg->bind : "0.0.0.0";
    /* -port's number (the TCP port really bound when -port is 0, as in
     * tests); the advertised port only goes into our pings */
    uint16_t udp = cfg->port ? cfg->port : s->self.ep.udp_port;
    struct discv4_config dc = {
        .secret_key = cfg->node_key,
        .bind_ip = bind,
        .udp_port = udp,
        .tcp_port = s->self.ep.tcp_port,
        .bootnodes = nboot ? boot : NULL,
        .nbootnodes = nboot,
        .loopback_only = is_loopback(bind),
        .on_node = on_node,
        .arg = s,
    };
    int rc = discv4_start(s->base, &dc, &s->disc);
    if (rc)
        return err_wrap(rc, "discovery on UDP port %u (-nodiscover turns it off)",
                        (unsigned)dc.udp_port);
    struct enode self;
    discv4_self(s->disc, &self);
    log_info("P2P: discovery on UDP port %u, %zu bootnode(s)%s", (unsigned)self.ep.udp_port,
             nboot, dc.loopback_only ? ", loopback only" : "");
    return 0;
}

void p2p_disc_stop(struct p2p *s)
{
    discv4_stop(s->disc);
    s->disc = NULL;
}

/* Non-static outbound connections, in any state before closing. */
static size_t dynamic_outbound(const struct p2p *s)
{
    size_t n = 0;
    for (size_t i = 0; i < s->npeers; i++) {
        const struct peer *p = s->peers[i];
        n += !p->inbound && !p->is_static && p->state <= PEER_READY;
    }
    return n;
}

/* Dials n unless connected, banned or dialed recently; true when dialed. */
static bool try_dial(struct p2p *s, const struct enode *n, int64_t now)
{
    if (memcmp(n->id, s->self.id, 64) == 0 || n->ep.ip_len == 0 || n->ep.tcp_port == 0 ||
        p2p_connected_to(s, n->id) || peer_ban_check(&s->bans, &n->ep, now, NULL))
        return false;
    struct p2p_disc_candidate *c = find_candidate(s, n->id);
    if (c && c->last_dial && now - c->last_dial < P2P_DISC_REDIAL)
        return false;
    if (!c) {
        on_node(s, n);
        c = find_candidate(s, n->id);
    }
    if (c)
        c->last_dial = now;
    p2p_dial_node(s, n);
    return true;
}

void p2p_disc_dial(struct p2p *s)
{
    if (!s->disc)
        return;
    size_t slots = s->max_peers / 3 ? s->max_peers / 3 : 1;
    int64_t now = peer_now();
    size_t dialed = 0;
    for (size_t i = 0; i < s->ncands && dialed < DISC_DIALS_PER_PASS; i++) {
        if (dynamic_outbound(s) >= slots || p2p_live_peers(s) >= s->max_peers)
            return;
        struct enode n = s->cands[i].node;
        dialed += try_dial(s, &n, now);
    }
    struct enode pick[DISC_RANDOM_PER_PASS];
    size_t k = discv4_random_nodes(s->disc, pick, DISC_RANDOM_PER_PASS);
    for (size_t i = 0; i < k && dialed < DISC_DIALS_PER_PASS; i++) {
        if (dynamic_outbound(s) >= slots || p2p_live_peers(s) >= s->max_peers)
            return;
        dialed += try_dial(s, &pick[i], now);
    }
}
