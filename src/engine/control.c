/* The engine's life cycle and command API: start-up (lock, install id,
 * journal replay, workers), the commands the UI and CLI call, reconcile of
 * desired pools against actual nodes, and snapshots. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/i18n.h"
#include "core/log.h"
#include "core/util.h"
#include "engine/health.h"
#include "engine/internal.h"
#include "engine/plan.h"

enum { EVENT_QUEUE_CAP = 20000 };

/* Test hook (tests/unit): a backend other than the real one. */
enum dr_err engine_new_with_backend(const struct dr_store *store,
                                    const struct dr_engine_options *opts,
                                    const struct eng_backend *backend, struct dr_engine **out,
                                    struct dr_error *e);

static enum dr_err
read_install_id(struct dr_engine *e, struct dr_error *err)
{
    char *path = util_path_join(e->state_dir, "install-id");
    char *data = NULL;
    size_t len = 0;
    enum dr_err rc = util_read_file(path, &data, &len, NULL);

    if (rc == DR_E_OK) {
        data[strcspn(data, "\r\n")] = '\0';
        if (util_is_dns_label(data)) {
            e->install_id = data;
            free(path);
            return DR_E_OK;
        }
        free(data);
    }
    unsigned char raw[8];
    char hex[17];

    if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw) {
        free(path);
        return dr_error_set(err, DR_E_IO, _("cannot read random bytes: %s"), strerror(errno));
    }
    for (size_t i = 0; i < sizeof raw; i++)
        snprintf(hex + 2 * i, 3, "%02x", raw[i]);
    rc = util_write_atomic(path, hex, strlen(hex), 0600, err);
    if (rc == DR_E_OK)
        e->install_id = xstrdup(hex);
    free(path);
    return rc;
}

/* The state folder's lock: held for the engine's whole life. */
static enum dr_err
take_lock(struct dr_engine *e, struct dr_error *err)
{
    char *path = util_path_join(e->state_dir, "lock");
    char buf[32];
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

    if (fd < 0) {
        dr_error_set(err, DR_E_IO, _("%s: cannot open the lock file: %s"), path,
                     strerror(errno));
        free(path);
        return DR_E_IO;
    }
    free(path);
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        ssize_t r = pread(fd, buf, sizeof buf - 1, 0);

        e->observer = true;
        e->observer_pid = r > 0 ? (buf[r] = '\0', strtol(buf, NULL, 10)) : 0;
        close(fd);
        return DR_E_OK;
    }
    snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) != 0 || pwrite(fd, buf, strlen(buf), 0) < 0)
        log_warn("cannot write the pid into the lock file: %s", strerror(errno));
    e->lock_fd = fd;
    return DR_E_OK;
}

static struct eng_cluster *
add_cluster(struct dr_engine *e, const char *name)
{
    struct eng_cluster *c = xcalloc(1, sizeof *c);

    c->name = xstrdup(name);
    c->status.cluster = xstrdup(name);
    c->state = DR_CLUSTER_PENDING;
    e->clusters = xgrow(e->clusters, &e->cap_clusters, e->n_clusters + 1, sizeof *e->clusters);
    e->clusters[e->n_clusters++] = c;
    return c;
}

static void
set_status(struct eng_cluster *c, const struct dr_cluster_status *st)
{
    cluster_status_done(&c->status);
    memset(&c->status, 0, sizeof c->status);
    c->status.cluster = xstrdup(c->name);
    c->cap_nodes = st->n_nodes;
    c->status.nodes = xcalloc(st->n_nodes ? st->n_nodes : 1, sizeof *c->status.nodes);
    for (size_t i = 0; i < st->n_nodes; i++)
        node_copy(&c->status.nodes[i], &st->nodes[i]);
    c->status.n_nodes = st->n_nodes;
    c->status.health = st->health; /* as the last run's polls saved it */
    c->status.health.error = xstrdup0(st->health.error);
    c->status.log_seq = st->log_seq; /* the state log's records so far (store_log.c) */
}

