/*
 * state_storage.c — contract storage: the per-object slot cache in front of
 * the account's secure storage trie, and the flush of finalized slots into
 * that trie when a root is requested.
 *
 * Why this shape: SLOAD and SSTORE hit the cache (one hash-map probe after
 * the account lookup); the trie is read once per slot and written only when
 * a root is needed. Each slot keeps the value at the start of the
 * transaction (EIP-1283 "original") next to the current one, so net gas
 * metering needs no second lookup. The storage trie maps keccak256(slot as
 * 32 big-endian bytes) to the RLP of the value's minimal big-endian bytes;
 * a zero value is a deletion.
 *
 * An object created in this state (a new account, or CREATE over an
 * existing address) starts with the empty root and no trie, so it never
 * reads the storage of a previous incarnation.
 */
#include <stdlib.h>
#include <string.h>

#include "primitives/rlp.h"
#include "state/state_internal.h"

struct slot *obj_slot_find(const struct state *s, struct obj *o, const u256 *key)
{
    uint32_t i = slotmap_find(&o->slots, s->seed, key);
    return i == SLOT_NONE ? NULL : &o->slots.v[i];
}

/* A stored value: the RLP string of at most 32 big-endian bytes (leading
 * zeros are tolerated, as geth reads them). */
static int decode_value(const uint8_t *p, size_t n, u256 *out)
{
    struct rlp_item it;
    int rc = rlp_decode(p, n, &it);
    if (rc == 0 && (it.is_list || it.payload_len > 32))
        rc = err_set(ERR_DECODE, "storage value is not a string of at most 32 bytes");
    if (rc == 0)
        rc = u256_from_be(out, it.payload, it.payload_len);
    return rc;
}

/* Reads key from o's storage trie (zero when absent or on error). */
static void slot_read(struct state *s, struct obj *o, const u256 *key, u256 *out)
{
    *out = u256_from_u64(0);
    if (!o->strie && memcmp(o->storage_root, TRIE_EMPTY_ROOT, 32) == 0)
        return;
    uint8_t k[32];
    u256_to_be(key, k);
    const uint8_t *val;
    size_t vlen = 0;
    int rc = obj_open_storage(s, o);
    if (rc == 0)
        rc = trie_get(o->strie, k, 32, &val, &vlen);
    if (rc == 0 && vlen)
        rc = decode_value(val, vlen, out);
    if (rc) {
        *out = u256_from_u64(0);
        char hex[ADDRESS_HEX_SIZE];
        address_to_hex(&o->acct->addr, hex);
        state_fail(s, err_wrap(rc, "state: storage of %s", hex));
    }
}

/* The slot of key, read from the trie and cached on first use. NULL only
 * when out of memory (sticky error set). */
static struct slot *slot_get(struct state *s, struct obj *o, const u256 *key)
{
    uint32_t i = slotmap_find(&o->slots, s->seed, key);
    if (i != SLOT_NONE)
        return &o->slots.v[i];
    u256 v;
    slot_read(s, o, key, &v);
    i = slotmap_insert(&o->slots, s->seed, key);
    if (i == SLOT_NONE) {
        state_fail(s, err_set(ERR_NOMEM, "state: storage slot cache"));
        return NULL;
    }
    struct slot *sl = &o->slots.v[i];
    sl->committed = v;
    sl->current = v;
    return sl;
}

void state_get_storage(struct state *s, const struct address *a, const u256 *key, u256 *out)
{
    struct obj *o = state_obj(s, a);
    const struct slot *sl = o ? slot_get(s, o, key) : NULL;
    *out = sl ? sl->current : u256_from_u64(0);
}

void state_get_committed_storage(struct state *s, const struct address *a, const u256 *key,
                                 u256 *out)
{
    struct obj *o = state_obj(s, a);
    const struct slot *sl = o ? slot_get(s, o, key) : NULL;
    *out = sl ? sl->committed : u256_from_u64(0);
}

void state_set_storage(struct state *s, const struct address *a, const u256 *key,
                       const u256 *val)
{
    struct obj *o = state_obj_mut(s, a);
    struct slot *sl = o ? slot_get(s, o, key) : NULL;
    if (!sl || u256_eq(&sl->current, val))
        return;
    struct jentry e = {.kind = J_STORAGE, .acct = o->acct, .u.slot = {*key, sl->current}};
    if (journal_push(s, &e) == 0)
        sl->current = *val;
}

int obj_slot_pending(struct state *s, struct obj *o, uint32_t idx)
{
    struct slot *sl = &o->slots.v[idx];
    if (sl->flags & SLOT_PENDING)
        return 0;
    size_t cap = o->cpending;
    uint32_t *p = state_grow(o->pending, &cap, (size_t)o->npending + 1, sizeof *p);
    if (!p)
        return state_fail(s, ERR_NOMEM);
    o->pending = p;
    o->cpending = (uint32_t)cap;
    p[o->npending++] = idx;
    sl->flags |= SLOT_PENDING;
    return 0;
}

void state_get_storage_root(struct state *s, const struct address *a, struct hash32 *out)
{
    struct obj *o = state_obj(s, a);
    memset(out, 0, sizeof *out);
    if (!o)
        return;
    int rc = obj_flush_storage(s, o);
    if (rc) {
        char hex[ADDRESS_HEX_SIZE];
        address_to_hex(a, hex);
        state_fail(s, err_wrap(rc, "state: storage root of %s", hex));
        return;
    }
    memcpy(out->b, o->storage_root, 32);
}

bool state_has_storage(struct state *s, const struct address *a)
{
    struct hash32 h;
    state_get_storage_root(s, a, &h);
    return !hash32_is_zero(&h) && memcmp(h.b, TRIE_EMPTY_ROOT, 32) != 0;
}

int obj_flush_storage(struct state *s, struct obj *o)
{
    if (!o->npending)
        return 0;
    int rc = obj_open_storage(s, o);
    struct bytes enc = BYTES_INIT;
    for (uint32_t i = 0; i < o->npending && rc == 0; i++) {
        struct slot *sl = &o->slots.v[o->pending[i]];
        sl->flags &= ~SLOT_PENDING;
        uint8_t k[32];
        u256_to_be(&sl->key, k);
        if (u256_iszero(&sl->committed)) {
            rc = trie_delete(o->strie, k, 32);
        } else {
            bytes_reset(&enc);
            rlp_put_u256(&enc, &sl->committed);
            rc = bytes_ok(&enc);
            if (rc == 0)
                rc = trie_put(o->strie, k, 32, enc.data, enc.len);
        }
    }
    bytes_free(&enc);
    o->npending = 0;
    if (rc == 0)
        rc = trie_root_hash(o->strie, o->storage_root);
    o->strie_dirty = true;
    if (rc == 0 && s->has_store)
        rc = state_list_add(s, &s->uncommitted, &s->nuncommitted, &s->cuncommitted, o->acct,
                            ACCT_IN_UNCOMMITTED);
    return rc;
}
