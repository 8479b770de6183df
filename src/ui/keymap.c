#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>

#include "core/i18n.h"
#include "core/util.h"
#include "ui/keymap.h"
#include "ui/provide_curses.h"

struct binding {
    char *scope; /* NULL: global */
    int key;
    enum ui_action action;
};

struct keymap {
    struct binding *b;
    size_t n, cap;
};

static const struct {
    const char *name;
    int key;
} named_keys[] = {
    {"Enter", '\n'},
    {"Return", '\r'},
    {"Esc", UI_KEY_ESC},
    {"Escape", UI_KEY_ESC},
    {"Tab", '\t'},
    {"Space", ' '},
    {"Backspace", UI_KEY_FN | KEY_BACKSPACE},
    {"S-Tab", UI_KEY_FN | KEY_BTAB},
    {"BackTab", UI_KEY_FN | KEY_BTAB},
    {"Up", UI_KEY_FN | KEY_UP},
    {"Down", UI_KEY_FN | KEY_DOWN},
    {"Left", UI_KEY_FN | KEY_LEFT},
    {"Right", UI_KEY_FN | KEY_RIGHT},
    {"PgUp", UI_KEY_FN | KEY_PPAGE},
    {"PageUp", UI_KEY_FN | KEY_PPAGE},
    {"PgDn", UI_KEY_FN | KEY_NPAGE},
    {"PageDown", UI_KEY_FN | KEY_NPAGE},
    {"Home", UI_KEY_FN | KEY_HOME},
    {"End", UI_KEY_FN | KEY_END},
    {"Insert", UI_KEY_FN | KEY_IC},
    {"Delete", UI_KEY_FN | KEY_DC},
};

/* The defaults, in the same notation drover.cfg uses. */
static const struct {
    const char *scope, *key, *action;
} defaults[] = {
    {NULL, "Up", "up"},           {NULL, "k", "up"},
    {NULL, "Down", "down"},       {NULL, "j", "down"},
    {NULL, "PgUp", "page-up"},    {NULL, "C-b", "page-up"},
    {NULL, "PgDn", "page-down"},  {NULL, "C-f", "page-down"},
    {NULL, "Space", "page-down"}, {NULL, "Home", "top"},
    {NULL, "g", "top"},           {NULL, "End", "bottom"},
    {NULL, "G", "bottom"},        {NULL, "Enter", "open"},
    {NULL, "Return", "open"},     {NULL, "Right", "open"},
    {NULL, "l", "open"},          {NULL, "Esc", "back"},
    {NULL, "q", "back"},          {NULL, "Left", "back"},
    {NULL, "h", "back"},          {NULL, "Tab", "next-pane"},
    {NULL, "d", "toggle-detail"}, {NULL, "/", "filter"},
    {NULL, ":", "command"},       {NULL, "s", "sort"},
    {NULL, "S", "sort-reverse"},  {NULL, "1", "clusters"},
    {NULL, "2", "templates"},     {NULL, "3", "nodes"},
    {NULL, "4", "jobs"},          {NULL, "?", "help"},
    {NULL, "F1", "help"},         {NULL, "C-l", "redraw"},
    {NULL, "Q", "quit"},          {NULL, "F", "follow"},
    {"clusters", "c", "create"},  {"clusters", "D", "delete"},
    {"cluster", "D", "delete"},   {"cluster", "=", "scale"},
    {"cluster", "P", "preflight"},
    {"nodes", "r", "retry"},      {"nodes", "R", "replace"},
    {"nodes", "X", "cancel"},     {"node", "r", "retry"},
    {"node", "R", "replace"},     {"node", "X", "cancel"},
    {"jobs", "X", "cancel"},      {"jobs", "c", "cancel"},
    {NULL, "V", "add-vcenter"},
    {"templates", "n", "new"},    {"templates", "e", "edit"},
    {"templates", "y", "copy"},   {"clusters", "n", "new"},
    {"clusters", "e", "edit"},
};

static bool
scope_eq(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return a == b;
    return strcmp(a, b) == 0;
}

static void
put(struct keymap *km, const char *scope, int key, enum ui_action a)
{
    for (size_t i = 0; i < km->n; i++) {
        if (km->b[i].key == key && scope_eq(km->b[i].scope, scope)) {
            km->b[i].action = a;
            return;
        }
    }
    km->b = xgrow(km->b, &km->cap, km->n + 1, sizeof *km->b);
    km->b[km->n++] = (struct binding){.scope = xstrdup0(scope), .key = key, .action = a};
}

struct keymap *
keymap_new(void)
{
    struct keymap *km = xcalloc(1, sizeof *km);

    for (size_t i = 0; i < DR_ARRAY_LEN(defaults); i++) {
        struct dr_error e;
        if (keymap_bind(km, defaults[i].scope ? defaults[i].scope : "global", defaults[i].key,
                        defaults[i].action, &e) != DR_E_OK)
            abort(); /* the table above is wrong: a programming error */
    }
    return km;
}

void
keymap_free(struct keymap **km)
{
    if (*km == NULL)
        return;
    for (size_t i = 0; i < (*km)->n; i++)
        free((*km)->b[i].scope);
    free((*km)->b);
    xfree(km);
}

/* One UTF-8 character making up the whole string, or -1. */
static int
single_char(const char *s)
{
    mbstate_t st;
    wchar_t wc;
    size_t len = strlen(s), r;

    if (len == 1)
        return (unsigned char)s[0] < 0x80 ? (unsigned char)s[0] : -1;
    memset(&st, 0, sizeof st);
    r = mbrtowc(&wc, s, len, &st);
    if (r == (size_t)-1 || r == (size_t)-2 || r != len)
        return -1;
    return (int)wc;
}

