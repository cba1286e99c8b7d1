/*
 * rlpx_session.c — the byte-level driver of one RLPx connection; see
 * rlpx_session.h.
 *
 * All reading goes through one pattern: `in` collects bytes until it holds
 * `need`, then step() looks at it and either raises `need` (the handshake
 * packet's length becomes known bit by bit; a frame header announces its
 * body) or completes an event. feed copies at most `need - in.len` bytes at
 * a time, so it never swallows bytes that belong to the next unit, and
 * `need` is bounded before anything is allocated: by the handshake reader
 * (2 + RLPX_HANDSHAKE_MAX) or by the frame header check (max_frame).
 *
 * Any failure wipes the secrets and leaves the session FAILED; the reason
 * is copied out of the thread's error context so an event can carry it.
 */
#include "net/rlpx_session.h"
#include "util/err.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

/* A body buffer larger than this is released once its message is handed
 * out, so one huge frame does not pin its memory for the connection's life. */
#define KEEP_IN_CAP (1u << 20)

static void wipe_in(struct rlpx_session *s)
{
    if (s->in.data)
        OPENSSL_cleanse(s->in.data, s->in.cap);
    bytes_free(&s->in);
}

static int fail(struct rlpx_session *s, int rc, struct rlpx_event *ev)
{
    if (s->phase != RLPX_SESSION_FAILED) {
        s->error = rc;
        snprintf(s->reason, sizeof s->reason, "%s", err_msg()[0] ? err_msg() : err_name(rc));
        s->phase = RLPX_SESSION_FAILED;
        rlpx_handshake_clear(&s->hs);
        rlpx_frame_free(&s->fc);
        wipe_in(s);
    }
    if (ev) {
        memset(ev, 0, sizeof *ev);
        ev->type = RLPX_EVENT_ERROR;
        ev->error = rc;
        ev->reason = s->reason;
    }
    return rc;
}

static void start(struct rlpx_session *s)
{
    memset(s, 0, sizeof *s);
    s->phase = RLPX_SESSION_HANDSHAKE;
    s->max_frame = RLPX_SESSION_MAX_FRAME;
    s->need = 2; /* the first look at a handshake packet: EIP-8 size or 0x04 */
}

int rlpx_session_init_initiator(struct rlpx_session *s, const uint8_t sk[32],
                                const uint8_t remote_pub[64])
{
    start(s);
    int rc = rlpx_handshake_initiator(&s->hs, sk, remote_pub, &s->out);
    return rc ? fail(s, rc, NULL) : 0;
}

int rlpx_session_init_recipient(struct rlpx_session *s, const uint8_t sk[32])
{
    start(s);
    int rc = rlpx_handshake_recipient(&s->hs, sk);
    return rc ? fail(s, rc, NULL) : 0;
}

/* Enters the frame phase with the given secrets. */
static int open_frames(struct rlpx_session *s, const struct rlpx_secrets *sec,
                       const uint8_t remote_id[64])
{
    int rc = rlpx_frame_init(&s->fc, sec, s->max_frame);
    if (rc)
        return rc;
    memcpy(s->remote_id, remote_id, 64);
    s->phase = RLPX_SESSION_OPEN;
    bytes_reset(&s->in);
    s->need = RLPX_FRAME_HEADER_LEN;
    s->in_body = false;
    return 0;
}

int rlpx_session_init_open(struct rlpx_session *s, const struct rlpx_secrets *sec,
                           const uint8_t remote_id[64])
{
    start(s);
    int rc = open_frames(s, sec, remote_id);
    return rc ? fail(s, rc, NULL) : 0;
}

int rlpx_session_set_max_frame(struct rlpx_session *s, size_t max)
{
    if (max == 0 || max > RLPX_FRAME_SIZE_MAX)
        return err_set(ERR_RANGE, "rlpx: frame size limit %zu (1..%u)", max,
                       RLPX_FRAME_SIZE_MAX);
    s->max_frame = max;
    if (s->phase == RLPX_SESSION_OPEN)
        s->fc.max_frame = max; /* same module: the codec reads it per header */
    return 0;
}

/* The handshake packet in `in` may be complete. */
static int step_handshake(struct rlpx_session *s, struct rlpx_event *ev)
{
    size_t used, need;
    int rc = rlpx_handshake_read(&s->hs, s->in.data, s->in.len, &used, &need, &s->out);
    if (rc)
        return rc;
    if (used == 0) {
        s->need = need; /* > in.len: wait for more */
        return 0;
    }
    rc = open_frames(s, &s->hs.secrets, s->hs.remote_pub);
    rlpx_handshake_clear(&s->hs);
    if (rc)
        return rc;
    ev->type = RLPX_EVENT_HANDSHAKE;
    ev->remote_id = s->remote_id;
    return 0;
}

