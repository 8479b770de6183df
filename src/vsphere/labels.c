/* A template's tags (vAPI tagging over REST, rest.c) and custom attributes
 * (vim25 CustomFieldsManager): looked up before any clone, applied to each
 * clone. */
#include "config.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/i18n.h"
#include "core/log.h"
#include "core/util.h"
#include "vsphere/internal.h"

#define TAGGING "/com/vmware/cis/tagging"

/* Decode vCenter's escapes in one part of a tag: %2f '/', %25 '%' (%5c '\'). */
static char *
unescape_part(const char *p, size_t n)
{
    char *out = xmalloc(n + 1), *o = out;

    for (size_t i = 0; i < n; i++) {
        if (p[i] == '%' && i + 3 <= n) {
            if (strncasecmp(p + i, "%2f", 3) == 0) {
                *o++ = '/';
                i += 2;
                continue;
            }
            if (strncasecmp(p + i, "%25", 3) == 0) {
                *o++ = '%';
                i += 2;
                continue;
            }
            if (strncasecmp(p + i, "%5c", 3) == 0) {
                *o++ = '\\';
                i += 2;
                continue;
            }
        }
        *o++ = p[i];
    }
    *o = '\0';
    return out;
}

bool
vs_tag_spec_parse(const char *spec, char **category, char **name)
{
    const char *slash;

    *category = *name = NULL;
    if (str_empty(spec))
        return false;
    slash = strchr(spec, '/');
    if (slash == NULL) {
        *name = unescape_part(spec, strlen(spec));
        return true;
    }
    if (slash == spec || slash[1] == '\0')
        return false;
    *category = unescape_part(spec, (size_t)(slash - spec));
    *name = unescape_part(slash + 1, strlen(slash + 1));
    return true;
}

/* ---- the tag catalogue ------------------------------------------------ */

struct cat_tag {
    char *id;
    char *name;
};

struct category {
    char *id;
    char *name;
    bool single;  /* cardinality SINGLE: one tag of it per object */
    bool for_vms; /* associable_types empty or naming VirtualMachine */
    char *types;  /* associable_types, ", "-joined, for messages */
    struct cat_tag *tags;
    size_t n_tags;
    bool loaded;
};

struct catalogue {
    struct category *cats;
    size_t n_cats;
};

static void
catalogue_done(struct catalogue *c)
{
    for (size_t i = 0; i < c->n_cats; i++) {
        struct category *k = &c->cats[i];
        free(k->id);
        free(k->name);
        free(k->types);
        for (size_t j = 0; j < k->n_tags; j++) {
            free(k->tags[j].id);
            free(k->tags[j].name);
        }
        free(k->tags);
    }
    free(c->cats);
    memset(c, 0, sizeof *c);
}

static const char *
json_str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* GET one object by id under what ("category", "tag"). */
static enum dr_err
get_by_id(struct vs_session *s, const char *what, const char *id, cJSON **out, struct dr_error *e)
{
    char *path = xasprintf(TAGGING "/%s/id:%s", what, id);
    enum dr_err err = vs_rest_call(s, "GET", path, NULL, NULL, out, e);

    free(path);
    if (err == DR_E_OK && !cJSON_IsObject(*out)) {
        cJSON_Delete(*out);
        *out = NULL;
        return dr_error_set(e, DR_E_PROTO, _("vCenter %s: tag %s %s: not an object"), s->name, what,
                            id);
    }
    return err;
}

