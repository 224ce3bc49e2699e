/* fuzz_key_verify.c - libFuzzer target: key parsing and verification. A data directory holds one current key
 * (API enabled); each input becomes a presented key, either raw bytes, or the real key with byte replacements,
 * or a prefix of the real key followed by fuzzed bytes. Findings besides sanitizer reports:
 *   - a key that is not exactly the current key is accepted, or the current key is refused;
 *   - a key classified malformed is accepted, or a well-formed key has the wrong length;
 *   - a hint longer than its buffer allows or revealing more than the last 4 characters. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugin/auth_provider.h"
#include "../../plugin/key_format.h"
#include "fuzz_support.h"

static apikeys_state_t *state;
static char current_key[128];
static size_t current_len;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    state = fuzz_open_state_with_key(current_key, sizeof current_key);
    current_len = strlen(current_key);
    return 0;
}

static void finding(const char *what)
{
    fprintf(stderr, "FINDING: %s\n", what);
    abort();
}

/* Builds the presented key from the input into buf; returns its length. */
static size_t presented_key(const uint8_t *data, size_t size, char *buf, size_t buf_len)
{
    uint8_t mode = data[0] % 3;
    data++, size--;
    if (mode == 0) { /* raw bytes */
        size_t n = size < buf_len ? size : buf_len;
        memcpy(buf, data, n);
        return n;
    }
    if (mode == 1) { /* the real key with (position, byte) replacements */
        memcpy(buf, current_key, current_len);
        for (size_t i = 0; i + 1 < size; i += 2)
            buf[data[i] % current_len] = (char)data[i + 1];
        return current_len;
    }
    /* a prefix of the real key, then fuzzed bytes */
    size_t keep = size ? data[0] % (current_len + 1) : current_len;
    memcpy(buf, current_key, keep);
    size_t extra = size ? size - 1 : 0;
    if (extra > buf_len - keep)
        extra = buf_len - keep;
    memcpy(buf + keep, data + 1, extra);
    return keep + extra;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    char *buf = malloc(KEY_MAX_LEN + 64);
    size_t n = presented_key(data, size, buf, KEY_MAX_LEN + 64);
    /* exact-size copy so an overread by one byte is caught */
    char *key = malloc(n ? n : 1);
    memcpy(key, buf, n);
    free(buf);

    const apikeys_config_t *cfg = &state->config;
    int cls = key_parse_class(cfg->key_prefix, cfg->prefix_len, key, n);
    if (cls != KEY_WELL_FORMED && cls != KEY_MALFORMED && cls != KEY_FOREIGN)
        finding("key_parse_class returned an unknown class");
    if (cls == KEY_WELL_FORMED && n != key_length(cfg->prefix_len))
        finding("a key of the wrong length is classified well-formed");

    int outcome = apikeys_verify_key(state, key, n);
    int is_current = n == current_len && memcmp(key, current_key, n) == 0;
    if (outcome == VERIFY_OK && !is_current)
        finding("a key that is not the current key was accepted");
    if (is_current && outcome != VERIFY_OK)
        finding("the current key was refused");
    if (cls == KEY_MALFORMED && outcome == VERIFY_OK)
        finding("a malformed key was accepted");
    if (outcome != VERIFY_OK && (outcome < 0 || outcome >= DENIAL_REASONS))
        finding("verification returned an unknown outcome");

    if (n > 0 && n <= KEY_MAX_LEN) {
        char hint[KEY_HINT_BUF];
        memset(hint, 'x', sizeof hint);
        key_hint(cfg->key_prefix, cfg->prefix_len, key, n, hint, sizeof hint);
        if (!memchr(hint, '\0', sizeof hint))
            finding("the hint is not NUL-terminated within its buffer");
        /* the hint may show the prefix and the last 4 characters, nothing else of the key */
        size_t shown = strlen(hint), ellipsis = strlen("\xE2\x80\xA6");
        if (shown > cfg->prefix_len + ellipsis + 4)
            finding("the hint reveals more than the prefix and the last 4 characters");
    }
    free(key);
    return 0;
}
