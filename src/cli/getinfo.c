/*
 * getinfo.c — spectrum-cli -getinfo; see getinfo.h.
 *
 * Two round trips. The first is one batch of public calls (chain id,
 * network id, head, peers, sync state, node address, and the wallet's
 * accounts when this program has credentials); the second is one batch of
 * eth_getBalance at that head for the addresses the first one gave, so the
 * balances are those of the head shown, not of whatever "latest" is by then.
 * Two round trips whatever the number of accounts, and not one, because the
 * second needs the addresses of the first.
 *
 * eth_accounts is private: asked without credentials, it would make the
 * node answer 401 to the whole batch, so it is left out then (and asked on
 * its own if a cookie appeared while -rpcwait waited).
 *
 * Every answer is checked before it is printed (quantities are 0x hex that
 * fit, hashes and addresses have their exact length), and a malformed one
 * names its method. Balances are printed in SMT with exact decimal
 * arithmetic on the 256-bit wei value (no floating point anywhere, so 1 wei
 * prints as 0.000000000000000001); the sync share is computed in 256 bits
 * too.
 */
#include "cli/getinfo.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chain/params.h"
#include "primitives/u256.h"
#include "util/err.h"

/* Writes wei as SMT (18 decimals): the integer part, then the fraction
 * without trailing zeros ("0", "1.5", "0.000000000000000001").
 * Out: out  at least U256_DEC_BUF + 1 bytes (78 digits, '.', NUL). */
static void format_smt(const u256 *wei, char out[U256_DEC_BUF + 1])
{
    char dec[U256_DEC_BUF];
    size_t n = u256_to_dec(wei, dec);
    char digits[U256_DEC_BUF];          /* at least 19 digits, zero-padded */
    size_t pad = n < 19 ? 19 - n : 0;
    memset(digits, '0', pad);
    memcpy(digits + pad, dec, n + 1);
    size_t ip = n + pad - 18;           /* digits before the point, >= 1 */
    size_t fl = 18;
    while (fl && digits[ip + fl - 1] == '0')
        fl--;
    memcpy(out, digits, ip);
    size_t o = ip;
    if (fl) {
        out[o++] = '.';
        memcpy(out + o, digits + ip, fl);
        o += fl;
    }
    out[o] = 0;
}

/* A JSON-RPC quantity ("0x1a") as u256; false when v is not one. */
static bool json_quantity(const json_t *v, u256 *out)
{
    if (!json_is_string(v))
        return false;
    const char *s = json_string_value(v);
    size_t l = json_string_length(v);
    return l >= 3 && s[0] == '0' && s[1] == 'x' && u256_from_hex(out, s, l) == 0;
}

static bool json_u64(const json_t *v, uint64_t *out)
{
    u256 x;
    return json_quantity(v, &x) && u256_to_u64_checked(out, &x) == 0;
}

/* True when v is a string "0x" followed by exactly `digits` hex digits. */
static bool json_hex_fixed(const json_t *v, size_t digits)
{
    if (!json_is_string(v) || json_string_length(v) != digits + 2)
        return false;
    const char *s = json_string_value(v);
    if (s[0] != '0' || s[1] != 'x')
        return false;
    for (size_t i = 2; i < digits + 2; i++) {
        char ch = s[i];
        if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F')))
            return false;
    }
    return true;
}

static const char *chain_name(uint64_t chain_id)
{
    for (int n = 0; n < CHAIN_NETWORK_COUNT; n++) {
        const struct chain_params *p = chain_params_get((enum chain_network)n);
        if (p && p->chain_id == chain_id)
            return p->name;
    }
    return "unknown network";
}

/* "12 s ago", "5 min ago", "3 h ago", "20 days ago", "4 s in the future". */
static void format_age(uint64_t ts, time_t now, char *out, size_t cap)
{
    uint64_t t = now > 0 ? (uint64_t)now : 0;
    if (ts > t) {
        snprintf(out, cap, "%" PRIu64 " s in the future", ts - t);
        return;
    }
    uint64_t d = t - ts;
    if (d < 120)
        snprintf(out, cap, "%" PRIu64 " s ago", d);
    else if (d < 120 * 60)
        snprintf(out, cap, "%" PRIu64 " min ago", d / 60);
    else if (d < 48 * 3600)
        snprintf(out, cap, "%" PRIu64 " h ago", d / 3600);
    else
        snprintf(out, cap, "%" PRIu64 " days ago", d / 86400);
}

