/* cloud-init data that would fail only at the guest, found before any VM
 * exists: guestinfo encoding and its size limits, and the YAML checks that
 * `drover validate` and apply run with the same rendering CONFIGURING uses. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <yaml.h>
#include <zlib.h>

#include "bootstrap/ci_yaml.h"
#include "bootstrap/cloudinit.h"
#include "core/i18n.h"
#include "core/util.h"

/* Base64 (OpenSSL), newly allocated and NUL-terminated. */
static char *
b64(const void *data, size_t n)
{
    char *out = xmalloc(4 * ((n + 2) / 3) + 1);

    EVP_EncodeBlock((unsigned char *)out, data, (int)n);
    return out;
}

/* gzip (RFC 1952) of data with zlib at the best compression; newly
 * allocated, *out_len bytes. NULL when zlib fails. */
static unsigned char *
gzip(const void *data, size_t n, size_t *out_len)
{
    z_stream z = {0};
    unsigned char *out;
    uLong cap;

    /* windowBits 15 + 16: a gzip header and trailer instead of zlib's. */
    if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
        return NULL;
    cap = deflateBound(&z, (uLong)n) + 32;
    out = xmalloc(cap);
    z.next_in = (Bytef *)data;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
        deflateEnd(&z);
        free(out);
        return NULL;
    }
    *out_len = z.total_out;
    deflateEnd(&z);
    return out;
}

enum dr_err
ci_guestinfo_encode(const char *key, const void *data, size_t len, char **value,
                    const char **encoding, struct dr_error *e)
{
    size_t plain = 4 * ((len + 2) / 3), zlen = 0;
    unsigned char *z;

    *value = NULL;
    *encoding = NULL;
    if (plain <= CI_GUESTINFO_VALUE_MAX) {
        *value = b64(data, len);
        *encoding = "base64";
        return DR_E_OK;
    }
    z = gzip(data, len, &zlen);
    if (z == NULL)
        return dr_error_set(e, DR_E_INTERNAL, _("%s: gzip failed"), key);
    size_t packed = 4 * ((zlen + 2) / 3);
    if (packed <= CI_GUESTINFO_VALUE_MAX) {
        *value = b64(z, zlen);
        *encoding = "gzip+base64";
    }
    free(z);
    if (*value)
        return DR_E_OK;
    return dr_error_set(e, DR_E_INVAL,
                        _("%s would be %zu bytes as base64 and %zu bytes as gzip+base64 (from "
                          "%zu bytes); a guest's VMware Tools read at most %d bytes (64 KiB) "
                          "of a guestinfo value: make user_data smaller (fetch large files "
                          "from runcmd instead)"),
                        key, plain, packed, len, CI_GUESTINFO_VALUE_MAX);
}

enum dr_err
ci_guestinfo_total_check(const struct dr_template *t, const struct dr_kv *kv, size_t n,
                         struct dr_error *e)
{
    size_t own = 0, extra = 0, total;
    enum dr_tfield f;
    int line;

    for (size_t i = 0; i < n; i++)
        own += strlen(kv[i].key) + strlen(kv[i].value);
    for (size_t i = 0; t && i < t->n_extra_config; i++) {
        if (strncasecmp(t->extra_config[i].key, "guestinfo.", strlen("guestinfo.")) == 0)
            extra += strlen(t->extra_config[i].key) + strlen(t->extra_config[i].value);
    }
    total = own + extra;
    if (total <= CI_GUESTINFO_TOTAL_MAX)
        return DR_E_OK;
    /* Name the field that brings the most: the operator's guestinfo.*
     * extra_config, or the user-data drover renders from user_data. */
    f = extra >= own || t == NULL || str_empty(t->user_data) ? DR_TF_EXTRA_CONFIG
                                                             : DR_TF_USER_DATA;
    if (extra == 0)
        f = DR_TF_USER_DATA;
    line = t && t->line[f] > 0 ? t->line[f] : t ? t->origin.line : 0;
    return dr_error_set(
        e, DR_E_INVAL,
        _("template %s (%s:%d): %s: the VM's guestinfo would be %zu bytes (%zu from "
          "extra_config's guestinfo.* keys, %zu from the user-data and meta-data drover "
          "writes, user_data included); vSphere keeps it in the VM's .vmx file, which holds at "
          "most %d bytes (1 MiB) by default: make %s smaller"),
        t && t->name ? t->name : "?", t && t->origin.file ? t->origin.file : "?", line,
        template_field_key(f), total, extra, own, CI_GUESTINFO_TOTAL_MAX, template_field_key(f));
}

enum dr_err
ci_yaml_error(const struct dr_template *t, int line, struct dr_error *e, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    const char *file = t->origin.file ? t->origin.file : t->name ? t->name : "?";

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (line > 0)
        return dr_error_set(e, DR_E_INVAL, _("template %s (%s:%d): user_data line %d: %s"),
                            t->name ? t->name : "?", file, ci_user_data_line(t), line, msg);
    return dr_error_set(e, DR_E_INVAL, _("template %s (%s:%d): user_data: %s"),
                        t->name ? t->name : "?", file, ci_user_data_line(t), msg);
}

/* What a YAML node is, for "must be a mapping, not ...". */
static const char *
node_kind(const yaml_node_t *n)
{
    return n->type == YAML_SEQUENCE_NODE ? _("a list") : _("a plain value");
}

/* Whether line (0-based) of text has a tab in its indentation: YAML
 * indents with spaces only (YAML 1.2, 6.1), and libyaml's own words for it
 * ("found character that cannot start any token") do not say so. */
