/* pg_pipeline.c - a changing transaction of the PostgreSQL store in as few round trips as its reads allow (see
 * store_postgresql.h): statements are queued in libpq's pipeline mode; a statement whose rows the caller needs
 * flushes the queue and reads up to its own result (everything queued before it travels in the same round
 * trip); the commit syncs and reads the rest. A failed statement fails every later one up to the sync, and the
 * pipeline reports the first failure with what that statement was doing. */
#include <stdio.h>
#include <string.h>

#include "panel/plugin.h"
#include "pg_trace.h"
#include "store_postgresql.h"

int32_t pg_pipe_start(pg_pipeline_t *pl, PGconn *conn, char *err, size_t err_len)
{
    memset(pl, 0, sizeof *pl);
    pl->conn = conn;
    if (!conn || !PQenterPipelineMode(conn)) {
        snprintf(err, err_len, "the PostgreSQL key store connection cannot pipeline statements (%s)",
                 conn ? PQerrorMessage(conn) : "no connection");
        err[strcspn(err, "\n")] = '\0';
        return PANEL_E_STORE;
    }
    pl->active = 1;
    return PANEL_OK;
}

static void note_failure(pg_pipeline_t *pl, int index, const char *reason, const PGresult *r)
{
    if (pl->failed)
        return;
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    snprintf(pl->failed_sqlstate, sizeof pl->failed_sqlstate, "%s", state ? state : "");
    pl->failed = 1;
    pl->failed_at = index;
    pl->failed_doing = index >= 0 && index < PG_PIPE_MAX ? pl->doing[index] : "committing";
    snprintf(pl->reason, sizeof pl->reason, "%s", reason && reason[0] ? reason : "no answer");
    pl->reason[strcspn(pl->reason, "\n")] = '\0';
}

int pg_pipe_reserve(pg_pipeline_t *pl, int slots)
{
    if (pl->active && pl->sent + slots > PG_PIPE_MAX && !pl->failed) {
        /* A long transaction (many keys at once): read what is queued, then reuse the queue. Indices given out
         * before are spent: callers wait for theirs at once. */
        char ignored[256];
        if (pl->read < pl->sent && pg_pipe_wait(pl, pl->sent - 1, ignored, sizeof ignored) != PANEL_OK)
            return -1;
        pg_pipe_discard(pl);
        pl->sent = pl->read = 0;
    }
    return 0;
}

int pg_pipe_queue(pg_pipeline_t *pl, const char *name, const char *prepare_sql, const char *sql, int n,
                  const char *const *values, int keep, const char *doing)
{
    if (pg_pipe_reserve(pl, 2) != 0)
        return -1;
    if (!pl->active || pl->failed || pl->sent + 2 > PG_PIPE_MAX) {
        note_failure(pl, -1, "the transaction could not queue another statement", NULL);
        return -1;
    }
    if (prepare_sql) {
        if (!PQsendPrepare(pl->conn, name, prepare_sql, n, NULL)) {
            note_failure(pl, -1, PQerrorMessage(pl->conn), NULL);
            return -1;
        }
        pl->doing[pl->sent] = doing;
        pl->keep[pl->sent++] = 0;
    }
    int sent = name ? PQsendQueryPrepared(pl->conn, name, n, values, NULL, NULL, 0)
                    : PQsendQueryParams(pl->conn, sql, n, NULL, values, NULL, NULL, 0);
    if (!sent) {
        note_failure(pl, -1, PQerrorMessage(pl->conn), NULL);
        return -1;
    }
    pl->doing[pl->sent] = doing;
    pl->keep[pl->sent] = (unsigned char)keep;
    return pl->sent++;
}

/* Reads the result of the next queued statement (blocking). 0, or -1 when the connection failed. */
static int read_one(pg_pipeline_t *pl)
{
    int index = pl->read;
    PGresult *r = PQgetResult(pl->conn);
    if (!r) {
        note_failure(pl, index, PQerrorMessage(pl->conn), NULL);
        return -1;
    }
    ExecStatusType status = PQresultStatus(r);
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
        if (pl->keep[index] && status == PGRES_TUPLES_OK)
            pl->kept[index] = r;
        else
            PQclear(r);
    } else {
        note_failure(pl, index, status == PGRES_PIPELINE_ABORTED ? "an earlier statement failed"
                                                                  : PQresultErrorMessage(r),
                     status == PGRES_PIPELINE_ABORTED ? NULL : r);
        PQclear(r);
    }
    /* Each statement's results end with a NULL. */
    while ((r = PQgetResult(pl->conn)) != NULL)
        PQclear(r);
    pl->read++;
    return PQstatus(pl->conn) == CONNECTION_OK ? 0 : -1;
}

static int32_t failure(pg_pipeline_t *pl, char *err, size_t err_len)
{
    if (PQstatus(pl->conn) != CONNECTION_OK)
        snprintf(err, err_len,
                 "the PostgreSQL key store became unreachable while %s (%s); check the page before trying again",
                 pl->failed_doing ? pl->failed_doing : "committing", pl->reason);
    else
        snprintf(err, err_len, "the PostgreSQL key store failed while %s: %s",
                 pl->failed_doing ? pl->failed_doing : "committing", pl->reason);
    return PANEL_E_STORE;
}

int32_t pg_pipe_wait(pg_pipeline_t *pl, int index, char *err, size_t err_len)
{
    if (index < 0 || pl->failed)
        return failure(pl, err, err_len);
    PG_TRACE("sent %d statements, up to %s", pl->sent - pl->read, pl->doing[index]);
    if (!PQsendFlushRequest(pl->conn) || PQflush(pl->conn) < 0) {
        note_failure(pl, index, PQerrorMessage(pl->conn), NULL);
        return failure(pl, err, err_len);
    }
    while (pl->read <= index)
        if (read_one(pl) != 0)
            break;
    PG_TRACE("answered: %s", pl->doing[index]);
    return pl->failed ? failure(pl, err, err_len) : PANEL_OK;
}

PGresult *pg_pipe_take(pg_pipeline_t *pl, int index)
{
    if (index < 0 || index >= PG_PIPE_MAX)
        return NULL;
    PGresult *r = pl->kept[index];
    pl->kept[index] = NULL;
    return r;
}

int32_t pg_pipe_end(pg_pipeline_t *pl, char *err, size_t err_len)
{
    if (!pl->active)
        return pl->failed ? failure(pl, err, err_len) : PANEL_OK;
    PG_TRACE("sent %d statements and the sync", pl->sent - pl->read);
    int alive = PQpipelineSync(pl->conn) == 1;
    while (alive && pl->read < pl->sent)
        alive = read_one(pl) == 0;
    if (alive) { /* the sync point */
        PGresult *r = PQgetResult(pl->conn);
        alive = r && PQresultStatus(r) == PGRES_PIPELINE_SYNC;
        PQclear(r);
    }
    if (alive && !PQexitPipelineMode(pl->conn))
        alive = 0;
    if (!alive)
        note_failure(pl, pl->read < pl->sent ? pl->read : -1, PQerrorMessage(pl->conn), NULL);
    pl->active = 0;
    PG_TRACE("answered up to the sync%s", pl->failed ? " (failed)" : "");
    return pl->failed ? failure(pl, err, err_len) : PANEL_OK;
}

void pg_pipe_discard(pg_pipeline_t *pl)
{
    for (int i = 0; i < PG_PIPE_MAX; i++) {
        PQclear(pl->kept[i]);
        pl->kept[i] = NULL;
    }
}