/* "2026-01-31 12:00:00 UTC", or the bare number of seconds when it is not
 * a date gmtime can write. */
static void format_utc(uint64_t ts, char *out, size_t cap)
{
    struct tm tm;
    time_t t = (time_t)ts;
    if (ts <= (uint64_t)INT64_MAX && (uint64_t)t == ts && gmtime_r(&t, &tm) &&
        strftime(out, cap, "%Y-%m-%d %H:%M:%S UTC", &tm) > 0)
        return;
    snprintf(out, cap, "%" PRIu64 " s after 1970", ts);
}

/* Appends {"jsonrpc":"2.0","id":id,"method":m,"params":params} to batch
 * (params stolen). Returns 0 or ERR_NOMEM. */
static int batch_add(json_t *batch, const char *m, json_t *params)
{
    json_t *r = params ? json_pack("{s:s, s:I, s:s, s:o}", "jsonrpc", "2.0", "id",
                                   (json_int_t)json_array_size(batch), "method", m, "params",
                                   params)
                       : NULL;
    if (!r || json_array_append_new(batch, r))
        return err_set(ERR_NOMEM, "out of memory");
    return 0;
}

/* Sends `batch` (call i has id i and method names[i], or names[0] for every
 * call when nnames is 1) and collects the
 * results. Returns 0 with results[i] borrowed from *reply (the caller frees
 * *reply); or 1 after printing why not: a transport or HTTP failure, a
 * batch-level error, any call's error (with the method's name first), or a
 * missing answer. */
static int batch_send(struct cli_conn *c, const json_t *batch, const char *const *names,
                      size_t nnames, bool wait, json_t **reply, json_t **results)
{
    size_t n = json_array_size(batch);
    *reply = NULL;
    char *body = json_dumps(batch, JSON_COMPACT);
    if (!body) {
        fprintf(stderr, "error: out of memory\n");
        return 1;
    }
    int code = cli_conn_post(c, body, wait);
    free(body);
    if (code)
        return 1;
    json_t *j = cli_reply_json(c);
    if (!j)
        return 1;
    if (!json_is_array(j)) {
        json_t *err = json_object_get(j, "error");
        if (err && !json_is_null(err)) {
            fprintf(stderr, "error: -getinfo: the node refused the batch\n");
            cli_print_rpc_error(err);
        } else {
            fprintf(stderr, "error: -getinfo: the reply to a batch is not an array\n");
        }
        json_decref(j);
        return 1;
    }
    json_t **errs = calloc(n ? n : 1, sizeof *errs);
    if (!errs) {
        json_decref(j);
        fprintf(stderr, "error: out of memory\n");
        return 1;
    }
    for (size_t i = 0; i < n; i++)
        results[i] = NULL;
    size_t k;
    json_t *el;
    json_array_foreach(j, k, el) {
        json_t *id = json_object_get(el, "id");
        if (!json_is_integer(id) || json_integer_value(id) < 0 ||
            (uint64_t)json_integer_value(id) >= n)
            continue;
        size_t i = (size_t)json_integer_value(id);
        json_t *err = json_object_get(el, "error");
        if (err && !json_is_null(err))
            errs[i] = err;
        else if (json_object_get(el, "result"))
            results[i] = json_object_get(el, "result");
    }
    code = 0;
    for (size_t i = 0; i < n && !code; i++) {
        if (errs[i]) {
            fprintf(stderr, "error: -getinfo: %s failed\n", names[nnames == 1 ? 0 : i]);
            cli_print_rpc_error(errs[i]);
            code = 1;
        } else if (!results[i]) {
            fprintf(stderr, "error: -getinfo: the reply has no answer to %s\n",
                    names[nnames == 1 ? 0 : i]);
            code = 1;
        }
    }
    free(errs);
    if (code)
        json_decref(j);
    else
        *reply = j;
    return code;
}

enum gi_call {
    GI_CHAIN_ID,
    GI_NET_VERSION,
    GI_BLOCK_NUMBER,
    GI_HEAD,
    GI_PEERS,
    GI_SYNCING,
    GI_COINBASE,
    GI_ACCOUNTS,        /* only with credentials */
    GI_CALLS
};

