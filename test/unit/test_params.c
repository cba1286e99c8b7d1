/* test_params.c — chain parameters: the tables against the spec's text and
 * the genesis files, and every helper at its boundaries. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/genesis.h"
#include "chain/params.h"
#include "util/err.h"

static struct address A(const char *hex)
{
    struct address a;
    ck_assert_int_eq(address_from_hex(&a, hex, strlen(hex)), 0);
    return a;
}

static void assert_addr(const struct address *got, const char *want)
{
    struct address w = A(want);
    char g[ADDRESS_HEX_SIZE];
    address_to_hex(got, g);
    ck_assert_msg(address_eq(got, &w), "address %s, want %s", g, want);
}

static u256 U(const char *dec)
{
    u256 v;
    ck_assert_int_eq(u256_from_dec(&v, dec, strlen(dec)), 0);
    return v;
}

static void assert_u256(const u256 *got, const char *want_dec)
{
    u256 w = U(want_dec);
    char buf[U256_DEC_BUF];
    u256_to_dec(got, buf);
    ck_assert_msg(u256_eq(got, &w), "value %s, want %s", buf, want_dec);
}

START_TEST(ids_and_periods)
{
    const struct chain_params *m = chain_params_get(CHAIN_MAINNET);
    const struct chain_params *t = chain_params_get(CHAIN_TESTNET);
    const struct chain_params *d = chain_params_get(CHAIN_DEVNET);
    const struct chain_params *r = chain_params_get(CHAIN_REGTEST);
    ck_assert_ptr_nonnull(m);
    ck_assert_ptr_null(chain_params_get(CHAIN_NETWORK_COUNT));
    ck_assert_uint_eq(m->chain_id, 20180430);
    ck_assert_uint_eq(m->network_id, 1);
    ck_assert_uint_eq(m->period, 15);
    ck_assert_uint_eq(t->chain_id, 2022);
    ck_assert_uint_eq(t->network_id, 3);
    ck_assert_uint_eq(t->period, 15);
    ck_assert_uint_eq(d->chain_id, 4);
    ck_assert_uint_eq(d->network_id, 1);
    ck_assert_uint_eq(d->period, 3);
    ck_assert_uint_eq(r->chain_id, 0x53504543u);
    ck_assert_uint_eq(r->period, 0);
    for (int i = 0; i < CHAIN_NETWORK_COUNT; i++) {
        const struct chain_params *p = chain_params_get((enum chain_network)i);
        ck_assert_int_eq(p->network, i);
        ck_assert_int_eq(chain_params_check(p), 0);
        ck_assert_uint_eq(p->unchecked_blocks, 3);
        ck_assert_uint_eq(p->p2p_port, 60303);
        ck_assert_uint_eq(p->rpc_port, 18545);
        ck_assert_uint_eq(p->ws_port, 18546);
        ck_assert_uint_eq(p->min_gas_price, 18000000000ull);
        ck_assert_uint_eq(p->halving_interval, 4505000);
        assert_u256(&p->block_reward, "35000000000000000000");
        /* MeshBox weighting (doc/meshbox.md §8): regtest from genesis,
         * the historical networks never */
        if (i == CHAIN_REGTEST) {
            ck_assert_uint_eq(p->meshbox_weighting_block, 0);
        } else {
            ck_assert_uint_eq(p->meshbox_weighting_block, CHAIN_NEVER);
            ck_assert(address_is_zero(&p->meshbox_registry));
            ck_assert_uint_eq(p->meshbox_epoch, 0);
        }
        /* Homestead..Byzantium from genesis everywhere (spec §1.1) */
        ck_assert_uint_eq(p->homestead_block | p->eip150_block | p->eip155_block |
                              p->eip158_block | p->byzantium_block, 0);
    }
}
END_TEST

