/*
 * state_journal.c — the journal (snapshots and reverts), the refund counter,
 * logs, and the end of a transaction.
 *
 * Why this shape: the EVM takes a snapshot at every CALL/CREATE and reverts
 * on failure, so both must cost O(changes), never a copy. The journal is a
 * growable array of small entries, each holding what one mutation
 * overwrote; a snapshot is the array length; a revert pops and undoes
 * entries down to it. Entries also count, per account, how many changes of
 * this transaction touch it (geth's journal.dirties): an account whose count
 * drops back to zero is untouched again, which is what EIP-158 deletion at
 * the end of the transaction looks at. The one exception is geth's: a touch
 * of RIPEMD-160 (0x…03) keeps the account dirty through reverts.
 *
 * state_tx_finalize walks only the journal and the dirty list: storage
 * written in the transaction becomes committed and is queued for the trie,
 * dirty accounts are deleted (self-destructed, or empty under EIP-158) or
 * queued for the account trie.
 */
#include <stdlib.h>
#include <string.h>

#include "state/state_internal.h"

int journal_push(struct state *s, const struct jentry *e)
{
    if (s->jlen == s->jcap) {
        struct jentry *j = state_grow(s->j, &s->jcap, s->jlen + 1, sizeof *j);
        if (!j)
            return state_fail(s, ERR_NOMEM);
        s->j = j;
    }
    struct acct *ac = e->acct;
    if (ac && state_list_add(s, &s->dirty, &s->ndirty, &s->cdirty, ac, ACCT_IN_DIRTY))
        return ERR_NOMEM;
    s->j[s->jlen++] = *e;
    if (ac)
        ac->dirty++;
    return 0;
}

void journal_sticky_dirty(struct state *s, struct acct *ac)
{
    if (state_list_add(s, &s->dirty, &s->ndirty, &s->cdirty, ac, ACCT_IN_DIRTY) == 0)
        ac->flags |= ACCT_STICKY;
}

void journal_clear(struct state *s)
{
    for (size_t i = 0; i < s->jlen; i++) {
        struct jentry *e = &s->j[i];
        if (e->kind == J_CREATE)
            obj_free(e->u.prev_obj);
        else if (e->kind == J_CODE)
            free(e->u.code.code);
    }
    s->jlen = 0;
}

/* Undoes one entry. Entries are undone newest first, so the object an entry
 * changed is the account's current object again. */
static void undo(struct state *s, struct jentry *e)
{
    struct acct *ac = e->acct;
    struct obj *o = ac ? ac->obj : NULL;
    switch ((enum jkind)e->kind) {
    case J_CREATE:
        obj_free(o);
        ac->obj = e->u.prev_obj;
        break;
    case J_BALANCE:
        o->balance = e->u.balance;
        break;
    case J_NONCE:
        o->nonce = e->u.nonce;
        break;
    case J_CODE:
        free(o->code);
        o->code = e->u.code.code;
        o->code_len = e->u.code.len;
        o->code_hash = e->u.code.hash;
        o->code_loaded = e->prev_flag;
        o->no_code = e->prev_no_code;
        break;
    case J_STORAGE: {
        struct slot *sl = obj_slot_find(s, o, &e->u.slot.key);
        if (sl)
            sl->current = e->u.slot.prev;
        break;
    }
    case J_SELFDESTRUCT:
        o->selfdestructed = e->prev_flag;
        o->balance = e->u.balance;
        break;
    case J_TOUCH:
        break;
    case J_REFUND:
        s->refund = e->u.refund;
        break;
    case J_LOG:
        log_free(&s->logs[--s->nlogs]);
        break;
    }
    if (ac)
        ac->dirty--;
}

state_snap state_snapshot(const struct state *s)
{
    return s->jlen;
}

void state_revert(struct state *s, state_snap snap)
{
    while (s->jlen > snap)
        undo(s, &s->j[--s->jlen]);
}

/* ---- refund counter ------------------------------------------------------------- */

static void set_refund(struct state *s, uint64_t v)
{
    struct jentry e = {.kind = J_REFUND, .u.refund = s->refund};
    if (journal_push(s, &e) == 0)
        s->refund = v;
}

void state_add_refund(struct state *s, uint64_t gas)
{
    set_refund(s, s->refund > UINT64_MAX - gas ? UINT64_MAX : s->refund + gas);
}