static const char *const gi_names[GI_CALLS] = {
    "eth_chainId", "net_version", "eth_blockNumber", "eth_getBlockByNumber",
    "net_peerCount", "eth_syncing", "eth_coinbase", "eth_accounts",
};

static int malformed(const char *method)
{
    fprintf(stderr, "error: -getinfo: the node's answer to %s is malformed\n", method);
    return 1;
}

/* The "Sync:" value from eth_syncing's result: "synced", or the share of
 * the highest known block reached, "42.17% (block 4217 of 10000)". */
static int format_sync(const json_t *s, char *out, size_t cap)
{
    if (json_is_false(s)) {
        snprintf(out, cap, "synced");
        return 0;
    }
    uint64_t cur, high;
    if (!json_is_object(s) || !json_u64(json_object_get(s, "currentBlock"), &cur) ||
        !json_u64(json_object_get(s, "highestBlock"), &high))
        return -1;
    /* basis points = cur * 10000 / high, in 256 bits so nothing overflows */
    uint64_t bp = 10000;
    if (high > 0 && cur < high) {
        u256 x = u256_from_u64(cur), f = u256_from_u64(10000), h = u256_from_u64(high), r;
        u256_mul(&r, &x, &f);
        u256_div(&x, &r, &h);
        if (u256_to_u64_checked(&bp, &x))
            bp = 10000;
    } else if (high == 0) {
        bp = 0;
    }
    snprintf(out, cap, "%" PRIu64 ".%02" PRIu64 "%% (block %" PRIu64 " of %" PRIu64 ")",
             bp / 100, bp % 100, cur, high);
    return 0;
}

/* One batch of eth_getBalance at `block`, one call per address of addrs;
 * out[i] gets balance i in SMT (format_smt). Returns the exit code. */
static int fetch_balances(struct cli_conn *c, const json_t *addrs, const json_t *block,
                          char (*out)[U256_DEC_BUF + 1])
{
    static const char *const name[1] = {"eth_getBalance"};
    size_t n = json_array_size(addrs);
    json_t *batch = json_array();
    json_t **res = calloc(n ? n : 1, sizeof *res);
    int rc = batch && res ? 0 : err_set(ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n && !rc; i++)
        rc = batch_add(batch, name[0], json_pack("[O, O]", json_array_get(addrs, i), block));
    if (rc) {
        fprintf(stderr, "error: %s\n", err_msg());
        json_decref(batch);
        free(res);
        return 1;
    }
    json_t *reply = NULL;
    int code = batch_send(c, batch, name, 1, false, &reply, res);
    json_decref(batch);
    for (size_t i = 0; i < n && !code; i++) {
        u256 wei;
        if (!json_quantity(res[i], &wei))
            code = malformed(name[0]);
        else
            format_smt(&wei, out[i]);
    }
    json_decref(reply);
    free(res);
    return code;
}

