/* evm_harness.c — shared helpers of the EVM unit tests (see evm_harness.h). */
#include "evm_harness.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evm/gas.h"
#include "state/state.h"
#include "util/hex.h"

const struct address H_CONTRACT = {{0xc0, 0x17, 0xac, 0x70}};
const struct address H_SENDER = {{0x5e, 0x4d, 0xe2}};
const struct address H_COINBASE = {{0xc0, 0x1b, 0xa5, 0xe0}};
const struct address H_OTHER = {{0x07, 0x4e, 0x12}};

void h_init(struct harness *h, enum evm_fork fork)
{
    memset(h, 0, sizeof *h);
    ck_assert_int_eq(state_open(NULL, NULL, &h->st), 0);
    ck_assert_int_eq(evm_new(&h->evm), 0);
    h->fork = fork;
    h->block.coinbase = H_COINBASE;
    h->block.number = 1000;
    h->block.timestamp = 1234567;
    h->block.gas_limit = 8000000;
    h->block.difficulty = u256_from_u64(131072);
    h->block.chain_id = 20180430;
    h->tx.origin = H_SENDER;
    h->tx.gas_price = u256_from_u64(7);
    evm_set_context(h->evm, h->st, fork, &h->block, &h->tx);
}

void h_free(struct harness *h)
{
    evm_free(h->evm);
    state_free(h->st);
}

u256 h_u(const char *s)
{
    u256 v;
    ck_assert_msg(u256_from_str(&v, s, strlen(s)) == 0, "bad number %s", s);
    return v;
}

struct fixup {
    size_t pos;
    char name[32];
};

size_t h_asm(const char *src, uint8_t *out, size_t cap)
{
    char *copy = strdup(src);
    ck_assert_ptr_nonnull(copy);
    struct {
        char name[32];
        size_t pos;
    } labels[64];
    struct fixup fix[64];
    size_t nl = 0, nf = 0, n = 0;
    char *save = NULL;
    for (char *t = strtok_r(copy, " \t\n", &save); t; t = strtok_r(NULL, " \t\n", &save)) {
        ck_assert_uint_lt(n + 40, cap);
        if (!strcmp(t, "RET")) {
            n += h_asm("PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN", out + n, cap - n);
            continue;
        }
        if (t[0] == '@') {
            ck_assert_uint_lt(nl, 64);
            snprintf(labels[nl].name, sizeof labels[nl].name, "%s", t + 1);
            labels[nl++].pos = n;
            out[n++] = OP_JUMPDEST;
            continue;
        }
        if (t[0] == '#') {
            size_t m = 0;
            ck_assert_int_eq(hex_decode(t + 1, strlen(t + 1), out + n, cap - n, &m), 0);
            n += m;
            continue;
        }
        int width = -1;
        if (!strcmp(t, "PUSH"))
            width = 0;
        else if (!strncmp(t, "PUSH", 4) && t[4] >= '1' && t[4] <= '9')
            width = atoi(t + 4);
        if (width >= 0) {
            char *arg = strtok_r(NULL, " \t\n", &save);
            ck_assert_msg(arg != NULL, "PUSH without operand");
            if (arg[0] == ':') {
                ck_assert_int_eq(width, 2);
                ck_assert_uint_lt(nf, 64);
                out[n++] = OP_PUSH1 + 1;
                fix[nf].pos = n;
                snprintf(fix[nf++].name, sizeof fix[0].name, "%s", arg + 1);
                out[n++] = 0;
                out[n++] = 0;
                continue;
            }
            u256 v = h_u(arg);
            unsigned len = u256_byte_len(&v);
            if (width == 0)
                width = len ? (int)len : 1;
            ck_assert_msg((int)len <= width && width <= 32, "operand %s does not fit PUSH%d", arg,
                          width);
            uint8_t be[32];
            u256_to_be(&v, be);
            out[n++] = (uint8_t)(OP_PUSH1 + width - 1);
            memcpy(out + n, be + 32 - width, (size_t)width);
            n += (size_t)width;
            continue;
        }
        int op = -1;
        for (int i = 0; i < 256 && op < 0; i++) {
            const char *name = evm_op_info((uint8_t)i)->name;
            if (name && !strcmp(name, t))
                op = i;
        }
        ck_assert_msg(op >= 0, "unknown mnemonic %s", t);
        out[n++] = (uint8_t)op;
    }
    for (size_t i = 0; i < nf; i++) {
        size_t k = 0;
        while (k < nl && strcmp(labels[k].name, fix[i].name))
            k++;
        ck_assert_msg(k < nl, "undefined label %s", fix[i].name);
        out[fix[i].pos] = (uint8_t)(labels[k].pos >> 8);
        out[fix[i].pos + 1] = (uint8_t)labels[k].pos;
    }
    free(copy);
    return n;
}

void h_code(struct harness *h, const struct address *a, const char *src)
{
    uint8_t code[8192];
    size_t n = h_asm(src, code, sizeof code);
    ck_assert_int_eq(state_set_code(h->st, a, code, n), 0);
    state_tx_finalize(h->st, false);
}

void h_storage(struct harness *h, const struct address *a, uint64_t key, const u256 *v)
{
    u256 k = u256_from_u64(key);
    state_set_storage(h->st, a, &k, v);
    state_tx_finalize(h->st, false);
}

void h_balance(struct harness *h, const struct address *a, uint64_t wei)
{
    u256 v = u256_from_u64(wei);
    state_set_balance(h->st, a, &v);
    state_tx_finalize(h->st, false);
}

enum evm_status h_call_value(struct harness *h, uint64_t gas, uint64_t value,
                             const uint8_t *input, size_t len)
{
    struct evm_message m;
    memset(&m, 0, sizeof m);
    m.kind = EVM_CALL;
    m.gas = gas;
    m.sender = H_SENDER;
    m.recipient = H_CONTRACT;
    m.code_address = H_CONTRACT;
    m.value = u256_from_u64(value);
    m.input = input;
    m.input_len = len;
    evm_set_context(h->evm, h->st, h->fork, &h->block, &h->tx);
    ck_assert_int_eq(evm_execute(h->evm, &m, &h->res), 0);
    h->gas_used = gas - h->res.gas_left;
    return h->res.status;
}

enum evm_status h_call(struct harness *h, uint64_t gas)
{
    return h_call_value(h, gas, 0, NULL, 0);
}

enum evm_status h_run(struct harness *h, const char *src, uint64_t gas)
{
    h_code(h, &H_CONTRACT, src);
    return h_call(h, gas);
}

u256 h_word(const struct harness *h)
{
    ck_assert_uint_ge(h->res.output_len, 32);
    u256 v;
    u256_from_be(&v, h->res.output, 32);
    return v;
}

u256 h_eval(struct harness *h, const char *src)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s RET", src);
    enum evm_status s = h_run(h, buf, 1000000);
    ck_assert_msg(s == EVM_SUCCESS, "'%s' ended with %s", src, evm_status_name(s));
    return h_word(h);
}

u256 h_sload(struct harness *h, const struct address *a, uint64_t key)
{
    u256 k = u256_from_u64(key), v;
    state_get_storage(h->st, a, &k, &v);
    return v;
}
