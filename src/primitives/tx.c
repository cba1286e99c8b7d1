/*
 * tx.c — legacy transactions: strict decoding, encoding, hashes, signatures,
 * intrinsic gas; see tx.h.
 *
 * The decoder is written field by field so that every rejection names the
 * field in the error context ("tx nonce: rlp: integer has leading zero").
 * Nothing is allocated until every field has been checked, so a failing
 * decode leaves nothing to free. The few pieces of 256-bit arithmetic that v
 * needs (compare, (v-35)/2, chainId*2+35) are done on limbs here rather than
 * depending on the full u256 library.
 */
#include "primitives/tx.h"
#include "crypto/ecdsa.h"
#include "crypto/keccak.h"
#include "util/err.h"

#include <stdlib.h>
#include <string.h>

enum { F_NONCE, F_GAS_PRICE, F_GAS, F_TO, F_VALUE, F_DATA, F_V, F_R, F_S, TX_FIELDS };

static const char *const field_names[TX_FIELDS] = {
    "nonce", "gasPrice", "gas", "to", "value", "data", "v", "r", "s",
};

/* A 32-byte big-endian signature value, at most 32 bytes, canonical. */
static int get_sigval(const struct rlp_item *it, uint8_t out[32])
{
    u256 tmp;
    int rc = rlp_get_u256(it, &tmp);      /* canonical, <= 32 bytes */
    if (rc)
        return rc;
    memset(out, 0, 32);
    memcpy(out + 32 - it->payload_len, it->payload, it->payload_len);
    return 0;
}

static int decode_fields(const struct rlp_item *list, struct tx *out)
{
    struct rlp_item f[TX_FIELDS];
    int rc = rlp_list_exact(list, f, TX_FIELDS);
    if (rc)
        return err_wrap(rc, "tx");
    struct tx t;
    memset(&t, 0, sizeof t);
    const uint8_t *to = NULL, *data = NULL;
    size_t to_len = 0, data_len = 0;
    int which = F_NONCE;
    if ((rc = rlp_get_u64(&f[F_NONCE], &t.nonce)))
        goto fail;
    which = F_GAS_PRICE;
    if ((rc = rlp_get_u256(&f[F_GAS_PRICE], &t.gas_price)))
        goto fail;
    which = F_GAS;
    if ((rc = rlp_get_u64(&f[F_GAS], &t.gas)))
        goto fail;
    which = F_TO;
    if ((rc = rlp_get_bytes(&f[F_TO], &to, &to_len)))
        goto fail;
    if (to_len != 0 && to_len != ADDRESS_LEN) {
        rc = err_set(ERR_DECODE, "%zu bytes, expected 0 (creation) or 20", to_len);
        goto fail;
    }
    which = F_VALUE;
    if ((rc = rlp_get_u256(&f[F_VALUE], &t.value)))
        goto fail;
    which = F_DATA;
    if ((rc = rlp_get_bytes(&f[F_DATA], &data, &data_len)))
        goto fail;
    which = F_V;
    if ((rc = rlp_get_u256(&f[F_V], &t.v)))
        goto fail;
    which = F_R;
    if ((rc = get_sigval(&f[F_R], t.r)))
        goto fail;
    which = F_S;
    if ((rc = get_sigval(&f[F_S], t.s)))
        goto fail;

    if (to_len) {
        t.has_to = true;
        memcpy(t.to.b, to, ADDRESS_LEN);
    }
    if (data_len) {
        t.data = malloc(data_len);
        if (!t.data)
            return err_set(ERR_NOMEM, "tx: data of %zu bytes", data_len);
        memcpy(t.data, data, data_len);
        t.data_len = data_len;
    }
    *out = t;
    return 0;
fail:
    return err_wrap(rc, "tx %s", field_names[which]);
}

int tx_decode_item(const struct rlp_item *item, struct tx *out)
{
    memset(out, 0, sizeof *out);
    if (!item->is_list)
        return err_set(ERR_UNSUPPORTED, "tx: typed transactions not supported before Berlin");
    return decode_fields(item, out);
}

int tx_decode(const uint8_t *in, size_t len, struct tx *out)
{
    memset(out, 0, sizeof *out);
    if (len == 0)
        return err_set(ERR_DECODE, "tx: empty input");
    if (in[0] < 0x80)
        return err_set(ERR_UNSUPPORTED,
                       "tx: typed transactions not supported before Berlin (type 0x%02x)", in[0]);
    struct rlp_item item;
    int rc = rlp_decode(in, len, &item);
    if (rc)
        return err_wrap(rc, "tx");
    if (!item.is_list)
        return err_set(ERR_DECODE, "tx: expected an RLP list");
    return decode_fields(&item, out);
}

