/*
 * state.c — opening and freeing a state, the sticky error, and the small
 * array helpers the other files of the module share.
 *
 * The state module is split by concern: state_map.c (hash maps),
 * state_account.c (accounts and code), state_storage.c (storage slots),
 * state_journal.c (journal, snapshots, refunds, logs, end of transaction),
 * state_root.c (roots and commit). state_internal.h holds the structures.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state/state_internal.h"

int state_open(const struct trie_store *store, const uint8_t *root, struct state **out)
{
    *out = NULL;
    struct state *s = calloc(1, sizeof *s);
    if (!s)
        return err_set(ERR_NOMEM, "state: open");
    if (store) {
        s->store = *store;
        s->has_store = true;
    }
    int rc = trie_open(store, root, TRIE_SECURE, &s->atrie);
    if (rc) {
        free(s);
        return err_wrap(rc, "state: open");
    }
    state_seed(s->seed);
    *out = s;
    return 0;
}

void state_free(struct state *s)
{
    if (!s)
        return;
    journal_clear(s);
    free(s->j);
    if (s->amap) {
        for (size_t i = 0; i <= s->amask; i++) {
            struct acct *a = s->amap[i].p;
            if (a) {
                obj_free(a->obj);
                free(a);
            }
        }
        free(s->amap);
    }
    for (size_t i = 0; i < s->nlogs; i++)
        log_free(&s->logs[i]);
    free(s->logs);
    for (size_t i = 0; i < s->ncodes; i++)
        free(s->codes[i].code);
    free(s->codes);
    free(s->dirty);
    free(s->pending);
    free(s->uncommitted);
    trie_free(s->atrie);
    free(s);
}

int state_error(const struct state *s)
{
    return s->err;
}

const char *state_error_msg(const struct state *s)
{
    return s->errmsg;
}

int state_fail(struct state *s, int rc)
{
    if (rc && !s->err) {
        s->err = rc;
        snprintf(s->errmsg, sizeof s->errmsg, "%s", err_msg());
    }
    return rc;
}

void *state_grow(void *p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return p;
    size_t nc = *cap ? *cap : 16;
    while (nc < need) {
        if (nc > SIZE_MAX / 2 / size) {
            err_set(ERR_NOMEM, "state: array of %zu elements", need);
            return NULL;
        }
        nc *= 2;
    }
    void *q = realloc(p, nc * size);
    if (!q) {
        err_set(ERR_NOMEM, "state: array of %zu elements", nc);
        return NULL;
    }
    *cap = nc;
    return q;
}

int state_list_add(struct state *s, struct acct ***list, size_t *n, size_t *cap,
                   struct acct *a, uint8_t flag)
{
    if (a->flags & flag)
        return 0;
    struct acct **l = state_grow(*list, cap, *n + 1, sizeof *l);
    if (!l)
        return state_fail(s, ERR_NOMEM);
    *list = l;
    l[(*n)++] = a;
    a->flags |= flag;
    return 0;
}
