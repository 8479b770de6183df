/* Replacing unhealthy nodes: replace_pick (src/engine/replace.c) on a table
 * of clusters: the delay (delete_not_ready_after), one node per pool at a
 * time, max_unhealthy (Cluster API's maxUnhealthy: more than the share
 * holds every replacement) and never the last server. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "engine/replace.h"

#define S (DR_ROLE_ETCD | DR_ROLE_CONTROL_PLANE)
#define W DR_ROLE_WORKER
#define NOW 1000000000LL
/* A node: name, pool, roles, then SICK(seconds) or .busy = true. */
#define N(nm, pl, rl, ...) { .name = nm, .pool = pl, .roles = rl, __VA_ARGS__ }
/* Unhealthy for this many seconds. */
#define SICK(sec) .unhealthy = true, .unhealthy_since_ms = NOW - (sec) * 1000LL

struct rcase {
    const char *what;
    const char *pool;          /* the pool asked about */
    int after_s, max_pct;      /* its delete_not_ready_after, max_unhealthy */
    struct replace_node nodes[8];
    const char *want;          /* the node replaced, or NULL */
    const char *why;           /* NULL: no reason given; else a part of it */
};

static const struct rcase cases[] = {
    { "off (0): never, however long", "agent", 0, 40,
      { N("server-01", "server", S), N("agent-01", "agent", W, SICK(99999)),
        N("agent-02", "agent", W), N("agent-03", "agent", W) },
      NULL, NULL },
    { "unhealthy for less than the delay: not yet", "agent", 300, 40,
      { N("server-01", "server", S), N("agent-01", "agent", W, SICK(299)),
        N("agent-02", "agent", W), N("agent-03", "agent", W) },
      NULL, NULL },
    { "unhealthy for the delay: replaced", "agent", 300, 40,
      { N("server-01", "server", S), N("agent-01", "agent", W, SICK(300)),
        N("agent-02", "agent", W), N("agent-03", "agent", W) },
      "agent-01", NULL },
    { "the longest unhealthy first", "agent", 60, 100,
      { N("server-01", "server", S), N("agent-01", "agent", W, SICK(100)),
        N("agent-02", "agent", W, SICK(500)), N("agent-03", "agent", W) },
      "agent-02", NULL },
    { "another pool's sick node is not this pool's business", "agent", 60, 40,
      { N("server-01", "server", S), N("server-02", "server", S, SICK(900)),
        N("server-03", "server", S), N("agent-01", "agent", W) },
      NULL, NULL },
    { "one at a time: another node of the pool is being replaced", "agent", 60, 100,
      { N("server-01", "server", S), N("agent-01", "agent", W, SICK(900)),
        N("agent-02", "agent", W, .busy = true), N("agent-03", "agent", W) },
      NULL, "one node per pool at a time" },
    { "a busy node in another pool does not hold this one", "agent", 60, 40,
      { N("server-01", "server", S), N("server-02", "server", S, .busy = true),
        N("agent-01", "agent", W, SICK(900)), N("agent-02", "agent", W),
        N("agent-03", "agent", W) },
      "agent-01", NULL },
    { "max_unhealthy 40%: 1 of 3 (33%) is within", "agent", 60, 40,
      { N("server-01", "server", S), N("agent-01", "agent", W, SICK(900)),
        N("agent-02", "agent", W), N("agent-03", "agent", W) },
      "agent-01", NULL },
    { "max_unhealthy 40%: 2 of 4 (50%) is more", "agent", 60, 40,
      { N("server-01", "server", S), N("agent-01", "agent", W, SICK(900)),
        N("agent-02", "agent", W, SICK(10)), N("agent-03", "agent", W),
        N("agent-04", "agent", W) },
      NULL, "2 of the 4 nodes of pool agent are unhealthy, more than max_unhealthy (40%)" },
    { "max_unhealthy 40%: 2 of 5 (40%) is not more", "agent", 60, 40,
      { N("server-01", "server", S), N("agent-01", "agent", W, SICK(900)),
        N("agent-02", "agent", W, SICK(10)), N("agent-03", "agent", W),
        N("agent-04", "agent", W), N("agent-05", "agent", W) },
      "agent-01", NULL },
    { "max_unhealthy 40%: a pool of one, unhealthy (100%)", "agent", 60, 40,
      { N("server-01", "server", S), N("agent-01", "agent", W, SICK(900)) },
      NULL, "more than max_unhealthy (40%)" },
    { "max_unhealthy 100%: a pool of one is replaced", "agent", 60, 100,
      { N("server-01", "server", S), N("agent-01", "agent", W, SICK(900)) },
      "agent-01", NULL },
    { "max_unhealthy 0%: never", "agent", 60, 0,
      { N("server-01", "server", S), N("agent-01", "agent", W, SICK(900)),
        N("agent-02", "agent", W), N("agent-03", "agent", W) },
      NULL, "more than max_unhealthy (0%)" },
    { "the last server: never", "server", 60, 100,
      { N("server-01", "server", S, SICK(900)), N("agent-01", "agent", W),
        N("agent-02", "agent", W) },
      NULL, "server-01 is due for replacement, but it is the cluster's last healthy server" },
    { "the last healthy server: the other servers are sick too", "server", 60, 100,
      { N("server-01", "server", S, SICK(900)), N("server-02", "server", S, SICK(800)),
        N("server-03", "server", S, SICK(700)) },
      NULL, "server-01 is due for replacement, but it is the cluster's last healthy server" },
    { "a server with a healthy peer is replaced", "server", 60, 40,
      { N("server-01", "server", S), N("server-02", "server", S, SICK(900)),
        N("server-03", "server", S), N("agent-01", "agent", W) },
      "server-02", NULL },
    { "a healthy server in another pool counts as a peer", "cp-b", 60, 100,
      { N("cp-a-01", "cp-a", DR_ROLE_CONTROL_PLANE), N("etcd-01", "cp-b", DR_ROLE_ETCD, SICK(900)) },
      "etcd-01", NULL },
    { "a busy server is no peer", "server", 60, 100,
      { N("server-01", "server-x", S, .busy = true), N("server-02", "server", S, SICK(900)) },
      NULL, "last healthy server" },
    { "every node of the pool healthy: nothing to do", "agent", 60, 40,
      { N("server-01", "server", S), N("agent-01", "agent", W), N("agent-02", "agent", W) },
      NULL, NULL },
};

