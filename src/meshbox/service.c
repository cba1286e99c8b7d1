/*
 * service.c — the reporter thread and receipt intake; see service.h.
 */
#include "meshbox/service.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chain/chaindb.h"
#include "chainsvc/chainsvc.h"
#include "meshbox/report.h"
#include "util/err.h"
#include "util/log.h"
#include "util/thread_name.h"
#include "util/wait.h"

struct mb_service {
    struct chainsvc *chain;
    const struct chain_params *p;
    struct address me;
    u256 chain_id;
    struct mb_book *book;
    pthread_t thread;
    pthread_mutex_t lock;       /* the wake flags */
    pthread_cond_t cond;
    bool wake, stop;
    bool resting;               /* after a step: heads set `wake` without signalling */
    pthread_mutex_t step_lock;  /* one step at a time (thread or RPC) */
    struct mb_service_stats stats;
    uint64_t retry_at;          /* after a failed send: no new report before this head */
    uint64_t keep_epochs;       /* the book keeps this many epochs (0: all) */
};

uint64_t mb_service_epoch(struct mb_service *s)
{
    return (chainsvc_head_number(s->chain, NULL) + 1) / s->p->meshbox_epoch;
}

struct mb_book *mb_service_book(struct mb_service *s)
{
    return s->book;
}

void mb_service_stats(struct mb_service *s, struct mb_service_stats *out)
{
    pthread_mutex_lock(&s->step_lock);
    *out = s->stats;
    pthread_mutex_unlock(&s->step_lock);
}

int mb_service_submit(struct mb_service *s, const struct mb_receipt *r, bool *replaced)
{
    if (!address_eq(&r->provider, &s->me)) {
        char hex[ADDRESS_HEX_SIZE];
        address_to_checksum_hex(&s->me, hex);
        return err_set(ERR_INVAL, "the receipt's provider is not this node (%s)", hex);
    }
    uint64_t e = mb_service_epoch(s);
    if (r->epoch > e || r->epoch + 1 < e)
        return err_set(ERR_INVAL, "a receipt for epoch %llu: the registry takes epochs %llu and "
                       "%llu now", (unsigned long long)r->epoch,
                       (unsigned long long)(e ? e - 1 : 0), (unsigned long long)e);
    int rc = mb_receipt_verify(r, &s->chain_id);
    if (rc)
        return rc;
    rc = mb_book_put(s->book, r, replaced);
    if (rc == 0)
        mb_service_on_head(s);
    return rc;
}

/* ---- one step ------------------------------------------------------------------ */

/* The verdict of the report transaction tx, if it is in the canonical
 * chain: applied to the entries e[0..n) that carried it. Returns 1 when
 * mined (verdicts applied), 0 when not found, or an error. */
static int read_verdict(struct mb_service *s, const struct hash32 *tx, struct mb_entry *e,
                        size_t n)
{
    struct db *db = chainsvc_db(s->chain);
    struct chaindb_tx_location loc;
    int rc = chaindb_read_tx_lookup(db, NULL, tx, &loc);
    if (rc == ERR_NOTFOUND)
        return 0;
    if (rc)
        return rc;
    struct receipt *rs = NULL;
    size_t nr = 0;
    rc = chaindb_read_receipts(db, NULL, &loc.block_hash, &rs, &nr);
    if (rc == ERR_NOTFOUND)
        return 0;
    if (rc)
        return rc;
    if (loc.index >= nr) {
        chaindb_receipts_free(rs, nr);
        return err_set(ERR_DECODE, "report tx: index %llu of %zu receipts",
                       (unsigned long long)loc.index, nr);
    }
    const struct receipt *r = &rs[loc.index];
    size_t decided = 0;
    mb_report_apply_logs(&s->p->meshbox_registry, r->has_post_state || r->status, r->logs,
                         r->log_count, e, n, &decided);
    chaindb_receipts_free(rs, nr);
    return 1;
}

