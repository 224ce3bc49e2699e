/* api_body.c - the API's body parsers (see api_body.h): a form reader that decodes every name and value
 * (refusing bad %-escapes) but keeps only `limit`, and the ack's JSON read by jansson in its strict mode
 * (RFC 8259: UTF-8, no trailing commas, no comments, no text after the value, no member name twice), of
 * which only the whole numbers of "ids" are kept; other members may nest up to API_JSON_DEPTH_MAX. No other
 * sample-host module is called. */
#include "api_body.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "../form_codec.h"

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
    return content_type == NULL || form_media_type_is(content_type, want);
}

/* ----- form ---------------------------------------------------------------------------------------------- */

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
        if (form_decode_into(body + i, eq - i, name, sizeof name, &name_len) != 0 ||
            (eq < end && form_decode_into(body + eq + 1, end - eq - 1, value, sizeof value, &value_len) != 0))
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

/* The refusal for a body jansson could not parse: what is wrong in our words, where (a byte offset), and
 * jansson's own detail without the text it quotes from the body. */
static int refuse_unparsed(const json_error_t *error, char *err, size_t err_len)
{
    const char *what;
    switch (json_error_code(error)) {
    case json_error_invalid_utf8: what = "the body is not valid UTF-8"; break;
    case json_error_stack_overflow: what = "the body nests objects and arrays too deeply"; break;
    case json_error_duplicate_key: what = "an object gives the same member name twice"; break;
    case json_error_numeric_overflow: what = "a number is too large (ids go up to 9223372036854775807)"; break;
    case json_error_null_byte_in_key: what = "a member name holds \\u0000"; break;
    case json_error_premature_end_of_input: what = "the body ends before its JSON value does"; break;
    case json_error_end_of_input_expected: what = "the body holds more than one JSON value"; break;
    case json_error_out_of_memory: what = "the server ran out of memory reading the body"; break;
    default: what = "the body is not valid JSON (RFC 8259)"; break;
    }
    size_t detail_len = strcspn(error->text, "\n");
    const char *near = strstr(error->text, " near ");
    if (near != NULL && (size_t)(near - error->text) < detail_len)
        detail_len = (size_t)(near - error->text); /* " near '...'" would quote the body back */
    char why[320];
    snprintf(why, sizeof why, "%s: %.*s at byte %d", what, (int)detail_len, error->text, error->position);
    return refuse(err, err_len, why, SEND_ACK);
}

/* 1 when value holds containers nested deeper than API_JSON_DEPTH_MAX, counting value itself as at depth. */
static int nested_too_deep(const json_t *value, int depth)
{
    if (!json_is_object(value) && !json_is_array(value))
        return 0;
    if (depth > API_JSON_DEPTH_MAX)
        return 1;
    const char *name;
    size_t i;
    json_t *member;
    if (json_is_object(value)) {
        json_object_foreach((json_t *)value, name, member)
            if (nested_too_deep(member, depth + 1))
                return 1;
    } else {
        json_array_foreach(value, i, member)
            if (nested_too_deep(member, depth + 1))
                return 1;
    }
    return 0;
}

/* Copies the whole numbers of the array "ids" into ids[0..max). Returns NULL, or why they cannot be. */
static const char *read_ids(const json_t *list, int64_t *ids, size_t max, size_t *n)
{
    if (!json_is_array(list))
        return "\"ids\" must be an array of whole numbers";
    if (json_array_size(list) > max || json_array_size(list) > API_ACK_IDS_MAX)
        return "too many ids: at most 1000 per request";
    size_t i;
    json_t *id;
    json_array_foreach(list, i, id) {
        if (json_is_string(id))
            return "the ids must be numbers, not strings (write 17, not \"17\")";
        if (json_is_real(id) || (json_is_integer(id) && json_integer_value(id) < 1))
            return "the ids must be whole numbers from 1 up (no sign, fraction or exponent)";
        if (!json_is_integer(id))
            return "the ids must be whole numbers from 1 up";
        ids[i] = (int64_t)json_integer_value(id);
    }
    *n = json_array_size(list);
    return NULL;
}

static int parse_ack(const char *content_type, const char *body, size_t len, int64_t *ids, size_t max,
                     size_t *n, char *err, size_t err_len)
{
    if (!media_type_is(content_type, "application/json"))
        return refuse(err, err_len, "the body of an ack is JSON, not the Content-Type given", SEND_ACK);
    size_t blank = 0;
    while (blank < len && strchr(" \t\r\n", body[blank]) != NULL && body[blank] != '\0')
        blank++;
    if (blank == len)
        return refuse(err, err_len, "the body is empty", SEND_ACK);
    json_error_t error;
    json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY | JSON_ALLOW_NUL, &error);
    if (root == NULL)
        return refuse_unparsed(&error, err, err_len);
    const char *why = NULL;
    if (!json_is_object(root))
        why = "the body must be a JSON object";
    else if (nested_too_deep(root, 1))
        why = "the body nests objects and arrays too deeply";
    else if (json_object_get(root, "ids") == NULL)
        why = "the body has no \"ids\" member";
    else
        why = read_ids(json_object_get(root, "ids"), ids, max, n);
    json_decref(root);
    return why != NULL ? refuse(err, err_len, why, SEND_ACK) : 0;
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
