/*
 * analysis.c — jump-destination analysis and its cache (see analysis.h).
 *
 * The cache is an open-addressing table keyed by code hash (keccak output is
 * uniform, so its first 8 bytes are the slot hash), with linear probing,
 * grown at half load. Each analysis is its own allocation so that growing
 * the table never moves an analysis a running frame points to. Eviction is
 * all-or-nothing and only in trim, which runs between transactions: simple,
 * and a working set that fits stays warm.
 */
#include "evm/analysis.h"

#include <stdlib.h>
#include <string.h>

#include "util/err.h"

int code_analysis_build(struct code_analysis *a, const uint8_t *code, size_t len)
{
    if (len > ANALYSIS_MAX_CODE)
        return err_set(ERR_RANGE, "evm: code of %zu bytes", len);
    size_t words = len / 64 + 1;
    size_t code_part = (len + ANALYSIS_PAD + 7) & ~(size_t)7;
    size_t need = code_part + words * 8;
    if (need > a->cap) {
        uint8_t *nb = malloc(need);
        if (!nb)
            return err_set(ERR_NOMEM, "evm: code analysis of %zu bytes", len);
        free(a->buf);
        a->buf = nb;
        a->cap = need;
    }
    uint8_t *c = a->buf;
    if (len)
        memcpy(c, code, len);
    memset(c + len, 0, code_part - len);
    uint64_t *jd = (uint64_t *)(void *)(a->buf + code_part);
    memset(jd, 0, words * 8);
    for (size_t i = 0; i < len; i++) {
        uint8_t op = c[i];
        if (op == 0x5b)
            jd[i >> 6] |= (uint64_t)1 << (i & 63);
        else if (op >= 0x60 && op <= 0x7f)
            i += (size_t)(op - 0x5f);
    }
    a->code = c;
    a->code_len = len;
    a->jumpdest = jd;
    return 0;
}

void code_analysis_free(struct code_analysis *a)
{
    free(a->buf);
    *a = (struct code_analysis)CODE_ANALYSIS_INIT;
}

/* ---- cache ------------------------------------------------------------------ */

struct slot {
    struct hash32 key;
    struct code_analysis *an;    /* NULL: empty slot */
};

struct analysis_cache {
    struct slot *slots;
    size_t mask;                 /* slot count - 1 (a power of two) */
    size_t count;
    size_t bytes;
    size_t max_bytes;
};

#define CACHE_MIN_SLOTS 64

static size_t slot_of(const struct hash32 *h, size_t mask)
{
    uint64_t v;
    memcpy(&v, h->b, 8);
    return (size_t)v & mask;
}

int analysis_cache_new(size_t max_bytes, struct analysis_cache **out)
{
    struct analysis_cache *c = calloc(1, sizeof *c);
    if (!c)
        return err_set(ERR_NOMEM, "evm: analysis cache");
    c->slots = calloc(CACHE_MIN_SLOTS, sizeof *c->slots);
    if (!c->slots) {
        free(c);
        return err_set(ERR_NOMEM, "evm: analysis cache");
    }
    c->mask = CACHE_MIN_SLOTS - 1;
    c->max_bytes = max_bytes;
    *out = c;
    return 0;
}

static void clear_all(struct analysis_cache *c)
{
    for (size_t i = 0; i <= c->mask; i++) {
        if (c->slots[i].an) {
            code_analysis_free(c->slots[i].an);
            free(c->slots[i].an);
            c->slots[i].an = NULL;
        }
    }
    c->count = 0;
    c->bytes = 0;
}

void analysis_cache_free(struct analysis_cache *c)
{
    if (!c)
        return;
    clear_all(c);
    free(c->slots);
    free(c);
}

static int grow(struct analysis_cache *c)
{
    size_t n = (c->mask + 1) * 2;
    struct slot *ns = calloc(n, sizeof *ns);
    if (!ns)
        return err_set(ERR_NOMEM, "evm: analysis cache");
    for (size_t i = 0; i <= c->mask; i++) {
        if (!c->slots[i].an)
            continue;
        size_t j = slot_of(&c->slots[i].key, n - 1);
        while (ns[j].an)
            j = (j + 1) & (n - 1);
        ns[j] = c->slots[i];
    }
    free(c->slots);
    c->slots = ns;
    c->mask = n - 1;
    return 0;
}

int analysis_cache_get(struct analysis_cache *c, const struct hash32 *hash, const uint8_t *code,
                       size_t len, const struct code_analysis **out)
{
    size_t i = slot_of(hash, c->mask);
    while (c->slots[i].an) {
        if (hash32_eq(&c->slots[i].key, hash)) {
            *out = c->slots[i].an;
            return 0;
        }
        i = (i + 1) & c->mask;
    }
    if ((c->count + 1) * 2 > c->mask + 1) {
        int rc = grow(c);
        if (rc)
            return rc;
        i = slot_of(hash, c->mask);
        while (c->slots[i].an)
            i = (i + 1) & c->mask;
    }
    struct code_analysis *an = calloc(1, sizeof *an);
    if (!an)
        return err_set(ERR_NOMEM, "evm: code analysis");
    int rc = code_analysis_build(an, code, len);
    if (rc) {
        code_analysis_free(an);
        free(an);
        return rc;
    }
    c->slots[i].key = *hash;
    c->slots[i].an = an;
    c->count++;
    c->bytes += an->cap + sizeof *an;
    *out = an;
    return 0;
}

void analysis_cache_trim(struct analysis_cache *c, size_t max_bytes)
{
    if (c->bytes > (max_bytes ? max_bytes : c->max_bytes))
        clear_all(c);
}

size_t analysis_cache_count(const struct analysis_cache *c)
{
    return c->count;
}
