#include "config.h"

#include <dirent.h>
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
#include "core/keys.h"
#include "core/log.h"
#include "core/util.h"
#include "engine/internal.h"
#include "engine/plan.h"

enum { EVENT_QUEUE_CAP = 20000, FINISHED_JOBS_KEPT = 200 };

/* Lookups (callers hold mu). */

struct eng_cluster *
eng_find_cluster(struct dr_engine *e, const char *name)
{
    for (size_t i = 0; i < e->n_clusters; i++)
        if (str_eq(e->clusters[i]->name, name))
            return e->clusters[i];
    return NULL;
}

struct dr_node *
eng_find_node(struct eng_cluster *c, const char *name)
{
    if (c == NULL)
        return NULL;
    for (size_t i = 0; i < c->status.n_nodes; i++)
        if (str_eq(c->status.nodes[i].name, name))
            return &c->status.nodes[i];
    return NULL;
}

const struct dr_pool *
eng_find_pool(const struct eng_cluster *c, const char *name)
{
    if (!c->has_spec)
        return NULL;
    for (size_t i = 0; i < c->spec.n_pools; i++)
        if (str_eq(c->spec.pools[i].name, name))
            return &c->spec.pools[i];
    return NULL;
}

const struct dr_template *
eng_find_template(struct dr_engine *e, const char *name)
{
    for (size_t i = 0; i < e->n_templates; i++)
        if (str_eq(e->templates[i].name, name))
            return &e->templates[i];
    return NULL;
}

const struct dr_vcenter *
eng_find_vcenter(struct dr_engine *e, const char *name)
{
    for (size_t i = 0; i < e->n_vcenters; i++)
        if (str_eq(e->vcenters[i].name, name))
            return &e->vcenters[i];
    return NULL;
}

char *
eng_owner(struct dr_engine *e, const char *cluster, const char *node)
{
    return xasprintf("%s/%s/%s", e->install_id, cluster, node);
}

void
eng_touch(struct eng_cluster *c)
{
    c->gen++;
}

/* Events and node logs. */

void
eng_emit(struct dr_engine *e, const struct dr_event *ev)
{
    queue_push(&e->queue, ev);
}

void
eng_emit_node(struct dr_engine *e, unsigned job, const char *cluster, const struct dr_node *n,
              const char *text)
{
    struct dr_event ev = {
        .kind = DR_EV_NODE_STATE, .job = job, .cluster = (char *)cluster,
        .node = n->name, .state = n->state, .step = n->step, .percent = n->percent,
        .level = n->state == DR_NODE_ERROR ? DR_LOG_ERROR : DR_LOG_INFO,
        .text = (char *)(text ? text : ""),
    };
    char *line;

    eng_emit(e, &ev);
    if (n->state == DR_NODE_ERROR)
        line = xasprintf("%s (%s, attempt %d): %s", node_state_key(n->state),
                         node_state_key(n->step), n->attempts, text ? text : "");
    else
        line = xasprintf("%s%s%s", node_state_key(n->state), text && *text ? ": " : "",
                         text ? text : "");
    eng_node_log(e, cluster, n->name, line);
    free(line);
}

void
eng_emit_cluster_state(struct dr_engine *e, struct eng_cluster *c)
{
    enum dr_cluster_state st =
        c->deleting ? DR_CLUSTER_REMOVING
                    : (c->has_spec ? cluster_state_derive(&c->spec, &c->status) : c->state);

    if (st == c->state)
        return;
    c->state = st;
    struct dr_event ev = { .kind = DR_EV_CLUSTER, .cluster = c->name, .cluster_state = st,
                           .text = (char *)cluster_state_key(st) };
    eng_emit(e, &ev);
}

char *
engine_node_log_path(const struct dr_engine *e, const char *cluster, const char *node)
{
    return xasprintf("%s/logs/%s/%s.log", e->state_dir, cluster, node);
}

