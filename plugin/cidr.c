/* cidr.c - parsing and formatting of allow-list entries and client addresses (see cidr.h). */
#include "cidr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "panel/plugin.h"

static uint64_t be64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

static void put_be64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (uint8_t)v;
        v >>= 8;
    }
}

/* Strict dotted-quad IPv4 ("a.b.c.d", each 0..255 without leading zeros, as inet_pton accepts it), parsed by
 * hand: it is on the path of every invalid key (the throttle), where inet_pton's generality costs. 0 or -1. */
static int parse_v4(const char *p, uint32_t *out)
{
    uint32_t v = 0;
    for (int part = 0; part < 4; part++) {
        unsigned n = (unsigned)(unsigned char)*p - '0', d;
        if (n > 9)
            return -1;
        p++;
        if ((d = (unsigned)(unsigned char)*p - '0') <= 9) {
            if (n == 0)
                return -1; /* a leading zero */
            n = n * 10 + d;
            p++;
            if ((d = (unsigned)(unsigned char)*p - '0') <= 9) {
                n = n * 10 + d;
                p++;
                if (n > 255)
                    return -1;
            }
        }
        v = v << 8 | n;
        if (part < 3 && *p++ != '.')
            return -1;
    }
    if (*p != '\0')
        return -1; /* a fourth digit, a port, a prefix... */
    *out = v;
    return 0;
}

/* Parses an address without a prefix; *v4 = 1 when it was written as IPv4. 0 or -1. */
static int parse_bare(const char *text, cidr_addr_t *out, int *v4)
{
    *v4 = strchr(text, ':') == NULL;
    if (*v4) {
        uint32_t a;
        if (parse_v4(text, &a) != 0)
            return -1;
        out->hi = 0;
        out->lo = 0xFFFF00000000ull | a;
        return 0;
    }
    uint8_t b[16];
    if (inet_pton(AF_INET6, text, b) != 1)
        return -1;
    out->hi = be64(b);
    out->lo = be64(b + 8);
    return 0;
}

int cidr_addr_parse(const char *text, cidr_addr_t *out)
{
    if (!text)
        return -1;
    uint32_t a;
    if (parse_v4(text, &a) == 0) { /* the common case first, without scanning for ':' */
        out->hi = 0;
        out->lo = 0xFFFF00000000ull | a;
        return 0;
    }
    if (strnlen(text, 64) >= 64 || !strchr(text, ':'))
        return -1;
    int v4;
    return parse_bare(text, out, &v4);
}

void cidr_addr_format(const cidr_addr_t *addr, char *out, size_t out_len)
{
    uint8_t b[16];
    put_be64(b, addr->hi);
    put_be64(b + 8, addr->lo);
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
    char text[INET6_ADDRSTRLEN] = "?";
    if (memcmp(b, mapped, sizeof mapped) == 0)
        inet_ntop(AF_INET, b + 12, text, sizeof text);
    else
        inet_ntop(AF_INET6, b, text, sizeof text);
    snprintf(out, out_len, "%s", text);
}

static uint64_t mask_of(unsigned bits) /* the top `bits` (0..64) of a 64-bit half */
{
    return bits == 0 ? 0 : bits >= 64 ? UINT64_MAX : ~(UINT64_MAX >> bits);
}

