/* The template editor's list rows: the draft's conversions to and from a
 * template (extra_config and custom_attributes edited as "key=value"
 * lines), and the list editors' specs: networks picked from the vCenter's
 * inventory in NIC order, the others typed and checked by the store's own
 * parser (store_check_template) so the words are `drover validate`'s. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/util.h"
#include "screens/template_edit.h"
#include "ui/picker.h"

static char **
kv_lines(const struct dr_kv *kv, size_t n)
{
    char **l = NULL;

    for (size_t i = 0; i < n; i++) {
        char *s = xasprintf("%s=%s", kv[i].key ? kv[i].key : "", kv[i].value ? kv[i].value : "");
        strv_push(&l, s);
        free(s);
    }
    return l;
}

/* "key=value" lines into kv pairs; the key is the text before the first
 * '=' (a .vmx key and a custom attribute's name have none), blanks around
 * it dropped. */
static void
kv_from_lines(char *const *l, struct dr_kv **kv, size_t *n)
{
    size_t k = strv_len(l);

    *kv = NULL;
    *n = 0;
    if (k == 0)
        return;
    *kv = xcalloc(k, sizeof **kv);
    for (size_t i = 0; i < k; i++) {
        const char *eq = strchr(l[i], '=');
        size_t kl = eq ? (size_t)(eq - l[i]) : strlen(l[i]);
        const char *v = eq ? eq + 1 : "";

        while (kl > 0 && l[i][kl - 1] == ' ')
            kl--;
        while (*v == ' ')
            v++;
        (*kv)[i].key = xstrndup(l[i], kl);
        (*kv)[i].value = xstrdup(v);
    }
    *n = k;
}

static void
kvs_clear(struct dr_kv **kv, size_t *n)
{
    for (size_t i = 0; i < *n; i++) {
        free((*kv)[i].key);
        free((*kv)[i].value);
    }
    free(*kv);
    *kv = NULL;
    *n = 0;
}

void
tdraft_from(struct tdraft *d, const struct dr_template *t)
{
    memset(d, 0, sizeof *d);
    template_copy(&d->t, t);
    d->clone_mode = xstrdup(t->clone_mode == DR_CLONE_LINKED ? "linked" : "full");
    d->extra = kv_lines(t->extra_config, t->n_extra_config);
    d->attrs = kv_lines(t->custom_attributes, t->n_custom_attributes);
    /* The draft's lists change under the form: the lines of the file's
     * elements no longer apply (and would be read past their end). */
    xfree(&d->t.tag_lines);
    xfree(&d->t.custom_attribute_lines);
    kvs_clear(&d->t.extra_config, &d->t.n_extra_config);
    kvs_clear(&d->t.custom_attributes, &d->t.n_custom_attributes);
}

void
tdraft_done(struct tdraft *d)
{
    template_done(&d->t);
    free(d->clone_mode);
    strv_free(&d->extra);
    strv_free(&d->attrs);
    memset(d, 0, sizeof *d);
}

void
tdraft_build(const struct tdraft *d, struct dr_template *out)
{
    template_copy(out, &d->t);
    /* An emptied list is no key at all (networks: keep the source's NICs). */
    if (out->networks && out->networks[0] == NULL)
        strv_free(&out->networks);
    if (out->tags && out->tags[0] == NULL)
        strv_free(&out->tags);
    kv_from_lines(d->extra, &out->extra_config, &out->n_extra_config);
    kv_from_lines(d->attrs, &out->custom_attributes, &out->n_custom_attributes);
    out->clone_mode = str_eq(d->clone_mode, "linked") ? DR_CLONE_LINKED : DR_CLONE_FULL;
}

/* The store's problem with element i of list key, as validate says it
 * ("tags[1]: ..."), when the draft holds the list being edited. */
static char *
element_problem(struct tdraft *d, const char *key, char **items, size_t i)
{
    struct dr_template t;
    struct dr_diag *diag = NULL;
    char *want = xasprintf("%s[%zu]", key, i), *p = NULL;
    size_t n;

    (void)items; /* the draft's own list: checked through the draft */
    tdraft_build(d, &t);
    n = store_check_template(&t, &diag);
    for (size_t k = 0; k < n && p == NULL; k++)
        if (diag[k].field && strncmp(diag[k].field, want, strlen(want)) == 0)
            p = xasprintf("%s: %s", diag[k].field, diag[k].message);
    store_diags_free(diag, n);
    template_done(&t);
    free(want);
    return p;
}

