/*
 * msg.c — encoding, decoding, signing and verifying the channel protocol's
 * packets (msg.h; spec/photon.md §3.1–3.3).
 *
 * Every operation goes through one function per direction that follows the
 * spec's table: write_body() writes a message without its final signature
 * (what additional_hash and the plain signatures cover), read_body() reads
 * one. Encoding is write_body + signature; signing is write_body, a digest
 * and a signature; verifying is the same digest and a recovery. Because the
 * decoder is strict (exact lengths, canonical varints, bounded counts),
 * write_body(read_body(p)) == p minus its signature, so a verified decoded
 * message signs exactly the bytes that were received.
 *
 * The writer and reader below are bounded cursors: the writer refuses to
 * pass CH_PACKET_MAX, the reader to pass the end of its input, each naming
 * the field that did not fit.
 */
#include "channel/msg.h"

#include <string.h>

#include "crypto/keccak.h"
#include "util/err.h"

/* ---- names ------------------------------------------------------------- */

const char *ch_cmd_name(int cmd)
{
    switch (cmd) {
    case CH_CMD_ACK: return "Ack";
    case CH_CMD_PING: return "Ping";
    case CH_CMD_SECRET_REQUEST: return "SecretRequest";
    case CH_CMD_UNLOCK: return "Unlock";
    case CH_CMD_DIRECT_TRANSFER: return "DirectTransfer";
    case CH_CMD_MEDIATED_TRANSFER: return "MediatedTransfer";
    case CH_CMD_ANNOUNCE_DISPOSED: return "AnnounceDisposed";
    case CH_CMD_REVEAL_SECRET: return "RevealSecret";
    case CH_CMD_REMOVE_EXPIRED_LOCK: return "RemoveExpiredHashlock";
    case CH_CMD_SETTLE_REQUEST: return "SettleRequest";
    case CH_CMD_SETTLE_RESPONSE: return "SettleResponse";
    case CH_CMD_WITHDRAW_REQUEST: return "WithdrawRequest";
    case CH_CMD_WITHDRAW_RESPONSE: return "WithdrawResponse";
    case CH_CMD_ANNOUNCE_DISPOSED_RESPONSE: return "AnnounceDisposedResponse";
    default: return "unknown";
    }
}

bool ch_cmd_known(int cmd)
{
    return cmd == CH_CMD_ACK || (cmd >= CH_CMD_PING && cmd <= CH_CMD_ANNOUNCE_DISPOSED_RESPONSE &&
                                 cmd % 2 == 1);
}

bool ch_cmd_is_envelope(int cmd)
{
    return cmd == CH_CMD_UNLOCK || cmd == CH_CMD_DIRECT_TRANSFER ||
           cmd == CH_CMD_MEDIATED_TRANSFER || cmd == CH_CMD_REMOVE_EXPIRED_LOCK ||
           cmd == CH_CMD_ANNOUNCE_DISPOSED_RESPONSE;
}

int ch_msg_init(struct ch_msg *m, int cmd)
{
    memset(m, 0, sizeof *m);
    if (!ch_cmd_known(cmd))
        return err_set(ERR_INVAL, "channel message: unknown command %d", cmd);
    m->cmd = (uint16_t)cmd;
    m->version = cmd == CH_CMD_MEDIATED_TRANSFER ? CH_MEDIATED_VERSION : 0;
    return 0;
}

struct ch_bp *ch_msg_bp_mut(struct ch_msg *m)
{
    switch (m->cmd) {
    case CH_CMD_UNLOCK: return &m->u.unlock.bp;
    case CH_CMD_DIRECT_TRANSFER: return &m->u.direct.bp;
    case CH_CMD_MEDIATED_TRANSFER: return &m->u.mediated.bp;
    case CH_CMD_REMOVE_EXPIRED_LOCK:
    case CH_CMD_ANNOUNCE_DISPOSED_RESPONSE: return &m->u.removal.bp;
    default: return NULL;
    }
}

const struct ch_bp *ch_msg_bp(const struct ch_msg *m)
{
    return ch_msg_bp_mut((struct ch_msg *)m);
}

