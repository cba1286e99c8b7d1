/*
 * exec.c — JSON-RPC 2.0 processing; see exec.h.
 *
 * A request becomes an array of calls. Each call keeps borrowed pointers into
 * the parsed document (id, method name) and its own reply object once it has
 * one, so a batch is answered element by element in order, and a call that
 * waits for the loop thread simply has no reply yet.
 */
#include "rpc/exec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"

enum call_state {
    CALL_ANSWERED,      /* reply set (or a notification that needs none) */
    CALL_READY,         /* valid, waiting to run */
    CALL_STARTED,       /* its asynchronous form runs (rpc_request_start) */
};

struct rpc_call {
    json_t *id;                     /* borrowed; NULL: notification */
    const char *name;               /* borrowed; NULL for invalid calls */
    size_t name_len;
    const struct rpc_method *method;
    json_t *params;                 /* own reference (array) */
    json_t *reply;                  /* own reference */
    enum call_state state;
};

struct rpc_request {
    json_t *doc;
    bool batch;
    json_t *whole;                  /* reply for the whole request, if any */
    size_t n;
    struct rpc_call *calls;
    unsigned after;
};

static json_t *error_object(int code, const char *msg, json_t *data)
{
    json_t *e = json_pack("{s:i, s:s}", "code", code, "message", msg);
    if (e && data)
        json_object_set(e, "data", data);
    return e;
}

/* {"jsonrpc":"2.0","id":id,"error":{...}}; id NULL means JSON null. */
static json_t *error_reply(json_t *id, int code, const char *msg, json_t *data)
{
    json_t *e = error_object(code, msg, data);
    if (!e)
        return NULL;
    return json_pack("{s:s, s:O, s:o}", "jsonrpc", "2.0", "id", id ? id : json_null(), "error",
                     e);
}

static json_t *result_reply(json_t *id, json_t *result)
{
    return json_pack("{s:s, s:O, s:O}", "jsonrpc", "2.0", "id", id, "result",
                     result ? result : json_null());
}

static bool valid_id(const json_t *id)
{
    return json_is_string(id) || json_is_number(id) || json_is_null(id);
}

/* Maps named params onto the method's parameter order. */
static json_t *named_to_positional(struct rpc_call *c, json_t *obj, char *msg, size_t cap)
{
    const struct rpc_method *m = c->method;
    json_t *arr = json_array();
    if (!arr)
        return NULL;
    const char *key;
    json_t *val;
    json_object_foreach(obj, key, val) {
        size_t i = 0;
        while (i < m->nparams && strcmp(m->params[i].name, key))
            i++;
        if (i == m->nparams) {
            snprintf(msg, cap, "invalid argument: %s has no parameter named '%.64s'", m->name,
                     key);
            json_decref(arr);
            return NULL;
        }
        while (json_array_size(arr) <= i)
            if (json_array_append_new(arr, json_null())) {
                json_decref(arr);
                return NULL;
            }
        json_array_set(arr, i, val);
    }
    return arr;
}

/* Validates one request object; leaves c READY or ANSWERED. Returns 0 or
 * ERR_NOMEM. */
