/* web_form.c - the admin panel's urlencoded form: its fields as names and values (decoding in form_codec.c). */
#include "web_form.h"

#include "../form_codec.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

int web_form_parse(const char *body, size_t len, web_form_t *form)
{
    memset(form, 0, sizeof *form);
    size_t i = 0;
    while (i < len) {
        const char *pair = body + i;
        const char *amp = memchr(pair, '&', len - i);
        size_t pair_len = amp != NULL ? (size_t)(amp - pair) : len - i;
        i += pair_len + (amp != NULL ? 1 : 0);
        if (pair_len == 0)
            continue;
        if (form->n == WEB_FORM_MAX_FIELDS) {
            web_form_free(form);
            return -1;
        }
        const char *eq = memchr(pair, '=', pair_len);
        size_t name_len = eq != NULL ? (size_t)(eq - pair) : pair_len;
        size_t ignored = 0;
        char *name = form_decode_alloc(pair, name_len, &ignored);
        char *value = eq != NULL ? form_decode_alloc(eq + 1, pair_len - name_len - 1, &form->lens[form->n])
                                 : form_decode_alloc("", 0, &form->lens[form->n]);
        if (name == NULL || value == NULL) {
            free(name);
            if (value != NULL) {
                sodium_memzero(value, form->lens[form->n]);
                free(value);
            }
            web_form_free(form);
            return -1;
        }
        form->names[form->n] = name;
        form->values[form->n] = value;
        form->n++;
    }
    return 0;
}

const char *web_form_get(const web_form_t *form, const char *name, size_t *len)
{
    for (size_t i = 0; i < form->n; i++) {
        if (strcmp(form->names[i], name) == 0) {
            if (len != NULL)
                *len = form->lens[i];
            return form->values[i];
        }
    }
    return NULL;
}

void web_form_free(web_form_t *form)
{
    for (size_t i = 0; i < form->n; i++) {
        free(form->names[i]);
        sodium_memzero(form->values[i], form->lens[i]);
        free(form->values[i]);
    }
    memset(form, 0, sizeof *form);
}
