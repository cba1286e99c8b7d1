/*
 * test_rpc_trace.c — geth's struct logger (rpc/trace.h) over the EVM's
 * callback tracer (evm.h, evm_set_tracer): tiny hand-assembled programs run
 * on a real evm, whose struct logs are checked field by field against
 * values worked out by hand from the gas schedule (Petersburg: PUSH/ADD 3,
 * a fresh SSTORE 20000, SLOAD 200, CALL 700 + the gas handed over); memory
 * shown after the instruction's expansion as geth shows it; storage on
 * SLOAD/SSTORE only; the error text of steps that fail; the disable options,
 * limit and the output cap; the callback contract (each step completed
 * once, CALLs before their child frame); and the config argument's parsing
 * with geth's messages.
 */
#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "evm/evm.h"
#include "evm_harness.h"
#include "rpc/dispatch.h"
#include "rpc/trace.h"
#include "state/state.h"

#define G 100000u   /* gas of the calls below */

static atomic_bool never;

static void ctx_init(struct rpc_ctx *ctx)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->cancelled = &never;
}

/* Runs `src` at H_CONTRACT with gas under cfg and returns the result object
 * (gas = gas used by the message, failed = status != success). */
static json_t *trace_run(struct harness *h, const char *src, uint64_t gas,
                         const struct rpc_trace_config *cfg)
{
    struct rpc_struct_logger *l;
    ck_assert_int_eq(rpc_struct_logger_new(cfg, NULL, &l), 0);
    struct evm_tracer t = rpc_struct_logger_tracer(l);
    evm_set_tracer(h->evm, &t);
    enum evm_status st = h_run(h, src, gas);
    evm_set_tracer(h->evm, NULL);
    ck_assert_int_eq(rpc_struct_logger_status(l), st);
    struct rpc_ctx ctx;
    ctx_init(&ctx);
    json_t *r = rpc_struct_logger_result(l, &ctx, h->gas_used, st != EVM_SUCCESS);
    ck_assert_msg(r != NULL, "result: %s", ctx.err.message);
    rpc_struct_logger_free(l);
    return r;
}

static json_t *logs_of(json_t *r)
{
    json_t *logs = json_object_get(r, "structLogs");
    ck_assert(json_is_array(logs));
    return logs;
}

static json_int_t num(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    ck_assert_msg(json_is_integer(v), "field %s is not a number", key);
    return json_integer_value(v);
}

static const char *str(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    ck_assert_msg(json_is_string(v), "field %s is not a string", key);
    return json_string_value(v);
}

/* A 64-digit word of the value v. */
static const char *word(uint64_t v)
{
    static char buf[4][65];
    static int k;
    char *b = buf[k++ % 4];
    snprintf(b, 65, "%064llx", (unsigned long long)v);
    return b;
}

/* Checks log i: pc, op, gas, gasCost, depth and the stack (n values,
 * bottom first). */
static void check_log(json_t *logs, size_t i, json_int_t pc, const char *op, json_int_t gas,
                      json_int_t cost, json_int_t depth, size_t n, const uint64_t *stack)
{
    json_t *l = json_array_get(logs, i);
    ck_assert_msg(l != NULL, "no log %zu", i);
    ck_assert_int_eq(num(l, "pc"), pc);
    ck_assert_str_eq(str(l, "op"), op);
    ck_assert_int_eq(num(l, "gas"), gas);
    ck_assert_int_eq(num(l, "gasCost"), cost);
    ck_assert_int_eq(num(l, "depth"), depth);
    json_t *s = json_object_get(l, "stack");
    ck_assert(json_is_array(s));
    ck_assert_uint_eq(json_array_size(s), n);
    for (size_t k = 0; k < n; k++)
        ck_assert_str_eq(json_string_value(json_array_get(s, k)), word(stack[k]));
}