static bool is_zero(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++)
        acc |= p[i];
    return acc == 0;
}

/* ---- writer ------------------------------------------------------------ */

struct wr {
    uint8_t *p;
    size_t cap;
    size_t len;
    int rc;                 /* first error, sticky */
    const char *msg;        /* message name for the context */
};

static void w_put(struct wr *w, const void *src, size_t n, const char *field)
{
    if (w->rc)
        return;
    if (n > w->cap - w->len) {
        w->rc = err_set(ERR_RANGE, "%s: packet over %zu bytes at %s", w->msg, w->cap, field);
        return;
    }
    memcpy(w->p + w->len, src, n);
    w->len += n;
}

static void w_u16le(struct wr *w, uint16_t v, const char *field)
{
    uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    w_put(w, b, 2, field);
}

static void w_u64(struct wr *w, uint64_t v, const char *field)
{
    uint8_t b[8];
    be_put64(b, v);
    w_put(w, b, 8, field);
}

static void w_u32(struct wr *w, uint32_t v, const char *field)
{
    uint8_t b[4];
    be_put32(b, v);
    w_put(w, b, 4, field);
}

static void w_u256(struct wr *w, const u256 *v, const char *field)
{
    uint8_t b[32];
    u256_to_be(v, b);
    w_put(w, b, 32, field);
}

/* A block number: non-negative int64 on the wire. */
static void w_block(struct wr *w, uint64_t v, const char *field)
{
    if (!w->rc && v > (uint64_t)CH_BLOCK_MAX)
        w->rc = err_set(ERR_RANGE, "%s: %s above int64", w->msg, field);
    w_u64(w, v, field);
}

/* CompactSize length and the data it announces. */
static void w_data(struct wr *w, const uint8_t *data, size_t len)
{
    if (!w->rc && len > CH_DATA_MAX)
        w->rc = err_set(ERR_RANGE, "%s: data of %zu bytes over %d", w->msg, len, CH_DATA_MAX);
    if (w->rc)
        return;
    if (len < 0xfd) {
        uint8_t b = (uint8_t)len;
        w_put(w, &b, 1, "data length");
    } else {
        uint8_t b = 0xfd;
        w_put(w, &b, 1, "data length");
        w_u16le(w, (uint16_t)len, "data length");
    }
    w_put(w, data, len, "data");
}

static void w_error(struct wr *w, int32_t code, const char *msg, size_t len)
{
    if (!w->rc && len > CH_ERRMSG_MAX)
        w->rc = err_set(ERR_RANGE, "%s: error message of %zu bytes over %d", w->msg, len,
                        CH_ERRMSG_MAX);
    w_u32(w, (uint32_t)code, "error code");
    w_u32(w, (uint32_t)len, "error length");
    w_put(w, msg, len, "error message");
}

static void w_bp(struct wr *w, const struct ch_bp *bp)
{
    if (w->rc)
        return;
    if (bp->nonce == 0)
        w->rc = err_set(ERR_INVAL, "%s: nonce 0", w->msg);
    else if (bp->open_block == 0)
        w->rc = err_set(ERR_INVAL, "%s: open_block 0", w->msg);
    else if (is_zero(bp->channel_id, 32))
        w->rc = err_set(ERR_INVAL, "%s: zero channel_id", w->msg);
    w_u64(w, bp->nonce, "nonce");
    w_put(w, bp->channel_id, 32, "channel_id");
    w_block(w, bp->open_block, "open_block");
    w_u256(w, &bp->transferred_amount, "transferred_amount");
    w_put(w, bp->locksroot, 32, "locksroot");
}

