/* fuzz_auth_headers.c - libFuzzer target: the auth provider's header handling. Each input is a list of header
 * lines "Name: value" (split at '\n'; NUL bytes end a value early, as they would in a C string); "$KEY" in a
 * value stands for the data directory's real current key, so the fuzzer can build valid, doubled, prefixed or
 * truncated credentials. The request goes through apikeys_authenticate with result buffers of exactly the
 * ABI's minimum sizes. Findings besides sanitizer reports: an unknown verdict; ALLOW when no header carries
 * the real key, or with an empty principal; DENY without a status in {400 (two different credentials), 401,
 * 403, 429 (too many invalid keys from one address), 503} or without a code and message; a message that echoes
 * the real key. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../../plugin/auth_provider.h"
#include "fuzz_support.h"

#define MAX_HEADERS 16
#define MAX_VALUE 4096

static apikeys_state_t *state;
static char current_key[128];

typedef struct fuzz_headers {
    char names[MAX_HEADERS][64];
    char values[MAX_HEADERS][MAX_VALUE];
    int count;
} fuzz_headers_t;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    state = fuzz_open_state_with_key(current_key, sizeof current_key);
    return 0;
}

static void finding(const char *what)
{
    fprintf(stderr, "FINDING: %s\n", what);
    abort();
}

static const char *lookup_header(const panel_request_t *self, const char *name)
{
    const fuzz_headers_t *h = self->req_ctx;
    for (int i = 0; i < h->count; i++)
        if (strcasecmp(h->names[i], name) == 0)
            return h->values[i];
    return NULL;
}

/* Appends src[0..n) to the value at *len, expanding "$KEY"; stops at NUL or when full. */
static void append_value(char *value, size_t *len, const char *src, size_t n)
{
    for (size_t i = 0; i < n && src[i] != '\0'; i++) {
        if (n - i >= 4 && memcmp(src + i, "$KEY", 4) == 0) {
            size_t k = strlen(current_key);
            if (*len + k < MAX_VALUE) {
                memcpy(value + *len, current_key, k);
                *len += k;
            }
            i += 3;
        } else if (*len + 1 < MAX_VALUE) {
            value[(*len)++] = src[i];
        }
    }
    value[*len] = '\0';
}

static void parse_headers(const uint8_t *data, size_t size, fuzz_headers_t *h)
{
    const char *p = (const char *)data, *end = p + size;
    h->count = 0;
    while (p < end && h->count < MAX_HEADERS) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        const char *colon = memchr(p, ':', (size_t)(eol - p));
        if (colon) {
            size_t name_len = (size_t)(colon - p);
            if (name_len >= sizeof h->names[0])
                name_len = sizeof h->names[0] - 1;
            memcpy(h->names[h->count], p, name_len);
            h->names[h->count][name_len] = '\0';
            h->names[h->count][strnlen(h->names[h->count], name_len)] = '\0';
            const char *v = colon + 1;
            if (v < eol && *v == ' ')
                v++;
            size_t len = 0;
            append_value(h->values[h->count], &len, v, (size_t)(eol - v));
            h->count++;
        }
        p = eol + 1;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static fuzz_headers_t headers;
    parse_headers(data, size, &headers);
    panel_request_t request = {.struct_size = sizeof request, .method = "GET", .path = "/api/v1/ping",
                               .client_addr = "127.0.0.1", .req_ctx = &headers, .header = lookup_header};
    char *principal = calloc(1, 64), *code = calloc(1, 32), *message = calloc(1, 256);
    panel_auth_result_t result = {.struct_size = sizeof result, .principal = principal, .principal_len = 64,
                                  .error_code = code, .error_code_len = 32, .message = message,
                                  .message_len = 256};
    int32_t verdict = apikeys_authenticate(state, &request, &result);
    int carries_key = 0;
    for (int i = 0; i < headers.count; i++)
        carries_key |= strstr(headers.values[i], current_key) != NULL;
    switch (verdict) {
    case PANEL_AUTH_ALLOW:
        if (!carries_key)
            finding("allowed a request that does not carry the current key");
        if (!memchr(principal, '\0', 64) || principal[0] == '\0')
            finding("allowed without a principal");
        break;
    case PANEL_AUTH_DENY:
        if (result.http_status == 400 && strcmp(code, "conflicting_credentials") != 0)
            finding("400 for something else than two different credentials");
        if (result.http_status == 429 && strcmp(code, "too_many_invalid") != 0 && strcmp(code, "rate_limited") != 0)
            finding("429 for something else than too many invalid keys or a rate limit");
        if (result.http_status != 400 && result.http_status != 401 && result.http_status != 403 &&
            result.http_status != 429 && result.http_status != 503)
            finding("denied with a status other than 400, 401, 403, 429 or 503");
        if (!memchr(code, '\0', 32) || code[0] == '\0' || !memchr(message, '\0', 256) || message[0] == '\0')
            finding("denied without a code or a message");
        if (strstr(message, current_key) || strstr(code, current_key))
            finding("the denial echoes the key");
        break;
    case PANEL_AUTH_ABSTAIN:
        break;
    default:
        finding("an unknown verdict");
    }
    free(principal);
    free(code);
    free(message);
    return 0;
}
