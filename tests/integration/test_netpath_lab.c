/* The vSphere client's network path against a private lab: which guest
 * address vs_wait_for_ip returns when the guest lists several NICs (the
 * lab's LAB.guest.net hook), and that the vAPI REST connection goes through
 * the session's proxy like the SOAP one (tests/lab/proxy). */
#include "config.h"

#include <check.h>
#include <cjson/cJSON.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/util.h"
#include "labenv.h"
#include "vsphere/internal.h"

extern char **environ;

static struct labenv lab;
static struct dr_vcenter vc;
/* tests/lab/proxy in forward mode (started by the fixture, so that it is
 * stopped however a test ends). */
static pid_t proxy_pid = -1;
static int proxy_port;
static char *proxy_log;

static void proxy_start(void);

static void
lab_setup(void)
{
    if (!labenv_up(&lab, "--vms 1 --hosts 1")) {
        fprintf(stderr, "lab up failed\n");
        exit(1);
    }
    if (access("/usr/bin/python3", X_OK) == 0)
        proxy_start();
}

static void
lab_teardown(void)
{
    if (proxy_pid > 0) {
        kill(proxy_pid, SIGTERM);
        waitpid(proxy_pid, NULL, 0);
    }
    free(proxy_log);
    labenv_down(&lab);
}

static struct vs_session *
login(const char *proxy)
{
    struct vs_session *s = NULL;
    struct dr_error e = {0};

    labenv_vcenter(&lab, &vc);
    vc.proxy = (char *)proxy;
    ck_assert_int_eq(vs_session_new(&vc, labenv_get(&lab, "PASSWORD"), &s, &e), DR_E_OK);
    ck_assert_msg(vs_login(s, &e) == DR_E_OK, "login: %s", e.msg);
    return s;
}

/* A clone of the lab's template, powered off; its id (free it). */
static char *
clone_one(struct vs_session *s, const char *name)
{
    struct dr_template t = {0};
    struct vs_placement p;
    struct dr_error e = {0};
    char *nets[] = {(char *)labenv_get(&lab, "NETWORK"), NULL}, *vm = NULL;

    t.name = (char *)"lab";
    t.networks = nets;
    t.datacenter = (char *)labenv_get(&lab, "DATACENTER");
    t.cluster = (char *)labenv_get(&lab, "CLUSTER");
    t.resource_pool = (char *)labenv_get(&lab, "POOL");
    t.datastore = (char *)labenv_get(&lab, "DATASTORE");
    t.folder = (char *)labenv_get(&lab, "FOLDER");
    t.clone_from = (char *)labenv_get(&lab, "TEMPLATE");
    ck_assert_msg(vs_resolve_placement(s, &t, &p, NULL, &e) == DR_E_OK, "%s", e.msg);
    struct vs_clone_spec cs = {.source = p.source, .name = name, .folder = p.folder,
                               .pool = p.pool, .datastore = p.datastore, .nics = p.nics,
                               .n_nics = p.n_nics};
    ck_assert_msg(vs_clone_vm(s, &cs, &vm, &e) == DR_E_OK, "clone: %s", e.msg);
    vs_placement_done(&p);
    return vm;
}

/* What the guest reports: LAB.guest.net = spec, then the guest IP set to ip
 * (the "node" of the spec), which makes the lab publish the list. */
static void
guest_reports(struct vs_session *s, const char *vm, const char *spec, const char *ip)
{
    struct dr_error e = {0};
    const struct dr_kv kv[] = {{.key = (char *)"LAB.guest.net", .value = (char *)spec},
                               {.key = (char *)"SET.guest.ipAddress", .value = (char *)ip}};
    struct vs_reconfig rc = {.extra_config = kv, .n_extra_config = 2};

    ck_assert_msg(vs_reconfigure_vm(s, vm, &rc, &e) == DR_E_OK, "reconfigure: %s", e.msg);
}

