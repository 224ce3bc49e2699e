/* freshness.h - the cross-process change signal: an 8-byte counter in `apikeys.epoch` (data dir, 0600),
 * mapped MAP_SHARED so the verify path reads it with one atomic load (no syscall, no query).
 *
 * Writer protocol (every action that changes which keys are valid):
 *   flock(LOCK_EX) on the writer fd -> counter++ (odd) -> SQLite COMMIT -> counter++ (even) -> unlock.
 * Reader: an even counter equal to the snapshot's epoch means the snapshot is fresh. An odd counter means a
 * writer is inside its window or died there: freshness_probe() takes the lock without blocking on a separate
 * open file description; when it gets it the writer is dead and the counter is repaired (made even). */
#ifndef APIKEYS_FRESHNESS_H
#define APIKEYS_FRESHNESS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define FRESHNESS_FILE "apikeys.epoch"

typedef struct freshness {
    int writer_fd;
    int probe_fd;
    _Atomic uint64_t *counter;
    char path[4096];             /* the counter file's path, to tell when it names another file */
} freshness_t;

int32_t freshness_open(freshness_t *f, const char *data_dir, char *err, size_t err_len);
void freshness_close(freshness_t *f);

/* [caller-serialised] 1 when the counter's path no longer names the file this process mapped (it was replaced or
 * removed, e.g. restored from a backup while servers ran): other processes then signal changes this one never
 * sees. 0 while it is the same file. */
int freshness_replaced(const freshness_t *f);

/* [thread-safe] The counter (acquire). */
static inline uint64_t freshness_load(const freshness_t *f)
{
    return atomic_load_explicit(f->counter, memory_order_acquire);
}

/* [writer] Enters the writer window: waits for the lock, repairs a dead writer's odd counter, makes it odd. */
int32_t freshness_writer_begin(freshness_t *f, char *err, size_t err_len);
/* [writer] Leaves the window: counter even again, lock released. */
void freshness_writer_end(freshness_t *f);

#define FRESHNESS_WRITER_ACTIVE 0  /* a live writer holds the lock: do not cache what you read */
#define FRESHNESS_REPAIRED 1       /* the writer had died; the counter is even again (*now = its value) */
/* [caller-serialised] Called when the counter was seen odd (value `seen`). */
int freshness_probe(freshness_t *f, uint64_t seen, uint64_t *now);

#endif
