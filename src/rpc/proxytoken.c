/*
 * proxytoken.c — see proxytoken.h. Every encoding is written out by hand
 * (packed for the signed hash, 32-byte ABI words for the call), since these
 * few fixed layouts are all the relayer ever needs.
 */
#include "rpc/proxytoken.h"

#include <string.h>

#include "crypto/keccak.h"
#include "util/err.h"

/* keccak256 of ProxyToken.json's deployedBytecode (2600 bytes), solc
 * 0.5.17, optimizer 200 runs, evmVersion byzantium. */
const uint8_t proxytoken_code_hash[32] = {
    0x5e, 0xa9, 0xa7, 0x1a, 0x0c, 0x40, 0xe9, 0xbc, 0xe4, 0xa8, 0xa5, 0x14, 0x3a, 0xe2, 0x7a, 0xa6,
    0x1f, 0xa8, 0xe1, 0x4f, 0xfb, 0x85, 0x02, 0x19, 0xb7, 0x98, 0x58, 0x7f, 0x9a, 0x1e, 0x65, 0x9b,
};

/* keccak256("transferProxy(address,address,uint256,uint256,uint8,bytes32,bytes32)")[0..4] */
static const uint8_t transfer_proxy_selector[4] = {0xeb, 0x50, 0x2d, 0x45};

static const char signed_prefix32[] = "\x19" "Ethereum Signed Message:\n32";

void proxytoken_hash(const struct proxy_transfer *t, const u256 *nonce, uint8_t hash[32],
                     uint8_t digest[32])
{
    uint8_t buf[3 * 20 + 3 * 32];
    memcpy(buf, t->token.b, 20);
    memcpy(buf + 20, t->from.b, 20);
    memcpy(buf + 40, t->to.b, 20);
    u256_to_be(&t->value, buf + 60);
    u256_to_be(&t->fee, buf + 92);
    u256_to_be(nonce, buf + 124);
    keccak256(buf, sizeof buf, hash);

    uint8_t pre[sizeof signed_prefix32 - 1 + 32];
    memcpy(pre, signed_prefix32, sizeof signed_prefix32 - 1);
    memcpy(pre + sizeof signed_prefix32 - 1, hash, 32);
    keccak256(pre, sizeof pre, digest);
}

static void address_word(const struct address *a, uint8_t w[32])
{
    memset(w, 0, 12);
    memcpy(w + 12, a->b, 20);
}

void proxytoken_mapping_key(const struct address *a, unsigned slot, u256 *key)
{
    uint8_t buf[64], h[32];
    address_word(a, buf);
    u256 s = u256_from_u64(slot);
    u256_to_be(&s, buf + 32);
    keccak256(buf, sizeof buf, h);
    u256_from_be(key, h, 32);
}

int proxytoken_calldata(const struct proxy_transfer *t, const uint8_t sig[65], struct bytes *out)
{
    uint8_t d[PROXYTOKEN_CALLDATA_LEN];
    memcpy(d, transfer_proxy_selector, 4);
    address_word(&t->from, d + 4);
    address_word(&t->to, d + 36);
    u256_to_be(&t->value, d + 68);
    u256_to_be(&t->fee, d + 100);
    memset(d + 132, 0, 31);
    d[163] = sig[64];
    memcpy(d + 164, sig, 32);
    memcpy(d + 196, sig + 32, 32);
    return bytes_append(out, d, sizeof d);
}

static int word_address(const uint8_t w[32], struct address *a)
{
    for (int i = 0; i < 12; i++)
        if (w[i])
            return ERR_DECODE;
    memcpy(a->b, w + 12, 20);
    return 0;
}

int proxytoken_parse_calldata(const uint8_t *data, size_t len, struct proxy_transfer *t)
{
    if (len != PROXYTOKEN_CALLDATA_LEN || memcmp(data, transfer_proxy_selector, 4) != 0)
        return err_set(ERR_DECODE, "not a transferProxy call");
    struct proxy_transfer r = *t;
    if (word_address(data + 4, &r.from) || word_address(data + 36, &r.to))
        return err_set(ERR_DECODE, "not a transferProxy call");
    u256_from_be(&r.value, data + 68, 32);
    u256_from_be(&r.fee, data + 100, 32);
    *t = r;
    return 0;
}