START_TEST(test_replace_table)
{
    const struct rcase *c = &cases[_i];
    struct dr_pool p = { .name = (char *)c->pool, .delete_not_ready_after_s = c->after_s,
                         .max_unhealthy_pct = c->max_pct };
    size_t n = 0;
    char *why = NULL;
    long got;

    while (n < 8 && c->nodes[n].name)
        n++;
    got = replace_pick(&p, c->nodes, n, NOW, &why);
    if (c->want) {
        ck_assert_msg(got >= 0, "%s: nothing replaced (%s)", c->what, why ? why : "no reason");
        ck_assert_msg(str_eq(c->nodes[got].name, c->want), "%s: %s replaced, not %s", c->what,
                      c->nodes[got].name, c->want);
        ck_assert_msg(why == NULL, "%s: a reason with a replacement", c->what);
    } else {
        ck_assert_msg(got == -1, "%s: %s replaced", c->what, got >= 0 ? c->nodes[got].name : "");
        if (c->why)
            ck_assert_msg(why && strstr(why, c->why), "%s: reason '%s' lacks '%s'", c->what,
                          why ? why : "(none)", c->why);
        else
            ck_assert_msg(why == NULL, "%s: unexpected reason '%s'", c->what, why);
    }
    free(why);
}
END_TEST

static Suite *
replace_suite(void)
{
    Suite *s = suite_create("replace");
    TCase *tc = tcase_create("replace");

    tcase_add_loop_test(tc, test_replace_table, 0, (int)(sizeof cases / sizeof cases[0]));
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(replace_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
