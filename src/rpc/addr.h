/*
 * addr.h — network addresses for the RPC servers: the -rpcallowip list
 * (which clients may connect) and the -rpcbind/-wsbind endpoints (where the
 * servers listen).
 *
 * Both are parsed once at start-up from option text, strictly (numeric
 * addresses only: a name to resolve would make the security boundary depend
 * on DNS). The allow-list is matched on the loop thread for each request, so
 * it is a flat array compared bit-prefix by bit-prefix; IPv4-mapped IPv6
 * peers (::ffff:a.b.c.d) match IPv4 entries. Safe from any thread once
 * built (read-only).
 */
#ifndef SPECTRUM_RPC_ADDR_H
#define SPECTRUM_RPC_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define RPC_ACL_MAX 64
#define RPC_ENDPOINTS_MAX 16
#define RPC_ADDR_TEXT_MAX 64    /* "[ffff:...:ffff]:65535" fits */

struct rpc_acl_entry {
    int family;                 /* AF_INET or AF_INET6 */
    uint8_t addr[16];           /* network byte order; 4 used for IPv4 */
    unsigned prefix;            /* leading bits that must match */
};

struct rpc_acl {
    struct rpc_acl_entry e[RPC_ACL_MAX];
    size_t n;
};

/* Empties a and allows 127.0.0.0/8 and ::1 (the default allow-list). */
void rpc_acl_init_localhost(struct rpc_acl *a);

/* Adds "1.2.3.4", "1.2.3.0/24", "1.2.3.0/255.255.255.0", "::1", "fd00::/8"
 * ("0.0.0.0/0" and "::/0" allow everyone). Returns 0, ERR_INVAL (malformed;
 * the message quotes the value) or ERR_RANGE (more than RPC_ACL_MAX). */
int rpc_acl_add(struct rpc_acl *a, const char *spec);

/* True when sa (AF_INET or AF_INET6; anything else is refused) matches an
 * entry. */
bool rpc_acl_allows(const struct rpc_acl *a, const struct sockaddr *sa);

struct rpc_endpoint {
    struct sockaddr_storage ss;
    socklen_t len;
    char text[RPC_ADDR_TEXT_MAX];   /* "127.0.0.1:18545", "[::1]:18545" */
};

/* Parses "addr", "addr:port", "[v6addr]:port" or a bare IPv6 address; the
 * port defaults to default_port. Returns 0 or ERR_INVAL. */
int rpc_endpoint_parse(const char *spec, uint16_t default_port, struct rpc_endpoint *out);

/* Formats sa as "1.2.3.4:5" or "[::1]:5" into buf (always NUL-terminated). */
void rpc_addr_format(const struct sockaddr *sa, char *buf, size_t cap);

#endif
