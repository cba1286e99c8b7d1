/*
 * test_meshbox_node.c — the MeshBox node side (src/meshbox): receipts
 * (message layout, signature, every refusal of the check), the receipt
 * book (cumulative replacement, replay refusal, statuses kept to the
 * receipt they were decided for, persistence across a reopen, damaged
 * records), the report() call data and the verdicts read from logs.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto/ecdsa.h"
#include "crypto/keccak.h"
#include "meshbox/book.h"
#include "meshbox/receipt.h"
#include "meshbox/report.h"
#include "storage/db.h"
#include "util/err.h"

static const u256 CHAIN = {{1397769539u, 0, 0, 0}};

static void key_of(uint8_t sk[32], struct address *a, const char *seed)
{
    keccak256((const uint8_t *)seed, strlen(seed), sk);
    uint8_t pub[64];
    ck_assert_int_eq(ecdsa_pubkey(sk, pub), 0);
    ecdsa_pub_to_address(pub, a->b);
}

static void make_receipt(struct mb_receipt *r, const char *client_seed, uint64_t epoch,
                         uint64_t units)
{
    uint8_t sk[32], psk[32];
    memset(r, 0, sizeof *r);
    key_of(psk, &r->provider, "provider");
    key_of(sk, &r->client, client_seed);
    r->epoch = epoch;
    r->units = u256_from_u64(units);
    ck_assert_int_eq(mb_receipt_sign(r, &CHAIN, sk), 0);
}

/* The 139 bytes of doc/meshbox.md §3.3, field by field. */
START_TEST(receipt_message_layout)
{
    struct mb_receipt r;
    make_receipt(&r, "client", 0x0102030405060708ull, 0x1234);
    uint8_t m[MB_RECEIPT_MSG_LEN];
    mb_receipt_message(&r, &CHAIN, m);
    ck_assert_int_eq(m[0], 0x19);
    ck_assert(memcmp(m + 1, "Spectrum MeshBox Receipt:\n", 26) == 0);
    uint8_t cid[32] = {0};
    cid[28] = 0x53, cid[29] = 0x50, cid[30] = 0x45, cid[31] = 0x43;
    ck_assert(memcmp(m + 27, cid, 32) == 0);
    ck_assert(memcmp(m + 59, r.provider.b, 20) == 0);
    ck_assert(memcmp(m + 79, r.client.b, 20) == 0);
    static const uint8_t ep[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    ck_assert(memcmp(m + 99, ep, 8) == 0);
    for (int i = 107; i < 137; i++)
        ck_assert_int_eq(m[i], 0);
    ck_assert_int_eq(m[137], 0x12);
    ck_assert_int_eq(m[138], 0x34);
    uint8_t h[32], want[32];
    mb_receipt_hash(&r, &CHAIN, h);
    keccak256(m, sizeof m, want);
    ck_assert(memcmp(h, want, 32) == 0);
}
END_TEST

START_TEST(receipt_check)
{
    struct mb_receipt r, bad;
    make_receipt(&r, "client", 7, 1000);
    ck_assert_int_eq(mb_receipt_verify(&r, &CHAIN), 0);
    ck_assert(r.sig[64] == 27 || r.sig[64] == 28);

    /* another amount, epoch, provider or chain: not the client's signature */
    bad = r;
    bad.units = u256_from_u64(1001);
    ck_assert_int_eq(mb_receipt_verify(&bad, &CHAIN), ERR_CRYPTO);
    bad = r;
    bad.epoch = 8;
    ck_assert_int_eq(mb_receipt_verify(&bad, &CHAIN), ERR_CRYPTO);
    bad = r;
    bad.provider.b[0] ^= 1;
    ck_assert_int_eq(mb_receipt_verify(&bad, &CHAIN), ERR_CRYPTO);
    u256 other = u256_from_u64(1);
    ck_assert_int_eq(mb_receipt_verify(&r, &other), ERR_CRYPTO);
    /* v of 0/1 and the high-s twin are refused (one encoding per receipt) */
    bad = r;
    bad.sig[64] = (uint8_t)(bad.sig[64] - 27);
    ck_assert_int_eq(mb_receipt_verify(&bad, &CHAIN), ERR_CRYPTO);
    static const uint8_t n[32] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
                                  0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b,
                                  0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41};
    bad = r;
    int borrow = 0;
    for (int i = 31; i >= 0; i--) {       /* s' = n - s, v flipped */
        int d = n[i] - r.sig[32 + i] - borrow;
        borrow = d < 0;
        bad.sig[32 + i] = (uint8_t)(d + (borrow ? 256 : 0));
    }
    bad.sig[64] = r.sig[64] == 27 ? 28 : 27;
    ck_assert_int_eq(mb_receipt_verify(&bad, &CHAIN), ERR_CRYPTO);
    /* self receipts and empty ones */
    bad = r;
    bad.client = bad.provider;
    ck_assert_int_eq(mb_receipt_verify(&bad, &CHAIN), ERR_INVAL);
    struct mb_receipt zero;
    make_receipt(&zero, "client", 7, 0);
    ck_assert_int_eq(mb_receipt_verify(&zero, &CHAIN), ERR_INVAL);
}
END_TEST

