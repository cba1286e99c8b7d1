/*
 * store.c — the hub's durable store (store.h): keys, the turn batch, the
 * bounded ack index, loading and the getters. Record layouts are in
 * store_codec.c.
 *
 * The ack bound needs to know, when a partner's next ack is put, which of
 * its acks is the oldest; scanning LevelDB for that on every ack would cost
 * more than the ack. So the 'q' keys (partner ‖ seq → echo) are read once
 * at open into one ring per partner, and every put_ack moves the ring and
 * adds the eviction's deletes to the same turn. Because the ring moves
 * before the turn commits, an aborted or failed turn rebuilds the rings
 * from the database (rare: it is the crash path).
 */
#include "channel/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channel/store_codec.h"
#include "storage/db.h"
#include "util/bytes.h"
#include "util/err.h"
#include "util/hex.h"

struct ack_slot {
    uint8_t echo[32];
    uint64_t seq;
};

struct ack_ring {
    uint8_t partner[20];
    uint64_t next_seq;
    size_t head, count;
    struct ack_slot *slots;         /* cap = st->acks_per_partner */
};

struct ch_store {
    struct db *db;
    struct db_batch *batch;
    bool in_turn;
    bool spoiled;                   /* an encoding failed in this turn */
    bool turn_acks;                 /* the turn moved the ack rings */
    size_t acks_per_partner;
    struct ack_ring *rings;
    size_t n_rings, cap_rings;
    struct bytes enc;
};

/* Longest key: 'd' ‖ channel_id ‖ open_block ‖ dir ‖ lockhash (74). */
#define KEY_MAX (1 + 32 + 8 + 1 + 32)
#define KEY_CHLIFE (1 + 32 + 8)

static size_t key_life(uint8_t *k, uint8_t prefix, const uint8_t cid[32], uint64_t ob)
{
    k[0] = prefix;
    memcpy(k + 1, cid, 32);
    be_put64(k + 33, ob);
    return KEY_CHLIFE;
}

static size_t key_hash(uint8_t *k, uint8_t prefix, const uint8_t h[32])
{
    k[0] = prefix;
    memcpy(k + 1, h, 32);
    return 33;
}

static size_t key_outbox(uint8_t *k, const uint8_t partner[20], const uint8_t cid[32],
                         uint64_t ob, uint64_t nonce)
{
    k[0] = CH_STORE_PREFIX_OUTBOX;
    memcpy(k + 1, partner, 20);
    memcpy(k + 21, cid, 32);
    be_put64(k + 53, ob);
    be_put64(k + 61, nonce);
    return 69;
}

static size_t key_ackseq(uint8_t *k, const uint8_t partner[20], uint64_t seq)
{
    k[0] = CH_STORE_PREFIX_ACKSEQ;
    memcpy(k + 1, partner, 20);
    be_put64(k + 21, seq);
    return 29;
}

/* Names a key in an error context: "'e' 0x…". */
static int corrupt(int rc, const uint8_t *k, size_t klen)
{
    char hex[2 * KEY_MAX + 1];
    size_t n = klen > KEY_MAX ? KEY_MAX : klen;
    hex_encode(hex, k, n);
    if (rc == ERR_NOMEM || rc == ERR_IO)
        return rc;
    return err_wrap(rc, "channel store: record %s", hex);
}

/* Reads a bounded value; ERR_NOTFOUND without context. */
static int get_value(struct ch_store *st, const uint8_t *k, size_t klen, uint8_t **v, size_t *vlen)
{
    int rc = db_get(st->db, NULL, k, klen, v, vlen);
    if (rc == ERR_NOTFOUND) {
        err_clear();
        return ERR_NOTFOUND;
    }
    if (rc)
        return rc;
    if (*vlen > CH_STORE_VALUE_MAX) {
        free(*v);
        *v = NULL;
        return corrupt(err_set(ERR_RANGE, "value of %zu bytes", *vlen), k, klen);
    }
    return 0;
}

/* Calls fn for each key starting with prefix (plen bytes), in order. */
typedef int (*scan_fn)(struct ch_store *st, const uint8_t *k, size_t kl, const uint8_t *v,
                       size_t vl, void *ctx);

