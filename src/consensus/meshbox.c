/*
 * meshbox.c — MeshBox contribution weighting: weights, the weighted draw,
 * the candidate list and the registry reads; see meshbox.h.
 *
 * The file follows doc/meshbox.md in its order: §4 weights, §5.2 draw,
 * §5.1 candidates, then the reads that feed them. The pure part never
 * allocates except the candidate arrays it returns; the membership test of
 * §5.1 sorts a copy of POC's list once and binary-searches it, so a block
 * costs O((|registry| + |normal|) log |normal|) comparisons however long
 * both lists are. Every length read from the EVM's output is bounded before
 * anything is allocated for it.
 */
#include "consensus/meshbox.h"

#include <stdlib.h>
#include <string.h>

#include "consensus/tribe_engine.h"
#include "crypto/keccak.h"
#include "primitives/u256.h"
#include "util/err.h"

const uint8_t MESHBOX_SEL_GET_EPOCH_TOTALS[4] = {0xdc, 0x3e, 0x21, 0xf3};
const uint8_t MESHBOX_SEL_GET_MESHBOX_LIST[4] = {0x3e, 0xc7, 0xee, 0xd1};
const uint8_t MESHBOX_SEL_EPOCH_LENGTH[4] = {0x57, 0xd7, 0x75, 0xf8};

void meshbox_set_free(struct meshbox_set *s)
{
    if (!s)
        return;
    free(s->boxes);
    free(s->totals);
    free(s->weights);
    memset(s, 0, sizeof *s);
}

uint64_t meshbox_epoch_of(const struct chain_params *p, uint64_t n)
{
    return p->meshbox_epoch ? n / p->meshbox_epoch : 0;
}

/* ---- §4 weights ----------------------------------------------------------- */

int meshbox_weights(const u256 *totals, size_t n, uint64_t *w, uint64_t *sum)
{
    if (n > MESHBOX_MAX_CANDIDATES)
        return err_set(ERR_RANGE, "meshbox: %zu candidates (max %u)", n, MESHBOX_MAX_CANDIDATES);
    u256 c = u256_from_u64(0);
    for (size_t i = 0; i < n; i++)
        if (u256_add_overflow(&c, &c, &totals[i]))
            return err_set(ERR_RANGE, "meshbox: contribution totals overflow 256 bits");
    u256 scale = u256_from_u64(MESHBOX_WEIGHT_SCALE), scaled_c;
    if (u256_mul_overflow(&scaled_c, &c, &scale))
        return err_set(ERR_RANGE, "meshbox: 1000 x the contribution total overflows 256 bits");
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t wi = 1;
        if (!u256_is_zero(&c)) {
            /* 1000 · c_i ≤ 1000 · C, which fits; the quotient is ≤ 1000. */
            u256 num, q;
            u256_mul(&num, &totals[i], &scale);
            u256_div(&q, &num, &c);
            wi += q.w[0];
        }
        w[i] = wi;
        total += wi;
    }
    if (sum)
        *sum = total;
    return 0;
}

/* ---- §5.2 the draw -------------------------------------------------------- */

int meshbox_draw(const uint64_t *w, size_t n, const uint8_t vrf[32], uint64_t number,
                 size_t *index, uint64_t *r)
{
    if (n == 0)
        return err_set(ERR_INVAL, "meshbox draw: no candidates");
    if (n > MESHBOX_MAX_CANDIDATES)
        return err_set(ERR_INVAL, "meshbox draw: %zu candidates (max %u)", n,
                       MESHBOX_MAX_CANDIDATES);
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++) {
        /* each w ≤ 2^32 keeps the sum of 4096 of them far from 2^64 */
        if (w[i] == 0 || w[i] > UINT32_MAX)
            return err_set(ERR_INVAL, "meshbox draw: weight %zu is %llu", i,
                           (unsigned long long)w[i]);
        total += w[i];
    }
    uint8_t in[MESHBOX_DRAW_INPUT_LEN], x[32];
    memcpy(in, vrf, 32);
    for (int k = 0; k < 8; k++)
        in[32 + k] = (uint8_t)(number >> (56 - 8 * k));
    keccak256(in, sizeof in, x);
    u256 xv, wv = u256_from_u64(total), rv;
    u256_from_be(&xv, x, 32);
    u256_mod(&rv, &xv, &wv);
    uint64_t drawn = rv.w[0], acc = 0;
    for (size_t i = 0; i < n; i++) {
        acc += w[i];
        if (drawn < acc) {
            *index = i;
            if (r)
                *r = drawn;
            return 0;
        }
    }
    /* unreachable: drawn < total = acc after the loop */
    return err_set(ERR_INVAL, "meshbox draw: no winner");
}

