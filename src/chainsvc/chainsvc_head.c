/*
 * chainsvc_head.c — importing a block on the chain thread and everything a
 * change of head sets off: the pool follows the head (mined transactions
 * leave it, those of dropped blocks come back), the published head moves,
 * the log says what happened, subscribers hear of it, and the live miner
 * looks at its turn again.
 *
 * Why it is one place: every path that moves the head (a mined block, a
 * peer's block, submitblock, generate) goes through chainsvc_do_import, so
 * the order of that work is written once. The pool reads the head's state
 * through s->hs, a read-only state over the database opened at the head's
 * state root and reopened after every head change (its caches are per root).
 */
#include "chainsvc/chainsvc_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/log.h"

/* ---- the head's state, for the pool ----------------------------------------------- */

static int read_nonce(void *ctx, const struct address *a, uint64_t *out)
{
    struct state *st = ctx;
    *out = state_get_nonce(st, a);
    int rc = state_error(st);
    return rc ? err_set(rc, "%s", state_error_msg(st)) : 0;
}

static int read_balance(void *ctx, const struct address *a, u256 *out)
{
    struct state *st = ctx;
    state_get_balance(st, a, out);
    int rc = state_error(st);
    return rc ? err_set(rc, "%s", state_error_msg(st)) : 0;
}

void chainsvc_head_state_close(struct chainsvc *s)
{
    state_free(s->hs.st);
    s->hs.st = NULL;
    trie_db_release(&s->hs.tdb);
    memset(&s->reader, 0, sizeof s->reader);
}

int chainsvc_head_state_open(struct chainsvc *s)
{
    chainsvc_head_state_close(s);
    trie_db_init(&s->hs.tdb, s->db, NULL, NULL);
    struct trie_store store = trie_db_store(&s->hs.tdb);
    int rc = state_open(&store, s->chain->head.state_root.b, &s->hs.st);
    if (rc)
        return err_wrap(rc, "chainsvc: head state");
    s->reader.get_nonce = read_nonce;
    s->reader.get_balance = read_balance;
    s->reader.ctx = s->hs.st;
    return 0;
}

/* ---- head change -------------------------------------------------------------------- */

void chainsvc_tip_log_flush(struct chainsvc *s)
{
    for (size_t i = 0; i < s->ntip_log; i++)
        log_info("%s", s->tip_log[i]);
    s->ntip_log = 0;
}

void chainsvc_tip_log(struct chainsvc *s, const char *line)
{
    if (!s->tip_log_defer) {
        log_info("%s", line);
        return;
    }
    if (s->ntip_log == CHAINSVC_TIP_LOG_LINES)
        chainsvc_tip_log_flush(s);
    snprintf(s->tip_log[s->ntip_log++], CHAINSVC_TIP_LOG_LEN, "%s", line);
}

/* Transactions in the block `hash` (b when it is that block, else read). */
static size_t block_tx_count(struct chainsvc *s, const struct hash32 *hash, const struct block *b,
                             const struct hash32 *bhash)
{
    if (b && hash32_eq(hash, bhash))
        return b->body.tx_count;
    struct block_body body;
    if (chaindb_read_body(s->db, NULL, hash, &body))
        return 0;
    size_t n = body.tx_count;
    block_body_free(&body);
    return n;
}

static void on_new_head(struct chainsvc *s, const struct chain_import_result *r,
                        const struct hash32 *old_head, const struct block *b)
{
    if (chainsvc_head_state_open(s))
        log_warn("Chain: cannot open the head state: %s", err_msg());
    if (s->reader.get_nonce) {
        if (txpool_on_new_head(s->pool, s->chain->head.number, s->chain->head.gas_limit,
                               &s->reader))
            log_warn("Chain: txpool update at the new head: %s", err_msg());
        if (r->ndropped) {
            size_t back = 0;
            if (txpool_readd(s->pool, &s->reader, r->dropped, r->ndropped, &back))
                log_warn("Chain: txpool re-add after a reorg: %s", err_msg());
            log_debug(LOG_TXPOOL, "reorg: %zu of %zu dropped transactions back in the pool",
                      back, r->ndropped);
        }
    }
    if (chainsvc_publish_head(s))
        log_warn("Chain: out of memory publishing the head");

    char oldh[HASH32_HEX_SIZE], newh[HASH32_HEX_SIZE];
    if (r->status == CHAIN_INSERT_REORG) {
        hash32_to_hex(old_head, oldh);
        hash32_to_hex(&s->chain->head_hash, newh);
        log_info("Reorganize: depth %zu from %s to %s", r->nremoved, oldh, newh);
    }
    struct hash32 bhash = r->hash;
    uint64_t first = s->chain->head.number + 1 - (r->nadded ? r->nadded : 1);
    if (r->nadded == 0) {
        hash32_to_hex(&s->chain->head_hash, newh);
        char line[CHAINSVC_TIP_LOG_LEN];
        snprintf(line, sizeof line, "UpdateTip: new best=%s height=%llu txs=%zu", newh,
                 (unsigned long long)s->chain->head.number,
                 block_tx_count(s, &s->chain->head_hash, b, &bhash));
        chainsvc_tip_log(s, line);
    }
    for (size_t i = 0; i < r->nadded; i++) {
        hash32_to_hex(&r->added[i], newh);
        char line[CHAINSVC_TIP_LOG_LEN];
        snprintf(line, sizeof line, "UpdateTip: new best=%s height=%llu txs=%zu", newh,
                 (unsigned long long)(first + i), block_tx_count(s, &r->added[i], b, &bhash));
        chainsvc_tip_log(s, line);
    }

    struct chainsvc_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = CHAINSVC_EVENT_HEAD;
    ev.added = r->nadded ? r->added : &s->chain->head_hash;
    ev.nadded = r->nadded ? r->nadded : 1;
    ev.removed = r->removed;
    ev.nremoved = r->nremoved;
    chainsvc_emit(s, &ev);

    chainsvc_schedule_mining(s);
}

