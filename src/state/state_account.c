/*
 * state_account.c — accounts: loading them from the account trie, the life
 * of an account object (new, replaced, freed), code, and the public account
 * API (balance, nonce, code, existence, create, touch, self-destruct).
 *
 * The rules are geth's core/state, which defines consensus for Spectrum:
 *  - every mutator first creates a missing account (getOrNewStateObject),
 *    journaled, so a zero-value transfer to a new address creates it (it is
 *    only deleted again under EIP-158 because it is empty and touched);
 *  - adding zero touches the account when it is empty, nothing more;
 *    subtracting zero changes nothing;
 *  - self-destruct flags the account and zeroes its balance (the EVM has
 *    moved it to the beneficiary first);
 *  - a touch of the RIPEMD-160 precompile (0x…03) leaves the account dirty
 *    even when the touch is reverted: geth behaved so on Ethereum mainnet
 *    and consensus kept it (geth's stateObject.touch, "ripemd").
 * An account is read from the trie once; a missing account is cached as
 * absent, so repeated BALANCE/EXTCODESIZE on empty addresses cost one map
 * lookup.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/keccak.h"
#include "primitives/rlp.h"
#include "state/code_cache.h"
#include "state/state_internal.h"

/* keccak256("") */
const struct hash32 STATE_EMPTY_CODE_HASH = {{
    0xc5, 0xd2, 0x46, 0x01, 0x86, 0xf7, 0x23, 0x3c, 0x92, 0x7e, 0x7d, 0xb2, 0xdc, 0xc7, 0x03, 0xc0,
    0xe5, 0x00, 0xb6, 0x53, 0xca, 0x82, 0x27, 0x3b, 0x7b, 0xfa, 0xd8, 0x04, 0x5d, 0x85, 0xa4, 0x70,
}};

static bool is_ripemd(const struct address *a)
{
    static const struct address ripemd = {{[19] = 3}};
    return address_eq(a, &ripemd);
}

/* ---- objects --------------------------------------------------------------- */

struct obj *obj_new(struct state *s, struct acct *ac)
{
    struct obj *o = calloc(1, sizeof *o);
    if (!o) {
        state_fail(s, err_set(ERR_NOMEM, "state: account object"));
        return NULL;
    }
    o->acct = ac;
    memcpy(o->storage_root, TRIE_EMPTY_ROOT, 32);
    o->code_hash = STATE_EMPTY_CODE_HASH;
    o->no_code = true;
    o->code_loaded = true;
    return o;
}

void obj_free(struct obj *o)
{
    if (!o)
        return;
    trie_free(o->strie);
    slotmap_free(&o->slots);
    free(o->pending);
    free(o->code);
    free(o);
}

bool obj_empty(const struct obj *o)
{
    return o->nonce == 0 && u256_iszero(&o->balance) && o->no_code;
}

int obj_encode(const struct obj *o, struct bytes *out)
{
    size_t m = rlp_list_begin(out);
    rlp_put_u64(out, o->nonce);
    rlp_put_u256(out, &o->balance);
    rlp_put_bytes(out, o->storage_root, 32);
    rlp_put_bytes(out, o->code_hash.b, 32);
    rlp_list_end(out, m);
    return bytes_ok(out);
}

/* Decodes [nonce, balance, storageRoot, codeHash] into o. */
static int obj_decode(struct obj *o, const uint8_t *p, size_t n)
{
    struct rlp_item it, f[4];
    if (rlp_decode(p, n, &it) || rlp_list_exact(&it, f, 4) || rlp_get_u64(&f[0], &o->nonce) ||
        rlp_get_u256(&f[1], &o->balance) || rlp_get_fixed(&f[2], o->storage_root, 32) ||
        rlp_get_fixed(&f[3], o->code_hash.b, 32))
        return err_set(ERR_DECODE, "malformed account (%s)", err_msg());
    o->no_code = hash32_eq(&o->code_hash, &STATE_EMPTY_CODE_HASH);
    o->code_loaded = o->no_code;
    return 0;
}

int obj_open_storage(struct state *s, struct obj *o)
{
    if (o->strie)
        return 0;
    bool empty = memcmp(o->storage_root, TRIE_EMPTY_ROOT, 32) == 0;
    return trie_open(s->has_store ? &s->store : NULL, empty ? NULL : o->storage_root,
                     TRIE_SECURE, &o->strie);
}

/* ---- account records ---------------------------------------------------------- */