/* Writes m without its final signature. */
static int write_body(const struct ch_msg *m, uint8_t *buf, size_t cap, size_t *len)
{
    struct wr w = {buf, cap, 0, 0, ch_cmd_name(m->cmd)};
    if (!ch_cmd_known(m->cmd))
        return err_set(ERR_INVAL, "channel message: unknown command %u", m->cmd);
    if (m->cmd == CH_CMD_MEDIATED_TRANSFER && m->version < CH_MEDIATED_VERSION)
        return err_set(ERR_INVAL, "MediatedTransfer: version %d below %d", m->version,
                       CH_MEDIATED_VERSION);
    w_u16le(&w, m->cmd, "command");
    w_u16le(&w, (uint16_t)m->version, "version");
    switch (m->cmd) {
    case CH_CMD_ACK:
        w_put(&w, m->u.ack.sender, 20, "sender");
        w_put(&w, m->u.ack.echo, 32, "echo");
        break;
    case CH_CMD_PING:
        w_u64(&w, (uint64_t)m->u.ping.nonce, "nonce");
        break;
    case CH_CMD_SECRET_REQUEST:
        w_put(&w, m->u.secret_request.secret_hash, 32, "lock_secret_hash");
        w_u256(&w, &m->u.secret_request.amount, "payment_amount");
        break;
    case CH_CMD_REVEAL_SECRET:
        w_put(&w, m->u.reveal_secret.secret, 32, "secret");
        w_data(&w, m->u.reveal_secret.data, m->u.reveal_secret.data_len);
        break;
    case CH_CMD_UNLOCK:
        w_put(&w, m->u.unlock.secret, 32, "secret");
        w_bp(&w, &m->u.unlock.bp);
        break;
    case CH_CMD_DIRECT_TRANSFER:
        w_data(&w, m->u.direct.data, m->u.direct.data_len);
        w_bp(&w, &m->u.direct.bp);
        break;
    case CH_CMD_MEDIATED_TRANSFER: {
        const struct ch_mediated_transfer *t = &m->u.mediated;
        if (t->path_len > CH_PATH_MAX)
            return err_set(ERR_RANGE, "MediatedTransfer: path of %zu hops over %d", t->path_len,
                           CH_PATH_MAX);
        w_block(&w, t->lock.expiration, "expiration");
        w_put(&w, t->lock.secret_hash, 32, "lock_secret_hash");
        w_u256(&w, &t->lock.amount, "payment_amount");
        w_put(&w, t->target, 20, "target");
        w_put(&w, t->initiator, 20, "initiator");
        w_u256(&w, &t->fee, "fee");
        w_u32(&w, (uint32_t)t->path_len, "path_len");
        for (size_t i = 0; i < t->path_len; i++)
            w_put(&w, t->path[i], 20, "path");
        w_bp(&w, &t->bp);
        break;
    }
    case CH_CMD_REMOVE_EXPIRED_LOCK:
    case CH_CMD_ANNOUNCE_DISPOSED_RESPONSE:
        w_put(&w, m->u.removal.secret_hash, 32, "lock_secret_hash");
        w_bp(&w, &m->u.removal.bp);
        break;
    case CH_CMD_ANNOUNCE_DISPOSED: {
        const struct ch_announce_disposed *d = &m->u.disposed;
        uint8_t lock[CH_LOCK_LEN];
        if (d->lock.expiration > (uint64_t)CH_BLOCK_MAX)
            return err_set(ERR_RANGE, "AnnounceDisposed: lock expiration above int64");
        ch_lock_pack(&d->lock, lock);
        w_put(&w, lock, sizeof lock, "lock");
        w_put(&w, d->channel_id, 32, "channel_id");
        w_block(&w, d->open_block, "open_block");
        w_error(&w, d->error_code, d->error_msg, d->error_len);
        break;
    }
    case CH_CMD_WITHDRAW_REQUEST:
    case CH_CMD_WITHDRAW_RESPONSE: {
        const struct ch_withdraw *d = &m->u.withdraw;
        w_put(&w, d->channel_id, 32, "channel_id");
        w_block(&w, d->open_block, "open_block");
        w_put(&w, d->p1, 20, "participant1");
        w_put(&w, d->p2, 20, "participant2");
        w_u256(&w, &d->p1_balance, "participant1_balance");
        w_u256(&w, &d->p1_withdraw, "participant1_withdraw");
        w_put(&w, d->contract_sig, CH_SIG_LEN, "contract signature");
        if (m->cmd == CH_CMD_WITHDRAW_RESPONSE)
            w_error(&w, d->error_code, d->error_msg, d->error_len);
        break;
    }
    case CH_CMD_SETTLE_REQUEST:
    case CH_CMD_SETTLE_RESPONSE: {
        const struct ch_settle *d = &m->u.settle;
        w_put(&w, d->channel_id, 32, "channel_id");
        w_block(&w, d->open_block, "open_block");
        w_put(&w, d->p1, 20, "participant1");
        w_u256(&w, &d->p1_balance, "participant1_balance");
        w_put(&w, d->p2, 20, "participant2");
        w_u256(&w, &d->p2_balance, "participant2_balance");
        w_put(&w, d->contract_sig, CH_SIG_LEN, "contract signature");
        if (m->cmd == CH_CMD_SETTLE_RESPONSE)
            w_error(&w, d->error_code, d->error_msg, d->error_len);
        break;
    }
    }
    if (w.rc)
        return w.rc;
    *len = w.len;
    return 0;
}

