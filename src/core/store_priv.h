/* Internals shared by the store's files (store.c, store_cfg.c, store_load.c,
 * store_save.c, settings.c). Not for other layers: they use store.h. */
#ifndef DR_STORE_PRIV_H
#define DR_STORE_PRIV_H

#include <libconfig.h>
#include <stdbool.h>

#include "core/store.h"

/* One file being parsed: where diagnostics go and whether it failed. */
struct cfg_ctx {
    struct dr_store *s;
    const char *file; /* as shown: relative to the config or state folder */
    int errors;
    /* Check names that point at other files (vcenters, templates) against
     * what the store holds. Off when validating a file on its own. */
    bool check_refs;
    bool vcenters_known; /* vcenters.cfg loaded, so missing ones are real */
    /* cfg_member's hint: the group last looked in and the index after the
     * member found there (files list a group's keys in the order they are
     * read, so the next key is usually there). */
    const config_setting_t *scan_group;
    int scan_next;
};

void store_diag_add(struct dr_store *s, const char *file, int line, const char *field,
                    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void store_diags_clear(struct dr_store *s);

/* Parse text as libconfig; a syntax error becomes a diagnostic. */
bool cfg_parse_text(struct cfg_ctx *c, const char *text, config_t *cfg);
/* Read path and parse it; a missing file sets *missing and is no error. */
bool cfg_parse_file(struct cfg_ctx *c, const char *path, config_t *cfg, bool *missing);

void cfg_err(struct cfg_ctx *c, const config_setting_t *at, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* A problem that is reported but does not make the file fail. */
void cfg_note(struct cfg_ctx *c, const config_setting_t *at, const char *field, const char *fmt,
              ...) __attribute__((format(printf, 4, 5)));
int cfg_line(const config_setting_t *st);
/* "prefix" + "key" as a field name for messages. */
char *cfg_field(const char *prefix, const char *key);
/* The member key of group g, or NULL (no group, no such key): the setting
 * inside g's config, not a copy. libconfig's own config_setting_get_member
 * compares names a character at a time through strchr, which made it a
 * tenth of the console's start with 10,000 nodes; this scans with strcmp
 * from c's hint. */
config_setting_t *cfg_member(struct cfg_ctx *c, const config_setting_t *g, const char *key);
/* Report every key of group not in keys (NULL-terminated). */
void cfg_check_keys(struct cfg_ctx *c, const config_setting_t *group, const char *const *keys,
                    const char *prefix);
/* Lookups: false when absent (and then an error if required) or invalid. */
bool cfg_get_string(struct cfg_ctx *c, const config_setting_t *g, const char *key,
                    const char *prefix, bool required, char **out);
bool cfg_get_int(struct cfg_ctx *c, const config_setting_t *g, const char *key, const char *prefix,
                 bool required, long long min, long long max, int *out);
bool cfg_get_int64(struct cfg_ctx *c, const config_setting_t *g, const char *key,
                   const char *prefix, long long min, long long max, long long *out);
bool cfg_get_bool(struct cfg_ctx *c, const config_setting_t *g, const char *key, const char *prefix,
                  bool *out);
bool cfg_get_strv(struct cfg_ctx *c, const config_setting_t *g, const char *key, const char *prefix,
                  char ***out);
bool cfg_get_kvs(struct cfg_ctx *c, const config_setting_t *g, const char *key, const char *prefix,
                 struct dr_kv **out, size_t *n);
bool cfg_get_roles(struct cfg_ctx *c, const config_setting_t *g, const char *key,
                   const char *prefix, bool required, unsigned *out);
bool cfg_check_name(struct cfg_ctx *c, const config_setting_t *at, const char *field,
                    const char *name);

/* Writing: add a setting when the value is set. */
void cfg_put_string(config_setting_t *g, const char *key, const char *v);
void cfg_put_int(config_setting_t *g, const char *key, int v);
void cfg_put_int64(config_setting_t *g, const char *key, long long v);
void cfg_put_bool(config_setting_t *g, const char *key, bool v);
void cfg_put_strv(config_setting_t *g, const char *key, char *const *v);
void cfg_put_kvs(config_setting_t *g, const char *key, const struct dr_kv *kv, size_t n);
void cfg_put_roles(config_setting_t *g, const char *key, unsigned roles);
/* The whole configuration as text, with a comment line in front. */
char *cfg_to_text(config_t *cfg, const char *comment);

/* Per-kind parsers over parsed libconfig (store_load.c, settings.c). Each
 * fills out only when the file is free of errors. */
bool parse_settings(struct cfg_ctx *c, config_t *cfg, struct dr_settings *out);
bool parse_vcenters(struct cfg_ctx *c, config_t *cfg, struct dr_vcenter **out, size_t *n);
bool parse_template(struct cfg_ctx *c, config_t *cfg, const char *name, struct dr_template *out);
bool parse_cluster(struct cfg_ctx *c, config_t *cfg, const char *name, struct dr_cluster *out);
/* cloud_provider and the vsphere block of a cluster file (store_cloud.c). */
bool parse_cloud(struct cfg_ctx *c, const config_setting_t *root, struct dr_cluster *cl);
void cloud_to_cfg(config_setting_t *r, const struct dr_cluster *c);
bool parse_status(struct cfg_ctx *c, config_t *cfg, const char *cluster,
                  struct dr_cluster_status *out);

/* Writers (store_save.c, settings.c): the struct as libconfig text. */
char *settings_to_text(const struct dr_settings *v);
char *vcenters_to_text(const struct dr_vcenter *v, size_t n);
char *template_to_text(const struct dr_template *t);
char *cluster_to_text(const struct dr_cluster *c);
char *status_to_text(const struct dr_cluster_status *st);
/* st's nodes and health into cfg's root as the state file has them, and
 * log_seq when nonzero (store_log.c writes a record's body with it). */
void status_to_cfg(config_t *cfg, const struct dr_cluster_status *st, unsigned long log_seq);

/* The state log (store_log.c). Replay clusters/<name>.state.log at path
 * into st (its snapshot, just loaded): records after st->log_seq; a
 * damaged one is skipped and named in a diagnostic of c (whose file names
 * the log) with its line, a record cut short at the end only logged; any of
 * them sets st->log_torn. Remove a cluster's log (a missing one is fine). */
void store_log_replay(struct cfg_ctx *c, const char *path, struct dr_cluster_status *st);
void store_log_remove(struct dr_store *s, const char *cluster);

/* Cross-file checks after everything loaded (store_load.c). */
void store_check_references(struct dr_store *s, bool vcenters_known);

/* Check that a secrets file is ours and 0600; message like OpenSSH's. */
enum dr_err store_check_private(const char *path, const char *shown, struct dr_error *e);

#endif
