/*
 * UTF-8 well-formedness (RFC 3629), shared by the JSON reader (a JSON text
 * must be UTF-8, RFC 8259 section 8.1) and the publish fields.
 */
#ifndef SSEMUX_SERVER_UTF8_H
#define SSEMUX_SERVER_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* True if p[0..len) is well-formed UTF-8 (no overlongs, no surrogates). */
bool utf8_valid(const char *p, size_t len);

#endif