void
eng_node_log(struct dr_engine *e, const char *cluster, const char *node, const char *text)
{
    char *path = engine_node_log_path(e, cluster, node);
    char *dir = util_dirname(path);
    char *clean = log_redact(text), stamp[32];
    struct tm tm;
    time_t now = time(NULL);
    int fd;

    gmtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0 && errno == ENOENT && util_mkdir_p(dir, 0700, NULL) == DR_E_OK)
        fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd >= 0) {
        char *line = xasprintf("%s %s\n", stamp, clean);
        ssize_t w = write(fd, line, strlen(line));

        (void)w;
        free(line);
        close(fd);
    }
    free(clean);
    free(dir);
    free(path);
}

/* Jobs. */

struct eng_job *
eng_add_job(struct dr_engine *e, enum dr_job_kind kind, const char *cluster, const char *node,
            enum dr_node_state step)
{
    struct eng_job *j = xcalloc(1, sizeof *j);

    j->id = ++e->next_job;
    j->kind = kind;
    j->state = DR_JOB_QUEUED;
    j->cluster = xstrdup(cluster);
    j->node = xstrdup(node);
    j->step = step;
    j->attempts = 1;
    j->text = xstrdup("");
    j->created = time(NULL);
    atomic_init(&j->cancel, false);
    e->jobs = xgrow(e->jobs, &e->cap_jobs, e->n_jobs + 1, sizeof *e->jobs);
    e->jobs[e->n_jobs++] = j;

    struct dr_event ev = { .kind = DR_EV_JOB, .job = j->id, .job_state = j->state,
                           .cluster = (char *)cluster, .node = (char *)node, .step = step,
                           .text = (char *)job_kind_key(kind) };
    eng_emit(e, &ev);
    pthread_cond_broadcast(&e->cv);
    return j;
}

struct eng_job *
eng_active_job(struct dr_engine *e, const char *cluster, const char *node)
{
    for (size_t i = 0; i < e->n_jobs; i++) {
        struct eng_job *j = e->jobs[i];

        if (!eng_job_finished(j) && str_eq(j->cluster, cluster) && str_eq(j->node, node))
            return j;
    }
    return NULL;
}

static void
job_free(struct eng_job *j)
{
    free(j->cluster);
    free(j->node);
    free(j->text);
    free(j->error);
    admit_need_done(&j->slot);
    free(j);
}

/* Keep the registry bounded: forget the oldest finished jobs. */
static void
prune_jobs(struct dr_engine *e)
{
    size_t finished = 0, w = 0;

    for (size_t i = 0; i < e->n_jobs; i++)
        finished += eng_job_finished(e->jobs[i]);
    for (size_t i = 0; i < e->n_jobs; i++) {
        if (finished > FINISHED_JOBS_KEPT && eng_job_finished(e->jobs[i])) {
            job_free(e->jobs[i]);
            finished--;
            continue;
        }
        e->jobs[w++] = e->jobs[i];
    }
    e->n_jobs = w;
}

void
eng_job_finish(struct dr_engine *e, struct eng_job *j, enum dr_job_state st, const char *error)
{
    j->state = st;
    j->finished = time(NULL);
    xfree(&j->error);
    j->error = xstrdup0(error);
    struct dr_event ev = { .kind = DR_EV_JOB, .job = j->id, .job_state = st,
                           .cluster = j->cluster, .node = j->node, .step = j->step,
                           .percent = j->percent,
                           .level = st == DR_JOB_FAILED ? DR_LOG_ERROR : DR_LOG_INFO,
                           .text = (char *)(error ? error : job_state_key(st)) };
    eng_emit(e, &ev);
    pthread_cond_broadcast(&e->cv);
    prune_jobs(e);
}

/* Open clone intents (from a crash) keep a VM name "ours" even unmarked. */

struct eng_intent *
eng_open_clone(struct dr_engine *e, const char *cluster, const char *node)
{
    for (size_t i = 0; i < e->n_open_clones; i++)
        if (str_eq(e->open_clones[i].cluster, cluster) && str_eq(e->open_clones[i].node, node))
            return &e->open_clones[i];
    return NULL;
}

void
eng_drop_open_clone(struct dr_engine *e, const char *cluster, const char *node)
{
    struct eng_intent *it = eng_open_clone(e, cluster, node);
    size_t i;

    if (it == NULL)
        return;
    i = (size_t)(it - e->open_clones);
    intent_done(it);
    memmove(it, it + 1, (e->n_open_clones - i - 1) * sizeof *it);
    e->n_open_clones--;
}

