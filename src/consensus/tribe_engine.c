/*
 * tribe_engine.c — Tribe verification and sealing on top of the rule tables
 * (see tribe_engine.h for the split and the order of the checks).
 *
 * The file reads top to bottom as the importer runs it: the system-contract
 * reads (one privileged static call per list, decoded as address[]), signer
 * recovery, verifyHeader, ValidateBlock; then the producer's helpers. Every
 * rule itself is a call into tribe_rules.c; what is here is the plumbing
 * and the order, which is Spectrum's.
 */
#include "consensus/tribe_engine.h"

#include <stdlib.h>
#include <string.h>

#include "chain/processor.h"
#include "consensus/meshbox.h"
#include "consensus/vrf.h"
#include "consensus/vrf_ahead.h"
#include "crypto/ecdsa.h"
#include "crypto/keccak.h"
#include "primitives/u256.h"
#include "state/state.h"
#include "util/err.h"

const uint8_t TRIBE_SEL_GET_STATUS[4] = {0x4e, 0x69, 0xd5, 0x60};
const uint8_t TRIBE_SEL_GET_VOLUNTEERS[4] = {0xd7, 0xca, 0x4a, 0x1c};
const uint8_t TRIBE_SEL_TAKE_LEADER_LIST[4] = {0xf0, 0xd5, 0x58, 0x17};
const uint8_t TRIBE_SEL_GET_NORMAL_LIST[4] = {0x51, 0x39, 0x3c, 0xe3};

void tribe_status_free(struct tribe_status *s)
{
    if (!s)
        return;
    free(s->signers);
    free(s->leaders);
    memset(s, 0, sizeof *s);
}

struct tribe_lists tribe_status_lists(const struct tribe_status *s)
{
    struct tribe_lists l = {s->signers, s->nsigners, s->leaders, s->nleaders};
    return l;
}

/* ---- system reads ----------------------------------------------------------- */

/* A 32-byte ABI word as a bounded length/offset; false when above `max`. */
static bool abi_word(const uint8_t *w, uint64_t max, uint64_t *out)
{
    uint64_t v;
    if (!u256_word_u64(w, &v) || v > max)
        return false;
    *out = v;
    return true;
}

/* Decodes the address[] at head slot `index` of an ABI tuple. */
static int abi_address_array(const uint8_t *out, size_t len, unsigned index,
                             struct address **list, size_t *n)
{
    *list = NULL;
    *n = 0;
    uint64_t head = (uint64_t)index * 32, off, count;
    if (head + 32 > len || !abi_word(out + head, len, &off) || off + 32 > len)
        return err_set(ERR_INVAL, "system read: output of %zu bytes has no array at %u", len,
                       index);
    if (!abi_word(out + off, UINT64_MAX >> 8, &count))
        return err_set(ERR_INVAL, "system read: array length out of range");
    if (count > TRIBE_MAX_LIST)
        return err_set(ERR_RANGE, "system read: %llu addresses (max %d)",
                       (unsigned long long)count, TRIBE_MAX_LIST);
    if (off + 32 + count * 32 > len)
        return err_set(ERR_INVAL, "system read: array of %llu runs past the output",
                       (unsigned long long)count);
    if (count == 0)
        return 0;
    struct address *a = malloc((size_t)count * sizeof *a);
    if (!a)
        return err_set(ERR_NOMEM, "system read: %llu addresses", (unsigned long long)count);
    /* The last 20 bytes of each word, as go-ethereum's ABI unpacker reads
     * an address (the upper 12 are not checked). */
    for (uint64_t i = 0; i < count; i++)
        memcpy(a[i].b, out + off + 32 + i * 32 + 12, ADDRESS_LEN);
    *list = a;
    *n = (size_t)count;
    return 0;
}

