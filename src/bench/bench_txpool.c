/*
 * bench_txpool.c — the transaction pool with 4,096 pre-signed transfers
 * (256 senders, 16 nonces each, prices varied), default limits:
 *   txpool/add            txpool_add of all of them into an empty pool
 *                         (decode, ecrecover, checks, insertion): txs/s
 *   txpool/add-evicting   the same into a pool whose pending set is already
 *                         full of cheaper txs, so every add scans for and
 *                         evicts the cheapest remote one: txs/s
 *   txpool/iterate        building the miner's iterator and draining it
 *                         (peek + shift) over the 4,096 pending txs: txs/s
 * Signing is done once up front and is not measured; the state reader is an
 * in-memory table (every sender funded, nonce 0).
 */
#include "bench/bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/params.h"
#include "crypto/ecdsa.h"
#include "crypto/keccak.h"
#include "txpool/txpool.h"
#include "util/bytes.h"
#include "util/err.h"

#define NSENDERS 256
#define PER_SENDER 16
#define NTX (NSENDERS * PER_SENDER)
#define GWEI 1000000000ull

static int rd_nonce(void *ctx, const struct address *a, uint64_t *out)
{
    (void)ctx;
    (void)a;
    *out = 0;
    return 0;
}

static int rd_balance(void *ctx, const struct address *a, u256 *out)
{
    (void)ctx;
    (void)a;
    *out = u256_from_u64(1000000000000000000ull);
    return 0;
}

static const struct txpool_state_reader reader = {rd_nonce, rd_balance, NULL};

/* Signs NSENDERS * PER_SENDER transfers (key "bench-txpool i" + salt) with
 * prices base + (i*7 + nonce) % 97 gwei. */
static int make_txs(struct bytes *out, int salt, uint64_t base_gwei, const struct chain_params *p)
{
    for (int i = 0; i < NSENDERS; i++) {
        char seed[48];
        uint8_t sk[32];
        int n = snprintf(seed, sizeof seed, "bench-txpool %d %d", salt, i);
        keccak256(seed, (size_t)n, sk);
        for (int k = 0; k < PER_SENDER; k++) {
            struct tx t;
            memset(&t, 0, sizeof t);
            t.nonce = (uint64_t)k;
            t.gas_price = u256_from_u64((base_gwei + (uint64_t)(i * 7 + k) % 97) * GWEI);
            t.gas = 21000;
            t.has_to = true;
            t.to.b[19] = 1;
            t.value = u256_from_u64(1);
            struct bytes *b = &out[i * PER_SENDER + k];
            int rc = tx_sign(&t, sk, p->chain_id);
            if (!rc)
                rc = tx_encode(&t, b);
            if (rc)
                return rc;
        }
    }
    return 0;
}

/* Adds every tx; returns the seconds taken, 0 when one was refused. */
static double add_all(struct txpool *pool, const struct bytes *txs)
{
    double t0 = bench_now();
    for (int i = 0; i < NTX; i++)
        if (txpool_add(pool, &reader, txs[i].data, txs[i].len, false, NULL, NULL)) {
            fprintf(stderr, "txpool bench: add %d: %s\n", i, err_msg());
            return 0;
        }
    return bench_now() - t0;
}

void bench_txpool(void)
{
    if (!bench_selected("txpool/add") && !bench_selected("txpool/add-evicting") &&
        !bench_selected("txpool/iterate"))
        return;
    const struct chain_params *p = chain_params_get(CHAIN_REGTEST);
    struct txpool_config cfg;
    txpool_config_default(&cfg, p);
    cfg.min_gas_price = 0;
    struct bytes *cheap = calloc(NTX, sizeof *cheap), *dear = calloc(NTX, sizeof *dear);
    struct txpool *pool = NULL;
    if (!cheap || !dear || ecdsa_init() || make_txs(cheap, 0, 1, p) ||
        make_txs(dear, 1, 200, p) || txpool_create(p, &cfg, 0, 40000000, &pool)) {
        fprintf(stderr, "txpool bench: set-up failed: %s\n", err_msg());
        goto out;
    }

    double dt = add_all(pool, cheap);
    if (dt > 0 && bench_selected("txpool/add"))
        bench_report("txpool/add", NTX / dt, "txs/s");

    if (bench_selected("txpool/iterate")) {
        double t0 = bench_now();
        struct txpool_iter *it;
        size_t n = 0;
        if (!txpool_iter_new(pool, &it)) {
            while (txpool_iter_peek(it)) {
                txpool_iter_shift(it);
                n++;
            }
            txpool_iter_free(it);
        }
        double di = bench_now() - t0;
        if (n == NTX && di > 0)
            bench_report("txpool/iterate", NTX / di, "txs/s");
    }

    if (bench_selected("txpool/add-evicting")) {
        /* the pool holds 4,096 pending txs at 1..97 gwei: full. Every
         * dearer newcomer evicts the cheapest (demoting its successors). */
        dt = add_all(pool, dear);
        if (dt > 0)
            bench_report("txpool/add-evicting", NTX / dt, "txs/s");
    }

out:
    txpool_free(pool);
    for (int i = 0; cheap && i < NTX; i++)
        bytes_free(&cheap[i]);
    for (int i = 0; dear && i < NTX; i++)
        bytes_free(&dear[i]);
    free(cheap);
    free(dear);
}
