/*
 * test_net_sync.c — the block synchroniser (net/sync.h) over a simulated
 * network.
 *
 * A fake clock advances in 5 ms steps; fake peers answer the sync's
 * requests after a delay (or never, or wrongly, or vanish), always as
 * encoded payloads that go through the eth_msg.h decoders, as on the wire.
 * Two kinds of chain stand behind the peers and the syncing node:
 *   - real chains (chain harness): blocks with signed transfers, executed
 *     and stored in LevelDB; the peers answer with net/eth_serve.h and the
 *     node imports with chain_import_block (a permissive engine), so fork
 *     choice and reorgs are the chain's own;
 *   - fabricated chains: linked headers with bodies of unsigned
 *     transactions whose tx roots are right, for the cases where consensus
 *     does not matter; the node's import checks that each block's parent
 *     is known, that its body is the one its header commits to, and keeps
 *     the heaviest head.
 * Covered: 2,000 real blocks from two peers with the bodies split between
 * them; a reorg of a real chain (A of 50 blocks, a heavier B forking at
 * 30: only B's 31.. are imported); a fork deeper than the span request
 * (binary search) and one deeper than max_reorg; a body peer and the master
 * vanishing mid-sync; non-linking headers, wrong bodies, an invalid block,
 * a TD lie and an idle peer, each penalised while the sync completes from
 * the others; the window and byte bounds with a slow importer; a block
 * from the future; more TD announced during and after a round; a block
 * announced by hash, or a new head, while the round's first question is
 * out (once left the node a block behind); an owner
 * that answers and removes from inside the callbacks; the small helpers.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chain/chain.h"
#include "chain/chaindb.h"
#include "chain/processor.h"
#include "chain_harness.h"
#include "net/eth_msg.h"
#include "net/eth_serve.h"
#include "net/sync.h"
#include "storage/trie_db.h"
#include "util/err.h"

#define NOW_UNIX 1700000000ull
#define NKEYS 4
#define FUNDS 1000000000000000000ull
#define STEP_MS 5
#define MAX_PEERS 4
#define MAX_MSGS 64

/* ---- fabricated chains ------------------------------------------------------ */

struct fblock {
    struct hash32 hash;
    struct bytes hraw, braw;    /* header and body encodings */
    u256 td;
    bool empty;                 /* no transactions */
};

struct fchain {
    struct fblock *b;           /* blocks 0 .. len-1; 0 is the shared genesis */
    size_t len;
};

static struct tx fake_tx(uint64_t number, size_t i, size_t data_len)
{
    struct tx t;
    memset(&t, 0, sizeof t);
    t.nonce = number * 1000 + i;
    t.gas_price = u256_from_u64(1);
    t.gas = 21000;
    t.has_to = true;
    t.to.b[0] = (uint8_t)i;
    t.to.b[19] = 0x77;
    t.value = u256_from_u64(number);
    if (data_len) {
        t.data = malloc(data_len);
        ck_assert_ptr_nonnull(t.data);
        for (size_t k = 0; k < data_len; k++)
            t.data[k] = (uint8_t)(k * 7 + number);
        t.data_len = data_len;
    }
    t.v = u256_from_u64(27);
    t.r[31] = 1;
    t.s[31] = 2;
    return t;
}

/* Block `number` on `parent` (NULL: the genesis). `tag` makes forks
 * differ; a tag starting with "BAD" marks a block the node rejects. */
static void fb_make(struct fblock *out, const struct fblock *parent, uint64_t number,
                    const char *tag, uint64_t difficulty, size_t ntx, size_t data_len)
{
    struct block b;
    memset(&b, 0, sizeof b);
    struct header *h = &b.header;
    if (parent)
        h->parent_hash = parent->hash;
    ck_assert_int_eq(hash32_from_hex(&h->uncle_hash,
                                     "1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347",
                                     64), 0);
    h->coinbase.b[0] = 0xcb;
    h->difficulty = u256_from_u64(difficulty);
    h->number = number;
    h->gas_limit = 8000000;
    h->time = 1000 + number * 15;
    h->extra_len = strlen(tag);
    h->extra = malloc(h->extra_len);
    ck_assert_ptr_nonnull(h->extra);
    memcpy(h->extra, tag, h->extra_len);
    if (ntx) {
        b.body.txs = calloc(ntx, sizeof *b.body.txs);
        ck_assert_ptr_nonnull(b.body.txs);
        for (size_t i = 0; i < ntx; i++)
            b.body.txs[i] = fake_tx(number, i, data_len);
        b.body.tx_count = ntx;
    }
    ck_assert_int_eq(chain_tx_root(b.body.txs, b.body.tx_count, &h->tx_root), 0);
    memset(out, 0, sizeof *out);
    ck_assert_int_eq(header_encode(h, &out->hraw), 0);
    ck_assert_int_eq(block_body_encode(&b.body, &out->braw), 0);
    ck_assert_int_eq(header_hash(h, &out->hash), 0);
    out->td = h->difficulty;
    if (parent)
        u256_add(&out->td, &out->td, &parent->td);
    out->empty = ntx == 0;
    block_free(&b);
}

static void fb_copy(struct fblock *dst, const struct fblock *src)
{
    *dst = *src;
    memset(&dst->hraw, 0, sizeof dst->hraw);
    memset(&dst->braw, 0, sizeof dst->braw);
    ck_assert_int_eq(bytes_append(&dst->hraw, src->hraw.data, src->hraw.len), 0);
    ck_assert_int_eq(bytes_append(&dst->braw, src->braw.data, src->braw.len), 0);
}

/* ntx transactions per block except every fourth block (empty). */
static size_t txs_for(uint64_t number, size_t ntx)
{
    return number % 4 == 0 ? 0 : ntx;
}

/* A chain of `len` blocks (the genesis included) copying blocks 0..at of
 * `src` (NULL: only the genesis is shared) and building the rest with tag,
 * difficulty and ntx transactions of data_len bytes each. */
static void fc_build(struct fchain *c, const struct fchain *src, size_t at, size_t len,
                     const char *tag, uint64_t difficulty, size_t ntx, size_t data_len)
{
    c->len = len;
    c->b = calloc(len, sizeof *c->b);
    ck_assert_ptr_nonnull(c->b);
    size_t i = 0;
    if (src) {
        for (; i <= at && i < len; i++)
            fb_copy(&c->b[i], &src->b[i]);
    } else {
        fb_make(&c->b[0], NULL, 0, "genesis", 1, 0, 0);
        i = 1;
    }
    for (; i < len; i++)
        fb_make(&c->b[i], &c->b[i - 1], i, tag, difficulty, txs_for(i, ntx), data_len);
}

static void fc_free(struct fchain *c)
{
    for (size_t i = 0; i < c->len; i++) {
        bytes_free(&c->b[i].hraw);
        bytes_free(&c->b[i].braw);
    }
    free(c->b);
    memset(c, 0, sizeof *c);
}

static long fc_find(const struct fchain *c, const struct hash32 *h)
{
    for (size_t i = c->len; i-- > 0;)
        if (hash32_eq(&c->b[i].hash, h))
            return (long)i;
    return -1;
}

static void fc_serve_headers(const struct fchain *c, const struct eth_get_headers *q,
                             struct bytes *out)
{
    uint64_t start = q->number;
    if (q->by_hash) {
        long i = fc_find(c, &q->hash);
        if (i < 0) {
            ck_assert_int_eq(eth_list_encode(NULL, 0, out), 0);
            return;
        }
        start = (uint64_t)i;
    }
    struct eth_raw items[ETH_MAX_HEADERS];
    size_t n = 0;
    for (uint64_t k = 0; k < q->amount && n < ETH_MAX_HEADERS; k++) {
        uint64_t num = q->reverse ? start - k * (q->skip + 1) : start + k * (q->skip + 1);
        if (num >= c->len || (q->reverse && k * (q->skip + 1) > start))
            break;
        items[n].data = c->b[num].hraw.data;
        items[n++].len = c->b[num].hraw.len;
    }
    ck_assert_int_eq(eth_list_encode(items, n, out), 0);
}

static void fc_serve_bodies(const struct fchain *c, const struct hash32 *h, size_t n,
                            struct bytes *out)
{
    struct eth_raw items[ETH_MAX_BODIES];
    size_t k = 0;
    for (size_t j = 0; j < n && k < ETH_MAX_BODIES; j++) {
        long i = fc_find(c, &h[j]);
        if (i < 0)
            continue;
        items[k].data = c->b[i].braw.data;
        items[k++].len = c->b[i].braw.len;
    }
    ck_assert_int_eq(eth_list_encode(items, k, out), 0);
}

/* ---- the fabricated node: known blocks and the heaviest head ------------------ */

#define FN_CAP 16384

struct fentry {
    bool used;
    struct hash32 hash;
    uint64_t number;
    u256 td;
};

struct fnode {
    struct fentry *tab;
    struct hash32 head;
    uint64_t head_number;
    u256 head_td;
    uint64_t imported, known, mismatched, unlinked;
    uint64_t first_imported;    /* number of the first block imported (0: none) */
    uint64_t future_at;         /* answer FUTURE once for this block (0: never) */
};

static struct fentry *fn_slot(struct fnode *n, const struct hash32 *h)
{
    uint64_t k;
    memcpy(&k, h->b, sizeof k);
    for (size_t i = 0; i < FN_CAP; i++) {
        struct fentry *e = &n->tab[(k + i) % FN_CAP];
        if (!e->used || hash32_eq(&e->hash, h))
            return e;
    }
    ck_abort_msg("fnode table full");
    return NULL;
}

static bool fn_has(struct fnode *n, const struct hash32 *h)
{
    return fn_slot(n, h)->used;
}

static void fn_add(struct fnode *n, const struct hash32 *h, uint64_t number, const u256 *td)
{
    struct fentry *e = fn_slot(n, h);
    e->used = true;
    e->hash = *h;
    e->number = number;
    e->td = *td;
    if (u256_gt(td, &n->head_td) || (number == 0 && u256_is_zero(&n->head_td))) {
        n->head = *h;
        n->head_number = number;
        n->head_td = *td;
    }
}

