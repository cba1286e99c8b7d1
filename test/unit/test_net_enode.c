/* test_net_enode.c — enode URLs (net/enode.h) and the built-in bootnode
 * lists (net/bootnodes.h): what parses, what it parses to, every refusal,
 * and that the lists are the ones spec §12 describes. */
#include "test_net_discv4.h"

#include <stdio.h>
#include <string.h>

#include "crypto/ecdsa.h"
#include "net/bootnodes.h"
#include "net/enode.h"
#include "util/err.h"
#include "util/hex.h"

/* The public key of the EIP-8 node key b71c71a6…f291, a point on the curve. */
static const char ID[] =
    "ca634cae0d49acb401d8a4c6b6fe8c55b70d115bf400769cc1400f3258cd3138"
    "7574077f301b421bc84df7266c44e9e6d569fc56be00812904767bf5ccd1fc7f";

static int parse(const char *url, struct enode *n)
{
    return enode_parse(url, strlen(url), n);
}

static int parse_with(const char *fmt_before, const char *fmt_after, struct enode *n)
{
    char url[2048];
    snprintf(url, sizeof url, "%s%s%s", fmt_before, ID, fmt_after);
    return parse(url, n);
}

START_TEST(parses_ipv4_ipv6_and_discport)
{
    struct enode n;
    uint8_t id[64];
    test_unhex(ID, id, 64);
    ck_assert_int_eq(parse_with("enode://", "@10.3.58.6:30303?discport=30301", &n), 0);
    ck_assert(memcmp(n.id, id, 64) == 0);
    ck_assert_uint_eq(n.ep.ip_len, 4);
    ck_assert(memcmp(n.ep.ip, "\x0a\x03\x3a\x06", 4) == 0);
    ck_assert_uint_eq(n.ep.tcp_port, 30303);
    ck_assert_uint_eq(n.ep.udp_port, 30301);

    ck_assert_int_eq(parse_with("enode://", "@[2001:db8::1]:44944", &n), 0);
    ck_assert_uint_eq(n.ep.ip_len, 16);
    ck_assert_uint_eq(n.ep.ip[0], 0x20);
    ck_assert_uint_eq(n.ep.ip[15], 0x01);
    ck_assert_uint_eq(n.ep.tcp_port, 44944);
    ck_assert_uint_eq(n.ep.udp_port, 44944);

    /* IPv4-mapped IPv6 folds to 4 bytes; the scheme is case-insensitive */
    ck_assert_int_eq(parse_with("ENODE://", "@[::ffff:127.0.0.1]:1", &n), 0);
    ck_assert_uint_eq(n.ep.ip_len, 4);
    ck_assert(enode_ip_is_loopback(&n.ep));

    /* format → parse is the identity; discport only when ports differ */
    char url[ENODE_URL_MAX];
    struct enode back;
    ck_assert_int_eq(parse_with("enode://", "@10.3.58.6:30303?discport=30301", &n), 0);
    ck_assert_int_eq(enode_format(&n, url), 0);
    ck_assert(strstr(url, "@10.3.58.6:30303?discport=30301") != NULL);
    ck_assert_int_eq(parse(url, &back), 0);
    ck_assert(memcmp(&back, &n, sizeof n) == 0);
    ck_assert_int_eq(parse_with("enode://", "@[2001:db8::1]:44944", &n), 0);
    ck_assert_int_eq(enode_format(&n, url), 0);
    ck_assert(strstr(url, "@[2001:db8::1]:44944") != NULL);
    ck_assert(strchr(url, '?') == NULL);
    ck_assert_int_eq(parse(url, &back), 0);
    ck_assert(memcmp(&back, &n, sizeof n) == 0);

    n.ep.ip_len = 0;
    ck_assert_int_eq(enode_format(&n, url), ERR_INVAL);
}
END_TEST

static void refuses(const char *before, const char *after, int code, const char *reason)
{
    struct enode n;
    memset(&n, 0x5a, sizeof n);
    struct enode before_n = n;
    int rc = parse_with(before, after, &n);
    ck_assert_msg(rc == code, "%s…%s: want %d got %d (%s)", before, after, code, rc, err_msg());
    ck_assert_msg(strstr(err_msg(), reason) != NULL, "%s…%s: reason '%s'", before, after,
                  err_msg());
    ck_assert(memcmp(&n, &before_n, sizeof n) == 0);   /* untouched on failure */
}

