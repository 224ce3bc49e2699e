/* support_host_env.h - helpers for the libpanelhost unit tests: fixture paths, scratch directories and
 * files. Plain libc only (the same helper objects are linked into the plugin's tests too). */
#ifndef SUPPORT_HOST_ENV_H
#define SUPPORT_HOST_ENV_H

#include <stddef.h>
#include <sys/types.h>

/* The path of fixture NAME.so: $PANEL_FIXTURES_DIR/NAME.so, else <dir of this binary>/fixtures/NAME.so.
 * Returns a static buffer that the next call overwrites. */
const char *support_fixture(const char *name);

/* A fresh private scratch directory (mode 0700) under $TMPDIR or /tmp; malloc'd path. */
char *support_tmpdir(void);

/* Removes a directory tree made by support_tmpdir. */
void support_rmtree(const char *dir);

/* Writes content to dir/name with `mode` (exactly, whatever the umask); returns a malloc'd path. */
char *support_write_file(const char *dir, const char *name, const char *content, size_t len, mode_t mode);

/* Copies the file `from` to dir/name with `mode`; returns a malloc'd path. */
char *support_copy_file(const char *from, const char *dir, const char *name, mode_t mode);

/* dir/name, malloc'd. */
char *support_join(const char *dir, const char *name);

/* `size` zeroed bytes (at most a page) ending exactly where an inaccessible page begins, so a read or write past
 * them crashes: how an old host's struct of its own size is handed to a newer plugin. NULL when mmap fails;
 * never freed (a test's few pages). */
void *support_guarded(size_t size);

#endif
