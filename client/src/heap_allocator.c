/* sse_heap_allocator: the growable mode over the C library's heap. Kept out
 * of parser.c so that builds without a heap (the wasm core, which brings its
 * own allocator) never link malloc. */
#include <stdlib.h>

#include "ssemux/parser.h"

static void *heap_resize(void *alloc_ctx, void *ptr, size_t old_size, size_t new_size)
{
    (void)alloc_ctx;
    (void)old_size;
    if (new_size == 0) {
        free(ptr);
        return NULL;
    }
    return realloc(ptr, new_size);
}

sse_allocator sse_heap_allocator(void)
{
    sse_allocator a = {heap_resize, NULL};
    return a;
}
