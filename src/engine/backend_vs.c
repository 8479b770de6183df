/* The real backend: vSphere through src/vsphere, cloud-init and SSH through
 * src/bootstrap. Each worker thread keeps its own vCenter sessions (a
 * session is not shared between threads); resolved placements are shared. */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "bootstrap/cloudinit.h"
#include "bootstrap/recipe.h"
#include "bootstrap/ssh.h"
#include "core/i18n.h"
#include "core/keys.h"
#include "core/log.h"
#include "core/util.h"
#include "engine/backend.h"
#include "engine/backend_vs.h"
#include "engine/labels_vs.h"
#include "vsphere/vsphere.h"

static void *
t_init(void *ctx)
{
    struct vs_thread *t = xcalloc(1, sizeof *t);

    t->b = ctx;
    return t;
}

static void
t_done(void *tctx)
{
    struct vs_thread *t = tctx;

    vsb_drop_ssh(t);
    for (size_t i = 0; i < t->n_slots; i++) {
        vs_session_free(&t->slots[i].s);
        free(t->slots[i].vcenter);
    }
    free(t);
}

static void
on_task_progress(void *user, const char *task, int percent)
{
    struct eng_step *s = user;

    step_progress(s, percent, "%s %d%%", task, percent);
}

static void
on_task_started(void *user, const char *what, const char *task_id)
{
    struct eng_step *s = user;

    if (s->priv == NULL)
        return;
    step_log(s, "%s: vCenter task %s", what, task_id);
    step_task(s, task_id);
}

/* This thread's logged-in session for the step's vCenter, set up for the step
 * (cancel flag, time left, progress). */
static enum dr_err
session_for(struct vs_thread *t, const struct dr_vcenter *vc, struct eng_step *s,
            struct vs_session **out, struct dr_error *e)
{
    return vsb_session(t, vc, s, out, e);
}

enum dr_err
vsb_session(void *tctx, const struct dr_vcenter *vc, struct eng_step *s, struct vs_session **out,
            struct dr_error *e)
{
    struct vs_thread *t = tctx;
    struct vs_slot *slot = NULL;
    enum dr_err rc;

    if (vc == NULL || vc->name == NULL)
        return dr_error_set(e, DR_E_NOTFOUND, _("no vCenter configured for this cluster"));
    for (size_t i = 0; i < t->n_slots; i++)
        if (str_eq(t->slots[i].vcenter, vc->name))
            slot = &t->slots[i];
    if (slot == NULL) {
        char *pw = NULL;

        if (t->n_slots == DR_ARRAY_LEN(t->slots)) {
            vs_session_free(&t->slots[0].s);
            free(t->slots[0].vcenter);
            memmove(&t->slots[0], &t->slots[1], (t->n_slots - 1) * sizeof t->slots[0]);
            t->n_slots--;
        }
        rc = vcenter_password(vc, &pw, e);
        if (rc != DR_E_OK)
            return rc;
        slot = &t->slots[t->n_slots];
        rc = vs_session_new(vc, pw, &slot->s, e);
        if (pw) {
            memset(pw, 0, strlen(pw));
            free(pw);
        }
        if (rc != DR_E_OK)
            return rc;
        slot->vcenter = xstrdup(vc->name);
        slot->logged_in = false;
        t->n_slots++;
    }
    vs_set_cancel(slot->s, s ? s->cancel : NULL);
    vs_set_progress(slot->s, s ? on_task_progress : NULL, s);
    vs_set_task_hook(slot->s, s ? on_task_started : NULL, s);
    if (s && s->deadline_ms > 0) {
        long long left = (s->deadline_ms - util_now_ms() + 999) / 1000;
        int cap = vc->timeout_s > 0 ? vc->timeout_s : 60;

        if (left < 1)
            return dr_error_set(e, DR_E_TIMEOUT, _("%s: the step's time ran out"),
                                node_state_key(s->step));
        vs_set_timeout(slot->s, left < cap ? (int)left : cap);
    } else {
        vs_set_timeout(slot->s, 0);
    }
    if (!slot->logged_in) {
        rc = vs_login(slot->s, e);
        if (rc != DR_E_OK) {
            size_t i = (size_t)(slot - t->slots);

            vs_session_free(&slot->s);
            free(slot->vcenter);
            memmove(&t->slots[i], &t->slots[i + 1], (t->n_slots - i - 1) * sizeof *slot);
            t->n_slots--;
            return rc;
        }
        slot->logged_in = true;
    }
    *out = slot->s;
    return DR_E_OK;
}

