/* Headless commands: `drover COMMAND ...`. Each command group lives in its own
 * file under src/cli/ and is listed once in cli.c's table. */
#ifndef DR_CLI_H
#define DR_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct dr_error;
struct dr_store;
struct dr_cluster;
struct cJSON;
struct dr_health;
struct dr_node;

/* Options every command sees, parsed before the command name. */
struct cli_globals {
    const char *config_dir;   /* --config-dir */
    const char *state_dir;    /* --state-dir */
    bool read_only;           /* --read-only or DROVER_READ_ONLY=1 */
    bool verbose;             /* -v: log to stderr too */
};

struct cli_command {
    const char *name;
    const char *args;         /* usage synopsis after the name */
    const char *help;         /* one line, translated at print time */
    /* argv[0] is the command name. Returns the process exit code:
     * 0 ok, 1 failure, 2 usage error. */
    int (*run)(const struct cli_globals *g, int argc, char **argv);
};

/* Entry point for main(): parses global options and runs a command.
 * Returns -1 when no command was given (main decides: TUI or list). */
int cli_main(int argc, char **argv, struct cli_globals *g);

/* The command table (cli.c), *n entries: for drover --help and the man
 * page test. */
const struct cli_command *cli_command_table(size_t *n);

/* Helpers for commands. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Open and load the store with the global overrides; prints the reason and
 * returns false on a fatal error. Diagnostics stay in the store. */
bool cli_open_store(const struct cli_globals *g, struct dr_store *s);
/* A command asked about files that did not load must not look as if they
 * were empty. For the failed files matching one of patterns (fnmatch(3)
 * with FNM_PATHNAME, such as "templates/" "*.cfg" or "vcenters.cfg";
 * NULL-terminated) prints each of their problems on stderr, once; the other problems get one
 * line that points at 'drover validate'. Returns how many files (or
 * folders) of those asked about failed: the command then exits 1. */
size_t cli_report_failed(const struct dr_store *s, const char *const *patterns);
/* The same for the files a cluster spec is worked from besides itself:
 * drover.cfg, vcenters.cfg and the templates its pools use. Returns how many
 * of those failed: apply and preflight then stop before any vCenter call. */
size_t cli_report_spec_inputs(const struct dr_store *s, const struct dr_cluster *spec);
/* A cluster spec file (-f FILE) that did not load: each of its problems on
 * stderr once, "drover: FILE:LINE: FIELD: what" (e's text when the store
 * named none). */
void cli_report_spec_file(const struct dr_store *s, const char *file, const struct dr_error *e);
/* Set o[key] to the string v, or to JSON null when v is NULL. */
void cli_json_str(struct cJSON *o, const char *key, const char *v);
/* Kubernetes health (health.c) in drover status: the cluster's
 * "kubernetes" object {api: "up"|"down"|null, nodes_ready, nodes_total,
 * polled (RFC 3339), error}; a node's k8s_ready ("Ready", "NotReady",
 * "Unknown", "Missing" or null), kubelet, k8s_reason, k8s_since; and the
 * text form's "kubernetes: ..." line (none before the first poll). */
void cli_status_health_json(struct cJSON *root, const struct dr_health *h);
void cli_status_node_k8s_json(struct cJSON *o, const struct dr_node *n);
void cli_status_health_text(const struct dr_health *h);
/* "-o table|json" parsing: returns true for json; exits via usage error otherwise. */
int cli_parse_output(const char *cmd, const char *value, bool *json);
/* The usage error for getopt's '?' (unknown option) or ':' (an option
 * without its value; the optstring starts with ':'), naming the option. */
int cli_option_error(const char *cmd, int c, char **argv);

/* A table printed with columns as wide as their widest cell (common.c). */
struct cli_table {
    size_t ncols;
    char **cells; /* row-major, ncols per row; the first row is the header */
    size_t nrows;
};
/* Add a row of ncols strings; NULL or "" shows as "-". */
void cli_table_row(struct cli_table *t, ...);
/* Print the rows and free them. */
void cli_table_print(struct cli_table *t, FILE *out);

/* Command groups (one file each). */
int cmd_list(const struct cli_globals *g, int argc, char **argv);       /* list.c */
int cmd_apply(const struct cli_globals *g, int argc, char **argv);      /* apply.c */
int cmd_delete(const struct cli_globals *g, int argc, char **argv);     /* apply.c */
int cmd_status(const struct cli_globals *g, int argc, char **argv);     /* apply.c */
int cmd_validate(const struct cli_globals *g, int argc, char **argv);   /* validate.c */
int cmd_cloud_init(const struct cli_globals *g, int argc, char **argv); /* cloudinit.c */
int cmd_vcenter(const struct cli_globals *g, int argc, char **argv);    /* vcenter.c */
int cmd_preflight(const struct cli_globals *g, int argc, char **argv);  /* preflight.c */
int cmd_kubeconfig(const struct cli_globals *g, int argc, char **argv); /* kubeconfig.c */
/* preflight.c: apply's gate; prints the findings, 1 when there are errors
 * (or preflight could not run), else 0. */
int cli_preflight_gate(const struct dr_store *s, const struct dr_cluster *spec);

#endif
