/* The store's saves: round trips of every type, refusal of what would not
 * load back, and a save killed half-way leaving the old file intact. */
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


#include "store_fixture.h"
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
    c.pools[1].keep_failed_vms = true;
    c.pools[1].drain_before_delete = false;
    c.pools[1].drain_timeout_s = 45;
    c.pools[1].max_unhealthy_pct = 0;
    c.pools[0].drain_before_delete = true;
    c.pools[0].drain_timeout_s = DR_POOL_DRAIN_TIMEOUT_DEFAULT;
    c.pools[0].max_unhealthy_pct = DR_POOL_MAX_UNHEALTHY_DEFAULT;
    c.keep_failed_vms = true;
    c.cloud_provider = DR_CLOUD_VSPHERE;
    c.vsphere.vcenter = xstrdup(c.vcenter);
    strv_push(&c.vsphere.datacenters, "DC0");
    strv_push(&c.vsphere.datacenters, "DC \"east\"");
    c.vsphere.storage_class = true;
    c.vsphere.sc_name = xstrdup("gold");
    c.vsphere.sc_datastore_url = xstrdup("ds:///vmfs/volumes/abc/");
    c.vsphere.sc_policy = xstrdup("vSAN Default");
    c.vsphere.sc_reclaim = xstrdup("Retain");
    c.vsphere.sc_default = false;
    ck_assert_msg(store_save_cluster(&s, &c, &e) == DR_E_OK, "%s", e.msg);
    /* Every key a pool can have is written when it is not the default: a
     * field the loader learns (store_pool_keys) must be saved too. */
    {
        char *text = store_cluster_text(&c);
        for (size_t k = 0; store_pool_keys[k]; k++) {
            char *key = xasprintf(" %s = ", store_pool_keys[k]);
            ck_assert_msg(strstr(text, key) != NULL, "pool key %s is not saved:\n%s",
                          store_pool_keys[k], text);
            free(key);
        }
        free(text);
    }

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
    ck_assert(u->keep_failed_vms);
    ck_assert_int_eq(u->cloud_provider, DR_CLOUD_VSPHERE);
    assert_str0_eq(u->vsphere.vcenter, c.vcenter);
    ck_assert_uint_eq(strv_len(u->vsphere.datacenters), 2);
    assert_str0_eq(u->vsphere.datacenters[1], "DC \"east\"");
    ck_assert(u->vsphere.storage_class);
    assert_str0_eq(u->vsphere.sc_name, "gold");
    assert_str0_eq(u->vsphere.sc_datastore_url, "ds:///vmfs/volumes/abc/");
    assert_str0_eq(u->vsphere.sc_policy, "vSAN Default");
    assert_str0_eq(u->vsphere.sc_reclaim, "Retain");
    ck_assert(!u->vsphere.sc_default);
    ck_assert_uint_eq(u->n_pools, 2);
    for (size_t i = 0; i < 2; i++) {
        assert_str0_eq(u->pools[i].name, c.pools[i].name);
        assert_str0_eq(u->pools[i].template, c.pools[i].template);
        ck_assert_int_eq(u->pools[i].quantity, c.pools[i].quantity);
        ck_assert_uint_eq(u->pools[i].roles, c.pools[i].roles);
        assert_str0_eq(u->pools[i].hostname_prefix, c.pools[i].hostname_prefix);
        ck_assert_int_eq(u->pools[i].delete_not_ready_after_s, c.pools[i].delete_not_ready_after_s);
        ck_assert_int_eq(u->pools[i].keep_failed_vms, c.pools[i].keep_failed_vms);
        ck_assert_int_eq(u->pools[i].drain_before_delete, c.pools[i].drain_before_delete);
        ck_assert_int_eq(u->pools[i].drain_timeout_s, c.pools[i].drain_timeout_s);
        ck_assert_int_eq(u->pools[i].max_unhealthy_pct, c.pools[i].max_unhealthy_pct);
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
    v[0].proxy = xstrdup("none");
    v[1].name = xstrdup("lab");
    v[1].url = xstrdup("https://127.0.0.1:8989/sdk");
    v[1].user = xstrdup("user");
    v[1].password = xstrdup("pa\"ss");
    v[1].ca_file = xstrdup("/tmp/ca.pem");
    v[1].timeout_s = 60;
    v[1].proxy = xstrdup("http://proxy.example.com:3128");
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
        assert_str0_eq(a->proxy, b->proxy);
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

static Suite *
store_save_suite(void)
{
    Suite *s = suite_create("store_save");
    TCase *tc = tcase_create("store_save");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_roundtrip_template);
    tcase_add_test(tc, test_roundtrip_cluster_and_status);
    tcase_add_test(tc, test_roundtrip_vcenters_and_settings);
    tcase_add_test(tc, test_save_refuses_invalid);
    tcase_add_test(tc, test_atomic_save_crash);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(store_save_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
