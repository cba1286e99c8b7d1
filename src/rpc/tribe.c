/*
 * tribe.c — the tribe_ namespace (spec §11, Spectrum's consensus/tribe/
 * api.go): the chief's signer status, volunteers and blacklist, the block
 * history, the node's own level, and the node-key operations on the Anmap
 * and POC system contracts (spec §8.3, §9).
 *
 * Reads run on the worker thread with their own evm, as privileged static
 * calls (tribe_engine.h's tribe_call_view) on a read-only state at the
 * block asked for (chainread.h), with that block as the call's context —
 * what Spectrum does with eth_call at a block hash. The chief is the one in
 * force at that block's number (params_chief_for_block), and its getStatus
 * tuple is decoded by version (spec §8.4).
 *
 * Writes (tribe_bind, tribe_unbind, tribe_poc*) build a transaction from the
 * `from` wallet account to the contract, decrypt that account's key with
 * the passphrase for this call only (wallet_key_decrypt: unlike Spectrum,
 * which unlocks the account for 60 s, nothing else can use it), and hand it
 * to the chain service, which picks the nonce and signs on the chain thread
 * as for eth_sendTransaction. The node-key signature the contracts check —
 * over keccak256(from), the raw 20-byte address, no prefix — is made inside
 * the chain service (chainsvc_node_sign_hash); the key never reaches here.
 *
 * JSON follows Spectrum's Go structs: field names as its json tags (the
 * POC status uses the Go field names, having none), numbers as JSON
 * numbers. The exceptions are wei amounts (tribe_getMiner's balance,
 * tribe_pocGetStatus's AmountList): Go prints them as bare JSON numbers
 * that no JSON reader holds exactly, so they are hex quantities here, as
 * eth_getBalance gives them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/chaindb.h"
#include "chainsvc/chainsvc.h"
#include "consensus/tribe_engine.h"
#include "crypto/keccak.h"
#include "evm/evm.h"
#include "primitives/u256.h"
#include "rpc/chainjson.h"
#include "rpc/chainread.h"
#include "rpc/eth_methods.h"
#include "rpc/meshbox.h"
#include "rpc/methods.h"
#include "rpc/params.h"
#include "rpc/sysview.h"
#include "state/state.h"
#include "util/err.h"
#include "util/hex.h"
#include "wallet/wallet.h"

/* Spectrum's levels of the local node (consensus/tribe/types.go). */
#define LEVEL_NONE "None"
#define LEVEL_VOLUNTEER "Volunteer"
#define LEVEL_SIGNER "Signer"
#define LEVEL_SINNER "Sinner"

/* tribe_getHistory: Spectrum's default, and the most blocks one call
 * returns (its historyLimit). */
#define HISTORY_DEFAULT 16
#define HISTORY_MAX 2048
/* Longest passphrase read. */
#define PASSPHRASE_MAX 4096
/* Gas of the transactions the write methods send (geth's bind estimates;
 * these are the largest the contracts need, with margin; unused gas is
 * refunded). */
#define TRIBE_TX_GAS 400000u

/* Selectors (spec §8, §9). */
static const uint8_t SEL_GET_EPOCH[4] = {0x75, 0x79, 0x91, 0xa8};        /* chief getEpoch() */
static const uint8_t SEL_GET_SIGNER_LIMIT[4] = {0xeb, 0x5c, 0x00, 0x11}; /* chief getSignerLimit() */
static const uint8_t SEL_TAKE_LEADER_LIMIT[4] = {0x40, 0xe2, 0xf9, 0x91}; /* base takeLeaderLimit() */
static const uint8_t SEL_POC_GET_ALL[4] = {0x53, 0xed, 0x51, 0x43};      /* POC getAll() */
static const uint8_t SEL_POC_MIN_DEPOSIT[4] = {0x64, 0x50, 0x06, 0xca};  /* POC minDepositAmount() */
static const uint8_t SEL_POC_DEPOSIT[4] = {0xf2, 0xa5, 0x58, 0xf9};      /* deposit(bytes32,bytes32,uint8) */
static const uint8_t SEL_POC_START[4] = {0xdd, 0x0b, 0x28, 0x1e};        /* start(address) */
static const uint8_t SEL_POC_STOP[4] = {0x65, 0x6c, 0xb0, 0xbc};         /* stop(address) */
static const uint8_t SEL_POC_WITHDRAW[4] = {0x51, 0xcf, 0xf8, 0xd9};     /* withdraw(address) */
static const uint8_t SEL_POC_WITHDRAW_SURPLUS[4] = {0x65, 0xe7, 0x3e, 0x32}; /* withdrawSurplus(address) */
static const uint8_t SEL_ANMAP_BIND[4] = {0xf6, 0x5f, 0x2e, 0xec};       /* bind(address,uint8,bytes32,bytes32) */
static const uint8_t SEL_ANMAP_UNBIND[4] = {0x99, 0xab, 0x9f, 0xca};     /* unbindBySig(...) */
static const uint8_t SEL_ANMAP_BIND_INFO[4] = {0x8d, 0x04, 0xcd, 0x30};  /* bindInfo(address) */

/* ---- ABI decoding of view outputs ----------------------------------------------- */

struct abi_out {
    const uint8_t *d;
    size_t len;
};

/* The head word at `index` (false when the output is too short). */
static bool abi_head(const struct abi_out *o, unsigned index, const uint8_t **w)
{
    size_t at = (size_t)index * 32;
    if (at + 32 > o->len)
        return false;
    *w = o->d + at;
    return true;
}


/* The low 64 bits as Go's big.Int.Int64() gives them for a uint256 that
 * fits (and as its truncation otherwise). */
static int64_t word_i64(const uint8_t *w)
{
    uint64_t x = 0;
    for (int i = 24; i < 32; i++)
        x = x << 8 | w[i];
    return (int64_t)x;
}

/* The dynamic array whose offset is head word `index`: *items points at its
 * first element, *n elements of 32 bytes. */