int tribe_call_view(const struct chain_params *p, struct evm *evm, struct state *st,
                    const struct header *parent, const struct address *to, const uint8_t *input,
                    size_t input_len, uint8_t **out, size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    struct evm_block blk;
    memset(&blk, 0, sizeof blk);
    blk.coinbase = parent->coinbase;
    blk.number = parent->number;
    blk.timestamp = parent->time;
    blk.gas_limit = parent->gas_limit;
    blk.difficulty = parent->difficulty;
    blk.chain_id = p->chain_id;
    struct evm_tx_context txc;
    memset(&txc, 0, sizeof txc);
    evm_set_context(evm, st, params_evm_fork(p, parent->number), &blk, &txc);

    struct evm_message m;
    memset(&m, 0, sizeof m);
    m.kind = EVM_STATICCALL;
    m.is_static = true;
    m.gas = TRIBE_READ_GAS;
    m.recipient = *to;
    m.code_address = *to;
    m.input = input;
    m.input_len = input_len;
    state_snap snap = state_snapshot(st);
    struct evm_result r;
    int rc = evm_execute(evm, &m, &r);
    if (rc) {
        state_revert(st, snap);
        return err_wrap(rc, "system read");
    }
    static const uint8_t no_selector[4] = {0};
    const uint8_t *sel = input_len >= 4 ? input : no_selector;
    if (r.status != EVM_SUCCESS)
        rc = err_set(ERR_INVAL, "system read %02x%02x%02x%02x: %s", sel[0], sel[1], sel[2],
                     sel[3], evm_status_name(r.status));
    else if (r.output_len > TRIBE_MAX_VIEW_OUTPUT)
        rc = err_set(ERR_RANGE, "system read %02x%02x%02x%02x: %zu bytes of output (max %u)",
                     sel[0], sel[1], sel[2], sel[3], r.output_len, TRIBE_MAX_VIEW_OUTPUT);
    /* Copy the output before reverting: it lives in the evm's buffers,
     * which the revert does not touch, but keep the order obvious. */
    if (!rc && r.output_len) {
        *out = malloc(r.output_len);
        if (!*out)
            rc = err_set(ERR_NOMEM, "system read: %zu bytes of output", r.output_len);
        else
            memcpy(*out, r.output, r.output_len);
    }
    state_revert(st, snap);
    if (!rc && state_error(st))
        rc = state_error(st);
    if (rc) {
        free(*out);
        *out = NULL;
        return rc;
    }
    *out_len = r.output_len;
    return 0;
}

int tribe_read_addresses(const struct chain_params *p, struct evm *evm, struct state *st,
                         const struct header *parent, const struct address *to,
                         const uint8_t selector[4], unsigned index, struct address **out,
                         size_t *n)
{
    *out = NULL;
    *n = 0;
    uint8_t *output;
    size_t len;
    int rc = tribe_call_view(p, evm, st, parent, to, selector, 4, &output, &len);
    if (rc)
        return rc;
    rc = abi_address_array(output, len, index, out, n);
    free(output);
    return rc;
}

/* getStatus()'s signerList position by chief version (spec §8.4). */
static unsigned signer_list_index(enum chief_version v)
{
    return v == CHIEF_V0_0_2 || v == CHIEF_V0_0_5 ? 1 : 0;
}

int tribe_load_status(const struct chain_params *p, struct evm *evm, struct state *st,
                      const struct header *parent, struct tribe_status *out)
{
    memset(out, 0, sizeof *out);
    uint64_t n = parent->number + 1;
    const struct chief_info *ci = params_chief_for_block(p, n);
    if (!ci)
        return err_set(ERR_INVAL, "block %llu: no chief contract", (unsigned long long)n);
    int rc = tribe_read_addresses(p, evm, st, parent, &ci->addr, TRIBE_SEL_GET_STATUS,
                                  signer_list_index(ci->version), &out->signers,
                                  &out->nsigners);
    if (!rc && params_is_chief100_era(p, n))
        rc = tribe_read_addresses(p, evm, st, parent, &p->chief_base,
                                  TRIBE_SEL_TAKE_LEADER_LIST, 0, &out->leaders, &out->nleaders);
    if (rc) {
        tribe_status_free(out);
        return err_wrap(rc, "block %llu: loading the signer status", (unsigned long long)n);
    }
    return 0;
}

