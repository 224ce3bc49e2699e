/* bench_http_client.c - the HTTP figure's load client: a closed loop of keep-alive HTTP/1.1 connections to
 * one loopback server, each with exactly one request in flight, that busy-polls its sockets instead of
 * sleeping in epoll_wait. Why not a sleeping client such as wrk: on this virtual machine, waking a sleeping
 * core costs the waking core an inter-processor interrupt (a VM exit), and the more time the server spent
 * on a request, the more often the client had gone to sleep before its answer came; so wrk charged the
 * server a second, hidden cost for every nanosecond of work (320 ns of busy loop in /healthz cost wrk 8% of
 * its requests/s, this client 4%, which is the loop's share of the server's ~8 us per request). A client
 * that never sleeps leaves the server's core as the only bottleneck, which the caller checks from the
 * server's CPU time. */
#include "bench_http_client.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench.h"

#define RESPONSE_MAX 4096
#define ANSWER_TIMEOUT_NS 5000000000ull /* after the slice: how long the last answers may take */

typedef struct connection {
    int fd;
    int waiting;                 /* 1: a request is in flight */
    size_t used;                 /* bytes of the answer received so far */
    char buf[RESPONSE_MAX + 1];
} connection_t;

struct bench_http_load {
    connection_t *conns;
    size_t n;
};

void bench_http_load_close(bench_http_load_t *load)
{
    if (!load)
        return;
    for (size_t i = 0; i < load->n; i++)
        if (load->conns[i].fd >= 0)
            close(load->conns[i].fd);
    free(load->conns);
    free(load);
}

int bench_http_load_open(bench_http_load_t **out, unsigned port, size_t connections, char *why, size_t why_len)
{
    *out = NULL;
    bench_http_load_t *load = calloc(1, sizeof *load);
    if (load)
        load->conns = calloc(connections, sizeof *load->conns);
    if (!load || !load->conns) {
        free(load);
        snprintf(why, why_len, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < connections; i++)
        load->conns[i].fd = -1;
    load->n = connections;
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    for (size_t i = 0; i < connections; i++) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int one = 1;
        if (fd < 0 || setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0 ||
            connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
            snprintf(why, why_len, "cannot connect to 127.0.0.1:%u: %s", port, strerror(errno));
            if (fd >= 0)
                close(fd);
            bench_http_load_close(load);
            return -1;
        }
        load->conns[i].fd = fd;
    }
    *out = load;
    return 0;
}

/* 1 when c->buf holds a whole answer (removed from the buffer, its status into *status), 0 when more is to
 * come, -1 when it cannot be an answer this client understands (no Content-Length, or too long). */
static int take_response(connection_t *c, int *status)
{
    c->buf[c->used] = '\0';
    const char *end = strstr(c->buf, "\r\n\r\n");
    if (!end)
        return c->used < RESPONSE_MAX ? 0 : -1;
    const char *length = strcasestr(c->buf, "\r\nContent-Length:");
    if (!length || length > end || strncmp(c->buf, "HTTP/1.1 ", 9) != 0)
        return -1;
    size_t need = (size_t)(end + 4 - c->buf) + strtoul(length + strlen("\r\nContent-Length:"), NULL, 10);
    if (need > RESPONSE_MAX)
        return -1;
    if (c->used < need)
        return 0;
    *status = atoi(c->buf + 9);
    memmove(c->buf, c->buf + need, c->used - need);
    c->used -= need;
    return 1;
}

int bench_http_load_run(bench_http_load_t *load, const char *request, size_t request_len, double seconds,
                        uint64_t *count, double *elapsed, char *why, size_t why_len)
{
    uint64_t start = bench_now_ns(), stop_at = start + (uint64_t)(seconds * 1e9), done = 0;
    uint64_t give_up_at = stop_at + ANSWER_TIMEOUT_NS;
    size_t in_flight = 0;
    int stopping = 0;
    for (;;) {
        uint64_t now = bench_now_ns();
        if (!stopping && now >= stop_at)
            stopping = 1; /* no new requests; the ones in flight are still counted */
        if (stopping && in_flight == 0)
            break;
        if (now >= give_up_at) {
            snprintf(why, why_len, "the server left a request unanswered for 5 s");
            return -1;
        }
        for (size_t i = 0; i < load->n; i++) {
            connection_t *c = &load->conns[i];
            if (!c->waiting) {
                if (stopping)
                    continue;
                if (send(c->fd, request, request_len, MSG_NOSIGNAL) != (ssize_t)request_len) {
                    snprintf(why, why_len, "sending a request failed: %s", strerror(errno));
                    return -1;
                }
                c->waiting = 1;
                in_flight++;
                continue;
            }
            ssize_t n = recv(c->fd, c->buf + c->used, RESPONSE_MAX - c->used, MSG_DONTWAIT);
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
                continue;
            if (n <= 0) {
                snprintf(why, why_len, "the server closed a connection (%s)", n < 0 ? strerror(errno) : "EOF");
                return -1;
            }
            c->used += (size_t)n;
            int status = 0, got = take_response(c, &status);
            if (got < 0) {
                snprintf(why, why_len, "the server's answer is not HTTP/1.1 with a Content-Length");
                return -1;
            }
            if (got == 0)
                continue;
            if (status != 200) {
                snprintf(why, why_len, "the server answered %d instead of 200", status);
                return -1;
            }
            c->waiting = 0;
            in_flight--;
            done++;
        }
    }
    *count = done;
    *elapsed = (double)(bench_now_ns() - start) / 1e9;
    return 0;
}
