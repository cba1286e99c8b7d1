/*
 * header.c — block header encoding, strict decoding and hashes; see header.h.
 *
 * One encoder serves both hashes: it takes how many bytes of extra to emit,
 * so the seal hash is the block hash's encoding with a shorter extra, not a
 * second copy of the field list that could drift from the first.
 */
#include "primitives/header.h"
#include "crypto/keccak.h"
#include "util/err.h"

#include <stdlib.h>
#include <string.h>

enum {
    H_PARENT, H_UNCLES, H_COINBASE, H_STATE, H_TXS, H_RECEIPTS, H_BLOOM,
    H_DIFFICULTY, H_NUMBER, H_GAS_LIMIT, H_GAS_USED, H_TIME, H_EXTRA, H_MIX, H_NONCE,
};

static const char *const field_names[HEADER_FIELDS] = {
    "parentHash", "uncleHash", "coinbase", "stateRoot", "txRoot", "receiptRoot",
    "bloom", "difficulty", "number", "gasLimit", "gasUsed", "time", "extra",
    "mixDigest", "nonce",
};

int header_decode_item(const struct rlp_item *item, struct header *out)
{
    memset(out, 0, sizeof *out);
    struct rlp_item f[HEADER_FIELDS];
    int rc = rlp_list_exact(item, f, HEADER_FIELDS);
    if (rc)
        return err_wrap(rc, "header");
    struct header h;
    memset(&h, 0, sizeof h);
    const uint8_t *extra = NULL;
    size_t extra_len = 0;
    for (int i = 0; i < HEADER_FIELDS; i++) {
        switch (i) {
        case H_PARENT: rc = rlp_get_fixed(&f[i], h.parent_hash.b, HASH32_LEN); break;
        case H_UNCLES: rc = rlp_get_fixed(&f[i], h.uncle_hash.b, HASH32_LEN); break;
        case H_COINBASE: rc = rlp_get_fixed(&f[i], h.coinbase.b, ADDRESS_LEN); break;
        case H_STATE: rc = rlp_get_fixed(&f[i], h.state_root.b, HASH32_LEN); break;
        case H_TXS: rc = rlp_get_fixed(&f[i], h.tx_root.b, HASH32_LEN); break;
        case H_RECEIPTS: rc = rlp_get_fixed(&f[i], h.receipt_root.b, HASH32_LEN); break;
        case H_BLOOM: rc = rlp_get_fixed(&f[i], h.bloom.b, BLOOM_BYTES); break;
        case H_DIFFICULTY: rc = rlp_get_u256(&f[i], &h.difficulty); break;
        case H_NUMBER: rc = rlp_get_u64(&f[i], &h.number); break;
        case H_GAS_LIMIT: rc = rlp_get_u64(&f[i], &h.gas_limit); break;
        case H_GAS_USED: rc = rlp_get_u64(&f[i], &h.gas_used); break;
        case H_TIME: rc = rlp_get_u64(&f[i], &h.time); break;
        case H_EXTRA: rc = rlp_get_bytes(&f[i], &extra, &extra_len); break;
        case H_MIX: rc = rlp_get_fixed(&f[i], h.mix_digest.b, HASH32_LEN); break;
        case H_NONCE: rc = rlp_get_fixed(&f[i], h.nonce, 8); break;
        }
        if (rc)
            return err_wrap(rc, "header %s", field_names[i]);
    }
    if (extra_len) {
        h.extra = malloc(extra_len);
        if (!h.extra)
            return err_set(ERR_NOMEM, "header: extra of %zu bytes", extra_len);
        memcpy(h.extra, extra, extra_len);
        h.extra_len = extra_len;
    }
    *out = h;
    return 0;
}

int header_decode(const uint8_t *in, size_t len, struct header *h)
{
    memset(h, 0, sizeof *h);
    struct rlp_item item;
    int rc = rlp_decode(in, len, &item);
    if (rc)
        return err_wrap(rc, "header");
    return header_decode_item(&item, h);
}

/* Encodes h with only the first extra_len bytes of extra. */
static int encode_with_extra(const struct header *h, size_t extra_len, struct bytes *out)
{
    size_t m = rlp_list_begin(out);
    rlp_put_bytes(out, h->parent_hash.b, HASH32_LEN);
    rlp_put_bytes(out, h->uncle_hash.b, HASH32_LEN);
    rlp_put_bytes(out, h->coinbase.b, ADDRESS_LEN);
    rlp_put_bytes(out, h->state_root.b, HASH32_LEN);
    rlp_put_bytes(out, h->tx_root.b, HASH32_LEN);
    rlp_put_bytes(out, h->receipt_root.b, HASH32_LEN);
    rlp_put_bytes(out, h->bloom.b, BLOOM_BYTES);
    rlp_put_u256(out, &h->difficulty);
    rlp_put_u64(out, h->number);
    rlp_put_u64(out, h->gas_limit);
    rlp_put_u64(out, h->gas_used);
    rlp_put_u64(out, h->time);
    rlp_put_bytes(out, h->extra, extra_len);
    rlp_put_bytes(out, h->mix_digest.b, HASH32_LEN);
    rlp_put_bytes(out, h->nonce, 8);
    rlp_list_end(out, m);
    return bytes_ok(out);
}

int header_encode(const struct header *h, struct bytes *out)
{
    return encode_with_extra(h, h->extra_len, out);
}

static int hash_with_extra(const struct header *h, size_t extra_len, struct hash32 *out)
{
    /* A header without a huge extra is about 540 bytes: one allocation. */
    struct bytes b = BYTES_INIT;
    int rc = encode_with_extra(h, extra_len, &b);
    if (rc == 0)
        keccak256(b.data, b.len, out->b);
    bytes_free(&b);
    return rc;
}

int header_hash(const struct header *h, struct hash32 *out)
{
    return hash_with_extra(h, h->extra_len, out);
}

int header_seal_hash(const struct header *h, struct hash32 *out)
{
    if (h->extra_len < HEADER_SEAL_LEN)
        return err_set(ERR_RANGE, "header: extra of %zu bytes has no %d-byte seal",
                       h->extra_len, HEADER_SEAL_LEN);
    return hash_with_extra(h, h->extra_len - HEADER_SEAL_LEN, out);
}

int header_copy(struct header *dst, const struct header *src)
{
    struct header h = *src;
    h.extra = NULL;
    if (src->extra_len) {
        h.extra = malloc(src->extra_len);
        if (!h.extra) {
            memset(dst, 0, sizeof *dst);
            return err_set(ERR_NOMEM, "header: extra of %zu bytes", src->extra_len);
        }
        memcpy(h.extra, src->extra, src->extra_len);
    }
    *dst = h;
    return 0;
}

void header_free(struct header *h)
{
    if (!h)
        return;
    free(h->extra);
    memset(h, 0, sizeof *h);
}
