/*
 * http_parse.h — a strict, bounded parser for the head of an HTTP/1.x
 * request (request line and header fields), as the JSON-RPC port reads it.
 *
 * The parser is incremental in the only way a connection needs: bytes arrive
 * in pieces, so http_parse_head is called again with the longer buffer until
 * the blank line that ends the head is there; it remembers how far it has
 * already searched (struct http_parser), so a head that trickles in one byte
 * at a time costs linear work. The head is parsed once, in place: the values
 * the server uses become NUL-terminated strings inside the caller's buffer.
 *
 * What it accepts (RFC 9112, with the choices a JSON-RPC endpoint can make):
 *   - any number of empty lines (CRLF) before the request line, within the
 *     head limit;
 *   - "METHOD SP target SP HTTP/1.0|HTTP/1.1" CRLF, method 1..16 upper-case
 *     letters, target visible ASCII (any path: the server ignores it);
 *   - header fields "name: value" CRLF, name a token with no space before the
 *     colon, value visible ASCII, obs-text, spaces and tabs; no line folding;
 *   - lines end with CRLF only: a bare CR or LF, a NUL or another control
 *     byte anywhere in the head is an error;
 *   - a body only by Content-Length (one or more equal values, 1..19
 *     digits).
 * Errors carry the status the server answers with, then closes:
 *   400  malformed head, Content-Length bad or repeated with another value,
 *        Transfer-Encoding together with Content-Length (a smuggling
 *        pattern), a repeated Content-Type, Authorization or Origin
 *   411  Transfer-Encoding (chunked bodies are not read: the client must send
 *        Content-Length) or a POST without Content-Length
 *   417  an Expect other than 100-continue
 *   431  the head is longer than the limit, or has more than HTTP_FIELDS_MAX
 *        fields
 *   505  an HTTP version other than 1.0 and 1.1
 */
#ifndef SPECTRUM_RPC_HTTP_PARSE_H
#define SPECTRUM_RPC_HTTP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HTTP_HEAD_MAX 16384     /* request line + fields + blank line, leading CRLFs included */
#define HTTP_FIELDS_MAX 100
#define HTTP_PARSE_MORE 1       /* http_parse_head: the head is not complete yet */

enum http_method {
    HTTP_METHOD_OTHER,          /* a token we do not know (answered 405) */
    HTTP_METHOD_GET,
    HTTP_METHOD_HEAD,
    HTTP_METHOD_POST,
    HTTP_METHOD_PUT,
    HTTP_METHOD_DELETE,
    HTTP_METHOD_OPTIONS,
    HTTP_METHOD_PATCH,
};

/* Where the search for the end of the head got to. Zero it (or call
 * http_parser_reset) before each request. */
struct http_parser {
    size_t scanned;
};

/* A parsed head. The strings point into the buffer given to
 * http_parse_head and live as long as those bytes do. */
struct http_head {
    enum http_method method;
    unsigned minor;             /* HTTP/1.minor: 0 or 1 */
    bool keep_alive;            /* the connection may serve another request
                                 * (1.1 unless "Connection: close"; 1.0 only with
                                 * "Connection: keep-alive") */
    bool has_length;            /* Content-Length was given */
    uint64_t length;            /* the body's length (0 without Content-Length) */
    bool expect_continue;       /* "Expect: 100-continue" */
    const char *content_type;   /* field values without surrounding blanks, */
    const char *authorization;  /* NUL-terminated; NULL when absent */
    const char *origin;
    size_t head_len;            /* bytes of the head, blank line included */
    int status;                 /* on error: the HTTP status to answer */
};

/* Forgets the search position (for the next request). */
void http_parser_reset(struct http_parser *p);

/* Looks for a complete head at the start of buf[0..len) and parses it.
 * Returns:
 *   0                the head is complete: *h is filled, h->head_len bytes
 *                    of buf belong to it (the body, if any, follows);
 *   HTTP_PARSE_MORE  not complete yet and still within HTTP_HEAD_MAX: call
 *                    again with the same bytes and more;
 *   ERR_DECODE       the head is refused: h->status says how to answer
 *                    (400, 411, 417, 431 or 505; see the top of this file).
 * Args: p   the search state for this request;
 *       buf the received bytes; on success the bytes of the head are changed
 *           in place (NULs end the values h points to), so a head is parsed
 *           once and its bytes are not given again;
 *       h   out; fully written on 0 and on ERR_DECODE (status).
 * Thread: any (no shared state). */
int http_parse_head(struct http_parser *p, char *buf, size_t len, struct http_head *h);

/* The standard reason phrase of a status this server sends ("OK",
 * "Forbidden", ...; "Error" for others). */
const char *http_reason(int status);

#endif
