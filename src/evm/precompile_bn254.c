/*
 * precompile_bn254.c — contracts 0x06 ECADD, 0x07 ECMUL and 0x08 ECPAIRING
 * on alt_bn128 (EIP-196, EIP-197), at Byzantium prices (500, 40000,
 * 100000 + 80000 per pair; Spectrum never adopted EIP-1108's repricing).
 *
 * The curve arithmetic is in bn254*.c. This file applies the call rules:
 * ADD and MUL read a fixed-size input right-padded with zeros (extra bytes
 * ignored); PAIRING takes the input as it is and refuses a length that is
 * not a multiple of 192. An invalid point is ERR_INVAL: the call fails and
 * consumes all its gas. PAIRING's output is one 32-byte word, 1 or 0.
 */
#include <stdbool.h>
#include <string.h>

#include "evm/bn254.h"
#include "evm/precompile_impl.h"

uint64_t precompile_bn254_pairing_gas(size_t len)
{
    /* Priced on the whole pairs present; a length that is not a multiple of
     * 192 fails in run (after this gas is charged, as in every client). */
    uint64_t pairs = (uint64_t)(len / BN254_PAIR_BYTES), g;
    if (__builtin_mul_overflow(pairs, (uint64_t)80000, &g) ||
        __builtin_add_overflow(g, (uint64_t)100000, &g))
        return UINT64_MAX;
    return g;
}

int precompile_bn254_add_run(const uint8_t *in, size_t len, struct bytes *out)
{
    uint8_t buf[2 * BN254_G1_BYTES], res[BN254_G1_BYTES];
    precompile_read_padded(buf, sizeof buf, in, len, 0);
    int rc = bn254_g1_add(buf, res);
    if (rc)
        return rc;
    return bytes_append(out, res, sizeof res);
}

int precompile_bn254_mul_run(const uint8_t *in, size_t len, struct bytes *out)
{
    uint8_t buf[BN254_G1_BYTES + 32], res[BN254_G1_BYTES];
    precompile_read_padded(buf, sizeof buf, in, len, 0);
    int rc = bn254_g1_mul(buf, res);
    if (rc)
        return rc;
    return bytes_append(out, res, sizeof res);
}

int precompile_bn254_pairing_run(const uint8_t *in, size_t len, struct bytes *out)
{
    bool ok = false;
    int rc = bn254_pairing_check(in, len, &ok);
    if (rc)
        return rc;
    uint8_t word[32];
    memset(word, 0, sizeof word);
    word[31] = ok ? 1 : 0;
    return bytes_append(out, word, sizeof word);
}
