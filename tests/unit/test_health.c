/* Kubernetes health polling in the engine (src/engine/health.c) against the
 * in-memory vCenter (engine_fake.c): an idle engine with health_interval
 * set and no cluster makes no wake-ups (its threads' context switches, from
 * /proc, do not move); a cluster whose API refuses connections turns
 * unavailable, with the reason in the snapshot, an event and the state
 * file; and its polls then do wake the workers (the measure works). The
 * API answering is tested against the lab's stand-in (tests/tui/health.t). */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/store.h"
#include "core/util.h"
#include "engine/engine.h"
#include "engine_fake.h"

/* Voluntary context switches of every thread of this process but the
 * calling one: each is a wake-up from a sleep. */
static long long
others_switches(void)
{
    long long sum = 0;
    char self[32];
    snprintf(self, sizeof self, "%ld", (long)gettid());
    DIR *d = opendir("/proc/self/task");
    ck_assert_ptr_nonnull(d);
    for (struct dirent *de; (de = readdir(d));) {
        if (de->d_name[0] == '.' || !strcmp(de->d_name, self))
            continue;
        char path[300], line[128];
        snprintf(path, sizeof path, "/proc/self/task/%s/status", de->d_name);
        FILE *f = fopen(path, "r");
        while (f && fgets(line, sizeof line, f))
            if (!strncmp(line, "voluntary_ctxt_switches:", 24))
                sum += atoll(line + 24);
        if (f)
            fclose(f);
    }
    closedir(d);
    return sum;
}

static void
health_settings(int interval)
{
    char *cfg = xasprintf(
        "workers = 4;\nretries = 2;\nretry_backoff_ms = 10;\nhealth_interval = %d;\n", interval);
    write_file(cfgdir, "drover.cfg", cfg, 0600);
    free(cfg);
}

/* Cluster lab's kubeconfig (the first server's) names an API where nothing
 * listens (port 1 on loopback): every connection is refused. */
static void
dead_api_kubeconfig(void)
{
    write_file(statedir, "kubeconfig/lab.yaml",
               "apiVersion: v1\nkind: Config\ncurrent-context: lab\n"
               "clusters:\n- name: lab\n  cluster:\n    server: https://127.0.0.1:1\n"
               "contexts:\n- name: lab\n  context:\n    cluster: lab\n    user: lab\n"
               "users:\n- name: lab\n  user: {}\n",
               0600);
}

/* Drain events until the cluster's state is want and, when text is not
 * NULL, an event with text has come (bounded: 30 s); the events' texts are
 * appended to seen. (The state can show in a snapshot before the event
 * that the same change pushed is drained.) */
static bool
wait_state(struct dr_engine *eng, enum dr_cluster_state want, const char *text, char *seen,
           size_t len)
{
    for (int i = 0; i < 300; i++) {
        struct pollfd p = {.fd = engine_wake_fd(eng), .events = POLLIN};
        poll(&p, 1, 100);
        struct dr_event *ev = NULL;
        size_t n = engine_drain_events(eng, &ev);
        for (size_t k = 0; k < n; k++)
            if (strlen(seen) + strlen(ev[k].text) + 2 < len) {
                strcat(seen, ev[k].text);
                strcat(seen, "\n");
            }
        engine_events_free(ev, n);
        struct dr_snapshot *s = engine_snapshot(eng);
        const struct dr_cluster_view *v = snapshot_find_cluster(s, "lab");
        bool done = v && v->state == want && (!text || strstr(seen, text));
        engine_snapshot_free(&s);
        if (done)
            return true;
    }
    return false;
}

START_TEST(test_idle_no_wakeups)
{
    health_settings(1);
    struct dr_engine *eng = start(NULL);
    /* Recovery (nothing to recover) ends; then everything sleeps. */
    for (int i = 0; i < 100; i++) {
        struct dr_event *ev = NULL;
        engine_events_free(ev, engine_drain_events(eng, &ev));
        usleep(20000);
    }
    long long before = others_switches();
    sleep(3); /* three health intervals with nothing to poll */
    long long after = others_switches();
    ck_assert_msg(after == before, "the engine's threads woke %lld times while idle",
                  after - before);
    engine_free(&eng);
}
END_TEST

