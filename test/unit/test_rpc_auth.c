/*
 * test_rpc_auth.c — credentials (rpc/auth.h: Basic headers, -rpcpassword,
 * -rpcauth, the cookie file), base64, the -rpcallowip list and endpoints
 * (rpc/addr.h), and log filters (rpc/logfilter.h).
 */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rpc/addr.h"
#include "rpc/auth.h"
#include "rpc/base64.h"
#include "rpc/logfilter.h"
#include "util/err.h"

static char *basic(const char *userpass)
{
    static char out[512];
    strcpy(out, "Basic ");
    base64_encode(out + 6, (const uint8_t *)userpass, strlen(userpass));
    return out;
}

START_TEST(base64_rfc4648)
{
    /* RFC 4648 §10 */
    const char *plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    const char *enc[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    for (int i = 0; i < 7; i++) {
        char out[16];
        base64_encode(out, (const uint8_t *)plain[i], strlen(plain[i]));
        ck_assert_str_eq(out, enc[i]);
        uint8_t dec[16];
        size_t n;
        ck_assert_int_eq(base64_decode(enc[i], strlen(enc[i]), dec, sizeof dec, &n), 0);
        ck_assert_uint_eq(n, strlen(plain[i]));
        ck_assert(memcmp(dec, plain[i], n) == 0);
    }
    const char *bad[] = {"Zg", "Zg=", "Zm9=", "Z===", "Zm9v!", "Zm=v", "=Zm9", "Zm9vYg=="
                         "Zg=="};
    for (int i = 0; i < 8; i++) {
        uint8_t dec[16];
        size_t n;
        ck_assert_msg(base64_decode(bad[i], strlen(bad[i]), dec, sizeof dec, &n) != 0, "%s",
                      bad[i]);
    }
    uint8_t small[2];
    size_t n;
    ck_assert_int_eq(base64_decode("Zm9v", 4, small, sizeof small, &n), ERR_RANGE);
}
END_TEST

START_TEST(basic_headers)
{
    char user[64], pass[64];
    ck_assert_int_eq(rpc_auth_decode_basic(basic("alice:pa:ss"), user, sizeof user, pass,
                                           sizeof pass), 0);
    ck_assert_str_eq(user, "alice");
    ck_assert_str_eq(pass, "pa:ss");
    ck_assert_int_eq(rpc_auth_decode_basic("basic   YTpi  ", user, 64, pass, 64), 0);
    ck_assert_str_eq(user, "a");
    ck_assert_str_eq(pass, "b");
    ck_assert_int_ne(rpc_auth_decode_basic(basic("nocolon"), user, 64, pass, 64), 0);
    ck_assert_int_ne(rpc_auth_decode_basic("Bearer YTpi", user, 64, pass, 64), 0);
    ck_assert_int_ne(rpc_auth_decode_basic("Basic", user, 64, pass, 64), 0);
    ck_assert_int_ne(rpc_auth_decode_basic("Basic YTpi!", user, 64, pass, 64), 0);
    ck_assert_int_ne(rpc_auth_decode_basic(basic("a\0b"), user, 64, pass, 64), 0);
    ck_assert_int_eq(rpc_auth_decode_basic(basic("alice:long password"), user, 64, pass, 8),
                     ERR_RANGE);
}
END_TEST

START_TEST(password_and_rpcauth)
{
    struct rpc_auth a;
    memset(&a, 0, sizeof a);
    ck_assert_int_eq(rpc_auth_check(&a, NULL), RPC_AUTH_NONE);
    ck_assert_int_eq(rpc_auth_check(&a, basic("x:y")), RPC_AUTH_BAD);
    ck_assert_int_eq(rpc_auth_set_password(&a, "alice", "s3cret"), 0);
    ck_assert_int_eq(rpc_auth_check(&a, basic("alice:s3cret")), RPC_AUTH_OK);
    ck_assert_int_eq(rpc_auth_check(&a, basic("alice:s3cre")), RPC_AUTH_BAD);
    ck_assert_int_eq(rpc_auth_check(&a, basic("alice:s3crett")), RPC_AUTH_BAD);
    ck_assert_int_eq(rpc_auth_check(&a, basic("bob:s3cret")), RPC_AUTH_BAD);
    ck_assert_int_eq(rpc_auth_check(&a, "garbage"), RPC_AUTH_BAD);
    ck_assert_int_eq(rpc_auth_set_password(&a, "a:b", "x"), ERR_INVAL);

    /* -rpcauth with RFC 4231 test case 2 as (salt, password, hmac):
     * HMAC-SHA256(key "Jefe", "what do ya want for nothing?"). */
    ck_assert_int_eq(rpc_auth_parse_entry("carol:Jefe$5bdcc146bf60754e6a042426089575c75a003f089d"
                                          "2739839dec58b964ec3843", &a.entries[0]), 0);
    a.nentries = 1;
    ck_assert_str_eq(a.entries[0].user, "carol");
    ck_assert_str_eq(a.entries[0].salt, "Jefe");
    ck_assert_int_eq(rpc_auth_check(&a, basic("carol:what do ya want for nothing?")), RPC_AUTH_OK);
    ck_assert_int_eq(rpc_auth_check(&a, basic("carol:what do ya want for nothing")), RPC_AUTH_BAD);
    ck_assert_int_eq(rpc_auth_check(&a, basic("alice:what do ya want for nothing?")),
                     RPC_AUTH_BAD);
    ck_assert_int_eq(rpc_auth_check(&a, basic("alice:s3cret")), RPC_AUTH_OK);

    struct rpc_authentry e;
    const char *bad[] = {"carol", "carol:Jefe", "carol:Jefe$", ":Jefe$" "5bdcc146bf60754e6a0424"
                         "26089575c75a003f089d2739839dec58b964ec3843",
                         "carol:$5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
                         "carol:Jefe$5bdcc146", "carol:Jefe$zzdcc146bf60754e6a042426089575c75a00"
                         "3f089d2739839dec58b964ec3843"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(rpc_auth_parse_entry(bad[i], &e) == ERR_INVAL, "%s", bad[i]);
    rpc_auth_wipe(&a);
    ck_assert_int_eq(rpc_auth_check(&a, basic("alice:s3cret")), RPC_AUTH_BAD);
}
END_TEST

START_TEST(cookie_file)
{
    char dir[] = "/tmp/test_rpc_auth_XXXXXX";
    ck_assert(mkdtemp(dir) != NULL);
    char path[512];
    snprintf(path, sizeof path, "%s/.cookie", dir);
    struct rpc_auth a;
    memset(&a, 0, sizeof a);
    ck_assert_int_eq(rpc_auth_write_cookie(&a, path), 0);
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_uint_eq(st.st_mode & 0777, 0600);
    FILE *f = fopen(path, "r");
    char line[256] = "";
    ck_assert(fgets(line, sizeof line, f) != NULL);
    fclose(f);
    ck_assert_uint_eq(strlen(line), strlen(RPC_COOKIE_USER) + 1 + 64);
    ck_assert(strncmp(line, RPC_COOKIE_USER ":", strlen(RPC_COOKIE_USER) + 1) == 0);
    char first[256];
    strcpy(first, line);
    ck_assert_int_eq(rpc_auth_check(&a, basic(line)), RPC_AUTH_OK);

    /* a second cookie replaces the first (a restart after a crash) */
    ck_assert_int_eq(rpc_auth_write_cookie(&a, path), 0);
    f = fopen(path, "r");
    ck_assert(fgets(line, sizeof line, f) != NULL);
    fclose(f);
    ck_assert_str_ne(line, first);
    ck_assert_int_eq(rpc_auth_check(&a, basic(line)), RPC_AUTH_OK);
    ck_assert_int_eq(rpc_auth_check(&a, basic(first)), RPC_AUTH_BAD);

    rpc_auth_remove_cookie(&a);
    ck_assert_int_ne(access(path, F_OK), 0);
    ck_assert_int_eq(rpc_auth_check(&a, basic(line)), RPC_AUTH_BAD);
    snprintf(path, sizeof path, "%s/missing/.cookie", dir);
    ck_assert_int_eq(rpc_auth_write_cookie(&a, path), ERR_IO);
    rmdir(dir);
}
END_TEST

static bool allows(const struct rpc_acl *acl, const char *ip)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    if (strchr(ip, ':')) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
        s6->sin6_family = AF_INET6;
        ck_assert_int_eq(inet_pton(AF_INET6, ip, &s6->sin6_addr), 1);
    } else {
        struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
        s4->sin_family = AF_INET;
        ck_assert_int_eq(inet_pton(AF_INET, ip, &s4->sin_addr), 1);
    }
    return rpc_acl_allows(acl, (struct sockaddr *)&ss);
}