static void tmpdir(char *dir, size_t n)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, n, "%s/test_meshbox_node.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void rmdir_all(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

START_TEST(book_cumulative_and_durable)
{
    char dir[256];
    tmpdir(dir, sizeof dir);
    struct mb_book *b = NULL;
    ck_assert_int_eq(mb_book_open(dir, &b), 0);
    struct mb_receipt r1, r2, r3, other;
    make_receipt(&r1, "client", 3, 100);
    make_receipt(&r2, "client", 3, 250);
    make_receipt(&r3, "client", 3, 250);
    make_receipt(&other, "client2", 4, 5);
    bool replaced = true;
    ck_assert_int_eq(mb_book_put(b, &r1, &replaced), 0);
    ck_assert(!replaced);
    ck_assert_int_eq(mb_book_put(b, &r2, &replaced), 0);
    ck_assert(replaced);
    /* equal or fewer units: a replay */
    ck_assert_int_eq(mb_book_put(b, &r3, NULL), ERR_INVAL);
    ck_assert_int_eq(mb_book_put(b, &r1, NULL), ERR_INVAL);
    ck_assert_int_eq(mb_book_put(b, &other, NULL), 0);

    /* a verdict applies to the receipt it was decided for */
    struct mb_entry e;
    ck_assert_int_eq(mb_book_get(b, &r2.provider, &r2.client, 3, &e), 0);
    ck_assert_int_eq(e.status, MB_STORED);
    e.status = MB_SENT;
    e.tx.b[0] = 0xaa;
    e.sent_block = 42;
    ck_assert_int_eq(mb_book_mark(b, &e, 1), 0);
    struct mb_entry stale = e;
    stale.r.units = u256_from_u64(100);   /* decided for the older receipt */
    stale.status = MB_ACCEPTED;
    stale.accepted = u256_from_u64(100);
    ck_assert_int_eq(mb_book_mark(b, &stale, 1), 0);
    ck_assert_int_eq(mb_book_get(b, &r2.provider, &r2.client, 3, &e), 0);
    ck_assert_int_eq(e.status, MB_SENT);
    ck_assert_int_eq(e.sent_block, 42);
    ck_assert(u256_eq(&e.accepted, &stale.accepted)); /* the larger accepted is kept */
    mb_book_close(b);

    /* everything survives a reopen, listed by epoch */
    ck_assert_int_eq(mb_book_open(dir, &b), 0);
    struct mb_entry *list = NULL;
    size_t n = 0;
    ck_assert_int_eq(mb_book_list(b, &r1.provider, 0, 10, 100, &list, &n), 0);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(list[0].r.epoch, 3);
    ck_assert(u256_eq(&list[0].r.units, &r2.units));
    ck_assert(memcmp(list[0].r.sig, r2.sig, 65) == 0);
    ck_assert_int_eq(mb_receipt_verify(&list[0].r, &CHAIN), 0);
    ck_assert_uint_eq(list[1].r.epoch, 4);
    free(list);
    ck_assert_int_eq(mb_book_list(b, &r1.provider, 4, 4, 100, &list, &n), 0);
    ck_assert_uint_eq(n, 1);
    free(list);
    ck_assert_int_eq(mb_book_list(b, &r1.client, 0, 10, 100, &list, &n), 0);
    ck_assert_uint_eq(n, 0);
    mb_book_close(b);
    rmdir_all(dir);
}
END_TEST

