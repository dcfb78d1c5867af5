#include "json_line.h"

#include <string.h>

static const char REPLACEMENT_CHARACTER[] = "\xEF\xBF\xBD"; /* U+FFFD in UTF-8 */

/*
 * Looks at the sequence starting at s[0] (n >= 1 bytes available) the way
 * the WHATWG "UTF-8 decoder" does. Returns its length when it is one valid
 * scalar value. Otherwise stores in *bad the length of its "maximal
 * subpart" (the bytes the decoder turns into ONE U+FFFD before it looks at
 * the next byte afresh) and returns 0.
 */
static size_t utf8_sequence_length(const unsigned char *s, size_t n, size_t *bad)
{
    unsigned char lead = s[0];
    unsigned char lower = 0x80, upper = 0xBF;
    size_t need;

    if (lead < 0x80)
        return 1;
    if (lead >= 0xC2 && lead <= 0xDF) {
        need = 1;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        need = 2;
        if (lead == 0xE0) lower = 0xA0; /* overlong */
        if (lead == 0xED) upper = 0x9F; /* surrogates D800..DFFF */
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        need = 3;
        if (lead == 0xF0) lower = 0x90; /* overlong */
        if (lead == 0xF4) upper = 0x8F; /* past U+10FFFF */
    } else {
        *bad = 1; /* 80..C1 (stray continuation, overlong C0/C1), F5..FF */
        return 0;
    }
    for (size_t k = 1; k <= need; k++) {
        /* Only the first continuation byte has the narrowed range. */
        unsigned char lo = k == 1 ? lower : 0x80, hi = k == 1 ? upper : 0xBF;
        if (k >= n || s[k] < lo || s[k] > hi) {
            *bad = k; /* s[k] is not consumed: it starts the next sequence */
            return 0;
        }
    }
    return need + 1;
}

/* The escape JSON.stringify uses for `c`, or NULL if it prints `c` raw. */
static const char *json_escape(unsigned char c, char scratch[7])
{
    static const char hex[] = "0123456789abcdef";
    switch (c) {
    case '"': return "\\\"";
    case '\\': return "\\\\";
    case '\b': return "\\b";
    case '\f': return "\\f";
    case '\n': return "\\n";
    case '\r': return "\\r";
    case '\t': return "\\t";
    default:
        if (c >= 0x20)
            return NULL;
        memcpy(scratch, "\\u00", 4);
        scratch[4] = hex[c >> 4];
        scratch[5] = hex[c & 0xF];
        scratch[6] = '\0';
        return scratch;
    }
}

static int write_bytes(FILE *out, const void *bytes, size_t len)
{
    return len == 0 || fwrite(bytes, 1, len, out) == len ? 0 : -1;
}

int sse_json_write_string(FILE *out, const char *bytes, size_t len)
{
    const unsigned char *s = (const unsigned char *)bytes;
    size_t run = 0; /* start of the bytes that are copied through unchanged */
    size_t i = 0;
    char scratch[7];

    if (len == 0) /* also keeps NULL + 0 away from the pointer arithmetic */
        return write_bytes(out, "\"\"", 2);
    if (write_bytes(out, "\"", 1))
        return -1;
    while (i < len) {
        const char *replacement;
        size_t skip, bad = 0, valid = utf8_sequence_length(s + i, len - i, &bad);

        if (valid > 1) {
            i += valid;
            continue;
        }
        if (valid == 1) {
            replacement = json_escape(s[i], scratch);
            skip = 1;
        } else {
            replacement = REPLACEMENT_CHARACTER;
            skip = bad;
        }
        if (replacement == NULL) {
            i++;
            continue;
        }
        if (write_bytes(out, s + run, i - run) || write_bytes(out, replacement, strlen(replacement)))
            return -1;
        i += skip;
        run = i;
    }
    if (write_bytes(out, s + run, i - run) || write_bytes(out, "\"", 1))
        return -1;
    return 0;
}

int sse_json_write_event(FILE *out, const sse_event *ev)
{
    if (write_bytes(out, "{\"type\":", 8) || sse_json_write_string(out, ev->type, ev->type_len) ||
        write_bytes(out, ",\"data\":", 8) || sse_json_write_string(out, ev->data, ev->data_len) ||
        write_bytes(out, ",\"id\":", 6) || sse_json_write_string(out, ev->id, ev->id_len) ||
        write_bytes(out, "}\n", 2))
        return -1;
    return 0;
}

int sse_json_write_comment(FILE *out, const char *text, size_t len)
{
    if (write_bytes(out, "{\"comment\":", 11) || sse_json_write_string(out, text, len) ||
        write_bytes(out, "}\n", 2))
        return -1;
    return 0;
}

int sse_json_write_retry(FILE *out, uint32_t ms)
{
    return fprintf(out, "{\"retry\":%lu}\n", (unsigned long)ms) < 0 ? -1 : 0;
}
