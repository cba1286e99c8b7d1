/*
 * spectrum-cli.c — command-line JSON-RPC client for spectrumd, in the manner
 * of bitcoin-cli:
 *
 *     spectrum-cli [options] <method> [params...]
 *     spectrum-cli [options] -getinfo
 *
 * It reads the same data directory and spectrum.conf as the node (network
 * selection, -rpc* options, the cookie file), turns the words after the
 * method into JSON-RPC 2.0 params (a word that parses as JSON is JSON, any
 * other word is a string; with -named, name=value pairs form an object),
 * POSTs the request with libcurl and prints the result: strings raw, other
 * values as indented JSON, null as nothing.
 *
 * -getinfo is a summary for people rather than scripts: one batch of public
 * calls (chain id, network id, head, peers, sync state, node address, and
 * the wallet's accounts when this program has credentials), then one batch
 * of eth_getBalance at that head for the addresses it learnt. Two round
 * trips because the second needs the addresses of the first. Balances are
 * printed in SMT with exact decimal arithmetic on the 256-bit wei value (no
 * floating point anywhere, so 1 wei prints as 0.000000000000000001).
 *
 * Exit codes: 0 on a result; 1 on an RPC error (printed as "error code: N" /
 * "error message:" / text on stderr, like bitcoin-cli), on a connection or
 * HTTP failure (with what the server said), and on bad usage. bitcoin-cli's
 * exit code abs(rpc code) is not copied: truncated to 8 bits, -32000 and
 * -32768 would read as success.
 *
 * Credentials (-rpcpassword, the cookie) are never printed, and the copies
 * this program makes are wiped after the request.
 */
#include "config.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "chain/params.h"
#include "node/network.h"
#include "node/options.h"
#include "primitives/u256.h"
#include "util/args.h"
#include "util/bytes.h"
#include "util/err.h"
#include "util/fs.h"

#define CLI_STDIN_MAX (64u << 20)     /* bytes read with -stdin */
#define CLI_PARAMS_MAX 4096           /* parameters per request */
#define CLI_REPLY_MAX (256u << 20)    /* largest reply accepted */
#define CLI_COOKIE_MAX 1024
#define CLI_HOST_MAX 253
#define CLI_GETINFO_ACCOUNTS 100      /* wallet accounts -getinfo lists */
#define CLI_HTTP_TEXT_MAX 200         /* bytes of a non-JSON error body shown */

static void print_version(void)
{
    printf("spectrum-cli version %s\n"
           "Copyright (C) 2026 The spectrumd developers\n"
           "This is free software under the MIT licence (see the file COPYING).\n",
           PACKAGE_VERSION);
}

static void print_help(const struct args *a)
{
    print_version();
    printf("\nSends a JSON-RPC command to spectrumd and prints the result.\n\n"
           "Usage:  spectrum-cli [options] <method> [params...]\n"
           "        spectrum-cli [options] -named <method> [name=value...]\n"
           "        spectrum-cli [options] -getinfo\n"
           "        spectrum-cli [options] help [method]\n\n"
           "A parameter that parses as JSON (123, true, null, \"text\", [1,2], {\"a\":1}) is sent\n"
           "as that JSON value; any other word is sent as a string. A string result is\n"
           "printed as it is, null as nothing, anything else as indented JSON.\n\n"
           "`help` lists the node's methods, `help <method>` describes one.\n\n"
           "Exit status: 0 when the node returned a result; 1 when it returned an error\n"
           "(\"error code:\" and \"error message:\" on standard error), when it could not be\n"
           "reached or refused the request (the reason on standard error), or on bad usage.\n\n");
    args_print_help(a, stdout);
}

/* ---- parameters ---------------------------------------------------------- */

