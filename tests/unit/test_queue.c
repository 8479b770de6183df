#include "config.h"

#include <check.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "engine/queue.h"

static int
fd_readable(int fd)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };

    return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

START_TEST(test_push_wakes_and_drain_empties)
{
    struct eng_queue q;
    struct dr_error e = { 0 };
    struct dr_event ev = { .kind = DR_EV_NODE_STATE, .cluster = "prod", .node = "worker-01",
                           .state = DR_NODE_CLONING, .text = NULL };
    struct dr_event *out;
    size_t n;

    ck_assert_int_eq(queue_init(&q, 16, &e), DR_E_OK);
    ck_assert(!fd_readable(queue_fd(&q)));
    ck_assert_int_eq(queue_drain(&q, &out), 0);
    ck_assert_ptr_null(out);

    ck_assert_int_eq(queue_push(&q, &ev), 1);
    ev.state = DR_NODE_CONFIGURING;
    ev.text = "reconfiguring vm-42";
    ck_assert_int_eq(queue_push(&q, &ev), 2);
    ck_assert(fd_readable(queue_fd(&q)));

    n = queue_drain(&q, &out);
    ck_assert_int_eq(n, 2);
    ck_assert(!fd_readable(queue_fd(&q)));
    ck_assert_int_eq(out[0].seq, 1);
    ck_assert_int_eq(out[0].state, DR_NODE_CLONING);
    ck_assert_str_eq(out[0].text, "");
    ck_assert_str_eq(out[0].cluster, "prod");
    ck_assert_str_eq(out[1].node, "worker-01");
    ck_assert_str_eq(out[1].text, "reconfiguring vm-42");
    ck_assert_int_ne(out[1].time, 0);
    /* The queue copied the strings: the caller's buffers are its own. */
    ck_assert_ptr_ne(out[1].text, ev.text);
    engine_events_free(out, n);
    ck_assert_int_eq(queue_drain(&q, &out), 0);
    queue_done(&q);
}
END_TEST

START_TEST(test_overflow_drops_oldest_with_seq_gap)
{
    struct eng_queue q;
    struct dr_error e = { 0 };
    struct dr_event ev = { .kind = DR_EV_LOG };
    struct dr_event *out;
    char text[32];
    size_t n;

    ck_assert_int_eq(queue_init(&q, 4, &e), DR_E_OK);
    for (int i = 1; i <= 10; i++) {
        snprintf(text, sizeof text, "line %d", i);
        ev.text = text;
        queue_push(&q, &ev);
    }
    n = queue_drain(&q, &out);
    ck_assert_int_eq(n, 4);
    ck_assert_int_eq(q.dropped, 6);
    ck_assert_int_eq(out[0].seq, 7);
    ck_assert_str_eq(out[0].text, "line 7");
    ck_assert_str_eq(out[3].text, "line 10");
    engine_events_free(out, n);
    /* After a drain the ring starts over cleanly. */
    ev.text = "again";
    queue_push(&q, &ev);
    n = queue_drain(&q, &out);
    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(out[0].seq, 11);
    engine_events_free(out, n);
    queue_done(&q);
}
END_TEST

struct producer {
    struct eng_queue *q;
    int id;
    int count;
};

static void *
produce(void *arg)
{
    struct producer *p = arg;
    char text[32];

    for (int i = 0; i < p->count; i++) {
        struct dr_event ev = { .kind = DR_EV_PROGRESS, .percent = i, .job = (unsigned)p->id };

        snprintf(text, sizeof text, "%d:%d", p->id, i);
        ev.text = text;
        queue_push(p->q, &ev);
    }
    return NULL;
}

/* Several workers push while the reader drains whenever it is woken: every
 * event arrives once, in each producer's order, and the pipe never fills. */
START_TEST(test_concurrent_producers)
{
    enum { PRODUCERS = 8, EACH = 5000 };
    struct eng_queue q;
    struct dr_error e = { 0 };
    pthread_t th[PRODUCERS];
    struct producer p[PRODUCERS];
    int next[PRODUCERS] = { 0 };
    unsigned long last_seq = 0;
    int total = 0;

    ck_assert_int_eq(queue_init(&q, PRODUCERS * EACH, &e), DR_E_OK);
    for (int i = 0; i < PRODUCERS; i++) {
        p[i] = (struct producer){ .q = &q, .id = i, .count = EACH };
        pthread_create(&th[i], NULL, produce, &p[i]);
    }
    while (total < PRODUCERS * EACH) {
        struct pollfd pfd = { .fd = queue_fd(&q), .events = POLLIN };
        struct dr_event *out;
        size_t n;

        ck_assert_int_ge(poll(&pfd, 1, 10000), 1);
        n = queue_drain(&q, &out);
        for (size_t i = 0; i < n; i++) {
            int id = (int)out[i].job;

            ck_assert_int_eq(out[i].seq, last_seq + 1);
            last_seq = out[i].seq;
            ck_assert_int_eq(out[i].percent, next[id]);
            next[id]++;
        }
        total += (int)n;
        engine_events_free(out, n);
    }
    for (int i = 0; i < PRODUCERS; i++)
        pthread_join(th[i], NULL);
    ck_assert_int_eq(q.dropped, 0);
    ck_assert(!fd_readable(queue_fd(&q)));
    queue_done(&q);
}
END_TEST

START_TEST(test_names)
{
    ck_assert_str_eq(job_kind_key(DR_JOB_REMOVE), "remove");
    ck_assert_str_eq(job_state_key(DR_JOB_WAITING), "waiting");
    ck_assert_str_eq(event_kind_key(DR_EV_ENGINE), "engine");
    ck_assert_str_eq(job_state_key((enum dr_job_state)99), "unknown");
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("queue");
    TCase *tc = tcase_create("queue");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, test_push_wakes_and_drain_empties);
    tcase_add_test(tc, test_overflow_drops_oldest_with_seq_gap);
    tcase_add_test(tc, test_concurrent_producers);
    tcase_add_test(tc, test_names);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
