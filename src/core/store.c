#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <pwd.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/i18n.h"
#include "core/log.h"
#include "core/store_priv.h"
#include "core/util.h"

/* $XDG_x if set and absolute (the spec says to ignore relative ones), else
 * $HOME/fallback; then "/drover". */
static char *
xdg_dir(const char *var, const char *fallback)
{
    const char *v = getenv(var);
    const char *home = getenv("HOME");

    if (v && v[0] == '/')
        return util_path_join(v, "drover");
    if (str_empty(home)) {
        struct passwd *pw = getpwuid(getuid());
        home = pw && pw->pw_dir ? pw->pw_dir : "/";
    }
    return xasprintf("%s/%s/drover", strcmp(home, "/") == 0 ? "" : home, fallback);
}

enum dr_err
store_init(struct dr_store *s, const char *config_dir_override, const char *state_dir_override,
           struct dr_error *e)
{
    memset(s, 0, sizeof *s);
    s->config_dir =
        config_dir_override ? xstrdup(config_dir_override) : xdg_dir("XDG_CONFIG_HOME", ".config");
    s->state_dir = state_dir_override ? xstrdup(state_dir_override)
                                      : xdg_dir("XDG_STATE_HOME", ".local/state");
    settings_defaults(&s->settings);
    return DR_E_OK;
}

static void
store_clear(struct dr_store *s)
{
    settings_done(&s->settings);
    for (size_t i = 0; i < s->n_vcenters; i++)
        vcenter_done(&s->vcenters[i]);
    xfree(&s->vcenters);
    s->n_vcenters = 0;
    for (size_t i = 0; i < s->n_templates; i++)
        template_done(&s->templates[i]);
    xfree(&s->templates);
    s->n_templates = 0;
    for (size_t i = 0; i < s->n_clusters; i++)
        cluster_done(&s->clusters[i]);
    xfree(&s->clusters);
    s->n_clusters = 0;
    for (size_t i = 0; i < s->n_statuses; i++)
        cluster_status_done(&s->statuses[i]);
    xfree(&s->statuses);
    s->n_statuses = 0;
    store_diags_clear(s);
    s->vcenters_loaded = false;
    strv_free(&s->failed);
}

bool
store_file_failed(const struct dr_store *s, const char *file)
{
    for (size_t i = 0; s->failed && s->failed[i]; i++) {
        if (str_eq(s->failed[i], file))
            return true;
    }
    return false;
}

void
store_done(struct dr_store *s)
{
    store_clear(s);
    xfree(&s->config_dir);
    xfree(&s->state_dir);
}

char *
store_state_path(const struct dr_store *s, const char *rel)
{
    return util_path_join(s->state_dir, rel);
}

char *
store_config_path(const struct dr_store *s, const char *rel)
{
    return util_path_join(s->config_dir, rel);
}

enum dr_err
store_check_private(const char *path, const char *shown, struct dr_error *e)
{
    struct stat st;

    if (stat(path, &st) != 0)
        return dr_error_set(e, errno == ENOENT ? DR_E_NOTFOUND : DR_E_IO, "%s: %s", shown,
                            strerror(errno));
    if (st.st_uid != geteuid())
        return dr_error_set(e, DR_E_PERM, _("%s: owned by uid %u, not by you (uid %u)"), shown,
                            (unsigned)st.st_uid, (unsigned)geteuid());
    if (st.st_mode & 077)
        return dr_error_set(e, DR_E_PERM, _("%s: permissions %04o are too open; run chmod 600 %s"),
                            shown, (unsigned)(st.st_mode & 07777), path);
    return DR_E_OK;
}

static int
filter_visible(const struct dirent *d)
{
    return d->d_name[0] != '.';
}

/* Every dir/NAME<suffix> in name order: NAME and the path shown. */
static size_t
list_dir(struct dr_store *s, const char *base, const char *dir, const char *suffix, char ***names)
{
    char *path = util_path_join(base, dir);
    struct dirent **ents = NULL;
    int n = scandir(path, &ents, filter_visible, alphasort);
    size_t count = 0;

    *names = NULL;
    if (n < 0 && errno != ENOENT) {
        store_diag_add(s, dir, 0, NULL, _("cannot read folder %s: %s"), path, strerror(errno));
        strv_push(&s->failed, dir);
    }
    for (int i = 0; i < n; i++) {
        const char *nm = ents[i]->d_name;
        if (str_has_suffix(nm, suffix) && strlen(nm) > strlen(suffix)) {
            char *stem = xstrndup(nm, strlen(nm) - strlen(suffix));
            strv_push(names, stem);
            free(stem);
            count++;
        }
        free(ents[i]);
    }
    free(ents);
    free(path);
    return count;
}