int tribe_pick_volunteer_ex(const struct chain_params *p, struct evm *evm, struct state *st,
                            const struct header *parent, const uint8_t vrfn[32],
                            struct tribe_volunteer_pick *out)
{
    memset(out, 0, sizeof *out);
    uint64_t n = parent->number + 1;
    const struct chief_info *ci = params_chief_for_block(p, parent->number);
    if (!ci)
        return err_set(ERR_INVAL, "block %llu: no chief contract",
                       (unsigned long long)parent->number);
    struct address *nl = NULL, *vol = NULL, *sig = NULL, *excl = NULL;
    size_t nnl = 0, nvol = 0, nsig = 0;
    int rc = tribe_read_addresses(p, evm, st, parent, &p->poc, TRIBE_SEL_GET_NORMAL_LIST, 0,
                                  &nl, &nnl);
    /* MeshBox weighting (doc/meshbox.md §5.2): the weighted draw over the
     * eligible boxes, with replacement; takeMiner only when none is
     * eligible. The normal list just read serves both. */
    if (!rc && params_is_meshbox_weighting(p, n)) {
        struct meshbox_set set;
        rc = meshbox_load(p, evm, st, parent, nl, nnl, &set);
        if (!rc && set.n) {
            rc = meshbox_pick(&set, vrfn, n, &out->volunteer, &out->index, &out->r);
            out->weighted = rc == 0;
            out->ncandidates = set.n;
            out->total_weight = set.total_weight;
            out->epoch = set.epoch;
            meshbox_set_free(&set);
            free(nl);
            return rc ? err_wrap(rc, "picking the volunteer") : 0;
        }
        meshbox_set_free(&set);
    }
    if (!rc && nnl)
        rc = tribe_read_addresses(p, evm, st, parent, &ci->addr, TRIBE_SEL_GET_VOLUNTEERS, 0,
                                  &vol, &nvol);
    if (!rc && nnl)
        rc = tribe_read_addresses(p, evm, st, parent, &ci->addr, TRIBE_SEL_GET_STATUS,
                                  signer_list_index(ci->version), &sig, &nsig);
    if (!rc && nnl) {
        excl = malloc((nvol + nsig + 1) * sizeof *excl);
        if (!excl) {
            rc = err_set(ERR_NOMEM, "volunteer exclusion list");
        } else {
            if (nvol)
                memcpy(excl, vol, nvol * sizeof *excl);
            if (nsig)
                memcpy(excl + nvol, sig, nsig * sizeof *excl);
            out->volunteer = tribe_take_miner(nl, nnl, excl, nvol + nsig, vrfn);
        }
    }
    free(nl);
    free(vol);
    free(sig);
    free(excl);
    return rc ? err_wrap(rc, "picking the volunteer") : 0;
}

int tribe_pick_volunteer(const struct chain_params *p, struct evm *evm, struct state *st,
                         const struct header *parent, const uint8_t vrfn[32],
                         struct address *volunteer)
{
    struct tribe_volunteer_pick pick;
    int rc = tribe_pick_volunteer_ex(p, evm, st, parent, vrfn, &pick);
    *volunteer = pick.volunteer;
    return rc;
}

/* ---- signer ----------------------------------------------------------------- */

int tribe_recover_signer(const struct header *h, struct address *signer, uint8_t pub[64])
{
    if (h->extra_len < TRIBE_SEAL_LEN)
        return err_set(ERR_INVAL, "extra of %zu bytes has no seal", h->extra_len);
    struct hash32 sh;
    int rc = header_seal_hash(h, &sh);
    if (rc)
        return rc;
    uint8_t key[64];
    if (ecdsa_recover(sh.b, h->extra + h->extra_len - TRIBE_SEAL_LEN, key))
        return err_set(ERR_CRYPTO, "the seal recovers no key");
    ecdsa_pub_to_address(key, signer->b);
    if (pub)
        memcpy(pub, key, 64);
    return 0;
}

/* ---- verifyHeader ------------------------------------------------------------ */

int tribe_verify_header(const struct chain_params *p, const struct header *parent,
                        const struct header *h, uint64_t now)
{
    unsigned long long n = (unsigned long long)h->number;
    int rc = tribe_check_header_fields(p, h, now);
    if (rc)
        return err_wrap(rc, "block %llu", n);
    struct hash32 ph;
    rc = header_hash(parent, &ph);
    if (rc)
        return rc;
    if (!hash32_eq(&ph, &h->parent_hash))
        return err_set(ERR_INVAL, "block %llu: parentHash is not the hash of the parent", n);
    rc = tribe_check_cascading(p, parent, h);
    if (rc)
        return err_wrap(rc, "block %llu", n);
    return 0;
}

/* ---- ValidateBlock ------------------------------------------------------------ */