static char *
check_tag(char **items, size_t i, void *ctx)
{
    return element_problem(ctx, "tags", items, i);
}

/* A key=value line: the '=' is needed (an empty value is allowed). */
static char *
check_kv(struct tdraft *d, const char *key, char **items, size_t i)
{
    const char *eq = strchr(items[i], '=');

    if (eq == NULL || eq == items[i])
        /* L10N: %s is extra_config or custom_attributes. */
        return xasprintf(_("%s[%zu]: write key=value"), key, i);
    return element_problem(d, key, items, i);
}

/* "key = value" as it is saved: "key=value". */
static char *
tidy_kv(const char *item)
{
    struct dr_kv *kv;
    size_t n;
    char *one[] = {(char *)item, NULL}, *out;

    if (strchr(item, '=') == NULL)
        return xstrdup(item);
    kv_from_lines(one, &kv, &n);
    out = xasprintf("%s=%s", kv[0].key, kv[0].value);
    kvs_clear(&kv, &n);
    return out;
}

static char *
check_extra(char **items, size_t i, void *ctx)
{
    return check_kv(ctx, "extra_config", items, i);
}

static char *
check_attr(char **items, size_t i, void *ctx)
{
    return check_kv(ctx, "custom_attributes", items, i);
}

/* The networks' editor keeps the inventory and the draft to flag with. */
static struct {
    const struct tdraft *d;
    const struct dr_inventory **inv;
} nets;

static bool
network_known(const struct tdraft *d, const struct dr_inventory *inv, const char *net)
{
    return inv == NULL || inventory_has(inv, DR_INV_NETWORK, d->t.datacenter, NULL, net);
}

static char *
flag_network(const char *item, void *ctx)
{
    (void)ctx;
    if (nets.inv == NULL || network_known(nets.d, *nets.inv, item))
        return NULL;
    return xasprintf(_("! not in vCenter %s"), nets.d->t.vcenter ? nets.d->t.vcenter : "");
}

char *
template_networks_flag(const struct tdraft *d, const struct dr_inventory *inv)
{
    size_t missing = 0;

    for (size_t i = 0; d->t.networks && d->t.networks[i]; i++)
        missing += !network_known(d, inv, d->t.networks[i]);
    if (missing == 0)
        return NULL;
    /* L10N: beside the networks row: how many listed networks the vCenter lacks. */
    return xasprintf(_("! %zu not in vCenter %s"), missing, d->t.vcenter ? d->t.vcenter : "");
}

bool
template_list_spec(const char *key, struct tdraft *d, const struct dr_inventory **inv,
                   struct listedit_spec *out)
{
    memset(out, 0, sizeof *out);
    out->ctx = d;
    if (str_eq(key, "networks")) {
        nets.d = d;
        nets.inv = inv;
        out->title = _("Networks of the VM, one per NIC, in NIC order");
        out->item_label = _("NIC");
        out->picked = true;
        out->flag = flag_network;
    } else if (str_eq(key, "tags")) {
        out->title = _("vCenter tags attached to each VM");
        out->item_label = _("Tag");
        out->picked = true;   /* from the vCenter's tags (DR_INV_TAG) */
        out->typed_too = true; /* or typed, when the vCenter lists none */
        out->entry_help = _("category/name, or a tag name alone; %2f for a '/' inside a name");
        out->check = check_tag;
    } else if (str_eq(key, "extra_config")) {
        out->title = _("extra_config: advanced settings (.vmx keys) of each VM");
        out->item_label = _("Setting");
        out->entry_help = _("key=value, e.g. disk.EnableUUID=TRUE; drover's guestinfo keys are its own");
        out->check = check_extra;
        out->tidy = tidy_kv;
    } else if (str_eq(key, "custom_attributes")) {
        out->title = _("vCenter custom attributes set on each VM");
        out->item_label = _("Attribute");
        out->entry_help = _("name=value, e.g. owner=team-a");
        out->check = check_attr;
        out->tidy = tidy_kv;
    } else {
        return false;
    }
    return true;
}