static int scan(struct ch_store *st, const uint8_t *prefix, size_t plen, scan_fn fn, void *ctx)
{
    struct db_iter *it = db_iter_new(st->db, NULL);
    if (!it)
        return err_set(ERR_NOMEM, "channel store: iterator");
    int rc = 0;
    for (db_iter_seek(it, prefix, plen); db_iter_valid(it); db_iter_next(it)) {
        size_t kl, vl;
        const uint8_t *k = db_iter_key(it, &kl);
        if (kl < plen || memcmp(k, prefix, plen) != 0)
            break;
        const uint8_t *v = db_iter_value(it, &vl);
        if (vl > CH_STORE_VALUE_MAX) {
            rc = corrupt(err_set(ERR_RANGE, "value of %zu bytes", vl), k, kl);
            break;
        }
        rc = fn(st, k, kl, v, vl, ctx);
        if (rc)
            break;
    }
    if (!rc)
        rc = db_iter_status(it);
    db_iter_free(it);
    return rc;
}

/* ---- the ack index ------------------------------------------------------------ */

static struct ack_ring *ring_find(const struct ch_store *st, const uint8_t partner[20])
{
    for (size_t i = 0; i < st->n_rings; i++)
        if (memcmp(st->rings[i].partner, partner, 20) == 0)
            return &st->rings[i];
    return NULL;
}

static int ring_get(struct ch_store *st, const uint8_t partner[20], struct ack_ring **out)
{
    struct ack_ring *r = ring_find(st, partner);
    if (r) {
        *out = r;
        return 0;
    }
    if (st->n_rings >= CH_STORE_ACK_PARTNERS_MAX)
        return err_set(ERR_RANGE, "channel store: acks of more than %d partners",
                       CH_STORE_ACK_PARTNERS_MAX);
    if (st->n_rings == st->cap_rings) {
        size_t cap = st->cap_rings ? st->cap_rings * 2 : 8;
        struct ack_ring *p = realloc(st->rings, cap * sizeof *p);
        if (!p)
            return err_set(ERR_NOMEM, "channel store: ack index");
        st->rings = p;
        st->cap_rings = cap;
    }
    struct ack_slot *slots = malloc(st->acks_per_partner * sizeof *slots);
    if (!slots)
        return err_set(ERR_NOMEM, "channel store: ack index");
    r = &st->rings[st->n_rings++];
    memset(r, 0, sizeof *r);
    memcpy(r->partner, partner, 20);
    r->slots = slots;
    *out = r;
    return 0;
}

/* Appends (echo, seq); when full, the oldest leaves and its two keys are
 * deleted in batch b. */
static void ring_push(struct ch_store *st, struct ack_ring *r, const uint8_t echo[32],
                      uint64_t seq, struct db_batch *b)
{
    size_t cap = st->acks_per_partner;
    if (r->count == cap) {
        const struct ack_slot *old = &r->slots[r->head];
        uint8_t k[KEY_MAX];
        db_batch_delete(b, k, key_hash(k, CH_STORE_PREFIX_ACK, old->echo));
        db_batch_delete(b, k, key_ackseq(k, r->partner, old->seq));
        r->head = (r->head + 1) % cap;
        r->count--;
    }
    struct ack_slot *s = &r->slots[(r->head + r->count) % cap];
    memcpy(s->echo, echo, 32);
    s->seq = seq;
    r->count++;
    r->next_seq = seq + 1;
}

static void rings_free(struct ch_store *st)
{
    for (size_t i = 0; i < st->n_rings; i++)
        free(st->rings[i].slots);
    free(st->rings);
    st->rings = NULL;
    st->n_rings = st->cap_rings = 0;
}

static int load_ackseq(struct ch_store *st, const uint8_t *k, size_t kl, const uint8_t *v,
                       size_t vl, void *ctx)
{
    struct db_batch *trim = ctx;
    if (kl != 29 || vl != 32)
        return corrupt(err_set(ERR_DECODE, "ack index entry"), k, kl);
    struct ack_ring *r;
    int rc = ring_get(st, k + 1, &r);
    if (rc)
        return rc;
    ring_push(st, r, v, be_get64(k + 21), trim);
    return 0;
}

/* (Re)builds the rings from the 'q' keys; acks beyond the bound (a store
 * written with a larger bound) are deleted. */
static int rings_load(struct ch_store *st)
{
    rings_free(st);
    struct db_batch *trim = db_batch_new();
    if (!trim)
        return err_set(ERR_NOMEM, "channel store: batch");
    uint8_t prefix = CH_STORE_PREFIX_ACKSEQ;
    int rc = scan(st, &prefix, 1, load_ackseq, trim);
    if (!rc && db_batch_count(trim))
        rc = db_batch_write(st->db, trim, true);
    db_batch_free(trim);
    if (rc)
        rings_free(st);
    return rc;
}

/* ---- open / close ----------------------------------------------------------- */