/* A node holding blocks 0..upto of chain c. */
static void fn_init(struct fnode *n, const struct fchain *c, size_t upto)
{
    memset(n, 0, sizeof *n);
    n->tab = calloc(FN_CAP, sizeof *n->tab);
    ck_assert_ptr_nonnull(n->tab);
    for (size_t i = 0; i <= upto && i < c->len; i++)
        fn_add(n, &c->b[i].hash, i, &c->b[i].td);
}

static enum sync_import_status fn_import(struct fnode *n, const struct sync_block *sb)
{
    const struct block *b = sb->block;
    struct hash32 h;
    ck_assert_int_eq(header_hash(&b->header, &h), 0);
    ck_assert_msg(hash32_eq(&h, &sb->hash), "block %llu handed with another hash",
                  (unsigned long long)b->header.number);
    if (fn_has(n, &h)) {
        n->known++;
        return SYNC_IMPORT_KNOWN;
    }
    struct fentry *parent = fn_slot(n, &b->header.parent_hash);
    if (!parent->used || parent->number + 1 != b->header.number) {
        n->unlinked++;
        return SYNC_IMPORT_UNKNOWN_PARENT;
    }
    struct hash32 root;
    ck_assert_int_eq(chain_tx_root(b->body.txs, b->body.tx_count, &root), 0);
    if (!hash32_eq(&root, &b->header.tx_root) || b->body.uncle_count) {
        n->mismatched++;
        return SYNC_IMPORT_INVALID;
    }
    if (b->header.extra_len >= 3 && memcmp(b->header.extra, "BAD", 3) == 0)
        return SYNC_IMPORT_INVALID;
    if (n->future_at && b->header.number == n->future_at) {
        n->future_at = 0;
        return SYNC_IMPORT_FUTURE;
    }
    u256 td;
    u256_add(&td, &parent->td, &b->header.difficulty);
    fn_add(n, &h, b->header.number, &td);
    if (!n->first_imported)
        n->first_imported = b->header.number;
    n->imported++;
    return SYNC_IMPORT_OK;
}

/* ---- real chains in LevelDB ------------------------------------------------------ */

struct dbnode {
    char dir[4096];
    struct db *db;
    struct chain_params p;
    struct genesis g;
    struct chain *c;
    struct chain_engine eng;
    uint64_t imported, reorgs, first_imported;
};

static int te_verify(void *ctx, const struct chain_params *p, const struct header *parent,
                     const struct header *h, uint64_t now)
{
    (void)ctx, (void)p, (void)parent, (void)h, (void)now;
    return 0;
}

static int te_validate(void *ctx, const struct chain_params *p, struct evm *evm,
                       const struct header *parent, struct state *st, const struct block *b,
                       const struct address *senders, struct address *signer)
{
    (void)ctx, (void)p, (void)evm, (void)parent, (void)st, (void)b, (void)senders;
    memset(signer, 0, sizeof *signer);
    return 0;
}

static void dn_open(struct dbnode *d, const char *name)
{
    memset(d, 0, sizeof *d);
    ch_tmpdir(d->dir, sizeof d->dir, name);
    d->p = ch_params();
    ch_genesis(&d->g, NKEYS, FUNDS, 8000000);
    ck_assert_int_eq(db_open(d->dir, NULL, &d->db), 0);
    ck_assert_msg(chain_open(d->db, &d->p, &d->g, &d->c) == 0, "%s", err_msg());
    d->eng.verify_header = te_verify;
    d->eng.validate_block = te_validate;
}

static void dn_close(struct dbnode *d)
{
    chain_close(d->c);
    db_close(d->db);
    genesis_free(&d->g);
    ch_rmdir(d->dir);
}

/* Builds a block on d's head with the txs, difficulty and a time salt. */
static void dn_build(struct dbnode *d, const struct tx *txs, size_t n, uint64_t difficulty,
                     uint64_t salt, struct block *b)
{
    struct trie_db tdb;
    trie_db_init(&tdb, d->db, NULL, NULL);
    struct trie_store store = trie_db_store(&tdb);
    struct chain_exec_result r;
    struct header parent;
    ck_assert_int_eq(header_copy(&parent, &d->c->head), 0);
    ck_assert_msg(ch_build_block(&d->p, &store, &parent, txs, n, b, &r) == 0, "%s", err_msg());
    b->header.difficulty = u256_from_u64(difficulty);
    b->header.time += salt;
    chain_exec_result_free(&r);
    trie_db_release(&tdb);
    header_free(&parent);
}

static int dn_import(struct dbnode *d, const struct block *b, bool *known)
{
    struct chain_import_result r;
    int rc = chain_import_block(d->c, &d->eng, b, NOW_UNIX, &r);
    if (rc == 0) {
        *known = r.status == CHAIN_INSERT_KNOWN;
        if (r.status == CHAIN_INSERT_REORG)
            d->reorgs++;
        chain_import_result_free(&r);
    }
    return rc;
}

/* Imports b and expects it to be accepted. */
static void dn_add(struct dbnode *d, const struct block *b)
{
    bool known;
    ck_assert_msg(dn_import(d, b, &known) == 0, "%s", err_msg());
}

/* Blocks with 1..3 transfers each (block i: 1 + i % 3), keys taking turns. */
static void dn_txs(struct dbnode *d, uint64_t i, uint64_t *nonce, struct tx *txs, size_t *n)
{
    struct address to;
    uint8_t sk[32];
    ch_key(9, sk, &to);
    *n = 1 + i % 3;
    for (size_t k = 0; k < *n; k++) {
        int key = (int)((i + k) % NKEYS);
        txs[k] = ch_tx(key, nonce[key]++, &to, i * 10 + k, 21000, CH_GWEI, NULL, 0,
                       d->p.chain_id);
    }
}

static bool dn_has(struct dbnode *d, const struct hash32 *h)
{
    u256 td;
    return chaindb_read_td(d->db, NULL, h, &td) == 0;
}

/* ---- the simulated network ------------------------------------------------------- */

enum {
    P_SILENT_HEADERS = 1,   /* never answers GetBlockHeaders */
    P_SILENT_BODIES = 2,    /* never answers GetBlockBodies */
    P_BAD_LINK = 4,         /* its second batch of headers has a broken link */
    P_WRONG_BODIES = 8,     /* answers bodies with a transaction dropped */
};

struct fpeer {
    uint64_t id;
    bool present;
    const struct fchain *fc;    /* or */
    struct dbnode *dn;
    int mode;
    uint64_t delay;             /* answer after this many ms (plus jitter) */
    int vanish_after_headers;   /* leaves after this many header answers (0: never) */
    int vanish_after_bodies;
    u256 td;                    /* announced */
    struct hash32 head;
    int busy_bodies;            /* refuse this many body requests as busy */
    bool fail_bodies;           /* refuse body requests as a dead transport */
    int header_answers, body_answers, fetch_batches, body_requests, empty_answers;
    uint64_t bodies_sent;
};

struct tmsg {
    bool used;
    int peer;
    bool headers;
    struct bytes payload;
    uint64_t due, seq;
};

struct penalty {
    uint64_t peer;
    enum sync_fault fault;
    enum sync_severity sev;
};

struct tnet {
    struct sync *s;
    uint64_t now, seq, rng;
    struct fpeer peers[MAX_PEERS];
    size_t npeers;
    struct tmsg msgs[MAX_MSGS];
    struct fnode *fn;           /* the node: fabricated or */
    struct dbnode *dn;          /* real */
    bool sync_answers;          /* answer inside the request callbacks */
    uint64_t import_delay;      /* 0: results inside import(); else after this many ms */
    bool disconnect_bad;        /* remove a peer with a fatal or stalling fault */
    /* a deferred import */
    const struct sync_block *pending;
    size_t npending;
    uint64_t pending_due;
    /* what the callbacks saw */
    struct penalty pen[256];
    size_t npen;
    uint64_t unrequested;
    uint64_t last_import_number;
    uint64_t first_import_number;
    uint64_t max_header_number;     /* highest header answered in a by-number batch */
    uint64_t max_ahead;             /* max of max_header_number - last imported */
    size_t progress_calls;
    struct sync_progress last_prog;
    uint64_t max_highest;
    bool saw_syncing;
};

static uint64_t rnd(struct tnet *t)
{
    t->rng ^= t->rng << 13;
    t->rng ^= t->rng >> 7;
    t->rng ^= t->rng << 17;
    return t->rng;
}

static struct fpeer *peer_of(struct tnet *t, uint64_t id)
{
    for (size_t i = 0; i < t->npeers; i++)
        if (t->peers[i].id == id)
            return &t->peers[i];
    return NULL;
}

static void deliver(struct tnet *t, struct tmsg *m);

static void enqueue(struct tnet *t, struct fpeer *p, bool headers, struct bytes *payload)
{
    if (t->sync_answers) {
        struct tmsg m = {true, (int)(p - t->peers), headers, *payload, t->now, t->seq++};
        deliver(t, &m);
        return;
    }
    for (size_t i = 0; i < MAX_MSGS; i++) {
        struct tmsg *m = &t->msgs[i];
        if (m->used)
            continue;
        m->used = true;
        m->peer = (int)(p - t->peers);
        m->headers = headers;
        m->payload = *payload;
        m->due = t->now + p->delay + (p->delay ? rnd(t) % (p->delay / 2 + 1) : 0);
        m->seq = t->seq++;
        return;
    }
    ck_abort_msg("message queue full");
}

static void vanish(struct tnet *t, struct fpeer *p)
{
    p->present = false;
    sync_peer_remove(t->s, p->id);
}