/* §6.2 steps 1–4, after the signer checks. */
static int check_chief_tx(const struct chain_params *p, struct evm *evm,
                          const struct header *parent, struct state *st, const struct block *b,
                          const struct address *senders, const struct address *signer)
{
    const struct header *h = &b->header;
    uint64_t n = h->number;
    const struct block_body *body = &b->body;
    if (body->tx_count == 0)
        return err_set(ERR_INVAL, "no transactions: the chief update tx is missing");
    for (size_t i = 1; i < body->tx_count; i++) {
        const struct tx *t = &body->txs[i];
        if (tribe_is_chief_update_tx(p, n, t->has_to ? &t->to : NULL, t->data, t->data_len))
            return err_set(ERR_INVAL, "chief update tx at index %zu (only index 0 is allowed)",
                           i);
    }
    const struct tx *t0 = &body->txs[0];
    if (!tribe_is_chief_update_tx(p, n, t0->has_to ? &t0->to : NULL, t0->data, t0->data_len))
        return err_set(ERR_INVAL, "the first tx is not a chief update tx");
    struct address sender;
    if (senders) {
        sender = senders[0];
    } else {
        int rc = chain_tx_sender(p, n, t0, &sender);
        if (rc)
            return err_wrap(rc, "chief update tx");
    }
    if (!address_eq(&sender, signer)) {
        char a[ADDRESS_HEX_SIZE], b2[ADDRESS_HEX_SIZE];
        address_to_hex(&sender, a);
        address_to_hex(signer, b2);
        return err_set(ERR_INVAL, "chief update tx sent by %s, not by the signer %s", a, b2);
    }
    if (tribe_volunteer_checked(p, n)) {
        struct tribe_volunteer_pick want;
        int rc = tribe_pick_volunteer_ex(p, evm, st, parent, h->extra, &want);
        if (rc)
            return rc;
        struct address got = tribe_chief_update_volunteer(t0->data, t0->data_len);
        if (!address_eq(&got, &want.volunteer)) {
            char a[ADDRESS_HEX_SIZE], b2[ADDRESS_HEX_SIZE];
            address_to_hex(&got, a);
            address_to_hex(&want.volunteer, b2);
            if (want.weighted)
                return err_set(ERR_INVAL,
                               "chief update names volunteer %s, the MeshBox weighted draw "
                               "gives %s (box %zu of %zu, r = %llu of W = %llu, epoch %llu)",
                               a, b2, want.index, want.ncandidates,
                               (unsigned long long)want.r,
                               (unsigned long long)want.total_weight,
                               (unsigned long long)want.epoch);
            return err_set(ERR_INVAL, "chief update names volunteer %s, takeMiner gives %s", a,
                           b2);
        }
    }
    return 0;
}

static int validate(const struct chain_params *p, struct evm *evm, const struct header *parent,
                    struct state *st, const struct block *b, const struct address *senders,
                    struct address *signer_out)
{
    const struct header *h = &b->header;
    uint64_t n = h->number;
    if (n != parent->number + 1)
        return err_set(ERR_INVAL, "number is not the parent's + 1");
    size_t need = tribe_extra_vanity_len(p, n) + TRIBE_SEAL_LEN;
    if (h->extra_len < need)
        return err_set(ERR_INVAL, "extra of %zu bytes, at least %zu needed", h->extra_len, need);

    struct tribe_status status;
    int rc = tribe_load_status(p, evm, st, parent, &status);
    if (rc)
        return rc;
    struct tribe_lists ls = tribe_status_lists(&status);
    struct address signer;
    uint8_t pub[64];
    rc = tribe_recover_signer(h, &signer, pub);
    if (rc)
        goto out;
    *signer_out = signer;
    rc = tribe_check_difficulty(p, n, &ls, &signer, &h->difficulty);
    if (rc)
        goto out;
    if (tribe_requires_vrf(p, n)) {
        uint8_t msg[VRF_BLOCK_MSG_MAX];
        size_t len;
        rc = vrf_block_message(parent->number, parent->extra, parent->extra_len, msg, &len);
        if (rc) {
            rc = err_set(ERR_INVAL, "parent extra too short for the VRF message");
            goto out;
        }
        rc = vrf_verify_extra(pub, msg, len, h->extra);
        if (rc) {
            rc = err_wrap(rc == ERR_CRYPTO ? ERR_INVAL : rc, "VRF");
            goto out;
        }
    }
    rc = tribe_validate_signer(p, n, &ls, &signer, &h->coinbase, parent->time, h->time);
    if (rc)
        goto out;
    rc = check_chief_tx(p, evm, parent, st, b, senders, &signer);
out:
    tribe_status_free(&status);
    return rc;
}

