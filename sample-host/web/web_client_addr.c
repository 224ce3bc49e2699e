/* web_client_addr.c - trusted proxies and X-Forwarded-For (see web_client_addr.h): the walk over the header's
 * hops, and the request's peer address and header lines read from libmicrohttpd. */
#include "web_client_addr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

/* Parses an address into cidr (family and bytes); IPv4-mapped IPv6 becomes IPv4. Returns 1 on success. */
static int parse_address(const char *text, size_t n, web_cidr_t *out)
{
    char buf[INET6_ADDRSTRLEN + 1];
    if (n == 0 || n >= sizeof buf)
        return 0;
    memcpy(buf, text, n);
    buf[n] = '\0';
    if (buf[0] == '[' && n > 2 && buf[n - 1] == ']') { /* "[v6]" as some proxies write it */
        memmove(buf, buf + 1, n - 2);
        buf[n - 2] = '\0';
    }
    memset(out, 0, sizeof *out);
    if (inet_pton(AF_INET, buf, out->addr) == 1) {
        out->family = AF_INET;
        out->prefix = 32;
        return 1;
    }
    if (inet_pton(AF_INET6, buf, out->addr) == 1) {
        static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        if (memcmp(out->addr, mapped, sizeof mapped) == 0) {
            memmove(out->addr, out->addr + 12, 4);
            memset(out->addr + 4, 0, 12);
            out->family = AF_INET;
            out->prefix = 32;
            return 1;
        }
        out->family = AF_INET6;
        out->prefix = 128;
        return 1;
    }
    return 0;
}

int web_proxies_parse(const char *value, web_proxies_t *out, char *err, size_t err_len)
{
    memset(out, 0, sizeof *out);
    const char *p = value != NULL ? value : "";
    for (;;) {
        p += strspn(p, " \t,");
        if (*p == '\0')
            return 0;
        size_t n = strcspn(p, " \t,");
        const char *slash = memchr(p, '/', n);
        size_t addr_len = slash != NULL ? (size_t)(slash - p) : n;
        web_cidr_t cidr;
        int ok = parse_address(p, addr_len, &cidr);
        if (ok && slash != NULL) {
            unsigned max = cidr.family == AF_INET ? 32 : 128;
            char *end = NULL;
            unsigned long prefix = slash + 1 < p + n ? strtoul(slash + 1, &end, 10) : max + 1;
            ok = end == p + n && prefix <= max && slash[1] >= '0' && slash[1] <= '9';
            cidr.prefix = (unsigned)prefix;
        }
        if (!ok) {
            snprintf(err, err_len, "[host] trusted_proxies: '%.*s' is not an address or CIDR; write e.g. "
                     "trusted_proxies = 127.0.0.1 10.0.0.0/8 fd00::/8 (the proxies in front of the panel)",
                     (int)(n > 64 ? 64 : n), p);
            return -1;
        }
        if (out->n >= WEB_PROXIES_MAX) {
            snprintf(err, err_len, "[host] trusted_proxies lists more than %d items; use wider CIDRs",
                     WEB_PROXIES_MAX);
            return -1;
        }
        out->items[out->n++] = cidr;
        p += n;
    }
}

static int cidr_contains(const web_cidr_t *cidr, const web_cidr_t *addr)
{
    if (cidr->family != addr->family)
        return 0;
    unsigned full = cidr->prefix / 8, rest = cidr->prefix % 8;
    if (memcmp(cidr->addr, addr->addr, full) != 0)
        return 0;
    if (rest == 0)
        return 1;
    unsigned char mask = (unsigned char)(0xFF << (8 - rest));
    return (cidr->addr[full] & mask) == (addr->addr[full] & mask);
}

static int contains(const web_proxies_t *proxies, const web_cidr_t *addr)
{
    for (size_t i = 0; i < proxies->n; i++)
        if (cidr_contains(&proxies->items[i], addr))
            return 1;
    return 0;
}

static void write_address(const web_cidr_t *a, char *out, size_t out_len)
{
    char text[INET6_ADDRSTRLEN] = "";
    inet_ntop(a->family, a->addr, text, sizeof text);
    snprintf(out, out_len, "%s", text);
}

