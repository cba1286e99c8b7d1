/*
 * precompile.c — which addresses are precompiled contracts under a fork,
 * what a call to one costs, and the dispatch to its implementation.
 *
 * Why one dispatcher over per-contract files: the interpreter asks three
 * questions per CALL to a low address (is it a precompile, what does it
 * cost, run it), and the answers are a table indexed by the last address
 * byte. The contracts themselves sit one family per file
 * (precompile_ecrecover.c, _hash.c, _modexp.c, _bn254.c); the trivial
 * identity contract lives here. Spectrum never went past Byzantium's set
 * (0x01..0x08 with Byzantium prices, spec §6.6), so there is no Istanbul
 * repricing and no blake2f.
 */
#include "evm/precompile.h"

#include <string.h>

#include "evm/precompile_impl.h"
#include "util/err.h"

/* Address 0x00..00NN → NN when the 19 leading bytes are zero, else 0. */
static unsigned precompile_index(const struct address *a)
{
    for (int i = 0; i < ADDRESS_LEN - 1; i++)
        if (a->b[i] != 0)
            return 0;
    return a->b[ADDRESS_LEN - 1];
}

bool precompile_is(enum evm_fork fork, const struct address *a)
{
    unsigned id = precompile_index(a);
    unsigned last = fork >= FORK_BYZANTIUM ? 8 : 4;
    return id >= 1 && id <= last;
}

void precompile_read_padded(uint8_t *dst, size_t n, const uint8_t *in, size_t len, size_t off)
{
    size_t avail = off < len ? len - off : 0;
    if (avail > n)
        avail = n;
    if (avail)
        memcpy(dst, in + off, avail);
    memset(dst + avail, 0, n - avail);
}

uint64_t precompile_word_gas(uint64_t base, uint64_t per_word, size_t len)
{
    uint64_t words = (uint64_t)(len / 32) + (len % 32 != 0);
    uint64_t g;
    if (__builtin_mul_overflow(words, per_word, &g) || __builtin_add_overflow(g, base, &g))
        return UINT64_MAX;
    return g;
}

uint64_t precompile_gas(enum evm_fork fork, const struct address *a, const uint8_t *in,
                        size_t len)
{
    if (!precompile_is(fork, a))
        return 0;
    switch (precompile_index(a)) {
    case 1: return 3000;
    case 2: return precompile_word_gas(60, 12, len);
    case 3: return precompile_word_gas(600, 120, len);
    case 4: return precompile_word_gas(15, 3, len);
    case 5: return precompile_modexp_gas(in, len);
    case 6: return 500;
    case 7: return 40000;
    case 8: return precompile_bn254_pairing_gas(len);
    default: return 0;
    }
}

static int identity_run(const uint8_t *in, size_t len, struct bytes *out)
{
    return bytes_append(out, in, len);
}

int precompile_run(enum evm_fork fork, const struct address *a, const uint8_t *in, size_t len,
                   struct bytes *out)
{
    if (!precompile_is(fork, a))
        return err_set(ERR_INVAL, "precompile: address is not a precompile under %s",
                       evm_fork_name(fork));
    switch (precompile_index(a)) {
    case 1: return precompile_ecrecover_run(in, len, out);
    case 2: return precompile_sha256_run(in, len, out);
    case 3: return precompile_ripemd160_run(in, len, out);
    case 4: return identity_run(in, len, out);
    case 5: return precompile_modexp_run(in, len, out);
    case 6: return precompile_bn254_add_run(in, len, out);
    case 7: return precompile_bn254_mul_run(in, len, out);
    case 8: return precompile_bn254_pairing_run(in, len, out);
    default: return err_set(ERR_INVAL, "precompile: no such contract");
    }
}
