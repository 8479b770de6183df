#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <yaml.h>

#include "bootstrap/ci_yaml.h"
#include "bootstrap/cloudinit.h"
#include "core/i18n.h"
#include "core/util.h"

/* A growable string. */
struct sbuf {
    char *p;
    size_t len, cap;
};

static void
sb_addn(struct sbuf *b, const char *s, size_t n)
{
    b->p = xgrow(b->p, &b->cap, b->len + n + 1, 1);
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void
sb_add(struct sbuf *b, const char *s)
{
    sb_addn(b, s, strlen(s));
}

static void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
sb_printf(struct sbuf *b, const char *fmt, ...)
{
    va_list ap;
    char *s;

    va_start(ap, fmt);
    if (vasprintf(&s, fmt, ap) < 0)
        abort();
    va_end(ap);
    sb_add(b, s);
    free(s);
}

/* Add a quoted scalar. */
static void
sb_quoted(struct sbuf *b, const char *s)
{
    char *q = ci_yaml_quote(s);

    sb_add(b, q);
    free(q);
}

/* Length of a valid UTF-8 sequence at s (1..4), or 0 when invalid. */
static size_t
utf8_len(const unsigned char *s)
{
    size_t n;
    unsigned cp;

    if (s[0] < 0x80)
        return 1;
    if ((s[0] & 0xe0) == 0xc0)
        n = 2, cp = s[0] & 0x1f;
    else if ((s[0] & 0xf0) == 0xe0)
        n = 3, cp = s[0] & 0x0f;
    else if ((s[0] & 0xf8) == 0xf0)
        n = 4, cp = s[0] & 0x07;
    else
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    /* Overlong forms, surrogates and values past Unicode are invalid. */
    if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
        (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
        return 0;
    return n;
}

char *
ci_yaml_quote(const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    struct sbuf b = {0};

    sb_add(&b, "\"");
    while (*p) {
        size_t n = utf8_len(p);
        char esc[16];

        if (n == 0) {
            /* Not UTF-8: YAML cannot carry the byte, so show the replacement. */
            sb_add(&b, "\\uFFFD");
            p++;
            continue;
        }
        if (n > 1) {
            unsigned cp = n == 2 ? ((p[0] & 0x1fu) << 6 | (p[1] & 0x3fu)) : 0;
            bool c1 = n == 2 && cp >= 0x80 && cp <= 0x9f;
            bool sep = n == 3 && p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9);
            if (c1) {
                snprintf(esc, sizeof esc, "\\u%04X", cp);
                sb_add(&b, esc);
            } else if (sep) {
                sb_add(&b, p[2] == 0xa8 ? "\\L" : "\\P");
            } else {
                sb_addn(&b, (const char *)p, n);
            }
            p += n;
            continue;
        }
        switch (*p) {
        case '"':
            sb_add(&b, "\\\"");
            break;
        case '\\':
            sb_add(&b, "\\\\");
            break;
        case '\n':
            sb_add(&b, "\\n");
            break;
        case '\t':
            sb_add(&b, "\\t");
            break;
        case '\r':
            sb_add(&b, "\\r");
            break;
        default:
            if (*p < 0x20 || *p == 0x7f) {
                snprintf(esc, sizeof esc, "\\x%02X", *p);
                sb_add(&b, esc);
            } else {
                sb_addn(&b, (const char *)p, 1);
            }
        }
        p++;
    }
    sb_add(&b, "\"");
    return b.p;
}

static char *
b64(const void *data, size_t n)
{
    char *out = xmalloc(4 * ((n + 2) / 3) + 1);

    EVP_EncodeBlock((unsigned char *)out, data, (int)n);
    return out;
}

int
ci_user_data_line(const struct dr_template *t)
{
    return t->line[DR_TF_USER_DATA] > 0 ? t->line[DR_TF_USER_DATA] : t->origin.line;
}

const char *
ci_login_user(const struct dr_template *t)
{
    return t && !str_empty(t->ssh_user) ? t->ssh_user : "drover";
}

/* ---- The operator's extra user-data ---------------------------------- */

/* Top-level keys drover sets itself and will not let user-data override. */
static const char *const owned_keys[] = {
    "hostname",
    "fqdn",
    "prefer_fqdn_over_hostname",
    "ssh_keys",
    "ssh_deletekeys",
    "ssh_genkeytypes",
    "disable_root",
    "ssh_pwauth",
    "chpasswd",
    "ssh_authorized_keys",
};
/* Lists the operator's block sequences are appended to. */
static const char *const merged_keys[] = {"users", "write_files"};

struct ud_key {
    char *name;
    int line;         /* line number inside user_data */
    struct sbuf body; /* as libyaml emits it: "key: ..." or, merged, "- ..." items */
};

struct ud_doc {
    struct ud_key *keys;
    size_t n, cap;
};

static void
ud_done(struct ud_doc *d)
{
    for (size_t i = 0; i < d->n; i++) {
        free(d->keys[i].name);
        free(d->keys[i].body.p);
    }
    free(d->keys);
    memset(d, 0, sizeof *d);
}

static const struct ud_key *
ud_find(const struct ud_doc *d, const char *name)
{
    for (size_t i = 0; i < d->n; i++) {
        if (strcmp(d->keys[i].name, name) == 0)
            return &d->keys[i];
    }
    return NULL;
}

static bool
in_list(const char *const *list, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(list[i], s) == 0)
            return true;
    }
    return false;
}

