/*
 * store_codec.c — RLP layouts of the hub store's records (store_codec.h).
 * Each record is written by one function and read back by its twin right
 * below it, field for field, so the two cannot drift apart unnoticed.
 */
#include "channel/store_codec.h"

#include <string.h>

#include "primitives/rlp.h"
#include "util/err.h"

#define FIELDS_MAX 16

/* Decodes [version, ...] with exactly `want` items (version included). */
static int open_record(const uint8_t *p, size_t n, const char *kind, struct rlp_item *items,
                       size_t want)
{
    struct rlp_item top;
    size_t count;
    uint64_t v;
    if (rlp_decode(p, n, &top) || !top.is_list ||
        rlp_list_split(&top, items, FIELDS_MAX, &count) || count < 1)
        return err_set(ERR_DECODE, "channel store: %s record is not an RLP list", kind);
    if (rlp_get_u64(&items[0], &v))
        return err_set(ERR_DECODE, "channel store: %s record version", kind);
    if (v != CH_STORE_RECORD_VERSION)
        return err_set(ERR_UNSUPPORTED, "channel store: %s record version %llu", kind,
                       (unsigned long long)v);
    if (count != want)
        return err_set(ERR_DECODE, "channel store: %s record has %zu items, want %zu", kind, count,
                       want);
    return 0;
}

static int bad(const char *kind, const char *field)
{
    return err_set(ERR_DECODE, "channel store: %s record: bad %s", kind, field);
}

static int get_bool(const struct rlp_item *it, bool *out)
{
    uint64_t v;
    if (rlp_get_u64(it, &v) || v > 1)
        return ERR_DECODE;
    *out = v != 0;
    return 0;
}

static size_t begin(struct bytes *b)
{
    size_t m = rlp_list_begin(b);
    rlp_put_u64(b, CH_STORE_RECORD_VERSION);
    return m;
}

static int end(struct bytes *b, size_t m)
{
    rlp_list_end(b, m);
    return bytes_ok(b);
}

/* ---- channel ------------------------------------------------------------ */

int ch_codec_put_channel(struct bytes *b, const struct ch_channel *ch)
{
    size_t m = begin(b);
    rlp_put_bytes(b, ch->channel_id, 32);
    rlp_put_bytes(b, ch->token, 20);
    rlp_put_u64(b, ch->open_block);
    rlp_put_u64(b, ch->settle_timeout);
    rlp_put_u64(b, ch->reveal_timeout);
    rlp_put_u64(b, (uint64_t)ch->state);
    rlp_put_u64(b, ch->closed_block);
    rlp_put_u64(b, ch->settled_block);
    rlp_put_u64(b, ch->closed_by_us);
    return end(b, m);
}

int ch_codec_get_channel(const uint8_t *p, size_t n, struct ch_channel *ch)
{
    static const char kind[] = "channel";
    struct rlp_item it[FIELDS_MAX];
    int rc = open_record(p, n, kind, it, 10);
    if (rc)
        return rc;
    uint64_t state;
    if (rlp_get_fixed(&it[1], ch->channel_id, 32) || rlp_get_fixed(&it[2], ch->token, 20))
        return bad(kind, "id or token");
    if (rlp_get_u64(&it[3], &ch->open_block) || rlp_get_u64(&it[4], &ch->settle_timeout) ||
        rlp_get_u64(&it[5], &ch->reveal_timeout) || rlp_get_u64(&it[6], &state) ||
        rlp_get_u64(&it[7], &ch->closed_block) || rlp_get_u64(&it[8], &ch->settled_block) ||
        get_bool(&it[9], &ch->closed_by_us))
        return bad(kind, "number");
    if (state > CH_STATE_PARTNER_WITHDRAWING || ch->open_block == 0 ||
        ch->open_block > (uint64_t)CH_BLOCK_MAX || ch->settle_timeout < CH_SETTLE_TIMEOUT_MIN ||
        ch->settle_timeout > CH_SETTLE_TIMEOUT_MAX)
        return err_set(ERR_RANGE, "channel store: channel record: state, open block or timeout");
    ch->state = (int)state;
    return 0;
}

/* ---- ends ----------------------------------------------------------------- */

