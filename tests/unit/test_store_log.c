/* The state log (store_log.c): node changes appended to
 * clusters/<name>.state.log beside the snapshot, replayed by the loader;
 * every field through a record; a torn last record; a crash between a
 * snapshot and the log's removal; a log left without a snapshot; kill -9
 * while appending loses nothing acknowledged. */
#include "config.h"

#include <check.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "core/err.h"
#include "core/store.h"
#include "core/util.h"

#include "store_fixture.h"

static void
fill_node(struct dr_node *n, const char *name, int percent)
{
    memset(n, 0, sizeof *n);
    n->name = xstrdup(name);
    n->cluster = xstrdup("prod");
    n->pool = xstrdup("workers");
    n->roles = DR_ROLE_WORKER;
    n->state = DR_NODE_CONFIGURING;
    n->step = DR_NODE_CONFIGURING;
    n->percent = percent;
    n->attempts = 1;
    n->created = 1764000000;
    n->updated = 1764000100;
}

/* Every field a node has, each unlike its default. */
static void
fill_node_all(struct dr_node *n, const char *name)
{
    fill_node(n, name, 77);
    n->roles = DR_ROLE_ETCD | DR_ROLE_CONTROL_PLANE;
    n->state = DR_NODE_ERROR;
    n->step = DR_NODE_WAITING_FOR_SSH;
    n->attempts = 3;
    n->vm_id = xstrdup("vm-42");
    n->ip = xstrdup("127.0.0.5");
    n->host_key_fp = xstrdup("SHA256:abc");
    n->ssh_verified = true;
    n->last_error = xstrdup("host key mismatch: \"x\"\nsecond line");
    n->created = 1764000000;
    n->updated = (time_t)5000000000LL;
    n->k8s_ready = DR_K8S_NOT_READY;
    n->kubelet_version = xstrdup("v1.30.4+k3s1");
    n->k8s_reason = xstrdup("KubeletNotReady: PLEG");
    n->k8s_since = 1764000200;
}

/* A snapshot of prod with nodes n1..nN (percent 10). */
static void
save_snapshot(struct dr_store *s, int n)
{
    struct dr_cluster_status st = {0};
    struct dr_error e = {0};

    st.cluster = xstrdup("prod");
    st.nodes = xcalloc((size_t)n, sizeof *st.nodes);
    for (int i = 0; i < n; i++) {
        char name[16];
        snprintf(name, sizeof name, "n%d", i + 1);
        fill_node(&st.nodes[i], name, 10);
    }
    st.n_nodes = (size_t)n;
    ck_assert_msg(store_save_status(s, &st, &e) == DR_E_OK, "%s", e.msg);
    cluster_status_done(&st);
}

static void
log_one(struct dr_store *s, const struct dr_node *n)
{
    struct dr_error e = {0};

    ck_assert_msg(store_log_nodes(s, "prod", n, 1, NULL, &e) == DR_E_OK, "%s", e.msg);
}

static const struct dr_node *
find_node(const struct dr_cluster_status *st, const char *name)
{
    for (size_t i = 0; i < st->n_nodes; i++)
        if (str_eq(st->nodes[i].name, name))
            return &st->nodes[i];
    return NULL;
}

static char *
read_state(const char *rel)
{
    struct dr_error e = {0};
    char *path = xasprintf("%s/%s", state_dir, rel), *text = NULL;

    if (util_read_file(path, &text, NULL, &e) != DR_E_OK)
        text = NULL;
    free(path);
    return text;
}

static int
count_lines(const char *text)
{
    int n = 0;

    for (; *text; text++)
        n += *text == '\n';
    return n;
}

static int
count_lines_n(const char *text, size_t n)
{
    int lines = 0;

    for (size_t i = 0; i < n; i++)
        lines += text[i] == '\n';
    return lines;
}

static bool
state_exists(const char *rel)
{
    char *path = xasprintf("%s/%s", state_dir, rel);
    bool there = access(path, F_OK) == 0;

    free(path);
    return there;
}

/* Changes, a new node, a removed one and the health go to the log, not the
 * snapshot, and a fresh load sees them all; every field of a node survives
 * a record. */
