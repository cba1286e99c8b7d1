/* params.c — the four networks' parameter tables and the helpers over them;
 * see params.h.
 *
 * Sources: spec/spectrum.md §1 (Spectrum params/config.go and
 * params/consensus_params.go at HEAD), §4, §6.6/§6.7 and §7. Addresses are
 * written as byte arrays with the text form beside each one;
 * test/unit/test_params.c parses every text form again and compares, so a
 * typo here fails a test. Regtest's choices are explained in
 * doc/chain-params.md. */
#include "chain/params.h"

#include <string.h>
#include <strings.h>

#include "util/err.h"

/* 35 SMT and 376,991,118.36 SMT in wei, as little-endian 64-bit limbs. */
#define REWARD_35_SMT {{0xe5b8fa8fe2ac0000ull, 0x1ull, 0, 0}}
#define BURN_12_PERCENT {{0x7a07dee4249c0000ull, 0x137d6f9ull, 0, 0}}

#define GWEI 1000000000ull

/* ---- mainnet -------------------------------------------------------- */
/* 0xf0d2ad4e0d25cfea98e9640329993bbc52396abd */
#define A_MAIN_CHIEF005 {{0xf0, 0xd2, 0xad, 0x4e, 0x0d, 0x25, 0xcf, 0xea, 0x98, 0xe9, \
                          0x64, 0x03, 0x29, 0x99, 0x3b, 0xbc, 0x52, 0x39, 0x6a, 0xbd}}
/* 0xba7f507d5aab3e931312512c234fbeb85cbd9dce */
#define A_MAIN_CHIEF006 {{0xba, 0x7f, 0x50, 0x7d, 0x5a, 0xab, 0x3e, 0x93, 0x13, 0x12, \
                          0x51, 0x2c, 0x23, 0x4f, 0xbe, 0xb8, 0x5c, 0xbd, 0x9d, 0xce}}
/* 0x890eb8566550e7337c7788ff971a3996860c51b5 */
#define A_MAIN_CHIEF100 {{0x89, 0x0e, 0xb8, 0x56, 0x65, 0x50, 0xe7, 0x33, 0x7c, 0x77, \
                          0x88, 0xff, 0x97, 0x1a, 0x39, 0x96, 0x86, 0x0c, 0x51, 0xb5}}
/* 0xe1c749f45ee14180853e552d3349cc58972cd082 */
#define A_MAIN_BASE {{0xe1, 0xc7, 0x49, 0xf4, 0x5e, 0xe1, 0x41, 0x80, 0x85, 0x3e, \
                      0x55, 0x2d, 0x33, 0x49, 0xcc, 0x58, 0x97, 0x2c, 0xd0, 0x82}}
/* 0xb9b4ece952c8005f009801e5ec78e116f528c1d0 */
#define A_MAIN_POC {{0xb9, 0xb4, 0xec, 0xe9, 0x52, 0xc8, 0x00, 0x5f, 0x00, 0x98, \
                     0x01, 0xe5, 0xec, 0x78, 0xe1, 0x16, 0xf5, 0x28, 0xc1, 0xd0}}
/* 0xf0ced0b1ce8738eeac06fdca51e0ff398328634b */
#define A_MAIN_MESHBOX {{0xf0, 0xce, 0xd0, 0xb1, 0xce, 0x87, 0x38, 0xee, 0xac, 0x06, \
                         0xfd, 0xca, 0x51, 0xe0, 0xff, 0x39, 0x83, 0x28, 0x63, 0x4b}}
/* 0x23fb7fa0f6f88ce56b70ac3d671315f5baf84bb9 */
#define A_MAIN_ANMAP {{0x23, 0xfb, 0x7f, 0xa0, 0xf6, 0xf8, 0x8c, 0xe5, 0x6b, 0x70, \
                       0xac, 0x3d, 0x67, 0x13, 0x15, 0xf5, 0xba, 0xf8, 0x4b, 0xb9}}
/* TokensNetwork, Photon's default registry for the mainnet genesis hash
 * (photon.md §1): 0x08b7d79ec4ebd53e5b89c7c062cc64bb09d063e3 */
#define A_MAIN_TOKENS_NETWORK {{0x08, 0xb7, 0xd7, 0x9e, 0xc4, 0xeb, 0xd5, 0x3e, 0x5b, 0x89, \
                                0xc7, 0xc0, 0x62, 0xcc, 0x64, 0xbb, 0x09, 0xd0, 0x63, 0xe3}}
