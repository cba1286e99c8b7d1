/*
 * tribe_engine.h — Tribe block verification and the producer's header
 * helpers: spec/spectrum.md §10 steps 1 (verifyHeader) and 3a (ValidateBlock),
 * plus the sealing side the miner uses.
 *
 * Why it is shaped this way: the rule tables are pure functions in
 * tribe_rules.h; what they need from the world — the signer list S, the
 * leader list L and the POC candidate list, all read from system contracts
 * at the PARENT state, and the signer recovered from the seal — is gathered
 * here, once, and passed in. The reads are privileged static calls with our
 * own EVM (spec §8.5's recommendation): from the zero address, no value, a
 * large gas allowance and the parent header as the block context, inside a
 * state snapshot that is reverted afterwards, so the same struct state can
 * then execute the block. Verification is split as Spectrum splits it:
 * header checks that need no state (tribe_verify_header) and body checks
 * that do (tribe_validate_block); the importer runs the first, then the
 * second, then executes (chain/processor.h) and compares roots.
 *
 * Every rejection returns ERR_INVAL (ERR_BADSTATE for a block from the
 * future) with the reason, naming the block number, in the error context.
 *
 * Threads: a call uses the evm and state it is given (one thread at a time
 * each); otherwise the functions keep no state and are safe from any thread.
 */
#ifndef SPECTRUM_CONSENSUS_TRIBE_ENGINE_H
#define SPECTRUM_CONSENSUS_TRIBE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chain/params.h"
#include "consensus/tribe_rules.h"
#include "evm/evm.h"
#include "primitives/address.h"
#include "primitives/block.h"
#include "primitives/header.h"

struct vrf_ahead;
struct state;

/* Longest address list accepted from a system contract (outside data as far
 * as the decoder is concerned; real lists hold a few dozen entries). */
#define TRIBE_MAX_LIST 4096
/* Gas given to each system read: far above any view of the system
 * contracts, small enough that a looping contract ends. */
#define TRIBE_READ_GAS 1000000000ull

/* ABI selectors of the views the engine reads (spec §8). */
extern const uint8_t TRIBE_SEL_GET_STATUS[4];       /* chief getStatus()          4e69d560 */
extern const uint8_t TRIBE_SEL_GET_VOLUNTEERS[4];   /* chief getVolunteers()      d7ca4a1c */
extern const uint8_t TRIBE_SEL_TAKE_LEADER_LIST[4]; /* ChiefBase takeLeaderList() f0d55817 */
extern const uint8_t TRIBE_SEL_GET_NORMAL_LIST[4];  /* POC getNormalList()        51393ce3 */

/* S and L of one block, read at its parent state. Owns both arrays. */
struct tribe_status {
    struct address *signers;
    size_t nsigners;
    struct address *leaders;
    size_t nleaders;
};

/* Frees the arrays and zeroes *s (NULL is allowed). */
void tribe_status_free(struct tribe_status *s);

/* The lists view of a status (pointers into s, valid while s lives). */
struct tribe_lists tribe_status_lists(const struct tribe_status *s);

/* Longest return data accepted from a system read (ERR_RANGE above). */
#define TRIBE_MAX_VIEW_OUTPUT (1u << 20)

/*
 * Calls a view of the system contract `to` with the ABI-encoded call `input`
 * (selector and arguments) as a privileged static call at `st`: from the
 * zero address, no value, TRIBE_READ_GAS, `parent` as the block context and
 * the rules of parent->number. Every change the call makes to st is
 * reverted. The building block of the reads below; the miner uses it for
 * Anmap's bindInfo.
 * Args: evm      a context to run on (its state and block are replaced)
 *       st       the state to read (the parent's)
 *       input    may be NULL when input_len is 0
 * Out:  *out (malloc'd copy of the return data, the caller frees it; NULL
 *       when *out_len is 0), *out_len.
 * Returns: 0; ERR_INVAL when the call fails or reverts (with the reason);
 *          ERR_RANGE for return data longer than TRIBE_MAX_VIEW_OUTPUT;
 *          ERR_NOMEM; a state read error. *out owns nothing on failure.
 */
