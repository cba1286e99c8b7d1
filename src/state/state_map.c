/*
 * state_map.c — the two hash maps of the state: address -> account record,
 * and (one per account object) storage key -> slot.
 *
 * Why this shape: they sit under every BALANCE, SLOAD and SSTORE, so a
 * lookup allocates nothing, probes linearly through a table kept at most
 * half full, and compares keys inline (the address map stores the address
 * next to the pointer, so a miss never touches the record). Entries are
 * never removed while the state lives, so there are no tombstones. Keys are
 * chosen by contracts (any storage key, any address to call), so the hash
 * is seeded per state from a secret process key and mixes through 64x64->128-bit
 * products: colliding keys cannot be precomputed to turn lookups into scans.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "state/state_internal.h"

__extension__ typedef unsigned __int128 u128;

/* Folded 128-bit product: every output bit depends on every input bit. */
static inline uint64_t mum(uint64_t a, uint64_t b)
{
    u128 r = (u128)a * b;
    return (uint64_t)r ^ (uint64_t)(r >> 64);
}

/* The process draws one secret key from the kernel; each state's seed is
 * derived from it and a counter. A getrandom() per state cost a syscall on
 * every RPC read (each opens a state view), and the secret key keeps the
 * seeds as unpredictable to a contract author as fresh random words. */
static uint64_t process_key[4];
static atomic_uint_fast64_t seeds_made;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

static void draw_process_key(void)
{
    if (getrandom(process_key, sizeof process_key, GRND_NONBLOCK) == (ssize_t)sizeof process_key)
        return;
    /* No entropy yet (early boot): a clock-derived key still defeats
     * precomputed collisions. */
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    uint64_t x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 30) ^ (uint64_t)(uintptr_t)&ts;
    for (int i = 0; i < 4; i++) {
        x += 0x9e3779b97f4a7c15u;
        process_key[i] = mum(x, 0xbf58476d1ce4e5b9u);
    }
}

void state_seed(uint64_t seed[4])
{
    pthread_once(&key_once, draw_process_key);
    uint64_t n = atomic_fetch_add_explicit(&seeds_made, 1, memory_order_relaxed);
    uint64_t x = mum(n ^ process_key[0], 0x9e3779b97f4a7c15u ^ process_key[1]);
    for (int i = 0; i < 4; i++)
        seed[i] = mum(x ^ process_key[i], (uint64_t)(i + 1) * 0xbf58476d1ce4e5b9u ^ process_key[(i + 2) & 3]) | 1;
}

static inline uint64_t hash_addr(const uint64_t seed[4], const struct address *a)
{
    uint64_t w0, w1;
    uint32_t w2;
    memcpy(&w0, a->b, 8);
    memcpy(&w1, a->b + 8, 8);
    memcpy(&w2, a->b + 16, 4);
    uint64_t h = mum(w0 ^ seed[0], w1 ^ seed[1]);
    return mum(h ^ seed[2], (uint64_t)w2 ^ seed[3]);
}

static inline uint64_t hash_key(const uint64_t seed[4], const u256 *k)
{
    uint64_t h = mum(k->w[0] ^ seed[0], k->w[1] ^ seed[1]) ^
                 mum(k->w[2] ^ seed[2], k->w[3] ^ seed[3]);
    return mum(h ^ seed[1], 0x9e3779b97f4a7c15u);
}

/* ---- address -> account ----------------------------------------------------- */

struct acct *amap_find(const struct state *s, const struct address *a)
{
    if (!s->amap)
        return NULL;
    size_t i = hash_addr(s->seed, a) & s->amask;
    for (;;) {
        const struct amap_ent *e = &s->amap[i];
        if (!e->p)
            return NULL;
        if (address_eq(&e->addr, a))
            return e->p;
        i = (i + 1) & s->amask;
    }
}

static void amap_place(struct amap_ent *tab, size_t mask, const uint64_t seed[4],
                       struct acct *p)
{
    size_t i = hash_addr(seed, &p->addr) & mask;
    while (tab[i].p)
        i = (i + 1) & mask;
    tab[i].addr = p->addr;
    tab[i].p = p;
}

int amap_insert(struct state *s, struct acct *p)
{
    if (!s->amap || (s->acount + 1) * 2 > s->amask + 1) {
        size_t nb = s->amap ? (s->amask + 1) * 2 : 64;
        struct amap_ent *t = calloc(nb, sizeof *t);
        if (!t)
            return err_set(ERR_NOMEM, "state: account map of %zu buckets", nb);
        if (s->amap) {
            for (size_t i = 0; i <= s->amask; i++)
                if (s->amap[i].p)
                    amap_place(t, nb - 1, s->seed, s->amap[i].p);
            free(s->amap);
        }
        s->amap = t;
        s->amask = nb - 1;
    }
    amap_place(s->amap, s->amask, s->seed, p);
    s->acount++;
    return 0;
}

/* ---- storage key -> slot ----------------------------------------------------- */

uint32_t slotmap_find(const struct slotmap *m, const uint64_t seed[4], const u256 *key)
{
    if (!m->idx)
        return SLOT_NONE;
    size_t i = hash_key(seed, key) & m->mask;
    for (;;) {
        uint32_t x = m->idx[i];
        if (!x)
            return SLOT_NONE;
        if (u256_eq(&m->v[x - 1].key, key))
            return x - 1;
        i = (i + 1) & m->mask;
    }
}

static void slot_place(uint32_t *idx, uint32_t mask, const uint64_t seed[4], const u256 *key,
                       uint32_t pos)
{
    size_t i = hash_key(seed, key) & mask;
    while (idx[i])
        i = (i + 1) & mask;
    idx[i] = pos + 1;
}

/* Slots per account object; far beyond what gas allows in one block, it
 * keeps index arithmetic in 32 bits. */
#define SLOTMAP_MAX (1u << 30)

uint32_t slotmap_insert(struct slotmap *m, const uint64_t seed[4], const u256 *key)
{
    if (m->n == m->cap) {
        if (m->cap >= SLOTMAP_MAX)
            return SLOT_NONE;
        uint32_t nc = m->cap ? m->cap * 2 : 8;
        struct slot *v = realloc(m->v, (size_t)nc * sizeof *v);
        if (!v)
            return SLOT_NONE;
        m->v = v;
        m->cap = nc;
    }
    if (!m->idx || (size_t)(m->n + 1) * 2 > (size_t)m->mask + 1) {
        uint32_t nb = m->idx ? (m->mask + 1) * 2 : 16;
        uint32_t *idx = calloc(nb, sizeof *idx);
        if (!idx)
            return SLOT_NONE;
        for (uint32_t k = 0; k < m->n; k++)
            slot_place(idx, nb - 1, seed, &m->v[k].key, k);
        free(m->idx);
        m->idx = idx;
        m->mask = nb - 1;
    }
    struct slot *sl = &m->v[m->n];
    memset(sl, 0, sizeof *sl);
    sl->key = *key;
    slot_place(m->idx, m->mask, seed, key, m->n);
    return m->n++;
}

void slotmap_free(struct slotmap *m)
{
    free(m->v);
    free(m->idx);
    memset(m, 0, sizeof *m);
}
