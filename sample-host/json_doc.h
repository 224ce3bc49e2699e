/* json_doc.h - the little the sample host adds to jansson for the JSON it writes: strings from bytes that may
 * not be UTF-8 (each bad byte becomes U+FFFD, since jansson refuses such text), building that passes a failure
 * on (a NULL anywhere makes the whole document NULL, so a document is complete or absent), compact text in
 * insertion order, and an allocator that wipes every block jansson frees, so a document that carried a
 * one-time secret leaves no copy behind. Documents themselves are jansson's json_t (json_pack and friends). */
#ifndef SAMPLE_HOST_JSON_DOC_H
#define SAMPLE_HOST_JSON_DOC_H

#include <stddef.h>

#include <jansson.h>

/* Makes jansson wipe each block before freeing it. Call once, before any other jansson call of the process
 * (main does). */
void json_doc_wipe_on_free(void);

/* A string value holding s (NULL: a null value) or s[0..n) (may hold NULs), invalid UTF-8 repaired; NULL when
 * out of memory. */
json_t *json_doc_string(const char *s);
json_t *json_doc_stringn(const char *s, size_t n);

/* object[key] = value (key repaired like a string), stealing value; returns object, or NULL (releasing both)
 * when either is NULL or memory runs out. */
json_t *json_doc_set(json_t *object, const char *key, json_t *value);
/* Appends value (stolen) to array; returns array, or NULL (releasing both) when either is NULL or memory runs
 * out. */
json_t *json_doc_append(json_t *array, json_t *value);

/* The document's compact text (no spaces, members in the order added), releasing doc; NULL when doc is NULL
 * or memory runs out. Free it with json_doc_text_free, which wipes it. */
char *json_doc_text(json_t *doc);
void json_doc_text_free(char *text);

#endif /* SAMPLE_HOST_JSON_DOC_H */