int tribe_call_view(const struct chain_params *p, struct evm *evm, struct state *st,
                    const struct header *parent, const struct address *to, const uint8_t *input,
                    size_t input_len, uint8_t **out, size_t *out_len);

/*
 * Calls a no-argument view `selector` on `to` as a privileged static call at
 * `st` with `parent` as the block context (rules of parent->number), and
 * ABI-decodes the address[] that is the `index`-th value of the returned
 * tuple (0 for a function returning just address[]). Every change the call
 * makes to st is reverted.
 * Args: evm      a context to run on (its state and block are replaced)
 *       st       the state to read (the parent's)
 * Out:  *out (malloc'd, the caller frees it; NULL when *n is 0), *n.
 * Returns: 0; ERR_INVAL when the call fails or reverts, or its output is not
 *          a well-formed address[] (with the reason); ERR_RANGE for a list
 *          longer than TRIBE_MAX_LIST; ERR_NOMEM; a state read error.
 */
int tribe_read_addresses(const struct chain_params *p, struct evm *evm, struct state *st,
                         const struct header *parent, const struct address *to,
                         const uint8_t selector[4], unsigned index, struct address **out,
                         size_t *n);

/*
 * Loads S (the chief for block n = parent->number + 1: getStatus()'s
 * signerList, the second value for chief 0.0.2/0.0.5, the first otherwise)
 * and, in era 1.0.0, L (ChiefBase takeLeaderList()), at st.
 * Returns: 0; ERR_INVAL when no chief covers block n or a read fails; the
 *          errors of tribe_read_addresses. *out owns nothing on failure.
 */
int tribe_load_status(const struct chain_params *p, struct evm *evm, struct state *st,
                      const struct header *parent, struct tribe_status *out);

/*
 * The volunteer block n = parent->number + 1 must name.
 *  - Tribe 1.0.0 (spec §6.1): takeMiner(POC getNormalList(), excl, vrfn)
 *    with excl = the chief's getVolunteers() next-round list ∪ getStatus()
 *    signerList, all at st (the parent state; the chief chosen by the
 *    parent's number).
 *  - Under MeshBox weighting (params_is_meshbox_weighting(p, n),
 *    doc/meshbox.md §5): the weighted draw (meshbox.h) over the eligible
 *    boxes read at st, with vrfn as the VRF output; takeMiner as above only
 *    when no box is eligible.
 * Returns 0 (with the zero address when takeMiner's list is empty or all
 * excluded) or the errors of the reads (tribe_read_addresses,
 * meshbox_load).
 */
int tribe_pick_volunteer(const struct chain_params *p, struct evm *evm, struct state *st,
                         const struct header *parent, const uint8_t vrfn[32],
                         struct address *volunteer);

/* How a volunteer was chosen, for error reasons and status displays. */
struct tribe_volunteer_pick {
    struct address volunteer;
    bool weighted;          /* by the MeshBox draw (else takeMiner) */
    size_t ncandidates;     /* |B|, when weighted */
    size_t index;           /* the winner's position in B, when weighted */
    uint64_t r;             /* the value drawn, when weighted */
    uint64_t total_weight;  /* W, when weighted */
    uint64_t epoch;         /* epoch(n), when weighted */
};

/* tribe_pick_volunteer with the details of the choice in *out (zeroed
 * first). Same arguments, returns and threads. */
int tribe_pick_volunteer_ex(const struct chain_params *p, struct evm *evm, struct state *st,
                            const struct header *parent, const uint8_t vrfn[32],
                            struct tribe_volunteer_pick *out);

/*
 * Recovers the signer of a header (n > 0): the address of the key that made
 * the last 65 bytes of extra over header_seal_hash (spec §2).
 * Out: signer; pub (may be NULL) the 64-byte public key, for the VRF.
 * Returns: 0; ERR_INVAL when extra is shorter than 65 bytes; ERR_CRYPTO for
 *          a seal that recovers no key; ERR_NOMEM.
 */
int tribe_recover_signer(const struct header *h, struct address *signer, uint8_t pub[64]);

