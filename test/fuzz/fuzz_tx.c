/*
 * fuzz_tx.c — libFuzzer target for transaction decoding and everything a
 * node does with a decoded transaction.
 *
 * Property: tx_decode never crashes; when it accepts, tx_encode gives back
 * exactly the input bytes, tx_hash equals keccak256 of the input, and sender
 * recovery, intrinsic gas and tx_validate run under each fork's rules without
 * crashing; a sender accepted under stricter rules (Homestead, low-s) is the
 * same address under Frontier's.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/keccak.h"
#include "primitives/tx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct tx_rules rule_sets[] = {
    {false, false, 0},          /* Frontier */
    {true, false, 0},           /* Homestead */
    {true, true, 1},            /* Spurious Dragon.., Ethereum mainnet */
    {true, true, 20180430},     /* a Spectrum-like chain id */
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tx tx;
    if (tx_decode(data, size, &tx) != 0) {
        if (tx.data != NULL)
            abort();            /* a failed decode owns nothing */
        return 0;
    }
    struct bytes out = BYTES_INIT;
    if (tx_encode(&tx, &out) == 0 &&
        (out.len != size || memcmp(out.data, data, size) != 0))
        abort();
    bytes_free(&out);

    uint8_t h[32], h2[32];
    if (tx_hash(&tx, h) == 0) {
        keccak256(data, size, h2);
        if (memcmp(h, h2, 32) != 0)
            abort();
    }
    bool prot;
    u256 cid;
    (void)tx_chain_id(&tx, &prot, &cid);

    struct address senders[4];
    int rcs[4];
    for (size_t i = 0; i < 4; i++) {
        rcs[i] = tx_sender(&tx, &rule_sets[i], &senders[i]);
        (void)tx_validate(&tx, &rule_sets[i], NULL);
        (void)tx_intrinsic_gas(&tx, rule_sets[i].homestead);
    }
    /* an unprotected tx valid under Homestead is valid, as the same sender,
     * under Frontier */
    if (rcs[1] == 0 && (rcs[0] != 0 || !address_eq(&senders[0], &senders[1])))
        abort();
    tx_free(&tx);
    return 0;
}
