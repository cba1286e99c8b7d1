/*
 * interp.c — the EVM interpreter loop.
 *
 * Why it is shaped this way (speed, with evmone's baseline interpreter as
 * the model; no code taken from it):
 *  - Dispatch is threaded code: every instruction body ends with
 *    `goto *table[*pc]` (GCC labels as values), so each body has its own
 *    indirect branch and the branch predictor learns per-instruction
 *    successors. There is one table per fork, built once, in which opcodes
 *    the fork does not define point at the invalid-instruction exit; no body
 *    asks which fork it runs under to know whether it exists.
 *  - Constant gas comes from the fork's table (gas.c), indexed by the
 *    opcode, a compile-time constant in each body: one load, one subtract,
 *    one sign test. Dynamic gas (memory, copies, EXP, SSTORE, calls) is
 *    computed in the bodies that need it.
 *  - pc, the stack pointer and gas live in locals (registers). The stack is
 *    a fixed array of 1024 words in the frame buffers of this call depth,
 *    which the context allocates once and reuses; stack bounds are checked
 *    with the constant depth each body needs.
 *  - The code is the padded copy from the analysis, so PUSH reads and
 *    running off the end need no bounds checks (the padding is STOP).
 *  - Memory grows through one out-of-line function that charges the
 *    quadratic cost incrementally; the common MLOAD/MSTORE inside the
 *    current size takes one compare.
 *  - Tracing swaps in a table whose every entry goes to a hook that records
 *    the step and then jumps to the real body: zero cost when off.
 *  - MULMOD, DIV and MOD take the shortcuts in arith.h (Barrett reduction
 *    by a cached modulus constant; shifts for powers of two).
 *
 * Semantics follow go-ethereum's core/vm for the same fork (the reference
 * the Ethereum tests were checked against); the comments name the EIPs.
 */
#include "evm/internal.h"

#include <string.h>

#include "crypto/keccak.h"
#include "state/state.h"
#include "util/err.h"

/* geth refuses memory sizes beyond this (gas uint overflow); so do we. */
#define MEM_MAX_END 0x1FFFFFFFE0ull

static const void *dispatch[FORK_COUNT][256];
static const void *trace_dispatch[256];

/* ---- word helpers ------------------------------------------------------------ */

static inline uint64_t load_be64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return __builtin_bswap64(v);
}

static inline void store_be64(uint8_t *p, uint64_t v)
{
    v = __builtin_bswap64(v);
    memcpy(p, &v, 8);
}

static inline void word_load(u256 *r, const uint8_t *p)
{
    uint64_t a = load_be64(p), b = load_be64(p + 8), c = load_be64(p + 16), d = load_be64(p + 24);
    r->w[3] = a;
    r->w[2] = b;
    r->w[1] = c;
    r->w[0] = d;
}

static inline void word_store(uint8_t *p, const u256 *v)
{
    store_be64(p, v->w[3]);
    store_be64(p + 8, v->w[2]);
    store_be64(p + 16, v->w[1]);
    store_be64(p + 24, v->w[0]);
}

static inline void set_u64(u256 *r, uint64_t v)
{
    r->w[0] = v;
    r->w[1] = 0;
    r->w[2] = 0;
    r->w[3] = 0;
}

/* r = the n bytes at p, big-endian (PUSHn). Reads up to 8 bytes past the
 * data for n < 8, which the analysis padding makes safe. */
static inline void push_bytes(u256 *r, const uint8_t *p, int n)
{
    for (int i = 0; i < 4; i++) {
        int hi = n - 8 * i;
        if (hi >= 8)
            r->w[i] = load_be64(p + hi - 8);
        else if (hi > 0)
            r->w[i] = load_be64(p) >> (64 - 8 * hi);
        else
            r->w[i] = 0;
    }
}

/* dst[0..len) = src[off..off+len) with zeros past srclen (CALLDATACOPY,
 * CODECOPY, EXTCODECOPY). */
static void copy_padded(uint8_t *dst, const uint8_t *src, size_t srclen, const u256 *off,
                        uint64_t len)
{
    uint64_t n = 0;
    if (u256_fits_u64(off) && off->w[0] < srclen) {
        n = srclen - off->w[0];
        if (n > len)
            n = len;
        memcpy(dst, src + off->w[0], n);
    }
    memset(dst + n, 0, len - n);
}

/* Expands f's memory to `end` bytes (end > f->mem_size), charging gas
 * unless unmetered. Returns the new gas, or -1 when out of gas (or out of
 * memory: evm->error is then set). */
static __attribute__((noinline)) int64_t mem_grow(struct evm *evm, struct evm_frame *f,
                                                  uint64_t end, int64_t gas, bool unmetered)
{
    if (end > MEM_MAX_END)
        return -1;
    uint64_t words = evm_words(end);
    uint64_t total = evm_memory_gas(words);
    if (!unmetered) {
        uint64_t fee = total - f->mem_cost;
        if (fee > (uint64_t)gas)
            return -1;
        gas -= (int64_t)fee;
        f->mem_cost = total;
    }
    if (words * 32 > EVM_MEMORY_LIMIT) {
        evm_fail(evm, err_set(ERR_NOMEM, "evm: memory of %llu bytes",
                              (unsigned long long)(words * 32)));
        return -1;
    }
    if (evm_frame_grow(f, words * 32)) {
        evm_fail(evm, ERR_NOMEM);
        return -1;
    }
    return gas;
}

