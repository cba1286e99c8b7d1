/*
 * trace.c — geth's struct logger over the EVM's callback tracer; see
 * trace.h for the format.
 *
 * Each step becomes its JSON object at once (the stack and memory it shows
 * are those before the instruction, which the callback sees), appended to
 * the log array and kept as the "current" log until step_done fills in its
 * gasCost, pads its memory with the words the instruction's expansion added
 * (geth shows memory after the expansion) and, for a failure geth detects
 * before running an instruction, adds its error. Zero words share one JSON
 * string, and every size is added to an estimate of the output checked
 * against the cap before anything is built, so a huge trace costs at most
 * the cap in memory before it is refused.
 */
#include "rpc/trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evm/gas.h"
#include "rpc/dispatch.h"
#include "state/state.h"
#include "util/err.h"
#include "util/hex.h"

/* Estimated JSON bytes of the parts of a log. */
#define EST_LOG_BASE 96u     /* {"pc":..,"op":"..","gas":..,"gasCost":..,"depth":..} */
#define EST_WORD 67u         /* "<64 hex>", */
#define EST_SLOT 136u        /* "<64 hex>":"<64 hex>", */

struct rpc_struct_logger {
    struct rpc_trace_config cfg;
    const atomic_bool *cancelled;
    json_t *logs;           /* the struct logs; NULL once the cap was passed */
    json_t *storages;       /* contract address hex -> {slot: value} */
    json_t *zero_word;      /* "00..00", shared by memory padding */
    json_t *cur;            /* borrowed: the log awaiting step_done */
    json_t *cur_mem;        /* borrowed: its memory array (NULL when off) */
    uint64_t cur_mem_size;  /* bytes cur_mem shows */
    uint8_t cur_op;
    size_t cur_height;
    size_t bytes;           /* estimated output so far */
    uint64_t count;         /* logs recorded */
    bool full;              /* the cap was passed */
    bool nomem;
    enum evm_status status; /* of the top-level message */
    uint8_t *out;
    size_t out_len;
};

void rpc_trace_config_default(struct rpc_trace_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->stack = true;
    cfg->storage = true;
    cfg->memory = false;
    cfg->limit = 0;
    cfg->max_output = RPC_TRACE_MAX_OUTPUT;
}

/* ---- config ---------------------------------------------------------------- */

static int field_bool(struct rpc_ctx *ctx, const json_t *o, size_t idx, const char *key,
                      bool *present, bool *out)
{
    const json_t *v = json_object_get(o, key);
    *present = false;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_boolean(v)) {
        rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument %zu: json: cannot unmarshal "
                 "non-bool into Go struct field TraceConfig.%s of type bool", idx, key);
        return -1;
    }
    *present = true;
    *out = json_is_true(v);
    return 0;
}

