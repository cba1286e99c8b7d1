/*
 * discv4_packet.c — discovery v4 packet codec; see discv4_packet.h.
 *
 * Decoding checks the cheap things first (size, hash, type) so that junk
 * costs no signature recovery, then recovers the sender and walks the RLP
 * with the strict zero-copy decoder. Each list is read as "its first N
 * items, whatever follows" (EIP-8); each field reader says which field was
 * wrong. Encoding builds the RLP body in a struct bytes, then lays out
 * hash ‖ sig ‖ type ‖ body in the caller's fixed 1280-byte buffer.
 */
#include "net/discv4_packet.h"

#include <string.h>

#include "crypto/ecdsa.h"
#include "crypto/keccak.h"
#include "primitives/rlp.h"
#include "util/bytes.h"
#include "util/err.h"

/* ---- decoding ------------------------------------------------------------ */

/* Reads the first n items of a list into items[]; more are ignored. */
static int list_prefix(const struct rlp_item *list, struct rlp_item *items, size_t n,
                       const char *what)
{
    struct rlp_iter it;
    if (!list->is_list || rlp_iter_init(&it, list) != 0)
        return err_set(ERR_DECODE, "discv4: %s is not a list", what);
    for (size_t i = 0; i < n; i++) {
        int rc = rlp_iter_next(&it, &items[i]);
        if (rc < 0)
            return err_wrap(rc, "discv4: %s", what);
        if (rc == 0)
            return err_set(ERR_DECODE, "discv4: %s has %zu elements, want at least %zu", what, i, n);
    }
    return 0;
}

static int get_port(const struct rlp_item *it, uint16_t *port, const char *what)
{
    uint64_t v;
    if (rlp_get_u64(it, &v) != 0 || v > 0xffff)
        return err_set(ERR_DECODE, "discv4: %s port is not a 16-bit integer", what);
    *port = (uint16_t)v;
    return 0;
}

/* An IP string: 4 or 16 bytes, or 0 when allow_empty. Returns 1 when the
 * length is not acceptable (the caller decides whether that is fatal). */
static int get_ip(const struct rlp_item *it, struct enode_endpoint *ep, bool allow_empty)
{
    const uint8_t *p;
    size_t n;
    if (rlp_get_bytes(it, &p, &n) != 0)
        return err_set(ERR_DECODE, "discv4: IP is a list");
    memset(ep->ip, 0, sizeof ep->ip);
    if (n == 4 || n == 16 || (n == 0 && allow_empty)) {
        memcpy(ep->ip, p, n);
        ep->ip_len = (uint8_t)n;
        enode_ip_normalize(ep);
        return 0;
    }
    return 1;
}

/* [ip, udp, tcp, ...] */
static int get_endpoint(const struct rlp_item *list, struct enode_endpoint *ep, const char *what)
{
    struct rlp_item f[3];
    int rc = list_prefix(list, f, 3, what);
    if (rc)
        return rc;
    rc = get_ip(&f[0], ep, true);
    if (rc > 0)
        return err_set(ERR_DECODE, "discv4: %s IP of %zu bytes", what, f[0].payload_len);
    if (rc < 0)
        return rc;
    if ((rc = get_port(&f[1], &ep->udp_port, what)) != 0 ||
        (rc = get_port(&f[2], &ep->tcp_port, what)) != 0)
        return rc;
    return 0;
}

static int get_expiration(const struct rlp_item *it, uint64_t *out)
{
    if (rlp_get_u64(it, out) != 0)
        return err_set(ERR_DECODE, "discv4: expiration is not a 64-bit integer");
    return 0;
}

static int decode_ping(const struct rlp_item *body, struct discv4_packet *out)
{
    struct rlp_item f[4];
    int rc = list_prefix(body, f, 4, "ping");
    if (rc)
        return rc;
    if (rlp_get_u64(&f[0], &out->u.ping.version) != 0)
        return err_set(ERR_DECODE, "discv4: ping version is not a 64-bit integer");
    if ((rc = get_endpoint(&f[1], &out->u.ping.from, "ping from")) != 0 ||
        (rc = get_endpoint(&f[2], &out->u.ping.to, "ping to")) != 0)
        return rc;
    return get_expiration(&f[3], &out->expiration);
}

static int decode_pong(const struct rlp_item *body, struct discv4_packet *out)
{
    struct rlp_item f[3];
    int rc = list_prefix(body, f, 3, "pong");
    if (rc)
        return rc;
    if ((rc = get_endpoint(&f[0], &out->u.pong.to, "pong to")) != 0)
        return rc;
    if (rlp_get_fixed(&f[1], out->u.pong.ping_hash, 32) != 0)
        return err_set(ERR_DECODE, "discv4: pong ping-hash is not 32 bytes");
    return get_expiration(&f[2], &out->expiration);
}

