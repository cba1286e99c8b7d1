/*
 * wallet.c — the set of accounts of a keystore directory and their
 * unlocked keys (see wallet.h).
 *
 * Shape:
 *  - One mutex guards the account list and the unlocked keys. The slow
 *    parts — scrypt when a file is written or decrypted, and disk I/O — run
 *    with the mutex released, so an unlock taking a second never stalls a
 *    signer or eth_accounts; the list is looked up again afterwards, by
 *    address (never by a pointer kept across the unlocked section).
 *  - An unlocked key lives in its own 32-byte allocation, not inside the
 *    account array, so growing the array (realloc) never leaves a copy of a
 *    key behind in freed memory. Keys are wiped with OPENSSL_cleanse before
 *    being freed, and so are the stack copies made while decrypting.
 *  - Timed unlocks expire on time even when nobody calls the wallet: a small
 *    reaper thread sleeps (CLOCK_MONOTONIC, so wall-clock jumps do not
 *    matter) until the earliest expiry and wipes what is due. Every access
 *    also checks expiry itself, so an expired key is never used even if the
 *    reaper is late.
 *  - The list is read from the directory once, at open, and updated by
 *    new_account/import; files are re-read only to decrypt them.
 *  - Nothing here logs or formats key material or passphrases; error
 *    contexts name files and addresses only.
 */
#include "wallet/wallet.h"

#include "crypto/ecdsa.h"
#include "crypto/keystore.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/thread_name.h"
#include "wallet/keydir.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>


#define AUTH_NEEDED "authentication needed: password or unlock"
#define BAD_PASSWORD "could not decrypt key with given password"

/* Longest wait of the reaper before it looks again (bounds the timespec
 * arithmetic; expiries further away are simply re-checked). */
#define REAPER_MAX_WAIT_MS (3600u * 1000u)

struct entry {
    struct address addr;
    char *name;          /* file name in the directory (owned) */
    uint8_t *sk;         /* 32 bytes while unlocked, else NULL (owned, wiped) */
    uint64_t expires_ms; /* monotonic deadline; 0 = until locked */
};

struct wallet {
    pthread_mutex_t mu;
    pthread_cond_t cv;   /* wakes the reaper: new timed unlock, or stop */
    pthread_t reaper;
    bool stopping;
    char dir[FS_PATH_MAX];
    struct entry *v;     /* sorted by name */
    size_t n, cap;
};

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void wipe_key(struct entry *e)
{
    if (e->sk) {
        OPENSSL_cleanse(e->sk, 32);
        free(e->sk);
        e->sk = NULL;
    }
    e->expires_ms = 0;
}

/* With w->mu held: wipes the key of e when its time is up. */
static void expire(struct entry *e, uint64_t now)
{
    if (e->sk && e->expires_ms != 0 && now >= e->expires_ms)
        wipe_key(e);
}

/* With w->mu held. */
static struct entry *find(struct wallet *w, const struct address *a)
{
    for (size_t i = 0; i < w->n; i++)
        if (address_eq(&w->v[i].addr, a))
            return &w->v[i];
    return NULL;
}

/* With w->mu held: adds an account, keeping the array sorted by name.
 * Takes ownership of name on success. */
static int add_entry(struct wallet *w, const struct address *a, char *name)
{
    if (w->n == w->cap) {
        size_t ncap = w->cap ? 2 * w->cap : 8;
        struct entry *nv = realloc(w->v, ncap * sizeof *nv);
        if (!nv)
            return err_set(ERR_NOMEM, "wallet: account list");
        w->v = nv;
        w->cap = ncap;
    }
    size_t i = w->n;
    while (i > 0 && strcmp(w->v[i - 1].name, name) > 0)
        i--;
    memmove(&w->v[i + 1], &w->v[i], (w->n - i) * sizeof *w->v);
    w->v[i] = (struct entry){.addr = *a, .name = name};
    w->n++;
    return 0;
}