static char *
join_lines(char *const *v)
{
    char *out = xstrdup("");

    for (; v && *v; v++) {
        char *next = xasprintf("%s%s\n", out, *v);

        free(out);
        out = next;
    }
    return out;
}

char *
vsb_placement_key(const struct dr_template *t, const char *vcenter)
{
    char *nets = join_lines(t->networks);
    /* Keyed by every name it resolves: an edited template resolves anew. */
    char *key = xasprintf("%s\n%s\n%s\n%s\n%s\n%s\n%s\n%s\n%s\n%d\n%s\n%s", vcenter,
                          t->name ? t->name : "", t->datacenter ? t->datacenter : "",
                          t->folder ? t->folder : "", t->cluster ? t->cluster : "",
                          t->host ? t->host : "", t->resource_pool ? t->resource_pool : "",
                          t->datastore ? t->datastore : "", t->clone_from ? t->clone_from : "",
                          (int)t->clone_mode, t->snapshot ? t->snapshot : "", nets);

    free(nets);
    return key;
}

/* The cached placement of key, or NULL; b->mu held. */
static const struct vs_placement *
cache_find(struct vs_backend *b, const char *key)
{
    for (size_t i = 0; i < b->n_cache; i++)
        if (str_eq(b->cache[i].key, key))
            return &b->cache[i].p;
    return NULL;
}

/* Move *p into the cache under key (taken); b->mu held. */
static enum dr_err cache_put(struct vs_backend *b, char *key, struct vs_placement *p,
                             const struct vs_placement **out, struct dr_error *e);

const struct vs_placement *
vsb_placement_adopt(struct vs_thread *t, const struct dr_template *tmpl,
                    const struct dr_vcenter *vc, struct vs_placement *p)
{
    struct vs_backend *b = t->b;
    char *key = vsb_placement_key(tmpl, vc->name);
    const struct vs_placement *out;
    struct dr_error ignore = { 0 };

    pthread_mutex_lock(&b->resolve_mu);
    pthread_mutex_lock(&b->mu);
    out = cache_find(b, key);
    if (out == NULL) {
        if (cache_put(b, key, p, &out, &ignore) == DR_E_OK)
            memset(p, 0, sizeof *p);
        dr_error_clear(&ignore);
        key = NULL;
    }
    pthread_mutex_unlock(&b->mu);
    pthread_mutex_unlock(&b->resolve_mu);
    free(key);
    return out;
}

/* The template's placement, resolved once and shared by all workers. */
enum dr_err
vsb_placement(struct vs_thread *t, struct vs_session *vs, const struct dr_template *tmpl,
              const struct dr_vcenter *vc, const struct vs_placement **out, struct dr_error *e)
{
    struct vs_backend *b = t->b;
    char *key = vsb_placement_key(tmpl, vc->name);
    struct vs_placement p = { 0 };
    enum dr_err rc;

    /* Resolved under the lock: when 32 workers start at once, one resolves
     * and the others wait for its answer instead of asking vCenter too. */
    pthread_mutex_lock(&b->resolve_mu);
    pthread_mutex_lock(&b->mu);
    if ((*out = cache_find(b, key)) != NULL) {
        pthread_mutex_unlock(&b->mu);
        pthread_mutex_unlock(&b->resolve_mu);
        free(key);
        return DR_E_OK;
    }
    pthread_mutex_unlock(&b->mu);
    rc = vs_resolve_placement(vs, tmpl, &p, NULL, e);
    if (rc != DR_E_OK) {
        pthread_mutex_unlock(&b->resolve_mu);
        dr_error_prefix(e, _("template %s"), tmpl->name ? tmpl->name : "?");
        free(key);
        return rc;
    }
    pthread_mutex_lock(&b->mu);
    rc = cache_put(b, key, &p, out, e);
    if (rc != DR_E_OK)
        vs_placement_done(&p);
    pthread_mutex_unlock(&b->mu);
    pthread_mutex_unlock(&b->resolve_mu);
    return rc;
}