int ch_codec_put_end(struct bytes *b, const struct ch_end *e)
{
    size_t m = begin(b);
    rlp_put_bytes(b, e->addr, 20);
    rlp_put_u256(b, &e->deposit);
    rlp_put_u64(b, e->bp.nonce);
    rlp_put_u256(b, &e->bp.transferred_amount);
    rlp_put_bytes(b, e->bp.locksroot, 32);
    rlp_put_bytes(b, e->additional_hash, 32);
    rlp_put_bytes(b, e->sig, CH_SIG_LEN);
    rlp_put_u64(b, e->chain_bp);
    rlp_put_u64(b, e->chain_nonce);
    rlp_put_u256(b, &e->chain_ta);
    rlp_put_bytes(b, e->chain_locksroot, 32);
    return end(b, m);
}

int ch_codec_get_end(const uint8_t *p, size_t n, struct ch_end *e)
{
    static const char kind[] = "end";
    struct rlp_item it[FIELDS_MAX];
    int rc = open_record(p, n, kind, it, 12);
    if (rc)
        return rc;
    if (rlp_get_fixed(&it[1], e->addr, 20))
        return bad(kind, "address");
    if (rlp_get_u256(&it[2], &e->deposit) || rlp_get_u64(&it[3], &e->bp.nonce) ||
        rlp_get_u256(&it[4], &e->bp.transferred_amount))
        return bad(kind, "amount or nonce");
    if (rlp_get_fixed(&it[5], e->bp.locksroot, 32) || rlp_get_fixed(&it[6], e->additional_hash, 32) ||
        rlp_get_fixed(&it[7], e->sig, CH_SIG_LEN))
        return bad(kind, "locksroot, additional hash or signature");
    if (get_bool(&it[8], &e->chain_bp) || rlp_get_u64(&it[9], &e->chain_nonce) ||
        rlp_get_u256(&it[10], &e->chain_ta) || rlp_get_fixed(&it[11], e->chain_locksroot, 32))
        return bad(kind, "on-chain view");
    return 0;
}

/* ---- locks ---------------------------------------------------------------- */

int ch_codec_put_locks(struct bytes *b, const struct ch_end *e)
{
    size_t m = begin(b);
    size_t l = rlp_list_begin(b);
    for (size_t i = 0; i < e->locks.n; i++) {
        const struct ch_lock *k = &e->locks.locks[i];
        const struct ch_lock_info *f = &e->info[i];
        size_t one = rlp_list_begin(b);
        rlp_put_u64(b, k->expiration);
        rlp_put_u256(b, &k->amount);
        rlp_put_bytes(b, k->secret_hash, 32);
        rlp_put_u64(b, (f->secret_known ? 1u : 0u) | (f->disposed ? 2u : 0u) |
                           (f->unlocked_onchain ? 4u : 0u));
        rlp_put_bytes(b, f->secret, f->secret_known ? 32 : 0);
        rlp_put_u64(b, f->registered_block);
        rlp_list_end(b, one);
    }
    rlp_list_end(b, l);
    return end(b, m);
}

int ch_codec_get_locks(const uint8_t *p, size_t n, struct ch_end *e)
{
    static const char kind[] = "locks";
    struct rlp_item it[FIELDS_MAX];
    int rc = open_record(p, n, kind, it, 2);
    if (rc)
        return rc;
    size_t count;
    if (!it[1].is_list || rlp_list_count(&it[1], &count))
        return bad(kind, "list");
    if (count > CH_LOCKS_MAX)
        return err_set(ERR_RANGE, "channel store: locks record of %zu locks", count);
    struct rlp_iter iter;
    struct rlp_item one;
    rlp_iter_init(&iter, &it[1]);
    while ((rc = rlp_iter_next(&iter, &one)) == 1) {
        struct rlp_item f[6];
        struct ch_lock k;
        struct ch_lock_info info;
        uint64_t flags;
        memset(&info, 0, sizeof info);
        if (!one.is_list || rlp_list_exact(&one, f, 6))
            return bad(kind, "lock");
        if (rlp_get_u64(&f[0], &k.expiration) || rlp_get_u256(&f[1], &k.amount) ||
            rlp_get_fixed(&f[2], k.secret_hash, 32) || rlp_get_u64(&f[3], &flags) || flags > 7 ||
            rlp_get_u64(&f[5], &info.registered_block))
            return bad(kind, "lock field");
        info.secret_known = flags & 1;
        info.disposed = (flags & 2) != 0;
        info.unlocked_onchain = (flags & 4) != 0;
        if (rlp_get_fixed(&f[4], info.secret, info.secret_known ? 32 : 0))
            return bad(kind, "lock secret");
        rc = ch_end_add_lock(e, &k, &info);
        if (rc == ERR_NOMEM)
            return rc;
        if (rc)
            return err_set(ERR_DECODE, "channel store: locks record: %s", err_msg());
    }
    return rc < 0 ? bad(kind, "list") : 0;
}

