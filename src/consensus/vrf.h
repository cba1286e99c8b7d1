/*
 * vrf.h — Spectrum's secp256k1 VRF (spec/spectrum.md §3): the value and
 * proof a block producer puts in header.extra[0:161] from SIP100 on.
 *
 * The construction is Google keytransparency's ECVRF-like scheme ported to
 * secp256k1 by Spectrum. With G the base point, N the group order, k the
 * producer's secret key and PK = [k]G:
 *
 *   H1(m): for i = 0..99, x = SHA-512(BE32(i) ‖ m)[0:32]; the first x for
 *          which 0x02 ‖ x decodes to a curve point (even y) gives H.
 *   H2(m): for i = 0,1,..., k = SHA-512(BE32(i) ‖ m)[0:32] as an integer;
 *          the first k < N−1 gives k+1 (so 1 <= H2 <= N−1).
 *   prove: H = H1(m), U = [k]H, r random in [1, N−1],
 *          s = H2(G ‖ H ‖ PK ‖ U ‖ [r]G ‖ [r]H), t = (r − s·k) mod N;
 *          proof = s(32) ‖ t(32) ‖ U(65), index = SHA-256(U).
 *   verify: A = [t]G + [s]PK, B = [t]H1(m) + [s]U,
 *          accept iff s == H2(G ‖ H ‖ PK ‖ U ‖ A ‖ B); output SHA-256(U).
 * Every point is hashed in its 65-byte uncompressed form 04 ‖ X ‖ Y.
 *
 * A block's message is minimal_big_endian(parent number) ‖ parent.extra[0:32]
 * (vrf_block_message), and its extra starts with index ‖ proof (161 bytes,
 * the layout vrf_prove writes and vrf_verify_extra reads).
 *
 * Point arithmetic is libsecp256k1's public API; the one scalar formula
 * (t = r − s·k mod N) uses primitives/u256. Go's quirks at the edges, and
 * which of them we reproduce, are in doc/tribe.md ("VRF").
 *
 * Every function is safe from any thread. Secret inputs are not kept.
 */
#ifndef SPECTRUM_CONSENSUS_VRF_H
#define SPECTRUM_CONSENSUS_VRF_H

#include <stddef.h>
#include <stdint.h>

#define VRF_INDEX_LEN 32
#define VRF_POINT_LEN 65
#define VRF_PROOF_LEN 129                           /* s ‖ t ‖ U */
#define VRF_OUTPUT_LEN (VRF_INDEX_LEN + VRF_PROOF_LEN) /* 161: index ‖ proof */
/* The longest block message: 8 bytes of number and 32 of parent extra. */
#define VRF_BLOCK_MSG_MAX 40
/* Messages longer than this are refused (the node only hashes 40 bytes). */
#define VRF_MSG_MAX (1u << 20)

/* Hashes m to a curve point (H1 above).
 * Returns: 0; ERR_CRYPTO when none of the 100 candidates is on the curve
 *          (probability about 2^-100); ERR_RANGE when len > VRF_MSG_MAX;
 *          ERR_NOMEM.
 * In: m (may be NULL when len is 0). Out: point = 04 ‖ X ‖ Y. */
int vrf_h1(const uint8_t *m, size_t len, uint8_t point[VRF_POINT_LEN]);

/* Hashes m to a scalar in [1, N−1] (H2 above), big-endian.
 * Returns: 0, ERR_RANGE when len > VRF_MSG_MAX, ERR_NOMEM or ERR_CRYPTO
 *          (hash failure). */
int vrf_h2(const uint8_t *m, size_t len, uint8_t k[32]);

/* Evaluates the VRF of m under secret key sk with a fresh random nonce.
 * Returns: 0; ERR_CRYPTO for an invalid sk (0 or >= N), when H1 fails or
 *          randomness is unavailable; ERR_RANGE/ERR_NOMEM as vrf_h1.
 * Out: out = index(32) ‖ s(32) ‖ t(32) ‖ U(65), the 161 bytes of a block's
 *      extra. The proof differs on every call; the index does not. */
int vrf_prove(const uint8_t sk[32], const uint8_t *m, size_t len,
              uint8_t out[VRF_OUTPUT_LEN]);

/* vrf_prove with the nonce r given (r must be in [1, N−1]): deterministic,
 * for tests and known-answer checks. Never reuse an r with the same sk for
 * two messages: that reveals sk.
 * Returns as vrf_prove; also ERR_CRYPTO for an invalid r, or when r happens
 * to give t = 0 (a proof Spectrum's verifier would refuse). */
int vrf_prove_with_nonce(const uint8_t sk[32], const uint8_t r[32], const uint8_t *m, size_t len,
                         uint8_t out[VRF_OUTPUT_LEN]);

/* Verifies a proof of m under public key pub (64 bytes X ‖ Y, as
 * crypto/ecdsa.h returns it) and outputs its index (Go's ProofToHash).
 * Refused (ERR_CRYPTO, with the reason in the error context): proof_len not
 * 129; U not 04 ‖ X ‖ Y of a curve point; pub not a curve point; s or t zero
 * or >= N; H1(m) failing; s not matching.
 * Returns: 0, ERR_CRYPTO, ERR_RANGE (len > VRF_MSG_MAX) or ERR_NOMEM.
 * Out: index = SHA-256(U) (written only on success; may be NULL). */
int vrf_verify(const uint8_t pub[64], const uint8_t *m, size_t len, const uint8_t *proof,
               size_t proof_len, uint8_t index[VRF_INDEX_LEN]);

/* Verifies the 161-byte VRF part of a block's extra (Spectrum's
 * SimpleVRFVerify): vrf_verify(pub, m, extra[32..161]) and then
 * extra[0:32] == the output index.
 * Returns: 0, or the errors of vrf_verify (ERR_CRYPTO for a wrong index). */
int vrf_verify_extra(const uint8_t pub[64], const uint8_t *m, size_t len,
                     const uint8_t extra[VRF_OUTPUT_LEN]);

/* Builds block n's VRF message from its parent: the parent's number as a
 * minimal big-endian integer (no bytes for 0) ‖ parent_extra[0:32].
 * Returns: 0, or ERR_RANGE when parent_extra_len < 32.
 * Out: out[0..*out_len), *out_len <= VRF_BLOCK_MSG_MAX. */
int vrf_block_message(uint64_t parent_number, const uint8_t *parent_extra, size_t parent_extra_len,
                      uint8_t out[VRF_BLOCK_MSG_MAX], size_t *out_len);

#endif