static int cb_request_headers(void *ctx, uint64_t peer, const struct eth_get_headers *q)
{
    struct tnet *t = ctx;
    struct fpeer *p = peer_of(t, peer);
    ck_assert_ptr_nonnull(p);
    ck_assert_msg(p->present, "headers asked of a peer that left");
    ck_assert_uint_le(q->amount, ETH_MAX_HEADERS);
    if (p->mode & P_SILENT_HEADERS)
        return 0;
    struct bytes out = BYTES_INIT;
    if (p->fc)
        fc_serve_headers(p->fc, q, &out);
    else
        ck_assert_int_eq(eth_serve_headers(p->dn->db, q, &out, NULL), 0);
    if (!q->by_hash && q->amount > 1) {
        p->fetch_batches++;
        if ((p->mode & P_BAD_LINK) && p->fetch_batches == 2) {
            /* swap two headers in the middle: numbers and links broken */
            struct eth_headers h;
            ck_assert_int_eq(eth_block_headers_decode(out.data, out.len, &h), 0);
            if (h.count >= 4) {
                struct eth_raw items[ETH_MAX_HEADERS];
                for (size_t i = 0; i < h.count; i++)
                    items[i] = h.items[i].raw;
                struct eth_raw tmp = items[1];
                items[1] = items[2];
                items[2] = tmp;
                struct bytes bad = BYTES_INIT;
                ck_assert_int_eq(eth_list_encode(items, h.count, &bad), 0);
                eth_headers_free(&h);
                bytes_free(&out);
                out = bad;
            } else {
                eth_headers_free(&h);
            }
        }
    }
    enqueue(t, p, true, &out);
    return 0;
}

static int cb_request_bodies(void *ctx, uint64_t peer, const struct hash32 *hashes, size_t n)
{
    struct tnet *t = ctx;
    struct fpeer *p = peer_of(t, peer);
    ck_assert_ptr_nonnull(p);
    ck_assert_msg(p->present, "bodies asked of a peer that left");
    ck_assert_uint_ge(n, 1);
    ck_assert_uint_le(n, ETH_MAX_BODIES);
    p->body_requests++;
    if (p->fail_bodies)
        return ERR_IO;
    if (p->busy_bodies > 0) {
        p->busy_bodies--;
        return ERR_BADSTATE;
    }
    if (p->mode & P_SILENT_BODIES)
        return 0;
    struct bytes out = BYTES_INIT;
    if (p->fc)
        fc_serve_bodies(p->fc, hashes, n, &out);
    else
        ck_assert_int_eq(eth_serve_bodies(p->dn->db, hashes, n, &out, NULL), 0);
    if (p->mode & P_WRONG_BODIES) {
        /* drop the last transaction of the first body that has one */
        struct eth_bodies b;
        ck_assert_int_eq(eth_block_bodies_decode(out.data, out.len, &b), 0);
        struct bytes bad = BYTES_INIT;
        size_t m = rlp_list_begin(&bad);
        bool done = false;
        for (size_t i = 0; i < b.count; i++) {
            struct block_body *body = &b.items[i].body;
            size_t keep = body->tx_count;
            if (!done && keep) {
                body->tx_count = keep - 1;
                done = true;
            }
            ck_assert_int_eq(block_body_encode(body, &bad), 0);
            body->tx_count = keep;
        }
        ck_assert_int_eq(rlp_list_end(&bad, m), 0);
        eth_bodies_free(&b);
        bytes_free(&out);
        out = bad;
    }
    enqueue(t, p, false, &out);
    return 0;
}

static void deliver(struct tnet *t, struct tmsg *slot)
{
    /* the slot is free from here: answering may queue new messages */
    struct tmsg copy = *slot, *m = &copy;
    slot->used = false;
    struct fpeer *p = &t->peers[m->peer];
    if (!p->present) {
        bytes_free(&m->payload);
        return;
    }
    if (m->headers) {
        struct eth_headers h;
        ck_assert_msg(eth_block_headers_decode(m->payload.data, m->payload.len, &h) == 0, "%s",
                      err_msg());
        for (size_t i = 0; i < h.count; i++)
            if (h.count > 1 && h.items[i].header.number > t->max_header_number)
                t->max_header_number = h.items[i].header.number;
        if (t->max_header_number > t->last_import_number &&
            t->max_header_number - t->last_import_number > t->max_ahead && h.count > 1)
            t->max_ahead = t->max_header_number - t->last_import_number;
        if (sync_on_headers(t->s, p->id, &h) == ERR_NOTFOUND)
            t->unrequested++;
        eth_headers_free(&h);
        p->header_answers++;
        if (p->vanish_after_headers && p->header_answers >= p->vanish_after_headers && p->present)
            vanish(t, p);
    } else {
        struct eth_bodies b;
        ck_assert_msg(eth_block_bodies_decode(m->payload.data, m->payload.len, &b) == 0, "%s",
                      err_msg());
        p->bodies_sent += b.count;
        p->empty_answers += b.count == 0;
        if (sync_on_bodies(t->s, p->id, &b) == ERR_NOTFOUND)
            t->unrequested++;
        eth_bodies_free(&b);
        p->body_answers++;
        if (p->vanish_after_bodies && p->body_answers >= p->vanish_after_bodies && p->present)
            vanish(t, p);
    }
    bytes_free(&m->payload);
}

static enum sync_import_status import_one(struct tnet *t, const struct sync_block *sb)
{
    uint64_t num = sb->block->header.number;
    if (t->last_import_number)
        ck_assert_msg(num <= t->last_import_number + 1, "block %llu after %llu",
                      (unsigned long long)num, (unsigned long long)t->last_import_number);
    enum sync_import_status st;
    if (t->fn) {
        st = fn_import(t->fn, sb);
    } else {
        bool known = false;
        int rc = dn_import(t->dn, sb->block, &known);
        st = sync_import_status_of(rc, known);
        if (st == SYNC_IMPORT_OK) {
            t->dn->imported++;
            if (!t->dn->first_imported)
                t->dn->first_imported = num;
        }
    }
    if (st == SYNC_IMPORT_OK || st == SYNC_IMPORT_KNOWN) {
        if (!t->first_import_number)
            t->first_import_number = num;
        t->last_import_number = num;
    }
    return st;
}

static void finish_import(struct tnet *t, const struct sync_block *blocks, size_t n)
{
    enum sync_import_status st[SYNC_IMPORT_BATCH];
    size_t k = 0;
    while (k < n) {
        st[k] = import_one(t, &blocks[k]);
        k++;
        if (st[k - 1] != SYNC_IMPORT_OK && st[k - 1] != SYNC_IMPORT_KNOWN)
            break;
    }
    sync_import_done(t->s, st, k);
}

static void cb_import(void *ctx, const struct sync_block *blocks, size_t n)
{
    struct tnet *t = ctx;
    ck_assert_uint_ge(n, 1);
    ck_assert_uint_le(n, SYNC_IMPORT_BATCH);
    ck_assert_msg(t->npending == 0, "a second batch while one is out");
    for (size_t i = 1; i < n; i++)
        ck_assert(hash32_eq(&blocks[i].block->header.parent_hash, &blocks[i - 1].hash));
    if (t->import_delay) {
        t->pending = blocks;
        t->npending = n;
        t->pending_due = t->now + t->import_delay;
        return;
    }
    finish_import(t, blocks, n);
}

static void cb_penalize(void *ctx, uint64_t peer, enum sync_fault fault, enum sync_severity sev,
                        const char *reason)
{
    struct tnet *t = ctx;
    ck_assert_ptr_nonnull(reason);
    ck_assert(reason[0]);
    if (t->npen < 256)
        t->pen[t->npen++] = (struct penalty){peer, fault, sev};
    struct fpeer *p = peer_of(t, peer);
    ck_assert_ptr_nonnull(p);
    if (t->disconnect_bad && p->present &&
        (sev == SYNC_SEV_FATAL || fault == SYNC_FAULT_STALLING))
        vanish(t, p);   /* from inside the callback, as the node does */
}

static void cb_local_head(void *ctx, struct sync_head *out)
{
    struct tnet *t = ctx;
    if (t->fn) {
        out->number = t->fn->head_number;
        out->hash = t->fn->head;
        out->td = t->fn->head_td;
    } else {
        out->number = t->dn->c->head.number;
        out->hash = t->dn->c->head_hash;
        out->td = t->dn->c->head_td;
    }
}

static bool cb_has_block(void *ctx, const struct hash32 *hash, uint64_t number)
{
    struct tnet *t = ctx;
    (void)number;
    return t->fn ? fn_has(t->fn, hash) : dn_has(t->dn, hash);
}

static void cb_progress(void *ctx, const struct sync_progress *p)
{
    struct tnet *t = ctx;
    t->progress_calls++;
    t->last_prog = *p;
    if (p->syncing) {
        t->saw_syncing = true;
        ck_assert_uint_ge(p->current_block, p->starting_block);
        ck_assert_uint_ge(p->highest_block, p->current_block);
        if (p->highest_block > t->max_highest)
            t->max_highest = p->highest_block;
    }
}

static struct sync_config test_config(void)
{
    struct sync_config c;
    sync_config_default(&c);
    c.timeout_ms = 1000;
    c.backoff_ms = 200;
    c.backoff_max_ms = 1000;
    c.retry_ms = 100;
    c.log_interval_ms = 0;
    return c;
}

static void net_init_clockless(struct tnet *t, const struct sync_config *cfg)
{
    memset(t, 0, sizeof *t);
    t->rng = 0x9e3779b97f4a7c15ull;
    t->now = 1000;
    struct sync_callbacks cb = {
        .ctx = t,
        .request_headers = cb_request_headers,
        .request_bodies = cb_request_bodies,
        .import = cb_import,
        .penalize = cb_penalize,
        .local_head = cb_local_head,
        .has_block = cb_has_block,
        .progress = cb_progress,
    };
    struct sync_config c = cfg ? *cfg : test_config();
    ck_assert_int_eq(sync_new(&c, &cb, &t->s), 0);
}

static void net_init(struct tnet *t, const struct sync_config *cfg)
{
    net_init_clockless(t, cfg);
    sync_tick(t->s, t->now);
}

