/*
 * Parses one complete JSON object with LEJP: the one JSON reader of the
 * server (publish bodies and JWT headers and claims). The text is checked
 * first so it stays inside LEJP 4.1.6's fixed path and nesting buffers
 * (which it does not bound-check itself) and so LEJP's string decoding is
 * right: the text must be UTF-8, and a \uD800-\uDFFF escape must be half of
 * a surrogate pair. A top-level array, '#' comments, trailing text or an
 * object that never closes are refused. "{}" is accepted (LEJP itself
 * refuses it) and reports no members.
 *
 * String values reach the callback as LEJP decodes them, with one flaw the
 * caller mends with json_string_join_surrogates once it holds a whole
 * string (LEJP reports long strings in chunks that may split a pair).
 */
#ifndef SSEMUX_SERVER_JSON_OBJECT_H
#define SSEMUX_SERVER_JSON_OBJECT_H

#include <libwebsockets.h>
#include <stdbool.h>
#include <stddef.h>

typedef enum json_object_status {
    JSON_OBJECT_OK = 0,
    JSON_OBJECT_MALFORMED,     /* not one JSON object, or past LEJP's limits */
    JSON_OBJECT_NOT_UTF8,      /* RFC 8259 section 8.1: JSON text is UTF-8 */
    JSON_OBJECT_LONE_SURROGATE /* a surrogate escape without its other half */
} json_object_status;

/* `paths`/`paths_count` are LEJP's path table (may be NULL/0). A callback
 * that returns nonzero ends the parse with JSON_OBJECT_MALFORMED. */
json_object_status json_object_parse(const char *json, size_t len, lejp_callback cb, void *user,
                                     const char *const *paths, unsigned char paths_count);

/*
 * LEJP 4.1.6 decodes each \uXXXX escape on its own, so the pair
 * "\ud83d\ude00" (U+1F600, as Python's json.dumps writes it) arrives as two
 * 3-byte sequences ED A0 BD, ED B8 80 (CESU-8), which is not UTF-8. Joins
 * each such pair in s[0..len) into its 4-byte UTF-8 sequence, in place, and
 * returns the new length. For a whole string value of a text that
 * json_object_parse accepted: its raw bytes are UTF-8, so surrogate
 * sequences can only come from escapes, and escapes come in pairs.
 */
size_t json_string_join_surrogates(char *s, size_t len);

#endif
