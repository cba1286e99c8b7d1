/*
 * hex.h — hexadecimal encoding and decoding of byte strings.
 *
 * Decoders accept an optional "0x"/"0X" prefix and either case; they reject
 * odd lengths and non-hex characters with ERR_DECODE. Nothing here allocates
 * except hex_decode_alloc. Safe from any thread.
 */
#ifndef SPECTRUM_UTIL_HEX_H
#define SPECTRUM_UTIL_HEX_H

#include <stddef.h>
#include <stdint.h>

#include "util/bytes.h"

/* Writes 2*n lowercase hex digits and a NUL to out (size >= 2*n+1). */
void hex_encode(char *out, const uint8_t *in, size_t n);

/* Appends "0x" and lowercase hex digits to a buffer (no NUL). Returns 0 or
 * ERR_NOMEM. */
int hex_append(struct bytes *out, const uint8_t *in, size_t n);

/* Returns the number of bytes `s` (length slen, optional 0x) decodes to, or
 * a negative ERR_DECODE if the length is odd. */
long hex_decoded_len(const char *s, size_t slen);

/* Decodes hex text into exactly `outlen` bytes.
 * Returns 0, or ERR_DECODE if the text is not hex or its length is not
 * exactly 2*outlen digits. */
int hex_decode_exact(const char *s, size_t slen, uint8_t *out, size_t outlen);

/* Decodes hex text into out (capacity cap); *n receives the length.
 * Returns 0, ERR_DECODE (bad text) or ERR_RANGE (does not fit in cap). */
int hex_decode(const char *s, size_t slen, uint8_t *out, size_t cap, size_t *n);

/* Decodes into a freshly allocated buffer (caller frees; *out is NULL for an
 * empty string). Input over `max` decoded bytes is refused with ERR_RANGE. */
int hex_decode_alloc(const char *s, size_t slen, size_t max, uint8_t **out, size_t *n);

/* Value of one hex digit, or -1. */
int hex_digit(int c);

#endif
