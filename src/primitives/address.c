/*
 * address.c — address and hash text forms; see address.h.
 *
 * EIP-55 is applied to the 40 lowercase digits: the keccak256 of that ASCII
 * text decides, nibble by nibble, which letters are upper case.
 */
#include "primitives/address.h"
#include "crypto/keccak.h"
#include "util/err.h"
#include "util/hex.h"

static bool all_zero(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++)
        acc |= p[i];
    return acc == 0;
}

bool address_is_zero(const struct address *a)
{
    return all_zero(a->b, ADDRESS_LEN);
}

bool hash32_is_zero(const struct hash32 *h)
{
    return all_zero(h->b, HASH32_LEN);
}

int address_from_hex(struct address *a, const char *s, size_t slen)
{
    return hex_decode_exact(s, slen, a->b, ADDRESS_LEN);
}

int hash32_from_hex(struct hash32 *h, const char *s, size_t slen)
{
    return hex_decode_exact(s, slen, h->b, HASH32_LEN);
}

void address_to_hex(const struct address *a, char out[ADDRESS_HEX_SIZE])
{
    out[0] = '0';
    out[1] = 'x';
    hex_encode(out + 2, a->b, ADDRESS_LEN);
}

void hash32_to_hex(const struct hash32 *h, char out[HASH32_HEX_SIZE])
{
    out[0] = '0';
    out[1] = 'x';
    hex_encode(out + 2, h->b, HASH32_LEN);
}

void address_to_checksum_hex(const struct address *a, char out[ADDRESS_HEX_SIZE])
{
    address_to_hex(a, out);
    uint8_t h[32];
    keccak256(out + 2, 2 * ADDRESS_LEN, h);
    for (size_t i = 0; i < 2 * ADDRESS_LEN; i++) {
        char *c = &out[2 + i];
        unsigned nibble = (i & 1) ? (h[i / 2] & 15u) : (h[i / 2] >> 4);
        if (*c >= 'a' && *c <= 'f' && nibble >= 8)
            *c = (char)(*c - 'a' + 'A');
    }
}

bool address_checksum_ok(const char *s, size_t slen)
{
    struct address a;
    if (address_from_hex(&a, s, slen) != 0)
        return false;
    if (slen >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        s += 2;
        slen -= 2;
    }
    bool lower = false, upper = false;
    for (size_t i = 0; i < slen; i++) {
        if (s[i] >= 'a' && s[i] <= 'f')
            lower = true;
        else if (s[i] >= 'A' && s[i] <= 'F')
            upper = true;
    }
    if (!(lower && upper))
        return true;
    char want[ADDRESS_HEX_SIZE];
    address_to_checksum_hex(&a, want);
    return memcmp(want + 2, s, 2 * ADDRESS_LEN) == 0;
}
