/*
 * internal.h — what the EVM's own files share and nobody else sees: the
 * layout of struct evm, the per-depth frame buffers, and the entry points
 * between the interpreter (interp.c), the message level (call.c) and the
 * tracer (trace.c).
 *
 * Shape (why): a frame's stack and memory live in a struct evm_frame owned
 * by the context, one per call depth, allocated the first time that depth is
 * reached and reused afterwards. The interpreter keeps pc, stack pointer and
 * gas in locals and only the memory (which grows by realloc) and the last
 * return data in the frame, so nothing is allocated per call once warm.
 */
#ifndef SPECTRUM_EVM_INTERNAL_H
#define SPECTRUM_EVM_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "evm/analysis.h"
#include "evm/arith.h"
#include "evm/evm.h"
#include "evm/gas.h"
#include "util/bytes.h"

#define EVM_LIKELY(x) __builtin_expect(!!(x), 1)
#define EVM_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* Largest memory a frame may have (bytes). Expanding further would cost
 * more than 35 trillion gas; the interpreter treats it as out of gas when
 * the gas cannot pay and as an internal error when it could (geth would try
 * to allocate it). */
#define EVM_MEMORY_LIMIT ((uint64_t)1 << 32)

/* The buffers of one call depth. */
struct evm_frame {
    u256 stack[EVM_STACK_LIMIT];
    uint8_t *mem;               /* mem_cap bytes, the first mem_size in use */
    size_t mem_cap;
    uint64_t mem_size;          /* bytes, a multiple of 32 */
    uint64_t mem_cost;          /* gas already paid for mem_size */
    const uint8_t *ret_data;    /* output of the last call this frame made */
    size_t ret_len;
    struct bytes scratch;       /* precompile output when this depth runs one */
    struct code_analysis init;  /* analysis of init code run at this depth */
};

/* A pending trace line (see trace.c). */
struct evm_trace_line {
    bool pending;
    int64_t gas;                /* gas before the instruction */
    const struct evm_frame *frame; /* its frame (memory size at completion) */
    struct bytes head;          /* {"pc":..,"op":..,"gas":"..", */
    struct bytes tail;          /* "memSize":..,..,"opName":".."} */
};

struct state;

struct evm {
    struct state *state;
    enum evm_fork fork;
    struct evm_block block;
    struct evm_tx_context tx;
    bool unmetered;             /* gas metering off (spec §6.4 hook) */
    uint64_t call_gas_temp;     /* gas of the last metered CALL (geth's callGasTemp) */
    struct evm_modcache modcache; /* MULMOD's last modulus */
    int error;                  /* sticky internal error of this execution */
    struct evm_frame *frames[EVM_MAX_DEPTH + 1];
    struct analysis_cache *cache;
    FILE *trace;
    struct evm_tracer tracer;   /* callback tracer (evm_set_tracer) */
    bool has_tracer;
    bool tracing;               /* trace != NULL || has_tracer: the interpreter's test */
    struct evm_trace_line line;
    /* Spectrum's per-frame metering rule (spec §6.4, evm_set_frame_metering)
     * and the addresses whose init code is running, innermost last (at most
     * one per depth): frames they enter leave the flag alone (createSync). */
    evm_frame_metering_fn metering;
    void *metering_ctx;
    size_t nconstructing;
    struct address constructing[EVM_MAX_DEPTH + 1];
};

/* Runs `msg` (depth, balance and collision checks, snapshot, transfer,
 * precompile or code, revert on failure). Never fails: internal errors set
 * evm->error and come back as EVM_INTERNAL_ERROR. (call.c) */
void evm_call_message(struct evm *evm, const struct evm_message *msg, struct evm_result *res);

/* Runs `an`'s code for `msg` in frame `f` (whose memory the caller has
 * emptied). The output points into f->mem. (interp.c) */
void evm_interp_run(struct evm *evm, struct evm_frame *f, const struct evm_message *msg,
                    const struct code_analysis *an, struct evm_result *res);

/* Builds the per-fork dispatch tables; called once (pthread_once) before
 * the first run. (interp.c) */
void evm_interp_init(void);

/* The frame buffers of `depth`, allocated on first use; NULL (with
 * evm->error set) when out of memory. (call.c) */
struct evm_frame *evm_frame_at(struct evm *evm, int depth);

/* Grows f's memory to `new_size` bytes (a multiple of 32, above mem_size),
 * zeroing the new part. Returns 0 or ERR_NOMEM. (call.c) */
int evm_frame_grow(struct evm_frame *f, uint64_t new_size);

/* Credits `v` to `a` the way geth's AddBalance does: a zero amount still
 * creates a missing account and touches it (EIP-158). (call.c) */
void evm_credit(struct evm *evm, const struct address *a, const u256 *v);

/* Tracer (trace.c). */
void evm_trace_step(struct evm *evm, const struct evm_message *msg, const struct evm_frame *f,
                    uint64_t pc, uint8_t op, int64_t gas, const u256 *stack, size_t height);
/* Completes the pending line: its cost is its gas minus `gas_now`. */
void evm_trace_flush(struct evm *evm, int64_t gas_now);
/* Completes the pending line of an instruction that failed its frame with
 * `status` (all the frame's gas consumed). */
void evm_trace_fail(struct evm *evm, enum evm_status status);
void evm_trace_free(struct evm *evm);

/* Sets evm->error (first error wins) and returns it. */
static inline int evm_fail(struct evm *evm, int code)
{
    if (!evm->error)
        evm->error = code;
    return evm->error;
}

/* Address <-> stack word (the low 160 bits, big-endian). */
static inline void evm_word_to_address(const u256 *w, struct address *a)
{
    uint64_t v0 = w->w[0], v1 = w->w[1];
    uint32_t v2 = (uint32_t)w->w[2];
    for (int i = 0; i < 8; i++) {
        a->b[19 - i] = (uint8_t)(v0 >> (8 * i));
        a->b[11 - i] = (uint8_t)(v1 >> (8 * i));
    }
    for (int i = 0; i < 4; i++)
        a->b[3 - i] = (uint8_t)(v2 >> (8 * i));
}

static inline void evm_address_to_word(const struct address *a, u256 *w)
{
    uint64_t v0 = 0, v1 = 0, v2 = 0;
    for (int i = 0; i < 4; i++)
        v2 = v2 << 8 | a->b[i];
    for (int i = 4; i < 12; i++)
        v1 = v1 << 8 | a->b[i];
    for (int i = 12; i < 20; i++)
        v0 = v0 << 8 | a->b[i];
    w->w[0] = v0;
    w->w[1] = v1;
    w->w[2] = v2;
    w->w[3] = 0;
}

#endif
