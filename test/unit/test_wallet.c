/*
 * test_wallet.c — the wallet as a user meets it: accounts created or
 * imported land in geth-named 0600 files that decrypt with the passphrase;
 * the directory lists the same accounts after a restart and skips files that
 * are not keys; nothing signs until unlocked, a timed unlock ends on time,
 * and signed transactions recover to the account with EIP-155 for the
 * requested chain. Also: a geth-era key file from ethereum-tests'
 * KeyStoreTests unlocks (interop), and concurrent signers and lockers do
 * not race.
 *
 * Scrypt runs with geth's "light" cost (a few tens of ms per file).
 * Fixture: ../shared/ethereum-tests/KeyStoreTests (the interop case is left
 * out with a loud message when absent; fails in CI, as fixtures.h rules).
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../conformance/fixtures.h"
#include "crypto/ecdsa.h"
#include "crypto/keccak.h"
#include "crypto/keystore.h"
#include "primitives/tx.h"
#include "util/err.h"
#include "util/hex.h"
#include "wallet/wallet.h"

/* A fresh temporary directory; the keystore is <tmp>/keystore (absent, so
 * wallet_open must create it). */
static char tmpdir[256];
static char ksdir[300];

static void make_dirs(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/test_wallet.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    snprintf(ksdir, sizeof ksdir, "%s/keystore", tmpdir);
}

static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        char p[1024];
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        struct stat st;
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
            remove_tree(p);
        else
            unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

static void cleanup(void)
{
    remove_tree(tmpdir);
}

static struct wallet *open_wallet(void)
{
    struct wallet *w = NULL;
    ck_assert_msg(wallet_open(ksdir, &w) == 0, "wallet_open: %s", err_msg());
    ck_assert_ptr_nonnull(w);
    return w;
}

/* The one file in ksdir whose name does not start with '.'; its name in
 * name (cap bytes). Fails when there is not exactly one. */
static void only_file(char *name, size_t cap)
{
    DIR *d = opendir(ksdir);
    ck_assert_ptr_nonnull(d);
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        ck_assert_uint_lt(strlen(de->d_name), cap);
        strcpy(name, de->d_name);
        n++;
    }
    closedir(d);
    ck_assert_int_eq(n, 1);
}

