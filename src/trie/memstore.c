/*
 * memstore.c — the in-memory node store; see trie.h.
 *
 * Keys are keccak256 hashes, already uniformly distributed, so the table
 * indexes by their first 8 bytes with linear probing and no further hashing.
 * Node bytes go into an append-only arena of large chunks: one allocation
 * per ~1 MiB of nodes instead of one per node, and pointers handed out by
 * get stay valid for the store's lifetime (more than the contract asks).
 * Removal (a test hook) leaves a tombstone.
 */
#include "trie/trie.h"

#include <stdlib.h>
#include <string.h>

#include "util/bytes.h"
#include "util/err.h"

#define CHUNK_BYTES (1u << 20)

struct ms_entry {
    uint8_t hash[32];
    uint8_t state;           /* 0 empty, 1 used, 2 removed */
    uint32_t len;
    const uint8_t *data;
};

struct ms_chunk {
    struct ms_chunk *next;
    size_t used, cap;
    uint8_t bytes[];
};

struct trie_memstore {
    struct ms_entry *tab;
    size_t cap;              /* power of two */
    size_t count;            /* used entries */
    size_t occupied;         /* used + removed */
    struct ms_chunk *chunks;
};

struct trie_memstore *trie_memstore_new(void)
{
    struct trie_memstore *ms = calloc(1, sizeof *ms);
    if (!ms)
        return NULL;
    ms->cap = 1024;
    ms->tab = calloc(ms->cap, sizeof *ms->tab);
    if (!ms->tab) {
        free(ms);
        return NULL;
    }
    return ms;
}

void trie_memstore_free(struct trie_memstore *ms)
{
    if (!ms)
        return;
    struct ms_chunk *c = ms->chunks;
    while (c) {
        struct ms_chunk *next = c->next;
        free(c);
        c = next;
    }
    free(ms->tab);
    free(ms);
}

size_t trie_memstore_count(const struct trie_memstore *ms)
{
    return ms->count;
}

static size_t slot_of(const uint8_t hash[32], size_t cap)
{
    uint64_t h = 0;
    memcpy(&h, hash, sizeof h);
    return (size_t)h & (cap - 1);
}

/* Returns the used entry for hash, or NULL. */
static struct ms_entry *find(const struct trie_memstore *ms, const uint8_t hash[32])
{
    size_t i = slot_of(hash, ms->cap);
    for (;;) {
        struct ms_entry *e = &ms->tab[i];
        if (e->state == 0)
            return NULL;
        if (e->state == 1 && memcmp(e->hash, hash, 32) == 0)
            return e;
        i = (i + 1) & (ms->cap - 1);
    }
}

static int grow(struct trie_memstore *ms)
{
    size_t ncap = ms->cap * 2;
    struct ms_entry *nt = calloc(ncap, sizeof *nt);
    if (!nt)
        return err_set(ERR_NOMEM, "trie memstore: table of %zu entries", ncap);
    for (size_t i = 0; i < ms->cap; i++) {
        struct ms_entry *e = &ms->tab[i];
        if (e->state != 1)
            continue;
        size_t j = slot_of(e->hash, ncap);
        while (nt[j].state)
            j = (j + 1) & (ncap - 1);
        nt[j] = *e;
    }
    free(ms->tab);
    ms->tab = nt;
    ms->cap = ncap;
    ms->occupied = ms->count;
    return 0;
}

static const uint8_t *arena_copy(struct trie_memstore *ms, const uint8_t *p, size_t n)
{
    struct ms_chunk *c = ms->chunks;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > CHUNK_BYTES / 4 ? n : CHUNK_BYTES;
        struct ms_chunk *nc = malloc(sizeof *nc + cap);
        if (!nc)
            return NULL;
        nc->used = 0;
        nc->cap = cap;
        if (c && cap != CHUNK_BYTES) {
            /* A big node gets its own chunk behind the current one, which
             * keeps filling. */
            nc->next = c->next;
            c->next = nc;
        } else {
            nc->next = c;
            ms->chunks = nc;
        }
        c = nc;
    }
    uint8_t *dst = c->bytes + c->used;
    if (n)
        memcpy(dst, p, n);
    c->used += n;
    return dst;
}

static int ms_get(void *ctx, const uint8_t hash[32], const uint8_t **node, size_t *len)
{
    struct ms_entry *e = find(ctx, hash);
    if (!e)
        return ERR_NOTFOUND;
    *node = e->data;
    *len = e->len;
    return 0;
}

static int ms_put(void *ctx, const uint8_t hash[32], const uint8_t *node, size_t len)
{
    struct trie_memstore *ms = ctx;
    if (len > UINT32_MAX)
        return err_set(ERR_RANGE, "trie memstore: node of %zu bytes", len);
    if (find(ms, hash))
        return 0;
    if ((ms->occupied + 1) * 4 > ms->cap * 3) {
        int rc = grow(ms);
        if (rc)
            return rc;
    }
    const uint8_t *copy = arena_copy(ms, node, len);
    if (!copy)
        return err_set(ERR_NOMEM, "trie memstore: node of %zu bytes", len);
    size_t i = slot_of(hash, ms->cap);
    while (ms->tab[i].state == 1)
        i = (i + 1) & (ms->cap - 1);
    struct ms_entry *e = &ms->tab[i];
    if (e->state == 0)
        ms->occupied++;
    memcpy(e->hash, hash, 32);
    e->state = 1;
    e->len = (uint32_t)len;
    e->data = copy;
    ms->count++;
    return 0;
}

bool trie_memstore_remove(struct trie_memstore *ms, const uint8_t hash[32])
{
    struct ms_entry *e = find(ms, hash);
    if (!e)
        return false;
    e->state = 2;
    ms->count--;
    return true;
}

struct trie_store trie_memstore_store(struct trie_memstore *ms)
{
    struct trie_store s = {ms_get, ms_put, ms, false};
    return s;
}
