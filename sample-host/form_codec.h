/* form_codec.h - application/x-www-form-urlencoded values ('+' a space, %XX a byte) and media type checks,
 * shared by the admin panel's forms (web/web_form.c) and the API's form bodies (api/api_body.c,
 * api/revoke_body.c), so every part of the sample host decodes a form the same way. */
#ifndef SAMPLE_FORM_CODEC_H
#define SAMPLE_FORM_CODEC_H

#include <stddef.h>

/* Decodes s[0..n) into out[0..out_max) (bytes past out_max are still checked, then dropped); *out_len gets the
 * decoded length, also past out_max. Returns 0, or -1 for a bad %-escape (out then holds a partial value the
 * caller wipes when it may be a secret). */
int form_decode_into(const char *s, size_t n, char *out, size_t out_max, size_t *out_len);

/* Decodes s[0..n) into a new NUL-terminated string (free it; *out_len its length). NULL for a bad %-escape or
 * no memory; a partial value is wiped before it is freed. */
char *form_decode_alloc(const char *s, size_t n, size_t *out_len);

/* 1 when content_type names media type `want` (case-insensitive; parameters such as charset allowed), else 0.
 * A NULL content_type is 0. */
int form_media_type_is(const char *content_type, const char *want);

#endif