static void *reaper_main(void *arg)
{
    thread_name("wallet-relock");
    struct wallet *w = arg;
    pthread_mutex_lock(&w->mu);
    while (!w->stopping) {
        uint64_t now = now_ms(), next = 0;
        for (size_t i = 0; i < w->n; i++) {
            struct entry *e = &w->v[i];
            expire(e, now);
            if (e->sk && e->expires_ms != 0 && (next == 0 || e->expires_ms < next))
                next = e->expires_ms;
        }
        if (next == 0) {
            pthread_cond_wait(&w->cv, &w->mu);
            continue;
        }
        uint64_t wait = next - now;
        if (wait > REAPER_MAX_WAIT_MS)
            wait = REAPER_MAX_WAIT_MS;
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_sec += (time_t)(wait / 1000u);
        ts.tv_nsec += (long)(wait % 1000u) * 1000000L + 1000000L; /* +1 ms: past the deadline */
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec += 1;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&w->cv, &w->mu, &ts);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

/* Reads the address of one candidate file; false (with a warning in the
 * log) when it is not a key file we can index. */
static bool read_address(const char *dir, const char *name, struct address *a)
{
    char path[FS_PATH_MAX];
    char *text = NULL;
    size_t len = 0;
    int rc = fs_join(path, sizeof path, dir, name);
    if (rc == 0)
        rc = fs_read_file(path, KEYSTORE_MAX_JSON, &text, &len);
    if (rc == 0)
        rc = keystore_address(text, len, a->b);
    free(text);
    if (rc != 0) {
        log_warn("wallet: skipping %s in %s: %s", name, dir, err_msg());
        return false;
    }
    return true;
}

static int load_dir(struct wallet *w)
{
    char **names = NULL;
    size_t count = 0;
    int rc = keydir_list(w->dir, &names, &count);
    if (rc != 0)
        return rc;
    for (size_t i = 0; i < count && rc == 0; i++) {
        struct address a;
        if (!read_address(w->dir, names[i], &a))
            continue;
        if (find(w, &a)) {
            char hex[ADDRESS_HEX_SIZE];
            address_to_hex(&a, hex);
            log_warn("wallet: %s in %s is a second file for %s; ignored", names[i], w->dir, hex);
            continue;
        }
        rc = add_entry(w, &a, names[i]);
        if (rc == 0)
            names[i] = NULL; /* now owned by the entry */
    }
    keydir_names_free(names, count);
    return rc;
}

static void free_entries(struct wallet *w)
{
    for (size_t i = 0; i < w->n; i++) {
        wipe_key(&w->v[i]);
        free(w->v[i].name);
    }
    free(w->v);
    w->v = NULL;
    w->n = w->cap = 0;
}

int wallet_open(const char *dir, struct wallet **out)
{
    *out = NULL;
    if (strlen(dir) >= FS_PATH_MAX)
        return err_set(ERR_IO, "wallet: keystore path too long");
    int rc = fs_mkdir_p(dir, 0700);
    if (rc != 0)
        return err_wrap(ERR_IO, "wallet: keystore directory");
    struct wallet *w = calloc(1, sizeof *w);
    if (!w)
        return err_set(ERR_NOMEM, "wallet");
    strcpy(w->dir, dir);
    rc = load_dir(w);
    if (rc != 0) {
        free_entries(w);
        free(w);
        return rc;
    }

    pthread_condattr_t ca;
    bool ok = pthread_condattr_init(&ca) == 0;
    if (ok) {
        ok = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) == 0 &&
             pthread_cond_init(&w->cv, &ca) == 0;
        pthread_condattr_destroy(&ca);
    }
    if (!ok) {
        free_entries(w);
        free(w);
        return err_set(ERR_NOMEM, "wallet: cannot create a condition variable");
    }
    if (pthread_mutex_init(&w->mu, NULL) != 0) {
        pthread_cond_destroy(&w->cv);
        free_entries(w);
        free(w);
        return err_set(ERR_NOMEM, "wallet: cannot create a mutex");
    }
    if (pthread_create(&w->reaper, NULL, reaper_main, w) != 0) {
        pthread_mutex_destroy(&w->mu);
        pthread_cond_destroy(&w->cv);
        free_entries(w);
        free(w);
        return err_set(ERR_NOMEM, "wallet: cannot start the unlock timer thread");
    }
    log_info("wallet: %zu account%s in %s", w->n, w->n == 1 ? "" : "s", w->dir);
    *out = w;
    return 0;
}

