/*
 * miner_tamper.c — one invalid variant per consensus rule (see
 * miner_tamper.h). Each variant changes its one thing, recomputes the
 * transaction root when the list changed, and re-seals, in that order.
 */
#include "miner/miner_tamper.h"

#include <stdlib.h>
#include <string.h>

#include "chain/processor.h"
#include "consensus/tribe_engine.h"
#include "consensus/tribe_rules.h"
#include "consensus/vrf.h"
#include "crypto/ecdsa.h"
#include "util/err.h"

static const char *const names[MINER_TAMPER_COUNT] = {
    [MINER_TAMPER_NONE] = "none",
    [MINER_TAMPER_SEAL] = "seal",
    [MINER_TAMPER_SIGNER] = "signer",
    [MINER_TAMPER_DIFFICULTY] = "difficulty",
    [MINER_TAMPER_STATE_ROOT] = "stateRoot",
    [MINER_TAMPER_CHIEF_NOT_FIRST] = "chiefNotFirst",
    [MINER_TAMPER_NO_CHIEF_TX] = "noChiefTx",
    [MINER_TAMPER_VRF] = "vrf",
    [MINER_TAMPER_VOLUNTEER] = "volunteer",
};

const char *miner_tamper_name(enum miner_tamper kind)
{
    return (unsigned)kind < MINER_TAMPER_COUNT ? names[kind] : NULL;
}

int miner_tamper_from_name(const char *name, enum miner_tamper *kind)
{
    for (unsigned i = 0; name && i < MINER_TAMPER_COUNT; i++) {
        if (strcmp(name, names[i]) == 0) {
            *kind = (enum miner_tamper)i;
            return 0;
        }
    }
    return err_set(ERR_INVAL, "unknown tamper kind '%s'", name ? name : "(null)");
}

/* Flips one bit of the seal's r, the first (in byte, then bit order) that
 * leaves a signature recovering no key: r is then not the x of a curve
 * point, which about half of all values are not. */
static int break_seal(struct header *h)
{
    struct hash32 sh;
    int rc = header_seal_hash(h, &sh);
    if (rc)
        return rc;
    uint8_t *seal = h->extra + h->extra_len - TRIBE_SEAL_LEN;
    uint8_t pub[64];
    for (unsigned i = 0; i < 32; i++) {
        for (unsigned bit = 0; bit < 8; bit++) {
            seal[i] ^= (uint8_t)(1u << bit);
            if (ecdsa_recover(sh.b, seal, pub) != 0)
                return 0;
            seal[i] ^= (uint8_t)(1u << bit);
        }
    }
    return err_set(ERR_CRYPTO, "tamper: every flip of r still recovers a key");
}

/* Recomputes the transaction root after a change of the list. */
static int retx(struct block *b)
{
    return chain_tx_root(b->body.txs, b->body.tx_count, &b->header.tx_root);
}

/* Makes tx 0, the chief update, name `who` and signs it again with the
 * node key for the chain id its signature carries. */
static int rename_volunteer(struct block *b, const uint8_t node_key[32], const uint8_t who_key[32])
{
    if (b->body.tx_count < 1 || b->body.txs[0].data_len != TRIBE_CHIEF_UPDATE_DATA_LEN)
        return err_set(ERR_INVAL, "tamper volunteer: tx 0 is not a chief update");
    struct tx *t = &b->body.txs[0];
    uint8_t pub[64];
    struct address who;
    int rc = ecdsa_pubkey(who_key, pub);
    if (rc)
        return rc;
    ecdsa_pub_to_address(pub, who.b);
    tribe_chief_update_data(&who, t->data);
    bool protected_tx = false;
    u256 id;
    rc = tx_chain_id(t, &protected_tx, &id);
    if (rc == 0 && protected_tx && !u256_fits_u64(&id))
        rc = err_set(ERR_INVAL, "tamper volunteer: chain id above 64 bits");
    if (rc == 0)
        rc = tx_sign(t, node_key, protected_tx ? id.w[0] : 0);
    return rc ? rc : retx(b);
}

int miner_tamper_block(struct block *b, enum miner_tamper kind, const uint8_t node_key[32],
                       const uint8_t other_key[32])
{
    struct header *h = &b->header;
    if ((unsigned)kind >= MINER_TAMPER_COUNT)
        return err_set(ERR_INVAL, "tamper: unknown kind %d", (int)kind);
    if (kind == MINER_TAMPER_NONE)
        return 0;
    if (h->extra_len < TRIBE_SEAL_LEN)
        return err_set(ERR_INVAL, "tamper: extra of %zu bytes has no seal", h->extra_len);
    const uint8_t *key = node_key;
    int rc = 0;
    switch (kind) {
    case MINER_TAMPER_SEAL:
        return break_seal(h);
    case MINER_TAMPER_SIGNER:
        if (!other_key)
            return err_set(ERR_INVAL, "tamper signer: no other key");
        key = other_key;
        break;
    case MINER_TAMPER_DIFFICULTY: {
        u256 one = u256_from_u64(1);
        u256_add(&h->difficulty, &h->difficulty, &one);
        break;
    }
    case MINER_TAMPER_STATE_ROOT:
        h->state_root.b[0] ^= 0x01;
        break;
    case MINER_TAMPER_CHIEF_NOT_FIRST: {
        if (b->body.tx_count < 2)
            return err_set(ERR_INVAL, "tamper chiefNotFirst: %zu txs, 2 needed",
                           b->body.tx_count);
        struct tx t = b->body.txs[0];
        b->body.txs[0] = b->body.txs[1];
        b->body.txs[1] = t;
        rc = retx(b);
        break;
    }
    case MINER_TAMPER_NO_CHIEF_TX: {
        if (b->body.tx_count < 1)
            return err_set(ERR_INVAL, "tamper noChiefTx: the block has no tx");
        tx_free(&b->body.txs[0]);
        memmove(&b->body.txs[0], &b->body.txs[1], (b->body.tx_count - 1) * sizeof b->body.txs[0]);
        b->body.tx_count--;
        if (b->body.tx_count == 0) {
            free(b->body.txs);
            b->body.txs = NULL;
        }
        rc = retx(b);
        break;
    }
    case MINER_TAMPER_VRF:
        if (h->extra_len < VRF_OUTPUT_LEN + TRIBE_SEAL_LEN)
            return err_set(ERR_INVAL, "tamper vrf: extra of %zu bytes carries no VRF",
                           h->extra_len);
        /* a byte inside t, the second scalar of the proof */
        h->extra[VRF_INDEX_LEN + 40] ^= 0x01;
        break;
    case MINER_TAMPER_VOLUNTEER:
        if (!other_key)
            return err_set(ERR_INVAL, "tamper volunteer: no other key");
        rc = rename_volunteer(b, node_key, other_key);
        break;
    default:
        return err_set(ERR_INVAL, "tamper: unknown kind %d", (int)kind);
    }
    if (rc)
        return rc;
    return tribe_seal(h, key);
}
