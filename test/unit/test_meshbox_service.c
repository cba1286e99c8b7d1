/*
 * test_meshbox_service.c — the MeshBox reporter (meshbox/service.h) on a
 * regtest chain service: the receipt book keeps the last keep_epochs epochs
 * of receipts (-meshboxkeep), a step deletes older ones, and 0 keeps all.
 * Regtest's MeshBox epoch is 100 blocks; the epoch of "now" is that of the
 * next block.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chainsvc/chainsvc.h"
#include "crypto/ecdsa.h"
#include "crypto/keccak.h"
#include "meshbox/book.h"
#include "meshbox/receipt.h"
#include "meshbox/service.h"
#include "regtest_service.h"
#include "storage/db.h"
#include "util/err.h"

struct rig {
    char dir[4096], bookdir[4200];
    struct db *db;
    struct chainsvc *chain;
    struct mb_service *mb;
};

static void rig_start(struct rig *r, const char *name, uint64_t keep)
{
    memset(r, 0, sizeof *r);
    regtest_tmpdir(r->dir, sizeof r->dir, name);
    snprintf(r->bookdir, sizeof r->bookdir, "%s/meshbox", r->dir);
    ck_assert_msg(db_open(r->dir, NULL, &r->db) == 0, "%s", err_msg());
    r->chain = regtest_service_start(r->db, false, NULL, NULL);
    ck_assert_msg(chainsvc_params(r->chain)->meshbox_epoch == 100, "regtest's MeshBox epoch");
    ck_assert_msg(mb_service_start(r->bookdir, r->chain, keep, &r->mb) == 0, "%s", err_msg());
    ck_assert_ptr_nonnull(r->mb);
}

static void rig_stop(struct rig *r)
{
    mb_service_stop(r->mb);
    chainsvc_stop(r->chain);
    db_close(r->db);
    regtest_rmdir(r->dir);
}

/* Blocks up to head `n` (generate takes at most CHAINSVC_GENERATE_MAX). */
static void generate_to(struct rig *r, uint64_t n)
{
    static struct hash32 hs[CHAINSVC_GENERATE_MAX];
    uint64_t head = chainsvc_head_number(r->chain, NULL);
    ck_assert_uint_le(head, n);
    if (n > head)
        ck_assert_msg(chainsvc_generate(r->chain, (size_t)(n - head), hs, NULL) == 0, "%s",
                      err_msg());
}

/* A client's receipt for this node (the provider) in `epoch`, stored. */
static void submit(struct rig *r, const char *client_seed, uint64_t epoch, uint64_t units,
                   struct mb_receipt *out)
{
    uint8_t sk[32], pub[64];
    memset(out, 0, sizeof *out);
    keccak256((const uint8_t *)client_seed, strlen(client_seed), sk);
    ck_assert_int_eq(ecdsa_pubkey(sk, pub), 0);
    ecdsa_pub_to_address(pub, out->client.b);
    chainsvc_node_address(r->chain, &out->provider);
    out->epoch = epoch;
    out->units = u256_from_u64(units);
    u256 chain_id = u256_from_u64(chainsvc_params(r->chain)->chain_id);
    ck_assert_int_eq(mb_receipt_sign(out, &chain_id, sk), 0);
    ck_assert_msg(mb_service_submit(r->mb, out, NULL) == 0, "%s", err_msg());
}

static int lookup(struct rig *r, const struct mb_receipt *x)
{
    struct mb_entry e;
    return mb_book_get(mb_service_book(r->mb), &x->provider, &x->client, x->epoch, &e);
}

START_TEST(old_epochs_leave_the_book)
{
    struct rig r;
    rig_start(&r, "meshbox_keep", 3);
    struct mb_receipt a, b;
    submit(&r, "client a", 0, 5, &a); /* epoch 0: head 0, next block 1 */
    generate_to(&r, 150);
    submit(&r, "client b", 1, 7, &b); /* epoch 1 */
    /* head 298: the next block is in epoch 2; epochs 0-2 are the last three */
    generate_to(&r, 298);
    ck_assert_int_eq(mb_service_step(r.mb, NULL, NULL), 0);
    ck_assert_int_eq(lookup(&r, &a), 0);
    ck_assert_int_eq(lookup(&r, &b), 0);
    /* head 299: epoch 3 now, so epoch 0 goes, epoch 1 stays */
    generate_to(&r, 299);
    ck_assert_int_eq(mb_service_step(r.mb, NULL, NULL), 0);
    ck_assert_int_eq(lookup(&r, &a), ERR_NOTFOUND);
    ck_assert_int_eq(lookup(&r, &b), 0);
    generate_to(&r, 399);
    ck_assert_int_eq(mb_service_step(r.mb, NULL, NULL), 0);
    ck_assert_int_eq(lookup(&r, &b), ERR_NOTFOUND);
    rig_stop(&r);
}
END_TEST

START_TEST(keep_zero_keeps_every_epoch)
{
    struct rig r;
    rig_start(&r, "meshbox_keep_all", 0);
    struct mb_receipt a;
    submit(&r, "client a", 0, 5, &a);
    generate_to(&r, 999);
    ck_assert_int_eq(mb_service_step(r.mb, NULL, NULL), 0);
    ck_assert_int_eq(lookup(&r, &a), 0);
    rig_stop(&r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("meshbox_service");
    TCase *tc = tcase_create("book");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, old_epochs_leave_the_book);
    tcase_add_test(tc, keep_zero_keeps_every_epoch);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
