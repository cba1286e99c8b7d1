/* run_keystore.c — conformance: every test in
 * ethereum-tests/KeyStoreTests/basic_tests.json must decrypt to its "priv"
 * with its "password" (pbkdf2 and scrypt files, an "odd" iv, an all-ones
 * iv whose counter wraps, a file with an address field). */
#include "fixtures.h"

#include "crypto/keystore.h"
#include "util/err.h"
#include "util/hex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void run_test(const char *name, json_t *t, struct tally *tally)
{
    json_t *ks = json_object_get(t, "json");
    const char *pw = json_string_value(json_object_get(t, "password"));
    const char *priv = json_string_value(json_object_get(t, "priv"));
    uint8_t want[32], got[32];
    if (!json_is_object(ks) || !pw || !priv ||
        hex_decode_exact(priv, strlen(priv), want, sizeof want) != 0) {
        tally_fail(tally, name, "malformed fixture");
        return;
    }
    char *text = json_dumps(ks, JSON_COMPACT);
    if (!text) {
        tally_fail(tally, name, "cannot serialise the keystore JSON");
        return;
    }
    int rc = keystore_decrypt(text, strlen(text), pw, strlen(pw), got);
    free(text);
    if (rc) {
        tally_fail(tally, name, "decrypt failed: %s (%s)", err_msg(), err_name(rc));
        return;
    }
    if (memcmp(got, want, 32) != 0) {
        char hex[65];
        hex_encode(hex, got, 32);
        tally_fail(tally, name, "decrypted %s, want %s", hex, priv);
        return;
    }
    tally_pass(tally);
}

int main(void)
{
    struct tally tally = {0};
    char *path = fixtures_path("ethereum-tests/KeyStoreTests/basic_tests.json");
    json_t *root = fixtures_load(path);
    free(path);
    if (!root || !json_is_object(root)) {
        tally_fail(&tally, "basic_tests.json", "cannot load");
        json_decref(root);
        return tally_finish(&tally);
    }
    const char *name;
    json_t *t;
    json_object_foreach(root, name, t)
        run_test(name, t, &tally);
    json_decref(root);
    return tally_finish(&tally);
}
