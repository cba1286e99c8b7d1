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
 *
 * Case channel_mediated_3hops: four hubs A-B-C-D in this process (three
 * channels, three hops), BENCH_MEDIATED payments of 1 wei from A to D
 * through B and C (no fees), started by BENCH_MED_CLIENTS client threads
 * (as RPC workers would: their calls share A's turns), at most
 * BENCH_MED_INFLIGHT under way at A at once. Each payment is the whole
 * protocol of photon.md §3.7, durable at every hop: three MediatedTransfers,
 * SecretRequest, four RevealSecrets, three Unlocks, and the acks, each
 * stored before it leaves or is acknowledged. The clock runs from the first
 * request until every hub has nothing under way and D holds C's proof of
 * all of them; the figure is payments per second.
 */
#include <event2/thread.h>
#include <pthread.h>
#include <stdatomic.h>
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
#define BENCH_MEDIATED 3000
#define BENCH_MED_CLIENTS 4
/* Below the transport's 64 unacknowledged loose packets per partner and
 * the mediators' limit of reveal_timeout locks per payer. */
#define BENCH_MED_INFLIGHT 48

static int seed_timeouts(const char *dir, const uint8_t cid[32], const uint8_t token[20],
                         const uint8_t self[20], const uint8_t partner[20], uint64_t dep_self,
                         uint64_t dep_partner, uint64_t settle, uint64_t reveal)
{
    struct ch_store *st = NULL;
    int rc = ch_store_open(dir, NULL, &st);
    if (rc)
        return rc;
    struct ch_channel ch;
    u256 a = u256_from_u64(dep_self), b = u256_from_u64(dep_partner);
    rc = ch_channel_init(&ch, cid, token, self, partner, 1, settle, reveal);
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

static int seed(const char *dir, const uint8_t cid[32], const uint8_t token[20],
                const uint8_t self[20], const uint8_t partner[20], uint64_t dep_self,
                uint64_t dep_partner)
{
    return seed_timeouts(dir, cid, token, self, partner, dep_self, dep_partner, 600, 30);
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

/* ---- mediated transfers over three hops ------------------------------------------- */

struct med_bench {
    struct ch_hub *a;
    uint8_t target[20], token[20];
    atomic_int started;
    atomic_int failed;
};

static void *med_client(void *arg)
{
    struct med_bench *m = arg;
    u256 one = u256_from_u64(1), zero = u256_from_u64(0);
    for (;;) {
        size_t under_way = 0;
        if (ch_hub_mediated_count(m->a, &under_way) != 0) {
            atomic_store(&m->failed, 1);
            return NULL;
        }
        if (under_way >= BENCH_MED_INFLIGHT) {
            usleep(200);
            continue;
        }
        int n = atomic_fetch_add(&m->started, 1);
        if (n >= BENCH_MEDIATED)
            return NULL;
        if (ch_hub_transfer_mediated(m->a, m->target, m->token, &one, &zero, 0, NULL, NULL) !=
            0) {
            fprintf(stderr, "channel bench: mediated transfer %d: %s\n", n, err_msg());
            atomic_store(&m->failed, 1);
            return NULL;
        }
    }
}

static void run_mediated(void)
{
    enum { NH = 4 };
    char dirs[NH][512];
    struct ch_hub *hubs[NH] = {NULL};
    uint8_t sk[NH][32], addr[NH][20], token[20], tn[20], cid[NH - 1][32];
    int made = 0;
    struct ch_fee_policy nofee;
    ch_fee_policy_init(&nofee);
    nofee.account.fee_percent = 0;
    for (int i = 0; i < NH; i++, made++)
        if (bench_tmpdir(dirs[i], sizeof dirs[i], "bench_medhub") != 0) {
            fprintf(stderr, "channel bench: %s\n", err_msg());
            goto out;
        }
    memset(token, 0x70, 20);
    memset(tn, 0x7e, 20);
    for (int i = 0; i < NH; i++) {
        memset(sk[i], 0, 32);
        sk[i][31] = (uint8_t)(0xa1 + 0x11 * i);
        if (ch_address_of(sk[i], addr[i]))
            goto out;
    }
    for (int k = 0; k < NH - 1; k++) {
        ch_channel_id(addr[k], addr[k + 1], token, tn, cid[k]);
        if (seed_timeouts(dirs[k], cid[k], token, addr[k], addr[k + 1], BENCH_MEDIATED, 0, 1000,
                          100) ||
            seed_timeouts(dirs[k + 1], cid[k], token, addr[k + 1], addr[k], 0, BENCH_MEDIATED,
                          1000, 100)) {
            fprintf(stderr, "channel bench: %s\n", err_msg());
            goto out;
        }
    }
    for (int i = 0; i < NH; i++) {
        hubs[i] = start(dirs[i], sk[i]);
        if (!hubs[i] || ch_hub_set_fee_policy(hubs[i], &nofee) != 0)
            goto fail;
    }
    for (int i = 0; i < NH; i++)
        for (int j = 0; j < NH; j++)
            if (i != j && ch_hub_register_peer(hubs[i], addr[j], "127.0.0.1",
                                               ch_hub_port(hubs[j])) != 0)
                goto fail;
    for (int k = 1; k < NH - 1; k++) {
        struct ch_med_edge e;
        memset(&e, 0, sizeof e);
        memcpy(e.token, token, 20);
        memcpy(e.from, addr[k], 20);
        memcpy(e.to, addr[k + 1], 20);
        if (ch_hub_add_route(hubs[0], &e) != 0)
            goto fail;
    }
    struct med_bench m;
    memset(&m, 0, sizeof m);
    m.a = hubs[0];
    memcpy(m.target, addr[NH - 1], 20);
    memcpy(m.token, token, 20);
    pthread_t th[BENCH_MED_CLIENTS];
    double t0 = bench_now();
    int nth = 0;
    for (; nth < BENCH_MED_CLIENTS; nth++)
        if (pthread_create(&th[nth], NULL, med_client, &m) != 0)
            break;
    for (int i = 0; i < nth; i++)
        pthread_join(th[i], NULL);
    if (atomic_load(&m.failed) || nth < BENCH_MED_CLIENTS)
        goto out;
    for (;;) {
        size_t busy = 0, n;
        for (int i = 0; i < NH; i++) {
            if (ch_hub_mediated_count(hubs[i], &n) != 0)
                goto fail;
            busy += n;
        }
        struct ch_hub_channel_info info;
        if (ch_hub_get_channel(hubs[NH - 1], cid[NH - 2], 0, &info) != 0)
            goto fail;
        u256 all = u256_from_u64(BENCH_MEDIATED);
        if (busy == 0 && u256_eq(&info.bp[CH_PARTNER].transferred_amount, &all))
            break;
        if (bench_now() - t0 > 300) {
            fprintf(stderr, "channel bench: stuck with %zu transfers under way\n", busy);
            goto out;
        }
        usleep(500);
    }
    double dt = bench_now() - t0;
    struct ch_hub_stats sa, sb;
    if (ch_hub_get_stats(hubs[0], &sa) || ch_hub_get_stats(hubs[1], &sb))
        goto fail;
    bench_report("channel_mediated_3hops", BENCH_MEDIATED / dt, "payments/s");
    bench_report("channel_mediated_3hops_fsyncs_A", (double)sa.synced_commits, "fsyncs");
    bench_report("channel_mediated_3hops_fsyncs_B", (double)sb.synced_commits, "fsyncs");
    bench_report("channel_mediated_3hops_resent_A", (double)sa.transport.resent, "packets");
    goto out;
fail:
    fprintf(stderr, "channel bench: %s\n", err_msg());
out:
    ch_fee_policy_free(&nofee);
    for (int i = 0; i < NH; i++)
        ch_hub_stop(hubs[i]);
    for (int i = 0; i < made; i++)
        bench_rmdir(dirs[i]);
}

void bench_channel(void)
{
    bool direct = bench_selected("channel_direct_durable");
    bool mediated = bench_selected("channel_mediated_3hops");
    if (!direct && !mediated)
        return;
    if (evthread_use_pthreads() != 0) {
        fprintf(stderr, "channel bench: evthread_use_pthreads failed\n");
        return;
    }
    if (direct)
        run();
    if (mediated)
        run_mediated();
}
