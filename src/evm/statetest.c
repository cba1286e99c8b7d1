/*
 * statetest.c — GeneralStateTests: parse, build pre states, apply, compare
 * (see statetest.h for the semantics and why it is shaped this way).
 *
 * JSON comes in through jansson once per file and is turned into the plain
 * structs of statetest.h straight away; from then on nothing touches JSON,
 * so worker threads share nothing but the read-only parsed tests of the
 * file they own.
 */
#include "evm/statetest.h"

#include <dirent.h>
#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "crypto/ecdsa.h"
#include "crypto/keccak.h"
#include "evm/transaction.h"
#include "primitives/receipt.h"
#include "state/state.h"
#include "util/err.h"
#include "util/hex.h"

/* Outside-input caps: no fixture comes close. */
#define ST_MAX_LIST 4096
#define ST_MAX_BYTES ((size_t)16 << 20)

/* ---- parsing -------------------------------------------------------------- */

static int bad(const char *test, const char *field)
{
    return err_set(ERR_DECODE, "statetest %s: bad or missing %s", test, field);
}

static int get_u256(json_t *j, u256 *out)
{
    const char *s = json_string_value(j);
    if (!s)
        return ERR_DECODE;
    size_t n = strlen(s);
    if (n == 0 || (n == 2 && (s[1] == 'x' || s[1] == 'X') && s[0] == '0')) {
        *out = u256_from_u64(0);
        return 0;
    }
    return u256_from_str(out, s, n);
}

static int get_u64(json_t *j, uint64_t *out)
{
    u256 v;
    if (get_u256(j, &v) || !u256_fits_u64(&v))
        return ERR_RANGE;
    *out = v.w[0];
    return 0;
}

static int get_bytes(json_t *j, uint8_t **out, size_t *n)
{
    const char *s = json_string_value(j);
    if (!s)
        return ERR_DECODE;
    return hex_decode_alloc(s, strlen(s), ST_MAX_BYTES, out, n);
}

static int get_hash(json_t *j, struct hash32 *h)
{
    const char *s = json_string_value(j);
    return s ? hash32_from_hex(h, s, strlen(s)) : ERR_DECODE;
}

static int get_address(json_t *j, struct address *a)
{
    const char *s = json_string_value(j);
    return s ? address_from_hex(a, s, strlen(s)) : ERR_DECODE;
}

static void block_hash_of_number(void *ctx, uint64_t n, struct hash32 *out)
{
    (void)ctx;
    char buf[24];
    int len = snprintf(buf, sizeof buf, "%llu", (unsigned long long)n);
    keccak256(buf, (size_t)len, out->b);
}

static int parse_account(const char *name, const char *key, json_t *acc,
                         struct statetest_account *a)
{
    if (address_from_hex(&a->address, key, strlen(key)) || !json_is_object(acc))
        return bad(name, "pre address");
    if (get_u256(json_object_get(acc, "balance"), &a->balance))
        return bad(name, "pre balance");
    if (get_u64(json_object_get(acc, "nonce"), &a->nonce))
        return bad(name, "pre nonce");
    if (get_bytes(json_object_get(acc, "code"), &a->code, &a->code_len))
        return bad(name, "pre code");
    json_t *st = json_object_get(acc, "storage");
    if (st && !json_is_object(st))
        return bad(name, "pre storage");
    size_t n = st ? json_object_size(st) : 0;
    if (n > ST_MAX_LIST * 64)
        return bad(name, "pre storage size");
    if (n) {
        a->storage = calloc(n, sizeof *a->storage);
        if (!a->storage)
            return err_set(ERR_NOMEM, "statetest: storage");
    }
    const char *k;
    json_t *v;
    json_object_foreach(st, k, v) {
        struct statetest_slot *sl = &a->storage[a->storage_count];
        json_t *kj = json_string(k);
        int rc = kj ? get_u256(kj, &sl->key) : ERR_NOMEM;
        json_decref(kj);
        if (rc || get_u256(v, &sl->value))
            return bad(name, "pre storage slot");
        a->storage_count++;
    }
    return 0;
}

