/* The observer: a drover in read-only mode, or one that found another
 * drover holding the lock, follows the state and configuration folders.
 * It sleeps in poll() on inotify until a file there changes, then re-reads
 * the store and reports what moved: no change, no wake-up. Every
 * OBSERVE_OWNER_MS it also looks whether a drover still holds the state
 * folder's lock: one killed (kill -9) writes nothing more, and its nodes in
 * progress would otherwise look live for ever. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/i18n.h"
#include "core/log.h"
#include "core/store.h"
#include "core/util.h"
#include "engine/internal.h"

/* Writes of one save (temp file, rename) and of several nodes come in
 * bursts; wait this long after the first event before re-reading. */
#define OBSERVE_SETTLE_MS 50
/* While a watched folder does not exist yet, look again this often. */
#define OBSERVE_MISSING_MS 2000
/* How often to look whether the drover that runs the engine is still there. */
#define OBSERVE_OWNER_MS 3000

static const char *const watched[] = { "", "clusters", "templates" };

/* Watch the config and state folders and their clusters/ and templates/
 * subfolders. Returns false while one of them is missing (its parent is
 * watched then, so its creation wakes us, but a missing parent is not). */
static bool
observe_add_watches(int ifd, const char *config_dir, const char *state_dir)
{
    const uint32_t mask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE |
                          IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF;
    const char *roots[] = { config_dir, state_dir };
    bool all = true;

    for (size_t r = 0; r < DR_ARRAY_LEN(roots); r++) {
        for (size_t w = 0; w < DR_ARRAY_LEN(watched); w++) {
            char *path = *watched[w] ? util_path_join(roots[r], watched[w]) : xstrdup(roots[r]);

            if (inotify_add_watch(ifd, path, mask) < 0) {
                char *parent = util_dirname(path);

                if (inotify_add_watch(ifd, parent, mask) < 0)
                    all = false;
                free(parent);
            }
            free(path);
        }
    }
    return all;
}

static void
observe_drain(int fd)
{
    char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));

    while (read(fd, buf, sizeof buf) > 0)
        ;
}

/* Re-read the store and report nodes whose state, step, progress or
 * address changed. */
static void
observe_reload(struct dr_engine *e)
{
    struct dr_store fresh;
    struct dr_error err = { 0 };

    if (store_init(&fresh, e->config_dir, e->state_dir, &err) != DR_E_OK ||
        store_load(&fresh, &err) != DR_E_OK) {
        store_done(&fresh);
        return;
    }
    pthread_mutex_lock(&e->mu);
    for (size_t i = 0; i < fresh.n_statuses; i++) {
        const struct dr_cluster_status *st = &fresh.statuses[i];
        struct eng_cluster *c = eng_find_cluster(e, st->cluster);

        bool health = false;

        for (size_t k = 0; k < st->n_nodes; k++) {
            const struct dr_node *nn = &st->nodes[k];
            struct dr_node *old = eng_find_node(c, nn->name);

            if (old == NULL || old->state != nn->state || old->step != nn->step ||
                old->percent != nn->percent || !str_eq(old->ip, nn->ip))
                eng_emit_node(e, 0, st->cluster, nn, nn->last_error);
            if (old && old->k8s_ready != nn->k8s_ready)
                health = true;
        }
        /* Kubernetes health the running drover's polls saved: news too. */
        if (c && (health || c->status.health.api != st->health.api ||
                  c->status.health.nodes_ready != st->health.nodes_ready ||
                  c->status.health.nodes_total != st->health.nodes_total)) {
            const struct dr_cluster *spec = store_find_cluster(&fresh, st->cluster);
            struct dr_event ev = {.kind = DR_EV_CLUSTER,
                                  .cluster = st->cluster,
                                  .cluster_state = spec ? cluster_state_derive(spec, st) : c->state,
                                  .text = ""};
            eng_emit(e, &ev);
        }
    }
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
    e->n_clusters = 0;
    for (size_t i = 0; i < fresh.n_clusters; i++) {
        struct eng_cluster *c = xcalloc(1, sizeof *c);

        c->name = xstrdup(fresh.clusters[i].name);
        cluster_copy(&c->spec, &fresh.clusters[i]);
        c->has_spec = true;
        c->status.cluster = xstrdup(c->name);
        e->clusters = xgrow(e->clusters, &e->cap_clusters, e->n_clusters + 1,
                            sizeof *e->clusters);
        e->clusters[e->n_clusters++] = c;
    }
    for (size_t i = 0; i < fresh.n_statuses; i++) {
        struct eng_cluster *c = eng_find_cluster(e, fresh.statuses[i].cluster);

        if (c == NULL) {
            c = xcalloc(1, sizeof *c);
            c->name = xstrdup(fresh.statuses[i].cluster);
            e->clusters = xgrow(e->clusters, &e->cap_clusters, e->n_clusters + 1,
                                sizeof *e->clusters);
            e->clusters[e->n_clusters++] = c;
        } else {
            cluster_status_done(&c->status);
        }
        c->status.cluster = xstrdup(c->name);
        c->status.n_nodes = fresh.statuses[i].n_nodes;
        c->status.nodes = xcalloc(c->status.n_nodes ? c->status.n_nodes : 1,
                                  sizeof *c->status.nodes);
        for (size_t k = 0; k < c->status.n_nodes; k++)
            node_copy(&c->status.nodes[k], &fresh.statuses[i].nodes[k]);
        c->status.health = fresh.statuses[i].health;
        c->status.health.error = xstrdup0(fresh.statuses[i].health.error);
    }
    pthread_mutex_unlock(&e->mu);
    store_done(&fresh);
}

