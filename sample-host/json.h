/* json.h - a small JSON writer for the sample host: builds one JSON document in a growable buffer, with
 * commas placed automatically, correct string escaping (control characters, quotes, backslashes, U+2028/9)
 * and invalid UTF-8 replaced by U+FFFD. Its buffer is wiped when freed, so a document that carried a
 * one-time secret leaves no copy behind. */
#ifndef SAMPLE_HOST_JSON_H
#define SAMPLE_HOST_JSON_H

#include <stddef.h>
#include <stdint.h>

#define JSON_MAX_DEPTH 32

typedef struct json_writer {
    char *data;                 /* NUL-terminated document so far; NULL until the first write */
    size_t len;
    size_t cap;
    int failed;                 /* 1 after an allocation failure or misuse; later writes do nothing */
    int depth;
    int has_items[JSON_MAX_DEPTH]; /* per open container: 1 when a value was written in it */
    int after_key;              /* 1 right after json_key(): the next value needs no comma */
} json_writer_t;

void json_init(json_writer_t *w);
/* Wipes and frees the buffer; the writer may be initialised again. */
void json_free(json_writer_t *w);

void json_begin_object(json_writer_t *w);
void json_end_object(json_writer_t *w);
void json_begin_array(json_writer_t *w);
void json_end_array(json_writer_t *w);
/* An object member's name; the next call writes its value. */
void json_key(json_writer_t *w, const char *name);

void json_string(json_writer_t *w, const char *s);            /* NULL writes null */
void json_string_n(json_writer_t *w, const char *s, size_t n); /* n bytes, which may hold NULs */
void json_int(json_writer_t *w, int64_t v);
void json_bool(json_writer_t *w, int v);
void json_null(json_writer_t *w);
/* A value that is already valid JSON text (e.g. a body built by another writer), copied as is. */
void json_raw(json_writer_t *w, const char *json_text);

/* Shorthands for an object member. */
void json_member_string(json_writer_t *w, const char *name, const char *s);
void json_member_int(json_writer_t *w, const char *name, int64_t v);
void json_member_bool(json_writer_t *w, const char *name, int v);

/* The finished document, or NULL when writing failed or containers are still open. */
const char *json_result(const json_writer_t *w);

#endif /* SAMPLE_HOST_JSON_H */
