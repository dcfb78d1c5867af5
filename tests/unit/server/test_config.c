/* config: defaults, SSEMUX_* variables, flags, and their errors. */
#include "check.h"
#include "config.h"

typedef struct fake_env {
    const char *names[8];
    const char *values[8];
} fake_env;

static const char *lookup(void *user, const char *name)
{
    fake_env *env = user;
    for (int i = 0; i < 8 && env->names[i]; i++)
        if (!strcmp(env->names[i], name))
            return env->values[i];
    return NULL;
}

static config_result parse(server_config *cfg, fake_env *env, char **argv, char *err)
{
    int argc = 0;
    while (argv[argc])
        argc++;
    return config_parse(cfg, argc, argv, lookup, env, err, 256);
}

static void has_the_documented_defaults(void)
{
    server_config cfg;
    fake_env env = {{NULL}, {NULL}};
    char err[256], *argv[] = {"ssemux-server", NULL};
    CHECK_INT(CONFIG_OK, parse(&cfg, &env, argv, err));
    CHECK_STR("127.0.0.1", cfg.host, strlen(cfg.host));
    CHECK_INT(8080, cfg.port);
    CHECK_INT(3000, cfg.retry_ms);
    CHECK_INT(15000, cfg.heartbeat_ms);
    CHECK_INT(1000, cfg.history);
    CHECK_INT(3600, cfg.max_age_s);
    CHECK_INT(1048576, cfg.max_backlog_bytes);
    CHECK(!cfg.data_dir && !cfg.jwt_secret && !cfg.tls_cert && !cfg.fsync && !cfg.http2);
}

static void reads_variables_and_lets_flags_win(void)
{
    server_config cfg;
    fake_env env = {{"SSEMUX_PORT", "SSEMUX_HISTORY", "SSEMUX_FSYNC", "SSEMUX_CORS_ORIGINS"},
                    {"9000", "50", "yes", "https://a.example"}};
    char err[256], *argv[] = {"ssemux-server", "--port", "9100", "--retry-ms=250", NULL};
    CHECK_INT(CONFIG_OK, parse(&cfg, &env, argv, err));
    CHECK_INT(9100, cfg.port);
    CHECK_INT(50, cfg.history);
    CHECK_INT(250, cfg.retry_ms);
    CHECK(cfg.fsync);
    CHECK_STR("https://a.example", cfg.cors_origins, strlen(cfg.cors_origins));
}

static void reports_bad_values_by_name(void)
{
    server_config cfg;
    fake_env env = {{"SSEMUX_HEARTBEAT_MS"}, {"soon"}};
    char err[256] = "", *argv[] = {"ssemux-server", NULL};
    CHECK_INT(CONFIG_ERROR, parse(&cfg, &env, argv, err));
    CHECK(strstr(err, "SSEMUX_HEARTBEAT_MS") && strstr(err, "soon"));

    fake_env none = {{NULL}, {NULL}};
    char *bad_port[] = {"ssemux-server", "--port", "70000", NULL};
    CHECK_INT(CONFIG_ERROR, parse(&cfg, &none, bad_port, err));
    CHECK(strstr(err, "--port") != NULL);
    char *unknown[] = {"ssemux-server", "--prot", "1", NULL};
    CHECK_INT(CONFIG_ERROR, parse(&cfg, &none, unknown, err));
    char *missing[] = {"ssemux-server", "--port", NULL};
    CHECK_INT(CONFIG_ERROR, parse(&cfg, &none, missing, err));
    char *half_tls[] = {"ssemux-server", "--tls-cert", "c.pem", NULL};
    CHECK_INT(CONFIG_ERROR, parse(&cfg, &none, half_tls, err));
    char *h2_plain[] = {"ssemux-server", "--http2", NULL};
    CHECK_INT(CONFIG_ERROR, parse(&cfg, &none, h2_plain, err));
}

static void answers_help_and_version(void)
{
    server_config cfg;
    fake_env none = {{NULL}, {NULL}};
    char err[256], *help[] = {"ssemux-server", "--port", "1", "--help", NULL};
    char *version[] = {"ssemux-server", "--version", NULL};
    CHECK_INT(CONFIG_HELP, parse(&cfg, &none, help, err));
    CHECK_INT(CONFIG_VERSION, parse(&cfg, &none, version, err));
}

static void documents_every_flag_in_help(void)
{
    static const char *flags[] = {"--host", "--port", "--static", "--data-dir", "--fsync",
                                  "--retry-ms", "--heartbeat-ms", "--history", "--max-age-s",
                                  "--max-connections", "--max-header-bytes", "--max-body-bytes",
                                  "--max-backlog-bytes", "--max-topics", "--jwt-secret",
                                  "--jwt-secret-file", "--cors-origins", "--tls-cert",
                                  "--tls-key", "--http2", "--drain-ms", "--drain-retry-ms",
                                  "--verbose"};
    char text[16384];
    FILE *f = fmemopen(text, sizeof(text), "w");
    config_usage(f, "ssemux-server");
    fclose(f);
    for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
        if (!strstr(text, flags[i])) {
            fprintf(stderr, "documents_every_flag_in_help: %s missing from --help\n", flags[i]);
            check_failed_count++;
        }
}

int main(void)
{
    RUN(has_the_documented_defaults);
    RUN(reads_variables_and_lets_flags_win);
    RUN(reports_bad_values_by_name);
    RUN(answers_help_and_version);
    RUN(documents_every_flag_in_help);
    return check_report();
}
