/*
 * bench_crypto.c — crypto benchmarks: keccak256 at the sizes a node hashes
 * (32-byte keys and trie nodes, 1 KiB, 64 KiB bulk), OpenSSL's SHA3-256 on
 * the same sizes as the yardstick (same Keccak-f[1600] permutation, in
 * assembly), their ratio, signing and signature recovery, the Tribe VRF's
 * proof and check (a producer makes one of each per block) and SHA-256.
 *
 * The machine may be shared, so the keccak/OpenSSL pair for one size is
 * measured interleaved (several alternating rounds, best round of each):
 * both see the same conditions and the ratio stays meaningful. Each case
 * runs about a second.
 */
#include "bench/bench.h"
#include "crypto/ossl.h"
#include "crypto/ecdsa.h"
#include "crypto/hash.h"
#include "crypto/keccak.h"
#include "consensus/vrf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile uint8_t sink;

struct job {
    const uint8_t *buf;
    size_t len;
    EVP_MD_CTX *md;
    const uint8_t *hash, *sig;
};

static void do_keccak(struct job *j)
{
    uint8_t h[32];
    keccak256(j->buf, j->len, h);
    sink ^= h[0];
}

static void do_openssl_sha3(struct job *j)
{
    uint8_t h[32];
    unsigned int n;
    EVP_DigestInit_ex(j->md, EVP_sha3_256(), NULL);
    EVP_DigestUpdate(j->md, j->buf, j->len);
    EVP_DigestFinal_ex(j->md, h, &n);
    sink ^= h[0];
}

static void do_sha256(struct job *j)
{
    uint8_t h[32];
    sha256(j->buf, j->len, h);
    sink ^= h[0];
}

static void do_ecdsa_sign(struct job *j)
{
    uint8_t sig[65];
    if (ecdsa_sign(j->hash, j->buf, sig) == 0)
        sink ^= sig[0];
}

/* buf: the secret key; hash: the 40-byte block message. */
static void do_vrf_prove(struct job *j)
{
    uint8_t out[VRF_OUTPUT_LEN];
    if (vrf_prove(j->buf, j->hash, 40, out) == 0)
        sink ^= out[0];
}

/* buf: the public key; hash: the message; sig: the VRF output. */
static void do_vrf_verify(struct job *j)
{
    if (vrf_verify_extra(j->buf, j->hash, 40, j->sig) == 0)
        sink ^= 1;
}

static void do_ecrecover(struct job *j)
{
    uint8_t addr[20];
    if (ecdsa_recover_address(j->hash, j->sig, addr) == 0)
        sink ^= addr[0];
}

/* Calls fn for about `seconds` in batches; returns calls per second. */
static double rate(void (*fn)(struct job *), struct job *j, double seconds)
{
    long batch = 1, calls = 0;
    double t0 = bench_now(), t;
    for (;;) {
        for (long i = 0; i < batch; i++)
            fn(j);
        calls += batch;
        t = bench_now() - t0;
        if (t >= seconds)
            break;
        if (t < seconds / 20)
            batch *= 2;
    }
    return (double)calls / t;
}

/* Keccak and OpenSSL SHA3 on `len` bytes, interleaved; reports the cases of
 * this size that the filter selects. */
static void keccak_vs_openssl(const uint8_t *buf, size_t len, const char *size_name, bool mbps)
{
    char kname[64], oname[64], rname[80];
    snprintf(kname, sizeof kname, "keccak256/%s", size_name);
    snprintf(oname, sizeof oname, "openssl-sha3-256/%s", size_name);
    snprintf(rname, sizeof rname, "keccak256/ratio-to-openssl-sha3/%s", size_name);
    bool want_k = bench_selected(kname), want_o = bench_selected(oname) && mbps,
         want_r = bench_selected(rname) && mbps;
    if (!want_k && !want_o && !want_r)
        return;
    struct job j = {buf, len, EVP_MD_CTX_new(), NULL, NULL};
    if (!j.md)
        return;
    double best_k = 0, best_o = 0;
    int rounds = (want_o || want_r) ? 4 : 3;
    for (int r = 0; r < rounds; r++) {
        double k = rate(do_keccak, &j, 0.25);
        if (k > best_k)
            best_k = k;
        if (want_o || want_r) {
            double o = rate(do_openssl_sha3, &j, 0.25);
            if (o > best_o)
                best_o = o;
        }
    }
    EVP_MD_CTX_free(j.md);
    if (want_k) {
        if (mbps)
            bench_report(kname, best_k * (double)len / 1e6, "MB/s");
        else
            bench_report(kname, best_k, "hashes/s");
    }
    if (want_o)
        bench_report(oname, best_o * (double)len / 1e6, "MB/s");
    if (want_r)
        bench_report(rname, best_k / best_o, "ratio");
}

void bench_crypto(void)
{
    size_t big = 64 * 1024;
    uint8_t *buf = malloc(big);
    if (!buf)
        return;
    for (size_t i = 0; i < big; i++)
        buf[i] = (uint8_t)(i * 131 + 7);

    keccak_vs_openssl(buf, 32, "32B", false);
    keccak_vs_openssl(buf, 1024, "1KiB", true);
    keccak_vs_openssl(buf, big, "64KiB", true);

    if (bench_selected("ecrecover")) {
        uint8_t sk[32], hash[32], sig[65];
        keccak256("bench key", 9, sk);
        keccak256("bench message", 13, hash);
        if (ecdsa_sign(hash, sk, sig) == 0) {
            struct job j = {NULL, 0, NULL, hash, sig};
            bench_report("ecrecover", rate(do_ecrecover, &j, 1.0), "recoveries/s");
        }
    }
    if (bench_selected("ecdsa/sign")) {
        uint8_t sk[32], hash[32];
        keccak256("bench key", 9, sk);
        keccak256("bench message", 13, hash);
        struct job j = {sk, 32, NULL, hash, NULL};
        bench_report("ecdsa/sign", rate(do_ecdsa_sign, &j, 1.0), "signatures/s");
    }
    if (bench_selected("vrf/")) {
        uint8_t sk[32], pub[64], msg[40], out[VRF_OUTPUT_LEN];
        keccak256("bench key", 9, sk);
        keccak256("bench message", 13, msg);
        memset(msg + 32, 7, 8);
        if (ecdsa_pubkey(sk, pub) == 0 && vrf_prove(sk, msg, sizeof msg, out) == 0) {
            struct job jp = {sk, 32, NULL, msg, NULL}, jv = {pub, 64, NULL, msg, out};
            if (bench_selected("vrf/prove"))
                bench_report("vrf/prove", rate(do_vrf_prove, &jp, 1.0), "proofs/s");
            if (bench_selected("vrf/verify"))
                bench_report("vrf/verify", rate(do_vrf_verify, &jv, 1.0), "checks/s");
        }
    }
    if (bench_selected("sha256/64KiB")) {
        struct job j = {buf, big, NULL, NULL, NULL};
        bench_report("sha256/64KiB", rate(do_sha256, &j, 1.0) * (double)big / 1e6, "MB/s");
    }
    free(buf);
}
