/* Kubernetes health polling on the engine's workers (health.c). */
#ifndef DR_ENGINE_HEALTH_H
#define DR_ENGINE_HEALTH_H

struct dr_engine;

/* libcurl's global set-up for the polls (reference-counted; call before
 * the workers start). A failure is logged: the polls then report it. */
void eng_health_global_init(void);

/* With mu held: the name (newly allocated) of a cluster whose poll is due
 * now, marked running; else NULL, with *wait_ms (-1: no wait) lowered to
 * the milliseconds until the next poll is due. No cluster to poll, or
 * health_interval 0, leaves *wait_ms alone: no timer. */
char *eng_health_take(struct dr_engine *e, long long *wait_ms);
/* Poll cluster name's API and record what it says; called without mu on a
 * worker (it takes the locks itself). Bounded by 10 s per request and by
 * engine_free's stop. */
void eng_health_poll(struct dr_engine *e, const char *name);

#endif