/* ---- secrets, disposed locks ------------------------------------------------ */

int ch_codec_put_secret(struct bytes *b, const struct ch_store_secret *s)
{
    size_t m = begin(b);
    rlp_put_bytes(b, s->secret_hash, 32);
    rlp_put_bytes(b, s->secret, s->has_secret ? 32 : 0);
    rlp_put_u64(b, s->reveal_state);
    rlp_put_u64(b, s->registered_block);
    return end(b, m);
}

int ch_codec_get_secret(const uint8_t *p, size_t n, struct ch_store_secret *s)
{
    static const char kind[] = "secret";
    struct rlp_item it[FIELDS_MAX];
    int rc = open_record(p, n, kind, it, 5);
    if (rc)
        return rc;
    memset(s, 0, sizeof *s);
    uint64_t state;
    s->has_secret = it[2].payload_len != 0;
    if (rlp_get_fixed(&it[1], s->secret_hash, 32) ||
        rlp_get_fixed(&it[2], s->secret, s->has_secret ? 32 : 0) ||
        rlp_get_u64(&it[3], &state) || state > UINT32_MAX ||
        rlp_get_u64(&it[4], &s->registered_block))
        return bad(kind, "field");
    s->reveal_state = (uint32_t)state;
    return 0;
}

int ch_codec_put_disposed(struct bytes *b, const struct ch_store_disposed *d)
{
    uint8_t packed[CH_LOCK_LEN];
    ch_lock_pack(&d->lock, packed);
    size_t m = begin(b);
    rlp_put_bytes(b, d->channel_id, 32);
    rlp_put_u64(b, d->open_block);
    rlp_put_u64(b, d->by_partner);
    rlp_put_bytes(b, packed, sizeof packed);
    rlp_put_bytes(b, d->additional_hash, 32);
    rlp_put_bytes(b, d->sig, CH_SIG_LEN);
    return end(b, m);
}

int ch_codec_get_disposed(const uint8_t *p, size_t n, struct ch_store_disposed *d)
{
    static const char kind[] = "disposed";
    struct rlp_item it[FIELDS_MAX];
    int rc = open_record(p, n, kind, it, 7);
    if (rc)
        return rc;
    uint8_t packed[CH_LOCK_LEN];
    if (rlp_get_fixed(&it[1], d->channel_id, 32) || rlp_get_u64(&it[2], &d->open_block) ||
        get_bool(&it[3], &d->by_partner) || rlp_get_fixed(&it[4], packed, sizeof packed) ||
        ch_lock_unpack(packed, &d->lock) || rlp_get_fixed(&it[5], d->additional_hash, 32) ||
        rlp_get_fixed(&it[6], d->sig, CH_SIG_LEN))
        return bad(kind, "field");
    return 0;
}

/* ---- outbox, acks ------------------------------------------------------------ */

int ch_codec_put_outbox(struct bytes *b, const struct ch_store_outbox *e)
{
    size_t m = begin(b);
    rlp_put_bytes(b, e->partner, 20);
    rlp_put_bytes(b, e->channel_id, 32);
    rlp_put_u64(b, e->open_block);
    rlp_put_u64(b, e->nonce);
    rlp_put_bytes(b, e->packet, e->len);
    return end(b, m);
}

int ch_codec_get_outbox(const uint8_t *p, size_t n, struct ch_store_outbox *e)
{
    static const char kind[] = "outbox";
    struct rlp_item it[FIELDS_MAX];
    int rc = open_record(p, n, kind, it, 6);
    if (rc)
        return rc;
    const uint8_t *pk;
    if (rlp_get_fixed(&it[1], e->partner, 20) || rlp_get_fixed(&it[2], e->channel_id, 32) ||
        rlp_get_u64(&it[3], &e->open_block) || rlp_get_u64(&it[4], &e->nonce) ||
        rlp_get_bytes(&it[5], &pk, &e->len))
        return bad(kind, "field");
    if (e->len == 0 || e->len > CH_PACKET_MAX)
        return err_set(ERR_RANGE, "channel store: outbox packet of %zu bytes", e->len);
    memcpy(e->packet, pk, e->len);
    return 0;
}

