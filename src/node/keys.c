/*
 * keys.c — see keys.h.
 */
#include "node/keys.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chain/regtest_genesis.h"
#include "crypto/ecdsa.h"
#include "primitives/address.h"
#include "util/args.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/hex.h"
#include "util/log.h"
#include "wallet/wallet.h"

/* A node key file is 64 hex digits and a newline; anything far longer is
 * not one. */
#define NODEKEY_FILE_MAX 256

static void key_address(const uint8_t key[32], char out[ADDRESS_HEX_SIZE])
{
    struct address a;
    if (regtest_key_address(key, &a) == 0)
        address_to_checksum_hex(&a, out);
    else
        snprintf(out, ADDRESS_HEX_SIZE, "?");
}

/* Parses the file's text into key. */
static int parse_key(const char *path, const char *text, size_t len, uint8_t key[32])
{
    size_t b = 0, e = len;
    while (b < e && strchr(" \t\r\n", text[b]))
        b++;
    while (e > b && strchr(" \t\r\n", text[e - 1]))
        e--;
    if (e - b >= 2 && text[b] == '0' && (text[b + 1] == 'x' || text[b + 1] == 'X'))
        b += 2;
    if (e - b != 64 || hex_decode_exact(text + b, 64, key, 32) != 0)
        return err_set(ERR_INVAL, "node key file %s: not 64 hex digits", path);
    if (!ecdsa_seckey_valid(key)) {
        OPENSSL_cleanse(key, 32);
        return err_set(ERR_INVAL, "node key file %s: not a valid secp256k1 key", path);
    }
    return 0;
}

