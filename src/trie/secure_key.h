/*
 * secure_key.h — keccak256 of a secure trie's keys, remembered per thread.
 *
 * Why: a secure trie (accounts, storage) walks the path of keccak256(key),
 * and the same few keys come back again and again — the chief contract's
 * slots and the producer's account are read by every block's views and
 * transactions, each time through a fresh state. The hash was 7 % of the
 * chain thread's time per automine block. A direct-mapped table of the
 * last keys per thread answers a repeat for a compare of 32 bytes; a miss
 * costs what the hash always cost. Nothing to invalidate: the value is a
 * pure function of the key.
 */
#ifndef SPECTRUM_TRIE_SECURE_KEY_H
#define SPECTRUM_TRIE_SECURE_KEY_H

#include <stddef.h>
#include <stdint.h>

/* Slots per thread (each 72 bytes). */
#define SECURE_KEY_SLOTS 256

/* out = keccak256(key[0..klen)); keys up to 32 bytes are remembered. */
void secure_key_hash(const uint8_t *key, size_t klen, uint8_t out[32]);

#endif
