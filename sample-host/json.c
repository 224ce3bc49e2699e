/* json.c - the sample host's JSON writer: buffer growth (wiping the old buffer), comma placement, string
 * escaping and UTF-8 repair. See json.h. */
#include "json.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

void json_init(json_writer_t *w)
{
    memset(w, 0, sizeof *w);
}

void json_free(json_writer_t *w)
{
    if (w->data != NULL) {
        sodium_memzero(w->data, w->cap);
        free(w->data);
    }
    json_init(w);
}

/* Makes room for `more` bytes plus a NUL. Grows by copying into a new buffer and wiping the old one, since
 * realloc could leave a copy of a secret in freed memory. */
static int reserve(json_writer_t *w, size_t more)
{
    if (w->failed)
        return 0;
    if (more > SIZE_MAX / 2 - w->len) {
        w->failed = 1;
        return 0;
    }
    size_t need = w->len + more + 1;
    if (need <= w->cap)
        return 1;
    size_t cap = w->cap ? w->cap : 256;
    while (cap < need)
        cap *= 2;
    char *grown = malloc(cap);
    if (grown == NULL) {
        w->failed = 1;
        return 0;
    }
    if (w->data != NULL) {
        memcpy(grown, w->data, w->len + 1);
        sodium_memzero(w->data, w->cap);
        free(w->data);
    } else {
        grown[0] = '\0';
    }
    w->data = grown;
    w->cap = cap;
    return 1;
}

static void append(json_writer_t *w, const char *bytes, size_t n)
{
    if (!reserve(w, n))
        return;
    memcpy(w->data + w->len, bytes, n);
    w->len += n;
    w->data[w->len] = '\0';
}

static void append_str(json_writer_t *w, const char *s)
{
    append(w, s, strlen(s));
}

/* Writes the comma that separates this value from the previous one in its container. */
static void before_value(json_writer_t *w)
{
    if (w->after_key) {
        w->after_key = 0;
        return;
    }
    if (w->depth > 0) {
        if (w->has_items[w->depth - 1])
            append(w, ",", 1);
        w->has_items[w->depth - 1] = 1;
    }
}

static void open_container(json_writer_t *w, char bracket)
{
    before_value(w);
    if (w->depth >= JSON_MAX_DEPTH) {
        w->failed = 1;
        return;
    }
    w->has_items[w->depth++] = 0;
    append(w, &bracket, 1);
}

static void close_container(json_writer_t *w, char bracket)
{
    if (w->depth == 0 || w->after_key) {
        w->failed = 1;
        return;
    }
    w->depth--;
    append(w, &bracket, 1);
}

void json_begin_object(json_writer_t *w) { open_container(w, '{'); }
void json_end_object(json_writer_t *w) { close_container(w, '}'); }
void json_begin_array(json_writer_t *w) { open_container(w, '['); }
void json_end_array(json_writer_t *w) { close_container(w, ']'); }

/* Length of the valid UTF-8 sequence at s[0..n), or 0 when it is invalid (overlong forms, surrogates and
 * code points above U+10FFFF are invalid). */
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

static void write_escaped(json_writer_t *w, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    append(w, "\"", 1);
    size_t i = 0;
    while (i < n && !w->failed) {
        unsigned char c = p[i];
        char esc[8];
        switch (c) {
        case '"': append(w, "\\\"", 2); i++; continue;
        case '\\': append(w, "\\\\", 2); i++; continue;
        case '\n': append(w, "\\n", 2); i++; continue;
        case '\r': append(w, "\\r", 2); i++; continue;
        case '\t': append(w, "\\t", 2); i++; continue;
        case '\b': append(w, "\\b", 2); i++; continue;
        case '\f': append(w, "\\f", 2); i++; continue;
        default: break;
        }
        if (c < 0x20 || c == 0x7F) {
            snprintf(esc, sizeof esc, "\\u%04x", (unsigned)c);
            append(w, esc, 6);
            i++;
            continue;
        }
        size_t seq = utf8_sequence_length(p + i, n - i);
        if (seq == 0) {
            append(w, "\\ufffd", 6); /* invalid UTF-8: one replacement character per bad byte */
            i++;
        } else if (seq == 3 && c == 0xE2 && p[i + 1] == 0x80 && (p[i + 2] == 0xA8 || p[i + 2] == 0xA9)) {
            append(w, p[i + 2] == 0xA8 ? "\\u2028" : "\\u2029", 6); /* line separators break JS */
            i += 3;
        } else {
            append(w, s + i, seq);
            i += seq;
        }
    }
    append(w, "\"", 1);
}

void json_key(json_writer_t *w, const char *name)
{
    if (w->depth == 0 || w->after_key) {
        w->failed = 1;
        return;
    }
    before_value(w);
    write_escaped(w, name, strlen(name));
    append(w, ":", 1);
    w->after_key = 1;
}

void json_string_n(json_writer_t *w, const char *s, size_t n)
{
    before_value(w);
    write_escaped(w, s, n);
}

void json_string(json_writer_t *w, const char *s)
{
    if (s == NULL) {
        json_null(w);
        return;
    }
    json_string_n(w, s, strlen(s));
}

void json_int(json_writer_t *w, int64_t v)
{
    char num[32];
    snprintf(num, sizeof num, "%" PRId64, v);
    before_value(w);
    append_str(w, num);
}

void json_bool(json_writer_t *w, int v)
{
    before_value(w);
    append_str(w, v ? "true" : "false");
}

void json_null(json_writer_t *w)
{
    before_value(w);
    append_str(w, "null");
}

void json_raw(json_writer_t *w, const char *json_text)
{
    before_value(w);
    append_str(w, json_text);
}

void json_member_string(json_writer_t *w, const char *name, const char *s)
{
    json_key(w, name);
    json_string(w, s);
}

void json_member_int(json_writer_t *w, const char *name, int64_t v)
{
    json_key(w, name);
    json_int(w, v);
}

void json_member_bool(json_writer_t *w, const char *name, int v)
{
    json_key(w, name);
    json_bool(w, v);
}

const char *json_result(const json_writer_t *w)
{
    if (w->failed || w->depth != 0 || w->after_key || w->data == NULL)
        return NULL;
    return w->data;
}
