/* deliveries.h - the sample host's delivery queue: what a game-server plugin pulls and acknowledges through
 * /api/v1/deliveries/... (a username and the command to run for them). One SQLite file of the host's own,
 * DATA_DIR/host-deliveries.db (0600, WAL, a busy timeout; plugin.h reserves "host-" names for the host), shared
 * by every sample-host process on the data directory. A handle is one connection behind a mutex: any thread
 * may use it. */
#ifndef SAMPLE_HOST_DELIVERIES_H
#define SAMPLE_HOST_DELIVERIES_H

#include <stddef.h>
#include <stdint.h>

#define DELIVERIES_FILE "host-deliveries.db"
#define DELIVERIES_USERNAME_MAX 64     /* bytes */
#define DELIVERIES_COMMAND_MAX 1024    /* bytes */

/* The permission a role needs for `sample-host deliveries` (list and add). */
#define DELIVERIES_PERMISSION "deliveries.manage"

typedef struct deliveries deliveries_t;

typedef struct delivery {
    int64_t id;
    const char *username;
    const char *command;
    int64_t created;            /* Unix seconds */
    int64_t delivered;          /* Unix seconds; 0 while waiting */
} delivery_t;

/* Called per delivery; the strings are valid during the call. Return 0 to go on. */
typedef int (*deliveries_fn)(void *ctx, const delivery_t *item);

/* Opens (creating it 0600 when missing; refusing a file another uid owns or others may write) the queue of
 * data_dir. Returns 0, or -1 with err naming the file. */
int deliveries_open(const char *data_dir, deliveries_t **out, char *err, size_t err_len);
void deliveries_close(deliveries_t *d);

/* Checks a username and a command as `deliveries add` takes them: non-empty, at most the sizes above, valid
 * UTF-8 without control characters. Returns 0, or -1 with err saying what to give. */
int deliveries_check_item(const char *username, const char *command, char *err, size_t err_len);

/* Queues one delivery at time `now`; *id gets its id. Returns 0, or -1 with err. */
int deliveries_add(deliveries_t *d, const char *username, const char *command, int64_t now, int64_t *id,
                   char *err, size_t err_len);

/* The oldest `limit` undelivered items (by id), to fn. Returns 0, or -1 with err. */
int deliveries_pull(deliveries_t *d, int limit, deliveries_fn fn, void *ctx, char *err, size_t err_len);

/* Marks ids[0..n) delivered at `now` in one transaction; *acked gets how many were waiting (ids unknown or
 * already delivered, and repeats, are not counted). Returns 0, or -1 with err (nothing changed). */
int deliveries_ack(deliveries_t *d, const int64_t *ids, size_t n, int64_t now, size_t *acked, char *err,
                   size_t err_len);

/* Every item, newest first, at most `limit` (0: all). Returns 0, or -1 with err. */
int deliveries_list(deliveries_t *d, uint32_t limit, deliveries_fn fn, void *ctx, char *err, size_t err_len);

#endif /* SAMPLE_HOST_DELIVERIES_H */
