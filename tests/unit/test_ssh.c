/* The SSH client against real sshd nodes (tests/lab/sshnode). */
#include "config.h"

#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "bootstrap/ssh.h"
#include "core/util.h"
#include "sshlab.h"

#define NODES 20

static struct sshlab lab;
static bool lab_ok;

static void
lab_setup(void)
{
    struct dr_error e = {0};

    ck_assert_int_eq(ssh_global_init(&e), DR_E_OK);
    lab_ok = sshlab_init(&lab, "drover") && sshlab_start(&lab, NODES);
}

static void
lab_teardown(void)
{
    sshlab_done(&lab);
    ssh_global_done();
}

static struct ssh_params
params_for(int i, long long timeout_ms)
{
    return (struct ssh_params){
        .host = lab.nodes[i].addr,
        .port = lab.nodes[i].port,
        .user = lab.user,
        .client_key = &lab.client_key,
        .host_key = &lab.nodes[i].host_key,
        .deadline_ms = util_now_ms() + timeout_ms,
        .attempt_timeout_ms = 3000,
        .retry_delay_ms = 100,
    };
}

static struct ssh_session *
connect_node(int i)
{
    struct ssh_params p = params_for(i, 20000);
    struct dr_error e = {0};
    struct ssh_session *s = NULL;

    ck_assert_msg(lab_ok, "the lab's nodes did not start");
    ck_assert_msg(ssh_connect(&p, &s, &e) == DR_E_OK, "%s", e.msg);
    return s;
}

struct lines {
    char out[4096], err[4096];
    int nout, nerr;
    atomic_bool *cancel_on_started;
};

static void
collect(void *ud, enum ssh_stream st, const char *line)
{
    struct lines *l = ud;
    char *buf = st == SSH_STDOUT ? l->out : l->err;
    size_t len = strlen(buf);

    snprintf(buf + len, sizeof l->out - len, "%s|", line);
    if (st == SSH_STDOUT)
        l->nout++;
    else
        l->nerr++;
    if (l->cancel_on_started && strcmp(line, "started") == 0)
        atomic_store(l->cancel_on_started, true);
}

START_TEST(test_exec_streams)
{
    struct ssh_session *s = connect_node(0);
    struct lines l = {.out = ""};
    struct dr_error e = {0};
    int status;

    ck_assert_int_eq(ssh_exec(s,
                              "echo hello; echo oops >&2; printf 'no newline'; "
                              "echo \"it's $(id -un)\" >&2",
                              collect, &l, &status, util_now_ms() + 10000, &e),
                     DR_E_OK);
    ck_assert_int_eq(status, 0);
    ck_assert_str_eq(l.out, "hello|no newline|");
    ck_assert_str_eq(l.err, "oops|it's drover|");
    ck_assert_str_eq(ssh_peer(s) + strlen(ssh_peer(s)) - 3, ":22");
    ssh_close(&s);
    ck_assert_ptr_null(s);
}
END_TEST

struct counter {
    long out, err;
    char last[32];
};

static void
count_lines(void *ud, enum ssh_stream st, const char *line)
{
    struct counter *c = ud;

    if (st == SSH_STDOUT) {
        c->out++;
        snprintf(c->last, sizeof c->last, "%s", line);
    } else {
        c->err++;
    }
}

START_TEST(test_large_and_endless_output)
{
    struct ssh_session *s = connect_node(7);
    struct counter c = {0};
    struct dr_error e = {0};
    int status;

    /* Every line of a big output arrives, stderr interleaved. */
    ck_assert_msg(ssh_exec(s, "seq 1 200000; seq 1 5000 >&2", count_lines, &c, &status,
                           util_now_ms() + 60000, &e) == DR_E_OK,
                  "%s", e.msg);
    ck_assert_int_eq(c.out, 200000);
    ck_assert_int_eq(c.err, 5000);
    ck_assert_str_eq(c.last, "200000");

    /* A command that never stops talking still meets its deadline. */
    memset(&c, 0, sizeof c);
    ck_assert_int_eq(ssh_exec(s, "yes drover", count_lines, &c, &status, util_now_ms() + 1500, &e),
                     DR_E_TIMEOUT);
    ck_assert_int_gt(c.out, 1000);
    ssh_close(&s);
}
END_TEST