int ch_codec_put_ack(struct bytes *b, const uint8_t partner[20], const uint8_t *packet,
                     size_t len)
{
    size_t m = begin(b);
    rlp_put_bytes(b, partner, 20);
    rlp_put_bytes(b, packet, len);
    return end(b, m);
}

int ch_codec_get_ack(const uint8_t *p, size_t n, uint8_t partner[20],
                     uint8_t packet[CH_STORE_ACK_MAX], size_t *len)
{
    static const char kind[] = "ack";
    struct rlp_item it[FIELDS_MAX];
    int rc = open_record(p, n, kind, it, 3);
    if (rc)
        return rc;
    const uint8_t *pk;
    if (rlp_get_fixed(&it[1], partner, 20) || rlp_get_bytes(&it[2], &pk, len))
        return bad(kind, "field");
    if (*len == 0 || *len > CH_STORE_ACK_MAX)
        return err_set(ERR_RANGE, "channel store: ack packet of %zu bytes", *len);
    memcpy(packet, pk, *len);
    return 0;
}

/* ---- transfers ----------------------------------------------------------------- */

int ch_codec_put_transfer(struct bytes *b, const struct ch_store_transfer *t)
{
    size_t m = begin(b);
    rlp_put_bytes(b, t->id, 32);
    rlp_put_bytes(b, t->token, 20);
    rlp_put_bytes(b, t->initiator, 20);
    rlp_put_bytes(b, t->target, 20);
    rlp_put_bytes(b, t->channel_id, 32);
    rlp_put_u256(b, &t->amount);
    rlp_put_u256(b, &t->fee);
    rlp_put_u64(b, t->expiration);
    rlp_put_u64(b, t->block);
    rlp_put_u64(b, t->status);
    rlp_put_u64(b, t->direct);
    rlp_put_u64(b, t->outgoing);
    return end(b, m);
}

int ch_codec_get_transfer(const uint8_t *p, size_t n, struct ch_store_transfer *t)
{
    static const char kind[] = "transfer";
    struct rlp_item it[FIELDS_MAX];
    int rc = open_record(p, n, kind, it, 13);
    if (rc)
        return rc;
    uint64_t status;
    if (rlp_get_fixed(&it[1], t->id, 32) || rlp_get_fixed(&it[2], t->token, 20) ||
        rlp_get_fixed(&it[3], t->initiator, 20) || rlp_get_fixed(&it[4], t->target, 20) ||
        rlp_get_fixed(&it[5], t->channel_id, 32) || rlp_get_u256(&it[6], &t->amount) ||
        rlp_get_u256(&it[7], &t->fee) || rlp_get_u64(&it[8], &t->expiration) ||
        rlp_get_u64(&it[9], &t->block) || rlp_get_u64(&it[10], &status) ||
        status > UINT32_MAX || get_bool(&it[11], &t->direct) || get_bool(&it[12], &t->outgoing))
        return bad(kind, "field");
    t->status = (uint32_t)status;
    return 0;
}

/* ---- fees ------------------------------------------------------------------------ */

#define PERCENT_OFFSET ((uint64_t)1 << 63)

static void put_setting(struct bytes *b, const struct ch_fee_setting *s)
{
    size_t m = rlp_list_begin(b);
    rlp_put_u256(b, &s->fee_constant);
    rlp_put_u64(b, (uint64_t)s->fee_percent + PERCENT_OFFSET);
    rlp_list_end(b, m);
}

static int get_setting(const struct rlp_item *it, struct ch_fee_setting *s)
{
    struct rlp_item f[2];
    uint64_t v;
    if (!it->is_list || rlp_list_exact(it, f, 2) || rlp_get_u256(&f[0], &s->fee_constant) ||
        rlp_get_u64(&f[1], &v))
        return ERR_DECODE;
    s->fee_percent = (int64_t)(v - PERCENT_OFFSET);
    return 0;
}

int ch_codec_put_fees(struct bytes *b, const struct ch_fee_policy *pol)
{
    size_t m = begin(b);
    put_setting(b, &pol->account);
    size_t l = rlp_list_begin(b);
    for (size_t i = 0; i < pol->n_tokens; i++) {
        size_t one = rlp_list_begin(b);
        rlp_put_bytes(b, pol->tokens[i].token, 20);
        put_setting(b, &pol->tokens[i].fee);
        rlp_list_end(b, one);
    }
    rlp_list_end(b, l);
    l = rlp_list_begin(b);
    for (size_t i = 0; i < pol->n_channels; i++) {
        size_t one = rlp_list_begin(b);
        rlp_put_bytes(b, pol->channels[i].channel_id, 32);
        put_setting(b, &pol->channels[i].fee);
        rlp_list_end(b, one);
    }
    rlp_list_end(b, l);
    return end(b, m);
}

