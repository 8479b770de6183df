#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/i18n.h"
#include "core/util.h"
#include "ui/termtype.h"

#include <term.h>

static void
push_new(char ***v, const char *term, const char *name)
{
    if (str_eq(name, term))
        return;
    for (size_t i = 0; *v && (*v)[i]; i++) {
        if (str_eq((*v)[i], name))
            return;
    }
    strv_push(v, name);
}

/* A family with and without 256 colours. */
static void
push_family(char ***v, const char *term, const char *family, bool colour)
{
    if (colour) {
        char *c = xasprintf("%s-256color", family);
        push_new(v, term, c);
        free(c);
    }
    push_new(v, term, family);
}

/* Whether a '-'-separated part of the name says the terminal has no colour
 * (terminfo's naming: -m and -mono monochrome, -bw, -nc no colour). */
static bool
names_mono(const char *term)
{
    static const char *const mono[] = {"m", "mono", "bw", "nc"};
    const char *p = strchr(term, '-');

    while (p) {
        size_t n = strcspn(p + 1, "-");
        for (size_t i = 0; i < DR_ARRAY_LEN(mono); i++) {
            if (n == strlen(mono[i]) && strncmp(p + 1, mono[i], n) == 0)
                return true;
        }
        p = strchr(p + 1, '-');
    }
    return false;
}

/* Terminals that are not xterm-like emulators: their fallback is vt100. */
static bool
hardware_like(const char *family)
{
    return (family[0] == 'v' && family[1] == 't' && isdigit((unsigned char)family[2])) ||
           str_eq(family, "linux") || str_eq(family, "ansi") || str_has_prefix(family, "cons");
}

char **
term_fallbacks(const char *term)
{
    char **v = NULL;
    char *family;
    bool colour;

    if (term == NULL || *term == '\0') {
        strv_push(&v, "vt100");
        return v;
    }
    family = xstrndup(term, strcspn(term, "-."));
    for (char *p = family; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    /* Consoles and real terminals have no 256-colour variants to guess. */
    colour = !names_mono(term) && !hardware_like(family);
    /* The family's own types, when the name is more than its family. */
    if (*family && !str_eq(family, term))
        push_family(&v, term, family, colour);
    if (str_eq(family, "tmux"))
        push_family(&v, term, "screen", colour);
    if (!hardware_like(family))
        push_family(&v, term, "xterm", colour);
    push_new(&v, term, "vt100");
    free(family);
    if (v == NULL) /* term was vt100 itself */
        v = xcalloc(1, sizeof *v);
    return v;
}

bool
term_usable(const char *name, int fd)
{
    int err = 0;
    bool ok;
    const char *cup;

    if (setupterm((char *)name, fd, &err) != OK)
        return false;
    /* newterm() accepts a terminal that cannot move its cursor (dumb, a
     * hard-copy or generic type) and then draws garbage. */
    cup = tigetstr("cup");
    ok = cup != NULL && cup != (char *)-1 && tigetflag("hc") <= 0 && tigetflag("gn") <= 0;
    del_curterm(cur_term);
    cur_term = NULL;
    return ok;
}

/* Whether the type itself says full-screen drawing is impossible: a
 * hard-copy entry, or "dumb", terminfo's name for a terminal that can only
 * print lines (Emacs' shell buffer, CI logs). No other type is a better
 * guess for those. */
static bool
term_incapable(const char *name, int fd)
{
    int err = 0;

    if (str_eq(name, "dumb"))
        return true;
    if (setupterm((char *)name, fd, &err) == OK) {
        del_curterm(cur_term);
        cur_term = NULL;
        return false;
    }
    return err == 1; /* found, but a hard-copy terminal */
}

SCREEN *
term_open(char **used, char **note)
{
    const char *term = getenv("TERM");
    char **alt;
    char *tried = NULL;
    SCREEN *scr = NULL;

    *used = NULL;
    *note = NULL;
    if (term && *term && term_usable(term, STDOUT_FILENO)) {
        scr = newterm((char *)term, stdout, stdin);
        if (scr)
            *used = xstrdup(term);
        else
            *note = xasprintf(_("cannot start the terminal of type '%s'"), term);
        return scr;
    }
    if (term && *term && term_incapable(term, STDOUT_FILENO)) {
        /* The terminal itself says it cannot do it: no guess helps. */
        *note = xasprintf(_("terminal type '%s' cannot move the cursor; drover needs a "
                            "full-screen terminal (for example TERM=xterm-256color or vt100)"),
                          term);
        return NULL;
    }
    alt = term_fallbacks(term);
    for (size_t i = 0; alt[i] && scr == NULL; i++) {
        char *t = xasprintf("%s%s%s", tried ? tried : "", tried ? ", " : "", alt[i]);
        free(tried);
        tried = t;
        if (term_usable(alt[i], STDOUT_FILENO) && (scr = newterm(alt[i], stdout, stdin)) != NULL)
            *used = xstrdup(alt[i]);
    }
    if (scr && term && *term)
        /* L10N: first the TERM value, then the terminal type used instead. */
        *note = xasprintf(_("Terminal type '%s' is not known here; using %s"), term, *used);
    else if (scr)
        *note = xasprintf(_("TERM is not set; using %s"), *used);
    else
        /* L10N: %s: TERM's value; %s: the types tried, comma-separated. */
        *note = xasprintf(_("terminal type '%s' is not known here, nor are the types tried in "
                            "its place (%s); set TERM to a type 'infocmp' finds, or install "
                            "the terminfo entries (ncurses-term)"),
                          term && *term ? term : "", tried ? tried : "vt100");
    free(tried);
    strv_free(&alt);
    return scr;
}