int cli_getinfo(struct cli_conn *c, bool wait)
{
    /* The wallet's accounts only with credentials: no request of this batch
     * may need them otherwise, or the node answers 401 to all of it. */
    struct cli_credentials probe;
    memset(&probe, 0, sizeof probe);
    if (cli_load_credentials(c->a, c->netdir, &probe)) {
        fprintf(stderr, "error: %s\n", err_msg());
        return 1;
    }
    bool with_wallet = probe.set;
    explicit_bzero(&probe, sizeof probe);

    json_t *batch = json_array();
    int rc = batch ? 0 : err_set(ERR_NOMEM, "out of memory");
    for (int i = 0; i < GI_CALLS && !rc; i++) {
        if (i == GI_ACCOUNTS && !with_wallet)
            break;
        json_t *p = i == GI_HEAD ? json_pack("[s, b]", "latest", 0) : json_array();
        rc = batch_add(batch, gi_names[i], p);
    }
    if (rc) {
        json_decref(batch);
        fprintf(stderr, "error: %s\n", err_msg());
        return 1;
    }
    json_t *reply = NULL, *res[GI_CALLS] = {0};
    int code = batch_send(c, batch, gi_names, GI_CALLS, wait, &reply, res);
    json_decref(batch);
    if (code)
        return code;

    json_t *accounts_reply = NULL;
    char (*bal)[U256_DEC_BUF + 1] = NULL;
    uint64_t chain_id, number, peers, head_number, ts;
    const json_t *head = res[GI_HEAD];
    char sync[96];
    const char *netver = json_string_value(res[GI_NET_VERSION]);
    if (!json_u64(res[GI_CHAIN_ID], &chain_id))
        code = malformed("eth_chainId");
    else if (!netver || !*netver || strspn(netver, "0123456789") != strlen(netver) ||
             strlen(netver) > 20)
        code = malformed("net_version");
    else if (!json_u64(res[GI_BLOCK_NUMBER], &number))
        code = malformed("eth_blockNumber");
    else if (!json_is_object(head) || !json_u64(json_object_get(head, "number"), &head_number) ||
             !json_hex_fixed(json_object_get(head, "hash"), 64) ||
             !json_u64(json_object_get(head, "timestamp"), &ts))
        code = malformed("eth_getBlockByNumber");
    else if (!json_u64(res[GI_PEERS], &peers))
        code = malformed("net_peerCount");
    else if (format_sync(res[GI_SYNCING], sync, sizeof sync))
        code = malformed("eth_syncing");
    else if (!json_hex_fixed(res[GI_COINBASE], 40))
        code = malformed("eth_coinbase");
    if (code)
        goto out;

    /* The cookie may have appeared while -rpcwait waited. */
    const json_t *accounts = res[GI_ACCOUNTS];
    if (!with_wallet && c->cred.set) {
        json_t *b = json_array();
        json_t *one[1];
        if (!b || batch_add(b, "eth_accounts", json_array())) {
            json_decref(b);
            fprintf(stderr, "error: out of memory\n");
            code = 1;
            goto out;
        }
        code = batch_send(c, b, gi_names + GI_ACCOUNTS, 1, false, &accounts_reply, one);
        json_decref(b);
        if (code)
            goto out;
        accounts = one[0];
        with_wallet = true;
    }
    size_t nacc = 0;
    if (with_wallet) {
        if (!json_is_array(accounts)) {
            code = malformed("eth_accounts");
            goto out;
        }
        nacc = json_array_size(accounts);
        for (size_t i = 0; i < nacc; i++)
            if (!json_hex_fixed(json_array_get(accounts, i), 40)) {
                code = malformed("eth_accounts");
                goto out;
            }
    }

    /* Balances at the head shown, not at whatever "latest" is by then. */
    size_t shown = nacc < CLI_GETINFO_ACCOUNTS ? nacc : CLI_GETINFO_ACCOUNTS;
    json_t *addrs = json_array();
    rc = !addrs || json_array_append(addrs, res[GI_COINBASE]);
    for (size_t i = 0; i < shown && !rc; i++)
        rc = json_array_append(addrs, json_array_get(accounts, i));
    bal = rc ? NULL : malloc((shown + 1) * sizeof *bal);
    if (!bal) {
        json_decref(addrs);
        fprintf(stderr, "error: out of memory\n");
        code = 1;
        goto out;
    }
    code = fetch_balances(c, addrs, json_object_get(head, "number"), bal);
    json_decref(addrs);
    if (code)
        goto out;

    char when[64], age[64];
    format_utc(ts, when, sizeof when);
    format_age(ts, time(NULL), age, sizeof age);
    printf("Chain: %s (chain id %" PRIu64 ", network id %s)\n", chain_name(chain_id), chain_id,
           netver);
    printf("Blocks: %" PRIu64 "\n", number);
    printf("Head: %s (block %" PRIu64 ")\n", json_string_value(json_object_get(head, "hash")),
           head_number);
    printf("Head time: %s (%s)\n", when, age);
    printf("Peers: %" PRIu64 "\n", peers);
    printf("Sync: %s\n", sync);
    printf("Node address: %s\n", json_string_value(res[GI_COINBASE]));
    printf("Node balance: %s SMT\n", bal[0]);
    if (!with_wallet)
        printf("Wallet: not shown (no credentials: no -rpcpassword, and no cookie file)\n");
    else if (nacc == 0)
        printf("Wallet: no accounts\n");
    else
        printf("Wallet: %zu account%s\n", nacc, nacc == 1 ? "" : "s");
    for (size_t i = 0; i < shown; i++)
        printf("  %s  %s SMT\n", json_string_value(json_array_get(accounts, i)), bal[i + 1]);
    if (nacc > shown)
        printf("  ... and %zu more (eth_accounts lists them all)\n", nacc - shown);

out:
    free(bal);
    json_decref(accounts_reply);
    json_decref(reply);
    return code;
}
