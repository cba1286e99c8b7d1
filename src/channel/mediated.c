/*
 * mediated.c — the pure rules of mediated transfers (mediated.h): the
 * route table and the route choice, and each role's decisions on numbers.
 *
 * The route search is a breadth-first search per candidate first hop over
 * the edge table, scanning the whole table for the neighbours of each node:
 * O(nodes × edges) with at most CH_MED_EDGES_MAX edges, which is nothing next
 * to the signature every route ends in, and needs no adjacency index to keep
 * in sync with the table.
 */
#include "channel/mediated.h"

#include <stdlib.h>
#include <string.h>

#include "channel/channel.h"
#include "util/err.h"

/* ---- the route table ------------------------------------------------------ */

void ch_med_graph_init(struct ch_med_graph *g)
{
    memset(g, 0, sizeof *g);
}

void ch_med_graph_free(struct ch_med_graph *g)
{
    free(g->e);
    memset(g, 0, sizeof *g);
}

int ch_med_graph_add(struct ch_med_graph *g, const struct ch_med_edge *e)
{
    if (memcmp(e->from, e->to, 20) == 0)
        return err_set(ERR_INVAL, "mediated: an edge from a node to itself");
    for (size_t i = 0; i < g->n; i++) {
        struct ch_med_edge *x = &g->e[i];
        if (memcmp(x->token, e->token, 20) == 0 && memcmp(x->from, e->from, 20) == 0 &&
            memcmp(x->to, e->to, 20) == 0) {
            x->fee = e->fee;
            return 0;
        }
    }
    if (g->n >= CH_MED_EDGES_MAX)
        return err_set(ERR_RANGE, "mediated: the route table holds %d edges", CH_MED_EDGES_MAX);
    if (g->n == g->cap) {
        size_t nc = g->cap ? g->cap * 2 : 16;
        struct ch_med_edge *p = realloc(g->e, nc * sizeof *p);
        if (!p)
            return err_set(ERR_NOMEM, "mediated: out of memory");
        g->e = p;
        g->cap = nc;
    }
    g->e[g->n++] = *e;
    return 0;
}

static const struct ch_med_edge *find_edge(const struct ch_med_graph *g, const uint8_t token[20],
                                           const uint8_t from[20], const uint8_t to[20])
{
    for (size_t i = 0; g && i < g->n; i++) {
        const struct ch_med_edge *x = &g->e[i];
        if (memcmp(x->token, token, 20) == 0 && memcmp(x->from, from, 20) == 0 &&
            memcmp(x->to, to, 20) == 0)
            return x;
    }
    return NULL;
}

/* Breadth-first search from `start` to `target` over the token's edges, never
 * through `self`. nodes/prev are scratch arrays of cap entries. Returns the
 * number of hops of the path written to path[0..n) (path[0] = start), or 0
 * when the target is out of reach within CH_PATH_MAX hops. */
static size_t shortest(const struct ch_med_graph *g, const uint8_t token[20],
                       const uint8_t self[20], const uint8_t start[20], const uint8_t target[20],
                       uint8_t (*nodes)[20], size_t *prev, size_t *depth, size_t cap,
                       uint8_t path[CH_PATH_MAX][20])
{
    if (memcmp(start, target, 20) == 0) {
        memcpy(path[0], start, 20);
        return 1;
    }
    size_t n = 0, head = 0, found = SIZE_MAX;
    memcpy(nodes[n], start, 20);
    prev[n] = SIZE_MAX;
    depth[n] = 1;
    n++;
    while (head < n && found == SIZE_MAX) {
        size_t cur = head++;
        if (depth[cur] >= CH_PATH_MAX)
            continue;
        for (size_t i = 0; g && i < g->n && found == SIZE_MAX; i++) {
            const struct ch_med_edge *x = &g->e[i];
            if (memcmp(x->token, token, 20) != 0 || memcmp(x->from, nodes[cur], 20) != 0 ||
                memcmp(x->to, self, 20) == 0)
                continue;
            bool seen = false;
            for (size_t k = 0; k < n && !seen; k++)
                seen = memcmp(nodes[k], x->to, 20) == 0;
            if (seen || n >= cap)
                continue;
            memcpy(nodes[n], x->to, 20);
            prev[n] = cur;
            depth[n] = depth[cur] + 1;
            if (memcmp(x->to, target, 20) == 0)
                found = n;
            n++;
        }
    }
    if (found == SIZE_MAX)
        return 0;
    size_t hops = depth[found];
    for (size_t k = found, i = hops; k != SIZE_MAX; k = prev[k])
        memcpy(path[--i], nodes[k], 20);
    return hops;
}

