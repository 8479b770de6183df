#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/i18n.h"
#include "core/util.h"
#include "engine/queue.h"

void
event_copy(struct dr_event *dst, const struct dr_event *src)
{
    *dst = *src;
    dst->cluster = xstrdup0(src->cluster);
    dst->node = xstrdup0(src->node);
    dst->text = xstrdup(src->text ? src->text : "");
}

void
event_done(struct dr_event *ev)
{
    xfree(&ev->cluster);
    xfree(&ev->node);
    xfree(&ev->text);
}

void
engine_events_free(struct dr_event *ev, size_t n)
{
    for (size_t i = 0; i < n; i++)
        event_done(&ev[i]);
    free(ev);
}

enum dr_err
queue_init(struct eng_queue *q, size_t cap, struct dr_error *e)
{
    memset(q, 0, sizeof *q);
    if (pipe2(q->pipe, O_NONBLOCK | O_CLOEXEC) != 0)
        return dr_error_set(e, DR_E_IO, _("cannot create the engine's wake pipe: %s"),
                            strerror(errno));
    pthread_mutex_init(&q->mu, NULL);
    q->cap = cap ? cap : 1;
    q->ring = xcalloc(q->cap, sizeof *q->ring);
    return DR_E_OK;
}

void
queue_done(struct eng_queue *q)
{
    if (q->ring == NULL)
        return;
    for (size_t i = 0; i < q->n; i++)
        event_done(&q->ring[(q->head + i) % q->cap]);
    xfree(&q->ring);
    close(q->pipe[0]);
    close(q->pipe[1]);
    pthread_mutex_destroy(&q->mu);
}

unsigned long
queue_push(struct eng_queue *q, const struct dr_event *ev)
{
    struct dr_event *slot;
    unsigned long seq;
    bool wake;

    pthread_mutex_lock(&q->mu);
    if (q->n == q->cap) {
        event_done(&q->ring[q->head]);
        q->head = (q->head + 1) % q->cap;
        q->n--;
        q->dropped++;
    }
    slot = &q->ring[(q->head + q->n) % q->cap];
    event_copy(slot, ev);
    slot->seq = seq = ++q->seq;
    if (slot->time == 0)
        slot->time = time(NULL);
    q->n++;
    wake = !q->woken;
    q->woken = true;
    /* Written under the lock so that a drain never sees woken without the byte. */
    if (wake) {
        ssize_t r;
        do
            r = write(q->pipe[1], "", 1);
        while (r < 0 && errno == EINTR);
    }
    pthread_mutex_unlock(&q->mu);
    return seq;
}

size_t
queue_drain(struct eng_queue *q, struct dr_event **out)
{
    char buf[64];
    size_t n;

    pthread_mutex_lock(&q->mu);
    while (read(q->pipe[0], buf, sizeof buf) > 0)
        ;
    q->woken = false;
    n = q->n;
    *out = NULL;
    if (n > 0) {
        *out = xmalloc(n * sizeof **out);
        for (size_t i = 0; i < n; i++)
            (*out)[i] = q->ring[(q->head + i) % q->cap];  /* moves the strings */
        q->head = 0;
        q->n = 0;
    }
    pthread_mutex_unlock(&q->mu);
    return n;
}

int
queue_fd(const struct eng_queue *q)
{
    return q->pipe[0];
}

unsigned long
queue_seq(struct eng_queue *q)
{
    unsigned long s;

    pthread_mutex_lock(&q->mu);
    s = q->seq;
    pthread_mutex_unlock(&q->mu);
    return s;
}
