/* fuzz_revoke_body.c - libFuzzer target: the body parser of POST /api/v1/keys/revoke (sample-host/api/revoke_body.c,
 * compiled in directly; JSON read by jansson, linked as the sample host links it). The first input byte picks the
 * Content-Type (none, the form type, JSON, JSON with a charset, another type); the rest is the body, handed over
 * without a NUL so a read past its end is an overflow. Findings besides sanitizer reports: a refusal without a
 * reason, an accepted body with no finding or more than 100, a finding without a token (or an empty one), and a
 * parse that differs on a second run. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../sample-host/form_codec.c"
#include "../../sample-host/api/revoke_body.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void finding(const char *what)
{
    fprintf(stderr, "FINDING: %s\n", what);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    static const char *const types[5] = {NULL, "application/x-www-form-urlencoded", "application/json",
                                         "application/json; charset=utf-8", "text/plain"};
    const char *type = types[data[0] % 5];
    size_t len = size - 1;
    char *body = malloc(len ? len : 1);
    if (!body)
        return 0;
    memcpy(body, data + 1, len);
    static revoke_findings_t a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    const char *why_a = NULL, *why_b = NULL;
    int rc_a = revoke_body_read(type, body, len, &a, &why_a);
    int rc_b = revoke_body_read(type, body, len, &b, &why_b);
    if (rc_a != 0 && rc_a != -1)
        finding("the parser returned something other than 0 or -1");
    if (rc_a != rc_b)
        finding("a second parse of the same body answered differently");
    if (rc_a == -1 && (!why_a || !why_a[0]))
        finding("a refusal without a reason");
    if (rc_a == 0 && (a.n < 1 || a.n > REVOKE_ITEMS_MAX))
        finding("an accepted body with no finding or more than 100");
    for (size_t i = 0; rc_a == 0 && i < a.n; i++) {
        if (!a.items[i].token || a.items[i].token_len == 0)
            finding("an accepted finding without a token");
        if (i < b.n && (a.items[i].token_len != b.items[i].token_len ||
                        memcmp(a.items[i].token, b.items[i].token, a.items[i].token_len) != 0))
            finding("a token that differs on a second parse");
    }
    revoke_findings_free(&a);
    revoke_findings_free(&b);
    free(body);
    return 0;
}