START_TEST(program_steps)
{
    struct harness h;
    h_init(&h, FORK_PETERSBURG);
    struct rpc_trace_config cfg;
    rpc_trace_config_default(&cfg);
    json_t *r = trace_run(&h, "PUSH1 2 PUSH1 3 ADD PUSH1 0 SSTORE PUSH1 0 SLOAD STOP", G, &cfg);
    json_t *logs = logs_of(r);
    ck_assert_uint_eq(json_array_size(logs), 8);
    const uint64_t s1[] = {2}, s2[] = {2, 3}, s3[] = {5}, s4[] = {5, 0}, s6[] = {0};
    check_log(logs, 0, 0, "PUSH1", G, 3, 1, 0, NULL);
    check_log(logs, 1, 2, "PUSH1", G - 3, 3, 1, 1, s1);
    check_log(logs, 2, 4, "ADD", G - 6, 3, 1, 2, s2);
    check_log(logs, 3, 5, "PUSH1", G - 9, 3, 1, 1, s3);
    check_log(logs, 4, 7, "SSTORE", G - 12, 20000, 1, 2, s4);
    check_log(logs, 5, 8, "PUSH1", G - 20012, 3, 1, 0, NULL);
    check_log(logs, 6, 10, "SLOAD", G - 20015, 200, 1, 1, s6);
    check_log(logs, 7, 11, "STOP", G - 20215, 0, 1, 1, s3);
    /* storage only on SSTORE/SLOAD, with the slot written, then read */
    for (size_t i = 0; i < 8; i++)
        ck_assert_int_eq(json_object_get(json_array_get(logs, i), "storage") != NULL,
                         i == 4 || i == 6);
    for (size_t i = 4; i <= 6; i += 2) {
        json_t *st = json_object_get(json_array_get(logs, i), "storage");
        ck_assert_uint_eq(json_object_size(st), 1);
        ck_assert_str_eq(str(st, word(0)), word(5));
    }
    /* memory is off by default; no error fields */
    for (size_t i = 0; i < 8; i++) {
        ck_assert_ptr_null(json_object_get(json_array_get(logs, i), "memory"));
        ck_assert_ptr_null(json_object_get(json_array_get(logs, i), "error"));
    }
    ck_assert_int_eq(num(r, "gas"), 20215);
    ck_assert(json_is_false(json_object_get(r, "failed")));
    ck_assert_str_eq(str(r, "returnValue"), "");
    json_decref(r);
    h_free(&h);
}
END_TEST

START_TEST(sload_shows_the_current_value)
{
    struct harness h;
    h_init(&h, FORK_PETERSBURG);
    u256 v = u256_from_u64(0xbeef);
    h_storage(&h, &H_CONTRACT, 7, &v);
    struct rpc_trace_config cfg;
    rpc_trace_config_default(&cfg);
    json_t *r = trace_run(&h, "PUSH1 7 SLOAD STOP", G, &cfg);
    json_t *st = json_object_get(json_array_get(logs_of(r), 1), "storage");
    ck_assert_str_eq(str(st, word(7)), word(0xbeef));
    json_decref(r);
    h_free(&h);
}
END_TEST

START_TEST(memory_after_expansion)
{
    struct harness h;
    h_init(&h, FORK_PETERSBURG);
    struct rpc_trace_config cfg;
    rpc_trace_config_default(&cfg);
    cfg.memory = true;
    json_t *r = trace_run(&h, "PUSH1 0x80 PUSH1 0x40 MSTORE PUSH1 0 MLOAD STOP", G, &cfg);
    json_t *logs = logs_of(r);
    ck_assert_uint_eq(json_array_size(logs), 6);
    /* before MSTORE: empty; at MSTORE: its 3 words, zero (not written yet);
     * after it: the value at 0x40 */
    ck_assert_uint_eq(json_array_size(json_object_get(json_array_get(logs, 1), "memory")), 0);
    json_t *m = json_object_get(json_array_get(logs, 2), "memory");
    ck_assert_uint_eq(json_array_size(m), 3);
    for (size_t i = 0; i < 3; i++)
        ck_assert_str_eq(json_string_value(json_array_get(m, i)), word(0));
    ck_assert_int_eq(num(json_array_get(logs, 2), "gasCost"), 3 + 9); /* 3 words: 3*3 + 0 */
    m = json_object_get(json_array_get(logs, 3), "memory");
    ck_assert_uint_eq(json_array_size(m), 3);
    ck_assert_str_eq(json_string_value(json_array_get(m, 2)), word(0x80));
    /* MLOAD within the memory: no growth, cost 3 */
    ck_assert_int_eq(num(json_array_get(logs, 4), "gasCost"), 3);
    ck_assert_uint_eq(json_array_size(json_object_get(json_array_get(logs, 4), "memory")), 3);
    json_decref(r);
    h_free(&h);
}
END_TEST

