/*
 * precompile_ecrecover.c — contract 0x01: the address that signed a hash.
 *
 * Input (right-padded with zeros to 128 bytes, bytes past 128 ignored):
 * hash(32) ‖ v(32) ‖ r(32) ‖ s(32). v must be exactly 27 or 28 as a 32-byte
 * word; r and s must lie in [1, n-1]. Unlike a transaction signature, a
 * high s is accepted (the Homestead low-s rule never applied to the
 * precompile). Any invalid signature makes the call SUCCEED with empty
 * output, so contracts test the output length; only a library failure
 * (out of memory) is an error. Output: 12 zero bytes ‖ the 20-byte address.
 */
#include <stdbool.h>
#include <string.h>

#include "crypto/ecdsa.h"
#include "evm/precompile_impl.h"
#include "util/err.h"

int precompile_ecrecover_run(const uint8_t *in, size_t len, struct bytes *out)
{
    uint8_t buf[128];
    precompile_read_padded(buf, sizeof buf, in, len, 0);
    const uint8_t *hash = buf, *v = buf + 32, *r = buf + 64, *s = buf + 96;

    for (int i = 0; i < 31; i++)
        if (v[i] != 0)
            return 0;
    if (v[31] != 27 && v[31] != 28)
        return 0;
    if (!ecdsa_sig_values_valid(r, s, false))
        return 0;

    uint8_t sig[65], word[32];
    memcpy(sig, r, 32);
    memcpy(sig + 32, s, 32);
    sig[64] = (uint8_t)(v[31] - 27);
    memset(word, 0, 12);
    int rc = ecdsa_recover_address(hash, sig, word + 12);
    if (rc == ERR_CRYPTO) {
        err_clear(); /* no key recovers: a valid call with empty output */
        return 0;
    }
    if (rc)
        return rc;
    return bytes_append(out, word, sizeof word);
}
