#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/err.h"
#include "core/log.h"
#include "core/store.h"
#include "core/util.h"

/* Every test gets its own config and state folders under one mkdtemp. */
static char top[64];
static char *cfg_dir, *state_dir;

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove(path);
}

static void
setup(void)
{
    strcpy(top, "/tmp/drover-store-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(top));
    cfg_dir = util_path_join(top, "config");
    state_dir = util_path_join(top, "state");
    ck_assert_int_eq(mkdir(cfg_dir, 0700), 0);
    ck_assert_int_eq(mkdir(state_dir, 0700), 0);
}

static void
teardown(void)
{
    nftw(top, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    xfree(&cfg_dir);
    xfree(&state_dir);
}

static void
put(const char *base, const char *rel, const char *text, mode_t mode)
{
    char *path = util_path_join(base, rel);
    char *dir = util_dirname(path);
    struct dr_error e = {0};
    FILE *f;

    ck_assert_int_eq(util_mkdir_p(dir, 0700, &e), DR_E_OK);
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    ck_assert_int_eq(chmod(path, mode), 0);
    free(dir);
    free(path);
}

static void
load(struct dr_store *s)
{
    struct dr_error e = {0};

    ck_assert_int_eq(store_init(s, cfg_dir, state_dir, &e), DR_E_OK);
    ck_assert_int_eq(store_load(s, &e), DR_E_OK);
}

/* The diagnostics, one per line, for messages when an assertion fails. */
static char *
all_diags(const struct dr_store *s)
{
    char *out = xstrdup("");

    for (size_t i = 0; i < s->n_diags; i++) {
        char *d = store_diag_format(&s->diags[i]);
        char *n = xasprintf("%s%s\n", out, d);
        free(d);
        free(out);
        out = n;
    }
    return out;
}

static void
assert_diag(const struct dr_store *s, const char *want)
{
    char *all = all_diags(s);
    bool found = false;

    for (size_t i = 0; i < s->n_diags && !found; i++) {
        char *d = store_diag_format(&s->diags[i]);
        found = strcmp(d, want) == 0;
        free(d);
    }
    ck_assert_msg(found, "expected diagnostic '%s', got:\n%s", want, all);
    free(all);
}

static void
assert_no_diags(const struct dr_store *s)
{
    char *all = all_diags(s);

    ck_assert_msg(s->n_diags == 0, "unexpected diagnostics:\n%s", all);
    free(all);
}

static const char good_vcenters[] =
    "vcenters = (\n"
    "  { name = \"lab\"; url = \"https://127.0.0.1:8989/sdk\"; user = \"u\";\n"
    "    password = \"s3cret-pw\"; insecure = true; }\n"
    ");\n";

static const char good_template[] = "vcenter = \"lab\";\n"
                                    "datacenter = \"DC0\";\n"
                                    "cluster = \"DC0_C0\";\n"
                                    "datastore = \"LocalDS_0\";\n"
                                    "clone_from = \"ubuntu\";\n"
                                    "cpus = 2;\n"
                                    "memory_mib = 2048;\n";

static const char good_cluster[] =
    "distribution = \"k3s\";\n"
    "vcenter = \"lab\";\n"
    "pools = (\n"
    "  { name = \"server\"; template = \"worker\"; quantity = 1;\n"
    "    roles = [ \"etcd\", \"control-plane\" ]; },\n"
    "  { name = \"agent\"; template = \"worker\"; quantity = 2; roles = [ \"worker\" ]; }\n"
    ");\n";

static void
put_good(void)
{
    put(cfg_dir, "vcenters.cfg", good_vcenters, 0600);
    put(cfg_dir, "templates/worker.cfg", good_template, 0644);
    put(cfg_dir, "clusters/prod.cfg", good_cluster, 0644);
}

START_TEST(test_defaults_without_files)
{
    struct dr_store s;

    load(&s);
    assert_no_diags(&s);
    ck_assert_int_eq(s.settings.workers, 8);
    ck_assert(!s.settings.read_only);
    ck_assert_str_eq(s.settings.theme, "default");
    ck_assert_str_eq(s.settings.log_level, "info");
    ck_assert_int_eq(s.settings.retries, 3);
    ck_assert_int_eq(s.settings.retry_backoff_ms, 2000);
    ck_assert_int_eq(s.settings.step_timeout_s[DR_NODE_CLONING], 1800);
    ck_assert_int_eq(s.settings.step_timeout_s[DR_NODE_WAITING_FOR_IP], 900);
    ck_assert_int_eq(s.settings.step_timeout_s[DR_NODE_ACTIVE], 0);
    ck_assert_ptr_null(s.settings.default_vcenter);
    ck_assert_uint_eq(s.n_vcenters + s.n_templates + s.n_clusters + s.n_statuses, 0);
    ck_assert(s.vcenters_loaded);
    store_done(&s);
}
END_TEST

START_TEST(test_xdg_folders)
{
    struct dr_store s;
    struct dr_error e = {0};

    setenv("XDG_CONFIG_HOME", "/x/cfg", 1);
    setenv("XDG_STATE_HOME", "/x/state", 1);
    ck_assert_int_eq(store_init(&s, NULL, NULL, &e), DR_E_OK);
    ck_assert_str_eq(s.config_dir, "/x/cfg/drover");
    ck_assert_str_eq(s.state_dir, "/x/state/drover");
    store_done(&s);
    /* Relative XDG values are ignored, as the spec says. */
    setenv("XDG_CONFIG_HOME", "rel", 1);
    unsetenv("XDG_STATE_HOME");
    setenv("HOME", "/home/op", 1);
    ck_assert_int_eq(store_init(&s, NULL, NULL, &e), DR_E_OK);
    ck_assert_str_eq(s.config_dir, "/home/op/.config/drover");
    ck_assert_str_eq(s.state_dir, "/home/op/.local/state/drover");
    char *p = store_state_path(&s, "drover.log");
    ck_assert_str_eq(p, "/home/op/.local/state/drover/drover.log");
    free(p);
    store_done(&s);
    ck_assert_int_eq(store_init(&s, "/o/c", "/o/s", &e), DR_E_OK);
    ck_assert_str_eq(s.config_dir, "/o/c");
    ck_assert_str_eq(s.state_dir, "/o/s");
    store_done(&s);
}
END_TEST

START_TEST(test_load_good)
{
    struct dr_store s;

    put_good();
    load(&s);
    assert_no_diags(&s);
    ck_assert_uint_eq(s.n_vcenters, 1);
    ck_assert_uint_eq(s.n_templates, 1);
    ck_assert_uint_eq(s.n_clusters, 1);
    const struct dr_template *t = store_find_template(&s, "worker");
    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq(t->memory_mib, 2048);
    ck_assert_int_eq(t->ssh_port, 22);
    ck_assert_str_eq(t->ssh_user, "drover");
    ck_assert_str_eq(t->origin.file, "templates/worker.cfg");
    const struct dr_cluster *c = store_find_cluster(&s, "prod");
    ck_assert_ptr_nonnull(c);
    ck_assert_uint_eq(c->n_pools, 2);
    ck_assert_uint_eq(c->pools[0].roles, DR_ROLE_ETCD | DR_ROLE_CONTROL_PLANE);
    ck_assert_int_eq(c->pools[1].quantity, 2);
    ck_assert_int_eq(c->pools[1].origin.line, 6);
    ck_assert_ptr_null(store_find_cluster(&s, "nope"));
    store_done(&s);
}
END_TEST

/* Every example file in data/examples loads without a problem. */
START_TEST(test_examples_load)
{
    const char *src = getenv("top_srcdir");
    struct dr_store s;
    char *text;
    const struct {
        const char *from, *base, *to;
        mode_t mode;
    } files[] = {
        {"drover.cfg", NULL, "drover.cfg", 0644},
        {"vcenters.cfg", NULL, "vcenters.cfg", 0600},
        {"templates/ubuntu-worker.cfg", NULL, "templates/ubuntu-worker.cfg", 0644},
        {"clusters/prod.cfg", NULL, "clusters/prod.cfg", 0644},
        {"prod.state", "state", "clusters/prod.state", 0600},
    };

    if (src == NULL)
        src = "..";
    for (size_t i = 0; i < DR_ARRAY_LEN(files); i++) {
        char *path = xasprintf("%s/data/examples/%s", src, files[i].from);
        struct dr_error e = {0};
        ck_assert_msg(util_read_file(path, &text, NULL, &e) == DR_E_OK, "%s", e.msg);
        put(files[i].base ? state_dir : cfg_dir, files[i].to, text, files[i].mode);
        free(text);
        free(path);
    }
    load(&s);
    assert_no_diags(&s);
    ck_assert_uint_eq(s.n_vcenters, 1);
    ck_assert_uint_eq(s.n_templates, 1);
    ck_assert_uint_eq(s.n_clusters, 1);
    ck_assert_uint_eq(s.n_statuses, 1);
    ck_assert_uint_eq(s.settings.n_bindings, 1);
    ck_assert_str_eq(s.settings.bindings[0].screen, "nodes");
    ck_assert_str_eq(s.settings.bindings[0].action, "delete");
    ck_assert_str_eq(s.settings.ip_ignore[0], "172.17.0.0/16");
    ck_assert_int_eq(s.statuses[0].nodes[0].created, 1764000000);
    store_done(&s);
}
END_TEST

static void
fill_template(struct dr_template *t)
{
    memset(t, 0, sizeof *t);
    t->name = xstrdup("big-worker");
    t->vcenter = xstrdup("lab");
    t->datacenter = xstrdup("DC0");
    t->host = xstrdup("esx-01");
    t->resource_pool = xstrdup("pool \"quoted\"");
    t->datastore = xstrdup("ds");
    t->folder = xstrdup("k8s/nodes");
    strv_push(&t->networks, "VM Network");
    strv_push(&t->networks, "Storage");
    t->clone_from = xstrdup("ubuntu-22.04");
    t->clone_mode = DR_CLONE_LINKED;
    t->snapshot = xstrdup("base");
    t->cpus = 8;
    t->memory_mib = 16384;
    t->disk_gib = 100;
    t->user_data = xstrdup("#cloud-config\nruncmd:\n  - echo \"hi\\there\"\n");
    t->n_extra_config = 2;
    t->extra_config = xcalloc(2, sizeof *t->extra_config);
    t->extra_config[0].key = xstrdup("disk.EnableUUID");
    t->extra_config[0].value = xstrdup("TRUE");
    t->extra_config[1].key = xstrdup("empty.value");
    t->extra_config[1].value = xstrdup("");
    strv_push(&t->tags, "k8s");
    t->n_custom_attributes = 1;
    t->custom_attributes = xcalloc(1, sizeof *t->custom_attributes);
    t->custom_attributes[0].key = xstrdup("owner");
    t->custom_attributes[0].value = xstrdup("platform");
    t->ssh_user = xstrdup("ops");
    t->ssh_port = 2222;
    t->os = xstrdup("ubuntu-22.04");
}

static void
assert_strv_eq(char **a, char **b)
{
    ck_assert_uint_eq(strv_len(a), strv_len(b));
    for (size_t i = 0; a && a[i]; i++)
        ck_assert_str_eq(a[i], b[i]);
}

static void
assert_kvs_eq(const struct dr_kv *a, size_t na, const struct dr_kv *b, size_t nb)
{
    ck_assert_uint_eq(na, nb);
    for (size_t i = 0; i < na; i++) {
        ck_assert_str_eq(a[i].key, b[i].key);
        ck_assert_str_eq(a[i].value, b[i].value);
    }
}

static void
assert_str0_eq(const char *a, const char *b)
{
    ck_assert_msg(str_eq(a, b), "'%s' != '%s'", a ? a : "(null)", b ? b : "(null)");
}

START_TEST(test_roundtrip_template)
{
    struct dr_store s, s2;
    struct dr_template t;
    struct dr_error e = {0};

    put(cfg_dir, "vcenters.cfg", good_vcenters, 0600);
    load(&s);
    fill_template(&t);
    ck_assert_msg(store_save_template(&s, &t, &e) == DR_E_OK, "%s", e.msg);
    ck_assert_ptr_nonnull(store_find_template(&s, "big-worker"));
    load(&s2);
    assert_no_diags(&s2);
    const struct dr_template *u = store_find_template(&s2, "big-worker");
    ck_assert_ptr_nonnull(u);
    assert_str0_eq(u->vcenter, t.vcenter);
    assert_str0_eq(u->datacenter, t.datacenter);
    assert_str0_eq(u->cluster, t.cluster);
    assert_str0_eq(u->host, t.host);
    assert_str0_eq(u->resource_pool, t.resource_pool);
    assert_str0_eq(u->datastore, t.datastore);
    assert_str0_eq(u->folder, t.folder);
    assert_strv_eq(u->networks, t.networks);
    assert_str0_eq(u->clone_from, t.clone_from);
    ck_assert_int_eq(u->clone_mode, t.clone_mode);
    assert_str0_eq(u->snapshot, t.snapshot);
    ck_assert_int_eq(u->cpus, t.cpus);
    ck_assert_int_eq(u->memory_mib, t.memory_mib);
    ck_assert_int_eq(u->disk_gib, t.disk_gib);
    assert_str0_eq(u->user_data, t.user_data);
    assert_kvs_eq(u->extra_config, u->n_extra_config, t.extra_config, t.n_extra_config);
    assert_strv_eq(u->tags, t.tags);
    assert_kvs_eq(u->custom_attributes, u->n_custom_attributes, t.custom_attributes,
                  t.n_custom_attributes);
    assert_str0_eq(u->ssh_user, t.ssh_user);
    ck_assert_int_eq(u->ssh_port, t.ssh_port);
    assert_str0_eq(u->os, t.os);
    template_done(&t);
    store_done(&s);
    store_done(&s2);
}
END_TEST

START_TEST(test_roundtrip_cluster_and_status)
{
    struct dr_store s, s2;
    struct dr_cluster c = {0};
    struct dr_cluster_status st = {0};
    struct dr_error e = {0};

    put_good();
    load(&s);
    c.name = xstrdup("edge-1");
    c.distribution = DR_DIST_RKE2;
    c.version = xstrdup("v1.30.4+rke2r1");
    c.vcenter = xstrdup("lab");
    c.recipe = xstrdup("/srv/rke2.sh");
    c.airgap_bundle = xstrdup("/srv/bundle.tar.zst");
    c.n_pools = 2;
    c.pools = xcalloc(2, sizeof *c.pools);
    c.pools[0].name = xstrdup("cp");
    c.pools[0].template = xstrdup("worker");
    c.pools[0].quantity = 3;
    c.pools[0].roles = DR_ROLE_ETCD | DR_ROLE_CONTROL_PLANE | DR_ROLE_WORKER;
    c.pools[0].hostname_prefix = xstrdup("edge-cp-");
    c.pools[1].name = xstrdup("gpu");
    c.pools[1].template = xstrdup("worker");
    c.pools[1].quantity = 0;
    c.pools[1].roles = DR_ROLE_WORKER;
    c.pools[1].delete_not_ready_after_s = 600;
    ck_assert_msg(store_save_cluster(&s, &c, &e) == DR_E_OK, "%s", e.msg);

    st.cluster = xstrdup("edge-1");
    st.n_nodes = 2;
    st.nodes = xcalloc(2, sizeof *st.nodes);
    st.nodes[0].name = xstrdup("edge-cp-01");
    st.nodes[0].cluster = xstrdup("edge-1");
    st.nodes[0].pool = xstrdup("cp");
    st.nodes[0].roles = DR_ROLE_ETCD | DR_ROLE_CONTROL_PLANE;
    st.nodes[0].state = DR_NODE_ACTIVE;
    st.nodes[0].step = DR_NODE_ACTIVE;
    st.nodes[0].percent = 100;
    st.nodes[0].attempts = 1;
    st.nodes[0].vm_id = xstrdup("vm-42");
    st.nodes[0].ip = xstrdup("127.0.0.5");
    st.nodes[0].host_key_fp = xstrdup("SHA256:abc");
    st.nodes[0].created = 1764000000;
    st.nodes[0].updated = (time_t)5000000000LL;
    st.nodes[1].name = xstrdup("edge-cp-02");
    st.nodes[1].cluster = xstrdup("edge-1");
    st.nodes[1].pool = xstrdup("cp");
    st.nodes[1].roles = DR_ROLE_WORKER;
    st.nodes[1].state = DR_NODE_ERROR;
    st.nodes[1].step = DR_NODE_WAITING_FOR_SSH;
    st.nodes[1].percent = 55;
    st.nodes[1].attempts = 3;
    st.nodes[1].last_error = xstrdup("host key mismatch: \"x\"");
    ck_assert_msg(store_save_status(&s, &st, &e) == DR_E_OK, "%s", e.msg);

    load(&s2);
    assert_no_diags(&s2);
    const struct dr_cluster *u = store_find_cluster(&s2, "edge-1");
    ck_assert_ptr_nonnull(u);
    ck_assert_int_eq(u->distribution, DR_DIST_RKE2);
    assert_str0_eq(u->version, c.version);
    assert_str0_eq(u->vcenter, c.vcenter);
    assert_str0_eq(u->recipe, c.recipe);
    assert_str0_eq(u->airgap_bundle, c.airgap_bundle);
    ck_assert_uint_eq(u->n_pools, 2);
    for (size_t i = 0; i < 2; i++) {
        assert_str0_eq(u->pools[i].name, c.pools[i].name);
        assert_str0_eq(u->pools[i].template, c.pools[i].template);
        ck_assert_int_eq(u->pools[i].quantity, c.pools[i].quantity);
        ck_assert_uint_eq(u->pools[i].roles, c.pools[i].roles);
        assert_str0_eq(u->pools[i].hostname_prefix, c.pools[i].hostname_prefix);
        ck_assert_int_eq(u->pools[i].delete_not_ready_after_s, c.pools[i].delete_not_ready_after_s);
    }
    const struct dr_cluster_status *v = store_find_status(&s2, "edge-1");
    ck_assert_ptr_nonnull(v);
    ck_assert_uint_eq(v->n_nodes, 2);
    for (size_t i = 0; i < 2; i++) {
        const struct dr_node *a = &v->nodes[i], *b = &st.nodes[i];
        assert_str0_eq(a->name, b->name);
        assert_str0_eq(a->cluster, b->cluster);
        assert_str0_eq(a->pool, b->pool);
        ck_assert_uint_eq(a->roles, b->roles);
        ck_assert_int_eq(a->state, b->state);
        ck_assert_int_eq(a->step, b->step);
        ck_assert_int_eq(a->percent, b->percent);
        ck_assert_int_eq(a->attempts, b->attempts);
        assert_str0_eq(a->vm_id, b->vm_id);
        assert_str0_eq(a->ip, b->ip);
        assert_str0_eq(a->host_key_fp, b->host_key_fp);
        assert_str0_eq(a->last_error, b->last_error);
        ck_assert(a->created == b->created);
        ck_assert(a->updated == b->updated);
    }
    /* Removal takes the file and the in-memory copy away. */
    ck_assert_int_eq(store_remove_cluster(&s2, "edge-1", &e), DR_E_OK);
    ck_assert_int_eq(store_remove_status(&s2, "edge-1", &e), DR_E_OK);
    ck_assert_ptr_null(store_find_cluster(&s2, "edge-1"));
    ck_assert_int_eq(store_remove_cluster(&s2, "edge-1", &e), DR_E_NOTFOUND);
    cluster_done(&c);
    cluster_status_done(&st);
    store_done(&s);
    store_done(&s2);
    load(&s);
    ck_assert_ptr_null(store_find_cluster(&s, "edge-1"));
    ck_assert_ptr_null(store_find_status(&s, "edge-1"));
    store_done(&s);
}
END_TEST

START_TEST(test_roundtrip_vcenters_and_settings)
{
    struct dr_store s, s2;
    struct dr_vcenter v[2];
    struct dr_settings set;
    struct dr_error e = {0};
    struct stat sb;

    load(&s);
    memset(v, 0, sizeof v);
    v[0].name = xstrdup("prod");
    v[0].url = xstrdup("https://vc.example.com/sdk");
    v[0].user = xstrdup("drover@vsphere.local");
    v[0].password_file = xstrdup("/etc/drover/prod.pw");
    v[0].pin = xstrdup("sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
    v[0].timeout_s = 30;
    v[1].name = xstrdup("lab");
    v[1].url = xstrdup("https://127.0.0.1:8989/sdk");
    v[1].user = xstrdup("user");
    v[1].password = xstrdup("pa\"ss");
    v[1].ca_file = xstrdup("/tmp/ca.pem");
    v[1].timeout_s = 60;
    ck_assert_msg(store_save_vcenters(&s, v, 2, &e) == DR_E_OK, "%s", e.msg);
    char *path = store_config_path(&s, "vcenters.cfg");
    ck_assert_int_eq(stat(path, &sb), 0);
    ck_assert_int_eq(sb.st_mode & 0777, 0600);
    free(path);

    settings_defaults(&set);
    set.workers = 3;
    set.read_only = true;
    free(set.theme);
    set.theme = xstrdup("mono");
    free(set.log_level);
    set.log_level = xstrdup("debug");
    set.default_vcenter = xstrdup("lab");
    set.retries = 0;
    set.retry_backoff_ms = 100;
    set.step_timeout_s[DR_NODE_JOINING] = 42;
    strv_push(&set.ip_ignore, "10.0.0.0/8");
    strv_push(&set.ip_ignore, "fd00::/8");
    set.n_bindings = 1;
    set.bindings = xcalloc(1, sizeof *set.bindings);
    set.bindings[0].screen = xstrdup("global");
    set.bindings[0].key = xstrdup("C-r");
    set.bindings[0].action = xstrdup("refresh");
    ck_assert_msg(store_save_settings(&s, &set, &e) == DR_E_OK, "%s", e.msg);
    /* Now in read-only mode: the store refuses further saves. */
    ck_assert_int_eq(store_save_settings(&s, &set, &e), DR_E_READONLY);

    load(&s2);
    assert_no_diags(&s2);
    ck_assert_uint_eq(s2.n_vcenters, 2);
    for (size_t i = 0; i < 2; i++) {
        const struct dr_vcenter *a = &s2.vcenters[i], *b = &v[i];
        assert_str0_eq(a->name, b->name);
        assert_str0_eq(a->url, b->url);
        assert_str0_eq(a->user, b->user);
        assert_str0_eq(a->password, b->password);
        assert_str0_eq(a->password_file, b->password_file);
        assert_str0_eq(a->password_env, b->password_env);
        assert_str0_eq(a->ca_file, b->ca_file);
        assert_str0_eq(a->pin, b->pin);
        ck_assert_int_eq(a->insecure, b->insecure);
        ck_assert_int_eq(a->timeout_s, b->timeout_s);
    }
    ck_assert_int_eq(s2.settings.workers, 3);
    ck_assert(s2.settings.read_only);
    ck_assert_str_eq(s2.settings.theme, "mono");
    ck_assert_str_eq(s2.settings.log_level, "debug");
    ck_assert_str_eq(s2.settings.default_vcenter, "lab");
    ck_assert_int_eq(s2.settings.retries, 0);
    ck_assert_int_eq(s2.settings.retry_backoff_ms, 100);
    for (int i = 0; i < DR_NODE__COUNT; i++)
        ck_assert_int_eq(s2.settings.step_timeout_s[i], set.step_timeout_s[i]);
    assert_strv_eq(s2.settings.ip_ignore, set.ip_ignore);
    ck_assert_uint_eq(s2.settings.n_bindings, 1);
    ck_assert_str_eq(s2.settings.bindings[0].key, "C-r");
    ck_assert_str_eq(s2.settings.bindings[0].action, "refresh");
    ck_assert_str_eq(s2.settings.bindings[0].screen, "global");
    for (size_t i = 0; i < 2; i++)
        vcenter_done(&v[i]);
    settings_done(&set);
    store_done(&s);
    store_done(&s2);
}
END_TEST

/* A save that would not load back is refused and the good file stays. */
START_TEST(test_save_refuses_invalid)
{
    struct dr_store s;
    struct dr_template t;
    struct dr_error e = {0};
    char *before, *after, *path;

    put_good();
    load(&s);
    path = store_config_path(&s, "templates/worker.cfg");
    ck_assert_int_eq(util_read_file(path, &before, NULL, &e), DR_E_OK);
    template_copy(&t, store_find_template(&s, "worker"));
    t.memory_mib = 100;
    ck_assert_int_eq(store_save_template(&s, &t, &e), DR_E_INVAL);
    ck_assert_str_eq(
        e.msg, "not saved: templates/worker.cfg: memory_mib: must be between 512 and 1048576");
    ck_assert_int_eq(util_read_file(path, &after, NULL, &e), DR_E_OK);
    ck_assert_str_eq(before, after);
    ck_assert_int_eq(store_find_template(&s, "worker")->memory_mib, 2048);
    free(after);
    /* A name that is no file name is refused before any path is built. */
    free(t.name);
    t.name = xstrdup("../evil");
    t.memory_mib = 1024;
    ck_assert_int_eq(store_save_template(&s, &t, &e), DR_E_INVAL);
    ck_assert(strstr(e.msg, "'../evil' is not a valid name") != NULL);
    template_done(&t);
    free(before);
    free(path);
    store_done(&s);
}
END_TEST

struct bad_case {
    const char *rel; /* under the config folder, or state/... */
    const char *text;
    const char *diag;
};

/* Each broken file gives exactly the expected line, and is skipped. */
static const struct bad_case bad_cases[] = {
    {"templates/worker.cfg",
     "vcenter = \"lab\";\ndatacenter = \"DC0\";\ndatastore = \"ds\";\nclone_from = \"u\";\n"
     "cpus = 2;\n\nmemory_mib = 100;\n",
     "templates/worker.cfg:7: memory_mib: must be between 512 and 1048576"},
    {"templates/worker.cfg",
     "vcenter = \"lab\";\ndatacenter = \"DC0\";\ndatastore = \"ds\";\nclone_from = \"u\";\n"
     "colour = \"blue\";\n",
     "templates/worker.cfg:5: colour: unknown key"},
    {"templates/worker.cfg",
     "vcenter = \"lab\";\ndatacenter = \"DC0\";\ndatastore = \"ds\";\nclone_from = \"u\";\n"
     "cpus = \"four\";\n",
     "templates/worker.cfg:5: cpus: must be an integer"},
    {"templates/worker.cfg",
     "vcenter = \"lab\";\ndatacenter = \"DC0\";\ndatastore = 3;\nclone_from = \"u\";\n",
     "templates/worker.cfg:3: datastore: must be a string"},
    {"templates/worker.cfg", "vcenter = \"lab\";\ndatacenter = \"DC0\";\ndatastore = \"ds\";\n",
     "templates/worker.cfg: clone_from: is required"},
    {"templates/worker.cfg",
     "vcenter = \"lab\";\ndatacenter = \"DC0\";\ndatastore = \"ds\";\nclone_from = \"u\";\n"
     "clone_mode = \"thin\";\n",
     "templates/worker.cfg:5: clone_mode: 'thin' is not one of: full, linked"},
    {"templates/worker.cfg",
     "vcenter = \"lab\";\ndatacenter = \"DC0\";\ndatastore = \"ds\";\nclone_from = \"u\";\n"
     "networks = \"VM Network\";\n",
     "templates/worker.cfg:5: networks: must be a list of strings"},
    {"templates/worker.cfg",
     "vcenter = \"lab\";\ndatacenter = \"DC0\";\ndatastore = \"ds\";\nclone_from = \"u\";\n"
     "extra_config = ( { key = \"guestinfo.userdata\"; value = \"x\"; } );\n",
     "templates/worker.cfg:5: extra_config[0].key: 'guestinfo.userdata' is set by drover "
     "itself"},
    {"templates/Worker_1.cfg",
     "vcenter = \"lab\";\ndatacenter = \"DC0\";\ndatastore = \"ds\";\nclone_from = \"u\";\n",
     "templates/Worker_1.cfg: name: 'Worker_1' is not a valid name: use 1 to 63 lowercase "
     "letters, digits and '-', not starting or ending with '-'"},
    {"templates/worker.cfg", "vcenter = \"lab\"\ndatacenter = ;\n",
     "templates/worker.cfg:2: syntax error"},
    {"templates/worker.cfg", "@include \"/etc/passwd\"\n",
     "templates/worker.cfg:1: @include is not supported"},
    {"clusters/prod.cfg",
     "distribution = \"k8s\";\npools = ( { name = \"a\"; template = \"t\"; roles = "
     "[\"control-plane\"]; } );\n",
     "clusters/prod.cfg:1: distribution: 'k8s' is not one of: k3s, rke2"},
    {"clusters/prod.cfg",
     "pools = (\n { name = \"a\"; template = \"t\"; roles = [\"control-plane\"]; },\n"
     " { name = \"a\"; template = \"t\"; roles = [\"worker\"]; }\n);\n",
     "clusters/prod.cfg:3: pools[1].name: duplicate name 'a' (first at line 2)"},
    {"clusters/prod.cfg",
     "pools = (\n { name = \"Big_Pool\"; template = \"t\"; roles = [\"control-plane\"]; }\n);\n",
     "clusters/prod.cfg:2: pools[0].name: 'Big_Pool' is not a valid name: use 1 to 63 "
     "lowercase letters, digits and '-', not starting or ending with '-'"},
    {"clusters/prod.cfg",
     "pools = (\n { name = \"a\"; template = \"t\";\n   quantity = -1;\n"
     "   roles = [\"control-plane\"]; }\n);\n",
     "clusters/prod.cfg:3: pools[0].quantity: must be between 0 and 1000"},
    {"clusters/prod.cfg",
     "pools = (\n { name = \"a\"; template = \"t\";\n   roles = [\"master\"]; }\n);\n",
     "clusters/prod.cfg:3: pools[0].roles: 'master' is not a role: use etcd, control-plane "
     "or worker"},
    {"clusters/prod.cfg", "distribution = \"k3s\";\n", "clusters/prod.cfg: pools: is required"},
    {"clusters/prod.cfg", "pools = (\n { name = \"a\"; roles = [\"control-plane\"]; }\n);\n",
     "clusters/prod.cfg:2: pools[0].template: is required"},
    {"vcenters.cfg",
     "vcenters = (\n { name = \"a\"; url = \"https://a/sdk\"; user = \"u\"; },\n"
     " { name = \"a\"; url = \"https://b/sdk\"; user = \"u\"; }\n);\n",
     "vcenters.cfg:3: vcenters[1].name: duplicate name 'a' (first at line 2)"},
    {"vcenters.cfg",
     "vcenters = (\n { name = \"a\";\n   url = \"http://a/sdk\"; user = \"u\"; }\n);\n",
     "vcenters.cfg:3: vcenters[0].url: must start with https:// (e.g. "
     "https://vcenter.example.com/sdk)"},
    {"vcenters.cfg",
     "vcenters = (\n { name = \"a\"; user = \"u\";\n"
     "   url = \"https://admin:hunter22@a/sdk\"; }\n);\n",
     "vcenters.cfg:3: vcenters[0].url: must not hold a user name or password; use user and "
     "password_file"},
    {"vcenters.cfg",
     "vcenters = (\n { name = \"a\"; url = \"https://a/sdk\"; user = \"u\";\n"
     "   timeout = 0; }\n);\n",
     "vcenters.cfg:3: vcenters[0].timeout: must be between 1 and 3600"},
    {"vcenters.cfg",
     "vcenters = (\n { name = \"a\"; url = \"https://a/sdk\"; user = \"u\";\n"
     "   insecure = \"yes\"; }\n);\n",
     "vcenters.cfg:3: vcenters[0].insecure: must be true or false"},
    {"drover.cfg", "workers = 0;\n", "drover.cfg:1: workers: must be between 1 and 64"},
    {"drover.cfg", "\nlog_level = \"loud\";\n",
     "drover.cfg:2: log_level: 'loud' is not one of: debug, info, warn, error"},
    {"drover.cfg", "timeouts = { cloning = 10; sleeping = 5; };\n",
     "drover.cfg:1: timeouts.sleeping: unknown step"},
    {"drover.cfg", "ip_ignore = [ \"10.0.0.0/33\" ];\n",
     "drover.cfg:1: ip_ignore: '10.0.0.0/33' is not an address range like 10.0.0.0/8"},
    {"drover.cfg", "ip_ignore = [ \"10.0.0.0/ 8\" ];\n",
     "drover.cfg:1: ip_ignore: '10.0.0.0/ 8' is not an address range like 10.0.0.0/8"},
    {"drover.cfg", "read_only = 1;\n", "drover.cfg:1: read_only: must be true or false"},
    {"state/clusters/prod.state", "nodes = (\n { name = \"n1\";\n   state = \"sleeping\"; }\n);\n",
     "clusters/prod.state:3: nodes[0].state: 'sleeping' is not a node state"},
    {"state/clusters/prod.state",
     "nodes = (\n { name = \"n1\"; state = \"active\";\n   percent = 101; }\n);\n",
     "clusters/prod.state:3: nodes[0].percent: must be between 0 and 100"},
};

START_TEST(test_bad_file)
{
    const struct bad_case *bc = &bad_cases[_i];
    struct dr_store s;

    if (str_has_prefix(bc->rel, "state/"))
        put(state_dir, bc->rel + 6, bc->text, 0600);
    else
        put(cfg_dir, bc->rel, bc->text, 0600);
    load(&s);
    assert_diag(&s, bc->diag);
    /* The broken file is skipped whole. */
    ck_assert_uint_eq(s.n_templates + s.n_clusters + s.n_statuses + s.n_vcenters, 0);
    if (str_has_prefix(bc->rel, "drover.cfg"))
        ck_assert_int_eq(s.settings.workers, 8);
    store_done(&s);
}
END_TEST

/* A NUL byte cuts the text short for libconfig: the file is refused as
 * such, at the NUL's line, rather than blamed for "missing" keys. */
START_TEST(test_nul_byte)
{
    static const char text[] = "vcenter = \"lab\";\ndatacenter = \"DC0\";\0\ndatastore = \"ds\";\n";
    char *path;
    struct dr_store s;
    FILE *f;

    put(cfg_dir, "templates/nul.cfg", "", 0600);
    path = util_path_join(cfg_dir, "templates/nul.cfg");
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(text, 1, sizeof text - 1, f), sizeof text - 1);
    fclose(f);
    load(&s);
    assert_diag(&s, "templates/nul.cfg:2: has a NUL byte: not a text file");
    ck_assert_uint_eq(s.n_diags, 1);
    ck_assert_uint_eq(s.n_templates, 0);
    store_done(&s);
    free(path);
}
END_TEST

/* Broken files next to good ones: only the broken ones are skipped, and
 * references to missing things are reported without skipping anything. */
START_TEST(test_broken_beside_good)
{
    struct dr_store s;

    put_good();
    put(cfg_dir, "templates/bad.cfg", "cpus = 2;\n", 0600);
    put(cfg_dir, "templates/orphan.cfg",
        "vcenter = \"nowhere\";\ndatacenter = \"DC0\";\ndatastore = \"ds\";\n"
        "clone_from = \"u\";\n",
        0600);
    put(cfg_dir, "clusters/dev.cfg",
        "pools = (\n { name = \"a\"; template = \"ghost\";\n   roles = [\"control-plane\"]; },\n"
        " { name = \"b\"; template = \"bad\"; roles = [\"worker\"]; }\n);\n",
        0600);
    load(&s);
    assert_diag(&s, "templates/bad.cfg: vcenter: is required");
    assert_diag(&s, "templates/orphan.cfg:1: vcenter: vcenter 'nowhere' is not defined in "
                    "vcenters.cfg");
    assert_diag(&s, "clusters/dev.cfg:2: pools[0].template: template 'ghost' does not exist "
                    "(no templates/ghost.cfg)");
    assert_diag(&s, "clusters/dev.cfg:4: pools[1].template: template 'bad' did not load "
                    "(see templates/bad.cfg)");
    ck_assert_ptr_null(store_find_template(&s, "bad"));
    ck_assert_ptr_nonnull(store_find_template(&s, "orphan"));
    ck_assert_ptr_nonnull(store_find_template(&s, "worker"));
    ck_assert_ptr_nonnull(store_find_cluster(&s, "prod"));
    ck_assert_ptr_nonnull(store_find_cluster(&s, "dev"));
    ck_assert_uint_eq(s.n_vcenters, 1);
    store_done(&s);
}
END_TEST

START_TEST(test_vcenters_permissions)
{
    struct dr_store s;
    char *want;

    put_good();
    put(cfg_dir, "vcenters.cfg", good_vcenters, 0644);
    load(&s);
    want = xasprintf("vcenters.cfg: permissions 0644 are too open; run chmod 600 %s/vcenters.cfg",
                     cfg_dir);
    assert_diag(&s, want);
    free(want);
    ck_assert_uint_eq(s.n_vcenters, 0);
    ck_assert(!s.vcenters_loaded);
    /* With vcenters.cfg refused, templates are not blamed for naming one. */
    ck_assert_uint_eq(s.n_diags, 1);
    ck_assert_ptr_nonnull(store_find_template(&s, "worker"));
    store_done(&s);
}
END_TEST

START_TEST(test_password_sources)
{
    struct dr_vcenter v = {0};
    struct dr_error e = {0};
    char *pw, *path, *logged;

    v.name = xstrdup("lab");
    ck_assert_int_eq(vcenter_password(&v, &pw, &e), DR_E_NOTFOUND);
    ck_assert(strstr(e.msg, "no password configured") != NULL);

    v.password = xstrdup("inline-secret");
    ck_assert_int_eq(vcenter_password(&v, &pw, &e), DR_E_OK);
    ck_assert_str_eq(pw, "inline-secret");
    free(pw);
    logged = log_redact("login with inline-secret failed");
    ck_assert_str_eq(logged, "login with [REDACTED] failed");
    free(logged);
    xfree(&v.password);

    path = util_path_join(cfg_dir, "lab.pw");
    put(cfg_dir, "lab.pw", "from-file-pw\n", 0640);
    v.password_file = xstrdup(path);
    ck_assert_int_eq(vcenter_password(&v, &pw, &e), DR_E_PERM);
    char *want = xasprintf("vcenter lab: password_file: %s: permissions 0640 are too open; "
                           "run chmod 600 %s",
                           path, path);
    ck_assert_str_eq(e.msg, want);
    free(want);
    ck_assert_int_eq(chmod(path, 0600), 0);
    ck_assert_int_eq(vcenter_password(&v, &pw, &e), DR_E_OK);
    ck_assert_str_eq(pw, "from-file-pw");
    free(pw);
    logged = log_redact("x from-file-pw y");
    ck_assert_str_eq(logged, "x [REDACTED] y");
    free(logged);
    xfree(&v.password_file);

    v.password_env = xstrdup("DROVER_TEST_PW");
    unsetenv("DROVER_TEST_PW");
    ck_assert_int_eq(vcenter_password(&v, &pw, &e), DR_E_NOTFOUND);
    ck_assert_str_eq(e.msg, "vcenter lab: environment variable DROVER_TEST_PW is not set");
    setenv("DROVER_TEST_PW", "env-pw-1", 1);
    ck_assert_int_eq(vcenter_password(&v, &pw, &e), DR_E_OK);
    ck_assert_str_eq(pw, "env-pw-1");
    free(pw);
    log_clear_secrets();
    free(path);
    vcenter_done(&v);
}
END_TEST

static void
stop_half_way(const char *tmp, size_t written, size_t total)
{
    if (written * 2 >= total)
        raise(SIGSTOP);
}

/* A process killed in the middle of a save leaves the old file intact. */
START_TEST(test_atomic_save_crash)
{
    struct dr_store s;
    struct dr_error e = {0};
    char *path, *before, *after;
    int status;
    pid_t pid;

    put_good();
    load(&s);
    path = store_config_path(&s, "templates/worker.cfg");
    ck_assert_int_eq(util_read_file(path, &before, NULL, &e), DR_E_OK);
    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        struct dr_template t;
        template_copy(&t, store_find_template(&s, "worker"));
        /* 16 MiB of user-data: many pieces, so the hook stops it mid-file. */
        free(t.user_data);
        t.user_data = xmalloc(16 << 20);
        memset(t.user_data, 'x', (16 << 20) - 1);
        t.user_data[(16 << 20) - 1] = '\0';
        util_write_atomic_hook = stop_half_way;
        store_save_template(&s, &t, &e);
        _exit(0);
    }
    ck_assert_int_eq(waitpid(pid, &status, WUNTRACED), pid);
    ck_assert(WIFSTOPPED(status));
    /* The half-written temporary file is there beside the old one. */
    char *tdir = store_config_path(&s, "templates");
    char cmd[512];
    snprintf(cmd, sizeof cmd, "ls %s | grep -q '^worker.cfg.tmp.'", tdir);
    ck_assert_int_eq(system(cmd), 0);
    free(tdir);
    kill(pid, SIGKILL);
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFSIGNALED(status));
    ck_assert_int_eq(util_read_file(path, &after, NULL, &e), DR_E_OK);
    ck_assert_str_eq(before, after);
    store_done(&s);
    load(&s);
    assert_no_diags(&s);
    ck_assert_int_eq(store_find_template(&s, "worker")->memory_mib, 2048);
    store_done(&s);
    free(before);
    free(after);
    free(path);
}
END_TEST