/*
 * verifyHeader (spec §10 step 1): the standalone header fields (§2: time not
 * after `now`, nonce, extra length, mixDigest, uncle hash; §4 difficulty
 * range), parentHash = hash(parent), and the cascading fields (§5.1 first
 * timing check, §6.7 gas limit rules, number = parent + 1).
 * Args: parent  the header h claims as its parent; now  unix seconds
 * Returns: 0; ERR_BADSTATE for a block from the future (a caller may keep
 *          it and retry); ERR_INVAL; ERR_NOMEM.
 */
int tribe_verify_header(const struct chain_params *p, const struct header *parent,
                        const struct header *h, uint64_t now);

/*
 * ValidateBlock (spec §10 step 3a) for block b on top of `parent`; does
 * nothing for n <= p->unchecked_blocks. In Spectrum's order:
 *  - loads S and L at parent_state (tribe_load_status);
 *  - recovers the signer from the seal;
 *  - the exact difficulty (unless n is in the skip set);
 *  - from SIP100, the VRF: proof of msg(parent) under the signer's key, and
 *    index == extra[0:32];
 *  - validateSigner, with the second timing check;
 *  - the chief transaction (§6.2 steps 1–4): at least one tx; a chief update
 *    tx only at index 0, and one there; its sender is the signer; when the
 *    parent is a 1.0.0 block, its volunteer equals tribe_pick_volunteer with
 *    vrfn = extra[0:32] (the MeshBox weighted draw under MeshBox weighting;
 *    the reason then names the draw: "the MeshBox weighted draw gives").
 * Args: evm           a context for the reads (NULL: a temporary one)
 *       parent_state  the state at parent->state_root; left as it was (every
 *                     read is reverted), so it can execute b next
 *       senders       the recovered sender of each tx of b (as
 *                     chain_tx_sender gives), or NULL to recover tx 0's here
 * Out:  signer (may be NULL): the recovered signer when n > unchecked_blocks,
 *       else zero.
 * Returns: 0; ERR_INVAL with the reason; ERR_NOMEM or a state read error.
 */
int tribe_validate_block(const struct chain_params *p, struct evm *evm,
                         const struct header *parent, struct state *parent_state,
                         const struct block *b, const struct address *senders,
                         struct address *signer);

/* ---- producing --------------------------------------------------------- */

/*
 * Fills the consensus fields of a new header on top of `parent` for the
 * producer whose key is node_key (whose address must be the signer):
 * parentHash, uncleHash (of the empty list), coinbase, number, difficulty
 * (tribe_difficulty over ls), time (tribe_producer_time), gasLimit = the
 * parent's, raised to the minimum at the SIP004 block, mixDigest and nonce
 * zero, and extra = VRF(msg(parent)) (161 bytes) from SIP100, else 32 zero
 * bytes, followed by 65 zero bytes for the seal. The roots, bloom and
 * gasUsed are left zero for execution to fill; tribe_seal comes last.
 * ahead (may be NULL): the proof is taken from it when it was started for
 * this parent, and the proof of block n+1 on this header is started there
 * (consensus/vrf_ahead.h).
 * parent_hash: the parent's hash when the caller knows it (NULL: computed).
 * Any extra h held is freed first.
 * Returns: 0; ERR_INVAL when the difficulty would be below 1 (the key may
 *          not sign block n); ERR_CRYPTO (invalid key, VRF failure);
 *          ERR_NOMEM.
 */
int tribe_prepare(const struct chain_params *p, const struct header *parent,
                  const struct hash32 *parent_hash, const struct tribe_lists *ls,
                  const uint8_t node_key[32],
                  const struct address *coinbase, uint64_t now, struct vrf_ahead *ahead,
                  struct header *h);

/*
 * Seals h: signs header_seal_hash(h) with node_key and writes R‖S‖V
 * (V ∈ {0,1}) into the last 65 bytes of h->extra.
 * Returns: 0; ERR_INVAL when extra is shorter than 65 bytes; ERR_CRYPTO;
 *          ERR_NOMEM.
 */
int tribe_seal(struct header *h, const uint8_t node_key[32]);

#endif
