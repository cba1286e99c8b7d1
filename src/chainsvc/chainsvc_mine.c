/*
 * chainsvc_mine.c — when the chain thread produces blocks: `generate`,
 * regtest's -automine and -blocktime, and the live miner that waits for the
 * node key's turn (spec §5). What goes into a block is the miner's business
 * (miner/miner.h); this file only decides when, waits for the block's time,
 * and imports the result through the same path as any other block.
 *
 * The live miner asks miner_can_sign after every change of head (and every
 * MINE_RECHECK_MS while it may not sign, since the signer list can also be
 * read wrong during a database hiccup), schedules an attempt at the earliest
 * time the key may use, and builds the block then. A block is never imported
 * before its own timestamp (an import refuses future blocks, and peers would
 * too). A failed attempt is retried after MINE_RETRY_MS.
 */
#include "chainsvc/chainsvc_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chain/regtest_genesis.h"
#include "miner/miner.h"
#include "miner/miner_tamper.h"
#include "util/err.h"
#include "util/log.h"

#define MINE_RECHECK_MS 30000u
#define MINE_RETRY_MS 5000u
#define GENERATE_MAX_WAIT_S 120u
#define LIVE_MAX_WAIT_S 2u

/* Sleeps until the wall clock reaches `until` (unix seconds), at most
 * max_wait_s; gives up early when the service stops. */
static int wait_until(struct chainsvc *s, uint64_t until, uint64_t max_wait_s)
{
    uint64_t now = chainsvc_now_ms();
    if (until * 1000u <= now)
        return 0;
    if (until * 1000u - now > max_wait_s * 1000u)
        return err_set(ERR_BADSTATE, "the block's time is %llu s ahead (at most %llu s waited)",
                       (unsigned long long)((until * 1000u - now) / 1000u),
                       (unsigned long long)max_wait_s);
    while (chainsvc_now_ms() < until * 1000u) {
        if (atomic_load(&s->stop_flag))
            return err_set(ERR_BADSTATE, "the chain service is stopping");
        struct timespec step = {0, 20 * 1000000L};
        nanosleep(&step, NULL);
    }
    return 0;
}

/* Our own block is stored without executing it again (miner_commit): the
 * miner just built it from the rules on the head's state, so verifying the
 * seal, re-reading the Tribe status and re-running every transaction would
 * repeat work whose result is known. */
int chainsvc_mine_one(struct chainsvc *s, uint64_t max_wait_s, struct hash32 *hash,
                      size_t *included)
{
    if (included)
        *included = 0;
    struct miner_work w;
    struct miner_stats st;
    memset(&st, 0, sizeof st);
    /* Prepared here when it was not after the last block (a submit was
     * already queued): through the VRF prover, which holds this block's
     * proof and starts the next one; the miner's own fallback proves
     * inline and starts nothing. */
    chainsvc_prepare_next(s);
    uint64_t now = chainsvc_now_ms() / 1000u;
    int rc = miner_build_work(s->chain, s->pool, s->key, now, &s->prep, &w, &st);
    if (rc)
        return rc;
    uint64_t number = w.block.header.number;
    rc = wait_until(s, w.block.header.time, max_wait_s);
    struct hash32 old_head = s->chain->head_hash;
    struct chain_import_result r;
    memset(&r, 0, sizeof r);
    if (rc == 0)
        rc = miner_commit(s->chain, &w, &r);
    if (rc) {
        miner_work_free(&w);
        log_info("Chain: our block %llu was not stored: %s", (unsigned long long)number,
                 err_msg());
        return rc;
    }
    struct chainsvc_import imp;
    chainsvc_after_import(s, &r, &old_head, &w.block, &imp);
    chain_import_result_free(&r);
    miner_work_free(&w);
    char hex[HASH32_HEX_SIZE];
    hash32_to_hex(&imp.hash, hex);
    log_debug(LOG_MINER, "mined block %llu %s: %zu transactions (%zu skipped), gas %llu",
              (unsigned long long)imp.number, hex, st.included, st.skipped,
              (unsigned long long)st.gas_used);
    if (hash)
        *hash = imp.hash;
    if (included)
        *included = st.included;
    return 0;
}

void chainsvc_prepare_next(struct chainsvc *s)
{
    if (s->prep.valid && hash32_eq(&s->prep.parent_hash, &s->chain->head_hash))
        return;
    if (miner_prepare(s->chain, s->key, chainsvc_now_ms() / 1000u, s->vrf_ahead, &s->prep))
        log_debug(LOG_MINER, "%s", err_msg());
}

/* One block per batch, as one block per transaction when they come one at
 * a time; more only while the pool still holds runnable transactions that
 * did not fit (the block's gas) and each block took some. */
#define AUTOMINE_MAX_BLOCKS 64

void chainsvc_automine(struct chainsvc *s)
{
    for (int i = 0; i < AUTOMINE_MAX_BLOCKS; i++) {
        size_t included = 0, pending = 0, queued = 0;
        if (chainsvc_mine_one(s, GENERATE_MAX_WAIT_S, NULL, &included)) {
            log_warn("Chain: -automine block failed: %s", err_msg());
            return;
        }
        txpool_counts(s->pool, &pending, &queued);
        if (pending == 0 || included == 0)
            return;
    }
}

/* ---- timers ------------------------------------------------------------------------ */