/* One X-Forwarded-For header line of a request: its value and length (not NUL-terminated). */
typedef struct web_forwarded_line {
    const char *value;
    size_t len;
} web_forwarded_line_t;

static int is_ows(char c)
{
    return c == ' ' || c == '\t';
}

/* The client address from the peer and the X-Forwarded-For lines (see web_client_addr_of). 0 or -1. */
static int client_addr_walk(const web_proxies_t *proxies, const char *peer, const web_forwarded_line_t *lines,
                            size_t n_lines, char *out, size_t out_len)
{
    web_cidr_t peer_addr;
    if (!parse_address(peer, strlen(peer), &peer_addr)) {
        snprintf(out, out_len, "%s", peer);
        return 0;
    }
    write_address(&peer_addr, out, out_len);
    if (n_lines == 0 || !contains(proxies, &peer_addr))
        return 0;
    /* Walk the hops from the right (the last line's last hop first): each trusted one vouches for the hop left
     * of it. Only the hops up to the first untrusted one are read, whatever the length of the rest; empty list
     * elements are skipped (RFC 9110, 5.6.1). */
    int hops = 0;
    for (size_t line = n_lines; line-- > 0;) {
        const char *text = lines[line].value != NULL ? lines[line].value : "";
        size_t end = lines[line].len;
        for (;;) {
            size_t start = end;
            while (start > 0 && text[start - 1] != ',')
                start--;
            size_t a = start, b = end;
            while (a < b && is_ows(text[a]))
                a++;
            while (b > a && is_ows(text[b - 1]))
                b--;
            if (b > a) {
                web_cidr_t hop;
                if (!parse_address(text + a, b - a, &hop))
                    return -1; /* a trusted proxy vouched for something that is not an address */
                hops++;
                write_address(&hop, out, out_len);
                if (!contains(proxies, &hop))
                    return 0;
            }
            if (start == 0)
                break;
            end = start - 1;
        }
    }
    /* every hop was a trusted proxy: the left-most one is the client; no hop at all is unreadable */
    return hops > 0 ? 0 : -1;
}

/* The X-Forwarded-For header lines of a request, in the order received: counted (items NULL), then listed. */
typedef struct forwarded_lines {
    web_forwarded_line_t *items;
    size_t n;
} forwarded_lines_t;

static enum MHD_Result list_forwarded(void *cls, enum MHD_ValueKind kind, const char *key, size_t key_size,
                                      const char *value, size_t value_size)
{
    forwarded_lines_t *f = cls;
    (void)kind;
    if (key == NULL || key_size != 15 || strncasecmp(key, "X-Forwarded-For", 15) != 0)
        return MHD_YES;
    if (f->items != NULL) {
        f->items[f->n].value = value;
        f->items[f->n].len = value != NULL ? value_size : 0;
    }
    f->n++;
    return MHD_YES;
}

int web_client_addr_of(const web_proxies_t *proxies, struct MHD_Connection *conn, char *out, size_t out_len)
{
    char peer[INET6_ADDRSTRLEN] = "unknown";
    snprintf(out, out_len, "unknown");
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (info == NULL || info->client_addr == NULL)
        return 0;
    const struct sockaddr *sa = info->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, peer, sizeof peer);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, peer, sizeof peer);
    forwarded_lines_t lines = {NULL, 0};
    if (proxies->n > 0)
        MHD_get_connection_values_n(conn, MHD_HEADER_KIND, list_forwarded, &lines);
    if (lines.n > 0) {
        size_t count = lines.n;
        lines.items = calloc(count, sizeof *lines.items);
        if (lines.items == NULL) {
            snprintf(out, out_len, "%s", peer);
            return -1;
        }
        lines.n = 0;
        MHD_get_connection_values_n(conn, MHD_HEADER_KIND, list_forwarded, &lines);
        if (lines.n > count)
            lines.n = count; /* cannot happen: the headers do not change between the two passes */
    }
    int rc = client_addr_walk(proxies, peer, lines.items, lines.n, out, out_len);
    free(lines.items);
    if (rc != 0)
        snprintf(out, out_len, "%s", peer);
    return rc;
}