bool
engine_node_in_progress(enum dr_node_state s)
{
    return (s >= DR_NODE_CLONING && s <= DR_NODE_JOINING) || s == DR_NODE_REMOVING;
}

/* Whether /proc/locks lists a flock on inode ino (the lock file's; the
 * device is not compared: on overlayfs stat's differs from the lock's).
 * -1 when /proc/locks cannot be read. */
static int
flock_listed(ino_t ino)
{
    FILE *f = fopen("/proc/locks", "re");
    char line[256];
    int found = 0;

    if (f == NULL)
        return -1;
    while (!found && fgets(line, sizeof line, f)) {
        const char *p = strstr(line, "FLOCK");
        unsigned long long inode;
        unsigned maj, min;
        long pid;

        if (p && sscanf(p, "FLOCK %*s %*s %ld %x:%x:%llu", &pid, &maj, &min, &inode) == 4 &&
            (ino_t)inode == ino)
            found = 1;
    }
    fclose(f);
    return found;
}

/* Whether a drover holds the state folder's lock (control.c's take_lock:
 * flock LOCK_EX for an engine's whole life, the pid written in the file).
 * Looked up, not tried: taking the lock even for a moment could make a
 * drover starting then believe another one runs. Alive when /proc/locks
 * lists a flock on the file or the pid written in it lives: a reused pid
 * errs towards "running", never towards a false alarm. */
static bool
owner_alive(const char *state_dir)
{
    char *path = util_path_join(state_dir, "lock");
    char buf[32];
    struct stat st;
    bool alive = false;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    free(path);
    if (fd < 0)
        return false; /* no drover ever ran the engine here */
    if (fstat(fd, &st) == 0 && flock_listed(st.st_ino) == 1)
        alive = true;
    if (!alive) {
        ssize_t r = pread(fd, buf, sizeof buf - 1, 0);
        long pid = r > 0 ? (buf[r] = '\0', strtol(buf, NULL, 10)) : 0;

        alive = pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
    }
    close(fd);
    return alive;
}

char *
engine_stalled_text(time_t owner_stopped)
{
    struct tm tm;
    char at[16] = "?";

    if (owner_stopped > 0 && localtime_r(&owner_stopped, &tm))
        strftime(at, sizeof at, "%H:%M:%S", &tm);
    /* L10N: %s is a time of day. */
    return xasprintf(_("no drover is running this cluster's work (the one that was stopped at "
                       "%s); nodes in progress are stalled until `drover apply` or a console "
                       "runs it again"),
                     at);
}

/* The newest write of a cluster's state files (its snapshot and log). */
static time_t
state_written(const struct dr_engine *e, const char *cluster)
{
    time_t t = 0;

    for (int k = 0; k < 2; k++) {
        char *path = xasprintf("%s/clusters/%s.state%s", e->state_dir, cluster, k ? ".log" : "");
        struct stat st;

        if (stat(path, &st) == 0 && st.st_mtime > t)
            t = st.st_mtime;
        free(path);
    }
    return t;
}

static bool
some_node_in_progress(const struct dr_engine *e)
{
    for (size_t i = 0; i < e->n_clusters; i++)
        for (size_t k = 0; k < e->clusters[i]->status.n_nodes; k++)
            if (engine_node_in_progress(e->clusters[i]->status.nodes[k].state))
                return true;
    return false;
}

