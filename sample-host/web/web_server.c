/* web_server.c - the libmicrohttpd server of the sample host (see web_server.h): request bodies (413 from
 * Content-Length before any is read), dispatch to the router (/healthz, /api/), the static files and the admin
 * panel (behind the Host check), HEAD as GET and OPTIONS with Allow, the framing and X-Forwarded-For refusals
 * (400/501 + Connection: close) and request deadlines, response headers, the access log and the signal-driven
 * graceful shutdown. Where it listens: web_listen.c; the client address: web_client_addr.c. */
#include "web_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <microhttpd.h>
#include <sodium.h>

#include "admin_auth.h"
#include "admin_auth_session.h"
#include "router.h"
#include "web_admin.h"
#include "web_assets.h"
#include "web_client_addr.h"
#include "web_config.h"
#include "web_deadline.h"
#include "web_extensions.h"
#include "web_flash.h"
#include "web_framing.h"
#include "web_http.h"
#include "web_listen.h"
#include "web_request_headers.h"

#define BODY_MAX (64 * 1024)
#define SHUTDOWN_GRACE_SECONDS 10

#define CONTENT_SECURITY_POLICY                                                                              \
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; "       \
    "frame-ancestors 'none'; base-uri 'none'"

typedef struct server {
    panelhost_t *host;
    web_config_t config;         /* [host] public_url, allowed_hosts, header_timeout, body_min_rate */
    web_deadline_t *deadline;    /* whole-request deadlines (web_deadline.c) */
    web_admin_t admin;
    web_extensions_t extensions; /* registry lock and reloads of extension changes (web_extensions.c) */
    router_t router;             /* the API routes (router.c) */
    pthread_mutex_t lock;
    pthread_cond_t idle;
    unsigned in_flight;
} server_t;

/* One request, from its first callback to its completion. */
typedef struct request_state {
    char *body;
    size_t body_len;
    size_t body_cap;
    int body_too_large;
    int status;
    char client_addr[INET6_ADDRSTRLEN];
    char method[16];            /* as logged */
    char path[256];             /* as logged: see loggable_path */
    struct timespec started;
} request_state_t;

/* ----- access log ---------------------------------------------------------------------------------------- */

/* The path as logged: printable ASCII only, and any segment long enough to be a credential replaced. */
static void loggable_path(const char *path, char *out, size_t out_len)
{
    size_t o = 0;
    const char *p = path != NULL ? path : "";
    while (*p != '\0' && o + 12 < out_len) {
        if (*p == '/') {
            out[o++] = *p++;
            continue;
        }
        size_t seg = strcspn(p, "/");
        if (seg >= 24) {
            o += (size_t)snprintf(out + o, out_len - o, "[redacted]");
            p += seg;
            continue;
        }
        for (size_t i = 0; i < seg && o + 2 < out_len; i++) {
            unsigned char c = (unsigned char)p[i];
            out[o++] = c > 0x20 && c < 0x7F ? (char)c : '?';
        }
        p += seg;
    }
    out[o] = '\0';
}

static void log_access(const request_state_t *st)
{
    char when[32];
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    struct tm tm;
    gmtime_r(&now.tv_sec, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    struct timespec end;
    clock_gettime(CLOCK_MONOTONIC, &end);
    long ms = (long)((end.tv_sec - st->started.tv_sec) * 1000 + (end.tv_nsec - st->started.tv_nsec) / 1000000);
    fprintf(stderr, "access: %s %s %s %s %d %ldms\n", when, st->client_addr, st->method, st->path, st->status,
            ms);
    fflush(stderr);
}

/* ----- responses ----------------------------------------------------------------------------------------- */

/* Frees a response body after wiping it (it may hold a one-time secret). */
static void free_wiped(void *cls)
{
    char *text = cls;
    if (text != NULL) {
        sodium_memzero(text, strlen(text));
        free(text);
    }
}

static void add_common_headers(struct MHD_Response *r)
{
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "Content-Security-Policy", CONTENT_SECURITY_POLICY);
}