/* CALL(gas 0xffff, H_OTHER, value 0, in 0/0, out 0/0) */
#define CALL_OTHER "PUSH1 0 PUSH1 0 PUSH1 0 PUSH1 0 PUSH1 0 " \
                   "PUSH20 0x074e120000000000000000000000000000000000 PUSH2 0xffff CALL STOP"

START_TEST(call_cost_and_depth)
{
    struct harness h;
    h_init(&h, FORK_PETERSBURG);
    h_code(&h, &H_OTHER, "PUSH1 1 PUSH1 2 RETURN");
    struct rpc_trace_config cfg;
    rpc_trace_config_default(&cfg);
    json_t *r = trace_run(&h, CALL_OTHER, G, &cfg);
    json_t *logs = logs_of(r);
    /* 7 pushes, CALL, 3 steps of the callee, STOP */
    ck_assert_uint_eq(json_array_size(logs), 12);
    /* CALL at pc 5*2 + 21 + 3: its cost is 700 plus the 0xffff it hands over */
    json_t *call = json_array_get(logs, 7);
    ck_assert_int_eq(num(call, "pc"), 34);
    ck_assert_str_eq(str(call, "op"), "CALL");
    json_int_t before = G - 7 * 3;
    ck_assert_int_eq(num(call, "gas"), before);
    ck_assert_int_eq(num(call, "gasCost"), 700 + 0xffff);
    ck_assert_int_eq(num(call, "depth"), 1);
    json_t *cs = json_object_get(call, "stack");
    ck_assert_uint_eq(json_array_size(cs), 7);
    ck_assert_str_eq(json_string_value(json_array_get(cs, 5)),
                     "000000000000000000000000074e120000000000000000000000000000000000");
    ck_assert_str_eq(json_string_value(json_array_get(cs, 6)), word(0xffff));
    /* the callee at depth 2 starts with exactly the gas handed over */
    const uint64_t c1[] = {1}, c2[] = {1, 2};
    check_log(logs, 8, 0, "PUSH1", 0xffff, 3, 2, 0, NULL);
    check_log(logs, 9, 2, "PUSH1", 0xffff - 3, 3, 2, 1, c1);
    check_log(logs, 10, 4, "RETURN", 0xffff - 6, 3, 2, 2, c2); /* one word of memory */
    /* back in the caller: the callee's 9 gas gone, its rest returned */
    check_log(logs, 11, 35, "STOP", before - 709, 0, 1, 1, c1);
    ck_assert_int_eq(num(r, "gas"), 21 + 709);
    json_decref(r);
    h_free(&h);
}
END_TEST

