/* extensions_state.h - libpanelhost's private interface to DATA_DIR/extensions.state (see extensions_state.c):
 * the persisted enabled state of each extension id, its atomic replacement, the writers' lock, the shared
 * change counter that tells every process of a change another one made, and the stat() stamp that also
 * notices an edit made by hand. Nothing here is API. */
#ifndef PANELHOST_EXTENSIONS_STATE_H
#define PANELHOST_EXTENSIONS_STATE_H

#include <sys/stat.h>

#include "internal.h"

typedef struct ph_ext_state {
    char **ids;
    int *enabled;     /* 1 or 0, per id */
    size_t n;
} ph_ext_state_t;

/* DATA_DIR/extensions.state, malloc'd (NULL when out of memory). */
char *ph_ext_state_path(const panelhost_t *host);

/* The stamp of `path` now (exists = 0 when it cannot be stat()ed). */
void ph_file_stamp_get(const char *path, ph_file_stamp_t *stamp);
int ph_file_stamp_equal(const ph_file_stamp_t *a, const ph_file_stamp_t *b);

/* Reads the state file; a missing file is an empty state. *stamp: the identity of what was read. */
int32_t ph_ext_state_read(const panelhost_t *host, ph_ext_state_t *state, ph_file_stamp_t *stamp, char *err,
                          size_t err_len);
/* Maps DATA_DIR/extensions.counter (created 0600 with the count 0 when missing): the number of times the
 * state file was replaced through libpanelhost, shared by every process of the data directory. NULL with err
 * set when it cannot be created or mapped. Unmapped with ph_ext_counter_unmap (NULL is ignored). */
ph_ext_counter_t *ph_ext_counter_map(const char *data_dir, char *err, size_t err_len);
void ph_ext_counter_unmap(ph_ext_counter_t *counter);

/* Replaces the state file atomically with `state` (mode 0600), then bumps `counter` (non-NULL) so that every
 * other process applies the change at its next check. Call it holding the writers' lock. */
int32_t ph_ext_state_write(const panelhost_t *host, const ph_ext_state_t *state, ph_ext_counter_t *counter,
                           char *err, size_t err_len);
void ph_ext_state_free(ph_ext_state_t *state);
/* 1 enabled, 0 disabled, -1 when the id has no line. */
int ph_ext_state_lookup(const ph_ext_state_t *state, const char *id);
int32_t ph_ext_state_set(ph_ext_state_t *state, const char *id, int enabled);

/* Takes the writers' lock (blocking); returns a descriptor for ph_ext_state_unlock, or -1 with err set. */
int ph_ext_state_lock(const panelhost_t *host, char *err, size_t err_len);
void ph_ext_state_unlock(int fd);

#endif /* PANELHOST_EXTENSIONS_STATE_H */
