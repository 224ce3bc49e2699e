/* api_scopes.c - reading and checking the API scope catalogue of [host] api_scopes (see api_scopes.h). */
#include "api_scopes.h"

#include <stdio.h>
#include <string.h>

#include "router.h"

#define SETTING "[host] api_scopes"
#define FORMAT "write 'ID: description' items separated by ';', e.g. api_scopes = store.read: Read the store; " \
               "deliveries.pull: Pull deliveries"

static const char default_catalogue[] =
    API_SCOPE_STORE_READ ": Read the store's name and currency; "
    API_SCOPE_DELIVERIES_PULL ": Pull the deliveries waiting for the game server; "
    API_SCOPE_DELIVERIES_ACK ": Mark pulled deliveries as delivered";

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

int api_scopes_parse(const char *value, api_scopes_t *out, char *err, size_t err_len)
{
    memset(out, 0, sizeof *out);
    const char *p = value != NULL ? value : default_catalogue;
    size_t item = 0;
    while (*p != '\0') {
        size_t len = strcspn(p, ";");
        item++;
        const char *colon = memchr(p, ':', len);
        if (colon == NULL) {
            size_t n = len;
            const char *s = trim(p, &n);
            if (n == 0 && p[len] == '\0' && item > 1) /* a trailing ';' */
                break;
            snprintf(err, err_len, SETTING " item %zu ('%.*s') has no ':' between its id and its description; "
                     FORMAT, item, (int)(n > 60 ? 60 : n), s);
            return -1;
        }
        size_t id_len = (size_t)(colon - p);
        const char *id = trim(p, &id_len);
        size_t desc_len = len - (size_t)(colon + 1 - p);
        const char *desc = trim(colon + 1, &desc_len);
        int id_ok = id_len > 0 && id_len <= API_SCOPE_ID_MAX;
        for (size_t i = 0; id_ok && i < id_len; i++)
            id_ok = id_char(id[i]);
        if (!id_ok) {
            snprintf(err, err_len, SETTING " item %zu: the scope id '%.*s' is not valid; use 1-%d of a-z 0-9 _ . -",
                     item, (int)(id_len > 64 ? 64 : id_len), id, API_SCOPE_ID_MAX);
            return -1;
        }
        if (desc_len == 0 || desc_len > API_SCOPE_DESCRIPTION_MAX) {
            snprintf(err, err_len, SETTING ": scope %.*s needs a description of 1 to %d bytes after its ':'",
                     (int)id_len, id, API_SCOPE_DESCRIPTION_MAX);
            return -1;
        }
        for (size_t i = 0; i < out->n; i++)
            if (strlen(out->items[i].id) == id_len && memcmp(out->items[i].id, id, id_len) == 0) {
                snprintf(err, err_len, SETTING " lists scope %.*s twice; keep one", (int)id_len, id);
                return -1;
            }
        if (out->n >= API_SCOPES_MAX) {
            snprintf(err, err_len, SETTING " lists more than %d scopes", API_SCOPES_MAX);
            return -1;
        }
        api_scope_t *s = &out->items[out->n++];
        memcpy(s->id, id, id_len);
        memcpy(s->description, desc, desc_len);
        p += len;
        if (*p == ';')
            p++;
    }
    if (out->n == 0) {
        snprintf(err, err_len, SETTING " is empty; " FORMAT ", or remove the line for the default scopes");
        return -1;
    }
    return 0;
}

const api_scope_t *api_scopes_find(const api_scopes_t *scopes, const char *id)
{
    for (size_t i = 0; i < scopes->n; i++)
        if (strcmp(scopes->items[i].id, id) == 0)
            return &scopes->items[i];
    return NULL;
}

int api_scopes_load(const panelhost_t *host, api_scopes_t *out, char *err, size_t err_len)
{
    if (api_scopes_parse(panelhost_config_get(host, "host", "api_scopes"), out, err, err_len) != 0)
        return -1;
    for (size_t i = 0;; i++) {
        const char *route = NULL;
        const char *scope = router_required_scope(i, &route);
        if (route == NULL)
            break;
        if (scope != NULL && api_scopes_find(out, scope) == NULL) {
            snprintf(err, err_len, SETTING " lacks scope %s, which the route %s requires; add it, e.g. '%s: "
                     "what it allows'", scope, route, scope);
            return -1;
        }
    }
    return 0;
}