START_TEST(test_log_roundtrip)
{
    struct dr_store s, s2;
    struct dr_node n, all;
    struct dr_health h = {.api = DR_API_DOWN, .nodes_ready = 1, .nodes_total = 3,
                          .polled = 1764000300, .error = (char *)"connection refused"};
    struct dr_error e = {0};
    struct stat sb;

    put_good();
    load(&s);
    save_snapshot(&s, 3);
    char *snap = read_state("clusters/prod.state");
    ck_assert_ptr_nonnull(snap);
    ck_assert(!state_exists("clusters/prod.state.log"));

    fill_node(&n, "n2", 55);
    log_one(&s, &n);
    node_done(&n);
    fill_node_all(&all, "n3");
    log_one(&s, &all);
    fill_node(&n, "n4", 5); /* new */
    log_one(&s, &n);
    node_done(&n);
    fill_node(&n, "n1", 10);
    n.state = DR_NODE_REMOVED; /* gone */
    ck_assert_msg(store_log_nodes(&s, "prod", &n, 1, &h, &e) == DR_E_OK, "%s", e.msg);
    node_done(&n);

    char *snap2 = read_state("clusters/prod.state");
    ck_assert_str_eq(snap, snap2); /* the snapshot is not rewritten */
    free(snap2);
    free(snap);
    char *lpath = xasprintf("%s/clusters/prod.state.log", state_dir);
    ck_assert_int_eq(stat(lpath, &sb), 0);
    ck_assert_int_eq(sb.st_mode & 0777, 0600);
    free(lpath);

    load(&s2);
    assert_no_diags(&s2);
    const struct dr_cluster_status *st = store_find_status(&s2, "prod");
    ck_assert_ptr_nonnull(st);
    ck_assert_uint_eq(st->n_nodes, 3);
    ck_assert_ptr_null(find_node(st, "n1"));
    ck_assert_int_eq(find_node(st, "n2")->percent, 55);
    ck_assert_int_eq(find_node(st, "n4")->percent, 5);
    ck_assert_msg(node_equal(find_node(st, "n3"), &all), "a field did not survive the record");
    ck_assert_msg(health_equal(&st->health, &h), "the health did not survive the record");
    ck_assert_uint_eq(st->log_seq, 4);
    ck_assert_uint_eq(st->log_records, 4);
    ck_assert(!st->log_torn);
    /* The store that wrote them holds the same. */
    const struct dr_cluster_status *mine = store_find_status(&s, "prod");
    ck_assert_uint_eq(mine->n_nodes, 3);
    for (size_t i = 0; i < st->n_nodes; i++)
        ck_assert(node_equal(find_node(mine, st->nodes[i].name), &st->nodes[i]));

    /* A snapshot takes the log in and removes it; the next load agrees. */
    struct dr_cluster_status copy;
    cluster_status_copy(&copy, st);
    ck_assert_msg(store_save_status(&s2, &copy, &e) == DR_E_OK, "%s", e.msg);
    ck_assert(!state_exists("clusters/prod.state.log"));
    char *text = read_state("clusters/prod.state");
    ck_assert_ptr_nonnull(strstr(text, "log_seq = 4"));
    free(text);
    store_done(&s2);
    load(&s2);
    assert_no_diags(&s2);
    st = store_find_status(&s2, "prod");
    ck_assert_uint_eq(st->n_nodes, 3);
    ck_assert(node_equal(find_node(st, "n3"), &all));
    ck_assert_uint_eq(st->log_records, 0);
    /* Records after it number on from the snapshot's. */
    fill_node(&n, "n2", 60);
    ck_assert_msg(store_log_nodes(&s2, "prod", &n, 1, NULL, &e) == DR_E_OK, "%s", e.msg);
    node_done(&n);
    store_done(&s2);
    load(&s2);
    st = store_find_status(&s2, "prod");
    ck_assert_int_eq(find_node(st, "n2")->percent, 60);
    ck_assert_uint_eq(st->log_seq, 5);

    cluster_status_done(&copy);
    node_done(&all);
    store_done(&s);
    store_done(&s2);
}
END_TEST