/* Parses one trimmed item item[0..n). 0, or -1 with err naming it. */
static int parse_item(const char *item, size_t n, unsigned index, cidr_t *out, char *err, size_t err_len)
{
    char text[CIDR_ITEM_MAX];
    if (n >= sizeof text) {
        snprintf(err, err_len, "allowed IP %u (\"%.40s...\") is too long to be an address or CIDR", index, item);
        return -1;
    }
    memcpy(text, item, n);
    text[n] = '\0';
    char *slash = strchr(text, '/');
    if (slash)
        *slash = '\0';
    cidr_addr_t addr;
    int v4;
    if (parse_bare(text, &addr, &v4) != 0) {
        snprintf(err, err_len,
                 "allowed IP %u (\"%.*s\") is not an IPv4 or IPv6 address or CIDR; write e.g. 203.0.113.7, "
                 "10.0.0.0/8 or 2001:db8::/32",
                 index, (int)n, item);
        return -1;
    }
    unsigned max = v4 ? 32 : 128, prefix = max;
    if (slash) {
        const char *p = slash + 1;
        size_t digits = strlen(p);
        int ok = digits >= 1 && digits <= 3 && (digits == 1 || p[0] != '0');
        prefix = 0;
        for (size_t i = 0; ok && i < digits; i++) {
            ok = p[i] >= '0' && p[i] <= '9';
            prefix = prefix * 10 + (unsigned)(p[i] - '0');
        }
        if (!ok || prefix > max) {
            snprintf(err, err_len, "allowed IP %u (\"%.*s\") has a bad prefix length: %s needs /0 to /%u", index,
                     (int)n, item, v4 ? "IPv4" : "IPv6", max);
            return -1;
        }
    }
    unsigned bits = v4 ? prefix + 96 : prefix;
    out->mask.hi = mask_of(bits > 64 ? 64 : bits);
    out->mask.lo = mask_of(bits > 64 ? bits - 64 : 0);
    out->net.hi = addr.hi & out->mask.hi;
    out->net.lo = addr.lo & out->mask.lo;
    if (out->net.hi != addr.hi || out->net.lo != addr.lo) {
        char net[64];
        cidr_addr_format(&out->net, net, sizeof net);
        snprintf(err, err_len, "allowed IP %u (\"%.*s\") has bits set after the /%u prefix; did you mean %s/%u?",
                 index, (int)n, item, prefix, net, prefix);
        return -1;
    }
    return 0;
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

int32_t cidr_list_parse(const char *text, size_t len, cidr_list_t *out, char *canon, size_t canon_len, char *err,
                        size_t err_len)
{
    out->n = 0;
    size_t pos = 0;
    if (canon && canon_len)
        canon[0] = '\0';
    if (memchr(text, '\0', len)) {
        snprintf(err, err_len, "the allowed IPs contain a NUL byte; write CIDRs separated by commas");
        return PANEL_E_INVALID;
    }
    size_t start = 0;
    while (start < len && is_blank(text[start]))
        start++;
    if (start == len)
        return PANEL_OK; /* the empty list: any address */
    unsigned index = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && text[i] != ',')
            continue;
        const char *item = text + start;
        size_t n = i - start;
        while (n && is_blank(item[0]))
            item++, n--;
        while (n && is_blank(item[n - 1]))
            n--;
        index++;
        if (n == 0) {
            snprintf(err, err_len, "allowed IP %u is empty; write CIDRs separated by single commas", index);
            return PANEL_E_INVALID;
        }
        for (size_t k = 0; k < n; k++)
            if ((unsigned char)item[k] < 0x21 || (unsigned char)item[k] > 0x7E) {
                snprintf(err, err_len,
                         "allowed IP %u contains a space or a character outside printable ASCII; write CIDRs such "
                         "as 10.0.0.0/8 separated by commas",
                         index);
                return PANEL_E_INVALID;
            }
        if (out->n == CIDR_LIST_MAX) {
            snprintf(err, err_len, "at most %u allowed IPs can be given; use wider CIDRs to cover more addresses",
                     CIDR_LIST_MAX);
            return PANEL_E_INVALID;
        }
        cidr_t c;
        if (parse_item(item, n, index, &c, err, err_len) != 0)
            return PANEL_E_INVALID;
        for (uint32_t k = 0; k < out->n; k++)
            if (memcmp(&out->items[k], &c, sizeof c) == 0) {
                snprintf(err, err_len, "allowed IP %u (\"%.*s\") repeats allowed IP %u; give each CIDR once", index,
                         (int)n, item, k + 1);
                return PANEL_E_INVALID;
            }
        out->items[out->n++] = c;
        if (canon && canon_len) {
            int w = snprintf(canon + pos, canon_len - pos, "%s%.*s", pos ? "," : "", (int)n, item);
            if (w < 0 || (size_t)w >= canon_len - pos) {
                snprintf(err, err_len, "the allowed IPs are too long");
                return PANEL_E_INVALID;
            }
            pos += (size_t)w;
        }
        start = i + 1;
    }
    return PANEL_OK;
}
