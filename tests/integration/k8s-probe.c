/* k8s-probe: the Kubernetes API client (src/k8s/client.c) driven from a
 * test script against the lab's stand-in (tests/integration/k8s-client.t).
 *   k8s-probe KUBECONFIG readyz
 *       prints "ready" / "not-ready" / "error", then the error if any
 *   k8s-probe KUBECONFIG nodes
 *       one line per node: name ready kubelet roles|- cordoned|- reason|-
 *   k8s-probe KUBECONFIG request METHOD PATH [CONTENT-TYPE BODY]
 *       the status, then the answer's JSON (unformatted) or "-"
 * KUBECONFIG may be "FILE@CONTEXT". Errors go to stderr; the exit status is
 * 0 when the call got an answer (any status), 1 on a transport error or
 * when the client could not be opened. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "k8s/client.h"

int
main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: k8s-probe KUBECONFIG[@CONTEXT] readyz|nodes|request ...\n");
        return 2;
    }
    char *err = NULL, *path = strdup(argv[1]), *ctx = strrchr(path, '@');
    if (ctx)
        *ctx++ = '\0';
    if (k8s_global_init(&err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    struct k8s_client *c = k8s_client_open(path, ctx, &err);
    if (!c) {
        fprintf(stderr, "open: %s\n", err);
        return 1;
    }
    int rc = 0;
    if (!strcmp(argv[2], "readyz")) {
        int r = k8s_readyz(c, 10000, &err);
        printf("%s\n", r > 0 ? "ready" : r == 0 ? "not-ready" : "error");
        rc = r < 0;
    } else if (!strcmp(argv[2], "nodes")) {
        struct k8s_node *n = NULL;
        size_t k = 0;
        int st = k8s_nodes_list(c, 10000, &n, &k, &err);
        for (size_t i = 0; st == 200 && i < k; i++)
            printf("%s %s %s %s %s %s\n", n[i].name, k8s_ready_name(n[i].ready),
                   n[i].kubelet_version, *n[i].roles ? n[i].roles : "-",
                   n[i].unschedulable ? "cordoned" : "-", *n[i].reason ? n[i].reason : "-");
        k8s_nodes_free(n, k);
        rc = st != 200;
    } else if (!strcmp(argv[2], "request") && argc >= 5) {
        cJSON *body = argc >= 7 ? cJSON_Parse(argv[6]) : NULL, *out = NULL;
        int st =
            k8s_request(c, argv[3], argv[4], argc >= 7 ? argv[5] : NULL, body, 10000, &out, &err);
        char *txt = out ? cJSON_PrintUnformatted(out) : NULL;
        printf("%d\n%s\n", st, txt ? txt : "-");
        cJSON_free(txt);
        cJSON_Delete(out);
        cJSON_Delete(body);
        rc = st < 0;
    } else {
        fprintf(stderr, "k8s-probe: unknown command %s\n", argv[2]);
        rc = 2;
    }
    if (err)
        fprintf(stderr, "%s\n", err);
    free(err);
    k8s_client_free(c);
    free(path);
    return rc;
}