/* Sum of the mediators' fees on path[0..n) for amount. */
static int path_fee(const struct ch_med_graph *g, const uint8_t token[20],
                    uint8_t path[CH_PATH_MAX][20], size_t n, const u256 *amount, u256 *fee)
{
    static const struct ch_fee_setting deflt = {.fee_percent = CH_FEE_DEFAULT_PERCENT};
    *fee = u256_from_u64(0);
    for (size_t i = 0; i + 1 < n; i++) {
        const struct ch_med_edge *e = find_edge(g, token, path[i], path[i + 1]);
        u256 f;
        int rc = ch_fee_compute(e ? &e->fee : &deflt, amount, &f);
        if (rc)
            return rc;
        if (u256_add_overflow(fee, fee, &f))
            return err_set(ERR_RANGE, "mediated: route fee overflows");
    }
    return 0;
}

static bool was_tried(const uint8_t (*tried)[20], size_t n, const uint8_t a[20])
{
    for (size_t i = 0; i < n; i++)
        if (memcmp(tried[i], a, 20) == 0)
            return true;
    return false;
}

int ch_med_route_choose(const struct ch_med_graph *g, const uint8_t token[20],
                        const uint8_t self[20], const uint8_t target[20], const u256 *amount,
                        const u256 *fee_max, const struct ch_med_first *firsts, size_t n_firsts,
                        const uint8_t (*tried)[20], size_t n_tried, struct ch_med_route *out)
{
    if (u256_iszero(amount))
        return err_set(ERR_INVAL, "mediated: payment of amount 0");
    if (memcmp(self, target, 20) == 0)
        return err_set(ERR_INVAL, "mediated: payment to ourselves");
    size_t cap = 2 * (g ? g->n : 0) + 2;
    uint8_t(*nodes)[20] = malloc(cap * sizeof *nodes);
    size_t *prev = malloc(cap * sizeof *prev);
    size_t *depth = malloc(cap * sizeof *depth);
    if (!nodes || !prev || !depth) {
        free(nodes);
        free(prev);
        free(depth);
        return err_set(ERR_NOMEM, "mediated: out of memory");
    }
    bool have = false, any_path = false, over_fee = false;
    struct ch_med_route cand;
    int rc = 0;
    for (size_t i = 0; i < n_firsts && rc == 0; i++) {
        const struct ch_med_first *f = &firsts[i];
        if (was_tried(tried, n_tried, f->partner) || memcmp(f->partner, self, 20) == 0)
            continue;
        memset(&cand, 0, sizeof cand);
        cand.first = i;
        cand.n = shortest(g, token, self, f->partner, target, nodes, prev, depth, cap, cand.path);
        if (cand.n == 0)
            continue;
        any_path = true;
        rc = path_fee(g, token, cand.path, cand.n, amount, &cand.fee);
        if (rc == 0)
            rc = ch_fee_lock_amount(amount, &cand.fee, &cand.lock_amount);
        if (rc)
            break;
        if (u256_gt(&cand.fee, fee_max)) {
            over_fee = true;
            continue;
        }
        if (u256_gt(&cand.lock_amount, &f->distributable))
            continue;
        bool better = !have || cand.n < out->n ||
                      (cand.n == out->n && u256_lt(&cand.fee, &out->fee)) ||
                      (cand.n == out->n && u256_eq(&cand.fee, &out->fee) &&
                       u256_gt(&f->distributable, &firsts[out->first].distributable));
        if (better) {
            *out = cand;
            have = true;
        }
    }
    free(nodes);
    free(prev);
    free(depth);
    if (rc)
        return rc;
    if (have)
        return 0;
    if (!any_path)
        return err_set(ERR_NOTFOUND, "mediated: no route to the target (%s)",
                       ch_med_code_name(CH_MED_E_NO_ROUTE));
    if (over_fee)
        return err_set(ERR_RANGE, "mediated: every route's fee is above fee_max");
    return err_set(ERR_RANGE, "mediated: insufficient balance on every first hop");
}

/* ---- the roles' decisions ---------------------------------------------------- */

int ch_med_initiator_expiration(uint64_t now, uint64_t settle_timeout, uint64_t reveal_timeout,
                                uint64_t cap, uint64_t *expiration)
{
    if (settle_timeout <= reveal_timeout || now > (uint64_t)CH_BLOCK_MAX - settle_timeout)
        return err_set(ERR_INVAL, "mediated: timeouts or block number out of range");
    uint64_t e = now + settle_timeout - reveal_timeout;
    if (cap && cap < e)
        e = cap;
    if (e <= now + reveal_timeout)
        return err_set(ERR_INVAL,
                       "mediated: lock expiration %llu leaves no reveal time after block %llu "
                       "(reveal timeout %llu)",
                       (unsigned long long)e, (unsigned long long)now,
                       (unsigned long long)reveal_timeout);
    *expiration = e;
    return 0;
}

