/*
 * fuzz_rlpx_frame.c — libFuzzer target: the RLPx frame reader of an
 * established session, i.e. everything a connected peer sends after the
 * handshake.
 *
 * The receiving session is opened from fixed secrets (the state right
 * after some handshake); a bare codec holding the mirror image plays the
 * peer. The first input byte is a set of flags, the rest the data:
 *   bits 0-1  0: the data are wire bytes, fed to the session as they are;
 *             1: the data are frame bodies (each a 2-byte big-endian length
 *                and that many bytes) that the peer frames honestly, so the
 *                fuzzer reaches the message-code parser and the limits;
 *             2: as 1, then one wire byte (chosen by the last two data
 *                bytes) is flipped
 *   bits 2-4  the session's frame-size limit: 2^(4 + value) bytes
 *   bits 5-7  feed in pieces of 2^value bytes (7: all at once)
 *
 * Properties: nothing crashes or leaks; feed never consumes more than it
 * is given and reports an event only with the bytes that completed it;
 * errors are documented codes and terminal. For honest frames, message i
 * arrives with exactly the code and payload rlpx_frame_split finds in body
 * i, and the first failure is the one that body calls for (ERR_RANGE over
 * the limit, the split's code when it has no valid message code). With a
 * flipped byte, no message from the damaged frame on is ever delivered
 * and the session ends in ERR_CRYPTO (or an earlier honest error).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/rlpx_frame.h"
#include "net/rlpx_session.h"
#include "util/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_BODIES 64

static void secrets(struct rlpx_secrets *mine, struct rlpx_secrets *peer)
{
    memset(mine, 0, sizeof *mine);
    memset(mine->aes, 0xa5, 32);
    memset(mine->mac, 0x5a, 32);
    keccak256_init(&mine->egress_mac);
    keccak256_update(&mine->egress_mac, "fuzz-egress", 11);
    keccak256_init(&mine->ingress_mac);
    keccak256_update(&mine->ingress_mac, "fuzz-ingress", 12);
    *peer = *mine;
    peer->egress_mac = mine->ingress_mac;
    peer->ingress_mac = mine->egress_mac;
}

static bool documented(int rc)
{
    return rc == ERR_RANGE || rc == ERR_DECODE || rc == ERR_CRYPTO || rc == ERR_NOMEM;
}

/* What body i should produce: 0 and its code/payload, or the error. */
static int expect(const uint8_t *body, size_t len, size_t max, uint64_t *code,
                  const uint8_t **payload, size_t *plen)
{
    if (len > max)
        return ERR_RANGE;
    return rlpx_frame_split(body, len, code, payload, plen);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    int mode = data[0] & 3;
    size_t max = (size_t)1 << (4 + ((data[0] >> 2) & 7));
    size_t piece = (data[0] >> 5) == 7 ? SIZE_MAX : (size_t)1 << (data[0] >> 5);
    const uint8_t *in = data + 1;
    size_t len = size - 1;

    struct rlpx_secrets mine, peer;
    secrets(&mine, &peer);
    struct rlpx_session s;
    uint8_t id[64] = {0};
    if (rlpx_session_init_open(&s, &mine, id) || rlpx_session_set_max_frame(&s, max))
        abort();

    /* The stream to feed, and for modes 1-2 the honest bodies in it. */
    struct bytes wire = BYTES_INIT;
    const uint8_t *body[MAX_BODIES];
    size_t body_len[MAX_BODIES], frame_end[MAX_BODIES], nbodies = 0, flip = SIZE_MAX;
    if (mode == 0) {
        bytes_append(&wire, in, len);
    } else {
        struct rlpx_frame_codec w;
        if (rlpx_frame_init(&w, &peer, RLPX_FRAME_SIZE_MAX))
            abort();
        size_t off = 0;
        while (nbodies < MAX_BODIES && len - off >= 2) {
            size_t n = (size_t)in[off] << 8 | in[off + 1];
            off += 2;
            if (n > len - off)
                n = len - off;
            if (n == 0)
                continue; /* the writer refuses empty frames */
            if (rlpx_frame_write_body(&w, in + off, n, &wire))
                abort();
            body[nbodies] = in + off;
            body_len[nbodies] = n;
            frame_end[nbodies++] = wire.len;
            off += n;
        }
        rlpx_frame_free(&w);
        if (mode == 2 && wire.len > 0 && len >= 2) {
            flip = ((size_t)in[len - 2] << 8 | in[len - 1]) % wire.len;
            wire.data[flip] ^= 0x01;
        }
    }
    if (bytes_ok(&wire))
        abort();

    size_t off = 0, got = 0;
    int rc = 0;
    while (off < wire.len && rc == 0) {
        size_t n = wire.len - off < piece ? wire.len - off : piece;
        size_t used;
        struct rlpx_event ev;
        rc = rlpx_session_feed(&s, wire.data + off, n, &used, &ev);
        if (used > n)
            abort();
        off += used;
        if (rc) {
            if (!documented(rc) || ev.type != RLPX_EVENT_ERROR || ev.error != rc || !ev.reason)
                abort();
            break;
        }
        if (ev.type == RLPX_EVENT_NONE) {
            if (used != n)
                abort();
            continue;
        }
        if (ev.type != RLPX_EVENT_MESSAGE || mode == 0)
            abort(); /* mode 0 cannot forge a MAC: no message */
        /* message number `got`: ends exactly at its frame, matches its body */
        if (got >= nbodies || off != frame_end[got])
            abort();
        if (flip != SIZE_MAX && flip < frame_end[got])
            abort(); /* a damaged frame was delivered */
        uint64_t code;
        const uint8_t *p;
        size_t plen;
        if (expect(body[got], body_len[got], max, &code, &p, &plen) != 0 || ev.code != code ||
            ev.payload_len != plen || (plen && memcmp(ev.payload, p, plen) != 0))
            abort();
        got++;
    }
    if (mode != 0 && rc == 0 && got != nbodies)
        abort(); /* all honest frames fed: all delivered */
    if (mode != 0 && rc != 0) {
        uint64_t code;
        const uint8_t *p;
        size_t plen;
        int want = got < nbodies ? expect(body[got], body_len[got], max, &code, &p, &plen) : 0;
        bool damaged = flip != SIZE_MAX && got < nbodies && flip < frame_end[got];
        if (damaged ? !(rc == ERR_CRYPTO || rc == want) : rc != want)
            abort();
    }
    /* afterwards a failed session refuses more input */
    if (rc) {
        size_t used;
        struct rlpx_event ev;
        if (rlpx_session_feed(&s, data, size, &used, &ev) != ERR_BADSTATE || used != 0)
            abort();
    }
    rlpx_session_free(&s);
    bytes_free(&wire);
    err_clear();
    return 0;
}
