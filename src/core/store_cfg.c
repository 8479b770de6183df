#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/store_priv.h"
#include "core/util.h"

void
store_diag_add(struct dr_store *s, const char *file, int line, const char *field, const char *fmt,
               ...)
{
    struct dr_diag *d;
    va_list ap;
    char *msg;

    va_start(ap, fmt);
    if (vasprintf(&msg, fmt, ap) < 0)
        msg = NULL;
    va_end(ap);
    s->diags = xrealloc(s->diags, (s->n_diags + 1) * sizeof *s->diags);
    d = &s->diags[s->n_diags++];
    d->file = xstrdup(file ? file : "");
    d->line = line > 0 ? line : 0;
    d->field = xstrdup0(field);
    /* A message is one line; an operator's string in it (a version with a
     * newline, a name with an escape sequence) is shown escaped. */
    d->message = str_escape_ctl(msg ? msg : "?");
    free(msg);
}

void
store_diags_clear(struct dr_store *s)
{
    for (size_t i = 0; i < s->n_diags; i++) {
        free(s->diags[i].file);
        free(s->diags[i].field);
        free(s->diags[i].message);
    }
    xfree(&s->diags);
    s->n_diags = 0;
}

char *
store_diag_format(const struct dr_diag *d)
{
    char line[32] = "";

    if (d->line > 0)
        snprintf(line, sizeof line, ":%d", d->line);
    if (d->field)
        return xasprintf("%s%s: %s: %s", d->file, line, d->field, d->message);
    return xasprintf("%s%s: %s", d->file, line, d->message);
}

int
cfg_line(const config_setting_t *st)
{
    return st ? (int)config_setting_source_line(st) : 0;
}

static void cfg_vdiag(struct cfg_ctx *c, const config_setting_t *at, const char *field,
                      const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));

static void
cfg_vdiag(struct cfg_ctx *c, const config_setting_t *at, const char *field, const char *fmt,
          va_list ap)
{
    char *msg;

    if (vasprintf(&msg, fmt, ap) < 0)
        msg = NULL;
    store_diag_add(c->s, c->file, cfg_line(at), field, "%s", msg ? msg : "?");
    free(msg);
}

void
cfg_err(struct cfg_ctx *c, const config_setting_t *at, const char *field, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    cfg_vdiag(c, at, field, fmt, ap);
    va_end(ap);
    c->errors++;
}

void
cfg_note(struct cfg_ctx *c, const config_setting_t *at, const char *field, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    cfg_vdiag(c, at, field, fmt, ap);
    va_end(ap);
}

char *
cfg_field(const char *prefix, const char *key)
{
    return xasprintf("%s%s", prefix ? prefix : "", key);
}

/* libconfig's scanner would open any file an @include line names; drover's
 * files are single, self-contained files, so such a line is refused before
 * libconfig sees it. */
static int
find_include(const char *text)
{
    int line = 1;

    for (const char *p = text; *p; line++) {
        const char *q = p;
        while (*q == ' ' || *q == '\t')
            q++;
        if (strncmp(q, "@include", 8) == 0)
            return line;
        p = strchr(p, '\n');
        if (p == NULL)
            break;
        p++;
    }
    return 0;
}

/* A UTF-8 byte order mark that Windows editors put in front of a file. */
#define UTF8_BOM "\xEF\xBB\xBF"

/* A UTF-16 byte order mark (FF FE little-endian, FE FF big-endian) in front
 * of text of len bytes: such a file is UTF-16, which libconfig cannot read
 * (its NUL bytes would read as "not a text file"). */
static bool
utf16_bom(const char *text, size_t len)
{
    return len >= 2 && (memcmp(text, "\xFF\xFE", 2) == 0 || memcmp(text, "\xFE\xFF", 2) == 0);
}

bool
cfg_parse_text(struct cfg_ctx *c, const char *text, config_t *cfg)
{
    int inc;

    config_init(cfg);
    if (utf16_bom(text, strlen(text))) {
        store_diag_add(c->s, c->file, 1, NULL,
                       _("starts with a byte order mark (UTF-16): save the file as UTF-8"));
        c->errors++;
        return false;
    }
    /* libconfig's scanner takes the mark for a stray token (":1: syntax
     * error"); it carries no meaning in UTF-8, so the file loads without it. */
    if (str_has_prefix(text, UTF8_BOM))
        text += strlen(UTF8_BOM);
    if (str_has_prefix(text, UTF8_BOM)) {
        store_diag_add(c->s, c->file, 1, NULL,
                       _("starts with a second byte order mark (EF BB BF twice): save the file "
                         "as UTF-8 without a byte order mark"));
        c->errors++;
        return false;
    }
    inc = find_include(text);

    if (inc > 0) {
        store_diag_add(c->s, c->file, inc, NULL, _("@include is not supported"));
        c->errors++;
        return false;
    }
    if (config_read_string(cfg, text) != CONFIG_TRUE) {
        store_diag_add(c->s, c->file, config_error_line(cfg), NULL, "%s",
                       config_error_text(cfg) ? config_error_text(cfg) : _("syntax error"));
        c->errors++;
        return false;
    }
    return true;
}