/* SSTORE gas and refunds (returns the gas to charge). Legacy rules, or
 * EIP-1283 net metering in Constantinople (only: Petersburg removed it). */
static uint64_t sstore_cost(struct evm *evm, const struct address *a, const u256 *key,
                            const u256 *val)
{
    struct state *st = evm->state;
    u256 cur;
    state_get_storage(st, a, key, &cur);
    if (evm->fork != FORK_CONSTANTINOPLE) {
        if (u256_iszero(&cur))
            return u256_iszero(val) ? GAS_SSTORE_RESET : GAS_SSTORE_SET;
        if (u256_iszero(val))
            state_add_refund(st, REFUND_SSTORE_CLEAR);
        return GAS_SSTORE_RESET;
    }
    if (u256_eq(&cur, val))
        return GAS_SSTORE_NOOP;
    u256 orig;
    state_get_committed_storage(st, a, key, &orig);
    if (u256_eq(&orig, &cur)) {
        if (u256_iszero(&orig))
            return GAS_SSTORE_SET;
        if (u256_iszero(val))
            state_add_refund(st, REFUND_SSTORE_CLEAR);
        return GAS_SSTORE_RESET;
    }
    if (!u256_iszero(&orig)) {
        if (u256_iszero(&cur))
            state_sub_refund(st, REFUND_SSTORE_CLEAR);
        else if (u256_iszero(val))
            state_add_refund(st, REFUND_SSTORE_CLEAR);
    }
    if (u256_eq(&orig, val))
        state_add_refund(st, u256_iszero(&orig) ? REFUND_SSTORE_RESET_CLEAR : REFUND_SSTORE_RESET);
    return GAS_SSTORE_NOOP;
}

/* ---- the loop ---------------------------------------------------------------- */

#define NEXT() goto *tbl[*pc]
#define CHARGE(op)                                                                        \
    do {                                                                                  \
        gas -= (int64_t)cost[op];                                                         \
        if (EVM_UNLIKELY(gas < 0))                                                        \
            goto out_of_gas;                                                              \
    } while (0)
/* Dynamic gas; `x` is below 2^63 (callers bound it first). */
#define DYN(x)                                                                            \
    do {                                                                                  \
        if (EVM_LIKELY(!unmetered)) {                                                     \
            uint64_t dyn_ = (x);                                                          \
            if (EVM_UNLIKELY(dyn_ > (uint64_t)gas))                                       \
                goto out_of_gas;                                                          \
            gas -= (int64_t)dyn_;                                                         \
        }                                                                                 \
    } while (0)
#define NEED(n)                                                                           \
    if (EVM_UNLIKELY(sp < stk + (n)))                                                     \
    goto stack_underflow
#define ROOM(n)                                                                           \
    if (EVM_UNLIKELY(sp + (n) > stk_end))                                                 \
    goto stack_overflow
/* Memory region [offset word, length word): sets OFF and LEN (LEN 0: no
 * expansion, offset ignored), growing memory and charging for it. */
#define MEM_REGION(OFFW, LENW, OFF, LEN)                                                  \
    do {                                                                                  \
        if (u256_iszero(LENW)) {                                                          \
            OFF = 0;                                                                      \
            LEN = 0;                                                                      \
        } else {                                                                          \
            if (EVM_UNLIKELY(!u256_fits_u64(OFFW) || !u256_fits_u64(LENW) ||              \
                             (OFFW)->w[0] > MEM_MAX_END || (LENW)->w[0] > MEM_MAX_END))   \
                goto out_of_gas;                                                          \
            OFF = (OFFW)->w[0];                                                           \
            LEN = (LENW)->w[0];                                                           \
            if (OFF + LEN > f->mem_size) {                                                \
                gas = mem_grow(evm, f, OFF + LEN, gas, unmetered);                        \
                if (EVM_UNLIKELY(gas < 0))                                                \
                    goto out_of_gas;                                                      \
            }                                                                             \
        }                                                                                 \
    } while (0)
/* Fixed-size access of N bytes at offset word OFFW (MLOAD, MSTORE, MSTORE8). */
#define MEM_FIXED(OFFW, N, OFF)                                                           \
    do {                                                                                  \
        if (EVM_UNLIKELY(!u256_fits_u64(OFFW) || (OFFW)->w[0] > MEM_MAX_END))             \
            goto out_of_gas;                                                              \
        OFF = (OFFW)->w[0];                                                               \
        if (EVM_UNLIKELY(OFF + (N) > f->mem_size)) {                                      \
            gas = mem_grow(evm, f, OFF + (N), gas, unmetered);                            \
            if (EVM_UNLIKELY(gas < 0))                                                    \
                goto out_of_gas;                                                          \
        }                                                                                 \
    } while (0)

#define BINOP(NAME, FN)                                                                   \
    L_##NAME : CHARGE(OP_##NAME);                                                         \
    NEED(2);                                                                              \
    FN(&sp[-2], &sp[-1], &sp[-2]);                                                        \
    sp--;                                                                                 \
    pc++;                                                                                 \
    NEXT();
#define CMPOP(NAME, FN)                                                                   \
    L_##NAME : CHARGE(OP_##NAME);                                                         \
    NEED(2);                                                                              \
    set_u64(&sp[-2], FN(&sp[-1], &sp[-2]));                                               \
    sp--;                                                                                 \
    pc++;                                                                                 \
    NEXT();
