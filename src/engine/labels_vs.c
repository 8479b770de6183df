/* The template's tags and custom attributes on each clone (labels_vs.h). */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/util.h"
#include "engine/labels_vs.h"

struct labels_entry {
    char *key; /* vCenter, template, its tags and custom attribute names */
    struct vs_labels l;
    bool stale; /* vCenter no longer knows one of its ids: looked up anew */
};

/* Entries are never moved or removed while the engine runs (pointers to them
 * are handed out): a list of heap entries. */
struct vsb_labels_cache {
    pthread_mutex_t mu;
    struct labels_entry **v;
    size_t n;
};

struct vsb_labels_cache *
vsb_labels_cache_new(void)
{
    struct vsb_labels_cache *c = xcalloc(1, sizeof *c);

    pthread_mutex_init(&c->mu, NULL);
    return c;
}

void
vsb_labels_cache_free(struct vsb_labels_cache *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->n; i++) {
        free(c->v[i]->key);
        vs_labels_done(&c->v[i]->l);
        free(c->v[i]);
    }
    free(c->v);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

char *
vsb_problem_where(const struct dr_template *t, const struct vs_problem *p)
{
    if (p->line > 0 && t->origin.file)
        return xasprintf("%s:%d", t->origin.file, p->line);
    return template_field_where(t, p->field);
}

static char *
labels_key(const struct eng_step *s)
{
    const struct dr_template *t = s->tmpl;
    char *key = xasprintf("%s\n%s\n", s->vcenter->name, t->name ? t->name : "");

    for (char **p = t->tags; p && *p; p++) {
        char *k = xasprintf("%st:%s\n", key, *p);
        free(key);
        key = k;
    }
    for (size_t i = 0; i < t->n_custom_attributes; i++) {
        char *k = xasprintf("%sa:%s\n", key, t->custom_attributes[i].key);
        free(key);
        key = k;
    }
    return key;
}

enum dr_err
vsb_labels_for(struct vsb_labels_cache *c, struct vs_session *vs, const struct eng_step *s,
               const struct vs_labels **out, struct dr_error *e)
{
    char *key = labels_key(s);
    struct vs_problems probs = {0};
    struct vs_labels l;
    enum dr_err rc;

    *out = NULL;
    /* Resolved under the lock: many workers starting at once ask once. */
    pthread_mutex_lock(&c->mu);
    for (size_t i = 0; i < c->n; i++)
        if (!c->v[i]->stale && str_eq(c->v[i]->key, key)) {
            *out = &c->v[i]->l;
            pthread_mutex_unlock(&c->mu);
            free(key);
            return DR_E_OK;
        }
    rc = vs_labels_resolve(vs, s->tmpl, &l, &probs, e);
    if (rc == DR_E_OK && probs.n > 0) {
        char *all = xstrdup("");

        for (size_t i = 0; i < probs.n; i++) {
            char *where = vsb_problem_where(s->tmpl, &probs.v[i]);
            char *next = xasprintf("%s%s%s: %s: %s", all, i ? "\n" : "", where,
                                   probs.v[i].subfield ? probs.v[i].subfield
                                                       : template_field_key(probs.v[i].field),
                                   probs.v[i].message);
            free(where);
            free(all);
            all = next;
        }
        rc = dr_error_set(e, DR_E_NOTFOUND, "%s", all);
        free(all);
        vs_labels_done(&l);
    } else if (rc == DR_E_OK) {
        struct labels_entry *en = xcalloc(1, sizeof *en);

        en->key = key;
        en->l = l;
        key = NULL;
        c->v = xrealloc(c->v, (c->n + 1) * sizeof *c->v);
        c->v[c->n++] = en;
        *out = &en->l;
    } else {
        dr_error_prefix(e, _("template %s: tags and custom attributes"),
                        s->tmpl->name ? s->tmpl->name : "?");
    }
    pthread_mutex_unlock(&c->mu);
    vs_problems_done(&probs);
    free(key);
    return rc;
}

/* l's ids are out of date (a tag or custom attribute was deleted, perhaps
 * made again, since it was looked up): the next vsb_labels_for asks anew.
 * The entry stays allocated (a worker may still hold l). */
static void
mark_stale(struct vsb_labels_cache *c, const struct vs_labels *l)
{
    pthread_mutex_lock(&c->mu);
    for (size_t i = 0; i < c->n; i++)
        if (&c->v[i]->l == l)
            c->v[i]->stale = true;
    pthread_mutex_unlock(&c->mu);
}

enum dr_err
vsb_labels_apply(struct vsb_labels_cache *c, struct vs_session *vs, struct eng_step *s,
                 struct dr_error *e)
{
    const struct vs_labels *l;
    enum dr_err rc;

    if (strv_len(s->tmpl->tags) == 0 && s->tmpl->n_custom_attributes == 0)
        return DR_E_OK;
    for (int attempt = 0;; attempt++) {
        if ((rc = vsb_labels_for(c, vs, s, &l, e)) != DR_E_OK)
            return rc;
        rc = vs_labels_apply(vs, s->node.vm_id, l, e);
        /* An unknown tag id (404) or field key (InvalidArgument): vCenter
         * changed since the lookup; look up once more, which names the tag
         * or attribute (file:line) if it is really gone. */
        if (attempt == 0 && (rc == DR_E_NOTFOUND ||
                             (rc == DR_E_FAULT && str_eq(vs_last_fault(vs), "InvalidArgument")))) {
            step_log(s, "%s; looking the template's tags and custom attributes up again",
                     e ? e->msg : "");
            mark_stale(c, l);
            continue;
        }
        if (rc != DR_E_OK)
            return rc;
        break;
    }
    for (size_t i = 0; i < l->n_tags; i++)
        step_log(s, "tagged %s with %s", s->node.vm_id, l->tags[i].path);
    for (size_t i = 0; i < l->n_fields; i++)
        step_log(s, "custom attribute %s on %s: %s", l->fields[i].name, s->node.vm_id,
                 l->fields[i].value);
    return DR_E_OK;
}
