/*
 * http_parse.c — see http_parse.h.
 *
 * Two passes over the head, both bounded by HTTP_HEAD_MAX: first find the
 * blank line (memchr for each LF from where the last call stopped, so a head
 * arriving byte by byte is scanned once), then walk it line by line and
 * check every byte against the grammar. Nothing is allocated. Values are
 * terminated in place, so the server can hand them to functions that take
 * C strings (credentials, origins) without copying.
 */
#include "rpc/http_parse.h"

#include <string.h>
#include <strings.h>

#include "util/err.h"

void http_parser_reset(struct http_parser *p)
{
    p->scanned = 0;
}

const char *http_reason(int status)
{
    switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 411: return "Length Required";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 417: return "Expectation Failed";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Error";
    }
}

static int refuse(struct http_head *h, int status)
{
    h->status = status;
    return ERR_DECODE;
}

/* RFC 9110 tchar. */
static bool is_tchar(unsigned char c)
{
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
        return true;
    return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* A field value byte: HTAB, SP, VCHAR, obs-text. */
static bool is_value_byte(unsigned char c)
{
    return c == '\t' || (c >= 0x20 && c != 0x7f);
}

static bool name_is(const char *name, size_t len, const char *want)
{
    return strlen(want) == len && strncasecmp(name, want, len) == 0;
}

static const struct {
    const char *name;
    enum http_method m;
} methods[] = {
    {"GET", HTTP_METHOD_GET},       {"HEAD", HTTP_METHOD_HEAD},
    {"POST", HTTP_METHOD_POST},     {"PUT", HTTP_METHOD_PUT},
    {"DELETE", HTTP_METHOD_DELETE}, {"OPTIONS", HTTP_METHOD_OPTIONS},
    {"PATCH", HTTP_METHOD_PATCH},
};

/* The request line buf[0..len) (no CRLF). */
static int parse_request_line(const char *buf, size_t len, struct http_head *h)
{
    size_t i = 0;
    while (i < len && buf[i] >= 'A' && buf[i] <= 'Z')
        i++;
    if (i == 0 || i > 16 || i == len || buf[i] != ' ')
        return refuse(h, 400);
    h->method = HTTP_METHOD_OTHER;
    for (size_t k = 0; k < sizeof methods / sizeof methods[0]; k++)
        if (strlen(methods[k].name) == i && memcmp(methods[k].name, buf, i) == 0)
            h->method = methods[k].m;
    size_t t = ++i;
    while (i < len && (unsigned char)buf[i] > 0x20 && (unsigned char)buf[i] < 0x7f)
        i++;
    if (i == t || i == len || buf[i] != ' ')
        return refuse(h, 400);
    i++;
    const char *v = buf + i;
    size_t vl = len - i;
    if (vl != 8 || memcmp(v, "HTTP/", 5) != 0 || v[6] != '.' || v[5] < '0' || v[5] > '9' ||
        v[7] < '0' || v[7] > '9')
        return refuse(h, 400);
    if (v[5] != '1' || (v[7] != '0' && v[7] != '1'))
        return refuse(h, 505);
    h->minor = (unsigned)(v[7] - '0');
    return 0;
}

static int parse_length(const char *v, uint64_t *out)
{
    size_t n = strlen(v);
    if (n == 0 || n > 19)
        return -1;
    uint64_t x = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9')
            return -1;
        x = x * 10 + (uint64_t)(v[i] - '0');
    }
    *out = x;
    return 0;
}

/* The comma-separated tokens of a Connection value. */
static void connection_tokens(const char *v, bool *close, bool *keep)
{
    while (*v) {
        while (*v == ' ' || *v == '\t' || *v == ',')
            v++;
        const char *s = v;
        while (*v && *v != ',' && *v != ' ' && *v != '\t')
            v++;
        size_t n = (size_t)(v - s);
        if (n == 5 && strncasecmp(s, "close", 5) == 0)
            *close = true;
        else if (n == 10 && strncasecmp(s, "keep-alive", 10) == 0)
            *keep = true;
    }
}

