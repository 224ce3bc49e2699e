/* freshness.c - the shared change counter file and its writer protocol (see freshness.h). */
#include "freshness.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file_check.h"
#include "panel/plugin.h"

int32_t freshness_open(freshness_t *f, const char *data_dir, char *err, size_t err_len)
{
    char path[4096];
    f->writer_fd = f->probe_fd = -1;
    f->counter = NULL;
    if ((size_t)snprintf(path, sizeof path, "%s/%s", data_dir, FRESHNESS_FILE) >= sizeof path) {
        snprintf(err, err_len, "the data directory path is too long");
        return PANEL_E_INVALID;
    }
    memcpy(f->path, path, sizeof f->path);
    f->writer_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (f->writer_fd < 0)
        goto fail;
    f->probe_fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
    if (f->probe_fd < 0)
        goto fail;
    if (apikeys_check_file(f->writer_fd, path, err, err_len) != PANEL_OK) {
        freshness_close(f);
        return PANEL_E_STORE;
    }
    struct stat st;
    if (fstat(f->writer_fd, &st) != 0)
        goto fail;
    if (st.st_size < 8) {
        /* Size it under the lock so two processes starting together agree. */
        while (flock(f->writer_fd, LOCK_EX) != 0 && errno == EINTR) {
        }
        if (fstat(f->writer_fd, &st) == 0 && st.st_size < 8 && ftruncate(f->writer_fd, 8) != 0) {
            int saved = errno;
            flock(f->writer_fd, LOCK_UN);
            errno = saved;
            goto fail;
        }
        flock(f->writer_fd, LOCK_UN);
    }
    void *map = mmap(NULL, 8, PROT_READ | PROT_WRITE, MAP_SHARED, f->writer_fd, 0);
    if (map == MAP_FAILED)
        goto fail;
    f->counter = map;
    return PANEL_OK;
fail:
    snprintf(err, err_len, "cannot use %s: %s; check the data directory's owner, permissions and free space",
             path, strerror(errno));
    freshness_close(f);
    return PANEL_E_STORE;
}

void freshness_close(freshness_t *f)
{
    if (f->counter)
        munmap((void *)f->counter, 8);
    if (f->writer_fd >= 0)
        close(f->writer_fd);
    if (f->probe_fd >= 0)
        close(f->probe_fd);
    f->counter = NULL;
    f->writer_fd = f->probe_fd = -1;
}

int freshness_replaced(const freshness_t *f)
{
    struct stat mapped, named;
    if (f->writer_fd < 0 || fstat(f->writer_fd, &mapped) != 0)
        return 1;
    if (stat(f->path, &named) != 0)
        return 1;
    return mapped.st_dev != named.st_dev || mapped.st_ino != named.st_ino;
}

int32_t freshness_writer_begin(freshness_t *f, char *err, size_t err_len)
{
    while (flock(f->writer_fd, LOCK_EX) != 0) {
        if (errno == EINTR)
            continue;
        snprintf(err, err_len, "cannot lock %s: %s", FRESHNESS_FILE, strerror(errno));
        return PANEL_E_STORE;
    }
    uint64_t c = atomic_load(f->counter);
    if (c & 1u) /* a writer died inside its window: close it first */
        atomic_fetch_add(f->counter, 1);
    atomic_fetch_add(f->counter, 1); /* odd: others stop trusting their snapshots */
    return PANEL_OK;
}

void freshness_writer_end(freshness_t *f)
{
    atomic_fetch_add(f->counter, 1); /* even: the committed state is the new truth */
    flock(f->writer_fd, LOCK_UN);
}

int freshness_probe(freshness_t *f, uint64_t seen, uint64_t *now)
{
    if (flock(f->probe_fd, LOCK_EX | LOCK_NB) != 0)
        return FRESHNESS_WRITER_ACTIVE;
    uint64_t expected = seen;
    if (atomic_load(f->counter) == seen && (seen & 1u))
        atomic_compare_exchange_strong(f->counter, &expected, seen + 1);
    *now = atomic_load(f->counter);
    flock(f->probe_fd, LOCK_UN);
    if (*now & 1u) /* cannot happen while we held the lock, but never trust an odd value */
        return FRESHNESS_WRITER_ACTIVE;
    return FRESHNESS_REPAIRED;
}
