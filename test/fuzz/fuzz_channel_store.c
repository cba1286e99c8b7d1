/*
 * fuzz_channel_store.c — libFuzzer target for the channel hub store's record
 * decoders (channel/store_codec.h). The store is the hub's own disk, but a
 * disk can be corrupt or tampered with, so every record is read as outside
 * input: a bad record must be refused with an error, never crash, over-read
 * or over-allocate.
 *
 * The first input byte picks one of the eleven record kinds (channel, end,
 * locks, secret, disposed lock, outbox entry, ack, transfer, fee policy,
 * integer, mediated transfer); the rest is the record.
 *
 * Properties:
 *   1. no decoder crashes, reads outside the input or leaks;
 *   2. what decodes re-encodes, and the re-encoding decodes to a record
 *      that encodes to the same bytes again (encode ∘ decode is a fixed
 *      point after one round: decoders may normalise, e.g. the fee policy
 *      keeps the last of two entries for one token);
 *   3. the strict records (channel, secret, disposed, outbox, ack, transfer,
 *      integer, mediated) re-encode to exactly the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "channel/channel.h"
#include "channel/store_codec.h"
#include "util/bytes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { K_CHANNEL, K_END, K_LOCKS, K_SECRET, K_DISPOSED, K_OUTBOX, K_ACK, K_TRANSFER, K_FEES,
       K_U64, K_MEDIATED, K_COUNT };

/* Decodes p as kind k and encodes the result into out. Returns 0 when p
 * decoded (out holds the re-encoding), else non-zero. */
static int round_trip(int k, const uint8_t *p, size_t n, struct bytes *out)
{
    static const uint8_t none[20];
    int rc;
    switch (k) {
    case K_CHANNEL: {
        struct ch_channel ch;
        memset(&ch, 0, sizeof ch);
        rc = ch_codec_get_channel(p, n, &ch);
        return rc ? rc : ch_codec_put_channel(out, &ch);
    }
    case K_END:
    case K_LOCKS: {
        struct ch_end e;
        ch_end_init(&e, none);
        rc = k == K_END ? ch_codec_get_end(p, n, &e) : ch_codec_get_locks(p, n, &e);
        if (rc == 0)
            rc = k == K_END ? ch_codec_put_end(out, &e) : ch_codec_put_locks(out, &e);
        ch_end_free(&e);
        return rc;
    }
    case K_SECRET: {
        struct ch_store_secret s;
        rc = ch_codec_get_secret(p, n, &s);
        return rc ? rc : ch_codec_put_secret(out, &s);
    }
    case K_DISPOSED: {
        struct ch_store_disposed d;
        rc = ch_codec_get_disposed(p, n, &d);
        return rc ? rc : ch_codec_put_disposed(out, &d);
    }
    case K_OUTBOX: {
        static struct ch_store_outbox e;
        rc = ch_codec_get_outbox(p, n, &e);
        return rc ? rc : ch_codec_put_outbox(out, &e);
    }
    case K_ACK: {
        uint8_t partner[20], pkt[CH_STORE_ACK_MAX];
        size_t len;
        rc = ch_codec_get_ack(p, n, partner, pkt, &len);
        if (rc == 0 && len > CH_STORE_ACK_MAX)
            abort();
        return rc ? rc : ch_codec_put_ack(out, partner, pkt, len);
    }
    case K_TRANSFER: {
        struct ch_store_transfer t;
        rc = ch_codec_get_transfer(p, n, &t);
        return rc ? rc : ch_codec_put_transfer(out, &t);
    }
    case K_FEES: {
        struct ch_fee_policy pol;
        ch_fee_policy_init(&pol);
        rc = ch_codec_get_fees(p, n, &pol);
        if (rc == 0 && (pol.n_tokens > CH_FEE_ENTRIES_MAX || pol.n_channels > CH_FEE_ENTRIES_MAX))
            abort();
        if (rc == 0)
            rc = ch_codec_put_fees(out, &pol);
        ch_fee_policy_free(&pol);
        return rc;
    }
    case K_U64: {
        uint64_t v;
        rc = ch_codec_get_u64(p, n, &v);
        return rc ? rc : ch_codec_put_u64(out, v);
    }
    case K_MEDIATED: {
        struct ch_med_transfer t;
        rc = ch_codec_get_mediated(p, n, &t);
        if (rc == 0 && (t.n_tried > CH_MED_TRIED_MAX || t.has_secret))
            abort();
        return rc ? rc : ch_codec_put_mediated(out, &t);
    }
    default:
        return -1;
    }
}

static bool strict(int k)
{
    return k != K_END && k != K_LOCKS && k != K_FEES;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    int k = data[0] % K_COUNT;
    /* The heap copy lets ASan catch a read one byte past the record. */
    size_t n = size - 1;
    uint8_t *p = malloc(n ? n : 1);
    if (!p)
        return 0;
    memcpy(p, data + 1, n);
    struct bytes one = BYTES_INIT, two = BYTES_INIT, three = BYTES_INIT;
    if (round_trip(k, p, n, &one) == 0) {
        if (strict(k) && (one.len != n || memcmp(one.data, p, n) != 0))
            abort();
        if (round_trip(k, one.data, one.len, &two) != 0)
            abort();
        if (round_trip(k, two.data, two.len, &three) != 0 || three.len != two.len ||
            memcmp(three.data, two.data, two.len) != 0)
            abort();
    }
    bytes_free(&one);
    bytes_free(&two);
    bytes_free(&three);
    free(p);
    return 0;
}
