/*
 * genesis.c — parse a genesis file and build its state and block; see
 * genesis.h.
 */
#include "chain/genesis.h"
#include "crypto/keccak.h"
#include "primitives/rlp.h"
#include "util/err.h"
#include "util/hex.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* keccak256(RLP("")) and keccak256(RLP([])) */
static const char EMPTY_ROOT[] = "56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421";
static const char EMPTY_UNCLES[] = "1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347";

static int field_str(json_t *obj, const char *key, const char **out)
{
    *out = NULL;
    json_t *v = json_object_get(obj, key);
    if (!v) {
        *out = NULL;
        return 0;
    }
    if (!json_is_string(v))
        return err_set(ERR_DECODE, "genesis: field '%s' must be a string", key);
    *out = json_string_value(v);
    return 0;
}

static int field_u64(json_t *obj, const char *key, uint64_t *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v)
        return 0;
    if (json_is_integer(v) && json_integer_value(v) >= 0) {
        *out = (uint64_t)json_integer_value(v);
        return 0;
    }
    if (!json_is_string(v))
        return err_set(ERR_DECODE, "genesis: field '%s' must be a number", key);
    u256 x;
    const char *s = json_string_value(v);
    if (u256_from_str(&x, s, strlen(s)) || u256_to_u64_checked(out, &x))
        return err_set(ERR_DECODE, "genesis: field '%s' is not a 64-bit number: %.80s", key, s);
    return 0;
}

static int field_u256(json_t *obj, const char *key, u256 *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v)
        return 0;
    if (json_is_integer(v) && json_integer_value(v) >= 0) {
        *out = u256_from_u64((uint64_t)json_integer_value(v));
        return 0;
    }
    const char *s = json_is_string(v) ? json_string_value(v) : NULL;
    if (!s || u256_from_str(out, s, strlen(s)))
        return err_set(ERR_DECODE, "genesis: field '%s' is not a 256-bit number", key);
    return 0;
}

static int field_fixed(json_t *obj, const char *key, uint8_t *out, size_t n)
{
    const char *s = NULL;
    int rc = field_str(obj, key, &s);
    if (rc || !s)
        return rc;
    if (hex_decode_exact(s, strlen(s), out, n))
        return err_set(ERR_DECODE, "genesis: field '%s' must be %zu hex bytes", key, n);
    return 0;
}

static int parse_header(json_t *hj, struct header *h)
{
    hex_decode_exact(EMPTY_ROOT, 64, h->tx_root.b, 32);
    hex_decode_exact(EMPTY_ROOT, 64, h->receipt_root.b, 32);
    hex_decode_exact(EMPTY_ROOT, 64, h->state_root.b, 32);
    hex_decode_exact(EMPTY_UNCLES, 64, h->uncle_hash.b, 32);
    if (!hj)
        return 0;
    if (!json_is_object(hj))
        return err_set(ERR_DECODE, "genesis: 'header' must be an object");
    int rc = 0;
    rc = rc ? rc : field_fixed(hj, "parentHash", h->parent_hash.b, 32);
    rc = rc ? rc : field_fixed(hj, "coinbase", h->coinbase.b, 20);
    rc = rc ? rc : field_fixed(hj, "mixHash", h->mix_digest.b, 32);
    rc = rc ? rc : field_fixed(hj, "nonce", h->nonce, 8);
    rc = rc ? rc : field_u64(hj, "timestamp", &h->time);
    rc = rc ? rc : field_u64(hj, "gasLimit", &h->gas_limit);
    rc = rc ? rc : field_u64(hj, "gasUsed", &h->gas_used);
    rc = rc ? rc : field_u64(hj, "number", &h->number);
    rc = rc ? rc : field_u256(hj, "difficulty", &h->difficulty);
    if (rc)
        return rc;
    const char *extra = NULL;
    if ((rc = field_str(hj, "extraData", &extra)) || !extra)
        return rc;
    if (hex_decode_alloc(extra, strlen(extra), 1u << 16, &h->extra, &h->extra_len))
        return err_set(ERR_DECODE, "genesis: 'extraData' is not hex (or over 64 KiB)");
    return 0;
}

