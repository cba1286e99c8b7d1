/*
 * meshbox.h — MeshBox contribution weighting, the consensus side
 * (doc/meshbox.md §4–§6): the candidate boxes of a block, their weights
 * from the closed epoch's contribution totals, and the weighted draw of the
 * volunteer a block's chief update must name.
 *
 * Why it is shaped this way: the rule set is arithmetic over a few lists
 * that live in system contracts at the PARENT state. As in tribe_rules.h,
 * the arithmetic is kept apart from the reads: meshbox_weights,
 * meshbox_draw and meshbox_candidates are pure functions over plain arrays
 * (no EVM, no state, no allocation but the caller's), so the doc's §11
 * vectors and a statistical test check them directly; meshbox_load does the
 * two reads (the registry's getEpochTotals or getMeshboxList, POC's
 * getNormalList) through tribe_call_view and hands the result to them. The
 * Tribe engine calls meshbox_load from tribe_pick_volunteer when
 * params_is_meshbox_weighting() holds, so the producer and the validator
 * run the very same code; the RPC can call it to show the weights.
 *
 * Everything is integer arithmetic. Weights fit in 64 bits: w_p ≤ 1001 and
 * there are at most MESHBOX_MAX_CANDIDATES boxes, so W < 2^23.
 *
 * Threads: the pure functions are safe from any thread; meshbox_load and
 * meshbox_check_registry use the evm and state they are given (one thread
 * at a time each).
 */
#ifndef SPECTRUM_CONSENSUS_MESHBOX_H
#define SPECTRUM_CONSENSUS_MESHBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chain/params.h"
#include "evm/evm.h"
#include "primitives/address.h"
#include "primitives/header.h"
#include "primitives/u256.h"

struct state;

/* The 1000 of w_p = 1 + ⌊1000 · c_p / C⌋ (doc §4). */
#define MESHBOX_WEIGHT_SCALE 1000u
/* The registry's own cap on its list (maxBoxes(), doc §3.1). */
#define MESHBOX_REGISTRY_MAX_BOXES 1024u
/* The longest list the node accepts from the registry or POC: the engine's
 * bound on any system list (TRIBE_MAX_LIST), so a read never fails because
 * of the registry's length. */
#define MESHBOX_MAX_CANDIDATES 4096u
/* Bytes hashed by the draw: vrf (32) ‖ u64be(n) (8). */
#define MESHBOX_DRAW_INPUT_LEN 40u

/* Selectors of the registry views the node reads (doc §10). */
extern const uint8_t MESHBOX_SEL_GET_EPOCH_TOTALS[4]; /* getEpochTotals(uint256) dc3e21f3 */
extern const uint8_t MESHBOX_SEL_GET_MESHBOX_LIST[4]; /* getMeshboxList()        3ec7eed1 */
extern const uint8_t MESHBOX_SEL_EPOCH_LENGTH[4];     /* epochLength()           57d775f8 */

/* The candidates of one block and their weights. Owns its arrays. */
struct meshbox_set {
    uint64_t epoch;           /* epoch(n) of the block the set is for */
    bool closed;              /* epoch >= 2: totals are those of epoch − 2 */
    struct address *boxes;    /* B, in the registry's order */
    u256 *totals;             /* c_p of each box (0 when !closed) */
    uint64_t *weights;        /* w_p of each box */
    size_t n;                 /* |B| (0: no eligible box, takeMiner applies) */
    uint64_t total_weight;    /* W = Σ w_p (0 when n = 0) */
};

/* Frees the arrays and zeroes *s (NULL is allowed). */
void meshbox_set_free(struct meshbox_set *s);

/* epoch(n) = ⌊n / p->meshbox_epoch⌋; 0 when meshbox_epoch is 0 (weighting
 * off: chain_params_check refuses the combination). */
uint64_t meshbox_epoch_of(const struct chain_params *p, uint64_t n);

/*
 * The weights of doc §4: with C = Σ totals[i], w[i] = 1 + ⌊1000 ·
 * totals[i] / C⌋ when C > 0, else 1 for every box.
 * Args: totals  n contributions (may be NULL when n is 0)
 * Out:  w[0..n) (caller's room for n entries); *sum = Σ w (may be NULL).
 * Returns: 0; ERR_RANGE when n > MESHBOX_MAX_CANDIDATES, or when 1000 · C
 *          does not fit 256 bits (impossible with the registry's caps, doc
 *          §4: such totals are not the registry's, and the read fails).
 */