/* Writes a new random key to path (via path.tmp, synced, renamed). */
static int create_key(const char *path, uint8_t key[32])
{
    do {
        if (RAND_bytes(key, 32) != 1)
            return err_set(ERR_CRYPTO, "no randomness for a new node key");
    } while (!ecdsa_seckey_valid(key));
    char tmp[FS_PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return err_set(ERR_RANGE, "node key path too long");
    char text[66];
    hex_encode(text, key, 32);
    text[64] = '\n';
    text[65] = 0;
    int rc = 0;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        rc = err_set(ERR_IO, "cannot create %s: %s", tmp, strerror(errno));
    if (rc == 0 && (fchmod(fd, 0600) != 0 || write(fd, text, 65) != 65 || fsync(fd) != 0))
        rc = err_set(ERR_IO, "cannot write %s: %s", tmp, strerror(errno));
    if (fd >= 0 && close(fd) != 0 && rc == 0)
        rc = err_set(ERR_IO, "cannot write %s: %s", tmp, strerror(errno));
    OPENSSL_cleanse(text, sizeof text);
    if (rc == 0 && rename(tmp, path) != 0)
        rc = err_set(ERR_IO, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
    if (rc) {
        unlink(tmp);
        OPENSSL_cleanse(key, 32);
        return rc;
    }
    char addr[ADDRESS_HEX_SIZE];
    key_address(key, addr);
    log_info("Created a new node key in %s, address %s", path, addr);
    return 0;
}

int node_load_nodekey(const struct args *a, const char *netdir, bool regtest, uint8_t key[32])
{
    /* Regtest signs with the public regtest key unless told otherwise: a
     * MeshBox or a second hub in a functional test needs a key of its own. */
    if (regtest && !args_is_set(a, "nodekey"))
        return regtest_node_key(key);
    const char *name = args_get_str(a, "nodekey", "nodekey");
    if (!name || !*name)
        return err_set(ERR_INVAL, "-nodekey is empty");
    char path[FS_PATH_MAX];
    int rc = fs_join(path, sizeof path, netdir, name);
    if (rc)
        return err_wrap(rc, "-nodekey");
    char *text = NULL;
    size_t len = 0;
    rc = fs_read_file(path, NODEKEY_FILE_MAX, &text, &len);
    if (rc == ERR_NOTFOUND)
        return create_key(path, key);
    if (rc == ERR_RANGE)
        return err_set(ERR_INVAL, "node key file %s: not 64 hex digits", path);
    if (rc)
        return err_wrap(rc, "node key file %s", path);
    rc = parse_key(path, text, len, key);
    OPENSSL_cleanse(text, len);
    free(text);
    if (rc)
        return rc;
    struct stat st;
    if (stat(path, &st) == 0 && (st.st_mode & 077))
        log_warn("node key file %s is readable by other users (mode %03o): chmod 600 it", path,
                 (unsigned)(st.st_mode & 0777));
    return 0;
}

int node_open_wallet(const char *netdir, bool regtest, struct wallet **out)
{
    char dir[FS_PATH_MAX];
    int rc = fs_join(dir, sizeof dir, netdir, "keystore");
    if (rc)
        return rc;
    rc = wallet_open(dir, out);
    if (rc)
        return err_wrap(rc, "wallet %s", dir);
    if (!regtest)
        return 0;
    size_t imported = 0;
    for (unsigned i = 0; rc == 0 && i < REGTEST_NDEV; i++) {
        uint8_t sk[32];
        struct address a;
        rc = regtest_dev_key(i, sk);
        if (rc == 0)
            rc = regtest_key_address(sk, &a);
        if (rc == 0 && !wallet_has(*out, &a)) {
            rc = wallet_import_key(*out, sk, "", WALLET_KDF_LIGHT, NULL);
            imported += rc == 0;
        }
        OPENSSL_cleanse(sk, sizeof sk);
        if (rc == 0)
            rc = wallet_unlock(*out, &a, "", 0);
    }
    if (rc) {
        wallet_free(*out);
        *out = NULL;
        return err_wrap(rc, "regtest dev accounts");
    }
    if (imported)
        log_info("Wallet: imported %zu regtest dev accounts into %s", imported, dir);
    log_info("Wallet: the %d regtest dev accounts are unlocked", REGTEST_NDEV);
    return 0;
}

/* ---- -relayer ---------------------------------------------------------------------- */

static const struct arg_def wallet_args[] = {
    {.name = "relayer", .type = ARG_STRING, .category = ARGCAT_WALLET, .flags = ARG_NEGATABLE,
     .value_name = "<address>", .def = "dev account 9 on regtest, none elsewhere",
     .help = "The wallet account that relays delegated token transfers (relay_transferProxy, "
             "doc/rpc.md \"Delegated gas payment\"): it sends the transferProxy transactions, "
             "pays their gas in SMT and earns their fee in the token. It must be an account of "
             "the wallet, unlocked when relaying (personal_unlockAccount). -norelayer: none."},
};

int node_register_wallet(struct args *a, bool foreign)
{
    return foreign ? args_register_foreign(a, wallet_args, sizeof wallet_args / sizeof *wallet_args)
                   : args_register(a, wallet_args, sizeof wallet_args / sizeof *wallet_args);
}

int node_relayer(const struct args *a, bool regtest, struct wallet *w, struct address *out,
                 bool *has)
{
    *has = false;
    if (args_is_negated(a, "relayer"))
        return 0;
    const char *v = args_get_str(a, "relayer", NULL);
    if (!v) {
        if (!regtest)
            return 0;
        uint8_t sk[32];
        int rc = regtest_dev_key(REGTEST_NDEV - 1, sk);
        if (rc == 0)
            rc = regtest_key_address(sk, out);
        OPENSSL_cleanse(sk, sizeof sk);
        if (rc)
            return err_wrap(rc, "-relayer: regtest dev account %d", REGTEST_NDEV - 1);
    } else if (address_from_hex(out, v, strlen(v)) != 0) {
        return err_set(ERR_INVAL, "-relayer: '%.64s' is not an address (0x + 40 hex digits)", v);
    }
    if (!wallet_has(w, out)) {
        char hex[ADDRESS_HEX_SIZE];
        address_to_checksum_hex(out, hex);
        return err_set(ERR_INVAL, "-relayer: %s is not an account of the wallet", hex);
    }
    *has = true;
    return 0;
}