/* 0xe0014a4268ad3d7b131551be47bc6ed72a6937e4 */
#define A_MAIN_BURN {{0xe0, 0x01, 0x4a, 0x42, 0x68, 0xad, 0x3d, 0x7b, 0x13, 0x15, \
                      0x51, 0xbe, 0x47, 0xbc, 0x6e, 0xd7, 0x2a, 0x69, 0x37, 0xe4}}

/* ---- testnet -------------------------------------------------------- */
/* 0x75f7D812142c6f4BB39ad2c70424CF27869EAB33 */
#define A_TEST_CHIEF002 {{0x75, 0xf7, 0xd8, 0x12, 0x14, 0x2c, 0x6f, 0x4b, 0xb3, 0x9a, \
                          0xd2, 0xc7, 0x04, 0x24, 0xcf, 0x27, 0x86, 0x9e, 0xab, 0x33}}
/* 0x754FF9bDC93C66ff235b7AaaDcaeECdD63442657 */
#define A_TEST_CHIEF100 {{0x75, 0x4f, 0xf9, 0xbd, 0xc9, 0x3c, 0x66, 0xff, 0x23, 0x5b, \
                          0x7a, 0xaa, 0xdc, 0xae, 0xec, 0xdd, 0x63, 0x44, 0x26, 0x57}}
/* 0xa44B4ff09825f8c21fc4ad7FAA125a0d6238d0fd */
#define A_TEST_BASE {{0xa4, 0x4b, 0x4f, 0xf0, 0x98, 0x25, 0xf8, 0xc2, 0x1f, 0xc4, \
                      0xad, 0x7f, 0xaa, 0x12, 0x5a, 0x0d, 0x62, 0x38, 0xd0, 0xfd}}
/* 0x32bcF7d3b48A7Ceaa1b45199CB94098d0b3b3112 */
#define A_TEST_POC {{0x32, 0xbc, 0xf7, 0xd3, 0xb4, 0x8a, 0x7c, 0xea, 0xa1, 0xb4, \
                     0x51, 0x99, 0xcb, 0x94, 0x09, 0x8d, 0x0b, 0x3b, 0x31, 0x12}}

/* TokensNetwork, Photon's default registry for the testnet genesis hash
 * (photon.md §1): 0xc479184abeb8c508ee96e4c093ee47af2256cbbf */
#define A_TEST_TOKENS_NETWORK {{0xc4, 0x79, 0x18, 0x4a, 0xbe, 0xb8, 0xc5, 0x08, 0xee, 0x96, \
                                0xe4, 0xc0, 0x93, 0xee, 0x47, 0xaf, 0x22, 0x56, 0xcb, 0xbf}}

/* ---- devnet --------------------------------------------------------- */
/* 0x57d2bcd8d702999daf240793919675c90b12a17a */
#define A_DEV_CHIEF007 {{0x57, 0xd2, 0xbc, 0xd8, 0xd7, 0x02, 0x99, 0x9d, 0xaf, 0x24, \
                         0x07, 0x93, 0x91, 0x96, 0x75, 0xc9, 0x0b, 0x12, 0xa1, 0x7a}}
/* 0x21c5dc409138205291d6a7ef2dbb1701ac02ff96 */
#define A_DEV_CHIEF100 {{0x21, 0xc5, 0xdc, 0x40, 0x91, 0x38, 0x20, 0x52, 0x91, 0xd6, \
                         0xa7, 0xef, 0x2d, 0xbb, 0x17, 0x01, 0xac, 0x02, 0xff, 0x96}}
/* 0xf096d7f8ae3cd0a85e593accac5e7bc38a756111 */
#define A_DEV_BASE {{0xf0, 0x96, 0xd7, 0xf8, 0xae, 0x3c, 0xd0, 0xa8, 0x5e, 0x59, \
                     0x3a, 0xcc, 0xac, 0x5e, 0x7b, 0xc3, 0x8a, 0x75, 0x61, 0x11}}
/* 0x48e0f07faf58bc6e713d5c6373ce4f2a8b5c359a */
#define A_DEV_POC {{0x48, 0xe0, 0xf0, 0x7f, 0xaf, 0x58, 0xbc, 0x6e, 0x71, 0x3d, \
                    0x5c, 0x63, 0x73, 0xce, 0x4f, 0x2a, 0x8b, 0x5c, 0x35, 0x9a}}