void wallet_free(struct wallet *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    w->stopping = true;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->reaper, NULL);
    free_entries(w);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    free(w);
}

size_t wallet_accounts(struct wallet *w, struct address *out, size_t cap)
{
    pthread_mutex_lock(&w->mu);
    size_t n = w->n;
    for (size_t i = 0; i < n && i < cap; i++)
        out[i] = w->v[i].addr;
    pthread_mutex_unlock(&w->mu);
    return n;
}

bool wallet_has(struct wallet *w, const struct address *a)
{
    pthread_mutex_lock(&w->mu);
    bool has = find(w, a) != NULL;
    pthread_mutex_unlock(&w->mu);
    return has;
}

static int already_exists(const struct address *a)
{
    char hex[ADDRESS_HEX_SIZE];
    address_to_hex(a, hex);
    return err_set(ERR_INVAL, "account already exists: %s", hex);
}

int wallet_import_key(struct wallet *w, const uint8_t sk[32], const char *passphrase,
                      enum wallet_kdf_cost cost, struct address *addr)
{
    uint8_t pub[64];
    struct address a;
    if (!ecdsa_seckey_valid(sk) || ecdsa_pubkey(sk, pub) != 0)
        return err_set(ERR_INVAL, "invalid secret key");
    ecdsa_pub_to_address(pub, a.b);

    pthread_mutex_lock(&w->mu);
    bool dup = find(w, &a) != NULL;
    pthread_mutex_unlock(&w->mu);
    if (dup)
        return already_exists(&a);

    /* scrypt and the disk, outside the lock. */
    /* geth's presets (crypto/keystore.h) */
    const struct keystore_scrypt_params scrypt =
        cost == WALLET_KDF_LIGHT ? KEYSTORE_SCRYPT_LIGHT : KEYSTORE_SCRYPT_STANDARD;
    const struct keystore_scrypt_params *params = &scrypt;
    const char *pw = passphrase ? passphrase : "";
    char *text = NULL;
    size_t len = 0;
    int rc = keystore_encrypt(sk, pw, strlen(pw), params, &text, &len);
    if (rc != 0)
        return rc == ERR_NOMEM ? rc : err_wrap(rc == ERR_INVAL ? ERR_INVAL : ERR_CRYPTO, "wallet");

    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    char name[KEYDIR_NAME_SIZE];
    rc = keydir_file_name(&a, &now, name);
    char *owned = rc == 0 ? strdup(name) : NULL;
    if (rc == 0 && !owned)
        rc = err_set(ERR_NOMEM, "wallet");
    if (rc == 0)
        rc = keydir_write(w->dir, name, text, len);
    free(text);
    if (rc != 0) {
        free(owned);
        return rc == ERR_NOMEM ? rc : err_wrap(ERR_IO, "wallet");
    }

    pthread_mutex_lock(&w->mu);
    if (find(w, &a)) {
        /* Another thread imported the same key meanwhile: keep its file. */
        pthread_mutex_unlock(&w->mu);
        char path[FS_PATH_MAX];
        if (fs_join(path, sizeof path, w->dir, name) == 0)
            unlink(path);
        free(owned);
        return already_exists(&a);
    }
    rc = add_entry(w, &a, owned);
    pthread_mutex_unlock(&w->mu);
    if (rc != 0) {
        free(owned);
        return rc;
    }
    if (addr)
        *addr = a;
    return 0;
}