/* Copy settings, templates, vCenters, specs and states out of a loaded store. */
static void
load_from_store(struct dr_engine *e, const struct dr_store *s)
{
    for (size_t i = 0; i < e->n_templates; i++)
        template_done(&e->templates[i]);
    free(e->templates);
    e->n_templates = s->n_templates;
    e->templates = xcalloc(s->n_templates ? s->n_templates : 1, sizeof *e->templates);
    for (size_t i = 0; i < s->n_templates; i++)
        template_copy(&e->templates[i], &s->templates[i]);
    for (size_t i = 0; i < e->n_vcenters; i++)
        vcenter_done(&e->vcenters[i]);
    free(e->vcenters);
    e->n_vcenters = s->n_vcenters;
    e->vcenters = xcalloc(s->n_vcenters ? s->n_vcenters : 1, sizeof *e->vcenters);
    for (size_t i = 0; i < s->n_vcenters; i++) {
        vcenter_copy(&e->vcenters[i], &s->vcenters[i]);
    }
}

static int
cmp_cluster_name(const void *a, const void *b)
{
    const struct eng_cluster *x = *(const struct eng_cluster *const *)a;
    const struct eng_cluster *y = *(const struct eng_cluster *const *)b;

    return strcmp(x->name, y->name);
}

/* A new engine's clusters: the store's specs, then its state files matched
 * to them through a sorted index (a linear find for each was a million
 * comparisons with a thousand clusters, a third of the engine's start). */
static void
load_clusters(struct dr_engine *e, const struct dr_store *s)
{
    struct eng_cluster **by_name;
    size_t n_specs;

    /* The engine is new (no clusters yet) and the store holds one spec per
     * file name, so every spec is a cluster of its own. */
    for (size_t i = 0; i < s->n_clusters; i++) {
        struct eng_cluster *c = add_cluster(e, s->clusters[i].name);

        cluster_copy(&c->spec, &s->clusters[i]);
        c->has_spec = true;
    }
    n_specs = e->n_clusters;
    by_name = xcalloc(n_specs + 1, sizeof *by_name);
    if (n_specs > 0) /* e->clusters is NULL without specs: memcpy's UB (UBSan) */
        memcpy(by_name, e->clusters, n_specs * sizeof *by_name);
    qsort(by_name, n_specs, sizeof *by_name, cmp_cluster_name);
    for (size_t i = 0; i < s->n_statuses; i++) {
        struct eng_cluster key = {.name = s->statuses[i].cluster}, *kp = &key, *c;
        struct eng_cluster **hit =
            bsearch(&kp, by_name, n_specs, sizeof *by_name, cmp_cluster_name);

        /* State files are one per name, so one without a spec is new. */
        c = hit ? *hit : eng_find_cluster(e, s->statuses[i].cluster);
        if (c == NULL)
            c = add_cluster(e, s->statuses[i].cluster);
        set_status(c, &s->statuses[i]);
    }
    free(by_name);
    for (size_t i = 0; i < e->n_clusters; i++) {
        struct eng_cluster *c = e->clusters[i];
        char *marker = xasprintf("%s/clusters/%s.deleting", e->state_dir, c->name);

        c->deleting = access(marker, F_OK) == 0;
        free(marker);
        c->saved_gen = c->gen;
        /* The starting state is in every snapshot; events report changes. */
        c->state = c->deleting ? DR_CLUSTER_REMOVING
                   : c->has_spec ? cluster_state_derive(&c->spec, &c->status)
                                 : DR_CLUSTER_PENDING;
    }
}

enum dr_err
engine_new_with_backend(const struct dr_store *store, const struct dr_engine_options *opts,
                        const struct eng_backend *backend, struct dr_engine **out,
                        struct dr_error *err)
{
    struct dr_engine *e = xcalloc(1, sizeof *e);
    struct dr_engine_options none = { 0 };
    struct eng_intent *intents = NULL;
    size_t n_intents = 0;
    enum dr_err rc;

