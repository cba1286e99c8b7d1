/*
 * secure_key.c — see secure_key.h.
 */
#include "trie/secure_key.h"

#include <stdbool.h>
#include <string.h>

#include "crypto/keccak.h"

struct slot {
    uint8_t klen;               /* 0: empty (an empty key is never stored) */
    uint8_t key[32];
    uint8_t hash[32];
};

static _Thread_local struct slot slots[SECURE_KEY_SLOTS];

/* FNV-1a over the key: storage slots are mostly small numbers left-padded
 * with zeros, so every byte must count. */
static size_t slot_index(const uint8_t *key, size_t klen)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < klen; i++)
        h = (h ^ key[i]) * 16777619u;
    return (h ^ (h >> 16)) % SECURE_KEY_SLOTS;
}

void secure_key_hash(const uint8_t *key, size_t klen, uint8_t out[32])
{
    if (klen == 0 || klen > 32) {
        keccak256(key, klen, out);
        return;
    }
    struct slot *s = &slots[slot_index(key, klen)];
    if (s->klen == klen && memcmp(s->key, key, klen) == 0) {
        memcpy(out, s->hash, 32);
        return;
    }
    keccak256(key, klen, out);
    s->klen = (uint8_t)klen;
    memcpy(s->key, key, klen);
    memcpy(s->hash, out, 32);
}
