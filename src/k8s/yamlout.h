/* Writing libyaml documents as text (shared by kubeconfig.c and cloudprov.c). */
#ifndef DR_K8S_YAMLOUT_H
#define DR_K8S_YAMLOUT_H

#include <yaml.h>

#include "core/err.h"

/* Emit doc as YAML text into *out (newly allocated); libyaml frees doc's
 * nodes. Errors: DR_E_NOMEM. */
enum dr_err k8s_yaml_emit(yaml_document_t *doc, char **out, struct dr_error *e);

#endif