void state_sub_refund(struct state *s, uint64_t gas)
{
    set_refund(s, gas > s->refund ? 0 : s->refund - gas);
}

uint64_t state_get_refund(const struct state *s)
{
    return s->refund;
}

/* ---- logs --------------------------------------------------------------------------- */

int state_add_log(struct state *s, const struct address *a, const struct hash32 *topics,
                  size_t ntopics, const uint8_t *data, size_t len)
{
    if (ntopics > LOG_MAX_TOPICS)
        return err_set(ERR_RANGE, "state: log with %zu topics", ntopics);
    if (s->nlogs == s->clogs) {
        struct log *l = state_grow(s->logs, &s->clogs, s->nlogs + 1, sizeof *l);
        if (!l)
            return ERR_NOMEM;
        s->logs = l;
    }
    struct log lg = {.address = *a, .topic_count = ntopics, .data_len = len};
    if (ntopics) {
        lg.topics = malloc(ntopics * sizeof *lg.topics);
        if (!lg.topics)
            return err_set(ERR_NOMEM, "state: log topics");
        memcpy(lg.topics, topics, ntopics * sizeof *lg.topics);
    }
    if (len) {
        lg.data = malloc(len);
        if (!lg.data) {
            log_free(&lg);
            return err_set(ERR_NOMEM, "state: log data of %zu bytes", len);
        }
        memcpy(lg.data, data, len);
    }
    struct jentry e = {.kind = J_LOG};
    if (journal_push(s, &e)) {
        log_free(&lg);
        return ERR_NOMEM;
    }
    s->logs[s->nlogs++] = lg;
    return 0;
}

const struct log *state_logs(const struct state *s, size_t *count)
{
    *count = s->nlogs;
    return s->logs;
}

/* ---- end of transaction ------------------------------------------------------------- */

/* Queues a copy of o's new code for the next commit. */
static void queue_code(struct state *s, const struct obj *o)
{
    if (!s->has_store || !o->code_loaded || o->code_len == 0)
        return;
    struct codeblob *c = state_grow(s->codes, &s->ccodes, s->ncodes + 1, sizeof *c);
    uint8_t *copy = c ? malloc(o->code_len) : NULL;
    if (!copy) {
        if (c)
            s->codes = c;
        state_fail(s, err_set(ERR_NOMEM, "state: code of %zu bytes", o->code_len));
        return;
    }
    s->codes = c;
    memcpy(copy, o->code, o->code_len);
    c[s->ncodes++] = (struct codeblob){o->code_hash, copy, o->code_len};
}

void state_tx_finalize(struct state *s, bool delete_empty)
{
    /* Storage written in this transaction becomes the committed value and
     * is queued for the storage trie. An entry may name a slot of an object
     * replaced since (CREATE over the address): the lookup in the current
     * object then finds nothing, or a slot that needs no write. */
    for (size_t i = 0; i < s->jlen; i++) {
        const struct jentry *e = &s->j[i];
        if (e->kind != J_STORAGE || !e->acct->obj)
            continue;
        struct obj *o = e->acct->obj;
        uint32_t idx = slotmap_find(&o->slots, s->seed, &e->u.slot.key);
        if (idx == SLOT_NONE)
            continue;
        struct slot *sl = &o->slots.v[idx];
        if (u256_eq(&sl->committed, &sl->current))
            continue;
        sl->committed = sl->current;
        obj_slot_pending(s, o, idx);
    }

    /* Dirty accounts: delete or queue for the account trie. */
    for (size_t i = 0; i < s->ndirty; i++) {
        struct acct *ac = s->dirty[i];
        bool dirty = ac->dirty || (ac->flags & ACCT_STICKY);
        ac->dirty = 0;
        ac->flags &= (uint8_t)~(ACCT_IN_DIRTY | ACCT_STICKY);
        struct obj *o = ac->obj;
        if (!dirty || !o)
            continue;
        if (o->selfdestructed || (delete_empty && obj_empty(o))) {
            ac->obj = NULL;
            obj_free(o);
        } else if (o->code_new) {
            o->code_new = false;
            queue_code(s, o);
        }
        state_list_add(s, &s->pending, &s->npending, &s->cpending, ac, ACCT_IN_PENDING);
    }
    s->ndirty = 0;

    journal_clear(s);
    for (size_t i = 0; i < s->nlogs; i++)
        log_free(&s->logs[i]);
    s->nlogs = 0;
    s->refund = 0;
}