START_TEST(guest_ip_rule)
{
    struct vs_session *s = login(NULL);
    struct dr_error e = {0};
    char *vm = clone_one(s, "guestip-1"), *ip = NULL;
    char *ignore[] = {(char *)"10.20.0.0/16", NULL};

    /* docker0 and cni0 first, then the VM's NIC with IPv6 and IPv4. */
    guest_reports(s, vm, "-1=172.17.0.1;-1=10.42.0.1;4000=fe80::1,2001:db8::5,node", "10.20.30.40");
    ck_assert_msg(vs_wait_for_ip(s, vm, NULL, NULL, 30, &ip, &e) == DR_E_OK, "%s", e.msg);
    ck_assert_str_eq(ip, "10.20.30.40");
    xfree(&ip);

    /* Only docker0 and cni0 have addresses, NIC 4000 none yet: no address;
     * the timeout says what each guest NIC reported. */
    guest_reports(s, vm, "-1=172.17.0.1;-1=10.42.0.1;4000=", "10.20.30.40");
    ck_assert_int_eq(vs_wait_for_ip(s, vm, NULL, NULL, 1, &ip, &e), DR_E_TIMEOUT);
    ck_assert_ptr_null(ip);
    ck_assert_msg(strstr(e.msg, "NIC 4000") && strstr(e.msg, "-1: 172.17.0.1") &&
                      strstr(e.msg, "-1: 10.42.0.1"),
                  "%s", e.msg);

    /* IPv6 only on the NIC: that address rather than a timeout (here the
     * timeout comes before the 20 s grace for an IPv4 address). */
    guest_reports(s, vm, "-1=172.17.0.1;4000=fe80::1,2001:db8::5", "10.20.30.40");
    ck_assert_msg(vs_wait_for_ip(s, vm, NULL, NULL, 2, &ip, &e) == DR_E_OK, "%s", e.msg);
    ck_assert_str_eq(ip, "2001:db8::5");
    xfree(&ip);

    /* ip_ignore covers the NIC's IPv4 address: its IPv6 address, never
     * docker0's. */
    guest_reports(s, vm, "-1=172.17.0.1;4000=node,2001:db8::7", "10.20.30.41");
    ck_assert_msg(vs_wait_for_ip(s, vm, NULL, ignore, 2, &ip, &e) == DR_E_OK, "%s", e.msg);
    ck_assert_str_eq(ip, "2001:db8::7");
    xfree(&ip);

    ck_assert_msg(vs_destroy_vm(s, vm, &e) == DR_E_OK, "destroy: %s", e.msg);
    free(vm);
    vs_session_free(&s);
}
END_TEST

/* Start the forwarding proxy: proxy_pid, proxy_port, proxy_log; on any
 * failure proxy_pid stays -1 and the proxy test fails. */
static void
proxy_start(void)
{
    char *dir = labenv_path(&lab, "proxy"), *pf = xasprintf("%s/port", dir);
    char *script = xasprintf("%s/tests/lab/proxy", getenv("top_srcdir") ? getenv("top_srcdir") : ".");
    FILE *f = NULL;
    pid_t pid;

    proxy_log = xasprintf("%s/log", dir);
    char *argv[] = {(char *)"/usr/bin/python3", script, (char *)"--mode", (char *)"forward",
                    (char *)"--port-file", pf, (char *)"--log", proxy_log, NULL};
    if (mkdir(dir, 0700) == 0 && posix_spawn(&pid, argv[0], NULL, NULL, argv, environ) == 0) {
        proxy_pid = pid;
        /* Bounded wait for the port file (written once it listens). */
        for (int i = 0; i < 200 && (f = fopen(pf, "r")) == NULL; i++) {
            struct timespec ts = {0, 50 * 1000000L};
            nanosleep(&ts, NULL);
        }
        if (f == NULL || fscanf(f, "%d", &proxy_port) != 1)
            proxy_port = 0;
        if (f)
            fclose(f);
    }
    free(pf);
    free(script);
    free(dir);
}

static int
connects(const char *log)
{
    char line[256];
    int n = 0;
    FILE *f = fopen(log, "r");

    while (f && fgets(line, sizeof line, f))
        n += strncmp(line, "CONNECT ", 8) == 0;
    if (f)
        fclose(f);
    return n;
}

START_TEST(rest_through_the_proxy)
{
    int before;
    char *proxy;
    struct vs_session *s;
    struct dr_error e = {0};
    struct cJSON *value = NULL;

    if (access("/usr/bin/python3", X_OK) != 0)
        return; /* no proxy without Python: nothing to check */
    ck_assert_msg(proxy_pid > 0 && proxy_port > 0, "the proxy did not start");
    proxy = xasprintf("http://127.0.0.1:%d", proxy_port);
    s = login(proxy);
    before = connects(proxy_log);
    ck_assert_int_ge(before, 1); /* SOAP went through it */
    /* The vAPI REST connection is a second connection: through it too. */
    ck_assert_msg(vs_rest_call(s, "GET", "/com/vmware/cis/tagging/category", NULL, NULL, &value,
                               &e) == DR_E_OK,
                  "%s", e.msg);
    cJSON_Delete(value);
    ck_assert_int_gt(connects(proxy_log), before);
    vs_session_free(&s);
    free(proxy);
}
END_TEST

int
main(void)
{
    Suite *su = suite_create("netpath_lab");
    TCase *tc = tcase_create("lab");
    SRunner *sr;
    int failed;

    labenv_require();
    if (vs_global_init(NULL) != DR_E_OK)
        return 1;
    tcase_set_timeout(tc, 120);
    tcase_add_unchecked_fixture(tc, lab_setup, lab_teardown);
    tcase_add_test(tc, guest_ip_rule);
    tcase_add_test(tc, rest_through_the_proxy);
    suite_add_tcase(su, tc);
    sr = srunner_create(su);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    vs_global_cleanup();
    return failed ? 1 : 0;
}
