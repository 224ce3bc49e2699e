/* auth_provider.h - verification of a presented API key (the hot path) and the host-facing auth provider.
 *
 * Header rules: the key is read from `X-API-Key` or from `Authorization: Bearer KEY`, nowhere else, without the
 * whitespace around it (RFC 9110: not part of the value). An X-API-Key sent more than once reaches the provider
 * as its values joined by commas: one key when they are all the same, else 400 conflicting_credentials. When
 * both headers carry a value and the values differ: 400 conflicting_credentials too (a stale key in one header
 * must not be let in by the other); the same key in both is one credential. An Authorization header with another scheme
 * (Basic, Digest...) beside X-API-Key is not ours and does not count (it may be a proxy's credential); with no
 * X-API-Key it is not ours at all: ABSTAIN, so
 * another provider may handle it (the host then denies 401 when nobody allows). No credential at all: 401
 * "missing". Outcome order: missing, malformed (no digest computed), store unavailable (503, fail closed),
 * unknown, expired, disabled (403; only after the key is known valid, so an invalid key never learns whether
 * the API is on), then the key's policy: IP allow-list (403 ip_not_allowed), rate limit (429 rate_limited with
 * Retry-After; 503 rate_limit_unavailable when the shared bucket file cannot be used). Only after that, for an
 * invalid key (malformed, unknown, expired), the throttle of its client address: beyond 30 a minute, 429
 * too_many_invalid instead of 401, so a valid key from the same address always gets in.
 * The presented key is never echoed, logged or kept.
 * Hot path cost: one table-driven format check + CRC-32C, one atomic load of the shared counter, one CAS on a
 * per-thread hazard slot, one BLAKE2b compression, one look in the keyring's table (with many keys, after a SipHash
 * locator that starts fetching its lines first); no allocation, lock, syscall or query. */
#ifndef APIKEYS_AUTH_PROVIDER_H
#define APIKEYS_AUTH_PROVIDER_H

#include <stddef.h>

#include "panel/plugin.h"
#include "plugin_state.h"

#define VERIFY_OK DENIAL_ROWS  /* else a counted DENIAL_* (below DENIAL_REASONS) */

/* [thread-safe] Verifies key[0..len) and counts the use or the denial. Returns VERIFY_OK or a DENIAL_*. */
int apikeys_verify_key(apikeys_state_t *st, const char *key, size_t len);

/* [thread-safe] The panel_auth_provider_t callback (state = apikeys_state_t *). */
int32_t apikeys_authenticate(void *state, const panel_request_t *request, panel_auth_result_t *result);

/* [thread-safe] The panel_auth_provider_t.report_leak callback (ABI 1.3; leak_report.c): revokes the reported
 * value when it is live, every node refusing it before the return; PANEL_OK also when it is not ours. */
int32_t apikeys_report_leak(void *state, const panel_leak_report_t *report, char *err, size_t err_len);

#endif
