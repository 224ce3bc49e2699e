/* api_scopes.c - the host's API scope catalogue (ABI 1.1): panelhost_set_api_scopes validates and copies it
 * into one allocation shaped as plugin.h's panel_api_scopes_t, which plugins get from
 * get_extension(PANEL_EXT_API_SCOPES) and the host program from panelhost_api_scopes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define PH_API_SCOPES_MAX 64u

struct ph_api_scopes {
    panel_api_scopes_t view;                       /* what plugins see; points into the fields below */
    const panel_api_scope_t *pointers[PH_API_SCOPES_MAX];
    panel_api_scope_t scopes[PH_API_SCOPES_MAX];
    char text[];                                   /* every id and description, NUL-terminated */
};

const panel_api_scopes_t *ph_api_scopes_view(const panelhost_t *host)
{
    return host && host->api_scopes ? &host->api_scopes->view : NULL;
}

const panel_api_scopes_t *panelhost_api_scopes(const panelhost_t *host)
{
    return ph_api_scopes_view(host);
}

void ph_api_scopes_free(panelhost_t *host)
{
    free(host->api_scopes);
    host->api_scopes = NULL;
}

/* Why scope i is refused, written into why, or NULL. */
static const char *scope_problem(const char *const *ids, const char *const *descriptions, size_t i, char *why,
                                 size_t why_len)
{
    const char *id = ids[i];
    if (!id || strlen(id) > PANEL_ID_MAX || !ph_permission_pattern_valid(id) || strchr(id, '*')) {
        snprintf(why, why_len,
                 "API scope %zu ('%.80s'): an id is 1-64 bytes of words of a-z 0-9 _ - joined by single '.', e.g. "
                 "'store.read'",
                 i + 1, id ? id : "(null)");
        return why;
    }
    for (size_t k = 0; k < i; k++)
        if (strcmp(ids[k], id) == 0) {
            snprintf(why, why_len, "API scope '%s' is listed twice; list each scope once", id);
            return why;
        }
    const char *d = descriptions ? descriptions[i] : NULL;
    if (d) {
        size_t n = strlen(d);
        int bad = n > PANEL_TEXT_MAX || !ph_utf8_valid(d, n);
        for (size_t k = 0; !bad && k < n; k++)
            bad = (unsigned char)d[k] < 0x20 || d[k] == 0x7f;
        if (bad) {
            snprintf(why, why_len, "API scope '%s': the description must be one line of UTF-8 text of at most "
                                   "4096 bytes",
                     id);
            return why;
        }
    }
    return NULL;
}

int32_t panelhost_set_api_scopes(panelhost_t *host, const char *const *ids, const char *const *descriptions,
                                 size_t n, char *err, size_t err_len)
{
    if (!host || (n > 0 && !ids)) {
        ph_errf(err, err_len, "panelhost_set_api_scopes: host and ids must be given");
        return PANEL_E_INVALID;
    }
    if (host->n_plugins > 0) {
        ph_errf(err, err_len, "the API scope catalogue can only be set before any plugin is loaded (plugins "
                              "keep it until they are unloaded); set it right after panelhost_open");
        return PANEL_E_STATE;
    }
    if (n > PH_API_SCOPES_MAX) {
        ph_errf(err, err_len, "%zu API scopes given; a catalogue holds at most %u", n, PH_API_SCOPES_MAX);
        return PANEL_E_INVALID;
    }
    size_t text = 0, joined = 0;
    char why[PH_MSG_MAX / 2];
    for (size_t i = 0; i < n; i++) {
        if (scope_problem(ids, descriptions, i, why, sizeof why)) {
            ph_errf(err, err_len, "%s", why);
            return PANEL_E_INVALID;
        }
        const char *d = descriptions && descriptions[i] ? descriptions[i] : "";
        text += strlen(ids[i]) + 1 + strlen(d) + 1;
        joined += strlen(ids[i]) + (i ? 1 : 0);
    }
    if (joined >= PANEL_SCOPES_MAX) {
        ph_errf(err, err_len, "the API scope ids take %zu bytes comma-separated; at most %u fit (shorten or drop "
                              "some)", joined, PANEL_SCOPES_MAX - 1);
        return PANEL_E_INVALID;
    }
    ph_api_scopes_free(host);
    if (n == 0)
        return PANEL_OK;
    ph_api_scopes_t *c = calloc(1, sizeof *c + text);
    if (!c) {
        ph_errf(err, err_len, "out of memory");
        return PANEL_E_NOMEM;
    }
    char *p = c->text;
    for (size_t i = 0; i < n; i++) {
        const char *d = descriptions && descriptions[i] ? descriptions[i] : "";
        panel_api_scope_t *s = &c->scopes[i];
        s->struct_size = sizeof *s;
        s->id = p;
        p += strlen(strcpy(p, ids[i])) + 1;
        s->description = p;
        p += strlen(strcpy(p, d)) + 1;
        c->pointers[i] = s;
    }
    c->view.struct_size = sizeof c->view;
    c->view.n_scopes = (uint32_t)n;
    c->view.scopes = c->pointers;
    host->api_scopes = c;
    return PANEL_OK;
}
