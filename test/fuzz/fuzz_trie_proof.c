/*
 * fuzz_trie_proof.c — libFuzzer target for trie proof verification (proofs
 * come from RPC peers and light clients: outside input).
 *
 * Property: trie_verify_proof never crashes, leaks or reads out of bounds on
 * any root, key and node list; and on proofs made by trie_prove it agrees
 * with the trie, while any flipped byte makes it reject the proof.
 *
 * Input, first byte = mode:
 *   mode 0, 1: [root 32][klen 1][key][len 2][node]...  (mode 1 replaces the
 *              root by keccak256 of the first node, so the decoder is reached
 *              past the hash check and embedded nodes get exercised);
 *   mode 2, 3: [klen 1][key][vlen 1][value]... pairs built into a trie, then
 *              the first pair's key (mode 2) or a key made from the last
 *              bytes (mode 3) is proved, verified, and verified again with
 *              one byte flipped.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/keccak.h"
#include "trie/trie.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_NODES 64

static void raw_mode(const uint8_t *data, size_t size, bool hash_first)
{
    uint8_t root[32];
    const uint8_t *nodes[MAX_NODES];
    size_t lens[MAX_NODES], count = 0;
    if (size < 33)
        return;
    memcpy(root, data, 32);
    size_t klen = data[32] % 80, p = 33;
    if (size - p < klen)
        return;
    const uint8_t *key = data + p;
    p += klen;
    while (size - p >= 2 && count < MAX_NODES) {
        size_t n = (size_t)data[p] << 8 | data[p + 1];
        p += 2;
        if (n > size - p)
            n = size - p;
        nodes[count] = data + p;
        lens[count++] = n;
        p += n;
    }
    if (hash_first && count)
        keccak256(nodes[0], lens[0], root);
    bool found = true;
    const uint8_t *val = NULL;
    size_t vlen = 7;
    int rc = trie_verify_proof(root, key, klen, nodes, lens, count, &found, &val, &vlen);
    if (rc != 0 && (found || val || vlen))
        abort();                         /* a rejected proof proves nothing */
    if (rc == 0 && found) {
        /* The value points inside one of the nodes. */
        bool inside = false;
        for (size_t i = 0; i < count && !inside; i++)
            inside = val >= nodes[i] && val + vlen <= nodes[i] + lens[i];
        if (!inside || vlen == 0)
            abort();
    }
}

static void roundtrip_mode(const uint8_t *data, size_t size, bool last_key)
{
    struct trie *t = NULL;
    if (trie_open(NULL, NULL, 0, &t) != 0)
        return;
    const uint8_t *first = NULL;
    size_t first_len = 0, p = 0;
    while (size - p >= 2) {
        size_t klen = data[p++] % 40;
        if (size - p < klen + 1)
            break;
        const uint8_t *k = data + p;
        p += klen;
        size_t vlen = data[p++] % 70;
        if (size - p < vlen)
            vlen = size - p;
        if (trie_put(t, k, klen, data + p, vlen) != 0)
            abort();
        if (!first) {
            first = k;
            first_len = klen;
        }
        p += vlen;
    }
    const uint8_t *key = first ? first : data;
    size_t klen = first ? first_len : 0;
    if (last_key) {
        klen = size < 8 ? size : 8;
        key = data + size - klen;
    }
    uint8_t root[32];
    struct trie_proof proof = {0};
    const uint8_t *want;
    size_t want_len;
    if (trie_root_hash(t, root) != 0 || trie_get(t, key, klen, &want, &want_len) != 0 ||
        trie_prove(t, key, klen, &proof) != 0)
        abort();
    bool found;
    const uint8_t *val;
    size_t vlen;
    int rc = trie_verify_proof(root, key, klen, (const uint8_t *const *)proof.node, proof.len,
                               proof.count, &found, &val, &vlen);
    if (rc != 0 || found != (want_len > 0) || vlen != want_len ||
        (vlen && memcmp(val, want, vlen) != 0))
        abort();
    if (proof.count) {
        size_t i = (size_t)data[0] % proof.count;
        size_t b = size > 1 ? ((size_t)data[1] * 131 + size) % proof.len[i] : 0;
        proof.node[i][b] ^= (uint8_t)(size | 1);
        rc = trie_verify_proof(root, key, klen, (const uint8_t *const *)proof.node, proof.len,
                               proof.count, &found, &val, &vlen);
        if (rc == 0)
            abort();
    }
    trie_proof_free(&proof);
    trie_free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    switch (data[0] & 3) {
    case 0: raw_mode(data + 1, size - 1, false); break;
    case 1: raw_mode(data + 1, size - 1, true); break;
    case 2: roundtrip_mode(data + 1, size - 1, false); break;
    default: roundtrip_mode(data + 1, size - 1, true); break;
    }
    return 0;
}
