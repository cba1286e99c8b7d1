/*
 * getinfo.h — spectrum-cli -getinfo: a summary of the node for people
 * rather than scripts (chain, head, peers, sync, the node's address and
 * balance, the wallet's accounts and balances).
 *
 * Scripts call the methods themselves; this output may change wording and
 * is not meant to be parsed. Single-threaded, like the program.
 */
#ifndef SPECTRUM_CLI_GETINFO_H
#define SPECTRUM_CLI_GETINFO_H

#include <stdbool.h>

#include "cli/conn.h"

#define CLI_GETINFO_ACCOUNTS 100      /* wallet accounts -getinfo lists */

/* Asks the node for the summary and prints it on stdout. The wallet's
 * accounts are asked for only when credentials are found (cookie or
 * -rpcpassword); the first CLI_GETINFO_ACCOUNTS are listed with their
 * balances, and the count of the others.
 * Returns: the exit code: 0 after printing the summary; 1 after printing
 *          why not on stderr (transport or HTTP failure, a call's error
 *          with the method's name, a malformed answer, out of memory).
 *          Nothing goes to stdout on failure.
 * Args:    c     an open connection (cli_conn_open); reused for each batch
 *          wait  -rpcwait: the first batch waits for the node to come up
 */
int cli_getinfo(struct cli_conn *c, bool wait);

#endif
