/* The console's requests: vCenter inventory for its pickers. Each request
 * runs on a thread of its own, so neither a busy worker pool nor a slow
 * vCenter holds up the caller, and answers with one DR_EV_REQUEST event.
 * Inventories are cached per vCenter for the engine's life; an abandoned
 * request is cancelled and its late answer dropped. */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/log.h"
#include "core/util.h"
#include "engine/internal.h"

enum req_kind { REQ_INVENTORY, REQ_CERT, REQ_LOGIN, REQ_PREFLIGHT };

struct eng_request {
    struct dr_engine *e;
    enum req_kind kind;
    unsigned id;
    struct dr_cert *cert;  /* REQ_CERT's answer until taken (under e->mu) */
    struct dr_vcenter vc;  /* copy */
    struct eng_pf_copy *pf;          /* REQ_PREFLIGHT's input (copies) */
    struct dr_preflight *preflight;  /* and its answer until taken (under e->mu) */
    atomic_bool cancel;
    bool abandoned;        /* under e->mu */
    bool finished;         /* under e->mu: the thread may be joined */
    pthread_t thread;
};

static void
item_done(struct dr_inv_item *it)
{
    free(it->id);
    free(it->name);
    free(it->path);
    free(it->datacenter);
    free(it->value);
    free(it->compute);
    free(it->type);
    free(it->guest_os);
    strv_free(&it->snapshots);
}

static void
inventory_done(struct dr_inventory *inv)
{
    for (size_t i = 0; i < inv->n; i++)
        item_done(&inv->items[i]);
    free(inv->items);
    free(inv->vcenter);
    memset(inv, 0, sizeof *inv);
}

void
inventory_free(struct dr_inventory **inv)
{
    if (*inv == NULL)
        return;
    inventory_done(*inv);
    free(*inv);
    *inv = NULL;
}

static void
inventory_copy(struct dr_inventory *dst, const struct dr_inventory *src)
{
    dst->vcenter = xstrdup0(src->vcenter);
    dst->fetched = src->fetched;
    dst->n = src->n;
    dst->items = xcalloc(src->n ? src->n : 1, sizeof *dst->items);
    for (size_t i = 0; i < src->n; i++) {
        const struct dr_inv_item *s = &src->items[i];
        struct dr_inv_item *d = &dst->items[i];

        *d = *s;
        d->id = xstrdup0(s->id);
        d->name = xstrdup0(s->name);
        d->path = xstrdup0(s->path);
        d->datacenter = xstrdup0(s->datacenter);
        d->value = xstrdup0(s->value);
        d->compute = xstrdup0(s->compute);
        d->type = xstrdup0(s->type);
        d->guest_os = xstrdup0(s->guest_os);
        d->snapshots = s->snapshots ? strv_dup(s->snapshots) : NULL;
    }
}

/* path relative to "<dc>/<root>" ("" for that folder itself), or NULL when it
 * is not below it. */
static char *
rel_to(const char *path, const char *dc, const char *root)
{
    char *base = root ? xasprintf("%s/%s", dc, root) : xstrdup(dc);
    size_t n = strlen(base);
    char *out = NULL;

    if (strncmp(path, base, n) == 0 && (path[n] == '\0' || path[n] == '/'))
        out = xstrdup(path[n] ? path + n + 1 : "");
    free(base);
    return out;
}

static int
cmp_item(const void *a, const void *b)
{
    const struct dr_inv_item *x = a, *y = b;

    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    return strcmp(x->path ? x->path : "", y->path ? y->path : "");
}

