/* web_framing.c - request framing checks (see web_framing.h): one pass over the request's headers
 * (MHD_get_connection_values_n) looking at each value's bytes, and at what follows it in libmicrohttpd's read
 * buffer, so a value cut at an embedded NUL is seen too. */
#include "web_framing.h"

#include <string.h>
#include <strings.h>

typedef struct framing_scan {
    const char *content_length; /* the first Content-Length value */
    size_t content_length_size;
    int transfer_encoding;      /* Transfer-Encoding lines */
    unsigned codings;           /* transfer codings named in them (one list, in order) */
    int last_is_chunked;        /* the last of them is chunked */
    const char *problem;
    int status;                 /* of the problem: 400, or 501 for a transfer coding the server lacks */
} framing_scan_t;

static int has_control_byte(const char *value, size_t size)
{
    for (size_t i = 0; i < size; i++) {
        unsigned char c = (unsigned char)value[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return 1;
    }
    return 0;
}

/* 1 when a NUL byte inside the header line cut `value` short. libmicrohttpd up to 0.9.75 parses the request in
 * its read buffer, replacing the line's CR and LF by NULs, and reports values by strlen: so a value that ends
 * where its line ended is followed by two NULs, while one cut at an embedded NUL is followed by the rest of the
 * line. (A bare-LF line ending looks like the latter too, and is refused with it: every client we serve sends
 * CR LF, and bare LF is itself a smuggling vector.) Later versions report the real value size and refuse NUL
 * bytes themselves, so the size check in has_control_byte suffices there. */
static int cut_at_nul(const char *value, size_t size)
{
#if MHD_VERSION <= 0x00097500
    return value != NULL && value[size] == '\0' && value[size + 1] != '\0';
#else
    (void)value;
    (void)size;
    return 0;
#endif
}

static int is_ows(char c)
{
    return c == ' ' || c == '\t';
}

/* Adds the transfer codings of one Transfer-Encoding value (a comma-separated list; empty elements are
 * skipped) to the scan, remembering whether the last one is chunked, as libmicrohttpd reads it: the word alone,
 * in any case, without parameters. */
static void scan_codings(framing_scan_t *scan, const char *value, size_t size)
{
    size_t i = 0;
    while (i <= size) {
        size_t start = i;
        while (i < size && value[i] != ',')
            i++;
        size_t a = start, b = i;
        while (a < b && is_ows(value[a]))
            a++;
        while (b > a && is_ows(value[b - 1]))
            b--;
        if (b > a) {
            scan->codings++;
            scan->last_is_chunked = b - a == 7 && strncasecmp(value + a, "chunked", 7) == 0;
        }
        i++; /* past the comma (or the end) */
    }
}

static enum MHD_Result scan_header(void *cls, enum MHD_ValueKind kind, const char *key, size_t key_size,
                                   const char *value, size_t value_size)
{
    framing_scan_t *scan = cls;
    (void)kind;
    if (value == NULL)
        value_size = 0;
    if (cut_at_nul(value, value_size)) {
        scan->problem = "A request header line holds a NUL byte or does not end with CR LF; send printable header "
                        "values and CR LF line ends.\n";
        return MHD_NO;
    }
    if (has_control_byte(key, key_size) || has_control_byte(value, value_size)) {
        scan->problem = "A request header holds a NUL or control byte; send printable header values only.\n";
        return MHD_NO;
    }
    if (key_size == 14 && strncasecmp(key, "Content-Length", 14) == 0) {
        if (scan->content_length != NULL &&
            (scan->content_length_size != value_size || memcmp(scan->content_length, value, value_size) != 0)) {
            scan->problem = "The request has two different Content-Length headers; send exactly one.\n";
            return MHD_NO;
        }
        scan->content_length = value;
        scan->content_length_size = value_size;
    } else if (key_size == 17 && strncasecmp(key, "Transfer-Encoding", 17) == 0) {
        scan->transfer_encoding++;
        scan_codings(scan, value != NULL ? value : "", value_size);
    }
    return MHD_YES;
}

const char *web_framing_problem(struct MHD_Connection *conn, int *status)
{
    framing_scan_t scan = {NULL, 0, 0, 0, 0, NULL, 400};
    MHD_get_connection_values_n(conn, MHD_HEADER_KIND, scan_header, &scan);
    if (scan.problem == NULL && scan.content_length != NULL && scan.transfer_encoding)
        scan.problem = "The request has both Content-Length and Transfer-Encoding; send one of them only.\n";
    if (scan.problem == NULL && scan.transfer_encoding && !scan.last_is_chunked)
        scan.problem = "The request's Transfer-Encoding does not end with chunked, so where its body ends cannot "
                       "be told; send the body chunked (Transfer-Encoding: chunked) or with a Content-Length.\n";
    if (scan.problem == NULL && scan.transfer_encoding && scan.codings > 1) {
        scan.problem = "The request's Transfer-Encoding names a coding other than chunked; this server "
                       "understands only Transfer-Encoding: chunked (or send a Content-Length).\n";
        scan.status = 501;
    }
    *status = scan.status;
    return scan.problem;
}
