/*
 * trace.c — EIP-3155 style step traces.
 *
 * A line is written before the instruction runs (pc, gas, stack, memory
 * size, refund), but its "gasCost" is only known afterwards (dynamic gas,
 * the gas a CALL hands over). So the step is formatted at once into two
 * halves and held as the one pending line; it is completed by the next step
 * of the same frame, by a CALL/CREATE just before the child frame starts, or
 * by the frame's exit — whichever comes first, with cost = gas before minus
 * gas at that point. Only tracing pays for any of this: the interpreter
 * reaches evm_trace_step through its trace dispatch table.
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

void evm_trace_step(struct evm *evm, const struct evm_message *msg, const struct evm_frame *f,
                    uint64_t pc, uint8_t op, int64_t gas, const u256 *stack, size_t height)
{
    struct evm_trace_line *l = &evm->line;
    if (l->pending)
        evm_trace_flush(evm, gas);
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
    l->gas = gas;
    l->pending = true;
}

void evm_trace_flush(struct evm *evm, int64_t gas_now)
{
    struct evm_trace_line *l = &evm->line;
    if (!l->pending || !evm->trace)
        return;
    l->pending = false;
    if (bytes_ok(&l->head) || bytes_ok(&l->tail))
        return;
    unsigned long long c = l->gas >= gas_now ? (unsigned long long)(l->gas - gas_now) : 0;
    fwrite(l->head.data, 1, l->head.len, evm->trace);
    fprintf(evm->trace, "\"gasCost\":\"0x%llx\",", c);
    fwrite(l->tail.data, 1, l->tail.len, evm->trace);
}

void evm_trace_free(struct evm *evm)
{
    bytes_free(&evm->line.head);
    bytes_free(&evm->line.tail);
}