/* Pruning deletes one provider's epochs before the bound, oldest first, at
 * most `max` at a time, and nothing else. */
START_TEST(book_prune_old_epochs)
{
    char dir[256];
    tmpdir(dir, sizeof dir);
    struct mb_book *b = NULL;
    ck_assert_int_eq(mb_book_open(dir, &b), 0);
    struct mb_receipt r;
    for (uint64_t ep = 1; ep <= 5; ep++) {
        make_receipt(&r, "client", ep, 10 * ep);
        ck_assert_int_eq(mb_book_put(b, &r, NULL), 0);
    }
    make_receipt(&r, "client2", 2, 7);
    ck_assert_int_eq(mb_book_put(b, &r, NULL), 0);
    /* another provider's epoch 1 */
    struct mb_receipt o = r;
    uint8_t psk[32], osk[32];
    key_of(psk, &o.provider, "provider2");
    o.epoch = 1;
    key_of(osk, &o.client, "client");
    ck_assert_int_eq(mb_receipt_sign(&o, &CHAIN, osk), 0);
    ck_assert_int_eq(mb_book_put(b, &o, NULL), 0);

    size_t gone = 99;
    ck_assert_int_eq(mb_book_prune(b, &r.provider, 3, 1, &gone), 0);
    ck_assert_uint_eq(gone, 1); /* epoch 1 first */
    struct mb_entry e;
    ck_assert_int_eq(mb_book_get(b, &r.provider, &r.client, 1, &e), ERR_NOTFOUND);
    ck_assert_int_eq(mb_book_get(b, &r.provider, &r.client, 2, &e), 0);
    ck_assert_int_eq(mb_book_prune(b, &r.provider, 3, 100, &gone), 0);
    ck_assert_uint_eq(gone, 2); /* both clients of epoch 2 */
    ck_assert_int_eq(mb_book_prune(b, &r.provider, 3, 100, &gone), 0);
    ck_assert_uint_eq(gone, 0);
    ck_assert_int_eq(mb_book_prune(b, &r.provider, 0, 100, &gone), 0);
    ck_assert_uint_eq(gone, 0);
    mb_book_close(b);

    /* durable; epochs 3-5 and the other provider's epoch 1 stay */
    ck_assert_int_eq(mb_book_open(dir, &b), 0);
    struct mb_entry *list = NULL;
    size_t n = 0;
    ck_assert_int_eq(mb_book_list(b, &r.provider, 0, 10, 100, &list, &n), 0);
    ck_assert_uint_eq(n, 3);
    ck_assert_uint_eq(list[0].r.epoch, 3);
    ck_assert_uint_eq(list[2].r.epoch, 5);
    free(list);
    ck_assert_int_eq(mb_book_get(b, &o.provider, &o.client, 1, &e), 0);
    mb_book_close(b);
    rmdir_all(dir);
}
END_TEST

