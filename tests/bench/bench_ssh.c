/* SSH fan-out benchmark: the same command on N lab nodes with drover's SSH
 * client (one connection per node, all in parallel), parallel-ssh and
 * ansible's shell module, against the same real sshd nodes.
 *
 *   bench_ssh [NODES] [ROUNDS]      (default 50 nodes, 3 rounds each)
 *
 * Prints one line per tool with the median wall time, what it took beyond
 * the command's own 1 s sleep (the fan-out's cost) and the CPU time the
 * tool's side used (drover: this process's threads; parallel-ssh and
 * ansible: their processes and the ssh clients they start; the sshd nodes
 * are not counted for anyone), then drover's speed-up over parallel-ssh
 * beside its target (at least 2x, issue 15; MISSED when not met, as the
 * other benchmarks mark it). Exits 77 when the lab cannot run here, 1 when
 * a tool failed. */
#include "config.h"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "bootstrap/ssh.h"
#include "core/util.h"
#include "sshlab.h"

#define CMD "uname -a; sleep 1"
#define CMD_SLEEP_MS 1000
#define TARGET_VS_PSSH 2.0

static double
cpu_ms(int who)
{
    struct rusage ru;

    getrusage(who, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000.0 +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000.0;
}

static struct sshlab lab;

struct job {
    int index;
    enum dr_err rc;
    int lines;
    char err[1024];
};

static void
count_line(void *ud, enum ssh_stream st, const char *line)
{
    ((struct job *)ud)->lines++;
}

static void *
one_node(void *arg)
{
    struct job *j = arg;
    struct labnode *n = &lab.nodes[j->index];
    struct ssh_params p = {
        .host = n->addr,
        .port = n->port,
        .user = lab.user,
        .client_key = &lab.client_key,
        .host_key = &n->host_key,
        .deadline_ms = util_now_ms() + 60000,
    };
    struct dr_error e = {0};
    struct ssh_session *s = NULL;
    int status;

    j->rc = ssh_connect(&p, &s, &e);
    if (j->rc == DR_E_OK) {
        j->rc = ssh_exec(s, CMD, count_line, j, &status, util_now_ms() + 60000, &e);
        ssh_close(&s);
    }
    snprintf(j->err, sizeof j->err, "%s", e.msg);
    return NULL;
}

/* drover: N threads, one session each. Returns ms or -1. */
static long long
run_drover(void)
{
    pthread_t *th = xcalloc((size_t)lab.n, sizeof *th);
    struct job *jobs = xcalloc((size_t)lab.n, sizeof *jobs);
    long long t0 = util_now_ms(), ms;
    bool ok = true;

    for (int i = 0; i < lab.n; i++) {
        jobs[i].index = i;
        pthread_create(&th[i], NULL, one_node, &jobs[i]);
    }
    for (int i = 0; i < lab.n; i++)
        pthread_join(th[i], NULL);
    ms = util_now_ms() - t0;
    for (int i = 0; i < lab.n; i++) {
        if (jobs[i].rc != DR_E_OK || jobs[i].lines != 1) {
            fprintf(stderr, "bench: drover on %s: %s\n", lab.nodes[i].addr, jobs[i].err);
            ok = false;
        }
    }
    free(th);
    free(jobs);
    return ok ? ms : -1;
}

/* Time from setting the cancel flag (from another thread, while the remote
 * command sleeps and ssh_exec waits in poll) to ssh_exec returning. */
struct cancel_probe {
    atomic_bool *flag;
    atomic_bool started;
    long long set_at;
};

static void
note_start(void *ud, enum ssh_stream st, const char *line)
{
    struct cancel_probe *c = ud;

    if (strcmp(line, "started") == 0)
        atomic_store(&c->started, true);
}

static void *
canceller(void *arg)
{
    struct cancel_probe *c = arg;

    while (!atomic_load(&c->started))
        poll(NULL, 0, 10);
    poll(NULL, 0, 250);
    c->set_at = util_now_ms();
    atomic_store(c->flag, true);
    return NULL;
}

static long long
cancel_latency(void)
{
    atomic_bool flag = false;
    struct cancel_probe c = {.flag = &flag};
    struct labnode *n = &lab.nodes[0];
    struct ssh_params p = {
        .host = n->addr,
        .port = n->port,
        .user = lab.user,
        .client_key = &lab.client_key,
        .host_key = &n->host_key,
        .deadline_ms = util_now_ms() + 30000,
        .cancel = &flag,
    };
    struct dr_error e = {0};
    struct ssh_session *s = NULL;
    pthread_t th;
    int status;
    long long ms = -1;

    if (ssh_connect(&p, &s, &e) != DR_E_OK)
        return -1;
    pthread_create(&th, NULL, canceller, &c);
    enum dr_err rc =
        ssh_exec(s, "echo started; sleep 30", note_start, &c, &status, util_now_ms() + 60000, &e);
    long long end = util_now_ms();
    atomic_store(&c.started, true); /* let the thread finish in any case */
    pthread_join(th, NULL);
    if (rc == DR_E_CANCELLED)
        ms = end - c.set_at;
    ssh_close(&s);
    return ms;
}

static long long
run_shell(const char *cmd)
{
    long long t0 = util_now_ms();
    int rc = system(cmd);

    if (rc == -1 || !WIFEXITED(rc) || WEXITSTATUS(rc) != 0) {
        fprintf(stderr, "bench: failed (%d): %s\n", rc, cmd);
        return -1;
    }
    return util_now_ms() - t0;
}

static int
cmp_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;

    return x < y ? -1 : x > y;
}