int tribe_validate_block(const struct chain_params *p, struct evm *evm,
                         const struct header *parent, struct state *parent_state,
                         const struct block *b, const struct address *senders,
                         struct address *signer)
{
    struct address dummy;
    if (!signer)
        signer = &dummy;
    memset(signer, 0, sizeof *signer);
    uint64_t n = b->header.number;
    if (n <= p->unchecked_blocks)
        return 0;
    struct evm *own = NULL;
    if (!evm) {
        int rc = evm_new(&own);
        if (rc)
            return rc;
        evm = own;
    }
    int rc = validate(p, evm, parent, parent_state, b, senders, signer);
    evm_free(own);
    if (rc) {
        if (rc != ERR_NOMEM)
            memset(signer, 0, sizeof *signer);
        return err_wrap(rc, "block %llu", (unsigned long long)n);
    }
    return 0;
}

/* ---- producing ------------------------------------------------------------------ */

int tribe_prepare(const struct chain_params *p, const struct header *parent,
                  const struct hash32 *parent_hash, const struct tribe_lists *ls,
                  const uint8_t node_key[32],
                  const struct address *coinbase, uint64_t now, struct vrf_ahead *ahead,
                  struct header *h)
{
    uint64_t n = parent->number + 1;
    uint8_t pub[64];
    if (ecdsa_pubkey(node_key, pub))
        return err_set(ERR_CRYPTO, "tribe_prepare: invalid node key");
    struct address me;
    ecdsa_pub_to_address(pub, me.b);
    int64_t diff = tribe_difficulty(p, n, ls, &me);
    if (diff < 1) {
        char a[ADDRESS_HEX_SIZE];
        address_to_hex(&me, a);
        return err_set(ERR_INVAL, "block %llu: %s may not sign it (difficulty %lld)",
                       (unsigned long long)n, a, (long long)diff);
    }

    size_t vanity = tribe_extra_vanity_len(p, n);
    uint8_t *extra = calloc(1, vanity + TRIBE_SEAL_LEN);
    if (!extra)
        return err_set(ERR_NOMEM, "tribe_prepare: extra");
    if (tribe_requires_vrf(p, n)) {
        uint8_t msg[VRF_BLOCK_MSG_MAX];
        size_t len;
        int rc = vrf_block_message(parent->number, parent->extra, parent->extra_len, msg, &len);
        if (!rc) {
            rc = vrf_ahead_take(ahead, node_key, msg, len, extra);
            if (rc != 0) {     /* none made ahead for this parent, or it failed */
                err_clear();
                rc = vrf_prove(node_key, msg, len, extra);
            }
        }
        if (rc) {
            free(extra);
            return err_wrap(rc, "block %llu: VRF", (unsigned long long)n);
        }
        /* Block n+1's message is (n, this proof's index): start its proof. */
        if (ahead && tribe_requires_vrf(p, n + 1) &&
            vrf_block_message(n, extra, vanity + TRIBE_SEAL_LEN, msg, &len) == 0)
            vrf_ahead_start(ahead, node_key, n + 1, msg, len);
    }
    header_free(h);
    memset(h, 0, sizeof *h);
    int rc = 0;
    if (parent_hash)
        h->parent_hash = *parent_hash;
    else
        rc = header_hash(parent, &h->parent_hash);
    if (rc) {
        free(extra);
        return rc;
    }
    static const uint8_t empty_list = 0xc0;
    keccak256(&empty_list, 1, h->uncle_hash.b);
    h->coinbase = *coinbase;
    h->number = n;
    h->difficulty = u256_from_u64((uint64_t)diff);
    h->time = tribe_producer_time(p, n, ls, &me, parent->time, now);
    h->gas_limit = parent->gas_limit;
    if (params_is_sip004_block(p, n) && h->gas_limit < params_min_gas_limit(p, n))
        h->gas_limit = params_min_gas_limit(p, n);
    h->extra = extra;
    h->extra_len = vanity + TRIBE_SEAL_LEN;
    return 0;
}

int tribe_seal(struct header *h, const uint8_t node_key[32])
{
    if (h->extra_len < TRIBE_SEAL_LEN)
        return err_set(ERR_INVAL, "tribe_seal: extra of %zu bytes has no room for the seal",
                       h->extra_len);
    struct hash32 sh;
    int rc = header_seal_hash(h, &sh);
    if (rc)
        return rc;
    uint8_t sig[65];
    if (ecdsa_sign(sh.b, node_key, sig))
        return err_set(ERR_CRYPTO, "tribe_seal: signing failed");
    memcpy(h->extra + h->extra_len - TRIBE_SEAL_LEN, sig, TRIBE_SEAL_LEN);
    return 0;
}