/* The regtest id must not be any network a wallet or tool already knows. */
START_TEST(regtest_chain_id_is_unused)
{
    static const uint64_t known[] = {
        1, 2, 3, 4, 5, 10, 42, 56, 61, 63, 69, 97, 100, 137, 250, 1101, 1337, 2022, 5777,
        8453, 10200, 17000, 31337, 42161, 43113, 43114, 80001, 84532, 421614, 11155111,
        20180430, 20180431, 1313161554, 11297108109,
    };
    const struct chain_params *r = chain_params_get(CHAIN_REGTEST);
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        ck_assert_uint_ne(r->chain_id, known[i]);
        ck_assert_uint_ne(r->network_id, known[i]);
    }
    /* EIP-155 v = 2·id + 36 must fit comfortably (wallets use doubles). */
    ck_assert_uint_lt(r->chain_id, (1ull << 52));
}
END_TEST

/* The params agree with the genesis files shipped in share/genesis. */
START_TEST(genesis_files_match)
{
    const char *top = getenv("top_srcdir");
    if (!top)
        top = ".";
    for (int i = CHAIN_MAINNET; i <= CHAIN_REGTEST; i++) {
        const struct chain_params *p = chain_params_get((enum chain_network)i);
        char path[4096];
        snprintf(path, sizeof path, "%s/share/genesis/%s", top, p->genesis_file);
        struct genesis g;
        ck_assert_msg(genesis_load(path, &g) == 0, "%s: %s", path, err_msg());
        ck_assert_uint_eq(g.chain_id, p->chain_id);
        ck_assert_uint_eq(g.network_id, p->network_id);
        ck_assert_str_eq(g.network, p->name);
        genesis_free(&g);
    }
}
END_TEST