START_TEST(refuses_malformed_urls)
{
    refuses("enr://", "@1.2.3.4:30303", ERR_INVAL, "scheme");
    refuses("http://", "@1.2.3.4:30303", ERR_INVAL, "scheme");
    refuses("", "@1.2.3.4:30303", ERR_INVAL, "scheme");
    refuses("enode://", "", ERR_INVAL, "node ID");
    refuses("enode://00", "@1.2.3.4:30303", ERR_INVAL, "node ID");   /* 130 digits */
    refuses("enode://", "@localhost:30303", ERR_INVAL, "IP");
    refuses("enode://", "@1.2.3:30303", ERR_INVAL, "IP");
    refuses("enode://", "@::1:30303", ERR_INVAL, "IP");               /* needs brackets */
    refuses("enode://", "@[::1:30303", ERR_INVAL, "IP");
    refuses("enode://", "@[]:30303", ERR_INVAL, "IP");
    refuses("enode://", "@1.2.3.4", ERR_INVAL, "port");
    refuses("enode://", "@1.2.3.4:", ERR_INVAL, "port");
    refuses("enode://", "@1.2.3.4:0", ERR_INVAL, "port");
    refuses("enode://", "@1.2.3.4:65536", ERR_INVAL, "port");
    refuses("enode://", "@1.2.3.4:3030x", ERR_INVAL, "port");
    refuses("enode://", "@1.2.3.4:+3030", ERR_INVAL, "port");
    refuses("enode://", "@1.2.3.4:303030", ERR_INVAL, "port");
    refuses("enode://", "@1.2.3.4:30303?discport=", ERR_INVAL, "discport");
    refuses("enode://", "@1.2.3.4:30303?discport=70000", ERR_INVAL, "discport");
    refuses("enode://", "@1.2.3.4:30303?discport=1&x=2", ERR_INVAL, "discport");
    refuses("enode://", "@1.2.3.4:30303?foo=1", ERR_INVAL, "query");
    refuses("enode://", "@1.2.3.4:30303/", ERR_INVAL, "port");

    struct enode n;
    /* 127 and 129 digits, a non-hex digit */
    char url[400];
    snprintf(url, sizeof url, "enode://%.127s@1.2.3.4:1", ID);
    ck_assert_int_eq(parse(url, &n), ERR_INVAL);
    snprintf(url, sizeof url, "enode://%sa@1.2.3.4:1", ID);
    ck_assert_int_eq(parse(url, &n), ERR_INVAL);
    snprintf(url, sizeof url, "enode://%.127sg@1.2.3.4:1", ID);
    ck_assert_int_eq(parse(url, &n), ERR_INVAL);
    /* 128 hex digits that are not a point of secp256k1 */
    snprintf(url, sizeof url, "enode://%0128d@1.2.3.4:1", 0);
    ck_assert_int_eq(parse(url, &n), ERR_INVAL);
    ck_assert(strstr(err_msg(), "public key") != NULL);
    /* a NUL inside the text, and input over the limit */
    snprintf(url, sizeof url, "enode://%s@1.2.3.4:30303", ID);
    size_t len = strlen(url);
    url[len - 3] = 0;
    ck_assert_int_eq(enode_parse(url, len, &n), ERR_INVAL);
    char big[ENODE_INPUT_MAX + 2];
    memset(big, '1', sizeof big);
    ck_assert_int_eq(enode_parse(big, sizeof big, &n), ERR_RANGE);
    /* the parser reads exactly len bytes: a good URL cut short fails */
    snprintf(url, sizeof url, "enode://%s@1.2.3.4:30303", ID);
    ck_assert_int_eq(enode_parse(url, strlen(url) - 6, &n), ERR_INVAL);
}
END_TEST