/* ---- §5.1 candidates ------------------------------------------------------ */

static int cmp_address(const void *a, const void *b)
{
    return memcmp(a, b, sizeof(struct address));
}

int meshbox_candidates(const struct address *boxes, const u256 *totals, size_t nboxes,
                       const struct address *normal, size_t nnormal, struct meshbox_set *out)
{
    memset(out, 0, sizeof *out);
    if (nboxes > MESHBOX_MAX_CANDIDATES || nnormal > MESHBOX_MAX_CANDIDATES)
        return err_set(ERR_RANGE, "meshbox: lists of %zu boxes and %zu stakers (max %u)",
                       nboxes, nnormal, MESHBOX_MAX_CANDIDATES);
    if (nboxes == 0 || nnormal == 0)
        return 0;
    struct address *sorted = malloc(nnormal * sizeof *sorted);
    struct address *b = malloc(nboxes * sizeof *b);
    u256 *t = malloc(nboxes * sizeof *t);
    uint64_t *w = malloc(nboxes * sizeof *w);
    int rc = 0;
    if (!sorted || !b || !t || !w) {
        rc = err_set(ERR_NOMEM, "meshbox: candidates of %zu boxes", nboxes);
        goto fail;
    }
    memcpy(sorted, normal, nnormal * sizeof *sorted);
    qsort(sorted, nnormal, sizeof *sorted, cmp_address);
    size_t k = 0;
    for (size_t i = 0; i < nboxes; i++) {
        if (!bsearch(&boxes[i], sorted, nnormal, sizeof *sorted, cmp_address))
            continue;
        b[k] = boxes[i];
        t[k] = totals ? totals[i] : u256_from_u64(0);
        k++;
    }
    free(sorted);
    sorted = NULL;
    if (k == 0)
        goto fail; /* rc = 0: an empty set */
    rc = meshbox_weights(t, k, w, &out->total_weight);
    if (rc)
        goto fail;
    out->boxes = b;
    out->totals = t;
    out->weights = w;
    out->n = k;
    return 0;
fail:
    free(sorted);
    free(b);
    free(t);
    free(w);
    out->total_weight = 0;
    return rc;
}

/* ---- reads ----------------------------------------------------------------- */

/* A 32-byte ABI word as a number ≤ max; false when above. */
static bool abi_word(const uint8_t *w, uint64_t max, uint64_t *out)
{
    uint64_t v;
    if (!u256_word_u64(w, &v) || v > max)
        return false;
    *out = v;
    return true;
}

/* The offset and length of the dynamic array whose head word is slot
 * `slot` of the tuple, checked to lie inside len with 32-byte elements. */
static int abi_array(const uint8_t *out, size_t len, unsigned slot, uint64_t *data,
                     uint64_t *count)
{
    uint64_t head = (uint64_t)slot * 32, off;
    if (head + 32 > len || !abi_word(out + head, len, &off) || off + 32 > len)
        return err_set(ERR_INVAL, "getEpochTotals: no array at slot %u of %zu bytes", slot, len);
    if (!abi_word(out + off, UINT32_MAX, count))
        return err_set(ERR_INVAL, "getEpochTotals: array length out of range");
    if (*count > MESHBOX_MAX_CANDIDATES)
        return err_set(ERR_RANGE, "getEpochTotals: %llu entries (max %u)",
                       (unsigned long long)*count, MESHBOX_MAX_CANDIDATES);
    if (off + 32 + *count * 32 > len)
        return err_set(ERR_INVAL, "getEpochTotals: array of %llu runs past the output",
                       (unsigned long long)*count);
    *data = off + 32;
    return 0;
}

