/* auth.c - API authentication: asks the registered auth providers in load order, first ALLOW or DENY decides,
 * deny by default. The provider list is an immutable snapshot read without locks, protected by reader slots
 * (hazard pointers): a reader claims a slot picked by hashing its thread id (one compare-and-swap on a cache
 * line of its own, so threads never share a written line), names the snapshot it uses there and checks that
 * it is still current; a writer (load/unload) swaps the snapshot and waits until no slot names the old one,
 * so unload knows no authenticate() call is still inside the plugin. */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Published instead of a snapshot when building one ran out of memory: every request is denied with 503
 * "auth_unavailable" (distinct from "no_auth_provider") until the next successful publish. Never freed. */
static ph_auth_snapshot_t unavailable_marker;

static void free_snapshot(ph_auth_snapshot_t *snapshot)
{
    if (snapshot != &unavailable_marker)
        free(snapshot);
}

/* The slot this thread tries first: its thread id, hashed to 0..PH_AUTH_SLOTS-1. */
static unsigned first_slot(void)
{
    pthread_t self = pthread_self();
    uint64_t h = 0;
    memcpy(&h, &self, sizeof self < sizeof h ? sizeof self : sizeof h);
    h *= 0x9E3779B97F4A7C15ull;
    return (unsigned)(h >> 58) % PH_AUTH_SLOTS;
}

/* Claims a slot naming the current snapshot and returns that snapshot, *slot_out the slot; or returns NULL
 * with no slot held when no snapshot is published (nothing to protect). */
static const ph_auth_snapshot_t *reader_enter(panelhost_t *host, ph_auth_slot_t **slot_out)
{
    *slot_out = NULL;
    for (unsigned i = first_slot(), tried = 1;; i = (i + 1) % PH_AUTH_SLOTS, tried++) {
        ph_auth_slot_t *slot = &host->auth_slots[i];
        uintptr_t named = (uintptr_t)atomic_load(&host->auth_snapshot);
        if (named == 0)
            return NULL;
        uintptr_t free_slot = 0;
        if (!atomic_compare_exchange_strong(&slot->snapshot, &free_slot, named)) {
            if (tried % PH_AUTH_SLOTS == 0)
                sched_yield(); /* more threads than slots are authenticating: let one finish */
            continue;          /* another thread holds this one: try the next */
        }
        for (;;) { /* named before re-checked: a writer that swapped it since is seen here, or waits for us */
            uintptr_t now = (uintptr_t)atomic_load(&host->auth_snapshot);
            if (now == named) {
                *slot_out = slot;
                return (const ph_auth_snapshot_t *)named;
            }
            if (now == 0) {
                atomic_store_explicit(&slot->snapshot, 0, memory_order_release);
                return NULL;
            }
            named = now;
            atomic_store(&slot->snapshot, named);
        }
    }
}

static void reader_leave(ph_auth_slot_t *slot)
{
    if (slot)
        atomic_store_explicit(&slot->snapshot, 0, memory_order_release);
}

/* Waits until no reader slot names `old` (which is no longer published), so it may be freed. */
static void wait_for_readers(panelhost_t *host, const ph_auth_snapshot_t *old)
{
    if (!old)
        return;
    for (unsigned i = 0; i < PH_AUTH_SLOTS; i++)
        while (atomic_load(&host->auth_slots[i].snapshot) == (uintptr_t)old)
            sched_yield();
}

int32_t ph_auth_publish(panelhost_t *host, const ph_plugin_t *exclude, char *err, size_t err_len)
{
    size_t n = 0;
    for (size_t i = 0; i < host->n_providers; i++)
        if (host->providers[i]->owner != exclude)
            n++;
    ph_auth_snapshot_t *fresh = NULL;
    int32_t rc = PANEL_OK;
    if (n > 0) {
        fresh = malloc(sizeof *fresh + n * sizeof fresh->providers[0]);
        if (fresh) {
            fresh->n = 0;
            for (size_t i = 0; i < host->n_providers; i++)
                if (host->providers[i]->owner != exclude)
                    fresh->providers[fresh->n++] = host->providers[i];
        } else {
            /* Fail closed: every request is denied (503 auth_unavailable) until the next publish. */
            fresh = &unavailable_marker;
            ph_errf(err, err_len, "out of memory while updating the auth providers; API requests are denied");
            rc = PANEL_E_NOMEM;
        }
    }
    ph_auth_snapshot_t *old = atomic_exchange(&host->auth_snapshot, fresh);
    wait_for_readers(host, old);
    free_snapshot(old);
    return rc;
}

