/*
 * hub_ops.c — user operations of the hub that are neither payments nor
 * chain actions (hub.h "user operations"; photon.md §4.2, §4.3, §5): the
 * stored fee policy read back, the mesh switch, and the third-party
 * delegation bundle a monitoring service needs to defend our side of a
 * channel while we are offline.
 *
 * Each is a ch_hub_run command: it reads the hub's state on the hub thread
 * and copies out what the caller needs, so the caller never sees memory the
 * hub may change. The delegation bundle is built from the channel's ends
 * (the partner's newest proof, the partner's locks whose secrets we know)
 * and the store's disposed records (the partner's DisposedProofs for our
 * locks: the store is read, since they are not kept in memory; asking for a
 * bundle is rare). Signing with the hub key happens on the hub thread too,
 * so the key never leaves the hub.
 *
 * Why a file of its own: these operations share nothing with the
 * transfer paths of hub_direct.c and hub_mediated.c beyond the hub's state;
 * the ones that act on mediated transfers under way (cancel, held secrets,
 * a secret learned out of band) live in hub_mediated.c with the roles.
 */
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "channel/hub_internal.h"
#include "util/err.h"

/* ---- the fee policy ------------------------------------------------------------- */

static int cmd_get_fees(struct ch_hub *h, void *arg)
{
    struct ch_fee_policy *out = arg;
    out->account = h->fees.account;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < h->fees.n_tokens; i++)
        rc = ch_fee_policy_set_token(out, h->fees.tokens[i].token, &h->fees.tokens[i].fee);
    for (size_t i = 0; rc == 0 && i < h->fees.n_channels; i++)
        rc = ch_fee_policy_set_channel(out, h->fees.channels[i].channel_id,
                                       &h->fees.channels[i].fee);
    return rc;
}

int ch_hub_get_fee_policy(struct ch_hub *h, struct ch_fee_policy *out)
{
    ch_fee_policy_init(out);
    return ch_hub_run(h, cmd_get_fees, out);
}

/* ---- mesh mode ------------------------------------------------------------------- */

struct mesh_args {
    bool set;
    bool mesh;
};

static int cmd_mesh(struct ch_hub *h, void *arg)
{
    struct mesh_args *a = arg;
    if (a->set)
        h->graph.mesh = a->mesh;
    a->mesh = h->graph.mesh;
    return 0;
}

int ch_hub_set_mesh(struct ch_hub *h, bool mesh)
{
    struct mesh_args a = {.set = true, .mesh = mesh};
    return ch_hub_run(h, cmd_mesh, &a);
}

int ch_hub_get_mesh(struct ch_hub *h, bool *mesh)
{
    struct mesh_args a = {.set = false};
    int rc = ch_hub_run(h, cmd_mesh, &a);
    *mesh = rc == 0 && a.mesh;
    return rc;
}

/* ---- the delegation bundle (photon.md §4.3) -------------------------------------- */

struct third_args {
    const uint8_t *channel_id;
    const uint8_t *delegatee;
    struct ch_hub_delegation *out;
};

/* The partner's locks whose secret we know and that we may still claim
 * (not disposed by us: claiming one would get us punished; not unlocked on
 * chain already), each with its proof and our UnlockDelegate signature. */
static int bundle_unlocks(struct ch_hub *h, const struct ch_channel *ch,
                          struct ch_hub_delegation *d)
{
    const struct ch_end *e = &ch->end[CH_PARTNER];
    if (e->locks.n == 0)
        return 0;
    d->unlocks = calloc(e->locks.n, sizeof *d->unlocks);
    if (!d->unlocks)
        return err_set(ERR_NOMEM, "channel hub: out of memory");
    for (size_t k = 0; k < e->locks.n; k++) {
        const struct ch_lock_info *in = &e->info[k];
        if (!in->secret_known || in->disposed || in->unlocked_onchain)
            continue;
        struct ch_hub_delegate_unlock *u = &d->unlocks[d->n_unlocks];
        u->lock = e->locks.locks[k];
        memcpy(u->secret, in->secret, 32);
        int rc = ch_locks_proof(&e->locks, k, u->proof, sizeof u->proof, &u->proof_len);
        if (rc)
            return rc;
        uint8_t digest[32];
        ch_sig_unlock_delegate_digest(d->delegatee, &u->lock, ch->channel_id, ch->open_block,
                                      &h->cfg.chain_id, digest);
        if ((rc = ch_sign(digest, h->cfg.key, u->sig)) != 0)
            return rc;
        d->n_unlocks++;
    }
    return 0;
}