int http_parse_head(struct http_parser *p, char *buf, size_t len, struct http_head *h)
{
    memset(h, 0, sizeof *h);
    /* Leading empty lines. */
    size_t start = 0;
    while (start < len && buf[start] == '\r') {
        if (start + 1 == len)
            return HTTP_PARSE_MORE;
        if (buf[start + 1] != '\n')
            return refuse(h, 400);
        start += 2;
        if (start > HTTP_HEAD_MAX)
            return refuse(h, 431);
    }
    if (start < len && buf[start] == '\n')
        return refuse(h, 400);
    /* The blank line: "\r\n\r\n". Only LFs need looking at. */
    size_t from = p->scanned > start ? p->scanned : start;
    size_t end = 0;
    bool found = false;
    size_t limit = len < HTTP_HEAD_MAX ? len : HTTP_HEAD_MAX;
    while (from < limit) {
        const char *lf = memchr(buf + from, '\n', limit - from);
        if (!lf)
            break;
        size_t at = (size_t)(lf - buf);
        if (at >= start + 3 && buf[at - 1] == '\r' && buf[at - 2] == '\n' && buf[at - 3] == '\r') {
            end = at + 1;
            found = true;
            break;
        }
        from = at + 1;
    }
    if (!found) {
        if (len >= HTTP_HEAD_MAX)
            return refuse(h, 431);
        /* Resume at the last 3 bytes: the terminator may be cut anywhere. */
        p->scanned = len > start + 3 ? len - 3 : start;
        return HTTP_PARSE_MORE;
    }
    h->head_len = end;

    /* Line by line; `end - 2` is the end of the last field line's CRLF. */
    size_t pos = start;
    size_t nfields = 0;
    bool first = true, te = false, conn_close = false, conn_keep = false, expect_bad = false;
    while (pos < end - 2) {
        size_t e = pos;
        while (e < end && buf[e] != '\r' && buf[e] != '\n')
            e++;
        if (e + 1 >= end || buf[e] != '\r' || buf[e + 1] != '\n')
            return refuse(h, 400);
        char *line = buf + pos;
        size_t ll = e - pos;
        pos = e + 2;
        if (first) {
            first = false;
            if (parse_request_line(line, ll, h))
                return ERR_DECODE;
            continue;
        }
        if (ll == 0)
            return refuse(h, 400);     /* cannot happen: the blank line ends the head */
        if (++nfields > HTTP_FIELDS_MAX)
            return refuse(h, 431);
        size_t n = 0;
        while (n < ll && is_tchar((unsigned char)line[n]))
            n++;
        if (n == 0 || n == ll || line[n] != ':')
            return refuse(h, 400);     /* also folding (a line starting with a blank) */
        size_t vs = n + 1;
        while (vs < ll && (line[vs] == ' ' || line[vs] == '\t'))
            vs++;
        size_t ve = ll;
        for (size_t k = vs; k < ll; k++)
            if (!is_value_byte((unsigned char)line[k]))
                return refuse(h, 400);
        while (ve > vs && (line[ve - 1] == ' ' || line[ve - 1] == '\t'))
            ve--;
        line[ve] = '\0';               /* over a blank or the line's CR */
        const char *value = line + vs;
        if (name_is(line, n, "Content-Length")) {
            uint64_t v;
            if (parse_length(value, &v) || (h->has_length && v != h->length))
                return refuse(h, 400);
            h->has_length = true;
            h->length = v;
        } else if (name_is(line, n, "Transfer-Encoding")) {
            te = true;
        } else if (name_is(line, n, "Connection")) {
            connection_tokens(value, &conn_close, &conn_keep);
        } else if (name_is(line, n, "Expect")) {
            if (strcasecmp(value, "100-continue") == 0)
                h->expect_continue = true;
            else
                expect_bad = true;
        } else if (name_is(line, n, "Content-Type")) {
            if (h->content_type)
                return refuse(h, 400);
            h->content_type = value;
        } else if (name_is(line, n, "Authorization")) {
            if (h->authorization)
                return refuse(h, 400);
            h->authorization = value;
        } else if (name_is(line, n, "Origin")) {
            if (h->origin)
                return refuse(h, 400);
            h->origin = value;
        }
    }
    if (first)
        return refuse(h, 400);
    if (te)
        return refuse(h, h->has_length ? 400 : 411);
    if (h->method == HTTP_METHOD_POST && !h->has_length)
        return refuse(h, 411);
    if (expect_bad)
        return refuse(h, 417);
    h->keep_alive = !conn_close && (h->minor == 1 || conn_keep);
    return 0;
}
