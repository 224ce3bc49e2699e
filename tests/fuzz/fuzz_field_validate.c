/* fuzz_field_validate.c - libFuzzer target: the api_key field's validator, called with the input exactly as
 * given (NUL bytes, invalid UTF-8, any length) and with message buffers of every small size. Findings besides
 * sanitizer reports: a value accepted although it has a NUL byte, whitespace, a byte outside printable ASCII,
 * fewer than 32 or more than 1024 bytes, or our prefix with a bad checksum; a refusal without a message, a
 * message not NUL-terminated within its buffer, or a message carrying a byte outside printable ASCII (which
 * would mean part of the value was echoed). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugin/key_format.h"
#include "fuzz_support.h"

static apikeys_state_t *state;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    char key[128];
    state = fuzz_open_state_with_key(key, sizeof key);
    memset(key, 0, sizeof key);
    return 0;
}

static void finding(const char *what)
{
    fprintf(stderr, "FINDING: %s\n", what);
    abort();
}

static void check_message(const char *err, size_t err_len)
{
    const char *end = memchr(err, '\0', err_len);
    if (!end)
        finding("the validator's message is not NUL-terminated within its buffer");
    for (const char *p = err; p < end; p++)
        if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7E)
            finding("the validator's message has a byte outside printable ASCII");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *value = (const char *)data;
    char err[512];
    err[0] = '\0';
    int32_t rc = admin_field_key_validate(state, value, size, err, sizeof err);
    if (rc == PANEL_OK) {
        if (size < KEY_MIN_IMPORT_LEN || size > KEY_MAX_LEN)
            finding("a value of a refused length was accepted");
        for (size_t i = 0; i < size; i++)
            if (data[i] < 0x21 || data[i] > 0x7E)
                finding("a value with a NUL, whitespace or non-printable byte was accepted");
        const apikeys_config_t *cfg = &state->config;
        if (key_parse_class(cfg->key_prefix, cfg->prefix_len, value, size) == KEY_MALFORMED)
            finding("a key with our prefix and a bad checksum was accepted");
    } else {
        if (rc != PANEL_E_INVALID)
            finding("the validator returned something other than PANEL_OK or PANEL_E_INVALID");
        if (err[0] == '\0')
            finding("a refusal without a message");
        check_message(err, sizeof err);
        /* the same call with a tiny exact-size buffer must truncate, never overflow */
        size_t small = 1 + (size ? data[size - 1] % 16 : 0);
        char *tiny = malloc(small);
        if (admin_field_key_validate(state, value, size, tiny, small) != rc)
            finding("the validator's outcome depends on the message buffer size");
        check_message(tiny, small);
        free(tiny);
    }
    return 0;
}