/* Queues text (taking ownership of the malloc'd body) with the given status and type. */
static enum MHD_Result queue_text(struct MHD_Connection *conn, request_state_t *st, int status, char *body,
                                  size_t len, const char *content_type, const char *cache_control,
                                  const web_response_t *extra)
{
    struct MHD_Response *r = MHD_create_response_from_buffer_with_free_callback(len, body, free_wiped);
    if (r == NULL) {
        free_wiped(body);
        return MHD_NO;
    }
    add_common_headers(r);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, cache_control);
    if (extra != NULL) {
        if (extra->location[0] != '\0')
            MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, extra->location);
        for (size_t i = 0; i < extra->n_cookies; i++)
            MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, extra->cookies[i]);
        if (extra->retry_after > 0) {
            char seconds[32];
            snprintf(seconds, sizeof seconds, "%ld", extra->retry_after);
            MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, seconds);
        }
        if (extra->allow != NULL)
            MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, extra->allow);
    }
    st->status = status;
    enum MHD_Result ok = MHD_queue_response(conn, (unsigned)status, r);
    MHD_destroy_response(r);
    return ok;
}

/* An answer queued before any body byte is read, after which the connection is closed (the request's framing
 * cannot be trusted, or its body is not wanted), so nothing more is read from it: Connection: close. */
static enum MHD_Result queue_and_close(struct MHD_Connection *conn, request_state_t *st, int status,
                                       const char *content_type, const char *message)
{
    char *body = strdup(message);
    struct MHD_Response *r =
        body != NULL ? MHD_create_response_from_buffer_with_free_callback(strlen(body), body, free_wiped) : NULL;
    if (r == NULL) {
        free(body);
        return MHD_NO;
    }
    add_common_headers(r);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
    st->status = status;
    enum MHD_Result ok = MHD_queue_response(conn, (unsigned)status, r);
    MHD_destroy_response(r);
    return ok;
}

static enum MHD_Result queue_refusal_and_close(struct MHD_Connection *conn, request_state_t *st,
                                               const char *message)
{
    return queue_and_close(conn, st, 400, "text/plain; charset=utf-8", message);
}

/* The answer to OPTIONS: 204 with the methods the path answers. */
static enum MHD_Result queue_options(struct MHD_Connection *conn, request_state_t *st, const char *allow)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    if (r == NULL)
        return MHD_NO;
    add_common_headers(r);
    MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    st->status = 204;
    enum MHD_Result ok = MHD_queue_response(conn, 204, r);
    MHD_destroy_response(r);
    return ok;
}

static enum MHD_Result queue_plain(struct MHD_Connection *conn, request_state_t *st, int status,
                                   const char *message)
{
    char *body = strdup(message);
    if (body == NULL)
        return MHD_NO;
    return queue_text(conn, st, status, body, strlen(body), "text/plain; charset=utf-8", "no-store", NULL);
}

/* ----- request bodies ------------------------------------------------------------------------------------ */

#define TOO_LARGE_TEXT "The request body is too large: this panel reads at most 65536 bytes.\n"

/* The API and /healthz, answered by the router; everything else is the panel's. */
static int is_api(const char *url)
{
    return strcmp(url, "/healthz") == 0 || strncmp(url, "/api/", 5) == 0;
}

/* The request's Content-Length (libmicrohttpd has checked that it is a number), saturated; 0 when it has none
 * (no body, or a chunked one, which is bounded while it is read). */
static uint64_t declared_length(struct MHD_Connection *conn)
{
    const char *text = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (text == NULL)
        return 0;
    errno = 0;
    unsigned long long n = strtoull(text, NULL, 10);
    return errno == ERANGE ? UINT64_MAX : (uint64_t)n;
}

/* A body declared larger than the route reads is refused from its Content-Length, before any of it is read
 * (a slow sender of a huge body holds nothing): the API's 413 body_too_large beyond ROUTER_BODY_MAX, the
 * panel's beyond BODY_MAX. MHD_YES when nothing was queued and *queued is 0. */
