/* revoke_body.h - the body parser of POST /api/v1/keys/revoke (router_revoke.c): a form token= (RFC 7009's
 * revocation request; token_type_hint and other fields ignored), JSON {"token","url"}, or GitHub's secret-scanning
 * array of up to 100 {"token","type","url","source"}. Functions on a byte range: no I/O, no other sample-host
 * module, so the fuzz target (tests/fuzz/fuzz_revoke_body.c) compiles revoke_body.c directly and links jansson.
 * The tokens are copies the caller wipes with revoke_findings_free. */
#ifndef SAMPLE_HOST_REVOKE_BODY_H
#define SAMPLE_HOST_REVOKE_BODY_H

#include <stddef.h>

#define REVOKE_ITEMS_MAX 100       /* GitHub's batches hold at most 100 findings */

/* What to send, for a 400's message. */
#define REVOKE_SEND                                                                                               \
    "send token=<key> as application/x-www-form-urlencoded, {\"token\":\"<key>\",\"url\":\"<where it was "      \
    "found>\"} as application/json, or a JSON array of up to 100 {\"token\",\"type\",\"url\",\"source\"} (GitHub " \
    "secret scanning)"

typedef struct revoke_finding {
    char *token;     /* malloc'd, NUL-terminated copy of token_len bytes (>= 1; a NUL inside is kept) */
    size_t token_len;
    char *url;       /* malloc'd or NULL */
    char *source;    /* malloc'd or NULL */
} revoke_finding_t;

typedef struct revoke_findings {
    revoke_finding_t items[REVOKE_ITEMS_MAX];
    size_t n;
} revoke_findings_t;

/* Reads body[0..len) of Content-Type content_type (nullable: none) into f (zeroed by the caller). Returns 0 with
 * 1..REVOKE_ITEMS_MAX findings, or -1 with *why a sentence saying what is wrong (static). Either way the caller
 * calls revoke_findings_free. */
int revoke_body_read(const char *content_type, const char *body, size_t len, revoke_findings_t *f,
                     const char **why);
/* Wipes the tokens and frees every copy; f->n becomes 0. */
void revoke_findings_free(revoke_findings_t *f);

#endif /* SAMPLE_HOST_REVOKE_BODY_H */
