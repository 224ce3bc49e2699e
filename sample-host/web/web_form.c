/* web_form.c - urlencoded form decoding (see web_form.h). */
#include "web_form.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes s[0..n) ('+' is a space, %XX a byte) into a new NUL-terminated string; NULL when malformed. */
static char *decode(const char *s, size_t n, size_t *out_len)
{
    char *out = malloc(n + 1);
    size_t o = 0;
    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '+') {
            out[o++] = ' ';
        } else if (s[i] == '%') {
            int hi = i + 2 < n ? hex_value(s[i + 1]) : -1;
            int lo = i + 2 < n ? hex_value(s[i + 2]) : -1;
            if (hi < 0 || lo < 0) {
                sodium_memzero(out, n + 1);
                free(out);
                return NULL;
            }
            out[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    *out_len = o;
    return out;
}

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
        char *name = decode(pair, name_len, &ignored);
        char *value = eq != NULL ? decode(eq + 1, pair_len - name_len - 1, &form->lens[form->n])
                                 : decode("", 0, &form->lens[form->n]);
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
