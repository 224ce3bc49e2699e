/* fsutil.c - file-system rules of libpanelhost: which files and folders are trusted (OpenSSH's StrictModes:
 * owned by us or root, not writable by group or others) for the config, plugins and the folders above them,
 * the data directory and everything in it; path resolution against a folder; creating the data directory
 * with mode 0700. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

/* OpenSSH's StrictModes for one file-system object: owned by root or by us (geteuid), and (unless it is a
 * symlink) not writable by group or others; allow_sticky lets a world-writable folder with the sticky bit
 * pass (/tmp). PANEL_E_DENIED with a message naming the path, its owner and mode and the chown/chmod that
 * fixes it. `what` is e.g. "plugin" or "the data directory". */
static int32_t check_owner_mode(const struct stat *st, const char *what, const char *path, int allow_sticky,
                                char *err, size_t err_len)
{
    uid_t me = geteuid();
    unsigned mode = (unsigned)(st->st_mode & 07777);
    if (st->st_uid != 0 && st->st_uid != me) {
        ph_errf(err, err_len,
                "refusing %s %s: it is owned by uid %ld (mode %04o), neither root nor you (uid %ld), so that user "
                "could change what this host trusts; fix it with: chown %ld %s",
                what, path, (long)st->st_uid, mode, (long)me, (long)me, path);
        return PANEL_E_DENIED;
    }
    if (S_ISLNK(st->st_mode))
        return PANEL_OK; /* a symlink's own mode means nothing; its owner was checked */
    int sticky_dir = allow_sticky && S_ISDIR(st->st_mode) && (st->st_mode & S_ISVTX);
    if ((st->st_mode & (S_IWGRP | S_IWOTH)) && !sticky_dir) {
        ph_errf(err, err_len,
                "refusing %s %s: it is writable by %s (mode %04o), owned by uid %ld, so another user could "
                "change what this host trusts; fix it with: chmod go-w %s",
                what, path, (st->st_mode & S_IWOTH) ? "every user" : "its group", mode, (long)st->st_uid, path);
        return PANEL_E_DENIED;
    }
    return PANEL_OK;
}

int32_t ph_check_trusted_file(const struct stat *st, const char *what, const char *path, char *err,
                              size_t err_len)
{
    if (!S_ISREG(st->st_mode)) {
        ph_errf(err, err_len, "refusing %s %s: it is not a regular file", what, path);
        return PANEL_E_INVALID;
    }
    return check_owner_mode(st, what, path, 0, err, err_len);
}

int32_t panelhost_check_open_file(int fd, const char *path, char *err, size_t err_len)
{
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        ph_errf(err, err_len, "cannot check %s: %s", path ? path : "(null)", fd < 0 ? "not open" : strerror(errno));
        return PANEL_E_INVALID;
    }
    return ph_check_trusted_file(&st, "file", path ? path : "(unnamed)", err, err_len);
}

int32_t ph_check_folders_above(const char *real_path, const char *what, char *err, size_t err_len)
{
    char *copy = ph_strdup(real_path);
    if (!copy) {
        ph_errf(err, err_len, "out of memory");
        return PANEL_E_NOMEM;
    }
    int32_t rc = PANEL_OK;
    char label[96];
    ph_errf(label, sizeof label, "the folder holding %s", what);
    for (char *slash = strrchr(copy, '/'); rc == PANEL_OK && slash; slash = strrchr(copy, '/')) {
        if (slash == copy)
            slash[1] = '\0'; /* "/" itself */
        else
            *slash = '\0';
        struct stat st;
        if (lstat(copy, &st) != 0) {
            ph_errf(err, err_len, "cannot check %s %s: %s", label, copy, strerror(errno));
            rc = PANEL_E_NOT_FOUND;
        } else {
            rc = check_owner_mode(&st, label, copy, 1, err, err_len);
        }
        if (slash == copy)
            break;
    }
    free(copy);
    return rc;
}

/* Checks every entry below the open folder `dfd` (named `path`), depth-first, at most `depth` levels. */
static int32_t check_tree(int dfd, const char *path, int depth, char *err, size_t err_len)
{
    DIR *dir = fdopendir(dfd);
    if (!dir) {
        ph_errf(err, err_len, "cannot read the data directory %s: %s", path, strerror(errno));
        close(dfd);
        return PANEL_E_STORE;
    }
    int32_t rc = PANEL_OK;
    struct dirent *e;
    while (rc == PANEL_OK && (e = readdir(dir)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *child = ph_path_resolve(path, e->d_name);
        if (!child) {
            ph_errf(err, err_len, "out of memory");
            rc = PANEL_E_NOMEM;
            break;
        }
        struct stat st;
        if (fstatat(dirfd(dir), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
            if (errno != ENOENT) { /* removed meanwhile (e.g. a temporary file of another process): fine */
                ph_errf(err, err_len, "cannot check %s: %s", child, strerror(errno));
                rc = PANEL_E_STORE;
            }
        } else {
            rc = check_owner_mode(&st, "the data directory's entry", child, 0, err, err_len);
            if (rc == PANEL_OK && S_ISDIR(st.st_mode) && depth > 1) {
                int sub = openat(dirfd(dir), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (sub >= 0)
                    rc = check_tree(sub, child, depth - 1, err, err_len);
            }
        }
        free(child);
    }
    closedir(dir);
    return rc;
}

int32_t ph_check_data_dir_tree(const char *data_dir, char *err, size_t err_len)
{
    int dfd = open(data_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0) {
        ph_errf(err, err_len, "cannot open the data directory %s: %s", data_dir, strerror(errno));
        return PANEL_E_STORE;
    }
    return check_tree(dfd, data_dir, 8, err, err_len);
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

char *ph_data_dir_prepare(const char *dir, int32_t *rc, char *err, size_t err_len)
{
    *rc = PANEL_E_INVALID;
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
    /* StrictModes: owned by us or root, and never writable by others (whatever they may have planted in it
     * is then checked by ph_check_data_dir_tree). Read and search bits are narrowed away. */
    if ((*rc = check_owner_mode(&st, "the data directory", abs, 0, err, err_len)) != PANEL_OK) {
        free(abs);
        return NULL;
    }
    *rc = PANEL_E_INVALID;
    if ((st.st_mode & 077) && chmod(abs, 0700) != 0) {
        ph_errf(err, err_len, "the data directory %s has mode %04o and cannot be narrowed to 0700: %s", dir,
                (unsigned)(st.st_mode & 07777), strerror(errno));
        free(abs);
        return NULL;
    }
    *rc = PANEL_OK;
    return abs;
}