START_TEST(test_parse_single_file)
{
    struct dr_store s;
    struct dr_cluster c;
    struct dr_error e = {0};
    char *path;

    put_good();
    load(&s);
    put(top, "apply/new-one.cfg", good_cluster, 0644);
    path = util_path_join(top, "apply/new-one.cfg");
    ck_assert_msg(store_parse_cluster_file(&s, path, &c, &e) == DR_E_OK, "%s", e.msg);
    ck_assert_str_eq(c.name, "new-one");
    ck_assert_uint_eq(c.n_pools, 2);
    cluster_done(&c);
    put(top, "apply/new-one.cfg", "pools = 5;\n", 0644);
    ck_assert_int_eq(store_parse_cluster_file(&s, path, &c, &e), DR_E_INVAL);
    char *want =
        xasprintf("%s:1: pools: must be a non-empty list of groups: pools = ( { ... } );", path);
    ck_assert_str_eq(e.msg, want);
    free(want);
    free(path);
    store_done(&s);
}
END_TEST

static Suite *
store_suite(void)
{
    Suite *s = suite_create("store");
    TCase *tc = tcase_create("store");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_defaults_without_files);
    tcase_add_test(tc, test_xdg_folders);
    tcase_add_test(tc, test_load_good);
    tcase_add_test(tc, test_examples_load);
    tcase_add_test(tc, test_roundtrip_template);
    tcase_add_test(tc, test_roundtrip_cluster_and_status);
    tcase_add_test(tc, test_roundtrip_vcenters_and_settings);
    tcase_add_test(tc, test_save_refuses_invalid);
    tcase_add_loop_test(tc, test_bad_file, 0, (int)DR_ARRAY_LEN(bad_cases));
    tcase_add_test(tc, test_broken_beside_good);
    tcase_add_test(tc, test_nul_byte);
    tcase_add_test(tc, test_vcenters_permissions);
    tcase_add_test(tc, test_password_sources);
    tcase_add_test(tc, test_atomic_save_crash);
    tcase_add_test(tc, test_parse_single_file);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(store_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
