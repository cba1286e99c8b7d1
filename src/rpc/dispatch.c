/*
 * dispatch.c — the method registry; see dispatch.h.
 *
 * Lookup happens for every call, so the registry is an open-addressing hash
 * table of pointers into the static tables, sized to a power of two at least
 * twice the method count and built once; names are compared in full.
 */
#include "rpc/dispatch.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"

#define RPC_NAMESPACES_MAX 32

struct rpc_registry {
    const struct rpc_namespace *ns[RPC_NAMESPACES_MAX];
    bool enabled[RPC_NAMESPACES_MAX];
    size_t nns;
    const struct rpc_method **slots;    /* enabled methods only */
    size_t mask;
};

static const char *const public_prefixes[] = {"eth_", "net_", "web3_"};

static bool has_public_prefix(const char *name, size_t len)
{
    for (size_t i = 0; i < RPC_COUNT(public_prefixes); i++) {
        size_t pl = strlen(public_prefixes[i]);
        if (len > pl && memcmp(name, public_prefixes[i], pl) == 0)
            return true;
    }
    return false;
}

/* FNV-1a: short ASCII names, no adversary can choose the table's contents. */
static size_t name_hash(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++) {
        h ^= (uint8_t)s[i];
        h *= 1099511628211ull;
    }
    return (size_t)h;
}

static const struct rpc_method **find_slot(const struct rpc_registry *r, const char *name,
                                           size_t len)
{
    size_t i = name_hash(name, len) & r->mask;
    for (;;) {
        const struct rpc_method *m = r->slots[i];
        if (!m || (strlen(m->name) == len && memcmp(m->name, name, len) == 0))
            return &r->slots[i];
        i = (i + 1) & r->mask;
    }
}

/* How many rows of all namespaces (enabled or not) carry this name. */
static size_t count_rows(const struct rpc_registry *r, const char *name)
{
    size_t n = 0;
    for (size_t i = 0; i < r->nns; i++)
        for (size_t k = 0; k < r->ns[i]->count; k++)
            n += !strcmp(r->ns[i]->methods[k].name, name);
    return n;
}

int rpc_registry_new(const struct rpc_namespace *const *ns, size_t n, const char *const *enabled,
                     size_t nenabled, struct rpc_registry **out)
{
    *out = NULL;
    if (n > RPC_NAMESPACES_MAX)
        return err_set(ERR_RANGE, "rpc: more than %d namespaces", RPC_NAMESPACES_MAX);
    struct rpc_registry *r = calloc(1, sizeof *r);
    if (!r)
        return err_set(ERR_NOMEM, "out of memory");
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        r->ns[i] = ns[i];
        r->enabled[i] = ns[i]->always_on || !enabled;
        total += ns[i]->count;
    }
    r->nns = n;

    for (size_t e = 0; enabled && e < nenabled; e++) {
        bool found = false;
        for (size_t i = 0; i < n; i++) {
            if (!ns[i]->always_on && !strcmp(ns[i]->name, enabled[e])) {
                r->enabled[i] = true;
                found = true;
            }
        }
        if (!found) {
            char known[256] = "";
            for (size_t i = 0; i < n; i++) {
                if (ns[i]->always_on)
                    continue;
                size_t l = strlen(known);
                snprintf(known + l, sizeof known - l, "%s%s", l ? ", " : "", ns[i]->name);
            }
            rpc_registry_free(r);
            return err_set(ERR_INVAL, "unknown RPC namespace '%.64s' in -rpcapi (known: %s)",
                           enabled[e], known);
        }
    }

    size_t cap = 16;
    while (cap < 2 * total + 2)
        cap *= 2;
    r->slots = calloc(cap, sizeof *r->slots);
    if (!r->slots) {
        rpc_registry_free(r);
        return err_set(ERR_NOMEM, "out of memory");
    }
    r->mask = cap - 1;
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < ns[i]->count; k++) {
            const struct rpc_method *m = &ns[i]->methods[k];
            size_t len = strlen(m->name);
            if (len == 0 || len > RPC_METHOD_NAME_MAX || !m->fn) {
                rpc_registry_free(r);
                return err_set(ERR_INVAL, "rpc: malformed method row in namespace %s",
                               ns[i]->name);
            }
            if ((m->flags & RPC_PUBLIC) && !has_public_prefix(m->name, len)) {
                rpc_registry_free(r);
                return err_set(ERR_INVAL, "rpc: %s is marked public outside eth_/net_/web3_",
                               m->name);
            }
            if ((m->flags & RPC_ON_LOOP) && (m->flags & RPC_INLINE)) {
                rpc_registry_free(r);
                return err_set(ERR_INVAL, "rpc: %s is both ON_LOOP and INLINE", m->name);
            }
            if (count_rows(r, m->name) > 1) {
                rpc_registry_free(r);
                return err_set(ERR_INVAL, "rpc: method %s registered twice", m->name);
            }
            if (!r->enabled[i])
                continue;
            *find_slot(r, m->name, len) = m;
        }
    }
    *out = r;
    return 0;
}

