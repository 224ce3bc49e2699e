/* fuzz_cidr_list.c - libFuzzer target: the allowed_ips parser (plugin/cidr.c) on any bytes, without a NUL at
 * the end so a read past it is an overflow, with message buffers of every small size. Findings besides
 * sanitizer reports: a status other than PANEL_OK or PANEL_E_INVALID; a refusal without a message or with one
 * not NUL-terminated; an accepted list with more than 50 entries, an entry with bits outside its mask or a
 * mask that is not a prefix; a canonical form that parses to a different list; an entry that does not match
 * its own network address. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugin/cidr.h"
#include "panel/plugin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void finding(const char *what)
{
    fprintf(stderr, "FINDING: %s\n", what);
    abort();
}

static int is_prefix_mask(uint64_t hi, uint64_t lo)
{
    if (hi != UINT64_MAX && lo != 0)
        return 0;
    uint64_t inv_hi = ~hi, inv_lo = ~lo;
    return (inv_hi & (inv_hi + 1)) == 0 && (inv_lo & (inv_lo + 1)) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size ? size : 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    static cidr_list_t list, again;
    static char canon[8192], canon2[8192];
    char err[512];
    size_t err_len = size ? 1 + data[0] % sizeof err : sizeof err;
    memset(err, 'x', sizeof err);
    int32_t rc = cidr_list_parse(text, size, &list, canon, sizeof canon, err, err_len);
    if (rc != PANEL_OK && rc != PANEL_E_INVALID)
        finding("a status other than PANEL_OK or PANEL_E_INVALID");
    if (rc != PANEL_OK && (memchr(err, '\0', err_len) == NULL || (err_len > 1 && err[0] == '\0')))
        finding("a refusal without a NUL-terminated message");
    if (rc == PANEL_OK) {
        if (list.n > CIDR_LIST_MAX)
            finding("more entries than CIDR_LIST_MAX");
        for (uint32_t i = 0; i < list.n; i++) {
            const cidr_t *c = &list.items[i];
            if ((c->net.hi & ~c->mask.hi) || (c->net.lo & ~c->mask.lo))
                finding("an entry with bits outside its mask");
            if (!is_prefix_mask(c->mask.hi, c->mask.lo))
                finding("a mask that is not a prefix");
            cidr_list_t one = {1, {*c}};
            if (!cidr_list_match(&one, &c->net))
                finding("an entry that does not match its own network");
        }
        if (cidr_list_parse(canon, strlen(canon), &again, canon2, sizeof canon2, err, sizeof err) != PANEL_OK ||
            again.n != list.n || memcmp(again.items, list.items, list.n * sizeof list.items[0]) != 0 ||
            strcmp(canon, canon2) != 0)
            finding("the canonical form parses to a different list");
    }
    free(text);
    return 0;
}