static enum dr_err ud_error(const struct dr_template *t, int line, struct dr_error *e,
                            const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* "templates/NAME.cfg: user_data line N: ..." */
static enum dr_err
ud_error(const struct dr_template *t, int line, struct dr_error *e, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    const char *file = t->origin.file ? t->origin.file : t->name ? t->name : "?";

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (ci_user_data_line(t) > 0)
        return dr_error_set(e, DR_E_INVAL, _("template %s (%s:%d): user_data line %d: %s"),
                            t->name ? t->name : "?", file, ci_user_data_line(t), line, msg);
    return dr_error_set(e, DR_E_INVAL, _("template %s (%s): user_data line %d: %s"),
                        t->name ? t->name : "?", file, line, msg);
}

/* Add a warning "template T (file:line): user_data line N: ..." to *w. */
static void ud_warn(const struct dr_template *t, int line, char ***w, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
ud_warn(const struct dr_template *t, int line, char ***w, const char *fmt, ...)
{
    struct dr_error e = {0};
    char msg[600];
    va_list ap;

    if (w == NULL)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    ud_error(t, line, &e, "%s", msg);
    strv_push(w, e.msg);
}

#define UTF8_BOM "\xEF\xBB\xBF"

void
ci_user_data_done(struct ci_user_data *u)
{
    free(u->text);
    memset(u, 0, sizeof *u);
}

enum dr_err
ci_user_data_normalize(const struct dr_template *t, struct ci_user_data *u, char ***warnings,
                       struct dr_error *e)
{
    const char *raw = t ? t->user_data : NULL;
    struct sbuf b = {0};
    int crlf = 0, crlf_line = 0, line = 1;

    memset(u, 0, sizeof *u);
    if (str_empty(raw))
        return DR_E_OK;
    if (str_has_prefix(raw, UTF8_BOM)) {
        raw += strlen(UTF8_BOM);
        u->bom = true;
        ud_warn(t, 1, warnings,
                _("a UTF-8 byte order mark (EF BB BF) in front of \"#cloud-config\" was "
                  "removed"));
    }
    /* Line ends: CRLF becomes LF; a CR inside a line is an error. */
    for (const char *p = raw; *p; p++) {
        if (*p == '\r' && p[1] == '\n') {
            if (crlf++ == 0)
                crlf_line = line;
            continue;
        }
        if (*p == '\r') {
            free(b.p);
            return ud_error(t, line, e,
                            _("a carriage return (\\r) that does not end a line; use \\n "
                              "line ends"));
        }
        line += *p == '\n';
        sb_addn(&b, p, 1);
    }
    if (crlf > 0)
        ud_warn(t, crlf_line, warnings,
                _("Windows line ends (CRLF) on %d line(s) were changed to LF; cloud-init "
                  "reads LF"),
                crlf);
    if (b.p == NULL)
        return DR_E_OK;
    /* cloud-init recognises #cloud-config only on the very first line; blank
     * lines and indentation in front of it are dropped, with a warning. */
    const char *p = b.p;
    while (p[strspn(p, " \t")] == '\n') {
        p += strspn(p, " \t") + 1;
        u->line_offset++;
    }
    if (u->line_offset > 0)
        ud_warn(t, 1, warnings,
                _("%d blank line(s) in front of \"#cloud-config\" were removed (cloud-init "
                  "reads the header only on the first line)"),
                u->line_offset);
    size_t ind = strspn(p, " \t");
    if (ind > 0 && str_has_prefix(p + ind, "#cloud-config")) {
        ud_warn(t, u->line_offset + 1, warnings,
                _("spaces in front of \"#cloud-config\" were removed (the header must start "
                  "the line)"));
        p += ind;
    }
    u->text = xstrdup(p);
    free(b.p);
    return DR_E_OK;
}

/* Why a first line is not the header, in words an operator can act on.
 * Byte order marks are named as such (a UTF-8 one in front was already
 * removed by ci_user_data_normalize; any other is in the way): cloud-init
 * matches the header's bytes, so it would not see "#cloud-config" either. */
static const char *
header_problem(const char *line, const struct ci_user_data *u)
{
    const char *p = line + strspn(line, " \t");

    if (str_has_prefix(p, "\xFF\xFE") || str_has_prefix(p, "\xFE\xFF"))
        return _("starts with a UTF-16 byte order mark (FF FE or FE FF): save the user_data as "
                 "UTF-8 (cloud-init reads only UTF-8)");
    if (str_has_prefix(p, UTF8_BOM) && u->bom && u->line_offset == 0 && p == line)
        return _("a second UTF-8 byte order mark (EF BB BF) follows the first one: remove "
                 "both (save the user_data as UTF-8 without a byte order mark)");
    if (str_has_prefix(p, UTF8_BOM) && u->line_offset > 0)
        return _("a UTF-8 byte order mark (EF BB BF) after blank lines: remove it and the "
                 "blank lines (\"#cloud-config\" must be the first bytes)");
    if (strstr(line, UTF8_BOM))
        return _("a UTF-8 byte order mark (EF BB BF) inside the header line: remove it "
                 "(\"#cloud-config\" must be the first bytes)");
    if (strcmp(line, "---") == 0 || str_has_prefix(line, "--- "))
        return _("a YAML document marker \"---\" comes before \"#cloud-config\"; cloud-init "
                 "reads the header only on the first line: remove the \"---\" line");
    if (str_has_prefix(line, "#cloud-config"))
        return _("the first line must be exactly \"#cloud-config\" (put comments on the next "
                 "line)");
    if (str_has_prefix(line, "#!") || str_has_prefix(line, "#include") ||
        str_has_prefix(line, "#cloud-boothook") || str_has_prefix(line, "Content-Type") ||
        str_has_prefix(line, "## template"))
        return _("must start with \"#cloud-config\": drover merges user_data into its own "
                 "cloud-config, so scripts, #include, boothooks, MIME and jinja templates are "
                 "not supported (run a script from runcmd instead)");
    return _("must start with \"#cloud-config\" on the first line");
}

/* Copies node n of src, and all below it, into dst; its id there, 0 when
 * libyaml fails or the nesting is deeper than any cloud-config needs (an
 * alias can refer to a node that contains it). */
static int
ud_copy(yaml_document_t *dst, yaml_document_t *src, yaml_node_t *n, int depth)
{
    int id = 0;

    if (n == NULL || depth > 64)
        return 0;
    switch (n->type) {
    case YAML_SCALAR_NODE:
        return yaml_document_add_scalar(dst, n->tag, n->data.scalar.value,
                                        (int)n->data.scalar.length, n->data.scalar.style);
    case YAML_SEQUENCE_NODE:
        id = yaml_document_add_sequence(dst, n->tag, n->data.sequence.style);
        for (yaml_node_item_t *i = n->data.sequence.items.start; id && i < n->data.sequence.items.top;
             i++) {
            int c = ud_copy(dst, src, yaml_document_get_node(src, *i), depth + 1);
            if (!c || !yaml_document_append_sequence_item(dst, id, c))
                id = 0;
        }
        return id;
    case YAML_MAPPING_NODE:
        id = yaml_document_add_mapping(dst, n->tag, n->data.mapping.style);
        for (yaml_node_pair_t *q = n->data.mapping.pairs.start; id && q < n->data.mapping.pairs.top;
             q++) {
            int k = ud_copy(dst, src, yaml_document_get_node(src, q->key), depth + 1);
            int v = k ? ud_copy(dst, src, yaml_document_get_node(src, q->value), depth + 1) : 0;
            if (!v || !yaml_document_append_mapping_pair(dst, id, k, v))
                id = 0;
        }
        return id;
    default:
        return 0;
    }
}

static int
ud_write(void *data, unsigned char *buf, size_t size)
{
    sb_addn(data, (const char *)buf, size);
    return 1;
}

/* Emits, with libyaml, a document of key's value (merged: the list alone,
 * "- ..." items) or of "key: value" into out. False when libyaml fails. */
static bool
ud_emit(yaml_document_t *src, yaml_node_pair_t *pair, bool merged, struct sbuf *out)
{
    yaml_document_t doc;
    yaml_emitter_t em;
    bool ok;
    int root;

    if (!yaml_document_initialize(&doc, NULL, NULL, NULL, 1, 1))
        return false;
    if (merged) {
        root = ud_copy(&doc, src, yaml_document_get_node(src, pair->value), 0);
        /* Items ("- ...") to append to drover's list, even from "[a, b]". */
        if (root)
            yaml_document_get_node(&doc, root)->data.sequence.style = YAML_BLOCK_SEQUENCE_STYLE;
    } else {
        root = yaml_document_add_mapping(&doc, NULL, YAML_BLOCK_MAPPING_STYLE);
        int k = root ? ud_copy(&doc, src, yaml_document_get_node(src, pair->key), 0) : 0;
        int v = k ? ud_copy(&doc, src, yaml_document_get_node(src, pair->value), 0) : 0;
        if (!v || !yaml_document_append_mapping_pair(&doc, root, k, v))
            root = 0;
    }
    if (!root || !yaml_emitter_initialize(&em)) {
        yaml_document_delete(&doc);
        return false;
    }
    yaml_emitter_set_output(&em, ud_write, out);
    yaml_emitter_set_unicode(&em, 1);
    yaml_emitter_set_width(&em, -1);
    /* yaml_emitter_dump deletes the document, whatever it returns. */
    ok = yaml_emitter_open(&em) && yaml_emitter_dump(&em, &doc) && yaml_emitter_close(&em) &&
         yaml_emitter_flush(&em);
    yaml_emitter_delete(&em);
    if (ok && out->len >= 4 && strcmp(out->p + out->len - 4, "...\n") == 0)
        out->p[out->len -= 4] = '\0'; /* an open-ended scalar's end marker */
    return ok && out->len > 0;
}

/* The operator's user_data read with libyaml (any YAML that is a mapping:
 * block or flow style, quoted keys), then split into its top-level keys, each
 * emitted again by libyaml so that what drover merges is YAML whatever the
 * operator's layout, comments aside. The header line is checked first, as
 * cloud-init matches it byte for byte. */
static enum dr_err
ud_parse(const struct dr_template *t, const struct ci_user_data *u, struct ud_doc *d,
         struct dr_error *e)
{
    const char *p = u->text;
    int lineno = u->line_offset + 1;
    yaml_document_t doc;
    enum dr_err rc;

    memset(d, 0, sizeof *d);
    if (str_empty(p))
        return DR_E_OK;
    char *first = xstrndup(p, strcspn(p, "\n"));
    for (size_t l = strlen(first); l > 0 && (first[l - 1] == ' ' || first[l - 1] == '\t');)
        first[--l] = '\0';
    rc = strcmp(first, "#cloud-config") == 0
             ? DR_E_OK
             : ud_error(t, lineno, e, "%s", header_problem(first, u));
    free(first);
    if (rc != DR_E_OK)
        return rc;
    rc = ci_yaml_load(t, p, u->line_offset, false, &doc, e);
    if (rc != DR_E_OK)
        return rc;
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (root == NULL || root->type != YAML_MAPPING_NODE) { /* empty */
        yaml_document_delete(&doc);
        return DR_E_OK;
    }
    for (yaml_node_pair_t *q = root->data.mapping.pairs.start;
         rc == DR_E_OK && q < root->data.mapping.pairs.top; q++) {
        yaml_node_t *k = yaml_document_get_node(&doc, q->key);
        yaml_node_t *v = yaml_document_get_node(&doc, q->value);
        int line = (int)k->start_mark.line + 1 + u->line_offset;
        if (k->type != YAML_SCALAR_NODE) {
            rc = ud_error(t, line, e, _("a top-level key must be a name, not a list or mapping"));
            break;
        }
        const char *name = (const char *)k->data.scalar.value;
        bool merged = in_list(merged_keys, DR_ARRAY_LEN(merged_keys), name);
        if (in_list(owned_keys, DR_ARRAY_LEN(owned_keys), name))
            rc = ud_error(t, line, e, _("key '%s' is set by drover and cannot be overridden"),
                          name);
        else if (ud_find(d, name))
            rc = ud_error(t, line, e, _("key '%s' appears twice"), name);
        else if (merged && v->type != YAML_SEQUENCE_NODE)
            rc = ud_error(t, line, e,
                          _("'%s' must be a list (\"- ...\" items or [ ... ]) to be merged with "
                            "drover's"),
                          name);
        if (rc != DR_E_OK)
            break;
        d->keys = xgrow(d->keys, &d->cap, d->n + 1, sizeof *d->keys);
        struct ud_key *cur = &d->keys[d->n++];
        memset(cur, 0, sizeof *cur);
        cur->name = xstrdup(name);
        cur->line = line;
        if (!ud_emit(&doc, q, merged, &cur->body))
            rc = ud_error(t, line, e, _("key '%s' could not be written back as YAML"), name);
    }
    yaml_document_delete(&doc);
    if (rc != DR_E_OK)
        ud_done(d);
    return rc;
}

enum dr_err
ci_check_user_data(const struct dr_template *t, struct dr_error *e)
{
    struct ci_user_data u;
    struct ud_doc d;
    enum dr_err rc = ci_user_data_normalize(t, &u, NULL, e);

    if (rc == DR_E_OK) {
        rc = ud_parse(t, &u, &d, e);
        ud_done(&d);
    }
    ci_user_data_done(&u);
    return rc;
}

/* Append a merged list's items re-indented to sit under drover's "  - " items. */
static void
add_reindented(struct sbuf *out, const struct ud_key *k)
{
    const char *p = k->body.p;
    size_t min = (size_t)-1;

    for (const char *q = p; q && *q;) {
        size_t n = strcspn(q, "\n"), ind = strspn(q, " ");
        if (ind < n && q[ind] != '#' && ind < min)
            min = ind;
        q += n + (q[n] == '\n');
    }
    if (min == (size_t)-1)
        min = 0;
    for (const char *q = p; q && *q;) {
        size_t n = strcspn(q, "\n"), ind = strspn(q, " ");
        if (ind >= n) {
            sb_add(out, "\n");
        } else if (ind < min) { /* a less indented comment */
            sb_add(out, "  ");
            sb_addn(out, q + ind, n - ind);
            sb_add(out, "\n");
        } else {
            sb_add(out, "  ");
            sb_addn(out, q + min, n - min);
            sb_add(out, "\n");
        }
        q += n + (q[n] == '\n');
    }
}

static bool
valid_user_name(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > 32 || !((s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
        return false;
    return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

enum dr_err
ci_render_user_data(const struct ci_node *n, bool show_secrets, char **out, struct dr_error *e)
{
    const struct dr_template *t = n->tmpl;
    const char *user = ci_login_user(t);
    struct sbuf b = {0};
    struct ud_doc d;
    enum dr_err rc;

    *out = NULL;
    if (!util_is_dns_label(n->hostname))
        return dr_error_set(e, DR_E_INVAL, _("hostname '%s' is not a valid DNS label"),
                            n->hostname ? n->hostname : "");
    if (!valid_user_name(user))
        return dr_error_set(e, DR_E_INVAL,
                            _("template %s: ssh_user '%s' is not a valid user "
                              "name"),
                            t && t->name ? t->name : "?", user);
    if (n->host_key == NULL || !n->host_key->has_private || str_empty(n->cluster_public_key))
        return dr_error_set(e, DR_E_INVAL, _("node %s: host key or cluster key missing"),
                            n->hostname);
    struct ci_user_data u = {0};
    rc = t ? ci_user_data_normalize(t, &u, NULL, e) : DR_E_OK;
    if (rc == DR_E_OK)
        rc = ud_parse(t, &u, &d, e);
    else
        memset(&d, 0, sizeof d);
    ci_user_data_done(&u);
    if (rc != DR_E_OK)
        return rc;

    sb_add(&b, "#cloud-config\n");
    char *tname = ci_yaml_quote(t && t->name ? t->name : "-");
    sb_printf(&b, "# drover: node %s from template %s\n", n->hostname, tname);
    free(tname);
    sb_add(&b, "hostname: ");
    sb_quoted(&b, n->hostname);
    sb_add(&b, "\nfqdn: ");
    if (str_empty(n->domain)) {
        sb_quoted(&b, n->hostname);
    } else {
        char *fqdn = xasprintf("%s.%s", n->hostname, n->domain);
        sb_quoted(&b, fqdn);
        free(fqdn);
    }
    sb_add(&b, "\ndisable_root: true\n"
               "ssh_pwauth: false\n"
               "ssh_deletekeys: true\n"
               /* Never used while ssh_keys is given (cc_ssh generates keys only
                * without it); "[]" would be clearer but fails the schema. */
               "ssh_genkeytypes: [ed25519]\n"
               "ssh_keys:\n"
               "  ed25519_private: ");
    if (show_secrets) {
        char *pem = keys_private_openssh(n->host_key);
        sb_add(&b, "|\n");
        for (const char *q = pem; *q;) {
            size_t l = strcspn(q, "\n");
            sb_add(&b, "    ");
            sb_addn(&b, q, l);
            sb_add(&b, "\n");
            q += l + (q[l] == '\n');
        }
        keys_free_secret(&pem);
    } else {
        sb_quoted(&b, CI_SECRET_PLACEHOLDER);
        sb_add(&b, "\n");
    }
    char *hostpub = keys_public_line(n->host_key);
    sb_add(&b, "  ed25519_public: ");
    sb_quoted(&b, hostpub);
    free(hostpub);

    sb_add(&b, "\nusers:\n  - name: ");
    sb_quoted(&b, user);
    sb_add(&b, "\n    gecos: \"drover login user\"\n"
               "    shell: /bin/bash\n"
               "    sudo: \"ALL=(ALL) NOPASSWD:ALL\"\n"
               "    lock_passwd: true\n"
               "    ssh_authorized_keys:\n      - ");
    sb_quoted(&b, n->cluster_public_key);
    sb_add(&b, "\n");
    const struct ud_key *extra_users = ud_find(&d, "users");
    if (extra_users)
        add_reindented(&b, extra_users);

    const struct ud_key *extra_files = ud_find(&d, "write_files");
    if (n->script_path || extra_files)
        sb_add(&b, "write_files:\n");
    if (n->script_path) {
        char *content = b64(n->script ? n->script : "", n->script ? n->script_len : 0);
        char *owner = xasprintf("%s:%s", user, user);
        sb_add(&b, "  - path: ");
        sb_quoted(&b, n->script_path);
        sb_add(&b, "\n    owner: ");
        sb_quoted(&b, owner);
        /* defer: the owner exists only after the users module has run. */
        sb_add(&b, "\n    permissions: \"0700\"\n    encoding: b64\n    defer: true\n"
                   "    content: ");
        sb_quoted(&b, content);
        sb_add(&b, "\n");
        free(content);
        free(owner);
    }
    if (extra_files)
        add_reindented(&b, extra_files);

    for (size_t i = 0; i < d.n; i++) {
        const struct ud_key *k = &d.keys[i];
        if (in_list(merged_keys, DR_ARRAY_LEN(merged_keys), k->name))
            continue;
        sb_add(&b, k->body.p);
    }
    ud_done(&d);
    *out = b.p;
    return DR_E_OK;
}

char *
ci_render_meta_data(const struct ci_node *n)
{
    struct sbuf b = {0};

    sb_add(&b, "instance-id: ");
    sb_quoted(&b, str_empty(n->instance_id) ? n->hostname : n->instance_id);
    sb_add(&b, "\nlocal-hostname: ");
    sb_quoted(&b, n->hostname);
    sb_add(&b, "\n");
    return b.p;
}

enum dr_err
ci_guestinfo(const struct ci_node *n, struct dr_kv **kv, size_t *count, struct dr_error *e)
{
    char *ud, *md;
    enum dr_err rc = ci_render_user_data(n, true, &ud, e);

    *kv = NULL;
    *count = 0;
    if (rc != DR_E_OK)
        return rc;
    md = ci_render_meta_data(n);
    char *udv = NULL, *mdv = NULL;
    const char *udenc = NULL, *mdenc = NULL;
    rc = ci_guestinfo_encode("guestinfo.userdata", ud, strlen(ud), &udv, &udenc, e);
    if (rc == DR_E_OK)
        rc = ci_guestinfo_encode("guestinfo.metadata", md, strlen(md), &mdv, &mdenc, e);
    keys_free_secret(&ud);
    free(md);
    if (rc == DR_E_OK) {
        *kv = xcalloc(4, sizeof **kv);
        (*kv)[0] = (struct dr_kv){xstrdup("guestinfo.userdata"), udv};
        (*kv)[1] = (struct dr_kv){xstrdup("guestinfo.userdata.encoding"), xstrdup(udenc)};
        (*kv)[2] = (struct dr_kv){xstrdup("guestinfo.metadata"), mdv};
        (*kv)[3] = (struct dr_kv){xstrdup("guestinfo.metadata.encoding"), xstrdup(mdenc)};
        *count = 4;
        udv = mdv = NULL;
        /* Its message names the template and the field itself. */
        rc = ci_guestinfo_total_check(n->tmpl, *kv, *count, e);
        if (rc != DR_E_OK) {
            ci_kv_free(kv, 4), *count = 0;
            return rc;
        }
    }
    keys_free_secret(&udv);
    free(mdv);
    if (rc != DR_E_OK && n->tmpl)
        dr_error_prefix(e, _("template %s (%s:%d): user_data"),
                        n->tmpl->name ? n->tmpl->name : "?",
                        n->tmpl->origin.file ? n->tmpl->origin.file : "?", ci_user_data_line(n->tmpl));
    return rc;
}

void
ci_kv_free(struct dr_kv **kv, size_t count)
{
    if (*kv == NULL)
        return;
    for (size_t i = 0; i < count; i++) {
        free((*kv)[i].key);
        keys_free_secret(&(*kv)[i].value); /* user-data carries a private key */
    }
    xfree(kv);
}
