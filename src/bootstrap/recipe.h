/* Running a distribution recipe (data/bootstrap/<dist>.sh) on a node.
 *
 * The contract between drover and a recipe (see data/bootstrap/README):
 *   ~/.drover/bootstrap.sh   the recipe, uploaded (0700)
 *   ~/.drover/params.env     shell assignments, uploaded (0600):
 *       DROVER_ROLE          init (first server, cluster-init) | server | agent
 *       DROVER_NODE_NAME, DROVER_NODE_ADDR, DROVER_ROLES ("etcd,control-plane")
 *       DROVER_SERVER_ADDR   the first server's address (server, agent)
 *       DROVER_TOKEN_FILE    a 0600 file with the join token (server, agent)
 *       DROVER_VERSION       distribution version, may be empty
 *       DROVER_AIRGAP        path of the uploaded airgap bundle, or empty
 *       DROVER_OUT           folder for results
 *       DROVER_FILES         folder of the extra files (0600), or empty: the
 *                            recipe installs them where they belong and
 *                            removes the folder (the cloud provider's
 *                            manifests, which hold a password)
 *       plus any extra DROVER_* variables the caller passes
 *   run as: sh ~/.drover/bootstrap.sh ~/.drover/params.env
 *   output lines "drover-progress: <pct> <text>" report progress;
 *   an init server leaves $DROVER_OUT/token and $DROVER_OUT/kubeconfig (with
 *   the server address already rewritten), which drover fetches back.
 * Secrets (the token) travel only as 0600 files, never in a command line. */
#ifndef DR_RECIPE_H
#define DR_RECIPE_H

#include <stdbool.h>
#include <stddef.h>

#include "bootstrap/ssh.h"
#include "core/err.h"
#include "core/model.h"

enum recipe_role {
    RECIPE_INIT,   /* first server: cluster-init */
    RECIPE_SERVER, /* a further server joining the first */
    RECIPE_AGENT,  /* a worker */
};

/* A file handed to the recipe in $DROVER_FILES (uploaded 0600 over SFTP). */
struct recipe_file {
    const char *name; /* a base name: no '/', not starting with '.' */
    const char *data; /* may be a secret: it is only ever uploaded */
    size_t len;
};

struct recipe_params {
    const char *recipe_path; /* local file; NULL: recipe_default_path(dist) */
    enum dr_distribution dist;
    enum recipe_role role;
    const char *node_name;
    const char *node_addr;
    unsigned roles;            /* DR_ROLE_* */
    const char *server_addr;   /* server, agent */
    const char *token;         /* server, agent */
    const char *version;       /* may be NULL */
    const char *airgap_bundle; /* local path, uploaded first; may be NULL */
    const struct dr_kv *env;   /* extra variables (names must start DROVER_) */
    size_t n_env;
    const char *login_user;    /* when set, recipe_check_sudo runs first */
    const struct recipe_file *files; /* to $DROVER_FILES, may be NULL */
    size_t n_files;
};

struct recipe_result {
    int exit_status;
    char *token;      /* init only; a secret: wipe with recipe_result_done */
    char *kubeconfig; /* init only */
};

/* Progress parsed from a "drover-progress: <pct> <text>" line. */
typedef void (*recipe_progress_fn)(void *ud, int pct, const char *text);

/* Upload and run the recipe; output lines go to log_fn, progress lines also to
 * progress_fn. Fails with DR_E_REMOTE (exit code and last lines) when the
 * recipe fails; with p->login_user set, first as recipe_check_sudo. */
enum dr_err recipe_run(struct ssh_session *s, const struct recipe_params *p, ssh_line_fn log_fn,
                       recipe_progress_fn progress_fn, void *ud, struct recipe_result *out,
                       long long deadline_ms, struct dr_error *e);
void recipe_result_done(struct recipe_result *r);

/* Before a recipe: may the login user run sudo without a password? Skipped
 * for root. Runs `sudo -n true` on the node (sudo's own words go to log_fn):
 * - it succeeds, or the node has no sudo (the recipe says whether it needs
 *   one): DR_E_OK;
 * - "you must have a tty" (sudoers "Defaults requiretty"): the session is
 *   switched to a pseudo-terminal (ssh_set_pty), the probe runs again there,
 *   and the recipe runs on one;
 * - a password is required, or the user may not use sudo: DR_E_AUTH, cause
 *   "sudo:password" or "sudo:denied", the message naming the user, the node
 *   and the fix (a sudoers line "USER ALL=(ALL) NOPASSWD:ALL");
 * - anything else: DR_E_REMOTE with sudo's words. */
enum dr_err recipe_check_sudo(struct ssh_session *s, const char *user, const char *node,
                              ssh_line_fn log_fn, void *ud, long long deadline_ms,
                              struct dr_error *e);

/* True for a progress line; *pct 0..100, *text points into line. */
bool recipe_parse_progress(const char *line, int *pct, const char **text);

/* $DROVER_DATA_DIR/bootstrap/<dist>.sh, else PKGDATADIR/bootstrap/<dist>.sh. */
/* The exit status by which a recipe says its inputs are wrong (a version the
 * installed binary is not, an airgap bundle without what it needs): the same
 * inputs fail again, so the node is not retried (cause "recipe:input"). */
enum { RECIPE_EXIT_INPUT = 2 };

char *recipe_default_path(enum dr_distribution dist);

/* The params.env text (shell-quoted values), newly allocated; a secret
 * only in that it names the token file, not the token. */
char *recipe_params_env(const struct recipe_params *p, const char *token_file, const char *airgap);
/* The same, with the files folder (relative to the login user's home) as
 * DROVER_FILES; NULL: none. */
char *recipe_params_env_files(const struct recipe_params *p, const char *token_file,
                              const char *airgap, const char *files_dir);

/* Store an init server's results: $state/kubeconfig/<cluster>.yaml and
 * $state/keys/<cluster>/token, both 0600. */
enum dr_err recipe_store_result(const char *state_dir, const char *cluster,
                                const struct recipe_result *r, struct dr_error *e);

/* Where recipe_store_result puts them, newly allocated. */
char *recipe_kubeconfig_path(const char *state_dir, const char *cluster);
char *recipe_token_path(const char *state_dir, const char *cluster);

#endif
