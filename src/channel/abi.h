/*
 * abi.h — a small Solidity ABI coder for the channel contracts
 * (contrib/contracts/TokensNetwork.sol, SecretRegistry.sol, SMTToken.sol and
 * the ERC20 / ERC223 calls the hub makes).
 *
 * Only the types those contracts use are supported: the static one-word
 * types uint256, uint64, uint8, bool, address, bytes32 and bytes24, and
 * dynamic `bytes`. Call data is selector ‖ head ‖ tail in the standard
 * layout: a static argument is its word in the head, a `bytes` argument is
 * an offset word in the head and (length word ‖ data padded with zeros to
 * whole words) in the tail.
 *
 * Decoding is strict, because what is decoded (return data of a view call,
 * the data part of a log) comes from a contract whose output we know
 * exactly: the input must have exactly the canonical length, every word
 * must be clean (no bits above a uint64 / uint8 / address, bool 0 or 1,
 * bytes24 with its low 8 bytes zero), and a `bytes` value must sit at the
 * canonical offset with zero padding. Anything else is ERR_DECODE, never a
 * crash: a reply of the wrong shape means we talk to the wrong contract.
 *
 * Why it is shaped this way: the hub calls about twenty functions with at
 * most nine arguments each; a table-driven coder over a tagged value keeps
 * every call-data builder in contract.c a short list of arguments that can
 * be held against the Solidity signature. Nothing is global; selectors are
 * computed from the signature text on each call (one keccak of < 200
 * bytes), so there is no lazy state and everything is thread-safe.
 */
#ifndef SPECTRUM_CHANNEL_ABI_H
#define SPECTRUM_CHANNEL_ABI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "primitives/u256.h"
#include "util/bytes.h"

#define ABI_WORD 32
/* Most arguments (or return values) one call or decode handles. */
#define ABI_MAX_ARGS 12
/* Longest `bytes` value encoded or decoded (signatures are 65 bytes, merkle
 * proofs at most 320, deposit data 96: 64 KiB is far above any of them). */
#define ABI_BYTES_MAX (64u * 1024u)

enum abi_type {
    ABI_UINT256,
    ABI_UINT64,
    ABI_UINT8,
    ABI_BOOL,
    ABI_ADDRESS,
    ABI_BYTES32,
    ABI_BYTES24,
    ABI_BYTES,      /* dynamic */
};

/* One argument or decoded value. Only the member of its type is meaningful.
 * For ABI_BYTES, `bytes.p` is borrowed: when encoding it points at the
 * caller's data (may be NULL when len is 0); when decoding it points into
 * the decoded input, valid as long as that input is. */
struct abi_value {
    enum abi_type type;
    union {
        u256 u256;
        uint64_t u64;
        uint8_t u8;
        bool b;
        uint8_t addr[20];
        uint8_t b32[32];
        uint8_t b24[24];
        struct {
            const uint8_t *p;
            size_t len;
        } bytes;
    } v;
};

/* Constructors for argument lists (pure, by value). */
struct abi_value abi_u256(const u256 *x);
struct abi_value abi_u64(uint64_t x);
struct abi_value abi_u8(uint8_t x);
struct abi_value abi_bool(bool x);
struct abi_value abi_addr(const uint8_t a[20]);
struct abi_value abi_b32(const uint8_t b[32]);
struct abi_value abi_bytes(const uint8_t *p, size_t len);

/* out = the first 4 bytes of keccak256(signature), the function selector of
 * a canonical signature such as "transfer(address,uint256)".
 * In: signature (NUL-terminated, no spaces). */
void abi_selector(const char *signature, uint8_t out[4]);

/* out = keccak256(signature), the topic0 of a non-anonymous event such as
 * "SecretRevealed(bytes32)". */
void abi_event_topic(const char *signature, uint8_t out[32]);

/* Appends selector ‖ encoded args to out (out is not cleared first).
 * Returns: 0; ERR_RANGE when n > ABI_MAX_ARGS or a `bytes` value is longer
 *          than ABI_BYTES_MAX; ERR_INVAL for an unknown type tag or a NULL
 *          pointer with a non-zero length; ERR_NOMEM. On error out may hold
 *          a partial encoding (the caller discards it).
 * In: selector (may be NULL: then only the arguments are encoded, as in
 *     return data or the data part of a log), args[0..n). */
int abi_encode(const uint8_t selector[4], const struct abi_value *args, size_t n, struct bytes *out);

/* Decodes data[0..len) as the tuple of types[0..n), strictly (see the top
 * of this file).
 * Returns: 0; ERR_DECODE when the length is not exactly the canonical one,
 *          a word is dirty, or a `bytes` offset / length / padding is not
 *          canonical (context names the value's index); ERR_RANGE when
 *          n > ABI_MAX_ARGS or a `bytes` value is longer than
 *          ABI_BYTES_MAX. On error out is unspecified.
 * In: data (may be NULL when len is 0), types. Out: out[0..n) (ABI_BYTES
 *     values borrow from data). */
int abi_decode(const uint8_t *data, size_t len, const enum abi_type *types, size_t n,
               struct abi_value *out);

/* Decodes one static word of type t (not ABI_BYTES) strictly: the check
 * abi_decode applies to each head word. Used for indexed event topics.
 * Returns: 0, ERR_DECODE for a dirty word, ERR_INVAL for ABI_BYTES. */
int abi_decode_word(const uint8_t word[32], enum abi_type t, struct abi_value *out);

#endif