static int parse_storage(json_t *sj, struct genesis_account *a)
{
    if (!json_is_object(sj))
        return err_set(ERR_DECODE, "genesis: 'storage' must be an object");
    size_t n = json_object_size(sj);
    if (n > GENESIS_MAX_SLOTS)
        return err_set(ERR_RANGE, "genesis: %zu storage slots exceed %u", n, GENESIS_MAX_SLOTS);
    a->slots = calloc(n ? n : 1, sizeof *a->slots);
    if (!a->slots)
        return err_set(ERR_NOMEM, "genesis: storage");
    const char *k;
    json_t *v;
    json_object_foreach(sj, k, v) {
        u256 key, val;
        const char *vs = json_is_string(v) ? json_string_value(v) : NULL;
        if (u256_from_str(&key, k, strlen(k)) || !vs || u256_from_str(&val, vs, strlen(vs)))
            return err_set(ERR_DECODE, "genesis: bad storage slot '%.80s'", k);
        struct genesis_slot *s = &a->slots[a->nslots++];
        u256_to_be(&key, s->key);
        u256_to_be(&val, s->value);
    }
    return 0;
}

static int parse_account(const char *addr, json_t *aj, struct genesis_account *a)
{
    if (address_from_hex(&a->addr, addr, strlen(addr)))
        return err_set(ERR_DECODE, "genesis: bad address '%.80s'", addr);
    if (!json_is_object(aj))
        return err_set(ERR_DECODE, "genesis: account %s must be an object", addr);
    int rc = field_u256(aj, "balance", &a->balance);
    rc = rc ? rc : field_u64(aj, "nonce", &a->nonce);
    if (rc)
        return err_wrap(rc, "account %s", addr);
    const char *code = NULL;
    if ((rc = field_str(aj, "code", &code)))
        return rc;
    if (code && hex_decode_alloc(code, strlen(code), GENESIS_MAX_CODE, &a->code, &a->code_len))
        return err_set(ERR_DECODE, "genesis: account %s: code is not hex or too large", addr);
    json_t *sj = json_object_get(aj, "storage");
    return sj ? parse_storage(sj, a) : 0;
}

int genesis_parse(const char *text, size_t len, struct genesis *g)
{
    memset(g, 0, sizeof *g);
    json_error_t je;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return err_set(ERR_DECODE, "genesis: JSON error at line %d: %s", je.line, je.text);
    int rc = 0;
    if (!json_is_object(root)) {
        rc = err_set(ERR_DECODE, "genesis: top level must be an object");
        goto out;
    }
    const char *s = NULL;
    if ((rc = field_str(root, "network", &s)))
        goto out;
    if (s)
        snprintf(g->network, sizeof g->network, "%s", s);
    if ((rc = field_u64(root, "chainId", &g->chain_id)) ||
        (rc = field_u64(root, "networkId", &g->network_id)))
        goto out;
    if ((rc = field_str(root, "expectedHash", &s)))
        goto out;
    if (s) {
        if (hash32_from_hex(&g->expected_hash, s, strlen(s))) {
            rc = err_set(ERR_DECODE, "genesis: 'expectedHash' must be 32 hex bytes");
            goto out;
        }
        g->has_expected_hash = true;
    }
    if ((rc = parse_header(json_object_get(root, "header"), &g->header)))
        goto out;
    json_t *alloc = json_object_get(root, "alloc");
    if (alloc) {
        if (!json_is_object(alloc)) {
            rc = err_set(ERR_DECODE, "genesis: 'alloc' must be an object");
            goto out;
        }
        size_t n = json_object_size(alloc);
        if (n > GENESIS_MAX_ACCOUNTS) {
            rc = err_set(ERR_RANGE, "genesis: %zu accounts exceed %u", n, GENESIS_MAX_ACCOUNTS);
            goto out;
        }
        g->alloc = calloc(n ? n : 1, sizeof *g->alloc);
        if (!g->alloc) {
            rc = err_set(ERR_NOMEM, "genesis: alloc");
            goto out;
        }
        const char *addr;
        json_t *aj;
        json_object_foreach(alloc, addr, aj) {
            if ((rc = parse_account(addr, aj, &g->alloc[g->nalloc++])))
                goto out;
        }
    }
out:
    json_decref(root);
    if (rc)
        genesis_free(g);
    return rc;
}

