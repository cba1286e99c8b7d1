/*
 * code_cache.c — see code_cache.h. A two-way set-associative table under
 * one mutex: a lookup is a set index and at most two 32-byte compares; each
 * set remembers which way was used last and replaces the other.
 */
#include "state/code_cache.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"

struct slot {
    struct hash32 hash;
    uint8_t *code;      /* NULL: empty slot */
    size_t len;
};

#define WAYS 2u
#define SETS (CODE_CACHE_SLOTS / WAYS)

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct slot slots[SETS][WAYS];
static uint8_t last_used[SETS];   /* the way hit or filled last */

static unsigned set_of(const struct hash32 *h)
{
    return ((unsigned)h->b[0] << 8 | h->b[1]) % SETS;
}

int code_cache_get(const struct hash32 *h, uint8_t **code, size_t *len)
{
    *code = NULL;
    *len = 0;
    int rc = ERR_NOTFOUND;
    pthread_mutex_lock(&mu);
    unsigned set = set_of(h);
    for (unsigned w = 0; w < WAYS; w++) {
        struct slot *sl = &slots[set][w];
        if (!sl->code || !hash32_eq(&sl->hash, h))
            continue;
        uint8_t *c = malloc(sl->len);
        if (c) {
            memcpy(c, sl->code, sl->len);
            *code = c;
            *len = sl->len;
            last_used[set] = (uint8_t)w;
            rc = 0;
        } else {
            rc = ERR_NOMEM;
        }
        break;
    }
    pthread_mutex_unlock(&mu);
    return rc;
}

void code_cache_put(const struct hash32 *h, const uint8_t *code, size_t len)
{
    if (len == 0 || len > CODE_CACHE_MAX_LEN)
        return;
    uint8_t *c = malloc(len);
    if (!c)
        return;
    memcpy(c, code, len);
    pthread_mutex_lock(&mu);
    unsigned set = set_of(h);
    /* The way that holds h already, else an empty one, else the older. */
    unsigned w = WAYS;
    for (unsigned i = 0; i < WAYS && w == WAYS; i++)
        if (slots[set][i].code && hash32_eq(&slots[set][i].hash, h))
            w = i;
    for (unsigned i = 0; i < WAYS && w == WAYS; i++)
        if (!slots[set][i].code)
            w = i;
    if (w == WAYS)
        w = (last_used[set] + 1) % WAYS;
    struct slot *sl = &slots[set][w];
    uint8_t *old = sl->code;
    sl->hash = *h;
    sl->code = c;
    sl->len = len;
    last_used[set] = (uint8_t)w;
    pthread_mutex_unlock(&mu);
    free(old);
}

void code_cache_clear(void)
{
    pthread_mutex_lock(&mu);
    for (unsigned i = 0; i < SETS; i++)
        for (unsigned w = 0; w < WAYS; w++) {
            free(slots[i][w].code);
            memset(&slots[i][w], 0, sizeof slots[i][w]);
        }
    memset(last_used, 0, sizeof last_used);
    pthread_mutex_unlock(&mu);
}
