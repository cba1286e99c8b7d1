/*
 * block.c — block and block body codecs; see block.h.
 *
 * Both lists of a body are decoded the same way: count the items, refuse a
 * count that the payload cannot hold at the items' minimum size, allocate
 * once, decode each item in order, and on the first failure free what was
 * decoded so far.
 */
#include "primitives/block.h"
#include "util/err.h"

#include <stdlib.h>
#include <string.h>

/* Checks `count` items of at least `min_size` bytes fit in list's payload. */
static int check_count(const struct rlp_item *list, size_t *count, size_t min_size,
                       const char *what)
{
    int rc = rlp_list_count(list, count);
    if (rc)
        return err_wrap(rc, "block %s", what);
    if (*count > list->payload_len / min_size)
        return err_set(ERR_DECODE, "block: %zu %s cannot fit in %zu bytes", *count, what,
                       list->payload_len);
    return 0;
}

int block_body_decode_item(const struct rlp_item *item, struct block_body *out)
{
    memset(out, 0, sizeof *out);
    struct rlp_item parts[2];
    int rc = rlp_list_exact(item, parts, 2);
    if (rc)
        return err_wrap(rc, "block body");
    struct block_body body;
    memset(&body, 0, sizeof body);
    size_t ntx, nun;
    if ((rc = check_count(&parts[0], &ntx, TX_MIN_ENCODED_SIZE, "transactions")))
        return rc;
    if ((rc = check_count(&parts[1], &nun, HEADER_MIN_ENCODED_SIZE, "uncles")))
        return rc;
    if (ntx && !(body.txs = calloc(ntx, sizeof *body.txs)))
        return err_set(ERR_NOMEM, "block: %zu transactions", ntx);
    if (nun && !(body.uncles = calloc(nun, sizeof *body.uncles))) {
        free(body.txs);
        return err_set(ERR_NOMEM, "block: %zu uncles", nun);
    }
    struct rlp_iter it;
    struct rlp_item x;
    rlp_iter_init(&it, &parts[0]);
    while (body.tx_count < ntx && rlp_iter_next(&it, &x) == 1) {
        if ((rc = tx_decode_item(&x, &body.txs[body.tx_count]))) {
            size_t bad = body.tx_count;
            block_body_free(&body);
            return err_wrap(rc, "block tx %zu", bad);
        }
        body.tx_count++;
    }
    rlp_iter_init(&it, &parts[1]);
    while (body.uncle_count < nun && rlp_iter_next(&it, &x) == 1) {
        if ((rc = header_decode_item(&x, &body.uncles[body.uncle_count]))) {
            size_t bad = body.uncle_count;
            block_body_free(&body);
            return err_wrap(rc, "block uncle %zu", bad);
        }
        body.uncle_count++;
    }
    *out = body;
    return 0;
}

int block_body_decode(const uint8_t *in, size_t len, struct block_body *body)
{
    memset(body, 0, sizeof *body);
    struct rlp_item item;
    int rc = rlp_decode(in, len, &item);
    if (rc)
        return err_wrap(rc, "block body");
    return block_body_decode_item(&item, body);
}

/* The two lists, without the outer list header. */
static void put_lists(const struct block_body *body, struct bytes *out)
{
    size_t m = rlp_list_begin(out);
    for (size_t i = 0; i < body->tx_count; i++)
        tx_encode(&body->txs[i], out);
    rlp_list_end(out, m);
    m = rlp_list_begin(out);
    for (size_t i = 0; i < body->uncle_count; i++)
        header_encode(&body->uncles[i], out);
    rlp_list_end(out, m);
}

int block_body_encode(const struct block_body *body, struct bytes *out)
{
    size_t m = rlp_list_begin(out);
    put_lists(body, out);
    rlp_list_end(out, m);
    return bytes_ok(out);
}

int block_encode(const struct block *b, struct bytes *out)
{
    size_t m = rlp_list_begin(out);
    header_encode(&b->header, out);
    put_lists(&b->body, out);
    rlp_list_end(out, m);
    return bytes_ok(out);
}

int block_decode(const uint8_t *in, size_t len, struct block *out)
{
    memset(out, 0, sizeof *out);
    struct rlp_item item, parts[3];
    int rc = rlp_decode(in, len, &item);
    if (rc == 0)
        rc = rlp_list_exact(&item, parts, 3);
    if (rc)
        return err_wrap(rc, "block");
    struct block b;
    memset(&b, 0, sizeof b);
    if ((rc = header_decode_item(&parts[0], &b.header)))
        return err_wrap(rc, "block");
    /* The body decoder wants [[txs], [uncles]]: hand it the two lists as a
     * synthetic list item spanning both (they are adjacent in the input). */
    struct rlp_item body_item = {
        .is_list = true,
        .payload = parts[1].raw,
        .payload_len = parts[1].raw_len + parts[2].raw_len,
        .raw = parts[1].raw,
        .raw_len = parts[1].raw_len + parts[2].raw_len,
    };
    if ((rc = block_body_decode_item(&body_item, &b.body))) {
        header_free(&b.header);
        return rc;
    }
    *out = b;
    return 0;
}

void block_body_free(struct block_body *body)
{
    if (!body)
        return;
    for (size_t i = 0; i < body->tx_count; i++)
        tx_free(&body->txs[i]);
    for (size_t i = 0; i < body->uncle_count; i++)
        header_free(&body->uncles[i]);
    free(body->txs);
    free(body->uncles);
    memset(body, 0, sizeof *body);
}

void block_free(struct block *b)
{
    if (!b)
        return;
    header_free(&b->header);
    block_body_free(&b->body);
}