static int count_files(void)
{
    DIR *d = opendir(ksdir);
    ck_assert_ptr_nonnull(d);
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL)
        if (de->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

static void address_of(const uint8_t sk[32], struct address *a)
{
    uint8_t pub[64];
    ck_assert_int_eq(ecdsa_pubkey(sk, pub), 0);
    ecdsa_pub_to_address(pub, a->b);
}

static char *read_text(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    static char buf[KEYSTORE_MAX_JSON];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    char *out = malloc(n + 1);
    ck_assert_ptr_nonnull(out);
    memcpy(out, buf, n);
    out[n] = 0;
    *len = n;
    return out;
}

/* sk = 1: its address is a well-known vector
 * (0x7e5f4552091a69125d5dfcb7b8c2659029395bdf). */
static void key_one(uint8_t sk[32])
{
    memset(sk, 0, 32);
    sk[31] = 1;
}

START_TEST(new_account_writes_a_0600_geth_file_that_decrypts)
{
    make_dirs();
    struct wallet *w = open_wallet();
    struct stat st;
    ck_assert_int_eq(stat(ksdir, &st), 0);
    ck_assert(S_ISDIR(st.st_mode));
    ck_assert_int_eq(st.st_mode & 0777, 0700);

    struct address a;
    time_t before = time(NULL);
    ck_assert_msg(wallet_new_account(w, "correct horse", WALLET_KDF_LIGHT, &a) == 0, "%s", err_msg());
    ck_assert(wallet_has(w, &a));
    struct address list[4];
    ck_assert_uint_eq(wallet_accounts(w, list, 4), 1);
    ck_assert(address_eq(&list[0], &a));
    ck_assert(!wallet_is_unlocked(w, &a));

    /* UTC--YYYY-MM-DDTHH-MM-SS.nnnnnnnnnZ--<address>, mode 0600. */
    char name[256], path[600];
    only_file(name, sizeof name);
    int y, mo, d, h, mi, s;
    long ns;
    char hex[64];
    ck_assert_msg(sscanf(name, "UTC--%4d-%2d-%2dT%2d-%2d-%2d.%9ldZ--%40s", &y, &mo, &d, &h, &mi, &s,
                         &ns, hex) == 8,
                  "file name %s", name);
    ck_assert_uint_eq(strlen(name), strlen("UTC--2006-01-02T15-04-05.000000000Z--") + 40);
    ck_assert(strchr(name, ':') == NULL);
    char want_hex[41];
    hex_encode(want_hex, a.b, 20);
    ck_assert_str_eq(hex, want_hex);
    struct tm tm;
    gmtime_r(&before, &tm);
    ck_assert_int_eq(y, tm.tm_year + 1900);
    snprintf(path, sizeof path, "%s/%s", ksdir, name);
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert(S_ISREG(st.st_mode));
    ck_assert_int_eq(st.st_mode & 0777, 0600);

    /* The file is keystore V3 for that address, and the passphrase opens it. */
    size_t len;
    char *text = read_text(path, &len);
    uint8_t fa[20], sk[32];
    ck_assert_int_eq(keystore_address(text, len, fa), 0);
    ck_assert_mem_eq(fa, a.b, 20);
    ck_assert_int_eq(keystore_decrypt(text, len, "wrong", 5, sk), ERR_CRYPTO);
    ck_assert_msg(keystore_decrypt(text, len, "correct horse", 13, sk) == 0, "%s", err_msg());
    json_error_t je;
    json_t *root = json_loads(text, 0, &je);
    ck_assert_ptr_nonnull(root);
    json_t *kp = json_object_get(json_object_get(root, "crypto"), "kdfparams");
    /* geth's light cost: n = 4096, r = 8, p = 6. */
    ck_assert_int_eq(json_integer_value(json_object_get(kp, "n")), 4096);
    ck_assert_int_eq(json_integer_value(json_object_get(kp, "r")), 8);
    ck_assert_int_eq(json_integer_value(json_object_get(kp, "p")), 6);
    json_decref(root);
    free(text);
    struct address got;
    address_of(sk, &got);
    ck_assert(address_eq(&got, &a));

    /* And the wallet itself unlocks it. */
    ck_assert_msg(wallet_unlock(w, &a, "correct horse", 0) == 0, "%s", err_msg());
    ck_assert(wallet_is_unlocked(w, &a));
    wallet_free(w);
    cleanup();
}
END_TEST

START_TEST(import_gives_the_key_address_and_refuses_duplicates)
{
    make_dirs();
    struct wallet *w = open_wallet();
    uint8_t sk[32];
    key_one(sk);
    struct address a, want;
    ck_assert_int_eq(address_from_hex(&want, "0x7e5f4552091a69125d5dfcb7b8c2659029395bdf", 42), 0);
    ck_assert_msg(wallet_import_key(w, sk, "pw", WALLET_KDF_LIGHT, &a) == 0, "%s", err_msg());
    ck_assert(address_eq(&a, &want));
    ck_assert(wallet_has(w, &want));

    /* The same key again, even with another passphrase: refused, no file. */
    ck_assert_int_eq(wallet_import_key(w, sk, "other", WALLET_KDF_LIGHT, NULL), ERR_INVAL);
    ck_assert_msg(strstr(err_msg(), "already exists") != NULL, "%s", err_msg());
    ck_assert_int_eq(count_files(), 1);
    struct address list[4];
    ck_assert_uint_eq(wallet_accounts(w, list, 4), 1);

    /* Invalid secret keys: zero and the group order n. */
    uint8_t bad[32] = {0};
    ck_assert_int_eq(wallet_import_key(w, bad, "pw", WALLET_KDF_LIGHT, NULL), ERR_INVAL);
    static const char *order = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141";
    ck_assert_int_eq(hex_decode_exact(order, 64, bad, 32), 0);
    ck_assert_int_eq(wallet_import_key(w, bad, "pw", WALLET_KDF_LIGHT, NULL), ERR_INVAL);
    ck_assert_int_eq(count_files(), 1);

    /* The imported file unlocks with its passphrase. */
    ck_assert_msg(wallet_unlock(w, &a, "pw", 0) == 0, "%s", err_msg());
    wallet_free(w);
    cleanup();
}
END_TEST

START_TEST(reopen_lists_the_same_accounts_in_file_order)
{
    make_dirs();
    struct wallet *w = open_wallet();
    struct address a[3];
    uint8_t sk[32];
    key_one(sk);
    ck_assert_int_eq(wallet_new_account(w, "p0", WALLET_KDF_LIGHT, &a[0]), 0);
    ck_assert_int_eq(wallet_import_key(w, sk, "p1", WALLET_KDF_LIGHT, &a[1]), 0);
    ck_assert_int_eq(wallet_new_account(w, "p2", WALLET_KDF_LIGHT, &a[2]), 0);
    struct address before[4];
    ck_assert_uint_eq(wallet_accounts(w, before, 4), 3);
    /* Oldest first: creation order. */
    for (int i = 0; i < 3; i++)
        ck_assert(address_eq(&before[i], &a[i]));
    /* A short buffer gets the first ones and the full count. */
    struct address one[1];
    ck_assert_uint_eq(wallet_accounts(w, one, 1), 3);
    ck_assert(address_eq(&one[0], &a[0]));
    ck_assert_int_eq(wallet_unlock(w, &a[1], "p1", 0), 0);
    wallet_free(w);

    w = open_wallet();
    struct address after[4];
    ck_assert_uint_eq(wallet_accounts(w, after, 4), 3);
    for (int i = 0; i < 3; i++) {
        ck_assert(address_eq(&after[i], &a[i]));
        ck_assert(wallet_has(w, &a[i]));
        /* An unlock does not survive a restart. */
        ck_assert(!wallet_is_unlocked(w, &a[i]));
    }
    ck_assert_int_eq(wallet_unlock(w, &a[2], "p2", 0), 0);
    wallet_free(w);
    cleanup();
}
END_TEST

START_TEST(wrong_passphrase_and_unknown_account_are_refused)
{
    make_dirs();
    struct wallet *w = open_wallet();
    struct address a, other;
    ck_assert_int_eq(wallet_new_account(w, "right", WALLET_KDF_LIGHT, &a), 0);
    ck_assert_int_eq(wallet_unlock(w, &a, "wrong", 0), ERR_INVAL);
    ck_assert_str_eq(err_msg(), "could not decrypt key with given password");
    ck_assert(!wallet_is_unlocked(w, &a));
    ck_assert_int_eq(wallet_unlock(w, &a, "", 0), ERR_INVAL);
    ck_assert_int_eq(wallet_unlock(w, &a, NULL, 0), ERR_INVAL);
    ck_assert(!wallet_is_unlocked(w, &a));

    memset(other.b, 0x42, 20);
    ck_assert_int_eq(wallet_unlock(w, &other, "right", 0), ERR_NOTFOUND);
    ck_assert_int_eq(wallet_lock(w, &other), ERR_NOTFOUND);
    ck_assert(!wallet_has(w, &other));
    ck_assert(!wallet_is_unlocked(w, &other));

    /* A file whose "address" field lies about its key is refused at unlock. */
    uint8_t sk[32];
    key_one(sk);
    struct address imported;
    ck_assert_int_eq(wallet_import_key(w, sk, "pw", WALLET_KDF_LIGHT, &imported), 0);
    wallet_free(w);

    char name[256], path[600];
    DIR *d = opendir(ksdir);
    struct dirent *de;
    char hex[41];
    hex_encode(hex, imported.b, 20);
    while ((de = readdir(d)) != NULL)
        if (strstr(de->d_name, hex))
            strcpy(name, de->d_name);
    closedir(d);
    snprintf(path, sizeof path, "%s/%s", ksdir, name);
    size_t len;
    char *text = read_text(path, &len);
    json_error_t je;
    json_t *root = json_loads(text, 0, &je);
    free(text);
    ck_assert_ptr_nonnull(root);
    json_object_set_new(root, "address", json_string("4242424242424242424242424242424242424242"));
    char liar[600];
    snprintf(liar, sizeof liar, "%s/UTC--2020-01-01T00-00-00.000000000Z--4242424242424242424242424242424242424242", ksdir);
    ck_assert_int_eq(json_dump_file(root, liar, JSON_COMPACT), 0);
    json_decref(root);
    w = open_wallet();
    ck_assert(wallet_has(w, &other));
    ck_assert_int_eq(wallet_unlock(w, &other, "pw", 0), ERR_INVAL);
    ck_assert_msg(strstr(err_msg(), "key content mismatch") != NULL, "%s", err_msg());
    ck_assert(!wallet_is_unlocked(w, &other));
    wallet_free(w);
    cleanup();
}
END_TEST

static void make_tx(struct tx *tx)
{
    memset(tx, 0, sizeof *tx);
    tx->nonce = 7;
    tx->gas_price = u256_from_u64(18000000000ull);
    tx->gas = 21000;
    tx->has_to = true;
    memset(tx->to.b, 0x11, 20);
    tx->value = u256_from_u64(1000);
}

START_TEST(signing_needs_an_unlock)
{
    make_dirs();
    struct wallet *w = open_wallet();
    struct address a;
    ck_assert_int_eq(wallet_new_account(w, "pw", WALLET_KDF_LIGHT, &a), 0);
    struct tx tx;
    make_tx(&tx);
    uint8_t hash[32], sig[65];
    keccak256("message", 7, hash);

    ck_assert_int_eq(wallet_sign_tx(w, &a, &tx, 1), ERR_BADSTATE);
    ck_assert_str_eq(err_msg(), "authentication needed: password or unlock");
    ck_assert_int_eq(wallet_sign_hash(w, &a, hash, sig), ERR_BADSTATE);
    ck_assert_str_eq(err_msg(), "authentication needed: password or unlock");
    /* A failed unlock leaves it locked. */
    ck_assert_int_eq(wallet_unlock(w, &a, "nope", 0), ERR_INVAL);
    ck_assert_int_eq(wallet_sign_tx(w, &a, &tx, 1), ERR_BADSTATE);

    ck_assert_int_eq(wallet_unlock(w, &a, "pw", 0), 0);
    ck_assert_msg(wallet_sign_tx(w, &a, &tx, 1) == 0, "%s", err_msg());
    ck_assert_int_eq(wallet_sign_hash(w, &a, hash, sig), 0);
    /* eth_sign form: V in {27, 28}, and it recovers to the account. */
    ck_assert(sig[64] == 27 || sig[64] == 28);
    uint8_t rsig[65], addr[20];
    memcpy(rsig, sig, 65);
    rsig[64] -= 27;
    ck_assert_int_eq(ecdsa_recover_address(hash, rsig, addr), 0);
    ck_assert_mem_eq(addr, a.b, 20);

    ck_assert_int_eq(wallet_lock(w, &a), 0);
    ck_assert(!wallet_is_unlocked(w, &a));
    ck_assert_int_eq(wallet_sign_tx(w, &a, &tx, 1), ERR_BADSTATE);
    ck_assert_int_eq(wallet_sign_hash(w, &a, hash, sig), ERR_BADSTATE);
    /* Locking a locked account is fine; an unknown one is not found. */
    ck_assert_int_eq(wallet_lock(w, &a), 0);
    struct address nobody;
    memset(nobody.b, 0x99, 20);
    ck_assert_int_eq(wallet_sign_tx(w, &nobody, &tx, 1), ERR_NOTFOUND);
    ck_assert_int_eq(wallet_sign_hash(w, &nobody, hash, sig), ERR_NOTFOUND);
    tx_free(&tx);
    wallet_free(w);
    cleanup();
}
END_TEST

START_TEST(sign_tx_recovers_to_the_account_with_eip155)
{
    make_dirs();
    struct wallet *w = open_wallet();
    struct address a;
    ck_assert_int_eq(wallet_new_account(w, "pw", WALLET_KDF_LIGHT, &a), 0);
    ck_assert_int_eq(wallet_unlock(w, &a, "pw", 0), 0);

    const uint64_t chain_id = 20180430;
    struct tx tx;
    make_tx(&tx);
    ck_assert_int_eq(wallet_sign_tx(w, &a, &tx, chain_id), 0);
    /* v = chainId*2 + 35 or 36. */
    bool protected_ = false;
    u256 cid;
    ck_assert_int_eq(tx_chain_id(&tx, &protected_, &cid), 0);
    ck_assert(protected_);
    ck_assert(u256_fits_u64(&cid) && u256_fits_u64(&tx.v));
    ck_assert_uint_eq(cid.w[0], chain_id);
    uint64_t v = tx.v.w[0];
    ck_assert(v == chain_id * 2 + 35 || v == chain_id * 2 + 36);

    /* Through the wire form: decode(encode) recovers the account. */
    struct bytes raw = BYTES_INIT;
    ck_assert_int_eq(tx_encode(&tx, &raw), 0);
    struct tx back;
    ck_assert_int_eq(tx_decode(raw.data, raw.len, &back), 0);
    struct tx_rules rules = {.homestead = true, .eip155 = true, .chain_id = chain_id};
    struct address sender;
    ck_assert_int_eq(tx_sender(&back, &rules, &sender), 0);
    ck_assert(address_eq(&sender, &a));
    /* Another chain refuses it. */
    rules.chain_id = chain_id + 1;
    ck_assert_int_eq(tx_sender(&back, &rules, &sender), ERR_INVAL);
    tx_free(&back);
    bytes_free(&raw);

    /* chain id 0: unprotected (v 27/28), still the account. */
    ck_assert_int_eq(wallet_sign_tx(w, &a, &tx, 0), 0);
    ck_assert(u256_fits_u64(&tx.v));
    v = tx.v.w[0];
    ck_assert(v == 27 || v == 28);
    rules = (struct tx_rules){.homestead = true, .eip155 = false};
    ck_assert_int_eq(tx_sender(&tx, &rules, &sender), 0);
    ck_assert(address_eq(&sender, &a));
    tx_free(&tx);
    wallet_free(w);
    cleanup();
}
END_TEST

START_TEST(timed_unlock_expires)
{
    make_dirs();
    struct wallet *w = open_wallet();
    struct address a, b;
    ck_assert_int_eq(wallet_new_account(w, "pw", WALLET_KDF_LIGHT, &a), 0);
    ck_assert_int_eq(wallet_new_account(w, "pw", WALLET_KDF_LIGHT, &b), 0);
    ck_assert_int_eq(wallet_unlock(w, &a, "pw", 1), 0);
    ck_assert_int_eq(wallet_unlock(w, &b, "pw", 0), 0);
    ck_assert(wallet_is_unlocked(w, &a));
    struct tx tx;
    make_tx(&tx);
    ck_assert_int_eq(wallet_sign_tx(w, &a, &tx, 1), 0);

    struct timespec nap = {1, 100000000L};
    while (nanosleep(&nap, &nap) != 0 && errno == EINTR)
        ;
    ck_assert(!wallet_is_unlocked(w, &a));
    ck_assert_int_eq(wallet_sign_tx(w, &a, &tx, 1), ERR_BADSTATE);
    /* The untimed unlock of b is unaffected. */
    ck_assert(wallet_is_unlocked(w, &b));
    ck_assert_int_eq(wallet_sign_tx(w, &b, &tx, 1), 0);

    /* A new timed unlock replaces an untimed one (geth's rule). */
    ck_assert_int_eq(wallet_unlock(w, &b, "pw", 1), 0);
    nap = (struct timespec){1, 100000000L};
    while (nanosleep(&nap, &nap) != 0 && errno == EINTR)
        ;
    ck_assert(!wallet_is_unlocked(w, &b));
    tx_free(&tx);
    wallet_free(w);
    cleanup();
}
END_TEST

static void write_file(const char *name, const char *text)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s", ksdir, name);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

START_TEST(files_that_are_not_keys_are_skipped)
{
    make_dirs();
    struct wallet *w = open_wallet();
    struct address a;
    ck_assert_int_eq(wallet_new_account(w, "pw", WALLET_KDF_LIGHT, &a), 0);
    wallet_free(w);

    write_file("garbage", "this is not json \x01\x02");
    write_file("UTC--2019-01-01T00-00-00.000000000Z--0000000000000000000000000000000000000001", "{}");
    write_file("no-address.json", "{\"version\":3,\"crypto\":{}}");
    write_file("bad-address.json", "{\"address\":\"xyz\",\"version\":3}");
    write_file("empty", "");
    write_file(".hidden", "{\"address\":\"1111111111111111111111111111111111111111\"}");
    write_file("backup~", "{\"address\":\"2222222222222222222222222222222222222222\"}");
    char sub[600];
    snprintf(sub, sizeof sub, "%s/a-directory", ksdir);
    ck_assert_int_eq(mkdir(sub, 0700), 0);
    /* An oversized file is refused before it is parsed. */
    char *big = malloc(KEYSTORE_MAX_JSON + 10);
    ck_assert_ptr_nonnull(big);
    memset(big, ' ', KEYSTORE_MAX_JSON + 9);
    big[KEYSTORE_MAX_JSON + 9] = 0;
    memcpy(big, "{\"address\":\"3333333333333333333333333333333333333333\"", 53);
    big[KEYSTORE_MAX_JSON + 8] = '}';
    write_file("huge", big);
    free(big);

    w = open_wallet();
    struct address list[8];
    ck_assert_uint_eq(wallet_accounts(w, list, 8), 1);
    ck_assert(address_eq(&list[0], &a));
    ck_assert_int_eq(wallet_unlock(w, &a, "pw", 0), 0);
    wallet_free(w);
    cleanup();
}
END_TEST

/* Signers and a locker racing on one account: every signature either
 * succeeds and recovers to the account, or is refused as locked; both
 * happen while the locker cycles. */
struct race {
    struct wallet *w;
    struct address a;
    int stop;
    int signed_ok;
    int refused;
    int bad;
};

static void *race_signer(void *arg)
{
    struct race *r = arg;
    for (uint32_t i = 0; !__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE); i++) {
        uint8_t hash[32], sig[65], addr[20];
        keccak256(&i, sizeof i, hash);
        int rc = wallet_sign_hash(r->w, &r->a, hash, sig);
        if (rc == ERR_BADSTATE) {
            __atomic_add_fetch(&r->refused, 1, __ATOMIC_RELAXED);
            continue;
        }
        sig[64] -= 27;
        if (rc == 0 && ecdsa_recover_address(hash, sig, addr) == 0 && !memcmp(addr, r->a.b, 20))
            __atomic_add_fetch(&r->signed_ok, 1, __ATOMIC_RELAXED);
        else
            __atomic_add_fetch(&r->bad, 1, __ATOMIC_RELAXED);
    }
    return NULL;
}

