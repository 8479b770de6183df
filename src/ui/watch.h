/* The console follows the configuration folder: cluster specs and node
 * templates added, changed or removed while it runs. A thread sleeps on
 * inotify, re-reads the store when a file there changes (never on the
 * console's thread) and hands the result over through a pipe. */
#ifndef DR_UI_WATCH_H
#define DR_UI_WATCH_H

#include "core/store.h"

struct ui_watch;

/* Start watching config_dir, config_dir/clusters and config_dir/templates
 * (state_dir is passed to the store). NULL when inotify or the thread cannot
 * be had (logged; the console then reads the files only at start). */
struct ui_watch *ui_watch_start(const char *config_dir, const char *state_dir);
/* Readable when a fresh store waits (poll it with POLLIN); -1 for NULL. */
int ui_watch_fd(const struct ui_watch *w);
/* The newest store read since the last call (caller owns it; store_done and
 * free), or NULL. Drains the fd. */
struct dr_store *ui_watch_take(struct ui_watch *w);
/* Stop the thread and free everything; *w becomes NULL. */
void ui_watch_stop(struct ui_watch **w);

#endif