static enum dr_err
cache_put(struct vs_backend *b, char *key, struct vs_placement *p,
          const struct vs_placement **out, struct dr_error *e)
{
    /* Entries are never removed or moved while the engine runs: grow by
     * pointer so that *out stays valid. */
    if (b->n_cache == b->cap_cache) {
        /* A fixed upper bound keeps old pointers valid. */
        if (b->cap_cache == 0) {
            b->cap_cache = 256;
            b->cache = xcalloc(b->cap_cache, sizeof *b->cache);
        } else {
            *out = NULL;
            free(key);
            return dr_error_set(e, DR_E_INTERNAL, "too many templates");
        }
    }
    b->cache[b->n_cache].key = key;
    b->cache[b->n_cache].p = *p;
    *out = &b->cache[b->n_cache++].p;
    return DR_E_OK;
}

static enum dr_err
placement_for(struct vs_thread *t, struct vs_session *vs, struct eng_step *s,
              const struct vs_placement **out, struct dr_error *e)
{
    return vsb_placement(t, vs, s->tmpl, s->vcenter, out, e);
}

static struct vsb_labels_cache *
labels_of(void *tctx)
{
    return ((struct vs_thread *)tctx)->b->labels;
}

static bool
gone_fault(struct vs_session *vs, enum dr_err rc)
{
    return rc == DR_E_NOTFOUND ||
           (rc == DR_E_FAULT && str_eq(vs_last_fault(vs), "ManagedObjectNotFound"));
}

static enum dr_err
find_by_owner(struct vs_session *vs, struct eng_step *s, struct eng_vm *vm, bool *found,
              struct dr_error *e)
{
    struct vs_keyed_vm *v = NULL;
    size_t n = 0;
    enum dr_err rc = vs_list_vms_with_key(vs, VS_OWNER_KEY, &v, &n, e);

    for (size_t i = 0; rc == DR_E_OK && i < n && !*found; i++)
        if (str_eq(v[i].value, s->owner)) {
            *found = true;
            vm->id = xstrdup(v[i].id);
            vm->name = xstrdup0(v[i].name);
            vm->owner = xstrdup(v[i].value);
        }
    vs_keyed_vms_free(v, n);
    return rc;
}

static enum dr_err
b_find_vm(void *tctx, struct eng_step *s, const char *name, struct eng_vm *vm, bool *found,
          struct dr_error *e)
{
    struct vs_session *vs;
    const struct vs_placement *p;
    struct dr_kv *kv = NULL;
    size_t n = 0;
    char *id = NULL;
    enum dr_err rc;

    *found = false;
    if ((rc = session_for(tctx, s->vcenter, s, &vs, e)) != DR_E_OK)
        return rc;
    if ((rc = placement_for(tctx, vs, s, &p, e)) == DR_E_INVAL && s->step == DR_NODE_REMOVING) {
        /* The template's names no longer resolve (renamed, ambiguous): a
         * removal still finds the node's VM by drover's owner marker. */
        return find_by_owner(vs, s, vm, found, e);
    }
    if (rc != DR_E_OK)
        return rc;
    rc = vs_find_vm(vs, p->folder, name, &id, e);
    if (rc == DR_E_NOTFOUND)
        return DR_E_OK;
    if (rc != DR_E_OK)
        return rc;
    rc = vs_get_extra_config(vs, id, &kv, &n, e);
    if (gone_fault(vs, rc)) {
        free(id);
        return DR_E_OK;
    }
    if (rc != DR_E_OK) {
        free(id);
        return rc;
    }
    *found = true;
    vm->id = id;
    vm->name = xstrdup(name);
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(kv[i].key, VS_OWNER_KEY) == 0 && !str_empty(kv[i].value))
            vm->owner = xstrdup(kv[i].value);
    vs_kv_free(kv, n);
    return DR_E_OK;
}

static enum dr_err
b_vm_exists(void *tctx, struct eng_step *s, const char *vm_id, bool *exists,
            struct dr_error *e)
{
    struct vs_session *vs;
    char *state = NULL;
    enum dr_err rc;

    if ((rc = session_for(tctx, s->vcenter, s, &vs, e)) != DR_E_OK)
        return rc;
    rc = vs_vm_power_state(vs, vm_id, &state, e);
    free(state);
    *exists = rc == DR_E_OK;
    if (gone_fault(vs, rc))
        return DR_E_OK;
    return rc;
}

static enum dr_err
b_vm_owner(void *tctx, struct eng_step *s, const char *vm_id, bool *exists, char **owner,
           struct dr_error *e)
{
    struct vs_session *vs;
    struct dr_kv *kv = NULL;
    size_t n = 0;
    enum dr_err rc;