/* Waits (up to 20 s) until r->signed_ok exceeds `than`. */
static void wait_signed(struct race *r, int than)
{
    for (int i = 0; i < 2000 && __atomic_load_n(&r->signed_ok, __ATOMIC_RELAXED) <= than; i++)
        usleep(10000);
    ck_assert_int_gt(__atomic_load_n(&r->signed_ok, __ATOMIC_RELAXED), than);
}

START_TEST(concurrent_signers_and_lockers)
{
    make_dirs();
    struct race r = {0};
    r.w = open_wallet();
    ck_assert_int_eq(wallet_new_account(r.w, "pw", WALLET_KDF_LIGHT, &r.a), 0);
    ck_assert_int_eq(wallet_unlock(r.w, &r.a, "pw", 0), 0);
    pthread_t t[3];
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(pthread_create(&t[i], NULL, race_signer, &r), 0);
    for (int i = 0; i < 3; i++) {
        wait_signed(&r, __atomic_load_n(&r.signed_ok, __ATOMIC_RELAXED));
        ck_assert_int_eq(wallet_lock(r.w, &r.a), 0);
        ck_assert_int_eq(wallet_unlock(r.w, &r.a, "pw", 0), 0);
    }
    wait_signed(&r, __atomic_load_n(&r.signed_ok, __ATOMIC_RELAXED));
    __atomic_store_n(&r.stop, 1, __ATOMIC_RELEASE);
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
    ck_assert_int_eq(r.bad, 0);
    /* Locked during each unlock's scrypt: signers were refused then. */
    ck_assert_int_gt(r.refused, 0);
    wallet_free(r.w);
    cleanup();
}
END_TEST