static enum MHD_Result refuse_declared_body(struct MHD_Connection *conn, request_state_t *st, const char *url,
                                            int *queued)
{
    uint64_t declared = declared_length(conn);
    int api = is_api(url);
    *queued = 0;
    if (declared <= (api ? ROUTER_BODY_MAX : BODY_MAX))
        return MHD_YES;
    *queued = 1;
    if (!api)
        return queue_and_close(conn, st, 413, "text/plain; charset=utf-8", TOO_LARGE_TEXT);
    char json[200];
    snprintf(json, sizeof json,
             "{\"error\":\"body_too_large\",\"message\":\"the request body is larger than %d bytes; send less "
             "(e.g. at most 1000 ids per ack)\"}",
             ROUTER_BODY_MAX);
    return queue_and_close(conn, st, 413, "application/json", json);
}

/* ----- dispatch ------------------------------------------------------------------------------------------ */

/* The Allow value of an API route that answers `method` (the router's 405 names it): HEAD and OPTIONS too. */
static const char *api_allow(const char *method)
{
    if (strcmp(method, "GET") == 0)
        return "GET, HEAD, OPTIONS";
    if (strcmp(method, "POST") == 0)
        return "POST, OPTIONS";
    return method;
}

/* An API request. HEAD is routed as GET (the answer is the GET's, sent without its body, RFC 9110 9.3.2);
 * OPTIONS asks the router which method the path answers (its 405, before any authentication) and answers 204
 * with Allow, or the router's 404 for no such route. */
static enum MHD_Result answer_api(server_t *srv, struct MHD_Connection *conn, request_state_t *st,
                                  const char *method, const char *url)
{
    int options = strcmp(method, "OPTIONS") == 0;
    panelhost_header_t headers[WEB_REQUEST_HEADERS_MAX];
    size_t n_headers = web_request_headers(conn, headers, WEB_REQUEST_HEADERS_MAX);
    router_request_t rq = {strcmp(method, "HEAD") == 0 ? "GET" : method,
                           url,
                           headers,
                           n_headers,
                           st->client_addr,
                           st->body,
                           st->body_len};
    router_response_t rs;
    memset(&rs, 0, sizeof rs);
    router_handle(&srv->router, &rq, &rs);
    if (options && rs.status == 405 && rs.allow != NULL) {
        const char *allow = api_allow(rs.allow);
        router_response_free(&rs);
        return queue_options(conn, st, allow);
    }
    char *body = rs.body;
    rs.body = NULL;
    if (body == NULL)
        return queue_plain(conn, st, 500, "out of memory\n");
    struct MHD_Response *r = MHD_create_response_from_buffer_with_free_callback(strlen(body), body, free_wiped);
    if (r == NULL) {
        free_wiped(body);
        router_response_free(&rs);
        return MHD_NO;
    }
    add_common_headers(r);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (rs.allow != NULL)
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, api_allow(rs.allow));
    if (rs.authenticate != NULL)
        MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, rs.authenticate);
    if (rs.retry_after > 0) {
        char seconds[32];
        snprintf(seconds, sizeof seconds, "%ld", rs.retry_after);
        MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, seconds);
    }
    if (rs.deprecation[0]) /* a credential going away (RFC 9745, RFC 8594) */
        MHD_add_response_header(r, "Deprecation", rs.deprecation);
    if (rs.sunset[0])
        MHD_add_response_header(r, "Sunset", rs.sunset);
    st->status = rs.status;
    enum MHD_Result ok = MHD_queue_response(conn, (unsigned)rs.status, r);
    MHD_destroy_response(r);
    router_response_free(&rs);
    return ok;
}