/* Look whether a drover still runs the engine; when that changes, say it
 * for each cluster with nodes in progress (a warning the console shows on
 * its status line; its snapshots mark those clusters stalled). Returns
 * whether the next look is due on a timer: nodes are in progress and a
 * drover runs them. With none in progress there is nothing to stall, and
 * once it is gone the next drover's writes wake the observer anyway. */
static bool
observe_owner(struct dr_engine *e)
{
    bool alive, any;
    time_t now = time(NULL);

    pthread_mutex_lock(&e->mu);
    any = some_node_in_progress(e);
    if (!any)
        e->owner_gone = false; /* nothing stands still */
    pthread_mutex_unlock(&e->mu);
    if (!any)
        return false;
    alive = owner_alive(e->state_dir);
    pthread_mutex_lock(&e->mu);
    if (alive) {
        if (e->owner_gone) {
            struct dr_event ev = {.kind = DR_EV_ENGINE, .level = DR_LOG_INFO,
                                  .text = _("a drover runs the engine again")};
            eng_emit(e, &ev);
        }
        e->owner_seen = true;
        e->owner_gone = false;
        pthread_mutex_unlock(&e->mu);
        return true;
    }
    if (!e->owner_gone) {
        time_t stopped = e->owner_seen ? now : 0;
        char **stalled = NULL;

        for (size_t i = 0; i < e->n_clusters; i++) {
            struct eng_cluster *c = e->clusters[i];
            bool in_progress = false;

            for (size_t k = 0; k < c->status.n_nodes && !in_progress; k++)
                in_progress = engine_node_in_progress(c->status.nodes[k].state);
            if (in_progress) {
                strv_push(&stalled, c->name);
                if (!e->owner_seen && state_written(e, c->name) > stopped)
                    stopped = state_written(e, c->name);
            }
        }
        e->owner_gone = true;
        e->owner_stopped = stopped;
        char *text = engine_stalled_text(stopped);
        for (size_t i = 0; stalled && stalled[i]; i++) {
            struct dr_event ev = {.kind = DR_EV_ENGINE, .level = DR_LOG_WARN,
                                  .cluster = stalled[i], .text = text};
            log_warn("cluster %s: %s", stalled[i], text);
            eng_emit(e, &ev);
        }
        free(text);
        strv_free(&stalled);
    }
    pthread_mutex_unlock(&e->mu);
    return false;
}

void *
eng_observer_main(void *arg)
{
    struct dr_engine *e = arg;
    int ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);

    if (ifd < 0)
        log_warn("inotify: %s; following other drovers once every %d ms", strerror(errno),
                 OBSERVE_MISSING_MS);
    long long next_look = 0; /* util_now_ms() when the owner's next look may be */
    bool timed = false;      /* a look is due on a timer (observe_owner) */
    bool dirty = true;       /* the files changed since the last look */

    for (;;) {
        bool complete = ifd >= 0 && observe_add_watches(ifd, e->config_dir, e->state_dir);
        struct pollfd p[2] = {
            { .fd = e->observe_wake[0], .events = POLLIN },
            { .fd = ifd, .events = POLLIN },
        };
        long long now = util_now_ms();
        int n, timeout = complete ? -1 : OBSERVE_MISSING_MS;

        /* At most one look per OBSERVE_OWNER_MS, however busy the files;
         * none while nothing changed and nothing is in progress. */
        if (now >= next_look && (timed || dirty)) {
            timed = observe_owner(e);
            dirty = false;
            next_look = now + OBSERVE_OWNER_MS;
        }
        if ((timed || dirty) && (timeout < 0 || next_look - now < timeout))
            timeout = next_look > now ? (int)(next_look - now) : 0;
        n = poll(p, 2, timeout);
        if (n < 0 && errno != EINTR)
            break;
        if (p[0].revents)
            break;
        if (n > 0 && (p[1].revents & POLLIN)) {
            /* Let the burst finish, then take it all at once. */
            poll(p, 1, OBSERVE_SETTLE_MS);
            if (p[0].revents)
                break;
            observe_drain(ifd);
        } else if (n == 0 && complete) {
            continue; /* only the owner's look was due: nothing changed */
        }
        /* Also after a timeout: a missing folder may have appeared with
         * files in it before its watch was added. */
        observe_reload(e);
        dirty = true;
    }
    if (ifd >= 0)
        close(ifd);
    return NULL;
}