int rpc_trace_config_parse(struct rpc_ctx *ctx, const json_t *params, size_t idx,
                           struct rpc_trace_config *cfg)
{
    rpc_trace_config_default(cfg);
    const json_t *o = json_array_get(params, idx);
    if (!o || json_is_null(o))
        return 0;
    if (!json_is_object(o)) {
        rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument %zu: json: cannot unmarshal "
                 "non-object into Go value of type tracers.TraceConfig", idx);
        return -1;
    }
    bool present, v;
    if (field_bool(ctx, o, idx, "disableStack", &present, &v))
        return -1;
    if (present)
        cfg->stack = !v;
    if (field_bool(ctx, o, idx, "disableStorage", &present, &v))
        return -1;
    if (present)
        cfg->storage = !v;
    if (field_bool(ctx, o, idx, "disableMemory", &present, &v))
        return -1;
    if (present)
        cfg->memory = !v;
    if (field_bool(ctx, o, idx, "enableMemory", &present, &v))
        return -1;
    if (present)
        cfg->memory = v;
    if (field_bool(ctx, o, idx, "enableReturnData", &present, &v))
        return -1;
    const json_t *lim = json_object_get(o, "limit");
    if (lim && !json_is_null(lim)) {
        if (!json_is_integer(lim) || json_integer_value(lim) < 0) {
            rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument %zu: json: cannot unmarshal "
                     "%s into Go struct field TraceConfig.limit of type int", idx,
                     json_is_integer(lim) ? "negative number" : "non-number");
            return -1;
        }
        cfg->limit = (uint64_t)json_integer_value(lim);
    }
    const json_t *t = json_object_get(o, "timeout");
    if (t && !json_is_null(t) && !json_is_string(t)) {
        rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument %zu: json: cannot unmarshal "
                 "non-string into Go struct field TraceConfig.timeout of type string", idx);
        return -1;
    }
    const json_t *r = json_object_get(o, "reexec");
    if (r && !json_is_null(r) && (!json_is_integer(r) || json_integer_value(r) < 0)) {
        rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument %zu: json: cannot unmarshal "
                 "non-number into Go struct field TraceConfig.reexec of type uint64", idx);
        return -1;
    }
    const json_t *tr = json_object_get(o, "tracer");
    if (tr && !json_is_null(tr)) {
        if (!json_is_string(tr)) {
            rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument %zu: json: cannot unmarshal "
                     "non-string into Go struct field TraceConfig.tracer of type string", idx);
            return -1;
        }
        rpc_fail(ctx, RPC_SERVER_ERROR, "unsupported tracer: %.64s (only the default struct "
                 "logger is available)", json_string_value(tr));
        return -1;
    }
    return 0;
}

/* ---- names and errors ---------------------------------------------------------- */

const char *rpc_trace_op_name(uint8_t op, char buf[24])
{
    if (op == 0x20)
        return "KECCAK256";     /* Spectrum's geth name (gas.c spells it SHA3) */
    if (op == 0xfe)
        return "INVALID";
    const char *name = evm_op_info(op)->name;
    if (name)
        return name;
    snprintf(buf, 24, "Missing opcode 0x%x", op);
    return buf;
}

/* geth's error text for a failure it detects before running the
 * instruction, or NULL for the others (geth then logs the step without an
 * error: a bad jump, return data out of bounds, ...). */
static const char *step_error(uint8_t op, size_t height, enum evm_status status, char *buf,
                              size_t cap)
{
    const struct evm_op_info *info = evm_op_info(op);
    char name[24];
    switch (status) {
    case EVM_OUT_OF_GAS:
        return "out of gas";
    case EVM_STATIC_VIOLATION:
        return "write protection";
    case EVM_INVALID_INSTRUCTION:
        snprintf(buf, cap, "invalid opcode: %s", rpc_trace_op_name(op, name));
        return buf;
    case EVM_STACK_UNDERFLOW:
        snprintf(buf, cap, "stack underflow (%zu <=> %u)", height, info->stack_in);
        return buf;
    case EVM_STACK_OVERFLOW:
        snprintf(buf, cap, "stack limit reached %zu (%d)", height,
                 EVM_STACK_LIMIT + info->stack_in - info->stack_out);
        return buf;
    default:
        return NULL;
    }
}

/* ---- recording ------------------------------------------------------------------- */

int rpc_struct_logger_new(const struct rpc_trace_config *cfg, const atomic_bool *cancelled,
                          struct rpc_struct_logger **out)
{
    *out = NULL;
    struct rpc_struct_logger *l = calloc(1, sizeof *l);
    if (!l)
        return err_set(ERR_NOMEM, "out of memory");
    l->cfg = *cfg;
    if (!l->cfg.max_output)
        l->cfg.max_output = RPC_TRACE_MAX_OUTPUT;
    l->cancelled = cancelled;
    l->logs = json_array();
    l->storages = json_object();
    char zeros[65];
    memset(zeros, '0', 64);
    zeros[64] = 0;
    l->zero_word = json_string(zeros);
    if (!l->logs || !l->storages || !l->zero_word) {
        rpc_struct_logger_free(l);
        return err_set(ERR_NOMEM, "out of memory");
    }
    *out = l;
    return 0;
}

void rpc_struct_logger_free(struct rpc_struct_logger *l)
{
    if (!l)
        return;
    json_decref(l->logs);
    json_decref(l->storages);
    json_decref(l->zero_word);
    free(l->out);
    free(l);
}

