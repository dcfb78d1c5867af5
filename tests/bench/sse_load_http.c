/* Response heads and chunked decoding; see sse_load_http.h. */
#define _GNU_SOURCE
#include "sse_load_http.h"

#include <string.h>
#include <strings.h>

/* True if header line [name, end) is "Name: value" for `want`; sets *value. */
static int header_is(const char *line, const char *end, const char *want,
                     const char **value, const char **value_end)
{
    size_t n = strlen(want);
    if ((size_t)(end - line) <= n || line[n] != ':' || strncasecmp(line, want, n) != 0)
        return 0;
    const char *v = line + n + 1;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    const char *e = end;
    while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
        e--;
    *value = v;
    *value_end = e;
    return 1;
}

static int contains_token(const char *v, const char *end, const char *token)
{
    size_t n = strlen(token);
    for (; v + n <= end; v++)
        if (strncasecmp(v, token, n) == 0)
            return 1;
    return 0;
}

long load_http_head_parse(const char *buf, size_t len, load_http_head *out)
{
    const char *end = memmem(buf, len, "\r\n\r\n", 4);
    if (!end)
        return len >= LOAD_HTTP_MAX_HEAD || (len >= 5 && memcmp(buf, "HTTP/", 5) != 0) ? -1 : 0;
    if ((size_t)(end - buf) + 4 > LOAD_HTTP_MAX_HEAD)
        return -1;
    /* Status line: "HTTP/1.x NNN reason". */
    if (end - buf < 12 || memcmp(buf, "HTTP/1.", 7) != 0 || buf[8] != ' ')
        return -1;
    int status = 0;
    for (int i = 9; i < 12; i++) {
        if (buf[i] < '0' || buf[i] > '9')
            return -1;
        status = status * 10 + (buf[i] - '0');
    }
    out->status = status;
    out->chunked = 0;
    out->close = buf[7] == '0'; /* HTTP/1.0 closes unless it says keep-alive */
    out->content_length = -1;

    const char *line = memchr(buf, '\n', (size_t)(end - buf));
    while (line && line < end) {
        line++;
        const char *eol = memchr(line, '\r', (size_t)(end + 2 - line));
        if (!eol)
            break;
        const char *v, *ve;
        if (header_is(line, eol, "Transfer-Encoding", &v, &ve)) {
            out->chunked = contains_token(v, ve, "chunked");
        } else if (header_is(line, eol, "Content-Length", &v, &ve)) {
            int64_t n = 0;
            if (v == ve)
                return -1;
            for (; v < ve; v++) {
                if (*v < '0' || *v > '9' || n > INT64_MAX / 10 - 9)
                    return -1;
                n = n * 10 + (*v - '0');
            }
            out->content_length = n;
        } else if (header_is(line, eol, "Connection", &v, &ve)) {
            if (contains_token(v, ve, "close"))
                out->close = 1;
            else if (contains_token(v, ve, "keep-alive"))
                out->close = 0;
        }
        line = eol + 1; /* the LF of this line's CRLF */
    }
    return (long)(end - buf) + 4;
}

enum {
    CH_SIZE,      /* reading hex digits of a chunk size */
    CH_EXT,       /* skipping ";ext" up to the line end */
    CH_SIZE_LF,   /* CR seen after the size line */
    CH_DATA,      /* copying `remaining` payload bytes */
    CH_DATA_CR,   /* the CRLF that ends a chunk's data */
    CH_DATA_LF,
    CH_TRAILER,   /* at the start of a trailer line (after the 0 chunk) */
    CH_TRAILER_LINE,
    CH_TRAILER_LF,
    CH_DONE
};

void load_http_chunked_init(load_http_chunked *c)
{
    memset(c, 0, sizeof *c);
}

static int hex_value(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* The size line ended: start the data, or the trailer for the last chunk. */
static void size_line_done(load_http_chunked *c)
{
    c->state = c->remaining ? CH_DATA : CH_TRAILER;
    c->size_digits = 0;
}

long load_http_chunked_decode(load_http_chunked *c, char *buf, size_t len,
                              size_t *consumed, int *done)
{
    size_t in = 0, out = 0;
    *done = 0;
    while (in < len && c->state != CH_DONE) {
        char ch = buf[in];
        switch (c->state) {
        case CH_SIZE: {
            int h = hex_value(ch);
            if (h >= 0) {
                /* 15 hex digits already exceed any sane chunk; refuse more
                 * rather than overflow. */
                if (++c->size_digits > 15)
                    return -1;
                c->remaining = c->remaining * 16u + (uint64_t)h;
            } else if (c->size_digits == 0) {
                return -1;
            } else if (ch == ';' || ch == ' ' || ch == '\t') {
                c->state = CH_EXT;
            } else if (ch == '\r') {
                c->state = CH_SIZE_LF;
            } else if (ch == '\n') {
                size_line_done(c);
            } else {
                return -1;
            }
            in++;
            break;
        }
        case CH_EXT:
            if (ch == '\r')
                c->state = CH_SIZE_LF;
            else if (ch == '\n')
                size_line_done(c);
            in++;
            break;
        case CH_SIZE_LF:
            if (ch != '\n')
                return -1;
            size_line_done(c);
            in++;
            break;
        case CH_DATA: {
            size_t n = len - in;
            if (n > c->remaining)
                n = (size_t)c->remaining;
            memmove(buf + out, buf + in, n);
            out += n;
            in += n;
            c->remaining -= n;
            if (c->remaining == 0)
                c->state = CH_DATA_CR;
            break;
        }
        case CH_DATA_CR:
            if (ch == '\r')
                c->state = CH_DATA_LF;
            else if (ch == '\n')
                c->state = CH_SIZE;
            else
                return -1;
            in++;
            break;
        case CH_DATA_LF:
            if (ch != '\n')
                return -1;
            c->state = CH_SIZE;
            in++;
            break;
        case CH_TRAILER:
            c->state = ch == '\r' ? CH_TRAILER_LF : ch == '\n' ? CH_DONE : CH_TRAILER_LINE;
            in++;
            break;
        case CH_TRAILER_LINE:
            if (ch == '\n')
                c->state = CH_TRAILER;
            in++;
            break;
        case CH_TRAILER_LF:
            if (ch != '\n')
                return -1;
            c->state = CH_DONE;
            in++;
            break;
        }
    }
    *consumed = in;
    *done = c->state == CH_DONE;
    return (long)out;
}
