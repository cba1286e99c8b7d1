/*
 * txpool_iter.c — the order in which the miner tries pooled transactions:
 * best gas price first across senders, nonce order within a sender (geth's
 * TransactionsByPriceAndNonce).
 *
 * Why it is shaped this way: a sender's txs must run in nonce order, so only
 * each sender's next pending tx competes. The iterator copies the pending
 * prefixes into one flat array (one run per sender) and keeps a binary
 * max-heap of runs keyed by the price of each run's current tx; shift
 * advances a run and sifts it down, pop removes the run. Ties go to the
 * earlier arrival, so the order is deterministic.
 */
#include "txpool/txpool_internal.h"

#include <stdlib.h>

#include "util/err.h"

struct run {
    size_t pos, end;            /* into it->txs */
};

struct txpool_iter {
    const struct txpool_tx **txs;
    struct run *heap;           /* heap[0] is the best run */
    size_t nheap;
};

static const struct txpool_tx *head_of(const struct txpool_iter *it, const struct run *r)
{
    return it->txs[r->pos];
}

/* True when run a's current tx goes before run b's. */
static bool better(const struct txpool_iter *it, const struct run *a, const struct run *b)
{
    const struct txpool_tx *x = head_of(it, a), *y = head_of(it, b);
    int c = u256_cmp(&x->tx.gas_price, &y->tx.gas_price);
    return c > 0 || (c == 0 && x->seq < y->seq);
}

static void sift_down(struct txpool_iter *it, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < it->nheap && better(it, &it->heap[l], &it->heap[m]))
            m = l;
        if (r < it->nheap && better(it, &it->heap[r], &it->heap[m]))
            m = r;
        if (m == i)
            return;
        struct run t = it->heap[i];
        it->heap[i] = it->heap[m];
        it->heap[m] = t;
        i = m;
    }
}

int txpool_iter_new(const struct txpool *pool, struct txpool_iter **out)
{
    *out = NULL;
    struct txpool_iter *it = calloc(1, sizeof *it);
    size_t naccts = pool->by_addr.n, ntx = pool->npending;
    if (it) {
        it->txs = malloc((ntx ? ntx : 1) * sizeof *it->txs);
        it->heap = malloc((naccts ? naccts : 1) * sizeof *it->heap);
    }
    if (!it || !it->txs || !it->heap) {
        txpool_iter_free(it);
        return err_set(ERR_NOMEM, "txpool: iterator over %zu txs", ntx);
    }
    size_t pos = 0, k = 0;
    const struct txpool_account *a;
    while ((a = txpool_map_next(&pool->by_addr, &pos))) {
        if (!a->npending || k + a->npending > ntx)
            continue;
        it->heap[it->nheap].pos = k;
        for (size_t i = 0; i < a->npending; i++)
            it->txs[k++] = a->txs[i];
        it->heap[it->nheap++].end = k;
    }
    for (size_t i = it->nheap / 2; i-- > 0;)
        sift_down(it, i);
    *out = it;
    return 0;
}

const struct txpool_tx *txpool_iter_peek(const struct txpool_iter *it)
{
    return it->nheap ? head_of(it, &it->heap[0]) : NULL;
}

void txpool_iter_pop(struct txpool_iter *it)
{
    if (!it->nheap)
        return;
    it->heap[0] = it->heap[--it->nheap];
    sift_down(it, 0);
}

void txpool_iter_shift(struct txpool_iter *it)
{
    if (!it->nheap)
        return;
    if (++it->heap[0].pos == it->heap[0].end) {
        txpool_iter_pop(it);
        return;
    }
    sift_down(it, 0);
}

void txpool_iter_free(struct txpool_iter *it)
{
    if (!it)
        return;
    free(it->txs);
    free(it->heap);
    free(it);
}