START_TEST(book_damaged_record)
{
    char dir[256];
    tmpdir(dir, sizeof dir);
    struct mb_book *b = NULL;
    ck_assert_int_eq(mb_book_open(dir, &b), 0);
    struct mb_receipt r;
    make_receipt(&r, "client", 1, 9);
    ck_assert_int_eq(mb_book_put(b, &r, NULL), 0);
    mb_book_close(b);
    /* overwrite the record with garbage behind the book's back */
    struct db *db = NULL;
    ck_assert_int_eq(db_open(dir, NULL, &db), 0);
    uint8_t key[49];
    key[0] = 'r';
    memcpy(key + 1, r.provider.b, 20);
    memset(key + 21, 0, 8);
    key[28] = 1;
    memcpy(key + 29, r.client.b, 20);
    ck_assert_int_eq(db_put(db, key, sizeof key, "\xc3\x01\x02\x03", 4, true), 0);
    db_close(db);
    ck_assert_int_eq(mb_book_open(dir, &b), 0);
    struct mb_entry e;
    ck_assert_int_eq(mb_book_get(b, &r.provider, &r.client, 1, &e), ERR_DECODE);
    struct mb_entry *list = NULL;
    size_t n = 0;
    ck_assert_int_eq(mb_book_list(b, &r.provider, 0, 5, 10, &list, &n), ERR_DECODE);
    mb_book_close(b);
    rmdir_all(dir);
}
END_TEST

START_TEST(entry_value_round_trip)
{
    struct mb_entry e, back;
    memset(&e, 0, sizeof e);
    make_receipt(&e.r, "client", 2, 77);
    e.status = MB_REFUSED;
    e.reason = 5;
    e.accepted = u256_from_u64(12);
    memset(e.tx.b, 0x5a, 32);
    e.sent_block = 1234567;
    struct bytes enc = {0};
    ck_assert_int_eq(mb_entry_encode_value(&e, &enc), 0);
    memset(&back, 0, sizeof back);
    ck_assert_int_eq(mb_entry_decode_value(enc.data, enc.len, &back), 0);
    ck_assert(u256_eq(&back.r.units, &e.r.units));
    ck_assert(memcmp(back.r.sig, e.r.sig, 65) == 0);
    ck_assert_int_eq(back.status, MB_REFUSED);
    ck_assert_int_eq(back.reason, 5);
    ck_assert(u256_eq(&back.accepted, &e.accepted));
    ck_assert(hash32_eq(&back.tx, &e.tx));
    ck_assert_uint_eq(back.sent_block, 1234567);
    /* every truncation is refused */
    for (size_t i = 0; i < enc.len; i++)
        ck_assert_int_eq(mb_entry_decode_value(enc.data, i, &back), ERR_DECODE);
    bytes_free(&enc);
    ck_assert_str_eq(mb_status_name(MB_EXPIRED), "expired");
    ck_assert_str_eq(mb_reason_name(4), "replay");
    ck_assert_str_eq(mb_reason_name(0), "batch reverted");
}
END_TEST

/* The ABI layout of report(): selector, provider, epoch, five offsets,
 * then the five arrays. */
START_TEST(report_calldata_layout)
{
    struct mb_entry e[2];
    memset(e, 0, sizeof e);
    make_receipt(&e[0].r, "c1", 9, 10);
    make_receipt(&e[1].r, "c2", 9, 20);
    struct bytes d = {0};
    ck_assert_int_eq(mb_report_calldata(e, 2, &d), 0);
    ck_assert_uint_eq(d.len, 4 + 32 * (7 + 5 * 3));
    ck_assert(memcmp(d.data, MB_SEL_REPORT, 4) == 0);
    const uint8_t *w = d.data + 4;
    ck_assert(memcmp(w + 12, e[0].r.provider.b, 20) == 0);
    ck_assert_int_eq(w[63], 9);
    for (int k = 0; k < 5; k++)
        ck_assert_int_eq(w[(2 + k) * 32 + 31], (7 + k * 3) * 32 % 256);
    const uint8_t *arr = w + 7 * 32;
    ck_assert_int_eq(arr[31], 2);
    ck_assert(memcmp(arr + 32 + 12, e[0].r.client.b, 20) == 0);
    ck_assert(memcmp(arr + 64 + 12, e[1].r.client.b, 20) == 0);
    ck_assert_int_eq(arr[3 * 32 + 32 + 31], 10);                 /* units[0] */
    ck_assert(memcmp(arr + 6 * 32 + 32, e[0].r.sig, 32) == 0);   /* r[0] */
    ck_assert(memcmp(arr + 9 * 32 + 64, e[1].r.sig + 32, 32) == 0); /* s[1] */
    ck_assert_int_eq(arr[12 * 32 + 32 + 31], e[0].r.sig[64]);    /* v[0] */
    bytes_free(&d);
    /* one provider and epoch per batch; 1..100 receipts */
    e[1].r.epoch = 10;
    ck_assert_int_eq(mb_report_calldata(e, 2, &d), ERR_INVAL);
    ck_assert_int_eq(mb_report_calldata(e, 0, &d), ERR_INVAL);
    ck_assert_int_eq(mb_report_calldata(e, MB_REPORT_BATCH_MAX + 1, &d), ERR_INVAL);
    bytes_free(&d);
}
END_TEST