START_TEST(test_failing_command)
{
    struct ssh_session *s = connect_node(1);
    struct lines l = {.out = ""};
    struct dr_error e = {0};
    int status;

    ck_assert_int_eq(ssh_exec(s,
                              "for i in $(seq 1 30); do echo line$i; done; "
                              "echo 'fatal: disk full' >&2; exit 3",
                              collect, &l, &status, util_now_ms() + 10000, &e),
                     DR_E_REMOTE);
    ck_assert_int_eq(status, 3);
    ck_assert_int_eq(l.nout, 30);
    ck_assert_msg(strstr(e.msg, "status 3"), "%s", e.msg);
    ck_assert_msg(strstr(e.msg, "line30") && strstr(e.msg, "fatal: disk full"), "%s", e.msg);
    ck_assert_msg(!strstr(e.msg, "line1\n"), "%s", e.msg);
    /* The session stays usable after a failed command. */
    ck_assert_int_eq(ssh_exec(s, "true", NULL, NULL, &status, util_now_ms() + 10000, &e), DR_E_OK);
    ssh_close(&s);
}
END_TEST

START_TEST(test_wrong_host_key)
{
    struct ssh_params p = params_for(2, 10000);
    struct dr_keypair other;
    struct dr_error e = {0};
    struct ssh_session *s = NULL;

    ck_assert(lab_ok);
    ck_assert_int_eq(keys_generate(&other, "impostor", &e), DR_E_OK);
    p.host_key = &other;
    /* Reached with its pinned key before: another key is an alarm at once. */
    p.key_verified = true;
    ck_assert_int_eq(ssh_connect(&p, &s, &e), DR_E_HOSTKEY);
    ck_assert_ptr_null(s);
    ck_assert_str_eq(e.cause, "ssh:hostkey-changed");
    char *real = keys_fingerprint(&lab.nodes[2].host_key), *pinned = keys_fingerprint(&other);
    ck_assert_msg(strstr(e.msg, real) && strstr(e.msg, pinned), "%s", e.msg);
    /* The boot window: retried until the deadline, then both fingerprints. */
    p = params_for(2, 3000);
    p.host_key = &other;
    p.retry_delay_ms = 200;
    ck_assert_int_eq(ssh_connect(&p, &s, &e), DR_E_HOSTKEY);
    ck_assert_ptr_null(s);
    ck_assert_str_eq(e.cause, "ssh:hostkey-boot");
    ck_assert_msg(strstr(e.msg, real) && strstr(e.msg, pinned), "%s", e.msg);
    ck_assert_msg(!strstr(e.msg, "(1 attempt(s))"), "retried: %s", e.msg);
    free(real), free(pinned);
    keys_done(&other);
}
END_TEST

START_TEST(test_wrong_client_key)
{
    struct ssh_params p = params_for(3, 10000);
    struct dr_keypair other;
    struct dr_error e = {0};
    struct ssh_session *s = NULL;

    ck_assert(lab_ok);
    ck_assert_int_eq(keys_generate(&other, "stranger", &e), DR_E_OK);
    p.client_key = &other;
    p.key_verified = true;
    ck_assert_int_eq(ssh_connect(&p, &s, &e), DR_E_AUTH);
    ck_assert_ptr_null(s);
    ck_assert_msg(strstr(e.msg, "refused"), "%s", e.msg);
    p.client_key = &lab.client_key;
    p.user = "nobody-here";
    ck_assert_int_eq(ssh_connect(&p, &s, &e), DR_E_AUTH);
    /* The boot window: a refused key is "not up yet" until the deadline. */
    p = params_for(3, 3000);
    p.client_key = &other;
    p.retry_delay_ms = 200;
    ck_assert_int_eq(ssh_connect(&p, &s, &e), DR_E_AUTH);
    ck_assert_str_eq(e.cause, "ssh:key-refused");
    ck_assert_msg(strstr(e.msg, "refused the cluster key"), "%s", e.msg);
    keys_done(&other);
}
END_TEST

START_TEST(test_unreachable_times_out)
{
    struct ssh_params p = params_for(0, 1500);
    struct dr_error e = {0};
    struct ssh_session *s = NULL;
    char addr[64];
    long long t0;

    /* Nothing listens there: refused, retried until the deadline. */
    sshlab_free_addr(addr, sizeof addr);
    p.host = addr;
    t0 = util_now_ms();
    ck_assert_int_eq(ssh_connect(&p, &s, &e), DR_E_TIMEOUT);
    ck_assert_int_ge(util_now_ms(), p.deadline_ms);
    ck_assert_int_lt(util_now_ms() - t0, 10000); /* bounded, not stuck */
    ck_assert_msg(strstr(e.msg, addr) && strstr(e.msg, "refused"), "%s", e.msg);

    /* A port that accepts TCP but never speaks SSH: the handshake times out. */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(22)};
    inet_pton(AF_INET, addr, &sa.sin_addr);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    ck_assert_int_eq(listen(fd, 8), 0);
    p.deadline_ms = util_now_ms() + 1500;
    p.attempt_timeout_ms = 500;
    ck_assert_int_eq(ssh_connect(&p, &s, &e), DR_E_TIMEOUT);
    ck_assert_int_lt(util_now_ms() - p.deadline_ms, 3000);
    close(fd);
}
END_TEST

