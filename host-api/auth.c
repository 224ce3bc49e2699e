/* auth.c - panelhost_authenticate, the one way a host asks about an API request: checks the request, asks
 * the registered auth providers in load order (first ALLOW or DENY decides, deny by default) and fills the
 * outcome the host sends back. The provider list is an immutable snapshot read without locks, protected by reader slots
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

int ph_auth_unavailable(const ph_auth_snapshot_t *snapshot)
{
    return snapshot == &unavailable_marker;
}

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
const ph_auth_snapshot_t *ph_auth_reader_enter(panelhost_t *host, ph_auth_slot_t **slot_out)
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

void ph_auth_reader_leave(ph_auth_slot_t *slot)
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

/* 1 when the caller's outcome holds the 2.1 members deprecation and sunset. */
#define PH_OUTCOME_HAS_TIMES(out) \
    ((out)->struct_size >= offsetof(panelhost_auth_outcome_t, sunset) + sizeof(int64_t))

/* The credential's Deprecation and Sunset times (ABI 1.3) into an outcome that holds them; a negative time, which
 * no HTTP date can say, counts as none. */
static void put_times(panelhost_auth_outcome_t *out, int64_t deprecation, int64_t sunset)
{
    if (!PH_OUTCOME_HAS_TIMES(out))
        return;
    out->deprecation = deprecation > 0 ? deprecation : 0;
    out->sunset = sunset > 0 ? sunset : 0;
}

static void deny(panelhost_auth_outcome_t *out, int32_t status, const char *code, const char *message)
{
    out->allowed = 0;
    out->http_status = status;
    out->retry_after = 0;
    out->principal[0] = out->label[0] = out->scopes[0] = '\0';
    put_times(out, 0, 0);
    ph_errf(out->error_code, sizeof out->error_code, "%s", code);
    ph_errf(out->message, sizeof out->message, "%s", message);
}

static int32_t refuse(panelhost_auth_outcome_t *out, const char *why)
{
    char message[PANEL_MESSAGE_MAX];
    ph_errf(message, sizeof message, "the request could not be checked: %s", why);
    deny(out, 400, "bad_request", message);
    return PANEL_E_INVALID;
}

#define PH_RETRY_AFTER_MAX 86400 /* a day: a longer Retry-After is a provider's bug */


