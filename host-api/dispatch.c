/* dispatch.c - admin calls into plugins: finds the page, checks the caller's permission before the plugin is
 * ever called, checks values and arguments (read-only, confirmation, validator, enum choices, list items,
 * required parameters, sizes, record ids of row actions), then calls the plugin serialised by its per-plugin
 * lock; also the availability of actions (ABI 1.1). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* The caller handed to the plugin: the host program's caller with this library's has_permission. */
static void plugin_caller(panelhost_t *host, const panel_caller_t *caller, panel_caller_t *copy)
{
    memset(copy, 0, sizeof *copy);
    memcpy(copy, caller, caller->struct_size < sizeof *copy ? caller->struct_size : sizeof *copy);
    copy->struct_size = sizeof *copy;
    copy->host_ctx = host;
    copy->has_permission = ph_caller_has_permission;
}

/* Finds the page and checks the caller's permission; a refusal is written to the host audit log as
 * `what` (e.g. "field.set") on `page_id`/`item`. */
static int32_t resolve_page(panelhost_t *host, const panel_caller_t *caller, const char *page_id,
                            const char *what, const char *item, ph_page_rec_t **out, char *err, size_t err_len)
{
    if (!host || !caller || !page_id) {
        ph_errf(err, err_len, "host, caller and page id must be given");
        return PANEL_E_INVALID;
    }
    if (caller->struct_size < PH_END_OF(panel_caller_t, has_permission) || !caller->user || !caller->role) {
        ph_errf(err, err_len, "the caller context is incomplete; build it with panelhost_caller_init");
        return PANEL_E_INVALID;
    }
    ph_page_rec_t *page = ph_registry_page(host, page_id);
    if (!page) {
        ph_errf(err, err_len, "no page '%.*s'; the menu lists the pages you can open", 80, page_id);
        return PANEL_E_NOT_FOUND;
    }
    if (!panelhost_role_allows(host, caller->role, page->desc.permission)) {
        ph_errf(err, err_len, "user '%s' (role '%s') may not use page '%s': it needs permission '%s'",
                caller->user, caller->role, page->desc.id, page->desc.permission);
        char target[2 * PANEL_ID_MAX + 2], detail[PANEL_ID_MAX + 32];
        ph_errf(target, sizeof target, "%s%s%.*s", page->desc.id, item ? "/" : "", (int)PANEL_ID_MAX,
                item ? item : "");
        ph_errf(detail, sizeof detail, "needs permission %s", page->desc.permission);
        ph_audit_denied(host, caller, what, target, detail);
        return PANEL_E_DENIED;
    }
    *out = page;
    return PANEL_OK;
}

/* A plugin's status is PANEL_OK or negative; anything else is a plugin bug. */
static int32_t plugin_status(int32_t rc)
{
    return rc > 0 ? PANEL_E_INTERNAL : rc;
}

/* ----- rows (status lines and tables) ----- */

typedef struct sink_ctx {
    panelhost_row_fn on_row;
    void *ctx;
    uint32_t n_cells;   /* cells every row must have */
    uint32_t max_rows;
    uint32_t rows;
    int stopped_by_host; /* on_row asked to stop: the call succeeds with the rows delivered so far */
    char problem[256];  /* why a row was refused, for the error message */
} sink_ctx_t;

static int32_t sink_row(const panel_sink_t *self, const char *const *cells, uint32_t n_cells)
{
    sink_ctx_t *s = self->sink_ctx;
    if (s->stopped_by_host)
        return PANEL_E_STATE; /* the plugin went on after being told to stop; nothing more is delivered */
    if (s->rows >= s->max_rows) {
        ph_errf(s->problem, sizeof s->problem, "the plugin emitted more than the %u rows asked for", s->max_rows);
        return PANEL_E_INVALID;
    }
    if (!cells || n_cells != s->n_cells) {
        ph_errf(s->problem, sizeof s->problem, "the plugin emitted a row of %u cells; %u were expected", n_cells,
                s->n_cells);
        return PANEL_E_INVALID;
    }
    for (uint32_t i = 0; i < n_cells; i++)
        if (!cells[i] || strnlen(cells[i], PANEL_VALUE_MAX + 1) > PANEL_VALUE_MAX) {
            ph_errf(s->problem, sizeof s->problem, "the plugin emitted a NULL or oversized cell");
            return PANEL_E_INVALID;
        }
    s->rows++;
    int32_t rc = s->on_row ? s->on_row(s->ctx, cells, n_cells) : PANEL_OK;
    if (rc != PANEL_OK) {
        s->stopped_by_host = 1;
        return rc < 0 ? rc : PANEL_E_STATE; /* the plugin stops emitting and returns a negative code */
    }
    return PANEL_OK;
}

