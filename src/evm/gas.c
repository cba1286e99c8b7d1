/*
 * gas.c — opcode facts and the per-fork constant-gas tables.
 *
 * One list below says, for every opcode, its name, stack effect, the fork
 * that introduced it and its constant price; the few prices EIP-150
 * (Tangerine Whistle) raised carry a second price. The per-fork tables are
 * derived from that list once (pthread_once) so the schedule is written in
 * exactly one place. Sources: Yellow Paper appendix G/H, EIP-150, EIP-145,
 * EIP-1014, EIP-1052, EIP-1344 (CHAINID), EIP-1884's SELFBALANCE price (5),
 * which is what Spectrum's SIP004 adopted without the rest of EIP-1884.
 */
#include "evm/gas.h"

#include <pthread.h>
#include <stddef.h>

struct op_row {
    uint8_t op;
    const char *name;
    uint8_t in, out;
    enum evm_fork since;
    uint32_t gas;           /* constant price before EIP-150 */
    uint32_t gas_eip150;    /* from EIP-150 on (0: same as gas) */
};

#define F FORK_FRONTIER
static const struct op_row rows[] = {
    {0x00, "STOP", 0, 0, F, 0, 0},
    {0x01, "ADD", 2, 1, F, 3, 0},
    {0x02, "MUL", 2, 1, F, 5, 0},
    {0x03, "SUB", 2, 1, F, 3, 0},
    {0x04, "DIV", 2, 1, F, 5, 0},
    {0x05, "SDIV", 2, 1, F, 5, 0},
    {0x06, "MOD", 2, 1, F, 5, 0},
    {0x07, "SMOD", 2, 1, F, 5, 0},
    {0x08, "ADDMOD", 3, 1, F, 8, 0},
    {0x09, "MULMOD", 3, 1, F, 8, 0},
    {0x0a, "EXP", 2, 1, F, 10, 0},
    {0x0b, "SIGNEXTEND", 2, 1, F, 5, 0},
    {0x10, "LT", 2, 1, F, 3, 0},
    {0x11, "GT", 2, 1, F, 3, 0},
    {0x12, "SLT", 2, 1, F, 3, 0},
    {0x13, "SGT", 2, 1, F, 3, 0},
    {0x14, "EQ", 2, 1, F, 3, 0},
    {0x15, "ISZERO", 1, 1, F, 3, 0},
    {0x16, "AND", 2, 1, F, 3, 0},
    {0x17, "OR", 2, 1, F, 3, 0},
    {0x18, "XOR", 2, 1, F, 3, 0},
    {0x19, "NOT", 1, 1, F, 3, 0},
    {0x1a, "BYTE", 2, 1, F, 3, 0},
    {0x1b, "SHL", 2, 1, FORK_CONSTANTINOPLE, 3, 0},
    {0x1c, "SHR", 2, 1, FORK_CONSTANTINOPLE, 3, 0},
    {0x1d, "SAR", 2, 1, FORK_CONSTANTINOPLE, 3, 0},
    {0x20, "SHA3", 2, 1, F, 30, 0},
    {0x30, "ADDRESS", 0, 1, F, 2, 0},
    {0x31, "BALANCE", 1, 1, F, 20, 400},
    {0x32, "ORIGIN", 0, 1, F, 2, 0},
    {0x33, "CALLER", 0, 1, F, 2, 0},
    {0x34, "CALLVALUE", 0, 1, F, 2, 0},
    {0x35, "CALLDATALOAD", 1, 1, F, 3, 0},
    {0x36, "CALLDATASIZE", 0, 1, F, 2, 0},
    {0x37, "CALLDATACOPY", 3, 0, F, 3, 0},
    {0x38, "CODESIZE", 0, 1, F, 2, 0},
    {0x39, "CODECOPY", 3, 0, F, 3, 0},
    {0x3a, "GASPRICE", 0, 1, F, 2, 0},
    {0x3b, "EXTCODESIZE", 1, 1, F, 20, 700},
    {0x3c, "EXTCODECOPY", 4, 0, F, 20, 700},
    {0x3d, "RETURNDATASIZE", 0, 1, FORK_BYZANTIUM, 2, 0},
    {0x3e, "RETURNDATACOPY", 3, 0, FORK_BYZANTIUM, 3, 0},
    {0x3f, "EXTCODEHASH", 1, 1, FORK_CONSTANTINOPLE, 400, 0},
    {0x40, "BLOCKHASH", 1, 1, F, 20, 0},
    {0x41, "COINBASE", 0, 1, F, 2, 0},
    {0x42, "TIMESTAMP", 0, 1, F, 2, 0},
    {0x43, "NUMBER", 0, 1, F, 2, 0},
    {0x44, "DIFFICULTY", 0, 1, F, 2, 0},
    {0x45, "GASLIMIT", 0, 1, F, 2, 0},
    {0x46, "CHAINID", 0, 1, FORK_SIP004, 2, 0},
    {0x47, "SELFBALANCE", 0, 1, FORK_SIP004, 5, 0},
    {0x50, "POP", 1, 0, F, 2, 0},
    {0x51, "MLOAD", 1, 1, F, 3, 0},
    {0x52, "MSTORE", 2, 0, F, 3, 0},
    {0x53, "MSTORE8", 2, 0, F, 3, 0},
    {0x54, "SLOAD", 1, 1, F, 50, 200},
    {0x55, "SSTORE", 2, 0, F, 0, 0},
    {0x56, "JUMP", 1, 0, F, 8, 0},
    {0x57, "JUMPI", 2, 0, F, 10, 0},
    {0x58, "PC", 0, 1, F, 2, 0},
    {0x59, "MSIZE", 0, 1, F, 2, 0},
    {0x5a, "GAS", 0, 1, F, 2, 0},
    {0x5b, "JUMPDEST", 0, 0, F, 1, 0},
    {0xa0, "LOG0", 2, 0, F, 375, 0},
    {0xa1, "LOG1", 3, 0, F, 750, 0},
    {0xa2, "LOG2", 4, 0, F, 1125, 0},
    {0xa3, "LOG3", 5, 0, F, 1500, 0},
    {0xa4, "LOG4", 6, 0, F, 1875, 0},
    {0xf0, "CREATE", 3, 1, F, 32000, 0},
    {0xf1, "CALL", 7, 1, F, 40, 700},
    {0xf2, "CALLCODE", 7, 1, F, 40, 700},
    {0xf3, "RETURN", 2, 0, F, 0, 0},
    {0xf4, "DELEGATECALL", 6, 1, FORK_HOMESTEAD, 40, 700},
    {0xf5, "CREATE2", 4, 1, FORK_CONSTANTINOPLE, 32000, 0},
    {0xfa, "STATICCALL", 6, 1, FORK_BYZANTIUM, 700, 0},
    {0xfd, "REVERT", 2, 0, FORK_BYZANTIUM, 0, 0},
    {0xff, "SELFDESTRUCT", 1, 0, F, 0, 5000},
};
#undef F

