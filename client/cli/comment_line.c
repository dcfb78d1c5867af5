#include "comment_line.h"

#include <stdlib.h>
#include <string.h>

#include "json_line.h"

void ssecat_comment_init(ssecat_comment *c, size_t max_len)
{
    memset(c, 0, sizeof *c);
    c->max_len = max_len;
}

static bool keep(ssecat_comment *c, const char *text, size_t len)
{
    if (len > c->max_len - c->len) {
        c->too_long = true;
        c->len = 0;
        return true;
    }
    if (c->len + len > c->cap) {
        size_t cap = c->cap ? c->cap : 256;
        while (cap < c->len + len)
            cap = cap > c->max_len / 2 ? c->max_len : cap * 2;
        char *grown = realloc(c->text, cap);
        if (grown == NULL)
            return false;
        c->text = grown;
        c->cap = cap;
    }
    memcpy(c->text + c->len, text, len);
    c->len += len;
    return true;
}

ssecat_comment_result ssecat_comment_piece(ssecat_comment *c, FILE *out, const char *text,
                                           size_t len, int last)
{
    if (!c->too_long && len > 0) {
        /* The usual heartbeat is one whole line in one piece: no copy. */
        if (last && c->len == 0 && len <= c->max_len)
            return sse_json_write_comment(out, text, len) == 0 ? SSECAT_COMMENT_OK
                                                               : SSECAT_COMMENT_WRITE_FAILED;
        if (!keep(c, text, len)) {
            ssecat_comment_reset(c);
            c->too_long = !last; /* skip the rest of this line */
            return SSECAT_COMMENT_NO_MEMORY;
        }
    }
    if (!last)
        return SSECAT_COMMENT_OK;
    bool dropped = c->too_long;
    int rc = dropped ? 0 : sse_json_write_comment(out, c->text, c->len);
    ssecat_comment_reset(c);
    if (dropped)
        return SSECAT_COMMENT_TOO_LONG;
    return rc == 0 ? SSECAT_COMMENT_OK : SSECAT_COMMENT_WRITE_FAILED;
}

const char *ssecat_comment_strerror(ssecat_comment_result r)
{
    switch (r) {
    case SSECAT_COMMENT_OK: return "ok";
    case SSECAT_COMMENT_TOO_LONG: return "comment longer than the data limit; not printed";
    case SSECAT_COMMENT_WRITE_FAILED: return "writing stdout failed";
    case SSECAT_COMMENT_NO_MEMORY: return "out of memory for a comment; not printed";
    }
    return "unknown comment result";
}

void ssecat_comment_reset(ssecat_comment *c)
{
    c->len = 0;
    c->too_long = false;
}

void ssecat_comment_free(ssecat_comment *c)
{
    free(c->text);
    memset(c, 0, sizeof *c);
}