static int32_t finish_rows(int32_t rc, const sink_ctx_t *s, const char *msg, char *err, size_t err_len)
{
    if (s->stopped_by_host) {
        ph_errf(err, err_len, "%s", ""); /* the host program stopped early on purpose: not a failure */
        return PANEL_OK;
    }
    if (rc == PANEL_OK && s->problem[0]) {
        /* the sink refused a row but the plugin carried on and reported success: the rows are incomplete */
        ph_errf(err, err_len, "%s", s->problem);
        return PANEL_E_INVALID;
    }
    if (rc == PANEL_OK)
        return PANEL_OK;
    ph_errf(err, err_len, "%s", msg[0] ? msg : (s->problem[0] ? s->problem : "the plugin failed without a reason"));
    return plugin_status(rc);
}

int32_t panelhost_page_status(panelhost_t *host, const panel_caller_t *caller, const char *page_id,
                              panelhost_row_fn on_row, void *ctx, char *err, size_t err_len)
{
    ph_page_rec_t *page = NULL;
    int32_t rc = resolve_page(host, caller, page_id, "page.status", NULL, &page, err, err_len);
    if (rc != PANEL_OK || !page->desc.status)
        return rc;
    sink_ctx_t s = {.on_row = on_row, .ctx = ctx, .n_cells = 2, .max_rows = 1000};
    panel_sink_t sink = {.struct_size = sizeof sink, .sink_ctx = &s, .row = sink_row};
    panel_caller_t c;
    plugin_caller(host, caller, &c);
    char msg[PH_MSG_MAX] = "";
    pthread_mutex_lock(&page->owner->call_lock);
    rc = page->desc.status(page->owner->state, &c, &sink, msg, sizeof msg);
    pthread_mutex_unlock(&page->owner->call_lock);
    msg[sizeof msg - 1] = '\0';
    return finish_rows(rc, &s, msg, err, err_len);
}

int32_t panelhost_table_read(panelhost_t *host, const panel_caller_t *caller, const char *page_id,
                             const char *table_id, uint64_t offset, uint32_t limit, panelhost_row_fn on_row,
                             void *ctx, char *err, size_t err_len)
{
    ph_page_rec_t *page = NULL;
    int32_t rc = resolve_page(host, caller, page_id, "table.read", table_id, &page, err, err_len);
    if (rc != PANEL_OK)
        return rc;
    const panel_table_t *table = NULL;
    for (size_t i = 0; table_id && i < page->n_tables; i++)
        if (strcmp(page->tables[i]->id, table_id) == 0)
            table = page->tables[i];
    if (!table) {
        ph_errf(err, err_len, "page '%s' has no table '%.*s'", page->desc.id, 80, table_id ? table_id : "");
        return PANEL_E_NOT_FOUND;
    }
    sink_ctx_t s = {.on_row = on_row, .ctx = ctx, .n_cells = table->n_columns, .max_rows = limit};
    panel_sink_t sink = {.struct_size = sizeof sink, .sink_ctx = &s, .row = sink_row};
    panel_caller_t c;
    plugin_caller(host, caller, &c);
    char msg[PH_MSG_MAX] = "";
    pthread_mutex_lock(&page->owner->call_lock);
    rc = table->read(page->owner->state, &c, offset, limit, &sink, msg, sizeof msg);
    pthread_mutex_unlock(&page->owner->call_lock);
    msg[sizeof msg - 1] = '\0';
    return finish_rows(rc, &s, msg, err, err_len);
}