/* Files parallel-ssh and ansible need: key, known_hosts, host lists. */
static bool
write_client_files(void)
{
    struct dr_known_host *kh = xcalloc((size_t)lab.n, sizeof *kh);
    struct dr_error e = {0};
    char *key = keys_private_openssh(&lab.client_key), *path;
    FILE *hosts, *inv;
    bool ok;

    path = xasprintf("%s/id_ed25519", lab.root);
    ok = util_write_atomic(path, key, strlen(key), 0600, &e) == DR_E_OK;
    keys_free_secret(&key);
    free(path);
    for (int i = 0; i < lab.n; i++)
        kh[i] = (struct dr_known_host){
            .host = lab.nodes[i].addr, .port = lab.nodes[i].port, .key = &lab.nodes[i].host_key};
    path = xasprintf("%s/known_hosts", lab.root);
    ok = ok && keys_write_known_hosts(path, kh, (size_t)lab.n, &e) == DR_E_OK;
    free(path);
    free(kh);
    path = xasprintf("%s/hosts", lab.root);
    hosts = fopen(path, "w");
    free(path);
    path = xasprintf("%s/inventory", lab.root);
    inv = fopen(path, "w");
    free(path);
    if (hosts == NULL || inv == NULL)
        return false;
    fprintf(inv, "[lab]\n");
    for (int i = 0; i < lab.n; i++) {
        fprintf(hosts, "%s@%s:%d\n", lab.user, lab.nodes[i].addr, lab.nodes[i].port);
        fprintf(inv, "%s ansible_port=%d ansible_user=%s\n", lab.nodes[i].addr, lab.nodes[i].port,
                lab.user);
    }
    fclose(hosts);
    fclose(inv);
    if (!ok)
        fprintf(stderr, "bench: %s\n", e.msg);
    return ok;
}

static void
on_signal(int sig)
{
    sshlab_done(&lab);
    _exit(128 + sig);
}

