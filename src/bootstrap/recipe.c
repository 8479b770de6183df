#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bootstrap/recipe.h"
#include "core/i18n.h"
#include "core/keys.h"
#include "core/log.h"
#include "core/util.h"

/* Remote paths, relative to the login user's home (where both SFTP and
 * exec start). */
#define R_DIR ".drover"
#define R_SCRIPT R_DIR "/bootstrap.sh"
#define R_PARAMS R_DIR "/params.env"
#define R_TOKEN R_DIR "/token"
#define R_AIRGAP R_DIR "/airgap"
#define R_OUT R_DIR "/out"
#define R_FILES R_DIR "/files"

static const char *const role_keys[] = {
    [RECIPE_INIT] = "init",
    [RECIPE_SERVER] = "server",
    [RECIPE_AGENT] = "agent",
};

char *
recipe_default_path(enum dr_distribution dist)
{
    const char *dir = getenv("DROVER_DATA_DIR");

    return xasprintf("%s/bootstrap/%s.sh", dir && *dir ? dir : PKGDATADIR, distribution_key(dist));
}

bool
recipe_parse_progress(const char *line, int *pct, const char **text)
{
    static const char tag[] = "drover-progress:";
    const char *p;
    char *end;
    long v;

    if (!str_has_prefix(line, tag))
        return false;
    p = line + strlen(tag);
    while (*p == ' ')
        p++;
    errno = 0;
    v = strtol(p, &end, 10);
    if (end == p || errno != 0 || v < 0 || v > 100 || (*end != ' ' && *end != '\0'))
        return false;
    while (*end == ' ')
        end++;
    *pct = (int)v;
    *text = end;
    return true;
}

/* 'value' for a POSIX shell. */
static void
add_assign(char **buf, const char *name, const char *value)
{
    const char *v = value ? value : "";
    size_t n = strlen(*buf) + strlen(name) + 4;
    char *o;

    for (const char *p = v; *p; p++)
        n += *p == '\'' ? 4 : 1;
    *buf = xrealloc(*buf, n + 1);
    o = *buf + strlen(*buf);
    o += sprintf(o, "%s='", name);
    for (const char *p = v; *p; p++) {
        if (*p == '\'') {
            memcpy(o, "'\\''", 4);
            o += 4;
        } else {
            *o++ = *p;
        }
    }
    strcpy(o, "'\n");
}

/* Append name="$HOME/rel" (rel: a path drover chose under the login's
 * home, expanded by the node's shell), or name='' when rel is NULL. */
static void
add_home_path(char **buf, const char *name, const char *rel)
{
    char *l;

    if (rel == NULL) {
        add_assign(buf, name, "");
        return;
    }
    l = xasprintf("%s%s=\"$HOME/%s\"\n", *buf, name, rel);
    free(*buf);
    *buf = l;
}

static bool
valid_env_name(const char *s)
{
    if (!str_has_prefix(s, "DROVER_") || strlen(s) <= 7)
        return false;
    return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") == strlen(s);
}

char *
recipe_params_env(const struct recipe_params *p, const char *token_file, const char *airgap)
{
    return recipe_params_env_files(p, token_file, airgap, NULL);
}

char *
recipe_params_env_files(const struct recipe_params *p, const char *token_file, const char *airgap,
                        const char *files_dir)
{
    char roles[64];
    char *buf = xstrdup("# drover recipe parameters (data/bootstrap/README)\n"
                        "DROVER_HOME=\"$HOME/" R_DIR "\"\n"
                        "DROVER_OUT=\"$HOME/" R_OUT "\"\n");

    add_assign(&buf, "DROVER_ROLE", role_keys[p->role]);
    add_assign(&buf, "DROVER_NODE_NAME", p->node_name);
    add_assign(&buf, "DROVER_NODE_ADDR", p->node_addr);
    add_assign(&buf, "DROVER_ROLES", roles_format(p->roles, roles, sizeof roles));
    add_assign(&buf, "DROVER_SERVER_ADDR", p->server_addr);
    add_assign(&buf, "DROVER_VERSION", p->version);
    add_home_path(&buf, "DROVER_TOKEN_FILE", token_file);
    add_home_path(&buf, "DROVER_AIRGAP", airgap);
    add_home_path(&buf, "DROVER_FILES", files_dir);
    for (size_t i = 0; i < p->n_env; i++) {
        if (valid_env_name(p->env[i].key))
            add_assign(&buf, p->env[i].key, p->env[i].value);
    }
    return buf;
}

