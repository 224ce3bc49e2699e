/* revoke_body.c - the body parser of POST /api/v1/keys/revoke (see revoke_body.h): a form reader that decodes
 * token (refusing bad %-escapes and a second token) and ignores every other field, and the JSON shapes read by
 * jansson in its strict mode (no member name twice) with each finding's members checked for their types. Every
 * token copy is wiped when freed, and jansson's own copy of a token before the document is freed. It calls only
 * form_codec.c of the sample host. */
#include "revoke_body.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "../form_codec.h"

static char *copy_bytes(const char *s, size_t n)
{
    char *out = malloc(n + 1);
    if (out) {
        memcpy(out, s, n);
        out[n] = '\0';
    }
    return out;
}

void revoke_findings_free(revoke_findings_t *f)
{
    for (size_t i = 0; i < f->n; i++) {
        if (f->items[i].token) {
            explicit_bzero(f->items[i].token, f->items[i].token_len);
            free(f->items[i].token);
        }
        free(f->items[i].url);
        free(f->items[i].source);
    }
    f->n = 0;
}

/* token=... (once), token_type_hint ignored, other fields ignored. 0, or -1 with why. */
static int read_form(const char *body, size_t len, revoke_findings_t *f, const char **why)
{
    for (size_t at = 0; at < len;) {
        const char *field = body + at;
        size_t n = 0;
        while (at + n < len && body[at + n] != '&')
            n++;
        at += n + 1;
        if (n > 6 && memcmp(field, "token=", 6) == 0) {
            if (f->n > 0) {
                *why = "the form names token twice";
                return -1;
            }
            revoke_finding_t *it = &f->items[0];
            it->token = form_decode_alloc(field + 6, n - 6, &it->token_len);
            if (!it->token) {
                *why = "the token's %-escapes are not valid";
                return -1;
            }
            f->n = 1;
        }
    }
    if (f->n == 0) {
        *why = "the form has no token";
        return -1;
    }
    return 0;
}

static char *json_text_copy(json_t *value, size_t *len)
{
    *len = json_string_length(value);
    return copy_bytes(json_string_value(value), *len);
}

/* One finding object: "token" a non-empty string; "url", "source" (and "type") strings when present. */
static int read_item(json_t *item, revoke_finding_t *it, const char **why)
{
    json_t *token = json_object_get(item, "token");
    json_t *url = json_object_get(item, "url");
    json_t *source = json_object_get(item, "source");
    json_t *type = json_object_get(item, "type");
    if (!json_is_object(item) || !json_is_string(token) || json_string_length(token) == 0) {
        *why = "each finding must be an object with a non-empty string \"token\"";
        return -1;
    }
    if ((url && !json_is_string(url)) || (source && !json_is_string(source)) || (type && !json_is_string(type))) {
        *why = "\"url\", \"type\" and \"source\" must be strings";
        return -1;
    }
    size_t n;
    it->token = json_text_copy(token, &it->token_len);
    it->url = url ? json_text_copy(url, &n) : NULL;
    it->source = source ? json_text_copy(source, &n) : NULL;
    if (!it->token || (url && !it->url) || (source && !it->source)) {
        *why = "the server ran out of memory";
        return -1;
    }
    /* jansson's own copy of the token is wiped before the document is freed */
    explicit_bzero((char *)(uintptr_t)json_string_value(token), json_string_length(token));
    return 0;
}

static int read_json(const char *body, size_t len, revoke_findings_t *f, const char **why)
{
    json_error_t error;
    json_t *doc = json_loadb(body, len, JSON_REJECT_DUPLICATES, &error);
    if (!doc) {
        *why = "the body is not valid JSON";
        return -1;
    }
    int rc = 0;
    if (json_is_object(doc)) {
        rc = read_item(doc, &f->items[0], why);
        f->n = 1;
    } else if (json_is_array(doc) && json_array_size(doc) >= 1 && json_array_size(doc) <= REVOKE_ITEMS_MAX) {
        for (size_t i = 0; rc == 0 && i < json_array_size(doc); i++) {
            rc = read_item(json_array_get(doc, i), &f->items[i], why);
            f->n = i + 1;
        }
    } else {
        *why = json_is_array(doc) ? "the array must hold 1 to 100 findings" : "the JSON body is neither an object nor "
                                                                               "an array";
        rc = -1;
    }
    json_decref(doc);
    return rc;
}

int revoke_body_read(const char *content_type, const char *body, size_t len, revoke_findings_t *f,
                     const char **why)
{
    const char *type = content_type ? content_type : "";
    if (len == 0) {
        *why = "the body is empty";
        return -1;
    }
    if (form_media_type_is(type, "application/x-www-form-urlencoded"))
        return read_form(body, len, f, why);
    if (form_media_type_is(type, "application/json"))
        return read_json(body, len, f, why);
    *why = "the Content-Type is neither application/x-www-form-urlencoded nor application/json";
    return -1;
}
