/* host_audit.c - the host audit log DATA_DIR/host-audit.log (0600): one line per event, appended with a single
 * write(2) on an O_APPEND descriptor (so lines of several processes never interleave) and fsync'd; fields
 * separated by tabs and flattened to one line: when, user, origin, action, target, outcome, detail. Reading
 * gives the newest entries first. Also records every refusal for lack of permission (ph_audit_denied). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

#define AUDIT_FILE "host-audit.log"
#define AUDIT_LINE_MAX 2048
#define AUDIT_READ_MAX (16u * 1024u * 1024u) /* the newest 16 MiB are read */
#define AUDIT_FIELDS 7

/* Appends `text` to line[*used..] with tabs, newlines and other control characters turned into spaces. */
static void append_flat(char *line, size_t cap, size_t *used, const char *text, size_t max)
{
    size_t n = 0;
    for (const char *p = text ? text : ""; *p && *used + 1 < cap && n < max; p++, n++) {
        unsigned char c = (unsigned char)*p;
        line[(*used)++] = (c < 0x20 || c == 0x7f) ? ' ' : (char)c;
    }
    line[*used] = '\0';
}

static void format_origin(const panel_caller_t *caller, char *out, size_t out_len)
{
    if (!caller)
        ph_errf(out, out_len, "host");
    else if (caller->origin == PANEL_ORIGIN_CLI)
        ph_errf(out, out_len, "cli uid=%lld", (long long)caller->os_uid);
    else if (caller->origin == PANEL_ORIGIN_WEB)
        ph_errf(out, out_len, "web %s", caller->client_addr ? caller->client_addr : "unknown");
    else
        ph_errf(out, out_len, "origin %d", (int)caller->origin);
}

int32_t panelhost_audit_append(panelhost_t *host, const panel_caller_t *caller, const char *action,
                               const char *target, const char *outcome, const char *detail, char *err,
                               size_t err_len)
{
    if (!host || !action || !outcome) {
        ph_errf(err, err_len, "panelhost_audit_append: host, action and outcome must be given");
        return PANEL_E_INVALID;
    }
    char when[32];
    time_t now = (time_t)panelhost_now(host);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    char origin[128];
    format_origin(caller, origin, sizeof origin);
    const char *fields[AUDIT_FIELDS] = {when, caller && caller->user ? caller->user : "host", origin, action,
                                        target ? target : "", outcome, detail ? detail : ""};
    char line[AUDIT_LINE_MAX];
    size_t used = 0;
    line[0] = '\0';
    for (int i = 0; i < AUDIT_FIELDS; i++) {
        if (i > 0 && used + 1 < sizeof line) {
            line[used++] = '\t';
            line[used] = '\0';
        }
        append_flat(line, sizeof line - 1, &used, fields[i], i == AUDIT_FIELDS - 1 ? 1024 : 256);
    }
    line[used++] = '\n';

    char *path = ph_path_resolve(host->data_dir, AUDIT_FILE);
    if (!path) {
        ph_errf(err, err_len, "out of memory");
        return PANEL_E_NOMEM;
    }
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    int32_t rc = PANEL_OK;
    if (fd < 0) {
        ph_errf(err, err_len, "cannot open the host audit log %s: %s", path, strerror(errno));
        rc = PANEL_E_STORE;
    } else {
        ssize_t n = write(fd, line, used);
        if (n != (ssize_t)used || fsync(fd) != 0) {
            ph_errf(err, err_len, "cannot write the host audit log %s: %s", path,
                    n < 0 ? strerror(errno) : "short write");
            rc = PANEL_E_STORE;
        }
        close(fd);
    }
    free(path);
    return rc;
}

void ph_audit_denied(panelhost_t *host, const panel_caller_t *caller, const char *action, const char *target,
                     const char *detail)
{
    char err[PH_MSG_MAX] = "";
    if (panelhost_audit_append(host, caller, action, target, "denied", detail, err, sizeof err) != PANEL_OK)
        ph_logf(host, PANEL_LOG_ERROR, NULL, "%s", err);
}