int ch_msg_encode_buf(const struct ch_msg *m, uint8_t *out, size_t cap, size_t *len)
{
    uint8_t buf[CH_PACKET_MAX];
    size_t n;
    int rc = write_body(m, buf, sizeof buf, &n);
    if (rc)
        return rc;
    if (m->cmd != CH_CMD_ACK) {
        if (n + CH_SIG_LEN > CH_PACKET_MAX)
            return err_set(ERR_RANGE, "%s: packet over %d bytes", ch_cmd_name(m->cmd),
                           CH_PACKET_MAX);
        memcpy(buf + n, m->sig, CH_SIG_LEN);
        n += CH_SIG_LEN;
    }
    if (n > cap)
        return err_set(ERR_RANGE, "%s: %zu-byte buffer for a %zu-byte packet",
                       ch_cmd_name(m->cmd), cap, n);
    memcpy(out, buf, n);
    *len = n;
    return 0;
}

int ch_msg_encode(const struct ch_msg *m, struct bytes *out)
{
    uint8_t buf[CH_PACKET_MAX];
    size_t n;
    int rc = ch_msg_encode_buf(m, buf, sizeof buf, &n);
    if (rc)
        return rc;
    return bytes_append(out, buf, n);
}

/* ---- reader ------------------------------------------------------------ */

struct rd {
    const uint8_t *p;
    size_t len;
    size_t pos;
    int rc;                 /* first error, sticky */
    const char *msg;
};

/* Takes n bytes; NULL (and a sticky error naming the field) when short. */
static const uint8_t *r_take(struct rd *r, size_t n, const char *field)
{
    if (r->rc)
        return NULL;
    if (n > r->len - r->pos) {
        r->rc = err_set(ERR_DECODE, "%s: truncated at %s (%zu bytes)", r->msg, field, r->len);
        return NULL;
    }
    const uint8_t *q = r->p + r->pos;
    r->pos += n;
    return q;
}

static void r_copy(struct rd *r, void *dst, size_t n, const char *field)
{
    const uint8_t *q = r_take(r, n, field);
    if (q)
        memcpy(dst, q, n);
}

static uint64_t r_u64(struct rd *r, const char *field)
{
    const uint8_t *q = r_take(r, 8, field);
    return q ? be_get64(q) : 0;
}

static uint32_t r_u32(struct rd *r, const char *field)
{
    const uint8_t *q = r_take(r, 4, field);
    return q ? be_get32(q) : 0;
}

static void r_u256(struct rd *r, u256 *v, const char *field)
{
    const uint8_t *q = r_take(r, 32, field);
    if (q)
        u256_from_be(v, q, 32);
}

static uint64_t r_block(struct rd *r, const char *field)
{
    uint64_t v = r_u64(r, field);
    if (!r->rc && v > (uint64_t)CH_BLOCK_MAX)
        r->rc = err_set(ERR_DECODE, "%s: negative %s", r->msg, field);
    return v;
}

