/* cidr.h - IP allow-lists: parsing a comma-separated list of CIDRs (IPv4 and IPv6, a bare address meaning
 * /32 or /128) into 128-bit network/mask pairs, and matching a client address against them.
 * IPv4 is held as its IPv4-mapped IPv6 form (::ffff:a.b.c.d), so "10.0.0.0/8" and "::ffff:10.0.0.0/104" are
 * the same entry and a client seen as ::ffff:10.1.2.3 matches 10.0.0.0/8. Pure functions: no allocation, no
 * state; the list is parsed once at snapshot load and matched per request. */
#ifndef APIKEYS_CIDR_H
#define APIKEYS_CIDR_H

#include <stddef.h>
#include <stdint.h>

#define CIDR_LIST_MAX 50u          /* entries of one allow-list (Pterodactyl's bound) */
#define CIDR_ITEM_MAX 64u          /* bytes of one written entry, e.g. "ffff:...:ffff/128" */

/* An address as two big-endian 64-bit halves (hi = bytes 0..7). */
typedef struct cidr_addr {
    uint64_t hi, lo;
} cidr_addr_t;

typedef struct cidr {
    cidr_addr_t net;               /* network bits, host bits zero */
    cidr_addr_t mask;
} cidr_t;

typedef struct cidr_list {
    uint32_t n;                    /* 0: the empty list (any address) */
    cidr_t items[CIDR_LIST_MAX];
} cidr_list_t;

/* Parses text[0..len) ("" or "a, b,c"; spaces and tabs around items are ignored) into out and, when canon is
 * non-NULL, writes the canonical form ("a,b,c", items as written, trimmed) into canon[0..canon_len).
 * PANEL_OK, or PANEL_E_INVALID with a message naming the bad item and what to write instead. */
int32_t cidr_list_parse(const char *text, size_t len, cidr_list_t *out, char *canon, size_t canon_len, char *err,
                        size_t err_len);

/* Parses a client address ("203.0.113.7", "2001:db8::1", "::ffff:203.0.113.7"). 0, or -1 when it is none
 * (NULL, "local", a port or zone suffix, junk). */
int cidr_addr_parse(const char *text, cidr_addr_t *out);

/* 1 when addr is inside one of the list's entries (never for the empty list: check n first). */
static inline int cidr_list_match(const cidr_list_t *list, const cidr_addr_t *addr)
{
    for (uint32_t i = 0; i < list->n; i++) {
        const cidr_t *c = &list->items[i];
        if ((addr->hi & c->mask.hi) == c->net.hi && (addr->lo & c->mask.lo) == c->net.lo)
            return 1;
    }
    return 0;
}

/* Writes addr as text (IPv4 for a mapped address) into out[0..out_len) (>= 46). */
void cidr_addr_format(const cidr_addr_t *addr, char *out, size_t out_len);

#endif