/* Adds a peer serving fc (or dn) announcing td and head; announced now
 * when `join`. */
static struct fpeer *net_peer(struct tnet *t, uint64_t id, const struct fchain *fc,
                              struct dbnode *dn, uint64_t delay)
{
    ck_assert_uint_lt(t->npeers, MAX_PEERS);
    struct fpeer *p = &t->peers[t->npeers++];
    memset(p, 0, sizeof *p);
    p->id = id;
    p->fc = fc;
    p->dn = dn;
    p->delay = delay;
    if (fc) {
        p->td = fc->b[fc->len - 1].td;
        p->head = fc->b[fc->len - 1].hash;
    } else {
        p->td = dn->c->head_td;
        p->head = dn->c->head_hash;
    }
    return p;
}

static void net_join(struct tnet *t, struct fpeer *p)
{
    p->present = true;
    ck_assert_int_eq(sync_peer_add(t->s, p->id, &p->td, &p->head), 0);
}

static bool queue_empty(const struct tnet *t)
{
    for (size_t i = 0; i < MAX_MSGS; i++)
        if (t->msgs[i].used)
            return false;
    return true;
}

static bool head_is(struct tnet *t, const struct hash32 *want)
{
    struct sync_head h;
    cb_local_head(t, &h);
    return hash32_eq(&h.hash, want);
}

/* Runs the network for at most max_ms of simulated time, until the node's
 * head is `want` (NULL: until the sync is idle with nothing in flight).
 * Returns true when that happened. */
static bool net_run(struct tnet *t, uint64_t max_ms, const struct hash32 *want)
{
    uint64_t end = t->now + max_ms;
    while (t->now < end) {
        for (;;) {
            struct tmsg *next = NULL;
            for (size_t i = 0; i < MAX_MSGS; i++) {
                struct tmsg *m = &t->msgs[i];
                if (m->used && m->due <= t->now && (!next || m->seq < next->seq))
                    next = m;
            }
            if (!next)
                break;
            deliver(t, next);
        }
        if (t->npending && t->now >= t->pending_due) {
            const struct sync_block *b = t->pending;
            size_t n = t->npending;
            t->npending = 0;
            finish_import(t, b, n);
        }
        sync_tick(t->s, t->now);
        bool idle = !sync_active(t->s) && queue_empty(t) && !t->npending;
        if (want ? head_is(t, want) && idle : idle)
            return true;
        t->now += STEP_MS;
    }
    return false;
}

static void net_free(struct tnet *t)
{
    for (size_t i = 0; i < MAX_MSGS; i++)
        if (t->msgs[i].used)
            bytes_free(&t->msgs[i].payload);
    if (t->npending) {
        enum sync_import_status st = SYNC_IMPORT_ERROR;
        sync_import_done(t->s, &st, 1);
    }
    sync_free(t->s);
}

static size_t penalties(const struct tnet *t, uint64_t peer, enum sync_fault f,
                        enum sync_severity sev)
{
    size_t n = 0;
    for (size_t i = 0; i < t->npen; i++)
        if (t->pen[i].peer == peer && t->pen[i].fault == f && t->pen[i].sev == sev)
            n++;
    return n;
}

static size_t penalties_of(const struct tnet *t, uint64_t peer)
{
    size_t n = 0;
    for (size_t i = 0; i < t->npen; i++)
        if (t->pen[i].peer == peer)
            n++;
    return n;
}

static size_t nonempty_blocks(const struct fchain *c, size_t from)
{
    size_t n = 0;
    for (size_t i = from; i < c->len; i++)
        n += !c->b[i].empty;
    return n;
}

static double wall_ms(const struct timespec *a)
{
    struct timespec b;
    clock_gettime(CLOCK_MONOTONIC, &b);
    return (double)(b.tv_sec - a->tv_sec) * 1e3 + (double)(b.tv_nsec - a->tv_nsec) / 1e6;
}

/* ---- real chains ------------------------------------------------------------------ */

#define LONG_CHAIN 2000

START_TEST(syncs_2000_real_blocks_from_two_peers)
{
    struct dbnode src, node;
    dn_open(&src, "test_net_sync_src");
    dn_open(&node, "test_net_sync_node");
    uint64_t nonce[NKEYS] = {0};
    size_t ntxs = 0;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (uint64_t i = 1; i <= LONG_CHAIN; i++) {
        struct tx txs[3];
        size_t n;
        dn_txs(&src, i, nonce, txs, &n);
        struct block b;
        dn_build(&src, txs, n, 2, 0, &b);
        dn_add(&src, &b);
        block_free(&b);
        for (size_t k = 0; k < n; k++)
            tx_free(&txs[k]);
        ntxs += n;
    }
    double build_ms = wall_ms(&t0);
    ck_assert_uint_eq(src.c->head.number, LONG_CHAIN);

    struct tnet t;
    net_init(&t, NULL);
    t.dn = &node;
    struct fpeer *a = net_peer(&t, 11, NULL, &src, 20);
    struct fpeer *b = net_peer(&t, 12, NULL, &src, 30);
    net_join(&t, a);
    net_join(&t, b);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    uint64_t start = t.now;
    ck_assert_msg(net_run(&t, 600000, &src.c->head_hash), "not synced: head %llu",
                  (unsigned long long)node.c->head.number);
    double sync_ms = wall_ms(&t0);

    ck_assert_uint_eq(node.c->head.number, LONG_CHAIN);
    ck_assert(u256_eq(&node.c->head_td, &src.c->head_td));
    ck_assert_uint_eq(node.imported, LONG_CHAIN);
    ck_assert_uint_eq(node.first_imported, 1);
    ck_assert_uint_eq(t.npen, 0);
    ck_assert_uint_eq(t.unrequested, 0);
    /* every block has transactions: both peers served a real share */
    ck_assert_uint_ge(a->bodies_sent, LONG_CHAIN / 4);
    ck_assert_uint_ge(b->bodies_sent, LONG_CHAIN / 4);
    ck_assert_uint_eq(a->bodies_sent + b->bodies_sent, LONG_CHAIN);
    struct sync_stats st;
    sync_get_stats(t.s, &st);
    ck_assert_uint_eq(st.rounds, 1);
    ck_assert_uint_eq(st.imported, LONG_CHAIN);
    ck_assert_uint_eq(st.held, 0);
    ck_assert_uint_le(st.peak_held, 2048);
    /* progress: seen while syncing, towards 2000, and idle at the end */
    ck_assert(t.saw_syncing);
    ck_assert_uint_eq(t.max_highest, LONG_CHAIN);
    ck_assert(!t.last_prog.syncing);
    printf("sync: %d real blocks (%zu txs) from 2 peers: built in %.0f ms, synced in %.0f ms "
           "wall (%.0f blocks/s), %llu ms simulated; %llu header + %llu body requests; "
           "bodies %llu/%llu; peak %zu blocks, %zu KiB held\n",
           LONG_CHAIN, ntxs, build_ms, sync_ms, LONG_CHAIN * 1000.0 / sync_ms,
           (unsigned long long)(t.now - start), (unsigned long long)st.header_requests,
           (unsigned long long)st.body_requests, (unsigned long long)a->bodies_sent,
           (unsigned long long)b->bodies_sent, st.peak_held, st.peak_bytes / 1024);
    net_free(&t);
    dn_close(&src);
    dn_close(&node);
}
END_TEST

START_TEST(reorgs_to_a_heavier_real_chain)
{
    /* A: 50 blocks of difficulty 2 on the node; B: A's first 30, then 15
     * blocks of difficulty 10 (TD 60 + 150 > 100) on the peer. */
    struct dbnode node, peer;
    dn_open(&node, "test_net_sync_a");
    dn_open(&peer, "test_net_sync_b");
    uint64_t nonce[NKEYS] = {0};
    for (uint64_t i = 1; i <= 50; i++) {
        struct tx txs[3];
        size_t n;
        dn_txs(&node, i, nonce, txs, &n);
        struct block b;
        dn_build(&node, txs, n, 2, 0, &b);
        dn_add(&node, &b);
        if (i <= 30)
            dn_add(&peer, &b);
        block_free(&b);
        for (size_t k = 0; k < n; k++)
            tx_free(&txs[k]);
    }
    struct hash32 a30, a31;
    ck_assert_int_eq(chaindb_read_canonical(node.db, NULL, 30, &a30), 0);
    ck_assert_int_eq(chaindb_read_canonical(node.db, NULL, 31, &a31), 0);
    /* B spends the same keys differently: the nonces as they were after 30 */
    uint64_t bnonce[NKEYS] = {0};
    for (uint64_t i = 1; i <= 30; i++)
        for (size_t k = 0; k < 1 + i % 3; k++)
            bnonce[(i + k) % NKEYS]++;
    for (uint64_t i = 31; i <= 45; i++) {
        struct tx txs[3];
        size_t n;
        dn_txs(&peer, i + 100, bnonce, txs, &n);
        struct block b;
        dn_build(&peer, txs, n, 10, 7, &b);
        dn_add(&peer, &b);
        block_free(&b);
        for (size_t k = 0; k < n; k++)
            tx_free(&txs[k]);
    }
    ck_assert_uint_eq(peer.c->head.number, 45);
    ck_assert(u256_gt(&peer.c->head_td, &node.c->head_td));

    struct tnet t;
    net_init(&t, NULL);
    t.dn = &node;
    net_join(&t, net_peer(&t, 7, NULL, &peer, 15));
    ck_assert(net_run(&t, 60000, &peer.c->head_hash));
    ck_assert_uint_eq(node.c->head.number, 45);
    ck_assert_uint_eq(node.first_imported, 31);     /* nothing below the fork again */
    ck_assert_uint_eq(t.first_import_number, 31);
    ck_assert_uint_eq(node.imported, 15);
    ck_assert_uint_ge(node.reorgs, 1);
    struct hash32 h30, h31;
    ck_assert_int_eq(chaindb_read_canonical(node.db, NULL, 30, &h30), 0);
    ck_assert_int_eq(chaindb_read_canonical(node.db, NULL, 31, &h31), 0);
    ck_assert(hash32_eq(&h30, &a30));
    ck_assert(!hash32_eq(&h31, &a31));
    ck_assert(dn_has(&node, &a31));     /* A's blocks stay stored */
    ck_assert_uint_eq(t.npen, 0);
    net_free(&t);
    dn_close(&node);
    dn_close(&peer);
}
END_TEST

