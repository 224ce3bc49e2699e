/* snapshot.h - the verify path's snapshot of the valid keys: built from any backend's snapshot rows (each stored
 * policy parsed once), and brought up to the store's change counter on the slow path of verification. */
#ifndef APIKEYS_SNAPSHOT_H
#define APIKEYS_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "keyring.h"
#include "store.h"

typedef struct apikeys_state apikeys_state_t;

/* Builds a sealed keyring with the given epoch from any snapshot reader: read() feeds the sink the backend's
 * rows (store_snapshot_sink_t). Backends that load on their own thread (PostgreSQL) call this directly. */
int32_t snapshot_build_keyring(int32_t (*read)(void *rctx, const store_snapshot_sink_t *sink, char *err,
                                               size_t err_len),
                               void *rctx, uint64_t epoch, keyring_t **out, char *err, size_t err_len);

/* [thread-safe] Brings the published snapshot up to the shared counter (slow path of verification).
 * Returns NULL when the caller should guard_enter() again, or a private snapshot (not published: a writer
 * is active in some process) that the caller uses once and frees with keyring_free(). With a backend that
 * publishes snapshots itself (PostgreSQL) it never reads the store: it returns NULL at once. */
keyring_t *apikeys_refresh(apikeys_state_t *st);

/* [the usage flusher] Off the hot path: when the store's files were replaced or removed under this process
 * (store_check_files), marks the state (files_replaced), logs why once and publishes a snapshot that denies
 * everything; apikeys_refresh then never loads another, so every request is denied until a restart. */
void apikeys_check_files(apikeys_state_t *st);

#endif
