/*
 * keccak.c — Keccak-256 (Ethereum's hash); see keccak.h.
 *
 * Why it looks like this: hashing is on every hot path of a node (trie
 * nodes, addresses, storage keys, block and transaction hashes), so the
 * permutation is written for speed rather than brevity. On this project's
 * x86-64 machines it runs at or above the speed of OpenSSL's assembly
 * SHA3-256 (same permutation); `bench_spectrum keccak` measures the ratio.
 *
 *  - The 25 lanes live in local variables for the whole of an absorb call,
 *    and each round is written out in full: no index arithmetic, constant
 *    rotation counts. Two rounds per loop iteration (lanes a → e → a), so no
 *    lane is ever copied.
 *  - Input is absorbed 8 bytes at a time straight from the caller's buffer
 *    with little-endian loads (memcpy, which compilers turn into one load);
 *    big-endian hosts get a byte-assembling load instead (compile time).
 *  - keccak256() handles short inputs (32/64 bytes are the common case)
 *    with one padded block on the stack and one permutation, without the
 *    incremental machinery.
 *  - Two variants of the chi step  a[x] ^= ~a[x+1] & a[x+2]:
 *    * Baseline (any CPU): lane complementing. Six lanes, the set P below,
 *      are kept inverted, so that chi needs one NOT per row of five lanes
 *      instead of five; the other lanes use AND or OR of the stored,
 *      possibly inverted, values. Which lanes are inverted at chi's input
 *      follows from P (theta flips the inversion of whole columns, rho/pi
 *      move lanes); for each output lane we chose AND or OR and which input
 *      to invert so that the output is inverted exactly on P again, with a
 *      single inverted input per row. The inversion is applied when lanes
 *      are loaded and undone when they are stored, so the state seen
 *      outside (struct keccak_ctx, keccak_f1600) is the plain Keccak state.
 *    * x86-64 with BMI1/BMI2 (chosen at run time from the CPU's feature
 *      bits, a load and a test per call): plain chi, which the compiler maps
 *      to the three-operand and-not (andn) and rotate (rorx) instructions;
 *      no register copies are needed, and it is about 15% faster.
 *
 * Lane naming in the macros: aXY is the lane at column X, row Y (index
 * X + 5*Y in the flat array). The macros use the locals c0..c4, d0..d4,
 * b0..b4 and nb declared by the round.
 */
#include "crypto/keccak.h"

#include <string.h>

/* KECCAK_PORTABLE=1 (a test build uses it) forces the byte-wise loads and
 * the baseline permutation, i.e. what a big-endian or non-x86 host runs. */
#ifndef KECCAK_PORTABLE
#define KECCAK_PORTABLE 0
#endif

#if !KECCAK_PORTABLE && defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define KECCAK_LITTLE_ENDIAN 1
#else
#define KECCAK_LITTLE_ENDIAN 0
#endif

#if !KECCAK_PORTABLE && defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define KECCAK_X86_DISPATCH 1
#else
#define KECCAK_X86_DISPATCH 0
#endif

/* Reads 8 bytes as a little-endian 64-bit lane. */
static inline uint64_t load64(const uint8_t *p)
{
#if KECCAK_LITTLE_ENDIAN
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
#else
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
#endif
}

/* Writes a lane as 8 little-endian bytes. */
static inline void store64(uint8_t *p, uint64_t v)
{
#if KECCAK_LITTLE_ENDIAN
    memcpy(p, &v, 8);
#else
    for (int i = 0; i < 8; i++) {
        p[i] = (uint8_t)v;
        v >>= 8;
    }
#endif
}

#define ROL64(x, n) (((x) << (n)) | ((x) >> (64 - (n))))

static const uint64_t RC[24] = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL,
    0x8000000080008000ULL, 0x000000000000808bULL, 0x0000000080000001ULL,
    0x8000000080008081ULL, 0x8000000000008009ULL, 0x000000000000008aULL,
    0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
    0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL,
    0x8000000000008003ULL, 0x8000000000008002ULL, 0x8000000000000080ULL,
    0x000000000000800aULL, 0x800000008000000aULL, 0x8000000080008081ULL,
    0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};

/* theta: the column parities c and the values d[x] XORed into column x. */
#define THETA(A) do { \
    c0 = A##00 ^ A##01 ^ A##02 ^ A##03 ^ A##04; \
    c1 = A##10 ^ A##11 ^ A##12 ^ A##13 ^ A##14; \
    c2 = A##20 ^ A##21 ^ A##22 ^ A##23 ^ A##24; \
    c3 = A##30 ^ A##31 ^ A##32 ^ A##33 ^ A##34; \
    c4 = A##40 ^ A##41 ^ A##42 ^ A##43 ^ A##44; \
    d0 = c4 ^ ROL64(c1, 1); \
    d1 = c0 ^ ROL64(c2, 1); \
    d2 = c1 ^ ROL64(c3, 1); \
    d3 = c2 ^ ROL64(c4, 1); \
    d4 = c3 ^ ROL64(c0, 1); \
} while (0)