void
eng_keep_open_clone(struct dr_engine *e, const struct eng_intent *it)
{
    eng_drop_open_clone(e, it->cluster, it->node);
    e->open_clones = xgrow(e->open_clones, &e->cap_open_clones, e->n_open_clones + 1,
                           sizeof *e->open_clones);
    eng_intent_copy(&e->open_clones[e->n_open_clones++], it);
}

/* Saving. */

/* The node of st named name, looked for at index hint first (the store's
 * copy keeps the engine's order), or NULL. */
static const struct dr_node *
saved_node(const struct dr_cluster_status *st, const char *name, size_t hint)
{
    if (hint < st->n_nodes && str_eq(st->nodes[hint].name, name))
        return &st->nodes[hint];
    for (size_t i = 0; i < st->n_nodes; i++)
        if (str_eq(st->nodes[i].name, name))
            return &st->nodes[i];
    return NULL;
}

/* What changed in c's status since the store last saved it (disk): copies
 * of the nodes that differ or are new, and of each saved node c no longer
 * has (state DR_NODE_REMOVED), into *out; *health_changed. Callers hold mu
 * and store_mu. */
static size_t
status_delta(const struct eng_cluster *c, const struct dr_cluster_status *disk,
             struct dr_node **out, bool *health_changed)
{
    size_t n = 0, cap = 0, matched = 0;

    *out = NULL;
    for (size_t i = 0; i < c->status.n_nodes; i++) {
        const struct dr_node *cur = &c->status.nodes[i];
        const struct dr_node *old = saved_node(disk, cur->name, i);

        if (old)
            matched++;
        if (cur->state == DR_NODE_REMOVED ? old == NULL : (old && node_equal(cur, old)))
            continue;
        *out = xgrow(*out, &cap, n + 1, sizeof **out);
        node_copy(&(*out)[n++], cur);
    }
    if (matched < disk->n_nodes) {  /* nodes gone from c (rare) */
        for (size_t i = 0; i < disk->n_nodes; i++) {
            const struct dr_node *d = &disk->nodes[i];
            bool there = false;

            for (size_t j = 0; j < c->status.n_nodes && !there; j++)
                there = str_eq(c->status.nodes[j].name, d->name);
            if (there)
                continue;
            *out = xgrow(*out, &cap, n + 1, sizeof **out);
            node_copy(&(*out)[n], d);
            (*out)[n++].state = DR_NODE_REMOVED;
        }
    }
    *health_changed = !health_equal(&c->status.health, &disk->health);
    return n;
}

/* Save cluster name's state: as a record of the nodes that changed in its
 * state log (store_log_nodes), or as a snapshot of all of them when full
 * is set or one is due (store_log_due). */