static int parse_list_size(json_t *j, size_t *n)
{
    if (!json_is_array(j) || json_array_size(j) == 0 || json_array_size(j) > ST_MAX_LIST)
        return ERR_DECODE;
    *n = json_array_size(j);
    return 0;
}

static int parse_tx(const char *name, json_t *tx, struct statetest *t)
{
    if (!json_is_object(tx))
        return bad(name, "transaction");
    uint8_t *sk = NULL;
    size_t skn = 0;
    if (get_bytes(json_object_get(tx, "secretKey"), &sk, &skn) || skn != 32) {
        free(sk);
        return bad(name, "transaction.secretKey");
    }
    uint8_t pub[64];
    int rc = ecdsa_pubkey(sk, pub);
    free(sk);
    if (rc)
        return err_set(ERR_CRYPTO, "statetest %s: invalid secret key", name);
    ecdsa_pub_to_address(pub, t->sender.b);
    if (get_u64(json_object_get(tx, "nonce"), &t->nonce))
        return bad(name, "transaction.nonce");
    if (get_u256(json_object_get(tx, "gasPrice"), &t->gas_price))
        return bad(name, "transaction.gasPrice");
    const char *to = json_string_value(json_object_get(tx, "to"));
    if (!to)
        return bad(name, "transaction.to");
    t->has_to = *to != 0;
    if (t->has_to && address_from_hex(&t->to, to, strlen(to)))
        return bad(name, "transaction.to");

    json_t *d = json_object_get(tx, "data"), *g = json_object_get(tx, "gasLimit"),
           *v = json_object_get(tx, "value");
    if (parse_list_size(d, &t->data_count) || parse_list_size(g, &t->gas_count) ||
        parse_list_size(v, &t->value_count))
        return bad(name, "transaction lists");
    t->data = calloc(t->data_count, sizeof *t->data);
    t->gas = calloc(t->gas_count, sizeof *t->gas);
    t->value = calloc(t->value_count, sizeof *t->value);
    if (!t->data || !t->gas || !t->value)
        return err_set(ERR_NOMEM, "statetest: transaction");
    t->data_labels = calloc(t->data_count, sizeof *t->data_labels);
    if (!t->data_labels)
        return err_set(ERR_NOMEM, "statetest: transaction");
    for (size_t i = 0; i < t->data_count; i++)
        if (get_bytes(json_array_get(d, i), &t->data[i].data, &t->data[i].len))
            return bad(name, "transaction.data");
    for (size_t i = 0; i < t->gas_count; i++)
        if (get_u64(json_array_get(g, i), &t->gas[i]))
            return bad(name, "transaction.gasLimit");
    for (size_t i = 0; i < t->value_count; i++)
        if (get_u256(json_array_get(v, i), &t->value[i]))
            return bad(name, "transaction.value");
    return 0;
}

static int parse_post(const char *name, json_t *post, struct statetest *t)
{
    if (!json_is_object(post))
        return bad(name, "post");
    size_t total = 0;
    const char *fk;
    json_t *arr;
    json_object_foreach(post, fk, arr) {
        if (!json_is_array(arr) || json_array_size(arr) > ST_MAX_LIST)
            return bad(name, "post entries");
        total += json_array_size(arr);
    }
    if (total == 0)
        return 0;
    t->post = calloc(total, sizeof *t->post);
    if (!t->post)
        return err_set(ERR_NOMEM, "statetest: post");
    json_object_foreach(post, fk, arr) {
        enum evm_fork fork = FORK_FRONTIER;
        bool supported = evm_fork_from_name(fk, &fork) == 0;
        for (size_t i = 0; i < json_array_size(arr); i++) {
            json_t *e = json_array_get(arr, i);
            struct statetest_post *p = &t->post[t->post_count];
            snprintf(p->fork_name, sizeof p->fork_name, "%s", fk);
            p->supported = supported;
            p->fork = fork;
            p->index = i;
            json_t *ix = json_object_get(e, "indexes");
            json_int_t di = json_integer_value(json_object_get(ix, "data"));
            json_int_t gi = json_integer_value(json_object_get(ix, "gas"));
            json_int_t vi = json_integer_value(json_object_get(ix, "value"));
            if (!json_is_object(ix) || di < 0 || gi < 0 || vi < 0)
                return bad(name, "post indexes");
            p->data = (size_t)di;
            p->gas = (size_t)gi;
            p->value = (size_t)vi;
            if (get_hash(json_object_get(e, "hash"), &p->root) ||
                get_hash(json_object_get(e, "logs"), &p->logs))
                return bad(name, "post hash/logs");
            t->post_count++;
        }
    }
    return 0;
}