struct run_ctx {
    ssh_line_fn log_fn;
    recipe_progress_fn progress_fn;
    void *ud;
};

static void
on_line(void *ud, enum ssh_stream st, const char *line)
{
    struct run_ctx *c = ud;
    const char *text;
    int pct;

    if (c->log_fn)
        c->log_fn(c->ud, st, line);
    if (c->progress_fn && st == SSH_STDOUT && recipe_parse_progress(line, &pct, &text))
        c->progress_fn(c->ud, pct, text);
}

static char *
trim(char *s)
{
    size_t n = strlen(s);

    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
        s[--n] = '\0';
    return s;
}

enum dr_err
recipe_run(struct ssh_session *s, const struct recipe_params *p, ssh_line_fn log_fn,
           recipe_progress_fn progress_fn, void *ud, struct recipe_result *out,
           long long deadline_ms, struct dr_error *e)
{
    struct run_ctx ctx = {.log_fn = log_fn, .progress_fn = progress_fn, .ud = ud};
    char *script = p->recipe_path ? xstrdup(p->recipe_path) : recipe_default_path(p->dist);
    char *airgap = NULL, *params = NULL;
    const char *token_file = NULL;
    enum dr_err rc;
    int status = -1;

    memset(out, 0, sizeof *out);
    out->exit_status = -1;
    if ((unsigned)p->role >= DR_ARRAY_LEN(role_keys) || str_empty(p->node_name)) {
        free(script);
        return dr_error_set(e, DR_E_INVAL, _("recipe: a role and a node name are required"));
    }
    if (p->role != RECIPE_INIT && (str_empty(p->server_addr) || str_empty(p->token))) {
        free(script);
        return dr_error_set(e, DR_E_INVAL,
                            _("recipe: node %s needs the first server's "
                              "address and join token"),
                            p->node_name);
    }
    if (p->login_user &&
        (rc = recipe_check_sudo(s, p->login_user, p->node_name, log_fn, ud, deadline_ms, e)) !=
            DR_E_OK)
        goto out;
    for (size_t i = 0; i < p->n_files; i++) {
        const char *nm = p->files[i].name;
        if (str_empty(nm) || strchr(nm, '/') || nm[0] == '.') {
            free(script);
            return dr_error_set(e, DR_E_INVAL, _("recipe: '%s' is not a file name"),
                                nm ? nm : "");
        }
    }
    rc = ssh_exec(s,
                  "rm -rf " R_FILES " && mkdir -p " R_OUT " " R_AIRGAP " " R_FILES " && chmod 700 " R_DIR
                  " " R_OUT " " R_FILES " && rm -f " R_OUT "/token " R_OUT "/kubeconfig",
                  log_fn, ud, &status, deadline_ms, e);
    if (rc == DR_E_OK)
        rc = ssh_upload_file(s, script, R_SCRIPT, 0700, deadline_ms, e);
    if (rc == DR_E_OK && !str_empty(p->airgap_bundle)) {
        const char *base = strrchr(p->airgap_bundle, '/');
        base = base ? base + 1 : p->airgap_bundle;
        airgap = xasprintf(R_AIRGAP "/%s", base);
        if (progress_fn)
            progress_fn(ud, 1, _("uploading the airgap bundle"));
        rc = ssh_upload_file(s, p->airgap_bundle, airgap, 0600, deadline_ms, e);
    }
    if (rc == DR_E_OK && p->role != RECIPE_INIT) {
        char *t = xasprintf("%s\n", p->token);
        token_file = R_TOKEN;
        rc = ssh_upload_data(s, t, strlen(t), R_TOKEN, 0600, deadline_ms, e);
        keys_free_secret(&t);
    }
    for (size_t i = 0; rc == DR_E_OK && i < p->n_files; i++) {
        char *path = xasprintf(R_FILES "/%s", p->files[i].name);
        rc = ssh_upload_data(s, p->files[i].data, p->files[i].len, path, 0600, deadline_ms, e);
        free(path);
    }
    if (rc == DR_E_OK) {
        params = recipe_params_env_files(p, token_file, airgap, p->n_files ? R_FILES : NULL);
        rc = ssh_upload_data(s, params, strlen(params), R_PARAMS, 0600, deadline_ms, e);
    }
    if (rc != DR_E_OK) {
        dr_error_prefix(e, _("preparing node %s"), p->node_name);
        goto out;
    }
    rc = ssh_exec(s, "sh " R_SCRIPT " " R_PARAMS, on_line, &ctx, &status, deadline_ms, e);
    out->exit_status = status;
    if (p->n_files) {
        /* The recipe installed (or, failing, left) them; they may hold a
         * password, so none stays in the login user's home either way. */
        struct dr_error ignore = {0};
        int st = 0;
        ssh_exec(s, "rm -rf " R_FILES, log_fn, ud, &st, deadline_ms, &ignore);
    }
    if (rc != DR_E_OK) {
        /* Exit 2: the recipe names wrong inputs (data/bootstrap/README). */
        if (status == RECIPE_EXIT_INPUT)
            dr_error_cause(e, "recipe:input");
        dr_error_prefix(e, _("recipe %s on %s"), script, p->node_name);
        goto out;
    }
    if (p->role == RECIPE_INIT) {
        rc = ssh_download(s, R_OUT "/token", 4096, &out->token, NULL, deadline_ms, e);
        if (rc == DR_E_OK) {
            /* The kubeconfig is the recipe's word that it started an API
             * (data/bootstrap/README): one that installs no Kubernetes
             * (test.sh) leaves none, and drover then neither waits for
             * Nodes nor polls the cluster's health. */
            rc = ssh_download(s, R_OUT "/kubeconfig", 1 << 20, &out->kubeconfig, NULL,
                              deadline_ms, e);
            if (rc == DR_E_NOTFOUND) {
                dr_error_clear(e);
                xfree(&out->kubeconfig);
                rc = DR_E_OK;
            }
        }
        if (rc != DR_E_OK) {
            dr_error_prefix(e, _("fetching the first server's results from %s"), p->node_name);
            goto out;
        }
        trim(out->token);
        if (out->token[0] == '\0') {
            rc = dr_error_set(e, DR_E_REMOTE, _("%s: the recipe left an empty join token"),
                              p->node_name);
            goto out;
        }
        log_add_secret(out->token);
    }
out:
    free(script);
    free(airgap);
    free(params);
    if (rc != DR_E_OK) {
        int keep = out->exit_status;
        recipe_result_done(out);
        out->exit_status = keep;
    }
    return rc;
}