static enum MHD_Result answer_admin(server_t *srv, struct MHD_Connection *conn, request_state_t *st,
                                    const char *method, const char *url)
{
    web_request_t req = {
        .method = method,
        .path = url,
        .client_addr = st->client_addr,
        .session_cookie = MHD_lookup_connection_value(conn, MHD_COOKIE_KIND, WEB_SESSION_COOKIE),
        .login_cookie = MHD_lookup_connection_value(conn, MHD_COOKIE_KIND, WEB_LOGIN_COOKIE),
        .device_cookie = MHD_lookup_connection_value(conn, MHD_COOKIE_KIND, WEB_DEVICE_COOKIE),
        .content_type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE),
        .host_header = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST),
        .body = st->body != NULL ? st->body : "",
        .body_len = st->body_len,
        .chart = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "chart"),
        .group = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "group"),
    };
    web_response_t res;
    memset(&res, 0, sizeof res);
    web_buf_init(&res.body);
    web_extensions_enter(&srv->extensions, method, url);
    web_admin_handle(&srv->admin, &req, &res);
    web_extensions_leave(&srv->extensions);
    size_t len = 0;
    char *body = web_buf_take(&res.body, &len);
    if (body == NULL)
        return queue_plain(conn, st, 500, "out of memory\n");
    return queue_text(conn, st, res.status, body, len,
                      res.content_type != NULL ? res.content_type : "text/html; charset=utf-8", "no-store",
                      &res);
}

static enum MHD_Result dispatch(server_t *srv, struct MHD_Connection *conn, request_state_t *st,
                                const char *method, const char *url)
{
    web_deadline_answering(conn);
    if (st->body_too_large)
        return queue_plain(conn, st, 413, TOO_LARGE_TEXT);
    web_extensions_tick(&srv->extensions); /* applies another process's extension changes (<= 1 s old) */
    int options = strcmp(method, "OPTIONS") == 0;
    int get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    if (options && strcmp(url, "*") == 0) /* OPTIONS * : the server as a whole */
        return queue_options(conn, st, "GET, HEAD, POST, OPTIONS");
    if (is_api(url))
        return answer_api(srv, conn, st, method, url);
    if (web_admin_owns(url)) {
        /* DNS rebinding: a page of another site whose name now resolves to us must not reach the panel. */
        const char *host_header = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
        if (!web_config_host_allowed(&srv->config, host_header)) {
            char message[1400];
            snprintf(message, sizeof message,
                     "This admin panel answers only to the host names of [host] allowed_hosts in panel.ini (now: "
                     "%s); this request named another host. Open the panel through one of them, or add the name "
                     "to [host] allowed_hosts (or set [host] public_url).\n",
                     srv->config.allowed_text);
            return queue_plain(conn, st, 421, message);
        }
        if (options)
            return queue_options(conn, st, web_admin_allow(url));
        return answer_admin(srv, conn, st, method, url);
    }
    const web_asset_t *asset = web_asset_find(url);
    if (asset != NULL || strcmp(url, "/") == 0) {
        if (options)
            return queue_options(conn, st, "GET, HEAD, OPTIONS");
        if (!get) {
            web_response_t res;
            memset(&res, 0, sizeof res);
            res.allow = "GET, HEAD, OPTIONS";
            char *body = strdup("Method not allowed: this path answers GET and HEAD.\n");
            if (body == NULL)
                return MHD_NO;
            return queue_text(conn, st, 405, body, strlen(body), "text/plain; charset=utf-8", "no-store", &res);
        }
    }
    if (asset != NULL) {
        char *body = strdup(asset->body);
        if (body == NULL)
            return MHD_NO;
        return queue_text(conn, st, 200, body, strlen(body), asset->content_type, "no-cache", NULL);
    }
    if (strcmp(url, "/") == 0) {
        web_response_t res;
        memset(&res, 0, sizeof res);
        snprintf(res.location, sizeof res.location, "/admin");
        char *body = strdup("<!doctype html><title>Redirect</title><p><a href=\"/admin\">Admin panel</a></p>\n");
        if (body == NULL)
            return MHD_NO;
        return queue_text(conn, st, 303, body, strlen(body), "text/html; charset=utf-8", "no-store", &res);
    }
    return queue_plain(conn, st, 404, "Not found.\n");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    server_t *srv = cls;
    (void)version;
    request_state_t *st = *con_cls;
    if (st == NULL) {
        st = calloc(1, sizeof *st);
        if (st == NULL)
            return MHD_NO;
        clock_gettime(CLOCK_MONOTONIC, &st->started);
        int forwarded_ok =
            web_client_addr_of(&srv->config.trusted_proxies, conn, st->client_addr, sizeof st->client_addr) == 0;
        loggable_path(method, st->method, sizeof st->method);
        loggable_path(url, st->path, sizeof st->path);
        pthread_mutex_lock(&srv->lock);
        srv->in_flight++;
        pthread_mutex_unlock(&srv->lock);
        *con_cls = st;
        web_deadline_headers_done(conn);
        int framing_status = 400;
        const char *framing = web_framing_problem(conn, &framing_status);
        if (framing != NULL) /* answered before any body byte is read; the connection then closes */
            return queue_and_close(conn, st, framing_status, "text/plain; charset=utf-8", framing);
        if (!forwarded_ok)
            return queue_refusal_and_close(
                conn, st,
                "The request came through a trusted proxy ([host] trusted_proxies) whose X-Forwarded-For does "
                "not name the client's IP address (read from the right, it reaches a hop that is not an IP "
                "address, or has none), so the client cannot be told. The proxy must append the address it "
                "received the request from (nginx: proxy_set_header X-Forwarded-For "
                "$proxy_add_x_forwarded_for).\n");
        int queued = 0;
        enum MHD_Result refused = refuse_declared_body(conn, st, url, &queued);
        if (queued) {
            web_deadline_answering(conn);
            return refused;
        }
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        web_deadline_body(conn, n);
        if (st->body_too_large || st->body_len + n > BODY_MAX) {
            st->body_too_large = 1;
            return MHD_YES;
        }
        if (st->body_len + n + 1 > st->body_cap) {
            size_t cap = st->body_len + n + 1 > 4096 ? BODY_MAX + 1 : 4096;
            char *grown = malloc(cap);
            if (grown == NULL)
                return MHD_NO;
            if (st->body != NULL) {
                memcpy(grown, st->body, st->body_len);
                sodium_memzero(st->body, st->body_cap);
                free(st->body);
            }
            st->body = grown;
            st->body_cap = cap;
        }
        memcpy(st->body + st->body_len, upload_data, n);
        st->body_len += n;
        st->body[st->body_len] = '\0';
        return MHD_YES;
    }
    return dispatch(srv, conn, st, method, url);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    server_t *srv = cls;
    request_state_t *st = *con_cls;
    web_deadline_request_done(conn);
    if (st == NULL)
        return;
    *con_cls = NULL;
    if (st->status == 0)
        st->status = toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? 200 : 499;
    log_access(st);
    if (st->body != NULL) {
        sodium_memzero(st->body, st->body_cap);
        free(st->body);
    }
    free(st);
    pthread_mutex_lock(&srv->lock);
    srv->in_flight--;
    if (srv->in_flight == 0)
        pthread_cond_broadcast(&srv->idle);
    pthread_mutex_unlock(&srv->lock);
}