static int parse_test(const char *name, json_t *j, struct statetest *t)
{
    t->name = strdup(name);
    if (!t->name)
        return err_set(ERR_NOMEM, "statetest: name");
    if (!json_is_object(j))
        return bad(name, "test object");
    json_t *env = json_object_get(j, "env");
    if (get_address(json_object_get(env, "currentCoinbase"), &t->block.coinbase))
        return bad(name, "env.currentCoinbase");
    if (get_u256(json_object_get(env, "currentDifficulty"), &t->block.difficulty))
        return bad(name, "env.currentDifficulty");
    if (get_u64(json_object_get(env, "currentGasLimit"), &t->block.gas_limit))
        return bad(name, "env.currentGasLimit");
    if (get_u64(json_object_get(env, "currentNumber"), &t->block.number))
        return bad(name, "env.currentNumber");
    if (get_u64(json_object_get(env, "currentTimestamp"), &t->block.timestamp))
        return bad(name, "env.currentTimestamp");
    t->block.chain_id = 1;
    t->block.block_hash = block_hash_of_number;
    t->block.block_hash_ctx = NULL;

    json_t *pre = json_object_get(j, "pre");
    if (!json_is_object(pre) || json_object_size(pre) > ST_MAX_LIST)
        return bad(name, "pre");
    size_t np = json_object_size(pre);
    if (np) {
        t->pre = calloc(np, sizeof *t->pre);
        if (!t->pre)
            return err_set(ERR_NOMEM, "statetest: pre");
    }
    const char *k;
    json_t *acc;
    json_object_foreach(pre, k, acc) {
        int rc = parse_account(name, k, acc, &t->pre[t->pre_count]);
        t->pre_count++;
        if (rc)
            return rc;
    }
    int rc = parse_tx(name, json_object_get(j, "transaction"), t);
    if (rc)
        return rc;
    /* Optional data labels (benchmark files): _info.labels {"0": "empty"}. */
    json_t *labels = json_object_get(json_object_get(j, "_info"), "labels");
    for (size_t i = 0; i < t->data_count && json_is_object(labels); i++) {
        char key[24];
        snprintf(key, sizeof key, "%zu", i);
        const char *l = json_string_value(json_object_get(labels, key));
        if (l && strlen(l) < 256 && !(t->data_labels[i] = strdup(l)))
            return err_set(ERR_NOMEM, "statetest: labels");
    }
    return parse_post(name, json_object_get(j, "post"), t);
}

int statetest_parse_file(const char *path, struct statetest **tests, size_t *count)
{
    *tests = NULL;
    *count = 0;
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    if (!root)
        return err_set(ERR_IO, "%s: %s (line %d)", path, je.text, je.line);
    if (!json_is_object(root) || json_object_size(root) > ST_MAX_LIST) {
        json_decref(root);
        return err_set(ERR_DECODE, "%s: not an object of tests", path);
    }
    size_t n = json_object_size(root);
    struct statetest *ts = n ? calloc(n, sizeof *ts) : NULL;
    if (n && !ts) {
        json_decref(root);
        return err_set(ERR_NOMEM, "statetest: tests");
    }
    size_t done = 0;
    int rc = 0;
    const char *name;
    json_t *j;
    json_object_foreach(root, name, j) {
        rc = parse_test(name, j, &ts[done]);
        done++;
        if (rc)
            break;
    }
    json_decref(root);
    if (rc) {
        statetest_free(ts, done);
        return rc;
    }
    *tests = ts;
    *count = done;
    return 0;
}