void ph_auth_free(panelhost_t *host)
{
    ph_auth_snapshot_t *old = atomic_exchange(&host->auth_snapshot, NULL);
    wait_for_readers(host, old);
    free_snapshot(old);
}

static void deny(panelhost_auth_outcome_t *out, int32_t status, const char *code, const char *message)
{
    memset(out, 0, sizeof *out);
    out->allowed = 0;
    out->http_status = status;
    ph_errf(out->error_code, sizeof out->error_code, "%s", code);
    ph_errf(out->message, sizeof out->message, "%s", message);
}

/* What of panelhost_auth_extra_t the program gave room for (ABI 1.1). */
#define EXTRA_HAS(extra, field) ((extra) && (extra)->struct_size >= PH_END_OF(panelhost_auth_extra_t, field))
#define PH_RETRY_AFTER_MAX 86400 /* a day: a longer Retry-After is a provider's bug */

/* Asks one provider; returns 1 when it decided (out and extra filled), 0 when it abstained. */
static int ask_provider(const ph_provider_rec_t *p, const panel_request_t *request, panelhost_auth_outcome_t *out,
                        panelhost_auth_extra_t *extra)
{
    /* Empty strings rather than a memset of the whole outcome: this runs on every API request. */
    out->allowed = 0;
    out->http_status = 0;
    out->principal[0] = out->error_code[0] = out->message[0] = '\0';
    panel_auth_result_t result = {
        .struct_size = sizeof result,
        .principal = out->principal,
        .principal_len = sizeof out->principal,
        .error_code = out->error_code,
        .error_code_len = sizeof out->error_code,
        .message = out->message,
        .message_len = sizeof out->message,
        .retry_after = 0,
        .scopes = EXTRA_HAS(extra, scopes) ? extra->scopes : NULL,
        .scopes_len = EXTRA_HAS(extra, scopes) ? sizeof extra->scopes : 0,
        .label = EXTRA_HAS(extra, label) ? extra->label : NULL,
        .label_len = EXTRA_HAS(extra, label) ? sizeof extra->label : 0,
    };
    if (result.scopes)
        result.scopes[0] = '\0';
    if (result.label)
        result.label[0] = '\0';
    int32_t verdict = p->desc.authenticate(p->owner->state, request, &result);
    out->principal[sizeof out->principal - 1] = '\0';
    out->error_code[sizeof out->error_code - 1] = '\0';
    out->message[sizeof out->message - 1] = '\0';
    if (result.scopes) {
        result.scopes[result.scopes_len - 1] = '\0';
        if (verdict != PANEL_AUTH_ALLOW)
            result.scopes[0] = '\0';
    }
    if (result.label) {
        result.label[result.label_len - 1] = '\0';
        if (verdict != PANEL_AUTH_ALLOW)
            result.label[0] = '\0';
    }
    if (EXTRA_HAS(extra, retry_after))
        extra->retry_after = verdict != PANEL_AUTH_DENY || result.retry_after < 0 ? 0
                             : result.retry_after > PH_RETRY_AFTER_MAX ? PH_RETRY_AFTER_MAX
                                                                         : result.retry_after;
    switch (verdict) {
    case PANEL_AUTH_ABSTAIN:
        return 0;
    case PANEL_AUTH_ALLOW:
        out->error_code[0] = out->message[0] = '\0';
        out->allowed = 1;
        out->http_status = 200;
        if (!out->principal[0])
            ph_errf(out->principal, sizeof out->principal, "%s", p->desc.id);
        return 1;
    case PANEL_AUTH_DENY:
        out->principal[0] = '\0';
        out->allowed = 0;
        out->http_status = (result.http_status >= 400 && result.http_status <= 599) ? result.http_status : 401;
        if (!out->error_code[0])
            ph_errf(out->error_code, sizeof out->error_code, "denied");
        if (!out->message[0])
            ph_errf(out->message, sizeof out->message, "the request was denied by authentication provider %s",
                    p->desc.id);
        return 1;
    default: {
        if (EXTRA_HAS(extra, retry_after))
            extra->retry_after = 0;
        char message[256];
        ph_errf(message, sizeof message,
                "authentication provider %s gave an invalid answer; the request is denied, tell the store owner",
                p->desc.id);
        deny(out, 500, "provider_error", message);
        return 1;
    }
    }
}

