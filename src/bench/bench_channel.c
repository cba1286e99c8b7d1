/*
 * bench_channel.c — durable direct transfers between two channel hubs on
 * loopback (issue 7's benchmark; doc/benchmarks.md).
 *
 * Two hub services (channel/hub.h) run in this process, each on its own
 * thread, UDP socket on 127.0.0.1 and LevelDB store in a fresh temporary
 * directory, with one channel written into both stores as if opened on
 * chain. A client thread (this one) asks hub A for BENCH_TRANSFERS direct
 * transfers of 1 wei to B, in batches of BENCH_BATCH per call (as RPC
 * workers calling at once would be batched into one turn), keeping at most
 * BENCH_INFLIGHT unacknowledged. Every transfer is signed and stored on A
 * (fsync per turn) before it leaves, and verified, stored (fsync per turn)
 * and only then acknowledged by B; up to the window (32) are in flight. The
 * clock runs from the first request to the last ack; the figure is
 * transfers per second, with the fsyncs each side needed.
 *
 * Case: channel_direct_durable.
 */
#include <event2/thread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bench/bench.h"
#include "channel/balance.h"
#include "channel/channel.h"
#include "channel/hub.h"
#include "channel/store.h"
#include "util/err.h"

#define BENCH_TRANSFERS 20000
#define BENCH_BATCH 256
#define BENCH_INFLIGHT 4096

static int seed(const char *dir, const uint8_t cid[32], const uint8_t token[20],
                const uint8_t self[20], const uint8_t partner[20], uint64_t dep_self,
                uint64_t dep_partner)
{
    struct ch_store *st = NULL;
    int rc = ch_store_open(dir, NULL, &st);
    if (rc)
        return rc;
    struct ch_channel ch;
    u256 a = u256_from_u64(dep_self), b = u256_from_u64(dep_partner);
    rc = ch_channel_init(&ch, cid, token, self, partner, 1, 600, 30);
    if (rc == 0)
        rc = ch_on_deposit(&ch, CH_OURS, &a);
    if (rc == 0)
        rc = ch_on_deposit(&ch, CH_PARTNER, &b);
    if (rc == 0)
        rc = ch_store_begin(st);
    if (rc == 0)
        rc = ch_store_put_channel(st, &ch);
    if (rc == 0)
        rc = ch_store_commit(st, true);
    ch_channel_free(&ch);
    ch_store_close(st);
    return rc;
}

static struct ch_hub *start(const char *dir, const uint8_t sk[32])
{
    struct ch_hub_config c;
    memset(&c, 0, sizeof c);
    c.dir = dir;
    memcpy(c.key, sk, 32);
    c.chain_id = u256_from_u64(8888);
    c.bind = "127.0.0.1";
    c.resend_ms = 200;
    c.block = 10;
    struct ch_hub *h = NULL;
    if (ch_hub_start(&c, &h) != 0) {
        fprintf(stderr, "channel bench: %s\n", err_msg());
        return NULL;
    }
    return h;
}

static void run(void)
{
    char dirA[512], dirB[512];
    if (bench_tmpdir(dirA, sizeof dirA, "bench_hubA") != 0 ||
        bench_tmpdir(dirB, sizeof dirB, "bench_hubB") != 0) {
        fprintf(stderr, "channel bench: %s\n", err_msg());
        return;
    }
    uint8_t skA[32] = {0}, skB[32] = {0}, addrA[20], addrB[20], token[20], tn[20], cid[32];
    skA[31] = 0xa1;
    skB[31] = 0xb2;
    memset(token, 0x70, 20);
    memset(tn, 0x7e, 20);
    struct ch_hub *a = NULL, *b = NULL;
    if (ch_address_of(skA, addrA) || ch_address_of(skB, addrB))
        goto out;
    ch_channel_id(addrA, addrB, token, tn, cid);
    if (seed(dirA, cid, token, addrA, addrB, BENCH_TRANSFERS, 0) ||
        seed(dirB, cid, token, addrB, addrA, 0, BENCH_TRANSFERS)) {
        fprintf(stderr, "channel bench: %s\n", err_msg());
        goto out;
    }
    a = start(dirA, skA);
    b = start(dirB, skB);
    if (!a || !b || ch_hub_register_peer(a, addrB, "127.0.0.1", ch_hub_port(b)) ||
        ch_hub_register_peer(b, addrA, "127.0.0.1", ch_hub_port(a)))
        goto out;

    static u256 ones[BENCH_BATCH];
    for (size_t i = 0; i < BENCH_BATCH; i++)
        ones[i] = u256_from_u64(1);
    struct ch_hub_channel_info info;
    size_t sent = 0;
    double t0 = bench_now();
    for (;;) {
        if (ch_hub_get_channel(a, cid, 0, &info) != 0)
            goto fail;
        if (info.acked_nonce >= BENCH_TRANSFERS)
            break;
        if (sent < BENCH_TRANSFERS && info.unacked + BENCH_BATCH <= BENCH_INFLIGHT) {
            size_t n = BENCH_TRANSFERS - sent < BENCH_BATCH ? BENCH_TRANSFERS - sent : BENCH_BATCH;
            size_t made = 0;
            if (ch_hub_transfer_many(a, addrB, token, ones, n, &made) != 0)
                goto fail;
            sent += made;
        } else {
            usleep(200);
        }
        if (bench_now() - t0 > 120) {
            fprintf(stderr, "channel bench: stuck at %llu acked\n",
                    (unsigned long long)info.acked_nonce);
            goto out;
        }
    }
    double dt = bench_now() - t0;
    struct ch_hub_stats sa, sb;
    if (ch_hub_get_stats(a, &sa) || ch_hub_get_stats(b, &sb) ||
        ch_hub_get_channel(b, cid, 0, &info) || info.bp[CH_PARTNER].nonce != BENCH_TRANSFERS) {
        fprintf(stderr, "channel bench: B does not hold the last proof\n");
        goto out;
    }
    bench_report("channel_direct_durable", BENCH_TRANSFERS / dt, "transfers/s");
    bench_report("channel_direct_durable_fsyncs_A", (double)sa.synced_commits, "fsyncs");
    bench_report("channel_direct_durable_fsyncs_B", (double)sb.synced_commits, "fsyncs");
    bench_report("channel_direct_durable_commit_ms_A", sa.commit_us / 1000.0, "ms");
    bench_report("channel_direct_durable_commit_ms_B", sb.commit_us / 1000.0, "ms");
    bench_report("channel_direct_durable_resent", (double)sa.transport.resent, "packets");
    goto out;
fail:
    fprintf(stderr, "channel bench: %s\n", err_msg());
out:
    ch_hub_stop(a);
    ch_hub_stop(b);
    bench_rmdir(dirA);
    bench_rmdir(dirB);
}

void bench_channel(void)
{
    if (!bench_selected("channel_direct_durable"))
        return;
    if (evthread_use_pthreads() != 0) {
        fprintf(stderr, "channel bench: evthread_use_pthreads failed\n");
        return;
    }
    run();
}