static int parse_call(struct rpc_call *c, json_t *v, const struct rpc_registry *reg)
{
    c->state = CALL_ANSWERED;
    if (!json_is_object(v)) {
        c->reply = error_reply(NULL, RPC_INVALID_REQUEST, "invalid request", NULL);
        return c->reply ? 0 : ERR_NOMEM;
    }
    json_t *id = json_object_get(v, "id");
    if (id && !valid_id(id)) {
        c->reply = error_reply(NULL, RPC_INVALID_REQUEST, "invalid request: bad id", NULL);
        return c->reply ? 0 : ERR_NOMEM;
    }
    json_t *ver = json_object_get(v, "jsonrpc");
    json_t *method = json_object_get(v, "method");
    const char *why = NULL;
    if (!json_is_string(ver) || strcmp(json_string_value(ver), "2.0") ||
        json_string_length(ver) != 3)
        why = "invalid request: \"jsonrpc\" must be \"2.0\"";
    else if (!json_is_string(method))
        why = "invalid request: \"method\" must be a string";
    if (why) {
        c->reply = error_reply(id, RPC_INVALID_REQUEST, why, NULL);
        return c->reply ? 0 : ERR_NOMEM;
    }
    c->id = id;
    c->name = json_string_value(method);
    c->name_len = json_string_length(method);
    c->method = rpc_registry_find(reg, c->name, c->name_len);
    if (!c->method || strlen(c->name) != c->name_len) {
        c->method = NULL;
        if (id) {
            char msg[RPC_METHOD_NAME_MAX + 64];
            snprintf(msg, sizeof msg, "the method %.*s does not exist/is not available",
                     c->name_len > RPC_METHOD_NAME_MAX ? RPC_METHOD_NAME_MAX : (int)c->name_len,
                     c->name);
            c->reply = error_reply(id, RPC_METHOD_NOT_FOUND, msg, NULL);
            return c->reply ? 0 : ERR_NOMEM;
        }
        return 0;
    }
    json_t *params = json_object_get(v, "params");
    char msg[256] = "non-array args";
    if (!params || json_is_null(params)) {
        c->params = json_array();
    } else if (json_is_array(params)) {
        c->params = json_incref(params);
    } else if (json_is_object(params)) {
        c->params = named_to_positional(c, params, msg, sizeof msg);
        if (!c->params && !strstr(msg, "invalid argument"))
            return ERR_NOMEM;
    }
    if (!c->params) {
        if (id) {
            c->reply = error_reply(id, RPC_INVALID_PARAMS, msg, NULL);
            return c->reply ? 0 : ERR_NOMEM;
        }
        return 0;
    }
    c->state = CALL_READY;
    return 0;
}

int rpc_request_parse(const char *body, size_t len, const struct rpc_registry *reg,
                      size_t max_batch, struct rpc_request **out)
{
    *out = NULL;
    struct rpc_request *r = calloc(1, sizeof *r);
    if (!r)
        return err_set(ERR_NOMEM, "out of memory");
    json_error_t jerr;
    r->doc = json_loadb(body, len, JSON_DECODE_ANY, &jerr);
    if (!r->doc) {
        char msg[300];
        snprintf(msg, sizeof msg, "parse error: %.200s at line %d column %d", jerr.text,
                 jerr.line, jerr.column);
        r->whole = error_reply(NULL, RPC_PARSE_ERROR, msg, NULL);
        goto done;
    }
    if (json_is_array(r->doc)) {
        r->batch = true;
        size_t n = json_array_size(r->doc);
        if (n == 0) {
            r->whole = error_reply(NULL, RPC_INVALID_REQUEST, "empty batch", NULL);
            goto done;
        }
        if (n > max_batch) {
            r->whole = error_reply(NULL, RPC_INVALID_REQUEST, "batch too large", NULL);
            goto done;
        }
        r->n = n;
    } else {
        r->n = 1;
    }
    r->calls = calloc(r->n, sizeof *r->calls);
    if (!r->calls) {
        rpc_request_free(r);
        return err_set(ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < r->n; i++) {
        json_t *v = r->batch ? json_array_get(r->doc, i) : r->doc;
        if (parse_call(&r->calls[i], v, reg)) {
            rpc_request_free(r);
            return err_set(ERR_NOMEM, "out of memory");
        }
    }
done:
    if (!r->doc || r->n == 0) {
        if (!r->whole) {
            rpc_request_free(r);
            return err_set(ERR_NOMEM, "out of memory");
        }
    }
    *out = r;
    return 0;
}

bool rpc_request_denied(const struct rpc_request *r, const struct rpc_registry *reg,
                        bool authenticated)
{
    if (authenticated)
        return false;
    for (size_t i = 0; i < r->n; i++) {
        const struct rpc_call *c = &r->calls[i];
        if (c->name && rpc_registry_needs_auth(reg, c->name, c->name_len))
            return true;
    }
    return false;
}

bool rpc_request_inline(const struct rpc_request *r)
{
    for (size_t i = 0; i < r->n; i++) {
        const struct rpc_call *c = &r->calls[i];
        if (c->state == CALL_READY && !(c->method->flags & (RPC_INLINE | RPC_ON_LOOP)))
            return false;
    }
    return true;
}

bool rpc_request_loop_read(const struct rpc_request *r)
{
    return !r->batch && r->n == 1 && r->calls[0].state == CALL_READY &&
           (r->calls[0].method->flags & RPC_LOOP_READ);
}

bool rpc_request_waits(const struct rpc_request *r)
{
    bool any = false;
    for (size_t i = 0; i < r->n; i++) {
        const struct rpc_call *c = &r->calls[i];
        if (c->state != CALL_READY)
            continue;
        if (!(c->method->flags & RPC_WAITS))
            return false;
        any = true;
    }
    return any;
}

bool rpc_request_loop_pending(const struct rpc_request *r)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->calls[i].state == CALL_READY && (r->calls[i].method->flags & RPC_ON_LOOP))
            return true;
    return false;
}

