/*
 * enode.c — enode URLs and node endpoints; see enode.h.
 *
 * The parser walks the text once with explicit bounds; pieces that go to
 * inet_pton are copied into small NUL-terminated buffers first, so the
 * input never needs a terminator. The public-key check uses libsecp256k1's
 * static context (parsing a key needs no precomputed tables), so a URL that
 * names no possible node is refused before anyone dials it.
 */
#include "net/enode.h"

#include <arpa/inet.h>
#include <secp256k1.h>
#include <stdio.h>
#include <string.h>

#include "util/err.h"
#include "util/hex.h"

static const uint8_t V4_MAPPED[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

bool enode_id_valid(const uint8_t id[64])
{
    uint8_t buf[65];
    secp256k1_pubkey pk;
    buf[0] = 0x04;
    memcpy(buf + 1, id, 64);
    return secp256k1_ec_pubkey_parse(secp256k1_context_static, &pk, buf, sizeof buf) == 1;
}

void enode_ip_normalize(struct enode_endpoint *ep)
{
    if (ep->ip_len == 16 && memcmp(ep->ip, V4_MAPPED, 12) == 0) {
        memmove(ep->ip, ep->ip + 12, 4);
        memset(ep->ip + 4, 0, 12);
        ep->ip_len = 4;
    }
}

int enode_set_ip(struct enode_endpoint *ep, const char *text)
{
    uint8_t buf[16];
    if (inet_pton(AF_INET, text, buf) == 1) {
        memset(ep->ip, 0, sizeof ep->ip);
        memcpy(ep->ip, buf, 4);
        ep->ip_len = 4;
        return 0;
    }
    if (inet_pton(AF_INET6, text, buf) == 1) {
        memcpy(ep->ip, buf, 16);
        ep->ip_len = 16;
        enode_ip_normalize(ep);
        return 0;
    }
    return err_set(ERR_INVAL, "invalid IP address");
}

void enode_ip_text(const struct enode_endpoint *ep, char out[46])
{
    out[0] = 0;
    if (ep->ip_len == 4)
        inet_ntop(AF_INET, ep->ip, out, 46);
    else if (ep->ip_len == 16)
        inet_ntop(AF_INET6, ep->ip, out, 46);
}

bool enode_same_ip(const struct enode_endpoint *a, const struct enode_endpoint *b)
{
    return a->ip_len == b->ip_len && memcmp(a->ip, b->ip, a->ip_len) == 0;
}

bool enode_ip_is_loopback(const struct enode_endpoint *ep)
{
    static const uint8_t V6_LOOPBACK[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    if (ep->ip_len == 4)
        return ep->ip[0] == 127;
    if (ep->ip_len == 16)
        return memcmp(ep->ip, V6_LOOPBACK, 16) == 0;
    return false;
}

int enode_format(const struct enode *n, char out[ENODE_URL_MAX])
{
    if (n->ep.ip_len != 4 && n->ep.ip_len != 16)
        return err_set(ERR_INVAL, "enode: node has no IP address");
    char key[129], ip[46];
    hex_encode(key, n->id, 64);
    enode_ip_text(&n->ep, ip);
    bool v6 = n->ep.ip_len == 16;
    int w = snprintf(out, ENODE_URL_MAX, "enode://%s@%s%s%s:%u", key, v6 ? "[" : "", ip,
                     v6 ? "]" : "", (unsigned)n->ep.tcp_port);
    if (w > 0 && w < ENODE_URL_MAX && n->ep.udp_port != n->ep.tcp_port)
        snprintf(out + w, ENODE_URL_MAX - (size_t)w, "?discport=%u", (unsigned)n->ep.udp_port);
    return 0;
}

/* Parses 1..5 decimal digits into a port 1..65535. */
static bool parse_port(const char *p, size_t n, uint16_t *out)
{
    if (n == 0 || n > 5)
        return false;
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return false;
        v = v * 10 + (unsigned)(p[i] - '0');
    }
    if (v == 0 || v > 65535)
        return false;
    *out = (uint16_t)v;
    return true;
}

static const char *find_char(const char *p, const char *end, char c)
{
    for (; p < end; p++)
        if (*p == c)
            return p;
    return NULL;
}

int enode_parse(const char *url, size_t len, struct enode *out)
{
    static const char SCHEME[] = "enode://";
    const size_t slen = sizeof SCHEME - 1;
    if (len > ENODE_INPUT_MAX)
        return err_set(ERR_RANGE, "enode URL of %zu bytes is too long", len);
    if (len < slen)
        return err_set(ERR_INVAL, "invalid URL scheme, want \"enode\"");
    for (size_t i = 0; i < slen; i++) {
        char c = url[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != SCHEME[i])
            return err_set(ERR_INVAL, "invalid URL scheme, want \"enode\"");
    }
    const char *p = url + slen, *end = url + len;
    const char *at = find_char(p, end, '@');
    if (!at)
        return err_set(ERR_INVAL, "does not contain node ID");

    struct enode n;
    memset(&n, 0, sizeof n);
    if (at - p != 128 || hex_decode_exact(p, 128, n.id, 64) != 0)
        return err_set(ERR_INVAL, "invalid node ID (want 128 hex digits)");
    if (!enode_id_valid(n.id))
        return err_set(ERR_INVAL, "invalid public key (not a point of secp256k1)");

    /* host: IPv4 literal, or an IPv6 literal in brackets */
    p = at + 1;
    const char *host, *host_end;
    if (p < end && *p == '[') {
        host = p + 1;
        host_end = find_char(host, end, ']');
        if (!host_end)
            return err_set(ERR_INVAL, "invalid IP address");
        p = host_end + 1;
    } else {
        host = p;
        host_end = find_char(p, end, ':');
        if (!host_end)
            return err_set(ERR_INVAL, "invalid port");
        p = host_end;
    }
    char text[46];
    size_t hlen = (size_t)(host_end - host);
    if (hlen == 0 || hlen >= sizeof text)
        return err_set(ERR_INVAL, "invalid IP address");
    memcpy(text, host, hlen);
    text[hlen] = 0;
    if (memchr(text, 0, hlen) != NULL || enode_set_ip(&n.ep, text) != 0)
        return err_set(ERR_INVAL, "invalid IP address");

    /* :port */
    if (p >= end || *p != ':')
        return err_set(ERR_INVAL, "invalid port");
    p++;
    const char *q = find_char(p, end, '?');
    const char *port_end = q ? q : end;
    if (!parse_port(p, (size_t)(port_end - p), &n.ep.tcp_port))
        return err_set(ERR_INVAL, "invalid port");
    n.ep.udp_port = n.ep.tcp_port;

    /* ?discport=N */
    if (q) {
        static const char DISC[] = "discport=";
        const size_t dlen = sizeof DISC - 1;
        p = q + 1;
        if ((size_t)(end - p) < dlen || memcmp(p, DISC, dlen) != 0)
            return err_set(ERR_INVAL, "unexpected query in enode URL (only discport=)");
        p += dlen;
        if (!parse_port(p, (size_t)(end - p), &n.ep.udp_port))
            return err_set(ERR_INVAL, "invalid discport in query");
    }
    memcpy(out, &n, sizeof n);     /* padding included: parsed nodes compare with memcmp */
    return 0;
}