/* The backends leave compute as the compute resource's full path. */
void
inventory_finish(struct dr_inventory *inv)
{
    for (size_t i = 0; i < inv->n; i++) {
        struct dr_inv_item *it = &inv->items[i];
        const char *dc = it->datacenter;
        char *compute = NULL;

        xfree(&it->value);
        if (it->path == NULL)
            it->path = xstrdup(it->name ? it->name : "");
        if (it->kind == DR_INV_DATACENTER || it->kind == DR_INV_TAG) {
            it->value = xstrdup(it->path); /* a tag: "category/name" */
            continue;
        }
        if (dc == NULL)
            continue;
        if (it->compute) {
            compute = rel_to(it->compute, dc, "host");
            it->in_cluster = false;
            for (size_t j = 0; j < inv->n; j++)
                if (inv->items[j].kind == DR_INV_CLUSTER && str_eq(inv->items[j].path, it->compute))
                    it->in_cluster = true;
        }
        switch (it->kind) {
        case DR_INV_CLUSTER:
            it->value = rel_to(it->path, dc, "host");
            break;
        case DR_INV_HOST:
            /* In a cluster the template names the host by its name;
             * standalone, by its compute resource's path under host/. */
            it->value = it->in_cluster ? xstrdup(it->name) : xstrdup0(compute);
            break;
        case DR_INV_POOL:
            if (it->compute) {
                char *root = xasprintf("%s/Resources", it->compute);
                size_t n = strlen(root);

                if (strncmp(it->path, root, n) == 0 && (it->path[n] == '\0' || it->path[n] == '/'))
                    it->value = xstrdup(it->path[n] ? it->path + n + 1 : "");
                free(root);
            }
            break;
        case DR_INV_DATASTORE:
        case DR_INV_DATASTORE_CLUSTER:
            it->value = rel_to(it->path, dc, "datastore");
            break;
        case DR_INV_FOLDER:
            it->value = rel_to(it->path, dc, "vm");
            break;
        case DR_INV_NETWORK:
            it->value = rel_to(it->path, dc, "network");
            break;
        case DR_INV_TEMPLATE:
        case DR_INV_VM: {
            /* clone_from: a name directly in the vm folder, else a path
             * below the datacenter ("vm/k8s/ubuntu"). */
            char *rel = rel_to(it->path, dc, "vm");

            if (rel && strchr(rel, '/') == NULL)
                it->value = rel;
            else {
                free(rel);
                it->value = rel_to(it->path, dc, NULL);
            }
            break;
        }
        default:
            break;
        }
        free(it->compute);
        it->compute = compute;
    }
    /* A bare name another object of its kind in the datacenter (in the
     * compute resource, for pools) also has would be refused as ambiguous
     * by placement (resolve_one): such an item's value is its full path. */
    for (size_t i = 0; i < inv->n; i++) {
        struct dr_inv_item *it = &inv->items[i];
        bool vmlike = it->kind == DR_INV_TEMPLATE || it->kind == DR_INV_VM;

        if (it->value == NULL || *it->value == '\0' || strchr(it->value, '/') ||
            it->kind == DR_INV_DATACENTER || it->kind == DR_INV_TAG || it->kind == DR_INV_HOST)
            continue;
        for (size_t j = 0; j < inv->n; j++) {
            const struct dr_inv_item *o = &inv->items[j];
            /* A template's datastore names a datastore or a datastore
             * cluster: the two share their names (vs_resolve_placement). */
            bool dslike = it->kind == DR_INV_DATASTORE || it->kind == DR_INV_DATASTORE_CLUSTER;
            bool same_kind = o->kind == it->kind ||
                             (vmlike && (o->kind == DR_INV_TEMPLATE || o->kind == DR_INV_VM)) ||
                             (dslike && (o->kind == DR_INV_DATASTORE ||
                                         o->kind == DR_INV_DATASTORE_CLUSTER));
            if (j == i || !same_kind || !str_eq(o->name, it->name) ||
                !str_eq(o->datacenter, it->datacenter) ||
                (it->kind == DR_INV_POOL && !str_eq(o->compute, it->compute)))
                continue;
            free(it->value);
            it->value = xstrdup(it->path);
            break;
        }
    }
    if (inv->n > 1)
        qsort(inv->items, inv->n, sizeof *inv->items, cmp_item);
}

/* Under e->mu. */
static struct dr_inventory *
cache_find(struct dr_engine *e, const char *vcenter)
{
    for (size_t i = 0; i < e->n_inv_cache; i++)
        if (str_eq(e->inv_cache[i].vcenter, vcenter))
            return &e->inv_cache[i];
    return NULL;
}

static void
emit_answer(struct dr_engine *e, unsigned id, const char *vcenter, enum dr_log_level level,
            const char *text)
{
    struct dr_event ev = { .kind = DR_EV_REQUEST, .request = id, .level = level,
                           .text = (char *)text, .time = time(NULL) };

    (void)vcenter;
    eng_emit(e, &ev);
}

void
cert_free(struct dr_cert **cp)
{
    struct dr_cert *c = *cp;

    if (c == NULL)
        return;
    free(c->subject);
    free(c->issuer);
    free(c->sha256_fingerprint);
    free(c->pin);
    free(c->verify_error);
    free(c);
    *cp = NULL;
}

