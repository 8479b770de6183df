/* vSphere client benchmarks against a running lab (settings from the lab's
 * env file, see tests/bench/vsphere.sh):
 *   bench_vsphere ENVFILE lifecycle N WORKERS   clone+configure+power+IP+destroy of N VMs
 *   bench_vsphere ENVFILE retrieve SECONDS       RetrievePropertiesEx over every VM
 * Prints one "key=value ..." line of results. */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "core/util.h"
#include "vsphere/internal.h"
#include "vsphere/vsphere.h"

static char *env_keys[64], *env_vals[64];
static int env_n;

static const char *
env(const char *key)
{
    for (int i = 0; i < env_n; i++)
        if (strcmp(env_keys[i], key) == 0)
            return env_vals[i];
    fprintf(stderr, "bench: %s missing from the lab's env file\n", key);
    exit(1);
}

static void
load_env(const char *path)
{
    FILE *f = fopen(path, "r");
    char line[4096];

    if (f == NULL) {
        perror(path);
        exit(1);
    }
    while (env_n < 64 && fgets(line, sizeof line, f)) {
        char *eq = strchr(line, '='), *v, *end;
        if (eq == NULL)
            continue;
        *eq = '\0';
        v = eq + 1;
        v[strcspn(v, "\n")] = '\0';
        if (*v == '\'') {
            v++;
            end = strrchr(v, '\'');
            if (end)
                *end = '\0';
        }
        env_keys[env_n] = xstrdup(line);
        env_vals[env_n++] = xstrdup(v);
    }
    fclose(f);
}

static struct dr_vcenter vc;

static struct vs_session *
login(void)
{
    struct vs_session *s = NULL;
    struct dr_error e = {0};

    if (vs_session_new(&vc, env("LAB_PASSWORD"), &s, &e) != DR_E_OK || vs_login(s, &e) != DR_E_OK) {
        fprintf(stderr, "bench: %s\n", e.msg);
        exit(1);
    }
    return s;
}

struct job {
    atomic_int next;
    int n;
    struct vs_placement p;
    atomic_int failed;
};

static int
one_vm(struct vs_session *s, struct job *j, int i, struct dr_error *e)
{
    char name[64], ip_set[32], owner[64], *vm = NULL, *ip = NULL;
    int rc = 1;

    snprintf(name, sizeof name, "bench-%d-%d", (int)getpid(), i);
    snprintf(ip_set, sizeof ip_set, "10.77.%d.%d", i / 250, i % 250 + 1);
    snprintf(owner, sizeof owner, "bench/%d", i);
    const struct dr_kv kv[] = {
        {.key = (char *)VS_OWNER_KEY, .value = owner},
        {.key = (char *)"guestinfo.userdata", .value = (char *)"I2Nsb3VkLWNvbmZpZwo="},
        {.key = (char *)"guestinfo.userdata.encoding", .value = (char *)"base64"},
        {.key = (char *)"SET.guest.ipAddress", .value = ip_set},
    };
    struct vs_clone_spec cs = {.source = j->p.source,
                               .name = name,
                               .folder = j->p.folder,
                               .pool = j->p.pool,
                               .datastore = j->p.datastore};
    struct vs_reconfig r = {.cpus = 2, .memory_mib = 2048, .extra_config = kv, .n_extra_config = 4};

    if (vs_clone_vm(s, &cs, &vm, e) == DR_E_OK && vs_reconfigure_vm(s, vm, &r, e) == DR_E_OK &&
        vs_power_on(s, vm, e) == DR_E_OK && vs_wait_for_ip(s, vm, NULL, NULL, 60, &ip, e) == DR_E_OK &&
        strcmp(ip, ip_set) == 0 && vs_power_off(s, vm, e) == DR_E_OK &&
        vs_destroy_vm(s, vm, e) == DR_E_OK)
        rc = 0;
    free(vm);
    free(ip);
    return rc;
}

static void *
worker(void *arg)
{
    struct job *j = arg;
    struct vs_session *s = login(); /* one session per worker thread */
    struct dr_error e = {0};
    int i;

    while ((i = atomic_fetch_add(&j->next, 1)) < j->n) {
        if (one_vm(s, j, i, &e) != 0) {
            fprintf(stderr, "bench: VM %d: %s\n", i, e.msg);
            atomic_fetch_add(&j->failed, 1);
        }
    }
    vs_session_free(&s);
    return NULL;
}

