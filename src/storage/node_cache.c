/*
 * node_cache.c — see node_cache.h. Each slot holds its node inline (no
 * allocation per put); a slot's lock is one of NODE_CACHE_LOCKS, chosen by
 * the slot index, so readers on different paths rarely wait for each other.
 */
#include "storage/node_cache.h"

#include <pthread.h>
#include <string.h>

#include "util/err.h"

#define NODE_CACHE_LOCKS 64u

struct slot {
    uint8_t hash[32];
    uint16_t len;       /* 0: empty */
    uint8_t node[NODE_CACHE_MAX_LEN];
};

static struct slot *slots;
static pthread_mutex_t locks[NODE_CACHE_LOCKS];
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* The table is allocated on first use and lives as long as the process:
 * untouched pages cost no memory. */
static void init(void)
{
    for (unsigned i = 0; i < NODE_CACHE_LOCKS; i++)
        pthread_mutex_init(&locks[i], NULL);
    static struct slot table[NODE_CACHE_SLOTS];
    slots = table;
}

static unsigned index_of(const uint8_t hash[32])
{
    uint32_t v = (uint32_t)hash[0] << 24 | (uint32_t)hash[1] << 16 | (uint32_t)hash[2] << 8 |
                 hash[3];
    return v % NODE_CACHE_SLOTS;
}

int node_cache_get(const uint8_t hash[32], uint8_t *buf, size_t cap, size_t *len)
{
    pthread_once(&once, init);
    unsigned i = index_of(hash);
    pthread_mutex_t *mu = &locks[i % NODE_CACHE_LOCKS];
    int rc = ERR_NOTFOUND;
    pthread_mutex_lock(mu);
    struct slot *s = &slots[i];
    if (s->len && s->len <= cap && memcmp(s->hash, hash, 32) == 0) {
        memcpy(buf, s->node, s->len);
        *len = s->len;
        rc = 0;
    }
    pthread_mutex_unlock(mu);
    return rc;
}

void node_cache_put(const uint8_t hash[32], const uint8_t *node, size_t len)
{
    if (len == 0 || len > NODE_CACHE_MAX_LEN)
        return;
    pthread_once(&once, init);
    unsigned i = index_of(hash);
    pthread_mutex_t *mu = &locks[i % NODE_CACHE_LOCKS];
    pthread_mutex_lock(mu);
    struct slot *s = &slots[i];
    memcpy(s->hash, hash, 32);
    memcpy(s->node, node, len);
    s->len = (uint16_t)len;
    pthread_mutex_unlock(mu);
}

void node_cache_clear(void)
{
    pthread_once(&once, init);
    for (unsigned i = 0; i < NODE_CACHE_SLOTS; i++) {
        pthread_mutex_t *mu = &locks[i % NODE_CACHE_LOCKS];
        pthread_mutex_lock(mu);
        slots[i].len = 0;
        pthread_mutex_unlock(mu);
    }
}
