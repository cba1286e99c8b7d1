/*
 * bench_rlp.c — RLP and transaction codec benchmarks.
 *
 * Workloads are the shapes a node handles most: a signed EIP-155 value
 * transfer (about 110 bytes, the bulk of mempool and block traffic), and a
 * block body of 200 such transactions with some contract calls mixed in.
 * Each case runs batches until at least BENCH_SECONDS have passed and
 * reports throughput.
 *
 * Cases:
 *   rlp/encode-tx           tx_encode into a reused buffer (tx/s, MB/s)
 *   rlp/decode-tx           tx_decode + tx_free (tx/s, MB/s)
 *   rlp/decode-block-200tx  rlp_validate of a 200-tx list, then iterate it and
 *                           split every tx into its 9 fields (MB/s, blocks/s)
 *   tx/decode+hash          tx_decode + tx_hash (tx/s)
 */
#include "bench/bench.h"
#include "primitives/rlp.h"
#include "primitives/tx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BENCH_SECONDS 1.0
#define BLOCK_TXS 200

static volatile uint64_t sink;

/* A signed transfer: fixed key, chain id 1 (the same for every run). */
static void make_tx(struct tx *t, uint64_t nonce, size_t data_len)
{
    memset(t, 0, sizeof *t);
    t->nonce = nonce;
    t->gas_price = u256_from_u64(20000000000ull);
    t->gas = data_len ? 90000 : 21000;
    t->has_to = true;
    for (int i = 0; i < 20; i++)
        t->to.b[i] = (uint8_t)(0x35 + i);
    t->value = u256_from_u64(1000000000000000000ull + nonce);
    if (data_len) {
        t->data = malloc(data_len);
        if (t->data) {
            for (size_t i = 0; i < data_len; i++)
                t->data[i] = (uint8_t)(i * 7);
            t->data_len = data_len;
        }
    }
    uint8_t sk[32];
    memset(sk, 0x46, 32);
    if (tx_sign(t, sk, 1) != 0)
        fprintf(stderr, "bench_rlp: signing failed\n");
}

static void report2(const char *name, double count, double bytes, double secs,
                    const char *unit)
{
    char n2[96];
    bench_report(name, count / secs, unit);
    snprintf(n2, sizeof n2, "%s (bytes)", name);
    bench_report(n2, bytes / secs / 1e6, "MB/s");
}

static void bench_encode(const struct tx *t, size_t size)
{
    struct bytes b = BYTES_INIT;
    double start = bench_now(), secs;
    uint64_t n = 0;
    do {
        for (int i = 0; i < 10000; i++) {
            bytes_reset(&b);
            tx_encode(t, &b);
            sink += b.len;
        }
        n += 10000;
    } while ((secs = bench_now() - start) < BENCH_SECONDS);
    report2("rlp/encode-tx", (double)n, (double)n * (double)size, secs, "tx/s");
    bytes_free(&b);
}

static void bench_decode(const uint8_t *raw, size_t size, bool hash)
{
    double start = bench_now(), secs;
    uint64_t n = 0;
    uint8_t h[32];
    do {
        for (int i = 0; i < 10000; i++) {
            struct tx t;
            if (tx_decode(raw, size, &t) != 0)
                abort();
            if (hash) {
                tx_hash(&t, h);
                sink += h[0];
            }
            sink += t.nonce;
            tx_free(&t);
        }
        n += 10000;
    } while ((secs = bench_now() - start) < BENCH_SECONDS);
    if (hash)
        bench_report("tx/decode+hash", (double)n / secs, "tx/s");
    else
        report2("rlp/decode-tx", (double)n, (double)n * (double)size, secs, "tx/s");
}

static void bench_block(void)
{
    struct bytes b = BYTES_INIT;
    size_t m = rlp_list_begin(&b);
    for (int i = 0; i < BLOCK_TXS; i++) {
        struct tx t;
        make_tx(&t, (uint64_t)i, i % 5 == 0 ? 68 : 0);   /* every 5th: a contract call */
        tx_encode(&t, &b);
        tx_free(&t);
    }
    rlp_list_end(&b, m);
    if (bytes_ok(&b) != 0)
        abort();
    double start = bench_now(), secs;
    uint64_t n = 0;
    do {
        for (int i = 0; i < 100; i++) {
            struct rlp_item list, item, fields[9];
            struct rlp_iter it;
            if (rlp_validate(b.data, b.len) != 0 || rlp_decode(b.data, b.len, &list) != 0 ||
                rlp_iter_init(&it, &list) != 0)
                abort();
            int k = 0;
            while (rlp_iter_next(&it, &item) == 1) {
                if (rlp_list_exact(&item, fields, 9) != 0)
                    abort();
                sink += fields[0].payload_len;
                k++;
            }
            if (k != BLOCK_TXS)
                abort();
        }
        n += 100;
    } while ((secs = bench_now() - start) < BENCH_SECONDS);
    bench_report("rlp/decode-block-200tx", (double)n * (double)b.len / secs / 1e6, "MB/s");
    bench_report("rlp/decode-block-200tx (blocks)", (double)n / secs, "blocks/s");
    bytes_free(&b);
}

void bench_rlp(void)
{
    bool enc = bench_selected("rlp/encode-tx"), dec = bench_selected("rlp/decode-tx");
    bool blk = bench_selected("rlp/decode-block-200tx"), dh = bench_selected("tx/decode+hash");
    if (!(enc || dec || blk || dh))
        return;
    struct tx t;
    make_tx(&t, 9, 0);
    struct bytes raw = BYTES_INIT;
    if (tx_encode(&t, &raw) != 0)
        abort();
    if (enc)
        bench_encode(&t, raw.len);
    if (dec)
        bench_decode(raw.data, raw.len, false);
    if (blk)
        bench_block();
    if (dh)
        bench_decode(raw.data, raw.len, true);
    bytes_free(&raw);
    tx_free(&t);
}
