/*
 * snappy.h — the Snappy block format, as devp2p base protocol v5 uses it to
 * compress every message payload after the Hello exchange.
 *
 * Only the block format (a varint of the uncompressed length, then literal
 * and copy elements) is here; the framing format with its CRCs is not used
 * by devp2p. The compressor is a single-pass hash-table matcher over 64 KiB
 * blocks (so every copy offset fits in two bytes); it trades ratio for speed
 * because it runs on every message a peer is sent. Its output is valid
 * Snappy that any decoder reads, but not byte-identical to Google's.
 *
 * The decompressor reads bytes from the network: it never reads past its
 * input nor writes past its output buffer, and every malformed input is
 * ERR_DECODE. The declared length is capped by the caller (devp2p refuses
 * more than SNAPPY_DEVP2P_MAX bytes) before any buffer is sized.
 *
 * Nothing here allocates except snappy_decompress_alloc; no global state,
 * so every function is safe from any thread on distinct buffers.
 */
#ifndef SPECTRUM_NET_SNAPPY_H
#define SPECTRUM_NET_SNAPPY_H

#include <stddef.h>
#include <stdint.h>

/* Largest decoded message devp2p accepts (geth's p2p/rlpx: 2^24 - 1). */
#define SNAPPY_DEVP2P_MAX ((size_t)0xffffff)

/* Largest input the format can describe (the length varint is 32 bits). */
#define SNAPPY_MAX_INPUT ((size_t)0xffffffff)

/* Returns the largest output snappy_compress can produce for n input bytes
 * (32 + n + n/6, the format's worst case), or 0 when n is over
 * SNAPPY_MAX_INPUT. */
size_t snappy_max_compressed_length(size_t n);

/* Compresses in[0..n) into out.
 * Returns: 0; ERR_RANGE when n is over SNAPPY_MAX_INPUT or out_cap is less
 *          than snappy_max_compressed_length(n) (nothing is written then).
 * In:  in (may be NULL when n == 0), n.
 * Out: out (out_cap bytes, owned by the caller), *out_len the bytes written.
 * Uses about 32 KiB of stack for its hash table. */
int snappy_compress(const uint8_t *in, size_t n, uint8_t *out, size_t out_cap, size_t *out_len);

/* Reads the uncompressed length from the varint at the start of in.
 * Returns: 0; ERR_DECODE when the varint is truncated, longer than 5 bytes
 *          or over 32 bits.
 * Out: *len the declared length (not checked against any cap: the caller
 *      compares it with its own limit before allocating). */
int snappy_uncompressed_length(const uint8_t *in, size_t n, size_t *len);

/* Decompresses in[0..n) into out[0..out_cap).
 * Returns: 0; ERR_RANGE when the declared length is over out_cap (nothing is
 *          written); ERR_DECODE for any malformed input: a bad varint, a
 *          literal or copy that runs past the input or the declared length,
 *          a copy offset of 0 or before the start of the output, or an
 *          output that ends short of the declared length. The context says
 *          which. On error out holds garbage.
 * Out: out, *out_len the decoded length (= the declared length). */
int snappy_decompress(const uint8_t *in, size_t n, uint8_t *out, size_t out_cap, size_t *out_len);

/* Decompresses into a fresh buffer, refusing a declared length over max
 * (ERR_RANGE) before allocating. Returns as snappy_decompress, or
 * ERR_NOMEM. Out: *out (caller frees; NULL for an empty result), *out_len. */
int snappy_decompress_alloc(const uint8_t *in, size_t n, size_t max, uint8_t **out,
                            size_t *out_len);

#endif
