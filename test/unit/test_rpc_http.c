/* test_rpc_http.c — the JSON-RPC port's HTTP/1.1 layer: the head parser
 * (strictness, limits, keep-alive rules, input split anywhere), connections
 * over a socketpair on a real event loop (pipelining, byte-by-byte input,
 * replies given later, refusals, 413, 100-continue, closing, idle time-out),
 * and the loop reads of job.h (a state read runs on an idle loop, and on a
 * busy one while reads are cheap; slow ones send it back to the workers). */
#include <check.h>
#include <errno.h>
#include <event2/event.h>
#include <event2/thread.h>
#include <jansson.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "rpc/dispatch.h"
#include "rpc/http_conn.h"
#include "rpc/http_parse.h"
#include "rpc/job.h"
#include "util/err.h"

/* ---- parser ------------------------------------------------------------------ */

static int parse_str(const char *req, struct http_head *h, char *buf, size_t cap)
{
    size_t n = strlen(req);
    ck_assert_uint_lt(n, cap);
    memcpy(buf, req, n + 1);
    struct http_parser p = {0};
    return http_parse_head(&p, buf, n, h);
}

START_TEST(parses_a_post_with_its_fields)
{
    char buf[1024];
    struct http_head h;
    const char *req = "POST /any/path?x=1 HTTP/1.1\r\nHost: x\r\n"
                      "content-type:   application/json; charset=utf-8  \r\n"
                      "Authorization: Basic dTpw\r\nOrigin: https://a.example\r\n"
                      "Content-Length: 17\r\n\r\n{\"jsonrpc\":\"2.0\"}";
    ck_assert_int_eq(parse_str(req, &h, buf, sizeof buf), 0);
    ck_assert_int_eq(h.method, HTTP_METHOD_POST);
    ck_assert_uint_eq(h.minor, 1);
    ck_assert(h.keep_alive);
    ck_assert(h.has_length);
    ck_assert_uint_eq(h.length, 17);
    ck_assert_str_eq(h.content_type, "application/json; charset=utf-8");
    ck_assert_str_eq(h.authorization, "Basic dTpw");
    ck_assert_str_eq(h.origin, "https://a.example");
    ck_assert_uint_eq(h.head_len, strlen(req) - 17);
    ck_assert(!h.expect_continue);
}
END_TEST

START_TEST(head_split_anywhere_needs_more_then_parses)
{
    const char *req = "\r\nPOST / HTTP/1.1\r\nContent-Type: application/json\r\n"
                      "Content-Length: 2\r\n\r\n{}";
    size_t total = strlen(req), head = total - 2;
    char buf[256];
    struct http_parser p = {0};
    struct http_head h;
    for (size_t n = 0; n < head; n++) {
        memcpy(buf, req, n);
        ck_assert_msg(http_parse_head(&p, buf, n, &h) == HTTP_PARSE_MORE, "prefix %zu", n);
    }
    memcpy(buf, req, total);
    ck_assert_int_eq(http_parse_head(&p, buf, head, &h), 0);
    ck_assert_uint_eq(h.head_len, head);
    ck_assert_uint_eq(h.length, 2);
    ck_assert_str_eq(h.content_type, "application/json");
}
END_TEST

START_TEST(keep_alive_follows_the_version_and_connection)
{
    static const struct {
        const char *req;
        bool keep;
    } cases[] = {
        {"GET / HTTP/1.1\r\n\r\n", true},
        {"GET / HTTP/1.1\r\nConnection: close\r\n\r\n", false},
        {"GET / HTTP/1.1\r\nConnection: Upgrade, CLOSE\r\n\r\n", false},
        {"GET / HTTP/1.0\r\n\r\n", false},
        {"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", true},
        {"GET / HTTP/1.0\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n", false},
    };
    char buf[256];
    struct http_head h;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ck_assert_int_eq(parse_str(cases[i].req, &h, buf, sizeof buf), 0);
        ck_assert_msg(h.keep_alive == cases[i].keep, "case %zu", i);
    }
    ck_assert_int_eq(parse_str("GET / HTTP/1.0\r\n\r\n", &h, buf, sizeof buf), 0);
    ck_assert_uint_eq(h.minor, 0);
    ck_assert_int_eq(h.method, HTTP_METHOD_GET);
    ck_assert_int_eq(parse_str("BREW / HTTP/1.1\r\n\r\n", &h, buf, sizeof buf), 0);
    ck_assert_int_eq(h.method, HTTP_METHOD_OTHER);
}
END_TEST