    *exists = false;
    *owner = NULL;
    if ((rc = session_for(tctx, s->vcenter, s, &vs, e)) != DR_E_OK)
        return rc;
    rc = vs_get_extra_config(vs, vm_id, &kv, &n, e);
    if (gone_fault(vs, rc))
        return DR_E_OK;
    if (rc != DR_E_OK)
        return rc;
    *exists = true;
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(kv[i].key, VS_OWNER_KEY) == 0) {
            free(*owner);
            *owner = str_empty(kv[i].value) ? NULL : xstrdup(kv[i].value);
        }
    vs_kv_free(kv, n);
    return DR_E_OK;
}

static enum dr_err
b_list_owned(void *tctx, const struct dr_vcenter *vc, const char *prefix, struct eng_vm **vms,
             size_t *n, struct dr_error *e)
{
    struct vs_session *vs;
    struct vs_keyed_vm *v = NULL;
    size_t nv = 0;
    enum dr_err rc;

    *vms = NULL;
    *n = 0;
    if ((rc = session_for(tctx, vc, NULL, &vs, e)) != DR_E_OK)
        return rc;
    rc = vs_list_vms_with_key(vs, VS_OWNER_KEY, &v, &nv, e);
    if (rc != DR_E_OK)
        return rc;
    *vms = xcalloc(nv ? nv : 1, sizeof **vms);
    for (size_t i = 0; i < nv; i++)
        if (str_has_prefix(v[i].value, prefix)) {
            (*vms)[*n].id = xstrdup(v[i].id);
            (*vms)[*n].name = xstrdup0(v[i].name);
            (*vms)[*n].owner = xstrdup(v[i].value);
            (*n)++;
        }
    vs_keyed_vms_free(v, nv);
    return DR_E_OK;
}

static enum dr_err
b_clone(void *tctx, struct eng_step *s, struct dr_error *e)
{
    struct vs_session *vs;
    const struct vs_placement *p;
    /* The owner marker goes on at birth, so that a crash right after the
     * clone still leaves a VM that recovery recognises. */
    struct dr_kv owner = { .key = (char *)VS_OWNER_KEY, .value = (char *)s->owner };
    struct vs_clone_spec spec = { 0 };
    const struct vs_labels *labels;
    long long bytes = 0;
    int pick = -1;
    enum dr_err rc;

    /* A tag or custom attribute vCenter lacks stops the clone before it
     * starts, as a wrong placement does. */
    if ((rc = session_for(tctx, s->vcenter, s, &vs, e)) != DR_E_OK ||
        (rc = placement_for(tctx, vs, s, &p, e)) != DR_E_OK ||
        (rc = vsb_labels_for(labels_of(tctx), vs, s, &labels, e)) != DR_E_OK)
        return rc;
    spec.source = p->source;
    spec.name = s->node.name;
    spec.folder = p->folder;
    spec.pool = p->pool;
    spec.datastore = p->datastore;
    if (p->pod) {
        if ((pick = vsb_pod_member_for(((struct vs_thread *)tctx)->b, s, p, &bytes, e)) < 0)
            return e->code;
        spec.datastore = p->members[pick].id;
    }
    spec.host = p->host;
    spec.linked = s->tmpl->clone_mode == DR_CLONE_LINKED;
    spec.snapshot = p->snapshot;
    spec.cpus = s->tmpl->cpus;
    spec.memory_mib = s->tmpl->memory_mib;
    spec.extra_config = &owner;
    spec.n_extra_config = 1;
    spec.nics = p->nics;  /* none listed: the source's NICs stay */
    spec.n_nics = p->n_nics;
    xfree(&s->node.vm_id);
    s->node.ssh_verified = false;  /* a new VM boots: the boot window opens again */
    rc = vs_clone_vm(vs, &spec, &s->node.vm_id, e);
    if (rc != DR_E_OK && pick >= 0)
        vsb_pod_unplace(((struct vs_thread *)tctx)->b, p, pick, bytes);
    if (rc == DR_E_OK)
        step_log(s, "cloned %s into %s", s->tmpl->clone_from ? s->tmpl->clone_from : "",
                 s->node.vm_id);
    return rc;
}

