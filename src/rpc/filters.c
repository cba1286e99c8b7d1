/*
 * filters.c — the filter store; see filters.h. Three rings (one per kind)
 * of numbered items and a flat array of filters, all under one mutex: the
 * chain thread appends a handful of items per block or transaction, and a
 * poll walks at most one ring, so nothing here holds the lock for long.
 */
#include "rpc/filters.h"

#include <openssl/rand.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "util/err.h"
#include "util/hex.h"

struct log_item {
    struct log log;             /* owned copy */
    struct rpc_log_loc loc;
    bool removed;
    size_t bytes;               /* topics + data, counted in ring.bytes */
};

struct tx_item {
    struct hash32 hash;
    json_t *tx;                 /* owned; NULL: hash only */
};

/* Items numbered first .. next-1 live in slots[seq % cap]. */
struct ring {
    size_t cap;
    size_t item_size;
    void *slots;                /* NULL while no filter of the kind exists */
    uint64_t first, next;
    size_t bytes;               /* logs: topics and data kept */
};

struct filter {
    char id[RPC_FILTER_ID_SIZE];
    enum rpc_filter_kind kind;
    bool full;
    struct rpc_log_query q;     /* RPC_FILTER_LOGS */
    uint64_t cursor;            /* first item not seen yet */
    int64_t last_poll;
};

struct rpc_filters {
    pthread_mutex_t mu;
    struct filter **f;          /* installed, in no particular order */
    size_t n, cap;
    size_t nkind[RPC_FILTER_KINDS];
    size_t nfull;               /* full pending-transaction filters */
    struct ring rings[RPC_FILTER_KINDS];
};

int64_t rpc_filters_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec;
}

/* ---- rings ---------------------------------------------------------------------- */

static void *slot(const struct ring *r, uint64_t seq)
{
    return (char *)r->slots + (size_t)(seq % r->cap) * r->item_size;
}

static void drop_oldest(struct ring *r, enum rpc_filter_kind kind)
{
    void *it = slot(r, r->first);
    if (kind == RPC_FILTER_LOGS) {
        struct log_item *li = it;
        r->bytes -= li->bytes;
        log_free(&li->log);
    } else if (kind == RPC_FILTER_PENDING_TXS) {
        struct tx_item *ti = it;
        json_decref(ti->tx);
        ti->tx = NULL;
    }
    r->first++;
}

/* Drops every item and the slots (no filter of the kind is left). The
 * numbering goes on, so cursors never see a number twice. */
static void ring_release(struct ring *r, enum rpc_filter_kind kind)
{
    if (!r->slots)
        return;
    while (r->first < r->next)
        drop_oldest(r, kind);
    free(r->slots);
    r->slots = NULL;
    r->bytes = 0;
}

/* Makes room for one item of `bytes` (logs); false when it can never fit. */
static bool ring_room(struct ring *r, enum rpc_filter_kind kind, size_t bytes)
{
    if (bytes > RPC_FILTERS_LOG_BYTES)
        return false;
    while (r->next - r->first >= r->cap)
        drop_oldest(r, kind);
    while (r->next > r->first && r->bytes + bytes > RPC_FILTERS_LOG_BYTES)
        drop_oldest(r, kind);
    return true;
}

/* ---- the store ------------------------------------------------------------------- */

int rpc_filters_new(struct rpc_filters **out)
{
    *out = NULL;
    struct rpc_filters *fs = calloc(1, sizeof *fs);
    if (!fs)
        return err_set(ERR_NOMEM, "out of memory");
    if (pthread_mutex_init(&fs->mu, NULL) != 0) {
        free(fs);
        return err_set(ERR_NOMEM, "filters: no mutex");
    }
    fs->rings[RPC_FILTER_LOGS].cap = RPC_FILTERS_LOGS_KEPT;
    fs->rings[RPC_FILTER_LOGS].item_size = sizeof(struct log_item);
    fs->rings[RPC_FILTER_BLOCKS].cap = RPC_FILTERS_BLOCKS_KEPT;
    fs->rings[RPC_FILTER_BLOCKS].item_size = sizeof(struct hash32);
    fs->rings[RPC_FILTER_PENDING_TXS].cap = RPC_FILTERS_TXS_KEPT;
    fs->rings[RPC_FILTER_PENDING_TXS].item_size = sizeof(struct tx_item);
    *out = fs;
    return 0;
}

