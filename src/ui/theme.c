#include "config.h"

#include <dirent.h>
#include <libconfig.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/i18n.h"
#include "core/util.h"
#include "ui/provide_curses.h"
#include "ui/theme.h"

static const struct {
    const char *path;
    struct role_style style;
    unsigned mono;
} builtin[ROLE__COUNT] = {
#define UI_ROLE_ROW(id, p, f, b, at, mo)                                                           \
    [ROLE_##id] = {.path = p, .style = {.fg = f, .bg = b, .attrs = at}, .mono = mo},
    UI_ROLES(UI_ROLE_ROW)
#undef UI_ROLE_ROW
};

static const char *const colour_names[] = {
    "black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
};

static const struct {
    const char *name;
    unsigned bit;
} attr_names[] = {
    {"bold", TA_BOLD}, {"reverse", TA_REVERSE},   {"underline", TA_UNDERLINE},
    {"dim", TA_DIM},   {"standout", TA_STANDOUT},
};

/* Current curses attributes per role. */
static int role_attr[ROLE__COUNT];

const char *
theme_role_name(enum ui_role r)
{
    return (unsigned)r < ROLE__COUNT ? builtin[r].path : "?";
}

void
theme_default(struct theme *t)
{
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "default");
    for (int r = 0; r < ROLE__COUNT; r++)
        t->roles[r] = builtin[r].style;
}

static bool
parse_colour(const config_setting_t *s, short *out)
{
    if (config_setting_type(s) == CONFIG_TYPE_INT) {
        int v = config_setting_get_int(s);
        if (v < -1 || v > 255)
            return false;
        *out = (short)v;
        return true;
    }
    if (config_setting_type(s) != CONFIG_TYPE_STRING)
        return false;
    const char *name = config_setting_get_string(s);
    if (strcmp(name, "default") == 0) {
        *out = -1;
        return true;
    }
    bool bright = str_has_prefix(name, "bright-");
    for (short i = 0; i < 8; i++) {
        if (strcmp(bright ? name + 7 : name, colour_names[i]) == 0) {
            *out = (short)(bright ? i + 8 : i);
            return true;
        }
    }
    return false;
}

static enum ui_role
role_by_path(const char *path)
{
    for (int r = 0; r < ROLE__COUNT; r++) {
        if (strcmp(builtin[r].path, path) == 0)
            return (enum ui_role)r;
    }
    return ROLE__COUNT;
}

static enum dr_err
fail(struct dr_error *e, const char *path, const config_setting_t *s, const char *what,
     const char *detail)
{
    return dr_error_set(e, DR_E_INVAL, "%s:%d: %s: %s", path, config_setting_source_line(s), what,
                        detail);
}

/* Read one group under "roles": its fg/bg/attrs, and nested roles. */
static enum dr_err
read_group(const char *path, config_setting_t *g, const char *prefix, struct theme *t,
           struct dr_error *e)
{
    enum ui_role r = prefix[0] ? role_by_path(prefix) : ROLE__COUNT;

    /* A role the file names starts from the terminal's colours, not from
     * the compiled-in ones: what the file says is all there is. */
    if (r != ROLE__COUNT)
        t->roles[r] = (struct role_style){.fg = -1, .bg = -1, .attrs = 0};

    for (int i = 0; i < config_setting_length(g); i++) {
        config_setting_t *c = config_setting_get_elem(g, (unsigned)i);
        const char *key = config_setting_name(c);
        char sub[128];

        snprintf(sub, sizeof sub, "%s%s%s", prefix, prefix[0] ? "." : "", key);
        if (r != ROLE__COUNT && (strcmp(key, "fg") == 0 || strcmp(key, "bg") == 0)) {
            short v;
            if (!parse_colour(c, &v))
                return fail(e, path, c, sub,
                            _("not a colour (a name such as \"red\", \"bright-blue\", "
                              "\"default\", or a number 0-255)"));
            if (key[0] == 'f')
                t->roles[r].fg = v;
            else
                t->roles[r].bg = v;
        } else if (r != ROLE__COUNT && strcmp(key, "attrs") == 0) {
            unsigned bits = 0;
            if (!config_setting_is_array(c) && !config_setting_is_list(c))
                return fail(e, path, c, sub, _("must be a list such as [ \"bold\" ]"));
            for (int j = 0; j < config_setting_length(c); j++) {
                const char *an = config_setting_get_string_elem(c, j);
                size_t k;
                for (k = 0; an && k < DR_ARRAY_LEN(attr_names); k++) {
                    if (strcmp(an, attr_names[k].name) == 0)
                        break;
                }
                if (an == NULL || k == DR_ARRAY_LEN(attr_names))
                    return fail(e, path, c, sub,
                                _("unknown attribute (bold, reverse, underline, dim, standout)"));
                bits |= attr_names[k].bit;
            }
            t->roles[r].attrs = bits;
        } else if (config_setting_is_group(c)) {
            if (role_by_path(sub) == ROLE__COUNT) {
                bool parent = false;
                for (int k = 0; k < ROLE__COUNT && !parent; k++)
                    parent =
                        str_has_prefix(builtin[k].path, sub) && builtin[k].path[strlen(sub)] == '.';
                if (!parent)
                    return fail(e, path, c, sub, _("unknown colour role"));
            }
            if (read_group(path, c, sub, t, e) != DR_E_OK)
                return e ? e->code : DR_E_INVAL;
        } else {
            return fail(e, path, c, sub, _("unknown setting"));
        }
    }
    return DR_E_OK;
}