int
main(int argc, char **argv)
{
    int nodes = argc > 1 ? atoi(argv[1]) : 50, rounds = argc > 2 ? atoi(argv[2]) : 3;
    const char *why = sshlab_unavailable();
    struct dr_error e = {0};
    long long t[3][16];
    const char *names[3] = {"drover (libssh2 fan-out)", "parallel-ssh", "ansible -m shell"};
    char *cmd[3] = {NULL, NULL, NULL};
    int rc = 0;

    if (why) {
        printf("SKIP: %s\n", why);
        return 77;
    }
    if (rounds < 1 || rounds > 16 || nodes < 1)
        return 2;
    ssh_global_init(&e);
    if (!sshlab_init(&lab, "drover"))
        return 1;
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    long long t0 = util_now_ms();
    if (!sshlab_start(&lab, nodes) || !write_client_files()) {
        fprintf(stderr, "bench: the lab did not start\n");
        sshlab_done(&lab);
        return 1;
    }
    printf("%d sshd nodes started in %lld ms; command: %s; %d rounds each\n", nodes,
           util_now_ms() - t0, CMD, rounds);
    cmd[1] = xasprintf(
        "parallel-ssh -h '%s/hosts' -p %d -t 60 -o '%s/pssh-out' "
        "-x '-i %s/id_ed25519 -o UserKnownHostsFile=%s/known_hosts -o StrictHostKeyChecking=yes "
        "-o BatchMode=yes -o IdentitiesOnly=yes' '%s' >/dev/null",
        lab.root, nodes, lab.root, lab.root, lab.root, CMD);
    cmd[2] = xasprintf(
        "cd '%s' && ANSIBLE_HOST_KEY_CHECKING=True ANSIBLE_LOCAL_TEMP='%s/ansible-tmp' "
        "ANSIBLE_SSH_ARGS='-o UserKnownHostsFile=%s/known_hosts -o StrictHostKeyChecking=yes "
        "-o IdentitiesOnly=yes -o ControlMaster=no' ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3 "
        "ANSIBLE_NOCOLOR=1 ansible all -i inventory -f %d --private-key '%s/id_ed25519' "
        "-m shell -a '%s' >'%s/ansible.out' 2>&1 || { tail -20 '%s/ansible.out'; false; }",
        lab.root, lab.root, lab.root, nodes, lab.root, CMD, lab.root, lab.root);
    double cpu[3] = {0, 0, 0};
    for (int r = 0; r < rounds && rc == 0; r++) {
        double c0 = cpu_ms(RUSAGE_SELF);
        t[0][r] = run_drover();
        cpu[0] += cpu_ms(RUSAGE_SELF) - c0;
        for (int k = 1; k < 3; k++) {
            c0 = cpu_ms(RUSAGE_CHILDREN);
            t[k][r] = run_shell(cmd[k]);
            cpu[k] += cpu_ms(RUSAGE_CHILDREN) - c0;
        }
        for (int k = 0; k < 3; k++)
            if (t[k][r] < 0)
                rc = 1;
    }
    if (rc == 0) {
        long long med[3];
        double ratio;
        double load[3] = {0, 0, 0};

        for (int k = 0; k < 3; k++) {
            qsort(t[k], (size_t)rounds, sizeof t[k][0], cmp_ll);
            med[k] = t[k][rounds / 2];
            printf("%-26s median %6lld ms  (min %lld, max %lld); beyond the %d ms sleep %lld ms; "
                   "CPU %.1f ms a node\n",
                   names[k], med[k], t[k][0], t[k][rounds - 1], CMD_SLEEP_MS,
                   med[k] - CMD_SLEEP_MS, cpu[k] / rounds / nodes);
        }
        ratio = (double)med[1] / (double)med[0];
        printf("drover vs parallel-ssh: %.2fx faster (target >= %.1fx: %s); drover vs ansible: "
               "%.2fx faster\n",
               ratio, TARGET_VS_PSSH, ratio >= TARGET_VS_PSSH ? "ok" : "MISSED",
               (double)med[2] / (double)med[0]);
        if (getloadavg(load, 3) == 3)
            printf("load average after the run: %.2f %.2f %.2f\n", load[0], load[1], load[2]);
        long long lat[5];
        for (int i = 0; i < 5; i++)
            lat[i] = cancel_latency();
        qsort(lat, 5, sizeof lat[0], cmp_ll);
        printf("cancel mid-command: ssh_exec returns %lld ms after the flag (median of 5, "
               "max %lld)\n",
               lat[2], lat[4]);
    }
    free(cmd[1]);
    free(cmd[2]);
    sshlab_done(&lab);
    ssh_global_done();
    return rc;
}
