/*
 * fuzz_http_parse.c — libFuzzer target for the head parser of the JSON-RPC
 * port (rpc/http_parse.h), which reads every byte a network client sends
 * before anything else does.
 *
 * The input is parsed twice: at once, and as it would arrive from a socket,
 * in pieces whose sizes come from the input itself, with the same parser
 * state carried across the calls. Properties: nothing crashes or reads past
 * the input; the piecewise parse says "more" until it reaches a decision,
 * and that decision (complete with the same head length, or refused with
 * the same status) is the one-shot decision; a complete head lies within
 * the input and HTTP_HEAD_MAX, its values are NUL-terminated inside it, and
 * a refusal carries one of the documented statuses.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rpc/http_parse.h"
#include "util/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_value(const char *v, const char *buf, const struct http_head *h)
{
    if (!v)
        return;
    if (v < buf || v >= buf + h->head_len)
        abort();
    const char *end = memchr(v, 0, (size_t)(buf + h->head_len - v));
    if (!end)
        abort();
}

static void check(int rc, const struct http_head *h, const char *buf, size_t len)
{
    if (rc == 0) {
        if (h->head_len == 0 || h->head_len > len || h->head_len > HTTP_HEAD_MAX)
            abort();
        check_value(h->content_type, buf, h);
        check_value(h->authorization, buf, h);
        check_value(h->origin, buf, h);
        if (h->minor > 1 || (!h->has_length && h->length))
            abort();
    } else if (rc == ERR_DECODE) {
        int st = h->status;
        if (st != 400 && st != 411 && st != 417 && st != 431 && st != 505)
            abort();
    } else if (rc != HTTP_PARSE_MORE) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    /* The first byte seeds the piece sizes; the rest is the stream. */
    uint8_t seed = data[0];
    const char *in = (const char *)data + 1;
    size_t len = size - 1;
    char *a = malloc(len + 1), *b = malloc(len + 1);
    if (!a || !b)
        abort();
    memcpy(a, in, len);
    memcpy(b, in, len);

    struct http_parser p = {0};
    struct http_head one, part;
    int rc = http_parse_head(&p, a, len, &one);
    check(rc, &one, a, len);

    http_parser_reset(&p);
    size_t have = 0;
    int prc = HTTP_PARSE_MORE;
    unsigned step = seed;
    while (have < len) {
        step = step * 1103515245u + 12345u;
        size_t piece = 1 + (step >> 16) % 64;
        have = have + piece < len ? have + piece : len;
        prc = http_parse_head(&p, b, have, &part);
        check(prc, &part, b, have);
        if (prc != HTTP_PARSE_MORE)
            break;
    }
    if (len == 0) {
        prc = http_parse_head(&p, b, 0, &part);
        check(prc, &part, b, 0);
    }
    if (prc != rc)
        abort();
    if (rc == 0 && part.head_len != one.head_len)
        abort();
    if (rc == ERR_DECODE && part.status != one.status)
        abort();
    free(a);
    free(b);
    return 0;
}