#define PUSHOP(N)                                                                         \
    L_PUSH##N : CHARGE(OP_PUSH1 + N - 1);                                                 \
    ROOM(1);                                                                              \
    push_bytes(sp, pc + 1, N);                                                            \
    sp++;                                                                                 \
    pc += N + 1;                                                                          \
    NEXT();
#define DUPOP(N)                                                                          \
    L_DUP##N : CHARGE(OP_DUP1 + N - 1);                                                   \
    NEED(N);                                                                              \
    ROOM(1);                                                                              \
    *sp = sp[-(N)];                                                                       \
    sp++;                                                                                 \
    pc++;                                                                                 \
    NEXT();
#define SWAPOP(N)                                                                         \
    L_SWAP##N : CHARGE(OP_SWAP1 + N - 1);                                                 \
    NEED(N + 1);                                                                          \
    {                                                                                     \
        u256 t_ = sp[-1];                                                                 \
        sp[-1] = sp[-1 - (N)];                                                            \
        sp[-1 - (N)] = t_;                                                                \
    }                                                                                     \
    pc++;                                                                                 \
    NEXT();
#define LOGOP(N)                                                                          \
    L_LOG##N : CHARGE(OP_LOG0 + N);                                                       \
    nlog = N;                                                                             \
    goto log_common;

/* Every label with the opcode it implements: X(opcode, label-suffix). */
#define OPCODE_LABELS(X)                                                                  \
    X(0x00, STOP) X(0x01, ADD) X(0x02, MUL) X(0x03, SUB) X(0x04, DIV) X(0x05, SDIV)       \
    X(0x06, MOD) X(0x07, SMOD) X(0x08, ADDMOD) X(0x09, MULMOD) X(0x0a, EXP)               \
    X(0x0b, SIGNEXTEND) X(0x10, LT) X(0x11, GT) X(0x12, SLT) X(0x13, SGT) X(0x14, EQ)     \
    X(0x15, ISZERO) X(0x16, AND) X(0x17, OR) X(0x18, XOR) X(0x19, NOT) X(0x1a, BYTE)      \
    X(0x1b, SHL) X(0x1c, SHR) X(0x1d, SAR) X(0x20, SHA3) X(0x30, ADDRESS)                 \
    X(0x31, BALANCE) X(0x32, ORIGIN) X(0x33, CALLER) X(0x34, CALLVALUE)                   \
    X(0x35, CALLDATALOAD) X(0x36, CALLDATASIZE) X(0x37, CALLDATACOPY) X(0x38, CODESIZE)   \
    X(0x39, CODECOPY) X(0x3a, GASPRICE) X(0x3b, EXTCODESIZE) X(0x3c, EXTCODECOPY)         \
    X(0x3d, RETURNDATASIZE) X(0x3e, RETURNDATACOPY) X(0x3f, EXTCODEHASH)                  \
    X(0x40, BLOCKHASH) X(0x41, COINBASE) X(0x42, TIMESTAMP) X(0x43, NUMBER)               \
    X(0x44, DIFFICULTY) X(0x45, GASLIMIT) X(0x46, CHAINID) X(0x47, SELFBALANCE)           \
    X(0x50, POP) X(0x51, MLOAD) X(0x52, MSTORE) X(0x53, MSTORE8) X(0x54, SLOAD)           \
    X(0x55, SSTORE) X(0x56, JUMP) X(0x57, JUMPI) X(0x58, PC) X(0x59, MSIZE) X(0x5a, GAS)  \
    X(0x5b, JUMPDEST) X(0x60, PUSH1) X(0x61, PUSH2) X(0x62, PUSH3) X(0x63, PUSH4)         \
    X(0x64, PUSH5) X(0x65, PUSH6) X(0x66, PUSH7) X(0x67, PUSH8) X(0x68, PUSH9)            \
    X(0x69, PUSH10) X(0x6a, PUSH11) X(0x6b, PUSH12) X(0x6c, PUSH13) X(0x6d, PUSH14)       \
    X(0x6e, PUSH15) X(0x6f, PUSH16) X(0x70, PUSH17) X(0x71, PUSH18) X(0x72, PUSH19)       \
    X(0x73, PUSH20) X(0x74, PUSH21) X(0x75, PUSH22) X(0x76, PUSH23) X(0x77, PUSH24)       \
    X(0x78, PUSH25) X(0x79, PUSH26) X(0x7a, PUSH27) X(0x7b, PUSH28) X(0x7c, PUSH29)       \
    X(0x7d, PUSH30) X(0x7e, PUSH31) X(0x7f, PUSH32) X(0x80, DUP1) X(0x81, DUP2)           \
    X(0x82, DUP3) X(0x83, DUP4) X(0x84, DUP5) X(0x85, DUP6) X(0x86, DUP7) X(0x87, DUP8)   \
    X(0x88, DUP9) X(0x89, DUP10) X(0x8a, DUP11) X(0x8b, DUP12) X(0x8c, DUP13)             \
    X(0x8d, DUP14) X(0x8e, DUP15) X(0x8f, DUP16) X(0x90, SWAP1) X(0x91, SWAP2)            \
    X(0x92, SWAP3) X(0x93, SWAP4) X(0x94, SWAP5) X(0x95, SWAP6) X(0x96, SWAP7)            \
    X(0x97, SWAP8) X(0x98, SWAP9) X(0x99, SWAP10) X(0x9a, SWAP11) X(0x9b, SWAP12)         \
    X(0x9c, SWAP13) X(0x9d, SWAP14) X(0x9e, SWAP15) X(0x9f, SWAP16) X(0xa0, LOG0)         \
    X(0xa1, LOG1) X(0xa2, LOG2) X(0xa3, LOG3) X(0xa4, LOG4) X(0xf0, CREATE) X(0xf1, CALL) \
    X(0xf2, CALLCODE) X(0xf3, RETURN) X(0xf4, DELEGATECALL) X(0xf5, CREATE2)             \
    X(0xfa, STATICCALL) X(0xfd, REVERT) X(0xff, SELFDESTRUCT)