/* ----- fields ----- */

static const panel_field_t *find_field(const ph_page_rec_t *page, const char *field_id)
{
    for (size_t i = 0; field_id && i < page->n_fields; i++)
        if (strcmp(page->fields[i]->id, field_id) == 0)
            return page->fields[i];
    return NULL;
}

int32_t panelhost_field_get(panelhost_t *host, const panel_caller_t *caller, const char *page_id,
                            const char *field_id, char *out, size_t out_len, char *err, size_t err_len)
{
    if (out && out_len)
        out[0] = '\0';
    ph_page_rec_t *page = NULL;
    int32_t rc = resolve_page(host, caller, page_id, "field.get", field_id, &page, err, err_len);
    if (rc != PANEL_OK)
        return rc;
    const panel_field_t *field = find_field(page, field_id);
    if (!field) {
        ph_errf(err, err_len, "page '%s' has no field '%.*s'", page->desc.id, 80, field_id ? field_id : "");
        return PANEL_E_NOT_FOUND;
    }
    if (!out || out_len < PANEL_VALUE_MAX + 1) {
        ph_errf(err, err_len, "panelhost_field_get: the value buffer has %zu bytes; it needs PANEL_VALUE_MAX + 1 "
                              "(%u)", out ? out_len : 0, PANEL_VALUE_MAX + 1);
        return PANEL_E_INVALID;
    }
    panel_caller_t c;
    plugin_caller(host, caller, &c);
    char msg[PH_MSG_MAX] = "";
    pthread_mutex_lock(&page->owner->call_lock);
    rc = field->get(page->owner->state, &c, out, out_len, msg, sizeof msg);
    pthread_mutex_unlock(&page->owner->call_lock);
    out[out_len - 1] = '\0';
    msg[sizeof msg - 1] = '\0';
    if (rc != PANEL_OK) {
        out[0] = '\0';
        ph_errf(err, err_len, "%s", msg[0] ? msg : "the plugin could not read the field");
        return plugin_status(rc);
    }
    return PANEL_OK;
}

int32_t panelhost_field_set(panelhost_t *host, const panel_caller_t *caller, const char *page_id,
                            const char *field_id, const char *value, size_t value_len, char *msg,
                            size_t msg_len)
{
    ph_page_rec_t *page = NULL;
    int32_t rc = resolve_page(host, caller, page_id, "field.set", field_id, &page, msg, msg_len);
    if (rc != PANEL_OK)
        return rc;
    const panel_field_t *field = find_field(page, field_id);
    if (!field) {
        ph_errf(msg, msg_len, "page '%s' has no field '%.*s'", page->desc.id, 80, field_id ? field_id : "");
        return PANEL_E_NOT_FOUND;
    }
    if (field->type == PANEL_FIELD_READONLY || !field->set) {
        ph_errf(msg, msg_len, "field '%s' (%s) is read-only; it cannot be set", field->id, field->label);
        return PANEL_E_INVALID;
    }
    if (!value && value_len > 0) {
        ph_errf(msg, msg_len, "no value given");
        return PANEL_E_INVALID;
    }
    if (!value)
        value = "";
    if (value_len > PANEL_VALUE_MAX) {
        ph_errf(msg, msg_len, "the value for '%s' is %zu bytes; at most %u are accepted", field->id, value_len,
                PANEL_VALUE_MAX);
        return PANEL_E_INVALID;
    }
    if (field->type == PANEL_FIELD_TOGGLE && !(value_len == 1 && (value[0] == '0' || value[0] == '1'))) {
        ph_errf(msg, msg_len, "'%s' is a toggle: give 1 (on) or 0 (off)", field->id);
        return PANEL_E_INVALID;
    }
    char plugin_msg[PH_MSG_MAX] = "";
    if (field->validate) {
        rc = field->validate(page->owner->state, value, value_len, plugin_msg, sizeof plugin_msg);
        plugin_msg[sizeof plugin_msg - 1] = '\0';
        if (rc != PANEL_OK) {
            ph_errf(msg, msg_len, "%s", plugin_msg[0] ? plugin_msg : "the value was refused");
            return rc < 0 ? rc : PANEL_E_INVALID;
        }
        plugin_msg[0] = '\0';
    }
    if ((field->flags & PANEL_FLAG_DANGEROUS) && !caller->confirmed) {
        ph_errf(msg, msg_len, "%s", field->confirm);
        return PANEL_E_CONFIRM;
    }
    /* The plugin gets the library's own copy, which is wiped afterwards when the field is a secret. */
    char *copy = malloc(value_len + 1);
    if (!copy) {
        ph_errf(msg, msg_len, "out of memory");
        return PANEL_E_NOMEM;
    }
    memcpy(copy, value, value_len);
    copy[value_len] = '\0';
    panel_caller_t c;
    plugin_caller(host, caller, &c);
    pthread_mutex_lock(&page->owner->call_lock);
    rc = field->set(page->owner->state, &c, copy, value_len, plugin_msg, sizeof plugin_msg);
    pthread_mutex_unlock(&page->owner->call_lock);
    if (field->type == PANEL_FIELD_SECRET)
        explicit_bzero(copy, value_len + 1);
    free(copy);
    plugin_msg[sizeof plugin_msg - 1] = '\0';
    ph_errf(msg, msg_len, "%s", plugin_msg[0] ? plugin_msg : (rc == PANEL_OK ? "saved" : "the plugin refused"));
    return plugin_status(rc);
}

