/*
 * wsproto.c — RFC 6455 handshake and framing; see wsproto.h.
 *
 * The reader looks at one frame at a time in a contiguous buffer and
 * consumes it only when it is complete, so the caller keeps unconsumed bytes
 * where they are (an evbuffer) and calls again when more arrive. Size limits
 * are checked from the header alone, before the payload is waited for, so a
 * client cannot make the server buffer more than max_message bytes.
 */
#include "rpc/wsproto.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "rpc/base64.h"
#include "util/err.h"

static const char ws_guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/* ---- handshake ---------------------------------------------------------- */

static bool token_in_list(const char *list, const char *token)
{
    size_t tl = strlen(token);
    const char *p = list;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        const char *start = p;
        while (*p && *p != ',')
            p++;
        const char *end = p;
        while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
            end--;
        if ((size_t)(end - start) == tl && strncasecmp(start, token, tl) == 0)
            return true;
    }
    return false;
}

static void refuse(struct ws_handshake *hs, int status, const char *reason)
{
    if (hs->status == 0 || hs->status == 400) {
        hs->status = status;
        hs->reason = reason;
    }
}

void ws_parse_handshake(const char *req, size_t len, struct ws_handshake *hs)
{
    memset(hs, 0, sizeof *hs);
    if (len > WS_HANDSHAKE_MAX) {
        hs->status = 431;
        hs->reason = "request headers too large";
        return;
    }
    if (memchr(req, 0, len)) {
        hs->status = 400;
        hs->reason = "NUL byte in the request";
        return;
    }
    const char *end = req + len;
    const char *eol = NULL;
    for (const char *p = req; p + 1 < end; p++)
        if (p[0] == '\r' && p[1] == '\n') {
            eol = p;
            break;
        }
    if (!eol) {
        hs->status = 400;
        hs->reason = "malformed request line";
        return;
    }
    /* request line: METHOD SP target SP HTTP/1.1 */
    const char *sp1 = memchr(req, ' ', (size_t)(eol - req));
    const char *sp2 = NULL;
    for (const char *p = eol; p > req; p--)
        if (p[-1] == ' ') {
            sp2 = p - 1;
            break;
        }
    if (!sp1 || !sp2 || sp2 <= sp1) {
        hs->status = 400;
        hs->reason = "malformed request line";
        return;
    }
    if (sp1 - req != 3 || memcmp(req, "GET", 3) != 0) {
        hs->status = 405;
        hs->reason = "only GET upgrades to a WebSocket";
        return;
    }
    if (eol - (sp2 + 1) != 8 || memcmp(sp2 + 1, "HTTP/1.1", 8) != 0) {
        hs->status = 400;
        hs->reason = "HTTP/1.1 required";
        return;
    }

    bool host = false, upgrade = false, connection = false, version13 = false, version = false;
    int keys = 0;
    const char *p = eol + 2;
    for (;;) {
        const char *le = NULL;
        for (const char *q = p; q + 1 < end; q++)
            if (q[0] == '\r' && q[1] == '\n') {
                le = q;
                break;
            }
        if (!le) {
            hs->status = 400;
            hs->reason = "headers do not end with an empty line";
            return;
        }
        if (le == p)
            break;  /* the empty line */
        if (*p == ' ' || *p == '\t') {
            hs->status = 400;
            hs->reason = "folded header lines are not allowed";
            return;
        }
        const char *colon = memchr(p, ':', (size_t)(le - p));
        if (!colon || colon == p) {
            hs->status = 400;
            hs->reason = "malformed header line";
            return;
        }
        for (const char *q = p; q < colon; q++)
            if (*q == ' ' || *q == '\t') {
                hs->status = 400;
                hs->reason = "malformed header name";
                return;
            }
        size_t nlen = (size_t)(colon - p);
        const char *v = colon + 1;
        const char *ve = le;
        while (v < ve && (*v == ' ' || *v == '\t'))
            v++;
        while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
            ve--;
        size_t vlen = (size_t)(ve - v);
        char val[2048];
        bool fits = vlen < sizeof val;
        if (fits) {
            memcpy(val, v, vlen);
            val[vlen] = 0;
        }
#define IS(name) (nlen == sizeof(name) - 1 && strncasecmp(p, name, nlen) == 0)
        if (IS("Host")) {
            host = true;
        } else if (IS("Upgrade")) {
            upgrade = upgrade || (fits && token_in_list(val, "websocket"));
        } else if (IS("Connection")) {
            connection = connection || (fits && token_in_list(val, "upgrade"));
        } else if (IS("Sec-WebSocket-Key")) {
            keys++;
            uint8_t raw[16];
            size_t n;
            if (vlen < sizeof hs->key && base64_decode(v, vlen, raw, sizeof raw, &n) == 0 &&
                n == 16) {
                memcpy(hs->key, v, vlen);
                hs->key[vlen] = 0;
            } else {
                refuse(hs, 400, "bad Sec-WebSocket-Key");
            }
        } else if (IS("Sec-WebSocket-Version")) {
            version = true;
            version13 = vlen == 2 && memcmp(v, "13", 2) == 0;
        } else if (IS("Origin")) {
            if (vlen >= sizeof hs->origin) {
                refuse(hs, 431, "Origin too long");
            } else {
                memcpy(hs->origin, v, vlen);
                hs->origin[vlen] = 0;
            }
        } else if (IS("Authorization")) {
            if (vlen >= sizeof hs->authorization) {
                refuse(hs, 431, "Authorization too long");
            } else {
                memcpy(hs->authorization, v, vlen);
                hs->authorization[vlen] = 0;
            }
        }
#undef IS
        p = le + 2;
    }
    if (hs->status)
        return;
    if (!upgrade || !connection)
        refuse(hs, 400, "not a WebSocket handshake (Upgrade: websocket expected)");
    else if (keys != 1 || !hs->key[0])
        refuse(hs, 400, "bad or missing Sec-WebSocket-Key");
    else if (!version || !version13)
        refuse(hs, 426, "unsupported Sec-WebSocket-Version (13 expected)");
    else if (!host)
        refuse(hs, 400, "missing Host");
}