void
recipe_result_done(struct recipe_result *r)
{
    keys_free_secret(&r->token);
    xfree(&r->kubeconfig);
    r->exit_status = -1;
}

char *
recipe_kubeconfig_path(const char *state_dir, const char *cluster)
{
    return xasprintf("%s/kubeconfig/%s.yaml", state_dir, cluster);
}

char *
recipe_token_path(const char *state_dir, const char *cluster)
{
    char *key = keys_cluster_path(state_dir, cluster), *dir = util_dirname(key);
    char *path = util_path_join(dir, "token");

    free(key);
    free(dir);
    return path;
}

enum dr_err
recipe_store_result(const char *state_dir, const char *cluster, const struct recipe_result *r,
                    struct dr_error *e)
{
    char *kpath, *kdir, *tpath, *tdir;
    enum dr_err rc;

    if (str_empty(cluster) || strchr(cluster, '/') || cluster[0] == '.')
        return dr_error_set(e, DR_E_INVAL, _("invalid cluster name '%s'"), cluster ? cluster : "");
    kpath = recipe_kubeconfig_path(state_dir, cluster);
    kdir = util_dirname(kpath);
    tpath = recipe_token_path(state_dir, cluster);
    tdir = util_dirname(tpath);
    rc = util_mkdir_p(kdir, 0700, e);
    if (rc == DR_E_OK && r->kubeconfig)
        rc = util_write_atomic(kpath, r->kubeconfig, strlen(r->kubeconfig), 0600, e);
    else if (rc == DR_E_OK && r->token && unlink(kpath) != 0 && errno != ENOENT)
        /* A first server whose recipe left no kubeconfig: an older one
         * would point drover at an API this cluster no longer has. */
        rc = dr_error_set(e, DR_E_IO, _("%s: cannot remove: %s"), kpath, strerror(errno));
    if (rc == DR_E_OK)
        rc = util_mkdir_p(tdir, 0700, e);
    if (rc == DR_E_OK && r->token) {
        char *t = xasprintf("%s\n", r->token);
        rc = util_write_atomic(tpath, t, strlen(t), 0600, e);
        keys_free_secret(&t);
    }
    free(kdir);
    free(kpath);
    free(tpath);
    free(tdir);
    return rc;
}
