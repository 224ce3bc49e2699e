/* nodes_table.c - the "Live nodes" table of a shared store: every web node holding a lease, when the lease
 * ends, the change number it has loaded and acknowledged, and its wall clock's offset from the database's (the
 * node's clock minus the database's: -30.0 s is 30 s behind), with its fence when that is over the bound.
 * Registered only when the store has nodes. */
#include <stdio.h>

#include "admin.h"

typedef struct nodes_sink_ctx {
    const panel_sink_t *sink;
    uint64_t skip;
    uint32_t left;
} nodes_sink_ctx_t;

static int32_t node_row(void *vctx, const store_node_row_t *row)
{
    nodes_sink_ctx_t *ctx = vctx;
    if (ctx->skip) {
        ctx->skip--;
        return PANEL_OK;
    }
    if (ctx->left == 0)
        return PANEL_OK;
    ctx->left--;
    const char *cells[6] = {row->node_id, row->address, row->lease_end, row->loaded, row->clock_offset,
                            row->rate_share};
    return ctx->sink->row(ctx->sink, cells, 6);
}

static int32_t read_nodes(apikeys_state_t *st, void *ctx, char *err, size_t err_len)
{
    return store_read_nodes(&st->store, node_row, ctx, err, err_len);
}

int32_t admin_nodes_read(void *state, const panel_caller_t *caller, uint64_t offset, uint32_t limit,
                         const panel_sink_t *sink, char *err, size_t err_len)
{
    apikeys_state_t *st = state;
    if (!admin_caller_allowed(caller))
        return admin_refuse_permission(err, err_len);
    nodes_sink_ctx_t ctx = {sink, offset, limit};
    return apikeys_read(st, read_nodes, &ctx, err, err_len);
}