/* A word as a JSON value: parsed JSON when it is JSON, else a string. */
static json_t *word_value(const char *w)
{
    json_error_t jerr;
    json_t *v = json_loads(w, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
    return v ? v : json_string(w);
}

/* Builds the params array (or object with -named) from words[0..n). */
static int build_params(char **words, size_t n, bool named, json_t **out)
{
    json_t *p = named ? json_object() : json_array();
    if (!p)
        return err_set(ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        if (!named) {
            json_t *v = word_value(words[i]);
            if (!v || json_array_append_new(p, v)) {
                json_decref(p);
                return err_set(ERR_NOMEM, "out of memory");
            }
            continue;
        }
        char *eq = strchr(words[i], '=');
        if (!eq || eq == words[i]) {
            json_decref(p);
            return err_set(ERR_INVAL, "with -named, parameters are name=value (got '%.64s')",
                           words[i]);
        }
        *eq = 0;
        if (json_object_get(p, words[i])) {
            json_decref(p);
            return err_set(ERR_INVAL, "parameter %.64s given twice", words[i]);
        }
        json_t *v = word_value(eq + 1);
        if (!v || json_object_set_new(p, words[i], v)) {
            json_decref(p);
            return err_set(ERR_NOMEM, "out of memory");
        }
        *eq = '=';
    }
    *out = p;
    return 0;
}

/* Reads stdin into *buf and splits it into lines appended to words[]. */
static int read_stdin_words(char **buf, char **words, size_t *n)
{
    struct bytes b = BYTES_INIT;
    char chunk[65536];
    size_t r;
    while ((r = fread(chunk, 1, sizeof chunk, stdin)) > 0) {
        if (b.len + r > CLI_STDIN_MAX) {
            bytes_free(&b);
            return err_set(ERR_RANGE, "standard input is larger than %u bytes", CLI_STDIN_MAX);
        }
        if (bytes_append(&b, chunk, r)) {
            bytes_free(&b);
            return err_set(ERR_NOMEM, "out of memory");
        }
    }
    if (bytes_push(&b, 0)) {
        bytes_free(&b);
        return err_set(ERR_NOMEM, "out of memory");
    }
    size_t len;
    char *s = (char *)bytes_steal(&b, &len);
    len--;  /* the NUL */
    if (memchr(s, 0, len)) {
        free(s);
        return err_set(ERR_INVAL, "standard input contains a NUL byte");
    }
    *buf = s;
    char *p = s;
    while (*p) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = 0;
        size_t l = strlen(p);
        if (l && p[l - 1] == '\r')
            p[l - 1] = 0;
        if (*n == CLI_PARAMS_MAX)
            return err_set(ERR_RANGE, "more than %d parameters", CLI_PARAMS_MAX);
        words[(*n)++] = p;
        if (!nl)
            break;
        p = nl + 1;
    }
    return 0;
}

/* ---- connection ---------------------------------------------------------- */

/* Checks -rpcconnect and writes the URL host part (IPv6 in brackets). */
static int url_host(const char *h, char *out, size_t cap)
{
    size_t n = strlen(h);
    if (n == 0 || n > CLI_HOST_MAX)
        return err_set(ERR_INVAL, "invalid -rpcconnect host");
    char bare[CLI_HOST_MAX + 1];
    if (h[0] == '[') {
        if (h[n - 1] != ']')
            return err_set(ERR_INVAL, "invalid -rpcconnect host '%.64s'", h);
        memcpy(bare, h + 1, n - 2);
        bare[n - 2] = 0;
    } else {
        memcpy(bare, h, n + 1);
    }
    struct in6_addr a6;
    if (strchr(bare, ':')) {
        if (inet_pton(AF_INET6, bare, &a6) != 1)
            return err_set(ERR_INVAL, "invalid -rpcconnect host '%.64s' (give the port with "
                                      "-rpcport)", h);
        snprintf(out, cap, "[%s]", bare);
        return 0;
    }
    for (const char *p = bare; *p; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-'))
            return err_set(ERR_INVAL, "invalid -rpcconnect host '%.64s'", h);
    }
    snprintf(out, cap, "%s", bare);
    return 0;
}

struct reply {
    struct bytes body;
    bool too_big;
};

static size_t on_body(char *p, size_t size, size_t nmemb, void *arg)
{
    struct reply *r = arg;
    size_t n = size * nmemb;
    if (r->body.len + n > CLI_REPLY_MAX) {
        r->too_big = true;
        return 0;
    }
    if (bytes_append(&r->body, p, n))
        return 0;
    return n;
}

struct credentials {
    char user[1024];
    char pass[1024];
    bool set;
};

/* -rpcuser/-rpcpassword, else the cookie (<netdir>/.cookie or -rpccookiefile,
 * "user:password"), else none. */
static int load_credentials(const struct args *a, const char *netdir, struct credentials *c)
{
    const char *pw = args_get_str(a, "rpcpassword", NULL);
    if (pw) {
        const char *user = args_get_str(a, "rpcuser", "");
        if (!user)
            user = "";
        if (strlen(user) >= sizeof c->user || strlen(pw) >= sizeof c->pass)
            return err_set(ERR_RANGE, "-rpcuser or -rpcpassword is too long");
        strcpy(c->user, user);
        strcpy(c->pass, pw);
        c->set = true;
        return 0;
    }
    char path[FS_PATH_MAX];
    const char *cookie = args_get_str(a, "rpccookiefile", ".cookie");
    if (!cookie || !*cookie)
        return err_set(ERR_INVAL, "-rpccookiefile is empty");
    int rc = fs_join(path, sizeof path, netdir, cookie);
    if (rc)
        return rc;
    char *buf;
    size_t len;
    rc = fs_read_file(path, CLI_COOKIE_MAX, &buf, &len);
    if (rc == ERR_NOTFOUND)
        return 0;
    if (rc)
        return err_wrap(rc, "cookie file");
    while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
        buf[--len] = 0;
    char *colon = strchr(buf, ':');
    if (!colon || memchr(buf, 0, len) || (size_t)(colon - buf) >= sizeof c->user ||
        strlen(colon + 1) >= sizeof c->pass) {
        explicit_bzero(buf, len);
        free(buf);
        return err_set(ERR_DECODE, "cookie file %s is malformed (expected user:password)", path);
    }
    *colon = 0;
    strcpy(c->user, buf);
    strcpy(c->pass, colon + 1);
    c->set = true;
    explicit_bzero(buf, len);
    free(buf);
    return 0;
}

