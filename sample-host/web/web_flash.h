/* web_flash.h - what a form post leaves for the page the browser is sent to next (Post/Redirect/Get): the result
 * message, the record the action created and a one-time secret, or the refusal and what it belongs to. It waits in the panel's shared
 * database (DATA_DIR/admin-sessions.db, so any sample-host process on the data directory may answer the GET),
 * encrypted with a key derived from the session id, which no file holds (the database keeps only digests), under
 * a row named by another digest of it: never in the URL, never in a cookie's value, never readable from disk.
 * The next GET of that session takes it (deleting the row, with SQLite's secure_delete) and the caller wipes it
 * after use; one nobody takes is deleted after WEB_FLASH_TTL seconds. Thread-safe. */
#ifndef SAMPLE_HOST_WEB_FLASH_H
#define SAMPLE_HOST_WEB_FLASH_H

#include <stddef.h>
#include <stdint.h>

#include "panel/host.h"

#define WEB_FLASH_TTL 300

typedef struct web_flash {
    char page_id[PANEL_ID_MAX + 1];       /* the page the result belongs to */
    char message[1024];                   /* the plugin's result message */
    char source[256];                     /* the label of the action or field that produced it */
    char record[PANEL_RECORD_ID_MAX + 1]; /* the record the action created, or "" */
    char secret[PANEL_SECRET_MAX];        /* a one-time secret, or "" */
    int32_t failed;                       /* 1: a refusal (nothing was changed) */
    char error[1200];                     /* the refusal, shown next to what it belongs to */
    char field_id[PANEL_ID_MAX + 1];      /* the field the error belongs to, or "" */
    char action_id[PANEL_ID_MAX + 1];     /* the action the error belongs to, or "" */
    /* An unconfirmed dangerous action (web_confirm.h): its id ("" for none), record, and parameters as a form
     * body ("p.grace=1h&..."); `message` holds the confirmation text. */
    char confirm_action[PANEL_ID_MAX + 1];
    char confirm_record[PANEL_RECORD_ID_MAX + 1];
    char confirm_params[8192];
} web_flash_t;

/* Keeps *flash for the session whose cookie value is `session` (replacing what it held), then wipes *flash.
 * Returns 0, or -1 when it could not be kept (the caller then shows the result at once instead). */
int web_flash_put(const panelhost_t *host, const char *session, web_flash_t *flash);

/* Takes the session's entry: when it belongs to page `page_id`, moves it into *out and returns 1; else returns 0
 * with *out zeroed (an entry for another page is dropped too: read once). The caller wipes *out after use. */
int web_flash_take(const panelhost_t *host, const char *session, const char *page_id, web_flash_t *out);

/* Closes the database connection (at shutdown, after the last request). */
void web_flash_close(void);

#endif /* SAMPLE_HOST_WEB_FLASH_H */
