/* bench_http_client.h - the HTTP figure's busy-polling load client (see bench_http_client.c for why it
 * polls instead of sleeping). */
#ifndef BENCH_HTTP_CLIENT_H
#define BENCH_HTTP_CLIENT_H

#include <stddef.h>
#include <stdint.h>

typedef struct bench_http_load bench_http_load_t;

/* Opens `connections` keep-alive connections to 127.0.0.1:port. 0, or -1 with the reason in why. */
int bench_http_load_open(bench_http_load_t **out, unsigned port, size_t connections, char *why, size_t why_len);

/* Keeps one copy of `request` (a whole HTTP/1.1 request) in flight on every connection for `seconds`, then
 * waits for the answers still in flight. The number of answers into *count (each must be 200 with a
 * Content-Length), the wall time including that drain into *elapsed. Runs on the calling thread, which it
 * keeps busy the whole time. 0, or -1 with the reason in why (a non-200 answer, a closed connection, an
 * answer still missing 5 s after the slice ended). */
int bench_http_load_run(bench_http_load_t *load, const char *request, size_t request_len, double seconds,
                        uint64_t *count, double *elapsed, char *why, size_t why_len);

void bench_http_load_close(bench_http_load_t *load);

#endif
