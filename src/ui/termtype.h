/* Choosing a terminal type the console can run on. A TERM this machine's
 * terminfo does not know (a new emulator's own type such as xterm-kitty,
 * over SSH to a host without ncurses-term) is replaced by a close type that
 * is known, chosen by the name's family and colour capability. */
#ifndef DR_UI_TERMTYPE_H
#define DR_UI_TERMTYPE_H

#include <stdbool.h>
#include <stddef.h>

#include "ui/provide_curses.h"

/* The types to try in place of term, best first, as a new NULL-terminated
 * vector (strv_free). The rule: the name's family (what comes before the
 * first '-' or '.', when the name is more than that) with -256color and
 * plain; tmux falls back to screen, and every family but the hardware-like
 * ones (vt*, linux, ansi, cons*) to xterm, whose dialect emulators speak;
 * vt100 last. Names that say monochrome (-m, -mono, -bw, -nc parts) and the
 * hardware-like families get no -256color types. An unset or empty term
 * gets only vt100. Never holds term itself. */
char **term_fallbacks(const char *term);

/* Whether the terminfo entry for name exists here and can drive a
 * full-screen program (cursor addressing, not a hard-copy terminal), for
 * the terminal on fd. Leaves no terminal set up. */
bool term_usable(const char *name, int fd);

/* Start curses on stdin/stdout with $TERM, or with the first usable type of
 * term_fallbacks() when $TERM is not known here. "dumb" and hard-copy types
 * are known to be unable, so they get no fallback. On success returns the
 * screen and sets *used to the type in use (newly allocated) and *note to a
 * line for the operator when a fallback was taken (else NULL). On failure
 * returns NULL, writes nothing to the terminal and sets *note to the one
 * line that says why and what to do; *used is NULL. */
SCREEN *term_open(char **used, char **note);

#endif
