/* Kubeconfig files (clientcmd's v1 Config): read and written with libyaml's
 * document API, never by hand. */
#ifndef DR_K8S_KUBECONFIG_H
#define DR_K8S_KUBECONFIG_H

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

#endif
