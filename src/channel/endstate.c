/*
 * endstate.c — one channel end (endstate.h): the lock tree of locks.h with a
 * parallel array of what we know about each lock. The info array grows
 * before the tree does, so that a failed append leaves both untouched.
 */
#include "channel/endstate.h"

#include <stdlib.h>
#include <string.h>

#include "util/err.h"

void ch_end_init(struct ch_end *e, const uint8_t addr[20])
{
    memset(e, 0, sizeof *e);
    memcpy(e->addr, addr, 20);
    ch_locks_init(&e->locks);
}

void ch_end_free(struct ch_end *e)
{
    ch_locks_free(&e->locks);
    free(e->info);
    e->info = NULL;
    e->info_cap = 0;
}

int ch_end_copy(struct ch_end *dst, const struct ch_end *src)
{
    ch_end_free(dst);
    struct ch_locks locks;
    ch_locks_init(&locks);
    int rc = ch_locks_copy(&locks, &src->locks);
    if (rc) {
        ch_end_init(dst, src->addr);
        return rc;
    }
    struct ch_lock_info *info = NULL;
    if (src->locks.n) {
        info = malloc(src->locks.n * sizeof *info);
        if (!info) {
            ch_locks_free(&locks);
            ch_end_init(dst, src->addr);
            return err_set(ERR_NOMEM, "channel end: copying %zu lock infos", src->locks.n);
        }
        memcpy(info, src->info, src->locks.n * sizeof *info);
    }
    *dst = *src;
    dst->locks = locks;
    dst->info = info;
    dst->info_cap = src->locks.n;
    return 0;
}

void ch_end_reset(struct ch_end *e)
{
    uint8_t addr[20];
    u256 dep = e->deposit;
    memcpy(addr, e->addr, 20);
    ch_end_free(e);
    ch_end_init(e, addr);
    e->deposit = dep;
}

int ch_end_find(const struct ch_end *e, const uint8_t secret_hash[32], size_t *index)
{
    return ch_locks_find(&e->locks, secret_hash, index);
}

int ch_end_add_lock(struct ch_end *e, const struct ch_lock *l, const struct ch_lock_info *info)
{
    if (e->locks.n >= e->info_cap) {
        if (e->locks.n >= CH_LOCKS_MAX)
            return err_set(ERR_RANGE, "channel end: %d locks already", CH_LOCKS_MAX);
        size_t cap = e->info_cap ? e->info_cap * 2 : 8;
        if (cap > CH_LOCKS_MAX)
            cap = CH_LOCKS_MAX;
        struct ch_lock_info *p = realloc(e->info, cap * sizeof *p);
        if (!p)
            return err_set(ERR_NOMEM, "channel end: lock infos");
        e->info = p;
        e->info_cap = cap;
    }
    int rc = ch_locks_add(&e->locks, l);
    if (rc)
        return rc;
    struct ch_lock_info *slot = &e->info[e->locks.n - 1];
    if (info)
        *slot = *info;
    else
        memset(slot, 0, sizeof *slot);
    return 0;
}

int ch_end_remove_lock(struct ch_end *e, const uint8_t secret_hash[32], struct ch_lock *removed,
                       struct ch_lock_info *removed_info)
{
    size_t i;
    if (ch_locks_find(&e->locks, secret_hash, &i))
        return ERR_NOTFOUND;
    struct ch_lock_info info = e->info[i];
    int rc = ch_locks_remove(&e->locks, secret_hash, removed);
    if (rc)
        return rc;
    /* the tree shifted the locks after i down by one: do the same */
    memmove(&e->info[i], &e->info[i + 1], (e->locks.n - i) * sizeof e->info[0]);
    if (removed_info)
        *removed_info = info;
    return 0;
}

int ch_end_locked(const struct ch_end *e, u256 *total, u256 *pending, u256 *unclaimed)
{
    u256 sum[2] = {u256_from_u64(0), u256_from_u64(0)};
    for (size_t i = 0; i < e->locks.n; i++) {
        int k = e->info[i].secret_known ? 1 : 0;
        if (u256_add_overflow(&sum[k], &sum[k], &e->locks.locks[i].amount))
            return err_set(ERR_RANGE, "channel end: locked amount overflows");
    }
    u256 all;
    if (u256_add_overflow(&all, &sum[0], &sum[1]))
        return err_set(ERR_RANGE, "channel end: locked amount overflows");
    if (total)
        *total = all;
    if (pending)
        *pending = sum[0];
    if (unclaimed)
        *unclaimed = sum[1];
    return 0;
}
