/* Benchmark event payloads; see sse_load_payload.h. */
#include "sse_load_payload.h"

#include <stdio.h>
#include <string.h>

void load_payload_write(char *buf, size_t size, uint32_t run_id, uint64_t seq, uint64_t sent_ns)
{
    char head[64];
    int n = snprintf(head, sizeof head, "%08x-%llu-%llu-", (unsigned)run_id,
                     (unsigned long long)seq, (unsigned long long)sent_ns);
    /* LOAD_MIN_PAYLOAD (64) holds the longest possible head (8+1+20+1+20+1). */
    memcpy(buf, head, (size_t)n);
    memset(buf + n, 'x', size - (size_t)n);
}

static int read_decimal(const char **p, const char *end, uint64_t *out)
{
    const char *s = *p;
    uint64_t v = 0;
    int digits = 0;
    while (s < end && *s >= '0' && *s <= '9' && digits < 20) {
        v = v * 10u + (uint64_t)(*s - '0');
        s++;
        digits++;
    }
    if (digits == 0 || s == end || *s != '-')
        return 0;
    *out = v;
    *p = s + 1;
    return 1;
}

int load_payload_read(const char *data, size_t len, uint32_t run_id, uint64_t *seq, uint64_t *sent_ns)
{
    static const char hex[] = "0123456789abcdef";
    if (len < 9 || data[8] != '-')
        return 0;
    for (int i = 0; i < 8; i++)
        if (data[i] != hex[(run_id >> (28 - 4 * i)) & 0xfu])
            return 0;
    const char *p = data + 9, *end = data + len;
    return read_decimal(&p, end, seq) && read_decimal(&p, end, sent_ns);
}
