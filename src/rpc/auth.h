/*
 * auth.h — who may call private RPC methods: HTTP Basic credentials checked
 * against the cookie, -rpcuser/-rpcpassword and -rpcauth, as in bitcoind.
 *
 *   cookie      at start the server writes "__cookie__:<64 random hex>" to
 *               <netdir>/.cookie (or -rpccookiefile), mode 0600, and removes
 *               it at shutdown; spectrum-cli on the same machine reads it.
 *               Written unless -rpcpassword is set.
 *   password    -rpcuser and -rpcpassword together.
 *   rpcauth     -rpcauth=<user>:<salt>$<hash>, hash = hex(HMAC-SHA256(key =
 *               salt as text, message = password)): the config holds no
 *               password (bitcoind's share/rpcauth/rpcauth.py makes them).
 *
 * Checks compare digests with CRYPTO_memcmp, so neither a password nor its
 * length leaks through timing. Secrets are wiped by rpc_auth_wipe and never
 * logged. A struct rpc_auth is built at start-up, then read-only (any thread
 * may check).
 */
#ifndef SPECTRUM_RPC_AUTH_H
#define SPECTRUM_RPC_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/fs.h"

#define RPC_AUTH_USER_MAX 128       /* bytes incl. NUL */
#define RPC_AUTH_PASS_MAX 1024
#define RPC_AUTH_SALT_MAX 256
#define RPC_AUTH_ENTRIES_MAX 32
#define RPC_COOKIE_USER "__cookie__"

struct rpc_authentry {
    char user[RPC_AUTH_USER_MAX];
    char salt[RPC_AUTH_SALT_MAX];
    uint8_t hmac[32];
};

struct rpc_auth {
    bool has_password;
    char user[RPC_AUTH_USER_MAX];
    uint8_t pass_digest[32];            /* SHA-256 of -rpcpassword */
    bool has_cookie;
    uint8_t cookie_digest[32];          /* SHA-256 of the cookie password */
    char cookie_path[FS_PATH_MAX];      /* "" when no cookie was written */
    struct rpc_authentry entries[RPC_AUTH_ENTRIES_MAX];
    size_t nentries;
};

enum rpc_auth_result {
    RPC_AUTH_NONE,      /* no Authorization header */
    RPC_AUTH_OK,        /* valid credentials */
    RPC_AUTH_BAD,       /* a header that is malformed or does not match */
};

/* Parses one -rpcauth value into e. Returns 0 or ERR_INVAL (the message
 * never quotes the hash). */
int rpc_auth_parse_entry(const char *spec, struct rpc_authentry *e);

/* Sets -rpcuser/-rpcpassword. Returns 0, ERR_RANGE (too long) or
 * ERR_CRYPTO. */
int rpc_auth_set_password(struct rpc_auth *a, const char *user, const char *password);

/* Writes a new cookie to path (written to path.tmp, 0600, then renamed) and
 * remembers it. Returns 0, ERR_IO (with the path and reason), ERR_RANGE or
 * ERR_CRYPTO (no randomness). */
int rpc_auth_write_cookie(struct rpc_auth *a, const char *path);

/* Removes the cookie file written by rpc_auth_write_cookie (if any). */
void rpc_auth_remove_cookie(struct rpc_auth *a);

/* Checks an Authorization header value (NULL when absent). */
enum rpc_auth_result rpc_auth_check(const struct rpc_auth *a, const char *header);

/* Splits "Basic <base64(user:pass)>" into user and pass (NUL-terminated).
 * Returns 0 or ERR_DECODE / ERR_RANGE. */
int rpc_auth_decode_basic(const char *header, char *user, size_t ucap, char *pass, size_t pcap);

/* Zeroes every secret in a (the cookie file is left alone). */
void rpc_auth_wipe(struct rpc_auth *a);

#endif
