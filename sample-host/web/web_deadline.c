/* web_deadline.c - whole-request deadlines (see web_deadline.h): one record per connection (its socket, its
 * phase and when the phase began, body bytes so far), kept in a list under a mutex that the watchdog holds
 * while it shuts a socket down, so a descriptor closed and reused meanwhile is never touched (libmicrohttpd
 * reports a connection closed before it closes the socket). The request path only writes atomics. */
#include "web_deadline.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define TICK_MS 250

enum { PHASE_HEADERS, PHASE_BODY, PHASE_ANSWERING, PHASE_CUT };

typedef struct tracked {
    struct tracked *prev, *next;
    int fd;
    char addr[INET6_ADDRSTRLEN];
    _Atomic int phase;
    _Atomic int64_t since_ms;    /* CLOCK_MONOTONIC, when the phase began */
    _Atomic uint64_t body_bytes; /* in PHASE_BODY */
} tracked_t;

struct web_deadline {
    pthread_mutex_t lock;        /* the list, and every shutdown() */
    pthread_cond_t wake;
    int stopping;
    pthread_t thread;
    tracked_t *head;
    int64_t header_ms;
    int64_t body_ms;
    uint64_t min_rate;
};

static int64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static tracked_t *record_of(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return info != NULL ? info->socket_context : NULL;
}

static void set_phase(struct MHD_Connection *conn, int phase)
{
    tracked_t *r = record_of(conn);
    if (r == NULL || atomic_load(&r->phase) == PHASE_CUT)
        return;
    atomic_store(&r->since_ms, now_ms());
    atomic_store(&r->body_bytes, 0);
    atomic_store(&r->phase, phase);
}

void web_deadline_headers_done(struct MHD_Connection *conn)
{
    set_phase(conn, PHASE_BODY);
}

void web_deadline_answering(struct MHD_Connection *conn)
{
    set_phase(conn, PHASE_ANSWERING);
}

void web_deadline_request_done(struct MHD_Connection *conn)
{
    set_phase(conn, PHASE_HEADERS);
}

void web_deadline_body(struct MHD_Connection *conn, size_t n)
{
    tracked_t *r = record_of(conn);
    if (r != NULL)
        atomic_fetch_add(&r->body_bytes, (uint64_t)n);
}

void web_deadline_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                         enum MHD_ConnectionNotificationCode code)
{
    web_deadline_t *d = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        tracked_t *r = calloc(1, sizeof *r);
        const union MHD_ConnectionInfo *fd = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        if (r == NULL || fd == NULL) {
            free(r);
            *socket_context = NULL;
            return;
        }
        r->fd = fd->connect_fd;
        snprintf(r->addr, sizeof r->addr, "unknown");
        const union MHD_ConnectionInfo *a = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        if (a != NULL && a->client_addr != NULL && a->client_addr->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)a->client_addr)->sin_addr, r->addr,
                      sizeof r->addr);
        else if (a != NULL && a->client_addr != NULL && a->client_addr->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)a->client_addr)->sin6_addr, r->addr,
                      sizeof r->addr);
        atomic_init(&r->phase, PHASE_HEADERS);
        atomic_init(&r->since_ms, now_ms());
        atomic_init(&r->body_bytes, 0);
        pthread_mutex_lock(&d->lock);
        r->next = d->head;
        if (d->head != NULL)
            d->head->prev = r;
        d->head = r;
        pthread_mutex_unlock(&d->lock);
        *socket_context = r;
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
        tracked_t *r = *socket_context;
        if (r == NULL)
            return;
        pthread_mutex_lock(&d->lock);
        if (r->prev != NULL)
            r->prev->next = r->next;
        else
            d->head = r->next;
        if (r->next != NULL)
            r->next->prev = r->prev;
        pthread_mutex_unlock(&d->lock);
        free(r);
        *socket_context = NULL;
    }
}

/* Why `r` is late at time `now`, or NULL. */
static const char *late(const web_deadline_t *d, tracked_t *r, int64_t now)
{
    int phase = atomic_load(&r->phase);
    int64_t elapsed = now - atomic_load(&r->since_ms);
    if (phase == PHASE_HEADERS && elapsed > d->header_ms)
        return "its request line and headers took longer than [host] header_timeout";
    if (phase == PHASE_BODY && elapsed > d->body_ms)
        return "its request body took longer than [host] body_timeout";
    if (phase == PHASE_BODY && elapsed > d->header_ms &&
        atomic_load(&r->body_bytes) * 1000 < (uint64_t)(elapsed - d->header_ms) * d->min_rate)
        return "its request body arrived slower than [host] body_min_rate";
    return NULL;
}

static void *watch(void *arg)
{
    web_deadline_t *d = arg;
    pthread_mutex_lock(&d->lock);
    while (!d->stopping) {
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_nsec += TICK_MS * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        while (!d->stopping && pthread_cond_timedwait(&d->wake, &d->lock, &until) != ETIMEDOUT) {
        }
        int64_t now = now_ms();
        for (tracked_t *r = d->head; r != NULL && !d->stopping; r = r->next) {
            const char *why = late(d, r, now);
            if (why == NULL)
                continue;
            atomic_store(&r->phase, PHASE_CUT);
            shutdown(r->fd, SHUT_RDWR); /* libmicrohttpd sees the end of the stream and closes the connection */
            fprintf(stderr, "sample-host: closed a connection from %s: %s\n", r->addr, why);
        }
    }
    pthread_mutex_unlock(&d->lock);
    return NULL;
}

int web_deadline_start(web_deadline_t **out, unsigned header_timeout, unsigned body_timeout,
                       unsigned body_min_rate, char *err, size_t err_len)
{
    *out = NULL;
    web_deadline_t *d = calloc(1, sizeof *d);
    if (d == NULL) {
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    d->header_ms = (int64_t)header_timeout * 1000;
    d->body_ms = (int64_t)body_timeout * 1000;
    d->min_rate = body_min_rate;
    pthread_mutex_init(&d->lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&d->wake, &attr);
    pthread_condattr_destroy(&attr);
    if (pthread_create(&d->thread, NULL, watch, d) != 0) {
        snprintf(err, err_len, "cannot start the request deadline thread");
        pthread_cond_destroy(&d->wake);
        pthread_mutex_destroy(&d->lock);
        free(d);
        return -1;
    }
    *out = d;
    return 0;
}

void web_deadline_stop(web_deadline_t *d)
{
    if (d == NULL)
        return;
    pthread_mutex_lock(&d->lock);
    d->stopping = 1;
    pthread_cond_signal(&d->wake);
    pthread_mutex_unlock(&d->lock);
    pthread_join(d->thread, NULL);
    pthread_cond_destroy(&d->wake);
    pthread_mutex_destroy(&d->lock);
    free(d);
}