/* Every fork height and address of spec §1.4, re-read from its text. */
START_TEST(fork_table_matches_spec)
{
    const struct chain_params *m = chain_params_get(CHAIN_MAINNET);
    ck_assert_uint_eq(m->sip001_block, 0);
    ck_assert_uint_eq(m->sip002_block, 588888);
    ck_assert_uint_eq(m->sip003_block, 808888);
    ck_assert_uint_eq(m->sip004_block, 8654321);
    ck_assert_uint_eq(m->chief100_block, 2823366);
    ck_assert_uint_eq(m->nchiefs, 3);
    ck_assert_uint_eq(m->chiefs[0].start, 2);
    ck_assert_int_eq(m->chiefs[0].version, CHIEF_V0_0_5);
    assert_addr(&m->chiefs[0].addr, "0xf0d2ad4e0d25cfea98e9640329993bbc52396abd");
    ck_assert_uint_eq(m->chiefs[1].start, 595888);
    ck_assert_int_eq(m->chiefs[1].version, CHIEF_V0_0_6);
    assert_addr(&m->chiefs[1].addr, "0xba7f507d5aab3e931312512c234fbeb85cbd9dce");
    ck_assert_uint_eq(m->chiefs[2].start, 2823366);
    ck_assert_int_eq(m->chiefs[2].version, CHIEF_V1_0_0);
    assert_addr(&m->chiefs[2].addr, "0x890eb8566550e7337c7788ff971a3996860c51b5");
    assert_addr(&m->chief_base, "0xe1c749f45ee14180853e552d3349cc58972cd082");
    assert_addr(&m->poc, "0xb9b4ece952c8005f009801e5ec78e116f528c1d0");
    ck_assert_uint_eq(m->meshbox_block, 1870333);
    ck_assert_uint_eq(m->meshbox_version, 1);
    assert_addr(&m->meshbox, "0xf0ced0b1ce8738eeac06fdca51e0ff398328634b");
    ck_assert_uint_eq(m->anmap_block, 2686801);
    assert_addr(&m->anmap, "0x23fb7fa0f6f88ce56b70ac3d671315f5baf84bb9");
    ck_assert(m->burn_enabled);
    assert_addr(&m->burn_account, "0xe0014a4268ad3d7b131551be47bc6ed72a6937e4");
    assert_u256(&m->burn_amount, "376991118360000000000000000");

    const struct chain_params *t = chain_params_get(CHAIN_TESTNET);
    ck_assert_uint_eq(t->sip001_block, 24);
    ck_assert_uint_eq(t->sip002_block, 24);
    ck_assert_uint_eq(t->sip003_block, 24);
    ck_assert_uint_eq(t->sip004_block, 27);
    ck_assert_uint_eq(t->chief100_block, 26);
    ck_assert_uint_eq(t->nchiefs, 2);
    ck_assert_uint_eq(t->chiefs[0].start, 2);
    ck_assert_int_eq(t->chiefs[0].version, CHIEF_V0_0_2);
    assert_addr(&t->chiefs[0].addr, "0x75f7D812142c6f4BB39ad2c70424CF27869EAB33");
    assert_addr(&t->chiefs[1].addr, "0x754FF9bDC93C66ff235b7AaaDcaeECdD63442657");
    assert_addr(&t->chief_base, "0xa44B4ff09825f8c21fc4ad7FAA125a0d6238d0fd");
    assert_addr(&t->poc, "0x32bcF7d3b48A7Ceaa1b45199CB94098d0b3b3112");
    ck_assert_uint_eq(t->meshbox_block, CHAIN_NEVER);
    ck_assert_uint_eq(t->anmap_block, CHAIN_NEVER);
    ck_assert(!t->burn_enabled);

    const struct chain_params *d = chain_params_get(CHAIN_DEVNET);
    ck_assert_uint_eq(d->sip001_block, 0);
    ck_assert_uint_eq(d->sip002_block, 1);
    ck_assert_uint_eq(d->sip003_block, 3);
    ck_assert_uint_eq(d->sip004_block, 4);
    ck_assert_uint_eq(d->chief100_block, 63);
    ck_assert_uint_eq(d->chiefs[0].start, 3);
    ck_assert_int_eq(d->chiefs[0].version, CHIEF_V0_0_7);
    assert_addr(&d->chiefs[0].addr, "0x57d2bcd8d702999daf240793919675c90b12a17a");
    assert_addr(&d->chiefs[1].addr, "0x21c5dc409138205291d6a7ef2dbb1701ac02ff96");
    assert_addr(&d->chief_base, "0xf096d7f8ae3cd0a85e593accac5e7bc38a756111");
    assert_addr(&d->poc, "0x48e0f07faf58bc6e713d5c6373ce4f2a8b5c359a");
    ck_assert_uint_eq(d->meshbox_block, 6);
    ck_assert_uint_eq(d->meshbox_version, 2);
    assert_addr(&d->meshbox, "0x7880adce4504fd39645aabb3efb53824d9b0c21b");
    ck_assert_uint_eq(d->anmap_block, 6);
    assert_addr(&d->anmap, "0x143084accd6472ad502b59c3197f9ed5f797b966");
    ck_assert(!d->burn_enabled);

    const struct chain_params *r = chain_params_get(CHAIN_REGTEST);
    ck_assert_uint_eq(r->sip001_block | r->sip002_block | r->sip003_block | r->sip004_block |
                          r->chief100_block,
                      0);
    ck_assert_uint_eq(r->nchiefs, 1);
    ck_assert_int_eq(r->chiefs[0].version, CHIEF_V1_0_0);
    assert_addr(&r->chiefs[0].addr, "0x5350454300000000000000000000000000000100");
    assert_addr(&r->chief_base, "0x5350454300000000000000000000000000000101");
    assert_addr(&r->poc, "0x5350454300000000000000000000000000000102");
    assert_addr(&r->meshbox, "0x5350454300000000000000000000000000000103");
    assert_addr(&r->anmap, "0x5350454300000000000000000000000000000104");
    assert_addr(&r->tokens_network, "0x5350454300000000000000000000000000000105");
    assert_addr(&r->smt_token, "0x5350454300000000000000000000000000000106");
    ck_assert(!r->burn_enabled);
    /* Photon's registries on the live networks (photon.md §1); no SMTToken there. */
    assert_addr(&m->tokens_network, "0x08b7d79ec4ebd53e5b89c7c062cc64bb09d063e3");
    assert_addr(&t->tokens_network, "0xc479184abeb8c508ee96e4c093ee47af2256cbbf");
    ck_assert(address_is_zero(&d->tokens_network));
    ck_assert(address_is_zero(&m->smt_token) && address_is_zero(&t->smt_token) &&
              address_is_zero(&d->smt_token));
}
END_TEST

