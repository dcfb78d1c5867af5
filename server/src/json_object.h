/*
 * Parses one complete JSON object with LEJP. The text is measured first so
 * it stays inside LEJP 4.1.6's fixed path and nesting buffers (which it does
 * not bound-check itself); a top-level array, '#' comments, trailing text or
 * an object that never closes are refused. "{}" is accepted (LEJP itself
 * refuses it) and reports no members.
 */
#ifndef SSEMUX_SERVER_JSON_OBJECT_H
#define SSEMUX_SERVER_JSON_OBJECT_H

#include <libwebsockets.h>
#include <stdbool.h>
#include <stddef.h>

/* `paths`/`paths_count` are LEJP's path table (may be NULL/0). */
bool json_object_parse(const char *json, size_t len, lejp_callback cb, void *user,
                       const char *const *paths, unsigned char paths_count);

#endif
