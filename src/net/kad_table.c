/*
 * kad_table.c — Kademlia buckets; see kad_table.h.
 *
 * Each bucket is two small arrays kept in order (entries: most recently
 * seen first; replacements: newest first), moved with memmove. With 16 and
 * 10 slots a linear search is faster than any index, and the whole table
 * is one allocation with no pointers to chase or free.
 */
#include "net/kad_table.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/keccak.h"
#include "util/err.h"

/* Most results kad_table_closest sorts (it clamps max to this). */
#define CLOSEST_MAX 256

struct bucket {
    struct kad_entry e[KAD_BUCKET_SIZE];
    struct kad_entry r[KAD_REPLACEMENTS];
    uint8_t n;
    uint8_t nr;
};

struct kad_table {
    uint8_t self_id[64];
    uint8_t self_hash[32];
    size_t len;
    struct bucket b[KAD_BUCKETS];
};

int kad_log_distance(const uint8_t a[32], const uint8_t b[32])
{
    for (int i = 0; i < 32; i++) {
        uint8_t x = a[i] ^ b[i];
        if (x)
            return (31 - i) * 8 + (32 - __builtin_clz((unsigned)x));
    }
    return 0;
}

int kad_distance_cmp(const uint8_t target[32], const uint8_t a[32], const uint8_t b[32])
{
    for (int i = 0; i < 32; i++) {
        uint8_t da = a[i] ^ target[i], db = b[i] ^ target[i];
        if (da != db)
            return da < db ? -1 : 1;
    }
    return 0;
}

int kad_table_new(const uint8_t self_id[64], struct kad_table **out)
{
    struct kad_table *t = calloc(1, sizeof *t);
    if (!t)
        return err_set(ERR_NOMEM, "kad: table");
    memcpy(t->self_id, self_id, 64);
    keccak256(self_id, 64, t->self_hash);
    *out = t;
    return 0;
}

void kad_table_free(struct kad_table *t)
{
    free(t);
}

const uint8_t *kad_table_self_hash(const struct kad_table *t)
{
    return t->self_hash;
}

static int bucket_index(const struct kad_table *t, const uint8_t hash[32])
{
    return kad_log_distance(t->self_hash, hash) - 1;
}

int kad_table_bucket_of(const struct kad_table *t, const uint8_t id[64])
{
    uint8_t h[32];
    keccak256(id, 64, h);
    return bucket_index(t, h);
}

static int find(const struct kad_entry *arr, size_t n, const uint8_t id[64])
{
    for (size_t i = 0; i < n; i++)
        if (memcmp(arr[i].node.id, id, 64) == 0)
            return (int)i;
    return -1;
}

/* Removes arr[i] from an array of *n, closing the gap. */
static void remove_at(struct kad_entry *arr, uint8_t *n, int i)
{
    memmove(&arr[i], &arr[i + 1], (size_t)(*n - i - 1) * sizeof *arr);
    (*n)--;
}

/* Inserts e at position 0 of an array of *n (capacity cap), dropping the
 * last entry when full. */
static void push_front(struct kad_entry *arr, uint8_t *n, size_t cap, const struct kad_entry *e)
{
    size_t keep = *n < cap ? *n : cap - 1;
    memmove(&arr[1], &arr[0], keep * sizeof *arr);
    arr[0] = *e;
    *n = (uint8_t)(keep + 1);
}

int kad_table_add(struct kad_table *t, const struct enode *n, bool verified, uint64_t now_ms)
{
    if (n->ep.ip_len != 4 && n->ep.ip_len != 16)
        return err_set(ERR_INVAL, "kad: node without an IP address");
    struct kad_entry e;
    memset(&e, 0, sizeof e);
    e.node = *n;
    keccak256(n->id, 64, e.hash);
    int bi = bucket_index(t, e.hash);
    if (bi < 0)
        return KAD_SELF;
    struct bucket *b = &t->b[bi];

    int i = find(b->e, b->n, n->id);
    if (i >= 0) {
        if (verified) {
            e.added_ms = b->e[i].added_ms;
            e.seen_ms = now_ms;
            remove_at(b->e, &b->n, i);
            push_front(b->e, &b->n, KAD_BUCKET_SIZE, &e);
        }
        return KAD_UPDATED;
    }
    e.added_ms = now_ms;
    e.seen_ms = verified ? now_ms : 0;
    int r = find(b->r, b->nr, n->id);
    if (r >= 0) {
        if (!verified)
            e = b->r[r];
        remove_at(b->r, &b->nr, r);
    }
    if (b->n < KAD_BUCKET_SIZE) {
        if (verified) {
            push_front(b->e, &b->n, KAD_BUCKET_SIZE, &e);
        } else {
            b->e[b->n] = e;
            b->n++;
        }
        t->len++;
        return KAD_ADDED;
    }
    push_front(b->r, &b->nr, KAD_REPLACEMENTS, &e);
    return KAD_REPLACEMENT;
}

