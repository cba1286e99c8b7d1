/*
 * precompile_hash.c — contracts 0x02 SHA-256 and 0x03 RIPEMD-160.
 *
 * Thin: the digests come from crypto/hash.h. The only EVM rule here is the
 * output shape, one 32-byte word, so RIPEMD-160's 20 bytes are left-padded
 * with 12 zeros. Gas (per 32-byte word of input) is in precompile.c.
 */
#include <string.h>

#include "crypto/hash.h"
#include "evm/precompile_impl.h"

int precompile_sha256_run(const uint8_t *in, size_t len, struct bytes *out)
{
    uint8_t word[32];
    int rc = sha256(in, len, word);
    if (rc)
        return rc;
    return bytes_append(out, word, sizeof word);
}

int precompile_ripemd160_run(const uint8_t *in, size_t len, struct bytes *out)
{
    uint8_t word[32];
    memset(word, 0, 12);
    int rc = ripemd160(in, len, word + 12);
    if (rc)
        return rc;
    return bytes_append(out, word, sizeof word);
}
