/* web_secret.c - the one-time secret box (see web_secret.h). The page's CSP allows only the panel's own script,
 * which un-hides the Copy buttons; without it each value is still a selectable read-only input. */
#include "web_secret.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

/* The API's base URL without a trailing slash: [host] public_url, else http://HOST from the request. */
static void api_base(const panelhost_t *host, const char *host_header, char *out, size_t out_len)
{
    const char *public_url = panelhost_config_get(host, "host", "public_url");
    if (public_url != NULL && public_url[0] != '\0')
        snprintf(out, out_len, "%s", public_url);
    else
        snprintf(out, out_len, "http://%s", host_header != NULL && host_header[0] != '\0' ? host_header : "localhost");
    size_t n = strlen(out);
    while (n > 0 && out[n - 1] == '/')
        out[--n] = '\0';
}

static void copy_row(web_buf_t *b, const char *id, const char *label, const char *value)
{
    web_raw(b, "<div class=\"secret-row\"><input type=\"text\" id=\"");
    web_raw(b, id);
    web_raw(b, "\" readonly autocomplete=\"off\" spellcheck=\"false\" aria-label=\"");
    web_raw(b, label);
    web_raw(b, "\" value=\"");
    web_html_text(b, value);
    web_raw(b, "\"> <button type=\"button\" data-copy-target=\"");
    web_raw(b, id);
    web_raw(b, "\" hidden>Copy</button></div>");
}

void web_render_secret(web_buf_t *b, const panelhost_t *host, const char *source, const char *secret,
                       const char *host_header)
{
    web_raw(b, "<div class=\"secret\" role=\"status\" id=\"one-time-secret-box\"><p><strong>");
    web_html_text(b, source);
    web_raw(b, ": copy this secret now. It will not be shown again.</strong> Store it where your tool "
               "can read it; if it is lost, a new one has to be made.</p>");
    copy_row(b, "one-time-secret", "One-time secret", secret);
    if (panelhost_auth_provider_count(host) > 0) {
        char base[1024], command[1600];
        api_base(host, host_header, base, sizeof base);
        snprintf(command, sizeof command, "curl -H 'X-API-Key: %s' %s/api/v1/whoami", secret, base);
        web_raw(b, "<p class=\"help\" id=\"try-secret-help\">Try it from the user's side: this command asks the "
                   "store's API who the key is. Run it, then reload this page: the key's last use shows the "
                   "request.</p>");
        copy_row(b, "try-secret-command", "Command to try the secret", command);
        sodium_memzero(command, sizeof command);
    }
    web_raw(b, "</div>");
}
