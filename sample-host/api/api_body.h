/* api_body.h - the two request-body parsers of the sample host's API: the form body of
 * POST /api/v1/deliveries/pull (`limit=N`, other fields ignored) and the JSON body of
 * POST /api/v1/deliveries/ack (`{"ids":[...]}`, parsed by jansson). Functions on a byte range: no I/O, no
 * other sample-host module, so the fuzz target (tests/fuzz/fuzz_api_bodies.c) compiles this file directly and
 * links jansson. Every refusal writes a sentence saying what is wrong and what to send instead. */
#ifndef SAMPLE_HOST_API_BODY_H
#define SAMPLE_HOST_API_BODY_H

#include <stddef.h>
#include <stdint.h>

#define API_PULL_LIMIT_DEFAULT 10
#define API_PULL_LIMIT_MAX 100
#define API_ACK_IDS_MAX 1000
#define API_JSON_DEPTH_MAX 16

/* The body of a pull: application/x-www-form-urlencoded; `limit` is 1..API_PULL_LIMIT_MAX, default
 * API_PULL_LIMIT_DEFAULT when absent (also for an empty body). content_type is the request's Content-Type
 * (nullable: taken as a form). Returns 0 with *limit set, or -1 with the reason in err[0..err_len). */
int api_body_pull_limit(const char *content_type, const char *body, size_t len, int *limit, char *err,
                        size_t err_len);

/* The body of an ack: a JSON object with member "ids", an array of at most API_ACK_IDS_MAX whole numbers
 * 1..2^63-1 (other members are ignored; nesting is bounded by API_JSON_DEPTH_MAX; no object may name a
 * member twice). content_type is nullable (taken as JSON); anything but application/json is refused. Writes the ids into ids[0..max) in
 * the order given and their count into *n. Returns 0, or -1 with the reason in err[0..err_len). */
int api_body_ack_ids(const char *content_type, const char *body, size_t len, int64_t *ids, size_t max,
                     size_t *n, char *err, size_t err_len);

#endif /* SAMPLE_HOST_API_BODY_H */
