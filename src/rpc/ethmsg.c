/*
 * ethmsg.c — see ethmsg.h. The length goes in as decimal ASCII, the way
 * geth's accounts.TextHash writes it; no other framing.
 */
#include "rpc/ethmsg.h"

#include <stdio.h>

#include "crypto/ecdsa.h"
#include "crypto/keccak.h"
#include "util/err.h"

static const char prefix[] = "\x19" "Ethereum Signed Message:\n";

void rpc_msg_hash(const uint8_t *data, size_t len, uint8_t out[32])
{
    char num[24];
    int n = snprintf(num, sizeof num, "%zu", len);
    struct keccak_ctx c;
    keccak256_init(&c);
    keccak256_update(&c, prefix, sizeof prefix - 1);
    keccak256_update(&c, num, (size_t)n);
    if (len)
        keccak256_update(&c, data, len);
    keccak256_final(&c, out);
}

int rpc_sig_recover(const uint8_t hash[32], const uint8_t sig[65], struct address *out)
{
    if (sig[64] != 27 && sig[64] != 28)
        return err_set(ERR_INVAL, "invalid Ethereum signature (V is not 27 or 28)");
    uint8_t s[65];
    for (int i = 0; i < 64; i++)
        s[i] = sig[i];
    s[64] = (uint8_t)(sig[64] - 27);
    if (ecdsa_recover_address(hash, s, out->b) != 0)
        return err_set(ERR_CRYPTO, "invalid signature");
    return 0;
}

int rpc_msg_recover(const uint8_t *data, size_t len, const uint8_t sig[65], struct address *out)
{
    uint8_t h[32];
    rpc_msg_hash(data, len, h);
    return rpc_sig_recover(h, sig, out);
}