/* 0x7880adce4504fd39645aabb3efb53824d9b0c21b */
#define A_DEV_MESHBOX {{0x78, 0x80, 0xad, 0xce, 0x45, 0x04, 0xfd, 0x39, 0x64, 0x5a, \
                        0xab, 0xb3, 0xef, 0xb5, 0x38, 0x24, 0xd9, 0xb0, 0xc2, 0x1b}}
/* 0x143084accd6472ad502b59c3197f9ed5f797b966 */
#define A_DEV_ANMAP {{0x14, 0x30, 0x84, 0xac, 0xcd, 0x64, 0x72, 0xad, 0x50, 0x2b, \
                      0x59, 0xc3, 0x19, 0x7f, 0x9e, 0xd5, 0xf7, 0x97, 0xb9, 0x66}}

/* ---- regtest (our choice: "SPEC" ‖ zeros ‖ 01 0x, see doc/chain-params.md) */
#define A_REG(last) {{0x53, 0x50, 0x45, 0x43, 0, 0, 0, 0, 0, 0, \
                      0, 0, 0, 0, 0, 0, 0, 0, 0x01, (last)}}
#define A_REG_CHIEF100 A_REG(0x00)
#define A_REG_BASE A_REG(0x01)
#define A_REG_POC A_REG(0x02)
#define A_REG_MESHBOX A_REG(0x03)
#define A_REG_ANMAP A_REG(0x04)
#define A_REG_TOKENS_NETWORK A_REG(0x05)
#define A_REG_SMT_TOKEN A_REG(0x06)

#define A_ZERO {{0}}

/* Shared by every network (spec §1.1, §6.1, §6.6, §6.7, §7). */
#define COMMON_FIELDS                                   \
    .unchecked_blocks = 3,                              \
    .homestead_block = 0,                               \
    .eip150_block = 0,                                  \
    .eip155_block = 0,                                  \
    .eip158_block = 0,                                  \
    .byzantium_block = 0,                               \
    .block_reward = REWARD_35_SMT,                      \
    .halving_interval = 4505000,                        \
    .min_gas_limit = 5000,                              \
    .sip004_min_gas_limit = 40000000,                   \
    .gas_limit_bound_divisor = 1024,                    \
    .target_gas_limit = 4712388,                        \
    .min_gas_price = 18 * GWEI,                         \
    .chief_tx_gas_limit = 4712388,                      \
    .chief_tx_gas_price = 18 * GWEI,                    \
    .bootnodes = NULL,                                  \
    .nbootnodes = 0,                                    \
    .p2p_port = 60303,                                  \
    .rpc_port = 18545,                                  \
    .ws_port = 18546

