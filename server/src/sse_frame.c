#include "sse_frame.h"

#include <stdio.h>
#include <string.h>

/* Walks data line by line, splitting at CRLF, CR and LF. Empty data is one
 * empty line, so the event still carries "data: \n". */
typedef struct line_iter {
    const char *data;
    size_t len;
    size_t pos;
    int done;
} line_iter;

static int next_line(line_iter *it, const char **line, size_t *line_len)
{
    size_t i = it->pos;

    if (it->done)
        return 0;
    while (i < it->len && it->data[i] != '\r' && it->data[i] != '\n')
        i++;
    *line = it->data + it->pos;
    *line_len = i - it->pos;
    if (i >= it->len) {
        it->done = 1;
    } else {
        if (it->data[i] == '\r' && i + 1 < it->len && it->data[i + 1] == '\n')
            i++;
        it->pos = i + 1;
    }
    return 1;
}

static const char ID_PREFIX[] = "id: ";
static const char EVENT_PREFIX[] = "event: ";
static const char DATA_PREFIX[] = "data: ";

size_t sse_frame_event_size(size_t id_len, size_t type_len, const char *data, size_t data_len)
{
    size_t size = (sizeof(ID_PREFIX) - 1) + id_len + 1 + (sizeof(EVENT_PREFIX) - 1) + type_len + 1;

    line_iter it = {data, data_len, 0, 0};
    const char *line;
    size_t line_len;

    while (next_line(&it, &line, &line_len))
        size += (sizeof(DATA_PREFIX) - 1) + line_len + 1;
    return size + 1; /* the blank line that dispatches the event */
}

static char *put(char *p, const char *s, size_t n)
{
    memcpy(p, s, n);
    return p + n;
}

size_t sse_frame_event(char *out, size_t cap, const char *id, size_t id_len, const char *type,
                       size_t type_len, const char *data, size_t data_len)
{
    size_t size = sse_frame_event_size(id_len, type_len, data, data_len);
    line_iter it = {data, data_len, 0, 0};
    const char *line;
    size_t line_len;
    char *p = out;

    if (size > cap)
        return 0;
    p = put(p, ID_PREFIX, sizeof(ID_PREFIX) - 1);
    p = put(p, id, id_len);
    *p++ = '\n';
    p = put(p, EVENT_PREFIX, sizeof(EVENT_PREFIX) - 1);
    p = put(p, type, type_len);
    *p++ = '\n';
    while (next_line(&it, &line, &line_len)) {
        p = put(p, DATA_PREFIX, sizeof(DATA_PREFIX) - 1);
        p = put(p, line, line_len);
        *p++ = '\n';
    }
    *p++ = '\n';
    return (size_t)(p - out);
}

/* snprintf that reports 0 instead of a truncated length. */
static size_t format_or_zero(int n, size_t cap)
{
    return (n < 0 || (size_t)n >= cap) ? 0 : (size_t)n;
}

size_t sse_frame_retry(char *out, size_t cap, unsigned retry_ms)
{
    return format_or_zero(snprintf(out, cap, "retry: %u\n\n", retry_ms), cap);
}

size_t sse_frame_gap(char *out, size_t cap, const char *topic, const char *requested,
                     const char *oldest, bool routed)
{
    int n = snprintf(out, cap,
                     "event: %s%sssemux-gap\ndata: {\"topic\":\"%s\",\"requested\":\"%s\","
                     "\"oldest\":%s%s%s}\n\n",
                     routed ? topic : "", routed ? "/" : "", topic, requested, oldest ? "\"" : "",
                     oldest ? oldest : "null", oldest ? "\"" : "");
    return format_or_zero(n, cap);
}

size_t sse_frame_route(char *out, size_t cap, const char *frame, size_t frame_len,
                       const char *topic, size_t topic_len)
{
    /* The type follows "id: <id>\nevent: ". */
    const char *nl = memchr(frame, '\n', frame_len);
    size_t at, size = frame_len + topic_len + 1;

    if (!nl || size > cap)
        return 0;
    at = (size_t)(nl - frame) + 1 + (sizeof(EVENT_PREFIX) - 1);
    if (at > frame_len || memcmp(nl + 1, EVENT_PREFIX, sizeof(EVENT_PREFIX) - 1) != 0)
        return 0;
    memcpy(out, frame, at);
    memcpy(out + at, topic, topic_len);
    out[at + topic_len] = '/';
    memcpy(out + at + topic_len + 1, frame + at, frame_len - at);
    return size;
}
