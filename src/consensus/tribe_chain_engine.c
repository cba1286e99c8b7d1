/*
 * tribe_chain_engine.c — the two chain_engine callbacks over the Tribe
 * engine (see tribe_chain_engine.h). Thin by design: the rules live in
 * tribe_engine.c and tribe_rules.c; what is here is the mapping of their
 * results onto the chain_engine contract (ERR_INVAL for every invalid
 * block) and the Author of the unchecked blocks.
 */
#include "consensus/tribe_chain_engine.h"

#include <string.h>

#include "consensus/tribe_engine.h"
#include "util/err.h"

static int verify_header(void *ctx, const struct chain_params *p, const struct header *parent,
                         const struct header *h, uint64_t now)
{
    (void)ctx;
    return tribe_verify_header(p, parent, h, now);
}

/* The chain_engine contract knows ERR_INVAL for a bad block; the engine's
 * ERR_CRYPTO (a seal that recovers no key) is one. */
static int as_invalid(int rc)
{
    return rc == ERR_CRYPTO ? err_wrap(ERR_INVAL, "invalid seal") : rc;
}

static int validate_block(void *ctx, const struct chain_params *p, struct evm *evm,
                          const struct header *parent, struct state *parent_state,
                          const struct block *b, const struct address *senders,
                          struct address *signer)
{
    (void)ctx;
    int rc = tribe_validate_block(p, evm, parent, parent_state, b, senders, signer);
    if (rc)
        return as_invalid(rc);
    uint64_t n = b->header.number;
    if (n == 0 || n > p->unchecked_blocks)
        return 0;
    /* Blocks 1..unchecked_blocks: no rule is checked, but the Author is
     * still the seal's signer (the reasons below name the block). */
    rc = tribe_recover_signer(&b->header, signer, NULL);
    if (rc) {
        memset(signer, 0, sizeof *signer);
        return as_invalid(rc);
    }
    return 0;
}

void tribe_chain_engine_init(struct chain_engine *eng)
{
    memset(eng, 0, sizeof *eng);
    eng->verify_header = verify_header;
    eng->validate_block = validate_block;
    eng->ctx = NULL;
}
