/* sysview.c — see sysview.h. */
#include "rpc/sysview.h"

#include <stdlib.h>
#include <string.h>

#include "chain/chaindb.h"
#include "chainsvc/chainsvc.h"
#include "consensus/tribe_engine.h"
#include "evm/evm.h"
#include "primitives/u256.h"
#include "rpc/methods.h"
#include "rpc/params.h"
#include "util/err.h"

void rpc_sysview_close(struct rpc_sysview *v)
{
    if (!v->open)
        return;
    evm_free(v->evm);
    rpc_state_view_close(&v->sv);
    header_free(&v->h);
    v->open = false;
}

int rpc_sysview_open(struct rpc_ctx *ctx, const json_t *params, size_t idx, struct rpc_sysview *v)
{
    memset(v, 0, sizeof *v);
    struct rpc_block_ref ref = {.kind = RPC_BLOCK_LATEST};
    if (rpc_param_present(params, idx) && rpc_param_block_ref(ctx, params, idx, true, &ref))
        return -1;
    v->svc = rpc_chain(ctx);
    if (!v->svc)
        return -1;
    v->p = chainsvc_params(v->svc);
    struct hash32 hash;
    uint64_t number;
    int r = rpc_resolve_block(ctx, v->svc, NULL, &ref, &hash, &number);
    if (r < 0)
        return -1;
    int rc = r ? ERR_NOTFOUND : chaindb_read_header(chainsvc_db(v->svc), NULL, &hash, &v->h);
    if (rc == ERR_NOTFOUND) {
        rpc_fail(ctx, RPC_SERVER_ERROR, "block not exist");
        return -1;
    }
    if (rc)
        return rpc_fail_db(ctx, rc);
    struct rpc_block_ref at = {.kind = RPC_BLOCK_HASH, .hash = hash};
    if (rpc_state_view_open(ctx, v->svc, &at, &v->sv)) {
        rpc_state_view_close(&v->sv);
        header_free(&v->h);
        return -1;
    }
    if (evm_new(&v->evm)) {
        rpc_state_view_close(&v->sv);
        header_free(&v->h);
        rpc_fail(ctx, RPC_INTERNAL_ERROR, "internal error: out of memory");
        return -1;
    }
    v->open = true;
    return 0;
}

bool rpc_sysview_u64(struct rpc_sysview *v, const struct address *to, const uint8_t *in, size_t len,
                     uint64_t *out)
{
    uint8_t *o = NULL;
    size_t olen = 0;
    if (tribe_call_view(v->p, v->evm, v->sv.st, &v->h, to, in, len, &o, &olen) || olen < 32) {
        free(o);
        err_clear();
        return false;
    }
    bool ok = u256_word_u64(o, out);
    free(o);
    return ok;
}