/* Splits one line (NUL-terminated, no newline) into fields in place and reports it. */
static int32_t report_line(char *line, panelhost_audit_fn fn, void *ctx)
{
    const char *f[AUDIT_FIELDS] = {"", "", "", "", "", "", ""};
    int n = 0;
    char *p = line;
    while (n < AUDIT_FIELDS) {
        f[n++] = p;
        char *tab = strchr(p, '\t');
        if (!tab)
            break;
        *tab = '\0';
        p = tab + 1;
    }
    if (n < 6)
        return PANEL_OK; /* not one of our lines (e.g. a torn write after a crash): skipped */
    panelhost_audit_entry_t entry = {f[0], f[1], f[2], f[3], f[4], f[5], f[6]};
    return fn(ctx, &entry);
}

int32_t panelhost_audit_read(panelhost_t *host, const panel_caller_t *caller, uint32_t limit,
                             panelhost_audit_fn fn, void *ctx, char *err, size_t err_len)
{
    if (!host || !fn) {
        ph_errf(err, err_len, "panelhost_audit_read: host and fn must be given");
        return PANEL_E_INVALID;
    }
    if (caller && !panelhost_role_allows(host, caller->role, PANELHOST_PERMISSION_EXTENSIONS)) {
        ph_errf(err, err_len, "user '%s' (role '%s') may not read the host audit log: the role lacks the "
                              "permission " PANELHOST_PERMISSION_EXTENSIONS,
                caller->user, caller->role);
        ph_audit_denied(host, caller, "audit.read", "host-audit", "needs permission " PANELHOST_PERMISSION_EXTENSIONS);
        return PANEL_E_DENIED;
    }
    char *path = ph_path_resolve(host->data_dir, AUDIT_FILE);
    if (!path) {
        ph_errf(err, err_len, "out of memory");
        return PANEL_E_NOMEM;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        int missing = errno == ENOENT;
        if (!missing)
            ph_errf(err, err_len, "cannot read the host audit log %s: %s", path, strerror(errno));
        free(path);
        return missing ? PANEL_OK : PANEL_E_STORE;
    }
    struct stat st;
    char *buf = NULL;
    size_t len = 0;
    int32_t rc = PANEL_OK;
    if (fstat(fd, &st) != 0) {
        rc = PANEL_E_STORE;
    } else {
        off_t start = st.st_size > (off_t)AUDIT_READ_MAX ? st.st_size - (off_t)AUDIT_READ_MAX : 0;
        size_t want = (size_t)(st.st_size - start);
        buf = malloc(want + 1);
        if (!buf) {
            rc = PANEL_E_NOMEM;
        } else {
            while (len < want) {
                ssize_t n = pread(fd, buf + len, want - len, start + (off_t)len);
                if (n < 0 && errno == EINTR)
                    continue;
                if (n <= 0)
                    break;
                len += (size_t)n;
            }
            buf[len] = '\0';
        }
    }
    if (rc != PANEL_OK)
        ph_errf(err, err_len, "cannot read the host audit log %s: %s", path,
                rc == PANEL_E_NOMEM ? "out of memory" : strerror(errno));
    close(fd);
    free(path);
    uint32_t reported = 0;
    /* Walk the lines from the end: each '\n' ends a line. */
    size_t end = len;
    while (rc == PANEL_OK && end > 0 && (limit == 0 || reported < limit)) {
        if (buf[end - 1] == '\n')
            end--;
        size_t begin = end;
        while (begin > 0 && buf[begin - 1] != '\n')
            begin--;
        if (end > begin) {
            buf[end] = '\0';
            rc = report_line(buf + begin, fn, ctx);
            reported++;
        }
        end = begin;
    }
    if (rc > 0)
        rc = PANEL_OK;
    free(buf);
    return rc;
}