START_TEST(bad_heads_get_their_status)
{
    static const struct {
        const char *req;
        int status;
    } cases[] = {
        {"POST / HTTP/1.1\nContent-Length: 0\r\n\r\n", 400},            /* bare LF */
        {"POST / HTTP/1.1\r\nContent-Length: 0\rX: y\r\n\r\n", 400},    /* bare CR */
        {"POST / HTTP/1.1\r\nX: a\r\n  folded\r\nContent-Length: 0\r\n\r\n", 400},
        {"POST / HTTP/1.1\r\nContent-Length : 0\r\n\r\n", 400},         /* blank before colon */
        {"POST / HTTP/1.1\r\nNo colon here\r\n\r\n", 400},
        {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 411},
        {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", 400},
        {"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400},
        {"POST / HTTP/1.1\r\nContent-Length: 1 2\r\n\r\n", 400},
        {"POST / HTTP/1.1\r\nContent-Length: 0x10\r\n\r\n", 400},
        {"POST / HTTP/1.1\r\nContent-Length: 12345678901234567890\r\n\r\n", 400},
        {"POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", 400},
        {"POST / HTTP/1.1\r\nContent-Length: \r\n\r\n", 400},
        {"POST / HTTP/1.1\r\n\r\n", 411},                                /* POST without length */
        {"POST / HTTP/2.0\r\nContent-Length: 0\r\n\r\n", 505},
        {"POST / HTTP/1.2\r\nContent-Length: 0\r\n\r\n", 505},
        {"POST / HTTPS/1.1\r\nContent-Length: 0\r\n\r\n", 400},
        {"POST / HTTP/1.1 \r\nContent-Length: 0\r\n\r\n", 400},
        {"post / HTTP/1.1\r\nContent-Length: 0\r\n\r\n", 400},
        {"POST  / HTTP/1.1\r\nContent-Length: 0\r\n\r\n", 400},          /* empty target */
        {"POST /\x01 HTTP/1.1\r\nContent-Length: 0\r\n\r\n", 400},
        {"POST / HTTP/1.1\r\nX: a\x7f\r\nContent-Length: 0\r\n\r\n", 400},
        {"POST / HTTP/1.1\r\nExpect: 200-ok\r\nContent-Length: 0\r\n\r\n", 417},
        {"POST / HTTP/1.1\r\nAuthorization: a\r\nAuthorization: b\r\nContent-Length: 0\r\n\r\n",
         400},
        {"POST / HTTP/1.1\r\nOrigin: a\r\nOrigin: a\r\nContent-Length: 0\r\n\r\n", 400},
        {"\n\r\n", 400},
        {"\r\r\n", 400},
    };
    char buf[256];
    struct http_head h;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = parse_str(cases[i].req, &h, buf, sizeof buf);
        ck_assert_msg(rc == ERR_DECODE && h.status == cases[i].status, "case %zu: rc %d status %d",
                      i, rc, h.status);
    }
    /* A NUL inside a value (the string helpers above cannot carry it). */
    char nul[] = "POST / HTTP/1.1\r\nX: a\0b\r\nContent-Length: 0\r\n\r\n";
    struct http_parser p = {0};
    ck_assert_int_eq(http_parse_head(&p, nul, sizeof nul - 1, &h), ERR_DECODE);
    ck_assert_int_eq(h.status, 400);
    /* Equal repeated lengths are one length. */
    ck_assert_int_eq(parse_str("POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n",
                               &h, buf, sizeof buf), 0);
    ck_assert_uint_eq(h.length, 3);
}
END_TEST

START_TEST(head_limits_are_431)
{
    char *buf = malloc(HTTP_HEAD_MAX + 4096);
    ck_assert_ptr_nonnull(buf);
    struct http_parser p = {0};
    struct http_head h;
    /* No blank line within the limit. */
    size_t n = (size_t)sprintf(buf, "POST / HTTP/1.1\r\nX: ");
    memset(buf + n, 'a', HTTP_HEAD_MAX);
    ck_assert_int_eq(http_parse_head(&p, buf, HTTP_HEAD_MAX - 1, &h), HTTP_PARSE_MORE);
    ck_assert_int_eq(http_parse_head(&p, buf, HTTP_HEAD_MAX + 10, &h), ERR_DECODE);
    ck_assert_int_eq(h.status, 431);
    /* Too many fields, each short. */
    n = (size_t)sprintf(buf, "POST / HTTP/1.1\r\n");
    for (int i = 0; i <= HTTP_FIELDS_MAX; i++)
        n += (size_t)sprintf(buf + n, "X%d: y\r\n", i);
    n += (size_t)sprintf(buf + n, "Content-Length: 0\r\n\r\n");
    http_parser_reset(&p);
    ck_assert_int_eq(http_parse_head(&p, buf, n, &h), ERR_DECODE);
    ck_assert_int_eq(h.status, 431);
    /* Empty lines before the request line count towards the limit. */
    for (size_t i = 0; i + 1 < HTTP_HEAD_MAX + 4; i += 2)
        memcpy(buf + i, "\r\n", 2);
    http_parser_reset(&p);
    ck_assert_int_eq(http_parse_head(&p, buf, HTTP_HEAD_MAX + 4, &h), ERR_DECODE);
    ck_assert_int_eq(h.status, 431);
    free(buf);
}
END_TEST

/* ---- connections ---------------------------------------------------------------- */

struct fake {
    struct event_base *base;
    struct http_conn_set set;
    int client;                 /* our end of the socketpair */
    bool hold;                  /* keep requests for a later reply */
    struct http_conn *held;
    char held_body[256];
    size_t held_len;
    int requests, heads, closes;
    char in[65536];             /* what the client received */
    size_t in_len;
    bool client_eof;
};

static void f_on_head(void *arg, struct http_conn *c, const struct http_head *h)
{
    struct fake *f = arg;
    f->heads++;
    if (h->method != HTTP_METHOD_POST)
        http_conn_reply(c, 405, "Allow: POST\r\n", NULL, 0, NULL, NULL);
}

static void f_on_request(void *arg, struct http_conn *c, const struct http_head *h,
                         const char *body, size_t len)
{
    struct fake *f = arg;
    f->requests++;
    if (f->hold) {
        ck_assert_ptr_null(f->held);
        ck_assert_uint_lt(len, sizeof f->held_body);
        memcpy(f->held_body, body, len);
        f->held_len = len;
        f->held = c;
        return;
    }
    http_conn_reply(c, 200, "Content-Type: application/json\r\n", body, len, NULL, NULL);
}

static void f_on_close(void *arg)
{
    struct fake *f = arg;
    f->closes++;
}

static const struct http_conn_ops fake_ops = {f_on_head, f_on_request, f_on_close};

static void fake_start_idle(struct fake *f, size_t max_body, unsigned idle);

static void fake_start(struct fake *f, size_t max_body)
{
    fake_start_idle(f, max_body, 60);
}

static void fake_start_idle(struct fake *f, size_t max_body, unsigned idle)
{
    memset(f, 0, sizeof *f);
    f->base = event_base_new();
    ck_assert_ptr_nonnull(f->base);
    http_conn_set_init(&f->set, f->base, &fake_ops, f, max_body, idle);
    int sv[2];
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
    f->client = sv[0];
    struct sockaddr_storage ss = {0};
    ss.ss_family = AF_UNIX;
    struct http_conn *c;
    ck_assert_int_eq(http_conn_new(&f->set, sv[1], (struct sockaddr *)&ss, sizeof ss, &c), 0);
}

static void fake_stop(struct fake *f)
{
    http_conn_set_close_all(&f->set);
    close(f->client);
    event_base_free(f->base);
}

/* Runs the loop a few times and collects what the client can read. */
static void pump(struct fake *f)
{
    for (int i = 0; i < 20; i++) {
        event_base_loop(f->base, EVLOOP_NONBLOCK);
        for (;;) {
            ssize_t n = recv(f->client, f->in + f->in_len, sizeof f->in - 1 - f->in_len, 0);
            if (n > 0) {
                f->in_len += (size_t)n;
                continue;
            }
            if (n == 0)
                f->client_eof = true;
            break;
        }
        f->in[f->in_len] = 0;
    }
}

static void send_all(struct fake *f, const char *s, size_t n)
{
    ck_assert_int_eq(send(f->client, s, n, 0), (ssize_t)n);
}

static void send_str(struct fake *f, const char *s)
{
    send_all(f, s, strlen(s));
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
        n++;
    return n;
}

static size_t post(char *buf, size_t cap, const char *body)
{
    return (size_t)snprintf(buf, cap,
                            "POST / HTTP/1.1\r\nContent-Type: application/json\r\n"
                            "Content-Length: %zu\r\n\r\n%s",
                            strlen(body), body);
}

START_TEST(pipelined_requests_are_answered_in_order)
{
    struct fake f;
    fake_start(&f, 1024);
    char all[1024];
    size_t n = 0;
    n += post(all + n, sizeof all - n, "{\"id\":1}");
    n += post(all + n, sizeof all - n, "{\"id\":22}");
    n += post(all + n, sizeof all - n, "{\"id\":333}");
    send_all(&f, all, n);
    pump(&f);
    ck_assert_int_eq(f.requests, 3);
    ck_assert_int_eq(count(f.in, "HTTP/1.1 200 OK\r\n"), 3);
    char *a = strstr(f.in, "{\"id\":1}"), *b = strstr(f.in, "{\"id\":22}"),
         *c = strstr(f.in, "{\"id\":333}");
    ck_assert(a && b && c && a < b && b < c);
    ck_assert(strstr(f.in, "Content-Length: 9\r\n"));
    ck_assert(!f.client_eof);
    ck_assert_int_eq(f.closes, 0);
    fake_stop(&f);
}
END_TEST

START_TEST(a_request_sent_byte_by_byte_is_served_once)
{
    struct fake f;
    fake_start(&f, 1024);
    char req[512];
    size_t n = post(req, sizeof req, "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"x\"}");
    for (size_t i = 0; i < n; i++) {
        send_all(&f, req + i, 1);
        event_base_loop(f.base, EVLOOP_NONBLOCK);
        ck_assert_int_eq(f.requests, i + 1 == n ? 1 : 0);
    }
    pump(&f);
    ck_assert_int_eq(count(f.in, "HTTP/1.1 200 OK\r\n"), 1);
    ck_assert(strstr(f.in, "\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"x\"}"));
    fake_stop(&f);
}
END_TEST

START_TEST(a_later_reply_holds_back_the_next_request)
{
    struct fake f;
    fake_start(&f, 1024);
    f.hold = true;
    char all[1024];
    size_t n = post(all, sizeof all, "[1]");
    n += post(all + n, sizeof all - n, "[2]");
    send_all(&f, all, n);
    pump(&f);
    ck_assert_int_eq(f.requests, 1);
    ck_assert_uint_eq(f.in_len, 0);
    struct http_conn *c = f.held;
    f.held = NULL;
    http_conn_reply(c, 200, NULL, "[1]", 3, NULL, NULL);  /* the second is held in turn */
    pump(&f);
    ck_assert_int_eq(f.requests, 2);
    ck_assert_int_eq(count(f.in, "200 OK"), 1);
    c = f.held;
    f.held = NULL;
    http_conn_reply(c, 200, NULL, f.held_body, f.held_len, NULL, NULL);
    pump(&f);
    ck_assert_int_eq(count(f.in, "200 OK"), 2);
    ck_assert(strstr(f.in, "[1]") < strstr(f.in, "[2]"));
    fake_stop(&f);
}
END_TEST

static int sent_calls;

static void on_sent(void *arg)
{
    sent_calls++;
}

START_TEST(a_client_gone_before_the_reply_is_dropped_safely)
{
    struct fake f;
    fake_start(&f, 1024);
    f.hold = true;
    char req[256];
    send_all(&f, req, post(req, sizeof req, "{}"));
    pump(&f);
    ck_assert_ptr_nonnull(f.held);
    shutdown(f.client, SHUT_RDWR);
    close(f.client);
    f.client = socket(AF_UNIX, SOCK_STREAM, 0);     /* keeps fake_stop simple */
    for (int i = 0; i < 5; i++)
        event_base_loop(f.base, EVLOOP_NONBLOCK);
    sent_calls = 0;
    http_conn_reply(f.held, 200, NULL, "{}", 2, on_sent, NULL);
    ck_assert_int_eq(sent_calls, 1);
    ck_assert_int_eq(f.closes, 1);
    ck_assert_ptr_null(f.set.head);     /* freed once answered */
    fake_stop(&f);
}
END_TEST

START_TEST(refused_heads_skip_their_body_and_keep_the_connection)
{
    struct fake f;
    fake_start(&f, 1024);
    char all[512];
    size_t n = (size_t)snprintf(all, sizeof all, "PUT / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello");
    n += post(all + n, sizeof all - n, "{}");
    send_all(&f, all, n);
    pump(&f);
    ck_assert_int_eq(f.heads, 2);
    ck_assert_int_eq(f.requests, 1);
    ck_assert(strstr(f.in, "HTTP/1.1 405 Method Not Allowed\r\n"));
    ck_assert(strstr(f.in, "Allow: POST\r\n"));
    ck_assert(strstr(f.in, "200 OK"));
    ck_assert(!f.client_eof);
    fake_stop(&f);
}
END_TEST

START_TEST(a_body_over_the_limit_gets_413_and_a_close)
{
    struct fake f;
    fake_start(&f, 16);
    char req[256];
    send_all(&f, req, post(req, sizeof req, "{\"too\":\"long for 16\"}"));
    pump(&f);
    ck_assert_int_eq(f.requests, 0);
    ck_assert(strstr(f.in, "HTTP/1.1 413 Payload Too Large\r\n"));
    ck_assert(strstr(f.in, "Connection: close\r\n"));
    /* Our side is shut: the client sees the end once it stops sending. */
    shutdown(f.client, SHUT_WR);
    pump(&f);
    ck_assert(f.client_eof);
    ck_assert_int_eq(f.closes, 1);
    fake_stop(&f);
}
END_TEST

START_TEST(expect_100_continue_gets_its_interim_reply)
{
    struct fake f;
    fake_start(&f, 1024);
    send_str(&f, "POST / HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
                 "Expect: 100-continue\r\n\r\n");
    pump(&f);
    ck_assert_str_eq(f.in, "HTTP/1.1 100 Continue\r\n\r\n");
    send_str(&f, "{}");
    pump(&f);
    ck_assert(strstr(f.in, "200 OK"));
    ck_assert_int_eq(f.requests, 1);
    fake_stop(&f);
}
END_TEST

START_TEST(connection_close_and_http10_rules)
{
    struct fake f;
    fake_start(&f, 1024);
    send_str(&f, "POST / HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\n{}");
    pump(&f);
    ck_assert(strstr(f.in, "Connection: keep-alive\r\n"));
    ck_assert(!f.client_eof);
    f.in_len = 0;
    send_str(&f, "POST / HTTP/1.1\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}"
                 "POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}");
    pump(&f);
    ck_assert_int_eq(count(f.in, "200 OK"), 1);     /* nothing after the close */
    ck_assert(strstr(f.in, "Connection: close\r\n"));
    shutdown(f.client, SHUT_WR);
    pump(&f);
    ck_assert(f.client_eof);
    ck_assert_int_eq(f.requests, 2);
    fake_stop(&f);

    fake_start(&f, 1024);
    send_str(&f, "POST / HTTP/1.0\r\nContent-Length: 2\r\n\r\n{}");
    pump(&f);
    ck_assert(strstr(f.in, "Connection: close\r\n"));
    shutdown(f.client, SHUT_WR);
    pump(&f);
    ck_assert(f.client_eof);
    fake_stop(&f);
}
END_TEST

START_TEST(a_bad_head_is_answered_and_closed)
{
    struct fake f;
    fake_start(&f, 1024);
    send_str(&f, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n");
    pump(&f);
    ck_assert(strstr(f.in, "HTTP/1.1 411 Length Required\r\n"));
    ck_assert(strstr(f.in, "Connection: close\r\n"));
    ck_assert_int_eq(f.requests, 0);
    pump(&f);
    ck_assert(f.client_eof || f.closes == 0);   /* lingering until the client is done */
    shutdown(f.client, SHUT_WR);
    pump(&f);
    ck_assert(f.client_eof);
    fake_stop(&f);
}
END_TEST

START_TEST(a_client_that_stops_writing_still_gets_its_answers)
{
    struct fake f;
    fake_start(&f, 1024);
    char all[512];
    size_t n = post(all, sizeof all, "[1]");
    n += post(all + n, sizeof all - n, "[2]");
    send_all(&f, all, n);
    shutdown(f.client, SHUT_WR);
    pump(&f);
    ck_assert_int_eq(count(f.in, "200 OK"), 2);
    ck_assert(f.client_eof);
    ck_assert_int_eq(f.closes, 1);
    fake_stop(&f);
}
END_TEST

START_TEST(a_slow_or_idle_client_is_closed_after_the_idle_time)
{
    struct fake f;
    fake_start_idle(&f, 1024, 1);
    char req[256];
    send_all(&f, req, post(req, sizeof req, "{}"));
    pump(&f);
    ck_assert_int_eq(f.requests, 1);
    /* Part of a head, then nothing: the request never completes. */
    send_str(&f, "POST / HTTP/1.1\r\nContent-");
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    do {
        struct timeval tv = {0, 100000};
        event_base_loopexit(f.base, &tv);
        event_base_dispatch(f.base);
        pump(&f);
        clock_gettime(CLOCK_MONOTONIC, &t);
    } while (!f.client_eof && t.tv_sec - t0.tv_sec < 5);
    ck_assert(f.client_eof);
    ck_assert_int_eq(f.closes, 1);
    ck_assert_int_eq(f.requests, 1);
    fake_stop(&f);
}
END_TEST

/* ---- loop reads (job.h) ----------------------------------------------------------- */

static pthread_t ran_on;
static unsigned read_sleep_us;

static json_t *fake_balance(const json_t *params, struct rpc_ctx *ctx)
{
    ran_on = pthread_self();
    if (read_sleep_us) {
        struct timespec ts = {0, (long)read_sleep_us * 1000};
        nanosleep(&ts, NULL);
    }
    return json_string("0x1");
}

/* Flagged as the real method is, which is what makes it a loop read. */
static const struct rpc_method read_methods[] = {
    {.name = "eth_getBalance", .fn = fake_balance, .flags = RPC_PUBLIC | RPC_LOOP_READ,
     .summary = "", .result = ""},
};
static const struct rpc_namespace read_ns = {"eth", read_methods, 1, false};

struct lr {
    struct event_base *base;
    struct rpc_registry *reg;
    struct rpc_env env;
    struct rpc_host host;
    bool called;
    int status;
};

static void lr_reply(void *target, int status, char *body, size_t len, unsigned after)
{
    struct lr *l = target;
    l->called = true;
    l->status = status;
    free(body);
    event_base_loopbreak(l->base);
}

static void lr_init(struct lr *l)
{
    memset(l, 0, sizeof *l);
    l->base = event_base_new();
    const struct rpc_namespace *list[] = {&read_ns};
    ck_assert_int_eq(rpc_registry_new(list, 1, NULL, 0, &l->reg), 0);
    l->env.registry = l->reg;
    ck_assert_int_eq(rpc_host_init(&l->host, l->base, &l->env, 2, 100, 30), 0);
}

static void lr_free(struct lr *l)
{
    rpc_host_shutdown(&l->host);
    rpc_registry_free(l->reg);
    event_base_free(l->base);
}

/* Submits body; returns true when it was answered before submit returned
 * (on the loop), after waiting for the answer either way. */
static bool lr_submit(struct lr *l, const char *body)
{
    l->called = false;
    rpc_host_submit(&l->host, strdup(body), strlen(body), false, RPC_TRANSPORT_HTTP, NULL,
                    lr_reply, l);
    bool at_once = l->called;
    if (!l->called)
        event_base_loop(l->base, EVLOOP_NO_EXIT_ON_EMPTY);
    ck_assert(l->called);
    ck_assert_int_eq(l->status, 200);
    event_base_loop(l->base, EVLOOP_NONBLOCK);     /* what the break left active */
    return at_once;
}

static const char one_read[] =
    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_getBalance\",\"params\":[\"0x00\"]}";

static void nothing(evutil_socket_t fd, short what, void *arg)
{
}

START_TEST(state_reads_run_on_the_loop_while_cheap)
{
    struct lr l;
    lr_init(&l);
    read_sleep_us = 0;
    ck_assert(lr_submit(&l, one_read));
    ck_assert(pthread_equal(ran_on, pthread_self()));
    /* A batch goes to a worker. */
    char batch[256];
    snprintf(batch, sizeof batch, "[%s,%s]", one_read, one_read);
    ck_assert(!lr_submit(&l, batch));
    ck_assert(!pthread_equal(ran_on, pthread_self()));
    /* Another event waiting for the loop, reads cheap: still the loop. */
    struct event *ev = event_new(l.base, -1, 0, nothing, NULL);
    event_active(ev, EV_READ, 0);
    ck_assert(lr_submit(&l, one_read));
    ck_assert(pthread_equal(ran_on, pthread_self()));
    /* Reads dearer than RPC_LOOP_READ_BUSY_US (yet within the budget):
     * on an idle loop they stay there and raise the average... */
    read_sleep_us = 4 * RPC_LOOP_READ_BUSY_US;
    for (int i = 0; i < 12; i++)
        ck_assert(lr_submit(&l, one_read));
    /* ... so that with another event waiting they go to a worker, but for
     * one probe per RPC_LOOP_READ_PROBE_MS. */
    event_active(ev, EV_READ, 0);
    bool first_on_loop = lr_submit(&l, one_read);
    event_active(ev, EV_READ, 0);
    ck_assert(!lr_submit(&l, one_read) || !first_on_loop);
    event_active(ev, EV_READ, 0);
    ck_assert(!lr_submit(&l, one_read));
    ck_assert(!pthread_equal(ran_on, pthread_self()));
    event_free(ev);
    ck_assert(lr_submit(&l, one_read));     /* idle again: the loop */
    lr_free(&l);
}
END_TEST

START_TEST(slow_loop_reads_go_back_to_the_workers)
{
    struct lr l;
    lr_init(&l);
    read_sleep_us = RPC_LOOP_READ_BUDGET_US + 1000;
    for (int i = 0; i < RPC_LOOP_READ_STRIKES; i++)
        ck_assert_msg(lr_submit(&l, one_read), "slow read %d still on the loop", i);
    ck_assert(!lr_submit(&l, one_read));
    ck_assert(!pthread_equal(ran_on, pthread_self()));
    read_sleep_us = 0;
    ck_assert(!lr_submit(&l, one_read));     /* paused for a while */
    lr_free(&l);
}
END_TEST

int main(void)
{
    evthread_use_pthreads();
    Suite *s = suite_create("rpc_http");
    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, parses_a_post_with_its_fields);
    tcase_add_test(tc, head_split_anywhere_needs_more_then_parses);
    tcase_add_test(tc, keep_alive_follows_the_version_and_connection);
    tcase_add_test(tc, bad_heads_get_their_status);
    tcase_add_test(tc, head_limits_are_431);
    suite_add_tcase(s, tc);
    tc = tcase_create("conn");
    tcase_add_test(tc, pipelined_requests_are_answered_in_order);
    tcase_add_test(tc, a_request_sent_byte_by_byte_is_served_once);
    tcase_add_test(tc, a_later_reply_holds_back_the_next_request);
    tcase_add_test(tc, a_client_gone_before_the_reply_is_dropped_safely);
    tcase_add_test(tc, refused_heads_skip_their_body_and_keep_the_connection);
    tcase_add_test(tc, a_body_over_the_limit_gets_413_and_a_close);
    tcase_add_test(tc, expect_100_continue_gets_its_interim_reply);
    tcase_add_test(tc, connection_close_and_http10_rules);
    tcase_add_test(tc, a_bad_head_is_answered_and_closed);
    tcase_add_test(tc, a_client_that_stops_writing_still_gets_its_answers);
    tcase_add_test(tc, a_slow_or_idle_client_is_closed_after_the_idle_time);
    suite_add_tcase(s, tc);
    tc = tcase_create("loop reads");
    tcase_add_test(tc, state_reads_run_on_the_loop_while_cheap);
    tcase_add_test(tc, slow_loop_reads_go_back_to_the_workers);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