void evm_interp_run(struct evm *evm, struct evm_frame *f, const struct evm_message *msg,
                    const struct code_analysis *an, struct evm_result *res)
{
    if (EVM_UNLIKELY(!res)) {
        /* One-time set-up (evm_interp_init): the label addresses only exist
         * inside this function. Static: this branch runs once, and the
         * array must not sit in every frame of the recursion. */
        static const void *labels[256];
#define SET_LABEL(op, name) labels[op] = &&L_##name;
        OPCODE_LABELS(SET_LABEL)
#undef SET_LABEL
        for (int fk = 0; fk < FORK_COUNT; fk++)
            for (int op = 0; op < 256; op++)
                dispatch[fk][op] = labels[op] && evm_op_defined((enum evm_fork)fk, (uint8_t)op)
                                       ? labels[op]
                                       : &&L_UNDEFINED;
        for (int op = 0; op < 256; op++)
            trace_dispatch[op] = &&L_TRACE;
        return;
    }

    const enum evm_fork fork = evm->fork;
    struct state *const st = evm->state;
    const uint8_t *const code = an->code;
    const uint8_t *pc = code;
    u256 *const stk = f->stack;
    u256 *const stk_end = stk + EVM_STACK_LIMIT;
    u256 *sp = stk;
    int64_t gas = (int64_t)msg->gas;
    bool unmetered = evm->unmetered;
    const uint32_t *cost = unmetered ? evm_gas_table_free() : evm_gas_table(fork);
    const void *const *const real = dispatch[fork];
    const void *const *const tbl = evm->tracing ? trace_dispatch : real;
    enum evm_status status = EVM_SUCCESS;
    const uint8_t *out = NULL;
    uint64_t out_len = 0;
    enum evm_call_kind kind;
    int nlog;

    f->ret_data = NULL;
    f->ret_len = 0;
    NEXT();

L_TRACE:
    evm_trace_step(evm, msg, f, (uint64_t)(pc - code), *pc, gas, stk, (size_t)(sp - stk));
    goto *real[*pc];

L_STOP:
    goto done;

    BINOP(ADD, u256_add)
    BINOP(MUL, u256_mul)
    BINOP(SUB, u256_sub)
    BINOP(DIV, evm_div)
    BINOP(SDIV, u256_sdiv)
    BINOP(MOD, evm_mod)
    BINOP(SMOD, u256_smod)
    BINOP(SIGNEXTEND, u256_signextend)
    BINOP(AND, u256_and)
    BINOP(OR, u256_or)
    BINOP(XOR, u256_xor)
    BINOP(BYTE, u256_byte)
    BINOP(SHL, u256_shl)
    BINOP(SHR, u256_shr)
    BINOP(SAR, u256_sar)
    CMPOP(LT, u256_lt)
    CMPOP(GT, u256_gt)
    CMPOP(SLT, u256_slt)
    CMPOP(SGT, u256_sgt)
    CMPOP(EQ, u256_eq)

L_ADDMOD:
    CHARGE(OP_ADDMOD);
    NEED(3);
    u256_addmod(&sp[-3], &sp[-1], &sp[-2], &sp[-3]);
    sp -= 2;
    pc++;
    NEXT();

L_MULMOD:
    CHARGE(OP_MULMOD);
    NEED(3);
    evm_mulmod(&sp[-3], &sp[-1], &sp[-2], &sp[-3], &evm->modcache);
    sp -= 2;
    pc++;
    NEXT();

L_EXP:
    CHARGE(OP_EXP);
    NEED(2);
    {
        /* EIP-160 (Spurious Dragon) raised the price per exponent byte. */
        uint64_t bytes = (u256_bit_len(&sp[-2]) + 7) / 8;
        DYN(bytes * (fork >= FORK_SPURIOUS ? GAS_EXP_BYTE_EIP160 : GAS_EXP_BYTE_FRONTIER));
        u256_exp(&sp[-2], &sp[-1], &sp[-2]);
        sp--;
    }
    pc++;
    NEXT();

L_ISZERO:
    CHARGE(OP_ISZERO);
    NEED(1);
    set_u64(&sp[-1], u256_iszero(&sp[-1]));
    pc++;
    NEXT();

L_NOT:
    CHARGE(OP_NOT);
    NEED(1);
    u256_not(&sp[-1], &sp[-1]);
    pc++;
    NEXT();

L_SHA3:
    CHARGE(OP_SHA3);
    NEED(2);
    {
        uint64_t off, len;
        MEM_REGION(&sp[-1], &sp[-2], off, len);
        DYN(GAS_SHA3_WORD * evm_words(len));
        uint8_t h[32];
        keccak256(len ? f->mem + off : NULL, len, h);
        word_load(&sp[-2], h);
        sp--;
    }
    pc++;
    NEXT();

L_ADDRESS:
    CHARGE(OP_ADDRESS);
    ROOM(1);
    evm_address_to_word(&msg->recipient, sp);
    sp++;
    pc++;
    NEXT();

L_BALANCE:
    CHARGE(OP_BALANCE);
    NEED(1);
    {
        struct address a;
        evm_word_to_address(&sp[-1], &a);
        state_get_balance(st, &a, &sp[-1]);
    }
    pc++;
    NEXT();

L_ORIGIN:
    CHARGE(OP_ORIGIN);
    ROOM(1);
    evm_address_to_word(&evm->tx.origin, sp);
    sp++;
    pc++;
    NEXT();

L_CALLER:
    CHARGE(OP_CALLER);
    ROOM(1);
    evm_address_to_word(&msg->sender, sp);
    sp++;
    pc++;
    NEXT();

L_CALLVALUE:
    CHARGE(OP_CALLVALUE);
    ROOM(1);
    *sp++ = msg->value;
    pc++;
    NEXT();

L_CALLDATALOAD:
    CHARGE(OP_CALLDATALOAD);
    NEED(1);
    {
        u256 *x = &sp[-1];
        if (!u256_fits_u64(x) || x->w[0] >= msg->input_len) {
            set_u64(x, 0);
        } else {
            uint8_t buf[32] = {0};
            size_t n = msg->input_len - x->w[0];
            memcpy(buf, msg->input + x->w[0], n < 32 ? n : 32);
            word_load(x, buf);
        }
    }
    pc++;
    NEXT();

L_CALLDATASIZE:
    CHARGE(OP_CALLDATASIZE);
    ROOM(1);
    set_u64(sp++, msg->input_len);
    pc++;
    NEXT();

L_CALLDATACOPY:
    CHARGE(OP_CALLDATACOPY);
    NEED(3);
    {
        uint64_t moff, len;
        MEM_REGION(&sp[-1], &sp[-3], moff, len);
        DYN(GAS_COPY_WORD * evm_words(len));
        if (len)
            copy_padded(f->mem + moff, msg->input, msg->input_len, &sp[-2], len);
        sp -= 3;
    }
    pc++;
    NEXT();

L_CODESIZE:
    CHARGE(OP_CODESIZE);
    ROOM(1);
    set_u64(sp++, an->code_len);
    pc++;
    NEXT();

L_CODECOPY:
    CHARGE(OP_CODECOPY);
    NEED(3);
    {
        uint64_t moff, len;
        MEM_REGION(&sp[-1], &sp[-3], moff, len);
        DYN(GAS_COPY_WORD * evm_words(len));
        if (len)
            copy_padded(f->mem + moff, code, an->code_len, &sp[-2], len);
        sp -= 3;
    }
    pc++;
    NEXT();

L_GASPRICE:
    CHARGE(OP_GASPRICE);
    ROOM(1);
    *sp++ = evm->tx.gas_price;
    pc++;
    NEXT();

L_EXTCODESIZE:
    CHARGE(OP_EXTCODESIZE);
    NEED(1);
    {
        struct address a;
        evm_word_to_address(&sp[-1], &a);
        set_u64(&sp[-1], state_get_code_size(st, &a));
    }
    pc++;
    NEXT();

L_EXTCODECOPY:
    CHARGE(OP_EXTCODECOPY);
    NEED(4);
    {
        uint64_t moff, len;
        MEM_REGION(&sp[-2], &sp[-4], moff, len);
        DYN(GAS_COPY_WORD * evm_words(len));
        if (len) {
            struct address a;
            size_t clen;
            evm_word_to_address(&sp[-1], &a);
            const uint8_t *c = state_get_code(st, &a, &clen);
            copy_padded(f->mem + moff, c, clen, &sp[-3], len);
        }
        sp -= 4;
    }
    pc++;
    NEXT();

L_RETURNDATASIZE:
    CHARGE(OP_RETURNDATASIZE);
    ROOM(1);
    set_u64(sp++, f->ret_len);
    pc++;
    NEXT();

L_RETURNDATACOPY:
    CHARGE(OP_RETURNDATACOPY);
    NEED(3);
    {
        uint64_t moff, len;
        MEM_REGION(&sp[-1], &sp[-3], moff, len);
        DYN(GAS_COPY_WORD * evm_words(len));
        /* EIP-211: reading past the end fails, even for length 0. */
        const u256 *doff = &sp[-2];
        if (!u256_fits_u64(doff) || doff->w[0] > f->ret_len || len > f->ret_len - doff->w[0])
            goto returndata_oob;
        if (len)
            memcpy(f->mem + moff, f->ret_data + doff->w[0], len);
        sp -= 3;
    }
    pc++;
    NEXT();

L_EXTCODEHASH:
    CHARGE(OP_EXTCODEHASH);
    NEED(1);
    {
        struct address a;
        struct hash32 h;
        evm_word_to_address(&sp[-1], &a);
        state_get_code_hash(st, &a, &h);
        word_load(&sp[-1], h.b);
    }
    pc++;
    NEXT();

L_BLOCKHASH:
    CHARGE(OP_BLOCKHASH);
    NEED(1);
    {
        u256 *x = &sp[-1];
        uint64_t num = evm->block.number;
        if (u256_fits_u64(x) && x->w[0] < num && num - x->w[0] <= 256 && evm->block.block_hash) {
            struct hash32 h;
            evm->block.block_hash(evm->block.block_hash_ctx, x->w[0], &h);
            word_load(x, h.b);
        } else {
            set_u64(x, 0);
        }
    }
    pc++;
    NEXT();

L_COINBASE:
    CHARGE(OP_COINBASE);
    ROOM(1);
    evm_address_to_word(&evm->block.coinbase, sp);
    sp++;
    pc++;
    NEXT();

L_TIMESTAMP:
    CHARGE(OP_TIMESTAMP);
    ROOM(1);
    set_u64(sp++, evm->block.timestamp);
    pc++;
    NEXT();

L_NUMBER:
    CHARGE(OP_NUMBER);
    ROOM(1);
    set_u64(sp++, evm->block.number);
    pc++;
    NEXT();

L_DIFFICULTY:
    CHARGE(OP_DIFFICULTY);
    ROOM(1);
    *sp++ = evm->block.difficulty;
    pc++;
    NEXT();

L_GASLIMIT:
    CHARGE(OP_GASLIMIT);
    ROOM(1);
    set_u64(sp++, evm->block.gas_limit);
    pc++;
    NEXT();

L_CHAINID:
    CHARGE(OP_CHAINID);
    ROOM(1);
    set_u64(sp++, evm->block.chain_id);
    pc++;
    NEXT();

L_SELFBALANCE:
    CHARGE(OP_SELFBALANCE);
    ROOM(1);
    state_get_balance(st, &msg->recipient, sp);
    sp++;
    pc++;
    NEXT();

L_POP:
    CHARGE(OP_POP);
    NEED(1);
    sp--;
    pc++;
    NEXT();

L_MLOAD:
    CHARGE(OP_MLOAD);
    NEED(1);
    {
        uint64_t off;
        MEM_FIXED(&sp[-1], 32, off);
        word_load(&sp[-1], f->mem + off);
    }
    pc++;
    NEXT();

L_MSTORE:
    CHARGE(OP_MSTORE);
    NEED(2);
    {
        uint64_t off;
        MEM_FIXED(&sp[-1], 32, off);
        word_store(f->mem + off, &sp[-2]);
        sp -= 2;
    }
    pc++;
    NEXT();

L_MSTORE8:
    CHARGE(OP_MSTORE8);
    NEED(2);
    {
        uint64_t off;
        MEM_FIXED(&sp[-1], 1, off);
        f->mem[off] = (uint8_t)sp[-2].w[0];
        sp -= 2;
    }
    pc++;
    NEXT();

L_SLOAD:
    CHARGE(OP_SLOAD);
    NEED(1);
    {
        u256 key = sp[-1];
        state_get_storage(st, &msg->recipient, &key, &sp[-1]);
    }
    pc++;
    NEXT();

L_SSTORE:
    CHARGE(OP_SSTORE);
    NEED(2);
    if (msg->is_static)
        goto static_violation;
    {
        u256 key = sp[-1], val = sp[-2];
        if (!unmetered)
            DYN(sstore_cost(evm, &msg->recipient, &key, &val));
        state_set_storage(st, &msg->recipient, &key, &val);
        sp -= 2;
    }
    pc++;
    NEXT();

L_JUMP:
    CHARGE(OP_JUMP);
    NEED(1);
    {
        const u256 *d = &sp[-1];
        if (EVM_UNLIKELY(!u256_fits_u64(d) || !code_analysis_jumpdest(an, d->w[0])))
            goto bad_jump;
        pc = code + d->w[0];
        sp--;
    }
    NEXT();

L_JUMPI:
    CHARGE(OP_JUMPI);
    NEED(2);
    if (!u256_iszero(&sp[-2])) {
        const u256 *d = &sp[-1];
        if (EVM_UNLIKELY(!u256_fits_u64(d) || !code_analysis_jumpdest(an, d->w[0])))
            goto bad_jump;
        pc = code + d->w[0];
    } else {
        pc++;
    }
    sp -= 2;
    NEXT();

L_PC:
    CHARGE(OP_PC);
    ROOM(1);
    set_u64(sp++, (uint64_t)(pc - code));
    pc++;
    NEXT();

L_MSIZE:
    CHARGE(OP_MSIZE);
    ROOM(1);
    set_u64(sp++, f->mem_size);
    pc++;
    NEXT();

L_GAS:
    CHARGE(OP_GAS);
    ROOM(1);
    set_u64(sp++, (uint64_t)gas);
    pc++;
    NEXT();

L_JUMPDEST:
    CHARGE(OP_JUMPDEST);
    pc++;
    NEXT();

L_PUSH1:
    CHARGE(OP_PUSH1);
    ROOM(1);
    set_u64(sp++, pc[1]);
    pc += 2;
    NEXT();
    PUSHOP(2) PUSHOP(3) PUSHOP(4) PUSHOP(5) PUSHOP(6) PUSHOP(7) PUSHOP(8)
    PUSHOP(9) PUSHOP(10) PUSHOP(11) PUSHOP(12) PUSHOP(13) PUSHOP(14) PUSHOP(15) PUSHOP(16)
    PUSHOP(17) PUSHOP(18) PUSHOP(19) PUSHOP(20) PUSHOP(21) PUSHOP(22) PUSHOP(23) PUSHOP(24)
    PUSHOP(25) PUSHOP(26) PUSHOP(27) PUSHOP(28) PUSHOP(29) PUSHOP(30) PUSHOP(31) PUSHOP(32)

    DUPOP(1) DUPOP(2) DUPOP(3) DUPOP(4) DUPOP(5) DUPOP(6) DUPOP(7) DUPOP(8)
    DUPOP(9) DUPOP(10) DUPOP(11) DUPOP(12) DUPOP(13) DUPOP(14) DUPOP(15) DUPOP(16)

    SWAPOP(1) SWAPOP(2) SWAPOP(3) SWAPOP(4) SWAPOP(5) SWAPOP(6) SWAPOP(7) SWAPOP(8)
    SWAPOP(9) SWAPOP(10) SWAPOP(11) SWAPOP(12) SWAPOP(13) SWAPOP(14) SWAPOP(15) SWAPOP(16)

    LOGOP(0) LOGOP(1) LOGOP(2) LOGOP(3) LOGOP(4)

log_common:
    NEED(2 + nlog);
    if (msg->is_static)
        goto static_violation;
    {
        uint64_t off, len;
        MEM_REGION(&sp[-1], &sp[-2], off, len);
        DYN(GAS_LOG_DATA * len);
        struct hash32 topics[4];
        for (int i = 0; i < nlog; i++)
            word_store(topics[i].b, &sp[-3 - i]);
        if (state_add_log(st, &msg->recipient, topics, (size_t)nlog, len ? f->mem + off : NULL,
                          len)) {
            evm_fail(evm, ERR_NOMEM);
            goto internal_error;
        }
        sp -= 2 + nlog;
    }
    pc++;
    NEXT();

L_CREATE:
    CHARGE(OP_CREATE);
    kind = EVM_CREATE;
    goto create_common;
L_CREATE2:
    CHARGE(OP_CREATE2);
    kind = EVM_CREATE2;
create_common : {
    int nargs = kind == EVM_CREATE2 ? 4 : 3;
    NEED(nargs);
    if (msg->is_static)
        goto static_violation;
    uint64_t off, len;
    MEM_REGION(&sp[-2], &sp[-3], off, len);
    struct evm_message m;
    m.kind = kind;
    m.depth = msg->depth + 1;
    m.is_static = false;
    m.sender = msg->recipient;
    memset(&m.recipient, 0, sizeof m.recipient);
    memset(&m.code_address, 0, sizeof m.code_address);
    m.value = sp[-1];
    m.input = len ? f->mem + off : NULL;
    m.input_len = len;
    if (kind == EVM_CREATE2) {
        DYN(GAS_SHA3_WORD * evm_words(len)); /* hashing the init code */
        m.salt = sp[-4];
    } else {
        set_u64(&m.salt, 0);
    }
    /* EIP-150: all but one 64th; before it, all the gas. Taken even while
     * unmetered (geth's opCreate does it itself). */
    uint64_t child = (uint64_t)gas;
    if (fork >= FORK_TANGERINE)
        child -= child / 64;
    gas -= (int64_t)child;
    m.gas = child;
    sp -= nargs - 1;
    if (EVM_UNLIKELY(evm->tracing))
        evm_trace_flush(evm, gas);
    struct evm_result r;
    evm_call_message(evm, &m, &r);
    if (EVM_UNLIKELY(evm->error))
        goto internal_error;
    if (r.status == EVM_SUCCESS)
        evm_address_to_word(&r.created, &sp[-1]);
    else
        set_u64(&sp[-1], 0);
    f->ret_data = r.status == EVM_REVERT ? r.output : NULL;
    f->ret_len = r.status == EVM_REVERT ? r.output_len : 0;
    gas += (int64_t)r.gas_left;
    unmetered = evm->unmetered;
    cost = unmetered ? evm_gas_table_free() : evm_gas_table(fork);
}
    pc++;
    NEXT();

L_CALL:
    CHARGE(OP_CALL);
    kind = EVM_CALL;
    goto call_common;
L_CALLCODE:
    CHARGE(OP_CALLCODE);
    kind = EVM_CALLCODE;
    goto call_common;
L_DELEGATECALL:
    CHARGE(OP_DELEGATECALL);
    kind = EVM_DELEGATECALL;
    goto call_common;
L_STATICCALL:
    CHARGE(OP_STATICCALL);
    kind = EVM_STATICCALL;
call_common : {
    bool has_value = kind == EVM_CALL || kind == EVM_CALLCODE;
    int nargs = has_value ? 7 : 6;
    NEED(nargs);
    const u256 *a = sp - 1; /* a[0] gas, a[-1] address, then [value,] in, out */
    u256 value;
    if (has_value)
        value = a[-2];
    else
        set_u64(&value, 0);
    const u256 *io = has_value ? a - 3 : a - 2;
    bool transfers = !u256_iszero(&value);
    /* Byzantium: a CALL that moves value is a state change. */
    if (kind == EVM_CALL && transfers && msg->is_static)
        goto static_violation;
    struct address to;
    evm_word_to_address(&a[-1], &to);
    uint64_t ioff, ilen, ooff, olen;
    MEM_REGION(&io[0], &io[-1], ioff, ilen);
    MEM_REGION(&io[-2], &io[-3], ooff, olen);
    uint64_t child;
    if (!unmetered) {
        uint64_t extra = transfers ? GAS_CALL_VALUE : 0;
        if (kind == EVM_CALL) {
            /* EIP-158: only value sent to an empty account creates one. */
            if (fork >= FORK_SPURIOUS ? transfers && state_is_empty(st, &to)
                                      : !state_exists(st, &to))
                extra += GAS_NEW_ACCOUNT;
        }
        DYN(extra);
        if (fork >= FORK_TANGERINE) {
            /* EIP-150: at most all but one 64th of what is left. */
            uint64_t avail = (uint64_t)gas - (uint64_t)gas / 64;
            child = u256_fits_u64(&a[0]) && a[0].w[0] < avail ? a[0].w[0] : avail;
        } else {
            if (!u256_fits_u64(&a[0]) || a[0].w[0] > (uint64_t)gas)
                goto out_of_gas;
            child = a[0].w[0];
        }
        gas -= (int64_t)child;
        evm->call_gas_temp = child;
    } else {
        child = evm->call_gas_temp; /* spec §6.4: geth reuses the stale value */
    }
    if (transfers)
        child += GAS_CALL_STIPEND;
    struct evm_message m;
    m.kind = kind;
    m.depth = msg->depth + 1;
    m.is_static = msg->is_static || kind == EVM_STATICCALL;
    m.gas = child;
    m.code_address = to;
    m.input = ilen ? f->mem + ioff : NULL;
    m.input_len = ilen;
    set_u64(&m.salt, 0);
    switch (kind) {
    case EVM_CALL:
        m.sender = msg->recipient;
        m.recipient = to;
        m.value = value;
        break;
    case EVM_CALLCODE:
        m.sender = msg->recipient;
        m.recipient = msg->recipient;
        m.value = value;
        break;
    case EVM_DELEGATECALL:
        m.sender = msg->sender;
        m.recipient = msg->recipient;
        m.value = msg->value;
        break;
    default: /* EVM_STATICCALL */
        m.sender = msg->recipient;
        m.recipient = to;
        m.value = value;
        break;
    }
    sp -= nargs - 1;
    if (EVM_UNLIKELY(evm->tracing))
        evm_trace_flush(evm, gas);
    struct evm_result r;
    evm_call_message(evm, &m, &r);
    if (EVM_UNLIKELY(evm->error))
        goto internal_error;
    f->ret_data = r.output;
    f->ret_len = r.output_len;
    if ((r.status == EVM_SUCCESS || r.status == EVM_REVERT) && olen && r.output_len)
        memcpy(f->mem + ooff, r.output, r.output_len < olen ? r.output_len : olen);
    set_u64(&sp[-1], r.status == EVM_SUCCESS);
    gas += (int64_t)r.gas_left;
    unmetered = evm->unmetered;
    cost = unmetered ? evm_gas_table_free() : evm_gas_table(fork);
}
    pc++;
    NEXT();

L_RETURN:
    CHARGE(OP_RETURN);
    status = EVM_SUCCESS;
    goto return_common;
L_REVERT:
    CHARGE(OP_REVERT);
    status = EVM_REVERT;
return_common:
    NEED(2);
    {
        uint64_t off, len;
        MEM_REGION(&sp[-1], &sp[-2], off, len);
        out = len ? f->mem + off : NULL;
        out_len = len;
    }
    goto done;

L_SELFDESTRUCT:
    CHARGE(OP_SELFDESTRUCT);
    NEED(1);
    if (msg->is_static)
        goto static_violation;
    {
        struct address b;
        u256 bal;
        evm_word_to_address(&sp[-1], &b);
        state_get_balance(st, &msg->recipient, &bal);
        if (!unmetered) {
            if (fork >= FORK_TANGERINE) {
                /* EIP-150 charges creating the beneficiary; EIP-158 only when
                 * value moves to an empty account. */
                bool creates = fork >= FORK_SPURIOUS
                                   ? !u256_iszero(&bal) && state_is_empty(st, &b)
                                   : !state_exists(st, &b);
                if (creates)
                    DYN(GAS_NEW_ACCOUNT);
            }
            if (!state_has_selfdestructed(st, &msg->recipient))
                state_add_refund(st, REFUND_SELFDESTRUCT);
        }
        evm_credit(evm, &b, &bal);
        u256 zero = u256_from_u64(0);
        state_set_balance(st, &msg->recipient, &zero);
        state_selfdestruct(st, &msg->recipient);
    }
    goto done;

L_UNDEFINED:
    status = EVM_INVALID_INSTRUCTION;
    goto fail;
out_of_gas:
    status = EVM_OUT_OF_GAS;
    goto fail;
stack_underflow:
    status = EVM_STACK_UNDERFLOW;
    goto fail;
stack_overflow:
    status = EVM_STACK_OVERFLOW;
    goto fail;
bad_jump:
    status = EVM_BAD_JUMP;
    goto fail;
static_violation:
    status = EVM_STATIC_VIOLATION;
    goto fail;
returndata_oob:
    status = EVM_RETURNDATA_OOB;
    goto fail;
internal_error:
    status = EVM_INTERNAL_ERROR;
fail:
    if (evm->error)
        status = EVM_INTERNAL_ERROR;
    if (EVM_UNLIKELY(evm->tracing))
        evm_trace_fail(evm, status);
    res->status = status;
    res->gas_left = 0;
    res->output = NULL;
    res->output_len = 0;
    return;

done:
    if (EVM_UNLIKELY(evm->tracing))
        evm_trace_flush(evm, gas);
    res->status = status;
    res->gas_left = (uint64_t)gas;
    res->output = out;
    res->output_len = out_len;
}

void evm_interp_init(void)
{
    evm_interp_run(NULL, NULL, NULL, NULL, NULL);
}
