/* The event queue between the workers and the UI (DESIGN.md "Threads and
 * events"): a mutex-protected list plus a non-blocking wake pipe. A push
 * writes one byte only when the pipe is empty, so a busy engine cannot fill
 * the pipe; a drain takes the bytes and every event in one go. */
#ifndef DR_ENGINE_QUEUE_H
#define DR_ENGINE_QUEUE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "engine/engine.h"

struct eng_queue {
    pthread_mutex_t mu;
    struct dr_event *ring;   /* cap slots; head is the oldest */
    size_t cap;
    size_t head;
    size_t n;
    unsigned long seq;       /* of the last pushed event */
    unsigned long dropped;   /* events dropped because nobody drained */
    bool woken;              /* a byte sits in the pipe */
    int pipe[2];
};

/* cap: how many events to hold before dropping the oldest ones (a headless
 * drover has nobody draining). */
enum dr_err queue_init(struct eng_queue *q, size_t cap, struct dr_error *e);
void queue_done(struct eng_queue *q);
/* Copy ev (its strings too), give it the next seq and the current time when
 * ev->time is 0, and wake the reader. Returns the seq. */
unsigned long queue_push(struct eng_queue *q, const struct dr_event *ev);
size_t queue_drain(struct eng_queue *q, struct dr_event **out);
int queue_fd(const struct eng_queue *q);
unsigned long queue_seq(struct eng_queue *q);

void event_copy(struct dr_event *dst, const struct dr_event *src);
void event_done(struct dr_event *ev);

#endif