static void filter_free(struct filter *f)
{
    rpc_log_query_free(&f->q);
    free(f);
}

void rpc_filters_free(struct rpc_filters *fs)
{
    if (!fs)
        return;
    for (size_t i = 0; i < fs->n; i++)
        filter_free(fs->f[i]);
    free(fs->f);
    for (int k = 0; k < RPC_FILTER_KINDS; k++)
        ring_release(&fs->rings[k], (enum rpc_filter_kind)k);
    pthread_mutex_destroy(&fs->mu);
    free(fs);
}

/* Removes filter i (lock held). */
static void remove_at(struct rpc_filters *fs, size_t i)
{
    struct filter *f = fs->f[i];
    fs->f[i] = fs->f[--fs->n];
    if (--fs->nkind[f->kind] == 0)
        ring_release(&fs->rings[f->kind], f->kind);
    if (f->full)
        fs->nfull--;
    filter_free(f);
}

static size_t expire_locked(struct rpc_filters *fs, int64_t now)
{
    size_t gone = 0;
    for (size_t i = fs->n; i-- > 0;) {
        if (now - fs->f[i]->last_poll >= RPC_FILTER_TIMEOUT) {
            remove_at(fs, i);
            gone++;
        }
    }
    return gone;
}

/* The index of filter `id` (lock held), or -1. The id is compared without
 * "0x", leading zeros and case. */
static long find(const struct rpc_filters *fs, const char *id)
{
    if (!id || id[0] != '0' || (id[1] != 'x' && id[1] != 'X'))
        return -1;
    const char *p = id + 2;
    while (*p == '0')
        p++;
    if (strlen(p) != 32)
        return -1;
    for (size_t i = 0; i < fs->n; i++)
        if (strncasecmp(fs->f[i]->id + 2, p, 32) == 0)
            return (long)i;
    return -1;
}

/* A fresh random id whose first digit is not 0 (lock held). */
static int new_id(const struct rpc_filters *fs, char id[RPC_FILTER_ID_SIZE])
{
    for (int tries = 0; tries < 8; tries++) {
        uint8_t rnd[16];
        if (RAND_bytes(rnd, sizeof rnd) != 1)
            return err_set(ERR_CRYPTO, "no randomness for a filter id");
        if (rnd[0] < 0x10)
            rnd[0] |= 0x10;
        id[0] = '0';
        id[1] = 'x';
        hex_encode(id + 2, rnd, sizeof rnd);
        if (find(fs, id) < 0)
            return 0;
    }
    return err_set(ERR_CRYPTO, "no unique filter id");
}

int rpc_filters_install(struct rpc_filters *fs, enum rpc_filter_kind kind,
                        struct rpc_log_query *q, bool full, int64_t now,
                        char id[RPC_FILTER_ID_SIZE])
{
    if ((unsigned)kind >= RPC_FILTER_KINDS || (kind == RPC_FILTER_LOGS && !q))
        return err_set(ERR_INVAL, "filters: bad kind or criteria");
    int rc = 0;
    pthread_mutex_lock(&fs->mu);
    expire_locked(fs, now);
    struct ring *r = &fs->rings[kind];
    struct filter *f = NULL;
    if (fs->n >= RPC_FILTERS_MAX) {
        rc = err_set(ERR_RANGE, "too many filters (at most %d); uninstall some",
                     RPC_FILTERS_MAX);
        goto out;
    }
    if (fs->n == fs->cap) {
        size_t nc = fs->cap ? 2 * fs->cap : 16;
        struct filter **nf = realloc(fs->f, nc * sizeof *nf);
        if (!nf) {
            rc = err_set(ERR_NOMEM, "out of memory");
            goto out;
        }
        fs->f = nf;
        fs->cap = nc;
    }
    if (!r->slots) {
        r->slots = calloc(r->cap, r->item_size);
        if (!r->slots) {
            rc = err_set(ERR_NOMEM, "out of memory");
            goto out;
        }
        r->first = r->next;
    }
    f = calloc(1, sizeof *f);
    if (!f) {
        rc = err_set(ERR_NOMEM, "out of memory");
        goto out;
    }
    rc = new_id(fs, f->id);
    if (rc)
        goto out;
    f->kind = kind;
    f->full = full && kind == RPC_FILTER_PENDING_TXS;
    if (kind == RPC_FILTER_LOGS) {
        f->q = *q;
        memset(q, 0, sizeof *q);
    }
    f->cursor = r->next;
    f->last_poll = now;
    fs->f[fs->n++] = f;
    fs->nkind[kind]++;
    if (f->full)
        fs->nfull++;
    memcpy(id, f->id, RPC_FILTER_ID_SIZE);
    f = NULL;
out:
    free(f);
    if (rc && fs->nkind[kind] == 0)
        ring_release(r, kind);
    pthread_mutex_unlock(&fs->mu);
    return rc;
}