static enum dr_err
load_categories(struct vs_session *s, struct catalogue *c, struct dr_error *e)
{
    cJSON *ids = NULL, *id;
    enum dr_err err = vs_rest_call(s, "GET", TAGGING "/category", NULL, NULL, &ids, e);

    if (err != DR_E_OK)
        return err;
    if (!cJSON_IsArray(ids) && !cJSON_IsNull(ids)) {
        cJSON_Delete(ids);
        return dr_error_set(e, DR_E_PROTO, _("vCenter %s: the tag categories are not a list"),
                            s->name);
    }
    c->cats = xcalloc((size_t)cJSON_GetArraySize(ids) + 1, sizeof *c->cats);
    cJSON_ArrayForEach(id, ids)
    {
        cJSON *o = NULL;
        const cJSON *types, *t;
        struct category *k;

        if (!cJSON_IsString(id))
            continue;
        err = get_by_id(s, "category", id->valuestring, &o, e);
        if (err == DR_E_NOTFOUND)
            continue; /* deleted meanwhile */
        if (err != DR_E_OK)
            break;
        k = &c->cats[c->n_cats++];
        k->id = xstrdup(id->valuestring);
        k->name = xstrdup0(json_str(o, "name"));
        k->single = str_eq(json_str(o, "cardinality"), "SINGLE");
        types = cJSON_GetObjectItemCaseSensitive(o, "associable_types");
        k->for_vms = cJSON_GetArraySize(types) == 0;
        cJSON_ArrayForEach(t, types)
        {
            if (!cJSON_IsString(t))
                continue;
            if (str_eq(t->valuestring, "VirtualMachine"))
                k->for_vms = true;
            char *joined =
                k->types ? xasprintf("%s, %s", k->types, t->valuestring) : xstrdup(t->valuestring);
            free(k->types);
            k->types = joined;
        }
        cJSON_Delete(o);
    }
    cJSON_Delete(ids);
    return err;
}

static enum dr_err
load_tags(struct vs_session *s, struct category *k, struct dr_error *e)
{
    cJSON *ids = NULL, *id;
    char *path;
    enum dr_err err;

    if (k->loaded)
        return DR_E_OK;
    path = xasprintf(TAGGING "/tag/id:%s", k->id);
    err = vs_rest_call(s, "POST", path, "list-tags-for-category", NULL, &ids, e);
    free(path);
    if (err != DR_E_OK)
        return err;
    k->tags = xcalloc((size_t)cJSON_GetArraySize(ids) + 1, sizeof *k->tags);
    cJSON_ArrayForEach(id, ids)
    {
        cJSON *o = NULL;

        if (!cJSON_IsString(id))
            continue;
        err = get_by_id(s, "tag", id->valuestring, &o, e);
        if (err == DR_E_NOTFOUND)
            continue;
        if (err != DR_E_OK)
            break;
        k->tags[k->n_tags].id = xstrdup(id->valuestring);
        k->tags[k->n_tags++].name = xstrdup0(json_str(o, "name"));
        cJSON_Delete(o);
    }
    cJSON_Delete(ids);
    if (err == DR_E_OK)
        k->loaded = true;
    return err;
}

static struct cat_tag *
find_tag(struct category *k, const char *name)
{
    for (size_t i = 0; i < k->n_tags; i++)
        if (str_eq(k->tags[i].name, name))
            return &k->tags[i];
    return NULL;
}

/* ---- problems --------------------------------------------------------- */