/* Asks one provider; returns 1 when it decided (out filled), 0 when it abstained. */
static int ask_provider(const ph_provider_rec_t *p, const panel_request_t *request, panelhost_auth_outcome_t *out)
{
    /* Empty strings rather than a memset of the whole outcome: this runs on every API request. */
    out->allowed = 0;
    out->http_status = 0;
    out->retry_after = 0;
    out->principal[0] = out->error_code[0] = out->message[0] = out->label[0] = out->scopes[0] = '\0';
    put_times(out, 0, 0);
    panel_auth_result_t result = {
        .struct_size = sizeof result,
        .principal = out->principal,
        .principal_len = sizeof out->principal,
        .error_code = out->error_code,
        .error_code_len = sizeof out->error_code,
        .message = out->message,
        .message_len = sizeof out->message,
        .retry_after = 0,
        .scopes = out->scopes,
        .scopes_len = sizeof out->scopes,
        .label = out->label,
        .label_len = sizeof out->label,
    };
    int32_t verdict = p->desc.authenticate(p->owner->state, request, &result);
    out->principal[sizeof out->principal - 1] = '\0';
    out->error_code[sizeof out->error_code - 1] = '\0';
    out->message[sizeof out->message - 1] = '\0';
    out->scopes[sizeof out->scopes - 1] = '\0';
    out->label[sizeof out->label - 1] = '\0';
    if (verdict != PANEL_AUTH_ALLOW)
        out->scopes[0] = out->label[0] = '\0';
    switch (verdict) {
    case PANEL_AUTH_ABSTAIN:
        return 0;
    case PANEL_AUTH_ALLOW:
        out->error_code[0] = out->message[0] = '\0';
        out->allowed = 1;
        out->http_status = 200;
        if (!out->principal[0])
            ph_errf(out->principal, sizeof out->principal, "%s", p->desc.id);
        put_times(out, result.deprecation, result.sunset);
        return 1;
    case PANEL_AUTH_DENY:
        out->principal[0] = '\0';
        out->allowed = 0;
        out->http_status = (result.http_status >= 400 && result.http_status <= 599) ? result.http_status : 401;
        out->retry_after = result.retry_after < 0 ? 0
                           : result.retry_after > PH_RETRY_AFTER_MAX ? PH_RETRY_AFTER_MAX
                                                                       : result.retry_after;
        if (!out->error_code[0])
            ph_errf(out->error_code, sizeof out->error_code, "denied");
        if (!out->message[0])
            ph_errf(out->message, sizeof out->message, "the request was denied by authentication provider %s",
                    p->desc.id);
        return 1;
    default: {
        char message[PANEL_MESSAGE_MAX];
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

/* The request's fault, in words, or NULL when it is complete. */
static const char *incomplete(const panelhost_request_t *rq)
{
    if (!rq->method || !rq->path || !rq->client_addr)
        return "it is incomplete (method, path and client address are required)";
    if (!rq->scope || !rq->scope[0])
        return "the route names no scope; give the scope it requires, or PANEL_SCOPE_NONE when every valid "
               "credential may call it";
    if (rq->n_headers > PANELHOST_HEADERS_MAX)
        return "it has more headers than the library accepts (256)";
    if (rq->n_headers > 0 && !rq->headers)
        return "its header array is missing";
    for (size_t i = 0; i < rq->n_headers; i++)
        if (!rq->headers[i].name || !rq->headers[i].value)
            return "a header name or value is missing";
    return NULL;
}

/* The outcome's size in libpanelhost 2.0 (up to deprecation, appended in 2.1): the least a caller may give.
 * Members appended later are written only when the caller's struct_size covers them. */
#define PH_OUTCOME_SIZE_2_0 offsetof(panelhost_auth_outcome_t, deprecation)

int32_t panelhost_authenticate(panelhost_t *host, const panelhost_request_t *request,
                               panelhost_auth_outcome_t *outcome)
{
    if (!outcome || outcome->struct_size < PH_OUTCOME_SIZE_2_0)
        return PANEL_E_INVALID;
    if (!host || !request)
        return refuse(outcome, "no host or no request was given");
    const char *fault = incomplete(request);
    if (fault)
        return refuse(outcome, fault);

    ph_header_view_t headers;
    ph_header_view_init(&headers, request->headers, request->n_headers);
    const panel_request_t plugin_request = {
        .struct_size = sizeof plugin_request,
        .method = request->method,
        .path = request->path,
        .client_addr = request->client_addr,
        .req_ctx = &headers,
        .header = ph_header_lookup,
        .scope = strcmp(request->scope, PANEL_SCOPE_NONE) == 0 ? NULL : request->scope,
    };

    ph_auth_slot_t *slot;
    const ph_auth_snapshot_t *snapshot = ph_auth_reader_enter(host, &slot);
    int decided = 0;
    if (snapshot == &unavailable_marker) {
        deny(outcome, 503, "auth_unavailable",
             "API authentication is temporarily unavailable (the server is out of memory); try again later");
        decided = 1;
    } else if (!snapshot || snapshot->n == 0) {
        deny(outcome, 503, "no_auth_provider", "no API authentication is configured");
        decided = 1;
    }
    for (size_t i = 0; !decided && i < snapshot->n; i++)
        decided = ask_provider(snapshot->providers[i], &plugin_request, outcome);
    if (!decided)
        deny_missing(outcome, snapshot); /* still inside the reader slot: the descriptions stay valid */
    ph_auth_reader_leave(slot);
    if (headers.used)
        explicit_bzero(headers.scratch, headers.used); /* a joined or trimmed copy of a credential */
    return PANEL_OK;
}
