/* The inventory as a tree of names (one container view: every entity's
 * type, name and parent), and finding the objects a template's name or
 * path means in it: exact names, never split on '/', and full paths. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/util.h"
#include "vsphere/internal.h"

struct tree_collect {
    struct vs_entity *v;
    size_t n, cap;
};

static enum dr_err
on_entity(void *user, const char *type, const char *id, xmlNodePtr oc, struct dr_error *e)
{
    struct tree_collect *c = user;
    struct vs_entity *x;

    c->v = xgrow(c->v, &c->cap, c->n + 1, sizeof *c->v);
    x = &c->v[c->n++];
    memset(x, 0, sizeof *x);
    x->id = xstrdup(id);
    x->type = xstrdup(type);
    x->name = vs_prop_text(oc, "name");
    if (x->name == NULL)
        x->name = xstrdup("");
    x->parent = vs_prop_text(oc, "parent");
    if (strcmp(type, "OpaqueNetwork") == 0) {
        xmlNodePtr sum = vs_prop(oc, "summary");
        x->opaque_id = sum ? soap_child_text(sum, "opaqueNetworkId") : NULL;
        x->opaque_type = sum ? soap_child_text(sum, "opaqueNetworkType") : NULL;
    }
    return DR_E_OK;
}

static int
cmp_entity(const void *a, const void *b)
{
    return strcmp(((const struct vs_entity *)a)->id, ((const struct vs_entity *)b)->id);
}

static void
tree_copy(struct vs_tree *dst, const struct vs_tree *src)
{
    dst->n = src->n;
    dst->v = xcalloc(src->n ? src->n : 1, sizeof *dst->v);
    for (size_t i = 0; i < src->n; i++) {
        dst->v[i].id = xstrdup0(src->v[i].id);
        dst->v[i].type = xstrdup0(src->v[i].type);
        dst->v[i].name = xstrdup0(src->v[i].name);
        dst->v[i].parent = xstrdup0(src->v[i].parent);
        dst->v[i].opaque_id = xstrdup0(src->v[i].opaque_id);
        dst->v[i].opaque_type = xstrdup0(src->v[i].opaque_type);
    }
    dst->root = xstrdup0(src->root);
}

void
vs_tree_cache(struct vs_session *s, bool on)
{
    s->tree_caching = on;
    if (!on && s->tree_cached) {
        vs_tree_done(s->tree_cached);
        free(s->tree_cached);
        s->tree_cached = NULL;
    }
}

static enum dr_err tree_fetch(struct vs_session *s, struct vs_tree *t, struct dr_error *e);

enum dr_err
vs_tree_get(struct vs_session *s, struct vs_tree *t, struct dr_error *e)
{
    enum dr_err err;

    if (s->tree_caching && s->tree_cached) {
        tree_copy(t, s->tree_cached);
        return DR_E_OK;
    }
    err = tree_fetch(s, t, e);
    if (err == DR_E_OK && s->tree_caching) {
        s->tree_cached = xcalloc(1, sizeof *s->tree_cached);
        tree_copy(s->tree_cached, t);
    }
    return err;
}

static enum dr_err
tree_fetch(struct vs_session *s, struct vs_tree *t, struct dr_error *e)
{
    static const char *const common[] = {"name", "parent", NULL};
    static const char *const opaque[] = {"name", "parent", "summary", NULL};
    static const struct vs_propspec specs[] = {
        {.type = "Datacenter", .paths = common},    {.type = "ComputeResource", .paths = common},
        {.type = "HostSystem", .paths = common},    {.type = "ResourcePool", .paths = common},
        {.type = "Datastore", .paths = common},     {.type = "Folder", .paths = common},
        {.type = "VirtualMachine", .paths = common}, {.type = "Network", .paths = common},
        {.type = "OpaqueNetwork", .paths = opaque},
    };
    struct tree_collect c = {0};
    enum dr_err err;

    memset(t, 0, sizeof *t);
    err = vs_retrieve_view(s, "Folder", s->root_folder, specs, DR_ARRAY_LEN(specs), true,
                           on_entity, &c, e);
    t->v = c.v;
    t->n = c.n;
    if (err != DR_E_OK) {
        vs_tree_done(t);
        return err;
    }
    if (t->n > 0)
        qsort(t->v, t->n, sizeof *t->v, cmp_entity);
    /* An OpaqueNetwork also comes as a Network: keep the one with details. */
    for (size_t i = 0; i + 1 < t->n; i++) {
        if (strcmp(t->v[i].id, t->v[i + 1].id) != 0)
            continue;
        size_t drop = t->v[i].opaque_id ? i + 1 : i;
        free(t->v[drop].id);
        free(t->v[drop].type);
        free(t->v[drop].name);
        free(t->v[drop].parent);
        free(t->v[drop].opaque_id);
        free(t->v[drop].opaque_type);
        memmove(&t->v[drop], &t->v[drop + 1], (t->n - drop - 1) * sizeof *t->v);
        t->n--;
        i--;
    }
    t->root = xstrdup(s->root_folder);
    return DR_E_OK;
}