/* rho and pi: b0..b4 = the five lanes that land in output row y, each with
 * its theta value applied and rotated by its constant. */
#define ROW0(A) do { \
    b0 = A##00 ^ d0; \
    b1 = ROL64(A##11 ^ d1, 44); \
    b2 = ROL64(A##22 ^ d2, 43); \
    b3 = ROL64(A##33 ^ d3, 21); \
    b4 = ROL64(A##44 ^ d4, 14); \
} while (0)
#define ROW1(A) do { \
    b0 = ROL64(A##30 ^ d3, 28); \
    b1 = ROL64(A##41 ^ d4, 20); \
    b2 = ROL64(A##02 ^ d0, 3); \
    b3 = ROL64(A##13 ^ d1, 45); \
    b4 = ROL64(A##24 ^ d2, 61); \
} while (0)
#define ROW2(A) do { \
    b0 = ROL64(A##10 ^ d1, 1); \
    b1 = ROL64(A##21 ^ d2, 6); \
    b2 = ROL64(A##32 ^ d3, 25); \
    b3 = ROL64(A##43 ^ d4, 8); \
    b4 = ROL64(A##04 ^ d0, 18); \
} while (0)
#define ROW3(A) do { \
    b0 = ROL64(A##40 ^ d4, 27); \
    b1 = ROL64(A##01 ^ d0, 36); \
    b2 = ROL64(A##12 ^ d1, 10); \
    b3 = ROL64(A##23 ^ d2, 15); \
    b4 = ROL64(A##34 ^ d3, 56); \
} while (0)
#define ROW4(A) do { \
    b0 = ROL64(A##20 ^ d2, 62); \
    b1 = ROL64(A##31 ^ d3, 55); \
    b2 = ROL64(A##42 ^ d4, 39); \
    b3 = ROL64(A##03 ^ d0, 41); \
    b4 = ROL64(A##14 ^ d1, 2); \
} while (0)

/* chi on lane-complemented rows: row y of E from b0..b4, where nb is the
 * one inverted input the row needs (see the top comment). */
#define CHI_LC0(E) do { \
    nb = ~b2; \
    E##00 = b0 ^ (b1 | b2); \
    E##10 = b1 ^ (nb | b3); \
    E##20 = b2 ^ (b3 & b4); \
    E##30 = b3 ^ (b4 | b0); \
    E##40 = b4 ^ (b0 & b1); \
} while (0)
#define CHI_LC1(E) do { \
    nb = ~b4; \
    E##01 = b0 ^ (b1 | b2); \
    E##11 = b1 ^ (b2 & b3); \
    E##21 = b2 ^ (b3 | nb); \
    E##31 = b3 ^ (b4 | b0); \
    E##41 = b4 ^ (b0 & b1); \
} while (0)
#define CHI_LC2(E) do { \
    nb = ~b3; \
    E##02 = b0 ^ (b1 | b2); \
    E##12 = b1 ^ (b2 & b3); \
    E##22 = b2 ^ (nb & b4); \
    E##32 = nb ^ (b4 | b0); \
    E##42 = b4 ^ (b0 & b1); \
} while (0)
#define CHI_LC3(E) do { \
    nb = ~b3; \
    E##03 = b0 ^ (b1 & b2); \
    E##13 = b1 ^ (b2 | b3); \
    E##23 = b2 ^ (nb | b4); \
    E##33 = nb ^ (b4 & b0); \
    E##43 = b4 ^ (b0 | b1); \
} while (0)
#define CHI_LC4(E) do { \
    nb = ~b1; \
    E##04 = b0 ^ (nb & b2); \
    E##14 = nb ^ (b2 | b3); \
    E##24 = b2 ^ (b3 & b4); \
    E##34 = b3 ^ (b4 | b0); \
    E##44 = b4 ^ (b0 & b1); \
} while (0)

/* plain chi for row y (and-not form). */
#define CHI_ANDN(E, y) do { \
    E##0##y = b0 ^ (~b1 & b2); \
    E##1##y = b1 ^ (~b2 & b3); \
    E##2##y = b2 ^ (~b3 & b4); \
    E##3##y = b3 ^ (~b4 & b0); \
    E##4##y = b4 ^ (~b0 & b1); \
} while (0)

/* One full round, lanes A.. → lanes E.., lane-complemented on both sides
 * with P = {a10, a20, a31, a22, a23, a04}. */
#define ROUND_LC(A, E, rc) do { \
    uint64_t c0, c1, c2, c3, c4, d0, d1, d2, d3, d4, b0, b1, b2, b3, b4, nb; \
    THETA(A); \
    ROW0(A); CHI_LC0(E); \
    ROW1(A); CHI_LC1(E); \
    ROW2(A); CHI_LC2(E); \
    ROW3(A); CHI_LC3(E); \
    ROW4(A); CHI_LC4(E); \
    E##00 ^= (rc); \
} while (0)

/* One full round, lanes A.. → lanes E.., plain representation. */
#define ROUND_ANDN(A, E, rc) do { \
    uint64_t c0, c1, c2, c3, c4, d0, d1, d2, d3, d4, b0, b1, b2, b3, b4; \
    THETA(A); \
    ROW0(A); CHI_ANDN(E, 0); \
    ROW1(A); CHI_ANDN(E, 1); \
    ROW2(A); CHI_ANDN(E, 2); \
    ROW3(A); CHI_ANDN(E, 3); \
    ROW4(A); CHI_ANDN(E, 4); \
    E##00 ^= (rc); \
} while (0)

#define DECLARE_LANES(p) \
    uint64_t p##00, p##10, p##20, p##30, p##40, p##01, p##11, p##21, p##31, p##41, \
        p##02, p##12, p##22, p##32, p##42, p##03, p##13, p##23, p##33, p##43, \
        p##04, p##14, p##24, p##34, p##44

/* Flat state → lanes; m is the inversion mask for the lanes of P (~0 for
 * the lane-complemented variant, 0 for the plain one). */
#define LOAD_LANES(p, s, m) do { \
    p##00 = s[0];       p##10 = s[1] ^ (m); p##20 = s[2] ^ (m); p##30 = s[3]; \
    p##40 = s[4];       p##01 = s[5];       p##11 = s[6];       p##21 = s[7]; \
    p##31 = s[8] ^ (m); p##41 = s[9];       p##02 = s[10];      p##12 = s[11]; \
    p##22 = s[12] ^ (m); p##32 = s[13];     p##42 = s[14];      p##03 = s[15]; \
    p##13 = s[16];      p##23 = s[17] ^ (m); p##33 = s[18];     p##43 = s[19]; \
    p##04 = s[20] ^ (m); p##14 = s[21];     p##24 = s[22];      p##34 = s[23]; \
    p##44 = s[24]; \
} while (0)

/* Lanes → flat state, undoing the inversion mask m. */
#define STORE_LANES(p, s, m) do { \
    s[0] = p##00;       s[1] = p##10 ^ (m); s[2] = p##20 ^ (m); s[3] = p##30; \
    s[4] = p##40;       s[5] = p##01;       s[6] = p##11;       s[7] = p##21; \
    s[8] = p##31 ^ (m); s[9] = p##41;       s[10] = p##02;      s[11] = p##12; \
    s[12] = p##22 ^ (m); s[13] = p##32;     s[14] = p##42;      s[15] = p##03; \
    s[16] = p##13;      s[17] = p##23 ^ (m); s[18] = p##33;     s[19] = p##43; \
    s[20] = p##04 ^ (m); s[21] = p##14;     s[22] = p##24;      s[23] = p##34; \
    s[24] = p##44; \
} while (0)

/* XORs one 136-byte block (17 lanes) from `in` into the lanes. */
#define ABSORB_BLOCK(p, in) do { \
    p##00 ^= load64(in + 0);   p##10 ^= load64(in + 8);   p##20 ^= load64(in + 16); \
    p##30 ^= load64(in + 24);  p##40 ^= load64(in + 32);  p##01 ^= load64(in + 40); \
    p##11 ^= load64(in + 48);  p##21 ^= load64(in + 56);  p##31 ^= load64(in + 64); \
    p##41 ^= load64(in + 72);  p##02 ^= load64(in + 80);  p##12 ^= load64(in + 88); \
    p##22 ^= load64(in + 96);  p##32 ^= load64(in + 104); p##42 ^= load64(in + 112); \
    p##03 ^= load64(in + 120); p##13 ^= load64(in + 128); \
} while (0)

/* The body of a function (uint64_t st[25], const uint8_t *in, size_t
 * nblocks): absorbs nblocks (>= 1) full blocks from `in` into st, permuting
 * after each; with in == NULL nothing is absorbed and st is permuted
 * nblocks times. ROUND is ROUND_LC or ROUND_ANDN, MASK the matching
 * inversion mask. The lanes stay in locals across blocks. */
#define ABSORB_BODY(ROUND, MASK) do { \
    DECLARE_LANES(a); \
    DECLARE_LANES(e); \
    LOAD_LANES(a, st, MASK); \
    do { \
        if (in) { \
            ABSORB_BLOCK(a, in); \
            in += KECCAK256_RATE; \
        } \
        for (int r_ = 0; r_ < 24; r_ += 2) { \
            ROUND(a, e, RC[r_]); \
            ROUND(e, a, RC[r_ + 1]); \
        } \
    } while (--nblocks); \
    STORE_LANES(a, st, MASK); \
} while (0)

static void absorb_lc(uint64_t st[25], const uint8_t *in, size_t nblocks)
{
    ABSORB_BODY(ROUND_LC, ~(uint64_t)0);
}

#if KECCAK_X86_DISPATCH
__attribute__((target("bmi,bmi2")))
static void absorb_andn(uint64_t st[25], const uint8_t *in, size_t nblocks)
{
    ABSORB_BODY(ROUND_ANDN, (uint64_t)0);
}
#endif

/* Absorbs with the best variant for this CPU; nblocks >= 1. */
static void absorb_blocks(uint64_t st[25], const uint8_t *in, size_t nblocks)
{
#if KECCAK_X86_DISPATCH
    if (__builtin_cpu_supports("bmi2")) {
        absorb_andn(st, in, nblocks);
        return;
    }
#endif
    absorb_lc(st, in, nblocks);
}

void keccak_f1600(uint64_t st[25])
{
    absorb_blocks(st, NULL, 1);
}

/* XORs n bytes (n <= RATE - pos) into the state at byte offset pos. Used only
 * for the partial blocks at the edges of an update, so it favours simplicity:
 * bytes until 8-aligned, then whole lanes, then bytes. */
static void xor_bytes(uint64_t st[25], size_t pos, const uint8_t *p, size_t n)
{
    while (n && (pos & 7)) {
        st[pos >> 3] ^= (uint64_t)*p++ << (8 * (pos & 7));
        pos++;
        n--;
    }
    while (n >= 8) {
        st[pos >> 3] ^= load64(p);
        p += 8;
        pos += 8;
        n -= 8;
    }
    while (n) {
        st[pos >> 3] ^= (uint64_t)*p++ << (8 * (pos & 7));
        pos++;
        n--;
    }
}

/* Writes the first 32 bytes of the state (the digest). */
static void squeeze32(const uint64_t st[25], uint8_t out[32])
{
    store64(out, st[0]);
    store64(out + 8, st[1]);
    store64(out + 16, st[2]);
    store64(out + 24, st[3]);
}

void keccak256_init(struct keccak_ctx *c)
{
    memset(c, 0, sizeof *c);
}

void keccak256_update(struct keccak_ctx *c, const void *in, size_t len)
{
    const uint8_t *p = in;
    if (len == 0)
        return;
    if (c->pos) {
        size_t take = KECCAK256_RATE - c->pos;
        if (take > len)
            take = len;
        xor_bytes(c->st, c->pos, p, take);
        c->pos += take;
        p += take;
        len -= take;
        if (c->pos < KECCAK256_RATE)
            return;
        keccak_f1600(c->st);
        c->pos = 0;
    }
    if (len >= KECCAK256_RATE) {
        size_t n = len / KECCAK256_RATE;
        absorb_blocks(c->st, p, n);
        p += n * KECCAK256_RATE;
        len -= n * KECCAK256_RATE;
    }
    if (len) {
        xor_bytes(c->st, 0, p, len);
        c->pos = len;
    }
}

void keccak256_final(struct keccak_ctx *c, uint8_t out[32])
{
    c->st[c->pos >> 3] ^= (uint64_t)0x01 << (8 * (c->pos & 7));
    c->st[(KECCAK256_RATE - 1) >> 3] ^= (uint64_t)0x80 << 56;
    keccak_f1600(c->st);
    squeeze32(c->st, out);
}

void keccak256(const void *in, size_t len, uint8_t out[32])
{
    const uint8_t *p = in;
    uint64_t st[25] = {0};
    uint8_t last[KECCAK256_RATE];
    size_t full = len / KECCAK256_RATE;
    size_t rem = len - full * KECCAK256_RATE;

    if (full)
        absorb_blocks(st, p, full);
    /* The final block: the remaining bytes, then Keccak's pad10*1 with the
     * original 0x01 domain byte (SHA3 would use 0x06). */
    if (rem)
        memcpy(last, p + full * KECCAK256_RATE, rem);
    memset(last + rem, 0, KECCAK256_RATE - rem);
    last[rem] = 0x01;
    last[KECCAK256_RATE - 1] |= 0x80;
    absorb_blocks(st, last, 1);
    squeeze32(st, out);
}
