/* hex.c — hex encoding and decoding; see hex.h. */
#include "util/hex.h"
#include "util/err.h"

#include <stdlib.h>

static const char hex_chars[] = "0123456789abcdef";

void hex_encode(char *out, const uint8_t *in, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex_chars[in[i] >> 4];
        out[2 * i + 1] = hex_chars[in[i] & 15];
    }
    out[2 * n] = 0;
}

int hex_append(struct bytes *out, const uint8_t *in, size_t n)
{
    if (n > (SIZE_MAX - 2) / 2)
        return err_set(ERR_RANGE, "hex: input too large");
    int rc = bytes_reserve(out, 2 + 2 * n);
    if (rc)
        return rc;
    uint8_t *p = out->data + out->len;
    *p++ = '0';
    *p++ = 'x';
    for (size_t i = 0; i < n; i++) {
        *p++ = (uint8_t)hex_chars[in[i] >> 4];
        *p++ = (uint8_t)hex_chars[in[i] & 15];
    }
    out->len += 2 + 2 * n;
    return 0;
}

int hex_digit(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static void skip_prefix(const char **s, size_t *slen)
{
    if (*slen >= 2 && (*s)[0] == '0' && ((*s)[1] == 'x' || (*s)[1] == 'X')) {
        *s += 2;
        *slen -= 2;
    }
}

long hex_decoded_len(const char *s, size_t slen)
{
    skip_prefix(&s, &slen);
    if (slen & 1)
        return err_set(ERR_DECODE, "hex: odd number of digits");
    return (long)(slen / 2);
}

static int decode_digits(const char *s, size_t nbytes, uint8_t *out)
{
    for (size_t i = 0; i < nbytes; i++) {
        int hi = hex_digit((unsigned char)s[2 * i]);
        int lo = hex_digit((unsigned char)s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return err_set(ERR_DECODE, "hex: invalid character at offset %zu",
                           2 * i + (hi < 0 ? 0 : 1));
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

int hex_decode_exact(const char *s, size_t slen, uint8_t *out, size_t outlen)
{
    skip_prefix(&s, &slen);
    if (slen != 2 * outlen)
        return err_set(ERR_DECODE, "hex: expected %zu digits, got %zu", 2 * outlen, slen);
    return decode_digits(s, outlen, out);
}

int hex_decode(const char *s, size_t slen, uint8_t *out, size_t cap, size_t *n)
{
    skip_prefix(&s, &slen);
    if (slen & 1)
        return err_set(ERR_DECODE, "hex: odd number of digits");
    if (slen / 2 > cap)
        return err_set(ERR_RANGE, "hex: %zu bytes exceed %zu", slen / 2, cap);
    int rc = decode_digits(s, slen / 2, out);
    if (rc == 0 && n)
        *n = slen / 2;
    return rc;
}

int hex_decode_alloc(const char *s, size_t slen, size_t max, uint8_t **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    skip_prefix(&s, &slen);
    if (slen & 1)
        return err_set(ERR_DECODE, "hex: odd number of digits");
    size_t len = slen / 2;
    if (len > max)
        return err_set(ERR_RANGE, "hex: %zu bytes exceed the limit of %zu", len, max);
    if (len == 0)
        return 0;
    uint8_t *p = malloc(len);
    if (!p)
        return err_set(ERR_NOMEM, "hex: %zu bytes", len);
    int rc = decode_digits(s, len, p);
    if (rc) {
        free(p);
        return rc;
    }
    *out = p;
    *n = len;
    return 0;
}
