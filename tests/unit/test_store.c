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
    char *text, *settings_text = NULL;
    const struct {
        const char *from, *base, *to;
        mode_t mode;
    } files[] = {
        {"drover.cfg", NULL, "drover.cfg", 0644},
        {"vcenters.cfg", NULL, "vcenters.cfg", 0600},
        {"templates/ubuntu-worker.cfg", NULL, "templates/ubuntu-worker.cfg", 0644},
        {"clusters/prod.cfg", NULL, "clusters/prod.cfg", 0644},
        {"clusters/storage.cfg", NULL, "clusters/storage.cfg", 0644},
        {"prod.state", "state", "clusters/prod.state", 0600},
    };

    if (src == NULL)
        src = "..";
    for (size_t i = 0; i < DR_ARRAY_LEN(files); i++) {
        char *path = xasprintf("%s/data/examples/%s", src, files[i].from);
        struct dr_error e = {0};
        ck_assert_msg(util_read_file(path, &text, NULL, &e) == DR_E_OK, "%s", e.msg);
        put(files[i].base ? state_dir : cfg_dir, files[i].to, text, files[i].mode);
        if (str_eq(files[i].from, "drover.cfg"))
            settings_text = xstrdup(text);
        free(text);
        free(path);
    }
    load(&s);
    assert_no_diags(&s);
    ck_assert_uint_eq(s.n_vcenters, 2);
    ck_assert_uint_eq(s.n_templates, 1);
    ck_assert_uint_eq(s.n_clusters, 2);
    {
        const struct dr_cluster *c = store_find_cluster(&s, "storage");

        ck_assert_ptr_nonnull(c);
        ck_assert_int_eq(c->cloud_provider, DR_CLOUD_VSPHERE);
        ck_assert_str_eq(c->vsphere.vcenter, "prod-k8s");
        ck_assert_str_eq(c->vsphere.datacenters[0], "DC1");
        ck_assert(c->vsphere.storage_class && c->vsphere.sc_default);
        ck_assert_str_eq(c->vsphere.sc_reclaim, "Delete");
        ck_assert_int_eq(store_find_cluster(&s, "prod")->cloud_provider, DR_CLOUD_NONE);
    }
    ck_assert_uint_eq(s.n_statuses, 1);
    /* drover.cfg shows the defaults: no bindings, no ranges ignored. */
    ck_assert_uint_eq(s.settings.n_bindings, 0);
    ck_assert_ptr_null(s.settings.ip_ignore);
    ck_assert_int_eq(s.statuses[0].nodes[0].created, 1764000000);
    store_done(&s);

    /* Its commented-out examples of bind and ip_ignore load too. */
    text = xcalloc(strlen(settings_text) + 1, 1);
    for (const char *l = settings_text; *l;) {
        size_t n = strcspn(l, "\n") + (l[strcspn(l, "\n")] == '\n');
        if (str_has_prefix(l, "# bind = ") || str_has_prefix(l, "# ip_ignore = "))
            strncat(text, l + 2, n - 2);
        else
            strncat(text, l, n);
        l += n;
    }
    put(cfg_dir, "drover.cfg", text, 0644);
    load(&s);
    assert_no_diags(&s);
    ck_assert_uint_eq(s.settings.n_bindings, 1);
    ck_assert_str_eq(s.settings.bindings[0].screen, "nodes");
    ck_assert_str_eq(s.settings.bindings[0].action, "delete");
    ck_assert_str_eq(s.settings.ip_ignore[0], "172.17.0.0/16");
    store_done(&s);
    free(text);
    free(settings_text);
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
    /* os is checked against vCenter's guest OS: it must be a known form. */
    {"templates/worker.cfg",
     "vcenter = \"lab\";\ndatacenter = \"DC0\";\ndatastore = \"ds\";\nclone_from = \"u\";\n"
     "os = \"jammy\";\n",
     "templates/worker.cfg:5: os: 'jammy' is not a guest OS drover knows: write the clone "
     "source's distribution, with its version if you like (ubuntu, debian, rhel, centos, rocky, "
     "almalinux, oracle, sles, opensuse, photon, fedora, amazonlinux, coreos; e.g. "
     "\"ubuntu-22.04\", \"debian-12\"), or its vSphere guest OS id (e.g. \"ubuntu64Guest\")"},
    /* networks = [] would silently mean "keep the source's NICs". */
    {"templates/worker.cfg",
     "vcenter = \"lab\";\ndatacenter = \"DC0\";\ndatastore = \"ds\";\nclone_from = \"u\";\n"
     "\nnetworks = [ ];\n",
     "templates/worker.cfg:6: networks: the list is empty: leave networks out to keep the clone "
     "source's network adapters, or give the networks the VM's adapters should be on, in order"},
    /* .vmx keys are case-insensitive: drover's own keys in any case. */
    {"templates/worker.cfg",
     "vcenter = \"lab\";\ndatacenter = \"DC0\";\ndatastore = \"ds\";\nclone_from = \"u\";\n"
     "extra_config = ( { key = \"a\"; value = \"x\"; },\n"
     "  { key = \"GuestInfo.UserData\"; value = \"x\"; } );\n",
     "templates/worker.cfg:6: extra_config[1].key: 'GuestInfo.UserData' is set by drover itself"},
    {"templates/worker.cfg",
     "vcenter = \"lab\";\ndatacenter = \"DC0\";\ndatastore = \"ds\";\nclone_from = \"u\";\n"
     "extra_config = ( { key = \"guestinfo.userData\"; value = \"x\"; } );\n",
     "templates/worker.cfg:5: extra_config[0].key: 'guestinfo.userData' is set by drover itself"},
    {"templates/worker.cfg",
     "vcenter = \"lab\";\ndatacenter = \"DC0\";\ndatastore = \"ds\";\nclone_from = \"u\";\n"
     "extra_config = ( { key = \"GUESTINFO.DROVER.OWNER\"; value = \"x\"; } );\n",
     "templates/worker.cfg:5: extra_config[0].key: 'GUESTINFO.DROVER.OWNER' is set by drover "
     "itself"},
    {"templates/worker.cfg",
     "vcenter = \"lab\";\ndatacenter = \"DC0\";\ndatastore = \"ds\";\nclone_from = \"u\";\n"
     "extra_config = ( { key = \"guestinfo.role\"; value = \"a\"; },\n"
     "  { key = \"GuestInfo.Role\"; value = \"b\"; } );\n",
     "templates/worker.cfg:6: extra_config[1].key: 'GuestInfo.Role' is the key 'guestinfo.role' "
     "of line 5 spelt in another case; a VM's .vmx keys are case-insensitive, so the VM would "
     "keep only one: give it once"},
    {"templates/worker.cfg",
     "vcenter = \"lab\";\ndatacenter = \"DC0\";\ndatastore = \"ds\";\nclone_from = \"u\";\n"
     "extra_config = ( { key = \"k\"; value = \"a\"; },\n"
     "  { key = \"k\"; value = \"b\"; } );\n",
     "templates/worker.cfg:6: extra_config[1].key: duplicate key 'k' (first at line 5)"},
    {"templates/worker.cfg",
     "vcenter = \"lab\";\ndatacenter = \"DC0\";\ndatastore = \"ds\";\nclone_from = \"u\";\n"
     "tags = [ \"env/prod\",\n         \"env/\" ];\n",
     "templates/worker.cfg:6: tags[1]: 'env/': write category/name (or a tag name alone; %2f "
     "for a '/' inside a name)"},
    {"templates/worker.cfg",
     "vcenter = \"lab\";\ndatacenter = \"DC0\";\ndatastore = \"ds\";\nclone_from = \"u\";\n"
     "custom_attributes = ( { key = \"owner\"; value = \"a\"; },\n"
     "  { key = \"owner\"; value = \"b\"; } );\n",
     "templates/worker.cfg:6: custom_attributes[1].key: duplicate key 'owner' (first at line 5)"},
    {"templates/Worker_1.cfg",
     "vcenter = \"lab\";\ndatacenter = \"DC0\";\ndatastore = \"ds\";\nclone_from = \"u\";\n",
     "templates/Worker_1.cfg: name: 'Worker_1' is not a valid name: use 1 to 63 lowercase "
     "letters, digits and '-', not starting or ending with '-'"},
    {"templates/worker.cfg", "vcenter = \"lab\"\ndatacenter = ;\n",
     "templates/worker.cfg:2: syntax error"},
    {"templates/worker.cfg", "@include \"/etc/passwd\"\n",
     "templates/worker.cfg:1: @include is not supported"},
    {"clusters/prod.cfg",
     "keep_failed_vms = \"yes\";\npools = ( { name = \"a\"; template = \"t\"; roles = "
     "[\"control-plane\"]; } );\n",
     "clusters/prod.cfg:1: keep_failed_vms: must be true or false"},
    {"clusters/prod.cfg",
     "pools = (\n { name = \"a\"; template = \"t\"; roles = [\"control-plane\"];\n"
     "   keep_failed_vms = 1; }\n);\n",
     "clusters/prod.cfg:3: pools[0].keep_failed_vms: must be true or false"},
    /* The drain and replacement settings of a pool. */
    {"clusters/prod.cfg",
     "pools = (\n { name = \"a\"; template = \"t\"; roles = [\"control-plane\"];\n"
     "   drain_before_delete = \"no\"; }\n);\n",
     "clusters/prod.cfg:3: pools[0].drain_before_delete: must be true or false"},
    {"clusters/prod.cfg",
     "pools = (\n { name = \"a\"; template = \"t\"; roles = [\"control-plane\"]; },\n"
     " { name = \"b\"; template = \"t\"; roles = [\"worker\"];\n   drain_timeout = 0; }\n);\n",
     "clusters/prod.cfg:4: pools[1].drain_timeout: must be between 1 and 86400"},
    {"clusters/prod.cfg",
     "pools = (\n { name = \"a\"; template = \"t\"; roles = [\"control-plane\"];\n"
     "   drain_timeout = \"5m\"; }\n);\n",
     "clusters/prod.cfg:3: pools[0].drain_timeout: must be an integer"},
    {"clusters/prod.cfg",
     "pools = (\n { name = \"a\"; template = \"t\"; roles = [\"control-plane\"];\n"
     "   max_unhealthy = 140; }\n);\n",
     "clusters/prod.cfg:3: pools[0].max_unhealthy: must be between 0 and 100"},
    {"clusters/prod.cfg",
     "pools = (\n { name = \"a\"; template = \"t\"; roles = [\"control-plane\"];\n"
     "   max_unhealthy = \"40%\"; }\n);\n",
     "clusters/prod.cfg:3: pools[0].max_unhealthy: must be an integer"},
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
    /* Case B: version tags each distribution's installer would not take. */
    {"clusters/prod.cfg",
     "distribution = \"k3s\";\nversion = \"v1.30.4\";\npools = ( { name = \"a\"; template = "
     "\"t\"; roles = [\"control-plane\"]; } );\n",
     "clusters/prod.cfg:2: version: 'v1.30.4' is not a k3s release: use vX.Y.Z+k3sN, e.g. "
     "\"v1.30.4+k3s1\" (or leave version out for the installer's default)"},
    {"clusters/prod.cfg",
     "version = \"1.30.4+k3s1\";\npools = ( { name = \"a\"; template = "
     "\"t\"; roles = [\"control-plane\"]; } );\n",
     "clusters/prod.cfg:1: version: '1.30.4+k3s1' is not a k3s release: use vX.Y.Z+k3sN, e.g. "
     "\"v1.30.4+k3s1\" (or leave version out for the installer's default)"},
    {"clusters/prod.cfg",
     "version = \"v1.30.4+rke2r1\";\npools = ( { name = \"a\"; template = "
     "\"t\"; roles = [\"control-plane\"]; } );\n",
     "clusters/prod.cfg:1: version: 'v1.30.4+rke2r1' is not a k3s release: use vX.Y.Z+k3sN, e.g. "
     "\"v1.30.4+k3s1\" (or leave version out for the installer's default)"},
    {"clusters/prod.cfg",
     "distribution = \"rke2\";\n\nversion = \"v1.30.4+k3s1\";\npools = ( { name = \"a\"; "
     "template = \"t\"; roles = [\"control-plane\"]; } );\n",
     "clusters/prod.cfg:3: version: 'v1.30.4+k3s1' is not a rke2 release: use vX.Y.Z+rke2rN, "
     "e.g. \"v1.30.4+rke2r1\" (or leave version out for the installer's default)"},
    {"clusters/prod.cfg",
     "distribution = \"rke2\";\nversion = \"v1.30+rke2r1\";\npools = ( { name = \"a\"; "
     "template = \"t\"; roles = [\"control-plane\"]; } );\n",
     "clusters/prod.cfg:2: version: 'v1.30+rke2r1' is not a rke2 release: use vX.Y.Z+rke2rN, "
     "e.g. \"v1.30.4+rke2r1\" (or leave version out for the installer's default)"},
    /* Versions no release has; an empty one; one with a line break, shown
     * escaped so the message stays one line. */
    {"clusters/prod.cfg",
     "version = \"v1.30.4+k3s0\";\npools = ( { name = \"a\"; template = "
     "\"t\"; roles = [\"control-plane\"]; } );\n",
     "clusters/prod.cfg:1: version: 'v1.30.4+k3s0' is not a k3s release: use vX.Y.Z+k3sN, e.g. "
     "\"v1.30.4+k3s1\" (or leave version out for the installer's default)"},
    {"clusters/prod.cfg",
     "distribution = \"rke2\";\nversion = \"v01.30.4+rke2r1\";\npools = ( { name = \"a\"; "
     "template = \"t\"; roles = [\"control-plane\"]; } );\n",
     "clusters/prod.cfg:2: version: 'v01.30.4+rke2r1' is not a rke2 release: use "
     "vX.Y.Z+rke2rN, e.g. \"v1.30.4+rke2r1\" (or leave version out for the installer's "
     "default)"},
    {"clusters/prod.cfg",
     "version = \"\";\npools = ( { name = \"a\"; template = "
     "\"t\"; roles = [\"control-plane\"]; } );\n",
     "clusters/prod.cfg:1: version: is empty: leave version out for the installer's default, "
     "or pin a k3s release as vX.Y.Z+k3sN, e.g. \"v1.30.4+k3s1\""},
    {"clusters/prod.cfg",
     "version = \"v1.30.4+k3s1\\n\\x1b[31m\";\npools = ( { name = \"a\"; template = "
     "\"t\"; roles = [\"control-plane\"]; } );\n",
     "clusters/prod.cfg:1: version: 'v1.30.4+k3s1\\n\\x1B[31m' is not a k3s release: use "
     "vX.Y.Z+k3sN, e.g. \"v1.30.4+k3s1\" (or leave version out for the installer's default)"},
    /* The pool's name is the node names' prefix when hostname_prefix is not
     * given: 57 characters plus "-NN" could not stay a 63-character label. */
    {"clusters/prod.cfg",
     "pools = (\n { name = \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\";\n"
     "   template = \"t\"; roles = [\"control-plane\"]; }\n);\n",
     "clusters/prod.cfg:2: pools[0].name: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' "
     "is too long to name nodes (it is their prefix, and '-NN' follows: at most 56 characters); "
     "shorten it or set hostname_prefix"},
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
    {"vcenters.cfg",
     "vcenters = (\n { name = \"a\"; url = \"https://a/sdk\"; user = \"u\";\n"
     "   proxy = \"proxy.example.com:3128\"; }\n);\n",
     "vcenters.cfg:3: vcenters[0].proxy: must be \"none\" or a proxy URL (http://, https://, "
     "socks4://, socks4a://, socks5:// or socks5h:// and a host, e.g. "
     "http://proxy.example.com:3128)"},
    {"vcenters.cfg",
     "vcenters = (\n { name = \"a\"; url = \"https://a/sdk\"; user = \"u\";\n"
     "   proxy = \"ftp://proxy.example.com\"; }\n);\n",
     "vcenters.cfg:3: vcenters[0].proxy: must be \"none\" or a proxy URL (http://, https://, "
     "socks4://, socks4a://, socks5:// or socks5h:// and a host, e.g. "
     "http://proxy.example.com:3128)"},
    {"vcenters.cfg",
     "vcenters = (\n { name = \"a\"; url = \"https://a/sdk\"; user = \"u\";\n"
     "   proxy = \"http://\"; }\n);\n",
     "vcenters.cfg:3: vcenters[0].proxy: must be \"none\" or a proxy URL (http://, https://, "
     "socks4://, socks4a://, socks5:// or socks5h:// and a host, e.g. "
     "http://proxy.example.com:3128)"},
    {"vcenters.cfg",
     "vcenters = (\n { name = \"a\"; url = \"https://a/sdk\"; user = \"u\";\n"
     "   proxy = \"none \"; }\n);\n",
     "vcenters.cfg:3: vcenters[0].proxy: must be \"none\" or a proxy URL (http://, https://, "
     "socks4://, socks4a://, socks5:// or socks5h:// and a host, e.g. "
     "http://proxy.example.com:3128)"},
    {"vcenters.cfg",
     "vcenters = (\n { name = \"a\"; url = \"https://a/sdk\"; user = \"u\";\n"
     "   proxy = \"http://proxy.example.com :3128\"; }\n);\n",
     "vcenters.cfg:3: vcenters[0].proxy: must be \"none\" or a proxy URL (http://, https://, "
     "socks4://, socks4a://, socks5:// or socks5h:// and a host, e.g. "
     "http://proxy.example.com:3128)"},
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
    {"clusters/c.cfg",
     "cloud_provider = \"aws\";\npools = ( { name = \"s\"; template = \"t\"; roles = [ \"control-plane\" ]; } );\n",
     "clusters/c.cfg:1: cloud_provider: 'aws' is not one of: none, vsphere"},
    {"clusters/c.cfg",
     "cloud_provider = \"vsphere\";\npools = ( { name = \"s\"; template = \"t\"; roles = [ \"control-plane\" ]; } );\n",
     "clusters/c.cfg:1: vsphere: is required with cloud_provider = \"vsphere\": vsphere = { vcenter = \"...\"; datacenters = [ \"...\" ]; };"},
    {"clusters/c.cfg",
     "\nvsphere = { datacenters = [ \"DC1\" ]; };\npools = ( { name = \"s\"; template = \"t\"; roles = [ \"control-plane\" ]; } );\n",
     "clusters/c.cfg:2: vsphere: is only read with cloud_provider = \"vsphere\"; set that, or remove the block"},
    {"clusters/c.cfg",
     "cloud_provider = \"vsphere\";\nvsphere = {\n datacenters = [ ];\n};\npools = ( { name = \"s\"; template = \"t\"; roles = [ \"control-plane\" ]; } );\n",
     "clusters/c.cfg:3: vsphere.datacenters: is empty: name the datacenters of the nodes' VMs, or leave it out for the templates' datacenters"},
    {"clusters/c.cfg",
     "cloud_provider = \"vsphere\";\nvsphere = { storage_class = {\n reclaim_policy = \"delete\"; }; };\npools = ( { name = \"s\"; template = \"t\"; roles = [ \"control-plane\" ]; } );\n",
     "clusters/c.cfg:3: vsphere.storage_class.reclaim_policy: 'delete' is not one of: Delete, Retain"},
    {"clusters/c.cfg",
     "cloud_provider = \"vsphere\";\nvsphere = { storage_class = {\n datastore_url = \"datastore1\"; }; };\npools = ( { name = \"s\"; template = \"t\"; roles = [ \"control-plane\" ]; } );\n",
     "clusters/c.cfg:3: vsphere.storage_class.datastore_url: 'datastore1' is not a datastore URL: use the datastore's URL as vCenter shows it (Summary, \"ds:///vmfs/volumes/...\")"},
    {"clusters/c.cfg",
     "cloud_provider = \"vsphere\";\nvsphere = { storage_class = {\n name = \"Gold_SC\"; }; };\npools = ( { name = \"s\"; template = \"t\"; roles = [ \"control-plane\" ]; } );\n",
     "clusters/c.cfg:3: vsphere.storage_class.name: 'Gold_SC' is not a Kubernetes name (lowercase letters, digits, '-' and '.')"},
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