/* Everything one request needs; set up once by conn_open and reused for
 * the batches of -getinfo (libcurl keeps the connection alive). */
struct conn {
    const struct args *a;
    const char *netdir;
    CURL *curl;
    struct curl_slist *headers;
    char host[CLI_HOST_MAX + 3];
    long long port;
    struct credentials cred;
    struct reply rep;
    long status;                /* HTTP status of the last reply */
};

static int conn_open(struct conn *c, const struct args *a, const struct node_paths *paths)
{
    memset(c, 0, sizeof *c);
    c->a = a;
    c->netdir = paths->netdir;
    c->rep.body = (struct bytes)BYTES_INIT;
    c->port = args_get_int(a, "rpcport", paths->net->rpc_port);
    const char *hostarg = args_get_str(a, "rpcconnect", "127.0.0.1");
    int rc = url_host(hostarg ? hostarg : "127.0.0.1", c->host, sizeof c->host);
    if (rc)
        return rc;
    c->curl = curl_easy_init();
    if (!c->curl)
        return err_set(ERR_NOMEM, "out of memory");
    c->headers = curl_slist_append(NULL, "Content-Type: application/json");
    if (!c->headers || !curl_slist_append(c->headers, "Expect:"))
        return err_set(ERR_NOMEM, "out of memory");
    char url[CLI_HOST_MAX + 32];
    snprintf(url, sizeof url, "http://%s:%lld/", c->host, c->port);
    CURL *k = c->curl;
    curl_easy_setopt(k, CURLOPT_URL, url);
    curl_easy_setopt(k, CURLOPT_PROXY, "");          /* never via a proxy */
    curl_easy_setopt(k, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(k, CURLOPT_HTTPHEADER, c->headers);
    curl_easy_setopt(k, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(k, CURLOPT_WRITEDATA, &c->rep);
    curl_easy_setopt(k, CURLOPT_TIMEOUT, (long)args_get_int(a, "rpcclienttimeout", 900));
    curl_easy_setopt(k, CURLOPT_USERAGENT, "spectrum-cli/" PACKAGE_VERSION);
    return 0;
}

static void conn_close(struct conn *c)
{
    explicit_bzero(&c->cred, sizeof c->cred);
    curl_slist_free_all(c->headers);
    if (c->curl)
        curl_easy_cleanup(c->curl);
    bytes_free(&c->rep.body);
    c->headers = NULL;
    c->curl = NULL;
}

/* POSTs body. With `wait` (-rpcwait), retries every second while the port
 * is closed or the node answers 503, up to -rpcwaittimeout. Returns 0 when
 * an HTTP reply came (c->status, c->rep), or 1 after printing why not. */
static int conn_post(struct conn *c, const char *body, bool wait)
{
    const struct args *a = c->a;
    CURL *k = c->curl;
    curl_easy_setopt(k, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(k, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    long long wait_s = args_get_int(a, "rpcwaittimeout", 0);
    time_t start = time(NULL);
    CURLcode cc;
    c->status = 0;
    c->rep.too_big = false;
    for (;;) {
        /* Read the cookie again on every attempt: with -rpcwait the node may
         * write it (anew) while we wait. */
        explicit_bzero(&c->cred, sizeof c->cred);
        if (load_credentials(a, c->netdir, &c->cred)) {
            fprintf(stderr, "error: %s\n", err_msg());
            return 1;
        }
        bool set = c->cred.set;
        curl_easy_setopt(k, CURLOPT_HTTPAUTH, set ? (long)CURLAUTH_BASIC : 0L);
        curl_easy_setopt(k, CURLOPT_USERNAME, set ? c->cred.user : NULL);
        curl_easy_setopt(k, CURLOPT_PASSWORD, set ? c->cred.pass : NULL);
        bytes_reset(&c->rep.body);
        cc = curl_easy_perform(k);
        if (cc == CURLE_OK)
            curl_easy_getinfo(k, CURLINFO_RESPONSE_CODE, &c->status);
        bool retry = cc == CURLE_COULDNT_CONNECT || (cc == CURLE_OK && c->status == 503);
        if (!wait || !retry)
            break;
        if (wait_s > 0 && time(NULL) - start >= wait_s)
            break;
        sleep(1);
    }
    if (cc == CURLE_OK)
        return 0;
    if (cc == CURLE_COULDNT_CONNECT || cc == CURLE_COULDNT_RESOLVE_HOST) {
        fprintf(stderr, "error: Could not connect to the server %s:%lld (%s)\n\n"
                        "Make sure spectrumd is running with RPC enabled and that you are "
                        "connecting to the correct RPC port.\n",
                c->host, c->port, curl_easy_strerror(cc));
    } else if (cc == CURLE_OPERATION_TIMEDOUT) {
        fprintf(stderr, "error: no reply from %s:%lld within %lld seconds (-rpcclienttimeout)\n",
                c->host, c->port, args_get_int(a, "rpcclienttimeout", 900));
    } else if (c->rep.too_big) {
        fprintf(stderr, "error: the reply is larger than %u bytes\n", CLI_REPLY_MAX);
    } else {
        fprintf(stderr, "error: request to %s:%lld failed: %s\n", c->host, c->port,
                curl_easy_strerror(cc));
    }
    return 1;
}

/* Prints an HTTP status that carries no JSON-RPC reply, with the body's
 * text when it is short printable text (the server's own words). */
static void print_http_failure(const struct conn *c)
{
    switch (c->status) {
    case 401:
        if (c->cred.set) {
            fprintf(stderr, "error: Authorization failed: incorrect rpcuser or rpcpassword\n");
        } else {
            char path[FS_PATH_MAX];
            const char *name = args_get_str(c->a, "rpccookiefile", ".cookie");
            if (fs_join(path, sizeof path, c->netdir, name ? name : ".cookie"))
                snprintf(path, sizeof path, "%s", name ? name : ".cookie");
            fprintf(stderr, "error: Authorization failed: the request needs credentials and "
                            "none were found (no -rpcpassword, and no cookie file %s)\n", path);
        }
        return;
    case 403:
        fprintf(stderr, "error: the server refused the request (HTTP 403 Forbidden): this "
                        "address is not in its -rpcallowip\n");
        return;
    case 413:
        fprintf(stderr, "error: the request is larger than the server's -rpcmaxrequestsize "
                        "(HTTP 413)\n");
        return;
    case 503:
        fprintf(stderr, "error: the server is shutting down (HTTP 503)\n");
        return;
    default:
        break;
    }
    fprintf(stderr, "error: server returned HTTP status %ld", c->status);
    const struct bytes *b = &c->rep.body;
    bool text = b->len > 0 && b->len <= CLI_HTTP_TEXT_MAX;
    for (size_t i = 0; text && i < b->len; i++)
        text = (b->data[i] >= 0x20 && b->data[i] < 0x7f) || b->data[i] == '\n' ||
               b->data[i] == '\r' || b->data[i] == '\t';
    if (text)
        fprintf(stderr, ": %.*s", (int)b->len, (const char *)b->data);
    fputc('\n', stderr);
}

/* Prints a JSON-RPC error object as bitcoin-cli does. */
static void print_rpc_error(const json_t *err)
{
    json_t *c = json_object_get(err, "code");
    json_t *m = json_object_get(err, "message");
    if (json_is_integer(c) && json_is_string(m)) {
        fprintf(stderr, "error code: %lld\nerror message:\n%s\n",
                (long long)json_integer_value(c), json_string_value(m));
    } else {
        char *s = json_dumps(err, JSON_INDENT(2) | JSON_ENCODE_ANY);
        fprintf(stderr, "error: %s\n", s ? s : "(unprintable)");
        free(s);
    }
}

/* Decodes the last reply as JSON. Returns it (owned by the caller), or NULL
 * after printing why there is none (an HTTP failure, or not JSON). */
static json_t *reply_json(const struct conn *c)
{
    if (c->status == 401 || c->status == 403) {
        print_http_failure(c);
        return NULL;
    }
    json_error_t jerr;
    json_t *j = c->rep.body.len ? json_loadb((const char *)c->rep.body.data, c->rep.body.len,
                                             JSON_DECODE_ANY, &jerr)
                                : NULL;
    if (!j) {
        if (c->status != 200)
            print_http_failure(c);
        else
            fprintf(stderr, "error: could not parse the reply from the server\n");
    }
    return j;
}

/* Prints the outcome of a single call's reply; returns the exit code. */
static int handle_reply(const struct conn *c)
{
    json_t *j = reply_json(c);
    if (!j)
        return 1;
    int code = 0;
    json_t *err = json_object_get(j, "error");
    json_t *res = json_object_get(j, "result");
    if (!json_is_object(j) || (!err && !res)) {
        fprintf(stderr, "error: the reply has neither a result nor an error\n");
        code = 1;
    } else if (err && !json_is_null(err)) {
        print_rpc_error(err);
        code = 1;
    } else if (json_is_string(res)) {
        printf("%s\n", json_string_value(res));
    } else if (res && !json_is_null(res)) {
        char *s = json_dumps(res, JSON_INDENT(2) | JSON_ENCODE_ANY);
        if (s)
            printf("%s\n", s);
        free(s);
    }
    json_decref(j);
    return code;
}

/* ---- -getinfo ------------------------------------------------------------ */

/* Writes wei as SMT (18 decimals): the integer part, then the fraction
 * without trailing zeros ("0", "1.5", "0.000000000000000001").
 * Out: out  at least U256_DEC_BUF + 1 bytes (78 digits, '.', NUL). */
static void format_smt(const u256 *wei, char out[U256_DEC_BUF + 1])
{
    char dec[U256_DEC_BUF];
    size_t n = u256_to_dec(wei, dec);
    char digits[U256_DEC_BUF];          /* at least 19 digits, zero-padded */
    size_t pad = n < 19 ? 19 - n : 0;
    memset(digits, '0', pad);
    memcpy(digits + pad, dec, n + 1);
    size_t ip = n + pad - 18;           /* digits before the point, >= 1 */
    size_t fl = 18;
    while (fl && digits[ip + fl - 1] == '0')
        fl--;
    memcpy(out, digits, ip);
    size_t o = ip;
    if (fl) {
        out[o++] = '.';
        memcpy(out + o, digits + ip, fl);
        o += fl;
    }
    out[o] = 0;
}

/* A JSON-RPC quantity ("0x1a") as u256; false when v is not one. */
static bool json_quantity(const json_t *v, u256 *out)
{
    if (!json_is_string(v))
        return false;
    const char *s = json_string_value(v);
    size_t l = json_string_length(v);
    return l >= 3 && s[0] == '0' && s[1] == 'x' && u256_from_hex(out, s, l) == 0;
}

static bool json_u64(const json_t *v, uint64_t *out)
{
    u256 x;
    return json_quantity(v, &x) && u256_to_u64_checked(out, &x) == 0;
}

/* True when v is a string "0x" followed by exactly `digits` hex digits. */
static bool json_hex_fixed(const json_t *v, size_t digits)
{
    if (!json_is_string(v) || json_string_length(v) != digits + 2)
        return false;
    const char *s = json_string_value(v);
    if (s[0] != '0' || s[1] != 'x')
        return false;
    for (size_t i = 2; i < digits + 2; i++) {
        char ch = s[i];
        if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F')))
            return false;
    }
    return true;
}

static const char *chain_name(uint64_t chain_id)
{
    for (int n = 0; n < CHAIN_NETWORK_COUNT; n++) {
        const struct chain_params *p = chain_params_get((enum chain_network)n);
        if (p && p->chain_id == chain_id)
            return p->name;
    }
    return "unknown network";
}

/* "12 s ago", "5 min ago", "3 h ago", "20 days ago", "4 s in the future". */
static void format_age(uint64_t ts, time_t now, char *out, size_t cap)
{
    uint64_t t = now > 0 ? (uint64_t)now : 0;
    if (ts > t) {
        snprintf(out, cap, "%" PRIu64 " s in the future", ts - t);
        return;
    }
    uint64_t d = t - ts;
    if (d < 120)
        snprintf(out, cap, "%" PRIu64 " s ago", d);
    else if (d < 120 * 60)
        snprintf(out, cap, "%" PRIu64 " min ago", d / 60);
    else if (d < 48 * 3600)
        snprintf(out, cap, "%" PRIu64 " h ago", d / 3600);
    else
        snprintf(out, cap, "%" PRIu64 " days ago", d / 86400);
}

/* "2026-01-31 12:00:00 UTC", or the bare number of seconds when it is not
 * a date gmtime can write. */
static void format_utc(uint64_t ts, char *out, size_t cap)
{
    struct tm tm;
    time_t t = (time_t)ts;
    if (ts <= (uint64_t)INT64_MAX && (uint64_t)t == ts && gmtime_r(&t, &tm) &&
        strftime(out, cap, "%Y-%m-%d %H:%M:%S UTC", &tm) > 0)
        return;
    snprintf(out, cap, "%" PRIu64 " s after 1970", ts);
}

/* Appends {"jsonrpc":"2.0","id":id,"method":m,"params":params} to batch
 * (params stolen). Returns 0 or ERR_NOMEM. */
static int batch_add(json_t *batch, const char *m, json_t *params)
{
    json_t *r = params ? json_pack("{s:s, s:I, s:s, s:o}", "jsonrpc", "2.0", "id",
                                   (json_int_t)json_array_size(batch), "method", m, "params",
                                   params)
                       : NULL;
    if (!r || json_array_append_new(batch, r))
        return err_set(ERR_NOMEM, "out of memory");
    return 0;
}

/* Sends `batch` (call i has id i and method names[i], or names[0] for every
 * call when nnames is 1) and collects the
 * results. Returns 0 with results[i] borrowed from *reply (the caller frees
 * *reply); or 1 after printing why not: a transport or HTTP failure, a
 * batch-level error, any call's error (with the method's name first), or a
 * missing answer. */
static int batch_send(struct conn *c, const json_t *batch, const char *const *names,
                      size_t nnames, bool wait, json_t **reply, json_t **results)
{
    size_t n = json_array_size(batch);
    *reply = NULL;
    char *body = json_dumps(batch, JSON_COMPACT);
    if (!body) {
        fprintf(stderr, "error: out of memory\n");
        return 1;
    }
    int code = conn_post(c, body, wait);
    free(body);
    if (code)
        return 1;
    json_t *j = reply_json(c);
    if (!j)
        return 1;
    if (!json_is_array(j)) {
        json_t *err = json_object_get(j, "error");
        if (err && !json_is_null(err)) {
            fprintf(stderr, "error: -getinfo: the node refused the batch\n");
            print_rpc_error(err);
        } else {
            fprintf(stderr, "error: -getinfo: the reply to a batch is not an array\n");
        }
        json_decref(j);
        return 1;
    }
    json_t **errs = calloc(n ? n : 1, sizeof *errs);
    if (!errs) {
        json_decref(j);
        fprintf(stderr, "error: out of memory\n");
        return 1;
    }
    for (size_t i = 0; i < n; i++)
        results[i] = NULL;
    size_t k;
    json_t *el;
    json_array_foreach(j, k, el) {
        json_t *id = json_object_get(el, "id");
        if (!json_is_integer(id) || json_integer_value(id) < 0 ||
            (uint64_t)json_integer_value(id) >= n)
            continue;
        size_t i = (size_t)json_integer_value(id);
        json_t *err = json_object_get(el, "error");
        if (err && !json_is_null(err))
            errs[i] = err;
        else if (json_object_get(el, "result"))
            results[i] = json_object_get(el, "result");
    }
    code = 0;
    for (size_t i = 0; i < n && !code; i++) {
        if (errs[i]) {
            fprintf(stderr, "error: -getinfo: %s failed\n", names[nnames == 1 ? 0 : i]);
            print_rpc_error(errs[i]);
            code = 1;
        } else if (!results[i]) {
            fprintf(stderr, "error: -getinfo: the reply has no answer to %s\n",
                    names[nnames == 1 ? 0 : i]);
            code = 1;
        }
    }
    free(errs);
    if (code)
        json_decref(j);
    else
        *reply = j;
    return code;
}

enum gi_call {
    GI_CHAIN_ID,
    GI_NET_VERSION,
    GI_BLOCK_NUMBER,
    GI_HEAD,
    GI_PEERS,
    GI_SYNCING,
    GI_COINBASE,
    GI_ACCOUNTS,        /* only with credentials */
    GI_CALLS
};

static const char *const gi_names[GI_CALLS] = {
    "eth_chainId", "net_version", "eth_blockNumber", "eth_getBlockByNumber",
    "net_peerCount", "eth_syncing", "eth_coinbase", "eth_accounts",
};

static int malformed(const char *method)
{
    fprintf(stderr, "error: -getinfo: the node's answer to %s is malformed\n", method);
    return 1;
}

/* The "Sync:" value from eth_syncing's result: "synced", or the share of
 * the highest known block reached, "42.17% (block 4217 of 10000)". */
static int format_sync(const json_t *s, char *out, size_t cap)
{
    if (json_is_false(s)) {
        snprintf(out, cap, "synced");
        return 0;
    }
    uint64_t cur, high;
    if (!json_is_object(s) || !json_u64(json_object_get(s, "currentBlock"), &cur) ||
        !json_u64(json_object_get(s, "highestBlock"), &high))
        return -1;
    /* basis points = cur * 10000 / high, in 256 bits so nothing overflows */
    uint64_t bp = 10000;
    if (high > 0 && cur < high) {
        u256 x = u256_from_u64(cur), f = u256_from_u64(10000), h = u256_from_u64(high), r;
        u256_mul(&r, &x, &f);
        u256_div(&x, &r, &h);
        if (u256_to_u64_checked(&bp, &x))
            bp = 10000;
    } else if (high == 0) {
        bp = 0;
    }
    snprintf(out, cap, "%" PRIu64 ".%02" PRIu64 "%% (block %" PRIu64 " of %" PRIu64 ")",
             bp / 100, bp % 100, cur, high);
    return 0;
}

/* One batch of eth_getBalance at `block`, one call per address of addrs;
 * out[i] gets balance i in SMT (format_smt). Returns the exit code. */
static int fetch_balances(struct conn *c, const json_t *addrs, const json_t *block,
                          char (*out)[U256_DEC_BUF + 1])
{
    static const char *const name[1] = {"eth_getBalance"};
    size_t n = json_array_size(addrs);
    json_t *batch = json_array();
    json_t **res = calloc(n ? n : 1, sizeof *res);
    int rc = batch && res ? 0 : err_set(ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n && !rc; i++)
        rc = batch_add(batch, name[0], json_pack("[O, O]", json_array_get(addrs, i), block));
    if (rc) {
        fprintf(stderr, "error: %s\n", err_msg());
        json_decref(batch);
        free(res);
        return 1;
    }
    json_t *reply = NULL;
    int code = batch_send(c, batch, name, 1, false, &reply, res);
    json_decref(batch);
    for (size_t i = 0; i < n && !code; i++) {
        u256 wei;
        if (!json_quantity(res[i], &wei))
            code = malformed(name[0]);
        else
            format_smt(&wei, out[i]);
    }
    json_decref(reply);
    free(res);
    return code;
}

static int getinfo(struct conn *c, bool wait)
{
    /* The wallet's accounts only with credentials: no request of this batch
     * may need them otherwise, or the node answers 401 to all of it. */
    struct credentials probe;
    memset(&probe, 0, sizeof probe);
    if (load_credentials(c->a, c->netdir, &probe)) {
        fprintf(stderr, "error: %s\n", err_msg());
        return 1;
    }
    bool with_wallet = probe.set;
    explicit_bzero(&probe, sizeof probe);

    json_t *batch = json_array();
    int rc = batch ? 0 : err_set(ERR_NOMEM, "out of memory");
    for (int i = 0; i < GI_CALLS && !rc; i++) {
        if (i == GI_ACCOUNTS && !with_wallet)
            break;
        json_t *p = i == GI_HEAD ? json_pack("[s, b]", "latest", 0) : json_array();
        rc = batch_add(batch, gi_names[i], p);
    }
    if (rc) {
        json_decref(batch);
        fprintf(stderr, "error: %s\n", err_msg());
        return 1;
    }
    json_t *reply = NULL, *res[GI_CALLS] = {0};
    int code = batch_send(c, batch, gi_names, GI_CALLS, wait, &reply, res);
    json_decref(batch);
    if (code)
        return code;

    json_t *accounts_reply = NULL;
    char (*bal)[U256_DEC_BUF + 1] = NULL;
    uint64_t chain_id, number, peers, head_number, ts;
    const json_t *head = res[GI_HEAD];
    char sync[96];
    const char *netver = json_string_value(res[GI_NET_VERSION]);
    if (!json_u64(res[GI_CHAIN_ID], &chain_id))
        code = malformed("eth_chainId");
    else if (!netver || !*netver || strspn(netver, "0123456789") != strlen(netver) ||
             strlen(netver) > 20)
        code = malformed("net_version");
    else if (!json_u64(res[GI_BLOCK_NUMBER], &number))
        code = malformed("eth_blockNumber");
    else if (!json_is_object(head) || !json_u64(json_object_get(head, "number"), &head_number) ||
             !json_hex_fixed(json_object_get(head, "hash"), 64) ||
             !json_u64(json_object_get(head, "timestamp"), &ts))
        code = malformed("eth_getBlockByNumber");
    else if (!json_u64(res[GI_PEERS], &peers))
        code = malformed("net_peerCount");
    else if (format_sync(res[GI_SYNCING], sync, sizeof sync))
        code = malformed("eth_syncing");
    else if (!json_hex_fixed(res[GI_COINBASE], 40))
        code = malformed("eth_coinbase");
    if (code)
        goto out;

    /* The cookie may have appeared while -rpcwait waited. */
    const json_t *accounts = res[GI_ACCOUNTS];
    if (!with_wallet && c->cred.set) {
        json_t *b = json_array();
        json_t *one[1];
        if (!b || batch_add(b, "eth_accounts", json_array())) {
            json_decref(b);
            fprintf(stderr, "error: out of memory\n");
            code = 1;
            goto out;
        }
        code = batch_send(c, b, gi_names + GI_ACCOUNTS, 1, false, &accounts_reply, one);
        json_decref(b);
        if (code)
            goto out;
        accounts = one[0];
        with_wallet = true;
    }
    size_t nacc = 0;
    if (with_wallet) {
        if (!json_is_array(accounts)) {
            code = malformed("eth_accounts");
            goto out;
        }
        nacc = json_array_size(accounts);
        for (size_t i = 0; i < nacc; i++)
            if (!json_hex_fixed(json_array_get(accounts, i), 40)) {
                code = malformed("eth_accounts");
                goto out;
            }
    }

    /* Balances at the head shown, not at whatever "latest" is by then. */
    size_t shown = nacc < CLI_GETINFO_ACCOUNTS ? nacc : CLI_GETINFO_ACCOUNTS;
    json_t *addrs = json_array();
    rc = !addrs || json_array_append(addrs, res[GI_COINBASE]);
    for (size_t i = 0; i < shown && !rc; i++)
        rc = json_array_append(addrs, json_array_get(accounts, i));
    bal = rc ? NULL : malloc((shown + 1) * sizeof *bal);
    if (!bal) {
        json_decref(addrs);
        fprintf(stderr, "error: out of memory\n");
        code = 1;
        goto out;
    }
    code = fetch_balances(c, addrs, json_object_get(head, "number"), bal);
    json_decref(addrs);
    if (code)
        goto out;

    char when[64], age[64];
    format_utc(ts, when, sizeof when);
    format_age(ts, time(NULL), age, sizeof age);
    printf("Chain: %s (chain id %" PRIu64 ", network id %s)\n", chain_name(chain_id), chain_id,
           netver);
    printf("Blocks: %" PRIu64 "\n", number);
    printf("Head: %s (block %" PRIu64 ")\n", json_string_value(json_object_get(head, "hash")),
           head_number);
    printf("Head time: %s (%s)\n", when, age);
    printf("Peers: %" PRIu64 "\n", peers);
    printf("Sync: %s\n", sync);
    printf("Node address: %s\n", json_string_value(res[GI_COINBASE]));
    printf("Node balance: %s SMT\n", bal[0]);
    if (!with_wallet)
        printf("Wallet: not shown (no credentials: no -rpcpassword, and no cookie file)\n");
    else if (nacc == 0)
        printf("Wallet: no accounts\n");
    else
        printf("Wallet: %zu account%s\n", nacc, nacc == 1 ? "" : "s");
    for (size_t i = 0; i < shown; i++)
        printf("  %s  %s SMT\n", json_string_value(json_array_get(accounts, i)), bal[i + 1]);
    if (nacc > shown)
        printf("  ... and %zu more (eth_accounts lists them all)\n", nacc - shown);

out:
    free(bal);
    json_decref(accounts_reply);
    json_decref(reply);
    return code;
}

/* ---- main ---------------------------------------------------------------- */

/* One call: the words make the request, the reply is printed. */
static int call(struct conn *c, char **words, size_t nw, bool named, bool wait)
{
    json_t *params = NULL;
    if (build_params(words + 1, nw - 1, named, &params)) {
        fprintf(stderr, "error: %s\n", err_msg());
        return 1;
    }
    json_t *req = json_pack("{s:s, s:i, s:s, s:o}", "jsonrpc", "2.0", "id", 1, "method",
                            words[0], "params", params);
    char *body = req ? json_dumps(req, JSON_COMPACT) : NULL;
    json_decref(req);
    if (!body) {
        fprintf(stderr, "error: out of memory\n");
        return 1;
    }
    int code = conn_post(c, body, wait);
    free(body);
    return code ? code : handle_reply(c);
}

static int run(struct args *a, int argc, char **argv, int next)
{
    struct node_paths paths;
    if (node_load_config(a, false, &paths)) {
        fprintf(stderr, "Error: %s\n", err_msg());
        return 1;
    }

    static char *words[CLI_PARAMS_MAX];
    size_t nw = 0;
    for (int i = next; i < argc; i++) {
        if (nw == CLI_PARAMS_MAX) {
            fprintf(stderr, "error: more than %d parameters\n", CLI_PARAMS_MAX);
            return 1;
        }
        words[nw++] = argv[i];
    }
    char *stdin_buf = NULL;
    if (args_get_bool(a, "stdin", false) && read_stdin_words(&stdin_buf, words, &nw)) {
        fprintf(stderr, "error: %s\n", err_msg());
        free(stdin_buf);
        return 1;
    }
    bool info = args_get_bool(a, "getinfo", false);
    int code = 1;
    struct conn c;
    if (info && nw > 0) {
        fprintf(stderr, "error: -getinfo takes no method or parameters (got '%.64s')\n",
                words[0]);
    } else if (!info && nw == 0) {
        fprintf(stderr, "error: too few parameters (need at least a method; see "
                        "spectrum-cli -help)\n");
    } else if (conn_open(&c, a, &paths)) {
        fprintf(stderr, "error: %s\n", err_msg());
        conn_close(&c);
    } else {
        bool wait = args_get_bool(a, "rpcwait", false);
        code = info ? getinfo(&c, wait)
                    : call(&c, words, nw, args_get_bool(a, "named", false), wait);
        conn_close(&c);
    }
    free(stdin_buf);
    return code;
}

int main(int argc, char **argv)
{
    struct args *a = NULL;
    if (args_new(network_sections, NETWORK_COUNT, &a) || node_register_common(a) ||
        node_register_client(a, false) || node_register_daemon(a, true)) {
        fprintf(stderr, "Error: %s\n", err_msg());
        args_free(a);
        return 1;
    }
    /* The node's config holds options this program does not know. */
    args_ignore_unknown_config(a, true);

    int next;
    int code = 1;
    if (args_parse_cmdline(a, argc, argv, &next)) {
        fprintf(stderr, "Error: %s (see spectrum-cli -help)\n", err_msg());
    } else if (node_wants_help(a)) {
        print_help(a);
        code = 0;
    } else if (args_get_bool(a, "version", false)) {
        print_version();
        code = 0;
    } else {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        code = run(a, argc, argv, next);
        curl_global_cleanup();
    }
    args_free(a);
    return code;
}
