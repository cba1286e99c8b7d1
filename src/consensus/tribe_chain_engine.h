/*
 * tribe_chain_engine.h — Tribe's rules as the chain's import pipeline sees
 * them: a struct chain_engine (chain/chain.h) whose callbacks are
 * tribe_verify_header and tribe_validate_block.
 *
 * Why it is shaped this way: chain/ sits left of consensus/ in the module
 * arrows, so chain_import_block cannot call the Tribe engine by name; it
 * takes the two callbacks instead, and this file is the one place that
 * wires them. The only rule added here is the Author of the unchecked
 * blocks: tribe_validate_block judges nothing for blocks 1..unchecked_blocks
 * (spec §10 step 3a), but their Author — the coinbase when it is zero, so
 * the fee recipient — is still the signer recovered from the seal (spec §2),
 * so the adapter recovers it, and a seal that recovers no key rejects the
 * block as it would at any other height.
 *
 * The engine keeps no state: ctx is NULL and a filled struct may be shared
 * and used from any thread that owns the evm and state it is given.
 */
#ifndef SPECTRUM_CONSENSUS_TRIBE_CHAIN_ENGINE_H
#define SPECTRUM_CONSENSUS_TRIBE_CHAIN_ENGINE_H

#include "chain/chain.h"

/*
 * Fills *eng with Tribe's callbacks:
 *  - verify_header: tribe_verify_header (ERR_BADSTATE for a block from the
 *    future, ERR_INVAL with the reason);
 *  - validate_block: tribe_validate_block, then, for blocks
 *    1..p->unchecked_blocks, the signer recovered from the seal as the
 *    Author. Every rejection is ERR_INVAL with the reason naming the block
 *    (a seal that recovers no key included, which tribe_recover_signer
 *    reports as ERR_CRYPTO).
 * Out: *eng (nothing to free).
 */
void tribe_chain_engine_init(struct chain_engine *eng);

#endif