int ch_med_next_hop(const struct ch_mediated_transfer *mt, const uint8_t self[20],
                    bool (*is_partner)(void *ctx, const uint8_t addr[20]), void *ctx,
                    uint8_t next[20], bool *next_is_target)
{
    size_t n = mt->path_len > CH_PATH_MAX ? CH_PATH_MAX : mt->path_len;
    if (n == 0) {
        if (is_partner && is_partner(ctx, mt->target)) {
            memcpy(next, mt->target, 20);
            *next_is_target = true;
            return 0;
        }
        return err_set(ERR_NOTFOUND, "mediated: empty path and the target is no partner");
    }
    for (size_t i = 0; i < n; i++) {
        if (memcmp(mt->path[i], self, 20) != 0)
            continue;
        if (i + 1 >= n)
            return err_set(ERR_NOTFOUND, "mediated: we are the path's last hop, not the target");
        memcpy(next, mt->path[i + 1], 20);
        *next_is_target = memcmp(next, mt->target, 20) == 0;
        return 0;
    }
    return err_set(ERR_NOTFOUND, "mediated: we are not on the transfer's path");
}

static int refuse(int *code, int c, int rc, const char *what)
{
    if (code)
        *code = c;
    return err_set(rc, "mediated: %s (%s)", what, ch_med_code_name(c));
}

int ch_med_forward(const struct ch_med_forward_in *in, struct ch_lock *payee_lock,
                   u256 *payee_fee, u256 *kept, int *code)
{
    if (code)
        *code = 0;
    if (in->payer_locks > in->payer_reveal_timeout)
        return refuse(code, CH_MED_E_TOO_MANY_LOCKS, ERR_RANGE,
                      "the payer holds more locks than its reveal timeout");
    uint64_t pexp = in->payer_lock.expiration;
    if (pexp <= in->now || pexp - in->now <= in->payer_reveal_timeout)
        return refuse(code, CH_MED_E_EXPIRATION, ERR_RANGE, "the payer lock expires too soon");
    uint64_t e = pexp - in->payer_reveal_timeout;
    if (in->payee_settle_timeout < e - in->now)
        e = in->now + in->payee_settle_timeout;
    if (e <= in->now || e - in->now <= in->payee_reveal_timeout)
        return refuse(code, CH_MED_E_EXPIRATION, ERR_RANGE,
                      "the payee lock would expire within the payee's reveal timeout");
    u256 amt, fee, keep;
    int rc = ch_fee_mediate(&in->fee, &in->payer_lock.amount, &in->payer_fee, in->next_is_target,
                            &amt, &fee, &keep);
    if (rc) {
        if (code)
            *code = CH_MED_E_FEE;
        return err_wrap(rc, "mediated: %s", ch_med_code_name(CH_MED_E_FEE));
    }
    if (u256_iszero(&amt))
        return refuse(code, CH_MED_E_FEE, ERR_INVAL, "nothing left to forward");
    payee_lock->expiration = e;
    payee_lock->amount = amt;
    memcpy(payee_lock->secret_hash, in->payer_lock.secret_hash, 32);
    *payee_fee = fee;
    if (kept)
        *kept = keep;
    return 0;
}

bool ch_med_target_may_request(uint64_t expiration, uint64_t reveal_timeout, uint64_t now)
{
    return now < expiration && expiration - now > reveal_timeout;
}

int ch_med_check_secret_request(const uint8_t target[20], const u256 *target_amount,
                                uint64_t expiration, const uint8_t signer[20],
                                const u256 *amount, uint64_t now)
{
    if (memcmp(signer, target, 20) != 0)
        return err_set(ERR_CRYPTO, "mediated: SecretRequest not signed by the target");
    if (!u256_eq(amount, target_amount))
        return err_set(ERR_INVAL, "mediated: SecretRequest for another amount");
    if (now >= expiration)
        return err_set(ERR_BADSTATE, "mediated: SecretRequest after the lock expired");
    return 0;
}

bool ch_med_may_unlock_payee(uint64_t now, uint64_t payee_expiration, uint64_t payer_expiration,
                             uint64_t payer_reveal_timeout)
{
    return now < payee_expiration && now < payer_expiration &&
           payer_expiration - now > payer_reveal_timeout;
}

/* ---- names ------------------------------------------------------------------------ */

const char *ch_med_role_name(int role)
{
    switch (role) {
    case CH_MED_INITIATOR: return "initiator";
    case CH_MED_MEDIATOR: return "mediator";
    case CH_MED_TARGET: return "target";
    default: return "unknown";
    }
}

const char *ch_med_stage_name(int stage)
{
    switch (stage) {
    case CH_MED_LOCKED: return "locked";
    case CH_MED_REVEALED: return "revealed";
    case CH_MED_SECRET_KNOWN: return "secret known";
    case CH_MED_DISPOSED: return "disposed";
    default: return "unknown";
    }
}

const char *ch_med_code_name(int code)
{
    switch (code) {
    case CH_MED_E_NO_ROUTE: return "no route";
    case CH_MED_E_FEE: return "insufficient fee";
    case CH_MED_E_EXPIRATION: return "lock expires too soon";
    case CH_MED_E_TOO_MANY_LOCKS: return "too many locks from the payer";
    case CH_MED_E_CAPACITY: return "insufficient balance to forward";
    case CH_MED_E_HASH_IN_USE: return "secret hash already under way";
    case CH_MED_E_MESH: return "mesh mode: direct transfers only";
    default: return "unknown";
    }
}