struct evm_tracer rpc_struct_logger_tracer(struct rpc_struct_logger *l)
{
    struct evm_tracer t = {
        .step = rpc_struct_logger_step,
        .step_done = rpc_struct_logger_step_done,
        .message_end = rpc_struct_logger_message_end,
        .ctx = l,
    };
    return t;
}

/* Stops recording for good: past the cap the logs are dropped at once. */
static void overflow(struct rpc_struct_logger *l)
{
    l->full = true;
    json_decref(l->logs);
    l->logs = NULL;
    json_object_clear(l->storages);
    l->cur = NULL;
    l->cur_mem = NULL;
}

/* Adds n estimated bytes; false (and overflow) past the cap. */
static bool reserve(struct rpc_struct_logger *l, size_t n)
{
    if (n > l->cfg.max_output || l->bytes > l->cfg.max_output - n) {
        overflow(l);
        return false;
    }
    l->bytes += n;
    return true;
}

static json_t *word_json(const u256 *w)
{
    uint8_t be[32];
    char hex[65];
    u256_to_be(w, be);
    hex_encode(hex, be, 32);
    return json_string(hex);
}

static json_t *bytes32_json(const uint8_t *b)
{
    char hex[65];
    hex_encode(hex, b, 32);
    return json_string(hex);
}

/* Records slot key = value of the step's contract and returns a copy of the
 * contract's slots for the log (NULL when out of memory). */
static json_t *storage_update(struct rpc_struct_logger *l, const struct address *contract,
                              const u256 *key, const u256 *value)
{
    char a[41];
    hex_encode(a, contract->b, 20);
    json_t *m = json_object_get(l->storages, a);
    if (!m) {
        m = json_object();
        if (!m || json_object_set_new(l->storages, a, m))
            return NULL;
    }
    uint8_t kb[32];
    char k[65];
    u256_to_be(key, kb);
    hex_encode(k, kb, 32);
    json_t *v = word_json(value);
    if (!v || json_object_set_new(m, k, v))
        return NULL;
    return json_copy(m);
}

void rpc_struct_logger_step(void *vl, const struct evm_step *s)
{
    struct rpc_struct_logger *l = vl;
    l->cur = NULL;
    l->cur_mem = NULL;
    if (l->full || l->nomem)
        return;
    if (l->cancelled && atomic_load(l->cancelled))
        return;
    if (l->cfg.limit && l->count >= l->cfg.limit)
        return;

    /* the storage this step shows (SLOAD/SSTORE only) */
    bool with_storage = false;
    const u256 *skey = NULL;
    u256 sval;
    if (l->cfg.storage) {
        if (s->op == OP_SLOAD && s->stack_height >= 1) {
            skey = &s->stack[s->stack_height - 1];
            if (s->state)
                state_get_storage(s->state, s->contract, skey, &sval);
            else
                sval = u256_from_u64(0);
            with_storage = true;
        } else if (s->op == OP_SSTORE && s->stack_height >= 2) {
            skey = &s->stack[s->stack_height - 1];
            sval = s->stack[s->stack_height - 2];
            with_storage = true;
        }
    }
    size_t words = l->cfg.memory ? (size_t)(s->memory_size / 32) : 0;
    size_t est = EST_LOG_BASE + (l->cfg.stack ? s->stack_height * EST_WORD : 0) +
                 words * EST_WORD;
    if (with_storage) {
        char a[41];
        hex_encode(a, s->contract->b, 20);
        json_t *m = json_object_get(l->storages, a);
        est += (m ? json_object_size(m) + 1 : 1) * EST_SLOT;
    }
    if (!reserve(l, est))
        return;

    char nbuf[24];
    json_t *o = json_pack("{s:I,s:s,s:I,s:I,s:i}", "pc", (json_int_t)s->pc, "op",
                          rpc_trace_op_name(s->op, nbuf), "gas", (json_int_t)s->gas, "gasCost",
                          (json_int_t)0, "depth", s->depth);
    bool ok = o != NULL;
    if (ok && l->cfg.stack) {
        json_t *st = json_array();
        ok = st && json_object_set_new(o, "stack", st) == 0;
        for (size_t i = 0; ok && i < s->stack_height; i++)
            ok = json_array_append_new(st, word_json(&s->stack[i])) == 0;
    }
    json_t *mem = NULL;
    if (ok && l->cfg.memory) {
        mem = json_array();
        ok = mem && json_object_set_new(o, "memory", mem) == 0;
        for (size_t i = 0; ok && i < words; i++)
            ok = json_array_append_new(mem, bytes32_json(s->memory + 32 * i)) == 0;
    }
    if (ok && with_storage) {
        json_t *copy = storage_update(l, s->contract, skey, &sval);
        ok = copy && json_object_set_new(o, "storage", copy) == 0;
    }
    if (ok)
        ok = json_array_append(l->logs, o) == 0;
    if (!ok) {
        json_decref(o);
        l->nomem = true;
        return;
    }
    json_decref(o);     /* the array holds it */
    l->cur = o;
    l->cur_mem = mem;
    l->cur_mem_size = (uint64_t)words * 32;
    l->cur_op = s->op;
    l->cur_height = s->stack_height;
    l->count++;
}