/* ---- fabricated chains ------------------------------------------------------------ */

START_TEST(bodies_come_from_every_peer)
{
    struct fchain c;
    fc_build(&c, NULL, 0, 1201, "main", 2, 2, 0);
    struct fnode fn;
    fn_init(&fn, &c, 0);
    struct tnet t;
    net_init(&t, NULL);
    t.fn = &fn;
    struct fpeer *p[3];
    for (int i = 0; i < 3; i++) {
        p[i] = net_peer(&t, 100 + (uint64_t)i, &c, NULL, 10 + 15 * (uint64_t)i);
        net_join(&t, p[i]);
    }
    ck_assert(net_run(&t, 60000, &c.b[c.len - 1].hash));
    ck_assert_uint_eq(fn.imported, c.len - 1);
    ck_assert_uint_eq(fn.mismatched, 0);
    ck_assert_uint_eq(fn.unlinked, 0);
    uint64_t total = 0;
    for (int i = 0; i < 3; i++) {
        ck_assert_uint_gt(p[i]->bodies_sent, 0);
        total += p[i]->bodies_sent;
    }
    /* empty blocks are never asked for; nothing is asked twice */
    ck_assert_uint_eq(total, nonempty_blocks(&c, 1));
    ck_assert_uint_eq(t.npen, 0);
    net_free(&t);
    free(fn.tab);
    fc_free(&c);
}
END_TEST

START_TEST(survives_a_body_peer_vanishing)
{
    struct fchain c;
    fc_build(&c, NULL, 0, 1000, "main", 2, 2, 0);
    struct fnode fn;
    fn_init(&fn, &c, 0);
    struct tnet t;
    net_init(&t, NULL);
    t.fn = &fn;
    struct fpeer *m = net_peer(&t, 1, &c, NULL, 10);
    struct fpeer *v = net_peer(&t, 2, &c, NULL, 15);
    v->vanish_after_bodies = 2;     /* with its third request in flight */
    net_join(&t, m);
    net_join(&t, v);
    ck_assert(net_run(&t, 60000, &c.b[c.len - 1].hash));
    ck_assert(!v->present);
    ck_assert_uint_eq(v->body_answers, 2);
    ck_assert_uint_eq(fn.imported, c.len - 1);
    ck_assert_uint_eq(fn.mismatched, 0);
    /* what it had in flight came from the other peer */
    ck_assert_uint_eq(m->bodies_sent + v->bodies_sent, nonempty_blocks(&c, 1));
    ck_assert_uint_eq(t.npen, 0);
    struct sync_stats st;
    sync_get_stats(t.s, &st);
    ck_assert_uint_eq(st.rounds, 1);
    net_free(&t);
    free(fn.tab);
    fc_free(&c);
}
END_TEST

START_TEST(survives_the_master_vanishing)
{
    struct fchain c;
    fc_build(&c, NULL, 0, 1000, "main", 2, 2, 0);
    struct fnode fn;
    fn_init(&fn, &c, 0);
    struct tnet t;
    net_init(&t, NULL);
    t.fn = &fn;
    struct fpeer *m = net_peer(&t, 1, &c, NULL, 10);
    struct fpeer *o = net_peer(&t, 2, &c, NULL, 10);
    u256 more = u256_from_u64(1);
    u256_add(&m->td, &m->td, &more);    /* m is chosen first */
    m->vanish_after_headers = 4;        /* head, span, two batches */
    net_join(&t, m);
    net_join(&t, o);
    ck_assert(net_run(&t, 60000, &c.b[c.len - 1].hash));
    ck_assert(!m->present);
    ck_assert_uint_eq(fn.imported, c.len - 1);
    ck_assert_uint_eq(fn.unlinked, 0);
    struct sync_stats st;
    sync_get_stats(t.s, &st);
    ck_assert_uint_eq(st.rounds, 2);
    ck_assert_uint_eq(t.npen, 0);
    net_free(&t);
    free(fn.tab);
    fc_free(&c);
}
END_TEST

START_TEST(non_linking_headers_are_penalised)
{
    struct fchain c;
    fc_build(&c, NULL, 0, 800, "main", 2, 1, 0);
    struct fnode fn;
    fn_init(&fn, &c, 0);
    struct tnet t;
    net_init(&t, NULL);
    t.fn = &fn;
    t.disconnect_bad = true;
    struct fpeer *liar = net_peer(&t, 66, &c, NULL, 10);
    struct fpeer *good = net_peer(&t, 1, &c, NULL, 10);
    liar->mode = P_BAD_LINK;
    u256 more = u256_from_u64(5);
    u256_add(&liar->td, &liar->td, &more);
    net_join(&t, liar);
    net_join(&t, good);
    ck_assert(net_run(&t, 60000, &c.b[c.len - 1].hash));
    ck_assert_uint_eq(penalties(&t, 66, SYNC_FAULT_BAD_HEADERS, SYNC_SEV_FATAL), 1);
    ck_assert(!liar->present);
    ck_assert_uint_eq(penalties_of(&t, 1), 0);
    ck_assert_uint_eq(fn.imported, c.len - 1);
    ck_assert_uint_eq(fn.unlinked, 0);
    ck_assert_uint_eq(fn.mismatched, 0);
    net_free(&t);
    free(fn.tab);
    fc_free(&c);
}
END_TEST

START_TEST(wrong_bodies_are_penalised)
{
    struct fchain c;
    fc_build(&c, NULL, 0, 800, "main", 2, 3, 0);
    struct fnode fn;
    fn_init(&fn, &c, 0);
    struct tnet t;
    net_init(&t, NULL);
    t.fn = &fn;
    t.disconnect_bad = true;
    struct fpeer *good = net_peer(&t, 1, &c, NULL, 30);
    struct fpeer *bad = net_peer(&t, 2, &c, NULL, 5);
    bad->mode = P_WRONG_BODIES;
    net_join(&t, good);
    net_join(&t, bad);
    ck_assert(net_run(&t, 60000, &c.b[c.len - 1].hash));
    ck_assert_uint_eq(penalties(&t, 2, SYNC_FAULT_BAD_BODIES, SYNC_SEV_FATAL), 1);
    ck_assert(!bad->present);
    ck_assert_uint_eq(penalties_of(&t, 1), 0);
    ck_assert_uint_eq(fn.imported, c.len - 1);
    ck_assert_uint_eq(fn.mismatched, 0);    /* no wrong body ever reached import */
    net_free(&t);
    free(fn.tab);
    fc_free(&c);
}
END_TEST

START_TEST(wrong_bodies_kept_out_without_disconnect)
{
    /* the owner only scores the fault: the sync must stop asking by itself */
    struct fchain c;
    fc_build(&c, NULL, 0, 600, "main", 2, 3, 0);
    struct fnode fn;
    fn_init(&fn, &c, 0);
    struct tnet t;
    net_init(&t, NULL);
    t.fn = &fn;
    struct fpeer *good = net_peer(&t, 1, &c, NULL, 30);
    struct fpeer *bad = net_peer(&t, 2, &c, NULL, 5);
    bad->mode = P_WRONG_BODIES;
    net_join(&t, good);
    net_join(&t, bad);
    ck_assert(net_run(&t, 60000, &c.b[c.len - 1].hash));
    ck_assert_uint_eq(penalties(&t, 2, SYNC_FAULT_BAD_BODIES, SYNC_SEV_FATAL), 1);
    ck_assert_uint_eq(bad->body_answers, 1);
    ck_assert_uint_eq(fn.imported, c.len - 1);
    ck_assert_uint_eq(fn.mismatched, 0);
    net_free(&t);
    free(fn.tab);
    fc_free(&c);
}
END_TEST

START_TEST(invalid_block_penalises_its_source)
{
    /* the liar's chain has an invalid block at 300 and more TD */
    struct fchain good, bad;
    fc_build(&good, NULL, 0, 700, "main", 2, 1, 0);
    fc_build(&bad, &good, 299, 900, "BAD", 2, 1, 0);
    struct fnode fn;
    fn_init(&fn, &good, 0);
    struct tnet t;
    net_init(&t, NULL);
    t.fn = &fn;
    t.disconnect_bad = true;
    struct fpeer *liar = net_peer(&t, 9, &bad, NULL, 10);
    struct fpeer *honest = net_peer(&t, 1, &good, NULL, 10);
    net_join(&t, liar);
    net_join(&t, honest);
    ck_assert(net_run(&t, 60000, &good.b[good.len - 1].hash));
    ck_assert_uint_eq(penalties(&t, 9, SYNC_FAULT_INVALID_BLOCK, SYNC_SEV_FATAL), 1);
    ck_assert_uint_eq(penalties_of(&t, 1), 0);
    ck_assert(!liar->present);
    ck_assert_uint_eq(fn.head_number, good.len - 1);
    /* 1..299 once from the liar, 300.. from the honest peer */
    ck_assert_uint_eq(fn.imported, good.len - 1);
    struct sync_stats st;
    sync_get_stats(t.s, &st);
    ck_assert_uint_eq(st.rounds, 2);
    net_free(&t);
    free(fn.tab);
    fc_free(&good);
    fc_free(&bad);
}
END_TEST