    if (opts == NULL)
        opts = &none;
    *out = NULL;
    e->lock_fd = -1;
    e->observe_wake[0] = e->observe_wake[1] = -1;
    pthread_mutex_init(&e->mu, NULL);
    pthread_mutex_init(&e->store_mu, NULL);
    pthread_mutex_init(&e->known_hosts_mu, NULL);
    pthread_cond_init(&e->cv, NULL);
    e->state_dir = xstrdup(store->state_dir);
    e->config_dir = xstrdup(store->config_dir);
    e->seed = (unsigned)time(NULL) ^ (unsigned)getpid();
    settings_copy(&e->settings, &store->settings);
    if (e->settings.retries < 0)
        e->settings.retries = 0;
    e->read_only = opts->read_only || store->settings.read_only;
    if (opts->no_health)
        e->settings.health_interval_s = 0;
    e->n_workers = opts->workers > 0 ? opts->workers
                                     : (store->settings.workers > 0 ? store->settings.workers : 8);
    if (backend)
        e->backend = *backend;
    rc = queue_init(&e->queue, EVENT_QUEUE_CAP, err);
    if (rc != DR_E_OK) {
        free(e);
        return rc;
    }
    rc = store_init(&e->store, e->config_dir, e->state_dir, err);
    if (rc == DR_E_OK)
        rc = util_mkdir_p(e->state_dir, 0700, err);
    if (rc == DR_E_OK && !e->read_only)
        rc = take_lock(e, err);
    if (rc != DR_E_OK)
        goto fail;
    load_from_store(e, store);
    load_clusters(e, store);

    if (e->read_only || e->observer) {
        struct dr_event ev = { .kind = DR_EV_ENGINE, .level = DR_LOG_INFO };
        char *text = e->observer
                         ? xasprintf(_("another drover (pid %ld) runs the engine; watching its "
                                       "progress read-only"), e->observer_pid)
                         : xstrdup(_("read-only mode: the engine changes nothing"));

        ev.text = text;
        eng_emit(e, &ev);
        free(text);
        if (pipe2(e->observe_wake, O_CLOEXEC) == 0 &&
            pthread_create(&e->aux, NULL, eng_observer_main, e) == 0)
            e->has_aux = true;
        *out = e;
        return DR_E_OK;
    }

    rc = read_install_id(e, err);
    if (rc != DR_E_OK)
        goto fail;
    {
        char *jpath = util_path_join(e->state_dir, "journal");

        rc = journal_open(&e->journal, jpath, &intents, &n_intents, err);
        free(jpath);
        if (rc != DR_E_OK)
            goto fail;
        e->journal_open = true;
    }
    if (backend == NULL) {
        rc = backend_vs_new(&e->backend, err);
        if (rc != DR_E_OK) {
            intents_free(intents, n_intents);
            goto fail;
        }
    }
    /* A clean shutdown leaves the journal empty; records mean the last
     * engine died mid-work, so recovery checks vCenter and resumes. */
    e->crashed = n_intents > 0;
    eng_apply_journal(e, intents, n_intents);
    intents_free(intents, n_intents);

    e->recovering = true;
    eng_health_global_init(); /* libcurl's, before any worker starts */
    e->threads = xcalloc((size_t)e->n_workers, sizeof *e->threads);
    for (int i = 0; i < e->n_workers; i++)
        if (pthread_create(&e->threads[i], NULL, eng_worker_main, e) != 0) {
            rc = dr_error_set(err, DR_E_INTERNAL, _("cannot start worker thread %d"), i);
            e->n_workers = i;
            goto fail;
        }
    if (pthread_create(&e->aux, NULL, eng_recover_main, e) != 0) {
        rc = dr_error_set(err, DR_E_INTERNAL, _("cannot start the recovery thread"));
        goto fail;
    }
    e->has_aux = true;
    log_info("engine started: %d workers, install id %s", e->n_workers, e->install_id);
    *out = e;
    return DR_E_OK;

fail:
    engine_free(&e);
    return rc;
}

enum dr_err
engine_new(const struct dr_store *store, const struct dr_engine_options *opts,
           struct dr_engine **out, struct dr_error *e)
{
    return engine_new_with_backend(store, opts, NULL, out, e);
}

