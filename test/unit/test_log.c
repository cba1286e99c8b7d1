/* test_log.c — unit tests for util/log (categories, line format, escaping,
 * start-up buffering, reopening for rotation) and util/fs (paths, the data
 * directory lock, pid files, bounded reads). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/err.h"
#include "util/fs.h"
#include "util/log.h"

static char dir[64];

static void make_dir(void)
{
    strcpy(dir, "/tmp/test_log_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static char *slurp(const char *path)
{
    char *buf;
    size_t len;
    ck_assert_int_eq(fs_read_file(path, 1 << 20, &buf, &len), 0);
    return buf;
}

START_TEST(categories)
{
    log_disable_all();
    ck_assert(!log_enabled(LOG_NET));
    ck_assert_int_eq(log_enable_category("net"), 0);
    ck_assert(log_enabled(LOG_NET));
    ck_assert(!log_enabled(LOG_RPC));
    ck_assert_int_eq(log_enable_category("all"), 0);
    for (int c = 0; c < LOG_CATEGORY_COUNT; c++)
        ck_assert(log_enabled(c));
    ck_assert_int_eq(log_disable_category("evm"), 0);
    ck_assert(!log_enabled(LOG_EVM));
    ck_assert(log_enabled(LOG_TRIBE));
    log_disable_all();
    ck_assert_int_eq(log_enable_category("1"), 0);
    ck_assert(log_enabled(LOG_WALLET));
    ck_assert_int_eq(log_enable_category("nosuch"), ERR_INVAL);
    ck_assert_str_eq(err_msg(), "unknown logging category 'nosuch'");
    ck_assert_int_eq(log_enable_category(""), ERR_INVAL);
    ck_assert_int_eq(log_disable_category("NET"), ERR_INVAL);
    ck_assert(!log_enabled(-1));
    ck_assert(!log_enabled(LOG_CATEGORY_COUNT));
    ck_assert_str_eq(log_category_name(LOG_TXPOOL), "txpool");
    ck_assert_ptr_null(log_category_name(LOG_CATEGORY_COUNT));
    /* every name in the table round-trips through enable */
    for (int c = 0; c < LOG_CATEGORY_COUNT; c++) {
        log_disable_all();
        ck_assert_int_eq(log_enable_category(log_category_name(c)), 0);
        ck_assert(log_enabled(c));
    }
    char list[256];
    log_category_list(list, sizeof list);
    ck_assert_ptr_nonnull(strstr(list, "net, p2p, rpc"));
    log_category_list(list, 5);
    ck_assert_uint_lt(strlen(list), 5);
    log_disable_all();
}
END_TEST

START_TEST(lines_buffering_and_escaping)
{
    make_dir();
    char path[128];
    snprintf(path, sizeof path, "%s/debug.log", dir);
    log_set_timestamps(false);
    log_disable_all();
    log_info("before open %d", 1);        /* buffered until log_open */
    log_debug(LOG_NET, "not enabled");
    ck_assert_int_eq(log_open(path), 0);
    ck_assert_int_eq(log_enable_category("net"), 0);
    log_debug(LOG_NET, "peer %s", "x");
    log_warn("disk %s", "low");
    log_error("bad\n");                   /* a trailing newline is not doubled */
    log_info("a\x01" "b\nc\x7f");         /* control bytes escaped: one line */
    char *s = slurp(path);
    ck_assert_str_eq(s, "before open 1\n"
                        "[net] peer x\n"
                        "Warning: disk low\n"
                        "Error: bad\n"
                        "a\\x01b\\x0ac\\x7f\n");
    free(s);

    /* an over-long message is cut and marked */
    char big[LOG_LINE_MAX + 100];
    memset(big, 'z', sizeof big - 1);
    big[sizeof big - 1] = 0;
    unlink(path);
    log_request_reopen();
    log_info("%s", big);
    s = slurp(path);
    ck_assert_uint_eq(strlen(s), LOG_LINE_MAX + 1);
    ck_assert(!strcmp(s + LOG_LINE_MAX - 3, "...\n"));
    free(s);

    /* timestamps: 2026-01-02T03:04:05Z */
    unlink(path);
    log_request_reopen();
    log_set_timestamps(true);
    log_info("stamped");
    s = slurp(path);
    ck_assert_uint_eq(strlen(s), 21 + 8);
    ck_assert(s[4] == '-' && s[7] == '-' && s[10] == 'T' && s[19] == 'Z' && s[20] == ' ');
    ck_assert_str_eq(s + 21, "stamped\n");
    free(s);

    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0600);
    log_close();
    log_set_timestamps(true);
    unlink(path);
    rmdir(dir);
}
END_TEST

START_TEST(reopen_for_rotation)
{
    make_dir();
    char path[128], old[128];
    snprintf(path, sizeof path, "%s/debug.log", dir);
    snprintf(old, sizeof old, "%s/debug.log.1", dir);
    log_set_timestamps(false);
    ck_assert_int_eq(log_open(path), 0);
    log_info("one");
    ck_assert_int_eq(rename(path, old), 0);
    log_info("two");                      /* still the old file: no reopen asked */
    log_request_reopen();
    log_info("three");
    char *s = slurp(old);
    ck_assert_str_eq(s, "one\ntwo\n");
    free(s);
    s = slurp(path);
    ck_assert_str_eq(s, "three\n");
    free(s);
    log_close();
    ck_assert_int_eq(log_open("/nonexistent-dir/debug.log"), ERR_IO);
    log_set_timestamps(true);
    unlink(path);
    unlink(old);
    rmdir(dir);
}
END_TEST

