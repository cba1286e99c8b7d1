/*
 * wallet.h — the node's wallet: a directory of Keystore V3 files
 * (<netdir>/keystore, one file per key, mode 0600, named as geth names
 * them: UTC--<ISO time>--<address hex>), and the set of keys unlocked in
 * memory that sign transactions and messages for eth_sendTransaction,
 * eth_sign and personal_*.
 *
 * Why it is shaped this way: files stay interchangeable with geth's (a user
 * can copy a key either way), and a decrypted key lives only in this
 * struct, for as long as it is unlocked, wiped when locked or freed. The
 * struct is used from RPC worker threads and the chain thread, so one mutex
 * guards it; decryption (scrypt, slow by design) runs outside the lock.
 * Keys and passphrases never reach a log line or an error message.
 *
 * Threads: every function is safe from any thread.
 */
#ifndef SPECTRUM_WALLET_WALLET_H
#define SPECTRUM_WALLET_WALLET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "primitives/address.h"
#include "primitives/tx.h"

struct wallet;

/* scrypt cost of new files: geth's "standard" (n = 2^18, p = 1) or its
 * "light" (n = 2^12, p = 6), which regtest uses for its dev keys. */
enum wallet_kdf_cost {
    WALLET_KDF_STANDARD = 0,
    WALLET_KDF_LIGHT,
};

/* Opens (creating it, mode 0700, when absent) the keystore directory `dir`
 * and lists the addresses of the V3 files in it (files it cannot parse are
 * skipped with a warning in the log). Returns 0, ERR_IO, ERR_NOMEM.
 * Out: *out (wallet_free). */
int wallet_open(const char *dir, struct wallet **out);

/* Wipes every unlocked key and frees the wallet (NULL is ignored). */
void wallet_free(struct wallet *w);

/* The addresses, in file-name order (oldest first): writes up to cap and
 * returns how many there are. */
size_t wallet_accounts(struct wallet *w, struct address *out, size_t cap);

/* True when a file for `a` is in the wallet. */
bool wallet_has(struct wallet *w, const struct address *a);

/* Creates a new random key, writes its file (0600) encrypted with
 * passphrase. Returns 0, ERR_IO, ERR_CRYPTO, ERR_NOMEM. Out: *addr. */
int wallet_new_account(struct wallet *w, const char *passphrase, enum wallet_kdf_cost cost,
                       struct address *addr);

/* Writes a file for an existing secret key sk (ERR_INVAL when the wallet
 * already has that address, or sk is not a valid key). Returns 0, ERR_INVAL,
 * ERR_IO, ERR_CRYPTO, ERR_NOMEM. Out: *addr (may be NULL). */
int wallet_import_key(struct wallet *w, const uint8_t sk[32], const char *passphrase,
                      enum wallet_kdf_cost cost, struct address *addr);

/* Decrypts a's file with passphrase and keeps the key for `seconds`
 * (0: until wallet_lock or exit). Returns 0, ERR_NOTFOUND (no such account),
 * ERR_INVAL ("could not decrypt key with given password"), ERR_IO, ERR_NOMEM. */
int wallet_unlock(struct wallet *w, const struct address *a, const char *passphrase,
                  uint64_t seconds);

/* Forgets a's key. Returns 0 or ERR_NOTFOUND (no such account). */
int wallet_lock(struct wallet *w, const struct address *a);

/* True when a's key is unlocked now (an expired unlock is wiped here). */
bool wallet_is_unlocked(struct wallet *w, const struct address *a);

/* Signs tx (its v, r, s are replaced) with a's unlocked key, EIP-155 for
 * chain_id (0: unprotected). Returns 0, ERR_NOTFOUND (unknown account),
 * ERR_BADSTATE ("authentication needed: password or unlock"), ERR_CRYPTO. */
int wallet_sign_tx(struct wallet *w, const struct address *a, struct tx *tx, uint64_t chain_id);

/* Signs a 32-byte hash with a's unlocked key: R ‖ S ‖ V with V in {27, 28}
 * (eth_sign's form; the caller hashes the "\x19Ethereum Signed Message"
 * prefix). Errors as wallet_sign_tx. */
int wallet_sign_hash(struct wallet *w, const struct address *a, const uint8_t hash[32],
                     uint8_t sig[65]);

/*
 * One-use keys: personal_sendTransaction and personal_sign take the
 * passphrase with the call and must not unlock the account for anyone
 * else. wallet_key_decrypt decrypts a's file (slow: scrypt) into a key held
 * by the caller alone, which never joins the unlocked set; the caller signs
 * with it, possibly on another thread, and frees it (wiped) at once.
 * wallet_key_decrypt returns 0 or wallet_unlock's errors (ERR_NOTFOUND,
 * ERR_INVAL "could not decrypt key with given password", ERR_IO, ERR_NOMEM).
 * Out: *out (wallet_key_free). The signers return as wallet_sign_tx /
 * wallet_sign_hash (V in {27, 28}) without the account errors.
 */
struct wallet_key;
int wallet_key_decrypt(struct wallet *w, const struct address *a, const char *passphrase,
                       struct wallet_key **out);
int wallet_key_sign_tx(const struct wallet_key *k, struct tx *tx, uint64_t chain_id);
int wallet_key_sign_hash(const struct wallet_key *k, const uint8_t hash[32], uint8_t sig[65]);
void wallet_key_free(struct wallet_key *k);

#endif
