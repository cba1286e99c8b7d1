/*
 * spectrumd.c — the full node's entry point.
 *
 * main() only sequences the start-up steps, bitcoind style, so that every
 * user error (unknown option, bad config line, conflicting networks) is
 * reported with exit code 1 before anything is created or started:
 *
 *   options → -help/-version → data dir + config + network → logging options
 *   → (-daemon: fork, parent waits) → node_start → event loop → node_stop.
 *
 * Exit codes: 0 after a clean shutdown (SIGTERM/SIGINT) or -help/-version;
 * 1 on any start-up error, printed to stderr as "Error: ..." (and written to
 * debug.log once it is open).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "node/daemon.h"
#include "node/init.h"
#include "node/network.h"
#include "node/options.h"
#include "util/args.h"
#include "util/err.h"
#include "util/log.h"

static void print_version(void)
{
    printf("spectrumd version %s\n"
           "Copyright (C) 2026 The spectrumd developers\n"
           "This is free software under the MIT licence (see the file COPYING).\n",
           PACKAGE_VERSION);
}

static void print_help(const struct args *a)
{
    print_version();
    printf("\nA full node of the Spectrum chain.\n\n"
           "Usage:  spectrumd [options]     start the node\n\n");
    args_print_help(a, stdout);
}

/* Reports a start-up error and returns exit code 1. */
static int fail(struct daemon_notify *dn, bool logged)
{
    const char *msg = err_msg()[0] ? err_msg() : "unknown error";
    if (logged)
        log_error("%s", msg);
    if (dn && dn->fd >= 0)
        daemon_failed(dn, msg);
    else
        fprintf(stderr, "Error: %s\n", msg);
    return EXIT_FAILURE;
}

int main(int argc, char **argv)
{
    umask(077);

    struct args *a = NULL;
    if (args_new(network_sections, NETWORK_COUNT, &a) || node_register_common(a) ||
        node_register_daemon(a, false) || node_register_client(a, true)) {
        fail(NULL, false);
        args_free(a);
        return EXIT_FAILURE;
    }

    int next;
    int code = EXIT_FAILURE;
    if (args_parse_cmdline(a, argc, argv, &next)) {
        fprintf(stderr, "Error: %s (see spectrumd -help)\n", err_msg());
        goto out;
    }
    if (next < argc) {
        fprintf(stderr, "Error: unexpected argument '%.64s': spectrumd takes only options "
                        "(see spectrumd -help)\n", argv[next]);
        goto out;
    }
    if (node_wants_help(a)) {
        print_help(a);
        code = EXIT_SUCCESS;
        goto out;
    }
    if (args_get_bool(a, "version", false)) {
        print_version();
        code = EXIT_SUCCESS;
        goto out;
    }

    struct node node;
    memset(&node, 0, sizeof node);
    if (node_load_config(a, true, &node.paths) || node_setup_logging(a)) {
        code = fail(NULL, false);
        goto out;
    }

    struct daemon_notify dn = {-1};
    if (args_get_bool(a, "daemon", false)) {
        log_set_console(false);
        if (daemon_start("spectrumd", &dn)) {
            code = fail(NULL, false);
            goto out;
        }
    }

    if (node_start(&node, a)) {
        /* Log first, then undo the start (pid file, lock) before the parent of
         * a -daemon start hears of the failure and exits: whoever ran us may
         * look at the data directory as soon as we report. */
        char msg[512];
        snprintf(msg, sizeof msg, "%s", err_msg()[0] ? err_msg() : "unknown error");
        if (node.log_open)
            log_error("%s", msg);
        node_stop(&node);
        err_set(ERR_IO, "%s", msg);
        code = fail(&dn, false);
        goto out;
    }
    daemon_ready(&dn);

    code = node_run(&node) ? fail(NULL, true) : EXIT_SUCCESS;
    node_stop(&node);
out:
    args_free(a);
    return code;
}
