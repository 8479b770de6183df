/* The intent journal (DESIGN.md): before every vSphere mutation the engine
 * appends an intent record and fsyncs it; after the call it appends the
 * result. One record per line, append-only:
 *
 *   I <seq> <time> <op> cluster=<c> node=<n> name=<vm name> vm=<vm id>
 *   R <seq> <time> <intent seq> ok vm=<vm id>
 *   R <seq> <time> <intent seq> fail reason=<text>
 *   T <seq> <time> <intent seq> task=<task id>
 *
 * A T record names the vCenter task the intent started, written once vCenter
 * answered with it and before drover waits for it: a run stopped or killed
 * while the task runs leaves the intent open with its task, and the next run
 * waits for that task to end (vCenter runs it on without a client).
 *
 * Values are percent-encoded (no spaces, '=', '%' or newlines). A torn last
 * line (a crash mid-write) is ignored on replay. */
#ifndef DR_ENGINE_JOURNAL_H
#define DR_ENGINE_JOURNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

struct eng_journal {
    pthread_mutex_t mu;
    char *path;
    int fd;
    unsigned long seq;
};

/* An intent as replayed: resolved when its result record was found. */
struct eng_intent {
    unsigned long seq;
    long long time;   /* when the intent was written (Unix seconds) */
    char *op;         /* "clone", "configure", "power-on", "destroy" */
    char *cluster;
    char *node;
    char *name;       /* VM name (clone) */
    char *vm;         /* VM id known at intent time, or from the result */
    char *task;       /* the vCenter task it started ("task-123"), when known */
    bool resolved;
    bool ok;
    char *reason;     /* of a failed result */
};

/* Open (create 0600) the journal and replay it: *out gets every intent in
 * order (resolved or not). */
enum dr_err journal_open(struct eng_journal *j, const char *path, struct eng_intent **out,
                         size_t *n, struct dr_error *e);
void journal_close(struct eng_journal *j);

/* Append and fsync an intent; returns its seq, or 0 when it could not be
 * written (e says why; the caller must not go ahead with the mutation). */
unsigned long journal_intent(struct eng_journal *j, const char *op, const char *cluster,
                             const char *node, const char *name, const char *vm,
                             struct dr_error *e);
/* Append and fsync the result of intent seq. */
enum dr_err journal_result(struct eng_journal *j, unsigned long seq, bool ok, const char *vm,
                           const char *reason, struct dr_error *e);
/* Append and fsync the task that intent seq started (a T record). */
enum dr_err journal_task(struct eng_journal *j, unsigned long seq, const char *task,
                         struct dr_error *e);
/* Replace the journal (atomically) by just the given open intents, once
 * everything else is reflected in the state files. */
enum dr_err journal_compact(struct eng_journal *j, const struct eng_intent *keep, size_t n,
                            struct dr_error *e);

/* Free an intent's strings and zero it (the struct itself is the caller's). */
void intent_done(struct eng_intent *it);
/* intent_done on each of v[0..n), then free(v). */
void intents_free(struct eng_intent *v, size_t n);

#endif
