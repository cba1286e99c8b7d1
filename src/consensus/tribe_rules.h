/*
 * tribe_rules.h — the rule tables of Spectrum's Tribe consensus as pure
 * functions over plain inputs (spec/spectrum.md §2, §4–§7).
 *
 * Why it is shaped this way: the rules need state (the signer list S and the
 * leader list L are read from system contracts at the parent state) but are
 * themselves simple tables. Keeping the tables apart from the reads means
 * every row can be unit-tested without an EVM or a database, and the block
 * importer and the block producer call the very same functions. The caller
 * reads S and L, recovers the signer, and passes them in; nothing here
 * allocates, reads a clock or touches global state.
 *
 * Each function reproduces what Spectrum's HEAD does, quirks included; the
 * quirks and our resolution of the spec's ambiguities are in doc/tribe.md.
 * One extension is ours: a chain with period P = 0 (regtest) has every delay
 * and timing bound 0, where Spectrum would replace P = 0 by 15.
 *
 * Terms used below:
 *  - S: the chief's signerList at the parent state, zero-address
 *    placeholders included; sl = its length; idx(a) = the FIRST position of
 *    a in S (as Spectrum's fetchOnSigners).
 *  - L: ChiefBase's leader list (chief 1.0.0 only); R = leaderSort(S[0], L).
 *  - "era 1.0.0": the chief in force at block n is version 1.0.0
 *    (params_is_chief100_era); "SIP100": n >= chief100_block. The two agree
 *    on every consistent parameter set (chain_params_check).
 *  - "MeshBox weighting": params_is_meshbox_weighting(p, n)
 *    (doc/meshbox.md). One box may then hold several slots of S, and the
 *    difficulty and authorization rules compare POSITIONS instead of idx:
 *    in turn is S[n%sl] == signer, the stand-in is S[0] == signer (§5.4).
 *    Without duplicates in S both readings agree.
 *
 * Functions that judge a block return 0 when the rule holds, else ERR_INVAL
 * (or the code stated) with the reason in the error context. All functions
 * are safe from any thread.
 */
#ifndef SPECTRUM_CONSENSUS_TRIBE_RULES_H
#define SPECTRUM_CONSENSUS_TRIBE_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chain/params.h"
#include "primitives/address.h"
#include "primitives/header.h"
#include "primitives/u256.h"

/* extraData layout (spec §2). */
#define TRIBE_VANITY_LEN 32         /* before SIP100 */
#define TRIBE_VRF_LEN 161           /* from SIP100: index(32) ‖ proof(129) */
#define TRIBE_SEAL_LEN 65
/* The largest difficulty of each era. */
#define TRIBE_MAX_DIFFICULTY_V0 3
#define TRIBE_MAX_DIFFICULTY_V100 6

/* The chief update transaction (spec §6.1). */
#define TRIBE_CHIEF_UPDATE_DATA_LEN 36
extern const uint8_t TRIBE_CHIEF_UPDATE_SELECTOR[4]; /* 1c 1b 87 72 = update(address) */

/* The lists a rule needs, read by the caller at the parent state. Either
 * pointer may be NULL when its count is 0. */
struct tribe_lists {
    const struct address *signers;  /* S */
    size_t nsigners;
    const struct address *leaders;  /* L (empty before era 1.0.0) */
    size_t nleaders;
};

/* ------------------------------------------------------------------------
 * Header fields that need no state (spec §2, §4 range check)
 * --------------------------------------------------------------------- */

/* The vanity part of extra at block n: 161 from SIP100 on, else 32. */
size_t tribe_extra_vanity_len(const struct chain_params *p, uint64_t n);

/* Checks extra_len >= vanity(n) + 65 (there is no maximum).
 * Returns 0 or ERR_INVAL ("missing vanity" / "missing signature"). */
int tribe_check_extra_len(const struct chain_params *p, uint64_t n, size_t extra_len);

/* The header-level difficulty range (spec §4): skipped for n = 0, for n in
 * the difficulty-skip set and when no chief covers n; else the difficulty
 * must be in {1,2,3} before era 1.0.0 and in [1,6] in it.
 * Returns 0 or ERR_INVAL. */
int tribe_check_difficulty_range(const struct chain_params *p, uint64_t n, const u256 *difficulty);

/* The standalone header checks of Tribe's verifyHeader, in its order: time
 * not after `now` (unix seconds), nonce all-zero or all-0xff, extra length,
 * mixDigest zero, uncleHash = keccak256(RLP([])), difficulty range.
 * Returns 0; ERR_BADSTATE for a block from the future (a caller may keep it
 * and retry; spec §2 says geth queues up to 30 s ahead); ERR_INVAL for
 * anything else. */