/* ----- start and stop ------------------------------------------------------------------------------------ */

/* Waits until no request is in flight, or the grace period is over. */
static void wait_for_idle(server_t *srv)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += SHUTDOWN_GRACE_SECONDS;
    pthread_mutex_lock(&srv->lock);
    while (srv->in_flight > 0)
        if (pthread_cond_timedwait(&srv->idle, &srv->lock, &deadline) == ETIMEDOUT)
            break;
    pthread_mutex_unlock(&srv->lock);
}

int web_serve(panelhost_t *host, const char *listen, const char *config_path, char *err, size_t err_len)
{
    if (listen == NULL)
        listen = panelhost_config_get(host, "host", "listen");
    if (listen == NULL || listen[0] == '\0')
        listen = WEB_DEFAULT_LISTEN;
    struct sockaddr_storage addr;
    socklen_t addr_len = 0;
    memset(&addr, 0, sizeof addr);
    if (web_listen_resolve(listen, &addr, &addr_len, err, err_len) != 0)
        return -1;
    unsigned workers;
    if (web_listen_workers(host, &workers, err, err_len) != 0)
        return -1;
    if (!web_listen_is_loopback(&addr))
        fprintf(stderr, "sample-host: warning: listening on %s, which is not a loopback address: the panel and "
                        "the API are reachable from the network over plain HTTP; put a TLS proxy in front\n",
                listen);

    server_t srv;
    memset(&srv, 0, sizeof srv);
    srv.host = host;
    srv.admin.host = host;
    char listen_host[300];
    web_listen_host_part(listen, listen_host, sizeof listen_host);
    if (web_config_load(host, listen_host, &srv.config, err, err_len) != 0)
        return -1;
    srv.admin.secure_cookies = srv.config.secure_cookies;
    if (admin_auth_open(host, &srv.admin.auth, err, err_len) != 0)
        return -1;
    if (session_store_open(panelhost_data_dir(host), &srv.admin.sessions, err, err_len) != 0) {
        admin_auth_close(srv.admin.auth);
        return -1;
    }
    char first_password[64] = "";
    int created = admin_auth_first_run(srv.admin.auth, first_password, sizeof first_password, err, err_len);
    if (created < 0) {
        session_store_close(srv.admin.sessions);
        admin_auth_close(srv.admin.auth);
        return -1;
    }
    if (web_extensions_init(&srv.extensions, host, err, err_len) != 0) {
        session_store_close(srv.admin.sessions);
        admin_auth_close(srv.admin.auth);
        return -1;
    }
    if (web_deadline_start(&srv.deadline, srv.config.header_timeout, srv.config.body_timeout,
                           srv.config.body_min_rate, err, err_len) != 0) {
        web_extensions_destroy(&srv.extensions);
        session_store_close(srv.admin.sessions);
        admin_auth_close(srv.admin.auth);
        return -1;
    }
    pthread_mutex_init(&srv.lock, NULL);
    pthread_cond_init(&srv.idle, NULL);
    router_init(&srv.router, host, srv.config.leak_reports_per_minute);

    /* Block the stop signals before MHD starts its threads (they inherit the mask); this thread waits for them. */
    sigset_t stop_signals, old_mask;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, &old_mask);
    signal(SIGPIPE, SIG_IGN);

    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    if (addr.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    struct MHD_Daemon *daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, &srv, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_THREAD_POOL_SIZE, workers, MHD_OPTION_CONNECTION_LIMIT, (unsigned)256,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)64, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, &srv, MHD_OPTION_NOTIFY_CONNECTION, web_deadline_notify,
        srv.deadline, MHD_OPTION_END);
    (void)addr_len;
    int rc = 0;
    if (daemon == NULL) {
        snprintf(err, err_len, "cannot listen on %s: %s (is another server using the port? choose another with "
                 "--listen HOST:PORT, or make run LISTEN=HOST:PORT)",
                 listen,
                 errno != 0 ? strerror(errno) : "libmicrohttpd failed to start");
        rc = -1;
    } else {
        const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
        web_listen_print_ready(&addr, info != NULL ? info->port : 0, created == 1 ? first_password : NULL,
                               config_path);
        sodium_memzero(first_password, sizeof first_password);
        int sig = 0;
        while (sigwait(&stop_signals, &sig) != 0) {
        }
        fprintf(stderr, "sample-host: %s received; finishing requests in flight\n",
                sig == SIGINT ? "SIGINT" : "SIGTERM");
        MHD_quiesce_daemon(daemon);
        wait_for_idle(&srv);
        MHD_stop_daemon(daemon);
        fprintf(stderr, "sample-host: stopped\n");
    }
    sodium_memzero(first_password, sizeof first_password);
    web_deadline_stop(srv.deadline); /* after MHD_stop_daemon: no connection is left */
    pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
    session_store_close(srv.admin.sessions);
    web_flash_close();
    admin_auth_close(srv.admin.auth);
    router_destroy(&srv.router); /* after MHD_stop_daemon: no request is running */
    pthread_cond_destroy(&srv.idle);
    pthread_mutex_destroy(&srv.lock);
    web_extensions_destroy(&srv.extensions);
    return rc;
}
