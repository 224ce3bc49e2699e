/* extensions_state.c - the file DATA_DIR/extensions.state that keeps each extension's enabled state across
 * restarts and processes: reading it (refusing a damaged file with its line number), replacing it atomically
 * (temporary file, fsync, rename, fsync of the folder, mode 0600), the lock that serialises writers of
 * several processes (flock on DATA_DIR/extensions.lock), the change counter DATA_DIR/extensions.counter that
 * every writer bumps once its new file is in place (a reader's per-request check is one atomic load of it), and
 * the stat() stamp that also tells a reader of an edit made by hand.
 *
 * Format: "# comment" lines, then one "enabled ID" or "disabled ID" per line. */
#include "extensions_state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define STATE_FILE "extensions.state"
#define LOCK_FILE "extensions.lock"
#define COUNTER_FILE "extensions.counter"
#define COUNTER_BYTES 8
#define LINE_MAX_BYTES 256

char *ph_ext_state_path(const panelhost_t *host)
{
    return ph_path_resolve(host->data_dir, STATE_FILE);
}

/* The identity of what `st` describes (exists = 1). */
static void file_stamp_of(const struct stat *st, ph_file_stamp_t *stamp)
{
    memset(stamp, 0, sizeof *stamp);
    stamp->exists = 1;
    stamp->dev = st->st_dev;
    stamp->ino = st->st_ino;
    stamp->size = st->st_size;
    stamp->mtime = st->st_mtim;
}

void ph_file_stamp_get(const char *path, ph_file_stamp_t *stamp)
{
    struct stat st;
    if (path && stat(path, &st) == 0)
        file_stamp_of(&st, stamp);
    else
        memset(stamp, 0, sizeof *stamp);
}

int ph_file_stamp_equal(const ph_file_stamp_t *a, const ph_file_stamp_t *b)
{
    if (!a->exists || !b->exists)
        return a->exists == b->exists;
    return a->dev == b->dev && a->ino == b->ino && a->size == b->size && a->mtime.tv_sec == b->mtime.tv_sec &&
           a->mtime.tv_nsec == b->mtime.tv_nsec;
}

void ph_ext_state_free(ph_ext_state_t *state)
{
    for (size_t i = 0; i < state->n; i++)
        free(state->ids[i]);
    free(state->ids);
    free(state->enabled);
    memset(state, 0, sizeof *state);
}

int ph_ext_state_lookup(const ph_ext_state_t *state, const char *id)
{
    for (size_t i = 0; i < state->n; i++)
        if (strcmp(state->ids[i], id) == 0)
            return state->enabled[i];
    return -1;
}

int32_t ph_ext_state_set(ph_ext_state_t *state, const char *id, int enabled)
{
    for (size_t i = 0; i < state->n; i++)
        if (strcmp(state->ids[i], id) == 0) {
            state->enabled[i] = enabled ? 1 : 0;
            return PANEL_OK;
        }
    char **ids = realloc(state->ids, (state->n + 1) * sizeof *ids);
    if (!ids)
        return PANEL_E_NOMEM;
    state->ids = ids;
    int *flags = realloc(state->enabled, (state->n + 1) * sizeof *flags);
    if (!flags)
        return PANEL_E_NOMEM;
    state->enabled = flags;
    state->ids[state->n] = ph_strdup(id);
    if (!state->ids[state->n])
        return PANEL_E_NOMEM;
    state->enabled[state->n++] = enabled ? 1 : 0;
    return PANEL_OK;
}

/* Parses one line (without its newline) into the state. Returns PANEL_OK or PANEL_E_INVALID. */
static int32_t parse_line(ph_ext_state_t *state, char *line)
{
    size_t len = strlen(line);
    if (len > 0 && line[len - 1] == '\r')
        line[--len] = '\0';
    if (len == 0 || line[0] == '#')
        return PANEL_OK;
    char *space = strchr(line, ' ');
    if (!space)
        return PANEL_E_INVALID;
    *space = '\0';
    const char *word = line, *id = space + 1;
    int enabled;
    if (strcmp(word, "enabled") == 0)
        enabled = 1;
    else if (strcmp(word, "disabled") == 0)
        enabled = 0;
    else
        return PANEL_E_INVALID;
    if (!ph_id_valid(id, NULL))
        return PANEL_E_INVALID;
    return ph_ext_state_set(state, id, enabled);
}

int32_t ph_ext_state_read(const panelhost_t *host, ph_ext_state_t *state, ph_file_stamp_t *stamp, char *err,
                          size_t err_len)
{
    memset(state, 0, sizeof *state);
    memset(stamp, 0, sizeof *stamp);
    char *path = ph_ext_state_path(host);
    if (!path) {
        ph_errf(err, err_len, "out of memory");
        return PANEL_E_NOMEM;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        int32_t rc = PANEL_OK;
        if (errno != ENOENT) {
            ph_errf(err, err_len, "cannot read the extension states %s: %s", path, strerror(errno));
            rc = PANEL_E_STORE;
        }
        free(path);
        return rc; /* no file: every extension has its default state */
    }
    struct stat st;
    FILE *f = fstat(fd, &st) == 0 ? fdopen(fd, "r") : NULL;
    if (!f) {
        ph_errf(err, err_len, "cannot read the extension states %s: %s", path, strerror(errno));
        close(fd);
        free(path);
        return PANEL_E_STORE;
    }
    file_stamp_of(&st, stamp);
    char line[LINE_MAX_BYTES + 2];
    long lineno = 0;
    int32_t rc = PANEL_OK;
    while (rc == PANEL_OK && fgets(line, sizeof line, f)) {
        lineno++;
        size_t len = strlen(line);
        if (len > 0 && line[len - 1] == '\n')
            line[--len] = '\0';
        else if (!feof(f))
            rc = PANEL_E_INVALID; /* longer than any valid line */
        if (rc == PANEL_OK)
            rc = parse_line(state, line);
        if (rc == PANEL_E_NOMEM)
            ph_errf(err, err_len, "out of memory");
        else if (rc != PANEL_OK)
            ph_errf(err, err_len,
                    "%s:%ld: cannot read this line; each line is \"enabled ID\" or \"disabled ID\" (fix the "
                    "line, or delete the file to return every extension to its default state)",
                    path, lineno);
    }
    if (rc == PANEL_OK && ferror(f)) {
        ph_errf(err, err_len, "cannot read the extension states %s: %s", path, strerror(errno));
        rc = PANEL_E_STORE;
    }
    fclose(f);
    free(path);
    if (rc != PANEL_OK)
        ph_ext_state_free(state);
    return rc;
}