struct acct *acct_get(struct state *s, const struct address *a)
{
    struct acct *ac = amap_find(s, a);
    if (ac)
        return ac;
    ac = calloc(1, sizeof *ac);
    if (!ac) {
        state_fail(s, err_set(ERR_NOMEM, "state: account record"));
        return NULL;
    }
    ac->addr = *a;
    if (amap_insert(s, ac)) {
        free(ac);
        state_fail(s, ERR_NOMEM);
        return NULL;
    }
    const uint8_t *val;
    size_t vlen;
    int rc = trie_get(s->atrie, a->b, ADDRESS_LEN, &val, &vlen);
    if (rc == 0 && vlen) {
        struct obj *o = obj_new(s, ac);
        if (!o)
            return ac;
        rc = obj_decode(o, val, vlen);
        if (rc)
            obj_free(o);
        else
            ac->obj = o;
    }
    if (rc) {
        char hex[ADDRESS_HEX_SIZE];
        address_to_hex(a, hex);
        state_fail(s, err_wrap(rc, "state: account %s", hex));
    }
    return ac;
}

struct obj *state_obj(struct state *s, const struct address *a)
{
    struct acct *ac = acct_get(s, a);
    return ac ? ac->obj : NULL;
}

struct obj *state_obj_mut(struct state *s, const struct address *a)
{
    struct acct *ac = acct_get(s, a);
    if (!ac)
        return NULL;
    if (ac->obj)
        return ac->obj;
    struct obj *o = obj_new(s, ac);
    if (!o)
        return NULL;
    struct jentry e = {.kind = J_CREATE, .acct = ac, .u.prev_obj = NULL};
    if (journal_push(s, &e)) {
        obj_free(o);
        return NULL;
    }
    ac->obj = o;
    return o;
}

static void touch(struct state *s, struct acct *ac)
{
    struct jentry e = {.kind = J_TOUCH, .acct = ac};
    if (journal_push(s, &e) == 0 && is_ripemd(&ac->addr))
        journal_sticky_dirty(s, ac);
}

/* ---- public API ------------------------------------------------------------------- */

bool state_exists(struct state *s, const struct address *a)
{
    return state_obj(s, a) != NULL;
}

bool state_is_empty(struct state *s, const struct address *a)
{
    const struct obj *o = state_obj(s, a);
    return !o || obj_empty(o);
}

void state_get_balance(struct state *s, const struct address *a, u256 *out)
{
    const struct obj *o = state_obj(s, a);
    *out = o ? o->balance : u256_from_u64(0);
}

static void set_balance(struct state *s, struct obj *o, const u256 *v)
{
    struct jentry e = {.kind = J_BALANCE, .acct = o->acct, .u.balance = o->balance};
    if (journal_push(s, &e) == 0)
        o->balance = *v;
}

void state_add_balance(struct state *s, const struct address *a, const u256 *v)
{
    struct obj *o = state_obj_mut(s, a);
    if (!o)
        return;
    if (u256_iszero(v)) {
        if (obj_empty(o))
            touch(s, o->acct);
        return;
    }
    u256 nb;
    u256_add(&nb, &o->balance, v);
    set_balance(s, o, &nb);
}

void state_sub_balance(struct state *s, const struct address *a, const u256 *v)
{
    struct obj *o = state_obj_mut(s, a);
    if (!o || u256_iszero(v))
        return;
    u256 nb;
    u256_sub(&nb, &o->balance, v);
    set_balance(s, o, &nb);
}

void state_set_balance(struct state *s, const struct address *a, const u256 *v)
{
    struct obj *o = state_obj_mut(s, a);
    if (o)
        set_balance(s, o, v);
}

uint64_t state_get_nonce(struct state *s, const struct address *a)
{
    const struct obj *o = state_obj(s, a);
    return o ? o->nonce : 0;
}

void state_set_nonce(struct state *s, const struct address *a, uint64_t nonce)
{
    struct obj *o = state_obj_mut(s, a);
    if (!o)
        return;
    struct jentry e = {.kind = J_NONCE, .acct = o->acct, .u.nonce = o->nonce};
    if (journal_push(s, &e) == 0)
        o->nonce = nonce;
}

/* Loads the code of o from the store on first use. A missing or corrupt
 * blob sets the sticky error and leaves the code empty. */
