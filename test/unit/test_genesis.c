/*
 * test_genesis.c — the genesis block hash of every Spectrum network, computed
 * from ../shared/spectrum/genesis-*.json, must equal the file's expectedHash.
 * This runs RLP, the secure trie, account encoding and header hashing end to
 * end against the live networks. Also: hostile genesis files are refused.
 *
 * Fixture: ../shared/spectrum (skips loudly when absent; fails in CI).
 */
#include <check.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "../conformance/fixtures.h"
#include "chain/genesis.h"
#include "util/err.h"

static void check_network(const char *name)
{
    char sub[128];
    snprintf(sub, sizeof sub, "spectrum/genesis-%s.json", name);
    char *path = fixtures_path(sub);
    struct genesis g;
    int rc = genesis_load(path, &g);
    ck_assert_msg(rc == 0, "%s: %s", path, err_msg());
    ck_assert(g.has_expected_hash);
    ck_assert_str_eq(g.network, name);
    struct hash32 h;
    ck_assert_int_eq(genesis_hash(&g, &h), 0);
    char got[HASH32_HEX_SIZE], want[HASH32_HEX_SIZE];
    hash32_to_hex(&h, got);
    hash32_to_hex(&g.expected_hash, want);
    ck_assert_msg(hash32_eq(&h, &g.expected_hash), "%s genesis: got %s, want %s", name, got, want);

    /* A one-wei change anywhere in the allocation changes the hash. */
    ck_assert_uint_gt(g.nalloc, 0);
    g.alloc[0].balance.w[0] ^= 1;
    ck_assert_int_eq(genesis_hash(&g, &h), 0);
    ck_assert(!hash32_eq(&h, &g.expected_hash));
    genesis_free(&g);
    free(path);
}

START_TEST(mainnet_hash) { check_network("mainnet"); }
END_TEST
START_TEST(testnet_hash) { check_network("testnet"); }
END_TEST
START_TEST(devnet_hash) { check_network("devnet"); }
END_TEST

START_TEST(accounts_with_code_and_storage)
{
    /* Storage and code change the state root; zero slots do not. */
    const char *base = "{\"alloc\":{\"0x0000000000000000000000000000000000000001\":"
                       "{\"balance\":\"1\"}}}";
    const char *with_code = "{\"alloc\":{\"0x0000000000000000000000000000000000000001\":"
                            "{\"balance\":\"1\",\"code\":\"0x6000\"}}}";
    const char *zero_slot = "{\"alloc\":{\"0x0000000000000000000000000000000000000001\":"
                            "{\"balance\":\"1\",\"storage\":{\"0x01\":\"0x00\"}}}}";
    const char *slot = "{\"alloc\":{\"0x0000000000000000000000000000000000000001\":"
                       "{\"balance\":\"1\",\"storage\":{\"0x01\":\"0x02\"}}}}";
    struct genesis g;
    struct hash32 r[4];
    const char *docs[4] = {base, with_code, zero_slot, slot};
    for (int i = 0; i < 4; i++) {
        ck_assert_msg(genesis_parse(docs[i], strlen(docs[i]), &g) == 0, "%s", err_msg());
        ck_assert_int_eq(genesis_build(&g, NULL), 0);
        r[i] = g.header.state_root;
        genesis_free(&g);
    }
    ck_assert(!hash32_eq(&r[0], &r[1]));
    ck_assert(hash32_eq(&r[0], &r[2]));
    ck_assert(!hash32_eq(&r[0], &r[3]));
}
END_TEST

START_TEST(hostile_files_are_refused)
{
    static const char *const bad[] = {
        "",
        "[]",
        "{\"alloc\":[]}",
        "{\"alloc\":{\"0x12\":{\"balance\":\"1\"}}}",
        "{\"alloc\":{\"0x0000000000000000000000000000000000000001\":{\"balance\":\"-1\"}}}",
        "{\"alloc\":{\"0x0000000000000000000000000000000000000001\":{\"balance\":"
        "\"0x10000000000000000000000000000000000000000000000000000000000000000\"}}}",
        "{\"alloc\":{\"0x0000000000000000000000000000000000000001\":{\"code\":\"0xzz\"}}}",
        "{\"header\":{\"gasLimit\":\"0x10000000000000000\"}}",
        "{\"header\":{\"extraData\":\"0x123\"}}",
        "{\"header\":{\"parentHash\":\"0x00\"}}",
        "{\"expectedHash\":\"0x1234\"}",
        "{\"chainId\":\"twelve\"}",
        "{\"a\":1,\"a\":2}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct genesis g;
        int rc = genesis_parse(bad[i], strlen(bad[i]), &g);
        ck_assert_msg(rc < 0, "accepted: %s", bad[i]);
        ck_assert_msg(err_msg()[0] != 0, "no reason for: %s", bad[i]);
        ck_assert_ptr_null(g.alloc);
    }
    struct genesis g;
    ck_assert_int_eq(genesis_load("/nonexistent/genesis.json", &g), ERR_IO);
}
END_TEST

START_TEST(oversized_and_empty_files_are_refused)
{
    /* A file one byte over the cap is refused without being parsed; an
     * empty one is a decode error. (Sparse: no disk is really used.) */
    char path[] = "/tmp/spectrum-genesis-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(ftruncate(fd, (off_t)GENESIS_MAX_FILE + 1), 0);
    close(fd);
    struct genesis g;
    ck_assert_int_eq(genesis_load(path, &g), ERR_RANGE);
    ck_assert_ptr_nonnull(strstr(err_msg(), "larger than"));
    fd = open(path, O_WRONLY | O_TRUNC);
    ck_assert_int_ge(fd, 0);
    close(fd);
    ck_assert_int_eq(genesis_load(path, &g), ERR_DECODE);
    unlink(path);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("genesis");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, mainnet_hash);
    tcase_add_test(tc, testnet_hash);
    tcase_add_test(tc, devnet_hash);
    tcase_add_test(tc, accounts_with_code_and_storage);
    tcase_add_test(tc, hostile_files_are_refused);
    tcase_add_test(tc, oversized_and_empty_files_are_refused);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
