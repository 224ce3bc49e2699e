/* support_host_env.c - helpers for the libpanelhost unit tests: fixture paths, scratch directories and
 * files. Plain libc only (the same helper objects are linked into the plugin's tests too). */
#include "support_host_env.h"

#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

const char *support_fixture(const char *name)
{
    static char *path; /* the previous answer, replaced on each call */
    free(path);
    path = NULL;
    const char *dir = getenv("PANEL_FIXTURES_DIR");
    char exe[PATH_MAX];
    if (!dir || !*dir) {
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        if (n <= 0)
            return NULL;
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash)
            *slash = '\0';
        if (asprintf(&path, "%s/fixtures/%s.so", exe, name) < 0)
            path = NULL;
        return path;
    }
    if (asprintf(&path, "%s/%s.so", dir, name) < 0)
        path = NULL;
    return path;
}

char *support_join(const char *dir, const char *name)
{
    char *out = NULL;
    if (asprintf(&out, "%s/%s", dir, name) < 0)
        return NULL;
    return out;
}

char *support_tmpdir(void)
{
    const char *base = getenv("TMPDIR");
    char *templ = support_join(base && *base ? base : "/tmp", "panelhost-test-XXXXXX");
    if (templ && !mkdtemp(templ)) {
        free(templ);
        return NULL;
    }
    return templ;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

void support_rmtree(const char *dir)
{
    if (dir)
        nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

char *support_write_file(const char *dir, const char *name, const char *content, size_t len, mode_t mode)
{
    char *path = support_join(dir, name);
    if (!path)
        return NULL;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        free(path);
        return NULL;
    }
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, content + done, len - done);
        if (n <= 0)
            break;
        done += (size_t)n;
    }
    close(fd);
    chmod(path, mode);
    if (done != len) {
        free(path);
        return NULL;
    }
    return path;
}

char *support_copy_file(const char *from, const char *dir, const char *name, mode_t mode)
{
    FILE *f = fopen(from, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (len + n > cap) {
            cap = (len + n) * 2;
            char *grown = realloc(buf, cap);
            if (!grown) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = grown;
        }
        memcpy(buf + len, chunk, n);
        len += n;
    }
    fclose(f);
    char *path = support_write_file(dir, name, buf, len, mode);
    free(buf);
    return path;
}

void *support_guarded(size_t size)
{
    long page = sysconf(_SC_PAGESIZE);
    if (page <= 0 || size > (size_t)page)
        return NULL;
    unsigned char *base = mmap(NULL, (size_t)page * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED)
        return NULL;
    if (mprotect(base + page, (size_t)page, PROT_NONE) != 0)
        return NULL;
    unsigned char *p = base + page - size;
    memset(p, 0, size);
    return p;
}