START_TEST(failing_steps)
{
    struct harness h;
    h_init(&h, FORK_PETERSBURG);
    struct rpc_trace_config cfg;
    rpc_trace_config_default(&cfg);

    /* stack underflow: the step shows the error and consumes all gas */
    json_t *r = trace_run(&h, "PUSH1 1 ADD", G, &cfg);
    json_t *logs = logs_of(r);
    ck_assert_uint_eq(json_array_size(logs), 2);
    json_t *l = json_array_get(logs, 1);
    ck_assert_str_eq(str(l, "op"), "ADD");
    ck_assert_str_eq(str(l, "error"), "stack underflow (1 <=> 2)");
    ck_assert_int_eq(num(l, "gasCost"), G - 3);
    ck_assert(json_is_true(json_object_get(r, "failed")));
    ck_assert_int_eq(num(r, "gas"), G);
    json_decref(r);

    /* out of gas on the second PUSH1 */
    r = trace_run(&h, "PUSH1 1 PUSH1 2 STOP", 5, &cfg);
    l = json_array_get(logs_of(r), 1);
    ck_assert_str_eq(str(l, "error"), "out of gas");
    ck_assert_int_eq(num(l, "gas"), 2);
    json_decref(r);

    /* 0xfe */
    r = trace_run(&h, "PUSH1 1 #fe", G, &cfg);
    l = json_array_get(logs_of(r), 1);
    ck_assert_str_eq(str(l, "op"), "INVALID");
    ck_assert_str_eq(str(l, "error"), "invalid opcode: INVALID");
    json_decref(r);

    /* a bad jump is found while the instruction runs: geth logs no error */
    r = trace_run(&h, "PUSH1 5 JUMP STOP", G, &cfg);
    l = json_array_get(logs_of(r), 1);
    ck_assert_str_eq(str(l, "op"), "JUMP");
    ck_assert_ptr_null(json_object_get(l, "error"));
    ck_assert(json_is_true(json_object_get(r, "failed")));
    json_decref(r);

    /* REVERT: returnValue is the revert data, failed, REVERT itself no error */
    r = trace_run(&h, "PUSH2 0xabcd PUSH1 0 MSTORE PUSH1 2 PUSH1 30 REVERT", G, &cfg);
    ck_assert_str_eq(str(r, "returnValue"), "abcd");
    ck_assert(json_is_true(json_object_get(r, "failed")));
    logs = logs_of(r);
    ck_assert_ptr_null(json_object_get(json_array_get(logs, json_array_size(logs) - 1), "error"));
    json_decref(r);
    h_free(&h);
}
END_TEST

START_TEST(disable_options_and_limit)
{
    struct harness h;
    h_init(&h, FORK_PETERSBURG);
    struct rpc_trace_config cfg;
    rpc_trace_config_default(&cfg);
    cfg.stack = false;
    cfg.storage = false;
    json_t *r = trace_run(&h, "PUSH1 2 PUSH1 0 SSTORE STOP", G, &cfg);
    json_t *logs = logs_of(r);
    ck_assert_uint_eq(json_array_size(logs), 4);
    for (size_t i = 0; i < 4; i++) {
        json_t *l = json_array_get(logs, i);
        ck_assert_ptr_null(json_object_get(l, "stack"));
        ck_assert_ptr_null(json_object_get(l, "storage"));
        ck_assert_ptr_null(json_object_get(l, "memory"));
        ck_assert_ptr_nonnull(json_object_get(l, "gasCost"));
    }
    json_decref(r);

    rpc_trace_config_default(&cfg);
    cfg.limit = 2;
    r = trace_run(&h, "PUSH1 2 PUSH1 0 SSTORE STOP", G, &cfg);
    logs = logs_of(r);
    ck_assert_uint_eq(json_array_size(logs), 2);
    ck_assert_int_eq(num(json_array_get(logs, 1), "gasCost"), 3);
    /* the gas is the whole run's (slot 0 was set by the run above: 5000) */
    ck_assert_int_eq(num(r, "gas"), 5006);
    json_decref(r);
    h_free(&h);
}
END_TEST

