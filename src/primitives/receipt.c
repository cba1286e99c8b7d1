/*
 * receipt.c — receipts and logs: encoding, strict decoding, bloom and the
 * logs hash; see receipt.h.
 *
 * Lists of unknown length (logs, topics) are counted first with
 * rlp_list_count, checked against their bound and against the room their
 * smallest encoding needs, then allocated once; so allocation stays
 * proportional to what the peer actually sent.
 */
#include "primitives/receipt.h"
#include "crypto/keccak.h"
#include "util/err.h"

#include <stdlib.h>
#include <string.h>

/* ---- logs --------------------------------------------------------------- */

int log_encode(const struct log *log, struct bytes *out)
{
    size_t m = rlp_list_begin(out);
    rlp_put_bytes(out, log->address.b, ADDRESS_LEN);
    size_t t = rlp_list_begin(out);
    for (size_t i = 0; i < log->topic_count; i++)
        rlp_put_bytes(out, log->topics[i].b, HASH32_LEN);
    rlp_list_end(out, t);
    rlp_put_bytes(out, log->data, log->data_len);
    rlp_list_end(out, m);
    return bytes_ok(out);
}

void log_free(struct log *log)
{
    if (!log)
        return;
    free(log->topics);
    free(log->data);
    memset(log, 0, sizeof *log);
}

int log_decode_item(const struct rlp_item *item, struct log *out)
{
    memset(out, 0, sizeof *out);
    struct rlp_item f[3];
    int rc = rlp_list_exact(item, f, 3);
    if (rc)
        return err_wrap(rc, "log");
    struct log lg;
    memset(&lg, 0, sizeof lg);
    if ((rc = rlp_get_fixed(&f[0], lg.address.b, ADDRESS_LEN)))
        return err_wrap(rc, "log address");
    size_t ntopics;
    if ((rc = rlp_list_count(&f[1], &ntopics)))
        return err_wrap(rc, "log topics");
    if (ntopics > LOG_MAX_TOPICS)
        return err_set(ERR_RANGE, "log: %zu topics, at most %d", ntopics, LOG_MAX_TOPICS);
    if (ntopics > f[1].payload_len / (1 + HASH32_LEN))
        return err_set(ERR_DECODE, "log: %zu topics cannot fit in %zu bytes", ntopics,
                       f[1].payload_len);
    const uint8_t *data;
    size_t data_len;
    if ((rc = rlp_get_bytes(&f[2], &data, &data_len)))
        return err_wrap(rc, "log data");

    if (ntopics) {
        lg.topics = malloc(ntopics * sizeof *lg.topics);
        if (!lg.topics)
            return err_set(ERR_NOMEM, "log: %zu topics", ntopics);
        struct rlp_iter it;
        struct rlp_item t;
        rlp_iter_init(&it, &f[1]);
        while (lg.topic_count < ntopics && rlp_iter_next(&it, &t) == 1) {
            rc = rlp_get_fixed(&t, lg.topics[lg.topic_count].b, HASH32_LEN);
            if (rc) {
                size_t bad = lg.topic_count;
                log_free(&lg);
                return err_wrap(rc, "log topic %zu", bad);
            }
            lg.topic_count++;
        }
    }
    if (data_len) {
        lg.data = malloc(data_len);
        if (!lg.data) {
            log_free(&lg);
            return err_set(ERR_NOMEM, "log: data of %zu bytes", data_len);
        }
        memcpy(lg.data, data, data_len);
        lg.data_len = data_len;
    }
    *out = lg;
    return 0;
}

int log_copy(struct log *dst, const struct log *src)
{
    struct log lg;
    memset(&lg, 0, sizeof lg);
    lg.address = src->address;
    if (src->topic_count) {
        lg.topics = malloc(src->topic_count * sizeof *lg.topics);
        if (!lg.topics)
            goto oom;
        memcpy(lg.topics, src->topics, src->topic_count * sizeof *lg.topics);
        lg.topic_count = src->topic_count;
    }
    if (src->data_len) {
        lg.data = malloc(src->data_len);
        if (!lg.data)
            goto oom;
        memcpy(lg.data, src->data, src->data_len);
        lg.data_len = src->data_len;
    }
    *dst = lg;
    return 0;
oom:
    log_free(&lg);
    memset(dst, 0, sizeof *dst);
    return err_set(ERR_NOMEM, "log copy");
}

int logs_encode(const struct log *logs, size_t n, struct bytes *out)
{
    size_t m = rlp_list_begin(out);
    for (size_t i = 0; i < n; i++)
        log_encode(&logs[i], out);
    rlp_list_end(out, m);
    return bytes_ok(out);
}

