/* fuzz_keystore.c — libFuzzer target: keystore_decrypt over arbitrary text.
 *
 * Keystore files come from users' disks and RPC (personal_importRawKey-style
 * imports), so the parser and the KDF parameter checks must never crash,
 * read out of bounds or allocate without bound. The KDF cost is capped far
 * below the production limit (scrypt 128·n·r·p ≤ 64 KiB, PBKDF2 ≤ 16
 * iterations) so that a well-formed input costs microseconds and the
 * fuzzer explores the parser rather than waiting on scrypt; inputs above
 * the cap exercise the ERR_RANGE refusal. The first byte selects the
 * password length so that both the MAC-failure and the success paths are
 * reachable. keystore_address is run on the same text.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "crypto/keystore.h"
#include "util/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    keystore_set_max_kdf_cost(64 * 1024, 16);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char pw[] = "fuzzpassword";
    if (size == 0)
        return 0;
    size_t pwlen = data[0] % sizeof pw;
    uint8_t sk[32], addr[20];
    int rc = keystore_decrypt((const char *)data + 1, size - 1, pw, pwlen, sk);
    if (rc > 0 || rc < ERR_UNSUPPORTED)
        abort(); /* only documented codes */
    rc = keystore_address((const char *)data + 1, size - 1, addr);
    if (rc > 0 || rc < ERR_UNSUPPORTED)
        abort();
    return 0;
}
