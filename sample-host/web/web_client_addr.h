/* web_client_addr.h - which address a request comes from: the peer's, or, when the peer is one of the
 * proxies of [host] trusted_proxies (CIDRs, default none), the first address of X-Forwarded-For that is not a
 * trusted proxy, read from the right (the proxies append; everything left of the last trusted hop is the
 * client's own claim, never read; a hop the walk reaches that is not an address makes the request unreadable:
 * 400). web_server.c asks it for every request. */
#ifndef SAMPLE_HOST_WEB_CLIENT_ADDR_H
#define SAMPLE_HOST_WEB_CLIENT_ADDR_H

#include <stddef.h>

#include <microhttpd.h>

#define WEB_PROXIES_MAX 32

typedef struct web_cidr {
    int family;                 /* AF_INET or AF_INET6 */
    unsigned char addr[16];     /* network byte order; 4 bytes used for AF_INET */
    unsigned prefix;            /* 0..32 or 0..128 */
} web_cidr_t;

typedef struct web_proxies {
    size_t n;
    web_cidr_t items[WEB_PROXIES_MAX];
} web_proxies_t;

/* Parses [host] trusted_proxies: CIDRs or single addresses separated by spaces or commas, e.g.
 * "127.0.0.1 10.0.0.0/8 fd00::/8" (NULL or "": none). Returns 0, or -1 with err naming the bad item. */
int web_proxies_parse(const char *value, web_proxies_t *out, char *err, size_t err_len);

/* The client address of the request on conn into out: the peer's address itself unless the peer is a trusted
 * proxy and the request has X-Forwarded-For lines (several lines are one list, in the order received, RFC 9110
 * 5.3); then the right-most hop that is not a trusted proxy, or the left-most hop when all are. The walk reads
 * only the hops right of the one it stops at, so the length of what the client itself wrote (left of them)
 * does not matter. IPv4-mapped addresses are written as IPv4. Returns 0, or -1 when the peer is a trusted proxy
 * and the walk meets a hop that is not an IP address, or finds no hop at all: the client cannot be told
 * (answer 400; never take the proxy for the client); out then holds the peer's address, for the log. */
int web_client_addr_of(const web_proxies_t *proxies, struct MHD_Connection *conn, char *out, size_t out_len);

#endif /* SAMPLE_HOST_WEB_CLIENT_ADDR_H */
