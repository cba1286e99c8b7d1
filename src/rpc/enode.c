/*
 * enode.c — see enode.h.
 *
 * The parser walks the text once with explicit bounds (the input is not
 * NUL-terminated and may hold any byte). Host names are refused: geth 1.8
 * resolves none either, and the node must not do DNS on behalf of an RPC
 * caller. The curve check is done here with u256 modular arithmetic, so a
 * URL that names no possible node is refused before p2p ever dials it.
 */
#include "rpc/enode.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "crypto/keccak.h"
#include "primitives/u256.h"
#include "util/err.h"
#include "util/hex.h"

/* secp256k1's field prime p = 2^256 - 2^32 - 977, big-endian. */
static const uint8_t field_p[32] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xff, 0xff, 0xfc, 0x2f,
};

bool rpc_secp256k1_on_curve(const uint8_t pub[64])
{
    u256 p, x, y, lhs, rhs, seven = u256_from_u64(7);
    u256_from_be(&p, field_p, 32);
    u256_from_be(&x, pub, 32);
    u256_from_be(&y, pub + 32, 32);
    if (!u256_lt(&x, &p) || !u256_lt(&y, &p))
        return false;
    u256_mulmod(&lhs, &y, &y, &p);
    u256_mulmod(&rhs, &x, &x, &p);
    u256_mulmod(&rhs, &rhs, &x, &p);
    u256_addmod(&rhs, &rhs, &seven, &p);
    return u256_eq(&lhs, &rhs);
}

int rpc_enode_format(const uint8_t pub[64], const char *ip, uint16_t tcp_port, uint16_t udp_port,
                     char out[RPC_ENODE_URL_MAX])
{
    uint8_t buf[16];
    bool v6;
    if (inet_pton(AF_INET, ip, buf) == 1)
        v6 = false;
    else if (inet_pton(AF_INET6, ip, buf) == 1)
        v6 = true;
    else
        return err_set(ERR_INVAL, "enode: %.64s is not an IP address", ip);
    char key[129];
    hex_encode(key, pub, 64);
    key[128] = 0;
    int n = snprintf(out, RPC_ENODE_URL_MAX, "enode://%s@%s%s%s:%u", key, v6 ? "[" : "", ip,
                     v6 ? "]" : "", (unsigned)tcp_port);
    if (n > 0 && udp_port != tcp_port)
        snprintf(out + n, RPC_ENODE_URL_MAX - (size_t)n, "?discport=%u", (unsigned)udp_port);
    return 0;
}

void rpc_enode_id(const uint8_t pub[64], char out[65])
{
    uint8_t h[32];
    keccak256(pub, 64, h);
    hex_encode(out, h, 32);
    out[64] = 0;
}

/* A decimal port 1..65535 of len bytes. */
static bool parse_port(const char *s, size_t len, uint16_t *out)
{
    if (len == 0 || len > 5)
        return false;
    unsigned v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    if (v == 0 || v > 65535)
        return false;
    *out = (uint16_t)v;
    return true;
}

int rpc_enode_parse(const char *url, size_t len, struct rpc_enode *out)
{
    static const char scheme[] = "enode://";
    const size_t slen = sizeof scheme - 1;
    if (len > RPC_ENODE_INPUT_MAX)
        return err_set(ERR_INVAL, "URL too long");
    if (len < slen || memcmp(url, scheme, slen) != 0)
        return err_set(ERR_INVAL, "invalid URL scheme, want \"enode\"");
    const char *p = url + slen, *end = url + len;
    const char *at = memchr(p, '@', (size_t)(end - p));
    if (!at || at == p)
        return err_set(ERR_INVAL, "does not contain node ID");

    struct rpc_enode n;
    memset(&n, 0, sizeof n);
    if ((size_t)(at - p) != 128 || hex_decode_exact(p, 128, n.pub, 64) != 0)
        return err_set(ERR_INVAL, "invalid public key (want 128 hex digits, got %zu characters)",
                       (size_t)(at - p));
    if (!rpc_secp256k1_on_curve(n.pub))
        return err_set(ERR_INVAL, "invalid public key (not a point of secp256k1)");

    /* host[:port][?discport=n] */
    const char *h = at + 1;
    const char *q = memchr(h, '?', (size_t)(end - h));
    const char *hend = q ? q : end;
    const char *host, *host_end, *colon;
    if (h < hend && *h == '[') {
        const char *rb = memchr(h, ']', (size_t)(hend - h));
        if (!rb)
            return err_set(ERR_INVAL, "invalid IP address");
        host = h + 1;
        host_end = rb;
        colon = rb + 1 < hend && rb[1] == ':' ? rb + 1 : NULL;
        if (!colon && rb + 1 != hend)
            return err_set(ERR_INVAL, "invalid IP address");
        n.ipv6 = true;
    } else {
        host = h;
        colon = memchr(h, ':', (size_t)(hend - h));
        host_end = colon ? colon : hend;
    }
    size_t hl = (size_t)(host_end - host);
    uint8_t buf[16];
    if (hl == 0 || hl >= sizeof n.ip)
        return err_set(ERR_INVAL, "invalid IP address");
    memcpy(n.ip, host, hl);
    n.ip[hl] = 0;
    if (memchr(n.ip, 0, hl) || inet_pton(n.ipv6 ? AF_INET6 : AF_INET, n.ip, buf) != 1)
        return err_set(ERR_INVAL, "invalid IP address");
    if (!colon || !parse_port(colon + 1, (size_t)(hend - colon - 1), &n.tcp_port))
        return err_set(ERR_INVAL, "invalid port");
    n.udp_port = n.tcp_port;
    if (q) {
        static const char disc[] = "discport=";
        const size_t dl = sizeof disc - 1;
        size_t ql = (size_t)(end - q - 1);
        if (ql < dl || memcmp(q + 1, disc, dl) != 0 ||
            !parse_port(q + 1 + dl, ql - dl, &n.udp_port))
            return err_set(ERR_INVAL, "invalid discport in query");
    }
    *out = n;
    return 0;
}
