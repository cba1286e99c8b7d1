/*
 * http_conn.h — one HTTP/1.1 server connection of the JSON-RPC port: a
 * nonblocking socket on the event loop, its input and output buffers, and
 * the request/response cycle over it (http_parse.h reads the heads).
 *
 * The life of a request:
 *   head complete   ops->on_head: the server may refuse it at once with
 *                   http_conn_reply (its body is then read and dropped, or
 *                   the connection closes after the reply when the body
 *                   would not fit or the client waits for 100 Continue).
 *                   A body over max_body is answered 413 here and the
 *                   connection closes. "Expect: 100-continue" gets its
 *                   interim 100 only when the request goes on.
 *   body complete   ops->on_request with the head and body; the server
 *                   answers once with http_conn_reply, at once or later
 *                   (from a worker's hand-back on the loop thread).
 * Requests on one connection are answered in order, one at a time:
 * pipelined requests wait in the input buffer until the one before was
 * answered, and replies produced together leave in one send(). Keep-alive
 * follows the request (HTTP/1.1 unless "Connection: close"; HTTP/1.0 only
 * with "Connection: keep-alive", echoed in the reply). A malformed head is
 * answered with the parser's status (400, 411, 417, 431, 505) and the
 * connection closes. Closing is graceful: after the last reply the server
 * shuts its side down and drops what the client still sends for up to 2 s,
 * so the client reads the reply instead of a reset.
 *
 * The connection stays allocated while a request it handed out is not
 * answered, even when the client is gone (the reply is then dropped), so
 * the holder of a request never sees freed memory. The socket itself is
 * closed as soon as the client is gone, and ops->on_close then tells the
 * server that the connection no longer counts towards its limit.
 *
 * Idle time-out: a connection that has not completed a request for
 * idle_seconds since it was opened or last answered is closed (a slow
 * client cannot hold a slot by sending one byte at a time); one waiting
 * for its reply is not.
 *
 * Thread: everything here runs on the loop thread of the set's event base.
 */
#ifndef SPECTRUM_RPC_HTTP_CONN_H
#define SPECTRUM_RPC_HTTP_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <time.h>

#include "rpc/http_parse.h"

struct event_base;
struct http_conn;

struct http_conn_ops {
    /* A head arrived (before its body). May call http_conn_reply to refuse
     * the request; must not reply later for it. */
    void (*on_head)(void *arg, struct http_conn *c, const struct http_head *h);
    /* The whole request (not refused). body[0..len) and h stay valid until
     * the reply; the callee answers exactly once with http_conn_reply. */
    void (*on_request)(void *arg, struct http_conn *c, const struct http_head *h,
                       const char *body, size_t len);
    /* A connection's socket was closed (it was counted by the set). */
    void (*on_close)(void *arg);
};

/* The connections of one server. Fill it with http_conn_set_init; the
 * fields are read-only for the owner. */
struct http_conn_set {
    struct event_base *base;
    const struct http_conn_ops *ops;
    void *arg;
    size_t max_body;
    const struct timeval *idle;     /* libevent common time-out */
    const struct timeval *linger;
    struct http_conn *head;         /* every allocated connection */
    size_t open;                    /* connections whose socket is open */
    time_t date_at;
    char date[40];                  /* "Date: ...\r\n" of date_at */
};

/* Prepares an empty set. max_body: the largest body accepted (413 above);
 * idle_seconds: see the top. Thread: loop. */
void http_conn_set_init(struct http_conn_set *s, struct event_base *base,
                        const struct http_conn_ops *ops, void *arg, size_t max_body,
                        unsigned idle_seconds);

/* Serves the accepted socket fd (nonblocking; the set owns it from now on,
 * also on failure, when it is closed). peer (peerlen bytes, copied) is the
 * client's address. Returns 0, or ERR_NOMEM (fd closed, on_close not
 * called). Thread: loop. */
int http_conn_new(struct http_conn_set *s, int fd, const struct sockaddr *peer, socklen_t peerlen,
                  struct http_conn **out);

/* The client's address as given to http_conn_new. */
const struct sockaddr *http_conn_peer(const struct http_conn *c);

/* The set c belongs to (its `arg` is the server's). */
struct http_conn_set *http_conn_set_of(const struct http_conn *c);

/* The head of the request being handled (between on_head and the reply;
 * NULL otherwise). */
const struct http_head *http_conn_head(const struct http_conn *c);

/* Answers the request being handled: status line, Date, Content-Length
 * (none for 1xx and 204), `headers` (NULL or complete lines, each ending in
 * CRLF: "Allow: POST\r\n"), Connection when needed, then body[0..len)
 * (copied; may be NULL when len is 0). Exactly once per on_request, or at
 * most once inside on_head. sent(sent_arg), when not NULL, is called once
 * the reply has been handed to the kernel, or the connection died first
 * (one such callback waits per connection: an earlier one still waiting is
 * called at once). Never fails: a connection that is gone drops the reply.
 * Thread: loop. */
void http_conn_reply(struct http_conn *c, int status, const char *headers, const char *body,
                     size_t len, void (*sent)(void *), void *sent_arg);

/* Closes and frees every connection. No request handed out may be waiting
 * for its reply (answer them first). on_close is not called. Thread: loop. */
void http_conn_set_close_all(struct http_conn_set *s);

#endif