static int decode_findnode(const struct rlp_item *body, struct discv4_packet *out)
{
    struct rlp_item f[2];
    int rc = list_prefix(body, f, 2, "findnode");
    if (rc)
        return rc;
    if (rlp_get_fixed(&f[0], out->u.findnode.target, 64) != 0)
        return err_set(ERR_DECODE, "discv4: findnode target is not 64 bytes");
    return get_expiration(&f[1], &out->expiration);
}

static int decode_neighbors(const struct rlp_item *body, struct discv4_packet *out)
{
    struct rlp_item f[2];
    int rc = list_prefix(body, f, 2, "neighbors");
    if (rc)
        return rc;
    if ((rc = get_expiration(&f[1], &out->expiration)) != 0)
        return rc;
    struct discv4_neighbors *nb = &out->u.neighbors;
    nb->count = nb->skipped = 0;
    struct rlp_iter it;
    if (!f[0].is_list || rlp_iter_init(&it, &f[0]) != 0)
        return err_set(ERR_DECODE, "discv4: neighbors nodes is not a list");
    struct rlp_item node;
    while ((rc = rlp_iter_next(&it, &node)) == 1) {
        if (nb->count + nb->skipped >= DISCV4_MAX_NEIGHBORS)
            return err_set(ERR_DECODE, "discv4: more than %d neighbors", DISCV4_MAX_NEIGHBORS);
        struct rlp_item nf[4];
        if ((rc = list_prefix(&node, nf, 4, "neighbors node")) != 0)
            return rc;
        struct enode *n = &nb->nodes[nb->count];
        memset(n, 0, sizeof *n);
        int iprc = get_ip(&nf[0], &n->ep, false);
        if (iprc < 0)
            return iprc;
        if ((rc = get_port(&nf[1], &n->ep.udp_port, "node udp")) != 0 ||
            (rc = get_port(&nf[2], &n->ep.tcp_port, "node tcp")) != 0)
            return rc;
        if (rlp_get_fixed(&nf[3], n->id, 64) != 0)
            return err_set(ERR_DECODE, "discv4: neighbors node id is not 64 bytes");
        if (iprc > 0)
            nb->skipped++;
        else
            nb->count++;
    }
    if (rc < 0)
        return err_wrap(rc, "discv4: neighbors nodes");
    return 0;
}

int discv4_decode(const uint8_t *pkt, size_t len, uint8_t type_base, struct discv4_packet *out)
{
    if (len < DISCV4_HEAD_LEN)
        return err_set(ERR_RANGE, "discv4: packet of %zu bytes is too small", len);
    if (len > DISCV4_MAX_PACKET)
        return err_set(ERR_RANGE, "discv4: packet of %zu bytes is over %d", len, DISCV4_MAX_PACKET);
    uint8_t h[32];
    keccak256(pkt + 32, len - 32, h);
    if (memcmp(h, pkt, 32) != 0)
        return err_set(ERR_CRYPTO, "discv4: bad packet hash");
    uint8_t type = pkt[97];
    if (type < type_base || type - type_base > DISCV4_NEIGHBORS)
        return err_set(ERR_UNSUPPORTED, "discv4: unknown packet type 0x%02x", type);

    memset(out, 0, sizeof *out);
    out->kind = (enum discv4_kind)(type - type_base);
    memcpy(out->hash, pkt, 32);
    keccak256(pkt + 97, len - 97, h);
    if (ecdsa_recover(h, pkt + 32, out->sender) != 0)
        return err_set(ERR_CRYPTO, "discv4: bad signature");

    struct rlp_item body;
    size_t used;
    int rc = rlp_decode_item(pkt + DISCV4_HEAD_LEN, len - DISCV4_HEAD_LEN, &body, &used);
    if (rc)
        return err_wrap(rc, "discv4: packet data");
    switch (out->kind) {
    case DISCV4_PING:
        return decode_ping(&body, out);
    case DISCV4_PONG:
        return decode_pong(&body, out);
    case DISCV4_FINDNODE:
        return decode_findnode(&body, out);
    default:
        return decode_neighbors(&body, out);
    }
}

bool discv4_expired(const struct discv4_packet *p, uint64_t now)
{
    return p->expiration < now;
}

/* ---- encoding ------------------------------------------------------------ */

static int put_endpoint(struct bytes *b, const struct enode_endpoint *ep)
{
    if (ep->ip_len != 0 && ep->ip_len != 4 && ep->ip_len != 16)
        return err_set(ERR_INVAL, "discv4: endpoint IP of %u bytes", ep->ip_len);
    size_t m = rlp_list_begin(b);
    rlp_put_bytes(b, ep->ip, ep->ip_len);
    rlp_put_u64(b, ep->udp_port);
    rlp_put_u64(b, ep->tcp_port);
    return rlp_list_end(b, m);
}

