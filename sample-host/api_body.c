/* api_body.c - the API's body parsers (see api_body.h): a form reader that decodes every name and value
 * (refusing bad %-escapes) but keeps only `limit`, and a strict JSON reader (RFC 8259: UTF-8, no trailing
 * commas, no comments, no text after the value) that keeps only the whole numbers of "ids" and skips other
 * members with a bounded depth. Nothing here allocates or calls another module. */
#include "api_body.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define SEND_PULL "send a form body such as limit=10 (1 to 100; Content-Type: application/x-www-form-urlencoded)"
#define SEND_ACK "send a JSON body such as {\"ids\":[1,2,3]} with Content-Type: application/json"

static int refuse(char *err, size_t err_len, const char *what, const char *send)
{
    if (err_len > 0)
        snprintf(err, err_len, "%s; %s", what, send);
    return -1;
}

/* 1 when content_type (nullable: yes) names media type `want` (parameters such as charset allowed). */
static int media_type_is(const char *content_type, const char *want)
{
    if (content_type == NULL)
        return 1;
    const char *p = content_type;
    while (*p == ' ' || *p == '\t')
        p++;
    size_t n = strcspn(p, ";");
    while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
        n--;
    return n == strlen(want) && strncasecmp(p, want, n) == 0;
}

/* ----- form ---------------------------------------------------------------------------------------------- */

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes s[0..n) ('+' a space, %XX a byte) into out[0..out_max) (bytes past out_max are checked and
 * dropped); *out_len gets the decoded length, also past out_max. Returns 0, or -1 for a bad %-escape. */
static int form_decode(const char *s, size_t n, char *out, size_t out_max, size_t *out_len)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            if (i + 2 >= n)
                return -1;
            int hi = hex_digit(s[i + 1]);
            int lo = hex_digit(s[i + 2]);
            if (hi < 0 || lo < 0)
                return -1;
            c = (char)(hi * 16 + lo);
            i += 2;
        }
        if (o < out_max)
            out[o] = c;
        o++;
    }
    *out_len = o;
    return 0;
}

int api_body_pull_limit(const char *content_type, const char *body, size_t len, int *limit, char *err,
                        size_t err_len)
{
    *limit = API_PULL_LIMIT_DEFAULT;
    if (!media_type_is(content_type, "application/x-www-form-urlencoded"))
        return refuse(err, err_len, "the body of a pull is a form, not the Content-Type given", SEND_PULL);
    int seen = 0;
    size_t i = 0;
    while (i < len) {
        size_t end = i;
        while (end < len && body[end] != '&')
            end++;
        size_t eq = i;
        while (eq < end && body[eq] != '=')
            eq++;
        char name[8];
        char value[8];
        size_t name_len = 0, value_len = 0;
        if (form_decode(body + i, eq - i, name, sizeof name, &name_len) != 0 ||
            (eq < end && form_decode(body + eq + 1, end - eq - 1, value, sizeof value, &value_len) != 0))
            return refuse(err, err_len, "the body is not a valid form (a % must start an escape such as %20)",
                          SEND_PULL);
        if (name_len == 5 && memcmp(name, "limit", 5) == 0) {
            if (seen)
                return refuse(err, err_len, "limit is given twice", SEND_PULL);
            seen = 1;
            if (eq == end || value_len == 0)
                return refuse(err, err_len, "limit has no value", SEND_PULL);
            int v = 0;
            for (size_t k = 0; k < value_len; k++) {
                char c = k < sizeof value ? value[k] : 'x';
                if (c < '0' || c > '9' || v > API_PULL_LIMIT_MAX)
                    return refuse(err, err_len, "limit must be a whole number from 1 to 100", SEND_PULL);
                v = v * 10 + (c - '0');
            }
            if (v < 1 || v > API_PULL_LIMIT_MAX)
                return refuse(err, err_len, "limit must be a whole number from 1 to 100", SEND_PULL);
            *limit = v;
        }
        i = end + 1;
    }
    return 0;
}

