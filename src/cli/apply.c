/* Headless engine commands: `drover apply -f FILE`, `drover delete cluster
 * NAME --yes` and `drover status NAME [-o json]`. apply and delete run the
 * engine in this process and print one line per node state change. */
#include "config.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/i18n.h"
#include "core/log.h"
#include "core/store.h"
#include "core/util.h"
#include "engine/engine.h"

/* Signals reach the loop through a pipe (STYLE.md 12). */
static int sig_pipe[2] = { -1, -1 };

static void
on_signal(int sig)
{
    unsigned char b = (unsigned char)sig;
    int saved = errno;
    ssize_t w = write(sig_pipe[1], &b, 1);

    (void)w;
    errno = saved;
}

static bool
signals_setup(void)
{
    struct sigaction sa = { 0 };

    if (pipe2(sig_pipe, O_NONBLOCK | O_CLOEXEC) != 0)
        return false;
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
    return true;
}

struct run {
    struct dr_engine *eng;
    const char *cluster;
    bool headless;     /* SIGHUP: the terminal is gone, print nothing more */
    int stop_signal;   /* SIGTERM/SIGINT received */
};

static void
say(struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
say(struct run *r, const char *fmt, ...)
{
    va_list ap;

    if (r->headless)
        return;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    fflush(stdout);
}

static void
print_events(struct run *r)
{
    struct dr_event *ev;
    size_t n = engine_drain_events(r->eng, &ev);

    for (size_t i = 0; i < n; i++) {
        const struct dr_event *x = &ev[i];

        if (x->cluster && !str_eq(x->cluster, r->cluster))
            continue;
        switch (x->kind) {
        case DR_EV_NODE_STATE:
            if (x->state == DR_NODE_ERROR)
                say(r, "%s: %s (%s): %s\n", x->node, node_state_key(x->state),
                    node_state_key(x->step), x->text);
            else
                say(r, "%s: %s\n", x->node, node_state_key(x->state));
            break;
        case DR_EV_JOB:
            if (x->level >= DR_LOG_WARN)
                say(r, "%s: %s\n", x->node, x->text);
            break;
        case DR_EV_CLUSTER:
            say(r, _("cluster %s: %s\n"), x->cluster, x->text);
            break;
        case DR_EV_ENGINE:
            say(r, "drover: %s\n", x->text);
            break;
        default:
            break;
        }
    }
    engine_events_free(ev, n);
}

/* Handle what arrived on the signal pipe. */
static void
take_signals(struct run *r)
{
    unsigned char b;

    while (read(sig_pipe[0], &b, 1) == 1) {
        if (b == SIGHUP && !r->headless) {
            r->headless = true;
            engine_set_headless(r->eng);
            /* Nothing may block on a dead terminal from here on. */
            int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
            if (fd >= 0) {
                dup2(fd, STDIN_FILENO);
                dup2(fd, STDOUT_FILENO);
                dup2(fd, STDERR_FILENO);
                close(fd);
            }
        } else if ((b == SIGTERM || b == SIGINT) && !r->stop_signal) {
            r->stop_signal = b;
            say(r, _("drover: stopping at the next safe point (state is saved)\n"));
            engine_stop(r->eng);
        }
    }
}

/* Run the engine until done(r) says so or it is idle. */
static void
run_loop(struct run *r, bool (*done)(struct run *r))
{
    for (;;) {
        struct pollfd p[2] = {
            { .fd = engine_wake_fd(r->eng), .events = POLLIN },
            { .fd = sig_pipe[0], .events = POLLIN },
        };
        bool idle;

        poll(p, 2, 500);
        take_signals(r);
        idle = engine_idle(r->eng);
        print_events(r);
        if (idle || (done && done(r)))
            return;
    }
}

static bool
open_engine(const struct cli_globals *g, struct dr_store *s, struct run *r)
{
    struct dr_engine_options o = { .read_only = g->read_only, .no_health = true };
    struct dr_error e = { 0 };
    struct dr_snapshot *snap;
    char *logpath = store_state_path(s, "drover.log");
    bool ok = true;

    if (util_mkdir_p(s->state_dir, 0700, &e) != DR_E_OK ||
        log_open(logpath, DR_LOG_INFO, &e) != DR_E_OK)
        fprintf(stderr, "drover: %s\n", dr_error_text(&e));
    free(logpath);
    /* Damage the state logs' replay skipped goes to drover.log too (the
     * console logs every problem it loads with); the engine's snapshot at
     * the end of its recovery replaces the damaged log. */
    for (size_t i = 0; i < s->n_diags; i++) {
        if (str_has_suffix(s->diags[i].file, ".state.log")) {
            char *d = store_diag_format(&s->diags[i]);
            log_warn("%s", d);
            free(d);
        }
    }
    if (!signals_setup()) {
        fprintf(stderr, "drover: %s\n", strerror(errno));
        return false;
    }
    if (engine_new(s, &o, &r->eng, &e) != DR_E_OK) {
        fprintf(stderr, "drover: %s\n", dr_error_text(&e));
        return false;
    }
    snap = engine_snapshot(r->eng);
    if (snap->observer) {
        fprintf(stderr,
                _("drover: another drover (pid %ld) runs the engine on %s; it carries out "
                  "the work, watch it there\n"),
                snap->observer_pid, s->state_dir);
        ok = false;
    } else if (snap->read_only) {
        fprintf(stderr, _("drover: read-only mode: nothing is changed\n"));
        ok = false;
    }
    engine_snapshot_free(&snap);
    if (!ok)
        engine_free(&r->eng);
    return ok;
}

static int
finish(struct run *r)
{
    int rc = r->stop_signal ? 128 + r->stop_signal : -1;

    engine_free(&r->eng);
    log_close();
    return rc;
}

static int
report_cluster(struct run *r)
{
    struct dr_snapshot *snap = engine_snapshot(r->eng);
    const struct dr_cluster_view *v = snapshot_find_cluster(snap, r->cluster);
    int rc = 1;

    if (v && v->state == DR_CLUSTER_ACTIVE) {
        say(r, _("cluster %s is active: %d/%d nodes ready\n"), r->cluster, v->ready, v->total);
        rc = 0;
    } else if (v) {
        say(r, _("cluster %s is %s: %d/%d nodes ready\n"), r->cluster,
            cluster_state_key(v->state), v->ready, v->total);
        for (size_t i = 0; i < v->status.n_nodes; i++) {
            const struct dr_node *n = &v->status.nodes[i];

            if (n->state == DR_NODE_ERROR)
                say(r, "  %s: %s (%s, %d attempts): %s\n", n->name, node_state_key(n->state),
                    node_state_key(n->step), n->attempts, n->last_error ? n->last_error : "");
        }
    }
    engine_snapshot_free(&snap);
    return rc;
}

/* Print every problem of spec that can be known without vCenter
 * (engine_check_spec), and its warnings. False when there were problems. */
static bool
check_spec(const struct dr_store *s, const struct dr_cluster *spec)
{
    struct dr_check_config cfg = { .templates = s->templates, .n_templates = s->n_templates,
                                   .vcenters = s->vcenters, .n_vcenters = s->n_vcenters,
                                   .config_dir = s->config_dir, .loads_reported = true };
    char **problems = NULL, **warnings = NULL;
    size_t n = engine_check_spec(&cfg, spec, &problems, &warnings);

    for (size_t i = 0; warnings && warnings[i]; i++)
        fprintf(stderr, _("drover: warning: %s\n"), warnings[i]);
    for (size_t i = 0; problems && problems[i]; i++)
        fprintf(stderr, "drover: %s\n", problems[i]);
    strv_free(&problems);
    strv_free(&warnings);
    return n == 0;
}

/* A spec that did not load: still check the templates its pools name, so
 * that every problem is said at once (for any node name up to 63 characters,
 * as the pools' prefixes are not known). */
static void
check_named_templates(const struct dr_store *s, const char *file)
{
    char **names = store_cluster_file_templates(file);
    char **problems = NULL, **warnings = NULL;

    for (size_t i = 0; names && names[i]; i++) {
        const struct dr_template *t = store_find_template(s, names[i]);
        if (t)
            engine_check_template(t, &problems, &warnings);
    }
    for (size_t i = 0; warnings && warnings[i]; i++)
        fprintf(stderr, _("drover: warning: %s\n"), warnings[i]);
    for (size_t i = 0; problems && problems[i]; i++)
        fprintf(stderr, "drover: %s\n", problems[i]);
    strv_free(&names);
    strv_free(&problems);
    strv_free(&warnings);
}

int
cmd_apply(const struct cli_globals *g, int argc, char **argv)
{
    enum { OPT_SKIP_PREFLIGHT = 256 };
    static const struct option longopts[] = {
        { "file", required_argument, NULL, 'f' },
        { "skip-preflight", no_argument, NULL, OPT_SKIP_PREFLIGHT },
        { NULL, 0, NULL, 0 },
    };
    const char *file = NULL;
    bool skip_preflight = false;
    struct dr_store s;
    struct dr_cluster spec;
    struct dr_error e = { 0 };
    struct run r = { 0 };
    int c, rc;

    optind = 0;  /* re-initialise getopt: options may follow the operands */
    while ((c = getopt_long(argc, argv, "f:", longopts, NULL)) != -1) {
        if (c == OPT_SKIP_PREFLIGHT) {
            skip_preflight = true;
            continue;
        }
        if (c != 'f')
            return cli_usage_error("apply", _("usage: drover apply -f CLUSTER.cfg "
                                              "[--skip-preflight]"));
        file = optarg;
    }
    if (file == NULL || optind != argc)
        return cli_usage_error("apply", _("usage: drover apply -f CLUSTER.cfg "
                                          "[--skip-preflight]"));
    if (!cli_open_store(g, &s))
        return 1;
    if (store_parse_cluster_file(&s, file, &spec, &e) != DR_E_OK) {
        cli_report_spec_file(&s, file, &e);
        check_named_templates(&s, file);
        store_done(&s);
        return 1;
    }
    /* Everything that can be known without vCenter, before any call to it. */
    bool inputs_failed = cli_report_spec_inputs(&s, &spec) > 0;
    if (!check_spec(&s, &spec) || inputs_failed) {
        cluster_done(&spec);
        store_done(&s);
        return 1;
    }
    /* Preflight against vCenter: nothing is created when it finds an error. */
    if (!skip_preflight && cli_preflight_gate(&s, &spec) != 0) {
        cluster_done(&spec);
        store_done(&s);
        return 1;
    }
    if (!open_engine(g, &s, &r)) {
        cluster_done(&spec);
        store_done(&s);
        return 1;
    }
    if (skip_preflight) {
        log_warn("cluster %s: apply without preflight (--skip-preflight)", spec.name);
        say(&r, _("drover: preflight skipped (--skip-preflight)\n"));
    }
    r.cluster = spec.name;
    /* Preflight ran above (or was skipped on purpose): the engine's gate
     * does not run it again, it only resolves names and tags. */
    struct dr_apply_opts ao = { .preflight_ran = true };
    if (engine_apply_cluster_opts(r.eng, &spec, &ao, &e) != DR_E_OK) {
        fprintf(stderr, "drover: %s\n", dr_error_text(&e));
        finish(&r);
        cluster_done(&spec);
        store_done(&s);
        return 1;
    }
    say(&r, _("applying cluster %s\n"), spec.name);
    run_loop(&r, NULL);
    rc = report_cluster(&r);
    c = finish(&r);
    cluster_done(&spec);
    store_done(&s);
    return c >= 0 ? c : rc;
}

static bool
cluster_gone(struct run *r)
{
    struct dr_snapshot *snap = engine_snapshot(r->eng);
    bool gone = snapshot_find_cluster(snap, r->cluster) == NULL;

    engine_snapshot_free(&snap);
    return gone;
}

/* What `delete cluster NAME --yes` would do, on stderr: each VM the state
 * file lists (name and VM id) and each file or folder it would remove that
 * exists (engine_delete_paths). Nothing is changed. */
static void
delete_preview(const struct cli_globals *g, const char *name)
{
    struct dr_store s;
    const struct dr_cluster_status *st;
    char **paths;
    size_t shown = 0;
    char *rel;

    if (!cli_open_store(g, &s)) {
        fprintf(stderr, _("drover: delete: this destroys every VM of cluster %s; add --yes to "
                          "confirm\n"),
                name);
        return;
    }
    st = store_find_status(&s, name);
    rel = xasprintf("clusters/%s.state", name);
    if (st && st->n_nodes > 0) {
        fprintf(stderr, _("drover: delete: this destroys the %zu VM(s) of cluster %s:\n"),
                st->n_nodes, name);
        for (size_t i = 0; i < st->n_nodes; i++) {
            const struct dr_node *n = &st->nodes[i];
            fprintf(stderr, "  %-24s %s\n", n->name ? n->name : "?",
                    !str_empty(n->vm_id) ? n->vm_id : _("(no VM yet)"));
        }
    } else if (cli_report_failed(&s, (const char *const[]){rel, NULL}) > 0) {
        fprintf(stderr, _("drover: delete: the state of cluster %s did not load: the VMs it "
                          "lists cannot be shown\n"),
                name);
    } else {
        fprintf(stderr, _("drover: delete: cluster %s has no VMs in its state\n"), name);
    }
    free(rel);
    paths = engine_delete_paths(s.config_dir, s.state_dir, name);
    for (char **p = paths; p && *p; p++) {
        size_t l = strlen(*p);
        char *plain = xstrndup(*p, l > 1 && (*p)[l - 1] == '/' ? l - 1 : l);
        if (access(plain, F_OK) == 0) {
            if (shown++ == 0)
                fprintf(stderr, _("and removes:\n"));
            fprintf(stderr, "  %s\n", *p);
        }
        free(plain);
    }
    strv_free(&paths);
    fprintf(stderr, _("drover: delete: nothing was changed; add --yes to confirm\n"));
    store_done(&s);
}

int
cmd_delete(const struct cli_globals *g, int argc, char **argv)
{
    static const struct option longopts[] = {
        { "yes", no_argument, NULL, 'y' },
        { NULL, 0, NULL, 0 },
    };
    struct dr_store s;
    struct dr_error e = { 0 };
    struct run r = { 0 };
    bool yes = false;
    int c, rc;

    optind = 0;  /* re-initialise getopt: options may follow the operands */
    while ((c = getopt_long(argc, argv, "y", longopts, NULL)) != -1) {
        if (c != 'y')
            return cli_usage_error("delete", _("usage: drover delete cluster NAME --yes"));
        yes = true;
    }
    if (argc - optind != 2 || !str_eq(argv[optind], "cluster"))
        return cli_usage_error("delete", _("usage: drover delete cluster NAME --yes"));
    if (!yes) {
        delete_preview(g, argv[optind + 1]);
        return 2;
    }
    if (!cli_open_store(g, &s))
        return 1;
    {
        /* The state file lists the VMs to destroy: unread, a delete would
         * forget VMs it never saw; without vcenters.cfg it reaches none. */
        char *state = xasprintf("clusters/%s.state", argv[optind + 1]);
        const char *const files[] = {state, "vcenters.cfg", NULL};
        size_t failed = cli_report_failed(&s, files);
        free(state);
        if (failed > 0) {
            store_done(&s);
            return 1;
        }
    }
    if (!open_engine(g, &s, &r)) {
        store_done(&s);
        return 1;
    }
    r.cluster = argv[optind + 1];
    if (engine_delete_cluster(r.eng, r.cluster, &e) != DR_E_OK) {
        fprintf(stderr, "drover: %s\n", dr_error_text(&e));
        finish(&r);
        store_done(&s);
        return 1;
    }
    say(&r, _("deleting cluster %s\n"), r.cluster);
    run_loop(&r, cluster_gone);
    if (cluster_gone(&r)) {
        say(&r, _("cluster %s deleted\n"), r.cluster);
        rc = 0;
    } else {
        rc = report_cluster(&r) == 0 ? 1 : 1;
    }
    c = finish(&r);
    store_done(&s);
    return c >= 0 ? c : rc;
}

static void
json_put(cJSON *o, const char *key, const char *v)
{
    if (v)
        cJSON_AddStringToObject(o, key, v);
    else
        cJSON_AddNullToObject(o, key);
}

int
cmd_status(const struct cli_globals *g, int argc, char **argv)
{
    static const struct option longopts[] = {
        { "output", required_argument, NULL, 'o' },
        { NULL, 0, NULL, 0 },
    };
    struct dr_store s;
    const struct dr_cluster *spec;
    const struct dr_cluster_status *st;
    struct dr_cluster_status empty = { 0 };
    enum dr_cluster_state state;
    bool json = false;
    const char *name;
    size_t failed;
    int c;

    optind = 0;  /* re-initialise getopt: options may follow the operands */
    while ((c = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
        if (c != 'o')
            return cli_usage_error("status", _("usage: drover status NAME [-o json]"));
        if (cli_parse_output("status", optarg, &json) != 0)
            return 2;
    }
    if (argc - optind != 1)
        return cli_usage_error("status", _("usage: drover status NAME [-o json]"));
    name = argv[optind];
    if (!cli_open_store(g, &s))
        return 1;
    spec = store_find_cluster(&s, name);
    st = store_find_status(&s, name);
    {
        /* A spec or state file that is there but did not load is not an
         * absent one: say what is wrong with it and fail. */
        char *cfg = xasprintf("clusters/%s.cfg", name);
        char *statefile = xasprintf("clusters/%s.state", name);
        const char *const files[] = {cfg, statefile, NULL};
        failed = cli_report_failed(&s, files);
        free(cfg);
        free(statefile);
    }
    if (failed > 0) {
        /* What loaded would show too few nodes, or the wrong state. */
        store_done(&s);
        return 1;
    }
    if (spec == NULL && st == NULL) {
        fprintf(stderr, _("drover: no cluster '%s'\n"), name);
        store_done(&s);
        return 1;
    }
    if (st == NULL) {
        empty.cluster = (char *)name;
        st = &empty;
    }
    {
        char *marker = store_state_path(&s, "clusters");
        char *path = xasprintf("%s/%s.deleting", marker, name);

        state = access(path, F_OK) == 0 ? DR_CLUSTER_REMOVING
                : spec                  ? cluster_state_derive(spec, st)
                                        : DR_CLUSTER_ERROR;
        free(path);
        free(marker);
    }
    if (json) {
        cJSON *root = cJSON_CreateObject(), *nodes = cJSON_CreateArray();
        char *text;

        json_put(root, "name", name);
        json_put(root, "state", cluster_state_key(state));
        cli_status_health_json(root, &st->health);
        for (size_t i = 0; i < st->n_nodes; i++) {
            const struct dr_node *n = &st->nodes[i];
            cJSON *o = cJSON_CreateObject();

            json_put(o, "name", n->name);
            json_put(o, "pool", n->pool);
            json_put(o, "state", node_state_key(n->state));
            json_put(o, "step", node_state_key(n->step));
            json_put(o, "vm", str_empty(n->vm_id) ? NULL : n->vm_id);
            cJSON_AddBoolToObject(o, "vm_kept", node_vm_kept(n));
            json_put(o, "ip", str_empty(n->ip) ? NULL : n->ip);
            json_put(o, "error", str_empty(n->last_error) ? NULL : n->last_error);
            cli_status_node_k8s_json(o, n);
            cJSON_AddItemToArray(nodes, o);
        }
        cJSON_AddItemToObject(root, "nodes", nodes);
        text = cJSON_Print(root);
        printf("%s\n", text);
        free(text);
        cJSON_Delete(root);
    } else {
        int ready, total;

        cluster_node_counts(st, &ready, &total);
        printf(_("cluster %s: %s, %d/%d nodes ready\n"), name, cluster_state_key(state), ready,
               total);
        cli_status_health_text(&st->health);
        printf("%-16s %-10s %-16s %-16s %-10s %-16s %-9s %-14s %s\n", "NAME", "POOL", "STATE", "STEP",
               "VM", "IP", "K8S", "KUBELET", "ERROR");
        for (size_t i = 0; i < st->n_nodes; i++) {
            const struct dr_node *n = &st->nodes[i];
            char *vm = node_vm_kept(n) ? xasprintf(_("%s (kept)"), n->vm_id)
                                       : xstrdup(str_empty(n->vm_id) ? "-" : n->vm_id);

            printf("%-16s %-10s %-16s %-16s %-10s %-16s %-9s %-14s %s\n", n->name,
                   n->pool ? n->pool : "-", node_state_key(n->state), node_state_key(n->step), vm,
                   str_empty(n->ip) ? "-" : n->ip,
                   n->k8s_ready ? k8s_ready_label(n->k8s_ready) : "-",
                   str_empty(n->kubelet_version) ? "-" : n->kubelet_version,
                   !str_empty(n->last_error) ? n->last_error
                   : !str_empty(n->k8s_reason) ? n->k8s_reason : "");
            free(vm);
        }
    }
    store_done(&s);
    return 0;
}