/* ----- actions ----- */

typedef struct args_ctx {
    const panel_action_t *action;
    const char *values[16];
    char *owned[16]; /* canonical forms of list values (values[i] points at owned[i]); freed after the call */
} args_ctx_t;

static void args_free(args_ctx_t *args)
{
    for (size_t i = 0; i < 16; i++) {
        free(args->owned[i]);
        args->owned[i] = NULL;
    }
}

static const char *args_get(const panel_args_t *self, const char *id)
{
    const args_ctx_t *a = self->args_ctx;
    for (uint32_t i = 0; id && i < a->action->n_params; i++)
        if (strcmp(a->action->params[i]->id, id) == 0)
            return a->values[i];
    return NULL;
}

/* "0|1h|24h" -> "0, 1h, 24h" */
static void list_choices(const char *choices, char *out, size_t out_len)
{
    size_t j = 0;
    for (const char *p = choices; *p && j + 3 < out_len; p++) {
        if (*p == '|') {
            out[j++] = ',';
            out[j++] = ' ';
        } else
            out[j++] = *p;
    }
    out[j] = '\0';
}

static int32_t check_args(const panel_action_t *action, const char *const *names, const char *const *values,
                          size_t n_args, args_ctx_t *args, char *msg, size_t msg_len)
{
    for (size_t i = 0; i < n_args; i++) {
        const char *name = names ? names[i] : NULL;
        const char *value = values ? values[i] : NULL;
        if (!name || !value) {
            ph_errf(msg, msg_len, "argument %zu has no name or no value", i + 1);
            return PANEL_E_INVALID;
        }
        uint32_t k = 0;
        while (k < action->n_params && strcmp(action->params[k]->id, name) != 0)
            k++;
        if (k == action->n_params) {
            char known[512] = "";
            size_t used = 0;
            for (uint32_t j = 0; j < action->n_params && used < sizeof known; j++) {
                int n = snprintf(known + used, sizeof known - used, "%s%s", j ? ", " : "",
                                 action->params[j]->id);
                used += n > 0 ? (size_t)n : 0;
            }
            if (action->n_params)
                ph_errf(msg, msg_len, "action '%s' has no parameter '%.*s'; its parameters are: %s", action->id,
                        80, name, known);
            else
                ph_errf(msg, msg_len, "action '%s' has no parameter '%.*s'; it takes none", action->id, 80, name);
            return PANEL_E_INVALID;
        }
        if (args->values[k]) {
            ph_errf(msg, msg_len, "parameter '%s' is given twice", name);
            return PANEL_E_INVALID;
        }
        const panel_param_t *param = action->params[k];
        size_t len = strnlen(value, PANEL_VALUE_MAX + 1);
        if (len > PANEL_VALUE_MAX || !ph_utf8_valid(value, len)) {
            ph_errf(msg, msg_len, "the value of '%s' is longer than %u bytes or not valid UTF-8", name,
                    PANEL_VALUE_MAX);
            return PANEL_E_INVALID;
        }
        int32_t text_rc = ph_param_text_check(name, value, msg, msg_len);
        if (text_rc != PANEL_OK)
            return text_rc;
        if (param->type == PANEL_PARAM_ENUM && !ph_choice_member(param->choices, value)) {
            char choices[512];
            list_choices(param->choices, choices, sizeof choices);
            ph_errf(msg, msg_len, "'%.*s' is not a valid value for %s (%s); choose one of: %s", 80, value, name,
                    param->label, choices);
            return PANEL_E_INVALID;
        }
        if (param->type == PANEL_PARAM_LIST) {
            int32_t rc = ph_list_normalise(param, value, &args->owned[k], msg, msg_len);
            if (rc != PANEL_OK)
                return rc;
            value = args->owned[k];
        }
        args->values[k] = value;
    }
    for (uint32_t k = 0; k < action->n_params; k++) {
        const panel_param_t *param = action->params[k];
        if (!args->values[k])
            args->values[k] = param->default_value;
        if (!args->values[k]) {
            ph_errf(msg, msg_len, "action '%s' needs parameter '%s' (%s)", action->id, param->id, param->label);
            return PANEL_E_INVALID;
        }
    }
    return PANEL_OK;
}