static const struct chain_params tables[CHAIN_NETWORK_COUNT] = {
    [CHAIN_MAINNET] = {
        .network = CHAIN_MAINNET,
        .name = "mainnet",
        .chain_id = 20180430,
        .network_id = 1,
        .genesis_file = "genesis-mainnet.json",
        .period = 15,
        COMMON_FIELDS,
        .sip001_block = 0,
        .sip002_block = 588888,
        .sip003_block = 808888,
        .sip004_block = 8654321,
        .chief100_block = 2823366,
        .chiefs = {
            {2, A_MAIN_CHIEF005, CHIEF_V0_0_5},
            {595888, A_MAIN_CHIEF006, CHIEF_V0_0_6},
            {2823366, A_MAIN_CHIEF100, CHIEF_V1_0_0},
        },
        .nchiefs = 3,
        .chief_base = A_MAIN_BASE,
        .poc = A_MAIN_POC,
        .meshbox_block = 1870333,
        .meshbox = A_MAIN_MESHBOX,
        .meshbox_version = 1,
        .anmap_block = 2686801,
        .anmap = A_MAIN_ANMAP,
        .meshbox_weighting_block = CHAIN_NEVER,
        .meshbox_registry = A_ZERO,
        .meshbox_epoch = 0,
        /* SMTToken: none known (Photon finds it by name()). */
        .tokens_network = A_MAIN_TOKENS_NETWORK,
        .smt_token = A_ZERO,
        .burn_enabled = true,
        .burn_account = A_MAIN_BURN,
        .burn_amount = BURN_12_PERCENT,
        /* every chief start, 2823366 included: the cache quirk of §13.1 */
        .difficulty_skip = {2, 595888, 2823366},
        .ndifficulty_skip = 3,
    },
    [CHAIN_TESTNET] = {
        .network = CHAIN_TESTNET,
        .name = "testnet",
        .chain_id = 2022,
        .network_id = 3,
        .genesis_file = "genesis-testnet.json",
        .period = 15,
        COMMON_FIELDS,
        .sip001_block = 24,
        .sip002_block = 24,
        .sip003_block = 24,
        .sip004_block = 27,
        .chief100_block = 26,
        .chiefs = {
            {2, A_TEST_CHIEF002, CHIEF_V0_0_2},
            {26, A_TEST_CHIEF100, CHIEF_V1_0_0},
        },
        .nchiefs = 2,
        .chief_base = A_TEST_BASE,
        .poc = A_TEST_POC,
        .meshbox_block = CHAIN_NEVER,
        .meshbox = A_ZERO,
        .meshbox_version = 0,
        .anmap_block = CHAIN_NEVER,
        .anmap = A_ZERO,
        .meshbox_weighting_block = CHAIN_NEVER,
        .meshbox_registry = A_ZERO,
        .meshbox_epoch = 0,
        /* SMTToken: none known (Photon finds it by name()). */
        .tokens_network = A_TEST_TOKENS_NETWORK,
        .smt_token = A_ZERO,
        .burn_enabled = false,
        .burn_account = A_ZERO,
        .burn_amount = {{0}},
        .difficulty_skip = {2, 26},
        .ndifficulty_skip = 2,
        /* Spectrum's core/blocks.go lists one testnet hash (spec §10 step
         * 2), but the value itself is not in the spec or in ../shared, so
         * the list is empty until it is copied from there. */
        .bad_hashes = NULL,
        .nbad_hashes = 0,
    },
    [CHAIN_DEVNET] = {
        .network = CHAIN_DEVNET,
        .name = "devnet",
        .chain_id = 4,
        .network_id = 1,
        .genesis_file = "genesis-devnet.json",
        .period = 3,
        COMMON_FIELDS,
        .sip001_block = 0,
        .sip002_block = 1,
        .sip003_block = 3,
        .sip004_block = 4,
        .chief100_block = 63,
        .chiefs = {
            {3, A_DEV_CHIEF007, CHIEF_V0_0_7},
            {63, A_DEV_CHIEF100, CHIEF_V1_0_0},
        },
        .nchiefs = 2,
        .chief_base = A_DEV_BASE,
        .poc = A_DEV_POC,
        .meshbox_block = 6,
        .meshbox = A_DEV_MESHBOX,
        .meshbox_version = 2,
        .anmap_block = 6,
        .anmap = A_DEV_ANMAP,
        .meshbox_weighting_block = CHAIN_NEVER,
        .meshbox_registry = A_ZERO,
        .meshbox_epoch = 0,
        /* no channel contracts on devnet */
        .tokens_network = A_ZERO,
        .smt_token = A_ZERO,
        .burn_enabled = false,
        .burn_account = A_ZERO,
        .burn_amount = {{0}},
        .difficulty_skip = {3, 63},
        .ndifficulty_skip = 2,
    },
    [CHAIN_REGTEST] = {
        .network = CHAIN_REGTEST,
        .name = "regtest",
        .chain_id = 1397769539,      /* 0x53504543, "SPEC" */
        .network_id = 1397769539,
        .genesis_file = "genesis-regtest.json",
        .period = 0,
        COMMON_FIELDS,
        .sip001_block = 0,
        .sip002_block = 0,
        .sip003_block = 0,
        .sip004_block = 0,
        .chief100_block = 0,
        .chiefs = {
            {0, A_REG_CHIEF100, CHIEF_V1_0_0},
        },
        .nchiefs = 1,
        .chief_base = A_REG_BASE,
        .poc = A_REG_POC,
        .meshbox_block = 0,
        .meshbox = A_REG_MESHBOX,
        .meshbox_version = 2,
        .anmap_block = 0,
        .anmap = A_REG_ANMAP,
        /* MeshBox weighting from genesis; the registry replaces MeshBox
         * 0.0.2 at its address (doc/meshbox.md §3, §8). */
        .meshbox_weighting_block = 0,
        .meshbox_registry = A_REG_MESHBOX,
        .meshbox_epoch = 100,
        /* deployed in the regtest genesis (doc/regtest.md) */
        .tokens_network = A_REG_TOKENS_NETWORK,
        .smt_token = A_REG_SMT_TOKEN,
        .burn_enabled = false,
        .burn_account = A_ZERO,
        .burn_amount = {{0}},
        .ndifficulty_skip = 0,
    },
};

