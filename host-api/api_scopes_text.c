/* api_scopes_text.c - panelhost_set_api_scopes_text: the API scope catalogue from its written form, the value
 * of `[host] api_scopes` in panel.ini ("ID: description; ID: description"), as the sample host and a process
 * host (a PHP panel's) read it; the checks of each entry are panelhost_set_api_scopes's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define SETTING "[host] api_scopes"
#define FORMAT "write 'ID: description' items separated by ';', e.g. api_scopes = store.read: Read the store; " \
               "deliveries.pull: Pull deliveries"
#define TEXT_SCOPES_MAX 64
#define TEXT_ID_MAX 64
#define TEXT_DESCRIPTION_MAX 160

typedef struct text_scope {
    char id[TEXT_ID_MAX + 1];
    char description[TEXT_DESCRIPTION_MAX + 1];
} text_scope_t;

static int id_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

static const char *trim(const char *s, size_t *n)
{
    while (*n > 0 && (*s == ' ' || *s == '\t')) {
        s++;
        (*n)--;
    }
    while (*n > 0 && (s[*n - 1] == ' ' || s[*n - 1] == '\t'))
        (*n)--;
    return s;
}

/* Parses text into out[0..*n). PANEL_OK, or PANEL_E_INVALID with err naming the setting, the item and what to
 * write. */
static int32_t parse(const char *text, text_scope_t *out, size_t *n_out, char *err, size_t err_len)
{
    size_t n = 0, item = 0;
    for (const char *p = text; *p != '\0';) {
        size_t len = strcspn(p, ";");
        item++;
        const char *colon = memchr(p, ':', len);
        if (colon == NULL) {
            size_t rest = len;
            const char *s = trim(p, &rest);
            if (rest == 0 && p[len] == '\0' && item > 1) /* a trailing ';' */
                break;
            ph_errf(err, err_len, SETTING " item %zu ('%.*s') has no ':' between its id and its description; " FORMAT,
                    item, (int)(rest > 60 ? 60 : rest), s);
            return PANEL_E_INVALID;
        }
        size_t id_len = (size_t)(colon - p);
        const char *id = trim(p, &id_len);
        size_t desc_len = len - (size_t)(colon + 1 - p);
        const char *desc = trim(colon + 1, &desc_len);
        int id_ok = id_len > 0 && id_len <= TEXT_ID_MAX;
        for (size_t i = 0; id_ok && i < id_len; i++)
            id_ok = id_char(id[i]);
        if (!id_ok) {
            ph_errf(err, err_len, SETTING " item %zu: the scope id '%.*s' is not valid; use 1-%d of a-z 0-9 _ . -",
                    item, (int)(id_len > 64 ? 64 : id_len), id, TEXT_ID_MAX);
            return PANEL_E_INVALID;
        }
        if (desc_len == 0 || desc_len > TEXT_DESCRIPTION_MAX) {
            ph_errf(err, err_len, SETTING ": scope %.*s needs a description of 1 to %d bytes after its ':'",
                    (int)id_len, id, TEXT_DESCRIPTION_MAX);
            return PANEL_E_INVALID;
        }
        for (size_t i = 0; i < n; i++)
            if (strlen(out[i].id) == id_len && memcmp(out[i].id, id, id_len) == 0) {
                ph_errf(err, err_len, SETTING " lists scope %.*s twice; keep one", (int)id_len, id);
                return PANEL_E_INVALID;
            }
        if (n >= TEXT_SCOPES_MAX) {
            ph_errf(err, err_len, SETTING " lists more than %d scopes", TEXT_SCOPES_MAX);
            return PANEL_E_INVALID;
        }
        memset(&out[n], 0, sizeof out[n]);
        memcpy(out[n].id, id, id_len);
        memcpy(out[n].description, desc, desc_len);
        n++;
        p += len;
        if (*p == ';')
            p++;
    }
    if (n == 0) {
        ph_errf(err, err_len, SETTING " is empty; " FORMAT ", or remove the line");
        return PANEL_E_INVALID;
    }
    *n_out = n;
    return PANEL_OK;
}

int32_t panelhost_set_api_scopes_text(panelhost_t *host, const char *text, char *err, size_t err_len)
{
    if (!host || !text) {
        ph_errf(err, err_len, "no host or no catalogue text was given");
        return PANEL_E_INVALID;
    }
    text_scope_t *scopes = calloc(TEXT_SCOPES_MAX, sizeof *scopes);
    if (!scopes) {
        ph_errf(err, err_len, "out of memory");
        return PANEL_E_NOMEM;
    }
    size_t n = 0;
    int32_t rc = parse(text, scopes, &n, err, err_len);
    if (rc != PANEL_OK) {
        free(scopes);
        return rc;
    }
    const char *ids[TEXT_SCOPES_MAX], *descriptions[TEXT_SCOPES_MAX];
    for (size_t i = 0; i < n; i++) {
        ids[i] = scopes[i].id;
        descriptions[i] = scopes[i].description;
    }
    char why[512];
    rc = panelhost_set_api_scopes(host, ids, descriptions, n, why, sizeof why);
    if (rc != PANEL_OK)
        ph_errf(err, err_len, SETTING ": %s", why);
    free(scopes);
    return rc;
}