static int
bench_lifecycle(int n, int workers)
{
    struct job j = {.n = n};
    struct dr_template t = {0};
    struct vs_session *s = login();
    struct dr_error e = {0};
    pthread_t *th = xcalloc((size_t)workers, sizeof *th);
    long long t0, ms;

    t.name = (char *)"bench";
    t.datacenter = (char *)env("LAB_DATACENTER");
    t.cluster = (char *)env("LAB_CLUSTER");
    t.resource_pool = (char *)env("LAB_POOL");
    t.datastore = (char *)env("LAB_DATASTORE");
    t.folder = (char *)env("LAB_FOLDER");
    t.clone_from = (char *)env("LAB_TEMPLATE");
    if (vs_resolve_placement(s, &t, &j.p, NULL, &e) != DR_E_OK) {
        fprintf(stderr, "bench: %s\n", e.msg);
        return 1;
    }
    vs_session_free(&s);
    t0 = util_now_ms();
    for (int i = 0; i < workers; i++)
        pthread_create(&th[i], NULL, worker, &j);
    for (int i = 0; i < workers; i++)
        pthread_join(th[i], NULL);
    ms = util_now_ms() - t0;
    printf("vms=%d workers=%d seconds=%.2f per_vm_ms=%.0f failed=%d\n", n, workers, ms / 1000.0,
           (double)ms / n, atomic_load(&j.failed));
    vs_placement_done(&j.p);
    free(th);
    return atomic_load(&j.failed) != 0;
}

static enum dr_err
count_vm(void *user, const char *type, const char *id, xmlNodePtr oc, struct dr_error *e)
{
    (*(size_t *)user)++;
    return DR_E_OK;
}

static int
bench_retrieve(int seconds)
{
    static const char *const paths[] = {"name", "runtime.powerState", "guest.ipAddress",
                                        "config.template", NULL};
    const struct vs_propspec spec = {.type = "VirtualMachine", .paths = paths};
    struct vs_session *s = login();
    struct dr_error e = {0};
    long long t0 = util_now_ms(), ms;
    size_t objects = 0, listings = 0, per = 0;
    struct rusage ru;

    do {
        size_t n = 0;
        if (vs_retrieve_view(s, "Folder", s->root_folder, &spec, 1, true, count_vm, &n, &e) !=
            DR_E_OK) {
            fprintf(stderr, "bench: %s\n", e.msg);
            return 1;
        }
        per = n;
        objects += n;
        listings++;
    } while ((ms = util_now_ms() - t0) < seconds * 1000LL);
    getrusage(RUSAGE_SELF, &ru);
    /* Each listing is CreateContainerView, RetrievePropertiesEx, one
     * ContinueRetrievePropertiesEx per further page of VS_PAGE_SIZE, DestroyView. */
    printf("vms=%zu listings=%zu seconds=%.2f listings_per_s=%.2f vm_objects_per_s=%.0f "
           "retrieve_requests_per_s=%.2f peak_rss_kib=%ld\n",
           per, listings, ms / 1000.0, listings * 1000.0 / ms, objects * 1000.0 / ms,
           listings * (double)((per + VS_PAGE_SIZE - 1) / VS_PAGE_SIZE) * 1000.0 / ms,
           ru.ru_maxrss);
    vs_session_free(&s);
    return 0;
}

int
main(int argc, char **argv)
{
    struct dr_error e = {0};
    int rc;

    if (argc < 4) {
        fprintf(stderr, "usage: bench_vsphere ENVFILE lifecycle N WORKERS | retrieve SECONDS\n");
        return 2;
    }
    load_env(argv[1]);
    vc.name = (char *)"lab";
    vc.url = (char *)env("LAB_URL");
    vc.user = (char *)env("LAB_USER");
    vc.pin = (char *)env("LAB_PIN");
    vc.timeout_s = 60;
    vs_global_init(&e);
    if (strcmp(argv[2], "lifecycle") == 0 && argc == 5)
        rc = bench_lifecycle(atoi(argv[3]), atoi(argv[4]));
    else if (strcmp(argv[2], "retrieve") == 0)
        rc = bench_retrieve(atoi(argv[3]));
    else
        rc = 2;
    vs_global_cleanup();
    for (int i = 0; i < env_n; i++) {
        free(env_keys[i]);
        free(env_vals[i]);
    }
    return rc;
}