void rpc_registry_free(struct rpc_registry *r)
{
    if (!r)
        return;
    free(r->slots);
    free(r);
}

const struct rpc_method *rpc_registry_find(const struct rpc_registry *r, const char *name,
                                           size_t len)
{
    if (len == 0 || len > RPC_METHOD_NAME_MAX)
        return NULL;
    return *find_slot(r, name, len);
}

bool rpc_registry_needs_auth(const struct rpc_registry *r, const char *name, size_t len)
{
    if (!has_public_prefix(name, len))
        return true;
    const struct rpc_method *m = rpc_registry_find(r, name, len);
    return m && !(m->flags & RPC_PUBLIC);
}

size_t rpc_registry_namespaces(const struct rpc_registry *r, const char **names, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < r->nns; i++) {
        if (!r->enabled[i])
            continue;
        if (k < cap)
            names[k] = r->ns[i]->name;
        k++;
    }
    return k;
}

/* " \"data\" ( full )" — required params quoted by name, optional in ( ). */
static void append_signature(struct bytes *out, const struct rpc_method *m)
{
    bytes_append(out, m->name, strlen(m->name));
    for (size_t i = 0; i < m->nparams; i++) {
        const struct rpc_param_doc *p = &m->params[i];
        bytes_append(out, p->optional ? " ( " : " ", p->optional ? 3 : 1);
        bytes_append(out, p->name, strlen(p->name));
        if (p->optional)
            bytes_append(out, " )", 2);
    }
}

static void append_str(struct bytes *out, const char *s)
{
    bytes_append(out, s, strlen(s));
}

int rpc_registry_help(const struct rpc_registry *r, const char *method, struct bytes *out)
{
    if (!method) {
        bool first = true;
        for (size_t i = 0; i < r->nns; i++) {
            if (!r->enabled[i] || r->ns[i]->count == 0)
                continue;
            if (!first)
                bytes_push(out, '\n');
            first = false;
            append_str(out, "== ");
            append_str(out, r->ns[i]->name);
            append_str(out, " ==\n");
            for (size_t k = 0; k < r->ns[i]->count; k++) {
                append_signature(out, &r->ns[i]->methods[k]);
                bytes_push(out, '\n');
            }
        }
        return bytes_ok(out);
    }
    const struct rpc_method *m = rpc_registry_find(r, method, strlen(method));
    if (!m)
        return err_set(ERR_NOTFOUND, "no method %.128s", method);
    append_signature(out, m);
    append_str(out, "\n\n");
    append_str(out, m->summary);
    append_str(out, "\n");
    if (m->nparams) {
        append_str(out, "\nArguments:\n");
        for (size_t i = 0; i < m->nparams; i++) {
            const struct rpc_param_doc *p = &m->params[i];
            char line[96];
            snprintf(line, sizeof line, "%zu. %s (%s, %s) ", i + 1, p->name, p->type,
                     p->optional ? "optional" : "required");
            append_str(out, line);
            append_str(out, p->help);
            append_str(out, "\n");
        }
    }
    append_str(out, "\nResult:\n");
    append_str(out, m->result);
    append_str(out, "\n\n");
    append_str(out, (m->flags & RPC_PUBLIC) ? "Access: public (no credentials needed).\n"
                                            : "Access: needs credentials.\n");
    return bytes_ok(out);
}

static void set_error(struct rpc_ctx *ctx, int code, json_t *data, const char *fmt, va_list ap)
{
    rpc_error_clear(&ctx->err);
    ctx->err.code = code;
    vsnprintf(ctx->err.message, sizeof ctx->err.message, fmt, ap);
    ctx->err.data = data;
}

json_t *rpc_fail(struct rpc_ctx *ctx, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_error(ctx, code, NULL, fmt, ap);
    va_end(ap);
    return NULL;
}

json_t *rpc_fail_data(struct rpc_ctx *ctx, int code, json_t *data, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_error(ctx, code, data, fmt, ap);
    va_end(ap);
    return NULL;
}

void rpc_error_clear(struct rpc_error *e)
{
    json_decref(e->data);
    e->data = NULL;
    e->code = 0;
    e->message[0] = 0;
}