/* A certificate fetch or a login check. */
static void
probe(struct eng_request *r)
{
    struct dr_engine *e = r->e;
    struct dr_error err = { 0 };
    struct dr_cert *cert = NULL;
    char *product = NULL;
    enum dr_err rc;

    if (r->kind == REQ_CERT) {
        cert = xcalloc(1, sizeof *cert);
        rc = e->backend.ops->fetch_cert(e->backend.ctx, &r->vc, &r->cancel, cert, &err);
    } else {
        rc = e->backend.ops->check_login(e->backend.ctx, &r->vc, &r->cancel, &product, &err);
    }
    if (rc != DR_E_OK)
        cert_free(&cert);
    pthread_mutex_lock(&e->mu);
    r->finished = true;
    if (!r->abandoned) {
        r->cert = cert;
        cert = NULL;
        if (rc == DR_E_OK)
            log_info("vCenter %s: %s", r->vc.name ? r->vc.name : r->vc.url,
                     r->kind == REQ_CERT ? "certificate fetched" : "login checked");
        else
            log_warn("vCenter %s: %s", r->vc.name ? r->vc.name : r->vc.url, dr_error_text(&err));
        emit_answer(e, r->id, r->vc.name, rc == DR_E_OK ? DR_LOG_INFO : DR_LOG_ERROR,
                    rc == DR_E_OK ? (product ? product : "") : dr_error_text(&err));
    }
    pthread_mutex_unlock(&e->mu);
    cert_free(&cert);
    free(product);
}

/* Preflight on this request thread, with a backend thread context of its
 * own (never a node worker's). */
static void
run_preflight(struct eng_request *r)
{
    struct dr_engine *e = r->e;
    struct eng_pf_copy *c = r->pf;
    struct eng_pf_input in;
    struct dr_preflight *p = NULL;
    struct dr_error err = { 0 };
    struct dr_store fresh;
    bool have_fresh = false;
    struct eng_backend own = { 0 };
    const struct eng_backend *b = &e->backend;
    void *tctx = NULL;
    enum dr_err rc = DR_E_OK;
    struct dr_template *with = NULL; /* shallow copies */
    size_t n_with = 0;

    eng_pf_copy_input(c, NULL, &in);
    /* The templates, vCenters and settings as the files are now (the
     * operator may have edited a template since the last apply), read here
     * rather than on the caller's thread; the engine's copies otherwise. */
    have_fresh = true; /* store_done is safe after a failed store_init */
    if (store_init(&fresh, c->config_dir, c->state_dir, &err) == DR_E_OK) {
        if (store_load(&fresh, &err) == DR_E_OK) {
            in.templates = fresh.templates;
            in.n_templates = fresh.n_templates;
            in.vcenters = fresh.vcenters;
            in.n_vcenters = fresh.n_vcenters;
            in.margin_pct = fresh.settings.preflight_margin_pct;
        }
    }
    memset(&err, 0, sizeof err);
    /* An unsaved template (the editor's test) stands in for the saved one
     * of its name, or is added. */
    if (c->tmpl) {
        in.template_test = true;
        with = xcalloc(in.n_templates + 1, sizeof *with);
        for (size_t i = 0; i < in.n_templates; i++)
            if (!str_eq(in.templates[i].name, c->tmpl->name))
                with[n_with++] = in.templates[i];
        with[n_with++] = *c->tmpl;
        in.templates = with;
        in.n_templates = n_with;
    }
    /* A read-only engine or an observer has no backend: preflight changes
     * nothing, so it gets one of its own for this request. */
    if (b->ops == NULL) {
        rc = backend_vs_new(&own, &err);
        b = &own;
    }
    if (rc == DR_E_OK) {
        tctx = b->ops->thread_init ? b->ops->thread_init(b->ctx) : NULL;
        rc = eng_preflight_run(b, tctx, &in, &p, &err);
        if (b->ops->thread_done)
            b->ops->thread_done(tctx);
    }
    if (own.ops && own.ops->free)
        own.ops->free(own.ctx);
    free(with);
    if (have_fresh)
        store_done(&fresh);
    pthread_mutex_lock(&e->mu);
    r->finished = true;
    if (!r->abandoned) {
        const char *name = c->spec.name ? c->spec.name : "";
        char *text = rc == DR_E_OK ? xasprintf(_("preflight of cluster %s: %zu error(s), %zu "
                                                 "warning(s)"),
                                               name, p->errors, p->warnings)
                                   : xstrdup(dr_error_text(&err));
        r->preflight = p;
        p = NULL;
        emit_answer(e, r->id, NULL, rc != DR_E_OK ? DR_LOG_ERROR : DR_LOG_INFO, text);
        free(text);
    }
    pthread_mutex_unlock(&e->mu);
    preflight_free(&p);
}

