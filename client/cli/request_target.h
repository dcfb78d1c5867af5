/*
 * What each connection attempt sends: the EventSource's "request" (WHATWG
 * HTML 9.2.2). Redirects rewrite it the way Fetch's "HTTP-redirect fetch"
 * does (new URL; 303, or 301/302 after a POST, turn it into a GET without
 * body; another origin loses the credentials), and reconnects send it as
 * the last redirect left it: the spec reuses the one request object, whose
 * current URL is the last one in its URL list (Chromium and undici agree).
 *
 * ssecat follows redirects itself instead of with CURLOPT_FOLLOWLOCATION:
 * libcurl 7.88 (Debian 12) keeps a CURLOPT_CUSTOMREQUEST method across a
 * 303 (CURLFOLLOW_OBEYCODE came in 8.13), and the reconnect rule needs the
 * request as each hop left it. libcurl's URL API still resolves every
 * Location against the URL it answered, with the flags curl -L uses.
 */
#ifndef SSECAT_REQUEST_TARGET_H
#define SSECAT_REQUEST_TARGET_H

#include <stdbool.h>
#include <stddef.h>

typedef struct ssecat_target {
    char *url;              /* absolute, normalised by curl_url() (curl_free it) */
    const char *method;     /* "GET", or -X / -d's method until a redirect says GET */
    const char *body;       /* NULL: no body */
    size_t body_len;
    bool drop_credentials;  /* crossed origins: no -H Authorization or Cookie */
    bool drop_body_headers; /* became a GET: no -H Content-Type and kin */
    const char *url_error;  /* curl's words when a URL was SSECAT_HOP_BAD_URL */
} ssecat_target;

typedef enum ssecat_hop_result {
    SSECAT_HOP_OK,
    SSECAT_HOP_NOT_HTTP,  /* Fetch: a non-HTTP(S) location is a network error */
    SSECAT_HOP_BAD_URL,   /* curl_url() refused the location */
    SSECAT_HOP_NO_MEMORY
} ssecat_hop_result;

/* Sets `t` to `url` (checked as http or https), `method`, `body`. */
ssecat_hop_result ssecat_target_init(ssecat_target *t, const char *url, const char *method,
                                     const char *body, size_t body_len);

/* Fetch's redirect statuses: 301, 302, 303, 307, 308. */
bool ssecat_is_redirect_status(int status);

/* One hop: `status` answered with Location: `location` (absolute or
 * relative to t->url). On anything but SSECAT_HOP_OK, `t` is unchanged but
 * for url_error. */
ssecat_hop_result ssecat_target_redirect(ssecat_target *t, int status, const char *location);

/* Does the -H header named `name` (`len` bytes) go out with `t`? */
bool ssecat_target_sends_header(const ssecat_target *t, const char *name, size_t len);

/* Checks -X's METHOD as fetch() does and normalises it in place: a token
 * (RFC 9110), not CONNECT, TRACE or TRACK; DELETE, GET, HEAD, OPTIONS, POST
 * and PUT in any case become upper case. Returns NULL or why it is refused. */
const char *ssecat_method_check(char *method);

void ssecat_target_free(ssecat_target *t);

#endif