struct late_start {
    char addr[64];
    struct dr_keypair key;
    int index;
};

static void *
start_late(void *arg)
{
    struct late_start *ls = arg;

    ls->index = sshlab_add(&lab, ls->addr, &ls->key);
    return NULL;
}

START_TEST(test_retries_until_node_boots)
{
    struct late_start ls = {.index = -2};
    struct dr_error e = {0};
    struct ssh_session *s = NULL;
    struct ssh_params p;
    pthread_t th;

    ck_assert(lab_ok);
    sshlab_free_addr(ls.addr, sizeof ls.addr);
    ck_assert_int_eq(keys_generate(&ls.key, "late", &e), DR_E_OK);
    /* Connect while the node is still starting: refused at first, then in. */
    p = (struct ssh_params){
        .host = ls.addr,
        .port = 22,
        .user = lab.user,
        .client_key = &lab.client_key,
        .host_key = &ls.key,
        .deadline_ms = util_now_ms() + 30000,
        .attempt_timeout_ms = 3000,
        .retry_delay_ms = 50,
    };
    ck_assert_int_eq(pthread_create(&th, NULL, start_late, &ls), 0);
    enum dr_err rc = ssh_connect(&p, &s, &e);
    pthread_join(th, NULL);
    ck_assert_int_ge(ls.index, 0);
    ck_assert_msg(rc == DR_E_OK, "%s", e.msg);
    ssh_close(&s);
    keys_done(&ls.key);
}
END_TEST

START_TEST(test_upload_50mib)
{
    struct ssh_session *s = connect_node(4);
    size_t len = 50u << 20;
    unsigned char *data = xmalloc(len);
    struct dr_error e = {0};
    struct lines l = {.out = ""};
    int status;

    ck_assert_int_eq(RAND_bytes(data, (int)len), 1);
    ck_assert_msg(ssh_upload_data(s, data, len, "big.bin", 0640, util_now_ms() + 120000, &e) ==
                      DR_E_OK,
                  "%s", e.msg);
    ck_assert_int_eq(
        ssh_exec(s, "stat -c '%s %a' big.bin", collect, &l, &status, util_now_ms() + 10000, &e),
        DR_E_OK);
    ck_assert_str_eq(l.out, "52428800 640|");

    /* A small file from disk, and back again with a download. */
    char path[] = "/tmp/drover-upload-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, "token: it's secret\n", 19), 19);
    close(fd);
    ck_assert_int_eq(
        ssh_upload_file(s, path, "small 'quoted'.txt", 0600, util_now_ms() + 10000, &e), DR_E_OK);
    unlink(path);
    char *back;
    size_t blen;
    ck_assert_int_eq(
        ssh_download(s, "small 'quoted'.txt", 1024, &back, &blen, util_now_ms() + 10000, &e),
        DR_E_OK);
    ck_assert_int_eq(blen, 19);
    ck_assert_str_eq(back, "token: it's secret\n");
    free(back);
    ck_assert_int_eq(ssh_download(s, "big.bin", 1024, &back, &blen, util_now_ms() + 10000, &e),
                     DR_E_INVAL);
    ck_assert_int_eq(ssh_download(s, "missing.txt", 1024, &back, &blen, util_now_ms() + 10000, &e),
                     DR_E_NOTFOUND);
    ck_assert_int_eq(
        ssh_upload_data(s, "x", 1, "/nonexistent-dir/x", 0600, util_now_ms() + 10000, &e),
        DR_E_NOTFOUND);
    free(data);
    ssh_close(&s);
}
END_TEST

START_TEST(test_cancel_mid_command)
{
    atomic_bool cancel = false;
    struct ssh_params p = params_for(5, 20000);
    struct lines l = {.out = "", .cancel_on_started = &cancel};
    struct dr_error e = {0};
    struct ssh_session *s = NULL;
    int status;

    ck_assert(lab_ok);
    p.cancel = &cancel;
    ck_assert_int_eq(ssh_connect(&p, &s, &e), DR_E_OK);
    long long t0 = util_now_ms();
    ck_assert_int_eq(ssh_exec(s, "echo $$ > victim.pid; echo started; sleep 60; touch finished",
                              collect, &l, &status, util_now_ms() + 60000, &e),
                     DR_E_CANCELLED);
    /* Far sooner than the command's own 60 s (the flag is checked every 100 ms). */
    ck_assert_int_lt(util_now_ms() - t0, 20000);
    ssh_close(&s);

    /* The remote command is gone too: poll (bounded) until its PID is dead. */
    struct ssh_session *s2 = connect_node(5);
    int rc = DR_E_REMOTE;
    for (int i = 0; i < 100 && rc != DR_E_OK; i++) {
        rc = ssh_exec(s2, "! kill -0 $(cat victim.pid) 2>/dev/null", NULL, NULL, &status,
                      util_now_ms() + 10000, &e);
        if (rc != DR_E_OK)
            poll(NULL, 0, 100);
    }
    ck_assert_msg(rc == DR_E_OK, "the cancelled command still runs");
    ck_assert_int_eq(
        ssh_exec(s2, "test ! -e finished", NULL, NULL, &status, util_now_ms() + 10000, &e),
        DR_E_OK);
    ssh_close(&s2);
}
END_TEST