/* ----- JSON ---------------------------------------------------------------------------------------------- */

typedef struct json_cursor {
    const unsigned char *p;
    const unsigned char *end;
} json_cursor_t;

static void skip_space(json_cursor_t *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

static int peek(const json_cursor_t *c)
{
    return c->p < c->end ? *c->p : -1;
}

/* Length of the UTF-8 sequence at p (1..4) when it is valid (shortest form, no surrogates, <= U+10FFFF),
 * else 0. */
static size_t utf8_sequence(const unsigned char *p, const unsigned char *end)
{
    unsigned char b = p[0];
    if (b < 0x80)
        return 1;
    size_t n = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC2 ? 2 : 0;
    if (n == 0 || b > 0xF4 || (size_t)(end - p) < n)
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    if (n == 3 && ((b == 0xE0 && p[1] < 0xA0) || (b == 0xED && p[1] >= 0xA0)))
        return 0;
    if (n == 4 && ((b == 0xF0 && p[1] < 0x90) || (b == 0xF4 && p[1] >= 0x90)))
        return 0;
    return n;
}

/* Reads a string at the cursor (which is at its '"'). When out is non-NULL, the decoded text goes into
 * out[0..out_max) (truncated) with its whole length in *out_len. Returns 0, or -1 with *why. */
static int read_string(json_cursor_t *c, char *out, size_t out_max, size_t *out_len, const char **why)
{
    size_t o = 0;
    c->p++; /* the opening quote */
    for (;;) {
        if (c->p >= c->end) {
            *why = "a string is not closed with '\"'";
            return -1;
        }
        unsigned char b = *c->p;
        if (b == '"') {
            c->p++;
            break;
        }
        if (b < 0x20) {
            *why = "a string holds a raw control character (write it as \\n, \\t or \\u00XX)";
            return -1;
        }
        if (b == '\\') {
            if (c->end - c->p < 2) {
                *why = "a string ends inside an escape";
                return -1;
            }
            unsigned char e = c->p[1];
            if (e == 'u') {
                if (c->end - c->p < 6) {
                    *why = "a \\u escape needs four hex digits";
                    return -1;
                }
                for (int k = 2; k < 6; k++)
                    if (hex_digit((char)c->p[k]) < 0) {
                        *why = "a \\u escape needs four hex digits";
                        return -1;
                    }
                unsigned cp = (unsigned)(hex_digit((char)c->p[2]) << 12 | hex_digit((char)c->p[3]) << 8 |
                                         hex_digit((char)c->p[4]) << 4 | hex_digit((char)c->p[5]));
                c->p += 6;
                if (out != NULL && o < out_max)
                    out[o] = cp < 0x80 ? (char)cp : '?'; /* member names compared are ASCII */
                o++;
                continue;
            }
            if (strchr("\"\\/bfnrt", (int)e) == NULL || e == '\0') {
                *why = "a string holds an unknown escape (JSON knows \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)";
                return -1;
            }
            static const char decoded[] = "\"\\/\b\f\n\r\t";
            if (out != NULL && o < out_max)
                out[o] = decoded[strchr("\"\\/bfnrt", (int)e) - "\"\\/bfnrt"];
            o++;
            c->p += 2;
            continue;
        }
        size_t n = utf8_sequence(c->p, c->end);
        if (n == 0) {
            *why = "the body is not valid UTF-8";
            return -1;
        }
        for (size_t k = 0; k < n; k++) {
            if (out != NULL && o < out_max)
                out[o] = (char)c->p[k];
            o++;
        }
        c->p += n;
    }
    if (out_len != NULL)
        *out_len = o;
    return 0;
}

/* Reads a number (RFC 8259 grammar). *whole is set to 1 and *value to it when it is a whole number without
 * sign, fraction or exponent that fits in int64_t. Returns 0, or -1 with *why. */
static int read_number(json_cursor_t *c, int *whole, int64_t *value, const char **why)
{
    const unsigned char *start = c->p;
    int negative = 0, fraction = 0, overflow = 0;
    uint64_t v = 0;
    if (peek(c) == '-') {
        negative = 1;
        c->p++;
    }
    if (peek(c) == '0') {
        c->p++;
    } else if (peek(c) >= '1' && peek(c) <= '9') {
        while (peek(c) >= '0' && peek(c) <= '9') {
            unsigned d = (unsigned)(*c->p - '0');
            if (v > ((uint64_t)INT64_MAX - d) / 10)
                overflow = 1;
            else
                v = v * 10 + d;
            c->p++;
        }
    } else {
        *why = "a number is malformed";
        return -1;
    }
    if (peek(c) == '.') {
        fraction = 1;
        c->p++;
        if (!(peek(c) >= '0' && peek(c) <= '9')) {
            *why = "a number is malformed (a digit must follow '.')";
            return -1;
        }
        while (peek(c) >= '0' && peek(c) <= '9')
            c->p++;
    }
    if (peek(c) == 'e' || peek(c) == 'E') {
        fraction = 1;
        c->p++;
        if (peek(c) == '+' || peek(c) == '-')
            c->p++;
        if (!(peek(c) >= '0' && peek(c) <= '9')) {
            *why = "a number is malformed (a digit must follow the exponent)";
            return -1;
        }
        while (peek(c) >= '0' && peek(c) <= '9')
            c->p++;
    }
    *whole = !negative && !fraction && !overflow && c->p > start;
    *value = (int64_t)v;
    return 0;
}

static int read_literal(json_cursor_t *c, const char *word, const char **why)
{
    size_t n = strlen(word);
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n) != 0) {
        *why = "the body holds something that is not JSON (a value must be a string, number, object, array, "
               "true, false or null)";
        return -1;
    }
    c->p += n;
    return 0;
}

