/* pg_trace.h - a timeline of the PostgreSQL backend's round trips and waits, for finding where a confirmed change
 * spends its time (docs/pg-reset-trace.md). Off unless built with -DAPIKEYS_PG_TRACE (then PG_TRACE records an
 * event: this process's monotonic clock, the calling thread's name and a line); in every other build each
 * PG_TRACE is nothing, its arguments not even evaluated. Never give it a key or anything derived from one. */
#ifndef APIKEYS_PG_TRACE_H
#define APIKEYS_PG_TRACE_H

#include <stdio.h>

#ifdef APIKEYS_PG_TRACE
/* [thread-safe] Forgets the events so far and starts the timeline at now. */
void pg_trace_start(void);
/* [thread-safe] Names the calling thread's events (a string that outlives the thread; "writer" by default). */
void pg_trace_name(const char *name);
/* [thread-safe] Records one event (printf-style) when the timeline is started; at most 256 per timeline. */
void pg_trace(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Writes the timeline so far, oldest first, in milliseconds since pg_trace_start(). Call it when no other thread
 * records (or accept a missing last event). */
void pg_trace_print(FILE *out);
#define PG_TRACE(...) pg_trace(__VA_ARGS__)
#define PG_TRACE_NAME(name) pg_trace_name(name)
#else
#define PG_TRACE(...) ((void)0)
#define PG_TRACE_NAME(name) ((void)0)
#endif

#endif
