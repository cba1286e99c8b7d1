/*
 * p2p_key.c — see p2p_key.h. The file is written through a temporary file
 * and a rename, so a crash never leaves half a key.
 */
#include "net/p2p_key.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/ecdsa.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/hex.h"
#include "util/log.h"

static int parse(const char *path, const char *text, size_t len, uint8_t key[32])
{
    while (len > 0 && strchr(" \t\r\n", text[len - 1]))
        len--;
    if (len != 64 || hex_decode_exact(text, 64, key, 32) != 0 || !ecdsa_seckey_valid(key)) {
        OPENSSL_cleanse(key, 32);
        return err_set(ERR_INVAL, "p2p key file %s: not 64 hex digits of a valid key", path);
    }
    return 0;
}

static int create(const char *path, uint8_t key[32])
{
    do {
        if (RAND_bytes(key, 32) != 1)
            return err_set(ERR_CRYPTO, "no randomness for a p2p key");
    } while (!ecdsa_seckey_valid(key));
    char tmp[FS_PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return err_set(ERR_RANGE, "p2p key path too long");
    char text[65];
    hex_encode(text, key, 32);
    text[64] = '\n';
    int rc = 0;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || write(fd, text, 65) != 65 || fsync(fd) != 0)
        rc = err_set(ERR_IO, "cannot write %s: %s", tmp, strerror(errno));
    if (fd >= 0 && close(fd) != 0 && rc == 0)
        rc = err_set(ERR_IO, "cannot write %s: %s", tmp, strerror(errno));
    OPENSSL_cleanse(text, sizeof text);
    if (rc == 0 && rename(tmp, path) != 0)
        rc = err_set(ERR_IO, "cannot rename %s: %s", tmp, strerror(errno));
    if (rc) {
        unlink(tmp);
        OPENSSL_cleanse(key, 32);
        return rc;
    }
    log_info("Created a new p2p identity key in %s", path);
    return 0;
}

int p2p_key_load(const char *netdir, uint8_t key[32])
{
    char path[FS_PATH_MAX];
    int rc = fs_join(path, sizeof path, netdir, P2P_KEY_FILE);
    if (rc)
        return rc;
    char *text = NULL;
    size_t len = 0;
    rc = fs_read_file(path, 256, &text, &len);
    if (rc == ERR_NOTFOUND)
        return create(path, key);
    if (rc == ERR_RANGE)
        return err_set(ERR_INVAL, "p2p key file %s: not 64 hex digits of a valid key", path);
    if (rc)
        return err_wrap(rc, "p2p key file %s", path);
    rc = parse(path, text, len, key);
    OPENSSL_cleanse(text, len);
    free(text);
    return rc;
}