static void
load_settings(struct dr_store *s)
{
    struct cfg_ctx c = {.s = s, .file = "drover.cfg"};
    char *path = store_config_path(s, "drover.cfg");
    config_t cfg;
    bool missing;

    if (cfg_parse_file(&c, path, &cfg, &missing))
        parse_settings(&c, &cfg, &s->settings);
    if (c.errors > 0)
        strv_push(&s->failed, c.file);
    config_destroy(&cfg);
    free(path);
}

static void
load_vcenters(struct dr_store *s)
{
    struct cfg_ctx c = {.s = s, .file = "vcenters.cfg"};
    char *path = store_config_path(s, "vcenters.cfg");
    struct dr_error e = {0};
    config_t cfg;
    bool missing;

    switch (store_check_private(path, "vcenters.cfg", &e)) {
    case DR_E_OK:
        if (cfg_parse_file(&c, path, &cfg, &missing))
            s->vcenters_loaded = parse_vcenters(&c, &cfg, &s->vcenters, &s->n_vcenters);
        else
            s->vcenters_loaded = missing;
        config_destroy(&cfg);
        break;
    case DR_E_NOTFOUND:
        s->vcenters_loaded = true; /* no file: no vCenters, and that is fine */
        break;
    default:
        /* The message already starts with the file name. */
        store_diag_add(s, "vcenters.cfg", 0, NULL, "%s", e.msg + strlen("vcenters.cfg: "));
        break;
    }
    if (!s->vcenters_loaded)
        strv_push(&s->failed, "vcenters.cfg");
    free(path);
}

/* The parsers behind one shape, for the loops below: fill out (a struct of
 * the kind's type) from cfg, the thing being called name. */
typedef bool (*parse_fn)(struct cfg_ctx *c, config_t *cfg, const char *name, void *out);

static bool
parse_template_any(struct cfg_ctx *c, config_t *cfg, const char *name, void *out)
{
    return parse_template(c, cfg, name, out);
}

static bool
parse_cluster_any(struct cfg_ctx *c, config_t *cfg, const char *name, void *out)
{
    return parse_cluster(c, cfg, name, out);
}

static bool
parse_status_any(struct cfg_ctx *c, config_t *cfg, const char *name, void *out)
{
    return parse_status(c, cfg, name, out);
}

/* A folder of files, one thing each, named by the file's stem. */
struct file_kind {
    const char *dir;    /* "templates" */
    const char *suffix; /* ".cfg" */
    bool state;         /* under the state folder, not the config folder */
    bool check_refs;    /* check names of vcenters and templates it points at */
    size_t size;        /* of one parsed thing */
    parse_fn parse;
};

static const struct file_kind kind_template = {.dir = "templates",
                                               .suffix = ".cfg",
                                               .check_refs = true,
                                               .size = sizeof(struct dr_template),
                                               .parse = parse_template_any};
static const struct file_kind kind_cluster = {.dir = "clusters",
                                              .suffix = ".cfg",
                                              .check_refs = true,
                                              .size = sizeof(struct dr_cluster),
                                              .parse = parse_cluster_any};
static const struct file_kind kind_status = {.dir = "clusters",
                                             .suffix = ".state",
                                             .state = true,
                                             .size = sizeof(struct dr_cluster_status),
                                             .parse = parse_status_any};

/* One folder being loaded: each file's result in its own slot, so the
 * files can be parsed on several threads and still come out in name order. */
struct load_run {
    struct dr_store *s; /* read while loading (templates, vcenters, folders), not written */
    const struct file_kind *k;
    const char *base;
    char **names;
    size_t count;
    char *items;            /* count things of k->size */
    bool *ok;               /* items[i] parsed without errors */
    struct dr_diag **diags; /* each file's diagnostics, moved to s->diags in order */
    size_t *n_diags;
    atomic_size_t next; /* the next file no thread has taken */
};

