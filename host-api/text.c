/* text.c - small text helpers of libpanelhost: error formatting, logging to the host's sink, string copies,
 * UTF-8, id and record-id checks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void ph_errf(char *err, size_t err_len, const char *fmt, ...)
{
    if (!err || err_len == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
}

/* Replaces control characters so one log call stays one line. */
static void flatten_line(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            *s = ' ';
}

static void vlogf(panelhost_t *host, int32_t level, const char *plugin_id, const char *fmt, va_list ap)
{
    int32_t threshold = host->log ? host->min_log_level : PANEL_LOG_WARN;
    if (level > threshold)
        return;
    char line[PH_MSG_MAX];
    vsnprintf(line, sizeof line, fmt, ap);
    flatten_line(line);
    if (host->log) {
        host->log(host->log_ctx, level, plugin_id, line);
        return;
    }
    static const char *const names[] = {"error", "warning", "info", "debug"};
    const char *name = (level >= 0 && level <= PANEL_LOG_DEBUG) ? names[level] : "log";
    if (plugin_id)
        fprintf(stderr, "panelhost: %s: plugin %s: %s\n", name, plugin_id, line);
    else
        fprintf(stderr, "panelhost: %s: %s\n", name, line);
}

void ph_logf(panelhost_t *host, int32_t level, const char *plugin_id, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlogf(host, level, plugin_id, fmt, ap);
    va_end(ap);
}

char *ph_strdup(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *copy = malloc(n);
    if (copy)
        memcpy(copy, s, n);
    return copy;
}

int ph_utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        unsigned char c = p[i];
        size_t extra;
        uint32_t cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            extra = 1;
            cp = c & 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            extra = 2;
            cp = c & 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            extra = 3;
            cp = c & 0x07;
        } else {
            return 0;
        }
        if (len - i <= extra)
            return 0;
        for (size_t k = 1; k <= extra; k++) {
            if ((p[i + k] & 0xc0) != 0x80)
                return 0;
            cp = (cp << 6) | (p[i + k] & 0x3f);
        }
        /* overlong forms, surrogates, beyond U+10FFFF */
        if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000) ||
            (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
            return 0;
        i += extra + 1;
    }
    return 1;
}

int ph_id_valid(const char *s, const char *extra)
{
    if (!s)
        return 0;
    size_t n = strlen(s);
    if (n == 0 || n > PANEL_ID_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')
            continue;
        if (extra && strchr(extra, c))
            continue;
        return 0;
    }
    return 1;
}

int ph_record_id_valid(const char *s)
{
    if (!s)
        return 0;
    size_t n = strnlen(s, PANEL_RECORD_ID_MAX + 1);
    if (n == 0 || n > PANEL_RECORD_ID_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
              c == '.' || c == ':' || c == '-'))
            return 0;
    }
    return 1;
}
