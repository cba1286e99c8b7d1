/*
 * receipt.c — the receipt message, its signature and its check; see
 * receipt.h.
 */
#include "meshbox/receipt.h"

#include <string.h>

#include "crypto/ecdsa.h"
#include "crypto/keccak.h"
#include "util/err.h"

static const char PREFIX[] = "\x19Spectrum MeshBox Receipt:\n";
#define PREFIX_LEN (sizeof PREFIX - 1)

void mb_receipt_message(const struct mb_receipt *r, const u256 *chain_id, uint8_t *out)
{
    uint8_t *p = out;
    memcpy(p, PREFIX, PREFIX_LEN);
    p += PREFIX_LEN;
    u256_to_be(chain_id, p);
    p += 32;
    memcpy(p, r->provider.b, 20);
    p += 20;
    memcpy(p, r->client.b, 20);
    p += 20;
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(r->epoch >> (56 - 8 * i));
    p += 8;
    u256_to_be(&r->units, p);
}

void mb_receipt_hash(const struct mb_receipt *r, const u256 *chain_id, uint8_t out[32])
{
    uint8_t msg[MB_RECEIPT_MSG_LEN];
    mb_receipt_message(r, chain_id, msg);
    keccak256(msg, sizeof msg, out);
}

int mb_receipt_sign(struct mb_receipt *r, const u256 *chain_id, const uint8_t sk[32])
{
    uint8_t h[32];
    mb_receipt_hash(r, chain_id, h);
    int rc = ecdsa_sign(h, sk, r->sig);
    if (rc)
        return rc;
    r->sig[64] = (uint8_t)(r->sig[64] + 27);
    return 0;
}

int mb_receipt_verify(const struct mb_receipt *r, const u256 *chain_id)
{
    if (address_eq(&r->provider, &r->client))
        return err_set(ERR_INVAL, "the client is the provider (a self receipt)");
    if (u256_is_zero(&r->units))
        return err_set(ERR_INVAL, "a receipt for 0 units");
    uint8_t v = r->sig[64];
    if (v != 27 && v != 28)
        return err_set(ERR_CRYPTO, "signature v is %u (want 27 or 28)", v);
    if (!ecdsa_sig_values_valid(r->sig, r->sig + 32, true))
        return err_set(ERR_CRYPTO, "signature r or s out of range (s must be at most n/2)");
    uint8_t h[32], sig[65], who[20];
    mb_receipt_hash(r, chain_id, h);
    memcpy(sig, r->sig, 64);
    sig[64] = (uint8_t)(v - 27);
    if (ecdsa_recover_address(h, sig, who) != 0)
        return err_set(ERR_CRYPTO, "the signature recovers no key");
    if (memcmp(who, r->client.b, 20) != 0)
        return err_set(ERR_CRYPTO, "the signature is not the client's (forged, or for another "
                                   "provider, epoch, amount or chain)");
    return 0;
}
