/* Admission of clones: drover starts no more clones on a host or a
 * datastore than vCenter runs at once there, so that a clone vCenter would
 * queue waits in drover's scheduler instead, where it holds no worker, and
 * a shared vCenter is not flooded.
 *
 * vCenter's rule ("Limits on Simultaneous Migrations", vSphere 6.5/6.7
 * docs, and VMware's performance blog "vCenter Limits for Tasks Running at
 * the Same Time", 2021): every provisioning operation costs units on its
 * host and its datastore; one that would take a resource past its maximum
 * is queued until others end. Host: 16 units (ESXi 6.x/7.x), a full clone 4,
 * a linked clone 1 (the blog; the 6.x docs' older table says max 8, cost 1:
 * we use the blog's, newer and the too). Datastore: 128 units (the
 * docs); a full clone copies the disks as Storage vMotion does (16), a
 * linked clone touches the datastore as vMotion does (1): the docs list no
 * clone cost of their own, so these two are our reading.
 *
 * The settings max_clones_per_host (default 4 = 16/4) and
 * max_clones_per_datastore (default 8 = 128/16) count full clones; a linked
 * clone takes the share its cost says. Plain data, no lock: the engine
 * calls it under its mutex. */
#ifndef DR_ENGINE_ADMIT_H
#define DR_ENGINE_ADMIT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/model.h"

enum {
    ADMIT_HOST_FULL_COST = 4, /* units of a full clone on its host */
    ADMIT_HOST_LINKED_COST = 1,
    ADMIT_DS_FULL_COST = 16, /* units of a full clone on its datastore */
    ADMIT_DS_LINKED_COST = 1,
    ADMIT_DEFAULT_PER_HOST = 4,      /* 16 units / 4 */
    ADMIT_DEFAULT_PER_DATASTORE = 8, /* 128 units / 16 */
};

/* What one clone needs: the host and datastore it charges (keys naming the
 * vCenter, the datacenter and the object) and its cost on each. */
struct admit_need {
    char *host;      /* the template's host; NULL: vCenter (DRS) picks one */
    char *datastore; /* the template's datastore (else its source's); a datastore
                      * cluster's: the member the clone goes on */
    char *member;    /* that member's id (pod_members), NULL when not a cluster's */
    bool settled;    /* worked out for good (not a datastore cluster's member, which
                      * is chosen afresh at each look) */
    bool unresolved; /* the backend has not resolved the template's placement yet:
                      * whether its datastore is a cluster is not known */
    int host_cost;
    int ds_cost;
};

struct admit_use {
    char *key;
    int units;
    int clones;
};

/* Units in use per key; owns its keys. */
struct admit {
    struct admit_use *v;
    size_t n, cap;
};

/* The need of a clone of template t (vCenter vc, may be NULL). The host is
 * the template's host; a template that names only a cluster leaves the
 * host to vCenter (DRS), which is not known before the clone: such clones
 * are held by their datastore alone, and vCenter queues them if one host
 * fills up. (The blog above says vCenter also charges a clone's source
 * host; drover, like the lab, counts the destination only.) The datastore
 * is the template's (a required key), else the source's. Caller frees with
 * admit_need_done. */
void admit_need_of(const struct dr_template *t, const char *vcenter, struct admit_need *need);
/* The same for a template whose datastore is a datastore cluster: the
 * clone charges the member datastore it goes on (its id), so clones on
 * different members do not wait for each other. */
void admit_need_member(const struct dr_template *t, const char *vcenter, const char *member,
                       struct admit_need *need);
void admit_need_done(struct admit_need *need);

enum admit_verdict {
    ADMIT_OK,
    ADMIT_HOST_FULL,      /* its host has no units left for it now */
    ADMIT_DATASTORE_FULL, /* its datastore has none */
};

/* Would need fit now with at most per_host full clones' units on its host
 * and per_datastore full clones' units on its datastore (values below 1:
 * the defaults)? A resource with nothing running always takes one clone. */
enum admit_verdict admit_check(const struct admit *a, const struct admit_need *need, int per_host,
                               int per_datastore);
/* Take need's units (after admit_check said ADMIT_OK). */
void admit_take(struct admit *a, const struct admit_need *need);
/* Give need's units back (a clone step ended, however). */
void admit_release(struct admit *a, const struct admit_need *need);
/* Clones running on key (a host or datastore key); 0 when none. */
int admit_clones(const struct admit *a, const char *key);
void admit_done(struct admit *a);

#endif
