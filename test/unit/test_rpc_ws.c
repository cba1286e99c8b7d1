/*
 * test_rpc_ws.c — the WebSocket protocol (rpc/wsproto.h): the accept key,
 * frame headers, the reader (RFC 6455 §5.7's examples, fragmentation,
 * control frames between fragments, every violation a server must catch,
 * byte-by-byte arrival), UTF-8 validation and handshake parsing.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpc/wsproto.h"

static struct ws_reader server(size_t max, size_t frags)
{
    struct ws_reader r;
    ws_reader_init(&r, max, frags, true);
    return r;
}

/* Builds a masked client frame into out; returns its length. */
static size_t client_frame(uint8_t *out, int op, bool fin, const void *payload, size_t n)
{
    static const uint8_t mask[4] = {0x37, 0xfa, 0x21, 0x3d};
    size_t h = ws_frame_header(out, op, fin, n, mask);
    ws_mask(out + h, payload, n, mask, 0);
    return h + n;
}

START_TEST(accept_key_rfc6455)
{
    /* RFC 6455 §1.3 */
    char out[WS_ACCEPT_SIZE];
    ck_assert_int_eq(ws_accept_key("dGhlIHNhbXBsZSBub25jZQ==", out), 0);
    ck_assert_str_eq(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}
END_TEST

START_TEST(frame_headers)
{
    uint8_t h[WS_HEADER_MAX];
    const struct {
        uint64_t len;
        size_t size;
    } cases[] = {{0, 2}, {125, 2}, {126, 4}, {65535, 4}, {65536, 10}, {1ull << 40, 10}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ck_assert_uint_eq(ws_frame_header(h, WS_OP_TEXT, true, cases[i].len, NULL), cases[i].size);
        ck_assert_uint_eq(h[0], 0x81);
        ck_assert_uint_eq(ws_frame_total(h, cases[i].size), cases[i].size + cases[i].len);
        ck_assert_uint_eq(ws_frame_total(h, cases[i].size - 1), 0);
    }
    const uint8_t mask[4] = {1, 2, 3, 4};
    ck_assert_uint_eq(ws_frame_header(h, WS_OP_BINARY, false, 5, mask), 6);
    ck_assert_uint_eq(h[0], 0x02);
    ck_assert_uint_eq(h[1], 0x85);
    ck_assert(memcmp(h + 2, mask, 4) == 0);
}
END_TEST

START_TEST(rfc6455_examples)
{
    size_t used;
    /* §5.7: a single-frame masked text message "Hello" */
    static const uint8_t masked[] = {0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f,
                                     0x9f, 0x4d, 0x51, 0x58};
    struct ws_reader r = server(1024, 8);
    ck_assert_int_eq(ws_read(&r, masked, sizeof masked, &used), WS_MESSAGE);
    ck_assert_uint_eq(used, sizeof masked);
    ck_assert_int_eq(r.msg_opcode, WS_OP_TEXT);
    ck_assert_uint_eq(r.msg.len, 5);
    ck_assert(memcmp(r.msg.data, "Hello", 5) == 0);
    /* the unmasked version is refused by a server... */
    static const uint8_t plain[] = {0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f};
    ck_assert_int_eq(ws_read(&r, plain, sizeof plain, &used), -WS_CLOSE_PROTOCOL);
    ws_reader_free(&r);

    /* ...and read by a client: a fragmented unmasked text message */
    struct ws_reader c;
    ws_reader_init(&c, 1024, 8, false);
    static const uint8_t f1[] = {0x01, 0x03, 0x48, 0x65, 0x6c};
    static const uint8_t f2[] = {0x80, 0x02, 0x6c, 0x6f};
    ck_assert_int_eq(ws_read(&c, f1, sizeof f1, &used), WS_FRAGMENT);
    ck_assert_int_eq(ws_read(&c, f2, sizeof f2, &used), WS_MESSAGE);
    ck_assert(c.msg.len == 5 && memcmp(c.msg.data, "Hello", 5) == 0);
    /* unmasked ping "Hello" */
    static const uint8_t ping[] = {0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f};
    ck_assert_int_eq(ws_read(&c, ping, sizeof ping, &used), WS_PING);
    ck_assert(c.control_len == 5 && memcmp(c.control, "Hello", 5) == 0);
    /* 256 bytes and 64 KiB binary messages (16- and 64-bit lengths) */
    uint8_t *big = calloc(1, 10 + 65536);
    big[0] = 0x82;
    big[1] = 0x7e;
    big[2] = 0x01;
    big[3] = 0x00;
    ck_assert_int_eq(ws_read(&c, big, 4 + 256, &used), WS_MESSAGE);
    ck_assert_uint_eq(c.msg.len, 256);
    static const uint8_t len64[] = {0x82, 0x7f, 0, 0, 0, 0, 0, 1, 0, 0};
    memcpy(big, len64, sizeof len64);
    ck_assert_int_eq(ws_read(&c, big, 10, &used), -WS_CLOSE_TOO_BIG);  /* over 1024: header */
    ws_reader_free(&c);
    ws_reader_init(&c, 1u << 17, 8, false);
    ck_assert_int_eq(ws_read(&c, big, 10 + 65535, &used), WS_NEED_MORE);
    ck_assert_int_eq(ws_read(&c, big, 10 + 65536, &used), WS_MESSAGE);
    ck_assert_uint_eq(c.msg.len, 65536);
    free(big);
    ws_reader_free(&c);
}
END_TEST

START_TEST(fragments_and_control_frames)
{
    uint8_t buf[4096];
    size_t used;
    struct ws_reader r = server(64, 4);
    size_t n = client_frame(buf, WS_OP_TEXT, false, "{\"a\":", 5);
    ck_assert_int_eq(ws_read(&r, buf, n, &used), WS_FRAGMENT);
    n = client_frame(buf, WS_OP_PING, true, "p", 1);
    ck_assert_int_eq(ws_read(&r, buf, n, &used), WS_PING);     /* between fragments */
    n = client_frame(buf, WS_OP_PONG, true, "", 0);
    ck_assert_int_eq(ws_read(&r, buf, n, &used), WS_PONG);
    n = client_frame(buf, WS_OP_CONT, true, "1}", 2);
    ck_assert_int_eq(ws_read(&r, buf, n, &used), WS_MESSAGE);
    ck_assert(r.msg.len == 7 && memcmp(r.msg.data, "{\"a\":1}", 7) == 0);

    /* a data frame while a message is open, a continuation with none */
    n = client_frame(buf, WS_OP_TEXT, false, "a", 1);
    ck_assert_int_eq(ws_read(&r, buf, n, &used), WS_FRAGMENT);
    n = client_frame(buf, WS_OP_TEXT, true, "b", 1);
    ck_assert_int_eq(ws_read(&r, buf, n, &used), -WS_CLOSE_PROTOCOL);
    ws_reader_free(&r);
    r = server(64, 4);
    n = client_frame(buf, WS_OP_CONT, true, "b", 1);
    ck_assert_int_eq(ws_read(&r, buf, n, &used), -WS_CLOSE_PROTOCOL);

    /* limits: message size over all fragments, fragment count */
    char sixty[60];
    memset(sixty, 'x', sizeof sixty);
    n = client_frame(buf, WS_OP_BINARY, false, sixty, 60);
    ck_assert_int_eq(ws_read(&r, buf, n, &used), WS_FRAGMENT);
    n = client_frame(buf, WS_OP_CONT, true, sixty, 5);
    ck_assert_int_eq(ws_read(&r, buf, n, &used), -WS_CLOSE_TOO_BIG);
    ws_reader_free(&r);
    r = server(64, 4);
    for (int i = 0; i < 4; i++) {
        n = client_frame(buf, i ? WS_OP_CONT : WS_OP_TEXT, false, "x", 1);
        ck_assert_int_eq(ws_read(&r, buf, n, &used), WS_FRAGMENT);
    }
    n = client_frame(buf, WS_OP_CONT, true, "x", 1);
    ck_assert_int_eq(ws_read(&r, buf, n, &used), -WS_CLOSE_TOO_BIG);
    ws_reader_free(&r);

    /* a too-big frame is refused from its header alone */
    r = server(64, 4);
    uint8_t hdr[WS_HEADER_MAX];
    const uint8_t mask[4] = {0, 0, 0, 0};
    n = ws_frame_header(hdr, WS_OP_TEXT, true, 1u << 30, mask);
    ck_assert_int_eq(ws_read(&r, hdr, n, &used), -WS_CLOSE_TOO_BIG);
    ws_reader_free(&r);
}
END_TEST

START_TEST(violations)
{
    uint8_t buf[512];
    size_t used, n;
    struct ws_reader r;
    /* RSV bits, reserved opcodes */
    r = server(1024, 8);
    n = client_frame(buf, WS_OP_TEXT, true, "{}", 2);
    buf[0] |= 0x40;
    ck_assert_int_eq(ws_read(&r, buf, n, &used), -WS_CLOSE_PROTOCOL);
    for (int op = 3; op <= 0xf; op++) {
        if (op == WS_OP_CLOSE || op == WS_OP_PING || op == WS_OP_PONG)
            continue;
        n = client_frame(buf, op, true, "{}", 2);
        ck_assert_int_eq(ws_read(&r, buf, n, &used), -WS_CLOSE_PROTOCOL);
    }
    /* control frames: fragmented, longer than 125 */
    n = client_frame(buf, WS_OP_PING, false, "x", 1);
    ck_assert_int_eq(ws_read(&r, buf, n, &used), -WS_CLOSE_PROTOCOL);
    char c126[126];
    memset(c126, 'c', sizeof c126);
    n = client_frame(buf, WS_OP_PING, true, c126, 126);
    ck_assert_int_eq(ws_read(&r, buf, n, &used), -WS_CLOSE_PROTOCOL);
    n = client_frame(buf, WS_OP_PING, true, c126, 125);
    ck_assert_int_eq(ws_read(&r, buf, n, &used), WS_PING);
    /* 64-bit length with the top bit set */
    static const uint8_t huge[] = {0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4};
    ck_assert_int_eq(ws_read(&r, huge, sizeof huge, &used), -WS_CLOSE_PROTOCOL);
    /* text that is not UTF-8 (binary may be anything) */
    n = client_frame(buf, WS_OP_TEXT, true, "\xc0\xaf", 2);
    ck_assert_int_eq(ws_read(&r, buf, n, &used), -WS_CLOSE_BAD_DATA);
    ws_reader_free(&r);
    r = server(1024, 8);
    n = client_frame(buf, WS_OP_BINARY, true, "\xc0\xaf", 2);
    ck_assert_int_eq(ws_read(&r, buf, n, &used), WS_MESSAGE);
    /* a multi-byte character split across fragments is fine */
    n = client_frame(buf, WS_OP_TEXT, false, "\xe2\x82", 2);
    ck_assert_int_eq(ws_read(&r, buf, n, &used), WS_FRAGMENT);
    n = client_frame(buf, WS_OP_CONT, true, "\xac", 1);
    ck_assert_int_eq(ws_read(&r, buf, n, &used), WS_MESSAGE);
    /* close frames */
    n = client_frame(buf, WS_OP_CLOSE, true, "", 0);
    ck_assert_int_eq(ws_read(&r, buf, n, &used), WS_CLOSE);
    ck_assert_uint_eq(r.close_code, WS_CLOSE_NO_STATUS);
    n = client_frame(buf, WS_OP_CLOSE, true, "\x03\xe8" "bye", 5);
    ck_assert_int_eq(ws_read(&r, buf, n, &used), WS_CLOSE);
    ck_assert_uint_eq(r.close_code, 1000);
    n = client_frame(buf, WS_OP_CLOSE, true, "\x03", 1);
    ck_assert_int_eq(ws_read(&r, buf, n, &used), -WS_CLOSE_PROTOCOL);
    /* 1005, 999, 1006, 5000 */
    const char *bad_codes[] = {"\x03\xed", "\x03\xe7", "\x03\xee", "\x13\x88"};
    for (int i = 0; i < 4; i++) {
        n = client_frame(buf, WS_OP_CLOSE, true, bad_codes[i], 2);
        ck_assert_int_eq(ws_read(&r, buf, n, &used), -WS_CLOSE_PROTOCOL);
    }
    n = client_frame(buf, WS_OP_CLOSE, true, "\x0f\xa0", 2);   /* 4000: private use */
    ck_assert_int_eq(ws_read(&r, buf, n, &used), WS_CLOSE);
    n = client_frame(buf, WS_OP_CLOSE, true, "\x03\xe8\xff", 3);
    ck_assert_int_eq(ws_read(&r, buf, n, &used), -WS_CLOSE_BAD_DATA);
    ws_reader_free(&r);
}
END_TEST

START_TEST(byte_by_byte)
{
    uint8_t buf[600];
    char payload[300];
    for (size_t i = 0; i < sizeof payload; i++)
        payload[i] = (char)('a' + i % 26);
    size_t n = client_frame(buf, WS_OP_TEXT, true, payload, sizeof payload);
    struct ws_reader r = server(1024, 8);
    size_t used;
    for (size_t have = 0; have < n; have++)
        ck_assert_int_eq(ws_read(&r, buf, have, &used), WS_NEED_MORE);
    ck_assert_int_eq(ws_read(&r, buf, n, &used), WS_MESSAGE);
    ck_assert_uint_eq(used, n);
    ck_assert(memcmp(r.msg.data, payload, sizeof payload) == 0);
    ws_reader_free(&r);
}
END_TEST

START_TEST(utf8)
{
    const struct {
        const char *s;
        bool ok;
    } cases[] = {
        {"plain ascii", true},     {"\xc3\xa9", true},          {"\xe2\x82\xac", true},
        {"\xf0\x9f\x98\x80", true}, {"\xf4\x8f\xbf\xbf", true}, {"\xc0\xaf", false},
        {"\xe0\x80\xaf", false},   {"\xed\xa0\x80", false},     {"\xf4\x90\x80\x80", false},
        {"\xf8\x88\x80\x80\x80", false}, {"\xe2\x82", false},   {"\x80", false},
        {"\xc3\x28", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        ck_assert_msg(ws_utf8_valid((const uint8_t *)cases[i].s, strlen(cases[i].s)) ==
                          cases[i].ok, "case %zu", i);
}
END_TEST

static void handshake(const char *req, struct ws_handshake *hs)
{
    ws_parse_handshake(req, strlen(req), hs);
}

START_TEST(handshakes)
{
    struct ws_handshake hs;
    /* RFC 6455 §1.2's example */
    handshake("GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\n"
              "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
              "Origin: http://example.com\r\nSec-WebSocket-Protocol: chat, superchat\r\n"
              "Sec-WebSocket-Version: 13\r\n\r\n", &hs);
    ck_assert_int_eq(hs.status, 0);
    ck_assert_str_eq(hs.key, "dGhlIHNhbXBsZSBub25jZQ==");
    ck_assert_str_eq(hs.origin, "http://example.com");
    ck_assert_str_eq(hs.authorization, "");

    /* token lists and case; credentials captured */
    handshake("GET / HTTP/1.1\r\nhost: x\r\nupgrade: WebSocket\r\n"
              "connection: keep-alive, Upgrade\r\n"
              "sec-websocket-key: AAAAAAAAAAAAAAAAAAAAAA==\r\nsec-websocket-version: 13\r\n"
              "Authorization: Basic YTpi\r\n\r\n", &hs);
    ck_assert_int_eq(hs.status, 0);
    ck_assert_str_eq(hs.authorization, "Basic YTpi");

    const struct {
        const char *req;
        int status;
    } bad[] = {
        {"POST / HTTP/1.1\r\nHost: x\r\n\r\n", 405},
        {"GET / HTTP/1.0\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==\r\nSec-WebSocket-Version: 13\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nHost: x\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Version: 13\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Key: AAAA\r\nSec-WebSocket-Version: 13\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==\r\n"
         "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==\r\n"
         "Sec-WebSocket-Version: 13\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==\r\nSec-WebSocket-Version: 8\r\n\r\n", 426},
        {"GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==\r\nSec-WebSocket-Version: 13\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nBad Name: x\r\n\r\n", 400},
        {"GET / HTTP/1.1\r\nHost: x\r\n", 400},
        {"GET /\r\n\r\n", 400},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        handshake(bad[i].req, &hs);
        ck_assert_msg(hs.status == bad[i].status, "case %zu: %d, want %d", i, hs.status,
                      bad[i].status);
        ck_assert(hs.reason != NULL);
    }
    /* a NUL inside, an Origin too long to keep */
    const char withnul[] = "GET / HTTP/1.1\r\nHost: x\0\r\n\r\n";
    ws_parse_handshake(withnul, sizeof withnul - 1, &hs);
    ck_assert_int_eq(hs.status, 400);
    char longer[4096];
    char origin[1200];
    memset(origin, 'o', sizeof origin - 1);
    origin[sizeof origin - 1] = 0;
    snprintf(longer, sizeof longer,
             "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
             "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==\r\nSec-WebSocket-Version: 13\r\n"
             "Origin: %s\r\n\r\n", origin);
    handshake(longer, &hs);
    ck_assert_int_eq(hs.status, 431);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("rpc_ws");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, accept_key_rfc6455);
    tcase_add_test(tc, frame_headers);
    tcase_add_test(tc, rfc6455_examples);
    tcase_add_test(tc, fragments_and_control_frames);
    tcase_add_test(tc, violations);
    tcase_add_test(tc, byte_by_byte);
    tcase_add_test(tc, utf8);
    tcase_add_test(tc, handshakes);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