void
engine_free(struct dr_engine **ep)
{
    struct dr_engine *e = *ep;

    if (e == NULL)
        return;
    atomic_store(&e->health_stop, 1);
    engine_stop(e);
    pthread_mutex_lock(&e->mu);
    e->quit = true;
    pthread_cond_broadcast(&e->cv);
    pthread_mutex_unlock(&e->mu);
    if (e->observe_wake[1] >= 0 && write(e->observe_wake[1], "q", 1) < 0)
        log_error("cannot stop the observer: %s", strerror(errno));
    if (e->has_aux)
        pthread_join(e->aux, NULL);
    for (int i = 0; i < 2; i++) {
        if (e->observe_wake[i] >= 0)
            close(e->observe_wake[i]);
    }
    for (int i = 0; e->threads && i < e->n_workers; i++)
        pthread_join(e->threads[i], NULL);
    free(e->threads);
    eng_requests_free(e);
    eng_save_all(e);
    /* Everything is in the state files now: an empty journal tells the next
     * start that this one stopped cleanly. */
    if (e->journal_open && !e->recovering) {
        struct dr_error err = { 0 };

        if (journal_compact(&e->journal, e->open_clones, e->n_open_clones, &err) != DR_E_OK)
            log_error("%s", dr_error_text(&err));
    }
    if (e->backend.ops && e->backend.ops->free)
        e->backend.ops->free(e->backend.ctx);
    if (e->journal_open)
        journal_close(&e->journal);
    if (e->lock_fd >= 0)
        close(e->lock_fd);  /* releases the flock */
    for (size_t i = 0; i < e->n_clusters; i++) {
        struct eng_cluster *c = e->clusters[i];

        if (c->has_spec)
            cluster_done(&c->spec);
        cluster_status_done(&c->status);
        free(c->gate_error);
        free(c->replace_held);
        eng_known_hosts_free(c);
        free(c->name);
        free(c);
    }
    free(e->clusters);
    for (size_t i = 0; i < e->n_jobs; i++) {
        free(e->jobs[i]->cluster);
        free(e->jobs[i]->node);
        free(e->jobs[i]->text);
        free(e->jobs[i]->error);
        free(e->jobs[i]);
    }
    free(e->jobs);
    intents_free(e->open_clones, e->n_open_clones);
    intents_free(e->settling, e->n_settling);
    for (size_t i = 0; i < e->n_templates; i++)
        template_done(&e->templates[i]);
    free(e->templates);
    for (size_t i = 0; i < e->n_vcenters; i++)
        vcenter_done(&e->vcenters[i]);
    free(e->vcenters);
    settings_done(&e->settings);
    store_done(&e->store);
    queue_done(&e->queue);
    admit_done(&e->admit);
    free(e->install_id);
    free(e->state_dir);
    free(e->config_dir);
    pthread_cond_destroy(&e->cv);
    pthread_mutex_destroy(&e->store_mu);
    pthread_mutex_destroy(&e->known_hosts_mu);
    pthread_mutex_destroy(&e->mu);
    free(e);
    *ep = NULL;
}

int
engine_wake_fd(const struct dr_engine *e)
{
    return queue_fd(&e->queue);
}

size_t
engine_drain_events(struct dr_engine *e, struct dr_event **out)
{
    return queue_drain(&e->queue, out);
}

void
engine_set_headless(struct dr_engine *e)
{
    int running = 0;

    pthread_mutex_lock(&e->mu);
    e->headless = true;
    for (size_t i = 0; i < e->n_jobs; i++)
        running += !eng_job_finished(e->jobs[i]);
    pthread_mutex_unlock(&e->mu);
    log_warn("terminal gone (SIGHUP): continuing headless until %d job(s) finish", running);
    struct dr_event ev = { .kind = DR_EV_ENGINE, .level = DR_LOG_WARN,
                           .text = (char *)"continuing headless" };
    eng_emit(e, &ev);
}

void
engine_stop(struct dr_engine *e)
{
    pthread_mutex_lock(&e->mu);
    if (!e->stopping && !e->observer && !e->read_only)
        log_info("engine stopping: cancelling jobs at their next safe point");
    e->stopping = true;
    for (size_t i = 0; i < e->n_jobs; i++) {
        struct eng_job *j = e->jobs[i];

        if (!eng_job_finished(j)) {
            j->keep_state = true;
            atomic_store(&j->cancel, true);
        }
    }
    pthread_cond_broadcast(&e->cv);
    pthread_mutex_unlock(&e->mu);
}

bool
engine_idle(struct dr_engine *e)
{
    bool idle = true;

    pthread_mutex_lock(&e->mu);
    if (e->recovering)
        idle = false;
    /* A deleted cluster whose last node just went: its files go next. */
    for (size_t i = 0; idle && i < e->n_clusters; i++)
        if (e->clusters[i]->deleting && e->clusters[i]->status.n_nodes == 0)
            idle = false;
    for (size_t i = 0; idle && i < e->n_jobs; i++) {
        struct eng_job *j = e->jobs[i];

        if (eng_job_finished(j))
            continue;
        if (j->state == DR_JOB_RUNNING || eng_job_blocked(e, j, NULL) != 2)
            idle = false;
    }
    pthread_mutex_unlock(&e->mu);
    return idle;
}