static const char *const push_names[32] = {
    "PUSH1", "PUSH2", "PUSH3", "PUSH4", "PUSH5", "PUSH6", "PUSH7", "PUSH8",
    "PUSH9", "PUSH10", "PUSH11", "PUSH12", "PUSH13", "PUSH14", "PUSH15", "PUSH16",
    "PUSH17", "PUSH18", "PUSH19", "PUSH20", "PUSH21", "PUSH22", "PUSH23", "PUSH24",
    "PUSH25", "PUSH26", "PUSH27", "PUSH28", "PUSH29", "PUSH30", "PUSH31", "PUSH32",
};
static const char *const dup_names[16] = {
    "DUP1", "DUP2", "DUP3", "DUP4", "DUP5", "DUP6", "DUP7", "DUP8",
    "DUP9", "DUP10", "DUP11", "DUP12", "DUP13", "DUP14", "DUP15", "DUP16",
};
static const char *const swap_names[16] = {
    "SWAP1", "SWAP2", "SWAP3", "SWAP4", "SWAP5", "SWAP6", "SWAP7", "SWAP8",
    "SWAP9", "SWAP10", "SWAP11", "SWAP12", "SWAP13", "SWAP14", "SWAP15", "SWAP16",
};

static struct evm_op_info infos[256];
static bool defined[FORK_COUNT][256];
static uint32_t costs[FORK_COUNT][256];
static const uint32_t zero_costs[256];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void set_info(uint8_t op, const char *name, uint8_t in, uint8_t out, enum evm_fork since,
                     uint32_t gas, uint32_t gas150)
{
    infos[op] = (struct evm_op_info){name, in, out, since};
    for (int f = 0; f < FORK_COUNT; f++) {
        defined[f][op] = f >= (int)since;
        costs[f][op] = !defined[f][op] ? 0 : (f >= FORK_TANGERINE && gas150) ? gas150 : gas;
    }
}

static void build(void)
{
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        set_info(rows[i].op, rows[i].name, rows[i].in, rows[i].out, rows[i].since, rows[i].gas,
                 rows[i].gas_eip150);
    for (unsigned n = 0; n < 32; n++)
        set_info((uint8_t)(OP_PUSH1 + n), push_names[n], 0, 1, FORK_FRONTIER, 3, 0);
    for (unsigned n = 0; n < 16; n++) {
        set_info((uint8_t)(OP_DUP1 + n), dup_names[n], (uint8_t)(n + 1), (uint8_t)(n + 2),
                 FORK_FRONTIER, 3, 0);
        set_info((uint8_t)(OP_SWAP1 + n), swap_names[n], (uint8_t)(n + 2), (uint8_t)(n + 2),
                 FORK_FRONTIER, 3, 0);
    }
    /* 0xfe is the designated invalid instruction: named, never defined. */
    infos[OP_INVALID] = (struct evm_op_info){"INVALID", 0, 0, FORK_COUNT};
}

const struct evm_op_info *evm_op_info(uint8_t op)
{
    pthread_once(&once, build);
    return &infos[op];
}

bool evm_op_defined(enum evm_fork fork, uint8_t op)
{
    pthread_once(&once, build);
    return (unsigned)fork < FORK_COUNT && defined[fork][op];
}

const uint32_t *evm_gas_table(enum evm_fork fork)
{
    pthread_once(&once, build);
    return costs[(unsigned)fork < FORK_COUNT ? fork : FORK_FRONTIER];
}

const uint32_t *evm_gas_table_free(void)
{
    return zero_costs;
}