int ch_store_open(const char *dir, const struct ch_store_options *opts, struct ch_store **out)
{
    *out = NULL;
    struct ch_store *st = calloc(1, sizeof *st);
    if (!st)
        return err_set(ERR_NOMEM, "channel store");
    st->acks_per_partner = opts && opts->acks_per_partner ? opts->acks_per_partner
                                                          : CH_STORE_ACKS_PER_PARTNER;
    struct db_options dbo = {.create_if_missing = true};
    int rc = db_open(dir, &dbo, &st->db);
    if (rc) {
        free(st);
        return err_wrap(rc, "channel store %s", dir);
    }
    st->batch = db_batch_new();
    if (!st->batch) {
        ch_store_close(st);
        return err_set(ERR_NOMEM, "channel store: batch");
    }
    uint8_t *v = NULL;
    size_t vl = 0;
    const uint8_t *sk = (const uint8_t *)CH_STORE_KEY_SCHEMA;
    size_t skl = strlen(CH_STORE_KEY_SCHEMA);
    rc = get_value(st, sk, skl, &v, &vl);
    if (rc == ERR_NOTFOUND) {
        rc = ch_codec_put_u64(&st->enc, CH_STORE_SCHEMA_VERSION);
        if (!rc)
            rc = db_put(st->db, sk, skl, st->enc.data, st->enc.len, true);
        bytes_reset(&st->enc);
    } else if (!rc) {
        uint64_t ver;
        rc = ch_codec_get_u64(v, vl, &ver);
        if (rc)
            rc = corrupt(rc, sk, skl);
        else if (ver != CH_STORE_SCHEMA_VERSION)
            rc = err_set(ERR_UNSUPPORTED, "channel store %s: schema version %llu, this build reads %d",
                         dir, (unsigned long long)ver, CH_STORE_SCHEMA_VERSION);
        free(v);
    }
    if (!rc)
        rc = rings_load(st);
    if (rc) {
        ch_store_close(st);
        return rc;
    }
    *out = st;
    return 0;
}

void ch_store_close(struct ch_store *st)
{
    if (!st)
        return;
    rings_free(st);
    if (st->batch)
        db_batch_free(st->batch);
    bytes_free(&st->enc);
    db_close(st->db);
    free(st);
}

/* ---- turns ---------------------------------------------------------------------- */

int ch_store_begin(struct ch_store *st)
{
    if (st->in_turn)
        return err_set(ERR_BADSTATE, "channel store: a turn is already open");
    db_batch_clear(st->batch);
    st->in_turn = true;
    st->spoiled = false;
    st->turn_acks = false;
    return 0;
}

void ch_store_abort(struct ch_store *st)
{
    if (!st->in_turn)
        return;
    db_batch_clear(st->batch);
    st->in_turn = false;
    st->spoiled = false;
    /* the rings hold the turn's acks: rebuild them from the disk */
    if (st->turn_acks)
        (void)rings_load(st);
    st->turn_acks = false;
}

int ch_store_commit(struct ch_store *st, bool sync)
{
    if (!st->in_turn)
        return err_set(ERR_BADSTATE, "channel store: commit without a turn");
    int rc = 0;
    if (st->spoiled)
        rc = err_set(ERR_NOMEM, "channel store: an encoding failed during the turn");
    else if (db_batch_count(st->batch))
        rc = db_batch_write(st->db, st->batch, sync);
    if (rc) {
        char why[256];
        snprintf(why, sizeof why, "%s", err_msg());
        ch_store_abort(st);
        return err_set(rc, "%s", why);
    }
    db_batch_clear(st->batch);
    st->in_turn = false;
    st->turn_acks = false;
    return 0;
}

bool ch_store_in_turn(const struct ch_store *st)
{
    return st->in_turn;
}

size_t ch_store_turn_ops(const struct ch_store *st)
{
    return st->in_turn ? db_batch_count(st->batch) : 0;
}

/* ---- changes ------------------------------------------------------------------- */

static int need_turn(struct ch_store *st)
{
    if (!st->in_turn)
        return err_set(ERR_BADSTATE, "channel store: change outside a turn");
    return 0;
}

/* Puts st->enc (just filled by an encoder that returned rc) under key. */
static int put_enc(struct ch_store *st, int rc, const uint8_t *k, size_t kl)
{
    if (rc) {
        st->spoiled = true;
        bytes_reset(&st->enc);
        return rc;
    }
    db_batch_put(st->batch, k, kl, st->enc.data, st->enc.len);
    bytes_reset(&st->enc);
    return 0;
}