static int get_fee_entries(const struct rlp_item *list, struct ch_fee_policy *pol, size_t keylen)
{
    static const char kind[] = "fees";
    size_t count;
    if (!list->is_list || rlp_list_count(list, &count))
        return bad(kind, "list");
    if (count > CH_FEE_ENTRIES_MAX)
        return err_set(ERR_RANGE, "channel store: fee record of %zu entries", count);
    struct rlp_iter iter;
    struct rlp_item one;
    int rc;
    rlp_iter_init(&iter, list);
    while ((rc = rlp_iter_next(&iter, &one)) == 1) {
        struct rlp_item f[2];
        uint8_t key[32];
        struct ch_fee_setting s;
        if (!one.is_list || rlp_list_exact(&one, f, 2) || rlp_get_fixed(&f[0], key, keylen) ||
            get_setting(&f[1], &s))
            return bad(kind, "entry");
        rc = keylen == 20 ? ch_fee_policy_set_token(pol, key, &s)
                          : ch_fee_policy_set_channel(pol, key, &s);
        if (rc)
            return rc;
    }
    return rc < 0 ? bad(kind, "list") : 0;
}

int ch_codec_get_fees(const uint8_t *p, size_t n, struct ch_fee_policy *pol)
{
    static const char kind[] = "fees";
    struct rlp_item it[FIELDS_MAX];
    int rc = open_record(p, n, kind, it, 4);
    if (rc)
        return rc;
    if (get_setting(&it[1], &pol->account))
        return bad(kind, "account setting");
    rc = get_fee_entries(&it[2], pol, 20);
    if (!rc)
        rc = get_fee_entries(&it[3], pol, 32);
    return rc;
}

/* ---- mediated transfers ----------------------------------------------------------- */

static void put_hop(struct bytes *b, const struct ch_med_hop *h)
{
    size_t m = rlp_list_begin(b);
    if (h->set) {
        uint8_t lock[CH_LOCK_LEN];
        ch_lock_pack(&h->lock, lock);
        rlp_put_bytes(b, h->partner, 20);
        rlp_put_bytes(b, h->channel_id, 32);
        rlp_put_u64(b, h->open_block);
        rlp_put_bytes(b, lock, CH_LOCK_LEN);
        rlp_put_u256(b, &h->fee);
    }
    rlp_list_end(b, m);
}

static int get_hop(const struct rlp_item *it, struct ch_med_hop *h)
{
    static const char kind[] = "mediated";
    memset(h, 0, sizeof *h);
    size_t count;
    if (!it->is_list || rlp_list_count(it, &count))
        return bad(kind, "hop");
    if (count == 0)
        return 0;
    struct rlp_item f[5];
    uint8_t lock[CH_LOCK_LEN];
    if (rlp_list_exact(it, f, 5) || rlp_get_fixed(&f[0], h->partner, 20) ||
        rlp_get_fixed(&f[1], h->channel_id, 32) || rlp_get_u64(&f[2], &h->open_block) ||
        rlp_get_fixed(&f[3], lock, CH_LOCK_LEN) || rlp_get_u256(&f[4], &h->fee))
        return bad(kind, "hop");
    if (ch_lock_unpack(lock, &h->lock) || h->open_block == 0 ||
        h->open_block > (uint64_t)CH_BLOCK_MAX)
        return err_set(ERR_RANGE, "channel store: mediated record: hop lock or open block");
    h->set = true;
    return 0;
}

int ch_codec_put_mediated(struct bytes *b, const struct ch_med_transfer *t)
{
    size_t m = begin(b);
    rlp_put_bytes(b, t->secret_hash, 32);
    size_t l = rlp_list_begin(b);
    rlp_put_u64(b, (uint64_t)t->role);
    rlp_put_u64(b, (uint64_t)t->stage);
    rlp_put_u64(b, t->flags);
    rlp_put_u64(b, t->block);
    rlp_put_u64(b, t->expiration_cap);
    rlp_list_end(b, l);
    l = rlp_list_begin(b);
    rlp_put_bytes(b, t->token, 20);
    rlp_put_bytes(b, t->initiator, 20);
    rlp_put_bytes(b, t->target, 20);
    rlp_put_u256(b, &t->amount);
    rlp_put_u256(b, &t->fee_max);
    rlp_list_end(b, l);
    put_hop(b, &t->payer);
    put_hop(b, &t->payee);
    l = rlp_list_begin(b);
    for (size_t i = 0; i < t->n_tried && i < CH_MED_TRIED_MAX; i++)
        rlp_put_bytes(b, t->tried[i], 20);
    rlp_list_end(b, l);
    return end(b, m);
}

