/* logfilter.c — log filter criteria; see logfilter.h. */
#include "rpc/logfilter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/hex.h"

/* Decodes a 0x-prefixed hex string of exactly n bytes. */
static bool fixed_hex(const json_t *v, uint8_t *out, size_t n)
{
    if (!json_is_string(v))
        return false;
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    if (len != 2 + 2 * n || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
        return false;
    return hex_decode_exact(s, len, out, n) == 0;
}

static int fail(char *msg, size_t cap, int code, const char *text)
{
    snprintf(msg, cap, "%s", text);
    return code;
}

int logfilter_parse(const json_t *criteria, struct logfilter *f, char *msg, size_t cap)
{
    memset(f, 0, sizeof *f);
    if (!criteria || json_is_null(criteria))
        return 0;
    if (!json_is_object(criteria))
        return fail(msg, cap, ERR_INVAL, "filter criteria must be an object");

    json_t *addr = json_object_get(criteria, "address");
    if (addr && !json_is_null(addr)) {
        size_t n = json_is_array(addr) ? json_array_size(addr) : 1;
        if (!json_is_array(addr) && !json_is_string(addr))
            return fail(msg, cap, ERR_INVAL, "invalid address: expected an address or a list");
        if (n > LOGFILTER_MAX_ADDRESSES)
            return fail(msg, cap, ERR_RANGE, "exceed max addresses");
        if (n) {
            f->addrs = calloc(n, sizeof *f->addrs);
            if (!f->addrs)
                return ERR_NOMEM;
        }
        for (size_t i = 0; i < n; i++) {
            json_t *a = json_is_array(addr) ? json_array_get(addr, i) : addr;
            if (!fixed_hex(a, f->addrs[i], 20)) {
                logfilter_free(f);
                return fail(msg, cap, ERR_INVAL, "invalid address: expected 20 bytes of hex");
            }
        }
        f->naddr = n;
    }

    json_t *topics = json_object_get(criteria, "topics");
    if (topics && !json_is_null(topics)) {
        if (!json_is_array(topics)) {
            logfilter_free(f);
            return fail(msg, cap, ERR_INVAL, "invalid topics: expected a list");
        }
        if (json_array_size(topics) > LOGFILTER_POSITIONS) {
            logfilter_free(f);
            return fail(msg, cap, ERR_RANGE, "exceed max topics");
        }
        f->npos = json_array_size(topics);
        for (size_t p = 0; p < f->npos; p++) {
            json_t *t = json_array_get(topics, p);
            if (json_is_null(t))
                continue;
            size_t n = json_is_array(t) ? json_array_size(t) : 1;
            if (!json_is_array(t) && !json_is_string(t)) {
                logfilter_free(f);
                return fail(msg, cap, ERR_INVAL, "invalid topic: expected a topic, a list "
                                                 "or null");
            }
            if (n > LOGFILTER_MAX_ALTERNATIVES) {
                logfilter_free(f);
                return fail(msg, cap, ERR_RANGE, "exceed max topics in one position");
            }
            /* a null inside a list makes the whole position a wildcard */
            bool any = false;
            for (size_t i = 0; json_is_array(t) && i < n; i++)
                any |= json_is_null(json_array_get(t, i));
            if (any || n == 0)
                continue;
            f->pos[p].topics = calloc(n, sizeof *f->pos[p].topics);
            if (!f->pos[p].topics) {
                logfilter_free(f);
                return ERR_NOMEM;
            }
            f->pos[p].n = n;
            for (size_t i = 0; i < n; i++) {
                json_t *v = json_is_array(t) ? json_array_get(t, i) : t;
                if (!fixed_hex(v, f->pos[p].topics[i], 32)) {
                    logfilter_free(f);
                    return fail(msg, cap, ERR_INVAL, "invalid topic: expected 32 bytes of hex");
                }
            }
        }
    }
    return 0;
}

bool logfilter_match(const struct logfilter *f, const uint8_t addr[20],
                     const uint8_t (*topics)[32], size_t ntopics)
{
    if (f->naddr) {
        bool hit = false;
        for (size_t i = 0; i < f->naddr && !hit; i++)
            hit = memcmp(f->addrs[i], addr, 20) == 0;
        if (!hit)
            return false;
    }
    if (f->npos > ntopics)
        return false;
    for (size_t p = 0; p < f->npos; p++) {
        if (f->pos[p].n == 0)
            continue;
        bool hit = false;
        for (size_t i = 0; i < f->pos[p].n && !hit; i++)
            hit = memcmp(f->pos[p].topics[i], topics[p], 32) == 0;
        if (!hit)
            return false;
    }
    return true;
}

bool logfilter_match_json(const struct logfilter *f, const json_t *log)
{
    uint8_t addr[20];
    uint8_t topics[LOGFILTER_POSITIONS][32];
    if (!fixed_hex(json_object_get(log, "address"), addr, 20))
        return false;
    json_t *t = json_object_get(log, "topics");
    if (!json_is_array(t))
        return false;
    size_t n = json_array_size(t);
    size_t need = n < LOGFILTER_POSITIONS ? n : LOGFILTER_POSITIONS;
    for (size_t i = 0; i < need; i++)
        if (!fixed_hex(json_array_get(t, i), topics[i], 32))
            return false;
    return logfilter_match(f, addr, (const uint8_t(*)[32])topics, need);
}

bool logfilter_match_log(const struct logfilter *f, const struct log *l)
{
    uint8_t topics[LOGFILTER_POSITIONS][32];
    size_t n = l->topic_count < LOGFILTER_POSITIONS ? l->topic_count : LOGFILTER_POSITIONS;
    for (size_t i = 0; i < n; i++)
        memcpy(topics[i], l->topics[i].b, 32);
    return logfilter_match(f, l->address.b, (const uint8_t(*)[32])topics, n);
}

bool logfilter_bloom_match(const struct logfilter *f, const struct bloom *bl)
{
    if (f->naddr) {
        bool hit = false;
        for (size_t i = 0; i < f->naddr && !hit; i++)
            hit = bloom_test(bl, f->addrs[i], 20);
        if (!hit)
            return false;
    }
    for (size_t p = 0; p < f->npos; p++) {
        if (f->pos[p].n == 0)
            continue;
        bool hit = false;
        for (size_t i = 0; i < f->pos[p].n && !hit; i++)
            hit = bloom_test(bl, f->pos[p].topics[i], 32);
        if (!hit)
            return false;
    }
    return true;
}

int logfilter_copy(struct logfilter *dst, const struct logfilter *src)
{
    memset(dst, 0, sizeof *dst);
    if (src->naddr) {
        dst->addrs = malloc(src->naddr * sizeof *dst->addrs);
        if (!dst->addrs)
            return ERR_NOMEM;
        memcpy(dst->addrs, src->addrs, src->naddr * sizeof *dst->addrs);
        dst->naddr = src->naddr;
    }
    dst->npos = src->npos;
    for (size_t p = 0; p < src->npos; p++) {
        size_t n = src->pos[p].n;
        if (!n)
            continue;
        dst->pos[p].topics = malloc(n * sizeof *dst->pos[p].topics);
        if (!dst->pos[p].topics) {
            logfilter_free(dst);
            return ERR_NOMEM;
        }
        memcpy(dst->pos[p].topics, src->pos[p].topics, n * sizeof *dst->pos[p].topics);
        dst->pos[p].n = n;
    }
    return 0;
}

void logfilter_free(struct logfilter *f)
{
    free(f->addrs);
    for (size_t p = 0; p < LOGFILTER_POSITIONS; p++)
        free(f->pos[p].topics);
    memset(f, 0, sizeof *f);
}