static int abi_array(const struct abi_out *o, unsigned index, const uint8_t **items, size_t *n)
{
    const uint8_t *w;
    uint64_t off, count;
    if (!abi_head(o, index, &w) || !u256_word_u64(w, &off) || off > o->len ||
        o->len - off < 32)
        return err_set(ERR_INVAL, "system read: output of %zu bytes has no array at %u",
                       o->len, index);
    if (!u256_word_u64(o->d + off, &count) || count > TRIBE_MAX_LIST)
        return err_set(ERR_RANGE, "system read: array too long (max %d)", TRIBE_MAX_LIST);
    if ((o->len - off - 32) / 32 < count)
        return err_set(ERR_INVAL, "system read: array of %llu runs past the output",
                       (unsigned long long)count);
    *items = o->d + off + 32;
    *n = (size_t)count;
    return 0;
}

static void word_address(const uint8_t *w, struct address *a)
{
    memcpy(a->b, w + 12, ADDRESS_LEN);
}

/* An address as an ABI word at out (32 bytes). */
static void put_address_word(uint8_t *out, const struct address *a)
{
    memset(out, 0, 12);
    memcpy(out + 12, a->b, ADDRESS_LEN);
}

/* A uint8 as an ABI word at out (32 bytes). */
static void put_uint8_word(uint8_t *out, uint8_t v)
{
    memset(out, 0, 31);
    out[31] = v;
}