int meshbox_decode_epoch_totals(const uint8_t *out, size_t len, struct address **boxes,
                                u256 **totals, size_t *n)
{
    *boxes = NULL;
    *totals = NULL;
    *n = 0;
    uint64_t boff, bcount, toff, tcount;
    int rc = abi_array(out, len, 0, &boff, &bcount);
    rc = rc ? rc : abi_array(out, len, 1, &toff, &tcount);
    if (rc)
        return rc;
    if (bcount != tcount)
        return err_set(ERR_INVAL, "getEpochTotals: %llu boxes but %llu totals",
                       (unsigned long long)bcount, (unsigned long long)tcount);
    if (bcount == 0)
        return 0;
    struct address *b = malloc((size_t)bcount * sizeof *b);
    u256 *t = malloc((size_t)bcount * sizeof *t);
    if (!b || !t) {
        free(b);
        free(t);
        return err_set(ERR_NOMEM, "getEpochTotals: %llu entries", (unsigned long long)bcount);
    }
    for (uint64_t i = 0; i < bcount; i++) {
        /* an address is the last 20 bytes of its word (as go-ethereum reads it) */
        memcpy(b[i].b, out + boff + 32 * i + 12, ADDRESS_LEN);
        u256_from_be(&t[i], out + toff + 32 * i, 32);
    }
    *boxes = b;
    *totals = t;
    *n = (size_t)bcount;
    return 0;
}

/* The registry's boxes and totals for block n (doc §5.1). */
static int read_registry(const struct chain_params *p, struct evm *evm, struct state *st,
                         const struct header *parent, uint64_t epoch, struct address **boxes,
                         u256 **totals, size_t *n)
{
    *boxes = NULL;
    *totals = NULL;
    *n = 0;
    if (epoch < 2) /* no closed epoch: the list, every total 0 */
        return tribe_read_addresses(p, evm, st, parent, &p->meshbox_registry,
                                    MESHBOX_SEL_GET_MESHBOX_LIST, 0, boxes, n);
    uint8_t in[4 + 32] = {0};
    memcpy(in, MESHBOX_SEL_GET_EPOCH_TOTALS, 4);
    uint64_t closed = epoch - 2;
    for (int k = 0; k < 8; k++)
        in[28 + k] = (uint8_t)(closed >> (56 - 8 * k));
    uint8_t *out;
    size_t len;
    int rc = tribe_call_view(p, evm, st, parent, &p->meshbox_registry, in, sizeof in, &out,
                             &len);
    if (rc)
        return rc;
    rc = meshbox_decode_epoch_totals(out, len, boxes, totals, n);
    free(out);
    return rc;
}

int meshbox_load(const struct chain_params *p, struct evm *evm, struct state *st,
                 const struct header *parent, const struct address *normal, size_t nnormal,
                 struct meshbox_set *out)
{
    memset(out, 0, sizeof *out);
    uint64_t n = parent->number + 1;
    uint64_t epoch = meshbox_epoch_of(p, n);
    struct address *boxes = NULL, *own_normal = NULL;
    u256 *totals = NULL;
    size_t nboxes = 0;
    int rc = read_registry(p, evm, st, parent, epoch, &boxes, &totals, &nboxes);
    if (!rc && !normal) {
        rc = tribe_read_addresses(p, evm, st, parent, &p->poc, TRIBE_SEL_GET_NORMAL_LIST, 0,
                                  &own_normal, &nnormal);
        normal = own_normal;
    }
    if (!rc)
        rc = meshbox_candidates(boxes, totals, nboxes, normal, nnormal, out);
    free(boxes);
    free(totals);
    free(own_normal);
    if (rc)
        return err_wrap(rc, "block %llu: MeshBox candidates", (unsigned long long)n);
    out->epoch = epoch;
    out->closed = epoch >= 2;
    return 0;
}

int meshbox_pick(const struct meshbox_set *s, const uint8_t vrf[32], uint64_t number,
                 struct address *volunteer, size_t *index, uint64_t *r)
{
    size_t i;
    int rc = meshbox_draw(s->weights, s->n, vrf, number, &i, r);
    if (rc)
        return rc;
    *volunteer = s->boxes[i];
    if (index)
        *index = i;
    return 0;
}

int meshbox_check_registry(const struct chain_params *p, struct evm *evm, struct state *st,
                           const struct header *head)
{
    if (p->meshbox_weighting_block == CHAIN_NEVER)
        return 0;
    uint8_t *out;
    size_t len;
    int rc = tribe_call_view(p, evm, st, head, &p->meshbox_registry, MESHBOX_SEL_EPOCH_LENGTH, 4,
                             &out, &len);
    if (rc)
        return err_wrap(rc == ERR_NOMEM ? rc : ERR_INVAL, "MeshBox registry: epochLength()");
    uint64_t v = 0;
    bool ok = len == 32 && abi_word(out, UINT64_MAX, &v) && v == p->meshbox_epoch;
    free(out);
    if (!ok)
        return err_set(ERR_INVAL,
                       "MeshBox registry: epochLength() is not meshbox_epoch %llu (got %llu)",
                       (unsigned long long)p->meshbox_epoch, (unsigned long long)v);
    return 0;
}