/* Other byte order marks: a file saved as UTF-16 (as Notepad's "Unicode"
 * does, NUL bytes and all, either byte order) or with the UTF-8 mark twice
 * is refused with words that name the mark, not as a syntax error. */
START_TEST(test_other_byte_order_marks)
{
    static const struct {
        const char *rel;
        const char *text;
        size_t len;
        const char *diag;
    } cases[] = {
        {"templates/le.cfg", "\xFF\xFEv\0c\0 \0=\0 \0\"\0l\0\"\0;\0\n\0", 22,
         "templates/le.cfg:1: starts with a byte order mark (UTF-16): save the file as UTF-8"},
        {"clusters/be.cfg", "\xFE\xFF\0v\0c\0 \0=\0 \0\"\0l\0\"\0;\0\n", 22,
         "clusters/be.cfg:1: starts with a byte order mark (UTF-16): save the file as UTF-8"},
        {"vcenters.cfg", "\xFF\xFEvcenters = ();\n", 17,
         "vcenters.cfg:1: starts with a byte order mark (UTF-16): save the file as UTF-8"},
        {"drover.cfg", "\xEF\xBB\xBF\xEF\xBB\xBFworkers = 3;\n", 19,
         "drover.cfg:1: starts with a second byte order mark (EF BB BF twice): save the file "
         "as UTF-8 without a byte order mark"},
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct dr_store s;
        char *path;
        FILE *f;

        put(cfg_dir, cases[i].rel, "", 0600);
        path = util_path_join(cfg_dir, cases[i].rel);
        f = fopen(path, "w");
        ck_assert_ptr_nonnull(f);
        ck_assert_uint_eq(fwrite(cases[i].text, 1, cases[i].len, f), cases[i].len);
        fclose(f);
        load(&s);
        assert_diag(&s, cases[i].diag);
        ck_assert_msg(s.n_diags == 1, "%s: %zu problems", cases[i].rel, s.n_diags);
        store_done(&s);
        ck_assert_int_eq(unlink(path), 0);
        free(path);
    }
}
END_TEST

