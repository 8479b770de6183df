/* The real backend's SSH steps: the node's session (cached per worker for
 * the job's next step), waiting for SSH on the pinned host key, the
 * bootstrap recipe with the first server's token, and the join check.
 * libssh2 stays in src/bootstrap; this file drives it. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bootstrap/cloudinit.h"
#include "bootstrap/recipe.h"
#include "bootstrap/ssh.h"
#include "core/i18n.h"
#include "core/keys.h"
#include "core/log.h"
#include "core/util.h"
#include "engine/backend.h"
#include "engine/backend_vs.h"
#include "engine/cloud.h"
#include "engine/internal.h"

void
vsb_drop_ssh(struct vs_thread *t)
{
    ssh_close(&t->ss);
    xfree(&t->ss_key);
    keys_done(&t->ss_client);
    keys_done(&t->ss_host);
}

enum dr_err
vsb_load_keys(struct vs_thread *t, struct eng_step *s, struct dr_keypair *client,
              struct dr_keypair *host, struct dr_error *e)
{
    char *cpath = keys_cluster_path(s->state_dir, s->spec->name);
    char *hpath = keys_host_path(s->state_dir, s->spec->name, s->node.name);
    char *ccomment = xasprintf("drover@%s", s->spec->name);
    char *hcomment = xasprintf("root@%s", s->node.name);
    enum dr_err rc;

    pthread_mutex_lock(&t->b->keys_mu);
    rc = keys_load_or_create(cpath, ccomment, client, e);
    pthread_mutex_unlock(&t->b->keys_mu);
    if (rc == DR_E_OK)
        rc = keys_load_or_create(hpath, hcomment, host, e);
    free(cpath);
    free(hpath);
    free(ccomment);
    free(hcomment);
    return rc;
}

/* Put the worker's session down for the worker that runs the job's next
 * step (the job went back to the queue; any worker may take it), instead of
 * closing it: one SSH handshake per node rather than one per step that lands
 * on another worker. The oldest parked one is closed when all slots are
 * taken (a job that ended elsewhere). */
static void
park_ssh(struct vs_thread *t)
{
    struct vs_backend *b = t->b;
    struct vsb_parked_ssh old = { 0 };

    if (t->ss == NULL)
        return;
    pthread_mutex_lock(&b->ssh_mu);
    if (b->n_parked_ssh == VSB_PARKED_SSH_MAX) {
        old = b->parked_ssh[0];
        memmove(&b->parked_ssh[0], &b->parked_ssh[1],
                (VSB_PARKED_SSH_MAX - 1) * sizeof b->parked_ssh[0]);
        b->n_parked_ssh--;
    }
    b->parked_ssh[b->n_parked_ssh++] = (struct vsb_parked_ssh){
        .ss = t->ss, .key = t->ss_key, .since_ms = util_now_ms(), .client = t->ss_client,
        .host = t->ss_host };
    pthread_mutex_unlock(&b->ssh_mu);
    t->ss = NULL;
    t->ss_key = NULL;
    memset(&t->ss_client, 0, sizeof t->ss_client);
    memset(&t->ss_host, 0, sizeof t->ss_host);
    ssh_close(&old.ss);
    free(old.key);
    keys_done(&old.client);
    keys_done(&old.host);
}

/* Take the parked session for key, if any, as the worker's; one parked
 * longer than VSB_PARKED_SSH_MAX_AGE_MS is closed instead (false). */
static bool
unpark_ssh(struct vs_thread *t, const char *key)
{
    struct vs_backend *b = t->b;
    struct vsb_parked_ssh p = { 0 };

    pthread_mutex_lock(&b->ssh_mu);
    for (size_t i = 0; i < b->n_parked_ssh; i++) {
        if (!str_eq(b->parked_ssh[i].key, key))
            continue;
        p = b->parked_ssh[i];
        memmove(&b->parked_ssh[i], &b->parked_ssh[i + 1],
                (b->n_parked_ssh - i - 1) * sizeof b->parked_ssh[0]);
        b->n_parked_ssh--;
        break;
    }
    pthread_mutex_unlock(&b->ssh_mu);
    if (p.ss == NULL)
        return false;
    if (util_now_ms() - p.since_ms > VSB_PARKED_SSH_MAX_AGE_MS) {
        ssh_close(&p.ss);
        free(p.key);
        keys_done(&p.client);
        keys_done(&p.host);
        return false;
    }
    t->ss = p.ss;
    t->ss_key = p.key;
    t->ss_client = p.client;
    t->ss_host = p.host;
    return true;
}

