/* web_form.h - decoding of application/x-www-form-urlencoded request bodies (what HTML forms post). Values
 * keep their exact bytes (a value may hold a secret someone pastes) and are wiped when the form is freed. */
#ifndef SAMPLE_HOST_WEB_FORM_H
#define SAMPLE_HOST_WEB_FORM_H

#include <stddef.h>

#define WEB_FORM_MAX_FIELDS 64

typedef struct web_form {
    size_t n;
    char *names[WEB_FORM_MAX_FIELDS];   /* decoded, NUL-terminated */
    char *values[WEB_FORM_MAX_FIELDS];  /* decoded, NUL-terminated (may also hold NULs: see lens) */
    size_t lens[WEB_FORM_MAX_FIELDS];
} web_form_t;

/* Decodes body[0..len). Returns 0, or -1 when it is malformed or has too many fields (form left empty). */
int web_form_parse(const char *body, size_t len, web_form_t *form);
/* The first value named `name` (its length in *len when non-NULL), or NULL. */
const char *web_form_get(const web_form_t *form, const char *name, size_t *len);
/* Wipes and frees every name and value. */
void web_form_free(web_form_t *form);

#endif /* SAMPLE_HOST_WEB_FORM_H */
