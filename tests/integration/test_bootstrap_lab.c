/* End to end through the lab's vCenter: a VM cloned with drover's cloud-init
 * in its guestinfo boots as a real sshd node (the lab's hypervisor runs
 * tests/lab/sshnode), drover reaches it at the guest IP with the pinned host
 * key only, runs the test recipe and fetches the token; OpenSSH agrees with
 * the known_hosts drover writes; powering the VM off takes the node away. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bootstrap/cloudinit.h"
#include "bootstrap/recipe.h"
#include "bootstrap/ssh.h"
#include "core/keys.h"
#include "core/util.h"
#include "labenv.h"
#include "sshlab.h"
#include "vsphere/vsphere.h"

static struct labenv lab;
static bool lab_ok;
static char tmp[64];

static const char *
srcdir(void)
{
    const char *top = getenv("top_srcdir");

    return top && *top ? top : DR_TOP_SRCDIR;
}

static void
lab_setup(void)
{
    char *opts = xasprintf("--vms 1 --hosts 1 --sshnode %s/tests/lab/sshnode", srcdir());
    struct dr_error e = {0};

    ssh_global_init(&e);
    vs_global_init(&e);
    snprintf(tmp, sizeof tmp, "/tmp/drover-e2e-XXXXXX");
    lab_ok = mkdtemp(tmp) != NULL && labenv_up(&lab, opts);
    free(opts);
}

static void
lab_teardown(void)
{
    char *rm = xasprintf("rm -rf '%s'", tmp);

    labenv_down(&lab);
    if (system(rm) != 0)
        fprintf(stderr, "cannot remove %s\n", tmp);
    free(rm);
    vs_global_cleanup();
    ssh_global_done();
}

START_TEST(test_vm_boots_as_pinned_node)
{
    struct dr_vcenter vc;
    char *networks[] = {(char *)labenv_get(&lab, "NETWORK"), NULL};
    struct dr_template t = {
        .name = (char *)"lab",
        .datacenter = (char *)labenv_get(&lab, "DATACENTER"),
        .cluster = (char *)labenv_get(&lab, "CLUSTER"),
        .resource_pool = (char *)labenv_get(&lab, "POOL"),
        .datastore = (char *)labenv_get(&lab, "DATASTORE"),
        .folder = (char *)labenv_get(&lab, "FOLDER"),
        .clone_from = (char *)labenv_get(&lab, "TEMPLATE"),
        .networks = networks,
        .ssh_user = (char *)"drover",
    };
    struct dr_keypair client, host;
    struct dr_error e = {0};
    struct vs_session *vs = NULL;
    struct vs_placement p = {0};
    char *vm = NULL, *ip = NULL;

    ck_assert_msg(lab_ok, "the lab did not start");
    labenv_vcenter(&lab, &vc);
    /* The cluster key and the node's host key, saved as drover keeps them. */
    char *cpath = keys_cluster_path(tmp, "e2e"), *hpath = keys_host_path(tmp, "e2e", "server-1");
    ck_assert_int_eq(keys_load_or_create(cpath, "drover@e2e", &client, &e), DR_E_OK);
    ck_assert_int_eq(keys_load_or_create(hpath, "server-1", &host, &e), DR_E_OK);
    char *pub = keys_public_line(&client);
    struct ci_node cn = {
        .tmpl = &t,
        .hostname = "server-1",
        .cluster_public_key = pub,
        .host_key = &host,
    };
    struct dr_kv *gi;
    size_t ngi;
    ck_assert_msg(ci_guestinfo(&cn, &gi, &ngi, &e) == DR_E_OK, "%s", e.msg);

    ck_assert_int_eq(vs_session_new(&vc, labenv_get(&lab, "PASSWORD"), &vs, &e), DR_E_OK);
    ck_assert_msg(vs_login(vs, &e) == DR_E_OK, "login: %s", e.msg);
    ck_assert_msg(vs_resolve_placement(vs, &t, &p, NULL, &e) == DR_E_OK, "%s", e.msg);
    struct vs_clone_spec cs = {
        .source = p.source,
        .name = "server-1",
        .folder = p.folder,
        .pool = p.pool,
        .datastore = p.datastore,
        .nics = p.nics,
        .n_nics = p.n_nics,
    };
    ck_assert_msg(vs_clone_vm(vs, &cs, &vm, &e) == DR_E_OK, "clone: %s", e.msg);
    struct vs_reconfig rc = {.extra_config = gi, .n_extra_config = ngi};
    ck_assert_msg(vs_reconfigure_vm(vs, vm, &rc, &e) == DR_E_OK, "reconfigure: %s", e.msg);
    ck_assert_msg(vs_power_on(vs, vm, &e) == DR_E_OK, "power on: %s", e.msg);
    if (vs_wait_for_ip(vs, vm, NULL, NULL, 60, &ip, &e) != DR_E_OK) {
        char *log = labenv_path(&lab, "vcsim.log"), *text = NULL;
        util_read_file(log, &text, NULL, NULL);
        ck_abort_msg("ip: %s\nvcsim.log:\n%s", e.msg, text ? text : "(none)");
    }
    ck_assert(str_has_prefix(ip, "127."));

    const char *port_s = labenv_get(&lab, "SSH_PORT");
    int port = *port_s ? atoi(port_s) : 22;
    struct ssh_params sp = {
        .host = ip,
        .port = port,
        .user = "drover",
        .client_key = &client,
        .host_key = &host,
        .deadline_ms = util_now_ms() + 30000,
    };
    struct ssh_session *s = NULL;
    ck_assert_msg(ssh_connect(&sp, &s, &e) == DR_E_OK, "%s", e.msg);

    struct recipe_params rp = {
        .dist = DR_DIST_K3S,
        .role = RECIPE_INIT,
        .node_name = "server-1",
        .node_addr = ip,
        .roles = DR_ROLE_ETCD | DR_ROLE_CONTROL_PLANE,
    };
    char *recipe = xasprintf("%s/data/bootstrap/test.sh", srcdir());
    struct recipe_result res;
    rp.recipe_path = recipe;
    ck_assert_msg(recipe_run(s, &rp, NULL, NULL, NULL, &res, util_now_ms() + 60000, &e) == DR_E_OK,
                  "%s", e.msg);
    ck_assert(str_has_prefix(res.token, "K10"));
    ck_assert_int_eq(recipe_store_result(tmp, "e2e", &res, &e), DR_E_OK);
    recipe_result_done(&res);
    ssh_close(&s);

    /* The known_hosts drover writes is what OpenSSH needs to trust the node. */
    char *kh = keys_known_hosts_path(tmp, "e2e");
    struct dr_known_host h = {.host = ip, .port = port, .key = &host};
    ck_assert_int_eq(keys_write_known_hosts(kh, &h, 1, &e), DR_E_OK);
    char *cmd = xasprintf("ssh -n -i '%s' -o UserKnownHostsFile='%s' -o StrictHostKeyChecking=yes "
                          "-o BatchMode=yes -o IdentitiesOnly=yes -p %d drover@%s "
                          "'cat drover-test/role' | grep -qx init",
                          cpath, kh, port, ip);
    ck_assert_int_eq(system(cmd), 0);
    free(cmd);

    /* A key that is not the pinned one is refused at the real address. */
    struct dr_keypair other;
    ck_assert_int_eq(keys_generate(&other, "other", &e), DR_E_OK);
    sp.host_key = &other;
    sp.deadline_ms = util_now_ms() + 10000;
    sp.key_verified = true;  /* reached above: a mismatch is an alarm at once */
    ck_assert_int_eq(ssh_connect(&sp, &s, &e), DR_E_HOSTKEY);
    ck_assert_str_eq(e.cause, "ssh:hostkey-changed");
    sp.key_verified = false;

    /* Power off: the node goes away with the VM. */
    ck_assert_msg(vs_power_off(vs, vm, &e) == DR_E_OK, "%s", e.msg);
    sp.host_key = &host;
    sp.retry_delay_ms = 100;
    enum dr_err gone = DR_E_OK;
    /* The hypervisor takes the node down just after the task: poll, bounded. */
    /* (While sshd is being killed a connection may see odd refusals.) */
    for (int i = 0; i < 50 && gone != DR_E_TIMEOUT; i++) {
        sp.deadline_ms = util_now_ms() + 1000;
        gone = ssh_connect(&sp, &s, &e);
        ssh_close(&s);
    }
    ck_assert_msg(gone == DR_E_TIMEOUT, "%d: %s", gone, e.msg);
    ck_assert_msg(vs_destroy_vm(vs, vm, &e) == DR_E_OK, "%s", e.msg);

    keys_done(&other);
    free(kh), free(recipe), free(ip), free(vm), free(pub), free(cpath), free(hpath);
    ci_kv_free(&gi, ngi);
    vs_placement_done(&p);
    vs_session_free(&vs);
    keys_done(&client);
    keys_done(&host);
}
END_TEST

int
main(void)
{
    const char *why = sshlab_unavailable();
    Suite *s;
    TCase *tc;
    SRunner *sr;
    int failed;

    labenv_require();
    if (why) {
        printf("SKIP: %s\n", why);
        return 77;
    }
    s = suite_create("bootstrap-lab");
    tc = tcase_create("e2e");
    tcase_add_unchecked_fixture(tc, lab_setup, lab_teardown);
    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, test_vm_boots_as_pinned_node);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
