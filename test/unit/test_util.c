/* test_util.c — unit tests for util: errors, byte buffers, hex. */
#include <check.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/bytes.h"
#include "util/err.h"
#include "util/hex.h"
#include "util/wait.h"

START_TEST(err_context_is_kept_and_wrapped)
{
    ck_assert_int_eq(err_set(ERR_RANGE, "len %d", 7), ERR_RANGE);
    ck_assert_str_eq(err_msg(), "len 7");
    ck_assert_int_eq(err_wrap(ERR_RANGE, "block %d", 3), ERR_RANGE);
    ck_assert_str_eq(err_msg(), "block 3: len 7");
    err_clear();
    ck_assert_str_eq(err_msg(), "");
    ck_assert_int_eq(err_wrap(ERR_IO, "db"), ERR_IO);
    ck_assert_str_eq(err_msg(), "db: i/o error");
}
END_TEST

START_TEST(bytes_grow_and_steal)
{
    struct bytes b = BYTES_INIT;
    for (int i = 0; i < 1000; i++)
        ck_assert_int_eq(bytes_push(&b, (uint8_t)i), 0);
    ck_assert_uint_eq(b.len, 1000);
    ck_assert_int_eq(b.data[999], (uint8_t)999);
    ck_assert_int_eq(bytes_ok(&b), 0);
    size_t n;
    uint8_t *p = bytes_steal(&b, &n);
    ck_assert_ptr_nonnull(p);
    ck_assert_uint_eq(n, 1000);
    ck_assert_ptr_null(b.data);
    free(p);
    ck_assert_ptr_null(bytes_steal(&b, &n));
    ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(bytes_refuses_absurd_sizes)
{
    struct bytes b = BYTES_INIT;
    ck_assert_int_eq(bytes_reserve(&b, SIZE_MAX - 8), ERR_NOMEM);
    ck_assert(b.oom);
    /* oom is sticky: later appends fail until reset */
    ck_assert_int_eq(bytes_push(&b, 1), ERR_NOMEM);
    ck_assert_int_eq(bytes_ok(&b), ERR_NOMEM);
    bytes_reset(&b);
    ck_assert_int_eq(bytes_push(&b, 1), 0);
    bytes_free(&b);
}
END_TEST

START_TEST(hex_round_trip)
{
    uint8_t in[] = {0x00, 0x01, 0xab, 0xff};
    char s[9];
    hex_encode(s, in, 4);
    ck_assert_str_eq(s, "0001abff");
    uint8_t out[4];
    size_t n;
    ck_assert_int_eq(hex_decode("0x0001ABff", 10, out, sizeof out, &n), 0);
    ck_assert_uint_eq(n, 4);
    ck_assert_mem_eq(out, in, 4);
    ck_assert_int_eq(hex_decode_exact("0001abff", 8, out, 4), 0);
    struct bytes b = BYTES_INIT;
    ck_assert_int_eq(hex_append(&b, in, 4), 0);
    ck_assert_uint_eq(b.len, 10);
    ck_assert_mem_eq(b.data, "0x0001abff", 10);
    bytes_free(&b);
}
END_TEST

START_TEST(hex_rejects_bad_input)
{
    uint8_t out[4];
    size_t n;
    ck_assert_int_eq(hex_decode("abc", 3, out, 4, &n), ERR_DECODE);
    ck_assert_int_eq(hex_decode("zz", 2, out, 4, &n), ERR_DECODE);
    ck_assert_int_eq(hex_decode("0x0102030405", 12, out, 4, &n), ERR_RANGE);
    ck_assert_int_eq(hex_decode_exact("0102", 4, out, 4), ERR_DECODE);
    ck_assert_int_eq(hex_decoded_len("0x123", 5), ERR_DECODE);
    uint8_t *p;
    ck_assert_int_eq(hex_decode_alloc("0x00112233", 10, 2, &p, &n), ERR_RANGE);
    ck_assert_int_eq(hex_decode_alloc("0x", 2, 2, &p, &n), 0);
    ck_assert_ptr_null(p);
    ck_assert_uint_eq(n, 0);
}
END_TEST

/* A resting thread (wait.h): signals do not end its rest, its stop flag
 * does at once. The rest is long (10 s) so that a slow machine cannot end
 * it by itself while the test looks. */
struct rester {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop, resting, rested, stopped;
};

static void *rest_thread(void *arg)
{
    struct rester *r = arg;
    bool stopped = wait_rest(&r->cv, &r->mu, &r->stop, &r->resting, 10000);
    pthread_mutex_lock(&r->mu);
    r->stopped = stopped;
    r->rested = true;
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

START_TEST(rest_ignores_signals_until_stopped)
{
    struct rester r = {.stop = false};
    pthread_mutex_init(&r.mu, NULL);
    pthread_cond_init(&r.cv, NULL);
    double t0 = mono_s();
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, rest_thread, &r), 0);
    bool resting = false;
    for (int i = 0; i < 1000 && !resting; i++) { /* marked for its notifiers */
        struct timespec step = {0, 1000000L};
        nanosleep(&step, NULL);
        pthread_mutex_lock(&r.mu);
        resting = r.resting;
        pthread_mutex_unlock(&r.mu);
    }
    ck_assert(resting);
    for (int i = 0; i < 20; i++) {
        struct timespec step = {0, 5 * 1000000L};
        nanosleep(&step, NULL);
        pthread_mutex_lock(&r.mu);
        pthread_cond_broadcast(&r.cv);
        ck_assert_msg(!r.rested, "the rest ended on signal %d", i + 1);
        pthread_mutex_unlock(&r.mu);
    }
    pthread_mutex_lock(&r.mu);
    r.stop = true;
    pthread_cond_broadcast(&r.cv);
    pthread_mutex_unlock(&r.mu);
    pthread_join(th, NULL);
    ck_assert(r.rested && r.stopped && !r.resting);
    ck_assert_msg(mono_s() - t0 < 5.0, "stopping waited for the rest to end");

    /* Already stopped: no wait at all. */
    t0 = mono_s();
    ck_assert(wait_rest(&r.cv, &r.mu, &r.stop, &r.resting, 10000));
    ck_assert(mono_s() - t0 < 5.0);
    /* Not stopped: it returns after its time, false. */
    r.stop = false;
    t0 = mono_s();
    ck_assert(!wait_rest(&r.cv, &r.mu, &r.stop, &r.resting, 30));
    ck_assert(mono_s() - t0 >= 0.03 && !r.resting);
    pthread_cond_destroy(&r.cv);
    pthread_mutex_destroy(&r.mu);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("util");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, err_context_is_kept_and_wrapped);
    tcase_add_test(tc, bytes_grow_and_steal);
    tcase_add_test(tc, bytes_refuses_absurd_sizes);
    tcase_add_test(tc, hex_round_trip);
    tcase_add_test(tc, hex_rejects_bad_input);
    tcase_add_test(tc, rest_ignores_signals_until_stopped);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