START_TEST(chief_for_block)
{
    const struct chain_params *m = chain_params_get(CHAIN_MAINNET);
    ck_assert_ptr_null(params_chief_for_block(m, 0));
    ck_assert_ptr_null(params_chief_for_block(m, 1));
    ck_assert_int_eq(params_chief_for_block(m, 2)->version, CHIEF_V0_0_5);
    ck_assert_int_eq(params_chief_for_block(m, 595887)->version, CHIEF_V0_0_5);
    ck_assert_int_eq(params_chief_for_block(m, 595888)->version, CHIEF_V0_0_6);
    ck_assert_int_eq(params_chief_for_block(m, 2823365)->version, CHIEF_V0_0_6);
    ck_assert_int_eq(params_chief_for_block(m, 2823366)->version, CHIEF_V1_0_0);
    ck_assert_int_eq(params_chief_for_block(m, UINT64_MAX)->version, CHIEF_V1_0_0);
    ck_assert(!params_is_chief100_era(m, 2823365));
    ck_assert(params_is_chief100_era(m, 2823366));

    const struct chain_params *t = chain_params_get(CHAIN_TESTNET);
    ck_assert_ptr_null(params_chief_for_block(t, 1));
    ck_assert_int_eq(params_chief_for_block(t, 25)->version, CHIEF_V0_0_2);
    ck_assert_int_eq(params_chief_for_block(t, 26)->version, CHIEF_V1_0_0);
    const struct chain_params *d = chain_params_get(CHAIN_DEVNET);
    ck_assert_ptr_null(params_chief_for_block(d, 2));
    ck_assert_int_eq(params_chief_for_block(d, 3)->version, CHIEF_V0_0_7);
    ck_assert_int_eq(params_chief_for_block(d, 62)->version, CHIEF_V0_0_7);
    ck_assert_int_eq(params_chief_for_block(d, 63)->version, CHIEF_V1_0_0);
    const struct chain_params *r = chain_params_get(CHAIN_REGTEST);
    ck_assert_int_eq(params_chief_for_block(r, 0)->version, CHIEF_V1_0_0);
    ck_assert_str_eq(chief_version_name(CHIEF_V0_0_6), "0.0.6");
    ck_assert_str_eq(chief_version_name(CHIEF_V1_0_0), "1.0.0");
}
END_TEST

START_TEST(chief_address_sets)
{
    const struct chain_params *m = chain_params_get(CHAIN_MAINNET);
    struct address c5 = m->chiefs[0].addr, c6 = m->chiefs[1].addr, c100 = m->chiefs[2].addr;
    struct address zero = {{0}};
    ck_assert(params_is_chief_address(m, &c5));
    ck_assert(params_is_chief_address(m, &c6));
    ck_assert(params_is_chief_address(m, &c100));
    ck_assert(!params_is_chief_address(m, &m->chief_base));
    ck_assert(!params_is_chief_address(m, &m->poc));
    ck_assert(!params_is_chief_address(m, &zero));
    /* another network's chief is not ours */
    ck_assert(!params_is_chief_address(m, &chain_params_get(CHAIN_TESTNET)->chiefs[1].addr));

    /* IsChiefAddressOnBlock: any version before SIP100, only 1.0.0 from it */
    ck_assert(params_is_chief_address_on_block(m, 2823365, &c5));
    ck_assert(params_is_chief_address_on_block(m, 2823365, &c6));
    ck_assert(params_is_chief_address_on_block(m, 2823365, &c100));
    ck_assert(!params_is_chief_address_on_block(m, 2823366, &c5));
    ck_assert(!params_is_chief_address_on_block(m, 2823366, &c6));
    ck_assert(params_is_chief_address_on_block(m, 2823366, &c100));
    ck_assert(!params_is_chief_address_on_block(m, 2823366, &zero));
    ck_assert(!params_is_chief_address_on_block(m, 5, &zero));

    /* unmetered pairs (spec §6.4): all three networks' pairs, and p's own */
    const struct chain_params *t = chain_params_get(CHAIN_TESTNET);
    const struct chain_params *r = chain_params_get(CHAIN_REGTEST);
    ck_assert(params_is_chief_called(m, &c100, &m->chief_base));
    ck_assert(params_is_chief_called(m, &m->chief_base, &m->poc));
    ck_assert(!params_is_chief_called(m, &m->chief_base, &c100));
    ck_assert(!params_is_chief_called(m, &c100, &m->poc));
    ck_assert(!params_is_chief_called(m, &c6, &m->chief_base));
    ck_assert(params_is_chief_called(m, &t->chiefs[1].addr, &t->chief_base));
    ck_assert(params_is_chief_called(r, &m->chief_base, &m->poc));
    ck_assert(params_is_chief_called(r, &r->chiefs[0].addr, &r->chief_base));
    ck_assert(params_is_chief_called(r, &r->chief_base, &r->poc));
    ck_assert(!params_is_chief_called(m, &r->chiefs[0].addr, &r->chief_base));
    ck_assert(!params_is_chief_called(m, &zero, &zero));
}
END_TEST