/* CompactSize length (canonical, <= CH_DATA_MAX) and the data. */
static void r_data(struct rd *r, uint8_t *data, size_t *len)
{
    const uint8_t *q = r_take(r, 1, "data length");
    if (!q)
        return;
    uint64_t v = q[0], min = 0;
    size_t extra = 0;
    if (q[0] == 0xfd) {
        extra = 2;
        min = 0xfd;
    } else if (q[0] == 0xfe) {
        extra = 4;
        min = 0x10000;
    } else if (q[0] == 0xff) {
        extra = 8;
        min = 0x100000000ull;
    }
    if (extra) {
        const uint8_t *e = r_take(r, extra, "data length");
        if (!e)
            return;
        v = 0;
        for (size_t i = extra; i-- > 0;)
            v = v << 8 | e[i];
        if (v < min) {
            r->rc = err_set(ERR_DECODE, "%s: data length %llu not in its shortest varint form",
                            r->msg, (unsigned long long)v);
            return;
        }
    }
    if (v > CH_DATA_MAX) {
        r->rc = err_set(ERR_RANGE, "%s: data length %llu over %d", r->msg,
                        (unsigned long long)v, CH_DATA_MAX);
        return;
    }
    r_copy(r, data, (size_t)v, "data");
    if (!r->rc)
        *len = (size_t)v;
}

static void r_error(struct rd *r, int32_t *code, char *msg, size_t *len)
{
    *code = (int32_t)r_u32(r, "error code");
    uint32_t n = r_u32(r, "error length");
    if (r->rc)
        return;
    if (n > INT32_MAX) {
        r->rc = err_set(ERR_DECODE, "%s: negative error length", r->msg);
        return;
    }
    if (n > CH_ERRMSG_MAX) {
        r->rc = err_set(ERR_RANGE, "%s: error message of %u bytes over %d", r->msg, n,
                        CH_ERRMSG_MAX);
        return;
    }
    r_copy(r, msg, n, "error message");
    if (r->rc)
        return;
    msg[n] = '\0';
    *len = n;
}

static void r_bp(struct rd *r, struct ch_bp *bp)
{
    bp->nonce = r_u64(r, "nonce");
    r_copy(r, bp->channel_id, 32, "channel_id");
    bp->open_block = r_block(r, "open_block");
    r_u256(r, &bp->transferred_amount, "transferred_amount");
    r_copy(r, bp->locksroot, 32, "locksroot");
    if (r->rc)
        return;
    if (bp->nonce == 0)
        r->rc = err_set(ERR_DECODE, "%s: nonce 0", r->msg);
    else if (bp->open_block == 0)
        r->rc = err_set(ERR_DECODE, "%s: open_block 0", r->msg);
    else if (is_zero(bp->channel_id, 32))
        r->rc = err_set(ERR_DECODE, "%s: zero channel_id", r->msg);
}