static void
save_cluster(struct dr_engine *e, const char *name, bool full)
{
    struct dr_cluster_status st = { 0 };
    struct dr_error err = { 0 };
    struct eng_cluster *c;
    const struct dr_cluster_status *disk;
    struct dr_node *delta = NULL;
    struct dr_health health = { 0 };
    bool health_changed = false;
    unsigned long gen, want;
    size_t k = 0, n_delta = 0;
    enum dr_err rc;

    /* Group commit: the change the caller made is in generation want; a
     * save that another worker ran while this one waited for the store
     * may have covered it, and then there is nothing left to do. Without
     * this every step of every node wrote twice, one worker after another:
     * with 200 nodes and 32 workers the workers queued on store_mu. */
    pthread_mutex_lock(&e->mu);
    c = eng_find_cluster(e, name);
    want = c ? c->gen : 0;
    pthread_mutex_unlock(&e->mu);
    pthread_mutex_lock(&e->store_mu);
    pthread_mutex_lock(&e->mu);
    c = eng_find_cluster(e, name);
    disk = c ? store_find_status(&e->store, name) : NULL;
    /* A full save on a clean stop also takes in a log nothing changed since,
     * or one with a damaged record (reported once: the snapshot replaces it). */
    if (c == NULL || e->observer || e->read_only ||
        ((c->gen == c->saved_gen || c->saved_gen >= want) &&
         !(full && disk && (disk->log_records > 0 || disk->log_torn)))) {
        pthread_mutex_unlock(&e->mu);
        pthread_mutex_unlock(&e->store_mu);
        return;
    }
    gen = c->gen;
    full = full || store_log_due(&e->store, name, c->status.n_nodes);
    if (full) {
        st.cluster = xstrdup(c->name);
        st.nodes = xcalloc(c->status.n_nodes ? c->status.n_nodes : 1, sizeof *st.nodes);
        for (size_t i = 0; i < c->status.n_nodes; i++)
            if (c->status.nodes[i].state != DR_NODE_REMOVED)
                node_copy(&st.nodes[k++], &c->status.nodes[i]);
        st.n_nodes = k;
        st.health = c->status.health;
        st.health.error = xstrdup0(c->status.health.error);
        st.log_seq = c->status.log_seq;
    } else {
        n_delta = status_delta(c, disk, &delta, &health_changed);
        if (health_changed) {
            health = c->status.health;
            health.error = xstrdup0(c->status.health.error);
        }
    }
    pthread_mutex_unlock(&e->mu);

    if (full)
        rc = store_save_status(&e->store, &st, &err);
    else if (n_delta == 0 && !health_changed)
        rc = DR_E_OK; /* nothing the state file keeps changed */
    else
        rc = store_log_nodes(&e->store, name, delta, n_delta, health_changed ? &health : NULL,
                             &err);
    if (rc == DR_E_OK) {
        pthread_mutex_lock(&e->mu);
        c = eng_find_cluster(e, name);
        if (c && c->saved_gen < gen)
            c->saved_gen = gen;
        pthread_mutex_unlock(&e->mu);
    } else {
        log_error("cluster %s: cannot save its state: %s", name, dr_error_text(&err));
        struct dr_event ev = { .kind = DR_EV_ENGINE, .cluster = (char *)name,
                               .level = DR_LOG_ERROR, .text = err.msg };
        eng_emit(e, &ev);
    }
    cluster_status_done(&st);
    for (size_t i = 0; i < n_delta; i++)
        node_done(&delta[i]);
    free(delta);
    free(health.error);
    pthread_mutex_unlock(&e->store_mu);
}

void
eng_save_cluster(struct dr_engine *e, const char *name)
{
    save_cluster(e, name, false);
}

/* A snapshot of every cluster (at the end of recovery, on a clean stop):
 * the state logs are taken in and removed. */
void
eng_save_all(struct dr_engine *e)
{
    char **names = NULL;

    pthread_mutex_lock(&e->mu);
    for (size_t i = 0; i < e->n_clusters; i++)
        strv_push(&names, e->clusters[i]->name);
    pthread_mutex_unlock(&e->mu);
    for (size_t i = 0; names && names[i]; i++)
        save_cluster(e, names[i], true);
    strv_free(&names);
}

static char *
deleting_marker(const struct dr_engine *e, const char *cluster)
{
    return xasprintf("%s/clusters/%s.deleting", e->state_dir, cluster);
}

/* Our own folders (keys/<cluster>, logs/<cluster>) hold plain files only. */
static void
rm_tree(const char *path)
{
    struct stat st;
    struct dirent *de;
    DIR *d;

    if (lstat(path, &st) != 0)
        return;
    if (!S_ISDIR(st.st_mode)) {
        unlink(path);
        return;
    }
    d = opendir(path);
    if (d) {
        while ((de = readdir(d)) != NULL) {
            char *p;

            if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                continue;
            p = util_path_join(path, de->d_name);
            rm_tree(p);
            free(p);
        }
        closedir(d);
    }
    rmdir(path);
}

void
eng_remove_node_files(struct dr_engine *e, const char *cluster, const char *node)
{
    char *host = keys_host_path(e->state_dir, cluster, node);
    char *pub = xasprintf("%s.pub", host);

    unlink(host);
    unlink(pub);
    free(pub);
    free(host);
}