void rpc_struct_logger_step_done(void *vl, uint64_t cost, uint64_t mem_size,
                                 enum evm_status status)
{
    struct rpc_struct_logger *l = vl;
    json_t *o = l->cur;
    if (!o)
        return;
    l->cur = NULL;
    if (json_object_set_new(o, "gasCost", json_integer((json_int_t)cost))) {
        l->nomem = true;
        return;
    }
    if (l->cur_mem && mem_size > l->cur_mem_size) {
        uint64_t add = (mem_size - l->cur_mem_size) / 32;
        if (add > l->cfg.max_output / EST_WORD) {
            overflow(l);
            return;
        }
        if (!reserve(l, (size_t)add * EST_WORD))
            return;
        for (uint64_t i = 0; i < add; i++) {
            if (json_array_append(l->cur_mem, l->zero_word)) {
                l->nomem = true;
                return;
            }
        }
    }
    l->cur_mem = NULL;
    char buf[64];
    const char *e = step_error(l->cur_op, l->cur_height, status, buf, sizeof buf);
    if (e && json_object_set_new(o, "error", json_string(e)))
        l->nomem = true;
}

void rpc_struct_logger_message_end(void *vl, const struct evm_result *res)
{
    struct rpc_struct_logger *l = vl;
    l->status = res->status;
    free(l->out);
    l->out = NULL;
    l->out_len = 0;
    if (res->output_len) {
        l->out = malloc(res->output_len);
        if (!l->out) {
            l->nomem = true;
            return;
        }
        memcpy(l->out, res->output, res->output_len);
        l->out_len = res->output_len;
    }
}

const uint8_t *rpc_struct_logger_output(const struct rpc_struct_logger *l, size_t *len)
{
    *len = l->out_len;
    return l->out;
}

enum evm_status rpc_struct_logger_status(const struct rpc_struct_logger *l)
{
    return l->status;
}

json_t *rpc_struct_logger_result(struct rpc_struct_logger *l, struct rpc_ctx *ctx, uint64_t gas,
                                 bool failed)
{
    if (l->full)
        return rpc_fail(ctx, RPC_SERVER_ERROR, "trace output exceeds %zu MiB; use "
                        "disableStack/disableStorage, leave memory off or set limit",
                        l->cfg.max_output >> 20);
    if (l->nomem)
        return rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
    char *hex = malloc(2 * l->out_len + 1);
    if (!hex)
        return rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
    hex_encode(hex, l->out, l->out_len);
    hex[2 * l->out_len] = 0;
    json_t *logs = l->logs;
    l->logs = json_array();
    json_t *r = json_pack("{s:I,s:b,s:s,s:o}", "gas", (json_int_t)gas, "failed", failed,
                          "returnValue", hex, "structLogs", logs ? logs : json_array());
    free(hex);
    return r ? r : rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
}