START_TEST(idle_master_is_timed_out)
{
    struct fchain c;
    fc_build(&c, NULL, 0, 300, "main", 2, 1, 0);
    struct fnode fn;
    fn_init(&fn, &c, 0);
    struct sync_config cfg = test_config();
    struct tnet t;
    net_init(&t, &cfg);
    t.fn = &fn;
    struct fpeer *idle = net_peer(&t, 5, &c, NULL, 10);
    struct fpeer *good = net_peer(&t, 6, &c, NULL, 10);
    idle->mode = P_SILENT_HEADERS | P_SILENT_BODIES;
    u256 more = u256_from_u64(1);
    u256_add(&idle->td, &idle->td, &more);
    net_join(&t, idle);
    net_join(&t, good);
    uint64_t start = t.now;
    ck_assert(net_run(&t, 60000, &c.b[c.len - 1].hash));
    /* two timeouts with a rest after each, then excluded as stalling */
    ck_assert_uint_eq(penalties(&t, 5, SYNC_FAULT_TIMEOUT, SYNC_SEV_MINOR), cfg.max_timeouts - 1);
    ck_assert_uint_eq(penalties(&t, 5, SYNC_FAULT_STALLING, SYNC_SEV_MINOR), 1);
    ck_assert_uint_eq(penalties_of(&t, 6), 0);
    ck_assert_uint_ge(t.now - start, cfg.max_timeouts * cfg.timeout_ms + cfg.backoff_ms * 3);
    ck_assert_uint_eq(fn.imported, c.len - 1);
    net_free(&t);
    free(fn.tab);
    fc_free(&c);
}
END_TEST

START_TEST(idle_body_peer_is_timed_out)
{
    struct fchain c;
    fc_build(&c, NULL, 0, 600, "main", 2, 2, 0);
    struct fnode fn;
    fn_init(&fn, &c, 0);
    struct tnet t;
    net_init(&t, NULL);
    t.fn = &fn;
    struct fpeer *good = net_peer(&t, 1, &c, NULL, 10);
    struct fpeer *idle = net_peer(&t, 2, &c, NULL, 10);
    idle->mode = P_SILENT_BODIES;
    net_join(&t, good);
    net_join(&t, idle);
    ck_assert(net_run(&t, 60000, &c.b[c.len - 1].hash));
    ck_assert_uint_ge(penalties(&t, 2, SYNC_FAULT_TIMEOUT, SYNC_SEV_MINOR), 1);
    ck_assert_uint_eq(penalties_of(&t, 1), 0);
    ck_assert_uint_eq(fn.imported, c.len - 1);
    ck_assert_uint_eq(good->bodies_sent, nonempty_blocks(&c, 1));
    net_free(&t);
    free(fn.tab);
    fc_free(&c);
}
END_TEST

START_TEST(transport_timeouts_count_as_timeouts)
{
    /* the owner's own request timer reports, long before the sync's */
    struct fchain c;
    fc_build(&c, NULL, 0, 200, "main", 2, 1, 0);
    struct fnode fn;
    fn_init(&fn, &c, 0);
    struct sync_config cfg = test_config();
    cfg.timeout_ms = 3600000;
    struct tnet t;
    net_init(&t, &cfg);
    t.fn = &fn;
    struct fpeer *idle = net_peer(&t, 5, &c, NULL, 10);
    struct fpeer *good = net_peer(&t, 6, &c, NULL, 10);
    idle->mode = P_SILENT_HEADERS | P_SILENT_BODIES;
    u256 more = u256_from_u64(1);
    u256_add(&idle->td, &idle->td, &more);
    net_join(&t, idle);
    net_join(&t, good);
    for (unsigned i = 0; i < cfg.max_timeouts; i++) {
        net_run(&t, cfg.backoff_max_ms + 100, NULL);    /* past any rest */
        ck_assert(sync_expects_headers(t.s, 5));
        ck_assert(!sync_expects_headers(t.s, 6));
        sync_on_timeout(t.s, 5, true);
        ck_assert(!sync_expects_headers(t.s, 5));
    }
    ck_assert_uint_eq(penalties(&t, 5, SYNC_FAULT_TIMEOUT, SYNC_SEV_MINOR), cfg.max_timeouts - 1);
    ck_assert_uint_eq(penalties(&t, 5, SYNC_FAULT_STALLING, SYNC_SEV_MINOR), 1);
    sync_on_timeout(t.s, 5, true);  /* nothing out: ignored */
    sync_on_timeout(t.s, 77, false);
    ck_assert_uint_eq(penalties_of(&t, 5), cfg.max_timeouts);
    ck_assert(net_run(&t, 60000, &c.b[c.len - 1].hash));
    ck_assert_uint_eq(fn.imported, c.len - 1);
    ck_assert_uint_eq(penalties_of(&t, 6), 0);
    net_free(&t);
    free(fn.tab);
    fc_free(&c);
}
END_TEST

START_TEST(refused_requests_retry_or_drop)
{
    /* one transport is busy for a while (try later), one is dead (drop) */
    struct fchain c;
    fc_build(&c, NULL, 0, 700, "main", 2, 2, 0);
    struct fnode fn;
    fn_init(&fn, &c, 0);
    struct tnet t;
    net_init(&t, NULL);
    t.fn = &fn;
    struct fpeer *busy = net_peer(&t, 1, &c, NULL, 10);
    struct fpeer *dead = net_peer(&t, 2, &c, NULL, 10);
    busy->busy_bodies = 3;
    dead->fail_bodies = true;
    net_join(&t, busy);
    net_join(&t, dead);
    ck_assert(net_run(&t, 60000, &c.b[c.len - 1].hash));
    ck_assert_uint_eq(fn.imported, c.len - 1);
    ck_assert_uint_eq(dead->body_requests, 1);      /* never asked again */
    ck_assert_uint_eq(busy->busy_bodies, 0);
    ck_assert_uint_eq(busy->bodies_sent, nonempty_blocks(&c, 1));
    ck_assert_uint_eq(t.npen, 0);                   /* neither is a fault */
    net_free(&t);
    free(fn.tab);
    fc_free(&c);
}
END_TEST

START_TEST(a_peer_behind_serves_what_it_has)
{
    struct fchain full, part;
    fc_build(&full, NULL, 0, 900, "main", 2, 2, 0);
    fc_build(&part, &full, 399, 400, "main", 2, 2, 0);
    struct fnode fn;
    fn_init(&fn, &full, 0);
    struct tnet t;
    net_init(&t, NULL);
    t.fn = &fn;
    struct fpeer *behind = net_peer(&t, 2, &part, NULL, 5);
    struct fpeer *master = net_peer(&t, 1, &full, NULL, 20);
    net_join(&t, behind);
    net_join(&t, master);
    ck_assert(net_run(&t, 60000, &full.b[full.len - 1].hash));
    ck_assert_uint_eq(fn.imported, full.len - 1);
    ck_assert_uint_eq(t.npen, 0);
    ck_assert_uint_gt(behind->bodies_sent, 0);
    ck_assert_uint_le(behind->bodies_sent, nonempty_blocks(&part, 1));
    /* once it showed where its chain ends it is not asked beyond it */
    ck_assert_uint_le(behind->empty_answers, 2);
    net_free(&t);
    free(fn.tab);
    fc_free(&full);
    fc_free(&part);
}
END_TEST

START_TEST(window_and_bytes_stay_bounded)
{
    /* a slow importer: headers and bodies arrive much faster than blocks
     * leave, so only the bounds keep memory in check */
    struct fchain c;
    fc_build(&c, NULL, 0, 1500, "main", 2, 3, 200);
    struct fnode fn;
    fn_init(&fn, &c, 0);
    struct sync_config cfg = test_config();
    cfg.window = 300;
    cfg.max_bytes = 64 * 1024;
    struct tnet t;
    net_init(&t, &cfg);
    t.fn = &fn;
    t.import_delay = 40;
    net_join(&t, net_peer(&t, 1, &c, NULL, 5));
    ck_assert(net_run(&t, 600000, &c.b[c.len - 1].hash));
    ck_assert_uint_eq(fn.imported, c.len - 1);
    struct sync_stats st;
    sync_get_stats(t.s, &st);
    ck_assert_uint_le(st.peak_held, cfg.window);
    ck_assert_uint_ge(st.peak_held, cfg.window / 2);    /* the window did fill */
    /* seen from outside: never a header more than a window ahead of import */
    ck_assert_uint_le(t.max_ahead, cfg.window + 1);
    /* bodies: the cap, passed by at most the one answer in flight (128
     * bodies of 3 txs with 200 bytes of data each) */
    size_t one_body = 3 * (sizeof(struct tx) + 200);
    ck_assert_uint_le(st.peak_bytes, cfg.max_bytes + ETH_MAX_BODIES * one_body);
    ck_assert_uint_ge(st.peak_bytes, cfg.max_bytes);
    ck_assert_uint_eq(st.held, 0);
    ck_assert_uint_eq(st.held_bytes, 0);
    net_free(&t);
    free(fn.tab);
    fc_free(&c);
}
END_TEST

START_TEST(a_deep_fork_is_found_by_bisection)
{
    /* node: 600 blocks of A; peer: A's first 100, then 450 heavier ones */
    struct fchain a, b;
    fc_build(&a, NULL, 0, 601, "A", 2, 1, 0);
    fc_build(&b, &a, 100, 551, "B", 3, 1, 0);
    ck_assert(u256_gt(&b.b[550].td, &a.b[600].td));
    struct fnode fn;
    fn_init(&fn, &a, 600);
    struct tnet t;
    net_init(&t, NULL);
    t.fn = &fn;
    net_join(&t, net_peer(&t, 1, &b, NULL, 10));
    ck_assert(net_run(&t, 60000, &b.b[550].hash));
    ck_assert_uint_eq(fn.first_imported, 101);
    ck_assert_uint_eq(fn.imported, 450);
    ck_assert_uint_eq(fn.known, 0);
    struct sync_stats st;
    sync_get_stats(t.s, &st);
    /* head + span + about log2(359) probes + 3 batches + the empty end */
    ck_assert_uint_le(st.header_requests, 2 + 10 + 3 + 1);
    ck_assert_uint_ge(st.header_requests, 2 + 8 + 3 + 1);
    ck_assert_uint_eq(t.npen, 0);
    net_free(&t);
    free(fn.tab);
    fc_free(&a);
    fc_free(&b);
}
END_TEST