START_TEST(output_cap)
{
    struct harness h;
    h_init(&h, FORK_PETERSBURG);
    struct rpc_trace_config cfg;
    rpc_trace_config_default(&cfg);
    cfg.max_output = 2000;  /* about a dozen steps */
    struct rpc_struct_logger *l;
    ck_assert_int_eq(rpc_struct_logger_new(&cfg, NULL, &l), 0);
    struct evm_tracer t = rpc_struct_logger_tracer(l);
    evm_set_tracer(h.evm, &t);
    ck_assert_int_eq(h_run(&h, "@top JUMPDEST PUSH2 :top JUMP", 5000), EVM_OUT_OF_GAS);
    evm_set_tracer(h.evm, NULL);
    struct rpc_ctx ctx;
    ctx_init(&ctx);
    ck_assert_ptr_null(rpc_struct_logger_result(l, &ctx, 5000, true));
    ck_assert_int_eq(ctx.err.code, RPC_SERVER_ERROR);
    ck_assert_ptr_nonnull(strstr(ctx.err.message, "trace output exceeds"));
    rpc_error_clear(&ctx.err);
    rpc_struct_logger_free(l);

    /* the same program under the default cap is fine */
    rpc_trace_config_default(&cfg);
    json_t *r = trace_run(&h, "@top JUMPDEST PUSH2 :top JUMP", 5000, &cfg);
    ck_assert_uint_gt(json_array_size(logs_of(r)), 100);
    json_decref(r);
    h_free(&h);
}
END_TEST

/* Counts the callbacks to check the tracer contract of evm.h. */
struct counter {
    int steps, done, ends, open;
    bool bad;
    int depth_at_call_done;
};

static void c_step(void *vc, const struct evm_step *s)
{
    struct counter *c = vc;
    if (c->open)
        c->bad = true;      /* a step before the previous one completed */
    c->open = 1;
    c->steps++;
    (void)s;
}

static void c_done(void *vc, uint64_t cost, uint64_t mem, enum evm_status st)
{
    struct counter *c = vc;
    if (!c->open)
        c->bad = true;
    c->open = 0;
    c->done++;
    (void)cost;
    (void)mem;
    (void)st;
}

static void c_end(void *vc, const struct evm_result *r)
{
    struct counter *c = vc;
    c->ends++;
    (void)r;
}

START_TEST(callback_contract)
{
    struct harness h;
    h_init(&h, FORK_PETERSBURG);
    h_code(&h, &H_OTHER, "PUSH1 1 ADD");     /* fails in the child */
    struct counter c;
    memset(&c, 0, sizeof c);
    struct evm_tracer t = {c_step, c_done, c_end, &c};
    evm_set_tracer(h.evm, &t);
    ck_assert_int_eq(h_run(&h, CALL_OTHER, G), EVM_SUCCESS);
    ck_assert(!c.bad);
    ck_assert_int_eq(c.steps, 7 + 1 + 2 + 1);
    ck_assert_int_eq(c.done, c.steps);
    ck_assert_int_eq(c.ends, 1);     /* the top-level message only */
    /* removed: nothing more is reported */
    evm_set_tracer(h.evm, NULL);
    ck_assert_int_eq(h_run(&h, "PUSH1 1 STOP", G), EVM_SUCCESS);
    ck_assert_int_eq(c.steps, 11);
    ck_assert_int_eq(c.ends, 1);
    h_free(&h);
}
END_TEST

/* ---- hand-fed steps ------------------------------------------------------------- */

