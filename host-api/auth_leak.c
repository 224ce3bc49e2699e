/* auth_leak.c - leak reports (libpanelhost 2.1, ABI 1.3): panelhost_report_leak hands a credential someone
 * reported as leaked to every auth provider that takes reports (panel_auth_provider_t.report_leak), from the
 * provider snapshot panelhost_authenticate reads (the same reader slot, so an unload waits for a report still
 * inside a plugin); panelhost_process_report_leak is the same on a binding's process-wide host. The library
 * checks the credential (so a malformed string reaches no plugin) and hands the plugins the reporter's free text
 * (where it was found, what found it) cut and cleaned as plugin.h promises them. It never logs the credential. */
#include <string.h>

#include "internal.h"

#define FOUND_AT_MAX 2048u /* plugin.h: panel_leak_report_t.found_at holds at most 2048 bytes */
#define SOURCE_MAX 64u     /* a scanner's name ("github", "content"): longer text is cut */

/* Copies text into out[0..cap) (cap - 1 bytes at most, cut at a UTF-8 character boundary), a control character
 * turned into '?'. NULL stays NULL (returned as NULL). */
static const char *clean_text(const char *text, char *out, size_t cap)
{
    if (!text)
        return NULL;
    size_t n = strnlen(text, cap);
    if (n >= cap) {
        n = cap - 1;
        while (n > 0 && ((unsigned char)text[n] & 0xC0u) == 0x80u)
            n--; /* text[n] would start the cut-off part: end before the character it continues */
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)text[i];
        out[i] = (c < 0x20u || c == 0x7Fu) ? '?' : (char)c;
    }
    out[n] = '\0';
    return out;
}

/* The credential's fault, in words, or NULL when it may be handed to providers. */
static const char *credential_fault(const char *credential, size_t len)
{
    if (!credential || len == 0)
        return "the reported credential is empty";
    if (len > PANEL_VALUE_MAX)
        return "the reported credential is longer than any credential (4096 bytes)";
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)credential[i];
        if (c < 0x20u || c == 0x7Fu)
            return "the reported credential holds a NUL or control character";
    }
    return NULL;
}

int32_t panelhost_report_leak(panelhost_t *host, const panel_leak_report_t *report, char *err, size_t err_len)
{
    if (err && err_len)
        err[0] = '\0';
    if (!host || !report || report->struct_size < sizeof(panel_leak_report_t) || !report->reporter_addr) {
        ph_errf(err, err_len, "panelhost_report_leak: a host and a whole report with the reporter's address are "
                              "required");
        return PANEL_E_INVALID;
    }
    const char *fault = credential_fault(report->credential, report->credential_len);
    if (fault) {
        ph_errf(err, err_len, "%s", fault);
        return PANEL_E_INVALID;
    }
    char found_at[FOUND_AT_MAX + 1], source[SOURCE_MAX + 1];
    const panel_leak_report_t clean = {
        .struct_size = sizeof clean,
        .credential = report->credential,
        .credential_len = report->credential_len,
        .found_at = clean_text(report->found_at, found_at, sizeof found_at),
        .source = clean_text(report->source, source, sizeof source),
        .reporter_addr = report->reporter_addr,
    };

    ph_auth_slot_t *slot;
    const ph_auth_snapshot_t *snapshot = ph_auth_reader_enter(host, &slot);
    int32_t rc = PANEL_OK;
    if (snapshot && ph_auth_unavailable(snapshot)) {
        ph_errf(err, err_len, "leak reports cannot be handled right now (the server is out of memory); try again "
                              "later");
        rc = PANEL_E_UNAVAILABLE;
    }
    for (size_t i = 0; rc == PANEL_OK && snapshot && i < snapshot->n; i++) {
        const ph_provider_rec_t *p = snapshot->providers[i];
        if (!p->desc.report_leak)
            continue; /* a 1.2 provider (its record's copy holds NULL there) or one that takes no reports */
        char why[PH_MSG_MAX] = "";
        int32_t one = p->desc.report_leak(p->owner->state, &clean, why, sizeof why);
        if (one == PANEL_OK)
            continue;
        why[sizeof why - 1] = '\0';
        ph_errf(err, err_len, "authentication provider %s could not handle the leak report: %s", p->desc.id,
                why[0] ? why : "it gave no reason");
        rc = one < 0 ? one : PANEL_E_INTERNAL;
    }
    ph_auth_reader_leave(slot);
    return rc;
}

int32_t panelhost_process_report_leak(const char *config_path, const char *credential, size_t credential_len,
                                      const char *found_at, const char *source, const char *reporter_addr,
                                      char *err, size_t err_len)
{
    panelhost_t *host = panelhost_process_host(config_path);
    if (!host) {
        ph_errf(err, err_len, "this process has no open host of its config (panelhost_process_open opens it)");
        return PANEL_E_STATE;
    }
    const panel_leak_report_t report = {
        .struct_size = sizeof report,
        .credential = credential,
        .credential_len = credential_len,
        .found_at = found_at,
        .source = source,
        .reporter_addr = reporter_addr,
    };
    return panelhost_report_leak(host, &report, err, err_len);
}
