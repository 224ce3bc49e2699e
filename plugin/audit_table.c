/* audit_table.c - the "Audit trail" table: every enable, disable, reset, end-grace and key change (and
 * refusal), newest first, with time, user, origin, outcome and key hint (never a key). */
#include <stdio.h>

#include "admin.h"
#include "time_format.h"

typedef struct audit_sink_ctx {
    const panel_sink_t *sink;
    uint64_t offset;
    uint32_t limit;
} audit_sink_ctx_t;

static int32_t audit_row(void *vctx, const store_audit_row_t *row)
{
    audit_sink_ctx_t *ctx = vctx;
    char when[40];
    apikeys_format_time(row->at, when, sizeof when);
    const char *cells[6] = {when, row->actor, row->origin, row->action, row->outcome, row->key_hint};
    return ctx->sink->row(ctx->sink, cells, 6);
}

static int32_t read_audit(apikeys_state_t *st, void *vctx, char *err, size_t err_len)
{
    audit_sink_ctx_t *ctx = vctx;
    return store_read_audit(&st->store, ctx->offset, ctx->limit, audit_row, ctx, err, err_len);
}

int32_t admin_audit_read(void *state, const panel_caller_t *caller, uint64_t offset, uint32_t limit,
                         const panel_sink_t *sink, char *err, size_t err_len)
{
    apikeys_state_t *st = state;
    if (!admin_caller_allowed(caller))
        return admin_refuse_permission(err, err_len);
    audit_sink_ctx_t ctx = {sink, offset, limit};
    return apikeys_read(st, read_audit, &ctx, err, err_len);
}