START_TEST(allow_list)
{
    struct rpc_acl acl;
    rpc_acl_init_localhost(&acl);
    ck_assert(allows(&acl, "127.0.0.1"));
    ck_assert(allows(&acl, "127.255.255.254"));
    ck_assert(allows(&acl, "::1"));
    ck_assert(allows(&acl, "::ffff:127.0.0.1"));
    ck_assert(!allows(&acl, "128.0.0.1"));
    ck_assert(!allows(&acl, "10.0.0.1"));
    ck_assert(!allows(&acl, "::2"));
    ck_assert(!allows(&acl, "::ffff:10.0.0.1"));
    ck_assert(!rpc_acl_allows(&acl, NULL));

    acl.n = 0;
    ck_assert_int_eq(rpc_acl_add(&acl, "10.1.0.0/16"), 0);
    ck_assert_int_eq(rpc_acl_add(&acl, "192.168.0.0/255.255.255.0"), 0);
    ck_assert_int_eq(rpc_acl_add(&acl, "fd00::/8"), 0);
    ck_assert_int_eq(rpc_acl_add(&acl, "172.16.0.5"), 0);
    ck_assert(allows(&acl, "10.1.255.3"));
    ck_assert(!allows(&acl, "10.2.0.1"));
    ck_assert(allows(&acl, "192.168.0.77"));
    ck_assert(!allows(&acl, "192.168.1.77"));
    ck_assert(allows(&acl, "fdab::1"));
    ck_assert(!allows(&acl, "fe00::1"));
    ck_assert(allows(&acl, "172.16.0.5"));
    ck_assert(!allows(&acl, "172.16.0.6"));
    ck_assert(!allows(&acl, "127.0.0.1"));   /* a given list replaces localhost */
    acl.n = 0;
    ck_assert_int_eq(rpc_acl_add(&acl, "0.0.0.0/0"), 0);
    ck_assert(allows(&acl, "8.8.8.8"));
    ck_assert(!allows(&acl, "2001::1"));
    ck_assert_int_eq(rpc_acl_add(&acl, "::/0"), 0);
    ck_assert(allows(&acl, "2001::1"));

    const char *bad[] = {"", "1.2.3", "1.2.3.4/33", "1.2.3.4/", "1.2.3.4/x", "::1/129",
                         "1.2.3.4/255.0.255.0", "localhost", "1.2.3.4/-1",
                         "1.2.3.4/0024"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(rpc_acl_add(&acl, bad[i]) == ERR_INVAL, "%s", bad[i]);
    while (acl.n < RPC_ACL_MAX)
        ck_assert_int_eq(rpc_acl_add(&acl, "1.2.3.4"), 0);
    ck_assert_int_eq(rpc_acl_add(&acl, "1.2.3.4"), ERR_RANGE);
}
END_TEST

START_TEST(endpoints)
{
    struct rpc_endpoint e;
    ck_assert_int_eq(rpc_endpoint_parse("127.0.0.1", 18545, &e), 0);
    ck_assert_str_eq(e.text, "127.0.0.1:18545");
    ck_assert_int_eq(rpc_endpoint_parse("0.0.0.0:80", 18545, &e), 0);
    ck_assert_str_eq(e.text, "0.0.0.0:80");
    ck_assert_int_eq(rpc_endpoint_parse("[::1]:8545", 18545, &e), 0);
    ck_assert_str_eq(e.text, "[::1]:8545");
    ck_assert_int_eq(rpc_endpoint_parse("::1", 18546, &e), 0);
    ck_assert_str_eq(e.text, "[::1]:18546");
    ck_assert_int_eq(rpc_endpoint_parse("[fe80::1]", 1, &e), 0);
    ck_assert_str_eq(e.text, "[fe80::1]:1");
    const char *bad[] = {"", "localhost", "1.2.3.4:0", "1.2.3.4:65536", "1.2.3.4:", "[::1",
                         "[::1]x", "[::1]:", "1.2.3.4:80x", "1.2.3.4:-1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(rpc_endpoint_parse(bad[i], 1, &e) == ERR_INVAL, "%s", bad[i]);
}
END_TEST

static json_t *log_obj(const char *addr_byte, const char *const *topics, size_t n)
{
    char addr[43] = "0x";
    for (int i = 0; i < 20; i++)
        strcat(addr, addr_byte);
    json_t *t = json_array();
    for (size_t i = 0; i < n; i++) {
        char topic[67] = "0x";
        for (int k = 0; k < 32; k++)
            strcat(topic, topics[i]);
        json_array_append_new(t, json_string(topic));
    }
    return json_pack("{s:s, s:o}", "address", addr, "topics", t);
}

static bool match(const char *criteria, json_t *log)
{
    struct logfilter f;
    char msg[128];
    json_t *c = criteria ? json_loads(criteria, 0, NULL) : NULL;
    ck_assert_int_eq(logfilter_parse(c, &f, msg, sizeof msg), 0);
    bool m = logfilter_match_json(&f, log);
    logfilter_free(&f);
    json_decref(c);
    return m;
}

#define A20(b) "\"0x" b b b b b b b b b b b b b b b b b b b b "\""
#define T32(b) "\"0x" b b b b b b b b b b b b b b b b b b b b b b b b b b b b b b b b "\""

START_TEST(log_filters)
{
    const char *t12[] = {"01", "02"};
    json_t *log = log_obj("aa", t12, 2);
    ck_assert(match(NULL, log));
    ck_assert(match("{}", log));
    ck_assert(match("{\"address\":" A20("aa") "}", log));
    ck_assert(match("{\"address\":[" A20("bb") "," A20("aa") "]}", log));
    ck_assert(!match("{\"address\":" A20("bb") "}", log));
    ck_assert(match("{\"address\":[]}", log));
    ck_assert(match("{\"topics\":[" T32("01") "]}", log));
    ck_assert(!match("{\"topics\":[" T32("02") "]}", log));
    ck_assert(match("{\"topics\":[null," T32("02") "]}", log));
    ck_assert(match("{\"topics\":[null,[" T32("09") "," T32("02") "]]}", log));
    ck_assert(match("{\"topics\":[[" T32("09") ",null]]}", log));
    ck_assert(!match("{\"topics\":[null,null,null]}", log));    /* 3 positions, 2 topics */
    ck_assert(!match("{\"topics\":[" T32("01") "]," "\"address\":" A20("bb") "}", log));
    json_decref(log);
    json_t *junk = json_pack("{s:s}", "address", "0x12");
    ck_assert(!match(NULL, junk));
    json_decref(junk);

    const char *bad[] = {"1", "{\"address\":1}", "{\"address\":\"0x12\"}",
                         "{\"address\":[" A20("aa") ",5]}", "{\"topics\":{}}",
                         "{\"topics\":[1]}", "{\"topics\":[\"0x01\"]}",
                         "{\"topics\":[null,null,null,null,null]}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct logfilter f;
        char msg[128];
        json_t *c = json_loads(bad[i], JSON_DECODE_ANY, NULL);
        ck_assert_msg(logfilter_parse(c, &f, msg, sizeof msg) < 0, "%s", bad[i]);
        ck_assert(msg[0] != 0);
        json_decref(c);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("rpc_auth");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, base64_rfc4648);
    tcase_add_test(tc, basic_headers);
    tcase_add_test(tc, password_and_rpcauth);
    tcase_add_test(tc, cookie_file);
    tcase_add_test(tc, allow_list);
    tcase_add_test(tc, endpoints);
    tcase_add_test(tc, log_filters);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