static const panel_action_t *find_action(const ph_page_rec_t *page, const char *action_id)
{
    for (size_t i = 0; action_id && i < page->n_actions; i++)
        if (strcmp(page->actions[i]->id, action_id) == 0)
            return page->actions[i];
    return NULL;
}

/* A row action needs a record id, a page action none; a record id has the syntax of plugin.h. */
static int32_t check_record(const ph_page_rec_t *page, const panel_action_t *action, const char *record_id,
                            char *msg, size_t msg_len)
{
    if (action->row_table && !record_id) {
        const char *column = "row id";
        for (size_t i = 0; i < page->n_tables; i++) {
            const panel_table_t *t = page->tables[i];
            if (strcmp(t->id, action->row_table) == 0 && t->row_id_column >= 1 && t->row_id_column <= t->n_columns)
                column = t->columns[t->row_id_column - 1];
        }
        ph_errf(msg, msg_len,
                "action '%s' (%s) acts on one row of table '%s': give the record id of that row (its '%s' "
                "column)",
                action->id, action->label, action->row_table, column);
        return PANEL_E_INVALID;
    }
    if (!action->row_table && record_id) {
        ph_errf(msg, msg_len, "action '%s' (%s) is a page action: it takes no record id", action->id,
                action->label);
        return PANEL_E_INVALID;
    }
    if (record_id && !ph_record_id_valid(record_id)) {
        ph_errf(msg, msg_len,
                "'%.*s' is not a record id: a record id is 1-%u characters of A-Z a-z 0-9 _ . : - (copy it from the "
                "table)",
                80, record_id, PANEL_RECORD_ID_MAX);
        return PANEL_E_INVALID;
    }
    return PANEL_OK;
}

int32_t panelhost_action_run(panelhost_t *host, const panel_caller_t *caller, const char *page_id,
                             const char *action_id, const char *const *arg_names,
                             const char *const *arg_values, size_t n_args, panel_result_t *result)
{
    return panelhost_action_run_record(host, caller, page_id, action_id, NULL, arg_names, arg_values, n_args,
                                       result);
}

