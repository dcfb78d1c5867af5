/* static_files: --static never opens a file whose real path is outside the
 * root, symlinks included; links that stay inside keep working. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "static_files.h"

static char base[PATH_MAX], root[PATH_MAX + 8];

static void put(const char *rel, const char *text)
{
    char path[PATH_MAX + 64];
    FILE *f;
    snprintf(path, sizeof path, "%s/%s", base, rel);
    f = fopen(path, "w");
    CHECK(f != NULL);
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static void link_at(const char *target, const char *rel)
{
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    CHECK(symlink(target, path) == 0);
}

/* base/secret.txt outside; base/www the root, with links in and out. */
static void make_tree(void)
{
    char path[PATH_MAX + 64], tmpl[] = "/tmp/ssemux-static-XXXXXX";
    CHECK(mkdtemp(tmpl) != NULL);
    CHECK(realpath(tmpl, base) != NULL);
    snprintf(root, sizeof root, "%s/www", base);
    CHECK(mkdir(root, 0755) == 0);
    snprintf(path, sizeof path, "%s/www/sub", base);
    CHECK(mkdir(path, 0755) == 0);
    put("secret.txt", "secret");
    put("www/index.html", "home");
    put("www/sub/a.txt", "a");
    snprintf(path, sizeof path, "%s/www/fifo", base);
    CHECK(mkfifo(path, 0644) == 0);
    link_at("../secret.txt", "link-out");
    link_at("..", "up");
    link_at("link-out", "chain");
    snprintf(path, sizeof path, "%s/secret.txt", base);
    link_at(path, "abs-out");
    link_at("sub/a.txt", "in-rel");
    link_at("sub", "in-dir");
    link_at("in-rel", "in-chain");
    snprintf(path, sizeof path, "%s/www/sub/a.txt", base);
    link_at(path, "in-abs");
}

static void remove_tree(void)
{
    char cmd[PATH_MAX + 32];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
    CHECK(system(cmd) == 0);
}

typedef int (*opener)(const char *root, const char *rel);

/* What opening rel gives: the file's text, "<dir>", or "refused". */
static const char *open_as(opener open_fn, const char *rel)
{
    static char text[64];
    struct stat st;
    int fd = open_fn(root, rel);
    ssize_t n;

    if (fd < 0)
        return "refused";
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        close(fd);
        return "<dir>";
    }
    n = read(fd, text, sizeof text - 1);
    close(fd);
    text[n > 0 ? n : 0] = '\0';
    return text;
}

static void expect(const char *test, opener open_fn, const char *rel, const char *want)
{
    const char *got = open_as(open_fn, rel);
    if (strcmp(got, want) != 0) {
        fprintf(stderr, "%s: %s: expected %s, got %s\n", test, rel, want, got);
        check_failed_count++;
    }
}

/* Both ways of checking (openat2, and the /proc fallback) must agree. */
static void check_both(const char *test, const char *rel, const char *want)
{
    expect(test, static_files_open, rel, want);
    expect(test, static_files_open_checked, rel, want);
}

static void serves_files_and_links_inside_the_root(void)
{
    check_both(__func__, "index.html", "home");
    check_both(__func__, "sub/a.txt", "a");
    check_both(__func__, "sub", "<dir>");
    check_both(__func__, "sub//a.txt", "a");
    check_both(__func__, "in-rel", "a");
    check_both(__func__, "in-dir/a.txt", "a");
    check_both(__func__, "in-chain", "a");
    /* An absolute link into the root, or a way out and back in: the
     * fallback looks only at where the file is and serves them; openat2
     * refuses every absolute link and every step above the root
     * (docs/server.md). */
    expect(__func__, static_files_open_checked, "in-abs", "a");
    expect(__func__, static_files_open_checked, "up/www/index.html", "home");
}

static void refuses_everything_that_leads_out(void)
{
    static const char *const out[] = {
        "link-out", "up/secret.txt", "chain", "abs-out", "../secret.txt",
        "sub/../../secret.txt", "in-dir/../../secret.txt", "up/www/../secret.txt", "/etc/hostname",
    };
    for (size_t i = 0; i < sizeof out / sizeof out[0]; i++)
        check_both(__func__, out[i], "refused");
}

static void refuses_what_is_not_a_file_or_directory(void)
{
    /* A FIFO would block the event loop on open or read: never opened. */
    check_both(__func__, "fifo", "refused");
    check_both(__func__, "missing.txt", "refused");
}

static void resolves_the_root_once_at_startup(void)
{
    static_files sf;
    char err[256] = "", via[PATH_MAX + 16];

    snprintf(via, sizeof via, "%s/www/up/www", base); /* the root, through a link */
    CHECK(static_files_init(&sf, via, err, sizeof err));
    CHECK_STR(root, sf.root, sf.root_len);
    CHECK(!static_files_init(&sf, "/nonexistent-ssemux-dir", err, sizeof err));
    CHECK(strstr(err, "No such file") != NULL);
    snprintf(via, sizeof via, "%s/www/index.html", base);
    CHECK(!static_files_init(&sf, via, err, sizeof err));
    CHECK(strstr(err, "not a directory") != NULL);
    CHECK(!static_files_init(&sf, "/", err, sizeof err));
}

int main(void)
{
    make_tree();
    RUN(serves_files_and_links_inside_the_root);
    RUN(refuses_everything_that_leads_out);
    RUN(refuses_what_is_not_a_file_or_directory);
    RUN(resolves_the_root_once_at_startup);
    remove_tree();
    return check_report();
}
