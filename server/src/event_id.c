#include "event_id.h"

#include <stdio.h>

int event_id_compare(event_id a, event_id b)
{
    if (a.ms != b.ms)
        return a.ms < b.ms ? -1 : 1;
    if (a.seq != b.seq)
        return a.seq < b.seq ? -1 : 1;
    return 0;
}

/* Parses 1..20 decimal digits from text[*pos] up to `end` or a '-'. */
static bool parse_u64(const char *text, size_t len, size_t *pos, uint64_t *out)
{
    size_t start = *pos;
    uint64_t value = 0;

    while (*pos < len && text[*pos] >= '0' && text[*pos] <= '9') {
        unsigned digit = (unsigned)(text[*pos] - '0');
        if (value > (UINT64_MAX - digit) / 10)
            return false; /* overflow */
        value = value * 10 + digit;
        (*pos)++;
    }
    if (*pos == start || *pos - start > 20)
        return false;
    *out = value;
    return true;
}

bool event_id_parse(const char *text, size_t len, event_id *out)
{
    size_t pos = 0;
    event_id id;

    if (!text || !parse_u64(text, len, &pos, &id.ms))
        return false;
    if (pos >= len || text[pos] != '-')
        return false;
    pos++;
    if (!parse_u64(text, len, &pos, &id.seq) || pos != len)
        return false;
    *out = id;
    return true;
}

size_t event_id_format(event_id id, char out[EVENT_ID_MAX_TEXT])
{
    int n = snprintf(out, EVENT_ID_MAX_TEXT, "%llu-%llu", (unsigned long long)id.ms,
                     (unsigned long long)id.seq);
    return n < 0 ? 0 : (size_t)n;
}

void event_id_gen_init(event_id_gen *gen, event_id last)
{
    gen->last = last;
}

event_id event_id_next(event_id_gen *gen, uint64_t now_ms)
{
    event_id next;

    if (now_ms > gen->last.ms) {
        next.ms = now_ms;
        next.seq = 0;
    } else if (gen->last.seq < UINT64_MAX) {
        /* Same millisecond, or the clock stepped back: keep ordering. */
        next.ms = gen->last.ms;
        next.seq = gen->last.seq + 1;
    } else {
        next.ms = gen->last.ms + 1;
        next.seq = 0;
    }
    gen->last = next;
    return next;
}
