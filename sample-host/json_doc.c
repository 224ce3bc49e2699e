/* json_doc.c - the sample host's helpers over jansson (see json_doc.h): UTF-8 repair of strings and member
 * names, NULL-passing set/append, the compact dump, and the wiping allocator. */
#include "json_doc.h"

#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

/* Each block starts with its size, so free can wipe it; the header keeps the caller's part max-aligned. */
#define BLOCK_HEADER (sizeof(max_align_t) > sizeof(size_t) ? sizeof(max_align_t) : sizeof(size_t))

static void *wiping_malloc(size_t size)
{
    if (size > SIZE_MAX - BLOCK_HEADER)
        return NULL;
    unsigned char *block = malloc(BLOCK_HEADER + size);
    if (block == NULL)
        return NULL;
    memcpy(block, &size, sizeof size);
    return block + BLOCK_HEADER;
}

static void wiping_free(void *ptr)
{
    if (ptr == NULL)
        return;
    unsigned char *block = (unsigned char *)ptr - BLOCK_HEADER;
    size_t size;
    memcpy(&size, block, sizeof size);
    sodium_memzero(block, BLOCK_HEADER + size);
    free(block);
}

void json_doc_wipe_on_free(void)
{
    json_set_alloc_funcs(wiping_malloc, wiping_free);
}

/* Length of the valid UTF-8 sequence at s[0..n), or 0 when it is invalid (overlong forms, surrogates and code
 * points above U+10FFFF are invalid). */
static size_t utf8_sequence_length(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t len;
    uint32_t cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        cp = c & 0x1Fu;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        cp = c & 0x0Fu;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        cp = c & 0x07u;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0u) != 0x80u)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3Fu);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

/* s[0..n) with each byte that does not start a valid UTF-8 sequence replaced by U+FFFD, in memory from
 * jansson's allocator (free with jsonp's free: json_doc_text_free); *out_len its length. NULL when out of
 * memory. */
static char *utf8_repaired(const char *s, size_t n, size_t *out_len)
{
    json_malloc_t alloc;
    json_free_t release;
    json_get_alloc_funcs(&alloc, &release);
    if (n > (SIZE_MAX - 1) / 3)
        return NULL;
    char *out = alloc(n * 3 + 1); /* a bad byte (1) becomes 3 bytes */
    if (out == NULL)
        return NULL;
    const unsigned char *p = (const unsigned char *)s;
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        size_t seq = utf8_sequence_length(p + i, n - i);
        if (seq == 0) {
            memcpy(out + o, "\xEF\xBF\xBD", 3);
            o += 3;
            i++;
        } else {
            memcpy(out + o, p + i, seq);
            o += seq;
            i += seq;
        }
    }
    out[o] = '\0';
    *out_len = o;
    return out;
}

static int utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        size_t seq = utf8_sequence_length(p + i, n - i);
        if (seq == 0)
            return 0;
        i += seq;
    }
    return 1;
}

json_t *json_doc_stringn(const char *s, size_t n)
{
    if (utf8_valid(s, n))
        return json_stringn_nocheck(s, n);
    size_t len = 0;
    char *fixed = utf8_repaired(s, n, &len);
    if (fixed == NULL)
        return NULL;
    json_t *value = json_stringn_nocheck(fixed, len);
    json_doc_text_free(fixed);
    return value;
}

json_t *json_doc_string(const char *s)
{
    return s == NULL ? json_null() : json_doc_stringn(s, strlen(s));
}

json_t *json_doc_set(json_t *object, const char *key, json_t *value)
{
    int rc = -1;
    if (object != NULL && value != NULL) {
        size_t n = strlen(key);
        if (utf8_valid(key, n)) {
            rc = json_object_set_new_nocheck(object, key, value);
        } else {
            size_t len = 0;
            char *fixed = utf8_repaired(key, n, &len);
            if (fixed != NULL)
                rc = json_object_set_new_nocheck(object, fixed, value);
            else
                json_decref(value);
            json_doc_text_free(fixed);
        }
        value = NULL; /* json_object_set_new* steal it, also on failure */
    }
    if (rc != 0) {
        json_decref(value);
        json_decref(object);
        return NULL;
    }
    return object;
}

json_t *json_doc_append(json_t *array, json_t *value)
{
    if (array == NULL || value == NULL || json_array_append_new(array, value) != 0) {
        if (array == NULL || value == NULL)
            json_decref(value); /* json_array_append_new steals it, also on failure */
        json_decref(array);
        return NULL;
    }
    return array;
}

char *json_doc_text(json_t *doc)
{
    if (doc == NULL)
        return NULL;
    char *text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(doc);
    return text;
}

void json_doc_text_free(char *text)
{
    if (text == NULL)
        return;
    json_malloc_t alloc;
    json_free_t release;
    json_get_alloc_funcs(&alloc, &release);
    release(text);
}