/* The last record cut short (a crash mid-append: no diagnostic) or whole
 * with a wrong CRC (a diagnostic) is lost; the records before it load; the
 * next save is a snapshot, which drops the torn log, and appends come after
 * it. */
START_TEST(test_log_torn_record)
{
    static const size_t cut[] = {1, 10, 40, 0 /* whole, a byte flipped */};

    for (size_t k = 0; k < DR_ARRAY_LEN(cut); k++) {
        struct dr_store s, s2;
        struct dr_node n;
        struct dr_error e = {0};

        put_good();
        load(&s);
        save_snapshot(&s, 2);
        fill_node(&n, "n1", 20);
        log_one(&s, &n);
        node_done(&n);
        char *before = read_state("clusters/prod.state.log");
        fill_node(&n, "n1", 30);
        log_one(&s, &n);
        node_done(&n);
        char *after = read_state("clusters/prod.state.log");
        size_t blen = strlen(before), alen = strlen(after);
        ck_assert_uint_gt(alen, blen + 40);
        /* The log as a crash left it: the first record and part of the
         * second, or the second whole with one byte of its body changed. */
        char *torn = xstrdup(after);
        if (cut[k])
            torn[blen + cut[k]] = '\0';
        else
            torn[alen - 3] = torn[alen - 3] == 'x' ? 'y' : 'x';
        put(state_dir, "clusters/prod.state.log", torn, 0600);
        store_done(&s);

        load(&s2);
        if (cut[k]) {
            /* Cut short at the end: never acknowledged, dropped quietly. */
            assert_no_diags(&s2);
        } else {
            /* Whole but damaged: lost, and said, naming the record's line. */
            char *d = all_diags(&s2);
            char *want = xasprintf("clusters/prod.state.log:%d: a damaged record (its checksum "
                                   "does not match) was skipped",
                                   count_lines(before) + 1);
            ck_assert_msg(strstr(d, want), "%s", d);
            free(want);
            free(d);
        }
        const struct dr_cluster_status *st = store_find_status(&s2, "prod");
        ck_assert_ptr_nonnull(st);
        ck_assert_int_eq(find_node(st, "n1")->percent, 20);
        ck_assert(st->log_torn);
        ck_assert(store_log_due(&s2, "prod", st->n_nodes));
        /* No record goes after a torn one. */
        fill_node(&n, "n2", 40);
        ck_assert_int_eq(store_log_nodes(&s2, "prod", &n, 1, NULL, &e), DR_E_INVAL);
        node_done(&n);
        struct dr_cluster_status copy;
        cluster_status_copy(&copy, st);
        ck_assert_msg(store_save_status(&s2, &copy, &e) == DR_E_OK, "%s", e.msg);
        cluster_status_done(&copy);
        ck_assert(!state_exists("clusters/prod.state.log"));
        fill_node(&n, "n2", 40);
        log_one(&s2, &n);
        node_done(&n);
        store_done(&s2);
        load(&s2);
        assert_no_diags(&s2);
        st = store_find_status(&s2, "prod");
        ck_assert_int_eq(find_node(st, "n1")->percent, 20);
        ck_assert_int_eq(find_node(st, "n2")->percent, 40);
        ck_assert(!st->log_torn);
        store_done(&s2);
        free(torn);
        free(before);
        free(after);
        teardown();
        setup();
    }
}
END_TEST

/* A whole record that does not load (written by hand, or by another
 * version) is named with the log's file and the line of the bad value, and
 * is skipped; the next save is a snapshot. */
