/* file_check.c - ownership and mode checks of the plugin's own files (see file_check.h). */
#include "file_check.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "panel/plugin.h"

int32_t apikeys_check_file(int fd, const char *path, char *err, size_t err_len)
{
    struct stat st;
    if (fstat(fd, &st) != 0) {
        snprintf(err, err_len, "cannot inspect %s: %s", path, strerror(errno));
        return PANEL_E_STORE;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(err, err_len, "%s is not a regular file; remove it (the plugin recreates its files)", path);
        return PANEL_E_STORE;
    }
    uid_t me = geteuid();
    if (st.st_uid != me && st.st_uid != 0) {
        snprintf(err, err_len,
                 "%s is owned by uid %u, not by the user running the panel (uid %u) or root, who could swap it: run "
                 "chown %u %s",
                 path, (unsigned)st.st_uid, (unsigned)me, (unsigned)me, path);
        return PANEL_E_STORE;
    }
    if (st.st_mode & (S_IWGRP | S_IWOTH)) {
        snprintf(err, err_len, "%s is writable by group or others (mode %03o): run chmod go-w %s", path,
                 (unsigned)(st.st_mode & 0777), path);
        return PANEL_E_STORE;
    }
    return PANEL_OK;
}