int ch_msg_decode(const uint8_t *p, size_t len, struct ch_msg *out)
{
    if (len > CH_PACKET_MAX)
        return err_set(ERR_RANGE, "channel message: packet of %zu bytes over %d", len,
                       CH_PACKET_MAX);
    if (len < CH_HEADER_LEN)
        return err_set(ERR_DECODE, "channel message: %zu bytes, shorter than the header", len);
    uint16_t cmd = (uint16_t)(p[0] | p[1] << 8);
    if (!ch_cmd_known(cmd))
        return err_set(ERR_UNSUPPORTED, "channel message: unknown command %u", cmd);
    memset(out, 0, sizeof *out);
    out->cmd = cmd;
    out->version = (int16_t)(uint16_t)(p[2] | p[3] << 8);
    struct rd r = {p, len, CH_HEADER_LEN, 0, ch_cmd_name(cmd)};
    if (cmd == CH_CMD_MEDIATED_TRANSFER && out->version < CH_MEDIATED_VERSION)
        return err_set(ERR_DECODE, "MediatedTransfer: version %d below %d", out->version,
                       CH_MEDIATED_VERSION);
    switch (cmd) {
    case CH_CMD_ACK:
        r_copy(&r, out->u.ack.sender, 20, "sender");
        r_copy(&r, out->u.ack.echo, 32, "echo");
        break;
    case CH_CMD_PING:
        out->u.ping.nonce = (int64_t)r_u64(&r, "nonce");
        break;
    case CH_CMD_SECRET_REQUEST:
        r_copy(&r, out->u.secret_request.secret_hash, 32, "lock_secret_hash");
        r_u256(&r, &out->u.secret_request.amount, "payment_amount");
        break;
    case CH_CMD_REVEAL_SECRET:
        r_copy(&r, out->u.reveal_secret.secret, 32, "secret");
        r_data(&r, out->u.reveal_secret.data, &out->u.reveal_secret.data_len);
        break;
    case CH_CMD_UNLOCK:
        r_copy(&r, out->u.unlock.secret, 32, "secret");
        r_bp(&r, &out->u.unlock.bp);
        break;
    case CH_CMD_DIRECT_TRANSFER:
        r_data(&r, out->u.direct.data, &out->u.direct.data_len);
        r_bp(&r, &out->u.direct.bp);
        break;
    case CH_CMD_MEDIATED_TRANSFER: {
        struct ch_mediated_transfer *t = &out->u.mediated;
        t->lock.expiration = r_block(&r, "expiration");
        r_copy(&r, t->lock.secret_hash, 32, "lock_secret_hash");
        r_u256(&r, &t->lock.amount, "payment_amount");
        r_copy(&r, t->target, 20, "target");
        r_copy(&r, t->initiator, 20, "initiator");
        r_u256(&r, &t->fee, "fee");
        uint32_t n = r_u32(&r, "path_len");
        if (r.rc)
            break;
        if (n > INT32_MAX) {
            r.rc = err_set(ERR_DECODE, "MediatedTransfer: negative path_len");
            break;
        }
        if (n > CH_PATH_MAX) {
            r.rc = err_set(ERR_RANGE, "MediatedTransfer: path_len %u over %d", n, CH_PATH_MAX);
            break;
        }
        for (uint32_t i = 0; i < n; i++)
            r_copy(&r, t->path[i], 20, "path");
        t->path_len = n;
        r_bp(&r, &t->bp);
        break;
    }
    case CH_CMD_REMOVE_EXPIRED_LOCK:
    case CH_CMD_ANNOUNCE_DISPOSED_RESPONSE:
        r_copy(&r, out->u.removal.secret_hash, 32, "lock_secret_hash");
        r_bp(&r, &out->u.removal.bp);
        break;
    case CH_CMD_ANNOUNCE_DISPOSED: {
        struct ch_announce_disposed *d = &out->u.disposed;
        const uint8_t *lock = r_take(&r, CH_LOCK_LEN, "lock");
        if (lock && ch_lock_unpack(lock, &d->lock))
            r.rc = err_set(ERR_DECODE, "AnnounceDisposed: lock expiration above int64");
        r_copy(&r, d->channel_id, 32, "channel_id");
        d->open_block = r_block(&r, "open_block");
        r_error(&r, &d->error_code, d->error_msg, &d->error_len);
        break;
    }
    case CH_CMD_WITHDRAW_REQUEST:
    case CH_CMD_WITHDRAW_RESPONSE: {
        struct ch_withdraw *d = &out->u.withdraw;
        r_copy(&r, d->channel_id, 32, "channel_id");
        d->open_block = r_block(&r, "open_block");
        r_copy(&r, d->p1, 20, "participant1");
        r_copy(&r, d->p2, 20, "participant2");
        r_u256(&r, &d->p1_balance, "participant1_balance");
        r_u256(&r, &d->p1_withdraw, "participant1_withdraw");
        r_copy(&r, d->contract_sig, CH_SIG_LEN, "contract signature");
        if (cmd == CH_CMD_WITHDRAW_RESPONSE)
            r_error(&r, &d->error_code, d->error_msg, &d->error_len);
        break;
    }
    case CH_CMD_SETTLE_REQUEST:
    case CH_CMD_SETTLE_RESPONSE: {
        struct ch_settle *d = &out->u.settle;
        r_copy(&r, d->channel_id, 32, "channel_id");
        d->open_block = r_block(&r, "open_block");
        r_copy(&r, d->p1, 20, "participant1");
        r_u256(&r, &d->p1_balance, "participant1_balance");
        r_copy(&r, d->p2, 20, "participant2");
        r_u256(&r, &d->p2_balance, "participant2_balance");
        r_copy(&r, d->contract_sig, CH_SIG_LEN, "contract signature");
        if (cmd == CH_CMD_SETTLE_RESPONSE)
            r_error(&r, &d->error_code, d->error_msg, &d->error_len);
        break;
    }
    }
    if (cmd != CH_CMD_ACK)
        r_copy(&r, out->sig, CH_SIG_LEN, "signature");
    if (r.rc)
        return r.rc;
    if (r.pos != len)
        return err_set(ERR_DECODE, "%s: %zu trailing bytes", r.msg, len - r.pos);
    return 0;
}