static enum dr_err
b_configure(void *tctx, struct eng_step *s, struct dr_error *e)
{
    struct vs_session *vs;
    struct dr_keypair client = { 0 }, host = { 0 };
    struct dr_kv *gi = NULL, *all;
    size_t n_gi = 0, n_all = 0;
    char *pub = NULL;
    struct vs_reconfig r = { 0 };
    enum dr_err rc;

    if ((rc = session_for(tctx, s->vcenter, s, &vs, e)) != DR_E_OK)
        return rc;
    /* The clone's NICs read back: exactly the template's networks, in order
     * (a NIC change that was dropped must not pass silently). */
    if (strv_len(s->tmpl->networks) > 0) {
        const struct vs_placement *p;
        if ((rc = placement_for(tctx, vs, s, &p, e)) != DR_E_OK ||
            (rc = vs_vm_nics_check(vs, s->node.vm_id, p->nics, p->n_nics, e)) != DR_E_OK)
            return rc;
    }
    if ((rc = vsb_load_keys(tctx, s, &client, &host, e)) != DR_E_OK)
        return rc;
    pub = keys_public_line(&client);
    struct ci_node cn = { .tmpl = s->tmpl, .hostname = s->node.name,
                          .cluster_public_key = pub, .host_key = &host };
    rc = ci_guestinfo(&cn, &gi, &n_gi, e);
    if (rc == DR_E_OK) {
        all = xcalloc(n_gi + s->tmpl->n_extra_config + 1, sizeof *all);
        for (size_t i = 0; i < s->tmpl->n_extra_config; i++)
            all[n_all++] = s->tmpl->extra_config[i];
        for (size_t i = 0; i < n_gi; i++)
            all[n_all++] = gi[i];
        all[n_all].key = (char *)VS_OWNER_KEY;
        all[n_all++].value = (char *)s->owner;
        r.cpus = s->tmpl->cpus;
        r.memory_mib = s->tmpl->memory_mib;
        r.disk_gib = s->tmpl->disk_gib;
        r.extra_config = all;
        r.n_extra_config = n_all;
        rc = vs_reconfigure_vm(vs, s->node.vm_id, &r, e);
        free(all);
    }
    if (rc == DR_E_OK)
        rc = vsb_labels_apply(labels_of(tctx), vs, s, e);
    if (rc == DR_E_OK) {
        free(s->node.host_key_fp);
        s->node.host_key_fp = keys_fingerprint(&host);
        step_log(s, "configured %s: cloud-init user-data with pinned host key %s",
                 s->node.vm_id, s->node.host_key_fp);
    }
    ci_kv_free(&gi, n_gi);
    free(pub);
    keys_done(&client);
    keys_done(&host);
    return rc;
}

static enum dr_err
b_power_on(void *tctx, struct eng_step *s, struct dr_error *e)
{
    struct vs_session *vs;
    enum dr_err rc;

    if ((rc = session_for(tctx, s->vcenter, s, &vs, e)) != DR_E_OK)
        return rc;
    return vs_power_on(vs, s->node.vm_id, e);
}

static int
seconds_left(const struct eng_step *s)
{
    long long left = (s->deadline_ms - util_now_ms()) / 1000;

    return left < 1 ? 1 : (int)left;
}

static enum dr_err
b_wait_ip(void *tctx, struct eng_step *s, struct dr_error *e)
{
    struct vs_session *vs;
    enum dr_err rc;

    const struct vs_placement *p = NULL;
    const struct vs_nic *network = NULL;
    struct dr_error pe = { 0 };

    if ((rc = session_for(tctx, s->vcenter, s, &vs, e)) != DR_E_OK)
        return rc;
    /* The SSH address is the one on the VM's NIC on the template's first
     * network (issue 9: not docker0's, not a second NIC's). */
    if (placement_for(tctx, vs, s, &p, &pe) == DR_E_OK && p->n_nics > 0)
        network = &p->nics[0];
    else if (pe.code != DR_E_OK)
        step_log(s, "placement not resolved (%s): waiting for the address of the VM's first NIC",
                 pe.msg);
    vs_set_timeout(vs, 0);
    xfree(&s->node.ip);
    rc = vs_wait_for_ip(vs, s->node.vm_id, network, s->settings->ip_ignore, seconds_left(s),
                        &s->node.ip, e);
    if (rc == DR_E_OK)
        step_log(s, "guest address %s", s->node.ip);
    return rc;
}

static enum dr_err
b_task_settle(void *tctx, struct eng_step *s, const char *task_id, bool cancel_it, int wait_s,
              enum eng_task_end *end, char **vm_id, struct dr_error *e)
{
    struct vs_session *vs;
    enum vs_task_end ve = VS_TASK_RUNNING;
    enum dr_err rc;

