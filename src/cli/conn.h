/*
 * conn.h — spectrum-cli's connection to the node: one HTTP endpoint
 * (-rpcconnect, -rpcport), its credentials, the POST of a JSON-RPC body, and
 * the error text a person sees when that goes wrong.
 *
 * A connection is set up once and reused for every request of one run
 * (-getinfo sends two batches over it; libcurl keeps it alive). Credentials
 * are read again before every attempt, because with -rpcwait the node may
 * write its cookie while we wait; they are never printed, and the copies
 * are wiped when the connection is closed.
 *
 * Unlike the node's modules, the functions that talk to the node return an
 * exit code for main (0, or 1 after printing why on stderr), not an ERR_*
 * status: at this level the only thing left to do with a failure is say it.
 * Single-threaded, like the program.
 */
#ifndef SPECTRUM_CLI_CONN_H
#define SPECTRUM_CLI_CONN_H

#include <curl/curl.h>
#include <jansson.h>
#include <stdbool.h>

#include "node/options.h"
#include "util/args.h"
#include "util/bytes.h"

#define CLI_REPLY_MAX (256u << 20)    /* largest reply accepted */
#define CLI_COOKIE_MAX 1024
#define CLI_HOST_MAX 253
#define CLI_HTTP_TEXT_MAX 200         /* bytes of a non-JSON error body shown */

/* The body of the last reply, as libcurl delivered it. */
struct cli_reply {
    struct bytes body;
    bool too_big;               /* it went past CLI_REPLY_MAX; the transfer was stopped */
};

/* HTTP Basic credentials; set is false when none were found. */
struct cli_credentials {
    char user[1024];
    char pass[1024];
    bool set;
};

/* Everything one request needs; set up once by cli_conn_open and reused for
 * the batches of -getinfo (libcurl keeps the connection alive). */
struct cli_conn {
    const struct args *a;
    const char *netdir;
    CURL *curl;
    struct curl_slist *headers;
    char host[CLI_HOST_MAX + 3];
    long long port;
    struct cli_credentials cred;    /* those of the last attempt */
    struct cli_reply rep;
    long status;                /* HTTP status of the last reply */
};

/* Finds the credentials: -rpcuser/-rpcpassword, else the cookie file
 * (<netdir>/.cookie, or -rpccookiefile relative to netdir, holding
 * "user:password"), else none.
 * Returns: 0 (c->set tells whether any were found; a missing cookie file is
 *          not an error), ERR_RANGE (-rpcuser or -rpcpassword too long),
 *          ERR_INVAL (-rpccookiefile empty), ERR_DECODE (the cookie is not
 *          user:password, or a part is too long), or an error of
 *          fs_join / fs_read_file (the cookie path, reading the file).
 * Args:    a       the parsed options (-rpcuser, -rpcpassword, -rpccookiefile)
 *          netdir  the network's data directory
 * Out:     c       the credentials (write-only; zero it first so that
 *                  c->set is false when none are found); untouched on error.
 *                  Secret: the caller wipes it (explicit_bzero) when done.
 *                  The buffer the cookie was read into is wiped and freed
 *                  here.
 */
int cli_load_credentials(const struct args *a, const char *netdir, struct cli_credentials *c);

/* Prepares a connection to http://<-rpcconnect>:<-rpcport>/ (default
 * 127.0.0.1 and the network's RPC port): checks the host (a name, an IPv4
 * address or an IPv6 address, bracketed or not; no port in it), creates the
 * libcurl handle with the headers, the -rpcclienttimeout and no proxy.
 * Nothing is sent yet. curl_global_init must have been called.
 * Returns: 0, ERR_INVAL (bad -rpcconnect, the message quotes it) or
 *          ERR_NOMEM.
 * Args:    a      the parsed options; borrowed, must outlive c
 *          paths  from node_load_config; paths->netdir is borrowed and must
 *                 outlive c
 * Out:     c      the connection. The caller calls cli_conn_close(c)
 *                 afterwards, on success and on failure alike.
 */
int cli_conn_open(struct cli_conn *c, const struct args *a, const struct node_paths *paths);

/* Frees what cli_conn_open allocated and wipes the credentials. Safe after
 * an open that failed, and twice. */
void cli_conn_close(struct cli_conn *c);

/* POSTs body (JSON text) with the current credentials. With `wait`
 * (-rpcwait), retries every second while the port is closed or the node
 * answers 503, up to -rpcwaittimeout (forever when 0).
 * Returns: 0 when an HTTP reply came, whatever its status: c->status and
 *          c->rep hold it, valid until the next post; or 1 after printing
 *          why not on stderr (credentials unreadable, could not connect, no
 *          reply within -rpcclienttimeout, reply too large, other transport
 *          failure).
 * Args:    c     an open connection
 *          body  NUL-terminated, borrowed for the call
 */
int cli_conn_post(struct cli_conn *c, const char *body, bool wait);

/* Prints a JSON-RPC error object on stderr as bitcoin-cli does:
 * "error code: N" / "error message:" / the message; an object without an
 * integer code and a string message is printed as indented JSON after
 * "error: ". err is borrowed. */
void cli_print_rpc_error(const json_t *err);

/* Decodes the last reply's body as JSON (any value, not only objects).
 * Returns: the value, owned by the caller (json_decref); or NULL after
 *          printing why there is none on stderr: HTTP 401/403 (what to fix),
 *          another non-200 status without a JSON body (the status, and the
 *          body when it is short printable text), or a 200 body that is not
 *          JSON.
 * Args:    c  a connection after a cli_conn_post that returned 0
 */
json_t *cli_reply_json(const struct cli_conn *c);

/* Prints the outcome of the reply to a single call: a string result raw,
 * null as nothing, any other result as indented JSON on stdout; an error as
 * cli_print_rpc_error does.
 * Returns: the exit code: 0 for a result, 1 for an error, a reply that is
 *          not a JSON-RPC response, or any failure of cli_reply_json.
 * Args:    c  a connection after a cli_conn_post that returned 0
 */
int cli_handle_reply(const struct cli_conn *c);

#endif
