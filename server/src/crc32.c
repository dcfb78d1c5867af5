#include "crc32.h"

/* Bitwise, reflected polynomial 0xEDB88320. Each record is checksummed
 * once when written and once on replay, so the simple loop is enough. */
uint32_t crc32_update(uint32_t crc, const void *data, size_t len)
{
    const unsigned char *p = data;

    crc = ~crc;
    while (len--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}
