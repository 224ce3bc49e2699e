/* web_flash.h - what a successful form post leaves for the page the browser is sent to next (Post/Redirect/Get):
 * the result message, the record the action created and a one-time secret, kept in this process's memory under a
 * digest of the session id (never in the URL, never in a cookie's value, never on disk), handed out once by the
 * next GET of that session and wiped as it is taken. An entry nobody takes is wiped after WEB_FLASH_TTL seconds.
 * Thread-safe. */
#ifndef SAMPLE_HOST_WEB_FLASH_H
#define SAMPLE_HOST_WEB_FLASH_H

#include <stddef.h>
#include <stdint.h>

#include "panel/plugin.h"

#define WEB_FLASH_TTL 300

typedef struct web_flash {
    char page_id[PANEL_ID_MAX + 1];       /* the page the result belongs to */
    char message[1024];                   /* the plugin's result message */
    char source[256];                     /* the label of the action or field that produced it */
    char record[PANEL_RECORD_ID_MAX + 1]; /* the record the action created, or "" */
    char secret[PANEL_SECRET_MAX];        /* a one-time secret, or "" */
} web_flash_t;

/* Keeps *flash for the session whose cookie value is `session` (replacing and wiping what it held), then wipes
 * *flash. Returns 0, or -1 when no memory could be had (the caller shows the result at once instead). */
int web_flash_put(const char *session, web_flash_t *flash, int64_t now);

/* Moves the session's entry for page `page_id` into *out and wipes the stored one. Returns 1 when there was one,
 * else 0 (then *out is zeroed). The caller wipes *out after use. */
int web_flash_take(const char *session, const char *page_id, web_flash_t *out, int64_t now);

#endif /* SAMPLE_HOST_WEB_FLASH_H */