static void code_load(struct state *s, struct obj *o)
{
    if (o->code_loaded)
        return;
    o->code_loaded = true;
    char hex[HASH32_HEX_SIZE];
    hash32_to_hex(&o->code_hash, hex);
    if (!s->has_store) {
        state_fail(s, err_set(ERR_NOTFOUND, "state: code %s: no store", hex));
        return;
    }
    uint8_t *cached;
    size_t clen;
    if (code_cache_get(&o->code_hash, &cached, &clen) == 0) {
        o->code = cached;
        o->code_len = clen;
        return;
    }
    const uint8_t *p;
    size_t n;
    int rc = s->store.get(s->store.ctx, o->code_hash.b, &p, &n);
    if (rc == ERR_NOTFOUND) {
        state_fail(s, err_set(rc, "state: code %s is missing from the store", hex));
        return;
    }
    if (rc) {
        state_fail(s, err_wrap(rc, "state: code %s", hex));
        return;
    }
    uint8_t h[32];
    if (!s->store.checked)  /* a checked store has hashed it already */
        keccak256(p, n, h);
    if (n == 0 || n > STATE_MAX_CODE_LEN ||
        (!s->store.checked && memcmp(h, o->code_hash.b, 32) != 0)) {
        state_fail(s, err_set(ERR_DECODE, "state: stored code %s does not match its hash", hex));
        return;
    }
    uint8_t *c = malloc(n);
    if (!c) {
        state_fail(s, err_set(ERR_NOMEM, "state: code of %zu bytes", n));
        return;
    }
    memcpy(c, p, n);
    o->code = c;
    o->code_len = n;
    code_cache_put(&o->code_hash, c, n);
}

const uint8_t *state_get_code(struct state *s, const struct address *a, size_t *len)
{
    struct obj *o = state_obj(s, a);
    *len = 0;
    if (!o || o->no_code)
        return NULL;
    code_load(s, o);
    *len = o->code_len;
    return o->code;
}

size_t state_get_code_size(struct state *s, const struct address *a)
{
    size_t n;
    (void)state_get_code(s, a, &n);
    return n;
}

void state_get_code_hash(struct state *s, const struct address *a, struct hash32 *out)
{
    const struct obj *o = state_obj(s, a);
    if (!o || obj_empty(o))
        memset(out, 0, sizeof *out);
    else
        *out = o->code_hash;
}

int state_set_code(struct state *s, const struct address *a, const uint8_t *code, size_t len)
{
    if (len > STATE_MAX_CODE_LEN)
        return err_set(ERR_RANGE, "state: code of %zu bytes", len);
    struct obj *o = state_obj_mut(s, a);
    if (!o)
        return ERR_NOMEM;
    uint8_t *copy = NULL;
    if (len) {
        copy = malloc(len);
        if (!copy)
            return err_set(ERR_NOMEM, "state: code of %zu bytes", len);
        memcpy(copy, code, len);
    }
    struct jentry e = {.kind = J_CODE,
                       .acct = o->acct,
                       .prev_flag = o->code_loaded,
                       .prev_no_code = o->no_code,
                       .u.code = {o->code, o->code_len, o->code_hash}};
    if (journal_push(s, &e)) {
        free(copy);
        return ERR_NOMEM;
    }
    o->code = copy;
    o->code_len = len;
    keccak256(code, len, o->code_hash.b);
    o->no_code = len == 0;
    o->code_loaded = true;
    o->code_new = true;
    return 0;
}

void state_create_account(struct state *s, const struct address *a)
{
    struct acct *ac = acct_get(s, a);
    if (!ac)
        return;
    struct obj *o = obj_new(s, ac);
    if (!o)
        return;
    struct obj *prev = ac->obj;
    if (prev)
        o->balance = prev->balance;
    struct jentry e = {.kind = J_CREATE, .acct = ac, .u.prev_obj = prev};
    if (journal_push(s, &e)) {
        obj_free(o);
        return;
    }
    ac->obj = o;
}

void state_touch(struct state *s, const struct address *a)
{
    struct acct *ac = acct_get(s, a);
    if (ac && ac->obj)
        touch(s, ac);
}

void state_selfdestruct(struct state *s, const struct address *a)
{
    struct obj *o = state_obj(s, a);
    if (!o)
        return;
    struct jentry e = {.kind = J_SELFDESTRUCT,
                       .acct = o->acct,
                       .prev_flag = o->selfdestructed,
                       .u.balance = o->balance};
    if (journal_push(s, &e))
        return;
    o->selfdestructed = true;
    o->balance = u256_from_u64(0);
}

bool state_has_selfdestructed(struct state *s, const struct address *a)
{
    const struct obj *o = state_obj(s, a);
    return o && o->selfdestructed;
}