/* Parse file i into its slot. The store it sees is a copy of run->s that
 * keeps the file's diagnostics apart from the other threads'. */
static void
load_one(struct load_run *run, size_t i)
{
    const struct file_kind *k = run->k;
    struct dr_store view = *run->s;
    char *rel = xasprintf("%s/%s%s", k->dir, run->names[i], k->suffix);
    char *path = util_path_join(run->base, rel);
    struct cfg_ctx c = {.s = &view,
                        .file = rel,
                        .check_refs = k->check_refs,
                        .vcenters_known = k->check_refs && view.vcenters_loaded};
    config_t cfg;

    view.diags = NULL;
    view.n_diags = 0;
    run->ok[i] = cfg_parse_file(&c, path, &cfg, NULL) &&
                 k->parse(&c, &cfg, run->names[i], run->items + i * k->size);
    config_destroy(&cfg);
    if (run->ok[i] && k == &kind_status) {
        /* The snapshot, then the changes logged since (store_log.c). */
        char *lrel = xasprintf("%s.log", rel);
        char *lpath = util_path_join(run->base, lrel);
        struct cfg_ctx lc = {.s = &view, .file = lrel};

        store_log_replay(&lc, lpath, (struct dr_cluster_status *)(run->items + i * k->size));
        free(lpath);
        free(lrel);
    }
    run->diags[i] = view.diags;
    run->n_diags[i] = view.n_diags;
    free(path);
    free(rel);
}

static void *
load_worker(void *arg)
{
    struct load_run *run = arg;
    size_t i;

    while ((i = atomic_fetch_add(&run->next, 1)) < run->count)
        load_one(run, i);
    return NULL;
}

/* Threads for count files: s->load_threads, or one per CPU this process
 * may use; none for a few files, where starting one costs more than it saves. */
static unsigned
load_threads(const struct dr_store *s, size_t count)
{
    unsigned n = s->load_threads;

    if (n == 0) {
        cpu_set_t cpus;
        n = sched_getaffinity(0, sizeof cpus, &cpus) == 0 ? (unsigned)CPU_COUNT(&cpus) : 1;
        if (count < 32)
            n = 1;
    }
    if (n > STORE_LOAD_THREADS_MAX)
        n = STORE_LOAD_THREADS_MAX;
    if (n > count)
        n = (unsigned)count;
    return n ? n : 1;
}

/* Every file of a kind that parses without errors, in name order, as a
 * new array of *n things; the others leave their diagnostics, in name order.
 * Parsing is most of the console's start (10,000 nodes: 1,000 state files),
 * and the files are independent, so they are parsed on load_threads threads;
 * this thread is one of them. */
static void *
load_kind(struct dr_store *s, const struct file_kind *k, size_t *n)
{
    struct load_run run = {.s = s, .k = k, .base = k->state ? s->state_dir : s->config_dir};
    pthread_t tids[STORE_LOAD_THREADS_MAX];
    unsigned started = 0, threads;

    run.count = list_dir(s, run.base, k->dir, k->suffix, &run.names);
    *n = 0;
    if (run.count == 0) {
        strv_free(&run.names);
        return NULL;
    }
    run.items = xcalloc(run.count, k->size);
    run.ok = xcalloc(run.count, sizeof *run.ok);
    run.diags = xcalloc(run.count, sizeof *run.diags);
    run.n_diags = xcalloc(run.count, sizeof *run.n_diags);
    atomic_init(&run.next, 0);
    threads = load_threads(s, run.count);
    while (started + 1 < threads && pthread_create(&tids[started], NULL, load_worker, &run) == 0)
        started++; /* a thread that does not start leaves its share to the others */
    load_worker(&run);
    for (unsigned t = 0; t < started; t++)
        pthread_join(tids[t], NULL);

    for (size_t i = 0; i < run.count; i++) {
        if (run.n_diags[i] > 0) {
            s->diags = xrealloc(s->diags, (s->n_diags + run.n_diags[i]) * sizeof *s->diags);
            memcpy(s->diags + s->n_diags, run.diags[i], run.n_diags[i] * sizeof *s->diags);
            s->n_diags += run.n_diags[i];
        }
        free(run.diags[i]);
        if (run.ok[i]) {
            if (*n != i)
                memcpy(run.items + *n * k->size, run.items + i * k->size, k->size);
            (*n)++;
        } else {
            char *rel = xasprintf("%s/%s%s", k->dir, run.names[i], k->suffix);
            strv_push(&s->failed, rel);
            free(rel);
        }
    }
    free(run.diags);
    free(run.n_diags);
    free(run.ok);
    strv_free(&run.names);
    if (*n == 0)
        xfree(&run.items);
    return run.items;
}