bool
cfg_parse_file(struct cfg_ctx *c, const char *path, config_t *cfg, bool *missing)
{
    struct dr_error e = {0};
    const char *nul;
    char *text;
    size_t len;
    bool ok;

    if (missing)
        *missing = false;
    config_init(cfg);
    if (util_read_file(path, &text, &len, &e) != DR_E_OK) {
        if (e.code == DR_E_NOTFOUND && missing) {
            *missing = true;
            return false;
        }
        store_diag_add(c->s, c->file, 0, NULL, _("cannot read: %s"), dr_error_text(&e));
        c->errors++;
        return false;
    }
    if (utf16_bom(text, len)) {
        store_diag_add(c->s, c->file, 1, NULL,
                       _("starts with a byte order mark (UTF-16): save the file as UTF-8"));
        c->errors++;
        free(text);
        return false;
    }
    /* libconfig would stop reading at a NUL and report what follows as
     * missing; say what is really wrong, and where. */
    if ((nul = memchr(text, '\0', len)) != NULL) {
        int line = 1;
        for (const char *p = text; p < nul; p++)
            line += *p == '\n';
        store_diag_add(c->s, c->file, line, NULL, _("has a NUL byte: not a text file"));
        c->errors++;
        free(text);
        return false;
    }
    config_destroy(cfg);
    ok = cfg_parse_text(c, text, cfg);
    free(text);
    return ok;
}

void
cfg_check_keys(struct cfg_ctx *c, const config_setting_t *group, const char *const *keys,
               const char *prefix)
{
    int n = config_setting_length(group);
    size_t n_keys = 0, next = 0;

    while (keys[n_keys])
        n_keys++;
    for (int i = 0; i < n; i++) {
        const config_setting_t *st = config_setting_get_elem(group, (unsigned)i);
        const char *name = config_setting_name(st);
        bool known = false;
        /* From the key after the last one found: files written by drover
         * list a group's keys in the table's order. */
        for (size_t j = 0; name && j < n_keys && !known; j++) {
            size_t k = (next + j) % n_keys;
            if (keys[k][0] == name[0] && strcmp(keys[k], name) == 0) {
                known = true;
                next = k + 1;
            }
        }
        if (!known) {
            char *f = cfg_field(prefix, name ? name : "?");
            cfg_err(c, st, f, _("unknown key"));
            free(f);
        }
    }
}

config_setting_t *
cfg_member(struct cfg_ctx *c, const config_setting_t *g, const char *key)
{
    int n = g && config_setting_is_group(g) ? config_setting_length(g) : 0;
    int start = g == c->scan_group && c->scan_next < n ? c->scan_next : 0;

    for (int k = 0; k < n; k++) {
        int i = (start + k) % n;
        config_setting_t *el = config_setting_get_elem(g, (unsigned)i);
        const char *name = el ? config_setting_name(el) : NULL;
        if (name && name[0] == key[0] && strcmp(name, key) == 0) {
            c->scan_group = g;
            c->scan_next = i + 1;
            return el;
        }
    }
    return NULL;
}

/* The member key of g, or NULL; reports required ones that are missing. */
static config_setting_t *
member(struct cfg_ctx *c, const config_setting_t *g, const char *key, const char *prefix,
       bool required)
{
    config_setting_t *st = cfg_member(c, g, key);

    if (st == NULL && required) {
        char *f = cfg_field(prefix, key);
        cfg_err(c, g, f, _("is required"));
        free(f);
    }
    return st;
}

static void
type_err(struct cfg_ctx *c, const config_setting_t *st, const char *prefix, const char *key,
         const char *what)
{
    char *f = cfg_field(prefix, key);

    cfg_err(c, st, f, "%s", what);
    free(f);
}

bool
cfg_get_string(struct cfg_ctx *c, const config_setting_t *g, const char *key, const char *prefix,
               bool required, char **out)
{
    config_setting_t *st = member(c, g, key, prefix, required);
    const char *v;

    if (st == NULL)
        return false;
    if (config_setting_type(st) != CONFIG_TYPE_STRING) {
        type_err(c, st, prefix, key, _("must be a string"));
        return false;
    }
    v = config_setting_get_string(st);
    if (str_empty(v)) {
        if (required)
            type_err(c, st, prefix, key, _("must not be empty"));
        return false;
    }
    free(*out);
    *out = xstrdup(v);
    return true;
}