int kad_table_seen(struct kad_table *t, const uint8_t id[64], uint64_t now_ms)
{
    int bi = kad_table_bucket_of(t, id);
    if (bi < 0)
        return err_set(ERR_NOTFOUND, "kad: own id");
    struct bucket *b = &t->b[bi];
    int i = find(b->e, b->n, id);
    if (i < 0)
        return err_set(ERR_NOTFOUND, "kad: node not in table");
    struct kad_entry e = b->e[i];
    e.seen_ms = now_ms;
    remove_at(b->e, &b->n, i);
    push_front(b->e, &b->n, KAD_BUCKET_SIZE, &e);
    return 0;
}

int kad_table_dead(struct kad_table *t, const uint8_t id[64], struct enode *promoted)
{
    int bi = kad_table_bucket_of(t, id);
    if (bi < 0)
        return err_set(ERR_NOTFOUND, "kad: own id");
    struct bucket *b = &t->b[bi];
    int r = find(b->r, b->nr, id);
    if (r >= 0)
        remove_at(b->r, &b->nr, r);
    int i = find(b->e, b->n, id);
    if (i < 0)
        return r >= 0 ? 0 : err_set(ERR_NOTFOUND, "kad: node not in table");
    remove_at(b->e, &b->n, i);
    t->len--;
    if (b->nr == 0)
        return 0;
    b->e[b->n] = b->r[0];
    b->n++;
    t->len++;
    remove_at(b->r, &b->nr, 0);
    if (promoted)
        *promoted = b->e[b->n - 1].node;
    return 1;
}

bool kad_table_get(const struct kad_table *t, const uint8_t id[64], struct kad_entry *out)
{
    int bi = kad_table_bucket_of(t, id);
    if (bi < 0)
        return false;
    const struct bucket *b = &t->b[bi];
    int i = find(b->e, b->n, id);
    if (i < 0)
        return false;
    if (out)
        *out = b->e[i];
    return true;
}

size_t kad_table_len(const struct kad_table *t)
{
    return t->len;
}

size_t kad_table_bucket_len(const struct kad_table *t, int i)
{
    return i >= 0 && i < KAD_BUCKETS ? t->b[i].n : 0;
}

size_t kad_table_replacements_len(const struct kad_table *t, int i)
{
    return i >= 0 && i < KAD_BUCKETS ? t->b[i].nr : 0;
}

size_t kad_table_closest(const struct kad_table *t, const uint8_t target_hash[32],
                         struct enode *out, size_t max)
{
    const struct kad_entry *best[CLOSEST_MAX];
    if (max > CLOSEST_MAX)
        max = CLOSEST_MAX;
    size_t n = 0;
    for (int bi = 0; bi < KAD_BUCKETS; bi++) {
        const struct bucket *b = &t->b[bi];
        for (size_t i = 0; i < b->n; i++) {
            const struct kad_entry *e = &b->e[i];
            /* insertion into best[0..n), nearest first */
            size_t pos = n;
            while (pos > 0 && kad_distance_cmp(target_hash, e->hash, best[pos - 1]->hash) < 0)
                pos--;
            if (pos >= max)
                continue;
            size_t last = n < max ? n : max - 1;
            memmove(&best[pos + 1], &best[pos], (last - pos) * sizeof best[0]);
            best[pos] = e;
            if (n < max)
                n++;
        }
    }
    for (size_t i = 0; i < n; i++)
        out[i] = best[i]->node;
    return n;
}

/* splitmix64: a small, well-mixed generator for picking entries. */
static uint64_t next_rand(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

size_t kad_table_random(const struct kad_table *t, uint64_t seed, struct enode *out, size_t max)
{
    /* reservoir sampling over every entry */
    size_t seen = 0, n = 0;
    for (int bi = 0; bi < KAD_BUCKETS && max; bi++) {
        const struct bucket *b = &t->b[bi];
        for (size_t i = 0; i < b->n; i++, seen++) {
            if (n < max) {
                out[n++] = b->e[i].node;
            } else {
                uint64_t j = next_rand(&seed) % (seen + 1);
                if (j < max)
                    out[j] = b->e[i].node;
            }
        }
    }
    /* the reservoir keeps table order for the first max entries: shuffle */
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)(next_rand(&seed) % i);
        struct enode tmp = out[i - 1];
        out[i - 1] = out[j];
        out[j] = tmp;
    }
    return n;
}

int kad_table_revalidation_target(const struct kad_table *t, uint64_t seed, struct kad_entry *out)
{
    if (t->len == 0)
        return err_set(ERR_NOTFOUND, "kad: table is empty");
    int nonempty = 0;
    for (int bi = 0; bi < KAD_BUCKETS; bi++)
        nonempty += t->b[bi].n > 0;
    int pick = (int)(next_rand(&seed) % (uint64_t)nonempty);
    for (int bi = 0; bi < KAD_BUCKETS; bi++) {
        const struct bucket *b = &t->b[bi];
        if (b->n == 0)
            continue;
        if (pick-- == 0) {
            *out = b->e[b->n - 1];
            return 0;
        }
    }
    return err_set(ERR_NOTFOUND, "kad: table is empty");
}