START_TEST(test_log_bad_record)
{
    struct dr_store s;
    struct dr_node n;

    put_good();
    load(&s);
    save_snapshot(&s, 1);
    fill_node(&n, "n1", 20);
    log_one(&s, &n);
    node_done(&n);
    store_done(&s);
    /* A record whose body names a state drover does not know; its CRC fits. */
    const char *body = "nodes = ( { name = \"n1\"; state = \"sleeping\"; } );\n";
    char *log = read_state("clusters/prod.state.log");
    char *bad = xasprintf("%s@2 %zu %lx\n%s", log, strlen(body),
                          crc32(0L, (const Bytef *)body, (uInt)strlen(body)), body);
    put(state_dir, "clusters/prod.state.log", bad, 0600);
    free(bad);
    load(&s);
    char *d = all_diags(&s);
    /* Named at the log's line of the bad value: the record's first body line. */
    char *want = xasprintf("clusters/prod.state.log:%d: ", count_lines(log) + 2);
    ck_assert_msg(strstr(d, want) && strstr(d, "sleeping"), "want %s in: %s", want, d);
    free(want);
    free(d);
    const struct dr_cluster_status *st = store_find_status(&s, "prod");
    ck_assert_ptr_nonnull(st);
    ck_assert_int_eq(find_node(st, "n1")->percent, 20);
    ck_assert(st->log_torn);
    ck_assert(store_log_due(&s, "prod", 1));
    store_done(&s);
    free(log);
}
END_TEST

/* Four records over a snapshot of n1, n2 (percent 10): n1 20, n2 30, a
 * new n3 40, n1 50. *at gets where the second record starts. */
static char *
four_records(size_t *at)
{
    struct dr_store s;
    struct dr_node n;

    put_good();
    load(&s);
    save_snapshot(&s, 2);
    fill_node(&n, "n1", 20);
    log_one(&s, &n);
    node_done(&n);
    char *one = read_state("clusters/prod.state.log");
    *at = strlen(one);
    free(one);
    fill_node(&n, "n2", 30);
    log_one(&s, &n);
    node_done(&n);
    fill_node(&n, "n3", 40);
    log_one(&s, &n);
    node_done(&n);
    fill_node(&n, "n1", 50);
    log_one(&s, &n);
    node_done(&n);
    store_done(&s);
    return read_state("clusters/prod.state.log");
}

/* Load the damaged log: the second record (n2 30) is lost, and only it;
 * the diagnostics hold want (which names the line); a snapshot save then
 * leaves a clean state that loads without a word. */
static void
check_second_lost(const char *log, const char *want)
{
    struct dr_store s;
    struct dr_error e = {0};

    put(state_dir, "clusters/prod.state.log", log, 0600);
    load(&s);
    char *d = all_diags(&s);
    ck_assert_msg(strstr(d, want), "want \"%s\" in: %s", want, d);
    ck_assert_uint_eq(s.n_diags, 1);
    free(d);
    const struct dr_cluster_status *st = store_find_status(&s, "prod");
    ck_assert_ptr_nonnull(st);
    ck_assert_uint_eq(st->n_nodes, 3);
    ck_assert_int_eq(find_node(st, "n1")->percent, 50); /* a later record */
    ck_assert_int_eq(find_node(st, "n2")->percent, 10); /* the earlier step */
    ck_assert_int_eq(find_node(st, "n3")->percent, 40); /* a later record */
    ck_assert(st->log_torn);
    ck_assert(store_log_due(&s, "prod", st->n_nodes));
    struct dr_cluster_status copy;
    cluster_status_copy(&copy, st);
    ck_assert_msg(store_save_status(&s, &copy, &e) == DR_E_OK, "%s", e.msg);
    cluster_status_done(&copy);
    ck_assert(!state_exists("clusters/prod.state.log"));
    store_done(&s);
    load(&s);
    assert_no_diags(&s);
    st = store_find_status(&s, "prod");
    ck_assert_int_eq(find_node(st, "n1")->percent, 50);
    ck_assert_int_eq(find_node(st, "n3")->percent, 40);
    store_done(&s);
}

/* A record in the middle whose body no longer matches its CRC (a name
 * changed, as `sed -i 's/n2/nX/'` would) is skipped by its length: the
 * records after it are applied, and the diagnostic names its header's line. */
START_TEST(test_log_middle_record_damaged)
{
    size_t at;
    char *log = four_records(&at);
    char *name = strstr(log + at, "\"n2\"");

    ck_assert_ptr_nonnull(name);
    name[2] = 'X';
    char *want = xasprintf("clusters/prod.state.log:%d: a damaged record (its checksum does not "
                           "match) was skipped: nodes it changed may show an earlier step",
                           count_lines_n(log, at) + 1);
    check_second_lost(log, want);
    free(want);
    free(log);
}
END_TEST

