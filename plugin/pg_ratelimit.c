/* pg_ratelimit.c - the rate-limit shares' part of a node's lease renewal (ratelimit_share.h): the demand this
 * node reports as the renewal's parameters (its row's rl_keys, rl_demand, rl_shares, schema 7), and the shares it
 * takes from what the renewal returns (the other live nodes' number and their summed demand per key). No round
 * trip of its own. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "limiter.h"
#include "store_postgresql.h"

int pg_ratelimit_start(pg_store_t *p)
{
    pg_node_t *n = &p->node;
    n->ratelimit_round = malloc(sizeof *n->ratelimit_round);
    if (!n->ratelimit_round)
        return -1;
    n->ratelimit_round->n_mine = 0;
    if (p->args.rate_shares && ratelimit_shares_start(p->args.rate_shares) != 0) {
        free(n->ratelimit_round);
        n->ratelimit_round = NULL;
        return -1;
    }
    return 0;
}

void pg_ratelimit_stop(pg_store_t *p)
{
    if (!p->node.ratelimit_round)
        return;
    if (p->args.rate_shares)
        ratelimit_shares_stop(p->args.rate_shares);
    free(p->node.ratelimit_round);
    p->node.ratelimit_round = NULL;
}

/* Appends a value to a text array being built ("{1,2"); 0, or -1 when it does not fit. */
static int append(char *buf, size_t len, size_t *at, const char *value)
{
    int n = snprintf(buf + *at, len - *at, "%s%s", *at > 1 ? "," : "", value);
    if (n < 0 || (size_t)n >= len - *at - 1) /* room for the closing brace */
        return -1;
    *at += (size_t)n;
    return 0;
}

void pg_ratelimit_report(pg_store_t *p, pg_ratelimit_round_t *r)
{
    ratelimit_shares_t *shares = p->args.rate_shares;
    r->n_mine = shares ? ratelimit_share_report(shares, limiter_now_ns(), r->mine, RATELIMIT_REPORT_MAX) : 0;
    size_t at_keys = 1, at_demand = 1, at_shares = 1;
    strcpy(r->keys, "{");
    strcpy(r->demand, "{");
    strcpy(r->shares, "{");
    for (size_t i = 0; i < r->n_mine; i++) {
        char key[24], demand[32], share[32];
        snprintf(key, sizeof key, "%lld", (long long)r->mine[i].key);
        snprintf(demand, sizeof demand, "%.3f", r->mine[i].per_minute);
        snprintf(share, sizeof share, "%.5f", r->mine[i].share);
        if (append(r->keys, sizeof r->keys, &at_keys, key) != 0 ||
            append(r->demand, sizeof r->demand, &at_demand, demand) != 0 ||
            append(r->shares, sizeof r->shares, &at_shares, share) != 0)
            break; /* cannot happen at RATELIMIT_REPORT_MAX rows; the arrays stay the same length anyway */
    }
    strcat(r->keys, "}");
    strcat(r->demand, "}");
    strcat(r->shares, "}");
}

/* Parses a PostgreSQL text array of numbers ("{1,2.5}"; "" for NULL) into out[0..max) as doubles. */
static size_t parse_array(const char *text, double *out, size_t max)
{
    size_t n = 0;
    if (*text++ != '{')
        return 0;
    while (*text && *text != '}' && n < max) {
        char *end;
        double v = strtod(text, &end);
        if (end == text)
            break;
        out[n++] = v;
        text = *end == ',' ? end + 1 : end;
    }
    return n;
}

void pg_ratelimit_take(pg_store_t *p, const pg_ratelimit_round_t *r, PGresult *res, int col)
{
    ratelimit_shares_t *shares = p->args.rate_shares;
    if (!shares || PQntuples(res) != 1 || PQnfields(res) < col + 3)
        return;
    double column[2][RATELIMIT_REPORT_MAX];
    size_t n = RATELIMIT_REPORT_MAX;
    for (int c = 0; c < 2; c++) {
        size_t got = parse_array(PQgetvalue(res, 0, col + 1 + c), column[c], RATELIMIT_REPORT_MAX);
        n = got < n ? got : n;
    }
    ratelimit_others_t others[RATELIMIT_REPORT_MAX];
    for (size_t i = 0; i < n; i++)
        others[i] = (ratelimit_others_t){(int64_t)column[0][i], column[1][i]};
    uint32_t nodes = (uint32_t)strtoul(PQgetvalue(res, 0, col), NULL, 10);
    ratelimit_share_take_shares(shares, nodes, others, n, r->mine, r->n_mine, limiter_now_ns());
}