void statetest_free(struct statetest *tests, size_t count)
{
    if (!tests)
        return;
    for (size_t i = 0; i < count; i++) {
        struct statetest *t = &tests[i];
        free(t->name);
        for (size_t a = 0; a < t->pre_count; a++) {
            free(t->pre[a].code);
            free(t->pre[a].storage);
        }
        free(t->pre);
        for (size_t d = 0; d < t->data_count && t->data; d++)
            free(t->data[d].data);
        for (size_t d = 0; d < t->data_count && t->data_labels; d++)
            free(t->data_labels[d]);
        free(t->data);
        free(t->data_labels);
        free(t->gas);
        free(t->value);
        free(t->post);
    }
    free(tests);
}

/* ---- running one entry --------------------------------------------------- */

int statetest_pre_state(const struct statetest *t, struct state **out)
{
    struct state *s;
    int rc = state_open(NULL, NULL, &s);
    if (rc)
        return rc;
    for (size_t i = 0; i < t->pre_count && !rc; i++) {
        const struct statetest_account *a = &t->pre[i];
        state_create_account(s, &a->address);
        state_set_balance(s, &a->address, &a->balance);
        state_set_nonce(s, &a->address, a->nonce);
        if (a->code_len)
            rc = state_set_code(s, &a->address, a->code, a->code_len);
        for (size_t k = 0; k < a->storage_count; k++)
            if (!u256_iszero(&a->storage[k].value))
                state_set_storage(s, &a->address, &a->storage[k].key, &a->storage[k].value);
    }
    state_tx_finalize(s, false);
    if (!rc)
        rc = state_error(s);
    if (rc) {
        state_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

int statetest_tx(const struct statetest *t, size_t d, size_t g, size_t v, struct tx *tx)
{
    if (d >= t->data_count || g >= t->gas_count || v >= t->value_count)
        return err_set(ERR_RANGE, "statetest %s: index out of range", t->name);
    memset(tx, 0, sizeof *tx);
    tx->nonce = t->nonce;
    tx->gas_price = t->gas_price;
    tx->gas = t->gas[g];
    tx->has_to = t->has_to;
    tx->to = t->to;
    tx->value = t->value[v];
    tx->data = t->data[d].data;
    tx->data_len = t->data[d].len;
    return 0;
}

static void hex32(const uint8_t *b, char out[67])
{
    out[0] = '0';
    out[1] = 'x';
    hex_encode(out + 2, b, 32);
}

int statetest_check(struct evm *evm, const struct statetest *t, const struct statetest_post *p,
                    FILE *trace, char *why, size_t why_len)
{
    why[0] = 0;
    struct tx tx;
    int rc = statetest_tx(t, p->data, p->gas, p->value, &tx);
    if (rc) {
        snprintf(why, why_len, "%s", err_msg());
        return 0;
    }
    struct state *s;
    rc = statetest_pre_state(t, &s);
    if (rc) {
        snprintf(why, why_len, "pre state: %s", err_msg());
        return rc;
    }
    evm_set_trace(evm, trace);
    uint64_t pool = t->block.gas_limit;
    struct evm_tx_result r;
    rc = evm_apply_tx(evm, s, p->fork, &t->block, &tx, &t->sender, &pool, &r);
    evm_set_trace(evm, NULL);
    if (rc && rc != ERR_INVAL) {
        snprintf(why, why_len, "apply: %s", err_msg());
        state_free(s);
        return rc;
    }
    if (trace) {
        if (rc == 0)
            fprintf(trace, "{\"output\":\"\",\"gasUsed\":\"0x%llx\",\"status\":\"%s\"}\n",
                    (unsigned long long)r.gas_used, evm_status_name(r.status));
        else
            fprintf(trace, "{\"error\":\"%s\"}\n", err_msg());
    }
    /* geth's harness: a zero credit to the coinbase, then finalise again. */
    u256 zero = u256_from_u64(0);
    state_add_balance(s, &t->block.coinbase, &zero);
    state_tx_finalize(s, p->fork >= FORK_SPURIOUS);
    uint8_t root[32];
    struct hash32 lh;
    int rrc = state_root(s, root);
    int lrc = rc == 0 ? logs_hash(r.logs, r.log_count, &lh) : logs_hash(NULL, 0, &lh);
    if (rc == 0)
        evm_tx_result_free(&r);
    state_free(s);
    if (rrc || lrc) {
        snprintf(why, why_len, "root/logs: %s", err_msg());
        return rrc ? rrc : lrc;
    }
    if (trace) {
        char h[67];
        hex32(root, h);
        fprintf(trace, "{\"stateRoot\":\"%s\"}\n", h);
    }
    if (memcmp(root, p->root.b, 32) != 0) {
        char got[67], want[67];
        hex32(root, got);
        hex32(p->root.b, want);
        snprintf(why, why_len, "state root %s, want %s", got, want);
        return 0;
    }
    if (!hash32_eq(&lh, &p->logs)) {
        char got[67], want[67];
        hex32(lh.b, got);
        hex32(p->logs.b, want);
        snprintf(why, why_len, "logs hash %s, want %s", got, want);
        return 0;
    }
    return 1;
}

/* ---- running files ---------------------------------------------------------- */

struct rec {
    char *test;
    char *fork;
    size_t index;
    int result;
    char *why;
};

struct file_result {
    struct rec *recs;
    size_t n, cap;
    bool done;
};

static void add_rec(struct file_result *fr, const char *test, const char *fork, size_t index,
                    int result, const char *why)
{
    if (fr->n == fr->cap) {
        size_t nc = fr->cap ? fr->cap * 2 : 16;
        struct rec *nr = realloc(fr->recs, nc * sizeof *nr);
        if (!nr)
            return; /* reported as missing; the count still shows it */
        fr->recs = nr;
        fr->cap = nc;
    }
    struct rec *r = &fr->recs[fr->n++];
    r->test = strdup(test);
    r->fork = strdup(fork);
    r->index = index;
    r->result = result;
    r->why = why && *why ? strdup(why) : NULL;
}

static void run_file(struct evm *evm, const char *path, const struct statetest_options *o,
                     struct file_result *fr)
{
    struct statetest *tests;
    size_t n;
    int rc = statetest_parse_file(path, &tests, &n);
    if (rc) {
        add_rec(fr, "", "", 0, 0, err_msg());
        return;
    }
    char why[256];
    for (size_t i = 0; i < n; i++) {
        const struct statetest *t = &tests[i];
        for (size_t k = 0; k < t->post_count; k++) {
            const struct statetest_post *p = &t->post[k];
            if (!p->supported) {
                if (o->fork < 0)
                    add_rec(fr, t->name, p->fork_name, p->index, -1, NULL);
                continue;
            }
            if (o->fork >= 0 && (int)p->fork != o->fork)
                continue;
            int r = statetest_check(evm, t, p, o->trace, why, sizeof why);
            add_rec(fr, t->name, p->fork_name, p->index, r == 1 ? 1 : 0, why);
        }
    }
    statetest_free(tests, n);
}

static void report_file(const char *path, struct file_result *fr, statetest_report_fn fn,
                        void *ctx)
{
    for (size_t i = 0; i < fr->n; i++) {
        struct rec *r = &fr->recs[i];
        struct statetest_outcome oc = {path, r->test ? r->test : "?", r->fork ? r->fork : "?",
                                       r->index, r->result, r->why ? r->why : ""};
        fn(ctx, &oc);
        free(r->test);
        free(r->fork);
        free(r->why);
    }
    free(fr->recs);
    fr->recs = NULL;
    fr->n = fr->cap = 0;
}

struct pool {
    char *const *paths;
    size_t n;
    size_t next;
    struct file_result *res;
    const struct statetest_options *o;
    pthread_mutex_t mu;
    pthread_cond_t cv;
};

static void *worker(void *arg)
{
    struct pool *p = arg;
    struct evm *evm = NULL;
    bool ok = evm_new(&evm) == 0;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        size_t i = p->next++;
        pthread_mutex_unlock(&p->mu);
        if (i >= p->n)
            break;
        if (ok)
            run_file(evm, p->paths[i], p->o, &p->res[i]);
        else
            add_rec(&p->res[i], "", "", 0, 0, "out of memory");
        pthread_mutex_lock(&p->mu);
        p->res[i].done = true;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
    }
    evm_free(evm);
    return NULL;
}

int statetest_run_files(char *const *paths, size_t n, const struct statetest_options *o,
                        statetest_report_fn fn, void *ctx)
{
    unsigned threads = o->trace ? 1 : o->threads;
    if (threads > 64)
        threads = 64;
    if (threads <= 1) {
        struct evm *evm;
        int rc = evm_new(&evm);
        if (rc)
            return rc;
        for (size_t i = 0; i < n; i++) {
            struct file_result fr = {0};
            run_file(evm, paths[i], o, &fr);
            report_file(paths[i], &fr, fn, ctx);
        }
        evm_free(evm);
        return 0;
    }
    struct pool p = {.paths = paths, .n = n, .o = o};
    p.res = calloc(n ? n : 1, sizeof *p.res);
    if (!p.res)
        return err_set(ERR_NOMEM, "statetest: results");
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.cv, NULL);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, EVM_THREAD_STACK);
    pthread_t tid[64];
    unsigned started = 0;
    for (; started < threads; started++)
        if (pthread_create(&tid[started], &attr, worker, &p) != 0)
            break;
    pthread_attr_destroy(&attr);
    if (started == 0) {
        free(p.res);
        return err_set(ERR_INVAL, "statetest: cannot start threads");
    }
    for (size_t i = 0; i < n; i++) {
        pthread_mutex_lock(&p.mu);
        while (!p.res[i].done)
            pthread_cond_wait(&p.cv, &p.mu);
        pthread_mutex_unlock(&p.mu);
        report_file(paths[i], &p.res[i], fn, ctx);
    }
    for (unsigned t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
    pthread_mutex_destroy(&p.mu);
    pthread_cond_destroy(&p.cv);
    free(p.res);
    return 0;
}