const struct chain_params *chain_params_get(enum chain_network net)
{
    if ((unsigned)net >= CHAIN_NETWORK_COUNT)
        return NULL;
    return &tables[net];
}

int chain_network_from_name(const char *name, enum chain_network *net)
{
    static const struct {
        const char *name;
        enum chain_network net;
    } names[] = {
        {"mainnet", CHAIN_MAINNET}, {"main", CHAIN_MAINNET},
        {"testnet", CHAIN_TESTNET}, {"test", CHAIN_TESTNET},
        {"devnet", CHAIN_DEVNET},   {"regtest", CHAIN_REGTEST},
    };
    if (name) {
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
            if (strcasecmp(name, names[i].name) == 0) {
                *net = names[i].net;
                return 0;
            }
        }
    }
    return err_set(ERR_INVAL, "unknown network '%s'", name ? name : "(null)");
}

int chain_params_check(const struct chain_params *p)
{
    if (!p)
        return err_set(ERR_INVAL, "chain params: NULL");
    if (p->nchiefs > CHAIN_MAX_CHIEFS)
        return err_set(ERR_INVAL, "chain params: %zu chiefs (max %d)", p->nchiefs,
                       CHAIN_MAX_CHIEFS);
    if (p->ndifficulty_skip > CHAIN_MAX_SKIP)
        return err_set(ERR_INVAL, "chain params: %zu skip heights (max %d)",
                       p->ndifficulty_skip, CHAIN_MAX_SKIP);
    if (p->halving_interval == 0)
        return err_set(ERR_INVAL, "chain params: halving interval is 0");
    if (p->gas_limit_bound_divisor == 0)
        return err_set(ERR_INVAL, "chain params: gas limit bound divisor is 0");
    if (p->nbad_hashes && !p->bad_hashes)
        return err_set(ERR_INVAL, "chain params: %zu bad hashes without an array",
                       p->nbad_hashes);
    size_t n100 = 0;
    for (size_t i = 0; i < p->nchiefs; i++) {
        const struct chief_info *c = &p->chiefs[i];
        if (address_is_zero(&c->addr))
            return err_set(ERR_INVAL, "chain params: chief %zu has the zero address", i);
        if ((unsigned)c->version > CHIEF_V1_0_0)
            return err_set(ERR_INVAL, "chain params: chief %zu has an unknown version", i);
        if (i > 0 && c->start <= p->chiefs[i - 1].start)
            return err_set(ERR_INVAL, "chain params: chiefs not in increasing start order");
        if (c->version == CHIEF_V1_0_0) {
            n100++;
            if (c->start != p->chief100_block)
                return err_set(ERR_INVAL,
                               "chain params: chief 1.0.0 starts at %llu, chief100_block is %llu",
                               (unsigned long long)c->start,
                               (unsigned long long)p->chief100_block);
            if (i + 1 != p->nchiefs)
                return err_set(ERR_INVAL, "chain params: chief 1.0.0 must be the last entry");
        }
    }
    if (n100 > 1)
        return err_set(ERR_INVAL, "chain params: more than one chief 1.0.0");
    if (n100 == 0 && p->chief100_block != CHAIN_NEVER)
        return err_set(ERR_INVAL, "chain params: chief100_block set without a 1.0.0 chief");
    /* MeshBox weighting reads a registry and divides by the epoch length
     * (doc/meshbox.md §8). It needs the 1.0.0 chief and the VRF too, which
     * params_is_meshbox_weighting() enforces by itself, so a schedule that
     * moves Chief100 later keeps the rule set off until then. */
    if (p->meshbox_weighting_block != CHAIN_NEVER) {
        if (address_is_zero(&p->meshbox_registry))
            return err_set(ERR_INVAL,
                           "chain params: MeshBox weighting without a registry address");
        if (p->meshbox_epoch == 0)
            return err_set(ERR_INVAL, "chain params: MeshBox weighting with meshbox_epoch 0");
    }
    return 0;
}

const struct chief_info *params_chief_for_block(const struct chain_params *p, uint64_t n)
{
    const struct chief_info *best = NULL;
    size_t count = p->nchiefs < CHAIN_MAX_CHIEFS ? p->nchiefs : CHAIN_MAX_CHIEFS;
    for (size_t i = 0; i < count; i++) {
        const struct chief_info *c = &p->chiefs[i];
        if (c->start <= n && (!best || c->start > best->start))
            best = c;
    }
    return best;
}