static int put_end_locks(struct ch_store *st, const struct ch_channel *ch, int side)
{
    uint8_t k[KEY_MAX];
    key_life(k, CH_STORE_PREFIX_END, ch->channel_id, ch->open_block);
    k[KEY_CHLIFE] = (uint8_t)side;
    int rc = put_enc(st, ch_codec_put_end(&st->enc, &ch->end[side]), k, KEY_CHLIFE + 1);
    if (rc)
        return rc;
    k[0] = CH_STORE_PREFIX_LOCKS;
    return put_enc(st, ch_codec_put_locks(&st->enc, &ch->end[side]), k, KEY_CHLIFE + 1);
}

int ch_store_put_channel(struct ch_store *st, const struct ch_channel *ch)
{
    int rc = need_turn(st);
    if (rc)
        return rc;
    uint8_t k[KEY_MAX];
    key_life(k, CH_STORE_PREFIX_CHANNEL, ch->channel_id, ch->open_block);
    rc = put_enc(st, ch_codec_put_channel(&st->enc, ch), k, KEY_CHLIFE);
    if (!rc)
        rc = put_end_locks(st, ch, CH_OURS);
    if (!rc)
        rc = put_end_locks(st, ch, CH_PARTNER);
    return rc;
}

int ch_store_put_end(struct ch_store *st, const struct ch_channel *ch, int side)
{
    int rc = need_turn(st);
    if (rc)
        return rc;
    if (side != CH_OURS && side != CH_PARTNER)
        return err_set(ERR_INVAL, "channel store: side %d", side);
    return put_end_locks(st, ch, side);
}

static int delete_key(struct ch_store *st, const uint8_t *k, size_t kl, const uint8_t *v,
                      size_t vl, void *ctx)
{
    (void)v;
    (void)vl;
    (void)ctx;
    db_batch_delete(st->batch, k, kl);
    return 0;
}

int ch_store_delete_channel(struct ch_store *st, const uint8_t channel_id[32],
                            uint64_t open_block)
{
    int rc = need_turn(st);
    if (rc)
        return rc;
    uint8_t k[KEY_MAX];
    key_life(k, CH_STORE_PREFIX_CHANNEL, channel_id, open_block);
    db_batch_delete(st->batch, k, KEY_CHLIFE);
    for (int side = 0; side < 2; side++) {
        k[KEY_CHLIFE] = (uint8_t)side;
        k[0] = CH_STORE_PREFIX_END;
        db_batch_delete(st->batch, k, KEY_CHLIFE + 1);
        k[0] = CH_STORE_PREFIX_LOCKS;
        db_batch_delete(st->batch, k, KEY_CHLIFE + 1);
    }
    k[0] = CH_STORE_PREFIX_DISPOSED;
    return scan(st, k, KEY_CHLIFE, delete_key, NULL);
}

int ch_store_put_secret(struct ch_store *st, const struct ch_store_secret *s)
{
    int rc = need_turn(st);
    if (rc)
        return rc;
    uint8_t k[KEY_MAX];
    size_t kl = key_hash(k, CH_STORE_PREFIX_SECRET, s->secret_hash);
    return put_enc(st, ch_codec_put_secret(&st->enc, s), k, kl);
}

int ch_store_delete_secret(struct ch_store *st, const uint8_t secret_hash[32])
{
    int rc = need_turn(st);
    if (rc)
        return rc;
    uint8_t k[KEY_MAX];
    db_batch_delete(st->batch, k, key_hash(k, CH_STORE_PREFIX_SECRET, secret_hash));
    return 0;
}

int ch_store_put_disposed(struct ch_store *st, const struct ch_store_disposed *d)
{
    int rc = need_turn(st);
    if (rc)
        return rc;
    uint8_t k[KEY_MAX];
    key_life(k, CH_STORE_PREFIX_DISPOSED, d->channel_id, d->open_block);
    k[KEY_CHLIFE] = d->by_partner ? 1 : 0;
    ch_lock_hash(&d->lock, k + KEY_CHLIFE + 1);
    return put_enc(st, ch_codec_put_disposed(&st->enc, d), k, KEY_CHLIFE + 33);
}

int ch_store_put_outbox(struct ch_store *st, const struct ch_store_outbox *e)
{
    int rc = need_turn(st);
    if (rc)
        return rc;
    if (e->len == 0 || e->len > CH_PACKET_MAX)
        return err_set(ERR_RANGE, "channel store: outbox packet of %zu bytes", e->len);
    uint8_t k[KEY_MAX];
    size_t kl = key_outbox(k, e->partner, e->channel_id, e->open_block, e->nonce);
    return put_enc(st, ch_codec_put_outbox(&st->enc, e), k, kl);
}

