/* bench_health: the CPU cost of one Kubernetes health poll (what
 * src/engine/health.c's poll does: open a client from the kubeconfig,
 * GET /readyz, GET /api/v1/nodes and parse it) against live API servers.
 *   bench_health ROUNDS KUBECONFIG...
 * prints "polls N cpu_ms_per_poll X wall_ms_per_poll Y nodes Z": user+system
 * CPU time of this process (getrusage) per poll, each round polling every
 * kubeconfig once, as the engine polls every cluster once per interval. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "k8s/client.h"

static double
cpu_ms(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e3 +
           (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e3;
}

static double
wall_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

int
main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_health ROUNDS KUBECONFIG...\n");
        return 2;
    }
    int rounds = atoi(argv[1]);
    char *err = NULL;
    if (k8s_global_init(&err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    long polls = 0, nodes = 0;
    double c0 = cpu_ms(), w0 = wall_ms();
    for (int r = 0; r < rounds; r++) {
        for (int i = 2; i < argc; i++) {
            struct k8s_client *c = k8s_client_open(argv[i], NULL, &err);
            struct k8s_node *n = NULL;
            size_t k = 0;
            if (!c || k8s_readyz(c, 10000, &err) != 1 ||
                k8s_nodes_list(c, 10000, &n, &k, &err) != 200) {
                fprintf(stderr, "bench_health: %s: %s\n", argv[i], err ? err : "?");
                return 1;
            }
            nodes += (long)k;
            k8s_nodes_free(n, k);
            k8s_client_free(c);
            polls++;
        }
    }
    double c1 = cpu_ms(), w1 = wall_ms();
    printf("polls %ld cpu_ms_per_poll %.3f wall_ms_per_poll %.3f nodes %ld\n", polls,
           (c1 - c0) / polls, (w1 - w0) / polls, nodes / polls);
    return 0;
}
