/* The store: drover's configuration and state as libconfig files under the
 * XDG folders (DESIGN.md "Files"). Loading collects every problem as a
 * diagnostic naming file:line and field; a broken file is skipped and the
 * others still load. Saving is atomic and never loses the previous file. */
#ifndef DR_STORE_H
#define DR_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "core/model.h"

/* One key binding from drover.cfg: bind = { nodes = { "x" = "delete"; }; }; */
struct dr_binding {
    char *screen;   /* "global" or a screen name */
    char *key;      /* as written: "x", "C-r", "F5", "Enter" */
    char *action;   /* an action name from src/ui/actions.h */
    struct dr_origin origin;
};

/* drover.cfg. Every option comes from one table (store.c) with its default. */
/* register_timeout's default: 300 s (see settings.c). */
#define DR_REGISTER_TIMEOUT_DEFAULT 300

struct dr_settings {
    int workers;               /* engine worker threads, default 8 */
    bool read_only;
    char *theme;               /* default "default" */
    char *log_level;           /* "debug", "info", "warn", "error" */
    char *default_vcenter;
    int step_timeout_s[DR_NODE__COUNT];  /* per pipeline step */
    int retries;               /* per step, default 3 */
    int retry_backoff_ms;      /* first backoff, doubled each time, with jitter */
    int max_clones_per_host;   /* full clones at once per ESXi host (vCenter: 16 units / 4) */
    int max_clones_per_datastore; /* full clones at once per datastore (vCenter: 128 / 16) */
    int preflight_margin_pct;  /* preflight: free space kept beyond the new disks, % of them */
    int health_interval_s;     /* Kubernetes health poll of each active cluster; 0: off */
    int register_timeout_s;    /* join: wait for the node's Ready Node object; 0: no wait */
    char **ip_ignore;          /* CIDRs the guest-IP wait ignores (NULL-terminated) */
    struct dr_binding *bindings;
    size_t n_bindings;
    struct dr_origin origin;
};

/* A problem found while loading: "file:line: field: message". */
struct dr_diag {
    char *file;
    int line;      /* 0 when not known */
    char *field;   /* NULL when the problem is not about one field */
    char *message;
};

/* A store is plain data: it has no lock of its own, so a caller that shares
 * one between threads serialises access to it. */
struct dr_store {
    char *config_dir;   /* $XDG_CONFIG_HOME/drover or the --config-dir override */
    char *state_dir;    /* $XDG_STATE_HOME/drover */
    struct dr_settings settings;
    struct dr_vcenter *vcenters;
    size_t n_vcenters;
    struct dr_template *templates;
    size_t n_templates;
    struct dr_cluster *clusters;
    size_t n_clusters;
    struct dr_cluster_status *statuses;  /* one per clusters/<name>.state */
    size_t n_statuses;
    struct dr_diag *diags;
    size_t n_diags;
    bool vcenters_loaded;   /* vcenters.cfg absent or loaded without errors */
    /* Files (as diagnostics name them: "vcenters.cfg", "templates/x.cfg",
     * "clusters/x.state") and folders ("templates") that exist but did not
     * load; NULL-terminated, NULL when everything loaded. */
    char **failed;
    /* Threads that parse a folder's files at store_load: 0 for one per CPU
     * the process may run on (at most STORE_LOAD_THREADS_MAX), 1 for none.
     * Set after store_init; results and diagnostics are the same either way. */
    unsigned load_threads;
};

#define STORE_LOAD_THREADS_MAX 8

/* The compiled-in defaults, and the usual pair for a dr_settings value. */
void settings_defaults(struct dr_settings *v);
void settings_done(struct dr_settings *v);
void settings_copy(struct dr_settings *dst, const struct dr_settings *src);
/* The options table (settings.c): name and help of option i, NULL past the end. */
size_t settings_option_count(void);
const char *settings_option_name(size_t i, const char **help);

/* The keys each kind of file accepts, NULL-terminated (a template's are
 * model.h's template_field_keys): the loader checks every key against these
 * (an unknown one is an error) and tests/unit/test_docs.c that drover(1)
 * documents each. */