int ch_store_delete_outbox(struct ch_store *st, const uint8_t partner[20],
                           const uint8_t channel_id[32], uint64_t open_block, uint64_t nonce)
{
    int rc = need_turn(st);
    if (rc)
        return rc;
    uint8_t k[KEY_MAX];
    db_batch_delete(st->batch, k, key_outbox(k, partner, channel_id, open_block, nonce));
    return 0;
}

int ch_store_put_ack(struct ch_store *st, const uint8_t partner[20], const uint8_t echo[32],
                     const uint8_t *packet, size_t len)
{
    int rc = need_turn(st);
    if (rc)
        return rc;
    if (len == 0 || len > CH_STORE_ACK_MAX)
        return err_set(ERR_RANGE, "channel store: ack packet of %zu bytes", len);
    struct ack_ring *r;
    rc = ring_get(st, partner, &r);
    if (rc)
        return rc;
    uint8_t k[KEY_MAX];
    size_t kl = key_hash(k, CH_STORE_PREFIX_ACK, echo);
    rc = put_enc(st, ch_codec_put_ack(&st->enc, partner, packet, len), k, kl);
    if (rc)
        return rc;
    uint64_t seq = r->next_seq;
    db_batch_put(st->batch, k, key_ackseq(k, partner, seq), echo, 32);
    ring_push(st, r, echo, seq, st->batch);
    st->turn_acks = true;
    return 0;
}

int ch_store_put_transfer(struct ch_store *st, const struct ch_store_transfer *t)
{
    int rc = need_turn(st);
    if (rc)
        return rc;
    uint8_t k[KEY_MAX];
    size_t kl = key_hash(k, CH_STORE_PREFIX_TRANSFER, t->id);
    return put_enc(st, ch_codec_put_transfer(&st->enc, t), k, kl);
}

int ch_store_delete_transfer(struct ch_store *st, const uint8_t id[32])
{
    int rc = need_turn(st);
    if (rc)
        return rc;
    uint8_t k[KEY_MAX];
    db_batch_delete(st->batch, k, key_hash(k, CH_STORE_PREFIX_TRANSFER, id));
    return 0;
}

int ch_store_put_fees(struct ch_store *st, const struct ch_fee_policy *p)
{
    int rc = need_turn(st);
    if (rc)
        return rc;
    if (p->n_tokens > CH_FEE_ENTRIES_MAX || p->n_channels > CH_FEE_ENTRIES_MAX)
        return err_set(ERR_RANGE, "channel store: fee policy too large");
    return put_enc(st, ch_codec_put_fees(&st->enc, p), (const uint8_t *)CH_STORE_KEY_FEES,
                   strlen(CH_STORE_KEY_FEES));
}

int ch_store_put_watchdog_block(struct ch_store *st, uint64_t block)
{
    int rc = need_turn(st);
    if (rc)
        return rc;
    return put_enc(st, ch_codec_put_u64(&st->enc, block), (const uint8_t *)CH_STORE_KEY_WATCHDOG,
                   strlen(CH_STORE_KEY_WATCHDOG));
}

int ch_store_put_mediated(struct ch_store *st, const struct ch_med_transfer *t)
{
    int rc = need_turn(st);
    if (rc)
        return rc;
    uint8_t k[KEY_MAX];
    size_t kl = key_hash(k, CH_STORE_PREFIX_MEDIATED, t->secret_hash);
    return put_enc(st, ch_codec_put_mediated(&st->enc, t), k, kl);
}

int ch_store_delete_mediated(struct ch_store *st, const uint8_t secret_hash[32])
{
    int rc = need_turn(st);
    if (rc)
        return rc;
    uint8_t k[KEY_MAX];
    db_batch_delete(st->batch, k, key_hash(k, CH_STORE_PREFIX_MEDIATED, secret_hash));
    return 0;
}

/* ---- load ------------------------------------------------------------------------ */

/* Reads a record of a channel life that must exist, decoding it with dec. */
static int get_life_record(struct ch_store *st, uint8_t prefix, const struct ch_channel *ch,
                           int side, int (*dec)(const uint8_t *, size_t, struct ch_end *),
                           struct ch_end *e)
{
    uint8_t k[KEY_MAX], *v = NULL;
    size_t vl;
    key_life(k, prefix, ch->channel_id, ch->open_block);
    k[KEY_CHLIFE] = (uint8_t)side;
    int rc = get_value(st, k, KEY_CHLIFE + 1, &v, &vl);
    if (rc == ERR_NOTFOUND)
        return corrupt(err_set(ERR_DECODE, "missing %s record of a stored channel",
                               prefix == CH_STORE_PREFIX_END ? "end" : "locks"),
                       k, KEY_CHLIFE + 1);
    if (rc)
        return rc;
    rc = dec(v, vl, e);
    free(v);
    return rc ? corrupt(rc, k, KEY_CHLIFE + 1) : 0;
}