int32_t panelhost_action_run_record(panelhost_t *host, const panel_caller_t *caller, const char *page_id,
                                    const char *action_id, const char *record_id, const char *const *arg_names,
                                    const char *const *arg_values, size_t n_args, panel_result_t *result)
{
    if (!result)
        return PANEL_E_INVALID;
    if (result->struct_size < PH_END_OF(panel_result_t, secret_len) || !result->message ||
        result->message_len < PH_RESULT_MESSAGE_MIN || !result->secret || result->secret_len < PANEL_SECRET_MAX) {
        /* plugin.h promises plugins these sizes; a smaller buffer is the host program's bug. The message goes
         * into whatever message buffer there is (a too-small one still gets the truncated start). */
        if (result->struct_size >= PH_END_OF(panel_result_t, message_len))
            ph_errf(result->message, result->message ? result->message_len : 0,
                    "panelhost_action_run: the result needs struct_size >= %zu, a message buffer of >= %u bytes "
                    "and a secret buffer of >= %u bytes (PANEL_SECRET_MAX)",
                    (size_t)PH_END_OF(panel_result_t, secret_len), PH_RESULT_MESSAGE_MIN, PANEL_SECRET_MAX);
        return PANEL_E_INVALID;
    }
    result->message[0] = '\0';
    result->secret[0] = '\0';
    /* since 1.1: the program's record buffer, when it has one that fits a record id */
    int has_record = PANEL_HAS_FIELD(panel_result_t, result, record_len) && result->record &&
                     result->record_len >= PANEL_RECORD_ID_MAX + 1;
    if (has_record)
        result->record[0] = '\0';
    char *msg = result->message;
    size_t msg_len = result->message_len;
    ph_page_rec_t *page = NULL;
    int32_t rc = resolve_page(host, caller, page_id, "action.run", action_id, &page, msg, msg_len);
    if (rc != PANEL_OK)
        return rc;
    const panel_action_t *action = find_action(page, action_id);
    if (!action) {
        ph_errf(msg, msg_len, "page '%s' has no action '%.*s'", page->desc.id, 80, action_id ? action_id : "");
        return PANEL_E_NOT_FOUND;
    }
    if ((rc = check_record(page, action, record_id, msg, msg_len)) != PANEL_OK)
        return rc;
    args_ctx_t args = {.action = action};
    if ((rc = check_args(action, arg_names, arg_values, n_args, &args, msg, msg_len)) != PANEL_OK) {
        args_free(&args);
        return rc;
    }
    if ((action->flags & PANEL_FLAG_DANGEROUS) && !caller->confirmed) {
        args_free(&args);
        ph_errf(msg, msg_len, "%s", action->confirm);
        return PANEL_E_CONFIRM;
    }
    panel_args_t plugin_args = {.struct_size = sizeof plugin_args, .args_ctx = &args, .get = args_get,
                                .record_id = record_id};
    panel_result_t plugin_result; /* read no further than the host program's struct_size */
    memset(&plugin_result, 0, sizeof plugin_result);
    memcpy(&plugin_result, result, PH_V10_RESULT); /* message and secret: the program's buffers */
    plugin_result.struct_size = sizeof plugin_result;
    char record[PANEL_RECORD_ID_MAX + 1] = "";
    plugin_result.record = has_record ? result->record : record;
    plugin_result.record_len = has_record ? result->record_len : sizeof record;
    panel_caller_t c;
    plugin_caller(host, caller, &c);
    pthread_mutex_lock(&page->owner->call_lock);
    rc = action->run(page->owner->state, &c, &plugin_args, &plugin_result);
    pthread_mutex_unlock(&page->owner->call_lock);
    args_free(&args);
    result->message[result->message_len - 1] = '\0';
    result->secret[result->secret_len - 1] = '\0';
    char *rec = plugin_result.record;
    rec[plugin_result.record_len - 1] = '\0';
    if (rc != PANEL_OK) {
        rec[0] = '\0';
    } else if (rec[0] && !ph_record_id_valid(rec)) {
        ph_logf(host, PANEL_LOG_WARN, page->owner->id,
                "action '%s' named a created record whose id is not a record id (1-%u of A-Z a-z 0-9 _ . : -); "
                "it is dropped",
                action->id, PANEL_RECORD_ID_MAX);
        rec[0] = '\0';
    }
    if (rc != PANEL_OK) {
        explicit_bzero(result->secret, result->secret_len);
        if (!result->message[0])
            ph_errf(msg, msg_len, "action '%s' failed without a reason", action->id);
    } else if (!result->message[0]) {
        ph_errf(msg, msg_len, "done");
    }
    return plugin_status(rc);
}