static void call_ctx(const struct rpc_call *c, const struct rpc_ctx *proto, struct rpc_ctx *ctx)
{
    *ctx = *proto;
    memset(&ctx->err, 0, sizeof ctx->err);
    ctx->method = c->method;
    ctx->after = 0;
}

/* c's reply from a handler's result (stolen) and ctx->err (cleared). */
static void answer_call(struct rpc_request *r, struct rpc_call *c, json_t *result,
                        struct rpc_ctx *ctx)
{
    r->after |= ctx->after;
    c->state = CALL_ANSWERED;
    if (c->id) {
        if (ctx->err.code) {
            json_decref(result);
            result = NULL;
            c->reply = error_reply(c->id, ctx->err.code, ctx->err.message, ctx->err.data);
        } else {
            c->reply = result_reply(c->id, result);
        }
        if (!c->reply)
            c->reply = error_reply(c->id, RPC_INTERNAL_ERROR, "internal error", NULL);
    }
    json_decref(result);
    rpc_error_clear(&ctx->err);
}

static void run_call(struct rpc_request *r, struct rpc_call *c, const struct rpc_ctx *proto)
{
    struct rpc_ctx ctx;
    call_ctx(c, proto, &ctx);
    json_t *result;
    if (!ctx.authenticated && !(c->method->flags & RPC_PUBLIC)) {
        /* Reached only without HTTP's 401 (WebSocket): look like a missing
         * method, so the client learns nothing. */
        result = rpc_fail(&ctx, RPC_METHOD_NOT_FOUND, "the method %s does not exist/is not "
                          "available", c->method->name);
    } else {
        result = c->method->fn(c->params, &ctx);
    }
    answer_call(r, c, result, &ctx);
}

bool rpc_request_can_start(const struct rpc_request *r, bool authenticated)
{
    if (r->batch || r->whole || r->n != 1 || r->calls[0].state != CALL_READY)
        return false;
    const struct rpc_method *m = r->calls[0].method;
    return m->start && (m->flags & RPC_WAITS) && (authenticated || (m->flags & RPC_PUBLIC));
}

bool rpc_request_start(struct rpc_request *r, const struct rpc_ctx *proto, struct rpc_async *op)
{
    struct rpc_call *c = &r->calls[0];
    struct rpc_ctx ctx;
    call_ctx(c, proto, &ctx);
    bool started = false;
    json_t *result = c->method->start(c->params, &ctx, op, &started);
    if (started) {
        /* op is handed over: its finisher answers, whatever else was set */
        json_decref(result);
        rpc_error_clear(&ctx.err);
        c->state = CALL_STARTED;
        return true;
    }
    answer_call(r, c, result, &ctx);
    return false;
}

void rpc_request_finish(struct rpc_request *r, json_t *result, const struct rpc_error *err)
{
    struct rpc_call *c = &r->calls[0];
    if (c->state != CALL_STARTED) {
        json_decref(result);
        return;
    }
    struct rpc_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    if (err->code) {
        ctx.err.code = err->code;
        snprintf(ctx.err.message, sizeof ctx.err.message, "%s", err->message);
    }
    answer_call(r, c, result, &ctx);
}