static int skip_value(json_cursor_t *c, int depth, const char **why);

/* Skips an object or array at the cursor. */
static int skip_container(json_cursor_t *c, int depth, const char **why)
{
    int close = *c->p == '{' ? '}' : ']';
    int object = close == '}';
    if (depth >= API_JSON_DEPTH_MAX) {
        *why = "the body nests objects and arrays too deeply";
        return -1;
    }
    c->p++;
    skip_space(c);
    if (peek(c) == close) {
        c->p++;
        return 0;
    }
    for (;;) {
        skip_space(c);
        if (object) {
            if (peek(c) != '"') {
                *why = "an object member must start with its name in double quotes";
                return -1;
            }
            if (read_string(c, NULL, 0, NULL, why) != 0)
                return -1;
            skip_space(c);
            if (peek(c) != ':') {
                *why = "a ':' must follow a member name";
                return -1;
            }
            c->p++;
        }
        if (skip_value(c, depth + 1, why) != 0)
            return -1;
        skip_space(c);
        if (peek(c) == ',') {
            c->p++;
            continue;
        }
        if (peek(c) == close) {
            c->p++;
            return 0;
        }
        *why = object ? "a ',' or '}' must follow a member" : "a ',' or ']' must follow an array element";
        return -1;
    }
}

static int skip_value(json_cursor_t *c, int depth, const char **why)
{
    skip_space(c);
    int b = peek(c);
    if (b == '{' || b == '[')
        return skip_container(c, depth, why);
    if (b == '"')
        return read_string(c, NULL, 0, NULL, why);
    if (b == '-' || (b >= '0' && b <= '9')) {
        int whole;
        int64_t v;
        return read_number(c, &whole, &v, why);
    }
    if (b == 't')
        return read_literal(c, "true", why);
    if (b == 'f')
        return read_literal(c, "false", why);
    if (b == 'n')
        return read_literal(c, "null", why);
    *why = b < 0 ? "the body ends where a value should be"
                 : "the body holds something that is not JSON (a value must be a string, number, object, "
                   "array, true, false or null)";
    return -1;
}