int wallet_new_account(struct wallet *w, const char *passphrase, enum wallet_kdf_cost cost,
                       struct address *addr)
{
    uint8_t sk[32];
    int tries = 0;
    do {
        if (RAND_bytes(sk, sizeof sk) != 1 || ++tries > 16) {
            OPENSSL_cleanse(sk, sizeof sk);
            return err_set(ERR_CRYPTO, "wallet: no randomness for a new key");
        }
    } while (!ecdsa_seckey_valid(sk));
    int rc = wallet_import_key(w, sk, passphrase, cost, addr);
    OPENSSL_cleanse(sk, sizeof sk);
    return rc;
}

/* With w->mu held: the entry of a, or ERR_NOTFOUND. */
static int lookup(struct wallet *w, const struct address *a, struct entry **out)
{
    *out = find(w, a);
    if (!*out)
        return err_set(ERR_NOTFOUND, "unknown account");
    return 0;
}

/* Reads a's file and decrypts it with passphrase into sk (outside the
 * lock), checking that the key is a's. Returns 0 or wallet_unlock's errors;
 * sk is wiped on failure. */
static int decrypt_account(struct wallet *w, const struct address *a, const char *passphrase,
                           uint8_t sk[32])
{
    char path[FS_PATH_MAX];
    struct entry *e;
    pthread_mutex_lock(&w->mu);
    int rc = lookup(w, a, &e);
    if (rc == 0 && fs_join(path, sizeof path, w->dir, e->name) != 0)
        rc = err_set(ERR_IO, "wallet: path too long");
    pthread_mutex_unlock(&w->mu);
    if (rc != 0)
        return rc;

    char *text = NULL;
    size_t len = 0;
    rc = fs_read_file(path, KEYSTORE_MAX_JSON, &text, &len);
    if (rc != 0)
        return rc == ERR_NOMEM ? rc : err_wrap(ERR_IO, "wallet");

    const char *pw = passphrase ? passphrase : "";
    rc = keystore_decrypt(text, len, pw, strlen(pw), sk);
    free(text);
    if (rc != 0)
        OPENSSL_cleanse(sk, 32);
    if (rc == ERR_CRYPTO)
        return err_set(ERR_INVAL, BAD_PASSWORD);
    if (rc == ERR_NOMEM)
        return rc;
    if (rc != 0)
        return err_wrap(ERR_INVAL, "wallet: key file %s", path);

    /* The file's "address" field is not authenticated: the key must match. */
    uint8_t pub[64];
    struct address got;
    if (ecdsa_pubkey(sk, pub) != 0) {
        OPENSSL_cleanse(sk, 32);
        return err_set(ERR_INVAL, "wallet: key file %s holds an invalid key", path);
    }
    ecdsa_pub_to_address(pub, got.b);
    if (!address_eq(&got, a)) {
        OPENSSL_cleanse(sk, 32);
        char have[ADDRESS_HEX_SIZE], want[ADDRESS_HEX_SIZE];
        address_to_hex(&got, have);
        address_to_hex(a, want);
        return err_set(ERR_INVAL, "key content mismatch: have account %s, want %s", have, want);
    }
    return 0;
}

int wallet_unlock(struct wallet *w, const struct address *a, const char *passphrase,
                  uint64_t seconds)
{
    uint8_t sk[32];
    int rc = decrypt_account(w, a, passphrase, sk);
    if (rc != 0)
        return rc;

    struct entry *e;
    uint8_t *key = malloc(32);
    if (!key) {
        OPENSSL_cleanse(sk, sizeof sk);
        return err_set(ERR_NOMEM, "wallet");
    }
    memcpy(key, sk, 32);
    OPENSSL_cleanse(sk, sizeof sk);

    pthread_mutex_lock(&w->mu);
    rc = lookup(w, a, &e);
    if (rc == 0) {
        wipe_key(e);
        e->sk = key;
        key = NULL;
        if (seconds == 0) {
            e->expires_ms = 0;
        } else {
            uint64_t now = now_ms();
            uint64_t ms = seconds > (UINT64_MAX - now) / 1000u ? UINT64_MAX - now : seconds * 1000u;
            e->expires_ms = now + ms;
            pthread_cond_signal(&w->cv);
        }
    }
    pthread_mutex_unlock(&w->mu);
    if (key) {
        OPENSSL_cleanse(key, 32);
        free(key);
    }
    return rc;
}