/* ---- signatures -------------------------------------------------------- */

/* keccak256 of m's packet without its signature. */
static int body_hash(const struct ch_msg *m, uint8_t out[32])
{
    uint8_t buf[CH_PACKET_MAX];
    size_t n;
    int rc = write_body(m, buf, sizeof buf, &n);
    if (rc)
        return rc;
    if (n + CH_SIG_LEN > CH_PACKET_MAX)
        return err_set(ERR_RANGE, "%s: packet over %d bytes", ch_cmd_name(m->cmd), CH_PACKET_MAX);
    keccak256(buf, n, out);
    return 0;
}

int ch_msg_additional_hash(const struct ch_msg *m, uint8_t out[32])
{
    if (m->cmd == CH_CMD_ACK)
        return err_set(ERR_INVAL, "Ack: not signed");
    return body_hash(m, out);
}

/* The digest the packet's final signature covers. */
static int packet_digest(const struct ch_msg *m, const u256 *chain_id, uint8_t digest[32])
{
    uint8_t h[32];
    int rc = ch_msg_additional_hash(m, h);
    if (rc)
        return rc;
    const struct ch_bp *bp = ch_msg_bp(m);
    if (bp || m->cmd == CH_CMD_ANNOUNCE_DISPOSED) {
        if (!chain_id)
            return err_set(ERR_INVAL, "%s: chain_id needed", ch_cmd_name(m->cmd));
        if (bp) {
            ch_sig_bp_digest(bp, h, chain_id, digest);
        } else {
            const struct ch_announce_disposed *d = &m->u.disposed;
            uint8_t lockhash[32];
            ch_lock_hash(&d->lock, lockhash);
            ch_sig_disposed_digest(lockhash, d->channel_id, d->open_block, chain_id, h, digest);
        }
        return 0;
    }
    memcpy(digest, h, 32); /* plain: keccak of the packet without signature */
    return 0;
}

/* For Withdraw/Settle messages: the contract digest, the participant that
 * must sign it (and the packet), and where its signature is. */
static int contract_part(const struct ch_msg *m, const u256 *chain_id, uint8_t digest[32],
                         const uint8_t **signer, const uint8_t **sig)
{
    if (!chain_id)
        return err_set(ERR_INVAL, "%s: chain_id needed", ch_cmd_name(m->cmd));
    if (m->cmd == CH_CMD_WITHDRAW_REQUEST || m->cmd == CH_CMD_WITHDRAW_RESPONSE) {
        const struct ch_withdraw *d = &m->u.withdraw;
        if (d->open_block > (uint64_t)CH_BLOCK_MAX)
            return err_set(ERR_RANGE, "%s: open_block above int64", ch_cmd_name(m->cmd));
        ch_sig_withdraw_digest(d->p1, &d->p1_balance, &d->p1_withdraw, d->channel_id,
                               d->open_block, chain_id, digest);
        *signer = m->cmd == CH_CMD_WITHDRAW_REQUEST ? d->p1 : d->p2;
        *sig = d->contract_sig;
    } else {
        const struct ch_settle *d = &m->u.settle;
        if (d->open_block > (uint64_t)CH_BLOCK_MAX)
            return err_set(ERR_RANGE, "%s: open_block above int64", ch_cmd_name(m->cmd));
        ch_sig_coop_settle_digest(d->p1, &d->p1_balance, d->p2, &d->p2_balance, d->channel_id,
                                  d->open_block, chain_id, digest);
        *signer = m->cmd == CH_CMD_SETTLE_REQUEST ? d->p1 : d->p2;
        *sig = d->contract_sig;
    }
    return 0;
}

