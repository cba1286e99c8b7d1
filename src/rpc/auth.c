/*
 * auth.c — credentials; see auth.h.
 *
 * Passwords are kept only as SHA-256 digests: a check hashes the offered
 * password and compares 32 bytes in constant time, which hides both the
 * password and its length and keeps plain secrets out of the process image
 * after start-up.
 */
#include "rpc/auth.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/hash.h"
#include "rpc/base64.h"
#include "util/err.h"
#include "util/hex.h"

int rpc_auth_parse_entry(const char *spec, struct rpc_authentry *e)
{
    memset(e, 0, sizeof *e);
    const char *colon = strchr(spec, ':');
    const char *dollar = colon ? strchr(colon + 1, '$') : NULL;
    if (!colon || !dollar || colon == spec || dollar == colon + 1)
        return err_set(ERR_INVAL, "-rpcauth: expected <user>:<salt>$<hash>");
    size_t ulen = (size_t)(colon - spec), slen = (size_t)(dollar - colon - 1);
    if (ulen >= sizeof e->user || slen >= sizeof e->salt)
        return err_set(ERR_INVAL, "-rpcauth: user name or salt too long");
    const char *hash = dollar + 1;
    if (strlen(hash) != 64 || hex_decode_exact(hash, 64, e->hmac, sizeof e->hmac) != 0)
        return err_set(ERR_INVAL, "-rpcauth: the hash must be 64 hex digits (HMAC-SHA256)");
    memcpy(e->user, spec, ulen);
    e->user[ulen] = 0;
    memcpy(e->salt, colon + 1, slen);
    e->salt[slen] = 0;
    return 0;
}

int rpc_auth_set_password(struct rpc_auth *a, const char *user, const char *password)
{
    if (strlen(user) >= sizeof a->user || strlen(password) >= RPC_AUTH_PASS_MAX)
        return err_set(ERR_RANGE, "-rpcuser or -rpcpassword is too long");
    if (strchr(user, ':'))
        return err_set(ERR_INVAL, "-rpcuser cannot contain ':'");
    if (sha256(password, strlen(password), a->pass_digest))
        return err_set(ERR_CRYPTO, "cannot hash -rpcpassword");
    strcpy(a->user, user);
    a->has_password = true;
    return 0;
}

int rpc_auth_write_cookie(struct rpc_auth *a, const char *path)
{
    uint8_t rnd[32];
    char pass[65];
    char line[sizeof RPC_COOKIE_USER + 66];
    char tmp[FS_PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return err_set(ERR_RANGE, "cookie file path too long");
    if (RAND_bytes(rnd, sizeof rnd) != 1)
        return err_set(ERR_CRYPTO, "no randomness for the RPC cookie");
    hex_encode(pass, rnd, sizeof rnd);
    int len = snprintf(line, sizeof line, "%s:%s", RPC_COOKIE_USER, pass);

    unlink(tmp);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    int rc = 0;
    if (fd < 0) {
        rc = err_set(ERR_IO, "cannot create the RPC cookie file %s: %s", tmp, strerror(errno));
    } else {
        ssize_t w = write(fd, line, (size_t)len);
        if (w != len || fsync(fd) != 0)
            rc = err_set(ERR_IO, "cannot write the RPC cookie file %s", tmp);
        close(fd);
        if (!rc && rename(tmp, path) != 0)
            rc = err_set(ERR_IO, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
        if (rc)
            unlink(tmp);
    }
    if (!rc && sha256(pass, 64, a->cookie_digest))
        rc = err_set(ERR_CRYPTO, "cannot hash the RPC cookie");
    if (!rc) {
        a->has_cookie = true;
        snprintf(a->cookie_path, sizeof a->cookie_path, "%s", path);
    }
    OPENSSL_cleanse(rnd, sizeof rnd);
    OPENSSL_cleanse(pass, sizeof pass);
    OPENSSL_cleanse(line, sizeof line);
    return rc;
}

void rpc_auth_remove_cookie(struct rpc_auth *a)
{
    if (a->cookie_path[0])
        unlink(a->cookie_path);
    a->cookie_path[0] = 0;
    a->has_cookie = false;
    OPENSSL_cleanse(a->cookie_digest, sizeof a->cookie_digest);
}

int rpc_auth_decode_basic(const char *header, char *user, size_t ucap, char *pass, size_t pcap)
{
    if (strncasecmp(header, "Basic ", 6) != 0)
        return err_set(ERR_DECODE, "not Basic credentials");
    const char *b = header + 6;
    while (*b == ' ')
        b++;
    size_t blen = strlen(b);
    while (blen && b[blen - 1] == ' ')
        blen--;
    uint8_t raw[RPC_AUTH_USER_MAX + RPC_AUTH_PASS_MAX + 1];
    size_t n;
    int rc = base64_decode(b, blen, raw, sizeof raw, &n);
    if (rc)
        return rc;
    uint8_t *colon = memchr(raw, ':', n);
    if (!colon || memchr(raw, 0, n)) {
        OPENSSL_cleanse(raw, sizeof raw);
        return err_set(ERR_DECODE, "malformed credentials");
    }
    size_t ul = (size_t)(colon - raw), pl = n - ul - 1;
    if (ul >= ucap || pl >= pcap) {
        OPENSSL_cleanse(raw, sizeof raw);
        return err_set(ERR_RANGE, "credentials too long");
    }
    memcpy(user, raw, ul);
    user[ul] = 0;
    memcpy(pass, colon + 1, pl);
    pass[pl] = 0;
    OPENSSL_cleanse(raw, sizeof raw);
    return 0;
}

static bool digest_matches(const char *pass, const uint8_t want[32])
{
    uint8_t d[32];
    if (sha256(pass, strlen(pass), d))
        return false;
    bool ok = CRYPTO_memcmp(d, want, 32) == 0;
    OPENSSL_cleanse(d, sizeof d);
    return ok;
}

enum rpc_auth_result rpc_auth_check(const struct rpc_auth *a, const char *header)
{
    if (!header)
        return RPC_AUTH_NONE;
    char user[RPC_AUTH_USER_MAX];
    char pass[RPC_AUTH_PASS_MAX];
    if (rpc_auth_decode_basic(header, user, sizeof user, pass, sizeof pass))
        return RPC_AUTH_BAD;
    bool ok = false;
    if (a->has_cookie && !strcmp(user, RPC_COOKIE_USER) && digest_matches(pass, a->cookie_digest))
        ok = true;
    if (!ok && a->has_password && !strcmp(user, a->user) && digest_matches(pass, a->pass_digest))
        ok = true;
    for (size_t i = 0; !ok && i < a->nentries; i++) {
        const struct rpc_authentry *e = &a->entries[i];
        uint8_t mac[32];
        if (strcmp(user, e->user))
            continue;
        if (hmac_sha256(e->salt, strlen(e->salt), pass, strlen(pass), mac) == 0 &&
            CRYPTO_memcmp(mac, e->hmac, 32) == 0)
            ok = true;
        OPENSSL_cleanse(mac, sizeof mac);
    }
    OPENSSL_cleanse(pass, sizeof pass);
    return ok ? RPC_AUTH_OK : RPC_AUTH_BAD;
}

void rpc_auth_wipe(struct rpc_auth *a)
{
    char path[FS_PATH_MAX];
    memcpy(path, a->cookie_path, sizeof path);
    OPENSSL_cleanse(a, sizeof *a);
    memcpy(a->cookie_path, path, sizeof path);
}