void
vs_tree_done(struct vs_tree *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->v[i].id);
        free(t->v[i].type);
        free(t->v[i].name);
        free(t->v[i].parent);
        free(t->v[i].opaque_id);
        free(t->v[i].opaque_type);
    }
    free(t->v);
    free(t->root);
    memset(t, 0, sizeof *t);
}

const struct vs_entity *
vs_tree_by_id(const struct vs_tree *t, const char *id)
{
    struct vs_entity key = {.id = (char *)id};

    return id && t->n ? bsearch(&key, t->v, t->n, sizeof *t->v, cmp_entity) : NULL;
}

/* The entities from x up to (not including) stop or the root, x first. */
static size_t
ancestry(const struct vs_tree *t, const struct vs_entity *x, const char *stop,
         const struct vs_entity **chain, size_t max)
{
    size_t n = 0;

    while (x && n < max && !str_eq(x->id, stop) && !str_eq(x->id, t->root)) {
        chain[n++] = x;
        x = vs_tree_by_id(t, x->parent);
    }
    return n;
}

#define VS_TREE_DEPTH 64

char *
vs_tree_path(const struct vs_tree *t, const struct vs_entity *x)
{
    const struct vs_entity *chain[VS_TREE_DEPTH];
    size_t n = ancestry(t, x, NULL, chain, VS_TREE_DEPTH);
    char *out = xstrdup("");

    for (size_t i = n; i-- > 0;) {
        char *next = xasprintf("%s%s%s", out, i + 1 == n ? "" : "/", chain[i]->name);
        free(out);
        out = next;
    }
    return out;
}

bool
vs_tree_under(const struct vs_tree *t, const struct vs_entity *x, const char *ancestor)
{
    for (int depth = 0; x && depth < VS_TREE_DEPTH; depth++) {
        x = vs_tree_by_id(t, x->parent);
        if (x && str_eq(x->id, ancestor))
            return true;
    }
    return ancestor == NULL || str_eq(ancestor, t->root);
}

const struct vs_entity *
vs_tree_child(const struct vs_tree *t, const char *parent, const char *type, const char *raw_name)
{
    for (size_t i = 0; i < t->n; i++)
        if (str_eq(t->v[i].parent, parent) && str_eq(t->v[i].type, type) &&
            str_eq(t->v[i].name, raw_name))
            return &t->v[i];
    return NULL;
}

static bool
type_in(const char *type, const char *const *types)
{
    for (; *types; types++)
        if (strcmp(type, *types) == 0)
            return true;
    return false;
}

/* Do the segments of the path from below `from` down to x equal segs? */
static bool
path_matches(const struct vs_tree *t, const struct vs_entity *x, const char *from,
             char *const *segs, size_t n_segs)
{
    const struct vs_entity *chain[VS_TREE_DEPTH];
    size_t n = ancestry(t, x, from, chain, VS_TREE_DEPTH);

    if (n != n_segs || (from && !vs_tree_under(t, x, from)))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!vs_name_equal(chain[n - 1 - i]->name, segs[i]))
            return false;
    return true;
}

size_t
vs_tree_find(const struct vs_tree *t, const char *const *types, const char *scope,
             const char *rel, const char *input, const struct vs_entity ***out)
{
    char **segs = vs_path_split(input);
    size_t n_segs = strv_len(segs), n = 0;

    *out = xcalloc(1, sizeof **out);
    for (size_t i = 0; i < t->n; i++) {
        const struct vs_entity *x = &t->v[i];
        bool match;

        if (!type_in(x->type, types) || (scope && !vs_tree_under(t, x, scope)))
            continue;
        /* The name exactly as given: a '/' in it is part of the name. */
        match = vs_name_equal(x->name, input);
        /* A path: from the top of the inventory, or below rel. */
        match = match || (n_segs > 0 && path_matches(t, x, NULL, segs, n_segs));
        match = match || (n_segs > 0 && rel && path_matches(t, x, rel, segs, n_segs));
        if (match) {
            *out = xrealloc(*out, (n + 1) * sizeof **out);
            (*out)[n++] = x;
        }
    }
    strv_free(&segs);
    return n;
}
