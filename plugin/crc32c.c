/* crc32c.c - CRC-32C: slice-by-8 tables (built once) and the SSE4.2 instruction when the CPU has it. Both
 * paths compute the standard reflected CRC-32C (poly 0x82F63B78, init and final xor 0xFFFFFFFF). */
#include "crc32c.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define CRC32C_HAVE_X86 1
#include <nmmintrin.h>
#else
#define CRC32C_HAVE_X86 0
#endif

#define CRC32C_POLY_REFLECTED 0x82F63B78u

static uint32_t crc_tables[8][256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;
static atomic_int crc_use_hardware = -1; /* -1: not yet decided */

static void build_tables(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1u) ? (c >> 1) ^ CRC32C_POLY_REFLECTED : c >> 1;
        crc_tables[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; i++)
        for (int t = 1; t < 8; t++)
            crc_tables[t][i] = (crc_tables[t - 1][i] >> 8) ^ crc_tables[0][crc_tables[t - 1][i] & 0xFFu];
    int hw = 0;
#if CRC32C_HAVE_X86
    __builtin_cpu_init();
    hw = __builtin_cpu_supports("sse4.2") ? 1 : 0;
#endif
    atomic_store_explicit(&crc_use_hardware, hw, memory_order_release);
}

void crc32c_init(void)
{
    pthread_once(&crc_once, build_tables);
}

int crc32c_hardware_available(void)
{
    crc32c_init();
    return atomic_load_explicit(&crc_use_hardware, memory_order_acquire) == 1;
}

uint32_t crc32c_table(const void *data, size_t len)
{
    crc32c_init();
    const unsigned char *p = data;
    uint32_t crc = 0xFFFFFFFFu;
    while (len >= 8) {
        uint32_t lo, hi;
        memcpy(&lo, p, 4);
        memcpy(&hi, p + 4, 4);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        lo = __builtin_bswap32(lo);
        hi = __builtin_bswap32(hi);
#endif
        lo ^= crc;
        crc = crc_tables[7][lo & 0xFF] ^ crc_tables[6][(lo >> 8) & 0xFF] ^ crc_tables[5][(lo >> 16) & 0xFF] ^
              crc_tables[4][lo >> 24] ^ crc_tables[3][hi & 0xFF] ^ crc_tables[2][(hi >> 8) & 0xFF] ^
              crc_tables[1][(hi >> 16) & 0xFF] ^ crc_tables[0][hi >> 24];
        p += 8;
        len -= 8;
    }
    while (len--)
        crc = (crc >> 8) ^ crc_tables[0][(crc ^ *p++) & 0xFFu];
    return crc ^ 0xFFFFFFFFu;
}

#if CRC32C_HAVE_X86
__attribute__((target("sse4.2"))) static uint32_t crc32c_sse42(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint64_t crc = 0xFFFFFFFFu;
    while (len >= 8) {
        uint64_t word;
        memcpy(&word, p, 8);
        crc = _mm_crc32_u64(crc, word);
        p += 8;
        len -= 8;
    }
    uint32_t c32 = (uint32_t)crc;
    while (len--)
        c32 = _mm_crc32_u8(c32, *p++);
    return c32 ^ 0xFFFFFFFFu;
}
#endif

uint32_t crc32c_hardware(const void *data, size_t len)
{
#if CRC32C_HAVE_X86
    return crc32c_sse42(data, len);
#else
    return crc32c_table(data, len);
#endif
}

uint32_t crc32c(const void *data, size_t len)
{
    int hw = atomic_load_explicit(&crc_use_hardware, memory_order_acquire);
    if (hw < 0) {
        crc32c_init();
        hw = atomic_load_explicit(&crc_use_hardware, memory_order_acquire);
    }
#if CRC32C_HAVE_X86
    if (hw == 1)
        return crc32c_sse42(data, len);
#endif
    return crc32c_table(data, len);
}
