/* run_basic_keys.c — conformance over ethereum-tests/BasicTests:
 *
 *  keyaddrtest.json  seed → key (key = keccak256(seed)), key → address,
 *                    and "sig_of_emptystring" (v 27/28, r, s in decimal).
 *                    The fixture's signatures are not RFC 6979 ones (for
 *                    these keys ecdsa_sign gives other r, s), and — as
 *                    other clients found too (Nethermind ignores this part
 *                    as wrong; hsethereum marks it FIXME) — they do not
 *                    recover the fixture's address under any reading we
 *                    tried: message keccak256(""), sha256(""), 32 zero
 *                    bytes or keccak256(keccak256("")), either recovery id,
 *                    r and s swapped. So we check what can be checked: the
 *                    fixture's (v, r, s) is in range and recovers some key
 *                    (one has a high s, which recovery accepts), and our
 *                    own deterministic signature of keccak256("") with the
 *                    fixture key is low-s and recovers the fixture address.
 *  crypto.json       the "aes_ctr" entries: AES-CTR (key length picks
 *                    AES-128/256) with an all-zero IV decrypts "cipher" to
 *                    "payload". The ECIES entries belong to the p2p layer
 *                    (RLPx handshake) and are counted as skipped until it
 *                    exists.
 */
#include "fixtures.h"

#include "crypto/aes.h"
#include "crypto/ecdsa.h"
#include "crypto/keccak.h"
#include "util/err.h"
#include "util/hex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parses a non-negative decimal integer below 2^256 into 32 big-endian
 * bytes. Returns 0 or -1 (not decimal, empty, or too large). */
static int dec_to_be32(const char *s, uint8_t out[32])
{
    memset(out, 0, 32);
    if (!*s)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        unsigned carry = (unsigned)(*s - '0');
        for (int i = 31; i >= 0; i--) {
            unsigned v = out[i] * 10u + carry;
            out[i] = (uint8_t)v;
            carry = v >> 8;
        }
        if (carry)
            return -1;
    }
    return 0;
}

static void keyaddr_case(size_t idx, json_t *t, struct tally *tally)
{
    char where[64];
    const char *seed = json_string_value(json_object_get(t, "seed"));
    snprintf(where, sizeof where, "keyaddrtest[%zu] (%s)", idx, seed ? seed : "?");
    const char *key = json_string_value(json_object_get(t, "key"));
    const char *addr = json_string_value(json_object_get(t, "addr"));
    json_t *sig = json_object_get(t, "sig_of_emptystring");
    const char *v = json_string_value(json_object_get(sig, "v"));
    const char *r = json_string_value(json_object_get(sig, "r"));
    const char *s = json_string_value(json_object_get(sig, "s"));
    uint8_t sk[32], want[20], pub[64], got[20], hash[32], rs[65], ours[65];
    if (!seed || !key || !addr || !v || !r || !s || hex_decode_exact(key, strlen(key), sk, 32) ||
        hex_decode_exact(addr, strlen(addr), want, 20) || dec_to_be32(r, rs) ||
        dec_to_be32(s, rs + 32) || (strcmp(v, "27") != 0 && strcmp(v, "28") != 0)) {
        tally_fail(tally, where, "malformed fixture");
        return;
    }
    rs[64] = (uint8_t)(v[1] - '7');

    /* key → address */
    if (ecdsa_pubkey(sk, pub)) {
        tally_fail(tally, where, "pubkey: %s", err_msg());
        return;
    }
    ecdsa_pub_to_address(pub, got);
    if (memcmp(got, want, 20) != 0) {
        char hex[41];
        hex_encode(hex, got, 20);
        tally_fail(tally, where, "address %s, want %s", hex, addr);
        return;
    }
    /* seed → key */
    keccak256(seed, strlen(seed), hash);
    if (memcmp(hash, sk, 32) != 0) {
        tally_fail(tally, where, "key is not keccak256(seed)");
        return;
    }
    /* the fixture's signature is well-formed and recovers a key (see the
     * top comment for why not the fixture's address) */
    keccak256(NULL, 0, hash);
    if (ecdsa_recover(hash, rs, pub)) {
        tally_fail(tally, where, "fixture signature does not recover: %s", err_msg());
        return;
    }
    /* our deterministic signature is low-s and recovers the fixture address */
    if (ecdsa_sign(hash, sk, ours) || ecdsa_recover_address(hash, ours, got) ||
        memcmp(got, want, 20) != 0 || !ecdsa_sig_values_valid(ours, ours + 32, true)) {
        tally_fail(tally, where, "own signature does not round-trip (%s)", err_msg());
        return;
    }
    tally_pass(tally);
}

static void run_keyaddr(struct tally *tally)
{
    char *path = fixtures_path("ethereum-tests/BasicTests/keyaddrtest.json");
    json_t *root = fixtures_load(path);
    free(path);
    if (!json_is_array(root)) {
        tally_fail(tally, "keyaddrtest.json", "cannot load (or not an array)");
        json_decref(root);
        return;
    }
    size_t i;
    json_t *t;
    json_array_foreach(root, i, t)
        keyaddr_case(i, t, tally);
    json_decref(root);
}

static void aes_case(const char *name, json_t *t, struct tally *tally)
{
    uint8_t *key = NULL, *ct = NULL, *pt = NULL, *out = NULL;
    size_t keylen, ctlen, ptlen;
    static const uint8_t zero_iv[16];
    const char *k = json_string_value(json_object_get(t, "key"));
    const char *c = json_string_value(json_object_get(t, "cipher"));
    const char *p = json_string_value(json_object_get(t, "payload"));
    if (!k || !c || !p || fixtures_hex(k, &key, &keylen) || fixtures_hex(c, &ct, &ctlen) ||
        fixtures_hex(p, &pt, &ptlen) || ctlen != ptlen || ctlen == 0) {
        tally_fail(tally, name, "malformed fixture");
    } else if (!(out = malloc(ctlen))) {
        tally_fail(tally, name, "out of memory");
    } else if (aes_ctr(key, keylen, zero_iv, ct, ctlen, out)) {
        tally_fail(tally, name, "aes_ctr: %s", err_msg());
    } else if (memcmp(out, pt, ptlen) != 0) {
        tally_fail(tally, name, "decrypted payload differs");
    } else {
        tally_pass(tally);
    }
    free(key);
    free(ct);
    free(pt);
    free(out);
}

static void run_crypto(struct tally *tally)
{
    char *path = fixtures_path("ethereum-tests/BasicTests/crypto.json");
    json_t *root = fixtures_load(path);
    free(path);
    if (!json_is_object(root)) {
        tally_fail(tally, "crypto.json", "cannot load (or not an object)");
        json_decref(root);
        return;
    }
    const char *name;
    json_t *t;
    json_object_foreach(root, name, t) {
        const char *type = json_string_value(json_object_get(t, "decryption_type"));
        if (type && strcmp(type, "aes_ctr") == 0) {
            aes_case(name, t, tally);
        } else if (type && strncmp(type, "ecies", 5) == 0) {
            printf("SKIP %s: %s is ECIES, tested with the p2p (RLPx) code\n", name, type);
            tally->skipped++;
        } else {
            tally_fail(tally, name, "unknown decryption_type %s", type ? type : "(none)");
        }
    }
    json_decref(root);
}

int main(void)
{
    struct tally tally = {0};
    run_keyaddr(&tally);
    run_crypto(&tally);
    return tally_finish(&tally);
}