static void *
request_main(void *arg)
{
    struct eng_request *r = arg;
    struct dr_engine *e = r->e;
    struct dr_inventory inv = { 0 };
    struct dr_error err = { 0 };
    enum dr_err rc;

    if (r->kind == REQ_PREFLIGHT) {
        run_preflight(r);
        return NULL;
    }
    if (r->kind != REQ_INVENTORY) {
        probe(r);
        return NULL;
    }
    rc = e->backend.ops->inventory(e->backend.ctx, &r->vc, &r->cancel, &inv, &err);

    if (rc == DR_E_OK) {
        inv.vcenter = xstrdup(r->vc.name);
        inv.fetched = time(NULL);
        inventory_finish(&inv);
    }
    pthread_mutex_lock(&e->mu);
    r->finished = true;
    if (!r->abandoned) {
        if (rc == DR_E_OK) {
            struct dr_inventory *old = cache_find(e, r->vc.name);

            if (old == NULL) {
                e->inv_cache = xrealloc(e->inv_cache, (e->n_inv_cache + 1) * sizeof *e->inv_cache);
                old = &e->inv_cache[e->n_inv_cache++];
            } else {
                inventory_done(old);
            }
            *old = inv;
            memset(&inv, 0, sizeof inv);
            log_info("vCenter %s: inventory fetched (%zu objects)", r->vc.name, old->n);
            emit_answer(e, r->id, r->vc.name, DR_LOG_INFO, "");
        } else {
            log_warn("vCenter %s: inventory: %s", r->vc.name, dr_error_text(&err));
            emit_answer(e, r->id, r->vc.name, DR_LOG_ERROR, dr_error_text(&err));
        }
    }
    pthread_mutex_unlock(&e->mu);
    inventory_done(&inv);
    return NULL;
}

/* Start a request thread. Under e->mu. vc may be NULL (preflight: pf). */
static enum dr_err
start_with(struct dr_engine *e, enum req_kind kind, const struct dr_vcenter *vc,
           struct eng_pf_copy *pf, unsigned id, struct dr_error *err)
{
    struct eng_request *r = xcalloc(1, sizeof *r);

    r->e = e;
    r->kind = kind;
    r->id = id;
    r->pf = pf;
    if (vc)
        vcenter_copy(&r->vc, vc);
    atomic_init(&r->cancel, false);
    if (pthread_create(&r->thread, NULL, request_main, r) != 0) {
        vcenter_done(&r->vc);
        eng_pf_copy_free(r->pf);
        free(r);
        return dr_error_set(err, DR_E_INTERNAL, _("cannot start a request thread"));
    }
    e->requests = xgrow(e->requests, &e->cap_requests, e->n_requests + 1, sizeof *e->requests);
    e->requests[e->n_requests++] = r;
    return DR_E_OK;
}

static enum dr_err
start(struct dr_engine *e, enum req_kind kind, const struct dr_vcenter *vc, unsigned id,
      struct dr_error *err)
{
    return start_with(e, kind, vc, NULL, id, err);
}

/* Join and forget finished requests. Under e->mu. */
static void
reap(struct dr_engine *e)
{
    size_t k = 0;

    for (size_t i = 0; i < e->n_requests; i++) {
        struct eng_request *r = e->requests[i];

        if (r->finished && r->cert == NULL && r->preflight == NULL) {
            pthread_join(r->thread, NULL);
            vcenter_done(&r->vc);
            eng_pf_copy_free(r->pf);
            free(r);
        } else {
            e->requests[k++] = r;
        }
    }
    e->n_requests = k;
}

enum dr_err
engine_request_inventory(struct dr_engine *e, const char *vcenter, bool refresh, unsigned *id,
                         struct dr_error *err)
{
    const struct dr_vcenter *vc;
    enum dr_err rc = DR_E_OK;