bool
keymap_parse_key(const char *name, int *key)
{
    int c;

    if (name == NULL || *name == '\0')
        return false;
    for (size_t i = 0; i < DR_ARRAY_LEN(named_keys); i++) {
        if (strcasecmp(name, named_keys[i].name) == 0) {
            *key = named_keys[i].key;
            return true;
        }
    }
    if ((name[0] == 'F' || name[0] == 'f') && name[1] >= '1' && name[1] <= '9') {
        char *end;
        long n = strtol(name + 1, &end, 10);
        if (*end == '\0' && n >= 1 && n <= 24) {
            *key = UI_KEY_FN | KEY_F((int)n);
            return true;
        }
    }
    if ((strncasecmp(name, "C-", 2) == 0 && name[2] != '\0' && name[3] == '\0') ||
        (name[0] == '^' && name[1] != '\0' && name[2] == '\0')) {
        c = (unsigned char)(name[0] == '^' ? name[1] : name[2]);
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || strchr("@[\\]^_", c)) {
            *key = UI_KEY_CTRL(c);
            return true;
        }
        return false;
    }
    c = single_char(name);
    if (c <= ' ' || c == 127)
        return false; /* spaces and control bytes go by their names */
    *key = c;
    return true;
}

const char *
keymap_key_name(int key, char *buf, size_t len)
{
    for (size_t i = 0; i < DR_ARRAY_LEN(named_keys); i++) {
        if (named_keys[i].key == key) {
            snprintf(buf, len, "%s", named_keys[i].name);
            return buf;
        }
    }
    if ((key & UI_KEY_FN) && (key & ~UI_KEY_FN) >= KEY_F(1) && (key & ~UI_KEY_FN) <= KEY_F(24)) {
        snprintf(buf, len, "F%d", (key & ~UI_KEY_FN) - KEY_F0);
    } else if (key & UI_KEY_FN) {
        snprintf(buf, len, "<%d>", key & ~UI_KEY_FN);
    } else if (key > 0 && key < 32) {
        snprintf(buf, len, "C-%c", key + 'a' - 1);
    } else {
        mbstate_t st;
        char mb[MB_LEN_MAX + 1];
        size_t r;

        memset(&st, 0, sizeof st);
        r = wcrtomb(mb, (wchar_t)key, &st);
        if (r == (size_t)-1)
            snprintf(buf, len, "U+%04X", (unsigned)key);
        else
            snprintf(buf, len, "%.*s", (int)r, mb);
    }
    return buf;
}

enum dr_err
keymap_bind(struct keymap *km, const char *scope, const char *keyname, const char *actname,
            struct dr_error *e)
{
    enum ui_action a;
    int key;

    if (!keymap_parse_key(keyname, &key))
        return dr_error_set(e, DR_E_INVAL, _("unknown key '%s'"), keyname ? keyname : "");
    if (actname == NULL || !action_from_name(actname, &a))
        return dr_error_set(e, DR_E_INVAL, _("unknown action '%s'"), actname ? actname : "");
    if (action_is_mutating(a) && !(key & UI_KEY_FN) && (key < 32 || key == 127))
        return dr_error_set(e, DR_E_INVAL,
                            _("'%s' changes things and may not be bound to the control key '%s'"),
                            actname, keyname);
    put(km, str_eq(scope, "global") ? NULL : scope, key, a);
    return DR_E_OK;
}

size_t
keymap_apply(struct keymap *km, const struct dr_binding *b, size_t n, const char *const *scopes,
             char ***errors)
{
    size_t applied = 0;

    for (size_t i = 0; i < n; i++) {
        struct dr_error e = {0};
        bool known = str_eq(b[i].screen, "global");

        for (size_t j = 0; scopes && scopes[j] && !known; j++)
            known = str_eq(b[i].screen, scopes[j]);
        if (!known)
            dr_error_set(&e, DR_E_INVAL, _("unknown screen '%s'"), b[i].screen ? b[i].screen : "");
        else if (keymap_bind(km, b[i].screen, b[i].key, b[i].action, &e) == DR_E_OK) {
            applied++;
            continue;
        }
        char *msg =
            xasprintf("%s:%d: bind.%s.%s: %s", b[i].origin.file ? b[i].origin.file : "drover.cfg",
                      b[i].origin.line, b[i].screen ? b[i].screen : "", b[i].key ? b[i].key : "",
                      dr_error_text(&e));
        strv_push(errors, msg);
        free(msg);
    }
    return applied;
}

enum ui_action
keymap_lookup(const struct keymap *km, const char *scope, int key)
{
    const struct binding *global = NULL;

    for (size_t i = 0; i < km->n; i++) {
        if (km->b[i].key != key)
            continue;
        if (km->b[i].scope == NULL)
            global = &km->b[i];
        else if (scope && strcmp(km->b[i].scope, scope) == 0)
            return km->b[i].action;
    }
    return global ? global->action : ACT_NONE;
}

size_t
keymap_keys_for(const struct keymap *km, const char *scope, enum ui_action a, int *keys, size_t max)
{
    size_t n = 0;

    for (size_t i = 0; i < km->n && n < max; i++) {
        if (km->b[i].action != a)
            continue;
        if (km->b[i].scope != NULL && !scope_eq(km->b[i].scope, scope))
            continue;
        /* A global key the screen rebinds is not this action here. */
        if (keymap_lookup(km, scope, km->b[i].key) != a)
            continue;
        bool dup = false;
        for (size_t k = 0; k < n && !dup; k++)
            dup = keys[k] == km->b[i].key;
        if (!dup)
            keys[n++] = km->b[i].key;
    }
    return n;
}
