/* Kubeconfig load, rename and merge over libyaml documents (kubeconfig.h).
 * libyaml documents cannot drop or replace nodes, so every result is a new
 * document built by copying the nodes that stay. */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <yaml.h>

#include "core/i18n.h"
#include "core/util.h"
#include "k8s/kubeconfig.h"
#include "k8s/yamlout.h"

static enum dr_err
load(const char *text, const char *where, yaml_document_t *doc, struct dr_error *e)
{
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p))
        return dr_error_set(e, DR_E_NOMEM, _("out of memory"));
    yaml_parser_set_input_string(&p, (const unsigned char *)text, strlen(text));
    if (!yaml_parser_load(&p, doc)) {
        enum dr_err rc = dr_error_set(e, DR_E_PARSE, _("%s:%zu: not YAML: %s"), where,
                                      p.problem_mark.line + 1, p.problem ? p.problem : "?");
        yaml_parser_delete(&p);
        return rc;
    }
    yaml_parser_delete(&p);
    yaml_node_t *root = yaml_document_get_root_node(doc);
    if (root && root->type != YAML_MAPPING_NODE) {
        enum dr_err rc = dr_error_set(e, DR_E_PARSE, _("%s:%zu: a kubeconfig is a mapping"), where,
                                      root->start_mark.line + 1);
        yaml_document_delete(doc);
        return rc;
    }
    return DR_E_OK;
}

/* The value of key in mapping node m (0: none). */
static int
map_get(yaml_document_t *d, yaml_node_t *m, const char *key)
{
    if (!m || m->type != YAML_MAPPING_NODE)
        return 0;
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(d, p->key);
        if (k && k->type == YAML_SCALAR_NODE && strcmp((char *)k->data.scalar.value, key) == 0)
            return p->value;
    }
    return 0;
}