static int send_batch(struct mb_service *s, struct mb_entry *e, size_t n, uint64_t head)
{
    struct bytes data = {0};
    int rc = mb_report_calldata(e, n, &data);
    struct tx t;
    memset(&t, 0, sizeof t);
    t.has_to = true;
    t.to = s->p->meshbox_registry;
    t.gas = mb_report_gas(n);
    t.gas_price = u256_from_u64(s->p->min_gas_price ? s->p->min_gas_price : 18000000000ull);
    t.data = data.data;
    t.data_len = data.len;
    struct hash32 hash;
    if (rc == 0)
        rc = chainsvc_send_tx(s->chain, &t, &s->me, false, chainsvc_node_sign_tx, s->chain, &hash);
    bytes_free(&data);
    if (rc) {
        /* (an unfunded box, a full pool): wait some blocks rather than
         * retrying, and logging, on every head */
        log_warn("MeshBox: reporting %zu receipts of epoch %llu failed: %s (next try at block "
                 "%llu)", n, (unsigned long long)e[0].r.epoch, err_msg(),
                 (unsigned long long)(head + MB_RETRY_BLOCKS));
        s->retry_at = head + MB_RETRY_BLOCKS;
        return rc;
    }
    for (size_t i = 0; i < n; i++) {
        e[i].status = MB_SENT;
        e[i].tx = hash;
        e[i].sent_block = head;
    }
    rc = mb_book_mark(s->book, e, n);
    char hex[HASH32_HEX_SIZE];
    hash32_to_hex(&hash, hex);
    log_info("MeshBox: reported %zu receipts of epoch %llu in %s", n,
             (unsigned long long)e[0].r.epoch, hex);
    s->stats.reports_sent++;
    s->stats.receipts_sent += n;
    s->stats.has_last = true;
    s->stats.last_tx = hash;
    s->stats.last_block = head;
    return rc;
}

static int step_locked(struct mb_service *s, size_t *ntx, size_t *nrec)
{
    uint64_t head = chainsvc_head_number(s->chain, NULL);
    uint64_t E = (head + 1) / s->p->meshbox_epoch;
    struct mb_entry *e = NULL;
    size_t n = 0;
    int rc = mb_book_list(s->book, &s->me, E >= 2 ? E - 2 : 0, E, MB_BOOK_LIST_MAX, &e, &n);
    if (rc)
        return rc;
    bool in_flight = false;
    /* (1) verdicts, by transaction */
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (e[i].status != MB_SENT)
            continue;
        size_t j = i + 1;
        /* the entries of one tx are marked together; gather them at i.. */
        for (size_t k = i + 1; k < n; k++) {
            if (e[k].status == MB_SENT && hash32_eq(&e[k].tx, &e[i].tx)) {
                struct mb_entry t = e[j];
                e[j] = e[k];
                e[k] = t;
                j++;
            }
        }
        int r = read_verdict(s, &e[i].tx, e + i, j - i);
        if (r < 0) {
            rc = r;
            break;
        }
        size_t still = 0;
        for (size_t k = i; k < j; k++) {
            if (e[k].status != MB_SENT)
                continue;
            /* not mined yet (r == 0), or mined without a log for it */
            if (r == 1 || head >= e[k].sent_block + MB_RESEND_BLOCKS)
                e[k].status = MB_STORED;
            else
                still++;
        }
        if (still)
            in_flight = true;
        rc = mb_book_mark(s->book, e + i, j - i);
        i = j - 1;
    }
    /* (2) windows that closed */
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (e[i].status == MB_STORED && e[i].r.epoch + 1 < E) {
            e[i].status = MB_EXPIRED;
            rc = mb_book_mark(s->book, e + i, 1);
        }
    }
    /* (3) what is due, one tx per epoch */
    size_t sent_tx = 0, sent_rec = 0;
    bool may_send = !in_flight && head >= s->retry_at;
    for (uint64_t ep = E >= 1 ? E - 1 : 0; rc == 0 && may_send && ep <= E; ep++) {
        struct mb_entry batch[MB_REPORT_BATCH_MAX];
        size_t m = 0;
        for (size_t i = 0; i < n && m < MB_REPORT_BATCH_MAX; i++)
            if (e[i].status == MB_STORED && e[i].r.epoch == ep)
                batch[m++] = e[i];
        if (m == 0)
            continue;
        if (send_batch(s, batch, m, head) != 0)
            break;
        sent_tx++;
        sent_rec += m;
    }
    free(e);
    /* (4) epochs the book no longer keeps (-meshboxkeep) */
    if (rc == 0 && s->keep_epochs && E + 1 > s->keep_epochs) {
        size_t gone = 0;
        rc = mb_book_prune(s->book, &s->me, E + 1 - s->keep_epochs, MB_PRUNE_MAX, &gone);
        if (rc == 0 && gone)
            log_info("MeshBox: %zu receipt(s) of epochs before %llu removed from the book "
                     "(-meshboxkeep=%llu)", gone, (unsigned long long)(E + 1 - s->keep_epochs),
                     (unsigned long long)s->keep_epochs);
    }
    if (ntx)
        *ntx = sent_tx;
    if (nrec)
        *nrec = sent_rec;
    return rc;
}