int ch_codec_get_mediated(const uint8_t *p, size_t n, struct ch_med_transfer *t)
{
    static const char kind[] = "mediated";
    struct rlp_item it[FIELDS_MAX], f[5];
    memset(t, 0, sizeof *t);
    int rc = open_record(p, n, kind, it, 7);
    if (rc)
        return rc;
    uint64_t role, stage, flags;
    if (rlp_get_fixed(&it[1], t->secret_hash, 32))
        return bad(kind, "secret hash");
    if (!it[2].is_list || rlp_list_exact(&it[2], f, 5) || rlp_get_u64(&f[0], &role) ||
        rlp_get_u64(&f[1], &stage) || rlp_get_u64(&f[2], &flags) ||
        rlp_get_u64(&f[3], &t->block) || rlp_get_u64(&f[4], &t->expiration_cap))
        return bad(kind, "state");
    if (role < CH_MED_INITIATOR || role > CH_MED_TARGET || stage < CH_MED_LOCKED ||
        stage > CH_MED_STAGE_MAX || (flags & ~(uint64_t)CH_MED_FLAGS_ALL) != 0)
        return err_set(ERR_RANGE, "channel store: mediated record: role, stage or flags");
    t->role = (int)role;
    t->stage = (int)stage;
    t->flags = (uint32_t)flags;
    if (!it[3].is_list || rlp_list_exact(&it[3], f, 5) || rlp_get_fixed(&f[0], t->token, 20) ||
        rlp_get_fixed(&f[1], t->initiator, 20) || rlp_get_fixed(&f[2], t->target, 20) ||
        rlp_get_u256(&f[3], &t->amount) || rlp_get_u256(&f[4], &t->fee_max))
        return bad(kind, "payment");
    rc = get_hop(&it[4], &t->payer);
    if (!rc)
        rc = get_hop(&it[5], &t->payee);
    if (rc)
        return rc;
    bool want_payer = t->role != CH_MED_INITIATOR;
    bool payee_ok = t->role == CH_MED_TARGET ? !t->payee.set
                    : t->role == CH_MED_INITIATOR
                        ? t->payee.set
                        : t->payee.set || t->stage == CH_MED_DISPOSED;
    if (t->payer.set != want_payer || !payee_ok)
        return bad(kind, "hops for its role");
    if ((t->payer.set && memcmp(t->payer.lock.secret_hash, t->secret_hash, 32) != 0) ||
        (t->payee.set && memcmp(t->payee.lock.secret_hash, t->secret_hash, 32) != 0))
        return bad(kind, "lock under another secret hash");
    size_t count;
    if (!it[6].is_list || rlp_list_count(&it[6], &count))
        return bad(kind, "tried hops");
    if (count > CH_MED_TRIED_MAX)
        return err_set(ERR_RANGE, "channel store: mediated record: %zu tried hops", count);
    struct rlp_iter iter;
    struct rlp_item one;
    rlp_iter_init(&iter, &it[6]);
    while ((rc = rlp_iter_next(&iter, &one)) == 1) {
        if (rlp_get_fixed(&one, t->tried[t->n_tried], 20))
            return bad(kind, "tried hop");
        t->n_tried++;
    }
    return rc < 0 ? bad(kind, "tried hops") : 0;
}

/* ---- integers ------------------------------------------------------------------- */

int ch_codec_put_u64(struct bytes *b, uint64_t v)
{
    size_t m = begin(b);
    rlp_put_u64(b, v);
    return end(b, m);
}

int ch_codec_get_u64(const uint8_t *p, size_t n, uint64_t *v)
{
    struct rlp_item it[FIELDS_MAX];
    int rc = open_record(p, n, "integer", it, 2);
    if (rc)
        return rc;
    if (rlp_get_u64(&it[1], v))
        return bad("integer", "value");
    return 0;
}
