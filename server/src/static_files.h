/*
 * --static DIR: the files libwebsockets serves at "/", never one whose real
 * path is outside DIR, symlinks included (docs/server.md, "Static files").
 *
 * lws 4.1.6 serves a file mount by open()ing "<origin>/<uri>", which follows
 * any symlink out of the root. lws opens every file through the context's
 * file operations, so static_files_install puts ours there: the root is
 * resolved once at startup (realpath), and each open resolves the request's
 * path beneath it in the kernel (openat2 RESOLVE_BENEATH), so a symlink
 * swapped in between a check and the open cannot lead out (no TOCTOU).
 */
#ifndef SSEMUX_SERVER_STATIC_FILES_H
#define SSEMUX_SERVER_STATIC_FILES_H

#include <stdbool.h>
#include <stddef.h>

#include <libwebsockets.h>

/* lws builds "<root>/<uri>" in a 256-byte buffer: keep room for the uri. */
#define STATIC_FILES_MAX_ROOT 200

typedef struct static_files {
    struct lws_plat_file_ops fops; /* first: lws hands this pointer back */
    char root[STATIC_FILES_MAX_ROOT + 1]; /* realpath of DIR */
    size_t root_len;
} static_files;

/* Resolves `dir` (it must be a directory). On failure writes why to err. */
bool static_files_init(static_files *sf, const char *dir, char *err, size_t err_cap);

/* Makes the context open files only through `sf` (which must outlive it). */
void static_files_install(static_files *sf, struct lws_context *context);

/* The check itself: opens `rel` (relative to the resolved `root`) for
 * reading if it is a regular file or a directory beneath root; -1 if not
 * (errno set). Uses openat2 RESOLVE_BENEATH, or where the kernel has no
 * openat2 (before Linux 5.6, or a seccomp filter refuses it)
 * static_files_open_checked. */
int static_files_open(const char *root, const char *rel);

/* The fallback: opens, then checks the opened file's real path
 * (/proc/self/fd) is beneath root, which holds for the file actually
 * served whatever changed on disk meanwhile. */
int static_files_open_checked(const char *root, const char *rel);

#endif
