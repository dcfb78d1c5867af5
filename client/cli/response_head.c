#include "response_head.h"

#include <stdlib.h>
#include <string.h>

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

static char lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c; }

bool ssecat_header_name_is(const char *name, size_t len, const char *lowercase_name)
{
    if (strlen(lowercase_name) != len)
        return false;
    for (size_t i = 0; i < len; i++)
        if (lower(name[i]) != lowercase_name[i])
            return false;
    return true;
}

/* "HTTP/1.1 200 OK" or "HTTP/2 200": the three digits after the first space. */
static int status_of(const char *line, size_t len)
{
    const char *sp = memchr(line, ' ', len);
    if (sp == NULL || (size_t)(sp - line) + 4 > len)
        return -1;
    int status = 0;
    for (int i = 1; i <= 3; i++) {
        if (sp[i] < '0' || sp[i] > '9')
            return -1;
        status = status * 10 + (sp[i] - '0');
    }
    return status;
}

/* Replaces *slot with a NUL-terminated copy of the trimmed value. */
static bool keep_value(char **slot, const char *value, size_t len)
{
    while (len > 0 && is_space(*value)) {
        value++;
        len--;
    }
    while (len > 0 && is_space(value[len - 1]))
        len--;
    char *copy = malloc(len + 1);
    if (copy == NULL)
        return false;
    memcpy(copy, value, len);
    copy[len] = '\0';
    free(*slot);
    *slot = copy;
    return true;
}

void ssecat_response_head_clear(ssecat_response_head *h)
{
    free(h->content_type);
    free(h->retry_after);
    free(h->location);
    memset(h, 0, sizeof *h);
}

ssecat_head_result ssecat_response_head_line(ssecat_response_head *h, const char *line,
                                             size_t len)
{
    if (h->complete)
        return SSECAT_HEAD_IGNORED;
    if (len >= 5 && memcmp(line, "HTTP/", 5) == 0) {
        /* A new head starts: what an interim head said does not carry over. */
        ssecat_response_head_clear(h);
        h->status = status_of(line, len);
        return SSECAT_HEAD_MORE;
    }
    if (len == 0 || (len == 1 && line[0] == '\n') ||
        (len == 2 && line[0] == '\r' && line[1] == '\n')) {
        /* The blank line ending a head. 1xx heads are interim (RFC 9110
         * 15.2): the real one follows on the same connection. */
        if (h->status == 0 || (h->status >= 100 && h->status <= 199)) {
            h->status = 0;
            return SSECAT_HEAD_MORE;
        }
        h->complete = true;
        return SSECAT_HEAD_COMPLETE;
    }
    const char *colon = memchr(line, ':', len);
    if (colon == NULL)
        return SSECAT_HEAD_MORE;
    size_t name_len = (size_t)(colon - line), value_len = len - name_len - 1;
    char **slot = ssecat_header_name_is(line, name_len, "content-type") ? &h->content_type
                  : ssecat_header_name_is(line, name_len, "retry-after") ? &h->retry_after
                  : ssecat_header_name_is(line, name_len, "location")    ? &h->location
                                                                          : NULL;
    if (slot != NULL && !keep_value(slot, colon + 1, value_len))
        return SSECAT_HEAD_NO_MEMORY;
    return SSECAT_HEAD_MORE;
}
