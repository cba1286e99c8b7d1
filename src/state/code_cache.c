/*
 * code_cache.c — see code_cache.h. A direct-mapped table under one mutex:
 * lookups are a hash index and a 32-byte compare, and the few contracts a
 * node runs again and again (the chief trio, popular tokens) rarely
 * collide in 128 slots; a collision costs one database read and one hash.
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

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct slot slots[CODE_CACHE_SLOTS];

static struct slot *slot_for(const struct hash32 *h)
{
    unsigned i = ((unsigned)h->b[0] << 8 | h->b[1]) % CODE_CACHE_SLOTS;
    return &slots[i];
}

int code_cache_get(const struct hash32 *h, uint8_t **code, size_t *len)
{
    *code = NULL;
    *len = 0;
    int rc = ERR_NOTFOUND;
    pthread_mutex_lock(&mu);
    struct slot *sl = slot_for(h);
    if (sl->code && hash32_eq(&sl->hash, h)) {
        uint8_t *c = malloc(sl->len);
        if (c) {
            memcpy(c, sl->code, sl->len);
            *code = c;
            *len = sl->len;
            rc = 0;
        } else {
            rc = ERR_NOMEM;
        }
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
    struct slot *sl = slot_for(h);
    uint8_t *old = sl->code;
    sl->hash = *h;
    sl->code = c;
    sl->len = len;
    pthread_mutex_unlock(&mu);
    free(old);
}

void code_cache_clear(void)
{
    pthread_mutex_lock(&mu);
    for (unsigned i = 0; i < CODE_CACHE_SLOTS; i++) {
        free(slots[i].code);
        memset(&slots[i], 0, sizeof slots[i]);
    }
    pthread_mutex_unlock(&mu);
}