extern const char *const store_vcenters_file_keys[]; /* vcenters.cfg, top level */
extern const char *const store_vcenter_keys[];  /* one entry of vcenters.cfg */
extern const char *const store_cluster_keys[];  /* clusters/NAME.cfg, top level */
extern const char *const store_pool_keys[];     /* one of a cluster's pools */
extern const char *const store_vsphere_keys[];  /* a cluster's vsphere block */
extern const char *const store_storage_class_keys[]; /* its storage_class */
extern const char *const settings_bind_keys[];  /* one entry of drover.cfg's bind */
extern const char *const store_kv_keys[];       /* extra_config, custom_attributes entries */

/* Resolve the folders (override, else XDG variables, else ~/.config and
 * ~/.local/state) and fill in compiled-in defaults. Loads nothing. */
enum dr_err store_init(struct dr_store *s, const char *config_dir_override,
                       const char *state_dir_override, struct dr_error *e);
/* Load every file; problems become diagnostics. Returns DR_E_OK even when
 * files were skipped (check n_diags); fails only on a fatal error. */
enum dr_err store_load(struct dr_store *s, struct dr_error *e);
void store_done(struct dr_store *s);

/* Whether file (as in s->failed) exists but did not load: a caller asked
 * about it must not treat it as empty. */
bool store_file_failed(const struct dr_store *s, const char *file);

/* "file:line: field: message" for diagnostic i, newly allocated. */
char *store_diag_format(const struct dr_diag *d);

const struct dr_vcenter *store_find_vcenter(const struct dr_store *s, const char *name);
const struct dr_template *store_find_template(const struct dr_store *s, const char *name);
const struct dr_cluster *store_find_cluster(const struct dr_store *s, const char *name);
const struct dr_cluster_status *store_find_status(const struct dr_store *s, const char *cluster);

/* Atomic saves. Each validates first and refuses to write something that
 * would not load back. */
enum dr_err store_save_settings(struct dr_store *s, const struct dr_settings *v,
                                struct dr_error *e);
enum dr_err store_save_vcenters(struct dr_store *s, const struct dr_vcenter *v, size_t n,
                                struct dr_error *e);
enum dr_err store_save_template(struct dr_store *s, const struct dr_template *t,
                                struct dr_error *e);
enum dr_err store_save_cluster(struct dr_store *s, const struct dr_cluster *c,
                               struct dr_error *e);
enum dr_err store_save_status(struct dr_store *s, const struct dr_cluster_status *st,
                              struct dr_error *e);
/* The state log (store_log.c): append one record with nodes[0..n) (each
 * whole; a node in state DR_NODE_REMOVED leaves the cluster) and health
 * (NULL: unchanged) to clusters/<cluster>.state.log and fsync it; the
 * store's copy of the status follows. A node step then costs what the
 * nodes it changed take, not the whole cluster. Needs a snapshot saved
 * (or loaded) first and refuses (DR_E_INVAL) while store_log_due() says
 * one is due; on a write error (DR_E_IO) the log may hold a torn record
 * and a snapshot is due. store_save_status() writes the snapshot and
 * removes the log; the loader replays it. */
enum dr_err store_log_nodes(struct dr_store *s, const char *cluster, const struct dr_node *nodes,
                            size_t n, const struct dr_health *health, struct dr_error *e);
/* Whether the cluster's next save should be a snapshot: none yet, the log
 * torn or not loadable, or its records at least max(256, 4 x n_nodes) (a
 * snapshot costs about a record per node, so its share per record stays
 * constant). */
bool store_log_due(const struct dr_store *s, const char *cluster, size_t n_nodes);
enum dr_err store_remove_cluster(struct dr_store *s, const char *name, struct dr_error *e);
enum dr_err store_remove_status(struct dr_store *s, const char *name, struct dr_error *e);

/* Check one vCenter entry or node template as loading it would (the rules
 * and words of `drover validate`), writing nothing: the diagnostics found,
 * each field named without the entry's "vcenters[0]." prefix and with line
 * 0; *out is NULL when there are none. Cross-file references (a template's
 * vcenter) are not checked. Free with store_diags_free(). */
size_t store_check_vcenter(const struct dr_vcenter *v, struct dr_diag **out);
size_t store_check_template(const struct dr_template *t, struct dr_diag **out);
/* A cluster spec; a pool's fields keep their "pools[N]." prefix stripped. */
size_t store_check_cluster(const struct dr_cluster *c, struct dr_diag **out);
/* clusters/NAME.cfg exactly as store_save_cluster() would write it (newly
 * allocated): what a review shows before saving. */