START_TEST(test_frozen_node_times_out)
{
    struct ssh_session *s = connect_node(6), *s2 = NULL;
    struct dr_error e = {0};
    struct ssh_params p;
    int status;

    /* A node that stops answering mid-session (cut off): the command hits
     * its deadline instead of hanging, and so does a new connection. */
    ck_assert(sshlab_node_cmd(&lab, 6, "freeze"));
    ck_assert_int_eq(ssh_exec(s, "echo hi", NULL, NULL, &status, util_now_ms() + 1500, &e),
                     DR_E_TIMEOUT);
    p = params_for(6, 1500);
    p.attempt_timeout_ms = 700;
    ck_assert_int_eq(ssh_connect(&p, &s2, &e), DR_E_TIMEOUT);
    ck_assert_ptr_null(s2);
    /* Closing a session to a silent node is bounded too. */
    long long t0 = util_now_ms();
    ssh_close(&s);
    ck_assert_int_lt(util_now_ms() - t0, 10000);
    ck_assert(sshlab_node_cmd(&lab, 6, "thaw"));
    s = connect_node(6);
    ck_assert_int_eq(ssh_exec(s, "true", NULL, NULL, &status, util_now_ms() + 10000, &e), DR_E_OK);
    ssh_close(&s);
}
END_TEST

struct par {
    int index;
    enum dr_err rc;
    char out[128];
    char err[1024];
};

static void
take_first(void *ud, enum ssh_stream st, const char *line)
{
    struct par *p = ud;

    if (st == SSH_STDOUT && p->out[0] == '\0')
        snprintf(p->out, sizeof p->out, "%s", line);
}

static void *
par_worker(void *arg)
{
    struct par *w = arg;
    struct ssh_params p = params_for(w->index, 30000);
    struct dr_error e = {0};
    struct ssh_session *s = NULL;
    int status;

    w->rc = ssh_connect(&p, &s, &e);
    if (w->rc == DR_E_OK) {
        char *cmd = xasprintf("echo node-%d > mark; cat mark; sleep 0.2", w->index);
        w->rc = ssh_exec(s, cmd, take_first, w, &status, util_now_ms() + 30000, &e);
        free(cmd);
        ssh_close(&s);
    }
    snprintf(w->err, sizeof w->err, "%s", e.msg);
    return NULL;
}

START_TEST(test_parallel_20)
{
    pthread_t th[NODES];
    struct par w[NODES];

    ck_assert(lab_ok);
    for (int i = 0; i < NODES; i++) {
        w[i] = (struct par){.index = i};
        ck_assert_int_eq(pthread_create(&th[i], NULL, par_worker, &w[i]), 0);
    }
    for (int i = 0; i < NODES; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < NODES; i++) {
        char want[32];
        snprintf(want, sizeof want, "node-%d", i);
        ck_assert_msg(w[i].rc == DR_E_OK, "node %d: %s", i, w[i].err);
        ck_assert_str_eq(w[i].out, want);
    }
}
END_TEST

int
main(void)
{
    const char *why = sshlab_unavailable();
    Suite *s;
    TCase *tc;
    SRunner *sr;
    int failed;

    if (why) {
        printf("SKIP: %s\n", why);
        return 77;
    }
    s = suite_create("ssh");
    tc = tcase_create("ssh");
    tcase_add_unchecked_fixture(tc, lab_setup, lab_teardown);
    tcase_set_timeout(tc, 180);
    tcase_add_test(tc, test_exec_streams);
    tcase_add_test(tc, test_failing_command);
    tcase_add_test(tc, test_large_and_endless_output);
    tcase_add_test(tc, test_wrong_host_key);
    tcase_add_test(tc, test_wrong_client_key);
    tcase_add_test(tc, test_unreachable_times_out);
    tcase_add_test(tc, test_retries_until_node_boots);
    tcase_add_test(tc, test_upload_50mib);
    tcase_add_test(tc, test_cancel_mid_command);
    tcase_add_test(tc, test_frozen_node_times_out);
    tcase_add_test(tc, test_parallel_20);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    /* The nodes live in this process's fixture; no fork per test. */
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
