/* form_codec.c - urlencoded form values and media type checks (see form_codec.h). */
#include "form_codec.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

int form_decode_into(const char *s, size_t n, char *out, size_t out_max, size_t *out_len)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            int hi = i + 2 < n ? hex_value(s[i + 1]) : -1;
            int lo = i + 2 < n ? hex_value(s[i + 2]) : -1;
            if (hi < 0 || lo < 0)
                return -1;
            c = (char)(hi * 16 + lo);
            i += 2;
        }
        if (o < out_max)
            out[o] = c;
        o++;
    }
    *out_len = o;
    return 0;
}

char *form_decode_alloc(const char *s, size_t n, size_t *out_len)
{
    char *out = malloc(n + 1);
    if (out == NULL)
        return NULL;
    size_t o = 0;
    if (form_decode_into(s, n, out, n, &o) != 0) {
        sodium_memzero(out, n + 1);
        free(out);
        return NULL;
    }
    out[o] = '\0';
    *out_len = o;
    return out;
}

int form_media_type_is(const char *content_type, const char *want)
{
    if (content_type == NULL)
        return 0;
    const char *p = content_type;
    while (*p == ' ' || *p == '\t')
        p++;
    size_t n = strcspn(p, ";");
    while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
        n--;
    return n == strlen(want) && strncasecmp(p, want, n) == 0;
}
