/* admin_auth.h - web-panel logins: the users of panel.ini with their password hashes (libsodium
 * crypto_pwhash_str, argon2id at the INTERACTIVE limits) kept in DATA_DIR/admin-passwords (0600), never in the
 * config. Verification costs the same for an unknown user (a dummy hash is checked), failed logins are
 * throttled per user name and per client address, except for a browser with a device cookie of that user
 * (OWASP's device cookies), which is throttled by its own failures only; at most two password hashes run at
 * once (each needs tens of MiB). All functions are thread-safe except open and close. */
#ifndef SAMPLE_HOST_ADMIN_AUTH_H
#define SAMPLE_HOST_ADMIN_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "panel/host.h"

#define ADMIN_USER_MAX 64           /* bytes of a user name, without the NUL */
#define ADMIN_PASSWORD_MIN 8        /* bytes */
#define ADMIN_PASSWORD_MAX 1024
#define ADMIN_FINGERPRINT_LEN 33    /* hex digits of a password fingerprint, with the NUL */
#define ADMIN_DEVICE_TOKEN_LEN 97   /* hex digits of a device cookie (16-byte nonce, 32-byte MAC), with the NUL */
#define ADMIN_DEVICE_MAX_AGE (180 * 24 * 60 * 60) /* seconds a device cookie lives in the browser */

#define ADMIN_LOGIN_OK 0
#define ADMIN_LOGIN_REFUSED 1       /* unknown user or wrong password: deliberately indistinguishable */
#define ADMIN_LOGIN_THROTTLED 2     /* too many recent failures for this user name or address */
#define ADMIN_LOGIN_ERROR 3         /* the password file could not be read */

typedef struct admin_auth admin_auth_t;

/* Prepares logins for `host` (its config users and data directory). Returns 0, or -1 with err. */
int admin_auth_open(panelhost_t *host, admin_auth_t **out, char *err, size_t err_len);
void admin_auth_close(admin_auth_t *auth);

/* 1 when `user` is a user of the config ([user:NAME]), else 0. */
int admin_auth_user_exists(const admin_auth_t *auth, const char *user);

/* First run: when the config has user "admin" and no password is stored for it, sets a random one and writes
 * it into password[0..len) (len >= 32) so the caller can show it once. Returns 1 when it created one, 0 when
 * nothing was needed, -1 with err on failure. */
int admin_auth_first_run(admin_auth_t *auth, char *password, size_t len, char *err, size_t err_len);

/* Checks a login. device_token (nullable): the browser's device cookie. An attempt with a device cookie this
 * installation issued for `user` is throttled only by that cookie's own failures; one without is throttled per
 * user name and per client address (failures there count for everyone without a device cookie). Device
 * cookies are signed with DATA_DIR/admin-device.secret. *retry_after receives the seconds to wait when
 * ADMIN_LOGIN_THROTTLED. */
int admin_auth_login(admin_auth_t *auth, const char *user, const char *password, size_t password_len,
                     const char *client_addr, const char *device_token, int64_t *retry_after);

/* A fresh device cookie value for `user` (a random nonce and its keyed MAC, hex), given at a successful login. */
void admin_auth_device_token(const admin_auth_t *auth, const char *user, char token[ADMIN_DEVICE_TOKEN_LEN]);

/* Sets the password of a config user (length ADMIN_PASSWORD_MIN..MAX). Returns 0, or -1 with err. Sessions
 * of the user end because their password fingerprint no longer matches (see admin_auth_fingerprint). */
int admin_auth_set_password(admin_auth_t *auth, const char *user, const char *password, size_t password_len,
                            char *err, size_t err_len);

/* A fingerprint of the user's current password hash (changes whenever the password changes). Returns 0, or
 * -1 when the user has no password or is not in the config. */
int admin_auth_fingerprint(admin_auth_t *auth, const char *user, char out[ADMIN_FINGERPRINT_LEN]);

#endif /* SAMPLE_HOST_ADMIN_AUTH_H */