    *id = 0;
    if (e->read_only)
        return dr_error_set(err, DR_E_READONLY, _("read-only mode: no inventory requests"));
    if (e->observer)
        return dr_error_set(err, DR_E_BUSY, _("another drover runs the engine"));
    if (e->backend.ops == NULL || e->backend.ops->inventory == NULL)
        return dr_error_set(err, DR_E_INTERNAL, _("this engine cannot list inventory"));
    pthread_mutex_lock(&e->mu);
    reap(e);
    vc = eng_find_vcenter(e, vcenter);
    if (vc == NULL) {
        rc = dr_error_set(err, DR_E_NOTFOUND, _("no vCenter named %s"), vcenter ? vcenter : "");
        goto out;
    }
    *id = ++e->next_request;
    if (!refresh && cache_find(e, vcenter)) {
        emit_answer(e, *id, vcenter, DR_LOG_INFO, "");
        goto out;
    }
    rc = start(e, REQ_INVENTORY, vc, *id, err);
    if (rc != DR_E_OK)
        *id = 0;
out:
    pthread_mutex_unlock(&e->mu);
    return rc;
}

/* The probes: for a vCenter that need not be saved yet. */
static enum dr_err
request_probe(struct dr_engine *e, enum req_kind kind, const struct dr_vcenter *vc, unsigned *id,
              struct dr_error *err)
{
    enum dr_err rc;

    *id = 0;
    if (e->read_only)
        return dr_error_set(err, DR_E_READONLY, _("read-only mode: vCenters are not added"));
    if (e->observer)
        return dr_error_set(err, DR_E_BUSY, _("another drover runs the engine"));
    if (e->backend.ops == NULL ||
        (kind == REQ_CERT ? e->backend.ops->fetch_cert == NULL
                          : e->backend.ops->check_login == NULL))
        return dr_error_set(err, DR_E_INTERNAL, _("this engine cannot reach vCenters"));
    pthread_mutex_lock(&e->mu);
    reap(e);
    *id = ++e->next_request;
    rc = start(e, kind, vc, *id, err);
    if (rc != DR_E_OK)
        *id = 0;
    pthread_mutex_unlock(&e->mu);
    return rc;
}

enum dr_err
engine_request_cert(struct dr_engine *e, const struct dr_vcenter *vc, unsigned *id,
                    struct dr_error *err)
{
    return request_probe(e, REQ_CERT, vc, id, err);
}

enum dr_err
engine_request_login(struct dr_engine *e, const struct dr_vcenter *vc, unsigned *id,
                     struct dr_error *err)
{
    return request_probe(e, REQ_LOGIN, vc, id, err);
}

struct dr_cert *
engine_take_cert(struct dr_engine *e, unsigned id)
{
    struct dr_cert *c = NULL;

    pthread_mutex_lock(&e->mu);
    for (size_t i = 0; i < e->n_requests; i++)
        if (e->requests[i]->id == id && e->requests[i]->finished) {
            c = e->requests[i]->cert;
            e->requests[i]->cert = NULL;
        }
    pthread_mutex_unlock(&e->mu);
    return c;
}

enum dr_err
engine_save_vcenter(struct dr_engine *e, const struct dr_vcenter *vc, struct dr_error *err)
{
    enum dr_err rc;

    if (e->read_only)
        return dr_error_set(err, DR_E_READONLY,
                            _("vcenters.cfg: not saved: drover is in read-only mode"));
    if (e->observer)
        return dr_error_set(err, DR_E_BUSY, _("another drover runs the engine"));
    pthread_mutex_lock(&e->store_mu);
    rc = store_put_vcenter(&e->store, vc, err);
    pthread_mutex_unlock(&e->store_mu);
    if (rc != DR_E_OK)
        return rc;
    pthread_mutex_lock(&e->mu);
    vcenters_put(&e->vcenters, &e->n_vcenters, vc);
    /* Its inventory may have come through other credentials. */
    for (size_t i = 0; i < e->n_inv_cache; i++)
        if (str_eq(e->inv_cache[i].vcenter, vc->name)) {
            inventory_done(&e->inv_cache[i]);
            e->inv_cache[i] = e->inv_cache[--e->n_inv_cache];
            break;
        }
    pthread_mutex_unlock(&e->mu);
    log_info("vCenter %s saved in vcenters.cfg", vc->name);
    return DR_E_OK;
}

void
engine_abandon_request(struct dr_engine *e, unsigned id)
{
    pthread_mutex_lock(&e->mu);
    for (size_t i = 0; i < e->n_requests; i++) {
        struct eng_request *r = e->requests[i];

        if (r->id == id && !r->finished) {
            r->abandoned = true;
            atomic_store(&r->cancel, true);
        }
    }
    pthread_mutex_unlock(&e->mu);
}

