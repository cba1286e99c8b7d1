/*
 * chainsetup.h — what spectrumd prepares before its chain service starts:
 * the block-production options (-automine, -blocktime, -mine), the regtest
 * fork schedule (-regtestforks), the network's parameters with it applied,
 * and the genesis file under share/.
 *
 * Why it is shaped this way: every user error in these options must stop
 * the node before anything is opened, with a message that names the option,
 * so the parsing is separate from the starting (node/init.c) and pure where
 * it can be (node_apply_regtestforks is unit-tested).
 *
 * Finding share/: the genesis files live in share/genesis/ of the source
 * tree and are installed to $(pkgdatadir)/genesis (make install). A program
 * run from its build directory uses the source tree it was built from; an
 * installed one uses <its directory>/../share/spectrumd, then the install
 * prefix it was configured with (so a moved installation still works), then
 * the source tree.
 *
 * Threads: main, at start-up.
 */
#ifndef SPECTRUM_NODE_CHAINSETUP_H
#define SPECTRUM_NODE_CHAINSETUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chain/params.h"

struct args;

/* Registers -automine, -blocktime, -mine, -regtestforks and -nodekey
 * (foreign: as in args_register_foreign). Returns as args_register. */
int node_register_chain(struct args *a, bool foreign);

/* Block production as the options ask for it. */
struct node_mining {
    bool automine;          /* regtest */
    uint64_t blocktime;     /* regtest, seconds (0: off) */
    bool mine;              /* other networks */
    bool meshbox;           /* the MeshBox receipt book and reporter (-meshbox) */
    uint64_t meshbox_keep;  /* epochs of receipts the book keeps (-meshboxkeep; 0: all) */
};

/* Reads and checks the production options for network `net`: -blocktime
 * only on regtest (ERR_INVAL otherwise); -automine defaults to on for
 * regtest and is ignored elsewhere; -mine defaults to on. Returns 0 or
 * ERR_INVAL with a message naming the option. */
int node_mining_options(const struct args *a, enum chain_network net, struct node_mining *out);

/*
 * Applies a -regtestforks value to p: comma-separated NAME:HEIGHT pairs,
 * NAME one of sip001, sip002, sip003, sip004, chief100, HEIGHT a decimal
 * block number. chief100 at H > 0 makes the genesis TribeChief run as chief
 * 0.0.7 on blocks 0..H-1 and as 1.0.0 from H (same address). The result is
 * checked with chain_params_check.
 * Returns 0 or ERR_INVAL ("-regtestforks: unknown fork 'x' (known: ...)",
 * "... height of sip003 is not a decimal block number", a fork named
 * twice, an empty value).
 */
int node_apply_regtestforks(struct chain_params *p, const char *spec);

/* The parameters of network `net` (chain_params_get), with -regtestforks
 * applied on regtest (ERR_INVAL when given on another network). */
int node_chain_params(const struct args *a, enum chain_network net, struct chain_params *out);

/* Finds share/<sub>/<name> (see above) and writes its path.
 * Returns 0, ERR_NOTFOUND ("<name> not found in <the places looked>"),
 * ERR_RANGE. */
int node_find_share_file(const char *sub, const char *name, char *out, size_t cap);

#endif
