/*
 * fuzz_discv4.c — libFuzzer target for what discovery reads from the
 * network: discovery v4 packets (with Spectrum's and stock type numbers)
 * and enode URLs.
 *
 * Properties:
 *   1. discv4_decode never crashes on any bytes; a decoded packet, encoded
 *      again with our key, decodes to the same kind, expiration and body.
 *      Random bytes almost never pass the hash check, so the input is also
 *      used as type selector ‖ body of a packet that we hash and sign:
 *      that is what exercises the RLP field decoders;
 *   2. enode_parse never crashes; a parsed URL formats to a URL that parses
 *      to the same node.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/ecdsa.h"
#include "crypto/keccak.h"
#include "net/discv4_packet.h"
#include "net/enode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t KEY[32] = {
    0xb7, 0x1c, 0x71, 0xa6, 0x7e, 0x11, 0x77, 0xad, 0x4e, 0x90, 0x16, 0x95, 0xe1, 0xb4, 0xb9, 0xee,
    0x17, 0xae, 0x16, 0xc6, 0x66, 0x8d, 0x31, 0x3e, 0xac, 0x2f, 0x96, 0xdb, 0xcd, 0xa3, 0xf2, 0x91,
};

static bool same_ep(const struct enode_endpoint *a, const struct enode_endpoint *b)
{
    return a->ip_len == b->ip_len && memcmp(a->ip, b->ip, a->ip_len) == 0 &&
           a->udp_port == b->udp_port && a->tcp_port == b->tcp_port;
}

static void check_same(const struct discv4_packet *a, const struct discv4_packet *b)
{
    if (a->kind != b->kind || a->expiration != b->expiration)
        abort();
    switch (a->kind) {
    case DISCV4_PING:
        if (a->u.ping.version != b->u.ping.version || !same_ep(&a->u.ping.from, &b->u.ping.from) ||
            !same_ep(&a->u.ping.to, &b->u.ping.to))
            abort();
        break;
    case DISCV4_PONG:
        if (!same_ep(&a->u.pong.to, &b->u.pong.to) ||
            memcmp(a->u.pong.ping_hash, b->u.pong.ping_hash, 32) != 0)
            abort();
        break;
    case DISCV4_FINDNODE:
        if (memcmp(a->u.findnode.target, b->u.findnode.target, 64) != 0)
            abort();
        break;
    case DISCV4_NEIGHBORS:
        break;  /* compared packet by packet below */
    }
}

static void round_trip(const struct discv4_packet *p, uint8_t base)
{
    if (p->kind == DISCV4_NEIGHBORS) {
        const struct discv4_neighbors *nb = &p->u.neighbors;
        struct discv4_buf out[2];
        size_t count = 0;
        if (discv4_encode_neighbors(KEY, base, nb->nodes, nb->count, p->expiration, out, 2,
                                    &count) != 0)
            abort();
        size_t at = 0;
        for (size_t k = 0; k < count; k++) {
            struct discv4_packet q;
            if (discv4_decode(out[k].data, out[k].len, base, &q) != 0 || q.kind != p->kind ||
                q.expiration != p->expiration || q.u.neighbors.skipped != 0)
                abort();
            for (size_t i = 0; i < q.u.neighbors.count; i++, at++)
                if (memcmp(q.u.neighbors.nodes[i].id, nb->nodes[at].id, 64) != 0 ||
                    !same_ep(&q.u.neighbors.nodes[i].ep, &nb->nodes[at].ep))
                    abort();
        }
        if (at != nb->count)
            abort();
        return;
    }
    uint8_t buf[DISCV4_MAX_PACKET];
    size_t len;
    struct discv4_packet q;
    if (discv4_encode(KEY, base, p, buf, &len, NULL) != 0 ||
        discv4_decode(buf, len, base, &q) != 0)
        abort();
    check_same(p, &q);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t bases[2] = {DISCV4_BASE_SPECTRUM, DISCV4_BASE_ETH};
    for (int i = 0; i < 2; i++) {
        struct discv4_packet p;
        if (discv4_decode(data, size, bases[i], &p) == 0) {
            if (p.kind == DISCV4_NEIGHBORS && p.u.neighbors.count > DISCV4_MAX_NEIGHBORS)
                abort();
            round_trip(&p, bases[i]);
        }
    }

    /* the input as the body of a well-signed packet */
    if (size >= 1 && size - 1 <= DISCV4_MAX_PACKET - DISCV4_HEAD_LEN) {
        uint8_t pkt[DISCV4_MAX_PACKET], h[32];
        size_t len = DISCV4_HEAD_LEN + size - 1;
        pkt[97] = (uint8_t)(DISCV4_BASE_SPECTRUM + (data[0] & 3));
        memcpy(pkt + DISCV4_HEAD_LEN, data + 1, size - 1);
        keccak256(pkt + 97, len - 97, h);
        if (ecdsa_sign(h, KEY, pkt + 32) != 0)
            abort();
        keccak256(pkt + 32, len - 32, pkt);
        struct discv4_packet p;
        if (discv4_decode(pkt, len, DISCV4_BASE_SPECTRUM, &p) == 0) {
            if ((int)p.kind != (data[0] & 3))
                abort();
            round_trip(&p, DISCV4_BASE_SPECTRUM);
        }
    }

    struct enode n, back;
    if (enode_parse((const char *)data, size, &n) == 0) {
        char url[ENODE_URL_MAX];
        if (enode_format(&n, url) != 0 || enode_parse(url, strlen(url), &back) != 0 ||
            memcmp(&n, &back, sizeof n) != 0)
            abort();
    }
    return 0;
}
