/* addr.c — allow-list and endpoints; see addr.h. */
#include "rpc/addr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"

static void add_entry(struct rpc_acl *a, int family, const void *addr, unsigned prefix)
{
    struct rpc_acl_entry *e = &a->e[a->n++];
    memset(e, 0, sizeof *e);
    e->family = family;
    memcpy(e->addr, addr, family == AF_INET ? 4 : 16);
    e->prefix = prefix;
}

void rpc_acl_init_localhost(struct rpc_acl *a)
{
    static const uint8_t v4[4] = {127, 0, 0, 0};
    a->n = 0;
    add_entry(a, AF_INET, v4, 8);
    add_entry(a, AF_INET6, &in6addr_loopback, 128);
}

/* Strict decimal 0..max; returns -1 when s is not that. */
static long small_decimal(const char *s, long max)
{
    if (!*s || strlen(s) > 3)
        return -1;
    long v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        v = v * 10 + (*p - '0');
    }
    return v <= max ? v : -1;
}

/* The prefix length of a contiguous netmask, or -1. */
static int mask_prefix(const uint8_t *m, size_t n)
{
    int bits = 0;
    bool zero = false;
    for (size_t i = 0; i < n; i++) {
        for (int b = 7; b >= 0; b--) {
            bool set = (m[i] >> b) & 1;
            if (set && zero)
                return -1;
            if (set)
                bits++;
            else
                zero = true;
        }
    }
    return bits;
}

int rpc_acl_add(struct rpc_acl *a, const char *spec)
{
    char buf[RPC_ADDR_TEXT_MAX];
    if (strlen(spec) >= sizeof buf)
        return err_set(ERR_INVAL, "-rpcallowip: '%.64s...' is not an address or subnet", spec);
    if (a->n == RPC_ACL_MAX)
        return err_set(ERR_RANGE, "-rpcallowip: more than %d entries", RPC_ACL_MAX);
    strcpy(buf, spec);
    char *slash = strchr(buf, '/');
    if (slash)
        *slash++ = 0;
    uint8_t addr[16];
    int family;
    unsigned maxbits;
    if (inet_pton(AF_INET, buf, addr) == 1) {
        family = AF_INET;
        maxbits = 32;
    } else if (inet_pton(AF_INET6, buf, addr) == 1) {
        family = AF_INET6;
        maxbits = 128;
    } else {
        return err_set(ERR_INVAL, "-rpcallowip: '%s' is not an IP address or subnet", spec);
    }
    long prefix = maxbits;
    if (slash) {
        uint8_t mask[16];
        if (family == AF_INET && strchr(slash, '.') && inet_pton(AF_INET, slash, mask) == 1)
            prefix = mask_prefix(mask, 4);
        else
            prefix = small_decimal(slash, maxbits);
        if (prefix < 0)
            return err_set(ERR_INVAL, "-rpcallowip: bad prefix length or netmask in '%s'", spec);
    }
    add_entry(a, family, addr, (unsigned)prefix);
    return 0;
}

static bool prefix_match(const uint8_t *x, const uint8_t *y, unsigned bits)
{
    unsigned full = bits / 8, rest = bits % 8;
    if (memcmp(x, y, full))
        return false;
    if (!rest)
        return true;
    uint8_t m = (uint8_t)(0xff << (8 - rest));
    return (x[full] & m) == (y[full] & m);
}

bool rpc_acl_allows(const struct rpc_acl *a, const struct sockaddr *sa)
{
    uint8_t addr[16];
    int family;
    if (!sa)
        return false;
    if (sa->sa_family == AF_INET) {
        memcpy(addr, &((const struct sockaddr_in *)sa)->sin_addr, 4);
        family = AF_INET;
    } else if (sa->sa_family == AF_INET6) {
        const struct in6_addr *in6 = &((const struct sockaddr_in6 *)sa)->sin6_addr;
        if (IN6_IS_ADDR_V4MAPPED(in6)) {
            memcpy(addr, in6->s6_addr + 12, 4);
            family = AF_INET;
        } else {
            memcpy(addr, in6->s6_addr, 16);
            family = AF_INET6;
        }
    } else {
        return false;
    }
    for (size_t i = 0; i < a->n; i++)
        if (a->e[i].family == family && prefix_match(a->e[i].addr, addr, a->e[i].prefix))
            return true;
    return false;
}

int rpc_endpoint_parse(const char *spec, uint16_t default_port, struct rpc_endpoint *out)
{
    char host[RPC_ADDR_TEXT_MAX];
    const char *portstr = NULL;
    size_t n = strlen(spec);
    memset(out, 0, sizeof *out);
    if (n == 0 || n >= sizeof host)
        return err_set(ERR_INVAL, "'%.64s' is not an address", spec);
    if (spec[0] == '[') {
        const char *close = strchr(spec, ']');
        if (!close || (close[1] && close[1] != ':'))
            return err_set(ERR_INVAL, "'%s' is not an address", spec);
        memcpy(host, spec + 1, (size_t)(close - spec - 1));
        host[close - spec - 1] = 0;
        if (close[1] == ':')
            portstr = close + 2;
    } else {
        strcpy(host, spec);
        char *colon = strchr(host, ':');
        if (colon && !strchr(colon + 1, ':')) {  /* one colon: IPv4 with port */
            *colon = 0;
            portstr = colon + 1;
        }
    }
    long port = default_port;
    if (portstr) {
        port = 0;
        if (!*portstr || strlen(portstr) > 5)
            return err_set(ERR_INVAL, "bad port in '%s'", spec);
        for (const char *p = portstr; *p; p++) {
            if (*p < '0' || *p > '9')
                return err_set(ERR_INVAL, "bad port in '%s'", spec);
            port = port * 10 + (*p - '0');
        }
        if (port < 1 || port > 65535)
            return err_set(ERR_INVAL, "bad port in '%s'", spec);
    }
    struct sockaddr_in *s4 = (struct sockaddr_in *)&out->ss;
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&out->ss;
    if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
        s4->sin_family = AF_INET;
        s4->sin_port = htons((uint16_t)port);
        out->len = sizeof *s4;
    } else if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons((uint16_t)port);
        out->len = sizeof *s6;
    } else {
        return err_set(ERR_INVAL, "'%s' is not a numeric IP address", spec);
    }
    rpc_addr_format((struct sockaddr *)&out->ss, out->text, sizeof out->text);
    return 0;
}

void rpc_addr_format(const struct sockaddr *sa, char *buf, size_t cap)
{
    char ip[INET6_ADDRSTRLEN];
    if (cap == 0)
        return;
    if (sa && sa->sa_family == AF_INET) {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
        inet_ntop(AF_INET, &s4->sin_addr, ip, sizeof ip);
        snprintf(buf, cap, "%s:%u", ip, ntohs(s4->sin_port));
    } else if (sa && sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
        inet_ntop(AF_INET6, &s6->sin6_addr, ip, sizeof ip);
        snprintf(buf, cap, "[%s]:%u", ip, ntohs(s6->sin6_port));
    } else {
        snprintf(buf, cap, "(unknown address)");
    }
}