/* The partner's DisposedProofs of our locks on this channel life. */
static int bundle_punishes(struct ch_hub *h, const struct ch_channel *ch,
                           struct ch_hub_delegation *d)
{
    struct ch_store_state s;
    memset(&s, 0, sizeof s);
    int rc = ch_store_load(h->st, &s);
    if (rc) {
        ch_store_state_free(&s);
        return rc;
    }
    size_t n = 0;
    for (size_t i = 0; i < s.n_disposed; i++)
        n += s.disposed[i].by_partner &&
             memcmp(s.disposed[i].channel_id, ch->channel_id, 32) == 0 &&
             s.disposed[i].open_block == ch->open_block;
    if (n && !(d->punishes = calloc(n, sizeof *d->punishes)))
        rc = err_set(ERR_NOMEM, "channel hub: out of memory");
    for (size_t i = 0; rc == 0 && i < s.n_disposed; i++) {
        const struct ch_store_disposed *r = &s.disposed[i];
        if (!r->by_partner || memcmp(r->channel_id, ch->channel_id, 32) != 0 ||
            r->open_block != ch->open_block)
            continue;
        struct ch_hub_delegate_punish *p = &d->punishes[d->n_punishes++];
        ch_lock_hash(&r->lock, p->lockhash);
        memcpy(p->additional_hash, r->additional_hash, 32);
        memcpy(p->sig, r->sig, CH_SIG_LEN);
    }
    ch_store_state_free(&s);
    return rc;
}

static int cmd_third_party(struct ch_hub *h, void *arg)
{
    struct third_args *a = arg;
    struct ch_hub_delegation *d = a->out;
    const struct ch_channel *ch = hub_find_channel(h, a->channel_id, 0);
    if (!ch)
        return err_set(ERR_NOTFOUND, "channel hub: no such channel");
    if (ch->state == CH_STATE_SETTLED)
        return err_set(ERR_BADSTATE, "channel hub: the channel is settled");
    memcpy(d->channel_id, ch->channel_id, 32);
    d->open_block = ch->open_block;
    memcpy(d->token, ch->token, 20);
    memcpy(d->partner, ch->end[CH_PARTNER].addr, 20);
    memcpy(d->participant, h->addr, 20);
    memcpy(d->delegatee, a->delegatee, 20);
    const struct ch_end *pe = &ch->end[CH_PARTNER];
    if (pe->bp.nonce > 0) {
        d->has_update = true;
        d->partner_bp.bp = pe->bp;
        memcpy(d->partner_bp.additional_hash, pe->additional_hash, 32);
        memcpy(d->partner_bp.signature, pe->sig, CH_SIG_LEN);
        uint8_t digest[32];
        ch_sig_bp_delegate_digest(&pe->bp, &h->cfg.chain_id, digest);
        int rc = ch_sign(digest, h->cfg.key, d->participant_sig);
        if (rc)
            return rc;
    }
    int rc = bundle_unlocks(h, ch, d);
    if (rc == 0)
        rc = bundle_punishes(h, ch, d);
    return rc;
}

int ch_hub_third_party(struct ch_hub *h, const uint8_t channel_id[32],
                       const uint8_t delegatee[20], struct ch_hub_delegation *out)
{
    static const uint8_t zero[20];
    memset(out, 0, sizeof *out);
    if (memcmp(delegatee, zero, 20) == 0)
        return err_set(ERR_INVAL, "channel hub: the delegatee is the zero address");
    struct third_args a = {.channel_id = channel_id, .delegatee = delegatee, .out = out};
    return ch_hub_run(h, cmd_third_party, &a);
}

void ch_hub_delegation_free(struct ch_hub_delegation *d)
{
    if (!d)
        return;
    if (d->unlocks)
        OPENSSL_cleanse(d->unlocks, d->n_unlocks * sizeof *d->unlocks); /* the secrets */
    free(d->unlocks);
    free(d->punishes);
    d->unlocks = NULL;
    d->punishes = NULL;
    d->n_unlocks = d->n_punishes = 0;
}