/* Writes all of buf to fd. Returns 0 or -1 (errno set). */
static int write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

ph_ext_counter_t *ph_ext_counter_map(const char *data_dir, char *err, size_t err_len)
{
    char *path = ph_path_resolve(data_dir, COUNTER_FILE);
    if (!path) {
        ph_errf(err, err_len, "out of memory");
        return NULL;
    }
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    struct stat st;
    void *map = MAP_FAILED;
    /* Two processes sizing a new file at once both truncate to 8 bytes: the second changes nothing, a bump
     * made in between survives. A larger file keeps its size; only its first 8 bytes are used. */
    if (fd >= 0 && fstat(fd, &st) == 0) {
        if (!S_ISREG(st.st_mode))
            errno = EINVAL;
        else if (st.st_size >= COUNTER_BYTES || ftruncate(fd, COUNTER_BYTES) == 0)
            map = mmap(NULL, COUNTER_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    }
    int saved = errno;
    if (fd >= 0)
        close(fd); /* the mapping stays */
    if (map == MAP_FAILED) {
        ph_errf(err, err_len, "cannot use the extension change counter %s: %s", path, strerror(saved));
        free(path);
        return NULL;
    }
    free(path);
    return map;
}

void ph_ext_counter_unmap(ph_ext_counter_t *counter)
{
    if (counter)
        munmap((void *)counter, COUNTER_BYTES);
}

int32_t ph_ext_state_write(const panelhost_t *host, const ph_ext_state_t *state, ph_ext_counter_t *counter,
                           char *err, size_t err_len)
{
    char *path = ph_ext_state_path(host);
    char *tmp = path ? malloc(strlen(path) + 16) : NULL;
    if (!tmp) {
        free(path);
        ph_errf(err, err_len, "out of memory");
        return PANEL_E_NOMEM;
    }
    sprintf(tmp, "%s.tmp.XXXXXX", path);
    int fd = mkostemp(tmp, O_CLOEXEC); /* mode 0600 */
    if (fd < 0) {
        ph_errf(err, err_len, "cannot write the extension states next to %s: %s", path, strerror(errno));
        free(tmp);
        free(path);
        return PANEL_E_STORE;
    }
    static const char header[] =
        "# extension states, written by libpanelhost: \"enabled ID\" or \"disabled ID\"\n";
    int ok = fchmod(fd, 0600) == 0 && write_all(fd, header, sizeof header - 1) == 0;
    for (size_t i = 0; ok && i < state->n; i++) {
        char line[PANEL_ID_MAX + 16];
        int n = snprintf(line, sizeof line, "%s %s\n", state->enabled[i] ? "enabled" : "disabled", state->ids[i]);
        ok = n > 0 && (size_t)n < sizeof line && write_all(fd, line, (size_t)n) == 0;
    }
    ok = ok && fsync(fd) == 0;
    int saved = errno;
    if (close(fd) != 0 && ok) {
        ok = 0;
        saved = errno;
    }
    if (ok && rename(tmp, path) != 0) {
        ok = 0;
        saved = errno;
    }
    if (!ok) {
        unlink(tmp);
        ph_errf(err, err_len, "cannot write the extension states %s: %s", path, strerror(saved));
        free(tmp);
        free(path);
        return PANEL_E_STORE;
    }
    int dir = open(host->data_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
        fsync(dir); /* makes the rename durable */
        close(dir);
    }
    /* after the rename: a reader that sees the new count reads the new file (it loads the count before it
     * reads the file, so a write racing its read shows as one more change to apply, never as none) */
    atomic_fetch_add_explicit(counter, 1, memory_order_release);
    free(tmp);
    free(path);
    return PANEL_OK;
}

int ph_ext_state_lock(const panelhost_t *host, char *err, size_t err_len)
{
    char *path = ph_path_resolve(host->data_dir, LOCK_FILE);
    if (!path) {
        ph_errf(err, err_len, "out of memory");
        return -1;
    }
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        ph_errf(err, err_len, "cannot open the lock %s: %s", path, strerror(errno));
        free(path);
        return -1;
    }
    while (flock(fd, LOCK_EX) != 0) {
        if (errno != EINTR) {
            ph_errf(err, err_len, "cannot lock %s: %s", path, strerror(errno));
            close(fd);
            free(path);
            return -1;
        }
    }
    free(path);
    return fd;
}

void ph_ext_state_unlock(int fd)
{
    if (fd >= 0)
        close(fd); /* releases the flock */
}
