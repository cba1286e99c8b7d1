/*
 * spectrum-cli.c — command-line JSON-RPC client for spectrumd, in the manner
 * of bitcoin-cli:
 *
 *     spectrum-cli [options] <method> [params...]
 *     spectrum-cli [options] -getinfo
 *
 * It reads the same data directory and spectrum.conf as the node (network
 * selection, -rpc* options, the cookie file), turns the words after the
 * method into JSON-RPC 2.0 params, POSTs the request with libcurl and prints
 * the result: strings raw, other values as indented JSON, null as nothing.
 *
 * This file is the entry point only: options, -help and -version, and the
 * choice between one call and -getinfo. The work is in src/cli/, one file a
 * job: params.c (words → params, -named, -stdin), conn.c (endpoint,
 * credentials, HTTP, and the error text for each way a request fails),
 * getinfo.c (the summary for people, in two batches).
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

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/conn.h"
#include "cli/getinfo.h"
#include "cli/params.h"
#include "node/network.h"
#include "node/options.h"
#include "util/args.h"
#include "util/err.h"

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

/* One call: the words make the request, the reply is printed. */
static int call(struct cli_conn *c, char **words, size_t nw, bool named, bool wait)
{
    json_t *params = NULL;
    if (cli_build_params(words + 1, nw - 1, named, &params)) {
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
    int code = cli_conn_post(c, body, wait);
    free(body);
    return code ? code : cli_handle_reply(c);
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
    if (args_get_bool(a, "stdin", false) && cli_read_stdin_words(&stdin_buf, words, &nw)) {
        fprintf(stderr, "error: %s\n", err_msg());
        free(stdin_buf);
        return 1;
    }
    bool info = args_get_bool(a, "getinfo", false);
    int code = 1;
    struct cli_conn c;
    if (info && nw > 0) {
        fprintf(stderr, "error: -getinfo takes no method or parameters (got '%.64s')\n",
                words[0]);
    } else if (!info && nw == 0) {
        fprintf(stderr, "error: too few parameters (need at least a method; see "
                        "spectrum-cli -help)\n");
    } else if (cli_conn_open(&c, a, &paths)) {
        fprintf(stderr, "error: %s\n", err_msg());
        cli_conn_close(&c);
    } else {
        bool wait = args_get_bool(a, "rpcwait", false);
        code = info ? cli_getinfo(&c, wait)
                    : call(&c, words, nw, args_get_bool(a, "named", false), wait);
        cli_conn_close(&c);
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
