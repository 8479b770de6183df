/* Checking one vCenter entry or node template as the loader would, without
 * writing anything: the console's forms show these diagnostics under their
 * fields, in the same words as `drover validate`. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/store_priv.h"
#include "core/util.h"

/* Move scratch's diagnostics to *out, each field without its "vcenters[0]."
 * or "pools[1]." prefix (the entry is the form's one); a template's list
 * elements keep theirs ("extra_config[0].key": the form's list row). */
static size_t
take_diags(struct dr_store *scratch, struct dr_diag **out)
{
    size_t n = scratch->n_diags;

    for (size_t i = 0; i < n; i++) {
        struct dr_diag *d = &scratch->diags[i];
        bool element = d->field && (strncmp(d->field, "extra_config[", 13) == 0 ||
                                    strncmp(d->field, "custom_attributes[", 18) == 0);
        char *dot = d->field && !element ? strchr(d->field, ']') : NULL;

        if (dot && dot[1] == '.') {
            char *rest = xstrdup(dot + 2);
            free(d->field);
            d->field = rest;
        }
        d->line = 0;
    }
    *out = scratch->diags;
    scratch->diags = NULL;
    scratch->n_diags = 0;
    return n;
}

/* A parser run only for its diagnostics: what it reads is freed at once. */
typedef void (*check_parse_fn)(struct cfg_ctx *c, config_t *cfg, const char *name);

static void
parse_vcenters_only(struct cfg_ctx *c, config_t *cfg, const char *name)
{
    struct dr_vcenter *got = NULL;
    size_t ng = 0;

    (void)name;
    if (parse_vcenters(c, cfg, &got, &ng)) {
        for (size_t i = 0; i < ng; i++)
            vcenter_done(&got[i]);
        free(got);
    }
}

static void
parse_template_only(struct cfg_ctx *c, config_t *cfg, const char *name)
{
    struct dr_template got;

    if (parse_template(c, cfg, name, &got))
        template_done(&got);
}

static void
parse_cluster_only(struct cfg_ctx *c, config_t *cfg, const char *name)
{
    struct dr_cluster got;

    if (parse_cluster(c, cfg, name, &got))
        cluster_done(&got);
}

/* Read TEXT back as the file SHOWN (the name diagnostics carry) with PARSE;
 * the diagnostics go to *out (free with store_diags_free). TEXT is wiped
 * (it may hold a password) and freed. */
static size_t
check_text(const char *shown, char *text, check_parse_fn parse, const char *name,
           struct dr_diag **out)
{
    struct dr_store scratch = { 0 };
    struct cfg_ctx c = { .s = &scratch, .file = shown };
    config_t cfg;
    size_t n;

    if (cfg_parse_text(&c, text, &cfg))
        parse(&c, &cfg, name);
    config_destroy(&cfg);
    memset(text, 0, strlen(text));
    free(text);
    n = take_diags(&scratch, out);
    store_done(&scratch);
    return n;
}

size_t
store_check_vcenter(const struct dr_vcenter *v, struct dr_diag **out)
{
    return check_text("vcenters.cfg", vcenters_to_text(v, 1), parse_vcenters_only, "", out);
}

size_t
store_check_template(const struct dr_template *t, struct dr_diag **out)
{
    const char *name = t->name ? t->name : "";
    char *shown = xasprintf("templates/%s.cfg", name);
    size_t n = check_text(shown, template_to_text(t), parse_template_only, name, out);

    free(shown);
    return n;
}

void
store_diags_free(struct dr_diag *d, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(d[i].file);
        free(d[i].field);
        free(d[i].message);
    }
    free(d);
}

bool
store_template_unchanged(const struct dr_store *s, const struct dr_template *t)
{
    const struct dr_template *old = store_find_template(s, t->name);
    char *a, *b;
    bool same;

    if (old == NULL)
        return false;
    a = template_to_text(old);
    b = template_to_text(t);
    same = str_eq(a, b);
    free(a);
    free(b);
    return same;
}

enum dr_err
store_backup_hand_written(const struct dr_store *s, const char *rel, const char *ours,
                          char **backup, struct dr_error *e)
{
    char *path = store_config_path(s, rel);
    char *text = NULL;
    size_t len = 0;
    enum dr_err rc = DR_E_OK;

    *backup = NULL;
    /* What drover would have written itself holds nothing to lose. */
    if (util_read_file(path, &text, &len, NULL) == DR_E_OK && !str_eq(ours, text)) {
        char *bak = xasprintf("%s.bak", path);

        rc = util_write_atomic(bak, text, len, 0600, e);
        if (rc == DR_E_OK)
            *backup = xasprintf("%s.bak", rel);
        free(bak);
    }
    free(text);
    free(path);
    return rc;
}

enum dr_err
store_backup_template(const struct dr_store *s, const char *name, char **backup,
                      struct dr_error *e)
{
    const struct dr_template *old = store_find_template(s, name);
    char *rel, *ours;
    enum dr_err rc;

    *backup = NULL;
    if (old == NULL)
        return DR_E_OK;
    rel = xasprintf("templates/%s.cfg", name);
    ours = template_to_text(old);
    rc = store_backup_hand_written(s, rel, ours, backup, e);
    free(ours);
    free(rel);
    return rc;
}

