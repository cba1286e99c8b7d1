/*
 * txpool_map.c — open addressing with linear probing over a keyed mix of the
 * key bytes (see txpool_map.h for why the seed). Deletion leaves a tombstone;
 * a rehash into a fresh array (same or double size) drops them.
 */
#include "txpool/txpool_map.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/random.h>

#include "util/err.h"

static char txpool_map_tomb;
#define TOMB ((void *)&txpool_map_tomb)

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 33;
    return x;
}

static uint64_t key_hash(const struct txpool_map *m, const uint8_t *k)
{
    uint64_t h = m->seed;
    size_t i = 0;
    for (; i + 8 <= m->keylen; i += 8) {
        uint64_t w;
        memcpy(&w, k + i, 8);
        h = mix64(h ^ w) + 0x9e3779b97f4a7c15ull;
    }
    for (; i < m->keylen; i += 4) {
        uint32_t w;
        memcpy(&w, k + i, 4);
        h = mix64(h ^ w) + 0x9e3779b97f4a7c15ull;
    }
    return mix64(h);
}

static const uint8_t *key_of(const struct txpool_map *m, const void *e)
{
    return (const uint8_t *)e + m->keyoff;
}

void txpool_map_init(struct txpool_map *m, size_t keyoff, size_t keylen)
{
    memset(m, 0, sizeof *m);
    m->keyoff = keyoff;
    m->keylen = keylen;
    uint64_t s = 0;
    if (getrandom(&s, sizeof s, GRND_NONBLOCK) != (ssize_t)sizeof s)
        s = (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)m;
    m->seed = s;
}

void txpool_map_free(struct txpool_map *m)
{
    free(m->slots);
    m->slots = NULL;
    m->cap = m->n = m->used = 0;
}

void *txpool_map_get(const struct txpool_map *m, const void *key)
{
    if (!m->cap)
        return NULL;
    size_t mask = m->cap - 1;
    for (size_t i = key_hash(m, key) & mask;; i = (i + 1) & mask) {
        void *e = m->slots[i];
        if (!e)
            return NULL;
        if (e != TOMB && memcmp(key_of(m, e), key, m->keylen) == 0)
            return e;
    }
}

static void place(void **slots, size_t cap, const struct txpool_map *m, void *e)
{
    size_t mask = cap - 1;
    size_t i = key_hash(m, key_of(m, e)) & mask;
    while (slots[i])
        i = (i + 1) & mask;
    slots[i] = e;
}

static int rehash(struct txpool_map *m, size_t cap)
{
    void **s = calloc(cap, sizeof *s);
    if (!s)
        return err_set(ERR_NOMEM, "txpool: table of %zu slots", cap);
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i] && m->slots[i] != TOMB)
            place(s, cap, m, m->slots[i]);
    free(m->slots);
    m->slots = s;
    m->cap = cap;
    m->used = m->n;
    return 0;
}

int txpool_map_put(struct txpool_map *m, void *entry)
{
    if ((m->used + 1) * 8 > m->cap * 5) {
        size_t cap = m->cap ? m->cap : 16;
        while ((m->n + 1) * 8 > cap * 5 / 2)   /* stay under 5/16 after growth */
            cap *= 2;
        int rc = rehash(m, cap);
        if (rc)
            return rc;
    }
    size_t mask = m->cap - 1;
    size_t i = key_hash(m, key_of(m, entry)) & mask;
    while (m->slots[i] && m->slots[i] != TOMB)
        i = (i + 1) & mask;
    if (!m->slots[i])
        m->used++;
    m->slots[i] = entry;
    m->n++;
    return 0;
}

void *txpool_map_del(struct txpool_map *m, const void *key)
{
    if (!m->cap)
        return NULL;
    size_t mask = m->cap - 1;
    for (size_t i = key_hash(m, key) & mask;; i = (i + 1) & mask) {
        void *e = m->slots[i];
        if (!e)
            return NULL;
        if (e != TOMB && memcmp(key_of(m, e), key, m->keylen) == 0) {
            m->slots[i] = TOMB;
            m->n--;
            return e;
        }
    }
}

void *txpool_map_next(const struct txpool_map *m, size_t *pos)
{
    while (*pos < m->cap) {
        void *e = m->slots[(*pos)++];
        if (e && e != TOMB)
            return e;
    }
    return NULL;
}