static void problem(struct vs_problems *p, const int *lines, size_t i, enum dr_tfield f,
                    const char *field, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void
problem(struct vs_problems *p, const int *lines, size_t i, enum dr_tfield f, const char *field,
        const char *fmt, ...)
{
    va_list ap;
    char msg[1024];
    struct vs_problem *d;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    p->v = xrealloc(p->v, (p->n + 1) * sizeof *p->v);
    d = &p->v[p->n++];
    d->field = f;
    d->subfield = xstrdup(field);
    d->message = xstrdup(msg);
    d->line = lines ? lines[i] : 0;
}

/* "a/b" with a '/' or '%' inside a part written as vCenter escapes it. */
static char *
escape_part(const char *p)
{
    char *out = xmalloc(strlen(p) * 3 + 1), *o = out;

    for (; *p; p++) {
        if (*p == '/' || *p == '%') {
            o += sprintf(o, "%%%02x", (unsigned char)*p);
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
    return out;
}

static char *
tag_path(const struct category *k, const char *tag)
{
    char *c = escape_part(k->name ? k->name : "");
    char *n = escape_part(tag);
    char *p = xasprintf("%s/%s", c, n);

    free(c);
    free(n);
    return p;
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *
join_sorted_keep(char *const *v)
{
    size_t n = strv_len(v);
    char *out = xstrdup("");

    for (size_t i = 0; i < n; i++) {
        char *next = xasprintf("%s%s%s", out, i ? ", " : "", v[i]);
        free(out);
        out = next;
    }
    return out;
}

/* v sorted and ", "-joined (v is sorted in place). */
static char *
join_sorted(char **v)
{
    qsort(v, strv_len(v), sizeof *v, cmp_str);
    return join_sorted_keep(v);
}

/* The names of k's tags, sorted and ", "-joined (at most 10, then "..."). */
static char *
tag_names(const struct category *k)
{
    char **v = NULL, *out;

    for (size_t i = 0; i < k->n_tags; i++)
        strv_push(&v, k->tags[i].name ? k->tags[i].name : "");
    qsort(v, k->n_tags, sizeof *v, cmp_str);
    for (size_t i = 10; i < k->n_tags; i++)
        xfree(&v[i]);
    if (k->n_tags > 10)
        v[10] = xstrdup("...");
    out = join_sorted_keep(v);
    strv_free(&v);
    return out;
}

static enum dr_err
resolve_tags(struct vs_session *s, const struct dr_template *t, struct vs_labels *out,
             struct vs_problems *problems, struct dr_error *e)
{
    struct catalogue c = {0};
    size_t n = strv_len(t->tags);
    const struct category **used; /* the category of each resolved tag */
    enum dr_err err;

    if (n == 0)
        return DR_E_OK;
    if (str_eq(s->about.api_type, "HostAgent")) {
        for (size_t i = 0; i < n; i++) {
            char *f = xasprintf("tags[%zu]", i);
            problem(problems, t->tag_lines, i, DR_TF_TAGS, f,
                    _("tags need vCenter; %s is a standalone ESXi host"), s->name);
            free(f);
        }
        return DR_E_OK;
    }
    if ((err = load_categories(s, &c, e)) != DR_E_OK)
        return err;
    out->tags = xcalloc(n, sizeof *out->tags);
    used = xcalloc(n, sizeof *used);
    for (size_t i = 0; i < n && err == DR_E_OK; i++) {
        char *f = xasprintf("tags[%zu]", i);
        char *cname = NULL, *tname = NULL;
        struct category *hit = NULL;
        struct cat_tag *tag = NULL;

        if (!vs_tag_spec_parse(t->tags[i], &cname, &tname)) {
            problem(problems, t->tag_lines, i, DR_TF_TAGS, f,
                    _("\"%s\" is not a tag: write category/name (or a tag name alone)"),
                    t->tags[i]);
        } else if (cname) {
            for (size_t j = 0; j < c.n_cats; j++)
                if (str_eq(c.cats[j].name, cname))
                    hit = &c.cats[j];
            if (hit == NULL) {
                problem(problems, t->tag_lines, i, DR_TF_TAGS, f,
                        _("no tag \"%s\" in vCenter %s: it has no tag category \"%s\""), t->tags[i],
                        s->name, cname);
            } else if ((err = load_tags(s, hit, e)) == DR_E_OK &&
                       (tag = find_tag(hit, tname)) == NULL) {
                char *have = tag_names(hit);
                problem(problems, t->tag_lines, i, DR_TF_TAGS, f,
                        _("no tag \"%s\" in vCenter %s (category %s has: %s)"), t->tags[i], s->name,
                        hit->name, *have ? have : _("no tags"));
                free(have);
            }
        } else {
            char **matches = NULL;
            size_t n_match = 0;

            for (size_t j = 0; j < c.n_cats && err == DR_E_OK; j++) {
                struct cat_tag *ct;

                if ((err = load_tags(s, &c.cats[j], e)) != DR_E_OK)
                    break;
                if ((ct = find_tag(&c.cats[j], tname)) == NULL)
                    continue;
                char *p = tag_path(&c.cats[j], ct->name);
                strv_push(&matches, p);
                free(p);
                hit = &c.cats[j];
                tag = ct;
                n_match++;
            }
            if (err == DR_E_OK && n_match == 0)
                problem(problems, t->tag_lines, i, DR_TF_TAGS, f,
                        _("no tag \"%s\" in any tag category of vCenter %s"), tname, s->name);
            else if (err == DR_E_OK && n_match > 1) {
                char *all = join_sorted(matches);
                problem(problems, t->tag_lines, i, DR_TF_TAGS, f,
                        _("tag \"%s\" is in more than one category of vCenter %s (%s): write "
                          "category/name"),
                        tname, s->name, all);
                free(all);
            }
            if (n_match != 1)
                tag = NULL;
            strv_free(&matches);
        }
        if (err == DR_E_OK && tag) {
            bool dup = false;

            for (size_t j = 0; j < out->n_tags; j++) {
                if (str_eq(out->tags[j].id, tag->id))
                    dup = true; /* listed twice: attached once */
                else if (used[j] == hit && hit->single) {
                    char *p = tag_path(hit, tag->name);
                    problem(problems, t->tag_lines, i, DR_TF_TAGS, f,
                            _("%s: category %s takes one tag per VM (cardinality SINGLE) and "
                              "%s is listed too"),
                            p, hit->name, out->tags[j].path);
                    free(p);
                    dup = true;
                }
            }
            if (!hit->for_vms) {
                char *p = tag_path(hit, tag->name);
                problem(problems, t->tag_lines, i, DR_TF_TAGS, f,
                        _("%s: tags of category %s cannot be attached to VMs (it is for %s)"), p,
                        hit->name, hit->types ? hit->types : "?");
                free(p);
            } else if (!dup) {
                used[out->n_tags] = hit;
                out->tags[out->n_tags].id = xstrdup(tag->id);
                out->tags[out->n_tags++].path = tag_path(hit, tag->name);
            }
        }
        free(cname);
        free(tname);
        free(f);
    }
    free(used);
    catalogue_done(&c);
    return err;
}

/* ---- custom attributes ------------------------------------------------ */

struct field_def {
    int key;
    char *name;
    char *type; /* managedObjectType; NULL: every type */
};

struct field_defs {
    struct field_def *v;
    size_t n;
};

static enum dr_err
on_fields(void *user, const char *type, const char *id, xmlNodePtr oc, struct dr_error *e)
{
    struct field_defs *d = user;
    xmlNodePtr val = vs_prop(oc, "field");

    soap_each(f, val, "CustomFieldDef")
    {
        d->v = xrealloc(d->v, (d->n + 1) * sizeof *d->v);
        d->v[d->n].key = (int)soap_child_ll(f, "key", -1);
        d->v[d->n].name = soap_child_text(f, "name");
        d->v[d->n].type = soap_child_text(f, "managedObjectType");
        if (str_empty(d->v[d->n].type))
            xfree(&d->v[d->n].type);
        d->n++;
    }
    return DR_E_OK;
}

static void
field_defs_done(struct field_defs *d)
{
    for (size_t i = 0; i < d->n; i++) {
        free(d->v[i].name);
        free(d->v[i].type);
    }
    free(d->v);
}

static enum dr_err
resolve_fields(struct vs_session *s, const struct dr_template *t, struct vs_labels *out,
               struct vs_problems *problems, struct dr_error *e)
{
    static const char *const paths[] = {"field", NULL};
    struct field_defs d = {0};
    enum dr_err err;

    if (t->n_custom_attributes == 0)
        return DR_E_OK;
    if (s->custom_fields_manager == NULL) {
        for (size_t i = 0; i < t->n_custom_attributes; i++) {
            char *f = xasprintf("custom_attributes[%zu].key", i);
            problem(problems, t->custom_attribute_lines, i, DR_TF_CUSTOM_ATTRIBUTES, f,
                    _("custom attributes need vCenter; %s has no CustomFieldsManager"), s->name);
            free(f);
        }
        return DR_E_OK;
    }
    err = vs_retrieve_one(s, "CustomFieldsManager", s->custom_fields_manager, paths, on_fields, &d,
                          e);
    if (err != DR_E_OK) {
        field_defs_done(&d);
        return err;
    }
    out->fields = xcalloc(t->n_custom_attributes, sizeof *out->fields);
    for (size_t i = 0; i < t->n_custom_attributes; i++) {
        const struct dr_kv *kv = &t->custom_attributes[i];
        const struct field_def *hit = NULL, *other = NULL;
        char *f = xasprintf("custom_attributes[%zu].key", i);

        for (size_t j = 0; j < d.n; j++) {
            if (!str_eq(d.v[j].name, kv->key))
                continue;
            if (d.v[j].type == NULL || str_eq(d.v[j].type, "VirtualMachine"))
                hit = &d.v[j];
            else
                other = &d.v[j];
        }
        if (hit) {
            struct vs_label_field *lf = &out->fields[out->n_fields++];
            lf->key = hit->key;
            lf->name = xstrdup(kv->key);
            lf->value = xstrdup0(kv->value ? kv->value : "");
        } else if (other) {
            problem(problems, t->custom_attribute_lines, i, DR_TF_CUSTOM_ATTRIBUTES, f,
                    _("custom attribute \"%s\" of vCenter %s is for %s objects, not for VMs"),
                    kv->key, s->name, other->type);
        } else {
            problem(problems, t->custom_attribute_lines, i, DR_TF_CUSTOM_ATTRIBUTES, f,
                    _("no custom attribute \"%s\" in vCenter %s (define it under Administration "
                      "> Custom Attributes, type Virtual Machine or Global)"),
                    kv->key, s->name);
        }
        free(f);
    }
    field_defs_done(&d);
    return DR_E_OK;
}

enum dr_err
vs_labels_resolve(struct vs_session *s, const struct dr_template *t, struct vs_labels *out,
                  struct vs_problems *problems, struct dr_error *e)
{
    enum dr_err err;

    memset(out, 0, sizeof *out);
    err = resolve_tags(s, t, out, problems, e);
    if (err == DR_E_OK)
        err = resolve_fields(s, t, out, problems, e);
    if (err != DR_E_OK)
        vs_labels_done(out);
    return err;
}

void
vs_labels_done(struct vs_labels *l)
{
    for (size_t i = 0; i < l->n_tags; i++) {
        free(l->tags[i].id);
        free(l->tags[i].path);
    }
    free(l->tags);
    for (size_t i = 0; i < l->n_fields; i++) {
        free(l->fields[i].name);
        free(l->fields[i].value);
    }
    free(l->fields);
    memset(l, 0, sizeof *l);
}

enum dr_err
vs_labels_apply(struct vs_session *s, const char *vm_id, const struct vs_labels *l,
                struct dr_error *e)
{
    enum dr_err err = DR_E_OK;

    for (size_t i = 0; i < l->n_tags && err == DR_E_OK; i++) {
        cJSON *body = cJSON_CreateObject();
        cJSON *obj = cJSON_AddObjectToObject(body, "object_id");
        char *path = xasprintf(TAGGING "/tag-association/id:%s", l->tags[i].id);

        cJSON_AddStringToObject(obj, "id", vm_id);
        cJSON_AddStringToObject(obj, "type", "VirtualMachine");
        err = vs_rest_call(s, "POST", path, "attach", body, NULL, e);
        if (err != DR_E_OK)
            dr_error_prefix(e, _("tag %s"), l->tags[i].path);
        free(path);
        cJSON_Delete(body);
    }
    for (size_t i = 0; i < l->n_fields && err == DR_E_OK; i++) {
        struct soap_req req;
        struct soap_resp resp;

        soap_req_init(&req, "SetField");
        soap_add_moref(req.method, "_this", "CustomFieldsManager", s->custom_fields_manager);
        soap_add_moref(req.method, "entity", "VirtualMachine", vm_id);
        soap_add_int(req.method, "key", l->fields[i].key);
        soap_add_text(req.method, "value", l->fields[i].value);
        err = vs_call(s, &req, &resp, e);
        soap_req_done(&req);
        if (err == DR_E_OK)
            soap_resp_done(&resp);
        else
            dr_error_prefix(e, _("custom attribute %s"), l->fields[i].name);
    }
    return err;
}

enum dr_err
vs_labels_list_tags(struct vs_session *s, char ***out, struct dr_error *e)
{
    struct catalogue c = { 0 };
    enum dr_err err = load_categories(s, &c, e);
    size_t n;

    *out = NULL;
    for (size_t i = 0; err == DR_E_OK && i < c.n_cats; i++) {
        struct category *k = &c.cats[i];

        if (!k->for_vms)
            continue;
        err = load_tags(s, k, e);
        for (size_t j = 0; err == DR_E_OK && j < k->n_tags; j++) {
            char *p = tag_path(k, k->tags[j].name ? k->tags[j].name : "");
            strv_push(out, p);
            free(p);
        }
    }
    catalogue_done(&c);
    if (err != DR_E_OK) {
        strv_free(out);
        return err;
    }
    n = strv_len(*out);
    if (n > 1)
        qsort(*out, n, sizeof **out, cmp_str);
    return DR_E_OK;
}
