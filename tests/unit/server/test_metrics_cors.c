/* metrics text format and CORS origin matching (the pure parts). */
#include "check.h"
#include "cors.h"
#include "metrics.h"

static void renders_prometheus_text(void)
{
    server_metrics m;
    metrics_gauges g;
    char out[8192];
    memset(&m, 0, sizeof(m));
    memset(&g, 0, sizeof(g));
    m.events_published = 7;
    m.slow_consumer_disconnects = 2;
    metrics_count_response(&m, 404);
    metrics_count_response(&m, 404);
    metrics_count_response(&m, 418);
    g.connections = 3;
    g.store.events = 11;
    size_t n = metrics_render(&m, &g, out, sizeof(out));
    CHECK(n > 0 && n < sizeof(out));
    CHECK(strstr(out, "# TYPE ssemux_connections gauge\nssemux_connections 3\n") != NULL);
    CHECK(strstr(out, "\nssemux_events_published_total 7\n") != NULL);
    CHECK(strstr(out, "\nssemux_slow_consumer_disconnects_total 2\n") != NULL);
    CHECK(strstr(out, "\nssemux_retained_events 11\n") != NULL);
    CHECK(strstr(out, "ssemux_http_responses_total{code=\"404\"} 2\n") != NULL);
    CHECK(strstr(out, "ssemux_http_responses_total{code=\"other\"} 1\n") != NULL);
    CHECK_INT(0, metrics_render(&m, &g, out, 100)); /* never a truncated text */
}

static void matches_listed_origins_exactly(void)
{
    cors_policy p;
    CHECK(cors_init(&p, " https://a.example, http://localhost:8080/ ,https://b.example"));
    CHECK(cors_origin_allowed(&p, "https://a.example", 17));
    CHECK(cors_origin_allowed(&p, "http://localhost:8080", 21));
    CHECK(cors_origin_allowed(&p, "https://b.example", 17));
    CHECK(!cors_origin_allowed(&p, "https://a.example.evil", 22));
    CHECK(!cors_origin_allowed(&p, "https://a.exampl", 16));
    CHECK(!cors_origin_allowed(&p, "null", 4));
    cors_free(&p);
}

static void allows_any_origin_with_a_star_and_none_by_default(void)
{
    cors_policy p;
    CHECK(cors_init(&p, "*"));
    CHECK(cors_origin_allowed(&p, "https://whoever.example", 23));
    cors_free(&p);
    CHECK(cors_init(&p, NULL));
    CHECK(!cors_origin_allowed(&p, "https://a.example", 17));
    cors_free(&p);
}

int main(void)
{
    RUN(renders_prometheus_text);
    RUN(matches_listed_origins_exactly);
    RUN(allows_any_origin_with_a_star_and_none_by_default);
    return check_report();
}
