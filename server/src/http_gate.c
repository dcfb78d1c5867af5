#include "http_gate.h"

#include <string.h>

#include "demo_outage.h"
#include "request_line.h"

/* Longest Content-Length we read: 18 digits cannot overflow int64. */
#define MAX_LENGTH_DIGITS 18

typedef struct path_methods {
    const char *path;
    unsigned methods; /* bit per LWSHUMETH_* */
    const char *allow;
} path_methods;

#define M(x) (1u << (x))

static const path_methods api_paths[] = {
    {"/events", M(LWSHUMETH_GET) | M(LWSHUMETH_HEAD) | M(LWSHUMETH_OPTIONS), "GET, HEAD, OPTIONS"},
    {"/publish", M(LWSHUMETH_POST) | M(LWSHUMETH_OPTIONS), "POST, OPTIONS"},
    {"/healthz", M(LWSHUMETH_GET) | M(LWSHUMETH_HEAD), "GET, HEAD"},
    {"/metrics", M(LWSHUMETH_GET) | M(LWSHUMETH_HEAD), "GET, HEAD"},
    {DEMO_OUTAGE_PATH, M(LWSHUMETH_POST) | M(LWSHUMETH_OPTIONS), "POST, OPTIONS"},
};

static const path_methods static_paths = {"/", M(LWSHUMETH_GET) | M(LWSHUMETH_HEAD),
                                          "GET, HEAD"};

static http_gate_verdict refuse(unsigned status, const char *message, const char *allow)
{
    http_gate_verdict v = {status, message, allow};
    return v;
}

static bool all_digits(const char *s, int n)
{
    if (n < 1 || n > MAX_LENGTH_DIGITS)
        return false;
    for (int i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* A framing header spelled so that lws does not know it ("Content-Length :",
 * a tab before the colon): lws keeps it as an unknown header, and a proxy in
 * front may read it as the real one. RFC 9112 5.1: reject with 400. */
static bool has_disguised(struct lws *wsi, const char *name)
{
    static const char *const gaps[] = {" :", "\t:", "  :"};
    char spelled[40];

    for (size_t i = 0; i < sizeof(gaps) / sizeof(gaps[0]); i++) {
        size_t n = strlen(name);
        memcpy(spelled, name, n);
        strcpy(spelled + n, gaps[i]);
        if (lws_hdr_custom_length(wsi, spelled, (int)strlen(spelled)) >= 0)
            return true;
    }
    return false;
}

/* RFC 9112 6.1-6.3: anything but one Content-Length of plain digits, or a
 * Transfer-Encoding, is a framing we will not guess at. */
static http_gate_verdict check_framing(struct lws *wsi)
{
    char value[MAX_LENGTH_DIGITS + 2];
    int te = lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_TRANSFER_ENCODING);
    int cl = lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH);

    if (has_disguised(wsi, "transfer-encoding") || has_disguised(wsi, "content-length"))
        return refuse(400, "whitespace before a header's colon", NULL);
    if (te > 0 && cl > 0)
        return refuse(400, "both Content-Length and Transfer-Encoding", NULL);
    if (te > 0)
        /* lws 4.1 does not decode chunked request bodies. */
        return refuse(411, "send a Content-Length (chunked request bodies are not supported)",
                      NULL);
    if (cl <= 0)
        return refuse(0, NULL, NULL);
    /* A second Content-Length is a second fragment of the same token. */
    if (lws_hdr_fragment_length(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH, 1) > 0)
        return refuse(400, "more than one Content-Length", NULL);
    if (cl >= (int)sizeof(value) ||
        lws_hdr_copy(wsi, value, sizeof(value), WSI_TOKEN_HTTP_CONTENT_LENGTH) != cl ||
        !all_digits(value, cl))
        return refuse(400, "invalid Content-Length", NULL);
    return refuse(0, NULL, NULL);
}

static const path_methods *methods_for(const char *uri, int uri_len, bool static_on)
{
    for (size_t i = 0; i < sizeof(api_paths) / sizeof(api_paths[0]); i++) {
        const char *p = api_paths[i].path;
        if ((size_t)uri_len == strlen(p) && memcmp(uri, p, (size_t)uri_len) == 0)
            return &api_paths[i];
    }
    return static_on ? &static_paths : NULL;
}

bool http_gate_has_body(struct lws *wsi)
{
    char value[MAX_LENGTH_DIGITS + 2];
    int n;

    if (lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_TRANSFER_ENCODING) > 0)
        return true;
    n = lws_hdr_copy(wsi, value, sizeof(value), WSI_TOKEN_HTTP_CONTENT_LENGTH);
    for (int i = 0; i < n; i++)
        if (value[i] != '0')
            return true;
    return false;
}

http_gate_verdict http_gate_check(struct lws *wsi, const char *uri, int uri_len,
                                  bool static_on)
{
    char *ignored;
    int ignored_len, method = lws_http_get_uri_and_method(wsi, &ignored, &ignored_len);
    http_gate_verdict v = check_framing(wsi);
    const path_methods *pm;

    if (!request_line_intact(wsi))
        return refuse(400, REQUEST_LINE_CUT_MESSAGE, NULL);
    if (v.status)
        return v;
    if (method < 0 || method >= 32)
        return refuse(400, "malformed request", NULL);
    pm = methods_for(uri, uri_len, static_on);
    if (!pm)
        return refuse(0, NULL, NULL); /* the router answers 404 */
    if (!(pm->methods & M(method)))
        return refuse(405, "method not allowed", pm->allow);
    /* Only /publish reads a body; anywhere else one would be left unread. */
    if (method != LWSHUMETH_POST && http_gate_has_body(wsi))
        return refuse(400, "this request takes no body", NULL);
    return refuse(0, NULL, NULL);
}
