/* rel_support.c - shared helpers of the reliability test programs (see rel_support.h). */
#include "rel_support.h"

#include <errno.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

_Atomic long rel_repairs_logged;

int rel_write_config(const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fputs("[host]\ndata_dir = data\n[role:owner]\npermissions = *\n[user:admin]\nrole = owner\n", f);
    if (fclose(f) != 0)
        return -1;
    return chmod(path, 0600);
}

static void log_line(void *ctx, int32_t level, const char *plugin_id, const char *msg)
{
    (void)plugin_id;
    if (strstr(msg, "died while changing"))
        atomic_fetch_add(&rel_repairs_logged, 1);
    FILE *f = ctx;
    if (f)
        fprintf(f, "[%d] %s\n", (int)level, msg);
    else if (level <= PANEL_LOG_ERROR)
        fprintf(stderr, "log: %s\n", msg);
}

int32_t rel_open(rel_host_t *h, const char *config, const char *data_dir, const char *plugin, FILE *log, char *err,
                 size_t err_len)
{
    memset(h, 0, sizeof *h);
    panelhost_options_t o = {
        .config_path = config, .data_dir = data_dir, .log = log_line, .log_ctx = log,
        .min_log_level = PANEL_LOG_INFO,
    };
    int32_t rc = panelhost_open(&o, &h->host, err, err_len);
    if (rc != PANEL_OK)
        return rc;
    rc = panelhost_load(h->host, plugin, err, err_len);
    h->caller.struct_size = sizeof h->caller; /* panelhost_caller_init writes no further */
    if (rc == PANEL_OK)
        rc = panelhost_caller_init(h->host, &h->caller, "admin", PANEL_ORIGIN_CLI, (int64_t)getuid(), NULL, 1,
                                   err, err_len);
    if (rc != PANEL_OK) {
        panelhost_close(h->host);
        h->host = NULL;
    }
    return rc;
}

void rel_close(rel_host_t *h)
{
    panelhost_close(h->host);
    h->host = NULL;
}

int rel_auth(rel_host_t *h, const char *key, char *code)
{
    panelhost_header_t header = {"X-API-Key", key};
    panelhost_request_t req = {.method = "GET", .path = "/api/v1/ping", .client_addr = "local",
                               .scope = PANEL_SCOPE_NONE, .headers = &header, .n_headers = key ? 1 : 0};
    panelhost_auth_outcome_t out = {.struct_size = sizeof out};
    panelhost_authenticate(h->host, &req, &out);
    if (code)
        snprintf(code, 32, "%s", out.allowed ? "ok" : out.error_code);
    return out.allowed ? 200 : out.http_status;
}

int32_t rel_action(rel_host_t *h, const char *id, const char *grace, char *secret, char *msg, size_t msg_len)
{
    char sbuf[PANEL_SECRET_MAX] = "";
    panel_result_t result = {
        .struct_size = sizeof result, .message = msg, .message_len = msg_len, .secret = sbuf,
        .secret_len = sizeof sbuf,
    };
    msg[0] = '\0';
    const char *names[] = {"grace"};
    const char *values[] = {grace};
    int32_t rc = panelhost_action_run(h->host, &h->caller, REL_PAGE, id, names, values, grace ? 1 : 0, &result);
    snprintf(secret, REL_KEY_MAX, "%s", sbuf);
    memset(sbuf, 0, sizeof sbuf);
    return rc;
}

void rel_hint(const char *key, char *out, size_t out_len)
{
    size_t n = strlen(key);
    snprintf(out, out_len, "%.4s\xE2\x80\xA6%s", key, n >= 4 ? key + n - 4 : key);
}

int rel_read_line(int fd, char *buf, size_t len)
{
    size_t n = 0;
    for (;;) {
        char c;
        ssize_t r = read(fd, &c, 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        if (c == '\n')
            break;
        if (n + 1 < len)
            buf[n++] = c;
    }
    buf[n] = '\0';
    return 0;
}

int rel_write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, buf, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        buf += w;
        len -= (size_t)w;
    }
    return 0;
}

double rel_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}
