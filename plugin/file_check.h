/* file_check.h - the rule plugin.h sets for every file a plugin opens in the shared data directory (OpenSSH's
 * StrictModes): a regular file, owned by the running user or root, not writable by group or others. */
#ifndef APIKEYS_FILE_CHECK_H
#define APIKEYS_FILE_CHECK_H

#include <stddef.h>
#include <stdint.h>

/* Checks the open descriptor fd of path. PANEL_OK, or PANEL_E_STORE with a message naming the path, its owner
 * and mode, and the chown/chmod that fixes it. */
int32_t apikeys_check_file(int fd, const char *path, char *err, size_t err_len);

#endif