START_TEST(a_fork_below_max_reorg_is_not_followed)
{
    struct fchain a, b;
    fc_build(&a, NULL, 0, 601, "A", 2, 1, 0);
    fc_build(&b, &a, 100, 551, "B", 3, 1, 0);
    struct fnode fn;
    fn_init(&fn, &a, 600);
    struct sync_config cfg = test_config();
    cfg.max_reorg = 300;    /* the fork at 100 is 500 below our head */
    struct tnet t;
    net_init(&t, &cfg);
    t.fn = &fn;
    net_join(&t, net_peer(&t, 1, &b, NULL, 10));
    ck_assert(net_run(&t, 60000, NULL));
    ck_assert_uint_eq(penalties(&t, 1, SYNC_FAULT_TD, SYNC_SEV_MINOR), 1);
    ck_assert_uint_eq(fn.imported, 0);
    ck_assert_uint_eq(fn.head_number, 600);
    /* excluded: no new round until it announces more */
    ck_assert(net_run(&t, 5000, NULL));
    struct sync_stats st;
    sync_get_stats(t.s, &st);
    ck_assert_uint_eq(st.rounds, 1);
    net_free(&t);
    free(fn.tab);
    fc_free(&a);
    fc_free(&b);
}
END_TEST

START_TEST(a_td_lie_is_penalised_once)
{
    struct fchain c;
    fc_build(&c, NULL, 0, 200, "main", 2, 1, 0);
    struct fnode fn;
    fn_init(&fn, &c, 0);
    struct tnet t;
    net_init(&t, NULL);
    t.fn = &fn;
    struct fpeer *p = net_peer(&t, 3, &c, NULL, 10);
    p->td = u256_from_u64(1000000);
    net_join(&t, p);
    ck_assert(net_run(&t, 60000, NULL));
    ck_assert_uint_eq(fn.head_number, c.len - 1);
    ck_assert_uint_eq(penalties(&t, 3, SYNC_FAULT_TD, SYNC_SEV_MINOR), 1);
    ck_assert(net_run(&t, 10000, NULL));
    struct sync_stats st;
    sync_get_stats(t.s, &st);
    ck_assert_uint_eq(st.rounds, 1);    /* not again and again */
    ck_assert_uint_eq(t.npen, 1);
    net_free(&t);
    free(fn.tab);
    fc_free(&c);
}
END_TEST

START_TEST(more_td_during_and_after_a_round)
{
    struct fchain full;
    fc_build(&full, NULL, 0, 900, "main", 2, 1, 0);
    /* the peer first has 0..499, then grows to 699 mid-round, then 899 */
    struct fchain part;
    fc_build(&part, &full, 499, 500, "main", 2, 1, 0);
    struct fnode fn;
    fn_init(&fn, &full, 0);
    struct tnet t;
    net_init(&t, NULL);
    t.fn = &fn;
    struct fpeer *p = net_peer(&t, 1, &part, NULL, 10);
    net_join(&t, p);
    ck_assert(net_run(&t, 60000, &full.b[499].hash));
    struct fchain mid;
    fc_build(&mid, &full, 699, 700, "main", 2, 1, 0);
    p->fc = &mid;
    sync_peer_update(t.s, 1, &mid.b[699].td, &mid.b[699].hash);
    ck_assert(sync_active(t.s));
    /* a NewBlock while the round fetches: it goes on to the new head */
    for (int i = 0; i < 20; i++)
        net_run(&t, STEP_MS, NULL);
    p->fc = &full;
    sync_peer_update(t.s, 1, &full.b[899].td, &full.b[899].hash);
    ck_assert(net_run(&t, 60000, &full.b[899].hash));
    ck_assert_uint_eq(fn.imported, 899);
    ck_assert_uint_eq(fn.known, 0);
    ck_assert_uint_eq(t.npen, 0);
    /* a lower or equal TD changes nothing */
    sync_peer_update(t.s, 1, &full.b[10].td, &full.b[10].hash);
    ck_assert(!sync_active(t.s));
    net_free(&t);
    free(fn.tab);
    fc_free(&full);
    fc_free(&part);
    fc_free(&mid);
}
END_TEST

/*
 * The two ways a node was left one block behind its peer (a producer with
 * two followers, blocks a few ms apart). Both start the same way: the node
 * holds 0..9, the peer's Status says 10, so a round asks it for the header
 * of block 10; while that question is out the owner imports block 10
 * itself (a NewBlock whose parent it had) and the peer makes block 11.
 */
static void one_behind_setup(struct tnet *t, struct fnode *fn, struct fchain *c,
                             struct fchain *upto10, struct fpeer **p)
{
    fc_build(c, NULL, 0, 12, "main", 2, 1, 0);
    fc_build(upto10, c, 10, 11, "main", 2, 1, 0);
    fn_init(fn, c, 9);
    net_init(t, NULL);
    t->fn = fn;
    *p = net_peer(t, 1, upto10, NULL, 50);
    net_join(t, *p);
    ck_assert(sync_active(t->s));   /* its head's header is asked */
    fn_add(fn, &c->b[10].hash, 10, &c->b[10].td);
    (*p)->fc = c;
}

/* Block 11 announced by hash only (NewBlockHashes: no TD), which the owner
 * could not fetch as the peer was busy with the round's request: the round
 * ends at block 10, and the announcement is what brings block 11. */
START_TEST(a_block_announced_during_a_round_is_fetched_after_it)
{
    struct fchain c, upto10;
    struct fnode fn;
    struct tnet t;
    struct fpeer *p;
    one_behind_setup(&t, &fn, &c, &upto10, &p);
    sync_peer_announce(t.s, 1, &c.b[11].hash, 11);
    sync_peer_announce(t.s, 1, &c.b[5].hash, 5);    /* older news changes nothing */
    ck_assert_msg(net_run(&t, 10000, &c.b[11].hash), "left at block %llu",
                  (unsigned long long)fn.head_number);
    ck_assert_uint_eq(fn.head_number, 11);
    ck_assert_uint_eq(fn.imported, 1);
    ck_assert_uint_eq(t.npen, 0);
    struct sync_stats st;
    sync_get_stats(t.s, &st);
    ck_assert_uint_eq(st.rounds, 2);
    /* a block we have, or one not above our head, starts nothing */
    sync_peer_announce(t.s, 1, &c.b[11].hash, 11);
    ck_assert(!sync_active(t.s));
    sync_peer_announce(t.s, 1, &c.b[11].hash, 12);
    ck_assert(net_run(&t, 1000, NULL));
    sync_peer_announce(t.s, 1, &c.b[3].hash, 3);
    ck_assert(net_run(&t, 1000, NULL));
    sync_get_stats(t.s, &st);
    ck_assert_uint_eq(st.rounds, 2);
    ck_assert_uint_eq(t.npen, 0);
    /* an unknown peer is ignored */
    sync_peer_announce(t.s, 99, &c.b[11].hash, 11);
    ck_assert(!sync_active(t.s));
    net_free(&t);
    free(fn.tab);
    fc_free(&c);
    fc_free(&upto10);
}
END_TEST

/* Block 11 announced with its TD (NewBlock) while the round's question for
 * block 10 is out: block 10 turns out to be ours, but the round goes on to
 * 11 instead of ending there and blaming the peer for the TD it announced
 * (which excluded it until its next block). */
START_TEST(a_new_head_during_the_head_request_is_followed)
{
    struct fchain c, upto10;
    struct fnode fn;
    struct tnet t;
    struct fpeer *p;
    one_behind_setup(&t, &fn, &c, &upto10, &p);
    sync_peer_update(t.s, 1, &c.b[11].td, &c.b[11].hash);
    ck_assert_msg(net_run(&t, 10000, &c.b[11].hash), "left at block %llu",
                  (unsigned long long)fn.head_number);
    ck_assert_uint_eq(fn.head_number, 11);
    ck_assert_uint_eq(penalties(&t, 1, SYNC_FAULT_TD, SYNC_SEV_MINOR), 0);
    ck_assert_uint_eq(t.npen, 0);
    struct sync_stats st;
    sync_get_stats(t.s, &st);
    ck_assert_uint_eq(st.rounds, 1);
    net_free(&t);
    free(fn.tab);
    fc_free(&c);
    fc_free(&upto10);
}
END_TEST

START_TEST(a_block_from_the_future_is_retried)
{
    struct fchain c;
    fc_build(&c, NULL, 0, 300, "main", 2, 1, 0);
    struct fnode fn;
    fn_init(&fn, &c, 0);
    fn.future_at = 150;
    struct tnet t;
    net_init(&t, NULL);
    t.fn = &fn;
    net_join(&t, net_peer(&t, 1, &c, NULL, 10));
    ck_assert(net_run(&t, 60000, &c.b[c.len - 1].hash));
    ck_assert_uint_eq(fn.future_at, 0);     /* it was refused once */
    ck_assert_uint_eq(fn.imported, c.len - 1);
    ck_assert_uint_eq(t.npen, 0);
    net_free(&t);
    free(fn.tab);
    fc_free(&c);
}
END_TEST

