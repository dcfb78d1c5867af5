/* CRC-32 (IEEE 802.3, the zlib/PNG one) for the log's record checksums. */
#ifndef SSEMUX_SERVER_CRC32_H
#define SSEMUX_SERVER_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* Continues `crc` over data; start with crc32_update(0, ...). */
uint32_t crc32_update(uint32_t crc, const void *data, size_t len);

#endif
