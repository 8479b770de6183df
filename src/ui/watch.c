#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "core/log.h"
#include "core/util.h"
#include "ui/watch.h"

/* A save is a burst (temp file, rename); read once it has settled. */
#define WATCH_SETTLE_MS 50
/* While clusters/ or templates/ does not exist yet, look again this often. */
#define WATCH_MISSING_MS 2000

struct ui_watch {
    char *config_dir, *state_dir;
    int ifd;
    int stop[2];  /* written once to stop the thread */
    int ready[2]; /* a byte per fresh store */
    pthread_t thread;
    pthread_mutex_t mu;
    struct dr_store *fresh; /* under mu */
};

/* Returns false while a folder is missing (its parent is watched instead). */
static bool
add_watches(struct ui_watch *w)
{
    static const char *const sub[] = {"", "clusters", "templates"};
    const uint32_t mask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE |
                          IN_DELETE_SELF | IN_MOVE_SELF;
    bool all = true;

    for (size_t i = 0; i < DR_ARRAY_LEN(sub); i++) {
        char *path = *sub[i] ? util_path_join(w->config_dir, sub[i]) : xstrdup(w->config_dir);
        if (inotify_add_watch(w->ifd, path, mask) < 0) {
            char *parent = util_dirname(path);
            inotify_add_watch(w->ifd, parent, mask);
            free(parent);
            all = false;
        }
        free(path);
    }
    return all;
}

static void
drain(int fd)
{
    char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));

    while (read(fd, buf, sizeof buf) > 0)
        ;
}

static void
reload(struct ui_watch *w)
{
    struct dr_store *s = xcalloc(1, sizeof *s);
    struct dr_error e = {0};
    char b = 1;

    if (store_init(s, w->config_dir, w->state_dir, &e) != DR_E_OK ||
        store_load(s, &e) != DR_E_OK) {
        log_warn("console: re-reading %s: %s", w->config_dir, dr_error_text(&e));
        store_done(s);
        free(s);
        return;
    }
    pthread_mutex_lock(&w->mu);
    if (w->fresh) {
        store_done(w->fresh);
        free(w->fresh);
    }
    w->fresh = s;
    pthread_mutex_unlock(&w->mu);
    if (write(w->ready[1], &b, 1) < 0) {
        /* Full: the console has not read the earlier bytes yet. */
    }
}

static void *
watch_main(void *arg)
{
    struct ui_watch *w = arg;

    for (;;) {
        bool complete = add_watches(w);
        struct pollfd p[2] = {
            {.fd = w->stop[0], .events = POLLIN},
            {.fd = w->ifd, .events = POLLIN},
        };
        int n = poll(p, 2, complete ? -1 : WATCH_MISSING_MS);

        if (n < 0 && errno != EINTR)
            break;
        if (p[0].revents)
            break;
        if (n > 0 && (p[1].revents & POLLIN)) {
            poll(p, 1, WATCH_SETTLE_MS);
            if (p[0].revents)
                break;
            drain(w->ifd);
            reload(w);
        } else if (n == 0 && add_watches(w)) {
            /* A missing folder appeared, maybe with files in it already. */
            reload(w);
        }
    }
    return NULL;
}

static bool
pipe_cloexec(int p[2])
{
    if (pipe2(p, O_CLOEXEC | O_NONBLOCK) != 0) {
        p[0] = p[1] = -1;
        return false;
    }
    return true;
}

struct ui_watch *
ui_watch_start(const char *config_dir, const char *state_dir)
{
    struct ui_watch *w = xcalloc(1, sizeof *w);

    w->stop[0] = w->stop[1] = w->ready[0] = w->ready[1] = -1;
    w->config_dir = xstrdup(config_dir);
    w->state_dir = xstrdup(state_dir);
    pthread_mutex_init(&w->mu, NULL);
    w->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (w->ifd < 0 || !pipe_cloexec(w->stop) || !pipe_cloexec(w->ready) ||
        pthread_create(&w->thread, NULL, watch_main, w) != 0) {
        log_warn("console: cannot follow %s (%s); new or changed files show after a restart",
                 config_dir, strerror(errno));
        w->thread = 0;
        ui_watch_stop(&w);
        return NULL;
    }
    return w;
}

int
ui_watch_fd(const struct ui_watch *w)
{
    return w ? w->ready[0] : -1;
}

struct dr_store *
ui_watch_take(struct ui_watch *w)
{
    struct dr_store *s;
    char buf[64];

    if (w == NULL)
        return NULL;
    while (read(w->ready[0], buf, sizeof buf) > 0)
        ;
    pthread_mutex_lock(&w->mu);
    s = w->fresh;
    w->fresh = NULL;
    pthread_mutex_unlock(&w->mu);
    return s;
}

void
ui_watch_stop(struct ui_watch **wp)
{
    struct ui_watch *w = *wp;
    char b = 1;

    if (w == NULL)
        return;
    if (w->thread) {
        if (write(w->stop[1], &b, 1) < 0) {
            /* cannot happen on an empty pipe */
        }
        pthread_join(w->thread, NULL);
    }
    for (int i = 0; i < 2; i++) {
        if (w->stop[i] >= 0)
            close(w->stop[i]);
        if (w->ready[i] >= 0)
            close(w->ready[i]);
    }
    if (w->ifd >= 0)
        close(w->ifd);
    if (w->fresh) {
        store_done(w->fresh);
        free(w->fresh);
    }
    pthread_mutex_destroy(&w->mu);
    free(w->config_dir);
    free(w->state_dir);
    free(w);
    *wp = NULL;
}