/* ethereum-tests KeyStoreTests "mycrypto": a scrypt file (n = 8192) written
 * by another wallet, with an address field; copied into a keystore under
 * geth's name, it must list, unlock with its password and sign as its key. */
START_TEST(interop_ethereum_tests_keystore)
{
    char *path = fixtures_path("ethereum-tests/KeyStoreTests/basic_tests.json");
    json_t *root = fixtures_load(path);
    free(path);
    ck_assert_ptr_nonnull(root);
    json_t *t = json_object_get(root, "mycrypto");
    ck_assert_ptr_nonnull(t);
    const char *pw = json_string_value(json_object_get(t, "password"));
    const char *priv = json_string_value(json_object_get(t, "priv"));
    const char *addr_hex = json_string_value(json_object_get(json_object_get(t, "json"), "address"));
    ck_assert(pw && priv && addr_hex);

    make_dirs();
    ck_assert_int_eq(mkdir(ksdir, 0700), 0);
    char name[200], file[600];
    snprintf(name, sizeof name, "UTC--2018-01-01T00-00-00.000000000Z--%s", addr_hex);
    snprintf(file, sizeof file, "%s/%s", ksdir, name);
    ck_assert_int_eq(json_dump_file(json_object_get(t, "json"), file, JSON_COMPACT), 0);

    struct address want;
    ck_assert_int_eq(address_from_hex(&want, addr_hex, strlen(addr_hex)), 0);
    struct wallet *w = open_wallet();
    ck_assert(wallet_has(w, &want));
    ck_assert_int_eq(wallet_unlock(w, &want, "not it", 0), ERR_INVAL);
    ck_assert_msg(wallet_unlock(w, &want, pw, 0) == 0, "%s", err_msg());

    /* The unlocked key is the fixture's "priv": its signature recovers to
     * the address that priv derives. */
    uint8_t sk[32];
    ck_assert_int_eq(hex_decode_exact(priv, strlen(priv), sk, 32), 0);
    struct address from_priv;
    address_of(sk, &from_priv);
    ck_assert(address_eq(&from_priv, &want));
    struct tx tx;
    make_tx(&tx);
    ck_assert_int_eq(wallet_sign_tx(w, &want, &tx, 8), 0);
    struct tx_rules rules = {.homestead = true, .eip155 = true, .chain_id = 8};
    struct address sender;
    ck_assert_int_eq(tx_sender(&tx, &rules, &sender), 0);
    ck_assert(address_eq(&sender, &want));
    /* Deterministic (RFC 6979): the fixture's key signs the same bytes. */
    struct tx tx2;
    make_tx(&tx2);
    ck_assert_int_eq(tx_sign(&tx2, sk, 8), 0);
    ck_assert_mem_eq(tx.r, tx2.r, 32);
    ck_assert_mem_eq(tx.s, tx2.s, 32);
    tx_free(&tx);
    tx_free(&tx2);
    wallet_free(w);
    json_decref(root);
    cleanup();
}
END_TEST

