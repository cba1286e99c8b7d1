/*
 * spectrum-cli.c — command-line JSON-RPC client for spectrumd, in the manner
 * of bitcoin-cli:
 *
 *     spectrum-cli [options] <method> [params...]
 *
 * It reads the same data directory and spectrum.conf as the node (network
 * selection, -rpc* options, the cookie file), turns the words after the
 * method into JSON-RPC 2.0 params (a word that parses as JSON is JSON, any
 * other word is a string; with -named, name=value pairs form an object),
 * POSTs the request with libcurl and prints the result: strings raw, other
 * values as indented JSON, null as nothing.
 *
 * Exit codes: 0 on a result; 1 on an RPC error (printed as "error code: N" /
 * "error message:" / text on stderr, like bitcoin-cli), on a connection or
 * HTTP failure, and on bad usage.
 *
 * Credentials (-rpcpassword, the cookie) are never printed, and the copies
 * this program makes are wiped after the request.
 */
#include "config.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "node/network.h"
#include "node/options.h"
#include "util/args.h"
#include "util/bytes.h"
#include "util/err.h"
#include "util/fs.h"

#define CLI_STDIN_MAX (64u << 20)     /* bytes read with -stdin */
#define CLI_PARAMS_MAX 4096           /* parameters per request */
#define CLI_REPLY_MAX (256u << 20)    /* largest reply accepted */
#define CLI_COOKIE_MAX 1024
#define CLI_HOST_MAX 253

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
           "        spectrum-cli [options] -named <method> [name=value...]\n\n"
           "A parameter that parses as JSON (123, true, null, \"text\", [1,2], {\"a\":1}) is sent\n"
           "as that JSON value; any other word is sent as a string.\n\n");
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

/* Prints the outcome of a reply; returns the exit code. */
static int handle_reply(long status, const struct reply *r)
{
    if (status == 401 || status == 403) {
        fprintf(stderr, "error: Authorization failed: incorrect rpcuser or rpcpassword\n");
        return 1;
    }
    json_error_t jerr;
    json_t *j = r->body.len
                    ? json_loadb((const char *)r->body.data, r->body.len, JSON_DECODE_ANY, &jerr)
                    : NULL;
    if (!j) {
        if (status != 200)
            fprintf(stderr, "error: server returned HTTP status %ld\n", status);
        else
            fprintf(stderr, "error: could not parse the reply from the server\n");
        return 1;
    }
    int code = 0;
    json_t *err = json_object_get(j, "error");
    json_t *res = json_object_get(j, "result");
    if (!json_is_object(j) || (!err && !res)) {
        fprintf(stderr, "error: the reply has neither a result nor an error\n");
        code = 1;
    } else if (err && !json_is_null(err)) {
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

/* ---- main ---------------------------------------------------------------- */

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
    if (nw == 0) {
        fprintf(stderr, "error: too few parameters (need at least a method; see "
                        "spectrum-cli -help)\n");
        return 1;
    }

    int code = 1;
    json_t *params = NULL, *req = NULL;
    char *body = NULL;
    CURL *curl = NULL;
    struct curl_slist *headers = NULL;
    struct credentials cred;
    memset(&cred, 0, sizeof cred);
    struct reply rep = {BYTES_INIT, false};

    char host[CLI_HOST_MAX + 3];
    long long port = args_get_int(a, "rpcport", paths.net->rpc_port);
    const char *hostarg = args_get_str(a, "rpcconnect", "127.0.0.1");
    if (url_host(hostarg ? hostarg : "127.0.0.1", host, sizeof host) ||
        build_params(words + 1, nw - 1, args_get_bool(a, "named", false), &params)) {
        fprintf(stderr, "error: %s\n", err_msg());
        goto out;
    }
    req = json_pack("{s:s, s:i, s:s, s:O}", "jsonrpc", "2.0", "id", 1, "method", words[0],
                    "params", params);
    body = req ? json_dumps(req, JSON_COMPACT) : NULL;
    char url[CLI_HOST_MAX + 32];
    snprintf(url, sizeof url, "http://%s:%lld/", host, port);
    curl = curl_easy_init();
    if (!body || !curl) {
        fprintf(stderr, "error: out of memory\n");
        goto out;
    }
    headers = curl_slist_append(headers, "Content-Type: application/json");
    headers = curl_slist_append(headers, "Expect:");
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_PROXY, "");          /* never via a proxy */
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &rep);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, (long)args_get_int(a, "rpcclienttimeout", 900));
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "spectrum-cli/" PACKAGE_VERSION);

    bool wait = args_get_bool(a, "rpcwait", false);
    long long wait_s = args_get_int(a, "rpcwaittimeout", 0);
    time_t start = time(NULL);
    CURLcode cc;
    long status = 0;
    for (;;) {
        /* Read the cookie again on every attempt: with -rpcwait the node may
         * write it (anew) while we wait. */
        explicit_bzero(&cred, sizeof cred);
        if (load_credentials(a, paths.netdir, &cred)) {
            fprintf(stderr, "error: %s\n", err_msg());
            goto out;
        }
        curl_easy_setopt(curl, CURLOPT_HTTPAUTH, cred.set ? (long)CURLAUTH_BASIC : 0L);
        curl_easy_setopt(curl, CURLOPT_USERNAME, cred.set ? cred.user : NULL);
        curl_easy_setopt(curl, CURLOPT_PASSWORD, cred.set ? cred.pass : NULL);
        bytes_reset(&rep.body);
        cc = curl_easy_perform(curl);
        if (cc == CURLE_OK)
            curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
        bool retry = cc == CURLE_COULDNT_CONNECT || (cc == CURLE_OK && status == 503);
        if (!wait || !retry)
            break;
        if (wait_s > 0 && time(NULL) - start >= wait_s)
            break;
        sleep(1);
    }
    if (cc == CURLE_COULDNT_CONNECT || cc == CURLE_COULDNT_RESOLVE_HOST) {
        fprintf(stderr, "error: Could not connect to the server %s:%lld (%s)\n\n"
                        "Make sure spectrumd is running with RPC enabled and that you are "
                        "connecting to the correct RPC port.\n",
                host, port, curl_easy_strerror(cc));
    } else if (cc == CURLE_OPERATION_TIMEDOUT) {
        fprintf(stderr, "error: no reply from %s:%lld within %lld seconds (-rpcclienttimeout)\n",
                host, port, args_get_int(a, "rpcclienttimeout", 900));
    } else if (rep.too_big) {
        fprintf(stderr, "error: the reply is larger than %u bytes\n", CLI_REPLY_MAX);
    } else if (cc != CURLE_OK) {
        fprintf(stderr, "error: request to %s:%lld failed: %s\n", host, port,
                curl_easy_strerror(cc));
    } else {
        code = handle_reply(status, &rep);
    }

out:
    explicit_bzero(&cred, sizeof cred);
    curl_slist_free_all(headers);
    if (curl)
        curl_easy_cleanup(curl);
    free(body);
    json_decref(req);
    json_decref(params);
    bytes_free(&rep.body);
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