/* ---- encoding and hashes ------------------------------------------------ */

/* A signature value without its leading zero bytes. */
static void put_sigval(struct bytes *b, const uint8_t v[32])
{
    size_t i = 0;
    while (i < 32 && v[i] == 0)
        i++;
    rlp_put_bytes(b, v + i, 32 - i);
}

/* The first six items: nonce, gasPrice, gas, to, value, data. */
static void put_body(struct bytes *b, const struct tx *tx)
{
    rlp_put_u64(b, tx->nonce);
    rlp_put_u256(b, &tx->gas_price);
    rlp_put_u64(b, tx->gas);
    rlp_put_bytes(b, tx->to.b, tx->has_to ? ADDRESS_LEN : 0);
    rlp_put_u256(b, &tx->value);
    rlp_put_bytes(b, tx->data, tx->data_len);
}

int tx_encode(const struct tx *tx, struct bytes *out)
{
    size_t m = rlp_list_begin(out);
    put_body(out, tx);
    rlp_put_u256(out, &tx->v);
    put_sigval(out, tx->r);
    put_sigval(out, tx->s);
    rlp_list_end(out, m);
    return bytes_ok(out);
}

/* Hashes what `b` holds, then frees it. */
static int hash_and_free(struct bytes *b, uint8_t out[32])
{
    int rc = bytes_ok(b);
    if (rc == 0)
        keccak256(b->data, b->len, out);
    bytes_free(b);
    return rc;
}

int tx_hash(const struct tx *tx, uint8_t out[32])
{
    struct bytes b = BYTES_INIT;
    tx_encode(tx, &b);
    return hash_and_free(&b, out);
}

int tx_signing_hash(const struct tx *tx, bool eip155, uint64_t chain_id, uint8_t out[32])
{
    struct bytes b = BYTES_INIT;
    size_t m = rlp_list_begin(&b);
    put_body(&b, tx);
    if (eip155) {
        rlp_put_u64(&b, chain_id);
        rlp_put_u64(&b, 0);
        rlp_put_u64(&b, 0);
    }
    rlp_list_end(&b, m);
    return hash_and_free(&b, out);
}

/* ---- v, chain id, signatures -------------------------------------------- */

static bool u256_eq_small(const u256 *a, uint64_t v)
{
    return a->w[0] == v && u256_fits_u64(a);
}

int tx_chain_id(const struct tx *tx, bool *is_protected, u256 *chain_id)
{
    const u256 *v = &tx->v;
    if (u256_eq_small(v, 27) || u256_eq_small(v, 28)) {
        *is_protected = false;
        if (chain_id)
            *chain_id = u256_from_u64(0);
        return 0;
    }
    if (u256_fits_u64(v) && v->w[0] < 35)
        return err_set(ERR_CRYPTO, "tx: invalid v %llu", (unsigned long long)v->w[0]);
    *is_protected = true;
    if (chain_id) {
        /* (v - 35) >> 1 on limbs: subtract with borrow, then shift right. */
        u256 d = *v;
        uint64_t borrow = d.w[0] < 35;
        d.w[0] -= 35;
        for (int i = 1; i < 4 && borrow; i++) {
            borrow = d.w[i] == 0;
            d.w[i]--;
        }
        for (int i = 0; i < 4; i++)
            d.w[i] = (d.w[i] >> 1) | (i < 3 ? d.w[i + 1] << 63 : 0);
        *chain_id = d;
    }
    return 0;
}

int tx_sender(const struct tx *tx, const struct tx_rules *rules, struct address *sender)
{
    bool prot;
    u256 cid;
    int rc = tx_chain_id(tx, &prot, &cid);
    if (rc)
        return rc;
    uint8_t sig[65];
    uint8_t h[32];
    if (prot) {
        if (!rules->eip155)
            return err_set(ERR_INVAL, "tx: replay-protected (EIP-155) transaction before EIP-155");
        if (!u256_fits_u64(&cid))
            return err_set(ERR_INVAL, "tx: chain id above 2^64, expected %llu",
                           (unsigned long long)rules->chain_id);
        if (cid.w[0] != rules->chain_id)
            return err_set(ERR_INVAL, "tx: chain id %llu, expected %llu",
                           (unsigned long long)cid.w[0], (unsigned long long)rules->chain_id);
        /* (v - 35) % 2: the borrow never reaches bit 0. */
        sig[64] = (uint8_t)((tx->v.w[0] & 1) ^ 1);
        rc = tx_signing_hash(tx, true, rules->chain_id, h);
    } else {
        sig[64] = (uint8_t)(tx->v.w[0] - 27);
        rc = tx_signing_hash(tx, false, 0, h);
    }
    if (rc)
        return rc;
    if (!ecdsa_sig_values_valid(tx->r, tx->s, rules->homestead))
        return err_set(ERR_CRYPTO, "tx: invalid signature values (r or s zero, >= n%s)",
                       rules->homestead ? ", or s > n/2" : "");
    memcpy(sig, tx->r, 32);
    memcpy(sig + 32, tx->s, 32);
    struct address a;
    rc = ecdsa_recover_address(h, sig, a.b);
    if (rc)
        return err_wrap(rc, "tx sender");
    *sender = a;
    return 0;
}

