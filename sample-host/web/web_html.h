/* web_html.h - the web panel's output buffer: a growable NUL-terminated text buffer with HTML escaping,
 * wiped when freed (a page may carry a one-time secret). Every byte of untrusted text that reaches a page
 * goes through web_html_text(). */
#ifndef SAMPLE_HOST_WEB_HTML_H
#define SAMPLE_HOST_WEB_HTML_H

#include <stddef.h>

typedef struct web_buf {
    char *data;                 /* NUL-terminated; NULL until the first append */
    size_t len;
    size_t cap;
    int failed;                 /* 1 after an allocation failure; later appends do nothing */
} web_buf_t;

void web_buf_init(web_buf_t *b);
/* Wipes and frees the buffer. */
void web_buf_free(web_buf_t *b);
/* Takes the text out of the buffer (caller frees; NULL on failure) and leaves the buffer empty. */
char *web_buf_take(web_buf_t *b, size_t *len);

/* Raw markup, copied as is: only for trusted literals. */
void web_raw(web_buf_t *b, const char *markup);
void web_rawf(web_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Text, escaped for element content and double-quoted attribute values (& < > " '). Invalid UTF-8 and
 * control characters other than tab and newline become U+FFFD. NULL writes nothing. */
void web_html_text(web_buf_t *b, const char *text);
void web_html_text_n(web_buf_t *b, const char *text, size_t n);

#endif /* SAMPLE_HOST_WEB_HTML_H */