char *store_cluster_text(const struct dr_cluster *c);
/* The lines of config file rel (relative to the configuration folder) that
 * hold a comment ("#", "//" or a block comment, outside strings), as text
 * ("2, 9, 14", newly allocated), when saving would replace the file by ours
 * (drover's own text of it) and so drop them: NULL when the file is ours,
 * has no comment but the lines drover writes itself (its header, a line of
 * ours), or cannot be read. For the review's warning before a
 * save (issue 12: comments are not lost silently). */
char *store_dropped_comments(const struct dr_store *s, const char *rel, const char *ours);
/* The same for templates/NAME.cfg of the stored template NAME (ours: drover's
 * text of it as loaded): for the template editor's warning before Save. */
char *store_template_dropped_comments(const struct dr_store *s, const char *name);
/* Give c (a spec not read from a file: the wizard's) the origins it will
 * have once saved: origin.file "clusters/NAME.cfg" and each pool's,
 * airgap_bundle's, the vsphere block's and its keys' lines in store_cluster_text's text, so that
 * the checks' findings name the file and the lines the review shows. */
void store_cluster_set_origins(struct dr_cluster *c);
void store_diags_free(struct dr_diag *d, size_t n);
/* Whether saving t would write what the store already holds under its name
 * (an unchanged form writes nothing, and a hand-written file keeps its
 * comments). */
bool store_template_unchanged(const struct dr_store *s, const struct dr_template *t);
/* Before a changed template replaces templates/NAME.cfg: when the file is
 * not what drover itself would write (a hand-written file, with comments or
 * its own layout), copy it to templates/NAME.cfg.bak (0600) so that nothing
 * is lost silently; *backup is that name (newly allocated), or NULL when no
 * copy was needed. The loader reads only *.cfg files. */
enum dr_err store_backup_template(const struct dr_store *s, const char *name, char **backup,
                                  struct dr_error *e);
/* The same for any configuration file rel ("clusters/prod.cfg"): copied to
 * rel.bak when its text is not ours (what drover would write for the
 * entry as it is loaded now). */
enum dr_err store_backup_hand_written(const struct dr_store *s, const char *rel, const char *ours,
                                      char **backup, struct dr_error *e);

/* Pin a public key ("sha256//...") on an entry. A pin replaces insecure =
 * true: the operator chose this key (`drover vcenter trust`, the console's
 * onboarding). */
void vcenter_pin(struct dr_vcenter *v, const char *pin);
/* Add vc to the array (a deep copy), replacing the entry of the same name. */
void vcenters_put(struct dr_vcenter **v, size_t *n, const struct dr_vcenter *vc);
/* Add or replace one entry of vcenters.cfg as the file is now, and save it
 * (validated, atomic, 0600); s's vCenters become the file's. */
enum dr_err store_put_vcenter(struct dr_store *s, const struct dr_vcenter *vc, struct dr_error *e);

/* Parse one file of a kind on its own (used by `drover apply -f FILE`, the
 * fuzz target and tests). Diagnostics are appended to s->diags. */
/* The template names a cluster file's pools give, even when the file has
 * other problems (so that they can be checked too); NULL-terminated, newly
 * allocated (strv_free), NULL when the file cannot be read or parsed at all.
 * Adds no diagnostics. */
char **store_cluster_file_templates(const char *path);
enum dr_err store_parse_cluster_file(struct dr_store *s, const char *path,
                                     struct dr_cluster *out, struct dr_error *e);
enum dr_err store_parse_template_file(struct dr_store *s, const char *path,
                                      struct dr_template *out, struct dr_error *e);
enum dr_err store_parse_vcenters_file(struct dr_store *s, const char *path,
                                      struct dr_vcenter **out, size_t *n, struct dr_error *e);
enum dr_err store_parse_settings_file(struct dr_store *s, const char *path,
                                      struct dr_settings *out, struct dr_error *e);
enum dr_err store_parse_status_file(struct dr_store *s, const char *path,
                                    struct dr_cluster_status *out, struct dr_error *e);

/* Resolve a vCenter's password (inline, file with 0600 check, or environment).
 * The result is registered with log_add_secret(). */
enum dr_err vcenter_password(const struct dr_vcenter *v, char **out, struct dr_error *e);

/* Paths inside the state folder, newly allocated. */
char *store_state_path(const struct dr_store *s, const char *rel);
char *store_config_path(const struct dr_store *s, const char *rel);

#endif