int tx_sign(struct tx *tx, const uint8_t sk[32], uint64_t chain_id)
{
    uint8_t h[32], sig[65];
    int rc = tx_signing_hash(tx, chain_id != 0, chain_id, h);
    if (rc)
        return rc;
    rc = ecdsa_sign(h, sk, sig);
    if (rc)
        return rc;
    memcpy(tx->r, sig, 32);
    memcpy(tx->s, sig + 32, 32);
    if (chain_id == 0) {
        tx->v = u256_from_u64(27u + sig[64]);
    } else {
        /* chain_id * 2 + 35 + recid, which may exceed 64 bits. */
        u256 v = {{chain_id << 1, chain_id >> 63, 0, 0}};
        uint64_t add = 35u + sig[64];
        v.w[0] += add;
        if (v.w[0] < add)
            v.w[1]++;
        tx->v = v;
    }
    memset(sig, 0, sizeof sig);
    return 0;
}

/* ---- gas ---------------------------------------------------------------- */

static uint64_t sat_add(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t sat_mul(uint64_t a, uint64_t b)
{
    return (b != 0 && a > UINT64_MAX / b) ? UINT64_MAX : a * b;
}

uint64_t tx_intrinsic_gas(const struct tx *tx, bool homestead)
{
    uint64_t gas = TX_GAS;
    if (!tx->has_to && homestead)
        gas += TX_GAS_CREATE_EXTRA;
    uint64_t nz = 0;
    for (size_t i = 0; i < tx->data_len; i++)
        nz += tx->data[i] != 0;
    uint64_t z = (uint64_t)tx->data_len - nz;
    gas = sat_add(gas, sat_mul(nz, TX_GAS_DATA_NONZERO));
    return sat_add(gas, sat_mul(z, TX_GAS_DATA_ZERO));
}

/* Full 64x64 -> 128-bit product, portable (no __int128). */
static void mul_64x64(uint64_t a, uint64_t b, uint64_t *hi, uint64_t *lo)
{
    uint64_t al = a & 0xffffffffu, ah = a >> 32, bl = b & 0xffffffffu, bh = b >> 32;
    uint64_t ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
    uint64_t mid = (ll >> 32) + (lh & 0xffffffffu) + (hl & 0xffffffffu);
    *lo = (mid << 32) | (ll & 0xffffffffu);
    *hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
}

/* True when price * gas < 2^256. */
static bool cost_fits(const u256 *price, uint64_t gas)
{
    uint64_t carry = 0;
    for (int i = 0; i < 4; i++) {
        uint64_t hi, lo;
        mul_64x64(price->w[i], gas, &hi, &lo);
        lo += carry;
        hi += lo < carry;       /* hi <= 2^64-2, so this cannot wrap */
        carry = hi;
    }
    return carry == 0;
}

int tx_validate(const struct tx *tx, const struct tx_rules *rules, struct address *sender)
{
    struct address a;
    int rc = tx_sender(tx, rules, &a);
    if (rc)
        return rc;
    /* EIP-2681, applied to every fork as Ethereum's clients do: the nonce
     * is incremented by the transaction, so 2^64-1 can never be used. */
    if (tx->nonce == UINT64_MAX)
        return err_set(ERR_RANGE, "tx: nonce 2^64-1 cannot be incremented (EIP-2681)");
    uint64_t need = tx_intrinsic_gas(tx, rules->homestead);
    if (need > tx->gas)
        return err_set(ERR_RANGE, "tx: intrinsic gas %llu exceeds the gas limit %llu",
                       (unsigned long long)need, (unsigned long long)tx->gas);
    if (!cost_fits(&tx->gas_price, tx->gas))
        return err_set(ERR_RANGE, "tx: gas * gasPrice exceeds 256 bits");
    if (sender)
        *sender = a;
    return 0;
}

void tx_free(struct tx *tx)
{
    if (!tx)
        return;
    free(tx->data);
    memset(tx, 0, sizeof *tx);
}
