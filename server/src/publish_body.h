/*
 * The body of POST /publish: form-urlencoded (topic=..&type=..&data=..) or
 * JSON ({"topic": "..", "type": "..", "data": ".."}). `type` defaults to
 * "message"; `data` is required and must be a string (serialize JSON
 * payloads yourself: data is text on the wire). No lws connection needed,
 * so it is unit-tested on plain buffers.
 */
#ifndef SSEMUX_SERVER_PUBLISH_BODY_H
#define SSEMUX_SERVER_PUBLISH_BODY_H

#include <stdbool.h>
#include <stddef.h>

#include "topic_table.h"
#include "utf8.h" /* utf8_valid, which the publish fields must pass */

#define PUBLISH_TYPE_MAX 64

typedef enum publish_body_kind {
    PUBLISH_BODY_FORM,
    PUBLISH_BODY_JSON,
    PUBLISH_BODY_UNSUPPORTED
} publish_body_kind;

typedef enum publish_body_status {
    PUBLISH_BODY_OK = 0,
    PUBLISH_BODY_MALFORMED,      /* not valid form encoding / JSON */
    PUBLISH_BODY_MISSING_TOPIC,
    PUBLISH_BODY_BAD_TOPIC,
    PUBLISH_BODY_BAD_TYPE,       /* empty, > 64 bytes, control characters, not UTF-8 */
    PUBLISH_BODY_MISSING_DATA,
    PUBLISH_BODY_DATA_NOT_STRING,
    PUBLISH_BODY_DATA_NOT_UTF8,
    PUBLISH_BODY_JSON_NOT_UTF8,  /* RFC 8259 section 8.1 */
    PUBLISH_BODY_LONE_SURROGATE  /* a \uD800-\uDFFF escape without its pair */
} publish_body_status;

typedef struct publish_fields {
    char topic[TOPIC_NAME_MAX + 1];
    size_t topic_len;
    char type[PUBLISH_TYPE_MAX + 1];
    size_t type_len;
    const char *data; /* inside the caller's scratch buffer */
    size_t data_len;
} publish_fields;

/* From the Content-Type header value (parameters like charset ignored). */
publish_body_kind publish_body_kind_of(const char *content_type, size_t len);

/* Parses and validates. `scratch` must hold at least `len` bytes; data is
 * decoded into it (decoding never grows). */
publish_body_status publish_body_parse(publish_body_kind kind, const char *body, size_t len,
                                       char *scratch, publish_fields *out);

const char *publish_body_strerror(publish_body_status status);

#endif
