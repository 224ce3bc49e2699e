/* fuzz_api_bodies.c - libFuzzer target: the two body parsers of the sample host's API (sample-host/api/api_body.c,
 * compiled in directly; the ack's JSON is read by jansson, linked as the sample host links it). The first input byte picks the parser and the Content-Type (bit 0: pull form or ack
 * JSON; bits 1-2: none, the right type, the right type with a charset, another type); the rest is the body,
 * handed over without a NUL so a read past its end is an overflow. Findings besides sanitizer reports: a
 * refusal without a message or with one not NUL-terminated, a pull limit outside 1..100, an ack with more ids
 * than allowed or an id below 1, an accepted body whose parse differs on a second run, and a refusal that
 * leaves ids counted. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../sample-host/form_codec.c"
#include "../../sample-host/api/api_body.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void finding(const char *what)
{
    fprintf(stderr, "FINDING: %s\n", what);
    abort();
}

static void check_message(int rc, const char *err, size_t err_len)
{
    if (rc != 0 && rc != -1)
        finding("a parser returned something other than 0 or -1");
    if (rc == -1 && memchr(err, '\0', err_len) == NULL)
        finding("the message is not NUL-terminated within its buffer");
    if (rc == -1 && err[0] == '\0')
        finding("a refusal without a message");
    if (rc == -1 && strstr(err, "send ") == NULL)
        finding("a refusal that does not say what to send");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    int ack = data[0] & 1;
    static const char *const types[2][4] = {
        {NULL, "application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=utf-8", "text/plain"},
        {NULL, "application/json", "Application/JSON; charset=utf-8", "application/x-www-form-urlencoded"},
    };
    const char *type = types[ack][(data[0] >> 1) & 3];
    size_t len = size - 1;
    char *body = malloc(len > 0 ? len : 1); /* exactly len bytes: no NUL after the body */
    if (body == NULL)
        return 0;
    memcpy(body, data + 1, len);
    char err[256];
    memset(err, 'x', sizeof err);
    if (!ack) {
        int limit = -1;
        int rc = api_body_pull_limit(type, body, len, &limit, err, sizeof err);
        check_message(rc, err, sizeof err);
        if (rc == 0 && (limit < 1 || limit > API_PULL_LIMIT_MAX))
            finding("an accepted pull with a limit outside 1..100");
        int again = -1;
        if (rc == 0 && (api_body_pull_limit(type, body, len, &again, err, sizeof err) != 0 || again != limit))
            finding("a pull body parsed twice gave two answers");
    } else {
        static int64_t ids[API_ACK_IDS_MAX], ids2[API_ACK_IDS_MAX];
        size_t max = API_ACK_IDS_MAX, n = 7, n2 = 0;
        int rc = api_body_ack_ids(type, body, len, ids, max, &n, err, sizeof err);
        check_message(rc, err, sizeof err);
        if (rc != 0 && n != 0)
            finding("a refused ack left ids counted");
        if (n > max)
            finding("more ids than allowed");
        for (size_t i = 0; rc == 0 && i < n; i++)
            if (ids[i] < 1)
                finding("an accepted id below 1");
        if (rc == 0 && (api_body_ack_ids(type, body, len, ids2, max, &n2, err, sizeof err) != 0 || n2 != n ||
                        memcmp(ids, ids2, n * sizeof ids[0]) != 0))
            finding("an ack body parsed twice gave two answers");
        size_t small_n = 0; /* a smaller array is refused, never overrun */
        int small = api_body_ack_ids(type, body, len, ids2, 2, &small_n, err, sizeof err);
        if (small == 0 && small_n > 2)
            finding("more ids written than the array holds");
    }
    free(body);
    return 0;
}