/* Every provider abstained: 401 "missing", and a message naming what each provider reads (its description),
 * so the caller learns which header to send. Off the hot path (a request without any credential). */
static void deny_missing(panelhost_auth_outcome_t *out, const ph_auth_snapshot_t *snapshot)
{
    deny(out, 401, "missing", "");
    size_t used = (size_t)snprintf(out->message, sizeof out->message,
                                   "the request carries no credential this API accepts; send ");
    for (size_t i = 0; i < snapshot->n && used < sizeof out->message; i++) {
        const panel_auth_provider_t *p = &snapshot->providers[i]->desc;
        const char *reads = p->description && p->description[0] ? p->description : "its credential";
        used += (size_t)snprintf(out->message + used, sizeof out->message - used, "%s%s (provider %s)",
                                 i == 0 ? "" : (i + 1 == snapshot->n ? " or " : ", "), reads, p->id);
    }
    if (used < sizeof out->message)
        snprintf(out->message + used, sizeof out->message - used, " with the key the store owner gave you");
}

int32_t panelhost_authenticate(panelhost_t *host, const panel_request_t *request, panelhost_auth_outcome_t *out)
{
    return panelhost_authenticate_ex(host, request, out, NULL);
}

int32_t panelhost_authenticate_ex(panelhost_t *host, const panel_request_t *request, panelhost_auth_outcome_t *out,
                                  panelhost_auth_extra_t *extra)
{
    if (!out)
        return PANEL_E_INVALID;
    if (extra && extra->struct_size < PH_END_OF(panelhost_auth_extra_t, reserved)) {
        deny(out, 400, "bad_request", "the request could not be checked: set extra->struct_size");
        return PANEL_E_INVALID;
    }
    if (EXTRA_HAS(extra, retry_after))
        extra->retry_after = 0;
    if (EXTRA_HAS(extra, scopes))
        extra->scopes[0] = '\0';
    if (EXTRA_HAS(extra, label))
        extra->label[0] = '\0';
    if (!host || !request || request->struct_size < PH_V10_REQUEST || !request->method ||
        !request->path || !request->client_addr || !request->header) {
        deny(out, 400, "bad_request", "the request could not be checked: it is incomplete");
        return PANEL_E_INVALID;
    }
    ph_auth_slot_t *slot;
    const ph_auth_snapshot_t *snapshot = reader_enter(host, &slot);
    int decided = 0;
    if (snapshot == &unavailable_marker) {
        deny(out, 503, "auth_unavailable",
             "API authentication is temporarily unavailable (the server is out of memory); try again later");
        decided = 1;
    } else if (!snapshot || snapshot->n == 0) {
        deny(out, 503, "no_auth_provider", "no API authentication is configured");
        decided = 1;
    }
    for (size_t i = 0; !decided && i < snapshot->n; i++)
        decided = ask_provider(snapshot->providers[i], request, out, extra);
    if (!decided)
        deny_missing(out, snapshot); /* still inside the reader slot: the descriptions stay valid */
    reader_leave(slot);
    return PANEL_OK;
}
