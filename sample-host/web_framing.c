/* web_framing.c - request framing checks (see web_framing.h): one pass over the request's headers
 * (MHD_get_connection_values_n) looking at each value's bytes, and at what follows it in libmicrohttpd's read
 * buffer, so a value cut at an embedded NUL is seen too. */
#include "web_framing.h"

#include <string.h>
#include <strings.h>

typedef struct framing_scan {
    const char *content_length; /* the first Content-Length value */
    size_t content_length_size;
    int transfer_encoding;
    const char *problem;
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
        scan->transfer_encoding = 1;
    }
    return MHD_YES;
}

const char *web_framing_problem(struct MHD_Connection *conn)
{
    framing_scan_t scan = {NULL, 0, 0, NULL};
    MHD_get_connection_values_n(conn, MHD_HEADER_KIND, scan_header, &scan);
    if (scan.problem == NULL && scan.content_length != NULL && scan.transfer_encoding)
        scan.problem = "The request has both Content-Length and Transfer-Encoding; send one of them only.\n";
    return scan.problem;
}