int genesis_load(const char *path, struct genesis *g)
{
    memset(g, 0, sizeof *g);
    FILE *f = fopen(path, "rb");
    if (!f)
        return err_set(ERR_IO, "genesis: cannot open %s: %s", path, strerror(errno));
    /* Read in chunks into a growing buffer: memory follows the file's size,
     * and stops at the cap whatever the file claims. */
    struct bytes buf = BYTES_INIT;
    uint8_t chunk[65536];
    size_t n;
    int rc = 0;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (buf.len + n > GENESIS_MAX_FILE) {
            rc = err_set(ERR_RANGE, "genesis: %s is larger than %u bytes", path, GENESIS_MAX_FILE);
            break;
        }
        if ((rc = bytes_append(&buf, chunk, n)))
            break;
    }
    if (rc == 0 && ferror(f))
        rc = err_set(ERR_IO, "genesis: cannot read %s", path);
    fclose(f);
    if (rc == 0)
        rc = genesis_parse((const char *)buf.data, buf.len, g);
    bytes_free(&buf);
    return rc ? err_wrap(rc, "%s", path) : 0;
}

/* Storage root of one account: slot keccak(key) → RLP(trimmed value). */
static int storage_root(const struct genesis_account *a, const struct trie_store *store,
                        uint8_t root[32])
{
    struct trie *t;
    int rc = trie_open(store, NULL, TRIE_SECURE, &t);
    if (rc)
        return rc;
    struct bytes enc = BYTES_INIT;
    for (size_t i = 0; i < a->nslots && rc == 0; i++) {
        u256 v;
        u256_from_be(&v, a->slots[i].value, 32);
        if (u256_is_zero(&v))
            continue;               /* zero slots are absent */
        bytes_reset(&enc);
        rlp_put_u256(&enc, &v);
        rc = bytes_ok(&enc);
        if (rc == 0)
            rc = trie_put(t, a->slots[i].key, 32, enc.data, enc.len);
    }
    if (rc == 0)
        rc = store ? trie_commit(t, root) : trie_root_hash(t, root);
    bytes_free(&enc);
    trie_free(t);
    return rc;
}

static int account_rlp(const struct genesis_account *a, const struct trie_store *store,
                       struct bytes *out)
{
    uint8_t sroot[32], code_hash[32];
    int rc = storage_root(a, store, sroot);
    if (rc)
        return rc;
    keccak256(a->code, a->code_len, code_hash);
    if (store && a->code_len) {
        /* Code lives in the node store under its hash, as geth keeps it. */
        rc = store->put(store->ctx, code_hash, a->code, a->code_len);
        if (rc)
            return rc;
    }
    size_t m = rlp_list_begin(out);
    rlp_put_u64(out, a->nonce);
    rlp_put_u256(out, &a->balance);
    rlp_put_bytes(out, sroot, 32);
    rlp_put_bytes(out, code_hash, 32);
    rlp_list_end(out, m);
    return bytes_ok(out);
}

int genesis_build(struct genesis *g, const struct trie_store *store)
{
    struct trie *t;
    int rc = trie_open(store, NULL, TRIE_SECURE, &t);
    if (rc)
        return rc;
    struct bytes enc = BYTES_INIT;
    for (size_t i = 0; i < g->nalloc && rc == 0; i++) {
        bytes_reset(&enc);
        rc = account_rlp(&g->alloc[i], store, &enc);
        if (rc == 0)
            rc = trie_put(t, g->alloc[i].addr.b, 20, enc.data, enc.len);
    }
    if (rc == 0)
        rc = store ? trie_commit(t, g->header.state_root.b)
                   : trie_root_hash(t, g->header.state_root.b);
    bytes_free(&enc);
    trie_free(t);
    return rc ? err_wrap(rc, "genesis state") : 0;
}

int genesis_hash(struct genesis *g, struct hash32 *out)
{
    int rc = genesis_build(g, NULL);
    if (rc)
        return rc;
    return header_hash(&g->header, out);
}

void genesis_free(struct genesis *g)
{
    for (size_t i = 0; i < g->nalloc; i++) {
        free(g->alloc[i].code);
        free(g->alloc[i].slots);
    }
    free(g->alloc);
    header_free(&g->header);
    memset(g, 0, sizeof *g);
}
