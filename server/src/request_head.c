#include "request_head.h"

#include <string.h>

/* The methods lws routes; anything else is 501 (RFC 9110 9.1). */
static const char *const methods[] = {"GET", "HEAD", "POST", "OPTIONS", "PUT", "PATCH", "DELETE"};

/* RFC 9110 5.6.2 tchar. */
static int is_tchar(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* Finds the end of the line at buf[0..len): sets *next past its LF and
 * *end at its last content byte + 1 (before CR LF or a bare LF). Returns 0
 * without an LF yet, -1 for a CR not followed by LF. */
static int line_end(const char *buf, size_t len, size_t *end, size_t *next)
{
    const char *lf = memchr(buf, '\n', len);
    size_t n;

    if (!lf) {
        const char *cr = memchr(buf, '\r', len);
        return cr && cr < buf + len - 1 ? -1 : 0;
    }
    n = (size_t)(lf - buf);
    *next = n + 1;
    *end = n && buf[n - 1] == '\r' ? n - 1 : n;
    return memchr(buf, '\r', *end) ? -1 : 1;
}

static request_head_status check_method(const char *m, size_t n)
{
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
        if (strlen(methods[i]) == n && memcmp(methods[i], m, n) == 0)
            return REQUEST_HEAD_OK;
    return REQUEST_HEAD_BAD_METHOD;
}

/* method SP request-target SP HTTP-version (RFC 9112 3). */
static request_head_status check_request_line(const char *l, size_t n)
{
    size_t m = 0, t, v;

    while (m < n && is_tchar((unsigned char)l[m]))
        m++;
    if (!m || m == n || l[m] != ' ')
        return REQUEST_HEAD_BAD;
    t = m + 1;
    for (v = t; v < n && l[v] != ' '; v++)
        if ((unsigned char)l[v] <= 0x20 || (unsigned char)l[v] == 0x7f)
            return REQUEST_HEAD_BAD;
    if (v == t || v == n)
        return REQUEST_HEAD_BAD;
    /* lws decodes %XX while parsing and drops the connection on a decoded
     * NUL without a word: answer it here. */
    for (size_t i = t; i + 2 < v; i++)
        if (l[i] == '%' && l[i + 1] == '0' && l[i + 2] == '0')
            return REQUEST_HEAD_BAD;
    v++;
    if (n - v != 8 || memcmp(l + v, "HTTP/", 5) != 0 || l[v + 6] != '.' ||
        l[v + 5] < '0' || l[v + 5] > '9' || l[v + 7] < '0' || l[v + 7] > '9')
        return REQUEST_HEAD_BAD;
    if (memcmp(l + v, "HTTP/1.0", 8) != 0 && memcmp(l + v, "HTTP/1.1", 8) != 0)
        return REQUEST_HEAD_BAD_VERSION;
    return check_method(l, m);
}

/* field-name ":" OWS field-value OWS, no obs-fold (RFC 9112 5). */
static request_head_status check_header_line(const char *l, size_t n)
{
    size_t i = 0;

    while (i < n && is_tchar((unsigned char)l[i]))
        i++;
    if (!i || i == n || l[i] != ':')
        return REQUEST_HEAD_BAD; /* no name, no colon, or space before it */
    for (i++; i < n; i++) {
        unsigned char c = (unsigned char)l[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return REQUEST_HEAD_BAD;
    }
    return REQUEST_HEAD_OK;
}

request_head_status request_head_scan(const char *buf, size_t len, size_t max,
                                      size_t *head_len)
{
    size_t pos = 0, end = 0, next = 0;
    int lines = 0, r;

    /* RFC 9112 2.2: empty lines before the request line are skipped. */
    while (pos < len && (buf[pos] == '\r' || buf[pos] == '\n') && pos < max)
        pos++;
    for (;;) {
        size_t avail = (len < max ? len : max) - pos;
        request_head_status st;

        r = line_end(buf + pos, avail, &end, &next);
        if (r < 0)
            return REQUEST_HEAD_BAD;
        if (r == 0) {
            /* Judge the request line as soon as its method is known. */
            if (!lines && avail) {
                size_t m = 0;
                while (m < avail && is_tchar((unsigned char)buf[pos + m]))
                    m++;
                if (m < avail && (buf[pos + m] != ' ' || !m))
                    return REQUEST_HEAD_BAD; /* not a method: binary, TLS, ... */
                if (m < avail && check_method(buf + pos, m) != REQUEST_HEAD_OK)
                    return REQUEST_HEAD_BAD_METHOD;
            }
            return len >= max ? REQUEST_HEAD_TOO_LARGE : REQUEST_HEAD_INCOMPLETE;
        }
        if (!end && lines) {
            *head_len = pos + next;
            return REQUEST_HEAD_OK;
        }
        st = lines ? check_header_line(buf + pos, end) : check_request_line(buf + pos, end);
        if (st != REQUEST_HEAD_OK)
            return st;
        lines++;
        pos += next;
    }
}

unsigned request_head_http_status(request_head_status st)
{
    switch (st) {
    case REQUEST_HEAD_BAD_METHOD: return 501;
    case REQUEST_HEAD_BAD_VERSION: return 505;
    case REQUEST_HEAD_TOO_LARGE: return 431;
    case REQUEST_HEAD_OK:
    case REQUEST_HEAD_INCOMPLETE: return 0;
    case REQUEST_HEAD_BAD: break;
    }
    return 400;
}

const char *request_head_strerror(request_head_status st)
{
    switch (st) {
    case REQUEST_HEAD_OK: return "ok";
    case REQUEST_HEAD_INCOMPLETE: return "incomplete request head";
    case REQUEST_HEAD_BAD: return "malformed request line or header line";
    case REQUEST_HEAD_BAD_METHOD: return "method not implemented";
    case REQUEST_HEAD_BAD_VERSION: return "only HTTP/1.0 and HTTP/1.1 are served here";
    case REQUEST_HEAD_TOO_LARGE: return "request head larger than --max-header-bytes";
    }
    return "unknown";
}