static const char *
scalar(yaml_document_t *d, int idx)
{
    yaml_node_t *n = idx ? yaml_document_get_node(d, idx) : NULL;
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static int
add_str(yaml_document_t *d, const char *s)
{
    return yaml_document_add_scalar(d, NULL, (yaml_char_t *)s, -1, YAML_ANY_SCALAR_STYLE);
}

/* Deep copy of node idx of src into dst; returns its index in dst (0 on failure). */
static int
copy(yaml_document_t *dst, yaml_document_t *src, int idx)
{
    yaml_node_t *n = yaml_document_get_node(src, idx);
    if (!n)
        return 0;
    switch (n->type) {
    case YAML_SCALAR_NODE:
        return yaml_document_add_scalar(dst, NULL, n->data.scalar.value, (int)n->data.scalar.length,
                                        n->data.scalar.style);
    case YAML_SEQUENCE_NODE: {
        int s = yaml_document_add_sequence(dst, NULL, YAML_BLOCK_SEQUENCE_STYLE);
        for (yaml_node_item_t *it = n->data.sequence.items.start; s && it < n->data.sequence.items.top; it++) {
            int c = copy(dst, src, *it);
            if (!c || !yaml_document_append_sequence_item(dst, s, c))
                return 0;
        }
        return s;
    }
    case YAML_MAPPING_NODE: {
        int m = yaml_document_add_mapping(dst, NULL, YAML_BLOCK_MAPPING_STYLE);
        for (yaml_node_pair_t *p = n->data.mapping.pairs.start; m && p < n->data.mapping.pairs.top; p++) {
            int k = copy(dst, src, p->key), v = copy(dst, src, p->value);
            if (!k || !v || !yaml_document_append_mapping_pair(dst, m, k, v))
                return 0;
        }
        return m;
    }
    default:
        return 0;
    }
}

struct buf {
    char *p;
    size_t len, cap;
};

static int
write_handler(void *data, unsigned char *bytes, size_t size)
{
    struct buf *b = data;
    if (b->len + size + 1 > b->cap) {
        size_t cap = (b->len + size + 1) * 2;
        char *np = realloc(b->p, cap);
        if (!np)
            return 0;
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->len, bytes, size);
    b->len += size;
    b->p[b->len] = '\0';
    return 1;
}

/* Emit doc (which libyaml then frees) as text into *out. */
static enum dr_err
emit(yaml_document_t *doc, char **out, struct dr_error *e)
{
    yaml_emitter_t em;
    struct buf b = {0};
    if (!yaml_emitter_initialize(&em)) {
        yaml_document_delete(doc);
        return dr_error_set(e, DR_E_NOMEM, _("out of memory"));
    }
    yaml_emitter_set_output(&em, write_handler, &b);
    yaml_emitter_set_unicode(&em, 1);
    int ok = yaml_emitter_open(&em) && yaml_emitter_dump(&em, doc) && yaml_emitter_close(&em);
    yaml_emitter_delete(&em);
    if (!ok) {
        free(b.p);
        return dr_error_set(e, DR_E_NOMEM, _("cannot write the kubeconfig as YAML"));
    }
    *out = b.p;
    return DR_E_OK;
}

/* The entry of list key named name, else the first (node index, 0: none). */
static int
entry(yaml_document_t *d, const char *key, const char *name)
{
    yaml_node_t *root = yaml_document_get_root_node(d);
    yaml_node_t *l = yaml_document_get_node(d, map_get(d, root, key));
    if (!l || l->type != YAML_SEQUENCE_NODE || l->data.sequence.items.start == l->data.sequence.items.top)
        return 0;
    for (yaml_node_item_t *it = l->data.sequence.items.start; name && it < l->data.sequence.items.top; it++) {
        const char *n = scalar(d, map_get(d, yaml_document_get_node(d, *it), "name"));
        if (n && strcmp(n, name) == 0)
            return *it;
    }
    return *l->data.sequence.items.start;
}

static int
pair(yaml_document_t *d, int m, const char *k, int v)
{
    return v && yaml_document_append_mapping_pair(d, m, add_str(d, k), v);
}

enum dr_err
k8s_kubeconfig_for_cluster(const char *in, const char *where, const char *name, char **out,
                           struct dr_error *e)
{
    yaml_document_t src, dst;
    enum dr_err rc = load(in, where, &src, e);
    if (rc != DR_E_OK)
        return rc;
    yaml_node_t *root = yaml_document_get_root_node(&src);
    const char *cur = scalar(&src, map_get(&src, root, "current-context"));
    int ctx = entry(&src, "contexts", cur);
    yaml_node_t *ctxv = yaml_document_get_node(&src, map_get(&src, yaml_document_get_node(&src, ctx), "context"));
    int cl = entry(&src, "clusters", scalar(&src, map_get(&src, ctxv, "cluster")));
    int us = entry(&src, "users", scalar(&src, map_get(&src, ctxv, "user")));
    int clv = map_get(&src, yaml_document_get_node(&src, cl), "cluster");
    int usv = map_get(&src, yaml_document_get_node(&src, us), "user");
    if (!clv || !usv) {
        yaml_document_delete(&src);
        return dr_error_set(e, DR_E_PARSE, _("%s: not a kubeconfig (no cluster or user entry)"), where);
    }
    if (!yaml_document_initialize(&dst, NULL, NULL, NULL, 1, 1)) {
        yaml_document_delete(&src);
        return dr_error_set(e, DR_E_NOMEM, _("out of memory"));
    }
    int top = yaml_document_add_mapping(&dst, NULL, YAML_BLOCK_MAPPING_STYLE);
    int ok = pair(&dst, top, "apiVersion", add_str(&dst, "v1"));
    int s = yaml_document_add_sequence(&dst, NULL, YAML_BLOCK_SEQUENCE_STYLE);
    int m = yaml_document_add_mapping(&dst, NULL, YAML_BLOCK_MAPPING_STYLE);
    ok = ok && pair(&dst, m, "cluster", copy(&dst, &src, clv)) && pair(&dst, m, "name", add_str(&dst, name)) &&
         yaml_document_append_sequence_item(&dst, s, m) && pair(&dst, top, "clusters", s);
    s = yaml_document_add_sequence(&dst, NULL, YAML_BLOCK_SEQUENCE_STYLE);
    m = yaml_document_add_mapping(&dst, NULL, YAML_BLOCK_MAPPING_STYLE);
    int c = yaml_document_add_mapping(&dst, NULL, YAML_BLOCK_MAPPING_STYLE);
    ok = ok && pair(&dst, c, "cluster", add_str(&dst, name)) && pair(&dst, c, "user", add_str(&dst, name)) &&
         pair(&dst, m, "context", c) && pair(&dst, m, "name", add_str(&dst, name)) &&
         yaml_document_append_sequence_item(&dst, s, m) && pair(&dst, top, "contexts", s);
    ok = ok && pair(&dst, top, "current-context", add_str(&dst, name)) &&
         pair(&dst, top, "kind", add_str(&dst, "Config")) &&
         pair(&dst, top, "preferences", yaml_document_add_mapping(&dst, NULL, YAML_BLOCK_MAPPING_STYLE));
    s = yaml_document_add_sequence(&dst, NULL, YAML_BLOCK_SEQUENCE_STYLE);
    m = yaml_document_add_mapping(&dst, NULL, YAML_BLOCK_MAPPING_STYLE);
    ok = ok && pair(&dst, m, "name", add_str(&dst, name)) && pair(&dst, m, "user", copy(&dst, &src, usv)) &&
         yaml_document_append_sequence_item(&dst, s, m) && pair(&dst, top, "users", s);
    yaml_document_delete(&src);
    if (!ok) {
        yaml_document_delete(&dst);
        return dr_error_set(e, DR_E_NOMEM, _("out of memory"));
    }
    return emit(&dst, out, e);
}

/* Whether list key of doc has an entry named name. */
static bool
has_entry(yaml_document_t *d, const char *key, const char *name)
{
    yaml_node_t *l = yaml_document_get_node(d, map_get(d, yaml_document_get_root_node(d), key));
    if (!name || !l || l->type != YAML_SEQUENCE_NODE)
        return false;
    for (yaml_node_item_t *it = l->data.sequence.items.start; it < l->data.sequence.items.top; it++) {
        const char *n = scalar(d, map_get(d, yaml_document_get_node(d, *it), "name"));
        if (n && strcmp(n, name) == 0)
            return true;
    }
    return false;
}

/* The merged list key: old's entries (those add also has replaced where they
 * stood), then add's new ones. */
static int
merge_list(yaml_document_t *dst, yaml_document_t *old, yaml_document_t *add, const char *key)
{
    int s = yaml_document_add_sequence(dst, NULL, YAML_BLOCK_SEQUENCE_STYLE);
    yaml_node_t *ol = old ? yaml_document_get_node(old, map_get(old, yaml_document_get_root_node(old), key)) : NULL;
    yaml_node_t *al = yaml_document_get_node(add, map_get(add, yaml_document_get_root_node(add), key));
    if (ol && ol->type == YAML_SEQUENCE_NODE) {
        for (yaml_node_item_t *it = ol->data.sequence.items.start; it < ol->data.sequence.items.top; it++) {
            const char *n = scalar(old, map_get(old, yaml_document_get_node(old, *it), "name"));
            int c = has_entry(add, key, n) ? copy(dst, add, entry(add, key, n)) : copy(dst, old, *it);
            if (!c || !yaml_document_append_sequence_item(dst, s, c))
                return 0;
        }
    }
    if (al && al->type == YAML_SEQUENCE_NODE) {
        for (yaml_node_item_t *it = al->data.sequence.items.start; it < al->data.sequence.items.top; it++) {
            const char *n = scalar(add, map_get(add, yaml_document_get_node(add, *it), "name"));
            if (old && has_entry(old, key, n))
                continue;
            int c = copy(dst, add, *it);
            if (!c || !yaml_document_append_sequence_item(dst, s, c))
                return 0;
        }
    }
    return s;
}

enum dr_err
k8s_kubeconfig_merge(const char *existing, const char *where, const char *add, char **out,
                     struct dr_error *e)
{
    yaml_document_t old, ad, dst;
    bool have_old = false;
    enum dr_err rc;
    if (existing && *existing) {
        if ((rc = load(existing, where, &old, e)) != DR_E_OK)
            return rc;
        have_old = yaml_document_get_root_node(&old) != NULL;
        if (!have_old)
            yaml_document_delete(&old);
    }
    if ((rc = load(add, "kubeconfig", &ad, e)) != DR_E_OK) {
        if (have_old)
            yaml_document_delete(&old);
        return rc;
    }
    const char *cur = scalar(&ad, map_get(&ad, yaml_document_get_root_node(&ad), "current-context"));
    if (!yaml_document_initialize(&dst, NULL, NULL, NULL, 1, 1)) {
        rc = dr_error_set(e, DR_E_NOMEM, _("out of memory"));
        goto done;
    }
    int top = yaml_document_add_mapping(&dst, NULL, YAML_BLOCK_MAPPING_STYLE);
    int ok = top != 0;
    yaml_node_t *oroot = have_old ? yaml_document_get_root_node(&old) : NULL;
    /* Keys of the existing file in its order; lists merged, current-context ours. */
    for (yaml_node_pair_t *p = oroot ? oroot->data.mapping.pairs.start : NULL; ok && p && p < oroot->data.mapping.pairs.top; p++) {
        const char *k = scalar(&old, p->key);
        if (!k)
            continue;
        if (!strcmp(k, "clusters") || !strcmp(k, "contexts") || !strcmp(k, "users"))
            ok = pair(&dst, top, k, merge_list(&dst, &old, &ad, k));
        else if (!strcmp(k, "current-context"))
            ok = pair(&dst, top, k, add_str(&dst, cur ? cur : ""));
        else
            ok = pair(&dst, top, k, copy(&dst, &old, p->value));
    }
    const char *missing[] = {"apiVersion", "kind", "clusters", "contexts", "users", "current-context"};
    for (size_t i = 0; ok && i < sizeof missing / sizeof *missing; i++) {
        const char *k = missing[i];
        if (oroot && map_get(&old, oroot, k))
            continue;
        if (!strcmp(k, "apiVersion"))
            ok = pair(&dst, top, k, add_str(&dst, "v1"));
        else if (!strcmp(k, "kind"))
            ok = pair(&dst, top, k, add_str(&dst, "Config"));
        else if (!strcmp(k, "current-context"))
            ok = pair(&dst, top, k, add_str(&dst, cur ? cur : ""));
        else
            ok = pair(&dst, top, k, merge_list(&dst, have_old ? &old : NULL, &ad, k));
    }
    if (!ok) {
        yaml_document_delete(&dst);
        rc = dr_error_set(e, DR_E_NOMEM, _("out of memory"));
        goto done;
    }
    rc = emit(&dst, out, e);
done:
    yaml_document_delete(&ad);
    if (have_old)
        yaml_document_delete(&old);
    return rc;
}

/* base64 text (line breaks allowed, as some tools wrap it) decoded into a
 * NUL-terminated buffer; NULL when it is not base64. */
static char *
b64_decode(const char *s, size_t *len)
{
    size_t n = strlen(s);
    unsigned char *out = xmalloc(n / 4 * 3 + 4);
    EVP_ENCODE_CTX *ctx = EVP_ENCODE_CTX_new();
    int a = 0, b = 0;
    if (!ctx)
        abort();
    EVP_DecodeInit(ctx);
    bool ok = EVP_DecodeUpdate(ctx, out, &a, (const unsigned char *)s, (int)n) >= 0 &&
              EVP_DecodeFinal(ctx, out + a, &b) == 1;
    EVP_ENCODE_CTX_free(ctx);
    if (!ok || a + b == 0) {
        OPENSSL_cleanse(out, n / 4 * 3 + 4);
        free(out);
        return NULL;
    }
    *len = (size_t)(a + b);
    out[*len] = '\0';
    return (char *)out;
}

/* The PEM of key "<name>-data" (base64) or "<name>" (a file) in mapping m. */
static enum dr_err
pem_of(yaml_document_t *d, yaml_node_t *m, const char *name, const char *where, char **out,
       size_t *len, struct dr_error *e)
{
    char key[64];
    snprintf(key, sizeof key, "%s-data", name);
    int v = map_get(d, m, key);
    const char *s = scalar(d, v);
    if (s) {
        if (!(*out = b64_decode(s, len)))
            return dr_error_set(e, DR_E_PARSE, _("%s:%zu: %s is not base64"), where,
                                yaml_document_get_node(d, v)->start_mark.line + 1, key);
        return DR_E_OK;
    }
    if (!(s = scalar(d, map_get(d, m, name))))
        return DR_E_OK;
    char *dir = util_dirname(where);
    char *path = s[0] == '/' ? xstrdup(s) : util_path_join(dir, s);
    free(dir);
    struct dr_error fe = {0};
    enum dr_err rc = util_read_file(path, out, len, &fe);
    if (rc != DR_E_OK)
        dr_error_set(e, rc, _("%s: %s: %s"), where, name, fe.msg);
    free(path);
    return rc;
}

enum dr_err
k8s_kubeconfig_creds(const char *in, const char *where, const char *context, struct k8s_creds *out,
                     struct dr_error *e)
{
    yaml_document_t d;
    memset(out, 0, sizeof *out);
    enum dr_err rc = load(in, where, &d, e);
    if (rc != DR_E_OK)
        return rc;
    yaml_node_t *root = yaml_document_get_root_node(&d);
    const char *name = context ? context : scalar(&d, map_get(&d, root, "current-context"));
    int ctx = str_empty(name) ? 0 : entry(&d, "contexts", name);
    const char *got = scalar(&d, map_get(&d, yaml_document_get_node(&d, ctx), "name"));
    if (!ctx || !str_eq(got, name)) {
        rc = str_empty(name) ? dr_error_set(e, DR_E_PARSE, _("%s: no current-context"), where)
                             : dr_error_set(e, DR_E_PARSE, _("%s: no context named \"%s\""), where, name);
        goto done;
    }
    yaml_node_t *cv = yaml_document_get_node(&d, map_get(&d, yaml_document_get_node(&d, ctx), "context"));
    const char *cln = scalar(&d, map_get(&d, cv, "cluster")), *usn = scalar(&d, map_get(&d, cv, "user"));
    int cl = cln ? entry(&d, "clusters", cln) : 0, us = usn ? entry(&d, "users", usn) : 0;
    if (!cl || !str_eq(scalar(&d, map_get(&d, yaml_document_get_node(&d, cl), "name")), cln)) {
        rc = dr_error_set(e, DR_E_PARSE, _("%s: context \"%s\": no cluster named \"%s\""), where, name,
                          cln ? cln : "");
        goto done;
    }
    yaml_node_t *clv = yaml_document_get_node(&d, map_get(&d, yaml_document_get_node(&d, cl), "cluster"));
    yaml_node_t *usv = NULL;
    if (us && str_eq(scalar(&d, map_get(&d, yaml_document_get_node(&d, us), "name")), usn))
        usv = yaml_document_get_node(&d, map_get(&d, yaml_document_get_node(&d, us), "user"));
    const char *server = scalar(&d, map_get(&d, clv, "server"));
    if (str_empty(server) || !(str_has_prefix(server, "https://") || str_has_prefix(server, "http://"))) {
        rc = dr_error_set(e, DR_E_PARSE, _("%s:%zu: cluster \"%s\": server is not an http(s) URL"), where,
                          (clv ? clv->start_mark.line : 0) + 1, cln);
        goto done;
    }
    out->server = xstrdup(server);
    out->insecure = str_eq(scalar(&d, map_get(&d, clv, "insecure-skip-tls-verify")), "true");
    if ((rc = pem_of(&d, clv, "certificate-authority", where, &out->ca_pem, &out->ca_len, e)) != DR_E_OK)
        goto done;
    if (usv) {
        if ((rc = pem_of(&d, usv, "client-certificate", where, &out->cert_pem, &out->cert_len, e)) != DR_E_OK ||
            (rc = pem_of(&d, usv, "client-key", where, &out->key_pem, &out->key_len, e)) != DR_E_OK)
            goto done;
        out->token = xstrdup0(scalar(&d, map_get(&d, usv, "token")));
    }
done:
    yaml_document_delete(&d);
    if (rc != DR_E_OK)
        k8s_creds_free(out);
    return rc;
}

static void
wipe_free(char **p, size_t len)
{
    if (*p) {
        OPENSSL_cleanse(*p, len ? len : strlen(*p));
        free(*p);
        *p = NULL;
    }
}

void
k8s_creds_free(struct k8s_creds *c)
{
    if (!c)
        return;
    xfree(&c->server);
    xfree(&c->ca_pem);
    xfree(&c->cert_pem);
    wipe_free(&c->key_pem, c->key_len);
    wipe_free(&c->token, 0);
    c->ca_len = c->cert_len = c->key_len = 0;
}

enum dr_err
k8s_yaml_emit(yaml_document_t *doc, char **out, struct dr_error *e)
{
    return emit(doc, out, e);
}