static bool
get_number(struct cfg_ctx *c, config_setting_t *st, const char *key, const char *prefix,
           long long min, long long max, long long *out)
{
    long long v;

    if (config_setting_type(st) == CONFIG_TYPE_INT)
        v = config_setting_get_int(st);
    else if (config_setting_type(st) == CONFIG_TYPE_INT64)
        v = config_setting_get_int64(st);
    else {
        type_err(c, st, prefix, key, _("must be an integer"));
        return false;
    }
    if (v < min || v > max) {
        char *f = cfg_field(prefix, key);
        cfg_err(c, st, f, _("must be between %lld and %lld"), min, max);
        free(f);
        return false;
    }
    *out = v;
    return true;
}

bool
cfg_get_int(struct cfg_ctx *c, const config_setting_t *g, const char *key, const char *prefix,
            bool required, long long min, long long max, int *out)
{
    config_setting_t *st = member(c, g, key, prefix, required);
    long long v;

    if (min < INT_MIN)
        min = INT_MIN;
    if (max > INT_MAX)
        max = INT_MAX;
    if (st == NULL || !get_number(c, st, key, prefix, min, max, &v))
        return false;
    *out = (int)v;
    return true;
}

bool
cfg_get_int64(struct cfg_ctx *c, const config_setting_t *g, const char *key, const char *prefix,
              long long min, long long max, long long *out)
{
    config_setting_t *st = member(c, g, key, prefix, false);

    return st && get_number(c, st, key, prefix, min, max, out);
}

bool
cfg_get_bool(struct cfg_ctx *c, const config_setting_t *g, const char *key, const char *prefix,
             bool *out)
{
    config_setting_t *st = member(c, g, key, prefix, false);

    if (st == NULL)
        return false;
    if (config_setting_type(st) != CONFIG_TYPE_BOOL) {
        type_err(c, st, prefix, key, _("must be true or false"));
        return false;
    }
    *out = config_setting_get_bool(st) != 0;
    return true;
}

bool
cfg_get_strv(struct cfg_ctx *c, const config_setting_t *g, const char *key, const char *prefix,
             char ***out)
{
    config_setting_t *st = member(c, g, key, prefix, false);
    char **v = NULL;
    int n;

    if (st == NULL)
        return false;
    if (config_setting_type(st) != CONFIG_TYPE_ARRAY &&
        config_setting_type(st) != CONFIG_TYPE_LIST) {
        type_err(c, st, prefix, key, _("must be a list of strings"));
        return false;
    }
    n = config_setting_length(st);
    v = xcalloc(1, sizeof *v);
    for (int i = 0; i < n; i++) {
        config_setting_t *el = config_setting_get_elem(st, (unsigned)i);
        const char *str = config_setting_get_string(el);
        if (config_setting_type(el) != CONFIG_TYPE_STRING || str_empty(str)) {
            type_err(c, el, prefix, key, _("must be a list of non-empty strings"));
            strv_free(&v);
            return false;
        }
        strv_push(&v, str);
    }
    strv_free(out);
    *out = v;
    return true;
}

const char *const store_kv_keys[] = {"key", "value", NULL};

bool
cfg_get_kvs(struct cfg_ctx *c, const config_setting_t *g, const char *key, const char *prefix,
            struct dr_kv **out, size_t *n_out)
{
    const char *const *keys = store_kv_keys;
    config_setting_t *st = member(c, g, key, prefix, false);
    struct dr_kv *kv;
    int n, before = c->errors;

    if (st == NULL)
        return false;
    if (config_setting_type(st) != CONFIG_TYPE_LIST) {
        type_err(c, st, prefix, key, _("must be a list of { key = \"...\"; value = \"...\"; }"));
        return false;
    }
    n = config_setting_length(st);
    kv = n ? xcalloc((size_t)n, sizeof *kv) : NULL;
    for (int i = 0; i < n; i++) {
        config_setting_t *el = config_setting_get_elem(st, (unsigned)i);
        char *p = xasprintf("%s%s[%d].", prefix ? prefix : "", key, i);
        if (config_setting_type(el) != CONFIG_TYPE_GROUP) {
            type_err(c, el, prefix, key,
                     _("must be a list of { key = \"...\"; value = \"...\"; }"));
        } else {
            cfg_check_keys(c, el, keys, p);
            cfg_get_string(c, el, "key", p, true, &kv[i].key);
            config_setting_t *val = cfg_member(c, el, "value");
            char *f = cfg_field(p, "value");
            if (val == NULL)
                cfg_err(c, el, f, _("is required"));
            else if (config_setting_type(val) != CONFIG_TYPE_STRING)
                cfg_err(c, val, f, _("must be a string"));
            else
                kv[i].value = xstrdup(config_setting_get_string(val));
            free(f);
        }
        free(p);
    }
    if (c->errors != before) {
        for (int i = 0; i < n; i++) {
            free(kv[i].key);
            free(kv[i].value);
        }
        free(kv);
        return false;
    }
    for (size_t i = 0; i < *n_out; i++) {
        free((*out)[i].key);
        free((*out)[i].value);
    }
    free(*out);
    *out = kv;
    *n_out = (size_t)n;
    return true;
}

