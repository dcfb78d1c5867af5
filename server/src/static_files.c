/* Linux: O_PATH, openat2 and /proc/self/fd. */
#define _GNU_SOURCE

#include "static_files.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifdef SYS_openat2
#include <linux/openat2.h>
#endif

/* Never block on a FIFO, never take a terminal, never leak to children. */
#define OPEN_FLAGS (O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)

/* Only what a browser can be sent: files, and directories (for index.html). */
static int keep_if_servable(int fd)
{
    struct stat st;

    if (fd < 0)
        return -1;
    if (fstat(fd, &st) == 0 && (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)))
        return fd;
    close(fd);
    errno = EACCES;
    return -1;
}

/* The kernel resolves rel beneath root_fd: ".." past it, an absolute
 * symlink or one whose target leaves it fail with EXDEV. */
static int open_beneath(int root_fd, const char *rel)
{
#ifdef SYS_openat2
    struct open_how how;

    memset(&how, 0, sizeof how);
    how.flags = OPEN_FLAGS;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
    return (int)syscall(SYS_openat2, root_fd, rel, &how, sizeof how);
#else
    (void)root_fd;
    (void)rel;
    errno = ENOSYS;
    return -1;
#endif
}

static bool is_beneath(const char *root, const char *path)
{
    size_t n = strlen(root);

    return strncmp(path, root, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

int static_files_open_checked(const char *root, const char *rel)
{
    char link[64], real[PATH_MAX + 1];
    int root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC), fd;
    ssize_t n;

    if (root_fd < 0)
        return -1;
    fd = openat(root_fd, rel, OPEN_FLAGS);
    close(root_fd);
    if (fd < 0)
        return -1;
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    n = readlink(link, real, sizeof real - 1);
    if (n <= 0 || (size_t)n >= sizeof real - 1) { /* no /proc: refuse, never guess */
        close(fd);
        errno = EACCES;
        return -1;
    }
    real[n] = '\0';
    if (!is_beneath(root, real)) {
        close(fd);
        errno = EXDEV;
        return -1;
    }
    return keep_if_servable(fd);
}

int static_files_open(const char *root, const char *rel)
{
    int root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC), fd;

    if (root_fd < 0)
        return -1;
    fd = open_beneath(root_fd, rel);
    close(root_fd);
    if (fd < 0 && (errno == ENOSYS || errno == EPERM))
        return static_files_open_checked(root, rel);
    return keep_if_servable(fd);
}

/* lws_plat_file_ops.open: `filename` is "<root>/<uri>" (the mount's origin
 * is sf->root); everything else is refused. */
static lws_fop_fd_t open_static(const struct lws_plat_file_ops *fops, const char *filename,
                                const char *vpath, lws_fop_flags_t *flags)
{
    const static_files *sf = (const static_files *)fops; /* fops is its first member */
    lws_fop_fd_t fop_fd;
    struct stat st;
    int fd;

    (void)vpath;
    if (strncmp(filename, sf->root, sf->root_len) != 0 || filename[sf->root_len] != '/')
        return NULL;
    fd = static_files_open(sf->root, filename + sf->root_len + 1);
    if (fd < 0)
        return NULL;
    fop_fd = malloc(sizeof(*fop_fd));
    if (!fop_fd || fstat(fd, &st) != 0) {
        free(fop_fd);
        close(fd);
        return NULL;
    }
    memset(fop_fd, 0, sizeof(*fop_fd));
    fop_fd->fd = fd;
    fop_fd->fops = fops;
    fop_fd->flags = *flags;
    fop_fd->len = (lws_filepos_t)st.st_size;
    return fop_fd;
}

bool static_files_init(static_files *sf, const char *dir, char *err, size_t err_cap)
{
    char real[PATH_MAX];
    struct stat st;

    memset(sf, 0, sizeof(*sf));
    if (!realpath(dir, real) || stat(real, &st) != 0) {
        snprintf(err, err_cap, "%s", strerror(errno));
        return false;
    }
    if (!S_ISDIR(st.st_mode)) {
        snprintf(err, err_cap, "not a directory");
        return false;
    }
    sf->root_len = strlen(real);
    if (sf->root_len > STATIC_FILES_MAX_ROOT) {
        snprintf(err, err_cap, "its real path is longer than %d bytes", STATIC_FILES_MAX_ROOT);
        return false;
    }
    if (sf->root_len == 1) {
        snprintf(err, err_cap, "refusing to serve the whole file system");
        return false;
    }
    memcpy(sf->root, real, sf->root_len + 1);
    return true;
}

void static_files_install(static_files *sf, struct lws_context *context)
{
    const struct lws_plat_file_ops *platform = lws_get_fops(context);

    /* Reading, seeking and closing an open file stay lws's own. */
    sf->fops = *platform;
    sf->fops.LWS_FOP_OPEN = open_static;
    sf->fops.next = NULL; /* no virtual file systems (zip) */
    lws_set_fops(context, &sf->fops);
}