int tribe_check_header_fields(const struct chain_params *p, const struct header *h, uint64_t now);

/* ------------------------------------------------------------------------
 * Difficulty (spec §4)
 * --------------------------------------------------------------------- */

/* leaderSort: R = L rotated to start just after the first occurrence of
 * `first`, with that occurrence left out; R = L when first is not in L.
 * Example: L = [1,2,3,4,5], first = 3 → [4,5,1,2]; first = 5 → [1,2,3,4].
 * Out: out[0..ret) (the caller provides room for nleaders entries; out must
 * not overlap leaders). Returns the length of R. */
size_t tribe_leader_sort(const struct address *first, const struct address *leaders,
                         size_t nleaders, struct address *out);

/* The difficulty block n must carry when `signer` produces it, which is the
 * difficulty a producer writes (CalcDifficulty) and the one body validation
 * demands (InTurnForVerifyDifficulty):
 *  - era 1.0.0: signer in S: 6 if n%sl == idx, 5 if idx == 0, else 1
 *    (under MeshBox weighting: 6 if S[n%sl] == signer, 5 if S[0] ==
 *    signer, else 1);
 *    signer not in S but at position i of R (sl > 0): 5−i if n%sl == 0,
 *    else 4−i; otherwise 1;
 *  - older eras from SIP002: 3 if n%sl == idx, 2 if (n+1)%sl == idx, else 1;
 *  - before SIP002: 2 if n%sl == idx, else 1.
 * The result can be 0 or negative for a leader far down R; no such value
 * passes tribe_check_difficulty_range, so the block is invalid either way. */
int64_t tribe_difficulty(const struct chain_params *p, uint64_t n, const struct tribe_lists *ls,
                         const struct address *signer);

/* True when body validation checks the exact difficulty of block n: n is
 * above unchecked_blocks and not in the difficulty-skip set. */
bool tribe_difficulty_checked(const struct chain_params *p, uint64_t n);

/* The exact-difficulty rule of body validation: 0 when the check does not
 * apply (tribe_difficulty_checked) or when `difficulty` equals
 * tribe_difficulty(); else ERR_INVAL. */
int tribe_check_difficulty(const struct chain_params *p, uint64_t n, const struct tribe_lists *ls,
                           const struct address *signer, const u256 *difficulty);

/* ------------------------------------------------------------------------
 * Timing and authorization (spec §5)
 * --------------------------------------------------------------------- */

/* The earliest time block n may have by the header-level check
 * (verifyCascadingFields): parent_time + P before SIP002, parent_time + P − 1
 * from it (saturating: 0 when P = 0). */
uint64_t tribe_min_time(const struct chain_params *p, uint64_t n, uint64_t parent_time);

/* The signer's delay for block n (GetPeriod / GetPeriodChief100, chosen by
 * the era of n). With P the period and D = P − 1:
 *  - era 1.0.0: sl = 0 → D+24; S[n%sl] == signer → D; S[0] == signer → P+3;
 *    signer at position i of R → P+3+4i when n%sl == 0, else P+7+4i;
 *    otherwise D+24;
 *  - older eras: n <= 3 → P+3; sl = 0 → P+7; S[n%sl] → D; S[(n+1)%sl] → P+3;
 *    otherwise P+7.
 * Every value is 0 when P = 0. */
uint64_t tribe_period(const struct chain_params *p, uint64_t n, const struct tribe_lists *ls,
                      const struct address *signer);

/* The time a producer writes: max(parent_time + delay, now), where delay is
 * tribe_period() from SIP002 on and P before it. */
uint64_t tribe_producer_time(const struct chain_params *p, uint64_t n, const struct tribe_lists *ls,
                             const struct address *signer, uint64_t parent_time, uint64_t now);

/* Who may sign block n, without the timing and coinbase parts: anyone for
 * n <= unchecked_blocks; from SIP100 an S member at idx n%sl or 0 (under
 * MeshBox weighting: S[n%sl] == signer or S[0] == signer), or (not in S) a
 * member of L; before SIP100 any member of S. */
bool tribe_signer_authorized(const struct chain_params *p, uint64_t n, const struct tribe_lists *ls,
                             const struct address *signer);

/* validateSigner (spec §5.2), in Spectrum's order: nothing for
 * n <= unchecked_blocks; from SIP002 time >= parent_time + tribe_period();
 * from SIP100 coinbase non-zero; then tribe_signer_authorized().
 * Returns 0 or ERR_INVAL. */