enum dr_err
store_load(struct dr_store *s, struct dr_error *e)
{
    store_clear(s);
    settings_defaults(&s->settings);
    load_settings(s);
    load_vcenters(s);
    s->templates = load_kind(s, &kind_template, &s->n_templates);
    s->clusters = load_kind(s, &kind_cluster, &s->n_clusters);
    s->statuses = load_kind(s, &kind_status, &s->n_statuses);
    store_check_references(s, s->vcenters_loaded);
    return DR_E_OK;
}

const struct dr_vcenter *
store_find_vcenter(const struct dr_store *s, const char *name)
{
    for (size_t i = 0; name && i < s->n_vcenters; i++) {
        if (str_eq(s->vcenters[i].name, name))
            return &s->vcenters[i];
    }
    return NULL;
}

const struct dr_template *
store_find_template(const struct dr_store *s, const char *name)
{
    for (size_t i = 0; name && i < s->n_templates; i++) {
        if (str_eq(s->templates[i].name, name))
            return &s->templates[i];
    }
    return NULL;
}

const struct dr_cluster *
store_find_cluster(const struct dr_store *s, const char *name)
{
    for (size_t i = 0; name && i < s->n_clusters; i++) {
        if (str_eq(s->clusters[i].name, name))
            return &s->clusters[i];
    }
    return NULL;
}

const struct dr_cluster_status *
store_find_status(const struct dr_store *s, const char *cluster)
{
    for (size_t i = 0; cluster && i < s->n_statuses; i++) {
        if (str_eq(s->statuses[i].cluster, cluster))
            return &s->statuses[i];
    }
    return NULL;
}

/* The stem of a path's last component without its suffix: the thing's name. */
static char *
name_from_path(const char *path, const char *suffix)
{
    const char *base = strrchr(path, '/');
    size_t n;

    base = base ? base + 1 : path;
    n = strlen(base);
    if (str_has_suffix(base, suffix))
        n -= strlen(suffix);
    return xstrndup(base, n);
}

static enum dr_err
parse_result(struct dr_store *s, size_t first_diag, int errors, const char *path,
             struct dr_error *e)
{
    if (errors == 0)
        return DR_E_OK;
    if (s->n_diags > first_diag) {
        char *msg = store_diag_format(&s->diags[first_diag]);
        dr_error_set(e, DR_E_INVAL, "%s", msg);
        free(msg);
        return DR_E_INVAL;
    }
    return dr_error_set(e, DR_E_INVAL, _("%s: invalid"), path);
}

/* Parse one file at path (shown as given) with parse; a suffix names the
 * thing after the file's stem. */
static enum dr_err
parse_single(struct dr_store *s, const char *path, bool check_refs, const char *suffix,
             parse_fn parse, void *out, struct dr_error *e)
{
    struct cfg_ctx c = {.s = s,
                        .file = path,
                        .check_refs = check_refs,
                        .vcenters_known = check_refs && s->vcenters_loaded};
    char *name = suffix ? name_from_path(path, suffix) : NULL;
    size_t first = s->n_diags;
    config_t cfg;

    if (cfg_parse_file(&c, path, &cfg, NULL))
        parse(&c, &cfg, name, out);
    config_destroy(&cfg);
    free(name);
    return parse_result(s, first, c.errors, path, e);
}

static enum dr_err
parse_single_kind(struct dr_store *s, const char *path, const struct file_kind *k, void *out,
                  struct dr_error *e)
{
    memset(out, 0, k->size);
    return parse_single(s, path, k->check_refs, k->suffix, k->parse, out, e);
}