/* ----- availability (ABI 1.1) ----- */

/* The host's answer from a plugin's availability callback: its line msg (made one line: it is shown beside a
 * button or an input) as the note when rc is PANEL_OK, as the reason otherwise, with a default naming `what` when
 * the plugin gave none. */
static int32_t availability_answer(int32_t rc, char *msg, const char *what, char *reason, size_t reason_len)
{
    for (char *p = msg; *p; p++)
        if ((unsigned char)*p < 0x20)
            *p = ' ';
    if (rc == PANEL_OK) {
        ph_errf(reason, reason_len, "%s", msg); /* available, with the plugin's note when it gave one */
        return PANEL_OK;
    }
    if (rc == PANEL_E_STATE)
        ph_errf(reason, reason_len, "%s", msg[0] ? msg : "not available now");
    else
        ph_errf(reason, reason_len, "%s", msg[0] ? msg : what);
    return plugin_status(rc);
}

int32_t panelhost_action_available(panelhost_t *host, const panel_caller_t *caller, const char *page_id,
                                   const char *action_id, const char *record_id, char *reason, size_t reason_len)
{
    ph_errf(reason, reason_len, "%s", "");
    ph_page_rec_t *page = NULL;
    int32_t rc = resolve_page(host, caller, page_id, "action.available", action_id, &page, reason, reason_len);
    if (rc != PANEL_OK)
        return rc;
    const panel_action_t *action = find_action(page, action_id);
    if (!action) {
        ph_errf(reason, reason_len, "page '%s' has no action '%.*s'", page->desc.id, 80, action_id ? action_id : "");
        return PANEL_E_NOT_FOUND;
    }
    if ((rc = check_record(page, action, record_id, reason, reason_len)) != PANEL_OK)
        return rc;
    if (!action->available)
        return PANEL_OK;
    panel_caller_t c;
    plugin_caller(host, caller, &c);
    char msg[PH_MSG_MAX] = "";
    pthread_mutex_lock(&page->owner->call_lock);
    rc = action->available(page->owner->state, &c, record_id, msg, sizeof msg);
    pthread_mutex_unlock(&page->owner->call_lock);
    msg[sizeof msg - 1] = '\0';
    return availability_answer(rc, msg, "the plugin could not tell whether the action is available", reason,
                               reason_len);
}

/* ----- field availability (ABI 1.3) ----- */

int32_t panelhost_field_available(panelhost_t *host, const panel_caller_t *caller, const char *page_id,
                                  const char *field_id, char *reason, size_t reason_len)
{
    ph_errf(reason, reason_len, "%s", "");
    ph_page_rec_t *page = NULL;
    int32_t rc = resolve_page(host, caller, page_id, "field.available", field_id, &page, reason, reason_len);
    if (rc != PANEL_OK)
        return rc;
    const panel_field_t *field = find_field(page, field_id);
    if (!field) {
        ph_errf(reason, reason_len, "page '%s' has no field '%.*s'", page->desc.id, 80, field_id ? field_id : "");
        return PANEL_E_NOT_FOUND;
    }
    if (!field->available) /* a 1.2 plugin's copy has it zeroed: always offered */
        return PANEL_OK;
    panel_caller_t c;
    plugin_caller(host, caller, &c);
    char msg[PH_MSG_MAX] = "";
    pthread_mutex_lock(&page->owner->call_lock);
    rc = field->available(page->owner->state, &c, msg, sizeof msg);
    pthread_mutex_unlock(&page->owner->call_lock);
    msg[sizeof msg - 1] = '\0';
    return availability_answer(rc, msg, "the plugin could not tell whether the field can be set", reason, reason_len);
}
