/* Text measured in terminal cells: UTF-8 names with wide (CJK, emoji) and
 * zero-width characters fitted into table columns. Locale-aware; no curses. */
#ifndef DR_UI_TEXT_H
#define DR_UI_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* Is the current locale's character set UTF-8? Decides glyphs and line drawing. */
bool text_utf8(void);
/* Cells s takes on screen. Invalid bytes and control characters count as one
 * cell each (they are shown as '?'). */
int text_width(const char *s);
/* Write s into buf (of len bytes) so that it takes exactly width cells:
 * longer text is cut on a character boundary and ends in an ellipsis ("…",
 * or "~" outside UTF-8); shorter text is padded with spaces, on the left when
 * right is set. A wide character that would straddle the edge becomes a
 * space. Returns buf. */
char *text_fit(char *buf, size_t len, const char *s, int width, bool right);
/* Break text into at most max lines of width cells, at spaces where there
 * are any; the lines go to out[] (each newly allocated, free them). The last
 * line keeps all the rest (text_fit cuts it when drawn). Returns how many
 * (0 for ""). */
int text_wrap(const char *text, int width, char **out, int max);

#endif