/* A damaged header: one that does not parse ('@' lost), one whose length
 * is wrong (the body then fails its CRC and the length leads nowhere), one
 * whose line end is lost: the replay resynchronises at the next intact
 * record's header and says what it skipped from the damaged line on. */
START_TEST(test_log_middle_header_damaged)
{
    for (int k = 0; k < 3; k++) {
        size_t at;
        char *log = four_records(&at);
        char *sp = strchr(log + at, ' ');

        if (k == 0)
            log[at] = '#';
        else if (k == 1)
            sp[1] = sp[1] == '9' ? '8' : (char)(sp[1] + 1);
        else
            *strchr(log + at, '\n') = ' ';
        char *want = xasprintf("clusters/prod.state.log:%d: damaged bytes", count_lines_n(log, at) + 1);
        check_second_lost(log, want);
        free(want);
        free(log);
        teardown();
        setup();
    }
}
END_TEST

/* The CRC covers the body only: a record whose number was changed (to one
 * the snapshot "has", or far ahead) is still applied, and so are the ones
 * after it, with a diagnostic naming the line. */
START_TEST(test_log_record_number_damaged)
{
    static const char *const seqs[] = {"@1 ", "@9 "};

    for (size_t k = 0; k < DR_ARRAY_LEN(seqs); k++) {
        struct dr_store s;
        size_t at;
        char *log = four_records(&at);

        ck_assert(strncmp(log + at, "@2 ", 3) == 0);
        memcpy(log + at, seqs[k], 3);
        put(state_dir, "clusters/prod.state.log", log, 0600);
        load(&s);
        char *d = all_diags(&s);
        char *want = xasprintf("clusters/prod.state.log:%d: a record's number is damaged",
                               count_lines_n(log, at) + 1);
        ck_assert_msg(strstr(d, want), "%s", d);
        free(want);
        free(d);
        const struct dr_cluster_status *st = store_find_status(&s, "prod");
        ck_assert_int_eq(find_node(st, "n1")->percent, 50);
        ck_assert_int_eq(find_node(st, "n2")->percent, 30);
        ck_assert_int_eq(find_node(st, "n3")->percent, 40);
        ck_assert(st->log_torn);
        store_done(&s);
        free(log);
        teardown();
        setup();
    }
}
END_TEST

/* A crash after a snapshot was written and before the log was removed:
 * the log's records (all in the snapshot) are not replayed over it. */
START_TEST(test_log_snapshot_then_crash)
{
    struct dr_store s, s2;
    struct dr_node n;
    struct dr_error e = {0};

    put_good();
    load(&s);
    save_snapshot(&s, 2);
    fill_node(&n, "n1", 20);
    log_one(&s, &n);
    node_done(&n);
    char *old_log = read_state("clusters/prod.state.log");
    /* The snapshot has n1 further on than the log's record. */
    struct dr_cluster_status copy;
    cluster_status_copy(&copy, store_find_status(&s, "prod"));
    copy.nodes[0].percent = 90;
    ck_assert_msg(store_save_status(&s, &copy, &e) == DR_E_OK, "%s", e.msg);
    cluster_status_done(&copy);
    ck_assert(!state_exists("clusters/prod.state.log"));
    put(state_dir, "clusters/prod.state.log", old_log, 0600); /* as if never removed */
    free(old_log);
    load(&s2);
    assert_no_diags(&s2);
    const struct dr_cluster_status *st = store_find_status(&s2, "prod");
    ck_assert_int_eq(find_node(st, "n1")->percent, 90);
    ck_assert_uint_eq(st->log_records, 0);
    store_done(&s2);
    store_done(&s);
}
END_TEST

/* A log without its snapshot (a cluster removed mid-way) is not read, and
 * a new cluster of that name does not inherit its records. */
