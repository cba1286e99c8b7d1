/*
 * miner_tamper.h — invalid variants of a valid sealed block, for tests: the
 * unit suites and the regtest-only RPC that feeds them to a node (issue 4's
 * "invalid blocks are rejected" with bad seal, wrong signer, wrong
 * difficulty, bad state root, chief tx not first).
 *
 * Why it is shaped this way: each variant breaks exactly one rule and keeps
 * everything else consistent, so the rejection a test sees is the rule under
 * test and not a side effect: a changed header is re-sealed, and a changed
 * transaction list gets its transaction root recomputed before the re-seal.
 * Nothing here knows the chain; the block alone is enough.
 *
 * Threads: any; the functions keep no state.
 */
#ifndef SPECTRUM_MINER_MINER_TAMPER_H
#define SPECTRUM_MINER_MINER_TAMPER_H

#include <stdint.h>

#include "primitives/block.h"

enum miner_tamper {
    MINER_TAMPER_NONE = 0,      /* "none": the block as it is */
    MINER_TAMPER_SEAL,          /* "seal": a byte of the seal's r flipped so that it
                                 * recovers no key ("the seal recovers no key") */
    MINER_TAMPER_SIGNER,        /* "signer": re-sealed with other_key (for a key outside
                                 * S and L the exact difficulty rule, §4, catches it
                                 * first; nothing does for n <= unchecked_blocks) */
    MINER_TAMPER_DIFFICULTY,    /* "difficulty": difficulty + 1, re-sealed */
    MINER_TAMPER_STATE_ROOT,    /* "stateRoot": a byte of the state root flipped, re-sealed */
    MINER_TAMPER_CHIEF_NOT_FIRST, /* "chiefNotFirst": txs 0 and 1 swapped, tx root
                                 * recomputed, re-sealed */
    MINER_TAMPER_NO_CHIEF_TX,   /* "noChiefTx": tx 0 removed, tx root recomputed, re-sealed */
    MINER_TAMPER_VRF,           /* "vrf": a byte of the VRF proof (extra[32..161)) flipped,
                                 * re-sealed */
    MINER_TAMPER_VOLUNTEER,     /* "volunteer": the chief update names other_key's address
                                 * instead of the drawn volunteer (MeshBox draw or
                                 * takeMiner); tx 0 re-signed by node_key for its own
                                 * chain id, tx root recomputed, re-sealed */
    MINER_TAMPER_COUNT
};

/* The kind's name as above, or NULL outside the enum. */
const char *miner_tamper_name(enum miner_tamper kind);

/* Looks a kind up by its exact name (case-sensitive).
 * Returns 0 or ERR_INVAL (unknown name; NULL is allowed). Out: *kind. */
int miner_tamper_from_name(const char *name, enum miner_tamper *kind);

/*
 * Turns b, a valid block sealed with node_key, into the invalid variant
 * `kind` in place (see the enum).
 * Args: node_key   re-seals every variant but SEAL and SIGNER
 *       other_key  re-seals SIGNER; its address is VOLUNTEER's volunteer
 *                  (may be NULL for the other kinds)
 * Returns: 0; ERR_INVAL for an unknown kind, a missing other_key, or a
 *          block that lacks what the variant changes (an extra without a
 *          seal; fewer than 2 txs for CHIEF_NOT_FIRST; no tx for
 *          NO_CHIEF_TX; no VRF part in extra for VRF; a tx 0 that is
 *          not a chief update for VOLUNTEER); ERR_CRYPTO (an
 *          invalid key, or no flip of r that recovers no key); ERR_NOMEM.
 *          On error b may be partly changed (but still owns what it owned).
 */
int miner_tamper_block(struct block *b, enum miner_tamper kind, const uint8_t node_key[32],
                       const uint8_t other_key[32]);

#endif