struct dr_inventory *
engine_inventory(struct dr_engine *e, const char *vcenter)
{
    struct dr_inventory *out = NULL, *c;

    pthread_mutex_lock(&e->mu);
    c = cache_find(e, vcenter);
    if (c) {
        out = xcalloc(1, sizeof *out);
        inventory_copy(out, c);
    }
    pthread_mutex_unlock(&e->mu);
    return out;
}

void
eng_requests_free(struct dr_engine *e)
{
    pthread_mutex_lock(&e->mu);
    for (size_t i = 0; i < e->n_requests; i++) {
        e->requests[i]->abandoned = true;
        atomic_store(&e->requests[i]->cancel, true);
    }
    pthread_mutex_unlock(&e->mu);
    for (size_t i = 0; i < e->n_requests; i++) {
        pthread_join(e->requests[i]->thread, NULL);
        vcenter_done(&e->requests[i]->vc);
        cert_free(&e->requests[i]->cert);
        eng_pf_copy_free(e->requests[i]->pf);
        preflight_free(&e->requests[i]->preflight);
        free(e->requests[i]);
    }
    free(e->requests);
    e->requests = NULL;
    e->n_requests = e->cap_requests = 0;
    for (size_t i = 0; i < e->n_inv_cache; i++)
        inventory_done(&e->inv_cache[i]);
    free(e->inv_cache);
    e->inv_cache = NULL;
    e->n_inv_cache = 0;
}

enum dr_err
engine_request_preflight(struct dr_engine *e, const char *cluster, unsigned *id,
                         struct dr_error *err)
{
    struct eng_cluster *c;
    struct eng_pf_copy *pf;
    enum dr_err rc;

    *id = 0;
    if (e->backend.ops && e->backend.ops->check_templates == NULL)
        return dr_error_set(err, DR_E_INTERNAL, _("this engine cannot check against vCenter"));
    pthread_mutex_lock(&e->mu);
    reap(e);
    c = eng_find_cluster(e, cluster);
    if (c == NULL || !c->has_spec) {
        pthread_mutex_unlock(&e->mu);
        return dr_error_set(err, DR_E_NOTFOUND, _("no cluster spec named %s"),
                            cluster ? cluster : "");
    }
    pf = eng_pf_copy_take(e, c);
    pf->config_dir = xstrdup0(e->config_dir);
    pf->state_dir = xstrdup0(e->state_dir);
    *id = ++e->next_request;
    rc = start_with(e, REQ_PREFLIGHT, NULL, pf, *id, err);
    if (rc != DR_E_OK)
        *id = 0;
    pthread_mutex_unlock(&e->mu);
    return rc;
}

enum dr_err
engine_request_preflight_spec(struct dr_engine *e, const struct dr_cluster *spec,
                              const struct dr_template *tmpl, unsigned *id, struct dr_error *err)
{
    struct eng_cluster *c;
    struct eng_pf_copy *pf;
    enum dr_err rc;

    *id = 0;
    if (e->backend.ops && e->backend.ops->check_templates == NULL)
        return dr_error_set(err, DR_E_INTERNAL, _("this engine cannot check against vCenter"));
    pthread_mutex_lock(&e->mu);
    reap(e);
    pf = xcalloc(1, sizeof *pf);
    cluster_copy(&pf->spec, spec);
    /* Editing a known cluster: its nodes with a VM are not new. */
    c = spec->name ? eng_find_cluster(e, spec->name) : NULL;
    if (c) {
        cluster_status_copy(&pf->status, &c->status);
        pf->has_status = true;
    }
    eng_pf_copy_config(pf, e);
    if (tmpl) {
        pf->tmpl = xcalloc(1, sizeof *pf->tmpl);
        template_copy(pf->tmpl, tmpl);
    }
    pf->config_dir = xstrdup0(e->config_dir);
    pf->state_dir = xstrdup0(e->state_dir);
    *id = ++e->next_request;
    rc = start_with(e, REQ_PREFLIGHT, NULL, pf, *id, err);
    if (rc != DR_E_OK)
        *id = 0;
    pthread_mutex_unlock(&e->mu);
    return rc;
}

struct dr_preflight *
engine_take_preflight(struct dr_engine *e, unsigned id)
{
    struct dr_preflight *p = NULL;

    pthread_mutex_lock(&e->mu);
    for (size_t i = 0; i < e->n_requests; i++)
        if (e->requests[i]->id == id && e->requests[i]->finished) {
            p = e->requests[i]->preflight;
            e->requests[i]->preflight = NULL;
        }
    pthread_mutex_unlock(&e->mu);
    return p;
}