enum dr_err
theme_load_file(const char *path, struct theme *t, struct dr_error *e)
{
    config_t cfg;
    struct theme tmp;
    config_setting_t *roles;
    const char *base = strrchr(path, '/');
    enum dr_err rc = DR_E_OK;

    theme_default(&tmp);
    base = base ? base + 1 : path;
    snprintf(tmp.name, sizeof tmp.name, "%.*s", (int)strcspn(base, "."), base);
    config_init(&cfg);
    if (!config_read_file(&cfg, path)) {
        if (config_error_type(&cfg) == CONFIG_ERR_FILE_IO)
            rc = dr_error_set(e, DR_E_IO, _("%s: cannot read the theme"), path);
        else
            rc = dr_error_set(e, DR_E_PARSE, "%s:%d: %s", path, config_error_line(&cfg),
                              config_error_text(&cfg));
        goto out;
    }
    for (int i = 0; i < config_setting_length(config_root_setting(&cfg)); i++) {
        config_setting_t *c = config_setting_get_elem(config_root_setting(&cfg), (unsigned)i);
        const char *key = config_setting_name(c);
        if (strcmp(key, "roles") != 0 && strcmp(key, "description") != 0) {
            rc = fail(e, path, c, key, _("unknown setting"));
            goto out;
        }
    }
    roles = config_lookup(&cfg, "roles");
    if (roles == NULL) {
        rc = dr_error_set(e, DR_E_INVAL, _("%s:1: roles: missing"), path);
        goto out;
    }
    if (!config_setting_is_group(roles)) {
        rc = fail(e, path, roles, "roles", _("must be a group { ... }"));
        goto out;
    }
    rc = read_group(path, roles, "", &tmp, e);
    if (rc == DR_E_OK)
        *t = tmp;
out:
    config_destroy(&cfg);
    return rc;
}

static bool
name_ok(const char *name)
{
    if (str_empty(name) || strlen(name) > 48)
        return false;
    for (const char *p = name; *p; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_'))
            return false;
    }
    return true;
}

static const char *
system_dir(void)
{
    const char *d = getenv("DROVER_THEMES_DIR");

    return str_empty(d) ? PKGDATADIR "/themes" : d;
}

char *
theme_find(const char *name, const char *user_dir)
{
    const char *dirs[] = {user_dir, system_dir()};

    if (!name_ok(name))
        return NULL;
    for (size_t i = 0; i < DR_ARRAY_LEN(dirs); i++) {
        if (dirs[i] == NULL)
            continue;
        char *p = xasprintf("%s/%s.theme", dirs[i], name);
        if (access(p, R_OK) == 0)
            return p;
        free(p);
    }
    return NULL;
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **
theme_list(const char *user_dir)
{
    const char *dirs[] = {user_dir, system_dir()};
    char **v = NULL;

    strv_push(&v, "default");
    for (size_t i = 0; i < DR_ARRAY_LEN(dirs); i++) {
        DIR *d = dirs[i] ? opendir(dirs[i]) : NULL;
        struct dirent *de;

        while (d && (de = readdir(d)) != NULL) {
            char *n;
            bool dup = false;
            if (!str_has_suffix(de->d_name, ".theme"))
                continue;
            n = xstrndup(de->d_name, strlen(de->d_name) - 6);
            for (size_t k = 0; v[k] && !dup; k++)
                dup = strcmp(v[k], n) == 0;
            if (!dup && name_ok(n))
                strv_push(&v, n);
            free(n);
        }
        if (d)
            closedir(d);
    }
    qsort(v, strv_len(v), sizeof *v, cmp_str);
    return v;
}

enum dr_err
theme_load(const char *name, const char *user_dir, struct theme *t, struct dr_error *e)
{
    char *path;
    enum dr_err rc;

    if (!name_ok(name))
        return dr_error_set(e, DR_E_INVAL, _("'%s' is not a theme name"), name ? name : "");
    path = theme_find(name, user_dir);
    if (path == NULL) {
        if (strcmp(name, "default") == 0) {
            theme_default(t);
            return DR_E_OK;
        }
        return dr_error_set(e, DR_E_NOTFOUND, _("no theme '%s'"), name);
    }
    rc = theme_load_file(path, t, e);
    free(path);
    return rc;
}

/* 16-colour names on an 8-colour terminal: the base colour, made bold. */
static short
fit_colour(short c, int *attr)
{
    if (c < 0 || c < COLORS)
        return c;
    if (c < 16) {
        *attr |= A_BOLD;
        return (short)(c - 8);
    }
    return -1;
}

static int
curses_attrs(unsigned a)
{
    return ((a & TA_BOLD) ? A_BOLD : 0) | ((a & TA_REVERSE) ? A_REVERSE : 0) |
           ((a & TA_UNDERLINE) ? A_UNDERLINE : 0) | ((a & TA_DIM) ? A_DIM : 0) |
           ((a & TA_STANDOUT) ? A_STANDOUT : 0);
}

void
theme_apply(const struct theme *t, bool colour)
{
    for (int r = 0; r < ROLE__COUNT; r++) {
        if (!colour) {
            role_attr[r] = curses_attrs(builtin[r].mono);
            continue;
        }
        int extra = 0, ignored = 0;
        short fg = fit_colour(t->roles[r].fg, &extra);
        short bg = fit_colour(t->roles[r].bg, &ignored); /* no bold for a background */
        init_pair((short)(r + 1), fg, bg);
        role_attr[r] = (int)COLOR_PAIR(r + 1) | curses_attrs(t->roles[r].attrs) | extra;
    }
}

int
theme_attr(enum ui_role r)
{
    return (unsigned)r < ROLE__COUNT ? role_attr[r] : 0;
}