START_TEST(fork_predicates_and_evm_fork)
{
    const struct chain_params *m = chain_params_get(CHAIN_MAINNET);
    ck_assert(params_is_sip001(m, 0));
    ck_assert(!params_is_sip002(m, 588887));
    ck_assert(params_is_sip002(m, 588888));
    ck_assert(!params_is_sip003(m, 808887));
    ck_assert(params_is_sip003(m, 808888));
    ck_assert(!params_is_sip100(m, 2823365));
    ck_assert(params_is_sip100(m, 2823366));
    ck_assert(!params_is_sip004(m, 8654320));
    ck_assert(params_is_sip004(m, 8654321));
    ck_assert(!params_is_sip004_block(m, 8654320));
    ck_assert(params_is_sip004_block(m, 8654321));
    ck_assert(!params_is_sip004_block(m, 8654322));
    ck_assert(!params_is_meshbox_weighting(m, UINT64_MAX));

    ck_assert_int_eq(params_evm_fork(m, 0), FORK_BYZANTIUM);
    ck_assert_int_eq(params_evm_fork(m, 8654320), FORK_BYZANTIUM);
    ck_assert_int_eq(params_evm_fork(m, 8654321), FORK_SIP004);
    ck_assert_int_eq(params_evm_fork(chain_params_get(CHAIN_TESTNET), 26), FORK_BYZANTIUM);
    ck_assert_int_eq(params_evm_fork(chain_params_get(CHAIN_TESTNET), 27), FORK_SIP004);
    ck_assert_int_eq(params_evm_fork(chain_params_get(CHAIN_REGTEST), 0), FORK_SIP004);

    /* a hand-made schedule walks every rung */
    struct chain_params c = *m;
    c.homestead_block = 10;
    c.eip150_block = 20;
    c.eip158_block = 30;
    c.byzantium_block = 40;
    c.sip004_block = 50;
    ck_assert_int_eq(params_evm_fork(&c, 9), FORK_FRONTIER);
    ck_assert_int_eq(params_evm_fork(&c, 10), FORK_HOMESTEAD);
    ck_assert_int_eq(params_evm_fork(&c, 20), FORK_TANGERINE);
    ck_assert_int_eq(params_evm_fork(&c, 30), FORK_SPURIOUS);
    ck_assert_int_eq(params_evm_fork(&c, 40), FORK_BYZANTIUM);
    ck_assert_int_eq(params_evm_fork(&c, 50), FORK_SIP004);
    c.sip004_block = CHAIN_NEVER;
    ck_assert_int_eq(params_evm_fork(&c, UINT64_MAX), FORK_BYZANTIUM);
    ck_assert(!params_is_sip004_block(&c, UINT64_MAX));

    ck_assert_uint_eq(params_min_gas_limit(m, 8654320), 5000);
    ck_assert_uint_eq(params_min_gas_limit(m, 8654321), 40000000);
}
END_TEST