enum dr_err
store_parse_cluster_file(struct dr_store *s, const char *path, struct dr_cluster *out,
                         struct dr_error *e)
{
    return parse_single_kind(s, path, &kind_cluster, out, e);
}

char **
store_cluster_file_templates(const char *path)
{
    struct dr_store scratch = {0};
    struct cfg_ctx c = {.s = &scratch, .file = path};
    const config_setting_t *pools;
    char **names = NULL;
    config_t cfg;

    if (cfg_parse_file(&c, path, &cfg, NULL) &&
        (pools = config_lookup(&cfg, "pools")) != NULL &&
        config_setting_type(pools) == CONFIG_TYPE_LIST) {
        for (int i = 0; i < config_setting_length(pools); i++) {
            const char *t = NULL;
            config_setting_t *g = config_setting_get_elem(pools, (unsigned)i);
            if (config_setting_type(g) == CONFIG_TYPE_GROUP &&
                config_setting_lookup_string(g, "template", &t)) {
                bool seen = false;
                for (size_t j = 0; names && names[j] && !seen; j++)
                    seen = strcmp(names[j], t) == 0;
                if (!seen)
                    strv_push(&names, t);
            }
        }
    }
    config_destroy(&cfg);
    store_diags_clear(&scratch);
    return names;
}

enum dr_err
store_parse_template_file(struct dr_store *s, const char *path, struct dr_template *out,
                          struct dr_error *e)
{
    return parse_single_kind(s, path, &kind_template, out, e);
}

enum dr_err
store_parse_status_file(struct dr_store *s, const char *path, struct dr_cluster_status *out,
                        struct dr_error *e)
{
    return parse_single_kind(s, path, &kind_status, out, e);
}

struct vcenter_list {
    struct dr_vcenter **v;
    size_t *n;
};

static bool
parse_vcenters_any(struct cfg_ctx *c, config_t *cfg, const char *name, void *out)
{
    struct vcenter_list *l = out;

    return parse_vcenters(c, cfg, l->v, l->n);
}

enum dr_err
store_parse_vcenters_file(struct dr_store *s, const char *path, struct dr_vcenter **out, size_t *n,
                          struct dr_error *e)
{
    struct vcenter_list l = {.v = out, .n = n};

    *out = NULL;
    *n = 0;
    return parse_single(s, path, false, NULL, parse_vcenters_any, &l, e);
}

static bool
parse_settings_any(struct cfg_ctx *c, config_t *cfg, const char *name, void *out)
{
    return parse_settings(c, cfg, out);
}

enum dr_err
store_parse_settings_file(struct dr_store *s, const char *path, struct dr_settings *out,
                          struct dr_error *e)
{
    settings_defaults(out);
    return parse_single(s, path, false, NULL, parse_settings_any, out, e);
}

enum dr_err
vcenter_password(const struct dr_vcenter *v, char **out, struct dr_error *e)
{
    *out = NULL;
    if (v->password) {
        *out = xstrdup(v->password);
    } else if (v->password_file) {
        enum dr_err rc = store_check_private(v->password_file, v->password_file, e);
        char *text;
        size_t len;
        if (rc != DR_E_OK) {
            dr_error_prefix(e, _("vcenter %s: password_file"), v->name);
            return rc;
        }
        rc = util_read_file(v->password_file, &text, &len, e);
        if (rc != DR_E_OK) {
            dr_error_prefix(e, _("vcenter %s: password_file"), v->name);
            return rc;
        }
        /* One line; the newline an editor adds is not part of it. */
        text[strcspn(text, "\r\n")] = '\0';
        *out = text;
    } else if (v->password_env) {
        const char *val = getenv(v->password_env);
        if (val == NULL)
            return dr_error_set(e, DR_E_NOTFOUND,
                                _("vcenter %s: environment variable %s is not set"), v->name,
                                v->password_env);
        *out = xstrdup(val);
    } else {
        return dr_error_set(e, DR_E_NOTFOUND,
                            _("vcenter %s: no password configured (password, password_file or "
                              "password_env in vcenters.cfg)"),
                            v->name);
    }
    if (**out == '\0') {
        xfree(out);
        return dr_error_set(e, DR_E_INVAL, _("vcenter %s: the password is empty"), v->name);
    }
    log_add_secret(*out);
    return DR_E_OK;
}