START_TEST(endpoint_helpers)
{
    struct enode_endpoint a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    ck_assert_int_eq(enode_set_ip(&a, "127.0.0.1"), 0);
    ck_assert_int_eq(enode_set_ip(&b, "::ffff:127.0.0.1"), 0);
    ck_assert(enode_same_ip(&a, &b));
    ck_assert(enode_ip_is_loopback(&a));
    ck_assert_int_eq(enode_set_ip(&b, "::1"), 0);
    ck_assert(enode_ip_is_loopback(&b));
    ck_assert(!enode_same_ip(&a, &b));
    ck_assert_int_eq(enode_set_ip(&b, "8.8.8.8"), 0);
    ck_assert(!enode_ip_is_loopback(&b));
    ck_assert_int_eq(enode_set_ip(&b, "example.org"), ERR_INVAL);
    char text[46];
    enode_ip_text(&a, text);
    ck_assert_str_eq(text, "127.0.0.1");
    uint8_t id[64];
    test_unhex(ID, id, 64);
    ck_assert(enode_id_valid(id));
    id[63] ^= 1;
    ck_assert(!enode_id_valid(id));
}
END_TEST

START_TEST(bootnode_lists_match_the_spec)
{
    /* spec §12: six mainnet bootnodes on these IPs, one testnet, all on
     * TCP/UDP 44944; the first mainnet id is 697d1877…c223, the testnet
     * one c65553f0…c3a1. Devnet (and our regtest) have none. */
    static const char *mainnet_ips[] = {"47.105.34.94", "47.100.215.147", "47.88.171.32",
                                        "47.75.71.34", "47.254.151.108", "47.89.247.28"};
    size_t count = 99;
    const char *const *urls = bootnodes_get(CHAIN_MAINNET, &count);
    ck_assert_uint_eq(count, 6);
    struct enode nodes[8];
    size_t n = 0;
    ck_assert_int_eq(bootnodes_parse(urls, count, nodes, 8, &n), 0);
    ck_assert_uint_eq(n, 6);
    for (size_t i = 0; i < n; i++) {
        char ip[46];
        enode_ip_text(&nodes[i].ep, ip);
        ck_assert_str_eq(ip, mainnet_ips[i]);
        ck_assert_uint_eq(nodes[i].ep.tcp_port, 44944);
        ck_assert_uint_eq(nodes[i].ep.udp_port, 44944);
        for (size_t j = 0; j < i; j++)
            ck_assert(memcmp(nodes[i].id, nodes[j].id, 64) != 0);
    }
    char hex[129];
    hex_encode(hex, nodes[0].id, 64);
    ck_assert(strncmp(hex, "697d1877", 8) == 0);
    ck_assert_str_eq(hex + 124, "c223");

    urls = bootnodes_get(CHAIN_TESTNET, &count);
    ck_assert_uint_eq(count, 1);
    ck_assert_int_eq(bootnodes_parse(urls, count, nodes, 8, &n), 0);
    hex_encode(hex, nodes[0].id, 64);
    ck_assert(strncmp(hex, "c65553f0", 8) == 0);
    ck_assert_str_eq(hex + 124, "c3a1");
    char ip[46];
    enode_ip_text(&nodes[0].ep, ip);
    ck_assert_str_eq(ip, "123.207.146.205");

    ck_assert_ptr_null(bootnodes_get(CHAIN_DEVNET, &count));
    ck_assert_uint_eq(count, 0);
    ck_assert_ptr_null(bootnodes_get(CHAIN_REGTEST, &count));
    ck_assert_uint_eq(count, 0);

    /* parse errors name the entry; too many for the room */
    const char *bad[] = {urls[0], "enode://xyz@1.2.3.4:1"};
    ck_assert_int_eq(bootnodes_parse(bad, 2, nodes, 8, &n), ERR_INVAL);
    ck_assert(strstr(err_msg(), "bootnode 2") != NULL);
    urls = bootnodes_get(CHAIN_MAINNET, &count);
    ck_assert_int_eq(bootnodes_parse(urls, count, nodes, 5, &n), ERR_RANGE);
}
END_TEST

TCase *net_enode_tcase(void)
{
    TCase *tc = tcase_create("enode");
    tcase_add_test(tc, parses_ipv4_ipv6_and_discport);
    tcase_add_test(tc, refuses_malformed_urls);
    tcase_add_test(tc, endpoint_helpers);
    tcase_add_test(tc, bootnode_lists_match_the_spec);
    return tc;
}
