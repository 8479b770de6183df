/* Kubeconfig files (clientcmd's v1 Config): read and written with libyaml's
 * document API, never by hand. */
#ifndef DR_K8S_KUBECONFIG_H
#define DR_K8S_KUBECONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

/* The kubeconfig a server wrote (k3s/rke2 name everything "default") as the
 * cluster NAME's: its cluster, user and context renamed to name and
 * current-context name. The entries taken are those current-context points
 * at (else the first of each). in is YAML text; where names in_path in
 * messages ("FILE:LINE: ..."). *out is newly allocated YAML text. Errors:
 * DR_E_PARSE (not YAML, or not a kubeconfig: no clusters/users). */
enum dr_err k8s_kubeconfig_for_cluster(const char *in, const char *where, const char *name,
                                       char **out, struct dr_error *e);

/* existing (YAML text, NULL or "" for none) with add's clusters, users and
 * contexts merged in: an entry of the same name is replaced in place, new
 * ones are appended, every other key and entry of existing is kept, and
 * current-context becomes add's. where names existing in messages. *out is
 * newly allocated. Errors: DR_E_PARSE naming where:line. */
enum dr_err k8s_kubeconfig_merge(const char *existing, const char *where, const char *add,
                                 char **out, struct dr_error *e);

/* What a client needs from a kubeconfig: the API server's URL and the
 * credentials, PEM decoded from the *-data keys (or read from the files the
 * certificate-authority/client-certificate/client-key keys name, relative
 * to the kubeconfig's folder as clientcmd resolves them). NULL members are
 * absent. Every member is owned; k8s_creds_free wipes the key material. */
struct k8s_creds {
    char *server;
    char *ca_pem;
    size_t ca_len;
    char *cert_pem;
    size_t cert_len;
    char *key_pem;
    size_t key_len;
    char *token;   /* a bearer token (users[].user.token), NULL when none */
    bool insecure; /* insecure-skip-tls-verify: true (the client refuses it) */
};

/* The credentials of context (NULL: current-context) in kubeconfig text in;
 * where (the file's path) names it in messages and anchors relative paths.
 * Errors: DR_E_PARSE naming where:line and the key (no such context, no
 * server, data that is not base64), or util_read_file's (DR_E_NOTFOUND,
 * DR_E_IO) for a file a key names. */
enum dr_err k8s_kubeconfig_creds(const char *in, const char *where, const char *context,
                                 struct k8s_creds *out, struct dr_error *e);
/* Wipe and free c's members (c itself is the caller's). */
void k8s_creds_free(struct k8s_creds *c);

#endif