START_TEST(fs_paths_and_dirs)
{
    char out[16];
    ck_assert_int_eq(fs_join(out, sizeof out, "/a", "b"), 0);
    ck_assert_str_eq(out, "/a/b");
    ck_assert_int_eq(fs_join(out, sizeof out, "/a/", "b"), 0);
    ck_assert_str_eq(out, "/a/b");
    ck_assert_int_eq(fs_join(out, sizeof out, "/a", "/abs"), 0);
    ck_assert_str_eq(out, "/abs");
    ck_assert_int_eq(fs_join(out, sizeof out, "/a", ""), 0);
    ck_assert_str_eq(out, "/a");
    ck_assert_int_eq(fs_join(out, sizeof out, "/aaaaaaaa", "bbbbbbb"), ERR_RANGE);
    ck_assert_int_eq(fs_join(out, 10, "/a", "123456"), 0);      /* 9 chars + NUL */
    ck_assert_int_eq(fs_join(out, 9, "/a", "123456"), ERR_RANGE);

    make_dir();
    char deep[128];
    snprintf(deep, sizeof deep, "%s/x/y/z", dir);
    ck_assert_int_eq(fs_mkdir_p(deep, 0700), 0);
    ck_assert(fs_is_dir(deep));
    ck_assert_int_eq(fs_mkdir_p(deep, 0700), 0);                /* exists: fine */
    struct stat st;
    ck_assert_int_eq(stat(deep, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0700);
    char file[128];
    snprintf(file, sizeof file, "%s/x/f", dir);
    FILE *f = fopen(file, "w");
    fputs("12345", f);
    fclose(f);
    ck_assert_int_eq(fs_mkdir_p(file, 0700), ERR_IO);           /* a file is in the way */
    ck_assert(!fs_is_dir(file));

    char *buf;
    size_t len;
    ck_assert_int_eq(fs_read_file(file, 5, &buf, &len), 0);
    ck_assert_uint_eq(len, 5);
    ck_assert_str_eq(buf, "12345");
    free(buf);
    ck_assert_int_eq(fs_read_file(file, 4, &buf, &len), ERR_RANGE);
    ck_assert_ptr_null(buf);
    ck_assert_int_eq(fs_read_file(deep, 100, &buf, &len), ERR_IO);  /* a directory */
    snprintf(file + strlen(file), sizeof file - strlen(file), "nope");
    ck_assert_int_eq(fs_read_file(file, 100, &buf, &len), ERR_NOTFOUND);

    char pid[128];
    snprintf(pid, sizeof pid, "%s/x/p.pid", dir);
    ck_assert_int_eq(fs_write_pidfile(pid, 4242), 0);
    ck_assert_int_eq(fs_read_file(pid, 100, &buf, &len), 0);
    ck_assert_str_eq(buf, "4242\n");
    free(buf);
    ck_assert_int_eq(fs_write_pidfile("/nonexistent-dir/p.pid", 1), ERR_IO);

    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

START_TEST(fs_lock_excludes_a_second_holder)
{
    make_dir();
    struct fs_lock *a = NULL, *b = NULL;
    ck_assert_int_eq(fs_lock_dir(dir, &a), 0);
    ck_assert_ptr_nonnull(a);
    ck_assert_int_eq(fs_lock_dir(dir, &b), ERR_BADSTATE);      /* even in the same process */
    ck_assert_ptr_null(b);
    ck_assert_ptr_nonnull(strstr(err_msg(), "locked by another process"));
    fs_unlock(a);
    ck_assert_int_eq(fs_lock_dir(dir, &b), 0);              /* free again after unlock */
    fs_unlock(b);
    fs_unlock(NULL);
    ck_assert_int_eq(fs_lock_dir("/nonexistent-dir", &a), ERR_IO);
    char path[128];
    snprintf(path, sizeof path, "%s/.lock", dir);
    unlink(path);
    rmdir(dir);
}
END_TEST

START_TEST(fs_default_datadir_uses_home)
{
    char out[FS_PATH_MAX];
    setenv("HOME", "/home/someone", 1);
    ck_assert_int_eq(fs_default_datadir(out, sizeof out), 0);
    ck_assert_str_eq(out, "/home/someone/.spectrum");
    ck_assert_int_eq(fs_default_datadir(out, 10), ERR_RANGE);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("log_fs");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, categories);
    tcase_add_test(tc, lines_buffering_and_escaping);
    tcase_add_test(tc, reopen_for_rotation);
    tcase_add_test(tc, fs_paths_and_dirs);
    tcase_add_test(tc, fs_lock_excludes_a_second_holder);
    tcase_add_test(tc, fs_default_datadir_uses_home);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