bool rpc_filters_uninstall(struct rpc_filters *fs, const char *id, int64_t now)
{
    pthread_mutex_lock(&fs->mu);
    expire_locked(fs, now);
    long i = find(fs, id);
    if (i >= 0)
        remove_at(fs, (size_t)i);
    pthread_mutex_unlock(&fs->mu);
    return i >= 0;
}

/* Appends v (stolen) to arr; false when out of memory. */
static bool append(json_t *arr, json_t *v)
{
    return v && json_array_append_new(arr, v) == 0;
}

/* The items of ring r that f has not seen, as f's kind shows them. */
static json_t *collect(const struct ring *r, const struct filter *f)
{
    json_t *arr = json_array();
    if (!arr)
        return NULL;
    uint64_t seq = f->cursor > r->first ? f->cursor : r->first;
    for (; seq < r->next; seq++) {
        const void *it = slot(r, seq);
        bool ok = true;
        switch (f->kind) {
        case RPC_FILTER_BLOCKS:
            ok = append(arr, rpc_json_hash(it));
            break;
        case RPC_FILTER_PENDING_TXS: {
            const struct tx_item *ti = it;
            ok = append(arr, f->full && ti->tx ? json_deep_copy(ti->tx)
                                               : rpc_json_hash(&ti->hash));
            break;
        }
        case RPC_FILTER_LOGS: {
            const struct log_item *li = it;
            if (rpc_log_query_match_live(&f->q, &li->log, &li->loc))
                ok = append(arr, rpc_log_json(&li->log, &li->loc, li->removed));
            break;
        }
        default:
            break;
        }
        if (!ok) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

int rpc_filters_changes(struct rpc_filters *fs, const char *id, int64_t now, json_t **out)
{
    *out = NULL;
    int rc = 0;
    pthread_mutex_lock(&fs->mu);
    expire_locked(fs, now);
    long i = find(fs, id);
    if (i < 0) {
        rc = err_set(ERR_NOTFOUND, "filter not found");
    } else {
        struct filter *f = fs->f[i];
        const struct ring *r = &fs->rings[f->kind];
        *out = collect(r, f);
        if (!*out) {
            rc = err_set(ERR_NOMEM, "out of memory");
        } else {
            f->cursor = r->next;
            f->last_poll = now;
        }
    }
    pthread_mutex_unlock(&fs->mu);
    return rc;
}

int rpc_filters_query(struct rpc_filters *fs, const char *id, int64_t now,
                      struct rpc_log_query *out)
{
    memset(out, 0, sizeof *out);
    int rc;
    pthread_mutex_lock(&fs->mu);
    expire_locked(fs, now);
    long i = find(fs, id);
    if (i < 0 || fs->f[i]->kind != RPC_FILTER_LOGS)
        rc = err_set(ERR_NOTFOUND, "filter not found");
    else if (rpc_log_query_copy(out, &fs->f[i]->q))
        rc = err_set(ERR_NOMEM, "out of memory");
    else
        rc = 0;
    pthread_mutex_unlock(&fs->mu);
    return rc;
}

size_t rpc_filters_expire(struct rpc_filters *fs, int64_t now)
{
    pthread_mutex_lock(&fs->mu);
    size_t gone = expire_locked(fs, now);
    pthread_mutex_unlock(&fs->mu);
    return gone;
}

size_t rpc_filters_count(struct rpc_filters *fs)
{
    pthread_mutex_lock(&fs->mu);
    size_t n = fs->n;
    pthread_mutex_unlock(&fs->mu);
    return n;
}

size_t rpc_filters_count_kind(struct rpc_filters *fs, enum rpc_filter_kind kind)
{
    if ((unsigned)kind >= RPC_FILTER_KINDS)
        return 0;
    pthread_mutex_lock(&fs->mu);
    size_t n = fs->nkind[kind];
    pthread_mutex_unlock(&fs->mu);
    return n;
}

/* ---- events ------------------------------------------------------------------------ */

bool rpc_filters_wants(struct rpc_filters *fs, enum rpc_filter_kind kind, bool *full)
{
    if (full)
        *full = false;
    if ((unsigned)kind >= RPC_FILTER_KINDS)
        return false;
    pthread_mutex_lock(&fs->mu);
    bool want = fs->nkind[kind] > 0;
    if (full && kind == RPC_FILTER_PENDING_TXS)
        *full = fs->nfull > 0;
    pthread_mutex_unlock(&fs->mu);
    return want;
}

int rpc_filters_push_block(struct rpc_filters *fs, const struct hash32 *hash)
{
    pthread_mutex_lock(&fs->mu);
    struct ring *r = &fs->rings[RPC_FILTER_BLOCKS];
    if (r->slots && ring_room(r, RPC_FILTER_BLOCKS, 0)) {
        memcpy(slot(r, r->next), hash, sizeof *hash);
        r->next++;
    }
    pthread_mutex_unlock(&fs->mu);
    return 0;
}

/* True when an installed log filter matches (lock held). */
static bool any_log_filter_matches(const struct rpc_filters *fs, const struct log *l,
                                   const struct rpc_log_loc *loc)
{
    for (size_t i = 0; i < fs->n; i++)
        if (fs->f[i]->kind == RPC_FILTER_LOGS &&
            rpc_log_query_match_live(&fs->f[i]->q, l, loc))
            return true;
    return false;
}

int rpc_filters_push_log(struct rpc_filters *fs, const struct log *l,
                         const struct rpc_log_loc *loc, bool removed)
{
    int rc = 0;
    pthread_mutex_lock(&fs->mu);
    struct ring *r = &fs->rings[RPC_FILTER_LOGS];
    size_t bytes = l->topic_count * sizeof *l->topics + l->data_len;
    if (r->slots && any_log_filter_matches(fs, l, loc) && ring_room(r, RPC_FILTER_LOGS, bytes)) {
        struct log_item *li = slot(r, r->next);
        if (log_copy(&li->log, l)) {
            rc = err_set(ERR_NOMEM, "out of memory");
        } else {
            li->loc = *loc;
            li->removed = removed;
            li->bytes = bytes;
            r->bytes += bytes;
            r->next++;
        }
    }
    pthread_mutex_unlock(&fs->mu);
    return rc;
}

int rpc_filters_push_tx(struct rpc_filters *fs, const struct hash32 *hash, json_t *tx)
{
    pthread_mutex_lock(&fs->mu);
    struct ring *r = &fs->rings[RPC_FILTER_PENDING_TXS];
    if (r->slots && ring_room(r, RPC_FILTER_PENDING_TXS, 0)) {
        struct tx_item *ti = slot(r, r->next);
        ti->hash = *hash;
        ti->tx = fs->nfull ? tx : NULL;
        if (!fs->nfull)
            json_decref(tx);
        tx = NULL;
        r->next++;
    }
    pthread_mutex_unlock(&fs->mu);
    json_decref(tx);
    return 0;
}