static void put_log(struct log *l, const struct address *at, const uint8_t topic[32],
                    const struct mb_receipt *r, uint64_t third)
{
    memset(l, 0, sizeof *l);
    l->address = *at;
    l->topic_count = 3;
    l->topics = calloc(3, sizeof *l->topics);
    memcpy(l->topics[0].b, topic, 32);
    memcpy(l->topics[1].b + 12, r->provider.b, 20);
    memcpy(l->topics[2].b + 12, r->client.b, 20);
    l->data_len = 96;
    l->data = calloc(1, 96);
    l->data[31] = (uint8_t)r->epoch;
    u256_to_be(&r->units, l->data + 32);
    l->data[95] = (uint8_t)third;
}

START_TEST(verdicts_from_logs)
{
    struct address reg = {{0x53}};
    struct mb_entry e[3];
    memset(e, 0, sizeof e);
    make_receipt(&e[0].r, "c1", 9, 10);
    make_receipt(&e[1].r, "c2", 9, 20);
    make_receipt(&e[2].r, "c3", 9, 30);
    for (int i = 0; i < 3; i++)
        e[i].status = MB_SENT;
    struct log logs[4];
    put_log(&logs[0], &reg, MB_TOPIC_RECEIPT_ACCEPTED, &e[0].r, 10);
    put_log(&logs[1], &reg, MB_TOPIC_RECEIPT_REFUSED, &e[1].r, 5);
    struct address elsewhere = {{0x99}};
    put_log(&logs[2], &elsewhere, MB_TOPIC_RECEIPT_ACCEPTED, &e[2].r, 30); /* another contract */
    struct mb_receipt older = e[2].r;
    older.units = u256_from_u64(29);
    put_log(&logs[3], &reg, MB_TOPIC_RECEIPT_ACCEPTED, &older, 29);        /* other units */
    size_t decided = 0;
    mb_report_apply_logs(&reg, true, logs, 4, e, 3, &decided);
    ck_assert_uint_eq(decided, 2);
    ck_assert_int_eq(e[0].status, MB_ACCEPTED);
    ck_assert(u256_eq(&e[0].accepted, &e[0].r.units));
    ck_assert_int_eq(e[1].status, MB_REFUSED);
    ck_assert_int_eq(e[1].reason, 5);
    ck_assert_int_eq(e[2].status, MB_SENT);
    /* a reverted batch refuses every receipt with reason 0 */
    mb_report_apply_logs(&reg, false, NULL, 0, e + 2, 1, &decided);
    ck_assert_uint_eq(decided, 1);
    ck_assert_int_eq(e[2].status, MB_REFUSED);
    ck_assert_int_eq(e[2].reason, 0);
    for (int i = 0; i < 4; i++) {
        free(logs[i].topics);
        free(logs[i].data);
    }
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("meshbox_node");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, receipt_message_layout);
    tcase_add_test(tc, receipt_check);
    tcase_add_test(tc, book_cumulative_and_durable);
    tcase_add_test(tc, book_prune_old_epochs);
    tcase_add_test(tc, book_damaged_record);
    tcase_add_test(tc, entry_value_round_trip);
    tcase_add_test(tc, report_calldata_layout);
    tcase_add_test(tc, verdicts_from_logs);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    if (ecdsa_init() != 0)
        return EXIT_FAILURE;
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
