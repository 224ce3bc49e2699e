/* web_html.c - the web panel's output buffer and HTML escaping (see web_html.h). */
#include "web_html.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

void web_buf_init(web_buf_t *b)
{
    memset(b, 0, sizeof *b);
}

void web_buf_free(web_buf_t *b)
{
    if (b->data != NULL) {
        sodium_memzero(b->data, b->cap);
        free(b->data);
    }
    web_buf_init(b);
}

char *web_buf_take(web_buf_t *b, size_t *len)
{
    char *text = b->failed ? NULL : b->data;
    if (text == NULL && !b->failed) {
        text = calloc(1, 1);
    }
    if (len != NULL)
        *len = text != NULL ? b->len : 0;
    if (b->failed)
        web_buf_free(b);
    else
        web_buf_init(b);
    return text;
}

/* Makes room for `extra` more bytes plus the NUL; wipes the old block when it moves. */
static int reserve(web_buf_t *b, size_t extra)
{
    if (b->failed)
        return -1;
    if (b->len + extra + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 1024;
    while (cap < b->len + extra + 1) {
        if (cap > ((size_t)1 << 28)) {
            b->failed = 1;
            return -1;
        }
        cap *= 2;
    }
    char *grown = malloc(cap);
    if (grown == NULL) {
        b->failed = 1;
        return -1;
    }
    if (b->data != NULL) {
        memcpy(grown, b->data, b->len + 1);
        sodium_memzero(b->data, b->cap);
        free(b->data);
    } else {
        grown[0] = '\0';
    }
    b->data = grown;
    b->cap = cap;
    return 0;
}

static void append(web_buf_t *b, const char *bytes, size_t n)
{
    if (reserve(b, n) != 0)
        return;
    memcpy(b->data + b->len, bytes, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void web_raw(web_buf_t *b, const char *markup)
{
    if (markup != NULL)
        append(b, markup, strlen(markup));
}

void web_rawf(web_buf_t *b, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = 1;
        return;
    }
    if ((size_t)n < sizeof small) {
        append(b, small, (size_t)n);
        return;
    }
    if (reserve(b, (size_t)n) != 0)
        return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* Length of the valid UTF-8 sequence at s[0..n), or 0 when it is not one. */
static size_t utf8_sequence(const unsigned char *s, size_t n)
{
    size_t need;
    unsigned min;
    unsigned cp;
    if (s[0] < 0x80)
        return 1;
    if ((s[0] & 0xE0) == 0xC0) {
        need = 2; cp = s[0] & 0x1Fu; min = 0x80;
    } else if ((s[0] & 0xF0) == 0xE0) {
        need = 3; cp = s[0] & 0x0Fu; min = 0x800;
    } else if ((s[0] & 0xF8) == 0xF0) {
        need = 4; cp = s[0] & 0x07u; min = 0x10000;
    } else {
        return 0;
    }
    if (n < need)
        return 0;
    for (size_t i = 1; i < need; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return need;
}

void web_html_text_n(web_buf_t *b, const char *text, size_t n)
{
    static const char replacement[] = "\xEF\xBF\xBD";
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    if (text == NULL)
        return;
    while (i < n) {
        unsigned char c = s[i];
        switch (c) {
        case '&': web_raw(b, "&amp;"); i++; continue;
        case '<': web_raw(b, "&lt;"); i++; continue;
        case '>': web_raw(b, "&gt;"); i++; continue;
        case '"': web_raw(b, "&quot;"); i++; continue;
        case '\'': web_raw(b, "&#39;"); i++; continue;
        default: break;
        }
        if (c < 0x20 && c != '\t' && c != '\n') {
            web_raw(b, replacement);
            i++;
            continue;
        }
        if (c == 0x7F) {
            web_raw(b, replacement);
            i++;
            continue;
        }
        size_t len = utf8_sequence(s + i, n - i);
        if (len == 0) {
            web_raw(b, replacement);
            i++;
            continue;
        }
        append(b, text + i, len);
        i += len;
    }
}

void web_html_text(web_buf_t *b, const char *text)
{
    if (text != NULL)
        web_html_text_n(b, text, strlen(text));
}