bool params_is_chief100_era(const struct chain_params *p, uint64_t n)
{
    const struct chief_info *c = params_chief_for_block(p, n);
    return c && c->version == CHIEF_V1_0_0;
}

bool params_is_chief_address(const struct chain_params *p, const struct address *a)
{
    if (address_is_zero(a))
        return false;
    size_t count = p->nchiefs < CHAIN_MAX_CHIEFS ? p->nchiefs : CHAIN_MAX_CHIEFS;
    for (size_t i = 0; i < count; i++)
        if (address_eq(&p->chiefs[i].addr, a))
            return true;
    return false;
}

bool params_is_chief_address_on_block(const struct chain_params *p, uint64_t n,
                                      const struct address *a)
{
    if (!params_is_sip100(p, n))
        return params_is_chief_address(p, a);
    if (address_is_zero(a))
        return false;
    size_t count = p->nchiefs < CHAIN_MAX_CHIEFS ? p->nchiefs : CHAIN_MAX_CHIEFS;
    for (size_t i = 0; i < count; i++)
        if (p->chiefs[i].version == CHIEF_V1_0_0 && address_eq(&p->chiefs[i].addr, a))
            return true;
    return false;
}

/* (chief 1.0.0 → base) and (base → poc) of one parameter set. */
static bool called_pair(const struct chain_params *q, const struct address *from,
                        const struct address *to)
{
    if (q->chief100_block == CHAIN_NEVER)
        return false;
    const struct chief_info *c = params_chief_for_block(q, q->chief100_block);
    if (c && c->version == CHIEF_V1_0_0 && address_eq(&c->addr, from) &&
        address_eq(&q->chief_base, to))
        return true;
    return !address_is_zero(&q->chief_base) && address_eq(&q->chief_base, from) &&
           address_eq(&q->poc, to);
}

bool params_is_chief_called(const struct chain_params *p, const struct address *from,
                            const struct address *to)
{
    for (int i = CHAIN_MAINNET; i <= CHAIN_DEVNET; i++)
        if (called_pair(&tables[i], from, to))
            return true;
    return called_pair(p, from, to);
}

bool params_is_difficulty_skip(const struct chain_params *p, uint64_t n)
{
    size_t count = p->ndifficulty_skip < CHAIN_MAX_SKIP ? p->ndifficulty_skip : CHAIN_MAX_SKIP;
    for (size_t i = 0; i < count; i++)
        if (p->difficulty_skip[i] == n)
            return true;
    return false;
}

bool params_is_bad_hash(const struct chain_params *p, const struct hash32 *hash)
{
    if (!p->bad_hashes)
        return false;
    for (size_t i = 0; i < p->nbad_hashes; i++)
        if (hash32_eq(&p->bad_hashes[i], hash))
            return true;
    return false;
}

enum evm_fork params_evm_fork(const struct chain_params *p, uint64_t n)
{
    if (params_fork_active(p->sip004_block, n))
        return FORK_SIP004;
    if (params_fork_active(p->byzantium_block, n))
        return FORK_BYZANTIUM;
    if (params_fork_active(p->eip158_block, n))
        return FORK_SPURIOUS;
    if (params_fork_active(p->eip150_block, n))
        return FORK_TANGERINE;
    if (params_fork_active(p->homestead_block, n))
        return FORK_HOMESTEAD;
    return FORK_FRONTIER;
}

void params_block_reward(const struct chain_params *p, uint64_t n, u256 *out)
{
    if (!params_is_sip100(p, n) || p->halving_interval == 0) {
        *out = u256_from_u64(0);
        return;
    }
    uint64_t halvings = (n - p->chief100_block) / p->halving_interval;
    if (halvings >= 256) {
        *out = u256_from_u64(0);
        return;
    }
    u256 shift = u256_from_u64(halvings);
    u256_shr(out, &shift, &p->block_reward);
}

uint64_t params_min_gas_limit(const struct chain_params *p, uint64_t n)
{
    return params_is_sip004(p, n) ? p->sip004_min_gas_limit : p->min_gas_limit;
}

const char *chief_version_name(enum chief_version v)
{
    switch (v) {
    case CHIEF_V0_0_2: return "0.0.2";
    case CHIEF_V0_0_5: return "0.0.5";
    case CHIEF_V0_0_6: return "0.0.6";
    case CHIEF_V0_0_7: return "0.0.7";
    case CHIEF_V1_0_0: return "1.0.0";
    }
    return "?";
}
