/* time_format.h - how the plugin shows times: "YYYY-MM-DD HH:MM UTC". */
#ifndef APIKEYS_TIME_FORMAT_H
#define APIKEYS_TIME_FORMAT_H

#include <stddef.h>
#include <stdint.h>

/* Writes t (Unix seconds) as "YYYY-MM-DD HH:MM UTC" into out (>= 24 bytes). */
void apikeys_format_time(int64_t t, char *out, size_t out_len);

#endif