/* Case B: files saved by Windows editors start with a UTF-8 byte order
 * mark; every kind of file loads as if it were not there. */
START_TEST(test_byte_order_mark)
{
    struct dr_store s;
    char *bom;

    bom = xasprintf("\xEF\xBB\xBF%s", good_vcenters);
    put(cfg_dir, "vcenters.cfg", bom, 0600);
    free(bom);
    bom = xasprintf("\xEF\xBB\xBF%s", good_template);
    put(cfg_dir, "templates/worker.cfg", bom, 0600);
    free(bom);
    bom = xasprintf("\xEF\xBB\xBF%s", good_cluster);
    put(cfg_dir, "clusters/prod.cfg", bom, 0600);
    free(bom);
    put(cfg_dir, "drover.cfg", "\xEF\xBB\xBFworkers = 3;\n", 0600);
    put(state_dir, "clusters/prod.state",
        "\xEF\xBB\xBFnodes = ( { name = \"server-01\"; state = \"active\"; } );\n", 0600);
    load(&s);
    assert_no_diags(&s);
    ck_assert_uint_eq(s.n_vcenters, 1);
    ck_assert_uint_eq(s.n_templates, 1);
    ck_assert_uint_eq(s.n_clusters, 1);
    ck_assert_uint_eq(s.n_statuses, 1);
    ck_assert_int_eq(s.settings.workers, 3);
    /* Errors still name the right line: the mark is not a line of its own. */
    put(cfg_dir, "drover.cfg", "\xEF\xBB\xBF\nworkers = 0;\n", 0600);
    store_done(&s);
    load(&s);
    assert_diag(&s, "drover.cfg:2: workers: must be between 1 and 64");
    store_done(&s);
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
    tcase_add_loop_test(tc, test_bad_file, 0, (int)DR_ARRAY_LEN(bad_cases));
    tcase_add_test(tc, test_broken_beside_good);
    tcase_add_test(tc, test_nul_byte);
    tcase_add_test(tc, test_byte_order_mark);
    tcase_add_test(tc, test_other_byte_order_marks);
    tcase_add_test(tc, test_vcenters_permissions);
    tcase_add_test(tc, test_password_sources);
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
