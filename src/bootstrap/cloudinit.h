/* cloud-init data for a new node: #cloud-config user-data that creates the
 * login user with the cluster's public key and installs the node's own
 * pre-generated ed25519 host key (so drover can pin it), plus meta-data, both
 * encoded for vSphere's guestinfo extraConfig.
 *
 * The template's own user_data is merged by this rule (documented for
 * operators in README.md):
 *   - it must be a single "#cloud-config" document: the first line is
 *     "#cloud-config", no "---"/"..." document markers, no tabs in indentation;
 *   - its top-level keys are the lines starting in column 0 with "key:";
 *     every other non-blank, non-comment line must be indented (or be a "- "
 *     sequence item belonging to the key above);
 *   - keys drover owns are refused: hostname, fqdn, prefer_fqdn_over_hostname,
 *     ssh_keys, ssh_deletekeys, ssh_genkeytypes, disable_root, ssh_pwauth,
 *     chpasswd, ssh_authorized_keys (the last two would undo the pinning and
 *     password-off guarantees);
 *   - "users" and "write_files", when written as block sequences, are appended
 *     to drover's own lists (drover's entries come first);
 *   - every other key is copied as written, after drover's keys;
 *   - a key given twice is refused.
 * Errors name the template's file and the line inside user_data. */
#ifndef DR_CLOUDINIT_H
#define DR_CLOUDINIT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "core/keys.h"
#include "core/model.h"

/* Printed instead of private key material when secrets are hidden. */
#define CI_SECRET_PLACEHOLDER "<private key hidden; use --show-secrets>"

struct ci_node {
    const struct dr_template *tmpl;    /* ssh_user, user_data, name, origin */
    const char *hostname;              /* a DNS label */
    const char *domain;                /* optional: fqdn = hostname.domain */
    const char *instance_id;           /* default: hostname */
    const char *cluster_public_key;    /* "ssh-ed25519 AAAA... comment" */
    const struct dr_keypair *host_key; /* the node's host key, with private half */
    /* Optional: a file cloud-init writes (e.g. the bootstrap recipe), owned by
     * the login user, mode 0700. NULL path: none. */
    const char *script_path;
    const char *script;
    size_t script_len;
};

/* The login user: the template's ssh_user or "drover". */
const char *ci_login_user(const struct dr_template *t);

/* Check a template's extra user_data against the merge rule. */
enum dr_err ci_check_user_data(const struct dr_template *t, struct dr_error *e);

/* The #cloud-config user-data, newly allocated. With show_secrets false the
 * host's private key is replaced by CI_SECRET_PLACEHOLDER (for review only;
 * such output is not usable by a node). */
enum dr_err ci_render_user_data(const struct ci_node *n, bool show_secrets, char **out,
                                struct dr_error *e);
/* The meta-data (instance-id, local-hostname), newly allocated. */
char *ci_render_meta_data(const struct ci_node *n);

/* The extraConfig entries for a VM: guestinfo.userdata, .userdata.encoding,
 * guestinfo.metadata, .metadata.encoding (base64). *kv is a new array of n
 * entries owning their strings; free with ci_kv_free. */
enum dr_err ci_guestinfo(const struct ci_node *n, struct dr_kv **kv, size_t *count,
                         struct dr_error *e);
void ci_kv_free(struct dr_kv **kv, size_t count);

/* A YAML double-quoted scalar for any string (escapes quotes, backslashes,
 * control characters). Newly allocated. */
char *ci_yaml_quote(const char *s);

#endif