START_TEST(names_words_and_contracts)
{
    char buf[24];
    ck_assert_str_eq(rpc_trace_op_name(0x20, buf), "KECCAK256");
    ck_assert_str_eq(rpc_trace_op_name(0xfe, buf), "INVALID");
    ck_assert_str_eq(rpc_trace_op_name(0xef, buf), "Missing opcode 0xef");
    ck_assert_str_eq(rpc_trace_op_name(0x60, buf), "PUSH1");
    ck_assert_str_eq(rpc_trace_op_name(0xff, buf), "SELFDESTRUCT");

    struct rpc_trace_config cfg;
    rpc_trace_config_default(&cfg);
    struct rpc_struct_logger *l;
    ck_assert_int_eq(rpc_struct_logger_new(&cfg, NULL, &l), 0);
    /* SSTORE in two contracts: each log shows its own contract's slots */
    u256 stack[2] = {u256_from_u64(0), u256_from_u64(1)};
    stack[0].w[3] = 0x8000000000000000ull;  /* value: the top bit set */
    struct evm_step s = {.pc = 7, .op = 0x55, .depth = 1, .gas = 50000, .stack = stack,
                         .stack_height = 2, .contract = &H_CONTRACT};
    rpc_struct_logger_step(l, &s);
    rpc_struct_logger_step_done(l, 20000, 0, EVM_SUCCESS);
    s.contract = &H_OTHER;
    s.depth = 2;
    stack[1] = u256_from_u64(2);
    rpc_struct_logger_step(l, &s);
    rpc_struct_logger_step_done(l, 20000, 0, EVM_SUCCESS);
    s.contract = &H_CONTRACT;
    s.depth = 1;
    stack[1] = u256_from_u64(3);
    rpc_struct_logger_step(l, &s);
    rpc_struct_logger_step_done(l, 5000, 0, EVM_SUCCESS);
    uint8_t out[3] = {0x00, 0xab, 0x10};
    struct evm_result res = {.status = EVM_SUCCESS, .output = out, .output_len = 3};
    rpc_struct_logger_message_end(l, &res);
    struct rpc_ctx ctx;
    ctx_init(&ctx);
    json_t *r = rpc_struct_logger_result(l, &ctx, 61000, false);
    ck_assert_ptr_nonnull(r);
    ck_assert_str_eq(str(r, "returnValue"), "00ab10");
    json_t *logs = logs_of(r);
    const char *top = "8000000000000000000000000000000000000000000000000000000000000000";
    json_t *st0 = json_object_get(json_array_get(logs, 0), "storage");
    json_t *st1 = json_object_get(json_array_get(logs, 1), "storage");
    json_t *st2 = json_object_get(json_array_get(logs, 2), "storage");
    ck_assert_uint_eq(json_object_size(st0), 1);
    ck_assert_str_eq(str(st0, word(1)), top);
    ck_assert_uint_eq(json_object_size(st1), 1);
    ck_assert_str_eq(str(st1, word(2)), top);
    ck_assert_uint_eq(json_object_size(st2), 2);   /* slots 1 and 3 of H_CONTRACT */
    ck_assert_str_eq(str(st2, word(3)), top);
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(json_array_get(logs, 0),
                                                                      "stack"), 0)), top);
    json_decref(r);
    rpc_struct_logger_free(l);
}
END_TEST

START_TEST(stack_overflow_text)
{
    struct rpc_trace_config cfg;
    rpc_trace_config_default(&cfg);
    cfg.stack = false;
    struct rpc_struct_logger *l;
    ck_assert_int_eq(rpc_struct_logger_new(&cfg, NULL, &l), 0);
    struct evm_step s = {.pc = 1, .op = 0x80, .depth = 1, .gas = 10, .stack_height = 1024,
                         .contract = &H_CONTRACT};
    rpc_struct_logger_step(l, &s);
    rpc_struct_logger_step_done(l, 10, 0, EVM_STACK_OVERFLOW);
    struct rpc_ctx ctx;
    ctx_init(&ctx);
    json_t *r = rpc_struct_logger_result(l, &ctx, 10, true);
    /* DUP1 pops 1 and pushes 2: geth's limit is 1024 + 1 - 2 */
    ck_assert_str_eq(str(json_array_get(logs_of(r), 0), "error"), "stack limit reached 1024 (1023)");
    json_decref(r);
    rpc_struct_logger_free(l);
}
END_TEST

/* ---- the config argument ------------------------------------------------------------ */