static bool has_contract_sig(int cmd)
{
    return cmd == CH_CMD_WITHDRAW_REQUEST || cmd == CH_CMD_WITHDRAW_RESPONSE ||
           cmd == CH_CMD_SETTLE_REQUEST || cmd == CH_CMD_SETTLE_RESPONSE;
}

int ch_msg_sign(struct ch_msg *m, const uint8_t sk[32], const u256 *chain_id)
{
    if (m->cmd == CH_CMD_ACK)
        return err_set(ERR_INVAL, "Ack: not signed");
    uint8_t digest[32];
    int rc;
    if (has_contract_sig(m->cmd)) {
        const uint8_t *who, *unused;
        uint8_t me[20];
        rc = contract_part(m, chain_id, digest, &who, &unused);
        if (rc)
            return rc;
        /* The same field contract_part points at, writable here. */
        uint8_t *csig = m->cmd == CH_CMD_WITHDRAW_REQUEST || m->cmd == CH_CMD_WITHDRAW_RESPONSE
                            ? m->u.withdraw.contract_sig : m->u.settle.contract_sig;
        rc = ch_address_of(sk, me);
        if (rc)
            return rc;
        if (memcmp(me, who, 20) != 0)
            return err_set(ERR_INVAL, "%s: the key is not participant%d's", ch_cmd_name(m->cmd),
                           m->cmd == CH_CMD_WITHDRAW_REQUEST || m->cmd == CH_CMD_SETTLE_REQUEST
                               ? 1 : 2);
        rc = ch_sign(digest, sk, csig);
        if (rc)
            return rc;
    }
    rc = packet_digest(m, chain_id, digest);
    if (rc)
        return rc;
    return ch_sign(digest, sk, m->sig);
}

int ch_msg_verify(const struct ch_msg *m, const u256 *chain_id, uint8_t signer[20])
{
    uint8_t digest[32], who[20];
    int rc = packet_digest(m, chain_id, digest);
    if (rc)
        return rc;
    rc = ch_recover(digest, m->sig, who);
    if (rc)
        return err_wrap(rc, "%s", ch_cmd_name(m->cmd));
    if (has_contract_sig(m->cmd)) {
        const uint8_t *want, *csig;
        uint8_t csigner[20];
        rc = contract_part(m, chain_id, digest, &want, &csig);
        if (rc)
            return rc;
        if (memcmp(who, want, 20) != 0)
            return err_set(ERR_CRYPTO, "%s: not signed by the participant it names",
                           ch_cmd_name(m->cmd));
        rc = ch_recover(digest, csig, csigner);
        if (rc)
            return err_wrap(rc, "%s: contract signature", ch_cmd_name(m->cmd));
        if (memcmp(csigner, want, 20) != 0)
            return err_set(ERR_CRYPTO, "%s: contract signature by another key",
                           ch_cmd_name(m->cmd));
    }
    if (signer)
        memcpy(signer, who, 20);
    return 0;
}

void ch_msg_ack_echo(const uint8_t *packet, size_t len, const uint8_t receiver[20],
                     uint8_t echo[32])
{
    struct keccak_ctx c;
    keccak256_init(&c);
    keccak256_update(&c, packet, len);
    keccak256_update(&c, receiver, 20);
    keccak256_final(&c, echo);
}

void ch_msg_make_ack(const uint8_t *packet, size_t len, const uint8_t me[20], struct ch_msg *ack)
{
    ch_msg_init(ack, CH_CMD_ACK);
    memcpy(ack->u.ack.sender, me, 20);
    ch_msg_ack_echo(packet, len, me, ack->u.ack.echo);
}
