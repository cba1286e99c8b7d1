/* base64.c — see base64.h. */
#include "rpc/base64.h"

#include <stdbool.h>

#include "util/err.h"

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void base64_encode(char *out, const uint8_t *in, size_t n)
{
    size_t i = 0;
    char *p = out;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        *p++ = alphabet[v >> 18];
        *p++ = alphabet[(v >> 12) & 63];
        *p++ = alphabet[(v >> 6) & 63];
        *p++ = alphabet[v & 63];
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)in[i] << 16;
        *p++ = alphabet[v >> 18];
        *p++ = alphabet[(v >> 12) & 63];
        *p++ = '=';
        *p++ = '=';
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
        *p++ = alphabet[v >> 18];
        *p++ = alphabet[(v >> 12) & 63];
        *p++ = alphabet[(v >> 6) & 63];
        *p++ = '=';
    }
    *p = 0;
}

static int sextet(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

int base64_decode(const char *s, size_t slen, uint8_t *out, size_t cap, size_t *n)
{
    *n = 0;
    if (slen % 4)
        return err_set(ERR_DECODE, "base64: length %zu is not a multiple of 4", slen);
    size_t o = 0;
    for (size_t i = 0; i < slen; i += 4) {
        bool last = i + 4 == slen;
        int pad = 0;
        if (last && s[i + 3] == '=')
            pad = s[i + 2] == '=' ? 2 : 1;
        int v[4];
        for (int k = 0; k < 4 - pad; k++) {
            v[k] = sextet(s[i + k]);
            if (v[k] < 0)
                return err_set(ERR_DECODE, "base64: bad character");
        }
        for (int k = 4 - pad; k < 4; k++)
            v[k] = 0;
        uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | v[3];
        size_t produce = 3 - (size_t)pad;
        if ((pad == 1 && (w & 0xff)) || (pad == 2 && (w & 0xffff)))
            return err_set(ERR_DECODE, "base64: non-zero padding bits");
        if (o + produce > cap)
            return err_set(ERR_RANGE, "base64: decoded data too long");
        out[o++] = (uint8_t)(w >> 16);
        if (produce > 1)
            out[o++] = (uint8_t)(w >> 8);
        if (produce > 2)
            out[o++] = (uint8_t)w;
    }
    *n = o;
    return 0;
}