/* A frame header or a whole frame body is in `in`. */
static int step_frame(struct rlpx_session *s, struct rlpx_event *ev)
{
    if (!s->in_body) {
        size_t body_len;
        int rc = rlpx_frame_read_header(&s->fc, s->in.data, &body_len);
        if (rc)
            return rc;
        bytes_reset(&s->in);
        rc = bytes_reserve(&s->in, body_len);
        if (rc)
            return rc;
        s->need = body_len;
        s->in_body = true;
        return 0;
    }
    const uint8_t *frame, *payload;
    size_t frame_len, payload_len;
    int rc = rlpx_frame_read_body(&s->fc, s->in.data, s->in.len, &frame, &frame_len);
    if (rc == 0)
        rc = rlpx_frame_split(frame, frame_len, &ev->code, &payload, &payload_len);
    if (rc)
        return rc;
    ev->type = RLPX_EVENT_MESSAGE;
    ev->payload = payload_len ? payload : NULL;
    ev->payload_len = payload_len;
    s->delivered = true;
    s->in_body = false;
    s->need = RLPX_FRAME_HEADER_LEN;
    return 0;
}

int rlpx_session_feed(struct rlpx_session *s, const uint8_t *in, size_t len, size_t *consumed,
                      struct rlpx_event *ev)
{
    memset(ev, 0, sizeof *ev);
    *consumed = 0;
    if (s->phase == RLPX_SESSION_FAILED) {
        ev->type = RLPX_EVENT_ERROR;
        ev->error = ERR_BADSTATE;
        ev->reason = s->reason;
        return err_set(ERR_BADSTATE, "rlpx: session failed earlier: %s", s->reason);
    }
    if (s->delivered) {
        s->delivered = false;
        if (s->in.cap > KEEP_IN_CAP)
            wipe_in(s);
        else
            bytes_reset(&s->in);
    }
    size_t used = 0;
    while (used < len) {
        size_t take = s->need - s->in.len;
        if (take > len - used)
            take = len - used;
        int rc = bytes_append(&s->in, in + used, take);
        used += take;
        if (rc == 0 && s->in.len < s->need)
            break;
        if (rc == 0)
            rc = s->phase == RLPX_SESSION_HANDSHAKE ? step_handshake(s, ev) : step_frame(s, ev);
        if (rc) {
            *consumed = used;
            return fail(s, rc, ev);
        }
        if (ev->type != RLPX_EVENT_NONE)
            break;
    }
    *consumed = used;
    return 0;
}

int rlpx_session_send(struct rlpx_session *s, uint64_t code, const uint8_t *payload, size_t len)
{
    if (s->phase != RLPX_SESSION_OPEN)
        return err_set(ERR_BADSTATE, "rlpx: cannot send %s",
                       s->phase == RLPX_SESSION_FAILED ? "on a failed session"
                                                       : "before the handshake is done");
    int rc = rlpx_frame_write(&s->fc, code, payload, len, &s->out);
    if (rc == ERR_CRYPTO)
        return fail(s, rc, NULL);
    if (rc == ERR_NOMEM)
        s->out.oom = false; /* nothing was written; a later send may succeed */
    return rc;
}

const uint8_t *rlpx_session_output(const struct rlpx_session *s, size_t *len)
{
    *len = s->out.len - s->out_pos;
    return *len ? s->out.data + s->out_pos : NULL;
}

void rlpx_session_drain(struct rlpx_session *s, size_t n)
{
    size_t left = s->out.len - s->out_pos;
    s->out_pos += n < left ? n : left;
    if (s->out_pos == s->out.len) {
        bytes_reset(&s->out);
        s->out_pos = 0;
    } else if (s->out_pos >= s->out.len / 2) {
        /* keep the buffer from growing on a socket that drains in bits */
        memmove(s->out.data, s->out.data + s->out_pos, s->out.len - s->out_pos);
        s->out.len -= s->out_pos;
        s->out_pos = 0;
    }
}

const uint8_t *rlpx_session_remote_id(const struct rlpx_session *s)
{
    return s->phase == RLPX_SESSION_OPEN ? s->remote_id : NULL;
}

void rlpx_session_free(struct rlpx_session *s)
{
    rlpx_handshake_clear(&s->hs);
    rlpx_frame_free(&s->fc);
    wipe_in(s);
    bytes_free(&s->out);
    OPENSSL_cleanse(s, sizeof *s);
}