static int put_body(struct bytes *b, const struct discv4_packet *p)
{
    int rc = 0;
    size_t m = rlp_list_begin(b);
    switch (p->kind) {
    case DISCV4_PING:
        rlp_put_u64(b, p->u.ping.version);
        if ((rc = put_endpoint(b, &p->u.ping.from)) != 0 ||
            (rc = put_endpoint(b, &p->u.ping.to)) != 0)
            return rc;
        break;
    case DISCV4_PONG:
        if ((rc = put_endpoint(b, &p->u.pong.to)) != 0)
            return rc;
        rlp_put_bytes(b, p->u.pong.ping_hash, 32);
        break;
    case DISCV4_FINDNODE:
        rlp_put_bytes(b, p->u.findnode.target, 64);
        break;
    case DISCV4_NEIGHBORS: {
        const struct discv4_neighbors *nb = &p->u.neighbors;
        if (nb->count > DISCV4_NEIGHBORS_PER_PACKET)
            return err_set(ERR_INVAL, "discv4: %zu neighbors in one packet", nb->count);
        size_t ml = rlp_list_begin(b);
        for (size_t i = 0; i < nb->count; i++) {
            const struct enode *n = &nb->nodes[i];
            if (n->ep.ip_len != 4 && n->ep.ip_len != 16)
                return err_set(ERR_INVAL, "discv4: neighbor IP of %u bytes", n->ep.ip_len);
            size_t mn = rlp_list_begin(b);
            rlp_put_bytes(b, n->ep.ip, n->ep.ip_len);
            rlp_put_u64(b, n->ep.udp_port);
            rlp_put_u64(b, n->ep.tcp_port);
            rlp_put_bytes(b, n->id, 64);
            rlp_list_end(b, mn);
        }
        rlp_list_end(b, ml);
        break;
    }
    default:
        return err_set(ERR_INVAL, "discv4: unknown packet kind %d", (int)p->kind);
    }
    rlp_put_u64(b, p->expiration);
    rlp_list_end(b, m);
    return bytes_ok(b);
}

int discv4_encode(const uint8_t sk[32], uint8_t type_base, const struct discv4_packet *p,
                  uint8_t out[DISCV4_MAX_PACKET], size_t *len, uint8_t hash[32])
{
    struct bytes body = BYTES_INIT;
    int rc = put_body(&body, p);
    if (rc) {
        bytes_free(&body);
        return rc;
    }
    if (body.len > DISCV4_MAX_PACKET - DISCV4_HEAD_LEN) {
        size_t n = body.len;
        bytes_free(&body);
        return err_set(ERR_RANGE, "discv4: packet data of %zu bytes does not fit", n);
    }
    out[97] = (uint8_t)(type_base + (uint8_t)p->kind);
    memcpy(out + DISCV4_HEAD_LEN, body.data, body.len);
    size_t total = DISCV4_HEAD_LEN + body.len;
    bytes_free(&body);

    uint8_t h[32];
    keccak256(out + 97, total - 97, h);
    if ((rc = ecdsa_sign(h, sk, out + 32)) != 0)
        return err_wrap(rc, "discv4: signing");
    keccak256(out + 32, total - 32, out);
    if (hash)
        memcpy(hash, out, 32);
    *len = total;
    return 0;
}

int discv4_encode_neighbors(const uint8_t sk[32], uint8_t type_base, const struct enode *nodes,
                            size_t n, uint64_t expiration, struct discv4_buf *out,
                            size_t max_out, size_t *count)
{
    size_t need = (n + DISCV4_NEIGHBORS_PER_PACKET - 1) / DISCV4_NEIGHBORS_PER_PACKET;
    if (need > max_out)
        return err_set(ERR_RANGE, "discv4: %zu neighbors need %zu packets, room for %zu", n, need,
                       max_out);
    struct discv4_packet p;
    memset(&p, 0, sizeof p);
    p.kind = DISCV4_NEIGHBORS;
    p.expiration = expiration;
    for (size_t k = 0; k < need; k++) {
        size_t first = k * DISCV4_NEIGHBORS_PER_PACKET;
        size_t m = n - first < DISCV4_NEIGHBORS_PER_PACKET ? n - first : DISCV4_NEIGHBORS_PER_PACKET;
        memcpy(p.u.neighbors.nodes, nodes + first, m * sizeof *nodes);
        p.u.neighbors.count = m;
        int rc = discv4_encode(sk, type_base, &p, out[k].data, &out[k].len, NULL);
        if (rc)
            return rc;
    }
    *count = need;
    return 0;
}