int tribe_validate_signer(const struct chain_params *p, uint64_t n, const struct tribe_lists *ls,
                          const struct address *signer, const struct address *coinbase,
                          uint64_t parent_time, uint64_t time);

/* ------------------------------------------------------------------------
 * The chief update transaction and the next-round pick (spec §6.1, §6.2)
 * --------------------------------------------------------------------- */

/* takeMiner: with m = nl_len, returns the first nl[(vrfn + k) mod m],
 * k = 0..m−1, that is not in excl; the zero address when nl is empty or every
 * candidate is excluded. vrfn is a 256-bit big-endian number and vrfn + k
 * does not wrap at 2^256 (Spectrum uses big.Int). */
struct address tribe_take_miner(const struct address *nl, size_t nl_len,
                                const struct address *excl, size_t excl_len,
                                const uint8_t vrfn[32]);

/* Writes update(volunteer)'s calldata: 1c1b8772 ‖ 12 zero bytes ‖ volunteer. */
void tribe_chief_update_data(const struct address *volunteer,
                             uint8_t out[TRIBE_CHIEF_UPDATE_DATA_LEN]);

/* True when data starts with the update(address) selector (len >= 4). */
bool tribe_is_chief_update_data(const uint8_t *data, size_t len);

/* The volunteer as the node reads it (spec §6.2 step 4): the LAST 20 bytes
 * of data[4..len), left-padded with zeros when fewer. For the 36-byte form
 * that is data[16..36]; the upper 12 bytes of the word are not checked
 * (§13.9). data must start with the selector (len >= 4). */
struct address tribe_chief_update_volunteer(const uint8_t *data, size_t len);

/* The block-level test of spec §6.2 step 2: `to` (NULL for a contract
 * creation, which never qualifies) passes params_is_chief_address_on_block(n)
 * and data starts with the selector. */
bool tribe_is_chief_update_tx(const struct chain_params *p, uint64_t n, const struct address *to,
                              const uint8_t *data, size_t len);

/* The state-transition test isChiefUpdate of spec §6.3: `to` is any chief
 * address of the network (all versions) and data starts with the selector. */
bool tribe_is_chief_update_any(const struct chain_params *p, const struct address *to,
                               const uint8_t *data, size_t len);

/* True when block n must carry a chief update tx first (n > unchecked_blocks). */
bool tribe_requires_chief_tx(const struct chain_params *p, uint64_t n);

/* True when block n's extra must carry a valid VRF (SIP100). */
bool tribe_requires_vrf(const struct chain_params *p, uint64_t n);

/* True when block n's volunteer is chosen by takeMiner and checked against
 * it: n > unchecked_blocks and the PARENT (n−1) is in era 1.0.0. At the first
 * SIP100 block the check is skipped and producers write 0x0. */
bool tribe_volunteer_checked(const struct chain_params *p, uint64_t n);

/* ------------------------------------------------------------------------
 * Gas limit (spec §6.7) and cascading fields
 * --------------------------------------------------------------------- */

/* Checks, in Spectrum's order: gas_limit <= 2^63−1; gas_used <= gas_limit;
 * unless n is the SIP004 block: |gas_limit − parent_gas_limit| <
 * parent_gas_limit / 1024 and gas_limit >= params_min_gas_limit(n).
 * Returns 0 or ERR_INVAL. */
int tribe_check_gas_limit(const struct chain_params *p, uint64_t n, uint64_t parent_gas_limit,
                          uint64_t gas_limit, uint64_t gas_used);

/* verifyCascadingFields without the ancestor lookup: the first time check
 * (h->time >= tribe_min_time), the gas-limit rules and number = parent + 1.
 * Genesis (h->number == 0) always passes. Returns 0 or ERR_INVAL. */
int tribe_check_cascading(const struct chain_params *p, const struct header *parent,
                          const struct header *h);

/* ------------------------------------------------------------------------
 * Rewards and the one-off burn (spec §7)
 * --------------------------------------------------------------------- */

/* The subsidy credited to header.coinbase after the txs of block n
 * (params_block_reward: 35 SMT from Chief100, halving every 4,505,000). */
void tribe_block_reward(const struct chain_params *p, uint64_t n, u256 *out);

/* The amount taken from p->burn_account at block n: min(balance,
 * burn_amount) at n == chief100_block when burn_enabled, else 0. */
void tribe_burn_amount(const struct chain_params *p, uint64_t n, const u256 *balance, u256 *out);

#endif
