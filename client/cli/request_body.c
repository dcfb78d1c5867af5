#include "request_body.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *read_all(FILE *f, char **owned, size_t *len)
{
    size_t cap = 4096, used = 0;
    char *buf = malloc(cap);

    if (buf == NULL)
        return "out of memory";
    for (;;) {
        used += fread(buf + used, 1, cap - used, f);
        if (ferror(f)) {
            free(buf);
            return strerror(errno);
        }
        if (feof(f))
            break;
        if (cap >= SSECAT_MAX_BODY) {
            free(buf);
            return "larger than 64 MiB";
        }
        char *grown = realloc(buf, cap * 2);
        if (grown == NULL) {
            free(buf);
            return "out of memory";
        }
        buf = grown;
        cap *= 2;
    }
    *owned = buf;
    *len = used;
    return NULL;
}

const char *ssecat_body_from_arg(const char *arg, char **owned, const char **body, size_t *len)
{
    *owned = NULL;
    if (arg[0] != '@') {
        *body = arg;
        *len = strlen(arg);
        return NULL;
    }
    bool from_stdin = strcmp(arg, "@-") == 0;
    FILE *f = from_stdin ? stdin : fopen(arg + 1, "rb");
    if (f == NULL)
        return strerror(errno);
    const char *why = read_all(f, owned, len);
    if (!from_stdin)
        fclose(f);
    *body = *owned;
    return why;
}
