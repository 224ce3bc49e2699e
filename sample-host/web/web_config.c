/* web_config.c - the [host] settings public_url, allowed_hosts, header_timeout, body_timeout, body_min_rate and
 * leak_reports_per_minute (see web_config.h): parsing, validation with messages naming the setting, and matching
 * a Host header. */
#include "web_config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "router.h"

/* The host name of a Host header or URL authority, lower case, without port, brackets or a trailing dot,
 * into out; 0, or -1 when it is empty, too long or holds a character no host name has. */
static int host_part(const char *text, size_t len, char *out, size_t out_len)
{
    const char *end = text + len;
    const char *h = text, *h_end;
    if (len > 0 && text[0] == '[') {
        h = text + 1;
        h_end = memchr(h, ']', len - 1);
        if (h_end == NULL)
            return -1;
    } else {
        h_end = memchr(text, ':', len);
        if (h_end == NULL)
            h_end = end;
    }
    size_t n = (size_t)(h_end - h);
    if (n > 0 && h[n - 1] == '.')
        n--;
    if (n == 0 || n >= out_len)
        return -1;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)h[i];
        if (!(isalnum(c) || c == '-' || c == '.' || c == ':' || c == '_'))
            return -1;
        out[i] = (char)tolower(c);
    }
    out[n] = '\0';
    return 0;
}

static void add_allowed(web_config_t *c, const char *name)
{
    for (size_t i = 0; i < c->n_allowed; i++)
        if (strcmp(c->allowed[i], name) == 0)
            return;
    if (c->n_allowed < WEB_ALLOWED_HOSTS_MAX) {
        snprintf(c->allowed[c->n_allowed++], sizeof c->allowed[0], "%s", name);
        size_t used = strlen(c->allowed_text);
        snprintf(c->allowed_text + used, sizeof c->allowed_text - used, "%s%s", used ? ", " : "", name);
    }
}

/* A whole number in [min, max] from [host] `key`, or `fallback` when unset. */
static int read_number(panelhost_t *host, const char *key, unsigned min, unsigned max, unsigned fallback,
                       const char *what, unsigned *out, char *err, size_t err_len)
{
    const char *text = panelhost_config_get(host, "host", key);
    *out = fallback;
    if (text == NULL || text[0] == '\0')
        return 0;
    char *end = NULL;
    errno = 0;
    unsigned long long n = strtoull(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || text[0] == '-' || n < min || n > max) {
        snprintf(err, err_len, "[host] %s = '%.64s' is not valid: give %s, a whole number from %u to %u (default %u), "
                 "or remove the line", key, text, what, min, max, fallback);
        return -1;
    }
    *out = (unsigned)n;
    return 0;
}

int web_config_load(panelhost_t *host, const char *listen_host, web_config_t *out, char *err, size_t err_len)
{
    memset(out, 0, sizeof *out);
    const char *url = panelhost_config_get(host, "host", "public_url");
    char public_host[WEB_HOST_NAME_MAX + 1] = "";
    if (url != NULL && url[0] != '\0') {
        const char *rest = NULL;
        if (strncasecmp(url, "https://", 8) == 0) {
            rest = url + 8;
            out->secure_cookies = 1;
        } else if (strncasecmp(url, "http://", 7) == 0) {
            rest = url + 7;
        }
        size_t authority = rest != NULL ? strcspn(rest, "/?#") : 0;
        if (rest == NULL || host_part(rest, authority, public_host, sizeof public_host) != 0 ||
            strpbrk(url, " \t") != NULL) {
            snprintf(err, err_len, "[host] public_url = '%.128s' is not valid: give the address owners open the "
                     "panel at, e.g. https://panel.example.com (https makes every cookie Secure), or remove the line",
                     url);
            return -1;
        }
    }
    const char *list = panelhost_config_get(host, "host", "allowed_hosts");
    if (list != NULL && list[0] != '\0') {
        for (const char *p = list; *p != '\0';) {
            p += strspn(p, " ,\t");
            size_t n = strcspn(p, " ,\t");
            if (n == 0)
                break;
            char name[WEB_HOST_NAME_MAX + 1];
            if (n == 1 && p[0] == '*') {
                out->allow_any_host = 1;
                add_allowed(out, "*");
            } else if (host_part(p, n, name, sizeof name) == 0 && out->n_allowed < WEB_ALLOWED_HOSTS_MAX) {
                add_allowed(out, name);
            } else {
                snprintf(err, err_len, "[host] allowed_hosts has '%.*s', which is not a host name (or more than %d "
                         "names): list the names the panel is opened by, separated by spaces, e.g. "
                         "allowed_hosts = panel.example.com localhost; * allows any",
                         (int)(n > 64 ? 64 : n), p, WEB_ALLOWED_HOSTS_MAX);
                return -1;
            }
            p += n;
        }
    } else {
        char name[WEB_HOST_NAME_MAX + 1];
        if (listen_host != NULL && host_part(listen_host, strlen(listen_host), name, sizeof name) == 0)
            add_allowed(out, name);
        add_allowed(out, "localhost");
        add_allowed(out, "127.0.0.1");
        if (public_host[0] != '\0')
            add_allowed(out, public_host);
    }
    if (read_number(host, "header_timeout", 1, 3600, WEB_HEADER_TIMEOUT_DEFAULT,
                    "the seconds a client has to send a request's line and headers", &out->header_timeout, err,
                    err_len) != 0 ||
        read_number(host, "body_timeout", 1, 3600, WEB_BODY_TIMEOUT_DEFAULT,
                    "the seconds a client has to send a whole request body", &out->body_timeout, err,
                    err_len) != 0 ||
        read_number(host, "body_min_rate", 1, 1000000000u, WEB_BODY_MIN_RATE_DEFAULT,
                    "the bytes per second a request body must arrive at", &out->body_min_rate, err, err_len) != 0 ||
        read_number(host, "leak_reports_per_minute", 1, 100000, ROUTER_LEAK_REPORTS_PER_MINUTE,
                    "the leak reports (POST /api/v1/keys/revoke) one client address may send a minute",
                    &out->leak_reports_per_minute, err, err_len) != 0)
        return -1;
    return web_proxies_parse(panelhost_config_get(host, "host", "trusted_proxies"), &out->trusted_proxies, err,
                             err_len);
}

int web_config_host_allowed(const web_config_t *config, const char *host_header)
{
    if (config->allow_any_host)
        return 1;
    char name[WEB_HOST_NAME_MAX + 1];
    if (host_header == NULL || host_part(host_header, strlen(host_header), name, sizeof name) != 0)
        return 0;
    for (size_t i = 0; i < config->n_allowed; i++)
        if (strcmp(config->allowed[i], name) == 0)
            return 1;
    return 0;
}
