/*
 * trace.c — step traces: EIP-3155 lines to a FILE (evm_set_trace) and the
 * callback tracer (evm_set_tracer) that debug_traceTransaction builds on.
 *
 * A step is seen before the instruction runs (pc, gas, stack, memory,
 * refund), but its cost is only known afterwards (dynamic gas, the gas a
 * CALL hands over). So the step is held as the one pending step: for the
 * FILE form it is formatted at once into two halves; for the callback form
 * the tracer copies what it needs in `step`. The pending step is completed
 * by the next step of the same frame, by a CALL/CREATE just before the
 * child frame starts, or by the frame's exit — whichever comes first — with
 * cost = gas before minus gas at that point (all of it when the
 * instruction failed its frame). Only tracing pays for any of this: the
 * interpreter reaches evm_trace_step through its trace dispatch table, and
 * tests one flag (evm->tracing) at calls and frame exits.
 */
#include "evm/internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "state/state.h"

static void append_str(struct bytes *b, const char *s)
{
    bytes_append(b, s, strlen(s));
}

static void append_fmt(struct bytes *b, const char *fmt, unsigned long long v)
{
    char buf[64];
    int n = snprintf(buf, sizeof buf, fmt, v);
    if (n > 0)
        bytes_append(b, buf, (size_t)n);
}

/* The EIP-3155 line of a step, held in l->head / l->tail. */
static void format_line(struct evm *evm, const struct evm_message *msg, const struct evm_frame *f,
                        uint64_t pc, uint8_t op, int64_t gas, const u256 *stack, size_t height)
{
    struct evm_trace_line *l = &evm->line;
    bytes_reset(&l->head);
    bytes_reset(&l->tail);
    append_fmt(&l->head, "{\"pc\":%llu", pc);
    append_fmt(&l->head, ",\"op\":%llu", op);
    append_fmt(&l->head, ",\"gas\":\"0x%llx\",", (unsigned long long)gas);
    append_fmt(&l->tail, "\"memSize\":%llu,\"stack\":[", f->mem_size);
    for (size_t i = 0; i < height; i++) {
        char q[U256_HEX_BUF];
        u256_to_hex_quantity(&stack[i], q);
        if (i)
            append_str(&l->tail, ",");
        append_str(&l->tail, "\"");
        append_str(&l->tail, q);
        append_str(&l->tail, "\"");
    }
    append_fmt(&l->tail, "],\"depth\":%llu", (unsigned long long)(msg->depth + 1));
    append_fmt(&l->tail, ",\"refund\":%llu", state_get_refund(evm->state));
    const char *name = evm_op_info(op)->name;
    char unk[16];
    if (!name) {
        snprintf(unk, sizeof unk, "0x%02x", op);
        name = unk;
    }
    append_str(&l->tail, ",\"opName\":\"");
    append_str(&l->tail, name);
    append_str(&l->tail, "\"}\n");
}

void evm_trace_step(struct evm *evm, const struct evm_message *msg, const struct evm_frame *f,
                    uint64_t pc, uint8_t op, int64_t gas, const u256 *stack, size_t height)
{
    struct evm_trace_line *l = &evm->line;
    if (l->pending)
        evm_trace_flush(evm, gas);
    if (evm->trace)
        format_line(evm, msg, f, pc, op, gas, stack, height);
    if (evm->has_tracer && evm->tracer.step) {
        struct evm_step s = {
            .pc = pc,
            .op = op,
            .depth = msg->depth + 1,
            .gas = gas,
            .stack = stack,
            .stack_height = height,
            .memory = f->mem,
            .memory_size = f->mem_size,
            .refund = state_get_refund(evm->state),
            .contract = &msg->recipient,
            .state = evm->state,
        };
        evm->tracer.step(evm->tracer.ctx, &s);
    }
    l->gas = gas;
    l->frame = f;
    l->pending = true;
}

/* Completes the pending step with cost `c` and `status`. */
static void complete(struct evm *evm, unsigned long long c, enum evm_status status)
{
    struct evm_trace_line *l = &evm->line;
    l->pending = false;
    if (evm->trace && !bytes_ok(&l->head) && !bytes_ok(&l->tail)) {
        fwrite(l->head.data, 1, l->head.len, evm->trace);
        fprintf(evm->trace, "\"gasCost\":\"0x%llx\",", c);
        fwrite(l->tail.data, 1, l->tail.len, evm->trace);
    }
    if (evm->has_tracer && evm->tracer.step_done)
        evm->tracer.step_done(evm->tracer.ctx, c, l->frame ? l->frame->mem_size : 0, status);
}

void evm_trace_flush(struct evm *evm, int64_t gas_now)
{
    struct evm_trace_line *l = &evm->line;
    if (!l->pending)
        return;
    complete(evm, l->gas >= gas_now ? (unsigned long long)(l->gas - gas_now) : 0, EVM_SUCCESS);
}

void evm_trace_fail(struct evm *evm, enum evm_status status)
{
    struct evm_trace_line *l = &evm->line;
    if (!l->pending)
        return;
    complete(evm, l->gas > 0 ? (unsigned long long)l->gas : 0, status);
}

void evm_trace_free(struct evm *evm)
{
    bytes_free(&evm->line.head);
    bytes_free(&evm->line.tail);
}
