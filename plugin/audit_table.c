/* audit_table.c - the "Audit trail" table: every enable, disable, reset, end-grace and key change (and
 * refusal), newest first, with time, user, origin, outcome and key hint (never a key). */
#include <stdio.h>

#include "admin.h"
#include "time_format.h"

typedef struct audit_sink_ctx {
    const panel_sink_t *sink;
} audit_sink_ctx_t;

static int32_t audit_row(void *vctx, const store_audit_row_t *row)
{
    audit_sink_ctx_t *ctx = vctx;
    char when[40];
    apikeys_format_time(row->at, when, sizeof when);
    const char *cells[6] = {when, row->actor, row->origin, row->action, row->outcome, row->key_hint};
    return ctx->sink->row(ctx->sink, cells, 6);
}

int32_t admin_audit_read(void *state, const panel_caller_t *caller, uint64_t offset, uint32_t limit,
                         const panel_sink_t *sink, char *err, size_t err_len)
{
    apikeys_state_t *st = state;
    if (!admin_caller_allowed(caller))
        return admin_refuse_permission(err, err_len);
    audit_sink_ctx_t ctx = {sink};
    pthread_mutex_lock(&st->write_mutex);
    int32_t rc = store_read_audit(&st->store, offset, limit, audit_row, &ctx, err, err_len);
    pthread_mutex_unlock(&st->write_mutex);
    return rc;
}
