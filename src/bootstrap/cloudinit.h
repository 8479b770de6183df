/* cloud-init data for a new node: #cloud-config user-data that creates the
 * login user with the cluster's public key and installs the node's own
 * pre-generated ed25519 host key (so drover can pin it), plus meta-data, both
 * encoded for vSphere's guestinfo extraConfig.
 *
 * The template's own user_data is merged by this rule (documented for
 * operators in README.md):
 *   - it must be a single "#cloud-config" document: the first line is
 *     "#cloud-config", then one YAML document (read with libyaml) whose root is
 *     a mapping, in any YAML style (block or flow, quoted keys);
 *   - keys drover owns are refused: hostname, fqdn, prefer_fqdn_over_hostname,
 *     ssh_keys, ssh_deletekeys, ssh_genkeytypes, disable_root, ssh_pwauth,
 *     chpasswd, ssh_authorized_keys (the last two would undo the pinning and
 *     password-off guarantees);
 *   - "users" and "write_files" must be lists; their items are appended to
 *     drover's own lists (drover's entries come first);
 *   - every other key is copied, after drover's keys, as libyaml writes it
 *     back (same values; comments and layout are not kept);
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

/* The line of t's user_data in its file (its first line when unknown), as
 * messages show it: "template T (file:LINE): user_data line N: ...". */
int ci_user_data_line(const struct dr_template *t);

/* The login user: the template's ssh_user or "drover". */
const char *ci_login_user(const struct dr_template *t);

/* The operator's user_data as the merge rule reads it. */
struct ci_user_data {
    char *text;      /* starts with the header line, LF line ends; NULL: none */
    int line_offset; /* blank lines dropped in front, for line numbers */
    bool bom;        /* a UTF-8 byte order mark in front was removed */
};

/* Normalise t->user_data: a UTF-8 byte order mark in front is removed,
 * CRLF line ends become LF, blank lines and indentation in front of
 * "#cloud-config" are dropped (cloud-init reads the header only at the very
 * start); each change adds a warning to *warnings (a strv; NULL: none wanted)
 * in the error's form. A CR inside a line is DR_E_INVAL. */
enum dr_err ci_user_data_normalize(const struct dr_template *t, struct ci_user_data *u,
                                   char ***warnings, struct dr_error *e);
void ci_user_data_done(struct ci_user_data *u);

/* Check a template's extra user_data against the merge rule. */
enum dr_err ci_check_user_data(const struct dr_template *t, struct dr_error *e);

/* The #cloud-config user-data, newly allocated. With show_secrets false the
 * host's private key is replaced by CI_SECRET_PLACEHOLDER (for review only;
 * such output is not usable by a node). */
enum dr_err ci_render_user_data(const struct ci_node *n, bool show_secrets, char **out,
                                struct dr_error *e);
/* The meta-data (instance-id, local-hostname), newly allocated. */
char *ci_render_meta_data(const struct ci_node *n);

/* A guest's VMware Tools read a guestinfo value over the backdoor RPC
 * channel, whose messages are at most 64 KiB (open-vm-tools,
 * GUESTMSG_MAX_IN_SIZE): a longer value never reaches cloud-init. */
#define CI_GUESTINFO_VALUE_MAX (64 * 1024)
/* All guestinfo of a VM is kept in its .vmx file, which vSphere limits to
 * 1 MiB by default. */
#define CI_GUESTINFO_TOTAL_MAX (1024 * 1024)

/* Encode data (len bytes) for the guestinfo value named key: plain base64
 * when that is at most CI_GUESTINFO_VALUE_MAX bytes, else gzip+base64 when
 * that fits (cloud-init's VMware datasource reads both, named by
 * KEY.encoding). *value is newly allocated; *encoding is "base64" or
 * "gzip+base64" (static). DR_E_INVAL when neither fits, naming both sizes and
 * the limit. */
enum dr_err ci_guestinfo_encode(const char *key, const void *data, size_t len, char **value,
                                const char **encoding, struct dr_error *e);
/* DR_E_INVAL when kv (drover's guestinfo) plus the template's guestinfo.*
 * extra_config (any case: .vmx keys are case-insensitive) would exceed
 * CI_GUESTINFO_TOTAL_MAX bytes (keys and values). The message is whole:
 * "template T (file:line): FIELD: ...", FIELD the one that brings the most
 * (extra_config or user_data) at its own line, with both parts' sizes. */
enum dr_err ci_guestinfo_total_check(const struct dr_template *t, const struct dr_kv *kv,
                                     size_t n, struct dr_error *e);

/* Everything about t's cloud-init that would otherwise fail only at the
 * guest, found without vCenter by the code CONFIGURING runs: the user_data
 * rules above, the operator's user_data and the merged document parsed as
 * YAML (libyaml: one document, a mapping), and the guestinfo encoding and
 * sizes for a node named hostname (engine_check_template gives the longest
 * a DNS label allows; fixed stand-in keys, keys_stand_in, are used, so the
 * same input reports the same sizes from every command). Normalising's warnings
 * are appended to *warnings (strv, may be NULL). DR_E_INVAL with the first
 * problem, "template T (file:line): user_data ...". */
enum dr_err ci_check_template(const struct dr_template *t, const char *hostname,
                              char ***warnings, struct dr_error *e);

/* The extraConfig entries for a VM: guestinfo.userdata, .userdata.encoding,
 * guestinfo.metadata, .metadata.encoding (ci_guestinfo_encode). *kv is a new
 * array of n entries owning their strings; free with ci_kv_free. */
enum dr_err ci_guestinfo(const struct ci_node *n, struct dr_kv **kv, size_t *count,
                         struct dr_error *e);
void ci_kv_free(struct dr_kv **kv, size_t count);

/* A YAML double-quoted scalar for any string (escapes quotes, backslashes,
 * control characters). Newly allocated. */
char *ci_yaml_quote(const char *s);

#endif
