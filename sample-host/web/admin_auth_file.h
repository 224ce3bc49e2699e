/* admin_auth_file.h - the files behind web-panel logins (password hashes, sessions) in the data directory:
 * read whole, replaced atomically (temporary file 0600, fsync, rename), under an advisory lock shared by every
 * sample-host process using that data directory (a server and a `passwd` command may run at once). */
#ifndef SAMPLE_HOST_ADMIN_AUTH_FILE_H
#define SAMPLE_HOST_ADMIN_AUTH_FILE_H

#include <stddef.h>

/* Takes the exclusive lock of data_dir (file admin-auth.lock, 0600). Returns a descriptor for
 * auth_file_unlock, or -1 with a message in err. */
int auth_file_lock(const char *data_dir, char *err, size_t err_len);
void auth_file_unlock(int lock_fd);

/* Reads the whole file into a malloc'd NUL-terminated *text (wipe and free it). A missing file reads as "".
 * Refuses a file other users may read or write. Returns 0, or -1 with a message in err. */
int auth_file_read(const char *path, char **text, size_t *len, char *err, size_t err_len);

/* Replaces the file with text[0..len), mode 0600. Returns 0, or -1 with a message in err. */
int auth_file_write(const char *path, const char *text, size_t len, char *err, size_t err_len);

/* "DIR/NAME" into out; returns 0, or -1 when it does not fit. */
int auth_file_path(char *out, size_t out_len, const char *dir, const char *name);

#endif /* SAMPLE_HOST_ADMIN_AUTH_FILE_H */
