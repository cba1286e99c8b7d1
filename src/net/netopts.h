/*
 * netopts.h — the p2p options (-port, -listen, -bind, -maxpeers, -connect,
 * -addnode, -nodiscover, -bootnodes, -bantime): their table for -help and
 * the config parser, and their translation into a p2p_config.
 *
 * Why it is shaped this way: option tables are static data registered at
 * start-up (util/args.h), so -help, the config file check and spectrum-cli
 * (which accepts the daemon's options in a shared config) see the same
 * definitions. Enode URLs are parsed here, at start, so a typo stops the
 * node with the offending URL instead of failing later in the dialer.
 *
 * Threads: main, at start-up.
 */
#ifndef SPECTRUM_NET_NETOPTS_H
#define SPECTRUM_NET_NETOPTS_H

#include <stdbool.h>

#include "chain/params.h"
#include "net/enode.h"
#include "net/p2p.h"

struct args;

/* Registers the options (foreign: accepted but unused, for spectrum-cli).
 * Returns 0 or args_register's error. */
int netopts_register(struct args *a, bool foreign);

struct netopts {
    bool enabled;                   /* false with -maxpeers=0 */
    struct p2p_config cfg;          /* chain and node_key left for the caller */
    struct enode *nodes;            /* owned storage of the cfg arrays */
};

/*
 * Reads the options into out. -port defaults to the network's p2p port;
 * -connect and -addnode must carry an IP and a TCP port; -connect turns
 * discovery off.
 * Returns 0; ERR_INVAL ("-connect: enode ...: <reason>", "-bind: ...");
 * ERR_NOMEM. Out: *out (netopts_free, also after an error).
 */
int netopts_from_args(const struct args *a, const struct chain_params *p, struct netopts *out);

/* Frees the URL arrays and zeroes o. */
void netopts_free(struct netopts *o);

#endif
