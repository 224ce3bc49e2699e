/* crc32c.h - CRC-32C (Castagnoli): a hardware path (SSE4.2 `crc32` instruction, chosen at run time) and a
 * slice-by-8 table path that gives identical results. Used for the key checksum suffix. */
#ifndef APIKEYS_CRC32C_H
#define APIKEYS_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* [thread-safe] Prepares the tables and picks the fastest path; idempotent. crc32c() calls it when needed. */
void crc32c_init(void);

/* [thread-safe] CRC-32C of data[0..len) with the fastest path available ("123456789" -> 0xE3069283). */
uint32_t crc32c(const void *data, size_t len);

/* [thread-safe] The table path, always available. */
uint32_t crc32c_table(const void *data, size_t len);

/* [thread-safe] 1 when this CPU has the SSE4.2 crc32 instruction; then crc32c_hardware() may be called. */
int crc32c_hardware_available(void);
uint32_t crc32c_hardware(const void *data, size_t len);

#endif
