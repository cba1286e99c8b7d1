/*
 * state_root.c — state roots and commits.
 *
 * Why this shape: before Byzantium every receipt carries the state root
 * after its transaction, so a root is asked for after each one. Only the
 * accounts finalized since the last root (s->pending) are rewritten: their
 * queued storage slots go into their storage tries first (each rehashed
 * once), then their [nonce, balance, storageRoot, codeHash] into the
 * account trie, whose own hashing is incremental too. A commit does the
 * same and then hands the new nodes of every storage trie changed since the
 * last commit, the new code blobs, and the account trie's new nodes to the
 * store.
 */
#include <stdlib.h>
#include <string.h>

#include "state/state_internal.h"

/* True when changes were made since the last state_tx_finalize (a fully
 * reverted transaction counts only for the RIPEMD quirk, which survives
 * reverts). */
static bool mid_transaction(const struct state *s)
{
    if (s->jlen)
        return true;
    for (size_t i = 0; i < s->ndirty; i++)
        if (s->dirty[i]->dirty || (s->dirty[i]->flags & ACCT_STICKY))
            return true;
    return false;
}

/* Writes every pending account (and its pending storage) into the tries. */
static int flush(struct state *s)
{
    if (mid_transaction(s))
        return err_set(ERR_BADSTATE, "state: root requested before state_tx_finalize");
    if (s->err)
        return s->err;
    struct bytes enc = BYTES_INIT;
    int rc = 0;
    for (size_t i = 0; i < s->npending && rc == 0; i++) {
        struct acct *ac = s->pending[i];
        ac->flags &= (uint8_t)~ACCT_IN_PENDING;
        struct obj *o = ac->obj;
        if (!o) {
            rc = trie_delete(s->atrie, ac->addr.b, ADDRESS_LEN);
        } else {
            rc = obj_flush_storage(s, o);
            if (rc == 0) {
                bytes_reset(&enc);
                rc = obj_encode(o, &enc);
            }
            if (rc == 0)
                rc = trie_put(s->atrie, ac->addr.b, ADDRESS_LEN, enc.data, enc.len);
        }
        if (rc) {
            char hex[ADDRESS_HEX_SIZE];
            address_to_hex(&ac->addr, hex);
            rc = err_wrap(rc, "state: updating account %s", hex);
        }
    }
    s->npending = 0;
    bytes_free(&enc);
    return rc ? state_fail(s, rc) : 0;
}

int state_root(struct state *s, uint8_t root[32])
{
    int rc = flush(s);
    if (rc == 0 && (rc = trie_root_hash(s->atrie, root)) != 0)
        state_fail(s, err_wrap(rc, "state: account trie"));
    return rc;
}

int state_commit(struct state *s, uint8_t root[32])
{
    if (!s->has_store)
        return err_set(ERR_BADSTATE, "state: commit without a store");
    int rc = flush(s);
    if (rc)
        return rc;
    for (size_t i = 0; i < s->nuncommitted && rc == 0; i++) {
        struct acct *ac = s->uncommitted[i];
        ac->flags &= (uint8_t)~ACCT_IN_UNCOMMITTED;
        struct obj *o = ac->obj;
        if (o && o->strie && o->strie_dirty) {
            rc = trie_commit(o->strie, NULL);
            o->strie_dirty = false;
        }
    }
    s->nuncommitted = 0;
    for (size_t i = 0; i < s->ncodes; i++) {
        struct codeblob *c = &s->codes[i];
        if (rc == 0)
            rc = s->store.put(s->store.ctx, c->hash.b, c->code, c->len);
        free(c->code);
    }
    s->ncodes = 0;
    if (rc == 0)
        rc = trie_commit(s->atrie, root);
    return rc ? state_fail(s, err_wrap(rc, "state: commit")) : 0;
}