void
vsb_parked_ssh_free(struct vs_backend *b)
{
    for (size_t i = 0; i < b->n_parked_ssh; i++) {
        ssh_close(&b->parked_ssh[i].ss);
        free(b->parked_ssh[i].key);
        keys_done(&b->parked_ssh[i].client);
        keys_done(&b->parked_ssh[i].host);
    }
    b->n_parked_ssh = 0;
}

static void
on_ssh_note(void *ud, const char *text)
{
    step_log(ud, "not up yet, retrying: %s", text);
}

/* The node's SSH session: this worker's cached one when it belongs to the
 * same job, node and address, else the one another worker parked for it,
 * else a new connection (then cached). The worker's previous session is
 * parked. The session stays owned by the cache. */
static enum dr_err
node_session(struct vs_thread *t, struct eng_step *s, struct ssh_session **out,
             struct dr_error *e)
{
    struct ssh_params p = { 0 };
    char *key;
    enum dr_err rc;

    if (str_empty(s->node.ip))
        return dr_error_set(e, DR_E_INVAL, _("node %s has no address yet"), s->node.name);
    /* The job's cancel flag is part of the key: a session never outlives
     * the job whose flag it watches. */
    key = xasprintf("%s/%s/%s/%p", s->spec->name, s->node.name, s->node.ip, (void *)s->cancel);
    if (t->ss && str_eq(t->ss_key, key)) {
        free(key);
        *out = t->ss;
        return DR_E_OK;
    }
    park_ssh(t);
    if (unpark_ssh(t, key)) {
        free(key);
        *out = t->ss;
        return DR_E_OK;
    }
    rc = vsb_load_keys(t, s, &t->ss_client, &t->ss_host, e);
    if (rc != DR_E_OK) {
        free(key);
        return rc;
    }
    p.host = s->node.ip;
    p.port = s->tmpl->ssh_port;
    p.user = ci_login_user(s->tmpl);
    p.client_key = &t->ss_client;
    p.host_key = &t->ss_host;
    p.deadline_ms = s->deadline_ms;
    p.cancel = s->cancel;
    p.key_verified = s->node.ssh_verified;
    p.note = on_ssh_note;
    p.note_ud = s;
    rc = ssh_connect(&p, &t->ss, e);
    if (rc != DR_E_OK) {
        free(key);
        vsb_drop_ssh(t);
        return rc;
    }
    t->ss_key = key;
    *out = t->ss;
    return DR_E_OK;
}

static void
on_line(void *ud, enum ssh_stream stream, const char *line)
{
    step_log(ud, "%s%s", stream == SSH_STDERR ? "! " : "", line);
}

static void
on_progress(void *ud, int pct, const char *text)
{
    step_progress(ud, pct, "%s", text);
}

enum dr_err
vsb_wait_ssh(void *tctx, struct eng_step *s, struct dr_error *e)
{
    struct ssh_session *ss = NULL;
    enum dr_err rc = node_session(tctx, s, &ss, e);

    if (rc == DR_E_OK) {
        step_log(s, "SSH to %s: host key %s as pinned", ssh_peer(ss),
                 s->node.host_key_fp ? s->node.host_key_fp : "");
        s->node.ssh_verified = true;  /* from now on another key is an alarm */
        park_ssh(tctx);  /* for whichever worker runs the bootstrap */
    }
    return rc;
}

