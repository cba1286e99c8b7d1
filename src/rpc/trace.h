/*
 * trace.h — geth's struct logger for debug_traceTransaction and
 * debug_traceCall: an EVM callback tracer (evm.h, evm_set_tracer) that
 * records every executed instruction as a JSON "struct log", and the
 * result object around them:
 *
 *   {"gas": 21000, "failed": false, "returnValue": "",
 *    "structLogs": [{"pc": 0, "op": "PUSH1", "gas": 78984, "gasCost": 3,
 *                    "depth": 1, "stack": [...], "memory": [...],
 *                    "storage": {...}}, ...]}
 *
 * The format is that of Spectrum's geth (internal/ethapi FormatLogs, the
 * LogConfig of core/vm/logger.go): numbers are JSON numbers; stack entries
 * and memory words are 64 lowercase hex digits without 0x; memory is shown
 * as geth shows it, after the instruction's expansion but before its write,
 * and only when asked for (enableMemory: true, or disableMemory: false);
 * storage appears on SLOAD and SSTORE steps only, holding every slot of the
 * current contract read or written so far in the trace; returnValue is hex
 * without 0x. Where Spectrum's geth prints an error step as "error": {}
 * (a Go error value), this writes the message as a string, as later geth
 * does, and only for the failures geth detects before running an
 * instruction (stack, gas, invalid opcode, write protection).
 *
 * Size: geth builds traces of any size. Here the estimated JSON size is
 * capped (cfg.max_output, RPC_TRACE_MAX_OUTPUT by default); past it the
 * logger stops recording, frees what it holds and rpc_struct_logger_result
 * refuses with -32000 naming the cap, so one request cannot take the
 * node's memory. The disable options and `limit` shrink a trace.
 *
 * Threads: a logger belongs to the thread running the evm it is attached
 * to. Pure apart from the state read for SLOAD values, so the unit tests
 * drive it with hand-made steps as well as with a real evm.
 */
#ifndef SPECTRUM_RPC_TRACE_H
#define SPECTRUM_RPC_TRACE_H

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evm/evm.h"

struct rpc_ctx;

/* Default cap on a trace's JSON size (bytes). */
#define RPC_TRACE_MAX_OUTPUT ((size_t)64 << 20)

struct rpc_trace_config {
    bool stack;         /* default true  (disableStack) */
    bool storage;       /* default true  (disableStorage) */
    bool memory;        /* default false (enableMemory, or disableMemory: false) */
    uint64_t limit;     /* most struct logs recorded; 0: no limit (limit) */
    size_t max_output;  /* estimated JSON bytes; 0: RPC_TRACE_MAX_OUTPUT */
};

/* The defaults above. */
void rpc_trace_config_default(struct rpc_trace_config *cfg);

/*
 * Reads the trace config argument params[idx] (absent or null: defaults):
 * an object with the optional fields disableStack, disableStorage,
 * disableMemory, enableMemory, enableReturnData (bools), limit (number),
 * tracer (string), timeout (string), reexec (number). Unknown fields are
 * ignored, as geth's JSON decoding does. A `tracer` is -32000 "unsupported
 * tracer: <name> (only the default struct logger is available)"; a field of
 * the wrong type is -32602 naming it. Returns 0 or -1 with ctx's error set.
 */
int rpc_trace_config_parse(struct rpc_ctx *ctx, const json_t *params, size_t idx,
                           struct rpc_trace_config *cfg);

struct rpc_struct_logger;

/*
 * Creates a logger. The value an SLOAD step shows is read from the step's
 * state (zero when a hand-made step has none). cancelled (may be NULL)
 * stops recording when it becomes true.
 * Returns 0 or ERR_NOMEM. Out: *out (rpc_struct_logger_free).
 */
int rpc_struct_logger_new(const struct rpc_trace_config *cfg, const atomic_bool *cancelled,
                          struct rpc_struct_logger **out);

void rpc_struct_logger_free(struct rpc_struct_logger *l);

/* The evm tracer that feeds l (its ctx is l); install it with
 * evm_set_tracer for the execution to trace, and remove it afterwards. */
struct evm_tracer rpc_struct_logger_tracer(struct rpc_struct_logger *l);

/* The callbacks themselves, for tests that feed steps by hand. */
void rpc_struct_logger_step(void *l, const struct evm_step *s);
void rpc_struct_logger_step_done(void *l, uint64_t cost, uint64_t mem_size,
                                 enum evm_status status);
void rpc_struct_logger_message_end(void *l, const struct evm_result *res);

/* The return data of the top-level message (as message_end saw it; empty
 * before). Valid while l lives. */
const uint8_t *rpc_struct_logger_output(const struct rpc_struct_logger *l, size_t *len);

/* The message's status as message_end saw it (EVM_SUCCESS before). */
enum evm_status rpc_struct_logger_status(const struct rpc_struct_logger *l);

/*
 * The result object {gas, failed, returnValue, structLogs} with `gas` and
 * `failed` as the caller computed them (the transaction's gas used, whether
 * its message failed) and returnValue from message_end. Takes the logs out
 * of l (a second call gives an empty structLogs).
 * Returns a new reference, or NULL with ctx's error set: -32000 "trace
 * output exceeds <n> MiB; use disableStack/disableStorage, leave memory
 * off or set limit" past the cap, -32603 when out of memory.
 */
json_t *rpc_struct_logger_result(struct rpc_struct_logger *l, struct rpc_ctx *ctx, uint64_t gas,
                                 bool failed);

/* geth's name of an opcode: "PUSH1", "KECCAK256", "INVALID" for 0xfe,
 * "Missing opcode 0x.." for an undefined one. buf holds at least 24 bytes;
 * the result may point into it. */
const char *rpc_trace_op_name(uint8_t op, char buf[24]);

#endif