    *end = ENG_TASK_RUNNING;
    *vm_id = NULL;
    if ((rc = session_for(tctx, s->vcenter, s, &vs, e)) != DR_E_OK)
        return rc;
    rc = vs_task_settle(vs, task_id, cancel_it, wait_s, &ve, vm_id, e);
    if (rc != DR_E_OK)
        return rc;
    switch (ve) {
    case VS_TASK_SUCCESS: *end = ENG_TASK_SUCCESS; break;
    case VS_TASK_ERROR: *end = ENG_TASK_ERROR; break;
    case VS_TASK_GONE: *end = ENG_TASK_GONE; break;
    default: *end = ENG_TASK_RUNNING; break;
    }
    return DR_E_OK;
}

static enum dr_err
b_source_tasks(void *tctx, struct eng_step *s, char ***task_ids, struct dr_error *e)
{
    struct vs_session *vs;
    const struct vs_placement *p;
    enum dr_err rc;

    *task_ids = NULL;
    if ((rc = session_for(tctx, s->vcenter, s, &vs, e)) != DR_E_OK ||
        (rc = placement_for(tctx, vs, s, &p, e)) != DR_E_OK)
        return rc;
    return vs_running_tasks_on(vs, p->source, task_ids, e);
}

static enum dr_err
b_destroy(void *tctx, struct eng_step *s, struct dr_error *e)
{
    struct vs_session *vs;
    enum dr_err rc;

    if (str_empty(s->node.vm_id))
        return DR_E_OK;
    if ((rc = session_for(tctx, s->vcenter, s, &vs, e)) != DR_E_OK)
        return rc;
    rc = vs_power_off(vs, s->node.vm_id, e);
    if (gone_fault(vs, rc))
        return DR_E_OK;
    if (rc != DR_E_OK)
        return rc;
    rc = vs_destroy_vm(vs, s->node.vm_id, e);
    if (gone_fault(vs, rc))
        return DR_E_OK;
    if (rc == DR_E_OK)
        step_log(s, "destroyed %s", s->node.vm_id);
    return rc;
}

static void
b_free(void *ctx)
{
    struct vs_backend *b = ctx;

    for (size_t i = 0; i < b->n_cache; i++) {
        free(b->cache[i].key);
        free(b->cache[i].placed);
        vs_placement_done(&b->cache[i].p);
    }
    free(b->cache);
    vsb_labels_cache_free(b->labels);
    vsb_parked_ssh_free(b);
    pthread_mutex_destroy(&b->ssh_mu);
    pthread_mutex_destroy(&b->mu);
    pthread_mutex_destroy(&b->keys_mu);
    pthread_mutex_destroy(&b->resolve_mu);
    free(b);
}

static const struct eng_backend_ops vs_ops = {
    .thread_init = t_init,
    .thread_done = t_done,
    .find_vm = b_find_vm,
    .vm_exists = b_vm_exists,
    .vm_owner = b_vm_owner,
    .list_owned = b_list_owned,
    .clone = b_clone,
    .pod_members = vsb_pod_members,
    .pod_take = vsb_pod_take,
    .configure = b_configure,
    .power_on = b_power_on,
    .wait_ip = b_wait_ip,
    .wait_ssh = vsb_wait_ssh,
    .bootstrap = vsb_bootstrap,
    .join = vsb_join,
    .check_templates = vsb_check_templates,
    .task_settle = b_task_settle,
    .source_tasks = b_source_tasks,
    .destroy = b_destroy,
    .inventory = backend_vs_inventory,
    .fetch_cert = backend_vs_fetch_cert,
    .check_login = backend_vs_check_login,
    .free = b_free,
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static enum dr_err global_rc;
static struct dr_error global_err;

static void
global_init(void)
{
    global_rc = vs_global_init(&global_err);
    if (global_rc == DR_E_OK)
        global_rc = ssh_global_init(&global_err);
}

enum dr_err
backend_vs_new(struct eng_backend *b, struct dr_error *e)
{
    struct vs_backend *vb;

    pthread_once(&global_once, global_init);
    if (global_rc != DR_E_OK) {
        if (e)
            *e = global_err;
        return global_rc;
    }
    vb = xcalloc(1, sizeof *vb);
    pthread_mutex_init(&vb->mu, NULL);
    pthread_mutex_init(&vb->keys_mu, NULL);
    pthread_mutex_init(&vb->resolve_mu, NULL);
    pthread_mutex_init(&vb->ssh_mu, NULL);
    vb->labels = vsb_labels_cache_new();
    b->ops = &vs_ops;
    b->ctx = vb;
    return DR_E_OK;
}
