/* base64url without padding, RFC 4648 section 5. */
#include "base64url.h"

#include <stdint.h>

static const char alphabet[64] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Value of a base64url character, or -1 for anything else. Ranges rather
 * than a 256-entry table: tokens are short, and this reads like RFC 4648's
 * Table 2. */
static int sextet(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '-')
        return 62;
    if (c == '_')
        return 63;
    return -1;
}

bool base64url_encode(const void *in, size_t in_len, char *out, size_t out_cap, size_t *out_len)
{
    const unsigned char *p = in;
    size_t need = BASE64URL_ENCODED_LEN(in_len), o = 0, i = 0;

    if (!out || out_cap < need + 1 || in_len > (SIZE_MAX - 4) / 4 * 3)
        return false;
    for (; i + 3 <= in_len; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        out[o++] = alphabet[v >> 18];
        out[o++] = alphabet[(v >> 12) & 63];
        out[o++] = alphabet[(v >> 6) & 63];
        out[o++] = alphabet[v & 63];
    }
    if (in_len - i == 1) {
        uint32_t v = (uint32_t)p[i] << 16;
        out[o++] = alphabet[v >> 18];
        out[o++] = alphabet[(v >> 12) & 63];
    } else if (in_len - i == 2) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
        out[o++] = alphabet[v >> 18];
        out[o++] = alphabet[(v >> 12) & 63];
        out[o++] = alphabet[(v >> 6) & 63];
    }
    out[o] = '\0';
    if (out_len)
        *out_len = o;
    return true;
}

bool base64url_decode(const char *in, size_t in_len, unsigned char *out, size_t out_cap,
                      size_t *out_len)
{
    size_t o = 0, i = 0, tail = in_len % 4;
    uint32_t v = 0;

    /* One leftover character carries only 6 bits: never a whole byte. */
    if (tail == 1 || out_cap < BASE64URL_DECODED_MAX(in_len) || (in_len && (!in || !out)))
        return false;
    for (; i < in_len; i++) {
        int s = sextet((unsigned char)in[i]);
        if (s < 0)
            return false;
        v = v << 6 | (uint32_t)s;
        if (i % 4 == 3) {
            out[o++] = (unsigned char)(v >> 16);
            out[o++] = (unsigned char)(v >> 8);
            out[o++] = (unsigned char)v;
            v = 0;
        }
    }
    if (tail == 2) {
        if (v & 0xF) /* 12 bits read, 8 used */
            return false;
        out[o++] = (unsigned char)(v >> 4);
    } else if (tail == 3) {
        if (v & 0x3) /* 18 bits read, 16 used */
            return false;
        out[o++] = (unsigned char)(v >> 10);
        out[o++] = (unsigned char)(v >> 2);
    }
    if (out_len)
        *out_len = o;
    return true;
}