/* Parses params_json's argument 1; returns the error code (0: none). */
static int parse_cfg(const char *params_json, struct rpc_trace_config *cfg, char *msg)
{
    struct rpc_ctx ctx;
    ctx_init(&ctx);
    json_t *p = json_loads(params_json, 0, NULL);
    ck_assert_ptr_nonnull(p);
    int rc = rpc_trace_config_parse(&ctx, p, 1, cfg);
    json_decref(p);
    ck_assert_int_eq(rc == 0, ctx.err.code == 0);
    strcpy(msg, ctx.err.message);
    int code = ctx.err.code;
    rpc_error_clear(&ctx.err);
    return code;
}

START_TEST(config_parsing)
{
    struct rpc_trace_config c;
    char msg[RPC_ERRMSG_MAX];
    ck_assert_int_eq(parse_cfg("[\"0x00\"]", &c, msg), 0);
    ck_assert(c.stack && c.storage && !c.memory && c.limit == 0);
    ck_assert_uint_eq(c.max_output, RPC_TRACE_MAX_OUTPUT);
    ck_assert_int_eq(parse_cfg("[\"0x00\", null]", &c, msg), 0);
    ck_assert(c.stack && c.storage && !c.memory);
    ck_assert_int_eq(parse_cfg("[\"0x00\", {\"disableStack\": true, \"disableStorage\": true, "
                               "\"enableMemory\": true, \"limit\": 7, \"timeout\": \"5s\", "
                               "\"reexec\": 128, \"unknown\": 1}]", &c, msg), 0);
    ck_assert(!c.stack && !c.storage && c.memory && c.limit == 7);
    /* older clients ask for memory with disableMemory: false */
    ck_assert_int_eq(parse_cfg("[\"0x00\", {\"disableMemory\": false}]", &c, msg), 0);
    ck_assert(c.memory);
    ck_assert_int_eq(parse_cfg("[\"0x00\", {\"disableMemory\": true}]", &c, msg), 0);
    ck_assert(!c.memory);
    ck_assert_int_eq(parse_cfg("[\"0x00\", {\"tracer\": \"callTracer\"}]", &c, msg),
                     RPC_SERVER_ERROR);
    ck_assert_str_eq(msg, "unsupported tracer: callTracer (only the default struct logger is "
                          "available)");
    ck_assert_int_eq(parse_cfg("[\"0x00\", {\"disableStack\": 1}]", &c, msg), RPC_INVALID_PARAMS);
    ck_assert_str_eq(msg, "invalid argument 1: json: cannot unmarshal non-bool into Go struct "
                          "field TraceConfig.disableStack of type bool");
    ck_assert_int_eq(parse_cfg("[\"0x00\", {\"limit\": -1}]", &c, msg), RPC_INVALID_PARAMS);
    ck_assert_int_eq(parse_cfg("[\"0x00\", {\"limit\": \"10\"}]", &c, msg), RPC_INVALID_PARAMS);
    ck_assert_int_eq(parse_cfg("[\"0x00\", {\"tracer\": 5}]", &c, msg), RPC_INVALID_PARAMS);
    ck_assert_int_eq(parse_cfg("[\"0x00\", {\"timeout\": 5}]", &c, msg), RPC_INVALID_PARAMS);
    ck_assert_int_eq(parse_cfg("[\"0x00\", [1]]", &c, msg), RPC_INVALID_PARAMS);
    ck_assert_str_eq(msg, "invalid argument 1: json: cannot unmarshal non-object into Go value "
                          "of type tracers.TraceConfig");
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("rpc_trace");
    TCase *tc = tcase_create("evm");
    tcase_add_test(tc, program_steps);
    tcase_add_test(tc, sload_shows_the_current_value);
    tcase_add_test(tc, memory_after_expansion);
    tcase_add_test(tc, call_cost_and_depth);
    tcase_add_test(tc, failing_steps);
    tcase_add_test(tc, disable_options_and_limit);
    tcase_add_test(tc, output_cap);
    tcase_add_test(tc, callback_contract);
    suite_add_tcase(s, tc);
    tc = tcase_create("writer");
    tcase_add_test(tc, names_words_and_contracts);
    tcase_add_test(tc, stack_overflow_text);
    tcase_add_test(tc, config_parsing);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
