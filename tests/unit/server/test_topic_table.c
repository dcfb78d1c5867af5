/* topic_table: topic name rules and the intrusive hash table. */
#include <stdlib.h>

#include "check.h"
#include "topic_table.h"

static void accepts_the_documented_alphabet(void)
{
    CHECK(topic_name_valid("scores", 6));
    CHECK(topic_name_valid("A-z_0.9:x", 9));
    char max[TOPIC_NAME_MAX];
    memset(max, 'a', sizeof(max));
    CHECK(topic_name_valid(max, sizeof(max)));
}

static void rejects_other_names(void)
{
    static const char *bad[] = {"", "a b", "a/b", "a?b", "a&b", "a=b", "é", "a\nb", "a%2Fb", "*"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (topic_name_valid(bad[i], strlen(bad[i]))) {
            fprintf(stderr, "rejects_other_names: expected \"%s\" to be refused\n", bad[i]);
            check_failed_count++;
        }
    char long_name[TOPIC_NAME_MAX + 1];
    memset(long_name, 'a', sizeof(long_name));
    CHECK(!topic_name_valid(long_name, sizeof(long_name)));
}

static void finds_inserted_nodes_through_growth(void)
{
    enum { N = 1000 };
    topic_table table;
    topic_node *nodes = calloc(N, sizeof(*nodes));
    char name[32];

    CHECK(topic_table_init(&table));
    for (int i = 0; i < N; i++) {
        int n = snprintf(name, sizeof(name), "topic-%d", i);
        CHECK(topic_node_init(&nodes[i], name, (size_t)n));
        CHECK(topic_table_find(&table, name, (size_t)n) == NULL);
        topic_table_insert(&table, &nodes[i]);
    }
    CHECK_INT(N, table.count);
    for (int i = 0; i < N; i++) {
        int n = snprintf(name, sizeof(name), "topic-%d", i);
        CHECK(topic_table_find(&table, name, (size_t)n) == &nodes[i]);
    }
    CHECK(topic_table_find(&table, "topic-", 6) == NULL);
    /* A prefix of a stored name is a different name. */
    CHECK(topic_table_find(&table, "topic-1", 7) == &nodes[1]);
    topic_table_free(&table);
    free(nodes);
}

static void iterates_every_node_once_while_removing(void)
{
    enum { N = 300 };
    topic_table table;
    topic_node *nodes = calloc(N, sizeof(*nodes));
    topic_table_iter it = {0, NULL};
    int seen[N] = {0};
    topic_node *n;
    char name[32];

    CHECK(topic_table_init(&table));
    for (int i = 0; i < N; i++) {
        int len = snprintf(name, sizeof(name), "t%d", i);
        topic_node_init(&nodes[i], name, (size_t)len);
        topic_table_insert(&table, &nodes[i]);
    }
    while ((n = topic_table_next(&table, &it))) {
        seen[n - nodes]++;
        topic_table_remove(&table, n);
    }
    for (int i = 0; i < N; i++)
        CHECK_INT(1, seen[i]);
    CHECK_INT(0, table.count);
    CHECK(topic_table_find(&table, "t1", 2) == NULL);
    topic_table_free(&table);
    free(nodes);
}

int main(void)
{
    RUN(accepts_the_documented_alphabet);
    RUN(rejects_other_names);
    RUN(finds_inserted_nodes_through_growth);
    RUN(iterates_every_node_once_while_removing);
    return check_report();
}