enum dr_err
vsb_bootstrap(void *tctx, struct eng_step *s, struct dr_error *e)
{
    struct ssh_session *ss = NULL;
    struct recipe_params rp = { 0 };
    struct recipe_result res = { 0 };
    char *token = NULL, *tpath = NULL;
    /* The cloud provider: every node's recipe is told (the kubelets' flag);
     * a server's also gets the CPI/CSI manifests, as 0600 files. */
    struct dr_kv cloud_env = { .key = (char *)"DROVER_CLOUD_PROVIDER",
                               .value = (char *)cloud_provider_key(s->spec->cloud_provider) };
    struct k8s_manifest *mf = NULL;
    struct recipe_file *rf = NULL;
    size_t n_mf = 0;
    enum dr_err rc;

    rp.recipe_path = str_empty(s->spec->recipe) ? NULL : s->spec->recipe;
    rp.dist = s->spec->distribution;
    rp.role = s->first_server ? RECIPE_INIT
                              : ((s->node.roles & (DR_ROLE_CONTROL_PLANE | DR_ROLE_ETCD))
                                     ? RECIPE_SERVER : RECIPE_AGENT);
    rp.node_name = s->node.name;
    rp.node_addr = s->node.ip;
    rp.roles = s->node.roles;
    rp.version = s->spec->version;
    rp.airgap_bundle = str_empty(s->spec->airgap_bundle) ? NULL : s->spec->airgap_bundle;
    rp.login_user = ci_login_user(s->tmpl);  /* sudo is probed before the recipe */
    rp.env = &cloud_env;
    rp.n_env = 1;
    if (rp.role != RECIPE_INIT) {
        char *dir;

        if (str_empty(s->server_ip))
            return dr_error_set(e, DR_E_INVAL, _("the first server has no address yet"));
        tpath = keys_cluster_path(s->state_dir, s->spec->name);
        dir = util_dirname(tpath);
        free(tpath);
        tpath = util_path_join(dir, "token");
        free(dir);
        rc = util_read_file(tpath, &token, NULL, e);
        free(tpath);
        if (rc != DR_E_OK) {
            dr_error_prefix(e, _("the first server's join token"));
            return rc;
        }
        token[strcspn(token, "\r\n")] = '\0';
        log_add_secret(token);
        rp.server_addr = s->server_ip;
        rp.token = token;
    }
    rc = rp.role != RECIPE_AGENT ? eng_cloud_manifests(s, &mf, &n_mf, e) : DR_E_OK;
    if (rc == DR_E_OK && n_mf > 0) {
        rf = xcalloc(n_mf, sizeof *rf);
        for (size_t i = 0; i < n_mf; i++)
            rf[i] = (struct recipe_file){ .name = mf[i].name, .data = mf[i].text,
                                          .len = strlen(mf[i].text) };
        rp.files = rf;
        rp.n_files = n_mf;
    }
    if (rc == DR_E_OK)
        rc = node_session(tctx, s, &ss, e);
    if (rc == DR_E_OK)
        rc = recipe_run(ss, &rp, on_line, on_progress, s, &res, s->deadline_ms, e);
    if (rc != DR_E_OK)
        vsb_drop_ssh(tctx);  /* the session may be broken; the retry reconnects */
    else
        park_ssh(tctx);  /* for whichever worker runs the join */
    if (rc == DR_E_OK && rp.role == RECIPE_INIT) {
        if (str_empty(res.token))
            rc = dr_error_set(e, DR_E_REMOTE,
                              _("the recipe finished on the first server but left no token"));
        else
            rc = recipe_store_result(s->state_dir, s->spec->name, &res, e);
    }
    recipe_result_done(&res);
    free(rf);
    k8s_manifests_free(&mf, n_mf);
    if (token) {
        memset(token, 0, strlen(token));
        free(token);
    }
    return rc;
}

/* JOINING: the node answers on its pinned key after the recipe, and the
 * first server's token is in the state folder (its kubeconfig too, unless
 * the recipe installs no Kubernetes: data/bootstrap/README). */
enum dr_err
vsb_join(void *tctx, struct eng_step *s, struct dr_error *e)
{
    struct ssh_session *ss = NULL;
    int status = 0;
    enum dr_err rc;

    if (s->first_server) {
        char *tok = recipe_token_path(s->state_dir, s->spec->name);

        if (access(tok, R_OK) != 0)
            rc = dr_error_set(e, DR_E_NOTFOUND, _("%s: the first server's join token is missing"),
                              tok);
        else
            rc = DR_E_OK;
        free(tok);
        if (rc != DR_E_OK)
            return rc;
    }
    rc = node_session(tctx, s, &ss, e);
    if (rc == DR_E_OK)
        rc = ssh_exec(ss, "hostname", on_line, s, &status, s->deadline_ms, e);
    vsb_drop_ssh(tctx);  /* the node's pipeline ends here */
    if (rc == DR_E_OK)
        rc = eng_wait_registered(s, e);  /* active only once Kubernetes has it */
    return rc;
}
