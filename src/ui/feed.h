/* Where the console's data comes from: the store read before the first
 * frame, and the engine's snapshots and events after that. The UI never
 * reads worker memory; it swaps whole snapshot copies. */
#ifndef DR_UI_FEED_H
#define DR_UI_FEED_H

#include "ui/ui.h"

/* Build the first snapshot, from the store. */
void feed_start(struct ui *ui);
/* Start the engine (after the first frame) and switch to its snapshots. */
int feed_start_engine(struct ui *ui);
void feed_stop(struct ui *ui);
/* The fd to poll for engine news, or -1. */
int feed_wake_fd(const struct ui *ui);
/* Drain the engine's events: record them, take a fresh snapshot, tell the
 * screens. Returns UI_* flags. */
int feed_drain(struct ui *ui);
/* Take the snapshot that drained events made stale; tell the screens. */
int feed_refresh(struct ui *ui);
/* Tell the screens that ui->snap/ui->store changed. */
int feed_notify(struct ui *ui, const struct ui_event *ev);
/* The watcher (watch.h) read the configuration folder again: take its
 * cluster specs and templates into ui->store and the snapshot, and tell
 * every screen. UI_* flags; 0 when nothing was waiting. */
int feed_config_changed(struct ui *ui);
/* Record one event in the ring the Jobs/Events screen shows. */
void feed_record(struct ui *ui, const struct dr_event *ev);
/* A snapshot built straight from the store (no engine running). */
struct dr_snapshot *feed_snapshot_from_store(const struct dr_store *s);
void feed_snapshot_free(struct ui *ui, struct dr_snapshot **snap);

/* Commands; each reports on the status line and returns UI_* flags. */
int feed_apply_cluster(struct ui *ui, const char *cluster);
int feed_delete_cluster(struct ui *ui, const char *cluster);
int feed_scale_pool(struct ui *ui, const char *cluster, const char *pool, int quantity);
int feed_retry_node(struct ui *ui, const char *cluster, const char *node);
int feed_replace_node(struct ui *ui, const char *cluster, const char *node);
int feed_cancel_node(struct ui *ui, const char *cluster, const char *node);
int feed_cancel_job(struct ui *ui, unsigned job);

#endif