char **
engine_delete_paths(const char *config_dir, const char *state_dir, const char *name)
{
    char **v = NULL;
    char *p, *dir;

    p = xasprintf("%s/clusters/%s.cfg", config_dir, name);
    strv_push(&v, p);
    free(p);
    p = xasprintf("%s/clusters/%s.state", state_dir, name);
    strv_push(&v, p);
    free(p);
    p = keys_cluster_path(state_dir, name);
    dir = util_dirname(p);
    free(p);
    p = xasprintf("%s/", dir);
    strv_push(&v, p);
    free(p);
    free(dir);
    p = xasprintf("%s/logs/%s/", state_dir, name);
    strv_push(&v, p);
    free(p);
    p = xasprintf("%s/kubeconfig/%s.yaml", state_dir, name);
    strv_push(&v, p);
    free(p);
    return v;
}

void
eng_finish_delete(struct dr_engine *e, const char *name)
{
    struct dr_error err = { 0 };
    struct eng_cluster *c;
    char *p;

    pthread_mutex_lock(&e->store_mu);
    pthread_mutex_lock(&e->mu);
    c = eng_find_cluster(e, name);
    if (c == NULL || !c->deleting || c->status.n_nodes > 0) {
        pthread_mutex_unlock(&e->mu);
        pthread_mutex_unlock(&e->store_mu);
        return;
    }
    pthread_mutex_unlock(&e->mu);

    if (store_remove_status(&e->store, name, &err) != DR_E_OK && err.code != DR_E_NOTFOUND)
        log_error("cluster %s: %s", name, dr_error_text(&err));
    if (store_remove_cluster(&e->store, name, &err) != DR_E_OK && err.code != DR_E_NOTFOUND)
        log_error("cluster %s: %s", name, dr_error_text(&err));
    p = keys_cluster_path(e->state_dir, name);
    {
        char *dir = util_dirname(p);

        rm_tree(dir);
        free(dir);
    }
    free(p);
    p = xasprintf("%s/logs/%s", e->state_dir, name);
    rm_tree(p);
    free(p);
    p = xasprintf("%s/kubeconfig/%s.yaml", e->state_dir, name);
    unlink(p);
    free(p);
    p = deleting_marker(e, name);
    unlink(p);
    free(p);

    pthread_mutex_lock(&e->mu);
    c = eng_find_cluster(e, name);
    if (c) {
        size_t i = 0;

        while (e->clusters[i] != c)
            i++;
        memmove(&e->clusters[i], &e->clusters[i + 1],
                (e->n_clusters - i - 1) * sizeof *e->clusters);
        e->n_clusters--;
        cluster_done(&c->spec);
        cluster_status_done(&c->status);
        free(c->gate_error);
        free(c->replace_held);
        eng_known_hosts_free(c);
        free(c->name);
        free(c);
    }
    struct dr_event ev = { .kind = DR_EV_CLUSTER, .cluster = (char *)name,
                           .cluster_state = DR_CLUSTER_REMOVING,
                           .text = (char *)"removed" };
    eng_emit(e, &ev);
    pthread_cond_broadcast(&e->cv);
    pthread_mutex_unlock(&e->mu);
    pthread_mutex_unlock(&e->store_mu);
    log_info("cluster %s: deleted (VMs, spec clusters/%s.cfg, state clusters/%s.state, keys, "
             "kubeconfig and logs removed)",
             name, name, name);
}

/* When a node whose reconfigure or power-on was in flight at a crash may be
 * touched again (util_now_ms() based; 0: at once). */
long long
eng_settle_until(struct dr_engine *e, const char *cluster, const char *node)
{
    long long until = 0;
    long long now_s = (long long)time(NULL), now_ms = util_now_ms();

    for (size_t i = 0; i < e->n_settling; i++) {
        const struct eng_intent *it = &e->settling[i];
        long long left_s = it->time + ENG_SETTLE_S - now_s;

        /* One whose task is known is waited for by the node's step. */
        if (!str_empty(it->task) && e->backend.ops && e->backend.ops->task_settle)
            continue;
        if (str_eq(it->cluster, cluster) && str_eq(it->node, node) && left_s > 0 &&
            now_ms + left_s * 1000 > until)
            until = now_ms + left_s * 1000;
    }
    return until;
}
