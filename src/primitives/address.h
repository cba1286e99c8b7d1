/*
 * address.h — the two fixed-size byte strings every Ethereum structure is
 * made of: 20-byte account addresses and 32-byte hashes.
 *
 * They are wrapped in structs (rather than passed as bare uint8_t[20]) so the
 * compiler catches a hash handed where an address is expected, and so they
 * copy by assignment. Stored by value, passed by pointer to const, never
 * allocated. The hex helpers follow util/hex.h (optional "0x", either case on
 * input; lowercase on output, or EIP-55 mixed case on request).
 *
 * Everything here is safe from any thread.
 */
#ifndef SPECTRUM_PRIMITIVES_ADDRESS_H
#define SPECTRUM_PRIMITIVES_ADDRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define ADDRESS_LEN 20
#define HASH32_LEN 32
/* Sizes of the text forms, "0x" and the terminating NUL included. */
#define ADDRESS_HEX_SIZE (2 + 2 * ADDRESS_LEN + 1)
#define HASH32_HEX_SIZE (2 + 2 * HASH32_LEN + 1)

struct address {
    uint8_t b[ADDRESS_LEN];
};

struct hash32 {
    uint8_t b[HASH32_LEN];
};

/* True when the two values are byte-for-byte equal. */
static inline bool address_eq(const struct address *a, const struct address *b)
{
    return memcmp(a->b, b->b, ADDRESS_LEN) == 0;
}
static inline bool hash32_eq(const struct hash32 *a, const struct hash32 *b)
{
    return memcmp(a->b, b->b, HASH32_LEN) == 0;
}

/* True when every byte is zero. */
bool address_is_zero(const struct address *a);
bool hash32_is_zero(const struct hash32 *h);

/* Parses exactly 40 hex digits (optional "0x", any case; the EIP-55 checksum
 * is NOT verified: use address_checksum_ok for that).
 * Returns: 0, or ERR_DECODE (not hex, or not exactly 20 bytes).
 * Args: s, slen  the text (need not be NUL-terminated). Out: a. */
int address_from_hex(struct address *a, const char *s, size_t slen);

/* Parses exactly 64 hex digits (optional "0x", any case).
 * Returns: 0, or ERR_DECODE. Out: h. */
int hash32_from_hex(struct hash32 *h, const char *s, size_t slen);

/* Writes "0x" + 40 lowercase hex digits + NUL into out. */
void address_to_hex(const struct address *a, char out[ADDRESS_HEX_SIZE]);

/* Writes "0x" + 40 hex digits in EIP-55 checksum case + NUL into out (digit
 * i is upper case when nibble i of keccak256(lowercase hex) is >= 8). */
void address_to_checksum_hex(const struct address *a, char out[ADDRESS_HEX_SIZE]);

/* True when s (40 hex digits, optional "0x") is all lower case, all upper
 * case, or in exactly the EIP-55 checksum case for the address it spells;
 * false for mixed case that does not match, and for anything not an address. */
bool address_checksum_ok(const char *s, size_t slen);

/* Writes "0x" + 64 lowercase hex digits + NUL into out. */
void hash32_to_hex(const struct hash32 *h, char out[HASH32_HEX_SIZE]);

#endif