static bool
tab_indented(const char *text, size_t line)
{
    const char *p = text;

    for (size_t i = 0; i < line && p; i++) {
        p = strchr(p, '\n');
        p = p ? p + 1 : NULL;
    }
    if (p == NULL)
        return false;
    size_t ind = strspn(p, " \t");
    return memchr(p, '\t', ind) != NULL;
}

enum dr_err
ci_yaml_load(const struct dr_template *t, const char *text, int line_offset, bool merged,
             yaml_document_t *doc, struct dr_error *e)
{
    yaml_parser_t p;
    yaml_document_t next;
    enum dr_err rc = DR_E_OK;

    memset(doc, 0, sizeof *doc);
    if (!yaml_parser_initialize(&p))
        return dr_error_set(e, DR_E_NOMEM, _("cannot start the YAML parser"));
    yaml_parser_set_input_string(&p, (const unsigned char *)text, strlen(text));
    for (int docs = 0; rc == DR_E_OK; docs++) {
        yaml_document_t *d = docs == 0 ? doc : &next;
        if (!yaml_parser_load(&p, d)) {
            int line = (int)p.problem_mark.line + 1 + line_offset;
            if (p.error == YAML_READER_ERROR) { /* bad bytes: only an offset */
                line = 1 + line_offset;
                for (size_t i = 0; i < p.problem_offset && text[i]; i++)
                    line += text[i] == '\n';
            }
            const char *problem = p.problem ? p.problem : _("syntax error");
            const char *hint = !merged && tab_indented(text, p.problem_mark.line)
                                   ? _(" (a tab in the indentation: YAML indents with spaces)")
                                   : "";
            if (merged)
                rc = ci_yaml_error(t, 0, e,
                                   _("merged into drover's cloud-config it is not valid YAML: %s "
                                     "(line %d of the merged document)"),
                                   problem, line - line_offset);
            else if (p.context)
                rc = ci_yaml_error(t, line, e,
                                   _("not valid YAML: %s (%s that starts on line %d)%s"), problem,
                                   p.context, (int)p.context_mark.line + 1 + line_offset, hint);
            else
                rc = ci_yaml_error(t, line, e, _("not valid YAML: %s%s"), problem, hint);
            if (docs > 0)
                yaml_document_delete(doc);
            break;
        }
        yaml_node_t *root = yaml_document_get_root_node(d);
        if (root == NULL) { /* the end of the stream */
            if (docs > 0)
                yaml_document_delete(d);
            break;
        }
        if (docs > 0)
            rc = ci_yaml_error(t, (int)d->start_mark.line + 1 + line_offset, e,
                               _("only one YAML document is allowed"));
        else if (root->type != YAML_MAPPING_NODE &&
                 !(root->type == YAML_SCALAR_NODE && root->data.scalar.length == 0))
            rc = ci_yaml_error(t, (int)root->start_mark.line + 1 + line_offset, e,
                               _("the document must be a mapping of cloud-config keys (\"key: "
                                 "value\" lines), not %s"),
                               node_kind(root));
        if (docs > 0) {
            yaml_document_delete(d);
            yaml_document_delete(doc);
        } else if (rc != DR_E_OK) {
            yaml_document_delete(doc);
        }
    }
    yaml_parser_delete(&p);
    return rc;
}

/* ci_yaml_load's checks alone. */
static enum dr_err
yaml_check(const struct dr_template *t, const char *text, int line_offset, bool merged,
           struct dr_error *e)
{
    yaml_document_t doc;
    enum dr_err rc = ci_yaml_load(t, text, line_offset, merged, &doc, e);

    if (rc == DR_E_OK)
        yaml_document_delete(&doc);
    return rc;
}

enum dr_err
ci_check_template(const struct dr_template *t, const char *hostname, char ***warnings,
                  struct dr_error *e)
{
    struct ci_user_data u;
    struct dr_keypair host = {0}, client = {0};
    struct dr_kv *kv = NULL;
    size_t n_kv = 0;
    char *comment, *pub = NULL, *ud = NULL;
    enum dr_err rc;

    rc = ci_user_data_normalize(t, &u, warnings, e);
    if (rc != DR_E_OK)
        return rc;
    /* The merge reads user_data with libyaml and applies its rule. */
    rc = ci_check_user_data(t, e);
    ci_user_data_done(&u);
    if (rc != DR_E_OK)
        return rc;

    /* Render as CONFIGURING does, with stand-in keys of the real kind (fixed
     * ones: validate, preflight and apply report the same sizes). */
    comment = xasprintf("root@%s", hostname);
    rc = keys_stand_in(&host, 1, comment, e);
    free(comment);
    /* A cluster name is a DNS label: the longest gives the longest key. */
    if (rc == DR_E_OK)
        rc = keys_stand_in(&client, 2,
                           "drover@xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", e);
    if (rc == DR_E_OK) {
        pub = keys_public_line(&client);
        struct ci_node cn = {
            .tmpl = t, .hostname = hostname, .cluster_public_key = pub, .host_key = &host};
        rc = ci_render_user_data(&cn, true, &ud, e);
        if (rc == DR_E_OK)
            rc = yaml_check(t, ud, 0, true, e);
        if (rc == DR_E_OK)
            rc = ci_guestinfo(&cn, &kv, &n_kv, e);
    }
    ci_kv_free(&kv, n_kv);
    keys_free_secret(&ud);
    free(pub);
    keys_done(&host);
    keys_done(&client);
    return rc;
}
