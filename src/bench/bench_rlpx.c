/*
 * bench_rlpx.c — RLPx transport benchmarks: complete handshakes per second
 * (both sides: auth, ack, secrets — eight ECDH, four public keys, a
 * signature and a recovery each), and the frame path at message sizes a
 * node sees (a 100-byte transaction announcement, 1 KiB, a 64 KiB batch of
 * block bodies) as payload megabytes per second through rlpx_session_send
 * on one session and rlpx_session_feed on its peer: encryption, both MACs
 * on each side, decryption.
 *
 * The figures bound what the transport can carry per core; sync throughput
 * is limited elsewhere (execution) as long as they stay far above it.
 */
#include "bench/bench.h"
#include "crypto/ecdsa.h"
#include "crypto/keccak.h"
#include "net/rlpx_handshake.h"
#include "net/rlpx_session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void key(int seed, uint8_t sk[32])
{
    uint8_t in[2] = {'k', (uint8_t)seed};
    keccak256(in, sizeof in, sk);
}

static int one_handshake(const uint8_t ki[32], const uint8_t kr[32], const uint8_t pr[64])
{
    struct rlpx_handshake i, r;
    struct bytes auth = BYTES_INIT, ack = BYTES_INIT;
    size_t used, need;
    int rc = rlpx_handshake_initiator(&i, ki, pr, &auth);
    if (rc == 0)
        rc = rlpx_handshake_recipient(&r, kr);
    if (rc == 0)
        rc = rlpx_handshake_read(&r, auth.data, auth.len, &used, &need, &ack);
    if (rc == 0)
        rc = rlpx_handshake_read(&i, ack.data, ack.len, &used, &need, &auth);
    if (rc == 0 && memcmp(i.secrets.mac, r.secrets.mac, 32) != 0)
        rc = -1;
    rlpx_handshake_clear(&i);
    rlpx_handshake_clear(&r);
    bytes_free(&auth);
    bytes_free(&ack);
    return rc;
}

static void bench_handshake(void)
{
    uint8_t ki[32], kr[32], pr[64];
    key(1, ki);
    key(2, kr);
    if (ecdsa_pubkey(kr, pr))
        return;
    long n = 0;
    double t0 = bench_now(), t;
    do {
        if (one_handshake(ki, kr, pr)) {
            fprintf(stderr, "rlpx_handshake: failed\n");
            return;
        }
        n++;
        t = bench_now() - t0;
    } while (t < 1.0);
    bench_report("rlpx_handshake", (double)n / t, "handshakes/s");
}

/* Sends `size`-byte messages through one session and reads them on its
 * peer for about a second; reports payload MB/s. */
static void bench_frames(const char *name, size_t size)
{
    struct rlpx_secrets a, b;
    memset(&a, 0, sizeof a);
    memset(a.aes, 1, 32);
    memset(a.mac, 2, 32);
    keccak256_init(&a.egress_mac);
    keccak256_init(&a.ingress_mac);
    keccak256_update(&a.ingress_mac, "in", 2);
    b = a;
    b.egress_mac = a.ingress_mac;
    b.ingress_mac = a.egress_mac;
    uint8_t id[64] = {0};
    struct rlpx_session tx, rx;
    uint8_t *payload = malloc(size);
    if (!payload || rlpx_session_init_open(&tx, &a, id) || rlpx_session_init_open(&rx, &b, id)) {
        free(payload);
        return;
    }
    memset(payload, 0x5a, size);
    long n = 0;
    double t0 = bench_now(), t;
    do {
        for (int k = 0; k < 16; k++) {
            size_t len, used;
            struct rlpx_event ev;
            if (rlpx_session_send(&tx, 0x10, payload, size))
                goto out;
            const uint8_t *w = rlpx_session_output(&tx, &len);
            if (rlpx_session_feed(&rx, w, len, &used, &ev) || ev.type != RLPX_EVENT_MESSAGE ||
                ev.payload_len != size)
                goto out;
            rlpx_session_drain(&tx, len);
            n++;
        }
        t = bench_now() - t0;
    } while (t < 1.0);
    bench_report(name, (double)n * (double)size / t / 1e6, "MB/s");
out:
    rlpx_session_free(&tx);
    rlpx_session_free(&rx);
    free(payload);
}

void bench_rlpx(void)
{
    if (bench_selected("rlpx_handshake"))
        bench_handshake();
    if (bench_selected("rlpx_frames_100b"))
        bench_frames("rlpx_frames_100b", 100);
    if (bench_selected("rlpx_frames_1k"))
        bench_frames("rlpx_frames_1k", 1024);
    if (bench_selected("rlpx_frames_64k"))
        bench_frames("rlpx_frames_64k", 64 * 1024);
}