START_TEST(test_api_refused_unavailable)
{
    health_settings(1);
    dead_api_kubeconfig();
    struct dr_engine *eng = start(NULL);
    struct dr_cluster spec;
    struct dr_pool pools[2];
    struct dr_error e = {0};
    static char seen[8192];
    seen[0] = '\0';
    spec_init(&spec, pools, 1, 0);
    ck_assert_int_eq(engine_apply_cluster(eng, &spec, &e), DR_E_OK);
    ck_assert_msg(
        wait_state(eng, DR_CLUSTER_UNAVAILABLE,
                   "Kubernetes API down: https://127.0.0.1:1: connection refused or unreachable",
                   seen, sizeof seen),
        "never unavailable with the event; saw %s", seen);
    ck_assert_msg(
        strstr(seen, "Kubernetes API down: https://127.0.0.1:1: connection refused or unreachable"),
        "%s", seen);
    struct dr_snapshot *s = engine_snapshot(eng);
    const struct dr_cluster_view *v = snapshot_find_cluster(s, "lab");
    ck_assert_int_eq(v->status.health.api, DR_API_DOWN);
    ck_assert_ptr_nonnull(strstr(v->status.health.error, "connection refused"));
    ck_assert(v->status.health.polled > 0);
    ck_assert_int_eq(v->status.nodes[0].state, DR_NODE_ACTIVE);
    engine_snapshot_free(&s);

    /* The transition is saved (by the worker, just after it is recorded):
     * a drover status reads it from the files (the snapshot and its state
     * log, clusters/lab.state.log). */
    struct dr_store st;
    const struct dr_cluster_status *cs = NULL;
    for (int i = 0; i < 100; i++) {
        open_store(&st);
        cs = store_find_status(&st, "lab");
        if (cs && cs->health.api == DR_API_DOWN)
            break;
        store_done(&st);
        cs = NULL;
        usleep(50000);
    }
    ck_assert_msg(cs != NULL, "the state files never said the API is down");
    ck_assert_int_eq(cs->health.api, DR_API_DOWN);
    ck_assert_int_eq(cluster_state_derive(store_find_cluster(&st, "lab"), cs),
                     DR_CLUSTER_UNAVAILABLE);
    store_done(&st);

    /* A cluster to poll: the workers wake for it every interval (the
     * idle test's measure sees wake-ups when there are some). */
    long long before = others_switches();
    sleep(3);
    ck_assert_int_gt(others_switches(), before);
    engine_free(&eng);
}
END_TEST

/* health_interval = 0: an active cluster is never polled. */
START_TEST(test_interval_off)
{
    health_settings(0);
    dead_api_kubeconfig();
    struct dr_engine *eng = start(NULL);
    struct dr_cluster spec;
    struct dr_pool pools[2];
    struct dr_error e = {0};
    static char seen[8192];
    seen[0] = '\0';
    spec_init(&spec, pools, 1, 0);
    ck_assert_int_eq(engine_apply_cluster(eng, &spec, &e), DR_E_OK);
    ck_assert(wait_state(eng, DR_CLUSTER_ACTIVE, NULL, seen, sizeof seen));
    free(wait_idle(eng));
    sleep(2); /* a poll would have come at once */
    struct dr_snapshot *s = engine_snapshot(eng);
    ck_assert_int_eq(snapshot_find_cluster(s, "lab")->status.health.api, DR_API_UNPOLLED);
    ck_assert_int_eq(snapshot_find_cluster(s, "lab")->state, DR_CLUSTER_ACTIVE);
    engine_snapshot_free(&s);
    engine_free(&eng);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("health");
    TCase *tc = tcase_create("engine");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_idle_no_wakeups);
    tcase_add_test(tc, test_api_refused_unavailable);
    tcase_add_test(tc, test_interval_off);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