/* Whether the KeyStoreTests fixture is present, by fixtures.h's rule, asked
 * in a child so its exit (77 skip, 1 in CI) does not end this program:
 * returns 1 present, 0 absent (skip), -1 absent in CI (fail). */
static int keystore_fixture_present(void)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        free(fixtures_path("ethereum-tests/KeyStoreTests/basic_tests.json"));
        _exit(0);
    }
    int st = 0;
    if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
        return -1;
    return WEXITSTATUS(st) == 0 ? 1 : WEXITSTATUS(st) == 77 ? 0 : -1;
}

int main(void)
{
    int fixture = keystore_fixture_present();
    Suite *s = suite_create("wallet");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, new_account_writes_a_0600_geth_file_that_decrypts);
    tcase_add_test(tc, import_gives_the_key_address_and_refuses_duplicates);
    tcase_add_test(tc, reopen_lists_the_same_accounts_in_file_order);
    tcase_add_test(tc, wrong_passphrase_and_unknown_account_are_refused);
    tcase_add_test(tc, signing_needs_an_unlock);
    tcase_add_test(tc, sign_tx_recovers_to_the_account_with_eip155);
    tcase_add_test(tc, timed_unlock_expires);
    tcase_add_test(tc, files_that_are_not_keys_are_skipped);
    tcase_add_test(tc, concurrent_signers_and_lockers);
    if (fixture == 1)
        tcase_add_test(tc, interop_ethereum_tests_keystore);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    if (fixture < 0)
        return EXIT_FAILURE;
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