/* The reason of a rejection without a leading "block <n> <hash>: " (the log
 * line names the block already). */
static const char *bare_reason(const char *msg)
{
    if (strncmp(msg, "block ", 6) != 0)
        return msg;
    const char *p = strstr(msg, ": ");
    return p ? p + 2 : msg;
}

int chainsvc_do_import(struct chainsvc *s, const struct block *b, struct chainsvc_import *out)
{
    memset(out, 0, sizeof *out);
    struct hash32 old_head = s->chain->head_hash;
    struct chain_import_result r;
    memset(&r, 0, sizeof r);
    uint64_t now = chainsvc_now_ms() / 1000u;
    int rc = chain_import_block(s->chain, &s->engine, b, now, &r);
    if (rc) {
        struct hash32 h;
        char hex[HASH32_HEX_SIZE] = "?";
        if (header_hash(&b->header, &h) == 0)
            hash32_to_hex(&h, hex);
        char reason[CMD_MSG_MAX];
        if (rc == ERR_NOTFOUND)
            snprintf(reason, sizeof reason, "unknown parent");
        else if (rc == ERR_BADSTATE)
            snprintf(reason, sizeof reason, "block in the future");
        else
            snprintf(reason, sizeof reason, "%s", err_msg()[0] ? err_msg() : err_name(rc));
        log_info("Rejected block %llu %s: %s", (unsigned long long)b->header.number, hex,
                 bare_reason(reason));
        return err_set(rc, "%s", reason);
    }
    chainsvc_after_import(s, &r, &old_head, b, out);
    chain_import_result_free(&r);
    return 0;
}

void chainsvc_after_import(struct chainsvc *s, const struct chain_import_result *r,
                           const struct hash32 *old_head, const struct block *b,
                           struct chainsvc_import *out)
{
    out->status = r->status;
    out->hash = r->hash;
    out->number = r->number;
    if (r->status == CHAIN_INSERT_HEAD || r->status == CHAIN_INSERT_REORG) {
        on_new_head(s, r, old_head, b);
    } else if (r->status == CHAIN_INSERT_SIDE) {
        char hex[HASH32_HEX_SIZE];
        hash32_to_hex(&r->hash, hex);
        log_info("Chain: side block %llu %s stored (total difficulty not above the head's)",
                 (unsigned long long)r->number, hex);
    }
}

void chainsvc_run_import(struct chainsvc *s, struct cmd *c)
{
    c->rc = chainsvc_do_import(s, c->block, &c->import);
}

/* ---- commands --------------------------------------------------------------------- */

int chainsvc_import_block(struct chainsvc *s, const struct block *b, struct chainsvc_import *out)
{
    struct cmd c;
    memset(&c, 0, sizeof c);
    c.kind = CMD_IMPORT;
    c.block = b;
    int rc = chainsvc_post(s, &c);
    if (rc == 0)
        *out = c.import;
    return rc;
}

int chainsvc_import_raw(struct chainsvc *s, const uint8_t *rlp, size_t len,
                        struct chainsvc_import *out)
{
    if (len > CHAINSVC_MAX_BLOCK_SIZE)
        return err_set(ERR_RANGE, "block decode failed: %zu bytes (at most %u)", len,
                       CHAINSVC_MAX_BLOCK_SIZE);
    struct block b;
    int rc = block_decode(rlp, len, &b);
    if (rc)
        return err_wrap(rc, "block decode failed");
    rc = chainsvc_import_block(s, &b, out);
    block_free(&b);
    return rc;
}
