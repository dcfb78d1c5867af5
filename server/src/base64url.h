/*
 * base64url without padding (RFC 4648 section 5), as JWS uses it
 * (RFC 7515 section 2, "Base64url Encoding").
 *
 * Private to the server. libwebsockets 4.1.6 has base64 helpers, but its
 * encoder always pads with '=' and its decoder skips characters outside the
 * alphabet instead of failing, so a token with junk in it would verify.
 */
#ifndef SSEMUX_SERVER_BASE64URL_H
#define SSEMUX_SERVER_BASE64URL_H

#include <stdbool.h>
#include <stddef.h>

/* Characters needed to encode n bytes (no padding, no NUL). */
#define BASE64URL_ENCODED_LEN(n) (((n) / 3) * 4 + ((n) % 3 ? (n) % 3 + 1 : 0))
/* Bytes an n-character input can decode to, at most. */
#define BASE64URL_DECODED_MAX(n) (((n) / 4) * 3 + ((n) % 4 ? (n) % 4 - 1 : 0))

/* Encodes `in` and NUL-terminates `out`. Returns false (writing nothing
 * useful) if out_cap < BASE64URL_ENCODED_LEN(in_len) + 1. */
bool base64url_encode(const void *in, size_t in_len, char *out, size_t out_cap, size_t *out_len);

/* Strict decode: only A-Z a-z 0-9 '-' '_', no '=' or whitespace, no length
 * of the form 4k+1, and the unused low bits of the last character must be
 * zero, so every byte string has exactly one accepted spelling. Returns false
 * on any of those or if out_cap is too small. */
bool base64url_decode(const char *in, size_t in_len, unsigned char *out, size_t out_cap,
                      size_t *out_len);

#endif
