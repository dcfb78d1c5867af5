/*
 * -d / --data: the request body, given inline, or read whole from a file
 * with @FILE (@- is stdin). Bytes are sent as they are: unlike curl -d, a
 * file's line breaks are kept (curl's --data-binary behaviour).
 */
#ifndef SSECAT_REQUEST_BODY_H
#define SSECAT_REQUEST_BODY_H

#include <stddef.h>

/* A body past this is refused: it is held in memory and re-sent on every
 * reconnect, so anything bigger is a mistake, not a stream request. */
#define SSECAT_MAX_BODY ((size_t)64 << 20)

/* Reads the body `arg` names. Returns NULL with *body and *len set (and
 * *owned the malloc'd copy to free; NULL for an inline body, which stays in
 * argv), or the reason it failed (strerror's words for a file). */
const char *ssecat_body_from_arg(const char *arg, char **owned, const char **body, size_t *len);

#endif
