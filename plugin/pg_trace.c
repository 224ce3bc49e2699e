/* pg_trace.c - the timeline of pg_trace.h (built only with -DAPIKEYS_PG_TRACE): a fixed array of events that
 * threads claim slots of with one atomic increment; printed sorted by time. */
#include "pg_trace.h"

#ifdef APIKEYS_PG_TRACE
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#define TRACE_EVENTS 256

typedef struct trace_event {
    int64_t ns;
    const char *who;
    char what[112];
} trace_event_t;

static trace_event_t events[TRACE_EVENTS];
static _Atomic int claimed, started;
static _Atomic int64_t start_ns;
static _Thread_local const char *thread_name = "writer";

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void pg_trace_start(void)
{
    atomic_store(&started, 0);
    atomic_store(&claimed, 0);
    atomic_store(&start_ns, now_ns());
    atomic_store(&started, 1);
}

void pg_trace_name(const char *name)
{
    thread_name = name;
}

void pg_trace(const char *fmt, ...)
{
    if (!atomic_load(&started))
        return;
    int64_t ns = now_ns();
    int i = atomic_fetch_add(&claimed, 1);
    if (i >= TRACE_EVENTS)
        return;
    events[i].ns = ns;
    events[i].who = thread_name;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(events[i].what, sizeof events[i].what, fmt, ap);
    va_end(ap);
}

static int by_time(const void *a, const void *b)
{
    const trace_event_t *x = a, *y = b;
    return (x->ns > y->ns) - (x->ns < y->ns);
}

void pg_trace_print(FILE *out)
{
    atomic_store(&started, 0);
    int n = atomic_load(&claimed);
    if (n > TRACE_EVENTS)
        n = TRACE_EVENTS;
    qsort(events, (size_t)n, sizeof events[0], by_time);
    int64_t t0 = atomic_load(&start_ns);
    for (int i = 0; i < n; i++)
        fprintf(out, "%8.3f  %-9s %s\n", (double)(events[i].ns - t0) / 1e6, events[i].who, events[i].what);
}
#else
typedef int pg_trace_is_off; /* ISO C wants a declaration in every translation unit */
#endif