void rpc_request_run(struct rpc_request *r, const struct rpc_ctx *proto, bool on_loop)
{
    for (size_t i = 0; i < r->n; i++) {
        struct rpc_call *c = &r->calls[i];
        if (c->state != CALL_READY)
            continue;
        if ((c->method->flags & RPC_ON_LOOP) && !on_loop)
            continue;
        if (proto->cancelled && atomic_load(proto->cancelled))
            return;
        run_call(r, c, proto);
    }
}

unsigned rpc_request_after(const struct rpc_request *r)
{
    return r->after;
}

static int dump(const json_t *j, char **out, size_t *len)
{
    *out = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
    if (!*out)
        return err_set(ERR_NOMEM, "out of memory");
    *len = strlen(*out);
    return 0;
}

int rpc_request_reply(const struct rpc_request *r, char **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    if (r->whole)
        return dump(r->whole, out, len);
    if (!r->batch)
        return r->calls[0].reply ? dump(r->calls[0].reply, out, len) : 0;
    json_t *arr = json_array();
    if (!arr)
        return err_set(ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < r->n; i++) {
        if (r->calls[i].reply && json_array_append(arr, r->calls[i].reply)) {
            json_decref(arr);
            return err_set(ERR_NOMEM, "out of memory");
        }
    }
    int rc = json_array_size(arr) ? dump(arr, out, len) : 0;
    json_decref(arr);
    return rc;
}

json_t *rpc_request_ids(const struct rpc_request *r, bool *batch)
{
    *batch = r->batch && !r->whole;
    json_t *ids = json_array();
    if (!ids)
        return NULL;
    if (r->whole) {
        json_array_append_new(ids, json_null());
        return ids;
    }
    for (size_t i = 0; i < r->n; i++) {
        const struct rpc_call *c = &r->calls[i];
        if (!c->id && c->name)
            continue;   /* a notification is never answered */
        json_t *id = c->id ? json_deep_copy(c->id) : json_null();
        if (!id || json_array_append_new(ids, id)) {
            json_decref(ids);
            return NULL;
        }
    }
    return ids;
}

int rpc_timeout_reply(const json_t *ids, bool batch, char **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    if (!ids)
        return rpc_error_reply(RPC_SERVER_ERROR, "request timed out", out, len);
    json_t *arr = json_array();
    if (!arr)
        return err_set(ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < json_array_size(ids); i++) {
        json_t *e = error_reply(json_array_get(ids, i), RPC_SERVER_ERROR, "request timed out",
                                NULL);
        if (!e || json_array_append_new(arr, e)) {
            json_decref(arr);
            return err_set(ERR_NOMEM, "out of memory");
        }
    }
    int rc = 0;
    if (batch)
        rc = json_array_size(arr) ? dump(arr, out, len) : 0;
    else if (json_array_size(arr))
        rc = dump(json_array_get(arr, 0), out, len);
    json_decref(arr);
    return rc;
}

int rpc_error_reply(int code, const char *message, char **out, size_t *len)
{
    json_t *e = error_reply(NULL, code, message, NULL);
    if (!e)
        return err_set(ERR_NOMEM, "out of memory");
    int rc = dump(e, out, len);
    json_decref(e);
    return rc;
}

void rpc_request_describe(const struct rpc_request *r, char *buf, size_t cap)
{
    size_t used = 0;
    if (cap == 0)
        return;
    buf[0] = 0;
    if (r->whole) {
        snprintf(buf, cap, "(malformed)");
        return;
    }
    for (size_t i = 0; i < r->n && used + 1 < cap; i++) {
        const struct rpc_call *c = &r->calls[i];
        int w = snprintf(buf + used, cap - used, "%s%.*s", i ? "," : "",
                         c->name ? (c->name_len > 64 ? 64 : (int)c->name_len) : 9,
                         c->name ? c->name : "(invalid)");
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

void rpc_request_free(struct rpc_request *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n && r->calls; i++) {
        json_decref(r->calls[i].params);
        json_decref(r->calls[i].reply);
    }
    free(r->calls);
    json_decref(r->whole);
    json_decref(r->doc);
    free(r);
}