char *
store_template_dropped_comments(const struct dr_store *s, const char *name)
{
    const struct dr_template *old = store_find_template(s, name);
    char *rel, *ours, *lines;

    if (old == NULL)
        return NULL;
    rel = xasprintf("templates/%s.cfg", name);
    ours = template_to_text(old);
    lines = store_dropped_comments(s, rel, ours);
    free(ours);
    free(rel);
    return lines;
}

size_t
store_check_cluster(const struct dr_cluster *cl, struct dr_diag **out)
{
    const char *name = cl->name ? cl->name : "";
    char *shown = xasprintf("clusters/%s.cfg", name);
    size_t n = check_text(shown, cluster_to_text(cl), parse_cluster_only, name, out);

    free(shown);
    return n;
}

char *
store_cluster_text(const struct dr_cluster *c)
{
    return cluster_to_text(c);
}

/* True when the line of text starting at start is, but for the blanks
 * around it, a line of ours: a comment drover writes itself (its header)
 * that the save keeps. */
static bool
line_is_ours(const char *start, const char *ours)
{
    const char *end = strchr(start, '\n');
    size_t n;

    if (end == NULL)
        end = start + strlen(start);
    while (start < end && (*start == ' ' || *start == '\t'))
        start++;
    while (end > start && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
        end--;
    n = (size_t)(end - start);
    for (const char *o = ours; o && *o;) {
        const char *oe = strchr(o, '\n'), *a = o;
        if (oe == NULL)
            oe = o + strlen(o);
        while (a < oe && (*a == ' ' || *a == '\t'))
            a++;
        while (oe > a && (oe[-1] == ' ' || oe[-1] == '\t'))
            oe--;
        if ((size_t)(oe - a) == n && n > 0 && memcmp(a, start, n) == 0)
            return true;
        o = strchr(o, '\n');
        o = o ? o + 1 : NULL;
    }
    return false;
}

char *
store_dropped_comments(const struct dr_store *s, const char *rel, const char *ours)
{
    char *path = store_config_path(s, rel), *text = NULL, *list = NULL;
    size_t len = 0, shown = 0;
    int line = 1, last = 0;
    bool in_str = false, in_block = false;
    size_t line_start = 0;

    if (util_read_file(path, &text, &len, NULL) != DR_E_OK || str_eq(text, ours)) {
        free(text);
        free(path);
        return NULL;
    }
    /* libconfig's lexical rules: comments start with #, // or / *, never
     * inside a "string" (where a backslash escapes the next character). */
    for (size_t i = 0; i < len; i++) {
        char ch = text[i], nx = i + 1 < len ? text[i + 1] : '\0';
        bool comment = false;

        if (ch == '\n') {
            line++;
            line_start = i + 1;
            in_str = false; /* libconfig strings do not span lines */
            continue;
        }
        if (in_block) {
            comment = true;
            if (ch == '*' && nx == '/') {
                in_block = false;
                i++;
            }
        } else if (in_str) {
            if (ch == '\\')
                i++;
            else if (ch == '"')
                in_str = false;
        } else if (ch == '"') {
            in_str = true;
        } else if (ch == '#' || (ch == '/' && nx == '/')) {
            comment = true;
            while (i + 1 < len && text[i + 1] != '\n')
                i++;
        } else if (ch == '/' && nx == '*') {
            comment = in_block = true;
            i++;
        }
        /* drover's own comment lines (the header it writes) stay. */
        if (comment && line != last && line_is_ours(text + line_start, ours))
            last = line;
        if (comment && line != last) {
            char *t = shown < 8 ? xasprintf("%s%s%d", list ? list : "", list ? ", " : "", line)
                                : shown == 8 ? xasprintf("%s, ...", list) : NULL;
            if (t) {
                free(list);
                list = t;
            }
            shown++;
            last = line;
        }
    }
    free(text);
    free(path);
    return list;
}

/* Read back with libconfig, as the loader would read the saved file; only
 * the lines are taken (the values are c's already). */
void
store_cluster_set_origins(struct dr_cluster *c)
{
    char *text = cluster_to_text(c), *file = xasprintf("clusters/%s.cfg", c->name ? c->name : "");
    const config_setting_t *root, *l, *g;
    config_t cfg;

    config_init(&cfg);
    free(c->origin.file);
    c->origin.file = file;
    c->origin.line = 1;
    if (config_read_string(&cfg, text) == CONFIG_TRUE) {
        root = config_root_setting(&cfg);
        c->airgap_line = cfg_line(config_setting_get_member(root, "airgap_bundle"));
        l = config_setting_get_member(root, "pools");
        for (size_t i = 0; i < c->n_pools; i++) {
            g = l ? config_setting_get_elem(l, (unsigned)i) : NULL;
            free(c->pools[i].origin.file);
            c->pools[i].origin.file = xstrdup(file);
            c->pools[i].origin.line = cfg_line(g);
        }
        g = config_setting_get_member(root, "vsphere");
        c->vsphere.line = cfg_line(g);
        c->vsphere.vcenter_line = g ? cfg_line(config_setting_get_member(g, "vcenter")) : 0;
        g = g ? config_setting_get_member(g, "storage_class") : NULL;
        c->vsphere.sc_url_line = g ? cfg_line(config_setting_get_member(g, "datastore_url")) : 0;
    }
    config_destroy(&cfg);
    free(text);
}