static int load_channel(struct ch_store *st, const uint8_t *k, size_t kl, const uint8_t *v,
                        size_t vl, void *ctx)
{
    struct ch_store_state *s = ctx;
    if (kl != KEY_CHLIFE)
        return corrupt(err_set(ERR_DECODE, "channel key of %zu bytes", kl), k, kl);
    if (s->n_channels >= CH_STORE_CHANNELS_MAX)
        return err_set(ERR_RANGE, "channel store: more than %d channels", CH_STORE_CHANNELS_MAX);
    if (s->n_channels % 64 == 0) {
        struct ch_channel *p = realloc(s->channels, (s->n_channels + 64) * sizeof *p);
        if (!p)
            return err_set(ERR_NOMEM, "channel store: channels");
        s->channels = p;
    }
    struct ch_channel *ch = &s->channels[s->n_channels];
    static const uint8_t none[20];
    memset(ch, 0, sizeof *ch);
    ch_end_init(&ch->end[0], none);
    ch_end_init(&ch->end[1], none);
    s->n_channels++;        /* counted now so that a failure frees it */
    int rc = ch_codec_get_channel(v, vl, ch);
    if (rc)
        return corrupt(rc, k, kl);
    if (memcmp(ch->channel_id, k + 1, 32) != 0 || ch->open_block != be_get64(k + 33))
        return corrupt(err_set(ERR_DECODE, "channel record under another key"), k, kl);
    for (int side = 0; side < 2; side++) {
        struct ch_end *e = &ch->end[side];
        rc = get_life_record(st, CH_STORE_PREFIX_END, ch, side, ch_codec_get_end, e);
        if (!rc)
            rc = get_life_record(st, CH_STORE_PREFIX_LOCKS, ch, side, ch_codec_get_locks, e);
        if (rc)
            return rc;
        memcpy(e->bp.channel_id, ch->channel_id, 32);
        e->bp.open_block = ch->open_block;
        if (memcmp(e->locks.root, e->bp.locksroot, 32) != 0) {
            uint8_t ek[KEY_MAX];
            key_life(ek, CH_STORE_PREFIX_LOCKS, ch->channel_id, ch->open_block);
            ek[KEY_CHLIFE] = (uint8_t)side;
            return corrupt(err_set(ERR_DECODE, "locks do not hash to the end's locksroot"), ek,
                           KEY_CHLIFE + 1);
        }
    }
    return 0;
}

static int load_secret(struct ch_store *st, const uint8_t *k, size_t kl, const uint8_t *v,
                       size_t vl, void *ctx)
{
    (void)st;
    struct ch_store_state *s = ctx;
    if (kl != 33)
        return corrupt(err_set(ERR_DECODE, "secret key of %zu bytes", kl), k, kl);
    if (s->n_secrets >= CH_STORE_SECRETS_MAX)
        return err_set(ERR_RANGE, "channel store: more than %u secrets", CH_STORE_SECRETS_MAX);
    if (s->n_secrets % 256 == 0) {
        struct ch_store_secret *p = realloc(s->secrets, (s->n_secrets + 256) * sizeof *p);
        if (!p)
            return err_set(ERR_NOMEM, "channel store: secrets");
        s->secrets = p;
    }
    struct ch_store_secret *x = &s->secrets[s->n_secrets];
    int rc = ch_codec_get_secret(v, vl, x);
    if (!rc && memcmp(x->secret_hash, k + 1, 32) != 0)
        rc = err_set(ERR_DECODE, "secret record under another key");
    if (rc)
        return corrupt(rc, k, kl);
    s->n_secrets++;
    return 0;
}

