/*
 * miner.h — assembling and sealing a block on top of the chain's head
 * (spec §5, §6.1, §9; design card "Our turn to produce").
 *
 * Why it is shaped this way: building a block is a pure function of the
 * head, the pool, the node key and the clock, so it is one call that hands
 * back a sealed struct block; importing it goes through chain_import_block
 * like any peer's block (the caller does that), and deciding WHEN to call it
 * (regtest `generate`, -automine, -blocktime, our turn on a live network)
 * belongs to the chain service (chainsvc/). Nothing here writes to the
 * database: the block's state is recomputed and stored by the import.
 *
 * A block n on top of head H, as Spectrum's worker builds it:
 *  - S and L at H's state (tribe_load_status); the key must be allowed to
 *    sign n (difficulty >= 1), else ERR_INVAL "not authorized";
 *  - the header (tribe_prepare): difficulty, time = max(H.time + delay, now),
 *    VRF extra from SIP100; gas limit by CalcGasLimit from the parent's
 *    limit and use, towards target_gas_limit, at least the 40M floor from
 *    SIP004 (§6.6, within §6.7's bounds);
 *  - coinbase: Anmap bindInfo(node address).from at H's state when Anmap is
 *    active and the binding exists, else the node address (§9);
 *  - for n > unchecked_blocks, the chief update tx first (§6.1): to the
 *    chief for n, nonce = node address's nonce at H, gas 4,712,388 at
 *    18 gwei, data update(volunteer) with the volunteer from
 *    tribe_pick_volunteer (zero before Chief100), EIP-155 signed;
 *  - then the pool's transactions in txpool_iter order while gas is left;
 *    one whose nonce is already used here (the node's own tx whose nonce
 *    the chief tx took) is skipped alone, one that is invalid otherwise
 *    (nonce gap, funds, gas) is skipped with the rest of its sender's;
 *  - execution, Finalize, the computed header fields, the seal.
 *
 * Threads: the chain thread (it uses the chain's evm and reads its db).
 */
#ifndef SPECTRUM_MINER_MINER_H
#define SPECTRUM_MINER_MINER_H

#include <stddef.h>
#include <stdint.h>

#include "chain/chain.h"
#include "consensus/tribe_engine.h"
#include "primitives/block.h"
#include "txpool/txpool.h"

/* What went into a built block. */
struct miner_stats {
    size_t included;        /* pool transactions included (the chief tx not counted) */
    size_t skipped;         /* pool transactions tried and left out (invalid here) */
    uint64_t gas_used;      /* header.gasUsed */
    bool chief_ahead;       /* the chief tx had run in the preparation (miner_prepare) */
};

/*
 * Builds a sealed block on top of c's head with node_key.
 * Args: pool   may be NULL (no transactions but the chief tx)
 *       now    unix seconds; header.time may come out later than now when
 *              the signer's delay (§5.1) says so: the caller waits until
 *              then before importing (an import refuses future blocks)
 * Out:  *out (block_free), *stats (may be NULL).
 * Returns 0; ERR_INVAL when the key may not sign the next block (with the
 * reason), or when the block would be invalid anyway (the chief update tx
 * is refused or fails: the reason says so); ERR_CRYPTO (an invalid key);
 * ERR_UNSUPPORTED (processor.h's unreproduced cases for the chief tx);
 * ERR_NOMEM; a state or database error. *out owns nothing on failure.
 */
int miner_build_block(struct chain *c, struct txpool *pool, const uint8_t node_key[32],
                      uint64_t now, struct block *out, struct miner_stats *stats);

/* Block head+1 with its chief tx already run (miner.c). */
struct miner_begun;

/*
 * What block head+1 needs that depends only on the head and the key: the
 * Tribe status read at the head, the header (VRF proof, coinbase,
 * difficulty, gas limit), the signed chief update tx, and that tx already
 * run on a workspace of the head's state. miner_prepare makes it after a
 * block is stored, while the block's submitters are answered, so that the
 * next block only runs the pool's transactions (geth's worker prepares its
 * next work on every new head the same way). Owned by the caller.
 */
struct miner_prep {
    bool valid;
    struct hash32 parent_hash;  /* the head it was made on */
    struct address me;
    struct header header;       /* time set again when used */
    struct tribe_status status;
    bool has_chief;
    struct tx chief;
    struct miner_begun *begun;  /* NULL when it could not run ahead */
};

/* Fills *pp for the block after c's head (freeing what it held); ahead
 * (may be NULL) as tribe_prepare's. The begun block refers to pp->header:
 * pp stays where it is until it is used or freed. A build at another
 * header time runs the chief tx again. Returns 0, or as miner_build_block
 * (ERR_INVAL when the key may not sign it). Thread: the chain thread. */
int miner_prepare(struct chain *c, const uint8_t node_key[32], uint64_t now,
                  struct vrf_ahead *ahead, struct miner_prep *pp);

/* Frees what pp holds and zeroes it (NULL or a zeroed pp is fine). */
void miner_prep_free(struct miner_prep *pp);

/* A built and sealed block with the state it was executed on, ready to be
 * stored without executing it again (chain_commit_own_block). */
struct miner_work {
    struct block block;
    struct miner_begun *begun;  /* the workspace it was built in */
    struct chain_exec_result res;
};

/*
 * As miner_build_block, keeping the executed state: out->block is sealed,
 * out->begun (its workspace) and out->res are what miner_commit needs. The
 * head must not change before miner_commit (the chain thread builds and
 * commits in one turn). pp (may be NULL) is used when it was prepared on the current head
 * with the same key, and is spent (zeroed) in every case.
 * Returns as miner_build_block; *out holds nothing on failure.
 * Thread: the chain thread.
 */
int miner_build_work(struct chain *c, struct txpool *pool, const uint8_t node_key[32],
                     uint64_t now, struct miner_prep *pp, struct miner_work *out,
                     struct miner_stats *stats);

/*
 * Stores w's block as the new head (chain_commit_own_block) and releases
 * w's state; w->block stays for the caller (miner_work_free).
 * Returns as chain_commit_own_block. Thread: the chain thread.
 */
int miner_commit(struct chain *c, struct miner_work *w, struct chain_import_result *out);

/* Frees what w holds (a committed or zeroed w is fine). */
void miner_work_free(struct miner_work *w);

/*
 * Would node_key be allowed to sign the block after c's head, and from
 * when? Reads S and L at the head state.
 * Out: *earliest: the earliest header.time the key may use (unix seconds).
 * Returns 0 (allowed), ERR_INVAL (not authorized: the reason says why), or
 * a state error.
 */
int miner_can_sign(struct chain *c, const uint8_t node_key[32], uint64_t *earliest);

#endif