int meshbox_weights(const u256 *totals, size_t n, uint64_t *w, uint64_t *sum);

/*
 * The draw of doc §5.2: x = keccak256(vrf ‖ u64be(number)), r = x mod W
 * with W = Σ w, and the winner is the first i with r < w[0] + … + w[i].
 * Args: w       n weights, each ≥ 1; n ≥ 1
 *       vrf     the block's VRF output, header.extra[0:32]
 *       number  the number of the block being produced or validated
 * Out:  *index the winner; *r (may be NULL) the value drawn.
 * Returns: 0; ERR_INVAL when n is 0, a weight is 0 or n >
 *          MESHBOX_MAX_CANDIDATES (the weights of meshbox_weights never are).
 */
int meshbox_draw(const uint64_t *w, size_t n, const uint8_t vrf[32], uint64_t number,
                 size_t *index, uint64_t *r);

/*
 * The candidates of doc §5.1: the registry's boxes, in the registry's
 * order, that are in POC's normal list (a membership test: its order does
 * not matter). Nothing is deduplicated: the registry never lists a box
 * twice (addAddress only updates a listed one).
 * Args: boxes/totals  the registry's list and each box's total (totals may
 *                     be NULL: all 0)
 *       normal        POC's normal list
 * Out:  *out filled (boxes, totals, n; weights and total_weight computed
 *       with meshbox_weights); the caller frees it with meshbox_set_free.
 *       epoch and closed are left 0: the caller sets them.
 * Returns: 0; ERR_RANGE when a list is longer than MESHBOX_MAX_CANDIDATES
 *          (or meshbox_weights refuses the totals); ERR_NOMEM. *out owns
 *          nothing on failure.
 */
int meshbox_candidates(const struct address *boxes, const u256 *totals, size_t nboxes,
                       const struct address *normal, size_t nnormal, struct meshbox_set *out);

/*
 * Decodes getEpochTotals' output, the ABI tuple (address[] boxes,
 * uint256[] totals), bounded: both arrays at most MESHBOX_MAX_CANDIDATES
 * long and of the same length, every offset and length inside `len`.
 * Out: *boxes, *totals (malloc'd, the caller frees both; NULL when *n is 0).
 * Returns: 0; ERR_INVAL for a malformed tuple; ERR_RANGE for a list above
 *          the bound; ERR_NOMEM.
 */
int meshbox_decode_epoch_totals(const uint8_t *out, size_t len, struct address **boxes,
                                u256 **totals, size_t *n);

/*
 * Reads the candidate set of block n = parent->number + 1 at `st` (the
 * parent state), doc §5.1: the registry's getEpochTotals(epoch(n) − 2), or
 * getMeshboxList() with every total 0 when epoch(n) < 2, and POC's
 * getNormalList() — unless `normal` is given, in which case that list
 * (already read at st by the caller) is used and only the registry is read.
 * Every read is a privileged static call (tribe_call_view) that leaves st
 * as it was.
 * Args: normal  POC's normal list at st, or NULL to read it here
 * Out:  *out, freed by the caller with meshbox_set_free.
 * Returns: 0; the errors of the reads (ERR_INVAL with the reason for a
 *          failed or malformed read, ERR_RANGE for an over-long list);
 *          ERR_NOMEM. *out owns nothing on failure.
 */
int meshbox_load(const struct chain_params *p, struct evm *evm, struct state *st,
                 const struct header *parent, const struct address *normal, size_t nnormal,
                 struct meshbox_set *out);

/*
 * The volunteer of doc §5.2 for a non-empty set: s->boxes[index] where
 * index is meshbox_draw over s->weights with vrf and number.
 * Out: *volunteer; *index and *r (each may be NULL).
 * Returns: 0; ERR_INVAL when s is empty (the caller falls back to
 *          takeMiner).
 */
int meshbox_pick(const struct meshbox_set *s, const uint8_t vrf[32], uint64_t number,
                 struct address *volunteer, size_t *index, uint64_t *r);

/*
 * The check a node makes once when it opens a chain with MeshBox weighting
 * (doc §3): the registry's epochLength() at `st` (the state of `head`)
 * equals p->meshbox_epoch. Does nothing (returns 0) when
 * meshbox_weighting_block is CHAIN_NEVER.
 * Returns: 0; ERR_INVAL when the value differs or the read fails (the node
 *          must refuse to start).
 */
int meshbox_check_registry(const struct chain_params *p, struct evm *evm, struct state *st,
                           const struct header *head);

#endif