int mb_service_step(struct mb_service *s, size_t *txs, size_t *receipts)
{
    pthread_mutex_lock(&s->step_lock);
    int rc = step_locked(s, txs, receipts);
    pthread_mutex_unlock(&s->step_lock);
    return rc;
}

/* ---- the thread ---------------------------------------------------------------------- */

/* After each step the thread rests MB_SERVICE_REST_MS, in which heads only
 * set `wake`: under -automine a step per block (and its wake-up, on the
 * chain thread's path) cost more than the block; the heads of the rest
 * make one step. */
static void *thread_main(void *arg)
{
    thread_name("meshbox");
    struct mb_service *s = arg;
    for (;;) {
        pthread_mutex_lock(&s->lock);
        if (!s->wake && !s->stop) {
            struct timespec until;
            wait_deadline_after(&until, MB_SERVICE_TICK_MS);
            pthread_cond_timedwait(&s->cond, &s->lock, &until);
        }
        bool stop = s->stop;
        s->wake = false;
        pthread_mutex_unlock(&s->lock);
        if (stop)
            break;
        if (mb_service_step(s, NULL, NULL))
            log_warn("MeshBox: reporting step: %s", err_msg());
        wait_rest(&s->cond, &s->lock, &s->stop, &s->resting, MB_SERVICE_REST_MS);
    }
    return NULL;
}

void mb_service_on_head(struct mb_service *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->lock);
    s->wake = true;
    if (!s->resting)
        pthread_cond_signal(&s->cond);
    pthread_mutex_unlock(&s->lock);
}

int mb_service_start(const char *dir, struct chainsvc *chain, uint64_t keep_epochs,
                     struct mb_service **out)
{
    *out = NULL;
    const struct chain_params *p = chainsvc_params(chain);
    if (p->meshbox_epoch == 0 || address_is_zero(&p->meshbox_registry))
        return 0;
    struct mb_service *s = calloc(1, sizeof *s);
    if (!s)
        return err_set(ERR_NOMEM, "MeshBox service");
    if (keep_epochs && keep_epochs < MB_KEEP_EPOCHS_MIN)
        keep_epochs = MB_KEEP_EPOCHS_MIN;
    s->chain = chain;
    s->p = p;
    s->keep_epochs = keep_epochs;
    s->chain_id = u256_from_u64(p->chain_id);
    chainsvc_node_address(chain, &s->me);
    int rc = mb_book_open(dir, &s->book);
    if (rc) {
        free(s);
        return rc;
    }
    pthread_mutex_init(&s->lock, NULL);
    pthread_mutex_init(&s->step_lock, NULL);
    pthread_cond_init(&s->cond, NULL);
    if (pthread_create(&s->thread, NULL, thread_main, s) != 0) {
        mb_book_close(s->book);
        pthread_mutex_destroy(&s->lock);
        pthread_mutex_destroy(&s->step_lock);
        pthread_cond_destroy(&s->cond);
        free(s);
        return err_set(ERR_BADSTATE, "MeshBox service: no thread");
    }
    *out = s;
    return 0;
}

void mb_service_stop(struct mb_service *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->lock);
    s->stop = true;
    pthread_cond_signal(&s->cond);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->thread, NULL);
    mb_book_close(s->book);
    pthread_mutex_destroy(&s->lock);
    pthread_mutex_destroy(&s->step_lock);
    pthread_cond_destroy(&s->cond);
    free(s);
}
