/*
 * fuzz_rpc.c — libFuzzer target for everything the RPC server reads from a
 * network client. The first byte picks the reader, the rest is its input:
 *
 *   0  a JSON-RPC body (single or batch) through parse, the credentials
 *      check, the asynchronous start of a lone call, both run stages and
 *      the reply, with the real namespaces
 *   1  a WebSocket byte stream through the server-side frame reader
 *   2  a WebSocket handshake request (and the accept key when accepted)
 *   3  an Authorization header, an -rpcallowip / endpoint value and a log
 *      filter (the input as JSON)
 *
 * Properties: nothing crashes or leaks; a reply is JSON; a single request
 * gets an object with "jsonrpc":"2.0" and either "result" or "error", never
 * both; a batch reply is an array no longer than the batch; the reader never
 * consumes more than it was given and never assembles more than its limit.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rpc/addr.h"
#include "rpc/auth.h"
#include "rpc/dispatch.h"
#include "rpc/exec.h"
#include "rpc/logfilter.h"
#include "rpc/methods.h"
#include "rpc/wsproto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct rpc_registry *reg;
static struct rpc_env env;

static void check_single(const json_t *r)
{
    if (!json_is_object(r) || strcmp(json_string_value(json_object_get(r, "jsonrpc")), "2.0"))
        abort();
    bool res = json_object_get(r, "result") != NULL, err = json_object_get(r, "error") != NULL;
    if (res == err || !json_object_get(r, "id"))
        abort();
    if (err && !json_is_integer(json_object_get(json_object_get(r, "error"), "code")))
        abort();
}

static void fuzz_request(const uint8_t *data, size_t size, bool auth)
{
    struct rpc_request *r;
    if (rpc_request_parse((const char *)data, size, reg, 50, &r))
        return;
    (void)rpc_request_denied(r, reg, auth);
    (void)rpc_request_inline(r);
    atomic_bool never = false;
    struct rpc_ctx proto;
    memset(&proto, 0, sizeof proto);
    proto.env = &env;
    proto.authenticated = auth;
    proto.cancelled = &never;
    proto.transport = RPC_TRANSPORT_NONE;
    bool batch;
    json_t *ids = rpc_request_ids(r, &batch);
    /* A lone call's asynchronous form (the server's path for a lone
     * eth_sendRawTransaction): with no chain service here it must answer
     * at once, never start. */
    if (rpc_request_can_start(r, auth) && rpc_request_start(r, &proto, NULL))
        abort();
    rpc_request_run(r, &proto, false);
    rpc_request_run(r, &proto, true);
    if (rpc_request_loop_pending(r))
        abort();
    char *out;
    size_t len;
    if (rpc_request_reply(r, &out, &len) == 0 && out) {
        json_t *j = json_loadb(out, len, JSON_DECODE_ANY, NULL);
        if (!j)
            abort();
        if (json_is_array(j)) {
            if (!batch || json_array_size(j) == 0 || json_array_size(j) > 50)
                abort();
            for (size_t i = 0; i < json_array_size(j); i++)
                check_single(json_array_get(j, i));
        } else {
            check_single(j);
        }
        json_decref(j);
        free(out);
    }
    if (ids && rpc_timeout_reply(ids, batch, &out, &len) == 0)
        free(out);
    json_decref(ids);
    rpc_request_free(r);
}

static void fuzz_frames(const uint8_t *data, size_t size)
{
    struct ws_reader rd;
    ws_reader_init(&rd, 4096, 16, data[0] & 1);
    size_t off = 0;
    while (off < size) {
        size_t used = 0;
        int rc = ws_read(&rd, data + off, size - off, &used);
        if (used > size - off || rd.msg.len > 4096 || rd.control_len > WS_CONTROL_MAX)
            abort();
        if (rc <= WS_NEED_MORE)
            break;
        if (used == 0)
            abort();
        off += used;
        size_t total = ws_frame_total(data + off, size - off);
        (void)total;
    }
    ws_reader_free(&rd);
}

static void fuzz_handshake(const uint8_t *data, size_t size)
{
    struct ws_handshake hs;
    ws_parse_handshake((const char *)data, size, &hs);
    if (hs.status == 0) {
        char acc[WS_ACCEPT_SIZE];
        if (!hs.key[0] || ws_accept_key(hs.key, acc))
            abort();
    } else if (!hs.reason) {
        abort();
    }
}

static void fuzz_misc(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return;
    memcpy(s, data, size);
    s[size] = 0;
    static struct rpc_auth a;
    static bool init;
    if (!init) {
        rpc_auth_set_password(&a, "user", "pass");
        init = true;
    }
    (void)rpc_auth_check(&a, s);
    struct rpc_acl acl = {.n = 0};
    (void)rpc_acl_add(&acl, s);
    struct rpc_endpoint ep;
    (void)rpc_endpoint_parse(s, 18545, &ep);
    json_t *j = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
    if (j) {
        struct logfilter f;
        char msg[160];
        if (logfilter_parse(j, &f, msg, sizeof msg) == 0) {
            (void)logfilter_match_json(&f, j);
            logfilter_free(&f);
        }
        json_decref(j);
    }
    free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!reg) {
        if (rpc_registry_new(rpc_namespaces, rpc_namespaces_count, NULL, 0, &reg))
            abort();
        env.registry = reg;
        env.network_id = 1;
        env.client_version = rpc_client_version();
    }
    if (size < 1)
        return 0;
    switch (data[0] & 3) {
    case 0:
        fuzz_request(data + 1, size - 1, data[0] & 4);
        break;
    case 1:
        if (size > 1)
            fuzz_frames(data + 1, size - 1);
        break;
    case 2:
        fuzz_handshake(data + 1, size - 1);
        break;
    default:
        fuzz_misc(data + 1, size - 1);
        break;
    }
    return 0;
}