static int load_disposed(struct ch_store *st, const uint8_t *k, size_t kl, const uint8_t *v,
                         size_t vl, void *ctx)
{
    (void)st;
    struct ch_store_state *s = ctx;
    if (kl != KEY_CHLIFE + 33)
        return corrupt(err_set(ERR_DECODE, "disposed key of %zu bytes", kl), k, kl);
    if (s->n_disposed >= CH_STORE_DISPOSED_MAX)
        return err_set(ERR_RANGE, "channel store: more than %u disposed locks",
                       CH_STORE_DISPOSED_MAX);
    if (s->n_disposed % 64 == 0) {
        struct ch_store_disposed *p = realloc(s->disposed, (s->n_disposed + 64) * sizeof *p);
        if (!p)
            return err_set(ERR_NOMEM, "channel store: disposed locks");
        s->disposed = p;
    }
    struct ch_store_disposed *d = &s->disposed[s->n_disposed];
    int rc = ch_codec_get_disposed(v, vl, d);
    if (rc)
        return corrupt(rc, k, kl);
    s->n_disposed++;
    return 0;
}

static int load_mediated(struct ch_store *st, const uint8_t *k, size_t kl, const uint8_t *v,
                         size_t vl, void *ctx)
{
    (void)st;
    struct ch_store_state *s = ctx;
    if (kl != 33)
        return corrupt(err_set(ERR_DECODE, "mediated key of %zu bytes", kl), k, kl);
    if (s->n_mediated >= CH_STORE_MEDIATED_MAX)
        return err_set(ERR_RANGE, "channel store: more than %u mediated transfers",
                       CH_STORE_MEDIATED_MAX);
    if (s->n_mediated % 64 == 0) {
        struct ch_med_transfer *p = realloc(s->mediated, (s->n_mediated + 64) * sizeof *p);
        if (!p)
            return err_set(ERR_NOMEM, "channel store: mediated transfers");
        s->mediated = p;
    }
    struct ch_med_transfer *t = &s->mediated[s->n_mediated];
    int rc = ch_codec_get_mediated(v, vl, t);
    if (!rc && memcmp(t->secret_hash, k + 1, 32) != 0)
        rc = err_set(ERR_DECODE, "mediated record under another key");
    if (rc)
        return corrupt(rc, k, kl);
    s->n_mediated++;
    return 0;
}

void ch_store_state_free(struct ch_store_state *s)
{
    for (size_t i = 0; i < s->n_channels; i++)
        ch_channel_free(&s->channels[i]);
    free(s->channels);
    free(s->secrets);
    free(s->disposed);
    free(s->mediated);
    ch_fee_policy_free(&s->fees);
    memset(s, 0, sizeof *s);
    ch_fee_policy_init(&s->fees);
}

int ch_store_load(struct ch_store *st, struct ch_store_state *out)
{
    memset(out, 0, sizeof *out);
    ch_fee_policy_init(&out->fees);
    uint8_t prefix = CH_STORE_PREFIX_CHANNEL;
    int rc = scan(st, &prefix, 1, load_channel, out);
    if (!rc) {
        prefix = CH_STORE_PREFIX_SECRET;
        rc = scan(st, &prefix, 1, load_secret, out);
    }
    if (!rc) {
        prefix = CH_STORE_PREFIX_DISPOSED;
        rc = scan(st, &prefix, 1, load_disposed, out);
    }
    if (!rc) {
        prefix = CH_STORE_PREFIX_MEDIATED;
        rc = scan(st, &prefix, 1, load_mediated, out);
    }
    uint8_t *v = NULL;
    size_t vl;
    const uint8_t *fk = (const uint8_t *)CH_STORE_KEY_FEES;
    if (!rc) {
        rc = get_value(st, fk, strlen(CH_STORE_KEY_FEES), &v, &vl);
        if (rc == ERR_NOTFOUND) {
            rc = 0;
        } else if (!rc) {
            rc = ch_codec_get_fees(v, vl, &out->fees);
            if (rc)
                rc = corrupt(rc, fk, strlen(CH_STORE_KEY_FEES));
            free(v);
        }
    }
    const uint8_t *wk = (const uint8_t *)CH_STORE_KEY_WATCHDOG;
    if (!rc) {
        rc = get_value(st, wk, strlen(CH_STORE_KEY_WATCHDOG), &v, &vl);
        if (rc == ERR_NOTFOUND) {
            rc = 0;
        } else if (!rc) {
            rc = ch_codec_get_u64(v, vl, &out->watchdog_block);
            if (rc)
                rc = corrupt(rc, wk, strlen(CH_STORE_KEY_WATCHDOG));
            else
                out->has_watchdog_block = true;
            free(v);
        }
    }
    if (rc) {
        char why[512];
        snprintf(why, sizeof why, "%s", err_msg());
        ch_store_state_free(out);
        return err_set(rc, "%s", why);
    }
    return 0;
}

/* ---- getters ----------------------------------------------------------------------- */