bool
cfg_get_roles(struct cfg_ctx *c, const config_setting_t *g, const char *key, const char *prefix,
              bool required, unsigned *out)
{
    config_setting_t *st = member(c, g, key, prefix, required);
    unsigned roles = 0;
    int n;

    if (st == NULL)
        return false;
    if (config_setting_type(st) != CONFIG_TYPE_ARRAY &&
        config_setting_type(st) != CONFIG_TYPE_LIST) {
        type_err(c, st, prefix, key, _("must be a list of roles (etcd, control-plane, worker)"));
        return false;
    }
    n = config_setting_length(st);
    for (int i = 0; i < n; i++) {
        config_setting_t *el = config_setting_get_elem(st, (unsigned)i);
        const char *name = config_setting_get_string(el);
        unsigned bit;
        if (config_setting_type(el) != CONFIG_TYPE_STRING || !roles_parse_one(name, &bit)) {
            char *f = cfg_field(prefix, key);
            cfg_err(c, el, f, _("'%s' is not a role: use etcd, control-plane or worker"),
                    name ? name : "?");
            free(f);
            return false;
        }
        roles |= bit;
    }
    if (roles == 0 && required) {
        type_err(c, st, prefix, key, _("must name at least one role"));
        return false;
    }
    *out = roles;
    return true;
}

bool
cfg_check_name(struct cfg_ctx *c, const config_setting_t *at, const char *field, const char *name)
{
    if (util_is_dns_label(name))
        return true;
    cfg_err(c, at, field,
            _("'%s' is not a valid name: use 1 to 63 lowercase letters, digits and '-', "
              "not starting or ending with '-'"),
            name ? name : "");
    return false;
}

void
cfg_put_string(config_setting_t *g, const char *key, const char *v)
{
    if (v != NULL)
        config_setting_set_string(config_setting_add(g, key, CONFIG_TYPE_STRING), v);
}

void
cfg_put_int(config_setting_t *g, const char *key, int v)
{
    config_setting_set_int(config_setting_add(g, key, CONFIG_TYPE_INT), v);
}

void
cfg_put_int64(config_setting_t *g, const char *key, long long v)
{
    config_setting_set_int64(config_setting_add(g, key, CONFIG_TYPE_INT64), v);
}

void
cfg_put_bool(config_setting_t *g, const char *key, bool v)
{
    config_setting_set_bool(config_setting_add(g, key, CONFIG_TYPE_BOOL), v);
}

void
cfg_put_strv(config_setting_t *g, const char *key, char *const *v)
{
    config_setting_t *a;

    if (v == NULL)
        return;
    a = config_setting_add(g, key, CONFIG_TYPE_ARRAY);
    for (size_t i = 0; v[i]; i++)
        config_setting_set_string_elem(a, -1, v[i]);
}

void
cfg_put_kvs(config_setting_t *g, const char *key, const struct dr_kv *kv, size_t n)
{
    config_setting_t *l;

    if (n == 0)
        return;
    l = config_setting_add(g, key, CONFIG_TYPE_LIST);
    for (size_t i = 0; i < n; i++) {
        config_setting_t *el = config_setting_add(l, NULL, CONFIG_TYPE_GROUP);
        cfg_put_string(el, "key", kv[i].key);
        cfg_put_string(el, "value", kv[i].value ? kv[i].value : "");
    }
}

void
cfg_put_roles(config_setting_t *g, const char *key, unsigned roles)
{
    config_setting_t *a = config_setting_add(g, key, CONFIG_TYPE_ARRAY);

    for (unsigned bit = 1; bit <= DR_ROLE_WORKER; bit <<= 1) {
        if ((roles & bit) && role_name(bit))
            config_setting_set_string_elem(a, -1, role_name(bit));
    }
}

char *
cfg_to_text(config_t *cfg, const char *comment)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    if (f == NULL)
        abort();
    if (comment)
        fprintf(f, "# %s\n", comment);
    config_write(cfg, f);
    if (fclose(f) != 0)
        abort();
    return buf;
}
