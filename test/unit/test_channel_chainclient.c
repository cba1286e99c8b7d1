/*
 * test_channel_chainclient.c — the hub's client of the chain service
 * (channel/chainclient.h) on a real regtest chain service and hub:
 *   - ch_chainclient_catch_up returns once every block up to the head is
 *     applied, also while the client rests between rounds;
 *   - a client that stopped following the chain (its hub died) is not
 *     waited for: catch_up returns at once instead of after its time-out,
 *     and the client applies nothing more.
 * The hub is killed with its crash hook at the commit of the chain
 * client's next batch, as kill -9 would.
 */
#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chain/regtest_genesis.h"
#include "chainsvc/chainsvc.h"
#include "channel/chainclient.h"
#include "channel/hub.h"
#include "regtest_service.h"
#include "storage/db.h"
#include "util/err.h"

struct rig {
    char dir[4096], hubdir[4200];
    struct db *db;
    struct chainsvc *s;
    struct ch_hub *hub;
    _Atomic(struct ch_chainclient *) cc;
    atomic_int crash;       /* 0: the hub lives; 1: it dies at its next commit */
};

/* On the chain thread: the node wires new heads to the client the same way
 * (node/channel_node.c). */
static void on_event(void *ctx, const struct chainsvc_event *ev)
{
    struct rig *r = ctx;
    struct ch_chainclient *cc = atomic_load(&r->cc);
    if (cc && ev->kind == CHAINSVC_EVENT_HEAD)
        ch_chainclient_on_head(cc, chainsvc_head_number(r->s, NULL));
}

static bool crash_hook(void *ctx, int point)
{
    struct rig *r = ctx;
    return point == CH_HUB_BEFORE_COMMIT && atomic_load(&r->crash) != 0;
}

static void rig_start(struct rig *r, const char *name)
{
    memset(r, 0, sizeof *r);
    regtest_tmpdir(r->dir, sizeof r->dir, name);
    snprintf(r->hubdir, sizeof r->hubdir, "%s/hub", r->dir);
    ck_assert_msg(db_open(r->dir, NULL, &r->db) == 0, "%s", err_msg());

    r->s = regtest_service_start(r->db, true, on_event, r);

    struct ch_hub_config hc;
    memset(&hc, 0, sizeof hc);
    hc.dir = r->hubdir;
    ck_assert_int_eq(regtest_node_key(hc.key), 0);
    hc.chain_id = u256_from_u64(chainsvc_params(r->s)->chain_id);
    hc.bind = "127.0.0.1";
    hc.block = chainsvc_head_number(r->s, NULL);
    hc.crash = crash_hook;
    hc.crash_ctx = r;
    ck_assert_msg(ch_hub_start(&hc, &r->hub) == 0, "hub: %s", err_msg());

    struct ch_chainclient_config cc;
    memset(&cc, 0, sizeof cc);
    cc.chain = r->s;
    cc.hub = r->hub;
    memcpy(cc.key, hc.key, 32);
    memset(cc.tokens_network, 0x7e, 20); /* no contract there: no events, only blocks */
    memset(cc.secret_registry, 0x5e, 20);
    struct ch_chainclient *c = NULL;
    ck_assert_msg(ch_chainclient_start(&cc, &c) == 0, "chain client: %s", err_msg());
    atomic_store(&r->cc, c);
}

static void rig_stop(struct rig *r)
{
    struct ch_chainclient *c = atomic_exchange(&r->cc, NULL);
    ch_chainclient_stop(c);
    ch_hub_stop(r->hub);
    chainsvc_stop(r->s);
    db_close(r->db);
    regtest_rmdir(r->dir);
}

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void generate(struct rig *r, size_t n)
{
    struct hash32 hs[8];
    ck_assert_uint_le(n, 8);
    ck_assert_msg(chainsvc_generate(r->s, n, hs, NULL) == 0, "%s", err_msg());
}

START_TEST(catch_up_applies_every_block_to_the_head)
{
    struct rig r;
    rig_start(&r, "chainclient_catch_up");
    for (int round = 0; round < 5; round++) {
        generate(&r, 3);
        /* the client may be resting after the block before: catch_up ends
         * its rest instead of waiting for it */
        ch_chainclient_catch_up(atomic_load(&r.cc), 10000);
        ck_assert_uint_eq(ch_chainclient_processed(atomic_load(&r.cc)),
                          chainsvc_head_number(r.s, NULL));
    }
    rig_stop(&r);
}
END_TEST

START_TEST(catch_up_does_not_wait_for_a_client_that_gave_up)
{
    struct rig r;
    rig_start(&r, "chainclient_gave_up");
    generate(&r, 2);
    struct ch_chainclient *c = atomic_load(&r.cc);
    ch_chainclient_catch_up(c, 10000);
    uint64_t applied = ch_chainclient_processed(c);
    ck_assert_uint_eq(applied, chainsvc_head_number(r.s, NULL));

    /* The hub dies at the commit of the client's next batch. */
    atomic_store(&r.crash, 1);
    generate(&r, 2);
    for (int i = 0; i < 500 && !ch_hub_dead(r.hub); i++) {
        struct timespec step = {0, 10 * 1000000L};
        nanosleep(&step, NULL);
    }
    ck_assert_msg(ch_hub_dead(r.hub), "the hub did not die at the client's commit");

    generate(&r, 2);
    double t0 = mono_s();
    ch_chainclient_catch_up(c, 10000);
    double waited = mono_s() - t0;
    ck_assert_msg(waited < 5.0, "catch_up waited %.1f s for a client that gave up", waited);
    ck_assert_uint_eq(ch_chainclient_processed(c), applied); /* nothing more applied */
    rig_stop(&r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("channel_chainclient");
    TCase *tc = tcase_create("follow");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, catch_up_applies_every_block_to_the_head);
    tcase_add_test(tc, catch_up_does_not_wait_for_a_client_that_gave_up);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