int wallet_lock(struct wallet *w, const struct address *a)
{
    struct entry *e;
    pthread_mutex_lock(&w->mu);
    int rc = lookup(w, a, &e);
    if (rc == 0)
        wipe_key(e);
    pthread_mutex_unlock(&w->mu);
    return rc;
}

bool wallet_is_unlocked(struct wallet *w, const struct address *a)
{
    pthread_mutex_lock(&w->mu);
    struct entry *e = find(w, a);
    if (e)
        expire(e, now_ms());
    bool yes = e && e->sk;
    pthread_mutex_unlock(&w->mu);
    return yes;
}

/* With w->mu held: the unlocked key of a, or the error wallet.h promises. */
static int unlocked_key(struct wallet *w, const struct address *a, const uint8_t **sk)
{
    struct entry *e;
    int rc = lookup(w, a, &e);
    if (rc != 0)
        return rc;
    expire(e, now_ms());
    if (!e->sk)
        return err_set(ERR_BADSTATE, AUTH_NEEDED);
    *sk = e->sk;
    return 0;
}

/* Signing is a few tens of microseconds: it runs under the lock, so the key
 * is never copied out of its allocation. */
int wallet_sign_tx(struct wallet *w, const struct address *a, struct tx *tx, uint64_t chain_id)
{
    const uint8_t *sk;
    pthread_mutex_lock(&w->mu);
    int rc = unlocked_key(w, a, &sk);
    if (rc == 0)
        rc = tx_sign(tx, sk, chain_id);
    pthread_mutex_unlock(&w->mu);
    return rc;
}

int wallet_sign_hash(struct wallet *w, const struct address *a, const uint8_t hash[32],
                     uint8_t sig[65])
{
    const uint8_t *sk;
    pthread_mutex_lock(&w->mu);
    int rc = unlocked_key(w, a, &sk);
    if (rc == 0)
        rc = ecdsa_sign(hash, sk, sig);
    pthread_mutex_unlock(&w->mu);
    if (rc == 0)
        sig[64] += 27;
    return rc;
}

/* ---- one-use keys ------------------------------------------------------------- */

struct wallet_key {
    uint8_t sk[32];
};

int wallet_key_decrypt(struct wallet *w, const struct address *a, const char *passphrase,
                       struct wallet_key **out)
{
    *out = NULL;
    struct wallet_key *k = malloc(sizeof *k);
    if (!k)
        return err_set(ERR_NOMEM, "wallet");
    int rc = decrypt_account(w, a, passphrase, k->sk);
    if (rc != 0) {
        OPENSSL_cleanse(k, sizeof *k);
        free(k);
        return rc;
    }
    *out = k;
    return 0;
}

int wallet_key_sign_tx(const struct wallet_key *k, struct tx *tx, uint64_t chain_id)
{
    return tx_sign(tx, k->sk, chain_id);
}

int wallet_key_sign_hash(const struct wallet_key *k, const uint8_t hash[32], uint8_t sig[65])
{
    int rc = ecdsa_sign(hash, k->sk, sig);
    if (rc == 0)
        sig[64] += 27;
    return rc;
}

void wallet_key_free(struct wallet_key *k)
{
    if (!k)
        return;
    OPENSSL_cleanse(k, sizeof *k);
    free(k);
}