int ws_accept_key(const char *key, char out[WS_ACCEPT_SIZE])
{
    char buf[64 + sizeof ws_guid];
    size_t kl = strlen(key);
    if (kl > 64)
        return err_set(ERR_RANGE, "websocket key too long");
    memcpy(buf, key, kl);
    memcpy(buf + kl, ws_guid, sizeof ws_guid - 1);
    uint8_t digest[20];
    unsigned int dlen = 0;
    if (EVP_Digest(buf, kl + sizeof ws_guid - 1, digest, &dlen, EVP_sha1(), NULL) != 1 ||
        dlen != 20)
        return err_set(ERR_CRYPTO, "SHA-1 failed");
    base64_encode(out, digest, 20);
    return 0;
}

/* ---- frames -------------------------------------------------------------- */

size_t ws_frame_header(uint8_t out[WS_HEADER_MAX], int opcode, bool fin, uint64_t len,
                       const uint8_t mask[4])
{
    size_t n = 0;
    out[n++] = (uint8_t)((fin ? 0x80 : 0) | (opcode & 0x0f));
    uint8_t m = mask ? 0x80 : 0;
    if (len < 126) {
        out[n++] = m | (uint8_t)len;
    } else if (len <= 0xffff) {
        out[n++] = m | 126;
        out[n++] = (uint8_t)(len >> 8);
        out[n++] = (uint8_t)len;
    } else {
        out[n++] = m | 127;
        for (int i = 7; i >= 0; i--)
            out[n++] = (uint8_t)(len >> (8 * i));
    }
    if (mask) {
        memcpy(out + n, mask, 4);
        n += 4;
    }
    return n;
}

size_t ws_frame_total(const uint8_t *buf, size_t len)
{
    if (len < 2)
        return 0;
    uint64_t plen = buf[1] & 0x7f;
    size_t hdr = 2 + ((buf[1] & 0x80) ? 4 : 0);
    if (plen == 126) {
        if (len < 4)
            return 0;
        plen = (uint64_t)buf[2] << 8 | buf[3];
        hdr += 2;
    } else if (plen == 127) {
        if (len < 10)
            return 0;
        plen = 0;
        for (int i = 0; i < 8; i++)
            plen = plen << 8 | buf[2 + i];
        hdr += 8;
    }
    if (len < hdr)
        return 0;
    if (plen > SIZE_MAX - hdr)
        return SIZE_MAX;
    return hdr + (size_t)plen;
}

void ws_mask(uint8_t *dst, const uint8_t *src, size_t n, const uint8_t mask[4], size_t offset)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = src[i] ^ mask[(i + offset) & 3];
}

bool ws_utf8_valid(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t need;
        uint32_t cp;
        if (c >= 0xc2 && c <= 0xdf) {
            need = 1;
            cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
            need = 2;
            cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            need = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (n - i <= need)
            return false;
        for (size_t k = 1; k <= need; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return false;
            cp = cp << 6 | (s[i + k] & 0x3f);
        }
        if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) || cp > 0x10ffff ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += need + 1;
    }
    return true;
}

/* ---- reader -------------------------------------------------------------- */