void chainsvc_schedule_mining(struct chainsvc *s)
{
    if (!s->live_mine)
        return;
    uint64_t earliest = 0;
    int rc = miner_can_sign(s->chain, s->key, &earliest);
    if (rc == 0) {
        /* 0 means "no timer": a turn in the past is simply due now. */
        s->mine_at_ms = earliest ? earliest * 1000u : 1;
        if (!atomic_exchange(&s->mining, true))
            log_info("Chain: the node key may sign; producing blocks");
        log_debug(LOG_MINER, "block %llu: our turn at %llu",
                  (unsigned long long)s->chain->head.number + 1, (unsigned long long)earliest);
    } else {
        s->mine_at_ms = chainsvc_now_ms() + MINE_RECHECK_MS;
        if (atomic_exchange(&s->mining, false))
            log_info("Chain: the node key may not sign now; not producing blocks");
        log_debug(LOG_MINER, "block %llu: not ours (%s)",
                  (unsigned long long)s->chain->head.number + 1, err_msg());
        /* mine_at doubles as the recheck time: run_timers tells them apart by
         * `mining`. */
    }
}

uint64_t chainsvc_next_deadline(const struct chainsvc *s)
{
    uint64_t dl = 0;
    if (s->next_blocktime_ms)
        dl = s->next_blocktime_ms;
    if (s->mine_at_ms && (!dl || s->mine_at_ms < dl))
        dl = s->mine_at_ms;
    return dl;
}

void chainsvc_run_timers(struct chainsvc *s, uint64_t now_ms)
{
    if (s->next_blocktime_ms && s->next_blocktime_ms <= now_ms) {
        s->next_blocktime_ms += s->blocktime * 1000u;
        if (s->next_blocktime_ms <= now_ms)
            s->next_blocktime_ms = now_ms + s->blocktime * 1000u;
        if (chainsvc_mine_one(s, GENERATE_MAX_WAIT_S, NULL, NULL))
            log_warn("Chain: -blocktime block failed: %s", err_msg());
    }
    if (s->mine_at_ms && s->mine_at_ms <= now_ms) {
        s->mine_at_ms = 0;
        if (!atomic_load(&s->mining)) {
            chainsvc_schedule_mining(s);
            return;
        }
        /* Our turn: the block's time is at most now (we waited for it);
         * the margin covers a clock read a few milliseconds apart. */
        uint64_t head = s->chain->head.number;
        int rc = chainsvc_mine_one(s, LIVE_MAX_WAIT_S, NULL, NULL);
        if (rc) {
            log_warn("Chain: producing block %llu failed: %s", (unsigned long long)head + 1,
                     err_msg());
            s->mine_at_ms = chainsvc_now_ms() + MINE_RETRY_MS;
        }
        /* On success the head change rescheduled already. */
    }
}

/* ---- generate ------------------------------------------------------------------------ */

void chainsvc_run_generate(struct chainsvc *s, struct cmd *c)
{
    c->made = 0;
    for (size_t i = 0; i < c->n; i++) {
        if (atomic_load(&s->stop_flag)) {
            c->rc = err_set(ERR_BADSTATE, "the chain service is stopping");
            return;
        }
        int rc = chainsvc_mine_one(s, GENERATE_MAX_WAIT_S, &c->hashes[i], NULL);
        if (rc) {
            c->rc = rc;
            return;
        }
        c->made++;
    }
}

int chainsvc_generate(struct chainsvc *s, size_t n, struct hash32 *hashes, size_t *made)
{
    if (made)
        *made = 0;
    if (n > CHAINSVC_GENERATE_MAX)
        return err_set(ERR_RANGE, "at most %d blocks per call", CHAINSVC_GENERATE_MAX);
    if (n == 0)
        return 0;
    struct cmd c;
    memset(&c, 0, sizeof c);
    c.kind = CMD_GENERATE;
    c.n = n;
    c.hashes = hashes;
    int rc = chainsvc_post(s, &c);
    if (made)
        *made = c.made;
    return rc;
}

/* ---- test_buildblock ----------------------------------------------------------------- */

void chainsvc_run_build(struct chainsvc *s, struct cmd *c)
{
    enum miner_tamper how;
    if (miner_tamper_from_name(c->tamper, &how)) {
        c->rc = err_set(ERR_INVAL, "unknown tamper \"%s\" (none, seal, signer, difficulty, "
                        "stateRoot, chiefNotFirst, noChiefTx, vrf, volunteer)", c->tamper ? c->tamper : "");
        return;
    }
    /* "signer" re-seals with dev account 0's key: a valid key that is
     * neither a signer nor a leader of the regtest chain. */
    uint8_t other[32];
    int rc = regtest_dev_key(0, other);
    struct block b;
    memset(&b, 0, sizeof b);
    uint64_t now = chainsvc_now_ms() / 1000u;
    if (rc == 0)
        rc = miner_build_block(s->chain, s->pool, s->key, now, &b, NULL);
    if (rc == 0 && how == MINER_TAMPER_CHIEF_NOT_FIRST && b.body.tx_count < 2)
        rc = err_set(ERR_INVAL, "need a pool transaction");
    if (rc == 0)
        rc = miner_tamper_block(&b, how, s->key, other);
    explicit_bzero(other, sizeof other);
    if (rc == 0)
        rc = block_encode(&b, c->out);
    if (rc == 0)
        rc = bytes_ok(c->out);
    if (rc == 0) {
        char hex[HASH32_HEX_SIZE];
        struct hash32 h;
        if (header_hash(&b.header, &h) == 0) {
            hash32_to_hex(&h, hex);
            log_debug(LOG_MINER, "test_buildblock: block %llu %s, tamper \"%s\", not imported",
                      (unsigned long long)b.header.number, hex, c->tamper);
        }
    }
    block_free(&b);
    c->rc = rc;
}

int chainsvc_build_block(struct chainsvc *s, const char *tamper, struct bytes *out)
{
    if (!s->regtest)
        return err_set(ERR_BADSTATE, "test blocks are built on regtest only");
    struct cmd c;
    memset(&c, 0, sizeof c);
    c.kind = CMD_BUILD;
    c.tamper = tamper;
    c.out = out;
    return chainsvc_post(s, &c);
}
