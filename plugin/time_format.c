/* time_format.c - formatting Unix times for messages and status lines (UTC). */
#include "time_format.h"

#include <stdio.h>
#include <time.h>

void apikeys_format_time(int64_t t, char *out, size_t out_len)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm)) {
        snprintf(out, out_len, "(invalid time)");
        return;
    }
    snprintf(out, out_len, "%04d-%02d-%02d %02d:%02d UTC", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
             tm.tm_hour, tm.tm_min);
}