int logs_hash(const struct log *logs, size_t n, struct hash32 *out)
{
    struct bytes b = BYTES_INIT;
    int rc = logs_encode(logs, n, &b);
    if (rc == 0)
        keccak256(b.data, b.len, out->b);
    bytes_free(&b);
    return rc;
}

void logs_bloom(const struct log *logs, size_t n, struct bloom *bl)
{
    for (size_t i = 0; i < n; i++) {
        bloom_add(bl, logs[i].address.b, ADDRESS_LEN);
        for (size_t t = 0; t < logs[i].topic_count; t++)
            bloom_add(bl, logs[i].topics[t].b, HASH32_LEN);
    }
}

/* ---- receipts ----------------------------------------------------------- */

int receipt_encode(const struct receipt *r, struct bytes *out)
{
    static const uint8_t success = 0x01;
    size_t m = rlp_list_begin(out);
    if (r->has_post_state)
        rlp_put_bytes(out, r->post_state.b, HASH32_LEN);
    else
        rlp_put_bytes(out, &success, r->status ? 1 : 0);
    rlp_put_u64(out, r->cumulative_gas);
    rlp_put_bytes(out, r->bloom.b, BLOOM_BYTES);
    logs_encode(r->logs, r->log_count, out);
    rlp_list_end(out, m);
    return bytes_ok(out);
}

void receipt_free(struct receipt *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->log_count; i++)
        log_free(&r->logs[i]);
    free(r->logs);
    memset(r, 0, sizeof *r);
}

int receipt_decode_item(const struct rlp_item *item, struct receipt *out)
{
    memset(out, 0, sizeof *out);
    struct rlp_item f[4];
    int rc = rlp_list_exact(item, f, 4);
    if (rc)
        return err_wrap(rc, "receipt");
    struct receipt r;
    memset(&r, 0, sizeof r);
    const uint8_t *p;
    size_t n;
    if ((rc = rlp_get_bytes(&f[0], &p, &n)))
        return err_wrap(rc, "receipt status");
    if (n == HASH32_LEN) {
        r.has_post_state = true;
        memcpy(r.post_state.b, p, HASH32_LEN);
    } else if (n == 1 && p[0] == 0x01) {
        r.status = true;
    } else if (n != 0) {
        return err_set(ERR_DECODE, "receipt: status of %zu bytes is neither empty, 0x01 "
                       "nor a 32-byte state root", n);
    }
    if ((rc = rlp_get_u64(&f[1], &r.cumulative_gas)))
        return err_wrap(rc, "receipt cumulativeGasUsed");
    if ((rc = rlp_get_fixed(&f[2], r.bloom.b, BLOOM_BYTES)))
        return err_wrap(rc, "receipt bloom");
    size_t nlogs;
    if ((rc = rlp_list_count(&f[3], &nlogs)))
        return err_wrap(rc, "receipt logs");
    if (nlogs > f[3].payload_len / LOG_MIN_ENCODED_SIZE)
        return err_set(ERR_DECODE, "receipt: %zu logs cannot fit in %zu bytes", nlogs,
                       f[3].payload_len);
    if (nlogs) {
        /* every log takes at least LOG_MIN_ENCODED_SIZE input bytes, so this
         * allocation is bounded by what was received. */
        r.logs = calloc(nlogs, sizeof *r.logs);
        if (!r.logs)
            return err_set(ERR_NOMEM, "receipt: %zu logs", nlogs);
        struct rlp_iter it;
        struct rlp_item lg;
        rlp_iter_init(&it, &f[3]);
        while (r.log_count < nlogs && rlp_iter_next(&it, &lg) == 1) {
            rc = log_decode_item(&lg, &r.logs[r.log_count]);
            if (rc) {
                size_t bad = r.log_count;
                receipt_free(&r);
                return err_wrap(rc, "receipt log %zu", bad);
            }
            r.log_count++;
        }
    }
    *out = r;
    return 0;
}

int receipt_decode(const uint8_t *in, size_t len, struct receipt *r)
{
    memset(r, 0, sizeof *r);
    struct rlp_item item;
    int rc = rlp_decode(in, len, &item);
    if (rc)
        return err_wrap(rc, "receipt");
    return receipt_decode_item(&item, r);
}

void receipt_compute_bloom(const struct receipt *r, struct bloom *out)
{
    memset(out, 0, sizeof *out);
    logs_bloom(r->logs, r->log_count, out);
}
