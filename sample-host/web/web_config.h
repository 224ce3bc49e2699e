/* web_config.h - the web server's [host] settings that guard requests: public_url (an https one makes every
 * cookie Secure), allowed_hosts (the Host names admin requests may carry, against DNS rebinding),
 * header_timeout, body_timeout and body_min_rate (the whole-request deadline against trickling clients), trusted_proxies
 * (whose X-Forwarded-For is believed: web_client_addr.h). Read and
 * checked once when `serve` starts; each bad value is refused with a message naming the setting. */
#ifndef SAMPLE_HOST_WEB_CONFIG_H
#define SAMPLE_HOST_WEB_CONFIG_H

#include <stddef.h>

#include "panel/host.h"
#include "web_client_addr.h"

#define WEB_ALLOWED_HOSTS_MAX 32
#define WEB_HOST_NAME_MAX 255
#define WEB_HEADER_TIMEOUT_DEFAULT 10u   /* seconds for the request line and headers */
#define WEB_BODY_TIMEOUT_DEFAULT 30u     /* seconds for a whole request body, from the end of its headers */
#define WEB_BODY_MIN_RATE_DEFAULT 500u   /* bytes per second a body must keep up after the headers */

typedef struct web_config {
    int secure_cookies;                  /* [host] public_url starts with https:// */
    int allow_any_host;                  /* [host] allowed_hosts = * */
    size_t n_allowed;
    char allowed[WEB_ALLOWED_HOSTS_MAX][WEB_HOST_NAME_MAX + 1]; /* lower case, without port */
    char allowed_text[1024];             /* the list, for messages */
    unsigned header_timeout;             /* seconds, 1..3600 */
    unsigned body_timeout;               /* seconds, 1..3600 */
    unsigned body_min_rate;              /* bytes per second, 1..1e9 */
    unsigned leak_reports_per_minute;    /* POST /api/v1/keys/revoke per client address, 1..100000 (checked here
                                          * so a bad value stops serve; handed to router_init) */
    web_proxies_t trusted_proxies;       /* [host] trusted_proxies; none by default */
} web_config_t;

/* Reads the settings; listen_host is the host part of the listen address (one of the default allowed hosts).
 * Returns 0, or -1 with err naming the setting, its value and what is allowed. */
int web_config_load(panelhost_t *host, const char *listen_host, web_config_t *out, char *err, size_t err_len);

/* 1 when the Host header value (nullable; "name", "name:port" or "[v6]:port") names an allowed host, else 0. */
int web_config_host_allowed(const web_config_t *config, const char *host_header);

#endif /* SAMPLE_HOST_WEB_CONFIG_H */
