/* fsutil.c - file-system rules of libpanelhost: which config and plugin files are trusted (as ssh decides),
 * path resolution against a folder, and creating the data directory with mode 0700. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

int32_t ph_check_trusted_file(const struct stat *st, const char *what, const char *path, char *err,
                              size_t err_len)
{
    if (!S_ISREG(st->st_mode)) {
        ph_errf(err, err_len, "refusing %s %s: it is not a regular file", what, path);
        return PANEL_E_INVALID;
    }
    uid_t me = geteuid();
    if (st->st_uid != 0 && st->st_uid != me) {
        ph_errf(err, err_len,
                "refusing %s %s: it is owned by uid %ld, neither root nor you (uid %ld), so that user could "
                "change what this host runs; chown it to yourself or root",
                what, path, (long)st->st_uid, (long)me);
        return PANEL_E_DENIED;
    }
    if (st->st_mode & (S_IWGRP | S_IWOTH)) {
        ph_errf(err, err_len,
                "refusing %s %s: it is writable by %s (mode %04o), so another user could change what this "
                "host runs; fix it with: chmod go-w %s",
                what, path, (st->st_mode & S_IWOTH) ? "every user" : "its group",
                (unsigned)(st->st_mode & 07777), path);
        return PANEL_E_DENIED;
    }
    return PANEL_OK;
}

char *ph_path_resolve(const char *folder, const char *path)
{
    if (!path)
        return NULL;
    if (path[0] == '/' || !folder)
        return ph_strdup(path);
    size_t a = strlen(folder), b = strlen(path);
    char *joined = malloc(a + 1 + b + 1);
    if (!joined)
        return NULL;
    memcpy(joined, folder, a);
    joined[a] = '/';
    memcpy(joined + a + 1, path, b + 1);
    return joined;
}

char *ph_path_folder(const char *path, char *err, size_t err_len)
{
    char *copy = ph_strdup(path);
    if (!copy) {
        ph_errf(err, err_len, "out of memory");
        return NULL;
    }
    char *slash = strrchr(copy, '/');
    const char *dir;
    if (!slash)
        dir = ".";
    else if (slash == copy)
        dir = "/";
    else {
        *slash = '\0';
        dir = copy;
    }
    char *abs = realpath(dir, NULL);
    if (!abs)
        ph_errf(err, err_len, "cannot resolve the folder of %s: %s", path, strerror(errno));
    free(copy);
    return abs;
}

/* mkdir -p with mode 0700 for every folder it creates. */
static int make_dirs(char *path)
{
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        int rc = mkdir(path, 0700);
        int saved = errno;
        *p = '/';
        if (rc != 0 && saved != EEXIST) {
            errno = saved;
            return -1;
        }
    }
    if (mkdir(path, 0700) != 0 && errno != EEXIST)
        return -1;
    return 0;
}

char *ph_data_dir_prepare(const char *dir, char *err, size_t err_len)
{
    if (!dir || !*dir) {
        ph_errf(err, err_len, "the data directory is empty; set [host] data_dir");
        return NULL;
    }
    char *work = ph_strdup(dir);
    if (!work) {
        ph_errf(err, err_len, "out of memory");
        return NULL;
    }
    if (make_dirs(work) != 0) {
        ph_errf(err, err_len, "cannot create the data directory %s: %s", dir, strerror(errno));
        free(work);
        return NULL;
    }
    free(work);
    char *abs = realpath(dir, NULL);
    if (!abs) {
        ph_errf(err, err_len, "cannot resolve the data directory %s: %s", dir, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (stat(abs, &st) != 0 || !S_ISDIR(st.st_mode)) {
        ph_errf(err, err_len, "the data directory %s is not a directory", dir);
        free(abs);
        return NULL;
    }
    if (st.st_uid != geteuid() && geteuid() != 0) {
        ph_errf(err, err_len,
                "refusing the data directory %s: it is owned by uid %ld, not by you (uid %ld); use a directory "
                "of your own",
                dir, (long)st.st_uid, (long)geteuid());
        free(abs);
        return NULL;
    }
    if ((st.st_mode & 077) && chmod(abs, 0700) != 0) {
        ph_errf(err, err_len, "the data directory %s has mode %04o and cannot be narrowed to 0700: %s", dir,
                (unsigned)(st.st_mode & 07777), strerror(errno));
        free(abs);
        return NULL;
    }
    return abs;
}