/* Reads the array of "ids" at the cursor. */
static int read_ids(json_cursor_t *c, int64_t *ids, size_t max, size_t *n, const char **why)
{
    if (peek(c) != '[') {
        *why = "\"ids\" must be an array of whole numbers";
        return -1;
    }
    c->p++;
    skip_space(c);
    if (peek(c) == ']') {
        c->p++;
        return 0;
    }
    for (;;) {
        skip_space(c);
        int b = peek(c);
        if (!(b == '-' || (b >= '0' && b <= '9'))) {
            *why = b == '"' ? "the ids must be numbers, not strings (write 17, not \"17\")"
                            : "the ids must be whole numbers from 1 up";
            return -1;
        }
        int whole = 0;
        int64_t v = 0;
        if (read_number(c, &whole, &v, why) != 0)
            return -1;
        if (!whole || v < 1) {
            *why = "the ids must be whole numbers from 1 up (no sign, fraction or exponent)";
            return -1;
        }
        if (*n >= max || *n >= API_ACK_IDS_MAX) {
            *why = "too many ids: at most 1000 per request";
            return -1;
        }
        ids[(*n)++] = v;
        skip_space(c);
        if (peek(c) == ',') {
            c->p++;
            continue;
        }
        if (peek(c) == ']') {
            c->p++;
            return 0;
        }
        *why = "a ',' or ']' must follow an id";
        return -1;
    }
}

static int parse_ack(const char *content_type, const char *body, size_t len, int64_t *ids, size_t max,
                     size_t *n, char *err, size_t err_len)
{
    if (!media_type_is(content_type, "application/json"))
        return refuse(err, err_len, "the body of an ack is JSON, not the Content-Type given", SEND_ACK);
    json_cursor_t c = {(const unsigned char *)body, (const unsigned char *)body + len};
    const char *why = NULL;
    int seen_ids = 0;
    skip_space(&c);
    if (peek(&c) != '{')
        return refuse(err, err_len, len == 0 ? "the body is empty" : "the body must be a JSON object", SEND_ACK);
    c.p++;
    skip_space(&c);
    if (peek(&c) == '}') {
        c.p++;
    } else {
        for (;;) {
            skip_space(&c);
            if (peek(&c) != '"')
                return refuse(err, err_len, "an object member must start with its name in double quotes",
                              SEND_ACK);
            char name[8];
            size_t name_len = 0;
            if (read_string(&c, name, sizeof name, &name_len, &why) != 0)
                return refuse(err, err_len, why, SEND_ACK);
            skip_space(&c);
            if (peek(&c) != ':')
                return refuse(err, err_len, "a ':' must follow a member name", SEND_ACK);
            c.p++;
            skip_space(&c);
            if (name_len == 3 && memcmp(name, "ids", 3) == 0) {
                if (seen_ids)
                    return refuse(err, err_len, "\"ids\" is given twice", SEND_ACK);
                seen_ids = 1;
                if (read_ids(&c, ids, max, n, &why) != 0) {
                    *n = 0;
                    return refuse(err, err_len, why, SEND_ACK);
                }
            } else if (skip_value(&c, 1, &why) != 0) {
                *n = 0;
                return refuse(err, err_len, why, SEND_ACK);
            }
            skip_space(&c);
            if (peek(&c) == ',') {
                c.p++;
                continue;
            }
            if (peek(&c) == '}') {
                c.p++;
                break;
            }
            *n = 0;
            return refuse(err, err_len, "a ',' or '}' must follow a member", SEND_ACK);
        }
    }
    skip_space(&c);
    if (c.p != c.end) {
        *n = 0;
        return refuse(err, err_len, "the body holds more than one JSON value", SEND_ACK);
    }
    if (!seen_ids)
        return refuse(err, err_len, "the body has no \"ids\" member", SEND_ACK);
    return 0;
}

int api_body_ack_ids(const char *content_type, const char *body, size_t len, int64_t *ids, size_t max,
                     size_t *n, char *err, size_t err_len)
{
    *n = 0;
    int rc = parse_ack(content_type, body, len, ids, max, n, err, err_len);
    if (rc != 0)
        *n = 0; /* a refused body acknowledges nothing */
    return rc;
}