/* ---- collecting paths ---------------------------------------------------------- */

static int push_path(char ***paths, size_t *n, const char *p)
{
    char **np = realloc(*paths, (*n + 1) * sizeof *np);
    if (!np)
        return err_set(ERR_NOMEM, "statetest: paths");
    *paths = np;
    np[*n] = strdup(p);
    if (!np[*n])
        return err_set(ERR_NOMEM, "statetest: paths");
    (*n)++;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_json(const char *s)
{
    size_t n = strlen(s);
    return n >= 5 && strcmp(s + n - 5, ".json") == 0;
}

static int walk(const char *path, char ***paths, size_t *n, int depth)
{
    struct stat stt;
    if (stat(path, &stt) != 0)
        return err_set(ERR_NOTFOUND, "%s: not found", path);
    if (!S_ISDIR(stt.st_mode))
        return is_json(path) || depth == 0 ? push_path(paths, n, path) : 0;
    if (depth > 32)
        return 0;
    DIR *d = opendir(path);
    if (!d)
        return err_set(ERR_IO, "%s: cannot open", path);
    char **names = NULL;
    size_t nn = 0;
    int rc = 0;
    struct dirent *e;
    while (!rc && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        size_t len = strlen(path) + strlen(e->d_name) + 2;
        char *full = malloc(len);
        if (!full) {
            rc = err_set(ERR_NOMEM, "statetest: paths");
            break;
        }
        snprintf(full, len, "%s/%s", path, e->d_name);
        rc = push_path(&names, &nn, full);
        free(full);
    }
    closedir(d);
    if (!rc)
        qsort(names, nn, sizeof *names, cmp_str);
    for (size_t i = 0; i < nn && !rc; i++)
        rc = walk(names[i], paths, n, depth + 1);
    statetest_paths_free(names, nn);
    return rc;
}

int statetest_collect(const char *path, char ***paths, size_t *n)
{
    return walk(path, paths, n, 0);
}

void statetest_paths_free(char **paths, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(paths[i]);
    free(paths);
}
