/* web_http.h - what the web server hands the admin panel for one request, and what the panel answers: plain
 * structs so the panel's modules need not know libmicrohttpd. */
#ifndef SAMPLE_HOST_WEB_HTTP_H
#define SAMPLE_HOST_WEB_HTTP_H

#include <stddef.h>

#include "web_html.h"

#define WEB_SESSION_COOKIE "panel_session"
#define WEB_LOGIN_COOKIE "panel_login"
#define WEB_DEVICE_COOKIE "panel_device"
#define WEB_MAX_COOKIES 4

typedef struct web_request {
    const char *method;         /* "GET", "POST", ... */
    const char *path;           /* without the query string */
    const char *client_addr;    /* e.g. "127.0.0.1" */
    const char *session_cookie; /* value of the panel_session cookie, or NULL */
    const char *login_cookie;   /* value of the panel_login cookie, or NULL */
    const char *device_cookie;  /* value of the panel_device cookie (sent to /login only), or NULL */
    const char *content_type;   /* nullable */
    const char *host_header;    /* the Host header (checked against [host] allowed_hosts), nullable */
    const char *body;           /* the request body (POST), NUL-terminated; "" when none */
    size_t body_len;
    const char *chart;          /* GET ?chart=TABLE: a time-series table's chart view (web_chart.h); NULL: none */
    const char *group;          /* GET &group=VALUE: that chart for one group; NULL: every group */
} web_request_t;

typedef struct web_response {
    int status;
    const char *content_type;   /* static string; NULL means text/html; charset=utf-8 */
    web_buf_t body;
    char location[1024];        /* a redirect target when non-empty */
    char cookies[WEB_MAX_COOKIES][256]; /* Set-Cookie values */
    size_t n_cookies;
    long retry_after;           /* > 0: a Retry-After header */
    const char *allow;          /* static string: an Allow header (with 405), or NULL */
} web_response_t;

#endif /* SAMPLE_HOST_WEB_HTTP_H */