void ws_reader_init(struct ws_reader *r, size_t max_message, size_t max_fragments,
                    bool require_mask)
{
    memset(r, 0, sizeof *r);
    r->max_message = max_message;
    r->max_fragments = max_fragments;
    r->require_mask = require_mask;
}

void ws_reader_free(struct ws_reader *r)
{
    bytes_free(&r->msg);
    r->in_message = false;
}

static bool valid_close_code(unsigned c)
{
    return (c >= 1000 && c <= 1003) || (c >= 1007 && c <= 1014) || (c >= 3000 && c <= 4999);
}

int ws_read(struct ws_reader *r, const uint8_t *buf, size_t len, size_t *used)
{
    *used = 0;
    if (len < 2)
        return WS_NEED_MORE;
    bool fin = buf[0] & 0x80;
    int op = buf[0] & 0x0f;
    bool masked = buf[1] & 0x80;
    uint64_t plen = buf[1] & 0x7f;
    size_t hdr = 2;
    if (buf[0] & 0x70)
        return -WS_CLOSE_PROTOCOL;
    if (masked != r->require_mask)
        return -WS_CLOSE_PROTOCOL;
    bool control = op & 0x8;
    if (control) {
        if (op != WS_OP_CLOSE && op != WS_OP_PING && op != WS_OP_PONG)
            return -WS_CLOSE_PROTOCOL;
        if (!fin || plen > WS_CONTROL_MAX)
            return -WS_CLOSE_PROTOCOL;
    } else {
        if (op != WS_OP_CONT && op != WS_OP_TEXT && op != WS_OP_BINARY)
            return -WS_CLOSE_PROTOCOL;
        if ((op == WS_OP_CONT) != r->in_message)
            return -WS_CLOSE_PROTOCOL;
    }
    if (plen == 126) {
        if (len < 4)
            return WS_NEED_MORE;
        plen = (uint64_t)buf[2] << 8 | buf[3];
        hdr = 4;
    } else if (plen == 127) {
        if (len < 10)
            return WS_NEED_MORE;
        plen = 0;
        for (int i = 0; i < 8; i++)
            plen = plen << 8 | buf[2 + i];
        if (plen >> 63)
            return -WS_CLOSE_PROTOCOL;
        hdr = 10;
    }
    if (!control) {
        size_t have = r->in_message ? r->msg.len : 0;
        if (plen > r->max_message || have + plen > r->max_message)
            return -WS_CLOSE_TOO_BIG;
        if ((r->in_message ? r->nfrag : 0) + 1 > r->max_fragments)
            return -WS_CLOSE_TOO_BIG;
    }
    const uint8_t *mask = NULL;
    if (masked) {
        if (len < hdr + 4)
            return WS_NEED_MORE;
        mask = buf + hdr;
        hdr += 4;
    }
    if (len - hdr < plen)
        return WS_NEED_MORE;
    const uint8_t *payload = buf + hdr;
    size_t n = (size_t)plen;
    static const uint8_t nomask[4] = {0, 0, 0, 0};
    if (!mask)
        mask = nomask;

    if (control) {
        ws_mask(r->control, payload, n, mask, 0);
        r->control_len = n;
        *used = hdr + n;
        if (op == WS_OP_PING)
            return WS_PING;
        if (op == WS_OP_PONG)
            return WS_PONG;
        if (n == 1)
            return -WS_CLOSE_PROTOCOL;
        if (n == 0) {
            r->close_code = WS_CLOSE_NO_STATUS;
            return WS_CLOSE;
        }
        unsigned code = (unsigned)r->control[0] << 8 | r->control[1];
        if (!valid_close_code(code))
            return -WS_CLOSE_PROTOCOL;
        if (!ws_utf8_valid(r->control + 2, n - 2))
            return -WS_CLOSE_BAD_DATA;
        r->close_code = (uint16_t)code;
        return WS_CLOSE;
    }

    if (op != WS_OP_CONT) {
        bytes_reset(&r->msg);
        r->in_message = true;
        r->msg_opcode = op;
        r->nfrag = 0;
    }
    if (n) {
        if (bytes_reserve(&r->msg, n))
            return -WS_CLOSE_INTERNAL;
        ws_mask(r->msg.data + r->msg.len, payload, n, mask, 0);
        r->msg.len += n;
    }
    r->nfrag++;
    *used = hdr + n;
    if (!fin)
        return WS_FRAGMENT;
    r->in_message = false;
    if (r->msg_opcode == WS_OP_TEXT && !ws_utf8_valid(r->msg.data, r->msg.len))
        return -WS_CLOSE_BAD_DATA;
    return WS_MESSAGE;
}