START_TEST(block_reward_and_halvings)
{
    const struct chain_params *m = chain_params_get(CHAIN_MAINNET);
    u256 r;
    params_block_reward(m, 0, &r);
    assert_u256(&r, "0");
    params_block_reward(m, 2823365, &r);
    assert_u256(&r, "0");
    params_block_reward(m, 2823366, &r);
    assert_u256(&r, "35000000000000000000");
    params_block_reward(m, 7328365, &r);
    assert_u256(&r, "35000000000000000000");
    params_block_reward(m, 7328366, &r); /* first halving (spec §7) */
    assert_u256(&r, "17500000000000000000");
    params_block_reward(m, 11833365, &r);
    assert_u256(&r, "17500000000000000000");
    params_block_reward(m, 11833366, &r);
    assert_u256(&r, "8750000000000000000");
    /* 35e18 >> 64 = 1 wei, >> 65 = 0, and no shift wraps far out */
    params_block_reward(m, 2823366 + 64ull * 4505000, &r);
    assert_u256(&r, "1");
    params_block_reward(m, 2823366 + 65ull * 4505000, &r);
    assert_u256(&r, "0");
    params_block_reward(m, UINT64_MAX, &r);
    assert_u256(&r, "0");

    struct chain_params c = *m;
    c.chief100_block = CHAIN_NEVER;
    params_block_reward(&c, UINT64_MAX - 1, &r);
    assert_u256(&r, "0");
}
END_TEST

START_TEST(difficulty_skip_set)
{
    const struct chain_params *m = chain_params_get(CHAIN_MAINNET);
    ck_assert_uint_eq(m->ndifficulty_skip, 3);
    ck_assert(params_is_difficulty_skip(m, 2));
    ck_assert(params_is_difficulty_skip(m, 595888));
    ck_assert(params_is_difficulty_skip(m, 2823366));
    ck_assert(!params_is_difficulty_skip(m, 3));
    ck_assert(!params_is_difficulty_skip(m, 588888));
    ck_assert(!params_is_difficulty_skip(m, 2823367));
    /* on the public networks it is exactly the set of chief start blocks
     * (Spectrum's shared-cache quirk, spec §13.1) */
    for (int i = CHAIN_MAINNET; i <= CHAIN_DEVNET; i++) {
        const struct chain_params *p = chain_params_get((enum chain_network)i);
        ck_assert_uint_eq(p->ndifficulty_skip, p->nchiefs);
        for (size_t k = 0; k < p->nchiefs; k++)
            ck_assert(params_is_difficulty_skip(p, p->chiefs[k].start));
    }
    ck_assert_uint_eq(chain_params_get(CHAIN_REGTEST)->ndifficulty_skip, 0);
}
END_TEST

START_TEST(check_rejects_inconsistent_schedules)
{
    const struct chain_params *m = chain_params_get(CHAIN_MAINNET);
    struct chain_params c = *m;
    c.chief100_block = 3000000; /* 1.0.0 entry still at 2823366 */
    ck_assert_int_eq(chain_params_check(&c), ERR_INVAL);
    c = *m;
    c.chiefs[1].start = 2; /* not strictly increasing */
    ck_assert_int_eq(chain_params_check(&c), ERR_INVAL);
    c = *m;
    memset(&c.chiefs[0].addr, 0, sizeof c.chiefs[0].addr);
    ck_assert_int_eq(chain_params_check(&c), ERR_INVAL);
    c = *m;
    c.nchiefs = 2; /* no 1.0.0 but chief100_block set */
    ck_assert_int_eq(chain_params_check(&c), ERR_INVAL);
    c.chief100_block = CHAIN_NEVER;
    ck_assert_int_eq(chain_params_check(&c), 0);
    c = *m;
    c.nchiefs = CHAIN_MAX_CHIEFS + 1;
    ck_assert_int_eq(chain_params_check(&c), ERR_INVAL);
    c = *m;
    c.halving_interval = 0;
    ck_assert_int_eq(chain_params_check(&c), ERR_INVAL);
    ck_assert_int_eq(chain_params_check(NULL), ERR_INVAL);
}
END_TEST

/* MeshBox weighting (doc/meshbox.md §8): regtest's registry and epoch, the
 * refused combinations, and the gate's dependence on Chief100. */
