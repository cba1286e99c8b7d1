/*
 * peer_known.c — see peer_known.h. The index maps a hash to its ring
 * position; removing the oldest entry when the ring wraps uses backward-
 * shift deletion, so no tombstones accumulate and probes stay short.
 */
#include "net/peer_known.h"

#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"

static size_t slot_of(const struct peer_known *k, const struct hash32 *h)
{
    uint64_t v;
    memcpy(&v, h->b, 8);
    v ^= k->seed;
    v *= 0x9e3779b97f4a7c15ull;
    v ^= v >> 29;
    return (size_t)(v & (k->nslots - 1));
}

int peer_known_init(struct peer_known *k, size_t cap)
{
    memset(k, 0, sizeof *k);
    if (cap == 0 || cap > PEER_KNOWN_MAX)
        return err_set(ERR_RANGE, "known set: capacity %zu outside 1..%u", cap, PEER_KNOWN_MAX);
    size_t slots = 2;
    while (slots < 2 * cap)
        slots <<= 1;
    k->ring = calloc(cap, sizeof *k->ring);
    k->index = calloc(slots, sizeof *k->index);
    if (!k->ring || !k->index) {
        peer_known_free(k);
        return err_set(ERR_NOMEM, "known set: out of memory");
    }
    k->cap = cap;
    k->nslots = slots;
    if (RAND_bytes((unsigned char *)&k->seed, sizeof k->seed) != 1)
        k->seed = (uint64_t)(uintptr_t)k ^ 0x5bd1e995u;
    return 0;
}

/* The index slot holding h, or nslots when absent. */
static size_t find(const struct peer_known *k, const struct hash32 *h)
{
    if (!k->nslots)
        return 0;
    size_t mask = k->nslots - 1;
    for (size_t s = slot_of(k, h);; s = (s + 1) & mask) {
        uint32_t e = k->index[s];
        if (e == 0)
            return k->nslots;
        if (!memcmp(k->ring[e - 1].b, h->b, 32))
            return s;
    }
}

bool peer_known_has(const struct peer_known *k, const struct hash32 *h)
{
    return k->nslots && find(k, h) != k->nslots;
}

/* Empties slot s and shifts the following run back (Knuth's algorithm R). */
static void delete_slot(struct peer_known *k, size_t s)
{
    size_t mask = k->nslots - 1;
    size_t hole = s;
    for (size_t j = (s + 1) & mask; k->index[j]; j = (j + 1) & mask) {
        size_t home = slot_of(k, &k->ring[k->index[j] - 1]);
        /* Move j into the hole unless its home lies cyclically in (hole, j]. */
        bool stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
        if (!stays) {
            k->index[hole] = k->index[j];
            hole = j;
        }
    }
    k->index[hole] = 0;
}

void peer_known_add(struct peer_known *k, const struct hash32 *h)
{
    if (!k->nslots || find(k, h) != k->nslots)
        return;
    size_t pos;
    if (k->count < k->cap) {
        pos = (k->head + k->count) % k->cap;
        k->count++;
    } else {
        pos = k->head;  /* the oldest */
        size_t s = find(k, &k->ring[pos]);
        if (s != k->nslots)
            delete_slot(k, s);
        k->head = (k->head + 1) % k->cap;
    }
    k->ring[pos] = *h;
    size_t mask = k->nslots - 1;
    size_t s = slot_of(k, h);
    while (k->index[s])
        s = (s + 1) & mask;
    k->index[s] = (uint32_t)(pos + 1);
}

size_t peer_known_count(const struct peer_known *k)
{
    return k->count;
}

void peer_known_free(struct peer_known *k)
{
    free(k->ring);
    free(k->index);
    memset(k, 0, sizeof *k);
}