START_TEST(test_log_without_snapshot)
{
    struct dr_store s, s2;
    struct dr_node n;
    struct dr_error e = {0};

    put_good();
    load(&s);
    save_snapshot(&s, 2);
    fill_node(&n, "n1", 20);
    log_one(&s, &n);
    node_done(&n);
    char *old_log = read_state("clusters/prod.state.log");
    ck_assert_int_eq(store_remove_status(&s, "prod", &e), DR_E_OK);
    ck_assert(!state_exists("clusters/prod.state.log"));
    put(state_dir, "clusters/prod.state.log", old_log, 0600); /* a crash in between */
    free(old_log);
    store_done(&s);
    load(&s2);
    assert_no_diags(&s2);
    ck_assert_ptr_null(store_find_status(&s2, "prod"));
    save_snapshot(&s2, 2); /* a new prod */
    ck_assert(!state_exists("clusters/prod.state.log"));
    store_done(&s2);
    load(&s2);
    const struct dr_cluster_status *st = store_find_status(&s2, "prod");
    ck_assert_int_eq(find_node(st, "n1")->percent, 10);
    store_done(&s2);
}
END_TEST

/* A snapshot is due once the log holds max(256, 4 x nodes) records. */
START_TEST(test_log_due)
{
    struct dr_store s;
    struct dr_node n;

    put_good();
    load(&s);
    ck_assert(store_log_due(&s, "prod", 2)); /* no snapshot yet */
    save_snapshot(&s, 2);
    fill_node(&n, "n1", 0);
    for (int i = 0; i < 255; i++) {
        ck_assert(!store_log_due(&s, "prod", 2));
        n.percent = i % 100;
        log_one(&s, &n);
    }
    ck_assert(!store_log_due(&s, "prod", 2));
    log_one(&s, &n);
    ck_assert(store_log_due(&s, "prod", 2));
    ck_assert(!store_log_due(&s, "prod", 100)); /* 400 for 100 nodes */
    node_done(&n);
    store_done(&s);
}
END_TEST

/* kill -9 while a process appends records: every record it was told had
 * been written (store_log_nodes returned) is there on the next load. */
START_TEST(test_log_kill_loses_nothing_acknowledged)
{
    struct dr_store s;
    int fds[2];
    pid_t pid;
    int status, acked = 0, v;

    put_good();
    load(&s);
    save_snapshot(&s, 1);
    ck_assert_int_eq(pipe(fds), 0);
    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        struct dr_node n;
        close(fds[0]);
        fill_node(&n, "n1", 0);
        for (int i = 1;; i++) {
            struct dr_error e = {0};
            n.attempts = i;
            if (store_log_nodes(&s, "prod", &n, 1, NULL, &e) != DR_E_OK)
                _exit(2);
            if (write(fds[1], &i, sizeof i) != sizeof i)
                _exit(3);
            if (i == 200)
                pause(); /* enough: wait to be killed */
        }
    }
    close(fds[1]);
    /* Kill it at some point after 50 acknowledgements. */
    while (acked < 50 && read(fds[0], &v, sizeof v) == sizeof v)
        acked = v;
    kill(pid, SIGKILL);
    while (read(fds[0], &v, sizeof v) == sizeof v)
        acked = v; /* those it acknowledged before the kill landed */
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFSIGNALED(status));
    close(fds[0]);
    store_done(&s);
    load(&s);
    assert_no_diags(&s);
    const struct dr_cluster_status *st = store_find_status(&s, "prod");
    ck_assert_int_ge(find_node(st, "n1")->attempts, acked);
    ck_assert_uint_ge(st->log_records, (size_t)acked);
    store_done(&s);
}
END_TEST

static Suite *
store_log_suite(void)
{
    Suite *s = suite_create("store_log");
    TCase *tc = tcase_create("store_log");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_log_roundtrip);
    tcase_add_test(tc, test_log_torn_record);
    tcase_add_test(tc, test_log_bad_record);
    tcase_add_test(tc, test_log_middle_record_damaged);
    tcase_add_test(tc, test_log_middle_header_damaged);
    tcase_add_test(tc, test_log_record_number_damaged);
    tcase_add_test(tc, test_log_snapshot_then_crash);
    tcase_add_test(tc, test_log_without_snapshot);
    tcase_add_test(tc, test_log_due);
    tcase_add_test(tc, test_log_kill_loses_nothing_acknowledged);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(store_log_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