START_TEST(meshbox_weighting_params)
{
    const struct chain_params *r = chain_params_get(CHAIN_REGTEST);
    struct address want;
    ck_assert_int_eq(address_from_hex(&want, "0x5350454300000000000000000000000000000103", 42), 0);
    ck_assert(address_eq(&r->meshbox_registry, &want));
    ck_assert(address_eq(&r->meshbox_registry, &r->meshbox));
    ck_assert_uint_eq(r->meshbox_epoch, 100);
    ck_assert(params_is_meshbox_weighting(r, 0));
    ck_assert(params_is_meshbox_weighting(r, 1));
    for (int i = CHAIN_MAINNET; i <= CHAIN_DEVNET; i++) {
        const struct chain_params *p = chain_params_get((enum chain_network)i);
        ck_assert(!params_is_meshbox_weighting(p, 0));
        ck_assert(!params_is_meshbox_weighting(p, p->chief100_block));
        ck_assert(!params_is_meshbox_weighting(p, UINT64_MAX - 1));
    }
    struct chain_params c = *r;
    memset(&c.meshbox_registry, 0, sizeof c.meshbox_registry);
    ck_assert_int_eq(chain_params_check(&c), ERR_INVAL);
    c = *r;
    c.meshbox_epoch = 0;
    ck_assert_int_eq(chain_params_check(&c), ERR_INVAL);
    /* weighting off: neither is needed */
    c.meshbox_weighting_block = CHAIN_NEVER;
    memset(&c.meshbox_registry, 0, sizeof c.meshbox_registry);
    ck_assert_int_eq(chain_params_check(&c), 0);
    ck_assert(!params_is_meshbox_weighting(&c, 0));
    /* a custom height applies from that block */
    c = *r;
    c.meshbox_weighting_block = 50;
    ck_assert_int_eq(chain_params_check(&c), 0);
    ck_assert(!params_is_meshbox_weighting(&c, 49));
    ck_assert(params_is_meshbox_weighting(&c, 50));
    /* it needs the 1.0.0 chief and the VRF: a schedule that moves Chief100
     * later (regtest with -regtestforks chief100:N) keeps weighting off until
     * then instead of being refused */
    struct chain_params m = *chain_params_get(CHAIN_MAINNET);
    m.meshbox_weighting_block = 0;
    m.meshbox_registry = want;
    m.meshbox_epoch = 100;
    ck_assert_int_eq(chain_params_check(&m), 0);
    ck_assert(!params_is_meshbox_weighting(&m, m.chief100_block - 1));
    ck_assert(params_is_meshbox_weighting(&m, m.chief100_block));
    m.chief100_block = CHAIN_NEVER;
    m.nchiefs = 2;
    ck_assert_int_eq(chain_params_check(&m), 0);
    ck_assert(!params_is_meshbox_weighting(&m, UINT64_MAX - 1));
}
END_TEST

START_TEST(network_names)
{
    enum chain_network n;
    ck_assert_int_eq(chain_network_from_name("mainnet", &n), 0);
    ck_assert_int_eq(n, CHAIN_MAINNET);
    ck_assert_int_eq(chain_network_from_name("main", &n), 0);
    ck_assert_int_eq(n, CHAIN_MAINNET);
    ck_assert_int_eq(chain_network_from_name("test", &n), 0);
    ck_assert_int_eq(n, CHAIN_TESTNET);
    ck_assert_int_eq(chain_network_from_name("devnet", &n), 0);
    ck_assert_int_eq(n, CHAIN_DEVNET);
    ck_assert_int_eq(chain_network_from_name("regtest", &n), 0);
    ck_assert_int_eq(n, CHAIN_REGTEST);
    ck_assert_int_eq(chain_network_from_name("ropsten", &n), ERR_INVAL);
    ck_assert_int_eq(chain_network_from_name(NULL, &n), ERR_INVAL);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("params");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, ids_and_periods);
    tcase_add_test(tc, regtest_chain_id_is_unused);
    tcase_add_test(tc, genesis_files_match);
    tcase_add_test(tc, fork_table_matches_spec);
    tcase_add_test(tc, chief_for_block);
    tcase_add_test(tc, chief_address_sets);
    tcase_add_test(tc, fork_predicates_and_evm_fork);
    tcase_add_test(tc, block_reward_and_halvings);
    tcase_add_test(tc, difficulty_skip_set);
    tcase_add_test(tc, check_rejects_inconsistent_schedules);
    tcase_add_test(tc, meshbox_weighting_params);
    tcase_add_test(tc, network_names);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
