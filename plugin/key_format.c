/* key_format.c - generation, classification and display hints of API keys (see key_format.h). */
#include "key_format.h"

#include <sodium.h>
#include <string.h>

#include "crc32c.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

static const char base62_alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/* base62 digit value + 1 of each byte; 0 when the byte is not a base62 digit. */
static const uint8_t base62_value_plus1[256] = {
    ['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
    ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16, ['G'] = 17, ['H'] = 18, ['I'] = 19, ['J'] = 20,
    ['K'] = 21, ['L'] = 22, ['M'] = 23, ['N'] = 24, ['O'] = 25, ['P'] = 26, ['Q'] = 27, ['R'] = 28, ['S'] = 29, ['T'] = 30,
    ['U'] = 31, ['V'] = 32, ['W'] = 33, ['X'] = 34, ['Y'] = 35, ['Z'] = 36, ['a'] = 37, ['b'] = 38, ['c'] = 39, ['d'] = 40,
    ['e'] = 41, ['f'] = 42, ['g'] = 43, ['h'] = 44, ['i'] = 45, ['j'] = 46, ['k'] = 47, ['l'] = 48, ['m'] = 49, ['n'] = 50,
    ['o'] = 51, ['p'] = 52, ['q'] = 53, ['r'] = 54, ['s'] = 55, ['t'] = 56, ['u'] = 57, ['v'] = 58, ['w'] = 59, ['x'] = 60,
    ['y'] = 61, ['z'] = 62,
};

/* The digit value of c, or -1 when c is not a base62 digit. */
static inline int base62_digit(unsigned char c)
{
    return (int)base62_value_plus1[c] - 1;
}

#if defined(__SSE2__)
/* 16 bits, one per byte of v: set where the byte is 0-9, A-Z or a-z. Signed compares: a byte >= 0x80 is
 * negative, so it falls in no range. */
static inline unsigned base62_mask16(__m128i v)
{
    __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)), _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1)));
    __m128i upper = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('A' - 1)), _mm_cmplt_epi8(v, _mm_set1_epi8('Z' + 1)));
    __m128i lower = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('a' - 1)), _mm_cmplt_epi8(v, _mm_set1_epi8('z' + 1)));
    return (unsigned)_mm_movemask_epi8(_mm_or_si128(digit, _mm_or_si128(upper, lower)));
}
#endif

/* 1 when every byte of the key body (KEY_BODY_CHARS) is a base62 digit: on the verify path of every request, so
 * with SSE2 three overlapping 16-byte checks (0, 16, 27..42) instead of 43 table lookups. */
static int body_is_base62(const unsigned char *body)
{
    _Static_assert(KEY_BODY_CHARS > 32 && KEY_BODY_CHARS <= 48, "three 16-byte windows cover the body");
#if defined(__SSE2__)
    unsigned all = base62_mask16(_mm_loadu_si128((const __m128i *)(const void *)body)) &
                   base62_mask16(_mm_loadu_si128((const __m128i *)(const void *)(body + 16))) &
                   base62_mask16(_mm_loadu_si128((const __m128i *)(const void *)(body + KEY_BODY_CHARS - 16)));
    return all == 0xFFFFu;
#else
    unsigned bad = 0;
    for (size_t i = 0; i < KEY_BODY_CHARS; i++)
        bad |= (unsigned)base62_digit(body[i]) >> 8; /* -1 sets high bits */
    return !bad;
#endif
}

void base62_encode_fixed(const uint8_t *bytes, size_t n, char *out, size_t chars)
{
    uint8_t work[64];
    if (n > sizeof work)
        n = sizeof work;
    memcpy(work, bytes, n);
    /* Repeated long division of the big-endian number by 62; digits come out least significant first. */
    for (size_t d = chars; d-- > 0;) {
        unsigned rem = 0;
        for (size_t i = 0; i < n; i++) {
            unsigned cur = (rem << 8) | work[i];
            work[i] = (uint8_t)(cur / 62u);
            rem = cur % 62u;
        }
        out[d] = base62_alphabet[rem];
    }
    sodium_memzero(work, sizeof work);
}

static void checksum_encode(uint32_t crc, char out[KEY_CHECK_CHARS])
{
    uint8_t be[4] = {(uint8_t)(crc >> 24), (uint8_t)(crc >> 16), (uint8_t)(crc >> 8), (uint8_t)crc};
    base62_encode_fixed(be, 4, out, KEY_CHECK_CHARS);
}

int key_generate(const char *prefix, size_t prefix_len, char *out, size_t out_len)
{
    if (prefix_len > KEY_PREFIX_MAX || out_len < key_length(prefix_len) + 1)
        return -1;
    uint8_t random[KEY_RANDOM_BYTES];
    randombytes_buf(random, sizeof random);
    memcpy(out, prefix, prefix_len);
    char *body = out + prefix_len;
    base62_encode_fixed(random, sizeof random, body, KEY_BODY_CHARS);
    sodium_memzero(random, sizeof random);
    checksum_encode(crc32c(body, KEY_BODY_CHARS), body + KEY_BODY_CHARS);
    out[key_length(prefix_len)] = '\0';
    return 0;
}

int key_parse_class(const char *prefix, size_t prefix_len, const char *s, size_t len)
{
    if (len > KEY_MAX_LEN)
        return KEY_MALFORMED;
    if (len < prefix_len || memcmp(s, prefix, prefix_len) != 0)
        return KEY_FOREIGN;
    if (len != key_length(prefix_len))
        return KEY_MALFORMED;
    const unsigned char *body = (const unsigned char *)s + prefix_len;
    unsigned bad = body_is_base62(body) ? 0u : 1u;
    uint64_t check = 0;
    for (size_t i = 0; i < KEY_CHECK_CHARS; i++) {
        int d = base62_digit(body[KEY_BODY_CHARS + i]);
        bad |= (unsigned)d >> 8;
        check = check * 62u + (uint64_t)(d & 0x3F);
    }
    if (bad || check > 0xFFFFFFFFu)
        return KEY_MALFORMED;
    return (uint32_t)check == crc32c(body, KEY_BODY_CHARS) ? KEY_WELL_FORMED : KEY_MALFORMED;
}

void key_hint(const char *prefix, size_t prefix_len, const char *key, size_t len, char *out, size_t out_len)
{
    static const char ellipsis[] = "\xE2\x80\xA6"; /* U+2026 */
    if (out_len == 0)
        return;
    out[0] = '\0';
    if (out_len < KEY_HINT_BUF)
        return;
    size_t pos = 0;
    if (prefix_len <= KEY_PREFIX_MAX && len >= prefix_len && memcmp(key, prefix, prefix_len) == 0) {
        memcpy(out, prefix, prefix_len);
        pos = prefix_len;
    }
    memcpy(out + pos, ellipsis, 3);
    pos += 3;
    size_t tail = len < 4 ? len : 4;
    memcpy(out + pos, key + len - tail, tail);
    out[pos + tail] = '\0';
}
