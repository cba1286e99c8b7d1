/*
 * fuzz_meshbox_book.c — libFuzzer target for the receipt book's record
 * decoder (meshbox/book.h, mb_entry_decode_value): the bytes a node reads
 * back from <netdir>/meshbox/, which a damaged disk or a hand-edited
 * database can make anything.
 *
 * Properties:
 *   1. the decoder never crashes, never reads outside the input, leaks
 *      nothing, and refuses more than MB_ENTRY_VALUE_MAX bytes;
 *   2. what decodes re-encodes to exactly the same bytes (one encoding per
 *      record), with a known status;
 *   3. checking the decoded receipt's signature never crashes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/ecdsa.h"
#include "meshbox/book.h"
#include "meshbox/receipt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) {
        if (ecdsa_init() != 0)
            abort();
        ready = 1;
    }
    struct mb_entry e;
    memset(&e, 0, sizeof e);
    if (mb_entry_decode_value(data, size, &e) != 0)
        return 0;
    if (size > MB_ENTRY_VALUE_MAX || e.status > MB_EXPIRED)
        abort();
    struct bytes enc = {0};
    if (mb_entry_encode_value(&e, &enc) != 0)
        abort();
    if (enc.len != size || memcmp(enc.data, data, size) != 0)
        abort();
    bytes_free(&enc);
    u256 chain = u256_from_u64(1397769539u);
    (void)mb_receipt_verify(&e.r, &chain);
    return 0;
}
