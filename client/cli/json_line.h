/*
 * ssecat's output format: one JSON object per line.
 *
 *   {"type":T,"data":D,"id":I}\n    a dispatched event
 *   {"retry":N}\n                   a valid retry: field
 *   {"comment":C}\n                 a comment line (--comments)
 *
 * Each string is byte for byte what JavaScript's JSON.stringify prints for
 * the value an EventSource would hand to script: the raw bytes decoded as
 * UTF-8 by the WHATWG decoder (TextDecoder), so ssecat's output can be
 * compared with a browser's or the wasm build's without normalising.
 */
#ifndef SSECAT_JSON_LINE_H
#define SSECAT_JSON_LINE_H

#include <stdint.h>
#include <stdio.h>

#include "ssemux/parser.h"

/* Writes `ev` as one JSON line. Returns 0, or -1 if writing to `out` failed. */
int sse_json_write_event(FILE *out, const sse_event *ev);

/* Writes {"comment":text} and a line feed (`text` as the strings above).
 * Returns 0, or -1 on a write error. */
int sse_json_write_comment(FILE *out, const char *text, size_t len);

/* Writes {"retry":ms} and a line feed. Returns 0, or -1 on a write error. */
int sse_json_write_retry(FILE *out, uint32_t ms);

/* Writes `len` bytes as a quoted JSON string (the rules above). Returns 0
 * or -1 on a write error. */
int sse_json_write_string(FILE *out, const char *bytes, size_t len);

#endif