struct outbox_ctx {
    struct ch_store_outbox *v;
    size_t n;
};

static int load_outbox(struct ch_store *st, const uint8_t *k, size_t kl, const uint8_t *v,
                       size_t vl, void *ctx)
{
    (void)st;
    struct outbox_ctx *o = ctx;
    if (kl != 69)
        return corrupt(err_set(ERR_DECODE, "outbox key of %zu bytes", kl), k, kl);
    if (o->n >= CH_STORE_OUTBOX_MAX)
        return err_set(ERR_RANGE, "channel store: more than %u outbox entries",
                       CH_STORE_OUTBOX_MAX);
    if (o->n % 16 == 0) {
        struct ch_store_outbox *p = realloc(o->v, (o->n + 16) * sizeof *p);
        if (!p)
            return err_set(ERR_NOMEM, "channel store: outbox");
        o->v = p;
    }
    struct ch_store_outbox *e = &o->v[o->n];
    int rc = ch_codec_get_outbox(v, vl, e);
    if (!rc && (memcmp(e->partner, k + 1, 20) != 0 || memcmp(e->channel_id, k + 21, 32) != 0 ||
                e->open_block != be_get64(k + 53) || e->nonce != be_get64(k + 61)))
        rc = err_set(ERR_DECODE, "outbox record under another key");
    if (rc)
        return corrupt(rc, k, kl);
    o->n++;
    return 0;
}

int ch_store_outbox_list(struct ch_store *st, const uint8_t partner[20],
                         const uint8_t channel_id[32], uint64_t open_block,
                         struct ch_store_outbox **entries, size_t *n)
{
    *entries = NULL;
    *n = 0;
    uint8_t prefix[KEY_MAX];
    size_t plen = 1;
    prefix[0] = CH_STORE_PREFIX_OUTBOX;
    if (partner) {
        memcpy(prefix + 1, partner, 20);
        plen = 21;
        if (channel_id) {
            memcpy(prefix + 21, channel_id, 32);
            be_put64(prefix + 53, open_block);
            plen = 61;
        }
    }
    struct outbox_ctx o = {NULL, 0};
    int rc = scan(st, prefix, plen, load_outbox, &o);
    if (rc) {
        free(o.v);
        return rc;
    }
    *entries = o.v;
    *n = o.n;
    return 0;
}

int ch_store_get_ack(struct ch_store *st, const uint8_t echo[32],
                     uint8_t packet[CH_STORE_ACK_MAX], size_t *len, uint8_t partner[20])
{
    uint8_t k[KEY_MAX], *v = NULL, who[20];
    size_t vl, kl = key_hash(k, CH_STORE_PREFIX_ACK, echo);
    int rc = get_value(st, k, kl, &v, &vl);
    if (rc)
        return rc;
    rc = ch_codec_get_ack(v, vl, who, packet, len);
    free(v);
    if (rc)
        return corrupt(rc, k, kl);
    if (partner)
        memcpy(partner, who, 20);
    return 0;
}

size_t ch_store_ack_count(const struct ch_store *st, const uint8_t partner[20])
{
    const struct ack_ring *r = ring_find(st, partner);
    return r ? r->count : 0;
}

int ch_store_get_transfer(struct ch_store *st, const uint8_t id[32], struct ch_store_transfer *out)
{
    uint8_t k[KEY_MAX], *v = NULL;
    size_t vl, kl = key_hash(k, CH_STORE_PREFIX_TRANSFER, id);
    int rc = get_value(st, k, kl, &v, &vl);
    if (rc)
        return rc;
    rc = ch_codec_get_transfer(v, vl, out);
    free(v);
    return rc ? corrupt(rc, k, kl) : 0;
}

struct each_ctx {
    int (*fn)(const struct ch_store_transfer *t, void *ctx);
    void *ctx;
};

static int each_transfer(struct ch_store *st, const uint8_t *k, size_t kl, const uint8_t *v,
                         size_t vl, void *ctx)
{
    (void)st;
    struct each_ctx *e = ctx;
    struct ch_store_transfer t;
    int rc = ch_codec_get_transfer(v, vl, &t);
    if (rc)
        return corrupt(rc, k, kl);
    return e->fn(&t, e->ctx);
}

int ch_store_each_transfer(struct ch_store *st,
                           int (*fn)(const struct ch_store_transfer *t, void *ctx), void *ctx)
{
    struct each_ctx e = {fn, ctx};
    uint8_t prefix = CH_STORE_PREFIX_TRANSFER;
    return scan(st, &prefix, 1, each_transfer, &e);
}
