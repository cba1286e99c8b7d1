/*
 * report.c — report() call data and its verdict from the logs; see
 * report.h. ABI: a head of 7 words (provider, epoch, then the offsets of the
 * five arrays), then each array as its length and its words.
 */
#include "meshbox/report.h"

#include <string.h>

#include "primitives/u256.h"
#include "util/err.h"

const uint8_t MB_SEL_REPORT[4] = {0xc3, 0x24, 0x43, 0x4b};
const uint8_t MB_SEL_EXIST_ADDRESS[4] = {0x80, 0xb7, 0x06, 0x9d};
const uint8_t MB_SEL_RECEIPT_HASH[4] = {0x90, 0x21, 0xa5, 0x1e};
const uint8_t MB_SEL_ADD_ADDRESS[4] = {0xba, 0x4c, 0x18, 0xdb};
const uint8_t MB_SEL_REGISTER[4] = {0x1a, 0xa3, 0xa0, 0x08};
const uint8_t MB_TOPIC_RECEIPT_ACCEPTED[32] = {
    0x32, 0xe4, 0xd0, 0xb1, 0xcb, 0x63, 0xf3, 0x2b, 0x40, 0xed, 0xad, 0x5a, 0x9a, 0xdf, 0xe2, 0x0b,
    0x9c, 0x6c, 0x43, 0xc3, 0x61, 0xee, 0x64, 0x03, 0xe6, 0xbf, 0xa0, 0x68, 0xa6, 0x33, 0x8c, 0xf2};
const uint8_t MB_TOPIC_RECEIPT_REFUSED[32] = {
    0x52, 0x49, 0x76, 0x42, 0xec, 0xbd, 0x2e, 0x2b, 0x85, 0x12, 0x7d, 0xbc, 0xc3, 0xb1, 0xde, 0x77,
    0xcb, 0x4c, 0x46, 0xfd, 0x36, 0xdb, 0x2c, 0xaf, 0xea, 0x08, 0x89, 0x90, 0xda, 0x68, 0xe4, 0x04};

static int put_word_u64(struct bytes *out, uint64_t v)
{
    uint8_t w[32] = {0};
    for (int i = 0; i < 8; i++)
        w[31 - i] = (uint8_t)(v >> (8 * i));
    return bytes_append(out, w, 32);
}

static int put_word_address(struct bytes *out, const struct address *a)
{
    uint8_t w[32] = {0};
    memcpy(w + 12, a->b, 20);
    return bytes_append(out, w, 32);
}

int mb_report_calldata(const struct mb_entry *e, size_t n, struct bytes *out)
{
    if (n == 0 || n > MB_REPORT_BATCH_MAX)
        return err_set(ERR_INVAL, "a report carries 1 to %u receipts, not %zu",
                       MB_REPORT_BATCH_MAX, n);
    for (size_t i = 1; i < n; i++)
        if (!address_eq(&e[i].r.provider, &e[0].r.provider) || e[i].r.epoch != e[0].r.epoch)
            return err_set(ERR_INVAL, "a report is for one provider and one epoch");
    bytes_append(out, MB_SEL_REPORT, 4);
    put_word_address(out, &e[0].r.provider);
    put_word_u64(out, e[0].r.epoch);
    uint64_t array_words = 1 + (uint64_t)n;       /* length + items */
    for (uint64_t k = 0; k < 5; k++)
        put_word_u64(out, (7 + k * array_words) * 32);
    uint8_t w[32];
    put_word_u64(out, n);                         /* clients */
    for (size_t i = 0; i < n; i++)
        put_word_address(out, &e[i].r.client);
    put_word_u64(out, n);                         /* units */
    for (size_t i = 0; i < n; i++) {
        u256_to_be(&e[i].r.units, w);
        bytes_append(out, w, 32);
    }
    put_word_u64(out, n);                         /* r */
    for (size_t i = 0; i < n; i++)
        bytes_append(out, e[i].r.sig, 32);
    put_word_u64(out, n);                         /* s */
    for (size_t i = 0; i < n; i++)
        bytes_append(out, e[i].r.sig + 32, 32);
    put_word_u64(out, n);                         /* v */
    for (size_t i = 0; i < n; i++)
        put_word_u64(out, e[i].r.sig[64]);
    return bytes_ok(out);
}

uint64_t mb_report_gas(size_t n)
{
    return MB_REPORT_GAS_BASE + (uint64_t)MB_REPORT_GAS_PER_RECEIPT * n;
}

static bool word_is_address(const uint8_t *w, struct address *a)
{
    for (int i = 0; i < 12; i++)
        if (w[i])
            return false;
    memcpy(a->b, w + 12, 20);
    return true;
}

void mb_report_apply_logs(const struct address *registry, bool status, const struct log *logs,
                          size_t nlogs, struct mb_entry *e, size_t n, size_t *decided)
{
    size_t done = 0;
    if (!status) {
        for (size_t i = 0; i < n; i++) {
            e[i].status = MB_REFUSED;
            e[i].reason = 0;
        }
        if (decided)
            *decided = n;
        return;
    }
    for (size_t k = 0; k < nlogs; k++) {
        const struct log *l = &logs[k];
        if (!address_eq(&l->address, registry) || l->topic_count != 3 || l->data_len != 96)
            continue;
        bool accepted = memcmp(l->topics[0].b, MB_TOPIC_RECEIPT_ACCEPTED, 32) == 0;
        bool refused = memcmp(l->topics[0].b, MB_TOPIC_RECEIPT_REFUSED, 32) == 0;
        struct address provider, client;
        uint64_t epoch = 0, reason = 0;
        if ((!accepted && !refused) || !word_is_address(l->topics[1].b, &provider) ||
            !word_is_address(l->topics[2].b, &client) || !u256_word_u64(l->data, &epoch))
            continue;
        u256 units;
        u256_from_be(&units, l->data + 32, 32);
        if (refused && (!u256_word_u64(l->data + 64, &reason) || reason > 255))
            continue;
        for (size_t i = 0; i < n; i++) {
            struct mb_entry *x = &e[i];
            if (x->status != MB_SENT || x->r.epoch != epoch ||
                !address_eq(&x->r.provider, &provider) || !address_eq(&x->r.client, &client) ||
                u256_cmp(&x->r.units, &units) != 0)
                continue;
            if (accepted) {
                x->status = MB_ACCEPTED;
                x->accepted = units;
                x->reason = 0;
            } else {
                x->status = MB_REFUSED;
                x->reason = (uint8_t)reason;
            }
            done++;
            break;
        }
    }
    if (decided)
        *decided = done;
}
