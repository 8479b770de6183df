/* Datastore clusters in the real backend: which member each clone goes on
 * (vs_pod_order over the placement's members, src/vsphere/storagepod.c
 * says why drover chooses, as Storage DRS's initial placement would on
 * space), and what this run has put on each member so far, kept with the
 * template's cached placement (placement_entry.placed). Admission
 * (admit.c) asks pod_members (those the clone fits on) under the engine's mutex and takes one with
 * pod_take; the clone step then goes there. b->mu guards the charges. */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/util.h"
#include "engine/backend_vs.h"

/* The bytes one clone of t takes on its datastore: its disks (a full clone
 * copies the source's, grown to disk_gib; a linked clone's delta grows to
 * disk_gib at most) and its swap file (its memory). */
static long long
clone_bytes(const struct dr_template *t, const struct vs_placement *p)
{
    long long grown = (long long)t->disk_gib << 30;
    long long mem = t->memory_mib > 0 ? t->memory_mib : p->source_memory_mib;
    long long disk = t->clone_mode == DR_CLONE_LINKED
                         ? (grown > p->source_disk_bytes ? grown - p->source_disk_bytes : 0)
                         : (grown > p->source_disk_bytes ? grown : p->source_disk_bytes);

    return disk + (mem << 20);
}

/* The cache entry of p, or of template t on vcenter; b->mu held. */
static struct placement_entry *
entry_of(struct vs_backend *b, const struct vs_placement *p, const char *key)
{
    for (size_t i = 0; i < b->n_cache; i++) {
        struct placement_entry *pe = &b->cache[i];

        if ((p && &pe->p == p) || (key && str_eq(pe->key, key))) {
            if (pe->placed == NULL && pe->p.n_members > 0)
                pe->placed = xcalloc(pe->p.n_members, sizeof *pe->placed);
            return pe;
        }
    }
    return NULL;
}

static int
member_index(const struct vs_placement *p, const char *id)
{
    for (size_t i = 0; id && i < p->n_members; i++)
        if (str_eq(p->members[i].id, id))
            return (int)i;
    return -1;
}

int
vsb_pod_member_for(struct vs_backend *b, struct eng_step *s, const struct vs_placement *p,
                   long long *bytes, struct dr_error *e)
{
    struct placement_entry *pe;
    int pick = -1;
    bool taken = false;

    char *room = NULL;

    *bytes = clone_bytes(s->tmpl, p);
    pthread_mutex_lock(&b->mu);
    pe = entry_of(b, p, NULL);
    if (pe && p->n_members > 0) {
        pick = member_index(p, s->datastore); /* admission took it (pod_take) */
        taken = pick >= 0;
        /* Taken when none had room (admission's fallback): no room there
         * either once this clone's charge is in. */
        if (taken && p->members[pick].free_space - pe->placed[pick] < 0) {
            pe->placed[pick] -= *bytes;
            pick = -1;
        }
        if (pick < 0) {
            pick = vs_pod_pick(p->members, p->n_members, pe->placed, *bytes);
            taken = false;
            if (pick >= 0)
                pe->placed[pick] += *bytes;
        }
        if (pick < 0) {
            room = xstrdup("");
            for (size_t i = 0; i < p->n_members; i++) {
                char *one = xasprintf(_("%s: %.1f GiB free"), p->members[i].path,
                                      (double)p->members[i].free_space /
                                          (1024.0 * 1024 * 1024));
                char *t = xasprintf("%s%s%s", room, *room ? ", " : "", one);

                free(one);
                free(room);
                room = t;
            }
        }
    }
    pthread_mutex_unlock(&b->mu);
    if (pick < 0 && room) {
        dr_error_set(e, DR_E_INVAL,
                     _("no member of datastore cluster %s has room for this VM (%.1f GiB): %s "
                       "(free when resolved, before this run's clones); free space on "
                       "one, add a datastore to the cluster, or choose another datastore"),
                     p->pod_path, (double)*bytes / (1024.0 * 1024 * 1024), room);
        free(room);
        return -1;
    }
    if (pick < 0) {
        dr_error_set(e, DR_E_INVAL, _("template %s: datastore cluster %s has no datastore to use"),
                     s->tmpl->name ? s->tmpl->name : "?", p->pod_path);
        return -1;
    }
    step_log(s, "datastore cluster %s: on its member %s (%.1f GiB free when resolved%s)",
             p->pod_path, p->members[pick].path,
             (double)p->members[pick].free_space / (1024.0 * 1024 * 1024),
             taken ? ", taken at admission" : "");
    return pick;
}

void
vsb_pod_unplace(struct vs_backend *b, const struct vs_placement *p, int pick, long long bytes)
{
    struct placement_entry *pe;

    pthread_mutex_lock(&b->mu);
    pe = entry_of(b, p, NULL);
    if (pe && pe->placed && pick >= 0 && (size_t)pick < p->n_members)
        pe->placed[pick] -= bytes;
    pthread_mutex_unlock(&b->mu);
}

int
vsb_pod_members(void *ctx, const struct dr_template *t, const char *vcenter, char ***members)
{
    struct vs_backend *b = ctx;
    char *key = vsb_placement_key(t, vcenter ? vcenter : "");
    struct placement_entry *pe;
    char **out = NULL;
    int rc;

    pthread_mutex_lock(&b->mu);
    pe = entry_of(b, NULL, key);
    rc = pe == NULL ? -1 : pe->p.pod && pe->p.n_members > 0 ? 1 : 0;
    if (rc == 1) {
        size_t *order = xcalloc(pe->p.n_members, sizeof *order);

        long long need = clone_bytes(t, &pe->p);
        size_t n = 0;

        vs_pod_order(pe->p.members, pe->p.n_members, pe->placed, order);
        out = xcalloc(pe->p.n_members + 1, sizeof *out);
        /* A member the clone does not fit on is no choice (Storage DRS
         * would not place it there); when none fits, the best one, and
         * vsb_pod_member_for fails the clone naming the pod (preflight
         * said so, unless skipped). */
        for (size_t i = 0; i < pe->p.n_members; i++) {
            const struct vs_pod_member *m = &pe->p.members[order[i]];

            if (m->free_space - pe->placed[order[i]] >= need)
                out[n++] = xstrdup(m->id);
        }
        if (n == 0)
            out[n++] = xstrdup(pe->p.members[order[0]].id);
        free(order);
    }
    pthread_mutex_unlock(&b->mu);
    free(key);
    *members = out;
    return rc;
}

void
vsb_pod_take(void *ctx, const struct dr_template *t, const char *vcenter, const char *member)
{
    struct vs_backend *b = ctx;
    char *key = vsb_placement_key(t, vcenter ? vcenter : "");
    struct placement_entry *pe;
    int k;

    pthread_mutex_lock(&b->mu);
    pe = entry_of(b, NULL, key);
    if (pe && (k = member_index(&pe->p, member)) >= 0)
        pe->placed[k] += clone_bytes(t, &pe->p);
    pthread_mutex_unlock(&b->mu);
    free(key);
}