/* JSON array of the addresses of an ABI address[] (NULL on OOM). */
static json_t *addresses_json(const uint8_t *items, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n; i++) {
        struct address a;
        word_address(items + 32 * i, &a);
        if (json_array_append_new(arr, rpc_json_address(&a))) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

static bool array_has(const uint8_t *items, size_t n, const struct address *a)
{
    for (size_t i = 0; i < n; i++)
        if (memcmp(items + 32 * i + 12, a->b, ADDRESS_LEN) == 0)
            return true;
    return false;
}

/* ---- system reads at a block (rpc/sysview.h) ----------------------------------- */

/* Calls a view of `to` with `input` at v. Out: o (o->d malloc'd: free it).
 * Returns 0 or -1 (error set: -32000 with the reason). */
static int view_call(struct rpc_ctx *ctx, struct rpc_sysview *v, const struct address *to,
                     const uint8_t *input, size_t len, struct abi_out *o)
{
    uint8_t *out = NULL;
    size_t out_len = 0;
    int rc = tribe_call_view(v->p, v->evm, v->sv.st, &v->h, to, input, len, &out, &out_len);
    if (rc)
        return rpc_fail_db(ctx, rc);
    o->d = out;
    o->len = out_len;
    return 0;
}

/* The first output word of the no-argument view `sel` of `to`. Returns 0,
 * 1 (the output is shorter than a word: nothing is set, no error) or -1
 * (error set). */
static int view_word(struct rpc_ctx *ctx, struct rpc_sysview *v, const struct address *to,
                     const uint8_t sel[4], uint8_t word[32])
{
    struct abi_out o;
    if (view_call(ctx, v, to, sel, 4, &o))
        return -1;
    const uint8_t *w;
    bool ok = abi_head(&o, 0, &w);
    if (ok)
        memcpy(word, w, 32);
    free((void *)o.d);
    return ok ? 0 : 1;
}

/* A no-argument view returning one uint (as uint64; ERR_RANGE above). */
static int view_u64(struct rpc_ctx *ctx, struct rpc_sysview *v, const struct address *to,
                    const uint8_t sel[4], uint64_t *out)
{
    uint8_t w[32];
    int r = view_word(ctx, v, to, sel, w);
    if (r < 0)
        return -1;
    if (r || !u256_word_u64(w, out)) {
        rpc_fail(ctx, RPC_SERVER_ERROR, "system read %02x%02x%02x%02x: not a uint64", sel[0],
                 sel[1], sel[2], sel[3]);
        return -1;
    }
    return 0;
}

/* ---- the chief's status ---------------------------------------------------------- */

/* What Spectrum's getChiefStatus gathers (params.ChiefStatus). */
struct chief_status {
    const struct chief_info *ci;
    struct abi_out raw;             /* getStatus output (owned) */
    const uint8_t *signers, *scores, *black, *volunteers;
    size_t nsigners, nscores, nblack, nvolunteers;
    uint64_t number;
    bool has_limits;                /* 0.0.5 on: epoch, signerLimit */
    uint64_t epoch, signer_limit;
    bool has_leaders;               /* 1.0.0: leaders, leaderLimit */
    struct abi_out leaders_raw;     /* takeLeaderList output (owned) */
    const uint8_t *leaders;
    size_t nleaders;
    uint64_t leader_limit;
};

static void chief_status_free(struct chief_status *cs)
{
    free((void *)cs->raw.d);
    free((void *)cs->leaders_raw.d);
    memset(cs, 0, sizeof *cs);
}

/* getStatus()'s layout by version (spec §8.4): the head index of
 * signerList, blackList (-1: none), scoreList, the final `number`, and the
 * volunteerList (-1: none). */
struct status_layout {
    int signers, black, scores, number, volunteers;
};

static struct status_layout layout_of(enum chief_version ver)
{
    switch (ver) {
    case CHIEF_V0_0_2:
        return (struct status_layout){1, -1, 2, 4, 0};
    case CHIEF_V0_0_5:
        return (struct status_layout){1, 2, 3, 5, 0};
    default: /* 0.0.6, 0.0.7, 1.0.0: (signers, black, scores, numbers, totalVolunteer, number) */
        return (struct status_layout){0, 1, 2, 5, -1};
    }
}

/* Loads the status of the chief in force at v's block. Returns 0 or -1. */
static int chief_status_load(struct rpc_ctx *ctx, struct rpc_sysview *v, struct chief_status *cs)
{
    memset(cs, 0, sizeof *cs);
    cs->ci = params_chief_for_block(v->p, v->h.number);
    if (!cs->ci) {
        rpc_fail(ctx, RPC_SERVER_ERROR, "status_not_found");
        return -1;
    }
    if (view_call(ctx, v, &cs->ci->addr, TRIBE_SEL_GET_STATUS, 4, &cs->raw))
        return -1;
    struct status_layout lay = layout_of(cs->ci->version);
    const uint8_t *w;
    int rc = abi_array(&cs->raw, (unsigned)lay.signers, &cs->signers, &cs->nsigners);
    if (!rc)
        rc = abi_array(&cs->raw, (unsigned)lay.scores, &cs->scores, &cs->nscores);
    if (!rc && lay.black >= 0)
        rc = abi_array(&cs->raw, (unsigned)lay.black, &cs->black, &cs->nblack);
    if (!rc && lay.volunteers >= 0)
        rc = abi_array(&cs->raw, (unsigned)lay.volunteers, &cs->volunteers, &cs->nvolunteers);
    if (!rc && !(abi_head(&cs->raw, (unsigned)lay.number, &w) &&
                 u256_word_u64(w, &cs->number)))
        rc = err_set(ERR_INVAL, "system read: getStatus has no block number");
    if (rc) {
        chief_status_free(cs);
        return rpc_fail_db(ctx, rc);
    }
    if (cs->ci->version != CHIEF_V0_0_2) {
        cs->has_limits = true;
        if (view_u64(ctx, v, &cs->ci->addr, SEL_GET_EPOCH, &cs->epoch) ||
            view_u64(ctx, v, &cs->ci->addr, SEL_GET_SIGNER_LIMIT, &cs->signer_limit)) {
            chief_status_free(cs);
            return -1;
        }
    }
    if (cs->ci->version == CHIEF_V1_0_0) {
        cs->has_leaders = true;
        if (view_call(ctx, v, &v->p->chief_base, TRIBE_SEL_TAKE_LEADER_LIST, 4,
                      &cs->leaders_raw) ||
            view_u64(ctx, v, &v->p->chief_base, SEL_TAKE_LEADER_LIMIT, &cs->leader_limit)) {
            chief_status_free(cs);
            return -1;
        }
        rc = abi_array(&cs->leaders_raw, 0, &cs->leaders, &cs->nleaders);
        if (rc) {
            chief_status_free(cs);
            return rpc_fail_db(ctx, rc);
        }
    }
    return 0;
}

/* The volunteers of the chief at v: getVolunteers() from 0.0.6 on (the
 * next-round list for 1.0.0), getStatus()'s volunteerList before. Out:
 * items/n pointing into *raw (free raw->d), weights (NULL: all zero). */
static int chief_volunteers(struct rpc_ctx *ctx, struct rpc_sysview *v,
                            const struct chief_status *cs,
                            struct abi_out *raw, const uint8_t **items, size_t *n,
                            const uint8_t **weights)
{
    memset(raw, 0, sizeof *raw);
    *weights = NULL;
    if (cs->volunteers) {
        *items = cs->volunteers;
        *n = cs->nvolunteers;
        return 0;
    }
    if (view_call(ctx, v, &cs->ci->addr, TRIBE_SEL_GET_VOLUNTEERS, 4, raw))
        return -1;
    size_t nw = 0;
    int rc = abi_array(raw, 0, items, n);
    if (!rc)
        rc = abi_array(raw, 1, weights, &nw);
    if (!rc && nw != *n)
        rc = err_set(ERR_INVAL, "system read: getVolunteers has %zu weights for %zu "
                     "volunteers", nw, *n);
    if (rc) {
        free((void *)raw->d);
        memset(raw, 0, sizeof *raw);
        return rpc_fail_db(ctx, rc);
    }
    return 0;
}

/* Spectrum's setSignerLevel for the node address: Signer when it holds a
 * slot, Sinner when blacklisted, Signer when a leader, Volunteer when the
 * chief lists it as a volunteer, else None. Returns the level or NULL
 * (error set). */
static const char *node_level(struct rpc_ctx *ctx, struct rpc_sysview *v,
                              const struct chief_status *cs)
{
    struct address me;
    chainsvc_node_address(v->svc, &me);
    if (array_has(cs->signers, cs->nsigners, &me))
        return LEVEL_SIGNER;
    if (cs->black && array_has(cs->black, cs->nblack, &me))
        return LEVEL_SINNER;
    if (cs->has_leaders && array_has(cs->leaders, cs->nleaders, &me))
        return LEVEL_SIGNER;
    struct abi_out raw;
    const uint8_t *items, *weights;
    size_t n;
    if (chief_volunteers(ctx, v, cs, &raw, &items, &n, &weights))
        return NULL;
    bool vol = array_has(items, n, &me);
    free((void *)raw.d);
    return vol ? LEVEL_VOLUNTEER : LEVEL_NONE;
}

/* A JSON array of {address, <key>} objects for the ABI address[] items (n
 * of them) and the ABI uint[] values beside it: value i is item i's (as
 * Go's big.Int.Int64()), 0 past the end of values (nvalues of them). NULL
 * on OOM. */
static json_t *scored_json(const uint8_t *items, size_t n, const char *key,
                           const uint8_t *values, size_t nvalues)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n; i++) {
        struct address a;
        word_address(items + 32 * i, &a);
        int64_t value = i < nvalues ? word_i64(values + 32 * i) : 0;
        json_t *o = json_pack("{s:o,s:I}", "address", rpc_json_address(&a), key,
                              (json_int_t)value);
        if (!o || json_array_append_new(arr, o)) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

static json_t *signers_json(const struct chief_status *cs)
{
    return scored_json(cs->signers, cs->nsigners, "score", cs->scores, cs->nscores);
}

static json_t *oom(struct rpc_ctx *ctx)
{
    return rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
}

/* A uint64 as a JSON number (Go's *big.Int), or null when absent. */
static json_t *opt_number(bool present, uint64_t v)
{
    return present ? json_integer((json_int_t)v) : json_null();
}

/* What the readers of the chief's status work on: the view at the block and
 * the status of the chief in force there. */
struct chief_read {
    struct rpc_sysview v;
    struct chief_status cs;
};

/* Loads the chief's status at r->v, which is open. Returns 0, or -1 (error
 * set) with r->v closed. */
static int chief_read_load(struct rpc_ctx *ctx, struct chief_read *r)
{
    if (chief_status_load(ctx, &r->v, &r->cs) == 0)
        return 0;
    rpc_sysview_close(&r->v);
    return -1;
}

/* Opens the view of block params[idx] (rpc_sysview_open) and loads the chief's
 * status there. Returns 0 (release with chief_read_close), or -1 (error
 * set; nothing to release). */
static int chief_read_open(struct rpc_ctx *ctx, const json_t *params, size_t idx,
                           struct chief_read *r)
{
    if (rpc_sysview_open(ctx, params, idx, &r->v))
        return -1;
    return chief_read_load(ctx, r);
}

/* Releases r and returns out, a reader's result: NULL with an error set is
 * that error, NULL without one is out of memory. */
static json_t *chief_read_close(struct rpc_ctx *ctx, struct chief_read *r, json_t *out)
{
    chief_status_free(&r->cs);
    rpc_sysview_close(&r->v);
    if (!out && !ctx->err.code)
        oom(ctx);
    return out;
}

static json_t *get_status(const json_t *params, struct rpc_ctx *ctx)
{
    struct chief_read r;
    if (rpc_params_count(ctx, params, 0, 1) || chief_read_open(ctx, params, 0, &r))
        return NULL;
    const struct chief_status *cs = &r.cs;
    const char *level = node_level(ctx, &r.v, cs);
    json_t *out = NULL;
    if (level)
        out = json_pack("{s:o,s:o,s:s,s:I,s:o,s:o,s:o,s:s}", "signers", signers_json(cs),
                        "leaders",
                        cs->has_leaders ? addresses_json(cs->leaders, cs->nleaders) : json_null(),
                        "signerLevel", level, "number", (json_int_t)cs->number, "epoch",
                        opt_number(cs->has_limits, cs->epoch), "leaderLimit",
                        opt_number(cs->has_leaders, cs->leader_limit), "signerLimit",
                        opt_number(cs->has_limits, cs->signer_limit), "version",
                        chief_version_name(cs->ci->version));
    /* MeshBox weighting (doc/meshbox.md): the weights the next block is
     * drawn with, or null on a chain without the rule set. */
    json_t *mb = json_null();
    if (out && r.v.p->meshbox_epoch && !address_is_zero(&r.v.p->meshbox_registry))
        mb = rpc_meshbox_weights_json(ctx, r.v.p, r.v.evm, r.v.sv.st, &r.v.h);
    if (out && (!mb || json_object_set_new(out, "meshbox", mb))) {
        json_decref(out);
        out = NULL;
    }
    return chief_read_close(ctx, &r, out);
}

static json_t *get_signers(const json_t *params, struct rpc_ctx *ctx)
{
    struct chief_read r;
    if (rpc_params_count(ctx, params, 0, 1) || chief_read_open(ctx, params, 0, &r))
        return NULL;
    return chief_read_close(ctx, &r, signers_json(&r.cs));
}

static json_t *get_volunteers(const json_t *params, struct rpc_ctx *ctx)
{
    struct chief_read r;
    if (rpc_params_count(ctx, params, 0, 1) || chief_read_open(ctx, params, 0, &r))
        return NULL;
    struct abi_out raw;
    const uint8_t *items, *weights;
    size_t n;
    json_t *out = NULL;
    if (chief_volunteers(ctx, &r.v, &r.cs, &raw, &items, &n, &weights) == 0) {
        json_t *arr = scored_json(items, n, "weight", weights, weights ? n : 0);
        out = arr ? json_pack("{s:I,s:o}", "length", (json_int_t)n, "volunteers", arr) : NULL;
        free((void *)raw.d);
    }
    return chief_read_close(ctx, &r, out);
}

static json_t *get_sinners(const json_t *params, struct rpc_ctx *ctx)
{
    /* Spectrum ignores the argument (a hash, still checked) and answers
     * from the status it loaded last, the head's. */
    struct hash32 unused;
    if (rpc_params_count(ctx, params, 0, 1) ||
        (rpc_param_present(params, 0) && rpc_param_hash(ctx, params, 0, &unused)))
        return NULL;
    struct chief_read r;
    if (chief_read_open(ctx, params, 1, &r)) /* index 1: never present, the head */
        return NULL;
    const struct chief_status *cs = &r.cs;
    return chief_read_close(ctx, &r, addresses_json(cs->black, cs->black ? cs->nblack : 0));
}

/* ---- history and the node ---------------------------------------------------------- */

/* A count argument as Go's *big.Int reads it: a JSON number; a quantity
 * string is accepted too. */
static int param_count(struct rpc_ctx *ctx, const json_t *params, size_t idx, uint64_t *out)
{
    const json_t *v = json_array_get(params, idx);
    if (json_is_integer(v) && json_integer_value(v) >= 0) {
        *out = (uint64_t)json_integer_value(v);
        return 0;
    }
    if (json_is_string(v))
        return rpc_param_quantity(ctx, params, idx, out);
    rpc_fail(ctx, RPC_INVALID_PARAMS, "invalid argument %zu: json: cannot unmarshal %s into "
             "Go value of type *big.Int", idx, json_is_integer(v) ? "negative number" : "value");
    return -1;
}

static json_t *get_history(const json_t *params, struct rpc_ctx *ctx)
{
    uint64_t last = HISTORY_DEFAULT;
    bool no_rpc = false;
    if (rpc_params_count(ctx, params, 0, 2))
        return NULL;
    if (rpc_param_present(params, 0) && param_count(ctx, params, 0, &last))
        return NULL;
    if (rpc_param_present(params, 1) && rpc_param_bool(ctx, params, 1, &no_rpc))
        return NULL;
    struct chainsvc *svc = rpc_chain(ctx);
    if (!svc)
        return NULL;
    if (last > HISTORY_MAX)
        last = HISTORY_MAX;
    struct db *db = chainsvc_db(svc);
    /* The head before the snapshot: every block it names is in the snapshot. */
    uint64_t head = chainsvc_head_number(svc, NULL);
    struct db_snapshot *snap = db_snapshot_new(db);
    if (!snap)
        return oom(ctx);
    json_t *arr = json_array();
    int rc = arr ? 0 : ERR_NOMEM;
    for (uint64_t i = 0; rc == 0 && i < last && i <= head; i++) {
        uint64_t n = head - i;
        struct hash32 hash;
        struct header h;
        rc = chaindb_read_canonical(db, snap, n, &hash);
        if (rc)
            break;
        rc = chaindb_read_header(db, snap, &hash, &h);
        if (rc)
            break;
        json_t *o;
        if (no_rpc) {
            /* Spectrum's console form: {"🔨": "<n> -> <coinbase>"}, 👿 for an
             * out-of-turn block (difficulty 1). */
            char addr[ADDRESS_HEX_SIZE], line[64 + ADDRESS_HEX_SIZE];
            address_to_checksum_hex(&h.coinbase, addr);
            snprintf(line, sizeof line, "%llu -> %s", (unsigned long long)h.number, addr);
            u256 one = u256_from_u64(1);
            o = json_pack("{s:s}", u256_eq(&h.difficulty, &one) ? "\xf0\x9f\x91\xbf"
                                                                : "\xf0\x9f\x94\xa8",
                          line);
        } else {
            uint64_t diff = h.difficulty.w[0];
            o = json_pack("{s:I,s:o,s:o,s:I,s:I}", "number", (json_int_t)h.number, "hash",
                          rpc_json_hash(&hash), "signer", rpc_json_address(&h.coinbase),
                          "difficulty", (json_int_t)diff, "timestamp", (json_int_t)h.time);
        }
        header_free(&h);
        if (!o || json_array_append_new(arr, o))
            rc = ERR_NOMEM;
    }
    db_snapshot_free(db, snap);
    if (rc) {
        json_decref(arr);
        rpc_fail_db(ctx, rc);
        return NULL;
    }
    return arr;
}

static json_t *get_miner(const json_t *params, struct rpc_ctx *ctx)
{
    /* The argument (a block number, still checked) is unused, as in
     * Spectrum. */
    struct rpc_block_ref unused;
    if (rpc_params_count(ctx, params, 0, 1) ||
        (rpc_param_present(params, 0) && rpc_param_block_ref(ctx, params, 0, false, &unused)))
        return NULL;
    struct chief_read r;
    if (rpc_sysview_open(ctx, params, 1, &r.v)) /* the head */
        return NULL;
    /* the balance is read (and checked) before the chief's status */
    struct address me;
    chainsvc_node_address(r.v.svc, &me);
    u256 bal;
    state_get_balance(r.v.sv.st, &me, &bal);
    if (rpc_state_view_check(ctx, &r.v.sv)) {
        rpc_sysview_close(&r.v);
        return NULL;
    }
    if (chief_read_load(ctx, &r))
        return NULL;
    const char *level = node_level(ctx, &r.v, &r.cs);
    json_t *out = NULL;
    if (level)
        out = json_pack("{s:o,s:o,s:s}", "address", rpc_json_address(&me), "balance",
                        rpc_json_u256(&bal), "level", level);
    return chief_read_close(ctx, &r, out);
}

/* ---- node signatures and the Anmap ------------------------------------------------- */

/* The node key's signature over keccak256(from): R ‖ S ‖ V (V 0 or 1). */
static int node_sign_wallet(struct rpc_ctx *ctx, struct chainsvc *svc, const struct address *from,
                            uint8_t sig[65])
{
    uint8_t h[32];
    keccak256(from->b, ADDRESS_LEN, h);
    int rc = chainsvc_node_sign_hash(svc, h, sig);
    if (rc) {
        rpc_fail(ctx, RPC_SERVER_ERROR, "signing with the node key failed");
        return -1;
    }
    return 0;
}

/* A `from` argument as Spectrum's *common.Address: null or absent is
 * -32000 "args_can_not_empty". */
static int param_from(struct rpc_ctx *ctx, const json_t *params, size_t idx, struct address *a)
{
    if (!rpc_param_present(params, idx)) {
        rpc_fail(ctx, RPC_SERVER_ERROR, "args_can_not_empty");
        return -1;
    }
    return rpc_param_address(ctx, params, idx, a);
}

static json_t *bind_sign(const json_t *params, struct rpc_ctx *ctx)
{
    struct address from;
    if (rpc_params_count(ctx, params, 0, 1) || param_from(ctx, params, 0, &from))
        return NULL;
    struct chainsvc *svc = rpc_chain(ctx);
    uint8_t sig[65];
    if (!svc || node_sign_wallet(ctx, svc, &from, sig))
        return NULL;
    char hex[2 * 65 + 1];
    hex_encode(hex, sig, 65);
    json_t *out = json_string(hex);
    return out ? out : oom(ctx);
}

static json_t *bind_info(const json_t *params, struct rpc_ctx *ctx)
{
    if (rpc_params_count(ctx, params, 0, 2))
        return NULL;
    struct chainsvc *svc = rpc_chain(ctx);
    if (!svc)
        return NULL;
    struct address addr;
    if (rpc_param_present(params, 0)) {
        if (rpc_param_address(ctx, params, 0, &addr))
            return NULL;
    } else {
        chainsvc_node_address(svc, &addr);
    }
    /* num: a block number (Go's *big.Int), default the head */
    json_t *at = NULL;
    if (rpc_param_present(params, 1)) {
        uint64_t n;
        if (param_count(ctx, params, 1, &n))
            return NULL;
        at = json_pack("[o]", rpc_json_quantity(n));
        if (!at)
            return oom(ctx);
    }
    struct rpc_sysview v;
    int r = rpc_sysview_open(ctx, at, 0, &v);
    json_decref(at);
    if (r)
        return NULL;
    json_t *out = NULL;
    const struct chain_params *p = v.p;
    if (!params_fork_active(p->anmap_block, v.h.number) || address_is_zero(&p->anmap)) {
        rpc_fail(ctx, RPC_SERVER_ERROR, "anmap_not_ready");
    } else {
        uint8_t in[4 + 32];
        memcpy(in, SEL_ANMAP_BIND_INFO, 4);
        put_address_word(in + 4, &addr);
        struct abi_out o;
        if (view_call(ctx, &v, &p->anmap, in, sizeof in, &o) == 0) {
            const uint8_t *w = NULL, *items = NULL;
            size_t n = 0;
            int rc = abi_head(&o, 0, &w) ? abi_array(&o, 1, &items, &n)
                                          : err_set(ERR_INVAL, "system read: bindInfo output");
            if (rc) {
                rpc_fail_db(ctx, rc);
            } else {
                struct address from;
                word_address(w, &from);
                out = json_pack("{s:o,s:o}", "from", rpc_json_address(&from), "nodeids",
                                addresses_json(items, n));
                if (!out)
                    oom(ctx);
            }
            free((void *)o.d);
        }
    }
    rpc_sysview_close(&v);
    return out;
}

/* ---- sending from a wallet account ----------------------------------------------------- */

static int param_passphrase(struct rpc_ctx *ctx, const json_t *params, size_t idx,
                            const char **pw)
{
    if (!rpc_param_present(params, idx)) {
        rpc_fail(ctx, RPC_INVALID_PARAMS, "missing value for required argument %zu", idx);
        return -1;
    }
    return rpc_param_string(ctx, params, idx, PASSPHRASE_MAX, pw);
}

/* The arguments of the methods that send from a wallet account: `from`
 * (param_from) and its passphrase, both required. Returns 0 or -1. */
static int param_sender(struct rpc_ctx *ctx, const json_t *params, struct address *from,
                        const char **pw)
{
    if (rpc_params_count(ctx, params, 0, 2) || param_from(ctx, params, 0, from) ||
        param_passphrase(ctx, params, 1, pw))
        return -1;
    return 0;
}

static int sign_with_key(void *vk, struct tx *tx, uint64_t chain_id)
{
    return wallet_key_sign_tx(vk, tx, chain_id);
}

/*
 * Sends a transaction from `from` (its key decrypted with pw for this call
 * only) to `to` with `value` and `data`, TRIBE_TX_GAS and the default gas
 * price, through the chain service (which picks the nonce). Returns the tx
 * hash as JSON, or NULL with the error set: -32000 "no key for given
 * address or file", "could not decrypt key with given password", or the
 * pool's reason.
 */
static json_t *send_from(struct rpc_ctx *ctx, struct chainsvc *svc, const struct address *from,
                         const char *pw, const struct address *to, const u256 *value,
                         const uint8_t *data, size_t len)
{
    struct wallet *w = ctx->env->wallet;
    if (!w || !wallet_has(w, from))
        return rpc_fail(ctx, RPC_SERVER_ERROR, "no key for given address or file");
    struct wallet_key *k = NULL;
    int rc = wallet_key_decrypt(w, from, pw, &k);
    if (rc == ERR_NOTFOUND)
        return rpc_fail(ctx, RPC_SERVER_ERROR, "no key for given address or file");
    if (rc == ERR_NOMEM)
        return oom(ctx);
    if (rc)
        return rpc_fail(ctx, RPC_SERVER_ERROR, "%s", err_msg());
    struct tx tx;
    memset(&tx, 0, sizeof tx);
    tx.has_to = true;
    tx.to = *to;
    tx.value = *value;
    tx.gas = TRIBE_TX_GAS;
    tx.gas_price = u256_from_u64(rpc_default_gas_price(ctx));
    tx.data = (uint8_t *)data;      /* borrowed: not freed below */
    tx.data_len = len;
    struct hash32 hash;
    rc = chainsvc_send_tx(svc, &tx, from, false, sign_with_key, k, &hash);
    wallet_key_free(k);
    if (rc == ERR_NOMEM)
        return oom(ctx);
    if (rc)
        return rpc_fail(ctx, RPC_SERVER_ERROR, "%s", err_msg()[0] ? err_msg() : err_name(rc));
    json_t *out = rpc_json_hash(&hash);
    return out ? out : oom(ctx);
}

/* The input of the call sel(node address) at in (4 + 32 bytes). */
static void put_node_call(uint8_t *in, struct chainsvc *svc, const uint8_t sel[4])
{
    struct address node;
    chainsvc_node_address(svc, &node);
    memcpy(in, sel, 4);
    put_address_word(in + 4, &node);
}

/* Anmap bind/unbindBySig(nodePub, v, r, s) from `from`. */
static json_t *anmap_send(struct rpc_ctx *ctx, struct chainsvc *svc, const struct address *from,
                          const char *pw, const uint8_t sel[4])
{
    const struct chain_params *p = chainsvc_params(svc);
    uint64_t head = chainsvc_head_number(svc, NULL);
    if (address_is_zero(&p->anmap) || !params_fork_active(p->anmap_block, head + 1))
        return rpc_fail(ctx, RPC_SERVER_ERROR, "anmap_not_ready");
    uint8_t sig[65];
    if (node_sign_wallet(ctx, svc, from, sig))
        return NULL;
    uint8_t in[4 + 4 * 32];
    put_node_call(in, svc, sel);
    put_uint8_word(in + 36, (uint8_t)(sig[64] + 27));  /* v, as Spectrum's sigSplit */
    memcpy(in + 68, sig, 32);                           /* r */
    memcpy(in + 100, sig + 32, 32);                     /* s */
    u256 zero = u256_from_u64(0);
    return send_from(ctx, svc, from, pw, &p->anmap, &zero, in, sizeof in);
}

static json_t *bind(const json_t *params, struct rpc_ctx *ctx)
{
    struct address from;
    const char *pw;
    if (param_sender(ctx, params, &from, &pw))
        return NULL;
    struct chainsvc *svc = rpc_chain(ctx);
    return svc ? anmap_send(ctx, svc, &from, pw, SEL_ANMAP_BIND) : NULL;
}

static json_t *unbind(const json_t *params, struct rpc_ctx *ctx)
{
    const char *pw;
    if (rpc_params_count(ctx, params, 0, 2) || param_passphrase(ctx, params, 1, &pw))
        return NULL;
    struct chainsvc *svc = rpc_chain(ctx);
    if (!svc)
        return NULL;
    struct address from;
    if (rpc_param_present(params, 0)) {
        if (rpc_param_address(ctx, params, 0, &from))
            return NULL;
    } else {
        /* Spectrum: the wallet the node is bound to (bindInfo of the node) */
        json_t *none = json_array();
        json_t *info = none ? bind_info(none, ctx) : oom(ctx);
        json_decref(none);
        if (!info)
            return NULL;
        int r = rpc_json_to_address(ctx, json_object_get(info, "from"), 0, "from", &from);
        json_decref(info);
        if (r)
            return NULL;
    }
    return anmap_send(ctx, svc, &from, pw, SEL_ANMAP_UNBIND);
}

/* ---- POC --------------------------------------------------------------------------------- */

json_t *rpc_tribe_poc_deposit(const json_t *params, struct rpc_ctx *ctx)
{
    struct address from;
    const char *pw;
    if (param_sender(ctx, params, &from, &pw))
        return NULL;
    struct rpc_sysview v;
    if (rpc_sysview_open(ctx, NULL, 0, &v))     /* the head */
        return NULL;
    /* value = minDepositAmount() at the head, as Spectrum's PocDeposit */
    uint8_t w[32];
    int r = view_word(ctx, &v, &v.p->poc, SEL_POC_MIN_DEPOSIT, w);
    struct chainsvc *svc = v.svc;
    rpc_sysview_close(&v);
    if (r > 0)
        rpc_fail(ctx, RPC_SERVER_ERROR, "system read: minDepositAmount output");
    if (r)
        return NULL;
    u256 min;
    u256_from_be(&min, w, 32);
    uint8_t sig[65];
    if (node_sign_wallet(ctx, svc, &from, sig))
        return NULL;
    uint8_t in[4 + 3 * 32];
    memcpy(in, SEL_POC_DEPOSIT, 4);
    memcpy(in + 4, sig, 32);                            /* r */
    memcpy(in + 36, sig + 32, 32);                      /* s */
    put_uint8_word(in + 68, (uint8_t)(sig[64] + 27));   /* v */
    return send_from(ctx, svc, &from, pw, &chainsvc_params(svc)->poc, &min, in, sizeof in);
}

/* POC start/stop/withdraw/withdrawSurplus(miner = the node address). */
static json_t *poc_call(const json_t *params, struct rpc_ctx *ctx, const uint8_t sel[4])
{
    struct address from;
    const char *pw;
    if (param_sender(ctx, params, &from, &pw))
        return NULL;
    struct chainsvc *svc = rpc_chain(ctx);
    if (!svc)
        return NULL;
    uint8_t in[4 + 32];
    put_node_call(in, svc, sel);
    u256 zero = u256_from_u64(0);
    return send_from(ctx, svc, &from, pw, &chainsvc_params(svc)->poc, &zero, in, sizeof in);
}

static json_t *poc_start(const json_t *params, struct rpc_ctx *ctx)
{
    return poc_call(params, ctx, SEL_POC_START);
}

static json_t *poc_stop(const json_t *params, struct rpc_ctx *ctx)
{
    return poc_call(params, ctx, SEL_POC_STOP);
}

static json_t *poc_withdraw(const json_t *params, struct rpc_ctx *ctx)
{
    return poc_call(params, ctx, SEL_POC_WITHDRAW);
}

static json_t *poc_withdraw_surplus(const json_t *params, struct rpc_ctx *ctx)
{
    return poc_call(params, ctx, SEL_POC_WITHDRAW_SURPLUS);
}

/* A JSON array of the uint[] at head `index`: hex quantities (wei) or
 * numbers. */
static json_t *uints_json(const uint8_t *items, size_t n, bool wei)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n; i++) {
        json_t *e;
        if (wei) {
            u256 x;
            u256_from_be(&x, items + 32 * i, 32);
            e = rpc_json_u256(&x);
        } else {
            e = json_integer((json_int_t)word_i64(items + 32 * i));
        }
        if (json_array_append_new(arr, e)) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

static json_t *poc_get_status(const json_t *params, struct rpc_ctx *ctx)
{
    struct rpc_sysview v;
    if (rpc_params_count(ctx, params, 0, 1) || rpc_sysview_open(ctx, params, 0, &v))
        return NULL;
    struct abi_out o;
    json_t *out = NULL;
    if (view_call(ctx, &v, &v.p->poc, SEL_POC_GET_ALL, 4, &o) == 0) {
        const uint8_t *it[5];
        size_t n[5];
        int rc = 0;
        for (unsigned i = 0; rc == 0 && i < 5; i++)
            rc = abi_array(&o, i, &it[i], &n[i]);
        if (rc) {
            rpc_fail_db(ctx, rc);
        } else {
            out = json_pack("{s:o,s:o,s:o,s:o,s:o}", "MinerList", addresses_json(it[0], n[0]),
                            "AmountList", uints_json(it[1], n[1], true), "BlockList",
                            uints_json(it[2], n[2], false), "OwnerList",
                            addresses_json(it[3], n[3]), "BlackStatusList",
                            uints_json(it[4], n[4], false));
            if (!out)
                oom(ctx);
        }
        free((void *)o.d);
    }
    rpc_sysview_close(&v);
    return out;
}

/* ---- the table ------------------------------------------------------------------------------ */

static const struct rpc_param_doc hash_params[] = {
    {"hash", "hash|quantity|tag", true,
     "the block (Spectrum takes a block hash; a number or tag works too); default the head"},
};

static const struct rpc_param_doc sinners_params[] = {
    {"hash", "hash", true, "ignored, as in Spectrum: the head's blacklist is returned"},
};

static const struct rpc_param_doc history_params[] = {
    {"last", "number", true, "how many blocks back from the head (default 16, at most 2048)"},
    {"noRpc", "bool", true, "true: Spectrum's console lines {\"🔨\"|\"👿\": \"<n> -> <coinbase>\"}"},
};

static const struct rpc_param_doc miner_params[] = {
    {"number", "quantity", true, "ignored, as in Spectrum"},
};

static const struct rpc_param_doc from_params[] = {
    {"from", "address", false, "the wallet address (null: -32000 \"args_can_not_empty\")"},
};

static const struct rpc_param_doc send_params[] = {
    {"from", "address", false, "a wallet account (null: -32000 \"args_can_not_empty\")"},
    {"passphrase", "string", false, "its keystore passphrase (used for this call only)"},
};

static const struct rpc_param_doc unbind_params[] = {
    {"from", "address", true, "the wallet account; null: the wallet the node is bound to"},
    {"passphrase", "string", false, "its keystore passphrase (used for this call only)"},
};

static const struct rpc_param_doc bind_info_params[] = {
    {"addr", "address", true, "a node or wallet address; default the node address"},
    {"num", "number", true, "the block to read at; default the head"},
};

#define SEND_RESULT "\"0x...\" (tx hash). Errors: -32000 \"no key for given address or file\", " \
                    "\"could not decrypt key with given password\", the pool's reason"

static const struct rpc_method tribe_methods[] = {
    {.name = "tribe_getStatus", .fn = get_status, .flags = 0,
     .summary = "The chief's status at a block: its signers with scores, the leaders (chief "
                "1.0.0), the local node's level, the chief's block number, epoch, leaderLimit, "
                "signerLimit and version.",
     .params = hash_params, .nparams = RPC_COUNT(hash_params),
     .result = "{signers: [{address, score}], leaders: [address] | null, signerLevel: \"None\" | "
               "\"Volunteer\" | \"Signer\" | \"Sinner\", number, epoch, leaderLimit, signerLimit "
               "(numbers, null when the chief has none), version: \"1.0.0\"..., meshbox: the "
               "MeshBox weights of the next block as meshbox_getWeights, or null without "
               "MeshBox weighting}; -32000 \"block not exist\""},
    {.name = "tribe_getSigners", .fn = get_signers, .flags = 0,
     .summary = "The chief's signer list at a block (the slots of the current round; the zero "
                "address marks an empty slot).",
     .params = hash_params, .nparams = RPC_COUNT(hash_params),
     .result = "[{address, score}]; -32000 \"block not exist\""},
    {.name = "tribe_getVolunteers", .fn = get_volunteers, .flags = 0,
     .summary = "The chief's volunteers at a block: for chief 1.0.0 the next round's list.",
     .params = hash_params, .nparams = RPC_COUNT(hash_params),
     .result = "{length: number, volunteers: [{address, weight}]}; -32000 \"block not exist\""},
    {.name = "tribe_getSinners", .fn = get_sinners, .flags = 0,
     .summary = "The blacklist (POC's, through the chief) at the head.",
     .params = sinners_params, .nparams = RPC_COUNT(sinners_params), .result = "[address]"},
    {.name = "tribe_getHistory", .fn = get_history, .flags = 0,
     .summary = "The last blocks of the canonical chain, newest first, with their signer "
                "(the coinbase).",
     .params = history_params, .nparams = RPC_COUNT(history_params),
     .result = "[{number, hash, signer, difficulty, timestamp}] (numbers as JSON numbers), or "
               "with noRpc [{\"🔨\" or \"👿\" (difficulty 1): \"<n> -> <coinbase>\"}]"},
    {.name = "tribe_getMiner", .fn = get_miner, .flags = 0,
     .summary = "The local node: its address, its balance at the head and its level.",
     .params = miner_params, .nparams = RPC_COUNT(miner_params),
     .result = "{address, balance: quantity (wei), level: \"None\" | \"Volunteer\" | \"Signer\" "
               "| \"Sinner\"}"},
    {.name = "tribe_bindSign", .fn = bind_sign, .flags = 0,
     .summary = "Signs keccak256(from) (the raw 20 bytes, no prefix) with the node key: the "
                "signature Anmap.bind and POC.deposit check.",
     .params = from_params, .nparams = RPC_COUNT(from_params),
     .result = "hex without 0x of the 65 bytes R || S || V (V 0 or 1)"},
    {.name = "tribe_bind", .fn = bind, .flags = 0,
     .summary = "Sends Anmap.bind(node address, node-key signature over keccak256(from)) from "
                "the wallet account `from`, binding the node to it (its blocks then pay that "
                "wallet).",
     .params = send_params, .nparams = RPC_COUNT(send_params), .result = SEND_RESULT},
    {.name = "tribe_unbind", .fn = unbind, .flags = 0,
     .summary = "Sends Anmap.unbindBySig(node address, node-key signature) from the wallet the "
                "node is bound to.",
     .params = unbind_params, .nparams = RPC_COUNT(unbind_params), .result = SEND_RESULT},
    {.name = "tribe_bindInfo", .fn = bind_info, .flags = 0,
     .summary = "Anmap.bindInfo: the wallet a node (or a wallet itself) is bound to and that "
                "wallet's nodes.",
     .params = bind_info_params, .nparams = RPC_COUNT(bind_info_params),
     .result = "{from: address (zero when unbound), nodeids: [address]}; -32000 "
               "\"anmap_not_ready\" before the Anmap exists"},
    {.name = "tribe_pocDeposit", .fn = rpc_tribe_poc_deposit, .flags = 0,
     .summary = "Stakes the node: sends POC.deposit(r, s, v) from `from` with value = "
                "minDepositAmount() at the head, (r, s, v) the node key's signature over "
                "keccak256(from). The node then becomes a volunteer candidate.",
     .params = send_params, .nparams = RPC_COUNT(send_params), .result = SEND_RESULT},
    {.name = "tribe_pocStart", .fn = poc_start, .flags = 0,
     .summary = "Sends POC.start(node address) from the stake's owner `from` (back to the "
                "candidate list after a stop).",
     .params = send_params, .nparams = RPC_COUNT(send_params), .result = SEND_RESULT},
    {.name = "tribe_pocStop", .fn = poc_stop, .flags = 0,
     .summary = "Sends POC.stop(node address) from the stake's owner `from`.",
     .params = send_params, .nparams = RPC_COUNT(send_params), .result = SEND_RESULT},
    {.name = "tribe_pocWithdraw", .fn = poc_withdraw, .flags = 0,
     .summary = "Sends POC.withdraw(node address) from the stake's owner `from` (after the "
                "stop's waiting period).",
     .params = send_params, .nparams = RPC_COUNT(send_params), .result = SEND_RESULT},
    {.name = "tribe_pocWithdrawSurplus", .fn = poc_withdraw_surplus, .flags = 0,
     .summary = "Sends POC.withdrawSurplus(node address) from the stake's owner `from` (what "
                "the stake holds above the current minimum).",
     .params = send_params, .nparams = RPC_COUNT(send_params), .result = SEND_RESULT},
    {.name = "tribe_pocGetStatus", .fn = poc_get_status, .flags = 0,
     .summary = "POC.getAll() at a block: every staked miner (running first, then stopped) with "
                "its amount, stop block, owner and black/lock bits (1 blacklisted, 2 locked).",
     .params = hash_params, .nparams = RPC_COUNT(hash_params),
     .result = "{MinerList: [address], AmountList: [quantity (wei)], BlockList: [number], "
               "OwnerList: [address], BlackStatusList: [number]}; -32000 \"block not exist\""},
};

const struct rpc_namespace rpc_ns_tribe = {"tribe", tribe_methods, RPC_COUNT(tribe_methods),
                                           false};