START_TEST(an_owner_calling_back_from_callbacks)
{
    /* answers inside request_*, results inside import(), removals inside
     * penalize(): everything happens from the first call */
    struct fchain c;
    fc_build(&c, NULL, 0, 700, "main", 2, 2, 0);
    struct fnode fn;
    fn_init(&fn, &c, 0);
    struct tnet t;
    net_init(&t, NULL);
    t.fn = &fn;
    t.sync_answers = true;
    t.disconnect_bad = true;
    struct fpeer *bad = net_peer(&t, 2, &c, NULL, 0);
    struct fpeer *good = net_peer(&t, 1, &c, NULL, 0);
    bad->mode = P_WRONG_BODIES;
    net_join(&t, bad);      /* a round with it, ended by its removal */
    ck_assert_uint_eq(penalties(&t, 2, SYNC_FAULT_BAD_BODIES, SYNC_SEV_FATAL), 1);
    ck_assert(!bad->present);
    ck_assert(!sync_active(t.s));
    ck_assert_uint_eq(fn.mismatched, 0);
    net_join(&t, good);     /* everything but the import cap happens here */
    ck_assert_uint_eq(fn.imported, SYNC_IMPORTS_PER_CALL * SYNC_IMPORT_BATCH);
    ck_assert(sync_active(t.s));
    sync_tick(t.s, t.now + 1);  /* the rest */
    ck_assert(head_is(&t, &c.b[c.len - 1].hash));
    ck_assert(!sync_active(t.s));
    ck_assert_uint_eq(fn.imported, c.len - 1);
    ck_assert_uint_eq(penalties_of(&t, 1), 0);
    net_free(&t);
    free(fn.tab);
    fc_free(&c);
}
END_TEST

START_TEST(unrequested_answers_are_refused)
{
    struct fchain c;
    fc_build(&c, NULL, 0, 50, "main", 2, 1, 0);
    struct fnode fn;
    fn_init(&fn, &c, 49);   /* already synced: nothing to ask */
    struct tnet t;
    net_init(&t, NULL);
    t.fn = &fn;
    net_join(&t, net_peer(&t, 1, &c, NULL, 10));
    ck_assert(!sync_active(t.s));
    ck_assert(!sync_expects_headers(t.s, 1));
    ck_assert(!sync_expects_bodies(t.s, 1));
    struct eth_get_headers q = {false, {{0}}, 1, 5, 0, false};
    struct bytes out = BYTES_INIT;
    fc_serve_headers(&c, &q, &out);
    struct eth_headers h;
    ck_assert_int_eq(eth_block_headers_decode(out.data, out.len, &h), 0);
    ck_assert_int_eq(sync_on_headers(t.s, 1, &h), ERR_NOTFOUND);
    ck_assert_int_eq(sync_on_headers(t.s, 99, &h), ERR_NOTFOUND);
    ck_assert_uint_ne(h.items[0].header.number, 0);   /* nothing was taken */
    eth_headers_free(&h);
    bytes_free(&out);
    struct eth_bodies b = {NULL, 0};
    ck_assert_int_eq(sync_on_bodies(t.s, 1, &b), ERR_NOTFOUND);
    /* duplicate ids and the peer cap */
    u256 td = u256_from_u64(1);
    ck_assert_int_eq(sync_peer_add(t.s, 1, &td, &c.b[1].hash), ERR_INVAL);
    for (uint64_t i = 2; i <= SYNC_MAX_PEERS; i++)
        ck_assert_int_eq(sync_peer_add(t.s, 1000 + i, &td, &c.b[1].hash), 0);
    ck_assert_int_eq(sync_peer_add(t.s, 5000, &td, &c.b[1].hash), ERR_RANGE);
    sync_peer_remove(t.s, 1002);
    ck_assert_int_eq(sync_peer_add(t.s, 5000, &td, &c.b[1].hash), 0);
    ck_assert(!sync_active(t.s));
    net_free(&t);
    free(fn.tab);
    fc_free(&c);
}
END_TEST

START_TEST(nothing_before_the_first_tick)
{
    struct fchain c;
    fc_build(&c, NULL, 0, 100, "main", 2, 1, 0);
    struct fnode fn;
    fn_init(&fn, &c, 0);
    struct tnet t;
    net_init_clockless(&t, NULL);
    t.fn = &fn;
    t.now = 5000000;    /* a monotonic clock far from 0 */
    struct fpeer *p = net_peer(&t, 1, &c, NULL, 10);
    net_join(&t, p);
    ck_assert(!sync_active(t.s));
    ck_assert_uint_eq(p->header_answers, 0);
    ck_assert(!sync_expects_headers(t.s, 1));
    /* the first tick starts it, with deadlines on that clock */
    ck_assert(net_run(&t, 60000, &c.b[c.len - 1].hash));
    ck_assert_uint_eq(t.npen, 0);
    ck_assert_uint_eq(fn.imported, c.len - 1);
    net_free(&t);
    free(fn.tab);
    fc_free(&c);
}
END_TEST

/* ---- helpers ------------------------------------------------------------------------ */

static void noop_import(void *ctx, const struct sync_block *b, size_t n)
{
    (void)ctx, (void)b, (void)n;
}

START_TEST(new_checks_its_arguments)
{
    struct sync_callbacks cb;
    memset(&cb, 0, sizeof cb);
    struct sync *s = (struct sync *)1;
    ck_assert_int_eq(sync_new(NULL, &cb, &s), ERR_INVAL);
    ck_assert_ptr_null(s);
    cb.request_headers = cb_request_headers;
    cb.request_bodies = cb_request_bodies;
    cb.import = noop_import;
    cb.penalize = cb_penalize;
    cb.local_head = cb_local_head;
    ck_assert_int_eq(sync_new(NULL, &cb, &s), ERR_INVAL);   /* no has_block */
    cb.has_block = cb_has_block;
    struct sync_config cfg;
    sync_config_default(&cfg);
    ck_assert_uint_eq(cfg.window, 2048);
    ck_assert_uint_eq(cfg.max_reorg, 90000);
    cfg.window = 0;
    ck_assert_int_eq(sync_new(&cfg, &cb, &s), ERR_INVAL);
    ck_assert_int_eq(sync_new(NULL, &cb, &s), 0);
    ck_assert(!sync_active(s));
    struct sync_progress p;
    sync_get_progress(s, &p);
    ck_assert(!p.syncing);
    sync_free(s);
    sync_free(NULL);
}
END_TEST

START_TEST(import_statuses_map_chain_errors)
{
    ck_assert_int_eq(sync_import_status_of(0, false), SYNC_IMPORT_OK);
    ck_assert_int_eq(sync_import_status_of(0, true), SYNC_IMPORT_KNOWN);
    ck_assert_int_eq(sync_import_status_of(ERR_NOTFOUND, false), SYNC_IMPORT_UNKNOWN_PARENT);
    ck_assert_int_eq(sync_import_status_of(ERR_BADSTATE, false), SYNC_IMPORT_FUTURE);
    ck_assert_int_eq(sync_import_status_of(ERR_INVAL, false), SYNC_IMPORT_INVALID);
    ck_assert_int_eq(sync_import_status_of(ERR_CRYPTO, false), SYNC_IMPORT_INVALID);
    ck_assert_int_eq(sync_import_status_of(ERR_UNSUPPORTED, false), SYNC_IMPORT_INVALID);
    ck_assert_int_eq(sync_import_status_of(ERR_IO, false), SYNC_IMPORT_ERROR);
    ck_assert_int_eq(sync_import_status_of(ERR_NOMEM, false), SYNC_IMPORT_ERROR);
    ck_assert_str_eq(sync_fault_name(SYNC_FAULT_BAD_BODIES), "bad bodies");
    ck_assert_str_eq(sync_import_status_name(SYNC_IMPORT_UNKNOWN_PARENT), "unknown parent");
}
END_TEST

START_TEST(progress_line_has_percent_and_eta)
{
    struct sync_progress p = {true, 1000, 1600, 3000, 50.0, 28, 2};
    char line[200];
    sync_format_progress(&p, line, sizeof line);
    ck_assert_str_eq(line, "Sync: block 1600 of 3000 (30.0%), 50.0 blocks/s, ETA 28s, 2 peers");
    p.eta_s = 0;
    p.rate = 0;
    sync_format_progress(&p, line, sizeof line);
    ck_assert_str_eq(line, "Sync: block 1600 of 3000 (30.0%), 0.0 blocks/s, 2 peers");
    char small[12];
    sync_format_progress(&p, small, sizeof small);
    ck_assert_str_eq(small, "Sync: block");
}
END_TEST

static Suite *sync_suite(void)
{
    Suite *s = suite_create("net_sync");
    TCase *tc = tcase_create("real");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, syncs_2000_real_blocks_from_two_peers);
    tcase_add_test(tc, reorgs_to_a_heavier_real_chain);
    suite_add_tcase(s, tc);
    tc = tcase_create("fabricated");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, bodies_come_from_every_peer);
    tcase_add_test(tc, survives_a_body_peer_vanishing);
    tcase_add_test(tc, survives_the_master_vanishing);
    tcase_add_test(tc, non_linking_headers_are_penalised);
    tcase_add_test(tc, wrong_bodies_are_penalised);
    tcase_add_test(tc, wrong_bodies_kept_out_without_disconnect);
    tcase_add_test(tc, invalid_block_penalises_its_source);
    tcase_add_test(tc, idle_master_is_timed_out);
    tcase_add_test(tc, idle_body_peer_is_timed_out);
    tcase_add_test(tc, transport_timeouts_count_as_timeouts);
    tcase_add_test(tc, refused_requests_retry_or_drop);
    tcase_add_test(tc, a_peer_behind_serves_what_it_has);
    tcase_add_test(tc, window_and_bytes_stay_bounded);
    tcase_add_test(tc, a_deep_fork_is_found_by_bisection);
    tcase_add_test(tc, a_fork_below_max_reorg_is_not_followed);
    tcase_add_test(tc, a_td_lie_is_penalised_once);
    tcase_add_test(tc, more_td_during_and_after_a_round);
    tcase_add_test(tc, a_block_announced_during_a_round_is_fetched_after_it);
    tcase_add_test(tc, a_new_head_during_the_head_request_is_followed);
    tcase_add_test(tc, a_block_from_the_future_is_retried);
    tcase_add_test(tc, an_owner_calling_back_from_callbacks);
    tcase_add_test(tc, unrequested_answers_are_refused);
    tcase_add_test(tc, nothing_before_the_first_tick);
    suite_add_tcase(s, tc);
    tc = tcase_create("helpers");
    tcase_add_test(tc, new_checks_its_arguments);
    tcase_add_test(tc, import_statuses_map_chain_errors);
    tcase_add_test(tc, progress_line_has_percent_and_eta);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(sync_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
