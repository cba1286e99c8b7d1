/*
 * bench_bn254.c — alt_bn128 precompile benchmarks (EVM 0x06, 0x07, 0x08).
 *
 * Inputs are go-ethereum's precompile test vectors (bn256Add chfast1,
 * bn256ScalarMul chfast3 with a full-size scalar, bn256Pairing jeff1: two
 * pairs of unrelated points, the shape of a Groth16-style check), so the
 * figures compare with geth's and evmone's benchmarks of the same inputs.
 * Each case runs batches until BENCH_SECONDS have passed and reports
 * throughput and time per call.
 *
 * Cases:
 *   bn254/g1-add          bn254_g1_add (ops/s, µs/op)
 *   bn254/g1-mul          bn254_g1_mul, 254-bit scalar (ops/s, µs/op)
 *   bn254/pairing-2pairs  bn254_pairing_check on 384 bytes (ops/s, µs/op)
 */
#include "bench/bench.h"
#include "evm/bn254.h"

#include <stdio.h>
#include <string.h>

#define BENCH_SECONDS 1.0

static volatile uint64_t sink;

static const char ADD_IN[] =
    "18b18acfb4c2c30276db5411368e7185b311dd124691610c5d3b74034e093dc9"
    "063c909c4720840cb5134cb9f59fa749755796819658d32efc0d288198f37266"
    "07c2b7f58a84bd6145f00c9c2bc0bb1a187f20ff2c92963a88019e7c6a014eed"
    "06614e20c147e940f2d70da3f74c9a17df361706a4485c742bd6788478fa17d7";
static const char MUL_IN[] =
    "025a6f4181d2b4ea8b724290ffb40156eb0adb514c688556eb79cdea0752c2bb"
    "2eff3f31dea215f1eb86023a133a996eb6300b44da664d64251d05381bb8a02e"
    "183227397098d014dc2822db40c0ac2ecbc0b548b438e5469e10460b6c3e7ea3";
static const char PAIRING_IN[] =
    "1c76476f4def4bb94541d57ebba1193381ffa7aa76ada664dd31c16024c43f59"
    "3034dd2920f673e204fee2811c678745fc819b55d3e9d294e45c9b03a76aef41"
    "209dd15ebff5d46c4bd888e51a93cf99a7329636c63514396b4a452003a35bf7"
    "04bf11ca01483bfa8b34b43561848d28905960114c8ac04049af4b6315a41678"
    "2bb8324af6cfc93537a2ad1a445cfd0ca2a71acd7ac41fadbf933c2a51be344d"
    "120a2a4cf30c1bf9845f20c6fe39e07ea2cce61f0c9bb048165fe5e4de877550"
    "111e129f1cf1097710d41c4ac70fcdfa5ba2023c6ff1cbeac322de49d1b6df7c"
    "2032c61a830e3c17286de9462bf242fca2883585b93870a73853face6a6bf411"
    "198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2"
    "1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed"
    "090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b"
    "12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa";

static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
    size_t n = strlen(s) / 2;
    if (n > cap)
        n = cap;
    for (size_t i = 0; i < n; i++) {
        unsigned v = 0;
        sscanf(s + 2 * i, "%2x", &v);
        out[i] = (uint8_t)v;
    }
    return n;
}

static void report(const char *name, uint64_t n, double secs)
{
    char n2[96];
    bench_report(name, (double)n / secs, "ops/s");
    snprintf(n2, sizeof n2, "%s (latency)", name);
    bench_report(n2, secs * 1e6 / (double)n, "us/op");
}

/* Runs `call` in batches of `batch` until BENCH_SECONDS pass; returns the
 * number of calls, with the time in *secs; 0 when a call fails. */
#define RUN_CASE(name, batch, call)                                                               \
    do {                                                                                          \
        double start_ = bench_now(), secs_;                                                       \
        uint64_t n_ = 0;                                                                          \
        do {                                                                                      \
            for (int i_ = 0; i_ < (batch); i_++) {                                                \
                if ((call) != 0) {                                                                \
                    fprintf(stderr, "%s: call failed\n", name);                                   \
                    return;                                                                       \
                }                                                                                 \
            }                                                                                     \
            n_ += (batch);                                                                        \
        } while ((secs_ = bench_now() - start_) < BENCH_SECONDS);                                 \
        report(name, n_, secs_);                                                                  \
    } while (0)

static void bench_add(void)
{
    uint8_t in[128], out[64];
    unhex(ADD_IN, in, sizeof in);
    RUN_CASE("bn254/g1-add", 1000, (sink += out[0], bn254_g1_add(in, out)));
}

static void bench_mul(void)
{
    uint8_t in[96], out[64];
    unhex(MUL_IN, in, sizeof in);
    RUN_CASE("bn254/g1-mul", 100, (sink += out[0], bn254_g1_mul(in, out)));
}

static void bench_pairing(void)
{
    uint8_t in[384];
    bool ok = false;
    unhex(PAIRING_IN, in, sizeof in);
    RUN_CASE("bn254/pairing-2pairs", 10, (sink += ok, bn254_pairing_check(in, sizeof in, &ok)));
    if (!ok)
        fprintf(stderr, "bn254/pairing-2pairs: the check did not hold\n");
}

void bench_bn254(void)
{
    if (bench_selected("bn254/g1-add"))
        bench_add();
    if (bench_selected("bn254/g1-mul"))
        bench_mul();
    if (bench_selected("bn254/pairing-2pairs"))
        bench_pairing();
}
