/* admin_auth_session.h - web-panel sessions: random 256-bit ids (64 hex digits in the cookie), stored only as
 * BLAKE2b digests in the shared database DATA_DIR/admin-sessions.db (admin_db.h) and looked up by that digest
 * at every request, so a logout, an expiry or a password change in one process ends the session in every
 * process at its next request, also across restarts. An idle expiry and an absolute lifetime, and the CSRF
 * token each session's forms carry. A session also records the fingerprint of its user's password, so a
 * password change (by any process) ends every session of that user. Thread-safe except open and close. */
#ifndef SAMPLE_HOST_ADMIN_AUTH_SESSION_H
#define SAMPLE_HOST_ADMIN_AUTH_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "admin_auth.h"

#define SESSION_ID_HEX_LEN 65       /* 64 hex digits and the NUL */
#define SESSION_IDLE_SECONDS (30 * 60)
#define SESSION_MAX_SECONDS (12 * 60 * 60)

typedef struct session_store session_store_t;

int session_store_open(const char *data_dir, session_store_t **out, char *err, size_t err_len);
/* Closes the database connection and frees the store. */
void session_store_close(session_store_t *store);

/* Starts a session for `user` whose password has fingerprint `fingerprint`; writes its id into id_hex.
 * Returns 0, or -1 with err. */
int session_create(session_store_t *store, const char *user, const char *fingerprint, int64_t now,
                   char id_hex[SESSION_ID_HEX_LEN], char *err, size_t err_len);

/* Finds the live session with this id (a cookie value): copies its user into user[0..user_len), checks
 * that the user's password is unchanged (through auth), refreshes its idle timer. Returns 0, or -1 when
 * there is no such live session (an expired or outdated one is removed). */
int session_lookup(session_store_t *store, admin_auth_t *auth, const char *id_hex, int64_t now, char *user,
                   size_t user_len);

/* Ends the session with this id (logout). */
void session_end(session_store_t *store, const char *id_hex);

/* Ends every stored session of `user` in data_dir (used by `passwd`, possibly while a server runs).
 * Returns 0, or -1 with err. */
int session_end_user(const char *data_dir, const char *user, char *err, size_t err_len);

/* The CSRF token of a session, derived from its id (64 hex digits). */
void session_csrf_token(const char *id_hex, char token[SESSION_ID_HEX_LEN]);

/* 1 when `presented` equals `expected` (both NUL-terminated), compared in constant time; else 0. */
int session_token_equal(const char *expected, const char *presented);

#endif /* SAMPLE_HOST_ADMIN_AUTH_SESSION_H */
