#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bootstrap/cloudinit.h"
#include "core/util.h"
#include "sshlab.h"

#ifndef DR_TOP_SRCDIR
#define DR_TOP_SRCDIR "."
#endif

static const char *
sshnode_path(void)
{
    static char path[600];
    const char *top = getenv("top_srcdir");

    snprintf(path, sizeof path, "%s/tests/lab/sshnode", top && *top ? top : DR_TOP_SRCDIR);
    return path;
}

const char *
sshlab_unavailable(void)
{
    if (geteuid() != 0)
        return "SSH lab nodes need root (mount namespaces)";
    if (access("/usr/sbin/sshd", X_OK) != 0)
        return "no /usr/sbin/sshd";
    if (access(sshnode_path(), X_OK) != 0)
        return "tests/lab/sshnode not found (set top_srcdir)";
    if (system("unshare --mount --pid --fork true >/dev/null 2>&1") != 0)
        return "unshare cannot create namespaces here";
    return NULL;
}

bool
sshlab_init(struct sshlab *lab, const char *user)
{
    struct dr_error e = {0};

    memset(lab, 0, sizeof *lab);
    snprintf(lab->root, sizeof lab->root, "/tmp/drover-sshlab-XXXXXX");
    if (mkdtemp(lab->root) == NULL)
        return false;
    lab->user = user;
    if (keys_generate(&lab->client_key, "drover-test@lab", &e) != DR_E_OK) {
        fprintf(stderr, "sshlab: %s\n", e.msg);
        return false;
    }
    return true;
}

static bool
node_up(struct sshlab *lab, struct labnode *n, const char *addr)
{
    struct dr_template t = {.name = (char *)"lab", .ssh_user = (char *)lab->user};
    char *pub = keys_public_line(&lab->client_key);
    struct ci_node cn = {
        .tmpl = &t,
        .hostname = n->name,
        .cluster_public_key = pub,
        .host_key = &n->host_key,
    };
    struct dr_error e = {0};
    char *ud, *udpath, *cmd, line[256] = "", last[256] = "";
    FILE *p;

    if ((!n->host_key.has_private && keys_generate(&n->host_key, n->name, &e) != DR_E_OK) ||
        ci_render_user_data(&cn, true, &ud, &e) != DR_E_OK) {
        fprintf(stderr, "sshlab: %s\n", e.msg);
        free(pub);
        return false;
    }
    free(pub);
    snprintf(n->dir, sizeof n->dir, "%s/%s", lab->root, n->name);
    udpath = xasprintf("%s/%s.userdata", lab->root, n->name);
    if (util_write_atomic(udpath, ud, strlen(ud), 0600, &e) != DR_E_OK) {
        fprintf(stderr, "sshlab: %s\n", e.msg);
        keys_free_secret(&ud);
        free(udpath);
        return false;
    }
    keys_free_secret(&ud);
    cmd = xasprintf("'%s' up --dir '%s' --userdata '%s' --name '%s'%s%s", sshnode_path(), n->dir,
                    udpath, n->name, addr ? " --addr " : "", addr ? addr : "");
    p = popen(cmd, "r");
    free(cmd);
    free(udpath);
    if (p == NULL)
        return false;
    while (fgets(line, sizeof line, p))
        snprintf(last, sizeof last, "%s", line);
    int rc = pclose(p);
    last[strcspn(last, "\n")] = '\0';
    if (rc != 0 || last[0] == '\0') {
        fprintf(stderr, "sshlab: node %s did not start\n", n->name);
        return false;
    }
    snprintf(n->addr, sizeof n->addr, "%s", last);
    n->port = getenv("LAB_SSH_PORT") ? atoi(getenv("LAB_SSH_PORT")) : 22;
    n->up = true;
    return true;
}

struct start_job {
    struct sshlab *lab;
    int next, failed;
    pthread_mutex_t mu;
};

static void *
start_worker(void *arg)
{
    struct start_job *j = arg;

    for (;;) {
        pthread_mutex_lock(&j->mu);
        int i = j->next++;
        pthread_mutex_unlock(&j->mu);
        if (i >= j->lab->n)
            return NULL;
        if (!node_up(j->lab, &j->lab->nodes[i], NULL)) {
            pthread_mutex_lock(&j->mu);
            j->failed++;
            pthread_mutex_unlock(&j->mu);
        }
    }
}

bool
sshlab_start(struct sshlab *lab, int n)
{
    struct start_job j = {.lab = lab};
    pthread_t th[4];

    lab->nodes = xcalloc((size_t)n, sizeof *lab->nodes);
    lab->n = n;
    for (int i = 0; i < n; i++)
        snprintf(lab->nodes[i].name, sizeof lab->nodes[i].name, "node-%02d", i + 1);
    pthread_mutex_init(&j.mu, NULL);
    for (size_t i = 0; i < DR_ARRAY_LEN(th); i++)
        pthread_create(&th[i], NULL, start_worker, &j);
    for (size_t i = 0; i < DR_ARRAY_LEN(th); i++)
        pthread_join(th[i], NULL);
    pthread_mutex_destroy(&j.mu);
    return j.failed == 0;
}

int
sshlab_add(struct sshlab *lab, const char *addr, const struct dr_keypair *host_key)
{
    int i = lab->n;

    lab->nodes = xrealloc(lab->nodes, ((size_t)i + 1) * sizeof *lab->nodes);
    memset(&lab->nodes[i], 0, sizeof lab->nodes[i]);
    snprintf(lab->nodes[i].name, sizeof lab->nodes[i].name, "extra-%02d", i + 1);
    if (host_key) {
        memcpy(&lab->nodes[i].host_key, host_key, sizeof *host_key);
        lab->nodes[i].host_key.comment = xstrdup0(host_key->comment);
    }
    lab->n++;
    return node_up(lab, &lab->nodes[i], addr) ? i : -1;
}

void
sshlab_free_addr(char *buf, size_t len)
{
    static unsigned seed;

    if (seed == 0)
        seed = (unsigned)time(NULL) ^ (unsigned)getpid();
    for (;;) {
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(22)};
        snprintf(buf, len, "127.%u.%u.%u", 16 + rand_r(&seed) % 230, rand_r(&seed) % 256,
                 2 + rand_r(&seed) % 250);
        inet_pton(AF_INET, buf, &sa.sin_addr);
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        int ok = fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
        if (fd >= 0)
            close(fd);
        if (ok)
            return;
    }
}

bool
sshlab_node_cmd(struct sshlab *lab, int i, const char *verb)
{
    char *cmd = xasprintf("'%s' %s --dir '%s'", sshnode_path(), verb, lab->nodes[i].dir);
    bool ok = system(cmd) == 0;

    free(cmd);
    return ok;
}

void
sshlab_done(struct sshlab *lab)
{
    for (int i = 0; i < lab->n; i++) {
        struct labnode *n = &lab->nodes[i];
        if (n->dir[0]) {
            char *cmd = xasprintf("'%s' down --dir '%s' >/dev/null 2>&1", sshnode_path(), n->dir);
            if (system(cmd) != 0)
                fprintf(stderr, "sshlab: stopping %s failed\n", n->name);
            free(cmd);
        }
        keys_done(&n->host_key);
    }
    if (lab->root[0]) {
        char *cmd = xasprintf("rm -rf '%s'", lab->root);
        if (system(cmd) != 0)
            fprintf(stderr, "sshlab: cannot remove %s\n", lab->root);
        free(cmd);
    }
    free(lab->nodes);
    keys_done(&lab->client_key);
    memset(lab, 0, sizeof *lab);
}
