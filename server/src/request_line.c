#include "request_line.h"

#include <string.h>

bool request_line_intact(struct lws *wsi)
{
    char version[16];
    int n;

    /* HTTP/2 has no request line: its pseudo-headers arrive framed. */
    if (lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_COLON_PATH) > 0)
        return true;
    n = lws_hdr_copy(wsi, version, (int)sizeof version, WSI_TOKEN_HTTP);
    return n == 8 && strncmp(version, "HTTP/1.", 7) == 0 && (version[7] == '0' || version[7] == '1');
}
