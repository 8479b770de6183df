/* Shared by the real backend's files (backend_vs.c, backend_ssh.c, gate_vs.c)
 * only. */
#ifndef DR_ENGINE_BACKEND_VS_H
#define DR_ENGINE_BACKEND_VS_H

#include <pthread.h>
#include <stdbool.h>

#include "core/keys.h"
#include "engine/backend.h"
#include "vsphere/vsphere.h"

struct ssh_session;
struct vsb_labels_cache;

struct placement_entry {
    char *key;               /* vcenter + template name */
    struct vs_placement p;
    long long *placed;       /* a datastore cluster's: bytes drover put on p.members[i] */
};

/* A node's SSH session that a worker put down for another node's: the
 * worker that runs the job's next step takes it (backend_ssh.c). */
struct vsb_parked_ssh {
    struct ssh_session *ss;
    char *key;
    long long since_ms;      /* parked at (util_now_ms) */
    struct dr_keypair client;
    struct dr_keypair host;
};

/* At most 64 parked (a few MiB), none older than 15 s: an idle connection
 * may be cut meanwhile (sshd's ClientAliveInterval, a firewall's idle
 * timeout), and a step that found it dead would spend a retry. */
enum { VSB_PARKED_SSH_MAX = 64, VSB_PARKED_SSH_MAX_AGE_MS = 15000 };

struct vs_backend {
    pthread_mutex_t mu;
    pthread_mutex_t keys_mu;     /* the cluster key is created once, not per worker */
    pthread_mutex_t resolve_mu;  /* one placement lookup at a time */
    struct placement_entry *cache;
    size_t n_cache;
    size_t cap_cache;
    struct vsb_labels_cache *labels; /* tags and custom attributes */
    pthread_mutex_t ssh_mu;          /* parked_ssh */
    struct vsb_parked_ssh parked_ssh[VSB_PARKED_SSH_MAX]; /* oldest first */
    size_t n_parked_ssh;
};

struct vs_slot {
    char *vcenter;
    struct vs_session *s;
    bool logged_in;
};

struct vs_thread {
    struct vs_backend *b;
    struct vs_slot slots[8];
    size_t n_slots;
    /* The last node's SSH session, kept for the job's next step when this
     * worker runs it too: one handshake per node instead of three. */
    struct ssh_session *ss;
    char *ss_key;
    struct dr_keypair ss_client;
    struct dr_keypair ss_host;
};

/* The SSH steps (backend_ssh.c). */
/* Close the worker's cached SSH session, if any. */
void vsb_drop_ssh(struct vs_thread *t);
/* Close every parked SSH session (the backend is going away). */
void vsb_parked_ssh_free(struct vs_backend *b);
/* The cluster's client key and the node's host key, each made on first use
 * (the cluster key once for all workers) in the state folder. */
enum dr_err vsb_load_keys(struct vs_thread *t, struct eng_step *s, struct dr_keypair *client,
                          struct dr_keypair *host, struct dr_error *e);
/* The backend ops wait_ssh, bootstrap and join. */
enum dr_err vsb_wait_ssh(void *tctx, struct eng_step *s, struct dr_error *e);
enum dr_err vsb_bootstrap(void *tctx, struct eng_step *s, struct dr_error *e);
enum dr_err vsb_join(void *tctx, struct eng_step *s, struct dr_error *e);

/* The worker's (tctx) logged-in session for vc, set up for step s (cancel
 * flag, time left, progress; s may be NULL). The session stays the
 * worker's. */
enum dr_err vsb_session(void *tctx, const struct dr_vcenter *vc, struct eng_step *s,
                        struct vs_session **out, struct dr_error *e);

/* The backend op check_templates (gate_vs.c). */
enum dr_err vsb_check_templates(void *tctx, struct eng_step *s, const struct eng_check_item *items,
                                size_t n, const struct eng_check_opts *opts,
                                struct eng_problems *out, struct dr_error *e);

/* The cache key of template t's placement on vCenter vcenter (every name
 * it resolves); caller frees. */
char *vsb_placement_key(const struct dr_template *t, const char *vcenter);
/* Template tmpl's placement on vc, resolved once and shared by all workers
 * (*out stays valid while the backend lives). */
enum dr_err vsb_placement(struct vs_thread *t, struct vs_session *vs,
                          const struct dr_template *tmpl, const struct dr_vcenter *vc,
                          const struct vs_placement **out, struct dr_error *e);
/* Keep p, a placement of tmpl on vc the caller resolved (the gate), as
 * the shared one unless one is kept already: *p is moved (zeroed) when
 * kept. Returns the shared placement (valid while the backend lives), or
 * NULL when none could be kept (p untouched). */
const struct vs_placement *vsb_placement_adopt(struct vs_thread *t, const struct dr_template *tmpl,
                                               const struct dr_vcenter *vc, struct vs_placement *p);
/* backend_pod.c: datastore clusters. The member of p (a datastore
 * cluster's placement) step s clones onto: the one admission took
 * (s->datastore), else the best now, charged with the clone's bytes
 * (*bytes); logged on the node's log. -1 (e set) when p has none. */
int vsb_pod_member_for(struct vs_backend *b, struct eng_step *s, const struct vs_placement *p,
                       long long *bytes, struct dr_error *e);
/* Give back a failed clone's charge on member pick. */
void vsb_pod_unplace(struct vs_backend *b, const struct vs_placement *p, int pick,
                     long long bytes);
/* The ops pod_members and pod_take (backend.h). */
int vsb_pod_members(void *ctx, const struct dr_template *t, const char *vcenter,
                    char ***members);
void vsb_pod_take(void *ctx, const struct dr_template *t, const char *vcenter,
                  const char *member);

#endif
