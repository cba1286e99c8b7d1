/*
 * conn.c — spectrum-cli's HTTP side: endpoint, credentials, POST with
 * -rpcwait, and the words printed when the node cannot be reached or
 * refuses; see conn.h.
 *
 * The error text is the part of this file people read most, so it names
 * the option to fix where there is one: a closed port says to check that
 * spectrumd runs with RPC on the right port, a 401 says whether credentials
 * were wrong or missing (and which cookie file was looked for), a 403 points
 * at -rpcallowip, a 413 at -rpcmaxrequestsize. A body that is not JSON is
 * shown only when it is short printable text (the server's own words),
 * never raw bytes on the terminal.
 *
 * Limits on outside input: the host is checked before it goes into a URL
 * (no user info, path or port can ride in with it), the reply is capped at
 * CLI_REPLY_MAX and the cookie file at CLI_COOKIE_MAX. Requests never go
 * through a proxy from the environment: credentials are for the node only.
 */
#include "config.h"

#include "cli/conn.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "node/network.h"
#include "util/err.h"
#include "util/fs.h"

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

static size_t on_body(char *p, size_t size, size_t nmemb, void *arg)
{
    struct cli_reply *r = arg;
    size_t n = size * nmemb;
    if (r->body.len + n > CLI_REPLY_MAX) {
        r->too_big = true;
        return 0;
    }
    if (bytes_append(&r->body, p, n))
        return 0;
    return n;
}

int cli_load_credentials(const struct args *a, const char *netdir, struct cli_credentials *c)
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

int cli_conn_open(struct cli_conn *c, const struct args *a, const struct node_paths *paths)
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

void cli_conn_close(struct cli_conn *c)
{
    explicit_bzero(&c->cred, sizeof c->cred);
    curl_slist_free_all(c->headers);
    if (c->curl)
        curl_easy_cleanup(c->curl);
    bytes_free(&c->rep.body);
    c->headers = NULL;
    c->curl = NULL;
}

int cli_conn_post(struct cli_conn *c, const char *body, bool wait)
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
        if (cli_load_credentials(a, c->netdir, &c->cred)) {
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
static void print_http_failure(const struct cli_conn *c)
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

void cli_print_rpc_error(const json_t *err)
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

json_t *cli_reply_json(const struct cli_conn *c)
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

int cli_handle_reply(const struct cli_conn *c)
{
    json_t *j = cli_reply_json(c);
    if (!j)
        return 1;
    int code = 0;
    json_t *err = json_object_get(j, "error");
    json_t *res = json_object_get(j, "result");
    if (!json_is_object(j) || (!err && !res)) {
        fprintf(stderr, "error: the reply has neither a result nor an error\n");
        code = 1;
    } else if (err && !json_is_null(err)) {
        cli_print_rpc_error(err);
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
