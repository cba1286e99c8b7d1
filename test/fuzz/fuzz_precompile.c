/*
 * fuzz_precompile.c — every precompile, under every fork, on arbitrary input.
 *
 * Precompile input is transaction data: outside input. The first byte picks
 * the address (1..8) and the fork; the rest is the call's input. Gas is
 * computed first, as the EVM does, and the call only runs when the gas would
 * fit in a block (so modexp's declared lengths can never make it allocate or
 * loop beyond what a paid-for call could). Nothing may crash, leak or hang.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "evm/precompile.h"

#define AFFORDABLE_GAS 100000000u   /* more than any block's gas limit here */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    struct address a;
    memset(&a, 0, sizeof a);
    a.b[19] = (uint8_t)(1 + data[0] % 8);
    enum evm_fork fork = (enum evm_fork)((data[0] >> 3) % FORK_COUNT);
    const uint8_t *in = data + 1;
    size_t len = size - 1;

    if (!precompile_is(fork, &a))
        return 0;
    uint64_t gas = precompile_gas(fork, &a, in, len);
    if (gas > AFFORDABLE_GAS)
        return 0;
    struct bytes out = BYTES_INIT;
    precompile_run(fork, &a, in, len, &out);
    bytes_free(&out);
    return 0;
}
