/*
 * base64.h — standard base64 (RFC 4648 §4, with padding) for the two places
 * HTTP needs it: Basic credentials and the WebSocket accept key.
 *
 * Decoding is strict (the alphabet, length a multiple of 4, padding only at
 * the end, zero pad bits), because its input is a client's header. No
 * allocation; safe from any thread.
 */
#ifndef SPECTRUM_RPC_BASE64_H
#define SPECTRUM_RPC_BASE64_H

#include <stddef.h>
#include <stdint.h>

/* Bytes needed to encode n bytes, including the NUL. */
#define BASE64_ENCODED_SIZE(n) ((((n) + 2) / 3) * 4 + 1)

/* Writes the encoding of in[0..n) and a NUL to out (at least
 * BASE64_ENCODED_SIZE(n) bytes). */
void base64_encode(char *out, const uint8_t *in, size_t n);

/* Decodes s[0..slen) into out (capacity cap); *n receives the length.
 * Returns 0, ERR_DECODE (not strict base64) or ERR_RANGE (does not fit). */
int base64_decode(const char *s, size_t slen, uint8_t *out, size_t cap, size_t *n);

#endif
